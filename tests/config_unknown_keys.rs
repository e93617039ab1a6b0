//! Every config section refuses a key it does not know, and every error names the file, the
//! line and what to do, once. Product keys are a closed set in every section keyed by
//! product and in every `--product` flag.

use clap::CommandFactory;
use seats::config::{Config, DEFAULT_CONFIG_TOML, load_from};

fn load(text: &[u8]) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    let err = load_from(&path)
        .err()
        .map(|e| format!("{:#}", anyhow::Error::from(e)))
        .unwrap_or_default();
    (err, dir)
}

fn at(dir: &tempfile::TempDir, line: usize) -> String {
    format!("{}:{line}:", dir.path().join("config.toml").display())
}

/// Every table of the config (nested ones too, a profile's included), as a header path.
fn sections() -> Vec<String> {
    let mut with_profile = Config::default();
    with_profile
        .profiles
        .insert("work".into(), seats::config::Profile::default());
    let table = toml::Table::try_from(with_profile).unwrap();
    let mut out = Vec::new();
    fn walk(prefix: &str, t: &toml::Table, out: &mut Vec<String>) {
        for (k, v) in t {
            if let toml::Value::Table(inner) = v {
                let name = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.push(name.clone());
                walk(&name, inner, out);
            }
        }
    }
    walk("", &table, &mut out);
    out
}

#[test]
fn every_section_refuses_an_unknown_key_at_its_line() {
    let all = sections();
    for needed in [
        "inactivity.products",
        "prices.per_user_month",
        "api",
        "profiles.work",
    ] {
        assert!(all.iter().any(|s| s == needed), "{needed} not in {all:?}");
    }
    for section in all {
        if section == "profiles" {
            continue; // its keys are profile names
        }
        // The typo comes on line 3, after a comment.
        let text = format!("[{section}]\n# a comment\nconfluenc = 30\n");
        let (err, dir) = load(text.as_bytes());
        assert!(err.contains(&at(&dir, 3)), "[{section}]: {err}");
        assert!(err.contains("confluenc"), "[{section}]: {err}");
        assert!(err.contains("Fix that line"), "[{section}]: {err}");
    }
}

#[test]
fn product_sections_list_the_valid_keys() {
    for section in ["inactivity.products", "prices.per_user_month"] {
        let (err, dir) = load(format!("[{section}]\nconfluence = 3\nconfluenc = 30\n").as_bytes());
        assert!(err.contains(&at(&dir, 3)), "{err}");
        assert!(
            err.contains("unknown product key \"confluenc\"")
                && err.contains("jira-software")
                && err.contains("confluence"),
            "{err}"
        );
    }
}

#[test]
fn a_bad_value_points_at_its_own_line() {
    let (err, dir) = load(b"[prices.per_user_month]\nconfluence = 6.4\njira-software = -1\n");
    assert!(
        err.contains(&at(&dir, 3)) && err.contains("0 or more"),
        "{err}"
    );
    let (err, dir) = load(b"[inactivity.products]\n\nconfluence = 0\n");
    assert!(
        err.contains(&at(&dir, 3)) && err.contains("1 to 3650"),
        "{err}"
    );
}

#[test]
fn a_byte_that_is_not_utf8_names_its_line_once() {
    let mut text = DEFAULT_CONFIG_TOML.as_bytes().to_vec();
    let line = DEFAULT_CONFIG_TOML.lines().count() + 1;
    text.extend_from_slice(b"# na\xefve\n");
    let (err, dir) = load(&text);
    assert!(
        err.contains(&at(&dir, line)) && err.contains("UTF-8"),
        "{err}"
    );
    assert_eq!(err.matches("UTF-8 text").count(), 1, "{err}");
}

/// Each error says its cause once: no `: X: X` from a message repeating its own source.
fn said_once(err: &str) {
    for part in err.split(": ") {
        if part.len() > 12 {
            assert_eq!(err.matches(part).count(), 1, "{part:?} repeated in: {err}");
        }
    }
}

#[test]
fn a_config_dir_that_is_a_file_says_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("config"), b"").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_seats"))
        .arg("profiles")
        .env("SEATS_CONFIG_DIR", tmp.path().join("config"))
        .env("SEATS_DATA_DIR", tmp.path().join("data"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("is a file, not a directory") && err.contains("SEATS_CONFIG_DIR"),
        "{err}"
    );
    said_once(&err);
}

#[test]
fn every_config_error_is_said_once() {
    let cases: [&[u8]; 4] = [
        b"[api]\npage_size = 0\n",
        b"[prices.per_user_month]\nconfluence = -1\n",
        b"\xff\n",
        b"[protected]\nuser = []\n",
    ];
    for text in cases {
        let (err, _dir) = load(text);
        assert!(!err.is_empty());
        said_once(&err);
    }
    // A config path under a file.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sub"), b"x = 1").unwrap();
    let err = load_from(&dir.path().join("sub").join("config.toml"))
        .err()
        .map(|e| format!("{:#}", anyhow::Error::from(e)))
        .unwrap_or_default();
    assert!(err.contains("is a file, not a directory"), "{err}");
    said_once(&err);
}

/// Every `--product` flag, in every subcommand, refuses a typo of a known product key before
/// any work, and takes a key seats does not know but an org's data may carry (checked against
/// the fetched data then).
#[test]
fn every_product_flag_refuses_a_misspelt_key() {
    let cli = seats::cli::Cli::command();
    let mut checked = 0;
    let mut stack: Vec<(Vec<String>, clap::Command)> = vec![(vec![], cli.clone())];
    while let Some((path, cmd)) = stack.pop() {
        for arg in cmd.get_arguments() {
            if arg.get_id() != "product" {
                continue;
            }
            let mut line: Vec<String> = vec!["seats".into()];
            line.extend(path.iter().cloned());
            // Positional values some commands need.
            if path.last().map(String::as_str) == Some("export") {
                line.push("users".into());
            }
            if path.last().map(String::as_str) == Some("plan") {
                line.extend(["--action".into(), "remove-product-access".into()]);
            }
            let bad = [line.clone(), vec!["--product".into(), "confluenc".into()]].concat();
            let err = seats::cli::parse_from(bad.clone())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(
                err.contains("unknown product key \"confluenc\"")
                    && err.contains("did you mean \"confluence\""),
                "{bad:?}: {err}"
            );
            let new_key = [line.clone(), vec!["--product".into(), "nosuch".into()]].concat();
            assert!(
                seats::cli::parse_from(new_key.clone()).is_ok(),
                "{new_key:?}"
            );
            let good = [line, vec!["--product".into(), "confluence".into()]].concat();
            assert!(seats::cli::parse_from(good.clone()).is_ok(), "{good:?}");
            checked += 1;
        }
        for sub in cmd.get_subcommands() {
            let mut p = path.clone();
            p.push(sub.get_name().to_owned());
            stack.push((p, sub.clone()));
        }
    }
    assert!(checked >= 1, "no --product flag found");
}
