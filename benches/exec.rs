//! Executor benchmark: 2,000 suspensions against a sandbox limited to 1,200 requests a minute
//! per API family, run by the executor with its journal on disk. Prints the throughput as a
//! ratio of the limit (targets: at least 0.9) and the share of requests that met a 429
//! (target: under 2 %).
//!
//! Two ratios are printed: requests (every call the client sent, the re-reads included) and
//! suspensions alone. The executor re-reads its targets ten at a time (the most one user search
//! takes), so suspensions can reach at most 10/11 of the limit.
//!
//! Run: `cargo bench --bench exec` (SEATS_BENCH_STEPS and SEATS_BENCH_RATE override the size
//! and the limit). One timed run, not criterion's repeated samples: a single run already takes
//! the time the rate limit dictates (2,200 requests at 1,200 a minute is 110 s). Under
//! `cargo test` it does nothing.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use seats::atlassian::org::OrgApi;
use seats::atlassian::{Client, Connection, Secret};
use seats::exec::{self, ExecEvent, ExecOptions, Journal, NewBatch, Target};
use seats::plan::{Change, PLAN_FILE_VERSION, PlanFile, Step};
use seats::sandbox::state::AccountType;
use seats::sandbox::{SandboxConfig, start};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    if !std::env::args().any(|a| a == "--bench") {
        return Ok(());
    }
    let steps_wanted = env_num("SEATS_BENCH_STEPS", 2_000) as usize;
    let rate = env_num("SEATS_BENCH_RATE", 1_200) as u32;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let cfg = SandboxConfig {
            users: steps_wanted * 3 / 2 + 200,
            rate_limit_per_minute: rate,
            ..SandboxConfig::default()
        };
        let sb = start(cfg.clone()).await?;
        let steps: Vec<Step> = {
            let shared = sb.shared();
            let state = shared.read();
            state
                .users
                .iter()
                .enumerate()
                .filter(|(ix, u)| {
                    u.account_type == AccountType::Atlassian
                        && u.can_sign_in()
                        && state.platform_roles(*ix as u32).is_empty()
                })
                .take(steps_wanted)
                .map(|(_, u)| Step {
                    account_id: u.account_id.clone(),
                    name: u.name.clone(),
                    email: u.email.clone(),
                    change: Change::Suspend,
                    guard: None,
                })
                .collect()
        };
        anyhow::ensure!(steps.len() == steps_wanted, "only {} targets", steps.len());
        let plan = PlanFile {
            version: PLAN_FILE_VERSION,
            id: None,
            created_at: chrono::Utc::now(),
            org_id: sb.org_id(),
            profile: None,
            query: None,
            steps,
            fetched_at: None,
            held_out: Vec::new(),
            no_ops: Vec::new(),
            keeps: Vec::new(),
            effect: None,
            refusal: None,
            queue: None,
        };
        let conn = Connection {
            admin_url: Some(sb.base_url()),
            org_id: Some(sb.org_id()),
            org_api_key: Some(Secret::new(cfg.org_api_key.clone())),
            ..Connection::default()
        };
        let client = Client::new(&conn)?;
        let dir = tempfile::tempdir()?;
        let mut journal = Journal::open(&dir.path().join("seats.db"))?;
        let meta = NewBatch::from_plan(&plan, "bench".into(), "bench".into(), false);
        // The bench measures the run, not the cap.
        let admission = exec::Admission {
            batch_cap: u32::MAX,
        };
        let batch = exec::submit(&mut journal, &plan, &meta, &admission)?;
        let journal = Arc::new(Mutex::new(journal));
        let target = Arc::new(Target::new(OrgApi::new(client.clone(), sb.org_id())));

        let started = Instant::now();
        let mut running = exec::start(journal, target, batch, ExecOptions::default()).await?;
        let mut counts = None;
        while let Some(ev) = running.events.recv().await {
            if let ExecEvent::Finished { counts: c, .. } = ev {
                counts = Some(c);
            }
        }
        running.task.await??;
        let wall = started.elapsed().as_secs_f64();
        let counts = counts.unwrap_or_default();
        let stats = client.stats();
        let minutes = wall / 60.0;
        let limit = f64::from(rate);
        println!(
            "exec: {} suspensions ({} done, {} failed, {} skipped) in {wall:.1} s at a limit of {rate}/min",
            plan.steps.len(),
            counts.done,
            counts.failed,
            counts.skipped
        );
        println!(
            "requests: {} sent ({} re-reads), {:.0}/min = {:.3} of the limit",
            stats.sent,
            stats.sent.saturating_sub(counts.done),
            stats.sent as f64 / minutes,
            stats.sent as f64 / minutes / limit
        );
        println!(
            "suspensions: {:.0}/min = {:.3} of the limit",
            counts.done as f64 / minutes,
            counts.done as f64 / minutes / limit
        );
        println!(
            "429s: {} of {} requests = {:.2} %",
            stats.rate_limited,
            stats.sent,
            100.0 * stats.rate_limited as f64 / stats.sent.max(1) as f64
        );
        sb.shutdown().await;
        Ok(())
    })
}
