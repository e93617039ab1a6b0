//! `seats status`: profile, org, seats per product, API health.

use crate::cli::GlobalArgs;

pub async fn run(_global: &GlobalArgs) -> anyhow::Result<()> {
    anyhow::bail!("seats status is not built yet")
}
