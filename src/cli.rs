//! Command line: subcommands and global flags (clap), then dispatch to `commands`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands;

#[derive(Debug, Parser)]
#[command(
    name = "seats",
    version,
    about = "Find the Atlassian Cloud seats nobody uses and take them back safely"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    /// Without a subcommand, seats opens the console on the active profile.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Connection settings that override the active profile.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// Profile to use (default: the profile marked default in config.toml).
    #[arg(long, global = true, env = "SEATS_PROFILE")]
    pub profile: Option<String>,
    /// Base URL of the Organizations admin API (default https://api.atlassian.com).
    #[arg(long, global = true, value_name = "URL")]
    pub admin_url: Option<String>,
    /// Base URL of the Jira and Confluence site, e.g. https://example.atlassian.net.
    #[arg(long, global = true, value_name = "URL")]
    pub site_url: Option<String>,
    /// Organization id (admin.atlassian.com/o/<org id>/...).
    #[arg(long, global = true, value_name = "ID")]
    pub org_id: Option<String>,
    /// Email of the Atlassian account that owns the site API token.
    #[arg(long, global = true, value_name = "EMAIL")]
    pub email: Option<String>,
    /// Open the local snapshot without touching the network.
    #[arg(long, global = true)]
    pub offline: bool,
    /// Show and save what a batch would do instead of doing it.
    #[arg(long, global = true)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the console on a simulated Atlassian Cloud org: no account or credentials needed.
    Demo(DemoArgs),
    /// Print seats per product and the idle seat holders with their cost (no terminal needed).
    Report(ReportArgs),
    /// Serve a simulated Atlassian Cloud org (admin, user management, Jira and Confluence APIs) on 127.0.0.1.
    Sandbox(SandboxArgs),
    /// Show the profile in use, the org, seats per product and whether each API answers.
    Status,
    /// Export users, groups or seats as CSV or JSON.
    Export(ExportArgs),
    /// Store credentials for a profile: settings in config.toml, secrets in the OS keyring.
    Login(LoginArgs),
    /// Remove a profile's secrets from the OS keyring.
    Logout(LogoutArgs),
    /// List profiles and which secrets each has (never their values).
    Profiles,
    /// Run a plan file with the journal and the audit log; finish an interrupted batch.
    #[command(
        after_help = "Exit codes: 0 every item done or skipped with its reason (or a dry run); \
                      3 some item failed (seats apply --retry-failed BATCH queues them again); \
                      4 the batch did not finish (cancelled, stopped by an error, or not confirmed; \
                      seats apply --resume finishes it); 1 the plan was refused."
    )]
    Apply(ApplyArgs),
    /// List past batches and their items; export them as CSV or JSON.
    History(HistoryArgs),
    /// Write the plan that undoes a batch, for review and `seats apply`.
    Undo(UndoArgs),
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Number of users in the simulated org.
    #[arg(long, default_value_t = 2000)]
    pub users: usize,
    /// Seed of the simulated org: the same seed gives the same org.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Requests a minute per API family the simulated org allows; 0 = no limit.
    #[arg(long, default_value_t = 0)]
    pub rate_limit: u32,
    /// Added latency per request to the simulated org, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
}

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Report on a simulated org started in-process instead of the profile's org.
    #[arg(long)]
    pub demo: bool,
    /// With --demo: number of users in the simulated org.
    #[arg(long, default_value_t = 2000, requires = "demo")]
    pub users: usize,
    /// With --demo: seed of the simulated org.
    #[arg(long, default_value_t = 7, requires = "demo")]
    pub seed: u64,
}

#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1 (0 picks a free port).
    #[arg(long, default_value_t = 8990)]
    pub port: u16,
    /// Number of users in the simulated org.
    #[arg(long, default_value_t = 2000)]
    pub users: usize,
    /// Seed of the simulated org: the same seed gives the same org.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Organization id.
    #[arg(long, default_value = crate::sandbox::DEFAULT_ORG_ID)]
    pub org_id: String,
    /// Org API key the admin and user management APIs accept (Bearer).
    #[arg(long, default_value = crate::sandbox::DEFAULT_ORG_API_KEY)]
    pub org_api_key: String,
    /// Email the Jira and Confluence APIs accept (basic auth).
    #[arg(long, default_value = crate::sandbox::DEFAULT_SITE_EMAIL)]
    pub site_email: String,
    /// API token the Jira and Confluence APIs accept (basic auth).
    #[arg(long, default_value = crate::sandbox::DEFAULT_SITE_TOKEN)]
    pub site_token: String,
    /// Requests a minute per API family (admin, user management, Jira, Confluence); 0 = no limit.
    #[arg(long, default_value_t = 0)]
    pub rate_limit: u32,
    /// Share of requests (0.0 to 1.0) answered with a 5xx or a dropped connection.
    #[arg(long, default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Added latency per request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportWhat {
    Users,
    Groups,
    Seats,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ExportFormat {
    #[default]
    Csv,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// What to export.
    pub what: ExportWhat,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Only users inactive (or never active) for at least N days in some product.
    #[arg(long, value_name = "N")]
    pub inactive_days: Option<u32>,
    /// Only this product (e.g. jira-software, jira-servicedesk, confluence).
    #[arg(long, value_name = "KEY")]
    pub product: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct LoginArgs {
    /// Read the org API key from the first line of standard input.
    #[arg(long)]
    pub org_api_key_stdin: bool,
    /// Read the site API token from standard input (the second line when the org key comes first).
    #[arg(long)]
    pub site_token_stdin: bool,
    /// Make this profile the default one.
    #[arg(long)]
    pub default: bool,
}

#[derive(Debug, Clone, Args)]
pub struct LogoutArgs {}

/// Exit codes of `seats apply`: 0 every item done or skipped with its reason, 3 some item
/// failed, 4 the batch did not finish (cancelled, stopped by an error, or not confirmed), 1 the
/// plan was refused (another org, no terminal to confirm on, an unreadable file).
#[derive(Debug, Clone, Args)]
pub struct ApplyArgs {
    /// The plan file to run (written by `seats plan`, the console's :write or `seats undo`).
    #[arg(
        required_unless_present_any = ["resume", "retry_failed"],
        conflicts_with_all = ["resume", "retry_failed"]
    )]
    pub file: Option<PathBuf>,
    /// Apply without asking (needed without a terminal).
    #[arg(long)]
    pub yes: bool,
    /// Finish the batches a crash or a stop left unfinished.
    #[arg(long, conflicts_with = "retry_failed")]
    pub resume: bool,
    /// With --resume: only this batch.
    #[arg(long, requires = "resume", value_name = "BATCH")]
    pub batch: Option<i64>,
    /// Queue the failed (and cancelled) items of BATCH again, as a new batch.
    #[arg(long, value_name = "BATCH")]
    pub retry_failed: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum HistoryFormat {
    /// A readable table.
    #[default]
    Table,
    /// One row per item, with its batch's columns.
    Csv,
    /// Batches with their items.
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct HistoryArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = HistoryFormat::Table)]
    pub format: HistoryFormat,
    /// Only this batch (the table then lists its items).
    #[arg(long, value_name = "BATCH")]
    pub batch: Option<i64>,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct UndoArgs {
    /// The batch to undo (see `seats history`).
    pub batch: i64,
    /// Where to write the undo plan (default: seats-undo-batch-N.json here).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Parses the command line, runs the command and maps errors to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::logging::install_panic_hook();
    let _log_guard = crate::logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: could not start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        // `seats export users | head`: the reader has all it wants; not an error.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        // A command that already said what happened and only has an exit code left to give.
        Err(err) if err.downcast_ref::<commands::Exit>().is_some() => err
            .downcast_ref::<commands::Exit>()
            .map_or(ExitCode::FAILURE, |e| ExitCode::from(e.0)),
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
