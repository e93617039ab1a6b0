//! `seats undo BATCH [-o FILE]`: writes the plan that undoes a batch's done items (and those
//! whose outcome is unknown: seats may have made them), for review
//! and then `seats apply FILE`. Says plainly what cannot be undone.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context;

use crate::cli::{GlobalArgs, UndoArgs};
use crate::exec::{Journal, undo_plan};
use crate::output::OutputTarget;
use crate::output::words::{plural, thousands};

pub fn run(global: &GlobalArgs, args: UndoArgs) -> anyhow::Result<()> {
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("seats-undo-batch-{}.json", args.batch)));
    let target = OutputTarget::check(Some(&path))?;
    let org = super::history::org_of(&global.connection)?;
    let journal = Journal::open_default()?;
    let batch = journal.batch(args.batch)?;
    super::history::check_org(&batch, org.as_deref())?;
    let items = journal.items(args.batch)?;
    let undo = undo_plan(&batch, &items, chrono::Utc::now())?;
    let mut text = serde_json::to_string_pretty(&undo.plan).context("could not write the plan")?;
    text.push('\n');
    if !undo.plan.steps.is_empty() {
        target.write(text.as_bytes())?;
    }

    let mut by_change = std::collections::BTreeMap::<String, usize>::new();
    for s in &undo.plan.steps {
        *by_change.entry(s.change.describe()).or_default() += 1;
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "undo of batch {}: {}",
        batch.id,
        plural(undo.plan.steps.len(), "step")
    );
    for (what, n) in &by_change {
        let _ = writeln!(out, "  {:>6}  {what}", thousands(*n));
    }
    let unknown = items
        .iter()
        .filter(|i| i.state == crate::exec::ItemState::Unknown)
        .count();
    if unknown > 0 {
        let _ = writeln!(
            out,
            "{unknown} of them undo changes whose outcome is unknown (the answer was lost): each user is read again first and skipped if the change never landed"
        );
    }
    if !undo.caveats.is_empty() {
        let _ = writeln!(out, "Undone only in part:");
        for c in &undo.caveats {
            let _ = writeln!(out, "  {} ({}): {}", c.name, c.account_id, c.why);
        }
    }
    if !undo.cannot_undo.is_empty() {
        let _ = writeln!(
            out,
            "Cannot be undone by seats ({}):",
            undo.cannot_undo.len()
        );
        for c in &undo.cannot_undo {
            let _ = writeln!(out, "  {} ({}): {}", c.name, c.account_id, c.why);
        }
    }
    if undo.plan.steps.is_empty() {
        let _ = writeln!(
            out,
            "nothing in this batch can be undone by seats: no plan written"
        );
    } else {
        let _ = writeln!(
            out,
            "wrote {}: review it, then run: seats apply {}",
            path.display(),
            path.display()
        );
    }
    crate::output::stdout().write_all(out.as_bytes())?;
    Ok(())
}
