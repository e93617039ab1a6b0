//! The plan in a few lines of text: per operation its targets, steps, held-out rows by reason
//! and no-ops dropped; the effect per product with the monthly and yearly savings; the refusal.
//! `seats plan` prints it; the console's confirm dialog can show the same lines.

use std::collections::BTreeMap;

use super::{Plan, PlanFile, PlannedOperation, SeatEffect};
use crate::output::words::{plural, thousands};

fn money(currency: &str, amount: f64) -> String {
    crate::output::words::money(currency, amount)
}

/// "3 org admin, 1 protected group", most frequent first.
fn by_reason<'a>(labels: impl Iterator<Item = String> + 'a) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for l in labels {
        *counts.entry(l).or_default() += 1;
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
        .iter()
        .map(|(l, n)| format!("{} {l}", thousands(*n)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn operation_lines(op: &PlannedOperation, out: &mut Vec<String>) {
    out.push(format!(
        "{}: {}, {} changed in {}",
        op.kind.describe(),
        plural(op.targets, "target"),
        plural(op.affected_users(), "user"),
        plural(op.steps.len(), "step")
    ));
    if let Some(t) = &op.threshold {
        out.push(format!("  {}", t.describe()));
    }
    if !op.held_out.is_empty() {
        out.push(format!(
            "  held out {}: {}",
            op.held_out.len(),
            by_reason(op.held_out.iter().map(|h| h.reason.label()))
        ));
    }
    if !op.no_ops.is_empty() {
        out.push(format!(
            "  no-ops dropped {}: {}",
            op.no_ops.len(),
            by_reason(op.no_ops.iter().map(|n| n.reason.describe()))
        ));
    }
    if !op.keeps.is_empty() {
        out.push(format!(
            "  keep a product through another path {}: {}",
            op.keeps.len(),
            by_reason(op.keeps.iter().map(|k| {
                // Per group, not per user: "keeps Jira Software through group X".
                k.describe()
            }))
        ));
    }
}

/// The summary, one line per entry (no trailing newlines).
pub fn summary(plan: &Plan) -> Vec<String> {
    let mut out = vec![format!(
        "Plan for org {} (data fetched {}; activity can lag up to 24 hours)",
        plan.org_id,
        plan.fetched_at.format("%Y-%m-%d %H:%M UTC")
    )];
    for op in &plan.operations {
        operation_lines(op, &mut out);
    }
    effect_lines(&plan.effect, &mut out);
    // With one operation its own line said it already.
    if plan.operations.len() > 1 {
        out.push(format!(
            "{} changed in {}",
            plural(plan.affected_users(), "user"),
            plural(plan.steps().count(), "step")
        ));
    }
    if let Some(r) = &plan.refusal {
        out.push(format!("Refused: {}", r.describe()));
    }
    out
}

/// The effect on seats, per product, the total and the note on savings.
fn effect_lines(e: &SeatEffect, out: &mut Vec<String>) {
    if !e.products.is_empty() {
        out.push("Effect on seats:".into());
        for p in &e.products {
            let mut line = format!(
                "  {}: {} used now, {} after, {} freed",
                p.name,
                thousands(p.used_now as usize),
                thousands(p.used_after as usize),
                thousands(p.freed as usize)
            );
            if p.regained > 0 {
                line.push_str(&format!(", {} regained", thousands(p.regained as usize)));
            }
            match (p.monthly_saving, p.yearly_saving) {
                (Some(m), Some(y)) if m >= 0.0 => line.push_str(&format!(
                    "; saves {} a month, {} a year",
                    money(&e.currency, m),
                    money(&e.currency, y)
                )),
                (Some(m), Some(y)) => line.push_str(&format!(
                    "; costs {} more a month, {} a year",
                    money(&e.currency, -m),
                    money(&e.currency, -y)
                )),
                _ => line.push_str("; no price configured ([prices.per_user_month])"),
            }
            out.push(line);
        }
        let (verb, sign) = if e.monthly_saving >= 0.0 {
            ("saves", 1.0)
        } else {
            ("costs", -1.0)
        };
        out.push(format!(
            "  Total: {} freed; {verb} {} a month, {} a year",
            plural(e.seats_freed() as usize, "seat"),
            money(&e.currency, sign * e.monthly_saving),
            money(&e.currency, sign * e.yearly_saving)
        ));
        out.push(format!("  {}", e.note));
    }
}

/// The same summary in fewer lines, for a small terminal: totals over every operation
/// instead of per operation, but still what changes, who is held out and why, the no-ops, who
/// keeps a product, the thresholds, and the effect per product and in total.
pub fn compact(plan: &Plan) -> Vec<String> {
    // Most telling first: a terminal too small for all of it cuts from the end.
    let mut out = Vec::new();
    let ops: Vec<String> = plan
        .operations
        .iter()
        .map(|o| format!("{} {}", o.kind.describe(), thousands(o.affected_users())))
        .collect();
    out.push(format!(
        "Changes {} in {}: {}",
        plural(plan.affected_users(), "user"),
        plural(plan.steps().count(), "step"),
        ops.join(", ")
    ));
    let held: Vec<&super::HeldOut> = plan.held_out().collect();
    if !held.is_empty() {
        out.push(format!(
            "Held out {}: {}",
            thousands(held.len()),
            by_reason(held.iter().map(|h| h.reason.label()))
        ));
    }
    let no_ops: Vec<&super::NoOp> = plan.no_ops().collect();
    if !no_ops.is_empty() {
        out.push(format!(
            "No-ops dropped {}: {}",
            thousands(no_ops.len()),
            by_reason(no_ops.iter().map(|n| n.reason.describe()))
        ));
    }
    let keeps: Vec<String> = plan
        .operations
        .iter()
        .flat_map(|o| o.keeps.iter().map(|k| k.describe()))
        .collect();
    if !keeps.is_empty() {
        out.push(format!(
            "Keep a product another way {}: {}",
            keeps.len(),
            by_reason(keeps.into_iter())
        ));
    }
    for t in distinct_thresholds(plan) {
        out.push(format!("Activity: {}", t.describe()));
    }
    let e = &plan.effect;
    for p in &e.products {
        let saving = match p.monthly_saving {
            Some(m) if m >= 0.0 => format!("; saves {} a month", money(&e.currency, m)),
            Some(m) => format!("; costs {} more a month", money(&e.currency, -m)),
            None => "; no price set".into(),
        };
        let regained = if p.regained > 0 {
            format!(", {} regained", p.regained)
        } else {
            String::new()
        };
        out.push(format!(
            "{}: {} → {} seats ({} freed{regained}){saving}",
            p.name,
            thousands(p.used_now as usize),
            thousands(p.used_after as usize),
            thousands(p.freed as usize)
        ));
    }
    if !e.products.is_empty() {
        let (verb, sign) = if e.monthly_saving >= 0.0 {
            ("saves", 1.0)
        } else {
            ("costs", -1.0)
        };
        out.push(format!(
            "Total: {} freed; {verb} {} a month, {} a year (at the end of the billing cycle)",
            plural(e.seats_freed() as usize, "seat"),
            money(&e.currency, sign * e.monthly_saving),
            money(&e.currency, sign * e.yearly_saving)
        ));
    }
    if let Some(r) = &plan.refusal {
        out.insert(0, format!("Refused: {}", r.describe()));
    }
    out.push(format!(
        "Org {}, data fetched {} (activity can lag 24 h)",
        plan.org_id,
        plan.fetched_at.format("%Y-%m-%d %H:%M UTC")
    ));
    out
}

/// The operations' activity thresholds, each once: the config's threshold is one premise
/// whether the targets were picked by hand or by a query without `idle:` (said as the config's
/// threshold when both occur).
fn distinct_thresholds(plan: &Plan) -> Vec<super::Threshold> {
    use super::ThresholdFrom::{Config, HandPicked};
    let mut out: Vec<super::Threshold> = Vec::new();
    for t in plan.operations.iter().filter_map(|o| o.threshold) {
        let from_config = |f| matches!(f, Config | HandPicked);
        match out.iter_mut().find(|u| {
            u.days == t.days && (u.from == t.from || (from_config(u.from) && from_config(t.from)))
        }) {
            Some(u) if u.from != t.from => u.from = Config,
            Some(_) => {}
            None => out.push(t),
        }
    }
    out
}

/// A plan file's fixed steps in a few lines (an undo or retry plan, or a file without its
/// queue): what changes, how often, and what the file says was held out and the effect.
pub fn file_summary(file: &PlanFile) -> Vec<String> {
    let users: std::collections::HashSet<&str> =
        file.steps.iter().map(|s| s.account_id.as_str()).collect();
    let mut out = vec![format!(
        "Org {}; plan made {}",
        file.org_id,
        file.created_at.format("%Y-%m-%d %H:%M UTC")
    )];
    out.push(format!(
        "Changes {} in {}: {}",
        plural(users.len(), "user"),
        plural(file.steps.len(), "step"),
        by_reason(file.steps.iter().map(|s| s.change.describe()))
    ));
    if !file.held_out.is_empty() {
        out.push(format!(
            "Held out {}: {}",
            thousands(file.held_out.len()),
            by_reason(file.held_out.iter().map(|h| h.reason.label()))
        ));
    }
    if !file.no_ops.is_empty() {
        out.push(format!(
            "No-ops dropped {}: {}",
            thousands(file.no_ops.len()),
            by_reason(file.no_ops.iter().map(|n| n.reason.describe()))
        ));
    }
    match &file.effect {
        Some(e) => effect_lines(e, &mut out),
        // Undo, retry and give-back plans are made from the journal's steps, not from the
        // directory the effect is counted against.
        None => out.push(
            "Effect on seats: not counted: this plan's steps come from the journal (an undo, retry or give-back), not from the directory"
                .into(),
        ),
    }
    if let Some(r) = &file.refusal {
        out.push(format!("Refused: {}", r.describe()));
    }
    out.push(AS_PLANNED.into());
    out
}

/// Said under a plan file's held-out rows and figures: the file carries them as its plan made
/// them, and only its steps run (a hand-edited step is not counted in them).
pub const AS_PLANNED: &str = "Held out and seats are as counted when the plan was made; only the steps run, and a file edited since may not match them.";
