//! Styles, with colour only when `NO_COLOR` is unset: bold and reverse video carry the
//! meaning either way.

use ratatui::style::{Color, Modifier, Style};

use crate::tui::state::{Level, Theme};

impl Theme {
    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn header(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn marked(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn tab(self, active: bool) -> Style {
        if active {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::new()
        }
    }

    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn key(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// The `:` line's prompt: its own colour, and reverse video without colour, so it never
    /// reads as the search's `/`.
    pub fn command(self) -> Style {
        if self.color {
            Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    pub fn marker(self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }

    pub fn idle(self) -> Style {
        self.fg(Color::Red)
    }

    /// After a figure shown in `idle()`: under NO_COLOR the red is gone, so a `!` says it.
    pub fn idle_mark(self) -> &'static str {
        if self.color { "" } else { "!" }
    }

    /// The characters of a name or email the query's fuzzy words matched.
    pub fn matched(self) -> Style {
        self.fg(Color::Green)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    /// Rows of a `V` range being built (the mark column shows `+` on them as well).
    pub fn range(self) -> Style {
        if self.color {
            Style::new().bg(Color::Blue)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        }
    }

    pub fn level(self, level: Level) -> Style {
        match level {
            Level::Info => self.fg(Color::Green),
            Level::Warn => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Level::Error => self.fg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }
}
