//! Which groups give a selection of users its product: for each group, how many of the
//! selected users it holds and how many get the product through it, only through it or also
//! another way. The Groups view breaks down the Users view's rows, the Activity view the idle
//! holders of the product and bucket chosen.
//!
//! A grant path is one notion, [`grant_paths_into`]: the Details view names the same paths.
//! Counting is O(selection × groups per user): it runs off the UI thread (`io.rs`) and comes
//! back as `Action::Breakdown`, keyed by the rows it answers ([`BreakdownKey`]).

use std::borrow::Cow;
use std::sync::Arc;

use super::loaded::{Derived, Loaded};
use crate::domain::{Bucket, Directory, User};

/// One way a user gets a product, as the snapshot shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantPath {
    /// A group of theirs that grants it (index into `dir.groups`).
    Group(usize),
    /// The org admin role: access that cannot be removed here.
    OrgAdmin,
    /// A direct role grant: what is left when no group and no admin role gives it. A direct
    /// grant beside a group shows only once a plan looks it up (`plan::needing_lookup`).
    Direct,
}

/// The paths that give `user` the product, into `out` (cleared first; empty when the user
/// does not hold it): each group of theirs that grants it, the org admin role, else a direct
/// grant. The Details view and every breakdown read this one definition.
pub fn grant_paths_into(
    out: &mut Vec<GrantPath>,
    dir: &Directory,
    derived: &Derived,
    user: &User,
    product: &str,
) {
    out.clear();
    if user.access(product).is_none() {
        return;
    }
    for gr in &user.groups {
        let Some(&gi) = derived.group_ix.get(gr.id.as_str()) else {
            continue;
        };
        let grants = dir.groups[gi].grants.iter().any(|p| p == product);
        if grants && !out.contains(&GrantPath::Group(gi)) {
            out.push(GrantPath::Group(gi));
        }
    }
    if user.org_admin {
        out.push(GrantPath::OrgAdmin);
    }
    if out.is_empty() {
        out.push(GrantPath::Direct);
    }
}

/// What a breakdown answers; a result for another key is stale and dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakdownKey {
    /// The Users view's rows of filter generation `rows`, on data generation `data`.
    Rows { data: u64, rows: u64 },
    /// The Activity view's seat holders of `product` in bucket or preset `choice`.
    Activity {
        data: u64,
        product: String,
        choice: usize,
    },
}

/// The users a breakdown counts.
#[derive(Debug, Clone)]
pub enum Selection {
    /// Indices into `dir.users` (the Users view's rows).
    Rows(Arc<Vec<u32>>),
    /// Seat holders of the product in one of the Activity view's buckets or presets.
    Idle { product: String, within: Within },
}

/// An Activity bar or preset: holders whose inactivity falls in a bucket, or is at least N
/// days (never active included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Within {
    Bucket(Bucket),
    AtLeast(u32),
}

/// A breakdown to compute off the UI thread.
#[derive(Debug, Clone)]
pub struct BreakdownRequest {
    pub key: BreakdownKey,
    pub loaded: Loaded,
    pub selection: Selection,
    /// Product keys to break down (the query's `product:` facets; none: members only).
    pub products: Vec<String>,
    /// What the selection is, for the header: the query, or "idle ≥90d".
    pub label: String,
}

/// One product's grant paths over the selection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductPaths {
    pub product: String,
    /// Selected users who hold it.
    pub holders: usize,
    /// Of them, those who get it through at least one group.
    pub through_groups: usize,
    /// Through the org admin role and no group.
    pub admin_only: usize,
    /// Through a direct grant and no group.
    pub direct_only: usize,
}

/// How a group gives one product to the selection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Through {
    /// Selected users for whom this group is the only path.
    pub only: u32,
    /// Selected users who also get it another way (another group, the admin role).
    pub also: u32,
}

impl Through {
    pub fn total(self) -> u32 {
        self.only + self.also
    }
}

/// One group's line of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupLine {
    /// Index into the directory's groups (its member count and grants, for the table).
    pub group: usize,
    pub name: String,
    pub synced: bool,
    /// Selected users in the group.
    pub members: u32,
    /// Per product of [`Breakdown::products`], in the same order.
    pub through: Vec<Through>,
}

impl GroupLine {
    /// Selected users who get some broken-down product through this group (the sort key).
    pub fn granted(&self) -> u32 {
        self.through.iter().map(|t| t.total()).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakdown {
    pub key: BreakdownKey,
    pub label: String,
    /// Users in the selection.
    pub selected: usize,
    pub products: Vec<ProductPaths>,
    /// Every group of the directory, most granting first, then most members in the
    /// selection, then by name: groups holding none of the selection come last.
    pub groups: Vec<GroupLine>,
}

impl Breakdown {
    /// Groups holding at least one selected user.
    pub fn holding(&self) -> usize {
        self.groups.iter().filter(|g| g.members > 0).count()
    }
}

/// Seat holders of `product` whose inactivity is `within` an Activity bar or preset: the
/// users it counts and its Enter lists.
pub fn idle_rows(dir: &Directory, product: &str, within: Within) -> Vec<u32> {
    dir.users
        .iter()
        .enumerate()
        .filter(|(_, u)| u.holds_seats())
        .filter(|(_, u)| {
            u.access(product).is_some_and(|a| match within {
                Within::AtLeast(days) => a.inactive_for_at_least(days, dir.fetched_at),
                Within::Bucket(b) => Bucket::of(a.inactivity(dir.fetched_at)) == b,
            })
        })
        .map(|(i, _)| i as u32)
        .collect()
}

/// Counts the breakdown. O(selection × groups per user) plus O(groups log groups).
pub fn compute(req: &BreakdownRequest) -> Breakdown {
    let dir = &req.loaded.dir;
    let derived = &req.loaded.derived;
    let rows: Cow<'_, [u32]> = match &req.selection {
        Selection::Rows(r) => Cow::Borrowed(r.as_slice()),
        Selection::Idle { product, within } => Cow::Owned(idle_rows(dir, product, *within)),
    };
    let groups = dir.groups.len();
    let np = req.products.len();
    let mut members = vec![0u32; groups];
    let mut through = vec![Through::default(); groups * np];
    let mut products: Vec<ProductPaths> = req
        .products
        .iter()
        .map(|p| ProductPaths {
            product: p.clone(),
            ..ProductPaths::default()
        })
        .collect();
    let mut paths = Vec::new();
    let mut seen: Vec<usize> = Vec::new();
    for &ix in rows.iter() {
        let Some(u) = dir.users.get(ix as usize) else {
            continue;
        };
        seen.clear();
        for gr in &u.groups {
            if let Some(&gi) = derived.group_ix.get(gr.id.as_str())
                && !seen.contains(&gi)
            {
                seen.push(gi);
                members[gi] += 1;
            }
        }
        for (pi, pp) in products.iter_mut().enumerate() {
            grant_paths_into(&mut paths, dir, derived, u, &pp.product);
            if paths.is_empty() {
                continue;
            }
            pp.holders += 1;
            let alone = paths.len() == 1;
            let mut by_group = false;
            for p in &paths {
                if let GrantPath::Group(gi) = *p {
                    by_group = true;
                    let t = &mut through[gi * np + pi];
                    if alone {
                        t.only += 1;
                    } else {
                        t.also += 1;
                    }
                }
            }
            if !by_group {
                if paths.contains(&GrantPath::OrgAdmin) {
                    pp.admin_only += 1;
                } else {
                    pp.direct_only += 1;
                }
            } else {
                pp.through_groups += 1;
            }
        }
    }
    let mut lines: Vec<GroupLine> = dir
        .groups
        .iter()
        .enumerate()
        .map(|(gi, g)| GroupLine {
            group: gi,
            name: g.name.clone(),
            synced: g.synced,
            members: members[gi],
            through: through[gi * np..(gi + 1) * np].to_vec(),
        })
        .collect();
    lines.sort_by_cached_key(|l| {
        (
            std::cmp::Reverse(l.granted()),
            std::cmp::Reverse(l.members),
            l.name.to_lowercase(),
        )
    });
    Breakdown {
        key: req.key.clone(),
        label: req.label.clone(),
        selected: rows.len(),
        products,
        groups: lines,
    }
}

/// The product keys a query's `product:` facets name (aliases resolved against the products
/// held), in query order; none when it names none or does not parse. O(query length).
pub fn query_products(query: &str, held: &[String]) -> Vec<String> {
    let Ok(q) = crate::filter::parse(query) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for p in q.scope_products() {
        if let Some(k) = crate::domain::resolve_product_key(p, held.iter().map(String::as_str))
            && !out.contains(&k)
        {
            out.push(k);
        }
    }
    out
}

/// Which groups give the selection its product (`tui::breakdown`): the Groups view's breakdown
/// of the Users rows and the Activity view's of the idle holders chosen, counted off the UI
/// thread. A result whose key is not the one asked is stale and dropped.
#[derive(Debug, Clone, Default)]
pub struct Breakdowns {
    /// Bumped with every directory put on screen: breakdowns of older data are stale.
    pub data: u64,
    pub groups: BreakdownSlot,
    pub activity: BreakdownSlot,
    /// The query and data generation the product list below was read from, and the product
    /// keys its `product:` facets name (the Users view's Grants column and the breakdowns
    /// read them).
    pub query: String,
    pub products_of: u64,
    pub products: Vec<String>,
}

/// One breakdown: the newest asked for and the one landed.
#[derive(Debug, Clone, Default)]
pub struct BreakdownSlot {
    pub asked: Option<BreakdownKey>,
    pub shown: Option<Arc<Breakdown>>,
}
