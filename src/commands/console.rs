//! `seats` without a subcommand: the console on the active profile's connection.

use crate::cli::GlobalArgs;
use crate::tui::Session;

/// `seats` without a subcommand: the console on the active profile.
pub async fn open_profile(global: &GlobalArgs) -> anyhow::Result<()> {
    let (client, conn, info, config) = super::connect::client(global)?;
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
        accounts: None,
    };
    crate::tui::run(session).await
}
