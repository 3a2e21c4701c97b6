//! The portable core of the fragment language: every operator, function and type a spec's SQL
//! may use, and how each dialect writes it. One table ([`CATALOGUE`], [`TYPES`]), read by the
//! lint rule LS009 (what cannot be written for the project's dialects), by the compiler (which
//! translates fragments with it, [`Writer`]) and by `docs/sql.md` (generated from it).
//!
//! A row is written the generic way first ([`Spelling::AsWritten`]: the parsed fragment printed
//! back, names and literals re-quoted for the dialect); each dialect overrides only what differs,
//! as PRQL's standard library does. Three outcomes for a construct:
//!
//! * in the catalogue and spelled for the dialect: translated;
//! * in the catalogue but [`Spelling::Never`] for the dialect: LS009 names the dialect, and
//!   compiling for it fails whatever `allow` says;
//! * not in the catalogue (a user-defined function, a vendor extension): LS009 for every dialect;
//!   a team that allows it gets it written as is.

mod catalogue;
mod classify;
#[cfg(test)]
mod docs;
#[cfg(test)]
mod tests;
mod writer;

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Query, Spanned};

use super::Dialect;
use classify::{classify, Class};
use Spelling::Never;

pub(crate) use catalogue::{Entry, Kind, Spelling, Type, CATALOGUE};
// Reachable where they were (the module docs link TYPES), though only catalogue.rs and the tests
// use them.
#[allow(unused_imports)]
pub(crate) use catalogue::{TypeRow, TYPES};
#[cfg(test)]
pub(crate) use docs::{markdown, render_text};
pub(crate) use writer::Writer;

/// A construct that cannot be written for some of the dialects asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// How the message names it: `median`, `my_udf`, `cast to REAL`.
    pub what: String,
    /// The dialects (of those asked about) it cannot be written for.
    pub dialects: Vec<Dialect>,
    /// Whether it is in the catalogue (and cannot be written for these dialects), or unknown to
    /// lodestar (and written as is when the rule is allowed).
    pub known: bool,
    pub help: String,
    /// Where, in the fragment (sqlparser's line and column; empty when unknown).
    pub span: sqlparser::tokenizer::Span,
}

/// Where a node is, for a message: a call's name, else the node.
fn span_of(e: &Expr) -> sqlparser::tokenizer::Span {
    match e {
        Expr::Function(f) => f.name.span(),
        _ => e.span(),
    }
}

fn refusal_of(e: &Expr, dialects: &[Dialect]) -> Option<Refusal> {
    match classify(e) {
        Class::Plain | Class::Cast(..) => None,
        Class::Unknown(what, help) => Some(Refusal {
            what,
            dialects: dialects.to_vec(),
            known: false,
            help,
            span: span_of(e),
        }),
        Class::Entry(row) => {
            let never: Vec<Dialect> = dialects
                .iter()
                .copied()
                .filter(|&d| row.spelling(d) == Never)
                .collect();
            (!never.is_empty()).then(|| Refusal {
                what: row.name().to_owned(),
                dialects: never,
                known: true,
                help: row.instead.to_owned(),
                span: span_of(e),
            })
        }
    }
}

/// Every construct of an expression (and of the subqueries in it) that cannot be written for one
/// of `dialects`, in the order written.
pub fn check_expr(e: &Expr, dialects: &[Dialect]) -> Vec<Refusal> {
    let mut out = Vec::new();
    let _ = sqlparser::ast::visit_expressions(e, |node| {
        out.extend(refusal_of(node, dialects));
        ControlFlow::<()>::Continue(())
    });
    out
}

/// [`check_expr`] for every expression of a SELECT (tables, joins and subqueries are allowed).
pub fn check_query(q: &Query, dialects: &[Dialect]) -> Vec<Refusal> {
    let mut out = Vec::new();
    let _ = sqlparser::ast::visit_expressions(q, |node| {
        out.extend(refusal_of(node, dialects));
        ControlFlow::<()>::Continue(())
    });
    out
}
