//! The Activity view: per product, its seats and their cost, and how long holders have gone
//! without using it. Choosing a bar or a preset opens the Users view with that filter.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use crate::domain::{Bucket, product_name};
use crate::tui::format::thousands;
use crate::tui::state::{AppState, PRESETS};

pub fn draw(state: &AppState, frame: &mut Frame, area: Rect) {
    let t = state.theme;
    let Some(data) = &state.data else {
        frame.render_widget(Paragraph::new("Loading the directory…"), area);
        return;
    };
    // The chart of seats and savings over time takes the bottom, once there is history.
    let area = match state.savings.as_deref().filter(|v| !v.is_empty()) {
        Some(view) if area.height >= 16 => {
            let chart_h = (area.height / 3).clamp(6, 12);
            let [rest, chart] =
                Layout::vertical([Constraint::Fill(1), Constraint::Length(chart_h)]).areas(area);
            super::savings::draw(state, view, frame, chart);
            rest
        }
        _ => area,
    };
    let products = &data.derived.activity;
    let currency = &state.config.prices.currency;
    let table_h = (products.len() as u16 + 1).min(area.height / 2).max(2);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(table_h), Constraint::Fill(1)]).areas(area);
    let rows = products.iter().enumerate().map(|(i, a)| {
        let seats = data.dir.seats.iter().find(|s| s.product.key == a.product);
        let reclaim = data.derived.reclaim.iter().find(|r| r.product == a.product);
        let num = |n: Option<u64>| {
            n.map(|n| thousands(n as usize))
                .unwrap_or_else(|| "-".into())
        };
        let used = seats.map(|s| s.used).unwrap_or(a.holders);
        let price = state.config.prices.of(&a.product);
        let cost = price
            .map(|p| format!("{:.0} {currency}", p * used as f64))
            .unwrap_or_else(|| "no price".into());
        let idle = reclaim
            .map(|r| {
                let c = r
                    .monthly_cost()
                    .map(|c| format!(" ({c:.0} {currency})"))
                    .unwrap_or_default();
                format!("{} ≥{}d{c}", thousands(r.idle as usize), r.threshold_days)
            })
            .unwrap_or_default();
        let row = Row::new(vec![
            Cell::from(product_name(&a.product)),
            Cell::from(num(seats.and_then(|s| s.limit))),
            Cell::from(thousands(used as usize)),
            Cell::from(num(seats.and_then(|s| s.remaining))),
            Cell::from(cost),
            Cell::from(idle),
        ]);
        if i == state.activity.product {
            row.style(t.selected())
        } else {
            row
        }
    });
    let header = Row::new(vec![
        "Product",
        "Limit",
        "Used",
        "Left",
        "Cost/month",
        "Idle",
    ])
    .style(t.header());
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Fill(2),
                Constraint::Length(7),
                Constraint::Length(7),
                Constraint::Length(7),
                Constraint::Length(12),
                Constraint::Fill(2),
            ],
        )
        .header(header)
        .column_spacing(1),
        top,
    );

    let Some(a) = products.get(state.activity.product) else {
        return;
    };
    // Under the histogram: the groups that give the chosen holders the product.
    let [bottom, granting] =
        Layout::vertical([Constraint::Length(9), Constraint::Fill(1)]).areas(bottom);
    super::breakdown::draw_activity(state, frame, granting);
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "{}: {} seat holders by days since last active",
            product_name(&a.product),
            thousands(a.holders as usize)
        ),
        t.title(),
    ))];
    let max = a.buckets.iter().copied().max().unwrap_or(0).max(1);
    let bar_w = bottom.width.saturating_sub(20) as u64;
    for (i, b) in Bucket::ALL.iter().enumerate() {
        let n = a.buckets[i];
        let len = (n * bar_w).div_ceil(max) as usize;
        let chosen = state.activity.choice == i;
        let label = format!("{:>7} ", b.label());
        let mut spans = vec![
            Span::styled(label, if chosen { t.selected() } else { t.dim() }),
            Span::styled("█".repeat(len), if i >= 3 { t.idle() } else { t.dim() }),
            Span::raw(format!(" {}", thousands(n as usize))),
        ];
        if chosen {
            spans.push(Span::styled("  ◀ Enter lists them", t.key()));
        }
        lines.push(Line::from(spans));
    }
    let mut presets = vec![Span::styled(" inactive ≥ ", t.dim())];
    for (i, d) in PRESETS.iter().enumerate() {
        let chosen = state.activity.choice == Bucket::ALL.len() + i;
        let n = a.idle_at_least(*d).unwrap_or(0);
        presets.push(Span::styled(
            format!("[{d}d: {}]", thousands(n as usize)),
            if chosen { t.selected() } else { t.key() },
        ));
        presets.push(Span::raw(" "));
    }
    lines.push(Line::from(presets));
    lines.push(Line::from(Span::styled(
        " ↑↓ product  ←→ bucket or preset  Enter opens the users. Inactivity is a signal, not proof.",
        t.dim(),
    )));
    frame.render_widget(Paragraph::new(lines), bottom);
}
