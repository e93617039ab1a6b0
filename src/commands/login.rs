//! `seats login`, `seats logout`, `seats profiles`.
//!
//! Login checks every credential against the API before anything is kept; then secrets go to
//! the OS keyring and the rest to config.toml. A refused credential keeps nothing.
//!
//! Long: three subcommands over the same credential checks and profile writes; its last 130
//! lines are the unit tests of those private checks.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::atlassian::http::{admin_base, site_base};
use crate::atlassian::verify::{OrgSummary, verify_org_key, verify_site_token};
use crate::atlassian::{Connection, DEFAULT_ADMIN_URL, Secret, SecretSource};
use crate::cli::{GlobalArgs, LoginArgs, LogoutArgs};
use crate::config::{self, Config, Profile};
use crate::output::{self, Spinner, note};
use crate::secrets::{self, KeyringError, SecretKind};

/// Profile name when none is given and no default exists yet.
const FIRST_PROFILE: &str = "default";

pub async fn login(global: &GlobalArgs, args: LoginArgs) -> anyhow::Result<()> {
    let config = config::load()?;
    let name = named_profile(global)
        .or_else(|| config.default_profile.clone())
        .unwrap_or_else(|| FIRST_PROFILE.to_string());
    config::validate_profile_name(&name)?;
    let previous = config.profiles.get(&name).cloned().unwrap_or_default();

    let flags = &global.connection;
    // Every value given as a flag is checked before the first prompt or request.
    let admin_url = match flags.admin_url.as_deref() {
        Some(raw) => Some(check_admin_url(raw).context("--admin-url")?),
        None => previous.admin_url.clone(),
    };
    if let Some(raw) = flags.site_url.as_deref() {
        check_site_url(raw).context("--site-url")?;
    }
    if let Some(raw) = flags.email.as_deref() {
        check_email(raw).context("--email")?;
    }
    // Before asking for anything: a box without a keyring cannot keep the secrets.
    secrets::probe()?;
    let mut input = Input::new(&args)?;
    // Without a terminal, a missing value is an error before any request is made.
    let mut early = None;
    if !input.interactive {
        early = Some((
            site_url(&mut input, global, &previous)?,
            email(&mut input, global, &previous)?,
        ));
        input.require_secrets()?;
    }
    let org_api_key = input.secret(SecretKind::OrgApiKey, "--org-api-key-stdin")?;
    let mut conn = Connection {
        admin_url: admin_url.clone(),
        org_api_key: Some(org_api_key.clone()),
        ..Connection::default()
    };
    let orgs = {
        let _spinner = Spinner::start("Checking the org API key");
        verify_org_key(&conn).await
    }
    .context("the org API key did not work; nothing was kept. Check the key (admin.atlassian.com > Settings > API keys) and --admin-url")?;
    let org = pick_org(
        &orgs,
        flags.org_id.as_deref(),
        previous.org_id.as_deref(),
        &mut input,
    )?;
    note(format!("Org API key works: org {} ({}).", org.name, org.id));

    let (site_url, email) = match early {
        Some(values) => values,
        None => (
            site_url(&mut input, global, &previous)?,
            email(&mut input, global, &previous)?,
        ),
    };
    let site_token = input.secret(SecretKind::SiteApiToken, "--site-token-stdin")?;
    conn.site_url = Some(site_url.clone());
    conn.email = Some(email.clone());
    conn.site_token = Some(site_token.clone());
    let account = {
        let _spinner = Spinner::start(format!("Checking the site API token on {site_url}"));
        verify_site_token(&conn).await
    }
    .context("the site email and API token did not work; nothing was kept. Check --site-url, --email and the token (id.atlassian.com > Security > API tokens)")?;
    note(format!(
        "Site API token works: {} on {site_url}.",
        account.display_name
    ));

    let now = Utc::now();
    let profile = Profile {
        org_id: Some(org.id.clone()),
        admin_url,
        site_url: Some(site_url),
        email: Some(email),
        org_api_key_stored_at: Some(now),
        site_api_token_stored_at: Some(now),
    };
    let saved = keep(
        &name,
        &profile,
        &[
            (SecretKind::OrgApiKey, org_api_key),
            (SecretKind::SiteApiToken, site_token),
        ],
        args.default,
    )?;
    let path = config::config_path()?;
    let default_note = if saved.default_profile.as_deref() == Some(name.as_str()) {
        " (the default profile)"
    } else {
        ""
    };
    let mut out = output::stdout();
    writeln!(
        out,
        "Logged in: profile {name}{default_note}, org {} ({}).\nSecrets are in the OS keyring (service \"seats\", entries {name}/org-api-key and {name}/site-api-token); settings are in {}.",
        org.name,
        org.id,
        path.display()
    )?;
    out.flush()?;
    Ok(())
}

fn site_url(input: &mut Input, global: &GlobalArgs, previous: &Profile) -> anyhow::Result<String> {
    input.value(
        "Site URL (e.g. https://example.atlassian.net)",
        global.connection.site_url.as_deref(),
        previous.site_url.as_deref(),
        "--site-url",
        check_site_url,
    )
}

fn email(input: &mut Input, global: &GlobalArgs, previous: &Profile) -> anyhow::Result<String> {
    input.value(
        "Email of the account that owns the site API token",
        global.connection.email.as_deref(),
        previous.email.as_deref(),
        "--email",
        check_email,
    )
}

/// The site URL as the client will use it: the site root (`/wiki`, `/jira` and a trailing
/// slash dropped); any other path refused at once.
fn check_site_url(raw: &str) -> anyhow::Result<String> {
    let url = site_base(raw)?;
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn check_admin_url(raw: &str) -> anyhow::Result<String> {
    let url = admin_base(raw)?;
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// An email for basic auth: one `@`, something on each side, no spaces.
fn check_email(raw: &str) -> anyhow::Result<String> {
    let email = raw.trim();
    let ok = email.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty() && domain.contains('.') && !domain.contains('@')
    }) && email
        .chars()
        .all(|c| c.is_ascii_graphic() || (!c.is_ascii() && !c.is_whitespace()));
    anyhow::ensure!(
        ok,
        "{email:?} is not an email address: give the email of the Atlassian account that owns the API token, e.g. admin@example.com"
    );
    Ok(email.to_owned())
}

/// Stores the secrets, then the profile; undoes the keyring writes if a later step fails.
fn keep(
    name: &str,
    profile: &Profile,
    secrets_to_store: &[(SecretKind, Secret)],
    make_default: bool,
) -> anyhow::Result<Config> {
    let mut stored = Vec::new();
    let mut failure: Option<anyhow::Error> = None;
    for (kind, secret) in secrets_to_store {
        if let Err(e) = secrets::store(name, *kind, secret) {
            failure = Some(e.into());
            break;
        }
        stored.push(*kind);
    }
    let result = match failure {
        Some(e) => Err(e),
        None => config::save_profile(name, profile, make_default),
    };
    if result.is_err() {
        for kind in stored {
            if let Err(e) = secrets::delete(name, kind) {
                tracing::warn!(profile = name, secret = kind.key(), error = %e, "could not undo a keyring write");
            }
        }
    }
    result
}

fn pick_org(
    orgs: &[OrgSummary],
    flag: Option<&str>,
    previous: Option<&str>,
    input: &mut Input,
) -> anyhow::Result<OrgSummary> {
    let listing = || {
        orgs.iter()
            .map(|o| format!("{} ({})", o.id, o.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    anyhow::ensure!(
        !orgs.is_empty(),
        "the org API key works but sees no organization; nothing was kept. Create the key in the org you administer"
    );
    if let Some(id) = flag {
        return orgs.iter().find(|o| o.id == id).cloned().with_context(|| {
            format!(
                "the org API key cannot see org {id}; nothing was kept. It sees: {}",
                listing()
            )
        });
    }
    if let [only] = orgs {
        return Ok(only.clone());
    }
    if input.interactive {
        note(format!("The key sees {} orgs:", orgs.len()));
        for (i, o) in orgs.iter().enumerate() {
            note(format!("  {}. {} ({})", i + 1, o.name, o.id));
        }
        loop {
            let answer = input.prompt_line(&format!("Org number (1-{})", orgs.len()))?;
            match answer.trim().parse::<usize>() {
                Ok(n) if (1..=orgs.len()).contains(&n) => return Ok(orgs[n - 1].clone()),
                _ => note(format!("Type a number from 1 to {}.", orgs.len())),
            }
        }
    }
    if let Some(o) = previous.and_then(|id| orgs.iter().find(|o| o.id == id)) {
        return Ok(o.clone());
    }
    anyhow::bail!(
        "the org API key sees {} orgs: pass --org-id with one of {}",
        orgs.len(),
        listing()
    )
}

/// Where login's values come from: flags, secrets piped on stdin, or prompts on a terminal.
struct Input {
    interactive: bool,
    org_api_key: Option<Secret>,
    site_token: Option<Secret>,
}

impl Input {
    fn new(args: &LoginArgs) -> anyhow::Result<Input> {
        let piped = args.org_api_key_stdin || args.site_token_stdin;
        let interactive = !piped && std::io::stdin().is_terminal();
        let mut input = Input {
            interactive,
            org_api_key: None,
            site_token: None,
        };
        if piped {
            let mut lines = std::io::stdin().lock().lines();
            let mut next = |kind: SecretKind, flag: &str, line: usize| -> anyhow::Result<Secret> {
                let text = lines
                    .next()
                    .transpose()
                    .context("could not read standard input")?
                    .unwrap_or_default();
                Secret::entered(&text, kind.label(), SecretSource::Stdin { line })
                    .with_context(|| format!("{flag}: nothing was kept"))
            };
            if args.org_api_key_stdin {
                input.org_api_key = Some(next(SecretKind::OrgApiKey, "--org-api-key-stdin", 1)?);
            }
            if args.site_token_stdin {
                let line = if args.org_api_key_stdin { 2 } else { 1 };
                input.site_token =
                    Some(next(SecretKind::SiteApiToken, "--site-token-stdin", line)?);
            }
        }
        Ok(input)
    }

    /// Without a terminal both secrets must have come on stdin.
    fn require_secrets(&self) -> anyhow::Result<()> {
        if self.org_api_key.is_none() {
            self.missing_secret(SecretKind::OrgApiKey, "--org-api-key-stdin")?;
        }
        if self.site_token.is_none() {
            self.missing_secret(SecretKind::SiteApiToken, "--site-token-stdin")?;
        }
        Ok(())
    }

    fn missing_secret(&self, kind: SecretKind, flag: &str) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.interactive,
            "no {} given: pipe it on standard input with {flag} (never as a flag value); both secrets: {} on line 1, {} on line 2",
            kind.label(),
            SecretKind::OrgApiKey.label(),
            SecretKind::SiteApiToken.label()
        );
        Ok(())
    }

    /// A secret from stdin, else typed without echo, else an error naming the flag.
    fn secret(&mut self, kind: SecretKind, flag: &str) -> anyhow::Result<Secret> {
        let piped = match kind {
            SecretKind::OrgApiKey => self.org_api_key.take(),
            SecretKind::SiteApiToken => self.site_token.take(),
        };
        if let Some(s) = piped {
            return Ok(s);
        }
        self.missing_secret(kind, flag)?;
        loop {
            let typed = rpassword::prompt_password(format!(
                "{} (typing is hidden): ",
                capitalize(kind.label())
            ))
            .with_context(|| format!("could not read the {} from the terminal", kind.label()))?;
            match Secret::entered(&typed, kind.label(), SecretSource::Prompt) {
                Ok(secret) => return Ok(secret),
                // Asked again at once, not after the other prompts.
                Err(e) => note(format!("{e}.")),
            }
        }
    }

    /// A setting from its flag, else a prompt (offering the profile's value), else the profile's
    /// value, else an error naming the flag. Each answer is checked as it is typed and asked
    /// again when `check` refuses it; a flag or profile value that fails is an error.
    fn value(
        &mut self,
        question: &str,
        flag_value: Option<&str>,
        previous: Option<&str>,
        flag: &str,
        check: impl Fn(&str) -> anyhow::Result<String>,
    ) -> anyhow::Result<String> {
        if let Some(v) = flag_value.map(str::trim).filter(|v| !v.is_empty()) {
            return check(v).with_context(|| flag.to_string());
        }
        // A profile value that no longer passes is not offered.
        let previous = previous.filter(|p| check(p).is_ok());
        if self.interactive {
            let prompt = match previous {
                Some(p) => format!("{question} [{p}]"),
                None => question.to_string(),
            };
            loop {
                let answer = self.prompt_line(&prompt)?;
                let answer = answer.trim();
                if answer.is_empty() {
                    if let Some(p) = previous {
                        return check(p);
                    }
                    continue;
                }
                match check(answer) {
                    Ok(v) => return Ok(v),
                    Err(e) => note(format!("{e:#}.")),
                }
            }
        }
        previous
            .map(&check)
            .transpose()?
            .with_context(|| format!("no value for {flag}: pass it as {flag} (standard input is not a terminal, so seats cannot ask)"))
    }

    fn prompt_line(&mut self, prompt: &str) -> anyhow::Result<String> {
        let mut err = std::io::stderr();
        write!(err, "{prompt}: ")
            .and_then(|()| err.flush())
            .context("could not write the prompt")?;
        let mut line = String::new();
        let n = std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("could not read the answer")?;
        anyhow::ensure!(
            n > 0,
            "standard input closed before an answer; nothing was kept"
        );
        Ok(line)
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `--profile` or `SEATS_PROFILE`; an empty value (`SEATS_PROFILE=`) names nothing.
fn named_profile(global: &GlobalArgs) -> Option<String> {
    global.connection.profile.clone().filter(|p| !p.is_empty())
}

fn profile_or_default(global: &GlobalArgs, config: &Config) -> anyhow::Result<String> {
    let name = named_profile(global)
        .or_else(|| config.default_profile.clone())
        .context(
            "no profile named and no default profile: pass --profile NAME (see `seats profiles`)",
        )?;
    config::validate_profile_name(&name)?;
    Ok(name)
}

pub async fn logout(global: &GlobalArgs, _args: LogoutArgs) -> anyhow::Result<()> {
    let config = config::load()?;
    let name = profile_or_default(global, &config)?;
    let mut removed = Vec::new();
    for kind in SecretKind::ALL {
        if secrets::delete(&name, kind)? {
            removed.push(kind.label());
        }
    }
    let known = config.profiles.contains_key(&name);
    if known {
        for kind in SecretKind::ALL {
            config::forget_secret(&name, kind)?;
        }
    }
    let mut out = output::stdout();
    if removed.is_empty() {
        writeln!(
            out,
            "Profile {name} had no secrets in the OS keyring; nothing removed."
        )?;
    } else {
        writeln!(
            out,
            "Removed the {} of profile {name} from the OS keyring.",
            removed.join(" and ")
        )?;
    }
    if known {
        writeln!(
            out,
            "Its settings stay in {} ([profiles.{name}]); `seats login --profile {name}` signs in again.",
            config::config_path()?.display()
        )?;
    }
    out.flush()?;
    Ok(())
}

pub async fn profiles(_global: &GlobalArgs) -> anyhow::Result<()> {
    let config = config::load()?;
    let mut out = output::stdout();
    if config.profiles.is_empty() {
        writeln!(out, "No profiles yet: run `seats login`.")?;
        out.flush()?;
        return Ok(());
    }
    let now = Utc::now();
    let mut keyring_error: Option<KeyringError> = None;
    for (name, profile) in &config.profiles {
        let default = if config.default_profile.as_deref() == Some(name.as_str()) {
            " (default)"
        } else {
            ""
        };
        writeln!(out, "{name}{default}")?;
        writeln!(
            out,
            "  org:       {}",
            profile.org_id.as_deref().unwrap_or("-")
        )?;
        writeln!(
            out,
            "  admin API: {}",
            profile.admin_url.as_deref().unwrap_or(DEFAULT_ADMIN_URL)
        )?;
        writeln!(
            out,
            "  site:      {}",
            profile.site_url.as_deref().unwrap_or("-")
        )?;
        writeln!(
            out,
            "  email:     {}",
            profile.email.as_deref().unwrap_or("-")
        )?;
        for kind in SecretKind::ALL {
            let state = if keyring_error.is_some() {
                Err(())
            } else {
                secrets::exists(name, kind).map_err(|e| keyring_error = Some(e))
            };
            writeln!(
                out,
                "  {:<16}{}",
                format!("{}:", kind.label()),
                secret_line(state, profile.stored_at(kind), now)
            )?;
            if let Some(w) = profile
                .stored_at(kind)
                .and_then(|at| config::key_age_warning(kind, at, now))
            {
                writeln!(out, "  warning: {w}")?;
            }
        }
    }
    out.flush()?;
    if let Some(e) = keyring_error {
        note(format!("warning: {e}"));
    }
    Ok(())
}

fn secret_line(
    in_keyring: Result<bool, ()>,
    stored_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> String {
    let age = stored_at.map(|at| {
        format!(
            "stored {} ({} ago)",
            at.format("%Y-%m-%d"),
            crate::output::words::plural((now - at).num_days().max(0) as usize, "day")
        )
    });
    match (in_keyring, age) {
        (Ok(true), Some(age)) => format!("in keyring, {age}"),
        (Ok(true), None) => "in keyring (stored outside seats, age unknown)".into(),
        (Ok(false), Some(age)) => format!("MISSING from keyring ({age}): run `seats login` again"),
        (Ok(false), None) => "none".into(),
        (Err(()), Some(age)) => format!("unknown, no keyring ({age})"),
        (Err(()), None) => "unknown, no keyring".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orgs() -> Vec<OrgSummary> {
        ["a", "b"]
            .iter()
            .map(|id| OrgSummary {
                id: format!("org-{id}"),
                name: format!("Org {id}"),
            })
            .collect()
    }

    fn scripted() -> Input {
        Input {
            interactive: false,
            org_api_key: None,
            site_token: None,
        }
    }

    #[test]
    fn the_org_comes_from_the_flag_the_only_one_or_the_profile() {
        let all = orgs();
        let pick = |flag, prev, list: &[OrgSummary]| {
            pick_org(list, flag, prev, &mut scripted()).map(|o| o.id)
        };
        assert_eq!(
            pick(Some("org-b"), None, &all).ok().as_deref(),
            Some("org-b")
        );
        assert_eq!(pick(None, None, &all[..1]).ok().as_deref(), Some("org-a"));
        assert_eq!(
            pick(None, Some("org-b"), &all).ok().as_deref(),
            Some("org-b")
        );
        let err = pick(Some("org-x"), None, &all)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("cannot see org org-x") && err.contains("org-a"),
            "{err}"
        );
        let err = pick(None, None, &all)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("--org-id"), "{err}");
        assert!(pick(None, None, &[]).is_err());
    }

    #[test]
    fn site_urls_are_checked_and_trimmed() {
        for ok in [
            " https://acme.atlassian.net/ ",
            "https://acme.atlassian.net/wiki",
            "https://acme.atlassian.net/jira/",
        ] {
            assert_eq!(
                check_site_url(ok).ok().as_deref(),
                Some("https://acme.atlassian.net"),
                "{ok}"
            );
        }
        assert!(check_site_url("acme.atlassian.net").is_err());
        assert!(check_site_url("ftp://acme.atlassian.net").is_err());
        let e = check_site_url("https://acme.atlassian.net/jira/software/projects")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("https://acme.atlassian.net"), "{e}");
        assert!(check_email("admin@example.com").is_ok());
        for bad in [
            "admin",
            "@example.com",
            "a b@example.com",
            "admin@localhost",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn without_a_terminal_a_missing_secret_names_its_flag() {
        let err = scripted()
            .secret(SecretKind::SiteApiToken, "--site-token-stdin")
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("--site-token-stdin")),
            "{err:?}"
        );
        let err = scripted()
            .value("Email", None, None, "--email", check_email)
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|e| e.contains("--email")),
            "{err:?}"
        );
        assert_eq!(
            scripted()
                .value("Email", None, Some("old@x.io"), "--email", check_email)
                .ok()
                .as_deref(),
            Some("old@x.io")
        );
        assert_eq!(
            scripted()
                .value(
                    "Email",
                    Some("new@x.io"),
                    Some("old@x.io"),
                    "--email",
                    check_email
                )
                .ok()
                .as_deref(),
            Some("new@x.io")
        );
        // A flag that fails its check is an error naming the flag.
        let err = scripted()
            .value("Email", Some("nobody"), None, "--email", check_email)
            .err()
            .map(|e| format!("{e:#}"));
        assert!(
            err.as_deref().is_some_and(|e| e.contains("--email")),
            "{err:?}"
        );
    }
}
