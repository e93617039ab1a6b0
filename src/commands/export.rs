//! `seats export users|groups|seats`.

use crate::cli::{ExportArgs, GlobalArgs};

pub async fn run(_global: &GlobalArgs, _args: ExportArgs) -> anyhow::Result<()> {
    anyhow::bail!("seats export is not built yet")
}
