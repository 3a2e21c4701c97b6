#!/usr/bin/env python3
"""Recomputes every statistic of `lodestar analyze` with numpy and scipy and compares it with
what the Rust stage reported.

    check_stats.py FILE.json

FILE.json is written by tests/integration/analyze.rs: {"cases": [{"label", "grain", "today",
"settings", "metrics", "series", "operands", "report"}]}, where "report" is the stage's JSON for
that product. From the raw series alone, this script rebuilds the analysed periods (complete
ones only, unless include_partial), then every statistic the report holds, by an independent
route where one exists:

* edges: period-over-period changes, scipy.stats.pearsonr per lag (n, r), its Fisher interval
  (PearsonRResult.confidence_interval at 1 - alpha / (2L + 1)), the best lag and the verdict;
* trends: scipy.stats.linregress over the trend window (slope, intercept, stderr, t, p), and
  the test adjusted for autocorrelated residuals (numpy residuals, scipy.stats.t);
* anomaly bands: numpy.median, scipy.stats.median_abs_deviation, the band and the flag;
* targets: the period holding the date, the actual value or the projection, the growth needed;
* attribution: the Shapley value by averaging over every order of the operands (itertools
  permutations), the derived expression evaluated with Python's ast;
* alerts: which fire (kind, metric, period, periods), with their default severity.

Numbers must agree to 1e-9 relative (math.isclose, rel_tol=1e-9); integers, dates, verdicts and
flags exactly. Exit 0 when everything agrees, 1 on any difference (each listed), 2 on bad input.
"""
import ast
import calendar
import itertools
import json
import math
import sys
import warnings
from datetime import date, timedelta

import numpy as np
from scipy import stats

REL = 1e-9
DEFAULT_SEVERITY = {
    "breach": "error",
    "gaming": "error",
    "anomaly": "warning",
    "decoupled": "warning",
    "off_track": "warning",
}


def parse_date(s):
    return date.fromisoformat(s)


def add_months(d, k):
    m = d.month - 1 + k
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def step(d, grain, k=1):
    if grain == "day":
        return d + timedelta(days=k)
    if grain == "week":
        return d + timedelta(days=7 * k)
    return add_months(d, {"month": 1, "quarter": 3, "year": 12}[grain] * k)


class Checker:
    def __init__(self):
        self.compared = 0
        self.failures = []
        self.worst = 0.0  # the largest relative difference among the numbers that agree

    def fail(self, where, msg):
        self.failures.append(f"{where}: {msg}")

    def num(self, where, ours, theirs):
        """`ours` is Rust's (JSON), `theirs` this script's."""
        self.compared += 1
        if ours is None or theirs is None or (isinstance(theirs, float) and not math.isfinite(theirs)):
            finite = theirs is not None and math.isfinite(theirs)
            if (ours is None) != (not finite):
                self.fail(where, f"rust {ours!r}, scipy {theirs!r}")
            return
        rel = abs(ours - theirs) / max(abs(ours), abs(theirs)) if ours != theirs else 0.0
        if not math.isclose(ours, theirs, rel_tol=REL, abs_tol=0.0):
            self.fail(where, f"rust {ours!r}, scipy {theirs!r} (relative difference {rel:.2e})")
        else:
            self.worst = max(self.worst, rel)

    def same(self, where, ours, theirs):
        self.compared += 1
        if ours != theirs:
            self.fail(where, f"rust {ours!r}, expected {theirs!r}")


# ---------------------------------------------------------------------------------------------
# Periods


def timeline(case):
    grain, today = case["grain"], parse_date(case["today"])
    partial = case["settings"]["include_partial"]
    every = [s for s in list(case["series"].values()) + list(case["operands"].values()) if s["periods"]]
    if not every:
        return []
    p = min(parse_date(s["periods"][0]) for s in every)
    last = max(parse_date(s["periods"][-1]) for s in every)
    out = []
    while p <= last:
        nxt = step(p, grain)
        if not (nxt <= today or (partial and p <= today)):
            break
        out.append(p)
        p = nxt
    return out


def align(tl, series):
    index = {d: i for i, d in enumerate(tl)}
    out = [None] * len(tl)
    if series is None:
        return out
    for d, v in zip(series["periods"], series["values"]):
        i = index.get(parse_date(d))
        if i is not None and v is not None and math.isfinite(v):
            out[i] = float(v)
    return out


def min_points(settings):
    return max(settings["min_periods"], 4)


# ---------------------------------------------------------------------------------------------
# Edges


def deltas(v):
    return [None] + [b - a if a is not None and b is not None else None for a, b in zip(v, v[1:])]


def edge(fv, tv, settings):
    lags, minp, alpha = settings["lags"], min_points(settings), settings["alpha"]
    confidence = 1.0 - alpha / (2 * lags + 1)
    df, dt = deltas(fv), deltas(tv)
    size = min(len(df), len(dt))
    by_lag = {}
    for lag in range(-lags, lags + 1):
        pairs = [
            (df[t], dt[t + lag])
            for t in range(size)
            if 0 <= t + lag < size and df[t] is not None and dt[t + lag] is not None
        ]
        x = np.array([a for a, _ in pairs])
        y = np.array([b for _, b in pairs])
        r, ci = None, None
        if len(pairs) >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
            res = stats.pearsonr(x, y)
            r = float(res.statistic)
            if len(pairs) >= 4:
                ci = res.confidence_interval(confidence_level=confidence)
        by_lag[lag] = (len(pairs), r, ci)
    order = [0] + [l for k in range(1, lags + 1) for l in (k, -k)]
    best = None
    for lag in order:
        n, r, _ = by_lag[lag]
        if r is None or n < minp:
            continue
        if best is None or abs(r) > abs(by_lag[best][1]):
            best = lag
    result = {"by_lag": by_lag}
    if best is None:
        result.update(lag=None, correlation=None, low=None, high=None,
                      n=max((v[0] for v in by_lag.values()), default=0), verdict="insufficient_data")
        return result
    n, r, ci = by_lag[best]
    low, high = float(ci.low), float(ci.high)
    if low <= 0 <= high:
        verdict = "unrelated"
    else:
        verdict = "leads" if best > 0 else "coincident" if best == 0 else "lags"
    result.update(lag=best, correlation=r, low=low, high=high, n=n, verdict=verdict)
    return result


def check_edge(chk, where, ours, theirs):
    for key in ("lag", "n", "verdict"):
        chk.same(f"{where}.{key}", ours[key], theirs[key])
    for key in ("correlation", "low", "high"):
        chk.num(f"{where}.{key}", ours[key], theirs[key])
    chk.same(f"{where}.lags", [c["lag"] for c in ours["by_lag"]], sorted(theirs["by_lag"]))
    for c in ours["by_lag"]:
        n, r, _ = theirs["by_lag"][c["lag"]]
        chk.same(f"{where}.by_lag[{c['lag']}].n", c["n"], n)
        chk.num(f"{where}.by_lag[{c['lag']}].correlation", c["correlation"], r)


# ---------------------------------------------------------------------------------------------
# Trends, bands, targets


def trend(tl, values, settings):
    window = max(settings["trend_window"], min_points(settings))
    start = max(0, len(tl) - window)
    xs = [float(i - start) for i in range(start, len(tl)) if values[i] is not None]
    ys = [values[i] for i in range(start, len(tl)) if values[i] is not None]
    out = {"start": start, "from": tl[start] if tl else None, "to": tl[-1] if tl else None,
           "periods": len(tl) - start, "fit": None}
    if len(xs) >= min_points(settings) and np.ptp(xs) > 0:
        res = stats.linregress(xs, ys)
        t = 0.0 if res.slope == 0 else (res.slope / res.stderr if res.stderr > 0 else math.copysign(math.inf, res.slope))
        # The test adjusted for autocorrelated residuals (Santer et al. 2000).
        e = np.array(ys) - (res.intercept + res.slope * np.array(xs))
        ssr = float(np.dot(e, e))
        r1 = float(np.dot(e[:-1], e[1:])) / ssr if ssr > 0 else 0.0
        rho = max(r1, 0.0)
        n = len(xs)
        n_eff = max(n * (1 - rho) / (1 + rho), min(4.0, n))
        if res.slope == 0 and res.stderr == 0:
            p_adj = 1.0
        elif res.stderr > 0:
            t_adj = res.slope / (res.stderr * math.sqrt((n - 2) / (n_eff - 2)))
            p_adj = float(2 * stats.t.sf(abs(t_adj), n_eff - 2))
        else:
            p_adj = 0.0
        out["fit"] = {"n": n, "slope": float(res.slope), "intercept": float(res.intercept),
                      "stderr": float(res.stderr), "t": float(t), "p": float(res.pvalue),
                      "autocorrelation": r1, "effective_n": n_eff, "p_adjusted": p_adj}
    return out


def significant(tr, alpha, sign):
    f = tr["fit"]
    return f is not None and f["p_adjusted"] < alpha and f["slope"] != 0 and (sign == 0 or math.copysign(1, f["slope"]) == sign)


def check_trend(chk, where, ours, theirs):
    chk.same(f"{where}.from", ours["from"], str(theirs["from"]) if theirs["from"] else None)
    chk.same(f"{where}.to", ours["to"], str(theirs["to"]) if theirs["to"] else None)
    chk.same(f"{where}.periods", ours["periods"], theirs["periods"])
    f = theirs["fit"] or {}
    chk.same(f"{where}.n", ours["n"], f.get("n"))
    for key in ("slope", "intercept", "stderr", "t", "p", "autocorrelation", "effective_n", "p_adjusted"):
        chk.num(f"{where}.{key}", ours[key], f.get(key))


def band(tl, values, settings):
    if not tl or values[-1] is None:
        return None
    last = len(tl) - 1
    window = max(settings["anomaly_window"], min_points(settings))
    start = max(0, last - window)
    base = np.array([v for v in values[start:last] if v is not None])
    if len(base) < min_points(settings):
        return None
    median = float(np.median(base))
    mad = float(stats.median_abs_deviation(base, scale=1.0))
    scale = 1.4826 * mad if mad > 0 else 1.2533 * float(np.mean(np.abs(base - median)))
    k = settings["anomaly_k"]
    low, high = median - k * scale, median + k * scale
    value = values[last]
    return {"period": tl[last], "value": value, "baseline_from": tl[start], "baseline_to": tl[last - 1],
            "n": len(base), "median": median, "mad": mad, "scale": scale, "low": low, "high": high,
            "outside": bool(value < low or value > high)}


def check_band(chk, where, ours, theirs):
    for key in ("period", "baseline_from", "baseline_to"):
        chk.same(f"{where}.{key}", ours[key], str(theirs[key]))
    for key in ("n", "outside"):
        chk.same(f"{where}.{key}", ours[key], theirs[key])
    for key in ("value", "median", "mad", "scale", "low", "high"):
        chk.num(f"{where}.{key}", ours[key], theirs[key])


def position(tl, grain, when):
    if not tl or when < tl[0]:
        return None
    k = 0
    while step(tl[0], grain, k + 1) <= when:
        k += 1
    return k


def target(tl, grain, values, tr, spec):
    by, value = parse_date(spec["by"]), float(spec["value"])
    pos = position(tl, grain, by)
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    latest = known[-1] if known else None
    fit = tr["fit"]
    out = {"by": by, "value": value, "period": step(tl[0], grain, pos) if pos is not None else None,
           "projected": None, "basis": None, "on_track": None,
           "latest": {"period": str(tl[latest[0]]), "value": latest[1]} if latest else None,
           "trend_per_period": fit["slope"] if fit else None,
           "needed_per_period": None, "needed_rate": None}
    if pos is None:
        return out
    if pos < len(tl):
        out["projected"] = values[pos]
        out["basis"] = "actual" if values[pos] is not None else None
    else:
        if fit:
            out["projected"] = fit["intercept"] + fit["slope"] * (pos - tr["start"])
            out["basis"] = "trend"
        if latest:
            i, v0 = latest
            h = pos - i
            out["needed_per_period"] = (value - v0) / h
            if v0 > 0 and value > 0:
                out["needed_rate"] = (value / v0) ** (1.0 / h) - 1.0
    if out["projected"] is not None:
        out["on_track"] = out["projected"] >= value
    return out


def check_target(chk, where, ours, theirs):
    chk.same(f"{where}.by", ours["by"], str(theirs["by"]))
    chk.same(f"{where}.period", ours["period"], str(theirs["period"]) if theirs["period"] else None)
    for key in ("basis", "on_track"):
        chk.same(f"{where}.{key}", ours[key], theirs[key])
    for key in ("value", "projected", "trend_per_period", "needed_per_period", "needed_rate"):
        chk.num(f"{where}.{key}", ours[key], theirs[key])
    ol, tl_ = ours["latest"], theirs["latest"]
    chk.same(f"{where}.latest", ol is None, tl_ is None)
    if ol and tl_:
        chk.same(f"{where}.latest.period", ol["period"], tl_["period"])
        chk.num(f"{where}.latest.value", ol["value"], tl_["value"])


# ---------------------------------------------------------------------------------------------
# Attribution


class Formula:
    """A derived expression (identifiers, numbers, + - * /, unary -, parentheses) read by ast."""

    def __init__(self, text):
        self.tree = ast.parse(text, mode="eval").body
        self.names = []
        self._collect(self.tree)

    def _collect(self, node):
        if isinstance(node, ast.Name):
            if node.id not in self.names:
                self.names.append(node.id)
        elif isinstance(node, ast.BinOp):
            self._collect(node.left)
            self._collect(node.right)
        elif isinstance(node, ast.UnaryOp):
            self._collect(node.operand)
        elif not isinstance(node, ast.Constant):
            raise ValueError(f"unexpected {ast.dump(node)}")

    def __call__(self, x):
        def ev(node):
            if isinstance(node, ast.Name):
                return x[self.names.index(node.id)]
            if isinstance(node, ast.Constant):
                return float(node.value)
            if isinstance(node, ast.UnaryOp):
                v = ev(node.operand)
                return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
            a, b = ev(node.left), ev(node.right)
            if a is None or b is None:
                return None
            op = type(node.op)
            if op is ast.Div:
                return None if b == 0 else a / b
            return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}[op]

        v = ev(self.tree)
        return v if v is not None and math.isfinite(v) else None


def shapley_by_orders(before, after, f):
    """The mean over every order of switching operands from before to after of each one's
    marginal change."""
    k = len(before)
    phi = [0.0] * k
    orders = list(itertools.permutations(range(k)))
    for order in orders:
        point = list(before)
        prev = f(point)
        if prev is None:
            return None
        for i in order:
            point[i] = after[i]
            cur = f(point)
            if cur is None:
                return None
            phi[i] += cur - prev
            prev = cur
    return [p / len(orders) for p in phi]


def attribution(case, tl, ns):
    compute = ns["compute"]
    if compute is None or len(tl) < 2:
        return None
    if compute["kind"] == "ratio":
        labels = [compute["numerator"], compute["denominator"]]
        f = lambda x: None if x[1] == 0 else x[0] / x[1]
    else:
        formula = Formula(compute["expr"])
        labels, f = formula.names, formula
    before, after = [], []
    for label in labels:
        s = case["series"].get(label, case["operands"].get(label))
        if s is None:
            return None
        v = align(tl, s)
        if v[-2] is None or v[-1] is None:
            return None
        before.append(v[-2])
        after.append(v[-1])
    parts = shapley_by_orders(before, after, f)
    if parts is None:
        return None
    return {"from_period": tl[-2], "to_period": tl[-1], "from": f(before), "to": f(after),
            "change": f(after) - f(before),
            "parts": [{"operand": l, "from": b, "to": a, "contribution": c}
                      for l, b, a, c in zip(labels, before, after, parts)]}


def check_attribution(chk, where, ours, theirs):
    chk.same(f"{where}.present", ours is not None, theirs is not None)
    if ours is None or theirs is None:
        return
    for key in ("from_period", "to_period"):
        chk.same(f"{where}.{key}", ours[key], str(theirs[key]))
    for key in ("from", "to", "change"):
        chk.num(f"{where}.{key}", ours[key], theirs[key])
    chk.same(f"{where}.operands", [p["operand"] for p in ours["parts"]], [p["operand"] for p in theirs["parts"]])
    for op, tp in zip(ours["parts"], theirs["parts"]):
        for key in ("from", "to", "contribution"):
            chk.num(f"{where}.{op['operand']}.{key}", op[key], tp[key])
    # The parts add up to the change (the Shapley value's efficiency).
    chk.num(f"{where}.sum_of_parts", math.fsum(p["contribution"] for p in ours["parts"]), theirs["change"])


# ---------------------------------------------------------------------------------------------
# A product


def check_case(chk, case):
    label, grain, settings, report = case["label"], case["grain"], case["settings"], case["report"]
    tl = timeline(case)
    chk.same(f"{label}.periods.count", report["periods"]["count"], len(tl))
    chk.same(f"{label}.periods.last", report["periods"]["last"], str(tl[-1]) if tl else None)
    metrics = case["metrics"]
    by_role = lambda role: [m for m in metrics if m["role"] == role]
    ns = by_role("north_star")[0]
    values = {m["name"]: align(tl, case["series"].get(m["name"])) for m in metrics}

    edges = [(i["name"], ns["name"]) for i in by_role("input")]
    edges += [(ns["name"], o["name"]) for o in by_role("outcome")]
    chk.same(f"{label}.edges", [(e["from"], e["to"]) for e in report["edges"]], edges)
    for ours, (a, b) in zip(report["edges"], edges):
        check_edge(chk, f"{label}.edge[{a}->{b}]", ours, edge(values[a], values[b], settings))

    trends = {m["name"]: trend(tl, values[m["name"]], settings)
              for m in [ns] + by_role("guardrail") + by_role("outcome")}
    chk.same(f"{label}.trends", [t["metric"] for t in report["trends"]], list(trends))
    for ours in report["trends"]:
        check_trend(chk, f"{label}.trend[{ours['metric']}]", ours, trends[ours["metric"]])

    bands = {g["name"]: band(tl, values[g["name"]], settings) for g in by_role("guardrail")}
    bands = {k: v for k, v in bands.items() if v is not None}
    chk.same(f"{label}.bands", [b["metric"] for b in report["bands"]], list(bands))
    for ours in report["bands"]:
        if ours["metric"] in bands:
            check_band(chk, f"{label}.band[{ours['metric']}]", ours, bands[ours["metric"]])

    targets = [target(tl, grain, values[ns["name"]], trends[ns["name"]], t) for t in ns["targets"]]
    chk.same(f"{label}.targets", len(report["targets"]), len(targets))
    for i, (ours, theirs) in enumerate(zip(report["targets"], targets)):
        check_target(chk, f"{label}.target[{i}]", ours, theirs)

    # The alerts that must fire, in the report's order.
    alpha = settings["alpha"]
    expected = []
    for g in by_role("guardrail"):
        th = g["threshold"]
        if not th:
            continue
        hits = [(i, v) for i, v in enumerate(values[g["name"]]) if v is not None and
                ((th["min"] is not None and v < th["min"]) or (th["max"] is not None and v > th["max"]))]
        if hits:
            expected.append(("breach", g["name"], [tl[i] for i, _ in hits], [v for _, v in hits]))
    for name, b in bands.items():
        if b["outside"]:
            expected.append(("anomaly", name, [b["period"]], None))
    ns_up = significant(trends[ns["name"]], alpha, 1)
    for g in by_role("guardrail"):
        th = g["threshold"]
        if not th or (th["min"] is None and th["max"] is None):
            continue
        bad = 0 if th["min"] is not None and th["max"] is not None else (1 if th["max"] is not None else -1)
        tr = trends[g["name"]]
        if ns_up and significant(tr, alpha, bad):
            expected.append(("gaming", g["name"], tl[tr["start"]:], None))
    for o in by_role("outcome"):
        tr = trends[o["name"]]
        if ns_up and significant(tr, alpha, -1):
            expected.append(("decoupled", o["name"], tl[tr["start"]:], None))
    for t in targets:
        if t["on_track"] is False:
            expected.append(("off_track", ns["name"], [t["period"]], None))
    got = [(a["kind"], a["metric"], a["period"], a["periods"]) for a in report["alerts"]]
    want = [(k, m, str(p[-1]), [str(d) for d in p]) for k, m, p, _ in expected]
    chk.same(f"{label}.alerts", got, want)
    for a, (kind, _, _, vals) in zip(report["alerts"], expected):
        chk.same(f"{label}.alert[{kind}].severity", a["severity"], DEFAULT_SEVERITY[kind])
        if vals is not None and a["kind"] == kind:
            for i, (o, t) in enumerate(zip(a["evidence"]["values"], vals)):
                chk.num(f"{label}.alert[{kind}].values[{i}]", o, t)

    check_attribution(chk, f"{label}.attribution", report["attribution"], attribution(case, tl, ns))


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        cases = json.load(f)["cases"]
    chk = Checker()
    warnings.simplefilter("error")  # a constant input or a degenerate fit must not pass silently
    for case in cases:
        try:
            check_case(chk, case)
        except Exception as e:  # noqa: BLE001 - reported as a difference with its case
            chk.fail(case["label"], f"{type(e).__name__}: {e}")
    print(f"check_stats: {len(cases)} products, {chk.compared} statistics compared with numpy/scipy, "
          f"{len(chk.failures)} differences (largest relative difference among the rest: {chk.worst:.1e})")
    for f in chk.failures:
        print(f"  {f}")
    return 1 if chk.failures else 0


if __name__ == "__main__":
    sys.exit(main())
