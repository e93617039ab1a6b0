//! The console: one `AppState`, one pure `update`, pure drawing, I/O in tasks that report
//! back as actions.
//!
//! `app` runs the loop and the effects; `state` is the data; `update` the only place it
//! changes; `keymap` the keys; `ui` draws; `loaded` derives what the views need from a
//! snapshot, once, off the UI thread.

pub mod action;
mod app;
pub mod format;
pub mod keymap;
pub mod layout;
pub mod loaded;
pub mod marks;
pub mod menu;
pub mod plan_view;
pub mod state;
pub mod ui;
pub mod update;

use crate::atlassian::Client;
use crate::cli::GlobalArgs;
use crate::config::Config;

/// What the console runs against: where the data comes from and who the admin is.
pub struct Session {
    /// Shown in the title bar: the profile or "demo".
    pub label: String,
    /// Key of the local snapshot: one per org and connection.
    pub scope: String,
    pub org_id: String,
    /// None with `--offline`: the snapshot only, no network.
    pub client: Option<Client>,
    /// The signed-in admin (email, account id): protected from every plan.
    pub myself: Vec<String>,
    pub profile: Option<String>,
    pub config: Config,
    pub dry_run: bool,
    /// Fetch at once instead of waiting for `r` (the demo, whose org is new each start).
    pub fetch_on_start: bool,
}

/// `seats` without a subcommand: the console on the active profile.
pub async fn open_profile(global: &GlobalArgs) -> anyhow::Result<()> {
    let (client, conn, info, config) = crate::commands::connect::client(global)?;
    let org_id = conn.org_id.clone().ok_or_else(|| {
        anyhow::anyhow!(
            "no org id: run `seats login` (or pass --org-id); `seats demo` opens the console on a simulated org"
        )
    })?;
    let label = info
        .name
        .clone()
        .map(|n| format!("profile {n}"))
        .unwrap_or_else(|| "no profile".into());
    let session = Session {
        label,
        scope: format!(
            "{}|{}",
            conn.admin_url
                .as_deref()
                .unwrap_or("https://api.atlassian.com"),
            org_id
        ),
        org_id,
        client: (!global.offline).then_some(client),
        myself: conn.email.iter().cloned().collect(),
        profile: info.name,
        config,
        dry_run: global.dry_run,
        // A missing snapshot starts a fetch anyway; an existing one waits for `r`.
        fetch_on_start: false,
    };
    run(session).await
}

/// Runs the console until the admin quits.
pub async fn run(session: Session) -> anyhow::Result<()> {
    app::run(session).await
}
