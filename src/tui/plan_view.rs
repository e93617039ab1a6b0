//! What the Queue view shows beside each target: the plan's word on it (held out and why,
//! a no-op, the changes it will get, who keeps a product), and the summaries and counts the
//! Queue view and the review show. Built with the plan, off the UI thread, so a frame costs
//! lookups, not a pass over the plan.

use std::collections::HashMap;
use std::sync::Arc;

use crate::plan::{OperationId, Plan};
use crate::tui::state::PlanView;

pub fn view(plan: Plan) -> PlanView {
    let mut notes: HashMap<(OperationId, String), String> = HashMap::new();
    for op in &plan.operations {
        for h in &op.held_out {
            notes.insert(
                (op.id, h.account_id.clone()),
                format!("held out: {}", h.reason.describe()),
            );
        }
        for n in &op.no_ops {
            notes.insert(
                (op.id, n.account_id.clone()),
                format!("no-op: {}", n.reason.describe()),
            );
        }
        for s in &op.steps {
            let note = notes.entry((op.id, s.account_id.clone())).or_default();
            if note.is_empty() {
                note.push_str("will ");
            } else {
                note.push_str(", ");
            }
            note.push_str(&s.change.describe());
        }
        for k in &op.keeps {
            let note = notes.entry((op.id, k.account_id.clone())).or_default();
            if !note.is_empty() {
                note.push_str("; ");
            }
            note.push_str(&k.describe());
        }
    }
    PlanView {
        summary: crate::plan::summary(&plan).into(),
        compact: crate::plan::compact_summary(&plan).into(),
        affected: plan.affected_users(),
        steps: plan.steps().count(),
        held_out: plan.held_out().count(),
        no_ops: plan.no_ops().count(),
        irreversible: plan.is_irreversible(),
        plan: Arc::new(plan),
        notes: Arc::new(notes),
    }
}
