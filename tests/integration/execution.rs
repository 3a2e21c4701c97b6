//! Execution tests: the SQL that lodestar compiles for DuckDB, run on raw rows, must give the
//! numbers this file computes itself from the same rows in plain Rust (own period truncation
//! with Monday weeks, own aggregation, own windows; never our SQL).
#![cfg(feature = "duckdb")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use lodestar::engine::{Cell, Data, Engine, Table};
use lodestar::model::{Grain, Project};
use lodestar::sql::{self, CompiledProduct, Dialect, Options};

// ---------------------------------------------------------------------------------------------
// Raw data

#[derive(Clone, Debug)]
struct Order {
    ts: NaiveDateTime,
    user: Option<i64>,
    amount: Option<f64>,
    qty: Option<i64>,
    status: Option<String>,
    market: Option<String>,
}

#[derive(Clone, Debug)]
struct Visit {
    ts: NaiveDateTime,
    user: Option<i64>,
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A small deterministic generator (no dependency, same rows on every machine).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const STATUSES: &[&str] = &[
    "confirmed",
    "confirmed",
    "refunded",
    "it's pending",
    "say \"hi\"",
];
const MARKETS: &[&str] = &["FR", "US", "Côte d'Ivoire"];

/// Orders from 2023-11-01 to 2025-02-28, with a gap (no orders 2024-03-04 .. 2024-03-17),
/// edge timestamps, NULLs, duplicate users and quotes inside strings.
fn orders() -> Vec<Order> {
    let mut rng = Lcg(42);
    let mut out = Vec::new();
    let start = date("2023-11-01");
    let gap = (date("2024-03-04"), date("2024-03-17"));
    for i in 0..900 {
        let day = start + Duration::days(rng.below(486) as i64);
        if day >= gap.0 && day <= gap.1 {
            continue;
        }
        let ts = day
            .and_hms_opt(
                rng.below(24) as u32,
                rng.below(60) as u32,
                rng.below(60) as u32,
            )
            .unwrap();
        let user = if i % 17 == 0 {
            None
        } else {
            Some(rng.below(40) as i64)
        };
        let amount = if i % 13 == 0 {
            None
        } else {
            Some(rng.below(100_000) as f64 / 100.0 + 0.25)
        };
        let qty = if i % 11 == 0 {
            None
        } else {
            Some(rng.below(9) as i64)
        };
        let status = if i % 19 == 0 {
            None
        } else {
            Some(STATUSES[rng.below(STATUSES.len() as u64) as usize].to_owned())
        };
        let market = if i % 23 == 0 {
            None
        } else {
            Some(MARKETS[rng.below(MARKETS.len() as u64) as usize].to_owned())
        };
        out.push(Order {
            ts,
            user,
            amount,
            qty,
            status,
            market,
        });
    }
    // Period edges: Monday 00:00:00 and Sunday 23:59:59 around week, month, quarter and year
    // boundaries; the same user twice at once (duplicate keys).
    let o = |ts: &str,
             user: Option<i64>,
             amount: Option<f64>,
             qty: Option<i64>,
             status: &str,
             market: &str| Order {
        ts: at(ts),
        user,
        amount,
        qty,
        status: Some(status.to_owned()),
        market: Some(market.to_owned()),
    };
    out.push(o(
        "2024-01-01 00:00:00",
        Some(7),
        Some(10.5),
        Some(2),
        "confirmed",
        "FR",
    ));
    out.push(o(
        "2024-01-01 00:00:00",
        Some(7),
        Some(10.5),
        Some(2),
        "confirmed",
        "FR",
    ));
    out.push(o(
        "2024-01-07 23:59:59",
        Some(8),
        Some(99.75),
        Some(5),
        "it's pending",
        "Côte d'Ivoire",
    ));
    out.push(o(
        "2023-12-31 23:59:59",
        Some(9),
        Some(1.25),
        Some(1),
        "refunded",
        "US",
    ));
    out.push(o(
        "2024-03-31 23:59:59",
        Some(9),
        None,
        Some(3),
        "confirmed",
        "US",
    ));
    out.push(o(
        "2024-04-01 00:00:00",
        None,
        Some(5.5),
        None,
        "say \"hi\"",
        "FR",
    ));
    out.push(o(
        "2024-09-30 00:00:00",
        Some(3),
        Some(0.25),
        Some(0),
        "refunded",
        "US",
    ));
    out
}

fn visits() -> Vec<Visit> {
    let mut rng = Lcg(7);
    let start = date("2023-11-01");
    let mut out: Vec<Visit> = (0..1500)
        .map(|i| {
            let day = start + Duration::days(rng.below(486) as i64);
            let ts = day
                .and_hms_opt(rng.below(24) as u32, rng.below(60) as u32, 0)
                .unwrap();
            Visit {
                ts,
                user: if i % 29 == 0 {
                    None
                } else {
                    Some(rng.below(60) as i64)
                },
            }
        })
        .collect();
    out.push(Visit {
        ts: at("2024-01-01 00:00:00"),
        user: Some(7),
    });
    out.push(Visit {
        ts: at("2024-01-07 23:59:59"),
        user: Some(8),
    });
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref()
        .map(|x| csv_field(&x.to_string()))
        .unwrap_or_default()
}

/// Writes the rows as CSV under a directory whose name holds a quote, the layout `--data`
/// reads: `DIR/app/orders.csv`, `DIR/app/visits.csv`.
fn write_data(root: &Path, orders: &[Order], visits: &[Visit]) -> PathBuf {
    let dir = root.join("it's data");
    std::fs::create_dir_all(dir.join("app")).unwrap();
    let mut text = String::from("ts,user_id,amount,qty,status,market\n");
    for o in orders {
        text.push_str(&format!(
            "{},{},{},{},{},{}\n",
            o.ts.format("%Y-%m-%d %H:%M:%S"),
            opt(&o.user),
            o.amount.map(|a| format!("{a:.2}")).unwrap_or_default(),
            opt(&o.qty),
            opt(&o.status),
            opt(&o.market),
        ));
    }
    std::fs::write(dir.join("app/orders.csv"), text).unwrap();
    let mut text = String::from("ts,user_id\n");
    for v in visits {
        text.push_str(&format!(
            "{},{}\n",
            v.ts.format("%Y-%m-%d %H:%M:%S"),
            opt(&v.user)
        ));
    }
    std::fs::write(dir.join("app/visits.csv"), text).unwrap();
    dir
}

// ---------------------------------------------------------------------------------------------
// The answers, computed here

/// The first day of the period holding `d`; weeks start on Monday.
fn period(grain: Grain, d: NaiveDate) -> NaiveDate {
    match grain {
        Grain::Day => d,
        Grain::Week => d - Duration::days(d.weekday().num_days_from_monday() as i64),
        Grain::Month => NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap(),
        Grain::Quarter => {
            NaiveDate::from_ymd_opt(d.year(), (d.month() - 1) / 3 * 3 + 1, 1).unwrap()
        }
        Grain::Year => NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap(),
    }
}

/// The first day of the next period.
fn next_period(grain: Grain, p: NaiveDate) -> NaiveDate {
    let months = |n: u32| p.checked_add_months(chrono::Months::new(n)).unwrap();
    match grain {
        Grain::Day => p + Duration::days(1),
        Grain::Week => p + Duration::days(7),
        Grain::Month => months(1),
        Grain::Quarter => months(3),
        Grain::Year => months(12),
    }
}

#[derive(Clone, Copy)]
enum Agg {
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
    Percentile(f64),
}

fn aggregate(agg: Agg, values: &[Option<f64>]) -> Option<f64> {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    match agg {
        Agg::Count => Some(values.len() as f64),
        Agg::CountDistinct => {
            let set: BTreeSet<u64> = present.iter().map(|v| v.to_bits()).collect();
            Some(set.len() as f64)
        }
        // docs/sql.md: a sum over no (non-NULL) values is 0, like a count.
        Agg::Sum => Some(present.iter().sum()),
        _ if present.is_empty() => None,
        Agg::Avg => Some(present.iter().sum::<f64>() / present.len() as f64),
        Agg::Min => present.iter().copied().reduce(f64::min),
        Agg::Max => present.iter().copied().reduce(f64::max),
        Agg::Percentile(p) => {
            let mut s = present.clone();
            s.sort_by(f64::total_cmp);
            let rank = p * (s.len() - 1) as f64;
            let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
            Some(s[lo] + (s[hi] - s[lo]) * (rank - lo as f64))
        }
    }
}

/// One measure over one table, in Rust terms.
#[derive(Clone, Copy)]
struct Measure {
    visits: bool,
    agg: Agg,
    expr: fn(&Order) -> Option<f64>,
    filter: fn(&Order) -> bool,
    /// `having: count(*) >= n` per user.
    having: Option<usize>,
    window: Option<i64>,
}

fn measure(agg: Agg, expr: fn(&Order) -> Option<f64>) -> Measure {
    Measure {
        visits: false,
        agg,
        expr,
        filter: |_| true,
        having: None,
        window: None,
    }
}

/// A metric, in Rust terms: a measure, or arithmetic over other metrics.
#[derive(Clone)]
enum Expected {
    Measure(Measure),
    /// `a / b`, NULL when b is NULL or 0.
    Div(Box<Expected>, Box<Expected>),
    Sub(Box<Expected>, Box<Expected>),
    Add(Box<Expected>, f64),
    Mul(f64, Box<Expected>),
}

/// The grouping key of a result row: period, then `--by` dimension values.
type Key = (NaiveDate, Vec<Option<String>>);

/// What a run covers.
struct Run {
    grain: Grain,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    by_market: bool,
}

impl Run {
    fn at(grain: Grain) -> Run {
        Run {
            grain,
            from: None,
            to: None,
            by_market: false,
        }
    }

    fn dims(&self, o: &Order) -> Vec<Option<String>> {
        if self.by_market {
            vec![o.market.clone()]
        } else {
            Vec::new()
        }
    }

    fn in_range(&self, d: NaiveDate, windowed: bool) -> bool {
        // A window reaches back before --from; --to bounds every row.
        (windowed || self.from.is_none_or(|f| d >= f)) && self.to.is_none_or(|t| d <= t)
    }

    fn filled(&self) -> Option<Vec<NaiveDate>> {
        let (f, t) = (self.from?, self.to?);
        let mut out = Vec::new();
        let mut p = period(self.grain, f);
        while p <= t {
            out.push(p);
            p = next_period(self.grain, p);
        }
        Some(out)
    }
}

/// Rows of the table a measure reads, as orders (visits carry only time and user).
fn rows_of(m: &Measure, orders: &[Order], visits: &[Visit]) -> Vec<Order> {
    if m.visits {
        visits
            .iter()
            .map(|v| Order {
                ts: v.ts,
                user: v.user,
                amount: None,
                qty: None,
                status: None,
                market: None,
            })
            .collect()
    } else {
        orders.to_vec()
    }
}

/// The keys a measure's query produces a row for: the periods (and dimension values) of its
/// table's rows in range, or every period of --from..--to (times the dimension values).
fn keys_of(m: &Measure, run: &Run, rows: &[Order]) -> BTreeSet<Key> {
    let mut keys = BTreeSet::new();
    let mut dims = BTreeSet::new();
    if !run.by_market {
        dims.insert(Vec::new());
    }
    for r in rows {
        let d = r.ts.date();
        if !run.in_range(d, m.window.is_some()) {
            continue;
        }
        dims.insert(run.dims(r));
        keys.insert((period(run.grain, d), run.dims(r)));
    }
    match run.filled() {
        Some(periods) => periods
            .into_iter()
            .flat_map(|p| dims.iter().map(move |d| (p, d.clone())))
            .collect(),
        None => keys,
    }
}

fn evaluate_measure(
    m: &Measure,
    run: &Run,
    rows: &[Order],
    keys: &BTreeSet<Key>,
) -> BTreeMap<Key, Option<f64>> {
    let mut out = BTreeMap::new();
    for key in keys {
        let (p, dims) = key;
        let (lo, hi) = match m.window {
            None => (*p, next_period(run.grain, *p)),
            Some(n) => {
                let end = next_period(run.grain, *p);
                (end - Duration::days(n), end)
            }
        };
        let selected: Vec<&Order> = rows
            .iter()
            .filter(|r| {
                let d = r.ts.date();
                d >= lo
                    && d < hi
                    && run.in_range(d, m.window.is_some())
                    && run.dims(r) == *dims
                    && (m.filter)(r)
            })
            .collect();
        let value = match m.having {
            Some(n) => {
                let mut per_user: BTreeMap<i64, usize> = BTreeMap::new();
                for r in &selected {
                    if let Some(u) = r.user {
                        *per_user.entry(u).or_default() += 1;
                    }
                }
                Some(per_user.values().filter(|c| **c >= n).count() as f64)
            }
            None => aggregate(
                m.agg,
                &selected.iter().map(|r| (m.expr)(r)).collect::<Vec<_>>(),
            ),
        };
        out.insert(key.clone(), value);
    }
    out
}

fn measures(e: &Expected, out: &mut Vec<Measure>) {
    match e {
        Expected::Measure(m) => out.push(*m),
        Expected::Div(a, b) | Expected::Sub(a, b) => {
            measures(a, out);
            measures(b, out);
        }
        Expected::Add(a, _) | Expected::Mul(_, a) => measures(a, out),
    }
}

/// The expected rows of a metric's own query: over the union of its measures' keys.
fn expect(
    e: &Expected,
    run: &Run,
    orders: &[Order],
    visits: &[Visit],
) -> BTreeMap<Key, Option<f64>> {
    let mut ms = Vec::new();
    measures(e, &mut ms);
    let mut keys = BTreeSet::new();
    for m in &ms {
        keys.extend(keys_of(m, run, &rows_of(m, orders, visits)));
    }
    expect_at(e, run, orders, visits, &keys)
}

fn expect_at(
    e: &Expected,
    run: &Run,
    orders: &[Order],
    visits: &[Visit],
    keys: &BTreeSet<Key>,
) -> BTreeMap<Key, Option<f64>> {
    let zip = |a: &Expected,
               b: &Expected,
               f: &dyn Fn(f64, f64) -> Option<f64>|
     -> BTreeMap<Key, Option<f64>> {
        let (a, b) = (
            expect_at(a, run, orders, visits, keys),
            expect_at(b, run, orders, visits, keys),
        );
        a.into_iter()
            .map(|(k, x)| (k.clone(), x.zip(b[&k]).and_then(|(x, y)| f(x, y))))
            .collect()
    };
    match e {
        Expected::Measure(m) => evaluate_measure(m, run, &rows_of(m, orders, visits), keys),
        Expected::Div(a, b) => zip(a, b, &|x, y| (y != 0.0).then(|| x / y)),
        Expected::Sub(a, b) => zip(a, b, &|x, y| Some(x - y)),
        Expected::Add(a, n) => expect_at(a, run, orders, visits, keys)
            .into_iter()
            .map(|(k, v)| (k, v.map(|v| v + n)))
            .collect(),
        Expected::Mul(n, a) => expect_at(a, run, orders, visits, keys)
            .into_iter()
            .map(|(k, v)| (k, v.map(|v| n * v)))
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// The spec, and the same metrics in Rust

const OWNERS_AND_SOURCES: &str = r#"
owners:
  team: { name: Team }
sources:
  orders:
    table: app.orders
    time: ts
    dimensions:
      market: market
  visits:
    table: app.visits
    time: ts
"#;

/// Metric blocks of the spec (YAML list items under `inputs:`), with their Rust meaning.
fn input_metrics() -> Vec<(&'static str, &'static str, Expected)> {
    use Expected as E;
    let m = |x: Measure| E::Measure(x);
    let amount: fn(&Order) -> Option<f64> = |o| o.amount;
    let qty: fn(&Order) -> Option<f64> = |o| o.qty.map(|q| q as f64);
    let user: fn(&Order) -> Option<f64> = |o| o.user.map(|u| u as f64);
    let none: fn(&Order) -> Option<f64> = |_| None;
    let order_count = m(measure(Agg::Count, none));
    let buyers = m(measure(Agg::CountDistinct, user));
    let confirmed_amount = m(Measure {
        filter: |o| o.status.as_deref() == Some("confirmed"),
        ..measure(Agg::Sum, amount)
    });
    let min_amount = m(measure(Agg::Min, amount));
    let pending_orders = m(Measure {
        filter: |o| o.status.as_deref() == Some("it's pending"),
        ..measure(Agg::Count, none)
    });
    vec![
        ("order_count", "measure: { source: orders, agg: count }", order_count.clone()),
        ("buyers", "measure: { source: orders, agg: count_distinct, expr: user_id }", buyers.clone()),
        ("avg_amount", "measure: { source: orders, agg: avg, expr: amount }", m(measure(Agg::Avg, amount))),
        ("min_amount", "measure: { source: orders, agg: min, expr: amount }", min_amount.clone()),
        ("max_qty", "measure: { source: orders, agg: max, expr: qty }", m(measure(Agg::Max, qty))),
        ("median_amount", "measure: { source: orders, agg: median, expr: amount }", m(measure(Agg::Percentile(0.5), amount))),
        ("p90_amount", "measure: { source: orders, agg: percentile, p: 0.9, expr: amount }", m(measure(Agg::Percentile(0.9), amount))),
        ("confirmed_amount", "measure: { source: orders, agg: sum, expr: amount, filter: status = 'confirmed' }", confirmed_amount.clone()),
        ("pending_orders", "measure: { source: orders, agg: count, filter: \"status = 'it''s pending'\" }", pending_orders.clone()),
        (
            "loyal_buyers",
            "measure: { source: orders, agg: count_distinct, expr: user_id, having: count(*) >= 2 }",
            m(Measure { having: Some(2), ..measure(Agg::CountDistinct, user) }),
        ),
        (
            "refund_qty_share",
            "ratio: { numerator: { source: orders, agg: sum, expr: qty, filter: status = 'refunded' }, denominator: { source: orders, agg: sum, expr: qty } }",
            E::Div(
                Box::new(m(Measure { filter: |o| o.status.as_deref() == Some("refunded"), ..measure(Agg::Sum, qty) })),
                Box::new(m(measure(Agg::Sum, qty))),
            ),
        ),
        (
            "buyers_per_pending",
            "ratio: { numerator: buyers, denominator: pending_orders }",
            E::Div(Box::new(buyers.clone()), Box::new(pending_orders.clone())),
        ),
        (
            "visit_conversion",
            "ratio: { numerator: { source: orders, agg: count_distinct, expr: user_id }, denominator: { source: visits, agg: count_distinct, expr: user_id } }",
            E::Div(Box::new(buyers.clone()), Box::new(m(Measure { visits: true, ..measure(Agg::CountDistinct, user) }))),
        ),
        ("amount_per_order", "derived: total_amount / order_count", E::Div(Box::new(total_amount()), Box::new(order_count))),
        (
            "net_score",
            "derived: (confirmed_amount - 2 * min_amount) / buyers + 1",
            E::Add(Box::new(E::Div(Box::new(E::Sub(Box::new(confirmed_amount), Box::new(E::Mul(2.0, Box::new(min_amount))))), Box::new(buyers))), 1.0),
        ),
    ]
}

fn total_amount() -> Expected {
    Expected::Measure(measure(Agg::Sum, |o| o.amount))
}

/// The guardrail's bounds: `min` and `max` of its threshold.
#[derive(Clone, Copy)]
struct Bounds {
    min: f64,
    max: f64,
}

/// Bounds for the tests that do not look at the guardrails.
const BOUNDS: Bounds = Bounds {
    min: 300.0,
    max: 700.0,
};

/// Bounds that the data of `run` breaches on both sides where it can: between the two lowest
/// and between the two highest values of the guardrail (rounded to cents, so that the spec's
/// literal is exactly the f64 compared here). Fixed bounds would leave a coarse grain or a short
/// range with no breach at all.
fn bounds_for(run: &Run, fx: &Fixture) -> Bounds {
    let mut values: Vec<f64> = expect(&guardrail(), run, &fx.orders, &fx.visits)
        .into_values()
        .flatten()
        .collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let n = values.len();
    assert!(
        n >= 2,
        "the guardrail needs two distinct values, has {values:?}"
    );
    let cents = |x: f64| format!("{x:.2}").parse::<f64>().unwrap();
    let min = cents((values[0] + values[1]) / 2.0);
    let max = if n >= 3 {
        cents((values[n - 2] + values[n - 1]) / 2.0)
    } else {
        values[n - 1].ceil() + 1.0
    };
    Bounds { min, max }
}

fn guardrail() -> Expected {
    Expected::Measure(measure(Agg::Avg, |o| o.amount))
}

/// The whole spec at one grain, and every metric's Rust meaning in print order.
fn spec(grain: Grain, inputs: &[(&str, &str, Expected)]) -> (String, Vec<(String, Expected)>) {
    spec_with(grain, inputs, BOUNDS)
}

/// [`spec`] with the guardrail's bounds.
fn spec_with(
    grain: Grain,
    inputs: &[(&str, &str, Expected)],
    bounds: Bounds,
) -> (String, Vec<(String, Expected)>) {
    let Bounds { min, max } = bounds;
    let mut text = format!("lodestar: 1\nproduct: shop\n{OWNERS_AND_SOURCES}");
    text.push_str(&format!(
        "north_star:\n  name: total_amount\n  owner: team\n  type: transaction\n  description: d\n  grain: {grain}\n  measure: {{ source: orders, agg: sum, expr: amount }}\n"
    ));
    text.push_str("inputs:\n");
    for (name, body, _) in inputs {
        text.push_str(&format!(
            "  - name: {name}\n    owner: team\n    type: engagement\n    description: d\n    grain: {grain}\n    {body}\n"
        ));
    }
    text.push_str(&format!(
        "guardrails:\n  - name: avg_guard\n    owner: team\n    type: quality\n    description: d\n    grain: {grain}\n    measure: {{ source: orders, agg: avg, expr: amount }}\n    threshold: {{ min: {min}, max: {max} }}\n"
    ));
    let mut metrics = vec![("total_amount".to_owned(), total_amount())];
    metrics.extend(inputs.iter().map(|(n, _, e)| (n.to_string(), e.clone())));
    metrics.push(("avg_guard".to_owned(), guardrail()));
    (text, metrics)
}

// ---------------------------------------------------------------------------------------------
// Running and comparing

fn project(spec: &str) -> Project {
    let ws = lodestar::project::in_memory(&[("shop.yaml", spec)]);
    let analysis = lodestar::project::analyze(&ws, date("2025-01-01"));
    let errors: Vec<String> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    assert!(
        errors.is_empty(),
        "the test spec has errors: {errors:#?}\n{spec}"
    );
    analysis.project
}

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    orders: Vec<Order>,
    visits: Vec<Visit>,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let (orders, visits) = (orders(), visits());
    let dir = write_data(tmp.path(), &orders, &visits);
    Fixture {
        _tmp: tmp,
        dir,
        orders,
        visits,
    }
}

fn compile(project: &Project, run: &Run) -> CompiledProduct {
    let by = if run.by_market {
        vec!["market".to_owned()]
    } else {
        Vec::new()
    };
    let options = Options {
        from: run.from,
        to: run.to,
        by,
        select: None,
    };
    let mut products = sql::compile(project, Dialect::Duckdb, &options).expect("compiles");
    assert_eq!(products.len(), 1);
    products.remove(0)
}

fn key_of(t: &Table, row: &[Cell], dims: &[String]) -> Key {
    let p = match &row[t.column("period").expect("a period column")] {
        Cell::Date(d) => *d,
        other => panic!("period is not a date: {other:?}"),
    };
    let dims = dims
        .iter()
        .map(|d| match &row[t.column(d).expect("a dimension column")] {
            Cell::Null => None,
            Cell::Text(s) => Some(s.clone()),
            other => Some(format!("{other:?}")),
        })
        .collect();
    (p, dims)
}

fn close(a: f64, e: f64) -> bool {
    (a - e).abs() <= 1e-9 * a.abs().max(e.abs()).max(1e-12)
}

/// Compares one column of a result with the expected values; every mismatch is collected.
fn compare(
    what: &str,
    t: &Table,
    column: &str,
    dims: &[String],
    expected: &BTreeMap<Key, Option<f64>>,
    errors: &mut Vec<String>,
) {
    let col = t
        .column(column)
        .unwrap_or_else(|| panic!("{what}: no column `{column}` in {:?}", t.columns));
    let mut seen = BTreeSet::new();
    for row in &t.rows {
        let key = key_of(t, row, dims);
        if !seen.insert(key.clone()) {
            errors.push(format!(
                "{what}: period {} {:?} appears twice",
                key.0, key.1
            ));
            continue;
        }
        let actual = match &row[col] {
            Cell::Null => None,
            Cell::Number(n) => Some(*n),
            other => {
                errors.push(format!(
                    "{what}: period {} {:?}: not a number: {other:?}",
                    key.0, key.1
                ));
                continue;
            }
        };
        match expected.get(&key) {
            None => errors.push(format!(
                "{what}: period {} {:?}: unexpected row (value {actual:?})",
                key.0, key.1
            )),
            Some(e) => {
                let ok = match (actual, e) {
                    (None, None) => true,
                    (Some(a), Some(e)) => close(a, *e),
                    _ => false,
                };
                if !ok {
                    errors.push(format!(
                        "{what}: period {} {:?}: got {actual:?}, expected {e:?}",
                        key.0, key.1
                    ));
                }
            }
        }
    }
    for (key, e) in expected {
        if !seen.contains(key) {
            errors.push(format!(
                "{what}: period {} {:?}: missing row (expected {e:?})",
                key.0, key.1
            ));
        }
    }
}

fn report(errors: Vec<String>) {
    if !errors.is_empty() {
        let n = errors.len();
        let shown: Vec<String> = errors.into_iter().take(40).collect();
        panic!("{n} mismatches:\n{}", shown.join("\n"));
    }
}

/// Runs every metric's own query, the scorecard and the guardrails, and compares them all.
fn check(fx: &Fixture, run: &Run, inputs: &[(&str, &str, Expected)]) {
    let bounds = bounds_for(run, fx);
    let (text, metrics) = spec_with(run.grain, inputs, bounds);
    let project = project(&text);
    let compiled = compile(&project, run);
    let engine = Engine::for_project(&project, &Data::Dir(fx.dir.clone())).expect("data maps");
    let dims: Vec<String> = if run.by_market {
        vec!["market".to_owned()]
    } else {
        Vec::new()
    };
    let mut errors = Vec::new();
    let grain = run.grain;

    // Each metric's own SELECT.
    assert_eq!(compiled.metrics.len(), metrics.len());
    for (c, (name, e)) in compiled.metrics.iter().zip(&metrics) {
        assert_eq!(&c.name, name, "metrics in print order");
        let t = engine
            .query(name, &c.sql)
            .unwrap_or_else(|err| panic!("{name}: {err}\n{}", c.sql));
        let expected = expect(e, run, &fx.orders, &fx.visits);
        compare(
            &format!("{name} ({grain})"),
            &t,
            "value",
            &dims,
            &expected,
            &mut errors,
        );
    }

    // The scorecard: period, then one column per metric in print order, over every period any
    // metric has.
    let card = engine
        .query("scorecard", &compiled.scorecard)
        .unwrap_or_else(|e| panic!("{e}\n{}", compiled.scorecard));
    let mut columns = vec!["period".to_owned()];
    columns.extend(dims.iter().cloned());
    columns.extend(metrics.iter().map(|(n, _)| n.clone()));
    assert_eq!(card.columns, columns);
    let mut all = Vec::new();
    for (_, e) in &metrics {
        measures(e, &mut all);
    }
    let mut keys = BTreeSet::new();
    for m in &all {
        keys.extend(keys_of(m, run, &rows_of(m, &fx.orders, &fx.visits)));
    }
    for (name, e) in &metrics {
        let expected = expect_at(e, run, &fx.orders, &fx.visits, &keys);
        compare(
            &format!("scorecard {name} ({grain})"),
            &card,
            name,
            &dims,
            &expected,
            &mut errors,
        );
    }

    // Guardrails: exactly the periods outside [min, max].
    let g = engine
        .query("guardrails", &compiled.guardrails)
        .unwrap_or_else(|e| panic!("{e}\n{}", compiled.guardrails));
    let breached: BTreeMap<Key, Option<f64>> = expect(&guardrail(), run, &fx.orders, &fx.visits)
        .into_iter()
        .filter(|(_, v)| v.is_some_and(|v| !(bounds.min..=bounds.max).contains(&v)))
        .collect();
    assert!(
        !breached.is_empty(),
        "the data breaches the guardrail somewhere at {grain}"
    );
    compare(
        &format!("guardrails ({grain})"),
        &g,
        "value",
        &dims,
        &breached,
        &mut errors,
    );
    for row in &g.rows {
        let name = &row[g.column("guardrail").unwrap()];
        let min = &row[g.column("min").unwrap()];
        let max = &row[g.column("max").unwrap()];
        assert_eq!(
            (name, min, max),
            (
                &Cell::Text("avg_guard".into()),
                &Cell::Number(bounds.min),
                &Cell::Number(bounds.max)
            )
        );
    }
    report(errors);
}

// ---------------------------------------------------------------------------------------------
// The tests

#[test]
fn every_metric_kind_at_day_grain() {
    check(&fixture(), &Run::at(Grain::Day), &input_metrics());
}

#[test]
fn every_metric_kind_at_week_grain() {
    check(&fixture(), &Run::at(Grain::Week), &input_metrics());
}

#[test]
fn every_metric_kind_at_month_grain() {
    check(&fixture(), &Run::at(Grain::Month), &input_metrics());
}

#[test]
fn every_metric_kind_at_quarter_grain() {
    check(&fixture(), &Run::at(Grain::Quarter), &input_metrics());
}

#[test]
fn every_metric_kind_at_year_grain() {
    check(&fixture(), &Run::at(Grain::Year), &input_metrics());
}

fn window_metrics() -> Vec<(&'static str, &'static str, Expected)> {
    let user: fn(&Order) -> Option<f64> = |o| o.user.map(|u| u as f64);
    vec![
        (
            "weekly_buyers",
            "measure: { source: orders, agg: count_distinct, expr: user_id, window: 7 days }",
            Expected::Measure(Measure {
                window: Some(7),
                ..measure(Agg::CountDistinct, user)
            }),
        ),
        (
            "weekly_amount",
            "measure: { source: orders, agg: sum, expr: amount, window: 7 days }",
            Expected::Measure(Measure {
                window: Some(7),
                ..measure(Agg::Sum, |o| o.amount)
            }),
        ),
        (
            "order_count",
            "measure: { source: orders, agg: count }",
            Expected::Measure(measure(Agg::Count, |_| None)),
        ),
    ]
}

#[test]
fn trailing_seven_day_window_on_day_grain() {
    check(&fixture(), &Run::at(Grain::Day), &window_metrics());
}

#[test]
fn trailing_window_with_from_and_to_fills_every_day() {
    let run = Run {
        from: Some(date("2024-02-26")),
        to: Some(date("2024-03-24")),
        ..Run::at(Grain::Day)
    };
    check(&fixture(), &run, &window_metrics());
}

/// The metrics of one source (a `--by` dimension must exist on every source a metric reads).
fn orders_only() -> Vec<(&'static str, &'static str, Expected)> {
    input_metrics()
        .into_iter()
        .filter(|(n, _, _)| *n != "visit_conversion")
        .collect()
}

#[test]
fn by_dimension_splits_every_metric() {
    check(
        &fixture(),
        &Run {
            by_market: true,
            ..Run::at(Grain::Month)
        },
        &orders_only(),
    );
}

#[test]
fn from_to_fills_empty_weeks() {
    // 2024-03-04 .. 2024-03-17 has no orders: both weeks must be present.
    let run = Run {
        from: Some(date("2024-02-07")),
        to: Some(date("2024-04-10")),
        ..Run::at(Grain::Week)
    };
    check(&fixture(), &run, &input_metrics());
}

#[test]
fn from_to_at_every_grain() {
    let fx = fixture();
    for grain in [Grain::Day, Grain::Month, Grain::Quarter, Grain::Year] {
        let run = Run {
            from: Some(date("2023-12-30")),
            to: Some(date("2024-04-01")),
            ..Run::at(grain)
        };
        check(&fx, &run, &input_metrics());
    }
}

#[test]
fn from_to_with_by_dimension() {
    let run = Run {
        from: Some(date("2024-02-20")),
        to: Some(date("2024-03-20")),
        by_market: true,
        ..Run::at(Grain::Week)
    };
    check(&fixture(), &run, &orders_only());
}

#[test]
fn the_edges_land_in_the_right_periods() {
    // Independent of the generated rows: Monday 00:00:00 opens a week, Sunday 23:59:59 closes it.
    let fx = fixture();
    let run = Run {
        from: Some(date("2024-01-01")),
        to: Some(date("2024-01-07")),
        ..Run::at(Grain::Week)
    };
    let (text, _) = spec(Grain::Week, &input_metrics());
    let project = project(&text);
    let compiled = compile(&project, &run);
    let engine = Engine::for_project(&project, &Data::Dir(fx.dir.clone())).unwrap();
    let t = engine.query("scorecard", &compiled.scorecard).unwrap();
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0][0], Cell::Date(date("2024-01-01")));
    let in_week = fx
        .orders
        .iter()
        .filter(|o| o.ts >= at("2024-01-01 00:00:00") && o.ts <= at("2024-01-07 23:59:59"))
        .count();
    assert_eq!(
        t.rows[0][t.column("order_count").unwrap()],
        Cell::Number(in_week as f64)
    );
    // The two orders of user 7 at the same instant count as one buyer, but twice as orders.
    assert!(in_week >= 3);
}

#[test]
fn a_missing_data_file_names_the_expected_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let (text, _) = spec(Grain::Week, &input_metrics());
    let project = project(&text);
    let err = Engine::for_project(&project, &Data::Dir(tmp.path().to_path_buf()))
        .err()
        .expect("fails");
    let msg = err.to_string();
    assert!(msg.contains("app.orders"), "{msg}");
    assert!(
        msg.contains(&tmp.path().join("app/orders.csv").display().to_string()),
        "{msg}"
    );
    assert!(
        msg.contains(&tmp.path().join("app/orders.parquet").display().to_string()),
        "{msg}"
    );
}

#[test]
fn a_database_file_is_read_in_place() {
    // The same rows in a DuckDB file, loaded with INSERTs; `--duckdb FILE` opens it read-only.
    let fx = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("warehouse.duckdb");
    {
        let conn = duckdb::Connection::open(&file).unwrap();
        conn.execute_batch(
            "CREATE SCHEMA app;
             CREATE TABLE app.orders (ts TIMESTAMP, user_id BIGINT, amount DOUBLE, qty BIGINT, status VARCHAR, market VARCHAR);
             CREATE TABLE app.visits (ts TIMESTAMP, user_id BIGINT);",
        )
        .unwrap();
        let mut ins = conn
            .prepare("INSERT INTO app.orders VALUES (CAST(? AS TIMESTAMP), ?, ?, ?, ?, ?)")
            .unwrap();
        for o in &fx.orders {
            let ts = o.ts.format("%Y-%m-%d %H:%M:%S").to_string();
            ins.execute(duckdb::params![
                ts, o.user, o.amount, o.qty, o.status, o.market
            ])
            .unwrap();
        }
        let mut ins = conn
            .prepare("INSERT INTO app.visits VALUES (CAST(? AS TIMESTAMP), ?)")
            .unwrap();
        for v in &fx.visits {
            let ts = v.ts.format("%Y-%m-%d %H:%M:%S").to_string();
            ins.execute(duckdb::params![ts, v.user]).unwrap();
        }
    }
    let run = Run::at(Grain::Month);
    let (text, metrics) = spec(run.grain, &input_metrics());
    let project = project(&text);
    let compiled = compile(&project, &run);
    let engine = Engine::for_project(&project, &Data::Database(file.clone())).unwrap();
    let card = engine.query("scorecard", &compiled.scorecard).unwrap();
    let mut errors = Vec::new();
    let mut all = Vec::new();
    for (_, e) in &metrics {
        measures(e, &mut all);
    }
    let mut keys = BTreeSet::new();
    for m in &all {
        keys.extend(keys_of(m, &run, &rows_of(m, &fx.orders, &fx.visits)));
    }
    for (name, e) in &metrics {
        let expected = expect_at(e, &run, &fx.orders, &fx.visits, &keys);
        compare(
            &format!("database {name}"),
            &card,
            name,
            &[],
            &expected,
            &mut errors,
        );
    }
    report(errors);
    // Read-only: the engine cannot write to the file.
    assert!(engine
        .connection()
        .execute_batch("CREATE TABLE app.x (a INT)")
        .is_err());
}
