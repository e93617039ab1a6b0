//! Error bodies, each in its API's own shape, and which API family a path belongs to.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The API families, each with its own rate limit and error shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Organizations REST API, `/admin/...`.
    Admin,
    /// User management REST API, `/users/...`.
    UserManagement,
    /// Jira, `/rest/...`.
    Jira,
    /// Confluence, `/wiki/...`.
    Confluence,
}

impl Family {
    pub const ALL: [Family; 4] = [
        Family::Admin,
        Family::UserManagement,
        Family::Jira,
        Family::Confluence,
    ];

    pub fn of(path: &str) -> Option<Family> {
        let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
        match first {
            "admin" => Some(Family::Admin),
            "users" => Some(Family::UserManagement),
            "rest" => Some(Family::Jira),
            "wiki" => Some(Family::Confluence),
            _ => None,
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// A fresh id for an error body (the real API sends a UUID per error).
fn error_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("00000000-0000-4000-8000-{n:012x}")
}

/// `{errors: [{id, status, code, title, detail}]}`: the org API's v2 `Errors` and v1
/// `ApplicationErrors` (both the same shape). `code` is an `ADMIN-...` code.
pub fn admin(status: StatusCode, code: &str, detail: impl Into<String>) -> Response {
    (status, Json(admin_body(status, code, detail))).into_response()
}

pub fn admin_body(status: StatusCode, code: &str, detail: impl Into<String>) -> serde_json::Value {
    json!({"errors": [{
        "id": error_id(),
        "status": status.as_str(),
        "code": code,
        "title": status.canonical_reason().unwrap_or("Error"),
        "detail": detail.into(),
    }]})
}

/// A bare `ApplicationError` (the workspaces operation declares its errors unwrapped).
pub fn application_error(status: StatusCode, code: &str, detail: impl Into<String>) -> Response {
    let body = json!({
        "id": error_id(),
        "status": status.as_str(),
        "code": code,
        "title": status.canonical_reason().unwrap_or("Error"),
        "detail": detail.into(),
    });
    (status, Json(body)).into_response()
}

/// 400 for a request the org API refuses.
pub fn bad_request(detail: impl Into<String>) -> Response {
    admin(StatusCode::BAD_REQUEST, "ADMIN-400-24", detail)
}

/// The API gateway's `ProxyError {code, message}` (401 and 429 in front of the org API).
pub fn proxy(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({"code": status.as_u16(), "message": message})),
    )
        .into_response()
}

/// The user management API's `{key}` errors (`unauthorized`, `notFound`, ...).
pub fn user_management(status: StatusCode, key: &str) -> Response {
    (status, Json(json!({"key": key}))).into_response()
}

/// Jira's `ErrorCollection`.
pub fn jira(status: StatusCode, message: impl Into<String>) -> Response {
    let body = json!({"errorMessages": [message.into()], "errors": {}});
    (status, Json(body)).into_response()
}

/// Confluence v1's error body.
pub fn confluence(status: StatusCode, message: impl Into<String>) -> Response {
    let body = json!({
        "statusCode": status.as_u16(),
        "message": message.into(),
        "data": {
            "authorized": status != StatusCode::UNAUTHORIZED,
            "valid": false,
            "errors": [],
            "successful": false,
        },
    });
    (status, Json(body)).into_response()
}

/// An error in the shape of the family the path belongs to.
pub fn for_path(path: &str, status: StatusCode, code: &str, message: &str) -> Response {
    match Family::of(path) {
        Some(Family::Admin) | None => admin(status, code, message),
        Some(Family::UserManagement) => user_management(status, code_key(status)),
        Some(Family::Jira) => jira(status, message),
        Some(Family::Confluence) => confluence(status, message),
    }
}

fn code_key(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "notFound",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::TOO_MANY_REQUESTS => "rateLimited",
        StatusCode::BAD_REQUEST => "badRequest",
        _ => "internalServerError",
    }
}

pub fn too_large() -> Response {
    admin(
        StatusCode::PAYLOAD_TOO_LARGE,
        "ADMIN-413-1",
        "The request body is too large.",
    )
}

/// 404 for paths the sandbox does not serve.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    let msg = format!(
        "The sandbox does not serve {}: see the endpoint list in README.",
        uri.path()
    );
    for_path(uri.path(), StatusCode::NOT_FOUND, "ADMIN-404-1", &msg)
}
