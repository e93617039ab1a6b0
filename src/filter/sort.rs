//! Sort orders of the users table. Every key becomes one `u64` built from ranks computed once
//! per directory, so sorting 100,000 rows is an integer sort.
//!
//! Ties always fall back to name order (ascending, whatever the direction), and rows that have
//! no value for the key (no email, no access to the product) come last in both directions.

use super::index::{NEVER, SearchIndex};
use super::matching::Hit;
use super::query::Query;
use crate::domain::Directory;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Best fuzzy score first when the query has words, else by name.
    #[default]
    Relevance,
    Name,
    Email,
    /// active, suspended, not_invited, deactivated, for_deletion, then unknown values.
    Status,
    /// atlassian, app, customer, then unknown values.
    Type,
    /// Number of groups.
    Groups,
    /// Days since last active on the product, never counting as the longest; users without
    /// the product come last.
    Inactivity(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sort {
    pub key: SortKey,
    /// Reverses the key's natural order (for Relevance: worst match first).
    pub descending: bool,
}

/// The primary part of a key takes 31 bits.
const PRIMARY_MAX: u64 = (1 << 31) - 1;

impl Sort {
    /// Only a relevance sort of a query with words looks at fuzzy scores.
    pub fn needs_scores(&self, query: &Query) -> bool {
        self.key == SortKey::Relevance && !query.words.is_empty()
    }

    /// Sorts `rows` (indices into `dir.users`) by this order. Builds an index of the
    /// directory: for one-off use; the worker and [`super::select`] sort on their index.
    pub fn apply(&self, dir: &Directory, rows: &mut [u32]) {
        let idx = SearchIndex::build(dir);
        let hits: Vec<Hit> = rows.iter().map(|&r| (r, 0)).collect();
        let ordered = self.order(&idx, &hits, false);
        rows.copy_from_slice(&ordered);
    }

    /// The rows of `hits` in this order; `scored` says the hits carry fuzzy scores.
    pub(crate) fn order(&self, idx: &SearchIndex, hits: &[Hit], scored: bool) -> Vec<u32> {
        let by_name = self.key == SortKey::Name || (self.key == SortKey::Relevance && !scored);
        if by_name && hits.len() * 8 >= idx.len() {
            // Name order is the index's own: picking many hits out of it is one linear scan,
            // where sorting them took milliseconds at 100,000 users (the empty query, Esc).
            let mut bits = vec![0u64; idx.len().div_ceil(64)];
            for &(r, _) in hits {
                bits[r as usize / 64] |= 1 << (r % 64);
            }
            let mut rows: Vec<u32> = idx
                .by_name
                .iter()
                .copied()
                .filter(|&r| bits[r as usize / 64] & (1 << (r % 64)) != 0)
                .collect();
            if self.descending {
                rows.reverse();
            }
            return rows;
        }
        let product = match &self.key {
            SortKey::Inactivity(p) => idx.product_by_key.get(p).copied(),
            _ => None,
        };
        let emails = idx.email_count();
        let mut keys: Vec<u64> = hits
            .iter()
            .map(|&(row, score)| {
                let i = row as usize;
                // (missing, natural-order primary)
                let (missing, primary) = match &self.key {
                    SortKey::Relevance if scored => {
                        // Order-preserving map of the score into 0..=PRIMARY_MAX, best first.
                        let s = score.clamp(-(1 << 30), (1 << 30) - 1) + (1 << 30);
                        (false, PRIMARY_MAX - s as u64)
                    }
                    SortKey::Relevance | SortKey::Name => (false, u64::from(idx.name_rank[i])),
                    SortKey::Email => {
                        let r = idx.email_rank[i];
                        (r as usize >= emails, u64::from(r))
                    }
                    SortKey::Status => (false, u64::from(idx.status[i])),
                    SortKey::Type => (false, u64::from(idx.account_type[i])),
                    SortKey::Groups => (false, idx.group_count_of(row) as u64),
                    SortKey::Inactivity(_) => {
                        match product
                            .and_then(|p| idx.access_of(row).iter().find(|(id, _)| *id == p))
                        {
                            None => (true, 0),
                            Some(&(_, NEVER)) => (false, PRIMARY_MAX),
                            Some(&(_, days)) => (false, u64::from(days).min(PRIMARY_MAX - 1)),
                        }
                    }
                };
                let primary = if self.descending {
                    PRIMARY_MAX - primary.min(PRIMARY_MAX)
                } else {
                    primary.min(PRIMARY_MAX)
                };
                (u64::from(missing) << 63) | (primary << 32) | u64::from(idx.name_rank[i])
            })
            .collect();
        keys.sort_unstable();
        // The low 32 bits are the name rank, unique per user: it names the row.
        keys.into_iter()
            .map(|k| idx.by_name[(k & 0xffff_ffff) as usize])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn name_order_picked_from_the_index_equals_the_sorted_keys() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        let dir = crate::domain::sample_directory(3_000, 9, at);
        let idx = SearchIndex::build(&dir);
        // Every user, a quarter (picked from the index) and a tenth (sorted by key).
        for step in [1u32, 4, 10] {
            let hits: Vec<Hit> = (0..3_000u32)
                .filter(|r| r % step == 0)
                .map(|r| (r, 0))
                .collect();
            let mut want: Vec<u32> = hits.iter().map(|h| h.0).collect();
            want.sort_by_key(|&r| idx.name_rank[r as usize]);
            for key in [SortKey::Name, SortKey::Relevance] {
                let asc = Sort {
                    key: key.clone(),
                    descending: false,
                };
                assert_eq!(asc.order(&idx, &hits, false), want, "{key:?} 1/{step}");
                let desc = Sort {
                    key,
                    descending: true,
                };
                let mut rev = want.clone();
                rev.reverse();
                assert_eq!(desc.order(&idx, &hits, false), rev, "1/{step} descending");
            }
        }
    }
}
