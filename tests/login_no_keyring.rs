//! No Secret Service: login says what is missing and how to fix it, and keeps nothing.

use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn login_without_a_keyring_explains_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_seats"))
        .args([
            "login",
            "--profile",
            "work",
            "--org-api-key-stdin",
            "--site-token-stdin",
        ])
        .args([
            "--org-id",
            "o",
            "--site-url",
            "https://example.atlassian.net",
            "--email",
            "a@example.com",
        ])
        .env("SEATS_CONFIG_DIR", tmp.path().join("config"))
        .env("SEATS_DATA_DIR", tmp.path().join("data"))
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/seats-test-bus",
        )
        .env_remove("SEATS_PROFILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("could not run seats: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        // The child may exit before reading: a broken pipe is fine.
        let _ = stdin.write_all(b"ATATT-no-keyring-key\nATATT-no-keyring-token\n");
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("no OS keyring"), "{err}");
    assert!(
        err.contains("gnome-keyring")
            && err.contains("SEATS_ORG_API_KEY")
            && err.contains("SEATS_SITE_API_TOKEN"),
        "{err}"
    );
    assert!(
        !tmp.path().join("config").exists(),
        "login created the config dir without a keyring"
    );
    for entry in walk(tmp.path()) {
        let body = std::fs::read(&entry).unwrap_or_default();
        let body = String::from_utf8_lossy(&body);
        assert!(
            !body.contains("ATATT-no-keyring"),
            "{} holds a secret",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn seats_without_keyring(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_seats"))
        .args(args)
        .env("SEATS_CONFIG_DIR", dir.join("config"))
        .env("SEATS_DATA_DIR", dir.join("data"))
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/seats-test-bus",
        )
        .env_remove("SEATS_PROFILE")
        .env_remove("SEATS_ORG_API_KEY")
        .env_remove("SEATS_SITE_API_TOKEN")
        .output()
        .unwrap_or_else(|e| panic!("could not run seats: {e}"))
}

#[test]
fn profiles_and_logout_without_a_keyring_say_so_and_change_nothing() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let config = "default_profile = \"work\"\n[profiles.work]\norg_id = \"o\"\norg_api_key_stored_at = \"2026-01-02T03:04:05Z\"\n";
    let dir = tmp.path().join("config");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("config.toml"), config).unwrap_or_else(|e| panic!("{e}"));

    // profiles still lists what config.toml knows, and says the keyring could not be asked.
    let out = seats_without_keyring(tmp.path(), &["profiles"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("work (default)") && stdout.contains("unknown, no keyring"),
        "{stdout}"
    );
    assert!(stderr.contains("no OS keyring"), "{stderr}");

    let out = seats_without_keyring(tmp.path(), &["logout"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("no OS keyring"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join("config.toml"))
            .ok()
            .as_deref(),
        Some(config)
    );

    // status explains the same on the key's line, still shows every other check, and fails;
    // the environment is the way out.
    let out = seats_without_keyring(tmp.path(), &["status"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    let key_line = stdout
        .lines()
        .find(|l| l.starts_with("org API key"))
        .unwrap_or_default();
    assert!(
        key_line.contains("no OS keyring") && key_line.contains("SEATS_ORG_API_KEY"),
        "{stdout}"
    );
    for check in [
        "admin API",
        "Jira API",
        "Confluence API",
        "user management API",
    ] {
        assert!(
            stdout.lines().any(|l| l.starts_with(check)),
            "{check} missing in:\n{stdout}"
        );
    }
    // A command that needs the stored key stops with the same explanation.
    let out = seats_without_keyring(tmp.path(), &["export", "users"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("no OS keyring") && stderr.contains("SEATS_ORG_API_KEY"),
        "{stderr}"
    );
}
