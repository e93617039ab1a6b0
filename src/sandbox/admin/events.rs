//! `GET /v1/orgs/{orgId}/events-stream`: every change made through any sandbox API, oldest
//! first by default. `meta.next` is always there, so a poller can come back for new events;
//! `links.next` only while more events are waiting.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::users::invalid_cursor;
use super::{Query, check_org_or_401, view};
use crate::sandbox::state::{Event, OrgState};
use crate::sandbox::{Shared, cursor, errors};

#[derive(Serialize, Deserialize, Clone)]
struct Stream {
    /// Ascending: the next seq to return. Descending: return seqs below this.
    seq: u64,
    desc: bool,
    from: Option<i64>,
    to: Option<i64>,
    limit: usize,
}

#[allow(clippy::result_large_err)]
fn epoch_ms(q: &Query, key: &str) -> Result<Option<i64>, Response> {
    match q.one(key) {
        None => Ok(None),
        Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
            errors::admin(
                StatusCode::BAD_REQUEST,
                "ADMIN-400-3",
                format!("{key} must be a UNIX epoch time in milliseconds, got '{v}'."),
            )
        }),
    }
}

fn event_json(shared: &Shared, state: &OrgState, e: &Event) -> Value {
    let actor = state.user_ix(&e.actor).map(|ix| state.user(ix));
    let mut context = Vec::new();
    if let Some(user) = &e.user {
        context.push(json!({"id": user, "type": "users", "attributes": {}}));
    }
    if let Some(group) = &e.group {
        context.push(json!({"id": group, "type": "groups", "attributes": {}}));
    }
    let base = format!("{}/admin/v1/orgs/{}", shared.base_url, state.org_id);
    json!({
        "id": e.id,
        "type": "events",
        "attributes": {
            "time": view::ts(e.time),
            "processedAt": view::ts(e.time),
            "action": e.action,
            "actor": {
                "id": e.actor,
                "name": actor.map(|u| u.name.clone()).unwrap_or_default(),
                "email": actor.and_then(|u| u.email.clone()).unwrap_or_default(),
                "auth": {"authType": "api-token"},
                "links": {"self": format!("{base}/users/{}", e.actor)},
            },
            "context": context,
            "container": [{"id": state.org_id, "type": "orgs", "attributes": {}}],
            "location": {"ip": "127.0.0.1"},
        },
        "message": {"content": e.message, "format": "simple"},
        "links": {"self": format!("{base}/events/{}", e.id)},
    })
}

fn in_window(e: &Event, s: &Stream) -> bool {
    let ms = e.time.timestamp_millis();
    s.from.is_none_or(|f| ms >= f) && s.to.is_none_or(|t| ms <= t)
}

pub async fn stream(
    State(shared): State<Arc<Shared>>,
    Path(org_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    let state = shared.read();
    if let Err(e) = check_org_or_401(&state, &org_id, false) {
        return e;
    }
    let s = match q.one("cursor") {
        Some(c) => match cursor::decode::<Stream>("events", &c) {
            Some((_, s)) => s,
            None => return invalid_cursor(),
        },
        None => {
            let limit = match q.int("limit") {
                Ok(None) => 200,
                Ok(Some(n)) if (1..=500).contains(&n) => n as usize,
                Ok(Some(n)) => {
                    return errors::admin(
                        StatusCode::BAD_REQUEST,
                        "ADMIN-400-21",
                        format!("limit must be between 1 and 500, got {n}."),
                    );
                }
                Err(e) => return e,
            };
            let desc = match q.one("sortOrder").as_deref() {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(v) => {
                    return errors::admin(
                        StatusCode::BAD_REQUEST,
                        "ADMIN-400-19",
                        format!("sortOrder must be asc or desc, got '{v}'."),
                    );
                }
            };
            let (from, to) = match (epoch_ms(&q, "from"), epoch_ms(&q, "to")) {
                (Ok(f), Ok(t)) => (f, t),
                (Err(e), _) | (_, Err(e)) => return e,
            };
            Stream {
                seq: if desc { state.events.len() as u64 } else { 0 },
                desc,
                from,
                to,
                limit,
            }
        }
    };
    let events = &state.events;
    let picked: Vec<&Event> = if s.desc {
        let upto = (s.seq as usize).min(events.len());
        events[..upto]
            .iter()
            .rev()
            .filter(|e| in_window(e, &s))
            .take(s.limit)
            .collect()
    } else {
        let from = (s.seq as usize).min(events.len());
        events[from..]
            .iter()
            .filter(|e| in_window(e, &s))
            .take(s.limit)
            .collect()
    };
    let next_seq = match (s.desc, picked.last()) {
        (false, Some(e)) => e.seq + 1,
        (true, Some(e)) => e.seq,
        (_, None) => s.seq,
    };
    let more = if s.desc {
        events[..(next_seq as usize).min(events.len())]
            .iter()
            .any(|e| in_window(e, &s))
    } else {
        events
            .get(next_seq as usize..)
            .is_some_and(|rest| rest.iter().any(|e| in_window(e, &s)))
    };
    let next = cursor::encode(
        "events",
        0,
        &Stream {
            seq: next_seq,
            ..s.clone()
        },
    );
    let url = format!(
        "{}/admin/v1/orgs/{}/events-stream",
        shared.base_url, state.org_id
    );
    let data: Vec<Value> = picked
        .iter()
        .map(|e| event_json(&shared, &state, e))
        .collect();
    let mut links = json!({"self": format!("{url}?cursor={}", cursor::encode("events", 0, &s))});
    if more {
        links["next"] = json!(format!("{url}?cursor={next}"));
    }
    Json(json!({"data": data, "links": links, "meta": {"next": next, "page_size": s.limit}}))
        .into_response()
}
