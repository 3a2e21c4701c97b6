//! `lodestar compile` (not built yet).

use clap::Args;

use super::common::{Exit, Failure};

#[derive(Debug, Args)]
pub struct CompileArgs {}

pub fn run(_args: &CompileArgs) -> Result<Exit, Failure> {
    Err(Failure::new("`lodestar compile` is not built yet"))
}

pub fn dialects() -> Result<Exit, Failure> {
    Err(Failure::new("`lodestar compile` is not built yet"))
}
