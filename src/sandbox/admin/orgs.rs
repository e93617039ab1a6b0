//! The org itself and its directories.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::users::invalid_cursor;
use super::{Query, check_limit, check_org, check_org_or_401};
use crate::sandbox::state::OrgState;
use crate::sandbox::{Shared, cursor};

fn org_model(shared: &Shared, state: &OrgState) -> Value {
    let base = format!("{}/admin/v1/orgs/{}", shared.base_url, state.org_id);
    json!({
        "id": state.org_id,
        "type": "orgs",
        "attributes": {"name": state.org_name},
        "links": {"self": base},
        "relationships": {
            "domains": {"links": {"related": format!("{base}/domains")}},
            "users": {"links": {"related": format!("{base}/users")}},
        },
    })
}

/// `GET /v1/orgs`: the one org the key administers.
pub async fn list(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let q = Query::parse(raw.as_deref());
    if let Some(c) = q.one("cursor")
        && cursor::decode::<()>("orgs", &c).is_none()
    {
        return invalid_cursor();
    }
    let state = shared.read();
    let data = vec![org_model(&shared, &state)];
    Json(json!({"data": data, "links": {"self": format!("{}/admin/v1/orgs", shared.base_url)}}))
        .into_response()
}

/// `GET /v1/orgs/{orgId}`
pub async fn get_org(State(shared): State<Arc<Shared>>, Path(org_id): Path<String>) -> Response {
    let state = shared.read();
    match check_org(&state, &org_id) {
        Ok(()) => Json(json!({"data": org_model(&shared, &state)})).into_response(),
        Err(e) => e,
    }
}

/// `GET /v2/orgs/{orgId}/directories`: the one directory (centralized user management).
pub async fn directories(
    State(shared): State<Arc<Shared>>,
    Path(org_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    let state = shared.read();
    if let Err(e) = check_org_or_401(&state, &org_id, true) {
        return e;
    }
    if let Err(e) = q.int("limit").and_then(|l| check_limit(l, 20, 100)) {
        return e;
    }
    if let Some(c) = q.one("cursor")
        && cursor::decode::<()>("directories", &c).is_none()
    {
        return invalid_cursor();
    }
    let mut show = true;
    if let Some(account_id) = q.one("accountId") {
        show = state
            .user_ix(&account_id)
            .is_some_and(|ix| state.user(ix).in_directory());
    }
    if let Some(ids) = q.many("directoryIds") {
        show &= ids.contains(&state.directory_id);
    }
    if let Some(term) = q.one("searchTerm") {
        show &= state
            .directory_name
            .to_lowercase()
            .contains(&term.to_lowercase());
    }
    let data: Vec<Value> = if show {
        vec![json!({
            "directoryId": state.directory_id,
            "name": state.directory_name,
            "icon": "https://admin.atlassian.example/sandbox/directory.png",
        })]
    } else {
        Vec::new()
    };
    Json(json!({"data": data, "links": {"self": cursor::encode("directories", 0, &())}}))
        .into_response()
}
