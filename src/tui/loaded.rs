//! A snapshot ready for the console: the directory and what the views derive from it once
//! (histograms, group lookups, domains), built off the UI thread whenever data arrives.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::config::Config;
use crate::domain::{Directory, IdleSeats, ProductActivity, activity, idle_seats};

/// Where the data on screen came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The local snapshot, from an earlier run.
    Snapshot,
    /// Pages of a fetch still under way.
    Partial,
    /// A complete fetch in this run.
    Live,
}

#[derive(Debug)]
pub struct Derived {
    pub activity: Vec<ProductActivity>,
    /// Per product (same order as `activity`): idle holders at the configured threshold and
    /// their price.
    pub reclaim: Vec<IdleSeats>,
    /// Group id to its index in `dir.groups`.
    pub group_ix: HashMap<String, usize>,
    /// Indices into `dir.groups`, by name.
    pub groups_by_name: Vec<usize>,
    /// Email domains and how many users have each, most common first.
    pub domains: Vec<(String, usize)>,
    /// Account id to its index in `dir.users` (the queue and plan name users by id).
    pub by_account: HashMap<String, u32>,
}

#[derive(Debug, Clone)]
pub struct Loaded {
    pub dir: Arc<Directory>,
    pub derived: Arc<Derived>,
    pub origin: Origin,
}

impl Loaded {
    /// Derives everything the views need. O(users): call it off the UI thread.
    pub fn new(dir: Arc<Directory>, origin: Origin, config: &Config) -> Loaded {
        let group_ix = dir
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.id.clone(), i))
            .collect();
        let mut groups_by_name: Vec<usize> = (0..dir.groups.len()).collect();
        groups_by_name.sort_by_cached_key(|&i| dir.groups[i].name.to_lowercase());
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for u in &dir.users {
            if let Some((_, d)) = u.email.as_deref().and_then(|e| e.rsplit_once('@')) {
                *counts.entry(d.to_lowercase()).or_default() += 1;
            }
        }
        let mut domains: Vec<(String, usize)> = counts.into_iter().collect();
        domains.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let by_account = dir
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.account_id.clone(), i as u32))
            .collect();
        let derived = Derived {
            by_account,
            activity: activity(&dir),
            reclaim: idle_seats(&dir, |p| config.inactivity_days(p), |p| config.prices.of(p)),
            group_ix,
            groups_by_name,
            domains,
        };
        Loaded {
            dir,
            derived: Arc::new(derived),
            origin,
        }
    }
}
