//! `lodestar run` (not built yet).

use clap::Args;

use super::common::{Exit, Failure};

#[derive(Debug, Args)]
pub struct RunArgs {}

pub fn run(_args: &RunArgs) -> Result<Exit, Failure> {
    Err(Failure::new("`lodestar run` is not built yet"))
}

pub fn guard(_args: &RunArgs) -> Result<Exit, Failure> {
    Err(Failure::new("`lodestar run` is not built yet"))
}
