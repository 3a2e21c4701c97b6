//! The integration tests: one test binary (one link of the crate and DuckDB instead of fifteen),
//! one module per area, and the helpers they share in [`common`].
//!
//! Run one area with a filter: `cargo test --test integration format::`.

mod common;

mod action;
mod analyze;
mod cli_lint;
mod cli_run;
mod cross_engine;
mod diff;
mod docs;
mod dsl;
mod execution;
mod export;
mod format;
mod hardening;
mod hints;
mod hostile;
mod import;
mod init;
mod kinds;
mod portable;
mod property;
mod roundtrip;
mod rules;
mod schema;
mod specs;
mod sql;
mod warehouse;
