//! `lodestar rules` and `lodestar explain CODE`.

use clap::Args;

use super::common::{Exit, Failure};

#[derive(Debug, Args)]
pub struct RulesArgs {}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule code (LS001) or name (one-north-star).
    pub code: String,
}

pub fn rules(_args: &RulesArgs) -> Result<Exit, Failure> {
    Err(Failure::new("not built yet"))
}

pub fn explain(_args: &ExplainArgs) -> Result<Exit, Failure> {
    Err(Failure::new("not built yet"))
}
