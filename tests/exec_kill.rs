//! `kill -9` in the middle of a batch, again and again, then `seats apply --resume`: the real
//! binary against a `seats sandbox` process with latency. The sandbox's events stream must show
//! every planned suspension exactly once, and the journal every item done. A second process
//! that tries to run the batch while the first one does is refused.

use std::collections::HashMap;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use rand::{Rng, SeedableRng};
use seats::atlassian::model::UserSearchRequest;
use seats::atlassian::org::OrgApi;
use seats::atlassian::{Client, Connection, Secret};
use seats::exec::{ItemState, Journal};
use seats::plan::{Change, PLAN_FILE_VERSION, PlanFile, Step};
use seats::sandbox::{DEFAULT_ORG_API_KEY, DEFAULT_SITE_EMAIL};

const PLANNED: usize = 300;

#[path = "support/sandbox_process.rs"]
mod sandbox_process;
use sandbox_process::SandboxProcess as Sandbox;

fn start_sandbox(dir: &Path) -> Sandbox {
    Sandbox::start(dir, &["--users", "700", "--latency-ms", "15"])
}

fn org(sb: &Sandbox) -> OrgApi {
    let conn = Connection {
        admin_url: Some(sb.base.clone()),
        org_id: Some(sb.org_id.clone()),
        org_api_key: Some(Secret::new(DEFAULT_ORG_API_KEY)),
        ..Connection::default()
    };
    OrgApi::new(Client::new(&conn).unwrap(), sb.org_id.clone())
}

/// `seats apply ...` against the sandbox, with the key in the environment (never argv).
fn seats(sb: &Sandbox, home: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_seats"));
    cmd.args([
        "--admin-url",
        &sb.base,
        "--org-id",
        &sb.org_id,
        "--email",
        DEFAULT_SITE_EMAIL,
    ])
    .args(args)
    .env("SEATS_ORG_API_KEY", DEFAULT_ORG_API_KEY)
    .env("SEATS_DATA_DIR", home)
    .env("SEATS_CONFIG_DIR", home)
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    cmd
}

/// Done and open items, read without writing (the running process owns the journal).
fn done_count(db: &Path) -> Option<(usize, usize)> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .ok()?;
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).ok();
    let done = count("SELECT COUNT(*) FROM exec_items WHERE state = 'done'")?;
    let open = count("SELECT COUNT(*) FROM exec_items WHERE state IN ('pending', 'sent')")?;
    Some((done as usize, open as usize))
}

/// Waits until the journal shows at least `done` items done (or the process ends).
fn wait_for_done(child: &mut Child, db: &Path, done: usize) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if done_count(db).is_some_and(|(d, _)| d >= done) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(3));
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_batch_then_resume_applies_each_action_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let sb = start_sandbox(&dir.path().join("sandbox"));
    let home: PathBuf = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let db = home.join("seats.db");
    let api = org(&sb);

    // The plan: suspend 300 active members who are not admins.
    let request = UserSearchRequest {
        expand: vec!["platformRoles".into()],
        limit: Some(100),
        ..UserSearchRequest::default()
    };
    let users: Vec<_> = api.search_users("-", request).try_concat().await.unwrap();
    let steps: Vec<Step> = users
        .iter()
        .filter(|u| {
            u.status.as_deref() == Some("active")
                && u.account_type.as_deref() == Some("atlassian")
                && u.platform_roles.is_empty()
        })
        .take(PLANNED)
        .map(|u| Step {
            account_id: u.account_id.clone(),
            name: u.name.clone().unwrap_or_default(),
            email: u.email.clone(),
            change: Change::Suspend,
            guard: None,
        })
        .collect();
    assert_eq!(steps.len(), PLANNED);
    let plan = PlanFile {
        version: PLAN_FILE_VERSION,
        id: None,
        created_at: chrono::Utc::now(),
        org_id: sb.org_id.clone(),
        profile: None,
        query: Some("kill test".into()),
        steps: steps.clone(),
        fetched_at: None,
        held_out: Vec::new(),
        no_ops: Vec::new(),
        keeps: Vec::new(),
        effect: None,
        refusal: None,
        queue: None,
    };
    let plan_path = dir.path().join("plan.json");
    std::fs::write(&plan_path, serde_json::to_vec(&plan).unwrap()).unwrap();
    let plan_arg = plan_path.to_str().unwrap();

    let seed: u64 = rand::random();
    eprintln!("kill points seed {seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut kills = 0;
    let mut target = 0;
    let mut round = 0;
    loop {
        round += 1;
        assert!(round <= 12, "the batch never finished");
        let args: Vec<&str> = if round == 1 {
            vec!["apply", plan_arg, "--yes"]
        } else {
            vec!["apply", "--resume"]
        };
        let mut child = seats(&sb, &home, &args).spawn().unwrap();
        if kills < 4 {
            target += rng.gen_range(15..60);
            if wait_for_done(&mut child, &db, target) {
                if round == 1 {
                    // A second process on the same database must not run the same batch.
                    let second = seats(&sb, &home, &["apply", "--resume"]).output().unwrap();
                    let stderr = String::from_utf8_lossy(&second.stderr);
                    assert!(
                        !second.status.success(),
                        "a second run was let in: {stderr}"
                    );
                    assert!(stderr.contains("another seats process"), "{stderr}");
                }
                // A random extra moment inside the item cycle.
                std::thread::sleep(Duration::from_micros(rng.gen_range(0..20_000)));
                child.kill().unwrap();
                child.wait().unwrap();
                kills += 1;
                let (done, open) = done_count(&db).unwrap();
                assert!(open > 0, "killed after the end (done {done})");
                continue;
            }
        }
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "round {round}: {:?}: {stderr}",
            out.status
        );
        break;
    }
    assert!(kills >= 3, "only {kills} kills landed mid-batch");

    // The journal: every item done, none left open.
    let j = Journal::open(&db).unwrap();
    let batches = j.batches().unwrap();
    assert_eq!(batches.len(), 1);
    let items = j.items(batches[0].id).unwrap();
    assert_eq!(items.len(), PLANNED);
    assert!(
        items.iter().all(|i| i.state == ItemState::Done),
        "{:?}",
        batches[0].counts
    );
    let confirmed = items
        .iter()
        .filter(|i| {
            i.reason
                .as_deref()
                .is_some_and(|r| r.starts_with("confirmed"))
        })
        .count();
    let resent = items.iter().filter(|i| i.attempts > 1).count();
    eprintln!("{kills} kills; {confirmed} sent items confirmed by re-reading, {resent} sent again");

    // The sandbox's events stream: each planned user suspended exactly once, nobody else.
    let events: Vec<serde_json::Value> = api.events_stream(500).try_concat().await.unwrap();
    let mut suspended: HashMap<String, usize> = HashMap::new();
    for e in &events {
        if e["attributes"]["action"] == "user_suspended" {
            let user = e["attributes"]["context"][0]["id"]
                .as_str()
                .unwrap_or_default();
            *suspended.entry(user.to_owned()).or_default() += 1;
        }
    }
    assert_eq!(suspended.len(), PLANNED, "suspended users");
    for s in &steps {
        assert_eq!(suspended.get(&s.account_id), Some(&1), "{}", s.account_id);
    }
    // Resumed runs re-read what was sent without an answer instead of sending it again.
    let audit = std::fs::read_to_string(home.join("audit.jsonl")).unwrap();
    let starts = audit
        .lines()
        .filter(|l| l.contains("\"batch_started\""))
        .count();
    assert_eq!(starts, kills + 1, "one run start per process");
}
