//! `seats apply`, `seats history` and `seats undo` as an admin runs them: the real binary
//! against the in-process sandbox, with its own data and config dirs.

use std::path::{Path, PathBuf};

use chrono::Utc;
use seats::plan::{Change, PLAN_FILE_VERSION, PlanFile, Step};
use seats::sandbox::state::{AccountType, Membership, OrgState, UserIx};
use seats::sandbox::{self, DEFAULT_ORG_API_KEY, DEFAULT_SITE_EMAIL, Sandbox, SandboxConfig};

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

async fn seats(sb: &Sandbox, home: &Path, args: &[&str]) -> Run {
    // Only apply talks to the org; history and undo read the journal alone.
    let base = sb.base_url();
    let org = sb.org_id();
    let connection: Vec<&str> = if args.first() == Some(&"apply") {
        vec![
            "--admin-url",
            &base,
            "--org-id",
            &org,
            "--email",
            DEFAULT_SITE_EMAIL,
        ]
    } else {
        Vec::new()
    };
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_seats"))
        .args(connection)
        .args(args)
        .current_dir(home)
        .env("SEATS_ORG_API_KEY", DEFAULT_ORG_API_KEY)
        .env("SEATS_DATA_DIR", home)
        .env("SEATS_CONFIG_DIR", home)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn targets(state: &OrgState, n: usize) -> Vec<UserIx> {
    (0..state.users.len() as UserIx)
        .filter(|ix| {
            let u = state.user(*ix);
            u.account_type == AccountType::Atlassian
                && u.can_sign_in()
                && !u.synced
                && state.platform_roles(*ix).is_empty()
        })
        .take(n)
        .collect()
}

fn write_plan(sb: &Sandbox, home: &Path, org_id: &str, changes: Vec<(UserIx, Change)>) -> PathBuf {
    let shared = sb.shared();
    let state = shared.read();
    let steps = changes
        .into_iter()
        .map(|(ix, change)| {
            let u = state.user(ix);
            Step {
                account_id: u.account_id.clone(),
                name: u.name.clone(),
                email: u.email.clone(),
                change,
                guard: None,
            }
        })
        .collect();
    let plan = PlanFile {
        version: PLAN_FILE_VERSION,
        id: None,
        created_at: Utc::now(),
        org_id: org_id.to_owned(),
        profile: None,
        query: None,
        steps,
        fetched_at: None,
        held_out: Vec::new(),
        no_ops: Vec::new(),
        keeps: Vec::new(),
        effect: None,
        refusal: None,
        queue: None,
    };
    let path = home.join("plan.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&plan).unwrap()).unwrap();
    path
}

async fn setup(users: usize) -> (Sandbox, tempfile::TempDir) {
    let sb = sandbox::start(SandboxConfig {
        users,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    (sb, tempfile::tempdir().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_refuses_another_orgs_plan_and_a_missing_confirmation() {
    let (sb, home) = setup(60).await;
    let ixs = targets(&sb.shared().read(), 3);
    let steps: Vec<_> = ixs.iter().map(|ix| (*ix, Change::Suspend)).collect();

    let plan = write_plan(&sb, home.path(), "another-org", steps.clone());
    let run = seats(
        &sb,
        home.path(),
        &["apply", plan.to_str().unwrap(), "--yes"],
    )
    .await;
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("made for org another-org"),
        "{}",
        run.stderr
    );

    let plan = write_plan(&sb, home.path(), &sb.org_id(), steps);
    let run = seats(&sb, home.path(), &["apply", plan.to_str().unwrap()]).await;
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("no terminal to confirm on"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("About to make 3 changes"),
        "{}",
        run.stderr
    );
    assert!(
        sb.shared().read().events.is_empty(),
        "a refused apply changed the org"
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_items_give_exit_3_and_retry_failed_queues_only_them() {
    let (sb, home) = setup(80).await;
    let ixs = targets(&sb.shared().read(), 4);
    let bogus = Change::AddToGroup {
        group_id: "00000000-0000-0000-0000-000000000000".into(),
        group_name: "no such group".into(),
    };
    let plan = write_plan(
        &sb,
        home.path(),
        &sb.org_id(),
        vec![
            (ixs[0], Change::Suspend),
            (ixs[1], bogus),
            (ixs[2], Change::Suspend),
        ],
    );
    let run = seats(
        &sb,
        home.path(),
        &["apply", plan.to_str().unwrap(), "--yes"],
    )
    .await;
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(
        run.stdout.contains("batch 1: 2 done, 1 failed, 0 skipped"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("--retry-failed 1"), "{}", run.stderr);

    let run = seats(&sb, home.path(), &["apply", "--retry-failed", "1", "--yes"]).await;
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(
        run.stdout.contains("batch 2: 0 done, 1 failed"),
        "{}",
        run.stdout
    );

    let csv = seats(&sb, home.path(), &["history", "--format", "csv"]).await;
    assert_eq!(csv.code, Some(0), "{}", csv.stderr);
    let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4, "{}", csv.stdout);
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[1][col("state")], "failed");
    assert_eq!(&rows[1][col("http_status")], "404");
    assert_eq!(&rows[3][col("source")], "retry of batch 1");

    let json = seats(
        &sb,
        home.path(),
        &["history", "--format", "json", "--batch", "1"],
    )
    .await;
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v[0]["id"], 1);
    assert_eq!(v[0]["items"].as_array().unwrap().len(), 3);
    assert_eq!(v[0]["counts"]["done"], 2);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_then_undo_of_a_real_run_through_the_commands() {
    let (sb, home) = setup(120).await;
    let ixs = targets(&sb.shared().read(), 6);
    let mut changes: Vec<_> = ixs[..5].iter().map(|ix| (*ix, Change::Suspend)).collect();
    changes.push((ixs[5], Change::RemoveFromDirectory));
    let plan = write_plan(&sb, home.path(), &sb.org_id(), changes);
    let plan_arg = plan.to_str().unwrap();

    let dry = seats(&sb, home.path(), &["apply", plan_arg, "--yes", "--dry-run"]).await;
    assert_eq!(dry.code, Some(0), "{}", dry.stderr);
    assert!(
        dry.stdout.contains("6 would be sent (dry run)"),
        "{}",
        dry.stdout
    );
    assert!(sb.shared().read().events.is_empty());

    let real = seats(&sb, home.path(), &["apply", plan_arg, "--yes"]).await;
    assert_eq!(real.code, Some(0), "{}", real.stderr);
    let undo = seats(&sb, home.path(), &["undo", "2"]).await;
    assert_eq!(undo.code, Some(0), "{}", undo.stderr);
    assert!(
        undo.stdout.contains("undo of batch 2: 5 steps"),
        "{}",
        undo.stdout
    );
    assert!(
        undo.stdout.contains("Cannot be undone by seats (1)"),
        "{}",
        undo.stdout
    );
    assert!(undo.stdout.contains("Invite them again"), "{}", undo.stdout);
    let undo_file = home.path().join("seats-undo-batch-2.json");
    assert!(undo_file.exists());
    assert!(
        seats(&sb, home.path(), &["undo", "1"])
            .await
            .stderr
            .contains("dry run")
    );

    let back = seats(
        &sb,
        home.path(),
        &["apply", undo_file.to_str().unwrap(), "--yes"],
    )
    .await;
    assert_eq!(back.code, Some(0), "{}", back.stderr);
    {
        let shared = sb.shared();
        let state = shared.read();
        for ix in &ixs[..5] {
            assert_eq!(state.user(*ix).membership, Membership::Active);
        }
        assert!(state.user(ixs[5]).removed);
    }

    let table = seats(&sb, home.path(), &["history"]).await;
    assert_eq!(table.stdout.lines().count(), 4, "{}", table.stdout);
    assert!(table.stdout.contains("(dry run)"), "{}", table.stdout);
    sb.shutdown().await;
}
