//! `seats status`: the profile and credentials in use, the org, seats per product, and whether
//! each API answers and how fast. Never prints a secret, only whether one is set.
//!
//! Every check is shown, whatever fails (no keyring, no org id, an API down), and the command
//! exits non-zero when any check did not pass, so scripts and cron can rely on it. The APIs
//! are checked at the same time.

use std::io::Write;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::TryStreamExt;

use crate::atlassian::error::ApiError;
use crate::atlassian::model::UserSearchRequest;
use crate::atlassian::{Client, Connection, DEFAULT_ADMIN_URL, confluence, jira, org, users};
use crate::cli::GlobalArgs;
use crate::commands::connect::{self, ProfileInfo};
use crate::output::words::{thousands, thousands_signed};
use crate::secrets::SecretKind;

pub async fn run(global: &GlobalArgs) -> anyhow::Result<()> {
    let config = crate::config::load()?;
    let resolved = connect::resolve_each(global, &config)?;
    let client = Client::with_options(&resolved.connection, connect::countdown_options(&config))?;
    let report = gather(
        &client,
        &resolved.connection,
        &resolved.info,
        &resolved.problems,
    )
    .await;
    let mut out = crate::output::stdout();
    out.write_all(report.text.as_bytes())?;
    out.flush()?;
    // Scripts and cron read the exit code: any check that did not pass fails the command.
    if report.failures > 0 {
        anyhow::bail!(
            "{} of {} checks did not pass: see the lines marked FAILED or not checked above",
            report.failures,
            report.checks
        );
    }
    Ok(())
}

/// A check's outcome; anything but `Pass` fails the command.
enum Outcome {
    Pass(String),
    Fail(String),
    NotChecked(String),
}

/// One API's answer: how long it took, or why it failed.
fn health<T>(result: &Result<T, ApiError>, took: Duration) -> Outcome {
    match result {
        Ok(_) => Outcome::Pass(format!("answers ({} ms)", took.as_millis())),
        Err(e) => Outcome::Fail(format!("FAILED after {} ms: {e}", took.as_millis())),
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
fn secret_check(
    present: bool,
    stored_at: Option<DateTime<Utc>>,
    env_var: &str,
    problem: Option<&str>,
) -> Outcome {
    match (problem, present, stored_at) {
        (Some(p), _, _) => Outcome::Fail(format!("FAILED: {p}")),
        (None, false, _) => Outcome::Fail("missing".into()),
        (None, true, Some(at)) => Outcome::Pass(format!(
            "set (OS keyring, stored {})",
            at.format("%Y-%m-%d")
        )),
        (None, true, None) => Outcome::Pass(format!("set ({env_var})")),
    }
}

/// The report: lines to print, how many checks there were and how many did not pass.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub text: String,
    pub checks: usize,
    pub failures: usize,
}

#[derive(Default)]
struct Lines {
    text: String,
    checks: usize,
    failures: usize,
}

impl Lines {
    fn info(&mut self, key: &str, value: impl AsRef<str>) {
        self.text
            .push_str(&format!("{key:<22}{}\n", value.as_ref()));
    }
    fn check(&mut self, key: &str, outcome: Outcome) {
        self.checks += 1;
        let text = match outcome {
            Outcome::Pass(t) => t,
            Outcome::Fail(t) => {
                self.failures += 1;
                t
            }
            Outcome::NotChecked(why) => {
                self.failures += 1;
                format!("not checked: {why}")
            }
        };
        self.info(key, text);
    }
}

/// What the admin API told: the org line, its health, seat lines and an account to probe.
struct AdminPart {
    org: Option<String>,
    health: Outcome,
    seats: Vec<(Option<String>, String)>,
    some_account: Option<String>,
}

async fn admin_part(client: &Client, org_id: &str) -> AdminPart {
    let api = org::OrgApi::new(client.clone(), org_id);
    let (r, took) = timed(api.get()).await;
    let org = r
        .as_ref()
        .ok()
        .map(|o| format!("{} ({})", o.data.attributes.name, o.data.id));
    let health = health(&r, took);
    let mut seats = Vec::new();
    let mut some_account = None;
    if r.is_ok() {
        let one = UserSearchRequest {
            limit: Some(1),
            ..UserSearchRequest::default()
        };
        let (workspaces, first) = tokio::join!(api.workspaces().try_concat(), async {
            std::pin::pin!(api.search_users("-", one)).try_next().await
        });
        if let Ok(ws) = workspaces {
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
                        "{name}: {} used of {} ({} left)",
                        thousands(used as usize),
                        thousands(limit as usize),
                        thousands(limit.saturating_sub(used) as usize)
                    ),
                    None => format!(
                        "{name}: limit {} (usage: `seats export seats`)",
                        thousands(limit as usize)
                    ),
                };
                seats.push((w.attributes.type_key.clone(), text));
            }
        }
        some_account = first
            .ok()
            .flatten()
            .and_then(|page| page.into_iter().next())
            .map(|u| u.account_id);
    }
    AdminPart {
        org,
        health,
        seats,
        some_account,
    }
}

/// What the site told: Jira's and Confluence's health, Jira's seats and the site account.
struct SitePart {
    jira: Outcome,
    confluence: Outcome,
    roles: Vec<(String, String)>,
    myself: Option<String>,
}

async fn site_part(client: &Client) -> SitePart {
    let (me, groups, roles) = tokio::join!(
        timed(jira::myself(client)),
        timed(async { std::pin::pin!(confluence::groups(client)).try_next().await }),
        jira::application_roles(client),
    );
    let roles = roles
        .map(|roles| {
            roles
                .into_iter()
                .map(|r| {
                    let name = r.name.clone().unwrap_or_else(|| r.key.clone());
                    let used = r.user_count.unwrap_or_default();
                    let text = if r.has_unlimited_seats == Some(true) {
                        format!("{name}: {} used (unlimited)", thousands_signed(used))
                    } else {
                        format!(
                            "{name}: {} used of {} ({} left)",
                            thousands_signed(used),
                            thousands_signed(r.number_of_seats.unwrap_or_default()),
                            thousands_signed(r.remaining_seats.unwrap_or_default())
                        )
                    };
                    (r.key, text)
                })
                .collect()
        })
        .unwrap_or_default();
    SitePart {
        jira: health(&me.0, me.1),
        confluence: health(&groups.0, groups.1),
        roles,
        myself: me.0.ok().map(|m| m.account_id),
    }
}

/// Runs every check and reads the seats it can. `problems`: secrets that could not be read.
pub async fn gather(
    client: &Client,
    conn: &Connection,
    profile: &ProfileInfo,
    problems: &[(SecretKind, String)],
) -> Report {
    let mut out = Lines::default();
    out.info(
        "profile",
        profile
            .name
            .clone()
            .unwrap_or_else(|| "(none: flags and environment)".into()),
    );
    out.info(
        "admin URL",
        conn.admin_url.as_deref().unwrap_or(DEFAULT_ADMIN_URL),
    );
    out.info("site URL", conn.site_url.as_deref().unwrap_or("(not set)"));
    out.info("site email", conn.email.as_deref().unwrap_or("(not set)"));
    let problem = |kind| {
        problems
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, p)| p.as_str())
    };
    // A secret from the environment has no stored date; one from the keyring has.
    out.check(
        "org API key",
        secret_check(
            conn.org_api_key.as_ref().is_some_and(|k| !k.is_empty()),
            profile.org_api_key_stored_at,
            SecretKind::OrgApiKey.env_var(),
            problem(SecretKind::OrgApiKey),
        ),
    );
    out.check(
        "site API token",
        secret_check(
            conn.site_token.as_ref().is_some_and(|k| !k.is_empty()),
            profile.site_token_stored_at,
            SecretKind::SiteApiToken.env_var(),
            problem(SecretKind::SiteApiToken),
        ),
    );
    for warning in connect::key_age_warnings(profile, Utc::now()) {
        out.info("warning", warning);
    }

    let org_id = conn.org_id.as_deref();
    let admin = async {
        match org_id {
            Some(id) if client.has_org_key() => Some(admin_part(client, id).await),
            _ => None,
        }
    };
    let site = async {
        if client.has_site() {
            Some(site_part(client).await)
        } else {
            None
        }
    };
    let (admin, site) = tokio::join!(admin, site);

    // (product key, line): Jira's application roles are the licence's own figures, so they
    // replace the workspace line of the same product.
    let mut seat_lines: Vec<(Option<String>, String)> = Vec::new();
    match (org_id, &admin) {
        (None, _) => out.check(
            "org",
            Outcome::Fail("FAILED: not set: pass --org-id or run `seats login`".into()),
        ),
        (Some(id), Some(a)) => out.info("org", a.org.clone().unwrap_or_else(|| id.to_owned())),
        (Some(id), None) => out.info("org", id),
    }
    match admin {
        Some(a) => {
            out.check("admin API", a.health);
            seat_lines.extend(a.seats);
            let site_account = site.as_ref().and_then(|s| s.myself.clone());
            let probe = site_account.or(a.some_account);
            site_lines(&mut out, &mut seat_lines, site);
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
                        Err(ApiError::NotFound { body, .. })
                            if body.has_code("accountNotFound") =>
                        {
                            Ok(Default::default())
                        }
                        other => other,
                    };
                    out.check("user management API", health(&r, took));
                }
                None => out.check(
                    "user management API",
                    Outcome::NotChecked("no account to ask about".into()),
                ),
            }
        }
        None => {
            let why = if client.has_org_key() {
                "no org id"
            } else {
                "no org API key"
            };
            out.check("admin API", Outcome::NotChecked(why.into()));
            site_lines(&mut out, &mut seat_lines, site);
            out.check("user management API", Outcome::NotChecked(why.into()));
        }
    }
    if seat_lines.is_empty() {
        seat_lines.push((None, "(none readable)".into()));
    }
    let mut first = true;
    for (_, s) in seat_lines {
        out.info(if first { "seats" } else { "" }, s);
        first = false;
    }
    Report {
        text: out.text,
        checks: out.checks,
        failures: out.failures,
    }
}

/// The Jira and Confluence checks, and Jira's seat figures over the workspaces' ones.
fn site_lines(
    out: &mut Lines,
    seat_lines: &mut Vec<(Option<String>, String)>,
    site: Option<SitePart>,
) {
    match site {
        Some(s) => {
            out.check("Jira API", s.jira);
            out.check("Confluence API", s.confluence);
            for (key, text) in s.roles.into_iter().rev() {
                seat_lines.retain(|(k, _)| k.as_deref() != Some(key.as_str()));
                seat_lines.insert(0, (Some(key), text));
            }
        }
        None => {
            let why = "no site URL, email or token";
            out.check("Jira API", Outcome::NotChecked(why.into()));
            out.check("Confluence API", Outcome::NotChecked(why.into()));
        }
    }
}
