//! The query line: plain words (fuzzy, every word must match) and facet tokens (exact).
//! PLACEHOLDER implementation: the filter helper replaces it.

use crate::domain::{Directory, User};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Facet {
    Product(String),
    Idle(u32),
    Never,
    Status(String),
    Type(String),
    Domain(String),
    Group(String),
    Admin,
    Synced,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub words: Vec<String>,
    /// (negated, facet)
    pub facets: Vec<(bool, Facet)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub message: String,
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for QueryError {}

pub fn parse(text: &str) -> Result<Query, QueryError> {
    Ok(Query {
        words: text.split_whitespace().map(str::to_lowercase).collect(),
        facets: vec![],
    })
}

impl Query {
    pub fn matches(&self, _dir: &Directory, user: &User) -> bool {
        let hay = format!(
            "{} {}",
            user.name.to_lowercase(),
            user.email.as_deref().unwrap_or("").to_lowercase()
        );
        self.words.iter().all(|w| hay.contains(w.as_str()))
    }
}
