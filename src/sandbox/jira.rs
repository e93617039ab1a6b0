//! Jira Cloud platform REST API v3 (`/rest/api/3/...`): the site admin (`myself`), application
//! roles with live seat counts, groups and their members, group membership writes and the user
//! list. Errors are Jira's `ErrorCollection`; paging is `startAt`/`maxResults`, with
//! `isLast`/`nextPage` on the `PageBean` operations and a plain array on `users/search`.
//!
//! Groups are the org's groups: a membership change here is the same `OrgState` mutation the
//! org API makes, so it shows there (productAccess, group counts, events) at once.
//!
//! Long: one short handler per Jira endpoint seats calls, sharing the paging and JSON
//! shapes above them.

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
use super::generator::{JIRA_SOFTWARE_GROUP, JSM_GROUP};
use super::state::{
    AccountType, Grant, GroupIx, OrgState, Product, Resource, Role, StateError, User, UserIx,
};

/// Jira's application roles on the sandbox site, in the order Jira lists them.
const JIRA_PRODUCTS: [Product; 2] = [Product::JiraSoftware, Product::JiraServiceManagement];
/// `applicationKey` values the spec accepts; the last two are not licensed on the sandbox site.
const APPLICATION_KEYS: [&str; 4] = [
    "jira-servicedesk",
    "jira-software",
    "jira-product-discovery",
    "jira-core",
];
/// `accessType` values of `group/bulk` (and Confluence's `group`).
pub(super) const ACCESS_TYPES: [&str; 3] = ["site-admin", "admin", "user"];
const GROUP_MEMBER_MAX: i64 = 50;
const GROUP_BULK_MAX: i64 = 50;
const USERS_SEARCH_MAX: i64 = 1000;

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/rest/api/3/myself", get(myself))
        .route("/rest/api/3/applicationrole", get(application_roles))
        .route("/rest/api/3/applicationrole/{key}", get(application_role))
        .route("/rest/api/3/group/bulk", get(group_bulk))
        .route("/rest/api/3/group/member", get(group_member))
        .route(
            "/rest/api/3/group/user",
            axum::routing::post(add_user).delete(remove_user),
        )
        .route("/rest/api/3/users/search", get(users_search))
}

// ---- query parameters (shared with the Confluence handlers) -------------------------------

/// Query parameters in order, repeated keys kept (`groupId=a&groupId=b`).
pub(super) struct Params(Vec<(String, String)>);

impl Params {
    pub(super) fn parse(raw: Option<&str>) -> Params {
        Params(
            url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// The first value of `key`; an empty value counts as absent.
    pub(super) fn one(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn many(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// An integer parameter; the error says what was wrong, for each API's own body.
    pub(super) fn int(&self, key: &str) -> Result<Option<i64>, String> {
        match self.one(key) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| format!("The '{key}' parameter must be an integer, got '{v}'.")),
        }
    }

    pub(super) fn bool(&self, key: &str) -> Result<Option<bool>, String> {
        match self.one(key) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(format!(
                "The '{key}' parameter must be true or false, got '{v}'."
            )),
        }
    }
}

fn bad_request(message: impl Into<String>) -> Response {
    errors::jira(StatusCode::BAD_REQUEST, message)
}

/// `startAt` (default 0, not negative) and `maxResults` (default 50, at least 1, silently
/// capped at `max` as Jira does: callers read the returned `maxResults`).
fn page_params(q: &Params, max: i64) -> Result<(usize, usize), Response> {
    let start = q.int("startAt").map_err(bad_request)?.unwrap_or(0);
    if start < 0 {
        return Err(bad_request("The 'startAt' parameter must not be negative."));
    }
    let limit = q.int("maxResults").map_err(bad_request)?.unwrap_or(50);
    if limit < 1 {
        return Err(bad_request(
            "The 'maxResults' parameter must be greater than 0.",
        ));
    }
    Ok((start as usize, limit.min(max) as usize))
}

// ---- JSON shapes ----------------------------------------------------------------------------

/// Active in Jira: an Atlassian account that can sign in, or an app or customer account that is
/// not deactivated.
pub(super) fn site_active(user: &User) -> bool {
    match user.account_type {
        AccountType::Atlassian => user.can_sign_in(),
        AccountType::App | AccountType::Customer => {
            !user.removed && user.account_status == super::state::AccountStatus::Active
        }
    }
}

/// Initials for the generated avatar URLs.
pub(super) fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase()
}

fn avatar_urls(base: &str, user: &User) -> Value {
    let url = |size: u32| {
        format!(
            "{base}/avatars/initials/{}.png?size={size}",
            initials(&user.name)
        )
    };
    json!({"16x16": url(16), "24x24": url(24), "32x32": url(32), "48x48": url(48)})
}

/// `UserDetails`: what `group/member` lists.
fn user_details(base: &str, user: &User) -> Value {
    let mut v = json!({
        "accountId": user.account_id,
        "accountType": user.account_type.as_str(),
        "active": site_active(user),
        "avatarUrls": avatar_urls(base, user),
        "displayName": user.name,
        "self": format!("{base}/rest/api/3/user?accountId={}", user.account_id),
        "timeZone": user.time_zone,
    });
    if let (Some(email), Some(map)) = (&user.email, v.as_object_mut()) {
        map.insert("emailAddress".into(), json!(email));
    }
    v
}

/// `User`: `myself` and `users/search`. Without the expansions, `groups` and
/// `applicationRoles` carry only their sizes, as Jira sends them.
fn user_json(base: &str, state: &OrgState, ix: UserIx, expand: &[&str]) -> Value {
    let user = state.user(ix);
    let mut v = user_details(base, user);
    let groups: Vec<Value> = user
        .groups
        .iter()
        .map(|g| group_name(base, state, *g))
        .collect();
    let products: Vec<Product> = state
        .product_access(ix)
        .into_iter()
        .filter(|p| JIRA_PRODUCTS.contains(p))
        .collect();
    if let Some(map) = v.as_object_mut() {
        map.insert("locale".into(), json!("en_US"));
        let group_items = if expand.contains(&"groups") {
            groups.clone()
        } else {
            Vec::new()
        };
        map.insert(
            "groups".into(),
            json!({"size": groups.len(), "items": group_items}),
        );
        let role_items: Vec<Value> = if expand.contains(&"applicationRoles") {
            products
                .iter()
                .map(|p| application_role_json(base, state, *p))
                .collect()
        } else {
            Vec::new()
        };
        map.insert(
            "applicationRoles".into(),
            json!({"size": products.len(), "items": role_items}),
        );
        if !expand.is_empty() {
            map.insert("expand".into(), json!(expand.join(",")));
        }
    }
    v
}

/// A plain user for `users/search`: no expansions, as the spec example shows.
fn user_listed(base: &str, user: &User) -> Value {
    let mut v = user_details(base, user);
    if let Some(map) = v.as_object_mut() {
        map.insert("locale".into(), json!("en_US"));
    }
    v
}

fn group_self(base: &str, id: &str) -> String {
    format!("{base}/rest/api/3/group?groupId={id}")
}

/// `GroupName {groupId, name, self}`.
fn group_name(base: &str, state: &OrgState, g: GroupIx) -> Value {
    let group = state.group(g);
    json!({"groupId": group.id, "name": group.name, "self": group_self(base, &group.id)})
}

/// Groups whose grants give a role on `resource` for which `role_ok` holds, by name.
pub(super) fn groups_granting(
    state: &OrgState,
    resource: Resource,
    role_ok: impl Fn(Role) -> bool,
) -> Vec<GroupIx> {
    let mut out: Vec<GroupIx> = (0..state.groups.len() as GroupIx)
        .filter(|g| {
            state
                .group_grants(*g)
                .iter()
                .any(|Grant { resource: r, role }| *r == resource && role_ok(*role))
        })
        .collect();
    out.sort_by(|a, b| state.group(*a).name.cmp(&state.group(*b).name));
    out
}

fn default_group_name(product: Product) -> &'static str {
    match product {
        Product::JiraServiceManagement => JSM_GROUP,
        _ => JIRA_SOFTWARE_GROUP,
    }
}

/// `ApplicationRole`: seats from the licence and the live state.
fn application_role_json(base: &str, state: &OrgState, product: Product) -> Value {
    let groups = groups_granting(state, Resource::Product(product), Role::grants_access);
    let defaults: Vec<GroupIx> = state
        .group_ix_by_name(default_group_name(product))
        .into_iter()
        .collect();
    let used = state.seats_used(product);
    let seats = state.licence(product).map_or(0, |l| l.seat_limit);
    let noun = match product {
        Product::JiraServiceManagement => "agents",
        _ => "users",
    };
    json!({
        "key": product.key(),
        "name": product.name(),
        "groups": groups.iter().map(|g| state.group(*g).name.clone()).collect::<Vec<_>>(),
        "groupDetails": groups.iter().map(|g| group_name(base, state, *g)).collect::<Vec<_>>(),
        "defaultGroups": defaults.iter().map(|g| state.group(*g).name.clone()).collect::<Vec<_>>(),
        "defaultGroupsDetails": defaults.iter().map(|g| group_name(base, state, *g)).collect::<Vec<_>>(),
        "selectedByDefault": false,
        "defined": false,
        "numberOfSeats": seats,
        "remainingSeats": state.seats_remaining(product),
        "userCount": used,
        "userCountDescription": format!("{used} {noun}"),
        "hasUnlimitedSeats": false,
        "platform": false,
    })
}

// ---- handlers -------------------------------------------------------------------------------

/// `GET /rest/api/3/myself`: the site admin whose email and token the request carries.
pub async fn myself(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let q = Params::parse(raw.as_deref());
    let expand: Vec<&str> = q
        .many("expand")
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|e| *e == "groups" || *e == "applicationRoles")
        .collect();
    let state = shared.read();
    let me = state.users.iter().position(|u| {
        u.email
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case(&shared.cfg.site_email))
    });
    match me {
        Some(ix) => {
            Json(user_json(&shared.base_url, &state, ix as UserIx, &expand)).into_response()
        }
        None => errors::jira(
            StatusCode::UNAUTHORIZED,
            "Client must be authenticated to access this resource.",
        ),
    }
}

/// `GET /rest/api/3/applicationrole`: a plain array.
pub async fn application_roles(State(shared): State<Arc<Shared>>) -> Response {
    let state = shared.read();
    let roles: Vec<Value> = JIRA_PRODUCTS
        .iter()
        .map(|p| application_role_json(&shared.base_url, &state, *p))
        .collect();
    Json(roles).into_response()
}

/// `GET /rest/api/3/applicationrole/{key}`: 404 for keys that are not Jira roles of this site.
pub async fn application_role(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
) -> Response {
    let product = JIRA_PRODUCTS.into_iter().find(|p| p.key() == key);
    match product {
        Some(p) => {
            let state = shared.read();
            Json(application_role_json(&shared.base_url, &state, p)).into_response()
        }
        None => errors::jira(
            StatusCode::NOT_FOUND,
            format!(
                "The application role '{key}' does not exist: GET /rest/api/3/applicationrole lists them."
            ),
        ),
    }
}

/// Whether group `g` passes `accessType` and `applicationKey` of `group/bulk`.
fn access_matches(
    state: &OrgState,
    g: GroupIx,
    access: Option<&str>,
    app: Option<Product>,
    app_unlicensed: bool,
) -> bool {
    if app_unlicensed {
        return false;
    }
    let jira_role = |role_ok: &dyn Fn(Role) -> bool| {
        state
            .group_grants(g)
            .iter()
            .any(|grant| match grant.resource {
                Resource::Product(p) => {
                    JIRA_PRODUCTS.contains(&p) && app.is_none_or(|a| a == p) && role_ok(grant.role)
                }
                _ => false,
            })
    };
    match access {
        Some("site-admin") => {
            let site_admin = state
                .group_grants(g)
                .iter()
                .any(|grant| grant.resource == Resource::Site && grant.role == Role::SiteAdmin);
            site_admin && (app.is_none() || jira_role(&Role::grants_access))
        }
        Some("admin") => jira_role(&|r| r == Role::Admin),
        Some(_) => jira_role(&|r| r == Role::User),
        None if app.is_some() => jira_role(&Role::grants_access),
        None => true,
    }
}

/// `GET /rest/api/3/group/bulk`: groups by id, name, access type and application.
pub async fn group_bulk(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let q = Params::parse(raw.as_deref());
    let (start, limit) = match page_params(&q, GROUP_BULK_MAX) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let access = q.one("accessType");
    if let Some(a) = access
        && !ACCESS_TYPES.contains(&a)
    {
        return bad_request(format!(
            "Invalid accessType '{a}': use one of site-admin, admin, user."
        ));
    }
    let app_key = q.one("applicationKey");
    if let Some(k) = app_key
        && !APPLICATION_KEYS.contains(&k)
    {
        return bad_request(format!(
            "Invalid applicationKey '{k}': use one of {}.",
            APPLICATION_KEYS.join(", ")
        ));
    }
    let app = app_key.and_then(Product::from_key);
    let app_unlicensed = app_key.is_some() && app.is_none();
    let ids = q.many("groupId");
    let names = q.many("groupName");
    let state = shared.read();
    let matching: Vec<GroupIx> = (0..state.groups.len() as GroupIx)
        .filter(|g| {
            let group = state.group(*g);
            (ids.is_empty() || ids.iter().any(|id| state.group_ix(id) == Some(*g)))
                && (names.is_empty() || names.contains(&group.name.as_str()))
                && access_matches(&state, *g, access, app, app_unlicensed)
        })
        .collect();
    let total = matching.len();
    let values: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(limit)
        .map(|g| json!({"groupId": state.group(*g).id, "name": state.group(*g).name}))
        .collect();
    let is_last = start + values.len() >= total;
    let base = &shared.base_url;
    let mut page = json!({
        "self": format!("{base}/rest/api/3/group/bulk?{}", raw.as_deref().unwrap_or("")),
        "maxResults": limit,
        "startAt": start,
        "total": total,
        "isLast": is_last,
        "values": values,
    });
    if !is_last {
        let next = with_start(raw.as_deref(), start + limit, limit);
        if let Some(map) = page.as_object_mut() {
            map.insert(
                "nextPage".into(),
                json!(format!("{base}/rest/api/3/group/bulk?{next}")),
            );
        }
    }
    Json(page).into_response()
}

/// The same query with `startAt` and `maxResults` replaced.
fn with_start(raw: Option<&str>, start: usize, limit: usize) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if k != "startAt" && k != "maxResults" {
            out.append_pair(&k, &v);
        }
    }
    out.append_pair("startAt", &start.to_string());
    out.append_pair("maxResults", &limit.to_string());
    out.finish()
}

/// The group a request names with `groupId` or `groupname` (one of them, not both).
fn requested_group(state: &OrgState, q: &Params) -> Result<GroupIx, Response> {
    let by_name = q.one("groupname").or_else(|| q.one("groupName"));
    match (q.one("groupId"), by_name) {
        (Some(_), Some(_)) => Err(bad_request("Use either groupId or groupname, not both.")),
        (None, None) => Err(bad_request(
            "You must specify the group: pass groupId (preferred) or groupname.",
        )),
        (Some(id), None) => state.group_ix(id).ok_or_else(|| {
            errors::jira(
                StatusCode::NOT_FOUND,
                format!("Group with groupId '{id}' does not exist."),
            )
        }),
        (None, Some(name)) => state.group_ix_by_name(name).ok_or_else(|| {
            errors::jira(
                StatusCode::NOT_FOUND,
                format!("Group with name '{name}' does not exist."),
            )
        }),
    }
}

/// `GET /rest/api/3/group/member`: members by account position, inactive users only when
/// asked for.
pub async fn group_member(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let q = Params::parse(raw.as_deref());
    let (start, limit) = match page_params(&q, GROUP_MEMBER_MAX) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let include_inactive = match q.bool("includeInactiveUsers") {
        Ok(b) => b.unwrap_or(false),
        Err(m) => return bad_request(m),
    };
    let state = shared.read();
    let g = match requested_group(&state, &q) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let group = state.group(g);
    let base = &shared.base_url;
    let members = group
        .members
        .iter()
        .map(|ix| state.user(*ix))
        .filter(|u| include_inactive || site_active(u));
    // One pass: count every member, keep only the page.
    let mut total = 0usize;
    let mut values = Vec::with_capacity(limit);
    for user in members {
        if total >= start && values.len() < limit {
            values.push(user_details(base, user));
        }
        total += 1;
    }
    let is_last = start + values.len() >= total;
    let link = |at: usize| {
        format!(
            "{base}/rest/api/3/group/member?groupId={}&includeInactiveUsers={include_inactive}&startAt={at}&maxResults={limit}",
            group.id
        )
    };
    let mut page = json!({
        "self": link(start),
        "maxResults": limit,
        "startAt": start,
        "total": total,
        "isLast": is_last,
        "values": values,
    });
    if !is_last && let Some(map) = page.as_object_mut() {
        map.insert("nextPage".into(), json!(link(start + limit)));
    }
    Json(page).into_response()
}

/// The `accountId` of an `UpdateUserToGroupBean` body.
fn body_account_id(body: &[u8]) -> Result<String, Response> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        bad_request(format!(
            "The request body must be JSON like {{\"accountId\": \"...\"}}: {e}."
        ))
    })?;
    match value.get("accountId").and_then(Value::as_str) {
        Some(id) if !id.is_empty() => Ok(id.to_string()),
        _ => Err(bad_request(
            "You must specify the user: the body needs an accountId.",
        )),
    }
}

/// Jira's answer to a refused membership change.
fn membership_error(e: StateError, group_name: &str) -> Response {
    match e {
        StateError::UserNotFound(id) => errors::jira(
            StatusCode::NOT_FOUND,
            format!("User with accountId '{id}' does not exist."),
        ),
        StateError::GroupNotFound(id) => errors::jira(
            StatusCode::NOT_FOUND,
            format!("Group with groupId '{id}' does not exist."),
        ),
        StateError::GroupSynced(_) => errors::jira(
            StatusCode::FORBIDDEN,
            format!(
                "The group '{group_name}' is managed externally: change its members in your identity provider."
            ),
        ),
        StateError::AlreadyMember { .. } => bad_request(format!(
            "Cannot add user. The user is already a member of '{group_name}'."
        )),
        StateError::SeatLimit { product, limit } => bad_request(format!(
            "Cannot add user: the {product} licence is full ({limit} users). Remove a user from the product or raise the licence limit."
        )),
        StateError::Invalid(m) => bad_request(m),
    }
}

/// `POST /rest/api/3/group/user?groupId=` with `{accountId}`: 201 with the group.
pub async fn add_user(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let q = Params::parse(raw.as_deref());
    let actor = shared.admin_actor();
    let mut state = shared.write();
    let g = match requested_group(&state, &q) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let account_id = match body_account_id(&body) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let group_id = state.group(g).id.clone();
    let name = state.group(g).name.clone();
    if let Err(e) = state.add_to_group(&group_id, &account_id, &actor, shared.now()) {
        return membership_error(e, &name);
    }
    let base = &shared.base_url;
    let size = state.group(g).members.len();
    let body = json!({
        "name": name,
        "groupId": group_id,
        "self": group_self(base, &group_id),
        "users": {"size": size, "items": [], "max-results": 50, "start-index": 0, "end-index": 0},
        "expand": "users",
    });
    (StatusCode::CREATED, Json(body)).into_response()
}

/// `DELETE /rest/api/3/group/user?groupId=&accountId=`: 200 with no body; removing a user who
/// is not a member also answers 200 and changes nothing.
pub async fn remove_user(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let q = Params::parse(raw.as_deref());
    let Some(account_id) = q.one("accountId").map(str::to_string) else {
        return bad_request("You must specify the user: pass accountId.");
    };
    let actor = shared.admin_actor();
    let mut state = shared.write();
    let g = match requested_group(&state, &q) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let group_id = state.group(g).id.clone();
    let name = state.group(g).name.clone();
    match state.remove_from_group(&group_id, &account_id, &actor, shared.now()) {
        Ok(_) => StatusCode::OK.into_response(),
        Err(e) => membership_error(e, &name),
    }
}

/// `GET /rest/api/3/users/search`: every account of the site, active or not, as a plain
/// array in a stable order (stop on a short or empty page: there is no `isLast`).
pub async fn users_search(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let q = Params::parse(raw.as_deref());
    let start = match q.int("startAt") {
        Ok(s) => s.unwrap_or(0),
        Err(m) => return bad_request(m),
    };
    let limit = match q.int("maxResults") {
        Ok(l) => l.unwrap_or(50),
        Err(m) => return bad_request(m),
    };
    if start < 0 || limit < 0 {
        return bad_request("startAt and maxResults must not be negative.");
    }
    let limit = limit.min(USERS_SEARCH_MAX) as usize;
    let state = shared.read();
    let base = &shared.base_url;
    let users: Vec<Value> = state
        .users
        .iter()
        .skip(start as usize)
        .take(limit)
        .map(|u| user_listed(base, u))
        .collect();
    Json(users).into_response()
}
