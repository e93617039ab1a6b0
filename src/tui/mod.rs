//! The console: one `AppState`, one pure `update`, pure drawing, I/O in tasks that report
//! back as actions.
//!
//! `app` runs the loop, `io` the effects; `state` is the data; `update` the only place it
//! changes (one file per thing it reacts to); `keymap` the keys; `ui` draws (one file per
//! view), reading `format` and `layout` but never the reducer; `loaded` derives what the views
//! need from a snapshot, once, off the UI thread; `breakdown` counts which groups give a
//! selection its product (off the UI thread too) and `breakdowns` says which one a view needs;
//! `commands` is the `:` command catalogue and `complete` what the `:` line offers from it.

mod accounts;
pub mod action;
mod app;
pub mod batch_items;
pub mod breakdown;
pub mod breakdowns;
pub mod commands;
pub mod complete;
pub mod format;
mod io;
pub mod keymap;
pub mod layout;
pub mod loaded;
pub mod marks;
pub mod menu;
pub mod messages;
pub mod plan_view;
pub mod presets;
mod queue_state;
pub mod queue_view;
pub mod rules;
pub mod state;
pub mod ui;
pub mod update;

use crate::atlassian::Client;
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
    /// The org's accounts apart from its directory, when known (the demo counts its own).
    pub accounts: Option<state::OrgAccounts>,
}

/// Runs the console until the admin quits.
pub async fn run(session: Session) -> anyhow::Result<()> {
    app::run(session).await
}
