//! The Rules view: each rule with its last run and what the next run does, the users per
//! state of the rule under the cursor (h/l choose one, Enter lists them), and a timeline of the
//! deadlines of the users in grace. Reads the summary made off the UI thread.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use crate::rules::State;
use crate::tui::format::thousands;
use crate::tui::rules::{RuleSummary, state_word};
use crate::tui::state::{AppState, Level};

/// Widest bar of the timeline, in cells.
const BAR: usize = 30;

pub fn draw(state: &AppState, frame: &mut Frame, area: Rect) {
    let t = state.theme;
    let Some(data) = &state.rules.data else {
        let text = match &state.rules.error {
            Some(e) => Span::styled(
                format!("The rules could not be read: {e}"),
                t.level(Level::Error),
            ),
            None if state.config.rules.is_empty() => Span::styled(
                "No rules: add [[rules]] to config.toml (see seats rules --help).",
                t.dim(),
            ),
            None => Span::styled("Reading the rules' lifecycles…", t.dim()),
        };
        frame.render_widget(Paragraph::new(Line::from(text)), area);
        return;
    };
    if data.rules.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "No rules: add [[rules]] to config.toml (see seats rules --help).",
                t.dim(),
            )),
            area,
        );
        return;
    }
    // The rules table takes what it needs, up to a third of the view.
    let table_h = (data.rules.len() as u16 + 1).min((area.height / 3).max(2));
    let visible = table_h.saturating_sub(1) as usize;
    let list = &state.rules.list;
    // The action column when there is room for it (the query line below names the rule).
    let wide = area.width >= 110;
    let offset = list
        .offset
        .min(data.rules.len().saturating_sub(visible.max(1)));
    let rows: Vec<Row> = data
        .rules
        .iter()
        .enumerate()
        .skip(offset)
        .take(visible)
        .map(|(i, r)| {
            let mut cells = vec![Cell::from(r.name.clone())];
            if wide {
                cells.push(Cell::from(r.action));
            }
            cells.extend([
                Cell::from(format!("{} d", r.grace_days)),
                Cell::from(
                    r.last_run
                        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_else(|| "never".into()),
                ),
                Cell::from(next_run(r)),
            ]);
            let row = Row::new(cells);
            if i == list.cursor {
                row.style(t.selected())
            } else {
                row
            }
        })
        .collect();
    let mut widths = vec![Constraint::Fill(1)];
    let mut header = vec!["Rule"];
    if wide {
        widths.push(Constraint::Length(21));
        header.push("Action");
    }
    widths.extend([
        Constraint::Length(6),
        Constraint::Length(16),
        Constraint::Length(28),
    ]);
    header.extend(["Grace", "Last run", "Next run"]);
    frame.render_widget(
        Table::new(rows, widths).header(Row::new(header).style(t.header())),
        Rect::new(area.x, area.y, area.width, table_h),
    );
    let Some(rule) = data.rules.get(list.cursor) else {
        return;
    };
    let rest = Rect::new(
        area.x,
        area.y + table_h,
        area.width,
        area.height.saturating_sub(table_h),
    );
    let mut lines = vec![
        Line::from(""),
        Line::from(vec![
            Span::styled(format!("{}  ", rule.name), t.title()),
            Span::styled(rule.query.clone(), t.dim()),
        ]),
        Line::from(Span::styled(
            "h/l choose a state, Enter lists its users",
            t.dim(),
        )),
        Line::from(""),
    ];
    lines.splice(2..2, states_lines(state, rule, area.width as usize));
    lines.push(Line::from(Span::styled(
        "Deadlines of the users in grace",
        t.header(),
    )));
    let room = (rest.height as usize).saturating_sub(lines.len());
    lines.extend(timeline(state, rule, room));
    frame.render_widget(Paragraph::new(lines), rest);
}

/// "warns 3 · reclaims 2": what the next `seats rules run` does, from the states.
fn next_run(r: &RuleSummary) -> String {
    let warn = r.count(State::Candidate);
    let due = r.count(State::Due);
    if warn == 0 && due == 0 {
        return match r.next_deadline() {
            Some(d) => format!("nothing until {d}"),
            None => "nothing to do".into(),
        };
    }
    format!("warns {} · reclaims {}", thousands(warn), thousands(due))
}

/// Every state with its count; the chosen one stands out. On two lines when one is too narrow.
fn states_lines<'a>(state: &AppState, rule: &RuleSummary, width: usize) -> Vec<Line<'a>> {
    let t = state.theme;
    let mut lines = Vec::new();
    let mut spans = Vec::new();
    let mut used = 0;
    for (i, st) in State::ALL.iter().enumerate() {
        let text = format!(" {} {} ", state_word(*st), thousands(rule.counts[i]));
        let style = if i == state.rules.state {
            t.selected()
        } else if rule.counts[i] == 0 {
            t.dim()
        } else {
            ratatui::style::Style::default()
        };
        let len = text.chars().count() + 1;
        if used + len > width && !spans.is_empty() {
            lines.push(Line::from(std::mem::take(&mut spans)));
            used = 0;
        }
        used += len;
        spans.push(Span::styled(text, style));
        spans.push(Span::raw(" "));
    }
    lines.push(Line::from(spans));
    lines
}

/// One line per day with deadlines, soonest first, as many as fit.
fn timeline<'a>(state: &AppState, rule: &RuleSummary, room: usize) -> Vec<Line<'a>> {
    let t = state.theme;
    if rule.deadlines.is_empty() {
        return vec![Line::from(Span::styled("  nobody is in grace", t.dim()))];
    }
    let most = rule
        .deadlines
        .iter()
        .map(|(_, n)| *n)
        .max()
        .unwrap_or(1)
        .max(1);
    let today = state.now.date_naive();
    let more = rule.deadlines.len().saturating_sub(room);
    let shown = if more > 0 {
        room.saturating_sub(1)
    } else {
        room
    };
    let mut lines: Vec<Line> = rule
        .deadlines
        .iter()
        .take(shown)
        .map(|(day, n)| {
            let days = (*day - today).num_days();
            let when = match days {
                d if d < 0 => "passed".to_string(),
                0 => "today".into(),
                1 => "tomorrow".into(),
                d => format!("in {d} days"),
            };
            let len = (n * BAR).div_ceil(most).max(1);
            Line::from(vec![
                Span::raw(format!("  {day}  {when:<12} ")),
                Span::styled("█".repeat(len), t.title()),
                Span::raw(format!(" {}", thousands(*n))),
            ])
        })
        .collect();
    if more > 0 && room > 0 {
        let rest = rule.deadlines.len() - shown;
        lines.push(Line::from(Span::styled(
            format!("  … {rest} more days"),
            t.dim(),
        )));
    }
    lines
}
