//! Command mode, menus that narrow and help that is searched, in a real terminal (tmux) on
//! `seats demo`: what an admin sees when they press `:`, Tab, type in a menu, or `?`.

#[path = "support/tmux.rs"]
mod tmux;

use tmux::{Tmux, available, seats_bin};

/// The query line: the second line from the bottom of the screen.
fn query_line(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    lines
        .len()
        .checked_sub(2)
        .and_then(|i| lines.get(i))
        .map(|l| l.trim_end().to_owned())
        .unwrap_or_default()
}

#[test]
fn demo_command_mode_menus_and_help_narrow_as_you_type() {
    if !available() {
        eprintln!("skipped: tmux is not installed (tests/run.sh installs it)");
        return;
    }
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let dir = home.path().display().to_string();
    // A plan file to complete: the only name starting with "kept-".
    std::fs::write(home.path().join("kept-plan.json"), b"{}").unwrap_or_else(|e| panic!("{e}"));
    let command = format!(
        "SEATS_CONFIG_DIR={dir} SEATS_DATA_DIR={dir} {} demo --users 1000 --seed 11; echo seats-exited-$?; sleep 30",
        seats_bin()
    );
    let t = Tmux::start("command", 120, 36, &command);
    t.wait("the fetched directory", |s| {
        s.contains("Users") && !s.contains("fetching ") && !s.contains("partial ")
    });

    // `:` lists the commands, with their arguments and help.
    t.type_text(":");
    let screen = t.wait_for("commands (Tab completes");
    assert!(screen.contains("remove-group NAME"), "{screen}");
    assert!(screen.contains("give-back BATCH USER"), "{screen}");
    // Tab completes the command, then the group from the loaded directory.
    t.type_text("remove-g");
    t.keys(&["Tab"]);
    t.wait("the command completed", |s| {
        query_line(s) == ":remove-group"
    });
    t.type_text("jira-so");
    t.keys(&["Tab"]);
    t.wait("the group completed", |s| {
        query_line(s) == ":remove-group jira-software-users"
    });
    // An unknown group is refused with what was meant.
    t.keys(&["C-w"]);
    t.type_text("jira-software-usr");
    t.keys(&["Enter"]);
    let screen = t.wait_for("no group named");
    assert!(
        screen.contains("did you mean jira-software-users"),
        "{screen}"
    );
    // The line stays open with the text, to mend it; Esc closes it.
    assert_eq!(query_line(&screen), ":remove-group jira-software-usr");
    t.keys(&["Escape"]);
    t.wait("the line closed", |s| !query_line(s).starts_with(':'));
    // A name without its argument says what it needs.
    t.type_text(":remove-group");
    t.keys(&["Enter"]);
    t.wait_for("remove-group NAME: the group to remove the marked users from");
    t.keys(&["Escape"]);
    t.wait("the line closed", |s| !query_line(s).starts_with(':'));

    // File paths: the folder is listed on Tab, in the background.
    t.type_text(&format!(":read {dir}/kept-"));
    t.keys(&["Tab"]);
    t.wait("the path completed", |s| {
        query_line(s) == format!(":read {dir}/kept-plan.json")
    });
    t.keys(&["Escape"]);
    t.wait("the line closed", |s| !query_line(s).starts_with(':'));

    // The facet menu narrows as you type; the group submenu too, after `/` for any letter.
    t.type_text("f");
    t.wait_for("Filter by");
    t.type_text("gro");
    let screen = t.wait_for("filter: gro");
    assert!(!screen.contains("never active"), "{screen}");
    t.keys(&["Enter"]);
    t.wait_for(" Group ");
    t.type_text("/jira-so");
    let screen = t.wait_for("filter: jira-so");
    assert!(!screen.contains("confluence-users"), "{screen}");
    t.keys(&["Enter"]);
    t.wait_for("filter: group:jira-software-users");

    // Help: the Users view's keys first; typing narrows it.
    t.type_text("?");
    t.wait_for("Help (");
    t.type_text("/queue edit");
    let screen = t.wait_for("filter: queue edit");
    assert!(screen.contains("undo the last queue edit"), "{screen}");
    assert!(!screen.contains("move down"), "{screen}");
    // Esc clears the filter, then closes (one at a time: two at once read as Alt-Esc).
    t.keys(&["Escape"]);
    t.wait_for("type or / to filter");
    t.keys(&["Escape"]);
    t.wait("help closed", |s| !s.contains("Help ("));

    t.type_text("q");
    t.wait_for("seats-exited-0");
}
