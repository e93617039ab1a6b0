//! The console's reducer, key path by key path: each case presses keys on the fixture org and
//! checks what the state (and the effects asked for) became.

#[path = "support/console.rs"]
mod console;

use console::{choose, current_name, key, play, press, shown_names, state};
use ratatui::crossterm::event::KeyModifiers;
use ratatui::crossterm::event::{KeyCode, MouseButton, MouseEvent, MouseEventKind};
use seats::tui::action::{Action, Effect};
use seats::tui::state::{Fetch, Overlay, View};
use seats::tui::update::update;

const SIZE: (u16, u16) = (80, 24);

#[test]
fn movement_keys() {
    // (keys, name under the cursor afterwards); names sort by name with an empty query.
    let cases: &[(&str, &str)] = &[
        ("", "Ada Lovelace"),
        ("j", "Alan Turing"),
        ("jjk", "Alan Turing"),
        ("k", "Ada Lovelace"),
        ("G", "Radia Perlman"),
        ("Gj", "Radia Perlman"),
        ("Ggg", "Ada Lovelace"),
        // One `g` alone does nothing; the next key is not a second `g`.
        ("Ggj", "Radia Perlman"),
        ("jjjjjjjjjjjjjjjjjjjj", "Radia Perlman"),
    ];
    for (keys, want) in cases {
        let mut s = state(SIZE, true);
        press(&mut s, keys);
        assert_eq!(current_name(&s).as_deref(), Some(*want), "keys {keys:?}");
    }
}

#[test]
fn pages_move_by_the_rows_on_screen() {
    // 80x12: 9 body rows, 8 table rows.
    let mut s = state((80, 12), true);
    update(&mut s, key(KeyCode::PageDown));
    assert_eq!(s.users.cursor, 8);
    assert_eq!(s.users.offset, 1, "the cursor stays on screen");
    update(&mut s, key(KeyCode::PageUp));
    assert_eq!(s.users.cursor, 0);
    assert_eq!(s.users.offset, 0);
    update(&mut s, console::ctrl('d'));
    assert_eq!(s.users.cursor, 8);
}

#[test]
fn view_switching() {
    let cases: &[(&str, View)] = &[
        ("", View::Users),
        ("\t", View::Groups),
        ("\t\t", View::Activity),
        ("\t\t\t", View::Queue),
        ("\t\t\t\t", View::History),
        ("\t\t\t\t\t", View::Rules),
        ("\t\t\t\t\t\t", View::Users),
        ("5", View::History),
        ("6", View::Rules),
        ("4", View::Queue),
        ("2", View::Groups),
        ("3", View::Activity),
        ("31", View::Users),
        // Esc steps back to Users and never quits.
        ("3\x1b", View::Users),
    ];
    for (keys, want) in cases {
        let mut s = state(SIZE, true);
        press(&mut s, keys);
        assert_eq!(s.view, *want, "keys {keys:?}");
        assert!(!s.quit, "keys {keys:?} quit");
    }
    let mut s = state(SIZE, true);
    update(&mut s, key(KeyCode::BackTab));
    assert_eq!(s.view, View::Rules);
}

#[test]
fn query_line_filters_live_keeps_on_enter_and_clears_on_esc() {
    let mut s = state(SIZE, true);
    let before = s.users.requested;
    // Each keystroke asks for a new filter pass with a newer generation.
    let effects = update(&mut s, key(KeyCode::Char('/')));
    assert!(effects.is_empty() && s.input.is_some());
    let effects = update(&mut s, key(KeyCode::Char('k')));
    assert!(
        matches!(&effects[..], [Effect::Filter(r)] if r.query == "k" && r.generation == before + 1)
    );
    console::answer(&mut s, effects);
    press(&mut s, "en");
    assert_eq!(s.users.query, "ken");
    // The best match comes first (the matcher is fuzzy: others may follow).
    assert_eq!(
        shown_names(&s).first().map(String::as_str),
        Some("Ken Thompson")
    );
    assert!(shown_names(&s).len() < 10);
    press(&mut s, "\n");
    assert!(s.input.is_none(), "Enter closes the line");
    assert_eq!(s.users.query, "ken", "and keeps the query");
    // `/` again edits the kept query; Backspace edits it live.
    press(&mut s, "/\x08");
    assert_eq!(s.users.query, "ke");
    press(&mut s, "\x1b");
    assert!(s.input.is_none());
    assert_eq!(s.users.query, "", "Esc clears it");
    assert_eq!(shown_names(&s).len(), 10);
}

#[test]
fn esc_in_the_users_view_clears_the_query() {
    let mut s = state(SIZE, true);
    press(&mut s, "/domain:contractors.example\n");
    assert_eq!(shown_names(&s), vec!["Linus Torvalds"]);
    press(&mut s, "\x1b");
    assert_eq!(s.users.query, "");
    assert_eq!(shown_names(&s).len(), 10);
}

#[test]
fn slash_opens_the_query_line_from_every_view() {
    // (keys to the view, where the line is edited): Groups follows the query, so it stays.
    let cases: &[(&str, View)] = &[
        ("", View::Users),
        ("2", View::Groups),
        ("3", View::Users),
        ("4", View::Users),
        ("5", View::Users),
        ("6", View::Users),
    ];
    for (keys, want) in cases {
        let mut s = state(SIZE, true);
        press(&mut s, keys);
        press(&mut s, "/domain:contractors.example\n");
        assert_eq!(s.view, *want, "keys {keys:?}");
        assert_eq!(s.users.query, "domain:contractors.example", "keys {keys:?}");
        assert_eq!(shown_names(&s), vec!["Linus Torvalds"], "keys {keys:?}");
    }
    // Esc in Groups clears the query, as its filter line says, and stays in Groups.
    let mut s = state(SIZE, true);
    press(&mut s, "2/domain:contractors.example\n\x1b");
    assert_eq!(s.view, View::Groups);
    assert_eq!(s.users.query, "");
    // With no query, Esc steps back to Users.
    press(&mut s, "\x1b");
    assert_eq!(s.view, View::Users);
}

#[test]
fn stale_and_failed_filter_results() {
    let mut s = state(SIZE, true);
    let shown = s.users.rows.clone();
    let old = seats::filter::FilterResult {
        generation: s.users.shown.saturating_sub(1),
        rows: std::sync::Arc::new(vec![0]),
        error: None,
        took: std::time::Duration::ZERO,
        provisional: false,
    };
    update(&mut s, Action::Filtered(old, Default::default()));
    assert_eq!(s.users.rows, shown, "an older generation is dropped");
    let bad = seats::filter::FilterResult {
        generation: s.users.shown + 1,
        rows: std::sync::Arc::new(vec![]),
        error: Some(seats::filter::QueryError {
            message: "idle: needs a number".into(),
            span: 0..5,
        }),
        took: std::time::Duration::ZERO,
        provisional: false,
    };
    update(&mut s, Action::Filtered(bad, Default::default()));
    assert!(
        s.users.rows.is_empty(),
        "a query that does not parse shows no rows, not the last ones"
    );
    assert!(s.users.error.is_some());
}

#[test]
fn enter_opens_details_and_esc_closes_them() {
    let mut s = state(SIZE, true);
    press(&mut s, "j\n");
    match &s.overlay {
        Some(Overlay::Details { user, .. }) => {
            let data = s
                .data
                .as_ref()
                .map(|d| d.dir.users[*user as usize].name.clone());
            assert_eq!(data.as_deref(), Some("Alan Turing"));
        }
        other => panic!("no details: {other:?}"),
    }
    // Keys go to the overlay: `j` scrolls it, not the table.
    press(&mut s, "j");
    assert_eq!(s.users.cursor, 1);
    assert!(matches!(
        s.overlay,
        Some(Overlay::Details { scroll: 1, .. })
    ));
    press(&mut s, "\x1b");
    assert!(s.overlay.is_none());
    assert!(!s.quit);
}

#[test]
fn enter_on_a_group_lists_its_members() {
    let mut s = state(SIZE, true);
    // Groups by members among the rows (every user): jira-software-users 6, confluence-users 5,
    // eng-platform 3, okta-all-employees 1.
    press(&mut s, "2jj\n");
    assert_eq!(s.view, View::Users);
    assert_eq!(s.users.query, "group:eng-platform");
}

#[test]
fn activity_buckets_and_presets_open_the_users_view() {
    // Products: confluence, jira-software. Choice 0..5 buckets, then presets 30/60/90/180
    // and never, left to right as drawn; each preset's key opens it at once.
    let cases: &[(&str, &str)] = &[
        ("3\n", "product:confluence !idle:30"),
        ("3l\n", "product:confluence idle:30 !idle:60"),
        ("3h\n", "product:confluence never"),
        ("3hh\n", "product:confluence idle:180"),
        ("3a", "product:confluence idle:30"),
        ("3c", "product:confluence idle:90"),
        ("3jd", "product:jira-software idle:180"),
        ("3je", "product:jira-software never"),
        ("3j\n", "product:jira-software !idle:30"),
        ("3lllll\n", "product:confluence never"),
        ("3llllll\n", "product:confluence idle:30"),
        ("3jlllllllll\n", "product:jira-software idle:180"),
    ];
    for (keys, want) in cases {
        let mut s = state(SIZE, true);
        press(&mut s, keys);
        assert_eq!(s.view, View::Users, "keys {keys:?}");
        assert_eq!(
            s.users.query,
            format!("{want} {}", seats::tui::update::SEAT_HOLDERS),
            "keys {keys:?}"
        );
        assert!(
            matches!(&s.users.sort.key, seats::filter::SortKey::Inactivity(p) if want.contains(p.as_str())),
            "sorted by inactivity on the product: {:?}",
            s.users.sort
        );
        assert!(s.users.sort.descending);
    }
}

#[test]
fn facet_menu_writes_tokens_into_the_query() {
    let cases: &[(&str, &str)] = &[
        ("f{product}{Confluence}", "product:confluence"),
        ("f{product}{Jira}", "product:jira-software"),
        ("f{inactive}{90 days}", "idle:90"),
        ("f{never}", "never"),
        ("f{org or site admin}", "admin"),
        ("f{synced}", "synced"),
        // Negate stays chosen; the next choice is written with `!`.
        ("f{negate}{synced}", "!synced"),
        // The cursor stays on negate once chosen: one up is "synced".
        ("f{negate}k\n", "!synced"),
        ("f{status}{suspended}", "status:suspended"),
        ("f{product}{Confluence}f{never}", "product:confluence never"),
        // Esc in a submenu goes back to the first menu; Esc there closes it.
        ("f\n\x1b\x1b", ""),
    ];
    for (keys, want) in cases {
        let mut s = state(SIZE, true);
        play(&mut s, keys);
        assert_eq!(s.users.query, *want, "keys {keys:?}");
        assert!(s.overlay.is_none(), "keys {keys:?} left a menu open");
    }
}

#[test]
fn sort_menu_picks_a_column_and_again_reverses_it() {
    let mut s = state(SIZE, true);
    // Items: relevance, name, email, status, type, group count, then each product.
    press(&mut s, "sj\n");
    assert_eq!(s.users.sort.key, seats::filter::SortKey::Name);
    assert!(!s.users.sort.descending);
    press(&mut s, "s\n");
    assert!(s.users.sort.descending, "the same column again reverses");
    assert_eq!(current_name(&s).as_deref(), Some("Radia Perlman"));
}

#[test]
fn refresh_online_and_offline() {
    let mut s = state(SIZE, true);
    let effects = press(&mut s, "r");
    assert!(matches!(&effects[..], [Effect::Fetch]));
    assert!(matches!(s.fetch, Fetch::Running { .. }));
    // A second r while one runs does not start another.
    assert!(press(&mut s, "r").is_empty());

    let mut s = state(SIZE, false);
    assert!(press(&mut s, "r").is_empty());
    assert!(s.flash.as_ref().is_some_and(|f| f.text.contains("offline")));
}

#[test]
fn a_failed_refresh_keeps_the_data_and_says_why() {
    let mut s = state(SIZE, true);
    press(&mut s, "r");
    update(
        &mut s,
        Action::Fetched(Err("the org API key was revoked".into())),
    );
    assert_eq!(s.total_users(), 10);
    assert!(matches!(&s.fetch, Fetch::Failed(m) if m.contains("revoked")));
    assert!(s.flash.as_ref().is_some_and(|f| f.text.contains("revoked")));
}

#[test]
fn help_opens_and_closes() {
    let mut s = state(SIZE, true);
    press(&mut s, "?");
    assert!(matches!(s.overlay, Some(Overlay::Help { .. })));
    press(&mut s, "?");
    assert!(s.overlay.is_none());
    press(&mut s, "?\x1b");
    assert!(s.overlay.is_none());
}

#[test]
fn quitting() {
    for keys in ["q", "2q", "3q"] {
        let mut s = state(SIZE, true);
        press(&mut s, keys);
        assert!(s.quit, "{keys:?}");
    }
    let mut s = state(SIZE, true);
    update(&mut s, console::ctrl('c'));
    assert!(s.quit);
    // q inside the query line is a letter.
    let mut s = state(SIZE, true);
    press(&mut s, "/q");
    assert!(!s.quit);
    assert_eq!(s.users.query, "q");
}

#[test]
fn too_small_ignores_keys_but_q_and_resize_recovers() {
    let mut s = state(SIZE, true);
    update(&mut s, Action::Resize(40, 8));
    press(&mut s, "j/");
    assert_eq!(s.users.cursor, 0);
    assert!(s.input.is_none());
    update(&mut s, Action::Resize(80, 24));
    press(&mut s, "j");
    assert_eq!(s.users.cursor, 1);
    update(&mut s, Action::Resize(40, 8));
    press(&mut s, "q");
    assert!(s.quit);
}

#[test]
fn resize_keeps_the_cursor_on_screen() {
    let mut s = state(SIZE, true);
    press(&mut s, "G");
    update(&mut s, Action::Resize(80, 12));
    assert_eq!(s.users.cursor, 9);
    assert!(s.users.cursor >= s.users.offset && s.users.cursor < s.users.offset + 8);
}

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> Action {
    Action::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn mouse_wheel_click_and_tabs() {
    let mut s = state(SIZE, true);
    update(&mut s, mouse(MouseEventKind::ScrollDown, 10, 5));
    assert_eq!(s.users.cursor, 3);
    update(&mut s, mouse(MouseEventKind::ScrollUp, 10, 5));
    assert_eq!(s.users.cursor, 0);
    // Row 0 is the title, 1 the header, 2 the first user.
    update(
        &mut s,
        mouse(MouseEventKind::Down(MouseButton::Left), 10, 4),
    );
    assert_eq!(current_name(&s).as_deref(), Some("Barbara Liskov"));
    // The tabs are at the right end of the title bar.
    let (_, at, _) = seats::tui::layout::tabs(SIZE)
        .into_iter()
        .find(|(v, _, _)| *v == View::Activity)
        .unwrap_or((View::Activity, 0, String::new()));
    update(
        &mut s,
        mouse(MouseEventKind::Down(MouseButton::Left), at + 1, 0),
    );
    assert_eq!(s.view, View::Activity);
}

#[test]
fn details_follow_the_user_across_a_refresh() {
    let mut s = state(SIZE, true);
    press(&mut s, "jj\n");
    let before = match &s.overlay {
        Some(Overlay::Details { user, .. }) => s
            .data
            .as_ref()
            .map(|d| d.dir.users[*user as usize].account_id.clone()),
        _ => None,
    };
    // A refresh that lists the users in another order.
    let mut dir = console::directory();
    dir.users.reverse();
    let loaded = seats::tui::loaded::Loaded::new(
        std::sync::Arc::new(dir),
        seats::tui::loaded::Origin::Live,
        &console::config(),
    );
    press(&mut s, "");
    s.fetch = Fetch::Running {
        fetched: 0,
        total: None,
        groups: None,
    };
    let effects = update(&mut s, Action::Fetched(Ok(loaded)));
    assert!(
        effects.iter().any(|e| matches!(e, Effect::SaveSnapshot(_))),
        "a fetch is saved"
    );
    let after = match &s.overlay {
        Some(Overlay::Details { user, .. }) => s
            .data
            .as_ref()
            .map(|d| d.dir.users[*user as usize].account_id.clone()),
        _ => None,
    };
    assert!(before.is_some());
    assert_eq!(before, after);
}

#[test]
fn a_snapshot_never_replaces_a_complete_fetch() {
    let mut s = state(SIZE, true);
    let mut dir = console::directory();
    dir.users.truncate(3);
    let live = seats::tui::loaded::Loaded::new(
        std::sync::Arc::new(dir),
        seats::tui::loaded::Origin::Live,
        &console::config(),
    );
    s.fetch = Fetch::Running {
        fetched: 0,
        total: None,
        groups: None,
    };
    update(&mut s, Action::Fetched(Ok(live)));
    let snap = seats::tui::loaded::Loaded::new(
        std::sync::Arc::new(console::directory()),
        seats::tui::loaded::Origin::Snapshot,
        &console::config(),
    );
    update(
        &mut s,
        Action::SnapshotLoaded {
            loaded: Some(snap),
            notice: None,
        },
    );
    assert_eq!(s.total_users(), 3);
}

#[test]
fn marks_survive_filtering_sorting_and_refresh() {
    let mut s = state(SIZE, true);
    // Space marks and moves down: Ada and Alan.
    press(&mut s, "  ");
    assert_eq!(s.marks.len(), 2);
    assert_eq!(current_name(&s).as_deref(), Some("Barbara Liskov"));
    // Space on a marked row unmarks it.
    press(&mut s, "k ");
    assert_eq!(s.marks.len(), 1);
    press(&mut s, "k ");
    assert_eq!(s.marks.len(), 2);
    // A filter that hides Ada keeps her mark and counts it as hidden.
    press(&mut s, "/!group:eng-platform\n");
    assert_eq!((s.marks.len(), s.marks_hidden), (2, 1));
    press(&mut s, "\x1b");
    assert_eq!(s.marks_hidden, 0);
    // Sorting keeps marks (by id, not position).
    press(&mut s, "sj\ns\n");
    assert_eq!(s.marks.len(), 2);
    // A refresh in another order keeps them on the same people.
    let mut dir = console::directory();
    dir.users.reverse();
    let live = seats::tui::loaded::Loaded::new(
        std::sync::Arc::new(dir),
        seats::tui::loaded::Origin::Live,
        &console::config(),
    );
    s.fetch = Fetch::Running {
        fetched: 0,
        total: None,
        groups: None,
    };
    let effects = update(&mut s, Action::Fetched(Ok(live)));
    console::answer(&mut s, effects);
    let data = s.data.as_ref().map(|d| d.dir.clone()).expect("data");
    let mut marked: Vec<String> = s
        .marks
        .ix
        .iter()
        .map(|&i| data.users[i as usize].name.clone())
        .collect();
    marked.sort();
    assert_eq!(marked, vec!["Ada Lovelace", "Alan Turing"]);
}

#[test]
fn range_all_and_clear() {
    let mut s = state(SIZE, true);
    press(&mut s, "jVjjV");
    assert_eq!(s.marks.len(), 3, "rows 1 to 3");
    press(&mut s, "\\");
    assert!(s.marks.is_empty());
    press(&mut s, "/acme\n");
    let shown = s.users.rows.len();
    update(&mut s, console::ctrl('a'));
    assert_eq!(s.marks.len(), shown, "Ctrl-a marks what the filter shows");
    press(&mut s, "\x1b");
    assert_eq!(s.marks_hidden, 0);
    assert!(shown < 10 && shown > 0);
}

// ---- The queue, the plan and the confirm dialog (issue 8) ----

use seats::plan::OperationKind;

/// Marks the named users (by their row in name order) and queues menu item `item`.
/// Marks the rows, then queues the action menu's item named `action`.
fn queue_item(s: &mut seats::tui::state::AppState, rows: &[usize], action: &str) -> Vec<Effect> {
    for &r in rows {
        s.users.cursor = r;
        press(s, " ");
    }
    press(s, "a");
    choose(s, action)
}

#[test]
fn the_action_menu_queues_for_the_marks_or_the_current_user() {
    let mut s = state(SIZE, true);
    press(&mut s, "j");
    let effects = play(&mut s, "a{suspend}");
    assert!(
        effects.iter().any(|e| matches!(e, Effect::SaveQueue(_))),
        "the queue is kept"
    );
    let ops = s.queue.ops.operations();
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].kind, OperationKind::Suspend);
    assert_eq!(
        ops[0].targets,
        vec!["acc-001".to_string()],
        "the current user: Alan"
    );

    let mut s = state(SIZE, true);
    queue_item(&mut s, &[1, 2, 7], "suspend");
    let ops = s.queue.ops.operations();
    assert_eq!(ops[0].targets.len(), 3);
    assert!(s.marks.is_empty(), "marks are cleared once queued");
    // Queueing the same action again merges into the operation.
    queue_item(&mut s, &[9], "suspend");
    assert_eq!(s.queue.ops.operations().len(), 1);
    assert_eq!(s.queue.ops.operations()[0].targets.len(), 4);
    // A submenu action: remove Jira Software access (products: confluence, jira-software).
    play(&mut s, "a{remove product}{Jira}");
    assert!(matches!(
        &s.queue.ops.operations()[1].kind,
        OperationKind::RemoveProductAccess { product } if product == "jira-software"
    ));
}

#[test]
fn remove_product_access_starts_on_the_querys_product() {
    // (query, product the submenu's cursor starts on): products are confluence, jira-software.
    let cases: &[(&str, &str)] = &[
        ("", "confluence"),
        ("/product:jira-software\n", "jira-software"),
        ("/idle:30 product:jsw\n", "jira-software"),
        ("/product:confluence product:jira-software\n", "confluence"),
    ];
    for (keys, want) in cases {
        let mut s = state(SIZE, true);
        press(&mut s, keys);
        // `a`, then Enter on its first item: "remove product access…"; Enter again queues.
        press(&mut s, "a\n\n");
        let ops = s.queue.ops.operations();
        assert!(
            matches!(
                ops.first().map(|o| &o.kind),
                Some(OperationKind::RemoveProductAccess { product }) if product == want
            ),
            "keys {keys:?}: {ops:?}"
        );
    }
}

#[test]
fn the_plan_holds_out_protected_users_with_the_reason() {
    let mut s = state(SIZE, true);
    // Rows by name: 0 Ada (org admin), 3 Build Bot (app), 6 Ken (the admin), 9 Radia
    // (protected domain), 1 Alan (plain).
    queue_item(&mut s, &[0, 3, 6, 9, 1], "suspend");
    let view = s.queue.plan.clone().expect("a plan");
    let op = &view.plan.operations[0];
    assert_eq!(op.held_out.len(), 4, "{:?}", op.held_out);
    assert_eq!(view.plan.affected_users(), 1, "only Alan is suspended");
    let note = |acc: &str| {
        view.notes
            .get(&(op.id, acc.to_string()))
            .cloned()
            .unwrap_or_default()
    };
    assert!(note("acc-000").contains("held out"), "{}", note("acc-000"));
    assert!(note("acc-001").starts_with("will "), "{}", note("acc-001"));
}

#[test]
fn queue_view_removes_targets_and_operations() {
    let mut s = state(SIZE, true);
    queue_item(&mut s, &[1, 2], "suspend");
    queue_item(&mut s, &[7], "restore");
    press(&mut s, "4");
    assert_eq!(s.view, View::Queue);
    assert_eq!(s.queue.rows_len(), 5, "two operations, three targets");
    // Row 1 is the first target of the first operation.
    press(&mut s, "jd");
    assert_eq!(s.queue.ops.operations()[0].targets.len(), 1);
    press(&mut s, "ggd");
    assert_eq!(
        s.queue.ops.operations().len(),
        1,
        "d on an operation removes it"
    );
    assert_eq!(s.queue.ops.operations()[0].kind, OperationKind::Restore);
}

#[test]
fn conflicts_are_flagged() {
    let mut s = state(SIZE, true);
    queue_item(&mut s, &[1], "suspend");
    queue_item(&mut s, &[1], "restore");
    let c = s.queue.ops.conflicts();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].account_id, "acc-001");
}

#[test]
fn confirm_opens_on_cancel_and_cancel_changes_nothing() {
    let mut s = state(SIZE, true);
    assert!(press(&mut s, "A").is_empty());
    assert!(s.flash.as_ref().is_some_and(|f| f.text.contains("empty")));
    // Alan, Barbara and Linus, picked by hand: Barbara used Jira 45 days ago, within the
    // config's inactive_days (90), so she is held out and the plan suspends two.
    queue_item(&mut s, &[1, 2, 7], "suspend");
    let view = s.queue.plan.clone().expect("a plan");
    assert_eq!(
        view.plan.operations[0].held_out[0].account_id, "acc-007",
        "{:?}",
        view.plan.operations[0].held_out
    );
    press(&mut s, "A");
    match &s.overlay {
        Some(Overlay::Confirm(c)) => assert!(!c.on_run, "focus starts on Cancel"),
        other => panic!("no confirm dialog: {other:?}"),
    }
    let effects = press(&mut s, "\n");
    assert!(effects.is_empty(), "Cancel runs nothing: {effects:?}");
    assert!(s.overlay.is_none());
    assert_eq!(s.queue.ops.operations().len(), 1, "and keeps the queue");
    // Tab to Run, Enter: the plan goes out as a file of its steps.
    let effects = press(&mut s, "A\t\n");
    let file = effects.iter().find_map(|e| match e {
        Effect::Execute { file, dry_run, .. } => Some((file.clone(), *dry_run)),
        _ => None,
    });
    let (file, dry_run) = file.expect("an execute effect");
    assert!(!dry_run);
    assert_eq!(file.steps.len(), 2);
    assert!(
        file.steps.iter().all(|st| st
            .guard
            .as_ref()
            .is_some_and(|g| g.inactive_since.is_some())),
        "each step carries the activity guard the executor checks again"
    );
    assert!(
        file.steps
            .iter()
            .all(|st| st.change == seats::plan::Change::Suspend)
    );
    assert!(
        !s.queue.ops.is_empty(),
        "kept until the journal has the batch"
    );
    update(&mut s, Action::BatchStarted(Ok(7)));
    assert!(s.queue.ops.is_empty(), "the batch leaves the queue");
    assert_eq!(s.batch.as_ref().and_then(|b| b.id), Some(7));
}

/// Queues a suspension of the next user (`j a`, the action menu's suspend) and returns the
/// effects unanswered: the plan they ask for has not come back.
fn suspend_the_next_user_unanswered(s: &mut seats::tui::state::AppState) -> Vec<Effect> {
    let keys = [
        KeyCode::Char('j'),
        KeyCode::Char('a'),
        KeyCode::Char('j'),
        KeyCode::Char('j'),
        KeyCode::Enter,
    ];
    keys.into_iter().flat_map(|c| update(s, key(c))).collect()
}

#[test]
fn a_review_asked_for_while_the_plan_is_built_opens_when_it_lands() {
    for forget in [false, true] {
        let mut s = state(SIZE, true);
        play(&mut s, "j a{suspend}");
        // A second action, its plan not back yet (the effects are held, not answered).
        let held = suspend_the_next_user_unanswered(&mut s);
        assert!(s.queue.plan_pending());
        update(&mut s, key(KeyCode::Char('A')));
        assert!(s.overlay.is_none());
        let said = s.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
        assert!(said.starts_with("building the plan…"), "{said}");
        if forget {
            update(&mut s, key(KeyCode::Esc));
        }
        console::answer(&mut s, held);
        assert!(!s.queue.plan_pending());
        let opened = matches!(s.overlay, Some(Overlay::Confirm(_)));
        assert_eq!(opened, !forget, "Esc forgets: {forget}");
        if opened {
            assert_eq!(
                s.queue.plan.as_ref().map(|p| p.plan.operations[0].targets),
                Some(2),
                "the review is of the newest plan"
            );
        }
    }
}

#[test]
fn a_plan_that_could_not_be_made_shows_no_figures_and_a_asks_again() {
    let mut s = state(SIZE, true);
    play(&mut s, "j a{suspend}");
    assert!(s.queue.plan.is_some());
    // A second action whose plan fails (the direct-grant look-up did not answer).
    let held = suspend_the_next_user_unanswered(&mut s);
    let generation = s.queue.requested;
    assert!(held.iter().any(|e| matches!(e, Effect::BuildPlan { .. })));
    update(&mut s, key(KeyCode::Char('A')));
    update(
        &mut s,
        Action::Planned {
            generation,
            view: Err("the plan could not be made: direct grants could not be read (HTTP 503); A tries again".into()),
        },
    );
    assert!(
        s.queue.plan.is_none(),
        "no plan, so no seats or savings on screen"
    );
    assert!(!s.queue.plan_pending());
    assert!(s.overlay.is_none(), "no review opens");
    let said = s.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(said.starts_with("the plan could not be made"), "{said}");
    // A asks for the plan again, and the review opens when it lands.
    let again = update(&mut s, key(KeyCode::Char('A')));
    assert!(
        again.iter().any(|e| matches!(e, Effect::BuildPlan { .. })),
        "{again:?}"
    );
    assert!(s.queue.plan_pending());
    console::answer(&mut s, again);
    assert!(matches!(s.overlay, Some(Overlay::Confirm(_))));
    assert_eq!(
        s.queue.plan.as_ref().map(|p| p.plan.operations[0].targets),
        Some(2),
        "the plan of the whole queue"
    );
}

#[test]
fn irreversible_plans_need_the_count_typed() {
    let mut s = state(SIZE, true);
    queue_item(&mut s, &[1, 7], "remove from the directory");
    let effects = press(&mut s, "A\t\n");
    assert!(!effects.iter().any(|e| matches!(e, Effect::Execute { .. })));
    assert!(s.flash.as_ref().is_some_and(|f| f.text.contains("type 2")));
    let effects = press(&mut s, "3\n");
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Execute { .. })),
        "a wrong count"
    );
    let effects = press(&mut s, "\x082\n");
    assert!(effects.iter().any(|e| matches!(e, Effect::Execute { .. })));
}

#[test]
fn quitting_with_a_queue_asks_first() {
    let mut s = state(SIZE, true);
    queue_item(&mut s, &[1], "suspend");
    press(&mut s, "q");
    assert!(!s.quit);
    assert!(matches!(s.overlay, Some(Overlay::QuitConfirm)));
    press(&mut s, "n");
    assert!(!s.quit && s.overlay.is_none());
    press(&mut s, "qy");
    assert!(s.quit);
}

#[test]
fn colon_commands() {
    let mut s = state(SIZE, true);
    press(&mut s, ":write\n");
    assert!(
        s.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("file name"))
    );
    // The line stays open with the text to mend; Esc closes it.
    assert_eq!(s.input.as_ref().map(|i| i.text.as_str()), Some("write"));
    press(&mut s, "\x1bj:suspend\n");
    assert_eq!(
        s.queue.ops.operations()[0].targets,
        vec!["acc-001".to_string()]
    );
    let effects = press(&mut s, ":write /tmp/x.json\n");
    assert!(
        matches!(&effects[..], [Effect::WritePlan { path, file, overwrite: false }] if path.ends_with("x.json") && file.steps.len() == 1)
    );
    // `:w!` may replace a file that exists; `:write` may not (the task refuses it).
    let effects = press(&mut s, ":w! /tmp/x.json\n");
    assert!(
        matches!(
            &effects[..],
            [Effect::WritePlan {
                overwrite: true,
                ..
            }]
        ),
        "{effects:?}"
    );
    press(&mut s, ":suspend!\n");
    assert!(
        s.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("only :write! (:w!) takes a !"))
    );
    press(&mut s, "\x1b");
    let effects = press(&mut s, ":read plan.json\n");
    assert!(matches!(&effects[..], [Effect::ReadPlan(p)] if p.ends_with("plan.json")));
    press(&mut s, ":remove-product nosuch\n");
    assert!(
        s.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("confluence, jira-software"))
    );
    press(&mut s, "\x1b:bogus\n");
    assert!(
        s.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("unknown command"))
    );
    // A command line never filters the users.
    assert_eq!(s.users.query, "");
}

#[test]
fn a_read_plan_file_becomes_the_queue() {
    let mut s = state(SIZE, true);
    let mut q = seats::plan::Queue::new();
    q.add(OperationKind::Restore, ["acc-004".to_string()]);
    let plan = seats::plan::build_plan(
        &console::directory(),
        &q,
        &seats::plan::PlanContext::new(&console::config(), &[]),
    );
    let file = seats::plan::PlanFile::new(&plan, &q, None, None, console::fetched_at());
    let effects = update(&mut s, Action::PlanRead(Ok(Box::new(file))));
    console::answer(&mut s, effects);
    assert_eq!(s.view, View::Queue);
    assert_eq!(s.queue.ops.operations()[0].kind, OperationKind::Restore);
    assert!(s.queue.plan.is_some());
}

#[test]
fn a_running_batch_reports_progress_pauses_cancels_and_refreshes_when_done() {
    use seats::exec::{Counts, ExecEvent, ItemState, RunOutcome};
    let mut s = state(SIZE, true);
    queue_item(&mut s, &[1, 2], "suspend");
    press(&mut s, "A\t\n");
    update(&mut s, Action::BatchStarted(Ok(3)));
    update(
        &mut s,
        Action::Exec(ExecEvent::Progress {
            done: 1,
            failed: 0,
            skipped: 0,
            total: 2,
            rate_per_min: 60.0,
            eta: Some(std::time::Duration::from_secs(1)),
        }),
    );
    assert_eq!(s.batch.as_ref().map(|b| (b.done, b.total)), Some((1, 2)));
    // A second review waits for the batch; q asks first.
    press(&mut s, "A");
    assert!(s.flash.as_ref().is_some_and(|f| f.text.contains("running")));
    press(&mut s, "q");
    assert!(matches!(s.overlay, Some(Overlay::QuitConfirm)));
    press(&mut s, "n");
    assert!(matches!(
        &press(&mut s, "p")[..],
        [Effect::PauseBatch(true)]
    ));
    assert!(matches!(
        &press(&mut s, "p")[..],
        [Effect::PauseBatch(false)]
    ));
    update(
        &mut s,
        Action::Exec(ExecEvent::ItemFinished {
            seq: 2,
            account_id: "acc-002".into(),
            name: "Barbara Liskov".into(),
            change: "suspend".into(),
            state: ItemState::Failed,
            reason: None,
            error: Some("HTTP 500".into()),
        }),
    );
    assert!(
        s.batch
            .as_ref()
            .is_some_and(|b| b.errors[0].contains("HTTP 500"))
    );
    assert!(matches!(&press(&mut s, "X")[..], [Effect::CancelBatch]));
    let counts = Counts {
        done: 1,
        failed: 1,
        ..Counts::default()
    };
    let effects = update(
        &mut s,
        Action::Exec(ExecEvent::Finished {
            batch: 3,
            outcome: RunOutcome::Cancelled,
            counts,
        }),
    );
    assert!(effects.iter().any(|e| matches!(e, Effect::LoadHistory)));
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Fetch)),
        "the org is fetched again"
    );
    assert!(s.batch.as_ref().is_some_and(|b| !b.running()));
    assert!(press(&mut s, "p").is_empty(), "nothing to pause now");
}

#[test]
fn history_writes_undo_and_retry_plans_of_the_batch_under_the_cursor() {
    let mut s = state(SIZE, true);
    assert!(matches!(&press(&mut s, "5")[..], [Effect::LoadHistory]));
    let batch = |id: i64| seats::exec::BatchInfo {
        id,
        created_at: console::fetched_at(),
        finished_at: None,
        operator: "ken@acme.example".into(),
        profile: None,
        org_id: "org-1".into(),
        query: None,
        source: "console".into(),
        dry_run: false,
        status: seats::exec::BatchStatus::Finished,
        counts: Default::default(),
    };
    update(&mut s, Action::History(Ok(vec![batch(9), batch(8)])));
    assert!(matches!(&press(&mut s, "u")[..], [Effect::WriteUndo(9)]));
    assert!(matches!(&press(&mut s, "jR")[..], [Effect::WriteRetry(8)]));
}

#[test]
fn an_activity_bar_lists_exactly_the_holders_it_counts() {
    let s = state(SIZE, true);
    // Confluence: 0-30 is the first bucket. Count each bucket's users through its query.
    let data = s.data.clone().expect("data");
    let conf = data
        .derived
        .activity
        .iter()
        .find(|a| a.product == console::CONF)
        .expect("confluence");
    for (i, want) in conf.buckets.iter().enumerate() {
        let mut s = state(SIZE, true);
        let mut keys = String::from("3");
        keys.push_str(&"l".repeat(i));
        keys.push('\n');
        press(&mut s, &keys);
        assert_eq!(
            s.users.rows.len() as u64,
            *want,
            "bucket {i}: {}",
            s.users.query
        );
        press(&mut s, "\x1b");
    }
}

#[test]
fn a_notice_from_background_work_is_shown_at_its_level() {
    let mut s = state(SIZE, true);
    let effects = update(
        &mut s,
        Action::Notice(
            seats::tui::state::Level::Error,
            "the queue was not saved: disk full".into(),
        ),
    );
    assert!(effects.is_empty());
    let flash = s.flash.as_ref().expect("a status-line message");
    assert_eq!(flash.text, "the queue was not saved: disk full");
    assert_eq!(flash.level, seats::tui::state::Level::Error);
}
