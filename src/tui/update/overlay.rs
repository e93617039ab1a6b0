//! Keys in overlays (menus, dialogs, help, details) and what a menu choice does.

#[allow(unused_imports)]
use super::*;

pub(super) fn on_overlay_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let Some(overlay) = state.overlay.as_mut() else {
        return vec![];
    };
    let down = matches!(key.code, KeyCode::Char('j') | KeyCode::Down);
    let up = matches!(key.code, KeyCode::Char('k') | KeyCode::Up);
    let close = matches!(key.code, KeyCode::Esc | KeyCode::Char('q'));
    let help_again = matches!(overlay, Overlay::Help { .. }) && key.code == KeyCode::Char('?');
    match overlay {
        Overlay::Help { scroll } | Overlay::Details { scroll, .. } => {
            if close || help_again {
                state.overlay = None;
            } else if down {
                *scroll += 1;
            } else if up {
                *scroll = scroll.saturating_sub(1);
            } else if key.code == KeyCode::PageDown {
                *scroll += 10;
            } else if key.code == KeyCode::PageUp {
                *scroll = scroll.saturating_sub(10);
            }
            vec![]
        }
        Overlay::QuitConfirm => {
            if matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                state.overlay = None;
                return quit_now(state);
            }
            state.overlay = None;
            vec![]
        }
        Overlay::AskQueueEdit { .. } => {
            let Some(Overlay::AskQueueEdit { edit, .. }) = state.overlay.take() else {
                return vec![];
            };
            if matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                return edit_queue(state, edit);
            }
            vec![]
        }
        Overlay::Confirm(confirm) => {
            match key.code {
                KeyCode::Esc | KeyCode::Char('q') => state.overlay = None,
                KeyCode::Tab | KeyCode::BackTab | KeyCode::Left | KeyCode::Right => {
                    confirm.on_run = !confirm.on_run
                }
                KeyCode::Char('h') => confirm.on_run = false,
                KeyCode::Char('l') => confirm.on_run = true,
                KeyCode::Char('j') | KeyCode::Down => confirm.scroll += 1,
                KeyCode::Char('k') | KeyCode::Up => {
                    confirm.scroll = confirm.scroll.saturating_sub(1)
                }
                KeyCode::PageDown => confirm.scroll += 10,
                KeyCode::PageUp => confirm.scroll = confirm.scroll.saturating_sub(10),
                KeyCode::Char(c) if c.is_ascii_digit() => confirm.typed.push(c),
                KeyCode::Backspace => {
                    confirm.typed.pop();
                }
                KeyCode::Enter if confirm.on_run => return confirm_run(state),
                KeyCode::Enter => state.overlay = None,
                _ => {}
            }
            vec![]
        }
        Overlay::Menu(menu) => {
            let height = layout::table_rows(state.size).saturating_sub(4).max(1);
            if down || up || matches!(key.code, KeyCode::PageDown | KeyCode::PageUp) {
                let delta: isize = match key.code {
                    KeyCode::PageDown => height as isize,
                    KeyCode::PageUp => -(height as isize),
                    _ if down => 1,
                    _ => -1,
                };
                let len = menu.items.len();
                if len > 0 {
                    menu.cursor = menu.cursor.saturating_add_signed(delta).min(len - 1);
                }
                follow(&mut menu.cursor, &mut menu.offset, len, height);
                return vec![];
            }
            if matches!(
                key.code,
                KeyCode::Esc | KeyCode::Backspace | KeyCode::Char('h')
            ) {
                let parent = menu.parent.take();
                state.overlay = parent.map(|p| Overlay::Menu(*p));
                return vec![];
            }
            if key.code == KeyCode::Char('q') {
                state.overlay = None;
                return vec![];
            }
            if matches!(
                key.code,
                KeyCode::Enter | KeyCode::Char('l') | KeyCode::Right
            ) {
                let Some(item) = menu.items.get(menu.cursor).cloned() else {
                    return vec![];
                };
                return choose(state, item.choice);
            }
            vec![]
        }
    }
}

pub(super) fn choose(state: &mut AppState, choice: Choice) -> Vec<Effect> {
    let Some(Overlay::Menu(menu)) = state.overlay.take() else {
        return vec![];
    };
    match choice {
        Choice::ToggleNegate => {
            let mut menu = menu;
            menu.negate = !menu.negate;
            if let Some(item) = menu.items.last_mut() {
                item.label = if menu.negate {
                    "negate the next choice (!): ON".into()
                } else {
                    "negate the next choice (!)".into()
                };
            }
            state.overlay = Some(Overlay::Menu(menu));
            vec![]
        }
        Choice::Open(which) => {
            let mut sub = Menu::submenu(which, state.data.as_ref());
            sub.negate = menu.negate;
            sub.parent = Some(Box::new(menu));
            state.overlay = Some(Overlay::Menu(sub));
            vec![]
        }
        Choice::Token(token) => {
            let token = if menu.negate {
                format!("!{token}")
            } else {
                token
            };
            let mut query = state.users.query.trim_end().to_owned();
            if !query.is_empty() {
                query.push(' ');
            }
            query.push_str(&token);
            if let Some(input) = state.input.as_mut() {
                input.text = query.clone();
                input.cursor = query.chars().count();
            }
            show_users(state, query, None)
        }
        Choice::Queue(kind) => enqueue(state, kind),
        Choice::Sort(key) => {
            let mut sort = state.users.sort.clone();
            if sort.key == key {
                sort.descending = !sort.descending;
            } else {
                // Most inactive and largest first: what a review looks for.
                sort.descending = matches!(key, SortKey::Inactivity(_) | SortKey::Groups);
                sort.key = key;
            }
            state.users.sort = sort;
            filter(state).into_iter().collect()
        }
    }
}
