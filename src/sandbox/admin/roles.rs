//! `POST /v1/orgs/{orgId}/users/{userId}/roles/assign` and `/revoke`: direct role grants.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::users::state_error;
use super::{check_enum, check_org, parse_body, user_not_found};
use crate::sandbox::state::{Grant, OrgState, Resource, Role};
use crate::sandbox::{Shared, errors};

/// `RoleApiRequest`.
#[derive(Deserialize)]
struct RoleRequest {
    resource: Option<String>,
    role: String,
}

const ROLES: &[&str] = &[
    "atlassian/user",
    "atlassian/user-access-admin",
    "atlassian/admin",
    "atlassian/guest",
    "atlassian/contributor",
    "atlassian/customer",
    "atlassian/basic",
    "atlassian/stakeholder",
    "atlassian/site-admin",
    "atlassian/org-admin",
];

/// The grant a request names; org-admin needs no resource (it is on the org).
fn grant(state: &OrgState, req: &RoleRequest) -> Result<Grant, Response> {
    check_enum("role", Some(&vec![req.role.clone()]), ROLES)?;
    let Some(role) = Role::from_id(&req.role) else {
        return Err(errors::admin(
            StatusCode::BAD_REQUEST,
            "ADMIN-400-4",
            format!(
                "The sandbox does not model the role {}: use atlassian/user, atlassian/admin, \
                 atlassian/site-admin or atlassian/org-admin.",
                req.role
            ),
        ));
    };
    let resource = match (&req.resource, role) {
        (None, Role::OrgAdmin) => Resource::Org,
        (None, _) => {
            return Err(errors::bad_request(format!(
                "resource is required for {}: send the product's ARI.",
                req.role
            )));
        }
        (Some(ari), _) => state.resource_from_ari(ari).ok_or_else(|| {
            errors::admin(
                StatusCode::BAD_REQUEST,
                "ADMIN-400-4",
                format!(
                    "Unknown resource {ari}: use an ARI from POST /v2/orgs/{{orgId}}/workspaces."
                ),
            )
        })?,
    };
    let fits = match role {
        Role::OrgAdmin => resource == Resource::Org,
        Role::SiteAdmin => resource == Resource::Site,
        Role::User | Role::Admin => matches!(resource, Resource::Product(_)),
    };
    if !fits {
        return Err(errors::admin(
            StatusCode::BAD_REQUEST,
            "ADMIN-400-4",
            format!("{} cannot be granted on that resource.", req.role),
        ));
    }
    Ok(Grant { resource, role })
}

fn write(shared: &Shared, org_id: &str, user_id: &str, body: &[u8], assign: bool) -> Response {
    let req: RoleRequest = match parse_body(body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let actor = shared.admin_actor();
    let mut state = shared.write();
    if let Err(e) = check_org(&state, org_id) {
        return e;
    }
    let g = match grant(&state, &req) {
        Ok(g) => g,
        Err(e) => return e,
    };
    let Some(ix) = state
        .user_ix(user_id)
        .filter(|ix| state.user(*ix).in_directory())
    else {
        return user_not_found(user_id);
    };
    if assign {
        return match state.assign_role(user_id, g, &actor, shared.now()) {
            Ok(()) => StatusCode::NO_CONTENT.into_response(),
            Err(e) => state_error(e),
        };
    }
    match state.revoke_role(user_id, g, &actor, shared.now()) {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => {
            // Held through a group: the grant goes with the membership, not with revoke.
            let through: Vec<String> = state
                .user(ix)
                .groups
                .iter()
                .filter(|gx| state.group_grants(**gx).contains(&g))
                .map(|gx| state.group(*gx).name.clone())
                .collect();
            if through.is_empty() {
                StatusCode::NO_CONTENT.into_response()
            } else {
                errors::admin(
                    StatusCode::CONFLICT,
                    "ADMIN-409-4",
                    format!(
                        "{} is granted through the group(s) {}: remove the membership instead.",
                        req.role,
                        through.join(", ")
                    ),
                )
            }
        }
        Err(e) => state_error(e),
    }
}

pub async fn assign(
    State(shared): State<Arc<Shared>>,
    Path((org_id, user_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    write(&shared, &org_id, &user_id, &body, true)
}

pub async fn revoke(
    State(shared): State<Arc<Shared>>,
    Path((org_id, user_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    write(&shared, &org_id, &user_id, &body, false)
}
