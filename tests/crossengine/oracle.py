"""Answers for the conformance project computed from the raw rows, independently of any SQL.

The metrics below restate tests/crossengine/conformance/spec/conf_*.yaml in Python; the
semantics (which periods appear, COALESCE to 0, NULL on a zero denominator, trailing windows,
`--from/--to` filling) are the ones docs/sql.md documents. Weeks start on Monday.
"""
import datetime as dt
import math


# --- periods ---------------------------------------------------------------------------------

def trunc(grain, d):
    """The first day of the period of `grain` holding the date `d`."""
    if grain == "day":
        return d
    if grain == "week":
        return d - dt.timedelta(days=d.weekday())
    if grain == "month":
        return d.replace(day=1)
    if grain == "quarter":
        return d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)
    if grain == "year":
        return d.replace(month=1, day=1)
    raise ValueError(grain)


def add_months(d, n):
    m = d.month - 1 + n
    return d.replace(year=d.year + m // 12, month=m % 12 + 1)


def next_period(grain, p):
    return {
        "day": lambda: p + dt.timedelta(days=1),
        "week": lambda: p + dt.timedelta(days=7),
        "month": lambda: add_months(p, 1),
        "quarter": lambda: add_months(p, 3),
        "year": lambda: add_months(p, 12),
    }[grain]()


def periods(grain, start, end):
    p, last, out = trunc(grain, start), trunc(grain, end), []
    while p <= last:
        out.append(p)
        p = next_period(grain, p)
    return out


# --- aggregates ------------------------------------------------------------------------------

def percentile(xs, p):
    """Continuous percentile (linear interpolation between closest ranks)."""
    xs = sorted(xs)
    h = (len(xs) - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def aggregate(agg, values, p=None):
    """`values` are the expression per row (None where NULL or filtered out); count gets 1/None."""
    xs = [v for v in values if v is not None]
    if agg == "count":
        return len(xs)
    if agg == "count_distinct":
        return len(set(xs))
    if not xs:
        return None
    if agg == "sum":
        return sum(xs)
    if agg == "avg":
        return sum(xs) / len(xs)
    if agg == "min":
        return min(xs)
    if agg == "max":
        return max(xs)
    if agg == "median":
        return percentile(xs, 0.5)
    if agg == "percentile":
        return percentile(xs, p)
    raise ValueError(agg)


ZERO_WHEN_EMPTY = {"count", "count_distinct", "sum"}


class Measure:
    def __init__(self, source, agg, expr=None, where=None, having=None, p=None, window=None):
        self.source, self.agg, self.expr, self.where = source, agg, expr, where
        self.having, self.p, self.window = having, p, window

    def value_of(self, r):
        if self.where is not None and not self.where(r):
            return None
        return 1 if self.agg == "count" else r[self.expr]


def col(name):
    return name


# The conformance metrics. Expressions: a Measure, ("ref", name), ("num", x), (op, a, b).
def _m(*a, **k):
    return Measure(*a, **k)


METRICS = {
    "events": _m("events", "count"),
    "active_users": _m("events", "count_distinct", "user_id"),
    "revenue": _m("events", "sum", "amount"),
    "min_amount": _m("events", "min", "amount"),
    "max_qty": _m("events", "max", "qty"),
    "median_amount": _m("events", "median", "amount"),
    "p90_qty": _m("events", "percentile", "qty", p=0.9),
    "ok_events": _m("events", "count", where=lambda r: r["ok"] is True),
    "purchase_revenue": _m("events", "sum", "amount", where=lambda r: r["kind"] == "purchase"),
    "repeat_buyers": _m("events", "count_distinct", "user_id",
                        where=lambda r: r["kind"] != "view", having=lambda rows: len(rows) >= 2),
    "qty_per_page": ("/", _m("events", "sum", "qty"), _m("visits", "sum", "pages")),
    "conversion": ("/", _m("visits", "sum", "converted"), _m("visits", "count")),
    "revenue_per_user": ("/", ("ref", "revenue"), ("ref", "active_users")),
    "blend": ("-", ("+", ("*", ("-", ("ref", "revenue"), ("ref", "min_amount")), ("num", 2)),
                    ("/", ("ref", "events"), ("num", 4))),
              ("neg", ("ref", "ok_events"))),
    "users_7d": _m("events", "count_distinct", "user_id", window=7),
    "qty_7d": _m("events", "sum", "qty", window=7),
    "avg_amount": _m("events", "avg", "amount"),
    "refund_rate": ("/", _m("events", "count", where=lambda r: r["kind"] == "refund"),
                    _m("events", "count", where=lambda r: r["kind"] == "purchase")),
}
# Metrics with their own grain; every other one has its product's grain.
OWN_GRAIN = {"users_7d": "day", "qty_7d": "day"}
GUARDRAILS = {"avg_amount": (20.0, 80.0), "refund_rate": (None, 0.5)}
PRINT_ORDER = ["events", "active_users", "revenue", "min_amount", "max_qty", "median_amount",
               "p90_qty", "ok_events", "purchase_revenue", "repeat_buyers", "qty_per_page",
               "conversion", "revenue_per_user", "blend", "users_7d", "qty_7d", "avg_amount",
               "refund_rate"]


def measures(e, out):
    if isinstance(e, Measure):
        out.append(e)
    elif e[0] == "ref":
        measures(METRICS[e[1]], out)
    elif e[0] in ("+", "-", "*", "/"):
        measures(e[1], out)
        measures(e[2], out)
    elif e[0] == "neg":
        measures(e[1], out)
    return out


class Oracle:
    """Answers for one product grain and one set of `--by/--from/--to` options."""

    def __init__(self, tables, by=(), start=None, end=None):
        # tables: source name -> list of row dicts (typed: datetime for `ts`).
        self.tables, self.by, self.start, self.end = tables, list(by), start, end

    def _dims(self, r):
        return tuple(r[d] for d in self.by)

    def _in_range(self, day):
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def term(self, m, grain):
        """key (period, *dims) -> value, for the keys the term's part has rows for."""
        rows = self.tables[m.source]
        groups = {}
        if m.window is None:
            for r in rows:
                day = r["ts"].date()
                if self._in_range(day):
                    groups.setdefault((trunc(grain, day),) + self._dims(r), []).append(r)
        else:
            if self.start is not None:
                cands = periods(grain, self.start, self.end)
            else:
                cands = sorted({trunc(grain, r["ts"].date()) for r in rows})
            for p in cands:
                hi = next_period(grain, p)
                lo = hi - dt.timedelta(days=m.window)
                for r in rows:
                    day = r["ts"].date()
                    if lo <= day < hi and (self.end is None or day <= self.end):
                        groups.setdefault((p,) + self._dims(r), []).append(r)
        out = {}
        for key, rs in groups.items():
            if m.having is not None:
                ents = {}
                for r in rs:
                    if r[m.expr] is not None and m.where(r):
                        ents.setdefault(r[m.expr], []).append(r)
                # A period with rows but no qualifying entity counts 0, like any count.
                out[key] = sum(1 for e in ents.values() if m.having(e))
            else:
                out[key] = aggregate(m.agg, [m.value_of(r) for r in rs], m.p)
        return out

    def query(self, names, grain):
        """Rows {key: {name: value}} of a query computing metrics `names` at `grain`."""
        terms = {}
        for n in names:
            for m in measures(METRICS[n], []):
                if id(m) not in terms:
                    terms[id(m)] = (m, self.term(m, grain))
        keys = set()
        for _, t in terms.values():
            keys |= set(t)
        if self.start is not None:
            dims = {k[1:] for k in keys}
            if not self.by:
                dims = {()}
            keys = {(p,) + d for p in periods(grain, self.start, self.end) for d in dims}

        def ev(e, key):
            if isinstance(e, Measure):
                v = terms[id(e)][1].get(key)
                return 0 if v is None and e.agg in ZERO_WHEN_EMPTY else v
            op = e[0]
            if op == "ref":
                return ev(METRICS[e[1]], key)
            if op == "num":
                return e[1]
            if op == "neg":
                v = ev(e[1], key)
                return None if v is None else -v
            a, b = ev(e[1], key), ev(e[2], key)
            if a is None or b is None:
                return None
            if op == "/":
                return None if b == 0 else float(a) / b
            return {"+": a + b, "-": a - b, "*": a * b}[op]

        return {k: {n: ev(METRICS[n], k) for n in names} for k in keys}

    def metric(self, name, product_grain):
        grain = OWN_GRAIN.get(name, product_grain)
        return {k: v[name] for k, v in self.query([name], grain).items()}

    def scorecard(self, grain):
        return self.query(PRINT_ORDER, grain)

    def guardrails(self, grain):
        out = {}
        for g, (lo, hi) in GUARDRAILS.items():
            for k, v in self.metric(g, grain).items():
                if v is not None and ((lo is not None and v < lo) or (hi is not None and v > hi)):
                    out[k + (g,)] = {"value": v, "min": lo, "max": hi}
        return out
