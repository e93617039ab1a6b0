//! Export benchmark: `seats export users` against a 42,000-user sandbox limited to 1,000
//! requests a minute per API family. Prints the requests made and the wall time as a ratio of
//! the minimum the limit allows (420 requests at 1,000 a minute = 25.2 s).
//!
//! Run: `cargo bench --bench export` (SEATS_BENCH_USERS and SEATS_BENCH_RATE override the size
//! and the limit). One timed run, not criterion's repeated samples: a single run already takes
//! the time the rate limit dictates. Under `cargo test` it does nothing.

use std::time::Instant;

use seats::atlassian::fetch::{FetchOptions, fetch_directory};
use seats::atlassian::{Client, Connection, Secret};
use seats::cli::{ExportArgs, ExportFormat, ExportWhat};
use seats::commands::export::write_export;
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
    let users = env_num("SEATS_BENCH_USERS", 42_000) as usize;
    let rate = env_num("SEATS_BENCH_RATE", 1_000) as u32;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let cfg = SandboxConfig {
            users,
            rate_limit_per_minute: rate,
            ..SandboxConfig::default()
        };
        let sb = start(cfg.clone()).await?;
        let conn = Connection {
            admin_url: Some(sb.base_url()),
            site_url: Some(sb.site_url()),
            org_id: Some(sb.org_id()),
            email: Some(cfg.site_email.clone()),
            org_api_key: Some(Secret::new(cfg.org_api_key.clone())),
            site_token: Some(Secret::new(cfg.site_token.clone())),
        };
        let client = Client::new(&conn)?;
        let started = Instant::now();
        let dir = fetch_directory(&client, &sb.org_id(), FetchOptions::default()).await?;
        let args = ExportArgs {
            what: ExportWhat::Users,
            format: ExportFormat::Json,
            output: None,
            inactive_days: None,
            product: None,
            filter: None,
            connection: Default::default(),
        };
        let mut out = Vec::new();
        write_export(&mut out, &dir, &args)?;
        let wall = started.elapsed().as_secs_f64();
        let stats = client.stats();
        println!("users exported        {}", dir.users.len());
        println!("export size           {:.1} MB", out.len() as f64 / 1e6);
        println!(
            "requests sent         {} (retries {}, 429s {}, failed {})",
            stats.sent, stats.retries, stats.rate_limited, stats.failed
        );
        println!("wall time             {wall:.2} s");
        if rate > 0 {
            let per_sec = f64::from(rate) / 60.0;
            let needed = (dir.users.len() as f64 / 100.0).ceil();
            // The limit's own figure (requests / rate), and the strict floor after the
            // sandbox's one-second burst.
            let minimum = needed / per_sec;
            let floor = (needed - per_sec.max(1.0)).max(0.0) / per_sec;
            println!("needed requests       {needed}");
            println!(
                "minimum at {rate}/min   {minimum:.2} s (strict floor after the burst {floor:.2} s)"
            );
            println!(
                "ratio                 {:.3} of the minimum ({:.3} of the floor)",
                wall / minimum,
                wall / floor.max(f64::EPSILON)
            );
        }
        sb.shutdown().await;
        anyhow::Ok(())
    })
}
