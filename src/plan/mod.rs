//! From marked users to a reviewed plan: the operations an admin queues, the concrete
//! changes they expand to, who is held out and why, and the effect on seats and cost.
//!
//! Pure: no I/O here. The executor (`crate::exec`) runs a plan's changes.

mod change;
mod file;

pub use change::{Change, Guard, OperationKind, Step};
pub use file::{PLAN_FILE_VERSION, PlanFile};
