//! Admission: the one way a batch gets into the journal. Every path that runs changes (`seats
//! apply FILE`, `--retry-failed`, undo plans, the console) submits its plan here, and `--resume`
//! asks here again before it runs what a batch still owes; so a limit set in config holds
//! however the steps arrived (a plan file edited by hand included).

use std::collections::HashSet;

use super::executor::SharedJournal;
use super::ids::BatchId;
use super::journal::{Item, Journal, JournalError, NewBatch};
use crate::plan::{PlanFile, Refusal, Step};

/// Steps one batch may hold, whatever the cap: a user has a handful of changes at most (a
/// suspension, some group removals), so more than this is a file no plan made.
pub const MAX_STEPS: usize = 50_000;

/// The limits a batch is admitted under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admission {
    /// Users one batch may change (`[plan] batch_cap`).
    pub batch_cap: u32,
}

impl Admission {
    pub fn from_config(config: &crate::config::Config) -> Admission {
        Admission {
            batch_cap: config.plan.batch_cap,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AdmitError {
    #[error("this plan may not run: {0}")]
    Refused(String),
    #[error("{}", Refusal::BatchTooLarge { users: *users, cap: *cap }.describe())]
    OverCap { users: usize, cap: u32 },
    #[error(
        "this plan has {steps} steps, more than seats runs in one batch ({MAX_STEPS}): split it into smaller plans"
    )]
    TooManySteps { steps: usize },
    #[error(
        "this plan repeats a step ({name}: {change}): each change to a user is made once; remove the repeat or make a new plan"
    )]
    RepeatedStep { name: String, change: String },
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("the journal task stopped: {0}")]
    Task(String),
}

/// Checks a plan against every admission rule, then records it as a new batch (all items
/// pending) and returns its number. The plan's own refusal, the batch cap, the step limit,
/// and the journal's refusal of a plan running or applied before are all checked here.
pub fn submit(
    journal: &mut Journal,
    plan: &PlanFile,
    meta: &NewBatch,
    admission: &Admission,
) -> Result<BatchId, AdmitError> {
    check_plan(plan, admission)?;
    let batch = journal.create_batch(meta, &plan.steps)?;
    // What it frees, for `seats report --since` (a failure costs the figure, not the batch).
    record_effect(journal, batch, plan);
    Ok(batch)
}

/// Records what an admitted batch frees per product (`store::savings`).
fn record_effect(journal: &Journal, batch: BatchId, plan: &PlanFile) {
    let Some(effect) = &plan.effect else {
        return;
    };
    let users = plan
        .steps
        .iter()
        .map(|s| s.account_id.as_str())
        .collect::<std::collections::HashSet<_>>()
        .len();
    let effects: Vec<crate::store::savings::BatchEffect<'_>> = effect
        .products
        .iter()
        .map(|p| crate::store::savings::BatchEffect {
            product: &p.product,
            freed: p.freed,
            monthly_saving: p.monthly_saving,
        })
        .collect();
    let _ = crate::store::savings::record_batch(
        journal.connection(),
        batch,
        i64::try_from(users).unwrap_or(i64::MAX),
        &effect.currency,
        &effects,
    );
}

/// The rules `submit` checks before it touches the journal, for a command that wants to refuse
/// before it asks for a confirmation. Passing them admits nothing: only `submit` does.
pub fn check_plan(plan: &PlanFile, admission: &Admission) -> Result<(), AdmitError> {
    if let Some(refusal) = &plan.refusal {
        return Err(AdmitError::Refused(refusal.describe()));
    }
    // A plan seats builds never repeats a step; a hand-edited one may, and both copies would
    // be read before either is sent, so both would go out and be recorded as done.
    let mut seen = HashSet::with_capacity(plan.steps.len());
    if let Some(step) = plan
        .steps
        .iter()
        .find(|s| !seen.insert((s.account_id.as_str(), &s.change)))
    {
        return Err(AdmitError::RepeatedStep {
            name: step.name.clone(),
            change: step.change.describe(),
        });
    }
    check_steps(plan.steps.iter(), admission)
}

/// [`submit`] on a journal shared with the executor, off the async threads (commits wait for
/// the disk).
pub async fn submit_shared(
    journal: &SharedJournal,
    plan: PlanFile,
    meta: NewBatch,
    admission: Admission,
) -> Result<BatchId, AdmitError> {
    let journal = journal.clone();
    tokio::task::spawn_blocking(move || {
        let mut j = journal.lock().unwrap_or_else(|p| p.into_inner());
        submit(&mut j, &plan, &meta, &admission)
    })
    .await
    .map_err(|e| AdmitError::Task(e.to_string()))?
}

/// The same limits for a batch already in the journal, before `--resume` or the console runs
/// what it owes (it may come from an older seats, or the cap may have been lowered since).
pub fn check_batch(items: &[Item], admission: &Admission) -> Result<(), AdmitError> {
    check_steps(items.iter().map(|i| &i.step), admission)
}

fn check_steps<'a>(
    steps: impl Iterator<Item = &'a Step>,
    admission: &Admission,
) -> Result<(), AdmitError> {
    let mut users = HashSet::new();
    let mut count = 0usize;
    for step in steps {
        count += 1;
        users.insert(step.account_id.as_str());
    }
    if count > MAX_STEPS {
        return Err(AdmitError::TooManySteps { steps: count });
    }
    if users.len() > admission.batch_cap as usize {
        return Err(AdmitError::OverCap {
            users: users.len(),
            cap: admission.batch_cap,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Change, PLAN_FILE_VERSION};

    fn plan(users: usize, steps_each: usize) -> PlanFile {
        let steps = (0..users)
            .flat_map(|u| {
                (0..steps_each).map(move |g| Step {
                    account_id: format!("u{u}"),
                    name: format!("User {u}"),
                    email: None,
                    change: Change::RemoveFromGroup {
                        group_id: format!("g{g}"),
                        group_name: format!("group {g}"),
                    },
                    guard: None,
                })
            })
            .collect();
        PlanFile {
            version: PLAN_FILE_VERSION,
            id: Some(crate::exec::ids::new_id()),
            created_at: chrono::Utc::now(),
            org_id: "org".into(),
            profile: None,
            query: None,
            steps,
            fetched_at: None,
            held_out: Vec::new(),
            no_ops: Vec::new(),
            keeps: Vec::new(),
            effect: None,
            refusal: None,
            queue: None,
        }
    }

    fn meta(p: &PlanFile) -> NewBatch {
        NewBatch::from_plan(p, "op".into(), "test".into(), false)
    }

    #[test]
    fn the_cap_counts_users_the_refusal_and_step_limit_hold_and_nothing_is_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("seats.db")).unwrap();
        let cap = Admission { batch_cap: 10 };

        // Ten users with three steps each: 30 steps, within a cap of ten users.
        let ok = plan(10, 3);
        assert!(submit(&mut j, &ok, &meta(&ok), &cap).is_ok());

        let over = plan(11, 1);
        let err = submit(&mut j, &over, &meta(&over), &cap).unwrap_err();
        assert!(
            matches!(err, AdmitError::OverCap { users: 11, cap: 10 }),
            "{err}"
        );

        let mut refused = plan(2, 1);
        refused.refusal = Some(Refusal::BatchTooLarge { users: 53, cap: 10 });
        let err = submit(&mut j, &refused, &meta(&refused), &cap).unwrap_err();
        assert!(err.to_string().contains("may not run"), "{err}");

        // A step written twice (a hand-edited file): refused, naming it.
        let mut repeated = plan(3, 2);
        let again = repeated.steps[3].clone();
        repeated.steps.push(again);
        let err = submit(&mut j, &repeated, &meta(&repeated), &cap).unwrap_err();
        assert!(
            matches!(&err, AdmitError::RepeatedStep { name, change }
                if name == "User 1" && change == "remove from group 1"),
            "{err}"
        );

        let huge = plan(1, MAX_STEPS + 1);
        let err = submit(&mut j, &huge, &meta(&huge), &Admission { batch_cap: 500 }).unwrap_err();
        assert!(matches!(err, AdmitError::TooManySteps { .. }), "{err}");

        assert_eq!(j.batches().unwrap().len(), 1, "only the admitted plan");
        let items = j.items(1).unwrap();
        assert!(check_batch(&items, &cap).is_ok());
        assert!(check_batch(&items, &Admission { batch_cap: 9 }).is_err());
    }
}
