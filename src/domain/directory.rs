//! A snapshot of the whole org directory, stamped with when it was fetched.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::{Group, Interner, Seats, User, UserStatus};

#[derive(Debug, Clone)]
pub struct Directory {
    pub org_id: String,
    /// Inactivity is counted from here, and the data's age is shown from here.
    pub fetched_at: DateTime<Utc>,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub seats: Vec<Seats>,
}

impl Directory {
    /// Makes every repeated string (group ids and names, product keys, resource ARIs) one
    /// allocation shared by all users who hold it. O(users), once per fetched directory: a
    /// fetch builds each user's strings apart, 100,000 users repeat a few thousand of them.
    pub fn share_strings(&mut self) {
        let mut strings = Interner::new();
        for u in &mut self.users {
            for g in &mut u.groups {
                g.id = strings.share(&g.id);
                g.name = strings.share(&g.name);
            }
            for a in &mut u.product_access {
                a.product = strings.share(&a.product);
                if let Some(r) = &a.resource {
                    a.resource = Some(strings.share(r));
                }
            }
        }
    }

    /// Every product key any user holds, sorted.
    pub fn product_keys(&self) -> Vec<String> {
        let keys: BTreeSet<&str> = self
            .users
            .iter()
            .flat_map(|u| u.product_access.iter().map(|a| a.product.as_str()))
            .collect();
        keys.into_iter().map(str::to_owned).collect()
    }

    /// Users who hold the product and are not suspended or gone: the seats counted from the
    /// directory when no licence figure exists.
    pub fn holders(&self, product: &str) -> u64 {
        self.users
            .iter()
            .filter(|u| matches!(u.status, UserStatus::Active | UserStatus::NotInvited))
            .filter(|u| u.access(product).is_some())
            .count() as u64
    }
}
