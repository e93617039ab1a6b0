//! `seats plan` and the console look up direct grants only for the users the plan still
//! changes who also hold the product through a group: never for users it holds out, never for
//! users it drops, never twice. Counted on the wire.

use std::collections::BTreeSet;

use seats::atlassian::fetch::{FetchOptions, fetch_directory};
use seats::atlassian::{Client, Connection, Secret};
use seats::commands::plan::{look_up_direct_grants, queue_for_query};
use seats::config::Config;
use seats::plan::{OperationKind, PlanContext, build_plan};
use seats::sandbox::state::{Resource, Role};
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_users_the_plan_still_changes_are_looked_up_once_each() {
    let mut found_any = false;
    for (users, seed, query) in [
        (1500, 3, "product:jira-software idle:90"),
        (2500, 4, "product:jira-software"),
        (2500, 5, "product:confluence idle:30"),
    ] {
        let sb = seats::sandbox::start(SandboxConfig {
            users,
            seed,
            record_requests: true,
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let client = Client::new(&conn(&sb)).unwrap();
        let dir = fetch_directory(&client, &sb.org_id(), FetchOptions::everything())
            .await
            .unwrap();
        let product = query
            .split_whitespace()
            .next()
            .and_then(|t| t.strip_prefix("product:"))
            .unwrap();
        let kind = OperationKind::RemoveProductAccess {
            product: product.into(),
        };
        let queue = queue_for_query(&dir, query, kind).unwrap();
        // Contractors protected by domain: a share of the targets is held out.
        let mut config = Config::default();
        config.protected.domains = seats::sandbox::generator::CONTRACTOR_DOMAINS
            .iter()
            .map(|d| (*d).to_owned())
            .collect();
        config.plan.batch_cap = 100_000;
        let admin = SandboxConfig::default().site_email;
        let mut ctx = PlanContext::new(&config, &[admin.as_str()]).with_query(query);
        let before = sb.recorded().len();
        ctx.direct_grants = look_up_direct_grants(&client, &dir, &queue, &ctx)
            .await
            .unwrap();
        let looked_up: Vec<String> = sb.recorded()[before..]
            .iter()
            .filter_map(|r| {
                let rest = r.path.strip_suffix("/role-assignments")?;
                let (_, id) = rest.rsplit_once("/users/")?;
                // Account ids go on the path percent-encoded (`712020%3A...`).
                Some(id.replace("%3A", ":"))
            })
            .collect();
        let plan = build_plan(&dir, &queue, &ctx);
        let changed: BTreeSet<&str> = plan.steps().map(|s| s.account_id.as_str()).collect();
        let held: BTreeSet<&str> = plan.held_out().map(|h| h.account_id.as_str()).collect();
        // Who holds the product through some group (only they need a look-up).
        let granting: BTreeSet<&str> = dir
            .groups
            .iter()
            .filter(|g| g.grants.iter().any(|k| k == product))
            .map(|g| g.id.as_str())
            .collect();
        let want: BTreeSet<String> = dir
            .users
            .iter()
            .filter(|u| changed.contains(u.account_id.as_str()))
            .filter(|u| u.groups.iter().any(|g| granting.contains(g.id.as_str())))
            .map(|u| u.account_id.clone())
            .collect();
        let case = format!("{users} users, seed {seed}, {query:?}");
        assert!(!held.is_empty(), "{case}: nobody held out");
        assert!(want.len() > 20, "{case}: {} to look up", want.len());
        let unique: BTreeSet<String> = looked_up.iter().cloned().collect();
        assert_eq!(
            unique.len(),
            looked_up.len(),
            "{case}: a user looked up twice"
        );
        let differ = unique.symmetric_difference(&want).count();
        assert_eq!(
            differ,
            0,
            "{case}: {} looked up, {} wanted",
            unique.len(),
            want.len()
        );
        assert!(
            !looked_up.iter().any(|id| held.contains(id.as_str())),
            "{case}: a held-out user was looked up"
        );
        // The look-ups found exactly the direct grants of the product among them.
        let direct: BTreeSet<String> = {
            let shared = sb.shared();
            let state = shared.read();
            state
                .users
                .iter()
                .filter(|u| want.contains(&u.account_id))
                .filter(|u| {
                    u.direct_grants.iter().any(|g| {
                        g.role == Role::User
                            && matches!(g.resource, Resource::Product(p) if p.key() == product)
                    })
                })
                .map(|u| u.account_id.clone())
                .collect()
        };
        let found: BTreeSet<String> = ctx
            .direct_grants
            .iter()
            .filter(|(_, aris)| aris.iter().any(|a| a.contains(product)))
            .map(|(id, _)| id.clone())
            .collect();
        assert_eq!(found, direct, "{case}");
        found_any |= !found.is_empty();
        sb.shutdown().await;
    }
    assert!(found_any, "no case had a direct grant to find");
}
