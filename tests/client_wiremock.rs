//! Client cases that need exact bytes or timing, against wiremock: malformed JSON, next links
//! as URLs, repeating cursors, timeouts, Retry-After as an HTTP date, auth per family, 409s,
//! and no secret in any error.

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use seats::atlassian::error::ApiError;
use seats::atlassian::model::UserSearchRequest;
use seats::atlassian::org::{AddOutcome, OrgApi, list_orgs};
use seats::atlassian::{Client, ClientOptions, Connection, Secret, jira};
use serde_json::json;
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ORG_KEY: &str = "ORGKEY-s3cr3t-value-123";
const SITE_TOKEN: &str = "SITETOKEN-s3cr3t-value-456";
const USER_SEARCH: &str = "/admin/v2/orgs/org-1/directories/-/users/search";
const MEMBERSHIPS: &str = "/admin/v2/orgs/org-1/directories/d1/groups/g1/memberships";

fn conn(server: &MockServer) -> Connection {
    Connection {
        admin_url: Some(server.uri()),
        site_url: Some(server.uri()),
        org_id: Some("org-1".into()),
        email: Some("admin@acme.example".into()),
        org_api_key: Some(Secret::new(ORG_KEY)),
        site_token: Some(Secret::new(SITE_TOKEN)),
    }
}

fn fast() -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_millis(500),
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(50),
        max_retries: 3,
        ..ClientOptions::default()
    }
}

fn client(server: &MockServer) -> Client {
    Client::with_options(&conn(server), fast()).unwrap()
}

fn org_api(server: &MockServer) -> OrgApi {
    OrgApi::new(client(server), "org-1")
}

/// The error a search for every user ends with.
async fn user_search_error(server: &MockServer) -> ApiError {
    org_api(server)
        .search_users("-", UserSearchRequest::default())
        .try_concat()
        .await
        .unwrap_err()
}

fn assert_no_secret(e: &ApiError) {
    for text in [format!("{e}"), format!("{e:?}")] {
        assert!(
            !text.contains(ORG_KEY) && !text.contains(SITE_TOKEN),
            "secret leaked: {text}"
        );
        assert!(!text.contains("s3cr3t"), "secret leaked: {text}");
    }
}

fn user(id: &str) -> serde_json::Value {
    json!({"accountId": id, "name": id, "status": "active", "productAccess": [], "groups": []})
}

#[tokio::test]
async fn malformed_json_is_its_own_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(USER_SEARCH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(r#"{"data": [{"accountId": "a"#, "application/json"),
        )
        .mount(&server)
        .await;
    let err = user_search_error(&server).await;
    assert!(matches!(err, ApiError::Malformed { .. }), "{err:?}");
    assert!(err.to_string().contains("cannot read"), "{err}");
    assert_no_secret(&err);
}

#[tokio::test]
async fn links_next_as_a_full_url_is_followed() {
    let server = MockServer::start().await;
    let next = format!("{}/admin/v1/orgs?cursor=page2", server.uri());
    Mock::given(method("GET"))
        .and(path("/admin/v1/orgs"))
        .and(query_param("cursor", "page2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{"id": "o2", "type": "orgs", "attributes": {"name": "Two"}}], "links": {}})))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/admin/v1/orgs"))
        .and(header("authorization", format!("Bearer {ORG_KEY}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{"id": "o1", "type": "orgs", "attributes": {"name": "One"}}], "links": {"next": next}})))
        .with_priority(2)
        .mount(&server)
        .await;
    let c = client(&server);
    let orgs = list_orgs(&c).try_concat().await.unwrap();
    assert_eq!(
        orgs.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        ["o1", "o2"]
    );
}

#[tokio::test]
async fn a_next_link_to_another_host_gets_no_credentials() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/admin/v1/orgs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": [], "links": {"next": "https://evil.example/admin/v1/orgs?cursor=x"}}),
        ))
        .mount(&server)
        .await;
    let c = client(&server);
    let err = list_orgs(&c).try_concat().await.unwrap_err();
    assert!(err.to_string().contains("another host"), "{err}");
}

#[tokio::test]
async fn a_repeating_cursor_ends_with_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(USER_SEARCH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [user("a")], "links": {"next": "same-cursor"}})),
        )
        .mount(&server)
        .await;
    let err = user_search_error(&server).await;
    assert!(matches!(err, ApiError::PagingLoop { .. }), "{err:?}");
    // First page, then the page the cursor named once: two requests, not a loop.
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn search_cursor_goes_in_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(USER_SEARCH))
        .and(body_partial_json(json!({"cursor": "c2"})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": [user("b")], "links": {}})),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(USER_SEARCH))
        .and(body_partial_json(
            json!({"limit": 100, "expand": ["productAccess"]}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [user("a")], "links": {"next": "c2"}})),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    let org = org_api(&server);
    let req = UserSearchRequest {
        expand: vec!["productAccess".into()],
        limit: Some(100),
        ..Default::default()
    };
    let users = org.search_users("-", req).try_concat().await.unwrap();
    assert_eq!(
        users
            .iter()
            .map(|u| u.account_id.as_str())
            .collect::<Vec<_>>(),
        ["a", "b"]
    );
}

#[tokio::test]
async fn a_slow_server_hits_the_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/myself"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"accountId": "me"}))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let opts = ClientOptions {
        timeout: Duration::from_millis(200),
        max_retries: 1,
        ..fast()
    };
    let c = Client::with_options(&conn(&server), opts).unwrap();
    let started = Instant::now();
    let err = jira::myself(&c).await.unwrap_err();
    assert!(
        matches!(err, ApiError::Timeout { attempts: 2, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("did not answer within"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_no_secret(&err);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let server = MockServer::start().await;
    let when = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    Mock::given(method("GET"))
        .and(path("/rest/api/3/myself"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", when.as_str()))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/myself"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"accountId": "me", "displayName": "Me"})),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    let c = client(&server);
    let started = Instant::now();
    let me = jira::myself(&c).await.unwrap();
    assert_eq!(me.account_id, "me");
    // HTTP dates have whole seconds: the wait is between 1 and 2 s.
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(c.stats().rate_limited, 1);
}

#[tokio::test]
async fn a_429_without_retry_after_waits_for_the_reset() {
    let server = MockServer::start().await;
    let reset = (chrono::Utc::now() + chrono::Duration::milliseconds(800)).to_rfc3339();
    Mock::given(method("GET"))
        .and(path("/admin/v1/orgs/org-1"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("X-RateLimit-Limit", "100")
                .insert_header("X-RateLimit-Remaining", "0")
                .insert_header("X-RateLimit-Reset", reset.as_str())
                .set_body_json(json!({"code": 429, "message": "Too many requests"})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/admin/v1/orgs/org-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": {"id": "org-1", "type": "orgs", "attributes": {"name": "Acme"}}}),
        ))
        .with_priority(2)
        .mount(&server)
        .await;
    let org = org_api(&server);
    let started = Instant::now();
    assert_eq!(org.get().await.unwrap().data.attributes.name, "Acme");
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn retries_are_bounded_and_writes_that_are_not_idempotent_are_sent_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/admin/v1/orgs/org-1"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(MEMBERSHIPS))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    let org = org_api(&server);
    let err = org.get().await.unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Server {
                status: 503,
                attempts: 4,
                ..
            }
        ),
        "{err:?}"
    );
    let err = org.add_group_member("d1", "g1", "acc").await.unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Server {
                status: 502,
                attempts: 1,
                ..
            }
        ),
        "{err:?}"
    );
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(
        reqs.iter().filter(|r| r.method.as_str() == "GET").count(),
        4
    );
    assert_eq!(
        reqs.iter().filter(|r| r.method.as_str() == "POST").count(),
        1
    );
}

#[tokio::test]
async fn conflict_already_a_member_is_success_but_a_seat_limit_is_not() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MEMBERSHIPS))
        .and(body_partial_json(json!({"accountId": "member"})))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({"errors": [{"status": "409", "title": "Conflict", "detail": "User is already a member of the group"}]})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(MEMBERSHIPS))
        .and(body_partial_json(json!({"accountId": "newbie"})))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({"errors": [{"status": "409", "code": "ADMIN-409-3", "detail": "Product license limit exceeded"}]})))
        .mount(&server)
        .await;
    let org = org_api(&server);
    assert_eq!(
        org.add_group_member("d1", "g1", "member").await.unwrap(),
        AddOutcome::AlreadyMember
    );
    let err = org
        .add_group_member("d1", "g1", "newbie")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("license limit"), "{err}");
}

#[tokio::test]
async fn site_calls_use_basic_auth_and_401s_say_what_to_do() {
    let server = MockServer::start().await;
    let basic = format!(
        "Basic {}",
        base64_encode(&format!("admin@acme.example:{SITE_TOKEN}"))
    );
    Mock::given(method("GET"))
        .and(path("/rest/api/3/myself"))
        .and(header("authorization", basic.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"accountId": "me"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/admin/v1/orgs/org-1"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"code": 401, "message": "Unauthorized"})),
        )
        .mount(&server)
        .await;
    let c = client(&server);
    assert_eq!(jira::myself(&c).await.unwrap().account_id, "me");
    let err = OrgApi::new(c.clone(), "org-1").get().await.unwrap_err();
    assert!(err.to_string().contains("org API key was refused"), "{err}");
    assert!(
        err.to_string()
            .contains("admin.atlassian.com → Settings → API keys"),
        "{err}"
    );
    assert_no_secret(&err);
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused() {
    let mut c = Connection {
        admin_url: Some("http://api.example.com".into()),
        ..Connection::default()
    };
    c.org_api_key = Some(Secret::new(ORG_KEY));
    let err = Client::new(&c).unwrap_err();
    assert!(matches!(err, ApiError::InsecureUrl { .. }));
    assert_no_secret(&err);
}

#[tokio::test]
async fn missing_credentials_say_where_to_get_them() {
    let server = MockServer::start().await;
    let c = Connection {
        admin_url: Some(server.uri()),
        ..Connection::default()
    };
    let client = Client::with_options(&c, fast()).unwrap();
    let err = OrgApi::new(client.clone(), "o").get().await.unwrap_err();
    assert!(err.to_string().contains("SEATS_ORG_API_KEY"), "{err}");
    let err = jira::myself(&client).await.unwrap_err();
    assert!(err.to_string().contains("--site-url"), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

fn base64_encode(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[tokio::test]
async fn jira_says_already_a_member_with_a_400_which_is_success() {
    use seats::atlassian::org::AddOutcome;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/group/user"))
        .and(body_partial_json(json!({"accountId": "member"})))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"errorMessages": ["Cannot add user. User is already a member of 'jira-software-users'"], "errors": {}}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/group/user"))
        .and(body_partial_json(json!({"accountId": "nobody"})))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(
                json!({"errorMessages": ["The user does not exist."], "errors": {}}),
            ),
        )
        .mount(&server)
        .await;
    let c = client(&server);
    assert_eq!(
        jira::add_group_member(&c, "g1", "member").await.unwrap(),
        AddOutcome::AlreadyMember
    );
    let err = jira::add_group_member(&c, "g1", "nobody")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("The user does not exist."),
        "{err}"
    );
}
