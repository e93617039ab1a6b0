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
        clock_start: args.clock,
    };
    // Fake sandbox credentials: printing them is the point.
    let credentials = (
        cfg.org_id.clone(),
        cfg.org_api_key.clone(),
        cfg.site_email.clone(),
        cfg.site_token.clone(),
    );
    // Listen for the stop signals before telling anyone where we are: no window where a
    // signal would kill the process without a clean shutdown.
    let stop = stop_signal()?;
    let server = sandbox::start(cfg).await?;
    let base = server.base_url();
    let (org_id, org_api_key, site_email, site_token) = credentials;
    let banner = format!(
        "seats sandbox listening on {base}\n\
         org id:       {org_id}\n\
         directory id: {}\n\
         org API key:  {org_api_key}   (Authorization: Bearer, for {base}/admin and {base}/users)\n\
         site:         {base}   (Jira /rest, Confluence /wiki; cloud id {})\n\
         site login:   {site_email} / {site_token}   (basic auth)\n\
         clock:        {}   (virtual; GET/POST {base}/_sandbox/clock)\n\
         Stop with Ctrl-C.\n",
        server.directory_id(),
        server.cloud_id(),
        server
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    );
    // A reader that goes away (a closed pipe) must not stop the server.
    let mut out = crate::output::stdout();
    if let Err(err) = out.write_all(banner.as_bytes()).and_then(|()| out.flush()) {
        tracing::warn!("could not print the sandbox banner: {err}");
    }
    drop(out);
    stop.await;
    tracing::info!("sandbox stopping");
    server.shutdown().await;
    Ok(())
}

/// `--clock START`, parsed where the flag is defined (`cli`).
pub use crate::cli::parse_clock;

/// Resolves on SIGINT or SIGTERM (Ctrl-C elsewhere); the handlers are installed at once. The
/// caller owns Ctrl-C from then on: the status line's watcher no longer exits on it.
#[cfg(unix)]
pub(crate) fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    crate::output::claim_interrupts();
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

#[cfg(not(unix))]
pub(crate) fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    crate::output::claim_interrupts();
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
