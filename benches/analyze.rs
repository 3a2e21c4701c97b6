//! The statistics stage of `lodestar analyze` at scale: 1,000 products × 104 weekly periods,
//! each with a North Star (derived from two inputs, with two targets), five inputs, two
//! guardrails and one outcome. The series are made here (seeded random walks); only
//! `analyze::analyze` (and, separately, `analyze::to_json`) is timed.
//!
//! `cargo bench --no-default-features --bench analyze`. Prints the best and median of 7 runs,
//! one thread and all threads (rayon). The budget is 2 s on one thread. Under `cargo test
//! --all-targets` (no `--bench` argument) it is a quick smoke run of 20 products.

mod timing;
use std::collections::HashMap;
use timing::{stats, time};

use chrono::{Days, NaiveDate};
use lodestar::analyze::{self, ProductData, Series, Settings};
use rayon::prelude::*;

const PRODUCTS: usize = 1000;
const WEEKS: usize = 104;

const SPEC: &str = "lodestar: 1
product: bench
owners:
  team: { name: Team }
sources:
  events: { table: events, time: at }
north_star:
  name: ns
  description: The North Star.
  owner: team
  type: transaction
  derived: a * b
  targets:
    - { by: 2026-12-31, value: 100000 }
    - { by: 2027-06-30, value: 1000 }
inputs:
  - { name: a, description: a., owner: team, type: engagement, measure: { source: events, agg: sum, expr: a } }
  - { name: b, description: b., owner: team, type: engagement, measure: { source: events, agg: sum, expr: b } }
  - { name: c, description: c., owner: team, type: engagement, measure: { source: events, agg: sum, expr: c } }
  - { name: d, description: d., owner: team, type: engagement, measure: { source: events, agg: sum, expr: d } }
  - { name: e, description: e., owner: team, type: engagement, measure: { source: events, agg: sum, expr: e } }
guardrails:
  - { name: g1, description: g1., owner: team, type: quality, measure: { source: events, agg: avg, expr: g }, threshold: { max: 0.05 } }
  - { name: g2, description: g2., owner: team, type: quality, measure: { source: events, agg: avg, expr: h }, threshold: { min: 4 } }
outcomes:
  - { name: revenue, description: revenue., owner: team, type: revenue, measure: { source: events, agg: sum, expr: r } }
";

/// SplitMix64 and Box–Muller: seeded, dependency-free noise.
struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (((z ^ (z >> 31)) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let (products, runs) = if bench { (PRODUCTS, 7) } else { (20, 1) };
    let today = NaiveDate::from_ymd_opt(2026, 11, 1).expect("date");
    let ws = lodestar::project::in_memory(&[("bench.yaml", SPEC)]);
    let analysis = lodestar::project::analyze(&ws, today);
    assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
    let product = &analysis.project.products[0];
    let start = NaiveDate::from_ymd_opt(2024, 11, 4).expect("date");
    let periods: Vec<NaiveDate> = (0..WEEKS as u64)
        .map(|i| start + Days::new(7 * i))
        .collect();

    let mut rng = Rng(42);
    let datasets: Vec<ProductData> = (0..products)
        .map(|_| {
            let mut walk = |level: f64, sd: f64, drift: f64| {
                let mut x = level;
                let values = (0..WEEKS)
                    .map(|_| {
                        x += drift + sd * rng.normal();
                        Some(x)
                    })
                    .collect();
                Series {
                    periods: periods.clone(),
                    values,
                }
            };
            let mut series: HashMap<String, Series> = HashMap::new();
            for (name, level, sd, drift) in [
                ("a", 100.0, 2.0, 0.2),
                ("b", 50.0, 1.0, 0.0),
                ("c", 10.0, 1.0, 0.0),
                ("d", 10.0, 1.0, 0.1),
                ("e", 10.0, 1.0, -0.1),
                ("g1", 0.02, 0.0005, 0.0),
                ("g2", 4.5, 0.01, 0.0),
                ("revenue", 10000.0, 100.0, 5.0),
            ] {
                series.insert(name.to_owned(), walk(level, sd, drift));
            }
            let ns = Series {
                periods: periods.clone(),
                values: series["a"]
                    .values
                    .iter()
                    .zip(&series["b"].values)
                    .map(|(a, b)| Some((*a)? * (*b)?))
                    .collect(),
            };
            series.insert("ns".to_owned(), ns);
            ProductData {
                product,
                grain: lodestar::model::Grain::Week,
                series,
                operands: HashMap::new(),
                today,
            }
        })
        .collect();

    let settings = Settings::default();
    let (times, reports) = time(runs, || {
        datasets
            .iter()
            .map(|d| analyze::analyze(d, &settings))
            .collect::<Vec<_>>()
    });
    let alerts: usize = reports.iter().map(|r| r.alerts.len()).sum();
    let edges: usize = reports.iter().map(|r| r.edges.len()).sum();
    println!(
        "analyze, {products} products x {WEEKS} weeks ({edges} edges, {alerts} alerts), 1 thread: {}",
        stats(times)
    );
    let (times, _) = time(runs, || {
        datasets
            .par_iter()
            .map(|d| analyze::analyze(d, &settings))
            .collect::<Vec<_>>()
    });
    println!(
        "analyze, {products} products x {WEEKS} weeks, {} threads: {}",
        rayon::current_num_threads(),
        stats(times)
    );
    let (times, json) = time(runs, || analyze::to_json(&reports).to_string());
    println!(
        "to_json of those reports ({} KiB): {}",
        json.len() / 1024,
        stats(times)
    );
    if !bench {
        println!("(a smoke run: `cargo bench --bench analyze` times {PRODUCTS} products)");
    }
}
