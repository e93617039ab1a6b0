//! User fetch benchmark: the whole directory of a 42,000-user sandbox that answers every request
//! after 250 ms (a real org's pace), read page by page and then in parallel. Prints both wall
//! times and their ratio (the target is at most 0.35), the requests each made, and whether both
//! read the same users.
//!
//! Run: `cargo bench --bench fetch` (SEATS_BENCH_USERS and SEATS_BENCH_LATENCY_MS override the
//! size and the latency). One timed run of each, not criterion's repeated samples: the
//! sequential run alone takes about 105 s. Under `cargo test` it does nothing.

use std::time::Instant;

use seats::atlassian::fetch::{FetchOptions, UserPaging, fetch_directory};
use seats::atlassian::{Client, Connection, Secret};
use seats::domain::User;
use seats::sandbox::{Sandbox, SandboxConfig, start};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One fetch with a fresh client: its users, wall time in seconds and requests sent.
async fn timed(
    sb: &Sandbox,
    conn: &Connection,
    paging: UserPaging,
) -> anyhow::Result<(Vec<User>, f64, u64)> {
    let client = Client::new(conn)?;
    let opts = FetchOptions {
        paging,
        ..FetchOptions::default()
    };
    let started = Instant::now();
    let dir = fetch_directory(&client, &sb.org_id(), opts).await?;
    Ok((
        dir.users,
        started.elapsed().as_secs_f64(),
        client.stats().sent,
    ))
}

fn main() -> anyhow::Result<()> {
    if !std::env::args().any(|a| a == "--bench") {
        return Ok(());
    }
    let users = env_num("SEATS_BENCH_USERS", 42_000) as usize;
    let latency_ms = env_num("SEATS_BENCH_LATENCY_MS", 250);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let cfg = SandboxConfig {
            users,
            latency_ms,
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
        let (seq_users, seq_wall, seq_sent) = timed(&sb, &conn, UserPaging::Sequential).await?;
        let (par_users, par_wall, par_sent) = timed(&sb, &conn, UserPaging::Parallel).await?;
        println!("accounts in sandbox   {users}, latency {latency_ms} ms a request");
        println!(
            "users fetched         {} sequential, {} parallel",
            seq_users.len(),
            par_users.len()
        );
        println!(
            "same users            {}",
            if seq_users == par_users { "yes" } else { "NO" }
        );
        println!("sequential            {seq_wall:.2} s, {seq_sent} requests");
        println!("parallel              {par_wall:.2} s, {par_sent} requests");
        println!(
            "ratio                 {:.3} (target <= 0.35)",
            par_wall / seq_wall
        );
        sb.shutdown().await;
        anyhow::ensure!(
            seq_users == par_users,
            "the parallel fetch read other users"
        );
        Ok(())
    })
}
