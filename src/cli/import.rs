//! `lodestar import metricflow DIR --out DIR`: reads every `*.yml` / `*.yaml` under DIR, hands
//! their text to the pure importer ([`crate::interop::metricflow`]), and writes
//! `lodestar.toml`, `<product>.yaml` and `IMPORT.md` under `--out`, with a summary on stderr.
//!
//! Everything is read, imported and checked before the first byte is written, so bad input
//! (an unreadable directory, invalid YAML, a `--north-star` naming no metric, a malformed
//! `--guardrail`) exits 2 with nothing written. A new `--out` is written as a temporary
//! directory beside it and renamed into place; into an existing one, each file is replaced
//! atomically. Paths are checked to stay inside `--out`.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::common::{self, Exit, Failure};
use crate::interop::metricflow::{self, Grain, Options};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum From {
    /// MetricFlow / dbt semantic-layer YAML (semantic models and metrics).
    Metricflow,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GrainArg {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The tool the definitions come from.
    #[arg(value_enum)]
    pub from: From,
    /// The directory holding the definitions (searched recursively for `*.yml` / `*.yaml`).
    pub dir: PathBuf,
    /// Write the lodestar project (specs, `lodestar.toml`, the report) under DIR.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The metric that becomes the North Star of its product. Given (or `--guardrail`), the
    /// roles in a `lodestar export`'s `config.meta.lodestar` are not used.
    #[arg(long = "north-star", value_name = "METRIC")]
    pub north_star: Option<String>,
    /// A metric that becomes a guardrail: `METRIC:min=X`, `METRIC:max=Y` or both (repeatable).
    #[arg(long = "guardrail", value_name = "METRIC:min=X|max=Y")]
    pub guardrails: Vec<String>,
    /// The grain of every imported metric (but those whose `config.meta.lodestar`, written by
    /// `lodestar export`, names their own). At `day` every MetricFlow kind keeps its numbers;
    /// offsets and windows must be whole periods of the grain.
    #[arg(long, value_enum, default_value = "day")]
    pub grain: GrainArg,
}

/// Directories that hold build output or installed packages, not a project's definitions.
const SKIPPED_DIRS: &[&str] = &[
    "target",
    "dbt_packages",
    "dbt_modules",
    "node_modules",
    "logs",
];

/// At most this many YAML files are read: a project has hundreds; more is a wrong DIR.
const MAX_FILES: usize = 20_000;

pub fn run(args: &ImportArgs) -> Result<Exit, Failure> {
    let From::Metricflow = args.from;
    let guardrails = args
        .guardrails
        .iter()
        .map(|g| {
            metricflow::parse_guardrail(g).map_err(|e| {
                Failure::new(format!("--guardrail {g}: {e}")).help(
                    "a guardrail is a metric and its bounds, e.g. --guardrail refund_rate:max=0.02",
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let dir = &args.dir;
    let meta = std::fs::metadata(dir).map_err(|e| {
        Failure::new(format!("cannot read {}: {e}", dir.display()))
            .help("name the directory holding the MetricFlow (or dbt) YAML files")
    })?;
    if !meta.is_dir() {
        return Err(
            Failure::new(format!("{} is not a directory", dir.display()))
                .help("name the directory holding the MetricFlow (or dbt) YAML files"),
        );
    }
    let mut paths = Vec::new();
    collect(dir, &args.out, &mut paths)?;
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    for p in &paths {
        let text = std::fs::read(p)
            .map_err(|e| Failure::new(format!("cannot read {}: {e}", p.display())))?;
        let text = String::from_utf8(text).map_err(|_| {
            Failure::new(format!("{} is not UTF-8 text", p.display()))
                .help("YAML files are UTF-8; re-save the file as UTF-8")
        })?;
        let shown = p.strip_prefix(dir).unwrap_or(p).display().to_string();
        files.push((shown, text));
    }
    let options = Options {
        product: product_name(dir),
        north_star: args.north_star.clone(),
        guardrails,
        grain: match args.grain {
            GrainArg::Day => Grain::Day,
            GrainArg::Week => Grain::Week,
            GrainArg::Month => Grain::Month,
            GrainArg::Quarter => Grain::Quarter,
            GrainArg::Year => Grain::Year,
        },
        today: common::today()?,
    };
    let imported = metricflow::import(&files, &options).map_err(|e| {
        let help = e.help();
        Failure::new(e.to_string()).help(help)
    })?;
    let outputs = [
        (
            crate::project::CONFIG_FILE.to_owned(),
            imported.config.as_str(),
        ),
        (format!("{}.yaml", imported.product), imported.spec.as_str()),
        ("IMPORT.md".to_owned(), imported.report.as_str()),
    ];
    common::write_tree(&args.out, &outputs, "import")?;
    common::eprint(&imported.summary);
    let mut listing = String::new();
    for (name, _) in &outputs {
        listing.push_str(&format!("wrote {}\n", args.out.join(name).display()));
    }
    common::print(&listing);
    Ok(Exit::Clean)
}

/// Every `*.yml` / `*.yaml` under `dir`, not following symbolic links to directories, skipping
/// hidden directories, build output and `--out` itself (a previous import's files).
fn collect(dir: &Path, out: &Path, into: &mut Vec<PathBuf>) -> Result<(), Failure> {
    let out = out.canonicalize().ok();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .map_err(|e| Failure::new(format!("cannot read {}: {e}", d.display())))?;
        for entry in entries {
            let entry =
                entry.map_err(|e| Failure::new(format!("cannot read {}: {e}", d.display())))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let kind = entry
                .file_type()
                .map_err(|e| Failure::new(format!("cannot read {}: {e}", path.display())))?;
            if kind.is_dir() {
                let skipped = name.starts_with('.')
                    || SKIPPED_DIRS.contains(&name.as_str())
                    || out
                        .as_ref()
                        .is_some_and(|o| path.canonicalize().ok().as_ref() == Some(o));
                if !skipped {
                    stack.push(path);
                }
            } else if (name.ends_with(".yml") || name.ends_with(".yaml"))
                && std::fs::metadata(&path).is_ok_and(|m| m.is_file())
            {
                into.push(path);
                if into.len() > MAX_FILES {
                    return Err(Failure::new(format!(
                        "more than {MAX_FILES} YAML files under {}",
                        dir.display()
                    ))
                    .help("name the directory of the semantic-layer YAML, not a whole disk"));
                }
            }
        }
    }
    Ok(())
}

/// The product's name as found: the dbt project's `name` when `dbt_project.yml` is in DIR,
/// else DIR's own name (the importer makes it snake_case).
fn product_name(dir: &Path) -> String {
    let from_dbt = std::fs::read_to_string(dir.join("dbt_project.yml"))
        .ok()
        .and_then(|t| serde_saphyr::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_owned));
    from_dbt
        .or_else(|| {
            std::path::absolute(dir)
                .ok()
                .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        })
        .unwrap_or_else(|| "imported".to_owned())
}
