//! `seats history [--format table|csv|json] [--batch N] [-o FILE]`: the journal's batches and
//! their items, read from the local database (no network).
//!
//! CSV has one row per item with its batch's columns; JSON is a list of batches, each with its
//! items; the table lists batches, or with `--batch` the items of one.

use std::fmt::Write as _;

use chrono::SecondsFormat;
use serde::Serialize;

use crate::cli::{ConnectionArgs, GlobalArgs, HistoryArgs, HistoryFormat};
use crate::exec::journal::action_of;
use crate::exec::{BatchInfo, Item, Journal};
use crate::output::OutputTarget;

#[derive(Serialize)]
struct BatchWithItems<'a> {
    #[serde(flatten)]
    batch: &'a BatchInfo,
    items: &'a [Item],
}

/// One CSV row: an item with its batch's columns.
#[derive(Serialize)]
struct Row<'a> {
    batch: i64,
    batch_created_at: String,
    batch_status: &'a str,
    dry_run: bool,
    operator: &'a str,
    profile: &'a str,
    org_id: &'a str,
    source: &'a str,
    item: i64,
    account_id: &'a str,
    name: &'a str,
    email: &'a str,
    action: String,
    change: String,
    state: &'a str,
    reason: &'a str,
    http_status: Option<u16>,
    error: &'a str,
    attempts: u32,
    updated_at: String,
}

/// The org the connection flags identify: `--org-id`, else the org of the profile named by
/// `--profile` (or `SEATS_PROFILE`). None when neither is given: every org's batches.
pub fn org_of(connection: &ConnectionArgs) -> anyhow::Result<Option<String>> {
    if let Some(org) = connection
        .org_id
        .as_deref()
        .filter(|o| !o.trim().is_empty())
    {
        return Ok(Some(org.trim().to_owned()));
    }
    let Some(named) = connection.profile.as_deref().filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let config = crate::config::load()?;
    match config.select_profile(Some(named))? {
        Some((_, profile)) => match &profile.org_id {
            Some(org) => Ok(Some(org.clone())),
            None => anyhow::bail!(
                "profile {named:?} has no org_id: pass --org-id, or run `seats login --profile {named}`"
            ),
        },
        None => Ok(None),
    }
}

/// A batch of another org than the one asked for is refused, naming both.
pub fn check_org(batch: &BatchInfo, org: Option<&str>) -> anyhow::Result<()> {
    match org {
        Some(org) if org != batch.org_id => anyhow::bail!(
            "batch {} is of org {}, not of org {org} (--org-id or --profile): \
             drop those flags to see every org's batches",
            batch.id,
            batch.org_id
        ),
        _ => Ok(()),
    }
}

pub fn run(global: &GlobalArgs, args: HistoryArgs) -> anyhow::Result<()> {
    let target = OutputTarget::check(args.output.as_deref())?;
    let org = org_of(&global.connection)?;
    let journal = Journal::open_default()?;
    let batches: Vec<BatchInfo> = match args.batch {
        Some(id) => {
            let batch = journal.batch(id)?;
            check_org(&batch, org.as_deref())?;
            vec![batch]
        }
        None => journal
            .batches()?
            .into_iter()
            .filter(|b| org.as_deref().is_none_or(|o| o == b.org_id))
            .collect(),
    };
    let mut all = Vec::with_capacity(batches.len());
    for b in &batches {
        all.push((b, journal.items(b.id)?));
    }
    let out = match args.format {
        HistoryFormat::Json => {
            let list: Vec<BatchWithItems> = all
                .iter()
                .map(|(b, items)| BatchWithItems { batch: b, items })
                .collect();
            let mut s = serde_json::to_string_pretty(&list)?;
            s.push('\n');
            s.into_bytes()
        }
        HistoryFormat::Csv => csv_rows(&all)?,
        HistoryFormat::Table if args.batch.is_some() => items_table(&all).into_bytes(),
        HistoryFormat::Table => batches_table(&batches, org.as_deref()).into_bytes(),
    };
    target.write(&out)
}

fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn csv_rows(all: &[(&BatchInfo, Vec<Item>)]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for (b, items) in all {
        for i in items {
            w.serialize(Row {
                batch: b.id,
                batch_created_at: time(b.created_at),
                batch_status: b.status.as_str(),
                dry_run: b.dry_run,
                operator: &b.operator,
                profile: b.profile.as_deref().unwrap_or(""),
                org_id: &b.org_id,
                source: &b.source,
                item: i.seq,
                account_id: &i.step.account_id,
                name: &i.step.name,
                email: i.step.email.as_deref().unwrap_or(""),
                action: action_of(&i.step.change),
                change: i.step.change.describe(),
                state: i.state.as_str(),
                reason: i.reason.as_deref().unwrap_or(""),
                http_status: i.http_status,
                error: i.error.as_deref().unwrap_or(""),
                attempts: i.attempts,
                updated_at: time(i.updated_at),
            })?;
        }
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

fn status_of(b: &BatchInfo) -> &'static str {
    if b.is_unfinished() {
        "unfinished"
    } else {
        b.status.as_str()
    }
}

fn batches_table(batches: &[BatchInfo], org: Option<&str>) -> String {
    if batches.is_empty() {
        return match org {
            Some(org) => format!("no batch of org {org} yet: seats apply FILE runs one\n"),
            None => "no batch yet: seats apply FILE runs one\n".into(),
        };
    }
    let mut out = format!(
        "{:>5}  {:<20}  {:<10}  {:>6}  {:>6}  {:>6}  {:>7}  {:>5}  {}\n",
        "batch", "created (UTC)", "status", "items", "done", "failed", "skipped", "open", "source"
    );
    for b in batches {
        let _ = writeln!(
            out,
            "{:>5}  {:<20}  {:<10}  {:>6}  {:>6}  {:>6}  {:>7}  {:>5}  {}{}",
            b.id,
            time(b.created_at),
            status_of(b),
            b.counts.total(),
            b.counts.done,
            b.counts.failed,
            b.counts.skipped,
            b.counts.open(),
            b.source,
            if b.dry_run { " (dry run)" } else { "" }
        );
    }
    out
}

fn items_table(all: &[(&BatchInfo, Vec<Item>)]) -> String {
    let mut out = String::new();
    for (b, items) in all {
        let _ = writeln!(
            out,
            "batch {} ({}), {} by {} on org {}{}",
            b.id,
            status_of(b),
            time(b.created_at),
            b.operator,
            b.org_id,
            if b.dry_run { ", dry run" } else { "" }
        );
        for i in items {
            let detail = i
                .error
                .as_deref()
                .or(i.reason.as_deref())
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{:>6}  {:<8}  {:<32}  {} ({})  {}",
                i.seq,
                i.state.as_str(),
                i.step.change.describe(),
                i.step.name,
                i.step.account_id,
                detail
            );
        }
    }
    out
}
