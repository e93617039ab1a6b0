//! `seats status` shows every check whatever fails, and exits non-zero when any did not pass:
//! nothing configured, no org key, no org id.

#[path = "support/hardening.rs"]
mod hardening;

const CHECKS: [&str; 7] = [
    "org API key",
    "site API token",
    "org ",
    "admin API",
    "Jira API",
    "Confluence API",
    "user management API",
];

fn status(env: &[(&str, &str)], args: &[&str]) -> (Option<i32>, String) {
    let home = hardening::Home::new();
    let mut all = vec!["status".to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    let mut cmd = hardening::seats(home.path(), &all);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn nothing_configured_shows_every_check_and_fails() {
    let (code, stdout) = status(&[], &[]);
    assert_eq!(code, Some(1), "{stdout}");
    for check in CHECKS {
        assert!(
            stdout.lines().any(|l| l.starts_with(check)),
            "{check:?} missing:\n{stdout}"
        );
    }
}

#[test]
fn a_key_without_an_org_id_fails() {
    let (code, stdout) = status(&[("SEATS_ORG_API_KEY", "some-key-12345")], &[]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("org ") && l.contains("FAILED: not set")),
        "{stdout}"
    );
}
