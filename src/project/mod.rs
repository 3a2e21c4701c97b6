//! Projects: finding `lodestar.toml` by walking up, collecting the spec files under it, and
//! reading them ([`load`], the IO boundary of the library; [`git`] reads a project as it was at
//! a git revision); then parsing, resolving and linting them ([`analyze`], no IO), or resolving
//! two revisions together for a diff ([`resolve_both`], no IO).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

mod focus;
pub mod git;
mod revisions;

pub use focus::{analyze_focused, declared, Declared};

pub use revisions::{resolve_both, Resolved};

use crate::diagnostics::{Diagnostic, FileId, Files, Span};
use crate::lint::LintConfig;
use crate::model::Project;
use crate::syntax::{self, ast, Syntax};

pub const CONFIG_FILE: &str = "lodestar.toml";

/// Why a project could not be loaded at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}: no such file or directory")]
    NotFound(String),
    #[error("no spec files (*.yaml, *.yml with `lodestar: 1`, or *.lode) under {0}")]
    NoSpecs(String),
    #[error("{0}: not a spec file (expected a .yaml, .yml or .lode extension)")]
    NotASpec(String),
    #[error("{path}: {error}")]
    Io { path: String, error: std::io::Error },
}

/// Everything read from disk for one run.
#[derive(Debug, Default)]
pub struct Workspace {
    /// The directory holding `lodestar.toml`, or the directory or file's parent given.
    pub root: PathBuf,
    pub files: Files,
    /// The spec files, in path order, with their syntax and path on disk.
    pub specs: Vec<SpecFile>,
    /// When only some files were named on the command line: report findings in these only.
    pub focus: Option<Vec<FileId>>,
    pub config: LintConfig,
    pub config_errors: Vec<Diagnostic>,
    /// Problems reading files (not UTF-8), reported as LS904.
    pub read_errors: Vec<Diagnostic>,
}

#[derive(Clone, Debug)]
pub struct SpecFile {
    pub id: FileId,
    pub syntax: Syntax,
    pub path: PathBuf,
}

/// The result of checking a project.
#[derive(Debug)]
pub struct Analysis {
    pub trees: Vec<ast::File>,
    pub project: Project,
    /// Every finding, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Finds `lodestar.toml` in `dir` or above.
pub fn find_root(dir: &Path) -> Option<PathBuf> {
    let mut cur = Some(dir);
    while let Some(d) = cur {
        if d.join(CONFIG_FILE).is_file() {
            return Some(d.to_path_buf());
        }
        cur = d.parent();
    }
    None
}

fn display(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let shown = cwd
        .as_deref()
        .and_then(|c| path.strip_prefix(c).ok())
        .unwrap_or(path);
    let s = shown.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        ".".to_owned()
    } else {
        s
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Collects spec files under `dir`, sorted, skipping hidden directories and build output.
pub fn discover(dir: &Path) -> Result<Vec<(PathBuf, Syntax)>, LoadError> {
    discover_into(dir, &mut HashMap::new())
}

/// [`discover`], keeping the bytes of every YAML file it had to read (to see whether it is a
/// spec) in `read`, so that loading does not read them again.
fn discover_into(
    dir: &Path,
    read: &mut HashMap<PathBuf, Vec<u8>>,
) -> Result<Vec<(PathBuf, Syntax)>, LoadError> {
    let mut out = Vec::new();
    let mut yaml = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|error| LoadError::Io {
            path: display(&d),
            error,
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                if !name.starts_with('.') && !matches!(name.as_str(), "target" | "node_modules") {
                    stack.push(path);
                }
            } else if ft.is_file() {
                match syntax::syntax_of(&name) {
                    Some(Syntax::Lode) => out.push((path, Syntax::Lode)),
                    Some(Syntax::Yaml) => yaml.push(path),
                    _ => {}
                }
            }
        }
    }
    // Only YAML files that declare themselves specs; dbt's YAML stays alone. Reading is most
    // of the time of a large project's discovery: on every core.
    use rayon::prelude::*;
    let unread: Vec<&PathBuf> = yaml.iter().filter(|p| !read.contains_key(*p)).collect();
    let fresh: Vec<(PathBuf, Vec<u8>)> = unread
        .par_iter()
        .filter_map(|p| std::fs::read(p).ok().map(|b| ((*p).clone(), b)))
        .collect();
    read.extend(fresh);
    for path in yaml {
        let spec = read.get(&path).is_some_and(|b| {
            syntax::looks_like_yaml_spec(&String::from_utf8_lossy(&b[..b.len().min(1 << 16)]))
        });
        if spec {
            out.push((path, Syntax::Yaml));
        } else {
            // Not ours (dbt's YAML, say): not kept.
            read.remove(&path);
        }
    }
    out.sort();
    Ok(out)
}

/// Reads the project the given paths belong to. With no paths, the current directory.
pub fn load(paths: &[PathBuf]) -> Result<Workspace, LoadError> {
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    for p in &paths {
        if !p.exists() {
            return Err(LoadError::NotFound(display(p)));
        }
    }
    let first = absolute(&paths[0]);
    let start = if first.is_dir() {
        first.clone()
    } else {
        first.parent().unwrap_or(&first).to_path_buf()
    };
    let root_with_config = find_root(&start);
    let mut ws = Workspace {
        root: root_with_config.clone().unwrap_or(start.clone()),
        ..Workspace::default()
    };

    // The files named explicitly; directories expand to their specs.
    let mut read: HashMap<PathBuf, Vec<u8>> = HashMap::new();
    let mut named: Vec<(PathBuf, Syntax)> = Vec::new();
    let mut only_dirs = true;
    for p in &paths {
        let abs = absolute(p);
        if abs.is_dir() {
            named.extend(discover_into(&abs, &mut read)?);
        } else {
            only_dirs = false;
            let syntax = syntax::syntax_of(&abs.to_string_lossy())
                .ok_or_else(|| LoadError::NotASpec(display(p)))?;
            named.push((abs, syntax));
        }
    }
    named.sort();
    named.dedup();

    // With a lodestar.toml above, the whole project is read so that shared owners and sources
    // resolve; findings are reported for the named files only.
    let mut all = named.clone();
    if let Some(root) = &root_with_config {
        if let Ok(found) = discover_into(root, &mut read) {
            all.extend(found);
        }
        all.sort();
        all.dedup();
        let config_path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&config_path).map_err(|error| LoadError::Io {
            path: display(&config_path),
            error,
        })?;
        let id = ws.files.add(display(&config_path), text);
        let (config, errors) = LintConfig::from_toml(id, &ws.files.get(id).text);
        ws.config = config;
        ws.config_errors = errors;
    }
    if all.is_empty() {
        return Err(LoadError::NoSpecs(display(&paths[0])));
    }
    // What discovery did not read (the DSL files, the files named), read on every core.
    {
        use rayon::prelude::*;
        let unread: Vec<&PathBuf> = all
            .iter()
            .map(|(p, _)| p)
            .filter(|p| !read.contains_key(*p))
            .collect();
        let fresh: Vec<(PathBuf, Vec<u8>)> = unread
            .par_iter()
            .map(|p| {
                std::fs::read(p)
                    .map(|b| ((*p).clone(), b))
                    .map_err(|error| LoadError::Io {
                        path: display(p),
                        error,
                    })
            })
            .collect::<Result<_, _>>()?;
        read.extend(fresh);
    }
    let mut focus = Vec::new();
    for (path, syntax) in all {
        let bytes = match read.remove(&path) {
            Some(bytes) => bytes,
            None => std::fs::read(&path).map_err(|error| LoadError::Io {
                path: display(&path),
                error,
            })?,
        };
        let shown = display(&path);
        let id = match String::from_utf8(bytes) {
            Ok(text) => ws.files.add(shown.clone(), text),
            Err(e) => {
                // Reported as LS904 and not parsed.
                let at = e.utf8_error().valid_up_to();
                let id = ws.files.add(shown.clone(), String::new());
                ws.read_errors.push(
                    Diagnostic::error(syntax::UNREADABLE, format!("{shown} is not UTF-8 text (invalid byte at offset {at})"))
                        .label(Span::new(id, 0, 0), "not UTF-8")
                        .help("spec files are UTF-8 text; re-save the file as UTF-8, or remove it if it is not a spec"),
                );
                if named.iter().any(|(p, _)| *p == path) {
                    focus.push(id);
                }
                continue;
            }
        };
        if named.iter().any(|(p, _)| *p == path) {
            focus.push(id);
        }
        ws.specs.push(SpecFile { id, syntax, path });
    }
    if !(only_dirs
        && root_with_config
            .as_ref()
            .is_some_and(|r| paths.iter().any(|p| absolute(p) == *r)))
        && focus.len() != ws.specs.len()
    {
        ws.focus = Some(focus);
    }
    Ok(ws)
}

/// Parses, resolves and lints the files of a workspace. No IO.
pub fn analyze(ws: &Workspace, today: NaiveDate) -> Analysis {
    finish(ws, analyze_files(&ws.files, &ws.specs, &ws.config, today))
}

/// Adds the workspace's own findings to an analysis of its files, keeping only the named
/// files' findings when some were named.
fn finish(ws: &Workspace, mut analysis: Analysis) -> Analysis {
    // Files that could not be read are not in `ws.specs`; they are reported once, as LS904.
    analysis.diagnostics.extend(ws.read_errors.iter().cloned());
    if let Some(focus) = &ws.focus {
        analysis
            .diagnostics
            .retain(|d| d.primary_span().is_none_or(|s| focus.contains(&s.file)));
    }
    analysis
        .diagnostics
        .extend(ws.config_errors.iter().cloned());
    crate::diagnostics::sort(&mut analysis.diagnostics);
    analysis
}

/// Parses, resolves and lints the given files. No IO.
pub fn analyze_files(
    files: &Files,
    specs: &[SpecFile],
    config: &LintConfig,
    today: NaiveDate,
) -> Analysis {
    use rayon::prelude::*;
    // Files parse independently: in parallel, collected in file order.
    let parsed: Vec<_> = specs
        .par_iter()
        .map(|spec| syntax::parse(spec.id, spec.syntax, &files.get(spec.id).text))
        .collect();
    let mut diagnostics = Vec::new();
    let mut trees = Vec::new();
    for (tree, mut found) in parsed {
        diagnostics.append(&mut found);
        trees.extend(tree);
    }
    let (project, mut found) = crate::model::resolve(&trees);
    diagnostics.append(&mut found);
    diagnostics.extend(crate::lint::check(&project, config, today));
    crate::diagnostics::sort(&mut diagnostics);
    Analysis {
        trees,
        project,
        diagnostics,
    }
}

/// Builds an in-memory workspace from `(path, text)` pairs: for tests and tools.
pub fn in_memory(sources: &[(&str, &str)]) -> Workspace {
    let mut ws = Workspace::default();
    for (path, text) in sources {
        if *path == CONFIG_FILE {
            let id = ws.files.add(*path, *text);
            let (config, errors) = LintConfig::from_toml(id, text);
            ws.config = config;
            ws.config_errors = errors;
            continue;
        }
        let syntax = syntax::syntax_of(path).unwrap_or(Syntax::Yaml);
        let id = ws.files.add(*path, *text);
        ws.specs.push(SpecFile {
            id,
            syntax,
            path: PathBuf::from(path),
        });
    }
    ws
}
