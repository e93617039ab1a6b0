//! One file per subcommand. `run` dispatches. A command writes its output through
//! `crate::output` (never `println!`): a closed pipe then ends it normally.

pub mod connect;
pub mod demo;
pub mod export;
pub mod login;
pub mod plan;
pub mod report;
pub mod sandbox;
pub mod status;

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
    }
}
