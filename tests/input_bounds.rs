//! Bounded input: a plan file is read only when it is a regular file of at most
//! `PLAN_FILE_LIMIT` bytes (`/dev/zero` read until memory ran out, a FIFO blocked for ever),
//! and the simulated org's size is bounded with a message instead of an abort.

#[path = "support/hardening.rs"]
mod hardening;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use hardening::{Home, seats};
use seats::output::PLAN_FILE_LIMIT;
use seats::plan::PlanFile;

/// Runs `cmd`, killing it after `limit`: a command that blocks or reads for ever fails the test.
fn run_within(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn apply(home: &Home, plan: &Path) -> Output {
    let args: Vec<String> = [
        "apply",
        plan.to_str().unwrap(),
        "--yes",
        "--admin-url",
        "http://127.0.0.1:1",
        "--org-id",
        "o1",
    ]
    .map(String::from)
    .to_vec();
    run_within(seats(home.path(), &args), Duration::from_secs(30))
}

fn mknod(path: &Path, major: u32, minor: u32) -> bool {
    let made = Command::new("mknod")
        .arg(path)
        .arg("c")
        .arg(major.to_string())
        .arg(minor.to_string())
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("note: device case skipped: mknod needs root and CAP_MKNOD");
    }
    made
}

#[test]
fn a_plan_file_that_is_a_fifo_a_device_or_too_large_is_refused_with_the_reason() {
    let home = Home::new();
    let dir = tempfile::tempdir().unwrap();
    let mut cases: Vec<(std::path::PathBuf, &str)> = Vec::new();

    let fifo = dir.path().join("plan.fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    cases.push((fifo, "FIFO (named pipe): seats reads only regular files"));

    // /dev/zero's numbers, in the temp dir: it never ends.
    let zero = dir.path().join("zero");
    if mknod(&zero, 1, 5) {
        cases.push((zero, "character device: seats reads only regular files"));
    }

    // Sparse: the size is there without the disk space.
    let huge = dir.path().join("huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(PLAN_FILE_LIMIT + 1)
        .unwrap();
    cases.push((huge, "larger than 128 MB"));

    for (path, says) in &cases {
        let out = apply(&home, path);
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{path:?}: {said}");
        assert!(said.contains(says), "{path:?}: {said}");
        assert!(said.contains(&*path.to_string_lossy()), "{said}");
        // The console's `:read FILE` reads through the same function.
        let err = PlanFile::read(path, None).unwrap_err().to_string();
        assert!(err.contains(says), "{err}");
    }
}

#[test]
fn a_plan_file_under_the_limit_is_read_not_refused_for_its_size() {
    // The limit refuses what no plan reaches, not plans: one just under it is parsed (and,
    // being spaces, found not to be a plan), not refused for its size.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    std::fs::write(&path, vec![b' '; 1024 * 1024]).unwrap();
    let err = PlanFile::read(&path, None).unwrap_err().to_string();
    assert!(!err.contains("larger than"), "{err}");
}

#[test]
fn the_simulated_org_is_bounded_with_a_message() {
    let home = Home::new();
    for args in [
        &["sandbox", "--port", "0", "--users", "50000000"][..],
        &["demo", "--users", "50000000"],
        &["report", "--demo", "--users", "50000000"],
    ] {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let out = run_within(seats(home.path(), &args), Duration::from_secs(20));
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!hardening::crashed(&out), "{args:?}: {said}");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {said}");
        assert!(
            said.contains("at most 1000000") && said.contains("50000000"),
            "{args:?}: {said}"
        );
    }
    // The library's own entry, for code that builds the config itself.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let err = rt
        .block_on(seats::sandbox::start(seats::sandbox::SandboxConfig {
            users: seats::sandbox::MAX_USERS + 1,
            port: 0,
            ..Default::default()
        }))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("at most 1000000"), "{err}");
}
