#!/usr/bin/env bash
# Generates a MetricFlow project, imports it with lodestar, and compares every metric's numbers
# with MetricFlow's own SQL on DuckDB (see tests/metricflow/compare.py).
#
#   bench/metricflow_compare.sh [gen_metricflow.py options, e.g. --days 365 --variants 4]
#
# Needs `metricflow` and `duckdb` in the Python of $PY (default ~/.cache/lodestar/venv):
#   ~/.cache/lodestar/venv/bin/pip install metricflow duckdb
# and a lodestar binary in $LODESTAR (default: a no-default-features build in
# ~/.cache/lodestar/helper-target, else `lodestar` on the PATH).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PY:-$HOME/.cache/lodestar/venv/bin/python}"
work="$(mktemp -d "${TMPDIR:-/tmp}/lodestar-mf-XXXXXX")"
python3 "$here/bench/gen_metricflow.py" "$work/project" "$@" >/dev/null
"$PY" "$here/tests/metricflow/compare.py" "$work/project" --work "$work/lodestar"
