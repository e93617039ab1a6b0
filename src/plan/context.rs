//! What decides a plan besides the snapshot and the queue: the config's protections,
//! thresholds, prices and batch cap, the direct grants looked up, and each operation's
//! activity threshold.

use serde::{Deserialize, Serialize};

use super::grants::DirectGrants;
use super::{OperationKind, QueuedOperation};
use crate::config::{Config, Inactivity, Prices};
use crate::domain::Protection;

/// Everything besides the snapshot and the queue that decides a plan.
#[derive(Debug, Clone)]
pub struct PlanContext {
    pub protection: Protection,
    /// `idle:N` of the query the targets came from: the threshold for every product, and for
    /// suspensions and removals, which otherwise check no activity.
    pub idle_days: Option<u32>,
    /// Per-product thresholds for product removal when the query names none.
    pub inactivity: Inactivity,
    /// The threshold for targets picked by hand (no query), for suspensions and removals:
    /// the config's `inactive_days` when the plan comes from [`context_for`]; None checks no
    /// activity for them.
    pub hand_picked_days: Option<u32>,
    pub prices: Prices,
    /// Most users one plan may change.
    pub batch_cap: u32,
    /// Direct grants of a product's user role by account id, as resource ARIs, looked up for
    /// users who also hold the product through a group: the v2 user list cannot show those,
    /// and without them removing the groups would free nothing. A direct grant of a user with
    /// no granting group is inferred from the snapshot and need not be here.
    pub direct_grants: DirectGrants,
}

impl PlanContext {
    /// The config's protections, thresholds, prices and batch cap; `myself` identifies the
    /// signed-in admin (email, account id).
    pub fn new(config: &Config, myself: &[&str]) -> PlanContext {
        PlanContext {
            protection: Protection::new(&config.protected, myself),
            idle_days: None,
            inactivity: config.inactivity.clone(),
            hand_picked_days: None,
            prices: config.prices.clone(),
            batch_cap: config.plan.batch_cap,
            direct_grants: DirectGrants::new(),
        }
    }

    /// Takes the threshold from the query's `idle:N`, if it has one.
    pub fn with_query(mut self, query: &str) -> PlanContext {
        self.idle_days = idle_days_in(query);
        self
    }

    /// Days of inactivity product removal requires on `product`.
    pub fn threshold(&self, product: &str) -> u32 {
        self.idle_days.unwrap_or_else(|| self.product_days(product))
    }

    fn product_days(&self, product: &str) -> u32 {
        self.inactivity
            .products
            .get(product)
            .copied()
            .unwrap_or(self.inactivity.days)
    }

    /// The activity threshold of one queued operation and where it comes from: the `idle:N`
    /// of the query its targets came from; for hand-picked targets the context's query, else
    /// [`PlanContext::hand_picked_days`]; for product removal without either, the config's
    /// per-product days.
    pub fn threshold_of(&self, op: &QueuedOperation) -> Option<Threshold> {
        let (idle, from) = match &op.query {
            Some(q) => (idle_days_in(q), ThresholdFrom::Query),
            None => match self.idle_days {
                Some(d) => (Some(d), ThresholdFrom::Query),
                None => (self.hand_picked_days, ThresholdFrom::HandPicked),
            },
        };
        match &op.kind {
            OperationKind::RemoveProductAccess { product } => Some(match idle {
                Some(days) if from == ThresholdFrom::Query => Threshold { days, from },
                _ => Threshold {
                    days: self.product_days(product),
                    from: ThresholdFrom::Config,
                },
            }),
            k @ (OperationKind::RemoveFromGroup { .. }
            | OperationKind::Suspend
            | OperationKind::Restore
            | OperationKind::RemoveFromDirectory
            | OperationKind::Deactivate
            | OperationKind::Reactivate) => k
                .takes_away()
                .then_some(idle)
                .flatten()
                .map(|days| Threshold { days, from }),
        }
    }
}

/// The context every plan is made with, the console's and `seats plan`'s alike: the config's
/// protections, thresholds, prices and batch cap, and for targets picked by hand the config's
/// `inactive_days`. The caller adds the direct grants it looked up.
pub fn context_for(config: &Config, myself: &[&str]) -> PlanContext {
    PlanContext {
        hand_picked_days: Some(config.inactivity.days),
        ..PlanContext::new(config, myself)
    }
}

/// An operation's activity premise: targets used within `days` are held out, and each step
/// records the date so the executor checks it again before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threshold {
    pub days: u32,
    pub from: ThresholdFrom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThresholdFrom {
    /// The `idle:N` of the query the targets came from.
    Query,
    /// The config's `inactive_days`: the targets were picked by hand.
    HandPicked,
    /// The config's threshold for the product (`[inactivity]`).
    Config,
}

impl Threshold {
    /// "held out if active in the last 90 days (the config's inactive_days: picked by hand)".
    pub fn describe(&self) -> String {
        let from = match self.from {
            ThresholdFrom::Query => format!("idle:{} of the query", self.days),
            ThresholdFrom::HandPicked => {
                "the config's inactive_days, as the targets were picked by hand".to_owned()
            }
            ThresholdFrom::Config => "the config's inactivity threshold".to_owned(),
        };
        format!("held out if active in the last {} days ({from})", self.days)
    }
}

/// The `idle:N` of a query (not negated), when it parses and has one.
pub fn idle_days_in(query: &str) -> Option<u32> {
    let q = crate::filter::parse(query).ok()?;
    q.facets.iter().find_map(|(negated, f)| match f {
        crate::filter::Facet::Idle(n) if !negated => Some(*n),
        _ => None,
    })
}
