//! The directory read in more than two parts: split by membership, then claim status, then (for
//! managed accounts) two-step verification, wherever the server's counts show the split is
//! exact. The union is exactly the directory at many sizes and seeds, also while users move
//! between parts during the fetch; a server that refuses or ignores a filter gets a coarser
//! split, never a wrong one.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use seats::atlassian::fetch::{FetchOptions, UserPaging, fetch_directory};
use seats::atlassian::{Client, ClientOptions, Connection, Secret};
use seats::domain::User;
use seats::sandbox::state::{Membership, UserIx};
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
        max_retries: 12,
        ..ClientOptions::default()
    }
}

async fn users(client: &Client, org_id: &str, paging: UserPaging, page_size: u32) -> Vec<User> {
    let opts = FetchOptions {
        paging,
        page_size,
        ..FetchOptions::default()
    };
    fetch_directory(client, org_id, opts).await.unwrap().users
}

fn ids(users: &[User]) -> HashSet<String> {
    users.iter().map(|u| u.account_id.clone()).collect()
}

/// The users/search bodies the sandbox received (first pages only: no cursor).
fn first_search_bodies(sb: &Sandbox) -> Vec<Value> {
    sb.recorded()
        .into_iter()
        .filter(|r| r.path.ends_with("/users/search"))
        .filter_map(|r| r.request_body)
        .filter(|b| b.get("cursor").is_none())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_union_of_the_parts_is_exactly_the_directory_at_every_size_and_seed() {
    for (accounts, seed, page_size) in [
        (0, 31, 100),
        (3, 32, 1),
        (230, 33, 100),
        (230, 34, 7),
        (900, 35, 20),
        (2600, 36, 100),
        (2600, 37, 33),
        (6000, 38, 100),
    ] {
        let sb = seats::sandbox::start(SandboxConfig {
            users: accounts,
            seed,
            record_requests: true,
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let client = Client::with_options(&conn(&sb), quick()).unwrap();
        let org_id = sb.org_id();
        let sequential = users(&client, &org_id, UserPaging::Sequential, page_size).await;
        let parallel = users(&client, &org_id, UserPaging::Parallel, page_size).await;
        let case = format!("{accounts} accounts, seed {seed}, pages of {page_size}");
        assert_eq!(ids(&parallel).len(), parallel.len(), "{case}: a user twice");
        assert_eq!(parallel, sequential, "{case}");
        // The sandbox's own directory: everyone listed, no one else.
        let want: HashSet<String> = {
            let shared = sb.shared();
            let state = shared.read();
            (0..state.users.len() as UserIx)
                .map(|ix| state.user(ix))
                .filter(|u| u.in_directory())
                .map(|u| u.account_id.clone())
                .collect()
        };
        assert_eq!(ids(&parallel), want, "{case}");

        // Where the directory spans many pages, the parts go down to two-step verification.
        let bodies = first_search_bodies(&sb);
        let split_by = |field: &str| bodies.iter().any(|b| b.get(field).is_some());
        if sequential.len() > 4 * page_size as usize {
            assert!(split_by("claimStatus"), "{case}");
            assert!(split_by("mfaEnabled"), "{case}");
        }
        // Two-step verification splits managed accounts only (the spec defines it for those).
        assert!(
            bodies
                .iter()
                .filter(|b| b.get("mfaEnabled").is_some())
                .all(|b| b["claimStatus"] == json!("managed")),
            "{case}"
        );
        sb.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_moving_between_parts_during_the_fetch_are_never_repeated_or_missed_if_unmoved() {
    for seed in [41, 42, 43] {
        let sb = seats::sandbox::start(SandboxConfig {
            users: 3000,
            seed,
            // Slow enough that the changes land while the streams run.
            latency_ms: 4,
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let shared = sb.shared();
        let directory: Vec<UserIx> = {
            let state = shared.read();
            (0..state.users.len() as UserIx)
                .filter(|ix| state.user(*ix).in_directory())
                .collect()
        };
        let stop = Arc::new(AtomicBool::new(false));
        // Moves users between every kind of part: suspends and restores them, flips two-step
        // verification and the claim status, straight in the sandbox's state.
        let mover = {
            let (shared, stop, directory) = (shared.clone(), stop.clone(), directory.clone());
            tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(seed);
                let mut moved: HashSet<UserIx> = HashSet::new();
                while !stop.load(Ordering::Relaxed) {
                    {
                        let mut state = shared.write();
                        for _ in 0..5 {
                            let ix = directory[rng.gen_range(0..directory.len())];
                            let u = &mut state.users[ix as usize];
                            match rng.gen_range(0..3) {
                                0 => {
                                    u.membership = match u.membership {
                                        Membership::Active => Membership::Suspended,
                                        _ => Membership::Active,
                                    }
                                }
                                1 => u.mfa_enabled = !u.mfa_enabled,
                                _ => u.managed = !u.managed,
                            }
                            moved.insert(ix);
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(3)).await;
                }
                moved
            })
        };
        let client = Client::with_options(&conn(&sb), quick()).unwrap();
        let fetched = users(&client, &sb.org_id(), UserPaging::Parallel, 100).await;
        stop.store(true, Ordering::Relaxed);
        let moved = mover.await.unwrap();
        assert!(moved.len() > 20, "seed {seed}: only {} moved", moved.len());

        assert_eq!(
            ids(&fetched).len(),
            fetched.len(),
            "seed {seed}: a user twice"
        );
        let got = ids(&fetched);
        {
            let state = shared.read();
            for ix in &directory {
                let id = &state.user(*ix).account_id;
                if !moved.contains(ix) {
                    assert!(
                        got.contains(id),
                        "seed {seed}: {id} never moved and was missed"
                    );
                }
            }
            let known: HashSet<&str> = directory
                .iter()
                .map(|ix| state.user(*ix).account_id.as_str())
                .collect();
            assert!(got.iter().all(|id| known.contains(id.as_str())));
        }
        sb.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_a_rate_limit_the_split_fetch_paces_itself_and_reads_the_same_users() {
    let sb = seats::sandbox::start(SandboxConfig {
        users: 2500,
        seed: 44,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let client = Client::with_options(&conn(&sb), quick()).unwrap();
    let sequential = users(&client, &sb.org_id(), UserPaging::Sequential, 100).await;
    // 600 a minute: a bucket of 10, refilled 10 a second; the split fetch sends ~40.
    sb.set_rate_limit(600);
    let client = Client::with_options(&conn(&sb), quick()).unwrap();
    let started = std::time::Instant::now();
    let parallel = users(&client, &sb.org_id(), UserPaging::Parallel, 100).await;
    let took = started.elapsed();
    assert_eq!(parallel, sequential);
    let stats = client.stats();
    assert_eq!(stats.failed, 0, "{stats:?}");
    // Paced to the headers rather than retried into the limit: a few 429s when the bucket runs
    // dry, and the time the limit allows for the requests beyond the first ten.
    assert!(stats.rate_limited <= 8, "{stats:?}");
    let floor = Duration::from_millis(stats.sent.saturating_sub(10) * 100) / 2;
    assert!(took >= floor, "{stats:?} in {took:?}");
    sb.shutdown().await;
}

// ---- Refused and ignored filters, against a small wiremock org ---------------------------

/// 450 active users; `a{i}` is managed unless `i % 3 == 0` and has two-step verification when
/// `i` is even. The search honours every filter, the nickname sort and a cursor (an offset);
/// the count answers 400 to `claimStatus` when `refuse_claim`, and ignores `mfaEnabled` when
/// `ignore_mfa`.
async fn small_org(refuse_claim: bool, ignore_mfa: bool) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/admin/v1/orgs/org-1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"id": "org-1", "attributes": {"name": "Org"}}})),
        )
        .mount(&server)
        .await;
    let users: Vec<(usize, bool, bool)> = (0..450).map(|i| (i, i % 3 != 0, i % 2 == 0)).collect();
    let wire = |i: usize, managed: bool| {
        json!({"accountId": format!("a{i:03}"), "name": format!("User {i:03}"),
               "nickname": format!("n{i:03}"), "status": "active", "membershipStatus": "active",
               "claimStatus": if managed { "managed" } else { "unmanaged" }})
    };
    let keep = move |claim: Option<&str>, mfa: Option<bool>, u: &(usize, bool, bool)| {
        claim.is_none_or(|c| (c == "managed") == u.1) && mfa.is_none_or(|m| m == u.2)
    };
    let count_users = users.clone();
    Mock::given(method("GET"))
        .and(path("/admin/v2/orgs/org-1/directories/-/users/count"))
        .respond_with(move |req: &Request| {
            let q: HashMap<String, String> = req.url.query_pairs().into_owned().collect();
            if refuse_claim && q.contains_key("claimStatus") {
                return ResponseTemplate::new(400).set_body_json(json!({
                    "errors": [{"code": "ADMIN-400-24", "title": "Bad Request", "detail": "claimStatus"}]
                }));
            }
            let claim = q.get("claimStatus").map(String::as_str);
            let mfa = if ignore_mfa {
                None
            } else {
                q.get("mfaEnabled").map(|m| m == "true")
            };
            let n = if q.get("membershipStatus").map(String::as_str) == Some("suspended") {
                0
            } else {
                count_users.iter().filter(|u| keep(claim, mfa, u)).count()
            };
            ResponseTemplate::new(200).set_body_json(json!({ "count": n }))
        })
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/admin/v2/orgs/org-1/directories/-/users/search"))
        .respond_with(move |req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(json!({}));
            let claim = body["claimStatus"].as_str();
            let mfa = body["mfaEnabled"].as_bool();
            let mut hits: Vec<&(usize, bool, bool)> =
                if body["membershipStatus"] == json!(["suspended"]) {
                    Vec::new()
                } else {
                    users.iter().filter(|u| keep(claim, mfa, u)).collect()
                };
            if body["sortBy"][0]["direction"] == json!("desc") {
                hits.reverse();
            }
            let limit = body["limit"].as_u64().unwrap_or(50) as usize;
            let start: usize = body["cursor"]
                .as_str()
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            let page: Vec<Value> = hits
                .iter()
                .skip(start)
                .take(limit)
                .map(|u| wire(u.0, u.1))
                .collect();
            let links = if start + limit < hits.len() {
                json!({"next": (start + limit).to_string()})
            } else {
                json!({})
            };
            ResponseTemplate::new(200).set_body_json(json!({"data": page, "links": links}))
        })
        .mount(&server)
        .await;
    server
}

/// The users fetched and the filters of every first search page.
async fn split_fetch(server: &MockServer) -> (Vec<User>, Vec<Value>) {
    let conn = Connection {
        admin_url: Some(server.uri()),
        org_id: Some("org-1".into()),
        org_api_key: Some(Secret::new("key")),
        ..Connection::default()
    };
    let client = Client::with_options(&conn, quick()).unwrap();
    let got = users(&client, "org-1", UserPaging::Parallel, 50).await;
    let bodies = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().ends_with("/users/search"))
        .filter_map(|r| serde_json::from_slice::<Value>(&r.body).ok())
        .filter(|b| b.get("cursor").is_none())
        .collect();
    (got, bodies)
}

fn all_450() -> HashSet<String> {
    (0..450).map(|i| format!("a{i:03}")).collect()
}

#[tokio::test]
async fn a_server_honouring_the_filters_gets_every_split() {
    let (got, bodies) = split_fetch(&small_org(false, false).await).await;
    assert_eq!(got.len(), 450);
    assert_eq!(ids(&got), all_450());
    for (claim, mfa) in [
        (json!("managed"), json!(true)),
        (json!("managed"), json!(false)),
        (json!("unmanaged"), Value::Null),
    ] {
        for dir in ["asc", "desc"] {
            assert!(
                bodies.iter().any(|b| b["claimStatus"] == claim
                    && b.get("mfaEnabled").cloned().unwrap_or(Value::Null) == mfa
                    && b["sortBy"][0]["direction"] == json!(dir)),
                "{claim} {mfa} {dir}: {bodies:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_refused_claim_status_leaves_the_membership_parts_whole() {
    let (got, bodies) = split_fetch(&small_org(true, false).await).await;
    assert_eq!(got.len(), 450);
    assert_eq!(ids(&got), all_450());
    assert!(
        bodies
            .iter()
            .all(|b| b.get("claimStatus").is_none() && b.get("mfaEnabled").is_none()),
        "{bodies:?}"
    );
    assert!(
        bodies
            .iter()
            .any(|b| b["membershipStatus"] == json!(["active"]))
    );
}

#[tokio::test]
async fn counts_that_ignore_two_step_verification_do_not_split_by_it() {
    let (got, bodies) = split_fetch(&small_org(false, true).await).await;
    assert_eq!(got.len(), 450);
    assert_eq!(ids(&got), all_450());
    assert!(bodies.iter().any(|b| b["claimStatus"] == json!("managed")));
    assert!(
        bodies.iter().all(|b| b.get("mfaEnabled").is_none()),
        "{bodies:?}"
    );
}
