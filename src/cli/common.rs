//! What every subcommand shares: exit codes, failures, loading and checking a project.

use std::io::Write;
use std::path::{Path, PathBuf};
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

/// Loads the project the paths belong to and checks what the named files' products need: for
/// commands that go on to compile or run those products (see [`project::analyze_focused`]).
pub fn check_focused(paths: &[PathBuf]) -> Result<(Workspace, Analysis), Failure> {
    let ws = project::load(paths)?;
    let analysis = project::analyze_focused(&ws, today()?);
    Ok((ws, analysis))
}

/// A project with errors cannot be compiled or exported: prints the errors and "nothing was
/// <done>" on stderr and says so (the command then exits 1).
pub fn refuse_errors(ws: &Workspace, analysis: &Analysis, done: &str) -> bool {
    if !analysis.has_errors() {
        return false;
    }
    let errors: Vec<_> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    eprint(&crate::diagnostics::render::render(
        crate::diagnostics::render::Format::Human,
        &ws.files,
        &errors,
    ));
    eprint(&format!(
        "error: the project has {} error(s); nothing was {done}\n",
        errors.len()
    ));
    true
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

/// The metrics a command works on: `--select` (all when it is empty), less those that `--by`
/// cannot break down. A metric the user selected by name that lacks a `--by` dimension is an
/// error; one that was selected only because it is in the project is left out with a note on
/// stderr, so that `--by market` on a project where one source has no market still runs the
/// rest. `None` when nothing is left out (every metric is written).
pub fn selection(
    project: &crate::model::Project,
    selectors: &[String],
    by: &[String],
) -> Result<Option<crate::model::Selection>, Failure> {
    use crate::model::select;
    if selectors.is_empty() && by.is_empty() {
        return Ok(None);
    }
    let chosen = if selectors.is_empty() {
        crate::model::Selection::all(project)
    } else {
        select::select(project, selectors).map_err(|e| Failure::new(e.message).help(e.help))?
    };
    let left_out = select::unbreakable(project, &chosen, by);
    let lacks = |u: &select::Unbreakable| {
        format!(
            "`{}.{}` (source `{}` has no dimension `{}`)",
            u.product, u.metric, u.source, u.dimension
        )
    };
    if !selectors.is_empty() {
        if let Some(u) = left_out.first() {
            return Err(Failure::new(format!(
                "--by {}: the selected metric {} cannot be broken down by it",
                u.dimension,
                lacks(u)
            ))
            .help(format!(
                "declare the dimension on source `{}`, or leave `{}` out of --select",
                u.source, u.metric
            )));
        }
        return Ok(Some(chosen));
    }
    if left_out.is_empty() {
        return Ok(None);
    }
    let rest = select::without(chosen, &left_out);
    if rest.is_empty() {
        return Err(Failure::new(format!(
            "no metric can be broken down by {}: {}",
            by.join(", "),
            left_out.iter().map(lacks).collect::<Vec<_>>().join(", ")
        ))
        .help("declare the dimension on the sources, or break down by another one"));
    }
    eprint(&format!(
        "note: --by {} leaves out {} metric(s) whose sources lack it: {}
",
        by.join(", "),
        left_out.len(),
        left_out.iter().map(lacks).collect::<Vec<_>>().join(", ")
    ));
    Ok(Some(rest))
}

/// Writes to stdout. A failed write (a full disk, `> /dev/full`) ends the process with exit
/// code 2 after saying so on stderr: output cut short must never pass for a clean run. Every
/// command prints through here and then returns its own exit code, so this is where a failed
/// write overrides it.
///
/// A closed pipe (`lodestar lint | head -1`) is not a failure: the reader has all it wanted,
/// and the command goes on quietly with its own exit code, as `cat` and `grep` end quietly on
/// SIGPIPE (Rust ignores the signal, so the write returns `EPIPE` instead).
pub fn print(text: &str) {
    print_with(|out| out.write_all(text.as_bytes()));
}

/// Writes to stdout through a buffer, as `write` produces it (nothing is held whole in
/// memory); a write error other than a closed pipe (`> /dev/full`) exits 2.
pub fn print_with(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) {
    let written = {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        write(&mut out).and_then(|()| out.flush())
    };
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            print_failure(&Failure::new(format!(
                "cannot write to standard output: {e}"
            )));
            std::process::exit(2);
        }
        _ => {}
    }
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

/// The longest file name lodestar writes (most file systems allow 255 bytes).
const MAX_FILE_NAME: usize = 255;

/// `dir` joined with `relative`, a `/`-separated path of plain names: letters, digits, `_`,
/// `-` and `.`, not starting with `.` (so never `..` nor a hidden file), at most 255 bytes
/// each. An absolute path, `..`, an empty component, a `\` or anything else is refused, so
/// what a writer puts under `--out` stays there whatever a spec names. (LS907 rejects such
/// names first; this is the writers' own guard.)
pub fn inside(dir: &Path, relative: &str) -> Result<PathBuf, Failure> {
    let refuse = |why: &str| {
        Failure::new(format!(
            "refusing to write `{}` under {}: {why}",
            relative.escape_debug(),
            dir.display()
        ))
        .help("this is a bug in lodestar (LS907 should have rejected the name); please report it with the spec")
    };
    if relative.is_empty() {
        return Err(refuse("the path is empty"));
    }
    let mut path = dir.to_path_buf();
    for part in relative.split('/') {
        if part.is_empty() {
            return Err(refuse("a component of the path is empty"));
        }
        if part.starts_with('.') {
            return Err(refuse("a component starts with `.`"));
        }
        if !part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return Err(refuse(
                "a component holds something other than letters, digits, `_`, `-` and `.`",
            ));
        }
        if part.len() > MAX_FILE_NAME {
            return Err(refuse("a component is longer than a file name may be"));
        }
        path.push(part);
    }
    // Under `dir` by construction; checked again so that no later change can undo it.
    if !path.starts_with(dir) || path.components().count() <= dir.components().count() {
        return Err(refuse("the path leaves the directory"));
    }
    Ok(path)
}

/// Every path of a writer, checked with [`inside`] before the first file is written; two
/// paths that are one file on a case-insensitive file system (macOS, Windows) are refused too.
pub fn inside_all<'a>(
    dir: &Path,
    relatives: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<PathBuf>, Failure> {
    let mut seen = std::collections::HashMap::new();
    let mut out = Vec::new();
    for relative in relatives {
        out.push(inside(dir, relative)?);
        if let Some(first) = seen.insert(relative.to_ascii_lowercase(), relative) {
            return Err(Failure::new(format!(
                "refusing to write `{relative}` under {}: `{first}` is written there too",
                dir.display()
            ))
            .help("two products or metrics have names that are one file; rename one of them"));
        }
    }
    Ok(out)
}

/// Checks that what already exists of `path` resolves inside `root` (both exist or lead to
/// existing directories): a symbolic link under `--out` to somewhere else would take the
/// writes, or a removal, with it.
pub fn resolves_inside(root: &Path, path: &Path) -> Result<(), Failure> {
    let fail = |p: &Path, e: std::io::Error| Failure::new(format!("{}: {e}", p.display()));
    let root = root.canonicalize().map_err(|e| fail(root, e))?;
    let mut existing = path;
    while existing.symlink_metadata().is_err() {
        match existing.parent() {
            Some(up) => existing = up,
            None => return Ok(()),
        }
    }
    let real = existing.canonicalize().map_err(|e| fail(existing, e))?;
    if !real.starts_with(&root) {
        return Err(Failure::new(format!(
            "refusing to write {}: it leads to {}, outside {}",
            path.display(),
            real.display(),
            root.display()
        ))
        .help("a symbolic link under the output directory leads out of it; remove it"));
    }
    Ok(())
}

/// Writes the files under `out`, creating the directories they are in. A new `out` is filled
/// as a temporary directory beside it and renamed into place; an existing one gets each file
/// replaced atomically, after every path is checked to resolve inside it. Nothing is written
/// outside `out` (`import`, `export`; `command` names it in messages).
pub fn write_tree(
    out: &Path,
    files: &[(String, impl AsRef<str>)],
    command: &str,
) -> Result<(), Failure> {
    let io = |what: &Path, e: std::io::Error| Failure::new(format!("{}: {e}", what.display()));
    let paths = inside_all(out, files.iter().map(|(n, _)| n.as_str()))?;
    if out.exists() {
        if !out.is_dir() {
            return Err(
                Failure::new(format!("{} exists and is not a directory", out.display()))
                    .help("name a new or existing directory with --out"),
            );
        }
        for p in &paths {
            resolves_inside(out, p)?;
            if p.is_dir() {
                return Err(Failure::new(format!("{} is a directory", p.display()))
                    .help(format!("remove it, or {command} into another directory")));
            }
        }
        for (p, (_, text)) in paths.iter().zip(files) {
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
                // Created just now or already there: either way it must still lead inside.
                resolves_inside(out, dir)?;
            }
            write_atomic(p, text.as_ref().as_bytes())?;
        }
        return Ok(());
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| io(&parent, e))?;
    let tmp = tempdir_in(&parent, command).map_err(|e| io(&parent, e))?;
    let result = (|| {
        for (name, text) in files {
            let path = inside(&tmp, name)?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
            }
            std::fs::write(&path, text.as_ref()).map_err(|e| io(&path, e))?;
        }
        std::fs::rename(&tmp, out).map_err(|e| io(out, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// A fresh hidden directory `.lodestar-<command>-<pid>-<n>` inside `dir` (the same file system
/// as the directory it will be renamed to, so the rename is atomic).
pub fn tempdir_in(dir: &Path, command: &str) -> std::io::Result<PathBuf> {
    let pid = std::process::id();
    for i in 0..1000 {
        let path = dir.join(format!(".lodestar-{command}-{pid}-{i}"));
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{inside, inside_all};

    #[test]
    fn inside_joins_plain_names() {
        let dir = Path::new("out");
        assert_eq!(
            inside(dir, "marketplace/nights_booked.sql").unwrap(),
            Path::new("out/marketplace/nights_booked.sql")
        );
        assert!(inside(dir, "duckdb/a-b/index.html").is_ok());
    }

    #[test]
    fn inside_refuses_every_way_out() {
        let dir = Path::new("/tmp/out");
        for bad in [
            "",
            "..",
            "../x.sql",
            "a/../../x.sql",
            "./a",
            "/etc/passwd",
            "a//b",
            "a/",
            "a\\..\\b",
            "C:x",
            ".hidden",
            "a\0b",
            "a b",
            &"x".repeat(256),
        ] {
            let e = inside(dir, bad).expect_err(bad);
            assert!(e.message.starts_with("refusing to write"), "{}", e.message);
        }
    }

    #[test]
    fn inside_all_refuses_paths_that_are_one_file_ignoring_case() {
        let dir = Path::new("out");
        assert_eq!(inside_all(dir, ["a/x.sql", "b/x.sql"]).unwrap().len(), 2);
        let e = inside_all(dir, ["p/a.sql", "p/b.sql", "P/a.sql"]).unwrap_err();
        assert!(
            e.message.contains("`p/a.sql` is written there too"),
            "{}",
            e.message
        );
    }
}
