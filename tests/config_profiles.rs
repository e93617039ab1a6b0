//! Which profile a command uses, and how flags layer over it (no keyring needed: these
//! profiles record no stored secret, so the keyring is never asked).

use seats::cli::{ConnectionArgs, GlobalArgs};
use seats::commands::connect::{ProfileInfo, key_age_warnings, resolve_with};
use seats::config::Config;

fn config() -> Config {
    let text = r#"
default_profile = "main"
[profiles.main]
org_id = "org-main"
site_url = "https://main.atlassian.net"
email = "main@example.com"
[profiles.eu]
org_id = "org-eu"
admin_url = "http://127.0.0.1:9"
site_url = "https://eu.atlassian.net"
email = "eu@example.com"
"#;
    toml::from_str(text).unwrap_or_else(|e| panic!("{e}"))
}

fn args(profile: Option<&str>) -> GlobalArgs {
    GlobalArgs {
        connection: ConnectionArgs {
            profile: profile.map(String::from),
            ..ConnectionArgs::default()
        },
        ..GlobalArgs::default()
    }
}

#[test]
fn no_profile_named_uses_the_default() {
    let (conn, info) = resolve_with(&args(None), &config()).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(info.name.as_deref(), Some("main"));
    assert_eq!(conn.org_id.as_deref(), Some("org-main"));
    assert_eq!(conn.admin_url, None);
}

#[test]
fn a_named_profile_wins_over_the_default() {
    let (conn, info) =
        resolve_with(&args(Some("eu")), &config()).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(info.name.as_deref(), Some("eu"));
    assert_eq!(conn.site_url.as_deref(), Some("https://eu.atlassian.net"));
    assert_eq!(conn.admin_url.as_deref(), Some("http://127.0.0.1:9"));
}

#[test]
fn flags_override_the_profile_settings() {
    let mut global = args(Some("eu"));
    global.connection.org_id = Some("org-flag".into());
    global.connection.site_url = Some("https://flag.atlassian.net".into());
    let (conn, _) = resolve_with(&global, &config()).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(conn.org_id.as_deref(), Some("org-flag"));
    assert_eq!(conn.site_url.as_deref(), Some("https://flag.atlassian.net"));
    assert_eq!(conn.email.as_deref(), Some("eu@example.com"));
}

#[test]
fn an_unknown_profile_is_an_error_that_lists_the_known_ones() {
    let err = resolve_with(&args(Some("nope")), &config())
        .err()
        .map(|e| format!("{e:#}"));
    let err = err.unwrap_or_default();
    assert!(
        err.contains("\"nope\"") && err.contains("seats login --profile nope"),
        "{err}"
    );
    assert!(err.contains("eu") && err.contains("main"), "{err}");
}

#[test]
fn a_default_that_names_no_profile_is_an_error() {
    let mut c = config();
    c.default_profile = Some("ghost".into());
    let err = resolve_with(&args(None), &c)
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert!(
        err.contains("default_profile") && err.contains("ghost"),
        "{err}"
    );
}

#[test]
fn no_profiles_at_all_gives_a_connection_from_flags_only() {
    let mut global = args(None);
    global.connection.org_id = Some("o".into());
    let (conn, info) =
        resolve_with(&global, &Config::default()).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(info.name, None);
    assert_eq!(conn.org_id.as_deref(), Some("o"));
}

#[test]
fn old_keys_of_a_connection_are_warned_about() {
    let now = chrono::Utc::now();
    let mut conn = ProfileInfo::default();
    assert!(key_age_warnings(&conn, now).is_empty());
    conn.org_api_key_stored_at = Some(now - chrono::Duration::days(400));
    conn.site_token_stored_at = Some(now - chrono::Duration::days(30));
    let warnings = key_age_warnings(&conn, now);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("org API key"), "{warnings:?}");
}

#[test]
fn an_empty_profile_name_means_the_default() {
    let (_, info) = resolve_with(&args(Some("")), &config()).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(info.name.as_deref(), Some("main"));
}
