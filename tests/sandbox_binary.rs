//! The real `seats sandbox` binary: prints its address, serves, and exits 0 on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::test]
async fn seats_sandbox_serves_until_sigterm_and_exits_0() {
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_seats"))
        .args(["sandbox", "--port", "0", "--users", "300", "--seed", "11"])
        .env("SEATS_DATA_DIR", data.path())
        .env("SEATS_CONFIG_DIR", data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("could not run seats: {e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    // Read the banner on a thread: a hung binary must fail the test, not hang it.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let lines: Vec<String> = BufReader::new(stdout)
            .lines()
            .take(3)
            .map_while(Result::ok)
            .collect();
        let _ = tx.send(lines);
    });
    let lines = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
    let first = lines.first().cloned().unwrap_or_default();
    let base = first
        .strip_prefix("seats sandbox listening on ")
        .map(str::to_string);
    let Some(base) = base else {
        let _ = child.kill();
        panic!("unexpected first line: {first:?}");
    };
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert!(
        lines
            .get(1)
            .is_some_and(|l| l.contains(seats::sandbox::DEFAULT_ORG_ID)),
        "{lines:?}"
    );

    let response = reqwest::Client::new()
        .get(format!("{base}/admin/v1/orgs"))
        .bearer_auth(seats::sandbox::DEFAULT_ORG_API_KEY)
        .send()
        .await;
    let status = response.map(|r| r.status().as_u16()).unwrap_or(0);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    assert!(killed.is_ok_and(|s| s.success()), "kill -TERM failed");
    let mut exit = None;
    for _ in 0..100 {
        if let Ok(Some(s)) = child.try_wait() {
            exit = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if exit.is_none() {
        let _ = child.kill();
    }
    assert_eq!(status, 200);
    assert_eq!(
        exit.and_then(|s| s.code()),
        Some(0),
        "seats sandbox did not exit 0 on SIGTERM"
    );
}
