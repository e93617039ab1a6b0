//! The mouse: clicks pick rows and tabs, the wheel scrolls.

#[allow(unused_imports)]
use super::*;

pub(super) fn on_mouse(state: &mut AppState, m: MouseEvent) -> Vec<Effect> {
    if layout::too_small(state.size) {
        return vec![];
    }
    match m.kind {
        MouseEventKind::ScrollDown => {
            scroll_overlay_or_move(state, WHEEL_ROWS as isize);
            vec![]
        }
        MouseEventKind::ScrollUp => {
            scroll_overlay_or_move(state, -(WHEEL_ROWS as isize));
            vec![]
        }
        MouseEventKind::Down(MouseButton::Left) => {
            if state.overlay.is_some() {
                return vec![];
            }
            let areas = layout::areas(state.size);
            if m.row == areas.title.y {
                if let Some(v) = layout::tab_at(state.size, m.column) {
                    state.view = v;
                }
                return vec![];
            }
            // The first body row is the table header.
            let first = areas.body.y + 1;
            if m.row < first || m.row >= areas.body.y + areas.body.height {
                return vec![];
            }
            let row = (m.row - first) as usize;
            match state.view {
                View::Users if state.users.offset + row < state.users.rows.len() => {
                    state.users.cursor = state.users.offset + row;
                }
                View::Groups => {
                    let len = state.data.as_ref().map_or(0, |d| d.dir.groups.len());
                    // What the view answers takes the lines above its table.
                    let row = row.checked_sub(layout::GROUPS_HEADER as usize);
                    if let Some(row) = row.filter(|r| state.groups.offset + r < len) {
                        state.groups.cursor = state.groups.offset + row;
                    }
                }
                _ => {}
            }
            vec![]
        }
        _ => vec![],
    }
}

pub(super) fn scroll_overlay_or_move(state: &mut AppState, delta: isize) {
    match state.overlay.as_mut() {
        Some(Overlay::Help { scroll, .. } | Overlay::Details { scroll, .. }) => {
            *scroll = scroll.saturating_add_signed(delta);
        }
        Some(Overlay::Confirm(c)) => c.scroll = c.scroll.saturating_add_signed(delta),
        // The wheel down is newer: towards the bottom of the log.
        Some(Overlay::Log { back }) => {
            *back = back
                .saturating_add_signed(-delta)
                .min(state.log.len().saturating_sub(1))
        }
        Some(Overlay::QuitConfirm | Overlay::AskQueueEdit { .. }) => {}
        Some(Overlay::Menu(menu)) => {
            let len = menu.shown.len();
            if len > 0 {
                menu.cursor = menu.cursor.saturating_add_signed(delta).min(len - 1);
            }
        }
        None => move_by(state, delta),
    }
}
