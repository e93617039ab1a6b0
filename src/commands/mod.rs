//! One file per subcommand. `run` dispatches. A command writes its output through
//! `crate::output` (never `println!`): a closed pipe then ends it normally.

pub mod apply;
pub mod connect;
pub mod console;
pub mod demo;
pub mod export;
pub mod give_back;
pub mod history;
pub mod login;
pub mod plan;
pub mod report;
pub mod rules;
pub mod sandbox;
pub mod shell;
pub mod status;
pub mod undo;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Parses the command line, runs the command and maps errors to an exit code.
pub fn main() -> ExitCode {
    let cli = match crate::cli::parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    crate::logging::install_panic_hook();
    let (_log_guard, log_problem) = match crate::logging::init() {
        Ok(guard) => (guard, None),
        Err(problem) => (None, Some(problem)),
    };
    if let Some(problem) = log_problem {
        // Once, before the command: it still runs, without a log.
        crate::output::note(format!("warning: {problem}"));
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            crate::output::note(format!("error: could not start the async runtime: {err}"));
            return ExitCode::FAILURE;
        }
    };
    // The console and the demo draw on the terminal: notices wait until they close.
    let console = matches!(cli.command, None | Some(Command::Demo(_)));
    crate::output::set_console_owns_terminal(console);
    let result = runtime.block_on(run(cli));
    crate::output::set_console_owns_terminal(false);
    crate::output::end_open_line();
    for notice in crate::store::take_notices() {
        crate::output::note(format!("note: {notice}"));
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `seats export users | head`: the reader has all it wants; not an error.
        Err(err) if crate::output::is_closed_pipe(&err) => ExitCode::SUCCESS,
        // A command that already said what happened and only has an exit code left to give.
        Err(err) if err.downcast_ref::<Exit>().is_some() => err
            .downcast_ref::<Exit>()
            .map_or(ExitCode::FAILURE, |e| ExitCode::from(e.0)),
        Err(err) => {
            tracing::error!("{err:#}");
            crate::output::note(format!("error: {err:#}"));
            ExitCode::FAILURE
        }
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let Some(command) = cli.command else {
        return console::open_profile(&cli.global).await;
    };
    match command {
        Command::Demo(args) => demo::run(&cli.global, args).await,
        Command::Report(args) => report::run(&cli.global, args).await,
        Command::Sandbox(args) => sandbox::run(args).await,
        Command::Status(_) => status::run(&cli.global).await,
        Command::Export(args) => export::run(&cli.global, args).await,
        Command::Plan(args) => plan::run(&cli.global, args).await,
        Command::Login(args) => login::login(&cli.global, args).await,
        Command::Logout(args) => login::logout(&cli.global, args).await,
        Command::Profiles => login::profiles(&cli.global).await,
        Command::Apply(args) => apply::run(&cli.global, args).await,
        Command::History(args) => history::run(&cli.global, args),
        Command::Undo(args) => undo::run(&cli.global, args),
        Command::Completions(args) => shell::completions(args.shell),
        Command::Man(args) => shell::man(args),
        Command::Rules(args) => rules::run(&cli.global, args).await,
        Command::GiveBack(args) => give_back::run(&cli.global, args),
    }
}

/// An exit code for a command that has already printed why (`seats apply`: 3 some items
/// failed, 4 the batch did not finish).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("exit code {0}")]
pub struct Exit(pub u8);
