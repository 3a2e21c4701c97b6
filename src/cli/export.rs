//! A lodestar project written as another tool's definitions (`lodestar export`).
//! `lodestar export [PATH...] --to metricflow|osi --out DIR`.
//!
//! The project is loaded and checked as for `compile`: one with errors is refused (exit 1, the
//! errors on stderr) and nothing is written. The pure exporter
//! ([`crate::interop::export`]) gives every file's path and text; they are all checked to stay
//! inside `--out` before the first is written. A new `--out` is written as a temporary
//! directory beside it and renamed into place, so a failure leaves nothing half-written; into
//! an existing one, each file is replaced atomically.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::common::{self, Exit, Failure};
use crate::interop::export;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum To {
    /// MetricFlow / dbt semantic-layer YAML (semantic models and metrics).
    Metricflow,
    /// Open Semantic Interchange (OSI) YAML.
    Osi,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Spec files or project directories (default: the project of the current directory).
    pub paths: Vec<PathBuf>,
    /// The format to write.
    #[arg(long, value_enum)]
    pub to: To,
    /// Write the files under DIR.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

pub fn run(args: &ExportArgs) -> Result<Exit, Failure> {
    let (ws, analysis) = common::check_focused(&args.paths)?;
    if common::refuse_errors(&ws, &analysis, "exported") {
        return Ok(Exit::Findings);
    }
    let project = common::focused(&ws, &analysis.project)?;
    let format = match args.to {
        To::Metricflow => export::Format::Metricflow,
        To::Osi => export::Format::Osi,
    };
    let exported = export::export(&project, format);
    common::write_tree(&args.out, &exported.files, "export")?;
    common::eprint(&exported.summary);
    let mut listing = String::new();
    for (name, _) in &exported.files {
        listing.push_str(&format!("wrote {}\n", args.out.join(name).display()));
    }
    common::print(&listing);
    Ok(Exit::Clean)
}
