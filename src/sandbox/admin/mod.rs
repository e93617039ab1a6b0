//! The Organizations REST API (`/admin`): routes and the checks every operation shares.

// Handlers return the ready error `Response` as `Err`; boxing it would only add noise.
#![allow(clippy::result_large_err)]

mod events;
mod groups;
mod orgs;
mod roles;
mod users;
mod v1_users;
pub mod view;
mod workspaces;

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde::de::DeserializeOwned;

use super::Shared;
use super::errors;
use super::state::OrgState;

const DIR: &str = "/v2/orgs/{orgId}/directories/{directoryId}";

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/orgs", get(orgs::list))
        .route("/v1/orgs/{orgId}", get(orgs::get_org))
        .route("/v1/orgs/{orgId}/users", get(v1_users::list))
        .route(
            "/v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates",
            get(users::last_active_dates),
        )
        .route(
            "/v1/orgs/{orgId}/users/{userId}/roles/assign",
            post(roles::assign),
        )
        .route(
            "/v1/orgs/{orgId}/users/{userId}/roles/revoke",
            post(roles::revoke),
        )
        .route("/v1/orgs/{orgId}/events-stream", get(events::stream))
        .route("/v2/orgs/{orgId}/directories", get(orgs::directories))
        .route("/v2/orgs/{orgId}/workspaces", post(workspaces::search))
        .route(&format!("{DIR}/users"), get(users::list_deprecated))
        .route(&format!("{DIR}/users/search"), post(users::search))
        .route(&format!("{DIR}/users/count"), get(users::count))
        .route(
            &format!("{DIR}/users/{{accountId}}"),
            get(users::details).delete(users::remove),
        )
        .route(
            &format!("{DIR}/users/{{accountId}}/role-assignments"),
            get(users::role_assignments),
        )
        .route(
            &format!("{DIR}/users/{{accountId}}/suspend"),
            post(users::suspend),
        )
        .route(
            &format!("{DIR}/users/{{accountId}}/restore"),
            post(users::restore),
        )
        .route(&format!("{DIR}/groups"), get(groups::list_deprecated))
        .route(&format!("{DIR}/groups/search"), post(groups::search))
        .route(&format!("{DIR}/groups/{{groupId}}"), get(groups::get_group))
        .route(
            &format!("{DIR}/groups/{{groupId}}/role-assignments"),
            get(groups::role_assignments),
        )
        .route(
            &format!("{DIR}/groups/{{groupId}}/memberships"),
            post(groups::add_member),
        )
        .route(
            &format!("{DIR}/groups/{{groupId}}/memberships/{{accountId}}"),
            delete(groups::remove_member),
        )
}

/// 404 `ADMIN-404-2` unless this is the sandbox's org.
fn check_org(state: &OrgState, org_id: &str) -> Result<(), Response> {
    if org_id == state.org_id {
        Ok(())
    } else {
        Err(errors::admin(
            StatusCode::NOT_FOUND,
            "ADMIN-404-2",
            format!(
                "Organization {org_id} was not found: check the org id \
                 (GET /admin/v1/orgs lists yours)."
            ),
        ))
    }
}

/// For operations that declare no 404 (directories, events stream): the key administers one
/// org, so another org id is refused as the key not being good for it (401, `ProxyError` for
/// v1, `Errors` for v2).
fn check_org_or_401(state: &OrgState, org_id: &str, v2: bool) -> Result<(), Response> {
    if org_id == state.org_id {
        return Ok(());
    }
    let message = format!(
        "This API key does not administer organization {org_id}: check the org id \
         (GET /admin/v1/orgs lists yours)."
    );
    Err(if v2 {
        errors::admin(StatusCode::UNAUTHORIZED, "ADMIN-401-1", message)
    } else {
        errors::proxy(StatusCode::UNAUTHORIZED, &message)
    })
}

/// Reads accept the directory id or `-` (every directory the key can manage).
fn check_read_directory(
    state: &OrgState,
    org_id: &str,
    directory_id: &str,
) -> Result<(), Response> {
    check_org(state, org_id)?;
    if directory_id == "-" || directory_id == state.directory_id {
        Ok(())
    } else {
        Err(directory_not_found(directory_id))
    }
}

/// Writes need the real directory id: the spec documents `-` for reads only, so a write with
/// `-` gets a 400 that says where to find the id.
fn check_write_directory(
    state: &OrgState,
    org_id: &str,
    directory_id: &str,
) -> Result<(), Response> {
    check_org(state, org_id)?;
    if directory_id == "-" {
        return Err(errors::admin(
            StatusCode::BAD_REQUEST,
            "ADMIN-400-4",
            "directoryId '-' is accepted by read operations only: \
             use the directory id from GET /v2/orgs/{orgId}/directories.",
        ));
    }
    if directory_id == state.directory_id {
        Ok(())
    } else {
        Err(directory_not_found(directory_id))
    }
}

fn directory_not_found(directory_id: &str) -> Response {
    errors::admin(
        StatusCode::NOT_FOUND,
        "ADMIN-404-3",
        format!(
            "Directory {directory_id} was not found: GET /v2/orgs/{{orgId}}/directories lists them."
        ),
    )
}

fn user_not_found(account_id: &str) -> Response {
    errors::admin(
        StatusCode::NOT_FOUND,
        "ADMIN-404-8",
        format!("User {account_id} was not found in this organization's directory."),
    )
}

fn group_not_found(group_id: &str) -> Response {
    errors::admin(
        StatusCode::NOT_FOUND,
        "ADMIN-404-10",
        format!("Group {group_id} was not found in this directory."),
    )
}

/// A JSON body; an empty body reads as `{}` (the search bodies are optional).
fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Response> {
    let text = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        bytes
    };
    serde_json::from_slice(text)
        .map_err(|e| errors::bad_request(format!("Invalid request body: {e}.")))
}

/// Query parameters in order, repeated keys kept (`status=active&status=suspended`).
struct Query(Vec<(String, String)>);

impl Query {
    fn parse(raw: Option<&str>) -> Query {
        Query(
            url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
        )
    }

    fn one(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    /// Every value of a repeated key (also `key[]`), `None` when absent.
    fn many(&self, key: &str) -> Option<Vec<String>> {
        let alt = format!("{key}[]");
        let values: Vec<String> = self
            .0
            .iter()
            .filter(|(k, _)| k == key || *k == alt)
            .map(|(_, v)| v.clone())
            .collect();
        (!values.is_empty()).then_some(values)
    }

    fn int(&self, key: &str) -> Result<Option<i64>, Response> {
        match self.one(key) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                errors::bad_request(format!(
                    "Query parameter '{key}' must be an integer, got '{v}'."
                ))
            }),
        }
    }

    fn bool(&self, key: &str) -> Result<Option<bool>, Response> {
        match self.one(key).as_deref() {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(v) => Err(errors::bad_request(format!(
                "Query parameter '{key}' must be true or false, got '{v}'."
            ))),
        }
    }
}

/// `limit` between 1 and `max`, or the default.
fn check_limit(limit: Option<i64>, default: i64, max: i64) -> Result<usize, Response> {
    match limit {
        None => Ok(default as usize),
        Some(n) if (1..=max).contains(&n) => Ok(n as usize),
        Some(n) => Err(errors::bad_request(format!(
            "limit must be between 1 and {max}, got {n}."
        ))),
    }
}

/// Every value must be one of `allowed`.
fn check_enum(field: &str, values: Option<&Vec<String>>, allowed: &[&str]) -> Result<(), Response> {
    for v in values.into_iter().flatten() {
        if !allowed.contains(&v.as_str()) {
            return Err(errors::bad_request(format!(
                "Invalid value '{v}' for {field}: expected one of {}.",
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

/// Array sizes as the spec bounds them (`minItems` 1, `maxItems` `max`).
fn check_len<T>(field: &str, values: Option<&Vec<T>>, max: usize) -> Result<(), Response> {
    match values {
        Some(v) if v.is_empty() => Err(errors::bad_request(format!(
            "{field} must not be empty: leave it out instead."
        ))),
        Some(v) if v.len() > max => Err(errors::bad_request(format!(
            "{field} takes at most {max} values, got {}.",
            v.len()
        ))),
        _ => Ok(()),
    }
}

const ROLE_IDS: &[&str] = &[
    "atlassian/user",
    "atlassian/admin",
    "atlassian/guest",
    "atlassian/customer",
    "atlassian/user-access-admin",
    "atlassian/contributor",
    "atlassian/basic",
    "atlassian/stakeholder",
    "atlassian/org-admin",
    "atlassian/site-admin",
    "atlassian/ai-access",
];
