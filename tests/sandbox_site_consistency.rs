//! One state behind Jira, Confluence and the org API: a change through any of them shows in the
//! others' seat counts, product access and member lists. And the site's rate limits.

#[path = "support/sandbox.rs"]
mod sandbox_support;

use sandbox_support::{TestSandbox, as_u64, json_of, only_through, products, start, start_with};
use seats::sandbox::SandboxConfig;
use seats::sandbox::generator::JIRA_SOFTWARE_GROUP;
use seats::sandbox::state::Product;
use serde_json::json;

async fn jira_users(site: &TestSandbox) -> u64 {
    as_u64(&site.role("jira-software").await["userCount"])
}

async fn jira_remaining(site: &TestSandbox) -> u64 {
    as_u64(&site.role("jira-software").await["remainingSeats"])
}

/// Distinct users who hold Jira Software only through jira-software-users.
fn jira_only_users(site: &TestSandbox, n: usize) -> Vec<String> {
    let shared = site.sandbox.shared();
    let state = shared.read();
    (0..state.users.len() as u32)
        .filter(|ix| only_through(&state, *ix, Product::JiraSoftware, JIRA_SOFTWARE_GROUP))
        .take(n)
        .map(|ix| state.user(ix).account_id.clone())
        .collect()
}

#[tokio::test]
async fn application_role_counts_follow_removals_through_every_api() {
    let site = start(500).await;
    let group = site.group_id_in_state(JIRA_SOFTWARE_GROUP);
    let users = jira_only_users(&site, 4);
    assert_eq!(users.len(), 4);
    let (count, remaining) = (jira_users(&site).await, jira_remaining(&site).await);

    // Through Jira.
    let r = site
        .site_delete(&format!(
            "/rest/api/3/group/user?groupId={group}&accountId={}",
            users[0]
        ))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(jira_users(&site).await, count - 1);
    assert_eq!(jira_remaining(&site).await, remaining + 1);
    let org_view = site.org_user(&users[0]).await;
    assert!(
        !products(&org_view).contains(&"jira-software".to_string()),
        "{org_view}"
    );

    // Through Confluence: the groups are the site's, so Jira's count drops too.
    let r = site
        .site_delete(&format!(
            "/wiki/rest/api/group/userByGroupId?groupId={group}&accountId={}",
            users[1]
        ))
        .await;
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(jira_users(&site).await, count - 2);

    // Through the org API: a membership removal and a suspension.
    let r = site
        .org(
            reqwest::Method::DELETE,
            &site.admin_path(&format!(
                "/admin/v2/orgs/{{org}}/directories/{{dir}}/groups/{group}/memberships/{}",
                users[2]
            )),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(jira_users(&site).await, count - 3);
    let r = site
        .admin_post(
            &format!(
                "/v2/orgs/{{org}}/directories/{{dir}}/users/{}/suspend",
                users[3]
            ),
            &json!({}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(jira_users(&site).await, count - 4);
    assert_eq!(jira_remaining(&site).await, remaining + 4);
    // The suspended user stays a member, but an inactive one.
    let members = json_of(
        site.site_get(&format!(
            "/rest/api/3/group/member?groupId={group}&includeInactiveUsers=true&maxResults=50"
        ))
        .await,
        200,
    )
    .await;
    let total_with_inactive = as_u64(&members["total"]);
    let active = json_of(
        site.site_get(&format!("/rest/api/3/group/member?groupId={group}"))
            .await,
        200,
    )
    .await;
    assert!(as_u64(&active["total"]) < total_with_inactive);
}

#[tokio::test]
async fn an_org_api_addition_shows_in_jira_and_confluence_member_lists() {
    let site = start(300).await;
    let group = site.group_id_in_state(JIRA_SOFTWARE_GROUP);
    let user = site.find_user(|s, ix| {
        let u = s.user(ix);
        u.can_sign_in()
            && s.group_ix_by_name(JIRA_SOFTWARE_GROUP)
                .is_some_and(|g| !u.groups.contains(&g))
            && !s.product_access(ix).contains(&Product::JiraSoftware)
    });
    let count = jira_users(&site).await;
    let r = site
        .admin_post(
            &format!("/v2/orgs/{{org}}/directories/{{dir}}/groups/{group}/memberships"),
            &json!({"accountId": user}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(jira_users(&site).await, count + 1);
    let mut in_jira = false;
    let mut start_at = 0;
    loop {
        let page = json_of(
            site.site_get(&format!(
                "/rest/api/3/group/member?groupId={group}&startAt={start_at}"
            ))
            .await,
            200,
        )
        .await;
        in_jira |= page["values"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|u| u["accountId"] == user.as_str());
        if page["isLast"] == true {
            break;
        }
        start_at += 50;
    }
    assert!(in_jira);
    let conf = json_of(
        site.site_get(&format!("/wiki/rest/api/group/{group}/membersByGroupId"))
            .await,
        200,
    )
    .await;
    let in_confluence = conf["results"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|u| u["accountId"] == user.as_str());
    assert!(in_confluence);
}

#[tokio::test]
async fn site_and_user_management_429s_carry_retry_after_per_family() {
    // 6 a minute: one request every ten seconds, no burst.
    let site = start_with(SandboxConfig {
        users: 30,
        rate_limit_per_minute: 6,
        ..SandboxConfig::default()
    })
    .await;
    assert_eq!(
        site.site_get("/rest/api/3/myself").await.status().as_u16(),
        200
    );
    let limited = site.site_get("/rest/api/3/myself").await;
    assert_eq!(limited.status().as_u16(), 429);
    let header = |name: &str| {
        limited
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let retry: u64 = header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After in seconds"));
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(
        header("ratelimit-reason").as_deref(),
        Some("jira-burst-based")
    );
    assert!(header("x-ratelimit-limit").is_some());
    assert!(header("x-ratelimit-reset").is_some());
    assert_eq!(header("x-ratelimit-remaining").as_deref(), Some("0"));
    let body = json_of(limited, 429).await;
    assert!(body["errorMessages"][0].is_string());

    // Confluence has its own bucket: its first request still goes through.
    assert_eq!(
        site.site_get("/wiki/rest/api/group")
            .await
            .status()
            .as_u16(),
        200
    );
    let conf = site.site_get("/wiki/rest/api/group").await;
    assert_eq!(conf.status().as_u16(), 429);
    assert!(conf.headers().get("retry-after").is_some());

    let admin = site.sandbox.shared().admin_actor();
    let um = |_: ()| {
        site.org(reqwest::Method::GET, &format!("/users/{admin}/manage"))
            .send()
    };
    assert_eq!(um(()).await.map(|r| r.status().as_u16()).ok(), Some(200));
    assert_eq!(um(()).await.map(|r| r.status().as_u16()).ok(), Some(429));
}
