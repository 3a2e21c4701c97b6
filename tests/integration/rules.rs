//! Data-driven rule tests over whole projects: every directory under `tests/fixtures/rules/`
//! is a project (spec files, a `lodestar.toml`) with an `expected.txt` listing its findings,
//! one per line, as `path:line:col: CODE` or `path:line:col: CODE severity` (paths relative to
//! the case directory; `#` starts a comment).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

fn cases() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

/// The date the fixtures are checked on (LS106 depends on it).
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("date")
}

/// Every finding of the project in `dir`, as `path:line:col: CODE severity`.
fn findings(dir: &Path) -> Vec<String> {
    let ws = lodestar::project::load(&[dir.to_path_buf()])
        .unwrap_or_else(|e| panic!("cannot load {}: {e}", dir.display()));
    let analysis = lodestar::project::analyze(&ws, today());
    let case = dir
        .file_name()
        .expect("case name")
        .to_string_lossy()
        .into_owned();
    analysis
        .diagnostics
        .iter()
        .map(|d| {
            let (path, line, col) = match d.primary_span() {
                Some(span) => {
                    let file = ws.files.get(span.file);
                    let (line, col) = file.line_col(span.start as usize);
                    let marker = format!("/{case}/");
                    let path = file.path.replace('\\', "/");
                    let rel = path
                        .rsplit_once(&marker)
                        .map(|(_, r)| r.to_owned())
                        .unwrap_or(path);
                    (rel, line, col)
                }
                None => ("-".to_owned(), 0, 0),
            };
            format!("{path}:{line}:{col}: {} {}", d.code, d.severity)
        })
        .collect()
}

#[test]
fn rule_fixtures() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(cases())
        .expect("tests/fixtures/rules")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 5,
        "expected the rule fixture cases, found {}",
        dirs.len()
    );
    let mut failures = Vec::new();
    for dir in &dirs {
        let expected_path = dir.join("expected.txt");
        let text = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        let expected: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        let with_severity = expected.iter().any(|l| l.split_whitespace().count() == 3);
        let actual: Vec<String> = findings(dir)
            .into_iter()
            .map(|f| {
                if with_severity {
                    f
                } else {
                    f.rsplit_once(' ').map(|(a, _)| a.to_owned()).unwrap_or(f)
                }
            })
            .collect();
        if actual != expected {
            failures.push(format!(
                "{}:\n  expected:\n    {}\n  found:\n    {}",
                dir.file_name().unwrap_or_default().to_string_lossy(),
                expected.join("\n    "),
                actual.join("\n    ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "rule fixtures differ:\n{}",
        failures.join("\n")
    );
}

/// `lodestar rules --format json`: every rule of the registry, once, with what the table shows.
#[test]
fn rules_as_json_list_the_registry() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lodestar"))
        .args(["rules", "--format", "json"])
        .output()
        .expect("lodestar runs");
    assert_eq!(out.status.code(), Some(0));
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    let codes: Vec<&str> = rules.iter().map(|r| r["code"].as_str().unwrap()).collect();
    let all = lodestar::diagnostics::Code::ALL;
    let expected: Vec<&str> = all.iter().map(|i| i.as_str()).collect();
    assert_eq!(codes, expected);
    for (r, i) in rules.iter().zip(all) {
        assert_eq!(r["name"], i.name());
        assert_eq!(r["summary"], i.summary());
        assert_eq!(r["configurable"], i.configurable());
        assert!(
            r["doc"].as_str().unwrap().contains("## What it checks"),
            "{r}"
        );
    }
}
