//! The SQL stage: the generic (DuckDB) output snapshotted once per spec, every other dialect
//! snapshotted as a line diff against it, every output re-parsed, and an injection corpus that
//! must end in a diagnostic or a quoted name, never in a second statement.

use super::common::*;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use lodestar::project::{self, Analysis};
use lodestar::sql::{self, CompileError, CompiledProduct, Dialect, Options};
use sqlparser::dialect::{dialect_from_str, GenericDialect};
use sqlparser::parser::Parser;

fn analyze(path: &Path) -> Analysis {
    let ws = project::load(&[path.to_path_buf()]).expect("fixture loads");
    project::analyze(&ws, today())
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn checked(name: &str) -> Analysis {
    let a = analyze(&fixture(name));
    let errors: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| &d.message)
        .collect();
    assert!(errors.is_empty(), "{name} has errors: {errors:?}");
    a
}

/// Every file of a compilation, as `lodestar compile` prints it.
fn listing(products: &[CompiledProduct]) -> String {
    let mut out = String::new();
    for p in products {
        for m in &p.metrics {
            out.push_str(&format!("-- {}/{}.sql\n{}\n", p.product, m.name, m.sql));
        }
        out.push_str(&format!(
            "-- {}/scorecard.sql\n{}\n",
            p.product, p.scorecard
        ));
        out.push_str(&format!(
            "-- {}/guardrails.sql\n{}\n",
            p.product, p.guardrails
        ));
    }
    out
}

fn statements(products: &[CompiledProduct]) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    for p in products {
        for m in &p.metrics {
            out.push((format!("{}/{}", p.product, m.name), m.sql.as_str()));
        }
        out.push((format!("{}/scorecard", p.product), p.scorecard.as_str()));
        out.push((format!("{}/guardrails", p.product), p.guardrails.as_str()));
    }
    out
}

/// Changed lines only, `-` for the generic form and `+` for the dialect's.
fn diff(generic: &str, dialect: &str) -> String {
    let d = similar::TextDiff::from_lines(generic, dialect);
    let mut out = String::new();
    for group in d.grouped_ops(0) {
        for op in group {
            for change in d.iter_changes(&op) {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => "-",
                    similar::ChangeTag::Insert => "+",
                    similar::ChangeTag::Equal => " ",
                };
                out.push_str(sign);
                out.push_str(change.as_str().unwrap_or(""));
                if change.missing_newline() {
                    out.push('\n');
                }
            }
        }
        out.push_str("@@\n");
    }
    out
}

fn options(from_to: bool, by: &[&str]) -> Options {
    Options {
        from: from_to.then(|| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
        to: from_to.then(|| NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()),
        by: by.iter().map(|s| s.to_string()).collect(),
        select: None,
    }
}

/// The specs and options snapshotted, each by a name.
fn cases() -> Vec<(&'static str, &'static str, Options)> {
    vec![
        ("marketplace", "valid/marketplace.yaml", options(false, &[])),
        ("everything", "sql/everything.yaml", options(false, &[])),
        (
            "everything_range_by",
            "sql/everything.yaml",
            options(true, &["country", "plan"]),
        ),
    ]
}

#[test]
fn generic_sql_snapshots() {
    for (name, file, opts) in cases() {
        let a = checked(file);
        let out = sql::compile(&a.project, Dialect::Duckdb, &opts).expect("compiles");
        insta::assert_snapshot!(format!("{name}__duckdb"), listing(&out));
    }
}

#[test]
fn dialect_snapshots_are_diffs_against_generic() {
    for (name, file, opts) in cases() {
        let a = checked(file);
        let generic = listing(&sql::compile(&a.project, Dialect::Duckdb, &opts).unwrap());
        for &d in &Dialect::ALL[1..] {
            let out = listing(&sql::compile(&a.project, d, &opts).expect("compiles"));
            insta::assert_snapshot!(format!("{name}__{}", d.name()), diff(&generic, &out));
        }
    }
}

fn parser_dialect(d: Dialect) -> Box<dyn sqlparser::dialect::Dialect> {
    match d {
        Dialect::Trino => Box::new(GenericDialect),
        Dialect::Postgres => dialect_from_str("postgresql").unwrap(),
        _ => dialect_from_str(d.name()).unwrap(),
    }
}

/// Each file is exactly one statement in the dialect's grammar.
fn assert_one_statement(d: Dialect, what: &str, sql: &str) {
    let parsed = Parser::new(&*parser_dialect(d))
        .with_recursion_limit(256)
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_statements());
    match parsed {
        Ok(s) => assert_eq!(
            s.len(),
            1,
            "{what} ({}) is {} statements:\n{sql}",
            d.name(),
            s.len()
        ),
        Err(e) => panic!("{what} does not parse as {}: {e}\n{sql}", d.name()),
    }
}

#[test]
fn every_dialect_output_reparses() {
    for (_, file, opts) in cases() {
        let a = checked(file);
        for &d in Dialect::ALL {
            let out = sql::compile(&a.project, d, &opts).unwrap();
            for (what, s) in statements(&out) {
                assert_one_statement(d, &what, s);
            }
        }
    }
}

#[test]
fn output_is_deterministic() {
    let a = checked("sql/everything.yaml");
    let b = checked("sql/everything.yaml");
    for &d in Dialect::ALL {
        let opts = options(true, &["plan"]);
        assert_eq!(
            listing(&sql::compile(&a.project, d, &opts).unwrap()),
            listing(&sql::compile(&b.project, d, &opts).unwrap())
        );
    }
}

#[test]
fn by_a_dimension_a_source_lacks_names_metric_source_and_dimensions() {
    let a = checked("valid/marketplace.yaml");
    let err = sql::compile(&a.project, Dialect::Duckdb, &options(false, &["market"])).unwrap_err();
    let CompileError::Invalid(m) = err else {
        panic!("expected Invalid, got {err:?}")
    };
    assert!(
        m.contains("`new_hosts`") && m.contains("`hosts`") && m.contains("`market`"),
        "{m}"
    );
    let err = sql::compile(&a.project, Dialect::Duckdb, &options(false, &["nope"])).unwrap_err();
    let CompileError::Invalid(m) = err else {
        panic!("expected Invalid")
    };
    assert!(m.contains("it has: market, device"), "{m}");
}

#[test]
fn weeks_start_on_monday_in_every_dialect() {
    let a = checked("valid/marketplace.yaml");
    let expect = [
        (Dialect::Duckdb, "DATE_TRUNC('week'"),
        (Dialect::Bigquery, "ISOWEEK"),
        (Dialect::Snowflake, "DAYOFWEEKISO"),
        (Dialect::Databricks, "DATE_TRUNC('week'"),
        (Dialect::Trino, "DATE_TRUNC('week'"),
        (Dialect::Clickhouse, "toMonday("),
    ];
    for (d, needle) in expect {
        let out = sql::compile(&a.project, d, &Options::default()).unwrap();
        assert!(
            out[0].scorecard.contains(needle),
            "{}: {}",
            d.name(),
            out[0].scorecard
        );
    }
}

#[test]
fn range_generates_every_period() {
    let a = checked("valid/marketplace.yaml");
    // 2026-01-01 (a Thursday) .. 2026-03-31: weeks from Monday 2025-12-29, 14 of them.
    let out = sql::compile(&a.project, Dialect::Duckdb, &options(true, &[])).unwrap();
    let s = &out[0].metrics[0].sql;
    assert!(
        s.contains("DATE '2025-12-29'") && s.contains("generate_series(0, 13)"),
        "{s}"
    );
    assert!(
        s.contains("DATE '2026-01-01'") && s.contains("DATE '2026-03-31'"),
        "{s}"
    );
}

// ---------------------------------------------------------------------------------------------
// Injection corpus.

/// A spec whose parts are replaced from `set` (each value written as a YAML string).
fn spec(set: &[(&str, &str)]) -> String {
    let get = |k: &str, default: &str| -> String {
        let v = set
            .iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| *v)
            .unwrap_or(default);
        serde_json::to_string(v).unwrap()
    };
    format!(
        r#"lodestar: 1
product: shop
owners:
  o: {{ name: Owner }}
sources:
  {src}:
    {rel_key}: {rel}
    time: {time}
    dimensions:
      {dim}: {dim_expr}
north_star:
  name: buyers
  description: Buyers.
  owner: o
  type: transaction
  measure: {{ source: {src}, agg: count_distinct, expr: {expr}, filter: {filter}, having: {having} }}
inputs:
  - name: spend
    description: Spend.
    owner: o
    type: revenue
    ratio:
      numerator: {{ source: {src}, agg: sum, expr: {expr} }}
      denominator: buyers
  - name: spend_per_buyer
    description: Spend per buyer.
    owner: o
    type: revenue
    derived: {derived}
guardrails:
  - name: order_count
    description: Orders.
    owner: o
    type: quality
    measure: {{ source: {src}, agg: count }}
    threshold: {{ min: 0 }}
"#,
        src = get("source", "orders"),
        rel_key = if set.iter().any(|(k, _)| *k == "sql") {
            "sql"
        } else {
            "table"
        },
        rel = get(
            if set.iter().any(|(k, _)| *k == "sql") {
                "sql"
            } else {
                "table"
            },
            "shop.orders"
        ),
        time = get("time", "ordered_at"),
        dim = get("dim", "country"),
        dim_expr = get("dim_expr", "country"),
        expr = get("expr", "amount"),
        filter = get("filter", "status = 'paid'"),
        having = get("having", "count(*) >= 2"),
        derived = get("derived", "spend / buyers"),
    )
}

const EVIL: &[&str] = &[
    "; drop table t",
    " -- hidden",
    " /* hidden */",
    ")",
    "(",
    " drop table t",
    "); drop table t; --",
];

#[test]
fn injection_corpus_ends_in_ls006_or_a_quoted_name() {
    let dir = tempfile::tempdir().unwrap();
    let base = [
        ("expr", "amount"),
        ("filter", "status = 'paid'"),
        ("having", "count(*) >= 2"),
        ("dim_expr", "country"),
        ("derived", "spend / buyers"),
        ("sql", "select * from shop.orders"),
    ];
    let mut cases: Vec<(Vec<(&str, String)>, bool)> = Vec::new();
    for (key, good) in base {
        for evil in EVIL {
            cases.push((vec![(key, format!("{good}{evil}"))], true));
        }
    }
    // Quote-breaking names inside fragments: must come out quoted, never as syntax.
    for name in [r#""a""b""#, r#""a`b""#, r#""x"" ; drop table t; --""#] {
        cases.push((vec![("expr", name.to_owned())], false));
        cases.push((vec![("filter", format!("{name} = 1"))], false));
        cases.push((
            vec![("having", format!("count(distinct {name}) >= 2"))],
            false,
        ));
        cases.push((vec![("dim_expr", name.to_owned())], false));
        cases.push((
            vec![("sql", format!("select {name} from shop.orders"))],
            false,
        ));
    }
    // Quote-breaking names as names: dimension, source, table, time column.
    for name in [r#"a"b"#, "a`b", r#"x"; drop table t; --"#] {
        cases.push((vec![("dim", name.to_owned())], false));
        cases.push((vec![("source", name.to_owned())], false));
        cases.push((vec![("table", format!("shop.{name}"))], false));
        cases.push((vec![("time", name.to_owned())], false));
    }
    let mut compiled = 0;
    for (i, (set, must_be_ls006)) in cases.iter().enumerate() {
        let set: Vec<(&str, &str)> = set.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let path = dir.path().join(format!("case{i}.yaml"));
        std::fs::write(&path, spec(&set)).unwrap();
        let a = analyze(&path);
        let codes: Vec<&str> = a
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code.as_str())
            .collect();
        if *must_be_ls006 {
            assert!(
                codes.contains(&"LS006"),
                "{set:?}: expected LS006, got {codes:?}"
            );
            continue;
        }
        if !codes.is_empty() {
            // Names the rules refuse (not snake_case, unknown columns, ...) never reach SQL.
            continue;
        }
        let dim = set
            .iter()
            .find(|(k, _)| *k == "dim")
            .map(|(_, v)| *v)
            .unwrap_or("country");
        for &d in Dialect::ALL {
            let opts = Options {
                by: vec![dim.to_owned()],
                ..Options::default()
            };
            match sql::compile(&a.project, d, &opts) {
                // A name the dialect cannot quote is refused with a message, never written.
                Err(CompileError::Invalid(m)) => {
                    assert!(m.contains("rename"), "{set:?} {}: {m}", d.name())
                }
                Err(e) => panic!("{set:?} {}: {e}", d.name()),
                Ok(out) => {
                    compiled += 1;
                    for (what, s) in statements(&out) {
                        assert_one_statement(d, &what, s);
                        assert!(!s.to_ascii_lowercase().contains("\ndrop"), "{what}: {s}");
                    }
                    if d == Dialect::Duckdb {
                        let text = listing(&out);
                        for (_, v) in &set {
                            if v.contains(r#""a""b""#) {
                                assert!(text.contains(r#""a""b""#), "{text}");
                            }
                        }
                        if dim == r#"a"b"# {
                            assert!(text.contains(r#"AS "a""b""#), "{text}");
                        }
                    }
                }
            }
        }
    }
    assert!(
        compiled > 20,
        "the corpus must also compile some cases ({compiled})"
    );
}

// ---------------------------------------------------------------------------------------------
// The command line.

fn lodestar(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_lodestar"))
        .args(args)
        .env("LODESTAR_TODAY", "2026-11-01")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// `lodestar compile SPEC --dialect D --out DIR`, which must succeed.
fn compile_out(spec: &Path, dialect: &str, out_dir: &Path) {
    let o = lodestar(&[
        "compile",
        spec.to_str().unwrap(),
        "--dialect",
        dialect,
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn cli_writes_one_file_per_metric_plus_scorecard_and_guardrails() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("sql");
    let spec = fixture("valid/marketplace.yaml");
    compile_out(&spec, "postgres", &out_dir);
    let expected = sql::compile(
        &checked("valid/marketplace.yaml").project,
        Dialect::Postgres,
        &Options::default(),
    )
    .unwrap();
    let p = &expected[0];
    for m in &p.metrics {
        assert_eq!(
            std::fs::read_to_string(out_dir.join("marketplace").join(format!("{}.sql", m.name)))
                .unwrap(),
            m.sql
        );
    }
    assert_eq!(
        std::fs::read_to_string(out_dir.join("marketplace/scorecard.sql")).unwrap(),
        p.scorecard
    );
    assert_eq!(
        std::fs::read_to_string(out_dir.join("marketplace/guardrails.sql")).unwrap(),
        p.guardrails
    );
    let names: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        vec![std::ffi::OsString::from("marketplace")],
        "no temporary directory is left"
    );

    // Without --out: the same text on stdout, each file after its header.
    let o = lodestar(&["compile", spec.to_str().unwrap(), "--dialect", "postgres"]);
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(
        stdout.starts_with("-- marketplace/nights_booked.sql\n"),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("-- marketplace/scorecard.sql\n{}", p.scorecard)));
}

#[test]
fn cli_compiles_several_dialects_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("sql");
    let spec = fixture("valid/marketplace.yaml");
    let project = checked("valid/marketplace.yaml").project;
    compile_out(&spec, "all", &out_dir);
    let mut names: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut expected: Vec<_> = Dialect::ALL.iter().map(|d| d.name().to_owned()).collect();
    expected.sort();
    assert_eq!(
        names, expected,
        "a folder per dialect and no temporary directory"
    );
    for &d in Dialect::ALL {
        let p = &sql::compile(&project, d, &Options::default()).unwrap()[0];
        let path = out_dir.join(d.name()).join("marketplace/scorecard.sql");
        assert_eq!(
            std::fs::read_to_string(path).unwrap(),
            p.scorecard,
            "{}",
            d.name()
        );
    }

    // A list, repeated and with duplicates: each dialect once, in the order first named.
    let o = lodestar(&[
        "compile",
        spec.to_str().unwrap(),
        "--dialect",
        "trino,duckdb",
        "--dialect",
        "trino",
    ]);
    let stdout = String::from_utf8(o.stdout).unwrap();
    let headers: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("-- ") && l.ends_with("/scorecard.sql"))
        .collect();
    assert_eq!(
        headers,
        [
            "-- trino/marketplace/scorecard.sql",
            "-- duckdb/marketplace/scorecard.sql"
        ]
    );

    // An unknown name is a usage error that lists the dialects.
    let o = lodestar(&[
        "compile",
        spec.to_str().unwrap(),
        "--dialect",
        "duckdb,oracle",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("unknown dialect `oracle`") && stderr.contains("clickhouse"),
        "{stderr}"
    );
}

/// One file of a larger project: its products only (with the project's owners and sources), so
/// `--by` needs the dimension only in that file's sources.
#[test]
fn cli_compiles_only_the_products_of_a_named_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let by_market = |path: &Path| {
        let path = path.to_str().unwrap();
        lodestar(&["compile", path, "--dialect", "duckdb", "--by", "market"])
    };
    let o = by_market(&root.join("specs/marketplace.yaml"));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stdout = String::from_utf8(o.stdout).unwrap();
    let products: std::collections::BTreeSet<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("-- "))
        .filter_map(|l| l.split('/').next())
        .collect();
    assert_eq!(products.into_iter().collect::<Vec<_>>(), ["marketplace"]);
    // The whole project cannot be broken down by `market`: other products' sources lack it.
    // A file with no product (the shared owners): nothing to compile is an error, not silence.
    let owners = root.join("specs/owners.yaml");
    let o = lodestar(&["compile", owners.to_str().unwrap(), "--dialect", "duckdb"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("hold no product"));
    // The whole project: the metrics whose sources lack `market` are left out, with a note
    // naming each, and the rest is compiled.
    let o = by_market(&root.join("specs"));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("note: --by market leaves out"), "{stderr}");
    assert!(stderr.contains("has no dimension `market`"), "{stderr}");
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(
        stdout.contains("-- marketplace/nights_booked.sql"),
        "{stdout}"
    );
}

/// `--select`: a metric, a product, and lineage both ways; only what is selected is written,
/// though what it is computed from is computed.
#[test]
fn cli_compiles_only_the_selected_metrics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = root.join("tests/fixtures/valid/marketplace.yaml");
    let files = |select: &[&str]| -> Vec<String> {
        let mut args = vec!["compile", spec.to_str().unwrap(), "--dialect", "duckdb"];
        for s in select {
            args.extend(["--select", s]);
        }
        let o = lodestar(&args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{select:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout)
            .unwrap()
            .lines()
            .filter_map(|l| l.strip_prefix("-- marketplace/"))
            .map(str::to_owned)
            .collect()
    };
    let metric_files = |select: &[&str]| -> Vec<String> {
        files(select)
            .into_iter()
            .filter(|f| !["scorecard.sql", "guardrails.sql"].contains(&f.as_str()))
            .collect()
    };
    assert_eq!(
        metric_files(&["nights_booked+"]),
        [
            "nights_booked.sql",
            "nights_per_booking.sql",
            "refund_rate.sql"
        ]
    );
    assert_eq!(
        metric_files(&["+nights_per_booking"]),
        [
            "nights_booked.sql",
            "confirmed_bookings.sql",
            "nights_per_booking.sql"
        ]
    );
    assert_eq!(metric_files(&["marketplace"]).len(), 7);
    assert_eq!(metric_files(&["new_hosts", "avg_guest_rating"]).len(), 2);
    // The scorecard of a selection has its columns only; a derived metric still computes its
    // operands inside the query.
    let o = lodestar(&[
        "compile",
        spec.to_str().unwrap(),
        "--dialect",
        "duckdb",
        "--select",
        "nights_per_booking",
    ]);
    let out = String::from_utf8(o.stdout).unwrap();
    let scorecard = out
        .split("-- marketplace/scorecard.sql")
        .nth(1)
        .and_then(|s| s.split("-- marketplace/guardrails.sql").next())
        .expect("a scorecard");
    assert!(
        scorecard.contains("AS \"nights_per_booking\""),
        "{scorecard}"
    );
    assert!(!scorecard.contains("AS \"new_hosts\""), "{scorecard}");
    // A typo is an error naming the closest metric.
    let o = lodestar(&[
        "compile",
        spec.to_str().unwrap(),
        "--dialect",
        "duckdb",
        "--select",
        "nights_boked",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("did you mean `nights_booked`"), "{stderr}");
    // A selected metric that lacks a --by dimension is an error, not a silent omission.
    let o = lodestar(&[
        "compile",
        spec.to_str().unwrap(),
        "--dialect",
        "duckdb",
        "--select",
        "new_hosts",
        "--by",
        "market",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`marketplace.new_hosts` (source `hosts` has no dimension `market`)"),
        "{stderr}"
    );
}

#[test]
fn cli_refuses_a_project_with_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(&path, spec(&[("expr", "amount; drop table t")])).unwrap();
    let out_dir = dir.path().join("sql");
    let o = lodestar(&[
        "compile",
        path.to_str().unwrap(),
        "--dialect",
        "duckdb",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("LS006"));
    assert!(!out_dir.exists(), "nothing is written");
}

#[test]
fn cli_dialects_lists_every_dialect() {
    let o = lodestar(&["dialects"]);
    let text = String::from_utf8(o.stdout).unwrap();
    for d in Dialect::ALL {
        assert!(text.lines().any(|l| l.starts_with(d.name())), "{text}");
    }
}

/// `compile FILE` in a larger project parses only what the file's products can depend on
/// (src/project/focus.rs): a source declared in another product's file, YAML or DSL, and the
/// shared owners must still be found, and the SQL must be what compiling the project gives.
#[test]
fn compiling_one_file_finds_sources_declared_in_other_files() {
    let p1 = "lodestar: 1\nproduct: one\nnorth_star:\n  name: ns\n  description: d\n  owner: team\n  type: engagement\n  measure: { source: shared_events, agg: count }\ninputs:\n  - name: a\n    description: d\n    owner: team\n    type: engagement\n    measure: { source: theirs, agg: count_distinct, expr: user_id }\n  - name: b\n    description: d\n    owner: team\n    type: engagement\n    measure: { source: dsl_visits, agg: count }\nguardrails:\n  - name: g\n    description: d\n    owner: team\n    type: engagement\n    measure: { source: shared_events, agg: count }\n    threshold: { min: 1 }\n";
    let p2 = "lodestar: 1\nproduct: two\nsources:\n  theirs: { table: x.theirs, time: t }\nnorth_star:\n  name: ns2\n  description: d\n  owner: team\n  type: engagement\n  measure: { source: theirs, agg: count }\nguardrails:\n  - name: g2\n    description: d\n    owner: team\n    type: engagement\n    measure: { source: theirs, agg: count }\n    threshold: { min: 1 }\n";
    let p3 = "lodestar 1\nproduct three \"Three\"\n\nsource dsl_visits from x.visits at t {\n  columns t, user_id\n}\n\nnorth star ns3 \"N\" {\n  description \"d\"\n  owner team\n  type engagement\n  measure count() from dsl_visits\n}\n\nguardrail g3 \"G\" {\n  description \"d\"\n  owner team\n  type engagement\n  measure count() from dsl_visits\n  threshold >= 1\n}\n";
    let shared = "lodestar: 1\nowners:\n  team: { name: Team }\nsources:\n  shared_events: { table: x.events, time: t }\n";
    let dir = scratch(&[
        ("lodestar.toml", ""),
        ("shared.yaml", shared),
        ("products/p1.yaml", p1),
        ("products/p2.yaml", p2),
        ("products/p3.lode", p3),
    ]);
    let one = run_in(
        dir.path(),
        &["compile", "products/p1.yaml", "--dialect", "postgres"],
    );
    assert_eq!(one.code, 0, "{}", one.stderr);
    let all = run_in(dir.path(), &["compile", ".", "--dialect", "postgres"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    // The project's output holds p1's statements exactly as compiling p1 alone gives them.
    assert!(one.stdout.contains("-- one/a.sql"), "{}", one.stdout);
    assert!(!one.stdout.contains("-- two/"), "{}", one.stdout);
    assert!(all.stdout.contains(&one.stdout), "{}", all.stdout);
    // A source that no file declares is still an error when the file alone is compiled.
    std::fs::write(
        dir.path().join("products/p1.yaml"),
        p1.replace("source: theirs", "source: nobody_declares"),
    )
    .unwrap();
    let o = run_in(
        dir.path(),
        &["compile", "products/p1.yaml", "--dialect", "postgres"],
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("nobody_declares"), "{}", o.stderr);
}
