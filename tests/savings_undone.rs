//! Savings count what stays freed: a user an undo or a give-back of the batch gave back is no
//! longer counted in that batch's seats and money (`store::savings::history`).

use chrono::Utc;
use seats::exec::{Admission, Journal, NewBatch, give_back_plan, submit, undo_plan};
use seats::plan::{Change, PLAN_FILE_VERSION, PlanFile, ProductEffect, SeatEffect, Step};
use seats::store::savings;

const ORG: &str = "org-1";

fn suspend(ids: &[&str]) -> PlanFile {
    let steps: Vec<Step> = ids
        .iter()
        .map(|id| Step {
            account_id: (*id).into(),
            name: format!("User {id}"),
            email: Some(format!("{id}@acme.example")),
            change: Change::Suspend,
            guard: None,
        })
        .collect();
    let freed = ids.len() as u64;
    PlanFile {
        version: PLAN_FILE_VERSION,
        id: Some(format!("plan-{}", ids.join("-"))),
        created_at: Utc::now(),
        org_id: ORG.into(),
        profile: None,
        query: None,
        steps,
        fetched_at: None,
        held_out: Vec::new(),
        no_ops: Vec::new(),
        keeps: Vec::new(),
        effect: Some(SeatEffect {
            currency: "USD".into(),
            products: vec![ProductEffect {
                product: "jira-software".into(),
                name: "Jira Software".into(),
                used_now: 100,
                used_after: 100 - freed,
                freed,
                regained: 0,
                price_per_user_month: Some(10.0),
                monthly_saving: Some(10.0 * freed as f64),
                yearly_saving: Some(120.0 * freed as f64),
            }],
            monthly_saving: 10.0 * freed as f64,
            yearly_saving: 120.0 * freed as f64,
            ..SeatEffect::default()
        }),
        refusal: None,
        queue: None,
    }
}

/// Admits `plan` as a batch and records every item of `done_for` as done, as a run would.
fn run(j: &mut Journal, plan: &PlanFile, done_for: &[&str]) -> i64 {
    let meta = NewBatch::from_plan(plan, "op".into(), "test".into(), false);
    let batch = submit(j, plan, &meta, &Admission { batch_cap: 100 }).unwrap();
    for id in done_for {
        j.connection()
            .execute(
                "UPDATE exec_items SET state = 'done' WHERE batch_id = ?1 AND account_id = ?2",
                rusqlite::params![batch, id],
            )
            .unwrap();
    }
    batch
}

fn month_figures(j: &Journal) -> (f64, f64) {
    let since = (Utc::now() - chrono::Duration::days(1)).date_naive();
    let (_, months, _) = savings::history(j.connection(), ORG, since).unwrap();
    let m = &months[&Utc::now().format("%Y-%m").to_string()];
    (m.seats_freed, m.monthly_saving)
}

#[test]
fn seats_given_back_by_an_undo_or_a_give_back_are_not_counted_as_saved() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(&dir.path().join("seats.db")).unwrap();
    let users = ["u1", "u2", "u3", "u4"];
    let first = run(&mut j, &suspend(&users), &users);
    assert_eq!(month_figures(&j), (4.0, 40.0));

    // One user given back: three seats stay freed.
    let info = j.batch(first).unwrap();
    let items = j.items(first).unwrap();
    let back = give_back_plan(&info, &items, "u2", Utc::now())
        .unwrap()
        .plan;
    run(&mut j, &back, &["u2"]);
    assert_eq!(month_figures(&j), (3.0, 30.0));

    // An undo of the batch whose items for u3 failed: u3 stays counted, the rest are back.
    let undo = undo_plan(&info, &items, Utc::now()).unwrap().plan;
    run(&mut j, &undo, &["u1", "u4"]);
    assert_eq!(month_figures(&j), (1.0, 10.0));

    // Another batch is not touched by the first one's undo.
    let second = run(&mut j, &suspend(&["u5", "u6"]), &["u5", "u6"]);
    assert!(second > first);
    assert_eq!(month_figures(&j), (3.0, 30.0));
}
