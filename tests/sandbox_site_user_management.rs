//! The sandbox's User management API: privileges, lifecycle disable and enable, and their
//! effect on the org API.

#[path = "support/sandbox.rs"]
mod sandbox_support;

use reqwest::Method;
use sandbox_support::{TestSandbox, json_of, products, start};
use seats::sandbox::state::{AccountStatus, AccountType, OrgState, Role, UserIx};
use serde_json::{Value, json};

async fn manage(site: &TestSandbox, account_id: &str, query: &str) -> reqwest::Response {
    site.org(Method::GET, &format!("/users/{account_id}/manage{query}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn lifecycle(
    site: &TestSandbox,
    account_id: &str,
    action: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = site.org(
        Method::POST,
        &format!("/users/{account_id}/manage/lifecycle/{action}"),
    );
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap_or_else(|e| panic!("{e}"))
}

/// An active managed account, not synced, not an org admin, with at least one product.
fn plain_managed(s: &OrgState, ix: UserIx) -> bool {
    let u = s.user(ix);
    ix != 0
        && u.account_type == AccountType::Atlassian
        && u.managed
        && !u.synced
        && u.can_sign_in()
        && !s.product_access(ix).is_empty()
        && !s
            .role_assignments(ix)
            .iter()
            .any(|a| a.role == Role::OrgAdmin)
}

#[tokio::test]
async fn privileges_follow_the_account() {
    let site = start(400).await;
    let plain = site.find_user(plain_managed);
    let synced = site.find_user(|s, ix| s.user(ix).synced);
    let admin = site.sandbox.shared().admin_actor();

    let all = json_of(manage(&site, &plain, "").await, 200).await;
    for p in [
        "profile.write",
        "profile.read",
        "email.set",
        "lifecycle.enablement",
        "lifecycle.delete",
        "apiToken.read",
        "apiToken.delete",
    ] {
        assert!(all.get(p).is_some(), "{p} missing: {all}");
    }
    assert_eq!(all["lifecycle.enablement"], json!({"allowed": true}));
    assert_eq!(all["profile.write"]["name"], json!({"allowed": true}));

    let scim = json_of(
        manage(
            &site,
            &synced,
            "?privileges=lifecycle.enablement&privileges=profile.write",
        )
        .await,
        200,
    )
    .await;
    assert_eq!(scim["lifecycle.enablement"]["allowed"], false);
    assert_eq!(
        scim["lifecycle.enablement"]["reason"]["key"],
        "externalDirectory.scim"
    );
    assert_eq!(
        scim["profile.write"]["name"]["reason"]["key"],
        "externalDirectory.scim"
    );
    assert!(
        scim.get("email.set").is_none(),
        "only what was asked: {scim}"
    );

    let me = json_of(
        manage(&site, &admin, "?privileges=lifecycle.enablement").await,
        200,
    )
    .await;
    assert_eq!(
        me["lifecycle.enablement"],
        json!({"allowed": false, "reason": {"key": "administrative.notMyself"}})
    );

    json_of(manage(&site, &plain, "?privileges=everything").await, 400).await;
}

#[tokio::test]
async fn accounts_outside_the_verified_domain_and_unknown_ids_are_refused() {
    let site = start(600).await;
    let contractor = site.find_user(|s, ix| {
        let u = s.user(ix);
        u.account_type == AccountType::Atlassian && !u.managed
    });
    let customer = site.find_user(|s, ix| s.user(ix).account_type == AccountType::Customer);
    for id in [&contractor, &customer] {
        let body = json_of(manage(&site, id, "").await, 403).await;
        assert_eq!(body, json!({"key": "forbidden.targetUnverified"}));
        let body = json_of(lifecycle(&site, id, "disable", Some(json!({}))).await, 403).await;
        assert_eq!(body["key"], "forbidden.targetUnverified");
    }
    let unknown = json_of(manage(&site, "712020:nobody", "").await, 404).await;
    assert_eq!(unknown, json!({"key": "accountNotFound"}));
    let unknown = json_of(lifecycle(&site, "712020:nobody", "enable", None).await, 404).await;
    assert_eq!(unknown["key"], "accountNotFound");
    let wrong_key = site
        .client
        .get(format!("{}/users/{contractor}/manage", site.base))
        .bearer_auth("not-the-key")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        json_of(wrong_key, 401).await,
        json!({"key": "unauthorized"})
    );
}

#[tokio::test]
async fn disable_deactivates_in_the_org_api_frees_seats_and_enable_brings_them_back() {
    let site = start(400).await;
    let user = site.find_user(plain_managed);
    let before = site.org_user(&user).await;
    assert_eq!(before["status"], "active");
    let held = products(&before);
    assert!(!held.is_empty());

    let response = lifecycle(
        &site,
        &user,
        "disable",
        Some(json!({"message": "On 6-month suspension"})),
    )
    .await;
    assert_eq!(response.status().as_u16(), 204);
    let after = site.org_user(&user).await;
    assert_eq!(after["status"], "deactivated", "{after}");
    assert!(products(&after).is_empty(), "{after}");
    let status = {
        let shared = site.sandbox.shared();
        let state = shared.read();
        state.user_ix(&user).map(|ix| state.user(ix).account_status)
    };
    assert_eq!(status, Some(AccountStatus::Inactive));
    let events = json_of(site.admin_get("/v1/orgs/{org}/events-stream").await, 200).await;
    let logged = events["data"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|e| e.to_string().contains(&user));
    assert!(logged, "{events}");
    // Disabling twice changes nothing.
    assert_eq!(
        lifecycle(&site, &user, "disable", None)
            .await
            .status()
            .as_u16(),
        204
    );

    assert_eq!(
        lifecycle(&site, &user, "enable", None)
            .await
            .status()
            .as_u16(),
        204
    );
    let back = site.org_user(&user).await;
    assert_eq!(back["status"], "active");
    assert_eq!(products(&back), held);
}

#[tokio::test]
async fn synced_accounts_the_admin_and_org_admins_cannot_be_disabled() {
    let site = start(3000).await;
    let synced = site.find_user(|s, ix| s.user(ix).synced);
    let admin = site.sandbox.shared().admin_actor();
    let org_admin = site.find_user(|s, ix| {
        ix != 0
            && s.user(ix).managed
            && !s.user(ix).synced
            && s.role_assignments(ix)
                .iter()
                .any(|a| a.role == Role::OrgAdmin)
    });
    let scim = json_of(lifecycle(&site, &synced, "disable", None).await, 403).await;
    assert_eq!(
        scim,
        json!({"key": "forbidden.action", "context": {"allowed": false, "reason": {"key": "externalDirectory.scim"}}})
    );
    let me = json_of(lifecycle(&site, &admin, "disable", None).await, 403).await;
    assert_eq!(me["context"]["reason"]["key"], "administrative.notMyself");
    let conflict = json_of(lifecycle(&site, &org_admin, "disable", None).await, 409).await;
    assert_eq!(conflict["key"], "conflict.lifecycleErrors");
    assert_eq!(conflict["context"]["accountId"], org_admin.as_str());
    assert!(conflict["context"]["errorCodes"][0]["code"].is_string());
    assert!(conflict["context"]["message"].is_string());
    let bad_body = site
        .org(
            Method::POST,
            &format!("/users/{org_admin}/manage/lifecycle/disable"),
        )
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json_of(bad_body, 400).await["key"], "bodyParseFailure");
    let status = |id: &str| {
        let shared = site.sandbox.shared();
        let state = shared.read();
        state.user_ix(id).map(|ix| state.user(ix).account_status)
    };
    for id in [&synced, &admin, &org_admin] {
        assert_eq!(status(id), Some(AccountStatus::Active));
    }
}
