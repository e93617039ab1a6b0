//! `seats demo` end to end: it prints the reclaim table, its "try it" instructions work as
//! printed, and its idle count agrees with an independent export of the same org.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn seats() -> Command {
    Command::new(env!("CARGO_BIN_EXE_seats"))
}

#[test]
fn demo_prints_idle_seats_and_its_instructions_work() {
    let dirs = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let mut demo = seats()
        .args(["report", "--demo", "--users", "400", "--seed", "5"])
        .env("SEATS_CONFIG_DIR", dirs.path())
        .env("SEATS_DATA_DIR", dirs.path())
        // Without a terminal the demo serves while its standard input is open.
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("could not run seats demo: {e}"));
    let stdout = demo.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let done = line.starts_with("Press Ctrl-C");
            lines.push(line);
            if done {
                break;
            }
        }
        let _ = tx.send(lines);
    });
    let lines = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
    let text = lines.join("\n");

    // The table has a row per product with "idle ≥90d" counts.
    let jira_row = lines
        .iter()
        .find(|l| l.starts_with("Jira Software"))
        .cloned();
    for product in ["Confluence", "Jira Service Management", "Jira Software"] {
        assert!(text.contains(product), "no {product} row in:\n{text}");
    }
    let demo_idle: Option<u64> = jira_row.as_deref().and_then(|row| {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let at = cols.iter().position(|c| c.starts_with('≥'))?;
        cols.get(at.checked_sub(1)?)?.parse().ok()
    });

    // The printed instructions: an `export` line with the sandbox secrets and a status command.
    let env_line = lines
        .iter()
        .find(|l| l.trim_start().starts_with("export SEATS_ORG_API_KEY="));
    let status_line = lines.iter().find(|l| l.trim_end().ends_with(" status"));
    let env: Vec<(String, String)> = env_line
        .map(|l| {
            l.split_whitespace()
                .skip(1)
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let status_args: Vec<String> = status_line
        .map(|l| l.split_whitespace().skip(1).map(str::to_owned).collect())
        .unwrap_or_default();
    let export_args: Vec<String> = status_args
        .iter()
        .take(status_args.len().saturating_sub(1))
        .cloned()
        .chain(
            [
                "export",
                "users",
                "--format",
                "json",
                "--product",
                "jira-software",
            ]
            .map(String::from),
        )
        .collect();

    let run = |args: &[String]| {
        seats()
            .args(args)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("SEATS_CONFIG_DIR", dirs.path())
            .env("SEATS_DATA_DIR", dirs.path())
            .output()
    };
    let status = run(&status_args);
    let export = run(&export_args);

    let _ = Command::new("kill")
        .args(["-INT", &demo.id().to_string()])
        .status();
    let mut exit = None;
    for _ in 0..100 {
        if let Ok(Some(s)) = demo.try_wait() {
            exit = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if exit.is_none() {
        let _ = demo.kill();
    }

    assert!(
        !status_args.is_empty() && !env.is_empty(),
        "no instructions in:\n{text}"
    );
    let status = status.unwrap_or_else(|e| panic!("status did not run: {e}"));
    assert!(
        status.status.success(),
        "the printed status command failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let export = export.unwrap_or_else(|e| panic!("export did not run: {e}"));
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let users: serde_json::Value = serde_json::from_slice(&export.stdout)
        .unwrap_or_else(|e| panic!("export is not JSON: {e}"));
    // Idle Jira Software seats counted from the export: active Atlassian accounts whose
    // jira-software access is never used or unused for 90 days or more.
    let export_idle = users
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|u| u["account_type"] == "atlassian" && u["status"] == "active")
                .filter_map(|u| {
                    u["products"]
                        .as_array()?
                        .iter()
                        .find(|p| p["key"] == "jira-software")
                        .cloned()
                })
                .filter(|p| p["days_inactive"].as_i64().is_none_or(|d| d >= 90))
                .count() as u64
        })
        .unwrap_or(0);
    assert!(export_idle > 0, "the demo org should have idle Jira seats");
    assert_eq!(demo_idle, Some(export_idle), "demo row: {jira_row:?}");
    assert_eq!(
        exit.and_then(|s| s.code()),
        Some(0),
        "seats demo did not exit 0 on Ctrl-C"
    );
}

#[test]
fn demo_without_a_terminal_reports_and_exits() {
    let dirs = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let mut demo = seats()
        .args(["report", "--demo", "--users", "100"])
        .env("SEATS_CONFIG_DIR", dirs.path())
        .env("SEATS_DATA_DIR", dirs.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("could not run seats demo: {e}"));
    let mut exit = None;
    for _ in 0..600 {
        if let Ok(Some(s)) = demo.try_wait() {
            exit = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if exit.is_none() {
        let _ = demo.kill();
        let _ = demo.wait();
    }
    let exit = exit.unwrap_or_else(|| panic!("report --demo < /dev/null did not exit"));
    assert!(exit.success(), "{exit:?}");
    let mut text = String::new();
    if let Some(mut out) = demo.stdout.take() {
        let _ = std::io::Read::read_to_string(&mut out, &mut text);
    }
    assert!(text.contains("idle"), "{text}");
}
