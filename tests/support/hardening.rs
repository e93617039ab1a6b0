//! For the hardening tests: the seats binary in a temporary home, pointed at a sandbox with
//! its credentials in the environment, and one invocation of every subcommand. Include it with
//! `#[path = "support/hardening.rs"] mod hardening;`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::CommandFactory;
use seats::sandbox::SandboxConfig;

/// A temporary home: `config/` (with a config.toml holding two profiles) and `data/`.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::create_dir_all(&config).unwrap();
        // Profiles with no stored secret: `profiles` prints them without asking a keyring.
        std::fs::write(
            config.join("config.toml"),
            "[profiles.one]\norg_id = \"o1\"\n[profiles.two]\norg_id = \"o2\"\n",
        )
        .unwrap();
        Home { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }
}

/// `seats ARGS` with the home's dirs, no profile or secret from this process's environment.
pub fn seats(home: &Path, args: &[String]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_seats"));
    cmd.args(args)
        .env("SEATS_CONFIG_DIR", home.join("config"))
        .env("SEATS_DATA_DIR", home.join("data"))
        .env_remove("SEATS_PROFILE")
        .env_remove("SEATS_ORG_API_KEY")
        .env_remove("SEATS_SITE_API_TOKEN");
    cmd
}

/// `seats` pointed at the sandbox at `base` with its default credentials in the environment.
pub fn seats_at(home: &Path, base: &str, org_id: &str, args: &[&str]) -> Command {
    let cfg = SandboxConfig::default();
    let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    all.extend(connection(base, org_id));
    let mut cmd = seats(home, &all);
    cmd.env("SEATS_ORG_API_KEY", &cfg.org_api_key)
        .env("SEATS_SITE_API_TOKEN", &cfg.site_token);
    cmd
}

/// The connection flags (after the subcommand, as a user would type them).
pub fn connection(base: &str, org_id: &str) -> Vec<String> {
    let cfg = SandboxConfig::default();
    [
        "--admin-url",
        base,
        "--site-url",
        base,
        "--org-id",
        org_id,
        "--email",
        &cfg.site_email,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// How a subcommand is expected to end when run here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ends {
    /// Exits 0 on its own.
    Success,
    /// Exits non-zero with a message (it needs a terminal or a keyring this run may lack).
    Either,
    /// Serves until SIGTERM.
    Serves,
}

/// One invocation of every subcommand against the sandbox, and how it ends. A new subcommand
/// must be added here: [`assert_every_subcommand_is_covered`] fails until it is, so every
/// hardening test (closed pipes, an unusable data dir) covers it too.
pub fn every_subcommand(base: &str, org_id: &str) -> Vec<(&'static str, Vec<String>, Ends)> {
    let with = |cmd: &[&str]| {
        let mut v: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
        v.extend(connection(base, org_id));
        v
    };
    let plain = |cmd: &[&str]| cmd.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        ("demo", plain(&["demo", "--users", "10"]), Ends::Either),
        ("report", with(&["report"]), Ends::Success),
        (
            "sandbox",
            plain(&["sandbox", "--port", "0", "--users", "10"]),
            Ends::Serves,
        ),
        ("status", with(&["status"]), Ends::Success),
        ("export", with(&["export", "users"]), Ends::Success),
        (
            "plan",
            with(&[
                "plan",
                "--action",
                "suspend",
                "--filter",
                "idle:90",
                "--output",
                &std::env::temp_dir()
                    .join(format!("seats-hardening-plan-{}.json", std::process::id()))
                    .display()
                    .to_string(),
            ]),
            Ends::Success,
        ),
        (
            "login",
            with(&[
                "login",
                "--profile",
                "hardening-never-kept",
                "--org-api-key-stdin",
            ]),
            Ends::Either,
        ),
        (
            "logout",
            plain(&["logout", "--profile", "one"]),
            Ends::Either,
        ),
        ("profiles", plain(&["profiles"]), Ends::Success),
        // The journal's commands need the data dir (its database): without one they refuse.
        ("apply", with(&["apply", "--resume"]), Ends::Either),
        ("history", plain(&["history"]), Ends::Either),
        ("undo", plain(&["undo", "1"]), Ends::Either),
        ("rules", with(&["rules"]), Ends::Success),
        (
            "give-back",
            plain(&["give-back", "1", "someone@example.com"]),
            Ends::Either,
        ),
        (
            "completions",
            plain(&["completions", "bash"]),
            Ends::Success,
        ),
        ("man", plain(&["man"]), Ends::Success),
    ]
}

pub fn assert_every_subcommand_is_covered(table: &[(&'static str, Vec<String>, Ends)]) {
    let cli = seats::cli::Cli::command();
    for sub in cli.get_subcommands() {
        let name = sub.get_name();
        if name == "help" {
            continue;
        }
        assert!(
            table.iter().any(|(n, _, _)| *n == name),
            "`seats {name}` has no entry in tests/support/hardening.rs every_subcommand()"
        );
    }
}

/// Whether the output shows a crash: the panic hook's words or exit code 101.
pub fn crashed(out: &std::process::Output) -> bool {
    let stderr = String::from_utf8_lossy(&out.stderr);
    out.status.code() == Some(101)
        || stderr.contains("seats crashed")
        || stderr.contains("panicked")
}
