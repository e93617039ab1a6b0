//! What could be reclaimed: per product, the seat holders who have not used it for the
//! product's inactivity threshold (or never), and what their seats cost a month.
//!
//! A signal for review, not proof: activity lags up to 24 hours and API use does not count.

use chrono::{DateTime, Utc};

use super::{Directory, product_name};

/// One product's idle seats.
#[derive(Debug, Clone, PartialEq)]
pub struct IdleSeats {
    pub product: String,
    pub name: String,
    /// Users who hold the product and count against the licence.
    pub holders: u64,
    /// Holders inactive for at least `threshold_days`, never-active ones included.
    pub idle: u64,
    /// Holders with no activity record at all.
    pub never_active: u64,
    pub threshold_days: u32,
    /// Price per user per month, when configured.
    pub price: Option<f64>,
}

impl IdleSeats {
    /// Monthly cost of the idle seats, when a price is known. Savings land at the end of the
    /// billing cycle, and annual plans are sold in user tiers: this is an upper bound.
    pub fn monthly_cost(&self) -> Option<f64> {
        self.price.map(|p| p * self.idle as f64)
    }
}

/// Counts idle seats per product as of `dir.fetched_at`. `threshold` and `price` give each
/// product's inactivity threshold in days and its price per user a month.
pub fn idle_seats(
    dir: &Directory,
    threshold: impl Fn(&str) -> u32,
    price: impl Fn(&str) -> Option<f64>,
) -> Vec<IdleSeats> {
    dir.product_keys()
        .into_iter()
        .map(|key| {
            let days = threshold(&key);
            let mut row = IdleSeats {
                name: product_name(&key),
                holders: 0,
                idle: 0,
                never_active: 0,
                threshold_days: days,
                price: price(&key),
                product: key,
            };
            count(dir, &mut row, dir.fetched_at);
            row
        })
        .collect()
}

fn count(dir: &Directory, row: &mut IdleSeats, as_of: DateTime<Utc>) {
    let seat_holders = dir.users.iter().filter(|u| u.holds_seats());
    for user in seat_holders {
        let Some(access) = user.access(&row.product) else {
            continue;
        };
        row.holders += 1;
        if access.last_active.is_none() {
            row.never_active += 1;
        }
        if access.inactive_for_at_least(row.threshold_days, as_of) {
            row.idle += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AccountType, ProductAccess, User, UserStatus};
    use chrono::{Duration, TimeZone};

    fn user(
        id: &str,
        status: UserStatus,
        kind: AccountType,
        access: &[(&str, Option<i64>)],
    ) -> User {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap();
        User {
            account_id: id.into(),
            name: id.into(),
            email: None,
            account_type: kind,
            status,
            groups: vec![],
            product_access: access
                .iter()
                .map(|(p, days)| ProductAccess {
                    product: (*p).into(),
                    last_active: days.map(|d| now - Duration::days(d)),
                    resource: None,
                })
                .collect(),
            managed: true,
            synced: false,
            org_admin: false,
            site_admin: false,
        }
    }

    #[test]
    fn counts_idle_and_never_active_holders_only() {
        let dir = Directory {
            org_id: "o".into(),
            fetched_at: Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap(),
            users: vec![
                user(
                    "fresh",
                    UserStatus::Active,
                    AccountType::Atlassian,
                    &[("jira-software", Some(3))],
                ),
                user(
                    "idle",
                    UserStatus::Active,
                    AccountType::Atlassian,
                    &[("jira-software", Some(120)), ("confluence", Some(10))],
                ),
                user(
                    "never",
                    UserStatus::Active,
                    AccountType::Atlassian,
                    &[("jira-software", None)],
                ),
                user(
                    "suspended",
                    UserStatus::Suspended,
                    AccountType::Atlassian,
                    &[("jira-software", None)],
                ),
                user(
                    "bot",
                    UserStatus::Active,
                    AccountType::App,
                    &[("jira-software", None)],
                ),
            ],
            groups: vec![],
            seats: vec![],
        };
        let rows = idle_seats(&dir, |_| 90, |k| (k == "jira-software").then_some(8.6));
        let jira = rows.iter().find(|r| r.product == "jira-software").unwrap();
        assert_eq!((jira.holders, jira.idle, jira.never_active), (3, 2, 1));
        assert_eq!(jira.monthly_cost(), Some(17.2));
        let conf = rows.iter().find(|r| r.product == "confluence").unwrap();
        assert_eq!((conf.holders, conf.idle, conf.monthly_cost()), (1, 0, None));
    }

    #[test]
    fn threshold_is_per_product() {
        let dir = Directory {
            org_id: "o".into(),
            fetched_at: Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap(),
            users: vec![user(
                "u",
                UserStatus::Active,
                AccountType::Atlassian,
                &[("jira-software", Some(40)), ("confluence", Some(40))],
            )],
            groups: vec![],
            seats: vec![],
        };
        let rows = idle_seats(&dir, |k| if k == "confluence" { 30 } else { 60 }, |_| None);
        let idle: Vec<_> = rows.iter().map(|r| (r.product.as_str(), r.idle)).collect();
        assert_eq!(idle, vec![("confluence", 1), ("jira-software", 0)]);
    }
}
