#!/usr/bin/env bash
# The scorecard benchmark on an optimised DuckDB: the same comparison as bench/scorecard.sh
# (lodestar's compiled marketplace scorecard against bench/scorecard_hand.sql on 10 million
# bookings), run in DuckDB's Python wheel from the engines' venv (built -O3), where
# bench/scorecard.sh uses the dev-profile binaries and their unoptimised DuckDB. The SQL is
# lodestar's own (`lodestar compile --dialect duckdb`, no DuckDB needed in the binary); each
# query runs in a fresh Python process, RUNS times, and the best wall time of the query itself
# and the process's peak memory are reported. The numbers of both queries are compared first.
#
#   bash bench/scorecard_wheel.sh     # RUNS=5; needs `bash scripts/install-engines.sh` first
#
# SPEC, PRODUCT, HAND and TARGET choose another spec, its product, the hand-written query and
# the ratio to stay within (bench/time_kinds.sh runs the time kinds this way).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
BENCH_DIR=${BENCH_DIR:-/tmp/lodestar-bench}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lodestar/nodb}"
PY="${LODESTAR_VENV:-$HOME/.cache/lodestar/venv}/bin/python"
DB=$BENCH_DIR/warehouse-wheel.duckdb
mkdir -p "$BENCH_DIR"
[ -x "$PY" ] || { echo "needs the engines' venv: bash scripts/install-engines.sh" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install -y time)" >&2; exit 2; }

cargo build --quiet --release --no-default-features
SPEC=${SPEC:-tests/fixtures/valid/marketplace.yaml}
PRODUCT=${PRODUCT:-marketplace}
HAND=${HAND:-bench/scorecard_hand.sql}
TARGET=${TARGET:-1.20}
rm -rf "$BENCH_DIR/sql"
LODESTAR_TODAY=2026-11-23 "$CARGO_TARGET_DIR/release/lodestar" compile \
  "$SPEC" --dialect duckdb --out "$BENCH_DIR/sql"
OURS=$BENCH_DIR/sql/$PRODUCT/scorecard.sql

if [ ! -f "$DB" ]; then
  echo "generating $DB ..." >&2
  "$PY" -c "import duckdb,sys; c=duckdb.connect(sys.argv[1]); c.execute('SET enable_progress_bar = false'); c.execute(open(sys.argv[2]).read())" \
    "$DB" bench/scorecard_gen.sql
fi

# One query in a fresh process: prints its wall time; the rows go to $3 as CSV.
run() {
  "$PY" - "$DB" "$1" "$2" <<'PY'
import csv, duckdb, sys, time
db, sql, out = sys.argv[1:4]
c = duckdb.connect(db, read_only=True)
c.execute("SET enable_progress_bar = false")
t = time.perf_counter()
cur = c.execute(open(sql).read())
rows = cur.fetchall()
print(f"{time.perf_counter() - t:.3f}")
w = csv.writer(open(out, "w"))
w.writerow([d[0] for d in cur.description])
w.writerows(rows)
PY
}

run "$OURS" "$BENCH_DIR/ours.csv" >/dev/null
run "$HAND" "$BENCH_DIR/hand.csv" >/dev/null
"$PY" - "$BENCH_DIR/ours.csv" "$BENCH_DIR/hand.csv" <<'PY'
import csv, math, sys
a, b = (list(csv.reader(open(p))) for p in sys.argv[1:3])
assert a[0] == b[0], f"columns differ:\n{a[0]}\n{b[0]}"
assert len(a) == len(b), f"{len(a) - 1} rows from lodestar, {len(b) - 1} by hand"
for ra, rb in zip(a[1:], b[1:]):
    for col, x, y in zip(a[0], ra, rb):
        if x == y or x in ("", "None") and y in ("", "None"):
            continue
        assert math.isclose(float(x), float(y), rel_tol=1e-9), f"{ra[0]} {col}: {x!r} vs {y!r}"
print(f"same numbers: {len(a) - 1} weeks x {len(a[0]) - 1} metrics")
PY

best() { # sql -> "seconds peak_kb" (fastest query of RUNS fresh processes, its peak memory)
  local bt= bm=
  for _ in $(seq "$RUNS"); do
    local t m
    t=$(/usr/bin/time -f "%M" -o "$BENCH_DIR/mem.txt" bash -c "$(declare -f run); PY=$PY DB=$DB; run '$1' /dev/null")
    m=$(cat "$BENCH_DIR/mem.txt")
    if [ -z "$bt" ] || awk "BEGIN{exit !($t < $bt)}"; then bt=$t; bm=$m; fi
  done
  echo "$bt $bm"
}
read -r lt lm < <(best "$OURS")
read -r ht hm < <(best "$HAND")
version=$("$PY" -c "import duckdb; print(duckdb.__version__)")
printf '%-28s %10s %14s\n' "scorecard, DuckDB $version" "query (s)" "peak RSS (MB)"
printf '%-28s %10.3f %14d\n' "lodestar's SQL" "$lt" "$((lm / 1024))"
printf '%-28s %10.3f %14d\n' "hand-written SQL" "$ht" "$((hm / 1024))"
awk -v l="$lt" -v h="$ht" -v t="$TARGET" 'BEGIN { r = l / h; printf "ratio %.2fx (target <= %.2fx): %s\n", r, t, (r <= t ? "ok" : "OVER") }'
