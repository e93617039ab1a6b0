//! `seats sandbox`: serve the simulated Atlassian Cloud until SIGINT or SIGTERM.

use crate::cli::SandboxArgs;

pub async fn run(_args: SandboxArgs) -> anyhow::Result<()> {
    anyhow::bail!("seats sandbox is not built yet")
}
