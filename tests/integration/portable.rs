//! Portable SQL fragments (rule LS009, `src/sql/portable/`): the issue's example compiles for
//! BigQuery and Trino without `::` and ILIKE, `iff` is translated, an unknown function is refused
//! for every dialect unless allowed (then written as is), and a construct a dialect cannot write
//! is an error naming it, in lint and in compile. `tests/fixtures/portable/check.py` runs the
//! same SQL on real engines.

use super::common::*;
use std::path::Path;

use lodestar::project;
use lodestar::sql::{self, CompileError, Dialect, Options};

fn compile(dir: &Path, d: Dialect) -> Result<Vec<sql::CompiledProduct>, CompileError> {
    let ws = project::load(&[dir.to_path_buf()]).expect("loads");
    let a = project::analyze(&ws, today());
    sql::compile(&a.project, d, &Options::default())
}

fn lint_codes(dir: &Path) -> Vec<String> {
    let ws = project::load(&[dir.to_path_buf()]).expect("loads");
    project::analyze(&ws, today())
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect()
}

#[test]
fn the_issue_example_lints_clean_and_compiles_without_casts_or_ilike() {
    let dir = fixture_path("portable/issue");
    assert_eq!(lint_codes(&dir), Vec::<String>::new());
    for d in [Dialect::Bigquery, Dialect::Trino] {
        let out = compile(&dir, d).expect("compiles");
        let sql = &out[0].metrics[0].sql;
        assert!(!sql.contains("::"), "{}:\n{sql}", d.name());
        assert!(
            !sql.to_ascii_uppercase().contains("ILIKE"),
            "{}:\n{sql}",
            d.name()
        );
        assert!(
            sql.contains("LOWER(city) LIKE LOWER('ly%')"),
            "{}:\n{sql}",
            d.name()
        );
        let ty = if d == Dialect::Bigquery {
            "INT64"
        } else {
            "BIGINT"
        };
        assert!(
            sql.contains(&format!("CAST(basket_cents AS {ty}) > 5000")),
            "{sql}"
        );
        let iff = &out[0].metrics[1].sql;
        assert!(iff.contains("CASE WHEN basket_cents > 5000 THEN"), "{iff}");
        assert!(!iff.to_ascii_lowercase().contains("iff("), "{iff}");
    }
    // Where ILIKE exists it stays.
    let pg = compile(&dir, Dialect::Postgres).expect("compiles");
    assert!(pg[0].metrics[0].sql.contains("city ILIKE 'ly%'"));
}

/// A project in a temporary directory: the issue's spec with one fragment replaced, and a
/// `lodestar.toml`.
fn project_with(fragment: &str, toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let spec = read_fixture("portable/issue/shop.yaml");
    let old = "filter: basket_cents::int > 5000 and city ilike 'ly%'";
    assert!(
        spec.contains(old),
        "the fixture has the filter this test replaces"
    );
    std::fs::write(dir.path().join("shop.yaml"), spec.replace(old, fragment)).unwrap();
    std::fs::write(dir.path().join("lodestar.toml"), toml).unwrap();
    dir
}

#[test]
fn an_unknown_function_is_refused_for_every_dialect_and_written_as_is_once_allowed() {
    let dir = project_with("filter: my_udf(city) > 0", "");
    let run = run_in(dir.path(), &["lint", "--format", "concise", "."]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("LS009")
            && run
                .stdout
                .contains("`my_udf` is not portable SQL: lodestar cannot write it for any dialect"),
        "{run:?}"
    );
    let run = run_in(dir.path(), &["compile", "--dialect", "bigquery", "."]);
    assert_eq!(run.code, 1, "a lint error stops compile: {run:?}");

    // Allowed on the metric: lint is clean and compile writes the call as is.
    let spec = std::fs::read_to_string(dir.path().join("shop.yaml")).unwrap();
    let allowed = spec.replacen(
        "  grain: day\n",
        "  grain: day\n  allow: [{ code: LS009, reason: \"my_udf is a UDF of our warehouse\" }]\n",
        1,
    );
    assert_ne!(allowed, spec);
    std::fs::write(dir.path().join("shop.yaml"), allowed).unwrap();
    let run = run_in(dir.path(), &["compile", "--dialect", "bigquery", "."]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("my_udf(city) > 0"), "{}", run.stdout);
}

#[test]
fn a_construct_a_dialect_cannot_write_is_an_error_naming_it_in_lint_and_compile() {
    // `median` has no exact aggregate on BigQuery (nor Trino): with the project targeting
    // BigQuery only, LS009 names bigquery at the fragment.
    let dir = project_with(
        "filter: refunded\n    having: median(basket_cents) > 5000",
        "[project]\ndialects = [\"bigquery\"]\n",
    );
    let spec = std::fs::read_to_string(dir.path().join("shop.yaml")).unwrap();
    let spec = spec.replacen(
        "    agg: count\n",
        "    agg: count_distinct\n    expr: customer_id\n",
        1,
    );
    std::fs::write(dir.path().join("shop.yaml"), &spec).unwrap();
    let run = run_in(dir.path(), &["lint", "--format", "concise", "."]);
    assert_eq!(run.code, 1, "{run:?}");
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("LS009"))
        .unwrap_or_else(|| panic!("no LS009: {run:?}"));
    let (l, c) = spec
        .lines()
        .enumerate()
        .find_map(|(i, t)| t.find("median").map(|c| (i + 1, c + 1)))
        .unwrap();
    assert!(line.starts_with(&format!("shop.yaml:{l}:{c}: ")), "{line}");
    assert!(
        line.ends_with("`median` cannot be written for bigquery"),
        "{line}"
    );

    // Where it can be written, it is clean; and compile refuses the dialects that cannot,
    // naming them, even when lint is told to look away.
    std::fs::write(
        dir.path().join("lodestar.toml"),
        "[project]\ndialects = [\"postgres\", \"duckdb\"]\n",
    )
    .unwrap();
    assert!(
        lint_codes(dir.path()).is_empty(),
        "{:?}",
        lint_codes(dir.path())
    );
    let pg = compile(dir.path(), Dialect::Postgres).expect("compiles for postgres");
    assert!(pg[0].metrics[0]
        .sql
        .contains("PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY basket_cents)"));
    for d in [Dialect::Bigquery, Dialect::Trino] {
        let err = compile(dir.path(), d).unwrap_err().to_string();
        assert!(
            err.contains("`median` cannot be written for") && err.contains(d.name()),
            "{err}"
        );
    }
}
