//! Helpers for rule tests: run the whole pipeline on in-memory specs and compare the positions
//! a rule reports.

use chrono::NaiveDate;

use crate::diagnostics::{Diagnostic, Severity};
use crate::project::{analyze, in_memory};

/// The date rule tests run on.
pub const TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 22) {
    Some(d) => d,
    None => panic!("valid date"),
};

/// A spec that passes every rule, in YAML.
pub const VALID_YAML: &str = include_str!("../../tests/fixtures/valid/marketplace.yaml");
/// The same product in the DSL.
pub const VALID_LODE: &str = include_str!("../../tests/fixtures/valid/marketplace.lode");

/// The resolved model of [`VALID_YAML`] (checked to have no errors), for tests of the stages
/// after lint.
pub fn valid_project() -> crate::model::Project {
    let a = analyze(&in_memory(&[("marketplace.yaml", VALID_YAML)]), TODAY);
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    a.project
}

/// Edits of a fixture that fail loudly: a test that edits a spec to make a rule fire must not
/// pass on the unedited spec because its edit stopped matching.
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

fn path_for(spec: &str) -> &'static str {
    if spec.trim_start().starts_with("lodestar:") || spec.trim_start().starts_with('{') {
        "spec.yaml"
    } else {
        "spec.lode"
    }
}

/// One finding, with its positions resolved.
#[derive(Clone, Debug)]
pub struct Found {
    pub code: String,
    pub severity: Severity,
    /// `path:line:col` of every label, the primary one first.
    pub labels: Vec<(String, usize, usize)>,
    pub diagnostic: Diagnostic,
}

impl Found {
    /// The primary position as `(line, column)`.
    pub fn at(&self) -> (usize, usize) {
        self.labels
            .first()
            .map(|(_, l, c)| (*l, *c))
            .unwrap_or((0, 0))
    }
}

/// Every finding of the whole pipeline on several `(path, text)` files (a `lodestar.toml` among
/// them configures the rules).
pub fn findings_in(sources: &[(&str, &str)]) -> Vec<Found> {
    let ws = in_memory(sources);
    let analysis = analyze(&ws, TODAY);
    analysis
        .diagnostics
        .into_iter()
        .map(|d| {
            let labels = d
                .labels
                .iter()
                .map(|l| {
                    let file = ws.files.get(l.span.file);
                    let (line, col) = file.line_col(l.span.start as usize);
                    (file.path.clone(), line, col)
                })
                .collect();
            Found {
                code: d.code.to_string(),
                severity: d.severity,
                labels,
                diagnostic: d,
            }
        })
        .collect()
}

/// Every finding of the whole pipeline on one spec, as `(code, line, column)`.
pub fn findings(spec: &str) -> Vec<(String, usize, usize)> {
    findings_in(&[(path_for(spec), spec)])
        .into_iter()
        .map(|f| {
            let (line, col) = f.at();
            (f.code, line, col)
        })
        .collect()
}

/// The findings of one rule on one spec.
pub fn found(code: &str, spec: &str) -> Vec<Found> {
    findings_in(&[(path_for(spec), spec)])
        .into_iter()
        .filter(|f| f.code == code)
        .collect()
}

/// Asserts that `code` reports exactly at these 1-based `(line, column)` positions.
#[track_caller]
pub fn assert_finds(code: &str, spec: &str, expected: &[(usize, usize)]) {
    let all = findings(spec);
    let got: Vec<(usize, usize)> = all
        .iter()
        .filter(|(c, _, _)| c == code)
        .map(|(_, l, c)| (*l, *c))
        .collect();
    assert_eq!(
        got, expected,
        "positions of {code}; all findings: {all:?}\n--- spec ---\n{spec}"
    );
}

/// Asserts that `code` reports nothing.
#[track_caller]
pub fn assert_clean(code: &str, spec: &str) {
    let all = findings(spec);
    assert!(
        all.iter().all(|(c, _, _)| c != code),
        "expected no {code}; all findings: {all:?}\n--- spec ---\n{spec}"
    );
}

/// The 1-based line of the first line of `spec` that contains `needle`, and the column where
/// `needle` starts (in characters). Panics when it is not there: a broken test.
#[track_caller]
pub fn pos(spec: &str, needle: &str) -> (usize, usize) {
    for (i, line) in spec.lines().enumerate() {
        if let Some(c) = line.find(needle) {
            return (i + 1, line[..c].chars().count() + 1);
        }
    }
    panic!("`{needle}` is not in the spec:\n{spec}");
}

/// Like [`pos`], but on the first line that contains `line_with`: the position of `needle` in
/// that line.
#[track_caller]
pub fn pos_in(spec: &str, line_with: &str, needle: &str) -> (usize, usize) {
    for (i, line) in spec.lines().enumerate() {
        if line.contains(line_with) {
            let c = line
                .find(needle)
                .unwrap_or_else(|| panic!("`{needle}` is not on line `{line}`"));
            return (i + 1, line[..c].chars().count() + 1);
        }
    }
    panic!("no line with `{line_with}` in the spec:\n{spec}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "the edit matched nothing")]
    fn an_edit_that_matches_nothing_fails() {
        let _ = VALID_YAML.edit("no such text in the fixture", "x");
    }

    #[test]
    #[should_panic(expected = "expected 2 match(es)")]
    fn an_edit_with_too_few_matches_fails() {
        let _ = "a".edit_n("a", "b", 2);
    }

    #[test]
    fn an_edit_that_matches_edits() {
        assert_eq!("a a".edit("a", "b"), "b b");
        assert_eq!("a a".edit_n("a", "b", 1), "b a");
    }
}
