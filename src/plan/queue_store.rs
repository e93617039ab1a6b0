//! The queue in the local database, one row per scope (e.g. the profile and org), so quitting
//! and coming back tomorrow keeps the review. The queue is stored as JSON: it is read and
//! written whole, never queried.

use rusqlite::{Connection, OptionalExtension, params};

use super::Queue;

/// Bumped when the stored JSON changes meaning; a newer row is refused rather than misread.
const QUEUE_FORMAT: i64 = 1;

#[derive(Debug, thiserror::Error)]
pub enum QueueStoreError {
    #[error("the local database could not keep the queue: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("the queue saved for {scope} cannot be read ({detail}); it was left as it is")]
    Unreadable { scope: String, detail: String },
}

fn ensure_table(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS plan_queue (
            scope TEXT PRIMARY KEY NOT NULL,
            format INTEGER NOT NULL,
            queue TEXT NOT NULL,
            saved_at TEXT NOT NULL
        )",
    )
}

/// Replaces the queue kept for `scope`. An empty queue is kept as empty, not deleted, so a
/// cleared queue stays cleared.
pub fn save(conn: &Connection, scope: &str, queue: &Queue) -> Result<(), QueueStoreError> {
    ensure_table(conn)?;
    let json = serde_json::to_string(queue).map_err(|e| QueueStoreError::Unreadable {
        scope: scope.to_owned(),
        detail: e.to_string(),
    })?;
    conn.execute(
        "INSERT INTO plan_queue (scope, format, queue, saved_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(scope) DO UPDATE SET format = excluded.format, queue = excluded.queue,
             saved_at = excluded.saved_at",
        params![scope, QUEUE_FORMAT, json, chrono::Utc::now().to_rfc3339()],
    )?;
    Ok(())
}

/// The queue kept for `scope`, or an empty queue when none was saved.
pub fn load(conn: &Connection, scope: &str) -> Result<Queue, QueueStoreError> {
    ensure_table(conn)?;
    let row: Option<(i64, String)> = conn
        .query_row(
            "SELECT format, queue FROM plan_queue WHERE scope = ?1",
            params![scope],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((format, json)) = row else {
        return Ok(Queue::new());
    };
    if format > QUEUE_FORMAT {
        return Err(QueueStoreError::Unreadable {
            scope: scope.to_owned(),
            detail: format!("saved by a newer seats (format {format}): upgrade seats"),
        });
    }
    serde_json::from_str(&json).map_err(|e| QueueStoreError::Unreadable {
        scope: scope.to_owned(),
        detail: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::OperationKind;

    fn sample() -> Queue {
        let mut q = Queue::new();
        q.add(OperationKind::Suspend, ["u1", "u2"]);
        q.add(
            OperationKind::RemoveProductAccess {
                product: "jira-software".into(),
            },
            ["u3"],
        );
        q
    }

    #[test]
    fn a_missing_queue_loads_empty_and_scopes_are_apart() {
        let conn = Connection::open_in_memory().unwrap();
        assert!(load(&conn, "work/org-1").unwrap().is_empty());
        save(&conn, "work/org-1", &sample()).unwrap();
        assert_eq!(load(&conn, "work/org-1").unwrap(), sample());
        assert!(load(&conn, "other/org-2").unwrap().is_empty());
    }

    #[test]
    fn saving_replaces_and_a_cleared_queue_stays_cleared() {
        let conn = Connection::open_in_memory().unwrap();
        save(&conn, "s", &sample()).unwrap();
        let mut q = load(&conn, "s").unwrap();
        q.clear();
        save(&conn, "s", &q).unwrap();
        assert!(load(&conn, "s").unwrap().is_empty());
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM plan_queue", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
    }

    #[test]
    fn the_queue_survives_closing_the_database_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seats.db");
        {
            let conn = Connection::open(&path).unwrap();
            save(&conn, "s", &sample()).unwrap();
        }
        let conn = Connection::open(&path).unwrap();
        assert_eq!(load(&conn, "s").unwrap(), sample());
    }

    #[test]
    fn unreadable_or_newer_rows_are_errors_not_an_empty_queue() {
        let conn = Connection::open_in_memory().unwrap();
        save(&conn, "s", &sample()).unwrap();
        conn.execute("UPDATE plan_queue SET queue = 'not json'", [])
            .unwrap();
        assert!(matches!(
            load(&conn, "s"),
            Err(QueueStoreError::Unreadable { .. })
        ));
        save(&conn, "s", &sample()).unwrap();
        conn.execute("UPDATE plan_queue SET format = 99", [])
            .unwrap();
        let err = load(&conn, "s").unwrap_err().to_string();
        assert!(err.contains("newer seats"), "{err}");
    }
}
