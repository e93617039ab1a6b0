//! A snapshot ready for the console: the directory and what the views derive from it once
//! (histograms, group lookups, domains), built off the UI thread whenever data arrives.

use std::borrow::Cow;
use std::collections::HashMap;
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
    /// Indices into `dir.users` in account id order (the queue and plan name users by id):
    /// 4 bytes a user, where a map from a copy of each id took ~100. See [`Loaded::user`].
    pub by_account: Vec<u32>,
}

/// Indices of `users` in account id order. Ids share a long prefix (`712020:`), so each is
/// keyed by the 8 bytes after the prefix they all share: most comparisons are then one
/// integer comparison instead of a `memcmp` over the prefix (most of deriving at 100,000).
fn account_order(users: &[crate::domain::User]) -> Vec<u32> {
    let shared = users.first().map_or(0, |first| {
        let first = first.account_id.as_bytes();
        users.iter().fold(first.len(), |n, u| {
            first[..n]
                .iter()
                .zip(u.account_id.as_bytes())
                .take_while(|(a, b)| a == b)
                .count()
        })
    });
    let key = |id: &str| {
        let rest = &id.as_bytes()[shared.min(id.len())..];
        let mut b = [0u8; 8];
        let n = rest.len().min(8);
        b[..n].copy_from_slice(&rest[..n]);
        u64::from_be_bytes(b)
    };
    let mut keyed: Vec<(u64, u32)> = users
        .iter()
        .enumerate()
        .map(|(i, u)| (key(&u.account_id), i as u32))
        .collect();
    keyed.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| {
            users[a.1 as usize]
                .account_id
                .cmp(&users[b.1 as usize].account_id)
        })
    });
    keyed.into_iter().map(|(_, i)| i).collect()
}

#[derive(Debug, Clone)]
pub struct Loaded {
    pub dir: Arc<Directory>,
    pub derived: Arc<Derived>,
    pub origin: Origin,
}

impl Loaded {
    /// The product keys the org's data carries, from the derived histograms: O(products),
    /// where `Directory::product_keys` passes over every user. The sort menu, the `:` line,
    /// completion and the breakdowns all read this one list.
    pub fn product_keys(&self) -> impl Iterator<Item = &str> {
        self.derived.activity.iter().map(|a| a.product.as_str())
    }

    /// The index in `dir.users` of the user with this account id.
    pub fn user_ix(&self, account_id: &str) -> Option<u32> {
        let users = &self.dir.users;
        self.derived
            .by_account
            .binary_search_by(|&i| users[i as usize].account_id.as_str().cmp(account_id))
            .ok()
            .map(|p| self.derived.by_account[p])
    }

    /// The user with this account id.
    pub fn user(&self, account_id: &str) -> Option<&crate::domain::User> {
        self.user_ix(account_id)
            .and_then(|i| self.dir.users.get(i as usize))
    }

    /// Derives everything the views need. O(users): call it off the UI thread.
    pub fn new(dir: Arc<Directory>, origin: Origin, config: &Config) -> Loaded {
        // Strings only a replaced directory used go now (a new one arrives rarely).
        crate::domain::Sym::forget_unused();
        let group_ix = dir
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.id.clone(), i))
            .collect();
        let mut groups_by_name: Vec<usize> = (0..dir.groups.len()).collect();
        groups_by_name.sort_by_cached_key(|&i| dir.groups[i].name.to_lowercase());
        // A few domains over many users: count without an allocation per user.
        let mut counts: HashMap<Cow<'_, str>, usize> = HashMap::new();
        for u in &dir.users {
            if let Some((_, d)) = u.email.as_deref().and_then(|e| e.rsplit_once('@')) {
                let d = if d.chars().any(char::is_uppercase) {
                    Cow::Owned(d.to_lowercase())
                } else {
                    Cow::Borrowed(d)
                };
                match counts.get_mut(&d) {
                    Some(n) => *n += 1,
                    None => {
                        counts.insert(d, 1);
                    }
                }
            }
        }
        let mut domains: Vec<(String, usize)> = counts
            .into_iter()
            .map(|(d, n)| (d.into_owned(), n))
            .collect();
        domains.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let by_account = account_order(&dir.users);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::User;

    fn user(id: &str) -> User {
        User {
            account_id: id.into(),
            ..crate::domain::sample_directory(1, 1, chrono::Utc::now()).users[0].clone()
        }
    }

    #[test]
    fn account_order_is_the_string_order() {
        let ids = [
            "712020:b",
            "712020:a",
            "712020:",
            "712020:abcdefghij",
            "712020:abcdefghi",
            "712020:abcdefgh",
            "5b10a:z",
            "712020:é",
            "712020:a\0",
            "",
            "712020:abcdefghik",
        ];
        let users: Vec<User> = ids.iter().map(|i| user(i)).collect();
        let order: Vec<&str> = account_order(&users)
            .iter()
            .map(|&i| ids[i as usize])
            .collect();
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        assert_eq!(order, sorted);
        // All sharing one long prefix, and one alone.
        let same: Vec<User> = ["712020:x", "712020:x", "712020:w"]
            .iter()
            .map(|i| user(i))
            .collect();
        let order: Vec<&str> = account_order(&same)
            .iter()
            .map(|&i| same[i as usize].account_id.as_str())
            .collect();
        assert_eq!(order, ["712020:w", "712020:x", "712020:x"]);
        assert_eq!(account_order(&users[..1]), [0]);
        assert!(account_order(&[]).is_empty());
    }
}
