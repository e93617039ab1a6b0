//! The `:` line's popup, just above the line: the commands matching what is typed (usage and
//! one line of help each), or, once a command is named, its usage and the choices for the
//! argument under the cursor. Tab's choice is reversed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::format::thousands;
use crate::tui::state::{AppState, InputKind};

/// Choices shown at once; Tab scrolls through the rest.
const ROWS: usize = 14;

pub fn draw(state: &AppState, frame: &mut Frame, body: Rect) {
    // The `/` line shows its choices only while Tab cycles: the rows it filters stay in view.
    let Some(input) = state
        .input
        .as_ref()
        .filter(|i| i.kind == InputKind::Command || i.complete.cycling.is_some())
    else {
        return;
    };
    let t = state.theme;
    let s = &input.complete.suggestions;
    let waiting = input.complete.tab_waiting;
    if s.items.is_empty() && s.heading.is_none() && !waiting {
        return;
    }
    let mut lines: Vec<Line> = Vec::new();
    if let Some(h) = &s.heading {
        lines.push(Line::from(Span::styled(format!(" {h}"), t.dim())));
    }
    let rows = ROWS.min(
        (body.height as usize)
            .saturating_sub(3 + lines.len())
            .max(1),
    );
    let chosen = input.complete.cycling;
    let start = chosen.map_or(0, |c| (c + 1).saturating_sub(rows));
    let end = (start + rows).min(s.items.len());
    let shown = &s.items[start.min(end)..end];
    let label_w = shown
        .iter()
        .map(|i| i.label.chars().count())
        .max()
        .unwrap_or(0)
        .min(body.width as usize / 2);
    for (i, item) in shown.iter().enumerate() {
        let label: String = item.label.chars().take(label_w).collect();
        let line = Line::from(vec![
            Span::styled(format!(" {label:<label_w$}  "), t.key()),
            Span::raw(item.help.clone()),
        ]);
        lines.push(if chosen == Some(start + i) {
            line.style(t.selected())
        } else {
            line
        });
    }
    let left = s.items.len() - end + s.more;
    if left > 0 {
        lines.push(Line::from(Span::styled(
            format!(" … {} more: type to narrow, Tab to go on", thousands(left)),
            t.dim(),
        )));
    }
    if waiting {
        lines.push(Line::from(Span::styled(" listing the folder…", t.dim())));
    } else if s.items.is_empty() && s.wants_listing.is_some() {
        lines.push(Line::from(Span::styled(" Tab lists the folder", t.dim())));
    }
    let width = lines
        .iter()
        .map(|l| l.width() + 2)
        .max()
        .unwrap_or(20)
        .max(30)
        .min(usize::from(body.width));
    // Never wider than the body, even under 30 columns (`clamp` panics there).
    let width = u16::try_from(width).unwrap_or(body.width);
    let height = u16::try_from(lines.len().saturating_add(2))
        .unwrap_or(u16::MAX)
        .min(body.height);
    let area = Rect::new(
        body.x,
        body.y + body.height.saturating_sub(height),
        width,
        height,
    );
    frame.render_widget(Clear, area);
    let title = if input.kind == InputKind::Query {
        " / Tab: the next choice "
    } else if s.heading.is_none() {
        " : commands (Tab completes, Enter runs, Esc closes) "
    } else {
        " : Tab completes, Enter runs "
    };
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(title, t.command())),
        ),
        area,
    );
}
