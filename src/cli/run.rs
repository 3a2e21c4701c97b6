//! `lodestar run` (the scorecard on local data) and `lodestar guard` (guardrails and targets
//! on local data), on an embedded DuckDB.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;

use super::common::{Exit, Failure};

/// The arguments `run` and `guard` share.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Spec files or project directories (default: the project of the current directory).
    pub paths: Vec<PathBuf>,
    /// A directory of CSV or Parquet files: table `schema.name` is DIR/schema/name.csv (or .parquet).
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present = "duckdb",
        conflicts_with = "duckdb"
    )]
    pub data: Option<PathBuf>,
    /// An existing DuckDB database file holding the tables (opened read-only).
    #[arg(long, value_name = "FILE")]
    pub duckdb: Option<PathBuf>,
    /// First day to report (YYYY-MM-DD); periods without rows from here on are shown.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<NaiveDate>,
    /// Last day to report (YYYY-MM-DD, inclusive).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<NaiveDate>,
    /// Break every metric down by a dimension of its sources (repeatable).
    #[arg(long = "by", value_name = "DIM")]
    pub by: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// An aligned table for people.
    Table,
    /// CSV with a header row.
    Csv,
    /// One JSON document.
    Json,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date (expected YYYY-MM-DD)"))
}

#[cfg(not(feature = "duckdb"))]
fn without_duckdb() -> Failure {
    Failure::new("this lodestar binary was built without DuckDB, so it cannot run metrics")
        .help("build with the default features (`cargo install lodestar`), or use `lodestar compile --dialect duckdb` and run the SQL yourself")
}

#[cfg(not(feature = "duckdb"))]
pub fn run(_args: &RunArgs) -> Result<Exit, Failure> {
    Err(without_duckdb())
}

#[cfg(not(feature = "duckdb"))]
pub fn guard(_args: &RunArgs) -> Result<Exit, Failure> {
    Err(without_duckdb())
}

#[cfg(feature = "duckdb")]
pub use with_duckdb::{guard, run};

#[cfg(feature = "duckdb")]
mod with_duckdb {
    use std::io::{IsTerminal, Write};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::thread::JoinHandle;
    use std::time::Duration;

    use super::*;
    use crate::cli::common;
    use crate::diagnostics::render::{render, Format};
    use crate::engine::{Cell, Data, Engine, Table};
    use crate::model::Project;
    use crate::sql::{self, CompiledProduct, Dialect, Options};

    /// A checked project, compiled, with its data opened.
    struct Prepared {
        project: Project,
        compiled: Vec<CompiledProduct>,
        engine: Engine,
    }

    fn prepare(args: &RunArgs) -> Result<Result<Prepared, Exit>, Failure> {
        let (ws, analysis) = common::check(&args.paths)?;
        if analysis.has_errors() {
            let text = render(Format::Human, &ws.files, &analysis.diagnostics);
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(text.as_bytes());
            let _ = writeln!(
                err,
                "error: the project has errors; fix them before running its metrics"
            );
            return Ok(Err(Exit::Findings));
        }
        let options = Options {
            from: args.from,
            to: args.to,
            by: args.by.clone(),
        };
        // Spec files named inside a larger project: run only their products.
        let project = common::focused(&ws, &analysis.project)?;
        let compiled = sql::compile(&project, Dialect::Duckdb, &options)
            .map_err(|e| Failure::new(e.to_string()))?;
        let data = match (&args.data, &args.duckdb) {
            (Some(dir), _) => {
                if !dir.is_dir() {
                    return Err(
                        Failure::new(format!("{}: no such directory", dir.display())).help(
                            "--data names a directory holding one CSV or Parquet file per table",
                        ),
                    );
                }
                Data::Dir(dir.clone())
            }
            (None, Some(file)) => Data::Database(file.clone()),
            (None, None) => {
                return Err(Failure::new(
                    "give the data to run on: --data DIR or --duckdb FILE",
                ))
            }
        };
        let names: Vec<String> = compiled.iter().map(|c| c.product.clone()).collect();
        let engine = Engine::for_products(&analysis.project, Some(&names), &data).map_err(|e| {
            let failure = Failure::new(e.to_string());
            match e {
                crate::engine::EngineError::MissingData { .. } => failure.help(
                    "each table `schema.name` of a source is read from DIR/schema/name.csv or .parquet",
                ),
                _ => failure,
            }
        })?;
        Ok(Ok(Prepared {
            project: analysis.project,
            compiled,
            engine,
        }))
    }

    fn query(engine: &Engine, what: &str, sql: &str) -> Result<Table, Failure> {
        let _spinner = Spinner::start(what);
        engine
            .query(what, sql)
            .map_err(|e| Failure::new(e.to_string()))
    }

    pub fn run(args: &RunArgs) -> Result<Exit, Failure> {
        let p = match prepare(args)? {
            Ok(p) => p,
            Err(exit) => return Ok(exit),
        };
        let mut cards = Vec::new();
        for product in &p.compiled {
            let table = query(
                &p.engine,
                &format!("the scorecard of {}", product.product),
                &product.scorecard,
            )?;
            cards.push((product.product.clone(), table));
        }
        common::print(&match args.format {
            OutputFormat::Table => cards
                .iter()
                .map(|(name, t)| format!("{name}\n{}", aligned(t)))
                .collect::<Vec<_>>()
                .join("\n"),
            OutputFormat::Csv => cards
                .iter()
                .map(|(_, t)| csv(t))
                .collect::<Vec<_>>()
                .join("\n"),
            OutputFormat::Json => {
                let products: Vec<_> = cards
                    .iter()
                    .map(|(name, t)| serde_json::json!({ "product": name, "columns": t.columns, "rows": json_rows(t) }))
                    .collect();
                format!("{:#}\n", serde_json::json!({ "products": products }))
            }
        });
        Ok(Exit::Clean)
    }

    /// A North Star target with the latest value measured against it.
    struct Progress {
        metric: String,
        by: NaiveDate,
        target: f64,
        /// The latest period with a value, and the value.
        latest: Option<(Cell, f64)>,
    }

    pub fn guard(args: &RunArgs) -> Result<Exit, Failure> {
        let p = match prepare(args)? {
            Ok(p) => p,
            Err(exit) => return Ok(exit),
        };
        let mut breached = false;
        let mut reports = Vec::new();
        for product in &p.compiled {
            let breaches = query(
                &p.engine,
                &format!("the guardrails of {}", product.product),
                &product.guardrails,
            )?;
            breached |= !breaches.rows.is_empty();
            let mut progress = Vec::new();
            let north_star = p
                .project
                .product(&product.product)
                .and_then(|m| m.north_star());
            if let Some(ns) = north_star.filter(|ns| !ns.targets.is_empty()) {
                let card = query(
                    &p.engine,
                    &format!("the scorecard of {}", product.product),
                    &product.scorecard,
                )?;
                let latest = latest_value(&card, &ns.name.value);
                for t in &ns.targets {
                    progress.push(Progress {
                        metric: ns.name.value.clone(),
                        by: t.by.value,
                        target: t.value.value,
                        latest: latest.clone(),
                    });
                }
            }
            reports.push((product.product.clone(), breaches, progress));
        }
        common::print(&match args.format {
            OutputFormat::Table => reports
                .iter()
                .map(|(n, b, p)| guard_text(n, b, p))
                .collect::<Vec<_>>()
                .join("\n"),
            OutputFormat::Csv => {
                let mut all = Table::default();
                for (name, b, _) in &reports {
                    all.columns = std::iter::once("product".to_owned())
                        .chain(b.columns.iter().cloned())
                        .collect();
                    for row in &b.rows {
                        all.rows.push(
                            std::iter::once(Cell::Text(name.clone()))
                                .chain(row.iter().cloned())
                                .collect(),
                        );
                    }
                }
                csv(&all)
            }
            OutputFormat::Json => {
                let products: Vec<_> = reports
                    .iter()
                    .map(|(name, b, p)| {
                        let targets: Vec<_> = p
                            .iter()
                            .map(|t| {
                                serde_json::json!({
                                    "metric": t.metric,
                                    "by": t.by.to_string(),
                                    "target": t.target,
                                    "latest_period": t.latest.as_ref().map(|(c, _)| plain(c)),
                                    "latest": t.latest.as_ref().map(|(_, v)| *v),
                                })
                            })
                            .collect();
                        serde_json::json!({ "product": name, "breaches": json_rows(b), "targets": targets })
                    })
                    .collect();
                format!(
                    "{:#}\n",
                    serde_json::json!({ "breached": breached, "products": products })
                )
            }
        });
        Ok(if breached {
            Exit::Findings
        } else {
            Exit::Clean
        })
    }

    /// The value of `metric` in the latest period that has one (first column is the period).
    fn latest_value(card: &Table, metric: &str) -> Option<(Cell, f64)> {
        let col = card.column(metric)?;
        let mut best: Option<(Cell, f64)> = None;
        for row in &card.rows {
            let (Some(period), Some(v)) = (row.first(), row.get(col).and_then(Cell::as_f64)) else {
                continue;
            };
            if best.as_ref().is_none_or(|(p, _)| plain(period) >= plain(p)) {
                best = Some((period.clone(), v));
            }
        }
        best
    }

    fn guard_text(product: &str, breaches: &Table, progress: &[Progress]) -> String {
        let mut out = format!("{product}\n");
        if breaches.rows.is_empty() {
            out.push_str("  no guardrail breached\n");
        } else {
            let n = breaches.rows.len();
            out.push_str(&format!(
                "  {n} guardrail breach{}:\n",
                if n == 1 { "" } else { "es" }
            ));
            let get =
                |row: &[Cell], name: &str| breaches.column(name).and_then(|i| row.get(i)).cloned();
            let mut shown = Table {
                columns: ["guardrail", "period", "value", "threshold"]
                    .map(str::to_owned)
                    .to_vec(),
                rows: Vec::new(),
            };
            // Extra columns (`--by` dimensions) go after the period.
            let extra: Vec<&String> = breaches
                .columns
                .iter()
                .filter(|c| !["period", "guardrail", "value", "min", "max"].contains(&c.as_str()))
                .collect();
            for (i, c) in extra.iter().enumerate() {
                shown.columns.insert(2 + i, (*c).clone());
            }
            for row in &breaches.rows {
                let value = get(row, "value").unwrap_or(Cell::Null);
                let threshold = match (
                    get(row, "min").and_then(|c| c.as_f64()),
                    get(row, "max").and_then(|c| c.as_f64()),
                ) {
                    (Some(min), Some(max)) => format!("{} ≤ value ≤ {}", number(min), number(max)),
                    (Some(min), None) => format!("min {}", number(min)),
                    (None, Some(max)) => format!("max {}", number(max)),
                    (None, None) => String::new(),
                };
                let mut cells = vec![
                    get(row, "guardrail").unwrap_or(Cell::Null),
                    get(row, "period").unwrap_or(Cell::Null),
                ];
                cells.extend(extra.iter().map(|c| get(row, c).unwrap_or(Cell::Null)));
                cells.push(value);
                cells.push(Cell::Text(threshold));
                shown.rows.push(cells);
            }
            for line in aligned(&shown).lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
        for t in progress {
            match &t.latest {
                Some((period, v)) => {
                    let share = if t.target != 0.0 {
                        format!(", {:.1}% of target", v / t.target * 100.0)
                    } else {
                        String::new()
                    };
                    out.push_str(&format!(
                        "  target: {} {} by {} — latest {} (period {}){share}\n",
                        t.metric,
                        number(t.target),
                        t.by,
                        number(*v),
                        plain(period)
                    ));
                }
                None => out.push_str(&format!(
                    "  target: {} {} by {} — no value measured yet\n",
                    t.metric,
                    number(t.target),
                    t.by
                )),
            }
        }
        out
    }

    /// A cell as plain text: dates as YYYY-MM-DD, numbers in full precision, NULL empty.
    fn plain(c: &Cell) -> String {
        match c {
            Cell::Null => String::new(),
            Cell::Date(d) => d.to_string(),
            Cell::Number(n) => n.to_string(),
            Cell::Text(s) => s.clone(),
        }
    }

    /// A number for people: integers whole, others to six significant digits.
    fn number(n: f64) -> String {
        if !n.is_finite() {
            return n.to_string();
        }
        if n.fract() == 0.0 && n.abs() < 1e15 {
            return format!("{n:.0}");
        }
        let magnitude = if n == 0.0 {
            0
        } else {
            n.abs().log10().floor() as i32
        };
        let decimals = (5 - magnitude).clamp(0, 12) as usize;
        let s = format!("{n:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            s
        }
    }

    /// An aligned table: text left, numbers right, NULL as `-`.
    fn aligned(t: &Table) -> String {
        let rows: Vec<Vec<(String, bool)>> = t
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Cell::Null => ("-".to_owned(), true),
                        Cell::Number(n) => (number(*n), true),
                        other => (plain(other), false),
                    })
                    .collect()
            })
            .collect();
        let mut widths: Vec<usize> = t.columns.iter().map(|c| c.chars().count()).collect();
        for r in &rows {
            for (i, (s, _)) in r.iter().enumerate() {
                if i < widths.len() {
                    widths[i] = widths[i].max(s.chars().count());
                }
            }
        }
        let mut out = String::new();
        let header: Vec<String> = t
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(header.join("  ").trim_end());
        out.push('\n');
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        out.push_str(&rule.join("  "));
        out.push('\n');
        for r in &rows {
            let cells: Vec<String> = r
                .iter()
                .zip(&widths)
                .map(|((s, right), w)| {
                    if *right {
                        format!("{s:>w$}")
                    } else {
                        format!("{s:<w$}")
                    }
                })
                .collect();
            out.push_str(cells.join("  ").trim_end());
            out.push('\n');
        }
        if rows.is_empty() {
            out.push_str("(no rows)\n");
        }
        out
    }

    fn csv(t: &Table) -> String {
        fn field(s: &str) -> String {
            if s.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_owned()
            }
        }
        let mut out = t
            .columns
            .iter()
            .map(|c| field(c))
            .collect::<Vec<_>>()
            .join(",");
        out.push('\n');
        for r in &t.rows {
            out.push_str(
                &r.iter()
                    .map(|c| field(&plain(c)))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            out.push('\n');
        }
        out
    }

    fn json_rows(t: &Table) -> Vec<serde_json::Value> {
        t.rows
            .iter()
            .map(|r| {
                let mut obj = serde_json::Map::new();
                for (name, c) in t.columns.iter().zip(r) {
                    let v = match c {
                        Cell::Null => serde_json::Value::Null,
                        Cell::Number(n) => serde_json::Number::from_f64(*n)
                            .map_or(serde_json::Value::Null, Into::into),
                        other => serde_json::Value::String(plain(other)),
                    };
                    obj.insert(name.clone(), v);
                }
                serde_json::Value::Object(obj)
            })
            .collect()
    }

    /// A spinner on stderr, shown only on a terminal and only once a query takes a moment.
    struct Spinner {
        stop: Arc<AtomicBool>,
        thread: Option<JoinHandle<()>>,
    }

    impl Spinner {
        fn start(what: &str) -> Spinner {
            let stop = Arc::new(AtomicBool::new(false));
            if !std::io::stderr().is_terminal() {
                return Spinner { stop, thread: None };
            }
            let flag = Arc::clone(&stop);
            let message = format!("running {what}");
            let thread = std::thread::spawn(move || {
                let tick = Duration::from_millis(80);
                for _ in 0..5 {
                    if flag.load(Ordering::Relaxed) {
                        return;
                    }
                    std::thread::sleep(tick);
                }
                let frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
                let mut i = 0;
                while !flag.load(Ordering::Relaxed) {
                    let _ = write!(
                        std::io::stderr(),
                        "\r{} {message}",
                        frames[i % frames.len()]
                    );
                    i += 1;
                    std::thread::sleep(tick);
                }
                let _ = write!(std::io::stderr(), "\r\x1b[2K");
            });
            Spinner {
                stop,
                thread: Some(thread),
            }
        }
    }

    impl Drop for Spinner {
        fn drop(&mut self) {
            self.stop.store(true, Ordering::Relaxed);
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn numbers_read_well() {
            assert_eq!(number(120000.0), "120000");
            assert_eq!(number(0.0212345), "0.0212345");
            assert_eq!(number(4.56789123), "4.56789");
            assert_eq!(number(-2.5), "-2.5");
        }

        #[test]
        fn csv_quotes_what_needs_quoting() {
            let t = Table {
                columns: vec!["period".into(), "market".into()],
                rows: vec![vec![
                    Cell::Date(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()),
                    Cell::Text("a,\"b\"".into()),
                ]],
            };
            assert_eq!(csv(&t), "period,market\n2024-01-01,\"a,\"\"b\"\"\"\n");
        }
    }
}
