#!/usr/bin/env bash
# The test command: every test of the crate, with DuckDB, plus the cross-engine suite.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --all-targets
