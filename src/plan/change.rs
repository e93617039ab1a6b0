//! What an admin asks for (`OperationKind`) and the single API changes it becomes (`Step`).
//!
//! An operation is the admin's intent over many users ("remove Jira Software from these 300");
//! a step is one request against one user ("remove X from group jira-software-users"). The
//! plan expands operations into steps; the executor sends, journals and undoes steps.

use crate::domain::ProtectionReason;
use serde::{Deserialize, Serialize};

/// Whether a protection holds a change out: the one rule the plan builder and the executor share.
/// An IdP-synced account can still be suspended or lose groups made in Atlassian, but its lifecycle
/// (removal from the directory, deactivation, reactivation) belongs to the IdP; every other
/// protection holds out whatever takes something away.
fn held_out(reason: &ProtectionReason, takes_away: bool, account_lifecycle: bool) -> bool {
    match reason {
        ProtectionReason::Synced => account_lifecycle,
        _ => takes_away,
    }
}

/// An action the admin queues for a set of users.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum OperationKind {
    /// Every non-synced group that grants the product, and a direct grant through a role revoke.
    RemoveProductAccess {
        product: String,
    },
    RemoveFromGroup {
        group_id: String,
        group_name: String,
    },
    Suspend,
    Restore,
    /// Irreversible from seats: the user must be invited again, with their groups and roles.
    RemoveFromDirectory,
    /// Atlassian account deactivation (user management API, managed accounts only).
    Deactivate,
    Reactivate,
}

impl OperationKind {
    /// Whether `reason` keeps this action from the user (see `held_out`).
    pub fn held_out_by(&self, reason: &ProtectionReason) -> bool {
        let lifecycle = matches!(
            self,
            OperationKind::RemoveFromDirectory
                | OperationKind::Deactivate
                | OperationKind::Reactivate
        );
        held_out(reason, self.takes_away(), lifecycle)
    }

    /// Takes something away (every action but restore and reactivate).
    pub fn takes_away(&self) -> bool {
        match self {
            OperationKind::RemoveProductAccess { .. }
            | OperationKind::RemoveFromGroup { .. }
            | OperationKind::Suspend
            | OperationKind::RemoveFromDirectory
            | OperationKind::Deactivate => true,
            OperationKind::Restore | OperationKind::Reactivate => false,
        }
    }

    /// The words the queue, the plan and the audit log use.
    pub fn describe(&self) -> String {
        match self {
            OperationKind::RemoveProductAccess { product } => {
                format!("remove {} access", crate::domain::product_name(product))
            }
            OperationKind::RemoveFromGroup { group_name, .. } => {
                format!("remove from group {group_name}")
            }
            OperationKind::Suspend => "suspend".into(),
            OperationKind::Restore => "restore".into(),
            OperationKind::RemoveFromDirectory => "remove from the directory".into(),
            OperationKind::Deactivate => "deactivate the Atlassian account".into(),
            OperationKind::Reactivate => "reactivate the Atlassian account".into(),
        }
    }

    /// Actions seats cannot undo: the confirm dialog asks for the typed count.
    pub fn is_irreversible(&self) -> bool {
        match self {
            OperationKind::RemoveFromDirectory | OperationKind::Deactivate => true,
            OperationKind::RemoveProductAccess { .. }
            | OperationKind::RemoveFromGroup { .. }
            | OperationKind::Suspend
            | OperationKind::Restore
            | OperationKind::Reactivate => false,
        }
    }

    /// The action's name in the catalogue: `seats plan --action NAME` and the console's
    /// `:NAME` line. The console's action menu (`tui::menu::Menu::actions`) lists every kind;
    /// `tests/catalogue.rs` checks all three against [`OperationKind::examples`].
    pub fn name(&self) -> &'static str {
        match self {
            OperationKind::RemoveProductAccess { .. } => "remove-product-access",
            OperationKind::RemoveFromGroup { .. } => "remove-group",
            OperationKind::Suspend => "suspend",
            OperationKind::Restore => "restore",
            OperationKind::RemoveFromDirectory => "remove-from-directory",
            OperationKind::Deactivate => "deactivate",
            OperationKind::Reactivate => "reactivate",
        }
    }

    /// One of each kind, in menu order (parameters are placeholders). A new kind goes here:
    /// the match below does not compile until it does, and the catalogue test then asks for
    /// its menu entry, `:` command and CLI action.
    pub fn examples() -> Vec<OperationKind> {
        let all = vec![
            OperationKind::RemoveProductAccess {
                product: String::new(),
            },
            OperationKind::RemoveFromGroup {
                group_id: String::new(),
                group_name: String::new(),
            },
            OperationKind::Suspend,
            OperationKind::Restore,
            OperationKind::RemoveFromDirectory,
            OperationKind::Deactivate,
            OperationKind::Reactivate,
        ];
        for kind in &all {
            match kind {
                OperationKind::RemoveProductAccess { .. }
                | OperationKind::RemoveFromGroup { .. }
                | OperationKind::Suspend
                | OperationKind::Restore
                | OperationKind::RemoveFromDirectory
                | OperationKind::Deactivate
                | OperationKind::Reactivate => {}
            }
        }
        all
    }

    /// Whether the action names a product or a group (its `:` command and menu entry ask).
    pub fn has_parameter(&self) -> bool {
        match self {
            OperationKind::RemoveProductAccess { .. } | OperationKind::RemoveFromGroup { .. } => {
                true
            }
            OperationKind::Suspend
            | OperationKind::Restore
            | OperationKind::RemoveFromDirectory
            | OperationKind::Deactivate
            | OperationKind::Reactivate => false,
        }
    }
}

/// One API change to one user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum Change {
    Suspend,
    Restore,
    RemoveFromDirectory,
    RemoveFromGroup {
        group_id: String,
        group_name: String,
    },
    /// The inverse of `RemoveFromGroup` (undo).
    AddToGroup {
        group_id: String,
        group_name: String,
    },
    /// Revoke a direct `atlassian/user` grant on the product's resource (an ARI).
    RevokeProductRole {
        product: String,
        resource: String,
    },
    /// The inverse of `RevokeProductRole` (undo).
    AssignProductRole {
        product: String,
        resource: String,
    },
    Deactivate,
    Reactivate,
}

impl Change {
    /// Whether `reason` keeps this change from the user at run time (see `held_out`).
    pub fn held_out_by(&self, reason: &ProtectionReason) -> bool {
        let lifecycle = matches!(
            self,
            Change::RemoveFromDirectory | Change::Deactivate | Change::Reactivate
        );
        held_out(reason, self.takes_away(), lifecycle)
    }

    /// Changes that take something away: the guard and protections apply to these only
    /// (giving back a seat is never held out).
    pub fn takes_away(&self) -> bool {
        match self {
            Change::Suspend
            | Change::RemoveFromDirectory
            | Change::RemoveFromGroup { .. }
            | Change::RevokeProductRole { .. }
            | Change::Deactivate => true,
            Change::Restore
            | Change::AddToGroup { .. }
            | Change::AssignProductRole { .. }
            | Change::Reactivate => false,
        }
    }

    /// The change that undoes this one, or None when seats cannot undo it.
    pub fn inverse(&self) -> Option<Change> {
        Some(match self {
            Change::Suspend => Change::Restore,
            Change::Restore => Change::Suspend,
            Change::RemoveFromGroup {
                group_id,
                group_name,
            } => Change::AddToGroup {
                group_id: group_id.clone(),
                group_name: group_name.clone(),
            },
            Change::AddToGroup {
                group_id,
                group_name,
            } => Change::RemoveFromGroup {
                group_id: group_id.clone(),
                group_name: group_name.clone(),
            },
            Change::RevokeProductRole { product, resource } => Change::AssignProductRole {
                product: product.clone(),
                resource: resource.clone(),
            },
            Change::AssignProductRole { product, resource } => Change::RevokeProductRole {
                product: product.clone(),
                resource: resource.clone(),
            },
            Change::Deactivate => Change::Reactivate,
            Change::Reactivate => Change::Deactivate,
            Change::RemoveFromDirectory => return None,
        })
    }

    pub fn describe(&self) -> String {
        match self {
            Change::Suspend => "suspend".into(),
            Change::Restore => "restore".into(),
            Change::RemoveFromDirectory => "remove from the directory".into(),
            Change::RemoveFromGroup { group_name, .. } => format!("remove from {group_name}"),
            Change::AddToGroup { group_name, .. } => format!("add to {group_name}"),
            Change::RevokeProductRole { product, .. } => {
                format!(
                    "revoke direct {} grant",
                    crate::domain::product_name(product)
                )
            }
            Change::AssignProductRole { product, .. } => {
                format!("grant {} directly", crate::domain::product_name(product))
            }
            Change::Deactivate => "deactivate account".into(),
            Change::Reactivate => "reactivate account".into(),
        }
    }
}

/// One change to one user, with enough of the user to show and audit it without the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Step {
    pub account_id: String,
    pub name: String,
    pub email: Option<String>,
    pub change: Change,
    /// What must still hold just before the change is sent; the executor re-reads the user
    /// and skips the step, with the reason, where it no longer does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard: Option<Guard>,
}

/// The plan's premise about a user, checked again at run time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Guard {
    /// The user must not have been active since this time: on `product`, or on any product
    /// when `None`. Activity after it means "active again since the plan": skip.
    pub inactive_since: Option<chrono::DateTime<chrono::Utc>>,
    pub product: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan decides per action, the executor per step: for every protection, an action and
    /// each step it expands into (as `plan::build` expands them) must be held out alike, or a
    /// hand-edited plan file would get past a guard the console enforces.
    #[test]
    fn the_plan_and_the_executor_hold_out_the_same_changes() {
        let group = || Change::RemoveFromGroup {
            group_id: "g".into(),
            group_name: "n".into(),
        };
        let revoke = Change::RevokeProductRole {
            product: "jira-software".into(),
            resource: "ari:cloud:jira-software::site/c".into(),
        };
        let actions = [
            (
                OperationKind::RemoveProductAccess {
                    product: "jira-software".into(),
                },
                vec![group(), revoke],
            ),
            (
                OperationKind::RemoveFromGroup {
                    group_id: "g".into(),
                    group_name: "n".into(),
                },
                vec![group()],
            ),
            (OperationKind::Suspend, vec![Change::Suspend]),
            (OperationKind::Restore, vec![Change::Restore]),
            (
                OperationKind::RemoveFromDirectory,
                vec![Change::RemoveFromDirectory],
            ),
            (OperationKind::Deactivate, vec![Change::Deactivate]),
            (OperationKind::Reactivate, vec![Change::Reactivate]),
        ];
        let reasons = [
            ProtectionReason::OrgAdmin,
            ProtectionReason::SiteAdmin,
            ProtectionReason::Myself,
            ProtectionReason::AppAccount,
            ProtectionReason::Synced,
            ProtectionReason::ProtectedGroup("g".into()),
            ProtectionReason::ProtectedUser,
            ProtectionReason::ProtectedDomain("d".into()),
        ];
        for (action, steps) in &actions {
            for reason in &reasons {
                for step in steps {
                    assert_eq!(
                        action.held_out_by(reason),
                        step.held_out_by(reason),
                        "{action:?} / {step:?} under {reason:?}"
                    );
                }
            }
        }
        // The IdP owns a synced account's lifecycle, not its suspension or Atlassian groups.
        let synced = ProtectionReason::Synced;
        assert!(OperationKind::RemoveFromDirectory.held_out_by(&synced));
        assert!(Change::Reactivate.held_out_by(&synced));
        assert!(!Change::Suspend.held_out_by(&synced));
        assert!(!group().held_out_by(&synced));
        // Giving back is never held out by the other protections.
        assert!(!Change::Restore.held_out_by(&ProtectionReason::OrgAdmin));
        assert!(!OperationKind::Reactivate.held_out_by(&ProtectionReason::ProtectedUser));
    }

    #[test]
    fn inverses_round_trip_except_removal() {
        let changes = [
            Change::Suspend,
            Change::RemoveFromGroup {
                group_id: "g".into(),
                group_name: "n".into(),
            },
            Change::RevokeProductRole {
                product: "jira-software".into(),
                resource: "ari:cloud:jira-software::site/c".into(),
            },
            Change::Deactivate,
        ];
        for c in changes {
            let inv = c.inverse().expect("has an inverse");
            assert_ne!(inv, c);
            assert_eq!(inv.inverse(), Some(c));
        }
        assert_eq!(Change::RemoveFromDirectory.inverse(), None);
    }

    #[test]
    fn wire_form_is_tagged_and_kebab_case() {
        let s = serde_json::to_value(OperationKind::RemoveProductAccess {
            product: "confluence".into(),
        })
        .unwrap();
        assert_eq!(
            s,
            serde_json::json!({"action": "remove-product-access", "product": "confluence"})
        );
    }
}
