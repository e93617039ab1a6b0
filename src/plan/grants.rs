//! Direct grants: a user's own grant of a product's user role, besides any group's. One
//! definition of the data ([`DirectGrants`]), of who needs a look-up ([`needing_lookup`]) and
//! of who holds a product directly ([`holds_directly`]), read by the plan builder, its effect,
//! `seats plan` and the console. The look-up itself is I/O: `atlassian::fetch::direct_grants`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{OperationKind, Queue};
use crate::domain::{Directory, User, product_key_from_ari};

/// Account id to the resources (ARIs) on which it holds a direct `atlassian/user` grant.
pub type DirectGrants = BTreeMap<String, BTreeSet<String>>;

/// Whether the user holds `product` through a direct grant: looked up, or inferred from access
/// that no group of theirs gives.
pub(crate) fn holds_directly(
    user: &User,
    product: &str,
    grants_product: impl Fn(&str) -> bool,
    known: &DirectGrants,
) -> bool {
    let looked_up = known.get(&user.account_id).is_some_and(|aris| {
        aris.iter()
            .any(|a| product_key_from_ari(a) == Some(product))
    });
    looked_up
        || (user.access(product).is_some() && !user.groups.iter().any(|g| grants_product(&g.id)))
}

/// The targets who hold a product the queue takes away through a group as well: the user list
/// cannot show their direct grants, so each needs one look-up (users without a granting group
/// need none: their grant is inferred).
pub fn needing_lookup<'a>(dir: &'a Directory, queue: &Queue) -> BTreeSet<&'a str> {
    let grants: HashMap<&str, &[String]> = dir
        .groups
        .iter()
        .map(|g| (g.id.as_str(), g.grants.as_slice()))
        .collect();
    let users: HashMap<&str, &crate::domain::User> = dir
        .users
        .iter()
        .map(|u| (u.account_id.as_str(), u))
        .collect();
    let mut wanted: BTreeSet<&str> = BTreeSet::new();
    for op in queue.operations() {
        for t in &op.targets {
            let Some(u) = users.get(t.as_str()) else {
                continue;
            };
            let mut granting = u
                .groups
                .iter()
                .filter_map(|g| grants.get(g.id.as_str()).map(|keys| (g.id.as_str(), *keys)));
            let needed = match &op.kind {
                // Some group grants the product being removed.
                OperationKind::RemoveProductAccess { product } => {
                    granting.any(|(_, keys)| keys.iter().any(|k| k == product))
                }
                // The group being left grants a product.
                OperationKind::RemoveFromGroup { group_id, .. } => {
                    granting.any(|(id, keys)| id == group_id && !keys.is_empty())
                }
                OperationKind::Suspend
                | OperationKind::Restore
                | OperationKind::RemoveFromDirectory
                | OperationKind::Deactivate
                | OperationKind::Reactivate => false,
            };
            if needed {
                wanted.insert(u.account_id.as_str());
            }
        }
    }
    wanted
}
