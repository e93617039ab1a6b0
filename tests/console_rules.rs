//! The console's Rules view (issue 18, point 7): lifecycles summarised per rule and state, keys
//! that move between rules and states, Enter listing a state's users in the Users view, and
//! the Details pane showing a user's lifecycle. Reducer tables, then snapshots.

#[path = "support/console.rs"]
mod console;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use console::{press, shown_names, state};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use seats::config::Config;
use seats::rules::{Row, State};
use seats::tui::action::{Action, Effect};
use seats::tui::rules::{RulesData, state_ix, summarise};
use seats::tui::state::{AppState, View};
use seats::tui::update::update;

fn rules_config() -> Config {
    let text = r#"
[protected]
domains = ["partner.example"]

[[rules]]
name = "idle jira"
query = "product:jira-software idle:90"
action = "remove-product-access"
grace_days = 14
channels = [{ type = "jira-notify", issue = "OPS-12" }]

[[rules]]
name = "idle confluence"
query = "product:confluence idle:60"
action = "remove-product-access"
grace_days = 7
channels = [{ type = "file", path = "/tmp/notices.jsonl" }]
"#;
    match toml::from_str(text) {
        Ok(c) => c,
        Err(e) => panic!("test config: {e}"),
    }
}

fn row(id: &str, name: &str, st: State, now: DateTime<Utc>) -> Row {
    let warned = matches!(st, State::Warned | State::Due | State::Reclaimed);
    Row {
        rule: "idle jira".into(),
        account_id: id.into(),
        cycle: 1,
        state: st,
        name: Some(name.into()),
        email: None,
        last_active: None,
        since: now - Duration::days(2),
        warned_at: warned.then(|| now - Duration::days(2)),
        channel: warned.then(|| "jira-notify:OPS-12".into()),
        reference: None,
        deadline: warned.then(|| now + Duration::days(12)),
        batch_id: (st == State::Reclaimed).then_some(7),
        evidence: (st == State::Kept).then(|| "used Jira on 2026-05-01".into()),
        closed_at: None,
    }
}

/// The fixture's users (acc-000 Ada, acc-001 Alan, acc-002 Grace, acc-003 Linus) in the
/// first rule: Alan and Linus in grace (deadlines 3 and 5 days on), Grace a candidate, Ada
/// kept, Margaret (acc-004) reclaimed by batch 7. The second rule has seen nobody.
fn lifecycles(now: DateTime<Utc>) -> RulesData {
    let mut alan = row("acc-001", "Alan Turing", State::Warned, now);
    alan.deadline = Some(now + Duration::days(3));
    let mut linus = row("acc-003", "Linus Torvalds", State::Warned, now);
    linus.deadline = Some(now + Duration::days(5));
    let jira: HashMap<String, Row> = [
        alan,
        linus,
        row("acc-002", "Grace Hopper", State::Candidate, now),
        row("acc-000", "Ada Lovelace", State::Kept, now),
        row("acc-004", "Margaret Hamilton", State::Reclaimed, now),
    ]
    .into_iter()
    .map(|r| (r.account_id.clone(), r))
    .collect();
    let last = Some(now - Duration::hours(5));
    summarise(
        &rules_config().rules,
        vec![(jira, last), (HashMap::new(), None)],
    )
}

/// The fixture console with the rules configured and their lifecycles loaded.
fn with_rules(size: (u16, u16)) -> AppState {
    let mut s = state(size, true);
    s.config = rules_config();
    let data = lifecycles(s.now);
    update(&mut s, Action::RulesLoaded(Ok(Arc::new(data))));
    s
}

#[test]
fn summary_counts_members_and_deadlines() {
    let now = Utc::now();
    let d = lifecycles(now);
    assert_eq!(d.rules.len(), 2);
    let jira = &d.rules[0];
    assert_eq!(jira.name, "idle jira");
    assert_eq!(jira.count(State::Warned), 2);
    assert_eq!(jira.count(State::Candidate), 1);
    assert_eq!(jira.count(State::Kept), 1);
    assert_eq!(jira.count(State::Due), 0);
    // Members sorted by name; the timeline soonest first, one entry per day.
    assert_eq!(
        jira.members[state_ix(State::Warned)],
        ["acc-001", "acc-003"]
    );
    let days: Vec<_> = jira.deadlines.iter().map(|(d, n)| (*d, *n)).collect();
    assert_eq!(
        days,
        [
            ((now + Duration::days(3)).date_naive(), 1),
            ((now + Duration::days(5)).date_naive(), 1)
        ]
    );
    assert_eq!(jira.last_run, Some(now - Duration::hours(5)));
    assert_eq!(d.rules[1].counts.iter().sum::<usize>(), 0);
    assert_eq!(d.rules[1].last_run, None);
    // Each user's lifecycle, for Details.
    let alan = &d.by_account["acc-001"];
    assert_eq!(alan.len(), 1);
    assert_eq!(alan[0].state, State::Warned);
    assert_eq!(alan[0].channel.as_deref(), Some("jira-notify:OPS-12"));
    assert_eq!(jira.count(State::Reclaimed), 1);
    assert_eq!(d.by_account["acc-004"][0].batch_id, Some(7));
    assert!(!d.by_account.contains_key("acc-005"));
}

#[test]
fn showing_the_view_loads_the_lifecycles() {
    // (keys, view afterwards, whether LoadRules was asked for)
    let cases: &[(&str, View, bool)] = &[
        ("6", View::Rules, true),
        ("\t\t\t\t\t", View::Rules, true),
        ("\t\t\t\t\t\t", View::Users, true),
        ("\t", View::Groups, false),
        ("5", View::History, false),
        ("6\x1b", View::Users, true),
    ];
    for (keys, view, loads) in cases {
        let mut s = with_rules((80, 24));
        let effects = press(&mut s, keys);
        assert_eq!(s.view, *view, "keys {keys:?}");
        let asked = effects.iter().any(|e| matches!(e, Effect::LoadRules));
        assert_eq!(asked, *loads, "keys {keys:?}: {effects:?}");
    }
}

#[test]
fn keys_choose_the_rule_and_the_state() {
    let warned = state_ix(State::Warned);
    let last = State::ALL.len() - 1;
    // (keys in the Rules view, rule under the cursor, state chosen)
    let cases: &[(&str, usize, usize)] = &[
        ("", 0, 0),
        ("l", 0, warned),
        ("ll", 0, 2),
        ("h", 0, last),
        ("lh", 0, 0),
        ("j", 1, 0),
        ("jj", 1, 0),
        ("jk", 0, 0),
        ("G", 1, 0),
        ("\u{1b}6l", 0, warned),
    ];
    for (keys, rule, st) in cases {
        let mut s = with_rules((80, 24));
        press(&mut s, "6");
        press(&mut s, keys);
        assert_eq!(s.rules.list.cursor, *rule, "keys {keys:?}");
        assert_eq!(s.rules.state, *st, "keys {keys:?}");
    }
}

#[test]
fn enter_lists_the_users_of_a_state() {
    // (keys from the Rules view, names listed in the Users view)
    let cases: &[(&str, &[&str])] = &[
        ("l\n", &["Alan Turing", "Linus Torvalds"]),
        ("\n", &["Grace Hopper"]),
        ("llll\n", &["Ada Lovelace"]),
    ];
    for (keys, names) in cases {
        let mut s = with_rules((80, 24));
        press(&mut s, "6");
        press(&mut s, keys);
        assert_eq!(s.view, View::Users, "keys {keys:?}");
        assert_eq!(shown_names(&s), *names, "keys {keys:?}");
        assert!(
            s.users.only.is_some(),
            "keys {keys:?}: the list is labelled"
        );
    }
    let mut s = with_rules((80, 24));
    press(&mut s, "6l\n");
    let label = s.users.only.as_ref().map(|o| o.label.clone());
    assert_eq!(label.as_deref(), Some("rule idle jira: in grace"));
    // A query narrows the rule's list further; it never widens it.
    press(&mut s, "/linus\n");
    assert_eq!(shown_names(&s), ["Linus Torvalds"]);
    press(&mut s, "/\x08\x08\x08\x08\x08product:jira-software\n");
    assert_eq!(shown_names(&s), ["Alan Turing", "Linus Torvalds"]);
    // Esc leaves the rule's list first, then clears the query.
    press(&mut s, "\x1b");
    assert!(s.users.only.is_none());
    assert_eq!(s.users.query, "product:jira-software");
    assert!(shown_names(&s).len() > 2);
}

#[test]
fn enter_on_an_empty_state_or_no_data_stays() {
    let mut s = with_rules((80, 24));
    // The second rule has seen nobody.
    press(&mut s, "6j\n");
    assert_eq!(s.view, View::Rules);
    assert!(s.users.only.is_none());
    let flash = s.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.contains("nobody is candidate"), "{flash}");

    let mut s = state((80, 24), true);
    s.config = rules_config();
    press(&mut s, "6\n");
    assert_eq!(s.view, View::Rules, "nothing loaded yet");
    assert!(s.users.only.is_none());
}

#[test]
fn a_failed_read_is_said() {
    let mut s = state((80, 24), true);
    s.config = rules_config();
    update(
        &mut s,
        Action::RulesLoaded(Err("database is locked".into())),
    );
    assert_eq!(s.rules.error.as_deref(), Some("database is locked"));
    assert!(s.rules.data.is_none());
    let flash = s.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.contains("database is locked"), "{flash}");
    let screen = render(&mut s, "6");
    assert!(screen.contains("The rules could not be read: database is locked"));
}

#[test]
fn start_reads_the_lifecycles_only_with_rules() {
    let mut s = state((80, 24), true);
    let effects = seats::tui::update::start(&mut s, false);
    assert!(!effects.iter().any(|e| matches!(e, Effect::LoadRules)));
    s.config = rules_config();
    let effects = seats::tui::update::start(&mut s, false);
    assert!(effects.iter().any(|e| matches!(e, Effect::LoadRules)));
}

#[test]
fn the_rule_list_survives_new_data() {
    let mut s = with_rules((80, 24));
    press(&mut s, "6l\n");
    let config = s.config.clone();
    let loaded = seats::tui::loaded::Loaded::new(
        Arc::new(console::directory()),
        seats::tui::loaded::Origin::Live,
        &config,
    );
    let effects = update(&mut s, Action::Fetched(Ok(loaded)));
    console::answer(&mut s, effects);
    assert_eq!(shown_names(&s), ["Alan Turing", "Linus Torvalds"]);
}

fn render(s: &mut AppState, keys: &str) -> String {
    press(s, keys);
    let (w, h) = s.size;
    let mut terminal = match Terminal::new(TestBackend::new(w, h)) {
        Ok(t) => t,
        Err(e) => panic!("test terminal: {e}"),
    };
    if let Err(e) = terminal.draw(|f| seats::tui::ui::draw(s, f)) {
        panic!("draw: {e}");
    }
    terminal.backend().to_string()
}

#[test]
fn screens() {
    let screens: &[(&str, &str)] = &[
        ("rules_view", "6l"),
        ("rules_view_second_rule", "6j"),
        ("rules_users_in_grace", "6l\n"),
        ("details_lifecycle", "6l\n\n"),
    ];
    for (name, keys) in screens {
        for size in [(80, 24), (160, 48)] {
            let mut s = with_rules(size);
            let text = render(&mut s, keys);
            insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), text);
        }
    }
}

#[test]
fn the_chosen_state_stands_out() {
    let mut s = with_rules((160, 48));
    press(&mut s, "6l");
    let (w, h) = s.size;
    let mut terminal = match Terminal::new(TestBackend::new(w, h)) {
        Ok(t) => t,
        Err(e) => panic!("test terminal: {e}"),
    };
    if let Err(e) = terminal.draw(|f| seats::tui::ui::draw(&s, f)) {
        panic!("draw: {e}");
    }
    let buf = terminal.backend().buffer().clone();
    // Find " in grace 2 " and check it is drawn reversed (the theme's selection).
    let text = terminal.backend().to_string();
    let Some((y, line)) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(" in grace 2 "))
    else {
        panic!("no state line:\n{text}");
    };
    let x = line
        .find(" in grace 2 ")
        .map(|b| line[..b].chars().count())
        .unwrap_or(0) as u16
        + 1;
    let cell = &buf[(x, y as u16)];
    let candidate_x = line
        .find(" candidate 1 ")
        .map(|b| line[..b].chars().count())
        .unwrap_or(0) as u16
        + 1;
    assert_ne!(
        cell.style(),
        buf[(candidate_x, y as u16)].style(),
        "the chosen state looks different"
    );
}

#[test]
fn give_back_from_details_uses_the_reclaim_batch() {
    // Reclaimed users: Enter on "reclaimed", Enter again for Details, then b.
    let mut s = with_rules((80, 24));
    press(&mut s, "6lll\n\n");
    let effects = press(&mut s, "b");
    match &effects[..] {
        [Effect::WriteGiveBack { batch, who }] => {
            assert_eq!(*batch, 7);
            assert_eq!(who, "acc-004");
        }
        other => panic!("expected a give-back plan, got {other:?}"),
    }
    // A user no reclaim took anything from: said, nothing asked for.
    let mut s = with_rules((80, 24));
    let effects = press(&mut s, "6l\n\nb");
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::WriteGiveBack { .. })),
        "{effects:?}"
    );
    let flash = s.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.contains("no reclaim batch"), "{flash}");
    // b in help does nothing.
    let mut s = with_rules((80, 24));
    assert!(press(&mut s, "?b").is_empty());
}

#[test]
fn give_back_from_history_and_the_command_line() {
    let mut s = with_rules((80, 24));
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
    press(&mut s, "5jb");
    let text = s.input.as_ref().map(|i| i.text.clone());
    assert_eq!(text.as_deref(), Some("give-back 8 "));
    let effects = press(&mut s, "ada@acme.example\n");
    match &effects[..] {
        [Effect::WriteGiveBack { batch, who }] => {
            assert_eq!(*batch, 8);
            assert_eq!(who, "ada@acme.example");
        }
        other => panic!("expected a give-back plan, got {other:?}"),
    }
    // (line, batch and user asked for; None: refused with a message)
    let cases: &[(&str, Option<(i64, &str)>)] = &[
        (":give-back 12 acc-001\n", Some((12, "acc-001"))),
        (
            ":give-back  3   ada@acme.example \n",
            Some((3, "ada@acme.example")),
        ),
        (":give-back 12\n", None),
        (":give-back ada@acme.example\n", None),
        (":give-back\n", None),
    ];
    for (keys, want) in cases {
        let mut s = with_rules((80, 24));
        let effects = press(&mut s, keys);
        let got = effects.iter().find_map(|e| match e {
            Effect::WriteGiveBack { batch, who } => Some((*batch, who.clone())),
            _ => None,
        });
        assert_eq!(
            got.as_ref().map(|(b, w)| (*b, w.as_str())),
            *want,
            "keys {keys:?}"
        );
        if want.is_none() {
            let flash = s.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
            assert!(
                flash.contains("give-back BATCH USER: "),
                "keys {keys:?}: {flash}"
            );
        }
    }
}

/// Seats at three snapshots (Jira falling as batches reclaim) and savings in two months.
fn savings() -> seats::tui::rules::SavingsView {
    let seats: Vec<(String, String, u64)> = [
        ("2026-10-01T00:00:00Z", "jira-software", 120),
        ("2026-10-01T00:00:00Z", "confluence", 80),
        ("2026-11-01T00:00:00Z", "jira-software", 104),
        ("2026-11-01T00:00:00Z", "confluence", 80),
        ("2026-12-01T00:00:00Z", "jira-software", 95),
        ("2026-12-01T00:00:00Z", "confluence", 78),
    ]
    .into_iter()
    .map(|(a, p, n)| (a.to_owned(), p.to_owned(), n))
    .collect();
    let mut months = std::collections::BTreeMap::new();
    months.insert(
        "2026-10".to_owned(),
        seats::rules::savings::Month {
            batches: 1,
            seats_freed: 16.0,
            monthly_saving: 139.2,
        },
    );
    months.insert(
        "2026-11".to_owned(),
        seats::rules::savings::Month {
            batches: 2,
            seats_freed: 11.0,
            monthly_saving: 95.7,
        },
    );
    seats::tui::rules::savings_view(&seats, &months, "USD")
}

#[test]
fn savings_are_shaped_per_product_and_month() {
    let v = savings();
    assert_eq!(
        v.seats,
        [
            ("confluence".to_owned(), vec![80, 80, 78]),
            ("jira-software".to_owned(), vec![120, 104, 95])
        ]
    );
    assert_eq!(
        v.months,
        [("2026-10".to_owned(), 139), ("2026-11".to_owned(), 96)]
    );
    assert!(!v.is_empty());
    assert!(seats::tui::rules::savings_view(&[], &Default::default(), "USD").is_empty());
}

#[test]
fn the_activity_view_reads_the_savings() {
    // (keys, whether the savings are asked for)
    let cases: &[(&str, bool)] = &[("3", true), ("\t\t", true), ("\t", false), ("2", false)];
    for (keys, asked) in cases {
        let mut s = state((80, 24), true);
        let effects = press(&mut s, keys);
        let got = effects.iter().any(|e| matches!(e, Effect::LoadSavings));
        assert_eq!(got, *asked, "keys {keys:?}: {effects:?}");
    }
    let mut s = state((80, 24), true);
    update(
        &mut s,
        Action::SavingsLoaded(Err("database is locked".into())),
    );
    assert!(s.savings.is_none());
    let flash = s.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(
        flash.contains("savings history could not be read"),
        "{flash}"
    );
}

#[test]
fn activity_chart_screens() {
    for size in [(80, 24), (160, 48)] {
        let mut s = state(size, true);
        update(&mut s, Action::SavingsLoaded(Ok(Arc::new(savings()))));
        let text = render(&mut s, "3");
        assert!(text.contains("Seats used over time"), "{text}");
        assert!(text.contains("Saved per month (USD)"), "{text}");
        insta::assert_snapshot!(format!("activity_chart_{}x{}", size.0, size.1), text);
    }
    // Without history the view is as before: no chart.
    let mut s = state((80, 24), true);
    update(
        &mut s,
        Action::SavingsLoaded(Ok(Arc::new(Default::default()))),
    );
    let text = render(&mut s, "3");
    assert!(!text.contains("Seats used over time"), "{text}");
}

#[test]
fn the_granting_groups_come_before_the_savings_chart_on_short_terminals() {
    // Jira Software, preset ≥90 days: two granting groups.
    let keys = "3jllllllll";
    let groups = ["jira-software-users      3", "eng-platform             1"];
    // 80x24: the chart shrinks so both groups keep their lines.
    let mut s = state((80, 24), true);
    update(&mut s, Action::SavingsLoaded(Ok(Arc::new(savings()))));
    let text = render(&mut s, keys);
    assert!(text.contains("Seats used over time"), "{text}");
    for g in groups {
        assert!(text.contains(g), "{g}: {text}");
    }
    assert!(!text.contains("more: press Enter"), "{text}");
    // 80x20: no room for both, the chart goes and the groups stay.
    let mut s = state((80, 20), true);
    update(&mut s, Action::SavingsLoaded(Ok(Arc::new(savings()))));
    let text = render(&mut s, keys);
    assert!(!text.contains("Seats used over time"), "{text}");
    for g in groups {
        assert!(text.contains(g), "{g}: {text}");
    }
}

#[test]
fn lifecycles_are_read_from_the_database() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("temp dir: {e}"),
    };
    let path = dir.path().join("seats.db");
    let config = rules_config();
    let now = console::fetched_at();
    let actor = seats::rules::Actor {
        operator: "ken@acme.example".into(),
        profile: None,
        org_id: "org-1".into(),
        dry_run: false,
    };
    {
        let mut store = match seats::rules::RulesStore::open(&path) {
            Ok(s) => s,
            Err(e) => panic!("store: {e}"),
        };
        // Alan warned, then (a later cycle row of the same user) reclaimed by batch 7; Grace
        // a candidate, written a day later: the last run is the newest write.
        let alan = row("acc-001", "Alan Turing", State::Warned, now);
        let grace = row("acc-002", "Grace Hopper", State::Candidate, now);
        let mut gone = row("acc-001", "Alan Turing", State::Reclaimed, now);
        gone.cycle = 2;
        for (r, at) in [
            (&alan, now),
            (&gone, now + Duration::days(14)),
            (&grace, now + Duration::days(15)),
        ] {
            if let Err(e) = store.transition(r, "rule_test", "test", &actor, at) {
                panic!("transition: {e}");
            }
        }
    }
    let data = match seats::tui::rules::read(&path, &config.rules) {
        Ok(d) => d,
        Err(e) => panic!("read: {e}"),
    };
    let jira = &data.rules[0];
    // The newest cycle only: Alan counts once, as reclaimed.
    assert_eq!(jira.count(State::Reclaimed), 1);
    assert_eq!(jira.count(State::Warned), 0);
    assert_eq!(jira.count(State::Candidate), 1);
    assert_eq!(jira.last_run, Some(now + Duration::days(15)));
    assert_eq!(data.by_account["acc-001"][0].batch_id, Some(7));
    assert_eq!(data.rules[1].last_run, None);
}
