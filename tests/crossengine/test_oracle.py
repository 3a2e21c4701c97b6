#!/usr/bin/env python3
"""Self-checks of the conformance oracle (oracle.py): tiny tables, answers computed by hand from
the semantics (docs/sql.md, ../shared/PRODUCT.md "Time comparisons"), never from SQL.

    python3 tests/crossengine/test_oracle.py
"""
import datetime as dt
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # nothing written into the clone
sys.path.insert(0, HERE)

import oracle  # noqa: E402
from oracle import Compare, Conversion, Measure, Oracle  # noqa: E402

D = dt.date


def T(s):
    return dt.datetime.fromisoformat(s)


def ev(ts, user=None, amount=None, kind="view", team=None):
    return {"ts": None if ts is None else T(ts), "user_id": user, "amount": amount,
            "kind": kind, "team": team}


def vi(ts, user=None, pages=0, team=None):
    return {"ts": None if ts is None else T(ts), "user_id": user, "pages": pages, "team": team}


def orc(tables, metrics, by=(), start=None, end=None, **kw):
    return Oracle(tables, by, start, end, metrics=metrics, own_grain=kw.pop("own_grain", {}),
                  **kw)


def by_period(rows):
    """{key: v} with one-element keys -> {period: v}."""
    return {k[0]: v for k, v in rows.items()}


class Periods(unittest.TestCase):
    def test_truncation_and_shifts(self):
        self.assertEqual(oracle.trunc("week", D(2026, 1, 4)), D(2025, 12, 29))  # Sunday -> Monday
        self.assertEqual(oracle.trunc("week", D(2026, 1, 5)), D(2026, 1, 5))
        self.assertEqual(oracle.trunc("quarter", D(2026, 3, 31)), D(2026, 1, 1))
        self.assertEqual(oracle.shift("month", D(2026, 1, 1), -1), D(2025, 12, 1))
        self.assertEqual(oracle.shift("quarter", D(2026, 1, 1), -2), D(2025, 7, 1))
        self.assertEqual(oracle.shift("year", D(2026, 1, 1), -1), D(2025, 1, 1))
        self.assertEqual(oracle.shift("week", D(2026, 1, 5), -3), D(2025, 12, 15))
        self.assertEqual(oracle.last_day("month", D(2026, 2, 1)), D(2026, 2, 28))
        self.assertEqual(oracle.last_day("quarter", D(2025, 10, 1)), D(2025, 12, 31))


class Measures(unittest.TestCase):
    TABLES = {"events": [
        ev("2026-01-05 00:00:00", 1, 10.0),   # Monday
        ev("2026-01-07 12:00:00", 2, 20.0),   # Wednesday
        ev("2026-01-08 09:00:00", 1, None),   # Thursday
        ev(None, 3, 99.0),                    # no time: in no period
        ev("2026-01-20 10:00:00", 1, 5.0),    # after --to 2026-01-10 below
    ]}
    M = {"n": Measure("events", "count"),
         "rev": Measure("events", "sum", "amount"),
         "avg": Measure("events", "avg", "amount"),
         "big": Measure("events", "count", where=lambda r: (r["amount"] or 0) > 15)}

    def test_null_time_is_ignored(self):
        got = by_period(orc(self.TABLES, self.M).metric("n", "day"))
        self.assertEqual(got, {D(2026, 1, 5): 1, D(2026, 1, 7): 1, D(2026, 1, 8): 1,
                               D(2026, 1, 20): 1})
        got = by_period(orc(self.TABLES, self.M).metric("rev", "year"))
        self.assertEqual(got, {D(2026, 1, 1): 35.0})

    def test_filter_removes_no_period(self):
        got = by_period(orc(self.TABLES, self.M).metric("big", "day"))
        self.assertEqual(got[D(2026, 1, 5)], 0)
        self.assertEqual(got[D(2026, 1, 7)], 1)

    def test_range_fills_periods_and_cuts_rows(self):
        o = orc(self.TABLES, self.M, start=D(2026, 1, 6), end=D(2026, 1, 10))
        got = o.query(["n", "rev", "avg"], "day")
        self.assertEqual(sorted(k[0] for k in got), [D(2026, 1, d) for d in range(6, 11)])
        self.assertEqual(got[(D(2026, 1, 6),)], {"n": 0, "rev": 0, "avg": None})
        self.assertEqual(got[(D(2026, 1, 8),)], {"n": 1, "rev": 0, "avg": None})
        # Weekly: the week holding --from counts from --from on (Monday's row is cut); the
        # row after --to is ignored.
        got = by_period(o.metric("n", "week"))
        self.assertEqual(got, {D(2026, 1, 5): 2})

    def test_from_only_and_to_only(self):
        got = by_period(orc(self.TABLES, self.M, start=D(2026, 1, 8)).metric("n", "day"))
        self.assertEqual(got, {D(2026, 1, 8): 1, D(2026, 1, 20): 1})
        got = by_period(orc(self.TABLES, self.M, end=D(2026, 1, 7)).metric("n", "week"))
        self.assertEqual(got, {D(2026, 1, 5): 2})


class ToDateAndCumulative(unittest.TestCase):
    TABLES = {
        "events": [
            ev("2025-12-31 23:00:00", 9, 100.0),
            ev("2026-01-30 10:00:00", 1, 10.0),   # Friday
            ev("2026-01-31 09:00:00", 2, 20.0),   # Saturday
            ev("2026-02-02 08:00:00", 1, 5.0),    # Monday
            ev("2026-02-04 08:00:00", 1, 7.0),    # Wednesday
            ev(None, 5, 1000.0),
        ],
        "visits": [vi("2026-02-03 12:00:00", 1)],  # a day without events inside February
    }
    M = {"mtd": Measure("events", "sum", "amount", to_date="month"),
         "users_mtd": Measure("events", "count_distinct", "user_id", to_date="month"),
         "median_mtd": Measure("events", "median", "amount", to_date="month"),
         "ytd": Measure("events", "sum", "amount", to_date="year"),
         "cum": Measure("events", "sum", "amount", cumulative=True),
         "ever": Measure("events", "count_distinct", "user_id", cumulative=True),
         "visits": Measure("visits", "count")}

    def test_month_to_date_daily(self):
        got = orc(self.TABLES, self.M).query(["mtd", "users_mtd", "median_mtd", "visits"], "day")
        day = lambda d: got[(d,)]  # noqa: E731
        self.assertEqual(day(D(2026, 1, 30)), {"mtd": 10.0, "users_mtd": 1, "median_mtd": 10.0,
                                               "visits": 0})
        self.assertEqual(day(D(2026, 1, 31))["mtd"], 30.0)
        self.assertEqual(day(D(2026, 1, 31))["median_mtd"], 15.0)
        # The month boundary starts over.
        self.assertEqual(day(D(2026, 2, 2))["mtd"], 5.0)
        # A day without events of its own: the total so far, not 0.
        self.assertEqual(day(D(2026, 2, 3)), {"mtd": 5.0, "users_mtd": 1, "median_mtd": 5.0,
                                              "visits": 1})
        # User 1 counted once over the span.
        self.assertEqual(day(D(2026, 2, 4)), {"mtd": 12.0, "users_mtd": 1, "median_mtd": 6.0,
                                              "visits": 0})

    def test_own_query_spine_is_the_sources_periods(self):
        got = by_period(orc(self.TABLES, self.M).metric("mtd", "day"))
        self.assertEqual(sorted(got), [D(2025, 12, 31), D(2026, 1, 30), D(2026, 1, 31),
                                       D(2026, 2, 2), D(2026, 2, 4)])

    def test_range_looks_back_before_from(self):
        o = orc(self.TABLES, self.M, start=D(2026, 2, 3), end=D(2026, 2, 5))
        got = by_period(o.metric("mtd", "day"))
        self.assertEqual(got, {D(2026, 2, 3): 5.0, D(2026, 2, 4): 12.0, D(2026, 2, 5): 12.0})

    def test_weekly_month_to_date_ends_with_the_weeks_last_day(self):
        got = by_period(orc(self.TABLES, self.M).metric("mtd", "week"))
        # Week of Monday 26 January ends on Sunday 1 February: February so far has no row.
        self.assertEqual(got[D(2026, 1, 26)], 0)
        self.assertEqual(got[D(2026, 2, 2)], 12.0)
        self.assertEqual(got[D(2025, 12, 29)], 0)  # ends on 4 January: nothing in January yet

    def test_year_to_date_at_the_year_boundary(self):
        got = by_period(orc(self.TABLES, self.M).metric("ytd", "month"))
        self.assertEqual(got, {D(2025, 12, 1): 100.0, D(2026, 1, 1): 30.0,
                               D(2026, 2, 1): 42.0})

    def test_cumulative(self):
        o = orc(self.TABLES, self.M, start=D(2025, 12, 1), end=D(2026, 2, 28))
        got = o.query(["cum", "ever"], "month")
        self.assertEqual(got[(D(2025, 12, 1),)], {"cum": 100.0, "ever": 1})
        self.assertEqual(got[(D(2026, 1, 1),)], {"cum": 130.0, "ever": 3})
        self.assertEqual(got[(D(2026, 2, 1),)], {"cum": 142.0, "ever": 3})
        # Before the data: nothing yet (0); --to cuts what is accumulated.
        o = orc(self.TABLES, self.M, start=D(2025, 11, 1), end=D(2026, 2, 2))
        got = by_period(o.metric("cum", "week"))
        self.assertEqual(got[D(2025, 11, 3)], 0)
        self.assertEqual(got[D(2026, 1, 26)], 130.0)
        self.assertEqual(got[D(2026, 2, 2)], 135.0)  # the row of 4 February is after --to

    def test_having_over_the_span(self):
        tables = {"events": [ev("2026-03-02 10:00:00", 1, kind="purchase"),
                             ev("2026-03-03 10:00:00", 1, kind="refund"),
                             ev("2026-03-03 11:00:00", 2, kind="purchase"),
                             ev("2026-03-04 11:00:00", 2, kind="view")]}
        m = {"repeat_mtd": Measure("events", "count_distinct", "user_id",
                                   where=lambda r: r["kind"] != "view",
                                   having=lambda rows: len(rows) >= 2, to_date="month"),
             "repeat": Measure("events", "count_distinct", "user_id",
                               where=lambda r: r["kind"] != "view",
                               having=lambda rows: len(rows) >= 2)}
        got = orc(tables, m).query(["repeat_mtd", "repeat"], "day")
        self.assertEqual(got[(D(2026, 3, 2),)], {"repeat_mtd": 0, "repeat": 0})
        self.assertEqual(got[(D(2026, 3, 3),)], {"repeat_mtd": 1, "repeat": 0})
        self.assertEqual(got[(D(2026, 3, 4),)], {"repeat_mtd": 1, "repeat": 0})


class Windows(unittest.TestCase):
    TABLES = {"events": [ev("2026-01-05 10:00:00", 1, team="red"),
                         ev("2026-01-06 10:00:00", 2, team="blue")],
              "visits": [vi("2026-01-07 10:00:00", 1, team="blue")]}
    M = {"users_3d": Measure("events", "count_distinct", "user_id", window=3),
         "visits": Measure("visits", "count")}

    def test_every_spine_period(self):
        got = orc(self.TABLES, self.M).query(["users_3d", "visits"], "day")
        self.assertEqual(got, {(D(2026, 1, 5),): {"users_3d": 1, "visits": 0},
                               (D(2026, 1, 6),): {"users_3d": 2, "visits": 0},
                               (D(2026, 1, 7),): {"users_3d": 2, "visits": 1}})
        # Its own query: the days its source has rows.
        self.assertEqual(set(by_period(orc(self.TABLES, self.M).metric("users_3d", "day"))),
                         {D(2026, 1, 5), D(2026, 1, 6)})

    def test_by_reports_the_keys_with_rows(self):
        got = orc(self.TABLES, self.M, by=["team"]).query(["users_3d", "visits"], "day")
        self.assertEqual(got, {(D(2026, 1, 5), "red"): {"users_3d": 1, "visits": 0},
                               (D(2026, 1, 6), "blue"): {"users_3d": 1, "visits": 0},
                               (D(2026, 1, 7), "blue"): {"users_3d": 1, "visits": 1}})


class Compares(unittest.TestCase):
    # Weekly counts: 2 (week of 5 Jan), none (12 Jan), 3 (19 Jan), 5 (26 Jan).
    TABLES = {"events": [
        ev("2026-01-05 00:00:00", 1, 4.0), ev("2026-01-08 00:00:00", 2, 6.0),
        ev("2026-01-19 00:00:00", 1, 1.0), ev("2026-01-20 00:00:00", 1, 2.0),
        ev("2026-01-21 00:00:00", 3, 3.0),
        ev("2026-01-26 00:00:00", 1), ev("2026-01-27 00:00:00", 2), ev("2026-01-28 00:00:00", 4),
        ev("2026-01-29 00:00:00", 5), ev("2026-02-01 23:59:59", 6),
    ]}
    M = {"n": Measure("events", "count"),
         "users": Measure("events", "count_distinct", "user_id"),
         "avg": Measure("events", "avg", "amount"),
         "per_user": ("/", ("ref", "n"), ("ref", "users")),
         "prev": Compare("n", 1, "value"),
         "change": Compare("n", 1, "change"),
         "growth": Compare("n", 1, "growth"),
         "growth_2": Compare("n", 2, "growth"),
         "avg_prev": Compare("avg", 1, "value"),
         "avg_change": Compare("avg", 1, "change"),
         "avg_growth": Compare("avg", 1, "growth"),
         "per_user_growth": Compare("per_user", 1, "growth"),
         "growth_change": Compare("growth", 1, "change")}
    W1, W2, W3, W4 = D(2026, 1, 5), D(2026, 1, 12), D(2026, 1, 19), D(2026, 1, 26)

    def test_value_change_growth_and_gap(self):
        o = orc(self.TABLES, self.M)
        got = o.query(["n", "prev", "change", "growth", "growth_2"], "week")
        self.assertEqual(sorted(k[0] for k in got), [self.W1, self.W3, self.W4])  # gap: no row
        self.assertEqual(got[(self.W1,)], {"n": 2, "prev": 0, "change": 2, "growth": None,
                                           "growth_2": None})
        # then = the gap week: 0 by the zero-for-counts rule, so growth is NULL.
        self.assertEqual(got[(self.W3,)], {"n": 3, "prev": 0, "change": 3, "growth": None,
                                           "growth_2": 0.5})
        self.assertEqual(got[(self.W4,)], {"n": 5, "prev": 3, "change": 2, "growth": 2 / 3,
                                           "growth_2": None})

    def test_null_then(self):
        got = orc(self.TABLES, self.M).query(["avg", "avg_prev", "avg_change", "avg_growth"],
                                             "week")
        self.assertEqual(got[(self.W3,)], {"avg": 2.0, "avg_prev": None, "avg_change": None,
                                           "avg_growth": None})
        self.assertEqual(got[(self.W4,)], {"avg": None, "avg_prev": 2.0, "avg_change": None,
                                           "avg_growth": None})

    def test_ratio_and_compare_of_compare(self):
        got = orc(self.TABLES, self.M).query(["per_user_growth", "growth_change"], "week")
        # per user: W1 2/2 = 1, W3 3/2 = 1.5, W4 5/5 = 1; W2 NULL (0 users).
        self.assertEqual(got[(self.W3,)]["per_user_growth"], None)
        self.assertAlmostEqual(got[(self.W4,)]["per_user_growth"], (1 - 1.5) / 1.5)
        # growth: W3 NULL, W4 2/3: the change is NULL.
        self.assertEqual(got[(self.W4,)]["growth_change"], None)

    def test_then_before_from(self):
        o = orc(self.TABLES, self.M, start=D(2026, 1, 12), end=D(2026, 2, 8))
        got = o.query(["n", "prev", "growth"], "week")
        self.assertEqual(sorted(k[0] for k in got),
                         [self.W2, self.W3, self.W4, D(2026, 2, 2)])
        self.assertEqual(got[(self.W2,)], {"n": 0, "prev": 2, "growth": -1.0})
        self.assertEqual(got[(D(2026, 2, 2),)], {"n": 0, "prev": 5, "growth": -1.0})
        # Daily: the day before --from is read from the data.
        o = orc(self.TABLES, self.M, start=D(2026, 1, 20), end=D(2026, 1, 20))
        self.assertEqual(o.query(["n", "prev", "change"], "day"),
                         {(D(2026, 1, 20),): {"n": 1, "prev": 1, "change": 0}})

    def test_then_in_the_period_holding_from_is_its_reported_value(self):
        # --from on Wednesday 7 January: week 1 counts the row of Thursday 8 only, and so does
        # the `then` of week 2 (week 2 itself has no row).
        o = orc(self.TABLES, self.M, start=D(2026, 1, 7), end=D(2026, 1, 18))
        got = o.query(["n", "prev"], "week")
        self.assertEqual(got, {(self.W1,): {"n": 1, "prev": 0}, (self.W2,): {"n": 0, "prev": 1}})

    def test_grain_is_the_compared_metrics(self):
        o = orc(self.TABLES, self.M, own_grain={"n": "day"})
        got = by_period(o.metric("change", "month"))
        self.assertEqual(got[D(2026, 1, 20)], 0)
        self.assertEqual(got[D(2026, 1, 26)], 1)  # 1 - 0 (Sunday 25 January has no row)

    def test_guardrail_on_growth(self):
        o = orc(self.TABLES, self.M, guardrails={"growth": (-0.35, 0.6)})
        self.assertEqual(o.guardrails("week"),
                         {(self.W4, "growth"): {"value": 2 / 3, "min": -0.35, "max": 0.6}})
        o = orc(self.TABLES, self.M, start=D(2026, 1, 12), end=D(2026, 1, 18),
                guardrails={"growth": (-0.35, 0.6)})
        self.assertEqual(o.guardrails("week"),
                         {(self.W2, "growth"): {"value": -1.0, "min": -0.35, "max": 0.6}})


class Conversions(unittest.TestCase):
    TABLES = {
        "visits": [
            vi("2026-01-05 10:00:00", 1, 3, "red"),
            vi("2026-01-05 11:00:00", 2, 3, "red"),
            vi("2026-01-06 09:00:00", 3, 2, "blue"),
            vi("2026-01-06 12:00:00", 4, 5, "blue"),
            vi("2026-01-07 12:00:00", None, 5, "red"),   # no entity
            vi("2026-01-07 13:00:00", 5, 1, "red"),      # fails the base filter
            vi("2026-01-11 09:00:00", 6, 4, "red"),      # Sunday
            vi("2026-01-12 09:00:00", 6, 4, "blue"),     # Monday, next week
            vi(None, 7, 9, "red"),                       # no time
        ],
        "events": [
            ev("2026-01-08 10:00:00", 1, kind="purchase"),   # exactly 3 days after: converts
            ev("2026-01-06 10:00:00", 2, kind="view"),       # not an event row (filter)
            ev("2026-01-08 11:00:01", 2, kind="purchase"),   # a second too late
            ev("2026-01-06 09:00:00", 3, kind="purchase"),   # the same instant: converts
            ev("2026-01-06 11:59:59", 4, kind="purchase"),   # before the visit
            ev("2026-01-07 12:00:00", None, kind="purchase"),
            ev("2026-01-07 14:00:00", 5, kind="purchase"),
            ev("2026-01-14 10:00:00", 6, kind="purchase", team="green"),  # after 11th + 3 days
            ev(None, 7, kind="purchase"),
        ],
    }

    def metrics(self, within=3):
        side = dict(base_where=lambda r: r["pages"] >= 2,
                    event_where=lambda r: r["kind"] == "purchase")
        return {"rate": Conversion("user_id", "visits", "events", within, "rate", **side),
                "count": Conversion("user_id", "visits", "events", within, "count", **side),
                "visits": Measure("visits", "count"),
                "change": Compare("rate", 1, "change")}

    def test_daily(self):
        got = orc(self.TABLES, self.metrics()).query(["rate", "count"], "day")
        # Only base rows with an entity, passing the filter, make periods (not the 7th).
        self.assertEqual(got, {(D(2026, 1, 5),): {"rate": 0.5, "count": 1},
                               (D(2026, 1, 6),): {"rate": 0.5, "count": 1},
                               (D(2026, 1, 11),): {"rate": 0.0, "count": 0},
                               (D(2026, 1, 12),): {"rate": 1.0, "count": 1}})

    def test_a_period_without_entities(self):
        o = orc(self.TABLES, self.metrics())
        got = o.query(["rate", "count", "visits"], "day")
        self.assertEqual(got[(D(2026, 1, 7),)], {"rate": None, "count": 0, "visits": 2})
        o = orc(self.TABLES, self.metrics(), start=D(2026, 1, 7), end=D(2026, 1, 8))
        self.assertEqual(o.query(["rate", "count"], "day"),
                         {(D(2026, 1, 7),): {"rate": None, "count": 0},
                          (D(2026, 1, 8),): {"rate": None, "count": 0}})

    def test_base_rows_in_two_periods(self):
        o = orc(self.TABLES, self.metrics())
        self.assertEqual(o.query(["rate", "count"], "week"),
                         {(D(2026, 1, 5),): {"rate": 0.4, "count": 2},
                          (D(2026, 1, 12),): {"rate": 1.0, "count": 1}})
        self.assertEqual(o.query(["rate", "count"], "month"),
                         {(D(2026, 1, 1),): {"rate": 0.6, "count": 3}})

    def test_events_after_to_are_ignored(self):
        o = orc(self.TABLES, self.metrics(), end=D(2026, 1, 13))
        self.assertEqual(o.query(["rate", "count"], "month"),
                         {(D(2026, 1, 1),): {"rate": 0.4, "count": 2}})

    def test_within_bound(self):
        o = orc(self.TABLES, self.metrics(within=1))
        self.assertEqual(by_period(o.metric("count", "month")), {D(2026, 1, 1): 1})  # user 3

    def test_by_group_of_the_base_row(self):
        o = orc(self.TABLES, self.metrics(), by=["team"])
        self.assertEqual(o.query(["rate", "count"], "week"),
                         {(D(2026, 1, 5), "red"): {"rate": 1 / 3, "count": 1},
                          (D(2026, 1, 5), "blue"): {"rate": 0.5, "count": 1},
                          (D(2026, 1, 12), "blue"): {"rate": 1.0, "count": 1}})
        # User 6 is an entity of both teams in January, converting only from the blue visit.
        self.assertEqual(o.query(["rate", "count"], "month"),
                         {(D(2026, 1, 1), "red"): {"rate": 1 / 3, "count": 1},
                          (D(2026, 1, 1), "blue"): {"rate": 2 / 3, "count": 2}})

    def test_compare_of_a_conversion(self):
        got = by_period(orc(self.TABLES, self.metrics()).metric("change", "week"))
        self.assertEqual(got[D(2026, 1, 5)], None)  # no entity the week before: NULL
        self.assertAlmostEqual(got[D(2026, 1, 12)], 0.6)


class ConformanceSpec(unittest.TestCase):
    """The oracle restates the generated products: same metrics, same order."""

    def test_names_and_order(self):
        for g in oracle.GRAINS:
            path = os.path.join(HERE, "conformance", "spec", f"conf_{g}.yaml")
            with open(path) as f:
                text = f.read()
            names = re.findall(r"^  (?:- )?(?:\{ )?name: (\w+)", text, re.M)
            self.assertEqual(names, oracle.print_order(g), g)
            guard = text[text.index("\nguardrails:"):text.index("\noutcomes:")]
            self.assertEqual(re.findall(r"^  (?:- )?(?:\{ )?name: (\w+)", guard, re.M),
                             list(oracle.GUARDRAILS), g)
            for n in names:
                self.assertIn(n, oracle.METRICS)


if __name__ == "__main__":
    unittest.main()
