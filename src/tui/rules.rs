//! What the Rules view and the Details pane show of the rules' lifecycles, made once from the
//! rules' tables off the UI thread (`summarise` is pure, so tests build it from rows).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::config::Rule;
use crate::rules::{Row, State};

/// One user's place in one rule's cycle, as the Details pane shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Lifecycle {
    pub rule: String,
    pub state: State,
    pub warned_at: Option<DateTime<Utc>>,
    pub channel: Option<String>,
    pub deadline: Option<DateTime<Utc>>,
    pub batch_id: Option<i64>,
    pub evidence: Option<String>,
}

/// One rule: its counts per state, who is in each, and when the warned users' deadlines fall.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSummary {
    pub name: String,
    pub query: String,
    pub action: &'static str,
    pub grace_days: u32,
    /// The newest change the runs recorded for this rule (None: never run).
    pub last_run: Option<DateTime<Utc>>,
    /// Users per state, in `State::ALL` order.
    pub counts: [usize; State::ALL.len()],
    /// Account ids per state, in `State::ALL` order (what Enter lists).
    pub members: Vec<Vec<String>>,
    /// Deadlines of the users in grace, per day, soonest first.
    pub deadlines: Vec<(NaiveDate, usize)>,
}

impl RuleSummary {
    pub fn count(&self, state: State) -> usize {
        self.counts[state_ix(state)]
    }

    /// The soonest deadline of a user in grace.
    pub fn next_deadline(&self) -> Option<NaiveDate> {
        self.deadlines.first().map(|(d, _)| *d)
    }
}

/// Position of a state in `State::ALL`.
pub fn state_ix(state: State) -> usize {
    State::ALL.iter().position(|s| *s == state).unwrap_or(0)
}

/// The word the console uses for a state ("warned" is the grace period running).
pub fn state_word(state: State) -> &'static str {
    match state {
        State::Warned => "in grace",
        s => s.as_str(),
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RulesData {
    pub rules: Vec<RuleSummary>,
    /// Each user's lifecycles (one per rule that has seen them), by account id.
    pub by_account: HashMap<String, Vec<Lifecycle>>,
}

/// A rule's newest rows by account id, and when a run last changed one.
pub type Seen = (HashMap<String, Row>, Option<DateTime<Utc>>);

/// Builds what the console shows from each configured rule's newest rows and last run time
/// (`seen[i]` belongs to `rules[i]`). O(rows).
pub fn summarise(rules: &[Rule], seen: Vec<Seen>) -> RulesData {
    let mut data = RulesData::default();
    for (rule, (rows, last_run)) in rules.iter().zip(seen) {
        let mut counts = [0usize; State::ALL.len()];
        let mut members = vec![Vec::new(); State::ALL.len()];
        let mut days: HashMap<NaiveDate, usize> = HashMap::new();
        let mut rows: Vec<Row> = rows.into_values().collect();
        // Stable lists: by name, then account id.
        rows.sort_by(|a, b| {
            (a.name.as_deref(), a.account_id.as_str())
                .cmp(&(b.name.as_deref(), b.account_id.as_str()))
        });
        for row in rows {
            let i = state_ix(row.state);
            counts[i] += 1;
            if row.state == State::Warned
                && let Some(d) = row.deadline
            {
                *days.entry(d.date_naive()).or_default() += 1;
            }
            members[i].push(row.account_id.clone());
            data.by_account
                .entry(row.account_id)
                .or_default()
                .push(Lifecycle {
                    rule: rule.name.clone(),
                    state: row.state,
                    warned_at: row.warned_at,
                    channel: row.channel,
                    deadline: row.deadline,
                    batch_id: row.batch_id,
                    evidence: row.evidence,
                });
        }
        let mut deadlines: Vec<(NaiveDate, usize)> = days.into_iter().collect();
        deadlines.sort();
        data.rules.push(RuleSummary {
            name: rule.name.clone(),
            query: rule.query.clone(),
            action: rule.action.as_str(),
            grace_days: rule.grace_days,
            last_run,
            counts,
            members,
            deadlines,
        });
    }
    data
}

/// Reads each rule's newest rows and last run from the rules' tables in `seats.db` at `path`,
/// and summarises them. Blocking: run it off the UI thread.
pub fn read(path: &std::path::Path, rules: &[Rule]) -> Result<RulesData, String> {
    let store = crate::rules::RulesStore::open(path).map_err(|e| e.to_string())?;
    let mut seen = Vec::with_capacity(rules.len());
    for rule in rules {
        let rows = store.latest(&rule.name).map_err(|e| e.to_string())?;
        let last: Option<String> = store
            .connection()
            .query_row(
                "SELECT MAX(updated_at) FROM rules_users WHERE rule = ?1",
                [&rule.name],
                |r| r.get(0),
            )
            .map_err(|e| e.to_string())?;
        let last = last
            .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
            .map(|t| t.with_timezone(&Utc));
        seen.push((rows, last));
    }
    Ok(summarise(rules, seen))
}

/// The Activity view's chart: seats used per product over time, and money saved per month by
/// executed batches (`rules::savings::history`), shaped once off the UI thread.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SavingsView {
    /// Per product (sorted by key): seats used at each recorded snapshot, oldest first.
    pub seats: Vec<(String, Vec<u64>)>,
    /// Per month ("2026-11"), oldest first: the monthly saving the batches added, rounded.
    pub months: Vec<(String, u64)>,
    pub currency: String,
}

impl SavingsView {
    pub fn is_empty(&self) -> bool {
        self.seats.is_empty() && self.months.is_empty()
    }
}

/// Shapes the savings history for the chart. O(rows).
pub fn savings_view(
    seats: &[(String, String, u64)],
    months: &std::collections::BTreeMap<String, crate::rules::savings::Month>,
    currency: &str,
) -> SavingsView {
    let mut by_product: std::collections::BTreeMap<&str, Vec<(&str, u64)>> = Default::default();
    for (at, product, used) in seats {
        by_product
            .entry(product.as_str())
            .or_default()
            .push((at.as_str(), *used));
    }
    SavingsView {
        seats: by_product
            .into_iter()
            .map(|(p, mut points)| {
                // Oldest first, whatever order the rows came in.
                points.sort_by(|a, b| a.0.cmp(b.0));
                (p.to_owned(), points.into_iter().map(|(_, n)| n).collect())
            })
            .collect(),
        months: months
            .iter()
            .map(|(m, v)| (m.clone(), v.monthly_saving.max(0.0).round() as u64))
            .collect(),
        currency: currency.to_owned(),
    }
}
