//! `lodestar fmt` (not built yet).

use clap::Args;

use super::common::{Exit, Failure};

#[derive(Debug, Args)]
pub struct FmtArgs {}

pub fn run(_args: &FmtArgs) -> Result<Exit, Failure> {
    Err(Failure::new("`lodestar fmt` is not built yet"))
}
