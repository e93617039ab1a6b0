//! Plans built from a batch's journal: the inverse of what it did (undo), and its failed items
//! again (retry). Pure: the plan goes to review like any other, then to `seats apply FILE`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::journal::{BatchId, BatchInfo, Item, ItemState};
use crate::plan::{Change, PLAN_FILE_VERSION, PlanFile, Step};

/// The reason an item skipped by a cancel carries (retry queues these too).
pub const CANCELLED_REASON: &str = "cancelled before it was sent";

/// What seats cannot give back, said plainly.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotUndone {
    pub account_id: String,
    pub name: String,
    pub change: String,
    pub why: String,
}

/// An undo plan with what it leaves out or only partly restores.
#[derive(Debug, Clone, PartialEq)]
pub struct UndoPlan {
    pub plan: PlanFile,
    /// Changes the plan cannot reverse (removal from the directory).
    pub cannot_undo: Vec<NotUndone>,
    /// Changes the plan reverses only in part (deactivation).
    pub caveats: Vec<NotUndone>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UndoError {
    #[error("batch {0} was a dry run: nothing was changed, so there is nothing to undo")]
    DryRun(BatchId),
    #[error("batch {0} changed nothing (no item is done or unknown): there is nothing to undo")]
    NothingDone(BatchId),
    #[error("batch {0} has no failed or cancelled item to queue again")]
    NothingToRetry(BatchId),
    #[error(
        "batch {batch} has no item about {who}: give an account id or email the batch changed (see `seats history {batch}`)"
    )]
    NotInBatch { batch: BatchId, who: String },
    #[error(
        "batch {batch} took nothing from {who} (no item about them is done or unknown): there is nothing to give back"
    )]
    NothingTaken { batch: BatchId, who: String },
}

fn groups_seen(item: &Item) -> Vec<String> {
    item.observed
        .as_ref()
        .and_then(|o| o.get("groups"))
        .and_then(|g| g.as_array())
        .map(|gs| {
            gs.iter()
                .filter_map(|g| g.get("name").and_then(|n| n.as_str()).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The plan's identity is what it is of ("undo-of-batch-7"), not a fresh id: undoing or
/// retrying the same batch twice, even from two files, is refused like any plan applied twice.
fn plan_from(batch: &BatchInfo, query: String, steps: Vec<Step>, now: DateTime<Utc>) -> PlanFile {
    PlanFile {
        version: PLAN_FILE_VERSION,
        id: Some(query.replace(' ', "-")),
        created_at: now,
        org_id: batch.org_id.clone(),
        profile: batch.profile.clone(),
        query: Some(query),
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

/// The inverse of every change seats may have made (items done, and items whose outcome is
/// unknown: the re-read before the inverse skips those that did not land), newest first (so
/// a later change is undone before an earlier one), with what cannot be undone.
pub fn undo_plan(
    batch: &BatchInfo,
    items: &[Item],
    now: DateTime<Utc>,
) -> Result<UndoPlan, UndoError> {
    if batch.dry_run {
        return Err(UndoError::DryRun(batch.id));
    }
    let done: Vec<&Item> = items
        .iter()
        .filter(|i| i.state.may_have_changed())
        .collect();
    if done.is_empty() {
        return Err(UndoError::NothingDone(batch.id));
    }
    let mut steps = Vec::new();
    let mut cannot_undo = Vec::new();
    let mut caveats = Vec::new();
    for item in done.into_iter().rev() {
        let step = &item.step;
        let note = |why: String| NotUndone {
            account_id: step.account_id.clone(),
            name: step.name.clone(),
            change: step.change.describe(),
            why,
        };
        match step.change.inverse() {
            None => {
                let groups = groups_seen(item);
                let was_in = if groups.is_empty() {
                    String::new()
                } else {
                    format!("; just before, they were in {}", groups.join(", "))
                };
                cannot_undo.push(note(format!(
                    "removed from the directory: seats cannot add them back. Invite them again from admin.atlassian.com and give back their groups and product roles{was_in}"
                )));
            }
            Some(inverse) => {
                if step.change == Change::Deactivate {
                    caveats.push(note(
                        "deactivated: the undo plan reactivates the account, but it was signed out everywhere and what it missed while deactivated is not given back".into(),
                    ));
                }
                steps.push(Step {
                    account_id: step.account_id.clone(),
                    name: step.name.clone(),
                    email: step.email.clone(),
                    change: inverse,
                    guard: None,
                });
            }
        }
    }
    Ok(UndoPlan {
        plan: plan_from(batch, format!("undo of batch {}", batch.id), steps, now),
        cannot_undo,
        caveats,
    })
}

/// "Give back": exactly what a batch took from one user (`who`: their account id or email),
/// as the plan that returns it: the groups and product roles recorded in the journal are added
/// back, a suspension restored; built by the undo machinery from that user's items only.
pub fn give_back_plan(
    batch: &BatchInfo,
    items: &[Item],
    who: &str,
    now: DateTime<Utc>,
) -> Result<UndoPlan, UndoError> {
    if batch.dry_run {
        return Err(UndoError::DryRun(batch.id));
    }
    let who = who.trim();
    let account_id = items
        .iter()
        .find(|i| {
            i.step.account_id == who
                || i.step
                    .email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(who))
        })
        .map(|i| i.step.account_id.clone())
        .ok_or_else(|| UndoError::NotInBatch {
            batch: batch.id,
            who: who.to_owned(),
        })?;
    let theirs: Vec<Item> = items
        .iter()
        .filter(|i| i.step.account_id == account_id)
        .cloned()
        .collect();
    let mut undo = undo_plan(batch, &theirs, now).map_err(|e| match e {
        UndoError::NothingDone(b) => UndoError::NothingTaken {
            batch: b,
            who: who.to_owned(),
        },
        other => other,
    })?;
    // Its own identity: giving back to two users of one batch are two plans, each applied once.
    undo.plan = plan_from(
        batch,
        format!("give back of batch {} to {account_id}", batch.id),
        undo.plan.steps,
        now,
    );
    Ok(undo)
}

/// The failed items of a batch (and those a cancel left unsent), as a plan to run again with
/// the same checks: every target is re-read first, as always.
pub fn retry_plan(
    batch: &BatchInfo,
    items: &[Item],
    now: DateTime<Utc>,
) -> Result<PlanFile, UndoError> {
    let steps: Vec<Step> = items
        .iter()
        .filter(|i| {
            i.state == ItemState::Failed
                || (i.state == ItemState::Skipped && i.reason.as_deref() == Some(CANCELLED_REASON))
        })
        .map(|i| i.step.clone())
        .collect();
    if steps.is_empty() {
        return Err(UndoError::NothingToRetry(batch.id));
    }
    Ok(plan_from(
        batch,
        format!("retry of batch {}", batch.id),
        steps,
        now,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::journal::{BatchStatus, Counts};

    fn batch(dry_run: bool) -> BatchInfo {
        BatchInfo {
            id: 7,
            created_at: Utc::now(),
            finished_at: None,
            operator: "op".into(),
            profile: Some("prod".into()),
            org_id: "org".into(),
            query: None,
            source: "plan.json".into(),
            dry_run,
            status: BatchStatus::Finished,
            counts: Counts::default(),
        }
    }

    fn item(seq: i64, change: Change, state: ItemState) -> Item {
        Item {
            batch_id: 7,
            seq,
            step: Step {
                account_id: format!("u{seq}"),
                name: format!("User {seq}"),
                email: None,
                change,
                guard: None,
            },
            state,
            reason: None,
            http_status: None,
            error: None,
            attempts: 1,
            updated_at: Utc::now(),
            observed: Some(serde_json::json!({"groups": [{"id": "g", "name": "jira-users"}]})),
        }
    }

    #[test]
    fn undo_inverts_done_items_only_and_names_what_it_cannot() {
        let group = Change::RemoveFromGroup {
            group_id: "g".into(),
            group_name: "jira-users".into(),
        };
        let items = vec![
            item(0, Change::Suspend, ItemState::Done),
            item(1, Change::Suspend, ItemState::Skipped),
            item(2, group, ItemState::Done),
            item(3, Change::RemoveFromDirectory, ItemState::Done),
            item(4, Change::Deactivate, ItemState::Done),
            item(5, Change::Suspend, ItemState::Failed),
            // Sent, answer lost, re-read failed: it may have landed, so undo covers it.
            item(6, Change::Suspend, ItemState::Unknown),
        ];
        let undo = undo_plan(&batch(false), &items, Utc::now()).unwrap();
        let got: Vec<(String, Change)> = undo
            .plan
            .steps
            .iter()
            .map(|s| (s.account_id.clone(), s.change.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("u6".into(), Change::Restore),
                ("u4".into(), Change::Reactivate),
                (
                    "u2".into(),
                    Change::AddToGroup {
                        group_id: "g".into(),
                        group_name: "jira-users".into()
                    }
                ),
                ("u0".into(), Change::Restore),
            ]
        );
        assert_eq!(undo.cannot_undo.len(), 1);
        assert_eq!(undo.cannot_undo[0].account_id, "u3");
        assert!(
            undo.cannot_undo[0].why.contains("jira-users"),
            "{}",
            undo.cannot_undo[0].why
        );
        assert_eq!(undo.caveats.len(), 1);
        assert_eq!(undo.plan.org_id, "org");
        assert_eq!(undo.plan.query.as_deref(), Some("undo of batch 7"));
    }

    #[test]
    fn give_back_takes_one_users_items_only_by_id_or_email() {
        let group = |id: &str| Change::RemoveFromGroup {
            group_id: id.into(),
            group_name: format!("group {id}"),
        };
        let mut items = vec![
            item(0, group("g1"), ItemState::Done),
            item(1, group("g1"), ItemState::Done),
            item(2, group("g2"), ItemState::Done),
            item(3, group("g3"), ItemState::Failed),
        ];
        // Items 0, 2 and 3 are about one user; 1 about another.
        for i in [0, 2, 3] {
            items[i].step.account_id = "u-ada".into();
            items[i].step.email = Some("ada@acme.example".into());
        }
        let back = give_back_plan(&batch(false), &items, "ADA@acme.example", Utc::now()).unwrap();
        let got: Vec<(&str, &Change)> = back
            .plan
            .steps
            .iter()
            .map(|s| (s.account_id.as_str(), &s.change))
            .collect();
        let add = |id: &str| Change::AddToGroup {
            group_id: id.into(),
            group_name: format!("group {id}"),
        };
        assert_eq!(got, vec![("u-ada", &add("g2")), ("u-ada", &add("g1"))]);
        assert_eq!(
            back.plan.query.as_deref(),
            Some("give back of batch 7 to u-ada")
        );
        let by_id = give_back_plan(&batch(false), &items, "u-ada", Utc::now()).unwrap();
        assert_eq!(by_id.plan.steps, back.plan.steps);
        assert_ne!(
            by_id.plan.id,
            give_back_plan(&batch(false), &items, "u1", Utc::now())
                .unwrap()
                .plan
                .id,
            "each user's give back is its own plan"
        );
        assert!(matches!(
            give_back_plan(&batch(false), &items, "nobody@acme.example", Utc::now()),
            Err(UndoError::NotInBatch { .. })
        ));
        items[0].state = ItemState::Failed;
        items[2].state = ItemState::Skipped;
        assert!(matches!(
            give_back_plan(&batch(false), &items, "u-ada", Utc::now()),
            Err(UndoError::NothingTaken { .. })
        ));
        assert_eq!(
            give_back_plan(&batch(true), &items, "u-ada", Utc::now()),
            Err(UndoError::DryRun(7))
        );
    }

    #[test]
    fn dry_runs_and_empty_batches_have_no_undo() {
        let items = vec![item(0, Change::Suspend, ItemState::DryRun)];
        assert_eq!(
            undo_plan(&batch(true), &items, Utc::now()),
            Err(UndoError::DryRun(7))
        );
        assert_eq!(
            undo_plan(&batch(false), &items, Utc::now()),
            Err(UndoError::NothingDone(7))
        );
    }

    #[test]
    fn retry_takes_failed_and_cancelled_items() {
        let mut cancelled = item(2, Change::Suspend, ItemState::Skipped);
        cancelled.reason = Some(CANCELLED_REASON.into());
        let mut drifted = item(3, Change::Suspend, ItemState::Skipped);
        drifted.reason = Some("already suspended".into());
        let items = vec![
            item(0, Change::Suspend, ItemState::Done),
            item(1, Change::Suspend, ItemState::Failed),
            cancelled,
            drifted,
        ];
        let plan = retry_plan(&batch(false), &items, Utc::now()).unwrap();
        let ids: Vec<&str> = plan.steps.iter().map(|s| s.account_id.as_str()).collect();
        assert_eq!(ids, ["u1", "u2"]);
        assert_eq!(
            retry_plan(&batch(false), &items[..1], Utc::now()),
            Err(UndoError::NothingToRetry(7))
        );
    }
}
