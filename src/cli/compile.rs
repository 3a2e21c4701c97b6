//! `lodestar compile` and `lodestar dialects`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Args;

use super::common::{self, Exit, Failure};
use crate::sql::{self, CompiledProduct, Dialect, Options};

#[derive(Debug, Args)]
pub struct CompileArgs {
    /// Spec files or project directories (default: the project of the current directory).
    pub paths: Vec<PathBuf>,
    /// The warehouse SQL dialect: one of duckdb, postgres, bigquery, snowflake, redshift,
    /// databricks, trino, clickhouse; several separated by commas (or repeated), or `all`.
    #[arg(long, required = true, value_name = "D", value_parser = dialects_arg)]
    pub dialect: Vec<Dialects>,
    /// Write `<product>/<metric>.sql`, `scorecard.sql` and `guardrails.sql` under DIR, or
    /// `<dialect>/<product>/...` when several dialects are asked for (default: print everything
    /// to stdout).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// First day to report (YYYY-MM-DD); with --to, every period in the range is present.
    #[arg(long, value_name = "DATE", requires = "to")]
    pub from: Option<NaiveDate>,
    /// Last day to report (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", requires = "from")]
    pub to: Option<NaiveDate>,
    /// Break every metric down by a dimension of its source (repeatable). Metrics whose
    /// sources lack it are left out with a note (an error for a metric named in --select).
    #[arg(long = "by", value_name = "DIM")]
    pub by: Vec<String>,
    #[command(flatten)]
    pub select: SelectArgs,
}

/// `--select`, shared by `compile`, `run`, `guard` and `analyze`.
#[derive(Clone, Debug, Default, Args)]
pub struct SelectArgs {
    /// Work on part of the project (repeatable, or comma-separated): METRIC, PRODUCT.METRIC,
    /// PRODUCT (or product:PRODUCT), METRIC+ for the metric and every metric computed from it,
    /// +METRIC for the metric and what it is computed from.
    #[arg(long = "select", short = 's', value_name = "SELECTOR")]
    pub select: Vec<String>,
}

impl std::ops::Deref for SelectArgs {
    type Target = [String];
    fn deref(&self) -> &[String] {
        &self.select
    }
}

pub fn run(args: &CompileArgs) -> Result<Exit, Failure> {
    let (ws, analysis) = common::check_focused(&args.paths)?;
    if common::refuse_errors(&ws, &analysis, "compiled") {
        return Ok(Exit::Findings);
    }
    if let (Some(f), Some(t)) = (args.from, args.to) {
        if f > t {
            return Err(Failure::new(format!("--from {f} is after --to {t}")));
        }
    }
    let dialects = chosen(&args.dialect);
    // Spec files named inside a larger project: compile only their products.
    let project = common::focused(&ws, &analysis.project)?;
    let options = Options {
        from: args.from,
        to: args.to,
        by: args.by.clone(),
        select: common::selection(&project, &args.select, &args.by)?,
    };
    // Everything is compiled before anything is written, so a failure writes nothing.
    let compiled = sql::compile_dialects(&project, &dialects, &options).map_err(|e| match e {
        sql::CompileError::Invalid(m) => Failure::new(m),
        e @ sql::CompileError::Internal { .. } => Failure::new(e.to_string())
            .help("this is a bug in lodestar; please report it with the spec"),
    })?;
    // One dialect keeps the plain layout; several get a folder (or header prefix) each.
    let several = compiled.len() > 1;
    let outputs: Vec<Output<'_>> = compiled
        .iter()
        .flat_map(|(d, products)| {
            products.iter().map(move |p| Output {
                dir: if several {
                    format!("{}/{}", d.name(), p.product)
                } else {
                    p.product.clone()
                },
                product: p,
            })
        })
        .collect();
    match &args.out {
        None => common::print_with(|out| listing(out, &outputs)),
        Some(dir) => write_all(dir, &outputs)?,
    }
    // The process ends with this command: the OS takes the compiled text and the project back
    // at once, faster than freeing them piece by piece (bench/compile.sh).
    std::mem::forget(compiled);
    std::mem::forget(analysis);
    Ok(Exit::Clean)
}

/// Some dialects named on the command line: `duckdb`, `duckdb,postgres` or `all`.
#[derive(Clone, Debug)]
pub struct Dialects(Vec<Dialect>);

fn dialects_arg(s: &str) -> Result<Dialects, String> {
    let mut out = Vec::new();
    for name in s.split(',').map(str::trim) {
        if name == "all" {
            out.extend_from_slice(Dialect::ALL);
            continue;
        }
        match Dialect::ALL.iter().find(|d| d.name() == name) {
            Some(&d) => out.push(d),
            None => {
                let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.name()).collect();
                return Err(format!(
                    "unknown dialect `{name}`; the dialects are {}, or `all`",
                    names.join(", ")
                ));
            }
        }
    }
    Ok(Dialects(out))
}

/// The dialects asked for, each once, in the order first named.
fn chosen(args: &[Dialects]) -> Vec<Dialect> {
    let mut out: Vec<Dialect> = Vec::new();
    for &d in args.iter().flat_map(|a| &a.0) {
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

/// One product's files and the folder (relative to `--out`) they go in.
struct Output<'a> {
    dir: String,
    product: &'a CompiledProduct,
}

/// The files of every product, in order: metrics, scorecard, guardrails.
fn files(p: &CompiledProduct) -> impl Iterator<Item = (String, &str)> {
    p.metrics
        .iter()
        .map(|m| (format!("{}.sql", m.name), m.sql.as_str()))
        .chain([
            ("scorecard.sql".to_owned(), p.scorecard.as_str()),
            ("guardrails.sql".to_owned(), p.guardrails.as_str()),
        ])
}

fn listing(out: &mut dyn std::io::Write, outputs: &[Output<'_>]) -> std::io::Result<()> {
    let mut first = true;
    for o in outputs {
        for (file, sql) in files(o.product) {
            if !first {
                out.write_all(b"\n")?;
            }
            first = false;
            writeln!(out, "-- {}/{file}", o.dir)?;
            out.write_all(sql.as_bytes())?;
        }
    }
    Ok(())
}

/// Writes every file into a temporary directory inside `dir`, then moves each product's
/// directory into place, so a failure leaves no half-written product. Every path is checked
/// to stay inside `dir` before the first file is written, and only those paths are replaced.
fn write_all(dir: &Path, outputs: &[Output<'_>]) -> Result<(), Failure> {
    use rayon::prelude::*;
    let io = |what: &Path, e: std::io::Error| Failure::new(format!("{}: {e}", what.display()));
    let paths: Vec<String> = outputs
        .iter()
        .flat_map(|o| files(o.product).map(move |(file, _)| format!("{}/{file}", o.dir)))
        .collect();
    common::inside_all(dir, paths.iter().map(String::as_str))?;
    let targets = outputs
        .iter()
        .map(|o| common::inside(dir, &o.dir))
        .collect::<Result<Vec<_>, _>>()?;
    if dir.exists() {
        for target in &targets {
            common::resolves_inside(dir, target)?;
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let parent = dir.canonicalize().map_err(|e| io(dir, e))?;
    let tmp = common::tempdir_in(&parent, "compile").map_err(|e| io(&parent, e))?;
    let result = (|| {
        // Creating files is most of the cost: products are written on every core.
        outputs.par_iter().try_for_each(|o| {
            let pdir = common::inside(&tmp, &o.dir)?;
            std::fs::create_dir_all(&pdir).map_err(|e| io(&pdir, e))?;
            for (file, sql) in files(o.product) {
                let path = common::inside(&pdir, &file)?;
                std::fs::write(&path, sql).map_err(|e| io(&path, e))?;
            }
            Ok::<(), Failure>(())
        })?;
        for (o, target) in outputs.iter().zip(&targets) {
            if let Some(up) = target.parent() {
                std::fs::create_dir_all(up).map_err(|e| io(up, e))?;
            }
            // Checked again just before a removal: nothing outside `dir` is ever removed.
            common::resolves_inside(&parent, target)?;
            if target.exists() {
                std::fs::remove_dir_all(target).map_err(|e| io(target, e))?;
            }
            let from = common::inside(&tmp, &o.dir)?;
            std::fs::rename(&from, target).map_err(|e| io(target, e))?;
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

pub fn dialects() -> Result<Exit, Failure> {
    let width = Dialect::ALL
        .iter()
        .map(|d| d.name().len())
        .max()
        .unwrap_or(0);
    let mut out = format!(
        "{:width$}  what it writes differently from the generic SQL\n",
        "dialect"
    );
    for d in Dialect::ALL {
        out.push_str(&format!("{:width$}  {}\n", d.name(), d.notes()));
    }
    common::print(&out);
    Ok(Exit::Clean)
}
