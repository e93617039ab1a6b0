//! Help, generated from the keymap and the command catalogue: the current view's keys first,
//! then every other scope (menus, dialogs and lines too), the `:` commands, the markers and
//! the query language. Typing narrows it to the lines holding every typed word.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::popup;
use crate::tui::menu::Narrow;
use crate::tui::state::AppState;
use crate::tui::{commands, keymap};

/// One help entry: its section, the key or token column and the text.
struct Entry {
    section: String,
    key: String,
    text: String,
    /// Width of the key column.
    width: usize,
}

fn entries(state: &AppState) -> Vec<Entry> {
    let mut out: Vec<Entry> = keymap::help_lines(state.view)
        .into_iter()
        .map(|(scope, key, help)| Entry {
            section: scope.to_owned(),
            key: key.to_owned(),
            text: help.to_owned(),
            width: 8,
        })
        .collect();
    let section = "Commands (: opens the line, Tab completes)";
    // The longest usage and a space: `:remove-product-access PRODUCT` must not run into its help.
    let width = commands::catalogue()
        .iter()
        .map(|c| c.usage().chars().count() + 2)
        .max()
        .unwrap_or(0);
    out.extend(commands::catalogue().iter().map(|c| {
        let aliases = if c.aliases.is_empty() {
            String::new()
        } else {
            format!(" (:{})", c.aliases.join(", :"))
        };
        Entry {
            section: section.to_owned(),
            key: format!(":{}", c.usage()),
            text: format!("{}{aliases}", c.help),
            width,
        }
    }));
    let markers = [
        ("A", "org or site admin"),
        ("P", "protected (config, app account, you)"),
        ("S", "synced from the identity provider"),
        // Without colour a `!` says it (as the table draws it).
        (
            if state.theme.color {
                "red days"
            } else {
                "120d!"
            },
            "idle past the threshold",
        ),
    ];
    // The longest marker and two spaces: "red days" must not run into its text.
    let width = markers
        .iter()
        .map(|(key, _)| key.chars().count() + 2)
        .max()
        .unwrap_or(0);
    out.extend(markers.into_iter().map(|(key, text)| Entry {
        section: "Markers in the Users view".to_owned(),
        key: key.to_owned(),
        text: text.to_owned(),
        width,
    }));
    out.extend(
        crate::filter::facet_help()
            .into_iter()
            .map(|(token, help)| Entry {
                section: "Query line".to_owned(),
                key: token.to_owned(),
                text: help.to_owned(),
                width: 22,
            }),
    );
    out
}

pub fn lines(state: &AppState, filter: &Narrow) -> Vec<Line<'static>> {
    let t = state.theme;
    let mut out = Vec::new();
    let mut section = String::new();
    for e in entries(state) {
        if !filter.is_empty() && !filter.matches(&format!("{} {} {}", e.section, e.key, e.text)) {
            continue;
        }
        if e.section != section {
            if !section.is_empty() {
                out.push(Line::from(""));
            }
            out.push(Line::from(Span::styled(e.section.clone(), t.header())));
            section = e.section.clone();
        }
        out.push(Line::from(vec![
            Span::styled(format!("  {:<w$}", e.key, w = e.width), t.key()),
            Span::raw(e.text),
        ]));
    }
    if out.is_empty() {
        out.push(Line::from(Span::styled(
            format!(
                "Nothing in help matches {:?}: Backspace widens, Esc clears.",
                filter.text
            ),
            t.dim(),
        )));
    }
    out
}

pub fn draw(state: &AppState, frame: &mut Frame, area: Rect, scroll: usize, filter: &Narrow) {
    let lines = lines(state, filter);
    // Cover the whole view: half-hidden rows beside a box read as part of it.
    frame.render_widget(ratatui::widgets::Clear, area);
    // Wide enough for the commands' usage and help side by side where the terminal allows.
    let r = popup(frame, area, 100, area.height);
    let mut block = Block::default()
        .borders(Borders::ALL)
        .title(" Help (Esc closes, j/k scroll) ");
    block = if filter.active() {
        block.title(Span::styled(
            format!(" filter: {}▏ ", filter.text),
            t_key(state),
        ))
    } else {
        block.title(" type or / to filter ")
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(u16::MAX as usize) as u16, 0)),
        r,
    );
}

fn t_key(state: &AppState) -> ratatui::style::Style {
    state.theme.key()
}
