//! A pop-up menu (facets, sort).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use super::popup;
use crate::tui::menu::Menu;
use crate::tui::state::AppState;

pub fn draw(state: &AppState, frame: &mut Frame, area: Rect, menu: &Menu) {
    let t = state.theme;
    let width = menu
        .items
        .iter()
        .map(|i| i.label.chars().count())
        .max()
        .unwrap_or(10)
        .max(menu.title.chars().count() + 4) as u16
        + 6;
    let height = (menu.items.len() as u16 + 2).min(area.height);
    let r = popup(frame, area, width, height);
    let inner = height.saturating_sub(2) as usize;
    let start = menu.offset.min(menu.items.len());
    let end = (start + inner).min(menu.items.len());
    let lines: Vec<Line> = menu.items[start..end]
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let line = Line::from(format!(" {} ", item.label));
            if start + i == menu.cursor {
                line.style(t.selected())
            } else {
                line
            }
        })
        .collect();
    let title = if menu.negate {
        format!(" {} (next choice negated) ", menu.title)
    } else {
        format!(" {} ", menu.title)
    };
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(title)),
        r,
    );
}
