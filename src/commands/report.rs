//! `seats report`: what could be reclaimed, printed, for any profile or (`--demo`) a simulated
//! org started in-process.
//!
//! With `--demo` it fetches the sandbox through the real client (the same code path as a real
//! org) and keeps serving so the other commands can be tried against it until Ctrl-C (or, with
//! no terminal on standard input, until that input ends).

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};

use crate::atlassian::fetch::{FetchOptions, fetch_directory};
use crate::atlassian::{Client, Connection, Secret};
use crate::cli::{GlobalArgs, ReportArgs};
use crate::domain::{Directory, IdleSeats, idle_seats};
use crate::sandbox::{self, SandboxConfig};

pub async fn run(global: &GlobalArgs, args: ReportArgs) -> anyhow::Result<()> {
    if let Some(since) = args.since {
        return crate::rules::savings::run_since(global, since);
    }
    if !args.demo {
        return profile_report(global).await;
    }
    // The demo reads thresholds and prices from the admin's config when there is one.
    let config = crate::config::load()?;
    let stop = super::sandbox::stop_signal()?;
    let cfg = SandboxConfig {
        users: args.users,
        seed: args.seed,
        ..SandboxConfig::default()
    };
    let (key, email, token) = (
        cfg.org_api_key.clone(),
        cfg.site_email.clone(),
        cfg.site_token.clone(),
    );
    let server = sandbox::start(cfg).await?;
    let base = server.base_url();
    let conn = Connection {
        admin_url: Some(base.clone()),
        site_url: Some(server.site_url()),
        org_id: Some(server.org_id()),
        email: Some(email.clone()),
        org_api_key: Some(Secret::new(key.clone())),
        site_token: Some(Secret::new(token.clone())),
    };
    crate::output::note(format!(
        "seats report --demo: a simulated org of {} accounts on {base}",
        args.users
    ));
    let client = Client::with_options(&conn, super::connect::client_options(&config))?;
    let dir = fetch_with_progress(&client, &server.org_id(), &config).await?;
    let rows = idle_seats(
        &dir,
        |p| config.inactivity_days(p),
        |p| config.prices.per_user_month.get(p).copied(),
    );
    let try_it = format!(
        "Try the other commands against this org from another terminal while this runs:\n  \
         export SEATS_ORG_API_KEY={key} SEATS_SITE_API_TOKEN={token}\n  \
         seats --admin-url {base} --site-url {base} --org-id {org} --email {email} status\n  \
         seats --admin-url {base} --site-url {base} --org-id {org} --email {email} export users --inactive-days 90\n\
         Press Ctrl-C to stop.\n",
        org = server.org_id(),
    );
    let mut out = crate::output::stdout();
    out.write_all(summary(&dir, &rows, &config.prices.currency).as_bytes())?;
    out.write_all(try_it.as_bytes())?;
    out.flush()?;
    drop(out);
    // Without a terminal to press Ctrl-C in (a script, cron, CI), serve only while standard
    // input stays open: `< /dev/null` prints the report and exits.
    if std::io::stdin().is_terminal() {
        stop.await;
    } else {
        tokio::select! {
            _ = stop => {}
            _ = stdin_closed() => {}
        }
    }
    server.shutdown().await;
    Ok(())
}

/// Resolves when standard input reaches its end. The read blocks, so it runs on a thread of
/// its own that the process does not wait for.
async fn stdin_closed() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        let _ = tx.send(());
    });
    let _ = rx.await;
}

/// `seats report` on the profile's org: the table, then exit.
async fn profile_report(global: &GlobalArgs) -> anyhow::Result<()> {
    let (client, conn, _, config) = super::connect::client(global)?;
    let org_id = conn.org_id.clone().ok_or_else(|| {
        anyhow::anyhow!(
            "no org id: pass --org-id (admin.atlassian.com/o/<org id>/...) or run `seats login`; \
             `seats report --demo` reports on a simulated org"
        )
    })?;
    let dir = fetch_with_progress(&client, &org_id, &config).await?;
    let rows = idle_seats(
        &dir,
        |p| config.inactivity_days(p),
        |p| config.prices.per_user_month.get(p).copied(),
    );
    let mut out = crate::output::stdout();
    out.write_all(summary(&dir, &rows, &config.prices.currency).as_bytes())?;
    out.flush()?;
    Ok(())
}

/// The whole directory with a progress line on standard error when it is a terminal.
async fn fetch_with_progress(
    client: &Client,
    org_id: &str,
    config: &crate::config::Config,
) -> anyhow::Result<Directory> {
    // The export's status line: drawn only on a terminal, ended by Ctrl-C too.
    let progress = super::export::progress_printer();
    let opts = FetchOptions {
        progress,
        page_size: config.api.page_size,
        ..FetchOptions::everything()
    };
    Ok(fetch_directory(client, org_id, opts).await?)
}

/// The reclaim table: seats per product, idle holders and what they cost a month.
pub fn summary(dir: &Directory, rows: &[IdleSeats], currency: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n{} users fetched at {} (inactivity counted from then)\n",
        dir.users.len(),
        dir.fetched_at.format("%Y-%m-%d %H:%M UTC")
    );
    let _ = writeln!(
        s,
        "{:<28} {:>13} {:>8} {:>10} {:>8} {:>18}",
        "product", "seats/limit", "holders", "idle", "never", "idle cost/month"
    );
    let mut total = 0.0;
    for row in rows {
        let seats = dir.seats.iter().find(|s| s.product.key == row.product);
        let seats = match seats {
            Some(s) => match s.limit {
                Some(limit) => format!("{}/{}", s.used, limit),
                None => s.used.to_string(),
            },
            None => "-".into(),
        };
        let cost = match row.monthly_cost() {
            Some(c) => {
                total += c;
                format!("{c:.2} {currency}")
            }
            None => "no price set".into(),
        };
        let _ = writeln!(
            s,
            "{:<28} {:>13} {:>8} {:>10} {:>8} {:>18}",
            row.name,
            seats,
            row.holders,
            format!("{} ≥{}d", row.idle, row.threshold_days),
            row.never_active,
            cost
        );
    }
    let _ = writeln!(
        s,
        "\nIdle seats cost up to {total:.2} {currency} a month. Inactivity is a signal for review, not\n\
         proof: activity lags up to 24 hours and API use does not count. Removing users gives no\n\
         mid-cycle credit: savings land at the end of the billing cycle, and annual plans are sold\n\
         in user tiers.\n"
    );
    s
}
