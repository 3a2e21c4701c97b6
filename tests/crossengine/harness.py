#!/usr/bin/env python3
"""Cross-engine suite: runs the SQL that `lodestar compile` writes on real engines and compares
every value with DuckDB's and with answers computed here from the raw rows.

    harness.py --engine postgres|clickhouse|spark --lodestar BIN   (postgres: inside scripts/postgres.sh run)
    harness.py --engine sqlglot-duckdb --lodestar BIN              (BigQuery, Snowflake, Redshift, Trino read by sqlglot into DuckDB)
    harness.py --engine sqlglot --lodestar BIN                     (parse the other dialects' SQL)

Projects: the reference specs in specs/ with examples/data, and the conformance project
tests/crossengine/conformance (every metric kind at every grain, typed columns, edge-case data).
For each project and each set of `--by/--from/--to` options, the SQL is compiled for DuckDB and
for the engine's dialect, the same typed rows are loaded into both engines, and every metric file,
scorecard and guardrails query is compared: engine vs DuckDB (the compiled DuckDB SQL, and the
scorecard of `lodestar run --format json` when the binary has DuckDB) and, for the conformance
project, both vs the Python oracle (oracle.py). The dialects no engine here runs are compared the
same way, each as its own engine: its SQL is read by sqlglot (strict, typed with the vendor's
column types) into DuckDB's dialect and run on DuckDB (engines.SqlglotDuckDb). Exit 0 when
everything matches, 1 on mismatches (each named: project, options, file, period, engine, both
values), 2 when the tool cannot run.
"""
import argparse
import csv
import datetime as dt
import glob
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True  # nothing written into the clone
sys.path.insert(0, HERE)

import oracle  # noqa: E402

DIALECT = {"postgres": "postgres", "clickhouse": "clickhouse", "spark": "databricks"}
# The dialects no engine here runs: `--engine sqlglot-duckdb` reads their SQL with sqlglot into
# DuckDB's dialect and runs it on DuckDB (engines.SqlglotDuckDb), compared like a real engine.
READ_BY_SQLGLOT = ["bigquery", "snowflake", "redshift", "trino"]
# `--engine sqlglot` parses the dialects that real engines run (the four above are parsed, and
# more, by sqlglot-duckdb).
SQLGLOT_DIALECTS = ["duckdb", "postgres", "databricks", "clickhouse"]
REL_TOL = 1e-9
# Known failures, reported to the SQL stage or pinned on sqlglot (docs/engines.md, Findings):
# (engine, file name, text, reason). The engine is a real engine's name or `sqlglot:<dialect>`;
# the text is found in the engine's error or in a difference of that file (a difference line
# names the file, the period, the column and both values). Printed as KNOWN with the reason, not
# counted; one that no longer happens is a problem, so the entry is removed with the fix.
KNOWN = []
# Values an engine computes less exactly, for a reason reported to the SQL stage: (engine,
# metric, relative tolerance). Spark types the literal `60.0` in `duration_s / 60.0`
# (specs/learning.yaml) as DECIMAL, so the quotient is rounded to 6 decimal places.
LOOSE = []
CONF = os.path.join(HERE, "conformance")


def project_runs(tmp, engine=None):
    """(project label, spec paths, data dir, conformance?, [option lists]) for `engine`.

    Every engine runs the full conformance grid. Spark, whose every query costs ~100 times the
    others' (planning and scheduling), runs the reference specs with a range only: the forms
    without a range are run on Spark by the conformance project (every metric kind, with and
    without `--by`), and every reference metric still runs on Spark, in its ranged form."""
    specs = [os.path.join(ROOT, "specs")]
    conf_spec = [os.path.join(CONF, "spec")]
    # A spec file belongs to the project of its directory: copy one product out to break it
    # down by a dimension that only its sources have.
    market = os.path.join(tmp, "marketplace")
    os.makedirs(market, exist_ok=True)
    for f in ["marketplace.yaml", "owners.yaml"]:
        with open(os.path.join(ROOT, "specs", f)) as src, open(os.path.join(market, f), "w") as dst:
            dst.write(src.read())
    market = [market]
    data = os.path.join(ROOT, "examples", "data")
    conf_data = os.path.join(CONF, "data")
    spec_range = ["--from", "2026-09-02", "--to", "2026-12-31"]
    specs_options = [[], spec_range]
    market_options = [["--by", "market"], ["--by", "market", *spec_range]]
    if engine == "spark":
        specs_options, market_options = specs_options[1:], market_options[1:]
    return [
        ("specs", specs, data, False, specs_options),
        ("specs/marketplace", market, data, False, market_options),
        ("conformance", conf_spec, conf_data, True, [
            [],
            ["--by", "team"],
            ["--from", "2025-12-17", "--to", "2026-06-30"],
            ["--by", "team", "--from", "2025-12-17", "--to", "2026-06-30"],
            ["--from", "2024-06-01", "--to", "2026-01-31"],
        ]),
    ]


# --- data ------------------------------------------------------------------------------------

def declared_types(spec_dir):
    """table (schema, name) -> [(column, type)] from `columns: {name: type, ...}` in the specs."""
    out = {}
    for path in sorted(glob.glob(os.path.join(spec_dir, "*.yaml"))):
        table = None
        for line in open(path):
            m = re.match(r"\s+table:\s*([\w.]+)", line)
            if m:
                table = tuple(m.group(1).split("."))
            m = re.match(r"\s+columns:\s*\{(.*)\}\s*$", line)
            if m and table:
                out[table] = [tuple(x.strip() for x in kv.split(":")) for kv in m.group(1).split(",")]
                table = None
    return out


def sniffed_types(path):
    """The column types DuckDB's CSV reader infers (what `lodestar run` reads)."""
    import duckdb
    canon = {"BIGINT": "bigint", "INTEGER": "bigint", "DOUBLE": "double", "VARCHAR": "varchar",
             "BOOLEAN": "boolean", "TIMESTAMP": "timestamp", "DATE": "date"}
    rows = duckdb.sql(f"DESCRIBE SELECT * FROM read_csv_auto('{path}')").fetchall()
    return [(r[0], canon[r[1]]) for r in rows]


def parse(ty, s):
    if s == "":
        return None
    return {
        "bigint": int,
        "double": float,
        "varchar": str,
        "boolean": lambda x: {"true": True, "false": False}[x.lower()],
        "timestamp": dt.datetime.fromisoformat,
        "date": dt.date.fromisoformat,
    }[ty](s)


def read_tables(data_dir, types):
    """(schema, name) -> (columns with types, typed rows), for every CSV under data_dir."""
    out = {}
    for path in sorted(glob.glob(os.path.join(data_dir, "*", "*.csv"))):
        key = (os.path.basename(os.path.dirname(path)), os.path.splitext(os.path.basename(path))[0])
        cols = types.get(key) or sniffed_types(path)
        with open(path, newline="") as f:
            r = csv.reader(f)
            header = next(r)
            if header != [c for c, _ in cols]:
                raise SystemExit(f"{path}: header {header} does not match the declared columns {cols}")
            rows = [tuple(parse(ty, v) for (_, ty), v in zip(cols, row)) for row in r]
        out[key] = (cols, rows)
    return out


# --- results ---------------------------------------------------------------------------------

def norm_key(v):
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\d( 00:00:00(\.0+)?)?", v):
        return v[:10]
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def norm_value(v):
    if v is None:
        return None
    if isinstance(v, str):
        return float(v)  # ClickHouse may quote numbers
    return float(v)


def table_of(columns, rows, nkeys):
    """{key tuple: {column: value}} with the first nkeys columns as the key."""
    out = {}
    for r in rows:
        key = tuple(norm_key(v) for v in r[:nkeys])
        if key in out:
            raise AssertionError(f"duplicate row for key {key}")
        out[key] = {c: norm_value(v) for c, v in zip(columns[nkeys:], r[nkeys:])}
    return out


def close(a, b, rel_tol=REL_TOL):
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) or math.isnan(b):
        return False
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-12)


def compare(what, got_name, got, want_name, want, problems, limit=20, tols=None):
    """Appends one line per difference between two keyed tables (`tols`: column -> tolerance)."""
    tols = tols or {}
    n0 = len(problems)
    for key in sorted(set(got) | set(want), key=lambda k: tuple("" if x is None else str(x) for x in k)):
        if key not in got or key not in want:
            side, other = (got_name, want_name) if key not in got else (want_name, got_name)
            row = (want if key not in got else got)[key]
            problems.append(f"{what}: row {fmt_key(key)} missing on {side} "
                            f"(present on {other}: {row})")
            continue
        for col in want[key]:
            a, b = got[key].get(col), want[key][col]
            if not close(a, b, tols.get(col, REL_TOL)):
                problems.append(f"{what}: {col} at {fmt_key(key)}: {got_name} = {a!r}, "
                                f"{want_name} = {b!r}")
        if len(problems) - n0 >= limit:
            problems.append(f"{what}: ... (more differences left out)")
            return


def fmt_key(key):
    return "period " + ", ".join("NULL" if k is None else str(k) for k in key)


def oracle_tables(tables):
    out = {}
    for (_, name), (cols, rows) in tables.items():
        out[name] = [dict(zip([c for c, _ in cols], r)) for r in rows]
    return out


def as_oracle_table(d):
    return {tuple(norm_key(x) for x in k): ({"value": norm_value(v)} if not isinstance(v, dict)
                                            else {c: norm_value(x) for c, x in v.items()})
            for k, v in d.items()}


# --- lodestar --------------------------------------------------------------------------------

def compile_sql(lodestar, paths, dialect, options, out):
    out = tempfile.mkdtemp(dir=out)
    cmd = [lodestar, "compile", *paths, "--dialect", dialect, "--out", out, *options]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"`{' '.join(cmd)}` failed ({p.returncode}):\n{p.stderr}")
    files = {}
    for path in sorted(glob.glob(os.path.join(out, "*", "*.sql"))):
        rel = os.path.relpath(path, out)
        files[rel] = open(path).read()
    return files


def lodestar_run(lodestar, paths, data, options):
    """The scorecard rows of `lodestar run --format json` by product, or None if the binary lacks
    DuckDB."""
    cmd = [lodestar, "run", *paths, "--data", data, "--format", "json", *options]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        if "without duckdb" in p.stderr.lower():
            return None
        raise SystemExit(f"`{' '.join(cmd)}` failed ({p.returncode}):\n{p.stderr}")
    # One table for every product: `product` first, `complete` last, each product's rows null
    # in the columns of the others' metrics. Rows by product, as objects.
    out = {}
    for r in json.loads(p.stdout)["rows"]:
        out.setdefault(r["product"], []).append(r)
    return out


def nkeys_of(rel, options):
    by = options.count("--by")
    return 1 + by + (1 if rel.endswith("/guardrails.sql") else 0)


def option_value(options, flag):
    return options[options.index(flag) + 1] if flag in options else None


# --- runs ------------------------------------------------------------------------------------

def run_all(eng, sqls):
    """Each statement's (columns, rows), or the exception the engine raised."""
    if hasattr(eng, "query_all"):
        return eng.query_all(sqls)

    def one(sql):
        try:
            return eng.query(sql)
        except Exception as e:
            return e
    threads = getattr(eng, "threads", 1)
    if threads == 1:
        return [one(q) for q in sqls]
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, sqls))


def known_of(name, rel, text):
    """The KNOWN entry that `text` (an engine error or a difference) of `rel` on `name` matches."""
    for k in KNOWN:
        if k[0] == name and rel.endswith("/" + k[1]) and k[2] in text:
            return k
    return None


def start_targets(engine_name, stack):
    """[(name, dialect, engine)] compared in one run: one real engine, or the four dialects no
    engine here runs, each read by sqlglot into its own DuckDB (translations share one pool)."""
    from engines import ENGINES, SqlglotDuckDb
    if engine_name != "sqlglot-duckdb":
        eng = ENGINES[engine_name]()
        stack.append(eng.close)
        return [(engine_name, DIALECT[engine_name], eng)]
    import multiprocessing
    # spawn: the workers only translate, and a fork would copy DuckDB's threads.
    pool = multiprocessing.get_context("spawn").Pool(os.cpu_count() or 2)
    stack.append(pool.terminate)
    out = []
    for d in READ_BY_SQLGLOT:
        eng = SqlglotDuckDb(d, pool)
        stack.append(eng.close)
        out.append((eng.name, d, eng))
    return out


def run_engine(engine_name, lodestar, tmp):
    problems, checked = [], 0
    t0 = time.time()
    from engines import ENGINES
    stack = []  # what to close, in reverse order
    ref = ENGINES["duckdb"]()
    stack.append(ref.close)
    has_run = True
    loaded = set()
    seen_known = set()
    names = []
    timing = {}  # target -> seconds spent compiling its dialect and running its queries

    def report(what, name, rel, lines):
        """Adds `lines` (differences of `rel` on `name`) to the problems, except KNOWN ones."""
        unknown, pinned = [], {}
        for line in lines:
            k = known_of(name, rel, line)
            if k:
                pinned[k] = pinned.get(k, 0) + 1
            else:
                unknown.append(line)
        for k, n in pinned.items():
            seen_known.add(k)
            print(f"KNOWN {what}: {n} difference(s) with {k[2]!r}: {k[3]}", flush=True)
        problems.extend(unknown[:20])
        if len(unknown) > 20:
            problems.append(f"{what}: ... ({len(unknown) - 20} more differences left out)")

    try:
        targets = start_targets(engine_name, stack)
        names = [n for n, _, _ in targets]
        print(f"[{engine_name}] engine up in {time.time() - t0:.1f}s", flush=True)
        for label, paths, data, conformance, option_sets in project_runs(tmp, engine_name):
            types = declared_types(paths[0]) if conformance else {}
            tables = read_tables(data, types)
            t1 = time.time()
            if data not in loaded:
                for (schema, name), (cols, rows) in tables.items():
                    ref.load(schema, name, cols, rows)
                    for _, _, eng in targets:
                        eng.load(schema, name, cols, rows)
                loaded.add(data)
                print(f"[{engine_name}] {label}: loaded {len(tables)} tables in {time.time() - t1:.1f}s",
                      flush=True)
            raw = oracle_tables(tables) if conformance else None
            for options in option_sets:
                t1 = time.time()
                tag = f"{label} {' '.join(options) or '(no options)'}"
                duck = compile_sql(lodestar, paths, "duckdb", options, tmp)
                run = lodestar_run(lodestar, paths, data, options) if has_run else None
                has_run = run is not None
                by = [options[i + 1] for i, o in enumerate(options) if o == "--by"]
                start, end = option_value(options, "--from"), option_value(options, "--to")
                orc = oracle.Oracle(raw, by, start and dt.date.fromisoformat(start),
                                    end and dt.date.fromisoformat(end)) if conformance else None
                # DuckDB's answers and the oracle's, once per file for every target.
                wants, exps = {}, {}
                for rel in sorted(duck):
                    n = nkeys_of(rel, options)
                    ref_cols, ref_rows = ref.query(duck[rel])
                    want = wants[rel] = table_of(ref_cols, ref_rows, n)
                    product, file = rel.split("/")
                    if file == "scorecard.sql" and run is not None:
                        cols = list(ref_cols)
                        rows = [[r.get(c) for c in cols] for r in run.get(product, [])]
                        compare(f"{tag}: {rel}", "duckdb (compiled SQL)", want,
                                "lodestar run", table_of(cols, rows, n), problems)
                    if orc is not None:
                        grain = product.split("_", 1)[1]
                        if file == "scorecard.sql":
                            exp = as_oracle_table(orc.scorecard(grain))
                        elif file == "guardrails.sql":
                            exp = as_oracle_table(orc.guardrails(grain))
                        else:
                            exp = as_oracle_table(orc.metric(file[:-4], grain))
                        exps[rel] = exp
                        compare(f"{tag}: {rel} on duckdb", "duckdb", want, "oracle", exp, problems)
                for name, dialect, eng in targets:
                    t2 = time.time()
                    target = compile_sql(lodestar, paths, dialect, options, tmp)
                    if sorted(duck) != sorted(target):
                        problems.append(f"{tag}: different files for duckdb and {name}")
                    rels = sorted(set(target) & set(duck))
                    results = run_all(eng, [target[r] for r in rels])
                    for rel, result in zip(rels, results):
                        what = f"{tag}: {rel} on {name}"
                        explain = getattr(eng, "explain", lambda _: None)(target[rel])
                        if isinstance(result, Exception):  # the engine rejected the SQL: a finding
                            line = f"{what}: the engine failed: {str(result).strip()[:2000]}"
                            k = known_of(name, rel, line)
                            if k:
                                seen_known.add(k)
                                print(f"KNOWN {what}: {k[2]!r}: {k[3]}", flush=True)
                                continue
                            problems.append(f"{line}\n--- SQL ---\n{target[rel]}" +
                                            (f"\n--- as DuckDB (sqlglot) ---\n{explain}" if explain else ""))
                            continue
                        got = table_of(*result, nkeys_of(rel, options))
                        file = rel.split("/")[1]
                        tols = {}
                        for e, metric, tol in LOOSE:
                            if e == name:
                                tols[metric] = tol
                                if file == metric + ".sql":
                                    tols["value"] = tol
                        lines = []
                        compare(what, name, got, "duckdb", wants[rel], lines, limit=10**9, tols=tols)
                        if rel in exps:
                            compare(what, name, got, "oracle", exps[rel], lines, limit=10**9, tols=tols)
                        report(what, name, rel, lines)
                        checked += 1
                    timing[name] = timing.get(name, 0.0) + time.time() - t2
                times = f" x {len(targets)} dialects" if len(targets) > 1 else ""
                print(f"[{engine_name}] {tag}: {len(duck)} queries{times} in {time.time() - t1:.1f}s",
                      flush=True)
    finally:
        for close_one in reversed(stack):
            close_one()
    if len(timing) > 1:
        print(f"[{engine_name}] time per target (compile + translate + run): " +
              ", ".join(f"{n} {s:.1f}s" for n, s in timing.items()), flush=True)
    for k in KNOWN:
        if k[0] in names and k not in seen_known:
            problems.append(f"the known failure {k} no longer happens: remove it from KNOWN")
    if not has_run:
        print(f"[{engine_name}] note: {lodestar} has no DuckDB; the scorecards were compared with the "
              "compiled DuckDB SQL in Python duckdb only", flush=True)
    return checked, problems


def sqlglot_parse(job):
    """None when `sql` parses as exactly one statement of `dialect`, else the error."""
    import sqlglot
    from sqlglot.errors import ErrorLevel
    dialect, sql = job
    try:
        trees = sqlglot.parse(sql, read=dialect, error_level=ErrorLevel.RAISE)
        if len([t for t in trees if t is not None]) != 1:
            return f"{len(trees)} statements"
    except Exception as e:
        return str(e).strip()[:1000]
    return None


def run_sqlglot(lodestar, tmp):
    import multiprocessing
    where = {}  # (dialect, sql) -> the first place it was generated
    for label, paths, _, _, option_sets in project_runs(tmp):
        for options in ([] if [] in option_sets else [[]]) + option_sets:
            for d in SQLGLOT_DIALECTS:
                for rel, sql in compile_sql(lodestar, paths, d, options, tmp).items():
                    where.setdefault((d, sql), f"{label} {' '.join(options)}: {rel}")
    jobs = list(where)
    with multiprocessing.Pool(os.cpu_count() or 2) as pool:
        errors = pool.map(sqlglot_parse, jobs, chunksize=16)
    problems = [f"{where[j]} does not parse as {j[0]} with sqlglot: {e}"
                for j, e in zip(jobs, errors) if e is not None]
    return len(jobs), problems


def main():
    # A terminated run still stops its engines (the `finally` blocks): Spark's JVM outlives a
    # Python process killed without them.
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--engine", required=True,
                    choices=["postgres", "clickhouse", "spark", "sqlglot-duckdb", "sqlglot"])
    ap.add_argument("--lodestar", required=True, help="the lodestar binary")
    args = ap.parse_args()
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="lodestar-xe-") as tmp:
        if args.engine == "sqlglot":
            checked, problems = run_sqlglot(args.lodestar, tmp)
        else:
            checked, problems = run_engine(args.engine, args.lodestar, tmp)
    for p in problems:
        print(f"MISMATCH {p}")
    print(f"[{args.engine}] {checked} queries checked, {len(problems)} problem(s), "
          f"{time.time() - t0:.1f}s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
