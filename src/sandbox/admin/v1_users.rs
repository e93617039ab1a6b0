//! `GET /v1/orgs/{orgId}/users`: managed accounts with the v1 snake_case fields; `links.next`
//! is a full URL, as the spec's `LinkPageModel` documents.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::users::invalid_cursor;
use super::{Query, check_org, view};
use crate::sandbox::state::{OrgState, UserIx};
use crate::sandbox::{Shared, cursor};

/// Users a page; the operation takes no `limit`.
const PAGE: usize = 100;

fn listed(state: &OrgState, ix: UserIx) -> bool {
    let u = state.user(ix);
    u.managed && !u.removed
}

fn user_v1(shared: &Shared, state: &OrgState, ix: UserIx) -> Value {
    let u = state.user(ix);
    let access = state.product_access(ix);
    let products: Vec<Value> = access
        .iter()
        .map(|p| {
            let mut entry = json!({"key": p.v1_key(), "name": p.name(), "url": state.site_url});
            if let Some(t) = u.last_active[p.index()] {
                entry["last_active"] = json!(view::ts(t));
            }
            entry
        })
        .collect();
    let self_url = format!(
        "{}/admin/v1/orgs/{}/users/{}",
        shared.base_url, state.org_id, u.account_id
    );
    let mut out = json!({
        "account_id": u.account_id,
        "account_type": u.account_type.as_str(),
        "account_status": u.account_status.as_str(),
        "name": u.name,
        "picture": format!("https://avatar-management.example/sandbox/{}/128", u.account_id),
        "access_billable": !access.is_empty(),
        "product_access": products,
        "links": {"self": self_url},
    });
    if let Some(email) = &u.email {
        out["email"] = json!(email);
    }
    if let Some(t) = u.last_active.iter().flatten().max() {
        out["last_active"] = json!(view::ts(*t));
    }
    out
}

pub async fn list(
    State(shared): State<Arc<Shared>>,
    Path(org_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    let state = shared.read();
    if let Err(e) = check_org(&state, &org_id) {
        return e;
    }
    let start = match q.one("cursor") {
        None => 0,
        Some(c) => match cursor::decode::<()>("v1-users", &c) {
            Some((pos, ())) => pos as usize,
            None => return invalid_cursor(),
        },
    };
    let mut data = Vec::with_capacity(PAGE);
    let mut next = None;
    for ix in start..state.users.len() {
        if listed(&state, ix as UserIx) {
            if data.len() == PAGE {
                next = Some(ix);
                break;
            }
            data.push(user_v1(&shared, &state, ix as UserIx));
        }
    }
    let total = (0..state.users.len())
        .filter(|ix| listed(&state, *ix as UserIx))
        .count();
    let url = format!("{}/admin/v1/orgs/{}/users", shared.base_url, state.org_id);
    let mut links =
        json!({"self": format!("{url}?cursor={}", cursor::encode("v1-users", start as u64, &()))});
    if let Some(n) = next {
        links["next"] = json!(format!(
            "{url}?cursor={}",
            cursor::encode("v1-users", n as u64, &())
        ));
    }
    Json(json!({"data": data, "links": links, "meta": {"total": total}})).into_response()
}
