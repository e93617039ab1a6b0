//! History's items: Enter (or f, s, a) on a batch lists its items, read from the journal off
//! the UI thread; f, s and a filter them; Esc goes back to the batches; b gives back to the
//! user under the cursor what the batch took.

#[allow(unused_imports)]
use super::*;
use crate::tui::batch_items::{BatchItems, ItemFilter, ItemsPanel};
use std::sync::Arc;

/// Enter, f, s, a in History: open the batch's items through `filter`; with them open, show
/// them through it (the same key again: every item).
pub(super) fn show_items(state: &mut AppState, filter: ItemFilter) -> Vec<Effect> {
    if let Some(p) = state.history.items.as_mut() {
        p.filter = if p.filter == filter {
            ItemFilter::All
        } else {
            filter
        };
        p.cursor = 0;
        p.offset = 0;
        return vec![];
    }
    let Some(batch) = state
        .history
        .batches
        .get(state.history.list.cursor)
        .map(|b| b.id)
    else {
        flash(state, Level::Info, "no batch here");
        return vec![];
    };
    state.history.items = Some(ItemsPanel {
        batch,
        filter,
        ..ItemsPanel::default()
    });
    load_items(state).into_iter().collect()
}

/// Asks for the open batch's items again (a new generation: answers to older loads are stale).
pub(super) fn load_items(state: &mut AppState) -> Option<Effect> {
    state.history.items_requested += 1;
    let generation = state.history.items_requested;
    let panel = state.history.items.as_mut()?;
    panel.generation = generation;
    Some(Effect::LoadBatchItems {
        batch: panel.batch,
        generation,
    })
}

/// The items arrived: kept only if they answer the newest load of the panel still open.
pub(super) fn on_items(
    state: &mut AppState,
    generation: u64,
    result: Result<Arc<BatchItems>, String>,
) -> Vec<Effect> {
    let Some(panel) = state
        .history
        .items
        .as_mut()
        .filter(|p| p.generation == generation)
    else {
        return vec![];
    };
    match result {
        Ok(data) => {
            panel.data = Some(data);
            panel.error = None;
        }
        Err(message) => {
            let batch = panel.batch;
            panel.error = Some(message.clone());
            flash(
                state,
                Level::Warn,
                format!("the items of batch {batch} could not be read: {message}"),
            );
        }
    }
    clamp_items(state);
    vec![]
}

/// Esc in History with the items open: back to the batches.
pub(super) fn close_items(state: &mut AppState) -> bool {
    state.view == View::History && state.history.items.take().is_some()
}

/// Moves the items' cursor; false when no items are open (the batches move instead).
pub(super) fn move_items(state: &mut AppState, delta: isize) -> bool {
    let height = layout::items_rows(state.size);
    let Some(p) = state.history.items.as_mut() else {
        return false;
    };
    let len = p.len();
    if len > 0 {
        p.cursor = p.cursor.saturating_add_signed(delta).min(len - 1);
    }
    follow(&mut p.cursor, &mut p.offset, len, height);
    true
}

pub(super) fn clamp_items(state: &mut AppState) {
    let height = layout::items_rows(state.size);
    if let Some(p) = state.history.items.as_mut() {
        let len = p.len();
        follow(&mut p.cursor, &mut p.offset, len, height);
    }
}

/// `b` in History: with the items open, give back to the user under the cursor; else the
/// command line, ready for a user to be typed.
pub(super) fn give_back_history(state: &mut AppState) -> Vec<Effect> {
    let picked = state
        .history
        .items
        .as_ref()
        .filter(|_| state.view == View::History)
        .map(|p| (p.batch, p.current().map(|i| i.account_id.clone())));
    match picked {
        None => {
            give_back_line(state);
            vec![]
        }
        Some((_, None)) => {
            flash(state, Level::Info, "no item here to give back");
            vec![]
        }
        Some((batch, Some(who))) => {
            if batch_running(state) {
                flash(
                    state,
                    Level::Warn,
                    "a batch is running: wait for it, then give back",
                );
                return vec![];
            }
            vec![Effect::WriteGiveBack { batch, who }]
        }
    }
}

/// A batch finished: its items, if open, are read again.
pub(super) fn reload_items_of(state: &mut AppState, batch: i64) -> Option<Effect> {
    if state
        .history
        .items
        .as_ref()
        .is_some_and(|p| p.batch == batch)
    {
        return load_items(state);
    }
    None
}
