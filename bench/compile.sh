#!/usr/bin/env bash
# Compile benchmark (target: a 20,000-metric project, 1,000 products x 20 metrics, compiled to
# all eight dialects in < 2 s in total, release build, files written with --out).
# Usage: bash bench/compile.sh      Prints wall/CPU time and peak memory, with and without files.
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
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 3 --runs 20 \
    "$bin compile $out/project/products/p0000.yaml --dialect postgres" \
    "$bin compile $out/project/products/p0001.lode --dialect all"
fi
