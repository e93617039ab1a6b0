//! Drawing: a pure function of `AppState`. Only the rows on screen are built.

mod activity;
mod breakdown;
mod command;
mod confirm;
mod details;
mod groups;
mod help;
mod history;
mod items;
mod log;
mod menu;
mod queue;
mod rules;
mod savings;
mod theme;
mod users;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::format::thousands;
use super::keymap;
use super::layout::{self, MIN_HEIGHT, MIN_WIDTH};
use super::loaded::Origin;
use super::state::{AppState, Fetch, Overlay, View};

/// Help's lines under a filter (what `?` shows), for tests that read help as text.
pub use help::lines as help_lines;

pub fn draw(state: &AppState, frame: &mut Frame) {
    let area = frame.area();
    let size = (area.width, area.height);
    if layout::too_small(size) {
        let text = format!(
            "The terminal is {}x{}; seats needs at least {MIN_WIDTH}x{MIN_HEIGHT}. Make the window larger (q quits).",
            area.width, area.height
        );
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .alignment(Alignment::Center),
            area,
        );
        return;
    }
    let areas = layout::areas(size);
    title(state, frame, areas.title);
    match state.view {
        View::Users => users::draw(state, frame, areas.body),
        View::Groups => groups::draw(state, frame, areas.body),
        View::Activity => activity::draw(state, frame, areas.body),
        View::Queue => queue::draw(state, frame, areas.body),
        View::History => history::draw(state, frame, areas.body),
        View::Rules => rules::draw(state, frame, areas.body),
    }
    query_line(state, frame, areas.query);
    status_line(state, frame, areas.status);
    match &state.overlay {
        Some(Overlay::Help { scroll, filter }) => {
            help::draw(state, frame, areas.body, *scroll, filter)
        }
        Some(Overlay::Details { user, scroll }) => {
            details::draw(state, frame, areas.body, *user, *scroll)
        }
        Some(Overlay::Menu(m)) => menu::draw(state, frame, areas.body, m),
        Some(Overlay::Log { back }) => log::draw(state, frame, areas.body, *back),
        Some(Overlay::Confirm(c)) => confirm::draw(state, frame, areas.body, c),
        Some(Overlay::QuitConfirm) => confirm::draw_quit(state, frame, areas.body),
        Some(Overlay::AskQueueEdit { text, .. }) => {
            confirm::draw_ask(state, frame, areas.body, text)
        }
        None => {}
    }
    command::draw(state, frame, areas.body);
}

fn title(state: &AppState, frame: &mut Frame, area: Rect) {
    let t = state.theme;
    // The tabs sit where `layout::tabs` says, so a click on one finds it; the left part gets
    // what they leave, less a space between.
    let tabs = layout::tabs((area.width, 1));
    let tabs_at = tabs.first().map_or(area.width, |(_, x, _)| *x);
    let left = title_left(state, area.width, tabs_at.saturating_sub(1) as usize);
    frame.render_widget(Paragraph::new(Line::from(left)), area);
    let mut spans: Vec<Span> = Vec::new();
    let mut x = tabs_at;
    for (v, at, label) in tabs {
        if at > x {
            spans.push(Span::raw(" ".repeat((at - x) as usize)));
        }
        x = at + label.chars().count() as u16;
        spans.push(Span::styled(label, t.tab(v == state.view)));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)),
        Rect::new(area.x + tabs_at, area.y, area.width - tabs_at, area.height),
    );
}

/// The title's left part in `budget` columns, by priority: the view's name (when the tabs are
/// digits only), the session's state (DRY RUN, offline), the org's label (shortened by whole
/// words), then " seats ". Nothing is cut mid-word.
fn title_left(state: &AppState, width: u16, budget: usize) -> Vec<Span<'static>> {
    let t = state.theme;
    let len = |s: &str| s.chars().count();
    let view = (width < layout::TABS_COMPACT_FROM)
        .then(|| Span::styled(format!(" {} ", state.view.title()), t.title()));
    let mut badges: Vec<Span<'static>> = Vec::new();
    if state.session.dry_run {
        // Visible before anything starts: nothing this session runs changes the org.
        badges.push(Span::styled(
            " DRY RUN ",
            t.level(super::state::Level::Warn)
                .add_modifier(ratatui::style::Modifier::REVERSED | ratatui::style::Modifier::BOLD),
        ));
    }
    if !state.session.online {
        badges.push(Span::styled("offline", t.dim()));
    }
    let mut used = view.as_ref().map_or(0, |v| len(&v.content));
    let mut kept: Vec<Span<'static>> = Vec::new();
    for b in badges {
        // Each badge and the space before it.
        let w = len(&b.content) + 1;
        if used + w <= budget {
            used += w;
            kept.push(Span::raw(" "));
            kept.push(b);
        }
    }
    let brand = " seats ";
    let room = budget.saturating_sub(used);
    let label = &state.session.label;
    let mut out: Vec<Span<'static>> = view.into_iter().collect();
    if len(brand) + len(label) <= room {
        out.push(Span::styled(brand, t.title()));
        out.push(Span::raw(label.clone()));
    } else if let Some(short) = fit_words(label, room.saturating_sub(1)) {
        out.push(Span::raw(format!(" {short}")));
    }
    out.extend(kept);
    out
}

/// `text` in at most `max` columns: whole, or its first words and "…"; None when not even
/// one word fits.
fn fit_words(text: &str, max: usize) -> Option<String> {
    if text.chars().count() <= max {
        return Some(text.to_owned());
    }
    let mut out = String::new();
    for w in text.split(' ') {
        let next = if out.is_empty() {
            w.to_owned()
        } else {
            format!("{out} {w}")
        };
        if next.chars().count() + 1 > max {
            break;
        }
        out = next;
    }
    (!out.is_empty()).then(|| format!("{out}…"))
}

fn query_line(state: &AppState, frame: &mut Frame, area: Rect) {
    let t = state.theme;
    let line = match (&state.input, &state.users.error) {
        // A rule's list: say whose users these are, and how to leave it.
        (None, None) if state.users.only.is_some() => {
            let label = state.users.only.as_ref().map(|o| o.label.clone());
            let mut spans = vec![
                Span::styled("only ", t.dim()),
                Span::styled(label.unwrap_or_default(), t.title()),
            ];
            if !state.users.query.is_empty() {
                spans.push(Span::styled("  filter: ", t.dim()));
                spans.push(Span::raw(state.users.query.clone()));
            }
            spans.push(Span::styled("   (Esc shows every user)", t.dim()));
            Line::from(spans)
        }
        (Some(input), err) => {
            let command = input.kind == super::state::InputKind::Command;
            let prompt = if command {
                Span::styled(":", t.command())
            } else {
                Span::styled("/", t.key())
            };
            let mut spans = vec![prompt, Span::raw(input.text.clone())];
            if let Some(e) = err.as_ref().filter(|_| !command) {
                spans.push(Span::styled(
                    format!("  ⚠ {e}"),
                    t.level(super::state::Level::Error),
                ));
            }
            Line::from(spans)
        }
        (None, Some(e)) => Line::from(vec![
            Span::styled("query: ", t.dim()),
            Span::raw(state.users.query.clone()),
            Span::styled(format!("  ⚠ {e}"), t.level(super::state::Level::Error)),
        ]),
        (None, None) if !state.users.query.is_empty() => {
            // Users and Groups follow the query; the other views edit it in Users.
            let hint = if matches!(state.view, View::Users | View::Groups) {
                "   (/ edits, Esc clears)"
            } else {
                "   (/ edits it in Users)"
            };
            // A long query is cut with "…" (the hint gives way first when room is short).
            let room = (area.width as usize).saturating_sub("filter: ".len());
            let hint_len = hint.chars().count();
            let (query, hint) = if state.users.query.chars().count() + hint_len <= room {
                (state.users.query.clone(), hint)
            } else if room >= hint_len + 24 {
                (
                    super::format::ellipsis(&state.users.query, room - hint_len),
                    hint,
                )
            } else {
                (super::format::ellipsis(&state.users.query, room), "")
            };
            Line::from(vec![
                Span::styled("filter: ", t.dim()),
                Span::raw(query),
                Span::styled(hint, t.dim()),
            ])
        }
        (None, None) => Line::from(Span::styled(
            "/ search names and emails; facets like product:jira-software idle:90 group:NAME (f for the menu)",
            t.dim(),
        )),
    };
    frame.render_widget(Paragraph::new(line), area);
    if let Some(input) = &state.input {
        let x = area.x + 1 + input.cursor as u16;
        if x < area.x + area.width {
            frame.set_cursor_position((x, area.y));
        }
    }
}

/// "3 h ago", "12 s ago": how old the data is.
pub fn age(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds().max(0);
    match secs {
        0..60 => format!("{secs} s ago"),
        60..3600 => format!("{} min ago", secs / 60),
        3600..86400 => format!("{} h ago", secs / 3600),
        _ => format!("{} days ago", secs / 86400),
    }
}

fn status_line(state: &AppState, frame: &mut Frame, area: Rect) {
    let t = state.theme;
    let mut spans: Vec<Span> = Vec::new();
    let total = state.total_users();
    if state.view == View::Users {
        let pending = if state.users.pending() { "…" } else { "" };
        spans.push(Span::styled(
            format!(
                " {}/{}{pending} ",
                thousands(state.users.rows.len()),
                thousands(total)
            ),
            t.title(),
        ));
        // A message takes the room the sort's words would.
        if let Some(sort) = users::sort_text(state).filter(|_| state.flash.is_none()) {
            spans.push(Span::styled(format!("{sort} "), t.dim()));
        }
    }
    if state.quitting {
        spans.push(Span::styled(
            "stopping the batch for quitting: waiting for the requests in flight ",
            t.level(super::state::Level::Warn),
        ));
    }
    if let Some(b) = state.batch.as_ref().filter(|b| b.running()) {
        spans.push(Span::styled(
            format!("{} (p pause, X cancel) ", history::progress_text(b)),
            t.level(super::state::Level::Warn),
        ));
    }
    if !state.marks.is_empty() {
        let hidden = if state.marks_hidden > 0 {
            format!(" ({} hidden by filter)", thousands(state.marks_hidden))
        } else {
            String::new()
        };
        spans.push(Span::styled(
            format!("{} marked{hidden} ", thousands(state.marks.len())),
            t.key(),
        ));
    }
    match &state.fetch {
        Fetch::Running { fetched, total, .. } => {
            let of = total
                .map(|n| format!("/{}", thousands(n)))
                .unwrap_or_default();
            spans.push(Span::styled(
                format!("fetching {}{of} users ", thousands(*fetched)),
                t.level(super::state::Level::Warn),
            ));
        }
        Fetch::Failed(_) => spans.push(Span::styled(
            "refresh failed (r retries) ",
            t.level(super::state::Level::Error),
        )),
        Fetch::Idle => {}
    }
    // The data's age gives way to a message too (it is back once a key clears the message).
    if let Some(d) = state.data.as_ref().filter(|_| state.flash.is_none()) {
        let what = match d.origin {
            Origin::Snapshot => "snapshot",
            Origin::Partial => "partial",
            Origin::Live => "fetched",
        };
        spans.push(Span::styled(
            format!("{what} {} ", age(d.dir.fetched_at, state.now)),
            t.dim(),
        ));
    }
    if let Some(f) = &state.flash {
        // What is left of the line; a message cut to fit says where to read it whole.
        let used = Line::from(spans.clone()).width();
        let room = (area.width as usize).saturating_sub(used + 1);
        // Without colour the level is said in words.
        let marker = match f.level {
            super::state::Level::Error if !t.color => "error: ",
            super::state::Level::Warn if !t.color => "warning: ",
            _ => "",
        };
        let text = format!("{marker}{}", f.text);
        spans.push(Span::styled(log::fit(&text, room), t.level(f.level)));
    } else {
        // Whole hints only: one cut mid-word ("Enter de") says nothing.
        let mut used = Line::from(spans.clone()).width();
        for (key, help) in keymap::hints(state.view) {
            let need = key.chars().count() + 1 + help.chars().count();
            if used + need > area.width as usize {
                break;
            }
            used += need + 2;
            spans.push(Span::styled(format!("{key} "), t.key()));
            spans.push(Span::raw(format!("{help}  ")));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A centred box over `area` for overlays, cleared first.
pub fn popup(frame: &mut Frame, area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    frame.render_widget(Clear, r);
    r
}

/// Days since last use as the tables write it.
pub fn days(inactivity: Option<crate::domain::Inactivity>) -> String {
    match inactivity {
        None => "-".into(),
        Some(crate::domain::Inactivity::Never) => "never".into(),
        Some(crate::domain::Inactivity::Days(d)) => format!("{d}d"),
    }
}

/// A short column label for a product.
pub fn short_product(key: &str) -> String {
    match key {
        "jira-software" => "JSW".into(),
        "jira-servicedesk" => "JSM".into(),
        "confluence" => "Conf".into(),
        "jira-product-discovery" => "JPD".into(),
        "jira-core" | "jira-work-management" => "JWM".into(),
        other => other.chars().take(6).collect(),
    }
}
