//! Keys in overlays (menus, dialogs, help, details) and what a menu choice does.

#[allow(unused_imports)]
use super::*;

pub(super) fn on_overlay_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let Some(overlay) = state.overlay.as_mut() else {
        return vec![];
    };
    // The overlay's own scope of the keymap: no global key applies inside it.
    let scope = match overlay {
        Overlay::Help { .. } | Overlay::Details { .. } | Overlay::Log { .. } => Scope::Reading,
        Overlay::QuitConfirm | Overlay::AskQueueEdit { .. } => Scope::Question,
        Overlay::Confirm(_) => Scope::Dialog,
        Overlay::Menu(_) => Scope::Menu,
    };
    let command = command_in(&key, scope);
    // `b` is the details pane's: in help it is a letter like any other.
    let is_help = matches!(overlay, Overlay::Help { .. });
    let command = command.filter(|c| !(is_help && *c == Command::GiveBack));
    // Menus and help narrow as you type (`menu::Narrow`).
    let typed = match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    };
    match overlay {
        Overlay::Help { scroll, filter } => {
            if narrow(filter, command, typed) {
                *scroll = 0;
                return vec![];
            }
            match command {
                Some(Command::Back | Command::Quit | Command::Help) => state.overlay = None,
                Some(Command::Log) => open_log(state),
                Some(Command::Down) => *scroll += 1,
                Some(Command::Up) => *scroll = scroll.saturating_sub(1),
                Some(Command::PageDown) => *scroll += 10,
                Some(Command::PageUp) => *scroll = scroll.saturating_sub(10),
                _ => {}
            }
            vec![]
        }
        Overlay::Details { scroll, .. } => {
            match command {
                Some(Command::Back | Command::Quit) => state.overlay = None,
                Some(Command::Log) => open_log(state),
                Some(Command::Down) => *scroll += 1,
                Some(Command::Up) => *scroll = scroll.saturating_sub(1),
                Some(Command::PageDown) => *scroll += 10,
                Some(Command::PageUp) => *scroll = scroll.saturating_sub(10),
                Some(Command::GiveBack) => return give_back_details(state),
                _ => {}
            }
            vec![]
        }
        Overlay::Log { .. } => {
            on_log_key(state, command);
            vec![]
        }
        Overlay::QuitConfirm => {
            state.overlay = None;
            if command == Some(Command::Yes) {
                return quit_now(state);
            }
            vec![]
        }
        Overlay::AskQueueEdit { .. } => {
            let Some(Overlay::AskQueueEdit { edit, .. }) = state.overlay.take() else {
                return vec![];
            };
            if command == Some(Command::Yes) {
                return edit_queue(state, edit);
            }
            vec![]
        }
        Overlay::Confirm(confirm) => {
            match (command, key.code) {
                (Some(Command::Back | Command::Quit), _) => state.overlay = None,
                (Some(Command::Toggle), _) => confirm.on_run = !confirm.on_run,
                (Some(Command::Left), _) => confirm.on_run = false,
                (Some(Command::Right), _) => confirm.on_run = true,
                (Some(Command::Down), _) => confirm.scroll += 1,
                (Some(Command::Up), _) => confirm.scroll = confirm.scroll.saturating_sub(1),
                (Some(Command::PageDown), _) => confirm.scroll += 10,
                (Some(Command::PageUp), _) => confirm.scroll = confirm.scroll.saturating_sub(10),
                (Some(Command::DeleteBack), _) => {
                    confirm.typed.pop();
                }
                (Some(Command::Open), _) if confirm.on_run => return confirm_run(state),
                (Some(Command::Open), _) => state.overlay = None,
                // The count typed to confirm: digits are text, not keys of the table.
                (None, KeyCode::Char(c)) if c.is_ascii_digit() => confirm.typed.push(c),
                _ => {}
            }
            vec![]
        }
        Overlay::Menu(menu) => {
            if narrow(&mut menu.filter, command, typed) {
                menu.refilter();
                return vec![];
            }
            let height = layout::table_rows(state.size).saturating_sub(4).max(1);
            let delta: Option<isize> = match command {
                Some(Command::PageDown) => Some(height as isize),
                Some(Command::PageUp) => Some(-(height as isize)),
                Some(Command::Down) => Some(1),
                Some(Command::Up) => Some(-1),
                _ => None,
            };
            if let Some(delta) = delta {
                let len = menu.shown.len();
                if len > 0 {
                    menu.cursor = menu.cursor.saturating_add_signed(delta).min(len - 1);
                }
                follow(&mut menu.cursor, &mut menu.offset, len, height);
                return vec![];
            }
            match command {
                Some(Command::Back | Command::DeleteBack) => {
                    let parent = menu.parent.take();
                    state.overlay = parent.map(|p| Overlay::Menu(*p));
                    vec![]
                }
                Some(Command::Quit) => {
                    state.overlay = None;
                    vec![]
                }
                Some(Command::Open) => {
                    let Some(item) = menu.current().cloned() else {
                        return vec![];
                    };
                    choose(state, item.choice)
                }
                _ => vec![],
            }
        }
    }
}

/// A key on a menu's or help's filter: typing, widening, clearing. True when the key was the
/// filter's. While nothing is typed, keys the scope binds keep their meaning; any other
/// character starts the filter, and `/` starts it for every character.
fn narrow(filter: &mut Narrow, command: Option<Command>, typed: Option<char>) -> bool {
    match (command, typed) {
        (Some(Command::Search), Some(_)) if !filter.active() => filter.typing = true,
        (_, Some(c)) if filter.active() => filter.text.push(c),
        // A space starts nothing: it only separates words once typing.
        (None, Some(c)) if c != ' ' => {
            filter.typing = true;
            filter.text.push(c);
        }
        (Some(Command::DeleteBack), _) if !filter.text.is_empty() => {
            filter.text.pop();
        }
        (Some(Command::DeleteBack), _) if filter.typing => filter.typing = false,
        // Esc clears first, then closes.
        (Some(Command::Back), _) if filter.active() => *filter = Narrow::default(),
        _ => return false,
    }
    true
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
            // Marks picked under `product:KEY` are most likely meant to lose that product.
            if which == crate::tui::menu::Submenu::RemoveProduct
                && let Some(data) = state.data.as_ref()
            {
                let held: Vec<String> = data.product_keys().map(str::to_owned).collect();
                if let Some(first) =
                    crate::tui::breakdown::query_products(&state.users.query, &held)
                        .into_iter()
                        .next()
                {
                    let wanted =
                        Choice::Queue(OperationKind::RemoveProductAccess { product: first });
                    if let Some(i) = sub
                        .shown
                        .iter()
                        .position(|&i| sub.items.get(i).is_some_and(|item| item.choice == wanted))
                    {
                        sub.cursor = i;
                    }
                }
            }
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
