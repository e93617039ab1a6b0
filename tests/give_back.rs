//! "Give back" against the sandbox: a reclaim takes a user's groups, `give_back_plan` builds
//! from the journal exactly what it took from that one user, and running it restores their
//! groups; at a product's seat limit the item fails with the product and its seat count.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use seats::atlassian::org::OrgApi;
use seats::atlassian::{Client, ClientOptions, Connection, Secret};
use seats::exec::{
    self, BatchId, Counts, ExecOptions, ItemState, Journal, NewBatch, RunOutcome, SharedJournal,
    Target, give_back_plan,
};
use seats::plan::{Change, PLAN_FILE_VERSION, PlanFile, Step};
use seats::sandbox::state::{AccountType, OrgState, Product, Resource, UserIx};
use seats::sandbox::{self, Sandbox, SandboxConfig};

fn org(sb: &Sandbox) -> OrgApi {
    let cfg = SandboxConfig::default();
    let conn = Connection {
        admin_url: Some(sb.base_url()),
        site_url: Some(sb.site_url()),
        org_id: Some(sb.org_id()),
        email: Some(cfg.site_email),
        org_api_key: Some(Secret::new(cfg.org_api_key)),
        site_token: Some(Secret::new(cfg.site_token)),
    };
    let options = ClientOptions {
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(100),
        ..ClientOptions::default()
    };
    OrgApi::new(Client::with_options(&conn, options).unwrap(), sb.org_id())
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

fn create(j: &SharedJournal, plan: &PlanFile) -> BatchId {
    let meta = NewBatch::from_plan(plan, "admin@acme.example".into(), "test".into(), false);
    let admission = exec::Admission {
        batch_cap: u32::MAX,
    };
    exec::submit(&mut j.lock().unwrap(), plan, &meta, &admission).unwrap()
}

async fn run(sb: &Sandbox, j: &SharedJournal, batch: BatchId) -> (RunOutcome, Counts) {
    let target = Arc::new(Target::new(org(sb)));
    let mut running = exec::start(j.clone(), target, batch, ExecOptions::default())
        .await
        .unwrap();
    while running.events.recv().await.is_some() {}
    let outcome = running.task.await.unwrap().unwrap();
    let counts = j.lock().unwrap().batch(batch).unwrap().counts;
    (outcome, counts)
}

/// Users holding Jira Software through unsynced groups only (no direct grant, no admin role),
/// in at least two unsynced groups: taking their groups takes their seat.
fn jira_users_by_groups(state: &OrgState) -> Vec<UserIx> {
    let jira = Resource::Product(Product::JiraSoftware);
    (0..state.users.len() as UserIx)
        .filter(|ix| {
            let u = state.user(*ix);
            u.account_type == AccountType::Atlassian
                && u.can_sign_in()
                && u.direct_grants.is_empty()
                && state.platform_roles(*ix).is_empty()
                && !u.synced
                && u.groups.len() >= 2
                && u.groups.iter().all(|g| !state.group(*g).external_synced)
                && state.product_access(*ix).contains(&Product::JiraSoftware)
                && u.groups
                    .iter()
                    .any(|g| state.group_grants(*g).iter().any(|gr| gr.resource == jira))
        })
        .collect()
}

/// Every group of the user, as RemoveFromGroup steps.
fn reclaim(state: &OrgState, ix: UserIx) -> Vec<Step> {
    let u = state.user(ix);
    u.groups
        .iter()
        .map(|g| Step {
            account_id: u.account_id.clone(),
            name: u.name.clone(),
            email: u.email.clone(),
            change: Change::RemoveFromGroup {
                group_id: state.group(*g).id.clone(),
                group_name: state.group(*g).name.clone(),
            },
            guard: None,
        })
        .collect()
}

fn groups_of(sb: &Sandbox, account_id: &str) -> BTreeSet<String> {
    let shared = sb.shared();
    let state = shared.read();
    let ix = state.user_ix(account_id).unwrap();
    state
        .user(ix)
        .groups
        .iter()
        .map(|g| state.group(*g).id.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn giving_back_restores_exactly_the_groups_a_reclaim_took_from_one_user() {
    let sb = sandbox::start(SandboxConfig {
        users: 400,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let (ada, bob, steps) = {
        let shared = sb.shared();
        let state = shared.read();
        let t = jira_users_by_groups(&state);
        assert!(t.len() >= 2, "the generated org has two such users");
        let mut steps = reclaim(&state, t[0]);
        steps.extend(reclaim(&state, t[1]));
        (
            state.user(t[0]).clone(),
            state.user(t[1]).account_id.clone(),
            steps,
        )
    };
    let ada_groups = groups_of(&sb, &ada.account_id);
    let dir = tempfile::tempdir().unwrap();
    let j = journal(dir.path());
    let taken = create(&j, &plan(&sb, steps.clone()));
    let (outcome, counts) = run(&sb, &j, taken).await;
    assert_eq!(outcome, RunOutcome::Completed);
    assert_eq!(counts.done as usize, steps.len());
    assert!(groups_of(&sb, &ada.account_id).is_empty());
    assert!(groups_of(&sb, &bob).is_empty());

    // Ada by email: only her groups come back, Bob's stay taken.
    let batch = j.lock().unwrap().batch(taken).unwrap();
    let items = j.lock().unwrap().items(taken).unwrap();
    let email = ada.email.clone().expect("an email");
    let back = give_back_plan(&batch, &items, &email.to_uppercase(), Utc::now()).unwrap();
    assert!(
        back.plan
            .steps
            .iter()
            .all(|s| s.account_id == ada.account_id)
    );
    let planned: BTreeSet<String> = back
        .plan
        .steps
        .iter()
        .map(|s| match &s.change {
            Change::AddToGroup { group_id, .. } => group_id.clone(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(planned, ada_groups);

    let given = create(&j, &back.plan);
    let (outcome, counts) = run(&sb, &j, given).await;
    assert_eq!(outcome, RunOutcome::Completed);
    assert_eq!((counts.done as usize, counts.failed), (ada_groups.len(), 0));
    assert_eq!(
        groups_of(&sb, &ada.account_id),
        ada_groups,
        "exactly her groups"
    );
    assert!(groups_of(&sb, &bob).is_empty(), "nobody else's");
    {
        let shared = sb.shared();
        let state = shared.read();
        let ix = state.user_ix(&ada.account_id).unwrap();
        assert!(state.product_access(ix).contains(&Product::JiraSoftware));
    }
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_give_back_at_the_seat_limit_fails_that_item_with_the_product_and_its_seats() {
    let sb = sandbox::start(SandboxConfig {
        users: 400,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let (ada, steps) = {
        let shared = sb.shared();
        let state = shared.read();
        let t = jira_users_by_groups(&state);
        (state.user(t[0]).account_id.clone(), reclaim(&state, t[0]))
    };
    let dir = tempfile::tempdir().unwrap();
    let j = journal(dir.path());
    let taken = create(&j, &plan(&sb, steps));
    let (outcome, _) = run(&sb, &j, taken).await;
    assert_eq!(outcome, RunOutcome::Completed);

    // Someone else took the freed seat: Jira Software is full.
    let limit = {
        let shared = sb.shared();
        let mut state = shared.write();
        let used = state.seats_used(Product::JiraSoftware);
        for l in state.licences.iter_mut() {
            if l.product == Product::JiraSoftware {
                l.seat_limit = used;
            }
        }
        used
    };
    let batch = j.lock().unwrap().batch(taken).unwrap();
    let items = j.lock().unwrap().items(taken).unwrap();
    let back = give_back_plan(&batch, &items, &ada, Utc::now()).unwrap();
    let given = create(&j, &back.plan);
    let (outcome, counts) = run(&sb, &j, given).await;
    // A failed item, not a stopped run.
    assert_eq!(outcome, RunOutcome::Completed);
    assert!(counts.failed >= 1, "{counts:?}");
    let failed: Vec<_> = j
        .lock()
        .unwrap()
        .items(given)
        .unwrap()
        .into_iter()
        .filter(|i| i.state == ItemState::Failed)
        .collect();
    let want =
        format!("Jira Software is at its limit of {limit} seats: free a seat or raise the limit");
    for item in &failed {
        assert_eq!(item.error.as_deref(), Some(want.as_str()), "{item:?}");
        assert_eq!(item.http_status, Some(409));
    }
    let used = sb.shared().read().seats_used(Product::JiraSoftware);
    assert_eq!(used, limit, "no seat over the limit");
    sb.shutdown().await;
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// The real binary with its own data and config dirs (only apply talks to the org).
async fn seats_bin(sb: &Sandbox, home: &Path, args: &[&str]) -> Run {
    let base = sb.base_url();
    let org = sb.org_id();
    let connection: Vec<&str> = if args.first() == Some(&"apply") {
        vec![
            "--admin-url",
            &base,
            "--org-id",
            &org,
            "--email",
            sandbox::DEFAULT_SITE_EMAIL,
        ]
    } else {
        Vec::new()
    };
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_seats"))
        .args(connection)
        .args(args)
        .current_dir(home)
        .env("SEATS_ORG_API_KEY", sandbox::DEFAULT_ORG_API_KEY)
        .env("SEATS_DATA_DIR", home)
        .env("SEATS_CONFIG_DIR", home)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn give_back_through_the_commands_writes_a_plan_that_apply_runs() {
    let sb = sandbox::start(SandboxConfig {
        users: 300,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let (ada, steps) = {
        let shared = sb.shared();
        let state = shared.read();
        let t = jira_users_by_groups(&state);
        (state.user(t[0]).clone(), reclaim(&state, t[0]))
    };
    let before = groups_of(&sb, &ada.account_id);
    let plan_path = home.path().join("reclaim.json");
    std::fs::write(
        &plan_path,
        serde_json::to_vec_pretty(&plan(&sb, steps)).unwrap(),
    )
    .unwrap();
    let run = seats_bin(
        &sb,
        home.path(),
        &["apply", plan_path.to_str().unwrap(), "--yes"],
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(groups_of(&sb, &ada.account_id).is_empty());

    let run = seats_bin(
        &sb,
        home.path(),
        &["give-back", "1", "nobody@nowhere.example"],
    )
    .await;
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("has no item about nobody@nowhere.example"),
        "{}",
        run.stderr
    );

    let email = ada.email.clone().unwrap();
    let run = seats_bin(
        &sb,
        home.path(),
        &["give-back", "1", &email, "-o", "back.json"],
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout
            .contains(&format!("give back to {} ({})", ada.name, ada.account_id))
            && run.stdout.contains(&format!("{} steps", before.len())),
        "{}",
        run.stdout
    );
    let file = home.path().join("back.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the plan file is private");
    }
    let run = seats_bin(
        &sb,
        home.path(),
        &["apply", file.to_str().unwrap(), "--yes"],
    )
    .await;
    assert_eq!(run.code, Some(0), "{} {}", run.stdout, run.stderr);
    assert_eq!(groups_of(&sb, &ada.account_id), before);
    // The same give back twice is the same plan: refused as already applied.
    let run = seats_bin(
        &sb,
        home.path(),
        &["apply", file.to_str().unwrap(), "--yes"],
    )
    .await;
    assert_ne!(run.code, Some(0), "{} {}", run.stdout, run.stderr);
    sb.shutdown().await;
}
