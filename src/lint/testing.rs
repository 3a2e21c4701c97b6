//! Helpers for rule tests: run the whole pipeline on one in-memory spec and compare the
//! positions a rule reports.

use chrono::NaiveDate;

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

fn path_for(spec: &str) -> &'static str {
    if spec.trim_start().starts_with("lodestar:") || spec.trim_start().starts_with('{') {
        "spec.yaml"
    } else {
        "spec.lode"
    }
}

/// Every finding of the whole pipeline on one spec, as `(code, line, column)`.
pub fn findings(spec: &str) -> Vec<(String, usize, usize)> {
    let ws = in_memory(&[(path_for(spec), spec)]);
    let analysis = analyze(&ws, TODAY);
    analysis
        .diagnostics
        .iter()
        .map(|d| {
            let (line, col) = d
                .primary_span()
                .map(|s| ws.files.get(s.file).line_col(s.start as usize))
                .unwrap_or((0, 0));
            (d.code.to_owned(), line, col)
        })
        .collect()
}

/// Asserts that `code` reports exactly at these 1-based `(line, column)` positions.
#[track_caller]
pub fn assert_finds(code: &str, spec: &str, expected: &[(usize, usize)]) {
    let all = findings(spec);
    let got: Vec<(usize, usize)> =
        all.iter().filter(|(c, _, _)| c == code).map(|(_, l, c)| (*l, *c)).collect();
    assert_eq!(got, expected, "positions of {code}; all findings: {all:?}\n--- spec ---\n{spec}");
}

/// Asserts that `code` reports nothing, and that the spec has no errors at all.
#[track_caller]
pub fn assert_clean(code: &str, spec: &str) {
    let all = findings(spec);
    assert!(
        all.iter().all(|(c, _, _)| c != code),
        "expected no {code}; all findings: {all:?}\n--- spec ---\n{spec}"
    );
}
