//! The catalogue rendered for every dialect, what LS009 refuses, and the generated
//! `docs/sql.md` tables and engine fixture kept up to date.

use super::writer::atomic_template;
use super::*;
use crate::sql::Dialect::{
    Bigquery as BQ, Clickhouse as CH, Duckdb as DUCK, Postgres as PG, Redshift as RS, Trino as TR,
};

const BEGIN: &str = "<!-- portable:begin: generated from src/sql/portable/catalogue.rs; do not edit. Regenerate with\n     UPDATE_DOCS=1 cargo test --no-default-features --lib -- portable_doc -->\n";
const END: &str = "<!-- portable:end -->";

fn parses(d: Dialect, sql: &str) -> Result<(), String> {
    let stmts = sqlparser::parser::Parser::new(super::super::dialect::vendor(d).parser())
        .try_with_sql(&format!("SELECT {sql}"))
        .and_then(|mut p| p.parse_statements())
        .map_err(|e| e.to_string())?;
    if stmts.len() == 1 {
        Ok(())
    } else {
        Err(format!("{} statements", stmts.len()))
    }
}

#[test]
fn every_row_renders_for_every_dialect_or_says_it_cannot() {
    for row in CATALOGUE {
        assert!(!row.example.is_empty() && !row.result.is_empty(), "{row:?}");
        let parsed = crate::model::Fragment::parse(
            crate::diagnostics::Spanned::new(row.example.to_owned(), Default::default()),
            crate::model::FragmentKind::Having,
        );
        let e = parsed
            .expr()
            .unwrap_or_else(|| panic!("{}: {:?}", row.example, parsed.parsed));
        for &d in Dialect::ALL {
            // The example is classified as this very row (so the row is reachable).
            let refused = check_expr(e, &[d]);
            match (row.spelling(d), render_text(row.example, d)) {
                (Never, Err(why)) => {
                    assert!(why.contains(d.name()), "{why}");
                    assert!(refused.iter().any(|r| r.known && r.what == row.name()));
                }
                (Never, Ok(sql)) => panic!("{}: {sql} for {}", row.example, d.name()),
                (_, Err(why)) => panic!("{} on {}: {why}", row.example, d.name()),
                (_, Ok(sql)) => {
                    assert!(
                        refused.is_empty(),
                        "{} on {}: {refused:?}",
                        row.example,
                        d.name()
                    );
                    parses(d, &sql).unwrap_or_else(|e| {
                        panic!(
                            "{} on {}: `{sql}` does not parse: {e}",
                            row.example,
                            d.name()
                        )
                    });
                    assert!(!sql.contains("::"), "{sql}");
                }
            }
        }
    }
}

#[test]
fn the_issue_example_loses_its_casts_and_ilike_on_bigquery_and_trino() {
    let text = "basket_cents::int > 5000 and city ilike 'ly%'";
    let bq = render_text(text, BQ).unwrap();
    assert_eq!(
        bq,
        "CAST(basket_cents AS INT64) > 5000 AND (LOWER(city) LIKE LOWER('ly%'))"
    );
    let trino = render_text(text, TR).unwrap();
    assert_eq!(
        trino,
        "CAST(basket_cents AS BIGINT) > 5000 AND (LOWER(city) LIKE LOWER('ly%'))"
    );
    assert_eq!(
        render_text(text, PG).unwrap(),
        "CAST(basket_cents AS BIGINT) > 5000 AND city ILIKE 'ly%'"
    );
    assert_eq!(
        render_text("city not ilike 'ly%'", TR).unwrap(),
        "(LOWER(city) NOT LIKE LOWER('ly%'))"
    );
}

#[test]
fn translations() {
    let cases: &[(&str, Dialect, &str)] = &[
        ("iff(x > 1, 1, 0)", BQ, "CASE WHEN x > 1 THEN 1 ELSE 0 END"),
        ("if(x, 'a', 'b')", DUCK, "CASE WHEN x THEN 'a' ELSE 'b' END"),
        ("nvl(x, 0)", Dialect::Snowflake, "COALESCE(x, 0)"),
        ("concat(a, b, 'c')", PG, "(a || b || 'c')"),
        ("x % 2", BQ, "MOD(x, 2)"),
        ("x::double", PG, "CAST(x AS DOUBLE PRECISION)"),
        ("x::double", CH, "CAST(x AS Nullable(Float64))"),
        ("cast(x as text)", RS, "CAST(x AS VARCHAR(MAX))"),
        ("x::decimal(10, 2)", BQ, "CAST(x AS NUMERIC(10, 2))"),
        ("x::numeric(38, 20)", BQ, "CAST(x AS BIGNUMERIC(38, 20))"),
        ("x::boolean", CH, "CAST(x AS Nullable(Bool))"),
        ("lower(x)", CH, "lowerUTF8(x)"),
        ("substring(x from 2 for 3)", BQ, "SUBSTRING(x, 2, 3)"),
        ("substr(x, 2)", CH, "substringUTF8(x, 2)"),
        (
            "greatest(a, b + 1)",
            PG,
            "CASE WHEN a IS NULL OR (b + 1) IS NULL THEN NULL ELSE GREATEST(a, b + 1) END",
        ),
        ("greatest(a, b)", BQ, "greatest(a, b)"),
        ("round(x, 2)", PG, "ROUND(CAST(x AS NUMERIC), 2)"),
        (
            "date_trunc('week', t)",
            BQ,
            "DATE_TRUNC(CAST(t AS DATE), ISOWEEK)",
        ),
        ("date_trunc('Month', t)", CH, "toStartOfMonth(t)"),
        ("extract(year from t)", TR, "EXTRACT(YEAR FROM t)"),
        ("current_date", CH, "today()"),
        (
            "median(x)",
            PG,
            "(PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x))",
        ),
        ("count(distinct x) >= 3", CH, "count(DISTINCT x) >= 3"),
        ("\"My col\" = 'it''s'", BQ, "`My col` = 'it\\'s'"),
        // Unknown functions are written as is (their arguments translated): LS009 refuses
        // them unless a team allows it.
        ("my_udf(x::int)", BQ, "my_udf(CAST(x AS INT64))"),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(text, d, want)| {
            let got = render_text(text, *d).unwrap();
            (got != *want).then(|| format!("{text} on {}: {got}", d.name()))
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn what_is_refused_and_for_which_dialects() {
    let check = |text: &str, ds: &[Dialect]| -> Vec<(String, Vec<Dialect>, bool)> {
        let f = crate::model::Fragment::parse(
            crate::diagnostics::Spanned::new(text.to_owned(), Default::default()),
            crate::model::FragmentKind::Having,
        );
        check_expr(f.expr().expect(text), ds)
            .into_iter()
            .map(|r| (r.what, r.dialects, r.known))
            .collect()
    };
    let all = Dialect::ALL;
    assert_eq!(
        check("median(x) > 1", all),
        vec![("median".to_owned(), vec![BQ, TR], true)]
    );
    assert_eq!(check("median(x) > 1", &[PG, Dialect::Snowflake]), vec![]);
    assert_eq!(
        check("my_udf(x)", &[PG]),
        vec![("my_udf".to_owned(), vec![PG], false)]
    );
    for bad in [
        "x::decimal",
        "x::varchar(10)",
        "x::real",
        "x similar to 'a'",
        "x like 'a' escape '!'",
        "try_cast(x as int)",
        "lower(x, y)",
        "date_trunc('dow', t)",
        "extract(dow from t)",
        "lower(distinct x)",
        "sum(x) filter (where y)",
        "row_number()",
        "interval '1 day'",
        "s.my_udf(x)",
        "x ^ 2",
    ] {
        let got = check(bad, all);
        assert!(
            got.len() == 1 && !got[0].2 && got[0].1 == all,
            "{bad}: {got:?}"
        );
    }
    assert_eq!(check("lower(nights) || my_udf(x)", &[BQ]).len(), 1);
}

#[test]
fn atomic_templates() {
    assert!(atomic_template("MOD({0}, {1})"));
    assert!(atomic_template("CURRENT_DATE"));
    assert!(atomic_template("CASE WHEN {0} THEN {1} ELSE {2} END"));
    assert!(!atomic_template("LOWER({0}) {not}LIKE LOWER({1})"));
    assert!(!atomic_template("quantileExactInclusive(0.5)({0})"));
    assert!(!atomic_template(
        "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY {0})"
    ));
}

/// Rewrites the block between the markers of `path` with `want` (UPDATE_DOCS=1), or fails
/// when it is stale.
fn up_to_date(path: &str, want: &str) {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let have = std::fs::read_to_string(&full).unwrap_or_default();
    let (Some(b), Some(e)) = (have.find(BEGIN), have.find(END)) else {
        panic!("{path} has no `{}` ... `{END}` block", BEGIN.trim_end());
    };
    let block = &have[b + BEGIN.len()..e];
    if block == want {
        return;
    }
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let new = format!("{}{want}{}", &have[..b + BEGIN.len()], &have[e..]);
        std::fs::write(&full, new).expect("write");
        return;
    }
    panic!(
        "{path} is stale: regenerate it with \
         `UPDATE_DOCS=1 cargo test --no-default-features --lib -- portable_doc` and commit it"
    );
}

/// `docs/sql.md` ("Portable SQL fragments") is generated from the catalogue.
#[test]
fn portable_doc_is_up_to_date() {
    up_to_date("docs/sql.md", &markdown());
}

/// `tests/fixtures/portable/catalogue.tsv`: every example rendered for every dialect with its
/// expected value, which `tests/fixtures/portable/check.py` runs on real engines.
#[test]
fn portable_doc_fixture_is_up_to_date() {
    let mut want = String::from("dialect\texample\tsql\tresult\n");
    for row in CATALOGUE {
        for &d in Dialect::ALL {
            if let Ok(sql) = render_text(row.example, d) {
                want.push_str(&format!(
                    "{}\t{}\t{sql}\t{}\n",
                    d.name(),
                    row.example,
                    row.result
                ));
            }
        }
    }
    for t in TYPES {
        let (value, result) = match t.ty {
            Type::Integer => ("'12'", "12"),
            Type::Double => ("'1.5'", "1.5"),
            Type::Decimal(..) => ("'1.25'", "1.25"),
            Type::String => ("12", "12"),
            Type::Boolean => ("'true'", "true"),
            Type::Date => ("'2024-03-05'", "2024-03-05"),
            Type::Timestamp => ("'2024-03-05 10:30:00'", "2024-03-05 10:30:00"),
        };
        let written = t.written.split([',', ' ']).next().unwrap_or_default();
        let written = if matches!(t.ty, Type::Decimal(..)) {
            "decimal(10, 2)"
        } else {
            written
        };
        let example = format!("CAST({value} AS {written})");
        for &d in Dialect::ALL {
            let sql = render_text(&example, d).expect("every type renders");
            want.push_str(&format!("{}\t{example}\t{sql}\t{result}\n", d.name()));
        }
    }
    let path = format!(
        "{}/tests/fixtures/portable/catalogue.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::create_dir_all(format!(
                "{}/tests/fixtures/portable",
                env!("CARGO_MANIFEST_DIR")
            ))
            .expect("dir");
            std::fs::write(&path, want).expect("write");
            return;
        }
        panic!(
            "tests/fixtures/portable/catalogue.tsv is stale: regenerate it with \
             `UPDATE_DOCS=1 cargo test --no-default-features --lib -- portable_doc`"
        );
    }
}
