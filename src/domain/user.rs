//! Users, their product access and how long each product has gone unused.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Sym;

/// `accountType` in Atlassian's words. App and customer accounts take no seats.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum AccountType {
    Atlassian,
    App,
    Customer,
    Other(Sym),
}

impl AccountType {
    pub fn parse(s: Option<&str>) -> AccountType {
        match s.unwrap_or("atlassian") {
            "atlassian" => AccountType::Atlassian,
            "app" => AccountType::App,
            "customer" => AccountType::Customer,
            other => AccountType::Other(other.into()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            AccountType::Atlassian => "atlassian",
            AccountType::App => "app",
            AccountType::Customer => "customer",
            AccountType::Other(s) => s.as_str(),
        }
    }
}

/// The user's status in the org directory (`status` of the v2 user).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum UserStatus {
    Active,
    Suspended,
    /// Invited and never logged in (`not_invited` on the wire means no invitation was accepted).
    NotInvited,
    Deactivated,
    ForDeletion,
    Other(Sym),
}

impl UserStatus {
    pub fn parse(s: Option<&str>) -> UserStatus {
        match s.unwrap_or("active") {
            "active" => UserStatus::Active,
            "suspended" => UserStatus::Suspended,
            "not_invited" => UserStatus::NotInvited,
            "deactivated" => UserStatus::Deactivated,
            "for_deletion" => UserStatus::ForDeletion,
            other => UserStatus::Other(other.into()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Suspended => "suspended",
            UserStatus::NotInvited => "not_invited",
            UserStatus::Deactivated => "deactivated",
            UserStatus::ForDeletion => "for_deletion",
            UserStatus::Other(s) => s.as_str(),
        }
    }
}

/// Access to one product and when it was last used (`None` = never).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductAccess {
    /// Product key, shared by every holder.
    pub product: Sym,
    pub last_active: Option<DateTime<Utc>>,
    /// The product on its site as an ARI (`ari:cloud:<product>::site/<cloudId>`, the v2
    /// `productAccess[].id`): what a direct grant is revoked on. None when the API gave none.
    pub resource: Option<Sym>,
}

/// How long a product has gone unused, as of when the data was fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Inactivity {
    Days(i64),
    Never,
}

impl ProductAccess {
    /// Whole days between the last activity and `as_of` (never negative).
    pub fn inactivity(&self, as_of: DateTime<Utc>) -> Inactivity {
        match self.last_active {
            Some(t) => Inactivity::Days((as_of - t).num_days().max(0)),
            None => Inactivity::Never,
        }
    }

    pub fn inactive_for_at_least(&self, days: u32, as_of: DateTime<Utc>) -> bool {
        match self.inactivity(as_of) {
            Inactivity::Never => true,
            Inactivity::Days(d) => d >= i64::from(days),
        }
    }
}

/// A group a user is in: id and name shared with every other member (32 bytes a membership).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupRef {
    pub id: Sym,
    pub name: Sym,
}

/// A user in the org directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub account_id: String,
    pub name: String,
    pub email: Option<String>,
    pub account_type: AccountType,
    pub status: UserStatus,
    pub groups: Vec<GroupRef>,
    pub product_access: Vec<ProductAccess>,
    /// On a verified, claimed domain (`claimStatus: managed`).
    pub managed: bool,
    /// Provisioned by an identity provider (`managementSource: synced`): change it there.
    pub synced: bool,
    /// Holds `atlassian/org-admin` (`platformRoles`): product access that cannot be removed.
    pub org_admin: bool,
    /// Holds `atlassian/site-admin` on a site.
    pub site_admin: bool,
}

impl User {
    pub fn access(&self, product: &str) -> Option<&ProductAccess> {
        self.product_access.iter().find(|a| a.product == product)
    }

    /// Counts against a licence, as the licence counts: an Atlassian account that can sign in
    /// (an invited one counts too). App and customer accounts hold no seat; suspended,
    /// deactivated and removed users stop billing. The one definition the activity view, the
    /// reclaim report and the plan's effect read (the console's `SEAT_HOLDERS` query says the
    /// same, checked in `tests/catalogue.rs`).
    pub fn holds_seats(&self) -> bool {
        self.account_type == super::AccountType::Atlassian
            && matches!(
                self.status,
                super::UserStatus::Active | super::UserStatus::NotInvited
            )
    }

    /// Holds a seat of `product` now.
    pub fn holds_seat(&self, product: &str) -> bool {
        self.holds_seats() && self.access(product).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn inactivity_counts_whole_days_and_never() {
        let as_of = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        let a = ProductAccess {
            product: "confluence".into(),
            last_active: Some(as_of - chrono::Duration::hours(24 * 90 + 5)),
            resource: None,
        };
        assert_eq!(a.inactivity(as_of), Inactivity::Days(90));
        assert!(a.inactive_for_at_least(90, as_of));
        assert!(!a.inactive_for_at_least(91, as_of));
        let never = ProductAccess {
            product: "confluence".into(),
            last_active: None,
            resource: None,
        };
        assert_eq!(never.inactivity(as_of), Inactivity::Never);
        assert!(never.inactive_for_at_least(10_000, as_of));
        // Clock skew: activity after the fetch counts as today.
        let future = ProductAccess {
            product: "x".into(),
            last_active: Some(as_of + chrono::Duration::hours(3)),
            resource: None,
        };
        assert_eq!(future.inactivity(as_of), Inactivity::Days(0));
    }

    #[test]
    fn unknown_wire_values_are_kept() {
        assert_eq!(AccountType::parse(Some("bot")).as_str(), "bot");
        assert_eq!(
            UserStatus::parse(Some("not_invited")),
            UserStatus::NotInvited
        );
        assert_eq!(UserStatus::parse(Some("weird")).as_str(), "weird");
    }
}
