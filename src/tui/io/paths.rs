//! Files of the `:` line: completion from one directory listing, read off the UI thread and
//! bounded, and `:write`, which replaces a file only when told to (`:w!`).

use std::path::Path;

use tokio::sync::mpsc::UnboundedSender;

use crate::tui::action::Action;
use crate::tui::complete::Listing;

/// Entries read from one directory at most: a huge folder completes from its first ones.
pub(crate) const MAX_ENTRIES: usize = 5_000;

/// Writes the plan file and reports `Action::PlanWritten`; a file already there is left as
/// it is unless `overwrite` (`:w!`).
pub(super) fn write_plan(
    tx: UnboundedSender<Action>,
    path: std::path::PathBuf,
    file: Box<crate::plan::PlanFile>,
    overwrite: bool,
) {
    tokio::task::spawn_blocking(move || {
        let written = if overwrite {
            file.write(&path)
        } else {
            file.write_new(&path)
        };
        let result = match written {
            Ok(()) => Ok(path.display().to_string()),
            Err(crate::plan::PlanFileError::Exists { .. }) => {
                Err(crate::tui::commands::exists_message(&path))
            }
            Err(e) => Err(e.to_string()),
        };
        let _ = tx.send(Action::PlanWritten(result));
    });
}

/// Lists `dir` (as typed; `""` is the working directory) and reports `Action::DirListed`.
pub(super) fn list_dir(tx: UnboundedSender<Action>, request: u64, dir: String) {
    tokio::task::spawn_blocking(move || {
        let listing = read(&dir).map(|entries| Listing { dir, entries });
        let _ = tx.send(Action::DirListed { request, listing });
    });
}

/// Names (UTF-8 ones) and whether each is a directory, sorted.
pub(crate) fn read(dir: &str) -> Result<Vec<(String, bool)>, String> {
    let path = if dir.is_empty() {
        Path::new(".")
    } else {
        Path::new(dir)
    };
    let entries = std::fs::read_dir(path).map_err(|e| format!("cannot list {dir:?}: {e}"))?;
    let mut out: Vec<(String, bool)> = entries
        .take(MAX_ENTRIES)
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            // Follows a symlink to a folder, so it completes as one.
            let is_dir = e.path().is_dir();
            Some((name, is_dir))
        })
        .collect();
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_files_and_folders_sorted() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let d = tmp.path();
        crate::output::create_private_dir(&d.join("plans")).unwrap_or_else(|e| panic!("{e}"));
        crate::output::write_private(&d.join("b.json"), b"{}").unwrap_or_else(|e| panic!("{e}"));
        let listed = read(&format!("{}/", d.display())).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            listed,
            [("b.json".to_owned(), false), ("plans".to_owned(), true)]
        );
        assert!(read(&format!("{}/missing/", d.display())).is_err());
    }
}
