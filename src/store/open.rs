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
    /// Usable by nobody here: set it aside and start a new file.
    Unusable {
        reason: SetAsideReason,
        detail: String,
    },
}

/// Creates the folder (0700) and an empty file (0600) when they are missing, so the database and
/// its `-wal`/`-shm` companions (which SQLite creates with the file's mode) are the user's alone.
pub fn prepare_file(path: &Path) -> Result<(), StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        create_private_dir(dir).map_err(|e| StoreError::from_io(dir, &e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::from_io(path, &e)),
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

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
