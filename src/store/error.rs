//! What can go wrong with the local database, in words an admin can act on. Every message names
//! the file. None carries a secret: the database holds none, and SQL text never holds data.

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("seats found no data folder on this system: set SEATS_DATA_DIR to a writable folder")]
    NoDataDir,

    #[error(
        "the local database {path} cannot be written ({detail}): check the permissions of the file \
         and its folder, or set SEATS_DATA_DIR to a writable folder"
    )]
    NotWritable { path: PathBuf, detail: String },

    #[error("the disk holding the local database {path} is full: free some space and try again")]
    DiskFull { path: PathBuf },

    #[error(
        "the local database {path} is locked by another program (another seats?) and stayed locked \
         for {seconds} s: close it, or try again"
    )]
    Locked { path: PathBuf, seconds: u64 },

    /// Damage found while seats was running; the next start sets the file aside.
    #[error(
        "the local database {path} is damaged ({detail}): restart seats, which moves it aside and \
         starts a new one (unless it holds an unfinished batch)"
    )]
    Corrupt { path: PathBuf, detail: String },

    /// One saved snapshot cannot be decoded; the database itself is fine.
    #[error(
        "the saved snapshot '{scope}' in {path} cannot be read ({detail}): it will be replaced by the \
         next refresh"
    )]
    BadSnapshot {
        path: PathBuf,
        scope: String,
        detail: String,
    },

    #[error(
        "could not move the local database {path} aside to {to} ({source}): move or delete it by hand"
    )]
    SetAside {
        path: PathBuf,
        to: PathBuf,
        source: std::io::Error,
    },

    #[error("the local database {path} could not be used: {detail}")]
    Unusable { path: PathBuf, detail: String },

    /// Garbage: nothing in it can be checked, so seats neither moves nor writes it.
    #[error(
        "{path} is not a seats database ({detail}); seats leaves it as it is. Restore it from a \
         backup, or move it away and seats starts a new one"
    )]
    NotADatabase { path: PathBuf, detail: String },

    /// Damaged or from a newer seats, and `seats apply --resume` still needs it.
    #[error(
        "the local database {path} {what}, and {holds}; seats does not move it aside or write \
         to it: {advice}"
    )]
    HoldsUnfinished {
        path: PathBuf,
        what: String,
        /// "it holds an unfinished batch (batch 3 (39 items owed))", or why seats cannot tell.
        holds: String,
        advice: &'static str,
    },
}

/// How long a statement waits for another process's lock before giving up.
pub(crate) const BUSY_TIMEOUT_SECS: u64 = 5;

impl StoreError {
    /// Sorts a SQLite error into what the admin can do about it. Other modules that query
    /// [`Store::connection`](super::Store::connection) use it too.
    pub fn from_sqlite(path: &Path, err: rusqlite::Error) -> StoreError {
        let path = path.to_owned();
        match err.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked {
                path,
                seconds: BUSY_TIMEOUT_SECS,
            },
            Some(ErrorCode::DiskFull) => StoreError::DiskFull { path },
            Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
                StoreError::NotWritable {
                    path,
                    detail: err.to_string(),
                }
            }
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StoreError::Corrupt {
                path,
                detail: err.to_string(),
            },
            _ => StoreError::Unusable {
                path,
                detail: err.to_string(),
            },
        }
    }

    /// Sorts a file-system error met while preparing the database's file or folder.
    pub(crate) fn from_io(path: &Path, err: &std::io::Error) -> StoreError {
        let path = path.to_owned();
        match err.kind() {
            std::io::ErrorKind::PermissionDenied
            | std::io::ErrorKind::ReadOnlyFilesystem
            | std::io::ErrorKind::NotADirectory
            | std::io::ErrorKind::NotFound => StoreError::NotWritable {
                path,
                detail: err.to_string(),
            },
            std::io::ErrorKind::StorageFull => StoreError::DiskFull { path },
            _ => StoreError::Unusable {
                path,
                detail: err.to_string(),
            },
        }
    }

    /// True when the file itself is damaged (not merely unreachable), so setting it aside helps.
    pub(crate) fn is_corrupt(&self) -> bool {
        matches!(self, StoreError::Corrupt { .. })
    }
}
