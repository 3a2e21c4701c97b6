//! What every subcommand shares: exit codes, failures, loading and checking a project.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;

use crate::project::{self, Analysis, Workspace};

/// The outcome of a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: nothing at error level.
    Clean,
    /// 1: findings at error level, a breached guardrail, files that need formatting.
    Findings,
    /// 2: the tool could not do its job.
    Failure,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(match e {
            Exit::Clean => 0,
            Exit::Findings => 1,
            Exit::Failure => 2,
        })
    }
}

/// Why a command could not do its job (exit 2). Printed as `error: <message>` and help.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub help: Option<String>,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Failure {
        self.help = Some(help.into());
        self
    }
}

impl From<project::LoadError> for Failure {
    fn from(e: project::LoadError) -> Failure {
        let help = match &e {
            project::LoadError::NoSpecs(_) => Some(
                "run `lodestar init` to create a project, or name spec files on the command line",
            ),
            project::LoadError::NotASpec(_) => Some("spec files end in .yaml, .yml or .lode"),
            _ => None,
        };
        Failure {
            message: e.to_string(),
            help: help.map(str::to_owned),
        }
    }
}

pub fn print_failure(f: &Failure) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "error: {}", f.message);
    if let Some(h) = &f.help {
        let _ = writeln!(err, "  help: {h}");
    }
}

/// Today's date: `LODESTAR_TODAY` (YYYY-MM-DD) when set, for reproducible runs; else the
/// local date.
pub fn today() -> Result<NaiveDate, Failure> {
    match std::env::var("LODESTAR_TODAY") {
        Ok(s) => NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map_err(|_| Failure::new(format!("LODESTAR_TODAY=`{s}` is not a date (YYYY-MM-DD)"))),
        Err(_) => Ok(chrono::Local::now().date_naive()),
    }
}

/// Loads and checks the project the paths belong to.
pub fn check(paths: &[PathBuf]) -> Result<(Workspace, Analysis), Failure> {
    let ws = project::load(paths)?;
    let analysis = project::analyze(&ws, today()?);
    Ok((ws, analysis))
}

/// The project's products from the spec files named on the command line (all of them when a
/// whole project was named): `compile` and `run` on one file of a larger project compile that
/// file's products only, against the whole project's owners and sources.
/// Named files that hold no product (only owners, say) are an error: there is nothing to do.
pub fn focused<'a>(
    ws: &Workspace,
    project: &'a crate::model::Project,
) -> Result<std::borrow::Cow<'a, crate::model::Project>, Failure> {
    match &ws.focus {
        None => Ok(std::borrow::Cow::Borrowed(project)),
        Some(focus) => {
            let mut only = project.clone();
            only.products.retain(|p| focus.contains(&p.file));
            if only.products.is_empty() {
                return Err(
                    Failure::new("the files named hold no product (no `product:`)").help(
                        "name a product's spec file, or the project directory for all of them",
                    ),
                );
            }
            Ok(std::borrow::Cow::Owned(only))
        }
    }
}

/// Writes to stdout, treating a closed pipe as success.
pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Writes to stderr.
pub fn eprint(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// Writes a file atomically: into a temporary file beside it, then renamed over it, so a
/// reader never sees half a file and a failed write leaves the old one in place.
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failure::new(format!("cannot write {}: {e}", path.display()));
    let name = path
        .file_name()
        .ok_or_else(|| Failure::new(format!("{} is not a file name", path.display())))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}
