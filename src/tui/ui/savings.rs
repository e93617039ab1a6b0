//! The Activity view's chart: seats used per product over time (a sparkline each) beside the
//! money executed batches saved per month (bars). Reads the history shaped off the UI thread.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Sparkline};

use crate::domain::product_name;
use crate::tui::format::thousands;
use crate::tui::rules::SavingsView;
use crate::tui::state::AppState;

/// Columns the product names take before their sparklines.
const LABEL: u16 = 27;

pub fn draw(state: &AppState, view: &SavingsView, frame: &mut Frame, area: Rect) {
    let t = state.theme;
    let [left, right] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(area);
    let block = Block::default()
        .borders(Borders::TOP)
        .title(Span::styled(" Seats used over time ", t.header()));
    let inner = block.inner(left);
    frame.render_widget(block, left);
    if view.seats.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("no snapshot recorded yet", t.dim())),
            inner,
        );
    }
    // One row per product, as many as fit.
    for (i, (product, used)) in view.seats.iter().take(inner.height as usize).enumerate() {
        let y = inner.y + i as u16;
        let first = used.first().copied().unwrap_or(0);
        let last = used.last().copied().unwrap_or(0);
        let label = format!(
            "{:<14.14} {:>5}→{:<5}",
            product_name(product),
            thousands(first as usize),
            thousands(last as usize)
        );
        let lw = LABEL.min(inner.width);
        frame.render_widget(Paragraph::new(label), Rect::new(inner.x, y, lw, 1));
        let w = inner.width.saturating_sub(lw + 1);
        // The newest points that fit.
        let from = used.len().saturating_sub(w as usize);
        frame.render_widget(
            Sparkline::default().data(&used[from..]).style(t.title()),
            Rect::new(inner.x + lw + 1, y, w, 1),
        );
    }
    let block = Block::default().borders(Borders::TOP).title(Span::styled(
        format!(" Saved per month ({}) ", view.currency),
        t.header(),
    ));
    let inner = block.inner(right);
    frame.render_widget(block, right);
    if view.months.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled("no executed batch yet", t.dim()))),
            inner,
        );
        return;
    }
    // The newest months that fit, 8 columns a bar.
    let fit = (inner.width / 8).max(1) as usize;
    let from = view.months.len().saturating_sub(fit);
    let bars: Vec<Bar> = view.months[from..]
        .iter()
        .map(|(month, saved)| {
            Bar::default()
                .value(*saved)
                .label(Line::from(month.get(2..).unwrap_or(month).to_owned()))
                .text_value(thousands(*saved as usize))
        })
        .collect();
    frame.render_widget(
        BarChart::default()
            .data(BarGroup::default().bars(&bars))
            .bar_width(7)
            .bar_gap(1)
            .bar_style(t.title()),
        inner,
    );
}
