//! Which users to show, in what order: the query language (fuzzy words and exact facets),
//! matching and sorting, and the worker that runs them off the UI thread.
//!
//! The console sends a [`FilterRequest`] for every keystroke; the [`Worker`] answers only the
//! newest, re-scoring only the previous hits while the query narrows. Headless commands
//! (`export --filter`, `plan`) call [`select`] directly.

mod engine;
#[cfg(test)]
mod equivalence;
mod facets;
mod index;
mod matching;
mod query;
mod sort;
mod worker;

use crate::domain::Directory;

pub use engine::{Engine, PROVISIONAL_MIN, PassKind};
pub use index::SearchIndex;
pub use matching::match_positions;
pub use query::{
    Facet, FacetToken, Query, QueryError, Vocabulary, facet_tokens, parse, parse_in, quote_value,
};
pub use sort::{Sort, SortKey};
pub use worker::{FilterRequest, FilterResult, Worker};

/// The users matching `query`, as indices into `dir.users`, in `sort` order. For headless
/// commands; the console goes through the [`Worker`].
pub fn select(dir: &Directory, query: &str, sort: &Sort) -> Result<Vec<u32>, QueryError> {
    select_in(&SearchIndex::build(dir), query, sort)
}

/// [`select`] on an index already built, for several queries over one directory (the
/// activity histogram's buckets, say).
pub fn select_in(index: &SearchIndex, query: &str, sort: &Sort) -> Result<Vec<u32>, QueryError> {
    let q = parse_in(query, index.vocabulary())?;
    let scorer = matching::Scorer::new();
    let scored = sort.needs_scores(&q);
    let hits = matching::full_pass(index, &q, scored, &scorer, &mut || false).unwrap_or_default();
    Ok(sort.order(index, &hits, scored))
}

/// The query language for the help screen: (token, what it does).
pub fn facet_help() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "words",
            "fuzzy match on name and email; every word must match",
        ),
        (
            "product:KEY",
            "holds the product (jira-software, confluence, ...)",
        ),
        (
            "idle:N",
            "inactive at least N days on that product, or never",
        ),
        ("never", "never active on that product"),
        ("status:S", "active, suspended, not_invited, deactivated"),
        ("type:T", "atlassian, app, customer"),
        ("domain:D", "email domain, e.g. domain:contractors.example"),
        (
            "group:NAME",
            "member of the group (quote names with spaces)",
        ),
        ("admin", "org or site admin"),
        ("synced", "provisioned by the identity provider"),
        ("!TOKEN", "negates any token, e.g. !synced"),
    ]
}
