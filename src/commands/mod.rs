//! One file per subcommand. `run` dispatches. A command writes its output through
//! `crate::output` (never `println!`): a closed pipe then ends it normally.

pub mod apply;
pub mod connect;
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

use crate::cli::{Cli, Command};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let Some(command) = cli.command else {
        return crate::tui::open_profile(&cli.global).await;
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
        Command::GiveBack(args) => give_back::run(args),
    }
}

/// An exit code for a command that has already printed why (`seats apply`: 3 some items
/// failed, 4 the batch did not finish).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("exit code {0}")]
pub struct Exit(pub u8);
