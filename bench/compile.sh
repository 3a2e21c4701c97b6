#!/usr/bin/env bash
# Compile benchmark (target: a 20,000-metric project, 1,000 products x 20 metrics, compiled to
# all eight dialects in < 2 s in total, release build, files written with --out).
# Usage: bash bench/compile.sh      Prints wall time and peak memory per dialect and the total.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lodestar/nodb}"
out="${TMPDIR:-/tmp}/lodestar-bench-compile"
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

cargo build --quiet --release --no-default-features
bin="$CARGO_TARGET_DIR/release/lodestar"
rm -rf "$out" && mkdir -p "$out"
python3 bench/gen_project.py "$out/project" --products 1000 --metrics 20 >/dev/null

echo "== lodestar compile: 1,000 products x 20 metrics, each dialect written to its own --out DIR"
start=$(date +%s.%N)
for d in duckdb postgres bigquery snowflake redshift databricks trino clickhouse; do
  /usr/bin/time -f "$d: %e s wall, peak memory %M KiB" "$bin" compile "$out/project" --dialect "$d" --out "$out/sql/$d"
done
end=$(date +%s.%N)
files=$(find "$out/sql" -name '*.sql' | wc -l)
printf "all eight dialects: %.2f s wall, %d files\n" "$(echo "$end - $start" | bc)" "$files"
