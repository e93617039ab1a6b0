//! The User management REST API (`/users/{account_id}/manage...`): what the org admin may do to
//! an account, and deactivating (`lifecycle/disable`) and reactivating (`lifecycle/enable`) it.
//!
//! Only managed accounts (on the org's verified domain) can be managed: any other account gets
//! 403 `forbidden.targetUnverified`. Accounts provisioned by SCIM are owned by the identity
//! provider (`externalDirectory.scim`), and the key's own admin cannot deactivate themself
//! (`administrative.notMyself`). Org admins cannot be deactivated before their org-admin role is
//! revoked: 409 `conflict.lifecycleErrors`.

// Handlers return the ready error `Response` as `Err`; boxing it would only add noise.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use super::Shared;
use super::errors;
use super::state::{AccountStatus, AccountType, OrgState, Role, UserIx};

/// The privileges of `GET /manage`, in the spec's order. `profile` is deprecated (replaced by
/// `profile.write`) but still answered when asked for.
const PRIVILEGES: [&str; 8] = [
    "profile",
    "profile.write",
    "profile.read",
    "email.set",
    "lifecycle.enablement",
    "lifecycle.delete",
    "apiToken.read",
    "apiToken.delete",
];

/// Profile fields the admin may write, as the spec's `ObjectMutability` example lists them.
const PROFILE_FIELDS: [&str; 8] = [
    "name",
    "nickname",
    "zoneinfo",
    "locale",
    "extended_profile.job_title",
    "extended_profile.department",
    "extended_profile.organization",
    "extended_profile.location",
];

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/users/{account_id}/manage", get(manage))
        .route("/users/{account_id}/manage/profile", get(profile))
        .route(
            "/users/{account_id}/manage/lifecycle/disable",
            post(disable),
        )
        .route("/users/{account_id}/manage/lifecycle/enable", post(enable))
}

/// Why the org admin may not do something to this account (`Manageability.RestrictionReason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Restriction {
    /// Provisioned by SCIM: change it in the identity provider.
    Scim,
    /// The key's own admin acting on themself.
    NotMyself,
}

impl Restriction {
    fn key(self) -> &'static str {
        match self {
            Restriction::Scim => "externalDirectory.scim",
            Restriction::NotMyself => "administrative.notMyself",
        }
    }

    fn unallowed(self) -> Value {
        json!({"allowed": false, "reason": {"key": self.key()}})
    }
}

fn not_found() -> Response {
    errors::user_management(StatusCode::NOT_FOUND, "accountNotFound")
}

fn target_unverified() -> Response {
    errors::user_management(StatusCode::FORBIDDEN, "forbidden.targetUnverified")
}

/// The account, if the org admin may manage it at all: 404 for unknown ids, 403
/// `forbidden.targetUnverified` for accounts outside the verified domain (contractors,
/// customers, apps).
fn managed_account(state: &OrgState, account_id: &str) -> Result<UserIx, Response> {
    let ix = state.user_ix(account_id).ok_or_else(not_found)?;
    let user = state.user(ix);
    if user.account_type != AccountType::Atlassian || !user.managed {
        return Err(target_unverified());
    }
    Ok(ix)
}

/// What keeps the admin from deactivating, deleting or re-emailing this account.
fn lifecycle_restriction(state: &OrgState, ix: UserIx, actor: &str) -> Option<Restriction> {
    let user = state.user(ix);
    if user.account_id == actor {
        Some(Restriction::NotMyself)
    } else if user.synced {
        Some(Restriction::Scim)
    } else {
        None
    }
}

fn privilege(state: &OrgState, ix: UserIx, actor: &str, name: &str) -> Value {
    let allowed = json!({"allowed": true});
    let user = state.user(ix);
    match name {
        "profile" | "profile.write" => {
            // SCIM owns the profile fields of synced users; an admin may edit their own.
            let rule = if user.synced {
                Restriction::Scim.unallowed()
            } else {
                allowed
            };
            let fields: Map<String, Value> = PROFILE_FIELDS
                .iter()
                .map(|f| (f.to_string(), rule.clone()))
                .collect();
            Value::Object(fields)
        }
        "email.set" | "lifecycle.enablement" | "lifecycle.delete" => {
            match lifecycle_restriction(state, ix, actor) {
                Some(r) => r.unallowed(),
                None => allowed,
            }
        }
        _ => allowed,
    }
}

/// The `privileges` the caller asked for (repeated or comma-separated), all but the deprecated
/// `profile` when none; 400 `badRequest` for a value outside the spec's enum.
fn requested_privileges(raw: Option<&str>) -> Result<Vec<&'static str>, Response> {
    let mut asked: Vec<&'static str> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if k != "privileges" && k != "privileges[]" {
            continue;
        }
        for name in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let Some(known) = PRIVILEGES.iter().find(|p| **p == name) else {
                tracing::debug!(privilege = name, "unknown privilege asked");
                return Err(errors::user_management(
                    StatusCode::BAD_REQUEST,
                    "badRequest",
                ));
            };
            if !asked.contains(known) {
                asked.push(known);
            }
        }
    }
    if asked.is_empty() {
        asked = PRIVILEGES[1..].to_vec();
    }
    Ok(asked)
}

/// `GET /users/{account_id}/manage`.
pub async fn manage(
    State(shared): State<Arc<Shared>>,
    Path(account_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let asked = match requested_privileges(raw.as_deref()) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let actor = shared.admin_actor();
    let state = shared.read();
    let ix = match managed_account(&state, &account_id) {
        Ok(ix) => ix,
        Err(r) => return r,
    };
    let body: Map<String, Value> = asked
        .iter()
        .map(|p| (p.to_string(), privilege(&state, ix, &actor, p)))
        .collect();
    Json(Value::Object(body)).into_response()
}

/// `GET /manage/profile`: the managed account's profile as `AtlassianAccountUser` (snake_case,
/// optional fields left out when unset, as the API does).
pub async fn profile(
    State(shared): State<Arc<Shared>>,
    Path(account_id): Path<String>,
) -> Response {
    let state = shared.read();
    let ix = match managed_account(&state, &account_id) {
        Ok(ix) => ix,
        Err(r) => return r,
    };
    let user = state.user(ix);
    let base = &state.site_url;
    let mut extended = Map::new();
    for (key, value) in [
        ("job_title", &user.job_title),
        ("department", &user.department),
        ("location", &user.location),
    ] {
        if let Some(v) = value {
            extended.insert(key.to_string(), json!(v));
        }
    }
    extended.insert("organization".to_string(), json!(state.org_name));
    let account = json!({
        "account_id": user.account_id,
        "account_status": user.account_status.as_str(),
        "account_type": user.account_type.as_str(),
        "name": user.name,
        "nickname": user.nickname,
        // Managed accounts always have one; the spec requires the field.
        "email": user.email.clone().unwrap_or_default(),
        "picture": format!("{base}/avatars/initials/{}.png", user.account_id),
        "zoneinfo": user.time_zone,
        "locale": "en-US",
        "characteristics": {"not_mentionable": false},
        "extended_profile": extended,
    });
    Json(json!({ "account": account })).into_response()
}

/// 403 `forbidden.action` with the reason, as `Forbidden.Action` carries it.
fn forbidden_action(r: Restriction) -> Response {
    let body = json!({"key": "forbidden.action", "context": r.unallowed()});
    (StatusCode::FORBIDDEN, Json(body)).into_response()
}

/// 409 `conflict.lifecycleErrors` with one error code.
fn lifecycle_conflict(account_id: &str, code: &str, message: &str) -> Response {
    let body = json!({
        "key": "conflict.lifecycleErrors",
        "context": {
            "accountId": account_id,
            "message": "This account isn't eligible for the requested action.",
            "errorCodes": [{"code": code, "message": message}],
        }
    });
    (StatusCode::CONFLICT, Json(body)).into_response()
}

fn is_org_admin(state: &OrgState, ix: UserIx) -> bool {
    state
        .role_assignments(ix)
        .iter()
        .any(|a| a.role == Role::OrgAdmin)
}

/// The checks both lifecycle operations share; the account's index when the action may go on.
fn lifecycle_target(state: &OrgState, account_id: &str, actor: &str) -> Result<UserIx, Response> {
    let ix = managed_account(state, account_id)?;
    if let Some(r) = lifecycle_restriction(state, ix, actor) {
        return Err(forbidden_action(r));
    }
    if state.user(ix).account_status == AccountStatus::Closed {
        return Err(lifecycle_conflict(
            account_id,
            "account.closed",
            "The account was deleted: cancel the deletion before changing its status.",
        ));
    }
    Ok(ix)
}

/// `POST /users/{account_id}/manage/lifecycle/disable`, body `{message?}`: 204. Deactivating
/// an already deactivated account changes nothing and answers 204 too.
pub async fn disable(
    State(shared): State<Arc<Shared>>,
    Path(account_id): Path<String>,
    body: Bytes,
) -> Response {
    let message = match disable_message(&body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let actor = shared.admin_actor();
    let mut state = shared.write();
    let ix = match lifecycle_target(&state, &account_id, &actor) {
        Ok(ix) => ix,
        Err(r) => return r,
    };
    if is_org_admin(&state, ix) {
        return lifecycle_conflict(
            &account_id,
            "account.orgAdmin",
            "The account is an organization admin: revoke its org-admin role first.",
        );
    }
    match state.disable_account(&account_id, &actor, shared.now()) {
        Ok(()) => {
            tracing::info!(
                account_id,
                has_message = message.is_some(),
                "sandbox deactivated an account"
            );
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => {
            tracing::warn!("sandbox could not deactivate {account_id}: {e}");
            target_unverified()
        }
    }
}

/// `POST /users/{account_id}/manage/lifecycle/enable`: 204; 409 when the licence has no seat
/// for a product the account would get back.
pub async fn enable(State(shared): State<Arc<Shared>>, Path(account_id): Path<String>) -> Response {
    let actor = shared.admin_actor();
    let mut state = shared.write();
    if let Err(r) = lifecycle_target(&state, &account_id, &actor) {
        return r;
    }
    match state.enable_account(&account_id, &actor, shared.now()) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e @ super::state::StateError::SeatLimit { .. }) => {
            lifecycle_conflict(&account_id, "license.seatLimit", &e.to_string())
        }
        Err(e) => {
            tracing::warn!("sandbox could not reactivate {account_id}: {e}");
            target_unverified()
        }
    }
}

/// The optional `message` of a disable body. An empty body is taken as `{}`; anything that is
/// not a JSON object with an optional string `message` is refused with `bodyParseFailure`.
fn disable_message(body: &[u8]) -> Result<Option<String>, Response> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let refused = || errors::user_management(StatusCode::BAD_REQUEST, "bodyParseFailure");
    let value: Value = serde_json::from_slice(body).map_err(|_| refused())?;
    let object = value.as_object().ok_or_else(refused)?;
    match object.get("message") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(refused()),
    }
}
