//! `lodestar run` (the scorecard on local data) and `lodestar guard` (guardrails and targets
//! on local data), on an embedded DuckDB or, with `--warehouse`, on a live warehouse.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;

use super::common::{Exit, Failure};

/// Where the data is: the arguments `run`, `guard` and `analyze` share.
#[derive(Clone, Debug, Args)]
pub struct DataArgs {
    /// A directory of CSV or Parquet files: table `schema.name` is DIR/schema/name.csv (or .parquet).
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present_any = ["duckdb", "warehouse"],
        conflicts_with_all = ["duckdb", "warehouse"]
    )]
    pub data: Option<PathBuf>,
    /// An existing DuckDB database file holding the tables (opened read-only).
    #[arg(long, value_name = "FILE", conflicts_with = "warehouse")]
    pub duckdb: Option<PathBuf>,
    /// A live warehouse: postgresql://user:password@host:port/database (what it leaves out is
    /// read from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE; the password is never printed)
    /// or duckdb:///path/file.duckdb.
    #[arg(long, value_name = "URL")]
    pub warehouse: Option<String>,
}

/// The arguments `run` and `guard` share.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Spec files or project directories (default: the project of the current directory).
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
    /// First day to report (YYYY-MM-DD); periods without rows from here on are shown.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<NaiveDate>,
    /// Last day to report (YYYY-MM-DD, inclusive).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<NaiveDate>,
    /// Break every metric down by a dimension of its sources (repeatable). Metrics whose
    /// sources lack it are left out with a note (an error for a metric named in --select).
    #[arg(long = "by", value_name = "DIM")]
    pub by: Vec<String>,
    #[command(flatten)]
    pub select: super::compile::SelectArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
}

/// The arguments of `guard`.
#[derive(Debug, Args)]
pub struct GuardArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Evaluate every period ending after DATE (default: each guardrail's latest complete period).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub since: Option<NaiveDate>,
    /// Evaluate the current, incomplete period too.
    #[arg(long)]
    pub include_partial: bool,
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

pub(super) fn parse_date(s: &str) -> Result<NaiveDate, String> {
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
pub fn guard(_args: &GuardArgs) -> Result<Exit, Failure> {
    Err(without_duckdb())
}

#[cfg(feature = "duckdb")]
pub(super) use with_duckdb::{grain_of, prepare, query, Prepared};
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
    use crate::engine::{Backend, Data, EngineError, Table};
    use crate::model::{Grain, Project};
    use crate::report::{self, render, GuardReport, Window};
    use crate::sql::{self, CompiledProduct, Dialect, Options};

    /// The data a run names: `--data DIR`, `--duckdb FILE` or `--warehouse URL`.
    fn data_of(args: &DataArgs) -> Result<Data, Failure> {
        match (&args.data, &args.duckdb, &args.warehouse) {
            (Some(dir), _, _) => {
                if !dir.is_dir() {
                    return Err(
                        Failure::new(format!("{}: no such directory", dir.display())).help(
                            "--data names a directory holding one CSV or Parquet file per table",
                        ),
                    );
                }
                Ok(Data::Dir(dir.clone()))
            }
            (None, Some(file), _) => Ok(Data::Database(file.clone())),
            (None, None, Some(url)) => Data::from_url(url).map_err(engine_failure),
            (None, None, None) => Err(Failure::new(
                "give the data to run on: --data DIR, --duckdb FILE or --warehouse URL",
            )),
        }
    }

    /// An engine error as a failure (exit 2), with help where there is some to give.
    fn engine_failure(e: EngineError) -> Failure {
        let failure = Failure::new(e.to_string());
        match e {
            EngineError::MissingData { .. } => failure.help(
                "each table `schema.name` of a source is read from DIR/schema/name.csv or .parquet",
            ),
            EngineError::MissingColumn { .. } => failure.help(
                "add the column to the data file, or correct the source's `columns` in the spec",
            ),
            EngineError::UnknownColumn { .. } => failure.help(
                "add the column to the data file, or correct the spec; declaring the source's \
                 `columns:` lets `lodestar lint` check this without data",
            ),
            EngineError::Url(_) => failure.help(
                "--warehouse takes postgresql://user:password@host:port/database or duckdb:///path/file.duckdb",
            ),
            EngineError::Warehouse { .. } => failure.help(
                "check that the server is up and the URL's host, port, database, user and password (or PGPASSWORD) are right",
            ),
            _ => failure,
        }
    }

    /// A checked project, compiled, with its data opened.
    pub(in crate::cli) struct Prepared {
        /// The whole project.
        pub project: Project,
        /// The products named on the command line (all of them when a project was named).
        pub focus: Project,
        pub options: Options,
        /// `focus`, compiled with `options`.
        pub compiled: Vec<CompiledProduct>,
        /// The dialect `compiled` is in: the engine's.
        pub dialect: Dialect,
        pub engine: Backend,
        pub config: crate::lint::LintConfig,
    }

    pub(in crate::cli) fn prepare(args: &RunArgs) -> Result<Result<Prepared, Exit>, Failure> {
        let (ws, analysis) = common::check_focused(&args.paths)?;
        if !ws.config_errors.is_empty() {
            // A broken lodestar.toml: the tool cannot tell which levels the team wants.
            common::eprint(&render(Format::Human, &ws.files, &ws.config_errors));
            return Ok(Err(Exit::Failure));
        }
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
        // Spec files named inside a larger project: run only their products.
        let focus = common::focused(&ws, &analysis.project)?.into_owned();
        let options = Options {
            from: args.from,
            to: args.to,
            by: args.by.clone(),
            select: common::selection(&focus, &args.select, &args.by)?,
        };
        let data = data_of(&args.data)?;
        let dialect = data.dialect();
        let compiled =
            sql::compile(&focus, dialect, &options).map_err(|e| Failure::new(e.to_string()))?;
        let names: Vec<String> = compiled.iter().map(|c| c.product.clone()).collect();
        let engine = Backend::for_products(&analysis.project, Some(&names), &data)
            .map_err(engine_failure)?;
        // Rows without a time fall in no period: say how many, so a total that looks low is
        // explained (on local data only: on a warehouse it would cost a scan of every table).
        if let Backend::Duckdb(duck) = &engine {
            for n in duck
                .null_times(&analysis.project, Some(&names))
                .map_err(engine_failure)?
            {
                common::eprint(&format!(
                    "warning: {} row(s) of source `{}` (table `{}`) have no `{}` and are in no period\n",
                    n.rows, n.source, n.table, n.time
                ));
            }
        }
        Ok(Ok(Prepared {
            project: analysis.project,
            focus,
            options,
            compiled,
            dialect,
            engine,
            config: ws.config.clone(),
        }))
    }

    pub(in crate::cli) fn query(engine: &Backend, what: &str, sql: &str) -> Result<Table, Failure> {
        let _spinner = Spinner::start(what);
        engine.query(what, sql).map_err(engine_failure)
    }

    pub fn run(args: &RunArgs) -> Result<Exit, Failure> {
        let p = match prepare(args)? {
            Ok(p) => p,
            Err(exit) => return Ok(exit),
        };
        let today = common::today()?;
        let mut cards = Vec::new();
        for product in &p.compiled {
            let table = query(
                &p.engine,
                &format!("the scorecard of {}", product.product),
                &product.scorecard,
            )?;
            let grain = grain_of(&p.project, &product.product);
            cards.push(report::scorecard(&product.product, grain, table, today));
        }
        common::print(&match args.format {
            OutputFormat::Table => render::scorecards_text(&cards),
            OutputFormat::Csv => render::csv(&report::combined(&cards, &args.by)),
            OutputFormat::Json => render::scorecards_json(&report::combined(&cards, &args.by)),
        });
        Ok(Exit::Clean)
    }

    /// The grain of a product's scorecard: its North Star's.
    pub(in crate::cli) fn grain_of(project: &Project, product: &str) -> Grain {
        project
            .product(product)
            .and_then(|m| m.north_star())
            .map_or(Grain::Week, |ns| ns.grain.value)
    }

    pub fn guard(args: &GuardArgs) -> Result<Exit, Failure> {
        let p = match prepare(&args.run)? {
            Ok(p) => p,
            Err(exit) => return Ok(exit),
        };
        let today = common::today()?;
        let window = Window {
            since: args.since,
            include_partial: args.include_partial,
        };
        // Targets and the end of the data are read over all segments.
        let whole = if args.run.by.is_empty() {
            None
        } else {
            let options = Options {
                by: Vec::new(),
                ..p.options.clone()
            };
            Some(
                sql::compile(&p.focus, p.dialect, &options)
                    .map_err(|e| Failure::new(e.to_string()))?,
            )
        };
        let mut reports = Vec::new();
        for (i, product) in p.compiled.iter().enumerate() {
            let name = &product.product;
            let model = p.project.product(name).ok_or_else(|| {
                Failure::new(format!("internal error: product `{name}` vanished"))
            })?;
            let breaches = query(
                &p.engine,
                &format!("the guardrails of {name}"),
                &product.guardrails,
            )?;
            let all = whole.as_ref().and_then(|w| w.get(i)).unwrap_or(product);
            let card = query(
                &p.engine,
                &format!("the scorecard of {name}"),
                &all.scorecard,
            )?;
            let card = report::scorecard(name, grain_of(&p.project, name), card, today);
            let data_end = card.latest_period().and_then(|l| card.grain.next(l));
            let north_star = match model.north_star() {
                Some(ns) if !ns.targets.is_empty() => {
                    match all.metrics.iter().find(|m| m.name == ns.name.value) {
                        Some(m) => Some(query(
                            &p.engine,
                            &format!("the North Star of {name}"),
                            &m.sql,
                        )?),
                        None => None,
                    }
                }
                _ => None,
            };
            reports.push(report::guard(
                model,
                breaches,
                data_end,
                north_star.as_ref(),
                today,
                window,
            ));
        }
        common::print(&match args.run.format {
            OutputFormat::Table => reports
                .iter()
                .map(render::guard_text)
                .collect::<Vec<_>>()
                .join("\n"),
            OutputFormat::Csv => render::csv(&render::guard_table(&reports)),
            OutputFormat::Json => render::guard_json(&reports),
        });
        Ok(if reports.iter().any(GuardReport::breached) {
            Exit::Findings
        } else {
            Exit::Clean
        })
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
}
