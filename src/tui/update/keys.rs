//! Keys on the main views: the keymap's commands, moving, marking, switching views.

#[allow(unused_imports)]
use super::*;

pub(super) fn on_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    // A Ctrl key bound to quit (Ctrl-C) quits from lines and overlays too.
    let ctrl_quit = key.modifiers.contains(KeyModifiers::CONTROL)
        && command_for(&key, state.view) == Some(Command::Quit);
    if ctrl_quit || (layout::too_small(state.size) && key.code == KeyCode::Char('q')) {
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
pub(super) fn move_by(state: &mut AppState, delta: isize) {
    let height = layout::table_rows(state.size);
    let step = |cursor: usize, len: usize| -> usize {
        if len == 0 {
            0
        } else {
            cursor.saturating_add_signed(delta).min(len - 1)
        }
    };
    // A batch's items, when open, move instead of the batches.
    if state.view == View::History && move_items(state, delta) {
        return;
    }
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
                layout::groups_rows(state.size),
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
        View::Rules => {
            let len = state.rules.data.as_ref().map_or(0, |d| d.rules.len());
            let list = &mut state.rules.list;
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

pub(super) fn page(state: &AppState) -> isize {
    layout::table_rows(state.size).max(1) as isize
}

pub(super) fn run(state: &mut AppState, command: Command, was_g: bool) -> Vec<Effect> {
    match command {
        Command::Down => move_by(state, 1),
        Command::Up => move_by(state, -1),
        Command::PageDown => move_by(state, page(state)),
        Command::PageUp => move_by(state, -page(state)),
        Command::GotoPrefix if was_g => move_by(state, isize::MIN / 2),
        Command::GotoPrefix => state.pending_g = true,
        Command::Top => move_by(state, isize::MIN / 2),
        Command::Bottom => move_by(state, isize::MAX / 2),
        Command::Left if state.view == View::Rules => step_state(state, false),
        Command::Right if state.view == View::Rules => step_state(state, true),
        Command::Left => {
            state.activity.choice =
                (state.activity.choice + ACTIVITY_CHOICES - 1) % ACTIVITY_CHOICES
        }
        Command::Right => state.activity.choice = (state.activity.choice + 1) % ACTIVITY_CHOICES,
        // A preset's own key: chosen and opened at once.
        Command::Preset(i) if state.view == View::Activity && i < PRESETS.len() => {
            state.activity.choice = Bucket::ALL.len() + i;
            return open(state);
        }
        Command::Preset(_) => {}
        Command::NextView | Command::PrevView => {
            switch(
                state,
                if command == Command::NextView {
                    1
                } else {
                    View::ALL.len() - 1
                },
            );
            if state.view == View::Rules {
                return vec![Effect::LoadRules];
            }
            if state.view == View::Activity {
                return vec![Effect::LoadSavings];
            }
        }
        Command::Show(v) => {
            state.view = v;
            if v == View::History {
                // Open items are read again too: a batch may have moved on meanwhile.
                return std::iter::once(Effect::LoadHistory)
                    .chain(load_items(state))
                    .collect();
            }
            if v == View::Rules {
                return vec![Effect::LoadRules];
            }
            if v == View::Activity {
                return vec![Effect::LoadSavings];
            }
        }
        Command::Search => {
            // The Groups view follows the query, so it is edited there; the other views'
            // query line says `/` edits it in Users.
            if state.view != View::Groups {
                state.view = View::Users;
            }
            state.input = Some(QueryInput::query(state.users.query.clone()));
        }
        Command::Facets => state.overlay = Some(Overlay::Menu(Menu::facets())),
        Command::Sort => {
            let products: Vec<String> = state
                .data
                .as_ref()
                .map(|d| d.product_keys().map(str::to_owned).collect())
                .unwrap_or_default();
            state.overlay = Some(Overlay::Menu(Menu::sort(&products, &state.users.sort.key)));
        }
        Command::Open => return open(state),
        Command::Refresh => return start_fetch(state),
        Command::Help => {
            state.overlay = Some(Overlay::Help {
                scroll: 0,
                filter: Default::default(),
            })
        }
        Command::Back if state.queue.review_wanted => {
            state.queue.review_wanted = false;
            flash(
                state,
                Level::Info,
                "the review will not open by itself: A opens it",
            );
        }
        Command::Back if close_items(state) => {}
        Command::Back => {
            // A rule's list first: Esc goes back to every user (the query stays).
            if state.view == View::Users && state.users.only.take().is_some() {
                return filter(state).into_iter().collect();
            }
            if matches!(state.view, View::Users | View::Groups) && !state.users.query.is_empty() {
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
        Command::Quit if !state.queue.ops.is_empty() || batch_running(state) => {
            state.overlay = Some(Overlay::QuitConfirm)
        }
        Command::Quit => state.quit = true,
        Command::Resume => return resume_batch(state),
        Command::GiveBack => return give_back_history(state),
        Command::Log => open_log(state),
        Command::Items(filter) => return show_items(state, filter),
        Command::QueueSort => return next_queue_sort(state),
        Command::QueueFilter => return next_queue_filter(state),
        Command::UndoQueueEdit => return undo_queue_edit(state),
        // Keys of overlays and lines (their own scopes): no view binds them.
        Command::Toggle
        | Command::Yes
        | Command::ClearLine
        | Command::DeleteWord
        | Command::DeleteBack
        | Command::DeleteForward
        | Command::Complete
        | Command::CompleteBack => {}
        Command::Actions => {
            let n = targets(state).len();
            if n == 0 {
                flash(state, Level::Warn, "no user here to queue an action for");
            } else {
                state.overlay = Some(Overlay::Menu(Menu::actions(n)));
            }
        }
        Command::CommandLine => state.input = Some(QueryInput::command("")),
        Command::Review => {
            if batch_running(state) {
                flash(
                    state,
                    Level::Warn,
                    "a batch is running: wait for it, or cancel it with X",
                );
            } else if state.queue.ops.is_empty() {
                flash(
                    state,
                    Level::Warn,
                    "the queue is empty: mark users with Space, then a",
                );
            } else if state.queue.plan.is_none() || state.queue.plan_pending() {
                state.queue.review_wanted = true;
                // No plan and none coming (the last one could not be made): ask again.
                let again = if state.queue.plan_pending() {
                    None
                } else {
                    super::plan(state)
                };
                flash(
                    state,
                    Level::Info,
                    "building the plan…: the review opens when it is ready (Esc forgets it)",
                );
                return again.into_iter().collect();
            } else {
                state.overlay = Some(Overlay::Confirm(Confirm::default()));
            }
        }
        Command::Remove => return remove_queue_row(state),
        Command::Pause => {
            if let Some(b) = state.batch.as_mut().filter(|b| b.running()) {
                b.paused = !b.paused;
                let (paused, id) = (b.paused, b.id);
                let which = id
                    .map(|i| format!("batch {i}"))
                    .unwrap_or("the batch".into());
                let text = if paused {
                    format!("{which} paused: requests in flight finish; p resumes")
                } else {
                    format!("{which} resumed")
                };
                flash(state, Level::Info, text);
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
pub(super) fn mark_all(state: &mut AppState) {
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

pub(super) fn switch(state: &mut AppState, by: usize) {
    let i = View::ALL.iter().position(|v| *v == state.view).unwrap_or(0);
    state.view = View::ALL[(i + by) % View::ALL.len()];
}

/// Sets the users query and sort, shows the Users view from the top, and filters.
pub(super) fn show_users(
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

pub(super) fn open(state: &mut AppState) -> Vec<Effect> {
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
        View::Groups => narrow_to_group(state),
        View::Queue | View::History => vec![],
        View::Rules => open_state(state),
        View::Activity => {
            let Some(p) = data.derived.activity.get(state.activity.product) else {
                return vec![];
            };
            let product = p.product.clone();
            let choice = state.activity.choice;
            let query = match Bucket::ALL.get(choice) {
                Some(b) => b.query(&product),
                None => {
                    PRESETS[(choice - Bucket::ALL.len()).min(PRESETS.len() - 1)].query(&product)
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
