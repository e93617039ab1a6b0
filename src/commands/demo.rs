//! `seats demo`: the console on a simulated org, no account or credentials needed.
//!
//! Starts the sandbox in-process and opens the console on it through the real client, the
//! same code path as a real org. Without a terminal it says what to run instead.

use std::io::IsTerminal;

use crate::atlassian::{Client, Connection, Secret};
use crate::cli::{DemoArgs, GlobalArgs};
use crate::sandbox::{self, SandboxConfig};
use crate::tui::Session;

pub async fn run(global: &GlobalArgs, args: DemoArgs) -> anyhow::Result<()> {
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        anyhow::bail!(
            "seats demo opens the console and needs a terminal. Without one, \
             `seats report --demo` prints the reclaim summary of the simulated org, and \
             `seats sandbox` serves it for the other commands"
        );
    }
    let config = crate::config::load()?;
    let cfg = SandboxConfig {
        users: args.users,
        seed: args.seed,
        rate_limit_per_minute: args.rate_limit,
        latency_ms: args.latency_ms,
        ..SandboxConfig::default()
    };
    let email = cfg.site_email.clone();
    let conn = Connection {
        admin_url: None,
        site_url: None,
        org_id: None,
        email: Some(email.clone()),
        org_api_key: Some(Secret::new(cfg.org_api_key.clone())),
        site_token: Some(Secret::new(cfg.site_token.clone())),
    };
    let server = sandbox::start(cfg).await?;
    let conn = Connection {
        admin_url: Some(server.base_url()),
        site_url: Some(server.site_url()),
        org_id: Some(server.org_id()),
        ..conn
    };
    let client = Client::with_options(&conn, super::connect::client_options(&config))?;
    // What the simulated org holds beyond its directory: the console says why it lists fewer
    // users than the org has accounts.
    let accounts = accounts(&server.shared().read());
    let session = Session {
        // The count first: a narrow title keeps the leading words.
        label: format!(
            "demo: {} simulated {}",
            crate::output::words::thousands(args.users),
            crate::output::words::noun_for(args.users, "account")
        ),
        // Each simulated org keeps its own snapshot, apart from real orgs'.
        scope: format!("demo:{}:{}", args.seed, args.users),
        org_id: server.org_id(),
        client: (!global.offline).then_some(client),
        myself: vec![email],
        profile: None,
        config,
        dry_run: global.dry_run,
        // The simulated org is new at every start: fetch it rather than trust a snapshot.
        fetch_on_start: true,
        accounts: Some(accounts),
    };
    let result = crate::tui::run(session).await;
    server.shutdown().await;
    result
}

/// The simulated org's accounts: all of them, and the app and customer accounts (never in the
/// org directory; they live on the site APIs).
fn accounts(org: &sandbox::state::OrgState) -> crate::tui::state::OrgAccounts {
    let of = |kind: sandbox::state::AccountType| {
        org.users.iter().filter(|u| u.account_type == kind).count()
    };
    crate::tui::state::OrgAccounts {
        total: org.users.len(),
        apps: of(sandbox::state::AccountType::App),
        customers: of(sandbox::state::AccountType::Customer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::generator::{GeneratorInput, generate};

    #[test]
    fn apps_and_customers_are_exactly_the_accounts_outside_the_directory() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-01T12:00:00Z")
            .map(|d| d.with_timezone(&chrono::Utc))
            .unwrap_or_default();
        for (users, seed) in [(2_000, 7), (3_000, 11), (1, 7)] {
            let org = generate(&GeneratorInput {
                users,
                seed,
                org_id: "org-1",
                admin_email: "admin@acme.example",
                now,
            });
            let a = accounts(&org);
            let listed = org.users.iter().filter(|u| u.in_directory()).count();
            assert_eq!(a.total, users);
            // What the Activity view's note claims: the gap is these accounts, no more.
            assert_eq!(
                a.apps + a.customers,
                a.total - listed,
                "{users} users, seed {seed}"
            );
            assert!(users < 1_000 || (a.apps > 0 && a.customers > 0));
        }
    }
}
