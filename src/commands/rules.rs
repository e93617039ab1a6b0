//! `seats rules` (each rule and its preview: who the next run warns, who is in grace until
//! when, who is due, with the seats and money of each step) and `seats rules run [--dry-run]`
//! (from cron: settle, notify, reclaim through the journaled executor as an ordinary batch).
//!
//! A run is idempotent: a lock keeps two runs from acting at once, a user gets at most one
//! notice per channel and cycle, nobody is reclaimed before the deadline, and a batch a killed
//! run left behind is resumed rather than made again. Exit codes as `seats apply`: 0 all done,
//! 3 something failed (a notice or an item; retried next run), 4 a batch did not finish.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use crate::atlassian::fetch::{FetchOptions, fetch_directory};
use crate::cli::GlobalArgs;
use crate::commands::apply::{Session, execute};
use crate::commands::{Exit, connect, export};
use crate::config::Rule;
use crate::domain::Directory;
use crate::exec::{Journal, SharedJournal};
use crate::plan::{PlanContext, SeatEffect};
use crate::rules::run::{self, Preview, Report};
use crate::rules::{Actor, Clock, LiveTransport, Row, RulesStore};
use anyhow::Context;
use chrono::{DateTime, Utc};

pub use crate::cli::{RulesAction, RulesArgs};

macro_rules! say {
    ($($arg:tt)*) => {
        crate::output::note(format!($($arg)*))
    };
}

fn out(text: &str) -> anyhow::Result<()> {
    let mut o = crate::output::stdout();
    std::io::Write::write_all(&mut o, text.as_bytes())?;
    std::io::Write::flush(&mut o)?;
    Ok(())
}

fn money(e: &SeatEffect) -> String {
    format!(
        "{} seats, {} {:.2} a month",
        e.seats_freed(),
        e.currency,
        e.monthly_saving
    )
}

fn day(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "never".into())
}

fn who(r: &Row) -> String {
    format!(
        "{} <{}>",
        r.name.as_deref().unwrap_or(&r.account_id),
        r.email.as_deref().unwrap_or(&r.account_id)
    )
}

/// The preview of one rule, as `seats rules` prints it.
pub fn preview_text(rule: &Rule, p: &Preview, now: DateTime<Utc>) -> String {
    let d = &p.decisions;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Rule {:?}: {} ({}), grace {} days, cap {} a run, channels: {}",
        rule.name,
        rule.query,
        rule.action.as_str(),
        rule.grace_days,
        rule.cap,
        rule.channels
            .iter()
            .map(|c| c.label())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        s,
        "  next run warns {} users (would free {} once reclaimed){}",
        d.to_warn.len(),
        money(&p.warn_effect),
        if d.over_cap > 0 {
            format!("; {} more wait for later runs (cap)", d.over_cap)
        } else {
            String::new()
        }
    );
    for r in d.to_warn.iter().take(20) {
        let _ = writeln!(
            s,
            "    warn  {}  last active {}",
            who(r),
            day(r.last_active)
        );
    }
    let _ = writeln!(
        s,
        "  in grace: {} users (would free {})",
        d.in_grace.len(),
        money(&p.grace_effect)
    );
    for r in d.in_grace.iter().take(20) {
        let _ = writeln!(
            s,
            "    grace {}  warned {}, until {}",
            who(r),
            day(r.warned_at),
            r.deadline
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default()
        );
    }
    let _ = writeln!(
        s,
        "  due now, reclaimed by the next run: {} users (frees {})",
        d.to_reclaim.len(),
        money(&p.due_effect)
    );
    for r in d.to_reclaim.iter().take(20) {
        let _ = writeln!(s, "    due   {}  deadline {}", who(r), day(r.deadline));
    }
    if !d.transitions.is_empty() {
        let _ = writeln!(
            s,
            "  the next run also records {} changes of state:",
            d.transitions.len()
        );
        for (r, event) in d.transitions.iter().take(20) {
            let _ = writeln!(
                s,
                "    {}  {}{}",
                event.trim_start_matches("rule_"),
                who(r),
                r.evidence
                    .as_deref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            );
        }
    }
    let _ = writeln!(s, "  (as of {})", now.format("%Y-%m-%d %H:%M UTC"));
    s
}

pub async fn run(global: &GlobalArgs, args: RulesArgs) -> anyhow::Result<()> {
    let (client, conn, _, config) = connect::client(global)?;
    let rules: Vec<Rule> = config
        .rules
        .iter()
        .filter(|r| args.rule.as_deref().is_none_or(|n| n == r.name))
        .cloned()
        .collect();
    if rules.is_empty() {
        match &args.rule {
            Some(n) => anyhow::bail!("no rule named {n:?} in config.toml"),
            None => {
                say!(
                    "no [[rules]] in config.toml: see the example in assets/config.toml (or the README)"
                );
                return Ok(());
            }
        }
    }
    let org_id = conn.org_id.clone().context(
        "no org id: pass --org-id (admin.atlassian.com/o/<org id>/...) or run `seats login`",
    )?;
    let admin = conn
        .admin_url
        .as_deref()
        .and_then(|u| crate::atlassian::http::admin_base(u).ok());
    let clock = Clock::for_admin_url(admin.as_ref());
    let acting = matches!(args.action, Some(RulesAction::Run { .. }));
    let dry_run = global.dry_run || args.dry_run();
    let data =
        crate::paths::data_dir().context("no data directory: set HOME, or SEATS_DATA_DIR")?;
    crate::output::create_private_dir(&data)?;
    // Two runs at once (cron overlapping a slow run) must not both act. The OS drops the lock
    // with the process, kill -9 included.
    let _lock = if acting && !dry_run {
        let path = data.join("rules.lock");
        let file = crate::output::open_private_append(&path)
            .with_context(|| format!("could not open the lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Some(file),
            Err(std::fs::TryLockError::WouldBlock) => {
                say!("another `seats rules run` is running: this one does nothing");
                return Ok(());
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).context("could not take the rules lock");
            }
        }
    } else {
        None
    };
    let opts = FetchOptions {
        progress: export::progress_printer(),
        page_size: config.api.page_size,
        ..FetchOptions::everything()
    };
    let now = clock.now().await;
    let mut dir: Directory = fetch_directory(&client, &org_id, opts).await?;
    // Inactivity is counted to the clock's now (the sandbox's virtual time in tests).
    dir.fetched_at = now;
    let db = data.join(crate::store::FILE_NAME);
    let mut store = RulesStore::open(&db)?;
    if !dry_run {
        crate::rules::savings::record_snapshot(store.connection(), &dir)?;
    }
    let myself: Vec<&str> = conn.email.as_deref().into_iter().collect();
    let ctx = PlanContext::new(&config, &myself);
    let transport = LiveTransport::new(client.clone());

    if !acting || dry_run {
        let mut text = String::new();
        for rule in &rules {
            let rows = store.latest(&rule.name)?;
            let comments = run::comments_for(rule, &transport).await.map_err(|e| {
                anyhow::anyhow!(
                    "rule {:?}: reading the review issue's comments: {e}",
                    rule.name
                )
            })?;
            let p = run::preview(rule, &dir, &ctx, &rows, &comments, now)?;
            text.push_str(&preview_text(rule, &p, now));
        }
        if dry_run {
            text.push_str("Dry run: nothing was sent, recorded or changed.\n");
        }
        return out(&text);
    }

    let session = Session::connect(global)?;
    let actor = Actor {
        operator: session.operator.clone(),
        profile: session.profile.clone(),
        org_id: org_id.clone(),
        dry_run: false,
    };
    let journal = Journal::open(&db)?;
    let shared: SharedJournal = Arc::new(Mutex::new(journal));
    let mut worst = 0u8;
    let mut text = String::new();
    let mut env = run::RunEnv {
        store: &mut store,
        transport: &transport,
        client: &client,
        dir: &dir,
        ctx: &ctx,
        actor: &actor,
        profile: session.profile.clone(),
        admission: session.admission,
        journal: shared.clone(),
        now,
    };
    for rule in &rules {
        let (report, code) = run::run_rule(&mut env, rule, async |batch| {
            say!("rule {:?}: batch {batch}", rule.name);
            execute(&session, shared.clone(), batch).await
        })
        .await?;
        worst = worst.max(code);
        text.push_str(&report_text(rule, &report));
    }
    out(&text)?;
    if worst == 0 {
        Ok(())
    } else {
        Err(Exit(worst).into())
    }
}

/// What a run did for one rule.
pub fn report_text(rule: &Rule, r: &Report) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (_, e) in &r.transitions {
        *counts.entry(e.trim_start_matches("rule_")).or_default() += 1;
    }
    let mut s = format!(
        "rule {:?}: warned {}, notice failures {} (retried next run)",
        rule.name, r.warned, r.notice_failures
    );
    for (e, n) in counts {
        let _ = write!(s, ", {e} {n}");
    }
    if let Some((b, n)) = r.reclaim_batch {
        let _ = write!(s, ", batch {b} reclaimed {n} users");
    }
    if r.over_cap > 0 {
        let _ = write!(s, ", {} left for later runs (cap)", r.over_cap);
    }
    s.push('\n');
    s
}
