//! Credential checks used by `seats login` before anything is kept.

use super::Connection;

/// An org the admin API key can see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSummary {
    pub id: String,
    pub name: String,
}

/// The account behind a site API token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteAccount {
    pub account_id: String,
    pub display_name: String,
    pub email: Option<String>,
}

/// Checks the org API key (`GET /admin/v1/orgs`, every page) and returns the orgs it can see.
pub async fn verify_org_key(_conn: &Connection) -> anyhow::Result<Vec<OrgSummary>> {
    anyhow::bail!("the admin API client is not built yet (issue 3)")
}

/// Checks the site email and API token (`GET /rest/api/3/myself`).
pub async fn verify_site_token(_conn: &Connection) -> anyhow::Result<SiteAccount> {
    anyhow::bail!("the site API client is not built yet (issue 3)")
}
