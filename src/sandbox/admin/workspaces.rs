//! `POST /v2/orgs/{orgId}/workspaces`: the site's products with their URL, seat limit
//! (`capacity`) and seats in use (`usage`).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::view;
use crate::sandbox::state::{OrgState, Product, Resource};
use crate::sandbox::{Shared, cursor, errors};

#[derive(Deserialize, Default)]
struct WorkspaceSearch {
    cursor: Option<String>,
    limit: Option<i64>,
    query: Option<Value>,
}

/// Product keys named by `{"field": {"name": "attributes.type", "values": [...]}}` anywhere in
/// the query; other query terms are accepted and ignored.
fn type_filter(query: &Value, out: &mut Vec<String>) {
    match query {
        Value::Object(map) => {
            if let Some(field) = map.get("field")
                && field
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n == "attributes.type" || n == "attributes.typeKey")
            {
                for v in field
                    .get("values")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(s) = v.as_str() {
                        out.push(s.to_string());
                    }
                }
            }
            map.values().for_each(|v| type_filter(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| type_filter(v, out)),
        _ => {}
    }
}

fn workspace(shared: &Shared, state: &OrgState, p: Product) -> Value {
    let ari = state.resource_ari(Resource::Product(p));
    let limit = state.licence(p).map_or(0, |l| l.seat_limit);
    let self_url = format!(
        "{}/admin/v2/orgs/{}/workspaces/{}",
        shared.base_url, state.org_id, ari
    );
    let created = state
        .users
        .first()
        .map(|u| view::ts(u.added_to_org))
        .unwrap_or_default();
    json!({
        "id": ari,
        "type": "workspaces",
        "attributes": {
            "name": format!("{} ({})", p.name(), state.site_name),
            "type": p.key(),
            "typeKey": p.key(),
            "hostUrl": state.site_url,
            "status": "online",
            "statusDetails": [],
            "capacity": limit,
            "usage": state.seats_used(p),
            "createdAt": created,
            "owner": state.org_id,
            "realm": "us",
            "regions": ["us-east-1"],
            "sandbox": {"type": "NONE"},
            "labels": [],
            "icons": {},
            "avatars": {},
        },
        "links": {"self": self_url},
        "relationships": {},
    })
}

pub async fn search(
    State(shared): State<Arc<Shared>>,
    Path(org_id): Path<String>,
    body: Bytes,
) -> Response {
    let text = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        &body[..]
    };
    let req: WorkspaceSearch = match serde_json::from_slice(text) {
        Ok(r) => r,
        Err(e) => {
            return errors::application_error(
                StatusCode::BAD_REQUEST,
                "ADMIN-400-24",
                format!("Invalid request body: {e}."),
            );
        }
    };
    let state = shared.read();
    if org_id != state.org_id {
        return errors::application_error(
            StatusCode::NOT_FOUND,
            "ADMIN-404-2",
            format!("Organization {org_id} was not found."),
        );
    }
    let (start, limit, types) = match &req.cursor {
        Some(c) => match cursor::decode::<(usize, Vec<String>)>("workspaces", c) {
            Some((pos, (limit, types))) => (pos as usize, limit, types),
            None => {
                return errors::application_error(
                    StatusCode::BAD_REQUEST,
                    "ADMIN-400-1",
                    "The cursor is not valid: start again without it.",
                );
            }
        },
        None => {
            let limit = match req.limit {
                None => 20,
                Some(n) if (1..=100).contains(&n) => n as usize,
                Some(n) => {
                    return errors::application_error(
                        StatusCode::BAD_REQUEST,
                        "ADMIN-400-24",
                        format!("limit must be between 1 and 100, got {n}."),
                    );
                }
            };
            let mut types = Vec::new();
            if let Some(q) = &req.query {
                type_filter(q, &mut types);
            }
            (0, limit, types)
        }
    };
    let all: Vec<Product> = Product::ALL
        .into_iter()
        .filter(|p| types.is_empty() || types.iter().any(|t| t == p.key()))
        .collect();
    let end = (start + limit).min(all.len());
    let data: Vec<Value> = all
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .map(|p| workspace(&shared, &state, *p))
        .collect();
    let mut links =
        json!({"self": cursor::encode("workspaces", start as u64, &(limit, types.clone()))});
    if end < all.len() {
        links["next"] = json!(cursor::encode("workspaces", end as u64, &(limit, types)));
    }
    let meta = json!({"pageSize": limit, "startIndex": start, "endIndex": end, "total": all.len()});
    Json(json!({"data": data, "links": links, "meta": meta})).into_response()
}
