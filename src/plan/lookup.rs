//! Who needs a direct-grant look-up before a plan is built: the one answer `seats plan` and the
//! console both use, so both read the same users' grants.

use std::collections::{BTreeSet, HashMap};

use super::grants::DirectGrants;
use super::{OperationKind, PlanContext, Queue, build_plan};
use crate::domain::Directory;

/// The targets the plan still changes who hold a product the queue takes away through a group
/// as well: the user list cannot show their direct grants, and no bulk read tells them apart,
/// so each needs one role-assignments request. Users the plan holds out or drops, and users
/// without a granting group (their grant is inferred), need none. `ctx` is the context the
/// plan is built with.
pub fn needing_lookup<'a>(dir: &'a Directory, queue: &Queue, ctx: &PlanContext) -> Vec<&'a str> {
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
    // Who the plan changes does not depend on direct grants (they only add revocations to a
    // user already changed): the plan without them says who is still a target.
    let unlooked = PlanContext {
        direct_grants: DirectGrants::new(),
        ..ctx.clone()
    };
    let plan = build_plan(dir, queue, &unlooked);
    let changed: BTreeSet<&str> = plan.steps().map(|s| s.account_id.as_str()).collect();
    let mut wanted: BTreeSet<&'a str> = BTreeSet::new();
    for op in queue.operations() {
        for t in &op.targets {
            let Some(u) = users.get(t.as_str()) else {
                continue;
            };
            if !changed.contains(u.account_id.as_str()) {
                continue;
            }
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
    wanted.into_iter().collect()
}
