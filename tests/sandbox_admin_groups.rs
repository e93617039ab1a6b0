//! Groups, workspaces and the event stream through HTTP.

#[path = "support/sandbox.rs"]
mod sandbox_support;

use sandbox_support::{json_of, start};
use serde_json::{Value, json};

#[tokio::test]
async fn groups_search_details_and_role_assignments() {
    let admin = start(600).await;
    let cloud = admin.sandbox.cloud_id();
    let all = json_of(
        admin
            .admin_post(
                "/v2/orgs/{org}/directories/-/groups/search",
                &json!({"limit": 100, "expand": ["counts.users"]}),
            )
            .await,
        200,
    )
    .await;
    let groups = all["data"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = groups.iter().filter_map(|g| g["name"].as_str()).collect();
    for expected in [
        "administrators",
        "jira-software-users",
        "jira-servicemanagement-users",
        "confluence-users",
        "okta-all-employees",
        "engineering",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    assert!(
        groups
            .iter()
            .all(|g| g["counts"]["users"].is_u64() && g["directoryId"] == admin.dir.as_str())
    );

    let term = json_of(
        admin
            .admin_post(
                "/v2/orgs/{org}/directories/-/groups/search",
                &json!({"searchTerm": "JIRA"}),
            )
            .await,
        200,
    )
    .await;
    let found: Vec<&str> = term["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert_eq!(
        found,
        vec!["jira-software-users", "jira-servicemanagement-users"]
    );

    // Paging through groups two at a time returns each once.
    let mut seen = Vec::new();
    let mut body = json!({"limit": 2});
    loop {
        let page = json_of(
            admin
                .admin_post("/v2/orgs/{org}/directories/-/groups/search", &body)
                .await,
            200,
        )
        .await;
        seen.extend(
            page["data"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|g| g["id"].as_str().map(str::to_string)),
        );
        match page["links"]["next"].as_str() {
            Some(c) => body = json!({"cursor": c}),
            None => break,
        }
    }
    assert_eq!(seen.len(), groups.len());

    let jsw = admin.group_id("jira-software-users").await;
    let roles = json_of(
        admin
            .admin_get(&format!(
                "/v2/orgs/{{org}}/directories/-/groups/{jsw}/role-assignments"
            ))
            .await,
        200,
    )
    .await;
    assert_eq!(
        roles["data"],
        json!([{
            "resourceId": format!("ari:cloud:jira-software::site/{cloud}"),
            "resourceOwner": "jira-software",
            "roles": ["atlassian/user"],
        }])
    );
    let by_resource = json_of(
        admin
            .admin_post(
                "/v2/orgs/{org}/directories/-/groups/search",
                &json!({"resourceIds": [format!("ari:cloud:jira-software::site/{cloud}")]}),
            )
            .await,
        200,
    )
    .await;
    let granting: Vec<&str> = by_resource["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert_eq!(
        granting,
        vec!["administrators", "jira-software-users", "engineering"]
    );

    let details = json_of(
        admin
            .admin_get(&format!(
                "/v2/orgs/{{org}}/directories/{{dir}}/groups/{jsw}"
            ))
            .await,
        200,
    )
    .await;
    assert_eq!(details["data"]["externalSynced"], false);
    assert!(
        details["data"]["counts"]["users"]
            .as_u64()
            .is_some_and(|n| n > 50)
    );
    let missing = admin
        .admin_get("/v2/orgs/{org}/directories/-/groups/00000000-0000-4000-8000-000000000000")
        .await;
    assert_eq!(missing.status().as_u16(), 404);
}

#[tokio::test]
async fn workspaces_list_the_products_with_their_seats() {
    let admin = start(500).await;
    let page = json_of(
        admin
            .admin_post("/v2/orgs/{org}/workspaces", &json!({"limit": 20}))
            .await,
        200,
    )
    .await;
    let data = page["data"].as_array().cloned().unwrap_or_default();
    let keys: Vec<&str> = data
        .iter()
        .filter_map(|w| w["attributes"]["typeKey"].as_str())
        .collect();
    assert_eq!(
        keys,
        vec!["jira-software", "jira-servicedesk", "confluence"]
    );
    for w in &data {
        assert_eq!(w["attributes"]["hostUrl"], admin.base.as_str());
        let (cap, used) = (
            w["attributes"]["capacity"].as_u64().unwrap_or(0),
            w["attributes"]["usage"].as_u64().unwrap_or(u64::MAX),
        );
        assert!(used > 0 && used < cap, "{w}");
    }
    let confluence_only = json!({
        "query": {"and": [{"field": {"name": "attributes.type", "values": ["confluence"]}}]},
    });
    let filtered = json_of(
        admin
            .admin_post("/v2/orgs/{org}/workspaces", &confluence_only)
            .await,
        200,
    )
    .await;
    assert_eq!(filtered["data"].as_array().map(Vec::len), Some(1));
}

async fn stream(admin: &sandbox_support::TestSandbox, query: &str) -> Value {
    json_of(
        admin
            .admin_get(&format!("/v1/orgs/{{org}}/events-stream{query}"))
            .await,
        200,
    )
    .await
}

#[tokio::test]
async fn the_event_stream_pages_and_polls_for_new_events() {
    let admin = start(300).await;
    let users = admin
        .search_all(json!({"status": ["active"], "limit": 20, "expand": ["platformRoles"]}))
        .await;
    // Org admins cannot be suspended before their role is revoked.
    let ids: Vec<String> = users
        .iter()
        .filter(|u| u["platformRoles"].as_array().is_none_or(Vec::is_empty))
        .take(5)
        .filter_map(|u| u["accountId"].as_str().map(str::to_string))
        .collect();
    for id in &ids[..3] {
        assert_eq!(
            admin
                .admin_post(
                    &format!("/v2/orgs/{{org}}/directories/{{dir}}/users/{id}/suspend"),
                    &Value::Null
                )
                .await
                .status()
                .as_u16(),
            204
        );
    }
    let first = stream(&admin, "?limit=2").await;
    assert_eq!(first["data"].as_array().map(Vec::len), Some(2));
    let next = first["links"]["next"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(next.starts_with(&admin.base), "links.next is a URL");
    let second = json_of(
        admin
            .client
            .get(&next)
            .bearer_auth(seats::sandbox::DEFAULT_ORG_API_KEY)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        200,
    )
    .await;
    assert_eq!(second["data"].as_array().map(Vec::len), Some(1));
    assert!(second["links"]["next"].is_null());
    // The poll cursor brings only what happened since.
    let poll = second["meta"]["next"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        stream(&admin, &format!("?cursor={poll}")).await["data"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    assert_eq!(
        admin
            .admin_post(
                &format!(
                    "/v2/orgs/{{org}}/directories/{{dir}}/users/{}/suspend",
                    ids[3]
                ),
                &Value::Null
            )
            .await
            .status()
            .as_u16(),
        204
    );
    let new = stream(&admin, &format!("?cursor={poll}")).await;
    let context = new["data"][0]["attributes"]["context"][0]["id"].clone();
    assert_eq!(context, json!(ids[3]));
    let desc = stream(&admin, "?sortOrder=desc&limit=1").await;
    assert_eq!(
        desc["data"][0]["attributes"]["context"][0]["id"],
        json!(ids[3])
    );
    assert_eq!(
        stream(&admin, "?from=9999999999999").await["data"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}
