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

/// The query language for the help screen: (token, what it does).
pub fn facet_help() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "words",
            "fuzzy match on name, email and groups; every word must match",
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
