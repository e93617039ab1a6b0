//! History's items: Enter on a batch lists its items with state and reason (read off the UI
//! thread, stale loads dropped), f / s / a filter them with counts per state, Esc goes back,
//! and b gives back to the user under the cursor.

#[path = "support/console.rs"]
mod console;
use console::screen as render;

use std::sync::Arc;

use console::{press, state};
use seats::exec::{BatchInfo, BatchStatus, Counts, Item, ItemState};
use seats::plan::{Change, Step};
use seats::tui::action::{Action, Effect};
use seats::tui::batch_items::{BatchItems, ItemFilter};
use seats::tui::state::{AppState, View};
use seats::tui::update::update;

const SIZE: (u16, u16) = (80, 24);

fn batch(id: i64, counts: Counts) -> BatchInfo {
    BatchInfo {
        id,
        created_at: console::fetched_at(),
        finished_at: Some(console::fetched_at()),
        operator: "ken@acme.example".into(),
        profile: None,
        org_id: "org-1".into(),
        query: Some("idle:90".into()),
        source: "console".into(),
        dry_run: false,
        status: BatchStatus::Finished,
        counts,
    }
}

fn item(seq: i64, name: &str, state: ItemState, reason: Option<&str>, error: Option<&str>) -> Item {
    let id = name.split(' ').next().unwrap_or(name).to_lowercase();
    Item {
        batch_id: 8,
        // The journal counts from 0; the cases name items as the list numbers them.
        seq: seq - 1,
        step: Step {
            account_id: format!("acc-{id}"),
            name: name.into(),
            email: Some(format!("{id}@acme.example")),
            change: Change::Suspend,
            guard: None,
        },
        state,
        reason: reason.map(str::to_owned),
        http_status: error.map(|_| 403),
        error: error.map(str::to_owned),
        attempts: u32::from(state != ItemState::Skipped),
        updated_at: console::fetched_at(),
        observed: None,
    }
}

/// Batch 8's items: 3 done, 2 failed, 2 skipped, 1 unknown, 1 pending.
fn items() -> Vec<Item> {
    vec![
        item(1, "Ada Lovelace", ItemState::Done, None, None),
        item(
            2,
            "Alan Turing",
            ItemState::Failed,
            None,
            Some("org admin: revoke the role first"),
        ),
        item(
            3,
            "Barbara Liskov",
            ItemState::Skipped,
            Some("active 3 days ago, within idle:90"),
            None,
        ),
        item(4, "Edsger Dijkstra", ItemState::Done, None, None),
        item(
            5,
            "Grace Hopper",
            ItemState::Failed,
            None,
            Some("rate limited"),
        ),
        item(
            6,
            "Ken Thompson",
            ItemState::Skipped,
            Some("protected: the signed-in admin"),
            None,
        ),
        item(
            7,
            "Linus Torvalds",
            ItemState::Unknown,
            None,
            Some("the answer was lost"),
        ),
        item(8, "Margaret Hamilton", ItemState::Done, None, None),
        item(9, "Radia Perlman", ItemState::Pending, None, None),
    ]
}

fn counts() -> Counts {
    Counts {
        done: 3,
        failed: 2,
        skipped: 2,
        unknown: 1,
        pending: 1,
        ..Counts::default()
    }
}

/// The History view with batches 9 and 8 (cursor on 9); returns the state.
fn history(size: (u16, u16)) -> AppState {
    let mut s = state(size, true);
    press(&mut s, "5");
    update(
        &mut s,
        Action::History(Ok(vec![batch(9, Counts::default()), batch(8, counts())])),
    );
    s
}

/// The LoadBatchItems effect among `effects`: (batch, generation).
fn load_of(effects: &[Effect]) -> Option<(i64, u64)> {
    effects.iter().find_map(|e| match e {
        Effect::LoadBatchItems { batch, generation } => Some((*batch, *generation)),
        _ => None,
    })
}

/// Opens batch 8's items with `keys` and answers the load.
fn open(size: (u16, u16), keys: &str) -> AppState {
    let mut s = history(size);
    press(&mut s, "j");
    let effects = press(&mut s, keys);
    let Some((8, generation)) = load_of(&effects) else {
        panic!("no load of batch 8's items: {effects:?}");
    };
    update(
        &mut s,
        Action::BatchItems {
            generation,
            result: Ok(Arc::new(BatchItems::new(8, items()))),
        },
    );
    s
}

fn shown(s: &AppState) -> Vec<String> {
    let Some(p) = &s.history.items else {
        return vec![];
    };
    let Some(d) = &p.data else {
        return vec![];
    };
    (0..d.len(p.filter))
        .filter_map(|i| d.get(p.filter, i).map(|r| r.name.clone()))
        .collect()
}

#[test]
fn enter_on_a_batch_reads_its_items_off_the_ui_thread() {
    let mut s = history(SIZE);
    press(&mut s, "j");
    let effects = press(&mut s, "\n");
    assert_eq!(load_of(&effects).map(|l| l.0), Some(8), "{effects:?}");
    let panel = s.history.items.as_ref().expect("the items panel");
    assert!(panel.data.is_none(), "nothing read on the UI thread");
    assert!(render(&s).contains("Reading the items of batch 8"));
    let s = open(SIZE, "\n");
    assert_eq!(shown(&s).len(), 9);
    let screen = render(&s);
    for words in [
        "Batch 8: 9 items",
        "3 done, 2 failed, 2 skipped, 1 unknown, 1 pending",
        "Showing all 9 items",
        "Alan Turing",
        "HTTP 403: org admin",
    ] {
        assert!(screen.contains(words), "{words:?} in {screen}");
    }
}

#[test]
fn keys_filter_to_failed_skipped_or_every_item() {
    // (keys that open and filter, filter, names shown)
    let cases: &[(&str, ItemFilter, &[&str])] = &[
        ("\n", ItemFilter::All, &[]),
        ("\nf", ItemFilter::Failed, &["Alan Turing", "Grace Hopper"]),
        (
            "\ns",
            ItemFilter::Skipped,
            &["Barbara Liskov", "Ken Thompson"],
        ),
        ("\nfa", ItemFilter::All, &[]),
        // The same key again: every item.
        ("\nff", ItemFilter::All, &[]),
        (
            "\nfs",
            ItemFilter::Skipped,
            &["Barbara Liskov", "Ken Thompson"],
        ),
        // f on the batch list opens the items already filtered.
        ("f", ItemFilter::Failed, &["Alan Turing", "Grace Hopper"]),
        (
            "s",
            ItemFilter::Skipped,
            &["Barbara Liskov", "Ken Thompson"],
        ),
    ];
    for (keys, filter, names) in cases {
        let s = open(SIZE, keys);
        let p = s.history.items.as_ref().expect("open");
        assert_eq!(p.filter, *filter, "keys {keys:?}");
        let got = shown(&s);
        if names.is_empty() {
            assert_eq!(got.len(), 9, "keys {keys:?}");
        } else {
            assert_eq!(got, *names, "keys {keys:?}");
        }
        let screen = render(&s);
        if *filter == ItemFilter::Failed {
            assert!(screen.contains("Showing 2 failed of 9"), "{screen}");
            assert!(!screen.contains("Ada Lovelace"), "{screen}");
        }
    }
}

#[test]
fn a_stale_load_is_dropped() {
    let mut s = history(SIZE);
    press(&mut s, "j");
    let first = load_of(&press(&mut s, "\n")).expect("first load");
    press(&mut s, "\x1b");
    assert!(s.history.items.is_none(), "Esc closed the items");
    // The answer to a closed panel changes nothing.
    update(
        &mut s,
        Action::BatchItems {
            generation: first.1,
            result: Ok(Arc::new(BatchItems::new(8, items()))),
        },
    );
    assert!(s.history.items.is_none());
    let second = load_of(&press(&mut s, "\n")).expect("second load");
    assert!(second.1 > first.1);
    // The first load answers late: dropped; the panel waits for the second.
    update(
        &mut s,
        Action::BatchItems {
            generation: first.1,
            result: Ok(Arc::new(BatchItems::new(8, items()[..1].to_vec()))),
        },
    );
    assert!(s.history.items.as_ref().is_some_and(|p| p.data.is_none()));
    update(
        &mut s,
        Action::BatchItems {
            generation: second.1,
            result: Ok(Arc::new(BatchItems::new(8, items()))),
        },
    );
    assert_eq!(shown(&s).len(), 9);
    // An error is said, in the panel and the log.
    let mut s = history(SIZE);
    let (_, generation) = load_of(&press(&mut s, "\n")).expect("load");
    update(
        &mut s,
        Action::BatchItems {
            generation,
            result: Err("database is locked".into()),
        },
    );
    assert!(render(&s).contains("could not be read: database is locked"));
    let last = s
        .log
        .entries()
        .back()
        .map(|e| e.text.clone())
        .unwrap_or_default();
    assert!(last.contains("database is locked"), "{last}");
}

#[test]
fn esc_returns_to_the_batch_list_and_moves_stay_within_the_items() {
    let mut s = open(SIZE, "\n");
    press(&mut s, "jjj");
    assert_eq!(s.history.items.as_ref().map(|p| p.cursor), Some(3));
    assert_eq!(s.history.list.cursor, 1, "the batch list did not move");
    press(&mut s, "G");
    assert_eq!(s.history.items.as_ref().map(|p| p.cursor), Some(8));
    press(&mut s, "\x1b");
    assert!(s.history.items.is_none());
    assert_eq!(s.view, View::History, "Esc steps back to the batches first");
    assert_eq!(s.history.list.cursor, 1);
    press(&mut s, "\x1b");
    assert_eq!(s.view, View::Users);
    // Back in History, open items are read again (the batch may have moved on).
    let mut s = open(SIZE, "\n");
    press(&mut s, "1");
    let effects = press(&mut s, "5");
    assert!(effects.iter().any(|e| matches!(e, Effect::LoadHistory)));
    assert_eq!(load_of(&effects).map(|l| l.0), Some(8), "{effects:?}");
    assert_eq!(
        shown(&s).len(),
        9,
        "the old rows stay until the new ones land"
    );
}

#[test]
fn b_on_an_item_gives_back_to_its_user() {
    let mut s = open(SIZE, "\n");
    let effects = press(&mut s, "jb");
    let give: Vec<(i64, String)> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::WriteGiveBack { batch, who } => Some((*batch, who.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(give, vec![(8, "acc-alan".to_owned())]);
    assert!(s.input.is_none(), "nothing to type");
    // Without the items open, b still opens the command line to type a user.
    let mut s = history(SIZE);
    press(&mut s, "b");
    assert_eq!(
        s.input.as_ref().map(|i| i.text.as_str()),
        Some("give-back 9 ")
    );
}

#[test]
fn a_batch_of_50000_items_draws_only_what_is_on_screen() {
    let many: Vec<Item> = (0..50_000)
        .map(|i| {
            let state = if i % 10 == 0 {
                ItemState::Failed
            } else {
                ItemState::Done
            };
            item(
                i + 1,
                &format!("User{i:05} Example"),
                state,
                None,
                Some("boom").filter(|_| state == ItemState::Failed),
            )
        })
        .collect();
    let data = Arc::new(BatchItems::new(8, many));
    assert_eq!(data.len(ItemFilter::Failed), 5_000);
    let mut s = history(SIZE);
    let (_, generation) = load_of(&press(&mut s, "\n")).expect("load");
    update(
        &mut s,
        Action::BatchItems {
            generation,
            result: Ok(data),
        },
    );
    press(&mut s, "G");
    let started = std::time::Instant::now();
    let screen = render(&s);
    let took = started.elapsed();
    assert!(screen.contains("User49999"), "{screen}");
    assert!(screen.contains("50,000 items"), "{screen}");
    assert!(took < std::time::Duration::from_millis(500), "{took:?}");
    press(&mut s, "f");
    assert_eq!(s.history.items.as_ref().map(|p| p.len()), Some(5_000));
    assert!(render(&s).contains("Showing 5,000 failed of 50,000"));
}

#[test]
fn history_items_at_both_sizes() {
    for (w, h) in [(80, 24), (160, 48)] {
        let s = open((w, h), "\n");
        insta::assert_snapshot!(format!("history_items_{w}x{h}"), render(&s));
        let s = open((w, h), "f");
        insta::assert_snapshot!(format!("history_items_failed_{w}x{h}"), render(&s));
    }
}

#[test]
fn a_batch_that_finishes_reads_its_open_items_again() {
    let mut s = open(SIZE, "\n");
    s.batch = Some(seats::tui::state::BatchRun {
        id: Some(8),
        total: 9,
        ..Default::default()
    });
    let effects = update(
        &mut s,
        Action::Exec(seats::exec::ExecEvent::Finished {
            batch: 8,
            outcome: seats::exec::RunOutcome::Completed,
            counts: counts(),
        }),
    );
    assert_eq!(load_of(&effects).map(|l| l.0), Some(8), "{effects:?}");
    // Another batch finishing leaves them be.
    let mut s = open(SIZE, "\n");
    s.batch = Some(seats::tui::state::BatchRun {
        id: Some(9),
        ..Default::default()
    });
    let effects = update(
        &mut s,
        Action::Exec(seats::exec::ExecEvent::Finished {
            batch: 9,
            outcome: seats::exec::RunOutcome::Completed,
            counts: Counts::default(),
        }),
    );
    assert_eq!(load_of(&effects), None, "{effects:?}");
}

#[test]
fn items_count_from_one_and_empty_filters_and_dry_runs_say_so() {
    // The first item in the journal (seq 0) is number 1.
    let s = open(SIZE, "\n");
    let screen = render(&s);
    let first = screen
        .lines()
        .find(|l| l.contains("Ada Lovelace"))
        .unwrap_or_default()
        .to_owned();
    assert!(first.starts_with("\"1 "), "{first}");
    // A batch without failures: `f` says there are none instead of an empty list.
    let mut s = history(SIZE);
    let mut only_done = items();
    only_done.retain(|i| i.state == ItemState::Done);
    let (_, generation) = load_of(&press(&mut s, "\n")).expect("load");
    update(
        &mut s,
        Action::BatchItems {
            generation,
            result: Ok(Arc::new(BatchItems::new(9, only_done))),
        },
    );
    press(&mut s, "f");
    let screen = render(&s);
    assert!(screen.contains("no failed items in batch 9"), "{screen}");
    // A dry run recorded its items and changed nothing: it says so, not "0/4 done".
    let mut s = state((120, 24), true);
    press(&mut s, "5");
    let mut dry = batch(
        3,
        Counts {
            dry_run: 4,
            ..Counts::default()
        },
    );
    dry.dry_run = true;
    update(&mut s, Action::History(Ok(vec![dry])));
    let screen = render(&s);
    assert!(
        screen.contains("finished (dry run) 4 recorded, nothing changed"),
        "{screen}"
    );
    assert!(!screen.contains("0/4 done"), "{screen}");
}

#[test]
fn the_action_column_takes_the_room_its_words_need() {
    let mut long = items();
    for i in &mut long {
        i.step.change = Change::RemoveFromGroup {
            group_id: "g-1".into(),
            group_name: "jira-software-users".into(),
        };
    }
    let mut s = history((160, 48));
    press(&mut s, "j");
    let (_, generation) = load_of(&press(&mut s, "\n")).expect("load");
    update(
        &mut s,
        Action::BatchItems {
            generation,
            result: Ok(Arc::new(BatchItems::new(8, long))),
        },
    );
    let screen = render(&s);
    let action = Change::RemoveFromGroup {
        group_id: "g-1".into(),
        group_name: "jira-software-users".into(),
    }
    .describe();
    assert!(screen.contains(&format!("{action} ")), "{action}: {screen}");
}
