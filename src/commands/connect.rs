//! Resolves the connection for a command: global flags over environment over profile.
//!
//! Secrets come from the OS keyring or, for automation, from `SEATS_ORG_API_KEY` and
//! `SEATS_SITE_API_TOKEN`; never from flags (argv is visible to every local user).

use chrono::{DateTime, Utc};

use crate::atlassian::{Client, ClientOptions, Connection, Secret, SecretSource};
use crate::cli::GlobalArgs;
use crate::config::{self, Config, Profile};
use crate::secrets::{self, SecretKind};

/// A secret from its environment variable: trimmed, checked, and named with its source in
/// any error. Unset or blank means none.
fn env_secret(kind: SecretKind) -> anyhow::Result<Option<Secret>> {
    let var = kind.env_var();
    match std::env::var(var) {
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => Ok(Some(Secret::entered(
            &v,
            kind.label(),
            SecretSource::Env(var),
        )?)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => anyhow::bail!(
            "the {} from the environment variable {var} is not valid text: set it again",
            kind.label()
        ),
    }
}

/// The connection with what could be resolved, and each secret that could not be (for
/// `seats status`, which shows every check rather than stopping at the first).
#[derive(Debug, Clone)]
pub struct Resolved {
    pub connection: Connection,
    pub info: ProfileInfo,
    /// A secret the profile should have but that could not be read, and why.
    pub problems: Vec<(SecretKind, String)>,
}

/// Where the connection came from: the profile and when its secrets were stored. Kept beside
/// [`Connection`] rather than in it so the client's struct stays exactly what the API needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileInfo {
    /// Profile the settings came from, if any.
    pub name: Option<String>,
    /// When the org API key went into the keyring (`None` when it came from the environment).
    pub org_api_key_stored_at: Option<DateTime<Utc>>,
    /// When the site API token went into the keyring (`None` when it came from the environment).
    pub site_token_stored_at: Option<DateTime<Utc>>,
}

/// Builds the connection for this run: `--profile` (or `SEATS_PROFILE`, which clap folds into
/// the flag) or the default profile gives the settings, flags override them; secrets come from
/// the environment, else from the keyring entries of that profile. Also returns the profile
/// and its key ages (for `seats status` and the console).
pub fn resolve_with(
    global: &GlobalArgs,
    config: &Config,
) -> anyhow::Result<(Connection, ProfileInfo)> {
    let resolved = resolve_each(global, config)?;
    if let Some((_, problem)) = resolved.problems.into_iter().next() {
        anyhow::bail!(problem);
    }
    Ok((resolved.connection, resolved.info))
}

/// As [`resolve_with`], but a secret that cannot be read is listed in `problems` instead of
/// failing the whole resolution. A config or profile error still fails.
pub fn resolve_each(global: &GlobalArgs, config: &Config) -> anyhow::Result<Resolved> {
    let flags = &global.connection;
    let selected = config.select_profile(flags.profile.as_deref())?;
    let (name, profile) = match selected {
        Some((name, p)) => (Some(name.to_string()), p.clone()),
        None => (None, Profile::default()),
    };
    let mut problems = Vec::new();
    let mut each = |kind| match secret(name.as_deref(), &profile, kind) {
        Ok(found) => found,
        Err(e) => {
            problems.push((kind, format!("{e:#}")));
            (None, None)
        }
    };
    let (org_api_key, org_api_key_stored_at) = each(SecretKind::OrgApiKey);
    let (site_token, site_token_stored_at) = each(SecretKind::SiteApiToken);
    let connection = Connection {
        admin_url: flags.admin_url.clone().or(profile.admin_url),
        site_url: flags.site_url.clone().or(profile.site_url),
        org_id: flags.org_id.clone().or(profile.org_id),
        email: flags.email.clone().or(profile.email),
        org_api_key,
        site_token,
    };
    let info = ProfileInfo {
        name,
        org_api_key_stored_at,
        site_token_stored_at,
    };
    Ok(Resolved {
        connection,
        info,
        problems,
    })
}

/// The environment wins; the keyring is asked only for a secret the profile says it stored,
/// so a run with every secret in the environment never needs a keyring.
fn secret(
    profile_name: Option<&str>,
    profile: &Profile,
    kind: SecretKind,
) -> anyhow::Result<(Option<Secret>, Option<DateTime<Utc>>)> {
    if let Some(s) = env_secret(kind)? {
        return Ok((Some(s), None));
    }
    let (Some(name), Some(stored_at)) = (profile_name, profile.stored_at(kind)) else {
        return Ok((None, None));
    };
    match secrets::load(name, kind)? {
        Some(s) => Ok((Some(s), Some(stored_at))),
        None => anyhow::bail!(
            "the {} of profile {name:?} is not in the OS keyring (removed outside seats?): run `seats login --profile {name}` again, or set {}",
            kind.label(),
            kind.env_var()
        ),
    }
}

/// Warnings for keys of this profile that are 11 months old or more (`seats status`, console).
pub fn key_age_warnings(info: &ProfileInfo, now: DateTime<Utc>) -> Vec<String> {
    [
        (SecretKind::OrgApiKey, info.org_api_key_stored_at),
        (SecretKind::SiteApiToken, info.site_token_stored_at),
    ]
    .into_iter()
    .filter_map(|(kind, at)| at.and_then(|at| config::key_age_warning(kind, at, now)))
    .collect()
}

/// Client tunables from the config's `[api]` table.
pub fn client_options(config: &Config) -> ClientOptions {
    let n = config.api.concurrency.max(1) as usize;
    let defaults = ClientOptions::default();
    ClientOptions {
        // admin, user management, Jira, Confluence: user management stays gentle.
        concurrency: [n, n.min(2), n, n],
        ..defaults
    }
}

/// The connection and a client, with the profile used and the config. Its long waits are
/// told to nobody: the console passes its own `ClientOptions::on_wait`.
pub fn client(global: &GlobalArgs) -> anyhow::Result<(Client, Connection, ProfileInfo, Config)> {
    let config = config::load()?;
    let (conn, profile) = resolve_with(global, &config)?;
    let client = Client::with_options(&conn, client_options(&config))?;
    Ok((client, conn, profile, config))
}

/// As [`client`], for a command that prints: long waits (rate limits, backoff) count down on
/// standard error's status line when it is a terminal.
pub fn client_with_countdown(
    global: &GlobalArgs,
) -> anyhow::Result<(Client, Connection, ProfileInfo, Config)> {
    let config = config::load()?;
    let (conn, profile) = resolve_with(global, &config)?;
    let client = Client::with_options(&conn, countdown_options(&config))?;
    Ok((client, conn, profile, config))
}

/// [`client_options`] with the terminal countdown.
pub fn countdown_options(config: &Config) -> ClientOptions {
    ClientOptions {
        on_wait: crate::output::terminal_wait_hook(),
        ..client_options(config)
    }
}
