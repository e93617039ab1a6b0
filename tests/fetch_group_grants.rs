//! The groups' product grants, read in bulk (one groups/search per workspace, by resource and
//! the user role), are exactly what each group's own role assignments say: at several sizes
//! and seeds, with groups that hold other roles or roles off the workspaces, when the API
//! refuses the filters and when it ignores them. And the bulk read costs a few requests, not
//! one per group.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures::TryStreamExt;
use seats::atlassian::fetch::{FetchOptions, UserPaging, fetch_directory};
use seats::atlassian::model::GroupSearchRequest;
use seats::atlassian::org::OrgApi;
use seats::atlassian::{Client, ClientOptions, Connection, Secret};
use seats::domain::product_key_from_ari;
use seats::sandbox::state::{Grant, OrgState, Product, Resource, Role};
use seats::sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
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
        ..ClientOptions::default()
    }
}

type Grants = BTreeMap<String, BTreeSet<String>>;

/// Each group's product keys the old way: its own role assignments, user role only.
async fn per_group(org: &OrgApi) -> Grants {
    let request = GroupSearchRequest {
        limit: Some(100),
        ..GroupSearchRequest::default()
    };
    let groups: Vec<_> = org.search_groups("-", request).try_concat().await.unwrap();
    let mut out = Grants::new();
    for g in groups {
        let ras: Vec<_> = org
            .group_role_assignments("-", &g.id)
            .try_concat()
            .await
            .unwrap();
        let keys = ras
            .into_iter()
            .filter(|ra| ra.roles.iter().any(|r| r == "atlassian/user"))
            .filter_map(|ra| ra.resource_id)
            .filter_map(|ari| product_key_from_ari(&ari).map(str::to_owned))
            .collect();
        out.insert(g.id, keys);
    }
    out
}

async fn fetched(client: &Client, org_id: &str, page_size: u32) -> Grants {
    let opts = FetchOptions {
        page_size,
        paging: UserPaging::Sequential,
        ..FetchOptions::everything()
    };
    let dir = fetch_directory(client, org_id, opts).await.unwrap();
    dir.groups
        .into_iter()
        .map(|g| (g.id, g.grants.into_iter().collect()))
        .collect()
}

/// Groups whose grants the per-workspace searches cannot account for: a resource on which the
/// group holds a role but not the user role, or a role on a resource that is no product.
fn unexplained(state: &OrgState) -> usize {
    state
        .groups
        .iter()
        .filter(|g| {
            let on: BTreeSet<Resource> = g.grants.iter().map(|gr| gr.resource).collect();
            let seats: BTreeSet<Resource> = g
                .grants
                .iter()
                .filter(|gr| gr.role == Role::User && matches!(gr.resource, Resource::Product(_)))
                .map(|gr| gr.resource)
                .collect();
            on != seats
        })
        .count()
}

/// Gives some groups roles the searches must not mistake for product seats, and moves others.
fn vary(state: &mut OrgState, seed: u64) {
    let n = state.groups.len();
    if n < 4 {
        return;
    }
    let pick = |k: u64| ((seed * 7 + k * 5) as usize) % n;
    // Admin of a product only: a role on a workspace, but no seat through it.
    state.groups[pick(1)].grants.push(Grant {
        resource: Resource::Product(Product::Confluence),
        role: Role::Admin,
    });
    // The user role on a product and admin on another.
    let g = pick(2);
    state.groups[g].grants.push(Grant {
        resource: Resource::Product(Product::JiraServiceManagement),
        role: Role::User,
    });
    state.groups[g].grants.push(Grant {
        resource: Resource::Product(Product::JiraSoftware),
        role: Role::Admin,
    });
    // A role off the workspaces.
    state.groups[pick(3)].grants.push(Grant {
        resource: Resource::Site,
        role: Role::SiteAdmin,
    });
    // A product group that grants nothing any more.
    state.groups[pick(4)].grants.clear();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_grants_equal_each_groups_own_at_every_size_and_seed() {
    for (users, seed, page_size, varied) in [
        (0, 1, 100, false),
        (40, 2, 100, true),
        (1500, 3, 2, false),
        (1500, 4, 100, true),
        (4000, 5, 7, true),
        (4000, 6, 100, false),
    ] {
        let sb = seats::sandbox::start(SandboxConfig {
            users,
            seed,
            record_requests: true,
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        if varied {
            vary(&mut sb.shared().write(), seed);
        }
        let client = Client::with_options(&conn(&sb), quick()).unwrap();
        let org = OrgApi::new(client.clone(), sb.org_id());
        let want = per_group(&org).await;
        let before = sb.recorded().len();
        let got = fetched(&client, &sb.org_id(), page_size).await;
        let case = format!("{users} users, seed {seed}, pages of {page_size}, varied {varied}");
        assert_eq!(got, want, "{case}");
        assert!(
            want.values().any(|keys| !keys.is_empty()),
            "{case}: no grants"
        );

        let sent = &sb.recorded()[before..];
        let group_reads = sent
            .iter()
            .filter(|r| r.path.contains("/groups/") && r.path.ends_with("/role-assignments"))
            .count();
        let by_resource = sent
            .iter()
            .filter(|r| {
                r.path.ends_with("/groups/search")
                    && r.request_body
                        .as_ref()
                        .is_some_and(|b| b.get("resourceIds").is_some())
            })
            .count();
        let (unexplained, groups) = {
            let shared = sb.shared();
            let state = shared.read();
            (unexplained(&state), state.groups.len())
        };
        // One read per group the searches cannot explain, none for the rest.
        assert_eq!(group_reads, unexplained, "{case}");
        // One search per product, more only when a product's groups span pages.
        let pages = groups.div_ceil(page_size as usize);
        assert!(
            (3..=3 * pages).contains(&by_resource),
            "{case}: {by_resource} searches"
        );
        assert!(group_reads + by_resource < groups + 3 || page_size < 10);
        sb.shutdown().await;
    }
}

// ---- Refused and ignored filters, against wiremock ---------------------------------------

const ORG: &str = "/admin/v1/orgs/org-1";
const GROUPS: &str = "/admin/v2/orgs/org-1/directories/-/groups/search";
const JIRA: &str = "ari:cloud:jira-software::site/c1";
const CONF: &str = "ari:cloud:confluence::site/c1";

/// Two workspaces and five groups: `g1`, `g4` and `g5` grant Jira, `g2` holds no role, `g3`
/// grants Confluence and administers Jira. Searches by resource answer 400 when `refuse`, every
/// group when `ignore`.
async fn org_server(refuse: bool, ignore: bool) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ORG))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"id": "org-1", "attributes": {"name": "Org"}}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/admin/v2/orgs/org-1/directories/-/users/search"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [], "links": {}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/admin/v2/orgs/org-1/workspaces"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                {"id": JIRA, "type": "workspace", "attributes": {"typeKey": "jira-software"}},
                {"id": CONF, "type": "workspace", "attributes": {"typeKey": "confluence"}}
            ],
            "links": {}
        })))
        .mount(&server)
        .await;
    let group = |id: &str, resources: u64| json!({"id": id, "name": id, "directoryId": "d1", "counts": {"users": 1, "resources": resources}});
    let all = vec![
        group("g1", 1),
        group("g2", 0),
        group("g3", 2),
        group("g4", 1),
        group("g5", 1),
    ];
    Mock::given(method("POST"))
        .and(path(GROUPS))
        .respond_with(move |req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(json!({}));
            let data: Vec<Value> = match body["resourceIds"][0].as_str() {
                None => all.clone(),
                Some(_) if refuse => {
                    return ResponseTemplate::new(400).set_body_json(json!({
                        "errors": [{"code": "ADMIN-400-24", "title": "Bad Request", "detail": "resourceIds is not supported"}]
                    }));
                }
                Some(_) if ignore => all.clone(),
                Some(r) if r == JIRA => vec![all[0].clone(), all[3].clone(), all[4].clone()],
                Some(_) => vec![all[2].clone()],
            };
            ResponseTemplate::new(200).set_body_json(json!({"data": data, "links": {}}))
        })
        .mount(&server)
        .await;
    let roles = |items: Value| {
        ResponseTemplate::new(200).set_body_json(json!({"data": items, "links": {}}))
    };
    for (id, items) in [
        (
            "g1",
            json!([{"resourceId": JIRA, "roles": ["atlassian/user"]}]),
        ),
        ("g2", json!([])),
        (
            "g4",
            json!([{"resourceId": JIRA, "roles": ["atlassian/user"]}]),
        ),
        (
            "g5",
            json!([{"resourceId": JIRA, "roles": ["atlassian/user"]}]),
        ),
        (
            "g3",
            json!([
                {"resourceId": CONF, "roles": ["atlassian/user"]},
                {"resourceId": JIRA, "roles": ["atlassian/admin"]}
            ]),
        ),
    ] {
        Mock::given(method("GET"))
            .and(path_regex(format!(
                "^/admin/v2/orgs/org-1/directories/[^/]+/groups/{id}/role-assignments$"
            )))
            .respond_with(roles(items))
            .mount(&server)
            .await;
    }
    server
}

async fn grants_and_reads(server: &MockServer) -> (Grants, Vec<String>) {
    let conn = Connection {
        admin_url: Some(server.uri()),
        org_id: Some("org-1".into()),
        org_api_key: Some(Secret::new("key")),
        ..Connection::default()
    };
    let client = Client::with_options(&conn, quick()).unwrap();
    let got = fetched(&client, "org-1", 100).await;
    let reads = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().ends_with("/role-assignments"))
        .map(|r| r.url.path().to_owned())
        .collect();
    (got, reads)
}

fn expected() -> Grants {
    [
        ("g1", vec!["jira-software"]),
        ("g2", vec![]),
        ("g3", vec!["confluence"]),
        ("g4", vec!["jira-software"]),
        ("g5", vec!["jira-software"]),
    ]
    .into_iter()
    .map(|(g, keys)| (g.to_owned(), keys.into_iter().map(str::to_owned).collect()))
    .collect()
}

#[tokio::test]
async fn searches_by_resource_answer_without_reading_explained_groups() {
    let (got, reads) = grants_and_reads(&org_server(false, false).await).await;
    assert_eq!(got, expected());
    // g3 holds a role the user-role searches do not list (admin of Jira): read alone.
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert!(reads[0].contains("/groups/g3/"), "{reads:?}");
}

#[tokio::test]
async fn a_refused_filter_falls_back_to_each_groups_role_assignments() {
    let (got, reads) = grants_and_reads(&org_server(true, false).await).await;
    assert_eq!(got, expected());
    // Every group that holds a role is read; g2 holds none.
    assert_eq!(reads.len(), 4, "{reads:?}");
    assert!(!reads.iter().any(|r| r.contains("/groups/g2/")));
}

#[tokio::test]
async fn a_server_ignoring_the_filters_is_caught_by_the_counts() {
    let (got, reads) = grants_and_reads(&org_server(false, true).await).await;
    // Every group came back for every resource: more than the counts allow.
    assert_eq!(got, expected());
    assert_eq!(reads.len(), 4, "{reads:?}");
}

#[tokio::test]
async fn with_no_fewer_workspaces_than_groups_to_read_each_group_is_read() {
    let server = org_server(false, false).await;
    // Three groups only (g1, g2, g3): two to read, and two workspaces to search.
    Mock::given(method("POST"))
        .and(path(GROUPS))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
            {"id": "g1", "name": "g1", "counts": {"resources": 1}},
            {"id": "g2", "name": "g2", "counts": {"resources": 0}},
            {"id": "g3", "name": "g3", "counts": {"resources": 2}}
        ], "links": {}})))
        .with_priority(1)
        .mount(&server)
        .await;
    let (got, reads) = grants_and_reads(&server).await;
    let want: Grants = expected()
        .into_iter()
        .filter(|(g, _)| ["g1", "g2", "g3"].contains(&g.as_str()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(reads.len(), 2, "{reads:?}");
    let sent = server.received_requests().await.unwrap();
    assert!(!sent.iter().any(
        |r| r.url.path() == GROUPS && String::from_utf8_lossy(&r.body).contains("resourceIds")
    ));
}
