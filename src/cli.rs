//! Command line: subcommands and global flags (clap). `commands::main` parses and dispatches.
//!
//! Long: one clap declaration per subcommand and flag, mostly doc comments that are the
//! `--help` text; split by subcommand, the global flags they share would be read elsewhere.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "seats",
    version,
    about = "Find the Atlassian Cloud seats nobody uses and take them back safely"
)]
pub struct Cli {
    /// Settings for the console (no subcommand); before a subcommand they count as its own.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// Without a subcommand, seats opens the console on the active profile.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The console's settings: the connection, and how it runs. Each subcommand flattens only
/// the part it uses, so `seats sandbox --help` lists no connection flags.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Open the local snapshot without touching the network.
    #[arg(long)]
    pub offline: bool,
    /// Show and save what a batch would do instead of doing it.
    #[arg(long)]
    pub dry_run: bool,
}

/// Connection settings that override the active profile.
#[derive(Debug, Clone, Default, Args)]
pub struct ConnectionArgs {
    /// Profile to use (else SEATS_PROFILE, else the profile marked default in config.toml).
    #[arg(long)]
    pub profile: Option<String>,
    /// Base URL of the Organizations admin API (default https://api.atlassian.com; with or without /admin).
    #[arg(long, value_name = "URL")]
    pub admin_url: Option<String>,
    /// Base URL of the Jira and Confluence site, e.g. https://example.atlassian.net.
    #[arg(long, value_name = "URL")]
    pub site_url: Option<String>,
    /// Organization id (admin.atlassian.com/o/<org id>/...).
    #[arg(long, value_name = "ID")]
    pub org_id: Option<String>,
    /// Email of the Atlassian account that owns the site API token.
    #[arg(long, value_name = "EMAIL")]
    pub email: Option<String>,
}

impl ConnectionArgs {
    /// These flags (given after the subcommand) over `outer` (given before it).
    pub fn over(self, outer: ConnectionArgs) -> ConnectionArgs {
        ConnectionArgs {
            profile: self.profile.or(outer.profile),
            admin_url: self.admin_url.or(outer.admin_url),
            site_url: self.site_url.or(outer.site_url),
            org_id: self.org_id.or(outer.org_id),
            email: self.email.or(outer.email),
        }
    }
}

/// Flags that change how the console runs (`seats demo` takes them too).
#[derive(Debug, Clone, Default, Args)]
pub struct ModeArgs {
    /// Open the local snapshot without touching the network.
    #[arg(long)]
    pub offline: bool,
    /// Show and save what a batch would do instead of doing it.
    #[arg(long)]
    pub dry_run: bool,
}

/// `--dry-run` alone, for `seats apply`: it must reach Atlassian, so it has no `--offline`.
#[derive(Debug, Clone, Default, Args)]
pub struct DryRunArgs {
    /// Show and save what a batch would do instead of doing it.
    #[arg(long)]
    pub dry_run: bool,
}

/// The connection flags of a command that talks to an org.
#[derive(Debug, Clone, Default, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
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
    Status(StatusArgs),
    /// Export users, groups or seats as CSV or JSON.
    Export(ExportArgs),
    /// Plan a bulk action for the users a query selects: print the summary, write the plan file.
    Plan(PlanArgs),
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
    /// Warn, wait, reclaim: list the [[rules]] of config.toml with who the next run warns, who is in grace and who is due; `seats rules run` acts (from cron).
    Rules(RulesArgs),
    /// Write the plan that undoes a batch, for review and `seats apply`.
    Undo(UndoArgs),
    /// Print the shell completion script for bash, zsh, fish or powershell.
    #[command(
        after_help = "Install (bash): seats completions bash > ~/.local/share/bash-completion/completions/seats\n\
                            zsh: seats completions zsh > \"${fpath[1]}/_seats\"\n\
                            fish: seats completions fish > ~/.config/fish/completions/seats.fish\n\
                            powershell: seats completions powershell >> $PROFILE"
    )]
    Completions(CompletionsArgs),
    /// Print the man page seats.1 (roff), or with a subcommand's name its page seats-NAME.1.
    #[command(
        after_help = "Install: seats man > ~/.local/share/man/man1/seats.1, and \
                            seats man report > ~/.local/share/man/man1/seats-report.1 for each \
                            subcommand (seats man --list names them)"
    )]
    Man(ManArgs),
    /// Write the plan that gives one user back what a batch took from them, for `seats apply`.
    GiveBack(GiveBackArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// The subcommand whose page to print (seats-NAME.1); without it, seats.1.
    #[arg(value_name = "COMMAND", conflicts_with = "list")]
    pub command: Option<String>,
    /// Print the names of the subcommands that have a page, one a line.
    #[arg(long)]
    pub list: bool,
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// What part of the console's settings a subcommand uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Takes {
    pub connection: bool,
    pub offline: bool,
    pub dry_run: bool,
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Demo(_) => "demo",
            Command::Report(_) => "report",
            Command::Sandbox(_) => "sandbox",
            Command::Status(_) => "status",
            Command::Export(_) => "export",
            Command::Plan(_) => "plan",
            Command::Login(_) => "login",
            Command::Logout(_) => "logout",
            Command::Profiles => "profiles",
            Command::Apply(_) => "apply",
            Command::History(_) => "history",
            Command::Undo(_) => "undo",
            Command::Rules(_) => "rules",
            Command::Completions(_) => "completions",
            Command::Man(_) => "man",
            Command::GiveBack(_) => "give-back",
        }
    }

    /// The settings this subcommand reads; the others, given before it, are refused.
    pub fn takes(&self) -> Takes {
        let (connection, offline, dry_run) = match self {
            Command::Demo(_) => (false, true, true),
            Command::Apply(_) => (true, false, true),
            Command::Plan(_)
            | Command::Rules(_)
            | Command::Report(_)
            | Command::Status(_)
            | Command::Export(_)
            | Command::Login(_)
            | Command::Logout(_)
            | Command::History(_)
            | Command::Undo(_)
            | Command::GiveBack(_) => (true, false, false),
            Command::Sandbox(_) | Command::Profiles | Command::Completions(_) | Command::Man(_) => {
                (false, false, false)
            }
        };
        Takes {
            connection,
            offline,
            dry_run,
        }
    }

    /// Commands that work only by reaching Atlassian: `--offline` is refused with that reason.
    pub fn reaches_atlassian(&self) -> bool {
        REACHES_ATLASSIAN.contains(&self.name())
    }

    /// Its own connection flags, `--offline` and `--dry-run`, if it has them (to merge with
    /// those before it).
    fn own(&mut self) -> (Option<&mut ConnectionArgs>, bool, bool) {
        match self {
            Command::Demo(a) => (None, a.mode.offline, a.mode.dry_run),
            Command::Report(a) => (Some(&mut a.connection), false, false),
            Command::Status(a) => (Some(&mut a.connection), false, false),
            Command::Export(a) => (Some(&mut a.connection), false, false),
            Command::Plan(a) => (Some(&mut a.connection), false, false),
            Command::Login(a) => (Some(&mut a.connection), false, false),
            Command::Logout(a) => (Some(&mut a.connection), false, false),
            Command::Apply(a) => (Some(&mut a.connection), false, a.mode.dry_run),
            Command::Rules(a) => {
                let dry_run = a.dry_run();
                (Some(a.connection()), false, dry_run)
            }
            Command::History(a) => (Some(&mut a.connection), false, false),
            Command::Undo(a) => (Some(&mut a.connection), false, false),
            Command::GiveBack(a) => (Some(&mut a.connection), false, false),
            Command::Sandbox(_) | Command::Profiles | Command::Completions(_) | Command::Man(_) => {
                (None, false, false)
            }
        }
    }
}

/// The subcommands that work only by reaching Atlassian (or the sandbox standing in for it).
const REACHES_ATLASSIAN: [&str; 7] = [
    "report", "status", "export", "plan", "login", "apply", "rules",
];

/// The refusal of `--offline` by a command that must reach Atlassian.
fn offline_refused(name: &str) -> String {
    format!(
        "`seats {name}` must reach Atlassian, so it cannot run --offline: run it without \
         --offline (only the console, `seats --offline`, works from the local snapshot)"
    )
}

/// `--users N` of the simulated org, bounded before any memory is taken.
fn parse_users(text: &str) -> Result<usize, String> {
    let users: usize = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of users"))?;
    match crate::sandbox::users_refused(users) {
        Some(why) => Err(why),
        None => Ok(users),
    }
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Number of users in the simulated org (at most 1000000).
    #[arg(long, default_value_t = 2000, value_parser = parse_users)]
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
    #[command(flatten)]
    pub mode: ModeArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Report on a simulated org started in-process instead of the profile's org.
    #[arg(long)]
    pub demo: bool,
    /// With --demo: number of users in the simulated org (at most 1000000).
    #[arg(long, default_value_t = 2000, requires = "demo", value_parser = parse_users)]
    pub users: usize,
    /// With --demo: seed of the simulated org.
    #[arg(long, default_value_t = 7, requires = "demo")]
    pub seed: u64,
    /// Seats used per product over time and the money executed batches saved per month, since DATE (YYYY-MM-DD), from the local database.
    #[arg(long, value_name = "DATE", conflicts_with = "demo")]
    pub since: Option<chrono::NaiveDate>,
    /// Output format: a table to read, or JSON or CSV for scripts (on standard output; notes
    /// go to standard error).
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ReportFormat {
    /// A readable table.
    #[default]
    Table,
    /// One object: the org, when the data was fetched, and one entry per product.
    Json,
    /// One row per product, snake_case headers.
    Csv,
}

#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1 (0 picks a free port).
    #[arg(long, default_value_t = 8990)]
    pub port: u16,
    /// Number of users in the simulated org (at most 1000000).
    #[arg(long, default_value_t = 2000, value_parser = parse_users)]
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
    /// Start of the virtual clock (RFC 3339 date or time, e.g. 2026-01-05); default now.
    /// Tests move it with POST /_sandbox/clock {"advance_days": N}.
    #[arg(long, value_name = "START", value_parser = parse_clock)]
    pub clock: Option<chrono::DateTime<chrono::Utc>>,
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
    /// Only the users this query selects, in the console's query language (as `seats plan
    /// --filter`), e.g. 'product:jira-software idle:90 !synced'.
    #[arg(long, value_name = "QUERY")]
    pub filter: Option<String>,
    /// Only users inactive (or never active) for at least N days in some product.
    #[arg(long, value_name = "N")]
    pub inactive_days: Option<u32>,
    /// Only this product: a key (jira-software, confluence, loom, ...) or an alias (jsw, jsm,
    /// jpd, "Jira Service Management").
    #[arg(long, value_name = "KEY", value_parser = crate::config::parse_product_key)]
    pub product: Option<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// The action `seats plan` plans, as the console's action menu names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanAction {
    /// Every non-synced group that grants --product, and a direct grant.
    RemoveProductAccess,
    /// Remove from the group named by --group.
    RemoveGroup,
    Suspend,
    Restore,
    /// Irreversible from seats: the user must be invited again.
    RemoveFromDirectory,
    /// Deactivate the Atlassian account (managed accounts only).
    Deactivate,
    Reactivate,
}

#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    /// Who to plan for, in the console's query language.
    #[arg(long, value_name = "QUERY")]
    pub filter: Option<String>,
    /// What to do to them.
    #[arg(long, value_enum)]
    pub action: PlanAction,
    /// The product (remove-product-access), by key or alias (jsw, jsm, ...); also adds
    /// `product:KEY` to the query.
    #[arg(long, value_name = "KEY", value_parser = crate::config::parse_product_key)]
    pub product: Option<String>,
    /// The group to remove them from (remove-group), by name.
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    /// Adds `idle:N` to the query: inactive (or never active) for at least N days.
    #[arg(long, value_name = "N")]
    pub inactive_days: Option<u32>,
    /// Plan file to write (default: seats-plan-<time>.json in the current directory).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
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
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, Args)]
pub struct LogoutArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Parses the command line: the subcommand's own flags over those given before it, and
/// `SEATS_PROFILE` under both. A flag before a subcommand that does not use it is refused.
pub fn parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::{CommandFactory, FromArgMatches};
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let matches = match Cli::command().try_get_matches_from(args.clone()) {
        Ok(m) => m,
        Err(e) => return Err(offline_after_subcommand(&args, e)),
    };
    let mut cli = Cli::from_arg_matches(&matches)?;
    let given = |id: &str| matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine);
    if let Some(command) = cli.command.as_mut() {
        let takes = command.takes();
        if given("offline") && !takes.offline && command.reaches_atlassian() {
            let mut cmd = Cli::command();
            return Err(cmd.error(
                clap::error::ErrorKind::ArgumentConflict,
                offline_refused(command.name()),
            ));
        }
        let refused: Vec<&str> = [
            ("profile", "--profile", takes.connection),
            ("admin_url", "--admin-url", takes.connection),
            ("site_url", "--site-url", takes.connection),
            ("org_id", "--org-id", takes.connection),
            ("email", "--email", takes.connection),
            ("offline", "--offline", takes.offline),
            ("dry_run", "--dry-run", takes.dry_run),
        ]
        .into_iter()
        .filter(|(id, _, taken)| !taken && given(id))
        .map(|(_, flag, _)| flag)
        .collect();
        if !refused.is_empty() {
            let mut cmd = Cli::command();
            return Err(cmd.error(
                clap::error::ErrorKind::ArgumentConflict,
                format!(
                    "`seats {}` does not use {}: drop {}",
                    command.name(),
                    refused.join(", "),
                    if refused.len() == 1 { "it" } else { "them" }
                ),
            ));
        }
        // Commands read the merged settings from `cli.global`.
        let (connection, offline, dry_run) = command.own();
        if let Some(own) = connection {
            cli.global.connection = std::mem::take(own).over(cli.global.connection);
        }
        cli.global.offline |= offline;
        cli.global.dry_run |= dry_run;
    }
    if cli.global.connection.profile.is_none() {
        cli.global.connection.profile = std::env::var("SEATS_PROFILE").ok();
    }
    Ok(cli)
}

/// `seats apply plan.json --offline`: clap knows no such flag there; say why instead.
fn offline_after_subcommand(args: &[std::ffi::OsString], err: clap::Error) -> clap::Error {
    use clap::CommandFactory;
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let unknown_offline = err.kind() == ErrorKind::UnknownArgument
        && matches!(
            err.get(ContextKind::InvalidArg),
            Some(ContextValue::String(a)) if a == "--offline"
        );
    if !unknown_offline {
        return err;
    }
    let cmd = Cli::command();
    let name = args.iter().skip(1).find_map(|a| {
        let a = a.to_str()?;
        cmd.get_subcommands()
            .find(|s| s.get_name() == a)
            .map(|s| s.get_name().to_owned())
    });
    let Some(name) = name else {
        return err;
    };
    let message = if REACHES_ATLASSIAN.contains(&name.as_str()) {
        offline_refused(&name)
    } else {
        format!("`seats {name}` does not use --offline: drop it")
    };
    Cli::command().error(ErrorKind::ArgumentConflict, message)
}

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
    /// Run a plan that was applied before, on purpose (without it seats refuses, naming the batch).
    #[arg(long, conflicts_with = "resume")]
    pub again: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub mode: DryRunArgs,
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
    /// Only the batches of the org these flags identify (`--org-id`, else the org of
    /// `--profile`); the other connection flags are accepted so one `$FLAGS` serves every command.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `seats give-back BATCH USER`.
#[derive(Debug, Clone, Args)]
pub struct GiveBackArgs {
    /// The batch that took the access (see `seats history`).
    pub batch: i64,
    /// The user: their account id or email, as the batch recorded it.
    pub user: String,
    /// Where to write the plan (default: seats-give-back-batch-N-USER.json here).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// With `--org-id` (or `--profile`): refuse a batch of another org; the other connection
    /// flags are accepted so one `$FLAGS` serves every command.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, Args)]
pub struct UndoArgs {
    /// The batch to undo (see `seats history`).
    pub batch: i64,
    /// Where to write the undo plan (default: seats-undo-batch-N.json here).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// With `--org-id` (or `--profile`): refuse a batch of another org.
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `--clock START`: an RFC 3339 time (`2026-01-05T09:00:00Z`) or date (`2026-01-05`, midnight UTC).
pub fn parse_clock(raw: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let raw = raw.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            format!("{raw:?} is not an RFC 3339 date or time: give e.g. 2026-01-05 or 2026-01-05T09:00:00Z")
        })
}

/// `seats rules [run]` (here, not in `commands`, so the command line needs no command).
#[derive(Debug, Clone, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub action: Option<RulesAction>,
    /// Only the rule with this name.
    #[arg(long, global = true, value_name = "NAME")]
    pub rule: Option<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, Subcommand)]
pub enum RulesAction {
    /// Run the rules now: record exits, send due notices, reclaim users past their deadline.
    /// Safe to call from cron at any frequency.
    Run {
        #[command(flatten)]
        mode: DryRunArgs,
        #[command(flatten)]
        connection: ConnectionArgs,
    },
}

impl RulesArgs {
    pub fn dry_run(&self) -> bool {
        matches!(&self.action, Some(RulesAction::Run { mode, .. }) if mode.dry_run)
    }

    /// The connection flags, those given after `run` over those before it.
    pub fn connection(&mut self) -> &mut ConnectionArgs {
        if let Some(RulesAction::Run { connection, .. }) = &mut self.action {
            self.connection = std::mem::take(connection).over(std::mem::take(&mut self.connection));
        }
        &mut self.connection
    }
}
