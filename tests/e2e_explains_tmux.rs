//! `seats demo` at 80x24 in a real terminal (tmux): the title fits, the Activity view says why
//! it lists fewer users than the org has accounts, a preset is one key away and the sort it
//! sets is named, and fuzzy matches are highlighted (issue 17, point 4).

#[path = "support/tmux.rs"]
mod tmux;

use tmux::{Tmux, available, seats_bin};

/// The "12/2,000" count in the status line, as (shown, total).
fn counts(screen: &str) -> Option<(usize, usize)> {
    let status = screen.lines().rev().find(|l| !l.trim().is_empty())?;
    let word = status.split_whitespace().find(|w| w.contains('/'))?;
    let (a, b) = word.trim_end_matches('…').split_once('/')?;
    let n = |s: &str| s.replace(',', "").parse::<usize>().ok();
    Some((n(a)?, n(b)?))
}

#[test]
fn demo_at_80_columns_explains_what_it_shows() {
    if !available() {
        eprintln!("skipped: tmux is not installed (tests/run.sh installs it)");
        return;
    }
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let dir = home.path().display();
    let command = format!(
        "SEATS_CONFIG_DIR={dir} SEATS_DATA_DIR={dir} {} demo --users 2000 --seed 7; echo seats-exited-$?; sleep 30",
        seats_bin()
    );
    let t = Tmux::start("explains", 80, 24, &command);
    let screen = t.wait("the fetched directory", |s| {
        counts(s).is_some_and(|(shown, total)| total > 1900 && shown == total)
            && !s.contains("fetching ")
            && !s.contains("partial ")
    });
    let (listed, _) = counts(&screen).unwrap_or_default();

    // The title: every tab, and the label by whole words.
    let title = screen.lines().next().unwrap_or_default().to_owned();
    for tab in [
        "1 Users",
        "2 Groups",
        "3 Activity",
        "4 Queue",
        "5 History",
        "6 Rules",
    ] {
        assert!(title.contains(tab), "{title:?}");
    }
    assert!(title.trim_start().starts_with("demo: 2,000"), "{title:?}");

    // Activity: the gap between accounts and listed users, computed, once.
    t.type_text("3");
    // Both ends of the frame: a capture can land while the terminal is still being written.
    let screen = t.wait("the Activity view", |s| {
        s.contains("accounts listed") && s.contains("[c] ≥90")
    });
    let note = format!("{} of 2,000 accounts listed:", thousands(listed));
    assert!(screen.contains(&note), "{note:?} in:\n{screen}");
    assert_eq!(screen.matches("accounts listed").count(), 1);
    assert!(screen.contains("[c] ≥90"), "{screen}");

    // Jira Software (third product), its ≥90 days preset by its key: the Users view, sorted
    // most idle first, the sort named.
    t.type_text("jjc");
    let screen = t.wait("the preset's users", |s| {
        s.contains("filter: product:jira-software idle:90") && s.contains("sorted by JSW idle ▼")
    });
    assert!(screen.contains("JSW▼"), "{screen}");

    // A fuzzy word: its characters highlighted in the rows (bold and underlined).
    t.keys(&["Escape"]);
    t.wait("every user again", |s| {
        counts(s).is_some_and(|(shown, total)| shown == total)
    });
    t.type_text("/berg");
    t.keys(&["Enter"]);
    t.wait("the query's rows", |s| {
        counts(s).is_some_and(|(shown, total)| shown > 0 && shown < total)
    });
    let out = t.cmd(&["capture-pane", "-p", "-e", "-t", "e2e"]);
    let styled = String::from_utf8_lossy(&out.stdout).into_owned();
    let row = styled
        .lines()
        .skip(2)
        .find(|l| l.contains('@'))
        .unwrap_or_default();
    assert!(row.contains("\u{1b}[1;4"), "no highlight in {row:?}");

    t.type_text("q");
    t.wait_for("seats-exited-0");
}

fn thousands(n: usize) -> String {
    seats::output::words::thousands(n)
}
