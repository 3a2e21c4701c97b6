#!/usr/bin/env python3
"""Generates a MetricFlow project of a realistic shape, with CSV data for it.

    python3 bench/gen_metricflow.py OUT [--days 120] [--customers 400] [--seed 7] [--variants 3]

writes
    OUT/semantic/*.yml       MetricFlow's own YAML (one object per `---` document): five
                             semantic models with primary and foreign entities, dimensions on
                             joined models, measures of every aggregation lodestar has, and
                             metrics of every kind: simple (filters on joined dimensions through
                             Jinja), ratio across models, derived, offset_window, cumulative
                             (window, grain_to_date, all time) and conversion
    OUT/data/main/*.csv      the rows (the relations are `main.<name>`), and the time spine
                             `main.mf_time_spine` MetricFlow joins against

`--variants N` adds N metrics per region and per category (filters through joins), so that a
project of any size can be made. The data are random but well-formed: every primary key is
unique, and some values are NULL (anonymous visits, orders without an amount) so that counts and
NULL handling are exercised. `tests/metricflow/compare.py` imports the project with lodestar and
compares the numbers with MetricFlow's own SQL on DuckDB.
"""

import argparse
import csv
import datetime as dt
import os
import random

REGIONS = ["eu", "na", "apac", "latam"]
SEGMENTS = ["consumer", "business"]
CATEGORIES = ["food", "books", "toys", "garden"]
CHANNELS = ["web", "app", "phone"]
STATUSES = ["completed", "completed", "completed", "returned", "cancelled"]
SOURCES = ["search", "ads", "direct", "email"]


def semantic_models():
    return [
        {
            "name": "customers",
            "description": "One row per customer.",
            "node_relation": {"schema_name": "main", "alias": "customers"},
            "defaults": {"agg_time_dimension": "signed_up_at"},
            "entities": [{"name": "customer", "type": "primary", "expr": "customer_id"}],
            "dimensions": [
                {"name": "signed_up_at", "type": "time", "type_params": {"time_granularity": "day"}},
                {"name": "region", "type": "categorical"},
                {"name": "segment", "type": "categorical", "expr": "lower(segment)"},
            ],
            "measures": [
                {"name": "signups", "agg": "count_distinct", "expr": "customer_id"},
            ],
        },
        {
            "name": "products",
            "description": "One row per product.",
            "node_relation": {"schema_name": "main", "alias": "products"},
            "entities": [{"name": "product", "type": "primary", "expr": "product_id"}],
            "dimensions": [
                {"name": "category", "type": "categorical"},
                {"name": "is_perishable", "type": "categorical", "expr": "category = 'food'"},
            ],
        },
        {
            "name": "orders",
            "description": "One row per order.",
            "node_relation": {"schema_name": "main", "alias": "orders"},
            "defaults": {"agg_time_dimension": "ordered_at"},
            "entities": [
                {"name": "order", "type": "primary", "expr": "order_id"},
                {"name": "customer", "type": "foreign", "expr": "customer_id"},
                {"name": "product", "type": "foreign", "expr": "product_id"},
            ],
            "dimensions": [
                {"name": "ordered_at", "type": "time", "type_params": {"time_granularity": "day"}},
                {"name": "status", "type": "categorical"},
                {"name": "channel", "type": "categorical"},
                {"name": "is_first_order", "type": "categorical"},
            ],
            "measures": [
                {"name": "order_total", "agg": "sum", "expr": "amount"},
                {"name": "order_count", "agg": "count", "expr": "1"},
                {"name": "orders_with_amount", "agg": "count", "expr": "amount"},
                {"name": "first_orders", "agg": "sum_boolean", "expr": "is_first_order"},
                {"name": "ordering_customers", "agg": "count_distinct", "expr": "customer_id"},
                {"name": "avg_order_amount", "agg": "average", "expr": "amount"},
                {"name": "max_order_amount", "agg": "max", "expr": "amount"},
                {"name": "min_order_amount", "agg": "min", "expr": "amount"},
                {"name": "median_order_amount", "agg": "median", "expr": "amount"},
                {
                    "name": "p90_order_amount",
                    "agg": "percentile",
                    "expr": "amount",
                    "agg_params": {"percentile": 0.9, "use_discrete_percentile": False},
                },
                {"name": "items_sold", "agg": "sum", "expr": "quantity"},
            ],
        },
        {
            "name": "visits",
            "description": "One row per visit; anonymous visits have no customer.",
            "node_relation": {"schema_name": "main", "alias": "visits"},
            "defaults": {"agg_time_dimension": "visited_at"},
            "entities": [
                {"name": "visit", "type": "primary", "expr": "visit_id"},
                {"name": "customer", "type": "foreign", "expr": "customer_id"},
            ],
            "dimensions": [
                {"name": "visited_at", "type": "time", "type_params": {"time_granularity": "day"}},
                {"name": "source", "type": "categorical", "expr": "traffic_source"},
            ],
            "measures": [
                {"name": "visit_count", "agg": "count", "expr": "1"},
                {"name": "visitors", "agg": "count_distinct", "expr": "customer_id"},
            ],
        },
        {
            "name": "refunds",
            "description": "One row per refund of an order.",
            "node_relation": {"schema_name": "main", "alias": "refunds"},
            "defaults": {"agg_time_dimension": "refunded_at"},
            "entities": [
                {"name": "refund", "type": "primary", "expr": "refund_id"},
                {"name": "order", "type": "foreign", "expr": "order_id"},
                {"name": "customer", "type": "foreign", "expr": "customer_id"},
            ],
            "dimensions": [
                {"name": "refunded_at", "type": "time", "type_params": {"time_granularity": "day"}},
                {"name": "reason", "type": "categorical"},
            ],
            "measures": [
                {"name": "refund_amount", "agg": "sum", "expr": "refund_amount"},
                {"name": "refund_count", "agg": "count", "expr": "1"},
            ],
        },
    ]


def simple(name, measure, filt=None, description=None):
    m = {"name": name, "type": "simple", "type_params": {"measure": measure}}
    if filt:
        m["filter"] = filt
    if description:
        m["description"] = description
    return m


def dim(name):
    return "{{ Dimension('%s') }}" % name


def metrics(variants):
    out = [
        simple("revenue", "order_total", description="Sum of order amounts."),
        simple("orders", {"name": "order_count", "fill_nulls_with": 0, "join_to_timespine": True}),
        simple("orders_with_amount", "orders_with_amount"),
        simple("first_orders", "first_orders"),
        simple("ordering_customers", "ordering_customers"),
        simple("avg_order_amount", "avg_order_amount"),
        simple("max_order_amount", "max_order_amount"),
        simple("min_order_amount", "min_order_amount"),
        simple("median_order_amount", "median_order_amount"),
        simple("p90_order_amount", "p90_order_amount"),
        simple("items_sold", "items_sold"),
        simple("signups", "signups"),
        simple("visits", "visit_count"),
        simple("visitors", "visitors"),
        simple("refunds", "refund_amount"),
        simple("refund_count", "refund_count"),
        simple("completed_revenue", "order_total", dim("order__status") + " = 'completed'"),
        simple(
            "business_revenue",
            "order_total",
            dim("customer__segment") + " = 'business'",
            "Revenue from business customers (a dimension of the joined customers model).",
        ),
        simple(
            "perishable_orders",
            "order_count",
            [dim("product__is_perishable"), dim("order__channel") + " <> 'phone'"],
        ),
        simple(
            "early_signup_revenue",
            "order_total",
            "{{ TimeDimension('customer__signed_up_at', 'month') }} <= '2024-02-01'",
        ),
        simple(
            "refunds_of_app_orders",
            "refund_amount",
            dim("order__channel") + " = 'app'",
            "Refunds of orders placed in the app (a dimension of the joined orders model).",
        ),
        simple(
            "search_visits",
            {"name": "visit_count", "filter": dim("visit__source") + " = 'search'"},
        ),
        {
            "name": "refund_rate",
            "type": "ratio",
            "description": "Refunded amount over revenue (two semantic models).",
            "type_params": {"numerator": {"name": "refunds"}, "denominator": {"name": "revenue"}},
        },
        {
            "name": "completed_share",
            "type": "ratio",
            "type_params": {
                # MetricFlow needs the alias: without it both sides are one column `orders`.
                "numerator": {
                    "name": "orders",
                    "alias": "completed_orders",
                    "filter": dim("order__status") + " = 'completed'",
                },
                "denominator": {"name": "orders"},
            },
        },
        {
            "name": "orders_per_visitor",
            "type": "ratio",
            "type_params": {"numerator": {"name": "ordering_customers"}, "denominator": {"name": "visitors"}},
        },
        {
            "name": "net_revenue",
            "type": "derived",
            "type_params": {
                "expr": "revenue - refunds",
                "metrics": [{"name": "revenue"}, {"name": "refunds"}],
            },
        },
        {
            "name": "revenue_per_item",
            "type": "derived",
            "type_params": {
                "expr": "rev / nullif(items, 0)",
                "metrics": [{"name": "revenue", "alias": "rev"}, {"name": "items_sold", "alias": "items"}],
            },
        },
        {
            "name": "revenue_dod",
            "type": "derived",
            "description": "Revenue change against the day before.",
            "type_params": {
                "expr": "revenue - revenue_yesterday",
                "metrics": [
                    {"name": "revenue"},
                    {"name": "revenue", "offset_window": "1 day", "alias": "revenue_yesterday"},
                ],
            },
        },
        {
            "name": "orders_wow_growth",
            "type": "derived",
            "description": "Order growth against the same day a week earlier.",
            "type_params": {
                "expr": "(orders - orders_last_week) / orders_last_week",
                "metrics": [
                    {"name": "orders"},
                    {"name": "orders", "offset_window": "1 week", "alias": "orders_last_week"},
                ],
            },
        },
        {
            "name": "eu_revenue_vs_14d",
            "type": "derived",
            "type_params": {
                "expr": "eu_now - eu_before",
                "metrics": [
                    {"name": "revenue", "alias": "eu_now", "filter": dim("customer__region") + " = 'eu'"},
                    {
                        "name": "revenue",
                        "alias": "eu_before",
                        "offset_window": "14 days",
                        "filter": dim("customer__region") + " = 'eu'",
                    },
                ],
            },
        },
        {
            "name": "revenue_7d",
            "type": "cumulative",
            "type_params": {"measure": "order_total", "cumulative_type_params": {"window": "7 days"}},
        },
        {
            "name": "customers_28d",
            "type": "cumulative",
            "type_params": {"measure": "ordering_customers", "cumulative_type_params": {"window": "28 days"}},
        },
        {
            "name": "revenue_mtd",
            "type": "cumulative",
            "type_params": {"measure": "order_total", "cumulative_type_params": {"grain_to_date": "month"}},
        },
        {
            "name": "orders_wtd",
            "type": "cumulative",
            "type_params": {"measure": "order_count", "cumulative_type_params": {"grain_to_date": "week"}},
        },
        {
            "name": "customers_ever",
            "type": "cumulative",
            "type_params": {"measure": "ordering_customers"},
        },
        {
            "name": "visit_to_order_7d",
            "type": "conversion",
            "description": "Visitors who order within 7 days of a visit.",
            "type_params": {
                "conversion_type_params": {
                    "entity": "customer",
                    "calculation": "conversion_rate",
                    "base_measure": "visitors",
                    "conversion_measure": "ordering_customers",
                    "window": "7 days",
                }
            },
        },
        {
            "name": "visit_conversions_3d",
            "type": "conversion",
            "type_params": {
                "conversion_type_params": {
                    "entity": "customer",
                    "calculation": "conversions",
                    "base_measure": {"name": "visitors", "filter": dim("visit__source") + " = 'ads'"},
                    "conversion_measure": "ordering_customers",
                    "window": "3 days",
                }
            },
        },
        # Kinds lodestar does not carry over: the import reports them.
        {
            "name": "revenue_at_month_start",
            "type": "derived",
            "type_params": {
                "expr": "revenue - start",
                "metrics": [{"name": "revenue"}, {"name": "revenue", "alias": "start", "offset_to_grain": "month"}],
            },
        },
        {
            "name": "visit_to_order_same_source",
            "type": "conversion",
            "type_params": {
                "conversion_type_params": {
                    "entity": "customer",
                    "base_measure": "visitors",
                    "conversion_measure": "ordering_customers",
                    "window": "7 days",
                    "constant_properties": [{"base_property": "visit__source", "conversion_property": "order__channel"}],
                }
            },
        },
    ]
    for region in REGIONS[: max(0, variants)]:
        out.append(simple(f"revenue_{region}", "order_total", dim("customer__region") + f" = '{region}'"))
    for category in CATEGORIES[: max(0, variants)]:
        out.append(simple(f"items_{category}", "items_sold", dim("product__category") + f" = '{category}'"))
    return out


def yaml_scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    s = str(v)
    return "'" + s.replace("'", "''") + "'"


def yaml(value, indent=0):
    """A small YAML writer (no PyYAML needed): block maps and lists, quoted scalars."""
    pad = "  " * indent
    lines = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{pad}{k}:")
                lines.append(yaml(v, indent + 1))
            else:
                lines.append(f"{pad}{k}: {yaml_scalar(v) if not isinstance(v, (dict, list)) else '[]'}")
    else:
        for item in value:
            if isinstance(item, dict):
                inner = yaml(item, indent + 1).split("\n")
                first = inner[0].strip()
                lines.append(f"{pad}- {first}")
                lines.extend(inner[1:])
            else:
                lines.append(f"{pad}- {yaml_scalar(item)}")
    return "\n".join(lines)


def documents(key, items):
    return "\n---\n".join(yaml({key: item}) for item in items) + "\n"


def write_csv(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])


def data(out, days, n_customers, rng):
    start = dt.date(2024, 1, 1)
    day = lambda: start + dt.timedelta(days=rng.randrange(days))
    customers = []
    for c in range(1, n_customers + 1):
        customers.append((c, day().isoformat(), rng.choice(REGIONS), rng.choice(SEGMENTS).upper()))
    products = [(p, rng.choice(CATEGORIES)) for p in range(1, 41)]
    orders, refunds, visits = [], [], []
    seen_customer = set()
    order_id = refund_id = visit_id = 0
    for _ in range(n_customers * 6):
        visit_id += 1
        cust = rng.choice(customers)[0] if rng.random() < 0.8 else None
        visits.append((visit_id, cust, day().isoformat(), rng.choice(SOURCES)))
    # Orders follow visits often, so that conversions happen within days.
    for v in visits:
        if v[1] is None or rng.random() > 0.35:
            continue
        order_id += 1
        when = dt.date.fromisoformat(v[2]) + dt.timedelta(days=rng.choice([0, 0, 1, 2, 3, 5, 9]))
        if when >= start + dt.timedelta(days=days):
            continue
        amount = None if rng.random() < 0.05 else round(rng.uniform(5, 300), 2)
        first = v[1] not in seen_customer
        seen_customer.add(v[1])
        orders.append(
            (
                order_id,
                v[1],
                rng.choice(products)[0],
                when.isoformat(),
                rng.choice(STATUSES),
                rng.choice(CHANNELS),
                "true" if first else "false",
                amount,
                rng.randint(1, 5),
            )
        )
        if rng.random() < 0.12 and amount is not None:
            refund_id += 1
            later = when + dt.timedelta(days=rng.randint(0, 10))
            if later < start + dt.timedelta(days=days):
                refunds.append(
                    (refund_id, order_id, v[1], later.isoformat(), rng.choice(["damaged", "late", "other"]), round(amount * rng.uniform(0.2, 1), 2))
                )
    d = os.path.join(out, "data", "main")
    write_csv(os.path.join(d, "customers.csv"), ["customer_id", "signed_up_at", "region", "segment"], customers)
    write_csv(os.path.join(d, "products.csv"), ["product_id", "category"], products)
    write_csv(
        os.path.join(d, "orders.csv"),
        ["order_id", "customer_id", "product_id", "ordered_at", "status", "channel", "is_first_order", "amount", "quantity"],
        orders,
    )
    write_csv(os.path.join(d, "visits.csv"), ["visit_id", "customer_id", "visited_at", "traffic_source"], visits)
    write_csv(
        os.path.join(d, "refunds.csv"),
        ["refund_id", "order_id", "customer_id", "refunded_at", "reason", "refund_amount"],
        refunds,
    )
    spine = [((start + dt.timedelta(days=i - 60)).isoformat(),) for i in range(days + 120)]
    write_csv(os.path.join(d, "mf_time_spine.csv"), ["ds"], spine)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--days", type=int, default=120)
    ap.add_argument("--customers", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--variants", type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    sem = os.path.join(args.out, "semantic")
    os.makedirs(sem, exist_ok=True)
    with open(os.path.join(sem, "semantic_models.yml"), "w") as f:
        f.write(documents("semantic_model", semantic_models()))
    with open(os.path.join(sem, "metrics.yml"), "w") as f:
        f.write(documents("metric", metrics(args.variants)))
    with open(os.path.join(sem, "project_configuration.yml"), "w") as f:
        f.write(
            yaml(
                {
                    "project_configuration": {
                        "time_spines": [
                            {
                                "node_relation": {"schema_name": "main", "alias": "mf_time_spine"},
                                "primary_column": {"name": "ds", "time_granularity": "day"},
                            }
                        ]
                    }
                }
            )
            + "\n"
        )
    data(args.out, args.days, args.customers, rng)
    print(f"wrote {args.out}/semantic/*.yml and {args.out}/data/main/*.csv")


if __name__ == "__main__":
    main()
