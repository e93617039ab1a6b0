//! `seats completions SHELL` and `seats man`: shell completions (clap_complete) and man pages
//! (clap_mangen), both generated from the CLI definition, so they never drift from it.

use std::io::Write as _;

use clap::CommandFactory;

use crate::cli::{Cli, ManArgs};

/// The completion script for `shell`, as bytes.
pub fn completion_script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "seats", &mut out);
    out
}

/// Every man page: `seats.1` first (its SUBCOMMANDS section names `seats-report(1)` and the
/// others), then `seats-SUBCOMMAND.1` for each subcommand, as (file name, roff).
pub fn man_pages() -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut pages = Vec::new();
    let mut top = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut top)?;
    pages.push(("seats.1".to_owned(), top));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("seats-{}", sub.get_name());
        let mut page = Vec::new();
        // The page's title is its file's name; its synopsis says `seats report ...`.
        let sub = sub
            .clone()
            .display_name(name.clone())
            .version(env!("CARGO_PKG_VERSION"));
        clap_mangen::Man::new(sub).render(&mut page)?;
        pages.push((format!("{name}.1"), page));
    }
    Ok(pages)
}

pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<()> {
    let mut out = crate::output::stdout();
    out.write_all(&completion_script(shell))?;
    out.flush()?;
    Ok(())
}

pub fn man(args: ManArgs) -> anyhow::Result<()> {
    let pages = man_pages()?;
    let mut out = crate::output::stdout();
    if args.list {
        for (name, _) in pages.iter().skip(1) {
            let command = name.trim_start_matches("seats-").trim_end_matches(".1");
            writeln!(out, "{command}")?;
        }
        out.flush()?;
        return Ok(());
    }
    let wanted = match &args.command {
        None => "seats.1".to_owned(),
        Some(c) => format!("seats-{c}.1"),
    };
    let Some((_, page)) = pages.iter().find(|(name, _)| *name == wanted) else {
        let names: Vec<&str> = pages
            .iter()
            .skip(1)
            .map(|(n, _)| n.trim_start_matches("seats-").trim_end_matches(".1"))
            .collect();
        anyhow::bail!(
            "no subcommand {:?}: man pages exist for {}",
            args.command.unwrap_or_default(),
            names.join(", ")
        );
    };
    out.write_all(page)?;
    out.flush()?;
    Ok(())
}
