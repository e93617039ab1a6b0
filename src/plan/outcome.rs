//! What the plan says about a target that gets no step: held out (a reason not to touch them),
//! a no-op (nothing to change), and who keeps a product through another path.

use serde::{Deserialize, Serialize};

use super::OperationKind;
use super::queue::ConflictKind;
use crate::domain::{ProtectionReason, product_name};

/// A target the plan will not touch, with the reason shown on its row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldOut {
    pub account_id: String,
    pub name: String,
    pub email: Option<String>,
    pub operation: OperationKind,
    pub reason: HoldReason,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "hold", rename_all = "kebab-case")]
pub enum HoldReason {
    /// An admin, the admin running seats, an app account, an IdP-owned user or a configured
    /// protection.
    Protected { protection: ProtectionReason },
    /// Used the product (or any product, when `product` is None) within the threshold.
    ActiveWithin {
        product: Option<String>,
        days_ago: i64,
        threshold_days: u32,
    },
    /// The group is owned by the identity provider.
    SyncedGroup { group: String },
    /// Product removal: a synced group still grants the product, so removing the rest frees
    /// nothing.
    KeepsThroughSyncedGroup {
        product: String,
        groups: Vec<String>,
    },
    /// Account deactivation and reactivation work on managed accounts only.
    NotManaged,
    /// Another queued operation contradicts this one for the user.
    Conflict { conflict: ConflictKind },
    /// Member of groups the snapshot does not describe: what they grant is unknown.
    GroupsUnknown { groups: Vec<String> },
    /// A direct grant on a site the snapshot does not name.
    NoResource { product: String },
}

impl HoldReason {
    pub fn describe(&self) -> String {
        match self {
            HoldReason::Protected { protection } => protection.describe(),
            HoldReason::ActiveWithin {
                product,
                days_ago,
                threshold_days,
            } => {
                let on = product
                    .as_deref()
                    .map(|p| format!(" on {}", product_name(p)))
                    .unwrap_or_default();
                let when = match days_ago {
                    0 => "today".to_owned(),
                    1 => "1 day ago".to_owned(),
                    d => format!("{d} days ago"),
                };
                format!("active again{on} {when}, within the {threshold_days}-day threshold")
            }
            HoldReason::SyncedGroup { group } => format!(
                "group {group} is synced from the identity provider: change this in your identity provider"
            ),
            HoldReason::KeepsThroughSyncedGroup { product, groups } => format!(
                "keeps {} through synced group {}: the seat cannot be freed here; change this in your identity provider",
                product_name(product),
                groups.join(", ")
            ),
            HoldReason::NotManaged => {
                "not a managed account: only accounts on your verified domains can be deactivated or reactivated".into()
            }
            HoldReason::Conflict { conflict } => conflict.describe().to_owned(),
            HoldReason::GroupsUnknown { groups } => format!(
                "member of groups the snapshot does not describe ({}): refresh and plan again",
                groups.join(", ")
            ),
            HoldReason::NoResource { product } => format!(
                "holds {} directly on a site the snapshot does not name: refresh and plan again",
                product_name(product)
            ),
        }
    }

    /// A short key to group held-out rows by in a summary.
    pub fn label(&self) -> String {
        match self {
            HoldReason::Protected { protection } => match protection {
                ProtectionReason::ProtectedGroup(_) => "protected group".into(),
                ProtectionReason::ProtectedDomain(_) => "protected domain".into(),
                other => other.describe(),
            },
            HoldReason::ActiveWithin { .. } => "active within the threshold".into(),
            HoldReason::SyncedGroup { .. } => {
                "synced group: change this in your identity provider".into()
            }
            HoldReason::KeepsThroughSyncedGroup { .. } => {
                "keeps access through a synced group: cannot be freed here".into()
            }
            HoldReason::NotManaged => "not a managed account".into(),
            HoldReason::Conflict { .. } => "conflicting actions queued".into(),
            HoldReason::GroupsUnknown { .. } => "groups not in the snapshot".into(),
            HoldReason::NoResource { .. } => "site of a direct grant unknown".into(),
        }
    }
}

/// A target with nothing to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoOp {
    pub account_id: String,
    pub name: String,
    pub email: Option<String>,
    pub operation: OperationKind,
    pub reason: NoOpReason,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "noop", rename_all = "kebab-case")]
pub enum NoOpReason {
    /// The account id is not in the snapshot (removed since it was queued).
    NotInDirectory,
    AlreadySuspended,
    /// Restore of a user who is not suspended.
    NotSuspended,
    NotMember {
        group: String,
    },
    NoAccess {
        product: String,
    },
    AlreadyDeactivated,
    /// Reactivation of an account that is not deactivated.
    NotDeactivated,
    /// Every change this action makes to the user is made by an earlier action of the plan
    /// (a group removal queued beside the product removal it is part of; the same action
    /// queued from two queries).
    InEarlierAction,
}

impl NoOpReason {
    pub fn describe(&self) -> String {
        match self {
            NoOpReason::NotInDirectory => "no longer in the directory".into(),
            NoOpReason::AlreadySuspended => "already suspended".into(),
            NoOpReason::NotSuspended => "not suspended (already restored)".into(),
            NoOpReason::NotMember { group } => format!("not a member of {group}"),
            NoOpReason::NoAccess { product } => format!("has no {} access", product_name(product)),
            NoOpReason::AlreadyDeactivated => "account already deactivated".into(),
            NoOpReason::NotDeactivated => "account not deactivated".into(),
            NoOpReason::InEarlierAction => "made by an earlier action of this plan".into(),
        }
    }
}

/// A user who keeps a product after the plan, and through what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    pub account_id: String,
    pub name: String,
    pub email: Option<String>,
    pub product: String,
    pub path: KeepPath,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "via", rename_all = "kebab-case")]
pub enum KeepPath {
    Group {
        group_id: String,
        group_name: String,
        synced: bool,
    },
    /// A direct grant of the product's user role.
    Direct,
}

impl Kept {
    /// "keeps Jira Software through group X", and for a synced group that the seat cannot be
    /// freed here.
    pub fn describe(&self) -> String {
        let product = product_name(&self.product);
        match &self.path {
            KeepPath::Group {
                group_name,
                synced: false,
                ..
            } => format!("keeps {product} through group {group_name}"),
            KeepPath::Group {
                group_name,
                synced: true,
                ..
            } => format!(
                "keeps {product} through synced group {group_name}: the seat cannot be freed here"
            ),
            KeepPath::Direct => format!("keeps {product} through a direct grant"),
        }
    }
}
