//! The message log: every message the console shows goes into a bounded log (`L` opens it,
//! newest last); the status line shows the newest until a key that does something; a message
//! cut to fit says where to read it whole.

#[path = "support/console.rs"]
mod console;

use console::{key, play, press, state};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;
use seats::exec::{Counts, ExecEvent, ItemState, RunOutcome};
use seats::tui::action::Action;
use seats::tui::state::{AppState, BatchRun, LOG_CAPACITY, Level, Overlay, Theme};
use seats::tui::update::update;

const SIZE: (u16, u16) = (80, 24);

fn render(state: &AppState) -> Terminal<TestBackend> {
    let (w, h) = state.size;
    let mut terminal = match Terminal::new(TestBackend::new(w, h)) {
        Ok(t) => t,
        Err(e) => panic!("test terminal: {e}"),
    };
    if let Err(e) = terminal.draw(|f| seats::tui::ui::draw(state, f)) {
        panic!("draw: {e}");
    }
    terminal
}

fn screen(state: &AppState) -> String {
    render(state).backend().to_string()
}

/// The newest entry of the log: (level, text).
fn newest(s: &AppState) -> Option<(Level, String)> {
    s.log.entries().back().map(|e| (e.level, e.text.clone()))
}

fn status(s: &AppState) -> Option<String> {
    s.flash.as_ref().map(|f| f.text.clone())
}

fn notice(s: &mut AppState, level: Level, text: &str) {
    update(s, Action::Notice(level, text.into()));
}

#[test]
fn every_message_goes_into_the_log_and_the_status_line() {
    // (what happens, level, words the message holds)
    type Step = fn(&mut AppState);
    let cases: &[(&str, Step, Level, &str)] = &[
        (
            "a background notice",
            |s| notice(s, Level::Error, "the queue was not saved: disk full"),
            Level::Error,
            "disk full",
        ),
        (
            "a failed refresh",
            |s| {
                update(s, Action::Fetched(Err("HTTP 401".into())));
            },
            Level::Error,
            "refresh failed: HTTP 401",
        ),
        (
            "an unknown : command",
            |s| {
                press(s, ":bogus\n");
            },
            Level::Error,
            "unknown command :bogus",
        ),
        (
            "p with no batch",
            |s| {
                press(s, "p");
            },
            Level::Info,
            "no batch is running",
        ),
        (
            "queueing an action",
            |s| {
                play(s, "j a{suspend}");
            },
            Level::Info,
            "queued: suspend for 1 user (queue: 1 operation, 1 target",
        ),
    ];
    for (what, step, level, words) in cases {
        let mut s = state(SIZE, true);
        let before = s.log.len();
        step(&mut s);
        let (l, text) = newest(&s).unwrap_or_else(|| panic!("{what}: nothing in the log"));
        assert_eq!(s.log.len(), before + 1, "{what}: one entry");
        assert_eq!(l, *level, "{what}");
        assert!(text.contains(words), "{what}: {text}");
        assert_eq!(status(&s).as_deref(), Some(text.as_str()), "{what}");
    }
}

#[test]
fn the_log_is_bounded_and_counts_what_it_dropped() {
    let mut s = state(SIZE, true);
    let extra = 5;
    for i in 0..LOG_CAPACITY + extra {
        notice(&mut s, Level::Info, &format!("message {i}"));
    }
    assert_eq!(s.log.len(), LOG_CAPACITY);
    assert_eq!(s.log.dropped(), extra as u64);
    let first = s.log.entries().front().map(|e| e.text.clone());
    assert_eq!(first.as_deref(), Some("message 5"), "the oldest go first");
    let last = newest(&s).map(|e| e.1);
    assert_eq!(last, Some(format!("message {}", LOG_CAPACITY + extra - 1)));
    press(&mut s, "L");
    assert!(
        screen(&s).contains("5 older dropped"),
        "the log says some were dropped"
    );
}

#[test]
fn the_status_line_is_cleared_only_by_a_key_that_does_something() {
    // (keys after the message, whether it is still in the status line)
    let cases: &[(&str, bool)] = &[
        ("", true),
        // Unbound keys, a lone g, up on the first row, h in the Users view: nothing happens.
        ("Z", true),
        ("x", true),
        ("g", true),
        ("k", true),
        ("h", true),
        // Keys that move, switch, open or filter do something.
        ("j", false),
        ("2", false),
        ("\t", false),
        ("?", false),
        ("/", false),
        ("f", false),
        (" ", false),
        ("L", false),
        ("Zj", false),
        ("gg", true),
        ("jgg", false),
    ];
    for (keys, kept) in cases {
        let mut s = state(SIZE, true);
        notice(&mut s, Level::Warn, "direct grants could not be read");
        press(&mut s, keys);
        assert_eq!(
            status(&s).is_some(),
            *kept,
            "keys {keys:?}: status {:?}",
            status(&s)
        );
        // Either way the message stays in the log.
        let text = newest(&s).map(|e| e.1).unwrap_or_default();
        assert_eq!(text, "direct grants could not be read", "keys {keys:?}");
    }
    // A key that says something new shows that instead.
    let mut s = state(SIZE, true);
    notice(&mut s, Level::Warn, "first");
    press(&mut s, "p");
    assert_eq!(status(&s).as_deref(), Some("no batch is running"));
    // Ticks of the clock do not clear it: it waits for the admin.
    let later = s.now + chrono::Duration::minutes(5);
    update(&mut s, Action::Tick(later));
    assert_eq!(status(&s).as_deref(), Some("no batch is running"));
}

#[test]
fn batch_events_from_the_executor_reach_the_log() {
    let mut s = state(SIZE, true);
    s.batch = Some(BatchRun {
        total: 3,
        from_queue: false,
        ..BatchRun::default()
    });
    update(&mut s, Action::BatchStarted(Ok(7)));
    press(&mut s, "p");
    press(&mut s, "p");
    update(
        &mut s,
        Action::Exec(ExecEvent::ItemFinished {
            seq: 2,
            account_id: "u-2".into(),
            name: "Alan Turing".into(),
            change: "suspend".into(),
            state: ItemState::Failed,
            reason: None,
            error: Some("HTTP 403: org admin".into()),
        }),
    );
    update(
        &mut s,
        Action::Exec(ExecEvent::Error {
            message: "a re-read failed".into(),
        }),
    );
    update(
        &mut s,
        Action::Exec(ExecEvent::Finished {
            batch: 7,
            outcome: RunOutcome::Completed,
            counts: Counts {
                done: 2,
                failed: 1,
                ..Counts::default()
            },
        }),
    );
    let log: Vec<(Level, String)> = s
        .log
        .entries()
        .iter()
        .map(|e| (e.level, e.text.clone()))
        .collect();
    let want: &[(Level, &str)] = &[
        (Level::Info, "batch 7 started"),
        (Level::Info, "batch 7 paused"),
        (Level::Info, "batch 7 resumed"),
        (
            Level::Error,
            "batch 7: failed: suspend Alan Turing: HTTP 403: org admin",
        ),
        (Level::Error, "a re-read failed"),
        (Level::Warn, "batch 7 finished: 2 done, 1 failed, 0 skipped"),
    ];
    assert_eq!(log.len(), want.len(), "{log:#?}");
    for ((level, text), (wl, wt)) in log.iter().zip(want) {
        assert_eq!(level, wl, "{text}");
        assert!(text.starts_with(wt), "{text:?} should start with {wt:?}");
    }
}

#[test]
fn thousands_of_failures_are_said_once_per_error_then_counted() {
    let mut s = state(SIZE, true);
    s.batch = Some(BatchRun {
        total: 5_000,
        from_queue: false,
        ..BatchRun::default()
    });
    update(&mut s, Action::BatchStarted(Ok(9)));
    let fail = |s: &mut AppState, seq: i64, error: &str| {
        update(
            s,
            Action::Exec(ExecEvent::ItemFinished {
                seq,
                account_id: format!("u-{seq}"),
                name: format!("User {seq}"),
                change: "suspend".into(),
                state: ItemState::Failed,
                reason: None,
                error: Some(error.into()),
            }),
        );
    };
    for seq in 0..3_000 {
        fail(&mut s, seq, "HTTP 401: token expired");
    }
    fail(&mut s, 3_000, "HTTP 500");
    update(
        &mut s,
        Action::Exec(ExecEvent::Finished {
            batch: 9,
            outcome: RunOutcome::Completed,
            counts: Counts {
                done: 1_999,
                failed: 3_001,
                ..Counts::default()
            },
        }),
    );
    let log: Vec<(Level, String)> = s
        .log
        .entries()
        .iter()
        .map(|e| (e.level, e.text.clone()))
        .collect();
    let want: Vec<(Level, String)> = vec![
        (Level::Info, "batch 9 started".into()),
        (
            Level::Error,
            "batch 9: failed: suspend User 0: HTTP 401: token expired".into(),
        ),
        (
            Level::Error,
            "batch 9: failed: suspend User 3000: HTTP 500".into(),
        ),
        (
            Level::Error,
            "… 2,999 more items failed with HTTP 401: token expired: see History".into(),
        ),
        (
            Level::Warn,
            "batch 9 finished: 1,999 done, 3,001 failed, 0 skipped".into(),
        ),
    ];
    assert_eq!(log, want);
    // The panel still shows the newest failures.
    assert!(
        s.batch
            .as_ref()
            .is_some_and(|b| b.errors.last().is_some_and(|e| e.contains("User 3000")))
    );
}

#[test]
fn failures_past_the_distinct_errors_said_are_counted_together() {
    let mut s = state(SIZE, true);
    s.batch = Some(BatchRun::default());
    update(&mut s, Action::BatchStarted(Ok(4)));
    let kinds = seats::tui::state::FAILURE_KINDS as i64;
    for seq in 0..kinds + 3 {
        update(
            &mut s,
            Action::Exec(ExecEvent::ItemFinished {
                seq,
                account_id: format!("u-{seq}"),
                name: format!("User {seq}"),
                change: "suspend".into(),
                state: ItemState::Failed,
                reason: None,
                error: Some(format!("HTTP 400: bad {seq}")),
            }),
        );
    }
    update(
        &mut s,
        Action::Exec(ExecEvent::Finished {
            batch: 4,
            outcome: RunOutcome::Completed,
            counts: Counts::default(),
        }),
    );
    let failed = s
        .log
        .entries()
        .iter()
        .filter(|e| e.text.starts_with("batch 4: failed:"))
        .count();
    assert_eq!(failed as i64, kinds);
    assert!(
        s.log
            .entries()
            .iter()
            .any(|e| e.text == "… 3 more items failed with other errors: see History"),
    );
}

const LONG: &str = "the direct grants of 2,345 users could not be read (HTTP 429 after 5 tries): the plan may overstate seats freed; r refreshes, or wait a minute and press A again";

#[test]
fn a_message_cut_to_fit_says_where_to_read_it_whole() {
    let mut s = state(SIZE, true);
    notice(&mut s, Level::Warn, LONG);
    let text = screen(&s);
    let status_row = text.lines().nth(23).unwrap_or_default().to_owned();
    assert!(
        status_row
            .trim_end_matches('"')
            .trim_end()
            .ends_with("… (L: log)"),
        "{status_row}"
    );
    assert!(status_row.contains("the direct grants"), "{status_row}");
    // The log shows it whole (wrapped).
    press(&mut s, "L");
    assert!(matches!(s.overlay, Some(Overlay::Log { .. })));
    let text = screen(&s);
    assert!(text.contains("press A again"), "{text}");
    assert!(!text.contains("(L: log)"), "{text}");
    // A message that fits is not cut.
    let mut s = state((160, 48), true);
    notice(&mut s, Level::Info, "fetched 10 users");
    let text = screen(&s);
    assert!(text.contains("fetched 10 users"), "{text}");
    assert!(!text.contains("(L: log)"), "{text}");
}

#[test]
fn a_fresh_message_takes_the_room_of_the_sort_and_the_data_age() {
    // 80 columns, sorted by a product's idle days: the sort and "snapshot 2 h ago" give way.
    let mut s = state(SIZE, true);
    press(&mut s, "s");
    console::choose(&mut s, "days inactive on Jira Software");
    press(&mut s, ":bogus-command-with-a-long-name\n");
    let text = screen(&s);
    let status_row = text.lines().nth(23).unwrap_or_default().to_owned();
    assert!(
        status_row.contains("error: unknown command :bogus-command-with-a-long-name"),
        "{status_row}"
    );
    assert!(!status_row.contains("snapshot"), "{status_row}");
    // The `:` line stays open with the text, to mend it.
    let input = s.input.as_ref().map(|i| i.text.clone());
    assert_eq!(input.as_deref(), Some("bogus-command-with-a-long-name"));
    // Esc closes it; a key that does something clears the message and the age is back.
    press(&mut s, "\x1bj");
    assert!(s.input.is_none());
    let text = screen(&s);
    let status_row = text.lines().nth(23).unwrap_or_default().to_owned();
    assert!(status_row.contains("snapshot 2 h ago"), "{status_row}");
    // In colour the level is the colour, not a word.
    let mut s = state(SIZE, true);
    s.theme.color = true;
    notice(&mut s, Level::Warn, "the queue was not saved");
    let status_row = screen(&s).lines().nth(23).unwrap_or_default().to_owned();
    assert!(
        status_row.contains(" the queue was not saved"),
        "{status_row}"
    );
    assert!(!status_row.contains("warning:"), "{status_row}");
    s.theme.color = false;
    let status_row = screen(&s).lines().nth(23).unwrap_or_default().to_owned();
    assert!(
        status_row.contains("warning: the queue was not saved"),
        "{status_row}"
    );
}

#[test]
fn the_log_scrolls_and_closes() {
    let mut s = state(SIZE, true);
    for i in 0..100 {
        notice(&mut s, Level::Info, &format!("message {i:03}"));
    }
    press(&mut s, "L");
    let text = screen(&s);
    assert!(text.contains("message 099"), "newest at the bottom");
    assert!(!text.contains("message 050"), "only what fits");
    press(&mut s, "kkkkk");
    assert!(matches!(s.overlay, Some(Overlay::Log { back: 5 })));
    let text = screen(&s);
    assert!(text.contains("message 094") && !text.contains("message 095"));
    press(&mut s, "jjjjjjjjjj");
    assert!(matches!(s.overlay, Some(Overlay::Log { back: 0 })));
    update(&mut s, key(KeyCode::PageUp));
    update(&mut s, key(KeyCode::PageUp));
    update(&mut s, key(KeyCode::PageUp));
    update(&mut s, key(KeyCode::PageUp));
    update(&mut s, key(KeyCode::PageUp));
    update(&mut s, key(KeyCode::PageUp));
    assert!(
        matches!(s.overlay, Some(Overlay::Log { back: 99 })),
        "no further than the oldest"
    );
    assert!(screen(&s).contains("message 000"));
    press(&mut s, "L");
    assert!(s.overlay.is_none(), "L closes it again");
    press(&mut s, "L\x1b");
    assert!(s.overlay.is_none(), "Esc closes it");
    press(&mut s, "?L");
    assert!(
        matches!(s.overlay, Some(Overlay::Log { .. })),
        "from help too"
    );
}

#[test]
fn levels_are_coloured_and_written_out_for_no_color() {
    for color in [true, false] {
        let mut s = state(SIZE, true);
        s.theme = Theme { color };
        notice(&mut s, Level::Error, "an error");
        notice(&mut s, Level::Warn, "a warning");
        notice(&mut s, Level::Info, "a result");
        press(&mut s, "L");
        let terminal = render(&s);
        let buffer = terminal.backend().buffer();
        let text = terminal.backend().to_string();
        for word in ["ERROR an error", "WARN  a warning", "info  a result"] {
            assert!(text.contains(word), "color {color}: {word} in {text}");
        }
        // Find the ERROR cell: red with colour, plain without.
        let at = (0..s.size.1).find_map(|y| {
            (0..s.size.0.saturating_sub(5))
                .find(|&x| {
                    (0..5).all(|i| {
                        buffer[(x + i, y)].symbol() == &"ERROR"[i as usize..i as usize + 1]
                    })
                })
                .map(|x| (x, y))
        });
        let Some(at) = at else {
            panic!("no ERROR on screen: {text}");
        };
        let fg = buffer[at].fg;
        if color {
            assert_eq!(fg, Color::Red);
        } else {
            assert_eq!(fg, Color::Reset, "NO_COLOR: the word is the marker");
        }
    }
}

#[test]
fn the_log_at_both_sizes() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut s = state((w, h), true);
        notice(&mut s, Level::Info, "fetched 10 users");
        play(&mut s, "j a{suspend}");
        notice(&mut s, Level::Warn, LONG);
        update(
            &mut s,
            Action::Fetched(Err("HTTP 503 from api.atlassian.com".into())),
        );
        press(&mut s, "L");
        insta::assert_snapshot!(format!("log_{w}x{h}"), screen(&s));
    }
}
