//! `seats login`, `seats logout`, `seats profiles`.

use crate::cli::{GlobalArgs, LoginArgs, LogoutArgs};

pub async fn login(_global: &GlobalArgs, _args: LoginArgs) -> anyhow::Result<()> {
    anyhow::bail!("seats login is not built yet")
}

pub async fn logout(_global: &GlobalArgs, _args: LogoutArgs) -> anyhow::Result<()> {
    anyhow::bail!("seats logout is not built yet")
}

pub async fn profiles(_global: &GlobalArgs) -> anyhow::Result<()> {
    anyhow::bail!("seats profiles is not built yet")
}
