//! The Rules view: lifecycles arriving from the database, choosing a state, and listing the
//! users in it as the Users view limited to an explicit, labelled set.

#[allow(unused_imports)]
use super::*;
use crate::rules::State;
use crate::tui::marks::RowSet;
use crate::tui::rules::{RulesData, state_word};
use crate::tui::state::OnlyUsers;
use std::sync::Arc;

pub(super) fn on_rules_loaded(
    state: &mut AppState,
    result: Result<Arc<RulesData>, String>,
) -> Vec<Effect> {
    match result {
        Ok(data) => {
            state.rules.data = Some(data);
            state.rules.error = None;
        }
        Err(message) => {
            flash(
                state,
                Level::Warn,
                format!("the rules' lifecycles could not be read: {message}"),
            );
            state.rules.error = Some(message);
        }
    }
    clamp_all(state);
    vec![]
}

/// Moves the chosen state left or right (wrapping).
pub(super) fn step_state(state: &mut AppState, forward: bool) {
    let n = State::ALL.len();
    state.rules.state = if forward {
        (state.rules.state + 1) % n
    } else {
        (state.rules.state + n - 1) % n
    };
}

/// Enter: the users of the rule under the cursor in the chosen state, in the Users view.
pub(super) fn open_state(state: &mut AppState) -> Vec<Effect> {
    let Some(rules) = state.rules.data.clone() else {
        flash(state, Level::Info, "the rules are still being read");
        return vec![];
    };
    let Some(rule) = rules.rules.get(state.rules.list.cursor) else {
        flash(
            state,
            Level::Warn,
            "no rule here: add [[rules]] to config.toml",
        );
        return vec![];
    };
    let st = State::ALL[state.rules.state.min(State::ALL.len() - 1)];
    let ids = rule
        .members
        .get(state.rules.state)
        .cloned()
        .unwrap_or_default();
    if ids.is_empty() {
        let text = format!("nobody is {} for rule {}", state_word(st), rule.name);
        flash(state, Level::Info, text);
        return vec![];
    }
    let ids = Arc::new(ids);
    state.users.only = Some(OnlyUsers {
        label: format!("rule {}: {}", rule.name, state_word(st)),
        set: Arc::new(only_set(state.data.as_ref(), &ids)),
        ids,
    });
    show_users(state, String::new(), None)
}

/// The rows of the data on screen that are these users. O(ids · log users), once per change.
pub(super) fn only_set(data: Option<&Loaded>, ids: &[String]) -> RowSet {
    let rows: Vec<u32> = data
        .map(|d| ids.iter().filter_map(|id| d.user_ix(id)).collect())
        .unwrap_or_default();
    RowSet::from_rows(&rows)
}

/// Keeps the rows of a filter result that are in the explicit set, if there is one.
pub(super) fn limit_rows(
    state: &AppState,
    rows: Arc<Vec<u32>>,
    set: Arc<RowSet>,
) -> (Arc<Vec<u32>>, Arc<RowSet>) {
    match &state.users.only {
        None => (rows, set),
        Some(only) => {
            let kept: Vec<u32> = rows
                .iter()
                .copied()
                .filter(|&r| only.set.contains(r))
                .collect();
            let set = RowSet::from_rows(&kept);
            (Arc::new(kept), Arc::new(set))
        }
    }
}

/// Details, `b`: the plan giving back what the rule's reclaim batch took from this user.
pub(super) fn give_back_details(state: &mut AppState) -> Vec<Effect> {
    let Some(Overlay::Details { user, .. }) = &state.overlay else {
        return vec![];
    };
    let Some(account_id) = state
        .data
        .as_ref()
        .and_then(|d| d.dir.users.get(*user as usize))
        .map(|u| u.account_id.clone())
    else {
        return vec![];
    };
    let batch = state
        .rules
        .data
        .as_ref()
        .and_then(|d| d.by_account.get(&account_id))
        .and_then(|cycles| {
            cycles
                .iter()
                .filter(|c| c.state == State::Reclaimed)
                .find_map(|c| c.batch_id)
        });
    match batch {
        Some(batch) => vec![Effect::WriteGiveBack {
            batch,
            who: account_id,
        }],
        None => {
            flash(
                state,
                Level::Warn,
                "no reclaim batch recorded for this user: in History, b gives back from a batch",
            );
            vec![]
        }
    }
}

/// History, `b`: the command line, ready for the user to give back to from the batch.
pub(super) fn give_back_line(state: &mut AppState) {
    if state.view != View::History {
        return;
    }
    let Some(b) = state.history.batches.get(state.history.list.cursor) else {
        flash(state, Level::Info, "no batch here");
        return;
    };
    state.input = Some(QueryInput::command(format!("give-back {} ", b.id)));
}

/// `:give-back BATCH USER` (account id or email), validated by the command catalogue.
pub(super) fn give_back(state: &mut AppState, batch: i64, who: String) -> Vec<Effect> {
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
