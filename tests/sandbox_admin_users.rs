//! The org API's user operations through HTTP: paging, filters, expand, details, v1 lists.

#[path = "support/sandbox.rs"]
mod sandbox_support;

use std::collections::HashSet;

use sandbox_support::{error_code, json_of, keys, products, start};
use serde_json::{Value, json};

#[tokio::test]
async fn full_paging_returns_every_directory_user_exactly_once() {
    let admin = start(4000).await;
    let users = admin.search_all(json!({"limit": 100})).await;
    let ids = keys(&users);
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "a user came twice");
    let expected = {
        let shared = admin.sandbox.shared();
        let state = shared.read();
        state.users.iter().filter(|u| u.in_directory()).count()
    };
    assert_eq!(ids.len(), expected);
    assert!(
        expected > 3800,
        "apps and customers are the only ones left out: {expected}"
    );
    // The cursor carries the request: the pages of a filtered search stay filtered.
    let suspended = admin
        .search_all(json!({"limit": 100, "status": ["suspended"]}))
        .await;
    assert!(!suspended.is_empty());
    assert!(suspended.iter().all(|u| u["status"] == "suspended"));
}

#[tokio::test]
async fn filters_select_what_they_say() {
    let admin = start(3000).await;
    let all = admin
        .search_all(json!({"limit": 100, "expand": ["groups"]}))
        .await;
    let first = &all[5];
    let email = first["email"].as_str().unwrap_or_default().to_string();
    let by_email = admin
        .search_all(json!({"emails": [email.to_uppercase()]}))
        .await;
    assert_eq!(
        keys(&by_email),
        vec![first["accountId"].as_str().unwrap_or_default().to_string()]
    );

    let term = "lovelace";
    let by_term = admin
        .search_all(json!({"searchTerm": "LoveLace", "limit": 100}))
        .await;
    let expected = all
        .iter()
        .filter(|u| {
            u["name"]
                .as_str()
                .unwrap_or("")
                .to_lowercase()
                .contains(term)
                || u["email"].as_str().unwrap_or("").contains(term)
        })
        .count();
    assert!(expected > 0);
    assert_eq!(by_term.len(), expected);

    let ids: Vec<Value> = all[10..13].iter().map(|u| u["accountId"].clone()).collect();
    let by_ids = admin.search_all(json!({"accountIds": ids})).await;
    assert_eq!(by_ids.len(), 3);

    let unmanaged = admin
        .search_all(json!({"claimStatus": "unmanaged", "limit": 100}))
        .await;
    assert!(!unmanaged.is_empty() && unmanaged.iter().all(|u| u["claimStatus"] == "unmanaged"));

    let contractors = admin
        .search_all(json!({"emailDomains": ["contractors.example"], "limit": 100}))
        .await;
    assert!(!contractors.is_empty());
    assert!(contractors.iter().all(|u| {
        u["email"]
            .as_str()
            .unwrap_or("")
            .ends_with("@contractors.example")
    }));

    let group = admin.group_id("jira-software-users").await;
    let in_group = admin
        .search_all(json!({"groupIds": [group], "limit": 100, "expand": ["groups"]}))
        .await;
    let expected = all
        .iter()
        .filter(|u| {
            u["groups"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|g| g["name"] == "jira-software-users")
        })
        .count();
    assert_eq!(in_group.len(), expected);

    let two = admin
        .search_all(json!({"status": ["suspended", "deactivated"], "limit": 100}))
        .await;
    let expected = all
        .iter()
        .filter(|u| u["status"] == "suspended" || u["status"] == "deactivated")
        .count();
    assert_eq!(two.len(), expected);
    assert!(two.iter().any(|u| u["status"] == "deactivated"));
}

#[tokio::test]
async fn expand_adds_product_access_groups_and_roles_only_when_asked() {
    let admin = start(500).await;
    let plain = admin.find_one(json!({"limit": 1})).await;
    assert!(plain.get("productAccess").is_none() && plain.get("groups").is_none());
    let expand = json!([
        "productAccess",
        "groups",
        "platformRoles",
        "counts.resources"
    ]);
    let full = admin.find_one(json!({"limit": 1, "expand": expand})).await;
    let cloud = admin.sandbox.cloud_id();
    let access = full["productAccess"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!access.is_empty());
    for p in &access {
        assert_eq!(
            p["id"],
            format!(
                "ari:cloud:{}::site/{cloud}",
                p["key"].as_str().unwrap_or("")
            )
        );
    }
    assert!(
        full["platformRoles"]
            .as_array()
            .is_some_and(|r| r.contains(&json!("atlassian/org-admin")))
    );
    assert!(full["counts"]["resources"].as_u64().is_some_and(|n| n >= 3));
    // Someone with access and no activity record has no lastActiveTimestamp: never active.
    let users = admin
        .search_all(json!({"limit": 100, "expand": ["productAccess"]}))
        .await;
    let never = users
        .iter()
        .flat_map(|u| u["productAccess"].as_array().cloned().unwrap_or_default())
        .filter(|p| p.get("lastActiveTimestamp").is_none())
        .count();
    assert!(never > 0);
}

#[tokio::test]
async fn details_role_assignments_and_last_active_dates() {
    let admin = start(800).await;
    let user = admin
        .find_one(json!({"limit": 1, "expand": ["productAccess"]}))
        .await;
    let id = user["accountId"].as_str().unwrap_or_default().to_string();
    let details = json_of(
        admin
            .admin_get(&format!("/v2/orgs/{{org}}/directories/-/users/{id}"))
            .await,
        200,
    )
    .await;
    assert_eq!(details["data"]["accountId"], id.as_str());
    assert!(details["data"]["platformRoles"].is_array());

    let roles = json_of(
        admin
            .admin_get(&format!(
                "/v2/orgs/{{org}}/directories/{{dir}}/users/{id}/role-assignments"
            ))
            .await,
        200,
    )
    .await;
    let entries = roles["data"].as_array().cloned().unwrap_or_default();
    let jira = entries
        .iter()
        .find(|e| e["resourceOwner"] == "jira-software")
        .cloned()
        .unwrap_or(Value::Null);
    assert!(
        jira["roles"]
            .as_array()
            .is_some_and(|r| r.contains(&json!("atlassian/admin")))
    );
    // An admin of a product is inferred to be its user too.
    let user_role = jira["roleAssignments"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["role"] == "atlassian/user")
        .cloned();
    let methods = user_role
        .map(|a| a["roleAssignmentMethods"].clone())
        .unwrap_or(Value::Null);
    assert!(
        methods
            .as_array()
            .is_some_and(|m| m.contains(&json!("inferred"))),
        "{methods}"
    );
    // The admin is also in jira-software-users: both paths are listed.
    assert!(
        methods
            .as_array()
            .is_some_and(|m| m.contains(&json!("group_direct"))),
        "{methods}"
    );

    let dates = json_of(
        admin
            .admin_get(&format!(
                "/v1/orgs/{{org}}/directory/users/{id}/last-active-dates"
            ))
            .await,
        200,
    )
    .await;
    let listed = dates["data"]["product_access"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(listed.iter().any(|p| p["key"] == "jira-software"
        && p["last_active_timestamp"].is_string()
        && p["last_active"].is_string()));
    // Only products with an activity record are listed.
    let with_record = user["productAccess"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p.get("lastActiveTimestamp").is_some())
        .count();
    assert_eq!(listed.len(), with_record);
    assert!(dates["data"]["added_to_org"].is_string());

    let missing = json_of(
        admin
            .admin_get("/v2/orgs/{org}/directories/-/users/712020:nobody")
            .await,
        404,
    )
    .await;
    assert_eq!(error_code(&missing), "ADMIN-404-8");
    let wrong_org = json_of(
        admin
            .admin_get("/v2/orgs/not-my-org/directories/-/users/x")
            .await,
        404,
    )
    .await;
    assert_eq!(error_code(&wrong_org), "ADMIN-404-2");
}

#[tokio::test]
async fn v1_users_lists_managed_accounts_with_snake_case_and_url_links() {
    let admin = start(700).await;
    let mut url = admin.admin_url("/v1/orgs/{org}/users");
    let mut seen = Vec::new();
    let mut total = None;
    loop {
        let response = admin
            .client
            .get(&url)
            .bearer_auth(seats::sandbox::DEFAULT_ORG_API_KEY)
            .send()
            .await;
        let page = json_of(response.unwrap_or_else(|e| panic!("{e}")), 200).await;
        total = total.or(page["meta"]["total"].as_u64());
        for u in page["data"].as_array().into_iter().flatten() {
            assert!(
                u["account_id"].is_string()
                    && u["account_type"].is_string()
                    && u["account_status"].is_string()
            );
            seen.push(u["account_id"].as_str().unwrap_or_default().to_string());
        }
        match page["links"]["next"].as_str() {
            Some(next) => {
                assert!(
                    next.starts_with(&admin.base),
                    "links.next is a full URL: {next}"
                );
                url = next.to_string();
            }
            None => break,
        }
    }
    assert_eq!(Some(seen.len() as u64), total);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), seen.len());
}

#[tokio::test]
async fn deprecated_lists_still_answer_with_deprecation_headers() {
    let admin = start(300).await;
    let response = admin
        .admin_get("/v2/orgs/{org}/directories/-/users?limit=5&status=active&status=suspended")
        .await;
    assert_eq!(
        response
            .headers()
            .get("sunset")
            .and_then(|v| v.to_str().ok()),
        Some("Wed, 30 Jun 2027 23:59:59 GMT")
    );
    assert!(response.headers().get("deprecation").is_some());
    let page = json_of(response, 200).await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(5));
    assert!(page["data"][0]["productAccess"].is_array());
    let groups = json_of(
        admin
            .admin_get("/v2/orgs/{org}/directories/-/groups?counts.includeUsers=true&limit=100")
            .await,
        200,
    )
    .await;
    let jsw = groups["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["name"] == "jira-software-users")
        .cloned()
        .unwrap_or(Value::Null);
    assert!(jsw["counts"]["users"].as_u64().is_some_and(|n| n > 10));
    let bad = json_of(
        admin
            .admin_get("/v2/orgs/{org}/directories/-/users?limit=500")
            .await,
        400,
    )
    .await;
    assert!(!error_code(&bad).is_empty());
    assert!(
        products(&page["data"][0]).iter().all(|k| [
            "jira-software",
            "jira-servicedesk",
            "confluence"
        ]
        .contains(&k.as_str()))
    );
}

/// Who is in the org and what they hold, without the clock-derived dates.
async fn org_fingerprint(admin: &sandbox_support::TestSandbox) -> Vec<Value> {
    let users = admin
        .search_all(json!({"limit": 50, "expand": ["groups", "productAccess"]}))
        .await;
    users
        .iter()
        .map(|u| {
            let groups: Vec<Value> = u["groups"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|g| g["name"].clone())
                .collect();
            json!([
                u["accountId"],
                u["name"],
                u["email"],
                u["status"],
                groups,
                products(u)
            ])
        })
        .collect()
}

#[tokio::test]
async fn the_same_seed_serves_the_same_org_and_another_seed_another() {
    let seven = start(400).await;
    let again = start(400).await;
    let other = sandbox_support::start_with(seats::sandbox::SandboxConfig {
        users: 400,
        seed: 8,
        ..Default::default()
    })
    .await;
    let (a, b, c) = (
        org_fingerprint(&seven).await,
        org_fingerprint(&again).await,
        org_fingerprint(&other).await,
    );
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(seven.sandbox.cloud_id(), again.sandbox.cloud_id());
    assert!(
        !format!("{:?}", seats::sandbox::SandboxConfig::default())
            .contains(seats::sandbox::DEFAULT_ORG_API_KEY)
    );
}

#[tokio::test]
async fn sort_by_nickname_pages_in_order_both_ways() {
    let admin = start(900).await;
    let nick = |u: &Value| u["nickname"].as_str().unwrap_or("").to_lowercase();
    let asc = admin
        .search_all(json!({"limit": 100, "sortBy": [{"field": "nick_name", "direction": "asc"}]}))
        .await;
    let desc = admin
        .search_all(json!({"limit": 100, "sortBy": [{"field": "nick_name", "direction": "desc"}]}))
        .await;
    let all = admin.search_all(json!({"limit": 100})).await;
    assert_eq!(asc.len(), all.len());
    let a: Vec<String> = asc.iter().map(nick).collect();
    assert!(a.windows(2).all(|w| w[0] <= w[1]), "ascending order broken");
    let d: Vec<String> = desc.iter().map(nick).collect();
    assert!(
        d.windows(2).all(|w| w[0] >= w[1]),
        "descending order broken"
    );
    assert_ne!(a.first(), a.last());
    assert_eq!(
        keys(&asc).iter().collect::<HashSet<_>>(),
        keys(&all).iter().collect::<HashSet<_>>()
    );
}
