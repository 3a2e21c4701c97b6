#!/usr/bin/env bash
# Compile benchmark (target: a 20,000-metric project, 1,000 products x 20 metrics, compiled to
# all eight dialects in < 2 s in total, release build, files written with --out).
# Usage: bash bench/compile.sh      Prints wall/CPU time and peak memory, with and without files,
# then the same for projects of 250, 500 and 1,000 products with time comparisons (linearity).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lodestar/nodb}"
out="${TMPDIR:-/tmp}/lodestar-bench-compile"
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

cargo build --quiet --release --no-default-features
bin="$CARGO_TARGET_DIR/release/lodestar"
rm -rf "$out" && mkdir -p "$out"
python3 bench/gen_project.py "$out/project" --products 1000 --metrics 20 >/dev/null

echo "== lodestar compile --dialect all: 1,000 products x 20 metrics, eight dialects in one run"
/usr/bin/time -f "to stdout (no files):        %e s wall, %U s user, %S s sys, peak memory %M KiB" \
  "$bin" compile "$out/project" --dialect all >/dev/null
/usr/bin/time -f "with --out (files written):  %e s wall, %U s user, %S s sys, peak memory %M KiB" \
  "$bin" compile "$out/project" --dialect all --out "$out/sql"
files=$(find "$out/sql" -name '*.sql' | wc -l)
bytes=$(du -sb "$out/sql" | cut -f1)
echo "$files files, $bytes bytes of SQL and directories"
echo "== the parts: loading and checking alone (lint), and one dialect"
/usr/bin/time -f "lint:                        %e s wall, %U s user" "$bin" lint "$out/project" >/dev/null || true
/usr/bin/time -f "compile --dialect postgres:  %e s wall, %U s user, peak memory %M KiB" \
  "$bin" compile "$out/project" --dialect postgres >/dev/null
echo "== the pull-request case: one typical file of that project (target <= 30 ms)"
/usr/bin/time -f "compile products/p0000.yaml --dialect postgres: %e s wall, %U s user, peak memory %M KiB" \
  "$bin" compile "$out/project/products/p0000.yaml" --dialect postgres >/dev/null
/usr/bin/time -f "compile products/p0001.lode --dialect all:      %e s wall, %U s user, peak memory %M KiB" \
  "$bin" compile "$out/project/products/p0001.lode" --dialect all >/dev/null
if command -v perf >/dev/null && perf stat true >/dev/null 2>&1; then
  echo "== repeated (perf stat): mean and spread of the wall time"
  perf stat -r 30 "$bin" compile "$out/project/products/p0000.yaml" --dialect postgres 2>&1 >/dev/null |
    grep -E "elapsed" | sed 's/^ */pull-request case, 30 runs: /'
  perf stat -r 5 "$bin" compile "$out/project" --dialect all 2>&1 >/dev/null |
    grep -E "elapsed" | sed 's/^ */--dialect all, 5 runs:       /'
fi
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 3 --runs 20 \
    "$bin compile $out/project/products/p0000.yaml --dialect postgres" \
    "$bin compile $out/project/products/p0001.lode --dialect all"
fi
echo "== time comparisons: a fifth of the metrics compare / to_date / cumulative / conversion (gen_project.py --time-kinds)"
echo "   compile --dialect all at 250, 500 and 1,000 products: linear when the time per 1,000 metrics stays flat"
for n in 250 500 1000; do
  rm -rf "$out/time-$n"
  python3 bench/gen_project.py "$out/time-$n" --products "$n" --metrics 20 --time-kinds 2>/dev/null
  /usr/bin/time -f "%e %U %M" -o "$out/time.txt" "$bin" compile "$out/time-$n" --dialect all >/dev/null
  read -r wall user mem < "$out/time.txt"
  python3 - "$n" "$wall" "$user" "$mem" <<'PY'
import sys
n, wall, user, mem = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
metrics = n * 20
print(f"{n:5d} products ({metrics:6d} metrics): {wall:6.2f} s wall, {user:6.2f} s user, "
      f"{1000 * user / metrics * 1000:6.1f} ms CPU per 1,000 metrics, peak {mem // 1024} MiB")
PY
done
