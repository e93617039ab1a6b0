//! Confluence Cloud REST API v1 group operations (`/wiki/rest/api/group...`): the site's groups,
//! their members, and membership writes by group id. Paging is `start`/`limit` with a relative
//! `_links.next` (join it to `_links.base`).
//!
//! The groups are the org's groups: a membership change here is the same `OrgState` mutation
//! the org API and Jira make.

// Handlers return the ready error `Response` as `Err`; boxing it would only add noise.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::Shared;
use super::errors;
use super::jira::{ACCESS_TYPES, Params, groups_granting, initials};
use super::state::{AccountType, GroupIx, OrgState, Product, Resource, Role, StateError, User};

/// Default and most for `limit` on both listings; members answer 400 above it.
const LIMIT: i64 = 200;
const MEMBER_EXPANDS: [&str; 3] = ["operations", "personalSpace", "isExternalCollaborator"];

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/wiki/rest/api/group", get(groups))
        .route(
            "/wiki/rest/api/group/{groupId}/membersByGroupId",
            get(members),
        )
        .route(
            "/wiki/rest/api/group/userByGroupId",
            axum::routing::post(add_member).delete(remove_member),
        )
}

fn bad_request(message: impl Into<String>) -> Response {
    errors::confluence(StatusCode::BAD_REQUEST, message)
}

/// `start` (default 0) and `limit` (default 200), neither negative. `max_exceeded` decides what
/// a limit over 200 gets: a 400, or a silent cap ("may be restricted by fixed system limits").
fn page_params(q: &Params, refuse_over_max: bool) -> Result<(usize, usize), Response> {
    let start = q.int("start").map_err(bad_request)?.unwrap_or(0);
    let limit = q.int("limit").map_err(bad_request)?.unwrap_or(LIMIT);
    if start < 0 || limit < 0 {
        return Err(bad_request("start and limit must not be negative."));
    }
    if limit > LIMIT && refuse_over_max {
        return Err(bad_request(format!(
            "The limit {limit} is greater than the maximum of {LIMIT}."
        )));
    }
    Ok((start as usize, limit.min(LIMIT) as usize))
}

/// `_links` of a page: `next` is relative to `base` (which already ends in `/wiki`).
fn page_links(base: &str, path: &str, raw: Option<&str>, next: Option<String>) -> Value {
    let mut links = json!({
        "base": format!("{base}/wiki"),
        "context": "/wiki",
        "self": format!("{base}/wiki{path}{}", raw.map(|r| format!("?{r}")).unwrap_or_default()),
    });
    if let (Some(next), Some(map)) = (next, links.as_object_mut()) {
        map.insert("next".into(), json!(format!("{path}?{next}")));
    }
    links
}

/// The same query with `start` and `limit` replaced.
fn with_start(raw: Option<&str>, start: usize, limit: usize) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if k != "start" && k != "limit" {
            out.append_pair(&k, &v);
        }
    }
    out.append_pair("start", &start.to_string());
    out.append_pair("limit", &limit.to_string());
    out.finish()
}

/// A Confluence `Group`.
fn group_json(base: &str, state: &OrgState, g: GroupIx) -> Value {
    let group = state.group(g);
    json!({
        "type": "group",
        "name": group.name,
        "id": group.id,
        "_links": {"self": format!("{base}/wiki/rest/api/group/by-id?id={}", group.id)},
    })
}

/// Groups a Confluence `accessType` selects, in the site's group order.
fn groups_of_access(state: &OrgState, access: Option<&str>) -> Vec<GroupIx> {
    let confluence = Resource::Product(Product::Confluence);
    let mut selected = match access {
        None => return (0..state.groups.len() as GroupIx).collect(),
        Some("site-admin") => groups_granting(state, Resource::Site, |r| r == Role::SiteAdmin),
        Some("admin") => groups_granting(state, confluence, |r| r == Role::Admin),
        Some(_) => groups_granting(state, confluence, |r| r == Role::User),
    };
    selected.sort_unstable();
    selected
}

/// `GET /wiki/rest/api/group`: every group of the site, or those with `accessType`.
pub async fn groups(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let q = Params::parse(raw.as_deref());
    let (start, limit) = match page_params(&q, false) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let access = q.one("accessType");
    if let Some(a) = access
        && !ACCESS_TYPES.contains(&a)
    {
        return bad_request(format!(
            "Invalid accessType '{a}': use one of user, admin, site-admin."
        ));
    }
    let state = shared.read();
    let base = &shared.base_url;
    let selected = groups_of_access(&state, access);
    let results: Vec<Value> = selected
        .iter()
        .skip(start)
        .take(limit)
        .map(|g| group_json(base, &state, *g))
        .collect();
    let more = limit > 0 && start + results.len() < selected.len();
    let next = more.then(|| with_start(raw.as_deref(), start + limit, limit));
    Json(json!({
        "results": results,
        "start": start,
        "limit": limit,
        "size": results.len(),
        "_links": page_links(base, "/rest/api/group", raw.as_deref(), next),
    }))
    .into_response()
}

/// A Confluence `User` (type `known`).
fn user_json(base: &str, user: &User, expand: &[&str]) -> Value {
    let account_type = match user.account_type {
        AccountType::Atlassian => "atlassian",
        AccountType::App => "app",
        AccountType::Customer => "",
    };
    let mut v = json!({
        "type": "known",
        "accountId": user.account_id,
        "accountType": account_type,
        "email": user.email.clone().unwrap_or_default(),
        "publicName": user.nickname,
        "displayName": user.name,
        "timeZone": user.time_zone,
        "profilePicture": {
            "path": format!("/wiki/aa-avatar/{}.png", initials(&user.name)),
            "width": 48,
            "height": 48,
            "isDefault": true,
        },
        "isExternalCollaborator": false,
        "externalCollaborator": false,
        "_expandable": {"operations": "", "personalSpace": ""},
        "_links": {"self": format!("{base}/wiki/rest/api/user?accountId={}", user.account_id)},
    });
    if let Some(map) = v.as_object_mut()
        && expand.contains(&"operations")
    {
        map.insert(
            "operations".into(),
            json!([{"operation": "use", "targetType": "application"}]),
        );
    }
    v
}

/// `GET /wiki/rest/api/group/{groupId}/membersByGroupId`: every member, active or not.
pub async fn members(
    State(shared): State<Arc<Shared>>,
    Path(group_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Params::parse(raw.as_deref());
    let (start, limit) = match page_params(&q, true) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let with_total = match q.bool("shouldReturnTotalSize") {
        Ok(b) => b.unwrap_or(false),
        Err(m) => return bad_request(m),
    };
    let expand: Vec<&str> = q
        .many("expand")
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    if let Some(bad) = expand.iter().find(|e| !MEMBER_EXPANDS.contains(e)) {
        return bad_request(format!(
            "Invalid expand '{bad}': use operations, personalSpace or isExternalCollaborator."
        ));
    }
    let state = shared.read();
    let Some(g) = state.group_ix(&group_id) else {
        return errors::confluence(
            StatusCode::NOT_FOUND,
            format!("No group with id {group_id}: GET /wiki/rest/api/group lists them."),
        );
    };
    let group = state.group(g);
    let base = &shared.base_url;
    let results: Vec<Value> = group
        .members
        .iter()
        .skip(start)
        .take(limit)
        .map(|ix| user_json(base, state.user(*ix), &expand))
        .collect();
    let total = group.members.len();
    let more = limit > 0 && start + results.len() < total;
    let next = more.then(|| with_start(raw.as_deref(), start + limit, limit));
    let path = format!("/rest/api/group/{}/membersByGroupId", group.id);
    let mut page = json!({
        "results": results,
        "start": start,
        "limit": limit,
        "size": results.len(),
        "_links": page_links(base, &path, raw.as_deref(), next),
    });
    if let (true, Some(map)) = (with_total, page.as_object_mut()) {
        map.insert("totalSize".into(), json!(total));
    }
    Json(page).into_response()
}

fn required_group(state: &OrgState, q: &Params) -> Result<(String, String), Response> {
    let Some(id) = q.one("groupId") else {
        return Err(bad_request("groupId is required."));
    };
    match state.group_ix(id) {
        Some(g) => Ok((state.group(g).id.clone(), state.group(g).name.clone())),
        None => Err(errors::confluence(
            StatusCode::NOT_FOUND,
            format!("No group with id {id}: GET /wiki/rest/api/group lists them."),
        )),
    }
}

/// Confluence's answer to a refused membership change.
fn membership_error(e: StateError, group_name: &str, unknown_user: StatusCode) -> Response {
    match e {
        StateError::UserNotFound(id) => {
            errors::confluence(unknown_user, format!("No user with accountId {id}."))
        }
        StateError::GroupNotFound(id) => {
            errors::confluence(StatusCode::NOT_FOUND, format!("No group with id {id}."))
        }
        StateError::GroupSynced(_) => errors::confluence(
            StatusCode::FORBIDDEN,
            format!(
                "The group '{group_name}' is managed externally: change its members in your identity provider."
            ),
        ),
        StateError::SeatLimit { product, limit } => bad_request(format!(
            "Cannot add the user: the {product} licence is full ({limit} users)."
        )),
        StateError::AlreadyMember { .. } | StateError::Invalid(_) => bad_request(e.to_string()),
    }
}

/// `POST /wiki/rest/api/group/userByGroupId?groupId=` with `{accountId}`: 201, no body. Adding
/// a member again answers 201 and changes nothing. An unknown account is "invalid" (400).
pub async fn add_member(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let q = Params::parse(raw.as_deref());
    let account_id = match serde_json::from_slice::<Value>(&body).ok().and_then(|v| {
        v.get("accountId")
            .and_then(Value::as_str)
            .map(str::to_string)
    }) {
        Some(id) if !id.is_empty() => id,
        _ => return bad_request("The body must be JSON like {\"accountId\": \"...\"}."),
    };
    let actor = shared.admin_actor();
    let mut state = shared.write();
    let (group_id, name) = match required_group(&state, &q) {
        Ok(g) => g,
        Err(r) => return r,
    };
    match state.add_to_group(&group_id, &account_id, &actor, shared.now()) {
        Ok(()) | Err(StateError::AlreadyMember { .. }) => StatusCode::CREATED.into_response(),
        Err(e) => membership_error(e, &name, StatusCode::BAD_REQUEST),
    }
}

/// `DELETE /wiki/rest/api/group/userByGroupId?groupId=&accountId=`: 204, also when the user
/// was not a member.
pub async fn remove_member(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let q = Params::parse(raw.as_deref());
    let Some(account_id) = q.one("accountId").map(str::to_string) else {
        return bad_request("accountId is required.");
    };
    let actor = shared.admin_actor();
    let mut state = shared.write();
    let (group_id, name) = match required_group(&state, &q) {
        Ok(g) => g,
        Err(r) => return r,
    };
    match state.remove_from_group(&group_id, &account_id, &actor, shared.now()) {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => membership_error(e, &name, StatusCode::NOT_FOUND),
    }
}
