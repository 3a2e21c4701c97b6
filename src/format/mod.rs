//! Canonical printers for both syntaxes (`lodestar fmt`, `lodestar convert`).
//!
//! The printers work on the syntax tree ([`crate::syntax::ast::File`]), which keeps every value
//! as written and every comment as trivia of the element it belongs to; [`print_file`] also
//! keeps a file's header (the comment lines at its top). Printing is canonical (one layout per
//! tree) and idempotent, and converting between the syntaxes keeps the model and the comments:
//! `to_yaml` and `to_lode` of the same tree resolve to equal models. The DSL cannot hold every string YAML can (a table name with a
//! space, a multi-line aggregated expression): [`lode_unsupported`] lists such values.

mod comments;
mod lode;
mod scalar;
mod unsupported;
mod yaml;

pub use comments::header;
pub use lode::{to_lode, window};
pub use unsupported::lode_unsupported;
pub use yaml::{to_yaml, WIDTH};

use crate::syntax::{ast, Syntax};

/// Prints a syntax tree in the given syntax.
pub fn print(tree: &ast::File, syntax: Syntax) -> String {
    match syntax {
        Syntax::Yaml => to_yaml(tree),
        Syntax::Lode => to_lode(tree),
    }
}

/// Prints the tree of `original` in the given syntax, keeping the file's header comments (the
/// comment lines at its top: a description of the file, a `yaml-language-server` modeline).
pub fn print_file(tree: &ast::File, syntax: Syntax, original: &str) -> String {
    comments::with_header(original, print(tree, syntax))
}

/// Removes every comment of the tree (the header is kept by [`print_file`] unless the text
/// passed there has none).
pub fn strip_comments(tree: &mut ast::File) {
    fn node(n: &mut ast::Node) {
        for f in &mut n.fields {
            f.comments = Default::default();
            value(&mut f.value);
        }
    }
    fn value(v: &mut ast::Value) {
        match v {
            ast::Value::Scalar(_) => {}
            ast::Value::Map(n) => node(n),
            ast::Value::List(items) => {
                for i in items {
                    i.comments = Default::default();
                    value(&mut i.value);
                }
            }
            ast::Value::Named(entries) => {
                for e in entries {
                    e.comments = Default::default();
                    if let Some(v) = &mut e.value {
                        value(v);
                    }
                }
            }
        }
    }
    node(&mut tree.root);
    tree.end = Default::default();
}

/// Whether the tree holds a comment (below the header).
pub fn has_comments(tree: &ast::File) -> bool {
    fn node(n: &ast::Node) -> bool {
        n.fields
            .iter()
            .any(|f| !f.comments.is_empty() || value(&f.value))
    }
    fn value(v: &ast::Value) -> bool {
        match v {
            ast::Value::Scalar(_) => false,
            ast::Value::Map(n) => node(n),
            ast::Value::List(items) => items
                .iter()
                .any(|i| !i.comments.is_empty() || value(&i.value)),
            ast::Value::Named(entries) => entries
                .iter()
                .any(|e| !e.comments.is_empty() || e.value.as_ref().is_some_and(value)),
        }
    }
    node(&tree.root) || !tree.end.is_empty()
}
