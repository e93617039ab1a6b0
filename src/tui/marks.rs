//! Marks by account id: they survive filtering, sorting and refresh (k9s's "N marked, K
//! hidden by filter"). The index set is the same marks for the directory on screen, so
//! drawing a row asks a hash set, not a list.

use std::collections::{BTreeSet, HashSet};

use crate::domain::Directory;

/// Which users of the directory the filter shows, one bit each (built off the UI thread, so
/// counting hidden marks costs the marks, not the org).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowSet {
    bits: Vec<u64>,
}

impl RowSet {
    pub fn from_rows(rows: &[u32]) -> RowSet {
        let max = rows.iter().copied().max().map_or(0, |m| m as usize + 1);
        let mut bits = vec![0u64; max.div_ceil(64)];
        for &r in rows {
            bits[r as usize / 64] |= 1 << (r % 64);
        }
        RowSet { bits }
    }

    pub fn contains(&self, ix: u32) -> bool {
        self.bits
            .get(ix as usize / 64)
            .is_some_and(|w| w & (1 << (ix % 64)) != 0)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    /// What the admin marked, by account id.
    pub ids: BTreeSet<String>,
    /// The same users as indices into the directory on screen.
    pub ix: HashSet<u32>,
    /// Row where a `V` range started.
    pub anchor: Option<usize>,
    /// The query whose rows every mark came from (`Ctrl-a`, perhaps with some unmarked since):
    /// the plan checks them against its `idle:N`. None when any was picked by hand.
    pub from_query: Option<String>,
    /// Bumped by every change, so the hidden count is made again only when marks change.
    pub revision: u64,
}

impl Marks {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn contains(&self, ix: u32) -> bool {
        self.ix.contains(&ix)
    }

    pub fn toggle(&mut self, dir: &Directory, ix: u32) {
        let Some(u) = dir.users.get(ix as usize) else {
            return;
        };
        self.revision += 1;
        if self.ix.remove(&ix) {
            self.ids.remove(&u.account_id);
        } else {
            self.from_query = None;
            self.ix.insert(ix);
            self.ids.insert(u.account_id.clone());
        }
    }

    /// Marks one row picked by hand (a `V` range).
    pub fn mark(&mut self, dir: &Directory, ix: u32) {
        if let Some(u) = dir.users.get(ix as usize)
            && self.ix.insert(ix)
        {
            self.revision += 1;
            self.from_query = None;
            self.ids.insert(u.account_id.clone());
        }
    }

    /// Marks every row `query` shows (`Ctrl-a`): the marks keep the query as their origin
    /// unless others were marked another way first.
    pub fn mark_all(&mut self, dir: &Directory, rows: &[u32], query: &str) {
        // An empty query is everyone: no premise, as good as picked by hand.
        let origin = (!query.trim().is_empty()
            && (self.is_empty() || self.from_query.as_deref() == Some(query)))
        .then(|| query.to_owned());
        for &ix in rows {
            self.mark(dir, ix);
        }
        self.from_query = origin;
        self.revision += 1;
    }

    pub fn clear(&mut self) {
        self.ids.clear();
        self.ix.clear();
        self.anchor = None;
        self.from_query = None;
        self.revision += 1;
    }

    /// Finds the marked users in a new directory (after a refresh). Marks of users who are
    /// gone are kept by id, so a user who comes back is still marked.
    pub fn remap(&mut self, dir: &Directory) {
        self.revision += 1;
        self.ix.clear();
        if self.ids.is_empty() {
            return;
        }
        for (i, u) in dir.users.iter().enumerate() {
            if self.ids.contains(&u.account_id) {
                self.ix.insert(i as u32);
            }
        }
    }

    /// Marks the filter hides.
    pub fn hidden(&self, shown: &RowSet) -> usize {
        let visible = self.ix.iter().filter(|&&i| shown.contains(i)).count();
        self.ids.len() - visible
    }
}
