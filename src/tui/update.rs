//! The one place the console's state changes: `update(&mut AppState, Action) -> Vec<Effect>`.
//! Pure: no clock, no I/O, no terminal. Keys become commands through the keymap; results of
//! background work arrive as actions too.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton};
use ratatui::crossterm::event::{MouseEvent, MouseEventKind};

use super::action::{Action, Effect};
use super::keymap::{Command, command_for};
use super::layout::{self, follow};
use super::loaded::{Loaded, Origin};
use super::menu::{Choice, Menu, quote};
use super::state::{
    ACTIVITY_CHOICES, AppState, Confirm, Fetch, Flash, InputKind, Level, Overlay, PRESETS,
    QueryInput, QueueEdit, QueueRow, Subject, View,
};
use crate::domain::Bucket;
use crate::filter::{FilterRequest, SortKey};
use crate::plan::{OperationKind, PlanFile, Queue, context_for};

/// The users who count against a licence, as a query: what the Activity view's bars count.
pub const SEAT_HOLDERS: &str =
    "type:atlassian !status:suspended !status:deactivated !status:for_deletion";

/// How long a status-line message stays.
const FLASH_SECONDS: i64 = 6;
/// Rows a mouse wheel notch moves.
const WHEEL_ROWS: usize = 3;

/// The effects to run when the console starts: read the snapshot, and fetch when asked to.
pub fn start(state: &mut AppState, fetch_now: bool) -> Vec<Effect> {
    // History too: a batch left running by a quit or a crash is offered at once.
    let mut effects = vec![Effect::LoadSnapshot, Effect::LoadQueue, Effect::LoadHistory];
    if fetch_now && state.session.online {
        state.fetch = Fetch::Running {
            fetched: 0,
            total: None,
            groups: None,
        };
        effects.push(Effect::Fetch);
    }
    effects
}

pub fn update(state: &mut AppState, action: Action) -> Vec<Effect> {
    let effects = dispatch(state, action);
    state.marks_hidden = state.marks.hidden(&state.users.shown_set);
    effects
}

fn dispatch(state: &mut AppState, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(key) if key.kind != KeyEventKind::Release => on_key(state, key),
        Action::Key(_) => vec![],
        Action::Mouse(m) => on_mouse(state, m),
        Action::Resize(w, h) => {
            state.size = (w, h);
            clamp_all(state);
            vec![]
        }
        Action::Tick(now) => {
            state.now = now;
            if state.flash.as_ref().is_some_and(|f| f.until <= now) {
                state.flash = None;
            }
            vec![]
        }
        Action::SnapshotLoaded { loaded, notice } => {
            if let Some(n) = notice {
                flash(state, Level::Warn, n);
            }
            match loaded {
                // A complete fetch of this run is newer than any snapshot.
                Some(l) if !matches!(state.data.as_ref().map(|d| d.origin), Some(Origin::Live)) => {
                    set_data(state, l)
                }
                Some(_) => vec![],
                None if state.data.is_none() && state.fetch == Fetch::Idle => {
                    if state.session.online {
                        start_fetch(state)
                    } else {
                        flash(
                            state,
                            Level::Warn,
                            "no local snapshot yet: run seats without --offline once to fetch the org",
                        );
                        vec![]
                    }
                }
                None => vec![],
            }
        }
        Action::FetchProgress {
            fetched,
            total,
            groups,
        } => {
            if matches!(state.fetch, Fetch::Running { .. }) {
                state.fetch = Fetch::Running {
                    fetched,
                    total,
                    groups,
                };
            }
            vec![]
        }
        Action::Partial(l) => {
            let showing_partial = match &state.data {
                None => true,
                Some(d) => d.origin == Origin::Partial,
            };
            if showing_partial && matches!(state.fetch, Fetch::Running { .. }) {
                set_data(state, l)
            } else {
                vec![]
            }
        }
        Action::Fetched(Ok(l)) => {
            state.fetch = Fetch::Idle;
            let n = l.dir.users.len();
            let dir = l.dir.clone();
            let mut effects = set_data(state, l);
            flash(
                state,
                Level::Info,
                format!("fetched {} users", thousands(n)),
            );
            effects.push(Effect::SaveSnapshot(dir));
            effects
        }
        Action::Fetched(Err(message)) => {
            flash(state, Level::Error, format!("refresh failed: {message}"));
            state.fetch = Fetch::Failed(message);
            vec![]
        }
        Action::SnapshotSaved(Ok(())) => vec![],
        Action::SnapshotSaved(Err(message)) => {
            flash(
                state,
                Level::Warn,
                format!("the snapshot was not saved: {message}"),
            );
            vec![]
        }
        Action::QueueLoaded(Ok(queue)) => {
            state.queue.queue = queue;
            clamp_all(state);
            plan(state).into_iter().collect()
        }
        Action::QueueLoaded(Err(message)) => {
            flash(
                state,
                Level::Warn,
                format!("the saved queue could not be read: {message}"),
            );
            vec![]
        }
        Action::Planned { generation, view } => {
            if generation >= state.queue.shown {
                state.queue.shown = generation;
                state.queue.plan = Some(view);
            }
            vec![]
        }
        Action::PlanWritten(Ok(path)) => {
            flash(state, Level::Info, format!("plan written to {path}"));
            vec![]
        }
        Action::PlanWritten(Err(message)) | Action::PlanRead(Err(message)) => {
            flash(state, Level::Error, message);
            vec![]
        }
        Action::PlanRead(Ok(file)) => match file.queue {
            Some(queue) => {
                let n = queue.counts().operations;
                state.queue.queue = queue;
                state.queue.list = Default::default();
                state.view = View::Queue;
                flash(
                    state,
                    Level::Info,
                    format!("read a plan of {n} operations into the queue"),
                );
                queue_changed(state)
            }
            // Fixed steps (an undo or retry plan): reviewed as they are, in the same dialog.
            None => {
                let source = file
                    .query
                    .clone()
                    .unwrap_or_else(|| "a plan file read with :read".into());
                open_review(
                    state,
                    super::state::FileReview::new(*file, source, Vec::new()),
                );
                vec![]
            }
        },
        Action::BatchStarted(Ok(id)) => {
            let dry_run = state.batch.as_ref().is_some_and(|b| b.dry_run);
            let from_queue = state.batch.as_ref().is_some_and(|b| b.from_queue);
            if let Some(b) = state.batch.as_mut() {
                b.id = Some(id);
            }
            flash(
                state,
                Level::Info,
                format!(
                    "batch {id} started{}",
                    if dry_run { " (dry run)" } else { "" }
                ),
            );
            if dry_run || !from_queue {
                return vec![Effect::LoadHistory];
            }
            // The batch now lives in the journal; the queue starts again empty, and `z` does
            // not bring back what was just sent.
            state.queue.undo = None;
            state.queue.queue = Queue::new();
            let mut effects = queue_changed(state);
            effects.push(Effect::LoadHistory);
            effects
        }
        Action::BatchStarted(Err(message)) => {
            if let Some(b) = state.batch.as_mut() {
                b.finished = Some(format!("not started: {message}"));
            }
            flash(
                state,
                Level::Error,
                format!("the batch did not start: {message}"),
            );
            vec![]
        }
        Action::Exec(event) => on_exec(state, event),
        Action::History(Ok(batches)) => {
            state.history.batches = batches;
            clamp_all(state);
            // Once a session: a batch a quit or a crash left open is offered, not forgotten.
            let interrupted: Vec<i64> = state
                .history
                .batches
                .iter()
                .filter(|b| state.is_interrupted(b))
                .map(|b| b.id)
                .collect();
            if !interrupted.is_empty() && !state.history.announced {
                state.history.announced = true;
                let ids: Vec<String> = interrupted.iter().map(i64::to_string).collect();
                flash(
                    state,
                    Level::Warn,
                    format!(
                        "batch {} was interrupted: 5 opens History, c resumes it",
                        ids.join(", ")
                    ),
                );
            }
            vec![]
        }
        Action::Review(Ok(review)) => {
            open_review(state, *review);
            vec![]
        }
        Action::Review(Err(message)) => {
            flash(state, Level::Error, message);
            vec![]
        }
        Action::BatchStopped => {
            if state.quitting {
                state.quit = true;
            }
            vec![]
        }
        Action::History(Err(message)) => {
            flash(
                state,
                Level::Warn,
                format!("the history could not be read: {message}"),
            );
            vec![]
        }
        Action::Filtered(result, set) => {
            // Results arrive in order; an older one than shown is stale, and so is a provisional
            // one of the generation shown (its final result may follow it, never precede it).
            let stale = result.generation < state.users.shown
                || (result.generation == state.users.shown && result.provisional);
            if stale && state.users.shown != 0 {
                return vec![];
            }
            state.users.shown = result.generation;
            state.users.took = Some(result.took);
            match result.error {
                Some(e) => {
                    // A query that does not parse matches nothing: rows of an earlier query
                    // would be a lie, and Ctrl-a or a would act on them.
                    state.users.error = Some(e);
                    state.users.rows = Default::default();
                    state.users.shown_set = Default::default();
                }
                None => {
                    state.users.error = None;
                    state.users.rows = result.rows;
                    state.users.shown_set = set;
                }
            }
            clamp_all(state);
            if state.users.mark_all_pending && !state.users.pending() {
                state.users.mark_all_pending = false;
                mark_all(state);
            }
            vec![]
        }
    }
}

/// Opens the confirm dialog on a plan file's fixed steps (on Cancel, like every review).
fn open_review(state: &mut AppState, review: super::state::FileReview) {
    if batch_running(state) {
        flash(
            state,
            Level::Warn,
            format!(
                "{} is ready, but a batch is running: wait for it, then review it again",
                review.source
            ),
        );
        return;
    }
    state.review = Some(review);
    state.input = None;
    state.overlay = Some(Overlay::Confirm(Confirm {
        subject: Subject::File,
        ..Confirm::default()
    }));
}

fn flash(state: &mut AppState, level: Level, text: impl Into<String>) {
    state.flash = Some(Flash {
        text: text.into(),
        level,
        until: state.now + chrono::Duration::seconds(FLASH_SECONDS),
    });
}

/// Swaps in new data, keeping the open details on the same user, and filters it again.
fn set_data(state: &mut AppState, loaded: Loaded) -> Vec<Effect> {
    let keep = match &state.overlay {
        Some(Overlay::Details { user, .. }) => state
            .data
            .as_ref()
            .and_then(|d| d.dir.users.get(*user as usize))
            .map(|u| u.account_id.clone()),
        _ => None,
    };
    if let Some(id) = keep {
        // Once per new snapshot, not per frame.
        match loaded.dir.users.iter().position(|u| u.account_id == id) {
            Some(ix) => {
                if let Some(Overlay::Details { user, .. }) = &mut state.overlay {
                    *user = ix as u32;
                }
            }
            None => state.overlay = None,
        }
    }
    let groups = loaded.dir.groups.len();
    state.marks.remap(&loaded.dir);
    state.data = Some(loaded);
    let replan = plan(state);
    follow(
        &mut state.groups.cursor,
        &mut state.groups.offset,
        groups,
        layout::table_rows(state.size),
    );
    filter(state).into_iter().chain(replan).collect()
}

/// Asks for the plan of the queue against the data on screen (none for an empty queue).
fn plan(state: &mut AppState) -> Option<Effect> {
    let data = state.data.as_ref()?;
    if state.queue.queue.is_empty() {
        state.queue.plan = None;
        state.queue.shown = state.queue.requested;
        return None;
    }
    state.queue.requested += 1;
    let myself: Vec<&str> = state.session.myself.iter().map(String::as_str).collect();
    Some(Effect::BuildPlan {
        generation: state.queue.requested,
        directory: data.dir.clone(),
        queue: state.queue.queue.clone(),
        // The same context `seats plan` makes; the task adds the same direct-grant look-up.
        context: Box::new(context_for(&state.config, &myself)),
    })
}

/// The queue changed: keep it, and plan it again.
fn queue_changed(state: &mut AppState) -> Vec<Effect> {
    clamp_all(state);
    let mut effects = vec![Effect::SaveQueue(state.queue.queue.clone())];
    effects.extend(plan(state));
    effects
}

/// Account ids the next action is for: the marks, else the user under the cursor.
fn targets(state: &AppState) -> Vec<String> {
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
fn rows_not_ready(state: &AppState) -> Option<String> {
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

fn enqueue(state: &mut AppState, kind: OperationKind) -> Vec<Effect> {
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
    state.queue.queue.add_from(kind, origin, targets);
    state.marks.clear();
    let c = state.queue.queue.counts();
    flash(
        state,
        Level::Info,
        format!(
            "queued: {what} for {n} users (queue: {} operations, {} targets; A reviews)",
            c.operations, c.targets
        ),
    );
    queue_changed(state)
}

/// `:` commands. Unknown ones say what exists.
fn run_command(state: &mut AppState, line: &str) -> Vec<Effect> {
    let line = line.trim();
    let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
    let rest = rest.trim();
    match word {
        "" => vec![],
        "q" | "quit" => run(state, Command::Quit, false),
        "w" | "write" => {
            if rest.is_empty() {
                flash(
                    state,
                    Level::Error,
                    ":write needs a file name, e.g. :write plan.json",
                );
                return vec![];
            }
            match state.queue.plan.as_ref() {
                Some(view) if !state.queue.plan_pending() => {
                    let file = PlanFile::new(
                        &view.plan,
                        &state.queue.queue,
                        state.session.profile.clone(),
                        state.queue.queue.query().map(str::to_owned),
                        state.now,
                    );
                    vec![Effect::WritePlan {
                        path: rest.into(),
                        file: Box::new(file),
                    }]
                }
                _ => {
                    flash(
                        state,
                        Level::Warn,
                        "nothing planned yet: queue an action first",
                    );
                    vec![]
                }
            }
        }
        "r" | "read" => {
            if rest.is_empty() {
                flash(
                    state,
                    Level::Error,
                    ":read needs a file name, e.g. :read plan.json",
                );
                return vec![];
            }
            vec![Effect::ReadPlan(rest.into())]
        }
        "suspend" => enqueue(state, OperationKind::Suspend),
        "restore" => enqueue(state, OperationKind::Restore),
        "remove-from-directory" => enqueue(state, OperationKind::RemoveFromDirectory),
        "deactivate" => enqueue(state, OperationKind::Deactivate),
        "reactivate" => enqueue(state, OperationKind::Reactivate),
        "remove-product" | "remove-product-access" => {
            let known = state
                .data
                .as_ref()
                .map(|d| d.dir.product_keys())
                .unwrap_or_default();
            // The one alias table (jsw, jsm, ...), as the query language and `--product`.
            let product =
                crate::domain::resolve_product_key(rest, known.iter().map(String::as_str))
                    .filter(|k| known.contains(k));
            if let Some(product) = product {
                enqueue(state, OperationKind::RemoveProductAccess { product })
            } else {
                flash(
                    state,
                    Level::Error,
                    format!(":remove-product needs one of: {}", known.join(", ")),
                );
                vec![]
            }
        }
        "remove-group" => {
            let group = state.data.as_ref().and_then(|d| {
                d.dir
                    .groups
                    .iter()
                    .find(|g| g.name.eq_ignore_ascii_case(rest))
                    .map(|g| (g.id.clone(), g.name.clone()))
            });
            match group {
                Some((group_id, group_name)) => enqueue(
                    state,
                    OperationKind::RemoveFromGroup {
                        group_id,
                        group_name,
                    },
                ),
                None => {
                    flash(state, Level::Error, format!("no group named {rest:?}"));
                    vec![]
                }
            }
        }
        "clear-queue" => ask_or_edit(state, QueueEdit::Clear),
        other => {
            flash(
                state,
                Level::Error,
                format!(
                    "unknown command :{other}; commands: write FILE, read FILE, suspend, restore, \
                     remove-product KEY, remove-group NAME, remove-from-directory, deactivate, \
                     reactivate, clear-queue, quit"
                ),
            );
            vec![]
        }
    }
}

/// Targets a queue edit may drop without asking first.
pub const HANDFUL: usize = 5;

/// Keeps the queue as it is before an edit, for one `z`.
fn remember_queue(state: &mut AppState) {
    state.queue.undo = Some(state.queue.queue.clone());
}

/// Removes the queue row under the cursor: a target, or a whole operation (asking first when
/// it drops more than a handful of targets).
fn remove_queue_row(state: &mut AppState) -> Vec<Effect> {
    let edit = match state.queue.row(state.queue.list.cursor) {
        Some(QueueRow::Operation(op)) => QueueEdit::RemoveOperation(op.id),
        Some(QueueRow::Target(op, account)) => QueueEdit::RemoveTarget(op.id, account.to_owned()),
        None => return vec![],
    };
    ask_or_edit(state, edit)
}

/// Runs a queue edit, or asks first when it drops more than [`HANDFUL`] targets.
fn ask_or_edit(state: &mut AppState, edit: QueueEdit) -> Vec<Effect> {
    let dropped = match &edit {
        QueueEdit::RemoveOperation(id) => state.queue.queue.get(*id).map_or(0, |o| o.targets.len()),
        QueueEdit::RemoveTarget(..) => 1,
        QueueEdit::Clear => state.queue.queue.counts().targets,
    };
    if dropped > HANDFUL {
        let what = match &edit {
            QueueEdit::RemoveOperation(id) => state
                .queue
                .queue
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
                state.queue.queue.operations().len(),
                thousands(dropped)
            ),
        };
        state.overlay = Some(Overlay::AskQueueEdit { edit, text: what });
        return vec![];
    }
    edit_queue(state, edit)
}

fn edit_queue(state: &mut AppState, edit: QueueEdit) -> Vec<Effect> {
    let before = state.queue.queue.clone();
    let removed = match edit {
        QueueEdit::RemoveOperation(id) => state.queue.queue.remove_operation(id),
        QueueEdit::RemoveTarget(id, account) => state.queue.queue.remove_target(id, &account),
        QueueEdit::Clear => {
            let any = !state.queue.queue.is_empty();
            state.queue.queue.clear();
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
fn undo_queue_edit(state: &mut AppState) -> Vec<Effect> {
    let Some(previous) = state.queue.undo.take() else {
        flash(state, Level::Info, "no queue edit to undo");
        return vec![];
    };
    let now = std::mem::replace(&mut state.queue.queue, previous);
    state.queue.undo = Some(now);
    flash(state, Level::Info, "queue edit undone (z again redoes it)");
    queue_changed(state)
}

/// The confirm dialog's Run: refused plans, untyped counts, plans still being built and plans
/// of a partial directory (until confirmed twice) stop here.
fn confirm_run(state: &mut AppState) -> Vec<Effect> {
    let Some(Overlay::Confirm(confirm)) = state.overlay.clone() else {
        return vec![];
    };
    let (file, source) = match confirm.subject {
        Subject::Queue => {
            let Some(view) = state.queue.plan.clone() else {
                return vec![];
            };
            if state.queue.plan_pending() {
                flash(
                    state,
                    Level::Info,
                    "the plan is being built again on new data: look at it, then run",
                );
                return vec![];
            }
            let plan = &view.plan;
            if let Some(r) = &plan.refusal {
                flash(state, Level::Error, r.describe());
                return vec![];
            }
            if let Some(note) = state.partial_note()
                && !confirm.partial_ok
            {
                if let Some(Overlay::Confirm(c)) = state.overlay.as_mut() {
                    c.partial_ok = true;
                }
                flash(
                    state,
                    Level::Warn,
                    format!("{note}: wait for the fetch, or press Enter again to run it as it is"),
                );
                return vec![];
            }
            let file = PlanFile::new(
                plan,
                &state.queue.queue,
                state.session.profile.clone(),
                state.queue.queue.query().map(str::to_owned),
                state.now,
            );
            (file, "console".to_owned())
        }
        Subject::File => {
            let Some(review) = state.review.clone() else {
                return vec![];
            };
            if let Some(r) = &review.file.refusal {
                flash(state, Level::Error, r.describe());
                return vec![];
            }
            // As written and reviewed: its identity is what the journal knows it by, so an
            // undo already applied is refused rather than run twice.
            (
                (*review.file).clone(),
                format!("console: {}", review.source),
            )
        }
    };
    let affected = affected_users(&file);
    if affected == 0 {
        flash(
            state,
            Level::Warn,
            "the plan changes nobody: every target is held out or a no-op",
        );
        return vec![];
    }
    if is_irreversible(&file) && confirm.typed.trim() != affected.to_string() {
        flash(
            state,
            Level::Warn,
            format!("this cannot be undone: type {affected} to confirm"),
        );
        return vec![];
    }
    state.overlay = None;
    let dry_run = state.session.dry_run;
    state.batch = Some(super::state::BatchRun {
        total: file.steps.len() as u64,
        dry_run,
        from_queue: confirm.subject == Subject::Queue,
        ..Default::default()
    });
    let mut effects = Vec::new();
    if dry_run {
        // What a dry run would have sent, kept for review (README: plans/ in the data dir).
        effects.push(Effect::SavePlan {
            name: format!("dry-run-{}.json", state.now.format("%Y%m%d-%H%M%S")),
            file: Box::new(file.clone()),
        });
    }
    effects.push(Effect::Execute {
        file: Box::new(file),
        dry_run,
        source,
    });
    effects
}

/// Distinct users with a step: the count the typed confirmation asks for.
pub fn affected_users(file: &PlanFile) -> usize {
    let ids: std::collections::HashSet<&str> =
        file.steps.iter().map(|s| s.account_id.as_str()).collect();
    ids.len()
}

/// Some step seats cannot undo.
pub fn is_irreversible(file: &PlanFile) -> bool {
    file.steps.iter().any(|s| s.change.inverse().is_none())
}

/// Quit, once confirmed: with a batch running, stop it first (the requests in flight finish
/// and are recorded; the rest stays open for a resume), then exit.
fn quit_now(state: &mut AppState) -> Vec<Effect> {
    if !batch_running(state) {
        state.quit = true;
        return vec![];
    }
    if state.quitting {
        return vec![];
    }
    state.quitting = true;
    let id = state.batch.as_ref().and_then(|b| b.id);
    flash(
        state,
        Level::Warn,
        "stopping the batch: requests in flight finish and are recorded, then seats quits",
    );
    vec![Effect::StopBatch(id)]
}

/// `c` in History: finish the interrupted batch under the cursor.
fn resume_batch(state: &mut AppState) -> Vec<Effect> {
    let Some(b) = state
        .history
        .batches
        .get(state.history.list.cursor)
        .cloned()
    else {
        return vec![];
    };
    if batch_running(state) {
        flash(
            state,
            Level::Warn,
            "a batch is running: wait for it, or cancel it with X",
        );
        return vec![];
    }
    if !state.is_interrupted(&b) {
        flash(
            state,
            Level::Info,
            format!("batch {} is {}: nothing to resume", b.id, b.status.as_str()),
        );
        return vec![];
    }
    if !state.session.online {
        flash(
            state,
            Level::Warn,
            "offline (--offline): run without it to resume a batch",
        );
        return vec![];
    }
    let c = b.counts;
    state.batch = Some(super::state::BatchRun {
        id: Some(b.id),
        done: c.done + c.dry_run,
        failed: c.failed,
        skipped: c.skipped,
        total: c.total(),
        dry_run: b.dry_run,
        ..Default::default()
    });
    flash(
        state,
        Level::Info,
        format!(
            "resuming batch {}: {} items left",
            b.id,
            thousands(c.open() as usize)
        ),
    );
    vec![Effect::ResumeBatch(b.id)]
}

fn batch_running(state: &AppState) -> bool {
    state.batch.as_ref().is_some_and(|b| b.running())
}

fn on_exec(state: &mut AppState, event: crate::exec::ExecEvent) -> Vec<Effect> {
    use crate::exec::{ExecEvent, ItemState, RunOutcome};
    let Some(b) = state.batch.as_mut() else {
        return vec![];
    };
    let push = |b: &mut super::state::BatchRun, e: String| {
        b.errors.push(e);
        let extra = b.errors.len().saturating_sub(super::state::BATCH_ERRORS);
        b.errors.drain(..extra);
    };
    match event {
        ExecEvent::Progress {
            done,
            failed,
            skipped,
            total,
            rate_per_min,
            eta,
        } => {
            (b.done, b.failed, b.skipped, b.total) = (done, failed, skipped, total);
            b.rate_per_min = rate_per_min;
            b.eta_secs = eta.map(|d| d.as_secs());
            vec![]
        }
        ExecEvent::ItemFinished {
            state: ItemState::Failed,
            name,
            change,
            error,
            ..
        } => {
            push(b, format!("{change} {name}: {}", error.unwrap_or_default()));
            vec![]
        }
        ExecEvent::ItemFinished { .. } => vec![],
        ExecEvent::Error { message } => {
            push(b, message);
            vec![]
        }
        ExecEvent::Finished {
            batch,
            outcome,
            counts,
        } => {
            let how = match outcome {
                RunOutcome::Completed => "finished".to_owned(),
                RunOutcome::Cancelled => "cancelled".to_owned(),
                RunOutcome::Stopped(why) => {
                    format!("stopped ({why}); c in History resumes it")
                }
            };
            let text = if b.dry_run {
                format!(
                    "dry run of batch {batch} {how}: {} would be sent, {} failed, {} skipped; nothing was changed",
                    counts.done + counts.dry_run,
                    counts.failed,
                    counts.skipped
                )
            } else {
                format!(
                    "batch {batch} {how}: {} done, {} failed, {} skipped",
                    counts.done, counts.failed, counts.skipped
                )
            };
            let dry_run = b.dry_run;
            b.finished = Some(text.clone());
            let level = if counts.failed > 0 {
                Level::Warn
            } else {
                Level::Info
            };
            flash(state, level, text);
            if state.quitting {
                state.quit = true;
                return vec![];
            }
            // The org changed: show it as it is now.
            let mut effects = vec![Effect::LoadHistory];
            if !dry_run {
                effects.extend(start_fetch(state));
            }
            effects
        }
    }
}

/// A filter request for the users table's query and sort, against the data on screen.
fn filter(state: &mut AppState) -> Option<Effect> {
    let data = state.data.as_ref()?;
    state.users.requested += 1;
    // A Ctrl-a waiting for the previous query's rows is not for this one.
    state.users.mark_all_pending = false;
    Some(Effect::Filter(FilterRequest {
        generation: state.users.requested,
        directory: data.dir.clone(),
        query: state.users.query.clone(),
        sort: state.users.sort.clone(),
    }))
}

fn start_fetch(state: &mut AppState) -> Vec<Effect> {
    if !state.session.online {
        flash(
            state,
            Level::Warn,
            "offline (--offline): showing the local snapshot; run without --offline to refresh",
        );
        return vec![];
    }
    if matches!(state.fetch, Fetch::Running { .. }) {
        flash(state, Level::Info, "a refresh is already running");
        return vec![];
    }
    state.fetch = Fetch::Running {
        fetched: 0,
        total: None,
        groups: None,
    };
    vec![Effect::Fetch]
}

fn clamp_all(state: &mut AppState) {
    let height = layout::table_rows(state.size);
    let len = state.users.rows.len();
    follow(
        &mut state.users.cursor,
        &mut state.users.offset,
        len,
        height,
    );
    let groups = state.data.as_ref().map_or(0, |d| d.dir.groups.len());
    follow(
        &mut state.groups.cursor,
        &mut state.groups.offset,
        groups,
        height,
    );
    let products = state.data.as_ref().map_or(0, |d| d.derived.activity.len());
    state.activity.product = state.activity.product.min(products.saturating_sub(1));
    let len = state.history.batches.len();
    let list = &mut state.history.list;
    follow(&mut list.cursor, &mut list.offset, len, height);
    let len = state.queue.rows_len();
    let list = &mut state.queue.list;
    follow(
        &mut list.cursor,
        &mut list.offset,
        len,
        queue_rows(state.size),
    );
}

fn on_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let ctrl_c = key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c');
    if ctrl_c || (layout::too_small(state.size) && key.code == KeyCode::Char('q')) {
        // Ctrl-C is `q`: one dialog; twice, it is the dialog's yes.
        if matches!(state.overlay, Some(Overlay::QuitConfirm)) {
            state.overlay = None;
            return quit_now(state);
        }
        state.input = None;
        return run(state, Command::Quit, false);
    }
    if layout::too_small(state.size) {
        return vec![];
    }
    if state.input.is_some() {
        return on_query_key(state, key);
    }
    if state.overlay.is_some() {
        return on_overlay_key(state, key);
    }
    let Some(command) = command_for(&key, state.view) else {
        state.pending_g = false;
        return vec![];
    };
    let was_g = std::mem::take(&mut state.pending_g);
    run(state, command, was_g)
}

/// Moves the cursor of the current view by `delta` rows (negative is up).
fn move_by(state: &mut AppState, delta: isize) {
    let height = layout::table_rows(state.size);
    let step = |cursor: usize, len: usize| -> usize {
        if len == 0 {
            0
        } else {
            cursor.saturating_add_signed(delta).min(len - 1)
        }
    };
    match state.view {
        View::Users => {
            let len = state.users.rows.len();
            state.users.cursor = step(state.users.cursor, len);
            follow(
                &mut state.users.cursor,
                &mut state.users.offset,
                len,
                height,
            );
        }
        View::Groups => {
            let len = state.data.as_ref().map_or(0, |d| d.dir.groups.len());
            state.groups.cursor = step(state.groups.cursor, len);
            follow(
                &mut state.groups.cursor,
                &mut state.groups.offset,
                len,
                height,
            );
        }
        View::Activity => {
            let len = state.data.as_ref().map_or(0, |d| d.derived.activity.len());
            state.activity.product = step(state.activity.product, len);
        }
        View::History => {
            let len = state.history.batches.len();
            let list = &mut state.history.list;
            list.cursor = step(list.cursor, len);
            follow(&mut list.cursor, &mut list.offset, len, height);
        }
        View::Queue => {
            let len = state.queue.rows_len();
            let list = &mut state.queue.list;
            list.cursor = step(list.cursor, len);
            follow(
                &mut list.cursor,
                &mut list.offset,
                len,
                queue_rows(state.size),
            );
        }
    }
}

/// Rows of the queue list on screen (the effect panel takes the top of the view).
pub fn queue_rows(size: (u16, u16)) -> usize {
    layout::table_rows(size).saturating_sub(super::ui::QUEUE_PANEL as usize)
}

fn page(state: &AppState) -> isize {
    layout::table_rows(state.size).max(1) as isize
}

fn run(state: &mut AppState, command: Command, was_g: bool) -> Vec<Effect> {
    match command {
        Command::Down => move_by(state, 1),
        Command::Up => move_by(state, -1),
        Command::PageDown => move_by(state, page(state)),
        Command::PageUp => move_by(state, -page(state)),
        Command::GotoPrefix if was_g => move_by(state, isize::MIN / 2),
        Command::GotoPrefix => state.pending_g = true,
        Command::Top => move_by(state, isize::MIN / 2),
        Command::Bottom => move_by(state, isize::MAX / 2),
        Command::Left => {
            state.activity.choice =
                (state.activity.choice + ACTIVITY_CHOICES - 1) % ACTIVITY_CHOICES
        }
        Command::Right => state.activity.choice = (state.activity.choice + 1) % ACTIVITY_CHOICES,
        Command::NextView => switch(state, 1),
        Command::PrevView => switch(state, View::ALL.len() - 1),
        Command::Show(v) => {
            state.view = v;
            if v == View::History {
                return vec![Effect::LoadHistory];
            }
        }
        Command::Search => {
            let text = state.users.query.clone();
            let cursor = text.chars().count();
            state.view = View::Users;
            state.input = Some(QueryInput {
                text,
                cursor,
                kind: InputKind::Query,
            });
        }
        Command::Facets => state.overlay = Some(Overlay::Menu(Menu::facets())),
        Command::Sort => {
            let products = state
                .data
                .as_ref()
                .map(|d| d.dir.product_keys())
                .unwrap_or_default();
            state.overlay = Some(Overlay::Menu(Menu::sort(&products, &state.users.sort.key)));
        }
        Command::Open => return open(state),
        Command::Refresh => return start_fetch(state),
        Command::Help => state.overlay = Some(Overlay::Help { scroll: 0 }),
        Command::Back => {
            if state.view == View::Users && !state.users.query.is_empty() {
                state.users.query.clear();
                return filter(state).into_iter().collect();
            }
            state.view = View::Users;
        }
        Command::Quit if state.quitting => {
            flash(
                state,
                Level::Warn,
                "stopping the batch: seats quits once the requests in flight are recorded",
            );
        }
        Command::Quit if !state.queue.queue.is_empty() || batch_running(state) => {
            state.overlay = Some(Overlay::QuitConfirm)
        }
        Command::Quit => state.quit = true,
        Command::Resume => return resume_batch(state),
        Command::UndoQueueEdit => return undo_queue_edit(state),
        Command::Actions => {
            let n = targets(state).len();
            if n == 0 {
                flash(state, Level::Warn, "no user here to queue an action for");
            } else {
                state.overlay = Some(Overlay::Menu(Menu::actions(n)));
            }
        }
        Command::CommandLine => {
            state.input = Some(QueryInput {
                text: String::new(),
                cursor: 0,
                kind: InputKind::Command,
            })
        }
        Command::Review => {
            if batch_running(state) {
                flash(
                    state,
                    Level::Warn,
                    "a batch is running: wait for it, or cancel it with X",
                );
            } else if state.queue.queue.is_empty() {
                flash(
                    state,
                    Level::Warn,
                    "the queue is empty: mark users with Space, then a",
                );
            } else if state.queue.plan.is_none() || state.queue.plan_pending() {
                flash(
                    state,
                    Level::Info,
                    "the plan is being built: try again in a moment",
                );
            } else {
                state.overlay = Some(Overlay::Confirm(Confirm::default()));
            }
        }
        Command::Remove => return remove_queue_row(state),
        Command::Pause => {
            if let Some(b) = state.batch.as_mut().filter(|b| b.running()) {
                b.paused = !b.paused;
                let paused = b.paused;
                return vec![Effect::PauseBatch(paused)];
            }
            flash(state, Level::Info, "no batch is running");
        }
        Command::Cancel => {
            if let Some(b) = state.batch.as_mut().filter(|b| b.running()) {
                b.cancelling = true;
                flash(
                    state,
                    Level::Warn,
                    "cancelling: calls in flight finish and are recorded",
                );
                return vec![Effect::CancelBatch];
            }
            flash(state, Level::Info, "no batch is running");
        }
        Command::Undo | Command::Retry => {
            let Some(b) = state.history.batches.get(state.history.list.cursor) else {
                return vec![];
            };
            return vec![if command == Command::Undo {
                Effect::WriteUndo(b.id)
            } else {
                Effect::WriteRetry(b.id)
            }];
        }
        Command::Mark => {
            if let (Some(d), Some(ix)) = (&state.data, state.current_user()) {
                state.marks.toggle(&d.dir, ix);
                move_by(state, 1);
            }
        }
        Command::MarkRange => match state.marks.anchor.take() {
            None => {
                state.marks.anchor = Some(state.users.cursor);
                flash(state, Level::Info, "range started: move, then V marks it");
            }
            Some(from) => {
                let (a, b) = (from.min(state.users.cursor), from.max(state.users.cursor));
                if let Some(d) = &state.data {
                    let end = (b + 1).min(state.users.rows.len());
                    for &ix in state.users.rows.get(a..end).unwrap_or(&[]) {
                        state.marks.mark(&d.dir, ix);
                    }
                }
            }
        },
        Command::MarkAll => {
            if state.users.pending() && state.users.error.is_none() {
                // The rows on screen answer an older query: mark the new one's when it lands.
                state.users.mark_all_pending = true;
                flash(
                    state,
                    Level::Info,
                    "marking every match once the filter finishes",
                );
            } else {
                mark_all(state);
            }
        }
        Command::ClearMarks => state.marks.clear(),
    }
    vec![]
}

/// Ctrl-a: every row of the applied query, once it parses. One explicit command over the
/// filtered rows, not per frame.
fn mark_all(state: &mut AppState) {
    if let Some(e) = &state.users.error {
        let text = format!("the query does not parse ({e}): nothing marked");
        flash(state, Level::Warn, text);
        return;
    }
    if let Some(d) = &state.data {
        state
            .marks
            .mark_all(&d.dir, &state.users.rows, &state.users.query);
    }
}

fn switch(state: &mut AppState, by: usize) {
    let i = View::ALL.iter().position(|v| *v == state.view).unwrap_or(0);
    state.view = View::ALL[(i + by) % View::ALL.len()];
}

/// Sets the users query and sort, shows the Users view from the top, and filters.
fn show_users(
    state: &mut AppState,
    query: String,
    sort: Option<crate::filter::Sort>,
) -> Vec<Effect> {
    state.users.query = query;
    if let Some(s) = sort {
        state.users.sort = s;
    }
    state.users.cursor = 0;
    state.users.offset = 0;
    state.view = View::Users;
    filter(state).into_iter().collect()
}

fn open(state: &mut AppState) -> Vec<Effect> {
    let Some(data) = state.data.clone() else {
        return vec![];
    };
    match state.view {
        View::Users => {
            if let Some(user) = state.current_user() {
                state.overlay = Some(Overlay::Details { user, scroll: 0 });
            }
            vec![]
        }
        View::Groups => {
            let Some(&gi) = data.derived.groups_by_name.get(state.groups.cursor) else {
                return vec![];
            };
            let name = &data.dir.groups[gi].name;
            show_users(state, format!("group:{}", quote(name)), None)
        }
        View::Queue | View::History => vec![],
        View::Activity => {
            let Some(p) = data.derived.activity.get(state.activity.product) else {
                return vec![];
            };
            let product = p.product.clone();
            let choice = state.activity.choice;
            let query = match Bucket::ALL.get(choice) {
                Some(b) => b.query(&product),
                None => {
                    let days = PRESETS[(choice - Bucket::ALL.len()).min(PRESETS.len() - 1)];
                    format!("product:{product} idle:{days}")
                }
            };
            // The bars count seat holders; the list they open shows exactly those.
            let query = format!("{query} {SEAT_HOLDERS}");
            let sort = crate::filter::Sort {
                key: SortKey::Inactivity(product),
                descending: true,
            };
            show_users(state, query, Some(sort))
        }
    }
}

fn on_query_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let Some(input) = state.input.as_mut() else {
        return vec![];
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let len = input.text.chars().count();
    let byte_at = |text: &str, chars: usize| {
        text.char_indices()
            .nth(chars)
            .map_or(text.len(), |(i, _)| i)
    };
    let mut changed = false;
    let command = input.kind == InputKind::Command;
    match key.code {
        KeyCode::Enter if command => {
            let line = input.text.clone();
            state.input = None;
            return run_command(state, &line);
        }
        KeyCode::Esc if command => {
            state.input = None;
            return vec![];
        }
        KeyCode::Enter => {
            state.input = None;
            return vec![];
        }
        KeyCode::Esc => {
            state.input = None;
            if state.users.query.is_empty() {
                return vec![];
            }
            state.users.query.clear();
            return filter(state).into_iter().collect();
        }
        KeyCode::Down => {
            move_by(state, 1);
            return vec![];
        }
        KeyCode::Up => {
            move_by(state, -1);
            return vec![];
        }
        KeyCode::Char('u') if ctrl => {
            input.text.clear();
            input.cursor = 0;
            changed = true;
        }
        KeyCode::Char('w') if ctrl => {
            let at = byte_at(&input.text, input.cursor);
            let head = input.text[..at].trim_end();
            let cut = head.rfind(' ').map_or(0, |i| i + 1);
            input.text.replace_range(cut..at, "");
            input.cursor = input.text[..cut].chars().count();
            changed = true;
        }
        KeyCode::Char(c) if !ctrl => {
            let at = byte_at(&input.text, input.cursor);
            input.text.insert(at, c);
            input.cursor += 1;
            changed = true;
        }
        KeyCode::Backspace if input.cursor > 0 => {
            let at = byte_at(&input.text, input.cursor - 1);
            input.text.remove(at);
            input.cursor -= 1;
            changed = true;
        }
        KeyCode::Delete if input.cursor < len => {
            let at = byte_at(&input.text, input.cursor);
            input.text.remove(at);
            changed = true;
        }
        KeyCode::Left => input.cursor = input.cursor.saturating_sub(1),
        KeyCode::Right => input.cursor = (input.cursor + 1).min(len),
        KeyCode::Home => input.cursor = 0,
        KeyCode::End => input.cursor = len,
        _ => {}
    }
    if !changed || command {
        return vec![];
    }
    state.users.query = input.text.clone();
    state.users.cursor = 0;
    state.users.offset = 0;
    filter(state).into_iter().collect()
}

fn on_overlay_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
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

fn choose(state: &mut AppState, choice: Choice) -> Vec<Effect> {
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

fn on_mouse(state: &mut AppState, m: MouseEvent) -> Vec<Effect> {
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
                    if state.groups.offset + row < len {
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

fn scroll_overlay_or_move(state: &mut AppState, delta: isize) {
    match state.overlay.as_mut() {
        Some(Overlay::Help { scroll } | Overlay::Details { scroll, .. }) => {
            *scroll = scroll.saturating_add_signed(delta);
        }
        Some(Overlay::Confirm(c)) => c.scroll = c.scroll.saturating_add_signed(delta),
        Some(Overlay::QuitConfirm | Overlay::AskQueueEdit { .. }) => {}
        Some(Overlay::Menu(menu)) => {
            let len = menu.items.len();
            if len > 0 {
                menu.cursor = menu.cursor.saturating_add_signed(delta).min(len - 1);
            }
        }
        None => move_by(state, delta),
    }
}

/// 42000 → "42,000" (the shared number format).
pub fn thousands(n: usize) -> String {
    crate::output::words::thousands(n)
}
