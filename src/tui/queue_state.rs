//! The queue's state changes only through here: replacing or editing the queue keeps its
//! counts and conflicts current (made once per change, read by every frame). And the Queue
//! view's rows, as queued or in the view's order.

use std::sync::Arc;

use super::state::{QueueRow, QueueState};

impl QueueState {
    pub fn plan_pending(&self) -> bool {
        self.shown < self.requested
    }

    /// Replaces the queue (loaded, read from a plan file, undone, emptied).
    pub fn set(&mut self, queue: impl Into<Arc<crate::plan::Queue>>) {
        self.ops = queue.into();
        self.changed();
    }

    /// Edits the queue in place (copied first only while a task or `undo` still holds it).
    pub fn edit<R>(&mut self, f: impl FnOnce(&mut crate::plan::Queue) -> R) -> R {
        let r = f(Arc::make_mut(&mut self.ops));
        self.changed();
        r
    }

    /// One pass over the targets per change, not per key or frame.
    fn changed(&mut self) {
        self.conflicts = self.ops.conflicts().into();
        self.counts = self.ops.counts_with(&self.conflicts);
    }

    /// Rows of the Queue view: each operation, then its targets (O(operations)); or, sorted
    /// or filtered, the targets in view order.
    pub fn rows_len(&self) -> usize {
        if let Some(v) = &self.view.rows {
            return v.rows.len();
        }
        self.ops
            .operations()
            .iter()
            .map(|o| 1 + o.targets.len())
            .sum()
    }

    pub fn row(&self, mut i: usize) -> Option<QueueRow<'_>> {
        if let Some(v) = &self.view.rows {
            // Until an edit is sorted again a row may name a target just removed: removing
            // it again does nothing.
            let (id, account) = v.rows.get(i)?;
            return Some(QueueRow::Target(self.ops.get(*id)?, account));
        }
        for op in self.ops.operations() {
            if i == 0 {
                return Some(QueueRow::Operation(op));
            }
            i -= 1;
            if let Some(t) = op.targets.get(i) {
                return Some(QueueRow::Target(op, t));
            }
            i -= op.targets.len();
        }
        None
    }
}
