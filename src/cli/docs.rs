//! `lodestar docs` (not built yet).

use clap::Args;

use super::common::{Exit, Failure};

#[derive(Debug, Args)]
pub struct DocsArgs {}

pub fn run(_args: &DocsArgs) -> Result<Exit, Failure> {
    Err(Failure::new("`lodestar docs` is not built yet"))
}
