//! One database opener for every command: the console's store and the CLI's journal (`seats
//! history`, `seats apply --resume`, `seats undo`) meet the same checks. A file from a newer
//! seats is never written to, and neither moved aside while it holds an unfinished batch;
//! garbage is an error everywhere and is left as it is; an empty file is said out loud.

#[path = "support/hardening.rs"]
mod hardening;

use std::path::{Path, PathBuf};

use hardening::{Home, seats};
use seats::exec::{Journal, NewBatch};
use seats::store::{FILE_NAME, SCHEMA_VERSION, Store, StoreError};

/// A journal holding one batch of `steps` suspensions, none sent yet; `finished` closes it.
fn journal_with_batch(path: &Path, steps: usize, finished: bool) {
    let mut j = Journal::open(path).unwrap();
    let steps: Vec<String> = (0..steps)
        .map(|i| {
            format!(
                r#"{{"account_id": "acc-{i}", "name": "User {i}", "email": null, "change": {{"change": "suspend"}}}}"#
            )
        })
        .collect();
    let text = format!(
        r#"{{"version": 1, "created_at": "2026-12-01T10:00:00Z", "org_id": "o1", "profile": null,
            "query": "idle:90", "fetched_at": "2026-12-01T09:00:00Z", "steps": [{}],
            "held_out": [], "no_ops": []}}"#,
        steps.join(",")
    );
    let plan = seats::plan::PlanFile::from_json(&text, None).unwrap();
    let meta = NewBatch::from_plan(
        &plan,
        "admin@acme.example".into(),
        "plan.json".into(),
        false,
    );
    let admission = seats::exec::Admission { batch_cap: 100_000 };
    let batch = seats::exec::submit(&mut j, &plan, &meta, &admission).unwrap();
    if finished {
        j.close_batch(batch, seats::exec::BatchStatus::Cancelled)
            .unwrap();
    }
}

/// Marks the file as written by a newer seats, the way that seats would.
fn make_newer(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    // One file, no log beside it: its bytes are what "untouched" is checked against.
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
}

fn set_aside_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("seats.db.")
        })
        .collect()
}

/// An empty file left from before, not one another seats is creating this second.
fn empty_old_file(path: &Path) {
    let f = std::fs::File::create(path).unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600))
        .unwrap();
}

/// `seats ARGS` in the home; (success, stderr).
fn run(home: &Home, args: &[&str]) -> (bool, String) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let out = seats(home.path(), &args).output().unwrap();
    assert!(!hardening::crashed(&out), "{out:?}");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_newer_database_with_an_unfinished_batch_is_refused_by_every_command_and_the_console() {
    let home = Home::new();
    let db = home.data().join(FILE_NAME);
    journal_with_batch(&db, 39, false);
    make_newer(&db);
    let before = std::fs::read(&db).unwrap();

    // The CLI's journal, read-only and writing commands alike: refused before any work.
    for args in [
        &["history"][..],
        &["undo", "1", "-o", "undo.json"],
        &[
            "apply",
            "--resume",
            "--admin-url",
            "http://127.0.0.1:1",
            "--org-id",
            "o1",
        ],
    ] {
        let (ok, said) = run(&home, args);
        assert!(!ok, "{args:?} ran on a newer database");
        assert!(said.contains("newer seats"), "{args:?}: {said}");
        assert!(
            said.contains("unfinished batch: batch 1 (39 items owed)"),
            "{args:?}: {said}"
        );
    }
    // The console's store: the same refusal, not a move.
    let err = Store::open(&db).unwrap_err();
    assert!(matches!(err, StoreError::HoldsUnfinished { .. }), "{err:?}");
    assert!(err.to_string().contains("apply --resume"), "{err}");

    assert!(set_aside_files(&home.data()).is_empty(), "moved aside");
    assert_eq!(std::fs::read(&db).unwrap(), before, "written to");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION + 1);
}

#[test]
fn a_newer_database_with_no_unfinished_batch_is_set_aside_untouched_by_the_cli_too() {
    let home = Home::new();
    let db = home.data().join(FILE_NAME);
    journal_with_batch(&db, 3, true);
    make_newer(&db);
    let before = std::fs::read(&db).unwrap();

    let (ok, said) = run(&home, &["history"]);
    assert!(ok, "{said}");
    assert!(said.contains("written by a newer seats"), "{said}");
    let moved: Vec<PathBuf> = set_aside_files(&home.data())
        .into_iter()
        .filter(|p| {
            !p.to_string_lossy().ends_with("-wal") && !p.to_string_lossy().ends_with("-shm")
        })
        .collect();
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert!(said.contains(&*moved[0].to_string_lossy()), "{said}");
    assert_eq!(std::fs::read(&moved[0]).unwrap(), before, "written to");
}

#[test]
fn garbage_is_an_error_for_every_command_and_the_console() {
    let home = Home::new();
    std::fs::create_dir_all(home.data()).unwrap();
    let db = home.data().join(FILE_NAME);
    let garbage: Vec<u8> = (0..5_000u32).map(|i| (i * 31 % 253) as u8).collect();
    std::fs::write(&db, &garbage).unwrap();

    for args in [&["history"][..], &["undo", "1", "-o", "undo.json"]] {
        let (ok, said) = run(&home, args);
        assert!(!ok, "{args:?}");
        assert!(said.contains("is not a seats database"), "{args:?}: {said}");
    }
    let err = Store::open(&db).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    assert!(set_aside_files(&home.data()).is_empty());
    assert_eq!(std::fs::read(&db).unwrap(), garbage);
}

#[test]
fn an_empty_file_becomes_a_new_database_out_loud() {
    let home = Home::new();
    std::fs::create_dir_all(home.data()).unwrap();
    let db = home.data().join(FILE_NAME);
    empty_old_file(&db);
    let (ok, said) = run(&home, &["history"]);
    assert!(ok, "{said}");
    assert!(said.contains("was an empty file (0 bytes)"), "{said}");
    // It is a database now: the next command has nothing to say.
    let (ok, said) = run(&home, &["history"]);
    assert!(ok && !said.contains("empty file"), "{said}");

    // The console's opener says the same.
    let other = Home::new();
    std::fs::create_dir_all(other.data()).unwrap();
    let db = other.data().join(FILE_NAME);
    empty_old_file(&db);
    let (_store, notice) = Store::open(&db).unwrap();
    assert!(notice.is_some_and(|n| n.contains("empty file")));

    // One another seats made a moment ago is a database being created: nothing to say.
    let third = Home::new();
    std::fs::create_dir_all(third.data()).unwrap();
    std::fs::write(third.data().join(FILE_NAME), b"").unwrap();
    let (ok, said) = run(&third, &["history"]);
    assert!(ok && !said.contains("empty file"), "{said}");
}

#[test]
fn an_empty_file_beside_a_log_is_left_alone() {
    let home = Home::new();
    std::fs::create_dir_all(home.data()).unwrap();
    let db = home.data().join(FILE_NAME);
    std::fs::write(&db, b"").unwrap();
    let wal = home.data().join(format!("{FILE_NAME}-wal"));
    std::fs::write(&wal, vec![7u8; 4096]).unwrap();
    let (ok, said) = run(&home, &["history"]);
    assert!(!ok && said.contains("write-ahead log"), "{said}");
    assert!(Store::open(&db).is_err());
    assert_eq!(std::fs::read(&db).unwrap().len(), 0);
    assert_eq!(std::fs::read(&wal).unwrap(), vec![7u8; 4096]);
}

/// The database is opened in one place: a module that opened `seats.db` itself would skip the
/// checks above (this is how the CLI once wrote into a newer file the console set aside).
#[test]
fn no_module_opens_the_database_but_the_store() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("src")];
    let mut offenders = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            if rel.starts_with("src/store/") || !rel.ends_with(".rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Unit tests open in-memory or scratch databases as they like.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (i, line) in code.lines().enumerate() {
                if line.contains("Connection::open") && !line.trim_start().starts_with("//") {
                    offenders.push(format!("{rel}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "open the database through seats::store (Store::open, open_connection):\n{}",
        offenders.join("\n")
    );
}
