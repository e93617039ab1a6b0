//! The sandbox refuses what Atlassian refuses: an org admin cannot be suspended, removed from
//! the directory or removed from a group before the role is revoked, and a user synced from an
//! identity provider cannot be removed from the directory (403, the org API's `Errors` shape).
//! seats turns such a refusal into a failed item that says why in plain words.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use seats::atlassian::org::OrgApi;
use seats::atlassian::{ApiError, Client, ClientOptions, Connection, Secret};
use seats::exec::target::refusal_reason;
use seats::exec::{
    self, Admission, ExecOptions, ItemState, Journal, NewBatch, SharedJournal, Target,
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
        ..ClientOptions::default()
    };
    OrgApi::new(Client::with_options(&conn, options).unwrap(), sb.org_id())
}

fn forbidden(result: Result<(), ApiError>, what: &str) -> ApiError {
    match result {
        Err(e @ ApiError::Forbidden { .. }) => e,
        other => panic!("{what}: expected a 403, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn org_admins_and_synced_users_are_refused_and_seats_says_why() {
    let sb = sandbox::start(SandboxConfig {
        users: 300,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let shared = sb.shared();
    let (admin, admin_group, synced) = {
        let state = shared.read();
        let all = 0..state.users.len() as UserIx;
        let admin = all
            .clone()
            .find(|ix| {
                state.platform_roles(*ix).contains(&"atlassian/org-admin")
                    && !state.user(*ix).groups.is_empty()
            })
            .expect("the sandbox has an org admin in a group");
        let admin_group = state
            .group(*state.user(admin).groups.iter().next().unwrap())
            .id
            .clone();
        let synced = all
            .clone()
            .find(|ix| {
                let u = state.user(*ix);
                u.synced
                    && u.account_type == AccountType::Atlassian
                    && u.in_directory()
                    && state.platform_roles(*ix).is_empty()
            })
            .expect("the sandbox has a synced user");
        (admin, admin_group, synced)
    };
    let id = |ix: UserIx| shared.read().user(ix).account_id.clone();
    let (admin_id, synced_id) = (id(admin), id(synced));
    let api = org(&sb);
    let target = Target::new(api.clone());
    let dir = target.directory_of(&admin_id).await.unwrap();
    let events_before = shared.read().events.len();

    let suspend = forbidden(api.suspend_user(&dir, &admin_id).await, "suspend");
    forbidden(api.remove_user(&dir, &admin_id).await, "remove");
    forbidden(
        api.remove_group_member(&dir, &admin_group, &admin_id).await,
        "remove from group",
    );
    let synced_remove = forbidden(api.remove_user(&dir, &synced_id).await, "remove synced");
    {
        let state = shared.read();
        assert_eq!(
            state.events.len(),
            events_before,
            "a refused write changed the org"
        );
        assert_eq!(state.user(admin).membership, Membership::Active);
        assert!(state.user(synced).in_directory());
    }
    // The refusals in plain words, not "likely a bug in seats".
    let said = refusal_reason(&suspend).unwrap_or_default();
    assert!(
        said.starts_with("org admin: revoke the role first"),
        "{said}"
    );
    assert!(!said.contains("bug"), "{said}");
    let said = refusal_reason(&synced_remove).unwrap_or_default();
    assert!(
        said.starts_with("synced from an identity provider"),
        "{said}"
    );

    // The error body has the spec's shape.
    let response = reqwest::Client::new()
        .post(format!(
            "{}/admin/v2/orgs/{}/directories/{dir}/users/{}/suspend",
            sb.base_url(),
            sb.org_id(),
            admin_id
        ))
        .bearer_auth(SandboxConfig::default().org_api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let body: serde_json::Value = response.json().await.unwrap();
    let error = &body["errors"][0];
    assert_eq!(error["status"], "403");
    assert!(
        error["code"]
            .as_str()
            .is_some_and(|c| c.starts_with("ADMIN-403"))
    );
    assert!(error["id"].is_string() && error["title"].is_string());

    // Through the executor, from a plan file that asks for it anyway (the plan builder holds
    // synced users out): the run-time check holds it out too, says why and sends nothing.
    let step = {
        let state = shared.read();
        let u = state.user(synced);
        Step {
            account_id: u.account_id.clone(),
            name: u.name.clone(),
            email: u.email.clone(),
            change: Change::RemoveFromDirectory,
            guard: None,
        }
    };
    let plan = PlanFile {
        version: PLAN_FILE_VERSION,
        id: None,
        created_at: Utc::now(),
        org_id: sb.org_id(),
        profile: None,
        query: None,
        steps: vec![step],
        fetched_at: None,
        held_out: Vec::new(),
        no_ops: Vec::new(),
        keeps: Vec::new(),
        effect: None,
        refusal: None,
        queue: None,
    };
    let home = tempfile::tempdir().unwrap();
    let j: SharedJournal = Arc::new(Mutex::new(
        Journal::open(&home.path().join("seats.db")).unwrap(),
    ));
    let meta = NewBatch::from_plan(&plan, "op".into(), "test".into(), false);
    let batch = exec::submit(
        &mut j.lock().unwrap(),
        &plan,
        &meta,
        &Admission { batch_cap: 10 },
    )
    .unwrap();
    let mut running = exec::start(j.clone(), Arc::new(target), batch, ExecOptions::default())
        .await
        .unwrap();
    while running.events.recv().await.is_some() {}
    running.task.await.unwrap().unwrap();
    let item = j.lock().unwrap().items(batch).unwrap().remove(0);
    assert_eq!(item.state, ItemState::Skipped, "{item:?}");
    assert_eq!(item.http_status, None, "{item:?}");
    let reason = item.reason.clone().unwrap_or_default();
    assert!(
        reason.starts_with("now protected: synced from the identity provider"),
        "{item:?}"
    );
    {
        let state = shared.read();
        assert_eq!(state.events.len(), events_before, "the executor sent it");
        assert!(state.user(synced).in_directory());
    }
    sb.shutdown().await;
}
