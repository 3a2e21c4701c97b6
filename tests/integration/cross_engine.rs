//! The compiled SQL on real engines: PostgreSQL, ClickHouse (chdb) and Spark SQL (pyspark) each
//! run every reference spec and the conformance project, and every value is compared with
//! DuckDB's and with answers computed from the raw rows (tests/crossengine/harness.py). The
//! dialects no engine here runs (BigQuery, Snowflake, Redshift, Trino) are read by sqlglot into
//! DuckDB's dialect and compared the same way; the others are parsed with sqlglot too.
//!
//! The engines live in a Python virtual environment made by `bash scripts/install-engines.sh`
//! ($LODESTAR_VENV, default ~/.cache/lodestar/venv). Without it a test is skipped loudly; with
//! `CI=true` a missing engine is a failure.

use super::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const INSTALL: &str = "bash scripts/install-engines.sh";

fn python() -> PathBuf {
    let venv = std::env::var_os("LODESTAR_VENV")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/lodestar/venv")))
        .unwrap_or_else(|| PathBuf::from(".venv"));
    venv.join("bin/python")
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Whether the venv's python can import `modules`; else skips (locally) or fails (CI).
fn engine_ready(engine: &str, modules: &str) -> bool {
    let py = python();
    let ok = py.exists()
        && Command::new(&py)
            .args(["-c", &format!("import {modules}")])
            .output()
            .is_ok_and(|o| o.status.success());
    if ok {
        return true;
    }
    let msg = format!(
        "{engine} is not installed ({} cannot import {modules}); install it with: {INSTALL}",
        py.display()
    );
    assert!(!in_ci(), "CI=true and {msg}");
    eprintln!("\n*** SKIPPED cross-engine test `{engine}`: {msg} ***\n");
    false
}

/// Runs the harness (through `wrapper` if given) and fails with its output on any mismatch.
fn harness(engine: &str, wrapper: &[&str]) {
    let script = root().join("tests/crossengine/harness.py");
    let py = python();
    let mut args: Vec<&std::ffi::OsStr> = wrapper.iter().map(|s| s.as_ref()).collect();
    args.extend([
        py.as_os_str(),
        script.as_os_str(),
        "--engine".as_ref(),
        engine.as_ref(),
        "--lodestar".as_ref(),
        env!("CARGO_BIN_EXE_lodestar").as_ref(),
    ]);
    let out = Command::new(args[0])
        .args(&args[1..])
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run the cross-engine harness for {engine}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The summary line (time, queries checked) shows with `cargo test -- --nocapture`.
    println!("{stdout}");
    assert!(
        out.status.success(),
        "cross-engine {engine}: exit {:?}\n{stdout}\n{stderr}",
        out.status.code()
    );
    assert!(
        stdout.contains("queries checked, 0 problem(s)"),
        "cross-engine {engine}: no summary\n{stdout}\n{stderr}"
    );
}

#[test]
fn postgres_matches_duckdb_and_the_oracle() {
    let initdb = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().any(|e| e.path().join("bin/initdb").exists()))
        .unwrap_or(false)
        || Command::new("initdb").arg("--version").output().is_ok();
    if !initdb {
        let msg = format!("PostgreSQL (initdb) is not installed; install it with: {INSTALL}");
        assert!(!in_ci(), "CI=true and {msg}");
        eprintln!("\n*** SKIPPED cross-engine test `postgres`: {msg} ***\n");
        return;
    }
    if engine_ready("postgres", "psycopg, duckdb, pyarrow") {
        harness("postgres", &["bash", "scripts/postgres.sh", "run"]);
    }
}

#[test]
fn clickhouse_matches_duckdb_and_the_oracle() {
    if engine_ready("clickhouse", "chdb, duckdb, pyarrow") {
        harness("clickhouse", &[]);
    }
}

#[test]
fn spark_matches_duckdb_and_the_oracle() {
    let java = Command::new("java").arg("-version").output().is_ok();
    if !java {
        let msg = format!("Java (for Spark) is not installed; install it with: {INSTALL}");
        assert!(!in_ci(), "CI=true and {msg}");
        eprintln!("\n*** SKIPPED cross-engine test `spark`: {msg} ***\n");
        return;
    }
    if engine_ready("spark", "pyspark, duckdb, pyarrow") {
        harness("spark", &[]);
    }
}

/// BigQuery, Snowflake, Redshift and Trino: no engine here runs them, so their SQL is read by
/// sqlglot into DuckDB's dialect and run on DuckDB, compared like the engines above.
#[test]
fn sqlglot_duckdb_matches_duckdb_and_the_oracle() {
    if engine_ready("sqlglot-duckdb", "sqlglot, duckdb, pyarrow") {
        harness("sqlglot-duckdb", &[]);
    }
}

/// The dialects the engines above run, parsed by sqlglot as well.
#[test]
fn sqlglot_parses_the_executed_dialects() {
    if engine_ready("sqlglot", "sqlglot") {
        harness("sqlglot", &[]);
    }
}
