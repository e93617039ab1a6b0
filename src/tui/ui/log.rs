//! The message log (`L`, as lazygit's command log): every message the console showed, whole,
//! newest at the bottom, levels coloured and written out (so they read under NO_COLOR too).
//! Only the entries on screen are wrapped and drawn.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::tui::format::thousands;
use crate::tui::state::{AppState, Level, LogEntry};

/// What the status line adds to a message it had to cut.
pub const CUT: &str = "… (L: log)";

/// The level as a word: the colour's meaning without colour.
fn word(level: Level) -> &'static str {
    match level {
        Level::Info => "info ",
        Level::Warn => "WARN ",
        Level::Error => "ERROR",
    }
}

/// `text` in at most `room` columns: whole, or cut and ending with [`CUT`] (where to read it
/// whole).
pub fn fit(text: &str, room: usize) -> String {
    let n = text.chars().count();
    if n <= room {
        return text.to_owned();
    }
    let cut = CUT.chars().count();
    if room <= cut {
        return CUT.chars().take(room).collect();
    }
    let head: String = text.chars().take(room - cut).collect();
    format!("{}{CUT}", head.trim_end())
}

/// Greedy word wrap to `width` columns; words longer than a line are split.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        while let Some(line) = lines.last_mut() {
            let used = line.chars().count();
            let gap = usize::from(used > 0);
            if used + gap + word.len() <= width {
                if gap == 1 {
                    line.push(' ');
                }
                line.extend(word.iter());
                break;
            }
            if used > 0 {
                lines.push(String::new());
                continue;
            }
            // A word longer than the line: as much as fits, the rest on the next.
            let rest = word.split_off(width.min(word.len()));
            line.extend(word.iter());
            lines.push(String::new());
            word = rest;
            if word.is_empty() {
                lines.pop();
                break;
            }
        }
    }
    lines
}

fn entry_lines(state: &AppState, e: &LogEntry, width: usize) -> Vec<Line<'static>> {
    let t = state.theme;
    let time = e.at.format("%H:%M:%S ").to_string();
    let prefix = time.chars().count() + 6;
    let body = wrap(&e.text, width.saturating_sub(prefix));
    body.into_iter()
        .enumerate()
        .map(|(i, text)| {
            if i == 0 {
                Line::from(vec![
                    Span::styled(time.clone(), t.dim()),
                    Span::styled(format!("{} ", word(e.level)), t.level(e.level)),
                    Span::raw(text),
                ])
            } else {
                Line::from(vec![Span::raw(" ".repeat(prefix)), Span::raw(text)])
            }
        })
        .collect()
}

pub fn draw(state: &AppState, frame: &mut Frame, area: Rect, back: usize) {
    // Cover the whole view, as help does.
    frame.render_widget(ratatui::widgets::Clear, area);
    let log = &state.log;
    let dropped = if log.dropped() > 0 {
        format!(", {} older dropped", thousands(log.dropped() as usize))
    } else {
        String::new()
    };
    let title = format!(
        " Messages: {}{dropped} (newest last; j/k scroll, L or Esc closes) ",
        thousands(log.len())
    );
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (width, height) = (inner.width as usize, inner.height as usize);
    if log.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(
                "No messages yet: results, warnings, errors and batch events land here.",
                state.theme.dim(),
            ))),
            inner,
        );
        return;
    }
    // From the entry `back` up from the newest, upwards until the box is full.
    let newest = log.len().saturating_sub(1 + back);
    let mut lines: Vec<Line> = Vec::new();
    for e in log.entries().iter().take(newest + 1).rev() {
        let mut these = entry_lines(state, e, width);
        these.append(&mut lines);
        lines = these;
        if lines.len() >= height {
            break;
        }
    }
    let skip = lines.len().saturating_sub(height);
    frame.render_widget(
        Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()),
        inner,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_what_fits_and_says_where_the_rest_is() {
        assert_eq!(fit("short", 10), "short");
        let cut = fit("a message that is far too long for the room", 20);
        assert!(cut.chars().count() <= 20, "{cut}");
        assert!(cut.ends_with(CUT), "{cut}");
        assert_eq!(fit("abcdef", 3), "… (");
    }

    #[test]
    fn wrap_splits_on_words_and_long_words() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap("", 3), vec![""]);
    }
}
