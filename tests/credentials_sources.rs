//! Every credential source (environment, standard input, the OS keyring; the prompt is in
//! e2e_login_tmux.rs) trims surrounding whitespace, and every credential error names the
//! credential and where it came from, never its value.

#[path = "support/hardening.rs"]
mod hardening;
#[path = "support/keyring.rs"]
mod keyring_support;
#[path = "support/sandbox.rs"]
mod sandbox_support;

use hardening::{Home, seats};
use seats::sandbox::SandboxConfig;

fn status_with_env(base: &str, org: &str, key: &str, token: &str) -> (bool, String) {
    let home = Home::new();
    let mut args = vec!["status".to_string()];
    args.extend(hardening::connection(base, org));
    let out = seats(home.path(), &args)
        .env("SEATS_ORG_API_KEY", key)
        .env("SEATS_SITE_API_TOKEN", token)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_is_trimmed_and_named_in_errors() {
    let sb = sandbox_support::start_bare(10).await;
    let (base, org) = (sb.base_url(), sb.org_id());
    let cfg = SandboxConfig::default();
    let (key, token) = (cfg.org_api_key.clone(), cfg.site_token.clone());
    let (ok, said) = tokio::task::spawn_blocking({
        let (base, org) = (base.clone(), org.clone());
        move || status_with_env(&base, &org, &format!("{key}\n"), &format!(" {token}\r\n"))
    })
    .await
    .unwrap();
    assert!(ok, "an echo-ed key with its newline must work:\n{said}");

    // A key broken inside: the message names it and the variable, not the value.
    let (ok, said) = tokio::task::spawn_blocking(move || {
        status_with_env(&base, &org, "half-a-key other-half", &cfg.site_token)
    })
    .await
    .unwrap();
    assert!(!ok);
    assert!(
        said.contains(
            "the org API key from the environment variable SEATS_ORG_API_KEY holds a space"
        ),
        "{said}"
    );
    assert!(!said.contains("other-half"), "{said}");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_input_is_trimmed_and_named_in_errors() {
    if !keyring_support::keyring_ready() {
        return;
    }
    let sb = sandbox_support::start_bare(10).await;
    let cfg = SandboxConfig::default();
    let tmp = keyring_support::temp_dir();
    let name = keyring_support::unique("trim");
    let base = sb.base_url();
    let login = [
        "login",
        "--profile",
        &name,
        "--org-api-key-stdin",
        "--site-token-stdin",
        "--admin-url",
        &base,
        "--site-url",
        &base,
        "--email",
        &cfg.site_email,
    ];
    // An empty first line names the line and the credential.
    let out = keyring_support::run_with_stdin(
        keyring_support::seats_command(tmp.path(), &login),
        &format!("   \n{}\n", cfg.site_token),
    )
    .await;
    let said = keyring_support::text(&out);
    assert!(!out.status.success());
    assert!(
        said.contains("the org API key from line 1 of standard input is empty"),
        "{said}"
    );
    // Spaces and a CRLF around each: trimmed, the login works, the keyring holds the trimmed key.
    let out = keyring_support::run_with_stdin(
        keyring_support::seats_command(tmp.path(), &login),
        &format!("  {}  \r\n\t{}\r\n", cfg.org_api_key, cfg.site_token),
    )
    .await;
    assert!(out.status.success(), "{}", keyring_support::text(&out));
    let stored = seats::secrets::load(&name, seats::secrets::SecretKind::OrgApiKey)
        .unwrap()
        .unwrap();
    assert_eq!(stored.expose(), cfg.org_api_key);
    for kind in seats::secrets::SecretKind::ALL {
        let _ = seats::secrets::delete(&name, kind);
    }
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyring_entry_stored_with_a_newline_is_trimmed() {
    if !keyring_support::keyring_ready() {
        return;
    }
    let sb = sandbox_support::start_bare(10).await;
    let cfg = SandboxConfig::default();
    let tmp = keyring_support::temp_dir();
    let name = keyring_support::unique("kr");
    // As `echo KEY | secret-tool store ...` would leave it.
    let entry = keyring::Entry::new("seats", &format!("{name}/org-api-key")).unwrap();
    let value = format!("{}\n", cfg.org_api_key);
    tokio::task::spawn_blocking(move || entry.set_password(&value).unwrap())
        .await
        .unwrap();
    let config = tmp.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        format!(
            "[profiles.{name}]\norg_id = \"{}\"\nadmin_url = \"{}\"\norg_api_key_stored_at = \"2026-11-01T00:00:00Z\"\n",
            sb.org_id(),
            sb.base_url()
        ),
    )
    .unwrap();
    let out = keyring_support::run_with_stdin(
        keyring_support::seats_command(tmp.path(), &["status", "--profile", &name]),
        "",
    )
    .await;
    let said = keyring_support::text(&out);
    assert!(
        said.lines()
            .any(|l| l.starts_with("admin API") && l.contains("answers")),
        "{said}"
    );
    let _ = seats::secrets::delete(&name, seats::secrets::SecretKind::OrgApiKey);
    sb.shutdown().await;
}
