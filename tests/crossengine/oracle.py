"""Answers for the conformance project computed from the raw rows, independently of any SQL.

The metrics below restate tests/crossengine/conformance/spec/conf_*.yaml in Python (the products
differ only in their grain and in the to-date metrics that grain allows: `print_order(grain)`).
The semantics are the contract of docs/sql.md and ../shared/PRODUCT.md ("Time comparisons"),
written here from the rules, never from the SQL:

* Periods. A row belongs to the period holding its time truncated to the query's grain (weeks
  start on Monday). A row whose time is NULL belongs to no period and is ignored everywhere.
  Every query is at one grain: a metric's own query and the guardrails at the metric's grain (a
  `compare` has the grain of the metric it compares), the scorecard at the North Star's grain.
* `--to T`: rows whose day is after T are ignored by every metric. `--from F`: a measure's rows
  of the period holding F count from F on (the period's earlier days are cut); rows of earlier
  periods are read only by what looks back (windows, to-date, cumulative, and `compare` reading
  an earlier period).
* The spine (the reported keys: period and `--by` values). With F and T: every period from the
  one holding F to the one holding T, crossed with the `--by` values found. Otherwise: the keys
  at which any measure of the query has rows (its source's rows after the T cut only: a filter
  removes no key) or a conversion has base rows (passing the base filter, entity not NULL), cut
  at F. Every output is evaluated at every spine key; count, count_distinct and sum are 0 where
  they have no rows, the other aggregates NULL. Ratios and `/` in derived metrics are float
  divisions, NULL when the denominator is 0.
* A measure's rows at a key: the rows of the period (plain), or of a span ending with the
  period's last day L: `window N` [L-N+1, L], `to_date U` [start of the U-period holding L, L],
  `cumulative` [beginning of the data, L]. The filter then applies; `having` counts the entities
  (non-NULL expr, rows passing the filter) whose rows in the period or span meet it.
* `compare M offset k as A`: now = M at the key, then = M at the key's period moved k periods
  back (computed exactly as M's own value there, also before F); value = then, change = now -
  then, growth = (now - then) / then (NULL when then is 0 or NULL, or now is NULL).
* `conversion`: the entities (not NULL) with a base row (passing the base filter) in the period;
  one converts when an event row (passing the event filter, same entity) has a time t with
  b <= t <= b + within for one of its base rows b in the period (with `--by`, in the group).
  rate = converted / entities (NULL with no entity); count = converted.

Self-checks on tiny hand-computed tables: tests/crossengine/test_oracle.py.
"""
import bisect
import datetime as dt
import math

DAY = dt.timedelta(days=1)
GRAINS = ["day", "week", "month", "quarter", "year"]


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


def shift(grain, p, n):
    """The period `n` periods of `grain` after the period starting on `p` (before when n < 0)."""
    if grain == "day":
        return p + dt.timedelta(days=n)
    if grain == "week":
        return p + dt.timedelta(days=7 * n)
    return add_months(p, n * {"month": 1, "quarter": 3, "year": 12}[grain])


def next_period(grain, p):
    return shift(grain, p, 1)


def last_day(grain, p):
    return next_period(grain, p) - DAY


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


# --- metric kinds ----------------------------------------------------------------------------

class Measure:
    """An aggregation over one source: `expr` a column name or a function of the row, `where`
    the filter, `having` a condition on an entity's rows; at most one of `window` (days),
    `to_date` (a grain) and `cumulative`."""

    def __init__(self, source, agg, expr=None, where=None, having=None, p=None, window=None,
                 to_date=None, cumulative=False):
        assert sum([window is not None, to_date is not None, bool(cumulative)]) <= 1
        self.source, self.agg, self.expr, self.where = source, agg, expr, where
        self.having, self.p, self.window = having, p, window
        self.to_date, self.cumulative = to_date, cumulative

    def passes(self, r):
        return self.where is None or bool(self.where(r))

    def value_of(self, r):
        if not self.passes(r):
            return None
        if self.agg == "count":
            return 1
        return self.expr(r) if callable(self.expr) else r[self.expr]


class Compare:
    def __init__(self, metric, offset=1, as_="value"):
        assert offset >= 1 and as_ in ("value", "change", "growth")
        self.metric, self.offset, self.as_ = metric, offset, as_


class Conversion:
    def __init__(self, entity, base, event, within, as_="rate", base_where=None,
                 event_where=None):
        assert as_ in ("rate", "count")
        self.entity, self.base, self.event, self.within = entity, base, event, within
        self.as_, self.base_where, self.event_where = as_, base_where, event_where


# The conformance metrics. Expressions: a Measure, a Compare, a Conversion, ("ref", name),
# ("num", x), (op, a, b) with op in + - * /, ("neg", a).
def _m(*a, **k):
    return Measure(*a, **k)


def _not_view(r):
    return r["kind"] is not None and r["kind"] != "view"


def _purchase(r):
    return r["kind"] == "purchase"


def _net_amount(r):
    """CASE WHEN kind = 'refund' THEN -amount ELSE amount END"""
    if r["amount"] is None:
        return None
    return -r["amount"] if r["kind"] == "refund" else r["amount"]


def _at_least_2_rows(rows):
    return len(rows) >= 2


# to_date units allowed by each product grain (the next coarser ones), as generate.py writes.
TO_DATE_UNITS = {"day": ["week", "month"], "week": ["month", "quarter"],
                 "month": ["quarter", "year"], "quarter": ["year"], "year": []}


def _td(name, unit):
    return f"{name}_{unit[0]}td"


METRICS = {
    "events": _m("events", "count"),
    "active_users": _m("events", "count_distinct", "user_id"),
    "revenue": _m("events", "sum", "amount"),
    "min_amount": _m("events", "min", "amount"),
    "max_qty": _m("events", "max", "qty"),
    "median_amount": _m("events", "median", "amount"),
    "p90_qty": _m("events", "percentile", "qty", p=0.9),
    "ok_events": _m("events", "count", where=lambda r: r["ok"] is True),
    "purchase_revenue": _m("events", "sum", "amount", where=_purchase),
    "repeat_buyers": _m("events", "count_distinct", "user_id", where=_not_view,
                        having=_at_least_2_rows),
    "qty_per_page": ("/", _m("events", "sum", "qty"), _m("visits", "sum", "pages")),
    "conversion": ("/", _m("visits", "sum", "converted"), _m("visits", "count")),
    "revenue_per_user": ("/", ("ref", "revenue"), ("ref", "active_users")),
    "blend": ("-", ("+", ("*", ("-", ("ref", "revenue"), ("ref", "min_amount")), ("num", 2)),
                    ("/", ("ref", "events"), ("num", 4))),
              ("neg", ("ref", "ok_events"))),
    "users_7d": _m("events", "count_distinct", "user_id", window=7),
    "qty_7d": _m("events", "sum", "qty", window=7),
    # period over period: a measure, a ratio, a derived metric, a window; every `as`
    "revenue_prev": Compare("revenue", 1, "value"),
    "revenue_change_2": Compare("revenue", 2, "change"),
    "revenue_growth": Compare("revenue", 1, "growth"),
    "qty_per_page_prev_3": Compare("qty_per_page", 3, "value"),
    "qty_per_page_change": Compare("qty_per_page", 1, "change"),
    "qty_per_page_growth_2": Compare("qty_per_page", 2, "growth"),
    "revenue_per_user_prev_2": Compare("revenue_per_user", 2, "value"),
    "revenue_per_user_change_3": Compare("revenue_per_user", 3, "change"),
    "revenue_per_user_growth": Compare("revenue_per_user", 1, "growth"),
    "users_7d_prev": Compare("users_7d", 1, "value"),
    "users_7d_change_3": Compare("users_7d", 3, "change"),
    "users_7d_growth_2": Compare("users_7d", 2, "growth"),
    # cumulative
    "revenue_cum": _m("events", "sum", "amount", cumulative=True),
    "users_ever": _m("events", "count_distinct", "user_id", cumulative=True),
    "buyers_ever": _m("events", "count_distinct", "user_id", where=_purchase, cumulative=True),
    # conversion: visits of 2 pages or more followed by a purchase within 3 days
    "visit_to_purchase_3d": Conversion("user_id", "visits", "events", 3, "rate",
                                       base_where=lambda r: r["pages"] is not None
                                       and r["pages"] >= 2,
                                       event_where=_purchase),
    "visit_purchasers_3d": Conversion("user_id", "visits", "events", 3, "count",
                                      base_where=lambda r: r["pages"] is not None
                                      and r["pages"] >= 2,
                                      event_where=_purchase),
    # compares of the other kinds
    "visit_to_purchase_change": Compare("visit_to_purchase_3d", 1, "change"),
    "revenue_growth_change": Compare("revenue_growth", 1, "change"),
    "users_ever_change": Compare("users_ever", 1, "change"),
    # guardrails
    "avg_amount": _m("events", "avg", "amount"),
    "refund_rate": ("/", _m("events", "count", where=lambda r: r["kind"] == "refund"),
                    _m("events", "count", where=_purchase)),
    "events_growth": Compare("events", 1, "growth"),
    # outcomes
    "net_revenue": _m("events", "sum", _net_amount, where=_not_view),
    "buyers_28d": _m("events", "count_distinct", "user_id", where=_purchase, window=28),
}
for _u in ["week", "month", "quarter", "year"]:
    METRICS[_td("revenue", _u)] = _m("events", "sum", "amount", to_date=_u)
    METRICS[_td("users", _u)] = _m("events", "count_distinct", "user_id", to_date=_u)
    METRICS[_td("median_amount", _u)] = _m("events", "median", "amount", to_date=_u)
    METRICS[_td("repeat_buyers", _u)] = _m("events", "count_distinct", "user_id",
                                           where=_not_view, having=_at_least_2_rows, to_date=_u)
    METRICS[_td("purchases", _u)] = _m("events", "count", where=_purchase, to_date=_u)

# Metrics with their own grain; a compare has the grain of the metric it compares; every other
# one has its product's grain.
OWN_GRAIN = {"users_7d": "day", "qty_7d": "day"}
GUARDRAILS = {"avg_amount": (20.0, 80.0), "refund_rate": (None, 0.5),
              "events_growth": (-0.35, 0.6)}


def to_date_names(grain):
    units = TO_DATE_UNITS[grain]
    out = []
    if units:
        out += [_td(n, units[0]) for n in ["revenue", "users", "median_amount", "repeat_buyers"]]
    if len(units) > 1:
        out += [_td(n, units[1]) for n in ["purchases", "users"]]
    return out


def print_order(grain):
    """The scorecard's columns of conf_<grain>: North Star, inputs, guardrails, outcomes."""
    return (["events", "active_users", "revenue", "min_amount", "max_qty", "median_amount",
             "p90_qty", "ok_events", "purchase_revenue", "repeat_buyers", "qty_per_page",
             "conversion", "revenue_per_user", "blend", "users_7d", "qty_7d",
             "revenue_prev", "revenue_change_2", "revenue_growth",
             "qty_per_page_prev_3", "qty_per_page_change", "qty_per_page_growth_2",
             "revenue_per_user_prev_2", "revenue_per_user_change_3", "revenue_per_user_growth",
             "users_7d_prev", "users_7d_change_3", "users_7d_growth_2"]
            + to_date_names(grain)
            + ["revenue_cum", "users_ever", "buyers_ever",
               "visit_to_purchase_3d", "visit_purchasers_3d",
               "visit_to_purchase_change", "revenue_growth_change", "users_ever_change",
               "avg_amount", "refund_rate", "events_growth",
               "net_revenue", "buyers_28d"])


class Oracle:
    """Answers for one product grain and one set of `--by/--from/--to` options.

    `tables`: source name -> list of row dicts (typed: a datetime or None for `ts`). The other
    keywords replace the conformance definitions (for self-checks): `metrics` (name ->
    expression), `own_grain`, `guardrails` (name -> (min, max)), `order` (grain -> names).
    """

    def __init__(self, tables, by=(), start=None, end=None, metrics=None, own_grain=None,
                 guardrails=None, order=None):
        self.tables, self.by, self.start, self.end = tables, list(by), start, end
        self.metrics = METRICS if metrics is None else metrics
        self.own_grain = OWN_GRAIN if own_grain is None else own_grain
        self.guardrail_bounds = GUARDRAILS if guardrails is None else guardrails
        self.order = print_order if order is None else order
        self._index, self._cache, self._keys, self._events = {}, {}, {}, {}

    # --- rows ---

    def _dims(self, r):
        return tuple(r[d] for d in self.by)

    def rows(self, source):
        """(sorted days, day -> rows): the rows with a time, up to --to."""
        if source not in self._index:
            by_day = {}
            for r in self.tables[source]:
                if r["ts"] is None:
                    continue
                day = r["ts"].date()
                if self.end is not None and day > self.end:
                    continue
                by_day.setdefault(day, []).append(r)
            self._index[source] = (sorted(by_day), by_day)
        return self._index[source]

    def span(self, source, lo, hi, dims):
        """The rows of `source` with day in [lo, hi] (lo None: from the beginning) and `dims`."""
        days, by_day = self.rows(source)
        i = 0 if lo is None else bisect.bisect_left(days, lo)
        j = bisect.bisect_right(days, hi)
        return [r for d in days[i:j] for r in by_day[d] if self._dims(r) == dims]

    def period_rows(self, source, grain, key):
        """The rows of the key's period, from --from on in the period holding it."""
        p = key[0]
        lo = p
        if self.start is not None and p == trunc(grain, self.start):
            lo = self.start
        return self.span(source, lo, last_day(grain, p), key[1:])

    # --- values ---

    def measure(self, m, grain, key):
        ck = (id(m), grain, key)
        if ck in self._cache:
            return self._cache[ck]
        last = last_day(grain, key[0])
        if m.window is not None:
            rs = self.span(m.source, last - dt.timedelta(days=m.window - 1), last, key[1:])
        elif m.to_date is not None:
            rs = self.span(m.source, trunc(m.to_date, last), last, key[1:])
        elif m.cumulative:
            rs = self.span(m.source, None, last, key[1:])
        else:
            rs = self.period_rows(m.source, grain, key)
        if m.having is not None:
            ents = {}
            for r in rs:
                if r[m.expr] is not None and m.passes(r):
                    ents.setdefault(r[m.expr], []).append(r)
            v = sum(1 for e in ents.values() if m.having(e))
        else:
            v = aggregate(m.agg, [m.value_of(r) for r in rs], m.p)
        if v is None and m.agg in ZERO_WHEN_EMPTY:
            v = 0
        self._cache[ck] = v
        return v

    def event_times(self, c):
        """entity -> times of the event rows (filter passed, entity not NULL, up to --to)."""
        if id(c) not in self._events:
            out = {}
            days, by_day = self.rows(c.event)
            for d in days:
                for r in by_day[d]:
                    if r[c.entity] is not None and (c.event_where is None or c.event_where(r)):
                        out.setdefault(r[c.entity], []).append(r["ts"])
            self._events[id(c)] = out
        return self._events[id(c)]

    def conversion(self, c, grain, key):
        ck = (id(c), grain, key)
        if ck in self._cache:
            return self._cache[ck]
        bases = {}
        for r in self.period_rows(c.base, grain, key):
            if r[c.entity] is not None and (c.base_where is None or c.base_where(r)):
                bases.setdefault(r[c.entity], []).append(r["ts"])
        events = self.event_times(c)
        within = dt.timedelta(days=c.within)
        converted = sum(1 for e, bs in bases.items()
                        if any(b <= t <= b + within for b in bs for t in events.get(e, ())))
        if c.as_ == "count":
            v = converted
        else:
            v = converted / len(bases) if bases else None
        self._cache[ck] = v
        return v

    def value(self, e, grain, key):
        """The expression `e` at `grain` for key (period, *dims)."""
        if isinstance(e, Measure):
            return self.measure(e, grain, key)
        if isinstance(e, Conversion):
            return self.conversion(e, grain, key)
        if isinstance(e, Compare):
            m = self.metrics[e.metric]
            now = self.value(m, grain, key)
            then = self.value(m, grain, (shift(grain, key[0], -e.offset),) + key[1:])
            if e.as_ == "value":
                return then
            if e.as_ == "change":
                return None if now is None or then is None else now - then
            return None if now is None or then is None or then == 0 else (now - then) / then
        op = e[0]
        if op == "ref":
            return self.value(self.metrics[e[1]], grain, key)
        if op == "num":
            return e[1]
        if op == "neg":
            v = self.value(e[1], grain, key)
            return None if v is None else -v
        a, b = self.value(e[1], grain, key), self.value(e[2], grain, key)
        if a is None or b is None:
            return None
        if op == "/":
            return None if b == 0 else float(a) / b
        return {"+": a + b, "-": a - b, "*": a * b}[op]

    # --- spine ---

    def own_keys(self, e, grain, out):
        """Adds the keys at which `e`'s measures have rows and its conversions base rows."""
        if isinstance(e, (Measure, Conversion)):
            ck = (id(e), grain)
            if ck not in self._keys:
                days, by_day = self.rows(e.source if isinstance(e, Measure) else e.base)
                ks = set()
                for d in days:
                    for r in by_day[d]:
                        if isinstance(e, Conversion) and (
                                r[e.entity] is None
                                or (e.base_where is not None and not e.base_where(r))):
                            continue
                        ks.add((trunc(grain, d),) + self._dims(r))
                self._keys[ck] = ks
            out |= self._keys[ck]
        elif isinstance(e, Compare):
            self.own_keys(self.metrics[e.metric], grain, out)
        elif e[0] == "ref":
            self.own_keys(self.metrics[e[1]], grain, out)
        elif e[0] in ("+", "-", "*", "/"):
            self.own_keys(e[1], grain, out)
            self.own_keys(e[2], grain, out)
        elif e[0] == "neg":
            self.own_keys(e[1], grain, out)
        return out

    def spine(self, names, grain):
        keys = set()
        for n in names:
            self.own_keys(self.metrics[n], grain, keys)
        if self.start is not None:
            first = trunc(grain, self.start)
            keys = {k for k in keys if k[0] >= first}
            if self.end is not None:
                dims = {k[1:] for k in keys} if self.by else {()}
                keys = {(p,) + d for p in periods(grain, self.start, self.end) for d in dims}
        return keys

    # --- queries ---

    def query(self, names, grain):
        """Rows {key: {name: value}} of a query computing metrics `names` at `grain`."""
        return {k: {n: self.value(self.metrics[n], grain, k) for n in names}
                for k in self.spine(names, grain)}

    def grain_of(self, name, product_grain):
        m = self.metrics[name]
        if isinstance(m, Compare):
            return self.grain_of(m.metric, product_grain)
        return self.own_grain.get(name, product_grain)

    def metric(self, name, product_grain):
        grain = self.grain_of(name, product_grain)
        return {k: v[name] for k, v in self.query([name], grain).items()}

    def scorecard(self, grain):
        return self.query(self.order(grain), grain)

    def guardrails(self, grain):
        out = {}
        for g, (lo, hi) in self.guardrail_bounds.items():
            for k, v in self.metric(g, grain).items():
                if v is not None and ((lo is not None and v < lo) or (hi is not None and v > hi)):
                    out[k + (g,)] = {"value": v, "min": lo, "max": hi}
        return out
