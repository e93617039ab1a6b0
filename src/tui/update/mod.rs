//! The one place the console's state changes: `update(&mut AppState, Action) -> Vec<Effect>`.
//! Pure: no clock, no I/O, no terminal. Keys become commands through the keymap; results of
//! background work arrive as actions too.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton};
use ratatui::crossterm::event::{MouseEvent, MouseEventKind};

mod batch;
mod breakdown;
mod history;
mod keys;
mod line;
mod messages;
mod mouse;
mod overlay;
mod queue;
mod rules;

use batch::*;
use breakdown::*;
use history::*;
use keys::*;
use line::*;
use messages::{flash, on_log_key, open_log};
use mouse::*;
use overlay::*;
use queue::*;
use rules::*;

use super::action::{Action, Effect};
use super::commands::{Context, Run, validate};
use super::complete::{Listing, common_prefix, replace, suggest, suggest_query};
use super::format::thousands;
use super::keymap::{Command, Scope, command_for, command_in};
use super::layout::{self, follow, queue_rows};
use super::loaded::{Loaded, Origin};
use super::menu::{Choice, Menu, Narrow};
use super::state::{
    ACTIVITY_CHOICES, AppState, Confirm, Fetch, Flash, InputKind, Level, Overlay, PRESETS,
    QueryInput, QueueEdit, QueueRow, Subject, View,
};
use crate::domain::Bucket;
use crate::filter::quote_value;
use crate::filter::{FilterRequest, SortKey};
use crate::output::words::plural;
use crate::plan::{OperationKind, PlanFile, Queue, context_for};

/// The users who count against a licence, as a query: what the Activity view's bars count.
pub const SEAT_HOLDERS: &str =
    "type:atlassian !status:suspended !status:deactivated !status:for_deletion";

/// Rows a mouse wheel notch moves.
const WHEEL_ROWS: usize = 3;

/// The effects to run when the console starts: read the snapshot, and fetch when asked to.
pub fn start(state: &mut AppState, fetch_now: bool) -> Vec<Effect> {
    // History too: a batch left running by a quit or a crash is offered at once.
    let mut effects = vec![Effect::LoadSnapshot, Effect::LoadQueue, Effect::LoadHistory];
    // Lifecycles for Details and the Rules view, when there are rules to show.
    if !state.config.rules.is_empty() {
        effects.push(Effect::LoadRules);
    }
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
    // A key that does something clears the status line's message; one that does nothing
    // keeps it (`messages::after_key`).
    let key = matches!(&action, Action::Key(k) if k.kind != KeyEventKind::Release);
    let before = key.then(|| messages::Footprint::of(state));
    let said = state.log.appended();
    let groups = GroupsCursor::of(state);
    let mut effects = dispatch(state, action);
    groups.follow(state);
    if let Some(before) = before {
        messages::after_key(state, &before, said, &effects);
    }
    count_hidden_marks(state);
    // The `:` line's popup follows its text, whatever changed it (a key, History's `b`).
    refresh_suggestions(state);
    effects.extend(ask_breakdown(state));
    effects
}

/// Marks the filter hides: counted again only when the marks or the shown rows changed (a
/// pass over the marks, up to every user, is too much for every tick and key).
fn count_hidden_marks(state: &mut AppState) {
    let shown = &state.users.shown_set;
    let current = matches!(&state.marks_hidden_for,
        Some((rev, set)) if *rev == state.marks.revision && std::sync::Arc::ptr_eq(set, shown));
    if !current {
        state.marks_hidden = state.marks.hidden(shown);
        state.marks_hidden_for = Some((state.marks.revision, shown.clone()));
    }
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
        // Messages do not time out: one stays until a key does something (and in the log).
        Action::Tick(now) => {
            state.now = now;
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
            flash(state, Level::Info, format!("fetched {}", plural(n, "user")));
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
            state.queue.set(queue);
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
            if generation < state.queue.shown {
                return vec![];
            }
            state.queue.shown = generation;
            match view {
                Ok(view) => {
                    state.queue.plan = Some(view);
                    open_wanted_review(state);
                    // Held out and the state order come from the plan.
                    sort_queue(state).into_iter().collect()
                }
                Err(message) => {
                    state.queue.plan = None;
                    state.queue.review_wanted = false;
                    if matches!(state.overlay, Some(Overlay::Confirm(_))) {
                        state.overlay = None;
                    }
                    flash(state, Level::Error, message);
                    vec![]
                }
            }
        }
        Action::PlanWritten(Ok(path)) => {
            flash(state, Level::Info, format!("plan written to {path}"));
            vec![]
        }
        Action::Notice(level, message) => {
            flash(state, level, message);
            vec![]
        }
        Action::PlanWritten(Err(message)) | Action::PlanRead(Err(message)) => {
            flash(state, Level::Error, message);
            vec![]
        }
        Action::PlanRead(Ok(file)) => match file.queue {
            Some(queue) => {
                let n = queue.counts().operations;
                state.queue.set(queue);
                state.queue.list = Default::default();
                state.view = View::Queue;
                flash(
                    state,
                    Level::Info,
                    format!(
                        "read a plan of {} into the queue",
                        crate::output::words::plural(n, "operation")
                    ),
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
                    crate::tui::state::FileReview::new(*file, source, Vec::new()),
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
            state.queue.set(Queue::new());
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
                    if ids.len() == 1 {
                        format!(
                            "batch {} was interrupted: 5 opens History, c resumes it",
                            ids[0]
                        )
                    } else {
                        format!(
                            "batches {} were interrupted: 5 opens History, c resumes each",
                            ids.join(", ")
                        )
                    },
                );
            }
            vec![]
        }
        Action::BatchItems { generation, result } => on_items(state, generation, result),
        Action::QueueRows { generation, rows } => on_queue_rows(state, generation, rows),
        Action::Review(Ok(review)) => {
            open_review(state, *review);
            vec![]
        }
        Action::Review(Err(message)) => {
            flash(state, Level::Error, message);
            vec![]
        }
        Action::RulesLoaded(result) => on_rules_loaded(state, result),
        Action::SavingsLoaded(Ok(savings)) => {
            state.savings = Some(savings);
            vec![]
        }
        // The chart is extra: the view works without it, so a word in the status line only.
        Action::SavingsLoaded(Err(message)) => {
            flash(
                state,
                Level::Warn,
                format!("the savings history could not be read: {message}"),
            );
            vec![]
        }
        Action::Breakdown(b) => on_breakdown(state, b),
        Action::DirListed { request, listing } => on_dir_listed(state, request, listing),
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
                    let (rows, set) = limit_rows(state, result.rows, set);
                    state.users.rows = rows;
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
fn open_review(state: &mut AppState, review: crate::tui::state::FileReview) {
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
    if let Some(only) = state.users.only.as_mut() {
        only.set = std::sync::Arc::new(only_set(Some(&loaded), &only.ids));
    }
    state.data = Some(loaded);
    state.breakdowns.data += 1;
    let replan = plan(state);
    follow(
        &mut state.groups.cursor,
        &mut state.groups.offset,
        groups,
        layout::groups_rows(state.size),
    );
    filter(state).into_iter().chain(replan).collect()
}

/// Asks for the plan of the queue against the data on screen (none for an empty queue).
pub(super) fn plan(state: &mut AppState) -> Option<Effect> {
    let data = state.data.as_ref()?;
    if state.queue.ops.is_empty() {
        state.queue.plan = None;
        state.queue.shown = state.queue.requested;
        return None;
    }
    state.queue.requested += 1;
    let myself: Vec<&str> = state.session.myself.iter().map(String::as_str).collect();
    Some(Effect::BuildPlan {
        generation: state.queue.requested,
        directory: data.dir.clone(),
        queue: state.queue.ops.clone(),
        // The same context `seats plan` makes; the task adds the same direct-grant look-up.
        context: Box::new(context_for(&state.config, &myself)),
    })
}

/// The queue changed: keep it, and plan it again.
fn queue_changed(state: &mut AppState) -> Vec<Effect> {
    clamp_all(state);
    let mut effects = vec![Effect::SaveQueue(state.queue.ops.clone())];
    effects.extend(plan(state));
    effects.extend(sort_queue(state));
    effects
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
        layout::groups_rows(state.size),
    );
    let products = state.data.as_ref().map_or(0, |d| d.derived.activity.len());
    state.activity.product = state.activity.product.min(products.saturating_sub(1));
    let len = state.history.batches.len();
    let list = &mut state.history.list;
    follow(&mut list.cursor, &mut list.offset, len, height);
    clamp_items(state);
    let len = state.rules.data.as_ref().map_or(0, |d| d.rules.len());
    let list = &mut state.rules.list;
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

/// The review `A` asked for while the plan was being built, once the newest plan is in and
/// nothing else holds the screen (a batch, an overlay, an emptied queue forget it).
fn open_wanted_review(state: &mut AppState) {
    if !state.queue.review_wanted || state.queue.plan_pending() {
        return;
    }
    state.queue.review_wanted = false;
    if state.overlay.is_none()
        && state.input.is_none()
        && !state.queue.ops.is_empty()
        && !batch_running(state)
    {
        state.overlay = Some(Overlay::Confirm(Confirm::default()));
        state.flash = None;
    }
}
