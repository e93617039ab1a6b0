//! Every file and folder seats creates is the user's alone (0600 / 0700) whatever the umask:
//! the data dir, its logs, `seats.db` with its `-wal` and `-shm`, `audit.jsonl` (names and
//! emails of every target), plan files, undo plans, history and exports. Each command runs
//! under umask 022, which made them 0755 / 0644 before.

#[path = "support/hardening.rs"]
mod hardening;
#[path = "support/sandbox.rs"]
mod sandbox_support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hardening::{Home, connection};
use seats::sandbox::SandboxConfig;

/// `seats ARGS` under umask 022, with the home's dirs and the sandbox's credentials.
fn seats_umask_022(home: &Home, cwd: &Path, args: &[&str], base: Option<(&str, &str)>) -> Output {
    let cfg = SandboxConfig::default();
    let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    if let Some((base, org)) = base {
        all.extend(connection(base, org));
    }
    let out = Command::new("sh")
        .arg("-c")
        .arg("umask 022 && exec \"$@\"")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_seats"))
        .args(&all)
        .current_dir(cwd)
        .env("SEATS_CONFIG_DIR", home.path().join("config"))
        .env("SEATS_DATA_DIR", home.data())
        .env_remove("SEATS_PROFILE")
        .env("SEATS_ORG_API_KEY", &cfg.org_api_key)
        .env("SEATS_SITE_API_TOKEN", &cfg.site_token)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

/// Every file and folder under `dir` (and `dir` itself) with its mode.
fn walk(dir: &Path) -> Vec<(PathBuf, u32)> {
    let mut out = vec![(dir.to_path_buf(), mode(dir))];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push((path.clone(), mode(&path)));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_file_and_folder_seats_creates_is_private_under_umask_022() {
    let sb = sandbox_support::start_bare(60).await;
    let (base, org) = (sb.base_url(), sb.org_id());
    let home = Home::new();
    let work = tempfile::tempdir().unwrap();
    let cwd = work.path().to_path_buf();
    let ran = tokio::task::spawn_blocking(move || {
        let b = Some((base.as_str(), org.as_str()));
        let run = |args: &[&str], b| seats_umask_022(&home, &cwd, args, b);
        run(&["export", "users", "--output", "users.csv"], b);
        run(
            &[
                "plan",
                "--action",
                "suspend",
                "--filter",
                "idle:90",
                "--output",
                "plan.json",
            ],
            b,
        );
        // The default name, in the current directory.
        run(&["plan", "--action", "suspend", "--filter", "idle:90"], b);
        run(&["apply", "plan.json", "--yes"], b);
        // While a connection is open the database's -wal and -shm exist: SQLite gives them
        // the database file's mode.
        let db = home.data().join(seats::store::FILE_NAME);
        let held = rusqlite::Connection::open(&db).unwrap();
        held.query_row("SELECT COUNT(*) FROM exec_items", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap();
        run(&["undo", "1", "--output", "undo.json"], None);
        run(
            &["history", "--format", "csv", "--output", "history.csv"],
            None,
        );
        let data = walk(&home.data());
        drop(held);
        (home, data)
    })
    .await
    .unwrap();
    let (home, data) = ran;

    let names: Vec<String> = data
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "data",
        "logs",
        "seats.db",
        "seats.db-wal",
        "seats.db-shm",
        "audit.jsonl",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "no {expected}: {names:?}"
        );
    }
    assert!(
        names.iter().any(|n| n.starts_with("seats.log")),
        "{names:?}"
    );
    let mut wrong: Vec<String> = Vec::new();
    for (path, m) in &data {
        let want = if path.is_dir() { 0o700 } else { 0o600 };
        if *m != want {
            wrong.push(format!("{} is {m:o}, not {want:o}", path.display()));
        }
    }
    for (path, _) in walk(work.path()).into_iter().skip(1) {
        let m = mode(&path);
        if m != 0o600 {
            wrong.push(format!("{} is {m:o}, not 600", path.display()));
        }
    }
    let written: Vec<String> = std::fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for expected in ["users.csv", "plan.json", "undo.json", "history.csv"] {
        assert!(written.iter().any(|n| n == expected), "{written:?}");
    }
    assert!(
        written.iter().any(|n| n.starts_with("seats-plan-")),
        "{written:?}"
    );
    assert!(wrong.is_empty(), "not private:\n{}", wrong.join("\n"));
    drop(home);
    sb.shutdown().await;
}

/// An output file the admin already had keeps the mode they gave it: seats replaces its
/// content, not their decision.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replaced_output_file_keeps_its_own_mode() {
    let sb = sandbox_support::start_bare(20).await;
    let (base, org) = (sb.base_url(), sb.org_id());
    let home = Home::new();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("users.csv");
    std::fs::write(&out, b"old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
    let cwd = work.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        seats_umask_022(
            &home,
            &cwd,
            &["export", "users", "--output", "users.csv"],
            Some((&base, &org)),
        );
    })
    .await
    .unwrap();
    assert_eq!(mode(&out), 0o640);
    assert!(std::fs::read(&out).unwrap().starts_with(b"account_id,"));
    sb.shutdown().await;
}

/// Files an older seats left 0644 (`seats.db`, today's log) hold names and emails: the next
/// command makes them private (`audit.jsonl` on its next line: see output::file's unit test).
#[test]
fn files_an_older_seats_left_readable_become_private() {
    let home = Home::new();
    let data = home.data();
    std::fs::create_dir_all(data.join("logs")).unwrap();
    let db = data.join(seats::store::FILE_NAME);
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE t (x INTEGER);").unwrap();
    }
    let log = data.join("logs").join(format!(
        "seats.log.{}",
        chrono::Utc::now().format("%Y-%m-%d")
    ));
    std::fs::write(&log, b"").unwrap();
    for f in [&db, &log] {
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let work = tempfile::tempdir().unwrap();
    seats_umask_022(&home, work.path(), &["history"], None);
    for f in [&db, &log] {
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }
}
