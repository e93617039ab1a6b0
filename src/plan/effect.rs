//! What a plan does to seats and cost, per product: seats used now and after, seats freed and
//! regained, and the amount saved a month and a year at the configured prices.
//!
//! A user frees a product's seat only when, after the plan, no path gives them the product:
//! a suspended, removed or deactivated user frees all their seats; a group removal frees the
//! seat only when no other group (and no direct grant) grants the product.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::grants::{DirectGrants, holds_directly};
use super::{Change, Step};
use crate::config::Prices;
use crate::domain::{AccountType, Directory, UserStatus, product_name};

/// Said next to every savings figure: the figure is an upper bound on the next bills.
pub const SAVINGS_NOTE: &str = "Savings arrive at the end of the billing cycle (no mid-cycle credit); annual plans are sold in user tiers, so an annual bill drops only when the count falls below a tier.";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductEffect {
    pub product: String,
    pub name: String,
    pub used_now: u64,
    pub used_after: u64,
    /// Holders who hold the product through no path after the plan.
    pub freed: u64,
    /// Users who get the product back (restore, reactivate).
    pub regained: u64,
    pub price_per_user_month: Option<f64>,
    /// `(freed - regained) * price`; negative when the plan adds cost. None without a price.
    pub monthly_saving: Option<f64>,
    pub yearly_saving: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeatEffect {
    pub currency: String,
    pub products: Vec<ProductEffect>,
    /// Summed over the products with a price.
    pub monthly_saving: f64,
    pub yearly_saving: f64,
    pub note: String,
}

impl Default for SeatEffect {
    fn default() -> SeatEffect {
        SeatEffect {
            currency: String::new(),
            products: Vec::new(),
            monthly_saving: 0.0,
            yearly_saving: 0.0,
            note: SAVINGS_NOTE.to_owned(),
        }
    }
}

impl SeatEffect {
    pub fn product(&self, key: &str) -> Option<&ProductEffect> {
        self.products.iter().find(|p| p.product == key)
    }

    pub fn seats_freed(&self) -> u64 {
        self.products.iter().map(|p| p.freed).sum()
    }
}

/// What the steps do to one user.
#[derive(Default)]
struct UserChanges {
    /// Suspended, removed from the directory or deactivated.
    off: bool,
    /// Restored or reactivated.
    on: bool,
    left_groups: HashSet<String>,
    revoked: HashSet<String>,
}

/// The effect of `steps` on the snapshot. `also` names products to report even when the
/// plan changes nothing on them (the product of a product removal); `direct` holds the direct
/// grants looked up beyond what the snapshot shows.
pub fn effect<'a>(
    dir: &Directory,
    steps: impl IntoIterator<Item = &'a Step>,
    prices: &Prices,
    also: &[String],
    direct: &DirectGrants,
) -> SeatEffect {
    let mut changes: HashMap<&str, UserChanges> = HashMap::new();
    for step in steps {
        let c = changes.entry(step.account_id.as_str()).or_default();
        match &step.change {
            Change::Suspend | Change::RemoveFromDirectory | Change::Deactivate => c.off = true,
            Change::Restore | Change::Reactivate => c.on = true,
            Change::RemoveFromGroup { group_id, .. } => {
                c.left_groups.insert(group_id.clone());
            }
            Change::RevokeProductRole { product, .. } => {
                c.revoked.insert(product.clone());
            }
            // Inverses only appear in undo plans; they take nothing away.
            Change::AddToGroup { .. } | Change::AssignProductRole { .. } => {}
        }
    }
    let grants: HashMap<&str, &[String]> = dir
        .groups
        .iter()
        .map(|g| (g.id.as_str(), g.grants.as_slice()))
        .collect();
    let grants_product = |group_id: &str, product: &str| {
        grants
            .get(group_id)
            .is_some_and(|g| g.iter().any(|k| k == product))
    };

    let mut freed: BTreeMap<String, u64> = BTreeMap::new();
    let mut regained: BTreeMap<String, u64> = BTreeMap::new();
    for user in &dir.users {
        let Some(c) = changes.get(user.account_id.as_str()) else {
            continue;
        };
        // Every product the user holds now or could hold through a group.
        let mut products: BTreeSet<&str> = user
            .product_access
            .iter()
            .map(|a| a.product.as_str())
            .collect();
        for g in &user.groups {
            if let Some(keys) = grants.get(g.id.as_str()) {
                products.extend(keys.iter().map(String::as_str));
            }
        }
        let signs_in_after = user.account_type == AccountType::Atlassian
            && !c.off
            && (c.on || matches!(user.status, UserStatus::Active | UserStatus::NotInvited));
        for product in products {
            let now = user.holds_seat(product);
            let by_group = user
                .groups
                .iter()
                .filter(|g| !c.left_groups.contains(g.id.as_str()))
                .any(|g| grants_product(&g.id, product));
            // Suspended users show no access, so a direct grant of theirs is known only when
            // looked up.
            let direct = holds_directly(user, product, |g| grants_product(g, product), direct)
                && !c.revoked.contains(product);
            let after = signs_in_after && (by_group || direct);
            if now && !after {
                *freed.entry(product.to_owned()).or_default() += 1;
            } else if !now && after {
                *regained.entry(product.to_owned()).or_default() += 1;
            }
        }
    }

    let mut keys: BTreeSet<String> = freed.keys().chain(regained.keys()).cloned().collect();
    keys.extend(also.iter().cloned());
    let mut out = SeatEffect {
        currency: prices.currency.clone(),
        ..SeatEffect::default()
    };
    for key in keys {
        let f = freed.get(&key).copied().unwrap_or(0);
        let r = regained.get(&key).copied().unwrap_or(0);
        let used_now = dir
            .seats
            .iter()
            .find(|s| s.product.key == key)
            .map(|s| s.used)
            .unwrap_or_else(|| dir.holders(&key));
        let price = prices.of(&key);
        let monthly = price.map(|p| cents(p * (f as f64 - r as f64)));
        if let Some(m) = monthly {
            out.monthly_saving += m;
        }
        out.products.push(ProductEffect {
            name: product_name(&key),
            used_after: used_now.saturating_sub(f) + r,
            used_now,
            freed: f,
            regained: r,
            price_per_user_month: price,
            monthly_saving: monthly,
            yearly_saving: monthly.map(|m| cents(m * 12.0)),
            product: key,
        });
    }
    out.monthly_saving = cents(out.monthly_saving);
    out.yearly_saving = cents(out.monthly_saving * 12.0);
    out
}

/// Amounts are kept to the cent: what a bill shows, and what survives a JSON round trip.
fn cents(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Group, GroupRef, Product, ProductAccess, Seats, SeatsSource, User};
    use chrono::Utc;

    fn user(id: &str, status: UserStatus, groups: &[&str], access: &[&str]) -> User {
        User {
            account_id: id.into(),
            name: id.into(),
            email: None,
            account_type: AccountType::Atlassian,
            status,
            groups: groups
                .iter()
                .map(|g| GroupRef {
                    id: (*g).into(),
                    name: (*g).into(),
                })
                .collect(),
            product_access: access
                .iter()
                .map(|p| ProductAccess {
                    product: (*p).into(),
                    last_active: None,
                    resource: None,
                })
                .collect(),
            managed: true,
            synced: false,
            org_admin: false,
            site_admin: false,
        }
    }

    fn group(id: &str, grants: &[&str]) -> Group {
        Group {
            id: id.into(),
            name: id.into(),
            synced: false,
            grants: grants.iter().map(|g| (*g).into()).collect(),
            member_count: None,
        }
    }

    fn step(id: &str, change: Change) -> Step {
        Step {
            account_id: id.into(),
            name: id.into(),
            email: None,
            change,
            guard: None,
        }
    }

    fn leave(g: &str) -> Change {
        Change::RemoveFromGroup {
            group_id: g.into(),
            group_name: g.into(),
        }
    }

    fn dir() -> Directory {
        Directory {
            org_id: "o".into(),
            fetched_at: Utc::now(),
            users: vec![
                // Jira through two groups.
                user(
                    "two",
                    UserStatus::Active,
                    &["jira", "jira2"],
                    &["jira-software"],
                ),
                // Jira through one group, Confluence directly.
                user(
                    "one",
                    UserStatus::Active,
                    &["jira"],
                    &["jira-software", "confluence"],
                ),
                user("gone", UserStatus::Suspended, &["jira"], &[]),
            ],
            groups: vec![
                group("jira", &["jira-software"]),
                group("jira2", &["jira-software"]),
            ],
            seats: vec![Seats::new(
                Product::new("jira-software"),
                Some(10),
                7,
                SeatsSource::JiraApplicationRole,
            )],
        }
    }

    #[test]
    fn a_seat_is_freed_only_when_no_path_is_left() {
        let prices = Prices::default();
        let steps = [step("two", leave("jira")), step("one", leave("jira"))];
        let e = effect(&dir(), &steps, &prices, &[], &DirectGrants::new());
        let jira = e.product("jira-software").unwrap();
        // "two" keeps Jira through jira2.
        assert_eq!((jira.used_now, jira.freed, jira.used_after), (7, 1, 6));
        assert_eq!(jira.monthly_saving, Some(8.60));
        assert!(e.product("confluence").is_none(), "nothing changes there");
        assert!((e.yearly_saving - 8.60 * 12.0).abs() < 1e-9);
        assert_eq!(e.note, SAVINGS_NOTE);
    }

    #[test]
    fn suspension_frees_every_seat_and_restore_regains_through_groups() {
        let prices = Prices::default();
        let steps = [step("one", Change::Suspend), step("gone", Change::Restore)];
        let e = effect(
            &dir(),
            &steps,
            &prices,
            &["jira-servicedesk".into()],
            &DirectGrants::new(),
        );
        let jira = e.product("jira-software").unwrap();
        assert_eq!((jira.freed, jira.regained, jira.used_after), (1, 1, 7));
        assert_eq!(jira.monthly_saving, Some(0.0));
        let conf = e.product("confluence").unwrap();
        // No seats figure for Confluence: used now is counted from the directory.
        assert_eq!((conf.used_now, conf.freed, conf.used_after), (1, 1, 0));
        assert_eq!(conf.monthly_saving, Some(6.40));
        let jsm = e.product("jira-servicedesk").unwrap();
        assert_eq!((jsm.freed, jsm.monthly_saving), (0, Some(0.0)));
        assert!((e.monthly_saving - 6.40).abs() < 1e-9);
    }

    #[test]
    fn a_revoked_direct_grant_frees_and_unpriced_products_have_no_amount() {
        let mut prices = Prices::default();
        prices.per_user_month.remove("confluence");
        let steps = [step(
            "one",
            Change::RevokeProductRole {
                product: "confluence".into(),
                resource: "ari:cloud:confluence::site/c".into(),
            },
        )];
        let e = effect(&dir(), &steps, &prices, &[], &DirectGrants::new());
        let conf = e.product("confluence").unwrap();
        assert_eq!((conf.freed, conf.monthly_saving), (1, None));
        assert_eq!(e.monthly_saving, 0.0);
    }
}
