//! Setup for the tests that use the real OS keyring: skip them (with a note) or, with
//! SEATS_REQUIRE_KEYRING=1, fail them when there is no working Secret Service; profile names no
//! other run uses; the seats binary run in a temporary home. Include it with
//! `#[path = "support/keyring.rs"] mod keyring_support;`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use seats::secrets;
use tokio::io::AsyncWriteExt;

/// Whether the keyring works; without one the test returns early, unless the run requires it.
pub fn keyring_ready() -> bool {
    match secrets::probe() {
        Ok(()) => true,
        Err(e) if std::env::var("SEATS_REQUIRE_KEYRING").as_deref() == Ok("1") => {
            panic!("SEATS_REQUIRE_KEYRING=1 but the keyring does not work: {e}")
        }
        Err(e) => {
            eprintln!("note: keyring test skipped (run it with tests/with-keyring.sh): {e}");
            false
        }
    }
}

/// A profile name (or secret) no other test or earlier run uses: the keyring outlives runs.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}-{nanos}", std::process::id())
}

pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

/// The config file seats uses under `dir`.
pub fn config_file(dir: &Path) -> PathBuf {
    dir.join("config").join("config.toml")
}

/// The seats binary with its config and data under `dir`, and no profile or secret taken from
/// this process's environment.
pub fn seats_command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_seats"));
    cmd.args(args)
        .env("SEATS_CONFIG_DIR", dir.join("config"))
        .env("SEATS_DATA_DIR", dir.join("data"))
        .env_remove("SEATS_PROFILE")
        .env_remove("SEATS_ORG_API_KEY")
        .env_remove("SEATS_SITE_API_TOKEN");
    cmd
}

/// Runs `cmd` with `stdin` written to it, as a piped (non-terminal) login reads its secrets.
pub async fn run_with_stdin(cmd: Command, stdin: &str) -> Output {
    let mut cmd = tokio::process::Command::from(cmd);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("could not run seats: {e}"));
    if let Some(mut pipe) = child.stdin.take() {
        let _ = pipe.write_all(stdin.as_bytes()).await;
    }
    child
        .wait_with_output()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Stdout then stderr, as one text.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
