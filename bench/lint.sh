#!/usr/bin/env bash
# Lint benchmark (issue: lint a 20,000-metric project in < 1 s; one spec file in < 20 ms
# including process start). Usage: bash bench/lint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lodestar/nodb}"
out="${TMPDIR:-/tmp}/lodestar-bench"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine time >/dev/null; }
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null

cargo build --quiet --release --no-default-features
bin="$CARGO_TARGET_DIR/release/lodestar"
rm -rf "$out" && mkdir -p "$out"
python3 bench/gen_project.py "$out/project" --products 1000 --metrics 20
mkdir -p "$out/single" && cp tests/fixtures/valid/marketplace.yaml "$out/single/"

echo "== whole project: 1,000 products x 20 metrics (half YAML, half DSL)"
hyperfine -N --warmup 2 --runs 10 "$bin lint $out/project --format concise"
/usr/bin/time -f "peak memory: %M KiB" "$bin" lint "$out/project" --format concise >/dev/null

echo "== one spec file, no lodestar.toml above it (the pull-request case), including process start"
hyperfine -N --warmup 5 --runs 50 "$bin lint $out/single/marketplace.yaml"
/usr/bin/time -f "peak memory: %M KiB" "$bin" lint "$out/single/marketplace.yaml" >/dev/null

echo "== in process, and the ratio to a bare YAML parse of the same bytes"
cargo bench --quiet --no-default-features --bench lint -- "$out/project"
