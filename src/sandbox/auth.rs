//! Authentication: the org API key as a Bearer token on `/admin` and `/users`, basic
//! `email:token` on the site (`/rest`, `/wiki`). Wrong or missing credentials get each API's
//! real 401 body.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;

use super::Shared;
use super::errors::{self, Family};

/// Compares without stopping at the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn bearer_ok(shared: &Shared, headers: &HeaderMap) -> bool {
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some(key) = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
    else {
        return false;
    };
    same(key.trim().as_bytes(), shared.cfg.org_api_key.as_bytes())
}

/// The `email:token` pair of a basic `Authorization` header, when it is well formed.
pub fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (email, token) = text.split_once(':')?;
    Some((email.to_string(), token.to_string()))
}

/// Checks the site's basic auth; on failure, the 401 the Jira or Confluence API sends.
/// Site handlers can call this directly; the site routes also run it as a layer.
#[allow(clippy::result_large_err)]
pub fn check_site_basic(
    shared: &Shared,
    headers: &HeaderMap,
    family: Family,
) -> Result<(), Response> {
    let ok = basic_credentials(headers).is_some_and(|(email, token)| {
        same(
            email.to_lowercase().as_bytes(),
            shared.cfg.site_email.to_lowercase().as_bytes(),
        ) & same(token.as_bytes(), shared.cfg.site_token.as_bytes())
    });
    if ok {
        return Ok(());
    }
    let message = "Client must be authenticated to access this resource.";
    let mut response = match family {
        Family::Confluence => errors::confluence(StatusCode::UNAUTHORIZED, message),
        _ => errors::jira(StatusCode::UNAUTHORIZED, message),
    };
    response.headers_mut().insert(
        "www-authenticate",
        HeaderValue::from_static("Basic realm=\"protected-area\""),
    );
    Err(response)
}

/// The admin API's 401 in the shape each operation declares: the v2 directory operations
/// declare `Errors`, the v1 ones and workspaces the gateway's `ProxyError`.
fn admin_unauthorized(path: &str) -> Response {
    let message = "Unauthorized: send the org API key as 'Authorization: Bearer <key>'.";
    if path.starts_with("/admin/v2/") && !path.ends_with("/workspaces") {
        errors::admin(StatusCode::UNAUTHORIZED, "ADMIN-401-1", message)
    } else {
        errors::proxy(StatusCode::UNAUTHORIZED, message)
    }
}

/// Refuses requests without the right credentials for their API family.
pub async fn layer(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let family = Family::of(req.uri().path());
    let refused = match family {
        Some(Family::Admin) if !bearer_ok(&shared, req.headers()) => {
            Some(admin_unauthorized(req.uri().path()))
        }
        Some(Family::UserManagement) if !bearer_ok(&shared, req.headers()) => Some(
            errors::user_management(StatusCode::UNAUTHORIZED, "unauthorized"),
        ),
        Some(f @ (Family::Jira | Family::Confluence)) => {
            check_site_basic(&shared, req.headers(), f).err()
        }
        _ => None,
    };
    match refused {
        Some(response) => {
            tracing::debug!(
                path = req.uri().path(),
                "sandbox refused a request without valid credentials"
            );
            response
        }
        None => next.run(req).await,
    }
}
