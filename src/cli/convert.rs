//! `lodestar convert` (not built yet).

use clap::Args;

use super::common::{Exit, Failure};

#[derive(Debug, Args)]
pub struct ConvertArgs {}

pub fn run(_args: &ConvertArgs) -> Result<Exit, Failure> {
    Err(Failure::new("`lodestar convert` is not built yet"))
}
