//! A simulated Atlassian Cloud org with one site: the Organizations admin API, the User
//! management API, Jira and Confluence, behind one consistent state. Used by `seats demo`,
//! `seats sandbox` and the tests.
//!
//! `start` generates the org (`generator`), wraps it in `Shared` and serves `server::router`
//! on 127.0.0.1. Handlers read and change the one `state::OrgState` under a lock.

pub mod admin;
pub mod auth;
pub mod clock;
pub mod confluence;
pub mod control;
pub mod cursor;
pub mod errors;
pub mod faults;
pub mod generator;
pub mod jira;
pub mod jira_issues;
pub mod limits;
pub mod outbox;
pub mod record;
pub mod server;
pub mod shared;
pub mod site;
pub mod state;
pub mod user_management;

use std::net::SocketAddr;
use std::sync::Arc;

pub use record::RecordedExchange;
pub use shared::Shared;
use state::Product;

/// Documented defaults, printed by `seats sandbox` on start.
pub const DEFAULT_ORG_ID: &str = "5f9e3c1a-7b2d-4e8f-9a6b-0c1d2e3f4a5b";
pub const DEFAULT_ORG_API_KEY: &str = "sandbox-org-api-key";
pub const DEFAULT_SITE_EMAIL: &str = "admin@acme.example";
pub const DEFAULT_SITE_TOKEN: &str = "sandbox-site-token";

/// The largest simulated org: it lives in memory, about 1.1 KB a user (112 MB for 100,000),
/// so this bound keeps it near 1 GB instead of aborting on an allocation.
pub const MAX_USERS: usize = 1_000_000;

/// Why `users` cannot be simulated, in words for the admin; `None` when it can.
pub fn users_refused(users: usize) -> Option<String> {
    (users > MAX_USERS).then(|| {
        format!(
            "a simulated org of {users} users is more than seats simulates: at most {MAX_USERS} \
             (it lives in memory, about 1 KB a user, so {MAX_USERS} take about 1 GB)"
        )
    })
}

/// How to run the sandbox. The credentials are fake sandbox ones (`seats sandbox` prints
/// them), but Debug still leaves the key and token out, like every secret.
#[derive(Clone)]
pub struct SandboxConfig {
    /// Accounts in the generated org (apps and customers included).
    pub users: usize,
    /// Same seed, same org.
    pub seed: u64,
    pub org_id: String,
    /// Bearer key the admin (`/admin`) and user management (`/users`) APIs accept.
    pub org_api_key: String,
    /// Basic-auth email and token the site APIs (`/rest`, `/wiki`) accept.
    pub site_email: String,
    pub site_token: String,
    /// Requests a minute per API family; 0 = no limit.
    pub rate_limit_per_minute: u32,
    /// Share of requests answered with a 5xx or a dropped connection.
    pub fail_rate: f64,
    /// Added to every request.
    pub latency_ms: u64,
    /// 0 picks a free port.
    pub port: u16,
    /// Keep every exchange for `Sandbox::recorded`.
    pub record_requests: bool,
    /// Where the virtual clock starts (`None`: now); the generated dates count back from it.
    pub clock_start: Option<chrono::DateTime<chrono::Utc>>,
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("users", &self.users)
            .field("seed", &self.seed)
            .field("org_id", &self.org_id)
            .field("org_api_key", &"<redacted>")
            .field("site_email", &self.site_email)
            .field("site_token", &"<redacted>")
            .field("rate_limit_per_minute", &self.rate_limit_per_minute)
            .field("fail_rate", &self.fail_rate)
            .field("latency_ms", &self.latency_ms)
            .field("port", &self.port)
            .field("record_requests", &self.record_requests)
            .field("clock_start", &self.clock_start)
            .finish()
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            users: 2000,
            seed: 7,
            org_id: DEFAULT_ORG_ID.to_string(),
            org_api_key: DEFAULT_ORG_API_KEY.to_string(),
            site_email: DEFAULT_SITE_EMAIL.to_string(),
            site_token: DEFAULT_SITE_TOKEN.to_string(),
            rate_limit_per_minute: 0,
            fail_rate: 0.0,
            latency_ms: 0,
            port: 0,
            record_requests: false,
            clock_start: None,
        }
    }
}

/// A running sandbox. Dropping it without `shutdown` leaves the server task running until the
/// runtime ends.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

/// Generates the org and serves it on 127.0.0.1 (`cfg.port`, 0 = any free port).
pub async fn start(cfg: SandboxConfig) -> anyhow::Result<Sandbox> {
    if let Some(why) = users_refused(cfg.users) {
        anyhow::bail!(why);
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", cfg.port))
        .await
        .map_err(|e| {
            let port = cfg.port;
            anyhow::anyhow!(
                "could not listen on 127.0.0.1:{port}: {e} (pick another --port, or 0 for any port)"
            )
        })?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared::new(cfg, addr));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = server::router(shared.clone());
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        if let Err(err) = serve.await {
            tracing::error!("sandbox server stopped: {err}");
        }
    });
    tracing::info!(%addr, "sandbox listening");
    Ok(Sandbox {
        addr,
        shared,
        stop,
        task,
    })
}

impl Sandbox {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`: the admin, user management and site APIs all live here.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The site's base URL (the same server: Jira under `/rest`, Confluence under `/wiki`).
    pub fn site_url(&self) -> String {
        self.base_url()
    }

    /// The site's cloud id (the end of every product ARI).
    pub fn cloud_id(&self) -> String {
        self.shared.read().cloud_id.clone()
    }

    /// The org's one directory id.
    pub fn directory_id(&self) -> String {
        self.shared.read().directory_id.clone()
    }

    pub fn org_id(&self) -> String {
        self.shared.read().org_id.clone()
    }

    /// Product keys of the site (`jira-software`, `jira-servicedesk`, `confluence`).
    pub fn product_keys(&self) -> Vec<&'static str> {
        Product::ALL.iter().map(|p| p.key()).collect()
    }

    /// The shared state, for tests that look behind the APIs.
    pub fn shared(&self) -> Arc<Shared> {
        self.shared.clone()
    }

    /// Every exchange that reached the server (empty unless `record_requests`).
    pub fn recorded(&self) -> Vec<RecordedExchange> {
        self.shared.recorded()
    }

    pub fn set_fail_rate(&self, f: f64) {
        self.shared.set_fail_rate(f);
    }

    pub fn set_rate_limit(&self, per_minute: u32) {
        self.shared.limiter.set_rate(per_minute);
    }

    /// Admin 429s carry no `Retry-After` unless this is on (Atlassian documents none).
    pub fn set_admin_retry_after(&self, on: bool) {
        self.shared.limiter.set_admin_retry_after(on);
    }

    /// The sandbox's virtual time.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.shared.now()
    }

    /// Moves the virtual clock forward by `days`; returns the new time.
    pub fn advance_days(&self, days: i64) -> Result<chrono::DateTime<chrono::Utc>, String> {
        self.shared.clock.advance_days(days)
    }

    /// Every notice Jira queued and every webhook call received, oldest first.
    pub fn outbox(&self) -> outbox::Outbox {
        self.shared.mailroom().outbox.clone()
    }

    /// Turns Jira's outgoing mail on or off (off: `notify` answers 403).
    pub fn set_mail_enabled(&self, on: bool) {
        self.shared.mailroom().mail_enabled = on;
    }

    /// The user is active on the product now (virtual time). Refused for an unknown user or
    /// one without access to the product.
    pub fn mark_active(&self, account_id: &str, product_key: &str) -> Result<(), String> {
        control::mark_active(&self.shared, account_id, product_key).map(|_| ())
    }

    /// The user comments `body` on the issue now (virtual time).
    pub fn add_comment(&self, issue_key: &str, account_id: &str, body: &str) -> Result<(), String> {
        control::comment(&self.shared, issue_key, account_id, body).map(|_| ())
    }

    /// Stops accepting requests, lets the ones under way finish, and waits for the server.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}
