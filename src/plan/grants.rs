//! Direct grants: a user's own grant of a product's user role, besides any group's. One
//! definition of the data ([`DirectGrants`]) and of who holds a product directly
//! ([`holds_directly`]), read by the plan builder and its effect. Who needs a look-up is
//! `plan::needing_lookup` (`lookup.rs`); the look-up itself is I/O,
//! `atlassian::grants::direct_grants_for`.

use std::collections::{BTreeMap, BTreeSet};

use crate::domain::{User, product_key_from_ari};

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
