//! `lodestar diff` (not built yet).

use clap::Args;

use super::common::{Exit, Failure};

#[derive(Debug, Args)]
pub struct DiffArgs {}

pub fn run(_args: &DiffArgs) -> Result<Exit, Failure> {
    Err(Failure::new("`lodestar diff` is not built yet"))
}
