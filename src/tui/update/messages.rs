//! The message log and the status line: which keys clear the newest message. A key that does
//! something clears it; one that does nothing (unbound, `j` on the last row, a lone `g`)
//! keeps it, so a message is not lost to a stray key. Every message stays in the log (`L`).

#[allow(unused_imports)]
use super::*;

/// Every message the console shows goes through here: into the log, and into the status line
/// until a key does something.
pub(super) fn flash(state: &mut AppState, level: Level, text: impl Into<String>) {
    let text = text.into();
    state.log.push(crate::tui::state::LogEntry {
        at: state.now,
        level,
        text: text.clone(),
    });
    state.flash = Some(Flash {
        text,
        level,
        at: state.now,
    });
}

/// What a key can change on screen, read cheaply (no pass over users, targets or items): a
/// key that leaves it as it was and asks for nothing did nothing.
#[derive(Debug, PartialEq)]
pub(super) struct Footprint {
    view: View,
    users: (usize, usize, u64, bool, String),
    marks: (usize, Option<usize>),
    lists: [(usize, usize); 4],
    activity: (usize, usize),
    rules_state: usize,
    queue: (usize, usize, bool, u64),
    items: Option<(i64, u64, usize, usize, crate::tui::batch_items::ItemFilter)>,
    input: Option<InputPrint>,
    overlay: String,
    batch: Option<(bool, bool)>,
    flags: (bool, bool, bool),
}

/// The line's text and place, Tab's cycle and the listing asked for: not its popup or the
/// listing's entries (up to thousands), which follow from these.
#[derive(Debug, PartialEq)]
struct InputPrint {
    text: String,
    cursor: usize,
    kind: InputKind,
    cycling: Option<usize>,
    asked: u64,
    tab_waiting: bool,
    listing: Option<(String, usize)>,
}

impl InputPrint {
    fn of(i: &QueryInput) -> InputPrint {
        let c = &i.complete;
        InputPrint {
            text: i.text.clone(),
            cursor: i.cursor,
            kind: i.kind,
            cycling: c.cycling,
            asked: c.asked,
            tab_waiting: c.tab_waiting,
            listing: c.listing.as_ref().map(|l| (l.dir.clone(), l.entries.len())),
        }
    }
}

impl Footprint {
    pub(super) fn of(state: &AppState) -> Footprint {
        let list = |l: &crate::tui::state::ListCursor| (l.cursor, l.offset);
        Footprint {
            view: state.view,
            users: (
                state.users.cursor,
                state.users.offset,
                state.users.requested,
                state.users.only.is_some(),
                format!("{:?}", state.users.sort),
            ),
            marks: (state.marks.len(), state.marks.anchor),
            lists: [
                list(&state.groups),
                list(&state.history.list),
                list(&state.rules.list),
                list(&state.queue.list),
            ],
            activity: (state.activity.product, state.activity.choice),
            rules_state: state.rules.state,
            queue: (
                state.queue.counts.operations,
                state.queue.counts.targets,
                state.queue.undo.is_some(),
                state.queue.view.requested,
            ),
            items: state
                .history
                .items
                .as_ref()
                .map(|p| (p.batch, p.generation, p.cursor, p.offset, p.filter)),
            input: state.input.as_ref().map(InputPrint::of),
            overlay: match &state.overlay {
                // A menu can list thousands of groups: its place, not its items.
                Some(Overlay::Menu(m)) => format!(
                    "menu {} {} {} {} {}",
                    m.title,
                    m.cursor,
                    m.offset,
                    m.negate,
                    m.items.len()
                ),
                other => format!("{other:?}"),
            },
            batch: state.batch.as_ref().map(|b| (b.paused, b.cancelling)),
            flags: (state.quit, state.quitting, state.review.is_some()),
        }
    }
}

/// After a key: a message it said stays; otherwise, if it did something, the status line's
/// message goes (it stays in the log).
pub(super) fn after_key(state: &mut AppState, before: &Footprint, said: u64, effects: &[Effect]) {
    if state.log.appended() != said {
        return;
    }
    if !effects.is_empty() || Footprint::of(state) != *before {
        state.flash = None;
    }
}

/// `L`: the log, newest at the bottom.
pub(super) fn open_log(state: &mut AppState) {
    state.input = None;
    state.overlay = Some(Overlay::Log { back: 0 });
}

/// Keys in the log: up is older, down newer; `L`, Esc or q close it.
pub(super) fn on_log_key(state: &mut AppState, command: Option<Command>) {
    let oldest = state.log.len().saturating_sub(1);
    let page = layout::table_rows(state.size).max(1);
    let Some(Overlay::Log { back }) = state.overlay.as_mut() else {
        return;
    };
    match command {
        Some(Command::Back | Command::Quit | Command::Log) => state.overlay = None,
        Some(Command::Up) => *back = (*back + 1).min(oldest),
        Some(Command::Down) => *back = back.saturating_sub(1),
        Some(Command::PageUp) => *back = (*back + page).min(oldest),
        Some(Command::PageDown) => *back = back.saturating_sub(page),
        // Other keys do nothing in the log (as in help).
        _ => {}
    }
}
