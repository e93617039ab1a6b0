//! The plan file: a reviewed plan as versioned JSON, written by `seats plan` and `:write`,
//! read by `seats apply` and `:read`. Documented in the README.
//!
//! # Format (version 1)
//!
//! One JSON object, UTF-8, pretty-printed:
//!
//! | field | meaning |
//! |---|---|
//! | `version` | format version, `1`. seats refuses a file with a newer version (upgrade seats) |
//! | `id` | the plan's identity (a fingerprint of its org, `created_at` and steps; undo and retry plans name their batch): a plan that is running or was applied is not applied again without `seats apply --again`. A file without one is known by the same fingerprint |
//! | `created_at` | when the plan was made (RFC 3339, UTC) |
//! | `org_id` | the org it was made for; seats refuses to read it for another org |
//! | `profile` | the profile it was made with, or `null` |
//! | `query` | the query the targets came from, or `null` |
//! | `fetched_at` | when the directory snapshot behind the plan was fetched |
//! | `steps` | what will be sent, in order: `{account_id, name, email, change, guard}` |
//! | `held_out` | targets not touched, each with `operation` and `reason` |
//! | `no_ops` | targets with nothing to change, each with `operation` and `reason` |
//! | `keeps` | targets who keep a product through another path (`via`: `group`) |
//! | `effect` | per product: `used_now`, `used_after`, `freed`, `regained`, prices and savings |
//! | `refusal` | why the plan may not run as it is (`batch-too-large`), or `null` |
//! | `queue` | the queued operations the plan was built from, so `:read` restores the review |
//!
//! A step's `change` is an object tagged by its own `change` field: `suspend`, `restore`, `remove-from-directory`,
//! `deactivate`, `reactivate`, `remove-from-group` (`group_id`, `group_name`) or
//! `revoke-product-role` (`product`, `resource`: the product's ARI,
//! `ari:cloud:<product>::site/<cloudId>`). Its `guard` is the premise checked again just before
//! the change is sent: `inactive_since` (skip the step if the user was active after it, on
//! `product`, or on any product when `product` is null). Fields other than `version`,
//! `created_at`, `org_id` and `steps` may be absent; unknown fields are ignored.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{HeldOut, Kept, NoOp, Plan, Queue, Refusal, SeatEffect, Step};

/// Bumped when a field changes meaning; readers refuse newer versions.
pub const PLAN_FILE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanFile {
    pub version: u32,
    /// The plan's identity (a ULID), written when the plan is made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
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
    /// When the snapshot behind the plan was fetched.
    #[serde(default)]
    pub fetched_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub held_out: Vec<HeldOut>,
    #[serde(default)]
    pub no_ops: Vec<NoOp>,
    #[serde(default)]
    pub keeps: Vec<Kept>,
    #[serde(default)]
    pub effect: Option<SeatEffect>,
    #[serde(default)]
    pub refusal: Option<Refusal>,
    /// The queue the plan was built from.
    #[serde(default)]
    pub queue: Option<Queue>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    // `cause`, not `source`: thiserror would make a `source` field the error's source too,
    // and a printed chain would say it twice.
    #[error("could not read the plan file {}: {cause}", path.display())]
    Read {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("could not write the plan file {}: {cause}; check the directory exists and is writable", path.display())]
    Write {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("{} exists", path.display())]
    Exists { path: PathBuf },
    #[error("this is not a seats plan file: {0}")]
    NotAPlan(String),
    #[error(
        "the plan file has format version {found}, newer than this seats reads ({PLAN_FILE_VERSION}): upgrade seats to use it"
    )]
    Newer { found: u64 },
    #[error(
        "the plan was made for org {file_org}, not {org}: make a new plan for this org (or switch profile)"
    )]
    OtherOrg { file_org: String, org: String },
}

impl PlanFile {
    /// The file for `plan`, made from `queue`.
    pub fn new(
        plan: &Plan,
        queue: &Queue,
        profile: Option<String>,
        query: Option<String>,
        created_at: DateTime<Utc>,
    ) -> PlanFile {
        let mut file = PlanFile {
            version: PLAN_FILE_VERSION,
            id: None,
            created_at,
            org_id: plan.org_id.clone(),
            profile,
            query,
            steps: plan.steps().cloned().collect(),
            fetched_at: Some(plan.fetched_at),
            held_out: plan.held_out().cloned().collect(),
            no_ops: plan.no_ops().cloned().collect(),
            keeps: plan
                .operations
                .iter()
                .flat_map(|o| o.keeps.iter().cloned())
                .collect(),
            effect: Some(plan.effect.clone()),
            refusal: plan.refusal.clone(),
            queue: Some(queue.clone()),
        };
        // Derived from the content rather than drawn at random, so making a plan stays pure
        // (the console builds them in its reducer); `created_at` makes two plans differ.
        file.id = Some(file.fingerprint());
        file
    }

    /// What the journal knows this plan by: its `id`, or for a file made without one (by hand,
    /// or by an older seats) a fingerprint of what it would do (org, steps, when it was made).
    pub fn identity(&self) -> String {
        match self.id.as_deref().filter(|id| !id.trim().is_empty()) {
            Some(id) => id.to_owned(),
            None => self.fingerprint(),
        }
    }

    /// A stable fingerprint of what the plan does: its org, when it was made, its steps.
    fn fingerprint(&self) -> String {
        let content = serde_json::json!({
            "org_id": self.org_id,
            "created_at": self.created_at,
            "steps": self.steps,
        });
        fingerprint_of(content.to_string().as_bytes())
    }

    pub fn to_json(&self) -> String {
        // Plain data with string keys: serializing cannot fail.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Parses a plan file, refusing newer versions and, when `org` is given, other orgs. The
    /// version is checked before the rest, so a newer file says "upgrade" rather than failing on
    /// a field this seats does not know.
    pub fn from_json(text: &str, org: Option<&str>) -> Result<PlanFile, PlanFileError> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| PlanFileError::NotAPlan(format!("not JSON ({e})")))?;
        let version = value
            .get("version")
            .ok_or_else(|| PlanFileError::NotAPlan("it has no \"version\"".into()))?
            .as_u64()
            .ok_or_else(|| PlanFileError::NotAPlan("\"version\" is not a number".into()))?;
        if version > u64::from(PLAN_FILE_VERSION) {
            return Err(PlanFileError::Newer { found: version });
        }
        if version == 0 {
            return Err(PlanFileError::NotAPlan("\"version\" is 0".into()));
        }
        if let (Some(org), Some(file_org)) = (org, value.get("org_id").and_then(|v| v.as_str()))
            && file_org != org
        {
            return Err(PlanFileError::OtherOrg {
                file_org: file_org.to_owned(),
                org: org.to_owned(),
            });
        }
        serde_json::from_value(value).map_err(|e| PlanFileError::NotAPlan(e.to_string()))
    }

    pub fn read(path: &Path, org: Option<&str>) -> Result<PlanFile, PlanFileError> {
        let text = crate::output::read_limited_text(path, crate::output::PLAN_FILE_LIMIT).map_err(
            |cause| PlanFileError::Read {
                path: path.to_owned(),
                cause,
            },
        )?;
        PlanFile::from_json(&text, org)
    }

    /// Through the one safe writer ([`crate::output::write_private`]): a regular file is
    /// replaced atomically (a reader sees the old file or the whole new one), a new one is 0600,
    /// a device or a FIFO is written through, never replaced.
    pub fn write(&self, path: &Path) -> Result<(), PlanFileError> {
        crate::output::write_private(path, self.to_json().as_bytes()).map_err(|e| {
            PlanFileError::Write {
                path: path.to_owned(),
                cause: std::io::Error::other(e),
            }
        })
    }

    /// As [`PlanFile::write`], but only as a new file: one already at `path`, also one created
    /// meanwhile, is kept and the answer is [`PlanFileError::Exists`].
    pub fn write_new(&self, path: &Path) -> Result<(), PlanFileError> {
        crate::output::write_private_new(path, self.to_json().as_bytes()).map_err(|e| match e {
            crate::output::OutputError::Exists { .. } => PlanFileError::Exists {
                path: path.to_owned(),
            },
            other => PlanFileError::Write {
                path: path.to_owned(),
                cause: std::io::Error::other(other),
            },
        })
    }
}

/// FNV-1a over 128 bits: a stable fingerprint (the same on every build and platform) of a plan
/// file that carries no `id`, so the same hand-made file is recognised when applied twice.
pub fn fingerprint_of(bytes: &[u8]) -> String {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut hash = OFFSET;
    for b in bytes {
        hash ^= u128::from(*b);
        hash = hash.wrapping_mul(PRIME);
    }
    format!("fnv1a128:{hash:032x}")
}
