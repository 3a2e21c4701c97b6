#!/usr/bin/env bash
# The test command: every test of the crate, with DuckDB, plus the cross-engine suite.
set -euo pipefail
cd "$(dirname "$0")/.."
# --no-fail-fast: one failing test binary must not hide the others' results.
cargo test --all-targets --no-fail-fast
