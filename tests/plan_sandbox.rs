//! The plan's effect against the sandbox: fetch the directory with seats' client, build a plan,
//! then carry its steps out on the sandbox's own model and fetch again. The seats the plan
//! says it frees must be the seats that are freed, product by product, and no step may touch
//! a held-out user.

#[path = "support/sandbox.rs"]
mod sandbox_support;

use std::collections::HashSet;

use chrono::Utc;
use sandbox_support::start_bare;
use seats::atlassian::fetch::{FetchOptions, fetch_directory};
use seats::atlassian::{Client, Connection, Secret};
use seats::commands::plan::look_up_direct_grants;
use seats::config::Config;
use seats::domain::Directory;
use seats::plan::{Change, OperationKind, PlanContext, Queue, build_plan};
use seats::sandbox::state::{Grant, Role};
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

async fn fetch(sb: &Sandbox) -> Directory {
    let client = Client::new(&conn(sb)).unwrap();
    fetch_directory(&client, &sb.org_id(), FetchOptions::everything())
        .await
        .unwrap()
}

const JIRA: &str = "jira-software";

/// Applies the plan's steps to the sandbox's state, the way the APIs would.
fn carry_out(sb: &Sandbox, steps: &[seats::plan::Step]) {
    let shared = sb.shared();
    let mut state = shared.write();
    let now = Utc::now();
    for s in steps {
        let id = s.account_id.as_str();
        match &s.change {
            Change::Suspend => state.suspend(id, "test", now).unwrap(),
            Change::RemoveFromGroup { group_id, .. } => {
                assert!(state.remove_from_group(group_id, id, "test", now).unwrap());
            }
            Change::RevokeProductRole { resource, .. } => {
                let resource = state
                    .resource_from_ari(resource)
                    .unwrap_or_else(|| panic!("{resource} is not a resource of the sandbox"));
                let revoked = state
                    .revoke_role(
                        id,
                        Grant {
                            resource,
                            role: Role::User,
                        },
                        "test",
                        now,
                    )
                    .unwrap();
                assert!(revoked, "{id} had no direct grant on {resource:?}");
            }
            other => panic!("unexpected step {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seats_freed_are_the_seats_the_steps_free() {
    let sb = start_bare(2000).await;
    let before = fetch(&sb).await;
    let cfg = SandboxConfig::default();

    // Everyone holding Jira Software (the plan holds out the recently active and the admins),
    // and a suspension of Confluence users who do not hold Jira.
    let jira_holders: Vec<String> = before
        .users
        .iter()
        .filter(|u| u.access(JIRA).is_some())
        .map(|u| u.account_id.clone())
        .collect();
    let others: Vec<String> = before
        .users
        .iter()
        .filter(|u| u.access(JIRA).is_none() && u.access("confluence").is_some())
        .take(25)
        .map(|u| u.account_id.clone())
        .collect();
    let mut q = Queue::new();
    q.add(
        OperationKind::RemoveProductAccess {
            product: JIRA.into(),
        },
        jira_holders.clone(),
    );
    q.add(OperationKind::Suspend, others);
    let mut config = Config::default();
    config.plan.batch_cap = 5000;
    let mut ctx = PlanContext::new(&config, &[cfg.site_email.as_str()]);
    // Users who hold Jira through a group and a direct grant: only a role look-up shows them.
    let client = Client::new(&conn(&sb)).unwrap();
    ctx.direct_grants = look_up_direct_grants(&client, &before, &q, &ctx)
        .await
        .unwrap();
    assert!(!ctx.direct_grants.is_empty());
    let plan = build_plan(&before, &q, &ctx);
    let steps: Vec<_> = plan.steps().cloned().collect();

    // The sandbox has every kind of row: a plan that exercises nothing proves nothing.
    let op = &plan.operations[0];
    assert!(op.steps.len() > 50, "{} steps", op.steps.len());
    let revokes = op
        .steps
        .iter()
        .filter(|s| matches!(s.change, Change::RevokeProductRole { .. }))
        .count();
    assert!(revokes > 0, "no direct grant revoked");
    assert!(!op.held_out.is_empty());
    let held: HashSet<&str> = plan.held_out().map(|h| h.account_id.as_str()).collect();
    assert!(steps.iter().all(|s| !held.contains(s.account_id.as_str())));

    let seats_before: Vec<u32> = {
        let shared = sb.shared();
        let state = shared.read();
        seats::sandbox::state::Product::ALL
            .iter()
            .map(|p| state.seats_used(*p))
            .collect()
    };
    carry_out(&sb, &steps);
    let after = fetch(&sb).await;
    let seats_after: Vec<u32> = {
        let shared = sb.shared();
        let state = shared.read();
        seats::sandbox::state::Product::ALL
            .iter()
            .map(|p| state.seats_used(*p))
            .collect()
    };
    for (i, p) in seats::sandbox::state::Product::ALL.iter().enumerate() {
        let key = p.key();
        let freed_by_state = u64::from(seats_before[i] - seats_after[i]);
        let freed_by_fetch = before.holders(key) - after.holders(key);
        let effect = plan.effect.product(key);
        let (planned_freed, used_now, used_after) = effect
            .map(|e| (e.freed, e.used_now, e.used_after))
            .unwrap_or((0, u64::from(seats_before[i]), u64::from(seats_before[i])));
        assert_eq!(
            planned_freed, freed_by_state,
            "{key}: freed, against the sandbox"
        );
        assert_eq!(
            planned_freed, freed_by_fetch,
            "{key}: freed, against a new fetch"
        );
        assert_eq!(used_now, u64::from(seats_before[i]), "{key}: used now");
        assert_eq!(used_after, u64::from(seats_after[i]), "{key}: used after");
    }
    let jira = plan.effect.product(JIRA).unwrap();
    assert!(jira.freed > 0);
    let price = config.prices.per_user_month[JIRA];
    let expected = (jira.freed as f64 * price * 100.0).round() / 100.0;
    assert_eq!(jira.monthly_saving, Some(expected));
    sb.shutdown().await;
}
