//! The one HTTP client: auth per family, base URLs, bounded retries, rate-limit pacing and
//! bounded concurrency per API family. Every request to Atlassian goes through `Client::send`.
//!
//! Long: retries, pacing and per-family concurrency share one request loop (`send`) and its
//! state; split, each part would reach into the others. The last hundred lines are its tests.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine;
use rand::Rng;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio::sync::{Mutex, Semaphore};
use tokio::time::Instant;
use url::Url;

use super::error::{Answered, ApiError, ConnectCause, Family, Subject};
use super::{Connection, DEFAULT_ADMIN_URL, Secret};

/// Why the client is waiting before it sends again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitReason {
    /// HTTP 429 (`Retry-After`, `X-RateLimit-Reset` or backoff).
    RateLimited,
    /// The rate-limit budget the server announced is spent: sends are spaced out.
    BudgetSpent,
    /// A 5xx answer, retried after a backoff.
    ServerError { status: u16 },
    /// The connection dropped or timed out, retried after a backoff.
    Transport,
}

/// A wait long enough to tell someone about: who, why and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitNotice {
    pub family: Family,
    pub reason: WaitReason,
    /// When the client sends again.
    pub until: std::time::Instant,
    /// Attempts made so far for the request that waits (0 when pacing a new one).
    pub attempt: u32,
}

impl std::fmt::Display for WaitNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let family = self.family;
        match &self.reason {
            WaitReason::RateLimited => write!(f, "the {family} is rate limiting seats"),
            WaitReason::BudgetSpent => write!(f, "pacing requests to the {family} (rate limit)"),
            WaitReason::ServerError { status } => write!(
                f,
                "the {family} answered HTTP {status}, trying again (attempt {})",
                self.attempt + 1
            ),
            WaitReason::Transport => write!(
                f,
                "the connection to the {family} failed, trying again (attempt {})",
                self.attempt + 1
            ),
        }
    }
}

/// Called (from the task that waits) for every wait of at least `ClientOptions::notice_after`:
/// the CLI draws a countdown, the console shows it in its status line. Must not block.
#[derive(Clone)]
pub struct WaitHook(Arc<dyn Fn(&WaitNotice) + Send + Sync>);

impl WaitHook {
    pub fn new(f: impl Fn(&WaitNotice) + Send + Sync + 'static) -> WaitHook {
        WaitHook(Arc::new(f))
    }

    /// A hook that sends each notice on a channel (for an event loop such as the console's).
    pub fn channel() -> (WaitHook, tokio::sync::mpsc::UnboundedReceiver<WaitNotice>) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let hook = WaitHook::new(move |n| {
            // A receiver that is gone no longer wants to know.
            let _ = tx.send(n.clone());
        });
        (hook, rx)
    }

    fn notify(&self, notice: &WaitNotice) {
        (self.0)(notice)
    }
}

impl std::fmt::Debug for WaitHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WaitHook")
    }
}

/// Tunables; the defaults suit a real org.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Whole-request timeout (connect, send, read the body).
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff step; doubles per retry, with full jitter.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Longest `Retry-After` honoured before giving up with `RateLimited`.
    pub max_wait: Duration,
    /// Requests in flight per family: admin, user management, Jira, Confluence.
    pub concurrency: [usize; 4],
    /// Retries of a refused (or timed out) connection: brief, since nothing answered. A DNS
    /// failure is never retried.
    pub connect_retries: u32,
    /// Pause before such a retry.
    pub connect_retry_pause: Duration,
    /// Told about every wait of at least `notice_after`.
    pub on_wait: Option<WaitHook>,
    pub notice_after: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_retries: 6,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            max_wait: Duration::from_secs(300),
            concurrency: [4, 2, 4, 4],
            connect_retries: 1,
            connect_retry_pause: Duration::from_millis(300),
            on_wait: None,
            notice_after: Duration::from_secs(1),
        }
    }
}

/// Whether a request may be sent again after a failure the server may have acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// GET and search POSTs: retried on 429, 5xx, drops and timeouts.
    Read,
    /// DELETE, suspend, restore: retried on 429, 503, drops and timeouts.
    Idempotent,
    /// POST membership add and the like: retried only when the server surely did nothing
    /// (429, connect failure).
    Once,
}

/// One request. `path` includes the API prefix (`/admin/...`, `/rest/api/3/...`, `/wiki/...`).
#[derive(Debug, Clone)]
pub struct Request {
    pub family: Family,
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<serde_json::Value>,
    pub retry: Retry,
    pub subject: Subject,
    /// A full URL given by the server (`links.next`); checked to be on the family's origin.
    pub url: Option<Url>,
}

impl Request {
    pub fn new(family: Family, method: Method, path: impl Into<String>) -> Request {
        let retry = if method == Method::GET {
            Retry::Read
        } else {
            Retry::Once
        };
        Request {
            family,
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            retry,
            subject: Subject::Other,
            url: None,
        }
    }
    pub fn get(family: Family, path: impl Into<String>) -> Request {
        Request::new(family, Method::GET, path)
    }
    pub fn query(mut self, key: &str, value: impl ToString) -> Request {
        self.query.push((key.to_owned(), value.to_string()));
        self
    }
    pub fn json(mut self, body: serde_json::Value) -> Request {
        self.body = Some(body);
        self
    }
    pub fn retry(mut self, retry: Retry) -> Request {
        self.retry = retry;
        self
    }
    pub fn subject(mut self, subject: Subject) -> Request {
        self.subject = subject;
        self
    }
    pub fn at_url(mut self, url: Url) -> Request {
        self.url = Some(url);
        self
    }
}

/// A successful response: status and body bytes.
#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

/// Counters for `seats status`, benches and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Requests put on the wire, retries included.
    pub sent: u64,
    pub retries: u64,
    pub rate_limited: u64,
    /// Requests that ended in an error after all retries.
    pub failed: u64,
}

#[derive(Default)]
struct Counters {
    sent: AtomicU64,
    retries: AtomicU64,
    rate_limited: AtomicU64,
    failed: AtomicU64,
}

/// What the server's rate-limit headers told us, per family.
#[derive(Debug, Default)]
struct Pace {
    remaining: Option<i64>,
    limit: Option<u64>,
    reset_at: Option<Instant>,
    /// After a 429: nobody in this family sends before this.
    blocked_until: Option<Instant>,
    /// When the budget is spent: the next free send slot, spaced at the sustained rate.
    next_slot: Option<Instant>,
}

enum Go {
    Now,
    At(Instant),
    Blocked(Instant),
}

impl Pace {
    /// Sustained spacing once the budget is spent: the limit spread over a minute, else until
    /// the reset, else a short step.
    fn interval(&self, now: Instant) -> Duration {
        if let Some(limit) = self.limit.filter(|l| *l > 0) {
            return Duration::from_secs(60).div_f64(limit as f64);
        }
        match self.reset_at {
            Some(r) if r > now => r - now,
            _ => Duration::from_millis(100),
        }
    }

    fn reserve(&mut self, now: Instant) -> Go {
        if let Some(b) = self.blocked_until {
            if b > now {
                return Go::Blocked(b);
            }
            self.blocked_until = None;
        }
        match self.remaining {
            Some(r) if r <= 0 => {
                let slot = self.next_slot.map_or(now, |s| s.max(now));
                self.next_slot = Some(slot + self.interval(now));
                if slot > now { Go::At(slot) } else { Go::Now }
            }
            Some(r) => {
                self.remaining = Some(r - 1);
                Go::Now
            }
            None => Go::Now,
        }
    }

    fn observe(&mut self, headers: &HeaderMap, now: Instant) {
        let num = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|s| s.trim().parse::<i64>().ok())
        };
        if let Some(limit) = num("x-ratelimit-limit") {
            self.limit = u64::try_from(limit).ok();
        }
        // Each answer's reset replaces the last one; none means none is known.
        self.reset_at = headers
            .get("x-ratelimit-reset")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_reset)
            .map(|wait| now + wait);
        if let Some(remaining) = num("x-ratelimit-remaining") {
            self.remaining = Some(remaining);
            if remaining <= 0 {
                // The bucket is empty now: the next token comes at the reset, and at most one
                // interval away (a reset far off is a fixed window: try earlier, a 429 tells).
                let step = now + self.interval(now);
                let next = match self.reset_at {
                    Some(r) if r > now => r.min(step),
                    _ => step,
                };
                self.next_slot = Some(self.next_slot.map_or(next, |s| s.max(next)));
            }
        }
    }
}

struct FamilyState {
    permits: Semaphore,
    pace: Mutex<Pace>,
}

struct Inner {
    http: reqwest::Client,
    admin_base: Url,
    site_base: Option<Url>,
    org_key: Option<Secret>,
    site_auth: Option<Secret>,
    /// "the org API key from ..." and "the site email and API token (the token from ...)".
    org_key_label: String,
    site_auth_label: String,
    options: ClientOptions,
    families: [FamilyState; 4],
    counters: Counters,
}

/// The Atlassian client. Cheap to clone; clones share limits and counters.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("admin_base", &self.inner.admin_base.as_str())
            .field("site_base", &self.inner.site_base.as_ref().map(Url::as_str))
            .field("org_key", &self.inner.org_key.as_ref().map(|_| "***"))
            .field("site_auth", &self.inner.site_auth.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Parses a base URL and refuses plain http except to loopback.
pub fn checked_base(raw: &str) -> Result<Url, ApiError> {
    let trimmed = raw.trim().trim_end_matches('/');
    let url = Url::parse(trimmed).map_err(|e| {
        ApiError::Config(format!(
            "{trimmed:?} is not a valid URL ({e}); give a base like https://example.atlassian.net"
        ))
    })?;
    // Credentials in a URL would end up in logs and messages: they belong in the keyring.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ApiError::Config(
            "a base URL holds a user name or password: remove it and give the credentials to `seats login` or the SEATS_* variables".into(),
        ));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(ApiError::InsecureUrl {
                url: trimmed.to_owned(),
            });
        }
        other => {
            return Err(ApiError::Config(format!(
                "{trimmed:?} uses {other}: only https URLs are supported"
            )));
        }
    }
    if url.host_str().is_none() {
        return Err(ApiError::Config(format!("{trimmed:?} has no host")));
    }
    Ok(url)
}

/// The base of the Organizations admin and User management APIs: the API host, e.g.
/// `https://api.atlassian.com`. Accepted with or without `/admin` (or `/admin/v1`) and a
/// trailing slash, since seats adds `/admin/v1/...` and `/users/...` itself; any other path is
/// refused, as it would make every request a 404 blamed on the org id.
pub fn admin_base(raw: &str) -> Result<Url, ApiError> {
    base_without(
        raw,
        &["/admin/v2", "/admin/v1", "/admin"],
        "the admin URL",
        DEFAULT_ADMIN_URL,
    )
}

/// The base of the Jira and Confluence site: its root, e.g. `https://example.atlassian.net`.
/// Accepted with `/wiki` or `/jira` after it (copied from the browser) and a trailing slash;
/// any other path is refused.
pub fn site_base(raw: &str) -> Result<Url, ApiError> {
    base_without(
        raw,
        &["/wiki", "/jira"],
        "the site URL",
        "https://example.atlassian.net",
    )
}

fn base_without(raw: &str, suffixes: &[&str], what: &str, example: &str) -> Result<Url, ApiError> {
    let mut url = checked_base(raw)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ApiError::Config(format!(
            "{what} {:?} has a query or fragment: give just the base, e.g. {example}",
            raw.trim()
        )));
    }
    let path = url.path().trim_end_matches('/').to_owned();
    let rest = suffixes
        .iter()
        .find_map(|s| path.strip_suffix(s).filter(|r| r.is_empty()))
        .unwrap_or(&path);
    if !rest.is_empty() {
        let mut root = url.clone();
        root.set_path("");
        return Err(ApiError::Config(format!(
            "{what} {:?} has the path {path:?}: give the base only, e.g. {} (seats adds the API paths itself)",
            raw.trim(),
            root.as_str().trim_end_matches('/')
        )));
    }
    url.set_path("");
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

impl Client {
    pub fn new(conn: &Connection) -> Result<Client, ApiError> {
        Client::with_options(conn, ClientOptions::default())
    }

    pub fn with_options(conn: &Connection, options: ClientOptions) -> Result<Client, ApiError> {
        let admin_base = admin_base(conn.admin_url.as_deref().unwrap_or(DEFAULT_ADMIN_URL))?;
        let site_base = conn.site_url.as_deref().map(site_base).transpose()?;
        let org_key_label = conn.org_api_key.as_ref().map_or_else(
            || "the org API key".to_owned(),
            |k| k.describe("org API key"),
        );
        let site_auth_label = match &conn.site_token {
            Some(t) => match t.source() {
                Some(source) => format!(
                    "the site email {} and API token (the token from {source})",
                    conn.email.as_deref().unwrap_or("?"),
                ),
                None => "the site email and API token".to_owned(),
            },
            _ => "the site email and API token".to_owned(),
        };
        let site_auth = match (&conn.email, &conn.site_token) {
            (Some(email), Some(token)) if !token.is_empty() => {
                let raw = format!("{email}:{}", token.expose());
                Some(Secret::new(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                )))
            }
            _ => None,
        };
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .user_agent(concat!("seats/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Config(format!("could not build the HTTP client: {e}")))?;
        let families = options.concurrency.map(|n| FamilyState {
            permits: Semaphore::new(n.max(1)),
            pace: Mutex::new(Pace::default()),
        });
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                admin_base,
                site_base,
                org_key: conn.org_api_key.clone().filter(|k| !k.is_empty()),
                site_auth,
                org_key_label,
                site_auth_label,
                options,
                families,
                counters: Counters::default(),
            }),
        })
    }

    pub fn has_org_key(&self) -> bool {
        self.inner.org_key.is_some()
    }

    pub fn has_site(&self) -> bool {
        self.inner.site_base.is_some() && self.inner.site_auth.is_some()
    }

    pub fn stats(&self) -> Stats {
        let c = &self.inner.counters;
        Stats {
            sent: c.sent.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            rate_limited: c.rate_limited.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
        }
    }

    /// The origin a family's requests go to (admin and user management share one).
    pub fn base(&self, family: Family) -> Result<&Url, ApiError> {
        match family {
            Family::Admin | Family::UserManagement => Ok(&self.inner.admin_base),
            Family::Jira | Family::Confluence => self.inner.site_base.as_ref().ok_or_else(|| {
                ApiError::Config(
                    "no site URL: pass --site-url https://NAME.atlassian.net or run `seats login`"
                        .into(),
                )
            }),
        }
    }

    fn auth(&self, family: Family) -> Result<HeaderValue, ApiError> {
        let raw = match family {
            Family::Admin | Family::UserManagement => self
                .inner
                .org_key
                .as_ref()
                .map(|k| format!("Bearer {}", k.expose()))
                .ok_or_else(|| ApiError::Config("no org API key: run `seats login` or set SEATS_ORG_API_KEY".into()))?,
            Family::Jira | Family::Confluence => self
                .inner
                .site_auth
                .as_ref()
                .map(|s| s.expose().to_owned())
                .ok_or_else(|| {
                    ApiError::Config("no site credentials: pass --email and set SEATS_SITE_API_TOKEN, or run `seats login`".into())
                })?,
        };
        let mut value = HeaderValue::from_str(&raw).map_err(|_| {
            ApiError::Config(format!(
                "{} cannot be sent: it holds characters HTTP headers cannot carry (a line break, a control character); copy it again",
                self.credential_label(family)
            ))
        })?;
        value.set_sensitive(true);
        Ok(value)
    }

    fn credential_label(&self, family: Family) -> &str {
        match family {
            Family::Admin | Family::UserManagement => &self.inner.org_key_label,
            Family::Jira | Family::Confluence => &self.inner.site_auth_label,
        }
    }

    fn answered(&self, family: Family) -> Answered {
        Answered {
            credential: Some(self.credential_label(family).to_owned()),
            base: self
                .base(family)
                .map(|b| b.as_str().trim_end_matches('/').to_owned())
                .unwrap_or_default(),
        }
    }

    fn notify(&self, family: Family, reason: WaitReason, wait: Duration, attempt: u32) {
        let opts = &self.inner.options;
        if let Some(hook) = &opts.on_wait
            && wait >= opts.notice_after
        {
            hook.notify(&WaitNotice {
                family,
                reason,
                until: std::time::Instant::now() + wait,
                attempt,
            });
        }
    }

    fn url_for(&self, req: &Request) -> Result<Url, ApiError> {
        let base = self.base(req.family)?;
        if let Some(url) = &req.url {
            // Never send credentials to an origin other than the configured one.
            if url.origin() != base.origin() {
                return Err(ApiError::Malformed {
                    family: req.family,
                    path: req.path.clone(),
                    detail: format!(
                        "a next-page link points to another host ({})",
                        url.host_str().unwrap_or("?")
                    ),
                });
            }
            return Ok(url.clone());
        }
        let mut url = base.clone();
        let prefix = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{prefix}{}", req.path));
        if !req.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(req.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        Ok(url)
    }

    /// Sends a request and decodes a JSON body.
    pub async fn json<T: DeserializeOwned>(&self, req: Request) -> Result<T, ApiError> {
        let family = req.family;
        let path = req.path.clone();
        let resp = self.send(req).await?;
        serde_json::from_slice(&resp.body).map_err(|e| ApiError::Malformed {
            family,
            path,
            detail: format!("invalid JSON: {e}"),
        })
    }

    /// Sends a request with retries and pacing; `Ok` only for 2xx.
    pub async fn send(&self, req: Request) -> Result<Response, ApiError> {
        let result = self.send_inner(&req).await;
        if result.is_err() {
            self.inner.counters.failed.fetch_add(1, Ordering::Relaxed);
        }
        result
    }

    async fn send_inner(&self, req: &Request) -> Result<Response, ApiError> {
        let url = self.url_for(req)?;
        let auth = self.auth(req.family)?;
        let state = &self.inner.families[req.family.index()];
        let opts = &self.inner.options;
        let mut attempt: u32 = 0;
        let mut connect_failures: u32 = 0;
        loop {
            attempt += 1;
            let permit = state
                .permits
                .acquire()
                .await
                .map_err(|_| ApiError::Config("the HTTP client was shut down".into()))?;
            self.wait_turn(req.family, state).await;

            let mut builder = self
                .inner
                .http
                .request(req.method.clone(), url.clone())
                .header(AUTHORIZATION, auth.clone());
            builder = builder.header(reqwest::header::ACCEPT, "application/json");
            if let Some(body) = &req.body {
                builder = builder.json(body);
            }
            let started = Instant::now();
            self.inner.counters.sent.fetch_add(1, Ordering::Relaxed);
            let outcome = match builder.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    let headers = resp.headers().clone();
                    state.pace.lock().await.observe(&headers, Instant::now());
                    match resp.bytes().await {
                        Ok(body) => Ok((status, headers, body.to_vec())),
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            };
            let ms = started.elapsed().as_millis();
            drop(permit);

            let retries_left = attempt <= opts.max_retries;
            match outcome {
                Ok((status, headers, body)) => {
                    tracing::debug!(method = %req.method, path = %req.path, status = status.as_u16(), ms, attempt, "atlassian request");
                    if status.is_success() {
                        return Ok(Response { status, body });
                    }
                    let code = status.as_u16();
                    let retryable = matches!(
                        (code, req.retry),
                        (429, _)
                            | (503, Retry::Read | Retry::Idempotent)
                            | (500 | 502 | 504, Retry::Read)
                    );
                    if code == 429 {
                        self.inner
                            .counters
                            .rate_limited
                            .fetch_add(1, Ordering::Relaxed);
                    }
                    if !retryable {
                        return Err(ApiError::from_answer(
                            req.family,
                            code,
                            &req.subject,
                            &body,
                            attempt,
                            &self.answered(req.family),
                        ));
                    }
                    let server_wait = server_wait(&headers, code == 429);
                    if let Some(wait) = server_wait
                        && wait > opts.max_wait
                    {
                        return Err(ApiError::RateLimited {
                            family: req.family,
                            wait,
                            attempts: attempt,
                        });
                    }
                    if !retries_left {
                        return Err(match code {
                            429 => ApiError::RateLimited {
                                family: req.family,
                                wait: server_wait.unwrap_or_default(),
                                attempts: attempt,
                            },
                            _ => ApiError::from_answer(
                                req.family,
                                code,
                                &req.subject,
                                &body,
                                attempt,
                                &self.answered(req.family),
                            ),
                        });
                    }
                    let wait = server_wait.unwrap_or_else(|| self.backoff(attempt));
                    if code == 429 {
                        // The whole family waits, not just this request.
                        let mut pace = state.pace.lock().await;
                        let until = Instant::now() + wait;
                        pace.blocked_until =
                            Some(pace.blocked_until.map_or(until, |b| b.max(until)));
                    }
                    tracing::debug!(path = %req.path, status = code, wait_ms = wait.as_millis() as u64, "retrying");
                    self.inner.counters.retries.fetch_add(1, Ordering::Relaxed);
                    if code != 429 {
                        self.notify(
                            req.family,
                            WaitReason::ServerError { status: code },
                            wait,
                            attempt,
                        );
                        tokio::time::sleep(wait).await;
                    }
                }
                Err(err) => {
                    tracing::debug!(method = %req.method, path = %req.path, ms, attempt, kind = error_kind(&err), "atlassian request failed");
                    if err.is_connect() {
                        // Nothing answered: not a transient 5xx. A DNS failure is final; a
                        // refused or timed-out connection gets a brief retry, then fails
                        // naming the host and port. It never reached the server, so any
                        // request may be repeated.
                        let cause = connect_cause(&err, opts.connect_timeout);
                        if cause == ConnectCause::Dns
                            || connect_failures >= opts.connect_retries
                            || !retries_left
                        {
                            return Err(ApiError::Connect {
                                family: req.family,
                                host: host_and_port(&url),
                                cause,
                            });
                        }
                        connect_failures += 1;
                        self.inner.counters.retries.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(opts.connect_retry_pause).await;
                        continue;
                    }
                    if req.retry == Retry::Once || !retries_left {
                        return Err(self.transport_error(req, &err, attempt));
                    }
                    self.inner.counters.retries.fetch_add(1, Ordering::Relaxed);
                    let wait = self.backoff(attempt);
                    self.notify(req.family, WaitReason::Transport, wait, attempt);
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    async fn wait_turn(&self, family: Family, state: &FamilyState) {
        loop {
            let now = Instant::now();
            let go = state.pace.lock().await.reserve(now);
            match go {
                Go::Now => return,
                Go::At(t) => {
                    self.notify(family, WaitReason::BudgetSpent, t - now, 0);
                    tokio::time::sleep_until(t).await;
                    return;
                }
                Go::Blocked(t) => {
                    self.notify(family, WaitReason::RateLimited, t - now, 0);
                    tokio::time::sleep_until(t).await
                }
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let opts = &self.inner.options;
        let exp = opts.backoff_base.saturating_mul(1u32 << attempt.min(16));
        let cap = exp.min(opts.backoff_max);
        // Full jitter: spread clients that failed together.
        let ms = rand::thread_rng()
            .gen_range(cap.as_millis() as u64 / 2..=cap.as_millis().max(1) as u64);
        Duration::from_millis(ms)
    }

    fn transport_error(&self, req: &Request, err: &reqwest::Error, attempts: u32) -> ApiError {
        if err.is_timeout() {
            ApiError::Timeout {
                family: req.family,
                path: req.path.clone(),
                after: self.inner.options.timeout,
                attempts,
            }
        } else {
            ApiError::Dropped {
                family: req.family,
                path: req.path.clone(),
                attempts,
            }
        }
    }
}

/// `host:port` of a URL, for messages.
fn host_and_port(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// What stopped a connection, from the error's causes (reqwest → hyper → io).
fn connect_cause(err: &reqwest::Error, connect_timeout: Duration) -> ConnectCause {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    let mut last = String::new();
    while let Some(e) = cause {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return ConnectCause::Refused,
                std::io::ErrorKind::TimedOut => return ConnectCause::TimedOut(connect_timeout),
                _ => {}
            }
        }
        let text = e.to_string();
        let lower = text.to_ascii_lowercase();
        if lower.contains("dns error") || lower.contains("failed to lookup address") {
            return ConnectCause::Dns;
        }
        if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
            return ConnectCause::Tls(text);
        }
        last = text;
        cause = e.source();
    }
    if err.is_timeout() {
        ConnectCause::TimedOut(connect_timeout)
    } else {
        ConnectCause::Other(last)
    }
}

fn error_kind(err: &reqwest::Error) -> &'static str {
    if err.is_timeout() {
        "timeout"
    } else if err.is_connect() {
        "connection refused or unreachable"
    } else if err.is_body() || err.is_decode() {
        "body interrupted"
    } else {
        "connection dropped"
    }
}

/// How long the server asked us to wait: `Retry-After` (seconds or HTTP date), else on a 429
/// `X-RateLimit-Reset` (ISO 8601).
pub fn server_wait(headers: &HeaderMap, rate_limited: bool) -> Option<Duration> {
    if let Some(v) = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
    {
        let v = v.trim();
        if let Ok(secs) = v.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(secs) = v.parse::<f64>()
            && secs.is_finite()
            && secs >= 0.0
        {
            return Some(Duration::from_secs_f64(secs));
        }
        if let Ok(when) = httpdate::parse_http_date(v) {
            return Some(
                when.duration_since(std::time::SystemTime::now())
                    .unwrap_or(Duration::ZERO),
            );
        }
    }
    if rate_limited {
        return headers
            .get("x-ratelimit-reset")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_reset);
    }
    None
}

/// `X-RateLimit-Reset` as ISO 8601 (`2026-11-22T02:00:00Z`, also without seconds) or epoch
/// seconds, as a wait from now.
fn parse_reset(v: &str) -> Option<Duration> {
    let v = v.trim();
    let now = chrono::Utc::now();
    let at = chrono::DateTime::parse_from_rfc3339(v)
        .map(|d| d.with_timezone(&chrono::Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%MZ")
                .ok()
                .map(|n| n.and_utc())
        })
        .or_else(|| {
            v.parse::<i64>()
                .ok()
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        })?;
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(checked_base("http://127.0.0.1:8990").is_ok());
        assert!(checked_base("http://127.8.0.1:1").is_ok());
        assert!(checked_base("http://[::1]:8990/").is_ok());
        assert!(checked_base("http://localhost:1").is_ok());
        assert!(checked_base("https://acme.atlassian.net").is_ok());
        let e = checked_base("http://acme.atlassian.net").unwrap_err();
        assert!(matches!(e, ApiError::InsecureUrl { .. }));
        assert!(e.to_string().contains("use https"));
        assert!(checked_base("http://10.0.0.1").is_err());
        assert!(checked_base("http://localhost.evil.com").is_err());
        assert!(checked_base("ftp://x").is_err());
        assert!(checked_base("not a url").is_err());
        let e = checked_base("https://me:hunter2@acme.atlassian.net").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let e = checked_base("http://me:hunter2@example.com").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[test]
    fn waits_from_headers() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(server_wait(&h, true), Some(Duration::from_secs(7)));
        let later = std::time::SystemTime::now() + Duration::from_secs(30);
        h.insert(
            "retry-after",
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap(),
        );
        let w = server_wait(&h, true).unwrap();
        assert!(
            w > Duration::from_secs(27) && w <= Duration::from_secs(30),
            "{w:?}"
        );

        let mut h = HeaderMap::new();
        let reset = (chrono::Utc::now() + chrono::Duration::seconds(12)).to_rfc3339();
        h.insert("x-ratelimit-reset", HeaderValue::from_str(&reset).unwrap());
        let w = server_wait(&h, true).unwrap();
        assert!(
            w > Duration::from_secs(10) && w <= Duration::from_secs(12),
            "{w:?}"
        );
        assert_eq!(server_wait(&h, false), None);
        assert_eq!(server_wait(&HeaderMap::new(), true), None);
    }

    #[test]
    fn pace_spaces_requests_once_the_budget_is_spent() {
        let now = Instant::now();
        let mut pace = Pace::default();
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", HeaderValue::from_static("600"));
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("2"));
        pace.observe(&h, now);
        assert!(matches!(pace.reserve(now), Go::Now));
        assert!(matches!(pace.reserve(now), Go::Now));
        // Budget spent: 600 a minute is one per 100 ms.
        assert!(matches!(pace.reserve(now), Go::Now));
        match pace.reserve(now) {
            Go::At(t) => assert_eq!(t - now, Duration::from_millis(100)),
            _ => panic!("expected a slot"),
        }
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        let mut fresh = Pace::default();
        fresh.observe(&h, now);
        match fresh.reserve(now) {
            Go::At(t) => assert_eq!(t - now, Duration::from_millis(100)),
            _ => panic!("an empty bucket waits one interval"),
        }
    }

    #[test]
    fn debug_hides_credentials() {
        let conn = Connection {
            admin_url: Some("http://127.0.0.1:1".into()),
            site_url: Some("http://127.0.0.1:2".into()),
            org_id: Some("o".into()),
            email: Some("a@b.c".into()),
            org_api_key: Some(Secret::new("ORG-KEY-VALUE")),
            site_token: Some(Secret::new("SITE-TOKEN-VALUE")),
        };
        let c = Client::new(&conn).unwrap();
        let d = format!("{c:?}");
        assert!(
            !d.contains("ORG-KEY-VALUE") && !d.contains("SITE-TOKEN-VALUE"),
            "{d}"
        );
    }
}
