//! `seats sandbox`: serve the simulated Atlassian Cloud until SIGINT or SIGTERM.

use std::io::Write;

use crate::cli::SandboxArgs;
use crate::sandbox::{self, SandboxConfig};

pub async fn run(args: SandboxArgs) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&args.fail_rate) {
        anyhow::bail!(
            "--fail-rate must be between 0.0 and 1.0, got {}",
            args.fail_rate
        );
    }
    let cfg = SandboxConfig {
        users: args.users,
        seed: args.seed,
        org_id: args.org_id,
        org_api_key: args.org_api_key,
        site_email: args.site_email,
        site_token: args.site_token,
        rate_limit_per_minute: args.rate_limit,
        fail_rate: args.fail_rate,
        latency_ms: args.latency_ms,
        port: args.port,
        record_requests: false,
    };
    // Fake sandbox credentials: printing them is the point.
    let credentials = (
        cfg.org_id.clone(),
        cfg.org_api_key.clone(),
        cfg.site_email.clone(),
        cfg.site_token.clone(),
    );
    let server = sandbox::start(cfg).await?;
    let base = server.base_url();
    let (org_id, org_api_key, site_email, site_token) = credentials;
    let mut out = std::io::stdout().lock();
    writeln!(out, "seats sandbox listening on {base}")?;
    writeln!(out, "org id:       {org_id}")?;
    writeln!(out, "directory id: {}", server.directory_id())?;
    writeln!(
        out,
        "org API key:  {org_api_key}   (Authorization: Bearer, for {base}/admin and {base}/users)"
    )?;
    writeln!(
        out,
        "site:         {base}   (Jira /rest, Confluence /wiki; cloud id {})",
        server.cloud_id()
    )?;
    writeln!(
        out,
        "site login:   {site_email} / {site_token}   (basic auth)"
    )?;
    writeln!(out, "Stop with Ctrl-C.")?;
    out.flush()?;
    drop(out);
    wait_for_stop().await?;
    tracing::info!("sandbox stopping");
    server.shutdown().await;
    Ok(())
}

#[cfg(unix)]
async fn wait_for_stop() -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    Ok(())
}

#[cfg(not(unix))]
async fn wait_for_stop() -> anyhow::Result<()> {
    tokio::signal::ctrl_c().await?;
    Ok(())
}
