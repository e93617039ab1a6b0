//! Opening the database file: its folder and permissions, the connection's settings, the health
//! check, and setting aside a file this seats cannot use (damaged, or from a newer seats).

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use rusqlite::{Connection, OpenFlags};

use super::error::{BUSY_TIMEOUT_SECS, StoreError};
use super::schema::{self, Migrated, SCHEMA_VERSION};

/// Why a file was set aside; the word goes into the moved file's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetAsideReason {
    Corrupt,
    Newer,
}

impl SetAsideReason {
    fn word(self) -> &'static str {
        match self {
            SetAsideReason::Corrupt => "corrupt",
            SetAsideReason::Newer => "newer",
        }
    }
}

/// The outcome of one attempt to open the file as it is.
pub enum Opened {
    Ready(Connection, Migrated),
    /// Usable by nobody here: set it aside and start a new file, unless it holds an unfinished
    /// batch.
    Unusable {
        reason: SetAsideReason,
        detail: String,
    },
    /// Not a SQLite database at all: nothing in it can be checked, so it is never moved.
    NotADatabase {
        detail: String,
    },
}

/// Creates the folder (0700) and an empty file (0600) when they are missing, so the database and
/// its `-wal`/`-shm` companions (which SQLite creates with the file's mode) are the user's alone.
pub fn prepare_file(path: &Path) -> Result<(), StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        crate::output::create_private_dir(dir).map_err(|e| StoreError::from_io(dir, &e))?;
    }
    crate::output::create_private_file(path).map_err(|e| StoreError::from_io(path, &e))?;
    // A file an older seats made 0644 holds names and emails: private from now on.
    for file in [
        path.to_path_buf(),
        companion(path, "-wal"),
        companion(path, "-shm"),
    ] {
        crate::output::keep_private_path(&file);
    }
    Ok(())
}

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// What is at the path before seats opens it: a database file must be a regular file, and an
/// empty one (0 bytes) is said out loud, not silently taken for a new journal. `Ok(true)`: an
/// empty file with no write-ahead log, older than a moment (not another seats creating it),
/// which seats starts a new database in.
pub fn check_existing(path: &Path) -> Result<bool, StoreError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(StoreError::from_io(path, &e)),
    };
    if !meta.is_file() {
        return Err(StoreError::Unusable {
            path: path.to_owned(),
            detail:
                "it is not a regular file: move it away, or set SEATS_DATA_DIR to another folder"
                    .into(),
        });
    }
    if meta.len() > 0 {
        // Checked before SQLite sees it: opening garbage, SQLite would delete a `-wal` beside it.
        let mut header = [0u8; 16];
        let read = std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header));
        let garbage = || StoreError::NotADatabase {
            path: path.to_owned(),
            detail: "it does not start with the SQLite header".into(),
        };
        return match read {
            Ok(()) if &header == SQLITE_HEADER => Ok(false),
            Ok(()) => Err(garbage()),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(garbage()),
            Err(e) => Err(StoreError::from_io(path, &e)),
        };
    }
    // An empty file next to a log that holds pages: the log may hold the whole journal.
    let wal = companion(path, "-wal");
    // Just made by another seats starting at the same moment: a new database, nothing to say.
    let just_made = meta
        .modified()
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age < JUST_MADE);
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        return Err(StoreError::Unusable {
            path: path.to_owned(),
            detail: format!(
                "the file is empty (0 bytes) but its write-ahead log {} is not; seats leaves both \
                 as they are. Restore the file from a backup, or move both away to start a new one",
                wal.display()
            ),
        });
    }
    Ok(!just_made)
}

/// How recent an empty database file must be to count as another seats creating it now.
const JUST_MADE: std::time::Duration = std::time::Duration::from_secs(10);

/// Opens the file as it is, checks it, and migrates an older schema.
pub fn open_checked(path: &Path) -> Result<Opened, StoreError> {
    let sql_err = |e| StoreError::from_sqlite(path, e);
    // No CREATE flag: prepare_file made the file, and a file that vanished since is an error.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let mut conn = Connection::open_with_flags(path, flags).map_err(sql_err)?;
    conn.busy_timeout(Duration::from_secs(BUSY_TIMEOUT_SECS))
        .map_err(sql_err)?;

    // The first read of the header: garbage fails here with "file is not a database".
    let version = match schema::user_version(&conn) {
        Ok(v) => v,
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
            return Ok(Opened::NotADatabase {
                detail: e.to_string(),
            });
        }
        Err(e) => return unusable_or(path, e),
    };
    if version > SCHEMA_VERSION {
        // Checked before anything writes to the file: it goes back untouched to its seats.
        return Ok(Opened::Unusable {
            reason: SetAsideReason::Newer,
            detail: format!("schema version {version}; this seats knows up to {SCHEMA_VERSION}"),
        });
    }

    // WAL: readers (a second seats, the console while a refresh saves) never wait for the writer.
    // synchronous=FULL: with WAL, NORMAL may lose the last commits on power loss; the journal of
    // changes made at Atlassian must not, and FULL costs one more fsync per commit, which a
    // snapshot save (one transaction) does not notice.
    let pragmas = "PRAGMA journal_mode = WAL;
                   PRAGMA synchronous = FULL;
                   PRAGMA journal_size_limit = 16777216;";
    if let Err(e) = conn.execute_batch(pragmas) {
        return unusable_or(path, e);
    }

    // quick_check walks every page's structure (a few ms for a 100,000-user snapshot):
    // a truncated or damaged file is found now, not halfway through the console's session.
    let check: rusqlite::Result<String> = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0));
    match check {
        Ok(ok) if ok == "ok" => {}
        Ok(problem) => {
            return Ok(Opened::Unusable {
                reason: SetAsideReason::Corrupt,
                detail: problem,
            });
        }
        Err(e) => return unusable_or(path, e),
    }

    if version == SCHEMA_VERSION {
        // The usual start: no write lock, so a refresh saving in another seats never delays it.
        let nothing = Migrated {
            from: version,
            dropped_snapshots: 0,
        };
        return Ok(Opened::Ready(conn, nothing));
    }
    match schema::migrate(&mut conn) {
        Ok(migrated) => Ok(Opened::Ready(conn, migrated)),
        Err(e) => unusable_or(path, e),
    }
}

/// A damaged file is set aside; any other failure (locked, read-only, disk full) is the error.
fn unusable_or(path: &Path, e: rusqlite::Error) -> Result<Opened, StoreError> {
    let err = StoreError::from_sqlite(path, e);
    if err.is_corrupt() {
        Ok(Opened::Unusable {
            reason: SetAsideReason::Corrupt,
            detail: match err {
                StoreError::Corrupt { detail, .. } => detail,
                other => other.to_string(),
            },
        })
    } else {
        Err(err)
    }
}

/// Renames the file and its `-wal` and `-shm` companions to `<name>.<reason>-<UTC time>`. Nothing is deleted. Returns the new
/// path of the database file.
pub fn set_aside(path: &Path, reason: SetAsideReason) -> Result<PathBuf, StoreError> {
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
    let base = format!("{}.{}-{stamp}", path.display(), reason.word());
    // Two set-asides within one second get -2, -3, ...
    let to = (1..)
        .map(|n| {
            if n == 1 {
                PathBuf::from(&base)
            } else {
                PathBuf::from(format!("{base}-{n}"))
            }
        })
        .find(|p| !p.exists() && !companion(p, "-wal").exists())
        .unwrap_or_else(|| PathBuf::from(&base));
    // The file first: if that fails nothing has moved. Its companions belong to it (a new file
    // must not replay an old log), so they follow it.
    std::fs::rename(path, &to).map_err(|source| StoreError::SetAside {
        path: path.to_owned(),
        to: to.clone(),
        source,
    })?;
    for suffix in ["-wal", "-shm"] {
        let from = companion(path, suffix);
        if from.exists() {
            let dest = companion(&to, suffix);
            std::fs::rename(&from, &dest).map_err(|source| StoreError::SetAside {
                path: from.clone(),
                to: dest,
                source,
            })?;
        }
    }
    Ok(to)
}

/// Batches the file holds that were started and still owe items (what `seats apply --resume`
/// finishes), as "batch N (K items owed)". Read through a read-only connection: a file from a
/// newer seats is never written to. An error means it cannot tell, which counts as holding one.
pub fn unfinished_batches(path: &Path) -> Result<Vec<String>, String> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| e.to_string())?;
    conn.busy_timeout(Duration::from_secs(BUSY_TIMEOUT_SECS))
        .map_err(|e| e.to_string())?;
    let tables: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'
             AND name IN ('exec_batches', 'exec_items')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    if tables == 0 {
        return Ok(Vec::new());
    }
    // Any state but a closed one is owed: a newer seats may have states this one does not know.
    let mut stmt = conn
        .prepare(
            "SELECT b.id, COUNT(*) FROM exec_batches b JOIN exec_items i ON i.batch_id = b.id
             WHERE b.status = 'running' AND i.state NOT IN ('done', 'failed', 'skipped', 'dry-run')
             GROUP BY b.id ORDER BY b.id",
        )
        .map_err(|e| e.to_string())?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
        .map_err(|e| e.to_string())?;
    rows.map(|row| {
        row.map(|(id, owed)| {
            format!(
                "batch {id} ({} owed)",
                crate::output::words::plural(owed.max(0) as usize, "item")
            )
        })
        .map_err(|e| e.to_string())
    })
    .collect()
}

/// `seats.db` → `seats.db-wal`.
pub fn companion(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_aside_moves_the_file_with_its_companions_and_never_overwrites() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("seats.db");
        let write_all = |tag: &str| {
            std::fs::write(&path, format!("db {tag}")).unwrap();
            std::fs::write(companion(&path, "-wal"), format!("wal {tag}")).unwrap();
            std::fs::write(companion(&path, "-shm"), format!("shm {tag}")).unwrap();
        };
        write_all("one");
        let first = set_aside(&path, SetAsideReason::Corrupt).unwrap();
        write_all("two");
        let second = set_aside(&path, SetAsideReason::Corrupt).unwrap();
        assert_ne!(first, second);
        for (moved, tag) in [(&first, "one"), (&second, "two")] {
            let name = moved.file_name().unwrap().to_string_lossy().into_owned();
            assert!(name.starts_with("seats.db.corrupt-"), "{name}");
            assert_eq!(std::fs::read_to_string(moved).unwrap(), format!("db {tag}"));
            let wal = std::fs::read_to_string(companion(moved, "-wal")).unwrap();
            assert_eq!(wal, format!("wal {tag}"));
            let shm = std::fs::read_to_string(companion(moved, "-shm")).unwrap();
            assert_eq!(shm, format!("shm {tag}"));
        }
        assert!(!path.exists() && !companion(&path, "-wal").exists());
        let newer = set_aside(&first, SetAsideReason::Newer).unwrap();
        assert!(newer.to_string_lossy().contains(".newer-"));
    }
}
