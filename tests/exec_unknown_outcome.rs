//! A write that lands but whose answer is lost, while the re-read that should settle it fails
//! too: the item is `unknown` (not failed), undo covers it, `--retry-failed` leaves it alone,
//! the batch stays owed, and a later run settles it from a read, recorded as "confirmed later".

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use seats::atlassian::org::OrgApi;
use seats::atlassian::{Client, ClientOptions, Connection, Secret};
use seats::exec::{
    self, Admission, ExecOptions, ItemState, Journal, NewBatch, RunOutcome, SharedJournal, Target,
    UndoError, retry_plan, undo_plan,
};
use seats::plan::{Change, PLAN_FILE_VERSION, PlanFile, Step};
use seats::sandbox::state::{AccountType, Membership, UserIx};
use seats::sandbox::{self, Sandbox, SandboxConfig};

fn org(sb: &Sandbox) -> OrgApi {
    let cfg = SandboxConfig::default();
    let conn = Connection {
        admin_url: Some(sb.base_url()),
        org_id: Some(sb.org_id()),
        email: Some(cfg.site_email),
        org_api_key: Some(Secret::new(cfg.org_api_key)),
        ..Connection::default()
    };
    let options = ClientOptions {
        backoff_base: Duration::from_millis(5),
        backoff_max: Duration::from_millis(20),
        max_retries: 2,
        ..ClientOptions::default()
    };
    OrgApi::new(Client::with_options(&conn, options).unwrap(), sb.org_id())
}

async fn run(sb: &Sandbox, j: &SharedJournal, batch: i64) -> RunOutcome {
    let target = Arc::new(Target::new(org(sb)));
    let mut running = exec::start(j.clone(), target, batch, ExecOptions::default())
        .await
        .unwrap();
    while running.events.recv().await.is_some() {}
    running.task.await.unwrap().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_with_a_failed_re_read_is_unknown_undone_and_confirmed_later() {
    let sb = sandbox::start(SandboxConfig {
        users: 60,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let shared = sb.shared();
    let (steps, ixs): (Vec<Step>, Vec<UserIx>) = {
        let state = shared.read();
        (0..state.users.len() as UserIx)
            .filter(|ix| {
                let u = state.user(*ix);
                u.account_type == AccountType::Atlassian
                    && u.can_sign_in()
                    && state.platform_roles(*ix).is_empty()
            })
            .take(1)
            .map(|ix| {
                let u = state.user(ix);
                let step = Step {
                    account_id: u.account_id.clone(),
                    name: u.name.clone(),
                    email: u.email.clone(),
                    change: Change::Suspend,
                    guard: None,
                };
                (step, ix)
            })
            .unzip()
    };
    let plan = PlanFile {
        version: PLAN_FILE_VERSION,
        id: None,
        created_at: Utc::now(),
        org_id: sb.org_id(),
        profile: None,
        query: None,
        steps,
        fetched_at: None,
        held_out: Vec::new(),
        no_ops: Vec::new(),
        keeps: Vec::new(),
        effect: None,
        refusal: None,
        queue: None,
    };
    let dir = tempfile::tempdir().unwrap();
    let j: SharedJournal = Arc::new(Mutex::new(
        Journal::open(&dir.path().join("seats.db")).unwrap(),
    ));
    let meta = NewBatch::from_plan(&plan, "op".into(), "test".into(), false);
    let batch = exec::submit(
        &mut j.lock().unwrap(),
        &plan,
        &meta,
        &Admission { batch_cap: 10 },
    )
    .unwrap();

    // The suspension lands, its answer is lost (502), and everything after fails.
    shared.lose_write_answers(1, true);
    run(&sb, &j, batch).await;
    assert_eq!(shared.read().user(ixs[0]).membership, Membership::Suspended);
    let (info, items) = {
        let j = j.lock().unwrap();
        (j.batch(batch).unwrap(), j.items(batch).unwrap())
    };
    assert_eq!(items[0].state, ItemState::Unknown, "{:?}", items[0]);
    assert!(
        items[0]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("outcome unknown")),
        "{:?}",
        items[0].error
    );
    assert!(info.is_unfinished(), "an unknown item keeps the batch owed");
    // Undo covers what seats may have done; a retry does not re-send it.
    let undo = undo_plan(&info, &items, Utc::now()).unwrap();
    assert_eq!(undo.plan.steps.len(), 1);
    assert_eq!(undo.plan.steps[0].change, Change::Restore);
    assert_eq!(
        retry_plan(&info, &items, Utc::now()),
        Err(UndoError::NothingToRetry(batch))
    );

    // Atlassian answers again: the next run reads the user and settles the item.
    shared.set_outage(false);
    assert_eq!(run(&sb, &j, batch).await, RunOutcome::Completed);
    {
        let j = j.lock().unwrap();
        let item = &j.items(batch).unwrap()[0];
        assert_eq!(item.state, ItemState::Done);
        let audit = j.audit().unwrap();
        let results: Vec<(&str, Option<&str>)> = audit
            .iter()
            .filter(|e| e.event == "item")
            .map(|e| (e.result.as_str(), e.reason.as_deref()))
            .collect();
        assert_eq!(results.len(), 2, "{results:?}");
        assert_eq!(results[0].0, "unknown");
        assert_eq!(results[1].0, "done");
        assert!(
            results[1].1.is_some_and(|r| r.contains("confirmed later")),
            "{results:?}"
        );
        assert!(j.unfinished().unwrap().is_empty());
        let suspensions = shared
            .read()
            .events
            .iter()
            .filter(|e| e.action == "user_suspended")
            .count();
        assert_eq!(suspensions, 1);
    }
    sb.shutdown().await;
}
