//! `seats demo`: the product against a simulated org, no credentials needed.

use crate::cli::DemoArgs;

pub async fn run(_args: DemoArgs) -> anyhow::Result<()> {
    anyhow::bail!("seats demo is not built yet")
}
