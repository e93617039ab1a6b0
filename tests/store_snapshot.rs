//! The snapshot store: round trip, atomic saves, damaged / newer / older files, schema steps,
//! and errors that name the file.

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;
use seats::domain::{
    AccountType, Directory, Group, GroupRef, Product, ProductAccess, Seats, SeatsSource, User,
    UserStatus,
};
use seats::store::{FILE_NAME, SCHEMA_VERSION, Store, StoreError};

/// A directory of `n` users with 3 product accesses and 4 groups each, varied enough that a
/// field dropped or swapped by the store shows.
fn directory(n: usize, fetched_at: DateTime<Utc>) -> Directory {
    let products = [
        "jira-software",
        "confluence",
        "jira-servicedesk",
        "jira-product-discovery",
    ];
    let groups: Vec<Group> = (0..40usize)
        .map(|g| Group {
            id: format!("group-{g:04}"),
            name: format!("team {g}"),
            synced: g.is_multiple_of(3),
            grants: vec![products[g % 4].to_owned()],
            member_count: (!g.is_multiple_of(5)).then_some(g as u64 * 10),
        })
        .collect();
    let users = (0..n)
        .map(|i| User {
            account_id: format!("712020:{i:08x}-0000-4000-8000-{:012x}", i * 31),
            name: format!("User {i} \"Ünïcode\""),
            email: (!i.is_multiple_of(7)).then(|| format!("user{i}@acme.example")),
            account_type: match i % 50 {
                1 => AccountType::App,
                2 => AccountType::Customer,
                3 => AccountType::Other("robot".into()),
                _ => AccountType::Atlassian,
            },
            status: match i % 40 {
                1 => UserStatus::Suspended,
                2 => UserStatus::NotInvited,
                3 => UserStatus::Deactivated,
                4 => UserStatus::ForDeletion,
                5 => UserStatus::Other("pending".into()),
                _ => UserStatus::Active,
            },
            groups: (0..4)
                .map(|k| {
                    let g = &groups[(i * 7 + k * 11) % groups.len()];
                    GroupRef {
                        id: g.id.as_str().into(),
                        name: g.name.as_str().into(),
                    }
                })
                .collect(),
            product_access: (0..3)
                .map(|k| ProductAccess {
                    product: products[(i + k) % 4].into(),
                    last_active: (!(i + k).is_multiple_of(9)).then(|| {
                        fetched_at - chrono::Duration::milliseconds((i * 86_400_013 + k) as i64)
                    }),
                    resource: (k != 1)
                        .then(|| format!("ari:cloud:{}::site/c", products[(i + k) % 4]).into()),
                })
                .collect(),
            managed: i.is_multiple_of(2),
            synced: i.is_multiple_of(3),
            org_admin: i.is_multiple_of(97),
            site_admin: i.is_multiple_of(89),
        })
        .collect();
    let seats = vec![
        Seats::new(
            Product::new("jira-software"),
            Some(500),
            420,
            SeatsSource::JiraApplicationRole,
        ),
        Seats::new(
            Product::new("confluence"),
            None,
            300,
            SeatsSource::Directory,
        ),
    ];
    Directory {
        org_id: "org-1".into(),
        fetched_at,
        users,
        groups,
        seats,
    }
}

fn at(h: u32) -> DateTime<Utc> {
    // Nanoseconds too: the age shown comes from fetched_at, which must come back exact.
    Utc.with_ymd_and_hms(2026, 11, 22, h, 30, 15).unwrap()
        + chrono::Duration::nanoseconds(123_456_789)
}

fn assert_same(a: &Directory, b: &Directory) {
    assert_eq!(a.org_id, b.org_id);
    assert_eq!(a.fetched_at, b.fetched_at);
    assert_eq!(a.users, b.users);
    assert_eq!(a.groups, b.groups);
    assert_eq!(a.seats, b.seats);
}

fn db_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join(FILE_NAME)
}

/// Files in the folder whose name starts with `prefix`.
fn files_starting(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    found.sort();
    found
}

#[test]
fn a_snapshot_comes_back_whole_after_reopening() {
    let tmp = tempfile::tempdir().unwrap();
    let path = db_in(&tmp);
    let dir = directory(3_000, at(12));
    {
        let (mut store, notice) = Store::open(&path).unwrap();
        assert_eq!(notice, None, "a new file needs no notice");
        assert!(store.load_snapshot("acme").unwrap().is_none());
        assert!(store.snapshot_info("acme").unwrap().is_none());
        store.save_snapshot("acme", &dir).unwrap();
    }
    let (store, notice) = Store::open(&path).unwrap();
    assert_eq!(notice, None);
    assert_eq!(store.path(), path);
    let back = store
        .load_snapshot("acme")
        .unwrap()
        .expect("saved snapshot");
    assert_same(&back, &dir);

    let info = store.snapshot_info("acme").unwrap().unwrap();
    assert_eq!(info.org_id, "org-1");
    assert_eq!(info.fetched_at, dir.fetched_at);
    assert_eq!(info.users, 3_000);
    assert_eq!(info.groups, 40);
    assert!(info.saved_at >= info.fetched_at);
    assert!(store.load_snapshot("other-profile").unwrap().is_none());
}

#[test]
fn saving_replaces_only_its_own_scope() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, _) = Store::open(&db_in(&tmp)).unwrap();
    let first = directory(50, at(1));
    let other = directory(7, at(2));
    store.save_snapshot("a", &first).unwrap();
    store.save_snapshot("b", &other).unwrap();
    let newer = directory(20, at(3));
    store.save_snapshot("a", &newer).unwrap();
    assert_same(&store.load_snapshot("a").unwrap().unwrap(), &newer);
    assert_same(&store.load_snapshot("b").unwrap().unwrap(), &other);
    assert_eq!(store.snapshot_info("a").unwrap().unwrap().users, 20);
    // A larger body in the place of a smaller one: streamed into a blob of its own size.
    let larger = directory(1_500, at(4));
    store.save_snapshot("a", &larger).unwrap();
    assert_same(&store.load_snapshot("a").unwrap().unwrap(), &larger);
    assert_same(&store.load_snapshot("b").unwrap().unwrap(), &other);

    assert!(store.remove_snapshot("a").unwrap());
    assert!(!store.remove_snapshot("a").unwrap());
    assert!(store.load_snapshot("a").unwrap().is_none());
    assert!(store.snapshot_info("a").unwrap().is_none());
    assert!(store.load_snapshot("b").unwrap().is_some());
}

#[test]
fn a_save_that_fails_midway_keeps_the_old_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, _) = Store::open(&db_in(&tmp)).unwrap();
    let old = directory(30, at(4));
    store.save_snapshot("acme", &old).unwrap();
    // The body is written after the summary row: make that second write fail.
    store
        .connection()
        .execute_batch(
            "CREATE TRIGGER fail_body BEFORE UPDATE ON snapshot_body
             BEGIN SELECT RAISE(ABORT, 'disk went away'); END;
             CREATE TRIGGER fail_body_insert BEFORE INSERT ON snapshot_body
             BEGIN SELECT RAISE(ABORT, 'disk went away'); END;
             CREATE TRIGGER fail_body_delete BEFORE DELETE ON snapshot_body
             BEGIN SELECT RAISE(ABORT, 'disk went away'); END;",
        )
        .unwrap();
    let err = store
        .save_snapshot("acme", &directory(99, at(5)))
        .unwrap_err();
    assert!(
        err.to_string().contains(&*db_in(&tmp).to_string_lossy()),
        "{err}"
    );
    let info = store.snapshot_info("acme").unwrap().unwrap();
    assert_eq!((info.users, info.fetched_at), (30, old.fetched_at));
    assert_same(&store.load_snapshot("acme").unwrap().unwrap(), &old);
}

#[test]
fn two_stores_on_one_file_see_each_others_saves() {
    let tmp = tempfile::tempdir().unwrap();
    let path = db_in(&tmp);
    let (mut writer, _) = Store::open(&path).unwrap();
    let (reader, _) = Store::open(&path).unwrap();
    assert!(reader.load_snapshot("acme").unwrap().is_none());
    let dir = directory(10, at(6));
    writer.save_snapshot("acme", &dir).unwrap();
    assert_same(&reader.load_snapshot("acme").unwrap().unwrap(), &dir);
    let mode: String = reader
        .connection()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let sync: i64 = reader
        .connection()
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 2, "synchronous = FULL");
}

#[test]
fn garbage_is_an_error_and_is_left_as_it_is() {
    let tmp = tempfile::tempdir().unwrap();
    let path = db_in(&tmp);
    let garbage: Vec<u8> = (0..10_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    std::fs::write(tmp.path().join("seats.db-wal"), b"old log").unwrap();

    // Twice: the first refusal changes nothing the second could trip over.
    for _ in 0..2 {
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
        let said = err.to_string();
        assert!(said.contains("is not a seats database"), "{said}");
        assert!(said.contains(&*path.to_string_lossy()), "{said}");
    }
    assert!(files_starting(tmp.path(), "seats.db.").is_empty());
    assert_eq!(std::fs::read(&path).unwrap(), garbage, "never written");
    assert_eq!(
        std::fs::read(tmp.path().join("seats.db-wal")).unwrap(),
        b"old log"
    );
}

#[test]
fn a_truncated_database_whose_batches_cannot_be_read_is_refused_not_moved() {
    let tmp = tempfile::tempdir().unwrap();
    let path = db_in(&tmp);
    {
        let (mut store, _) = Store::open(&path).unwrap();
        store
            .save_snapshot("acme", &directory(5_000, at(8)))
            .unwrap();
    }
    // Closing the last connection folds the log into the file: the file alone holds it all.
    assert!(!tmp.path().join("seats.db-wal").exists());
    let full = std::fs::read(&path).unwrap();
    assert!(full.len() > 200_000, "{} bytes", full.len());
    std::fs::write(&path, &full[..full.len() / 2]).unwrap();

    // It may hold a batch `seats apply --resume` needs: seats cannot tell, so it keeps it.
    let err = Store::open(&path).unwrap_err();
    let said = err.to_string();
    assert!(matches!(err, StoreError::HoldsUnfinished { .. }), "{err:?}");
    assert!(said.contains("is damaged"), "{said}");
    assert!(
        said.contains("cannot read whether it holds an unfinished batch"),
        "{said}"
    );
    assert!(files_starting(tmp.path(), "seats.db.").is_empty());
    assert_eq!(std::fs::read(&path).unwrap(), &full[..full.len() / 2]);
}

#[test]
fn a_database_damaged_in_the_middle_is_found_at_open() {
    let tmp = tempfile::tempdir().unwrap();
    let path = db_in(&tmp);
    {
        let (mut store, _) = Store::open(&path).unwrap();
        store
            .save_snapshot("acme", &directory(5_000, at(8)))
            .unwrap();
    }
    // One whole page in the middle of the body overwritten: the header and size look fine,
    // only walking the pages (quick_check) finds it, before the console relies on the file.
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4096;
    let middle = bytes.len() / 2 / page * page;
    bytes[middle..middle + page].fill(0xff);
    std::fs::write(&path, &bytes).unwrap();

    // Its journal tables are readable and hold no unfinished batch: it can be set aside.
    let (store, notice) = Store::open(&path).unwrap();
    let notice = notice.expect("the admin is told");
    assert!(notice.contains("damaged"), "{notice}");
    let moved: Vec<PathBuf> = files_starting(tmp.path(), "seats.db.corrupt-")
        .into_iter()
        .filter(|p| {
            !p.to_string_lossy().ends_with("-wal") && !p.to_string_lossy().ends_with("-shm")
        })
        .collect();
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert_eq!(std::fs::read(&moved[0]).unwrap(), bytes);
    assert!(store.load_snapshot("acme").unwrap().is_none());
}

#[test]
fn a_file_from_a_newer_seats_is_set_aside_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let path = db_in(&tmp);
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future (x TEXT); INSERT INTO future VALUES ('kept');")
            .unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();

    let (store, notice) = Store::open(&path).unwrap();
    let notice = notice.expect("the admin is told");
    let moved = files_starting(tmp.path(), "seats.db.newer-");
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert!(notice.contains(&*moved[0].to_string_lossy()), "{notice}");
    assert!(notice.contains("newer seats"), "{notice}");
    assert_eq!(std::fs::read(&moved[0]).unwrap(), before, "not written to");

    let version: i64 = store
        .connection()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    drop(store);
    let old = Connection::open(&moved[0]).unwrap();
    let kept: String = old
        .query_row("SELECT x FROM future", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, "kept");
}

#[test]
fn an_older_file_is_migrated_keeping_other_tables_and_rebuilding_the_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let path = db_in(&tmp);
    {
        // Version 0: a snapshot table of another layout, and a table of another module.
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE snapshot (scope TEXT PRIMARY KEY, json TEXT);
             INSERT INTO snapshot VALUES ('acme', '{\"users\": []}');
             CREATE TABLE journal (step TEXT);
             INSERT INTO journal VALUES ('removed access of 712020:abc');",
        )
        .unwrap();
        assert_eq!(
            conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
                .unwrap(),
            0
        );
    }
    let (mut store, notice) = Store::open(&path).unwrap();
    let notice = notice.expect("the dropped snapshot is mentioned");
    assert!(notice.contains("older seats"), "{notice}");
    assert!(
        files_starting(tmp.path(), "seats.db.").is_empty(),
        "not set aside"
    );
    assert!(store.load_snapshot("acme").unwrap().is_none());
    let kept: String = store
        .connection()
        .query_row("SELECT step FROM journal", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, "removed access of 712020:abc");
    let version: i64 = store
        .connection()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);

    let dir = directory(12, at(9));
    store.save_snapshot("acme", &dir).unwrap();
    drop(store);
    let (store, notice) = Store::open(&path).unwrap();
    assert_eq!(notice, None, "migrated once");
    assert_same(&store.load_snapshot("acme").unwrap().unwrap(), &dir);
}

#[test]
fn a_damaged_body_or_another_layout_is_reported_not_panicked_on() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut store, _) = Store::open(&db_in(&tmp)).unwrap();
    store.save_snapshot("acme", &directory(3, at(10))).unwrap();
    store
        .connection()
        .execute("UPDATE snapshot_body SET body = x'7b7b00ff'", [])
        .unwrap();
    let err = store.load_snapshot("acme").unwrap_err();
    assert!(matches!(err, StoreError::BadSnapshot { .. }), "{err:?}");
    assert!(err.to_string().contains("'acme'"), "{err}");
    assert!(
        err.to_string().contains(&*db_in(&tmp).to_string_lossy()),
        "{err}"
    );

    // A layout this seats does not know (a newer or older body format) is no snapshot.
    store.save_snapshot("acme", &directory(3, at(10))).unwrap();
    store
        .connection()
        .execute("UPDATE snapshot SET format = format + 1", [])
        .unwrap();
    assert!(store.load_snapshot("acme").unwrap().is_none());
    assert!(store.snapshot_info("acme").unwrap().is_none());
    store.save_snapshot("acme", &directory(4, at(11))).unwrap();
    assert_eq!(store.load_snapshot("acme").unwrap().unwrap().users.len(), 4);
}

#[test]
fn schema_steps_run_once_and_a_failed_step_is_not_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let path = db_in(&tmp);
    let step = "CREATE TABLE queue (id INTEGER PRIMARY KEY, what TEXT NOT NULL);";
    {
        let (store, _) = Store::open(&path).unwrap();
        assert!(store.ensure("queue.1", step).unwrap());
        assert!(
            !store.ensure("queue.1", step).unwrap(),
            "a second CREATE would fail"
        );
        store
            .connection()
            .execute("INSERT INTO queue (what) VALUES ('x')", [])
            .unwrap();
        // Half of a bad step must not stay behind, nor be marked done.
        let bad = "CREATE TABLE audit (a TEXT); INSERT INTO nowhere VALUES (1);";
        assert!(store.ensure("audit.1", bad).is_err());
    }
    let (store, _) = Store::open(&path).unwrap();
    assert!(
        !store.ensure("queue.1", step).unwrap(),
        "remembered across opens"
    );
    let rows: i64 = store
        .connection()
        .query_row("SELECT count(*) FROM queue", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);
    assert!(
        store
            .ensure("audit.1", "CREATE TABLE audit (a TEXT);")
            .unwrap()
    );
}

#[test]
fn a_lock_held_too_long_is_an_error_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let path = db_in(&tmp);
    let (mut store, _) = Store::open(&path).unwrap();
    let other = Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE;").unwrap();
    let err = store
        .save_snapshot("acme", &directory(2, at(12)))
        .unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    assert!(err.to_string().contains(&*path.to_string_lossy()), "{err}");
    other.execute_batch("ROLLBACK;").unwrap();
    store.save_snapshot("acme", &directory(2, at(12))).unwrap();
}

#[test]
fn a_full_disk_is_an_error_naming_the_file_and_keeps_the_old_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let path = db_in(&tmp);
    let (mut store, _) = Store::open(&path).unwrap();
    let old = directory(20, at(15));
    store.save_snapshot("acme", &old).unwrap();
    // SQLite answers "database or disk is full" past max_page_count, as it does on a full disk.
    let pages: i64 = store
        .connection()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    store
        .connection()
        .pragma_update(None, "max_page_count", pages + 2)
        .unwrap();
    let err = store
        .save_snapshot("acme", &directory(5_000, at(16)))
        .unwrap_err();
    assert!(matches!(err, StoreError::DiskFull { .. }), "{err:?}");
    assert!(err.to_string().contains(&*path.to_string_lossy()), "{err}");
    assert!(err.to_string().contains("free some space"), "{err}");
    assert_same(&store.load_snapshot("acme").unwrap().unwrap(), &old);
}

#[test]
fn a_database_that_refuses_writes_is_an_error_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let path = db_in(&tmp);
    let (mut store, _) = Store::open(&path).unwrap();
    // What a read-only file gives; permission bits would not stop root, who runs CI.
    store
        .connection()
        .execute_batch("PRAGMA query_only = ON;")
        .unwrap();
    let err = store
        .save_snapshot("acme", &directory(2, at(17)))
        .unwrap_err();
    assert!(matches!(err, StoreError::NotWritable { .. }), "{err:?}");
    assert!(err.to_string().contains(&*path.to_string_lossy()), "{err}");
    assert!(err.to_string().contains("SEATS_DATA_DIR"), "{err}");
}

#[test]
fn a_folder_that_cannot_be_made_is_an_error_naming_the_path() {
    let tmp = tempfile::tempdir().unwrap();
    // A file where the folder should be: fails even for root, unlike permission bits.
    let blocker = tmp.path().join("data");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let err = Store::open(&blocker.join("sub").join(FILE_NAME)).unwrap_err();
    assert!(matches!(err, StoreError::NotWritable { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&*blocker.to_string_lossy()),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn a_new_database_is_private_to_its_user() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new").join("data");
    let path = dir.join(FILE_NAME);
    let (mut store, _) = Store::open(&path).unwrap();
    store.save_snapshot("acme", &directory(2, at(13))).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&dir.join("seats.db-wal")), 0o600);
}

/// Runs in a child process (see below), where SEATS_DATA_DIR is set from the start.
#[test]
#[ignore = "run by open_default_uses_the_data_dir in a child process"]
fn open_default_in_child() {
    // Run by hand (`--ignored`) it would write to the real data dir: only in the child.
    if std::env::var_os("SEATS_STORE_TEST_CHILD").is_none() {
        return;
    }
    let (mut store, notice) = Store::open_default().unwrap();
    assert_eq!(notice, None);
    store.save_snapshot("acme", &directory(2, at(14))).unwrap();
    println!("opened {}", store.path().display());
}

#[test]
fn open_default_uses_the_data_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("not-yet").join("seats");
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "open_default_in_child",
            "--ignored",
            "--nocapture",
        ])
        .env("SEATS_DATA_DIR", &data)
        .env("SEATS_STORE_TEST_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = data.join(FILE_NAME);
    assert!(
        stdout.contains(&format!("opened {}", path.display())),
        "{stdout}"
    );
    let (store, _) = Store::open(&path).unwrap();
    assert_eq!(store.snapshot_info("acme").unwrap().unwrap().users, 2);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }
}
