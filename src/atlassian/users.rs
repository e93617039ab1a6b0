//! User management API (`/users/{account_id}/manage`, managed accounts only), same Bearer key
//! as the admin API. Paths and bodies as in `admin-user-management/atlassian_user_management_openapi.json`.

use std::collections::BTreeMap;

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::error::{ApiError, Family, Subject};
use super::http::{Client, Request, Retry};

/// `Manageability.Rule.Simple`: allowed, or not with a reason key.
#[derive(Debug, Clone, Deserialize)]
pub struct Rule {
    pub allowed: bool,
    #[serde(default)]
    pub reason: Option<Reason>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Reason {
    pub key: String,
}

/// The answer of `GET /users/{account_id}/manage`: privilege name → rule.
pub type Manageability = BTreeMap<String, serde_json::Value>;

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// `GET /users/{account_id}/manage?privileges=...`: what the key may do to this account.
pub async fn manageability(
    client: &Client,
    account_id: &str,
    privileges: &[&str],
) -> Result<Manageability, ApiError> {
    let mut req = Request::get(
        Family::UserManagement,
        format!("/users/{}/manage", enc(account_id)),
    )
    .subject(Subject::User(account_id.into()));
    for p in privileges {
        req = req.query("privileges", p);
    }
    client.json(req).await
}

/// One privilege of a manageability answer, as a `Rule`.
pub fn rule(m: &Manageability, privilege: &str) -> Option<Rule> {
    m.get(privilege)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// `POST /users/{account_id}/manage/lifecycle/disable` `{message}` (204): blocks login to all
/// of Atlassian. Idempotent.
pub async fn disable(
    client: &Client,
    account_id: &str,
    message: Option<&str>,
) -> Result<(), ApiError> {
    let body = match message {
        Some(m) => json!({ "message": m }),
        None => json!({}),
    };
    let req = Request::new(
        Family::UserManagement,
        Method::POST,
        format!("/users/{}/manage/lifecycle/disable", enc(account_id)),
    )
    .json(body)
    .retry(Retry::Idempotent)
    .subject(Subject::User(account_id.into()));
    client.send(req).await.map(|_| ())
}

/// `POST /users/{account_id}/manage/lifecycle/enable` (204). Idempotent.
pub async fn enable(client: &Client, account_id: &str) -> Result<(), ApiError> {
    let req = Request::new(
        Family::UserManagement,
        Method::POST,
        format!("/users/{}/manage/lifecycle/enable", enc(account_id)),
    )
    .retry(Retry::Idempotent)
    .subject(Subject::User(account_id.into()));
    client.send(req).await.map(|_| ())
}
