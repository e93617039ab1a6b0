//! Sort orders of the users table. PLACEHOLDER implementation: the filter helper replaces it.

use crate::domain::Directory;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Best fuzzy score first when the query has words, else by name.
    #[default]
    Relevance,
    Name,
    Email,
    Status,
    Type,
    Groups,
    /// Days since last active on the product (never counts as the longest).
    Inactivity(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Sort {
    pub fn apply(&self, dir: &Directory, rows: &mut [u32]) {
        rows.sort_by(|a, b| {
            dir.users[*a as usize]
                .name
                .cmp(&dir.users[*b as usize].name)
        });
        if self.descending {
            rows.reverse();
        }
    }
}
