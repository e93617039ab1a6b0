//! On a terminal (tmux): an interrupted export ends its progress line before the shell
//! prompt, and a long wait shows a countdown with its reason. Skipped without tmux.

#[path = "support/hardening.rs"]
mod hardening;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use seats::sandbox::SandboxConfig;

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(script: &str) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            eprintln!("note: skipped: no tmux (tests/run.sh installs it)");
            return None;
        }
        let t = Tmux {
            socket: format!("seats-hardening-{}-{}", std::process::id(), rand_suffix()),
        };
        let out = t.cmd(&[
            "new-session",
            "-d",
            "-s",
            "h",
            "-x",
            "150",
            "-y",
            "30",
            "sh",
            "-c",
            script,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(t)
    }

    fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap()
    }

    fn screen(&self) -> String {
        let out = self.cmd(&["capture-pane", "-p", "-S", "-100", "-t", "h"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(Instant::now() < deadline, "no {text:?} on:\n{screen}");
            std::thread::sleep(Duration::from_millis(30));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

fn export_script(home: &std::path::Path, base: &str, org: &str) -> String {
    let cfg = SandboxConfig::default();
    format!(
        // The shell outlives Ctrl-C (a trap, not an ignore: the child gets the default back).
        "trap true INT; env SEATS_CONFIG_DIR={h}/config SEATS_DATA_DIR={h}/data SEATS_ORG_API_KEY={k} SEATS_SITE_API_TOKEN={t} \
         {bin} export users --output {h}/out.csv {conn}; echo EXIT=$?; sleep 30",
        h = home.display(),
        k = cfg.org_api_key,
        t = cfg.site_token,
        bin = env!("CARGO_BIN_EXE_seats"),
        conn = hardening::connection(base, org).join(" "),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_export_ends_its_progress_line() {
    // 3000 users in pages of 100, 300 ms each: ten seconds to interrupt it in.
    let sb = seats::sandbox::start(SandboxConfig {
        users: 3000,
        latency_ms: 300,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let home = hardening::Home::new();
    let Some(tmux) = Tmux::start(&export_script(home.path(), &sb.base_url(), &sb.org_id())) else {
        return;
    };
    let tmux = tokio::task::spawn_blocking(move || {
        tmux.wait_for("fetched ");
        tmux.cmd(&["send-keys", "-t", "h", "C-c"]);
        tmux.wait_for("EXIT=");
        tmux
    })
    .await
    .unwrap();
    let screen = tmux.screen();
    let lines: Vec<&str> = screen.lines().map(str::trim_end).collect();
    assert!(lines.contains(&"EXIT=130"), "{screen}");
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("fetched") && l.contains("EXIT")),
        "the progress line was left open:\n{screen}"
    );
    assert!(screen.contains("interrupted"), "{screen}");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_wait_counts_down_with_its_reason() {
    let sb = seats::sandbox::start(SandboxConfig {
        users: 1500,
        rate_limit_per_minute: 20,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let home = hardening::Home::new();
    let Some(tmux) = Tmux::start(&export_script(home.path(), &sb.base_url(), &sb.org_id())) else {
        return;
    };
    let screen = tokio::task::spawn_blocking(move || {
        let screen = tmux.wait_for("waiting ");
        drop(tmux);
        screen
    })
    .await
    .unwrap();
    let line = screen
        .lines()
        .find(|l| l.contains("waiting "))
        .unwrap_or_default();
    assert!(
        line.contains(" s: ") && (line.contains("rate limit")),
        "{screen}"
    );
    sb.shutdown().await;
}
