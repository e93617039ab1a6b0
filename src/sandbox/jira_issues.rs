//! Jira's issue notices and comments (`/rest/api/3/issue/{issueIdOrKey}/notify` and
//! `/comment`), with the spec's shapes and errors. The sandbox has no projects: every issue
//! with a well-formed key (`REV-1`) or a numeric id exists, anything else is a 404. Notices
//! are not mailed but kept in the outbox (`GET /_sandbox/outbox`); comments are kept per
//! issue and dated by the virtual clock.

// Handlers return the ready error `Response` as `Err`; boxing it would only add noise.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::Shared;
use super::admin::view::ts;
use super::errors;
use super::jira::Params;
use super::outbox::{Comment, Notice};
use super::state::{OrgState, UserIx};

/// Comments per page at most (the spec's default page is 100).
const COMMENTS_MAX: i64 = 100;

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/rest/api/3/issue/{issue}/notify", post(notify))
        .route(
            "/rest/api/3/issue/{issue}/comment",
            get(comments).post(add_comment),
        )
}

/// Whether the sandbox has this issue: a key like `REV-12` or a numeric id.
pub fn issue_exists(key: &str) -> bool {
    if !key.is_empty() && key.len() <= 64 && key.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    let Some((project, number)) = key.split_once('-') else {
        return false;
    };
    let project_ok = project.len() <= 32
        && project
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_uppercase())
        && project
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    let number_ok = !number.is_empty()
        && number.len() <= 12
        && !number.starts_with('0')
        && number.bytes().all(|b| b.is_ascii_digit());
    project_ok && number_ok
}

fn no_issue() -> Response {
    errors::jira(
        StatusCode::NOT_FOUND,
        "Issue does not exist or you do not have permission to see it.",
    )
}

fn bad_request(message: impl Into<String>) -> Response {
    errors::jira(StatusCode::BAD_REQUEST, message)
}

/// The site admin the request is authenticated as (the auth layer checked the credentials).
fn caller(shared: &Shared, state: &OrgState) -> Option<UserIx> {
    state
        .users
        .iter()
        .position(|u| {
            u.email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(&shared.cfg.site_email))
        })
        .map(|ix| ix as UserIx)
}

/// `UserDetails` of a comment's author.
fn author_json(shared: &Shared, state: &OrgState, account_id: &str) -> Value {
    let base = &shared.base_url;
    match state.user_ix(account_id) {
        Some(ix) => {
            let user = state.user(ix);
            json!({
                "accountId": user.account_id,
                "accountType": user.account_type.as_str(),
                "active": super::jira::site_active(user),
                "displayName": user.name,
                "self": format!("{base}/rest/api/3/user?accountId={}", user.account_id),
                "timeZone": user.time_zone,
            })
        }
        None => json!({"accountId": account_id, "active": false, "displayName": "Former user"}),
    }
}

fn comment_json(shared: &Shared, state: &OrgState, c: &Comment) -> Value {
    let author = author_json(shared, state, &c.author);
    json!({
        "id": c.id.to_string(),
        "self": format!("{}/rest/api/3/issue/{}/comment/{}", shared.base_url, c.issue_key, c.id),
        "author": author.clone(),
        "updateAuthor": author,
        "body": c.body,
        "created": ts(c.created),
        "updated": ts(c.created),
        "jsdPublic": true,
    })
}

/// `POST /rest/api/3/issue/{issueIdOrKey}/notify`: 204 queued (kept in the outbox); 400 when
/// the body is invalid, names no recipient, an unknown account, or only the caller; 403 when
/// outgoing mail is off; 404 for an issue that does not exist.
pub async fn notify(
    State(shared): State<Arc<Shared>>,
    Path(issue): Path<String>,
    bytes: Bytes,
) -> Response {
    if !issue_exists(&issue) {
        return no_issue();
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&bytes) else {
        return bad_request("The request body must be a JSON object (a Notification).");
    };
    let text_of = |field: &str| -> Result<Option<String>, Response> {
        match body.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad_request(format!(
                "The field '{field}' must be a string."
            ))),
        }
    };
    let (subject, text_body, html_body) =
        match (text_of("subject"), text_of("textBody"), text_of("htmlBody")) {
            (Ok(s), Ok(t), Ok(h)) => (s, t, h),
            (Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => return r,
        };
    let mut to: Vec<String> = Vec::new();
    if let Some(users) = body.get("to").and_then(|t| t.get("users")) {
        let Some(users) = users.as_array() else {
            return bad_request("The field 'to.users' must be a list of users.");
        };
        for u in users {
            match u.get("accountId").and_then(Value::as_str) {
                Some(id) if !id.is_empty() => {
                    if !to.iter().any(|t| t == id) {
                        to.push(id.to_string());
                    }
                }
                _ => return bad_request("Every user in 'to.users' needs an accountId."),
            }
        }
    }
    if to.is_empty() {
        return bad_request("No recipients were defined for the notification.");
    }
    {
        let state = shared.read();
        if let Some(unknown) = to
            .iter()
            .find(|id| state.user_ix(id).is_none_or(|ix| state.user(ix).removed))
        {
            return bad_request(format!(
                "The recipient with accountId '{unknown}' is invalid."
            ));
        }
        let me = caller(&shared, &state).map(|ix| state.user(ix).account_id.clone());
        if let Some(me) = me
            && to.iter().all(|id| *id == me)
        {
            return bad_request("The recipient is the same as the calling user.");
        }
    }
    let at = shared.now();
    let mut room = shared.mailroom();
    if !room.mail_enabled {
        return errors::jira(
            StatusCode::FORBIDDEN,
            "Outgoing emails are disabled: turn them on in Jira settings, System, Outgoing mail.",
        );
    }
    room.outbox.notices.push(Notice {
        subject: subject.unwrap_or_else(|| issue.clone()),
        text_body: text_body.or(html_body).unwrap_or_default(),
        issue_key: issue,
        to,
        at,
    });
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /rest/api/3/issue/{issueIdOrKey}/comment`: `PageOfComments`, oldest first unless
/// `orderBy=-created`.
pub async fn comments(
    State(shared): State<Arc<Shared>>,
    Path(issue): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    if !issue_exists(&issue) {
        return no_issue();
    }
    let q = Params::parse(raw.as_deref());
    let start = match q.int("startAt") {
        Ok(s) => s.unwrap_or(0),
        Err(m) => return bad_request(m),
    };
    let limit = match q.int("maxResults") {
        Ok(l) => l.unwrap_or(COMMENTS_MAX),
        Err(m) => return bad_request(m),
    };
    if start < 0 || limit < 0 {
        return bad_request("startAt and maxResults must not be negative.");
    }
    let newest_first = match q.one("orderBy") {
        None | Some("created") | Some("+created") => false,
        Some("-created") => true,
        Some(other) => {
            return bad_request(format!(
                "Invalid orderBy '{other}': use created, +created or -created."
            ));
        }
    };
    let limit = limit.min(COMMENTS_MAX) as usize;
    let start = start as usize;
    let room = shared.mailroom();
    let mut on_issue: Vec<&Comment> = room
        .comments
        .iter()
        .filter(|c| c.issue_key == issue)
        .collect();
    if newest_first {
        on_issue.reverse();
    }
    let state = shared.read();
    let page: Vec<Value> = on_issue
        .iter()
        .skip(start)
        .take(limit)
        .map(|c| comment_json(&shared, &state, c))
        .collect();
    Json(json!({
        "comments": page,
        "startAt": start,
        "maxResults": limit,
        "total": on_issue.len(),
    }))
    .into_response()
}

/// `POST /rest/api/3/issue/{issueIdOrKey}/comment` `{body: ADF}`: 201 with the `Comment`, by
/// the caller.
pub async fn add_comment(
    State(shared): State<Arc<Shared>>,
    Path(issue): Path<String>,
    bytes: Bytes,
) -> Response {
    if !issue_exists(&issue) {
        return no_issue();
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&bytes) else {
        return bad_request("The request body must be a JSON object (a Comment).");
    };
    let doc = match body.get("body") {
        Some(doc @ Value::Object(_)) if doc.get("type").and_then(Value::as_str) == Some("doc") => {
            doc.clone()
        }
        _ => {
            return bad_request(
                "Comment body can not be empty: send it in Atlassian Document Format ({\"type\": \"doc\", ...}).",
            );
        }
    };
    let author = {
        let state = shared.read();
        match caller(&shared, &state) {
            Some(ix) => state.user(ix).account_id.clone(),
            None => {
                return errors::jira(
                    StatusCode::UNAUTHORIZED,
                    "Client must be authenticated to access this resource.",
                );
            }
        }
    };
    let at = shared.now();
    let c = shared.mailroom().add_comment(&issue, &author, doc, at);
    let state = shared.read();
    (StatusCode::CREATED, Json(comment_json(&shared, &state, &c))).into_response()
}
