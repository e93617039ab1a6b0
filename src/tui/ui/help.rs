//! Help, generated from the keymap, and the query language.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::popup;
use crate::tui::keymap;
use crate::tui::state::AppState;

pub fn lines(state: &AppState) -> Vec<Line<'static>> {
    let t = state.theme;
    let mut out = Vec::new();
    let mut scope = "";
    for (s, key, help) in keymap::help_lines() {
        if s != scope {
            if !scope.is_empty() {
                out.push(Line::from(""));
            }
            out.push(Line::from(Span::styled(s, t.header())));
            scope = s;
        }
        out.push(Line::from(vec![
            Span::styled(format!("  {key:<8}"), t.key()),
            Span::raw(help),
        ]));
    }
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(
        "Markers in the Users view",
        t.header(),
    )));
    out.push(Line::from(
        "  A  org or site admin     P  protected (config, app account, you)",
    ));
    out.push(Line::from(
        "  S  synced from the identity provider; red days: idle past the threshold",
    ));
    out.push(Line::from(""));
    out.push(Line::from(Span::styled("Query line", t.header())));
    for (token, help) in crate::filter::facet_help() {
        out.push(Line::from(vec![
            Span::styled(format!("  {token:<22}"), t.key()),
            Span::raw(help),
        ]));
    }
    out
}

pub fn draw(state: &AppState, frame: &mut Frame, area: Rect, scroll: usize) {
    let lines = lines(state);
    // Cover the whole view: half-hidden rows beside a box read as part of it.
    frame.render_widget(ratatui::widgets::Clear, area);
    let r = popup(frame, area, 76, area.height);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Help (Esc closes, j/k scroll) ");
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(u16::MAX as usize) as u16, 0)),
        r,
    );
}
