//! A snapshot of the whole org directory, stamped with when it was fetched.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::{Group, Seats, User, UserStatus};

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
