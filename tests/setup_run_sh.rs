//! README's one test command does the set-up on a fresh machine: `tests/run.sh` installs the
//! missing Debian packages itself as root or with sudo that needs no password, and otherwise
//! prints the one command to run. Checked with stand-ins for dpkg, id, sudo and apt-get on
//! PATH, so no package is really installed. `.ci/run` only runs README's command.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Stubs {
    dir: tempfile::TempDir,
}

impl Stubs {
    /// `missing`: packages dpkg says are not installed; `uid`: what `id -u` prints; `sudo_ok`:
    /// whether sudo runs without a password.
    fn new(missing: &[&str], uid: u32, sudo_ok: bool) -> Stubs {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        let script = |name: &str, body: String| {
            let path = dir.path().join(name);
            std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
                .unwrap();
        };
        let missing = missing.join(" ");
        script(
            "dpkg",
            format!("for m in {missing}; do [ \"$2\" = \"$m\" ] && exit 1; done; exit 0"),
        );
        script("id", format!("echo {uid}"));
        script(
            "sudo",
            if sudo_ok {
                format!(
                    "echo sudo \"$@\" >> {l}; [ \"$1\" = -n ] && shift; exec \"$@\"",
                    l = log.display()
                )
            } else {
                "exit 1".into()
            },
        );
        script(
            "apt-get",
            format!("echo apt-get \"$@\" >> {}", log.display()),
        );
        Stubs { dir }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    fn run(&self) -> std::process::Output {
        let path = format!(
            "{}:{}",
            self.dir.path().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Command::new("bash")
            .arg(root().join("tests/run.sh"))
            .arg("--deps-only")
            .env("PATH", path)
            .output()
            .unwrap()
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

#[test]
fn as_root_the_missing_packages_are_installed() {
    let stubs = Stubs::new(&["gnome-keyring", "tmux"], 0, false);
    let out = stubs.run();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = stubs.log();
    assert!(log.contains("apt-get update"), "{log}");
    let install = log
        .lines()
        .find(|l| l.contains(" install "))
        .unwrap_or_default();
    assert!(
        install.contains("gnome-keyring") && install.contains("tmux") && !install.contains("dbus "),
        "{log}"
    );
}

#[test]
fn with_passwordless_sudo_it_installs_through_sudo() {
    let stubs = Stubs::new(&["dbus"], 1000, true);
    let out = stubs.run();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = stubs.log();
    assert!(
        log.lines()
            .any(|l| l.starts_with("sudo -n") && l.contains("install")),
        "{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.starts_with("apt-get") && l.contains("dbus")),
        "{log}"
    );
}

#[test]
fn otherwise_it_prints_the_one_command_and_installs_nothing() {
    let stubs = Stubs::new(&["tmux", "libsecret-tools"], 1000, false);
    let out = stubs.run();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.contains("apt-get install"))
        .unwrap_or_else(|| panic!("no apt-get line in: {err}"));
    assert!(
        line.contains("tmux") && line.contains("libsecret-tools"),
        "{err}"
    );
    assert!(stubs.log().is_empty(), "{}", stubs.log());
}

#[test]
fn with_everything_installed_nothing_is_run() {
    let stubs = Stubs::new(&[], 1000, false);
    let out = stubs.run();
    assert!(out.status.success());
    assert!(stubs.log().is_empty(), "{}", stubs.log());
}

#[test]
fn ci_only_runs_readmes_test_command() {
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(
        ci.contains("<!-- test-command -->") && ci.contains("eval"),
        "{ci}"
    );
    assert!(
        !ci.contains("apt-get"),
        "installing is tests/run.sh's job:\n{ci}"
    );
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("<!-- test-command -->\n```\ntests/run.sh\n```"));
}
