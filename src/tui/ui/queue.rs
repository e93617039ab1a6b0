//! The Queue view: what is queued, operation by operation, what the plan does with each
//! target, and the effect on seats and cost.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::state::{AppState, Level, QueueRow};
use crate::tui::update::{queue_rows, thousands};

/// Lines the summary panel takes at the top of the view.
pub const QUEUE_PANEL: u16 = 6;

fn money(currency: &str, amount: f64) -> String {
    format!("{currency} {amount:.2}")
}

fn panel(state: &AppState) -> Vec<Line<'static>> {
    let t = state.theme;
    let q = &state.queue;
    let c = q.queue.counts();
    let mut lines = vec![];
    if q.queue.is_empty() {
        lines.push(Line::from(Span::styled(
            "The queue is empty. In the Users view, mark users (Space, V, Ctrl-a) and press a.",
            t.dim(),
        )));
        return lines;
    }
    let planned = match (&q.plan, q.plan_pending()) {
        (_, true) | (None, _) => "planning…".to_owned(),
        (Some(v), false) => {
            let p = &v.plan;
            format!(
                "plan: {} users changed in {} steps, {} held out, {} no-ops dropped",
                thousands(p.affected_users()),
                thousands(p.steps().count()),
                thousands(p.held_out().count()),
                thousands(p.no_ops().count())
            )
        }
    };
    lines.push(Line::from(vec![
        Span::styled(
            format!(
                "{} operations, {} targets · ",
                c.operations,
                thousands(c.targets)
            ),
            t.title(),
        ),
        Span::raw(planned),
    ]));
    if let Some(v) = &q.plan {
        let e = &v.plan.effect;
        for p in e.products.iter().filter(|p| p.freed > 0 || p.regained > 0) {
            let saving = match (p.monthly_saving, p.yearly_saving) {
                (Some(m), Some(y)) => format!(
                    " · saves {} a month, {} a year",
                    money(&e.currency, m),
                    money(&e.currency, y)
                ),
                _ => " · no price set".into(),
            };
            lines.push(Line::from(format!(
                "  {}: {} → {} seats ({} freed){saving}",
                p.name,
                thousands(p.used_now as usize),
                thousands(p.used_after as usize),
                thousands(p.freed as usize)
            )));
        }
        if let Some(r) = &v.plan.refusal {
            lines.push(Line::from(Span::styled(
                r.describe(),
                t.level(Level::Error),
            )));
        }
        lines.push(Line::from(Span::styled(e.note.clone(), t.dim())));
    }
    let conflicts = q.queue.conflicts();
    if let Some(first) = conflicts.first() {
        lines.push(Line::from(Span::styled(
            format!(
                "⚠ {} conflicts, e.g. {}: {}",
                conflicts.len(),
                first.account_id,
                first.kind.describe()
            ),
            t.level(Level::Warn),
        )));
    }
    lines
}

pub fn draw(state: &AppState, frame: &mut Frame, area: Rect) {
    let t = state.theme;
    let panel_h = QUEUE_PANEL.min(area.height);
    frame.render_widget(
        Paragraph::new(panel(state)).wrap(ratatui::widgets::Wrap { trim: true }),
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
        Paragraph::new(Line::from(Span::styled(
            "Queued (d removes a target, or on an operation the whole operation; A reviews)",
            t.header(),
        ))),
        Rect::new(list.x, list.y, list.width, 1),
    );
    let height = queue_rows(state.size).min(list.height.saturating_sub(1) as usize);
    let q = &state.queue;
    let data = state.data.as_ref();
    let mut lines = Vec::with_capacity(height);
    for i in q.list.offset..q.list.offset + height {
        let Some(row) = q.row(i) else { break };
        let line = match row {
            QueueRow::Operation(op) => Line::from(Span::styled(
                format!(
                    "▸ {} ({} targets)",
                    op.kind.describe(),
                    thousands(op.targets.len())
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
                Line::from(vec![
                    Span::raw(format!("    {who}  ")),
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
