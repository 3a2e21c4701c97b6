#!/usr/bin/env bash
# `lodestar diff` benchmark (target: a 20,000-metric project between two revisions in < 2 s).
# Usage: bash bench/diff.sh
# Builds a git repository with the generated project (1,000 products x 20 metrics, half YAML,
# half DSL), commits it, changes 100 products (North Star filters, guardrail thresholds, input
# labels, a removed input) and commits again, then times `lodestar diff HEAD~1 HEAD` (two
# revisions read from git) and `lodestar diff HEAD~1` (against the working tree).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lodestar/nodb}"
out="${TMPDIR:-/tmp}/lodestar-bench-diff"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }

cargo build --quiet --release --no-default-features
bin="$CARGO_TARGET_DIR/release/lodestar"
rm -rf "$out" && mkdir -p "$out"
python3 bench/gen_project.py "$out/repo" --products 1000 --metrics 20 >/dev/null
cd "$out/repo"
git init -q -b main
git -c user.name=bench -c user.email=bench@example.com add .
git -c user.name=bench -c user.email=bench@example.com commit -q -m base
python3 - <<'PY'
import pathlib, re
files = sorted(pathlib.Path("products").iterdir())
for i, f in enumerate(files[::10]):          # every tenth product: 100 products
    t = f.read_text()
    if f.suffix == ".yaml":
        t = t.replace("filter: \"status = 'ok'", "filter: \"status = 'done'", 1)
        t = t.replace("Input 0 of product", "First input of product", 1)
        t = re.sub(r"max: ([0-9.]+)", lambda m: f"max: {float(m.group(1)) * 2}", t, count=1)
    else:
        t = t.replace("where status = 'ok'", "where status = 'done'", 1)
        t = t.replace("Input 0 of product", "First input of product", 1)
        t = re.sub(r"threshold <= ([0-9.]+)", lambda m: f"threshold <= {float(m.group(1)) / 2}", t, count=1)
    f.write_text(t)
PY
git -c user.name=bench -c user.email=bench@example.com commit -q -am "change 100 products"
"$bin" diff HEAD~1 HEAD --format json | python3 -c 'import json,sys; print("changes:", json.load(sys.stdin)["summary"])'

echo "== diff between two commits (20,000 metrics on each side)"
hyperfine -N --warmup 1 --runs 5 "$bin diff HEAD~1 HEAD --format json"
echo "== diff of a commit against the working tree"
hyperfine -N --warmup 1 --runs 5 "$bin diff HEAD~1 --format json"
