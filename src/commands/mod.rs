//! One file per subcommand. `run` dispatches.

pub mod connect;
pub mod demo;
pub mod export;
pub mod login;
pub mod sandbox;
pub mod status;

use crate::cli::{Cli, Command};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo(args) => demo::run(args).await,
        Command::Sandbox(args) => sandbox::run(args).await,
        Command::Status => status::run(&cli.global).await,
        Command::Export(args) => export::run(&cli.global, args).await,
        Command::Login(args) => login::login(&cli.global, args).await,
        Command::Logout(args) => login::logout(&cli.global, args).await,
        Command::Profiles => login::profiles(&cli.global).await,
    }
}
