//! Rate limits: one token bucket per API family. It refills at N/60 tokens a second and holds
//! at most max(1, N/60) (one second's worth), so N a minute is the sustained ceiling and there
//! is no minute-long burst.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{SecondsFormat, Utc};

use super::Shared;
use super::errors::{self, Family};

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// The outcome of taking a token.
#[derive(Debug, Clone, Copy)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    /// Whole tokens left after this request.
    pub remaining: u32,
    /// Seconds until the next token is available (0 when one is).
    pub wait_secs: f64,
}

pub struct Limiter {
    per_minute: AtomicU32,
    admin_retry_after: AtomicBool,
    buckets: Mutex<[Bucket; 4]>,
}

impl Limiter {
    pub fn new(per_minute: u32) -> Limiter {
        let limiter = Limiter {
            per_minute: AtomicU32::new(per_minute),
            admin_retry_after: AtomicBool::new(false),
            buckets: Mutex::new(
                [Bucket {
                    tokens: 0.0,
                    last: Instant::now(),
                }; 4],
            ),
        };
        limiter.refill_all(per_minute);
        limiter
    }

    fn capacity(per_minute: u32) -> f64 {
        (per_minute as f64 / 60.0).max(1.0)
    }

    fn refill_all(&self, per_minute: u32) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        for b in buckets.iter_mut() {
            *b = Bucket {
                tokens: Self::capacity(per_minute),
                last: Instant::now(),
            };
        }
    }

    /// Changes the limit (0 = none) and fills every bucket.
    pub fn set_rate(&self, per_minute: u32) {
        self.per_minute.store(per_minute, Ordering::Relaxed);
        self.refill_all(per_minute);
    }

    pub fn rate(&self) -> u32 {
        self.per_minute.load(Ordering::Relaxed)
    }

    pub fn set_admin_retry_after(&self, on: bool) {
        self.admin_retry_after.store(on, Ordering::Relaxed);
    }

    /// Takes a token from the family's bucket; `None` when there is no limit.
    pub fn take(&self, family: Family) -> Option<Decision> {
        let per_minute = self.rate();
        if per_minute == 0 {
            return None;
        }
        let rate = per_minute as f64 / 60.0;
        let capacity = Self::capacity(per_minute);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let b = &mut buckets[family.index()];
        let now = Instant::now();
        b.tokens = (b.tokens + now.duration_since(b.last).as_secs_f64() * rate).min(capacity);
        b.last = now;
        let allowed = b.tokens >= 1.0;
        if allowed {
            b.tokens -= 1.0;
        }
        let wait_secs = if b.tokens >= 1.0 {
            0.0
        } else {
            (1.0 - b.tokens) / rate
        };
        Some(Decision {
            allowed,
            limit: per_minute,
            remaining: b.tokens.floor() as u32,
            wait_secs,
        })
    }
}

fn header(value: String) -> HeaderValue {
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("0"))
}

fn set_headers(headers: &mut HeaderMap, d: &Decision) {
    let reset = Utc::now() + chrono::Duration::milliseconds((d.wait_secs * 1000.0).ceil() as i64);
    headers.insert("x-ratelimit-limit", header(d.limit.to_string()));
    headers.insert("x-ratelimit-remaining", header(d.remaining.to_string()));
    headers.insert(
        "x-ratelimit-reset",
        header(reset.to_rfc3339_opts(SecondsFormat::Millis, true)),
    );
}

fn too_many(path: &str, family: Family) -> Response {
    let msg = "Rate limit exceeded: wait until X-RateLimit-Reset and retry.";
    match family {
        Family::Admin if path.starts_with("/admin/v1/") => {
            errors::proxy(StatusCode::TOO_MANY_REQUESTS, msg)
        }
        Family::Admin => errors::admin(StatusCode::TOO_MANY_REQUESTS, "ADMIN-429-1", msg),
        Family::UserManagement => errors::proxy(StatusCode::TOO_MANY_REQUESTS, msg),
        Family::Jira => errors::jira(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded."),
        Family::Confluence => {
            errors::confluence(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded.")
        }
    }
}

/// Answers 429 when the family's bucket is empty. Admin responses carry `X-RateLimit-*` on
/// every answer; site 429s add `Retry-After` (seconds) and `RateLimit-Reason`.
pub async fn layer(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let Some(family) = Family::of(&path) else {
        return next.run(req).await;
    };
    let Some(decision) = shared.limiter.take(family) else {
        return next.run(req).await;
    };
    let mut response = if decision.allowed {
        next.run(req).await
    } else {
        too_many(&path, family)
    };
    let headers = response.headers_mut();
    if family == Family::Admin || !decision.allowed {
        set_headers(headers, &decision);
    }
    if !decision.allowed {
        let retry_after = (decision.wait_secs.ceil() as u64).max(1).to_string();
        match family {
            Family::Jira | Family::Confluence => {
                headers.insert("retry-after", header(retry_after));
                headers.insert(
                    "ratelimit-reason",
                    HeaderValue::from_static("jira-burst-based"),
                );
            }
            _ if shared.limiter.admin_retry_after.load(Ordering::Relaxed) => {
                headers.insert("retry-after", header(retry_after));
            }
            _ => {}
        }
    }
    response
}
