//! The History view: the running batch (progress, rate, time left, latest errors) and every
//! batch in the journal.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Gauge, Paragraph, Row, Table};

use crate::tui::format::thousands;
use crate::tui::state::{AppState, BatchRun, Level};

/// Lines the running batch takes at the top.
const BATCH_PANEL: u16 = 4;

/// "120/500: 110 done, 2 failed, 8 skipped · 95/min · 4 min left".
pub fn progress_text(b: &BatchRun) -> String {
    let finished = b.done + b.failed + b.skipped;
    let eta = b
        .eta_secs
        .filter(|_| b.running())
        .map(|s| format!(" · {} min {} s left", s / 60, s % 60))
        .unwrap_or_default();
    let id = b.id.map(|i| format!("batch {i} ")).unwrap_or_default();
    let state = if b.cancelling && b.running() {
        " · cancelling"
    } else if b.paused && b.running() {
        " · paused (p resumes)"
    } else {
        ""
    };
    format!(
        "{id}{}/{}: {} done, {} failed, {} skipped · {:.0}/min{eta}{state}",
        thousands(finished as usize),
        thousands(b.total as usize),
        thousands(b.done as usize),
        thousands(b.failed as usize),
        thousands(b.skipped as usize),
        b.rate_per_min
    )
}

pub fn draw(state: &AppState, frame: &mut Frame, area: Rect) {
    if let Some(panel) = &state.history.items {
        return super::items::draw(state, frame, area, panel);
    }
    let t = state.theme;
    let panel_h = BATCH_PANEL.min(area.height);
    match &state.batch {
        Some(b) => {
            let finished = b.done + b.failed + b.skipped;
            let ratio = if b.total == 0 {
                0.0
            } else {
                (finished as f64 / b.total as f64).clamp(0.0, 1.0)
            };
            let label = b.finished.clone().unwrap_or_else(|| progress_text(b));
            frame.render_widget(
                Gauge::default()
                    .ratio(ratio)
                    .label(label)
                    .gauge_style(t.title()),
                Rect::new(area.x, area.y, area.width, 1.min(panel_h)),
            );
            let lines: Vec<Line> = b
                .errors
                .iter()
                .rev()
                .take(panel_h.saturating_sub(1) as usize)
                .map(|e| Line::from(Span::styled(format!("  {e}"), t.level(Level::Error))))
                .collect();
            frame.render_widget(
                Paragraph::new(lines),
                Rect::new(area.x, area.y + 1, area.width, panel_h.saturating_sub(1)),
            );
        }
        None => frame.render_widget(
            Paragraph::new(Line::from(Span::styled(
                "No batch in this session. A reviews the queue; below, u reviews a batch's undo, R a retry, c resumes an interrupted one.",
                t.dim(),
            ))),
            Rect::new(area.x, area.y, area.width, 1.min(panel_h)),
        ),
    }
    let list = Rect::new(
        area.x,
        area.y + panel_h,
        area.width,
        area.height.saturating_sub(panel_h),
    );
    let h = &state.history;
    let height = list.height.saturating_sub(1) as usize;
    let start = h.list.offset.min(h.batches.len());
    let end = (start + height).min(h.batches.len());
    let rows = h.batches[start..end].iter().enumerate().map(|(i, b)| {
        let c = &b.counts;
        let row = Row::new(vec![
            Cell::from(b.id.to_string()),
            Cell::from(b.created_at.format("%Y-%m-%d %H:%M").to_string()),
            if state.is_interrupted(b) {
                // Still `running` in the journal, but nobody runs it: c resumes it.
                Cell::from("interrupted (c)").style(t.level(Level::Warn))
            } else {
                Cell::from(format!(
                    "{}{}",
                    b.status.as_str(),
                    if b.dry_run { " (dry run)" } else { "" }
                ))
            },
            Cell::from(if b.dry_run {
                // A dry run changes nothing: "0/4 done" read as a batch that failed to start.
                // (Status says "dry run" beside it.)
                format!(
                    "{} recorded, nothing changed",
                    thousands(c.total() as usize)
                )
            } else {
                format!(
                    "{}/{} done, {} failed, {} skipped",
                    thousands(c.done as usize),
                    thousands(c.total() as usize),
                    thousands(c.failed as usize),
                    thousands(c.skipped as usize)
                )
            }),
            Cell::from(b.operator.clone()),
        ]);
        if start + i == h.list.cursor {
            row.style(t.selected())
        } else {
            row
        }
    });
    let header =
        Row::new(vec!["Batch", "Created", "Status", "Items", "Operator"]).style(t.header());
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Length(6),
                Constraint::Length(17),
                Constraint::Length(18),
                Constraint::Fill(2),
                Constraint::Fill(1),
            ],
        )
        .header(header)
        .column_spacing(1),
        list,
    );
}
