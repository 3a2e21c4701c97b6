//! Canonical printers for both syntaxes (`lodestar fmt`, `lodestar convert`).
//!
//! The printers work on the syntax tree ([`crate::syntax::ast::File`]), which keeps every value
//! as written but no comments. [`print_file`] keeps a file's header comments; [`find_comment`]
//! tells the CLI when a file has other comments, which printing would drop. Printing is canonical (one layout per tree) and idempotent, and
//! converting between the syntaxes keeps the model: `to_yaml` and `to_lode` of the same tree
//! resolve to equal models. The DSL cannot hold every string YAML can (a table name with a
//! space, a multi-line aggregated expression): [`lode_unsupported`] lists such values.

mod comments;
mod lode;
mod scalar;
mod unsupported;
mod yaml;

pub use comments::{find_comment, header};
pub use lode::to_lode;
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
