//! Every file writer (`export --output`, config.toml) keeps what is at the path: a regular
//! file is replaced atomically, a symlink keeps pointing at its target (which is replaced),
//! a device or a FIFO is written through by export and refused by the config writer, a
//! directory or a block device is refused. Nothing becomes a regular file behind the admin's
//! back. Device nodes are made with mknod, which needs root: without it those cases are
//! skipped with a note.

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
    /// The config.toml writer (`seats login`, `logout`), through `config::edit_at`.
    Config,
}

const WRITERS: [Writer; 2] = [Writer::Export, Writer::Config];

struct Setup {
    base: String,
    org: String,
}

fn write(writer: Writer, setup: &Setup, path: &Path) -> (bool, String) {
    match writer {
        Writer::Export => {
            let home = Home::new();
            let out = seats_at(
                home.path(),
                &setup.base,
                &setup.org,
                &["export", "users", "--output", path.to_str().unwrap()],
            )
            .output()
            .unwrap();
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        }
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
async fn a_fifo_is_written_through_by_export_and_refused_for_config() {
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
        match writer {
            Writer::Export => {
                assert!(ok, "{said}");
                assert!(looks_written(writer, &reader.join().unwrap()));
            }
            Writer::Config => {
                assert!(!ok && said.contains("not a regular file"), "{said}");
                // Unblock the reader.
                drop(std::fs::OpenOptions::new().write(true).open(&fifo));
                let _ = reader.join();
            }
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
        assert_eq!(ok, writer == Writer::Export, "{writer:?}: {said}");
        assert!(
            kind(&null).is_char_device(),
            "{writer:?} replaced /dev/null"
        );

        let full = dir.join("full");
        assert!(mknod(&full, "c", 1, 7));
        let (ok, said) = write(writer, s, &full);
        assert!(!ok, "{writer:?} wrote to a full device");
        if writer == Writer::Export {
            assert!(said.contains("No space left"), "{said}");
        }
        assert!(
            kind(&full).is_char_device(),
            "{writer:?} replaced /dev/full"
        );

        let disk = dir.join("disk");
        if mknod(&disk, "b", 7, 0) {
            let (ok, said) = write(writer, s, &disk);
            let says = match writer {
                Writer::Export => "block device",
                Writer::Config => "not a regular file",
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
