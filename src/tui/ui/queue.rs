//! The Queue view: what is queued, operation by operation, what the plan does with each
//! target, and the effect on seats and cost.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::output::words::plural;
use crate::tui::format::thousands;
use crate::tui::layout::{QUEUE_PANEL, queue_rows};
use crate::tui::queue_view::{QueueFilter, QueueSort};
use crate::tui::state::{AppState, Level, QueueRow};

fn panel(state: &AppState) -> Vec<Line<'static>> {
    let t = state.theme;
    let q = &state.queue;
    let c = q.counts;
    let mut lines = vec![];
    if q.ops.is_empty() {
        lines.push(Line::from(Span::styled(
            "The queue is empty. In the Users view, mark users (Space, V, Ctrl-a) and press a.",
            t.dim(),
        )));
        if q.undo.is_some() {
            lines.push(Line::from(Span::styled(
                "z undoes the last queue edit.",
                t.dim(),
            )));
        }
        return lines;
    }
    let planned = match (&q.plan, q.plan_pending()) {
        (_, true) | (None, _) => "planning…".to_owned(),
        (Some(v), false) => {
            format!(
                "plan: {} changed in {}, {} held out, {} dropped",
                plural(v.affected, "user"),
                plural(v.steps, "step"),
                thousands(v.held_out),
                plural(v.no_ops, "no-op")
            )
        }
    };
    lines.push(Line::from(vec![
        Span::styled(
            format!(
                "{}, {} · ",
                plural(c.operations, "operation"),
                plural(c.targets, "target")
            ),
            t.title(),
        ),
        Span::raw(planned),
    ]));
    if let Some(note) = state.partial_note() {
        lines.push(Line::from(Span::styled(
            format!("⚠ {note}"),
            t.level(Level::Error),
        )));
    }
    // The plan's own words, most telling first, as many as the panel holds: the refusal, who
    // is held out and why, who keeps a product (so frees nothing), the total even when it is
    // 0, then each product, the no-ops and the thresholds.
    if let Some(v) = &q.plan {
        let compact = v.compact.iter().cloned();
        let rank = |l: &str| -> u8 {
            match l {
                l if l.starts_with("Refused") => 0,
                l if l.starts_with("Held out") => 1,
                l if l.starts_with("Keep") => 2,
                l if l.starts_with("Total") => 4,
                l if l.starts_with("No-ops") => 5,
                l if l.starts_with("Activity") => 6,
                l if l.starts_with("Org ") || l.starts_with("Changes ") => 9,
                _ => 3,
            }
        };
        let mut ranked: Vec<(u8, String)> = compact
            .map(|l| (rank(&l), l))
            .filter(|(r, _)| *r < 9)
            .collect();
        ranked.sort_by_key(|(r, _)| *r);
        for (r, l) in ranked {
            let style = match r {
                0 => t.level(Level::Error),
                2 => t.level(Level::Warn),
                _ => ratatui::style::Style::default(),
            };
            lines.push(Line::from(Span::styled(format!("  {l}"), style)));
        }
    }
    let conflicts = &q.conflicts;
    if let Some(first) = conflicts.first() {
        lines.insert(
            1,
            Line::from(Span::styled(
                format!(
                    "⚠ {}, e.g. {}: {}",
                    plural(conflicts.len(), "conflict"),
                    first.account_id,
                    first.kind.describe()
                ),
                t.level(Level::Warn),
            )),
        );
    }
    lines.truncate(QUEUE_PANEL as usize);
    lines
}

pub fn draw(state: &AppState, frame: &mut Frame, area: Rect) {
    let t = state.theme;
    let panel_h = QUEUE_PANEL.min(area.height);
    frame.render_widget(
        // One row a line: a wrapped line would push the rest out of the panel.
        Paragraph::new(panel(state)),
        Rect::new(area.x, area.y, area.width, panel_h),
    );
    let list = Rect::new(
        area.x,
        area.y + panel_h,
        area.width,
        area.height.saturating_sub(panel_h),
    );
    if list.height == 0 {
        return;
    }
    frame.render_widget(
        Paragraph::new(list_header(state)),
        Rect::new(list.x, list.y, list.width, 1),
    );
    let flat = state.queue.view.rows.is_some();
    let height = queue_rows(state.size).min(list.height.saturating_sub(1) as usize);
    let q = &state.queue;
    let data = state.data.as_ref();
    let mut lines = Vec::with_capacity(height);
    for i in q.list.offset..q.list.offset + height {
        let Some(row) = q.row(i) else { break };
        let line = match row {
            QueueRow::Operation(op) => Line::from(Span::styled(
                format!(
                    "▸ {} ({})",
                    op.kind.describe(),
                    plural(op.targets.len(), "target")
                ),
                t.title(),
            )),
            QueueRow::Target(op, account) => {
                let user = data.and_then(|d| d.user(account));
                let who = user
                    .map(|u| format!("{} <{}>", u.name, u.email.as_deref().unwrap_or("no email")))
                    .unwrap_or_else(|| format!("{account} (not in the snapshot)"));
                let note = q
                    .plan
                    .as_ref()
                    .and_then(|v| v.notes.get(&(op.id, account.to_owned())))
                    .cloned()
                    .unwrap_or_default();
                // Sorted or filtered, targets of several operations mix: each says its own.
                let action = if flat {
                    format!("  {} · ", op.kind.describe())
                } else {
                    "    ".to_owned()
                };
                Line::from(vec![
                    Span::raw(format!("{action}{who}  ")),
                    Span::styled(note, t.dim()),
                ])
            }
        };
        lines.push(if i == q.list.cursor {
            line.style(t.selected())
        } else {
            line
        });
    }
    frame.render_widget(
        Paragraph::new(lines),
        Rect::new(
            list.x,
            list.y + 1,
            list.width,
            list.height.saturating_sub(1),
        ),
    );
}

/// The list's header: what is shown of how many, in which order, and the keys.
fn list_header(state: &AppState) -> Line<'static> {
    let t = state.theme;
    let q = &state.queue;
    let of = q.counts.targets;
    let v = &q.view;
    let shown = match &v.rows {
        Some(rows) if !v.is_plain() => rows.rows.len(),
        _ => of,
    };
    let filter = match v.filter {
        QueueFilter::All => String::new(),
        QueueFilter::HeldOut => ", held out only".to_owned(),
        QueueFilter::Action(id) => q
            .ops
            .get(id)
            .map(|o| format!(", only {}", o.kind.describe()))
            .unwrap_or_default(),
    };
    let order = match v.sort {
        QueueSort::Queued => "as queued".to_owned(),
        s => format!("by {}", s.word()),
    };
    let pending = if v.pending() { " (sorting…)" } else { "" };
    Line::from(vec![
        Span::styled(
            format!(
                "Showing {} of {}{filter}, {order}{pending}",
                thousands(shown),
                plural(of, "target")
            ),
            t.header(),
        ),
        Span::styled("  s sort  f filter  d remove  z undo  A review", t.dim()),
    ])
}
