//! Other tools' definitions, both ways: `lodestar import metricflow` reads MetricFlow / dbt
//! semantic-layer YAML into lodestar specs; `lodestar export` writes a project as MetricFlow or
//! OSI YAML. Pure functions of their inputs: the CLI reads and writes the files.

pub mod export;
pub mod metricflow;
