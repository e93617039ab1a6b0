//! Sandbox-only controls, all under `/_sandbox/` (a prefix the real APIs do not have, so no
//! client of Atlassian can reach them by mistake): the virtual clock, a user's activity, a
//! user's comment, the outbox, outgoing mail on or off, and the incoming-webhook receiver.
//! No credentials: the sandbox listens on loopback only and these exist for tests and demos.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::Shared;
use super::jira_issues::issue_exists;
use super::outbox::{WebhookCall, adf};
use super::state::Product;

/// The prefix of every sandbox-only endpoint.
pub const PREFIX: &str = "/_sandbox";

/// The largest webhook payload kept (Automation's own limit is about this).
const MAX_WEBHOOK_BYTES: usize = 1 << 20;

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_sandbox/clock", get(clock_get).post(clock_post))
        .route("/_sandbox/activity", post(activity))
        .route("/_sandbox/comments", post(comments))
        .route("/_sandbox/outbox", get(outbox))
        .route("/_sandbox/mail", post(mail))
        .route("/_sandbox/webhooks/{id}", post(webhook))
}

fn refused(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

#[allow(clippy::result_large_err)]
fn body<T: DeserializeOwned>(bytes: &[u8], example: &str) -> Result<T, Response> {
    serde_json::from_slice(bytes).map_err(|e| {
        refused(
            StatusCode::BAD_REQUEST,
            format!("the body must be JSON like {example}: {e}"),
        )
    })
}

fn now_json(now: DateTime<Utc>) -> Value {
    json!({"now": super::admin::view::ts(now)})
}

async fn clock_get(State(shared): State<Arc<Shared>>) -> Response {
    Json(now_json(shared.now())).into_response()
}

#[derive(Deserialize)]
struct Advance {
    advance_days: i64,
}

async fn clock_post(State(shared): State<Arc<Shared>>, bytes: Bytes) -> Response {
    let req: Advance = match body(&bytes, r#"{"advance_days": 14}"#) {
        Ok(r) => r,
        Err(r) => return r,
    };
    match shared.clock.advance_days(req.advance_days) {
        Ok(now) => Json(now_json(now)).into_response(),
        Err(m) => refused(StatusCode::BAD_REQUEST, m),
    }
}

/// Marks the user active on the product at the current virtual time.
pub fn mark_active(
    shared: &Shared,
    account_id: &str,
    product_key: &str,
) -> Result<DateTime<Utc>, String> {
    active(shared, account_id, product_key).map_err(|(_, m)| m)
}

fn active(
    shared: &Shared,
    account_id: &str,
    product_key: &str,
) -> Result<DateTime<Utc>, (StatusCode, String)> {
    let product = Product::from_key(product_key).ok_or_else(|| {
        let keys: Vec<&str> = Product::ALL.iter().map(|p| p.key()).collect();
        (
            StatusCode::BAD_REQUEST,
            format!(
                "no product {product_key:?} on the sandbox site: use one of {}",
                keys.join(", ")
            ),
        )
    })?;
    let now = shared.now();
    let mut state = shared.write();
    let ix = state
        .user_ix(account_id)
        .filter(|ix| !state.user(*ix).removed)
        .ok_or_else(|| {
            (
                StatusCode::NOT_FOUND,
                format!("no user with account id {account_id}"),
            )
        })?;
    // Nobody uses a product they cannot open: a test that says so is wrong, not the user.
    if !state.product_access(ix).contains(&product) {
        return Err((
            StatusCode::CONFLICT,
            format!("{account_id} has no access to {product_key}, so cannot be active on it"),
        ));
    }
    state.users[ix as usize].last_active[product.index()] = Some(now);
    Ok(now)
}

#[derive(Deserialize)]
struct ActivityReq {
    account_id: String,
    product: String,
}

async fn activity(State(shared): State<Arc<Shared>>, bytes: Bytes) -> Response {
    let req: ActivityReq = match body(
        &bytes,
        r#"{"account_id": "...", "product": "jira-software"}"#,
    ) {
        Ok(r) => r,
        Err(r) => return r,
    };
    match active(&shared, &req.account_id, &req.product) {
        Ok(now) => Json(json!({"account_id": req.account_id, "product": req.product, "last_active": super::admin::view::ts(now)})).into_response(),
        Err((status, m)) => refused(status, m),
    }
}

/// The user comments `text` on the issue at the current virtual time; returns the comment id.
pub fn comment(
    shared: &Shared,
    issue_key: &str,
    account_id: &str,
    text: &str,
) -> Result<u64, String> {
    commented(shared, issue_key, account_id, text).map_err(|(_, m)| m)
}

fn commented(
    shared: &Shared,
    issue_key: &str,
    account_id: &str,
    text: &str,
) -> Result<u64, (StatusCode, String)> {
    if !issue_exists(issue_key) {
        return Err((
            StatusCode::NOT_FOUND,
            format!("no issue {issue_key:?}: the sandbox has every issue with a key like REV-1"),
        ));
    }
    let known = {
        let state = shared.read();
        state
            .user_ix(account_id)
            .is_some_and(|ix| !state.user(ix).removed)
    };
    if !known {
        return Err((
            StatusCode::NOT_FOUND,
            format!("no user with account id {account_id}"),
        ));
    }
    let now = shared.now();
    let c = shared
        .mailroom()
        .add_comment(issue_key, account_id, adf(text), now);
    Ok(c.id)
}

#[derive(Deserialize)]
struct CommentReq {
    issue_key: String,
    account_id: String,
    body: String,
}

async fn comments(State(shared): State<Arc<Shared>>, bytes: Bytes) -> Response {
    let req: CommentReq = match body(
        &bytes,
        r#"{"issue_key": "REV-1", "account_id": "...", "body": "keep my seat"}"#,
    ) {
        Ok(r) => r,
        Err(r) => return r,
    };
    match commented(&shared, &req.issue_key, &req.account_id, &req.body) {
        Ok(id) => (StatusCode::CREATED, Json(json!({"id": id.to_string()}))).into_response(),
        Err((status, m)) => refused(status, m),
    }
}

async fn outbox(State(shared): State<Arc<Shared>>) -> Response {
    let outbox = shared.mailroom().outbox.clone();
    Json(outbox).into_response()
}

#[derive(Deserialize)]
struct MailReq {
    enabled: bool,
}

async fn mail(State(shared): State<Arc<Shared>>, bytes: Bytes) -> Response {
    let req: MailReq = match body(&bytes, r#"{"enabled": false}"#) {
        Ok(r) => r,
        Err(r) => return r,
    };
    shared.mailroom().mail_enabled = req.enabled;
    Json(json!({"enabled": req.enabled})).into_response()
}

/// An Automation incoming webhook: any JSON object is accepted and kept.
async fn webhook(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Response {
    if bytes.len() > MAX_WEBHOOK_BYTES {
        return refused(StatusCode::PAYLOAD_TOO_LARGE, "the payload is too large");
    }
    let payload: Value = match body(&bytes, r#"{"issues": []}"#) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let at = shared.now();
    shared.mailroom().outbox.webhooks.push(WebhookCall {
        path: format!("{PREFIX}/webhooks/{id}"),
        payload,
        at,
    });
    StatusCode::OK.into_response()
}
