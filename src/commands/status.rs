//! `seats status`: the profile and credentials in use, the org, seats per product, and whether
//! each API answers and how fast. Never prints a secret, only whether one is set.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::TryStreamExt;

use crate::atlassian::error::ApiError;
use crate::atlassian::model::UserSearchRequest;
use crate::atlassian::{Client, Connection, DEFAULT_ADMIN_URL, confluence, jira, org, users};
use crate::cli::GlobalArgs;
use crate::commands::connect::{self, ProfileInfo};
use crate::secrets::SecretKind;

pub async fn run(global: &GlobalArgs) -> anyhow::Result<()> {
    let (client, conn, profile, _) = connect::client(global)?;
    let report = gather(&client, &conn, &profile).await;
    print!("{}", report.text);
    // Scripts and cron read the exit code: any API that failed to answer fails the command.
    if report.failures > 0 {
        anyhow::bail!(
            "{} API check(s) failed: see the lines marked FAILED above",
            report.failures
        );
    }
    Ok(())
}

/// One API's answer: how long it took, or why it failed.
fn health(result: &Result<impl Sized, ApiError>, took: Duration) -> String {
    match result {
        Ok(_) => format!("answers ({} ms)", took.as_millis()),
        Err(e) => format!("FAILED after {} ms: {e}", took.as_millis()),
    }
}

async fn timed<T>(
    f: impl std::future::Future<Output = Result<T, ApiError>>,
) -> (Result<T, ApiError>, Duration) {
    let started = Instant::now();
    let r = f.await;
    (r, started.elapsed())
}

/// Whether a secret is set and where it came from, never its value.
fn secret_source(present: bool, stored_at: Option<DateTime<Utc>>, env_var: &str) -> String {
    match (present, stored_at) {
        (false, _) => "missing".into(),
        (true, Some(at)) => format!("set (OS keyring, stored {})", at.format("%Y-%m-%d")),
        (true, None) => format!("set ({env_var})"),
    }
}

/// The report: lines to print and how many API checks failed.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub text: String,
    pub failures: usize,
}

/// Checks each configured API and reads the seats it can.
pub async fn gather(client: &Client, conn: &Connection, profile: &ProfileInfo) -> Report {
    let mut out = String::new();
    let mut line = |k: &str, v: String| out.push_str(&format!("{k:<22}{v}\n"));
    line(
        "profile",
        profile
            .name
            .clone()
            .unwrap_or_else(|| "(none: flags and environment)".into()),
    );
    line(
        "admin URL",
        conn.admin_url
            .clone()
            .unwrap_or_else(|| DEFAULT_ADMIN_URL.into()),
    );
    line(
        "site URL",
        conn.site_url.clone().unwrap_or_else(|| "(not set)".into()),
    );
    line(
        "site email",
        conn.email.clone().unwrap_or_else(|| "(not set)".into()),
    );
    // A secret from the environment has no stored date; one from the keyring has.
    line(
        "org API key",
        secret_source(
            conn.org_api_key.as_ref().is_some_and(|k| !k.is_empty()),
            profile.org_api_key_stored_at,
            SecretKind::OrgApiKey.env_var(),
        ),
    );
    line(
        "site API token",
        secret_source(
            conn.site_token.as_ref().is_some_and(|k| !k.is_empty()),
            profile.site_token_stored_at,
            SecretKind::SiteApiToken.env_var(),
        ),
    );
    for warning in connect::key_age_warnings(profile, Utc::now()) {
        line("warning", warning);
    }

    // (product key, line): Jira's application roles are the licence's own figures, so they
    // replace the workspace line of the same product.
    let mut seat_lines: Vec<(Option<String>, String)> = Vec::new();
    // An account to ask the user management API about: the site account, else any org user.
    let mut probe: Option<String> = None;
    match conn.org_id.as_deref() {
        None => line(
            "org",
            "(not set: pass --org-id or run `seats login`)".into(),
        ),
        Some(org_id) if client.has_org_key() => {
            let api = org::OrgApi::new(client.clone(), org_id);
            let (r, took) = timed(api.get()).await;
            match &r {
                Ok(o) => line("org", format!("{} ({})", o.data.attributes.name, o.data.id)),
                Err(_) => line("org", org_id.to_owned()),
            }
            line("admin API", health(&r, took));
            if r.is_ok()
                && let Ok(ws) = api.workspaces().try_concat().await
            {
                for w in ws.iter().filter(|w| w.attributes.capacity.is_some()) {
                    let name = w
                        .attributes
                        .name
                        .clone()
                        .or(w.attributes.type_key.clone())
                        .unwrap_or_else(|| w.id.clone());
                    let limit = w.attributes.capacity.unwrap_or_default();
                    let text = match w.attributes.usage {
                        Some(used) => format!(
                            "{name}: {used} used of {limit} ({} left)",
                            limit.saturating_sub(used)
                        ),
                        None => format!("{name}: limit {limit} (usage: `seats export seats`)"),
                    };
                    seat_lines.push((w.attributes.type_key.clone(), text));
                }
            }
        }
        Some(org_id) => {
            line("org", org_id.to_owned());
            line("admin API", "not checked: no org API key".into());
        }
    }

    if client.has_site() {
        let (me, took) = timed(jira::myself(client)).await;
        line("Jira API", health(&me, took));
        let (groups, took) =
            timed(async { std::pin::pin!(confluence::groups(client)).try_next().await }).await;
        line("Confluence API", health(&groups, took));
        if let Ok(roles) = jira::application_roles(client).await {
            for r in roles {
                let name = r.name.clone().unwrap_or_else(|| r.key.clone());
                let used = r.user_count.unwrap_or_default();
                let text = if r.has_unlimited_seats == Some(true) {
                    format!("{name}: {used} used (unlimited)")
                } else {
                    format!(
                        "{name}: {used} used of {} ({} left)",
                        r.number_of_seats.unwrap_or_default(),
                        r.remaining_seats.unwrap_or_default()
                    )
                };
                seat_lines.retain(|(key, _)| key.as_deref() != Some(r.key.as_str()));
                seat_lines.insert(0, (Some(r.key.clone()), text));
            }
        }
        probe = me.ok().map(|m| m.account_id);
    } else {
        line(
            "Jira API",
            "not checked: no site URL, email or token".into(),
        );
        line(
            "Confluence API",
            "not checked: no site URL, email or token".into(),
        );
    }
    if client.has_org_key() {
        if let (None, Some(org_id)) = (&probe, conn.org_id.as_deref()) {
            let api = org::OrgApi::new(client.clone(), org_id);
            let one = UserSearchRequest {
                limit: Some(1),
                ..UserSearchRequest::default()
            };
            let first = std::pin::pin!(api.search_users("-", one)).try_next().await;
            probe = first
                .ok()
                .flatten()
                .and_then(|page| page.into_iter().next())
                .map(|u| u.account_id);
        }
        match probe {
            Some(account_id) => {
                let (r, took) = timed(users::manageability(
                    client,
                    &account_id,
                    &["lifecycle.enablement"],
                ))
                .await;
                let r = match r {
                    // A 403, or a 404 naming the account, proves the API answers and the key works.
                    Err(ApiError::Forbidden { .. }) => Ok(Default::default()),
                    Err(ApiError::NotFound { body, .. }) if body.has_code("accountNotFound") => {
                        Ok(Default::default())
                    }
                    other => other,
                };
                line("user management API", health(&r, took));
            }
            None => line(
                "user management API",
                "not checked: no account to ask about".into(),
            ),
        }
    } else {
        line("user management API", "not checked: no org API key".into());
    }
    if seat_lines.is_empty() {
        seat_lines.push((None, "(none readable)".into()));
    }
    let mut first = true;
    for (_, s) in seat_lines {
        line(if first { "seats" } else { "" }, s);
        first = false;
    }
    let failures = out.lines().filter(|l| l.contains("FAILED after")).count();
    Report {
        text: out,
        failures,
    }
}
