//! Names, literals and spec fragments written for one dialect. Quoting and escaping are ours
//! (sqlparser's `Display` keeps `""` and `\"` as written, which is not an escaper); fragments
//! come from their parsed tree with every quoted name and string literal rewritten here.

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Ident, Query, Value, VisitMut, VisitorMut};

use super::dialect::Vendor;
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

/// A spec expression for the dialect, in parentheses unless it is a name, literal or call.
pub(crate) fn expr(v: &dyn Vendor, e: &Expr) -> Result<String, CompileError> {
    let mut e = e.clone();
    let mut rw = Rewrite { v, error: None };
    let _ = e.visit(&mut rw);
    match rw.error {
        Some(err) => Err(err),
        None if atomic(&e) => Ok(e.to_string()),
        None => Ok(format!("({e})")),
    }
}

/// Whether an expression needs no parentheses wherever it is placed.
fn atomic(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Identifier(_)
            | Expr::CompoundIdentifier(_)
            | Expr::Value(_)
            | Expr::Function(_)
            | Expr::Nested(_)
    )
}

/// A `sql` source's SELECT for the dialect.
pub(crate) fn query(v: &dyn Vendor, q: &Query) -> Result<String, CompileError> {
    let mut q = q.clone();
    let mut rw = Rewrite { v, error: None };
    let _ = q.visit(&mut rw);
    match rw.error {
        Some(err) => Err(err),
        None => Ok(q.to_string()),
    }
}

/// Rewrites quoted names and string literals of a parsed fragment into the dialect's own
/// spelling. The rewritten text is carried in nodes that print verbatim (an unquoted `Ident`,
/// a `Placeholder`).
struct Rewrite<'a> {
    v: &'a dyn Vendor,
    error: Option<CompileError>,
}

impl VisitorMut for Rewrite<'_> {
    type Break = ();

    fn pre_visit_ident(&mut self, ident: &mut Ident) -> ControlFlow<()> {
        if ident.quote_style.is_some() {
            match check_name(self.v, &ident.value) {
                Ok(()) => {
                    ident.value = quoted(self.v, &ident.value);
                    ident.quote_style = None;
                }
                Err(e) => {
                    self.error = Some(e);
                    return ControlFlow::Break(());
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_value(&mut self, value: &mut sqlparser::ast::ValueWithSpan) -> ControlFlow<()> {
        let text = match &value.value {
            Value::Number(n, _) => Ok(self.v.number_literal(n)),
            Value::Boolean(_) | Value::Null => return ControlFlow::Continue(()),
            Value::SingleQuotedString(s) => string(self.v, s),
            other => Err(CompileError::Invalid(format!(
                "the literal `{other}` is not supported in a fragment; write strings in single quotes"
            ))),
        };
        match text {
            Ok(t) => {
                value.value = Value::Placeholder(t);
                ControlFlow::Continue(())
            }
            Err(e) => {
                self.error = Some(e);
                ControlFlow::Break(())
            }
        }
    }
}
