//! The client and an unreachable or misnamed host: a refused connection or a DNS failure fails
//! at once naming the host and port (a DNS failure as such), long waits are told to the wait
//! hook, `status` checks its APIs at the same time, and the admin URL's common forms work
//! while a 404 that could mean a wrong URL says so.

#[path = "support/hardening.rs"]
mod hardening;
#[path = "support/sandbox.rs"]
mod sandbox_support;

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use seats::atlassian::{
    ApiError, Client, ClientOptions, ConnectCause, Connection, Secret, WaitHook, WaitReason, org,
};
use seats::sandbox::SandboxConfig;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn conn(admin: &str) -> Connection {
    Connection {
        admin_url: Some(admin.into()),
        org_api_key: Some(Secret::new(SandboxConfig::default().org_api_key)),
        ..Connection::default()
    }
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test]
async fn a_refused_connection_fails_fast_naming_host_and_port() {
    let port = closed_port();
    let client = Client::new(&conn(&format!("http://127.0.0.1:{port}"))).unwrap();
    let started = Instant::now();
    let err = org::list_orgs(&client).try_concat().await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(
            &err,
            ApiError::Connect {
                cause: ConnectCause::Refused,
                ..
            }
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("127.0.0.1:{port}")) && msg.contains("refused"),
        "{msg}"
    );
    // One brief retry at most.
    assert!(client.stats().sent <= 2, "{:?}", client.stats());
}

#[tokio::test]
async fn a_dns_failure_is_named_and_not_retried() {
    let client = Client::new(&conn("https://no-such-host.seats-test.invalid")).unwrap();
    let err = org::list_orgs(&client).try_concat().await.unwrap_err();
    assert!(
        matches!(
            &err,
            ApiError::Connect {
                cause: ConnectCause::Dns,
                ..
            }
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("DNS lookup of no-such-host.seats-test.invalid failed"),
        "{msg}"
    );
    assert_eq!(client.stats().sent, 1);
}

#[tokio::test]
async fn long_waits_are_told_to_the_wait_hook() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/admin/v1/orgs"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/admin/v1/orgs"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/admin/v1/orgs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": [], "links": {}
        })))
        .mount(&server)
        .await;
    let (hook, mut notices) = WaitHook::channel();
    let options = ClientOptions {
        backoff_base: Duration::from_millis(150),
        backoff_max: Duration::from_millis(300),
        notice_after: Duration::from_millis(50),
        on_wait: Some(hook),
        ..ClientOptions::default()
    };
    let client = Client::with_options(&conn(&server.uri()), options).unwrap();
    let sent_at = std::time::Instant::now();
    org::list_orgs(&client).try_concat().await.unwrap();
    let mut seen = Vec::new();
    while let Ok(n) = notices.try_recv() {
        seen.push(n);
    }
    assert!(
        seen.iter()
            .any(|n| n.reason == WaitReason::ServerError { status: 503 } && n.until > sent_at),
        "{seen:?}"
    );
    let limited = seen
        .iter()
        .find(|n| n.reason == WaitReason::RateLimited)
        .unwrap_or_else(|| panic!("no rate-limit notice in {seen:?}"));
    // Retry-After: 1 is a wait of about a second from the answer.
    assert!(
        limited.until >= sent_at + Duration::from_millis(900),
        "{limited:?}"
    );
    assert!(limited.to_string().contains("rate limiting"), "{limited}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_url_is_the_host_with_or_without_admin() {
    let sb = sandbox_support::start_bare(10).await;
    let base = sb.base_url();
    for form in [
        base.clone(),
        format!("{base}/"),
        format!("{base}/admin"),
        format!("{base}/admin/"),
        format!("{base}/admin/v1"),
    ] {
        let client = Client::new(&conn(&form)).unwrap();
        let api = org::OrgApi::new(client, sb.org_id());
        assert!(api.get().await.is_ok(), "{form}");
    }
    let err = Client::new(&conn(&format!("{base}/gateway/admin"))).unwrap_err();
    assert!(err.to_string().contains("has the path"), "{err}");
    // The admin API's own 404 is about the org only.
    let api = org::OrgApi::new(Client::new(&conn(&base)).unwrap(), "no-such-org");
    let msg = api.get().await.unwrap_err().to_string();
    assert!(
        msg.contains("check --org-id") && !msg.contains("--admin-url"),
        "{msg}"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_404_that_is_not_the_admin_apis_says_both_causes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_string("<html>Not Found</html>"))
        .mount(&server)
        .await;
    let api = org::OrgApi::new(Client::new(&conn(&server.uri())).unwrap(), "org-1");
    let msg = api.get().await.unwrap_err().to_string();
    assert!(
        msg.contains("--org-id")
            && msg.contains("is not the Organizations admin API")
            && msg.contains(&server.uri()),
        "{msg}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_checks_its_apis_at_the_same_time() {
    // Each request takes 700 ms: one after the other, status's seven requests would take 4.9 s.
    let sb = seats::sandbox::start(SandboxConfig {
        users: 10,
        latency_ms: 700,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let home = hardening::Home::new();
    let (base, org) = (sb.base_url(), sb.org_id());
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        hardening::seats_at(home.path(), &base, &org, &["status"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(took < Duration::from_millis(3500), "status took {took:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn status_against_an_unreachable_host_ends_within_seconds() {
    let port = closed_port();
    let home = hardening::Home::new();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        hardening::seats_at(home.path(), &base, "o", &["status"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("127.0.0.1:{port}: the connection was refused")),
        "{stdout}"
    );
}
