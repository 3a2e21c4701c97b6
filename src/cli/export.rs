//! A lodestar project written as another tool's definitions (`lodestar export`).
//! `lodestar export [PATH...] --to metricflow|osi --out DIR`.
//!
//! The project is loaded and checked as for `compile`: one with errors is refused (exit 1, the
//! errors on stderr) and nothing is written. The pure exporter
//! ([`crate::interop::export`]) gives every file's path and text; they are all checked to stay
//! inside `--out` before the first is written. A new `--out` is written as a temporary
//! directory beside it and renamed into place, so a failure leaves nothing half-written; into
//! an existing one, each file is replaced atomically.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::common::{self, Exit, Failure};
use crate::diagnostics::render::{render, Format};
use crate::interop::export;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum To {
    /// MetricFlow / dbt semantic-layer YAML (semantic models and metrics).
    Metricflow,
    /// Open Semantic Interchange (OSI) YAML.
    Osi,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Spec files or project directories (default: the project of the current directory).
    pub paths: Vec<PathBuf>,
    /// The format to write.
    #[arg(long, value_enum)]
    pub to: To,
    /// Write the files under DIR.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

pub fn run(args: &ExportArgs) -> Result<Exit, Failure> {
    let (ws, analysis) = common::check_focused(&args.paths)?;
    if analysis.has_errors() {
        let errors: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        common::eprint(&render(Format::Human, &ws.files, &errors));
        common::eprint(&format!(
            "error: the project has {} error(s); nothing was exported\n",
            errors.len()
        ));
        return Ok(Exit::Findings);
    }
    let project = common::focused(&ws, &analysis.project)?;
    let format = match args.to {
        To::Metricflow => export::Format::Metricflow,
        To::Osi => export::Format::Osi,
    };
    let exported = export::export(&project, format);
    write(&args.out, &exported.files)?;
    common::eprint(&exported.summary);
    let mut listing = String::new();
    for (name, _) in &exported.files {
        listing.push_str(&format!("wrote {}\n", args.out.join(name).display()));
    }
    common::print(&listing);
    Ok(Exit::Clean)
}

/// Writes the files under `out`, creating the directories they are in. A new `out` is filled
/// as a temporary directory beside it and renamed into place; an existing one gets each file
/// replaced atomically, after every path is checked to resolve inside it.
fn write(out: &Path, files: &[(String, String)]) -> Result<(), Failure> {
    let io = |what: &Path, e: std::io::Error| Failure::new(format!("{}: {e}", what.display()));
    let paths = common::inside_all(out, files.iter().map(|(n, _)| n.as_str()))?;
    if out.exists() {
        if !out.is_dir() {
            return Err(
                Failure::new(format!("{} exists and is not a directory", out.display()))
                    .help("name a new or existing directory with --out"),
            );
        }
        for p in &paths {
            common::resolves_inside(out, p)?;
            if p.is_dir() {
                return Err(Failure::new(format!("{} is a directory", p.display()))
                    .help("remove it, or export into another directory"));
            }
        }
        for (p, (_, text)) in paths.iter().zip(files) {
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
                // Created just now or already there: either way it must still lead inside.
                common::resolves_inside(out, dir)?;
            }
            common::write_atomic(p, text.as_bytes())?;
        }
        return Ok(());
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| io(&parent, e))?;
    let tmp = tempdir_in(&parent).map_err(|e| io(&parent, e))?;
    let result = (|| {
        for (name, text) in files {
            let path = common::inside(&tmp, name)?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
            }
            std::fs::write(&path, text).map_err(|e| io(&path, e))?;
        }
        std::fs::rename(&tmp, out).map_err(|e| io(out, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// A fresh hidden directory inside `dir` (same file system, so the rename is atomic).
fn tempdir_in(dir: &Path) -> std::io::Result<PathBuf> {
    let pid = std::process::id();
    for i in 0..1000 {
        let path = dir.join(format!(".lodestar-export-{pid}-{i}"));
        match std::fs::create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(
        "could not create a temporary directory",
    ))
}
