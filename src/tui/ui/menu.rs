//! A pop-up menu (facets, sort, actions, groups), narrowed to what is typed: the typed text
//! in the title, the matches only.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::popup;
use crate::tui::menu::Menu;
use crate::tui::state::AppState;

pub fn draw(state: &AppState, frame: &mut Frame, area: Rect, menu: &Menu) {
    let t = state.theme;
    let title = if menu.negate {
        format!(" {} (next choice negated) ", menu.title)
    } else {
        format!(" {} ", menu.title)
    };
    let filter = if menu.filter.active() {
        format!(" filter: {}▏ ", menu.filter.text)
    } else {
        String::new()
    };
    let hint = " type to filter ";
    // The width holds every item, not only the matches: the box stays put while typing (it
    // widens only for a filter longer than the room beside the title).
    let title_w = title.chars().count();
    let width = menu
        .items
        .iter()
        .map(|i| i.label.chars().count())
        .max()
        .unwrap_or(10)
        .max(title_w + 4)
        .max((title_w + filter.chars().count()).saturating_sub(4))
        .max(hint.len())
        .saturating_add(6);
    // Group names come from the org: as long as they like, so sized in usize.
    let width = u16::try_from(width).unwrap_or(u16::MAX);
    let rows = menu.shown.len().max(1);
    let height = u16::try_from(rows.saturating_add(2))
        .unwrap_or(u16::MAX)
        .min(area.height);
    let r = popup(frame, area, width, height);
    let inner = height.saturating_sub(2) as usize;
    let start = menu.offset.min(menu.shown.len());
    let end = (start + inner).min(menu.shown.len());
    let mut lines: Vec<Line> = menu
        .visible()
        .skip(start)
        .take(end - start)
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
    if menu.shown.is_empty() {
        lines.push(Line::from(Span::styled(
            " nothing matches: Esc clears",
            t.dim(),
        )));
    }
    let mut block = Block::default().borders(Borders::ALL).title(title);
    block = if menu.filter.active() {
        block.title(Span::styled(filter, t.key()))
    } else {
        block.title_bottom(Span::styled(hint, t.dim()))
    };
    frame.render_widget(Paragraph::new(lines).block(block), r);
}
