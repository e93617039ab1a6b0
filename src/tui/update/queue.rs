//! Queue edits: dropping rows or targets, asking first when many would go, and `z`.

#[allow(unused_imports)]
use super::*;

/// Targets a queue edit may drop without asking first.
pub const HANDFUL: usize = 5;

/// Keeps the queue as it is before an edit, for one `z`.
pub(super) fn remember_queue(state: &mut AppState) {
    state.queue.undo = Some(state.queue.ops.clone());
}

/// Removes the queue row under the cursor: a target, or a whole operation (asking first when
/// it drops more than a handful of targets).
pub(super) fn remove_queue_row(state: &mut AppState) -> Vec<Effect> {
    let edit = match state.queue.row(state.queue.list.cursor) {
        Some(QueueRow::Operation(op)) => QueueEdit::RemoveOperation(op.id),
        Some(QueueRow::Target(op, account)) => QueueEdit::RemoveTarget(op.id, account.to_owned()),
        None => return vec![],
    };
    ask_or_edit(state, edit)
}

/// Runs a queue edit, or asks first when it drops more than [`HANDFUL`] targets.
pub(super) fn ask_or_edit(state: &mut AppState, edit: QueueEdit) -> Vec<Effect> {
    let dropped = match &edit {
        QueueEdit::RemoveOperation(id) => state.queue.ops.get(*id).map_or(0, |o| o.targets.len()),
        QueueEdit::RemoveTarget(..) => 1,
        QueueEdit::Clear => state.queue.ops.counts().targets,
    };
    if dropped > HANDFUL {
        let what = match &edit {
            QueueEdit::RemoveOperation(id) => state
                .queue
                .ops
                .get(*id)
                .map(|o| {
                    format!(
                        "Remove \"{}\" for {} targets from the queue?",
                        o.kind.describe(),
                        thousands(dropped)
                    )
                })
                .unwrap_or_default(),
            _ => format!(
                "Empty the queue ({} operations, {} targets)?",
                state.queue.ops.operations().len(),
                thousands(dropped)
            ),
        };
        state.overlay = Some(Overlay::AskQueueEdit { edit, text: what });
        return vec![];
    }
    edit_queue(state, edit)
}

pub(super) fn edit_queue(state: &mut AppState, edit: QueueEdit) -> Vec<Effect> {
    let before = state.queue.ops.clone();
    let removed = match edit {
        QueueEdit::RemoveOperation(id) => state.queue.ops.remove_operation(id),
        QueueEdit::RemoveTarget(id, account) => state.queue.ops.remove_target(id, &account),
        QueueEdit::Clear => {
            let any = !state.queue.ops.is_empty();
            state.queue.ops.clear();
            any
        }
    };
    if !removed {
        return vec![];
    }
    state.queue.undo = Some(before);
    flash(state, Level::Info, "removed from the queue (z undoes)");
    queue_changed(state)
}

/// `z`/`u` in the Queue view: back to the queue before the last edit; again, forward.
pub(super) fn undo_queue_edit(state: &mut AppState) -> Vec<Effect> {
    let Some(previous) = state.queue.undo.take() else {
        flash(state, Level::Info, "no queue edit to undo");
        return vec![];
    };
    let now = std::mem::replace(&mut state.queue.ops, previous);
    state.queue.undo = Some(now);
    flash(state, Level::Info, "queue edit undone (z again redoes it)");
    queue_changed(state)
}
