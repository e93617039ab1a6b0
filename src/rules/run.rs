//! One rule against the fresh directory: the preview (what the next run does, with the seats
//! and money of each step) and the run's notices and lifecycle writes. The reclaim itself goes
//! through the one plan builder and `exec::submit`; the command runs the batch.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::channels::{Transport, append_file, compose};
use super::engine::{self, Comment, Decisions, Inputs};
use super::store::{Actor, Notice, Row, RulesStore, State};
use crate::atlassian::Client;
use crate::config::{Channel, Rule, RuleAction};
use crate::domain::Directory;
use crate::exec::{self, Admission, BatchId, Journal, NewBatch, SharedJournal};
use crate::plan::{
    DirectGrants, HoldReason, OperationKind, PlanContext, PlanFile, Queue, SeatEffect, build_plan,
};

/// The plan operation a rule's reclaim is.
pub fn operation(rule: &Rule) -> OperationKind {
    match (rule.action, &rule.product) {
        (RuleAction::RemoveProductAccess, Some(p)) => {
            OperationKind::RemoveProductAccess { product: p.clone() }
        }
        // A rule without a product cannot be remove-product-access (config refuses it).
        _ => OperationKind::Suspend,
    }
}

/// The plan context of a rule: the config's protections and prices, the query's threshold.
pub fn context(base: &PlanContext, rule: &Rule) -> PlanContext {
    base.clone().with_query(&rule.query)
}

/// The queue that reclaims `ids`.
pub fn queue_for(rule: &Rule, ids: impl IntoIterator<Item = String>) -> Queue {
    let mut q = Queue::new();
    q.add(operation(rule), ids);
    q
}

/// Who the rule's query selects, and who of them (and of the users in a cycle) the plan holds
/// out for a reason other than recent use (that is the query's business: kept, not excluded).
pub fn scope(
    rule: &Rule,
    dir: &Directory,
    ctx: &PlanContext,
    rows: &HashMap<String, Row>,
) -> anyhow::Result<(HashSet<String>, HashMap<String, String>)> {
    let hits = crate::filter::select(dir, &rule.query, &crate::filter::Sort::default())
        .map_err(|e| anyhow::anyhow!("rule {:?}: the query does not parse: {e}", rule.name))?;
    let matched: HashSet<String> = hits
        .iter()
        .filter_map(|&i| dir.users.get(i as usize))
        .map(|u| u.account_id.clone())
        .collect();
    let mut ids: Vec<String> = matched.iter().cloned().collect();
    ids.extend(
        rows.values()
            .filter(|r| r.state.is_open() && !matched.contains(&r.account_id))
            .map(|r| r.account_id.clone()),
    );
    let plan = build_plan(dir, &queue_for(rule, ids), &context(ctx, rule));
    let protected = plan
        .held_out()
        .filter(|h| !matches!(h.reason, HoldReason::ActiveWithin { .. }))
        .map(|h| (h.account_id.clone(), h.reason.label()))
        .collect();
    Ok((matched, protected))
}

/// A rule's preview: the decisions and the effect on seats and money of each step.
pub struct Preview {
    pub decisions: Decisions,
    pub warn_effect: SeatEffect,
    pub grace_effect: SeatEffect,
    pub due_effect: SeatEffect,
}

fn effect_of<'a>(
    rule: &Rule,
    dir: &Directory,
    ctx: &PlanContext,
    rows: impl Iterator<Item = &'a Row>,
) -> SeatEffect {
    let ids: Vec<String> = rows.map(|r| r.account_id.clone()).collect();
    build_plan(dir, &queue_for(rule, ids), &context(ctx, rule)).effect
}

/// What the next run of `rule` does.
pub fn preview(
    rule: &Rule,
    dir: &Directory,
    ctx: &PlanContext,
    rows: &HashMap<String, Row>,
    comments: &[Comment],
    now: DateTime<Utc>,
) -> anyhow::Result<Preview> {
    let (matched, protected) = scope(rule, dir, ctx, rows)?;
    let decisions = engine::decide(&Inputs {
        rule,
        now,
        dir,
        matched: &matched,
        protected: &protected,
        rows,
        comments,
    });
    Ok(Preview {
        warn_effect: effect_of(rule, dir, ctx, decisions.to_warn.iter()),
        grace_effect: effect_of(rule, dir, ctx, decisions.in_grace.iter()),
        due_effect: effect_of(rule, dir, ctx, decisions.to_reclaim.iter()),
        decisions,
    })
}

/// What a run did for one rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub transitions: Vec<(String, &'static str)>,
    /// Users notified for the first time this cycle.
    pub warned: usize,
    /// Channel deliveries that failed (retried next run).
    pub notice_failures: usize,
    /// Users whose reclaim was submitted.
    pub reclaim_batch: Option<(BatchId, usize)>,
    pub over_cap: usize,
}

/// Comments on the rule's review issue, when the rule takes claims by comment.
pub async fn comments_for<T: Transport>(
    rule: &Rule,
    transport: &T,
) -> Result<Vec<Comment>, String> {
    match (rule.claims, rule.review_issue()) {
        (Some(crate::config::Claims::Comment), Some(issue)) => {
            transport.issue_comments(issue).await
        }
        _ => Ok(Vec::new()),
    }
}

/// Rows whose reclaim batch ended: reclaimed when every item of the user is done; due again
/// (their batch cleared) otherwise, so the next decision looks at them afresh. Rows of a batch
/// still open are left for the batch to finish.
pub fn settle_batches(
    store: &mut RulesStore,
    journal: &Journal,
    rule: &Rule,
    actor: &Actor,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<(String, &'static str)>> {
    let rows = store.latest(&rule.name)?;
    let mut by_batch: HashMap<BatchId, Vec<Row>> = HashMap::new();
    for r in rows.into_values().filter(|r| r.state.is_open()) {
        if let Some(b) = r.batch_id {
            by_batch.entry(b).or_default().push(r);
        }
    }
    let mut out = Vec::new();
    for (batch, rows) in by_batch {
        if store.batch_open(batch)? {
            continue;
        }
        let items = journal.items(batch)?;
        for row in rows {
            let mine: Vec<_> = items
                .iter()
                .filter(|i| i.step.account_id == row.account_id)
                .collect();
            let done =
                !mine.is_empty() && mine.iter().all(|i| i.state == crate::exec::ItemState::Done);
            let next = if done {
                Row {
                    state: State::Reclaimed,
                    batch_id: Some(batch),
                    evidence: Some(format!("batch {batch}")),
                    closed_at: Some(now),
                    ..row.clone()
                }
            } else {
                let why = mine
                    .iter()
                    .find_map(|i| i.reason.clone().or_else(|| i.error.clone()))
                    .unwrap_or_else(|| "not in the batch".into());
                Row {
                    state: State::Due,
                    batch_id: None,
                    evidence: Some(format!("batch {batch}: {why}")),
                    ..row.clone()
                }
            };
            let event = if done { "rule_reclaimed" } else { "rule_due" };
            store.transition(&next, event, rule.action.as_str(), actor, now)?;
            out.push((row.account_id.clone(), event));
        }
    }
    Ok(out)
}

/// Sends the channels `row` has not had yet; records each attempt. The row becomes `warned`
/// on its first delivery, with the deadline every later notice of the cycle repeats.
#[allow(clippy::too_many_arguments)]
async fn deliver<T: Transport>(
    store: &mut RulesStore,
    transport: &T,
    rule: &Rule,
    mut row: Row,
    sent: &[Notice],
    actor: &Actor,
    now: DateTime<Utc>,
    report: &mut Report,
) -> anyhow::Result<()> {
    let deadline = row.deadline.unwrap_or_else(|| engine::deadline(rule, now));
    let notice = compose(rule, &row, deadline);
    for channel in &rule.channels {
        let label = channel.label();
        if sent
            .iter()
            .any(|n| n.channel == label && n.sent_at.is_some())
        {
            continue;
        }
        let result = match channel {
            Channel::JiraNotify { issue } => {
                transport
                    .notify_issue(issue, &notice, &row.account_id)
                    .await
            }
            Channel::Webhook { secret } => transport.post_webhook(secret, &notice.payload).await,
            Channel::File { path } => append_file(path, &notice),
        };
        match &result {
            Ok(reference) => {
                store.record_notice(
                    &row,
                    &label,
                    Ok(reference),
                    rule.action.as_str(),
                    actor,
                    now,
                )?;
                if row.state == State::Candidate {
                    row = Row {
                        state: State::Warned,
                        warned_at: Some(now),
                        channel: Some(label.clone()),
                        reference: Some(reference.clone()),
                        deadline: Some(deadline),
                        ..row
                    };
                    store.transition(&row, "rule_warned", rule.action.as_str(), actor, now)?;
                    report.warned += 1;
                }
            }
            Err(e) => {
                report.notice_failures += 1;
                store.record_notice(&row, &label, Err(e), rule.action.as_str(), actor, now)?;
            }
        }
    }
    Ok(())
}

/// Carries out a rule's decisions up to the reclaim: the transitions, then the notices (new
/// ones and retries of failed channels). Returns the users to reclaim.
#[allow(clippy::too_many_arguments)]
pub async fn act<T: Transport>(
    store: &mut RulesStore,
    transport: &T,
    rule: &Rule,
    decisions: &Decisions,
    actor: &Actor,
    now: DateTime<Utc>,
    report: &mut Report,
) -> anyhow::Result<Vec<Row>> {
    for (row, event) in &decisions.transitions {
        store.transition(row, event, rule.action.as_str(), actor, now)?;
        report.transitions.push((row.account_id.clone(), event));
    }
    let known = store.latest(&rule.name)?;
    let notices = store.notices(&rule.name)?;
    for row in &decisions.to_warn {
        let is_new = known
            .get(&row.account_id)
            .is_none_or(|k| k.cycle != row.cycle);
        if is_new {
            store.transition(row, "rule_candidate", rule.action.as_str(), actor, now)?;
        }
        let sent = notices
            .get(&(row.account_id.clone(), row.cycle))
            .map(Vec::as_slice)
            .unwrap_or_default();
        deliver(
            store,
            transport,
            rule,
            row.clone(),
            sent,
            actor,
            now,
            report,
        )
        .await?;
    }
    // Warned users whose other channels failed before: those channels again.
    for row in &decisions.in_grace {
        let sent = notices
            .get(&(row.account_id.clone(), row.cycle))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let missing = rule.channels.iter().any(|c| {
            !sent
                .iter()
                .any(|n| n.channel == c.label() && n.sent_at.is_some())
        });
        if missing {
            deliver(
                store,
                transport,
                rule,
                row.clone(),
                sent,
                actor,
                now,
                report,
            )
            .await?;
        }
    }
    report.over_cap = decisions.over_cap;
    Ok(decisions.to_reclaim.clone())
}

/// The plan file that reclaims `due` (direct grants looked up by the caller).
pub fn reclaim_plan(
    rule: &Rule,
    dir: &Directory,
    ctx: &PlanContext,
    due: &[Row],
    grants: DirectGrants,
    profile: Option<String>,
    now: DateTime<Utc>,
) -> (Queue, PlanFile) {
    let queue = queue_for(rule, due.iter().map(|r| r.account_id.clone()));
    let mut c = context(ctx, rule);
    c.direct_grants = grants;
    let plan = build_plan(dir, &queue, &c);
    let file = PlanFile::new(
        &plan,
        &queue,
        profile,
        Some(format!("rule {:?}: {}", rule.name, rule.query)),
        now,
    );
    (queue, file)
}

/// Marks the due rows as being reclaimed by `batch` (a rerun after a crash resumes that
/// batch instead of making another).
pub fn mark_reclaiming(
    store: &mut RulesStore,
    rule: &Rule,
    due: &[Row],
    in_plan: &HashSet<&str>,
    batch: BatchId,
    actor: &Actor,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    for row in due
        .iter()
        .filter(|r| in_plan.contains(r.account_id.as_str()))
    {
        let next = Row {
            batch_id: Some(batch),
            ..row.clone()
        };
        store.transition(&next, "rule_reclaiming", rule.action.as_str(), actor, now)?;
    }
    Ok(())
}

/// What one run of a rule needs besides the rule.
pub struct RunEnv<'a, T: Transport> {
    pub store: &'a mut RulesStore,
    pub transport: &'a T,
    pub client: &'a Client,
    pub dir: &'a Directory,
    pub ctx: &'a PlanContext,
    pub actor: &'a Actor,
    pub profile: Option<String>,
    pub admission: Admission,
    pub journal: SharedJournal,
    pub now: DateTime<Utc>,
}

/// Some item or notice failed (as `seats apply`).
pub const EXIT_FAILED: u8 = 3;

/// One run of `rule`: finishes a batch an earlier run left open, settles its users, records
/// exits, sends notices, and reclaims the due users as one batch run by `execute` (the
/// command's executor loop). Returns what it did and the exit code (0, 3 or 4).
pub async fn run_rule<T: Transport>(
    env: &mut RunEnv<'_, T>,
    rule: &Rule,
    mut execute: impl AsyncFnMut(BatchId) -> anyhow::Result<u8>,
) -> anyhow::Result<(Report, u8)> {
    let mut report = Report::default();
    let mut worst = 0u8;
    let (now, actor) = (env.now, env.actor);
    // A batch a killed run left: finish it first (resume re-reads what was sent), then settle.
    let open_batches: HashSet<BatchId> = env
        .store
        .latest(&rule.name)?
        .values()
        .filter(|r| r.state.is_open())
        .filter_map(|r| r.batch_id)
        .collect();
    for batch in open_batches {
        if env.store.batch_open(batch)? {
            crate::output::note(format!(
                "rule {:?}: finishing batch {batch}, left unfinished by an earlier run",
                rule.name
            ));
            worst = worst.max(execute(batch).await?);
        }
    }
    settle(env, rule, &mut report)?;
    let rows = env.store.latest(&rule.name)?;
    let (comments, claims_read) = match comments_for(rule, env.transport).await {
        Ok(c) => (c, true),
        Err(e) => {
            crate::output::note(format!(
                "rule {:?}: could not read the review issue's comments ({e}); nobody becomes due or is reclaimed this run",
                rule.name
            ));
            worst = worst.max(EXIT_FAILED);
            (Vec::new(), false)
        }
    };
    let mut decisions = preview(rule, env.dir, env.ctx, &rows, &comments, now)?.decisions;
    if !claims_read {
        // Without the comments a claim could be missed.
        decisions.to_reclaim.clear();
        decisions.transitions.retain(|(r, _)| r.state != State::Due);
    }
    // A batch bigger than `[plan] batch_cap` would be refused whole: the rest wait a run.
    decisions
        .to_reclaim
        .truncate(env.admission.batch_cap as usize);
    let due = act(
        env.store,
        env.transport,
        rule,
        &decisions,
        actor,
        now,
        &mut report,
    )
    .await?;
    if report.notice_failures > 0 {
        worst = worst.max(EXIT_FAILED);
    }
    if due.is_empty() {
        return Ok((report, worst));
    }
    let queue = queue_for(rule, due.iter().map(|r| r.account_id.clone()));
    // The same look-up `seats plan` and the console make (`plan::needing_lookup`).
    let wanted = crate::plan::needing_lookup(env.dir, &queue, &context(env.ctx, rule));
    let grants =
        crate::atlassian::grants::direct_grants_for(env.client, &env.dir.org_id, &wanted).await?;
    let (_, file) = reclaim_plan(
        rule,
        env.dir,
        env.ctx,
        &due,
        grants,
        env.profile.clone(),
        now,
    );
    let in_plan: HashSet<&str> = file.steps.iter().map(|s| s.account_id.as_str()).collect();
    if in_plan.is_empty() {
        return Ok((report, worst));
    }
    let meta = NewBatch::from_plan(
        &file,
        actor.operator.clone(),
        format!("rule {}", rule.name),
        false,
    );
    let meta = NewBatch {
        profile: meta.profile.or_else(|| env.profile.clone()),
        ..meta
    };
    let batch = {
        let mut j = env.journal.lock().unwrap_or_else(|p| p.into_inner());
        exec::submit(&mut j, &file, &meta, &env.admission)?
    };
    mark_reclaiming(env.store, rule, &due, &in_plan, batch, actor, now)?;
    report.reclaim_batch = Some((batch, in_plan.len()));
    worst = worst.max(execute(batch).await?);
    settle(env, rule, &mut report)?;
    Ok((report, worst))
}

fn settle<T: Transport>(
    env: &mut RunEnv<'_, T>,
    rule: &Rule,
    report: &mut Report,
) -> anyhow::Result<()> {
    let j = env.journal.lock().unwrap_or_else(|p| p.into_inner());
    for (id, event) in settle_batches(env.store, &j, rule, env.actor, env.now)? {
        report.transitions.push((id, event));
    }
    Ok(())
}
