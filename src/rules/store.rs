//! The rules' tables in `seats.db`: one lifecycle row per (rule, user, cycle), the notices sent
//! per channel, and seats used per product over time. Opened through the one database opener;
//! every transition is written with its audit entry in one transaction. Seats over time are
//! in `savings`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::exec::BatchId;
use crate::exec::audit::{self, RuleEntry};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS rules_users (
    rule        TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    cycle       INTEGER NOT NULL,
    state       TEXT NOT NULL,
    name        TEXT,
    email       TEXT,
    last_active TEXT,
    since       TEXT NOT NULL,
    warned_at   TEXT,
    channel     TEXT,
    reference   TEXT,
    deadline    TEXT,
    batch_id    INTEGER,
    evidence    TEXT,
    closed_at   TEXT,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (rule, account_id, cycle)
);
CREATE TABLE IF NOT EXISTS rules_notices (
    rule        TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    cycle       INTEGER NOT NULL,
    channel     TEXT NOT NULL,
    sent_at     TEXT,
    reference   TEXT,
    error       TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (rule, account_id, cycle, channel)
);
";

/// Where a user is in a rule's cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    /// Matches the rule; no notice delivered yet.
    Candidate,
    /// Notified; the deadline runs.
    Warned,
    /// Warned and the deadline has passed: reclaimed by the next run.
    Due,
    Reclaimed,
    /// Used the product again before the deadline.
    Kept,
    /// Asked to keep the seat (a comment on the review issue).
    Claimed,
    /// Protected now, or no longer matched by the rule's query.
    Excluded,
    /// Left the org (or the account was deactivated).
    Gone,
}

impl State {
    pub const ALL: [State; 8] = [
        State::Candidate,
        State::Warned,
        State::Due,
        State::Reclaimed,
        State::Kept,
        State::Claimed,
        State::Excluded,
        State::Gone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Candidate => "candidate",
            State::Warned => "warned",
            State::Due => "due",
            State::Reclaimed => "reclaimed",
            State::Kept => "kept",
            State::Claimed => "claimed",
            State::Excluded => "excluded",
            State::Gone => "gone",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Still in the cycle (not an exit, not reclaimed).
    pub fn is_open(self) -> bool {
        matches!(self, State::Candidate | State::Warned | State::Due)
    }
}

/// One user's cycle of one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub rule: String,
    pub account_id: String,
    pub cycle: i64,
    pub state: State,
    pub name: Option<String>,
    pub email: Option<String>,
    /// Last use of the rule's product when the cycle began (`None`: never).
    pub last_active: Option<DateTime<Utc>>,
    pub since: DateTime<Utc>,
    /// The first delivered notice: its time, channel and the channel's reference.
    pub warned_at: Option<DateTime<Utc>>,
    pub channel: Option<String>,
    pub reference: Option<String>,
    pub deadline: Option<DateTime<Utc>>,
    /// The reclaim's batch (set when the batch is submitted).
    pub batch_id: Option<BatchId>,
    /// Why the cycle ended: the date seen active, the comment id, the protection.
    pub evidence: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A channel's delivery to one user in one cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub channel: String,
    pub sent_at: Option<DateTime<Utc>>,
    pub reference: Option<String>,
    pub error: Option<String>,
    pub attempts: i64,
}

/// Who is acting, for the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub operator: String,
    pub profile: Option<String>,
    pub org_id: String,
    pub dry_run: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RulesStoreError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("the rules' tables in the local database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error(transparent)]
    Journal(#[from] crate::exec::JournalError),
}

pub struct RulesStore {
    conn: Connection,
    audit_path: Option<PathBuf>,
}

/// Full precision: an exit is compared with the snapshot time of the same run.
fn text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

fn time(s: Option<String>) -> Option<DateTime<Utc>> {
    s.and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|t| t.with_timezone(&Utc))
}

impl RulesStore {
    /// Opens `seats.db` at `path` through the store's one opener and makes the tables.
    pub fn open(path: &Path) -> Result<RulesStore, RulesStoreError> {
        let conn = crate::store::open_connection(path)?;
        // The audit table the transitions go to.
        crate::exec::journal::prepare(&conn)?;
        conn.execute_batch(SCHEMA)?;
        Ok(RulesStore {
            conn,
            audit_path: path.parent().map(|d| d.join(audit::FILE_NAME)),
        })
    }

    /// The newest cycle of every user the rule has seen.
    pub fn latest(&self, rule: &str) -> Result<HashMap<String, Row>, RulesStoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT rule, account_id, cycle, state, name, email, last_active, since, warned_at,
                    channel, reference, deadline, batch_id, evidence, closed_at
             FROM rules_users u WHERE rule = ?1
               AND cycle = (SELECT MAX(cycle) FROM rules_users v
                            WHERE v.rule = u.rule AND v.account_id = u.account_id)",
        )?;
        let rows = stmt.query_map(params![rule], |r| {
            Ok(Row {
                rule: r.get(0)?,
                account_id: r.get(1)?,
                cycle: r.get(2)?,
                state: State::parse(&r.get::<_, String>(3)?).unwrap_or(State::Excluded),
                name: r.get(4)?,
                email: r.get(5)?,
                last_active: time(r.get(6)?),
                since: time(r.get(7)?).unwrap_or_default(),
                warned_at: time(r.get(8)?),
                channel: r.get(9)?,
                reference: r.get(10)?,
                deadline: time(r.get(11)?),
                batch_id: r.get(12)?,
                evidence: r.get(13)?,
                closed_at: time(r.get(14)?),
            })
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let row = row?;
            out.insert(row.account_id.clone(), row);
        }
        Ok(out)
    }

    /// The deliveries of every open cycle of the rule, by account id.
    pub fn notices(
        &self,
        rule: &str,
    ) -> Result<HashMap<(String, i64), Vec<Notice>>, RulesStoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT account_id, cycle, channel, sent_at, reference, error, attempts
             FROM rules_notices WHERE rule = ?1",
        )?;
        let rows = stmt.query_map(params![rule], |r| {
            Ok((
                (r.get::<_, String>(0)?, r.get::<_, i64>(1)?),
                Notice {
                    channel: r.get(2)?,
                    sent_at: time(r.get(3)?),
                    reference: r.get(4)?,
                    error: r.get(5)?,
                    attempts: r.get(6)?,
                },
            ))
        })?;
        let mut out: HashMap<(String, i64), Vec<Notice>> = HashMap::new();
        for row in rows {
            let (key, n) = row?;
            out.entry(key).or_default().push(n);
        }
        Ok(out)
    }

    /// Writes the row and its audit entry (`event`) together.
    pub fn transition(
        &mut self,
        row: &Row,
        event: &str,
        action: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), RulesStoreError> {
        let tx = self.conn.transaction()?;
        write_row(&tx, row, now)?;
        let change = serde_json::json!({ "rule": row.rule, "cycle": row.cycle, "channel": row.channel, "deadline": row.deadline.map(text) });
        audit::insert_rule(
            &tx,
            &RuleEntry {
                time: &text(now),
                event,
                batch: row.batch_id.unwrap_or(0),
                operator: &actor.operator,
                profile: actor.profile.as_deref(),
                org_id: &actor.org_id,
                action,
                change: &change,
                target: &row.account_id,
                target_name: row.name.as_deref(),
                target_email: row.email.as_deref(),
                result: row.state.as_str(),
                reason: row.evidence.as_deref().or(row.reference.as_deref()),
                dry_run: actor.dry_run,
            },
        )?;
        tx.commit()?;
        self.export_audit();
        Ok(())
    }

    /// Records one channel's attempt for a user's cycle: delivered (with the channel's
    /// reference) or failed (with the error, retried next run). A failure is audited.
    pub fn record_notice(
        &mut self,
        row: &Row,
        channel: &str,
        result: Result<&str, &str>,
        action: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), RulesStoreError> {
        let tx = self.conn.transaction()?;
        let (sent_at, reference, error) = match result {
            Ok(r) => (Some(text(now)), Some(r), None),
            Err(e) => (None, None, Some(e)),
        };
        tx.execute(
            "INSERT INTO rules_notices (rule, account_id, cycle, channel, sent_at, reference, error, attempts)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)
             ON CONFLICT (rule, account_id, cycle, channel) DO UPDATE SET
               sent_at = COALESCE(rules_notices.sent_at, excluded.sent_at),
               reference = COALESCE(rules_notices.reference, excluded.reference),
               error = excluded.error,
               attempts = rules_notices.attempts + 1",
            params![row.rule, row.account_id, row.cycle, channel, sent_at, reference, error],
        )?;
        if let Err(e) = result {
            let change =
                serde_json::json!({ "rule": row.rule, "cycle": row.cycle, "channel": channel });
            audit::insert_rule(
                &tx,
                &RuleEntry {
                    time: &text(now),
                    event: "rule_notice_failed",
                    batch: 0,
                    operator: &actor.operator,
                    profile: actor.profile.as_deref(),
                    org_id: &actor.org_id,
                    action,
                    change: &change,
                    target: &row.account_id,
                    target_name: row.name.as_deref(),
                    target_email: row.email.as_deref(),
                    result: row.state.as_str(),
                    reason: Some(e),
                    dry_run: actor.dry_run,
                },
            )?;
        }
        tx.commit()?;
        self.export_audit();
        Ok(())
    }

    /// Whether a batch still has items to run (a run killed in the middle).
    pub fn batch_open(&self, batch: BatchId) -> Result<bool, RulesStoreError> {
        let n: Option<i64> = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM exec_items WHERE batch_id = ?1 AND state IN ('pending', 'sent', 'unknown')",
                params![batch],
                |r| r.get(0),
            )
            .optional()?;
        Ok(n.unwrap_or(0) > 0)
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn export_audit(&self) {
        if let Some(path) = &self.audit_path
            && let Err(e) = audit::export_pending(&self.conn, path)
        {
            tracing::warn!("audit.jsonl not written (kept in the database): {e}");
        }
    }
}

fn write_row(conn: &Connection, row: &Row, now: DateTime<Utc>) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT OR REPLACE INTO rules_users (rule, account_id, cycle, state, name, email, last_active,
             since, warned_at, channel, reference, deadline, batch_id, evidence, closed_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            row.rule,
            row.account_id,
            row.cycle,
            row.state.as_str(),
            row.name,
            row.email,
            row.last_active.map(text),
            text(row.since),
            row.warned_at.map(text),
            row.channel,
            row.reference,
            row.deadline.map(text),
            row.batch_id,
            row.evidence,
            row.closed_at.map(text),
            text(now),
        ],
    )
}
