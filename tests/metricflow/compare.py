#!/usr/bin/env python3
"""Imports a MetricFlow project with lodestar and compares the numbers with MetricFlow's own.

    python tests/metricflow/compare.py PROJECT [--lodestar BIN] [--work DIR] [--verbose]

PROJECT is what `bench/gen_metricflow.py` writes: `semantic/` (MetricFlow's YAML) and
`data/main/*.csv`. The steps:

1. `lodestar import metricflow PROJECT/semantic --out WORK/imported`, then
   `lodestar compile WORK/imported --dialect duckdb --out WORK/sql`;
2. MetricFlow (the `metricflow` package, 0.213) parses the same YAML, and its engine renders the
   SQL of each metric grouped by `metric_time__day` for DuckDB (a small SqlClient here gives it
   the dialect; MetricFlow never touches a database);
3. both SQLs run on one in-memory DuckDB holding the CSV rows as `main.<name>`;
4. each metric's series are compared day by day.

A metric is **equal** when every day both report agrees (relative tolerance 1e-9), and every
day only one reports holds 0 or NULL there (lodestar reports every day of its range, counts and
sums 0 on days without rows; MetricFlow omits such days or gives NULL). It **differs** otherwise,
and the first differing days are printed. Metrics the import did not carry over are counted
from its report. Exit code: 0 when no carried-over metric differs, 1 otherwise.
"""

import argparse
import datetime as dt
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

import duckdb
from metricflow.engine.metricflow_engine import MetricFlowEngine, MetricFlowQueryRequest
from metricflow.protocols.sql_client import SqlEngine
from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer
from metricflow_semantic_interfaces.parsing.dir_to_model import (
    parse_directory_of_yaml_files_to_semantic_manifest,
)
from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup


class RenderOnlyDuckDb:
    """The SqlClient MetricFlow's engine needs to render DuckDB SQL; it executes nothing."""

    sql_engine_type = SqlEngine.DUCKDB
    sql_plan_renderer = DuckDbSqlPlanRenderer()

    def query(self, stmt, sql_bind_parameter_set=None):
        raise NotImplementedError("render only")

    def execute(self, stmt, sql_bind_parameter_set=None):
        raise NotImplementedError("render only")

    def dry_run(self, stmt, sql_bind_parameter_set=None):
        raise NotImplementedError("render only")

    def close(self):
        pass

    def render_bind_parameter_key(self, key):
        return "$" + key


def default_lodestar():
    for candidate in [
        os.environ.get("LODESTAR"),
        os.path.expanduser("~/.cache/lodestar/helper-target/debug/lodestar"),
        shutil.which("lodestar"),
    ]:
        if candidate and os.path.exists(candidate):
            return candidate
    sys.exit("no lodestar binary: pass --lodestar or set LODESTAR")


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}{p.stderr}")
    return p


def load_data(con, data_dir):
    main = os.path.join(data_dir, "main")
    for f in sorted(os.listdir(main)):
        if f.endswith(".csv"):
            name = f[: -len(".csv")]
            path = os.path.join(main, f).replace("'", "''")
            con.execute(f"create table main.{name} as select * from read_csv_auto('{path}', header = true)")


def data_range(con):
    """The first and last day of every date column of the data (the time spine excluded)."""
    days = []
    for (table,) in con.execute("select table_name from information_schema.tables").fetchall():
        if table == "mf_time_spine":
            continue
        for (col, typ) in con.execute(
            "select column_name, data_type from information_schema.columns where table_name = ?", [table]
        ).fetchall():
            if typ in ("DATE", "TIMESTAMP"):
                days.extend(d for d in con.execute(f'select min("{col}")::date, max("{col}")::date from main.{table}').fetchone() if d)
    return min(days), max(days)


def series(con, sql, period_col):
    rows = con.execute(sql).fetchall()
    cols = [d[0] for d in con.description]
    p = cols.index(period_col)
    v = [i for i, c in enumerate(cols) if i != p][0]
    out = {}
    for r in rows:
        key = r[p]
        if isinstance(key, dt.datetime):
            key = key.date()
        out[key] = None if r[v] is None else float(r[v])
    return out


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def blank(v):
    return v is None or v == 0


def report_tables(report):
    """The rows of IMPORT.md's tables, by section title."""
    sections, title = {}, None
    for line in report.splitlines():
        if line.startswith("## "):
            title = re.sub(r" \(\d+\)$", "", line[3:])
            sections[title] = []
        elif line.startswith("| ") and title and not line.startswith("| what |") and not line.startswith("| metric |"):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            sections[title].append(cells)
    return sections


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("project")
    ap.add_argument("--lodestar", default=None)
    ap.add_argument("--work", default=None)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    lodestar = args.lodestar or default_lodestar()
    work = args.work or tempfile.mkdtemp(prefix="lodestar-mf-")
    semantic = os.path.join(args.project, "semantic")
    imported = os.path.join(work, "imported")
    sqldir = os.path.join(work, "sql")
    for d in (imported, sqldir):
        shutil.rmtree(d, ignore_errors=True)

    # Without a North Star and guardrails the project has LS001/LS002 and does not compile:
    # they are chosen as a user would.
    run(
        [lodestar, "import", "metricflow", semantic, "--out", imported, "--north-star", "orders",
         "--guardrail", "refund_rate:max=0.5"]
    )
    run([lodestar, "lint", imported])
    con = duckdb.connect()
    load_data(con, os.path.join(args.project, "data"))
    first, last = data_range(con)
    # A range makes lodestar report every day of it, as MetricFlow's time spine does.
    run([lodestar, "compile", imported, "--dialect", "duckdb", "--out", sqldir,
         "--from", first.isoformat(), "--to", last.isoformat()])
    with open(os.path.join(imported, "IMPORT.md")) as f:
        report = f.read()
    tables = report_tables(report)
    product = [d for d in os.listdir(sqldir) if os.path.isdir(os.path.join(sqldir, d))][0]

    # MetricFlow metric → lodestar metric, from the report's table of types.
    names = {}
    for line in report.splitlines():
        m = re.match(r"\| `([a-z0-9_]+)` \| `([^`]+)` \|", line)
        if m:
            names[m.group(2)] = m.group(1)
    not_carried = [c[0] for c in tables.get("Not carried over", []) if c[0].startswith("metric")]
    differs_noted = [c[0] for c in tables.get("Carried over with a difference", [])]

    manifest = parse_directory_of_yaml_files_to_semantic_manifest(semantic).semantic_manifest
    engine = MetricFlowEngine(SemanticManifestLookup(manifest), RenderOnlyDuckDb())

    equal, null_handling, differing, failed = [], [], [], []
    for metric in sorted(m.name for m in manifest.metrics):
        if metric not in names:
            continue
        try:
            explained = engine.explain(
                MetricFlowQueryRequest.create(metric_names=[metric], group_by_names=["metric_time__day"])
            )
            mf = series(con, explained.sql_statement.sql, "metric_time__day")
        except Exception as e:  # MetricFlow refusing a metric is reported, not fatal
            failed.append((metric, f"MetricFlow: {str(e).splitlines()[0][:200]}"))
            continue
        with open(os.path.join(sqldir, product, names[metric] + ".sql")) as f:
            ls = series(con, f.read(), "period")
        bad, null_only = [], []
        for day in sorted(set(mf) | set(ls)):
            if not first <= day <= last:
                continue  # MetricFlow's time spine reaches beyond the data
            a, b = mf.get(day), ls.get(day)
            if same(a, b) or (blank(a) and blank(b)):
                continue
            if a is None or (isinstance(a, float) and not math.isfinite(a) and b is None):
                # MetricFlow NULL where an input had no rows (lodestar counts it as 0), or
                # MetricFlow's x/0 = inf where lodestar's `/` gives NULL: documented.
                null_only.append((day, a, b))
            else:
                bad.append((day, a, b))
        if bad:
            differing.append((metric, bad))
        elif null_only:
            null_handling.append((metric, null_only))
        else:
            equal.append(metric)
        if args.verbose:
            print(f"{metric:32} {len(mf):4} MetricFlow days, {len(ls):4} lodestar days, {len(bad)} differ")

    print(f"lodestar import + compile vs MetricFlow {MetricFlowEngine.__module__.split('.')[0]} "
          f"on DuckDB {duckdb.__version__}; work dir {work}")
    print(f"metrics: {len(manifest.metrics)} in MetricFlow; carried over {len(names)}; "
          f"not carried over {len(not_carried)}")
    print(f"equal: {len(equal)}; equal but where MetricFlow is NULL or inf (an input without rows, "
          f"a division by zero): {len(null_handling)}; differing: {len(differing)}; "
          f"MetricFlow could not run: {len(failed)}")
    for metric, days in null_handling:
        print(f"  NULL handling only: {metric}: {len(days)} days, e.g. {days[0][0]}: MetricFlow {days[0][1]}, "
              f"lodestar {days[0][2]}")
    for metric, bad in differing:
        noted = " (the report says it may differ)" if f"metric `{names[metric]}`" in differs_noted else ""
        print(f"  differs: {metric}{noted}: {len(bad)} days, e.g.")
        for day, a, b in bad[:3]:
            print(f"    {day}: MetricFlow {a}, lodestar {b}")
    for metric, why in failed:
        print(f"  MetricFlow could not run {metric}: {why}")
    for subject in not_carried:
        print(f"  not carried over: {subject}")
    reported = {re.sub(r"^metric `(.*)`$", r"\1", s) for s in not_carried}
    extra = sorted(m.name for m in manifest.metrics if m.name not in names and m.name not in reported)
    if extra:
        print(f"  in MetricFlow's manifest only (added by its own transformations): {', '.join(extra)}")
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
