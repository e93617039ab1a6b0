//! `seats apply`'s exit code is the batch's, whatever happens to standard output (a reader
//! that went away, a full disk); and SIGTERM or SIGHUP mid-batch stop it the orderly way Ctrl-C
//! does: the run is cancelled, nothing is left sent without an answer, exit 4.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use chrono::Utc;
use seats::exec::{BatchStatus, ItemState, Journal};
use seats::plan::{Change, PLAN_FILE_VERSION, PlanFile, Step};
use seats::sandbox::state::{AccountType, OrgState, UserIx};
use seats::sandbox::{self, DEFAULT_ORG_API_KEY, DEFAULT_SITE_EMAIL, Sandbox, SandboxConfig};

fn command(sb: &Sandbox, home: &Path, plan: &Path) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_seats"));
    cmd.args([
        "--admin-url",
        &sb.base_url(),
        "--org-id",
        &sb.org_id(),
        "--email",
        DEFAULT_SITE_EMAIL,
        "apply",
    ])
    .arg(plan)
    .arg("--yes")
    .current_dir(home)
    .env("SEATS_ORG_API_KEY", DEFAULT_ORG_API_KEY)
    .env("SEATS_DATA_DIR", home)
    .env("SEATS_CONFIG_DIR", home)
    .stdin(Stdio::null())
    .stderr(Stdio::piped());
    cmd
}

fn targets(state: &OrgState) -> Vec<UserIx> {
    (0..state.users.len() as UserIx)
        .filter(|ix| {
            let u = state.user(*ix);
            u.account_type == AccountType::Atlassian
                && u.can_sign_in()
                && state.platform_roles(*ix).is_empty()
        })
        .collect()
}

fn write_plan(sb: &Sandbox, home: &Path, name: &str, changes: &[(UserIx, Change)]) -> PathBuf {
    let shared = sb.shared();
    let state = shared.read();
    let plan = PlanFile {
        version: PLAN_FILE_VERSION,
        id: Some(seats::exec::ids::new_id()),
        created_at: Utc::now(),
        org_id: sb.org_id(),
        profile: None,
        query: None,
        steps: changes
            .iter()
            .map(|(ix, change)| {
                let u = state.user(*ix);
                Step {
                    account_id: u.account_id.clone(),
                    name: u.name.clone(),
                    email: u.email.clone(),
                    change: change.clone(),
                    guard: None,
                }
            })
            .collect(),
        fetched_at: None,
        held_out: Vec::new(),
        no_ops: Vec::new(),
        keeps: Vec::new(),
        effect: None,
        refusal: None,
        queue: None,
    };
    let path = home.join(name);
    std::fs::write(&path, plan.to_json()).unwrap();
    path
}

fn bogus() -> Change {
    Change::AddToGroup {
        group_id: "00000000-0000-0000-0000-000000000000".into(),
        group_name: "no such group".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_item_exits_3_with_stdout_closed_or_full() {
    let sb = sandbox::start(SandboxConfig {
        users: 80,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let t = targets(&sb.shared().read());

    // The reader goes away before seats writes its summary (`seats apply ... | true`).
    let plan = write_plan(
        &sb,
        home,
        "closed.json",
        &[(t[0], Change::Suspend), (t[1], bogus())],
    );
    let mut child = command(&sb, home, &plan)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("1 done, 1 failed"), "{stderr}");

    // A full standard output (`> /dev/full`).
    if Path::new("/dev/full").exists() {
        let plan = write_plan(
            &sb,
            home,
            "full.json",
            &[(t[2], Change::Suspend), (t[3], bogus())],
        );
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        // `output()` would replace the file with a pipe.
        let out = command(&sb, home, &plan)
            .stdout(full)
            .spawn()
            .unwrap()
            .wait_with_output()
            .await
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(
            stderr.contains("could not write to standard output"),
            "{stderr}"
        );
    }
    sb.shutdown().await;
}

/// Done items and items left sent, read without writing (the running process owns the journal).
fn progress(db: &Path) -> Option<(i64, i64)> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .ok()?;
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).ok();
    Some((
        count("SELECT COUNT(*) FROM exec_items WHERE state = 'done'")?,
        count("SELECT COUNT(*) FROM exec_items WHERE state = 'sent'")?,
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_sighup_and_sigint_mid_batch_cancel_in_order() {
    let sb = sandbox::start(SandboxConfig {
        users: 600,
        latency_ms: 25,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let db = home.join("seats.db");
    let t = targets(&sb.shared().read());
    for (n, signal) in ["TERM", "HUP", "INT"].into_iter().enumerate() {
        let changes: Vec<(UserIx, Change)> = t[n * 80..n * 80 + 80]
            .iter()
            .map(|ix| (*ix, Change::Suspend))
            .collect();
        let plan = write_plan(&sb, home, &format!("{signal}.json"), &changes);
        let child = command(&sb, home, &plan)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id().unwrap();
        let before = progress(&db).map(|p| p.0).unwrap_or(0);
        let deadline = Instant::now() + Duration::from_secs(60);
        while progress(&db).is_none_or(|(done, _)| done < before + 3) {
            assert!(Instant::now() < deadline, "the batch never got going");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let sent = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid.to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("seats did not stop")
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "SIG{signal}: {stderr}");
        let said = match signal {
            "INT" => "Ctrl-C: cancelling".to_string(),
            _ => format!("SIG{signal}: cancelling"),
        };
        assert!(stderr.contains(&said), "{stderr}");
        let j = Journal::open(&db).unwrap();
        let batch = (n + 1) as i64;
        assert_eq!(j.batch(batch).unwrap().status, BatchStatus::Cancelled);
        let items = j.items(batch).unwrap();
        assert!(items.iter().all(|i| !i.state.is_open()), "{items:?}");
        assert!(items.iter().any(|i| i.state == ItemState::Skipped));
        let events: Vec<String> = j
            .audit()
            .unwrap()
            .into_iter()
            .filter(|e| e.batch == batch)
            .map(|e| e.event)
            .collect();
        assert_eq!(events.last().map(String::as_str), Some("batch_cancelled"));
    }
    sb.shutdown().await;
}
