//! Breakdowns of a selection by the groups that grant its product: asked for when the view
//! on screen needs one its rows do not have yet, and kept only when they answer the key asked.

#[allow(unused_imports)]
use super::*;

use crate::tui::breakdown::{self, BreakdownKey, BreakdownRequest, Selection};
use crate::tui::breakdowns;

/// A breakdown came back: kept when it answers the newest key asked for its view.
pub(super) fn on_breakdown(
    state: &mut AppState,
    b: std::sync::Arc<breakdown::Breakdown>,
) -> Vec<Effect> {
    // Stale: not the newest asked for its view, or its rows are no longer on screen.
    if !breakdowns::is_current(state, &b.key) {
        return vec![];
    }
    let slot = match b.key {
        BreakdownKey::Rows { .. } => &mut state.breakdowns.groups,
        BreakdownKey::Activity { .. } => &mut state.breakdowns.activity,
    };
    if slot.asked.as_ref() != Some(&b.key) {
        return vec![];
    }

    // The Groups view's cursor follows its group into the new order (`update`'s
    // `GroupsCursor`).
    slot.shown = Some(b);
    vec![]
}

/// The Groups view's list (a breakdown, or every group by name while one counts) and the
/// group under its cursor, taken before an action: O(1) but for one name.
pub(super) struct GroupsCursor {
    list: Option<BreakdownKey>,
    /// None while the cursor is on the first line: that one stays on the first line.
    name: Option<String>,
}

impl GroupsCursor {
    pub(super) fn of(state: &AppState) -> GroupsCursor {
        GroupsCursor {
            list: breakdowns::for_groups(state).map(|b| b.key.clone()),
            name: (state.groups.cursor > 0)
                .then(|| breakdowns::group_name_at(state, state.groups.cursor))
                .flatten(),
        }
    }

    /// After the action: when the list changed, the cursor goes to its group in the new
    /// list (found by name, once per change); a cursor on the first line, or whose group
    /// is gone, starts on the first line: the group that grants the most.
    pub(super) fn follow(self, state: &mut AppState) {
        if breakdowns::for_groups(state).map(|b| &b.key) == self.list.as_ref() {
            return;
        }
        let (at, len) = match (breakdowns::for_groups(state), state.data.as_ref()) {
            (Some(b), _) => (
                self.name
                    .and_then(|n| b.groups.iter().position(|g| g.name == n)),
                b.groups.len(),
            ),
            (None, Some(d)) => (
                self.name.and_then(|n| {
                    d.derived
                        .groups_by_name
                        .iter()
                        .position(|&i| d.dir.groups.get(i).is_some_and(|g| g.name == n))
                }),
                d.derived.groups_by_name.len(),
            ),
            (None, None) => (None, 0),
        };
        state.groups.cursor = at.unwrap_or(0);
        if at.is_none() {
            state.groups.offset = 0;
        }
        follow(
            &mut state.groups.cursor,
            &mut state.groups.offset,
            len,
            layout::groups_rows(state.size),
        );
    }
}

/// After every action: keeps the query's product list current, and asks for the breakdown
/// the view on screen needs when its rows are there and nobody has asked for it yet. O(1)
/// but for reading the query when it changed.
pub(super) fn ask_breakdown(state: &mut AppState) -> Option<Effect> {
    let data = state.data.as_ref()?;
    let b = &state.breakdowns;
    if b.query != state.users.query || b.products_of != b.data {
        let held: Vec<String> = data.product_keys().map(str::to_owned).collect();
        state.breakdowns.products = breakdown::query_products(&state.users.query, &held);
        state.breakdowns.query = state.users.query.clone();
        state.breakdowns.products_of = state.breakdowns.data;
    }
    let key = breakdowns::wanted(state)?;
    let (selection, products, label) = match &key {
        BreakdownKey::Rows { .. } => {
            // The rows on screen answer an older query: wait for the newest.
            if state.users.pending() || state.breakdowns.groups.asked.as_ref() == Some(&key) {
                return None;
            }
            let mut label = match &state.users.only {
                Some(o) => format!("only {}", o.label),
                None => String::new(),
            };
            if !state.users.query.is_empty() {
                if !label.is_empty() {
                    label.push_str(", ");
                }
                label.push_str(&state.users.query);
            }
            (
                Selection::Rows(state.users.rows.clone()),
                state.breakdowns.products.clone(),
                label,
            )
        }
        BreakdownKey::Activity {
            product, choice, ..
        } => {
            if state.breakdowns.activity.asked.as_ref() == Some(&key) {
                return None;
            }
            (
                Selection::Idle {
                    product: product.clone(),
                    within: breakdowns::within(*choice),
                },
                vec![product.clone()],
                choice_label(*choice),
            )
        }
    };
    let loaded = data.clone();
    match &key {
        BreakdownKey::Rows { .. } => state.breakdowns.groups.asked = Some(key.clone()),
        BreakdownKey::Activity { .. } => state.breakdowns.activity.asked = Some(key.clone()),
    }
    Some(Effect::Breakdown(Box::new(BreakdownRequest {
        key,
        loaded,
        selection,
        products,
        label,
    })))
}

/// The Activity view's bucket or preset in words: "active 90-180 days ago", "idle ≥90 days".
fn choice_label(choice: usize) -> String {
    match breakdowns::within(choice) {
        breakdown::Within::Bucket(Bucket::Never) => "never active".into(),
        breakdown::Within::Bucket(b) => format!("active {} days ago", b.label()),
        breakdown::Within::AtLeast(days) => format!("idle ≥{days} days"),
    }
}

/// Enter in the Groups view: the query narrowed to the group under the cursor (appended, not
/// replaced), shown in the Users view.
pub(super) fn narrow_to_group(state: &mut AppState) -> Vec<Effect> {
    let Some(name) = breakdowns::group_name_at(state, state.groups.cursor) else {
        return vec![];
    };
    let token = format!("group:{}", quote_value(&name));
    let query = state.users.query.trim();
    let query = if query.is_empty() {
        token
    } else if query.split_whitespace().any(|t| t == token) {
        query.to_owned()
    } else {
        format!("{query} {token}")
    };
    show_users(state, query, None)
}
