//! The reference specs in `specs/`, their example datasets in `examples/data/`, and the
//! benchmark project generator `bench/gen_project.py`: every spec lints clean, has the shape a
//! North Star framework needs, and agrees with its data.

use super::common::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use lodestar::diagnostics::render::{render, Format};
use lodestar::model::{Agg, Compute, Over, Project, Relation, Role};
use lodestar::project::{self, Analysis, Workspace};

/// The day the specs were last reviewed against. Reviews fall due as real time passes (LS106 is
/// meant to say so); this test pins the date so that it checks the specs, not the calendar.
fn review_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn analyze(path: &Path, today: NaiveDate) -> (Workspace, Analysis) {
    let ws = project::load(&[path.to_path_buf()])
        .unwrap_or_else(|e| panic!("cannot load {}: {e}", path.display()));
    let analysis = project::analyze(&ws, today);
    (ws, analysis)
}

fn specs() -> (Workspace, Analysis) {
    analyze(&root().join("specs"), review_day())
}

#[test]
fn reference_specs_lint_with_no_findings() {
    let (ws, analysis) = specs();
    assert!(
        analysis.diagnostics.is_empty(),
        "specs/ should lint with no errors and no warnings, found:\n{}",
        render(Format::Concise, &ws.files, &analysis.diagnostics)
    );
}

/// `lodestar fmt --check specs` passes: every reference spec is in canonical layout (headers
/// kept, nothing below them that formatting would drop).
#[test]
fn reference_specs_are_formatted() {
    let out = Command::new(env!("CARGO_BIN_EXE_lodestar"))
        .args(["fmt", "--check", "specs"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn reference_specs_have_no_errors_today() {
    // On any day: no errors (an overdue review is a warning, and tells us to review the spec).
    let today = chrono::Local::now().date_naive();
    let (ws, analysis) = analyze(&root().join("specs"), today);
    assert!(
        !analysis.has_errors(),
        "{}",
        render(Format::Concise, &ws.files, &analysis.diagnostics)
    );
}

#[test]
fn reference_specs_are_both_syntaxes_one_product_per_file() {
    let (ws, analysis) = specs();
    let lode = ws
        .specs
        .iter()
        .filter(|s| s.path.extension().is_some_and(|e| e == "lode"))
        .count();
    assert!(lode >= 2, "at least two specs in the DSL, found {lode}");
    let names: BTreeSet<&str> = analysis
        .project
        .products
        .iter()
        .map(|p| p.name.value.as_str())
        .collect();
    let expected = [
        "ai_assistant",
        "marketplace",
        "music_streaming",
        "online_learning",
        "team_messaging",
    ];
    assert_eq!(
        names,
        expected.into_iter().collect(),
        "the five reference products"
    );
    let files: BTreeSet<_> = analysis.project.products.iter().map(|p| p.file).collect();
    assert_eq!(
        files.len(),
        analysis.project.products.len(),
        "one product per file"
    );
}

#[test]
fn every_reference_product_is_a_framework() {
    let (_, analysis) = specs();
    let project = &analysis.project;
    for p in &project.products {
        let name = &p.name.value;
        assert!(p.north_star().is_some(), "{name}: exactly one North Star");
        let inputs = p.inputs().count();
        assert!(
            (3..=5).contains(&inputs),
            "{name}: 3 to 5 inputs, found {inputs}"
        );
        let guardrails: Vec<_> = p.guardrails().collect();
        assert!(
            (2..=3).contains(&guardrails.len()),
            "{name}: 2 or 3 guardrails, found {}",
            guardrails.len()
        );
        for g in guardrails {
            let t = g
                .threshold
                .as_ref()
                .unwrap_or_else(|| panic!("{name}.{}: no threshold", g.name.value));
            assert!(
                t.min.is_some() || t.max.is_some(),
                "{name}.{}: empty threshold",
                g.name.value
            );
        }
        for m in &p.metrics {
            let at = format!("{name}.{}", m.name.value);
            assert!(
                m.owner
                    .as_ref()
                    .is_some_and(|o| project.owner(&o.value).is_some()),
                "{at}: a declared owner"
            );
            assert!(
                m.description.as_ref().is_some_and(|d| d.value.len() > 10),
                "{at}: a description"
            );
            assert!(m.label.is_some(), "{at}: a label");
            assert!(m.compute.is_some(), "{at}: a computation");
        }
        if p.game.is_some() {
            let ns = p.north_star().unwrap();
            assert!(
                ns.review.is_some(),
                "{name}: a product with a game reviews its North Star"
            );
        }
    }
}

/// Sources every product reads, with their declared columns (so that references are checked).
#[test]
fn every_source_declares_its_columns() {
    let (_, analysis) = specs();
    for s in &analysis.project.sources {
        let cols = s
            .columns
            .as_ref()
            .unwrap_or_else(|| panic!("source {} declares no columns", s.name.value));
        let time = s.time.as_ref().expect("a time column");
        assert!(
            s.has_column(&time.value),
            "source {}: time column {} is declared",
            s.name.value,
            time.value
        );
        assert!(cols.len() >= 2);
        if let Some(Relation::Table(t)) = &s.relation {
            assert_eq!(
                t.value.len(),
                2,
                "source {}: a schema-qualified table",
                s.name.value
            );
        }
    }
}

#[test]
fn reference_specs_show_each_construct() {
    let (_, analysis) = specs();
    let metrics = || {
        analysis
            .project
            .products
            .iter()
            .flat_map(|p| p.metrics.iter())
    };
    let aggs = || {
        metrics()
            .filter_map(|m| m.compute.as_ref())
            .flat_map(Compute::measures)
            .map(|m| m.agg.value)
    };
    let overs = || {
        metrics()
            .filter_map(|m| m.compute.as_ref())
            .flat_map(Compute::measures)
            .filter_map(|m| m.over.as_ref().map(|o| o.value))
    };
    assert!(
        overs().any(|o| matches!(o, lodestar::model::Over::Window(_))),
        "a trailing window"
    );
    assert!(
        aggs().any(|a| matches!(a, Agg::Percentile(_))),
        "a percentile"
    );
    assert!(aggs().any(|a| matches!(a, Agg::Median)), "a median");
    assert!(
        metrics().any(|m| matches!(m.compute, Some(Compute::Derived { .. }))),
        "a derived metric"
    );
    assert!(
        metrics().any(|m| matches!(m.compute, Some(Compute::Ratio { .. }))),
        "a ratio"
    );
    assert!(
        analysis
            .project
            .sources
            .iter()
            .any(|s| matches!(s.relation, Some(Relation::Sql(_)))),
        "a sql source"
    );

    let messaging = analysis
        .project
        .product("team_messaging")
        .expect("team_messaging");
    let ns = messaging.north_star().unwrap();
    let Some(Compute::Measure(m)) = &ns.compute else {
        panic!("team_messaging's North Star is a measure")
    };
    assert_eq!(m.agg.value, Agg::CountDistinct);
    assert!(m.having.is_some(), "teams counted by a per-team condition");

    let assistant = analysis
        .project
        .product("ai_assistant")
        .expect("ai_assistant");
    let review = assistant
        .north_star()
        .unwrap()
        .review
        .as_ref()
        .expect("the assistant's North Star is reviewed");
    assert_eq!(
        review.cadence.as_ref().map(|c| c.value),
        Some(lodestar::model::Cadence::Quarterly)
    );

    let learning = analysis
        .project
        .product("online_learning")
        .expect("online_learning");
    assert!(matches!(
        learning.north_star().unwrap().compute,
        Some(Compute::Derived { .. } | Compute::Ratio { .. })
    ));
    assert_eq!(learning.metrics[0].role, Role::NorthStar);
}

fn csv_header(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .next()
        .unwrap_or_default()
        .split(',')
        .map(str::to_owned)
        .collect()
}

fn tables_in_sql(project: &Project) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for s in &project.sources {
        if let Some(Relation::Sql(f)) = &s.relation {
            let words: Vec<&str> = f.text.value.split_whitespace().collect();
            for pair in words.windows(2) {
                if pair[0].eq_ignore_ascii_case("from") || pair[0].eq_ignore_ascii_case("join") {
                    out.insert(pair[1].to_owned());
                }
            }
        }
    }
    out
}

/// Every table a spec reads has a CSV under examples/data/ whose header holds every declared
/// column, and every CSV there is read by some spec.
#[test]
fn example_data_matches_the_specs() {
    let (_, analysis) = specs();
    let data = root().join("examples/data");
    let mut read = tables_in_sql(&analysis.project);
    for s in &analysis.project.sources {
        let Some(Relation::Table(t)) = &s.relation else {
            continue;
        };
        let dotted = t.value.join(".");
        let path = data.join(&t.value[0]).join(format!("{}.csv", t.value[1]));
        let header = csv_header(&path);
        for c in s.columns.iter().flatten() {
            assert!(
                header.contains(&c.name.value),
                "{}: no column {} for source {}",
                path.display(),
                c.name.value,
                s.name.value
            );
        }
        read.insert(dotted);
    }
    let mut found = BTreeSet::new();
    for schema in std::fs::read_dir(&data).unwrap().flatten() {
        for file in std::fs::read_dir(schema.path()).unwrap().flatten() {
            let name = file
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".csv")
                .to_owned();
            found.insert(format!("{}.{name}", schema.file_name().to_string_lossy()));
        }
    }
    assert_eq!(
        found, read,
        "the example tables are exactly those the specs read"
    );
}

fn python() -> Option<&'static str> {
    let ok = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("python3 not found: skipping");
    }
    ok.then_some("python3")
}

fn same_tree(a: &Path, b: &Path) {
    let mut files = Vec::new();
    let mut stack = vec![a.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                files.push(e.path());
            }
        }
    }
    assert!(!files.is_empty());
    for f in files {
        let rel = f.strip_prefix(a).unwrap();
        let other =
            std::fs::read(b.join(rel)).unwrap_or_else(|e| panic!("{}: {e}", b.join(rel).display()));
        assert!(
            std::fs::read(&f).unwrap() == other,
            "{} differs: regenerate with examples/generate.py",
            rel.display()
        );
    }
}

/// The committed CSVs are exactly what examples/generate.py writes (which also checks that
/// every guardrail holds except the planned breach).
#[test]
fn example_data_is_the_generators_output() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(py)
        .arg(root().join("examples/generate.py"))
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "generate.py failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    same_tree(tmp.path(), &root().join("examples/data"));
    same_tree(&root().join("examples/data"), tmp.path());
}

/// A small generated benchmark project lints with no findings, in both syntaxes, and the
/// generator is deterministic.
#[test]
fn generated_benchmark_project_lints_clean() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let gen = |dir: &Path| {
        let out = Command::new(py)
            .arg(root().join("bench/gen_project.py"))
            .arg(dir)
            .args(["--products", "6", "--metrics", "20"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "gen_project.py failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    gen(&a);
    gen(&b);
    same_tree(&a, &b);
    let (ws, analysis) = analyze(&a, review_day());
    assert_eq!(ws.specs.len(), 7, "the shared file and six products");
    assert_eq!(analysis.project.products.len(), 6);
    assert!(
        analysis.diagnostics.is_empty(),
        "{}",
        render(Format::Concise, &ws.files, &analysis.diagnostics)
    );
    for p in &analysis.project.products {
        assert_eq!(p.metrics.len(), 20, "{}", p.name.value);
        assert!(p.north_star().is_some());
        assert!(p.guardrails().all(|g| g.threshold.is_some()));
    }

    // --time-kinds: a fifth of the metrics are compare, to_date, cumulative and conversion
    // metrics, in both syntaxes, and the project still lints clean (the linearity benchmark of
    // bench/compile.sh compiles it).
    let c = tmp.path().join("c");
    let out = Command::new(py)
        .arg(root().join("bench/gen_project.py"))
        .arg(&c)
        .args(["--products", "4", "--metrics", "20", "--time-kinds"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (ws, analysis) = analyze(&c, review_day());
    assert!(
        analysis.diagnostics.is_empty(),
        "{}",
        render(Format::Concise, &ws.files, &analysis.diagnostics)
    );
    for p in &analysis.project.products {
        let kinds: BTreeSet<String> = p
            .metrics
            .iter()
            .filter_map(|m| {
                let c = m.compute.as_ref()?;
                match c {
                    Compute::Measure(measure) => match measure.over.as_ref()?.value {
                        Over::Window(_) => None,
                        Over::ToDate(_) => Some("to_date".to_owned()),
                        Over::Cumulative => Some("cumulative".to_owned()),
                    },
                    Compute::Compare(_) => Some("compare".to_owned()),
                    Compute::Conversion(_) => Some("conversion".to_owned()),
                    _ => None,
                }
            })
            .collect();
        assert_eq!(
            kinds.into_iter().collect::<Vec<_>>(),
            ["compare", "conversion", "cumulative", "to_date"],
            "{}",
            p.name.value
        );
    }
}

/// The two examples of README.md's "The spec language" (YAML, then the DSL) lint without
/// errors: a reader copies them first.
#[test]
fn the_readme_examples_lint_without_errors() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("## The spec language")
        .nth(1)
        .expect("README.md has a section `The spec language`");
    let blocks: Vec<&str> = section
        .split("```")
        .skip(1)
        .step_by(2)
        .take(2)
        .map(|b| b.split_once('\n').map_or(b, |(_, body)| body))
        .collect();
    assert_eq!(blocks.len(), 2, "a YAML and a DSL example");
    assert!(blocks[0].starts_with("lodestar: 1"), "{}", blocks[0]);
    assert!(blocks[1].starts_with("lodestar 1"), "{}", blocks[1]);
    for (name, text) in [("readme.yaml", blocks[0]), ("readme.lode", blocks[1])] {
        let ws = project::in_memory(&[(name, text)]);
        let analysis = project::analyze(&ws, review_day());
        let errors: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        assert!(
            errors.is_empty(),
            "{name}:\n{}",
            render(Format::Concise, &ws.files, &errors)
        );
        let product = &analysis.project.products[0];
        for kind in ["compare", "conversion"] {
            assert!(
                product
                    .metrics
                    .iter()
                    .any(|m| m.compute.as_ref().is_some_and(|c| c.kind() == kind)),
                "{name} shows no {kind} metric"
            );
        }
    }
}
