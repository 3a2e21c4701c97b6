#!/usr/bin/env python3
"""Generate a large, valid lodestar project for benchmarks.

    python3 bench/gen_project.py OUT_DIR [--products 1000] [--metrics 20] [--single]

Writes into OUT_DIR:

* ``lodestar.toml``: the project root (LS105 is off: a benchmark product has more inputs than a
  real framework should, and the warning would only add noise to the timings);
* ``shared.yaml``: ``lodestar: 1`` with the owners and the sources every product uses;
* ``products/pNNNN.yaml`` and ``products/pNNNN.lode``, alternating: one product per file, each
  with ``--metrics`` metrics (one North Star, two or three guardrails with thresholds, the rest
  inputs: filtered measures, count_distinct, having, percentiles, ratios, derived metrics,
  trailing windows), every metric owned and described, plus one source of its own.

Every product file is "a typical spec file" for the pull-request benchmark (lint one file of a
large project): ``products/p0000.yaml`` and ``products/p0001.lode`` are the canonical choices.
``--single`` writes only ``lodestar.toml``, ``shared.yaml`` and those two files (the names are
the same as in the full project), for a quick single-file benchmark. ``--time-kinds`` makes every
fourth input (a fifth of the metrics) a time comparison (in turn a ``compare`` of the North Star, a month-to-date
``count_distinct`` at day grain, a ``cumulative`` ``count_distinct`` and a 7-day
``conversion``), for the linearity benchmark of those kinds.

Products set no `game` and no `review`: a review date would fall overdue as time passes and
LS106 would start warning, so the generated project lints the same on any day.
The output is deterministic: the same arguments give the same bytes (no randomness, no clock).
The project lints with zero errors and zero warnings (checked by tests/integration/specs.rs on a small run).
Python standard library only.
"""

import argparse
import os
import sys

OWNERS = [
    ("growth", "Growth team", "growth@example.com", "#growth"),
    ("core", "Core product", "core@example.com", "#core"),
    ("trust", "Trust and safety", "trust@example.com", "#trust"),
    ("infra", "Platform infrastructure", "infra@example.com", None),
    ("data", "Data science", "data@example.com", "#data"),
    ("payments", "Payments", None, None),
]

# name, table, time column, columns, dimensions
SOURCES = [
    ("events", "bench.events", "occurred_at",
     ["occurred_at", "user_id", "account_id", "kind", "status", "amount", "duration_ms", "country", "platform"],
     [("country", "upper(country)"), ("platform", "lower(platform)")]),
    ("orders", "bench.orders", "ordered_at",
     ["ordered_at", "order_id", "user_id", "account_id", "status", "amount", "items", "country"],
     [("country", "country")]),
    ("tickets", "bench.tickets", "opened_at",
     ["opened_at", "ticket_id", "user_id", "priority", "resolved", "first_reply_minutes"],
     []),
    ("requests", "bench.requests", "requested_at",
     ["requested_at", "request_id", "user_id", "status_code", "latency_ms", "endpoint"],
     [("endpoint", "endpoint")]),
]

INPUT_TYPES = ["engagement", "adoption", "transaction", "conversion", "retention", "productivity", "efficiency"]
NS_TYPES = ["transaction", "engagement", "productivity"]
KINDS = ["create", "share", "comment", "complete", "invite", "export", "publish", "search"]


def owner_key(i):
    return OWNERS[i % len(OWNERS)][0]


class Metric:
    """A metric independent of syntax. `compute` is one of:
    ("measure", m), ("ratio", num, den), ("derived", expr); a measure is a dict with
    source, agg, expr, p, filter, having; ratio operands are a measure dict or a metric name."""

    def __init__(self, name, label, description, owner, mtype, compute, grain=None, window=None,
                 threshold=None, target=None, review=None, over=None):
        self.name = name
        self.label = label
        self.description = description
        self.owner = owner
        self.type = mtype
        self.compute = compute
        self.grain = grain
        self.window = window
        self.threshold = threshold
        self.target = target
        self.review = review
        # ("to_date", "month") or ("cumulative", None) on a measure.
        self.over = over


def m(source, agg, expr=None, filter=None, having=None, p=None):
    return {"source": source, "agg": agg, "expr": expr, "filter": filter, "having": having, "p": p}


TIME_KINDS = False


def time_kind(k, name, desc, owner, kind):
    """The time comparison that replaces input `k` with --time-kinds."""
    which = (k // 4) % 4
    if which == 0:
        return Metric(name, None, desc, owner, "transaction",
                      ("compare", "completed_actions", 1, "growth"))
    if which == 1:
        return Metric(name, None, desc, owner, "engagement",
                      ("measure", m("events", "count_distinct", "user_id", filter="kind = '%s'" % kind)),
                      grain="day", over=("to_date", "month"))
    if which == 2:
        return Metric(name, None, desc, owner, "adoption",
                      ("measure", m("events", "count_distinct", "user_id")), over=("cumulative", None))
    return Metric(name, None, desc, owner, "conversion",
                  ("conversion", "user_id", ("events", "kind = '%s'" % kind), ("orders", "status = 'paid'"), 7))


def product_metrics(pi, n_metrics, own_source):
    """The metrics of product number `pi`."""
    n_guard = 2 + pi % 2
    n_inputs = max(0, n_metrics - 1 - n_guard)
    ns_type = NS_TYPES[pi % len(NS_TYPES)]
    ns = Metric(
        "completed_actions", "Completed actions",
        "Actions users completed successfully: the value the product delivers.",
        owner_key(pi), ns_type,
        ("measure", m("events", "count", filter="status = 'ok' and kind = '%s'" % KINDS[pi % len(KINDS)])),
        grain="week",
        target=(str(1000 * (pi + 1)), "2027-06-30"),
    )
    inputs = []
    for k in range(n_inputs):
        owner = owner_key(pi + k + 1)
        mtype = INPUT_TYPES[(pi + k) % len(INPUT_TYPES)]
        kind = KINDS[(pi + k) % len(KINDS)]
        shape = k % 8
        name = "input_%02d_%s" % (k, kind)
        desc = "Input %d of product %d: %s activity." % (k, pi, kind)
        if TIME_KINDS and k % 4 == 3:
            inputs.append(time_kind(k, name, desc, owner, kind))
            continue
        if shape == 0:
            c = ("measure", m("events", "count_distinct", "user_id", filter="kind = '%s'" % kind))
            metric = Metric(name, None, desc, owner, mtype, c)
        elif shape == 1:
            c = ("measure", m("events", "count_distinct", "user_id", filter="kind = '%s'" % kind))
            metric = Metric(name, "Users doing %s, trailing 7 days" % kind, desc, owner, mtype, c,
                            grain="day", window="7 days")
        elif shape == 2:
            c = ("measure", m("orders", "sum", "amount * items", filter="status in ('paid', 'shipped')"))
            metric = Metric(name, None, desc, owner, mtype, c)
        elif shape == 3:
            c = ("ratio", m("orders", "count", filter="status = 'paid'"), m("orders", "count"))
            metric = Metric(name, "Paid share of orders (%s)" % kind, desc, owner, mtype, c)
        elif shape == 4:
            c = ("derived", "completed_actions / input_%02d_%s" % (k - 4, KINDS[(pi + k - 4) % len(KINDS)]))
            metric = Metric(name, None, desc, owner, mtype, c)
        elif shape == 5:
            c = ("measure", m("events", "count_distinct", "account_id", filter="kind = '%s'" % kind,
                              having="count(distinct user_id) >= 3"))
            metric = Metric(name, "Accounts with three or more members doing %s" % kind, desc, owner, mtype, c)
        elif shape == 6:
            c = ("measure", m(own_source, "avg", "value", filter="category = '%s'" % kind))
            metric = Metric(name, None, desc, owner, mtype, c, grain="week")
        else:
            c = ("ratio", m("events", "count", filter="status = 'ok'"), "completed_actions")
            metric = Metric(name, None, desc, owner, mtype, c, grain="week")
        inputs.append(metric)
    guards = [
        Metric("p95_latency_ms", "95th percentile latency (ms)", "Server latency users feel; must not grow.",
               "infra", "quality", ("measure", m("requests", "percentile", "latency_ms", p="0.95")),
               threshold=(None, str(800 + pi % 7 * 50))),
        Metric("error_rate", "Server error rate", "Share of requests that fail with a 5xx status.",
               "infra", "quality",
               ("ratio", m("requests", "count", filter="status_code >= 500"), m("requests", "count")),
               threshold=(None, "0.01")),
        Metric("resolved_ticket_share", "Tickets resolved", "Share of support tickets resolved in the period.",
               "trust", "quality",
               ("ratio", m("tickets", "count", filter="resolved"), m("tickets", "count")),
               threshold=("0.8", "1")),
    ][:n_guard]
    return ns, inputs, guards


# ---------------------------------------------------------------------------------- YAML


def yq(s):
    """A YAML double-quoted scalar."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def yaml_measure(x):
    parts = ["source: %s" % x["source"], "agg: %s" % x["agg"]]
    if x["expr"] is not None:
        parts.append("expr: %s" % yq(x["expr"]))
    if x["p"] is not None:
        parts.append("p: %s" % x["p"])
    if x["filter"] is not None:
        parts.append("filter: %s" % yq(x["filter"]))
    if x["having"] is not None:
        parts.append("having: %s" % yq(x["having"]))
    return "{ " + ", ".join(parts) + " }"


def yaml_metric(mt, indent, first_prefix):
    pad = " " * indent
    out = [first_prefix + "name: %s" % mt.name]
    if mt.label:
        out.append(pad + "label: %s" % yq(mt.label))
    out.append(pad + "description: %s" % yq(mt.description))
    out.append(pad + "owner: %s" % mt.owner)
    out.append(pad + "type: %s" % mt.type)
    if mt.grain:
        out.append(pad + "grain: %s" % mt.grain)
    c = mt.compute
    if c[0] == "measure":
        measure = yaml_measure(c[1])
        if mt.over:
            key, value = mt.over
            measure = measure[:-2] + (", to_date: %s }" % value if key == "to_date" else ", cumulative: true }")
        out.append(pad + "measure: %s" % measure)
    elif c[0] == "compare":
        out.append(pad + "compare: { metric: %s, offset: %d, as: %s }" % c[1:])
    elif c[0] == "conversion":
        _, entity, (bs, bf), (es, ef), within = c
        out.append(pad + "conversion:")
        out.append(pad + "  entity: %s" % entity)
        out.append(pad + "  base: { source: %s, filter: %s }" % (bs, yq(bf)))
        out.append(pad + "  event: { source: %s, filter: %s }" % (es, yq(ef)))
        out.append(pad + "  within: %d days" % within)
    elif c[0] == "ratio":
        out.append(pad + "ratio:")
        for key, op in (("numerator", c[1]), ("denominator", c[2])):
            val = op if isinstance(op, str) else yaml_measure(op)
            out.append(pad + "  %s: %s" % (key, val))
    else:
        out.append(pad + "derived: %s" % yq(c[1]))
    if mt.window:
        out.append(pad + "window: %s" % mt.window)
    if mt.threshold:
        lo, hi = mt.threshold
        parts = []
        if lo is not None:
            parts.append("min: %s" % lo)
        if hi is not None:
            parts.append("max: %s" % hi)
        out.append(pad + "threshold: { %s }" % ", ".join(parts))
    if mt.target:
        out.append(pad + "targets:")
        out.append(pad + "  - { by: %s, value: %s }" % (mt.target[1], mt.target[0]))
    if mt.review:
        out.append(pad + "review: { cadence: %s, last_reviewed: %s }" % mt.review)
    return out


def own_source(pi):
    name = "p%04d_facts" % pi
    return name, "bench.p%04d_facts" % pi, "recorded_at", ["recorded_at", "user_id", "category", "value"]


def yaml_product(pi, n_metrics):
    sname, table, time, cols = own_source(pi)
    ns, inputs, guards = product_metrics(pi, n_metrics, sname)
    out = [
        "lodestar: 1",
        "product: product_%04d" % pi,
        "description: %s" % yq("Benchmark product %d." % pi),
        "",
        "sources:",
        "  %s:" % sname,
        "    table: %s" % table,
        "    time: %s" % time,
        "    columns: [%s]" % ", ".join(cols),
        "    dimensions:",
        "      category: category",
        "",
        "north_star:",
    ]
    out += yaml_metric(ns, 2, "  ")
    out += ["", "inputs:"]
    for mt in inputs:
        out += yaml_metric(mt, 4, "  - ")
    out += ["", "guardrails:"]
    for mt in guards:
        out += yaml_metric(mt, 4, "  - ")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------- DSL


def dq(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dsl_measure(x):
    if x["agg"] == "count":
        call = "count()"
    elif x["agg"] == "percentile":
        call = "percentile(%s, %s)" % (x["expr"], x["p"])
    else:
        call = "%s(%s)" % (x["agg"], x["expr"])
    s = "%s from %s" % (call, x["source"])
    if x["filter"] is not None:
        s += " where %s" % x["filter"]
    if x["having"] is not None:
        s += " having %s" % x["having"]
    return s


ROLE = {"ns": "north star", "input": "input", "guardrail": "guardrail"}


def dsl_metric(mt, role):
    c = mt.compute
    head = "%s %s" % (ROLE[role], mt.name)
    if c[0] == "derived":
        head += " = %s" % c[1]
    if mt.label:
        head += " %s" % dq(mt.label)
    out = [head + " {"]
    out.append("  description %s" % dq(mt.description))
    out.append("  owner %s" % mt.owner)
    out.append("  type %s" % mt.type)
    if mt.grain:
        out.append("  grain %s" % mt.grain)
    if mt.over:
        key, value = mt.over
        out.append("  to_date %s" % value if key == "to_date" else "  cumulative")
    if c[0] == "measure":
        out.append("  measure %s" % dsl_measure(c[1]))
    elif c[0] == "compare":
        out.append("  compare %s offset %d as %s" % c[1:])
    elif c[0] == "conversion":
        _, entity, (bs, bf), (es, ef), within = c
        out.append("  conversion %s within %d days as rate" % (entity, within))
        out.append("  base from %s where %s" % (bs, bf))
        out.append("  event from %s where %s" % (es, ef))
    elif c[0] == "ratio":
        for key, op in (("numerator", c[1]), ("denominator", c[2])):
            out.append("  %s %s" % (key, op if isinstance(op, str) else dsl_measure(op)))
    if mt.window:
        out.append("  window %s" % mt.window)
    if mt.threshold:
        lo, hi = mt.threshold
        bounds = ([">= %s" % lo] if lo is not None else []) + (["<= %s" % hi] if hi is not None else [])
        out.append("  threshold %s" % " ".join(bounds))
    if mt.target:
        out.append("  target %s by %s" % mt.target)
    if mt.review:
        out.append("  review %s last %s" % mt.review)
    out.append("}")
    return out


def dsl_product(pi, n_metrics):
    sname, table, time, cols = own_source(pi)
    ns, inputs, guards = product_metrics(pi, n_metrics, sname)
    out = [
        "lodestar 1",
        "product product_%04d %s" % (pi, dq("Benchmark product %d." % pi)),
        "",
        "source %s from %s at %s {" % (sname, table, time),
        "  columns %s" % ", ".join(cols),
        "  dimension category = category",
        "}",
        "",
    ]
    out += dsl_metric(ns, "ns")
    for mt in inputs:
        out += [""] + dsl_metric(mt, "input")
    for mt in guards:
        out += [""] + dsl_metric(mt, "guardrail")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------- shared


def shared_yaml():
    out = ["lodestar: 1", "", "owners:"]
    for key, name, email, slack in OWNERS:
        parts = ["name: %s" % yq(name)]
        if email:
            parts.append("email: %s" % email)
        if slack:
            parts.append("slack: %s" % yq(slack))
        out.append("  %s: { %s }" % (key, ", ".join(parts)))
    out += ["", "sources:"]
    for name, table, time, cols, dims in SOURCES:
        out += ["  %s:" % name, "    table: %s" % table, "    time: %s" % time,
                "    columns: [%s]" % ", ".join(cols)]
        if dims:
            out.append("    dimensions:")
            for dn, de in dims:
                out.append("      %s: %s" % (dn, yq(de)))
    return "\n".join(out) + "\n"


CONFIG = """# A generated benchmark project (bench/gen_project.py).
# LS105 (too many metrics) is off: benchmark products carry more inputs than a real framework.
[rules]
LS105 = "off"
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--products", type=int, default=1000)
    ap.add_argument("--metrics", type=int, default=20, help="metrics per product (at least 4)")
    ap.add_argument("--time-kinds", action="store_true",
                    help="make every fourth input (a fifth of the metrics) a compare, to_date, cumulative or conversion metric")
    ap.add_argument("--single", action="store_true",
                    help="write only the config, the shared file and products p0000.yaml and p0001.lode")
    args = ap.parse_args(argv)
    if args.metrics < 4:
        ap.error("--metrics must be at least 4 (a North Star, a guardrail or two, an input)")
    if args.products < 1:
        ap.error("--products must be at least 1")
    n = min(args.products, 2) if args.single else args.products
    global TIME_KINDS
    TIME_KINDS = args.time_kinds
    write(os.path.join(args.out_dir, "lodestar.toml"), CONFIG)
    write(os.path.join(args.out_dir, "shared.yaml"), shared_yaml())
    for pi in range(n):
        if pi % 2 == 0:
            write(os.path.join(args.out_dir, "products", "p%04d.yaml" % pi), yaml_product(pi, args.metrics))
        else:
            write(os.path.join(args.out_dir, "products", "p%04d.lode" % pi), dsl_product(pi, args.metrics))
    print("wrote %d products x %d metrics to %s" % (n, args.metrics, args.out_dir), file=sys.stderr)


if __name__ == "__main__":
    main()
