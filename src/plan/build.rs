//! From the queue to the plan: each queued operation expanded into steps against the snapshot,
//! with the targets held out (and why), the no-ops dropped, who keeps a product through another
//! path, the effect on seats and cost, and a refusal when the batch is too big.
//!
//! The console and `seats plan` both call [`build_plan`], so the same queue and snapshot give
//! the same plan wherever it is made.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::context::{PlanContext, Threshold};
use super::effect::{SeatEffect, effect};
use super::grants::{DirectGrants, holds_directly};
use super::outcome::{HeldOut, HoldReason, KeepPath, Kept, NoOp, NoOpReason};
use super::queue::{ConflictKind, OperationId, Queue};
use super::{Change, Guard, OperationKind, Step};
use crate::domain::{Directory, Group, User, UserStatus, product_key_from_ari};

/// One queued operation, planned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedOperation {
    pub id: OperationId,
    pub kind: OperationKind,
    /// Targets queued.
    pub targets: usize,
    pub steps: Vec<Step>,
    pub held_out: Vec<HeldOut>,
    pub no_ops: Vec<NoOp>,
    /// Targets who keep a product the operation takes a path to.
    pub keeps: Vec<Kept>,
    /// The activity premise the targets were checked against, if any.
    #[serde(default)]
    pub threshold: Option<Threshold>,
}

impl PlannedOperation {
    /// Users with at least one step.
    pub fn affected_users(&self) -> usize {
        let ids: HashSet<&str> = self.steps.iter().map(|s| s.account_id.as_str()).collect();
        ids.len()
    }
}

/// Why a plan may not run as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "refusal", rename_all = "kebab-case")]
pub enum Refusal {
    BatchTooLarge { users: usize, cap: u32 },
}

impl Refusal {
    pub fn describe(&self) -> String {
        match self {
            Refusal::BatchTooLarge { users, cap } => format!(
                "this plan changes {} users, more than the batch cap of {}: narrow the query, or raise [plan] batch_cap in config.toml if you mean it",
                crate::output::words::thousands(*users),
                crate::output::words::thousands(*cap as usize)
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub org_id: String,
    /// When the snapshot the plan was made from was fetched.
    pub fetched_at: DateTime<Utc>,
    pub operations: Vec<PlannedOperation>,
    pub effect: SeatEffect,
    pub refusal: Option<Refusal>,
}

impl Plan {
    /// Every step, in order: operation by operation, target by target.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.operations.iter().flat_map(|o| o.steps.iter())
    }

    pub fn held_out(&self) -> impl Iterator<Item = &HeldOut> {
        self.operations.iter().flat_map(|o| o.held_out.iter())
    }

    pub fn no_ops(&self) -> impl Iterator<Item = &NoOp> {
        self.operations.iter().flat_map(|o| o.no_ops.iter())
    }

    /// Distinct users with at least one step: the number the batch cap and the typed
    /// confirmation count.
    pub fn affected_users(&self) -> usize {
        let ids: HashSet<&str> = self.steps().map(|s| s.account_id.as_str()).collect();
        ids.len()
    }

    /// True when some step cannot be undone by seats.
    pub fn is_irreversible(&self) -> bool {
        self.steps().any(|s| s.change.inverse().is_none())
            || self
                .operations
                .iter()
                .any(|o| o.kind.is_irreversible() && !o.steps.is_empty())
    }

    /// Has steps and no refusal.
    pub fn can_run(&self) -> bool {
        self.refusal.is_none() && self.steps().next().is_some()
    }
}

/// What the plan decides for one target of one operation.
enum Decision {
    Steps {
        changes: Vec<Change>,
        guard: Guard,
        keeps: Vec<(String, KeepPath)>,
    },
    Hold(HoldReason),
    NoOp(NoOpReason),
}

/// An action that is one change on the user and keeps nothing.
fn one_step(change: Change, guard: Guard) -> Decision {
    Decision::Steps {
        changes: vec![change],
        keeps: Vec::new(),
        guard,
    }
}

/// Expands the queue against the snapshot. Pure: the same inputs give the same plan.
pub fn build_plan(dir: &Directory, queue: &Queue, ctx: &PlanContext) -> Plan {
    let users: HashMap<&str, &User> = dir
        .users
        .iter()
        .map(|u| (u.account_id.as_str(), u))
        .collect();
    let groups: HashMap<&str, &Group> = dir.groups.iter().map(|g| (g.id.as_str(), g)).collect();
    let conflicts: HashMap<(&str, OperationId), ConflictKind> = {
        let mut m = HashMap::new();
        for c in queue.conflicts() {
            let id = users.get_key_value(c.account_id.as_str()).map(|(k, _)| *k);
            if let Some(id) = id {
                m.entry((id, c.operations.0)).or_insert(c.kind);
                m.entry((id, c.operations.1)).or_insert(c.kind);
            }
        }
        m
    };
    let resources = site_resources(dir);
    // Each change is planned once: a batch sends every step, and admission refuses repeats.
    let mut planned_changes: HashSet<(&str, Change)> = HashSet::new();
    let mut operations = Vec::with_capacity(queue.operations().len());
    for op in queue.operations() {
        let mut planned = PlannedOperation {
            id: op.id,
            kind: op.kind.clone(),
            targets: op.targets.len(),
            steps: Vec::new(),
            held_out: Vec::new(),
            no_ops: Vec::new(),
            keeps: Vec::new(),
            threshold: ctx.threshold_of(op),
        };
        for target in &op.targets {
            let Some(user) = users.get(target.as_str()) else {
                planned.no_ops.push(NoOp {
                    account_id: target.clone(),
                    name: String::new(),
                    email: None,
                    operation: op.kind.clone(),
                    reason: NoOpReason::NotInDirectory,
                });
                continue;
            };
            let decision = match conflicts.get(&(user.account_id.as_str(), op.id)) {
                Some(kind) => Decision::Hold(HoldReason::Conflict { conflict: *kind }),
                None => decide(
                    dir,
                    &groups,
                    &resources,
                    user,
                    &op.kind,
                    planned.threshold.map(|t| t.days),
                    ctx,
                ),
            };
            match decision {
                Decision::Steps {
                    changes,
                    guard,
                    keeps,
                } => {
                    let changes: Vec<Change> = changes
                        .into_iter()
                        .filter(|c| planned_changes.insert((user.account_id.as_str(), c.clone())))
                        .collect();
                    if changes.is_empty() {
                        planned.no_ops.push(NoOp {
                            account_id: user.account_id.clone(),
                            name: user.name.clone(),
                            email: user.email.clone(),
                            operation: op.kind.clone(),
                            reason: NoOpReason::InEarlierAction,
                        });
                        continue;
                    }
                    planned.steps.extend(changes.into_iter().map(|change| Step {
                        account_id: user.account_id.clone(),
                        name: user.name.clone(),
                        email: user.email.clone(),
                        change,
                        guard: Some(guard.clone()),
                    }));
                    planned
                        .keeps
                        .extend(keeps.into_iter().map(|(product, path)| Kept {
                            account_id: user.account_id.clone(),
                            name: user.name.clone(),
                            email: user.email.clone(),
                            product,
                            path,
                        }));
                }
                Decision::Hold(reason) => planned.held_out.push(HeldOut {
                    account_id: user.account_id.clone(),
                    name: user.name.clone(),
                    email: user.email.clone(),
                    operation: op.kind.clone(),
                    reason,
                }),
                Decision::NoOp(reason) => planned.no_ops.push(NoOp {
                    account_id: user.account_id.clone(),
                    name: user.name.clone(),
                    email: user.email.clone(),
                    operation: op.kind.clone(),
                    reason,
                }),
            }
        }
        operations.push(planned);
    }
    // The products an operation aims at, shown even when nothing is freed on them.
    let also: Vec<String> = queue
        .operations()
        .iter()
        .flat_map(|o| match &o.kind {
            OperationKind::RemoveProductAccess { product } => vec![product.clone()],
            OperationKind::RemoveFromGroup { group_id, .. } => groups
                .get(group_id.as_str())
                .map(|g| g.grants.clone())
                .unwrap_or_default(),
            OperationKind::Suspend
            | OperationKind::Restore
            | OperationKind::RemoveFromDirectory
            | OperationKind::Deactivate
            | OperationKind::Reactivate => Vec::new(),
        })
        .collect();
    let effect = effect(
        dir,
        operations.iter().flat_map(|o| o.steps.iter()),
        &ctx.prices,
        &also,
        &ctx.direct_grants,
    );
    let mut plan = Plan {
        org_id: dir.org_id.clone(),
        fetched_at: dir.fetched_at,
        operations,
        effect,
        refusal: None,
    };
    let users = plan.affected_users();
    if users > ctx.batch_cap as usize {
        plan.refusal = Some(Refusal::BatchTooLarge {
            users,
            cap: ctx.batch_cap,
        });
    }
    plan
}

/// Each product's resource ARI on the site, from any user's access to it: the fallback for a
/// direct grant whose own access entry names none.
fn site_resources(dir: &Directory) -> HashMap<&str, &str> {
    let mut out = HashMap::new();
    for a in dir.users.iter().flat_map(|u| u.product_access.iter()) {
        if let Some(r) = a.resource.as_deref() {
            out.entry(a.product.as_str()).or_insert(r);
        }
    }
    out
}

fn decide(
    dir: &Directory,
    groups: &HashMap<&str, &Group>,
    resources: &HashMap<&str, &str>,
    user: &User,
    kind: &OperationKind,
    threshold: Option<u32>,
    ctx: &PlanContext,
) -> Decision {
    if let Some(reason) = no_op(groups, user, kind) {
        return Decision::NoOp(reason);
    }
    // Most serious first (`Protection::reasons` orders them).
    if let Some(protection) = ctx
        .protection
        .reasons(user)
        .into_iter()
        .find(|r| kind.held_out_by(r))
    {
        return Decision::Hold(HoldReason::Protected { protection });
    }
    if matches!(kind, OperationKind::Deactivate | OperationKind::Reactivate) && !user.managed {
        return Decision::Hold(HoldReason::NotManaged);
    }
    if let OperationKind::RemoveFromGroup {
        group_id,
        group_name,
    } = kind
        && groups.get(group_id.as_str()).is_some_and(|g| g.synced)
    {
        return Decision::Hold(HoldReason::SyncedGroup {
            group: group_name.clone(),
        });
    }

    // The activity premise (`PlanContext::threshold_of`): on the product being removed, or
    // on any product for the other actions that take something away.
    let product = match kind {
        OperationKind::RemoveProductAccess { product } => Some(product.as_str()),
        OperationKind::RemoveFromGroup { .. }
        | OperationKind::Suspend
        | OperationKind::Restore
        | OperationKind::RemoveFromDirectory
        | OperationKind::Deactivate
        | OperationKind::Reactivate => None,
    };
    let guard = Guard {
        inactive_since: threshold.map(|d| dir.fetched_at - Duration::days(i64::from(d))),
        product: product.map(str::to_owned),
    };
    if let Some(days) = threshold
        && let Some(hold) = active_within(user, product, days, dir.fetched_at)
    {
        return Decision::Hold(hold);
    }

    match kind {
        OperationKind::RemoveProductAccess { product } => {
            remove_product(groups, resources, &ctx.direct_grants, user, product, guard)
        }
        OperationKind::RemoveFromGroup {
            group_id,
            group_name,
        } => Decision::Steps {
            changes: vec![Change::RemoveFromGroup {
                group_id: group_id.clone(),
                group_name: group_name.clone(),
            }],
            keeps: kept_after_leaving(groups, &ctx.direct_grants, user, group_id),
            guard,
        },
        // One arm per kind, no wildcard: a new kind must say which change it makes.
        OperationKind::Suspend => one_step(Change::Suspend, guard),
        OperationKind::Restore => one_step(Change::Restore, guard),
        OperationKind::RemoveFromDirectory => one_step(Change::RemoveFromDirectory, guard),
        OperationKind::Deactivate => one_step(Change::Deactivate, guard),
        OperationKind::Reactivate => one_step(Change::Reactivate, guard),
    }
}

fn no_op(groups: &HashMap<&str, &Group>, user: &User, kind: &OperationKind) -> Option<NoOpReason> {
    match kind {
        OperationKind::Suspend => {
            (user.status == UserStatus::Suspended).then_some(NoOpReason::AlreadySuspended)
        }
        OperationKind::Restore => {
            matches!(user.status, UserStatus::Active | UserStatus::NotInvited)
                .then_some(NoOpReason::NotSuspended)
        }
        OperationKind::Deactivate => {
            (user.status == UserStatus::Deactivated).then_some(NoOpReason::AlreadyDeactivated)
        }
        OperationKind::Reactivate => {
            (user.status != UserStatus::Deactivated).then_some(NoOpReason::NotDeactivated)
        }
        OperationKind::RemoveFromGroup {
            group_id,
            group_name,
        } => (!user.groups.iter().any(|g| &g.id == group_id)).then(|| NoOpReason::NotMember {
            group: group_name.clone(),
        }),
        OperationKind::RemoveProductAccess { product } => {
            let by_group = user.groups.iter().any(|g| {
                groups
                    .get(g.id.as_str())
                    .is_some_and(|g| g.grants.iter().any(|k| k == product))
            });
            let unknown_group = user
                .groups
                .iter()
                .any(|g| !groups.contains_key(g.id.as_str()));
            (user.access(product).is_none() && !by_group && !unknown_group).then(|| {
                NoOpReason::NoAccess {
                    product: product.clone(),
                }
            })
        }
        OperationKind::RemoveFromDirectory => None,
    }
}

/// Used `product` (or any product) within `days` of the snapshot.
fn active_within(
    user: &User,
    product: Option<&str>,
    days: u32,
    as_of: DateTime<Utc>,
) -> Option<HoldReason> {
    let recent = user
        .product_access
        .iter()
        .filter(|a| product.is_none_or(|p| a.product == p))
        .filter(|a| !a.inactive_for_at_least(days, as_of))
        .max_by_key(|a| a.last_active)?;
    let days_ago = recent
        .last_active
        .map(|t| (as_of - t).num_days().max(0))
        .unwrap_or(0);
    Some(HoldReason::ActiveWithin {
        // For "any product" too, name the product they used.
        product: Some(recent.product.to_string()),
        days_ago,
        threshold_days: days,
    })
}

/// Every non-synced group that grants the product, or the direct grant when no group does.
fn remove_product(
    groups: &HashMap<&str, &Group>,
    resources: &HashMap<&str, &str>,
    known: &DirectGrants,
    user: &User,
    product: &str,
    guard: Guard,
) -> Decision {
    let unknown: Vec<String> = user
        .groups
        .iter()
        .filter(|g| !groups.contains_key(g.id.as_str()))
        .map(|g| g.name.to_string())
        .collect();
    if !unknown.is_empty() {
        return Decision::Hold(HoldReason::GroupsUnknown { groups: unknown });
    }
    let granting: Vec<&Group> = user
        .groups
        .iter()
        .filter_map(|g| groups.get(g.id.as_str()).copied())
        .filter(|g| g.grants.iter().any(|k| k == product))
        .collect();
    let synced: Vec<String> = granting
        .iter()
        .filter(|g| g.synced)
        .map(|g| g.name.clone())
        .collect();
    if !synced.is_empty() {
        return Decision::Hold(HoldReason::KeepsThroughSyncedGroup {
            product: product.to_owned(),
            groups: synced,
        });
    }
    let mut changes: Vec<Change> = granting
        .iter()
        .map(|g| Change::RemoveFromGroup {
            group_id: g.id.clone(),
            group_name: g.name.clone(),
        })
        .collect();
    // Direct grants looked up, and, held without any granting group, the one the access shows.
    let mut sites: BTreeSet<&str> = known
        .get(&user.account_id)
        .into_iter()
        .flatten()
        .filter(|a| product_key_from_ari(a) == Some(product))
        .map(String::as_str)
        .collect();
    if granting.is_empty() {
        for a in user.product_access.iter().filter(|a| a.product == product) {
            match a
                .resource
                .as_deref()
                .or_else(|| resources.get(product).copied())
            {
                Some(r) => {
                    sites.insert(r);
                }
                None => {
                    return Decision::Hold(HoldReason::NoResource {
                        product: product.to_owned(),
                    });
                }
            }
        }
    }
    changes.extend(sites.into_iter().map(|r| Change::RevokeProductRole {
        product: product.to_owned(),
        resource: r.to_owned(),
    }));
    Decision::Steps {
        changes,
        guard,
        keeps: Vec::new(),
    }
}

/// The products `group_id` grants that the user still gets another way, and through what.
fn kept_after_leaving(
    groups: &HashMap<&str, &Group>,
    known: &DirectGrants,
    user: &User,
    group_id: &str,
) -> Vec<(String, KeepPath)> {
    let Some(leaving) = groups.get(group_id) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for product in &leaving.grants {
        let others: Vec<&Group> = user
            .groups
            .iter()
            .filter(|g| g.id != group_id)
            .filter_map(|g| groups.get(g.id.as_str()).copied())
            .filter(|g| g.grants.contains(product))
            .collect();
        for g in others {
            out.push((
                product.clone(),
                KeepPath::Group {
                    group_id: g.id.clone(),
                    group_name: g.name.clone(),
                    synced: g.synced,
                },
            ));
        }
        let grants_product = |id: &str| {
            groups
                .get(id)
                .is_some_and(|g| g.grants.iter().any(|k| k == product))
        };
        if holds_directly(user, product, grants_product, known) {
            out.push((product.clone(), KeepPath::Direct));
        }
    }
    out
}
