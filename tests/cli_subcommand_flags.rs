//! The command line: each subcommand lists and takes only the settings it uses (`seats
//! sandbox --help` shows no connection flags), the old command lines keep working, and login
//! checks every flag before it asks anything.

#[path = "support/hardening.rs"]
mod hardening;

use clap::CommandFactory;
use seats::cli::parse_from;

const CONNECTION: [&str; 5] = ["profile", "admin-url", "site-url", "org-id", "email"];

#[test]
fn every_subcommand_lists_only_the_settings_it_uses() {
    let table = hardening::every_subcommand("http://127.0.0.1:1", "o");
    hardening::assert_every_subcommand_is_covered(&table);
    let cli = seats::cli::Cli::command();
    for (name, args, _) in table {
        let line = [vec!["seats".to_string()], args].concat();
        let parsed = parse_from(line.clone()).unwrap_or_else(|e| panic!("{line:?}: {e}"));
        let takes = parsed.command.as_ref().unwrap().takes();
        let sub = cli.find_subcommand(name).unwrap();
        let longs: Vec<&str> = sub.get_arguments().filter_map(|a| a.get_long()).collect();
        for flag in CONNECTION {
            // The sandbox has an --org-id of its own: the org it simulates.
            if name == "sandbox" && flag == "org-id" {
                continue;
            }
            assert_eq!(
                longs.contains(&flag),
                takes.connection,
                "`seats {name}` --{flag}: {longs:?}"
            );
        }
        // A flag offered is a flag used: `seats plan` has no --offline or --dry-run to ignore.
        assert_eq!(
            longs.contains(&"offline"),
            takes.offline,
            "`seats {name}` --offline"
        );
        assert_eq!(
            longs.contains(&"dry-run"),
            takes.dry_run,
            "`seats {name}` --dry-run"
        );
        // Given before the subcommand, a setting it does not use is refused, not ignored.
        if !takes.connection {
            let before = [
                vec![
                    "seats".to_string(),
                    "--admin-url".into(),
                    "https://x.example".into(),
                ],
                line[1..].to_vec(),
            ]
            .concat();
            let err = parse_from(before)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(
                err.contains(&format!("`seats {name}` does not use --admin-url")),
                "{err}"
            );
        }
    }
    let help = cli
        .find_subcommand("sandbox")
        .unwrap()
        .clone()
        .render_long_help()
        .to_string();
    assert!(
        !help.contains("--admin-url") && !help.contains("--profile"),
        "{help}"
    );
}

#[test]
fn old_command_lines_keep_working() {
    let parse = |args: &[&str]| {
        parse_from(std::iter::once("seats").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"))
    };
    let before = parse(&[
        "--admin-url",
        "http://127.0.0.1:8990",
        "--org-id",
        "o",
        "status",
    ]);
    assert_eq!(
        before.global.connection.admin_url.as_deref(),
        Some("http://127.0.0.1:8990")
    );
    assert_eq!(before.global.connection.org_id.as_deref(), Some("o"));
    let after = parse(&["status", "--admin-url", "http://127.0.0.1:8990"]);
    assert_eq!(
        after.global.connection.admin_url.as_deref(),
        Some("http://127.0.0.1:8990")
    );
    // After the subcommand wins over before it.
    let both = parse(&["--profile", "a", "export", "users", "--profile", "b"]);
    assert_eq!(both.global.connection.profile.as_deref(), Some("b"));
    let console = parse(&["--offline", "--dry-run", "--profile", "a"]);
    assert!(console.global.offline && console.global.dry_run && console.command.is_none());
    let demo = parse(&["demo", "--offline"]);
    assert!(demo.global.offline);
    let demo = parse(&["--dry-run", "demo"]);
    assert!(demo.global.dry_run);
    let apply = parse(&["apply", "p.json", "--dry-run"]);
    assert!(apply.global.dry_run && !apply.global.offline);
}

/// Commands that must reach Atlassian refuse `--offline`, before or after the subcommand, and
/// say why; `seats apply p.json --yes --offline` once suspended users, ignoring the flag.
#[test]
fn commands_that_reach_atlassian_refuse_offline_with_the_reason() {
    let reaching = [
        vec!["apply", "p.json", "--yes"],
        vec!["apply", "--resume"],
        vec!["plan", "--action", "suspend", "--filter", "idle:90"],
        vec!["export", "users"],
        vec!["status"],
        vec!["report"],
        vec!["login", "--org-api-key-stdin"],
    ];
    for args in reaching {
        for line in [
            [vec!["seats"], args.clone(), vec!["--offline"]].concat(),
            [vec!["seats", "--offline"], args.clone()].concat(),
        ] {
            let err = parse_from(line.clone())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_else(|| panic!("{line:?} was accepted"));
            assert!(
                err.contains(&format!("`seats {}` must reach Atlassian", args[0]))
                    && err.contains("cannot run --offline"),
                "{line:?}: {err}"
            );
        }
    }
    // Commands that never reach Atlassian: the flag means nothing to them.
    for args in [vec!["history"], vec!["undo", "1"], vec!["profiles"]] {
        let line = [vec!["seats"], args.clone(), vec!["--offline"]].concat();
        let err = parse_from(line)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains(&format!("`seats {}` does not use --offline", args[0])),
            "{err}"
        );
    }
    // Through the binary: refused before anything is read or sent.
    let home = hardening::Home::new();
    let out = hardening::seats(
        home.path(),
        &["apply", "missing-plan.json", "--yes", "--offline"].map(String::from),
    )
    .output()
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("must reach Atlassian"), "{err}");
    assert!(
        !err.contains("missing-plan.json"),
        "read the plan first: {err}"
    );
}

#[test]
fn seats_profile_comes_under_the_flag() {
    let home = hardening::Home::new();
    let run = |args: &[&str]| {
        let out = hardening::seats(
            home.path(),
            &args.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        )
        .env("SEATS_PROFILE", "nosuch")
        .output()
        .unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(run(&["status"]).contains("no profile \"nosuch\""));
    assert!(!run(&["status", "--profile", "one"]).contains("nosuch"));
    assert!(!run(&["--profile", "one", "status"]).contains("nosuch"));
}

#[test]
fn login_refuses_a_bad_flag_before_asking_anything() {
    let home = hardening::Home::new();
    for (flag, value, says) in [
        (
            "--site-url",
            "https://acme.atlassian.net/jira/software",
            "has the path",
        ),
        (
            "--admin-url",
            "https://api.atlassian.com/v2",
            "has the path",
        ),
        ("--email", "not-an-email", "is not an email address"),
    ] {
        let out = hardening::seats(
            home.path(),
            &["login", "--org-api-key-stdin", flag, value].map(String::from),
        )
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(err.contains(flag) && err.contains(says), "{err}");
        // Nothing was asked of the keyring or the network first.
        assert!(!err.contains("keyring") && !err.contains("reach"), "{err}");
    }
}
