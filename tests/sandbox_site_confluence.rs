//! The sandbox's Confluence v1 group API: auth, paging by `_links.next`, membership writes, and
//! their effect on the org API.

#[path = "support/sandbox.rs"]
mod sandbox_support;

use std::collections::HashSet;

use reqwest::Method;
use sandbox_support::{TestSandbox, as_u64, json_of, only_through, products, start};
use seats::sandbox::generator::{ADMIN_GROUP, CONFLUENCE_GROUP, SYNCED_GROUP};
use seats::sandbox::state::Product;
use serde_json::{Value, json};

/// Every page from `first`, following the relative `_links.next` from `_links.base`.
async fn all_pages(site: &TestSandbox, first: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut path = first.to_string();
    for _ in 0..10_000 {
        let page = json_of(site.site_get(&path).await, 200).await;
        let results = page["results"].as_array().cloned().unwrap_or_default();
        assert_eq!(as_u64(&page["size"]) as usize, results.len());
        assert!(as_u64(&page["limit"]) <= 200);
        out.extend(results);
        let base = page["_links"]["base"].as_str().unwrap_or_default();
        assert_eq!(base, format!("{}/wiki", site.base));
        match page["_links"]["next"].as_str() {
            Some(next) => {
                assert!(next.starts_with("/rest/api/"), "next is relative: {next}");
                path = format!("/wiki{next}");
            }
            None => return out,
        }
    }
    panic!("{first} never reached its last page");
}

#[tokio::test]
async fn wrong_credentials_get_confluences_401() {
    let site = start(30).await;
    let response = site
        .client
        .get(format!("{}/wiki/rest/api/group", site.base))
        .basic_auth(
            "someone@acme.example",
            Some(seats::sandbox::DEFAULT_SITE_TOKEN),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let body = json_of(response, 401).await;
    assert_eq!(body["statusCode"], 401);
    assert!(body["message"].as_str().is_some());
}

#[tokio::test]
async fn groups_page_by_links_next_and_filter_by_access_type() {
    let site = start(100).await;
    let all = all_pages(&site, "/wiki/rest/api/group?limit=3").await;
    let names: Vec<&str> = all.iter().filter_map(|g| g["name"].as_str()).collect();
    let total = site.sandbox.shared().read().groups.len();
    assert_eq!(names.len(), total);
    assert_eq!(names.iter().collect::<HashSet<_>>().len(), total);
    assert!(
        all.iter()
            .all(|g| g["type"] == "group" && g["id"].is_string())
    );
    let names_of = |page: &Value| -> Vec<String> {
        page["results"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|g| g["name"].as_str().map(str::to_string))
            .collect()
    };
    let users = json_of(
        site.site_get("/wiki/rest/api/group?accessType=user").await,
        200,
    )
    .await;
    let mut got = names_of(&users);
    got.sort();
    assert_eq!(got, [CONFLUENCE_GROUP, SYNCED_GROUP]);
    let admins = json_of(
        site.site_get("/wiki/rest/api/group?accessType=admin").await,
        200,
    )
    .await;
    assert_eq!(names_of(&admins), [ADMIN_GROUP]);
    json_of(
        site.site_get("/wiki/rest/api/group?accessType=owner").await,
        400,
    )
    .await;
    json_of(site.site_get("/wiki/rest/api/group?start=-1").await, 400).await;
}

#[tokio::test]
async fn members_page_to_the_end_once_and_refuse_a_limit_over_200() {
    let site = start(900).await;
    let group = site.group_id_in_state(CONFLUENCE_GROUP);
    let members = all_pages(
        &site,
        &format!("/wiki/rest/api/group/{group}/membersByGroupId?limit=64"),
    )
    .await;
    let ids: HashSet<&str> = members
        .iter()
        .filter_map(|u| u["accountId"].as_str())
        .collect();
    let expected = {
        let shared = site.sandbox.shared();
        let state = shared.read();
        let g = state.group_ix(&group).unwrap_or_else(|| panic!("no group"));
        state.group(g).members.len()
    };
    assert!(expected > 200, "more than one default page");
    assert_eq!(members.len(), expected);
    assert_eq!(ids.len(), expected, "a member came twice");
    assert!(members.iter().all(|u| u["type"] == "known"));
    // Default limit 200, total on request.
    let first = json_of(
        site.site_get(&format!(
            "/wiki/rest/api/group/{group}/membersByGroupId?shouldReturnTotalSize=true"
        ))
        .await,
        200,
    )
    .await;
    assert_eq!(as_u64(&first["limit"]), 200);
    assert_eq!(as_u64(&first["size"]), 200);
    assert_eq!(as_u64(&first["totalSize"]) as usize, expected);
    json_of(
        site.site_get(&format!(
            "/wiki/rest/api/group/{group}/membersByGroupId?limit=201"
        ))
        .await,
        400,
    )
    .await;
    json_of(
        site.site_get("/wiki/rest/api/group/00000000-0000-4000-8000-000000000000/membersByGroupId")
            .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn a_confluence_removal_shows_in_the_org_api_and_the_event_stream() {
    let site = start(400).await;
    let group = site.group_id_in_state(CONFLUENCE_GROUP);
    let user = site.find_user(|s, ix| only_through(s, ix, Product::Confluence, CONFLUENCE_GROUP));
    assert!(products(&site.org_user(&user).await).contains(&"confluence".to_string()));
    let removed = site
        .site_delete(&format!(
            "/wiki/rest/api/group/userByGroupId?groupId={group}&accountId={user}"
        ))
        .await;
    assert_eq!(removed.status().as_u16(), 204);
    let after = site.org_user(&user).await;
    assert!(
        !products(&after).contains(&"confluence".to_string()),
        "{after}"
    );
    let events = json_of(site.admin_get("/v1/orgs/{org}/events-stream").await, 200).await;
    let mentions_user = events["data"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|e| e.to_string().contains(&user) && e.to_string().contains(&group));
    assert!(mentions_user, "{events}");
    // Not a member any more: 204 again, and nothing new happens.
    let events_before = site.event_count();
    let again = site
        .site_delete(&format!(
            "/wiki/rest/api/group/userByGroupId?groupId={group}&accountId={user}"
        ))
        .await;
    assert_eq!(again.status().as_u16(), 204);
    assert_eq!(site.event_count(), events_before);
    // Back in: 201 and Confluence again.
    let added = site
        .site_post(
            &format!("/wiki/rest/api/group/userByGroupId?groupId={group}"),
            &json!({"accountId": user}),
        )
        .await;
    assert_eq!(added.status().as_u16(), 201);
    assert!(products(&site.org_user(&user).await).contains(&"confluence".to_string()));
}

#[tokio::test]
async fn membership_writes_refuse_bad_requests_with_confluences_codes() {
    let site = start(300).await;
    let group = site.group_id_in_state(CONFLUENCE_GROUP);
    let synced = site.group_id_in_state(SYNCED_GROUP);
    let member = site.find_user(|s, ix| {
        s.group_ix_by_name(SYNCED_GROUP)
            .is_some_and(|g| s.user(ix).groups.contains(&g))
    });
    let nobody = "712020:nobody";
    let unknown_group = "00000000-0000-4000-8000-000000000000";
    let cases: Vec<(Method, String, Option<Value>, u16)> = vec![
        (
            Method::POST,
            "/wiki/rest/api/group/userByGroupId".into(),
            Some(json!({"accountId": member})),
            400,
        ),
        (
            Method::POST,
            format!("/wiki/rest/api/group/userByGroupId?groupId={group}"),
            Some(json!({})),
            400,
        ),
        (
            Method::POST,
            format!("/wiki/rest/api/group/userByGroupId?groupId={group}"),
            Some(json!({"accountId": nobody})),
            400,
        ),
        (
            Method::POST,
            format!("/wiki/rest/api/group/userByGroupId?groupId={unknown_group}"),
            Some(json!({"accountId": member})),
            404,
        ),
        (
            Method::POST,
            format!("/wiki/rest/api/group/userByGroupId?groupId={synced}"),
            Some(json!({"accountId": member})),
            403,
        ),
        (
            Method::DELETE,
            format!("/wiki/rest/api/group/userByGroupId?groupId={group}"),
            None,
            400,
        ),
        (
            Method::DELETE,
            format!("/wiki/rest/api/group/userByGroupId?groupId={group}&accountId={nobody}"),
            None,
            404,
        ),
        (
            Method::DELETE,
            format!(
                "/wiki/rest/api/group/userByGroupId?groupId={unknown_group}&accountId={member}"
            ),
            None,
            404,
        ),
        (
            Method::DELETE,
            format!("/wiki/rest/api/group/userByGroupId?groupId={synced}&accountId={member}"),
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
        assert_eq!(got["statusCode"], status, "{method} {path}: {got}");
    }
    assert_eq!(site.event_count(), events_before);
}
