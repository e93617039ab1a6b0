//! `seats apply FILE [--yes] [--dry-run]`, `seats apply --resume [--batch N]` and
//! `seats apply --retry-failed BATCH`: run a plan headless with the same checks, journal and
//! audit log as the console.
//!
//! Every batch goes in through admission ([`exec::submit`]): the plan's refusal, the batch cap,
//! the step limit, and a plan running or applied before (`--again` runs it again on purpose).
//!
//! Exit codes: 0 every item done (or skipped with its reason, or a dry run); 3 some item failed
//! (`seats apply --retry-failed BATCH` queues them again); 4 the batch did not finish (cancelled
//! with Ctrl-C, SIGTERM or SIGHUP, stopped by an error such as a revoked key, or an item whose
//! outcome is unknown; `seats apply --resume` finishes it). The code is the batch's whatever
//! happens to standard output (closed, full).

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::atlassian::org::OrgApi;
use crate::cli::{ApplyArgs, GlobalArgs};
use crate::commands::{Exit, connect};
use crate::domain::Protection;
use crate::exec::{
    self, Admission, BatchId, Counts, ExecEvent, ExecOptions, Journal, NewBatch, RunOutcome,
    SharedJournal, Target, retry_plan,
};
use crate::output::{StatusLine, note};
use crate::plan::{Change, PlanFile};

/// A line on standard error, through `seats::output` (never a closed-pipe panic).
macro_rules! say {
    ($($arg:tt)*) => {
        crate::output::note(format!($($arg)*))
    };
}

/// Some item failed.
pub const EXIT_FAILED: u8 = 3;
/// The batch did not finish.
pub const EXIT_UNFINISHED: u8 = 4;

pub async fn run(global: &GlobalArgs, args: ApplyArgs) -> anyhow::Result<()> {
    let journal = Journal::open_default()?;
    if args.resume {
        return resume(global, journal, args.batch).await;
    }
    let (plan, source) = match (&args.file, args.retry_failed) {
        (_, Some(batch)) => {
            let info = journal.batch(batch)?;
            let items = journal.items(batch)?;
            (
                retry_plan(&info, &items, chrono::Utc::now())?,
                format!("retry of batch {batch}"),
            )
        }
        (Some(file), None) => (read_plan(file)?, file.display().to_string()),
        (None, None) => bail!("give a plan file, --resume or --retry-failed BATCH"),
    };
    let session = Session::connect(global)?;
    // The same rules `submit` enforces, before asking: a plan that cannot run is not offered.
    exec::admit::check_plan(&plan, &session.admission)?;
    if plan.org_id != session.org_id {
        bail!(
            "this plan was made for org {} but the profile's org is {}: refusing to run it against another org",
            plan.org_id,
            session.org_id
        );
    }
    if plan.steps.is_empty() {
        say!("the plan has no steps: nothing to do");
        return Ok(());
    }
    let dry_run = global.dry_run;
    let applied_as = journal.applied_as(&plan.identity())?;
    note(summary(&plan, dry_run, applied_as).trim_end());
    // A dry run sends nothing: it needs no confirmation (and so no --yes without a terminal).
    if !args.yes && !dry_run {
        confirm(&plan, dry_run)?;
    }
    let meta = NewBatch::from_plan(&plan, session.operator.clone(), source, dry_run);
    let meta = NewBatch {
        // The profile that runs it, when the plan does not name one.
        profile: meta.profile.or_else(|| session.profile.clone()),
        again: args.again,
        ..meta
    };
    let mut journal = journal;
    let batch = exec::submit(&mut journal, &plan, &meta, &session.admission)?;
    let shared: SharedJournal = Arc::new(Mutex::new(journal));
    say!(
        "batch {batch}: {}{}",
        crate::output::words::plural(plan.steps.len(), "step"),
        if dry_run {
            " (dry run: nothing is sent)"
        } else {
            ""
        }
    );
    let code = execute(&session, shared, batch).await?;
    exit(code)
}

fn exit(code: u8) -> anyhow::Result<()> {
    if code == 0 {
        Ok(())
    } else {
        Err(Exit(code).into())
    }
}

/// What a run needs from the profile: the org, a client, who is operating, who is protected.
pub(crate) struct Session {
    pub(crate) org_id: String,
    org: OrgApi,
    pub(crate) operator: String,
    pub(crate) profile: Option<String>,
    options: ExecOptions,
    pub(crate) admission: Admission,
}

impl Session {
    pub(crate) fn connect(global: &GlobalArgs) -> anyhow::Result<Session> {
        let (client, conn, profile, config) = connect::client(global)?;
        let org_id = conn.org_id.clone().context(
            "no org id: pass --org-id (admin.atlassian.com/o/<org id>/...) or run `seats login`",
        )?;
        let myself: Vec<&str> = conn.email.as_deref().into_iter().collect();
        let options = ExecOptions {
            concurrency: config.api.concurrency.max(1) as usize,
            protection: Protection::new(&config.protected, &myself),
            ..ExecOptions::default()
        };
        Ok(Session {
            admission: Admission::from_config(&config),
            org: OrgApi::new(client, org_id.clone()),
            org_id,
            operator: operator(conn.email.as_deref()),
            profile: profile.name,
            options,
        })
    }
}

/// Who runs the batch, for the audit log: the profile's email, else the OS user.
fn operator(email: Option<&str>) -> String {
    if let Some(e) = email.filter(|e| !e.is_empty()) {
        return e.to_owned();
    }
    ["USER", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .map(|u| format!("os:{u}"))
        .unwrap_or_else(|| "unknown".into())
}

fn read_plan(path: &Path) -> anyhow::Result<PlanFile> {
    // The org is checked once connected, against the profile's.
    Ok(PlanFile::read(path, None)?)
}

fn irreversible(change: &Change) -> bool {
    matches!(change, Change::RemoveFromDirectory | Change::Deactivate)
}

/// What the plan will do, said before "Type yes": the changes by kind, the users held out,
/// the effect on seats and cost, and whether this plan already ran (as batch N).
pub fn summary(plan: &PlanFile, dry_run: bool, applied_as: Option<BatchId>) -> String {
    use crate::output::words::{money, plural, plural_as, thousands};
    let mut by_change: BTreeMap<String, usize> = BTreeMap::new();
    for s in &plan.steps {
        *by_change.entry(s.change.describe()).or_default() += 1;
    }
    let mut rows: Vec<(String, usize)> = by_change.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut out = String::new();
    if let Some(batch) = applied_as {
        out.push_str(&format!(
            "This plan file was already applied, as batch {batch} (seats history --batch {batch}){}.\n",
            if dry_run {
                ""
            } else {
                "; running it again needs --again"
            }
        ));
    }
    out.push_str(&format!(
        "{} {} to org {}{}:\n",
        if dry_run {
            "Would make"
        } else {
            "About to make"
        },
        plural(plan.steps.len(), "change"),
        plan.org_id,
        plan.query
            .as_deref()
            .map(|q| format!(" ({q})"))
            .unwrap_or_default()
    ));
    for (what, n) in rows.iter().take(12) {
        out.push_str(&format!("  {:>6}  {what}\n", thousands(*n)));
    }
    if rows.len() > 12 {
        out.push_str(&format!(
            "  ... and {} more\n",
            plural_as(rows.len() - 12, "kind of change", "kinds of change")
        ));
    }
    let hard = plan
        .steps
        .iter()
        .filter(|s| irreversible(&s.change))
        .count();
    if hard > 0 {
        out.push_str(&format!(
            "  {} of them cannot be fully undone (removal from the directory, deactivation)\n",
            thousands(hard)
        ));
    }
    // Held out: the rows a CSV export joins with (protected, recently active, synced group...).
    let held: std::collections::BTreeSet<&str> = plan
        .held_out
        .iter()
        .map(|h| h.account_id.as_str())
        .collect();
    if held.is_empty() {
        out.push_str("Held out: nobody.\n");
    } else {
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        for h in &plan.held_out {
            *reasons.entry(h.reason.label()).or_default() += 1;
        }
        let mut reasons: Vec<(String, usize)> = reasons.into_iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let reasons: Vec<String> = reasons
            .iter()
            .take(4)
            .map(|(l, n)| format!("{} {l}", thousands(*n)))
            .collect();
        out.push_str(&format!(
            "Held out: {} ({}); they are not changed.\n",
            plural(held.len(), "user"),
            reasons.join(", ")
        ));
    }
    match &plan.effect {
        Some(e) if !e.products.is_empty() => {
            for p in &e.products {
                let cost = match p.monthly_saving {
                    Some(m) if m >= 0.0 => format!("saves {} a month", money(&e.currency, m)),
                    Some(m) => format!("costs {} more a month", money(&e.currency, -m)),
                    None => format!(
                        "no price configured, counted at {}",
                        money(&e.currency, 0.0)
                    ),
                };
                out.push_str(&format!(
                    "Seats of {}: {} now, {} after ({} freed); {cost}\n",
                    p.name,
                    thousands(p.used_now as usize),
                    thousands(p.used_after as usize),
                    thousands(p.freed as usize)
                ));
            }
            let (verb, sign) = if e.monthly_saving >= 0.0 {
                ("saves", 1.0)
            } else {
                ("costs", -1.0)
            };
            out.push_str(&format!(
                "In all: {} freed; {verb} {} a month, {} a year (an upper bound: savings land at the end of the billing cycle)\n",
                plural(e.seats_freed() as usize, "seat"),
                money(&e.currency, sign * e.monthly_saving),
                money(&e.currency, sign * e.yearly_saving)
            ));
        }
        _ => out.push_str(
            "Effect on seats: not in this plan file (it was written without a snapshot).\n",
        ),
    }
    out.push_str(&format!("{}\n", crate::plan::AS_PLANNED));
    out.push_str("Each user is read again just before the change; a user the plan no longer fits is skipped with the reason.\n");
    out
}

/// Asks on the terminal; refuses without one.
fn confirm(plan: &PlanFile, dry_run: bool) -> anyhow::Result<()> {
    if !std::io::stdin().is_terminal() {
        bail!("no terminal to confirm on: run with --yes to apply without asking");
    }
    let hard = plan
        .steps
        .iter()
        .filter(|s| irreversible(&s.change))
        .count();
    let expected = if hard > 0 && !dry_run {
        plan.steps.len().to_string()
    } else {
        "yes".to_string()
    };
    let mut err = std::io::stderr();
    let _ = write!(err, "Type {expected} to go on, anything else to stop: ");
    let _ = err.flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .context("could not read the answer")?;
    if answer.trim() != expected {
        say!("stopped: nothing was changed");
        return Err(Exit(EXIT_UNFINISHED).into());
    }
    Ok(())
}

async fn resume(
    global: &GlobalArgs,
    journal: Journal,
    only: Option<BatchId>,
) -> anyhow::Result<()> {
    let unfinished: Vec<_> = journal
        .unfinished()?
        .into_iter()
        .filter(|b| only.is_none_or(|id| b.id == id))
        .collect();
    if unfinished.is_empty() {
        match only {
            Some(id) => {
                let b = journal.batch(id)?;
                say!("batch {id} is {}: nothing to finish", b.status.as_str());
            }
            None => say!("no unfinished batch: nothing to finish"),
        }
        return Ok(());
    }
    let session = Session::connect(global)?;
    let shared: SharedJournal = Arc::new(Mutex::new(journal));
    let mut worst = 0;
    for b in unfinished {
        if b.org_id != session.org_id {
            say!(
                "batch {} is for org {}, not the profile's org {}: left for that profile",
                b.id,
                b.org_id,
                session.org_id
            );
            worst = worst.max(EXIT_UNFINISHED);
            continue;
        }
        let items = shared
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .items(b.id)?;
        if let Err(e) = exec::check_batch(&items, &session.admission) {
            say!("batch {} is not resumed: {e}", b.id);
            worst = worst.max(EXIT_UNFINISHED);
            continue;
        }
        say!(
            "resuming batch {} ({} of {} left, {} of them sent without an answer: re-read first)",
            b.id,
            b.counts.open(),
            crate::output::words::plural(b.counts.total() as usize, "item"),
            b.counts.sent + b.counts.unknown
        );
        worst = worst.max(execute(&session, shared.clone(), b.id).await?);
    }
    exit(worst)
}

/// Ctrl-C, SIGTERM (a service manager, `kill`) and SIGHUP (the terminal closed) all stop a
/// run the same orderly way. Registered before the run starts, so none of them can end the
/// process between two journal writes.
struct StopSignals {
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    hup: Option<tokio::signal::unix::Signal>,
}

impl StopSignals {
    fn register() -> StopSignals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            StopSignals {
                int: signal(SignalKind::interrupt()).ok(),
                term: signal(SignalKind::terminate()).ok(),
                hup: signal(SignalKind::hangup()).ok(),
            }
        }
        #[cfg(not(unix))]
        StopSignals {}
    }

    /// Resolves with the signal's name when one arrives. A signal that came while nobody was
    /// waiting is kept by its handler and returned by the next call.
    async fn next(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            async fn recv(s: &mut Option<tokio::signal::unix::Signal>) {
                match s {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            tokio::select! {
                _ = recv(&mut self.int) => "Ctrl-C",
                _ = recv(&mut self.term) => "SIGTERM",
                _ = recv(&mut self.hup) => "SIGHUP",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}

/// Runs a batch to its end with progress on the terminal; Ctrl-C, SIGTERM and SIGHUP cancel
/// (calls in flight finish and are recorded). Returns the exit code.
pub(crate) async fn execute(
    session: &Session,
    journal: SharedJournal,
    batch: BatchId,
) -> anyhow::Result<u8> {
    // A stop signal cancels the batch cleanly instead of ending the process.
    crate::output::claim_interrupts();
    let mut signals = StopSignals::register();
    let target = Arc::new(Target::new(session.org.clone()));
    let mut running = exec::start(journal, target, batch, session.options.clone()).await?;
    let status = StatusLine::new();
    let mut cancelling = false;
    let mut last_draw = Instant::now() - Duration::from_secs(1);
    let mut failures: Vec<String> = Vec::new();
    let mut finished: Option<(RunOutcome, Counts)> = None;
    loop {
        tokio::select! {
            ev = running.events.recv() => match ev {
                None => break,
                Some(ExecEvent::Progress { done, failed, skipped, total, rate_per_min, eta }) => {
                    if last_draw.elapsed() >= Duration::from_millis(200) {
                        last_draw = Instant::now();
                        let eta = eta.map(|d| format!(", {} left", clock(d))).unwrap_or_default();
                        status.set(format!("  {}/{total}: {done} done, {failed} failed, {skipped} skipped ({rate_per_min:.0}/min{eta})", done + failed + skipped));
                    }
                }
                Some(ExecEvent::ItemFinished { state: exec::ItemState::Failed, name, account_id, change, error, .. }) => {
                    failures.push(format!("{change} {name} ({account_id}): {}", error.unwrap_or_default()));
                }
                Some(ExecEvent::ItemFinished { .. }) => {}
                Some(ExecEvent::Error { message }) => {
                    say!("  {message}");
                }
                Some(ExecEvent::Finished { outcome, counts, .. }) => finished = Some((outcome, counts)),
            },
            which = signals.next(), if !cancelling => {
                cancelling = true;
                running.control.cancel();
                note(format!("{which}: cancelling; requests in flight finish and are recorded"));
            }
        }
    }
    drop(status);
    let outcome = running
        .task
        .await
        .map_err(|e| anyhow::anyhow!("the run stopped: {e}"))??;
    let counts = finished.map(|(_, c)| c).unwrap_or_default();
    for f in failures.iter().take(20) {
        say!("  failed: {f}");
    }
    if failures.len() > 20 {
        say!(
            "  ... and {} more failures (seats history --batch {batch})",
            failures.len() - 20
        );
    }
    let line = format!(
        "batch {batch}: {} done, {} failed, {} skipped{}{}",
        counts.done,
        counts.failed,
        counts.skipped,
        if counts.dry_run > 0 {
            format!(", {} would be sent (dry run)", counts.dry_run)
        } else {
            String::new()
        },
        if counts.open() > 0 {
            format!(", {} not finished", counts.open())
        } else {
            String::new()
        }
    );
    // The exit code says how the batch went, not whether anyone read this line: a closed or
    // full standard output costs the line (kept on standard error), never the code.
    let mut out = crate::output::stdout();
    if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
        drop(out);
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            say!("could not write to standard output ({e}): {line}");
        } else {
            say!("{line}");
        }
    }
    if counts.unknown > 0 {
        say!(
            "{} sent but their answer was lost and could not be checked: they may have been changed (undo includes them); seats apply --resume --batch {batch} reads them again",
            crate::output::words::plural_as(counts.unknown as usize, "item was", "items were")
        );
    }
    let code = match outcome {
        RunOutcome::Completed if counts.open() > 0 => EXIT_UNFINISHED,
        RunOutcome::Completed if counts.failed > 0 => {
            say!("queue the failed items again with: seats apply --retry-failed {batch}");
            EXIT_FAILED
        }
        RunOutcome::Completed => 0,
        RunOutcome::Cancelled => {
            say!(
                "cancelled; the unsent items are skipped (seats apply --retry-failed {batch} queues them again)"
            );
            EXIT_UNFINISHED
        }
        // The reason was printed as the run's last error.
        RunOutcome::Stopped(_) => {
            say!("stopped; finish it later with: seats apply --resume --batch {batch}");
            EXIT_UNFINISHED
        }
    };
    Ok(code)
}

fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}
