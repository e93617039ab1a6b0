//! A `seats sandbox` process for the tests that drive the real binary: started on a free port
//! with its data in `dir`, its banner read on a thread (a hung binary fails the test instead of
//! hanging it), killed when dropped.
//!
//! Use with `#[path = "support/sandbox_process.rs"] mod sandbox_process;`.
// Each test file uses part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The banner's last line: everything before it has been printed.
const LAST_LINE: &str = "Stop with Ctrl-C.";

pub struct SandboxProcess {
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub org_id: String,
    /// Every line the banner printed (the clock, the credentials, ...).
    pub banner: Vec<String>,
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SandboxProcess {
    /// `seats sandbox --port 0 ARGS...`; panics with the banner seen when it does not start.
    pub fn start(dir: &Path, args: &[&str]) -> SandboxProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_seats"))
            .args(["sandbox", "--port", "0"])
            .args(args)
            .env("SEATS_DATA_DIR", dir)
            .env("SEATS_CONFIG_DIR", dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("could not run seats sandbox: {e}"));
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            panic!("seats sandbox has no stdout");
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let last = line.trim() == LAST_LINE;
                lines.push(line);
                if last {
                    break;
                }
            }
            let _ = tx.send(lines);
        });
        let banner = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let base = banner
            .first()
            .and_then(|l| l.strip_prefix("seats sandbox listening on "))
            .map(str::to_owned);
        let org_id = banner
            .iter()
            .find_map(|l| l.strip_prefix("org id:"))
            .map(|s| s.trim().to_owned());
        match (base, org_id) {
            (Some(base), Some(org_id)) => SandboxProcess {
                child,
                base,
                org_id,
                banner,
            },
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("unexpected sandbox banner: {banner:?}");
            }
        }
    }

    /// The banner line that starts with `label` (e.g. "clock:"), without the label.
    pub fn banner_value(&self, label: &str) -> Option<&str> {
        self.banner
            .iter()
            .find_map(|l| l.strip_prefix(label))
            .map(str::trim)
    }
}
