//! Every subcommand's standard output and error go through one writer: a closed pipe
//! (`seats profiles | head -1`) is a normal end, never a crash; an unusable data dir is said
//! once on standard error and the command still runs. The table in support/hardening.rs
//! covers every subcommand clap knows, so a new one is tested as soon as it exists.

#[path = "support/hardening.rs"]
mod hardening;
#[path = "support/sandbox.rs"]
mod sandbox_support;

use std::process::{Output, Stdio};
use std::time::Duration;

use hardening::{Ends, Home, assert_every_subcommand_is_covered, crashed, every_subcommand, seats};

/// Which of the child's streams is a pipe nobody reads.
#[derive(Debug, Clone, Copy)]
enum Closed {
    Stdout,
    Stderr,
}

fn run(home: &Home, args: &[String], ends: Ends, closed: Option<Closed>) -> Output {
    let mut cmd = seats(home.path(), args);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match closed {
        Some(Closed::Stdout) => {
            let (reader, writer) = std::io::pipe().unwrap();
            drop(reader);
            cmd.stdout(writer);
        }
        Some(Closed::Stderr) => {
            let (reader, writer) = std::io::pipe().unwrap();
            drop(reader);
            cmd.stderr(writer);
        }
        None => {}
    }
    let cfg = seats::sandbox::SandboxConfig::default();
    cmd.env("SEATS_ORG_API_KEY", &cfg.org_api_key)
        .env("SEATS_SITE_API_TOKEN", &cfg.site_token);
    let mut child = cmd.spawn().unwrap();
    if ends == Ends::Serves {
        std::thread::sleep(Duration::from_millis(1500));
        assert!(
            child.try_wait().unwrap().is_none(),
            "{args:?} stopped while serving"
        );
        let stopped = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(stopped.success());
    }
    child.wait_with_output().unwrap()
}

fn check(name: &str, out: &Output, ends: Ends, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !crashed(out),
        "`seats {name}` crashed with {what}: {stderr}"
    );
    if ends != Ends::Either {
        assert!(
            out.status.success(),
            "`seats {name}` failed with {what}: {:?} {stderr}",
            out.status
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_pipe_ends_every_command_normally() {
    let sb = sandbox_support::start_bare(40).await;
    let table = every_subcommand(&sb.base_url(), &sb.org_id());
    assert_every_subcommand_is_covered(&table);
    for (name, args, ends) in table {
        for closed in [Closed::Stdout, Closed::Stderr] {
            let home = Home::new();
            let (a, e) = (args.clone(), ends);
            let out = tokio::task::spawn_blocking(move || {
                let out = run(&home, &a, e, Some(closed));
                drop(home);
                out
            })
            .await
            .unwrap();
            check(name, &out, ends, &format!("{closed:?} closed"));
        }
    }
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unusable_data_dir_is_said_once_and_every_command_still_runs() {
    let sb = sandbox_support::start_bare(40).await;
    let table = every_subcommand(&sb.base_url(), &sb.org_id());
    assert_every_subcommand_is_covered(&table);
    for (name, args, ends) in table {
        let home = Home::new();
        // The data dir is a file: no log dir can be made in it.
        std::fs::write(home.data(), b"not a directory").unwrap();
        let a = args.clone();
        let (out, home) = tokio::task::spawn_blocking(move || (run(&home, &a, ends, None), home))
            .await
            .unwrap();
        check(name, &out, ends, "a data dir that is a file");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let warnings = stderr.lines().filter(|l| l.contains("no log:")).count();
        assert_eq!(warnings, 1, "`seats {name}`: {stderr}");
        assert!(
            stderr.contains(&home.data().join("logs").display().to_string())
                && stderr.contains("SEATS_DATA_DIR"),
            "`seats {name}`: {stderr}"
        );
    }
    sb.shutdown().await;
}

#[test]
fn a_usable_data_dir_gets_the_log_and_no_warning() {
    let home = Home::new();
    let out = seats(home.path(), &["profiles".to_string()])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("no log"));
    let logs: Vec<_> = std::fs::read_dir(home.data().join("logs"))
        .unwrap()
        .collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
}

/// Commands print only through `seats::output`: `println!` and friends panic on a closed
/// pipe. Files not yet converted by their owners are listed, to be emptied.
#[test]
fn commands_never_print_with_the_std_macros() {
    const NOT_YET_CONVERTED: &[&str] = &[];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("src/cli.rs"), root.join("src/main.rs")];
    for entry in std::fs::read_dir(root.join("src/commands")).unwrap() {
        files.push(entry.unwrap().path());
    }
    let mut offenders = Vec::new();
    for file in files {
        let rel = file.strip_prefix(root).unwrap().display().to_string();
        if NOT_YET_CONVERTED.contains(&rel.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests may print.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (i, line) in code.lines().enumerate() {
            let banned = [
                "println!(",
                "print!(",
                "eprintln!(",
                "eprint!(",
                "stdout().lock()",
            ];
            if banned.iter().any(|b| line.contains(b)) && !line.trim_start().starts_with("//") {
                offenders.push(format!("{rel}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "print through seats::output instead:\n{}",
        offenders.join("\n")
    );
}
