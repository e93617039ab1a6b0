//! A small, hand-made org for the console tests: every marker, status and grant path once,
//! with fixed dates so screens are the same on every run. Include it with
//! `#[path = "support/console.rs"] mod console;`.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use seats::config::Config;
use seats::domain::{
    AccountType, Directory, Group, GroupRef, Product, ProductAccess, Protection, Seats,
    SeatsSource, User, UserStatus,
};
use seats::filter::FilterResult;
use seats::tui::action::{Action, Effect};
use seats::tui::loaded::{Loaded, Origin};
use seats::tui::state::{AppState, SessionInfo, Theme};
use seats::tui::update::update;

pub fn fetched_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

fn group(id: &str, name: &str, grants: &[&str], synced: bool, members: u64) -> Group {
    Group {
        id: id.into(),
        name: name.into(),
        synced,
        grants: grants.iter().map(|s| s.to_string()).collect(),
        member_count: Some(members),
    }
}

struct U<'a> {
    name: &'a str,
    email: &'a str,
    status: UserStatus,
    kind: AccountType,
    groups: &'a [&'a str],
    /// (product, days since last active; None = never)
    access: &'a [(&'a str, Option<i64>)],
    synced: bool,
    org_admin: bool,
}

fn user(i: usize, u: U) -> User {
    let groups = u
        .groups
        .iter()
        .map(|g| GroupRef {
            id: format!("g-{g}").into(),
            name: (*g).into(),
        })
        .collect();
    User {
        account_id: format!("acc-{i:03}"),
        name: u.name.into(),
        email: Some(u.email.into()),
        account_type: u.kind,
        status: u.status,
        groups,
        product_access: u
            .access
            .iter()
            .map(|(p, d)| ProductAccess {
                product: (*p).into(),
                last_active: d.map(|d| fetched_at() - Duration::days(d)),
                resource: Some(format!("ari:cloud:{p}::site/cloud-1").into()),
            })
            .collect(),
        managed: u.email.ends_with("@acme.example"),
        synced: u.synced,
        org_admin: u.org_admin,
        site_admin: false,
    }
}

pub const JSW: &str = "jira-software";
pub const CONF: &str = "confluence";

pub fn directory() -> Directory {
    use AccountType::{App, Atlassian};
    use UserStatus::{Active, NotInvited, Suspended};
    let jsw = "jira-software-users";
    let conf = "confluence-users";
    let okta = "okta-all-employees";
    let people = [
        U {
            name: "Ada Lovelace",
            email: "ada@acme.example",
            status: Active,
            kind: Atlassian,
            groups: &[jsw, conf],
            access: &[(JSW, Some(3)), (CONF, Some(120))],
            synced: false,
            org_admin: true,
        },
        U {
            name: "Alan Turing",
            email: "alan@acme.example",
            status: Active,
            kind: Atlassian,
            groups: &[jsw, "eng-platform"],
            access: &[(JSW, Some(95))],
            synced: false,
            org_admin: false,
        },
        U {
            name: "Grace Hopper",
            email: "grace@acme.example",
            status: Active,
            kind: Atlassian,
            groups: &[jsw, okta],
            access: &[(JSW, None), (CONF, Some(10))],
            synced: true,
            org_admin: false,
        },
        U {
            name: "Linus Torvalds",
            email: "linus@contractors.example",
            status: Active,
            kind: Atlassian,
            groups: &[jsw],
            access: &[(JSW, Some(200))],
            synced: false,
            org_admin: false,
        },
        U {
            name: "Margaret Hamilton",
            email: "margaret@acme.example",
            status: Suspended,
            kind: Atlassian,
            groups: &[conf],
            access: &[(CONF, Some(400))],
            synced: false,
            org_admin: false,
        },
        U {
            name: "Dennis Ritchie",
            email: "dennis@acme.example",
            status: NotInvited,
            kind: Atlassian,
            groups: &[conf],
            access: &[(CONF, None)],
            synced: false,
            org_admin: false,
        },
        U {
            name: "Build Bot",
            email: "bot@acme.example",
            status: Active,
            kind: App,
            groups: &[jsw],
            access: &[(JSW, None)],
            synced: false,
            org_admin: false,
        },
        U {
            name: "Barbara Liskov",
            email: "barbara@acme.example",
            status: Active,
            kind: Atlassian,
            groups: &["eng-platform"],
            access: &[(JSW, Some(45)), (CONF, Some(61))],
            synced: false,
            org_admin: false,
        },
        U {
            name: "Ken Thompson",
            email: "ken@acme.example",
            status: Active,
            kind: Atlassian,
            groups: &[jsw, conf, "eng-platform"],
            access: &[(JSW, Some(0)), (CONF, Some(33))],
            synced: false,
            org_admin: false,
        },
        U {
            name: "Radia Perlman",
            email: "radia@partner.example",
            status: Active,
            kind: Atlassian,
            groups: &[conf],
            access: &[(CONF, Some(170))],
            synced: false,
            org_admin: false,
        },
    ];
    let users = people
        .into_iter()
        .enumerate()
        .map(|(i, u)| user(i, u))
        .collect();
    Directory {
        org_id: "org-1".into(),
        fetched_at: fetched_at(),
        users,
        groups: vec![
            group("g-jira-software-users", jsw, &[JSW], false, 7),
            group("g-confluence-users", conf, &[CONF], false, 5),
            group("g-okta-all-employees", okta, &[CONF], true, 1),
            group("g-eng-platform", "eng-platform", &[JSW], false, 3),
        ],
        seats: vec![
            Seats::new(
                Product::new(JSW),
                Some(10),
                7,
                SeatsSource::JiraApplicationRole,
            ),
            Seats::new(Product::new(CONF), Some(8), 6, SeatsSource::Workspace),
        ],
    }
}

pub fn config() -> Config {
    let mut c = Config::default();
    c.protected.domains = vec!["partner.example".into()];
    c
}

/// A console state with the fixture loaded and every user shown in directory order.
pub fn state(size: (u16, u16), online: bool) -> AppState {
    let config = config();
    let protection = Protection::new(&config.protected, &["ken@acme.example"]);
    let mut s = AppState::new(
        SessionInfo {
            label: "test org".into(),
            org_id: "org-1".into(),
            profile: None,
            myself: vec!["ken@acme.example".into()],
            online,
            dry_run: false,
        },
        config.clone(),
        protection,
        fetched_at() + Duration::hours(2),
        size,
        Theme { color: false },
    );
    let loaded = Loaded::new(Arc::new(directory()), Origin::Snapshot, &config);
    let effects = update(
        &mut s,
        Action::SnapshotLoaded {
            loaded: Some(loaded),
            notice: None,
        },
    );
    answer(&mut s, effects);
    s
}

/// Runs filter effects synchronously, as the worker would, and feeds the results back.
pub fn answer(state: &mut AppState, effects: Vec<Effect>) -> Vec<Effect> {
    let mut done = Vec::new();
    // Effects of the answers are answered too (a filter's rows ask for a breakdown).
    let mut todo: std::collections::VecDeque<Effect> = effects.into();
    while let Some(e) = todo.pop_front() {
        let mut rest = Vec::new();
        match e {
            Effect::Filter(req) => {
                let result = match seats::filter::select(&req.directory, &req.query, &req.sort) {
                    Ok(rows) => FilterResult {
                        generation: req.generation,
                        rows: Arc::new(rows),
                        error: None,
                        took: std::time::Duration::ZERO,
                        provisional: false,
                    },
                    Err(e) => FilterResult {
                        generation: req.generation,
                        rows: Arc::new(vec![]),
                        error: Some(e),
                        took: std::time::Duration::ZERO,
                        provisional: false,
                    },
                };
                let set = Arc::new(seats::tui::marks::RowSet::from_rows(&result.rows));
                rest.extend(update(state, Action::Filtered(result, set)));
            }
            Effect::BuildPlan {
                generation,
                directory,
                queue,
                context,
            } => {
                let plan = seats::plan::build_plan(&directory, &queue, &context);
                let view = Ok(seats::tui::plan_view::view(plan));
                rest.extend(update(state, Action::Planned { generation, view }));
            }
            // Which groups grant the selection's product: counted as the io task would.
            Effect::Breakdown(req) => {
                let b = seats::tui::breakdown::compute(&req);
                rest.extend(update(state, Action::Breakdown(Arc::new(b))));
            }
            // The Queue view's order, as the task makes it.
            Effect::SortQueue {
                generation,
                queue,
                plan,
                directory,
                sort,
                filter,
            } => {
                let rows = seats::tui::queue_view::rows(
                    &queue,
                    plan.as_deref(),
                    directory.as_deref(),
                    sort,
                    filter,
                );
                let rows = Arc::new(rows);
                rest.extend(update(state, Action::QueueRows { generation, rows }));
            }
            other => {
                done.push(other);
                continue;
            }
        }
        todo.extend(rest);
    }
    done
}

pub fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Presses keys in order, answering filters at once; returns the effects left over.
pub fn press(state: &mut AppState, keys: &str) -> Vec<Effect> {
    let mut left = Vec::new();
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\x1b' => KeyCode::Esc,
            '\t' => KeyCode::Tab,
            '\x08' => KeyCode::Backspace,
            c => KeyCode::Char(c),
        };
        let effects = update(state, key(code));
        left.extend(answer(state, effects));
    }
    left
}

/// The name of the user under the cursor.
pub fn current_name(state: &AppState) -> Option<String> {
    let data = state.data.as_ref()?;
    let ix = state.current_user()?;
    data.dir.users.get(ix as usize).map(|u| u.name.clone())
}

pub fn shown_names(state: &AppState) -> Vec<String> {
    let Some(data) = state.data.as_ref() else {
        return vec![];
    };
    state
        .users
        .rows
        .iter()
        .map(|&i| data.dir.users[i as usize].name.clone())
        .collect()
}

/// Picks the open menu's item whose label starts with `label`: a named step, so adding a menu
/// item moves no test's choice.
pub fn choose(state: &mut AppState, label: &str) -> Vec<Effect> {
    let Some(seats::tui::state::Overlay::Menu(menu)) = &state.overlay else {
        panic!("no menu open to choose {label:?} from");
    };
    let Some(at) = menu.items.iter().position(|i| i.label.starts_with(label)) else {
        let labels: Vec<_> = menu.items.iter().map(|i| i.label.as_str()).collect();
        panic!("no item {label:?} in the menu: {labels:?}");
    };
    let moves = at as isize - menu.cursor as isize;
    let step = if moves < 0 { "k" } else { "j" };
    press(state, &format!("{}\n", step.repeat(moves.unsigned_abs())))
}

/// Keys as `press` takes them, with `{label}` for a menu choice (`choose`):
/// `"j j a{suspend}4"`.
pub fn play(state: &mut AppState, script: &str) -> Vec<Effect> {
    let mut left = Vec::new();
    let mut rest = script;
    while let Some(open) = rest.find('{') {
        left.extend(press(state, &rest[..open]));
        let Some(close) = rest[open..].find('}') else {
            panic!("unclosed {{ in {script:?}");
        };
        left.extend(choose(state, &rest[open + 1..open + close]));
        rest = &rest[open + close + 1..];
    }
    left.extend(press(state, rest));
    left
}

/// The whole screen `state` draws, as text (ratatui's test backend at the state's size).
pub fn screen(state: &AppState) -> String {
    let (w, h) = state.size;
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h))
        .unwrap_or_else(|e| panic!("test terminal: {e}"));
    if let Err(e) = terminal.draw(|f| seats::tui::ui::draw(state, f)) {
        panic!("draw: {e}");
    }
    terminal.backend().to_string()
}
