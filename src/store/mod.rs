//! Local state in one SQLite database in the data dir (`seats.db`): the directory snapshot,
//! and (later) the queue, the journal and the audit log. No secret is ever stored here.
//! PLACEHOLDER implementation: the store helper replaces it.

use std::path::{Path, PathBuf};

use crate::domain::Directory;

/// File name of the database in the data dir.
pub const FILE_NAME: &str = "seats.db";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the local database {path} could not be used: {detail}")]
    Unusable { path: PathBuf, detail: String },
}

pub struct Store {
    path: PathBuf,
}

impl Store {
    /// Opens (or creates) the database. A corrupt or newer-schema file is set aside (renamed)
    /// and a fresh one created; the returned notice says so.
    pub fn open(path: &Path) -> Result<(Store, Option<String>), StoreError> {
        Ok((
            Store {
                path: path.to_owned(),
            },
            None,
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Replaces the snapshot kept under `scope` (one per org and connection).
    pub fn save_snapshot(&mut self, _scope: &str, _dir: &Directory) -> Result<(), StoreError> {
        Ok(())
    }

    /// The snapshot kept under `scope`, if any.
    pub fn load_snapshot(&self, _scope: &str) -> Result<Option<Directory>, StoreError> {
        Ok(None)
    }
}
