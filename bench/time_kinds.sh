#!/usr/bin/env bash
# The time kinds benchmark: lodestar's compiled scorecard of bench/time_kinds.yaml (a compare, a
# to_date, a cumulative count_distinct and a conversion) against the best hand-written query for
# the same numbers (bench/time_kinds_hand.sql), on the 10-million-booking warehouse of
# bench/scorecard_gen.sql, in DuckDB's optimised Python wheel. Target: within 1.5x.
#
#   bash bench/time_kinds.sh     # RUNS=5; needs `bash scripts/install-engines.sh` first
set -euo pipefail
cd "$(dirname "$0")/.."
SPEC=bench/time_kinds.yaml PRODUCT=time_kinds HAND=bench/time_kinds_hand.sql TARGET=1.5 \
  exec bash bench/scorecard_wheel.sh
