//! lodestar: a compiler for North Star metric specs.
//!
//! The pipeline, one module per stage (see `ARCHITECTURE.md`):
//!
//! | stage | module | entry point |
//! |---|---|---|
//! | source text → syntax tree with byte spans | [`syntax`] | [`syntax::parse`] |
//! | syntax trees of a project → resolved model | [`model`] | [`model::resolve`] |
//! | model → findings | [`lint`] | [`lint::check`] |
//! | model → SQL per dialect | [`sql`] | [`sql::compile`] |
//! | SQL → result tables (DuckDB, feature `duckdb`) | `engine` | `engine::Engine::query` |
//! | result tables → scorecards and guard reports | [`report`] | [`report::scorecard`], [`report::guard`] |
//! | each metric's series → does the tree hold? | [`analyze`] | [`analyze::analyze`] |
//!
//! [`project`] and `engine` are the IO boundary that reads files, `lodestar.toml`, git
//! revisions and data; [`cli`] is the only module that prints or exits.

pub mod analyze;
pub mod cli;
pub mod diagnostics;
pub mod diff;
pub mod docs;
#[cfg(feature = "duckdb")]
pub mod engine;
pub mod format;
pub mod interop;
pub mod lint;
pub mod model;
pub mod project;
pub mod report;
pub mod schema;
pub mod sql;
pub mod syntax;
