//! `seats export users --filter QUERY`: the users the console's query language selects (the
//! same selection and errors as `seats plan --filter`), with `--product` and `--inactive-days`
//! narrowing further; a query that does not parse fails before any request.

#[path = "support/hardening.rs"]
mod hardening;
#[path = "support/sandbox.rs"]
mod sandbox_support;

use std::collections::BTreeSet;

use hardening::{Home, seats_at};
use seats::atlassian::fetch::{FetchOptions, fetch_directory};
use seats::atlassian::{Client, Connection, Secret};
use seats::filter::{Sort, select};
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

/// `seats export users ARGS --format json`: (success, account ids, stderr).
async fn export(base: &str, org: &str, args: &[&str]) -> (bool, BTreeSet<String>, String) {
    let (base, org) = (base.to_owned(), org.to_owned());
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let home = Home::new();
        let mut all: Vec<&str> = vec!["export", "users", "--format", "json"];
        all.extend(args.iter().map(String::as_str));
        let out = seats_at(home.path(), &base, &org, &all).output().unwrap();
        let ids = serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout)
            .map(|rows| {
                rows.iter()
                    .filter_map(|r| r["account_id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        (
            out.status.success(),
            ids,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_users_filter_selects_what_the_query_language_selects() {
    let sb = sandbox_support::start_bare(400).await;
    let client = Client::new(&conn(&sb)).unwrap();
    let dir = fetch_directory(&client, &sb.org_id(), FetchOptions::default())
        .await
        .unwrap();
    let expected = |query: &str| -> BTreeSet<String> {
        select(&dir, query, &Sort::default())
            .unwrap()
            .into_iter()
            .map(|i| dir.users[i as usize].account_id.clone())
            .collect()
    };
    let (base, org) = (sb.base_url(), sb.org_id());
    let (_, everyone, _) = export(&base, &org, &[]).await;
    assert_eq!(everyone.len(), dir.users.len());

    for query in [
        "product:jira-software idle:90 !synced",
        "status:suspended",
        "!admin type:atlassian",
    ] {
        let want = expected(query);
        assert!(
            !want.is_empty() && want.len() < everyone.len(),
            "{query}: a query that selects some but not all ({} of {})",
            want.len(),
            everyone.len()
        );
        let (ok, got, said) = export(&base, &org, &["--filter", query]).await;
        assert!(ok, "{query}: {said}");
        assert_eq!(got, want, "{query}");
        assert!(
            said.contains(&format!("exported {} users", want.len())),
            "{said}"
        );
    }

    // With --product: the query's users that hold the product.
    let (ok, got, said) = export(
        &base,
        &org,
        &["--filter", "!admin", "--product", "confluence"],
    )
    .await;
    assert!(ok, "{said}");
    let want: BTreeSet<String> = expected("!admin")
        .intersection(&expected("product:confluence"))
        .cloned()
        .collect();
    assert_eq!(got, want);

    // A group the org does not have: the error plan --filter gives, after the fetch.
    let (ok, _, said) = export(&base, &org, &["--filter", "group:\"no such group\""]).await;
    assert!(!ok && said.contains("does not parse"), "{said}");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_query_or_filter_on_groups_fails_before_any_request() {
    // Nothing listens on port 1: a check made after the fetch would say it cannot connect.
    for (args, says) in [
        (&["users", "--filter", "idle:soon"][..], "does not parse"),
        (
            &["groups", "--filter", "idle:90"][..],
            "--filter selects users",
        ),
    ] {
        let home = Home::new();
        let mut all = vec!["export"];
        all.extend(args);
        let out = seats_at(home.path(), "http://127.0.0.1:1", "o", &all)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && said.contains(says),
            "{args:?}: {said}"
        );
        assert!(!said.contains("reach"), "checked too late: {said}");
    }
}
