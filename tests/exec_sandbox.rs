//! The executor against the in-process sandbox: a large batch under injected faults, drift
//! between plan and run, undo of suspensions and of group removals, dry runs, pause and cancel,
//! and an audit log without secrets.

#[path = "support/sandbox.rs"]
mod sandbox_support;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use seats::atlassian::org::OrgApi;
use seats::atlassian::{Client, ClientOptions, Connection, Secret};
use seats::exec::{
    self, BatchId, Counts, ExecEvent, ExecOptions, ItemState, Journal, NewBatch, RunOutcome,
    SharedJournal, Target, undo_plan,
};
use seats::plan::{Change, Guard, PLAN_FILE_VERSION, PlanFile, Step};
use seats::sandbox::state::{AccountType, Grant, Membership, OrgState, Resource, Role, UserIx};
use seats::sandbox::{self, Sandbox, SandboxConfig};

fn conn(sb: &Sandbox) -> Connection {
    let cfg = SandboxConfig::default();
    Connection {
        admin_url: Some(sb.base_url()),
        site_url: Some(sb.site_url()),
        org_id: Some(sb.org_id()),
        email: Some(cfg.site_email),
        org_api_key: Some(Secret::new(cfg.org_api_key)),
        site_token: Some(Secret::new(cfg.site_token)),
    }
}

fn org(sb: &Sandbox) -> OrgApi {
    let options = ClientOptions {
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(100),
        max_retries: 12,
        ..ClientOptions::default()
    };
    OrgApi::new(
        Client::with_options(&conn(sb), options).unwrap(),
        sb.org_id(),
    )
}

async fn start(users: usize, fail_rate: f64) -> Sandbox {
    sandbox::start(SandboxConfig {
        users,
        fail_rate,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

/// Active directory members who are neither org nor site admins: fair targets for a suspension.
fn suspendable(state: &OrgState) -> Vec<UserIx> {
    (0..state.users.len() as UserIx)
        .filter(|ix| {
            let u = state.user(*ix);
            u.account_type == AccountType::Atlassian
                && u.can_sign_in()
                && state.platform_roles(*ix).is_empty()
        })
        .collect()
}

fn step(state: &OrgState, ix: UserIx, change: Change) -> Step {
    let u = state.user(ix);
    Step {
        account_id: u.account_id.clone(),
        name: u.name.clone(),
        email: u.email.clone(),
        change,
        guard: None,
    }
}

fn plan(sb: &Sandbox, steps: Vec<Step>) -> PlanFile {
    PlanFile {
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
    }
}

fn journal(dir: &Path) -> SharedJournal {
    Arc::new(Mutex::new(Journal::open(&dir.join("seats.db")).unwrap()))
}

fn create(j: &SharedJournal, plan: &PlanFile, dry_run: bool) -> BatchId {
    let meta = NewBatch::from_plan(plan, "admin@acme.example".into(), "test".into(), dry_run);
    // Admission is the only way into the journal; these tests are about the run, not the cap.
    let admission = exec::Admission {
        batch_cap: u32::MAX,
    };
    exec::submit(&mut j.lock().unwrap(), plan, &meta, &admission).unwrap()
}

/// Runs a batch to its end; returns the outcome, the final counts and every event.
async fn run(
    sb: &Sandbox,
    j: &SharedJournal,
    batch: BatchId,
) -> (RunOutcome, Counts, Vec<ExecEvent>) {
    let target = Arc::new(Target::new(org(sb)));
    let mut running = exec::start(j.clone(), target, batch, ExecOptions::default())
        .await
        .unwrap();
    let mut events = Vec::new();
    while let Some(ev) = running.events.recv().await {
        events.push(ev);
    }
    let outcome = running.task.await.unwrap().unwrap();
    let counts = j.lock().unwrap().batch(batch).unwrap().counts;
    (outcome, counts, events)
}

/// Events of `action` per account id.
fn events_by_user(sb: &Sandbox, action: &str) -> HashMap<String, usize> {
    let shared = sb.shared();
    let state = shared.read();
    let mut out = HashMap::new();
    for e in state.events.iter().filter(|e| e.action == action) {
        if let Some(u) = &e.user {
            *out.entry(u.clone()).or_default() += 1;
        }
    }
    out
}

fn item_states(j: &SharedJournal, batch: BatchId) -> HashMap<String, (ItemState, Option<String>)> {
    j.lock()
        .unwrap()
        .items(batch)
        .unwrap()
        .into_iter()
        .map(|i| (i.step.account_id, (i.state, i.reason)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_suspensions_with_faults_are_all_accounted_for_exactly_once() {
    let sb = start(1600, 0.0).await;
    let steps: Vec<Step> = {
        let shared = sb.shared();
        let state = shared.read();
        let targets = suspendable(&state);
        assert!(targets.len() >= 1000, "only {} targets", targets.len());
        targets[..1000]
            .iter()
            .map(|ix| step(&state, *ix, Change::Suspend))
            .collect()
    };
    let planned: HashSet<String> = steps.iter().map(|s| s.account_id.clone()).collect();
    let dir = tempfile::tempdir().unwrap();
    let j = journal(dir.path());
    let batch = create(&j, &plan(&sb, steps), false);
    sb.set_fail_rate(0.05);
    let (outcome, counts, events) = run(&sb, &j, batch).await;
    sb.set_fail_rate(0.0);

    assert_eq!(outcome, RunOutcome::Completed);
    assert_eq!(counts.total(), 1000);
    assert_eq!(counts.open(), 0, "{counts:?}");
    assert_eq!(counts.done + counts.failed + counts.skipped, 1000);
    // Faults were met and got past: the client retried, the executor re-read and re-sent.
    assert!(counts.done >= 990, "{counts:?}");
    let finished = events
        .iter()
        .filter(|e| matches!(e, ExecEvent::ItemFinished { .. }))
        .count();
    assert_eq!(finished, 1000);
    assert!(matches!(events.last(), Some(ExecEvent::Finished { .. })));

    // The sandbox's own log: one suspension per done item, none for anyone else.
    let suspended = events_by_user(&sb, "user_suspended");
    let states = item_states(&j, batch);
    for (id, (state, _)) in &states {
        let n = suspended.get(id).copied().unwrap_or(0);
        match state {
            ItemState::Done => assert_eq!(n, 1, "{id} suspended {n} times"),
            _ => assert_eq!(n, 0, "{id} is {state:?} but was suspended"),
        }
    }
    assert!(suspended.keys().all(|id| planned.contains(id)));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_between_plan_and_run_is_skipped_with_its_reason() {
    let sb = start(200, 0.0).await;
    let shared = sb.shared();
    let (steps, ids) = {
        let state = shared.read();
        let t = suspendable(&state);
        let g = state.user(t[3]).groups.iter().next().copied().unwrap();
        let group = state.group(g).clone();
        let remove = Change::RemoveFromGroup {
            group_id: group.id.clone(),
            group_name: group.name.clone(),
        };
        let mut steps = vec![
            step(&state, t[0], Change::Suspend),
            step(&state, t[1], Change::Suspend),
            step(&state, t[2], Change::Suspend),
            step(&state, t[3], remove),
            step(&state, t[4], Change::Suspend),
        ];
        // The plan's premise: nobody used anything since the plan was made.
        let since = Utc::now();
        for s in &mut steps {
            s.guard = Some(Guard {
                inactive_since: Some(since),
                product: None,
            });
        }
        let ids: Vec<String> = t[..5]
            .iter()
            .map(|ix| state.user(*ix).account_id.clone())
            .collect();
        (steps, (ids, group.id))
    };
    let (ids, group_id) = ids;
    {
        // Between plan and run: 0 works again, 1 is suspended by someone else, 2 becomes org
        // admin, 3 leaves the group; 4 is untouched.
        let mut state = shared.write();
        let ix0 = state.user_ix(&ids[0]).unwrap();
        let later = Utc::now() + chrono::Duration::seconds(1);
        state.users[ix0 as usize].last_active = [Some(later); 3];
        let actor = "someone-else";
        state.suspend(&ids[1], actor, Utc::now()).unwrap();
        let org_admin = Grant {
            resource: Resource::Org,
            role: Role::OrgAdmin,
        };
        state
            .assign_role(&ids[2], org_admin, actor, Utc::now())
            .unwrap();
        state
            .remove_from_group(&group_id, &ids[3], actor, Utc::now())
            .unwrap();
    }
    let events_before = shared.read().events.len();
    let dir = tempfile::tempdir().unwrap();
    let j = journal(dir.path());
    let batch = create(&j, &plan(&sb, steps), false);
    let (outcome, counts, _) = run(&sb, &j, batch).await;
    assert_eq!(outcome, RunOutcome::Completed);
    assert_eq!((counts.done, counts.skipped, counts.failed), (1, 4, 0));

    let states = item_states(&j, batch);
    let reason = |i: usize| {
        let (state, reason) = &states[&ids[i]];
        assert_eq!(*state, ItemState::Skipped, "user {i}");
        reason.clone().unwrap_or_default()
    };
    assert!(
        reason(0).starts_with("active again since the plan"),
        "{}",
        reason(0)
    );
    assert_eq!(reason(1), "already suspended");
    assert_eq!(reason(2), "now protected: org admin");
    assert!(
        reason(3).starts_with("no longer a member of"),
        "{}",
        reason(3)
    );
    assert_eq!(states[&ids[4]].0, ItemState::Done);
    // Only the one change that still held reached the org.
    {
        let state = shared.read();
        assert_eq!(state.events.len(), events_before + 1);
        let ix0 = state.user_ix(&ids[0]).unwrap();
        assert_eq!(state.user(ix0).membership, Membership::Active);
    }
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_of_a_suspension_batch_restores_every_user() {
    let sb = start(300, 0.0).await;
    let shared = sb.shared();
    let steps: Vec<Step> = {
        let state = shared.read();
        suspendable(&state)[..60]
            .iter()
            .map(|ix| step(&state, *ix, Change::Suspend))
            .collect()
    };
    let ids: Vec<String> = steps.iter().map(|s| s.account_id.clone()).collect();
    let dir = tempfile::tempdir().unwrap();
    let j = journal(dir.path());
    let batch = create(&j, &plan(&sb, steps), false);
    let (_, counts, _) = run(&sb, &j, batch).await;
    assert_eq!(counts.done, 60);
    let membership = |id: &String| {
        let state = shared.read();
        state.user(state.user_ix(id).unwrap()).membership
    };
    assert!(ids.iter().all(|id| membership(id) == Membership::Suspended));

    let (info, items) = {
        let j = j.lock().unwrap();
        (j.batch(batch).unwrap(), j.items(batch).unwrap())
    };
    let undo = undo_plan(&info, &items, Utc::now()).unwrap();
    assert!(undo.cannot_undo.is_empty());
    assert_eq!(undo.plan.steps.len(), 60);
    let back = create(&j, &undo.plan, false);
    let (outcome, counts, _) = run(&sb, &j, back).await;
    assert_eq!(outcome, RunOutcome::Completed);
    assert_eq!(counts.done, 60, "{counts:?}");
    assert!(ids.iter().all(|id| membership(id) == Membership::Active));
    let restored = events_by_user(&sb, "user_restored");
    assert!(ids.iter().all(|id| restored.get(id) == Some(&1)));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_of_a_group_removal_restores_every_membership() {
    let sb = start(400, 0.0).await;
    let shared = sb.shared();
    // Every member of one non-synced group who is a fair target.
    let (group_id, group_name, steps) = {
        let state = shared.read();
        let fair: HashSet<UserIx> = suspendable(&state).into_iter().collect();
        let g = (0..state.groups.len() as u32)
            .filter(|g| !state.group(*g).external_synced)
            .max_by_key(|g| {
                state
                    .group(*g)
                    .members
                    .iter()
                    .filter(|m| fair.contains(m))
                    .count()
            })
            .unwrap();
        let group = state.group(g).clone();
        let change = Change::RemoveFromGroup {
            group_id: group.id.clone(),
            group_name: group.name.clone(),
        };
        let steps: Vec<Step> = group
            .members
            .iter()
            .filter(|m| fair.contains(m))
            .take(80)
            .map(|m| step(&state, *m, change.clone()))
            .collect();
        (group.id, group.name, steps)
    };
    assert!(
        steps.len() >= 10,
        "group {group_name} has {} fair members",
        steps.len()
    );
    let ids: Vec<String> = steps.iter().map(|s| s.account_id.clone()).collect();
    let is_member = |id: &String| {
        let state = shared.read();
        let g = state.group_ix(&group_id).unwrap();
        state.group(g).members.contains(&state.user_ix(id).unwrap())
    };
    let dir = tempfile::tempdir().unwrap();
    let j = journal(dir.path());
    let batch = create(&j, &plan(&sb, steps.clone()), false);
    let (_, counts, _) = run(&sb, &j, batch).await;
    assert_eq!(counts.done as usize, steps.len(), "{counts:?}");
    assert!(ids.iter().all(|id| !is_member(id)));

    let (info, items) = {
        let j = j.lock().unwrap();
        (j.batch(batch).unwrap(), j.items(batch).unwrap())
    };
    let undo = undo_plan(&info, &items, Utc::now()).unwrap();
    assert!(
        undo.plan
            .steps
            .iter()
            .all(|s| matches!(&s.change, Change::AddToGroup { group_id: g, .. } if *g == group_id))
    );
    let back = create(&j, &undo.plan, false);
    let (_, counts, _) = run(&sb, &j, back).await;
    assert_eq!(counts.done as usize, ids.len(), "{counts:?}");
    assert!(ids.iter().all(is_member));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_sends_no_write_and_says_what_it_would_do() {
    let sb = start(100, 0.0).await;
    let shared = sb.shared();
    let steps: Vec<Step> = {
        let state = shared.read();
        suspendable(&state)[..12]
            .iter()
            .map(|ix| step(&state, *ix, Change::Suspend))
            .collect()
    };
    let dir = tempfile::tempdir().unwrap();
    let j = journal(dir.path());
    let batch = create(&j, &plan(&sb, steps), true);
    let (outcome, counts, _) = run(&sb, &j, batch).await;
    assert_eq!(outcome, RunOutcome::Completed);
    assert_eq!(counts.dry_run, 12);
    assert!(shared.read().events.is_empty(), "a dry run changed the org");
    let (info, items) = {
        let j = j.lock().unwrap();
        (j.batch(batch).unwrap(), j.items(batch).unwrap())
    };
    assert!(info.dry_run);
    assert!(
        items
            .iter()
            .all(|i| i.reason.as_deref() == Some("would suspend"))
    );
    assert!(undo_plan(&info, &items, Utc::now()).is_err());
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_holds_the_run_and_cancel_records_the_rest_as_not_sent() {
    let sb = sandbox::start(SandboxConfig {
        users: 300,
        latency_ms: 20,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let shared = sb.shared();
    let steps: Vec<Step> = {
        let state = shared.read();
        suspendable(&state)[..150]
            .iter()
            .map(|ix| step(&state, *ix, Change::Suspend))
            .collect()
    };
    let dir = tempfile::tempdir().unwrap();
    let j = journal(dir.path());
    let batch = create(&j, &plan(&sb, steps), false);
    let target = Arc::new(Target::new(org(&sb)));
    let options = ExecOptions {
        concurrency: 2,
        ..ExecOptions::default()
    };
    let mut running = exec::start(j.clone(), target, batch, options)
        .await
        .unwrap();
    let mut finished = 0;
    while finished < 10 {
        if let Some(ExecEvent::ItemFinished { .. }) = running.events.recv().await {
            finished += 1;
        }
    }
    running.control.pause();
    // Calls in flight finish; then nothing moves.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let held = shared.read().events.len();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        shared.read().events.len(),
        held,
        "changes went out while paused"
    );
    running.control.resume();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(shared.read().events.len() > held, "resume did not resume");
    running.control.cancel();
    while running.events.recv().await.is_some() {}
    assert_eq!(running.task.await.unwrap().unwrap(), RunOutcome::Cancelled);

    let info = j.lock().unwrap().batch(batch).unwrap();
    assert_eq!(info.counts.open(), 0, "{:?}", info.counts);
    assert!(info.counts.skipped > 0, "{:?}", info.counts);
    assert_eq!(info.status, exec::BatchStatus::Cancelled);
    // What the journal calls done is exactly what reached the org.
    assert_eq!(info.counts.done as usize, shared.read().events.len());
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_records_every_item_and_no_secret() {
    let sb = start(100, 0.0).await;
    let shared = sb.shared();
    let steps: Vec<Step> = {
        let state = shared.read();
        suspendable(&state)[..8]
            .iter()
            .map(|ix| step(&state, *ix, Change::Suspend))
            .collect()
    };
    let dir = tempfile::tempdir().unwrap();
    let j = journal(dir.path());
    let batch = create(&j, &plan(&sb, steps.clone()), false);
    sb.set_fail_rate(0.3);
    run(&sb, &j, batch).await;
    sb.set_fail_rate(0.0);
    let text = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let items: Vec<&serde_json::Value> = lines.iter().filter(|l| l["event"] == "item").collect();
    assert_eq!(items.len(), 8);
    for l in &items {
        for field in ["time", "operator", "org_id", "action", "target", "result"] {
            assert!(!l[field].is_null(), "{field} missing in {l}");
        }
        assert_eq!(l["batch"], batch);
    }
    let cfg = SandboxConfig::default();
    // Every file seats wrote: the log, the database and its WAL.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for secret in [&cfg.org_api_key, &cfg.site_token] {
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "a secret reached {}", path.display());
        }
    }
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_sent_without_an_answer_is_re_read_before_any_retry() {
    let sb = sandbox::start(SandboxConfig {
        users: 80,
        record_requests: true,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let shared = sb.shared();
    let (steps, ids) = {
        let state = shared.read();
        let t = suspendable(&state);
        let steps: Vec<Step> = t[..2]
            .iter()
            .map(|ix| step(&state, *ix, Change::Suspend))
            .collect();
        let ids: Vec<String> = steps.iter().map(|s| s.account_id.clone()).collect();
        (steps, ids)
    };
    let dir = tempfile::tempdir().unwrap();
    let j = journal(dir.path());
    let batch = create(&j, &plan(&sb, steps), false);
    // A crash left both items sent: the first request reached Atlassian (the user is
    // suspended), the second never did.
    {
        let mut j = j.lock().unwrap();
        j.mark_sent(batch, 0, None).unwrap();
        j.mark_sent(batch, 1, None).unwrap();
    }
    shared
        .write()
        .suspend(&ids[0], "seats", Utc::now())
        .unwrap();
    let unfinished = exec::unfinished_batches(j.lock().unwrap().connection()).unwrap();
    assert_eq!(unfinished.iter().map(|b| b.id).collect::<Vec<_>>(), [batch]);
    assert_eq!(unfinished[0].counts.sent, 2);

    let (outcome, counts, _) = run(&sb, &j, batch).await;
    assert_eq!(outcome, RunOutcome::Completed);
    assert_eq!(counts.done, 2);
    let suspends: Vec<String> = sb
        .recorded()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/suspend"))
        .map(|r| r.path)
        .collect();
    assert_eq!(suspends.len(), 1, "{suspends:?}");
    let encoded = |id: &str| id.replace(':', "%3A");
    assert!(
        suspends[0].contains(&encoded(&ids[1])),
        "the wrong user was sent again: {suspends:?}, {ids:?}"
    );
    let states = item_states(&j, batch);
    let reason = states[&ids[0]].1.clone().unwrap_or_default();
    assert!(reason.starts_with("confirmed by re-reading"), "{reason}");
    assert!(
        exec::unfinished_batches(j.lock().unwrap().connection())
            .unwrap()
            .is_empty()
    );
    sb.shutdown().await;
}
