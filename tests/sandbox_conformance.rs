//! The sandbox answers as the official specs say: drive every operation it serves through raw
//! HTTP (successes and the errors each spec declares), record every exchange, and check each
//! one against the vendored spec. Every vendored operation must see a 2xx, so a new endpoint
//! cannot skip the check.
mod support;

use std::collections::BTreeSet;

use reqwest::{Client, Method, RequestBuilder};
use seats::sandbox::state::{AccountStatus, AccountType, Membership, Product, Resource, Role};
use seats::sandbox::{self, Sandbox, SandboxConfig};
use serde_json::{Value, json};
use support::spec::{Exchange, Options, STRICT, spec};

/// How one request's exchange is checked.
#[derive(Clone, Copy)]
struct Case {
    /// The request is deliberately invalid: only the response is checked.
    invalid_request: bool,
    /// Statuses the operation does not declare but Atlassian sends anyway (say why at the call).
    extra_statuses: &'static [u16],
}

const VALID: Case = Case {
    invalid_request: false,
    extra_statuses: &[],
};
const INVALID: Case = Case {
    invalid_request: true,
    extra_statuses: &[],
};

/// Wanted statuses beyond one code.
const ANY_5XX: u16 = 0;
const ANY: u16 = 1;

enum Auth {
    /// The org API key as a bearer token (admin and user management APIs).
    Org,
    /// The site's email and API token (Jira and Confluence).
    Site,
    None,
    Wrong,
}

struct Driver {
    sb: Sandbox,
    client: Client,
    base: String,
    /// One per recorded exchange, in order (requests are sent one at a time).
    cases: Vec<Case>,
    /// Answers with another status than the case expects, or a body not labelled JSON (reported at the end).
    wrong_answers: Vec<String>,
}

impl Driver {
    fn req(&self, method: Method, path: &str, auth: Auth) -> RequestBuilder {
        let r = self.client.request(method, format!("{}{path}", self.base));
        match auth {
            Auth::Org => r.bearer_auth(sandbox::DEFAULT_ORG_API_KEY),
            Auth::Site => r.basic_auth(
                sandbox::DEFAULT_SITE_EMAIL,
                Some(sandbox::DEFAULT_SITE_TOKEN),
            ),
            Auth::None => r,
            Auth::Wrong => {
                if path.starts_with("/rest") || path.starts_with("/wiki") {
                    r.basic_auth(sandbox::DEFAULT_SITE_EMAIL, Some("not-the-token"))
                } else {
                    r.bearer_auth("not-the-key")
                }
            }
        }
    }

    /// Sends, checks the status (`ANY_5XX`, `ANY` or one), returns the JSON body (Null if none). `None`
    /// when the sandbox dropped the connection (nothing recorded then).
    async fn send(&mut self, req: RequestBuilder, want: u16, case: Case) -> Option<Value> {
        let (client, request) = req.build_split();
        let request = request.expect("a well-formed request");
        let url = request.url();
        let what = format!(
            "{} {}{}",
            request.method(),
            url.path(),
            url.query().map(|q| format!("?{q}")).unwrap_or_default()
        );
        let res = match client.execute(request).await {
            Ok(r) => r,
            Err(_) if want == ANY_5XX => return None,
            Err(e) => panic!("{what}: {e}"),
        };
        let status = res.status().as_u16();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = match res.text().await {
            Ok(t) => t,
            Err(_) if want == ANY_5XX => return None,
            Err(e) => panic!("{what}: body: {e}"),
        };
        self.cases.push(case);
        let fine = match want {
            ANY_5XX => status >= 500,
            ANY => true,
            _ => status == want,
        };
        // The validator sees parsed bodies only: a body must also say it is JSON.
        if !text.is_empty() && !content_type.starts_with("application/json") {
            self.wrong_answers.push(format!(
                "{what}: {status} with a body of type '{content_type}', not application/json"
            ));
        }
        if status == 204 && !text.is_empty() {
            self.wrong_answers.push(format!("{what}: 204 with a body"));
        }
        if !fine {
            let short: String = text.chars().take(300).collect();
            self.wrong_answers
                .push(format!("{what}: want {want}, got {status}: {short}"));
        }
        Some(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn call(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
        auth: Auth,
        want: u16,
        case: Case,
    ) -> Value {
        let mut r = self.req(method, path, auth);
        if let Some(b) = body {
            r = r.json(&b);
        }
        self.send(r, want, case).await.unwrap_or(Value::Null)
    }

    async fn get(&mut self, path: &str, want: u16) -> Value {
        let auth = auth_for(path);
        self.call(Method::GET, path, None, auth, want, VALID).await
    }

    async fn post(&mut self, path: &str, body: Value, want: u16) -> Value {
        let auth = auth_for(path);
        self.call(Method::POST, path, Some(body), auth, want, VALID)
            .await
    }

    async fn post_empty(&mut self, path: &str, want: u16) -> Value {
        let auth = auth_for(path);
        self.call(Method::POST, path, None, auth, want, VALID).await
    }

    async fn delete(&mut self, path: &str, want: u16) -> Value {
        let auth = auth_for(path);
        self.call(Method::DELETE, path, None, auth, want, VALID)
            .await
    }

    /// A deliberately invalid request (bad body, limit, enum or cursor).
    async fn invalid(&mut self, method: Method, path: &str, body: Option<Value>, want: u16) {
        let auth = auth_for(path);
        self.call(method, path, body, auth, want, INVALID).await;
    }
}

fn auth_for(path: &str) -> Auth {
    if path.starts_with("/rest") || path.starts_with("/wiki") {
        Auth::Site
    } else {
        Auth::Org
    }
}

/// Ids the cases need, picked from the generated org.
struct Picks {
    org: String,
    dir: String,
    cloud: String,
    /// Managed, unsynced, active, a member of `group` and not of `other_group`.
    user: String,
    /// Another managed, unsynced, active user (for suspend, deactivate and removal).
    spare: String,
    /// A third such user (made org admin for a while).
    third: String,
    /// An account outside the org's verified domain.
    unmanaged: String,
    group: String,
    group_name: String,
    other_group: String,
    synced_group: String,
    /// Every 9th account in the directory, whatever its kind, status and claim, for the per-user reads.
    sample: Vec<String>,
    /// Every 9th account of any kind, in the directory or not.
    accounts: Vec<String>,
    /// Every group.
    groups: Vec<String>,
    /// A directory user provisioned by SCIM.
    synced_user: Option<String>,
    /// A user holding a product's user role through a group only, with the product key.
    grant_through_group: Option<(String, &'static str)>,
}

fn pick(sb: &Sandbox) -> Picks {
    let shared = sb.shared();
    // The key's own admin cannot be deactivated.
    let actor = shared.admin_actor();
    let s = shared.read();
    let unsynced: Vec<usize> = (0..s.groups.len())
        .filter(|&g| !s.groups[g].external_synced)
        .collect();
    let synced_group = s
        .groups
        .iter()
        .find(|g| g.external_synced)
        .map(|g| g.id.clone())
        .expect("a synced group");
    let candidates: Vec<usize> = (0..s.users.len())
        .filter(|&i| {
            let u = &s.users[i];
            u.managed
                && !u.synced
                && !u.removed
                && u.account_type == AccountType::Atlassian
                && u.membership == Membership::Active
                && u.account_status == AccountStatus::Active
                && u.email.is_some()
                && u.account_id != actor
        })
        .collect();
    let (user, group, other_group) = candidates
        .iter()
        .find_map(|&i| {
            let u = &s.users[i];
            let inside = unsynced.iter().find(|&&g| u.groups.contains(&(g as u32)))?;
            let outside = unsynced
                .iter()
                .find(|&&g| !u.groups.contains(&(g as u32)))?;
            Some((i, *inside, *outside))
        })
        .expect("a managed user in an unsynced group");
    let spare = *candidates
        .iter()
        .rev()
        .find(|&&i| i != user)
        .expect("a second managed user");
    let third = *candidates
        .iter()
        .find(|&&i| i != user && i != spare)
        .expect("a third managed user");
    let unmanaged = s
        .users
        .iter()
        .find(|u| !u.managed && u.account_type == AccountType::Atlassian && !u.removed)
        .map(|u| u.account_id.clone())
        .expect("an unmanaged account");
    Picks {
        org: s.org_id.clone(),
        dir: s.directory_id.clone(),
        cloud: s.cloud_id.clone(),
        user: s.users[user].account_id.clone(),
        spare: s.users[spare].account_id.clone(),
        third: s.users[third].account_id.clone(),
        unmanaged,
        group: s.groups[group].id.clone(),
        group_name: s.groups[group].name.clone(),
        other_group: s.groups[other_group].id.clone(),
        synced_group,
        sample: s
            .users
            .iter()
            .filter(|u| u.in_directory())
            .step_by(9)
            .map(|u| u.account_id.clone())
            .collect(),
        accounts: s
            .users
            .iter()
            .step_by(9)
            .map(|u| u.account_id.clone())
            .collect(),
        groups: s.groups.iter().map(|g| g.id.clone()).collect(),
        synced_user: s
            .users
            .iter()
            .find(|u| u.synced && u.in_directory())
            .map(|u| u.account_id.clone()),
        grant_through_group: (0..s.users.len() as u32).find_map(|ix| {
            let u = s.user(ix);
            if !u.in_directory() || !u.direct_grants.is_empty() {
                return None;
            }
            u.groups.iter().find_map(|&g| {
                s.group(g)
                    .grants
                    .iter()
                    .find_map(|gr| match (gr.resource, gr.role) {
                        (Resource::Product(p), Role::User) => Some((u.account_id.clone(), p.key())),
                        _ => None,
                    })
            })
        }),
    }
}

fn next_cursor(page: &Value) -> Option<String> {
    let next = page["links"]["next"].as_str()?;
    Some(
        next.rsplit_once("cursor=")
            .map_or(next, |(_, c)| c)
            .to_string(),
    )
}

async fn admin_api(d: &mut Driver, p: &Picks) {
    let (org, dir, cloud) = (p.org.clone(), p.dir.clone(), p.cloud.clone());
    let dirp = format!("/admin/v2/orgs/{org}/directories/{dir}");
    // Orgs and directories.
    d.get("/admin/v1/orgs", 200).await;
    let no_key = d.req(Method::GET, "/admin/v1/orgs", Auth::None);
    d.send(no_key, 401, VALID).await;
    let wrong_key = d.req(Method::GET, "/admin/v1/orgs", Auth::Wrong);
    d.send(wrong_key, 401, VALID).await;
    d.invalid(Method::GET, "/admin/v1/orgs?cursor=%%%", None, 400)
        .await;
    d.get(&format!("/admin/v1/orgs/{org}"), 200).await;
    d.get("/admin/v1/orgs/0c0c0c0c-0000-4000-8000-000000000000", 404)
        .await;
    d.get(&format!("/admin/v2/orgs/{org}/directories"), 200)
        .await;
    d.invalid(
        Method::GET,
        &format!("/admin/v2/orgs/{org}/directories?cursor=bogus"),
        None,
        400,
    )
    .await;

    // User search: pages to the end (the last page has no links.next), and its 400s and 404s.
    let search = format!("{dirp}/users/search");
    let mut body = json!({"limit": 100, "expand": ["productAccess", "groups"]});
    let mut pages = 0;
    loop {
        let page = d.post(&search, body.clone(), 200).await;
        pages += 1;
        match next_cursor(&page) {
            Some(c) => body["cursor"] = json!(c),
            None => break,
        }
        assert!(pages < 20, "the user search never ends");
    }
    assert!(pages > 1, "a few hundred users fill more than one page");
    d.post(
        &search,
        json!({"accountIds": [p.user], "status": ["active"]}),
        200,
    )
    .await;
    d.invalid(Method::POST, &search, Some(json!({"limit": 0})), 400)
        .await;
    d.invalid(
        Method::POST,
        &search,
        Some(json!({"status": ["asleep"]})),
        400,
    )
    .await;
    d.invalid(Method::POST, &search, Some(json!({"cursor": "bogus"})), 400)
        .await;
    d.invalid(Method::POST, &search, Some(json!("not an object")), 400)
        .await;
    d.post(
        &format!("/admin/v2/orgs/{org}/directories/nope/users/search"),
        json!({}),
        404,
    )
    .await;

    // The deprecated user list.
    let list = d.get(&format!("{dirp}/users?limit=50"), 200).await;
    if let Some(c) = next_cursor(&list) {
        d.get(&format!("{dirp}/users?cursor={c}"), 200).await;
    }
    d.invalid(Method::GET, &format!("{dirp}/users?limit=0"), None, 400)
        .await;

    // One user.
    let user = p.user.clone();
    d.get(&format!("{dirp}/users/{user}"), 200).await;
    d.get(&format!("{dirp}/users/no-such-account"), 404).await;
    d.get(&format!("{dirp}/users/{user}/role-assignments"), 200)
        .await;
    d.get(&format!("/admin/v2/orgs/{org}/directories/-/users/{user}/role-assignments?resourceIds=ari:cloud:jira-software::site/{cloud}"), 200).await;
    d.get(
        &format!("{dirp}/users/no-such-account/role-assignments"),
        404,
    )
    .await;
    d.get(
        &format!("/admin/v1/orgs/{org}/directory/users/{user}/last-active-dates"),
        200,
    )
    .await;
    d.get(
        &format!("/admin/v1/orgs/{org}/directory/users/no-such-account/last-active-dates"),
        404,
    )
    .await;

    // Suspend, restore, remove.
    let spare = p.spare.clone();
    d.post_empty(&format!("{dirp}/users/{spare}/suspend"), 204)
        .await;
    d.post_empty(&format!("{dirp}/users/{spare}/restore"), 204)
        .await;
    d.post_empty(&format!("{dirp}/users/no-such-account/suspend"), 404)
        .await;
    d.post_empty(&format!("{dirp}/users/no-such-account/restore"), 404)
        .await;
    d.delete(&format!("{dirp}/users/no-such-account"), 404)
        .await;

    // Groups.
    let gsearch = format!("{dirp}/groups/search");
    d.post(&gsearch, json!({"limit": 20}), 200).await;
    d.post(&gsearch, json!({"accountIds": [user], "limit": 10}), 200)
        .await;
    d.invalid(Method::POST, &gsearch, Some(json!({"limit": -1})), 400)
        .await;
    d.invalid(
        Method::POST,
        &gsearch,
        Some(json!({"cursor": "bogus"})),
        400,
    )
    .await;
    d.post(
        &format!("/admin/v2/orgs/{org}/directories/nope/groups/search"),
        json!({}),
        404,
    )
    .await;
    d.get(&format!("{dirp}/groups?limit=10"), 200).await;
    d.invalid(Method::GET, &format!("{dirp}/groups?limit=0"), None, 400)
        .await;
    let (group, other) = (p.group.clone(), p.other_group.clone());
    d.get(&format!("{dirp}/groups/{group}"), 200).await;
    d.get(&format!("{dirp}/groups/no-such-group"), 404).await;
    d.get(&format!("{dirp}/groups/{group}/role-assignments"), 200)
        .await;
    d.get(
        &format!("{dirp}/groups/no-such-group/role-assignments"),
        404,
    )
    .await;
    let members = format!("{dirp}/groups/{other}/memberships");
    d.post(&members, json!({"accountId": user}), 204).await;
    d.post(&members, json!({"accountId": user}), 409).await;
    d.invalid(Method::POST, &members, Some(json!({"account": user})), 400)
        .await;
    d.post(
        &format!("{dirp}/groups/{}/memberships", p.synced_group),
        json!({"accountId": user}),
        403,
    )
    .await;
    d.post(
        &format!("{dirp}/groups/no-such-group/memberships"),
        json!({"accountId": user}),
        404,
    )
    .await;
    d.delete(&format!("{members}/{user}"), 204).await;
    d.delete(&format!("{members}/no-such-account"), 404).await;

    // Roles.
    let assign = format!("/admin/v1/orgs/{org}/users/{user}/roles/assign");
    let revoke = format!("/admin/v1/orgs/{org}/users/{user}/roles/revoke");
    let role = json!({"role": "atlassian/user", "resource": format!("ari:cloud:jira-servicedesk::site/{cloud}")});
    d.post(&assign, role.clone(), 204).await;
    d.post(&revoke, role.clone(), 204).await;
    d.invalid(
        Method::POST,
        &assign,
        Some(json!({"role": "atlassian/emperor"})),
        400,
    )
    .await;
    d.post(
        &format!("/admin/v1/orgs/{org}/users/no-such-account/roles/assign"),
        role.clone(),
        404,
    )
    .await;

    // Workspaces, events, the v1 user list.
    let ws = format!("/admin/v2/orgs/{org}/workspaces");
    d.post(&ws, json!({"limit": 20}), 200).await;
    d.invalid(Method::POST, &ws, Some(json!({"cursor": "bogus"})), 400)
        .await;
    let events = d
        .get(&format!("/admin/v1/orgs/{org}/events-stream?limit=5"), 200)
        .await;
    if let Some(c) = next_cursor(&events) {
        d.get(
            &format!("/admin/v1/orgs/{org}/events-stream?cursor={c}"),
            200,
        )
        .await;
    }
    d.invalid(
        Method::GET,
        &format!("/admin/v1/orgs/{org}/events-stream?cursor=bogus"),
        None,
        400,
    )
    .await;
    let mut path = format!("/admin/v1/orgs/{org}/users");
    let mut pages = 0;
    loop {
        let page = d.get(&path, 200).await;
        pages += 1;
        match next_cursor(&page) {
            Some(c) => path = format!("/admin/v1/orgs/{org}/users?cursor={c}"),
            None => break,
        }
        assert!(pages < 50, "the v1 user list never ends");
    }
    d.invalid(
        Method::GET,
        &format!("/admin/v1/orgs/{org}/users?cursor=bogus"),
        None,
        400,
    )
    .await;
    d.get(
        "/admin/v1/orgs/0c0c0c0c-0000-4000-8000-000000000000/users",
        404,
    )
    .await;

    // 409 for a full licence: a direct grant of a product the user lacks, with no seat left.
    let shared = d.sb.shared();
    let full = {
        let mut s = shared.write();
        let ix = s.user_ix(&user).expect("the picked user");
        let has = s.product_access(ix);
        let product = *Product::ALL
            .iter()
            .find(|p| !has.contains(p))
            .expect("a product the picked user lacks");
        let used = s.seats_used(product);
        let licence = s
            .licences
            .iter_mut()
            .find(|l| l.product == product)
            .expect("a licence for every product");
        let limit = licence.seat_limit;
        licence.seat_limit = used;
        (product, limit)
    };
    let seat = json!({"role": "atlassian/user", "resource": format!("ari:cloud:{}::site/{cloud}", full.0.key())});
    d.post(&assign, seat, 409).await;
    if let Some(l) = shared
        .write()
        .licences
        .iter_mut()
        .find(|l| l.product == full.0)
    {
        l.seat_limit = full.1;
    }

    // Removal last: the user is gone afterwards.
    d.delete(&format!("{dirp}/users/{spare}"), 204).await;
}

/// Follows `links.next` of a POST search to the end; returns the page count.
async fn search_to_end(d: &mut Driver, path: &str, mut body: Value) -> usize {
    let mut pages = 0;
    loop {
        let page = d.post(path, body.clone(), 200).await;
        pages += 1;
        match next_cursor(&page) {
            Some(c) => body["cursor"] = json!(c),
            None => return pages,
        }
        assert!(pages < 100, "{path} never ends");
    }
}

/// Follows `links.next` of a GET list to the end (the cursor replaces the query).
async fn list_to_end(d: &mut Driver, path: &str, query: &str) -> usize {
    let mut target = format!("{path}?{query}");
    let mut pages = 0;
    loop {
        let page = d.get(&target, 200).await;
        pages += 1;
        match next_cursor(&page) {
            Some(c) => target = format!("{path}?cursor={c}"),
            None => return pages,
        }
        assert!(pages < 100, "{path} never ends");
    }
}

/// Every kind of account and group through every read, with every expansion: the schemas'
/// optional parts only show on some of them.
async fn admin_reads_in_full(d: &mut Driver, p: &Picks, per_entity: bool) {
    let (org, dir, cloud) = (p.org.clone(), p.dir.clone(), p.cloud.clone());
    let dirp = format!("/admin/v2/orgs/{org}/directories/{dir}");
    let all = json!({"limit": 100, "expand": ["platformRoles", "counts.resources", "productAccess", "groups"]});
    search_to_end(d, &format!("{dirp}/users/search"), all.clone()).await;
    search_to_end(
        d,
        &format!("/admin/v2/orgs/{org}/directories/-/users/search"),
        all,
    )
    .await;
    for filter in [
        json!({"accountStatus": ["inactive", "closed"]}),
        json!({"claimStatus": "unmanaged"}),
        json!({"status": ["suspended"]}),
        json!({"searchTerm": "a", "limit": 5}),
    ] {
        d.post(&format!("{dirp}/users/search"), filter, 200).await;
    }
    // The filters the fetch splits the directory by.
    d.post(
        &format!("/admin/v2/orgs/{org}/directories/-/users/search"),
        json!({"membershipStatus": ["active"], "claimStatus": "managed", "mfaEnabled": true,
               "sortBy": [{"field": "nick_name", "direction": "desc"}], "limit": 20}),
        200,
    )
    .await;
    for query in [
        "",
        "?membershipStatus=active",
        "?status=suspended&claimStatus=managed",
        "?membershipStatus=active&claimStatus=managed&mfaEnabled=false",
    ] {
        d.get(
            &format!("/admin/v2/orgs/{org}/directories/-/users/count{query}"),
            200,
        )
        .await;
    }
    d.invalid(
        Method::GET,
        &format!("/admin/v2/orgs/{org}/directories/-/users/count?membershipStatus=gone"),
        None,
        400,
    )
    .await;
    let groups = json!({"limit": 50, "expand": ["counts.resources", "counts.users"]});
    search_to_end(d, &format!("{dirp}/groups/search"), groups).await;
    // The groups granting one product, as the fetch reads them.
    let by_resource = json!({"limit": 100, "resourceIds": [format!("ari:cloud:confluence::site/{cloud}")],
                             "roleIds": ["atlassian/user"]});
    search_to_end(
        d,
        &format!("/admin/v2/orgs/{org}/directories/-/groups/search"),
        by_resource,
    )
    .await;
    list_to_end(d, &format!("{dirp}/groups"), "limit=50").await;
    list_to_end(d, &format!("{dirp}/users"), "limit=100").await;
    list_to_end(
        d,
        &format!("/admin/v1/orgs/{org}/events-stream"),
        "limit=500",
    )
    .await;
    list_to_end(
        d,
        &format!("/admin/v1/orgs/{org}/events-stream"),
        "limit=100&sortOrder=desc",
    )
    .await;
    let ws = format!("/admin/v2/orgs/{org}/workspaces");
    let jira_only = json!({"limit": 1, "query": {"field": {"name": "attributes.type", "values": ["jira-software"]}}});
    let page = d.post(&ws, jira_only, 200).await;
    if let Some(c) = next_cursor(&page) {
        d.post(&ws, json!({"cursor": c}), 200).await;
    }
    if !per_entity {
        return;
    }
    for id in p.sample.clone() {
        d.get(&format!("{dirp}/users/{id}"), 200).await;
        d.get(&format!("{dirp}/users/{id}/role-assignments"), 200)
            .await;
        d.get(
            &format!("/admin/v1/orgs/{org}/directory/users/{id}/last-active-dates"),
            200,
        )
        .await;
    }
    let product = format!("ari:cloud:confluence::site/{cloud}");
    for id in p.groups.clone() {
        d.get(&format!("{dirp}/groups/{id}"), 200).await;
        d.get(&format!("{dirp}/groups/{id}/role-assignments"), 200)
            .await;
        d.get(
            &format!("{dirp}/groups/{id}/role-assignments?resourceIds={product}"),
            200,
        )
        .await;
    }
}

/// The site's reads over every group and every account.
async fn site_reads_in_full(d: &mut Driver, p: &Picks) {
    for key in ["jira-software", "jira-servicedesk"] {
        d.get(&format!("/rest/api/3/applicationrole/{key}"), 200)
            .await;
    }
    let mut start = 0;
    loop {
        let page = d
            .get(
                &format!("/rest/api/3/users/search?startAt={start}&maxResults=100"),
                200,
            )
            .await;
        let n = page.as_array().map_or(0, Vec::len);
        if n == 0 {
            break;
        }
        start += n;
    }
    for id in p.groups.clone() {
        d.get(
            &format!(
                "/rest/api/3/group/member?groupId={id}&includeInactiveUsers=true&maxResults=50"
            ),
            200,
        )
        .await;
        d.get(
            &format!("/wiki/rest/api/group/{id}/membersByGroupId?limit=200"),
            200,
        )
        .await;
    }
    d.get("/rest/api/3/group/bulk?maxResults=1000", 200).await;
    d.get("/wiki/rest/api/group?limit=1000", 200).await;
    for id in p.accounts.clone() {
        // 200 when managed, 403 when not: both shapes are checked.
        d.get(&format!("/users/{id}/manage"), ANY).await;
        d.get(&format!("/users/{id}/manage/profile"), ANY).await;
    }
}

/// The declared errors that need a particular account or group: synced, org admins, writes
/// through `-`, grants held through a group, unknown orgs.
async fn more_errors(d: &mut Driver, p: &Picks) {
    let (org, dir, cloud) = (p.org.clone(), p.dir.clone(), p.cloud.clone());
    let dirp = format!("/admin/v2/orgs/{org}/directories/{dir}");
    let any_dir = format!("/admin/v2/orgs/{org}/directories/-");
    let nowhere = "0c0c0c0c-0000-4000-8000-000000000000";
    let user = p.user.clone();
    let why = json!({"message": "Unused seat reclaimed"});
    d.post_empty(&format!("{any_dir}/users/{user}/suspend"), 400)
        .await;
    d.delete(&format!("{any_dir}/users/{user}"), 400).await;
    d.post(
        &format!("{any_dir}/groups/{}/memberships", p.other_group),
        json!({"accountId": user}),
        400,
    )
    .await;
    // These two declare no 404: the key is refused for an org it does not administer.
    d.get(&format!("/admin/v2/orgs/{nowhere}/directories"), 401)
        .await;
    d.get(&format!("/admin/v1/orgs/{nowhere}/events-stream"), 401)
        .await;
    d.post(
        &format!("/admin/v2/orgs/{nowhere}/workspaces"),
        json!({}),
        404,
    )
    .await;
    d.get(
        &format!("/admin/v2/orgs/{nowhere}/directories/-/groups/{}", p.group),
        404,
    )
    .await;
    d.invalid(
        Method::GET,
        &format!("{dirp}/users/{user}/role-assignments?limit=0"),
        None,
        400,
    )
    .await;
    d.invalid(
        Method::GET,
        &format!("{dirp}/groups/{}/role-assignments?limit=0", p.group),
        None,
        400,
    )
    .await;
    d.invalid(
        Method::GET,
        &format!("/admin/v1/orgs/{org}/events-stream?limit=0"),
        None,
        400,
    )
    .await;
    d.invalid(
        Method::GET,
        &format!("/admin/v1/orgs/{org}/events-stream?sortOrder=sideways"),
        None,
        400,
    )
    .await;
    let r = d
        .req(Method::POST, &format!("{dirp}/users/search"), Auth::Wrong)
        .json(&json!({}));
    d.send(r, 401, VALID).await;
    {
        let synced = p.synced_user.clone().expect("a SCIM-provisioned user");
        d.post_empty(&format!("{dirp}/users/{synced}/suspend"), 204)
            .await;
        d.post(
            &format!("/users/{synced}/manage/lifecycle/disable"),
            why.clone(),
            403,
        )
        .await;
    }
    {
        // An org admin cannot be deactivated before the role is revoked: make one.
        let admin = p.third.clone();
        let org_admin = json!({"role": "atlassian/org-admin", "resource": format!("ari:cloud:platform::org/{org}")});
        d.post(
            &format!("/admin/v1/orgs/{org}/users/{admin}/roles/assign"),
            org_admin.clone(),
            204,
        )
        .await;
        d.post(
            &format!("/users/{admin}/manage/lifecycle/disable"),
            why.clone(),
            409,
        )
        .await;
        d.post(
            &format!("/admin/v1/orgs/{org}/users/{admin}/roles/revoke"),
            org_admin,
            204,
        )
        .await;
    }
    {
        let (member, product) = p
            .grant_through_group
            .clone()
            .expect("a user with a product through a group only");
        let body = json!({"role": "atlassian/user", "resource": format!("ari:cloud:{product}::site/{cloud}")});
        d.post(
            &format!("/admin/v1/orgs/{org}/users/{member}/roles/revoke"),
            body,
            409,
        )
        .await;
    }
    let r = d
        .req(
            Method::POST,
            &format!("/users/{user}/manage/lifecycle/disable"),
            Auth::Org,
        )
        .header("content-type", "application/json")
        .body("{not json");
    // The spec declares no 400 here, but a body that is not JSON cannot get anything else.
    let bad_json = Case {
        invalid_request: true,
        extra_statuses: &[400],
    };
    d.send(r, 400, bad_json).await;
    let synced = p.synced_group.clone();
    d.delete(
        &format!("/rest/api/3/group/user?groupId={synced}&accountId={user}"),
        403,
    )
    .await;
    d.delete(
        &format!(
            "/rest/api/3/group/user?groupId={}&accountId={user}",
            p.other_group
        ),
        200,
    )
    .await;
    d.invalid(
        Method::DELETE,
        &format!("/rest/api/3/group/user?groupId={}", p.group),
        None,
        400,
    )
    .await;
    d.get("/rest/api/3/group/member?groupname=no-such-group", 404)
        .await;
    d.get("/rest/api/3/group/bulk?groupId=no-such-group", 200)
        .await;
    let r = d.req(Method::GET, "/rest/api/3/applicationrole", Auth::Wrong);
    d.send(r, 401, VALID).await;
    d.delete(
        &format!("/wiki/rest/api/group/userByGroupId?groupId={synced}&accountId={user}"),
        403,
    )
    .await;
    d.delete(
        &format!("/wiki/rest/api/group/userByGroupId?groupId=no-such-group&accountId={user}"),
        404,
    )
    .await;
    d.invalid(
        Method::POST,
        &format!(
            "/wiki/rest/api/group/userByGroupId?groupId={}",
            p.other_group
        ),
        Some(json!({"who": 1})),
        400,
    )
    .await;
    d.invalid(
        Method::POST,
        "/wiki/rest/api/group/userByGroupId",
        Some(json!({"accountId": user})),
        400,
    )
    .await;
    // Confluence answers an unknown group with 404 and bad credentials with 401 on every
    // operation, though these two declare neither.
    let r = d.req(
        Method::GET,
        "/wiki/rest/api/group/no-such-group/membersByGroupId",
        Auth::Site,
    );
    let undeclared_404 = Case {
        invalid_request: false,
        extra_statuses: &[404],
    };
    d.send(r, 404, undeclared_404).await;
    let r = d.req(Method::GET, "/wiki/rest/api/group", Auth::Wrong);
    let undeclared_401 = Case {
        invalid_request: false,
        extra_statuses: &[401],
    };
    d.send(r, 401, undeclared_401).await;
}

async fn user_management_api(d: &mut Driver, p: &Picks) {
    let user = p.user.clone();
    d.get(&format!("/users/{user}/manage"), 200).await;
    d.get(
        &format!("/users/{user}/manage?privileges=lifecycle.enablement"),
        200,
    )
    .await;
    d.get(&format!("/users/{user}/manage/profile"), 200).await;
    let r = d.req(Method::GET, &format!("/users/{user}/manage"), Auth::Wrong);
    d.send(r, 401, VALID).await;
    d.get(&format!("/users/{}/manage", p.unmanaged), 403).await;
    d.get(&format!("/users/{}/manage/profile", p.unmanaged), 403)
        .await;
    d.get("/users/no-such-account/manage", 404).await;
    d.get("/users/no-such-account/manage/profile", 404).await;
    let why = json!({"message": "Unused seat reclaimed"});
    d.post(
        &format!("/users/{user}/manage/lifecycle/disable"),
        why.clone(),
        204,
    )
    .await;
    d.post_empty(&format!("/users/{user}/manage/lifecycle/enable"), 204)
        .await;
    d.post(
        &format!("/users/{}/manage/lifecycle/disable", p.unmanaged),
        why.clone(),
        403,
    )
    .await;
    d.post_empty("/users/no-such-account/manage/lifecycle/enable", 404)
        .await;
    let r = d
        .req(
            Method::POST,
            &format!("/users/{user}/manage/lifecycle/disable"),
            Auth::None,
        )
        .json(&why);
    d.send(r, 401, VALID).await;
}

async fn jira_api(d: &mut Driver, p: &Picks) {
    let (user, group, other) = (p.user.clone(), p.group.clone(), p.other_group.clone());
    d.get("/rest/api/3/myself", 200).await;
    let r = d.req(Method::GET, "/rest/api/3/myself", Auth::Wrong);
    d.send(r, 401, VALID).await;
    d.get("/rest/api/3/applicationrole", 200).await;
    d.get("/rest/api/3/applicationrole/jira-software", 200)
        .await;
    d.get("/rest/api/3/applicationrole/no-such-product", 404)
        .await;
    d.get("/rest/api/3/group/bulk?maxResults=10", 200).await;
    d.get(&format!("/rest/api/3/group/bulk?groupId={group}"), 200)
        .await;
    d.invalid(
        Method::GET,
        "/rest/api/3/group/bulk?maxResults=x",
        None,
        400,
    )
    .await;
    d.get(
        &format!("/rest/api/3/group/member?groupId={group}&includeInactiveUsers=true&maxResults=5"),
        200,
    )
    .await;
    d.get(
        &format!(
            "/rest/api/3/group/member?groupname={}",
            p.group_name.replace(' ', "%20")
        ),
        200,
    )
    .await;
    d.get("/rest/api/3/group/member?groupId=no-such-group", 404)
        .await;
    d.invalid(Method::GET, "/rest/api/3/group/member", None, 400)
        .await;
    d.get("/rest/api/3/users/search?startAt=0&maxResults=50", 200)
        .await;
    d.invalid(Method::GET, "/rest/api/3/users/search?startAt=x", None, 400)
        .await;
    let add = format!("/rest/api/3/group/user?groupId={other}");
    d.post(&add, json!({"accountId": user}), 201).await;
    d.post(&add, json!({"accountId": user}), 400).await;
    d.invalid(Method::POST, &add, Some(json!({"nobody": 1})), 400)
        .await;
    d.post(
        &format!("/rest/api/3/group/user?groupId={}", p.synced_group),
        json!({"accountId": user}),
        403,
    )
    .await;
    d.post(
        "/rest/api/3/group/user?groupId=no-such-group",
        json!({"accountId": user}),
        404,
    )
    .await;
    d.delete(
        &format!("/rest/api/3/group/user?groupId={other}&accountId={user}"),
        200,
    )
    .await;
    d.delete(
        &format!("/rest/api/3/group/user?groupId=no-such-group&accountId={user}"),
        404,
    )
    .await;
    let r = d.req(
        Method::DELETE,
        &format!("/rest/api/3/group/user?groupId={other}&accountId={user}"),
        Auth::None,
    );
    d.send(r, 401, VALID).await;
    issue_notices_and_comments(d, p).await;
}

/// `issue/{key}/notify` and `issue/{key}/comment`: the answers the spec declares.
async fn issue_notices_and_comments(d: &mut Driver, p: &Picks) {
    let me = d.get("/rest/api/3/myself", 200).await;
    let me = me["accountId"]
        .as_str()
        .expect("myself has an accountId")
        .to_string();
    let user = p.user.clone();
    let notice = |to: &[&str]| {
        let users: Vec<Value> = to.iter().map(|id| json!({"accountId": id})).collect();
        json!({"subject": "Your Jira seat", "textBody": "Keep it by using Jira.", "to": {"users": users}})
    };
    d.post("/rest/api/3/issue/REV-1/notify", notice(&[&user]), 204)
        .await;
    d.post("/rest/api/3/issue/10001/notify", notice(&[&user, &me]), 204)
        .await;
    // Only the caller, nobody, an unknown account: 400.
    d.post("/rest/api/3/issue/REV-1/notify", notice(&[&me]), 400)
        .await;
    d.post("/rest/api/3/issue/REV-1/notify", notice(&[]), 400)
        .await;
    d.post(
        "/rest/api/3/issue/REV-1/notify",
        notice(&["no-such-account"]),
        400,
    )
    .await;
    d.invalid(
        Method::POST,
        "/rest/api/3/issue/REV-1/notify",
        Some(json!({"to": {"users": "everyone"}})),
        400,
    )
    .await;
    d.post(
        "/rest/api/3/issue/not-an-issue/notify",
        notice(&[&user]),
        404,
    )
    .await;
    d.sb.set_mail_enabled(false);
    d.post("/rest/api/3/issue/REV-1/notify", notice(&[&user]), 403)
        .await;
    d.sb.set_mail_enabled(true);
    let r = d.req(Method::POST, "/rest/api/3/issue/REV-1/notify", Auth::Wrong);
    // Jira answers 401 to bad credentials everywhere; this operation just does not declare it.
    let undeclared_401 = Case {
        invalid_request: false,
        extra_statuses: &[401],
    };
    d.send(r.json(&notice(&[&user])), 401, undeclared_401).await;
    assert_eq!(d.sb.outbox().notices.len(), 2, "only the 204s were queued");

    d.sb.add_comment("REV-1", &user, "Please keep my seat")
        .expect("the user comments");
    let adf = json!({"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": "Reminder sent."}]}
    ]});
    d.post("/rest/api/3/issue/REV-1/comment", json!({"body": adf}), 201)
        .await;
    d.post("/rest/api/3/issue/REV-1/comment", json!({}), 400)
        .await;
    d.post(
        "/rest/api/3/issue/not-an-issue/comment",
        json!({"body": adf}),
        404,
    )
    .await;
    let page = d.get("/rest/api/3/issue/REV-1/comment", 200).await;
    assert_eq!(page["total"], 2, "{page}");
    assert_eq!(page["comments"][0]["author"]["accountId"], user.as_str());
    d.get(
        "/rest/api/3/issue/REV-1/comment?startAt=1&maxResults=1&orderBy=-created",
        200,
    )
    .await;
    d.get("/rest/api/3/issue/REV-2/comment", 200).await;
    d.get("/rest/api/3/issue/not-an-issue/comment", 404).await;
    d.invalid(
        Method::GET,
        "/rest/api/3/issue/REV-1/comment?orderBy=author",
        None,
        400,
    )
    .await;
    let r = d.req(Method::GET, "/rest/api/3/issue/REV-1/comment", Auth::Wrong);
    d.send(r, 401, VALID).await;
}

async fn confluence_api(d: &mut Driver, p: &Picks) {
    let (user, group, other) = (p.user.clone(), p.group.clone(), p.other_group.clone());
    d.get("/wiki/rest/api/group?limit=10", 200).await;
    d.get(
        &format!("/wiki/rest/api/group/{group}/membersByGroupId?limit=5"),
        200,
    )
    .await;
    d.invalid(
        Method::GET,
        &format!("/wiki/rest/api/group/{group}/membersByGroupId?limit=x"),
        None,
        400,
    )
    .await;
    let add = format!("/wiki/rest/api/group/userByGroupId?groupId={other}");
    d.post(&add, json!({"accountId": user}), 201).await;
    d.post(
        &format!(
            "/wiki/rest/api/group/userByGroupId?groupId={}",
            p.synced_group
        ),
        json!({"accountId": user}),
        403,
    )
    .await;
    d.post(
        "/wiki/rest/api/group/userByGroupId?groupId=no-such-group",
        json!({"accountId": user}),
        404,
    )
    .await;
    let r = d
        .req(Method::POST, &add, Auth::Wrong)
        .json(&json!({"accountId": user}));
    d.send(r, 401, VALID).await;
    d.delete(
        &format!("/wiki/rest/api/group/userByGroupId?groupId={other}&accountId={user}"),
        204,
    )
    .await;
    d.delete(
        &format!("/wiki/rest/api/group/userByGroupId?groupId={other}&accountId=no-such-account"),
        404,
    )
    .await;
}

/// 429 from the limiter and 5xx from fault injection on operations of every API family.
async fn limits_and_faults(d: &mut Driver, p: &Picks) {
    let org = p.org.clone();
    // The org API declares 429 and 500 on these: their bodies are checked.
    let declared = [
        format!("/admin/v1/orgs/{org}"),
        format!("/admin/v2/orgs/{org}/directories/-/users/{}", p.user),
        format!(
            "/admin/v1/orgs/{org}/directory/users/{}/last-active-dates",
            p.user
        ),
        format!("/admin/v1/orgs/{org}/events-stream"),
    ];
    // These declare neither, but Atlassian's gateway sends 429 and 5xx on every operation.
    let undeclared = [
        format!("/users/{}/manage", p.user),
        "/rest/api/3/myself".to_string(),
        "/wiki/rest/api/group".to_string(),
    ];
    const GATEWAY_429: Case = Case {
        invalid_request: false,
        extra_statuses: &[429],
    };
    let cases = declared
        .iter()
        .map(|path| (path, VALID))
        .chain(undeclared.iter().map(|path| (path, GATEWAY_429)));
    let cases: Vec<(&String, Case)> = cases.collect();
    d.sb.set_rate_limit(1);
    for (path, case) in &cases {
        // One token a minute per API family: the first request of a family takes it (2xx),
        // every later one is refused.
        let first = d.req(Method::GET, path, auth_for(path));
        d.send(first, ANY, *case).await;
        let second = d.req(Method::GET, path, auth_for(path));
        d.send(second, 429, *case).await;
    }
    d.sb.set_rate_limit(0);
    d.sb.set_fail_rate(1.0);
    for (path, case) in &cases {
        // The org API declares 500, not the gateway's 502 and 503; the others declare none.
        let extra: &'static [u16] = if case.extra_statuses.is_empty() {
            &[502, 503]
        } else {
            &[500, 502, 503]
        };
        let case = Case {
            invalid_request: false,
            extra_statuses: extra,
        };
        // Faults are drawn at random (500, 502, 503 or a dropped connection): go on until a
        // 500 was answered, so its body is checked where it is declared.
        let mut seen_500 = false;
        for _ in 0..60 {
            let r = d.req(Method::GET, path, auth_for(path));
            let before = d.cases.len();
            d.send(r, ANY_5XX, case).await;
            if d.cases.len() > before && d.sb.recorded().last().is_some_and(|e| e.status == 500) {
                seen_500 = true;
                break;
            }
        }
        assert!(seen_500, "{path}: no injected 500 in 60 tries");
    }
    d.sb.set_fail_rate(0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_as_its_spec_says() {
    let sb = sandbox::start(SandboxConfig {
        users: 400,
        record_requests: true,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let p = pick(&sb);
    let base = sb.base_url();
    let mut d = Driver {
        sb,
        client: Client::new(),
        base,
        cases: Vec::new(),
        wrong_answers: Vec::new(),
    };
    admin_reads_in_full(&mut d, &p, true).await;
    site_reads_in_full(&mut d, &p).await;
    admin_api(&mut d, &p).await;
    more_errors(&mut d, &p).await;
    user_management_api(&mut d, &p).await;
    jira_api(&mut d, &p).await;
    confluence_api(&mut d, &p).await;
    // Again with a suspended, a deactivated and a removed user, and every kind of event.
    let third = p.third.clone();
    d.post_empty(
        &format!(
            "/admin/v2/orgs/{}/directories/{}/users/{third}/suspend",
            p.org, p.dir
        ),
        204,
    )
    .await;
    d.post(
        &format!("/users/{}/manage/lifecycle/disable", p.user),
        json!({}),
        204,
    )
    .await;
    admin_reads_in_full(&mut d, &p, false).await;
    site_reads_in_full(&mut d, &p).await;
    limits_and_faults(&mut d, &p).await;

    let recorded = d.sb.recorded();
    assert_eq!(
        recorded.len(),
        d.cases.len(),
        "every answered request is recorded, once"
    );
    let s = spec();
    let mut errors = Vec::new();
    let mut ok_ops = BTreeSet::new();
    for (i, (e, case)) in recorded.iter().zip(&d.cases).enumerate() {
        let opts = Options {
            extra_statuses: case.extra_statuses,
            ..STRICT
        };
        let ex = Exchange {
            method: &e.method,
            path: &e.path,
            query: e.query.as_deref(),
            request_body: e.request_body.as_ref(),
            status: e.status,
            response_body: e.response_body.as_ref(),
        };
        let result = if case.invalid_request {
            s.check_response_with(
                &e.method,
                &e.path,
                e.status,
                e.response_body.as_ref(),
                &opts,
            )
        } else {
            s.check_exchange_with(&ex, &opts)
        };
        if let Err(errs) = result {
            // A defect of the published org spec, not of the sandbox: GET .../users/{userId}
            // declares its path parameter as `accountId`.
            let errs: Vec<String> = errs
                .into_iter()
                .filter(|m| {
                    !m.contains(
                        "declares path parameter accountId but the template has no {accountId}",
                    )
                })
                .collect();
            let target = match &e.query {
                Some(q) => format!("{}?{q}", e.path),
                None => e.path.clone(),
            };
            errors.extend(
                errs.into_iter()
                    .map(|m| format!("#{i} {} {target} -> {}: {m}", e.method, e.status)),
            );
        }
        if let Some(op) = s.operation(&e.method, &e.path)
            && (200..300).contains(&e.status)
        {
            ok_ops.insert((op.api, op.method.clone(), op.template.clone()));
        }
    }
    let missing: Vec<String> = s
        .operations()
        .into_iter()
        .filter(|op| !ok_ops.contains(op))
        .map(|(api, m, t)| format!("{api} {m} {t}"))
        .collect();
    assert!(
        d.wrong_answers.is_empty(),
        "{} unexpected answers:\n{}",
        d.wrong_answers.len(),
        d.wrong_answers.join("\n")
    );
    assert!(
        errors.is_empty(),
        "{} spec violations:\n{}",
        errors.len(),
        errors.join("\n")
    );
    assert!(
        missing.is_empty(),
        "operations never answered with a 2xx:\n{}",
        missing.join("\n")
    );
    d.sb.shutdown().await;
}

/// The filters the fetch relies on answer what they say: groups/search by resource and role
/// lists the groups holding that role on that resource (one assignment, not one of each), and
/// users/count by claim status and two-step verification counts exactly those accounts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_filters_the_fetch_splits_by_select_what_they_say() {
    use futures::TryStreamExt;
    use seats::atlassian::model::{GroupSearchRequest, UserSearchRequest};
    use seats::atlassian::org::OrgApi;
    use seats::sandbox::state::Grant;

    let sb = sandbox::start(SandboxConfig {
        users: 800,
        seed: 5,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    {
        // A group that administers Jira Software and uses Confluence: no Jira user group.
        let shared = sb.shared();
        let mut state = shared.write();
        let g = state
            .groups
            .iter()
            .position(|g| g.grants.is_empty())
            .expect("a group without grants");
        state.groups[g].grants = vec![
            Grant {
                resource: Resource::Product(Product::JiraSoftware),
                role: Role::Admin,
            },
            Grant {
                resource: Resource::Product(Product::Confluence),
                role: Role::User,
            },
        ];
    }
    let conn = seats::atlassian::Connection {
        admin_url: Some(sb.base_url()),
        org_id: Some(sb.org_id()),
        org_api_key: Some(seats::atlassian::Secret::new(sandbox::DEFAULT_ORG_API_KEY)),
        ..Default::default()
    };
    let org = OrgApi::new(seats::atlassian::Client::new(&conn).unwrap(), sb.org_id());
    for product in Product::ALL {
        for role in [Role::User, Role::Admin] {
            let ari = sb.shared().read().resource_ari(Resource::Product(product));
            let request = GroupSearchRequest {
                resource_ids: vec![ari],
                role_ids: vec![role.id().to_owned()],
                limit: Some(100),
                ..GroupSearchRequest::default()
            };
            let got: BTreeSet<String> = org
                .search_groups("-", request)
                .try_concat()
                .await
                .unwrap()
                .into_iter()
                .map(|g| g.id)
                .collect();
            let want: BTreeSet<String> = sb
                .shared()
                .read()
                .groups
                .iter()
                .filter(|g| {
                    g.grants
                        .iter()
                        .any(|gr| gr.resource == Resource::Product(product) && gr.role == role)
                })
                .map(|g| g.id.clone())
                .collect();
            assert_eq!(got, want, "{product:?} {role:?}");
        }
    }
    for (membership, claim, mfa) in [
        ("active", None, None),
        ("active", Some("managed"), None),
        ("active", Some("unmanaged"), None),
        ("active", Some("managed"), Some(true)),
        ("active", Some("managed"), Some(false)),
        ("suspended", Some("managed"), Some(false)),
    ] {
        let filter = UserSearchRequest {
            membership_status: vec![membership.into()],
            claim_status: claim.map(str::to_owned),
            mfa_enabled: mfa,
            ..UserSearchRequest::default()
        };
        let got = org.count_matching("-", &filter).await.unwrap();
        let want = {
            let shared = sb.shared();
            let state = shared.read();
            state
                .users
                .iter()
                .filter(|u| u.in_directory() && u.membership.as_str() == membership)
                .filter(|u| claim.is_none_or(|c| (c == "managed") == u.managed))
                .filter(|u| mfa.is_none_or(|m| m == u.mfa_enabled))
                .count() as u64
        };
        assert_eq!(got, Some(want), "{membership} {claim:?} {mfa:?}");
    }
    sb.shutdown().await;
}
