//! The Jira, Confluence and user management modules against wiremock with spec-shaped
//! answers: each paging style ends where it should, and every request the client sends is
//! valid against the official specs (the sandbox-based check covers the admin API).
mod support;

use futures::TryStreamExt;
use seats::atlassian::{Client, ClientOptions, Connection, Secret, confluence, jira, users};
use serde_json::{Value, json};
use support::spec::spec;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GROUP: &str = "276f955c-63d7-42c8-9520-92d01dca0625";
const ACCOUNT: &str = "5b10a2844c20165700ede21g";

fn jira_user(id: &str) -> Value {
    json!({"accountId": id, "accountType": "atlassian", "active": true, "displayName": id, "emailAddress": format!("{id}@example.com"), "self": "https://acme.atlassian.net/rest/api/3/user", "timeZone": "UTC"})
}

fn conf_user(id: &str) -> Value {
    json!({"type": "known", "accountId": id, "accountType": "atlassian", "displayName": id, "email": format!("{id}@example.com"), "publicName": id, "_links": {}, "_expandable": {}, "profilePicture": {"path": "/p.png", "width": 48, "height": 48, "isDefault": true}, "operations": [], "isExternalCollaborator": false})
}

async fn mount(
    server: &MockServer,
    m: &str,
    p: &str,
    query: &[(&str, &str)],
    status: u16,
    body: Option<Value>,
) {
    let mut mock = Mock::given(method(m)).and(path(p));
    for (k, v) in query {
        mock = mock.and(query_param(*k, *v));
    }
    let mut resp = ResponseTemplate::new(status);
    if let Some(b) = body {
        // The mocks must be what the real API sends: check them too.
        if let Err(e) = spec().check_response(m, p, status, Some(&b)) {
            panic!("mock {m} {p} is not spec-valid: {e:?}");
        }
        resp = resp.set_body_json(b);
    }
    mock.respond_with(resp).mount(server).await;
}

#[tokio::test]
async fn site_and_user_management_calls_page_correctly_and_match_the_specs() {
    let server = MockServer::start().await;
    let conn = Connection {
        admin_url: Some(server.uri()),
        site_url: Some(server.uri()),
        org_id: Some("o".into()),
        email: Some("admin@acme.example".into()),
        org_api_key: Some(Secret::new("k")),
        site_token: Some(Secret::new("t")),
    };
    let client = Client::with_options(&conn, ClientOptions::default()).unwrap();

    mount(
        &server,
        "GET",
        "/rest/api/3/myself",
        &[],
        200,
        Some(jira_user(ACCOUNT)),
    )
    .await;
    mount(&server, "GET", "/rest/api/3/applicationrole", &[], 200, Some(json!([
        {"key": "jira-software", "name": "Jira Software", "groups": ["jira-software-users"], "groupDetails": [{"groupId": GROUP, "name": "jira-software-users"}],
         "defaultGroups": [], "defaultGroupsDetails": [], "numberOfSeats": 10, "remainingSeats": 4, "userCount": 6, "userCountDescription": "users",
         "hasUnlimitedSeats": false, "platform": false, "selectedByDefault": false, "defined": true}
    ]))).await;
    // group/bulk: two pages, isLast on the second.
    mount(&server, "GET", "/rest/api/3/group/bulk", &[("startAt", "0")], 200, Some(json!({"startAt": 0, "maxResults": 2, "total": 3, "isLast": false, "values": [{"groupId": "g1", "name": "a"}, {"groupId": "g2", "name": "b"}]}))).await;
    mount(&server, "GET", "/rest/api/3/group/bulk", &[("startAt", "2")], 200, Some(json!({"startAt": 2, "maxResults": 2, "total": 3, "isLast": true, "values": [{"groupId": "g3", "name": "c"}]}))).await;
    // group/member: capped at 2 a page by the server, ends on isLast.
    mount(&server, "GET", "/rest/api/3/group/member", &[("startAt", "0")], 200, Some(json!({"startAt": 0, "maxResults": 2, "total": 3, "isLast": false, "values": [jira_user("u1"), jira_user("u2")]}))).await;
    mount(&server, "GET", "/rest/api/3/group/member", &[("startAt", "2")], 200, Some(json!({"startAt": 2, "maxResults": 2, "total": 3, "isLast": true, "values": [jira_user("u3")]}))).await;
    // users/search: a plain array that ends on a short page.
    mount(
        &server,
        "GET",
        "/rest/api/3/users/search",
        &[("startAt", "0")],
        200,
        Some(json!([jira_user("u1"), jira_user("u2")])),
    )
    .await;
    mount(
        &server,
        "GET",
        "/rest/api/3/users/search",
        &[("startAt", "2")],
        200,
        Some(json!([jira_user("u3")])),
    )
    .await;
    mount(
        &server,
        "POST",
        "/rest/api/3/group/user",
        &[],
        201,
        Some(json!({"name": "jira-software-users", "groupId": GROUP})),
    )
    .await;
    mount(&server, "DELETE", "/rest/api/3/group/user", &[], 200, None).await;
    // Confluence: start/limit with a relative _links.next.
    mount(&server, "GET", "/wiki/rest/api/group", &[("start", "0")], 200, Some(json!({"results": [{"type": "group", "name": "a", "id": "g1"}, {"type": "group", "name": "b", "id": "g2"}], "start": 0, "limit": 2, "size": 2, "_links": {"base": "https://acme.atlassian.net/wiki", "context": "/wiki", "next": "/rest/api/group?start=2&limit=2", "self": "x"}}))).await;
    mount(&server, "GET", "/wiki/rest/api/group", &[("start", "2")], 200, Some(json!({"results": [{"type": "group", "name": "c", "id": "g3"}], "start": 2, "limit": 2, "size": 1, "_links": {"base": "https://acme.atlassian.net/wiki", "context": "/wiki", "self": "x"}}))).await;
    let members = format!("/wiki/rest/api/group/{GROUP}/membersByGroupId");
    mount(&server, "GET", &members, &[], 200, Some(json!({"results": [conf_user("u1")], "start": 0, "limit": 200, "size": 1, "_links": {"base": "https://acme.atlassian.net/wiki", "context": "/wiki", "self": "x"}}))).await;
    mount(
        &server,
        "POST",
        "/wiki/rest/api/group/userByGroupId",
        &[],
        201,
        None,
    )
    .await;
    mount(
        &server,
        "DELETE",
        "/wiki/rest/api/group/userByGroupId",
        &[],
        204,
        None,
    )
    .await;
    let manage = format!("/users/{ACCOUNT}/manage");
    mount(&server, "GET", &manage, &[], 200, Some(json!({"lifecycle.enablement": {"allowed": false, "reason": {"key": "externalDirectory.scim"}}}))).await;
    mount(
        &server,
        "POST",
        &format!("{manage}/lifecycle/disable"),
        &[],
        204,
        None,
    )
    .await;
    mount(
        &server,
        "POST",
        &format!("{manage}/lifecycle/enable"),
        &[],
        204,
        None,
    )
    .await;

    assert_eq!(jira::myself(&client).await.unwrap().account_id, ACCOUNT);
    let roles = jira::application_roles(&client).await.unwrap();
    assert_eq!(
        (
            roles[0].number_of_seats,
            roles[0].user_count,
            roles[0].remaining_seats
        ),
        (Some(10), Some(6), Some(4))
    );
    let groups = jira::groups(&client, Some("jira-software"))
        .try_concat()
        .await
        .unwrap();
    assert_eq!(
        groups
            .iter()
            .filter_map(|g| g.group_id.as_deref())
            .collect::<Vec<_>>(),
        ["g1", "g2", "g3"]
    );
    let m = jira::group_members(&client, GROUP, false)
        .try_concat()
        .await
        .unwrap();
    assert_eq!(m.len(), 3);
    let all = jira::users(&client, 2).try_concat().await.unwrap();
    assert_eq!(all.len(), 3);
    jira::add_group_member(&client, GROUP, ACCOUNT)
        .await
        .unwrap();
    jira::remove_group_member(&client, GROUP, ACCOUNT)
        .await
        .unwrap();
    let cg = confluence::groups(&client).try_concat().await.unwrap();
    assert_eq!(
        cg.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(),
        ["g1", "g2", "g3"]
    );
    assert_eq!(
        confluence::group_members(&client, GROUP)
            .try_concat()
            .await
            .unwrap()
            .len(),
        1
    );
    confluence::add_group_member(&client, GROUP, ACCOUNT)
        .await
        .unwrap();
    confluence::remove_group_member(&client, GROUP, ACCOUNT)
        .await
        .unwrap();
    let manageability = users::manageability(&client, ACCOUNT, &["lifecycle.enablement"])
        .await
        .unwrap();
    let rule = users::rule(&manageability, "lifecycle.enablement").unwrap();
    assert!(!rule.allowed);
    assert_eq!(rule.reason.unwrap().key, "externalDirectory.scim");
    users::disable(&client, ACCOUNT, Some("left the company"))
        .await
        .unwrap();
    users::enable(&client, ACCOUNT).await.unwrap();

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 18);
    let mut errors = Vec::new();
    for r in &received {
        let body: Option<Value> =
            (!r.body.is_empty()).then(|| serde_json::from_slice(&r.body).unwrap());
        if let Err(e) = spec().check_request(
            r.method.as_str(),
            r.url.path(),
            r.url.query(),
            body.as_ref(),
        ) {
            errors.extend(
                e.into_iter()
                    .map(|m| format!("{} {}: {m}", r.method, r.url)),
            );
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
