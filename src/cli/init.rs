//! `lodestar init` (not built yet).

use clap::Args;

use super::common::{Exit, Failure};

#[derive(Debug, Args)]
pub struct InitArgs {}

pub fn run(_args: &InitArgs) -> Result<Exit, Failure> {
    Err(Failure::new("`lodestar init` is not built yet"))
}
