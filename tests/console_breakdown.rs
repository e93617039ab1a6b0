//! Which groups give a selection its product (issue 17, point 1): the Groups view follows the
//! Users rows, the Activity view breaks down the idle holders chosen, Enter narrows the query.
//! Reducer cases, counts checked against a plain loop over the fixture org, and screens.

#[path = "support/console.rs"]
mod console;
use console::screen as render;

use std::sync::Arc;

use console::{JSW, key, press, state};
use ratatui::crossterm::event::KeyCode;
use seats::domain::Directory;
use seats::tui::action::{Action, Effect};
use seats::tui::breakdown::{self, Breakdown, BreakdownKey, BreakdownRequest};
use seats::tui::breakdowns;
use seats::tui::state::{AppState, View};
use seats::tui::update::update;

const SIZE: (u16, u16) = (80, 24);

fn breakdown_requests(effects: &[Effect]) -> Vec<&BreakdownRequest> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Breakdown(r) => Some(r.as_ref()),
            _ => None,
        })
        .collect()
}

/// (group, members in the selection, through it, only through it, also another way), the
/// groups that hold some of the selection, as the Groups view lists them.
fn lines(b: &Breakdown) -> Vec<(String, u32, u32, u32, u32)> {
    b.groups
        .iter()
        .filter(|g| g.members > 0)
        .map(|g| {
            let th = g.through.first().copied().unwrap_or_default();
            (g.name.clone(), g.members, th.total(), th.only, th.also)
        })
        .collect()
}

#[test]
fn enter_in_groups_narrows_the_query_and_shows_users() {
    // (keys, the query afterwards). The breakdown sorts by users granting the query's product.
    let cases: &[(&str, &str)] = &[
        // No query: by members among every user; jira-software-users holds 6.
        ("2\n", "group:jira-software-users"),
        (
            "/product:jira-software idle:90\n2\n",
            "product:jira-software idle:90 group:jira-software-users",
        ),
        // Second line: eng-platform gives Jira to Alan (also through jira-software-users).
        (
            "/product:jira-software idle:90\n2j\n",
            "product:jira-software idle:90 group:eng-platform",
        ),
        // Confluence holders: confluence-users grants it to 5, okta-all-employees to 1.
        ("/product:conf\n2\n", "product:conf group:confluence-users"),
        // Twice the same group: the query already has it.
        ("/group:eng-platform\n2\n", "group:eng-platform"),
    ];
    for (keys, want) in cases {
        let mut s = state(SIZE, true);
        press(&mut s, keys);
        assert_eq!(s.view, View::Users, "keys {keys:?}");
        assert_eq!(s.users.query, *want, "keys {keys:?}");
        assert!(
            !s.users.rows.is_empty(),
            "keys {keys:?}: the narrowed query has rows"
        );
    }
}

#[test]
fn views_that_need_a_breakdown_ask_for_it_once() {
    // (keys, then the view switched to, whether a breakdown is asked for, of which kind)
    let cases: &[(&str, KeyCode, bool, &str)] = &[
        ("", KeyCode::Char('2'), true, "rows"),
        ("", KeyCode::Char('3'), true, "activity"),
        ("", KeyCode::Tab, true, "rows"),
        ("", KeyCode::Char('4'), false, ""),
        ("", KeyCode::Char('1'), false, ""),
        // Landed already: switching back asks nothing.
        ("21", KeyCode::Char('2'), false, ""),
        ("31", KeyCode::Char('3'), false, ""),
        // A new query's rows need a new one.
        ("21/ada\n", KeyCode::Char('2'), true, "rows"),
        // Another bucket or product in Activity needs one.
        ("3", KeyCode::Char('l'), true, "activity"),
        ("3", KeyCode::Char('j'), true, "activity"),
    ];
    for (keys, then, asks, kind) in cases {
        let mut s = state(SIZE, true);
        press(&mut s, keys);
        let effects = update(&mut s, key(*then));
        let asked = breakdown_requests(&effects);
        assert_eq!(
            asked.len(),
            usize::from(*asks),
            "keys {keys:?} then {then:?}"
        );
        if let Some(r) = asked.first() {
            let got = match r.key {
                BreakdownKey::Rows { .. } => "rows",
                BreakdownKey::Activity { .. } => "activity",
            };
            assert_eq!(got, *kind, "keys {keys:?} then {then:?}");
        }
    }
}

#[test]
fn a_breakdown_waits_for_the_rows_and_stale_ones_are_dropped() {
    let mut s = state(SIZE, true);
    // Groups view: the breakdown of every user is asked for; hold it back.
    let effects = update(&mut s, key(KeyCode::Char('2')));
    let old = breakdown_requests(&effects)[0].clone();
    assert!(breakdowns::for_groups(&s).is_none(), "counting…");

    // A new query goes out while its rows are not back: no breakdown of rows on their way out.
    s.view = View::Users;
    let mut effects = update(&mut s, key(KeyCode::Char('/')));
    effects.extend(update(&mut s, key(KeyCode::Char('a'))));
    let filter = effects
        .into_iter()
        .find(|e| matches!(e, Effect::Filter(_)))
        .expect("a filter pass");
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(breakdown_requests(&effects).is_empty());
    s.view = View::Groups;
    let now = s.now;
    let effects = update(&mut s, Action::Tick(now));
    assert!(
        breakdown_requests(&effects).is_empty(),
        "the rows answer an older query: wait for the newest"
    );

    // The old breakdown lands now: stale, dropped.
    let stale = breakdown::compute(&old);
    update(&mut s, Action::Breakdown(Arc::new(stale)));
    assert!(breakdowns::for_groups(&s).is_none());
    assert!(s.breakdowns.groups.shown.is_none(), "not kept either");

    // The rows land: the breakdown of the new rows is asked for and kept when it lands.
    let effects = console::answer(&mut s, vec![filter]);
    assert!(
        effects.is_empty(),
        "answered at once by the test: {effects:?}"
    );
    let b = breakdowns::for_groups(&s).expect("the new rows' breakdown");
    assert_eq!(b.selected, s.users.rows.len());
    assert_eq!(b.label, "a");

    // New data on screen: the breakdown is of other data and asked for again.
    let loaded = s.data.clone().expect("data");
    let fresh = seats::tui::loaded::Loaded::new(
        loaded.dir.clone(),
        seats::tui::loaded::Origin::Live,
        &s.config,
    );
    let effects = update(&mut s, Action::Fetched(Ok(fresh)));
    assert!(breakdowns::for_groups(&s).is_none());
    let rest = console::answer(&mut s, effects);
    assert!(breakdown_requests(&rest).is_empty());
    assert!(
        breakdowns::for_groups(&s).is_some(),
        "counted again for the new data"
    );
}

/// The same counts by a plain loop over users and groups: members of each group among
/// `rows`, and those holding `product` whose group grants it, alone or beside another group
/// or the org admin role.
fn by_hand(dir: &Directory, rows: &[u32], product: &str) -> Vec<(String, u32, u32, u32, u32)> {
    let mut out = Vec::new();
    for g in &dir.groups {
        let (mut members, mut via, mut only, mut also) = (0, 0, 0, 0);
        for &ix in rows {
            let u = &dir.users[ix as usize];
            if !u.groups.iter().any(|r| r.id.as_str() == g.id) {
                continue;
            }
            members += 1;
            let grants = g.grants.iter().any(|p| p == product);
            if !grants || u.access(product).is_none() {
                continue;
            }
            via += 1;
            let other_group = dir.groups.iter().any(|o| {
                o.id != g.id
                    && o.grants.iter().any(|p| p == product)
                    && u.groups.iter().any(|r| r.id.as_str() == o.id)
            });
            if other_group || u.org_admin {
                also += 1;
            } else {
                only += 1;
            }
        }
        if members > 0 {
            out.push((g.name.clone(), members, via, only, also));
        }
    }
    out.sort_by(|a, b| b.2.cmp(&a.2).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
    out
}

#[test]
fn the_breakdown_matches_counts_made_by_hand() {
    for query in [
        "product:jira-software idle:90",
        "product:jira-software",
        "product:confluence",
        "product:jsw !synced",
        "product:confluence idle:30",
    ] {
        let mut s = state(SIZE, true);
        press(&mut s, &format!("/{query}\n2"));
        let b = breakdowns::for_groups(&s).expect("landed");
        let dir = &s.data.as_ref().expect("data").dir;
        let product = if query.contains("confluence") {
            console::CONF
        } else {
            JSW
        };
        assert_eq!(b.products[0].product, product, "{query}: aliases resolved");
        assert_eq!(lines(b), by_hand(dir, &s.users.rows, product), "{query}");
        assert_eq!(b.selected, s.users.rows.len());
        // Every holder is counted once: through a group, or only as admin, or directly.
        let p = &b.products[0];
        let holders = s
            .users
            .rows
            .iter()
            .filter(|&&i| dir.users[i as usize].access(product).is_some())
            .count();
        assert_eq!(p.holders, holders, "{query}");
        assert_eq!(
            p.through_groups + p.admin_only + p.direct_only,
            holders,
            "{query}"
        );
    }
    // The case spelled out: idle Jira holders Alan (also eng-platform), Grace, Linus, the bot.
    let mut s = state(SIZE, true);
    press(&mut s, "/product:jira-software idle:90\n2");
    let b = breakdowns::for_groups(&s).expect("landed");
    assert_eq!(
        lines(b),
        vec![
            ("jira-software-users".into(), 4, 4, 3, 1),
            ("eng-platform".into(), 1, 1, 0, 1),
            ("okta-all-employees".into(), 1, 0, 0, 0),
        ]
    );
    // Barbara holds Jira through no group but eng-platform; Confluence through none at all.
    let mut s = state(SIZE, true);
    press(&mut s, "/barbara product:confluence\n2");
    let b = breakdowns::for_groups(&s).expect("landed");
    assert_eq!(b.products[0].direct_only, 1);
    assert_eq!(b.products[0].through_groups, 0);
}

#[test]
fn the_activity_breakdown_counts_the_holders_its_bar_counts() {
    // Products: confluence, jira-software. Choices: 6 buckets, then presets 30/60/90/180.
    for (product_keys, product) in [("", console::CONF), ("j", JSW)] {
        for choice in 0..10 {
            let mut s = state(SIZE, true);
            press(&mut s, &format!("3{product_keys}{}", "l".repeat(choice)));
            let b = breakdowns::for_activity(&s).expect("landed").clone();
            let data = s.data.clone().expect("data");
            let a = data
                .derived
                .activity
                .iter()
                .find(|a| a.product == product)
                .expect("product");
            let bar = if choice < 6 {
                a.buckets[choice]
            } else {
                a.idle_at_least([30, 60, 90, 180][choice - 6]).unwrap_or(0)
            };
            assert_eq!(b.selected as u64, bar, "{product} choice {choice}");
            // The same users Enter lists, broken down as the Groups view would.
            press(&mut s, "\n");
            let rows = s.users.rows.clone();
            assert_eq!(
                lines(&b),
                by_hand(&data.dir, &rows, product),
                "{product} choice {choice}"
            );
        }
    }
}

#[test]
fn screens_of_the_breakdowns() {
    let views: &[(&str, &str)] = &[
        ("groups_under_a_query", "/product:jira-software idle:90\n2"),
        ("groups_without_a_product", "/acme\n2"),
        // Jira Software, preset ≥90 days.
        ("activity_breakdown", "3jllllllll"),
    ];
    for (name, keys) in views {
        for (w, h) in [(80, 24), (160, 48)] {
            let mut s = state((w, h), true);
            press(&mut s, keys);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(&s));
        }
    }
    // While it is counted, the view says so.
    let mut s = state(SIZE, true);
    update(&mut s, key(KeyCode::Char('2')));
    let screen = render(&s);
    assert!(screen.contains("counting…"), "{screen}");
}

#[test]
fn a_group_name_with_a_space_is_quoted_when_it_narrows() {
    let mut s = state(SIZE, true);
    let mut dir = console::directory();
    for g in &mut dir.groups {
        if g.name == "eng-platform" {
            g.name = "eng platform".into();
        }
    }
    for u in &mut dir.users {
        for g in &mut u.groups {
            if g.name.as_str() == "eng-platform" {
                g.name = "eng platform".into();
            }
        }
    }
    let loaded = seats::tui::loaded::Loaded::new(
        Arc::new(dir),
        seats::tui::loaded::Origin::Snapshot,
        &s.config,
    );
    let effects = update(
        &mut s,
        Action::SnapshotLoaded {
            loaded: Some(loaded),
            notice: None,
        },
    );
    console::answer(&mut s, effects);
    // Idle Jira holders: jira-software-users first, then "eng platform" (Alan).
    press(&mut s, "/product:jira-software idle:90\n2j\n");
    assert_eq!(
        s.users.query,
        "product:jira-software idle:90 group:\"eng platform\""
    );
    assert!(s.users.error.is_none(), "{:?}", s.users.error);
    assert_eq!(console::shown_names(&s), vec!["Alan Turing"]);
}

#[test]
fn the_activity_breakdown_says_how_many_more_groups_did_not_fit() {
    // 80x13: one line under the title for two granting groups of Jira Software (the
    // histogram's bars shrink first, down to one row).
    let mut s = state((80, 13), true);
    press(&mut s, "3jllllllll");
    let screen = render(&s);
    assert!(
        screen.contains("Granting Jira Software to 3 holders idle ≥90 days:"),
        "{screen}"
    );
    assert!(
        screen.contains("… 2 more: press Enter, then 2 for Groups"),
        "{screen}"
    );
    // One line left: the groups in a row.
    let mut s = state((80, 12), true);
    press(&mut s, "3jllllllll");
    let screen = render(&s);
    assert!(
        screen.contains("Granted by: jira-software-users 3, eng-platform 1"),
        "{screen}"
    );
    // With room, every granting group has its line.
    let mut s = state((80, 24), true);
    press(&mut s, "3jllllllll");
    let screen = render(&s);
    assert!(!screen.contains("more: press Enter"), "{screen}");
    assert!(screen.contains("eng-platform"), "{screen}");
}

#[test]
fn the_cursor_stays_on_its_group_when_a_new_breakdown_lands() {
    let name_at_cursor = |s: &AppState| breakdowns::group_name_at(s, s.groups.cursor);
    // A cursor moved by the admin follows its group into the new order.
    let mut s = state(SIZE, true);
    press(&mut s, "2jj");
    let before = name_at_cursor(&s).expect("a group under the cursor");
    press(&mut s, "1/product:conf\n2");
    let landed = breakdowns::for_groups(&s).map(|b| b.key.clone());
    assert!(
        matches!(landed, Some(BreakdownKey::Rows { rows, .. }) if rows == s.users.requested),
        "the breakdown of the new query landed"
    );
    assert_eq!(name_at_cursor(&s).as_deref(), Some(before.as_str()));
    // Back to the top would have been another group.
    assert_ne!(
        breakdowns::group_name_at(&s, 0).as_deref(),
        Some(before.as_str())
    );
    // A cursor left on the first line starts on the group that grants the most.
    let mut s = state(SIZE, true);
    press(&mut s, "21/product:conf\n2");
    assert_eq!(s.groups.cursor, 0);
    assert_eq!(name_at_cursor(&s).as_deref(), Some("confluence-users"));
}

/// A console showing the first pages of a fetch: users without any group read yet.
fn partial_state(size: (u16, u16)) -> AppState {
    let mut s = state(size, true);
    s.fetch = seats::tui::state::Fetch::Running {
        fetched: 1281,
        total: Some(1970),
        groups: None,
    };
    let mut dir = console::directory();
    dir.groups.clear();
    for u in &mut dir.users {
        u.groups.clear();
    }
    let loaded = seats::tui::loaded::Loaded::new(
        Arc::new(dir),
        seats::tui::loaded::Origin::Partial,
        &s.config,
    );
    let effects = update(
        &mut s,
        Action::SnapshotLoaded {
            loaded: Some(loaded),
            notice: None,
        },
    );
    console::answer(&mut s, effects);
    s
}

#[test]
fn a_partial_directory_classifies_nobody_by_how_they_hold_the_product() {
    let loading = "the directory is still loading: 1,281 of 1,970 users; group grants not read yet";
    let mut s = partial_state((120, 24));
    press(&mut s, "/product:jira-software idle:90\n2");
    let screen = render(&s);
    assert!(screen.contains(loading), "{screen}");
    assert!(!screen.contains("only by a direct grant"), "{screen}");
    assert!(!screen.contains("through a group"), "{screen}");
    // The Activity breakdown says the same instead of counting.
    let mut s = partial_state((120, 40));
    press(&mut s, "3jllllllll");
    let screen = render(&s);
    assert!(screen.contains(loading), "{screen}");
    assert!(!screen.contains("only by a direct grant"), "{screen}");
    // Once complete, the same query is classified again.
    let mut s = state((120, 24), true);
    press(&mut s, "/product:jira-software idle:90\n2");
    let screen = render(&s);
    assert!(!screen.contains("still loading"), "{screen}");
    assert!(screen.contains("through a group"), "{screen}");
}

#[test]
fn cut_lines_end_with_an_ellipsis_and_hints_stay_whole() {
    let mut s = state(SIZE, true);
    press(
        &mut s,
        "/product:jira-software idle:90 status:active domain:acme.example\n2",
    );
    let screen = render(&s);
    let title = screen
        .lines()
        .find(|l| l.contains("Groups granting"))
        .unwrap_or_default()
        .trim_matches('"')
        .trim_end()
        .to_owned();
    assert!(title.ends_with('…'), "{screen}");
    // The filter line cuts the query with "…" and keeps its hint.
    let filter = screen
        .lines()
        .find(|l| l.starts_with("\"filter: "))
        .unwrap_or_default();
    assert!(filter.contains("…   (/ edits, Esc clears)"), "{filter}");
    // The status line's hints: whole ones only, none cut mid-word.
    let status = screen.lines().nth(23).unwrap_or_default().trim_matches('"');
    let hints = seats::tui::keymap::hints(View::Groups);
    for (key, help) in hints {
        let hint = format!("{key} {help}");
        let cut = (2..hint.len())
            .filter(|&n| hint.is_char_boundary(n))
            .map(|n| &hint[..n])
            .any(|head| status.trim_end().ends_with(head) && head.len() < hint.len());
        assert!(!cut || status.contains(&hint), "{hint:?} cut: {status:?}");
    }
}
