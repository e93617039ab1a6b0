//! `seats rules` and `seats rules run` as a cron job would run them: the real binary against a
//! `seats sandbox` process. The preview names who the run then warns; a channel that fails is
//! recorded per user, exits 3 and is retried next run without repeating the channel that
//! worked; the webhook's URL (a secret) reaches no output, log line or audit entry; a run
//! that finds the lock taken does nothing; a broken rule is an error at its line;
//! `seats report --since` shows the recorded seats.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use seats::sandbox::{DEFAULT_ORG_API_KEY, DEFAULT_SITE_EMAIL, DEFAULT_SITE_TOKEN};

#[path = "support/sandbox_process.rs"]
mod sandbox_process;
use sandbox_process::SandboxProcess as Sandbox;

fn start_sandbox(dir: &Path) -> Sandbox {
    Sandbox::start(dir, &["--users", "400"])
}

/// The webhook points at a closed port: the channel fails every time, deterministically.
const HOOK_URL: &str = "http://127.0.0.1:9/hooks/s3cr3t-path-token";

fn seats(sb: &Sandbox, home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seats"))
        .args(args)
        .args([
            "--admin-url",
            &sb.base,
            "--site-url",
            &sb.base,
            "--org-id",
            &sb.org_id,
            "--email",
            DEFAULT_SITE_EMAIL,
        ])
        .env("SEATS_ORG_API_KEY", DEFAULT_ORG_API_KEY)
        .env("SEATS_SITE_API_TOKEN", DEFAULT_SITE_TOKEN)
        .env("SEATS_WEBHOOK_HOOK", HOOK_URL)
        .env("SEATS_DATA_DIR", home)
        .env("SEATS_CONFIG_DIR", home)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn write_config(home: &Path, notices: &Path) {
    let text = format!(
        r#"
[[rules]]
name = "idle jira"
query = "product:jira-software idle:90"
action = "remove-product-access"
grace_days = 14
cap = 15
channels = [
  {{ type = "file", path = "{}" }},
  {{ type = "webhook", secret = "hook" }},
]
"#,
        notices.display()
    );
    std::fs::write(home.join("config.toml"), text).unwrap();
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn warn_lines(preview: &str) -> Vec<String> {
    preview
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("warn  "))
        .filter_map(|l| l.split('<').nth(1)?.split('>').next().map(str::to_owned))
        .collect()
}

#[test]
fn a_cron_run_warns_the_previewed_users_records_failures_and_keeps_secrets() {
    let tmp = tempfile::tempdir().unwrap();
    let sb = start_sandbox(tmp.path());
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let notices = home.join("notices.jsonl");
    write_config(&home, &notices);

    let preview = seats(&sb, &home, &["rules"]);
    assert!(preview.status.success(), "{}", text(&preview.stderr));
    let preview = text(&preview.stdout);
    assert!(preview.contains("next run warns 15 users"), "{preview}");
    let previewed = warn_lines(&preview);
    assert_eq!(previewed.len(), 15, "{preview}");
    // The preview changed nothing; nor does a dry run, which prints the same.
    assert!(!notices.exists());
    let dry = seats(&sb, &home, &["rules", "run", "--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    let dry = text(&dry.stdout);
    assert!(
        dry.contains("next run warns 15 users") && dry.contains("Dry run: nothing was sent"),
        "{dry}"
    );
    assert_eq!(warn_lines(&dry), previewed);
    assert!(!notices.exists());
    assert!(
        !home.join("audit.jsonl").exists()
            || !std::fs::read_to_string(home.join("audit.jsonl"))
                .unwrap()
                .contains("rule_")
    );

    let run = seats(&sb, &home, &["rules", "run"]);
    let stdout = text(&run.stdout);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(stdout.contains("warned 15, notice failures 15"), "{stdout}");
    let lines = std::fs::read_to_string(&notices).unwrap();
    let mut emailed: Vec<String> = lines
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["email"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    emailed.sort();
    let mut want = previewed.clone();
    want.sort();
    assert_eq!(emailed, want, "the run warns whom the preview named");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&notices).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    // Rerun: the file channel is not repeated, the webhook is tried again.
    let rerun = seats(&sb, &home, &["rules", "run"]);
    let restdout = text(&rerun.stdout);
    assert_eq!(rerun.status.code(), Some(3), "{restdout}");
    assert!(
        restdout.contains("warned 15, notice failures 30"),
        "{restdout}"
    );
    let again = std::fs::read_to_string(&notices).unwrap();
    // 15 more for the next 15 candidates, none for the first 15.
    assert_eq!(again.lines().count(), 30);
    for email in &previewed {
        assert_eq!(again.matches(&format!("\"{email}\"")).count(), 1, "{email}");
    }

    // The webhook's URL is a secret: in no output, audit line or log.
    let audit = std::fs::read_to_string(home.join("audit.jsonl")).unwrap();
    assert!(audit.contains("\"rule_warned\"") && audit.contains("\"rule_notice_failed\""));
    let mut everything = format!("{stdout}{stderr}{restdout}{}{audit}", text(&rerun.stderr));
    if let Ok(logs) = std::fs::read_dir(home.join("logs")) {
        for f in logs.flatten() {
            everything.push_str(&std::fs::read_to_string(f.path()).unwrap_or_default());
        }
    }
    assert!(
        !everything.contains("s3cr3t-path-token"),
        "the webhook URL leaked"
    );
    assert!(
        audit.contains("webhook \\\"hook\\\": could not connect"),
        "{audit}"
    );

    // A run that finds the lock taken does nothing.
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(home.join("rules.lock"))
        .unwrap();
    lock.try_lock().unwrap();
    let blocked = seats(&sb, &home, &["rules", "run"]);
    assert_eq!(blocked.status.code(), Some(0));
    assert!(text(&blocked.stderr).contains("another `seats rules run` is running"));
    assert_eq!(
        std::fs::read_to_string(&notices).unwrap().lines().count(),
        30
    );
    drop(lock);

    // Seats over time, from the local database.
    let report = seats(&sb, &home, &["report", "--since", "2000-01-01"]);
    let report_out = text(&report.stdout);
    assert!(report.status.success(), "{}", text(&report.stderr));
    assert!(report_out.contains("jira-software"), "{report_out}");
    assert!(report_out.contains("no executed batch"), "{report_out}");
}

#[test]
fn a_rule_that_does_not_parse_is_an_error_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    std::fs::write(
        home.join("config.toml"),
        "[api]\npage_size = 50\n\n[[rules]]\nname = \"x\"\nquery = \"product:jira-software idle:soon\"\naction = \"suspend\"\ngrace_days = 14\nchannels = [{ type = \"file\", path = \"n.jsonl\" }]\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_seats"))
        .args([
            "rules",
            "--org-id",
            "o",
            "--admin-url",
            "http://127.0.0.1:9",
        ])
        .env("SEATS_CONFIG_DIR", home)
        .env("SEATS_DATA_DIR", home)
        .env("SEATS_ORG_API_KEY", DEFAULT_ORG_API_KEY)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("config.toml:4:"), "{err}");
    assert!(err.contains("rule \"x\"") && err.contains("idle"), "{err}");
}
