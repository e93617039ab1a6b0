//! The Groups view: members, the products each group grants, synced or not.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::short_product;
use crate::tui::state::AppState;

pub fn draw(state: &AppState, frame: &mut Frame, area: Rect) {
    let t = state.theme;
    let Some(data) = &state.data else {
        frame.render_widget(Paragraph::new("Loading the directory…"), area);
        return;
    };
    let order = &data.derived.groups_by_name;
    let height = area.height.saturating_sub(1) as usize;
    let start = state.groups.offset.min(order.len());
    let end = (start + height).min(order.len());
    let rows = order[start..end].iter().enumerate().map(|(i, &gi)| {
        let g = &data.dir.groups[gi];
        let grants = g
            .grants
            .iter()
            .map(|p| short_product(p))
            .collect::<Vec<_>>()
            .join(" ");
        let row = Row::new(vec![
            Cell::from(g.name.as_str()),
            Cell::from(
                g.member_count
                    .map(|n| crate::tui::format::thousands(n as usize))
                    .unwrap_or_else(|| "?".into()),
            ),
            Cell::from(grants),
            Cell::from(if g.synced { "synced (IdP)" } else { "" }),
        ]);
        if start + i == state.groups.cursor {
            row.style(t.selected())
        } else {
            row
        }
    });
    let header = Row::new(vec!["Group", "Members", "Grants", "Synced"]).style(t.header());
    let table = Table::new(
        rows,
        [
            Constraint::Fill(3),
            Constraint::Length(8),
            Constraint::Fill(2),
            Constraint::Length(13),
        ],
    )
    .header(header)
    .column_spacing(1);
    frame.render_widget(table, area);
}
