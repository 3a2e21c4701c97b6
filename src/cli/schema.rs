//! `lodestar schema` (not built yet).

use super::common::{Exit, Failure};

pub fn run() -> Result<Exit, Failure> {
    Err(Failure::new("`lodestar schema` is not built yet"))
}
