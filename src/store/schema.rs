//! The store's own tables, their version (`PRAGMA user_version`) and the named schema steps of
//! the other modules.
//!
//! `user_version` is the version of the database as a whole. It goes up by one per entry of
//! [`MIGRATIONS`]; a file at a higher version was written by a newer seats and is set aside, since
//! this seats cannot know what that version means. Other modules (the plan queue, the journal,
//! the audit log) create their own tables through [`ensure`](crate::store::Store::ensure), which
//! records each named step in `schema_step` so it runs once per database.

use chrono::Utc;
use rusqlite::{Connection, TransactionBehavior};

/// One step from version `n` to `n + 1`.
pub struct Migration {
    pub sql: &'static str,
    /// The step drops and recreates the snapshot tables: a snapshot is a cache, so a changed
    /// layout is rebuilt rather than converted, and the next refresh fills it again.
    pub rebuilds_snapshots: bool,
}

/// Entry `n` brings a database from version `n` to `n + 1`. Append only: a released entry
/// never changes.
pub const MIGRATIONS: &[Migration] = &[Migration {
    // Version 1. Tables named like these in an unversioned file are left over from a
    // pre-release build: dropped, being a cache.
    sql: "
        DROP TABLE IF EXISTS snapshot_body;
        DROP TABLE IF EXISTS snapshot;
        -- One row per scope: what the console shows before it reads the body.
        CREATE TABLE snapshot (
            scope       TEXT PRIMARY KEY NOT NULL,
            org_id      TEXT NOT NULL,
            fetched_at  TEXT NOT NULL,     -- RFC 3339, UTC
            saved_at    TEXT NOT NULL,     -- RFC 3339, UTC
            user_count  INTEGER NOT NULL,
            group_count INTEGER NOT NULL,
            format      INTEGER NOT NULL   -- layout of the body, see store/body.rs
        );
        -- Apart from `snapshot` so that reading the summary never touches the body's pages.
        CREATE TABLE snapshot_body (
            scope TEXT PRIMARY KEY NOT NULL,
            body  BLOB NOT NULL
        );
        CREATE TABLE IF NOT EXISTS schema_step (
            name       TEXT PRIMARY KEY NOT NULL,
            applied_at TEXT NOT NULL
        );
    ",
    rebuilds_snapshots: true,
}];

/// The version this seats writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// What [`migrate`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Migrated {
    pub from: i64,
    /// Saved snapshots were dropped by a rebuild (the admin is told; the next refresh refills).
    pub dropped_snapshots: u64,
}

/// Brings an older database up to [`SCHEMA_VERSION`] in one transaction, so a crash leaves
/// the old version whole. The caller has already refused a newer one.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<Migrated> {
    // IMMEDIATE: a second seats starting at the same time waits here, then finds nothing to do.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let from = user_version(&tx)?;
    let mut done = Migrated {
        from,
        dropped_snapshots: 0,
    };
    let start = usize::try_from(from.max(0)).unwrap_or(usize::MAX);
    for step in MIGRATIONS.iter().skip(start) {
        if step.rebuilds_snapshots {
            done.dropped_snapshots += count_snapshots(&tx)?;
        }
        tx.execute_batch(step.sql)?;
    }
    if from != SCHEMA_VERSION {
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    }
    tx.commit()?;
    Ok(done)
}

/// Snapshots in a table named `snapshot`, whatever its layout (0 when there is none).
fn count_snapshots(conn: &Connection) -> rusqlite::Result<u64> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'snapshot')",
        [],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(0);
    }
    conn.query_row("SELECT count(*) FROM snapshot", [], |r| r.get(0))
}

/// Runs `sql` once per database under `name`; true when it ran now.
pub fn ensure(conn: &Connection, name: &str, sql: &str) -> rusqlite::Result<bool> {
    // The usual case, a step that ran on an earlier start, takes no write lock.
    if step_done(conn, name)? {
        return Ok(false);
    }
    // IMMEDIATE, then look again: another seats may have run it in between.
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    if step_done(&tx, name)? {
        return Ok(false);
    }
    tx.execute_batch(sql)?;
    tx.execute(
        "INSERT INTO schema_step (name, applied_at) VALUES (?1, ?2)",
        (name, Utc::now().to_rfc3339()),
    )?;
    tx.commit()?;
    Ok(true)
}

fn step_done(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM schema_step WHERE name = ?1)",
        [name],
        |r| r.get(0),
    )
}
