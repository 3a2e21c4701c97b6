//! The Writer: a fragment (or a `sql` source's SELECT) written for one dialect, each node
//! translated by its row of the catalogue, names and literals re-quoted.

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Ident, Query, Value, VisitMut, VisitorMut};

use super::classify::{args, classify, negated, unit, Class};
use super::Spelling::{Call, Infix, Never, Period, Text};
use super::{Entry, Spelling};
use crate::sql::dialect::Vendor;
use crate::sql::{CompileError, Dialect};

/// Whether the printed form of a node needs no parentheses wherever it is placed.
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

/// Whether a template is a call (`NAME(...)`) or a CASE, which need no parentheses.
pub(super) fn atomic_template(t: &str) -> bool {
    if t.starts_with("CASE ") && t.ends_with(" END") {
        return true;
    }
    let name_end = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(t.len());
    let rest = &t[name_end..];
    if name_end == 0 {
        return false;
    }
    if rest.is_empty() {
        return true;
    }
    if !rest.starts_with('(') {
        return false;
    }
    // The parenthesis opened after the name closes at the very end.
    let mut depth = 0usize;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i == rest.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// Writes fragments for one dialect, translating with the catalogue.
pub(crate) struct Writer<'v> {
    d: Dialect,
    v: &'v dyn Vendor,
    /// Rows of the catalogue the dialect cannot write, met on the way.
    pub never: Vec<&'static Entry>,
    /// A name or literal the dialect cannot write.
    pub invalid: Option<CompileError>,
}

impl<'v> Writer<'v> {
    pub fn new(v: &'v dyn Vendor) -> Writer<'v> {
        Writer {
            d: v.dialect(),
            v,
            never: Vec::new(),
            invalid: None,
        }
    }

    /// An expression for the dialect, and whether it needs no parentheses wherever it goes.
    pub fn expr(&mut self, e: &Expr) -> (String, bool) {
        match classify(e) {
            Class::Plain | Class::Unknown(..) => (self.as_written(e), atomic(e)),
            Class::Cast(inner, ty) => {
                let (x, _) = self.expr(inner);
                (format!("CAST({x} AS {})", ty.spell(self.d)), true)
            }
            Class::Entry(row) => self.entry(e, row),
        }
    }

    /// A SELECT for the dialect: every expression in it written by [`Writer::expr`].
    pub fn query(&mut self, q: &Query) -> String {
        let mut q = q.clone();
        let mut children = Children {
            w: self,
            skip_root: false,
        };
        let _ = q.visit(&mut children);
        q.to_string()
    }

    /// The node as written, its sub-expressions written for the dialect.
    fn as_written(&mut self, e: &Expr) -> String {
        let mut e = e.clone();
        let mut children = Children {
            w: self,
            skip_root: true,
        };
        let _ = e.visit(&mut children);
        e.to_string()
    }

    fn entry(&mut self, e: &Expr, row: &'static Entry) -> (String, bool) {
        match row.spelling(self.d) {
            Spelling::AsWritten => match e {
                // One syntax everywhere: `EXTRACT(unit FROM x)`.
                Expr::Extract { field, expr, .. } => {
                    (format!("EXTRACT({field} FROM {})", self.expr(expr).0), true)
                }
                _ => (self.as_written(e), atomic(e)),
            },
            Never => {
                self.never.push(row);
                (self.as_written(e), atomic(e))
            }
            Call(name) => match e {
                Expr::Function(f) => {
                    let mut f = f.clone();
                    f.name = sqlparser::ast::ObjectName::from(vec![Ident::new(name)]);
                    (self.as_written(&Expr::Function(f)), true)
                }
                _ => {
                    let args: Vec<String> = args(e).into_iter().map(|a| self.expr(a).0).collect();
                    (format!("{name}({})", args.join(", ")), true)
                }
            },
            Infix(op) => {
                let args: Vec<String> = args(e).into_iter().map(|a| self.arg(a)).collect();
                (format!("({})", args.join(op)), true)
            }
            Text(t) => {
                // Each argument as is, and in parentheses unless simple (next to an operator).
                let args: Vec<(String, String)> = match e {
                    Expr::TypedString(ts) => {
                        let s = match &ts.value.value {
                            Value::SingleQuotedString(s) => self.literal(s),
                            other => other.to_string(),
                        };
                        vec![(s.clone(), s)]
                    }
                    _ => args(e)
                        .into_iter()
                        .map(|a| match self.expr(a) {
                            (s, true) => (s.clone(), s),
                            (s, false) => (s.clone(), format!("({s})")),
                        })
                        .collect(),
                };
                let call = atomic_template(t);
                let text = fill(t, &args, negated(e), call);
                if call {
                    (text, true)
                } else {
                    (format!("({text})"), true)
                }
            }
            Period => {
                let a = args(e);
                let grain = unit(a[0]).expect("classify checked the unit");
                // Every vendor's truncation places it among a call's arguments.
                let (x, _) = self.expr(a[1]);
                (self.v.trunc(grain, &x), true)
            }
        }
    }

    /// An argument placed next to an operator: in parentheses unless simple.
    fn arg(&mut self, e: &Expr) -> String {
        match self.expr(e) {
            (s, true) => s,
            (s, false) => format!("({s})"),
        }
    }

    fn literal(&mut self, s: &str) -> String {
        match super::super::render::string(self.v, s) {
            Ok(t) => t,
            Err(e) => {
                self.invalid.get_or_insert(e);
                String::new()
            }
        }
    }
}

/// A template with its arguments filled in: `(as is, in parentheses)` each; as is inside a call
/// or a CASE (`call`), where every placeholder stands between commas or keywords.
fn fill(t: &str, args: &[(String, String)], negated: bool, call: bool) -> String {
    let pick = |a: &(String, String)| if call { a.0.clone() } else { a.1.clone() };
    let mut out = String::with_capacity(t.len() + 16);
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}') else {
            break;
        };
        let key = &rest[i + 1..i + j];
        match key {
            "*" => out.push_str(
                &args
                    .iter()
                    .map(|a| a.0.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            "not" if negated => out.push_str("NOT "),
            "not" => {}
            "nulls" => out.push_str(
                &args
                    .iter()
                    .map(|a| format!("{} IS NULL", a.1))
                    .collect::<Vec<_>>()
                    .join(" OR "),
            ),
            n => {
                if let Some(a) = n.parse::<usize>().ok().and_then(|k| args.get(k)) {
                    out.push_str(&pick(a));
                }
            }
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out
}

/// Re-writes the direct sub-expressions of a node (or every top-level expression of a query)
/// with the [`Writer`], carried in nodes that print verbatim, and re-quotes the names and
/// literals outside them.
struct Children<'w, 'v> {
    w: &'w mut Writer<'v>,
    /// Whether the first expression met is the node itself (kept, its children written).
    skip_root: bool,
}

fn verbatim(text: String) -> Expr {
    Expr::Identifier(Ident::new(text))
}

impl VisitorMut for Children<'_, '_> {
    type Break = ();

    fn pre_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
        if self.skip_root {
            self.skip_root = false;
            // A name or literal is written here; anything else by its children.
            return ControlFlow::Continue(());
        }
        let (text, _) = self.w.expr(e);
        *e = verbatim(text);
        ControlFlow::Continue(())
    }

    fn pre_visit_ident(&mut self, ident: &mut Ident) -> ControlFlow<()> {
        if ident.quote_style.is_some() {
            match super::super::render::quoted_name(self.w.v, &ident.value) {
                Ok(q) => {
                    ident.value = q;
                    ident.quote_style = None;
                }
                Err(e) => {
                    self.w.invalid.get_or_insert(e);
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_value(&mut self, value: &mut sqlparser::ast::ValueWithSpan) -> ControlFlow<()> {
        let text = match &value.value {
            Value::Number(n, _) => self.w.v.number_literal(n),
            Value::Boolean(_) | Value::Null | Value::Placeholder(_) => {
                return ControlFlow::Continue(())
            }
            Value::SingleQuotedString(s) => self.w.literal(s),
            other => {
                self.w.invalid.get_or_insert(CompileError::Invalid(format!(
                    "the literal `{other}` is not supported in a fragment; write strings in single quotes"
                )));
                return ControlFlow::Continue(());
            }
        };
        value.value = Value::Placeholder(text);
        ControlFlow::Continue(())
    }
}
