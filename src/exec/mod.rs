//! Running a confirmed plan: the executor, the journal, the audit log and undo.
//!
//! A batch is a plan's steps recorded in the journal (`journal`), run by the executor
//! (`executor`) against Atlassian (`target`), each step decided again from a fresh read just
//! before it is sent (`assess`). Every item's end goes to the audit log (`audit`); the done
//! items give the batch's inverse plan (`undo`).
//!
//! What happens when seats is killed in the middle of a batch: every item was committed as
//! `sent` before its request went out and as `done`/`failed`/`skipped` after its answer came
//! back. The next `seats apply --resume` (or the console, through [`unfinished_batches`]) finds
//! the batch still `running` with items open, takes over the dead process's lease, and runs
//! only the open items: `pending` ones as usual, `sent` ones (the request may or may not have
//! reached Atlassian) after re-reading the user: if the change is already there the item is
//! `done` without a second request, otherwise it is sent.
//!
//! Running a batch (the console does the same as `seats apply`):
//!
//! ```ignore
//! let journal: SharedJournal = Arc::new(Mutex::new(Journal::open(&data_dir.join("seats.db"))?));
//! let meta = NewBatch::from_plan(&plan, operator, "console".into(), dry_run);
//! // Admission is the only way into the journal: the cap, the plan's refusal, the step
//! // limit, a plan already running or applied.
//! let batch = exec::submit(&mut journal.lock().unwrap(), &plan, &meta, &Admission::from_config(&config))?;
//! let mut running = exec::start(journal, Arc::new(Target::new(org_api)), batch, options).await?;
//! // running.events yields ExecEvent (Progress, ItemFinished, Error, Finished last);
//! // running.control.pause() / resume() / cancel().
//! ```
//!
//! The journal opens its own connection to `seats.db` (WAL lets the store's connection and
//! the journal's share the file); [`unfinished_batches`] works on any connection, the store's
//! included, and only reads.

pub mod admit;
pub mod assess;
pub mod audit;
pub mod executor;
pub mod ids;
pub mod journal;
pub mod target;
pub mod undo;

pub use admit::{Admission, AdmitError, MAX_STEPS, check_batch, submit};
pub use assess::{Seen, Verdict, assess};
pub use audit::AuditRecord;
pub use executor::{
    Control, ExecError, ExecEvent, ExecOptions, RunOutcome, RunState, Running, SharedJournal, start,
};
pub use journal::{
    BatchId, BatchInfo, BatchStatus, Counts, Item, ItemState, Journal, JournalError, NewBatch,
    Outcome, unfinished_batches,
};
pub use target::Target;
pub use undo::{NotUndone, UndoError, UndoPlan, give_back_plan, retry_plan, undo_plan};
