//! `seats give-back BATCH ACCOUNT_ID_OR_EMAIL [-o FILE]`: writes the plan that gives one user
//! back exactly what a batch took from them (the groups and product roles recorded in the
//! journal), for review and then `seats apply FILE`, like `seats undo` for one user.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use crate::exec::{Journal, give_back_plan};
use crate::output::OutputTarget;
use anyhow::Context;

pub use crate::cli::GiveBackArgs;

/// A file-name-safe form of the user (account ids hold `:`, emails `@`).
fn file_part(who: &str) -> String {
    who.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect()
}

pub fn run(global: &crate::cli::GlobalArgs, args: GiveBackArgs) -> anyhow::Result<()> {
    let path = args.output.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "seats-give-back-batch-{}-{}.json",
            args.batch,
            file_part(&args.user)
        ))
    });
    let target = OutputTarget::check(Some(&path))?;
    let org = super::history::org_of(&global.connection)?;
    let journal = Journal::open_default()?;
    let batch = journal.batch(args.batch)?;
    super::history::check_org(&batch, org.as_deref())?;
    let items = journal.items(args.batch)?;
    let back = give_back_plan(&batch, &items, &args.user, chrono::Utc::now())?;
    let mut out = String::new();
    let (name, id) = back
        .plan
        .steps
        .first()
        .map(|s| (s.name.clone(), s.account_id.clone()))
        .or_else(|| {
            back.cannot_undo
                .first()
                .map(|c| (c.name.clone(), c.account_id.clone()))
        })
        .unwrap_or_else(|| (args.user.clone(), args.user.clone()));
    let _ = writeln!(
        out,
        "give back to {name} ({id}) what batch {} took: {}",
        batch.id,
        crate::output::words::plural(back.plan.steps.len(), "step")
    );
    for s in &back.plan.steps {
        let _ = writeln!(out, "  {}", s.change.describe());
    }
    for c in back.caveats.iter().chain(&back.cannot_undo) {
        let _ = writeln!(out, "  not given back in full: {}: {}", c.change, c.why);
    }
    if back.plan.steps.is_empty() {
        let _ = writeln!(out, "nothing seats can give back: no plan written");
    } else {
        let mut text =
            serde_json::to_string_pretty(&back.plan).context("could not write the plan")?;
        text.push('\n');
        target.write(text.as_bytes())?;
        let _ = writeln!(
            out,
            "wrote {}: review it, then run: seats apply {} (a product at its seat limit fails that item with the count)",
            path.display(),
            path.display()
        );
    }
    crate::output::stdout().write_all(out.as_bytes())?;
    Ok(())
}
