#!/usr/bin/env bash
# Fuzzes the whole compile stage (fuzz/fuzz_targets/compile.rs) for SECONDS (default 300),
# starting from a corpus of the repository's specs: what lints clean must compile for all eight
# dialects without a panic, an error or a statement that does not parse.
# Usage: bash bench/fuzz_compile.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
corpus=fuzz/corpus/compile
mkdir -p "$corpus"
# The first byte chooses the reading: 0 = YAML, 2 = DSL (see the target's doc comment).
for f in specs/*.yaml; do { printf '\x00'; cat "$f"; } > "$corpus/$(basename "$f")"; done
for f in specs/*.lode; do { printf '\x02'; cat "$f"; } > "$corpus/$(basename "$f")"; done
export RUSTC_BOOTSTRAP=1
cargo fuzz run compile "$corpus" -- -max_total_time="$seconds" -max_len=65536
