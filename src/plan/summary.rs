//! The plan in a few lines of text: per operation its targets, steps, held-out rows by reason
//! and no-ops dropped; the effect per product with the monthly and yearly savings; the refusal.
//! `seats plan` prints it; the console's confirm dialog can show the same lines.

use std::collections::BTreeMap;

use super::{Plan, PlannedOperation};
use crate::output::words::plural;

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
        .map(|(l, n)| format!("{n} {l}"))
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
    let e = &plan.effect;
    if !e.products.is_empty() {
        out.push("Effect on seats:".into());
        for p in &e.products {
            let mut line = format!(
                "  {}: {} used now, {} after, {} freed",
                p.name, p.used_now, p.used_after, p.freed
            );
            if p.regained > 0 {
                line.push_str(&format!(", {} regained", p.regained));
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
    out.push(format!(
        "{} changed in {}",
        plural(plan.affected_users(), "user"),
        plural(plan.steps().count(), "step")
    ));
    if let Some(r) = &plan.refusal {
        out.push(format!("Refused: {}", r.describe()));
    }
    out
}
