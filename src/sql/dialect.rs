//! What each warehouse writes differently. [`Vendor`] holds the generic form (DuckDB and
//! PostgreSQL accept it as is); each dialect overrides only what differs. The meaning is the
//! same everywhere: see `docs/sql.md`.

use chrono::NaiveDate;
use sqlparser::dialect as sp;

use super::Dialect;
use crate::model::Grain;

/// How one dialect writes the pieces of a query. Arguments are SQL text already rendered.
pub(crate) trait Vendor: Sync {
    /// The sqlparser dialect every generated statement is re-parsed with.
    fn parser(&self) -> &'static dyn sp::Dialect;

    /// The character that delimits a quoted identifier.
    fn quote(&self) -> char {
        '"'
    }

    /// Whether `\` escapes the next character inside string literals and quoted identifiers.
    fn backslash_escapes(&self) -> bool {
        false
    }

    /// Whether `''` inside a string literal means one `'` (else strings holding `'` are
    /// written with double quotes).
    fn doubled_quote_in_strings(&self) -> bool {
        true
    }

    /// Whether a quote character inside a quoted name is escaped by doubling it.
    fn doubled_quote_in_names(&self) -> bool {
        true
    }

    /// Whether simple lower-case names are left unquoted (Snowflake, where quoted names are
    /// case-sensitive and unquoted ones are stored in upper case).
    fn bare_simple_names(&self) -> bool {
        false
    }

    /// The row's time truncated to the start of its period, as a DATE. Weeks start on Monday.
    fn trunc(&self, grain: Grain, t: &str) -> String {
        match grain {
            Grain::Day => self.day(t),
            _ => format!("CAST(DATE_TRUNC('{grain}', {t}) AS DATE)"),
        }
    }

    /// The calendar day of a timestamp or date, as a DATE.
    fn day(&self, t: &str) -> String {
        format!("CAST({t} AS DATE)")
    }

    fn date(&self, d: NaiveDate) -> String {
        format!("DATE '{}'", d.format("%Y-%m-%d"))
    }

    /// `x` plus `n` days (`n` a SQL integer expression), as a DATE.
    fn add_days(&self, x: &str, n: &str) -> String {
        format!("CAST({x} + {n} * INTERVAL '1 day' AS DATE)")
    }

    /// `x` plus `n` months, as a DATE.
    fn add_months(&self, x: &str, n: &str) -> String {
        format!("CAST({x} + {n} * INTERVAL '1 month' AS DATE)")
    }

    fn float_type(&self) -> &'static str {
        "DOUBLE"
    }

    fn string_type(&self) -> &'static str {
        "VARCHAR"
    }

    fn float(&self, x: &str) -> String {
        format!("CAST({x} AS {})", self.float_type())
    }

    /// A NULL of type `ty` that may stand in a column other rows fill.
    fn null_of(&self, ty: &str) -> String {
        format!("CAST(NULL AS {ty})")
    }

    /// A numeric literal from a spec, written so that arithmetic on it is floating point where
    /// the vendor would otherwise read `60.0` as a fixed-precision decimal.
    fn number_literal(&self, n: &str) -> String {
        n.to_owned()
    }

    /// `a / b` in floating point; NULL when `b` is 0.
    fn divide(&self, a: &str, b: &str) -> String {
        format!("{} / NULLIF({b}, 0)", self.float(a))
    }

    /// The continuous percentile `p` (0..1) of `x`.
    fn percentile(&self, x: &str, p: f64) -> String {
        format!("PERCENTILE_CONT({p}) WITHIN GROUP (ORDER BY {x})")
    }

    fn median(&self, x: &str) -> String {
        self.percentile(x, 0.5)
    }

    /// `UNION` that removes duplicates.
    fn union_distinct(&self) -> &'static str {
        "UNION"
    }

    /// Equality where NULL equals NULL (joining dimension values).
    fn same(&self, a: &str, b: &str) -> String {
        format!("{a} IS NOT DISTINCT FROM {b}")
    }

    /// A derived table of the integers 0..n, in a column named `k` (`n` ≥ 1).
    fn integers(&self, n: u64) -> String {
        format!("generate_series(0, {}) AS s(k)", n - 1)
    }

    /// Text after the whole statement.
    fn suffix(&self) -> &'static str {
        ""
    }

    /// One line per difference from the generic form, for `lodestar dialects`.
    fn notes(&self) -> &'static str;
}

/// `x` plus `n` periods of `grain`.
pub(crate) fn add_grain(v: &dyn Vendor, grain: Grain, x: &str, n: i64) -> String {
    match grain {
        Grain::Day => v.add_days(x, &n.to_string()),
        Grain::Week => v.add_days(x, &(7 * n).to_string()),
        Grain::Month => v.add_months(x, &n.to_string()),
        Grain::Quarter => v.add_months(x, &(3 * n).to_string()),
        Grain::Year => v.add_months(x, &(12 * n).to_string()),
    }
}

/// [`add_grain`] with the count given as SQL text.
pub(crate) fn add_grain_expr(v: &dyn Vendor, grain: Grain, x: &str, k: &str) -> String {
    match grain {
        Grain::Day => v.add_days(x, k),
        Grain::Week => v.add_days(x, &format!("7 * {k}")),
        Grain::Month => v.add_months(x, k),
        Grain::Quarter => v.add_months(x, &format!("3 * {k}")),
        Grain::Year => v.add_months(x, &format!("12 * {k}")),
    }
}

pub(crate) fn vendor(d: Dialect) -> &'static dyn Vendor {
    match d {
        Dialect::Duckdb => &DuckDb,
        Dialect::Postgres => &Postgres,
        Dialect::Bigquery => &BigQuery,
        Dialect::Snowflake => &Snowflake,
        Dialect::Redshift => &Redshift,
        Dialect::Databricks => &Databricks,
        Dialect::Trino => &Trino,
        Dialect::Clickhouse => &ClickHouse,
    }
}

struct DuckDb;
impl Vendor for DuckDb {
    fn parser(&self) -> &'static dyn sp::Dialect {
        &sp::DuckDbDialect
    }
    fn notes(&self) -> &'static str {
        "the generic form: DATE_TRUNC (ISO weeks), PERCENTILE_CONT ... WITHIN GROUP, \
         generate_series, IS NOT DISTINCT FROM"
    }
}

struct Postgres;
impl Vendor for Postgres {
    fn parser(&self) -> &'static dyn sp::Dialect {
        &sp::PostgreSqlDialect {}
    }
    fn float_type(&self) -> &'static str {
        "DOUBLE PRECISION"
    }
    fn notes(&self) -> &'static str {
        "DOUBLE PRECISION for floats; otherwise the generic form"
    }
}

struct BigQuery;
impl Vendor for BigQuery {
    fn parser(&self) -> &'static dyn sp::Dialect {
        &sp::BigQueryDialect
    }
    fn quote(&self) -> char {
        '`'
    }
    fn backslash_escapes(&self) -> bool {
        true
    }
    fn doubled_quote_in_strings(&self) -> bool {
        false
    }
    fn doubled_quote_in_names(&self) -> bool {
        false
    }
    fn trunc(&self, grain: Grain, t: &str) -> String {
        let part = match grain {
            Grain::Day => return self.day(t),
            Grain::Week => "ISOWEEK",
            Grain::Month => "MONTH",
            Grain::Quarter => "QUARTER",
            Grain::Year => "YEAR",
        };
        format!("DATE_TRUNC({}, {part})", self.day(t))
    }
    fn add_days(&self, x: &str, n: &str) -> String {
        format!("DATE_ADD({x}, INTERVAL {n} DAY)")
    }
    fn add_months(&self, x: &str, n: &str) -> String {
        format!("DATE_ADD({x}, INTERVAL {n} MONTH)")
    }
    fn float_type(&self) -> &'static str {
        "FLOAT64"
    }
    fn string_type(&self) -> &'static str {
        "STRING"
    }
    fn divide(&self, a: &str, b: &str) -> String {
        format!("SAFE_DIVIDE({a}, {b})")
    }
    fn percentile(&self, x: &str, p: f64) -> String {
        // BigQuery's PERCENTILE_CONT is analytic only; APPROX_QUANTILES is the aggregate.
        let k = (p * 1000.0).round() as i64;
        format!("APPROX_QUANTILES({x}, 1000)[OFFSET({k})]")
    }
    fn union_distinct(&self) -> &'static str {
        "UNION DISTINCT"
    }
    fn integers(&self, n: u64) -> String {
        format!("UNNEST(GENERATE_ARRAY(0, {})) AS k", n - 1)
    }
    fn notes(&self) -> &'static str {
        "backticks; DATE_TRUNC(d, ISOWEEK); DATE_ADD; FLOAT64; SAFE_DIVIDE; \
         APPROX_QUANTILES(x, 1000) for median/percentile (approximate); UNION DISTINCT; \
         GENERATE_ARRAY"
    }
}

struct Snowflake;
impl Vendor for Snowflake {
    fn parser(&self) -> &'static dyn sp::Dialect {
        &sp::SnowflakeDialect
    }
    fn backslash_escapes(&self) -> bool {
        true
    }
    fn bare_simple_names(&self) -> bool {
        true
    }
    fn trunc(&self, grain: Grain, t: &str) -> String {
        match grain {
            Grain::Day => self.day(t),
            // DATE_TRUNC('week') follows the WEEK_START parameter; DAYOFWEEKISO does not.
            Grain::Week => format!("DATEADD(day, 1 - DAYOFWEEKISO({t}), {})", self.day(t)),
            _ => format!("CAST(DATE_TRUNC('{grain}', {t}) AS DATE)"),
        }
    }
    fn add_days(&self, x: &str, n: &str) -> String {
        format!("DATEADD(day, {n}, {x})")
    }
    fn add_months(&self, x: &str, n: &str) -> String {
        format!("DATEADD(month, {n}, {x})")
    }
    fn integers(&self, n: u64) -> String {
        format!(
            "(SELECT ROW_NUMBER() OVER (ORDER BY SEQ4()) - 1 AS k FROM TABLE(GENERATOR(ROWCOUNT => {n}))) AS s"
        )
    }
    fn notes(&self) -> &'static str {
        "simple lower-case names unquoted (quoted names are case-sensitive); weeks via \
         DAYOFWEEKISO (independent of WEEK_START); DATEADD; GENERATOR for series"
    }
}

struct Redshift;
impl Vendor for Redshift {
    fn parser(&self) -> &'static dyn sp::Dialect {
        &sp::RedshiftSqlDialect {}
    }
    fn backslash_escapes(&self) -> bool {
        true
    }
    fn add_days(&self, x: &str, n: &str) -> String {
        format!("CAST(DATEADD(day, {n}, {x}) AS DATE)")
    }
    fn add_months(&self, x: &str, n: &str) -> String {
        format!("CAST(DATEADD(month, {n}, {x}) AS DATE)")
    }
    fn float_type(&self) -> &'static str {
        "DOUBLE PRECISION"
    }
    fn same(&self, a: &str, b: &str) -> String {
        format!("({a} = {b} OR ({a} IS NULL AND {b} IS NULL))")
    }
    fn integers(&self, n: u64) -> String {
        // generate_series runs on the leader node only: cross join digits instead.
        let mut digits = 1;
        let mut cap = 10u64;
        while cap < n {
            digits += 1;
            cap = cap.saturating_mul(10);
        }
        let d = "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 \
                 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 \
                 UNION ALL SELECT 8 UNION ALL SELECT 9)";
        let sum: Vec<String> = (0..digits)
            .map(|i| format!("{} * d{i}.d", 10u64.pow(i)))
            .collect();
        let from: Vec<String> = (0..digits).map(|i| format!("{d} AS d{i}")).collect();
        format!(
            "(SELECT k FROM (SELECT {} AS k FROM {}) AS t WHERE k < {n}) AS s",
            sum.join(" + "),
            from.join(" CROSS JOIN ")
        )
    }
    fn notes(&self) -> &'static str {
        "DATEADD; DOUBLE PRECISION; NULL-safe equality spelled out; series from cross-joined \
         digits (generate_series is leader-node only)"
    }
}

struct Databricks;
impl Vendor for Databricks {
    fn parser(&self) -> &'static dyn sp::Dialect {
        &sp::DatabricksDialect
    }
    fn quote(&self) -> char {
        '`'
    }
    fn backslash_escapes(&self) -> bool {
        true
    }
    fn doubled_quote_in_strings(&self) -> bool {
        false
    }
    fn add_days(&self, x: &str, n: &str) -> String {
        format!("DATE_ADD({x}, {n})")
    }
    fn add_months(&self, x: &str, n: &str) -> String {
        format!("ADD_MONTHS({x}, {n})")
    }
    fn string_type(&self) -> &'static str {
        "STRING"
    }
    fn percentile(&self, x: &str, p: f64) -> String {
        format!("PERCENTILE({x}, {p})")
    }
    fn number_literal(&self, n: &str) -> String {
        // Spark reads `60.0` as DECIMAL and rounds quotients to 6 places; specs mean doubles.
        if n.contains(['.', 'e', 'E']) {
            format!("CAST({n} AS DOUBLE)")
        } else {
            n.to_owned()
        }
    }
    fn integers(&self, n: u64) -> String {
        format!("(SELECT EXPLODE(SEQUENCE(0, {})) AS k) AS s", n - 1)
    }
    fn notes(&self) -> &'static str {
        "backticks; DATE_ADD / ADD_MONTHS; PERCENTILE(x, p) (exact, continuous); \
         EXPLODE(SEQUENCE(...)) for series"
    }
}

struct Trino;
impl Vendor for Trino {
    fn parser(&self) -> &'static dyn sp::Dialect {
        &sp::GenericDialect
    }
    fn add_days(&self, x: &str, n: &str) -> String {
        format!("DATE_ADD('day', {n}, {x})")
    }
    fn add_months(&self, x: &str, n: &str) -> String {
        format!("DATE_ADD('month', {n}, {x})")
    }
    fn percentile(&self, x: &str, p: f64) -> String {
        format!("APPROX_PERCENTILE({x}, {p})")
    }
    fn integers(&self, n: u64) -> String {
        format!("UNNEST(SEQUENCE(0, {})) AS s(k)", n - 1)
    }
    fn notes(&self) -> &'static str {
        "DATE_ADD('unit', n, d); APPROX_PERCENTILE for median/percentile (approximate); \
         UNNEST(SEQUENCE(...)) for series; re-parsed with sqlparser's generic dialect"
    }
}

struct ClickHouse;
impl Vendor for ClickHouse {
    fn parser(&self) -> &'static dyn sp::Dialect {
        &sp::ClickHouseDialect {}
    }
    fn quote(&self) -> char {
        '`'
    }
    fn backslash_escapes(&self) -> bool {
        true
    }
    fn trunc(&self, grain: Grain, t: &str) -> String {
        let f = match grain {
            Grain::Day => "toDate",
            Grain::Week => "toMonday",
            Grain::Month => "toStartOfMonth",
            Grain::Quarter => "toStartOfQuarter",
            Grain::Year => "toStartOfYear",
        };
        format!("{f}({t})")
    }
    fn day(&self, t: &str) -> String {
        format!("toDate({t})")
    }
    fn date(&self, d: NaiveDate) -> String {
        format!("toDate('{}')", d.format("%Y-%m-%d"))
    }
    fn add_days(&self, x: &str, n: &str) -> String {
        format!("addDays({x}, {n})")
    }
    fn add_months(&self, x: &str, n: &str) -> String {
        format!("addMonths({x}, {n})")
    }
    fn float_type(&self) -> &'static str {
        "Float64"
    }
    fn string_type(&self) -> &'static str {
        "String"
    }
    fn null_of(&self, ty: &str) -> String {
        // ClickHouse types are not nullable unless declared so.
        format!("CAST(NULL AS Nullable({ty}))")
    }
    fn percentile(&self, x: &str, p: f64) -> String {
        format!("quantileExactInclusive({p})({x})")
    }
    fn union_distinct(&self) -> &'static str {
        "UNION DISTINCT"
    }
    fn same(&self, a: &str, b: &str) -> String {
        format!("isNotDistinctFrom({a}, {b})")
    }
    fn integers(&self, n: u64) -> String {
        format!("(SELECT number AS k FROM numbers({n})) AS s")
    }
    fn suffix(&self) -> &'static str {
        // Outer joins give NULL (not the type's default) for missing rows.
        " SETTINGS join_use_nulls = 1"
    }
    fn notes(&self) -> &'static str {
        "backticks; toMonday / toStartOfMonth / ...; addDays / addMonths; Float64; \
         quantileExactInclusive(p)(x) (exact, continuous); numbers(n); UNION DISTINCT; \
         SETTINGS join_use_nulls = 1"
    }
}
