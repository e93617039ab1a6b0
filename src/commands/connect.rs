//! Resolves the connection for a command: global flags over environment over profile.
//!
//! Secrets come from the OS keyring or, for automation, from `SEATS_ORG_API_KEY` and
//! `SEATS_SITE_API_TOKEN`; never from flags (argv is visible to every local user).

use crate::atlassian::{Connection, Secret};
use crate::cli::GlobalArgs;

fn env_secret(var: &str) -> Option<Secret> {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .map(Secret::new)
}

/// Builds the connection for this run. (Profiles and the keyring are layered in by issue 4.)
pub fn resolve(global: &GlobalArgs) -> anyhow::Result<Connection> {
    Ok(Connection {
        admin_url: global.admin_url.clone(),
        site_url: global.site_url.clone(),
        org_id: global.org_id.clone(),
        email: global.email.clone(),
        org_api_key: env_secret("SEATS_ORG_API_KEY"),
        site_token: env_secret("SEATS_SITE_API_TOKEN"),
    })
}
