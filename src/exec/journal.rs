//! The journal: batches and their items in the local SQLite database, each item's state
//! committed durably before its request goes out and after its answer comes back.
//!
//! Tables (created with `CREATE TABLE IF NOT EXISTS`, all prefixed `exec_`):
//! - `exec_batches`: one row per batch (who, which org and profile, where it came from, dry run,
//!   status `running` | `finished` | `cancelled`).
//! - `exec_batches` also keeps the identity of the plan a batch came from (`plan_id`), so the
//!   same plan file is not run twice by accident.
//! - `exec_items`: one row per step; `state` moves `pending` → `sent` → `done` | `failed` |
//!   `skipped` (or `dry-run` in a dry run), or `unknown` when the answer was lost and the
//!   re-read that should have settled it failed too: a later read (`seats apply --resume`)
//!   settles it, and until then undo counts it as a change seats may have made.
//! - `exec_leases`: who runs a batch now (pid, owner token, heartbeat), so two seats processes on
//!   one database never run the same batch at once.
//! - `exec_audit`: the audit log (see [`crate::exec::audit`]), also appended to `audit.jsonl`.
//!
//! The connection runs in WAL mode with `synchronous = FULL`: a commit is on disk before the
//! call returns, so a `kill -9` or a power cut right after `mark_sent` still finds the item sent.
//!
//! Long: every table's SQL in one file, since the schema is the contract resume, history and
//! undo read; its last 140 lines are the unit tests of crash and resume cases.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::audit::{self, AuditRecord};
pub use super::ids::BatchId;
use crate::plan::{Change, Guard, PlanFile, Step};

/// How long a lease lives without a heartbeat before another process may take it over (when
/// the holder's pid cannot be checked, or is alive but silent).
pub const LEASE_TIMEOUT_SECS: i64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("the journal database could not be used: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("the journal could not be created at {path}: {detail}")]
    Create { path: PathBuf, detail: String },
    #[error("no batch {0} in the journal (see `seats history`)")]
    NoBatch(BatchId),
    #[error(
        "batch {batch} is being run by another seats process (pid {pid}, last heard from {age_secs}s ago); wait for it to finish, or, if that process was stopped, try again in {wait}s",
        wait = (LEASE_TIMEOUT_SECS - *.age_secs).max(1)
    )]
    Busy {
        batch: BatchId,
        pid: u32,
        age_secs: i64,
    },
    #[error(
        "this plan is being applied as batch {batch}: wait for it to finish, or if it was interrupted finish it with seats apply --resume --batch {batch}"
    )]
    PlanRunning { batch: BatchId },
    #[error(
        "this plan was already applied as batch {batch} (seats history --batch {batch}): to run it again on purpose, add --again"
    )]
    PlanApplied { batch: BatchId },
    #[error("the journal holds a step it cannot read (batch {batch}, item {seq}): {detail}")]
    Corrupt {
        batch: BatchId,
        seq: i64,
        detail: String,
    },
}

/// Where an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemState {
    /// Not sent yet.
    Pending,
    /// The request may have gone out; no answer recorded. Re-read before any retry.
    Sent,
    Done,
    Failed,
    /// Not sent, with the reason (the plan no longer held, cancelled).
    Skipped,
    /// A dry run: would have been sent.
    DryRun,
    /// Sent, the answer lost, and the re-read that should have told failed too: the change
    /// may or may not be there. A later read settles it; undo includes it meanwhile.
    Unknown,
}

impl ItemState {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Pending => "pending",
            ItemState::Sent => "sent",
            ItemState::Done => "done",
            ItemState::Failed => "failed",
            ItemState::Skipped => "skipped",
            ItemState::DryRun => "dry-run",
            ItemState::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<ItemState> {
        Some(match s {
            "pending" => ItemState::Pending,
            "sent" => ItemState::Sent,
            "done" => ItemState::Done,
            "failed" => ItemState::Failed,
            "skipped" => ItemState::Skipped,
            "dry-run" => ItemState::DryRun,
            "unknown" => ItemState::Unknown,
            _ => return None,
        })
    }

    /// Pending, sent or unknown: the batch still owes this item (a read at least).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ItemState::Pending | ItemState::Sent | ItemState::Unknown
        )
    }

    /// Seats may have made this change: done, or sent with its outcome unknown. What undo
    /// gives back.
    pub fn may_have_changed(self) -> bool {
        matches!(self, ItemState::Done | ItemState::Unknown)
    }
}

/// A batch's status as stored. "Interrupted" is not stored: it is a `running` batch nobody runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BatchStatus {
    Running,
    Finished,
    Cancelled,
}

impl BatchStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BatchStatus::Running => "running",
            BatchStatus::Finished => "finished",
            BatchStatus::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> BatchStatus {
        match s {
            "finished" => BatchStatus::Finished,
            "cancelled" => BatchStatus::Cancelled,
            _ => BatchStatus::Running,
        }
    }
}

/// Items per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub pending: u64,
    pub sent: u64,
    pub done: u64,
    pub failed: u64,
    pub skipped: u64,
    pub dry_run: u64,
    /// Outcome not known yet (see [`ItemState::Unknown`]).
    pub unknown: u64,
}

impl Counts {
    pub fn total(&self) -> u64 {
        self.pending
            + self.sent
            + self.done
            + self.failed
            + self.skipped
            + self.dry_run
            + self.unknown
    }

    pub fn open(&self) -> u64 {
        self.pending + self.sent + self.unknown
    }

    pub fn add(&mut self, state: ItemState) {
        match state {
            ItemState::Pending => self.pending += 1,
            ItemState::Sent => self.sent += 1,
            ItemState::Done => self.done += 1,
            ItemState::Failed => self.failed += 1,
            ItemState::Skipped => self.skipped += 1,
            ItemState::DryRun => self.dry_run += 1,
            ItemState::Unknown => self.unknown += 1,
        }
    }

    pub fn remove(&mut self, state: ItemState) {
        let slot = match state {
            ItemState::Pending => &mut self.pending,
            ItemState::Sent => &mut self.sent,
            ItemState::Done => &mut self.done,
            ItemState::Failed => &mut self.failed,
            ItemState::Skipped => &mut self.skipped,
            ItemState::DryRun => &mut self.dry_run,
            ItemState::Unknown => &mut self.unknown,
        };
        *slot = slot.saturating_sub(1);
    }
}

/// What a new batch records about itself.
#[derive(Debug, Clone, Default)]
pub struct NewBatch {
    /// Who ran it: the profile's email, else the OS user.
    pub operator: String,
    pub profile: Option<String>,
    pub org_id: String,
    pub query: Option<String>,
    /// Where the steps came from: a plan file's path, "undo of batch 3", "retry of batch 4".
    pub source: String,
    pub dry_run: bool,
    /// The identity of the plan the steps came from ([`PlanFile::identity`]): a plan applied
    /// or running is not admitted again without `again`.
    pub plan_id: Option<String>,
    /// Run a plan that was applied before, on purpose (`seats apply --again`).
    pub again: bool,
}

impl NewBatch {
    pub fn from_plan(plan: &PlanFile, operator: String, source: String, dry_run: bool) -> Self {
        NewBatch {
            plan_id: Some(plan.identity()),
            again: false,
            operator,
            profile: plan.profile.clone(),
            org_id: plan.org_id.clone(),
            query: plan.query.clone(),
            source,
            dry_run,
        }
    }
}

/// A batch as the journal holds it.
#[derive(Debug, Clone, Serialize)]
pub struct BatchInfo {
    pub id: BatchId,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub operator: String,
    pub profile: Option<String>,
    pub org_id: String,
    pub query: Option<String>,
    pub source: String,
    pub dry_run: bool,
    pub status: BatchStatus,
    pub counts: Counts,
}

impl BatchInfo {
    /// Started but neither finished nor cancelled, with items still owed.
    pub fn is_unfinished(&self) -> bool {
        self.status == BatchStatus::Running && self.counts.open() > 0
    }
}

/// One item: a step and where it is.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub batch_id: BatchId,
    pub seq: i64,
    pub step: Step,
    pub state: ItemState,
    pub reason: Option<String>,
    pub http_status: Option<u16>,
    pub error: Option<String>,
    /// Requests sent for it (0 when never sent).
    pub attempts: u32,
    pub updated_at: DateTime<Utc>,
    /// What the re-read saw just before the change (status, groups), for undo's notes.
    pub observed: Option<serde_json::Value>,
}

/// How an item ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub state: ItemState,
    pub reason: Option<String>,
    pub http_status: Option<u16>,
    pub error: Option<String>,
}

impl Outcome {
    pub fn new(state: ItemState) -> Outcome {
        Outcome {
            state,
            reason: None,
            http_status: None,
            error: None,
        }
    }
    pub fn reason(mut self, r: impl Into<String>) -> Outcome {
        self.reason = Some(r.into());
        self
    }
    pub fn status(mut self, s: Option<u16>) -> Outcome {
        self.http_status = s;
        self
    }
    pub fn error(mut self, e: impl Into<String>) -> Outcome {
        self.error = Some(e.into());
        self
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS exec_batches (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at  TEXT NOT NULL,
    finished_at TEXT,
    operator    TEXT NOT NULL,
    profile     TEXT,
    org_id      TEXT NOT NULL,
    query       TEXT,
    source      TEXT NOT NULL,
    dry_run     INTEGER NOT NULL,
    status      TEXT NOT NULL,
    plan_id     TEXT
);
CREATE TABLE IF NOT EXISTS exec_items (
    batch_id    INTEGER NOT NULL REFERENCES exec_batches(id),
    seq         INTEGER NOT NULL,
    account_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    email       TEXT,
    change      TEXT NOT NULL,
    guard       TEXT,
    state       TEXT NOT NULL,
    reason      TEXT,
    http_status INTEGER,
    error       TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL,
    observed    TEXT,
    PRIMARY KEY (batch_id, seq)
);
CREATE INDEX IF NOT EXISTS exec_items_state ON exec_items(batch_id, state);
CREATE TABLE IF NOT EXISTS exec_leases (
    batch_id     INTEGER PRIMARY KEY,
    pid          INTEGER NOT NULL,
    owner        TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
);
";

fn now_text() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn parse_time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// The kebab-case tag of a change (`suspend`, `remove-from-group`), the audit's `action`.
pub fn action_of(change: &Change) -> String {
    serde_json::to_value(change)
        .ok()
        .and_then(|v| v.get("change").and_then(|c| c.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

/// Creates the journal's tables on a connection and sets it up for durable commits.
pub fn prepare(conn: &Connection) -> Result<(), JournalError> {
    // WAL keeps readers (the console's History view) off the writer's back; FULL syncs the WAL
    // on every commit, which is what "committed before the request goes out" needs.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(SCHEMA)?;
    conn.execute_batch(audit::SCHEMA)?;
    migrate(conn)?;
    Ok(())
}

/// Brings tables made by an older seats up to date. Only adds: an older seats reading the
/// same file ignores the new columns and rows it does not know.
fn migrate(conn: &Connection) -> Result<(), JournalError> {
    audit::add_column(conn, "exec_batches", "plan_id", "TEXT")?;
    conn.execute_batch("CREATE INDEX IF NOT EXISTS exec_batches_plan ON exec_batches(plan_id)")?;
    audit::migrate(conn)?;
    Ok(())
}

/// Every batch that was started and not finished or cancelled and still owes items: what the
/// console offers to finish on start and `seats apply --resume` finishes.
pub fn unfinished_batches(conn: &Connection) -> Result<Vec<BatchInfo>, JournalError> {
    // Read only: a database no batch ever ran on has no journal tables yet.
    let has_journal: i64 = conn.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'exec_items'",
        [],
        |r| r.get(0),
    )?;
    if has_journal == 0 {
        return Ok(Vec::new());
    }
    Ok(load_batches(conn, Some("running"))?
        .into_iter()
        .filter(BatchInfo::is_unfinished)
        .collect())
}

fn load_batches(conn: &Connection, status: Option<&str>) -> Result<Vec<BatchInfo>, JournalError> {
    let mut stmt = conn.prepare(
        "SELECT id, created_at, finished_at, operator, profile, org_id, query, source, dry_run, status
         FROM exec_batches WHERE (?1 IS NULL OR status = ?1) ORDER BY id",
    )?;
    let rows = stmt.query_map(params![status], |r| {
        Ok(BatchInfo {
            id: r.get(0)?,
            created_at: parse_time(&r.get::<_, String>(1)?),
            finished_at: r.get::<_, Option<String>>(2)?.map(|s| parse_time(&s)),
            operator: r.get(3)?,
            profile: r.get(4)?,
            org_id: r.get(5)?,
            query: r.get(6)?,
            source: r.get(7)?,
            dry_run: r.get::<_, i64>(8)? != 0,
            status: BatchStatus::parse(&r.get::<_, String>(9)?),
            counts: Counts::default(),
        })
    })?;
    let mut out = rows.collect::<Result<Vec<_>, _>>()?;
    let mut counts =
        conn.prepare("SELECT state, COUNT(*) FROM exec_items WHERE batch_id = ?1 GROUP BY state")?;
    for b in &mut out {
        let rows = counts.query_map(params![b.id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        for row in rows {
            let (state, n) = row?;
            if let Some(s) = ItemState::parse(&state) {
                for _ in 0..n.max(0) {
                    b.counts.add(s);
                }
            }
        }
    }
    Ok(out)
}

/// Is a process with this pid alive? Only Linux can tell without unsafe code (`/proc`);
/// elsewhere the heartbeat's age decides.
fn pid_alive(pid: u32) -> Option<bool> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    // A process killed but not yet reaped by its parent is still listed, as a zombie (`Z`)
    // or dead (`X`): it runs nothing. The state is the field after the command's ")".
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => Some(
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_none_or(|state| !matches!(state, "Z" | "X")),
        ),
        Err(_) => Some(Path::new(&format!("/proc/{pid}")).exists()),
    }
}

/// The journal on one connection, plus where the audit log's JSON lines go.
pub struct Journal {
    conn: Connection,
    audit_path: Option<PathBuf>,
}

impl Journal {
    /// Opens (or creates) the database at `path`; `audit.jsonl` goes beside it.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        // The one opener: the same checks as the console (a newer or damaged file, garbage).
        let conn = crate::store::open_connection(path)?;
        let audit_path = path.parent().map(|d| d.join(audit::FILE_NAME));
        Journal::with_connection(conn, audit_path)
    }

    /// The journal on a connection someone else opened (the store's); `audit_path` is where
    /// the JSON lines go (`None`: the database only).
    pub fn with_connection(
        conn: Connection,
        audit_path: Option<PathBuf>,
    ) -> Result<Journal, JournalError> {
        prepare(&conn)?;
        let journal = Journal { conn, audit_path };
        // Lines a crash kept from reaching the file go out now.
        journal.export_audit();
        Ok(journal)
    }

    /// The default journal: `seats.db` in the data dir.
    pub fn open_default() -> Result<Journal, JournalError> {
        let dir = crate::paths::data_dir().ok_or_else(|| JournalError::Create {
            path: PathBuf::from("."),
            detail: "no data directory: set HOME, or SEATS_DATA_DIR".into(),
        })?;
        Journal::open(&dir.join(crate::store::FILE_NAME))
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    pub fn audit_path(&self) -> Option<&Path> {
        self.audit_path.as_deref()
    }

    /// Records a batch and its steps, all pending, in one transaction. Only admission
    /// ([`crate::exec::submit`]) calls it, after its checks: nothing else makes a batch.
    ///
    /// In the same transaction (which holds the database's write lock, so two processes take
    /// turns): a plan running now, or applied before (unless `meta.again`), is refused with
    /// its batch number; a dry run neither counts nor is refused. The first batch of a new
    /// database is numbered after the highest batch `audit.jsonl` names.
    pub(super) fn create_batch(
        &mut self,
        meta: &NewBatch,
        steps: &[Step],
    ) -> Result<BatchId, JournalError> {
        let now = now_text();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let (Some(plan_id), false) = (&meta.plan_id, meta.dry_run) {
            let earlier: Option<(BatchId, String)> = tx
                .query_row(
                    "SELECT id, status FROM exec_batches WHERE plan_id = ?1 AND dry_run = 0
                     ORDER BY (status = 'running') DESC, id DESC LIMIT 1",
                    params![plan_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match earlier {
                Some((batch, status)) if status == "running" => {
                    return Err(JournalError::PlanRunning { batch });
                }
                Some((batch, _)) if !meta.again => return Err(JournalError::PlanApplied { batch }),
                _ => {}
            }
        }
        number_after_audit(&tx, self.audit_path.as_deref())?;
        tx.execute(
            "INSERT INTO exec_batches (created_at, operator, profile, org_id, query, source, dry_run, status, plan_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'running', ?8)",
            params![now, meta.operator, meta.profile, meta.org_id, meta.query, meta.source, meta.dry_run as i64, meta.plan_id],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut insert = tx.prepare(
                "INSERT INTO exec_items (batch_id, seq, account_id, name, email, change, guard, state, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8)",
            )?;
            for (seq, step) in steps.iter().enumerate() {
                let change = serde_json::to_string(&step.change).unwrap_or_default();
                let guard = step
                    .guard
                    .as_ref()
                    .and_then(|g| serde_json::to_string(g).ok());
                insert.execute(params![
                    id,
                    seq as i64,
                    step.account_id,
                    step.name,
                    step.email,
                    change,
                    guard,
                    now
                ])?;
            }
        }
        insert_batch_audit(&tx, id, "batch_created", &format!("{} steps", steps.len()))?;
        tx.commit()?;
        self.export_audit();
        Ok(id)
    }

    /// The newest batch (not a dry run) that ran the plan with this identity, for the
    /// confirmation that says so before asking.
    pub fn applied_as(&self, plan_id: &str) -> Result<Option<BatchId>, JournalError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM exec_batches WHERE plan_id = ?1 AND dry_run = 0 ORDER BY id DESC LIMIT 1",
                params![plan_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn batch(&self, id: BatchId) -> Result<BatchInfo, JournalError> {
        load_batches(&self.conn, None)?
            .into_iter()
            .find(|b| b.id == id)
            .ok_or(JournalError::NoBatch(id))
    }

    /// Every batch, oldest first.
    pub fn batches(&self) -> Result<Vec<BatchInfo>, JournalError> {
        load_batches(&self.conn, None)
    }

    pub fn unfinished(&self) -> Result<Vec<BatchInfo>, JournalError> {
        unfinished_batches(&self.conn)
    }

    /// The items of a batch in plan order.
    pub fn items(&self, batch: BatchId) -> Result<Vec<Item>, JournalError> {
        self.load_items(batch, false)
    }

    /// The items still owed (pending or sent), in plan order.
    pub fn open_items(&self, batch: BatchId) -> Result<Vec<Item>, JournalError> {
        self.load_items(batch, true)
    }

    fn load_items(&self, batch: BatchId, only_open: bool) -> Result<Vec<Item>, JournalError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, account_id, name, email, change, guard, state, reason, http_status, error,
                    attempts, updated_at, observed
             FROM exec_items WHERE batch_id = ?1 AND (?2 = 0 OR state IN ('pending', 'sent', 'unknown'))
             ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![batch, only_open as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<i64>>(8)?,
                r.get::<_, Option<String>>(9)?,
                r.get::<_, i64>(10)?,
                r.get::<_, String>(11)?,
                r.get::<_, Option<String>>(12)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (
                seq,
                account_id,
                name,
                email,
                change,
                guard,
                state,
                reason,
                status,
                error,
                attempts,
                updated,
                observed,
            ) = row?;
            let corrupt = |detail: String| JournalError::Corrupt { batch, seq, detail };
            let change: Change =
                serde_json::from_str(&change).map_err(|e| corrupt(e.to_string()))?;
            let guard: Option<Guard> = match guard {
                Some(g) => Some(serde_json::from_str(&g).map_err(|e| corrupt(e.to_string()))?),
                None => None,
            };
            let state =
                ItemState::parse(&state).ok_or_else(|| corrupt(format!("state {state:?}")))?;
            out.push(Item {
                batch_id: batch,
                seq,
                step: Step {
                    account_id,
                    name,
                    email,
                    change,
                    guard,
                },
                state,
                reason,
                http_status: status.and_then(|s| u16::try_from(s).ok()),
                error,
                attempts: u32::try_from(attempts).unwrap_or(0),
                updated_at: parse_time(&updated),
                observed: observed.and_then(|o| serde_json::from_str(&o).ok()),
            });
        }
        Ok(out)
    }

    /// Marks an item sent (one more attempt) and commits it to disk: called just before the
    /// request goes out.
    pub fn mark_sent(
        &mut self,
        batch: BatchId,
        seq: i64,
        observed: Option<&serde_json::Value>,
    ) -> Result<(), JournalError> {
        let observed = observed.map(|o| o.to_string());
        self.conn.execute(
            "UPDATE exec_items SET state = 'sent', attempts = attempts + 1, updated_at = ?3,
                    observed = COALESCE(?4, observed)
             WHERE batch_id = ?1 AND seq = ?2",
            params![batch, seq, now_text(), observed],
        )?;
        Ok(())
    }

    /// Records how an item ended, and its audit entry, in one transaction; then appends the
    /// entry to `audit.jsonl`.
    pub fn finish_item(
        &mut self,
        batch: BatchId,
        seq: i64,
        outcome: &Outcome,
    ) -> Result<(), JournalError> {
        let now = now_text();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE exec_items SET state = ?3, reason = ?4, http_status = ?5, error = ?6, updated_at = ?7
             WHERE batch_id = ?1 AND seq = ?2",
            params![
                batch,
                seq,
                outcome.state.as_str(),
                outcome.reason,
                outcome.http_status,
                outcome.error,
                now
            ],
        )?;
        audit::insert_item(
            &tx,
            &audit::ItemEntry {
                time: &now,
                batch,
                seq,
                result: outcome.state.as_str(),
                reason: outcome.reason.as_deref(),
                http_status: outcome.http_status,
                error: outcome.error.as_deref(),
            },
        )?;
        tx.commit()?;
        self.export_audit();
        Ok(())
    }

    /// Ends a batch (finished or cancelled), with its audit entry.
    pub fn close_batch(&mut self, batch: BatchId, status: BatchStatus) -> Result<(), JournalError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE exec_batches SET status = ?2, finished_at = ?3 WHERE id = ?1",
            params![batch, status.as_str(), now_text()],
        )?;
        let event = match status {
            BatchStatus::Finished => "batch_finished",
            BatchStatus::Cancelled => "batch_cancelled",
            BatchStatus::Running => "batch_running",
        };
        let counts = counts_in(&tx, batch)?;
        let summary = format!(
            "{} done, {} failed, {} skipped, {} dry-run, {} not sent{}",
            counts.done,
            counts.failed,
            counts.skipped,
            counts.dry_run,
            counts.pending + counts.sent,
            if counts.unknown > 0 {
                format!(", {} unknown", counts.unknown)
            } else {
                String::new()
            }
        );
        insert_batch_audit(&tx, batch, event, &summary)?;
        tx.commit()?;
        self.export_audit();
        Ok(())
    }

    /// An audit entry for the batch as a whole (a run starting, a resume, an abort).
    pub fn note_batch(
        &mut self,
        batch: BatchId,
        event: &str,
        detail: &str,
    ) -> Result<(), JournalError> {
        insert_batch_audit(&self.conn, batch, event, detail)?;
        self.export_audit();
        Ok(())
    }

    /// Takes the lease on a batch for `owner` (this process): refused while another live owner
    /// holds it; a lease whose process is gone, or silent for [`LEASE_TIMEOUT_SECS`], is taken over.
    pub fn acquire_lease(&mut self, batch: BatchId, owner: &str) -> Result<(), JournalError> {
        let me = std::process::id();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let held: Option<(i64, String, String)> = tx
            .query_row(
                "SELECT pid, owner, heartbeat_at FROM exec_leases WHERE batch_id = ?1",
                params![batch],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((pid, holder, beat)) = held
            && holder != owner
        {
            let pid = u32::try_from(pid).unwrap_or(0);
            let age = (Utc::now() - parse_time(&beat)).num_seconds();
            let alive = if pid == me {
                true
            } else {
                pid_alive(pid).unwrap_or(true)
            };
            if alive && age < LEASE_TIMEOUT_SECS {
                return Err(JournalError::Busy {
                    batch,
                    pid,
                    age_secs: age.max(0),
                });
            }
            tracing::info!(batch, pid, age, "taking over a stale lease");
        }
        tx.execute(
            "INSERT INTO exec_leases (batch_id, pid, owner, heartbeat_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(batch_id) DO UPDATE SET pid = ?2, owner = ?3, heartbeat_at = ?4",
            params![batch, me as i64, owner, now_text()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Keeps the lease fresh; false when someone else took it over.
    pub fn heartbeat(&mut self, batch: BatchId, owner: &str) -> Result<bool, JournalError> {
        let n = self.conn.execute(
            "UPDATE exec_leases SET heartbeat_at = ?3 WHERE batch_id = ?1 AND owner = ?2",
            params![batch, owner, now_text()],
        )?;
        Ok(n == 1)
    }

    pub fn release_lease(&mut self, batch: BatchId, owner: &str) -> Result<(), JournalError> {
        self.conn.execute(
            "DELETE FROM exec_leases WHERE batch_id = ?1 AND owner = ?2",
            params![batch, owner],
        )?;
        Ok(())
    }

    /// Every audit entry, oldest first.
    pub fn audit(&self) -> Result<Vec<AuditRecord>, JournalError> {
        Ok(audit::load(&self.conn, None)?)
    }

    /// Appends audit entries not yet in `audit.jsonl`; a failure leaves them for next time
    /// (the database keeps them either way).
    fn export_audit(&self) {
        let Some(path) = &self.audit_path else {
            return;
        };
        match audit::export_pending(&self.conn, path) {
            Ok(_) => {}
            Err(e) => tracing::warn!("audit.jsonl not written (kept in the database): {e}"),
        }
    }
}

/// When this database has never numbered a batch, starts after the highest batch in
/// `audit.jsonl`: the database was lost or replaced, the log was not.
fn number_after_audit(conn: &Connection, audit_path: Option<&Path>) -> Result<(), JournalError> {
    let numbered: Option<i64> = conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'exec_batches'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if numbered.is_some() {
        return Ok(());
    }
    let Some(path) = audit_path else {
        return Ok(());
    };
    let highest = audit::highest_batch(path).map_err(|e| JournalError::Create {
        path: path.to_owned(),
        detail: format!("could not read the audit log to number the batch: {e}"),
    })?;
    if let Some(n) = highest.filter(|n| *n > 0) {
        conn.execute(
            "INSERT INTO sqlite_sequence (name, seq) VALUES ('exec_batches', ?1)",
            params![n],
        )?;
    }
    Ok(())
}

fn counts_in(conn: &Connection, batch: BatchId) -> Result<Counts, JournalError> {
    let mut stmt =
        conn.prepare("SELECT state, COUNT(*) FROM exec_items WHERE batch_id = ?1 GROUP BY state")?;
    let rows = stmt.query_map(params![batch], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })?;
    let mut counts = Counts::default();
    for row in rows {
        let (state, n) = row?;
        if let Some(s) = ItemState::parse(&state) {
            for _ in 0..n.max(0) {
                counts.add(s);
            }
        }
    }
    Ok(counts)
}

fn insert_batch_audit(
    conn: &Connection,
    batch: BatchId,
    event: &str,
    detail: &str,
) -> Result<(), JournalError> {
    let n = audit::insert_batch(conn, &now_text(), batch, event, detail)?;
    if n == 0 {
        return Err(JournalError::NoBatch(batch));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(id: &str) -> Step {
        Step {
            account_id: id.into(),
            name: format!("User {id}"),
            email: Some(format!("{id}@example.com")),
            change: Change::Suspend,
            guard: None,
        }
    }

    fn journal() -> (tempfile::TempDir, Journal) {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(&dir.path().join("seats.db")).unwrap();
        (dir, j)
    }

    fn meta() -> NewBatch {
        NewBatch {
            operator: "admin@example.com".into(),
            org_id: "org-1".into(),
            source: "test".into(),
            ..NewBatch::default()
        }
    }

    #[test]
    fn items_move_through_states_and_survive_reopening() {
        let (dir, mut j) = journal();
        let id = j
            .create_batch(&meta(), &[step("a"), step("b"), step("c")])
            .unwrap();
        j.mark_sent(id, 0, None).unwrap();
        j.finish_item(id, 0, &Outcome::new(ItemState::Done).status(Some(204)))
            .unwrap();
        j.mark_sent(id, 1, None).unwrap();
        drop(j);
        // A new connection (another process after a crash) sees exactly what was committed.
        let j = Journal::open(&dir.path().join("seats.db")).unwrap();
        let items = j.items(id).unwrap();
        let states: Vec<ItemState> = items.iter().map(|i| i.state).collect();
        assert_eq!(
            states,
            [ItemState::Done, ItemState::Sent, ItemState::Pending]
        );
        assert_eq!(items[0].http_status, Some(204));
        assert_eq!(items[1].attempts, 1);
        let open: Vec<i64> = j.open_items(id).unwrap().iter().map(|i| i.seq).collect();
        assert_eq!(open, [1, 2]);
        let unfinished = unfinished_batches(j.connection()).unwrap();
        assert_eq!(unfinished.len(), 1);
        assert_eq!(unfinished[0].counts.open(), 2);
    }

    #[test]
    fn a_finished_batch_is_not_unfinished() {
        let (_dir, mut j) = journal();
        let id = j.create_batch(&meta(), &[step("a")]).unwrap();
        j.finish_item(
            id,
            0,
            &Outcome::new(ItemState::Skipped).reason("already suspended"),
        )
        .unwrap();
        j.close_batch(id, BatchStatus::Finished).unwrap();
        assert!(j.unfinished().unwrap().is_empty());
        assert_eq!(j.batch(id).unwrap().status, BatchStatus::Finished);
    }

    /// `kill -9` of a seats process whose parent has not reaped it yet leaves a zombie under
    /// its pid: it holds nothing, so a resume takes over at once.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_lease_held_by_a_killed_unreaped_process_is_taken_over() {
        let (dir, mut j) = journal();
        let id = j.create_batch(&meta(), &[step("a")]).unwrap();
        j.acquire_lease(id, "killed").unwrap();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let stat = format!("/proc/{}/stat", child.id());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !std::fs::read_to_string(&stat).unwrap().contains(") Z") {
            assert!(
                std::time::Instant::now() < deadline,
                "the child never exited"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(pid_alive(child.id()), Some(false));
        assert_eq!(pid_alive(std::process::id()), Some(true));
        j.connection()
            .execute(
                "UPDATE exec_leases SET pid = ?2 WHERE batch_id = ?1",
                params![id, i64::from(child.id())],
            )
            .unwrap();
        let mut resume = Journal::open(&dir.path().join("seats.db")).unwrap();
        resume.acquire_lease(id, "resume").unwrap();
        child.wait().unwrap();
    }

    #[test]
    fn a_live_lease_refuses_a_second_owner_and_a_dead_one_is_taken_over() {
        let (dir, mut j) = journal();
        let id = j.create_batch(&meta(), &[step("a")]).unwrap();
        j.acquire_lease(id, "first").unwrap();
        let mut other = Journal::open(&dir.path().join("seats.db")).unwrap();
        let err = other.acquire_lease(id, "second").unwrap_err();
        assert!(matches!(err, JournalError::Busy { .. }), "{err}");
        // The same owner may take its own lease again (a resume in the same process).
        j.acquire_lease(id, "first").unwrap();

        // A lease held by a pid that no longer exists is stale.
        other
            .connection()
            .execute(
                "UPDATE exec_leases SET pid = 4000000000 WHERE batch_id = ?1",
                params![id],
            )
            .unwrap();
        if cfg!(target_os = "linux") {
            other.acquire_lease(id, "second").unwrap();
            assert!(!j.heartbeat(id, "first").unwrap(), "first lost its lease");
        }
        // A silent lease is stale whoever holds it.
        let old = (Utc::now() - chrono::Duration::seconds(LEASE_TIMEOUT_SECS + 5)).to_rfc3339();
        other
            .connection()
            .execute(
                "UPDATE exec_leases SET heartbeat_at = ?2, pid = ?3 WHERE batch_id = ?1",
                params![id, old, std::process::id() as i64],
            )
            .unwrap();
        j.acquire_lease(id, "first").unwrap();
    }

    #[test]
    fn audit_lines_reach_the_file_once_each() {
        let (dir, mut j) = journal();
        let id = j.create_batch(&meta(), &[step("a"), step("b")]).unwrap();
        j.finish_item(id, 0, &Outcome::new(ItemState::Done).status(Some(204)))
            .unwrap();
        j.finish_item(
            id,
            1,
            &Outcome::new(ItemState::Failed)
                .status(Some(500))
                .error("boom"),
        )
        .unwrap();
        j.close_batch(id, BatchStatus::Finished).unwrap();
        drop(j);
        let _again = Journal::open(&dir.path().join("seats.db")).unwrap();
        let text = std::fs::read_to_string(dir.path().join(audit::FILE_NAME)).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let events: Vec<&str> = lines.iter().map(|l| l["event"].as_str().unwrap()).collect();
        assert_eq!(events, ["batch_created", "item", "item", "batch_finished"]);
        assert_eq!(lines[1]["result"], "done");
        assert_eq!(lines[1]["action"], "suspend");
        assert_eq!(lines[1]["target"], "a");
        assert_eq!(lines[2]["http_status"], 500);
        assert_eq!(lines[2]["error"], "boom");
        assert_eq!(lines[2]["operator"], "admin@example.com");
        assert_eq!(lines[2]["org_id"], "org-1");
    }
}
