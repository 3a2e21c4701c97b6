//! In-process compile benchmarks (issue 8): the doubling chain, and a large project to all
//! eight dialects with the share of the final re-parse.
//!
//! * `cargo bench --no-default-features --bench compile` — the doubling chain (`m1 = ns + ns`,
//!   `m2 = m1 + m1`, … 27 deep): parse + check, then compile for each of the eight dialects;
//!   best and median of 7 runs. Target: well under a second.
//! * `cargo bench --no-default-features --bench compile -- PROJECT_DIR` — also a project made
//!   by `bench/gen_project.py` (`python3 bench/gen_project.py DIR --products 1000 --metrics 20`
//!   makes the 20,000-metric one):
//!   load + check, `sql::compile` per dialect, and the time sqlparser takes to parse the
//!   generated statements again with each dialect's parser — the check `sql::compile` itself
//!   makes before it returns, so the rest of a dialect's time is planning and writing.
//!
//! Under `cargo test --all-targets` (no `--bench` argument) it is a quick smoke run.

mod timing;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use timing::{stats, time};

use chrono::NaiveDate;
use lodestar::model::Project;
use lodestar::sql::{self, Dialect, Options};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("date")
}

/// The chain of issue 8, item 3: each metric twice the one before, `depth` deep.
fn chain(depth: usize) -> String {
    let mut s = String::from(
        "lodestar: 1\nproduct: chain\nowners:\n  team: { name: T }\nsources:\n  orders: { table: app.orders, time: ts }\n\
         north_star: { name: ns, owner: team, type: transaction, description: d, measure: { source: orders, agg: count } }\n\
         guardrails:\n  - { name: g, owner: team, type: quality, description: d, measure: { source: orders, agg: count }, threshold: { min: 1 } }\ninputs:\n",
    );
    for i in 1..=depth {
        let prev = if i == 1 {
            "ns".to_owned()
        } else {
            format!("m{}", i - 1)
        };
        s.push_str(&format!(
            "  - {{ name: m{i}, owner: team, type: engagement, description: d, derived: {prev} + {prev} }}\n"
        ));
    }
    s
}

fn check(text: &str) -> Project {
    let ws = lodestar::project::in_memory(&[("chain.yaml", text)]);
    let analysis = lodestar::project::analyze(&ws, today());
    assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
    analysis.project
}

/// The parser `sql::compile` re-parses each dialect's output with.
fn parser(d: Dialect) -> Box<dyn sqlparser::dialect::Dialect> {
    use sqlparser::dialect::{
        BigQueryDialect, ClickHouseDialect, DatabricksDialect, DuckDbDialect, GenericDialect,
        PostgreSqlDialect, RedshiftSqlDialect, SnowflakeDialect,
    };
    match d {
        Dialect::Duckdb => Box::new(DuckDbDialect {}),
        Dialect::Postgres => Box::new(PostgreSqlDialect {}),
        Dialect::Bigquery => Box::new(BigQueryDialect {}),
        Dialect::Snowflake => Box::new(SnowflakeDialect {}),
        Dialect::Redshift => Box::new(RedshiftSqlDialect {}),
        Dialect::Databricks => Box::new(DatabricksDialect {}),
        Dialect::Trino => Box::new(GenericDialect {}),
        Dialect::Clickhouse => Box::new(ClickHouseDialect {}),
    }
}

fn bench_chain(runs: usize) {
    let text = chain(27);
    let (check_runs, project) = time(runs, || check(&text));
    let (compile_runs, bytes) = time(runs, || {
        Dialect::ALL
            .iter()
            .map(|&d| {
                let out = sql::compile(&project, d, &Options::default()).expect("compiles");
                out.iter()
                    .map(|p| {
                        p.scorecard.len()
                            + p.guardrails.len()
                            + p.metrics.iter().map(|m| m.sql.len()).sum::<usize>()
                    })
                    .sum::<usize>()
            })
            .sum::<usize>()
    });
    println!("doubling chain, 27 deep ({} bytes of spec):", text.len());
    println!("  parse + check:             {}", stats(check_runs));
    println!(
        "  compile, eight dialects:   {}  ({bytes} bytes of SQL)",
        stats(compile_runs)
    );
}

fn bench_project(dir: &PathBuf) {
    let (load_runs, project) = time(3, || {
        let ws = lodestar::project::load(std::slice::from_ref(dir)).expect("project loads");
        let analysis = lodestar::project::analyze(&ws, today());
        assert!(!analysis.has_errors(), "the project has errors");
        analysis.project
    });
    let metrics: usize = project.products.iter().map(|p| p.metrics.len()).sum();
    println!(
        "project {}: {} products, {metrics} metrics",
        dir.display(),
        project.products.len()
    );
    println!("  load + parse + check:      {}", stats(load_runs));
    let threads = rayon::current_num_threads();
    println!(
        "  per dialect (sql::compile on {threads} threads; re-parse of its output on one thread):"
    );
    let mut total_compile = Duration::ZERO;
    let mut total_parse = Duration::ZERO;
    let mut total_bytes = 0usize;
    for &d in Dialect::ALL {
        let (runs, out) = time(3, || {
            sql::compile(&project, d, &Options::default()).expect("compiles")
        });
        let best = *runs.iter().min().expect("runs");
        let statements: Vec<&str> = out
            .iter()
            .flat_map(|p| {
                p.metrics
                    .iter()
                    .map(|m| m.sql.as_str())
                    .chain([p.scorecard.as_str(), p.guardrails.as_str()])
            })
            .collect();
        let bytes: usize = statements.iter().map(|s| s.len()).sum();
        let p = parser(d);
        let t = Instant::now();
        for s in &statements {
            let parsed = sqlparser::parser::Parser::new(p.as_ref())
                .with_recursion_limit(256)
                .try_with_sql(s)
                .and_then(|mut q| q.parse_statements());
            std::hint::black_box(parsed.expect("parses"));
        }
        let parse = t.elapsed();
        println!(
            "    {:<10} compile {:>8.1} ms wall; {:>6.1} MB of SQL in {} statements; re-parse alone {:>8.1} ms CPU ({:.1} MB/s)",
            d.name(),
            best.as_secs_f64() * 1e3,
            bytes as f64 / 1e6,
            statements.len(),
            parse.as_secs_f64() * 1e3,
            bytes as f64 / 1e6 / parse.as_secs_f64()
        );
        total_compile += best;
        total_parse += parse;
        total_bytes += bytes;
    }
    println!(
        "  all eight: compile {:.2} s wall, {:.0} MB of SQL; re-parsing it takes {:.2} s of CPU ({:.2} s per core on {threads})",
        total_compile.as_secs_f64(),
        total_bytes as f64 / 1e6,
        total_parse.as_secs_f64(),
        total_parse.as_secs_f64() / threads as f64
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        // `cargo test --all-targets`: a smoke run.
        let project = check(&chain(27));
        for &d in Dialect::ALL {
            sql::compile(&project, d, &Options::default()).expect("compiles");
        }
        return;
    }
    bench_chain(7);
    if let Some(dir) = args.iter().map(PathBuf::from).find(|a| a.is_dir()) {
        bench_project(&dir);
    }
}
