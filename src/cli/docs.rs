//! `lodestar docs [PATH...] --out DIR [--data DIR | --duckdb FILE | --warehouse URL]`: a
//! static site with a page per product. With data, each product's scorecard is run on the
//! engine and analysed as `lodestar analyze` does, and the pages add a chart per metric and the
//! lead–lag of each edge of the tree.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Args;

use super::common::{self, Exit, Failure};
use super::run::{parse_date, DataArgs};
use crate::docs::{self, Page};
use crate::model::Project;
use crate::sql::{self, Dialect};

/// Written into every generated site, so that regenerating may replace the directory.
const MARKER: &str = ".lodestar-docs";

/// Data is optional here: `DataArgs` requires `--data` unless another source is named, so that
/// requirement is reset (the three still exclude each other).
#[derive(Debug, Args)]
#[command(mut_arg("data", |a| a.required_unless_present(clap::builder::Resettable::Reset)))]
pub struct DocsArgs {
    /// Spec files or project directories (default: the project of the current directory).
    pub paths: Vec<PathBuf>,
    /// The directory to write the site to (replaced whole; created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// The data to chart (optional): each product page then shows a chart per metric, and the
    /// tree's edges their lead–lag, as `lodestar analyze` finds them.
    #[command(flatten)]
    pub data: Option<DataArgs>,
    /// First day of the data charted (YYYY-MM-DD; needs data).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<NaiveDate>,
    /// Last day of the data charted (YYYY-MM-DD, inclusive; needs data).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<NaiveDate>,
}

/// The SQL of every product in every dialect, for the pages' SQL sections.
fn dialect_sql(project: &Project) -> Vec<docs::DialectSql> {
    Dialect::ALL
        .iter()
        .map(|&d| {
            (
                d,
                sql::compile(project, d, &Default::default()).map_err(|e| e.to_string()),
            )
        })
        .collect()
}

pub fn run(args: &DocsArgs) -> Result<Exit, Failure> {
    if let Some(data) = &args.data {
        return with_data(args, data);
    }
    if args.from.is_some() || args.to.is_some() {
        return Err(Failure::new(
            "--from and --to set the range of the data charted, and no data was given",
        )
        .help("add --data DIR, --duckdb FILE or --warehouse URL, or drop --from and --to"));
    }
    let (ws, analysis) = common::check(&args.paths)?;
    if analysis.has_errors() {
        let text = crate::diagnostics::render::render(
            crate::diagnostics::render::Format::Human,
            &ws.files,
            &analysis.diagnostics,
        );
        common::print(&text);
        eprintln!("error: the project has errors; fix them before generating docs");
        return Ok(Exit::Findings);
    }
    let sql = dialect_sql(&analysis.project);
    let pages = docs::site(&analysis.project, &sql);
    write_atomically(&args.out, &pages)?;
    eprintln!("wrote {} pages to {}", pages.len(), args.out.display());
    Ok(Exit::Clean)
}

#[cfg(not(feature = "duckdb"))]
fn with_data(_args: &DocsArgs, _data: &DataArgs) -> Result<Exit, Failure> {
    Err(
        Failure::new("this lodestar binary was built without DuckDB, so it cannot chart data")
            .help("build with the default features (`cargo install lodestar`), or run `lodestar docs` without --data, --duckdb or --warehouse"),
    )
}

/// The site with each product's numbers: its scorecard run on the engine (with a ratio North
/// Star's operands, as `analyze` runs it), analysed with the project's alert levels.
#[cfg(feature = "duckdb")]
fn with_data(args: &DocsArgs, data: &DataArgs) -> Result<Exit, Failure> {
    use super::analyze::analyse;
    use super::compile::SelectArgs;
    use super::run::{prepare, OutputFormat, RunArgs};
    use crate::analyze::Settings;

    let run_args = RunArgs {
        paths: args.paths.clone(),
        data: data.clone(),
        from: args.from,
        to: args.to,
        by: Vec::new(),
        select: SelectArgs::default(),
        format: OutputFormat::Table,
    };
    let p = match prepare(&run_args)? {
        Ok(p) => p,
        Err(exit) => return Ok(exit),
    };
    let today = common::today()?;
    let settings = Settings {
        severities: p.config.analyze.clone(),
        ..Settings::default()
    };
    let numbers: Vec<docs::ProductNumbers> = analyse(&p, &settings, today)?
        .into_iter()
        .map(|(report, series)| docs::ProductNumbers {
            series,
            report,
            today,
        })
        .collect();
    let pages = docs::site_with_data(&p.project, &dialect_sql(&p.project), &numbers);
    write_atomically(&args.out, &pages)?;
    eprintln!(
        "wrote {} pages to {} ({} with charts)",
        pages.len(),
        args.out.display(),
        numbers.len()
    );
    Ok(Exit::Clean)
}

fn io(path: &Path, e: std::io::Error) -> Failure {
    Failure::new(format!("{}: {e}", path.display()))
}

/// Writes the site into a temporary directory beside `out`, then swaps it in, so that readers
/// never see half a site. Refuses to replace a directory lodestar did not write.
fn write_atomically(out: &Path, pages: &[Page]) -> Result<(), Failure> {
    // Every page stays inside `out`, checked before anything is written.
    common::inside_all(out, pages.iter().map(|p| p.path.as_str()))?;
    if out.file_name().is_none() {
        return Err(Failure::new(format!(
            "--out {} names no directory of its own",
            out.display()
        ))
        .help("give --out a directory name, e.g. `--out site`; lodestar replaces it whole"));
    }
    if out.exists() {
        let empty = out
            .read_dir()
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !out.is_dir() || !(empty || out.join(MARKER).exists()) {
            return Err(Failure::new(format!("{} exists and was not written by `lodestar docs`", out.display()))
                .help("choose a new or empty directory for --out; lodestar replaces only a site it generated"));
        }
    }
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "docs".into());
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| io(&parent, e))?;
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.tmp-{pid}"));
    let old = parent.join(format!(".{name}.old-{pid}"));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = (|| {
        std::fs::create_dir(&tmp).map_err(|e| io(&tmp, e))?;
        for p in pages {
            let path = common::inside(&tmp, &p.path)?;
            std::fs::write(&path, &p.html).map_err(|e| io(&path, e))?;
        }
        std::fs::write(
            tmp.join(MARKER),
            "generated by lodestar docs; this directory is replaced on each run\n",
        )
        .map_err(|e| io(&tmp, e))?;
        if out.exists() {
            std::fs::rename(out, &old).map_err(|e| io(out, e))?;
        }
        if let Err(e) = std::fs::rename(&tmp, out) {
            let _ = std::fs::rename(&old, out);
            return Err(io(out, e));
        }
        let _ = std::fs::remove_dir_all(&old);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}
