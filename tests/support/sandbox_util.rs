//! Helpers for the sandbox tests: start one, and talk to its admin API with the right key.
#![allow(dead_code)]

use reqwest::{Client, Response};
use seats::sandbox::{self, Sandbox, SandboxConfig};
use serde_json::{Value, json};

pub struct Admin {
    pub sandbox: Sandbox,
    pub client: Client,
    pub base: String,
    pub org: String,
    pub dir: String,
}

pub async fn start(users: usize) -> Admin {
    start_with(SandboxConfig {
        users,
        ..SandboxConfig::default()
    })
    .await
}

pub async fn start_with(cfg: SandboxConfig) -> Admin {
    let sandbox = match sandbox::start(cfg).await {
        Ok(s) => s,
        Err(e) => panic!("sandbox did not start: {e:#}"),
    };
    let base = sandbox.base_url();
    let org = sandbox.org_id();
    let dir = sandbox.directory_id();
    Admin {
        sandbox,
        client: Client::new(),
        base,
        org,
        dir,
    }
}

impl Admin {
    pub fn url(&self, path: &str) -> String {
        format!(
            "{}/admin{}",
            self.base,
            path.replace("{org}", &self.org).replace("{dir}", &self.dir)
        )
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(sandbox::DEFAULT_ORG_API_KEY)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(sandbox::DEFAULT_ORG_API_KEY)
            .json(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(sandbox::DEFAULT_ORG_API_KEY)
            .send()
            .await
            .unwrap_or_else(|e| panic!("DELETE {path}: {e}"))
    }

    /// Every user a search returns, following `links.next` to the end.
    pub async fn search_all(&self, mut body: Value) -> Vec<Value> {
        let mut out = Vec::new();
        loop {
            let page = json_of(
                self.post("/v2/orgs/{org}/directories/{dir}/users/search", &body)
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
            self.post("/v2/orgs/{org}/directories/{dir}/users/search", &body)
                .await,
            200,
        )
        .await;
        page["data"][0].clone()
    }

    /// The id of a group by name.
    pub async fn group_id(&self, name: &str) -> String {
        let page = json_of(
            self.post(
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

pub fn keys(users: &[Value]) -> Vec<String> {
    users
        .iter()
        .map(|u| u["accountId"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Product keys in a user's `productAccess`.
pub fn products(user: &Value) -> Vec<String> {
    user["productAccess"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["key"].as_str().map(str::to_string))
        .collect()
}
