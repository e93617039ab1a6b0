//! A sandbox for the sandbox tests, and requests to it with the right credentials: the org API
//! key for the admin and user management APIs, the site's email and token for Jira and
//! Confluence. Include it with `#[path = "support/sandbox.rs"] mod sandbox_support;` so a test
//! does not compile the spec validator it does not use.
#![allow(dead_code)]

use reqwest::{Client, Method, RequestBuilder, Response};
use seats::sandbox::state::{OrgState, Product, Resource, UserIx};
use seats::sandbox::{self, Sandbox, SandboxConfig};
use serde_json::{Value, json};

pub struct TestSandbox {
    pub sandbox: Sandbox,
    pub client: Client,
    pub base: String,
    pub org: String,
    pub dir: String,
}

pub async fn start(users: usize) -> TestSandbox {
    start_with(SandboxConfig {
        users,
        ..SandboxConfig::default()
    })
    .await
}

pub async fn start_with(cfg: SandboxConfig) -> TestSandbox {
    let sandbox = match sandbox::start(cfg).await {
        Ok(s) => s,
        Err(e) => panic!("sandbox did not start: {e:#}"),
    };
    let base = sandbox.base_url();
    let org = sandbox.org_id();
    let dir = sandbox.directory_id();
    TestSandbox {
        sandbox,
        client: Client::new(),
        base,
        org,
        dir,
    }
}

/// A sandbox of `users` users on its own, for tests that reach it through seats' client or
/// binary rather than through [`TestSandbox`]'s requests.
pub async fn start_bare(users: usize) -> Sandbox {
    match sandbox::start(SandboxConfig {
        users,
        ..SandboxConfig::default()
    })
    .await
    {
        Ok(s) => s,
        Err(e) => panic!("sandbox did not start: {e:#}"),
    }
}

async fn send(req: RequestBuilder, method: &str, path: &str) -> Response {
    req.send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

impl TestSandbox {
    /// `{org}` and `{dir}` filled in.
    pub fn admin_path(&self, path: &str) -> String {
        path.replace("{org}", &self.org).replace("{dir}", &self.dir)
    }

    /// The URL of an admin API path (`/v1/orgs/{org}/...`, without `/admin`).
    pub fn admin_url(&self, path: &str) -> String {
        format!("{}/admin{}", self.base, self.admin_path(path))
    }

    /// A request with the org API key (admin and user management APIs), `path` as is.
    pub fn org(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(sandbox::DEFAULT_ORG_API_KEY)
    }

    /// A site request (Jira or Confluence) with the sandbox's email and token.
    pub fn site(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .basic_auth(
                sandbox::DEFAULT_SITE_EMAIL,
                Some(sandbox::DEFAULT_SITE_TOKEN),
            )
    }

    fn admin(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.admin_url(path))
            .bearer_auth(sandbox::DEFAULT_ORG_API_KEY)
    }

    pub async fn admin_get(&self, path: &str) -> Response {
        send(self.admin(Method::GET, path), "GET", path).await
    }

    pub async fn admin_post(&self, path: &str, body: &Value) -> Response {
        send(self.admin(Method::POST, path).json(body), "POST", path).await
    }

    pub async fn admin_delete(&self, path: &str) -> Response {
        send(self.admin(Method::DELETE, path), "DELETE", path).await
    }

    pub async fn site_get(&self, path: &str) -> Response {
        send(self.site(Method::GET, path), "GET", path).await
    }

    pub async fn site_post(&self, path: &str, body: &Value) -> Response {
        send(self.site(Method::POST, path).json(body), "POST", path).await
    }

    pub async fn site_delete(&self, path: &str) -> Response {
        send(self.site(Method::DELETE, path), "DELETE", path).await
    }

    /// A site request with an optional JSON body, sent.
    pub async fn site_send(&self, method: Method, path: &str, body: Option<&Value>) -> Response {
        let mut req = self.site(method.clone(), path);
        if let Some(b) = body {
            req = req.json(b);
        }
        send(req, method.as_str(), path).await
    }

    /// How many events the sandbox has recorded, to check that a refused write adds none.
    pub fn event_count(&self) -> usize {
        self.sandbox.shared().read().events.len()
    }

    /// Every user a search returns, following `links.next` to the end.
    pub async fn search_all(&self, mut body: Value) -> Vec<Value> {
        let mut out = Vec::new();
        loop {
            let page = json_of(
                self.admin_post("/v2/orgs/{org}/directories/{dir}/users/search", &body)
                    .await,
                200,
            )
            .await;
            out.extend(page["data"].as_array().cloned().unwrap_or_default());
            match page["links"]["next"].as_str() {
                Some(next) => body = json!({"cursor": next}),
                None => return out,
            }
        }
    }

    /// The first user a search returns.
    pub async fn find_one(&self, body: Value) -> Value {
        let page = json_of(
            self.admin_post("/v2/orgs/{org}/directories/{dir}/users/search", &body)
                .await,
            200,
        )
        .await;
        page["data"][0].clone()
    }

    /// The org API's view of one user (`productAccess` and `groups` expanded).
    pub async fn org_user(&self, account_id: &str) -> Value {
        let body = json!({
            "accountIds": [account_id],
            "expand": ["productAccess", "groups"],
        });
        let page = json_of(
            self.admin_post("/v2/orgs/{org}/directories/-/users/search", &body)
                .await,
            200,
        )
        .await;
        page["data"][0].clone()
    }

    /// The id of a group by name, as the groups search answers it.
    pub async fn group_id(&self, name: &str) -> String {
        let page = json_of(
            self.admin_post(
                "/v2/orgs/{org}/directories/{dir}/groups/search",
                &json!({"groupNames": [name]}),
            )
            .await,
            200,
        )
        .await;
        page["data"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The id of a group by name, read from the sandbox's state.
    pub fn group_id_in_state(&self, name: &str) -> String {
        let shared = self.sandbox.shared();
        let state = shared.read();
        let g = state
            .group_ix_by_name(name)
            .unwrap_or_else(|| panic!("no group {name}"));
        state.group(g).id.clone()
    }

    /// The first user (by position) for whom `pick` holds.
    pub fn find_user(&self, pick: impl Fn(&OrgState, UserIx) -> bool) -> String {
        let shared = self.sandbox.shared();
        let state = shared.read();
        (0..state.users.len() as UserIx)
            .find(|ix| pick(&state, *ix))
            .map(|ix| state.user(ix).account_id.clone())
            .unwrap_or_else(|| panic!("the generated org has no such user"))
    }

    /// Jira's application role `key`.
    pub async fn role(&self, key: &str) -> Value {
        json_of(
            self.site_get(&format!("/rest/api/3/applicationrole/{key}"))
                .await,
            200,
        )
        .await
    }
}

/// The JSON body, after checking the status.
pub async fn json_of(response: Response, status: u16) -> Value {
    let got = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    assert_eq!(got, status, "body: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The `errors[0].code` of an org API error body.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["code"].as_str().unwrap_or("")
}

/// The account ids of users, in order.
pub fn keys(users: &[Value]) -> Vec<String> {
    users
        .iter()
        .map(|u| u["accountId"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Product keys in an org API user's `productAccess`.
pub fn products(user: &Value) -> Vec<String> {
    user["productAccess"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["key"].as_str().map(str::to_string))
        .collect()
}

pub fn as_u64(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The user can use `product`, and `group` is the only thing that gives it to them.
pub fn only_through(state: &OrgState, ix: UserIx, product: Product, group: &str) -> bool {
    let Some(g) = state.group_ix_by_name(group) else {
        return false;
    };
    let user = state.user(ix);
    let resource = Resource::Product(product);
    let other_group = user.groups.iter().any(|other| {
        *other != g
            && state
                .group_grants(*other)
                .iter()
                .any(|grant| grant.resource == resource && grant.role.grants_access())
    });
    let direct = user
        .direct_grants
        .iter()
        .any(|grant| grant.resource == resource);
    state.product_access(ix).contains(&product)
        && user.groups.contains(&g)
        && !other_group
        && !direct
}
