//! `seats report`: what could be reclaimed, printed, for any profile or (`--demo`) a simulated
//! org started in-process.
//!
//! With `--demo` it fetches the sandbox through the real client (the same code path as a real
//! org) and keeps serving so the other commands can be tried against it until Ctrl-C (or, with
//! no terminal on standard input, until that input ends).

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};

use chrono::SecondsFormat;
use serde::Serialize;

use crate::atlassian::fetch::{FetchOptions, fetch_directory};
use crate::atlassian::{Client, Connection, Secret};
use crate::cli::{GlobalArgs, ReportArgs, ReportFormat};
use crate::config::Config;
use crate::domain::{Directory, IdleSeats, idle_seats};
use crate::output::words::{money, plural, thousands};
use crate::sandbox::{self, SandboxConfig};

pub async fn run(global: &GlobalArgs, args: ReportArgs) -> anyhow::Result<()> {
    if let Some(since) = args.since {
        return run_since(global, since);
    }
    if !args.demo {
        return profile_report(global, args.format).await;
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
        "seats report --demo: a simulated org of {} on {base}",
        plural(args.users, "account")
    ));
    let client = Client::with_options(&conn, super::connect::client_options(&config))?;
    let dir = fetch_with_progress(&client, &server.org_id(), &config).await?;
    let try_it = format!(
        "Try the other commands against this org from another terminal while this runs:\n  \
         export SEATS_ORG_API_KEY={key} SEATS_SITE_API_TOKEN={token}\n  \
         seats --admin-url {base} --site-url {base} --org-id {org} --email {email} status\n  \
         seats --admin-url {base} --site-url {base} --org-id {org} --email {email} export users --inactive-days 90\n\
         Press Ctrl-C to stop.\n",
        org = server.org_id(),
    );
    let mut out = crate::output::stdout();
    out.write_all(render(&dir, &config, args.format)?.as_bytes())?;
    if args.format == ReportFormat::Table {
        out.write_all(try_it.as_bytes())?;
    } else {
        // Standard output is the data: the invitation goes to standard error.
        crate::output::note(try_it.trim_end());
    }
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
async fn profile_report(global: &GlobalArgs, format: ReportFormat) -> anyhow::Result<()> {
    let (client, conn, _, config) = super::connect::client(global)?;
    let org_id = conn.org_id.clone().ok_or_else(|| {
        anyhow::anyhow!(
            "no org id: pass --org-id (admin.atlassian.com/o/<org id>/...) or run `seats login`; \
             `seats report --demo` reports on a simulated org"
        )
    })?;
    let dir = fetch_with_progress(&client, &org_id, &config).await?;
    let mut out = crate::output::stdout();
    out.write_all(render(&dir, &config, format)?.as_bytes())?;
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

/// The report in the chosen format. A product without a configured price counts at 0 and is
/// named in a note (the table's footer, `price_configured: false` in JSON and CSV).
pub fn render(dir: &Directory, config: &Config, format: ReportFormat) -> anyhow::Result<String> {
    let rows = idle_seats(dir, |p| config.inactivity_days(p), |p| config.prices.of(p));
    let currency = &config.prices.currency;
    Ok(match format {
        ReportFormat::Table => summary(dir, &rows, currency),
        ReportFormat::Json => {
            let report = Report::of(dir, &rows, currency);
            let mut s = serde_json::to_string_pretty(&report)?;
            s.push('\n');
            s
        }
        ReportFormat::Csv => {
            let report = Report::of(dir, &rows, currency);
            let mut w = csv::Writer::from_writer(Vec::new());
            for p in &report.products {
                w.serialize(p)?;
            }
            if report.products.is_empty() {
                // Headers even when no product is held: a script's reader still finds its columns.
                w.write_record(ReportRow::HEADERS)?;
            }
            String::from_utf8(w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?
        }
    })
}

/// The report for scripts (JSON).
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub org_id: &'a str,
    /// RFC 3339; inactivity is counted from here.
    pub fetched_at: String,
    pub users: usize,
    pub currency: &'a str,
    /// Idle seats' cost a month over every product, unpriced ones at 0.
    pub idle_cost_per_month: f64,
    /// Product keys without a price in [prices.per_user_month] (counted at 0).
    pub unpriced_products: Vec<&'a str>,
    pub products: Vec<ReportRow<'a>>,
}

/// One product of the report; the CSV's row (snake_case headers, in this order).
#[derive(Debug, Serialize)]
pub struct ReportRow<'a> {
    pub product: &'a str,
    pub name: &'a str,
    /// Seats in use by the licence figures; empty when Atlassian gave none.
    pub seats_used: Option<u64>,
    /// The licence's limit; empty when unlimited or unknown.
    pub seats_limit: Option<u64>,
    pub holders: u64,
    pub idle: u64,
    pub never_active: u64,
    pub threshold_days: u32,
    /// Empty (CSV) or null (JSON) when no price is configured.
    pub price_per_user_month: Option<f64>,
    pub price_configured: bool,
    /// Unpriced products count at 0.
    pub idle_cost_per_month: f64,
    pub currency: &'a str,
}

impl ReportRow<'_> {
    const HEADERS: [&'static str; 12] = [
        "product",
        "name",
        "seats_used",
        "seats_limit",
        "holders",
        "idle",
        "never_active",
        "threshold_days",
        "price_per_user_month",
        "price_configured",
        "idle_cost_per_month",
        "currency",
    ];
}

impl<'a> Report<'a> {
    pub fn of(dir: &'a Directory, rows: &'a [IdleSeats], currency: &'a str) -> Report<'a> {
        let products: Vec<ReportRow> = rows
            .iter()
            .map(|row| {
                let seats = dir.seats.iter().find(|s| s.product.key == row.product);
                ReportRow {
                    product: &row.product,
                    name: &row.name,
                    seats_used: seats.map(|s| s.used),
                    seats_limit: seats.and_then(|s| s.limit),
                    holders: row.holders,
                    idle: row.idle,
                    never_active: row.never_active,
                    threshold_days: row.threshold_days,
                    price_per_user_month: row.price,
                    price_configured: row.price.is_some(),
                    idle_cost_per_month: cents(row.monthly_cost().unwrap_or(0.0)),
                    currency,
                }
            })
            .collect();
        Report {
            org_id: &dir.org_id,
            fetched_at: dir.fetched_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            users: dir.users.len(),
            currency,
            idle_cost_per_month: cents(products.iter().map(|p| p.idle_cost_per_month).sum()),
            unpriced_products: rows
                .iter()
                .filter(|r| r.price.is_none())
                .map(|r| r.product.as_str())
                .collect(),
            products,
        }
    }
}

/// Rounded to cents, so 19.04 × 3 is 57.12 in JSON rather than 57.120000000000005.
fn cents(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}

/// The reclaim table: seats per product, idle holders and what they cost a month.
pub fn summary(dir: &Directory, rows: &[IdleSeats], currency: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n{} fetched at {} (inactivity counted from then)\n",
        plural(dir.users.len(), "user"),
        dir.fetched_at.format("%Y-%m-%d %H:%M UTC")
    );
    let _ = writeln!(
        s,
        "{:<28} {:>15} {:>8} {:>10} {:>8} {:>18}",
        "product", "seats/limit", "holders", "idle", "never", "idle cost/month"
    );
    let mut total = 0.0;
    let mut unpriced = Vec::new();
    for row in rows {
        let seats = dir.seats.iter().find(|s| s.product.key == row.product);
        let seats = match seats {
            Some(s) => match s.limit {
                Some(limit) => format!(
                    "{}/{}",
                    thousands(s.used as usize),
                    thousands(limit as usize)
                ),
                None => thousands(s.used as usize),
            },
            None => "-".into(),
        };
        let cost = match row.monthly_cost() {
            Some(c) => {
                total += c;
                money(currency, c)
            }
            None => {
                unpriced.push(format!("{} ({})", row.name, row.product));
                format!("{} *", money(currency, 0.0))
            }
        };
        let _ = writeln!(
            s,
            "{:<28} {:>15} {:>8} {:>10} {:>8} {:>18}",
            row.name,
            seats,
            thousands(row.holders as usize),
            format!("{} ≥{}d", thousands(row.idle as usize), row.threshold_days),
            thousands(row.never_active as usize),
            cost
        );
    }
    if !unpriced.is_empty() {
        let _ = writeln!(
            s,
            "\n* No price configured for {}: counted at {}. Set it under [prices.per_user_month] \
             in config.toml (e.g. {} = 10.00).",
            unpriced.join(", "),
            money(currency, 0.0),
            rows.iter()
                .find(|r| r.price.is_none())
                .map_or("loom", |r| r.product.as_str())
        );
    }
    let _ = writeln!(
        s,
        "\nIdle seats cost up to {} a month. Inactivity is a signal for review, not\n\
         proof: activity lags up to 24 hours and API use does not count. Removing users gives no\n\
         mid-cycle credit: savings land at the end of the billing cycle, and annual plans are sold\n\
         in user tiers.\n",
        money(currency, total)
    );
    s
}

/// `seats report --since DATE`: from the local database, no network.
fn run_since(global: &crate::cli::GlobalArgs, since: chrono::NaiveDate) -> anyhow::Result<()> {
    use anyhow::Context;
    let config = crate::config::load()?;
    let resolved = crate::commands::connect::resolve_each(global, &config)?;
    let org_id = resolved.connection.org_id.context(
        "no org id: pass --org-id (admin.atlassian.com/o/<org id>/...) or run `seats login`",
    )?;
    let data =
        crate::paths::data_dir().context("no data directory: set HOME, or SEATS_DATA_DIR")?;
    let store = crate::rules::RulesStore::open(&data.join(crate::store::FILE_NAME))?;
    let (seats, months, currency) =
        crate::store::savings::history(store.connection(), &org_id, since)?;
    let text = crate::rules::savings::report_text(&seats, &months, &currency, since);
    let mut out = crate::output::stdout();
    std::io::Write::write_all(&mut out, text.as_bytes())?;
    std::io::Write::flush(&mut out)?;
    Ok(())
}
