//! The client against the in-process sandbox: paging over thousands of users, 429s with and
//! without Retry-After, 5xx and dropped connections, a wrong key, a wrong org, the whole
//! directory fetch.

#[path = "support/sandbox.rs"]
mod sandbox_support;

use std::collections::HashSet;
use std::time::Duration;

use futures::TryStreamExt;
use sandbox_support::start_bare;
use seats::atlassian::error::ApiError;
use seats::atlassian::fetch::{FetchEvent, FetchOptions, fetch_directory};
use seats::atlassian::model::UserSearchRequest;
use seats::atlassian::org::OrgApi;
use seats::atlassian::{Client, ClientOptions, Connection, Secret, jira};
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

fn quick() -> ClientOptions {
    ClientOptions {
        backoff_base: Duration::from_millis(20),
        backoff_max: Duration::from_millis(200),
        // Enough that a 30 % fault rate never exhausts a request (0.3^13).
        max_retries: 12,
        ..ClientOptions::default()
    }
}

/// Account ids the sandbox holds in its directory.
fn held_ids(sb: &Sandbox) -> HashSet<String> {
    let shared = sb.shared();
    let state = shared.read();
    state
        .users
        .iter()
        .filter(|u| u.in_directory())
        .map(|u| u.account_id.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_returns_every_user_exactly_once() {
    let sb = start_bare(3500).await;
    let client = Client::with_options(&conn(&sb), quick()).unwrap();
    let org = OrgApi::new(client.clone(), sb.org_id());
    let req = UserSearchRequest {
        limit: Some(100),
        expand: vec!["productAccess".into(), "groups".into()],
        ..Default::default()
    };
    let users = org.search_users("-", req).try_concat().await.unwrap();
    let ids: Vec<&str> = users.iter().map(|u| u.account_id.as_str()).collect();
    let unique: HashSet<String> = ids.iter().map(|s| s.to_string()).collect();
    assert_eq!(unique.len(), ids.len(), "a user came back twice");
    assert_eq!(unique, held_ids(&sb));
    // 100 a request, never one request per user.
    assert!(
        client.stats().sent <= (ids.len() as u64).div_ceil(100) + 1,
        "{:?}",
        client.stats()
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_admin_calls_without_retry_after_all_succeed() {
    let sb = start_bare(50).await;
    // One token every two seconds, a bucket of one. Another client takes the token, so this
    // client, which has seen no rate-limit headers yet, is refused and must wait for the reset.
    sb.set_rate_limit(30);
    let other = Client::with_options(&conn(&sb), quick()).unwrap();
    OrgApi::new(other, sb.org_id()).get().await.unwrap();
    let client = Client::with_options(&conn(&sb), quick()).unwrap();
    let org = OrgApi::new(client.clone(), sb.org_id());
    let started = std::time::Instant::now();
    assert_eq!(org.get().await.unwrap().data.id, sb.org_id());
    let s = client.stats();
    assert_eq!(s.failed, 0);
    assert!(
        s.rate_limited >= 1,
        "expected the sandbox to refuse the first call: {s:?}"
    );
    // The wait came from X-RateLimit-Reset (about two seconds), not a blind backoff.
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        started.elapsed()
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_site_calls_honour_retry_after() {
    let sb = start_bare(50).await;
    // As above, on the site: its 429s carry Retry-After (seconds).
    sb.set_rate_limit(30);
    let other = Client::with_options(&conn(&sb), quick()).unwrap();
    jira::myself(&other).await.unwrap();
    let client = Client::with_options(&conn(&sb), quick()).unwrap();
    let started = std::time::Instant::now();
    jira::myself(&client).await.unwrap();
    let s = client.stats();
    assert!(s.rate_limited >= 1, "{s:?}");
    assert_eq!(s.failed, 0);
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        started.elapsed()
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_retried_until_the_whole_directory_arrives() {
    let sb = start_bare(3000).await;
    // About 31 requests at 30 % failures: none failing has odds near 1 in 60,000.
    sb.set_fail_rate(0.3);
    let client = Client::with_options(&conn(&sb), quick()).unwrap();
    let dir = fetch_directory(&client, &sb.org_id(), FetchOptions::default())
        .await
        .unwrap();
    let ids: HashSet<String> = dir.users.iter().map(|u| u.account_id.clone()).collect();
    assert_eq!(ids.len(), dir.users.len());
    assert_eq!(ids, held_ids(&sb));
    assert!(client.stats().retries > 0, "{:?}", client.stats());
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_says_it_was_refused() {
    let sb = start_bare(10).await;
    let mut c = conn(&sb);
    c.org_api_key = Some(Secret::new("not-the-key-XYZZY"));
    let client = Client::with_options(&c, quick()).unwrap();
    let err = OrgApi::new(client, sb.org_id()).get().await.unwrap_err();
    assert!(matches!(err, ApiError::Unauthorized { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("org API key was refused") && text.contains("at most a year"),
        "{text}"
    );
    assert!(!text.contains("XYZZY") && !format!("{err:?}").contains("XYZZY"));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_org_says_no_such_org_is_visible() {
    let sb = start_bare(10).await;
    let client = Client::with_options(&conn(&sb), quick()).unwrap();
    let err = OrgApi::new(client.clone(), "00000000-0000-0000-0000-000000000000")
        .get()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("no org with id 00000000-0000-0000-0000-000000000000 is visible to this key"),
        "{err}"
    );
    let err = fetch_directory(&client, "wrong-org", FetchOptions::default())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("no org with id wrong-org"),
        "{err}"
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_directory_with_groups_seats_and_progress() {
    let sb = start_bare(800).await;
    let client = Client::with_options(&conn(&sb), quick()).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let opts = FetchOptions {
        progress: Some(tx),
        ..FetchOptions::everything()
    };
    let dir = fetch_directory(&client, &sb.org_id(), opts).await.unwrap();
    let mut events = Vec::new();
    while let Ok(ev) = rx.try_recv() {
        events.push(ev);
    }
    assert!(
        matches!(events.last(), Some(FetchEvent::Done { .. })),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, FetchEvent::Users { fetched } if *fetched == dir.users.len()))
    );

    {
        let shared = sb.shared();
        let state = shared.read();
        assert_eq!(dir.groups.len(), state.groups.len());
        for g in &state.groups {
            let got = dir.groups.iter().find(|d| d.id == g.id).unwrap();
            assert_eq!(got.synced, g.external_synced, "group {}", g.name);
        }
    }
    // Some group grants each product the sandbox sells, and seats cover every product.
    for key in sb.product_keys() {
        assert!(
            dir.groups.iter().any(|g| g.grants.iter().any(|k| k == key)),
            "no group grants {key}"
        );
        let seats = dir
            .seats
            .iter()
            .find(|s| s.product.key == key)
            .unwrap_or_else(|| panic!("no seats for {key}"));
        assert!(seats.used > 0, "{seats:?}");
    }
    sb.shutdown().await;
}
