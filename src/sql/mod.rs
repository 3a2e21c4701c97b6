//! Model → SQL, per dialect. The only stage that knows SQL dialects.
//!
//! Entry point: [`compile`]. Model → plan of each query (its parts, values and lookbacks,
//! [`plan`]) → text built from quoted names and re-rendered fragment trees ([`emit`],
//! [`render`]), written the generic way with per-dialect overrides ([`dialect`]) → re-parsed
//! with the target's sqlparser dialect before it leaves. The meaning of every query is written
//! down in `docs/sql.md`.

mod dialect;
mod emit;
mod plan;
pub mod portable;
mod render;

use chrono::NaiveDate;

use crate::model::{Metric, Product, Project};

/// A warehouse SQL dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Dialect {
    Duckdb,
    Postgres,
    Bigquery,
    Snowflake,
    Redshift,
    /// Databricks / Spark SQL.
    Databricks,
    Trino,
    Clickhouse,
}

impl Dialect {
    pub const ALL: &'static [Dialect] = &[
        Dialect::Duckdb,
        Dialect::Postgres,
        Dialect::Bigquery,
        Dialect::Snowflake,
        Dialect::Redshift,
        Dialect::Databricks,
        Dialect::Trino,
        Dialect::Clickhouse,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Duckdb => "duckdb",
            Dialect::Postgres => "postgres",
            Dialect::Bigquery => "bigquery",
            Dialect::Snowflake => "snowflake",
            Dialect::Redshift => "redshift",
            Dialect::Databricks => "databricks",
            Dialect::Trino => "trino",
            Dialect::Clickhouse => "clickhouse",
        }
    }
}

/// What to compile beyond the spec itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// First period to report (inclusive); with `to`, periods without rows are present.
    pub from: Option<NaiveDate>,
    /// Last day to report (inclusive).
    pub to: Option<NaiveDate>,
    /// Dimension breakdowns (`--by`), by dimension name.
    pub by: Vec<String>,
    /// The metrics to write (`--select`; `None`: all). The metrics they are computed from are
    /// computed too, but have no query, scorecard column or guardrail check of their own.
    pub select: Option<crate::model::Selection>,
}

impl Options {
    fn chosen(&self, product: &str, metric: &str) -> bool {
        self.select
            .as_ref()
            .is_none_or(|s| s.contains(product, metric))
    }
}

/// One metric's SELECT: columns `period`, any `--by` dimensions, `value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompiledMetric {
    pub name: String,
    pub sql: String,
}

/// Everything compiled for one product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompiledProduct {
    pub product: String,
    /// North Star, inputs, guardrails, in that order.
    pub metrics: Vec<CompiledMetric>,
    /// One row per period (column `period`), then one column per metric in print order.
    pub scorecard: String,
    /// Every breached period: columns `period`, `guardrail`, `value`, `min`, `max`.
    pub guardrails: String,
}

/// Why SQL could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The request does not fit the project (e.g. `--by` a dimension a source lacks).
    #[error("{0}")]
    Invalid(String),
    /// Generated SQL failed to re-parse: a bug in lodestar, never output.
    #[error("internal error: generated SQL for {what} does not parse as {dialect}: {error}")]
    Internal {
        what: String,
        dialect: &'static str,
        error: String,
    },
}

impl Dialect {
    /// What this dialect writes differently from the generic form (for `lodestar dialects`).
    pub fn notes(self) -> &'static str {
        dialect::vendor(self).notes()
    }

    /// The longest identifier the dialect keeps, in bytes (`None`: no limit that matters).
    pub fn max_identifier(self) -> Option<usize> {
        dialect::vendor(self).max_identifier()
    }
}

/// Names the compiled SQL and its files use for themselves, each with where it is used. A
/// metric may not be named like one (LS907), nor a `--by` dimension like one of the columns.
pub const RESERVED_NAMES: &[(&str, &str)] = &[
    ("period", "the first column of every query"),
    (
        "value",
        "the column of each metric's query and of `guardrails.sql`",
    ),
    ("guardrail", "a column of `guardrails.sql`"),
    ("min", "a column of `guardrails.sql`"),
    ("max", "a column of `guardrails.sql`"),
    ("scorecard", "the file `<product>/scorecard.sql`"),
    ("guardrails", "the file `<product>/guardrails.sql`"),
    (
        "product",
        "a column of `lodestar run` and `lodestar guard` tables",
    ),
    (
        "complete",
        "a column of `lodestar run` tables (is the period over?)",
    ),
];

/// The prefix of every name the compiled SQL makes up for itself (CTE columns, aliases).
pub const INTERNAL_PREFIX: &str = "lodestar_";

/// Refuses `--by` dimensions whose output column would collide with another column of the
/// queries (`period`, `value`, a metric of a compiled product, another `--by`) or that the
/// dialect cannot keep whole.
fn check_by(project: &Project, dialect: Dialect, by: &[String]) -> Result<(), CompileError> {
    let invalid = |dim: &str, why: String| {
        Err(CompileError::Invalid(format!(
            "cannot break down by `{dim}`: {why}"
        )))
    };
    for (i, dim) in by.iter().enumerate() {
        let lower = dim.to_ascii_lowercase();
        if by[..i].iter().any(|d| d.eq_ignore_ascii_case(dim)) {
            return invalid(dim, "it is given twice".to_owned());
        }
        if let Some((name, what)) = RESERVED_NAMES.iter().find(|(n, _)| *n == lower) {
            return invalid(
                dim,
                format!("`{name}` is {what}; a dimension named like it would collide with it"),
            );
        }
        if lower.starts_with(INTERNAL_PREFIX) {
            return invalid(
                dim,
                format!("names starting `{INTERNAL_PREFIX}` are lodestar's own in the SQL"),
            );
        }
        let metric = project.products.iter().find_map(|p| {
            p.metrics
                .iter()
                .find(|m| m.name.value.eq_ignore_ascii_case(dim))
                .map(|m| (p, m))
        });
        if let Some((p, m)) = metric {
            return invalid(
                dim,
                format!(
                    "metric `{}` of product `{}` has that name, and the scorecard has a column \
                     per metric beside the dimensions",
                    m.name.value, p.name.value
                ),
            );
        }
        if let Some(limit) = dialect.max_identifier().filter(|&l| dim.len() > l) {
            return invalid(
                dim,
                format!(
                    "the name is {} bytes long; {} keeps at most {limit} bytes of an identifier",
                    dim.len(),
                    dialect.name()
                ),
            );
        }
    }
    Ok(())
}

/// Compiles every product of a checked project (one without errors) for one dialect.
pub fn compile(
    project: &Project,
    dialect: Dialect,
    options: &Options,
) -> Result<Vec<CompiledProduct>, CompileError> {
    let mut all = compile_dialects(project, &[dialect], options)?;
    Ok(all.pop().map(|(_, products)| products).unwrap_or_default())
}

/// Compiles every product for each dialect, in the order given.
pub fn compile_dialects(
    project: &Project,
    dialects: &[Dialect],
    options: &Options,
) -> Result<Vec<(Dialect, Vec<CompiledProduct>)>, CompileError> {
    use rayon::prelude::*;
    for &d in dialects {
        check_by(project, d, &options.by)?;
    }
    let checked = Checked::default();
    let products: Vec<&Product> = project
        .products
        .iter()
        .filter(|p| {
            options
                .select
                .as_ref()
                .is_none_or(|s| s.has_product(&p.name.value))
        })
        .collect();
    // Products are independent, in every dialect: one pool of work for every core (rayon
    // keeps the order), and the first error in that order is reported.
    let jobs: Vec<(Dialect, &Product)> = dialects
        .iter()
        .flat_map(|&d| products.iter().map(move |&p| (d, p)))
        .collect();
    let mut results = jobs
        .par_iter()
        .map(|&(d, p)| product(project, p, d, options, &checked))
        .collect::<Vec<_>>()
        .into_iter();
    let mut out = Vec::with_capacity(dialects.len());
    for &d in dialects {
        let compiled = results
            .by_ref()
            .take(products.len())
            .collect::<Result<Vec<_>, _>>()?;
        out.push((d, compiled));
    }
    Ok(out)
}

fn product(
    project: &Project,
    product: &Product,
    dialect: Dialect,
    options: &Options,
    checked: &Checked,
) -> Result<CompiledProduct, CompileError> {
    let v = dialect::vendor(dialect);
    let ctx = emit::Ctx {
        project,
        product,
        v,
        options,
        rendered: emit::Rendered::default(),
    };
    let name = &product.name.value;
    let mut metrics = Vec::with_capacity(product.metrics.len());
    for m in product
        .metrics
        .iter()
        .filter(|m| options.chosen(name, &m.name.value))
    {
        let built = emit::build(&ctx, &[("value", m)], m.grain.value, "")?;
        let what = format!("{name}/{}", m.name.value);
        metrics.push(CompiledMetric {
            name: m.name.value.clone(),
            sql: finish(dialect, &what, built, checked)?,
        });
    }
    let scorecard = scorecard(&ctx, product)?;
    let guardrails = guardrails(&ctx, product)?;
    Ok(CompiledProduct {
        product: name.clone(),
        metrics,
        scorecard: finish(dialect, &format!("{name}/scorecard"), scorecard, checked)?,
        guardrails: finish(dialect, &format!("{name}/guardrails"), guardrails, checked)?,
    })
}

/// Every metric at the North Star's grain (the first metric's, when there is no single one).
fn scorecard(ctx: &emit::Ctx<'_>, product: &Product) -> Result<emit::Built, CompileError> {
    let grain = match product.north_star().or(product.metrics.first()) {
        Some(m) => m.grain.value,
        None => crate::model::Grain::Week,
    };
    let outputs: Vec<(&str, &Metric)> = product
        .metrics
        .iter()
        .filter(|m| ctx.options.chosen(&product.name.value, &m.name.value))
        .map(|m| (m.name.value.as_str(), m))
        .collect();
    if outputs.is_empty() {
        return Err(CompileError::Invalid(format!(
            "product `{}` has no metrics",
            product.name.value
        )));
    }
    emit::build(ctx, &outputs, grain, "")
}

/// Every period where a guardrail (at its own grain) is outside its threshold.
fn guardrails(ctx: &emit::Ctx<'_>, product: &Product) -> Result<emit::Built, CompileError> {
    let v = ctx.v;
    let id = |s: &str| render::ident(v, s);
    let float = |x: &str| v.float(x);
    let (period, guardrail, value, min, max) = (
        id("period")?,
        id("guardrail")?,
        id("value")?,
        id("min")?,
        id("max")?,
    );
    let dims: Vec<String> = ctx
        .options
        .by
        .iter()
        .map(|d| id(d))
        .collect::<Result<_, _>>()?;
    let mut keys = vec![period.clone()];
    keys.extend(dims.iter().cloned());
    let mut ctes = Vec::new();
    let mut breaches = Vec::new();
    let chosen = product
        .guardrails()
        .filter(|g| ctx.options.chosen(&product.name.value, &g.name.value));
    for (j, g) in chosen.enumerate() {
        let built = emit::build(ctx, &[("value", g)], g.grain.value, &format!("g{j}_"))?;
        let name = id(&format!("g{j}"))?;
        ctes.extend(built.ctes);
        ctes.push((name.clone(), built.select));
        let bound =
            |b: Option<&crate::diagnostics::Spanned<f64>>| -> Result<Option<String>, CompileError> {
                b.map(|b| render::number(b.value)).transpose()
            };
        let lo = bound(g.threshold.as_ref().and_then(|t| t.min.as_ref()))?;
        let hi = bound(g.threshold.as_ref().and_then(|t| t.max.as_ref()))?;
        let mut when = Vec::new();
        if let Some(lo) = &lo {
            when.push(format!("{name}.{value} < {lo}"));
        }
        if let Some(hi) = &hi {
            when.push(format!("{name}.{value} > {hi}"));
        }
        if when.is_empty() {
            continue;
        }
        let null = v.null_of(v.float_type());
        let mut cols: Vec<String> = keys.iter().map(|k| format!("{name}.{k} AS {k}")).collect();
        cols.push(format!(
            "{} AS {guardrail}",
            render::string(v, &g.name.value)?
        ));
        cols.push(format!("{} AS {value}", float(&format!("{name}.{value}"))));
        let bound = |b: &Option<String>| b.as_ref().map_or(null.clone(), |b| float(b));
        cols.push(format!("{} AS {min}", bound(&lo)));
        cols.push(format!("{} AS {max}", bound(&hi)));
        breaches.push(format!(
            "SELECT {} FROM {name} WHERE {}",
            cols.join(", "),
            when.join(" OR ")
        ));
    }
    if breaches.is_empty() {
        let mut cols = vec![format!("{} AS {period}", v.null_of("DATE"))];
        cols.extend(
            dims.iter()
                .map(|d| format!("{} AS {d}", v.null_of(v.string_type()))),
        );
        cols.push(format!("{} AS {guardrail}", v.null_of(v.string_type())));
        for c in [&value, &min, &max] {
            cols.push(format!("{} AS {c}", v.null_of(v.float_type())));
        }
        breaches.push(format!("SELECT {} WHERE 1 = 0", cols.join(", ")));
    }
    let mut all = keys.clone();
    all.extend([guardrail.clone(), value, min, max]);
    let b = id("breaches")?;
    let select = format!(
        "SELECT {}\nFROM (\n  {}\n) AS {b}",
        all.iter()
            .map(|c| format!("{b}.{c}"))
            .collect::<Vec<_>>()
            .join(", "),
        breaches.join("\n  UNION ALL\n  ")
    );
    keys.push(guardrail);
    Ok(emit::Built { ctes, select, keys })
}

/// The statement's text, re-parsed with the dialect: exactly one statement, or an internal
/// error (never output).
///
/// The check is made in pieces, each parsed once per shape (see [`shape`]): every CTE body
/// alone, as exactly one query; and the statement with every body replaced by `SELECT 1`, as
/// exactly one statement. A body that parses alone has every quote and comment closed, so
/// inside its parentheses it is the same tokens and the same query. The pieces of a scorecard
/// (its parts are those of its metrics' queries) are then mostly shapes already checked.
fn finish(
    dialect: Dialect,
    what: &str,
    built: emit::Built,
    checked: &Checked,
) -> Result<String, CompileError> {
    use sqlparser::ast::Statement;
    let v = dialect::vendor(dialect);
    let internal = |error: String| CompileError::Internal {
        what: what.to_owned(),
        dialect: dialect.name(),
        error,
    };
    let parse = |sql: &str| {
        sqlparser::parser::Parser::new(v.parser())
            .with_recursion_limit(256)
            .try_with_sql(sql)
            .and_then(|mut p| p.parse_statements())
            .map_err(|e| internal(e.to_string()))
    };
    let backslash = v.backslash_escapes();
    for (name, body) in &built.ctes {
        let shape = shape(body, backslash, Piece::Query);
        if checked.contains(shape) {
            continue;
        }
        match parse(body)?.as_slice() {
            [Statement::Query(_)] => checked.insert(shape),
            _ => return Err(internal(format!("the body of {name} is not one query"))),
        }
    }
    let sql = assemble(&built, v.suffix(), None);
    let skeleton = (!built.ctes.is_empty()).then(|| assemble(&built, v.suffix(), Some("SELECT 1")));
    let whole = skeleton.as_deref().unwrap_or(&sql);
    let shape = shape(whole, backslash, Piece::Statement);
    if !checked.contains(shape) {
        match parse(whole)?.len() {
            1 => checked.insert(shape),
            n => return Err(internal(format!("{n} statements instead of one"))),
        }
    }
    Ok(sql)
}

/// The statement's text: `WITH` its CTEs (each body indented, or `body` in its place), the
/// SELECT and ORDER BY.
fn assemble(built: &emit::Built, suffix: &str, body: Option<&str>) -> String {
    let size: usize = built
        .ctes
        .iter()
        .map(|(name, b)| name.len() + body.map_or(b.len() * 9 / 8, str::len) + 16)
        .sum::<usize>()
        + built.select.len()
        + 64;
    let mut sql = String::with_capacity(size);
    for (i, (name, b)) in built.ctes.iter().enumerate() {
        sql.push_str(if i == 0 { "WITH " } else { ",\n" });
        sql.push_str(name);
        sql.push_str(" AS (\n  ");
        // The body indented by two spaces.
        for (j, line) in body.unwrap_or(b).split('\n').enumerate() {
            if j > 0 {
                sql.push_str("\n  ");
            }
            sql.push_str(line);
        }
        sql.push_str("\n)");
    }
    if !built.ctes.is_empty() {
        sql.push('\n');
    }
    sql.push_str(&built.select);
    sql.push_str("\nORDER BY ");
    sql.push_str(&built.keys.join(", "));
    sql.push_str(suffix);
    sql.push_str(";\n");
    sql
}

/// The bytes [`shape`] stops at: quotes and digits.
static SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'\'' as usize] = true;
    t[b'"' as usize] = true;
    t[b'`' as usize] = true;
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] = true;
        d += 1;
    }
    t
};

/// What a shape is the shape of: a whole statement, or a CTE body checked alone.
#[derive(Clone, Copy)]
enum Piece {
    Statement,
    Query,
}

/// The shapes of the statements one `compile` has parsed and found whole (see [`shape`]).
#[derive(Default)]
struct Checked(std::sync::Mutex<std::collections::HashSet<u64>>);

impl Checked {
    fn contains(&self, shape: u64) -> bool {
        self.0.lock().is_ok_and(|seen| seen.contains(&shape))
    }

    fn insert(&self, shape: u64) {
        if let Ok(mut seen) = self.0.lock() {
            seen.insert(shape);
        }
    }
}

/// A hash of a statement's shape: its text with every string literal, quoted identifier and
/// number replaced by a placeholder. Two statements of one shape differ only in the contents
/// of tokens that the parser takes whole, so they parse alike: the final check parses each
/// shape once (a project of many similar metrics has few shapes; every statement of a project
/// whose fragments all differ is still parsed). `backslash`: the dialect escapes quotes in
/// strings with a backslash rather than by doubling them.
fn shape(sql: &str, backslash: bool, piece: Piece) -> u64 {
    use std::hash::Hasher;
    // FxHash: a statement is hashed in full, and SipHash's resistance to chosen collisions buys
    // nothing here (a collision could only skip a check of SQL that lodestar itself wrote).
    let mut h = rustc_hash::FxHasher::default();
    h.write_u8(piece as u8);
    let b = sql.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
    let mut i = 0;
    // The end of the last literal: the text from here to the next one is hashed as it is.
    let mut start = 0;
    while i < b.len() {
        // Most of a statement is neither a quote nor a digit: skip it in a tight loop.
        while i < b.len() && !SPECIAL[usize::from(b[i])] {
            i += 1;
        }
        let Some(&c) = b.get(i) else { break };
        let token_end = match c {
            b'\'' | b'"' | b'`' => {
                // Through the closing quote: doubled quotes (or, for strings in a backslash
                // dialect, a backslash and any byte) stay inside.
                let mut j = i + 1;
                loop {
                    match b.get(j) {
                        None => break j,
                        Some(b'\\') if c == b'\'' && backslash => j += 2,
                        Some(&q) if q == c => {
                            if b.get(j + 1) == Some(&c) && !(c == b'\'' && backslash) {
                                j += 2;
                            } else {
                                break j + 1;
                            }
                        }
                        Some(_) => j += 1,
                    }
                }
            }
            // A digit inside a word (`p0`, `lodestar_m12`) is part of a name.
            _ if i > start && word(b[i - 1]) => {
                i += 1;
                continue;
            }
            _ => {
                let mut j = i;
                while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.') {
                    j += 1;
                }
                j
            }
        };
        h.write(&b[start..i]);
        h.write_u8(0xff);
        h.write_u8(if c.is_ascii_digit() { b'0' } else { c });
        i = token_end.min(b.len());
        start = i;
    }
    h.write(&b[start..]);
    h.finish()
}

#[cfg(test)]
mod shape_tests {
    use super::{shape, Piece};

    #[test]
    fn literals_names_and_numbers_do_not_change_a_shape() {
        let a = shape(
            r#"SELECT "a"."x" FROM "t" WHERE k = 'create' AND n > 10"#,
            false,
            Piece::Statement,
        );
        let b = shape(
            r#"SELECT "bb"."yy" FROM "u" WHERE k = 'it''s' AND n > 2.5"#,
            false,
            Piece::Statement,
        );
        assert_eq!(a, b);
        // Names in words (p0, k1) are not numbers.
        assert_ne!(
            shape("SELECT p0 FROM t", false, Piece::Statement),
            shape("SELECT p FROM t", false, Piece::Statement)
        );
    }

    #[test]
    fn structure_changes_a_shape() {
        let base = shape("SELECT 'a' FROM t WHERE x = 1", false, Piece::Statement);
        for other in [
            "SELECT 'a' FROM t WHERE x = 1 AND y",
            "SELECT 'a' FROM t WHERE x == 1",
            "SELECT 'a', FROM t WHERE x = 1",
            "SELECT \"a\" FROM t WHERE x = 1",
            "SELECT 'a FROM t WHERE x = 1",
            "SELECT 'a' FROM t WHERE y = 1",
        ] {
            assert_ne!(base, shape(other, false, Piece::Statement), "{other}");
        }
    }

    #[test]
    fn escapes_stay_inside_their_literal() {
        // Doubled quotes, or a backslash in dialects that escape with one.
        assert_eq!(
            shape("SELECT 'a''b' x", false, Piece::Statement),
            shape("SELECT 'c' x", false, Piece::Statement)
        );
        assert_eq!(
            shape(r"SELECT 'a\'b' x", true, Piece::Statement),
            shape("SELECT 'c' x", true, Piece::Statement)
        );
        assert_eq!(
            shape(r#"SELECT "a""b" x"#, false, Piece::Statement),
            shape(r#"SELECT "c" x"#, false, Piece::Statement)
        );
        assert_eq!(
            shape("SELECT `a``b` x", false, Piece::Statement),
            shape("SELECT `c` x", false, Piece::Statement)
        );
        // Without backslash escapes, `\'` ends the string: the rest is outside it.
        assert_ne!(
            shape(r"SELECT 'a\'b' x", false, Piece::Statement),
            shape("SELECT 'c' x", false, Piece::Statement)
        );
    }
}

#[cfg(test)]
mod finish_tests {
    use super::{emit::Built, finish, Checked, CompileError, Dialect};

    fn built(ctes: &[(&str, &str)], select: &str) -> Built {
        Built {
            ctes: ctes
                .iter()
                .map(|(n, b)| ((*n).to_owned(), (*b).to_owned()))
                .collect(),
            select: select.to_owned(),
            keys: vec!["a".to_owned()],
        }
    }

    fn check(
        checked: &Checked,
        ctes: &[(&str, &str)],
        select: &str,
    ) -> Result<String, CompileError> {
        finish(Dialect::Postgres, "p/m", built(ctes, select), checked)
    }

    #[test]
    fn whole_statements_pass_and_are_assembled_in_order() {
        let checked = Checked::default();
        let sql = check(
            &checked,
            &[("p0", "SELECT 1 AS a\nFROM t")],
            "SELECT a FROM p0",
        )
        .unwrap();
        assert_eq!(
            sql,
            "WITH p0 AS (\n  SELECT 1 AS a\n  FROM t\n)\nSELECT a FROM p0\nORDER BY a;\n"
        );
    }

    #[test]
    fn a_body_that_is_not_one_query_is_an_internal_error() {
        for body in [
            "SELECT 1 AS a; DROP TABLE t",
            "SELECT 1 AS a /* open",
            "SELECT 'open AS a",
            "SELECT 1 AS a) UNION (SELECT 2",
            "DELETE FROM t",
        ] {
            // Even after the same statement shape passed with a sound body.
            let checked = Checked::default();
            check(&checked, &[("p0", "SELECT 1 AS a")], "SELECT a FROM p0").unwrap();
            let e = check(&checked, &[("p0", body)], "SELECT a FROM p0").unwrap_err();
            assert!(matches!(e, CompileError::Internal { .. }), "{body}: {e}");
        }
    }

    #[test]
    fn a_select_that_breaks_the_statement_is_an_internal_error() {
        let checked = Checked::default();
        check(&checked, &[("p0", "SELECT 1 AS a")], "SELECT a FROM p0").unwrap();
        for select in [
            "SELECT a FROM p0; DROP TABLE t",
            "SELECT a FROM (p0",
            "SELECT a FROM p0 /*",
        ] {
            let e = check(&checked, &[("p0", "SELECT 1 AS a")], select).unwrap_err();
            assert!(matches!(e, CompileError::Internal { .. }), "{select}: {e}");
        }
    }
}
