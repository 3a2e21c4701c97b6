//! The catalogue: every operator, function and type a fragment may use, and how each dialect
//! writes it. The one place a function maps to each dialect.

use sqlparser::ast::{DataType, ExactNumberInfo, TimezoneInfo};

use crate::sql::Dialect;

/// How one dialect writes a row of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Spelling {
    /// As the fragment writes it (names and literals re-quoted, arguments translated).
    AsWritten,
    /// A call of this function with the same arguments.
    Call(&'static str),
    /// This text, with `{0}`, `{1}` … the arguments (in parentheses unless simple), `{*}` all of
    /// them separated by commas, `{not}` `NOT ` when the operator is negated and `{nulls}`
    /// `a IS NULL OR b IS NULL …`. In parentheses unless it is a call or a CASE.
    Text(&'static str),
    /// The arguments joined by this operator, in parentheses.
    Infix(&'static str),
    /// The start of the period holding the second argument, as for a metric's grain
    /// (`Vendor::trunc`: a DATE, weeks from Monday).
    Period,
    /// The dialect cannot write it.
    Never,
}

/// What a row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An operator or a construct with its own syntax.
    Operator,
    /// A function of each row.
    Scalar,
    /// An aggregate (in `having` and `sql` sources): `DISTINCT` and `OVER` allowed.
    Aggregate,
    /// A window function: `OVER (...)` required.
    Window,
}

/// One row of the catalogue.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    /// The names a fragment may call it by (functions, lower case), or how the operator is
    /// written (for messages and docs).
    pub names: &'static [&'static str],
    pub kind: Kind,
    /// The fewest and the most arguments.
    pub arity: (usize, usize),
    /// A fragment over literals that uses it (docs and tests render it for every dialect).
    pub example: &'static str,
    /// What the example evaluates to (`NULL`; `*` for any non-NULL value), for the engine check.
    pub result: &'static str,
    /// What it means, where dialects would otherwise differ.
    pub means: &'static str,
    /// The help when it cannot be written for a dialect: the portable alternative.
    pub instead: &'static str,
    pub generic: Spelling,
    pub except: &'static [(Dialect, Spelling)],
}

impl Entry {
    const fn new(names: &'static [&'static str], kind: Kind, arity: (usize, usize)) -> Entry {
        Entry {
            names,
            kind,
            arity,
            example: "",
            result: "",
            means: "",
            instead: "",
            generic: Spelling::AsWritten,
            except: &[],
        }
    }
    const fn example(mut self, example: &'static str, result: &'static str) -> Entry {
        self.example = example;
        self.result = result;
        self
    }
    const fn means(mut self, means: &'static str) -> Entry {
        self.means = means;
        self
    }
    const fn instead(mut self, instead: &'static str) -> Entry {
        self.instead = instead;
        self
    }
    const fn spelled(mut self, generic: Spelling) -> Entry {
        self.generic = generic;
        self
    }
    const fn except(mut self, except: &'static [(Dialect, Spelling)]) -> Entry {
        self.except = except;
        self
    }

    /// How `d` writes it.
    pub fn spelling(&self, d: Dialect) -> Spelling {
        self.except
            .iter()
            .find(|(x, _)| *x == d)
            .map_or(self.generic, |(_, s)| *s)
    }

    /// How messages name it: `median`, `ILIKE`.
    pub fn name(&self) -> &'static str {
        self.names[0]
    }
}

use Dialect::{
    Bigquery as BQ, Clickhouse as CH, Databricks as DBX, Duckdb as DUCK, Postgres as PG,
    Redshift as RS, Trino as TR,
};
use Kind::{Aggregate, Operator, Scalar, Window};
use Spelling::{Call, Infix, Never, Period, Text};

pub(super) const ANY: usize = usize::MAX;

/// NULL when any argument is NULL, on the dialects whose GREATEST / LEAST skip NULLs.
const GREATEST_NULLS: Spelling = Text("CASE WHEN {nulls} THEN NULL ELSE GREATEST({*}) END");
const LEAST_NULLS: Spelling = Text("CASE WHEN {nulls} THEN NULL ELSE LEAST({*}) END");

/// Every operator and function a fragment may use, in the order of `docs/sql.md`.
pub(crate) const CATALOGUE: &[Entry] = &[
    Entry::new(&["+ - *"], Operator, (2, 2))
        .example("7 + 2 * 3 - 1", "12"),
    Entry::new(&["/"], Operator, (2, 2))
        .example("7.0 / 2", "3.5")
        .means("Two integers divide to an integer on PostgreSQL, Redshift and Trino, to a fraction elsewhere: cast one side (`x::double / y`) to mean the same everywhere."),
    Entry::new(&["%"], Operator, (2, 2))
        .example("7 % 3", "1")
        .except(&[(BQ, Text("MOD({0}, {1})"))]),
    Entry::new(&["= <> != < <= > >="], Operator, (2, 2)).example("2 >= 1", "true"),
    Entry::new(&["AND OR NOT"], Operator, (1, 2)).example("NOT (true AND false) OR false", "true"),
    Entry::new(&["IS [NOT] NULL"], Operator, (1, 1)).example("NULL IS NULL", "true"),
    Entry::new(&["[NOT] IN (...)"], Operator, (1, ANY)).example("2 IN (1, 2)", "true"),
    Entry::new(&["[NOT] BETWEEN"], Operator, (3, 3)).example("2 BETWEEN 1 AND 3", "true"),
    Entry::new(&["[NOT] LIKE"], Operator, (2, 2))
        .example("'Lyon' LIKE 'Ly%'", "true")
        .means("Without `ESCAPE`."),
    Entry::new(&["[NOT] ILIKE"], Operator, (2, 2))
        .example("'Lyon' ILIKE 'ly%'", "true")
        .means("Case-insensitive LIKE, without `ESCAPE`.")
        .except(&[
            (BQ, Text("LOWER({0}) {not}LIKE LOWER({1})")),
            (TR, Text("LOWER({0}) {not}LIKE LOWER({1})")),
        ]),
    Entry::new(&["||"], Operator, (2, 2))
        .example("'a' || 'b'", "ab")
        .means("String concatenation; NULL when either side is NULL."),
    Entry::new(&["CASE"], Operator, (1, ANY))
        .example("CASE WHEN 1 > 0 THEN 'y' ELSE 'n' END", "y"),
    Entry::new(&["CAST"], Operator, (1, 1))
        .example("CAST('12' AS integer)", "12")
        .means("`CAST(x AS type)` or `x::type`, to a portable type (below); always written `CAST`."),
    Entry::new(&["DATE '...'"], Operator, (1, 1))
        .example("DATE '2024-03-05'", "2024-03-05")
        .except(&[(CH, Text("toDate({0})"))]),
    Entry::new(&["TIMESTAMP '...'"], Operator, (1, 1))
        .example("TIMESTAMP '2024-03-05 10:30:00'", "2024-03-05 10:30:00")
        .means("The dialect's TIMESTAMP type; time zones are the warehouse's.")
        .except(&[(CH, Text("toDateTime64({0}, 6)"))]),
    Entry::new(&["coalesce"], Scalar, (1, ANY)).example("coalesce(NULL, 2)", "2"),
    Entry::new(&["nvl", "ifnull"], Scalar, (2, 2))
        .example("ifnull(NULL, 2)", "2")
        .means("Two-argument COALESCE.")
        .spelled(Call("COALESCE")),
    Entry::new(&["nullif"], Scalar, (2, 2)).example("nullif(1, 1)", "NULL"),
    Entry::new(&["iff", "if"], Scalar, (3, 3))
        .example("iff(1 > 0, 'y', 'n')", "y")
        .means("Written as CASE WHEN everywhere.")
        .spelled(Text("CASE WHEN {0} THEN {1} ELSE {2} END")),
    Entry::new(&["greatest"], Scalar, (1, ANY))
        .example("greatest(1, 3, NULL)", "NULL")
        .means("NULL when any argument is NULL (DuckDB, PostgreSQL, Redshift, Databricks and ClickHouse would skip NULLs).")
        .except(&[
            (DUCK, GREATEST_NULLS),
            (PG, GREATEST_NULLS),
            (RS, GREATEST_NULLS),
            (DBX, GREATEST_NULLS),
            (CH, GREATEST_NULLS),
        ]),
    Entry::new(&["least"], Scalar, (1, ANY))
        .example("least(1, 3, 2)", "1")
        .means("NULL when any argument is NULL, as `greatest`.")
        .except(&[
            (DUCK, LEAST_NULLS),
            (PG, LEAST_NULLS),
            (RS, LEAST_NULLS),
            (DBX, LEAST_NULLS),
            (CH, LEAST_NULLS),
        ]),
    Entry::new(&["abs"], Scalar, (1, 1)).example("abs(-2)", "2"),
    Entry::new(&["round"], Scalar, (1, 1))
        .example("round(2.6)", "3")
        .means("Ties round as each warehouse does for the type (on floating point, PostgreSQL and ClickHouse round to even)."),
    Entry::new(&["round"], Scalar, (2, 2))
        .example("round(2.346, 2)", "2.35")
        .means("PostgreSQL rounds to digits only NUMERIC: the value is cast to it there.")
        .except(&[(PG, Text("ROUND(CAST({0} AS NUMERIC), {1})"))]),
    Entry::new(&["floor"], Scalar, (1, 1)).example("floor(2.7)", "2"),
    Entry::new(&["ceil", "ceiling"], Scalar, (1, 1)).example("ceil(2.1)", "3"),
    Entry::new(&["ln"], Scalar, (1, 1)).example("ln(1)", "0"),
    Entry::new(&["exp"], Scalar, (1, 1)).example("exp(0)", "1"),
    Entry::new(&["power", "pow"], Scalar, (2, 2)).example("power(2, 3)", "8"),
    Entry::new(&["sqrt"], Scalar, (1, 1)).example("sqrt(16)", "4"),
    Entry::new(&["lower"], Scalar, (1, 1))
        .example("lower('AbÉ')", "abé")
        .except(&[(CH, Call("lowerUTF8"))]),
    Entry::new(&["upper"], Scalar, (1, 1))
        .example("upper('abé')", "ABÉ")
        .except(&[(CH, Call("upperUTF8"))]),
    Entry::new(&["length"], Scalar, (1, 1))
        .example("length('héllo')", "5")
        .means("In characters.")
        .except(&[(CH, Call("lengthUTF8"))]),
    Entry::new(&["trim"], Scalar, (1, 1))
        .example("trim('  a  ')", "a")
        .means("Spaces at both ends (`TRIM(x)` only)."),
    Entry::new(&["substring", "substr"], Scalar, (2, 3))
        .example("substring('héllo', 2, 3)", "éll")
        .means("From a position (1 for the first character), optionally this many characters; `SUBSTRING(s FROM i FOR n)` too.")
        .spelled(Call("SUBSTRING"))
        .except(&[(CH, Call("substringUTF8"))]),
    Entry::new(&["concat"], Scalar, (1, ANY))
        .example("concat('a', 'b', 'c')", "abc")
        .means("Strings only; NULL when any argument is NULL (PostgreSQL's and DuckDB's CONCAT would skip NULLs): written with `||` everywhere.")
        .spelled(Infix(" || ")),
    Entry::new(&["replace"], Scalar, (3, 3)).example("replace('a-b-c', '-', '+')", "a+b+c"),
    Entry::new(&["current_date"], Scalar, (0, 0))
        .example("current_date", "*")
        .means("Today in the warehouse session's time zone.")
        .spelled(Text("CURRENT_DATE"))
        .except(&[(CH, Text("today()"))]),
    Entry::new(&["date_trunc"], Scalar, (2, 2))
        .example("date_trunc('month', DATE '2024-03-05')", "2024-03-01")
        .means("The unit is 'day', 'week', 'month', 'quarter' or 'year'; a DATE, weeks starting on Monday, as a metric's periods.")
        .spelled(Period),
    Entry::new(&["extract"], Scalar, (1, 1))
        .example("extract(month FROM DATE '2024-03-05')", "3")
        .means("`EXTRACT(unit FROM x)`, the unit YEAR, QUARTER, MONTH, DAY, HOUR or MINUTE."),
    Entry::new(&["count"], Aggregate, (1, 1))
        .example("count(*)", "1")
        .means("`count(*)`, `count(x)`, `count(DISTINCT x)`."),
    Entry::new(&["sum", "avg", "min", "max"], Aggregate, (1, 1))
        .example("sum(2)", "2")
        .means("With `DISTINCT` too."),
    Entry::new(&["median"], Aggregate, (1, 1))
        .example("median(2)", "2")
        .means("Exact and interpolating.")
        .instead("BigQuery and Trino have no exact median aggregate; a measure with `agg: median` is computed exactly on every dialect")
        .spelled(Call("MEDIAN"))
        .except(&[
            (PG, Text("PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY {0})")),
            (BQ, Never),
            (DBX, Text("PERCENTILE({0}, 0.5)")),
            (TR, Never),
            (CH, Text("quantileExactInclusive(0.5)({0})")),
        ]),
    Entry::new(&["row_number", "rank", "dense_rank"], Window, (0, 0))
        .example("row_number() OVER (ORDER BY 1)", "1")
        .means("With `OVER (PARTITION BY ... ORDER BY ...)`; aggregates take `OVER` too."),
];

/// A type a fragment may cast to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Type {
    Integer,
    Double,
    /// Precision 1..=38, scale 0..=precision.
    Decimal(u8, u8),
    String,
    Boolean,
    Date,
    Timestamp,
}

/// One row of the type table.
pub(crate) struct TypeRow {
    pub ty: Type,
    /// How a fragment may write it (for the docs).
    #[cfg_attr(not(test), allow(dead_code))]
    pub written: &'static str,
    pub generic: &'static str,
    pub except: &'static [(Dialect, &'static str)],
}

/// The portable types and how each dialect names them. ClickHouse types are `Nullable(...)`,
/// so that a NULL stays NULL through the cast.
pub(crate) const TYPES: &[TypeRow] = &[
    TypeRow {
        ty: Type::Integer,
        written: "int, integer, bigint, int64",
        generic: "BIGINT",
        except: &[(BQ, "INT64"), (CH, "Nullable(Int64)")],
    },
    TypeRow {
        ty: Type::Double,
        written: "double, double precision, float, float8, float64",
        generic: "DOUBLE",
        except: &[
            (PG, "DOUBLE PRECISION"),
            (RS, "DOUBLE PRECISION"),
            (BQ, "FLOAT64"),
            (CH, "Nullable(Float64)"),
        ],
    },
    TypeRow {
        ty: Type::Decimal(10, 2),
        written: "decimal(p, s), numeric(p, s) (precision at most 38)",
        generic: "DECIMAL(p, s)",
        except: &[
            (
                BQ,
                "NUMERIC(p, s) (BIGNUMERIC beyond 29 integer or 9 fractional digits)",
            ),
            (CH, "Nullable(Decimal(p, s))"),
        ],
    },
    TypeRow {
        ty: Type::String,
        written: "varchar, text, string (no length)",
        generic: "VARCHAR",
        except: &[
            (BQ, "STRING"),
            (DBX, "STRING"),
            (RS, "VARCHAR(MAX)"),
            (CH, "Nullable(String)"),
        ],
    },
    TypeRow {
        ty: Type::Boolean,
        written: "boolean, bool",
        generic: "BOOLEAN",
        except: &[(BQ, "BOOL"), (CH, "Nullable(Bool)")],
    },
    TypeRow {
        ty: Type::Date,
        written: "date",
        generic: "DATE",
        except: &[(CH, "Nullable(Date)")],
    },
    TypeRow {
        ty: Type::Timestamp,
        written: "timestamp",
        generic: "TIMESTAMP",
        except: &[(CH, "Nullable(DateTime64(6))")],
    },
];

impl Type {
    /// The type a fragment names, if it is portable.
    pub(super) fn of(t: &DataType) -> Result<Type, &'static str> {
        let length = "write it without a length: lengths mean different things per warehouse";
        Ok(match t {
            DataType::Int(None)
            | DataType::Integer(None)
            | DataType::BigInt(None)
            | DataType::Int64 => Type::Integer,
            DataType::Double(ExactNumberInfo::None)
            | DataType::DoublePrecision
            | DataType::Float(ExactNumberInfo::None)
            | DataType::Float8
            | DataType::Float64 => Type::Double,
            DataType::Decimal(n) | DataType::Numeric(n) | DataType::Dec(n) => {
                let (p, s) =
                    match *n {
                        ExactNumberInfo::PrecisionAndScale(p, s) => (p, s),
                        ExactNumberInfo::Precision(p) => (p, 0),
                        ExactNumberInfo::None => return Err(
                            "write `decimal(p, s)`: the default precision differs per warehouse",
                        ),
                    };
                if !(1..=38).contains(&p) || s < 0 || s as u64 > p {
                    return Err("the precision is 1 to 38 and the scale 0 to the precision");
                }
                Type::Decimal(p as u8, s as u8)
            }
            DataType::Varchar(None)
            | DataType::CharacterVarying(None)
            | DataType::Text
            | DataType::String(None) => Type::String,
            DataType::Varchar(Some(_))
            | DataType::CharacterVarying(Some(_))
            | DataType::String(Some(_)) => return Err(length),
            DataType::Boolean | DataType::Bool => Type::Boolean,
            DataType::Date => Type::Date,
            DataType::Timestamp(None, TimezoneInfo::None | TimezoneInfo::WithoutTimeZone) => {
                Type::Timestamp
            }
            _ => {
                return Err(
                    "the portable types are integer, double, decimal(p, s), varchar, boolean, \
                     date and timestamp",
                )
            }
        })
    }

    /// How `d` names it.
    pub fn spell(self, d: Dialect) -> String {
        if let Type::Decimal(p, s) = self {
            return match d {
                BQ if s <= 9 && p - s <= 29 => format!("NUMERIC({p}, {s})"),
                BQ => format!("BIGNUMERIC({p}, {s})"),
                CH => format!("Nullable(Decimal({p}, {s}))"),
                _ => format!("DECIMAL({p}, {s})"),
            };
        }
        let row = TYPES
            .iter()
            .find(|r| r.ty == self)
            .expect("every type has a row");
        row.except
            .iter()
            .find(|(x, _)| *x == d)
            .map_or(row.generic, |(_, s)| s)
            .to_owned()
    }
}
