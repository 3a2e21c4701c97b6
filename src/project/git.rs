//! Reading a project as it was at a git revision, through the `git` command line. Files are
//! named by their path from the repository's top level, on both sides of a diff, so that
//! positions are comparable and GitHub annotations land on the right file.

use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

use super::{self as project, Workspace};
use crate::syntax::{self, Syntax};

/// Why a revision could not be read (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("could not run git: {0}")]
    NoGit(std::io::Error),
    #[error("{0} is not inside a git repository")]
    NotARepo(String),
    #[error("unknown revision `{0}`")]
    UnknownRevision(String),
    #[error("git {args} failed: {stderr}")]
    Failed { args: String, stderr: String },
    #[error("{path}: {error}")]
    Io { path: String, error: std::io::Error },
}

/// A git working tree and the project directory inside it.
#[derive(Debug)]
pub struct Repo {
    /// The repository's top level.
    pub toplevel: PathBuf,
    /// The project directory (with `lodestar.toml`, or the directory given) from the top level,
    /// `/`-separated, empty for the top level itself.
    pub prefix: String,
}

fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output, GitError> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(GitError::NoGit)
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .trim_end_matches(['\n', '\r'])
        .to_owned()
}

impl Repo {
    /// Opens the repository holding `dir`; the project is the one `dir` belongs to.
    pub fn open(dir: &Path) -> Result<Repo, GitError> {
        let shown = dir.display().to_string();
        let dir = std::fs::canonicalize(dir).map_err(|error| GitError::Io {
            path: shown.clone(),
            error,
        })?;
        let out = git(&dir, &["rev-parse", "--show-toplevel"])?;
        if !out.status.success() {
            return Err(GitError::NotARepo(shown));
        }
        let toplevel = std::fs::canonicalize(stdout(&out))
            .map_err(|error| GitError::Io { path: shown, error })?;
        let root = project::find_root(&dir)
            .filter(|r| r.starts_with(&toplevel))
            .unwrap_or(dir);
        let prefix = root
            .strip_prefix(&toplevel)
            .unwrap_or(Path::new(""))
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("/");
        Ok(Repo { toplevel, prefix })
    }

    /// The commit a revision names.
    pub fn commit(&self, rev: &str) -> Result<String, GitError> {
        if rev.starts_with('-') {
            return Err(GitError::UnknownRevision(rev.to_owned()));
        }
        let out = git(
            &self.toplevel,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        )?;
        if !out.status.success() {
            return Err(GitError::UnknownRevision(rev.to_owned()));
        }
        Ok(stdout(&out))
    }

    /// The project's spec files at a commit, read with one `git cat-file --batch`.
    pub fn read_commit(&self, commit: &str) -> Result<Workspace, GitError> {
        let mut args = vec!["ls-tree", "-r", "-z", "--full-name", "--name-only", commit];
        if !self.prefix.is_empty() {
            args.extend(["--", self.prefix.as_str()]);
        }
        let out = git(&self.toplevel, &args)?;
        if !out.status.success() {
            return Err(GitError::Failed {
                args: args.join(" "),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        let paths: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .split('\0')
            .filter(|p| !p.is_empty() && wanted(p, &self.prefix))
            .map(str::to_owned)
            .collect();
        let texts = self.cat_files(commit, &paths)?;
        Ok(workspace(paths.into_iter().zip(texts)))
    }

    fn cat_files(&self, commit: &str, paths: &[String]) -> Result<Vec<String>, GitError> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let mut child = Command::new("git")
            .arg("-C")
            .arg(&self.toplevel)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(GitError::NoGit)?;
        let mut input = String::new();
        for p in paths {
            input.push_str(&format!("{commit}:{p}\n"));
        }
        let mut stdin = child.stdin.take().expect("piped stdin");
        // Written from a thread so that a large output cannot block git while we write.
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let mut buf = Vec::new();
        child
            .stdout
            .take()
            .expect("piped stdout")
            .read_to_end(&mut buf)
            .map_err(|error| GitError::Io {
                path: "git cat-file".into(),
                error,
            })?;
        let _ = writer.join();
        let status = child.wait().map_err(GitError::NoGit)?;
        if !status.success() {
            return Err(GitError::Failed {
                args: "cat-file --batch".into(),
                stderr: format!("exit status {status}"),
            });
        }
        // Each answer: `<oid> <type> <size>\n<bytes>\n`, or `<name> missing\n`.
        let mut texts = Vec::with_capacity(paths.len());
        let mut at = 0;
        while at < buf.len() && texts.len() < paths.len() {
            let nl = buf[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map(|i| at + i)
                .unwrap_or(buf.len());
            let header = String::from_utf8_lossy(&buf[at..nl]).into_owned();
            at = nl + 1;
            let size = header
                .split(' ')
                .nth(2)
                .and_then(|s| s.parse::<usize>().ok());
            match size {
                Some(size) if header.split(' ').nth(1) == Some("blob") => {
                    let end = (at + size).min(buf.len());
                    texts.push(String::from_utf8_lossy(&buf[at..end]).into_owned());
                    at = end + 1;
                }
                _ => texts.push(String::new()),
            }
        }
        texts.resize(paths.len(), String::new());
        Ok(texts)
    }

    /// The project's spec files in the working tree.
    pub fn read_worktree(&self) -> Result<Workspace, GitError> {
        let root = if self.prefix.is_empty() {
            self.toplevel.clone()
        } else {
            self.toplevel.join(&self.prefix)
        };
        let found = project::discover(&root).map_err(|e| GitError::Io {
            path: root.display().to_string(),
            error: std::io::Error::other(e.to_string()),
        })?;
        let mut files = Vec::new();
        for (path, _) in found {
            let bytes = std::fs::read(&path).map_err(|error| GitError::Io {
                path: path.display().to_string(),
                error,
            })?;
            let rel = path
                .strip_prefix(&self.toplevel)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            files.push((rel, String::from_utf8_lossy(&bytes).into_owned()));
        }
        Ok(workspace(files.into_iter()))
    }
}

/// Whether a path from `git ls-tree` is a spec file the project would read (same rules as
/// [`project::discover`]: no hidden directories or build output).
fn wanted(path: &str, prefix: &str) -> bool {
    let rest = path
        .strip_prefix(prefix)
        .unwrap_or(path)
        .trim_start_matches('/');
    let mut parts: Vec<&str> = rest.split('/').collect();
    parts.pop();
    if parts
        .iter()
        .any(|d| d.starts_with('.') || *d == "target" || *d == "node_modules")
    {
        return false;
    }
    syntax::syntax_of(path).is_some()
}

fn workspace(files: impl Iterator<Item = (String, String)>) -> Workspace {
    let mut ws = Workspace::default();
    for (path, text) in files {
        let Some(syntax) = syntax::syntax_of(&path) else {
            continue;
        };
        if syntax == Syntax::Yaml && !syntax::looks_like_yaml_spec(&text) {
            continue;
        }
        let id = ws.files.add(path.clone(), text);
        ws.specs.push(project::SpecFile {
            id,
            syntax,
            path: PathBuf::from(path),
        });
    }
    ws
}
