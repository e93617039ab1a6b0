//! Issue 18's walk end to end on the sandbox's virtual clock, through the real binary:
//! day 0 `seats rules run` warns 40 users (the outbox holds 40 notices, one each, to the users
//! the preview named); a rerun the same day sends nothing; day 3 five of them use Jira and one
//! comments on the review issue: kept and claimed; day 14 the rest are reclaimed as one batch
//! and the Jira seat count drops by that much; `kill -9` during the day-14 run and a rerun
//! finish it with nothing sent twice.
//! The clock, activity, comments and the outbox are the sandbox's `/_sandbox/` controls.

use std::collections::{HashMap, HashSet};

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use seats::atlassian::fetch::{FetchOptions, fetch_directory};
use seats::atlassian::{Client, Connection, Secret};
use seats::sandbox::{DEFAULT_ORG_API_KEY, DEFAULT_SITE_EMAIL, DEFAULT_SITE_TOKEN};
use serde_json::{Value, json};

const ISSUE: &str = "SEATS-1";

#[path = "support/sandbox_process.rs"]
mod sandbox_process;
use sandbox_process::SandboxProcess as Sandbox;

fn start_sandbox(dir: &Path) -> Sandbox {
    Sandbox::start(
        dir,
        &[
            "--users",
            "800",
            "--latency-ms",
            "20",
            "--clock",
            "2026-12-01T08:00:00Z",
        ],
    )
}

fn seats(sb: &Sandbox, home: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_seats"));
    cmd.args([
        "--admin-url",
        &sb.base,
        "--site-url",
        &sb.base,
        "--org-id",
        &sb.org_id,
        "--email",
        DEFAULT_SITE_EMAIL,
    ])
    .args(args)
    .env("SEATS_ORG_API_KEY", DEFAULT_ORG_API_KEY)
    .env("SEATS_SITE_API_TOKEN", DEFAULT_SITE_TOKEN)
    .env("SEATS_DATA_DIR", home)
    .env("SEATS_CONFIG_DIR", home)
    .stdin(Stdio::null());
    cmd
}

fn run(sb: &Sandbox, home: &Path, args: &[&str]) -> Output {
    seats(sb, home, args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

async fn post(sb: &Sandbox, path: &str, body: Value) -> Value {
    let resp = reqwest::Client::new()
        .post(format!("{}{path}", sb.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap_or(Value::Null)
}

async fn outbox(sb: &Sandbox) -> Vec<Value> {
    let v: Value = reqwest::get(format!("{}/_sandbox/outbox", sb.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["notices"].as_array().cloned().unwrap_or_default()
}

async fn jira_holders(sb: &Sandbox) -> (u64, HashMap<String, String>) {
    let conn = Connection {
        admin_url: Some(sb.base.clone()),
        site_url: Some(sb.base.clone()),
        org_id: Some(sb.org_id.clone()),
        email: Some(DEFAULT_SITE_EMAIL.into()),
        org_api_key: Some(Secret::new(DEFAULT_ORG_API_KEY)),
        site_token: Some(Secret::new(DEFAULT_SITE_TOKEN)),
    };
    let client = Client::new(&conn).unwrap();
    let dir = fetch_directory(&client, &sb.org_id, FetchOptions::everything())
        .await
        .unwrap();
    let by_email = dir
        .users
        .iter()
        .filter_map(|u| Some((u.email.clone()?, u.account_id.clone())))
        .collect();
    (dir.holders("jira-software"), by_email)
}

/// (state, batch) of each user in the rule, read-only (a run may own the database).
fn states(db: &Path) -> HashMap<String, (String, Option<i64>)> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT account_id, state, batch_id FROM rules_users u WHERE cycle =
               (SELECT MAX(cycle) FROM rules_users v WHERE v.account_id = u.account_id)",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn done_items(db: &Path) -> i64 {
    rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .ok()
        .and_then(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM exec_items WHERE state = 'done'",
                [],
                |r| r.get(0),
            )
            .ok()
        })
        .unwrap_or(0)
}

fn previewed(stdout: &str, tag: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix(tag))
        .filter_map(|l| l.split('<').nth(1)?.split('>').next().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warn_wait_reclaim_on_the_virtual_clock() {
    let tmp = tempfile::tempdir().unwrap();
    let sb = start_sandbox(tmp.path());
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let db = home.join("seats.db");
    std::fs::write(
        home.join("config.toml"),
        format!(
            "[[rules]]\nname = \"idle jira\"\nquery = \"product:jira-software idle:90\"\n\
             action = \"remove-product-access\"\ngrace_days = 14\ncap = 1000\nclaims = \"comment\"\n\
             channels = [{{ type = \"jira-notify\", issue = \"{ISSUE}\" }}]\n"
        ),
    )
    .unwrap();
    let (seats_before, by_email) = jira_holders(&sb).await;

    // Day 0: the preview names everyone the plan builder would reclaim (idle Jira users it does
    // not hold out); the run notifies exactly them, once each.
    let preview = text(&run(&sb, &home, &["rules"]).stdout);
    let listed = previewed(&preview, "warn  ");
    let n: usize = preview
        .split("next run warns ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("{preview}"));
    assert!(n > 6 && listed.len() == n.min(20), "{preview}");
    let out = run(&sb, &home, &["rules", "run"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let notices = outbox(&sb).await;
    assert_eq!(notices.len(), n);
    let to: Vec<String> = notices
        .iter()
        .flat_map(|n| n["to"].as_array().cloned().unwrap_or_default())
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let to_set: HashSet<&String> = to.iter().collect();
    assert_eq!(to.len(), n);
    assert_eq!(to_set.len(), n, "one notice each");
    // The listed ones are among those notified (the preview lists at most 20).
    for e in &listed {
        assert!(to_set.contains(&by_email[e]), "{e}");
    }
    let expected: HashSet<String> = to_set.into_iter().cloned().collect();

    // The same day again: nothing sent.
    let out = run(&sb, &home, &["rules", "run"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(outbox(&sb).await.len(), n);
    let first: Vec<String> = {
        let mut v: Vec<String> = expected.into_iter().collect();
        v.sort();
        v
    };

    // Day 3: five use Jira, one comments.
    post(&sb, "/_sandbox/clock", json!({ "advance_days": 3 })).await;
    for id in &first[..5] {
        post(
            &sb,
            "/_sandbox/activity",
            json!({ "account_id": id, "product": "jira-software" }),
        )
        .await;
    }
    post(
        &sb,
        "/_sandbox/comments",
        json!({ "issue_key": ISSUE, "account_id": first[5], "body": "I still need it" }),
    )
    .await;
    let out = run(&sb, &home, &["rules", "run"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let st = states(&db);
    for id in &first[..5] {
        assert_eq!(st[id].0, "kept");
    }
    assert_eq!(st[&first[5]].0, "claimed");
    let rest: Vec<&String> = first[6..].iter().collect();

    // Day 14: the preview's due users are the batch; kill -9 it midway, then rerun.
    post(&sb, "/_sandbox/clock", json!({ "advance_days": 11 })).await;
    let preview = run(&sb, &home, &["rules"]);
    let preview = text(&preview.stdout);
    assert!(
        preview.contains(&format!(
            "due now, reclaimed by the next run: {} users",
            rest.len()
        )),
        "{preview}"
    );
    for e in previewed(&preview, "due   ") {
        assert!(rest.contains(&&by_email[&e]), "{e}");
    }
    let mut child = seats(&sb, &home, &["rules", "run"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while done_items(&db) < 5 && t0.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    let out = run(&sb, &home, &["rules", "run"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let st = states(&db);
    let batches: HashSet<Option<i64>> = rest.iter().map(|id| st[*id].1).collect();
    assert_eq!(batches.len(), 1, "one batch: {batches:?}");
    for id in &rest {
        assert_eq!(st[*id].0, "reclaimed", "{id}");
    }
    let (seats_after, _) = jira_holders(&sb).await;
    assert_eq!(seats_before - seats_after, rest.len() as u64);
    // Nothing repeated: day 0's users were notified once each (the later notices are users who
    // reached 90 idle days as the clock moved: their own first notice).
    let all = outbox(&sb).await;
    let mut per_user: HashMap<String, usize> = HashMap::new();
    for notice in &all {
        for id in notice["to"].as_array().cloned().unwrap_or_default() {
            *per_user
                .entry(id.as_str().unwrap_or_default().to_owned())
                .or_default() += 1;
        }
    }
    assert!(per_user.values().all(|n| *n == 1), "a user notified twice");
    for id in &first {
        assert_eq!(per_user[id], 1, "{id}");
    }
}
