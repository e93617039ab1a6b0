//! Every file seats writes goes through the one safe writer (`seats::output`), and every
//! command that writes a file keeps what is at the path: `export`, `plan`, `undo` and `history`
//! with `--output`, the plan files the console writes (`:write`, undo and retry plans), and
//! config.toml. A regular file is replaced atomically, a symlink keeps pointing at its target
//! (which is replaced), a device or a FIFO is written through (refused for config.toml), a
//! directory or a block device is refused. Nothing becomes a regular file behind the admin's
//! back (`seats plan -o /dev/full` once replaced /dev/full). A source scan keeps a new writer
//! from bypassing it. Device nodes are made with mknod, which needs root: without it those
//! cases are skipped with a note.

#[path = "support/hardening.rs"]
mod hardening;
#[path = "support/sandbox.rs"]
mod sandbox_support;

use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use hardening::{Home, seats_at};

/// A file writer under test: writes `path` and says whether it succeeded and what it said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Writer {
    /// `seats export users --output PATH` against the sandbox.
    Export,
    /// `seats plan ... --output PATH` against the sandbox.
    Plan,
    /// `seats undo 1 --output PATH` on a journal holding one done suspension.
    Undo,
    /// `seats give-back 1 acc-1 --output PATH` on the same journal.
    GiveBack,
    /// `seats history --format json --output PATH`.
    History,
    /// `PlanFile::write`: the console's `:write FILE`, its undo and retry plans.
    PlanFile,
    /// The config.toml writer (`seats login`, `logout`), through `config::edit_at`.
    Config,
}

const WRITERS: [Writer; 7] = [
    Writer::Export,
    Writer::Plan,
    Writer::Undo,
    Writer::GiveBack,
    Writer::History,
    Writer::PlanFile,
    Writer::Config,
];

/// The commands that write a file, each with the writer that covers it here. A new
/// subcommand must say whether it writes one: the test fails until it is listed.
const COMMANDS: [(&str, Option<Writer>); 16] = [
    ("demo", None),
    ("report", None),
    ("sandbox", None),
    ("status", None),
    ("export", Some(Writer::Export)),
    ("plan", Some(Writer::Plan)),
    ("login", Some(Writer::Config)),
    ("logout", Some(Writer::Config)),
    ("profiles", None),
    // Writes no file of its own: the journal and audit.jsonl (see files_private.rs).
    ("apply", None),
    ("history", Some(Writer::History)),
    ("undo", Some(Writer::Undo)),
    // Its notices file is appended through append_private (rules_cli.rs checks its mode).
    ("rules", None),
    // Standard output only.
    ("completions", None),
    ("man", None),
    ("give-back", Some(Writer::GiveBack)),
];

impl Writer {
    /// Written through a device or a FIFO, as a shell redirect would; config.toml refuses them.
    fn streams(self) -> bool {
        self != Writer::Config
    }
}

/// A journal in `data` with batch 1: one suspension, done.
fn journal_with_done_batch(data: &Path) {
    use seats::exec::{BatchStatus, ItemState, Journal, NewBatch, Outcome};
    let mut j = Journal::open(&data.join(seats::store::FILE_NAME)).unwrap();
    let plan = a_plan_file();
    let meta = NewBatch::from_plan(
        &plan,
        "admin@acme.example".into(),
        "plan.json".into(),
        false,
    );
    let batch = seats::exec::submit(
        &mut j,
        &plan,
        &meta,
        &seats::exec::Admission { batch_cap: 10 },
    )
    .unwrap();
    j.mark_sent(batch, 0, None).unwrap();
    j.finish_item(batch, 0, &Outcome::new(ItemState::Done))
        .unwrap();
    j.close_batch(batch, BatchStatus::Finished).unwrap();
}

/// A plan file, as the console writes one.
fn a_plan_file() -> seats::plan::PlanFile {
    let text = r#"{"version": 1, "created_at": "2026-12-01T10:00:00Z", "org_id": "o1",
        "profile": null, "query": "idle:90", "fetched_at": "2026-12-01T09:00:00Z",
        "steps": [{"account_id": "acc-1", "name": "User One", "email": null,
                   "change": {"change": "suspend"}}],
        "held_out": [], "no_ops": []}"#;
    seats::plan::PlanFile::from_json(text, None).unwrap()
}

struct Setup {
    base: String,
    org: String,
}

fn write(writer: Writer, setup: &Setup, path: &Path) -> (bool, String) {
    let p = path.to_str().unwrap();
    let home = Home::new();
    let args: Vec<&str> = match writer {
        Writer::Export => vec!["export", "users", "--output", p],
        Writer::Plan => vec![
            "plan", "--action", "suspend", "--filter", "idle:90", "--output", p,
        ],
        Writer::Undo => {
            journal_with_done_batch(&home.data());
            vec!["undo", "1", "--output", p]
        }
        Writer::GiveBack => {
            journal_with_done_batch(&home.data());
            vec!["give-back", "1", "acc-1", "--output", p]
        }
        Writer::History => {
            journal_with_done_batch(&home.data());
            vec!["history", "--format", "json", "--output", p]
        }
        Writer::PlanFile => {
            return match a_plan_file().write(path) {
                Ok(()) => (true, String::new()),
                Err(e) => (false, e.to_string()),
            };
        }
        Writer::Config => vec![],
    };
    match writer {
        Writer::Export | Writer::Plan | Writer::Undo | Writer::GiveBack | Writer::History => {
            let mut cmd = if matches!(writer, Writer::Export | Writer::Plan) {
                seats_at(home.path(), &setup.base, &setup.org, &args)
            } else {
                hardening::seats(
                    home.path(),
                    &args.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
                )
            };
            let out = cmd.output().unwrap();
            assert!(!hardening::crashed(&out), "{writer:?}: {out:?}");
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        }
        Writer::PlanFile => unreachable!("written above"),
        Writer::Config => {
            match seats::config::edit_at(path, |doc| {
                doc["default_profile"] = toml_edit::value("work");
                doc["profiles"]["work"]["org_id"] = toml_edit::value("o1");
                Ok(())
            }) {
                Ok(_) => (true, String::new()),
                Err(e) => (false, format!("{e:#}")),
            }
        }
    }
}

/// What the writer wrote, to recognise it: export writes a CSV header, config a profile.
fn looks_written(writer: Writer, bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    match writer {
        Writer::Export => text.starts_with("account_id,"),
        Writer::Plan | Writer::Undo | Writer::GiveBack | Writer::PlanFile => {
            text.starts_with('{') && text.contains("\"steps\"")
        }
        Writer::History => text.starts_with('[') && text.contains("\"items\""),
        Writer::Config => text.contains("default_profile = \"work\""),
    }
}

fn mknod(path: &Path, kind: &str, major: u32, minor: u32) -> bool {
    let made = std::process::Command::new("mknod")
        .arg(path)
        .arg(kind)
        .arg(major.to_string())
        .arg(minor.to_string())
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!(
            "note: device-node cases skipped: mknod {kind} {major} {minor} failed (it needs root and CAP_MKNOD)"
        );
    }
    made
}

fn kind(path: &Path) -> std::fs::FileType {
    std::fs::symlink_metadata(path).unwrap().file_type()
}

async fn setup() -> (seats::sandbox::Sandbox, Setup) {
    let sb = sandbox_support::start_bare(30).await;
    let setup = Setup {
        base: sb.base_url(),
        org: sb.org_id(),
    };
    (sb, setup)
}

async fn each_writer(
    setup: &std::sync::Arc<Setup>,
    f: impl Fn(Writer, &Setup, &Path) + Send + Sync + Clone + 'static,
) {
    for writer in WRITERS {
        let (s, f) = (setup.clone(), f.clone());
        tokio::task::spawn_blocking(move || {
            let dir = tempfile::tempdir().unwrap();
            f(writer, &s, dir.path());
        })
        .await
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regular_file_is_replaced_and_a_symlink_keeps_its_target() {
    let (sb, setup) = setup().await;
    let setup = std::sync::Arc::new(setup);
    each_writer(&setup, |writer, s, dir| {
        let target = dir.join("real");
        std::fs::write(&target, b"").unwrap();
        let (ok, said) = write(writer, s, &target);
        assert!(ok, "{writer:?}: {said}");
        assert!(looks_written(writer, &std::fs::read(&target).unwrap()));

        let real = dir.join("elsewhere.txt");
        std::fs::write(&real, b"").unwrap();
        let link = dir.join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let (ok, said) = write(writer, s, &link);
        assert!(ok, "{writer:?}: {said}");
        assert!(kind(&link).is_symlink(), "{writer:?} replaced the symlink");
        assert!(
            looks_written(writer, &std::fs::read(&real).unwrap()),
            "{writer:?}"
        );
        let left: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(left.len(), 3, "{writer:?} left a temp file: {left:?}");
    })
    .await;
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_is_written_through_by_every_command_and_refused_for_config() {
    let (sb, setup) = setup().await;
    let setup = std::sync::Arc::new(setup);
    each_writer(&setup, |writer, s, dir| {
        let fifo = dir.join("pipe");
        if !std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|st| st.success())
        {
            eprintln!("note: FIFO case skipped: mkfifo failed");
            return;
        }
        // A reader, as `seats export --output pipe` would have in a script.
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(&fifo).unwrap_or_default())
        };
        let (ok, said) = write(writer, s, &fifo);
        if writer.streams() {
            assert!(ok, "{writer:?}: {said}");
            assert!(looks_written(writer, &reader.join().unwrap()), "{writer:?}");
        } else {
            assert!(!ok && said.contains("not a regular file"), "{said}");
            // Unblock the reader.
            drop(std::fs::OpenOptions::new().write(true).open(&fifo));
            let _ = reader.join();
        }
        assert!(kind(&fifo).is_fifo(), "{writer:?} replaced the FIFO");
    })
    .await;
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_nodes_stay_device_nodes() {
    let (sb, setup) = setup().await;
    let setup = std::sync::Arc::new(setup);
    each_writer(&setup, |writer, s, dir| {
        // 1,3 is /dev/null; 1,7 is /dev/full; block 7,0 is a loop device.
        let null = dir.join("null");
        if !mknod(&null, "c", 1, 3) {
            return;
        }
        let (ok, said) = write(writer, s, &null);
        assert_eq!(ok, writer.streams(), "{writer:?}: {said}");
        assert!(
            kind(&null).is_char_device(),
            "{writer:?} replaced /dev/null"
        );

        let full = dir.join("full");
        assert!(mknod(&full, "c", 1, 7));
        let (ok, said) = write(writer, s, &full);
        assert!(!ok, "{writer:?} wrote to a full device");
        if writer.streams() {
            assert!(said.contains("No space left"), "{writer:?}: {said}");
        }
        assert!(
            kind(&full).is_char_device(),
            "{writer:?} replaced /dev/full"
        );

        let disk = dir.join("disk");
        if mknod(&disk, "b", 7, 0) {
            let (ok, said) = write(writer, s, &disk);
            let says = match writer {
                _ if writer.streams() => "block device",
                _ => "not a regular file",
            };
            assert!(!ok && said.contains(says), "{writer:?}: {said}");
            assert!(kind(&disk).is_block_device());
        }
    })
    .await;
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_output_path_fails_before_any_request() {
    // Nothing listens on port 1: a check made after the fetch would report the connection.
    let setup = Setup {
        base: "http://127.0.0.1:1".into(),
        org: "o".into(),
    };
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (dir.path().to_path_buf(), "is a directory"),
        (dir.path().join("missing/x.csv"), "does not exist"),
    ];
    for (path, says) in cases {
        let (ok, said) = write(Writer::Export, &setup, &path);
        assert!(!ok && said.contains(says), "{said}");
        assert!(
            !said.contains("could not reach"),
            "checked too late: {said}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_dash_is_standard_output() {
    let (sb, setup) = setup().await;
    let home = Home::new();
    let out = tokio::task::spawn_blocking(move || {
        seats_at(
            home.path(),
            &setup.base,
            &setup.org,
            &["export", "users", "-o", "-"],
        )
        .output()
        .unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success());
    assert!(looks_written(Writer::Export, &out.stdout));
    sb.shutdown().await;
}

#[test]
fn every_command_that_writes_a_file_is_covered() {
    use clap::CommandFactory;
    let cli = seats::cli::Cli::command();
    for sub in cli.get_subcommands() {
        let name = sub.get_name();
        assert!(
            COMMANDS.iter().any(|(n, _)| *n == name),
            "`seats {name}`: say in COMMANDS whether it writes a file, and cover its writer"
        );
    }
    for (name, writer) in COMMANDS {
        if let Some(w) = writer {
            assert!(WRITERS.contains(&w), "{name}: {w:?} is not exercised");
        }
        // A command with an --output flag writes a file.
        let sub = cli.find_subcommand(name).unwrap();
        if sub.get_arguments().any(|a| a.get_long() == Some("output")) {
            assert!(
                writer.is_some(),
                "`seats {name} --output` has no writer here"
            );
        }
    }
}

/// Files are created, opened for writing and renamed only in the writer and the database's
/// opener: anything else writing a file would bypass the checks above and the private modes.
#[test]
fn no_file_is_written_outside_the_one_writer() {
    const ALLOWED: &[(&str, &str)] = &[
        ("src/output/file.rs", "the one writer"),
        (
            "src/store/open.rs",
            "the database opener: reads the header, moves a file aside with its -wal and -shm",
        ),
    ];
    const BANNED: &[&str] = &[
        "File::create",
        "fs::write(",
        "OpenOptions",
        "create_dir",
        "DirBuilder",
        "fs::rename",
        "fs::copy",
        "set_permissions",
        "RollingFileAppender",
        "persist(",
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut dirs = vec![root.join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut offenders = Vec::new();
    for file in files {
        let rel = file.strip_prefix(root).unwrap().display().to_string();
        if ALLOWED.iter().any(|(f, _)| *f == rel) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests make their fixtures as they like.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (i, line) in code.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") {
                continue;
            }
            if BANNED.iter().any(|b| line.contains(b)) {
                offenders.push(format!("{rel}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "write files through seats::output (write_private, append_private, create_private_dir, \
         OutputTarget, replace_file) instead:\n{}",
        offenders.join("\n")
    );
}
