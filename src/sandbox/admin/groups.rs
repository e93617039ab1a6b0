//! Groups of the directory: search (and its deprecated GET form), details, role assignments,
//! and membership writes (refused for IdP-synced groups).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::users::{SortBy, deprecated, gone, invalid_cursor, past_sunset, state_error};
use super::{
    Query, ROLE_IDS, check_enum, check_len, check_limit, check_read_directory,
    check_write_directory, group_not_found, parse_body, user_not_found, view,
};
use crate::sandbox::state::{GroupIx, OrgState, Resource};
use crate::sandbox::{Shared, cursor};

/// `MultiDirectoryGroupSearchRequest`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupSearch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub directory_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expand: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_names: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_owners: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search_term: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<Vec<SortBy>>,
}

fn validate(req: &GroupSearch) -> Result<(), Response> {
    check_limit(req.limit, 20, 100)?;
    check_len("accountIds", req.account_ids.as_ref(), 100)?;
    check_len("groupIds", req.group_ids.as_ref(), 100)?;
    check_len("groupNames", req.group_names.as_ref(), 100)?;
    check_len("resourceIds", req.resource_ids.as_ref(), 20)?;
    check_enum("roleIds", req.role_ids.as_ref(), ROLE_IDS)?;
    check_enum(
        "expand",
        req.expand.as_ref(),
        &["counts.resources", "counts.users"],
    )?;
    for s in req.sort_by.iter().flatten() {
        check_enum("sortBy.field", Some(&vec![s.field.clone()]), &["name"])?;
        check_enum(
            "sortBy.direction",
            Some(&vec![s.direction.clone()]),
            &["asc", "desc"],
        )?;
    }
    Ok(())
}

fn matches(state: &OrgState, g: GroupIx, req: &GroupSearch) -> bool {
    let group = state.group(g);
    if req
        .directory_ids
        .as_ref()
        .is_some_and(|d| !d.contains(&state.directory_id))
    {
        return false;
    }
    if let Some(term) = &req.search_term
        && !group.name.to_lowercase().contains(&term.to_lowercase())
    {
        return false;
    }
    if req
        .group_ids
        .as_ref()
        .is_some_and(|ids| !ids.iter().any(|id| state.group_ix(id) == Some(g)))
    {
        return false;
    }
    if req
        .group_names
        .as_ref()
        .is_some_and(|names| !names.contains(&group.name))
    {
        return false;
    }
    if let Some(ids) = &req.account_ids
        && !ids.iter().any(|id| {
            state
                .user_ix(id)
                .is_some_and(|ix| group.members.contains(&ix))
        })
    {
        return false;
    }
    // Resource, owner and role filters ask about one role assignment: a group with the user
    // role on one product and the admin role on another is not a user group of the second.
    let any_grant_filter =
        req.resource_ids.is_some() || req.resource_owners.is_some() || req.role_ids.is_some();
    if any_grant_filter
        && !group.grants.iter().any(|gr| {
            req.resource_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&state.resource_ari(gr.resource)))
                && req
                    .resource_owners
                    .as_ref()
                    .is_none_or(|o| o.iter().any(|x| x == OrgState::resource_owner(gr.resource)))
                && req
                    .role_ids
                    .as_ref()
                    .is_none_or(|r| r.iter().any(|x| x == gr.role.id()))
        })
    {
        return false;
    }
    true
}

fn run_search(
    state: &OrgState,
    req: GroupSearch,
    count_users: bool,
    count_resources: bool,
) -> Result<Value, Response> {
    let (start, req) = match req.cursor.as_deref() {
        Some(c) => match cursor::decode::<GroupSearch>("groups", c) {
            Some((pos, saved)) => (pos as usize, saved),
            None => return Err(invalid_cursor()),
        },
        None => (0, req),
    };
    let limit = check_limit(req.limit, 20, 100)?;
    let expand = req.expand.clone().unwrap_or_default();
    let users = count_users || expand.iter().any(|e| e == "counts.users");
    let resources = count_resources || expand.iter().any(|e| e == "counts.resources");
    let mut data = Vec::new();
    let mut next = None;
    for g in start..state.groups.len() {
        if matches(state, g as GroupIx, &req) {
            if data.len() == limit {
                next = Some(g);
                break;
            }
            data.push(view::group(state, g as GroupIx, users, resources));
        }
    }
    let mut links = json!({"self": cursor::encode("groups", start as u64, &req)});
    if let Some(n) = next {
        links["next"] = json!(cursor::encode("groups", n as u64, &req));
    }
    Ok(json!({"data": data, "links": links}))
}

/// `POST .../groups/search`
pub async fn search(
    State(shared): State<Arc<Shared>>,
    Path((org_id, dir)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let req: GroupSearch = match parse_body(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if req.cursor.is_none()
        && let Err(e) = validate(&req)
    {
        return e;
    }
    let state = shared.read();
    if let Err(e) = check_read_directory(&state, &org_id, &dir) {
        return e;
    }
    match run_search(&state, req, false, false) {
        Ok(v) => Json(v).into_response(),
        Err(e) => e,
    }
}

/// `GET .../groups` (deprecated): the search's filters as query parameters; counts with
/// `counts.includeUsers` / `counts.includeResources` (also `counts[includeUsers]`).
pub async fn list_deprecated(
    State(shared): State<Arc<Shared>>,
    Path((org_id, dir)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    if past_sunset() {
        return gone();
    }
    let q = Query::parse(raw.as_deref());
    let flag = |name: &str| -> Result<bool, Response> {
        for key in [
            format!("counts.{name}"),
            format!("counts[{name}]"),
            name.to_string(),
        ] {
            if let Some(v) = q.bool(&key)? {
                return Ok(v);
            }
        }
        Ok(false)
    };
    let (users, resources) = match (flag("includeUsers"), flag("includeResources")) {
        (Ok(u), Ok(r)) => (u, r),
        (Err(e), _) | (_, Err(e)) => return deprecated(e),
    };
    let limit = match q.int("limit") {
        Ok(l) => l,
        Err(e) => return deprecated(e),
    };
    let req = GroupSearch {
        account_ids: q.many("accountIds"),
        cursor: q.one("cursor"),
        directory_ids: q.many("directoryIds"),
        expand: None,
        group_ids: q.many("groupIds"),
        group_names: None,
        limit,
        resource_ids: q.many("resourceIds"),
        resource_owners: q.many("resourceOwners"),
        role_ids: q.many("roleIds"),
        search_term: q.one("searchTerm"),
        sort_by: None,
    };
    if req.cursor.is_none()
        && let Err(e) = validate(&req)
    {
        return deprecated(e);
    }
    let state = shared.read();
    if let Err(e) = check_read_directory(&state, &org_id, &dir) {
        return deprecated(e);
    }
    deprecated(match run_search(&state, req, users, resources) {
        Ok(v) => Json(v).into_response(),
        Err(e) => e,
    })
}

fn find_group(state: &OrgState, group_id: &str) -> Result<GroupIx, Response> {
    state
        .group_ix(group_id)
        .ok_or_else(|| group_not_found(group_id))
}

/// `GET .../groups/{groupId}`: with both counts.
pub async fn get_group(
    State(shared): State<Arc<Shared>>,
    Path((org_id, dir, group_id)): Path<(String, String, String)>,
) -> Response {
    let state = shared.read();
    if let Err(e) = check_read_directory(&state, &org_id, &dir) {
        return e;
    }
    match find_group(&state, &group_id) {
        Ok(g) => Json(json!({"data": view::group(&state, g, true, true)})).into_response(),
        Err(e) => e,
    }
}

/// `GET .../groups/{groupId}/role-assignments`: one entry per resource the group grants roles on.
pub async fn role_assignments(
    State(shared): State<Arc<Shared>>,
    Path((org_id, dir, group_id)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    let state = shared.read();
    if let Err(e) = check_read_directory(&state, &org_id, &dir) {
        return e;
    }
    let g = match find_group(&state, &group_id) {
        Ok(g) => g,
        Err(e) => return e,
    };
    let (start, limit) = match q.one("cursor") {
        Some(c) => match cursor::decode::<(String, usize)>("group-roles", &c) {
            Some((pos, (id, limit))) if id == group_id => (pos as usize, limit),
            _ => return invalid_cursor(),
        },
        None => match q.int("limit").and_then(|l| check_limit(l, 20, 100)) {
            Ok(l) => (0, l),
            Err(e) => return e,
        },
    };
    let role_ids = q.many("roleIds");
    if let Err(e) = check_enum("roleIds", role_ids.as_ref(), ROLE_IDS) {
        return e;
    }
    let resource_ids = q.many("resourceIds");
    let owners = q.many("resourceOwners");
    let owner = OrgState::resource_owner;
    let mut entries: Vec<(Resource, Vec<&'static str>)> = Vec::new();
    for grant in state.group_grants(g) {
        match entries.iter_mut().find(|(r, _)| *r == grant.resource) {
            Some((_, roles)) => roles.push(grant.role.id()),
            None => entries.push((grant.resource, vec![grant.role.id()])),
        }
    }
    let entries: Vec<Value> = entries
        .into_iter()
        .filter(|(r, roles)| {
            resource_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&state.resource_ari(*r)))
                && owners
                    .as_ref()
                    .is_none_or(|o| o.iter().any(|x| x == owner(*r)))
                && role_ids
                    .as_ref()
                    .is_none_or(|ids| roles.iter().any(|role| ids.contains(&role.to_string())))
        })
        .map(|(r, roles)| {
            json!({
                "resourceId": state.resource_ari(r),
                "resourceOwner": owner(r),
                "roles": roles,
            })
        })
        .collect();
    let end = (start + limit).min(entries.len());
    let data: Vec<Value> = entries
        .get(start..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let mut links =
        json!({"self": cursor::encode("group-roles", start as u64, &(group_id.clone(), limit))});
    if end < entries.len() {
        links["next"] = json!(cursor::encode(
            "group-roles",
            end as u64,
            &(group_id, limit)
        ));
    }
    Json(json!({"data": data, "links": links})).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MembershipBody {
    account_id: String,
}

/// `POST .../groups/{groupId}/memberships` `{accountId}`: 204; 403 `ADMIN-403-5` for a synced
/// group, 409 for a member already in or a full licence.
pub async fn add_member(
    State(shared): State<Arc<Shared>>,
    Path((org_id, dir, group_id)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let req: MembershipBody = match parse_body(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    membership_write(&shared, &org_id, &dir, &group_id, &req.account_id, true)
}

/// `DELETE .../groups/{groupId}/memberships/{accountId}`: 204, also when the user was not a
/// member (the sandbox treats removal as idempotent so a retried request succeeds); 403 for an
/// org admin (revoke the role first).
pub async fn remove_member(
    State(shared): State<Arc<Shared>>,
    Path((org_id, dir, group_id, account_id)): Path<(String, String, String, String)>,
) -> Response {
    membership_write(&shared, &org_id, &dir, &group_id, &account_id, false)
}

fn membership_write(
    shared: &Shared,
    org_id: &str,
    dir: &str,
    group_id: &str,
    account_id: &str,
    add: bool,
) -> Response {
    let actor = shared.admin_actor();
    let mut state = shared.write();
    if let Err(e) = check_write_directory(&state, org_id, dir) {
        return e;
    }
    if let Err(e) = find_group(&state, group_id) {
        return e;
    }
    let Some(ix) = state
        .user_ix(account_id)
        .filter(|ix| state.user(*ix).in_directory())
    else {
        return user_not_found(account_id);
    };
    // An org admin keeps their groups until the role is revoked.
    if !add
        && let Some(refused) =
            super::users::guarded_refusal(&state, ix, super::users::Guarded::OrgAdminFirst)
    {
        return refused;
    }
    let result = if add {
        state.add_to_group(group_id, account_id, &actor, shared.now())
    } else {
        state
            .remove_from_group(group_id, account_id, &actor, shared.now())
            .map(|_| ())
    };
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => state_error(e),
    }
}
