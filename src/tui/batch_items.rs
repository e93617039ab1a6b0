//! History's items of one batch (Enter on a batch): read from the journal off the UI thread,
//! with the counts per state and the rows of each filter made there too, so a filter key or a
//! frame costs nothing proportional to a batch of 50,000 steps.

use std::sync::Arc;

use crate::exec::{Item, ItemState};

/// Which items the list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ItemFilter {
    #[default]
    All,
    Failed,
    Skipped,
}

impl ItemFilter {
    pub fn word(self) -> &'static str {
        match self {
            ItemFilter::All => "all",
            ItemFilter::Failed => "failed",
            ItemFilter::Skipped => "skipped",
        }
    }
}

/// One item as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    pub seq: i64,
    pub state: ItemState,
    pub name: String,
    pub email: Option<String>,
    pub account_id: String,
    /// The change, in the plan's words ("suspend", "remove from jira-users").
    pub action: String,
    /// Why it was skipped, or what the failure said (with the HTTP status).
    pub reason: Option<String>,
}

/// The states in the order the counts are written.
pub const STATES: [ItemState; 7] = [
    ItemState::Done,
    ItemState::Failed,
    ItemState::Skipped,
    ItemState::Unknown,
    ItemState::Pending,
    ItemState::Sent,
    ItemState::DryRun,
];

/// A batch's items with the rows of each filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchItems {
    pub batch: i64,
    pub rows: Vec<ItemRow>,
    /// Indices into `rows` of the failed and of the skipped items.
    pub failed: Vec<u32>,
    pub skipped: Vec<u32>,
    /// Items per state, in [`STATES`] order.
    pub counts: [usize; STATES.len()],
}

impl BatchItems {
    /// Made once per load, off the UI thread.
    pub fn new(batch: i64, items: Vec<Item>) -> BatchItems {
        let mut out = BatchItems {
            batch,
            ..BatchItems::default()
        };
        for (i, item) in items.into_iter().enumerate() {
            let ix = i as u32;
            match item.state {
                ItemState::Failed => out.failed.push(ix),
                ItemState::Skipped => out.skipped.push(ix),
                ItemState::Pending
                | ItemState::Sent
                | ItemState::Done
                | ItemState::DryRun
                | ItemState::Unknown => {}
            }
            if let Some(at) = STATES.iter().position(|s| *s == item.state) {
                out.counts[at] += 1;
            }
            let status = item.http_status.map(|s| format!("HTTP {s}: "));
            let reason = match (item.reason, item.error) {
                (Some(r), Some(e)) => Some(format!("{r} ({}{e})", status.unwrap_or_default())),
                (Some(r), None) => Some(r),
                (None, Some(e)) => Some(format!("{}{e}", status.unwrap_or_default())),
                (None, None) => status.map(|s| s.trim_end_matches(": ").to_owned()),
            };
            out.rows.push(ItemRow {
                seq: item.seq,
                state: item.state,
                action: item.step.change.describe(),
                name: item.step.name,
                email: item.step.email,
                account_id: item.step.account_id,
                reason,
            });
        }
        out
    }

    /// Rows the filter shows.
    pub fn len(&self, filter: ItemFilter) -> usize {
        match filter {
            ItemFilter::All => self.rows.len(),
            ItemFilter::Failed => self.failed.len(),
            ItemFilter::Skipped => self.skipped.len(),
        }
    }

    /// The filter's `i`-th row.
    pub fn get(&self, filter: ItemFilter, i: usize) -> Option<&ItemRow> {
        let ix = match filter {
            ItemFilter::All => i,
            ItemFilter::Failed => *self.failed.get(i)? as usize,
            ItemFilter::Skipped => *self.skipped.get(i)? as usize,
        };
        self.rows.get(ix)
    }

    /// Items in one state.
    pub fn count(&self, state: ItemState) -> usize {
        STATES
            .iter()
            .position(|s| *s == state)
            .map_or(0, |at| self.counts[at])
    }
}

/// The items list of one batch, open in the History view until Esc.
#[derive(Debug, Clone, Default)]
pub struct ItemsPanel {
    pub batch: i64,
    /// None while the journal is read.
    pub data: Option<Arc<BatchItems>>,
    pub error: Option<String>,
    pub filter: ItemFilter,
    /// The load this panel waits for; an answer to another is stale.
    pub generation: u64,
    pub cursor: usize,
    pub offset: usize,
}

impl ItemsPanel {
    /// Rows the current filter shows (0 while loading).
    pub fn len(&self) -> usize {
        self.data.as_ref().map_or(0, |d| d.len(self.filter))
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The item under the cursor.
    pub fn current(&self) -> Option<&ItemRow> {
        self.data.as_ref()?.get(self.filter, self.cursor)
    }
}
