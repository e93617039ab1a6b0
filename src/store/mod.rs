//! Local state in one SQLite database in the data dir (`seats.db`): the directory snapshot now;
//! the plan queue, the executor's journal and the audit log keep their own tables in it.
//!
//! No secret is ever stored here. Nothing in this API accepts one: the store takes a
//! [`Directory`] (users, groups, seats; no credential field) and plain SQL from the modules.
//!
//! # How it behaves
//! - The file is in WAL mode with `synchronous = FULL` and a 5 s busy timeout: two seats
//!   processes can share it, and a commit survives power loss (the journal needs that).
//! - One opener, [`open_database`], for the console and every command (the journal's
//!   [`open_connection`] too): the same checks everywhere.
//! - A damaged file, or one written by a newer seats (`PRAGMA user_version` above
//!   [`SCHEMA_VERSION`]), is never written to. It is renamed `seats.db.corrupt-<time>` /
//!   `seats.db.newer-<time>` with its `-wal` and `-shm`, a new file is started, and a notice
//!   names the moved file; but a file holding an unfinished batch is never moved: opening it is
//!   an error naming the batch. A file that is not a database at all is an error, left as it is;
//!   an empty one (0 bytes) becomes a new database with a notice. Nothing is ever deleted.
//! - An older file is migrated in one transaction (see `schema.rs`); the snapshot tables are a
//!   cache and are rebuilt rather than converted.
//! - A [`Store`] is `Send` but not `Sync`. To save a refreshed snapshot off the UI thread, open a
//!   second `Store` on the same path in the worker: each sees the other's commits.
//!
//! # Adding tables from another module
//! Create them with [`Store::ensure`] at start-up, once per schema step, then use
//! [`Store::connection`] for queries:
//! ```no_run
//! # fn demo(store: &seats::store::Store) -> Result<(), seats::store::StoreError> {
//! store.ensure(
//!     "journal.1",
//!     "CREATE TABLE IF NOT EXISTS journal (
//!          id INTEGER PRIMARY KEY, plan_id TEXT NOT NULL, step INTEGER NOT NULL,
//!          state TEXT NOT NULL, at TEXT NOT NULL
//!      );",
//! )?;
//! store.connection().execute(
//!     "INSERT INTO journal (plan_id, step, state, at) VALUES (?1, ?2, ?3, ?4)",
//!     ("p1", 0, "started", "2026-12-01T20:00:00Z"),
//! ).map_err(|e| seats::store::StoreError::from_sqlite(store.path(), e))?;
//! # Ok(()) }
//! ```
//! Rules for steps:
//! - Name them `<module>.<n>` (`queue.1`, `journal.1`, `audit.1`). A released step never changes:
//!   to change a table, add the next step (`journal.2` with `ALTER TABLE ... ADD COLUMN`).
//! - Steps are additive, so that an older seats still works with a file a newer one touched.
//!   A change an older seats cannot live with (dropping or renaming a column it reads) goes into
//!   `schema::MIGRATIONS` instead, which raises `user_version` and makes older seats set the file
//!   aside rather than misread it.
//! - A step runs inside a transaction together with its record: no `BEGIN`/`COMMIT` in its SQL.
//! - Never store a secret (API key, token, password) in a table.

mod body;
mod error;
mod open;
pub mod savings;
mod schema;
mod snapshot;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use error::StoreError;
pub use open::SetAsideReason;
pub use schema::SCHEMA_VERSION;
pub use snapshot::SnapshotInfo;

use open::{Opened, check_existing, open_checked, prepare_file, set_aside};

/// File name of the database in the data dir.
pub const FILE_NAME: &str = "seats.db";

/// The open database. One per process; it is `Send`, so it can live on a worker thread.
pub struct Store {
    path: PathBuf,
    conn: Connection,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (or creates) the database at `path` through [`open_database`], the one opener
    /// every command uses. The notice, when there is one, is for the admin.
    pub fn open(path: &Path) -> Result<(Store, Option<String>), StoreError> {
        let (conn, notice) = open_database(path)?;
        let store = Store {
            path: path.to_owned(),
            conn,
        };
        Ok((store, notice))
    }

    /// Opens `seats.db` in [`crate::paths::data_dir`] (`SEATS_DATA_DIR` overrides it).
    pub fn open_default() -> Result<(Store, Option<String>), StoreError> {
        let dir = crate::paths::data_dir().ok_or(StoreError::NoDataDir)?;
        Store::open(&dir.join(FILE_NAME))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection, for modules that keep their own tables here (see the module docs).
    /// It is in WAL mode with a busy timeout; use a transaction for anything that writes more
    /// than one row.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Runs the schema step `sql` once per database, recorded under `name` (see the module
    /// docs for the rules). True when it ran now, false when it had run before.
    pub fn ensure(&self, name: &str, sql: &str) -> Result<bool, StoreError> {
        schema::ensure(&self.conn, name, sql).map_err(|e| StoreError::from_sqlite(&self.path, e))
    }
}

/// The one way seats opens its database, for the console and every command (the journal opens
/// through [`open_connection`]). Creates the folder (0700) and file (0600) when missing, then:
/// - an empty file (0 bytes) becomes a new database, and the notice says so;
/// - a file that is not a SQLite database is an error: seats never moves or writes it;
/// - a file from a newer seats is never written to; a damaged one is not trusted. Either is set
///   aside (renamed with its `-wal` and `-shm`, nothing deleted) and a new file started, unless
///   it holds an unfinished batch (or seats cannot tell): then it is an error that says which
///   batch and what to do, and the file stays where `seats apply --resume` finds it;
/// - an older file is migrated.
///
/// Errors are also for what setting aside cannot fix: a read-only folder, a full disk, a lock
/// held too long.
pub fn open_database(path: &Path) -> Result<(Connection, Option<String>), StoreError> {
    let was_empty = check_existing(path)?;
    prepare_file(path)?;
    let empty_notice = was_empty.then(|| {
        format!(
            "The local database {} was an empty file (0 bytes): seats started a new database in \
             it. Batches it may have held are gone from `seats history`; audit.jsonl beside it \
             keeps their record.",
            path.display()
        )
    });
    match open_checked(path)? {
        Opened::Ready(conn, migrated) => {
            let notice = (migrated.dropped_snapshots > 0).then(|| {
                format!(
                    "The local database {} came from an older seats and was upgraded; its saved \
                     snapshot was dropped and will be fetched again.",
                    path.display()
                )
            });
            Ok((conn, empty_notice.or(notice)))
        }
        Opened::NotADatabase { detail } => Err(StoreError::NotADatabase {
            path: path.to_owned(),
            detail,
        }),
        Opened::Unusable { reason, detail } => {
            let what = match reason {
                SetAsideReason::Corrupt => format!("is damaged ({detail})"),
                SetAsideReason::Newer => format!("was written by a newer seats ({detail})"),
            };
            match open::unfinished_batches(path) {
                Ok(owed) if owed.is_empty() => {}
                Ok(owed) => {
                    return Err(StoreError::HoldsUnfinished {
                        path: path.to_owned(),
                        what,
                        holds: format!("it holds an unfinished batch: {}", owed.join(", ")),
                        advice: unfinished_advice(reason),
                    });
                }
                Err(e) => {
                    return Err(StoreError::HoldsUnfinished {
                        path: path.to_owned(),
                        what,
                        holds: format!(
                            "seats cannot read whether it holds an unfinished batch ({e})"
                        ),
                        advice: unfinished_advice(reason),
                    });
                }
            }
            let moved = set_aside(path, reason)?;
            tracing::warn!(path = %path.display(), moved = %moved.display(), ?reason, %detail,
                "local database set aside");
            prepare_file(path)?;
            let conn = match open_checked(path)? {
                Opened::Ready(conn, _) => conn,
                Opened::Unusable { detail, .. } | Opened::NotADatabase { detail } => {
                    return Err(StoreError::Unusable {
                        path: path.to_owned(),
                        detail: format!("a new database there is unusable too: {detail}"),
                    });
                }
            };
            Ok((conn, Some(set_aside_notice(path, &moved, reason, &detail))))
        }
    }
}

/// [`open_database`] for a module that keeps its own connection (the executor's journal). A
/// notice goes to the admin: on standard error now, or, while the console owns the terminal,
/// after it closes ([`take_notices`]).
pub fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let (conn, notice) = open_database(path)?;
    if let Some(notice) = notice {
        tracing::warn!(path = %path.display(), %notice, "local database notice");
        if crate::output::console_owns_terminal() {
            if let Ok(mut held) = NOTICES.lock() {
                held.push(notice);
            }
        } else {
            crate::output::note(format!("note: {notice}"));
        }
    }
    Ok(conn)
}

static NOTICES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Notices [`open_connection`] held back while the console owned the terminal.
pub fn take_notices() -> Vec<String> {
    NOTICES
        .lock()
        .map(|mut held| std::mem::take(&mut *held))
        .unwrap_or_default()
}

fn unfinished_advice(reason: SetAsideReason) -> &'static str {
    match reason {
        SetAsideReason::Newer => {
            "finish it with the newer seats that wrote the file (`seats apply --resume`); this \
             seats then sets the file aside and starts a new one"
        }
        SetAsideReason::Corrupt => {
            "check those users at admin.atlassian.com, then move the file away by hand (or \
             recover it with `sqlite3 FILE .recover`); seats then starts a new one"
        }
    }
}

fn set_aside_notice(path: &Path, moved: &Path, reason: SetAsideReason, detail: &str) -> String {
    match reason {
        SetAsideReason::Corrupt => format!(
            "The local database {} was damaged ({detail}). seats moved it to {} and started a new \
             one; the directory will be fetched again.",
            path.display(),
            moved.display()
        ),
        SetAsideReason::Newer => format!(
            "The local database {} was written by a newer seats ({detail}). This seats moved it \
             to {} and started a new one; to use it again, run the newer seats after renaming it \
             back to {FILE_NAME}.",
            path.display(),
            moved.display()
        ),
    }
}
