//! The real `seats sandbox` binary: prints its address, serves, and exits 0 on SIGTERM.

#[path = "support/sandbox_process.rs"]
mod sandbox_process;

use std::process::Command;
use std::time::Duration;

use sandbox_process::SandboxProcess;

#[tokio::test]
async fn seats_sandbox_serves_until_sigterm_and_exits_0() {
    let data = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let mut sb = SandboxProcess::start(data.path(), &["--users", "300", "--seed", "11"]);
    let base = sb.base.clone();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert!(
        sb.org_id == seats::sandbox::DEFAULT_ORG_ID,
        "{:?}",
        sb.banner
    );

    let response = reqwest::Client::new()
        .get(format!("{base}/admin/v1/orgs"))
        .bearer_auth(seats::sandbox::DEFAULT_ORG_API_KEY)
        .send()
        .await;
    let status = response.map(|r| r.status().as_u16()).unwrap_or(0);

    let killed = Command::new("kill")
        .args(["-TERM", &sb.child.id().to_string()])
        .status();
    assert!(killed.is_ok_and(|s| s.success()), "kill -TERM failed");
    let mut exit = None;
    for _ in 0..100 {
        if let Ok(Some(s)) = sb.child.try_wait() {
            exit = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if exit.is_none() {
        let _ = sb.child.kill();
    }
    assert_eq!(status, 200);
    assert_eq!(
        exit.and_then(|s| s.code()),
        Some(0),
        "seats sandbox did not exit 0 on SIGTERM"
    );
}
