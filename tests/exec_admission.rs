//! Admission holds where a batch is made, whatever path the steps came by: a plan file whose
//! `refusal` is set, a hand-made file over the batch cap, a retry, an undo plan and a resume
//! are all refused over `[plan] batch_cap`, with nothing sent and nothing journaled. And one
//! plan applied by two processes at once runs once; applying it again needs `--again`.

use std::path::{Path, PathBuf};

use chrono::Utc;
use seats::exec::{self, Admission, Journal, NewBatch};
use seats::plan::{Change, PLAN_FILE_VERSION, PlanFile, Refusal, Step};
use seats::sandbox::state::{AccountType, OrgState, UserIx};
use seats::sandbox::{self, DEFAULT_ORG_API_KEY, DEFAULT_SITE_EMAIL, Sandbox, SandboxConfig};

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn command(sb: &Sandbox, home: &Path, args: &[&str]) -> tokio::process::Command {
    let base = sb.base_url();
    let org = sb.org_id();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_seats"));
    if args.first() == Some(&"apply") {
        cmd.args([
            "--admin-url",
            &base,
            "--org-id",
            &org,
            "--email",
            DEFAULT_SITE_EMAIL,
        ]);
    }
    cmd.args(args)
        .current_dir(home)
        .env("SEATS_ORG_API_KEY", DEFAULT_ORG_API_KEY)
        .env("SEATS_DATA_DIR", home)
        .env("SEATS_CONFIG_DIR", home)
        .stdin(std::process::Stdio::null());
    cmd
}

async fn seats(sb: &Sandbox, home: &Path, args: &[&str]) -> Run {
    let out = command(sb, home, args).output().await.unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn set_cap(home: &Path, cap: u32) {
    std::fs::write(
        home.join("config.toml"),
        format!("[plan]\nbatch_cap = {cap}\n"),
    )
    .unwrap();
}

fn targets(state: &OrgState, n: usize) -> Vec<UserIx> {
    let found: Vec<UserIx> = (0..state.users.len() as UserIx)
        .filter(|ix| {
            let u = state.user(*ix);
            u.account_type == AccountType::Atlassian
                && u.can_sign_in()
                && state.platform_roles(*ix).is_empty()
        })
        .take(n)
        .collect();
    assert_eq!(found.len(), n, "the sandbox has too few plain users");
    found
}

fn plan_of(sb: &Sandbox, changes: &[(UserIx, Change)]) -> PlanFile {
    let shared = sb.shared();
    let state = shared.read();
    let steps = changes
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
        .collect();
    PlanFile {
        version: PLAN_FILE_VERSION,
        id: Some(exec::ids::new_id()),
        created_at: Utc::now(),
        org_id: sb.org_id(),
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
    }
}

fn save(home: &Path, name: &str, plan: &PlanFile) -> PathBuf {
    let path = home.join(name);
    std::fs::write(&path, plan.to_json()).unwrap();
    path
}

fn batches(home: &Path) -> usize {
    Journal::open(&home.join("seats.db"))
        .unwrap()
        .batches()
        .unwrap()
        .len()
}

fn writes(sb: &Sandbox) -> usize {
    sb.shared().read().events.len()
}

async fn setup() -> (Sandbox, tempfile::TempDir) {
    let sb = sandbox::start(SandboxConfig {
        users: 200,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    (sb, tempfile::tempdir().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_over_cap_batch_is_refused_on_every_path() {
    let (sb, home) = setup().await;
    let home = home.path();
    let ixs = targets(&sb.shared().read(), 12);
    let suspend: Vec<(UserIx, Change)> = ixs.iter().map(|ix| (*ix, Change::Suspend)).collect();

    // A plan `seats plan` refused (it writes the file with its refusal), under a generous cap.
    set_cap(home, 100);
    let mut refused = plan_of(&sb, &suspend[..3]);
    refused.refusal = Some(Refusal::BatchTooLarge { users: 53, cap: 10 });
    let file = save(home, "refused.json", &refused);
    let run = seats(&sb, home, &["apply", file.to_str().unwrap(), "--yes"]).await;
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("may not run"), "{}", run.stderr);

    // A hand-made file over the cap.
    set_cap(home, 10);
    let file = save(home, "over.json", &plan_of(&sb, &suspend));
    let run = seats(&sb, home, &["apply", file.to_str().unwrap(), "--yes"]).await;
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("changes 12 users, more than the batch cap of 10"),
        "{}",
        run.stderr
    );
    assert_eq!(writes(&sb), 0, "a refused plan changed the org");
    assert_eq!(batches(home), 0, "a refused plan reached the journal");

    // Under a cap of 100 the same file runs; its undo (12 restores) and a retry of 12 failed
    // group additions are then refused under a cap of 10.
    set_cap(home, 100);
    let run = seats(&sb, home, &["apply", file.to_str().unwrap(), "--yes"]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let bogus = Change::AddToGroup {
        group_id: "00000000-0000-0000-0000-000000000000".into(),
        group_name: "no such group".into(),
    };
    let failing: Vec<(UserIx, Change)> = ixs.iter().map(|ix| (*ix, bogus.clone())).collect();
    let file = save(home, "failing.json", &plan_of(&sb, &failing));
    let run = seats(&sb, home, &["apply", file.to_str().unwrap(), "--yes"]).await;
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    let undo = seats(&sb, home, &["undo", "1", "-o", "undo.json"]).await;
    assert_eq!(undo.code, Some(0), "{}", undo.stderr);

    set_cap(home, 10);
    let before = (writes(&sb), batches(home));
    let run = seats(&sb, home, &["apply", "--retry-failed", "2", "--yes"]).await;
    assert_eq!(run.code, Some(1), "retry: {}", run.stderr);
    assert!(run.stderr.contains("batch cap of 10"), "{}", run.stderr);
    let run = seats(&sb, home, &["apply", "undo.json", "--yes"]).await;
    assert_eq!(run.code, Some(1), "undo: {}", run.stderr);
    assert!(run.stderr.contains("batch cap of 10"), "{}", run.stderr);
    assert_eq!((writes(&sb), batches(home)), before);

    // A batch left unfinished (as an older seats could leave one) is not resumed over the cap.
    let open = {
        let mut j = Journal::open(&home.join("seats.db")).unwrap();
        let plan = plan_of(&sb, &suspend);
        let meta = NewBatch::from_plan(&plan, "op".into(), "older seats".into(), false);
        let plan = PlanFile {
            steps: plan
                .steps
                .iter()
                .map(|s| Step {
                    change: Change::Restore,
                    ..s.clone()
                })
                .collect(),
            ..plan
        };
        exec::submit(&mut j, &plan, &meta, &Admission { batch_cap: 100 }).unwrap()
    };
    let run = seats(&sb, home, &["apply", "--resume"]).await;
    assert_eq!(run.code, Some(4), "resume: {}", run.stderr);
    assert!(
        run.stderr.contains(&format!("batch {open} is not resumed")),
        "{}",
        run.stderr
    );
    assert_eq!(writes(&sb), before.0, "a refused resume changed the org");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_plan_applied_by_two_processes_at_once_runs_once() {
    let sb = sandbox::start(SandboxConfig {
        users: 200,
        latency_ms: 15,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let ixs = targets(&sb.shared().read(), 30);
    let suspend: Vec<(UserIx, Change)> = ixs.iter().map(|ix| (*ix, Change::Suspend)).collect();
    let file = save(home, "plan.json", &plan_of(&sb, &suspend));
    let arg = file.to_str().unwrap();

    let first = command(&sb, home, &["apply", arg, "--yes"]).output();
    let second = command(&sb, home, &["apply", arg, "--yes"]).output();
    let (first, second) = tokio::join!(first, second);
    let (first, second) = (first.unwrap(), second.unwrap());
    let codes = [first.status.code(), second.status.code()];
    let stderr = [
        String::from_utf8_lossy(&first.stderr).into_owned(),
        String::from_utf8_lossy(&second.stderr).into_owned(),
    ];
    assert!(
        codes.contains(&Some(0)) && codes.contains(&Some(1)),
        "{codes:?} {stderr:?}"
    );
    let refused = &stderr[codes.iter().position(|c| *c == Some(1)).unwrap()];
    assert!(
        refused.contains("being applied as batch 1")
            || refused.contains("already applied as batch 1"),
        "{refused}"
    );
    let journal = Journal::open(&home.join("seats.db")).unwrap();
    let items = journal
        .audit()
        .unwrap()
        .into_iter()
        .filter(|e| e.event == "item")
        .count();
    assert_eq!(items, 30, "each user changed in one batch only");
    assert_eq!(
        sb.shared()
            .read()
            .events
            .iter()
            .filter(|e| e.action == "user_suspended")
            .count(),
        30
    );
    assert_eq!(batches(home), 1);

    // Later, the same file again: refused with the batch; --again runs it on purpose.
    let run = seats(&sb, home, &["apply", arg, "--yes"]).await;
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("already applied as batch 1") && run.stderr.contains("--again"),
        "{}",
        run.stderr
    );
    let run = seats(&sb, home, &["apply", arg, "--yes", "--again"]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("batch 2: 0 done"), "{}", run.stdout);

    // A file with no id (made by hand) is known by its content.
    let mut plain = plan_of(&sb, &suspend[..2]);
    plain.id = None;
    let file = save(home, "plain.json", &plain);
    let run = seats(&sb, home, &["apply", file.to_str().unwrap(), "--yes"]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let run = seats(&sb, home, &["apply", file.to_str().unwrap(), "--yes"]).await;
    assert!(
        run.stderr.contains("already applied as batch 3"),
        "{}",
        run.stderr
    );
    sb.shutdown().await;
}

/// The console admits its batches through `submit_shared` (the journal shared with the
/// executor): the same rules hold there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consoles_way_in_applies_the_same_rules() {
    let (sb, home) = setup().await;
    let ixs = targets(&sb.shared().read(), 12);
    let suspend: Vec<(UserIx, Change)> = ixs.iter().map(|ix| (*ix, Change::Suspend)).collect();
    let shared: exec::SharedJournal = std::sync::Arc::new(std::sync::Mutex::new(
        Journal::open(&home.path().join("seats.db")).unwrap(),
    ));
    let plan = plan_of(&sb, &suspend);
    let meta = NewBatch::from_plan(&plan, "op".into(), "console".into(), false);
    let err = exec::admit::submit_shared(
        &shared,
        plan.clone(),
        meta.clone(),
        Admission { batch_cap: 10 },
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("batch cap of 10"), "{err}");
    let batch = exec::admit::submit_shared(
        &shared,
        plan.clone(),
        meta.clone(),
        Admission { batch_cap: 12 },
    )
    .await
    .unwrap();
    let err = exec::admit::submit_shared(&shared, plan, meta, Admission { batch_cap: 12 })
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("being applied as batch {batch}")),
        "{err}"
    );
    sb.shutdown().await;
}
