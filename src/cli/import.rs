//! `lodestar import metricflow DIR --out DIR`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::common::{Exit, Failure};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum From {
    /// MetricFlow / dbt semantic-layer YAML (semantic models and metrics).
    Metricflow,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The tool the definitions come from.
    #[arg(value_enum)]
    pub from: From,
    /// The directory holding the definitions (searched recursively for `*.yml` / `*.yaml`).
    pub dir: PathBuf,
    /// Write the lodestar project (specs, `lodestar.toml`, the report) under DIR.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The metric that becomes the North Star of its product.
    #[arg(long = "north-star", value_name = "METRIC")]
    pub north_star: Option<String>,
    /// A metric that becomes a guardrail: `METRIC:min=X`, `METRIC:max=Y` or both (repeatable).
    #[arg(long = "guardrail", value_name = "METRIC:min=X|max=Y")]
    pub guardrails: Vec<String>,
}

pub fn run(args: &ImportArgs) -> Result<Exit, Failure> {
    let _ = args;
    Err(Failure::new("lodestar import is being built".to_owned()))
}
