//! Helpers for the site and user management tests: a sandbox, and requests with the site's
//! basic auth or the org key.
#![allow(dead_code)]

use reqwest::{Client, RequestBuilder, Response};
use seats::sandbox::state::{OrgState, Product, Resource, UserIx};
use seats::sandbox::{self, Sandbox, SandboxConfig};
use serde_json::Value;

pub struct Site {
    pub sandbox: Sandbox,
    pub client: Client,
    pub base: String,
}

pub async fn start(users: usize) -> Site {
    start_with(SandboxConfig {
        users,
        ..SandboxConfig::default()
    })
    .await
}

pub async fn start_with(cfg: SandboxConfig) -> Site {
    let sandbox = match sandbox::start(cfg).await {
        Ok(s) => s,
        Err(e) => panic!("sandbox did not start: {e:#}"),
    };
    let base = sandbox.base_url();
    Site {
        sandbox,
        client: Client::new(),
        base,
    }
}

async fn send(req: RequestBuilder, what: &str) -> Response {
    req.send().await.unwrap_or_else(|e| panic!("{what}: {e}"))
}

impl Site {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A site request (Jira or Confluence) with the sandbox's email and token.
    pub fn site(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path)).basic_auth(
            sandbox::DEFAULT_SITE_EMAIL,
            Some(sandbox::DEFAULT_SITE_TOKEN),
        )
    }

    pub async fn get(&self, path: &str) -> Response {
        send(self.site(reqwest::Method::GET, path), path).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        send(self.site(reqwest::Method::POST, path).json(body), path).await
    }

    pub async fn delete(&self, path: &str) -> Response {
        send(self.site(reqwest::Method::DELETE, path), path).await
    }

    /// A request with the org API key (admin and user management APIs).
    pub fn org(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(sandbox::DEFAULT_ORG_API_KEY)
    }

    pub async fn org_get(&self, path: &str) -> Response {
        send(self.org(reqwest::Method::GET, &self.admin_path(path)), path).await
    }

    pub async fn org_post(&self, path: &str, body: &Value) -> Response {
        send(
            self.org(reqwest::Method::POST, &self.admin_path(path))
                .json(body),
            path,
        )
        .await
    }

    /// `{org}` and `{dir}` filled in.
    pub fn admin_path(&self, path: &str) -> String {
        path.replace("{org}", &self.sandbox.org_id())
            .replace("{dir}", &self.sandbox.directory_id())
    }

    /// The org API's view of one user (`productAccess` and `groups` expanded).
    pub async fn org_user(&self, account_id: &str) -> Value {
        let body = serde_json::json!({
            "accountIds": [account_id],
            "expand": ["productAccess", "groups"],
        });
        let page = json_of(
            self.org_post("/admin/v2/orgs/{org}/directories/-/users/search", &body)
                .await,
            200,
        )
        .await;
        page["data"][0].clone()
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

    pub fn group_id(&self, name: &str) -> String {
        let shared = self.sandbox.shared();
        let state = shared.read();
        let g = state
            .group_ix_by_name(name)
            .unwrap_or_else(|| panic!("no group {name}"));
        state.group(g).id.clone()
    }

    /// Jira's application role `key`.
    pub async fn role(&self, key: &str) -> Value {
        json_of(
            self.get(&format!("/rest/api/3/applicationrole/{key}"))
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

/// Product keys of an org API user's `productAccess`.
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
