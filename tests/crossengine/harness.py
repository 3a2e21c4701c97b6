#!/usr/bin/env python3
"""Cross-engine suite: runs the SQL that `lodestar compile` writes on real engines and compares
every value with DuckDB's and with answers computed here from the raw rows.

    harness.py --engine postgres|clickhouse|spark --lodestar BIN   (postgres: inside scripts/postgres.sh run)
    harness.py --engine sqlglot --lodestar BIN                     (parse every dialect's SQL)

Projects: the reference specs in specs/ with examples/data, and the conformance project
tests/crossengine/conformance (every metric kind at every grain, typed columns, edge-case data).
For each project and each set of `--by/--from/--to` options, the SQL is compiled for DuckDB and
for the engine's dialect, the same typed rows are loaded into both engines, and every metric file,
scorecard and guardrails query is compared: engine vs DuckDB (the compiled DuckDB SQL, and the
scorecard of `lodestar run --format json` when the binary has DuckDB) and, for the conformance
project, both vs the Python oracle (oracle.py). Exit 0 when everything matches, 1 on mismatches
(each named: project, options, file, period, engine, both values), 2 when the tool cannot run.
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
SQLGLOT_DIALECTS = ["duckdb", "postgres", "bigquery", "snowflake", "redshift", "databricks",
                    "trino", "clickhouse"]
REL_TOL = 1e-9
# Engine errors already reported to the SQL stage (docs/engines.md, Findings): (engine, file
# name, text of the error). Printed as KNOWN, not counted; one that no longer happens is a
# problem, so the entry is removed when the SQL is fixed.
KNOWN = []
# Values an engine computes less exactly, for a reason reported to the SQL stage: (engine,
# metric, relative tolerance). Spark types the literal `60.0` in `duration_s / 60.0`
# (specs/learning.yaml) as DECIMAL, so the quotient is rounded to 6 decimal places.
LOOSE = []
CONF = os.path.join(HERE, "conformance")


def project_runs(tmp):
    """(project label, spec paths, data dir, conformance?, [option lists])."""
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
    return [
        ("specs", specs, data, False, [[], ["--from", "2026-09-02", "--to", "2026-12-31"]]),
        ("specs/marketplace", market, data, False,
         [["--by", "market"], ["--by", "market", "--from", "2026-09-02", "--to", "2026-12-31"]]),
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
            side = got_name if key not in got else want_name
            other = want if key not in got else got
            problems.append(f"{what}: row {fmt_key(key)} missing on {side} "
                            f"(present on the other: {other[key]})")
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
    """The scorecards of `lodestar run --format json`, or None if the binary lacks DuckDB."""
    cmd = [lodestar, "run", *paths, "--data", data, "--format", "json", *options]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        if "without duckdb" in p.stderr.lower():
            return None
        raise SystemExit(f"`{' '.join(cmd)}` failed ({p.returncode}):\n{p.stderr}")
    out = {}
    for prod in json.loads(p.stdout)["products"]:
        cols = prod["columns"]
        rows = [[r[c] for c in cols] if isinstance(r, dict) else r for r in prod["rows"]]
        out[prod["product"]] = (cols, rows)
    return out


def nkeys_of(rel, options):
    by = options.count("--by")
    return 1 + by + (1 if rel.endswith("/guardrails.sql") else 0)


def option_value(options, flag):
    return options[options.index(flag) + 1] if flag in options else None


# --- runs ------------------------------------------------------------------------------------

def run_all(eng, sqls):
    """Each statement's (columns, rows), or the exception the engine raised."""
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


def run_engine(engine_name, lodestar, tmp):
    from engines import ENGINES
    problems, checked = [], 0
    t0 = time.time()
    ref = ENGINES["duckdb"]()
    eng = ENGINES[engine_name]()
    print(f"[{engine_name}] engine up in {time.time() - t0:.1f}s", flush=True)
    has_run = True
    loaded = set()
    seen_known = set()
    try:
        for label, paths, data, conformance, option_sets in project_runs(tmp):
            types = declared_types(paths[0]) if conformance else {}
            tables = read_tables(data, types)
            t1 = time.time()
            if data not in loaded:
                for (schema, name), (cols, rows) in tables.items():
                    ref.load(schema, name, cols, rows)
                    eng.load(schema, name, cols, rows)
                loaded.add(data)
                print(f"[{engine_name}] {label}: loaded {len(tables)} tables in {time.time() - t1:.1f}s",
                      flush=True)
            raw = oracle_tables(tables) if conformance else None
            for options in option_sets:
                t1 = time.time()
                tag = f"{label} {' '.join(options) or '(no options)'}"
                duck = compile_sql(lodestar, paths, "duckdb", options, tmp)
                target = compile_sql(lodestar, paths, DIALECT[engine_name], options, tmp)
                if sorted(duck) != sorted(target):
                    problems.append(f"{tag}: different files for duckdb and {engine_name}")
                run = lodestar_run(lodestar, paths, data, options) if has_run else None
                has_run = run is not None
                by = [options[i + 1] for i, o in enumerate(options) if o == "--by"]
                start, end = option_value(options, "--from"), option_value(options, "--to")
                orc = oracle.Oracle(raw, by, start and dt.date.fromisoformat(start),
                                    end and dt.date.fromisoformat(end)) if conformance else None
                rels = sorted(target)
                results = run_all(eng, [target[r] for r in rels])
                for rel, result in zip(rels, results):
                    what = f"{tag}: {rel} on {engine_name}"
                    n = nkeys_of(rel, options)
                    if isinstance(result, Exception):  # the engine rejected the SQL: a finding
                        e = result
                        known = [k for k in KNOWN if k[0] == engine_name
                                 and rel.endswith("/" + k[1]) and k[2] in str(e)]
                        if known:
                            seen_known.add(known[0])
                            print(f"KNOWN {what}: {known[0][2]}", flush=True)
                            continue
                        problems.append(f"{what}: the engine failed: {str(e).strip()[:2000]}\n"
                                        f"--- SQL ---\n{target[rel]}")
                        continue
                    got = table_of(*result, n)
                    want = table_of(*ref.query(duck[rel]), n)
                    product, file = rel.split("/")
                    tols = {}
                    for e, metric, tol in LOOSE:
                        if e == engine_name:
                            tols[metric] = tol
                            if file == metric + ".sql":
                                tols["value"] = tol
                    compare(what, engine_name, got, "duckdb", want, problems, tols=tols)
                    if file == "scorecard.sql" and run is not None:
                        cols, rows = run[product]
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
                        compare(what, engine_name, got, "oracle", exp, problems, tols=tols)
                        compare(f"{tag}: {rel} on duckdb", "duckdb", want, "oracle", exp, problems)
                    checked += 1
                print(f"[{engine_name}] {tag}: {len(target)} queries in {time.time() - t1:.1f}s", flush=True)
    finally:
        eng.close()
        ref.close()
    for k in KNOWN:
        if k[0] == engine_name and k not in seen_known:
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
    ap.add_argument("--engine", required=True, choices=["postgres", "clickhouse", "spark", "sqlglot"])
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
