//! `lodestar schema`: print the JSON Schema of the YAML syntax.

use super::common::{self, Exit, Failure};

pub fn run() -> Result<Exit, Failure> {
    common::print(&crate::schema::render());
    Ok(Exit::Clean)
}
