//! Latency and injected failures: a share of requests gets a 500, 502 or 503 with the right
//! body, or a connection closed without an answer; on demand, writes applied with their answer
//! lost, and an outage in which every request fails.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use rand::Rng;

use super::Shared;
use super::errors::{self, Family};

/// Marks a response whose connection is dropped (the recorder skips it).
#[derive(Debug, Clone, Copy)]
pub struct Dropped;

enum Fault {
    Status(StatusCode),
    Drop,
}

fn pick(shared: &Shared) -> Option<Fault> {
    let rate = shared.fail_rate();
    if rate <= 0.0 {
        return None;
    }
    let mut rng = shared.fault_rng.lock().unwrap_or_else(|p| p.into_inner());
    if !rng.gen_bool(rate.min(1.0)) {
        return None;
    }
    Some(match rng.gen_range(0..4) {
        0 => Fault::Status(StatusCode::INTERNAL_SERVER_ERROR),
        1 => Fault::Status(StatusCode::BAD_GATEWAY),
        2 => Fault::Status(StatusCode::SERVICE_UNAVAILABLE),
        _ => Fault::Drop,
    })
}

/// A response whose body fails at once: hyper closes the connection without a complete answer.
fn dropped() -> Response {
    let stream = futures::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::other("dropped by the sandbox"))
    });
    let mut response = Response::new(Body::from_stream(stream));
    response.extensions_mut().insert(Dropped);
    response
}

fn failure(path: &str, status: StatusCode) -> Response {
    let mut response = match (Family::of(path), status) {
        (Some(Family::Admin) | None, StatusCode::INTERNAL_SERVER_ERROR) => errors::admin(
            status,
            "ADMIN-500-1",
            "Internal error (injected by the sandbox --fail-rate).",
        ),
        (Some(Family::Admin) | None, _) => {
            errors::proxy(status, status.canonical_reason().unwrap_or("Error"))
        }
        _ => errors::for_path(
            path,
            status,
            "",
            "Injected failure (sandbox --fail-rate): try again.",
        ),
    };
    // Jira and Confluence send Retry-After on some 503s.
    if status == StatusCode::SERVICE_UNAVAILABLE
        && matches!(Family::of(path), Some(Family::Jira | Family::Confluence))
    {
        response
            .headers_mut()
            .insert("retry-after", HeaderValue::from_static("1"));
    }
    response
}

/// A request that changes something: not a read, and not one of the searches sent as POST.
fn is_write(req: &Request) -> bool {
    let path = req.uri().path();
    req.method() != axum::http::Method::GET
        && !path.ends_with("/search")
        && !path.ends_with("/workspaces")
}

/// Adds the configured latency, then maybe fails the request instead of handling it.
pub async fn layer(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    // The test controls are not Atlassian: a test moving the clock must not see a fault.
    if req.uri().path().starts_with("/_sandbox/") {
        return next.run(req).await;
    }
    if shared.cfg.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(shared.cfg.latency_ms)).await;
    }
    if shared.in_outage() {
        return failure(req.uri().path(), StatusCode::INTERNAL_SERVER_ERROR);
    }
    if is_write(&req) && shared.take_lost_answer() {
        // Applied, then the answer is lost on the way back.
        let path = req.uri().path().to_owned();
        let _ = next.run(req).await;
        return failure(&path, StatusCode::BAD_GATEWAY);
    }
    match pick(&shared) {
        None => next.run(req).await,
        Some(Fault::Drop) => dropped(),
        Some(Fault::Status(status)) => failure(req.uri().path(), status),
    }
}
