#!/usr/bin/env python3
"""lodestar -> MetricFlow -> lodestar: the round trip of `lodestar export --to metricflow`.

    python tests/metricflow/roundtrip.py SPEC DATA --lodestar BIN [--work DIR]

SPEC is a lodestar project (or spec file), DATA the directory `lodestar run --data` reads
(`DATA/<schema>/<table>.csv`). The steps:

1. `lodestar export SPEC --to metricflow --out WORK/mf` (one directory per product);
2. for each product and each grain its metrics use, `lodestar import metricflow` of that
   directory at `--grain` that grain, with `--north-star` and `--guardrail` taken from the
   export's `config.meta.lodestar` (a grain the North Star is not at gets a stand-in, roles do
   not change numbers). The import reads a copy of the directory without
   `config.meta.lodestar`: with it, the importer restores each metric's lodestar definition
   from the meta (tests/integration/roundtrip.rs checks that model), and these numbers would
   not test the translation of MetricFlow's definitions;
3. `lodestar compile --dialect duckdb` of the original and of every import, over the data's
   whole range of days;
4. both SQLs of every exported metric run on one in-memory DuckDB holding the CSVs (and each
   `sql` source's `models/<name>.sql` as the view MetricFlow would read), compared period by
   period (relative tolerance 1e-9, NULL only equal to NULL).

Prints one line per product and the differing metrics; exit 1 when a metric differs or is
missing after the round trip (those EXPORT.md reports as not carried over excepted).
"""

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile

import duckdb
import yaml


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}{p.stderr}")
    return p


def documents(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def strip_meta(src, dst):
    """A copy of an exported product directory without `config.meta.lodestar` anywhere."""
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst)
    for f in os.listdir(dst):
        if not f.endswith(".yaml"):
            continue
        path = os.path.join(dst, f)
        docs = documents(path)
        for d in docs:
            for item in d.values():
                meta = (item or {}).get("config", {}).get("meta", {}) if isinstance(item, dict) else {}
                meta.pop("lodestar", None)
        with open(path, "w") as fh:
            yaml.safe_dump_all(docs, fh, sort_keys=False)


def load_data(con, data):
    days = []
    for schema in sorted(os.listdir(data)):
        d = os.path.join(data, schema)
        if not os.path.isdir(d):
            continue
        con.execute(f'create schema if not exists "{schema}"')
        for f in sorted(os.listdir(d)):
            if f.endswith(".csv"):
                table = f[: -len(".csv")]
                path = os.path.join(d, f).replace("'", "''")
                con.execute(f'create table "{schema}"."{table}" as select * from read_csv_auto(\'{path}\', header = true)')
                for col, typ in con.execute(
                    "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ?",
                    [schema, table],
                ).fetchall():
                    if typ in ("DATE", "TIMESTAMP"):
                        lo, hi = con.execute(f'select min("{col}")::date, max("{col}")::date from "{schema}"."{table}"').fetchone()
                        days += [x for x in (lo, hi) if x]
    return min(days), max(days)


def series(con, path):
    with open(path) as f:
        sql = f.read()
    rows = con.execute(sql).fetchall()
    cols = [d[0] for d in con.description]
    p, v = cols.index("period"), cols.index("value")
    return {r[p]: (None if r[v] is None else float(r[v])) for r in rows}


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("spec")
    ap.add_argument("data")
    ap.add_argument("--lodestar", required=True)
    ap.add_argument("--work", default=None)
    args = ap.parse_args()
    ls = args.lodestar
    work = args.work or tempfile.mkdtemp(prefix="lodestar-roundtrip-")
    mf = os.path.join(work, "mf")
    run([ls, "export", args.spec, "--to", "metricflow", "--out", mf])
    con = duckdb.connect()
    first, last = load_data(con, args.data)
    span = ["--from", first.isoformat(), "--to", last.isoformat()]
    original = os.path.join(work, "sql-original")
    run([ls, "compile", args.spec, "--dialect", "duckdb", "--out", original] + span)

    products = sorted(d for d in os.listdir(mf) if os.path.isdir(os.path.join(mf, d)))
    checked, bad = 0, []
    for product in products:
        pdir = os.path.join(mf, product)
        plain = os.path.join(work, "mf-without-meta", product)
        strip_meta(pdir, plain)
        models = os.path.join(pdir, "models")
        for f in sorted(os.listdir(models)) if os.path.isdir(models) else []:
            with open(os.path.join(models, f)) as fh:
                body = "\n".join(l for l in fh.read().splitlines() if not l.startswith("--"))
            con.execute(f'create or replace view main."{f[:-4]}" as {body}')
        metrics = [d["metric"] for d in documents(os.path.join(pdir, "metrics.yaml"))]
        own = [m for m in metrics if "helper_of" not in m["config"]["meta"]["lodestar"]]
        grains = sorted({m["time_granularity"] for m in own})
        for grain in grains:
            at = [m for m in own if m["time_granularity"] == grain]
            role = lambda m: m["config"]["meta"]["lodestar"]["role"]
            imported = os.path.join(work, "imported", f"{product}-{grain}")
            ns = next((m for m in at if role(m) == "north_star"), at[0])
            guards = [m for m in at if role(m) == "guardrail" and m is not ns]
            flags = ["--north-star", ns["name"]]
            for g in guards:
                th = g["config"]["meta"]["lodestar"].get("threshold", {})
                bounds = ",".join(f"{k}={th[k]}" for k in ("min", "max") if k in th)
                flags += ["--guardrail", f"{g['name']}:{bounds}"]
            # Lint wants a guardrail: without one at this grain, a stand-in (roles do not
            # change numbers), the first the importer can carry at this grain.
            stand_ins = [[]] if guards else [
                ["--guardrail", f"{m['name']}:max=1e300"] for m in at + metrics if m is not ns
            ]
            for extra in stand_ins:
                p = subprocess.run([ls, "import", "metricflow", plain, "--out", imported, "--grain", grain] + flags + extra,
                                   capture_output=True, text=True)
                if p.returncode == 0:
                    break
            else:
                sys.exit(f"cannot import {product} at grain {grain}:\n{p.stdout}{p.stderr}")
            sqldir = os.path.join(work, "sql-imported", f"{product}-{grain}")
            run([ls, "compile", imported, "--dialect", "duckdb", "--out", sqldir] + span)
            for m in at:
                a = os.path.join(original, product, m["name"] + ".sql")
                b = os.path.join(sqldir, product, m["name"] + ".sql")
                if not os.path.exists(b):
                    bad.append((product, m["name"], f"not in the import at grain {grain}"))
                    continue
                x, y = series(con, a), series(con, b)
                diff = [(p, x.get(p), y.get(p)) for p in sorted(set(x) | set(y)) if not same(x.get(p), y.get(p))]
                checked += 1
                if diff:
                    bad.append((product, m["name"], f"{len(diff)} of {len(x)} periods differ, e.g. {diff[0]}"))
        print(f"{product}: {len(own)} metrics exported, grains {', '.join(grains)}")
    print(f"round trip: {checked} metrics compared on the data, {len(bad)} problem(s); work dir {work}")
    for p, m, why in bad:
        print(f"  {p}.{m}: {why}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
