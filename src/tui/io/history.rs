//! History's and the Queue's views made off the UI thread: a batch's items read from the
//! journal (up to 50,000), and the queue's targets in the order and filter asked for.

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use crate::exec::Journal;
use crate::tui::action::{Action, Effect};
use crate::tui::batch_items::BatchItems;

/// Runs the effects of this file (others are not for it).
pub(super) fn run(tx: UnboundedSender<Action>, effect: Effect) {
    if let Effect::LoadBatchItems { batch, generation } = effect {
        return load_items(tx, batch, generation);
    }
    if let Effect::SortQueue {
        generation,
        queue,
        plan,
        directory,
        sort,
        filter,
    } = effect
    {
        sort_queue(tx, generation, queue, plan, directory, sort, filter);
    }
}

/// Reads a batch's items and makes the rows of each filter, then reports back.
fn load_items(tx: UnboundedSender<Action>, batch: i64, generation: u64) {
    tokio::task::spawn_blocking(move || {
        let result = Journal::open_default()
            .and_then(|j| j.items(batch))
            .map(|items| Arc::new(BatchItems::new(batch, items)))
            .map_err(|e| e.to_string());
        let _ = tx.send(Action::BatchItems { generation, result });
    });
}

/// Orders and filters the queue's targets (`queue_view::rows`), then reports back.
fn sort_queue(
    tx: UnboundedSender<Action>,
    generation: u64,
    queue: Arc<crate::plan::Queue>,
    plan: Option<Arc<crate::plan::Plan>>,
    directory: Option<Arc<crate::domain::Directory>>,
    sort: crate::tui::queue_view::QueueSort,
    filter: crate::tui::queue_view::QueueFilter,
) {
    tokio::task::spawn_blocking(move || {
        let rows = crate::tui::queue_view::rows(
            &queue,
            plan.as_deref(),
            directory.as_deref(),
            sort,
            filter,
        );
        let _ = tx.send(Action::QueueRows {
            generation,
            rows: Arc::new(rows),
        });
    });
}
