//! The parallel user fetch gives exactly what the plain page-by-page search gives: against the
//! sandbox at many sizes, seeds and page sizes (first names as nicknames: ties everywhere), with
//! faults, with the page stream to the console, and falling back when the API refuses a sort.

use std::collections::HashSet;
use std::time::Duration;

use futures::TryStreamExt;
use seats::atlassian::error::ApiError;
use seats::atlassian::fetch::{FetchEvent, FetchOptions, UserPaging, fetch_directory};
use seats::atlassian::model::UserSearchRequest;
use seats::atlassian::org::OrgApi;
use seats::atlassian::{Client, ClientOptions, Connection, Secret};
use seats::domain::User;
use seats::sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

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
        backoff_base: Duration::from_millis(5),
        backoff_max: Duration::from_millis(50),
        // A 30 % fault rate never exhausts a request (0.3^13).
        max_retries: 12,
        ..ClientOptions::default()
    }
}

async fn sandbox(users: usize, seed: u64) -> Sandbox {
    seats::sandbox::start(SandboxConfig {
        users,
        seed,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

async fn users(sb: &Sandbox, paging: UserPaging, page_size: u32) -> Result<Vec<User>, ApiError> {
    let client = Client::with_options(&conn(sb), quick()).unwrap();
    let opts = FetchOptions {
        paging,
        page_size,
        ..FetchOptions::default()
    };
    fetch_directory(&client, &sb.org_id(), opts)
        .await
        .map(|d| d.users)
}

/// The plain search's account ids, straight off the wire.
async fn wire_ids(sb: &Sandbox) -> Vec<String> {
    let client = Client::with_options(&conn(sb), quick()).unwrap();
    let req = UserSearchRequest {
        limit: Some(100),
        ..Default::default()
    };
    OrgApi::new(client, sb.org_id())
        .search_users("-", req)
        .try_concat()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.account_id)
        .collect()
}

fn ids(users: &[User]) -> HashSet<String> {
    users.iter().map(|u| u.account_id.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_gives_exactly_the_sequential_users_at_every_size() {
    for (accounts, seed, page_size) in [
        (0, 1, 100),
        (1, 2, 100),
        (7, 3, 100),
        (7, 3, 2),
        (150, 4, 100),
        (150, 8, 9),
        (1000, 5, 100),
        (1000, 9, 13),
        (5000, 6, 100),
    ] {
        let sb = sandbox(accounts, seed).await;
        let wire = wire_ids(&sb).await;
        let sequential = users(&sb, UserPaging::Sequential, page_size).await.unwrap();
        let parallel = users(&sb, UserPaging::Parallel, page_size).await.unwrap();
        let case = format!("{accounts} accounts, seed {seed}, pages of {page_size}");
        assert_eq!(ids(&parallel).len(), parallel.len(), "{case}: a user twice");
        assert_eq!(
            ids(&parallel),
            wire.iter().cloned().collect::<HashSet<_>>(),
            "{case}"
        );
        assert_eq!(wire.len(), sequential.len(), "{case}");
        // Same users, same contents, same order.
        assert_eq!(parallel, sequential, "{case}");
        sb.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_suspensions_both_fetches_still_agree() {
    let sb = sandbox(1200, 21).await;
    let before = users(&sb, UserPaging::Sequential, 100).await.unwrap();
    let client = Client::with_options(&conn(&sb), quick()).unwrap();
    let org = OrgApi::new(client, sb.org_id());
    // Moves users from the active part to the suspended one, which then spans several pages.
    for u in before.iter().filter(|u| !u.org_admin).step_by(7) {
        org.suspend_user(&sb.directory_id(), &u.account_id)
            .await
            .unwrap();
    }
    let sequential = users(&sb, UserPaging::Sequential, 100).await.unwrap();
    let parallel = users(&sb, UserPaging::Parallel, 100).await.unwrap();
    assert_eq!(parallel, sequential);
    assert_eq!(ids(&sequential), ids(&before));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_reaches_the_console_once_with_a_total_first() {
    let sb = sandbox(2500, 12).await;
    let client = Client::with_options(&conn(&sb), quick()).unwrap();
    let (pages_tx, mut pages_rx) = tokio::sync::mpsc::unbounded_channel();
    let (events_tx, mut events_rx) = tokio::sync::mpsc::unbounded_channel();
    let opts = FetchOptions {
        pages: Some(pages_tx),
        progress: Some(events_tx),
        ..FetchOptions::default()
    };
    let dir = fetch_directory(&client, &sb.org_id(), opts).await.unwrap();
    let mut streamed: Vec<String> = Vec::new();
    let mut pages = 0;
    while let Ok(page) = pages_rx.try_recv() {
        assert!(!page.is_empty());
        pages += 1;
        streamed.extend(page.into_iter().map(|u| u.account_id));
    }
    let unique: HashSet<String> = streamed.iter().cloned().collect();
    assert_eq!(unique.len(), streamed.len(), "a user was streamed twice");
    assert_eq!(unique, ids(&dir.users));
    assert!(pages >= 20, "{pages} pages");

    let mut events = Vec::new();
    while let Ok(ev) = events_rx.try_recv() {
        events.push(ev);
    }
    let first_users = events
        .iter()
        .position(|e| matches!(e, FetchEvent::Users { .. }))
        .unwrap();
    let expected = events.iter().position(
        |e| matches!(e, FetchEvent::UsersExpected { total } if *total == dir.users.len()),
    );
    assert!(expected.is_some_and(|i| i < first_users), "{events:?}");
    let counts: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            FetchEvent::Users { fetched } => Some(*fetched),
            _ => None,
        })
        .collect();
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    assert_eq!(counts.last(), Some(&dir.users.len()));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_faults_the_parallel_fetch_completes_identically_or_fails_cleanly() {
    let sb = sandbox(3000, 13).await;
    let clean = users(&sb, UserPaging::Sequential, 100).await.unwrap();
    sb.set_fail_rate(0.3);
    let client = Client::with_options(&conn(&sb), quick()).unwrap();
    let dir = fetch_directory(&client, &sb.org_id(), FetchOptions::default())
        .await
        .unwrap();
    assert!(client.stats().retries > 0, "{:?}", client.stats());
    assert_eq!(dir.users, clean);

    // No retries and every other answer a fault: an error, soon, and no panic.
    sb.set_fail_rate(0.5);
    let fragile = ClientOptions {
        max_retries: 0,
        ..quick()
    };
    let client = Client::with_options(&conn(&sb), fragile).unwrap();
    let org_id = sb.org_id();
    let mut failed = 0;
    for _ in 0..3 {
        let run = fetch_directory(&client, &org_id, FetchOptions::default());
        match tokio::time::timeout(Duration::from_secs(30), run).await {
            Ok(Err(_)) => failed += 1,
            Ok(Ok(dir)) => assert_eq!(dir.users, clean),
            Err(_) => panic!("the fetch hung"),
        }
    }
    assert!(failed > 0);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meeting_in_the_middle_costs_few_requests_beyond_the_plain_search() {
    let sb = sandbox(5000, 14).await;
    let count = |paging| {
        let sb = &sb;
        async move {
            let client = Client::with_options(&conn(sb), quick()).unwrap();
            let opts = FetchOptions {
                paging,
                ..FetchOptions::default()
            };
            fetch_directory(&client, &sb.org_id(), opts).await.unwrap();
            client.stats().sent
        }
    };
    let sequential = count(UserPaging::Sequential).await;
    let parallel = count(UserPaging::Parallel).await;
    // At most ten counts (two parts, their claim-status halves, the managed halves' two-step
    // halves), and per pair (at most four) one extra page at the meeting and the pages past a
    // tie of first names where the streams meet (a few hundred Adas at most).
    assert!(
        parallel <= sequential + 24,
        "parallel {parallel} requests, sequential {sequential}"
    );
    sb.shutdown().await;
}

// ---- Refusals, against wiremock --------------------------------------------------------

const SEARCH: &str = "/admin/v2/orgs/org-1/directories/-/users/search";
const COUNT: &str = "/admin/v2/orgs/org-1/directories/-/users/count";

fn mock_conn(server: &MockServer) -> Connection {
    Connection {
        admin_url: Some(server.uri()),
        site_url: None,
        org_id: Some("org-1".into()),
        email: None,
        org_api_key: Some(Secret::new("key")),
        site_token: None,
    }
}

fn wire_user(i: usize) -> Value {
    json!({"accountId": format!("a{i:03}"), "name": format!("User {i:03}"), "nickname": format!("u{i}"), "status": "active"})
}

/// An org of 150 users whose search answers two plain pages; sorted searches get a 400 when
/// `refuse_sort`, and the count answers with `count_status`.
async fn refusing_server(refuse_sort: bool, count_status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/admin/v1/orgs/org-1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"id": "org-1", "attributes": {"name": "Org"}}})),
        )
        .mount(&server)
        .await;
    let count = match count_status {
        200 => ResponseTemplate::new(200).set_body_json(json!({"count": 150})),
        s => ResponseTemplate::new(s)
            .set_body_json(json!({"errors": [{"code": "ADMIN-404-1", "title": "Not Found"}]})),
    };
    Mock::given(method("GET"))
        .and(path(COUNT))
        .respond_with(count)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(SEARCH))
        .respond_with(move |req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(json!({}));
            if refuse_sort && body.get("sortBy").is_some() {
                return ResponseTemplate::new(400).set_body_json(json!({
                    "errors": [{"code": "ADMIN-400-1", "title": "Bad Request", "detail": "sortBy is not supported"}]
                }));
            }
            let (users, links) = if body.get("cursor").is_some() {
                ((100..150).map(wire_user).collect::<Vec<_>>(), json!({}))
            } else {
                ((0..100).map(wire_user).collect(), json!({"next": "page-2"}))
            };
            ResponseTemplate::new(200).set_body_json(json!({"data": users, "links": links}))
        })
        .mount(&server)
        .await;
    server
}

async fn fetched(server: &MockServer) -> Vec<User> {
    let client = Client::with_options(&mock_conn(server), quick()).unwrap();
    fetch_directory(&client, "org-1", FetchOptions::default())
        .await
        .unwrap()
        .users
}

async fn search_bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == SEARCH)
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test]
async fn a_refused_sort_falls_back_to_the_plain_search() {
    let server = refusing_server(true, 200).await;
    let users = fetched(&server).await;
    let want: HashSet<String> = (0..150).map(|i| format!("a{i:03}")).collect();
    assert_eq!(users.len(), 150);
    assert_eq!(ids(&users), want);
    let bodies = search_bodies(&server).await;
    assert!(
        bodies.iter().any(|b| b.get("sortBy").is_some()),
        "the sort was tried"
    );
    // The plain search ran to its end: a first page and the cursor's.
    let plain: Vec<&Value> = bodies
        .iter()
        .filter(|b| b.get("sortBy").is_none() && b.get("membershipStatus").is_none())
        .collect();
    assert_eq!(plain.len(), 2, "{bodies:?}");
}

#[tokio::test]
async fn an_unavailable_count_falls_back_to_the_plain_search() {
    let server = refusing_server(false, 404).await;
    let users = fetched(&server).await;
    assert_eq!(users.len(), 150);
    let bodies = search_bodies(&server).await;
    assert!(
        bodies
            .iter()
            .all(|b| b.get("sortBy").is_none() && b.get("membershipStatus").is_none()),
        "{bodies:?}"
    );
}

#[tokio::test]
async fn the_sorted_streams_ask_for_each_part_both_ways() {
    // The server ignores filters and sorts: the count guard must still give everyone once.
    let server = refusing_server(false, 200).await;
    let users = fetched(&server).await;
    assert_eq!(ids(&users).len(), 150);
    assert_eq!(users.len(), 150);
    let bodies = search_bodies(&server).await;
    for (part, dir) in [("active", "asc"), ("active", "desc")] {
        assert!(
            bodies.iter().any(|b| b["membershipStatus"] == json!([part])
                && b["sortBy"] == json!([{"field": "nick_name", "direction": dir}])),
            "{part} {dir}: {bodies:?}"
        );
    }
}
