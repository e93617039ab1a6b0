//! `seats undo BATCH [-o FILE]`: writes the plan that undoes a batch's done items, for review
//! and then `seats apply FILE`. Says plainly what cannot be undone.

use std::path::PathBuf;

use anyhow::Context;

use crate::cli::UndoArgs;
use crate::commands::export::write_atomically;
use crate::exec::{Journal, undo_plan};

pub fn run(args: UndoArgs) -> anyhow::Result<()> {
    let journal = Journal::open_default()?;
    let batch = journal.batch(args.batch)?;
    let items = journal.items(args.batch)?;
    let undo = undo_plan(&batch, &items, chrono::Utc::now())?;
    let path = args
        .output
        .unwrap_or_else(|| PathBuf::from(format!("seats-undo-batch-{}.json", batch.id)));
    let mut text = serde_json::to_string_pretty(&undo.plan).context("could not write the plan")?;
    text.push('\n');
    if !undo.plan.steps.is_empty() {
        write_atomically(&path, text.as_bytes())?;
    }

    let mut by_change = std::collections::BTreeMap::<String, usize>::new();
    for s in &undo.plan.steps {
        *by_change.entry(s.change.describe()).or_default() += 1;
    }
    println!(
        "undo of batch {}: {} steps",
        batch.id,
        undo.plan.steps.len()
    );
    for (what, n) in &by_change {
        println!("  {n:>6}  {what}");
    }
    if !undo.caveats.is_empty() {
        println!("Undone only in part:");
        for c in &undo.caveats {
            println!("  {} ({}): {}", c.name, c.account_id, c.why);
        }
    }
    if !undo.cannot_undo.is_empty() {
        println!("Cannot be undone by seats ({}):", undo.cannot_undo.len());
        for c in &undo.cannot_undo {
            println!("  {} ({}): {}", c.name, c.account_id, c.why);
        }
    }
    if undo.plan.steps.is_empty() {
        println!("nothing in this batch can be undone by seats: no plan written");
    } else {
        println!(
            "wrote {}: review it, then run: seats apply {}",
            path.display(),
            path.display()
        );
    }
    Ok(())
}
