//! A newcomer's first steps in a real terminal (tmux): `seats login` against the sandbox with
//! the secrets typed at hidden prompts, then `seats status` in another process reading them back
//! from the OS keyring. Nothing secret may show on screen or land in a file.
//!
//! Needs tmux and a real Secret Service: `tests/run.sh` provides both and sets
//! `SEATS_REQUIRE_KEYRING=1` (and `SEATS_E2E_BIN` to the release binary). Without that
//! variable the test says why it skips.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use seats::sandbox::{SandboxConfig, start};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("tmux: {e}"))
    }

    fn screen(&self) -> String {
        // The visible pane plus its scrollback.
        let out = self.cmd(&["capture-pane", "-p", "-S", "-200", "-t", "e2e"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Polls the screen until `text` shows (never a fixed sleep).
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {text:?}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn type_line(&self, text: &str) {
        self.cmd(&["send-keys", "-t", "e2e", "-l", text]);
        self.cmd(&["send-keys", "-t", "e2e", "Enter"]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return hits;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            hits.extend(files_containing(&path, needle));
        } else if let Ok(bytes) = std::fs::read(&path)
            && String::from_utf8_lossy(&bytes).contains(needle)
        {
            hits.push(path.display().to_string());
        }
    }
    hits
}

#[tokio::test(flavor = "multi_thread")]
async fn login_in_a_terminal_then_status_reads_the_keyring() {
    if std::env::var_os("SEATS_REQUIRE_KEYRING").is_none() {
        eprintln!("skipped: run through tests/run.sh (needs tmux and a real Secret Service)");
        return;
    }
    let bin = std::env::var("SEATS_E2E_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_seats").into());
    assert!(
        Path::new(&bin).is_file(),
        "no seats binary at {bin} (SEATS_E2E_BIN)"
    );
    let nonce = std::process::id();
    let org_key = format!("e2e-org-key-{nonce}-x7Q");
    let site_token = format!("e2e-site-token-{nonce}-k2P");
    let sandbox = start(SandboxConfig {
        users: 200,
        org_api_key: org_key.clone(),
        site_token: site_token.clone(),
        // Slow enough that the spinner shows while a credential is checked.
        latency_ms: 500,
        ..SandboxConfig::default()
    })
    .await
    .unwrap_or_else(|e| panic!("sandbox: {e:#}"));
    let base = sandbox.base_url();
    let dirs = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let config_dir = dirs.path().join("config");
    let data_dir = dirs.path().join("data");
    let profile = format!("e2e{nonce}");

    let tmux = Tmux {
        socket: format!("seats-e2e-{nonce}"),
    };
    // Settings travel in argv and env; the secrets only through the keyboard.
    let script = format!(
        "env SEATS_CONFIG_DIR={c} SEATS_DATA_DIR={d} {bin} --admin-url {base} --profile {profile} login; \
         echo LOGIN-EXIT=$?; sleep 60",
        c = config_dir.display(),
        d = data_dir.display(),
    );
    let started = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "120",
        "-y",
        "40",
        "sh",
        "-c",
        &script,
    ]);
    assert!(
        started.status.success(),
        "tmux: {}",
        String::from_utf8_lossy(&started.stderr)
    );

    tmux.wait_for("Org API key (typing is hidden)");
    // Pasted with spaces around it: trimmed where it enters.
    tmux.type_line(&format!("  {org_key}  "));
    tmux.wait_for("Checking the org API key");
    tmux.wait_for("Site URL");
    // A URL with a path is refused as it is typed, and asked again.
    tmux.type_line(&format!("{}/jira/software/projects", sandbox.site_url()));
    let screen = tmux.wait_for("has the path");
    assert!(
        !screen.contains("Email of the account"),
        "refused only later:\n{screen}"
    );
    tmux.type_line(&sandbox.site_url());
    tmux.wait_for("Email of the account");
    tmux.type_line(seats::sandbox::DEFAULT_SITE_EMAIL);
    tmux.wait_for("Site API token (typing is hidden)");
    tmux.type_line(&site_token);
    let screen = tmux.wait_for("LOGIN-EXIT=");

    assert!(screen.contains("LOGIN-EXIT=0"), "login failed:\n{screen}");
    assert!(
        screen.contains(&format!("Logged in: profile {profile}")),
        "{screen}"
    );
    assert!(
        !screen.contains(&org_key),
        "the org API key was echoed:\n{screen}"
    );
    assert!(
        !screen.contains(&site_token),
        "the site token was echoed:\n{screen}"
    );

    // A second process finds the profile and its secrets in the keyring.
    let status = Command::new(&bin)
        .args(["--profile", &profile, "status"])
        .env("SEATS_CONFIG_DIR", &config_dir)
        .env("SEATS_DATA_DIR", &data_dir)
        .env_remove("SEATS_ORG_API_KEY")
        .env_remove("SEATS_SITE_API_TOKEN")
        .output()
        .unwrap_or_else(|e| panic!("status: {e}"));
    let stdout = String::from_utf8_lossy(&status.stdout);
    assert!(
        status.status.success(),
        "status after login failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(stdout.contains(&sandbox.org_id()), "{stdout}");
    assert!(
        stdout.contains(&format!("profile               {profile}")),
        "{stdout}"
    );
    let from_keyring = |name: &str| {
        stdout
            .lines()
            .any(|l| l.starts_with(name) && l.contains("set (OS keyring, stored"))
    };
    assert!(
        from_keyring("org API key") && from_keyring("site API token"),
        "{stdout}"
    );
    for secret in [&org_key, &site_token] {
        assert!(!stdout.contains(secret.as_str()), "status printed a secret");
        let hits = files_containing(dirs.path(), secret);
        assert!(hits.is_empty(), "a secret landed in {hits:?}");
    }
    // Logs were written (so the scan above looked at something real).
    assert!(
        data_dir.join("logs").is_dir(),
        "no log dir under the data dir"
    );

    let logout = Command::new(&bin)
        .args(["--profile", &profile, "logout"])
        .env("SEATS_CONFIG_DIR", &config_dir)
        .env("SEATS_DATA_DIR", &data_dir)
        .output()
        .unwrap_or_else(|e| panic!("logout: {e}"));
    assert!(
        logout.status.success(),
        "{}",
        String::from_utf8_lossy(&logout.stderr)
    );
    sandbox.shutdown().await;
}
