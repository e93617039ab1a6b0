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
    QueryInput, QueueRow, View,
};
use crate::domain::Bucket;
use crate::filter::{FilterRequest, SortKey};
use crate::plan::{OperationKind, PlanContext, PlanFile, Queue};

/// The users who count against a licence, as a query: what the Activity view's bars count.
pub const SEAT_HOLDERS: &str =
    "type:atlassian !status:suspended !status:deactivated !status:for_deletion";

/// How long a status-line message stays.
const FLASH_SECONDS: i64 = 6;
/// Rows a mouse wheel notch moves.
const WHEEL_ROWS: usize = 3;

/// The effects to run when the console starts: read the snapshot, and fetch when asked to.
pub fn start(state: &mut AppState, fetch_now: bool) -> Vec<Effect> {
    let mut effects = vec![Effect::LoadSnapshot, Effect::LoadQueue];
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
            None => {
                flash(
                    state,
                    Level::Error,
                    "that plan file holds no queue to review (it was written by another tool)",
                );
                vec![]
            }
        },
        Action::BatchStarted(Ok(id)) => {
            let dry_run = state.batch.as_ref().is_some_and(|b| b.dry_run);
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
            if dry_run {
                return vec![];
            }
            // The batch now lives in the journal; the queue starts again empty.
            state.queue.queue = Queue::new();
            queue_changed(state)
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
                Some(e) => state.users.error = Some(e),
                None => {
                    state.users.error = None;
                    state.users.rows = result.rows;
                    state.users.shown_set = set;
                }
            }
            clamp_all(state);
            vec![]
        }
    }
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
        context: Box::new(PlanContext::new(&state.config, &myself)),
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

fn enqueue(state: &mut AppState, kind: OperationKind) -> Vec<Effect> {
    let targets = targets(state);
    if targets.is_empty() {
        flash(state, Level::Warn, "no user to queue: mark some with Space");
        return vec![];
    }
    let what = kind.describe();
    let n = targets.len();
    state.queue.queue.add(kind, targets);
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
                        None,
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
            if known.iter().any(|k| k == rest) {
                enqueue(
                    state,
                    OperationKind::RemoveProductAccess {
                        product: rest.into(),
                    },
                )
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
        "clear-queue" => {
            state.queue.queue.clear();
            queue_changed(state)
        }
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

/// Removes the queue row under the cursor: a target, or a whole operation.
fn remove_queue_row(state: &mut AppState) -> Vec<Effect> {
    let removed = match state.queue.row(state.queue.list.cursor) {
        Some(QueueRow::Operation(op)) => {
            let id = op.id;
            state.queue.queue.remove_operation(id)
        }
        Some(QueueRow::Target(op, account)) => {
            let (id, account) = (op.id, account.to_owned());
            state.queue.queue.remove_target(id, &account)
        }
        None => false,
    };
    if removed {
        queue_changed(state)
    } else {
        vec![]
    }
}

/// The confirm dialog's Run: refused plans and untyped counts stop here.
fn confirm_run(state: &mut AppState) -> Vec<Effect> {
    let Some(Overlay::Confirm(confirm)) = state.overlay.clone() else {
        return vec![];
    };
    let Some(view) = state.queue.plan.clone() else {
        return vec![];
    };
    let plan = &view.plan;
    if let Some(r) = &plan.refusal {
        flash(state, Level::Error, r.describe());
        return vec![];
    }
    let affected = plan.affected_users();
    if affected == 0 {
        flash(
            state,
            Level::Warn,
            "the plan changes nobody: every target is held out or a no-op",
        );
        return vec![];
    }
    if plan.is_irreversible() && confirm.typed.trim() != affected.to_string() {
        flash(
            state,
            Level::Warn,
            format!("this cannot be undone: type {affected} to confirm"),
        );
        return vec![];
    }
    let file = PlanFile::new(
        plan,
        &state.queue.queue,
        state.session.profile.clone(),
        None,
        state.now,
    );
    state.overlay = None;
    let dry_run = state.session.dry_run;
    state.batch = Some(super::state::BatchRun {
        total: file.steps.len() as u64,
        dry_run,
        ..Default::default()
    });
    vec![Effect::Execute {
        file: Box::new(file),
        dry_run,
    }]
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
                    format!("stopped ({why}); seats apply --resume finishes it")
                }
            };
            let text = format!(
                "batch {batch} {how}: {} done, {} failed, {} skipped",
                counts.done, counts.failed, counts.skipped
            );
            b.finished = Some(text.clone());
            let level = if counts.failed > 0 {
                Level::Warn
            } else {
                Level::Info
            };
            flash(state, level, text);
            // The org changed: show it as it is now.
            let mut effects = vec![Effect::LoadHistory];
            if !state.session.dry_run {
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
    if ctrl_c {
        state.quit = true;
        return vec![];
    }
    if layout::too_small(state.size) {
        if matches!(key.code, KeyCode::Char('q')) {
            state.quit = true;
        }
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
        Command::Quit if !state.queue.queue.is_empty() || batch_running(state) => {
            state.overlay = Some(Overlay::QuitConfirm)
        }
        Command::Quit => state.quit = true,
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
            // One explicit command over the filtered rows, not per frame.
            if let Some(d) = &state.data {
                for &ix in state.users.rows.iter() {
                    state.marks.mark(&d.dir, ix);
                }
            }
        }
        Command::ClearMarks => state.marks.clear(),
    }
    vec![]
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
            match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => state.quit = true,
                _ => state.overlay = None,
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
        Some(Overlay::QuitConfirm) => {}
        Some(Overlay::Menu(menu)) => {
            let len = menu.items.len();
            if len > 0 {
                menu.cursor = menu.cursor.saturating_add_signed(delta).min(len - 1);
            }
        }
        None => move_by(state, delta),
    }
}

/// 42000 → "42,000".
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
