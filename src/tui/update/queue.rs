//! The queue: what an action is for (the marks or the row under the cursor, once the rows
//! answer the query shown), adding to it, and edits: dropping rows or targets, asking first
//! when many would go, and `z`.

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
        QueueEdit::Clear => state.queue.counts.targets,
    };
    if dropped > HANDFUL {
        let what = match &edit {
            QueueEdit::RemoveOperation(id) => state
                .queue
                .ops
                .get(*id)
                .map(|o| {
                    format!(
                        "Remove \"{}\" for {} from the queue?",
                        o.kind.describe(),
                        plural(dropped, "target")
                    )
                })
                .unwrap_or_default(),
            _ => format!(
                "Empty the queue ({}, {})?",
                plural(state.queue.ops.operations().len(), "operation"),
                plural(dropped, "target")
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
        QueueEdit::RemoveOperation(id) => state.queue.ops.get(id).is_some(),
        QueueEdit::RemoveTarget(id, ref account) => state
            .queue
            .ops
            .get(id)
            .is_some_and(|o| o.targets.iter().any(|t| t == account)),
        QueueEdit::Clear => !state.queue.ops.is_empty(),
    };
    if !removed {
        return vec![];
    }
    state.queue.edit(|q| match edit {
        QueueEdit::RemoveOperation(id) => q.remove_operation(id),
        QueueEdit::RemoveTarget(id, account) => q.remove_target(id, &account),
        QueueEdit::Clear => {
            q.clear();
            true
        }
    });
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
    let now = state.queue.ops.clone();
    state.queue.set(previous);
    state.queue.undo = Some(now);
    flash(state, Level::Info, "queue edit undone (z again redoes it)");
    queue_changed(state)
}

/// `s` in the Queue view: the next order of the targets.
pub(super) fn next_queue_sort(state: &mut AppState) -> Vec<Effect> {
    let v = &mut state.queue.view;
    v.sort = v.sort.next();
    state.queue.list = Default::default();
    sort_queue(state).into_iter().collect()
}

/// `f` in the Queue view: every target, then the held-out ones, then each operation's.
pub(super) fn next_queue_filter(state: &mut AppState) -> Vec<Effect> {
    use crate::tui::queue_view::QueueFilter;
    let ids: Vec<crate::plan::OperationId> =
        state.queue.ops.operations().iter().map(|o| o.id).collect();
    let v = &mut state.queue.view;
    v.filter = match v.filter {
        QueueFilter::All => QueueFilter::HeldOut,
        QueueFilter::HeldOut => ids
            .first()
            .map_or(QueueFilter::All, |&id| QueueFilter::Action(id)),
        QueueFilter::Action(id) => ids
            .iter()
            .skip_while(|&&o| o != id)
            .nth(1)
            .map_or(QueueFilter::All, |&next| QueueFilter::Action(next)),
    };
    state.queue.list = Default::default();
    sort_queue(state).into_iter().collect()
}

/// Asks for the Queue view's rows in its order and filter (none: as queued, unfiltered).
pub(super) fn sort_queue(state: &mut AppState) -> Option<Effect> {
    use crate::tui::queue_view::QueueFilter;
    let v = &mut state.queue.view;
    // A filter on an operation no longer queued shows every target again.
    if let QueueFilter::Action(id) = v.filter
        && state.queue.ops.get(id).is_none()
    {
        v.filter = QueueFilter::All;
    }
    if v.is_plain() {
        v.rows = None;
        v.shown = v.requested;
        clamp_all(state);
        return None;
    }
    v.requested += 1;
    Some(Effect::SortQueue {
        generation: v.requested,
        queue: state.queue.ops.clone(),
        plan: state.queue.plan.as_ref().map(|p| p.plan.clone()),
        directory: state.data.as_ref().map(|d| d.dir.clone()),
        sort: v.sort,
        filter: v.filter,
    })
}

/// The Queue view's rows arrived: kept only when they answer the newest order asked (an
/// older answer landing first is of another sort, filter or queue) and the view did not go
/// back to the queue as queued.
pub(super) fn on_queue_rows(
    state: &mut AppState,
    generation: u64,
    rows: std::sync::Arc<crate::tui::queue_view::QueueRows>,
) -> Vec<Effect> {
    let v = &mut state.queue.view;
    if v.is_plain() || generation != v.requested {
        return vec![];
    }
    v.shown = generation;
    v.rows = Some(rows);
    clamp_all(state);
    vec![]
}

/// Account ids the next action is for: the marks, else the user under the cursor.
pub(super) fn targets(state: &AppState) -> Vec<String> {
    if !state.marks.is_empty() {
        return state.marks.ids.iter().cloned().collect();
    }
    let user = state.current_user().and_then(|ix| {
        state
            .data
            .as_ref()
            .and_then(|d| d.dir.users.get(ix as usize))
    });
    user.map(|u| vec![u.account_id.clone()]).unwrap_or_default()
}

/// Why rows on screen may not be acted on now: the query does not parse, or its rows are
/// still coming. None when they are the answer to the query shown.
pub(super) fn rows_not_ready(state: &AppState) -> Option<String> {
    if let Some(e) = &state.users.error {
        return Some(format!(
            "the query does not parse ({e}): fix it first, nothing was marked or queued"
        ));
    }
    // Marks are by id and do not wait for the rows; the row under the cursor does.
    if state.users.mark_all_pending || (state.users.pending() && state.marks.is_empty()) {
        return Some("the filter is still running: try again in a moment".into());
    }
    None
}

pub(super) fn enqueue(state: &mut AppState, kind: OperationKind) -> Vec<Effect> {
    if let Some(why) = rows_not_ready(state) {
        flash(state, Level::Warn, why);
        return vec![];
    }
    let targets = targets(state);
    if targets.is_empty() {
        flash(state, Level::Warn, "no user to queue: mark some with Space");
        return vec![];
    }
    let what = kind.describe();
    let n = targets.len();
    // Marks from one query keep it, so the plan checks its idle:N; the rest are hand-picked.
    let origin = if state.marks.is_empty() {
        None
    } else {
        state.marks.from_query.clone()
    };
    remember_queue(state);
    state.queue.edit(|q| q.add_from(kind, origin, targets));
    state.marks.clear();
    let c = state.queue.counts;
    flash(
        state,
        Level::Info,
        format!(
            "queued: {what} for {} (queue: {}, {}; A reviews)",
            plural(n, "user"),
            plural(c.operations, "operation"),
            plural(c.targets, "target")
        ),
    );
    queue_changed(state)
}
