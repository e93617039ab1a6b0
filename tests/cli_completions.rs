//! `seats completions SHELL` and `seats man`: generated from the CLI definition, so every
//! subcommand and flag is in them; the bash script is valid bash; man pages are private files.

use std::process::Command;

use clap::CommandFactory;

fn seats(args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_seats"))
        .args(args)
        .env("SEATS_CONFIG_DIR", home.path().join("config"))
        .env("SEATS_DATA_DIR", home.path().join("data"))
        .output()
        .unwrap()
}

fn subcommands() -> Vec<String> {
    seats::cli::Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .filter(|n| n != "help")
        .collect()
}

#[test]
fn every_shell_completes_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = seats(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {:?}", out);
        let script = String::from_utf8(out.stdout).unwrap();
        for sub in subcommands() {
            assert!(script.contains(&sub), "{shell} script lacks `{sub}`");
        }
        // Flags and their values come from the same definition.
        for word in ["format", "org-id", "product"] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
        // Values of value enums (powershell's script completes flags only).
        if shell != "powershell" {
            for word in ["csv", "json", "powershell"] {
                assert!(script.contains(word), "{shell} script lacks {word}");
            }
        }
    }
}

#[test]
fn the_bash_script_is_valid_bash() {
    let out = seats(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seats.bash");
    std::fs::write(&path, &out.stdout).unwrap();
    let Ok(check) = Command::new("bash").arg("-n").arg(&path).output() else {
        eprintln!("no bash here: syntax not checked");
        return;
    };
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // Sourced, it registers the function for `seats`.
    let source = Command::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p seats", path.display()))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&source.stdout);
    assert!(said.contains("_seats") && said.contains("seats"), "{said}");
}

#[test]
fn an_unknown_shell_is_refused_with_the_list() {
    let out = seats(&["completions", "tcsh"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bash") && err.contains("powershell"), "{err}");
}

#[test]
fn the_man_page_lists_every_subcommand() {
    let out = seats(&["man"]);
    assert!(out.status.success(), "{out:?}");
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.contains(".TH seats 1"),
        "{}",
        &page[..200.min(page.len())]
    );
    assert!(page.contains(".SH SUBCOMMANDS"));
    for sub in subcommands() {
        assert!(
            page.contains(&format!("seats\\-{}", sub.replace('-', "\\-"))),
            "{sub}"
        );
    }
}

#[test]
fn man_prints_one_page_per_subcommand() {
    let listed = seats(&["man", "--list"]);
    assert!(listed.status.success(), "{listed:?}");
    let listed: Vec<String> = String::from_utf8(listed.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(listed, subcommands());
    for sub in &listed {
        let out = seats(&["man", sub]);
        assert!(out.status.success(), "{sub}: {out:?}");
        let page = String::from_utf8(out.stdout).unwrap();
        assert!(page.contains(&format!(".TH seats-{sub} 1")), "{page}");
        assert!(page.contains(env!("CARGO_PKG_VERSION")), "{page}");
    }
    // The report page documents its --format values, from the same definition.
    let report = String::from_utf8(seats(&["man", "report"]).stdout).unwrap();
    assert!(
        report.contains("csv") && report.contains("json"),
        "{report}"
    );
    let out = seats(&["man", "nope"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no subcommand \"nope\"") && err.contains("report"),
        "{err}"
    );
}
