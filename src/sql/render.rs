//! Names, literals and spec fragments written for one dialect. Quoting and escaping are ours
//! (sqlparser's `Display` keeps `""` and `\"` as written, which is not an escaper); fragments
//! come from their parsed tree, translated with the portable catalogue ([`super::portable`]),
//! with every quoted name and string literal rewritten here.

use sqlparser::ast::{Expr, Query};

use super::dialect::Vendor;
use super::portable::Writer;
use super::CompileError;

/// A name (column, table part, alias) quoted for the dialect.
pub(crate) fn ident(v: &dyn Vendor, name: &str) -> Result<String, CompileError> {
    check_name(v, name)?;
    if v.bare_simple_names() && is_simple(name) {
        let upper = name.to_ascii_uppercase();
        if sqlparser::keywords::ALL_KEYWORDS
            .binary_search(&upper.as_str())
            .is_err()
        {
            return Ok(name.to_owned());
        }
        // What an unquoted name means there: upper case.
        return Ok(quoted(v, &upper));
    }
    Ok(quoted(v, name))
}

/// `name` between the dialect's quote characters, quote characters doubled.
fn quoted(v: &dyn Vendor, name: &str) -> String {
    let q = v.quote();
    let mut out = String::with_capacity(name.len() + 2);
    out.push(q);
    for c in name.chars() {
        if c == q {
            out.push(q);
        }
        out.push(c);
    }
    out.push(q);
    out
}

fn is_simple(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z' | '_'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

fn check_name(v: &dyn Vendor, name: &str) -> Result<(), CompileError> {
    if name.is_empty() {
        return Err(CompileError::Invalid(
            "an empty name cannot be quoted".to_owned(),
        ));
    }
    if name.chars().any(|c| c.is_control()) {
        return Err(CompileError::Invalid(format!(
            "the name {name:?} contains a control character; rename it"
        )));
    }
    let backslash = v.quote() == '`' && v.backslash_escapes() && name.contains('\\');
    if backslash || !v.doubled_quote_in_names() && name.contains(v.quote()) {
        return Err(CompileError::Invalid(format!(
            "the name {name:?} contains a `{}` or `\\`, which this dialect cannot quote \
             unambiguously; rename it",
            v.quote()
        )));
    }
    Ok(())
}

/// A string literal for the dialect.
pub(crate) fn string(v: &dyn Vendor, s: &str) -> Result<String, CompileError> {
    if s.contains('\0') {
        return Err(CompileError::Invalid(format!(
            "the string {s:?} contains a NUL character"
        )));
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' if v.backslash_escapes() => out.push_str("\\\\"),
            '\'' if v.doubled_quote_in_strings() => out.push_str("''"),
            '\'' => out.push_str("\\'"),
            c => out.push(c),
        }
    }
    out.push('\'');
    Ok(out)
}

/// A number for SQL (never in exponent form).
pub(crate) fn number(x: f64) -> Result<String, CompileError> {
    if x.is_finite() {
        Ok(format!("{x}"))
    } else {
        Err(CompileError::Invalid(format!("{x} is not a finite number")))
    }
}

/// A quoted name from a fragment (`"my col"`), quoted for the dialect.
pub(crate) fn quoted_name(v: &dyn Vendor, name: &str) -> Result<String, CompileError> {
    check_name(v, name)?;
    Ok(quoted(v, name))
}

/// A spec expression for the dialect, translated with the portable catalogue
/// ([`super::portable`]), in parentheses unless it is a name, literal or call.
pub(crate) fn expr(v: &dyn Vendor, e: &Expr) -> Result<String, CompileError> {
    let mut w = Writer::new(v);
    let (sql, atomic) = w.expr(e);
    refused(v, w, || e.to_string())?;
    Ok(if atomic { sql } else { format!("({sql})") })
}

/// A `sql` source's SELECT for the dialect, every expression in it translated.
pub(crate) fn query(v: &dyn Vendor, q: &Query) -> Result<String, CompileError> {
    let mut w = Writer::new(v);
    let sql = w.query(q);
    refused(v, w, || q.to_string())?;
    Ok(sql)
}

/// The first name or literal the dialect cannot write, or the first construct of the catalogue
/// it has no spelling for: never written unchanged.
fn refused(
    v: &dyn Vendor,
    w: Writer<'_>,
    fragment: impl Fn() -> String,
) -> Result<(), CompileError> {
    if let Some(e) = w.invalid {
        return Err(e);
    }
    if let Some(row) = w.never.first() {
        let mut text = fragment();
        if text.chars().count() > 80 {
            text = text.chars().take(77).collect::<String>() + "...";
        }
        return Err(CompileError::Invalid(format!(
            "`{}` cannot be written for {} (in `{text}`): {}",
            row.name(),
            v.dialect().name(),
            row.instead
        )));
    }
    Ok(())
}
