//! Saving and loading the directory snapshot: one summary row and one body per scope.

use chrono::{DateTime, SecondsFormat, Utc};
use std::io::{BufWriter, Write};

use rusqlite::{MAIN_DB, OptionalExtension, TransactionBehavior};

use super::body::{self, FORMAT};
use super::{Store, StoreError};
use crate::domain::Directory;

/// What the console shows about a saved snapshot before (or without) loading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInfo {
    pub org_id: String,
    /// When the data was fetched from Atlassian: the snapshot's age is counted from here.
    pub fetched_at: DateTime<Utc>,
    /// When it was written to this file.
    pub saved_at: DateTime<Utc>,
    pub users: u64,
    pub groups: u64,
}

fn to_text(t: DateTime<Utc>) -> String {
    // AutoSi keeps every digit the clock gave, so fetched_at comes back equal.
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn from_text(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("time '{s}': {e}"))
}

impl Store {
    /// Replaces the snapshot kept under `scope` (one per org and connection, e.g. the profile
    /// name). One transaction: a crash or a full disk mid-save keeps the previous snapshot.
    /// Takes 120-170 ms of CPU and an fsync at 100,000 users: call it off the UI thread.
    pub fn save_snapshot(&mut self, scope: &str, dir: &Directory) -> Result<(), StoreError> {
        // Counted before the write lock is taken, then streamed into a blob reserved at that
        // size: a whole-directory buffer (and SQLite's two copies of a bound blob) would
        // leave tens of MB of the allocator's heap resident at 100,000 users after the save.
        let unusable = |detail: String| StoreError::Unusable {
            path: self.path.clone(),
            detail: format!("the snapshot could not be encoded: {detail}"),
        };
        let len = body::encoded_len(&dir.users, &dir.groups, &dir.seats).map_err(unusable)?;
        let size = i64::try_from(len)
            .map_err(|_| unusable(format!("{len} bytes is too large for one body")))?;
        let path = self.path.clone();
        let sql_err = |e| StoreError::from_sqlite(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_err)?;
        tx.execute(
            "INSERT OR REPLACE INTO snapshot
                 (scope, org_id, fetched_at, saved_at, user_count, group_count, format)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            (
                scope,
                &dir.org_id,
                to_text(dir.fetched_at),
                to_text(Utc::now()),
                dir.users.len() as i64,
                dir.groups.len() as i64,
                FORMAT,
            ),
        )
        .map_err(sql_err)?;
        tx.execute(
            "INSERT OR REPLACE INTO snapshot_body (scope, body) VALUES (?1, zeroblob(?2))",
            (scope, size),
        )
        .map_err(sql_err)?;
        let row = tx.last_insert_rowid();
        {
            let blob = tx
                .blob_open(MAIN_DB, c"snapshot_body", c"body", row, false)
                .map_err(sql_err)?;
            // Blob writes past the reserved size fail (write_all), and fewer bytes than
            // counted are caught below: the transaction then rolls back.
            let mut out = body::Counted {
                inner: BufWriter::with_capacity(64 * 1024, blob),
                written: 0,
            };
            body::encode_to(&dir.users, &dir.groups, &dir.seats, &mut out).map_err(unusable)?;
            out.flush()
                .map_err(|e| unusable(format!("writing the body: {e}")))?;
            if out.written != len {
                return Err(unusable(format!(
                    "{} bytes written where {len} were counted",
                    out.written
                )));
            }
        }
        tx.commit().map_err(sql_err)?;
        // Seats used per product over time, for `seats report --since` (a failure costs a point).
        let _ = super::savings::record_snapshot(&self.conn, dir);
        tracing::debug!(
            scope,
            users = dir.users.len(),
            bytes = len,
            "snapshot saved"
        );
        Ok(())
    }

    /// The snapshot kept under `scope`, if any. `None` too for a snapshot written in another
    /// layout by another seats version: the next refresh replaces it.
    pub fn load_snapshot(&self, scope: &str) -> Result<Option<Directory>, StoreError> {
        let bad = |detail: String| StoreError::BadSnapshot {
            path: self.path.clone(),
            scope: scope.to_owned(),
            detail,
        };
        // One statement reads summary and body together: a save by another process cannot
        // slip between them.
        let row = self
            .conn
            .query_row(
                "SELECT s.org_id, s.fetched_at, s.format, b.body
                   FROM snapshot s JOIN snapshot_body b ON b.scope = s.scope
                  WHERE s.scope = ?1",
                [scope],
                |r| {
                    let org_id: String = r.get(0)?;
                    let fetched_at: String = r.get(1)?;
                    let format: i64 = r.get(2)?;
                    if format != FORMAT {
                        return Ok((org_id, fetched_at, format, None));
                    }
                    // Decoded in place from SQLite's buffer: no copy of the body.
                    let decoded = match r.get_ref(3)?.as_blob() {
                        Ok(bytes) => body::decode(bytes),
                        Err(e) => Err(format!("the body is not a blob: {e}")),
                    };
                    Ok((org_id, fetched_at, format, Some(decoded)))
                },
            )
            .optional()
            .map_err(|e| StoreError::from_sqlite(&self.path, e))?;
        let Some((org_id, fetched_at, format, decoded)) = row else {
            return Ok(None);
        };
        let Some(decoded) = decoded else {
            tracing::info!(scope, format, "saved snapshot has another layout; ignored");
            return Ok(None);
        };
        let decoded = decoded.map_err(bad)?;
        Ok(Some(Directory {
            org_id,
            fetched_at: from_text(&fetched_at).map_err(bad)?,
            users: decoded.users,
            groups: decoded.groups,
            seats: decoded.seats,
        }))
    }

    /// The summary of the snapshot under `scope`, without reading its body (well under a
    /// millisecond at any size).
    pub fn snapshot_info(&self, scope: &str) -> Result<Option<SnapshotInfo>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT org_id, fetched_at, saved_at, user_count, group_count, format
                   FROM snapshot WHERE scope = ?1",
                [scope],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, i64>(5)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| StoreError::from_sqlite(&self.path, e))?;
        let Some((org_id, fetched_at, saved_at, users, groups, format)) = row else {
            return Ok(None);
        };
        if format != FORMAT {
            return Ok(None);
        }
        let bad = |detail: String| StoreError::BadSnapshot {
            path: self.path.clone(),
            scope: scope.to_owned(),
            detail,
        };
        Ok(Some(SnapshotInfo {
            org_id,
            fetched_at: from_text(&fetched_at).map_err(bad)?,
            saved_at: from_text(&saved_at).map_err(bad)?,
            users: u64::try_from(users).unwrap_or(0),
            groups: u64::try_from(groups).unwrap_or(0),
        }))
    }

    /// Forgets the snapshot under `scope` (e.g. when its profile is removed). True when there was one.
    pub fn remove_snapshot(&mut self, scope: &str) -> Result<bool, StoreError> {
        let path = self.path.clone();
        let sql_err = |e| StoreError::from_sqlite(&path, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_err)?;
        let removed = tx
            .execute("DELETE FROM snapshot WHERE scope = ?1", [scope])
            .map_err(sql_err)?;
        tx.execute("DELETE FROM snapshot_body WHERE scope = ?1", [scope])
            .map_err(sql_err)?;
        tx.commit().map_err(sql_err)?;
        Ok(removed > 0)
    }
}
