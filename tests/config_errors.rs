//! A broken config.toml: the error names the file, the line and what is wrong, and nothing runs.

use std::path::Path;
use std::process::Command;

fn profiles_with_config(body: &str) -> (bool, String, std::path::PathBuf, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let dir = tmp.path().join("config");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join("config.toml");
    std::fs::write(&path, body).unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(env!("CARGO_BIN_EXE_seats"))
        .arg("profiles")
        .env("SEATS_CONFIG_DIR", &dir)
        .env("SEATS_DATA_DIR", tmp.path().join("data"))
        .env_remove("SEATS_PROFILE")
        .output()
        .unwrap_or_else(|e| panic!("could not run seats: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        path,
        tmp,
    )
}

fn assert_points_at(err: &str, path: &Path, line: usize, words: &[&str]) {
    let at = format!("{}:{line}:", path.display());
    assert!(err.contains(&at), "expected {at} in: {err}");
    for w in words {
        assert!(err.contains(w), "expected {w:?} in: {err}");
    }
}

#[test]
fn a_syntax_error_gives_path_and_line() {
    let (ok, err, path, _tmp) = profiles_with_config("[api]\npage_size = 100\nconcurrency = \n");
    assert!(!ok);
    assert_points_at(&err, &path, 3, &["invalid string"]);
}

#[test]
fn an_unknown_key_is_named() {
    let (ok, err, path, _tmp) =
        profiles_with_config("# c\n\n[protected]\ngroups = []\nuser = [\"bot@example.com\"]\n");
    assert!(!ok);
    assert_points_at(&err, &path, 5, &["unknown field `user`", "users"]);
}

#[test]
fn a_wrong_type_is_named() {
    let (ok, err, path, _tmp) = profiles_with_config("[inactivity]\ndays = \"ninety\"\n");
    assert!(!ok);
    assert_points_at(&err, &path, 2, &["invalid type", "u32"]);
}

#[test]
fn an_out_of_range_value_is_named_with_its_line() {
    let (ok, err, path, _tmp) = profiles_with_config("[api]\npage_size = 100\nconcurrency = 0\n");
    assert!(!ok);
    assert_points_at(&err, &path, 3, &["concurrency must be from 1 to 32, not 0"]);
    let (ok, err, path, _tmp) =
        profiles_with_config("[prices.per_user_month]\nconfluence = -1.0\n");
    assert!(!ok);
    // The line of the bad value, not the table's header.
    assert_points_at(&err, &path, 2, &["a price must be 0 or more, not -1"]);
}
