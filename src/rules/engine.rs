//! What a run of one rule does, decided without I/O: from the fresh directory, the users the
//! rule's query selects, who the protections hold out, the lifecycle rows and the comments on
//! the review issue. `seats rules` (the preview) and `seats rules run` call the same
//! [`decide`], so the preview is what the next run does.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use super::store::{Row, State};
use crate::config::{Claims, Rule};
use crate::domain::{Directory, User, UserStatus};

/// A comment on the review issue (the fields the claims read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: String,
    pub author_account_id: String,
    pub created: DateTime<Utc>,
}

/// What the rule sees now.
pub struct Inputs<'a> {
    pub rule: &'a Rule,
    pub now: DateTime<Utc>,
    pub dir: &'a Directory,
    /// Account ids the rule's query selects now.
    pub matched: &'a HashSet<String>,
    /// Account ids the protections hold out, with the reason.
    pub protected: &'a HashMap<String, String>,
    /// The newest cycle of every user the rule has seen.
    pub rows: &'a HashMap<String, Row>,
    pub comments: &'a [Comment],
}

/// The run's decisions, in the order a run carries them out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decisions {
    /// Rows whose state changes (exits, and warned users reaching the deadline), with the event.
    pub transitions: Vec<(Row, &'static str)>,
    /// Users to notify: new cycles and candidates whose notice failed before, at most `cap`.
    pub to_warn: Vec<Row>,
    /// Matched users left for a later run by the cap.
    pub over_cap: usize,
    /// Warned users in their grace period, soonest deadline first.
    pub in_grace: Vec<Row>,
    /// Due users to reclaim now (deadline passed, still matched, not protected), at most `cap`.
    pub to_reclaim: Vec<Row>,
}

/// The last use of the rule's product (any product for a rule without one).
pub fn last_active(user: &User, product: Option<&str>) -> Option<DateTime<Utc>> {
    match product {
        Some(p) => user.access(p).and_then(|a| a.last_active),
        None => user
            .product_access
            .iter()
            .filter_map(|a| a.last_active)
            .max(),
    }
}

/// Days a closed `claimed` cycle holds before the user can be warned again: the query's
/// `idle:N`, else the grace period.
fn claim_holds(rule: &Rule) -> Duration {
    let days = crate::plan::idle_days_in(&rule.query).unwrap_or(rule.grace_days);
    Duration::days(i64::from(days))
}

fn close(row: &Row, state: State, evidence: String, now: DateTime<Utc>) -> Row {
    Row {
        state,
        evidence: Some(evidence),
        closed_at: Some(now),
        ..row.clone()
    }
}

fn event_of(state: State) -> &'static str {
    match state {
        State::Candidate => "rule_candidate",
        State::Warned => "rule_warned",
        State::Due => "rule_due",
        State::Reclaimed => "rule_reclaimed",
        State::Kept => "rule_kept",
        State::Claimed => "rule_claimed",
        State::Excluded => "rule_excluded",
        State::Gone => "rule_gone",
    }
}

/// What becomes of an open row now, if anything.
fn settle_open(row: &Row, input: &Inputs<'_>, users: &HashMap<&str, &User>) -> Option<Row> {
    let now = input.now;
    let rule = input.rule;
    let Some(user) = users.get(row.account_id.as_str()) else {
        return Some(close(row, State::Gone, "left the org".into(), now));
    };
    if matches!(
        user.status,
        UserStatus::Deactivated | UserStatus::ForDeletion
    ) {
        return Some(close(
            row,
            State::Gone,
            format!("account {}", user.status.as_str()),
            now,
        ));
    }
    // A batch in flight decides the row when it ends (reclaimed, or due again).
    if row.batch_id.is_some() {
        return None;
    }
    if let Some(reason) = input.protected.get(&row.account_id) {
        return Some(close(
            row,
            State::Excluded,
            format!("protected: {reason}"),
            now,
        ));
    }
    let since = row.warned_at.unwrap_or(row.since);
    if let Some(seen) = last_active(user, rule.product.as_deref()).filter(|t| *t > since) {
        return Some(close(
            row,
            State::Kept,
            format!("active {}", seen.format("%Y-%m-%d")),
            now,
        ));
    }
    if rule.claims == Some(Claims::Comment)
        && let Some(warned) = row.warned_at
        && let Some(c) = input
            .comments
            .iter()
            .filter(|c| c.author_account_id == row.account_id && c.created >= warned)
            .min_by_key(|c| c.created)
    {
        return Some(close(row, State::Claimed, format!("comment {}", c.id), now));
    }
    if !input.matched.contains(&row.account_id) {
        let why = match rule.product.as_deref() {
            Some(p) if user.access(p).is_none() => format!("no longer holds {p}"),
            _ => "no longer matches the rule's query".into(),
        };
        return Some(close(row, State::Excluded, why, now));
    }
    if row.state == State::Warned && row.deadline.is_some_and(|d| d <= now) {
        return Some(Row {
            state: State::Due,
            ..row.clone()
        });
    }
    None
}

/// Decides one run of `input.rule`.
pub fn decide(input: &Inputs<'_>) -> Decisions {
    let rule = input.rule;
    let now = input.now;
    let users: HashMap<&str, &User> = input
        .dir
        .users
        .iter()
        .map(|u| (u.account_id.as_str(), u))
        .collect();
    let mut out = Decisions::default();
    let mut open: Vec<Row> = Vec::new();
    for row in input.rows.values().filter(|r| r.state.is_open()) {
        match settle_open(row, input, &users) {
            Some(next) => {
                let event = event_of(next.state);
                if next.state.is_open() {
                    open.push(next.clone());
                }
                out.transitions.push((next, event));
            }
            None => open.push(row.clone()),
        }
    }
    let mut candidates: Vec<Row> = open
        .iter()
        .filter(|r| r.state == State::Candidate)
        .cloned()
        .collect();
    // New cycles: matched, not protected, and no open cycle (a claim holds a while).
    let open_ids: HashSet<&str> = open.iter().map(|r| r.account_id.as_str()).collect();
    let mut fresh: Vec<Row> = Vec::new();
    for u in &input.dir.users {
        let id = u.account_id.as_str();
        if !input.matched.contains(id) || input.protected.contains_key(id) || open_ids.contains(id)
        {
            continue;
        }
        let previous = input.rows.get(id);
        let held = previous.is_some_and(|p| {
            p.state.is_open()
                // Closed after the snapshot was taken (a batch this run resumed): the
                // snapshot does not show the exit yet.
                || p.closed_at.is_some_and(|c| c >= input.dir.fetched_at)
                || (p.state == State::Claimed
                    && p.closed_at.is_some_and(|c| now - c < claim_holds(rule)))
        });
        if held {
            continue;
        }
        fresh.push(Row {
            rule: rule.name.clone(),
            account_id: u.account_id.clone(),
            cycle: previous.map_or(1, |p| p.cycle + 1),
            state: State::Candidate,
            name: Some(u.name.clone()),
            email: u.email.clone(),
            last_active: last_active(u, rule.product.as_deref()),
            since: now,
            warned_at: None,
            channel: None,
            reference: None,
            deadline: None,
            batch_id: None,
            evidence: None,
            closed_at: None,
        });
    }
    // Retries first (they waited longest), then the longest idle.
    candidates.sort_by(|a, b| a.since.cmp(&b.since).then(a.account_id.cmp(&b.account_id)));
    fresh.sort_by(|a, b| {
        a.last_active
            .cmp(&b.last_active)
            .then(a.account_id.cmp(&b.account_id))
    });
    candidates.extend(fresh);
    let cap = rule.cap as usize;
    out.over_cap = candidates.len().saturating_sub(cap);
    candidates.truncate(cap);
    out.to_warn = candidates;

    let mut grace: Vec<Row> = open
        .iter()
        .filter(|r| r.state == State::Warned)
        .cloned()
        .collect();
    grace.sort_by(|a, b| {
        a.deadline
            .cmp(&b.deadline)
            .then(a.account_id.cmp(&b.account_id))
    });
    out.in_grace = grace;
    let mut due: Vec<Row> = open
        .iter()
        .filter(|r| {
            r.state == State::Due
                && r.batch_id.is_none()
                && r.warned_at.is_some()
                && r.deadline.is_some_and(|d| d <= now)
        })
        .cloned()
        .collect();
    due.sort_by(|a, b| {
        a.deadline
            .cmp(&b.deadline)
            .then(a.account_id.cmp(&b.account_id))
    });
    due.truncate(cap);
    out.to_reclaim = due;
    out
}

/// The deadline of a notice delivered at `at`.
pub fn deadline(rule: &Rule, at: DateTime<Utc>) -> DateTime<Utc> {
    at + Duration::days(i64::from(rule.grace_days))
}
