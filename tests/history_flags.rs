//! `seats history`, `seats undo` and `seats give-back` take the connection flags of every other command (one
//! `$FLAGS` serves them all) and use the org they identify (`--org-id`, else the profile's org)
//! to select that org's batches.

#[path = "support/hardening.rs"]
mod hardening;

use std::path::Path;

use hardening::{Home, seats};
use seats::exec::{Admission, Journal, NewBatch};
use seats::plan::PlanFile;
use seats::store::FILE_NAME;

/// One closed batch of two suspensions on `org`, through admission as every batch is made.
fn batch_of(path: &Path, org: &str) -> i64 {
    let mut j = Journal::open(path).unwrap();
    let text = format!(
        r#"{{"version": 1, "created_at": "2026-12-01T10:00:00Z", "org_id": "{org}",
        "profile": null, "query": "idle:90", "fetched_at": "2026-12-01T09:00:00Z",
        "steps": [{{"account_id": "{org}-acc-1", "name": "User One", "email": null,
                   "change": {{"change": "suspend"}}}},
                  {{"account_id": "{org}-acc-2", "name": "User Two", "email": null,
                   "change": {{"change": "suspend"}}}}],
        "held_out": [], "no_ops": []}}"#
    );
    let plan = PlanFile::from_json(&text, None).unwrap();
    let meta = NewBatch::from_plan(
        &plan,
        "admin@acme.example".into(),
        format!("plan-{org}.json"),
        false,
    );
    let batch = seats::exec::submit(&mut j, &plan, &meta, &Admission { batch_cap: 10 }).unwrap();
    j.close_batch(batch, seats::exec::BatchStatus::Cancelled)
        .unwrap();
    batch
}

/// A home whose journal holds batch 1 of org o1 and batch 2 of org o2 (the home's config has
/// profiles `one` on o1 and `two` on o2).
fn home_with_two_orgs() -> Home {
    let home = Home::new();
    std::fs::create_dir_all(home.data()).unwrap();
    let db = home.data().join(FILE_NAME);
    assert_eq!(batch_of(&db, "o1"), 1);
    assert_eq!(batch_of(&db, "o2"), 2);
    home
}

fn run(home: &Home, args: &[&str]) -> (bool, String, String) {
    let out = seats(
        home.path(),
        &args.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    )
    .output()
    .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn batch_orgs(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|b| b["org_id"].as_str().unwrap().to_owned())
        .collect()
}

const FLAGS: [&str; 8] = [
    "--admin-url",
    "https://api.example",
    "--site-url",
    "https://acme.example",
    "--org-id",
    "o1",
    "--email",
    "admin@acme.example",
];

#[test]
fn history_takes_the_shared_flags_and_lists_that_orgs_batches() {
    let home = home_with_two_orgs();
    let (ok, all, err) = run(&home, &["history", "--format", "json"]);
    assert!(ok, "{err}");
    assert_eq!(batch_orgs(&all), ["o1", "o2"]);

    // After the subcommand and before it, as a shared $FLAGS would put them.
    let after = [&["history", "--format", "json"][..], &FLAGS].concat();
    let before = [&FLAGS[..], &["history", "--format", "json"]].concat();
    for line in [after, before] {
        let (ok, out, err) = run(&home, &line);
        assert!(ok, "{line:?}: {err}");
        assert_eq!(batch_orgs(&out), ["o1"], "{line:?}");
    }

    // --profile identifies an org too.
    let (ok, out, err) = run(&home, &["--profile", "two", "history", "--format", "json"]);
    assert!(ok, "{err}");
    assert_eq!(batch_orgs(&out), ["o2"]);

    // The table says whose batches it lists when there are none.
    let (ok, out, err) = run(&home, &["history", "--org-id", "o3"]);
    assert!(ok, "{err}");
    assert!(out.contains("no batch of org o3"), "{out}");

    // A batch of another org is refused by number, naming both orgs.
    let (ok, _, err) = run(&home, &["history", "--batch", "2", "--org-id", "o1"]);
    assert!(!ok);
    assert!(err.contains("batch 2 is of org o2, not of org o1"), "{err}");
}

#[test]
fn undo_takes_the_shared_flags_and_refuses_another_orgs_batch() {
    let home = home_with_two_orgs();
    let plan = home.path().join("undo.json");
    let plan = plan.to_str().unwrap();
    let line = [&["undo", "2", "--output", plan][..], &FLAGS].concat();
    let (ok, _, err) = run(&home, &line);
    assert!(!ok);
    assert!(err.contains("batch 2 is of org o2, not of org o1"), "{err}");
    assert!(!Path::new(plan).exists());

    // Its own org's batch passes the org check (and gets to the batch itself: nothing done).
    let line = [&["undo", "1", "--output", plan][..], &FLAGS].concat();
    let (ok, _, err) = run(&home, &line);
    assert!(!ok);
    assert!(
        err.contains("batch 1 changed nothing") && !err.contains("not of org"),
        "{err}"
    );
}

#[test]
fn give_back_takes_the_shared_flags_and_refuses_another_orgs_batch() {
    let home = home_with_two_orgs();
    let plan = home.path().join("give-back.json");
    let plan = plan.to_str().unwrap();
    let line = [
        &["give-back", "2", "o2-acc-1", "--output", plan][..],
        &FLAGS,
    ]
    .concat();
    let (ok, _, err) = run(&home, &line);
    assert!(!ok);
    assert!(err.contains("batch 2 is of org o2, not of org o1"), "{err}");
    assert!(!Path::new(plan).exists());

    // Its own org's batch passes the org check and reaches the batch: a cancelled suspension
    // took nothing, so there is nothing to give back and no plan is written.
    let line = [
        &["give-back", "1", "o1-acc-1", "--output", plan][..],
        &FLAGS,
    ]
    .concat();
    let (ok, out, err) = run(&home, &line);
    assert!(!ok);
    assert!(
        err.contains("batch 1 took nothing from o1-acc-1") && !err.contains("not of org"),
        "{out}{err}"
    );
    assert!(!Path::new(plan).exists(), "{out}");
}
