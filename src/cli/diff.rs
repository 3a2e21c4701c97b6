//! `lodestar diff BASE [HEAD]`: the semantic diff of the project between two git revisions.

use std::path::PathBuf;

use clap::Args;

use super::common::{self, Exit, Failure};
use crate::diff::{self, render, ChangeLevel};
use crate::project::git::{GitError, Repo};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The revision to compare from (a branch, tag or commit: `main`, `origin/main`, `HEAD~1`).
    pub base: String,
    /// The revision to compare to (default: the working tree, uncommitted changes included).
    pub head: Option<String>,
    /// The project directory (default: the project of the current directory).
    #[arg(long, short = 'C', default_value = ".")]
    pub project: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: render::Format,
    /// Exit 1 when a change at or above this level exists (default: always exit 0).
    #[arg(long, value_enum)]
    pub fail_on: Option<ChangeLevel>,
}

impl From<GitError> for Failure {
    fn from(e: GitError) -> Failure {
        let help = match &e {
            GitError::NotARepo(_) => Some("`lodestar diff` compares git revisions; run it inside a git repository, or pass its project with `-C DIR`"),
            GitError::UnknownRevision(_) => Some("name a branch, tag or commit that exists (`git log --oneline` lists commits); in CI, fetch the base branch first (`fetch-depth: 0`)"),
            GitError::NoGit(_) => Some("install git and make sure it is on PATH"),
            _ => None,
        };
        Failure {
            message: e.to_string(),
            help: help.map(str::to_owned),
        }
    }
}

pub fn run(args: &DiffArgs) -> Result<Exit, Failure> {
    if !args.project.exists() {
        return Err(Failure::new(format!(
            "{}: no such file or directory",
            args.project.display()
        )));
    }
    let dir = if args.project.is_file() {
        args.project
            .parent()
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."))
    } else {
        args.project.clone()
    };
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    let repo = Repo::open(&dir)?;
    let base_commit = repo.commit(&args.base)?;
    let head_commit = args
        .head
        .as_deref()
        .map(|rev| repo.commit(rev))
        .transpose()?;
    let head_name = args
        .head
        .clone()
        .unwrap_or_else(|| "working tree".to_owned());
    // The two sides are read at the same time; then parsed and resolved together, each file
    // that is the same at both revisions only once.
    let read = |commit: Option<&str>| -> Result<_, GitError> {
        match commit {
            Some(c) => repo.read_commit(c),
            None => repo.read_worktree(),
        }
    };
    let (base_ws, head_ws) = std::thread::scope(|s| {
        let head = s.spawn(|| read(head_commit.as_deref()));
        let base = read(Some(&base_commit));
        (
            base,
            head.join().expect("the reading thread does not panic"),
        )
    });
    let (base_ws, head_ws) = (base_ws?, head_ws?);
    let (files, base, head) = crate::project::resolve_both(&base_ws, &head_ws);
    let sides = [
        (&args.base, &base.errors, &base_ws),
        (&head_name, &head.errors, &head_ws),
    ];
    for (name, errors, ws) in sides {
        if ws.specs.is_empty() {
            eprintln!(
                "note: no spec files in the project at {name}; every metric there counts as absent"
            );
        } else if !errors.is_empty() {
            let n = errors.len();
            eprintln!("warning: the project at {name} has {n} error(s) (see `lodestar lint`); the diff covers what could be read");
        }
    }
    let changes = diff::compare(&base.project, &head.project);
    let revs = render::Revisions {
        base_name: &args.base,
        head_name: &head_name,
        base: &files,
        head: &files,
    };
    common::print(&render::render(args.format, &revs, &changes));
    let fail = match (args.fail_on, diff::max_level(&changes)) {
        (Some(threshold), Some(max)) => max >= threshold,
        _ => false,
    };
    Ok(if fail { Exit::Findings } else { Exit::Clean })
}
