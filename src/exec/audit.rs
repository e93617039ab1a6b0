//! The audit log: every batch and item, in the database (`exec_audit`) and appended to
//! `audit.jsonl` in the data dir for SIEM tools, one JSON object a line.
//!
//! Fields of a line (absent values are `null`):
//!
//! | field | meaning |
//! |---|---|
//! | `id` | the entry's id, unique for ever: a ULID (26 characters, later entries sort later), so ids never repeat even when the database is lost and made again; a line seen twice after a crash has the same `id` |
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
//! | `result` | items: `done`, `failed`, `skipped`, `dry-run`, `unknown` (sent, answer lost, not yet re-read); batches: the batch status |
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

use super::ids::{BatchId, new_id};

/// File name of the JSON lines log in the data dir.
pub const FILE_NAME: &str = "audit.jsonl";

/// The audit table. `seq` orders the entries in this database; `uid` is the entry's id for
/// ever (the `id` of a line), made without a counter so a new database cannot repeat one.
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS exec_audit (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    uid          TEXT,
    time         TEXT NOT NULL,
    event        TEXT NOT NULL,
    batch_id     INTEGER NOT NULL,
    item_seq     INTEGER,
    operator     TEXT NOT NULL,
    profile      TEXT,
    org_id       TEXT NOT NULL,
    action       TEXT,
    change       TEXT,
    target       TEXT,
    target_name  TEXT,
    target_email TEXT,
    result       TEXT NOT NULL,
    reason       TEXT,
    http_status  INTEGER,
    error        TEXT,
    dry_run      INTEGER NOT NULL,
    exported     INTEGER NOT NULL DEFAULT 0
);
";

/// Brings an audit table made by an older seats up to date: entries numbered 1, 2, 3 get a
/// ULID each (their lines already in `audit.jsonl` keep the old numbers).
pub(crate) fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    add_column(conn, "exec_audit", "uid", "TEXT")?;
    let missing: Vec<i64> = conn
        .prepare("SELECT id FROM exec_audit WHERE uid IS NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if !missing.is_empty() {
        let tx = conn.unchecked_transaction()?;
        for id in missing {
            tx.execute(
                "UPDATE exec_audit SET uid = ?2 WHERE id = ?1",
                params![id, new_id()],
            )?;
        }
        tx.commit()?;
    }
    Ok(())
}

/// Adds a column an older seats did not make. Two processes may both try on the first start
/// after an upgrade: the one that loses finds the column there and carries on.
pub(crate) fn add_column(
    conn: &Connection,
    table: &str,
    column: &str,
    decl: &str,
) -> rusqlite::Result<()> {
    let has = |conn: &Connection| -> rusqlite::Result<bool> {
        conn.query_row(
            "SELECT COUNT(*) FROM pragma_table_info(?1) WHERE name = ?2",
            params![table, column],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
    };
    if has(conn)? {
        return Ok(());
    }
    match conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {decl}")) {
        Ok(()) => Ok(()),
        Err(_) if has(conn)? => Ok(()),
        Err(e) => Err(e),
    }
}

/// One audit entry, as stored and as written to `audit.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    /// A ULID, unique for ever.
    pub id: String,
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

/// How an item ended, as its audit entry records it.
pub(crate) struct ItemEntry<'a> {
    pub time: &'a str,
    pub batch: BatchId,
    pub seq: i64,
    pub result: &'a str,
    pub reason: Option<&'a str>,
    pub http_status: Option<u16>,
    pub error: Option<&'a str>,
}

/// Records an item's end; the batch's and item's columns fill in the rest.
pub(crate) fn insert_item(conn: &Connection, e: &ItemEntry<'_>) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO exec_audit (uid, time, event, batch_id, item_seq, operator, profile, org_id, action,
                                 change, target, target_name, target_email, result, reason,
                                 http_status, error, dry_run)
         SELECT ?8, ?1, 'item', b.id, i.seq, b.operator, b.profile, b.org_id,
                json_extract(i.change, '$.change'), i.change,
                i.account_id, i.name, i.email, ?4, ?5, ?6, ?7, b.dry_run
         FROM exec_batches b JOIN exec_items i ON i.batch_id = b.id
         WHERE b.id = ?2 AND i.seq = ?3",
        params![
            e.time,
            e.batch,
            e.seq,
            e.result,
            e.reason,
            e.http_status,
            e.error,
            new_id()
        ],
    )
}

/// Records an event of a batch as a whole; 0 rows when there is no such batch.
pub(crate) fn insert_batch(
    conn: &Connection,
    time: &str,
    batch: BatchId,
    event: &str,
    detail: &str,
) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO exec_audit (uid, time, event, batch_id, operator, profile, org_id, result, reason, dry_run)
         SELECT ?5, ?1, ?2, id, operator, profile, org_id, status, ?4, dry_run FROM exec_batches WHERE id = ?3",
        params![time, event, batch, detail, new_id()],
    )
}

/// A transition of a rule's lifecycle for one user (`seats rules run`).
pub(crate) struct RuleEntry<'a> {
    pub time: &'a str,
    /// `rule_warned`, `rule_kept`, ...
    pub event: &'a str,
    /// The reclaim's batch; 0 when the transition belongs to none.
    pub batch: BatchId,
    pub operator: &'a str,
    pub profile: Option<&'a str>,
    pub org_id: &'a str,
    /// The rule's action (`remove-product-access`, `suspend`).
    pub action: &'a str,
    /// The rule and, for a notice, the channel.
    pub change: &'a serde_json::Value,
    pub target: &'a str,
    pub target_name: Option<&'a str>,
    pub target_email: Option<&'a str>,
    /// The state the user is in now.
    pub result: &'a str,
    /// The evidence: the date seen active, the comment id, the channel's reference or error.
    pub reason: Option<&'a str>,
    pub dry_run: bool,
}

/// Records a rule transition.
pub(crate) fn insert_rule(conn: &Connection, e: &RuleEntry<'_>) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO exec_audit (uid, time, event, batch_id, operator, profile, org_id, action,
                                 change, target, target_name, target_email, result, reason, dry_run)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            new_id(),
            e.time,
            e.event,
            e.batch,
            e.operator,
            e.profile,
            e.org_id,
            e.action,
            e.change.to_string(),
            e.target,
            e.target_name,
            e.target_email,
            e.result,
            e.reason,
            e.dry_run
        ],
    )
}

/// Entries in order with their place in this database; only those not yet exported when
/// `unexported` is `Some(true)`.
fn load_rows(
    conn: &Connection,
    unexported: Option<bool>,
) -> rusqlite::Result<Vec<(i64, AuditRecord)>> {
    let mut stmt = conn.prepare(
        "SELECT id, uid, time, event, batch_id, item_seq, operator, profile, org_id, action, change,
                target, target_name, target_email, result, reason, http_status, error, dry_run
         FROM exec_audit WHERE (?1 IS NULL OR exported = 0) ORDER BY id",
    )?;
    let rows = stmt.query_map(params![unexported.map(|_| 1)], |r| {
        let seq: i64 = r.get(0)?;
        Ok((
            seq,
            AuditRecord {
                // `migrate` gave every entry a uid; the number is only a fallback.
                id: r
                    .get::<_, Option<String>>(1)?
                    .unwrap_or_else(|| seq.to_string()),
                time: r.get(2)?,
                event: r.get(3)?,
                batch: r.get(4)?,
                item: r.get(5)?,
                operator: r.get(6)?,
                profile: r.get(7)?,
                org_id: r.get(8)?,
                action: r.get(9)?,
                change: r
                    .get::<_, Option<String>>(10)?
                    .and_then(|c| serde_json::from_str(&c).ok()),
                target: r.get(11)?,
                target_name: r.get(12)?,
                target_email: r.get(13)?,
                result: r.get(14)?,
                reason: r.get(15)?,
                http_status: r
                    .get::<_, Option<i64>>(16)?
                    .and_then(|s| u16::try_from(s).ok()),
                error: r.get(17)?,
                dry_run: r.get::<_, i64>(18)? != 0,
            },
        ))
    })?;
    rows.collect()
}

/// Entries in order; only those not yet exported when `unexported` is `Some(true)`.
pub(crate) fn load(
    conn: &Connection,
    unexported: Option<bool>,
) -> rusqlite::Result<Vec<AuditRecord>> {
    Ok(load_rows(conn, unexported)?
        .into_iter()
        .map(|(_, r)| r)
        .collect())
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ExportError {
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Appends the entries not yet exported to `path`, syncs the file, then marks them exported.
/// A crash between the two writes the same lines again next time (same `id`): at least once,
/// never lost.
pub(crate) fn export_pending(conn: &Connection, path: &Path) -> Result<usize, ExportError> {
    let pending = load_rows(conn, Some(true))?;
    let Some(last) = pending.last().map(|(seq, _)| *seq) else {
        return Ok(0);
    };
    let mut text = String::new();
    for (_, record) in &pending {
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

/// The highest batch number `audit.jsonl` mentions: a journal made again after its database
/// was lost numbers its batches after it, so `seats undo 12` never means two batches.
/// Read line by line; a line that is not an entry is passed over.
pub(crate) fn highest_batch(path: &Path) -> std::io::Result<Option<BatchId>> {
    use std::io::BufRead;
    #[derive(serde::Deserialize)]
    struct Line {
        batch: BatchId,
    }
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut highest = None;
    for line in std::io::BufReader::new(file).lines() {
        let line = line?;
        if let Ok(entry) = serde_json::from_str::<Line>(&line) {
            highest = highest.max(Some(entry.batch));
        }
    }
    Ok(highest)
}
