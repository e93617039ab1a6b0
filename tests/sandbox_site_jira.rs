//! The sandbox's Jira API: auth, paging, filters, membership writes and their errors.

#[path = "support/sandbox.rs"]
mod sandbox_support;

use std::collections::HashSet;

use reqwest::Method;
use sandbox_support::{as_u64, json_of, only_through, start};
use seats::sandbox::generator::{ADMIN_GROUP, JIRA_SOFTWARE_GROUP, SYNCED_GROUP};
use seats::sandbox::state::{AccountType, Product};
use serde_json::{Value, json};

#[tokio::test]
async fn wrong_or_missing_credentials_get_jiras_401() {
    let site = start(50).await;
    let wrong = site
        .client
        .get(format!("{}/rest/api/3/myself", site.base))
        .basic_auth(seats::sandbox::DEFAULT_SITE_EMAIL, Some("not-the-token"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(wrong.headers().get("www-authenticate").is_some());
    let body = json_of(wrong, 401).await;
    assert!(body["errorMessages"][0].as_str().is_some(), "{body}");
    let missing = site
        .client
        .get(format!("{}/rest/api/3/group/bulk", site.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(missing.status().as_u16(), 401);
    // The org key is not a site credential.
    let bearer = site
        .org(Method::GET, "/rest/api/3/myself")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bearer.status().as_u16(), 401);
}

#[tokio::test]
async fn myself_is_the_site_admin_with_groups_and_roles_on_expand() {
    let site = start(50).await;
    let plain = json_of(site.site_get("/rest/api/3/myself").await, 200).await;
    assert_eq!(plain["emailAddress"], seats::sandbox::DEFAULT_SITE_EMAIL);
    assert_eq!(plain["active"], true);
    assert_eq!(plain["groups"]["items"], json!([]));
    let expanded = json_of(
        site.site_get("/rest/api/3/myself?expand=groups,applicationRoles")
            .await,
        200,
    )
    .await;
    let groups: Vec<&str> = expanded["groups"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert!(groups.contains(&ADMIN_GROUP), "{groups:?}");
    assert_eq!(as_u64(&expanded["groups"]["size"]) as usize, groups.len());
    let roles: Vec<&str> = expanded["applicationRoles"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["key"].as_str())
        .collect();
    assert!(roles.contains(&"jira-software"), "{roles:?}");
}

#[tokio::test]
async fn application_roles_carry_the_licence_and_the_live_counts() {
    let site = start(400).await;
    let roles = json_of(site.site_get("/rest/api/3/applicationrole").await, 200).await;
    let roles = roles.as_array().cloned().unwrap_or_default();
    let keys: Vec<&str> = roles.iter().filter_map(|r| r["key"].as_str()).collect();
    assert_eq!(keys, ["jira-software", "jira-servicedesk"]);
    for (role, product) in roles
        .iter()
        .zip([Product::JiraSoftware, Product::JiraServiceManagement])
    {
        let (seats, used) = seat_counts(&site, product);
        assert_eq!(as_u64(&role["numberOfSeats"]), seats);
        assert_eq!(as_u64(&role["userCount"]), used);
        assert_eq!(as_u64(&role["remainingSeats"]), seats - used);
        assert!(used > 0);
        let details: Vec<&str> = role["groupDetails"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|g| g["name"].as_str())
            .collect();
        assert!(details.contains(&ADMIN_GROUP), "{details:?}");
        assert_eq!(role["groups"].as_array().map(Vec::len), Some(details.len()));
        assert_eq!(
            role["defaultGroupsDetails"].as_array().map(Vec::len),
            Some(1)
        );
    }
    let engineering_grants_jsw = roles[0]["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|g| g == "engineering");
    assert!(engineering_grants_jsw, "{}", roles[0]);
    let one = site.role("jira-servicedesk").await;
    assert_eq!(one, roles[1]);
    let missing = json_of(
        site.site_get("/rest/api/3/applicationrole/confluence")
            .await,
        404,
    )
    .await;
    assert!(missing["errorMessages"][0].as_str().is_some());
}

/// The licence limit and the seats in use, behind the API.
fn seat_counts(site: &sandbox_support::TestSandbox, product: Product) -> (u64, u64) {
    let shared = site.sandbox.shared();
    let state = shared.read();
    (
        state.licence(product).map_or(0, |l| l.seat_limit) as u64,
        state.seats_used(product) as u64,
    )
}

/// Every page of `group/member`, following `nextPage`.
async fn all_members(site: &sandbox_support::TestSandbox, first: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut path = first.to_string();
    for _ in 0..10_000 {
        let page = json_of(site.site_get(&path).await, 200).await;
        let values = page["values"].as_array().cloned().unwrap_or_default();
        assert!(values.len() <= 50);
        out.extend(values);
        match page["nextPage"].as_str() {
            Some(next) => {
                assert_eq!(page["isLast"], false);
                path = next.trim_start_matches(&site.base).to_string();
            }
            None => {
                assert_eq!(page["isLast"], true);
                assert_eq!(as_u64(&page["total"]) as usize, out.len());
                return out;
            }
        }
    }
    panic!("group/member never reached its last page");
}

#[tokio::test]
async fn group_member_pages_to_the_end_once_and_hides_inactive_users_by_default() {
    let site = start(600).await;
    let group = site.group_id_in_state(JIRA_SOFTWARE_GROUP);
    let all = all_members(
        &site,
        &format!(
            "/rest/api/3/group/member?groupId={group}&includeInactiveUsers=true&maxResults=37"
        ),
    )
    .await;
    let active = all_members(&site, &format!("/rest/api/3/group/member?groupId={group}")).await;
    let ids: Vec<&str> = all.iter().filter_map(|u| u["accountId"].as_str()).collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "a member came twice");
    let members = {
        let shared = site.sandbox.shared();
        let state = shared.read();
        let g = state.group_ix(&group).unwrap_or_else(|| panic!("no group"));
        state.group(g).members.len()
    };
    assert_eq!(ids.len(), members);
    assert!(
        active.len() < all.len(),
        "the generated org has suspended members"
    );
    assert!(active.iter().all(|u| u["active"] == true));
    assert!(all.iter().any(|u| u["active"] == false));
    // The name works too, and maxResults is capped at 50.
    let page = json_of(
        site.site_get(&format!(
            "/rest/api/3/group/member?groupname={JIRA_SOFTWARE_GROUP}&maxResults=500"
        ))
        .await,
        200,
    )
    .await;
    assert_eq!(as_u64(&page["maxResults"]), 50);
    assert_eq!(page["values"].as_array().map(Vec::len), Some(50));
}

#[tokio::test]
async fn group_member_refuses_missing_unknown_and_doubled_groups() {
    let site = start(50).await;
    let missing = json_of(site.site_get("/rest/api/3/group/member").await, 400).await;
    assert!(missing["errorMessages"][0].as_str().is_some());
    json_of(
        site.site_get("/rest/api/3/group/member?groupId=00000000-0000-4000-8000-000000000000")
            .await,
        404,
    )
    .await;
    let group = site.group_id_in_state(JIRA_SOFTWARE_GROUP);
    json_of(
        site.site_get(&format!(
            "/rest/api/3/group/member?groupId={group}&groupname=jira-software-users"
        ))
        .await,
        400,
    )
    .await;
    json_of(
        site.site_get(&format!(
            "/rest/api/3/group/member?groupId={group}&startAt=x"
        ))
        .await,
        400,
    )
    .await;
}

#[tokio::test]
async fn group_bulk_filters_by_access_and_application_and_pages() {
    let site = start(100).await;
    let names = |page: &Value| -> Vec<String> {
        page["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|g| g["name"].as_str().map(str::to_string))
            .collect()
    };
    let users = json_of(
        site.site_get("/rest/api/3/group/bulk?accessType=user&applicationKey=jira-software")
            .await,
        200,
    )
    .await;
    let mut got = names(&users);
    got.sort();
    assert_eq!(got, ["engineering", JIRA_SOFTWARE_GROUP]);
    let admins = json_of(
        site.site_get("/rest/api/3/group/bulk?accessType=admin")
            .await,
        200,
    )
    .await;
    assert_eq!(names(&admins), [ADMIN_GROUP]);
    let site_admins = json_of(
        site.site_get("/rest/api/3/group/bulk?accessType=site-admin")
            .await,
        200,
    )
    .await;
    assert_eq!(names(&site_admins), [ADMIN_GROUP]);
    let core = json_of(
        site.site_get("/rest/api/3/group/bulk?applicationKey=jira-core")
            .await,
        200,
    )
    .await;
    assert_eq!(core["values"], json!([]));
    json_of(
        site.site_get("/rest/api/3/group/bulk?accessType=owner")
            .await,
        400,
    )
    .await;
    json_of(
        site.site_get("/rest/api/3/group/bulk?applicationKey=confluence")
            .await,
        400,
    )
    .await;
    let by_name = json_of(
        site.site_get(&format!(
            "/rest/api/3/group/bulk?groupName={SYNCED_GROUP}&groupName=contractors"
        ))
        .await,
        200,
    )
    .await;
    assert_eq!(as_u64(&by_name["total"]), 2);
    let jsw = site.group_id_in_state(JIRA_SOFTWARE_GROUP);
    let by_id = json_of(
        site.site_get(&format!("/rest/api/3/group/bulk?groupId={jsw}"))
            .await,
        200,
    )
    .await;
    assert_eq!(names(&by_id), [JIRA_SOFTWARE_GROUP]);
    // Paging: small pages give every group once.
    let mut seen = Vec::new();
    let mut path = "/rest/api/3/group/bulk?maxResults=4".to_string();
    loop {
        let page = json_of(site.site_get(&path).await, 200).await;
        seen.extend(names(&page));
        match page["nextPage"].as_str() {
            Some(next) => path = next.trim_start_matches(&site.base).to_string(),
            None => break,
        }
    }
    let total = site.sandbox.shared().read().groups.len();
    assert_eq!(seen.len(), total);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), total);
}

#[tokio::test]
async fn users_search_returns_every_account_once_as_a_plain_array() {
    let site = start(2300).await;
    let mut ids = Vec::new();
    let mut types = HashSet::new();
    let mut start_at = 0;
    loop {
        let page = json_of(
            site.site_get(&format!(
                "/rest/api/3/users/search?startAt={start_at}&maxResults=5000"
            ))
            .await,
            200,
        )
        .await;
        let values = page
            .as_array()
            .cloned()
            .unwrap_or_else(|| panic!("not an array: {page}"));
        assert!(values.len() <= 1000, "maxResults is limited to 1000");
        if values.is_empty() {
            break;
        }
        start_at += values.len();
        types.extend(
            values
                .iter()
                .filter_map(|u| u["accountType"].as_str().map(str::to_string)),
        );
        ids.extend(
            values
                .iter()
                .filter_map(|u| u["accountId"].as_str().map(str::to_string)),
        );
    }
    assert_eq!(ids.len(), 2300);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 2300);
    for t in [
        AccountType::Atlassian,
        AccountType::App,
        AccountType::Customer,
    ] {
        assert!(types.contains(t.as_str()), "{types:?}");
    }
    json_of(
        site.site_get("/rest/api/3/users/search?startAt=-1").await,
        400,
    )
    .await;
}

#[tokio::test]
async fn adding_and_removing_through_jira_changes_membership_and_seats() {
    let site = start(400).await;
    let group = site.group_id_in_state(JIRA_SOFTWARE_GROUP);
    let user =
        site.find_user(|s, ix| only_through(s, ix, Product::JiraSoftware, JIRA_SOFTWARE_GROUP));
    let before = as_u64(&site.role("jira-software").await["userCount"]);
    let removed = site
        .site_delete(&format!(
            "/rest/api/3/group/user?groupId={group}&accountId={user}"
        ))
        .await;
    assert_eq!(removed.status().as_u16(), 200);
    assert_eq!(
        as_u64(&site.role("jira-software").await["userCount"]),
        before - 1
    );
    // Removing again changes nothing.
    let again = site
        .site_delete(&format!(
            "/rest/api/3/group/user?groupId={group}&accountId={user}"
        ))
        .await;
    assert_eq!(again.status().as_u16(), 200);
    assert_eq!(
        as_u64(&site.role("jira-software").await["userCount"]),
        before - 1
    );
    let added = json_of(
        site.site_post(
            &format!("/rest/api/3/group/user?groupId={group}"),
            &json!({"accountId": user}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(added["groupId"], group);
    assert_eq!(added["name"], JIRA_SOFTWARE_GROUP);
    assert_eq!(
        as_u64(&site.role("jira-software").await["userCount"]),
        before
    );
    // A member already: Jira's 400.
    json_of(
        site.site_post(
            &format!("/rest/api/3/group/user?groupId={group}"),
            &json!({"accountId": user}),
        )
        .await,
        400,
    )
    .await;
}

#[tokio::test]
async fn membership_writes_refuse_bad_requests_with_jiras_codes() {
    let site = start(300).await;
    let group = site.group_id_in_state(JIRA_SOFTWARE_GROUP);
    let synced = site.group_id_in_state(SYNCED_GROUP);
    let member = site.find_user(|s, ix| {
        s.group_ix_by_name(SYNCED_GROUP)
            .is_some_and(|g| s.user(ix).groups.contains(&g))
    });
    let cases: Vec<(Method, String, Option<Value>, u16)> = vec![
        (
            Method::POST,
            "/rest/api/3/group/user".into(),
            Some(json!({"accountId": member})),
            400,
        ),
        (
            Method::POST,
            format!("/rest/api/3/group/user?groupId={group}"),
            Some(json!({})),
            400,
        ),
        (
            Method::POST,
            "/rest/api/3/group/user?groupId=00000000-0000-4000-8000-000000000000".into(),
            Some(json!({"accountId": member})),
            404,
        ),
        (
            Method::POST,
            format!("/rest/api/3/group/user?groupId={group}"),
            Some(json!({"accountId": "712020:nobody"})),
            404,
        ),
        (
            Method::DELETE,
            format!("/rest/api/3/group/user?groupId={group}"),
            None,
            400,
        ),
        (
            Method::DELETE,
            format!("/rest/api/3/group/user?accountId={member}"),
            None,
            400,
        ),
        (
            Method::DELETE,
            format!("/rest/api/3/group/user?groupId={group}&accountId=712020:nobody"),
            None,
            404,
        ),
        (
            Method::DELETE,
            format!("/rest/api/3/group/user?groupId={synced}&accountId={member}"),
            None,
            403,
        ),
    ];
    let events_before = site.event_count();
    for (method, path, body, status) in cases {
        let got = json_of(
            site.site_send(method.clone(), &path, body.as_ref()).await,
            status,
        )
        .await;
        assert!(
            got["errorMessages"][0]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{method} {path}: {got}"
        );
        assert!(got["errors"].is_object(), "{method} {path}: {got}");
    }
    assert_eq!(site.event_count(), events_before);
}
