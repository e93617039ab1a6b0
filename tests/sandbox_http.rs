//! What every request goes through: auth, validation, rate limits, faults, recording.

#[path = "support/sandbox.rs"]
mod sandbox_support;

use std::time::Duration;

use chrono::{DateTime, Utc};
use sandbox_support::{error_code, json_of, start, start_with};
use seats::sandbox::{DEFAULT_SITE_EMAIL, DEFAULT_SITE_TOKEN, SandboxConfig};
use serde_json::json;

#[tokio::test]
async fn missing_or_wrong_credentials_get_the_real_401_bodies() {
    let admin = start(50).await;
    let url = admin.admin_url("/v1/orgs");
    let none = admin
        .client
        .get(&url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let body = json_of(none, 401).await;
    assert_eq!(body["code"], 401);
    assert!(body["message"].is_string());
    let wrong = admin
        .client
        .get(&url)
        .bearer_auth("not-the-key")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json_of(wrong, 401).await["code"], 401);
    let right = admin
        .client
        .get(&url)
        .bearer_auth(seats::sandbox::DEFAULT_ORG_API_KEY)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let orgs = json_of(right, 200).await;
    assert_eq!(orgs["data"][0]["id"], admin.org.as_str());
    assert_eq!(orgs["data"][0]["type"], "orgs");

    // User management: {key: unauthorized}.
    let um = admin
        .client
        .get(format!("{}/users/x/manage", admin.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json_of(um, 401).await, json!({"key": "unauthorized"}));
    // The site takes basic auth, not the org key.
    let site = admin
        .client
        .get(format!("{}/rest/api/3/myself", admin.base))
        .bearer_auth(seats::sandbox::DEFAULT_ORG_API_KEY)
        .send()
        .await;
    let site = site.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(site.status().as_u16(), 401);
    assert!(site.headers().get("www-authenticate").is_some());
    let basic = admin
        .client
        .get(format!("{}/rest/api/3/myself", admin.base))
        .basic_auth(DEFAULT_SITE_EMAIL, Some(DEFAULT_SITE_TOKEN))
        .send()
        .await;
    assert_ne!(
        basic.unwrap_or_else(|e| panic!("{e}")).status().as_u16(),
        401
    );
}

#[tokio::test]
async fn requests_the_real_api_refuses_get_a_400() {
    let admin = start(50).await;
    let search = "/v2/orgs/{org}/directories/-/users/search";
    let cases = [
        json!({"limit": 101}),
        json!({"limit": 0}),
        json!({"limit": "ten"}),
        json!({"searchTerm": "ada", "emails": ["ada@acme.example"]}),
        json!({"status": ["sleeping"]}),
        json!({"status": "active"}),
        json!({"claimStatus": "maybe"}),
        json!({"expand": ["everything"]}),
        json!({"accountIds": []}),
        json!({"accountIds": ["1","2","3","4","5","6","7","8","9","10","11"]}),
        json!({"sortBy": [{"field": "email", "direction": "asc"}]}),
        json!({"cursor": "not-a-cursor"}),
    ];
    for body in cases {
        let response = json_of(admin.admin_post(search, &body).await, 400).await;
        assert!(
            error_code(&response).starts_with("ADMIN-400"),
            "{body}: {response}"
        );
    }
    let malformed = admin
        .client
        .post(admin.admin_url(search))
        .bearer_auth(seats::sandbox::DEFAULT_ORG_API_KEY)
        .header("content-type", "application/json")
        .body("{\"limit\": ")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(malformed.status().as_u16(), 400);
    let groups = json_of(
        admin
            .admin_post(
                "/v2/orgs/{org}/directories/-/groups/search",
                &json!({"limit": 1000}),
            )
            .await,
        400,
    )
    .await;
    assert!(error_code(&groups).starts_with("ADMIN-400"));
    let events = json_of(
        admin
            .admin_get("/v1/orgs/{org}/events-stream?limit=501")
            .await,
        400,
    )
    .await;
    assert_eq!(error_code(&events), "ADMIN-400-21");
    // A cursor from one listing is not accepted by another.
    let page = json_of(
        admin
            .admin_post(
                "/v2/orgs/{org}/directories/-/groups/search",
                &json!({"limit": 1}),
            )
            .await,
        200,
    )
    .await;
    let groups_cursor = page["links"]["next"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!groups_cursor.is_empty());
    assert_eq!(
        admin
            .admin_post(search, &json!({"cursor": groups_cursor}))
            .await
            .status()
            .as_u16(),
        400
    );
}

fn reset_of(response: &reqwest::Response) -> Option<DateTime<Utc>> {
    let text = response.headers().get("x-ratelimit-reset")?.to_str().ok()?;
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_headers_then_lets_through_after_the_reset() {
    let admin = start_with(SandboxConfig {
        users: 50,
        rate_limit_per_minute: 60,
        ..SandboxConfig::default()
    })
    .await;
    // Capacity is one second's worth (one token at 60 a minute): 1 request, then 429.
    let first = admin.admin_get("/v1/orgs").await;
    assert_eq!(first.status().as_u16(), 200);
    assert_eq!(
        first
            .headers()
            .get("x-ratelimit-limit")
            .and_then(|v| v.to_str().ok()),
        Some("60")
    );
    assert_eq!(
        first
            .headers()
            .get("x-ratelimit-remaining")
            .and_then(|v| v.to_str().ok()),
        Some("0")
    );
    assert!(reset_of(&first).is_some_and(|r| r > Utc::now()));
    let limited = admin.admin_get("/v1/orgs").await;
    assert_eq!(limited.status().as_u16(), 429);
    assert!(
        limited.headers().get("retry-after").is_none(),
        "no Retry-After on admin 429s by default"
    );
    assert_eq!(
        limited
            .headers()
            .get("x-ratelimit-remaining")
            .and_then(|v| v.to_str().ok()),
        Some("0")
    );
    let reset = reset_of(&limited).unwrap_or_else(Utc::now);
    let body = json_of(limited, 429).await;
    assert_eq!(body["code"], 429);
    // v2 operations answer 429 with their Errors body.
    let v2 = json_of(
        admin
            .admin_post("/v2/orgs/{org}/directories/-/users/search", &json!({}))
            .await,
        429,
    )
    .await;
    assert_eq!(error_code(&v2), "ADMIN-429-1");

    let wait = (reset - Utc::now()).to_std().unwrap_or_default();
    assert!(
        wait <= Duration::from_millis(1000),
        "the next token is at most a second away: {wait:?}"
    );
    tokio::time::sleep(wait + Duration::from_millis(20)).await;
    assert_eq!(admin.admin_get("/v1/orgs").await.status().as_u16(), 200);

    // Retry-After can be turned on for the admin family.
    admin.sandbox.set_admin_retry_after(true);
    let _ = admin.admin_get("/v1/orgs").await;
    let limited = admin.admin_get("/v1/orgs").await;
    assert_eq!(limited.status().as_u16(), 429);
    assert!(limited.headers().get("retry-after").is_some());

    // Site 429s carry Retry-After and the reason; the families have their own buckets.
    let site = format!("{}/rest/api/3/myself", admin.base);
    let mut last = None;
    for _ in 0..2 {
        last = Some(
            admin
                .client
                .get(&site)
                .basic_auth(DEFAULT_SITE_EMAIL, Some(DEFAULT_SITE_TOKEN))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
    let last = last.unwrap_or_else(|| panic!("no response"));
    assert_eq!(last.status().as_u16(), 429);
    assert_eq!(
        last.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    assert_eq!(
        last.headers()
            .get("ratelimit-reason")
            .and_then(|v| v.to_str().ok()),
        Some("jira-burst-based")
    );

    // No limit: no 429 and no headers.
    admin.sandbox.set_rate_limit(0);
    for _ in 0..5 {
        let r = admin.admin_get("/v1/orgs").await;
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.headers().get("x-ratelimit-limit").is_none());
    }
}

#[tokio::test]
async fn injected_faults_are_5xx_with_bodies_or_dropped_connections() {
    let admin = start(50).await;
    admin.sandbox.set_fail_rate(1.0);
    let mut statuses = Vec::new();
    let mut dropped = 0;
    for _ in 0..40 {
        match admin
            .client
            .get(admin.admin_url("/v1/orgs"))
            .bearer_auth(seats::sandbox::DEFAULT_ORG_API_KEY)
            .send()
            .await
        {
            Ok(r) => {
                let status = r.status().as_u16();
                match r.json::<serde_json::Value>().await {
                    Ok(body) => {
                        assert!(
                            body.get("errors").is_some() || body.get("code").is_some(),
                            "{status}: {body}"
                        );
                        statuses.push(status);
                    }
                    Err(_) => dropped += 1,
                }
            }
            Err(_) => dropped += 1,
        }
    }
    for s in [500, 502, 503] {
        assert!(statuses.contains(&s), "{s} never came: {statuses:?}");
    }
    assert!(dropped > 0, "no dropped connection");
    admin.sandbox.set_fail_rate(0.0);
    assert_eq!(admin.admin_get("/v1/orgs").await.status().as_u16(), 200);
}

#[tokio::test]
async fn recording_keeps_every_exchange_with_parsed_bodies() {
    let admin = start_with(SandboxConfig {
        users: 50,
        record_requests: true,
        ..SandboxConfig::default()
    })
    .await;
    let body = json!({"limit": 2});
    let _ = admin
        .admin_post("/v2/orgs/{org}/directories/-/users/search", &body)
        .await;
    let _ = admin.client.get(admin.admin_url("/v1/orgs")).send().await;
    let recorded = admin.sandbox.recorded();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].method, "POST");
    assert_eq!(recorded[0].request_body, Some(body));
    assert_eq!(recorded[0].status, 200);
    assert_eq!(
        recorded[0]
            .response_body
            .as_ref()
            .and_then(|b| b["data"].as_array().map(Vec::len)),
        Some(2)
    );
    assert_eq!(recorded[1].status, 401);
    assert_eq!(recorded[1].path, "/admin/v1/orgs");
    let silent = start(10).await;
    let _ = silent.admin_get("/v1/orgs").await;
    assert!(silent.sandbox.recorded().is_empty());
}
