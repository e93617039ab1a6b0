//! One state behind every operation: writes show in reads, seats and the event stream.

#[path = "support/sandbox.rs"]
mod sandbox_support;

use sandbox_support::{error_code, json_of, products, start};
use serde_json::{Value, json};

/// A user who gets Jira Software from jira-software-users and from nothing else.
async fn jira_only_through_product_group(admin: &sandbox_support::TestSandbox) -> Value {
    let group = admin.group_id("jira-software-users").await;
    let users = admin
        .search_all(
            json!({"groupIds": [group], "limit": 100, "expand": ["productAccess", "groups"]}),
        )
        .await;
    for u in users {
        let groups: Vec<&str> = u["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|g| g["name"].as_str())
            .collect();
        if products(&u).contains(&"jira-software".to_string())
            && !groups.contains(&"engineering")
            && !groups.contains(&"administrators")
        {
            let id = u["accountId"].as_str().unwrap_or_default();
            let roles = json_of(
                admin
                    .admin_get(&format!(
                        "/v2/orgs/{{org}}/directories/-/users/{id}/role-assignments"
                    ))
                    .await,
                200,
            )
            .await;
            let direct = roles["data"].as_array().into_iter().flatten().any(|e| {
                e["roleAssignments"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|a| {
                        a["roleAssignmentMethods"]
                            .as_array()
                            .is_some_and(|m| m.contains(&json!("direct")))
                    })
            });
            if !direct {
                return u;
            }
        }
    }
    panic!("the generated org has no such user");
}

async fn events(admin: &sandbox_support::TestSandbox) -> Vec<Value> {
    let page = json_of(
        admin
            .admin_get("/v1/orgs/{org}/events-stream?limit=500")
            .await,
        200,
    )
    .await;
    page["data"].as_array().cloned().unwrap_or_default()
}

async fn workspace_usage(admin: &sandbox_support::TestSandbox, key: &str) -> u64 {
    let page = json_of(
        admin
            .admin_post("/v2/orgs/{org}/workspaces", &json!({}))
            .await,
        200,
    )
    .await;
    page["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|w| w["attributes"]["typeKey"] == key)
        .map_or(0, |w| w["attributes"]["usage"].as_u64().unwrap_or(0))
}

#[tokio::test]
async fn removing_the_last_jira_group_removes_jira_and_frees_the_seat() {
    let admin = start(1500).await;
    let user = jira_only_through_product_group(&admin).await;
    let id = user["accountId"].as_str().unwrap_or_default().to_string();
    let group = admin.group_id("jira-software-users").await;
    let used = workspace_usage(&admin, "jira-software").await;

    let response = admin
        .admin_delete(&format!(
            "/v2/orgs/{{org}}/directories/{{dir}}/groups/{group}/memberships/{id}"
        ))
        .await;
    assert_eq!(response.status().as_u16(), 204);
    let after = admin
        .find_one(json!({"accountIds": [id], "expand": ["productAccess"]}))
        .await;
    assert!(
        !products(&after).contains(&"jira-software".to_string()),
        "{after}"
    );
    assert_eq!(workspace_usage(&admin, "jira-software").await, used - 1);

    let log = events(&admin).await;
    let last = log.last().cloned().unwrap_or(Value::Null);
    assert_eq!(last["attributes"]["action"], "group_member_removed");
    let context: Vec<&str> = last["attributes"]["context"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert!(context.contains(&id.as_str()) && context.contains(&group.as_str()));

    // Adding back gives Jira again; adding twice is a 409.
    let body = json!({"accountId": id});
    let path = format!("/v2/orgs/{{org}}/directories/{{dir}}/groups/{group}/memberships");
    assert_eq!(admin.admin_post(&path, &body).await.status().as_u16(), 204);
    let again = json_of(admin.admin_post(&path, &body).await, 409).await;
    assert!(error_code(&again).starts_with("ADMIN-409"));
    let back = admin
        .find_one(json!({"accountIds": [id], "expand": ["productAccess"]}))
        .await;
    assert!(products(&back).contains(&"jira-software".to_string()));
}

#[tokio::test]
async fn suspend_frees_every_seat_and_restore_brings_them_back() {
    let admin = start(1000).await;
    let query = json!({
        "status": ["active"],
        "limit": 20,
        "expand": ["productAccess", "platformRoles"],
        "emailDomains": ["acme.example"],
        "searchTerm": "a",
    });
    // Not an org admin: they cannot be suspended before their role is revoked.
    let user = admin
        .search_all(query)
        .await
        .into_iter()
        .find(|u| u["platformRoles"].as_array().is_none_or(Vec::is_empty))
        .expect("a plain active user");
    let id = user["accountId"].as_str().unwrap_or_default().to_string();
    let before = products(&user);
    assert!(!before.is_empty());
    let usage: Vec<u64> =
        futures::future::join_all(before.iter().map(|k| workspace_usage(&admin, k))).await;

    assert_eq!(
        admin
            .admin_post(
                &format!("/v2/orgs/{{org}}/directories/{{dir}}/users/{id}/suspend"),
                &json!(null)
            )
            .await
            .status()
            .as_u16(),
        204
    );
    let suspended = admin
        .find_one(json!({"accountIds": [id], "expand": ["productAccess"]}))
        .await;
    assert_eq!(suspended["status"], "suspended");
    assert_eq!(suspended["membershipStatus"], "suspended");
    assert!(products(&suspended).is_empty());
    for (k, u) in before.iter().zip(&usage) {
        assert_eq!(workspace_usage(&admin, k).await, u - 1, "{k}");
    }
    assert_eq!(
        events(&admin)
            .await
            .last()
            .map(|e| e["attributes"]["action"].clone()),
        Some(json!("user_suspended"))
    );

    assert_eq!(
        admin
            .admin_post(
                &format!("/v2/orgs/{{org}}/directories/{{dir}}/users/{id}/restore"),
                &json!(null)
            )
            .await
            .status()
            .as_u16(),
        204
    );
    let restored = admin
        .find_one(json!({"accountIds": [id], "expand": ["productAccess"]}))
        .await;
    assert_eq!(products(&restored), before);
}

#[tokio::test]
async fn synced_groups_refuse_writes_and_dash_directory_is_for_reads_only() {
    let admin = start(800).await;
    let synced = admin.group_id("okta-all-employees").await;
    let group = json_of(
        admin
            .admin_get(&format!("/v2/orgs/{{org}}/directories/-/groups/{synced}"))
            .await,
        200,
    )
    .await;
    assert_eq!(group["data"]["externalSynced"], true);
    let someone = admin.find_one(json!({"limit": 1})).await;
    let id = someone["accountId"].as_str().unwrap_or_default();
    let refused = json_of(
        admin
            .admin_post(
                &format!("/v2/orgs/{{org}}/directories/{{dir}}/groups/{synced}/memberships"),
                &json!({"accountId": id}),
            )
            .await,
        403,
    )
    .await;
    assert_eq!(error_code(&refused), "ADMIN-403-5");
    let member = admin
        .search_all(json!({"groupIds": [synced], "limit": 1}))
        .await;
    let member_id = member[0]["accountId"].as_str().unwrap_or_default();
    assert_eq!(member[0]["managementSource"], "synced");
    let refused = admin
        .admin_delete(&format!(
            "/v2/orgs/{{org}}/directories/{{dir}}/groups/{synced}/memberships/{member_id}"
        ))
        .await;
    assert_eq!(refused.status().as_u16(), 403);

    let dash = json_of(
        admin
            .admin_post(
                &format!("/v2/orgs/{{org}}/directories/-/users/{id}/suspend"),
                &json!(null),
            )
            .await,
        400,
    )
    .await;
    assert!(error_code(&dash).starts_with("ADMIN-400"));
    let unknown = admin
        .admin_post(
            "/v2/orgs/{org}/directories/{dir}/users/712020:nobody/suspend",
            &json!(null),
        )
        .await;
    assert_eq!(unknown.status().as_u16(), 404);
}

#[tokio::test]
async fn direct_role_grants_show_in_role_assignments_and_seats() {
    let admin = start(600).await;
    let cloud = admin.sandbox.cloud_id();
    let user = admin
        .find_one(json!({"status": ["active"], "limit": 100, "expand": ["productAccess"]}))
        .await;
    let id = user["accountId"].as_str().unwrap_or_default().to_string();
    let resource = format!("ari:cloud:jira-servicedesk::site/{cloud}");
    let body = json!({"role": "atlassian/user", "resource": resource});
    assert_eq!(
        admin
            .admin_post(&format!("/v1/orgs/{{org}}/users/{id}/roles/assign"), &body)
            .await
            .status()
            .as_u16(),
        204
    );
    let roles = json_of(
        admin
            .admin_get(&format!(
                "/v2/orgs/{{org}}/directories/-/users/{id}/role-assignments?resourceIds={resource}"
            ))
            .await,
        200,
    )
    .await;
    let methods = roles["data"][0]["roleAssignments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        methods.iter().any(|a| a["roleAssignmentMethods"]
            .as_array()
            .is_some_and(|m| m.contains(&json!("direct")))),
        "{roles}"
    );
    assert!(
        products(
            &admin
                .find_one(json!({"accountIds": [id], "expand": ["productAccess"]}))
                .await
        )
        .contains(&"jira-servicedesk".to_string())
    );
    assert_eq!(
        admin
            .admin_post(&format!("/v1/orgs/{{org}}/users/{id}/roles/revoke"), &body)
            .await
            .status()
            .as_u16(),
        204
    );
    let bad = json_of(
        admin
            .admin_post(
                &format!("/v1/orgs/{{org}}/users/{id}/roles/assign"),
                &json!({"role": "atlassian/nope", "resource": resource}),
            )
            .await,
        400,
    )
    .await;
    assert!(error_code(&bad).starts_with("ADMIN-400"));
    let actions: Vec<Value> = events(&admin)
        .await
        .iter()
        .map(|e| e["attributes"]["action"].clone())
        .collect();
    assert_eq!(
        actions,
        vec![json!("user_role_assigned"), json!("user_role_revoked")]
    );
}

#[tokio::test]
async fn the_seat_limit_refuses_one_more_holder_with_409() {
    let admin = start(400).await;
    let cloud = admin.sandbox.cloud_id();
    let resource = format!("ari:cloud:confluence::site/{cloud}");
    let without: Vec<String> = admin
        .search_all(json!({"status": ["active"], "limit": 100, "expand": ["productAccess"]}))
        .await
        .iter()
        .filter(|u| !products(u).contains(&"confluence".to_string()))
        .map(|u| u["accountId"].as_str().unwrap_or_default().to_string())
        .collect();
    let page = json_of(
        admin
            .admin_post("/v2/orgs/{org}/workspaces", &json!({}))
            .await,
        200,
    )
    .await;
    let conf = page["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|w| w["attributes"]["typeKey"] == "confluence")
        .cloned()
        .unwrap_or(Value::Null);
    let free = (conf["attributes"]["capacity"].as_u64().unwrap_or(0)
        - conf["attributes"]["usage"].as_u64().unwrap_or(0)) as usize;
    assert!(
        without.len() > free,
        "{} candidates, {free} free",
        without.len()
    );
    let body = json!({"role": "atlassian/user", "resource": resource});
    for id in &without[..free] {
        assert_eq!(
            admin
                .admin_post(&format!("/v1/orgs/{{org}}/users/{id}/roles/assign"), &body)
                .await
                .status()
                .as_u16(),
            204
        );
    }
    let full = json_of(
        admin
            .admin_post(
                &format!("/v1/orgs/{{org}}/users/{}/roles/assign", without[free]),
                &body,
            )
            .await,
        409,
    )
    .await;
    assert_eq!(error_code(&full), "ADMIN-409-3");
}
