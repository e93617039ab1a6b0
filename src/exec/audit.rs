//! The audit log: every batch and item, in the database (`exec_audit`) and appended to
//! `audit.jsonl` in the data dir for SIEM tools, one JSON object a line.
//!
//! Fields of a line (absent values are `null`):
//!
//! | field | meaning |
//! |---|---|
//! | `id` | unique, increasing number of the entry (a line seen twice after a crash has the same `id`) |
//! | `time` | when it was recorded, RFC 3339 UTC |
//! | `event` | `batch_created`, `batch_started` (a run begins, also on resume), `batch_aborted`, `item`, `batch_finished`, `batch_cancelled` |
//! | `batch` | the batch number (`seats history`, `seats undo BATCH`) |
//! | `item` | the item's position in the batch (item events only) |
//! | `operator` | who ran it: the profile's email, else the OS user |
//! | `profile` | the seats profile, if any |
//! | `org_id` | the Atlassian organization |
//! | `action` | the change: `suspend`, `restore`, `remove-from-directory`, `remove-from-group`, `add-to-group`, `revoke-product-role`, `assign-product-role`, `deactivate`, `reactivate` |
//! | `change` | the change with its details (group id and name, product, resource ARI) |
//! | `target`, `target_name`, `target_email` | the account id, name and email of the user changed |
//! | `result` | items: `done`, `failed`, `skipped`, `dry-run`; batches: the batch status |
//! | `reason` | why an item was skipped or how it was confirmed; a batch event's summary |
//! | `http_status` | the final HTTP status of the write (204 on success, the error's status on failure) |
//! | `error` | the error as seats explains it |
//! | `dry_run` | true when nothing was sent |
//!
//! No secret ever goes here: entries are built from the journal's columns, which hold no
//! credential, and errors are the client's messages, which never carry one.

use std::path::Path;

use rusqlite::{Connection, params};
use serde::Serialize;

use super::journal::{BatchId, JournalError};

/// File name of the JSON lines log in the data dir.
pub const FILE_NAME: &str = "audit.jsonl";

/// One audit entry, as stored and as written to `audit.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub time: String,
    pub event: String,
    pub batch: BatchId,
    pub item: Option<i64>,
    pub operator: String,
    pub profile: Option<String>,
    pub org_id: String,
    pub action: Option<String>,
    pub change: Option<serde_json::Value>,
    pub target: Option<String>,
    pub target_name: Option<String>,
    pub target_email: Option<String>,
    pub result: String,
    pub reason: Option<String>,
    pub http_status: Option<u16>,
    pub error: Option<String>,
    pub dry_run: bool,
}

/// Entries in id order; only those not yet exported when `unexported` is `Some(true)`.
pub(crate) fn load(
    conn: &Connection,
    unexported: Option<bool>,
) -> Result<Vec<AuditRecord>, JournalError> {
    let mut stmt = conn.prepare(
        "SELECT id, time, event, batch_id, item_seq, operator, profile, org_id, action, change,
                target, target_name, target_email, result, reason, http_status, error, dry_run
         FROM exec_audit WHERE (?1 IS NULL OR exported = 0) ORDER BY id",
    )?;
    let rows = stmt.query_map(params![unexported.map(|_| 1)], |r| {
        Ok(AuditRecord {
            id: r.get(0)?,
            time: r.get(1)?,
            event: r.get(2)?,
            batch: r.get(3)?,
            item: r.get(4)?,
            operator: r.get(5)?,
            profile: r.get(6)?,
            org_id: r.get(7)?,
            action: r.get(8)?,
            change: r
                .get::<_, Option<String>>(9)?
                .and_then(|c| serde_json::from_str(&c).ok()),
            target: r.get(10)?,
            target_name: r.get(11)?,
            target_email: r.get(12)?,
            result: r.get(13)?,
            reason: r.get(14)?,
            http_status: r
                .get::<_, Option<i64>>(15)?
                .and_then(|s| u16::try_from(s).ok()),
            error: r.get(16)?,
            dry_run: r.get::<_, i64>(17)? != 0,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ExportError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Appends the entries not yet exported to `path`, syncs the file, then marks them exported.
/// A crash between the two writes the same lines again next time (same `id`): at least once,
/// never lost.
pub(crate) fn export_pending(conn: &Connection, path: &Path) -> Result<usize, ExportError> {
    let pending = load(conn, Some(true))?;
    let Some(last) = pending.last().map(|r| r.id) else {
        return Ok(0);
    };
    let mut text = String::new();
    for record in &pending {
        if let Ok(line) = serde_json::to_string(record) {
            text.push_str(&line);
            text.push('\n');
        }
    }
    crate::output::append_private(path, text.as_bytes())?;
    // The mark needs no fsync of its own: lost, it only repeats lines.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    let marked = conn.execute(
        "UPDATE exec_audit SET exported = 1 WHERE exported = 0 AND id <= ?1",
        params![last],
    );
    conn.pragma_update(None, "synchronous", "FULL")?;
    marked?;
    Ok(pending.len())
}
