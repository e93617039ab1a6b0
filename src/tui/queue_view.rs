//! The Queue view's sort and filter: a view over the queue, which stays as it is (and so does
//! the plan). A queue can hold 100,000 targets, so the ordered rows are made off the UI thread
//! and come back by generation, the newest winning, as the users filter does.

use std::collections::HashMap;
use std::sync::Arc;

use crate::domain::Directory;
use crate::plan::{OperationId, Plan, Queue};

/// The order of the targets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueSort {
    /// As queued: each operation, then its targets.
    #[default]
    Queued,
    /// By the operation's action, then as queued.
    Action,
    /// By the user's name.
    User,
    /// By what the plan does: held out, changes, no-op, not planned yet.
    State,
}

impl QueueSort {
    pub const ALL: [QueueSort; 4] = [
        QueueSort::Queued,
        QueueSort::Action,
        QueueSort::User,
        QueueSort::State,
    ];

    pub fn word(self) -> &'static str {
        match self {
            QueueSort::Queued => "as queued",
            QueueSort::Action => "action",
            QueueSort::User => "user",
            QueueSort::State => "state",
        }
    }

    /// The next order `s` gives.
    pub fn next(self) -> QueueSort {
        let at = QueueSort::ALL.iter().position(|s| *s == self).unwrap_or(0);
        QueueSort::ALL[(at + 1) % QueueSort::ALL.len()]
    }
}

/// Which targets are shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueFilter {
    #[default]
    All,
    /// The targets the plan holds out (protected, active within the threshold, ...).
    HeldOut,
    /// The targets of one queued operation.
    Action(OperationId),
}

/// What the plan does with a target, in the order the state sort shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetState {
    HeldOut,
    Changes,
    NoOp,
    /// No plan yet, or the plan left it out for another reason.
    Unplanned,
}

/// The targets in view order: (operation, account id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueRows {
    pub rows: Vec<(OperationId, String)>,
    /// Targets in the whole queue (the header says "N of M").
    pub of: usize,
}

/// The Queue view's order and filter, and the rows they give.
#[derive(Debug, Clone, Default)]
pub struct QueueView {
    pub sort: QueueSort,
    pub filter: QueueFilter,
    /// The targets in view order once sorted or filtered; None shows the queue as queued.
    pub rows: Option<Arc<QueueRows>>,
    /// Newest rows asked for; older answers are stale.
    pub requested: u64,
    pub shown: u64,
}

impl QueueView {
    /// As queued and unfiltered: the queue's own rows, nothing to make.
    pub fn is_plain(&self) -> bool {
        self.sort == QueueSort::Queued && self.filter == QueueFilter::All
    }

    pub fn pending(&self) -> bool {
        self.shown < self.requested
    }
}

/// What the plan does with each target of each operation.
fn states(plan: &Plan) -> HashMap<(OperationId, &str), TargetState> {
    let mut out = HashMap::new();
    for op in &plan.operations {
        for s in &op.steps {
            out.insert((op.id, s.account_id.as_str()), TargetState::Changes);
        }
        for n in &op.no_ops {
            out.insert((op.id, n.account_id.as_str()), TargetState::NoOp);
        }
        // Last: a target held out is held out, whatever else was noted for it.
        for h in &op.held_out {
            out.insert((op.id, h.account_id.as_str()), TargetState::HeldOut);
        }
    }
    out
}

/// The targets of `queue` in the order and under the filter asked for. Pure; run off the UI
/// thread (O(targets · log targets)).
pub fn rows(
    queue: &Queue,
    plan: Option<&Plan>,
    directory: Option<&Directory>,
    sort: QueueSort,
    filter: QueueFilter,
) -> QueueRows {
    let of = queue.counts().targets;
    let states = plan.map(states).unwrap_or_default();
    let state_of = |id: OperationId, account: &str| {
        states
            .get(&(id, account))
            .copied()
            .unwrap_or(TargetState::Unplanned)
    };
    let mut rows: Vec<(usize, &str, OperationId)> = Vec::new();
    for (at, op) in queue.operations().iter().enumerate() {
        let wanted = match filter {
            QueueFilter::All | QueueFilter::HeldOut => true,
            QueueFilter::Action(id) => op.id == id,
        };
        if !wanted {
            continue;
        }
        for t in &op.targets {
            if filter == QueueFilter::HeldOut && state_of(op.id, t) != TargetState::HeldOut {
                continue;
            }
            rows.push((at, t.as_str(), op.id));
        }
    }
    // Stable sorts over the queue's order: ties stay as queued.
    match sort {
        QueueSort::Queued => {}
        QueueSort::Action => {
            let ops = queue.operations();
            rows.sort_by_cached_key(|(at, _, _)| ops[*at].kind.describe());
        }
        QueueSort::User => {
            let names: HashMap<&str, String> = directory
                .map(|d| {
                    d.users
                        .iter()
                        .map(|u| (u.account_id.as_str(), u.name.to_lowercase()))
                        .collect()
                })
                .unwrap_or_default();
            // Users not in the snapshot go last, by account id.
            rows.sort_by_cached_key(|(_, account, _)| {
                let name = names.get(account);
                (
                    name.is_none(),
                    name.cloned().unwrap_or_default(),
                    account.to_string(),
                )
            });
        }
        QueueSort::State => rows.sort_by_key(|(_, account, id)| state_of(*id, account)),
    }
    QueueRows {
        rows: rows
            .into_iter()
            .map(|(_, account, id)| (id, account.to_owned()))
            .collect(),
        of,
    }
}
