//! Users of the directory: search (and its deprecated GET form), details, role assignments,
//! suspend, restore, remove, and the v1 per-user last-active dates.
//!
//! Long: one handler per users endpoint the sandbox serves (search with its validation and
//! paging, details, roles, writes); they share the search types and the state-error mapping.

use std::collections::HashSet;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::view::{self, Expand};
use super::{
    Query, ROLE_IDS, check_enum, check_len, check_limit, check_org, check_read_directory,
    check_write_directory, parse_body, user_not_found,
};
use crate::sandbox::state::{
    AccountStatus, AccountType, Membership, OrgState, Resource, StateError, UserIx,
};
use crate::sandbox::{Shared, cursor, errors};

const STATUS: &[&str] = &[
    "active",
    "suspended",
    "not_invited",
    "deactivated",
    "for_deletion",
];
const ACCOUNT_STATUS: &[&str] = &["active", "inactive", "closed"];
const MEMBERSHIP_STATUS: &[&str] = &["active", "suspended", "no_membership"];
const EXPAND: &[&str] = &[
    "platformRoles",
    "counts.resources",
    "productAccess",
    "groups",
];

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SortBy {
    pub field: String,
    pub direction: String,
}

/// `MultiDirectoryUserSearchRequest`. Unknown fields are ignored.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSearch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search_term: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emails: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub directory_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_status: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub membership_status: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_domains: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<Vec<SortBy>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expand: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// The refusals of the real API: bounds, enums, and `searchTerm` with `emails`.
fn validate(req: &UserSearch, max_limit: i64) -> Result<(), Response> {
    check_limit(req.limit, 50, max_limit)?;
    if req.search_term.is_some() && req.emails.is_some() {
        return Err(errors::bad_request(
            "searchTerm and emails cannot be used together: send one of them.",
        ));
    }
    if let Some(emails) = &req.emails
        && emails.iter().collect::<HashSet<_>>().len() != emails.len()
    {
        return Err(errors::bad_request("emails must not repeat a value."));
    }
    check_len("emails", req.emails.as_ref(), 100)?;
    check_len("accountIds", req.account_ids.as_ref(), 10)?;
    check_len("directoryIds", req.directory_ids.as_ref(), 10)?;
    check_len("groupIds", req.group_ids.as_ref(), 10)?;
    check_len("resourceIds", req.resource_ids.as_ref(), 20)?;
    check_len("roleIds", req.role_ids.as_ref(), 10)?;
    check_len("status", req.status.as_ref(), 4)?;
    check_len("accountStatus", req.account_status.as_ref(), 3)?;
    check_len("membershipStatus", req.membership_status.as_ref(), 3)?;
    check_len("emailDomains", req.email_domains.as_ref(), 10)?;
    check_len("sortBy", req.sort_by.as_ref(), 1)?;
    check_enum("roleIds", req.role_ids.as_ref(), ROLE_IDS)?;
    check_enum("status", req.status.as_ref(), STATUS)?;
    check_enum("accountStatus", req.account_status.as_ref(), ACCOUNT_STATUS)?;
    check_enum(
        "membershipStatus",
        req.membership_status.as_ref(),
        MEMBERSHIP_STATUS,
    )?;
    check_enum("expand", req.expand.as_ref(), EXPAND)?;
    if let Some(claim) = &req.claim_status {
        check_enum(
            "claimStatus",
            Some(&vec![claim.clone()]),
            &["managed", "unmanaged"],
        )?;
    }
    for s in req.sort_by.iter().flatten() {
        check_enum("sortBy.field", Some(&vec![s.field.clone()]), &["nick_name"])?;
        check_enum(
            "sortBy.direction",
            Some(&vec![s.direction.clone()]),
            &["asc", "desc"],
        )?;
    }
    Ok(())
}

/// A search request resolved against the state once per page.
struct Filter {
    term: Option<String>,
    emails: Option<HashSet<String>>,
    account_ids: Option<Vec<UserIx>>,
    other_directory: bool,
    /// `directoryIds` was given: accounts in no directory are out of scope even for a count.
    directories_named: bool,
    groups: Option<Vec<u32>>,
    resources: Option<Vec<Option<Resource>>>,
    roles: Option<Vec<String>>,
    status: Option<Vec<String>>,
    account_status: Option<Vec<String>>,
    membership_status: Option<Vec<String>>,
    managed: Option<bool>,
    domains: Option<Vec<String>>,
    mfa: Option<bool>,
}

impl Filter {
    fn new(state: &OrgState, req: &UserSearch) -> Filter {
        let mut account_ids: Option<Vec<UserIx>> = req
            .account_ids
            .as_ref()
            .map(|ids| ids.iter().filter_map(|id| state.user_ix(id)).collect());
        if let Some(ids) = &mut account_ids {
            ids.sort_unstable();
            ids.dedup();
        }
        Filter {
            term: req.search_term.as_ref().map(|t| t.to_lowercase()),
            emails: req
                .emails
                .as_ref()
                .map(|e| e.iter().map(|x| x.to_lowercase()).collect()),
            account_ids,
            other_directory: req
                .directory_ids
                .as_ref()
                .is_some_and(|d| !d.contains(&state.directory_id)),
            directories_named: req.directory_ids.is_some(),
            groups: req
                .group_ids
                .as_ref()
                .map(|ids| ids.iter().filter_map(|id| state.group_ix(id)).collect()),
            resources: req
                .resource_ids
                .as_ref()
                .map(|ids| ids.iter().map(|id| state.resource_from_ari(id)).collect()),
            roles: req.role_ids.clone(),
            status: req.status.clone(),
            account_status: req.account_status.clone(),
            membership_status: req.membership_status.clone(),
            managed: req.claim_status.as_ref().map(|c| c == "managed"),
            domains: req.email_domains.as_ref().map(|d| {
                d.iter()
                    .map(|x| x.trim_start_matches('@').to_lowercase())
                    .collect()
            }),
            mfa: req.mfa_enabled,
        }
    }

    /// A user the search lists: in the directory, and matching every filter.
    fn matches(&self, state: &OrgState, ix: UserIx) -> bool {
        let u = state.user(ix);
        u.in_directory() && !self.other_directory && self.matches_account(state, ix)
    }

    /// A user the count counts: as the search, plus (unless `directoryIds` is given) the
    /// managed accounts in no directory, as the spec of `getDirectoryUsersCount` says.
    fn counts(&self, state: &OrgState, ix: UserIx) -> bool {
        let u = state.user(ix);
        let in_scope = if u.in_directory() {
            !self.other_directory
        } else {
            u.managed && u.account_type == AccountType::Atlassian && !self.directories_named
        };
        in_scope && self.matches_account(state, ix)
    }

    /// Every filter but the directory scope.
    fn matches_account(&self, state: &OrgState, ix: UserIx) -> bool {
        let u = state.user(ix);
        if self.term.is_some() || self.emails.is_some() || self.domains.is_some() {
            // Lower-cased only for the filters that read it: most pages of a fetch use none.
            let email = u.email.as_deref().unwrap_or("").to_lowercase();
            if !self.matches_text(u, &email) {
                return false;
            }
        }
        self.matches_flags(state, ix)
    }

    /// `searchTerm`, `emails` and `emailDomains` against the lower-cased email.
    fn matches_text(&self, u: &crate::sandbox::state::User, email: &str) -> bool {
        if let Some(term) = &self.term
            && !(u.name.to_lowercase().contains(term)
                || u.nickname.to_lowercase().contains(term)
                || email.contains(term))
        {
            return false;
        }
        if self.emails.as_ref().is_some_and(|set| !set.contains(email)) {
            return false;
        }
        if let Some(domains) = &self.domains {
            let domain = email.rsplit_once('@').map_or("", |(_, d)| d);
            if !domains.iter().any(|d| d == domain) {
                return false;
            }
        }
        true
    }

    /// Statuses, claim, two-step verification, groups, resources and roles.
    fn matches_flags(&self, state: &OrgState, ix: UserIx) -> bool {
        let u = state.user(ix);
        let in_list = |list: &Option<Vec<String>>, value: &str| {
            list.as_ref().is_none_or(|l| l.iter().any(|x| x == value))
        };
        // Only counts reach accounts in no directory: the spec's status for them is not_invited.
        let status =
            if u.membership == Membership::None && u.account_status == AccountStatus::Active {
                "not_invited"
            } else {
                u.status()
            };
        if !in_list(&self.status, status)
            || !in_list(&self.account_status, u.account_status.as_str())
            || !in_list(&self.membership_status, u.membership.as_str())
        {
            return false;
        }
        if self.managed.is_some_and(|m| m != u.managed)
            || self.mfa.is_some_and(|m| m != u.mfa_enabled)
        {
            return false;
        }
        if self
            .groups
            .as_ref()
            .is_some_and(|gs| !gs.iter().any(|g| u.groups.contains(g)))
        {
            return false;
        }
        if self.resources.is_some() || self.roles.is_some() {
            let assignments = state.role_assignments(ix);
            if let Some(resources) = &self.resources
                && !assignments
                    .iter()
                    .any(|a| resources.contains(&Some(a.resource)))
            {
                return false;
            }
            if let Some(roles) = &self.roles
                && !assignments
                    .iter()
                    .any(|a| roles.iter().any(|r| r == a.role.id()))
            {
                return false;
            }
        }
        true
    }

    /// Users that may match, in directory order, from `start`: only the named accounts or the
    /// groups' members when those filters are set, every user otherwise.
    fn candidates<'a>(
        &'a self,
        state: &'a OrgState,
        start: u32,
    ) -> Box<dyn Iterator<Item = UserIx> + 'a> {
        if let Some(ids) = &self.account_ids {
            return Box::new(ids.iter().copied().filter(move |ix| *ix >= start));
        }
        if let Some(groups) = &self.groups {
            if let [g] = groups.as_slice() {
                // One group (the common case): walk its ordered members from the position.
                return Box::new(state.group(*g).members.range(start..).copied());
            }
            let mut members: Vec<UserIx> = groups
                .iter()
                .flat_map(|g| state.group(*g).members.range(start..).copied())
                .collect();
            members.sort_unstable();
            members.dedup();
            return Box::new(members.into_iter());
        }
        Box::new(start..state.users.len() as u32)
    }
}

const USERS_CURSOR: &str = "users";

/// One page of matching users and the position of the next one. The position is a user
/// index in directory order, or a rank in nickname order when the request sorts.
fn page(
    state: &OrgState,
    req: &UserSearch,
    start: u32,
    limit: usize,
) -> (Vec<UserIx>, Option<u32>) {
    let filter = Filter::new(state, req);
    let mut hits = Vec::with_capacity(limit);
    if let Some(sort) = req.sort_by.as_ref().and_then(|s| s.first()) {
        let order = state.by_nickname();
        let ranked: Box<dyn Iterator<Item = (usize, &UserIx)>> = if sort.direction == "desc" {
            Box::new(order.iter().rev().enumerate())
        } else {
            Box::new(order.iter().enumerate())
        };
        for (rank, ix) in ranked.skip(start as usize) {
            if filter.matches(state, *ix) {
                if hits.len() == limit {
                    return (hits, Some(rank as u32));
                }
                hits.push(*ix);
            }
        }
        return (hits, None);
    }
    for ix in filter.candidates(state, start) {
        if filter.matches(state, ix) {
            if hits.len() == limit {
                return (hits, Some(ix));
            }
            hits.push(ix);
        }
    }
    (hits, None)
}

#[derive(Serialize)]
struct SearchLinks {
    #[serde(rename = "self")]
    self_: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

/// `MultiDirectoryUserSearchPage`, serialized straight from the state.
#[derive(Serialize)]
struct SearchPage<'a> {
    data: Vec<view::UserView<'a>>,
    links: SearchLinks,
}

/// Runs a search from its request or its cursor (which then replaces every other parameter).
fn run_search(
    state: &OrgState,
    req: UserSearch,
    default_limit: i64,
    expand_always: Option<Expand>,
) -> Result<Response, Response> {
    let (start, req) = match req.cursor.as_deref() {
        Some(c) => match cursor::decode::<UserSearch>(USERS_CURSOR, c) {
            Some((pos, saved)) => (pos as u32, saved),
            None => return Err(invalid_cursor()),
        },
        None => (0, req),
    };
    let limit = check_limit(req.limit, default_limit, 100)?;
    let expand =
        expand_always.unwrap_or_else(|| Expand::from_values(req.expand.as_deref().unwrap_or(&[])));
    let (hits, next) = page(state, &req, start, limit);
    let aris = view::ProductAris::new(state);
    let data: Vec<view::UserView<'_>> = hits
        .iter()
        .map(|ix| view::user(state, &aris, *ix, expand, false))
        .collect();
    let links = SearchLinks {
        self_: cursor::encode(USERS_CURSOR, start as u64, &req),
        next: next.map(|n| cursor::encode(USERS_CURSOR, n as u64, &req)),
    };
    Ok(Json(SearchPage { data, links }).into_response())
}

pub fn invalid_cursor() -> Response {
    errors::admin(
        StatusCode::BAD_REQUEST,
        "ADMIN-400-1",
        "The cursor is not valid: start again without it.",
    )
}

/// `POST /v2/orgs/{orgId}/directories/{directoryId}/users/search`
pub async fn search(
    State(shared): State<Arc<Shared>>,
    Path((org_id, dir)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let req: UserSearch = match parse_body(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if req.cursor.is_none()
        && let Err(e) = validate(&req, 100)
    {
        return e;
    }
    let state = shared.read();
    if let Err(e) = check_read_directory(&state, &org_id, &dir) {
        return e;
    }
    run_search(&state, req, 50, None).unwrap_or_else(|e| e)
}

/// `GET /v2/orgs/{orgId}/directories/{directoryId}/users/count`: the search's filters as
/// query parameters (paging and sorting have no meaning here and are ignored).
pub async fn count(
    State(shared): State<Arc<Shared>>,
    Path((org_id, dir)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    let req = match request_from_query(&q) {
        Ok(r) => UserSearch {
            sort_by: None,
            limit: None,
            cursor: None,
            ..r
        },
        Err(e) => return e,
    };
    if let Err(e) = validate(&req, 100) {
        return e;
    }
    let state = shared.read();
    if let Err(e) = check_read_directory(&state, &org_id, &dir) {
        return e;
    }
    let filter = Filter::new(&state, &req);
    let count = (0..state.users.len() as UserIx)
        .filter(|ix| filter.counts(&state, *ix))
        .count();
    Json(json!({ "count": count })).into_response()
}

/// The deprecated list answers until this instant, then 410 Gone.
pub const SUNSET: &str = "2027-06-30T23:59:59Z";

/// Marks a deprecated operation: `Deprecation` (RFC 9745, since the spec marked it in
/// 2026-08) and `Sunset` (RFC 8594, the spec's end date).
pub fn deprecated(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert("deprecation", HeaderValue::from_static("@1787270400"));
    headers.insert(
        "sunset",
        HeaderValue::from_static("Wed, 30 Jun 2027 23:59:59 GMT"),
    );
    response
}

pub fn past_sunset() -> bool {
    DateTime::parse_from_rfc3339(SUNSET).is_ok_and(|s| Utc::now() > s)
}

pub fn gone() -> Response {
    errors::admin(
        StatusCode::GONE,
        "ADMIN-410-1",
        "This API no longer works after June 30, 2027: use the POST search operation.",
    )
}

/// `GET /v2/orgs/{orgId}/directories/{directoryId}/users` (deprecated): the search's filters
/// as query parameters; every user carries `productAccess`.
pub async fn list_deprecated(
    State(shared): State<Arc<Shared>>,
    Path((org_id, dir)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    if past_sunset() {
        return gone();
    }
    let q = Query::parse(raw.as_deref());
    let req = match request_from_query(&q) {
        Ok(r) => r,
        Err(e) => return deprecated(e),
    };
    if req.cursor.is_none()
        && let Err(e) = validate(&req, 100)
    {
        return deprecated(e);
    }
    let state = shared.read();
    if let Err(e) = check_read_directory(&state, &org_id, &dir) {
        return deprecated(e);
    }
    let expand = Expand {
        product_access: true,
        ..Expand::default()
    };
    deprecated(run_search(&state, req, 20, Some(expand)).unwrap_or_else(|e| e))
}

fn request_from_query(q: &Query) -> Result<UserSearch, Response> {
    let sort_by = q.many("sortBy").map(|values| {
        values
            .iter()
            .map(|v| {
                let (field, direction) = v.split_once(':').unwrap_or((v, "asc"));
                SortBy {
                    field: field.to_string(),
                    direction: direction.to_string(),
                }
            })
            .collect()
    });
    Ok(UserSearch {
        search_term: q.one("searchTerm"),
        emails: None,
        account_ids: q.many("accountIds"),
        directory_ids: q.many("directoryIds"),
        group_ids: q.many("groupIds"),
        resource_ids: q.many("resourceIds"),
        role_ids: q.many("roleIds"),
        status: q.many("status"),
        account_status: q.many("accountStatus"),
        membership_status: q.many("membershipStatus"),
        claim_status: q.one("claimStatus"),
        email_domains: q.many("emailDomains"),
        mfa_enabled: q.bool("mfaEnabled")?,
        sort_by,
        expand: None,
        limit: q.int("limit")?,
        cursor: q.one("cursor"),
    })
}

/// A user of the directory, or the 404 the API sends.
fn directory_user(state: &OrgState, account_id: &str) -> Result<UserIx, Response> {
    match state.user_ix(account_id) {
        Some(ix) if state.user(ix).in_directory() => Ok(ix),
        _ => Err(user_not_found(account_id)),
    }
}

/// `GET .../users/{userId}`
pub async fn details(
    State(shared): State<Arc<Shared>>,
    Path((org_id, dir, account_id)): Path<(String, String, String)>,
) -> Response {
    let state = shared.read();
    if let Err(e) = check_read_directory(&state, &org_id, &dir) {
        return e;
    }
    match directory_user(&state, &account_id) {
        Ok(ix) => {
            let aris = view::ProductAris::new(&state);
            Json(json!({"data": view::user(&state, &aris, ix, Expand::default(), true)}))
                .into_response()
        }
        Err(e) => e,
    }
}

#[derive(Serialize, Deserialize)]
struct RoleQuery {
    account: String,
    limit: usize,
    resource_owners: Option<Vec<String>>,
    resource_ids: Option<Vec<String>>,
    role_ids: Option<Vec<String>>,
    other_directory: bool,
}

/// `GET .../users/{accountId}/role-assignments`: one entry per resource, with every role and
/// how it was given (`direct`, `group_direct`, `inferred`).
pub async fn role_assignments(
    State(shared): State<Arc<Shared>>,
    Path((org_id, dir, account_id)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    let state = shared.read();
    if let Err(e) = check_read_directory(&state, &org_id, &dir) {
        return e;
    }
    let (start, rq) = match q.one("cursor") {
        Some(c) => match cursor::decode::<RoleQuery>("user-roles", &c) {
            Some((pos, rq)) if rq.account == account_id => (pos as usize, rq),
            _ => return invalid_cursor(),
        },
        None => {
            let limit = match q.int("limit").and_then(|l| check_limit(l, 20, 100)) {
                Ok(l) => l,
                Err(e) => return e,
            };
            let role_ids = q.many("roleIds");
            if let Err(e) = check_enum("roleIds", role_ids.as_ref(), ROLE_IDS) {
                return e;
            }
            let other_directory = q
                .many("directoryIds")
                .is_some_and(|d| !d.contains(&state.directory_id));
            (
                0,
                RoleQuery {
                    account: account_id.clone(),
                    limit,
                    resource_owners: q.many("resourceOwners"),
                    resource_ids: q.many("resourceIds"),
                    role_ids,
                    other_directory,
                },
            )
        }
    };
    let ix = match directory_user(&state, &account_id) {
        Ok(ix) => ix,
        Err(e) => return e,
    };
    let user = state.user(ix);
    let mut entries: Vec<(Resource, Vec<Value>, Vec<&'static str>)> = Vec::new();
    for a in state.role_assignments(ix) {
        if rq
            .role_ids
            .as_ref()
            .is_some_and(|r| !r.iter().any(|x| x == a.role.id()))
        {
            continue;
        }
        let methods: Vec<&str> = a.methods.iter().map(|m| m.as_str()).collect();
        let item = json!({"role": a.role.id(), "roleAssignmentMethods": methods});
        match entries.iter_mut().find(|(r, _, _)| *r == a.resource) {
            Some((_, items, roles)) => {
                items.push(item);
                roles.push(a.role.id());
            }
            None => entries.push((a.resource, vec![item], vec![a.role.id()])),
        }
    }
    let entries: Vec<Value> = entries
        .into_iter()
        .filter(|(r, _, _)| {
            rq.resource_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&state.resource_ari(*r)))
                && rq
                    .resource_owners
                    .as_ref()
                    .is_none_or(|o| o.iter().any(|x| x == OrgState::resource_owner(*r)))
                && !rq.other_directory
        })
        .map(|(r, items, roles)| {
            json!({
                "directoryId": state.directory_id,
                "resourceId": state.resource_ari(r),
                "resourceOwner": OrgState::resource_owner(r),
                "roleAssignments": items,
                "roles": roles,
                "userDirectoryStatus": user.membership.as_str(),
            })
        })
        .collect();
    let end = (start + rq.limit).min(entries.len());
    let data: Vec<Value> = entries
        .get(start..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let mut links = json!({"self": cursor::encode("user-roles", start as u64, &rq)});
    if end < entries.len() {
        links["next"] = json!(cursor::encode("user-roles", end as u64, &rq));
    }
    Json(json!({"data": data, "links": links})).into_response()
}

/// Maps a refused mutation to the org API's error.
pub fn state_error(e: StateError) -> Response {
    let detail = e.to_string();
    match e {
        StateError::UserNotFound(_) => errors::admin(StatusCode::NOT_FOUND, "ADMIN-404-8", detail),
        StateError::GroupNotFound(_) => {
            errors::admin(StatusCode::NOT_FOUND, "ADMIN-404-10", detail)
        }
        StateError::AlreadyMember { .. } => {
            errors::admin(StatusCode::CONFLICT, "ADMIN-409-1", detail)
        }
        StateError::GroupSynced(_) => errors::admin(StatusCode::FORBIDDEN, "ADMIN-403-5", detail),
        StateError::SeatLimit { .. } => errors::admin(StatusCode::CONFLICT, "ADMIN-409-3", detail),
        StateError::Invalid(_) => errors::bad_request(detail),
    }
}

type UserWrite = fn(&mut OrgState, &str, &str, DateTime<Utc>) -> Result<(), StateError>;

/// What Atlassian's admin guides say an admin may not do to a user before something else is
/// done first, refused as the spec's 403 (`Errors`, `ADMIN-403-3`: not allowed to manage).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guarded {
    /// Suspend, remove from the directory, remove from a group: an org admin must lose the
    /// role first.
    OrgAdminFirst,
    /// Remove from the directory: also refused for a user the identity provider manages.
    OrgAdminOrSynced,
}

/// The refusal for a write to `ix` guarded by `guard`, if it is refused.
pub fn guarded_refusal(state: &OrgState, ix: UserIx, guard: Guarded) -> Option<Response> {
    let org_admin = state
        .role_assignments(ix)
        .iter()
        .any(|a| a.role == crate::sandbox::state::Role::OrgAdmin);
    if org_admin {
        return Some(errors::admin(
            StatusCode::FORBIDDEN,
            "ADMIN-403-3",
            "The user is an organization admin: revoke their organization admin role first.",
        ));
    }
    if guard == Guarded::OrgAdminOrSynced && state.user(ix).synced {
        return Some(errors::admin(
            StatusCode::FORBIDDEN,
            "ADMIN-403-3",
            "The user is synced from an identity provider (SCIM): remove them in the identity provider.",
        ));
    }
    None
}

fn write_user(
    shared: &Shared,
    org_id: &str,
    dir: &str,
    account_id: &str,
    op: UserWrite,
    guard: Option<Guarded>,
) -> Response {
    let actor = shared.admin_actor();
    let mut state = shared.write();
    if let Err(e) = check_write_directory(&state, org_id, dir) {
        return e;
    }
    let ix = match directory_user(&state, account_id) {
        Ok(ix) => ix,
        Err(e) => return e,
    };
    if let Some(refused) = guard.and_then(|g| guarded_refusal(&state, ix, g)) {
        return refused;
    }
    match op(&mut state, account_id, &actor, shared.now()) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => state_error(e),
    }
}

/// `POST .../users/{accountId}/suspend`: 204; frees the user's seats, keeps groups and roles.
/// 403 for an org admin (revoke the role first).
pub async fn suspend(
    State(shared): State<Arc<Shared>>,
    Path((org_id, dir, account_id)): Path<(String, String, String)>,
) -> Response {
    write_user(
        &shared,
        &org_id,
        &dir,
        &account_id,
        OrgState::suspend,
        Some(Guarded::OrgAdminFirst),
    )
}

/// `POST .../users/{accountId}/restore`: 204; a full licence refuses with 400 `ADMIN-400-32`
/// (the v1 restore's code; the v2 operation declares no 409).
pub async fn restore(
    State(shared): State<Arc<Shared>>,
    Path((org_id, dir, account_id)): Path<(String, String, String)>,
) -> Response {
    let response = write_user(&shared, &org_id, &dir, &account_id, OrgState::restore, None);
    if response.status() == StatusCode::CONFLICT {
        return errors::admin(
            StatusCode::BAD_REQUEST,
            "ADMIN-400-32",
            "Restoring this user would exceed a product's seat limit: free a seat first.",
        );
    }
    response
}

/// `DELETE .../users/{accountId}`: 204; the user leaves the directory with every group and role.
/// 403 for an org admin (revoke the role first) and for a user the identity provider manages.
pub async fn remove(
    State(shared): State<Arc<Shared>>,
    Path((org_id, dir, account_id)): Path<(String, String, String)>,
) -> Response {
    write_user(
        &shared,
        &org_id,
        &dir,
        &account_id,
        OrgState::remove_from_directory,
        Some(Guarded::OrgAdminOrSynced),
    )
}

/// `GET /v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates`: snake_case; only the
/// products the user was ever active in.
pub async fn last_active_dates(
    State(shared): State<Arc<Shared>>,
    Path((org_id, account_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    let state = shared.read();
    if let Err(e) = check_org(&state, &org_id) {
        return e;
    }
    if let Some(c) = q.one("cursor")
        && cursor::decode::<String>("last-active", &c).is_none()
    {
        return invalid_cursor();
    }
    let ix = match state.user_ix(&account_id) {
        Some(ix)
            if !state.user(ix).removed
                && state.user(ix).membership != crate::sandbox::state::Membership::None =>
        {
            ix
        }
        _ => return user_not_found(&account_id),
    };
    let user = state.user(ix);
    let products: Vec<Value> = crate::sandbox::state::Product::ALL
        .iter()
        .filter_map(|p| {
            user.last_active[p.index()].map(|t| {
                json!({
                    "id": state.resource_ari(Resource::Product(*p)),
                    "key": p.v1_key(),
                    "last_active": t.format("%Y-%m-%d").to_string(),
                    "last_active_timestamp": view::ts(t),
                })
            })
        })
        .collect();
    Json(json!({
        "data": {
            "product_access": products,
            "added_to_org": user.added_to_org.format("%Y-%m-%d").to_string(),
            "added_to_org_timestamp": view::ts(user.added_to_org),
        },
        "links": {},
    }))
    .into_response()
}
