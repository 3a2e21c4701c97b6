//! `lodestar export [PATH...] --to metricflow|osi --out DIR`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::common::{Exit, Failure};

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
    let _ = args;
    Err(Failure::new("lodestar export is being built".to_owned()))
}
