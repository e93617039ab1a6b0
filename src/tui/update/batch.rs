//! Running a plan: the confirm dialog's Run, quitting with a batch running, resuming one,
//! and the executor's progress events.

#[allow(unused_imports)]
use super::*;

/// The confirm dialog's Run: refused plans, untyped counts, plans still being built and plans
/// of a partial directory (until confirmed twice) stop here.
pub(super) fn confirm_run(state: &mut AppState) -> Vec<Effect> {
    let Some(Overlay::Confirm(confirm)) = state.overlay.clone() else {
        return vec![];
    };
    let (file, source) = match confirm.subject {
        Subject::Queue => {
            let Some(view) = state.queue.plan.clone() else {
                return vec![];
            };
            if state.queue.plan_pending() {
                flash(
                    state,
                    Level::Info,
                    "the plan is being built again on new data: look at it, then run",
                );
                return vec![];
            }
            let plan = &view.plan;
            if let Some(r) = &plan.refusal {
                flash(state, Level::Error, r.describe());
                return vec![];
            }
            if let Some(note) = state.partial_note()
                && !confirm.partial_ok
            {
                if let Some(Overlay::Confirm(c)) = state.overlay.as_mut() {
                    c.partial_ok = true;
                }
                flash(
                    state,
                    Level::Warn,
                    format!("{note}: wait for the fetch, or press Enter again to run it as it is"),
                );
                return vec![];
            }
            let file = PlanFile::new(
                plan,
                &state.queue.ops,
                state.session.profile.clone(),
                state.queue.ops.query().map(str::to_owned),
                state.now,
            );
            (file, "console".to_owned())
        }
        Subject::File => {
            let Some(review) = state.review.clone() else {
                return vec![];
            };
            if let Some(r) = &review.file.refusal {
                flash(state, Level::Error, r.describe());
                return vec![];
            }
            // As written and reviewed: its identity is what the journal knows it by, so an
            // undo already applied is refused rather than run twice.
            (
                (*review.file).clone(),
                format!("console: {}", review.source),
            )
        }
    };
    let affected = affected_users(&file);
    if affected == 0 {
        flash(
            state,
            Level::Warn,
            "the plan changes nobody: every target is held out or a no-op",
        );
        return vec![];
    }
    if is_irreversible(&file) && confirm.typed.trim() != affected.to_string() {
        flash(
            state,
            Level::Warn,
            format!("this cannot be undone: type {affected} to confirm"),
        );
        return vec![];
    }
    state.overlay = None;
    let dry_run = state.session.dry_run;
    state.batch = Some(crate::tui::state::BatchRun {
        total: file.steps.len() as u64,
        dry_run,
        from_queue: confirm.subject == Subject::Queue,
        ..Default::default()
    });
    let mut effects = Vec::new();
    if dry_run {
        // What a dry run would have sent, kept for review (README: plans/ in the data dir).
        effects.push(Effect::SavePlan {
            name: format!("dry-run-{}.json", state.now.format("%Y%m%d-%H%M%S")),
            file: Box::new(file.clone()),
        });
    }
    effects.push(Effect::Execute {
        file: Box::new(file),
        dry_run,
        source,
    });
    effects
}

/// Distinct users with a step: the count the typed confirmation asks for.
pub fn affected_users(file: &PlanFile) -> usize {
    let ids: std::collections::HashSet<&str> =
        file.steps.iter().map(|s| s.account_id.as_str()).collect();
    ids.len()
}

/// Some step seats cannot undo.
pub fn is_irreversible(file: &PlanFile) -> bool {
    file.steps.iter().any(|s| s.change.inverse().is_none())
}

/// Quit, once confirmed: with a batch running, stop it first (the requests in flight finish
/// and are recorded; the rest stays open for a resume), then exit.
pub(super) fn quit_now(state: &mut AppState) -> Vec<Effect> {
    if !batch_running(state) {
        state.quit = true;
        return vec![];
    }
    if state.quitting {
        return vec![];
    }
    state.quitting = true;
    let id = state.batch.as_ref().and_then(|b| b.id);
    flash(
        state,
        Level::Warn,
        "stopping the batch: requests in flight finish and are recorded, then seats quits",
    );
    vec![Effect::StopBatch(id)]
}

/// `c` in History: finish the interrupted batch under the cursor.
pub(super) fn resume_batch(state: &mut AppState) -> Vec<Effect> {
    let Some(b) = state
        .history
        .batches
        .get(state.history.list.cursor)
        .cloned()
    else {
        return vec![];
    };
    if batch_running(state) {
        flash(
            state,
            Level::Warn,
            "a batch is running: wait for it, or cancel it with X",
        );
        return vec![];
    }
    if !state.is_interrupted(&b) {
        flash(
            state,
            Level::Info,
            format!("batch {} is {}: nothing to resume", b.id, b.status.as_str()),
        );
        return vec![];
    }
    if !state.session.online {
        flash(
            state,
            Level::Warn,
            "offline (--offline): run without it to resume a batch",
        );
        return vec![];
    }
    let c = b.counts;
    state.batch = Some(crate::tui::state::BatchRun {
        id: Some(b.id),
        done: c.done + c.dry_run,
        failed: c.failed,
        skipped: c.skipped,
        total: c.total(),
        dry_run: b.dry_run,
        ..Default::default()
    });
    flash(
        state,
        Level::Info,
        format!(
            "resuming batch {}: {} left",
            b.id,
            plural(c.open() as usize, "item")
        ),
    );
    vec![Effect::ResumeBatch(b.id)]
}

pub(super) fn batch_running(state: &AppState) -> bool {
    state.batch.as_ref().is_some_and(|b| b.running())
}

pub(super) fn on_exec(state: &mut AppState, event: crate::exec::ExecEvent) -> Vec<Effect> {
    use crate::exec::{ExecEvent, ItemState, RunOutcome};
    let Some(b) = state.batch.as_mut() else {
        return vec![];
    };
    let push = |b: &mut crate::tui::state::BatchRun, e: String| {
        b.errors.push(e);
        let extra = b
            .errors
            .len()
            .saturating_sub(crate::tui::state::BATCH_ERRORS);
        b.errors.drain(..extra);
    };
    match event {
        ExecEvent::Progress {
            done,
            failed,
            skipped,
            total,
            rate_per_min,
            eta,
        } => {
            (b.done, b.failed, b.skipped, b.total) = (done, failed, skipped, total);
            b.rate_per_min = rate_per_min;
            b.eta_secs = eta.map(|d| d.as_secs());
            vec![]
        }
        // The panel keeps the newest few failures; the log has the first of each distinct
        // error in full, and the rest as a count when the batch ends.
        ExecEvent::ItemFinished {
            state: ItemState::Failed,
            name,
            change,
            error,
            ..
        } => {
            let error = error.unwrap_or_default();
            let text = format!("{change} {name}: {error}");
            push(b, text.clone());
            if let Some(kind) = b.failure_kinds.iter_mut().find(|(e, _)| *e == error) {
                kind.1 += 1;
                return vec![];
            }
            if b.failure_kinds.len() >= crate::tui::state::FAILURE_KINDS {
                b.failures_other += 1;
                return vec![];
            }
            b.failure_kinds.push((error, 0));
            let id = b.id.map(|i| format!("batch {i}: ")).unwrap_or_default();
            flash(state, Level::Error, format!("{id}failed: {text}"));
            vec![]
        }
        ExecEvent::ItemFinished { .. } => vec![],
        ExecEvent::Error { message } => {
            push(b, message.clone());
            flash(state, Level::Error, message);
            vec![]
        }
        ExecEvent::Finished {
            batch,
            outcome,
            counts,
        } => {
            let how = match outcome {
                RunOutcome::Completed => "finished".to_owned(),
                RunOutcome::Cancelled => "cancelled".to_owned(),
                RunOutcome::Stopped(why) => {
                    format!("stopped ({why}); c in History resumes it")
                }
            };
            let text = if b.dry_run {
                format!(
                    "dry run of batch {batch} {how}: {} would be sent, {} failed, {} skipped; nothing was changed",
                    thousands((counts.done + counts.dry_run) as usize),
                    thousands(counts.failed as usize),
                    thousands(counts.skipped as usize)
                )
            } else {
                format!(
                    "batch {batch} {how}: {} done, {} failed, {} skipped",
                    thousands(counts.done as usize),
                    thousands(counts.failed as usize),
                    thousands(counts.skipped as usize)
                )
            };
            let dry_run = b.dry_run;
            b.finished = Some(text.clone());
            let mut more: Vec<String> = b
                .failure_kinds
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(error, n)| {
                    format!(
                        "… {} more {} with {error}: see History",
                        thousands(*n as usize),
                        if *n == 1 {
                            "item failed"
                        } else {
                            "items failed"
                        }
                    )
                })
                .collect();
            if b.failures_other > 0 {
                more.push(format!(
                    "… {} more {} with other errors: see History",
                    thousands(b.failures_other as usize),
                    if b.failures_other == 1 {
                        "item failed"
                    } else {
                        "items failed"
                    }
                ));
            }
            for m in more {
                flash(state, Level::Error, m);
            }
            let level = if counts.failed > 0 {
                Level::Warn
            } else {
                Level::Info
            };
            flash(state, level, text);
            if state.quitting {
                state.quit = true;
                return vec![];
            }
            // The org changed: show it as it is now.
            let mut effects = vec![Effect::LoadHistory];
            effects.extend(reload_items_of(state, batch));
            if !dry_run {
                effects.extend(start_fetch(state));
            }
            effects
        }
    }
}
