//! Seats of one product: the licence limit, how many count against it, how many are left.

use serde::{Deserialize, Serialize};

use super::Product;

/// Where a seat figure came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatsSource {
    /// Jira `applicationrole` (numberOfSeats, userCount, remainingSeats).
    JiraApplicationRole,
    /// Org workspace `capacity`, with usage counted from the directory.
    Workspace,
    /// Counted from the directory only; no limit known.
    Directory,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seats {
    pub product: Product,
    /// None when the licence is unlimited or unknown.
    pub limit: Option<u64>,
    pub used: u64,
    pub remaining: Option<u64>,
    pub source: SeatsSource,
}

impl Seats {
    pub fn new(product: Product, limit: Option<u64>, used: u64, source: SeatsSource) -> Seats {
        let remaining = limit.map(|l| l.saturating_sub(used));
        Seats {
            product,
            limit,
            used,
            remaining,
            source,
        }
    }
}
