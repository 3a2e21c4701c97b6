//! What the catalogue says about one node of a fragment: its row (with the arguments it is
//! applied to), a cast to a portable type, or why it is not portable.

use sqlparser::ast::{
    BinaryOperator, CeilFloorKind, DataType, DateTimeField, Expr, Function, FunctionArg,
    FunctionArgExpr, FunctionArguments, Ident, ObjectNamePart, TimezoneInfo, UnaryOperator, Value,
    WindowType,
};

use super::catalogue::ANY;
use super::{Entry, Kind, Type, CATALOGUE};
use crate::model::Grain;

/// The row of an operator, by its first name.
fn op(name: &str) -> &'static Entry {
    CATALOGUE
        .iter()
        .find(|e| e.kind == Kind::Operator && e.names[0] == name)
        .expect("every operator has a row")
}

/// What the catalogue says about one node of a fragment.
pub(super) enum Class<'e> {
    /// Names, literals, parentheses, subqueries: written as they are, re-quoted.
    Plain,
    /// A row of the catalogue, with the arguments it is applied to.
    Entry(&'static Entry),
    /// A cast to a portable type.
    Cast(&'e Expr, Type),
    /// Not in the portable core: why, and the help.
    Unknown(String, String),
}

const UNKNOWN_HELP: &str = "the portable operators and functions are listed in docs/sql.md \
                            (\"Portable SQL fragments\")";

fn unknown<'e>(what: impl Into<String>, help: impl Into<String>) -> Class<'e> {
    Class::Unknown(what.into(), help.into())
}

/// A short quotation of an expression for a message.
fn quote(e: &Expr) -> String {
    let s = e.to_string();
    if s.chars().count() <= 40 {
        return s;
    }
    let cut: String = s.chars().take(37).collect();
    format!("{cut}...")
}

pub(super) fn classify(e: &Expr) -> Class<'_> {
    match e {
        Expr::Identifier(_)
        | Expr::CompoundIdentifier(_)
        | Expr::Nested(_)
        | Expr::Subquery(_)
        | Expr::Exists { .. }
        | Expr::InSubquery { .. } => Class::Plain,
        Expr::Value(v) => match v.value {
            Value::Number(..) | Value::SingleQuotedString(_) | Value::Boolean(_) | Value::Null => {
                Class::Plain
            }
            _ => unknown(quote(e), "write strings in single quotes"),
        },
        Expr::UnaryOp { op: o, .. } => match o {
            UnaryOperator::Not => Class::Entry(op("AND OR NOT")),
            UnaryOperator::Minus | UnaryOperator::Plus => Class::Entry(op("+ - *")),
            _ => unknown(format!("{o}"), UNKNOWN_HELP),
        },
        Expr::BinaryOp { op: o, .. } => match o {
            BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Multiply => {
                Class::Entry(op("+ - *"))
            }
            BinaryOperator::Divide => Class::Entry(op("/")),
            BinaryOperator::Modulo => Class::Entry(op("%")),
            BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::Lt
            | BinaryOperator::LtEq
            | BinaryOperator::Gt
            | BinaryOperator::GtEq => Class::Entry(op("= <> != < <= > >=")),
            BinaryOperator::And | BinaryOperator::Or => Class::Entry(op("AND OR NOT")),
            BinaryOperator::StringConcat => Class::Entry(op("||")),
            _ => unknown(format!("{o}"), UNKNOWN_HELP),
        },
        Expr::IsNull(_) | Expr::IsNotNull(_) => Class::Entry(op("IS [NOT] NULL")),
        Expr::InList { .. } => Class::Entry(op("[NOT] IN (...)")),
        Expr::Between { .. } => Class::Entry(op("[NOT] BETWEEN")),
        Expr::Like {
            any: false,
            escape_char: None,
            ..
        } => Class::Entry(op("[NOT] LIKE")),
        Expr::ILike {
            any: false,
            escape_char: None,
            ..
        } => Class::Entry(op("[NOT] ILIKE")),
        Expr::Like { .. } | Expr::ILike { .. } => unknown(
            "LIKE with ESCAPE or ANY",
            "write `x LIKE 'pattern'` without ESCAPE or ANY",
        ),
        Expr::Case { .. } => Class::Entry(op("CASE")),
        Expr::Cast {
            kind: sqlparser::ast::CastKind::Cast | sqlparser::ast::CastKind::DoubleColon,
            expr,
            data_type,
            format: None,
        } => match Type::of(data_type) {
            Ok(t) => Class::Cast(expr, t),
            Err(help) => unknown(format!("cast to {data_type}"), help),
        },
        Expr::Cast { .. } => unknown(
            quote(e),
            "write `CAST(x AS type)` or `x::type`; TRY_CAST, SAFE_CAST and FORMAT are not portable",
        ),
        Expr::TypedString(t) => match (&t.data_type, &t.value.value) {
            (DataType::Date, Value::SingleQuotedString(_)) => Class::Entry(op("DATE '...'")),
            (
                DataType::Timestamp(None, TimezoneInfo::None | TimezoneInfo::WithoutTimeZone),
                Value::SingleQuotedString(_),
            ) => Class::Entry(op("TIMESTAMP '...'")),
            _ => unknown(
                quote(e),
                "the portable literals are DATE '...' and TIMESTAMP '...'",
            ),
        },
        Expr::Ceil { field, .. } | Expr::Floor { field, .. } => match field {
            CeilFloorKind::DateTimeField(DateTimeField::NoDateTime) => Class::Entry(function(
                if matches!(e, Expr::Ceil { .. }) {
                    "ceil"
                } else {
                    "floor"
                },
                1,
            )),
            _ => unknown(quote(e), "write `floor(x)` or `ceil(x)` with one argument"),
        },
        Expr::Substring {
            substring_from: Some(_),
            substring_for,
            ..
        } => Class::Entry(function(
            "substring",
            2 + usize::from(substring_for.is_some()),
        )),
        Expr::Trim {
            trim_where: None,
            trim_what: None,
            trim_characters: None,
            ..
        } => Class::Entry(function("trim", 1)),
        Expr::Extract { field, .. } => match field {
            DateTimeField::Year
            | DateTimeField::Quarter
            | DateTimeField::Month
            | DateTimeField::Day
            | DateTimeField::Hour
            | DateTimeField::Minute => Class::Entry(function("extract", 1)),
            _ => unknown(
                format!("extract({field})"),
                "the portable units are YEAR, QUARTER, MONTH, DAY, HOUR and MINUTE \
                 (week numbering and days of the week differ per warehouse)",
            ),
        },
        Expr::Function(f) => classify_call(f),
        _ => unknown(quote(e), UNKNOWN_HELP),
    }
}

/// The row of function `name` taking `n` arguments (a row with that name exists).
fn function(name: &str, n: usize) -> &'static Entry {
    CATALOGUE
        .iter()
        .find(|e| e.kind != Kind::Operator && e.names.contains(&name) && fits(e, n))
        .expect("a row for a built-in form")
}

fn fits(e: &Entry, n: usize) -> bool {
    e.arity.0 <= n && n <= e.arity.1
}

fn classify_call(f: &Function) -> Class<'_> {
    let name = f.name.to_string();
    let lower = name.to_ascii_lowercase();
    let rows: Vec<&'static Entry> = match f.name.0.as_slice() {
        [ObjectNamePart::Identifier(Ident {
            quote_style: None, ..
        })] => CATALOGUE
            .iter()
            .filter(|e| e.kind != Kind::Operator && e.names.contains(&lower.as_str()))
            .collect(),
        _ => Vec::new(),
    };
    if rows.is_empty() {
        return unknown(
            name.clone(),
            format!(
                "`{name}` is not one of the portable functions listed in docs/sql.md (\"Portable \
                 SQL fragments\")"
            ),
        );
    }
    let kind = rows[0].kind;
    let mut distinct = false;
    let mut star = false;
    let args: Vec<&Expr> = match &f.args {
        FunctionArguments::None => Vec::new(),
        FunctionArguments::List(list) if list.clauses.is_empty() => {
            distinct = matches!(
                list.duplicate_treatment,
                Some(sqlparser::ast::DuplicateTreatment::Distinct)
            );
            let mut out = Vec::new();
            for a in &list.args {
                match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => out.push(e),
                    FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => star = true,
                    _ => {
                        return unknown(
                            format!("{lower}({a})"),
                            "named and qualified-wildcard arguments are not portable",
                        )
                    }
                }
            }
            out
        }
        _ => {
            return unknown(
                format!("{lower}(...)"),
                "write the arguments in parentheses, separated by commas",
            )
        }
    };
    let n = args.len() + usize::from(star);
    let Some(row) = rows.iter().copied().find(|e| fits(e, n)) else {
        let (lo, hi) = rows.iter().fold((ANY, 0), |(lo, hi), e| {
            (lo.min(e.arity.0), hi.max(e.arity.1))
        });
        let takes = match (lo, hi) {
            (lo, hi) if lo == hi => format!("{lo} argument{}", if lo == 1 { "" } else { "s" }),
            (lo, ANY) => format!("at least {lo} arguments"),
            (lo, hi) => format!("{lo} to {hi} arguments"),
        };
        return unknown(
            format!("{lower} with {n} arguments"),
            format!("`{lower}` takes {takes}"),
        );
    };
    if matches!(f.args, FunctionArguments::None) && row.arity.0 > 0 {
        return unknown(lower, "write the arguments in parentheses");
    }
    if star && !(lower == "count" && n == 1) {
        return unknown(format!("{lower}(*)"), "only `count(*)` takes `*`");
    }
    if distinct && kind != Kind::Aggregate {
        return unknown(
            format!("{lower}(DISTINCT ...)"),
            "only aggregates take DISTINCT",
        );
    }
    if f.filter.is_some() || !f.within_group.is_empty() || f.null_treatment.is_some() {
        return unknown(
            format!("{lower}(...) with FILTER, WITHIN GROUP or NULLS"),
            "write the condition inside the aggregate: `sum(CASE WHEN c THEN x END)`",
        );
    }
    if !matches!(f.parameters, FunctionArguments::None) || f.uses_odbc_syntax {
        return unknown(quote(&Expr::Function(f.clone())), UNKNOWN_HELP);
    }
    match (&f.over, kind) {
        (Some(WindowType::NamedWindow(_)), _) => {
            return unknown(
                format!("{lower}(...) OVER a named window"),
                "write the window in the OVER clause",
            )
        }
        (Some(_), Kind::Scalar) => {
            return unknown(
                format!("{lower}(...) OVER"),
                "only aggregates and window functions take OVER",
            )
        }
        (None, Kind::Window) => {
            return unknown(format!("{lower}()"), "a window function needs `OVER (...)`")
        }
        _ => {}
    }
    if lower == "date_trunc" && unit(args[0]).is_none() {
        return unknown(
            format!("date_trunc({})", args[0]),
            "the unit of date_trunc is one of 'day', 'week', 'month', 'quarter', 'year'",
        );
    }
    Class::Entry(row)
}

/// The grain a `date_trunc` unit names.
pub(super) fn unit(e: &Expr) -> Option<Grain> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => Grain::parse(&s.to_ascii_lowercase()),
            _ => None,
        },
        _ => None,
    }
}

/// The expressions a row's spelling is applied to, in order.
pub(super) fn args(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::UnaryOp { expr, .. }
        | Expr::IsNull(expr)
        | Expr::IsNotNull(expr)
        | Expr::Ceil { expr, .. }
        | Expr::Floor { expr, .. }
        | Expr::Trim { expr, .. }
        | Expr::Extract { expr, .. }
        | Expr::Cast { expr, .. } => vec![expr],
        Expr::BinaryOp { left, right, .. } => vec![left, right],
        Expr::Like { expr, pattern, .. } | Expr::ILike { expr, pattern, .. } => {
            vec![expr, pattern]
        }
        Expr::Substring {
            expr,
            substring_from,
            substring_for,
            ..
        } => std::iter::once(&**expr)
            .chain(substring_from.as_deref())
            .chain(substring_for.as_deref())
            .collect(),
        Expr::Function(f) => match &f.args {
            FunctionArguments::List(list) => list
                .args
                .iter()
                .filter_map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

pub(super) fn negated(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Like { negated: true, .. } | Expr::ILike { negated: true, .. }
    )
}
