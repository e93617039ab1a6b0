//! From marked users to a reviewed plan: the operations an admin queues, the concrete
//! changes they expand to, who is held out and why, and the effect on seats and cost.
//!
//! Pure: no I/O here but reading and writing the plan file (`file`) and keeping the queue in
//! the local database (`queue_store`). The executor (`crate::exec`) runs a plan's changes.

mod build;
mod change;
mod context;
mod effect;
mod file;
mod grants;
mod lookup;
mod outcome;
mod queue;
pub mod queue_store;
mod summary;

pub use build::{Plan, PlannedOperation, Refusal, build_plan};
pub use change::{Change, Guard, OperationKind, Step};
pub use context::{PlanContext, Threshold, ThresholdFrom, context_for, idle_days_in};
pub use effect::{ProductEffect, SAVINGS_NOTE, SeatEffect, effect};
pub use file::{PLAN_FILE_VERSION, PlanFile, PlanFileError, fingerprint_of};
pub use grants::DirectGrants;
pub use lookup::needing_lookup;
pub use outcome::{HeldOut, HoldReason, KeepPath, Kept, NoOp, NoOpReason};
pub use queue::{Added, Conflict, ConflictKind, OperationId, Queue, QueueCounts, QueuedOperation};
pub use summary::{AS_PLANNED, compact as compact_summary, file_summary, summary};
