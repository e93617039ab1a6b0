//! The OS keyring for real: a Secret Service (gnome-keyring in `dbus-run-session`, started by
//! tests/with-keyring.sh), never a mock. What this process stores, a second process (the seats
//! binary, and `secret-tool`) reads. With SEATS_REQUIRE_KEYRING=1 a missing keyring fails the
//! tests; without it they are skipped with a note.

#[path = "support/keyring.rs"]
mod keyring_support;

use std::path::Path;
use std::process::{Command, Output};

use seats::atlassian::Secret;
use seats::secrets::{self, SecretKind};

use keyring_support::{keyring_ready, seats_command, temp_dir, text, unique};

fn seats(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = seats_command(dir, args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    match cmd.output() {
        Ok(o) => o,
        Err(e) => panic!("could not run seats: {e}"),
    }
}

fn write_config(dir: &Path, body: &str) {
    let c = dir.join("config");
    if let Err(e) =
        std::fs::create_dir_all(&c).and_then(|()| std::fs::write(c.join("config.toml"), body))
    {
        panic!("could not write the test config: {e}");
    }
}

fn profile_toml(name: &str) -> String {
    format!(
        "[profiles.{name}]\norg_id = \"org-1\"\nsite_url = \"https://example.atlassian.net\"\nemail = \"a@example.com\"\n\
         org_api_key_stored_at = \"2026-01-02T03:04:05Z\"\nsite_api_token_stored_at = \"2026-01-02T03:04:05Z\"\n"
    )
}

fn secret_tool_lookup(user: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "seats", "username", user])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_second_process_reads_what_this_one_stored() {
    if !keyring_ready() {
        return;
    }
    let tmp = temp_dir();
    let name = unique("roundtrip");
    let key = format!("ATATT-org-{}", unique("k"));
    let token = format!("ATATT-site-{}", unique("t"));
    secrets::store(&name, SecretKind::OrgApiKey, &Secret::new(key.clone()))
        .unwrap_or_else(|e| panic!("{e}"));
    secrets::store(&name, SecretKind::SiteApiToken, &Secret::new(token.clone()))
        .unwrap_or_else(|e| panic!("{e}"));

    // The Secret Service itself holds the entries, under service "seats" and PROFILE/secret.
    if Command::new("secret-tool")
        .arg("--version")
        .output()
        .is_ok()
    {
        assert_eq!(
            secret_tool_lookup(&format!("{name}/org-api-key")).as_deref(),
            Some(key.as_str())
        );
        assert_eq!(
            secret_tool_lookup(&format!("{name}/site-api-token")).as_deref(),
            Some(token.as_str())
        );
    }

    write_config(tmp.path(), &profile_toml(&name));
    let out = seats(tmp.path(), &["profiles"], &[]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    let org_line = shown
        .lines()
        .find(|l| l.contains("org API key:"))
        .unwrap_or_default();
    let site_line = shown
        .lines()
        .find(|l| l.contains("site API token:"))
        .unwrap_or_default();
    assert!(
        org_line.contains("in keyring") && org_line.contains("2026-01-02"),
        "{shown}"
    );
    assert!(site_line.contains("in keyring"), "{shown}");
    assert!(
        !shown.contains(&key) && !shown.contains(&token),
        "profiles printed a secret"
    );

    // Logout in another process removes both entries and says so.
    let out = seats(tmp.path(), &["logout", "--profile", &name], &[]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("org API key") && said.contains("site API token"),
        "{said}"
    );
    assert!(said.contains("settings stay"), "{said}");
    assert_eq!(
        secrets::load(&name, SecretKind::OrgApiKey)
            .map(|s| s.is_some())
            .ok(),
        Some(false)
    );
    assert_eq!(
        secrets::load(&name, SecretKind::SiteApiToken)
            .map(|s| s.is_some())
            .ok(),
        Some(false)
    );
    let config =
        std::fs::read_to_string(keyring_support::config_file(tmp.path())).unwrap_or_default();
    assert!(
        config.contains("org_id") && !config.contains("stored_at"),
        "{config}"
    );

    // A second logout finds nothing and says that.
    let again = text(&seats(tmp.path(), &["logout", "--profile", &name], &[]));
    assert!(again.contains("nothing removed"), "{again}");
}

#[test]
fn the_profile_comes_from_the_flag_then_the_environment_then_the_default() {
    if !keyring_ready() {
        return;
    }
    let tmp = temp_dir();
    let (a, b, c) = (unique("sel-a"), unique("sel-b"), unique("sel-c"));
    for n in [&a, &b, &c] {
        secrets::store(n, SecretKind::OrgApiKey, &Secret::new("k"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    write_config(
        tmp.path(),
        &format!(
            "default_profile = \"{a}\"\n{}{}{}",
            profile_toml(&a),
            profile_toml(&b),
            profile_toml(&c)
        ),
    );
    let logout = |args: &[&str], env: &[(&str, &str)]| text(&seats(tmp.path(), args, env));

    // Flag beats the environment.
    let said = logout(&["logout", "--profile", &c], &[("SEATS_PROFILE", &b)]);
    assert!(said.contains(&format!("profile {c}")), "{said}");
    // Environment beats the default.
    let said = logout(&["logout"], &[("SEATS_PROFILE", &b)]);
    assert!(said.contains(&format!("profile {b}")), "{said}");
    // Nothing named: the default.
    let said = logout(&["logout"], &[]);
    assert!(said.contains(&format!("profile {a}")), "{said}");
    for n in [&a, &b, &c] {
        assert_eq!(
            secrets::load(n, SecretKind::OrgApiKey)
                .map(|s| s.is_some())
                .ok(),
            Some(false),
            "{n}"
        );
    }
}

#[test]
fn a_secret_the_config_says_was_stored_but_the_keyring_lost_is_reported() {
    if !keyring_ready() {
        return;
    }
    let tmp = temp_dir();
    let name = unique("lost");
    write_config(tmp.path(), &profile_toml(&name));
    let shown = text(&seats(tmp.path(), &["profiles"], &[]));
    assert!(shown.contains("MISSING from keyring"), "{shown}");
}

/// zbus drives the blocking keyring API with its own tokio runtime, which panics on a thread
/// that already runs one; seats calls it from async commands, so this must work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keyring_works_from_inside_the_async_runtime() {
    if !keyring_ready() {
        return;
    }
    let name = unique("async");
    secrets::store(&name, SecretKind::SiteApiToken, &Secret::new("tok"))
        .unwrap_or_else(|e| panic!("{e}"));
    let read = secrets::load(&name, SecretKind::SiteApiToken).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read.as_ref().map(Secret::expose), Some("tok"));
    assert_eq!(
        secrets::delete(&name, SecretKind::SiteApiToken).ok(),
        Some(true)
    );
    assert_eq!(
        secrets::delete(&name, SecretKind::SiteApiToken).ok(),
        Some(false)
    );
}
