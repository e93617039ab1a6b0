//! Audit ids are unique for ever and batch numbers never repeat, even when `seats.db` is lost
//! and made again beside the `audit.jsonl` that outlived it; an older database is migrated.

use std::collections::HashSet;
use std::path::Path;

use chrono::Utc;
use seats::exec::{self, Admission, ItemState, Journal, NewBatch, Outcome};
use seats::plan::{Change, PLAN_FILE_VERSION, PlanFile, Step};

fn plan(n: usize) -> PlanFile {
    PlanFile {
        version: PLAN_FILE_VERSION,
        id: Some(exec::ids::new_id()),
        created_at: Utc::now(),
        org_id: "org-1".into(),
        profile: None,
        query: None,
        steps: (0..n)
            .map(|i| Step {
                account_id: format!("u{i}"),
                name: format!("User {i}"),
                email: None,
                change: Change::Suspend,
                guard: None,
            })
            .collect(),
        fetched_at: None,
        held_out: Vec::new(),
        no_ops: Vec::new(),
        keeps: Vec::new(),
        effect: None,
        refusal: None,
        queue: None,
    }
}

/// One batch with every item done, closed; returns its number.
fn one_batch(db: &Path) -> i64 {
    let mut j = Journal::open(db).unwrap();
    let p = plan(3);
    let meta = NewBatch::from_plan(&p, "op".into(), "test".into(), false);
    let batch = exec::submit(&mut j, &p, &meta, &Admission { batch_cap: 10 }).unwrap();
    for seq in 0..3 {
        j.finish_item(batch, seq, &Outcome::new(ItemState::Done))
            .unwrap();
    }
    j.close_batch(batch, exec::BatchStatus::Finished).unwrap();
    batch
}

fn lose_database(dir: &Path) {
    for name in ["seats.db", "seats.db-wal", "seats.db-shm"] {
        let _ = std::fs::remove_file(dir.join(name));
    }
}

fn audit_lines(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("audit.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn ids_and_batch_numbers_survive_a_lost_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("seats.db");
    let first = [one_batch(&db), one_batch(&db)];
    lose_database(dir.path());
    let after = one_batch(&db);
    assert!(
        after > first[1],
        "batch {after} after the loss repeats a number from {first:?}"
    );
    lose_database(dir.path());
    let again = one_batch(&db);
    assert!(again > after);

    let lines = audit_lines(dir.path());
    // Per batch: created, 3 items, finished.
    assert_eq!(lines.len(), 4 * 5);
    let ids: HashSet<&str> = lines.iter().filter_map(|l| l["id"].as_str()).collect();
    assert_eq!(ids.len(), lines.len(), "an audit id was reused");
    let batches: HashSet<i64> = lines.iter().filter_map(|l| l["batch"].as_i64()).collect();
    assert_eq!(batches.len(), 4, "{batches:?}");
}

#[test]
fn an_older_database_is_migrated_and_its_entries_get_ids() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("seats.db");
    {
        // The tables as the previous seats made them.
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "CREATE TABLE exec_batches (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,
                finished_at TEXT, operator TEXT NOT NULL, profile TEXT, org_id TEXT NOT NULL, query TEXT,
                source TEXT NOT NULL, dry_run INTEGER NOT NULL, status TEXT NOT NULL);
             CREATE TABLE exec_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL,
                event TEXT NOT NULL, batch_id INTEGER NOT NULL, item_seq INTEGER, operator TEXT NOT NULL,
                profile TEXT, org_id TEXT NOT NULL, action TEXT, change TEXT, target TEXT, target_name TEXT,
                target_email TEXT, result TEXT NOT NULL, reason TEXT, http_status INTEGER, error TEXT,
                dry_run INTEGER NOT NULL, exported INTEGER NOT NULL DEFAULT 0);
             INSERT INTO exec_batches (created_at, operator, org_id, source, dry_run, status)
                VALUES ('2026-01-01T00:00:00Z', 'op', 'org-1', 'old', 0, 'finished');
             INSERT INTO exec_audit (time, event, batch_id, operator, org_id, result, dry_run, exported)
                VALUES ('2026-01-01T00:00:00Z', 'batch_created', 1, 'op', 'org-1', 'running', 0, 1);",
        )
        .unwrap();
    }
    let next = one_batch(&db);
    assert_eq!(next, 2);
    let j = Journal::open(&db).unwrap();
    let audit = j.audit().unwrap();
    assert_eq!(audit.len(), 6);
    assert!(audit.iter().all(|e| e.id.len() == 26), "{audit:?}");
    let ids: HashSet<&str> = audit.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), 6);
}
