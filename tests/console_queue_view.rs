//! The Queue view sorted and filtered: s orders the targets (as queued, action, user, state),
//! f filters them (all, held out, one operation); the header says what is shown of how many.
//! A view only: the queue and its plan stay as they are.

#[path = "support/console.rs"]
mod console;
use console::screen as render;

use std::sync::Arc;

use console::{play, press, state};
use ratatui::crossterm::event::KeyCode;
use seats::tui::action::{Action, Effect};
use seats::tui::queue_view::{self, QueueFilter, QueueRows, QueueSort};
use seats::tui::state::{AppState, QueueRow};
use seats::tui::update::update;

const SIZE: (u16, u16) = (80, 24);

/// Alan, Barbara and Ken (the admin: held out) suspended; then one user's Jira removed.
const QUEUE: &str = "j j jjjjj a{suspend} a{remove product}{Jira}4";

/// The Queue view's rows as "action: name" (operations as "▸ action").
fn rows(s: &AppState) -> Vec<String> {
    let data = s.data.as_ref().expect("data");
    (0..s.queue.rows_len())
        .filter_map(|i| s.queue.row(i))
        .map(|r| match r {
            QueueRow::Operation(op) => format!("▸ {}", op.kind.describe()),
            QueueRow::Target(op, account) => format!(
                "{}: {}",
                op.kind.describe(),
                data.user(account)
                    .map_or(account.to_owned(), |u| u.name.clone())
            ),
        })
        .collect()
}

fn queued() -> AppState {
    let mut s = state(SIZE, true);
    play(&mut s, QUEUE);
    s
}

const AS_QUEUED: &[&str] = &[
    "▸ suspend",
    "suspend: Alan Turing",
    "suspend: Build Bot",
    "suspend: Radia Perlman",
    "▸ remove Jira Software access",
    "remove Jira Software access: Radia Perlman",
];

#[test]
fn s_orders_the_targets_by_action_user_or_state() {
    // (keys, order, rows)
    let cases: &[(&str, QueueSort, &[&str])] = &[
        ("", QueueSort::Queued, AS_QUEUED),
        (
            "s",
            QueueSort::Action,
            &[
                "remove Jira Software access: Radia Perlman",
                "suspend: Alan Turing",
                "suspend: Build Bot",
                "suspend: Radia Perlman",
            ],
        ),
        (
            "ss",
            QueueSort::User,
            &[
                "suspend: Alan Turing",
                "suspend: Build Bot",
                "suspend: Radia Perlman",
                "remove Jira Software access: Radia Perlman",
            ],
        ),
        // Held out first (the bot account, Radia's protected domain), then the changes,
        // then the no-ops.
        (
            "sss",
            QueueSort::State,
            &[
                "suspend: Build Bot",
                "suspend: Radia Perlman",
                "suspend: Alan Turing",
                "remove Jira Software access: Radia Perlman",
            ],
        ),
        ("ssss", QueueSort::Queued, AS_QUEUED),
    ];
    for (keys, sort, want) in cases {
        let mut s = queued();
        press(&mut s, keys);
        assert_eq!(s.queue.view.sort, *sort, "keys {keys:?}");
        assert_eq!(rows(&s), *want, "keys {keys:?}");
        assert_eq!(s.queue.list.cursor, 0, "keys {keys:?}: back to the top");
    }
}

#[test]
fn f_filters_to_held_out_rows_or_one_action_and_the_header_says_how_many() {
    // (keys, rows, words of the header)
    let cases: &[(&str, &[&str], &str)] = &[
        ("", AS_QUEUED, "Showing 4 of 4 targets, as queued"),
        (
            "f",
            &["suspend: Build Bot", "suspend: Radia Perlman"],
            "Showing 2 of 4 targets, held out only, as queued",
        ),
        (
            "ff",
            &[
                "suspend: Alan Turing",
                "suspend: Build Bot",
                "suspend: Radia Perlman",
            ],
            "Showing 3 of 4 targets, only suspend, as queued",
        ),
        (
            "fff",
            &["remove Jira Software access: Radia Perlman"],
            "Showing 1 of 4 targets, only remove Jira Software access",
        ),
        ("ffff", AS_QUEUED, "Showing 4 of 4 targets, as queued"),
        (
            "fss",
            &["suspend: Build Bot", "suspend: Radia Perlman"],
            "Showing 2 of 4 targets, held out only, by user",
        ),
    ];
    for (keys, want, header) in cases {
        let mut s = queued();
        s.size = (160, 48);
        press(&mut s, keys);
        assert_eq!(rows(&s), *want, "keys {keys:?}");
        let screen = render(&s);
        assert!(
            screen.contains(header),
            "keys {keys:?}: {header:?} in {screen}"
        );
    }
}

#[test]
fn the_queue_and_its_plan_stay_as_they_are() {
    let mut s = queued();
    let ops = s.queue.ops.clone();
    let plan = s
        .queue
        .plan
        .as_ref()
        .map(|p| p.plan.clone())
        .expect("a plan");
    let effects = press(&mut s, "sfsfsfsf");
    assert_eq!(s.queue.ops, ops, "the queue is untouched");
    let after = s
        .queue
        .plan
        .as_ref()
        .map(|p| p.plan.clone())
        .expect("a plan");
    assert!(std::sync::Arc::ptr_eq(&plan, &after), "not planned again");
    assert!(effects.is_empty(), "nothing saved or planned: {effects:?}");
}

#[test]
fn d_on_a_sorted_row_removes_that_target() {
    let mut s = queued();
    press(&mut s, "ssjd");
    let suspend = &s.queue.ops.operations()[0];
    let names: Vec<String> = suspend
        .targets
        .iter()
        .filter_map(|a| {
            s.data
                .as_ref()
                .and_then(|d| d.user(a))
                .map(|u| u.name.clone())
        })
        .collect();
    assert_eq!(names, ["Alan Turing", "Radia Perlman"], "Build Bot removed");
    assert_eq!(
        rows(&s),
        [
            "suspend: Alan Turing",
            "suspend: Radia Perlman",
            "remove Jira Software access: Radia Perlman",
        ],
        "sorted again after the edit"
    );
    // A filter on an operation that is gone shows every target again.
    let mut s = queued();
    press(&mut s, "fffd");
    assert_eq!(s.queue.view.filter, QueueFilter::All);
    assert_eq!(
        s.queue.rows_len(),
        4,
        "the suspend operation and its 3 targets"
    );
}

#[test]
fn a_stale_order_is_dropped() {
    let mut s = queued();
    // Two orders asked for, answered newest first: the older answer changes nothing.
    let first = update(&mut s, console::key(KeyCode::Char('s')));
    let second = update(&mut s, console::key(KeyCode::Char('s')));
    let answer = |effects: &[Effect]| -> Option<(u64, QueueRows)> {
        effects.iter().find_map(|e| match e {
            Effect::SortQueue {
                generation,
                queue,
                plan,
                directory,
                sort,
                filter,
            } => Some((
                *generation,
                queue_view::rows(queue, plan.as_deref(), directory.as_deref(), *sort, *filter),
            )),
            _ => None,
        })
    };
    let (g1, r1) = answer(&first).expect("first order");
    let (g2, r2) = answer(&second).expect("second order");
    assert!(g2 > g1);
    assert!(s.queue.view.pending());
    update(
        &mut s,
        Action::QueueRows {
            generation: g2,
            rows: Arc::new(r2.clone()),
        },
    );
    update(
        &mut s,
        Action::QueueRows {
            generation: g1,
            rows: Arc::new(r1),
        },
    );
    assert_eq!(s.queue.view.rows.as_deref(), Some(&r2));
    assert!(!s.queue.view.pending());
    // Back to as queued: a late answer is not shown either.
    let third = update(&mut s, console::key(KeyCode::Char('s')));
    let (g3, r3) = answer(&third).expect("third order");
    press(&mut s, "s");
    update(
        &mut s,
        Action::QueueRows {
            generation: g3,
            rows: Arc::new(r3),
        },
    );
    assert!(s.queue.view.rows.is_none());
    assert_eq!(rows(&s), AS_QUEUED);
}

#[test]
fn an_older_order_landing_first_is_not_shown() {
    let mut s = queued();
    let first = update(&mut s, console::key(KeyCode::Char('s')));
    let second = update(&mut s, console::key(KeyCode::Char('s')));
    let generation_of = |effects: &[Effect]| {
        effects.iter().find_map(|e| match e {
            Effect::SortQueue { generation, .. } => Some(*generation),
            _ => None,
        })
    };
    let g1 = generation_of(&first).expect("first order");
    assert!(generation_of(&second).is_some_and(|g2| g2 > g1));
    // The first order's answer comes back before the second's: it is of another order.
    let stale = QueueRows {
        rows: vec![],
        of: 99,
    };
    update(
        &mut s,
        Action::QueueRows {
            generation: g1,
            rows: Arc::new(stale),
        },
    );
    assert!(s.queue.view.rows.is_none(), "an older order is not shown");
    assert!(s.queue.view.pending(), "the newest is still awaited");
}

#[test]
fn ordering_100000_targets_is_done_off_the_ui_thread_in_one_pass() {
    let mut queue = seats::plan::Queue::new();
    let ids: Vec<String> = (0..100_000).rev().map(|i| format!("acc-{i:06}")).collect();
    queue.add(seats::plan::OperationKind::Suspend, ids);
    let started = std::time::Instant::now();
    let r = queue_view::rows(&queue, None, None, QueueSort::User, QueueFilter::All);
    let took = started.elapsed();
    assert_eq!(r.rows.len(), 100_000);
    assert_eq!(r.of, 100_000);
    // Users not in the snapshot go by account id.
    assert_eq!(r.rows.first().map(|x| x.1.as_str()), Some("acc-000000"));
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
}

#[test]
fn a_filtered_queue_at_both_sizes() {
    for (w, h) in [(80, 24), (160, 48)] {
        let mut s = state((w, h), true);
        play(&mut s, QUEUE);
        press(&mut s, "ssf");
        insta::assert_snapshot!(format!("queue_held_out_by_user_{w}x{h}"), render(&s));
    }
}
