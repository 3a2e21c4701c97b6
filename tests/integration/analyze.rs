//! `lodestar analyze`'s statistics stage (`lodestar::analyze`) on synthetic series:
//!
//! * planted relations (an input that leads the North Star by two weeks, an input that is
//!   noise, a guardrail that degrades while the North Star rises, an outcome that decouples, a
//!   target out of reach, a product with too few periods, a breach, an anomaly): exactly the
//!   planted verdicts and alerts are found, and no others;
//! * every statistic, of the planted products and of random ones with gaps, recomputed with
//!   numpy and scipy by `tests/analyze/check_stats.py` (1e-9 relative).
//!
//! The series come from a seeded generator, so every run sees the same numbers. The scipy
//! check needs the venv of `bash scripts/install-engines.sh` ($LODESTAR_VENV, default
//! ~/.cache/lodestar/venv) with numpy and scipy; without it the check is skipped loudly, and
//! with `CI=true` that is a failure.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{Days, Months, NaiveDate};
use serde_json::{json, Value};

use super::common::*;
use lodestar::analyze::{self, AlertKind, ProductData, Series, Settings, Verdict};
use lodestar::model::{Compute, Grain, Operand, Product, Role};
use lodestar::project;

// ---------------------------------------------------------------------------------------------
// Deterministic series

/// SplitMix64: a small, seeded generator (no dependency, same numbers everywhere).
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// `start + steps` at a grain.
fn step(start: NaiveDate, grain: Grain, steps: usize) -> NaiveDate {
    let k = steps as u32;
    match grain {
        Grain::Day => start + Days::new(k.into()),
        Grain::Week => start + Days::new(7 * u64::from(k)),
        Grain::Month => start + Months::new(k),
        Grain::Quarter => start + Months::new(3 * k),
        Grain::Year => start + Months::new(12 * k),
    }
}

fn date(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

fn series(start: NaiveDate, grain: Grain, values: &[f64]) -> Series {
    Series::new(
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (step(start, grain, i), Some(*v))),
    )
}

/// `level + Σ changes`, starting at `level` (the first value).
fn walk(level: f64, changes: &[f64]) -> Vec<f64> {
    let mut x = level;
    changes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i > 0 {
                x += c;
            }
            x
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Specs

/// The owners and sources every product shares, in a file of their own.
const SHARED: &str = "lodestar: 1\nowners:\n  team: { name: Team }\nsources:\n  events: { table: events, time: at }\n";
const HEADER: &str = "lodestar: 1\n";

fn metric(name: &str, ty: &str, extra: &str) -> String {
    format!(
        "  - name: {name}\n    description: {name}.\n    owner: team\n    type: {ty}\n    {}\n",
        if extra.is_empty() {
            "measure: { source: events, agg: sum, expr: x }"
        } else {
            extra
        }
    )
}

fn north_star(compute: &str, extra: &str) -> String {
    format!(
        "north_star:\n  name: ns\n  description: The North Star.\n  owner: team\n  type: transaction\n{compute}{extra}"
    )
}

const NS_MEASURE: &str = "  measure: { source: events, agg: sum, expr: x }\n";

const SIGNALS: &str = "signals";
const OPS: &str = "ops";
const SHORT: &str = "short";
const CONVERSION: &str = "conversion";
const BASKET: &str = "basket";

fn specs() -> Vec<(String, String)> {
    let signals = format!(
        "{HEADER}product: {SIGNALS}\n{}inputs:\n{}{}guardrails:\n{}outcomes:\n{}",
        north_star(
            NS_MEASURE,
            "  targets:\n    - { by: 2026-12-31, value: 5000 }\n    - { by: 2027-03-31, value: 1000 }\n    - { by: 2025-06-30, value: 100 }\n"
        ),
        metric("driver", "engagement", ""),
        metric("noise", "engagement", ""),
        metric("complaint_rate", "quality", "measure: { source: events, agg: avg, expr: c }\n    threshold: { max: 0.05 }"),
        metric("revenue", "revenue", ""),
    );
    let ops = format!(
        "{HEADER}product: {OPS}\n{}inputs:\n{}guardrails:\n{}{}",
        north_star(NS_MEASURE, ""),
        metric("x", "engagement", ""),
        metric(
            "error_rate",
            "quality",
            "measure: { source: events, agg: avg, expr: e }\n    threshold: { max: 0.01 }"
        ),
        metric(
            "rating",
            "quality",
            "measure: { source: events, agg: avg, expr: r }\n    threshold: { min: 4.0 }"
        ),
    );
    let short = format!(
        "{HEADER}product: {SHORT}\n{}inputs:\n{}guardrails:\n{}",
        north_star(
            NS_MEASURE,
            "  targets:\n    - { by: 2026-12-31, value: 2000 }\n"
        ),
        metric("x", "engagement", ""),
        metric(
            "late_rate",
            "quality",
            "measure: { source: events, agg: avg, expr: l }\n    threshold: { max: 0.5 }"
        ),
    );
    let conversion = format!(
        "{HEADER}product: {CONVERSION}\n{}inputs:\n{}guardrails:\n{}",
        north_star(
            "  grain: month\n  ratio:\n    numerator: { source: events, agg: count }\n    denominator: visitors\n",
            ""
        ),
        metric("visitors", "adoption", "grain: month\n    measure: { source: events, agg: count_distinct, expr: v }"),
        metric("bounce_rate", "quality", "grain: month\n    measure: { source: events, agg: avg, expr: b }\n    threshold: { max: 0.9 }"),
    );
    let basket = format!(
        "{HEADER}product: {BASKET}\n{}inputs:\n{}{}{}guardrails:\n{}",
        north_star(
            "  grain: day\n  derived: (buyers * basket_size - refunds) / 2\n",
            ""
        ),
        metric(
            "buyers",
            "transaction",
            "grain: day\n    measure: { source: events, agg: count_distinct, expr: u }"
        ),
        metric(
            "basket_size",
            "transaction",
            "grain: day\n    measure: { source: events, agg: avg, expr: s }"
        ),
        metric(
            "refunds",
            "transaction",
            "grain: day\n    measure: { source: events, agg: sum, expr: r }"
        ),
        metric(
            "late_orders",
            "quality",
            "grain: day\n    measure: { source: events, agg: count }\n    threshold: { max: 100 }"
        ),
    );
    [
        ("shared", SHARED.to_owned()),
        (SIGNALS, signals),
        (OPS, ops),
        (SHORT, short),
        (CONVERSION, conversion),
        (BASKET, basket),
    ]
    .into_iter()
    .map(|(name, text)| (format!("{name}.yaml"), text))
    .collect()
}

/// The products of [`specs`], resolved (and free of errors).
fn products() -> Vec<Product> {
    let specs = specs();
    let files: Vec<(&str, &str)> = specs
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let analysis = project::analyze(&project::in_memory(&files), today());
    let errors: Vec<_> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "the specs have errors: {errors:#?}");
    analysis.project.products
}

// ---------------------------------------------------------------------------------------------
// Planted data

/// The first week of the weekly products: 104 weeks, the last (2026-10-26) holds TODAY
/// (2026-11-01) and is incomplete; the last complete one is 2026-10-19 (index 102).
const WEEK0: &str = "2024-11-04";
const WEEKS: usize = 104;
/// The first of the trend window of 12 complete weeks.
const WINDOW: usize = 91;
/// Where `complaint_rate` starts to creep up.
const CREEP: usize = 60;

struct Case<'p> {
    label: String,
    data: ProductData<'p>,
    settings: Settings,
}

fn product<'p>(products: &'p [Product], name: &str) -> &'p Product {
    products
        .iter()
        .find(|p| p.name.value == name)
        .expect("the product is in the specs")
}

fn data<'p>(product: &'p Product, grain: Grain, series: Vec<(&str, Series)>) -> ProductData<'p> {
    let mut all: HashMap<String, Series> =
        series.into_iter().map(|(n, s)| (n.to_owned(), s)).collect();
    let operands = ["numerator", "denominator"]
        .into_iter()
        .filter_map(|k| Some((k.to_owned(), all.remove(k)?)))
        .collect();
    ProductData {
        product,
        grain,
        series: all,
        operands,
        today: today(),
    }
}

/// Input `driver` leads the North Star by 2 weeks; `noise` is noise; the North Star rises
/// throughout, while `complaint_rate` creeps toward its maximum (0.05) from week 60 on without
/// reaching it (slowly: a trend, not a jump, so no anomaly) and `revenue`, which otherwise
/// follows the North Star a week later, falls in the last 12 complete weeks. The target of
/// 5000 by 2026-12-31 is out of reach; the others are met.
fn signals<'p>(products: &'p [Product], rng: &mut Rng) -> ProductData<'p> {
    let start = date(WEEK0);
    let n = WEEKS;
    let driver_changes: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let noise_changes: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let ns_changes: Vec<f64> = (0..n)
        .map(|t| {
            5.0 + if t >= 2 {
                2.0 * driver_changes[t - 2]
            } else {
                0.0
            } + 0.5 * rng.normal()
        })
        .collect();
    let revenue_changes: Vec<f64> = (0..n)
        .map(|t| {
            let follow = if t >= 1 {
                1.5 * (ns_changes[t - 1] - 5.0)
            } else {
                0.0
            };
            follow + 0.5 * rng.normal() - if t >= WINDOW { 10.0 } else { 0.0 }
        })
        .collect();
    let mut ns = walk(1000.0, &ns_changes);
    let mut revenue = walk(5000.0, &revenue_changes);
    let mut complaint: Vec<f64> = (0..n)
        .map(|t| 0.02 + 0.0005 * t.saturating_sub(CREEP) as f64 + 0.0006 * rng.normal())
        .collect();
    // The incomplete week holds nonsense that must not count.
    ns[n - 1] = 0.0;
    revenue[n - 1] = 1e9;
    complaint[n - 1] = 0.9;
    data(
        product(products, SIGNALS),
        Grain::Week,
        vec![
            ("ns", series(start, Grain::Week, &ns)),
            (
                "driver",
                series(start, Grain::Week, &walk(100.0, &driver_changes)),
            ),
            (
                "noise",
                series(start, Grain::Week, &walk(50.0, &noise_changes)),
            ),
            ("complaint_rate", series(start, Grain::Week, &complaint)),
            ("revenue", series(start, Grain::Week, &revenue)),
        ],
    )
}

/// A flat North Star and an unrelated input; `error_rate` breaches its maximum (0.01) in two
/// weeks (indexes 40 and 60); `rating` drops to 4.3 in the last complete week: inside its
/// minimum (4.0) but far outside its usual 4.5 ± 0.02.
fn ops<'p>(products: &'p [Product], rng: &mut Rng) -> ProductData<'p> {
    let start = date(WEEK0);
    let n = WEEKS;
    let ns: Vec<f64> = (0..n).map(|_| 1000.0 + 10.0 * rng.normal()).collect();
    let x_changes: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let mut error_rate: Vec<f64> = (0..n).map(|_| 0.005 + 0.0005 * rng.normal()).collect();
    error_rate[40] = 0.015;
    error_rate[60] = 0.02;
    error_rate[n - 1] = 0.5;
    let mut rating: Vec<f64> = (0..n).map(|_| 4.5 + 0.02 * rng.normal()).collect();
    rating[n - 2] = 4.3;
    data(
        product(products, OPS),
        Grain::Week,
        vec![
            ("ns", series(start, Grain::Week, &ns)),
            ("x", series(start, Grain::Week, &walk(50.0, &x_changes))),
            ("error_rate", series(start, Grain::Week, &error_rate)),
            ("rating", series(start, Grain::Week, &rating)),
        ],
    )
}

/// Seven weeks, six complete: too few for any statistic.
fn short<'p>(products: &'p [Product], rng: &mut Rng) -> ProductData<'p> {
    let start = date("2026-09-14");
    let ns: Vec<f64> = (0..7)
        .map(|i| 100.0 + 10.0 * i as f64 + rng.normal())
        .collect();
    let x: Vec<f64> = (0..7).map(|_| 10.0 + rng.normal()).collect();
    let late: Vec<f64> = (0..7).map(|_| 0.1 + 0.01 * rng.normal()).collect();
    data(
        product(products, SHORT),
        Grain::Week,
        vec![
            ("ns", series(start, Grain::Week, &ns)),
            ("x", series(start, Grain::Week, &x)),
            ("late_rate", series(start, Grain::Week, &late)),
        ],
    )
}

/// A ratio North Star (a measure over the metric `visitors`) whose value does not depend on
/// visitors: the edge is unrelated. Monthly, the last month (2026-11) incomplete.
fn conversion<'p>(products: &'p [Product], rng: &mut Rng) -> ProductData<'p> {
    let start = date("2023-08-01");
    let n = 40;
    let visitors = walk(
        1000.0,
        &(0..n).map(|_| 30.0 * rng.normal()).collect::<Vec<_>>(),
    );
    let numerator: Vec<f64> = visitors
        .iter()
        .map(|v| 0.1 * v * (1.0 + 0.02 * rng.normal()))
        .collect();
    let ns: Vec<f64> = numerator
        .iter()
        .zip(&visitors)
        .map(|(a, b)| a / b)
        .collect();
    let bounce: Vec<f64> = (0..n).map(|_| 0.5 + 0.02 * rng.normal()).collect();
    data(
        product(products, CONVERSION),
        Grain::Month,
        vec![
            ("ns", series(start, Grain::Month, &ns)),
            ("visitors", series(start, Grain::Month, &visitors)),
            ("bounce_rate", series(start, Grain::Month, &bounce)),
            ("numerator", series(start, Grain::Month, &numerator)),
        ],
    )
}

/// A derived North Star `(buyers * basket_size - refunds) / 2` whose three inputs each move
/// it in the same day (refunds down). Daily, 121 days, today's incomplete.
fn basket<'p>(products: &'p [Product], rng: &mut Rng) -> ProductData<'p> {
    let start = date("2026-07-04");
    let n = 121;
    let mut changes = |sd: f64| (0..n).map(|_| sd * rng.normal()).collect::<Vec<_>>();
    let buyers = walk(1000.0, &changes(20.0));
    let basket_size = walk(50.0, &changes(1.0));
    let refunds = walk(20000.0, &changes(1000.0));
    let ns: Vec<f64> = (0..n)
        .map(|t| (buyers[t] * basket_size[t] - refunds[t]) / 2.0)
        .collect();
    let late: Vec<f64> = (0..n).map(|_| 50.0 + 5.0 * rng.normal()).collect();
    data(
        product(products, BASKET),
        Grain::Day,
        vec![
            ("ns", series(start, Grain::Day, &ns)),
            ("buyers", series(start, Grain::Day, &buyers)),
            ("basket_size", series(start, Grain::Day, &basket_size)),
            ("refunds", series(start, Grain::Day, &refunds)),
            ("late_orders", series(start, Grain::Day, &late)),
        ],
    )
}

/// Makes a product's planted data.
type Builder = for<'p> fn(&'p [Product], &mut Rng) -> ProductData<'p>;

/// The seed of the planted data (see `planted_across_seeds` for every other).
const SEED: u64 = 1;

fn planted(products: &[Product], seed: u64) -> Vec<Case<'_>> {
    let mut rng = Rng(seed);
    let builders: [(&str, Builder); 5] = [
        (SIGNALS, signals),
        (OPS, ops),
        (SHORT, short),
        (CONVERSION, conversion),
        (BASKET, basket),
    ];
    builders
        .into_iter()
        .map(|(label, build)| Case {
            label: label.to_owned(),
            data: build(products, &mut rng),
            settings: Settings::default(),
        })
        .collect()
}

/// Random walks with holes, ragged starts and ends, on every product, with random settings:
/// only for the scipy check.
fn random(products: &[Product], count: usize) -> Vec<Case<'_>> {
    let mut rng = Rng(7);
    (0..count)
        .map(|k| {
            let product = &products[k % products.len()];
            let ns = product.north_star().expect("one North Star");
            let grain = ns.grain.value;
            let len = 3 + rng.below(90);
            let first = match grain {
                Grain::Day => today() - Days::new(len as u64),
                Grain::Week => date("2026-10-26") - Days::new(7 * len as u64),
                _ => date("2026-11-01") - Months::new(len as u32),
            };
            let mut names: Vec<String> = product
                .metrics
                .iter()
                .map(|m| m.name.value.clone())
                .collect();
            if matches!(
                &ns.compute,
                Some(Compute::Ratio {
                    numerator: Operand::Measure(_),
                    ..
                })
            ) {
                names.push("numerator".to_owned());
            }
            let mut all = Vec::new();
            for name in &names {
                let offset = if rng.below(3) == 0 { rng.below(5) } else { 0 };
                let cut = if rng.below(3) == 0 { rng.below(3) } else { 0 };
                let size = (len + 1).saturating_sub(offset + cut);
                let mut level = 100.0 + 50.0 * rng.uniform();
                let points = (0..size).map(|i| {
                    level += rng.normal() * 3.0 + 0.5;
                    let hole = rng.below(10) == 0;
                    (step(first, grain, offset + i), (!hole).then_some(level))
                });
                all.push((name.as_str(), Series::new(points.collect::<Vec<_>>())));
            }
            let settings = Settings {
                lags: rng.below(6),
                min_periods: 4 + rng.below(7),
                include_partial: rng.below(4) == 0,
                trend_window: 6 + rng.below(12),
                anomaly_window: 6 + rng.below(12),
                ..Settings::default()
            };
            Case {
                label: format!("random-{k}-{}", product.name.value),
                data: data(product, grain, all),
                settings,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The planted findings

type Found = BTreeSet<(String, String, String)>;

fn alerts(report: &analyze::ProductReport) -> Found {
    report
        .alerts
        .iter()
        .map(|a| {
            (
                a.kind.as_str().to_owned(),
                a.metric.clone(),
                a.period.to_string(),
            )
        })
        .collect()
}

fn set(items: &[(&str, &str, &str)]) -> Found {
    items
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

/// The planted verdicts, best lags, alerts and target outcomes of every planted product, as
/// one list of `(product, what, found)` so that a difference names its product.
fn planted_findings(cases: &[Case]) -> Found {
    let mut found = Found::new();
    for case in cases {
        let report = analyze::analyze(&case.data, &case.settings);
        for e in &report.edges {
            let lag = match (e.verdict, e.lag) {
                (Verdict::Leads | Verdict::Coincident | Verdict::Lags, Some(l)) => {
                    format!(" at lag {l}")
                }
                _ => String::new(),
            };
            found.insert((
                case.label.clone(),
                format!("{} -> {}", e.from, e.to),
                format!("{}{lag}", e.verdict.as_str()),
            ));
        }
        for a in &report.alerts {
            found.insert((
                case.label.clone(),
                format!("{} {}", a.kind.as_str(), a.metric),
                a.period.to_string(),
            ));
        }
        for t in &report.targets {
            found.insert((
                case.label.clone(),
                format!("target {} by {}", t.value, t.by),
                format!("{:?}", t.on_track),
            ));
        }
    }
    found
}

/// What was planted (see each product's builder).
fn planted_expected() -> Found {
    [
        (SIGNALS, "driver -> ns", "leads at lag 2"),
        (SIGNALS, "noise -> ns", "unrelated"),
        (SIGNALS, "ns -> revenue", "leads at lag 1"),
        (SIGNALS, "gaming complaint_rate", "2026-10-19"),
        (SIGNALS, "decoupled revenue", "2026-10-19"),
        (SIGNALS, "off_track ns", "2026-12-28"),
        (SIGNALS, "target 5000 by 2026-12-31", "Some(false)"),
        (SIGNALS, "target 1000 by 2027-03-31", "Some(true)"),
        (SIGNALS, "target 100 by 2025-06-30", "Some(true)"),
        (OPS, "x -> ns", "unrelated"),
        (OPS, "breach error_rate", "2025-12-29"),
        (OPS, "anomaly rating", "2026-10-19"),
        (SHORT, "x -> ns", "insufficient_data"),
        (SHORT, "target 2000 by 2026-12-31", "None"),
        (CONVERSION, "visitors -> ns", "unrelated"),
        (BASKET, "buyers -> ns", "coincident at lag 0"),
        (BASKET, "basket_size -> ns", "coincident at lag 0"),
        (BASKET, "refunds -> ns", "coincident at lag 0"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect()
}

/// Lists what differs between two sets of findings.
fn differences(found: &Found, expected: &Found) -> Vec<String> {
    let missing = expected.difference(found).map(|f| format!("missing {f:?}"));
    let extra = found
        .difference(expected)
        .map(|f| format!("unexpected {f:?}"));
    missing.chain(extra).collect()
}

#[test]
fn planted_relations_are_found_and_nothing_else() {
    let products = products();
    let cases = planted(&products, SEED);
    let diff = differences(&planted_findings(&cases), &planted_expected());
    assert!(diff.is_empty(), "{diff:#?}");
}

/// The planted design does not hang on one lucky seed. Over seeds 1..=200, every planted
/// relation and alert is found every time, and what is found beyond them are the tests' own
/// false positives at their documented rates: a noise edge passes the Bonferroni interval in
/// about 5% of seeds, a guardrail of pure noise is flagged anomalous in about 1%. (163 of the
/// 200 seeds find exactly what was planted; seed 1, the first of them, is the one
/// `planted_relations_are_found_and_nothing_else` pins.)
/// `cargo test --test integration analyze::planted_across -- --ignored --nocapture`.
#[test]
#[ignore = "a sweep over 200 seeds; run by hand"]
fn planted_across_seeds() {
    let products = products();
    let expected = planted_expected();
    let mut found: std::collections::BTreeMap<(String, String, String), usize> = Default::default();
    let mut clean = 0;
    let seeds: usize = 200;
    for seed in 1..=seeds as u64 {
        let findings = planted_findings(&planted(&products, seed));
        clean += usize::from(differences(&findings, &expected).is_empty());
        for f in findings {
            *found.entry(f).or_default() += 1;
        }
    }
    println!("{clean} of {seeds} seeds find exactly what was planted");
    for (f, n) in &found {
        if !expected.contains(f) {
            println!("  {n:>3} × unexpected {f:?}");
        }
    }
    // Power: the planted relations, every time (an `unrelated` verdict is the absence of one).
    for f in expected.iter().filter(|f| f.2 != "unrelated") {
        assert_eq!(
            found.get(f),
            Some(&seeds),
            "{f:?} is not found with every seed"
        );
    }
    // False positives: per noise edge or guardrail, at most 10% of seeds.
    let mut per_subject: std::collections::BTreeMap<(String, String), usize> = Default::default();
    for (f, n) in found.iter().filter(|(f, _)| !expected.contains(f)) {
        *per_subject.entry((f.0.clone(), f.1.clone())).or_default() += n;
    }
    for (subject, n) in per_subject {
        assert!(
            n * 10 <= seeds,
            "{subject:?} is wrong with {n} of {seeds} seeds"
        );
    }
}

#[test]
fn planted_details() {
    let products = products();
    let cases = planted(&products, SEED);
    let report = |label: &str| {
        let case = cases.iter().find(|c| c.label == label).expect("a case");
        analyze::analyze(&case.data, &case.settings)
    };

    let signals = report(SIGNALS);
    // The incomplete week (2026-10-26) is not analysed.
    assert_eq!(signals.periods.last(), Some(&date("2026-10-19")));
    assert_eq!(signals.periods.len(), WEEKS - 1);
    let gaming = &signals.alerts[0];
    assert_eq!(gaming.kind, AlertKind::Gaming);
    assert_eq!(gaming.severity, analyze::Severity::Error);
    assert_eq!(gaming.periods.len(), 12);
    assert!(
        gaming.message.contains("still inside its threshold"),
        "{}",
        gaming.message
    );
    let off = signals
        .alerts
        .iter()
        .find(|a| a.kind == AlertKind::OffTrack)
        .unwrap();
    assert!(
        off.message.contains("short of its target of 5,000"),
        "{}",
        off.message
    );
    assert!(
        signals.attribution.is_none(),
        "a measure North Star has no attribution"
    );

    let ops = report(OPS);
    let breach = &ops.alerts[0];
    assert_eq!(breach.periods, [date("2025-08-11"), date("2025-12-29")]);
    assert_eq!(
        breach.message,
        "error_rate was above its maximum of 0.01 in 2 of the 103 weeks analysed, most recently in the week of 2025-12-29 (0.02)."
    );
    let anomaly = &ops.alerts[1];
    assert_eq!(anomaly.severity, analyze::Severity::Warning);
    assert!(
        anomaly.message.contains("below its usual range"),
        "{}",
        anomaly.message
    );
    assert!(
        anomaly
            .message
            .contains("though still within its threshold"),
        "{}",
        anomaly.message
    );

    let short = report(SHORT);
    assert_eq!(short.edges[0].n, 5);
    assert_eq!(short.targets[0].projected, None);

    let conversion = report(CONVERSION);
    let a = conversion
        .attribution
        .as_ref()
        .expect("a ratio is attributed");
    assert_eq!(
        (a.from_period, a.to_period),
        (date("2026-09-01"), date("2026-10-01"))
    );
    let names: Vec<_> = a.parts.iter().map(|p| p.operand.as_str()).collect();
    assert_eq!(names, ["numerator", "visitors"]);
    let sum: f64 = a.parts.iter().map(|p| p.contribution).sum();
    assert!((sum - a.change()).abs() <= 1e-12 * a.change().abs().max(1e-3));

    let basket = report(BASKET);
    let refunds = basket.edges.iter().find(|e| e.from == "refunds").unwrap();
    assert!(refunds.correlation.unwrap() < 0.0);
    let a = basket
        .attribution
        .as_ref()
        .expect("a derived metric is attributed");
    assert_eq!(a.to_period, date("2026-10-31"));
    let names: Vec<_> = a.parts.iter().map(|p| p.operand.as_str()).collect();
    assert_eq!(names, ["buyers", "basket_size", "refunds"]);
    let sum: f64 = a.parts.iter().map(|p| p.contribution).sum();
    assert!((sum - a.change()).abs() <= 1e-9 * a.change().abs().max(1.0));
}

#[test]
fn settings_turn_alerts_off_and_take_the_partial_period_in() {
    let products = products();
    let cases = planted(&products, SEED);
    let ops = cases.iter().find(|c| c.label == OPS).unwrap();
    let mut settings = Settings::default();
    settings.severities.set(AlertKind::Anomaly, None);
    settings
        .severities
        .set(AlertKind::Breach, Some(analyze::Severity::Warning));
    let report = analyze::analyze(&ops.data, &settings);
    assert_eq!(
        alerts(&report),
        set(&[("breach", "error_rate", "2025-12-29")])
    );
    assert!(!report.has_errors());
    // The anomaly's statistics are still reported.
    assert!(report
        .bands
        .iter()
        .any(|b| b.metric == "rating" && b.outside));
    // With the incomplete week, its 0.5 error rate is a breach (and the 4.3 rating is now in
    // the baseline, not the latest period).
    let settings = Settings {
        include_partial: true,
        ..Settings::default()
    };
    let report = analyze::analyze(&ops.data, &settings);
    assert_eq!(report.periods.last(), Some(&date("2026-10-26")));
    assert!(report.has_errors());
    let breach = report
        .alerts
        .iter()
        .find(|a| a.kind == AlertKind::Breach)
        .unwrap();
    assert_eq!(breach.period, date("2026-10-26"));
    assert_eq!(breach.periods.len(), 3);
}

#[test]
fn the_json_report_has_the_promised_fields() {
    let products = products();
    let cases = planted(&products, SEED);
    let reports: Vec<_> = cases
        .iter()
        .map(|c| analyze::analyze(&c.data, &c.settings))
        .collect();
    let json = analyze::to_json(&reports);
    assert_eq!(json["version"], 1);
    let products = json["products"].as_array().unwrap();
    assert_eq!(products.len(), 5);
    let signals = &products[0];
    assert_eq!(signals["product"], SIGNALS);
    for key in [
        "from",
        "to",
        "lag",
        "correlation",
        "low",
        "high",
        "n",
        "verdict",
    ] {
        assert!(signals["edges"][0].get(key).is_some(), "edges lack {key}");
    }
    for key in ["kind", "metric", "period", "message", "severity"] {
        assert!(signals["alerts"][0].get(key).is_some(), "alerts lack {key}");
    }
    for key in ["metric", "by", "value", "projected", "on_track"] {
        assert!(
            signals["targets"][0].get(key).is_some(),
            "targets lack {key}"
        );
    }
    assert_eq!(signals["edges"][0]["verdict"], "leads");
    assert_eq!(signals["edges"][0]["lag"], 2);
    assert_eq!(signals["targets"][0]["by"], "2026-12-31");
    assert_eq!(signals["targets"][0]["on_track"], false);
    let short = &products[2];
    assert_eq!(short["edges"][0]["lag"], Value::Null);
    assert_eq!(short["targets"][0]["projected"], Value::Null);
}

// ---------------------------------------------------------------------------------------------
// The scipy check

fn python() -> PathBuf {
    let venv = std::env::var_os("LODESTAR_VENV")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/lodestar/venv")))
        .unwrap_or_else(|| PathBuf::from(".venv"));
    venv.join("bin/python")
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Whether the venv's python has numpy and scipy; else skips (locally) or fails (CI).
fn scipy_ready() -> bool {
    let py = python();
    let ok = py.exists()
        && Command::new(&py)
            .args(["-c", "import numpy, scipy"])
            .output()
            .is_ok_and(|o| o.status.success());
    if !ok {
        let msg = format!(
            "{} cannot import numpy and scipy; install them with: bash scripts/install-engines.sh",
            py.display()
        );
        assert!(!in_ci(), "CI=true and {msg}");
        eprintln!("\n*** SKIPPED the scipy check of `analyze`: {msg} ***\n");
    }
    ok
}

fn series_json(s: &Series) -> Value {
    json!({
        "periods": s.periods.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        "values": s.values,
    })
}

/// What the check needs to know of a product: roles, thresholds, targets, computations.
fn metrics_json(product: &Product) -> Value {
    let operand = |o: &Operand, label: &str| match o {
        Operand::Metric(name) => name.value.clone(),
        Operand::Measure(_) => label.to_owned(),
    };
    product
        .metrics
        .iter()
        .map(|m| {
            let compute = match &m.compute {
                Some(Compute::Ratio {
                    numerator,
                    denominator,
                    ..
                }) => json!({
                    "kind": "ratio",
                    "numerator": operand(numerator, "numerator"),
                    "denominator": operand(denominator, "denominator"),
                }),
                Some(Compute::Derived { expr, .. }) => {
                    json!({ "kind": "derived", "expr": expr.text.value })
                }
                _ => Value::Null,
            };
            json!({
                "name": m.name.value,
                "role": match m.role {
                    Role::NorthStar => "north_star",
                    Role::Input => "input",
                    Role::Guardrail => "guardrail",
                    Role::Outcome => "outcome",
                },
                "threshold": m.threshold.as_ref().map(|t| json!({
                    "min": t.min.as_ref().map(|v| v.value),
                    "max": t.max.as_ref().map(|v| v.value),
                })),
                "targets": m.targets.iter().map(|t| json!({
                    "by": t.by.value.to_string(),
                    "value": t.value.value,
                })).collect::<Vec<_>>(),
                "compute": compute,
            })
        })
        .collect()
}

fn case_json(case: &Case) -> Value {
    let d = &case.data;
    let s = &case.settings;
    let report = analyze::analyze(d, s);
    json!({
        "label": case.label,
        "grain": d.grain.as_str(),
        "today": d.today.to_string(),
        "settings": {
            "lags": s.lags,
            "min_periods": s.min_periods,
            "include_partial": s.include_partial,
            "alpha": s.alpha,
            "trend_window": s.trend_window,
            "anomaly_window": s.anomaly_window,
            "anomaly_k": s.anomaly_k,
        },
        "metrics": metrics_json(d.product),
        "series": d.series.iter().map(|(k, v)| (k.clone(), series_json(v))).collect::<serde_json::Map<_, _>>(),
        "operands": d.operands.iter().map(|(k, v)| (k.clone(), series_json(v))).collect::<serde_json::Map<_, _>>(),
        "report": analyze::to_json(&[report])["products"][0],
    })
}

#[test]
fn every_statistic_matches_numpy_and_scipy() {
    if !scipy_ready() {
        return;
    }
    let products = products();
    let mut cases = planted(&products, SEED);
    cases.extend(random(&products, 40));
    let input = json!({ "cases": cases.iter().map(case_json).collect::<Vec<_>>() });
    let dir = tempfile::tempdir().expect("a scratch directory");
    let path = dir.path().join("analyze.json");
    std::fs::write(&path, serde_json::to_string_pretty(&input).unwrap()).unwrap();
    let script = root().join("tests/analyze/check_stats.py");
    let out = Command::new(python())
        .arg(&script)
        .arg(&path)
        .output()
        .expect("the check runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The summary (statistics checked) shows with `cargo test -- --nocapture`.
    println!("{stdout}");
    assert!(
        out.status.success(),
        "check_stats.py found differences:\n{stdout}\n{stderr}"
    );
}

/// The reference specs on their example data (`examples/README.md` tells the story): exactly
/// the planted verdicts, alerts and targets, the same on any day after the data ends (the range
/// is fixed with `--to`, as in README.md).
#[cfg(feature = "duckdb")]
#[test]
fn the_examples_tell_their_story() {
    let run = |today: &str| -> Value {
        let o = bin()
            .env("LODESTAR_TODAY", today)
            .args(["analyze", "specs", "--data", "examples/data"])
            .args(["--to", "2026-11-22", "--format", "json"])
            .current_dir(root())
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(1),
            "breach and gaming are errors: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let v = run("2026-11-23");
    assert_eq!(v, run("2027-03-01"), "the same report on a later day");
    let products: HashMap<&str, &Value> = v["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["product"].as_str().unwrap(), p))
        .collect();
    let strings = |p: &Value, list: &str, fields: &[&str]| -> BTreeSet<String> {
        p[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                let parts: Vec<String> = fields.iter().map(|f| x[*f].to_string()).collect();
                parts.join(" ").replace('"', "")
            })
            .collect()
    };
    let expect = |name: &str, alerts: &[&str], edges: &[&str], targets: &[&str]| {
        let p = products[name];
        assert_eq!(p["periods"]["count"], 52, "{name}: 52 complete weeks");
        let set = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(
            strings(p, "alerts", &["kind", "metric", "period"]),
            set(alerts),
            "{name}: alerts"
        );
        let verdicts = strings(p, "edges", &["from", "to", "verdict"]);
        assert_eq!(verdicts, set(edges), "{name}: edges");
        assert_eq!(
            strings(p, "targets", &["metric", "by", "on_track"]),
            set(targets),
            "{name}: targets"
        );
    };
    expect(
        "marketplace",
        &[
            "breach refund_rate 2026-11-09",
            "gaming avg_guest_rating 2026-11-16",
        ],
        &[
            "new_hosts nights_booked leads",
            "confirmed_bookings nights_booked coincident",
            "nights_per_booking nights_booked coincident",
            "search_to_book_rate nights_booked unrelated",
            "nights_booked net_revenue leads",
        ],
        &[
            "nights_booked 2026-12-31 true",
            "nights_booked 2027-06-30 true",
        ],
    );
    expect(
        "music_streaming",
        &[
            "decoupled subscription_revenue 2026-11-16",
            "off_track listening_hours 2026-12-28",
        ],
        &[
            "listeners listening_hours coincident",
            "hours_per_listener listening_hours coincident",
            "discovery_share listening_hours unrelated",
            "new_subscriptions listening_hours unrelated",
            "listening_hours subscription_revenue unrelated",
        ],
        &["listening_hours 2026-12-31 false"],
    );
    expect(
        "team_messaging",
        &[],
        &[
            "new_teams teams_messaging unrelated",
            "messaging_members_7d teams_messaging coincident",
            "human_messages teams_messaging coincident",
            "messages_per_team teams_messaging coincident",
            "thread_reply_share teams_messaging unrelated",
            "teams_messaging billed_revenue leads",
        ],
        &["teams_messaging 2026-12-31 true"],
    );
    expect(
        "online_learning",
        &[],
        &[
            "lessons_completed lessons_per_learner coincident",
            "active_learners lessons_per_learner unrelated",
            "lesson_completion_rate lessons_per_learner coincident",
            "new_enrollments lessons_per_learner unrelated",
            "median_lesson_minutes lessons_per_learner unrelated",
            "lessons_per_learner renewal_revenue leads",
        ],
        &["lessons_per_learner 2027-03-31 true"],
    );
    expect(
        "ai_assistant",
        &[],
        &[
            "delegating_users uncorrected_tasks unrelated",
            "delegating_users_28d uncorrected_tasks unrelated",
            "tasks_per_user uncorrected_tasks coincident",
            "first_pass_rate uncorrected_tasks coincident",
            "multi_step_share uncorrected_tasks unrelated",
            "uncorrected_tasks renewed_seats leads",
        ],
        &["uncorrected_tasks 2026-12-31 true"],
    );
    // The planted lags: new hosts lead nights booked by two weeks, which lead revenue by one;
    // each other North Star leads its outcome by the weeks the generator delays it.
    let lag = |product: &str, from: &str, to: &str| {
        products[product]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["from"] == from && e["to"] == to)
            .map(|e| e["lag"].as_i64().unwrap())
    };
    assert_eq!(lag("marketplace", "new_hosts", "nights_booked"), Some(2));
    assert_eq!(lag("marketplace", "nights_booked", "net_revenue"), Some(1));
    assert_eq!(
        lag("team_messaging", "teams_messaging", "billed_revenue"),
        Some(1)
    );
    assert_eq!(
        lag("online_learning", "lessons_per_learner", "renewal_revenue"),
        Some(2)
    );
    assert_eq!(
        lag("ai_assistant", "uncorrected_tasks", "renewed_seats"),
        Some(1)
    );
}
