//! Requests each command sends against a sandbox org, counted in the client: the fetch of
//! `seats report`, `seats plan` and the console's load (the same fetch), `seats export`, the
//! role look-ups `seats plan` and the console add before planning, and `seats apply` of a plan.
//! `SEATS_COUNT_USERS` sets the org size (default 3,000); run with `--nocapture` for the table.
//! The counts that are behaviours are asserted: a plan looks up only the users it still
//! changes, and the fetch reads the groups' grants in fewer requests than there are groups.

use std::sync::{Arc, Mutex};

use seats::atlassian::fetch::{FetchOptions, fetch_directory};
use seats::atlassian::{Client, Connection, Secret};
use seats::commands::plan::{look_up_direct_grants, queue_for_query};
use seats::config::Config;
use seats::exec::{self, ExecOptions, Journal, NewBatch, Target};
use seats::plan::{OperationKind, PlanContext, PlanFile, Queue, build_plan};
use seats::sandbox::{Sandbox, SandboxConfig};

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

const QUERY: &str = "product:jira-software idle:90";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_per_command() {
    let users: usize = std::env::var("SEATS_COUNT_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let sb = seats::sandbox::start(SandboxConfig {
        users,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let org_id = sb.org_id();

    let client = Client::new(&conn(&sb)).unwrap();
    let dir = fetch_directory(&client, &org_id, FetchOptions::everything())
        .await
        .unwrap();
    let fetch_everything = client.stats().sent;

    let client = Client::new(&conn(&sb)).unwrap();
    fetch_directory(&client, &org_id, FetchOptions::default())
        .await
        .unwrap();
    let export_users = client.stats().sent;

    let kind = OperationKind::RemoveProductAccess {
        product: "jira-software".into(),
    };
    let queue = queue_for_query(&dir, QUERY, kind.clone()).unwrap();
    let myself = [SandboxConfig::default().site_email];
    let myself: Vec<&str> = myself.iter().map(String::as_str).collect();
    let mut ctx = PlanContext::new(&Config::default(), &myself).with_query(QUERY);
    ctx.batch_cap = u32::MAX;
    let client = Client::new(&conn(&sb)).unwrap();
    ctx.direct_grants = look_up_direct_grants(&client, &dir, &queue, &ctx)
        .await
        .unwrap();
    let lookups = client.stats().sent;
    let plan = build_plan(&dir, &queue, &ctx);
    assert!(
        !ctx.direct_grants.is_empty(),
        "nothing to find: the count proves nothing"
    );
    let targets = queue.operations()[0].targets.len();
    let steps = plan.steps().count();
    let changed: std::collections::BTreeSet<&str> =
        plan.steps().map(|s| s.account_id.as_str()).collect();
    assert!(lookups as usize <= changed.len());
    // The groups' grants come from a few searches, not one read per group.
    assert!(
        fetch_everything < export_users + dir.groups.len() as u64,
        "{fetch_everything} requests for everything, {export_users} for users alone"
    );

    // Contractors protected by domain: the plan holds them out. Before, each was looked up
    // all the same.
    let mut protective = Config::default();
    protective.protected.domains = seats::sandbox::generator::CONTRACTOR_DOMAINS
        .iter()
        .map(|d| (*d).to_owned())
        .collect();
    let mut held_ctx = PlanContext::new(&protective, &myself).with_query(QUERY);
    held_ctx.batch_cap = u32::MAX;
    let client = Client::new(&conn(&sb)).unwrap();
    held_ctx.direct_grants = look_up_direct_grants(&client, &dir, &queue, &held_ctx)
        .await
        .unwrap();
    let held_lookups = client.stats().sent;
    let held_plan = build_plan(&dir, &queue, &held_ctx);
    let held_changed: std::collections::BTreeSet<&str> =
        held_plan.steps().map(|s| s.account_id.as_str()).collect();
    println!(
        "plan, contractors protected: {held_lookups} look-ups for {targets} targets, {} held out, {} users changed",
        held_plan.held_out().count(),
        held_changed.len()
    );
    // Only users the plan still changes are looked up, each once.
    assert!(held_plan.held_out().count() > 0);
    assert!(
        held_lookups as usize <= held_changed.len(),
        "{held_lookups} look-ups for {} users changed",
        held_changed.len()
    );

    // Apply of a plan of the first 200 targets.
    let mut small = Queue::new();
    small.add(
        kind,
        queue.operations()[0].targets.iter().take(200).cloned(),
    );
    let client = Client::new(&conn(&sb)).unwrap();
    let mut small_ctx = ctx.clone();
    small_ctx.direct_grants = look_up_direct_grants(&client, &dir, &small, &small_ctx)
        .await
        .unwrap();
    let small_plan = build_plan(&dir, &small, &small_ctx);
    let file = PlanFile::new(
        &small_plan,
        &small,
        None,
        Some(QUERY.into()),
        chrono::Utc::now(),
    );
    let home = std::env::temp_dir().join(format!("seats-requests-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let journal = Arc::new(Mutex::new(Journal::open(&home.join("seats.db")).unwrap()));
    let meta = NewBatch::from_plan(&file, "admin@acme.example".into(), "test".into(), false);
    let admission = exec::Admission { batch_cap: 100_000 };
    let batch = exec::submit(&mut journal.lock().unwrap(), &file, &meta, &admission).unwrap();
    let client = Client::new(&conn(&sb)).unwrap();
    let target = Arc::new(Target::new(seats::atlassian::org::OrgApi::new(
        client.clone(),
        org_id.clone(),
    )));
    let mut running = exec::start(journal.clone(), target, batch, ExecOptions::default())
        .await
        .unwrap();
    while running.events.recv().await.is_some() {}
    running.task.await.unwrap().unwrap();
    let apply = client.stats().sent;
    let _ = std::fs::remove_dir_all(&home);

    println!(
        "org of {users} accounts: {} users, {} groups",
        dir.users.len(),
        dir.groups.len()
    );
    println!("fetch (report, plan, console load)  {fetch_everything}");
    println!("export users                        {export_users}");
    println!(
        "plan role look-ups                  {lookups} for {targets} targets, {} users changed in {steps} steps",
        changed.len()
    );
    println!(
        "apply of {} steps ({} users)        {apply}",
        file.steps.len(),
        small_plan
            .steps()
            .map(|s| s.account_id.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    );
    sb.shutdown().await;
}
