//! Which users to show, in what order: the query language (fuzzy words and exact facets),
//! matching and sorting, and the worker that runs them off the UI thread.
//!
//! The console sends a [`FilterRequest`] for every keystroke; the [`Worker`] answers only the
//! newest. Headless commands (`export --filter`, `plan`) call [`select`] directly.

mod query;
mod sort;
mod worker;

use crate::domain::Directory;

pub use query::{Facet, Query, QueryError, parse};
pub use sort::{Sort, SortKey};
pub use worker::{FilterRequest, FilterResult, Worker};

/// The users matching `query`, as indices into `dir.users`, in `sort` order. For headless
/// commands; the console goes through the [`Worker`].
pub fn select(dir: &Directory, query: &str, sort: &Sort) -> Result<Vec<u32>, QueryError> {
    let q = parse(query)?;
    let mut rows: Vec<u32> = (0..dir.users.len() as u32)
        .filter(|&i| q.matches(dir, &dir.users[i as usize]))
        .collect();
    sort.apply(dir, &mut rows);
    Ok(rows)
}
