//! The keymap is one table: every view, overlay and line reads its keys from `BINDINGS`,
//! modifiers included, and help lists each scope once.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use seats::tui::keymap::{BINDINGS, Command, Scope, command_for, command_in, help_lines};
use seats::tui::state::View;

fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

#[test]
fn modifiers_come_from_the_table() {
    let (none, ctrl) = (KeyModifiers::NONE, KeyModifiers::CONTROL);
    let a = key(KeyCode::Char('a'), none);
    let ctrl_a = key(KeyCode::Char('a'), ctrl);
    assert_eq!(command_for(&a, View::Users), Some(Command::Actions));
    assert_eq!(command_for(&ctrl_a, View::Users), Some(Command::MarkAll));
    assert_eq!(command_for(&ctrl_a, View::Groups), None);
    // Shift is part of the character, not a modifier the table must list.
    let shift_g = key(KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(command_for(&shift_g, View::Users), Some(Command::Bottom));
    // Ctrl-u: a page up on a view, clearing on a line; a plain `u` on a line is typed.
    let ctrl_u = key(KeyCode::Char('u'), ctrl);
    assert_eq!(command_for(&ctrl_u, View::Users), Some(Command::PageUp));
    assert_eq!(command_in(&ctrl_u, Scope::Line), Some(Command::ClearLine));
    assert_eq!(
        command_in(&key(KeyCode::Char('u'), none), Scope::Line),
        None
    );
    // Overlays take no global key: `1` inside a menu is nothing.
    assert_eq!(
        command_in(&key(KeyCode::Char('1'), none), Scope::Menu),
        None
    );
    assert_eq!(
        command_for(&key(KeyCode::Char('1'), none), View::Queue),
        Some(Command::Show(View::Users))
    );
}

#[test]
fn no_row_is_shadowed_by_another() {
    for b in BINDINGS {
        let found = command_in(&key(b.code, b.mods), b.scope);
        assert_eq!(
            found,
            Some(b.command),
            "{:?} {:?} in {:?} is taken by an earlier row",
            b.code,
            b.mods,
            b.scope
        );
    }
}

#[test]
fn help_lists_each_scope_once_the_current_views_first() {
    for view in View::ALL {
        let mut titles: Vec<&str> = help_lines(view).iter().map(|l| l.0).collect();
        titles.dedup();
        let mut unique = titles.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(titles.len(), unique.len(), "{titles:?}");
        let first = Scope::of(view).title();
        assert_eq!(titles.first(), Some(&first), "{view:?}: {titles:?}");
        assert_eq!(titles.get(1), Some(&"Everywhere"), "{view:?}: {titles:?}");
    }
}

/// Help shows the keys of every scope it dispatches from: menus, help itself, the confirm
/// dialog, questions and the lines, not only the views.
#[test]
fn help_shows_the_overlay_and_line_scopes() {
    let titles: Vec<&str> = help_lines(View::Users).iter().map(|l| l.0).collect();
    for scope in [
        Scope::Menu,
        Scope::Reading,
        Scope::Dialog,
        Scope::Question,
        Scope::Line,
    ] {
        assert!(titles.contains(&scope.title()), "{scope:?}: {titles:?}");
        assert!(seats::tui::keymap::SCOPES.contains(&scope), "{scope:?}");
    }
    // Every scope a binding names is listed.
    for b in BINDINGS {
        assert!(
            seats::tui::keymap::SCOPES.contains(&b.scope),
            "{:?}",
            b.scope
        );
    }
}

/// A view joins the keymap when it is added (`src/lib.rs`, "A view"): a key that shows it, its
/// scope in help, and hints for its status line.
#[test]
fn every_view_has_a_key_a_help_section_and_hints() {
    let help = help_lines(View::Users);
    for view in View::ALL {
        assert!(
            BINDINGS.iter().any(|b| b.command == Command::Show(view)),
            "no key shows {view:?}"
        );
        let scope = Scope::of(view);
        assert!(
            seats::tui::keymap::SCOPES.contains(&scope),
            "{view:?}'s scope is not in help"
        );
        assert!(
            !seats::tui::keymap::hints(view).is_empty(),
            "{view:?} has no status-line hints"
        );
    }
    // Views with keys of their own list them under their title.
    for scope in [Scope::Users, Scope::Queue, Scope::History] {
        assert!(help.iter().any(|l| l.0 == scope.title()), "{scope:?}");
    }
}
