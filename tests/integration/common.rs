//! What the integration tests share: the crate's root, the `lodestar` binary run with a pinned
//! "today", scratch directories, fixtures, and fixture edits that fail when they match nothing.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;

/// The date every run of the binary and every in-process analysis is pinned to, so that review
/// schedules (LS106) check the specs, not the calendar.
pub const TODAY: &str = "2026-11-01";

pub fn today() -> NaiveDate {
    NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").expect("TODAY is a date")
}

/// The crate's root (tests run there, so relative paths work too).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/<name>`.
pub fn fixture_path(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// The text of `tests/fixtures/<name>`.
pub fn read_fixture(name: &str) -> String {
    let path = fixture_path(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `lodestar` binary with today pinned and colour off.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lodestar"));
    c.env("LODESTAR_TODAY", TODAY).env("NO_COLOR", "1");
    c
}

/// A finished run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `lodestar ARGS` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = bin()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A temporary directory holding these files (parents created).
pub fn scratch(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("directories");
        std::fs::write(path, text).expect("a file");
    }
    dir
}

/// Edits of a fixture that fail loudly (the library's rule tests have the same): a test that
/// edits a spec to make something happen must not pass on the unedited spec because its edit
/// stopped matching.
pub trait Edit {
    /// Replaces every `old` with `new`; panics when `old` is not there.
    fn edit(&self, old: &str, new: &str) -> String;
    /// Replaces the first `n` matches of `old`; panics when there are fewer.
    fn edit_n(&self, old: &str, new: &str, n: usize) -> String;
}

impl Edit for str {
    #[track_caller]
    fn edit(&self, old: &str, new: &str) -> String {
        assert!(
            !old.is_empty() && self.contains(old),
            "the edit matched nothing: `{old}` is not in\n{self}"
        );
        self.replace(old, new)
    }

    #[track_caller]
    fn edit_n(&self, old: &str, new: &str, n: usize) -> String {
        let found = if old.is_empty() {
            0
        } else {
            self.matches(old).count()
        };
        assert!(
            found >= n,
            "the edit expected {n} match(es) of `{old}`, found {found} in\n{self}"
        );
        self.replacen(old, new, n)
    }
}
