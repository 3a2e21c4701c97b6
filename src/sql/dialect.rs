//! What each warehouse writes differently. [`Vendor`] holds the generic form (DuckDB and
//! PostgreSQL accept it as is); each dialect overrides only what differs, and Redshift starts
//! from PostgreSQL. The meaning is the same everywhere: see `docs/sql.md`.

use chrono::NaiveDate;
use sqlparser::dialect as sp;

use super::plan::PartRules;
use super::Dialect;
use crate::model::Grain;

/// The calendar unit of an interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    Day,
    Month,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Day => "day",
            Unit::Month => "month",
        }
    }
}

/// How a dialect writes an exact, interpolating (continuous) percentile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PercentileForm {
    /// An aggregate function ([`Vendor::percentile`]).
    Aggregate,
    /// BigQuery: `PERCENTILE_CONT(x, p) OVER (PARTITION BY ...)`, then one value per group.
    Analytic,
    /// Trino: the sorted array of the values, interpolated between its closest ranks.
    SortedArray,
}

/// How one dialect writes the pieces of a query. Arguments are SQL text already rendered.
pub(crate) trait Vendor: Sync {
    /// The sqlparser dialect every generated statement is re-parsed with.
    fn parser(&self) -> &'static dyn sp::Dialect;

    /// Which dialect this is (the portable-SQL catalogue is keyed by it).
    fn dialect(&self) -> Dialect;

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

    /// The longest identifier the dialect keeps, in bytes (`None`: no limit that matters).
    fn max_identifier(&self) -> Option<usize> {
        None
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

    /// The date `x` plus `n` (a SQL integer expression) days or months, as a DATE. The one
    /// place each dialect spells date arithmetic.
    fn add(&self, x: &str, n: &str, unit: Unit) -> String {
        format!("CAST({x} + {n} * INTERVAL '1 {}' AS DATE)", unit.as_str())
    }

    /// The timestamp `t` plus `days` days (a literal), as a timestamp.
    fn add_days_to_time(&self, t: &str, days: u32) -> String {
        format!("{t} + INTERVAL '{days} day'")
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

    fn string(&self, x: &str) -> String {
        format!("CAST({x} AS {})", self.string_type())
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

    fn percentile_form(&self) -> PercentileForm {
        PercentileForm::Aggregate
    }

    /// The exact continuous percentile `p` (0..1) of `x`, as an aggregate.
    fn percentile(&self, x: &str, p: f64) -> String {
        format!("PERCENTILE_CONT({p}) WITHIN GROUP (ORDER BY {x})")
    }

    /// Whether every percentile of one SELECT must order by the same expression.
    fn one_percentile_order(&self) -> bool {
        false
    }

    /// `UNION` that removes duplicates.
    fn union_distinct(&self) -> &'static str {
        "UNION"
    }

    /// Equality where NULL equals NULL (joining dimension values).
    fn same(&self, a: &str, b: &str) -> String {
        format!("{a} IS NOT DISTINCT FROM {b}")
    }

    /// `left` joined with `right` on a condition that is not only equalities.
    fn range_join(&self, left: &str, right: &str, on: &str) -> String {
        format!("{left}\nJOIN {right} ON {on}")
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

    /// Which terms may share a scan in this dialect.
    fn part_rules(&self) -> PartRules {
        PartRules {
            percentile_alone: self.percentile_form() != PercentileForm::Aggregate,
            one_percentile_order: self.one_percentile_order(),
        }
    }
}

/// `x` plus `n` periods of `grain`.
pub(crate) fn add_grain(v: &dyn Vendor, grain: Grain, x: &str, n: i64) -> String {
    let (k, unit) = periods(grain, n);
    v.add(x, &k.to_string(), unit)
}

/// [`add_grain`] with the count given as SQL text.
pub(crate) fn add_grain_expr(v: &dyn Vendor, grain: Grain, x: &str, k: &str) -> String {
    match grain {
        Grain::Day => v.add(x, k, Unit::Day),
        Grain::Week => v.add(x, &format!("7 * {k}"), Unit::Day),
        Grain::Month => v.add(x, k, Unit::Month),
        Grain::Quarter => v.add(x, &format!("3 * {k}"), Unit::Month),
        Grain::Year => v.add(x, &format!("12 * {k}"), Unit::Month),
    }
}

/// `n` periods of `grain` as a number of days or months.
fn periods(grain: Grain, n: i64) -> (i64, Unit) {
    match grain {
        Grain::Day => (n, Unit::Day),
        Grain::Week => (7 * n, Unit::Day),
        Grain::Month => (n, Unit::Month),
        Grain::Quarter => (3 * n, Unit::Month),
        Grain::Year => (12 * n, Unit::Month),
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
    fn dialect(&self) -> Dialect {
        Dialect::Duckdb
    }
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
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }
    fn parser(&self) -> &'static dyn sp::Dialect {
        &sp::PostgreSqlDialect {}
    }
    fn max_identifier(&self) -> Option<usize> {
        Some(63)
    }
    fn float_type(&self) -> &'static str {
        "DOUBLE PRECISION"
    }
    fn notes(&self) -> &'static str {
        "DOUBLE PRECISION for floats; names of at most 63 bytes; otherwise the generic form"
    }
}

/// PostgreSQL as Redshift runs it: what differs is overridden, the rest is PostgreSQL's.
struct Redshift;
impl Vendor for Redshift {
    fn dialect(&self) -> Dialect {
        Dialect::Redshift
    }
    fn parser(&self) -> &'static dyn sp::Dialect {
        &sp::RedshiftSqlDialect {}
    }
    fn backslash_escapes(&self) -> bool {
        true
    }
    fn max_identifier(&self) -> Option<usize> {
        Some(127)
    }
    fn float_type(&self) -> &'static str {
        Postgres.float_type()
    }
    fn add(&self, x: &str, n: &str, unit: Unit) -> String {
        format!("CAST(DATEADD({}, {n}, {x}) AS DATE)", unit.as_str())
    }
    fn add_days_to_time(&self, t: &str, days: u32) -> String {
        format!("DATEADD(day, {days}, {t})")
    }
    fn one_percentile_order(&self) -> bool {
        true
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
        "PostgreSQL with: DATEADD; NULL-safe equality spelled out; series from cross-joined \
         digits (generate_series is leader-node only); percentiles of different expressions in \
         separate scans; names of at most 127 bytes"
    }
}

struct BigQuery;
impl Vendor for BigQuery {
    fn dialect(&self) -> Dialect {
        Dialect::Bigquery
    }
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
    fn max_identifier(&self) -> Option<usize> {
        Some(300)
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
    fn add(&self, x: &str, n: &str, unit: Unit) -> String {
        format!(
            "DATE_ADD({x}, INTERVAL {n} {})",
            unit.as_str().to_ascii_uppercase()
        )
    }
    fn add_days_to_time(&self, t: &str, days: u32) -> String {
        format!("{t} + INTERVAL {days} DAY")
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
    fn percentile_form(&self) -> PercentileForm {
        // PERCENTILE_CONT is analytic only; APPROX_QUANTILES would be approximate.
        PercentileForm::Analytic
    }
    fn percentile(&self, x: &str, p: f64) -> String {
        format!("PERCENTILE_CONT({x}, {p})")
    }
    fn union_distinct(&self) -> &'static str {
        "UNION DISTINCT"
    }
    fn integers(&self, n: u64) -> String {
        format!("UNNEST(GENERATE_ARRAY(0, {})) AS k", n - 1)
    }
    fn notes(&self) -> &'static str {
        "backticks; DATE_TRUNC(d, ISOWEEK); DATE_ADD; FLOAT64; SAFE_DIVIDE; exact percentiles \
         with the analytic PERCENTILE_CONT(x, p) OVER (PARTITION BY ...); UNION DISTINCT; \
         GENERATE_ARRAY"
    }
}

struct Snowflake;
impl Vendor for Snowflake {
    fn dialect(&self) -> Dialect {
        Dialect::Snowflake
    }
    fn parser(&self) -> &'static dyn sp::Dialect {
        &sp::SnowflakeDialect
    }
    fn backslash_escapes(&self) -> bool {
        true
    }
    fn bare_simple_names(&self) -> bool {
        true
    }
    fn max_identifier(&self) -> Option<usize> {
        Some(255)
    }
    fn trunc(&self, grain: Grain, t: &str) -> String {
        match grain {
            Grain::Day => self.day(t),
            // DATE_TRUNC('week') follows the WEEK_START parameter; DAYOFWEEKISO does not.
            Grain::Week => format!("DATEADD(day, 1 - DAYOFWEEKISO({t}), {})", self.day(t)),
            _ => format!("CAST(DATE_TRUNC('{grain}', {t}) AS DATE)"),
        }
    }
    fn add(&self, x: &str, n: &str, unit: Unit) -> String {
        format!("DATEADD({}, {n}, {x})", unit.as_str())
    }
    fn add_days_to_time(&self, t: &str, days: u32) -> String {
        format!("DATEADD(day, {days}, {t})")
    }
    fn integers(&self, n: u64) -> String {
        format!(
            "(SELECT ROW_NUMBER() OVER (ORDER BY SEQ4()) - 1 AS k FROM TABLE(GENERATOR(ROWCOUNT => {n}))) AS s"
        )
    }
    fn notes(&self) -> &'static str {
        "simple lower-case names unquoted (quoted names are case-sensitive); weeks via \
         DAYOFWEEKISO (independent of WEEK_START); DATEADD; GENERATOR for series; names of at \
         most 255 bytes"
    }
}

struct Databricks;
impl Vendor for Databricks {
    fn dialect(&self) -> Dialect {
        Dialect::Databricks
    }
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
    fn max_identifier(&self) -> Option<usize> {
        Some(255)
    }
    fn add(&self, x: &str, n: &str, unit: Unit) -> String {
        match unit {
            Unit::Day => format!("DATE_ADD({x}, {n})"),
            Unit::Month => format!("ADD_MONTHS({x}, {n})"),
        }
    }
    fn add_days_to_time(&self, t: &str, days: u32) -> String {
        format!("{t} + INTERVAL {days} DAYS")
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
         EXPLODE(SEQUENCE(...)) for series; decimal literals as DOUBLE"
    }
}

struct Trino;
impl Vendor for Trino {
    fn dialect(&self) -> Dialect {
        Dialect::Trino
    }
    fn parser(&self) -> &'static dyn sp::Dialect {
        &sp::GenericDialect
    }
    fn add(&self, x: &str, n: &str, unit: Unit) -> String {
        format!("DATE_ADD('{}', {n}, {x})", unit.as_str())
    }
    fn add_days_to_time(&self, t: &str, days: u32) -> String {
        format!("DATE_ADD('day', {days}, {t})")
    }
    fn percentile_form(&self) -> PercentileForm {
        // Trino has APPROX_PERCENTILE only.
        PercentileForm::SortedArray
    }
    fn integers(&self, n: u64) -> String {
        // SEQUENCE holds at most 10,000 entries: beyond, two of them crossed.
        const CAP: u64 = 10_000;
        if n <= CAP {
            return format!("UNNEST(SEQUENCE(0, {})) AS s(k)", n - 1);
        }
        format!(
            "(SELECT hi.x * {CAP} + lo.x AS k FROM UNNEST(SEQUENCE(0, {})) AS hi(x) CROSS JOIN UNNEST(SEQUENCE(0, {})) AS lo(x) WHERE hi.x * {CAP} + lo.x < {n}) AS s",
            (n - 1) / CAP,
            CAP - 1
        )
    }
    fn notes(&self) -> &'static str {
        "DATE_ADD('unit', n, d); exact percentiles interpolated from the sorted array of values \
         (Trino has only APPROX_PERCENTILE); UNNEST(SEQUENCE(...)) for series, two crossed beyond \
         10,000 entries; re-parsed with sqlparser's generic dialect"
    }
}

struct ClickHouse;
impl Vendor for ClickHouse {
    fn dialect(&self) -> Dialect {
        Dialect::Clickhouse
    }
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
    fn add(&self, x: &str, n: &str, unit: Unit) -> String {
        match unit {
            Unit::Day => format!("addDays({x}, {n})"),
            Unit::Month => format!("addMonths({x}, {n})"),
        }
    }
    fn add_days_to_time(&self, t: &str, days: u32) -> String {
        format!("addDays({t}, {days})")
    }
    fn float_type(&self) -> &'static str {
        "Float64"
    }
    fn string_type(&self) -> &'static str {
        "String"
    }
    fn float(&self, x: &str) -> String {
        // ClickHouse types are not nullable unless declared so: a NULL operand must stay NULL.
        format!("CAST({x} AS Nullable(Float64))")
    }
    fn string(&self, x: &str) -> String {
        format!("CAST({x} AS Nullable(String))")
    }
    fn null_of(&self, ty: &str) -> String {
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
    fn range_join(&self, left: &str, right: &str, on: &str) -> String {
        // ClickHouse joins on equalities: a range is a filter of the cross product (both sides
        // are aggregated per day first, so it stays small).
        format!("{left}\nCROSS JOIN {right}\nWHERE {on}")
    }
    fn integers(&self, n: u64) -> String {
        format!("(SELECT number AS k FROM numbers({n})) AS s")
    }
    fn suffix(&self) -> &'static str {
        // Outer joins give NULL (not the type's default) for missing rows.
        " SETTINGS join_use_nulls = 1"
    }
    fn notes(&self) -> &'static str {
        "backticks; toMonday / toStartOfMonth / ...; addDays / addMonths; Nullable(Float64); \
         quantileExactInclusive(p)(x) (exact, continuous); numbers(n); UNION DISTINCT; ranges as \
         filtered cross joins; SETTINGS join_use_nulls = 1"
    }
}
