//! The plan file: a reviewed plan as versioned JSON, written by `seats plan` and `:write`,
//! read by `seats apply` and `:read`. Documented in the README.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Step;

/// Bumped when a field changes meaning; readers refuse newer versions.
pub const PLAN_FILE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanFile {
    pub version: u32,
    pub created_at: DateTime<Utc>,
    /// The org the plan was made for; `apply` refuses to run it against another.
    pub org_id: String,
    #[serde(default)]
    pub profile: Option<String>,
    /// The query the targets came from, when there was one.
    #[serde(default)]
    pub query: Option<String>,
    /// What will be sent, in order.
    pub steps: Vec<Step>,
}
