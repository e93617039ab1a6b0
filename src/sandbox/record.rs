//! Request recording: every exchange that reaches the server, for spec validation in tests.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::Shared;

/// One request and the sandbox's answer, bodies parsed as JSON when they are JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedExchange {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub request_body: Option<serde_json::Value>,
    pub status: u16,
    pub response_body: Option<serde_json::Value>,
}

/// Bodies larger than this are not recorded (and such requests are refused with 413).
const MAX_BODY: usize = 4 * 1024 * 1024;

fn parse(bytes: &[u8]) -> Option<serde_json::Value> {
    if bytes.is_empty() {
        return None;
    }
    serde_json::from_slice(bytes).ok()
}

/// Outermost layer: sees 401s, 429s and injected 5xx too. Dropped connections are not recorded
/// (there is no answer to record).
pub async fn layer(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    if !shared.cfg.record_requests {
        return next.run(req).await;
    }
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return super::errors::too_large();
    };
    let request_body = parse(&bytes);
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if response
        .extensions()
        .get::<super::faults::Dropped>()
        .is_some()
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    shared.record(RecordedExchange {
        method,
        path,
        query,
        request_body,
        status: parts.status.as_u16(),
        response_body: parse(&bytes),
    });
    Response::from_parts(parts, Body::from(bytes))
}
