//! `lodestar lint`.

use std::path::PathBuf;

use clap::Args;

use super::common::{self, Exit, Failure};

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Spec files or project directories (default: the project of the current directory).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: crate::diagnostics::render::Format,
}

pub fn run(args: &LintArgs) -> Result<Exit, Failure> {
    let (ws, analysis) = common::check(&args.paths)?;
    let text = crate::diagnostics::render::render(args.format, &ws.files, &analysis.diagnostics);
    common::print(&text);
    Ok(if analysis.has_errors() { Exit::Findings } else { Exit::Clean })
}
