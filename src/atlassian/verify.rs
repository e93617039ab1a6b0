//! Credential checks used by `seats login` before anything is kept.

use futures::TryStreamExt;

use super::http::Client;
use super::{Connection, jira, org};

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
pub async fn verify_org_key(conn: &Connection) -> anyhow::Result<Vec<OrgSummary>> {
    let client = Client::new(conn)?;
    let orgs = org::list_orgs(&client).try_concat().await?;
    Ok(orgs
        .into_iter()
        .map(|o| OrgSummary {
            id: o.id,
            name: o.attributes.name,
        })
        .collect())
}

/// Checks the site email and API token (`GET /rest/api/3/myself`).
pub async fn verify_site_token(conn: &Connection) -> anyhow::Result<SiteAccount> {
    let client = Client::new(conn)?;
    if !client.has_site() {
        anyhow::bail!("the site check needs a site URL, an email and an API token");
    }
    let me = jira::myself(&client).await?;
    Ok(SiteAccount {
        account_id: me.account_id,
        display_name: me.display_name.unwrap_or_default(),
        email: me.email_address,
    })
}
