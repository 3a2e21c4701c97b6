//! Model → SQL, per dialect. The only stage that knows SQL dialects.
//!
//! Entry point: [`compile`]. (Being built: the signature is the contract the engine, docs and
//! CLI rely on.)

use chrono::NaiveDate;

use crate::model::Project;

/// A warehouse SQL dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Dialect {
    Duckdb,
    Postgres,
    Bigquery,
    Snowflake,
    Redshift,
    /// Databricks / Spark SQL.
    Databricks,
    Trino,
    Clickhouse,
}

impl Dialect {
    pub const ALL: &'static [Dialect] = &[
        Dialect::Duckdb,
        Dialect::Postgres,
        Dialect::Bigquery,
        Dialect::Snowflake,
        Dialect::Redshift,
        Dialect::Databricks,
        Dialect::Trino,
        Dialect::Clickhouse,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Duckdb => "duckdb",
            Dialect::Postgres => "postgres",
            Dialect::Bigquery => "bigquery",
            Dialect::Snowflake => "snowflake",
            Dialect::Redshift => "redshift",
            Dialect::Databricks => "databricks",
            Dialect::Trino => "trino",
            Dialect::Clickhouse => "clickhouse",
        }
    }
}

/// What to compile beyond the spec itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// First period to report (inclusive); with `to`, periods without rows are present.
    pub from: Option<NaiveDate>,
    /// Last day to report (inclusive).
    pub to: Option<NaiveDate>,
    /// Dimension breakdowns (`--by`), by dimension name.
    pub by: Vec<String>,
}

/// One metric's SELECT: columns `period`, any `--by` dimensions, `value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompiledMetric {
    pub name: String,
    pub sql: String,
}

/// Everything compiled for one product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompiledProduct {
    pub product: String,
    /// North Star, inputs, guardrails, in that order.
    pub metrics: Vec<CompiledMetric>,
    /// One row per period (column `period`), then one column per metric in print order.
    pub scorecard: String,
    /// Every breached period: columns `period`, `guardrail`, `value`, `min`, `max`.
    pub guardrails: String,
}

/// Why SQL could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The request does not fit the project (e.g. `--by` a dimension a source lacks).
    #[error("{0}")]
    Invalid(String),
    /// Generated SQL failed to re-parse: a bug in lodestar, never output.
    #[error("internal error: generated SQL for {what} does not parse as {dialect}: {error}")]
    Internal { what: String, dialect: &'static str, error: String },
}

/// Compiles every product of a checked project (one without errors) for one dialect.
pub fn compile(
    project: &Project,
    dialect: Dialect,
    options: &Options,
) -> Result<Vec<CompiledProduct>, CompileError> {
    let _ = (project, dialect, options);
    Err(CompileError::Invalid("the SQL stage is being built".to_owned()))
}
