//! Source text → syntax tree with byte spans. Two front ends, one tree ([`ast`]).
//!
//! Parsing never panics and never fails outright: it returns whatever tree it could build and
//! the diagnostics for what it could not read.

pub mod ast;
mod dsl;
pub mod keys;
pub mod trivia;
pub mod values;
mod yaml;

use crate::diagnostics::{Code, Diagnostic, FileId, Span};

pub use ast::Syntax;
pub use keys::did_you_mean;

/// Text that is not YAML or not the DSL, or input too large or too deeply nested to read.
pub const SYNTAX: Code = Code::Syntax;
/// A key or statement the spec language does not have, or a value of the wrong shape.
pub const STRUCTURE: Code = Code::Structure;
/// A value that is not one of those allowed (a grain, an aggregation, a number, a date).
pub const VALUE: Code = Code::InvalidValue;
/// A file that cannot be read as text.
pub const UNREADABLE: Code = Code::Unreadable;

/// Nesting deeper than this is refused before any recursive descent.
pub const MAX_DEPTH: usize = 64;
/// Files larger than this are refused (a spec is a few kilobytes).
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;

/// The syntax a path is written in, from its extension.
pub fn syntax_of(path: &str) -> Option<Syntax> {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some(Syntax::Yaml)
    } else if lower.ends_with(".lode") {
        Some(Syntax::Lode)
    } else {
        None
    }
}

/// Parses one file. The tree is `None` only when nothing of it could be read.
pub fn parse(file: FileId, syntax: Syntax, text: &str) -> (Option<ast::File>, Vec<Diagnostic>) {
    let whole = Span::new(file, 0, text.len().min(1));
    if text.len() > MAX_FILE_BYTES {
        let d = Diagnostic::error(SYNTAX, format!("file is too large ({} bytes)", text.len()))
            .label(whole, "this file")
            .help(format!(
                "a spec is a few kilobytes; files over {} MiB are refused. Split the project into \
                 one file per product",
                MAX_FILE_BYTES / (1024 * 1024)
            ));
        return (None, vec![d]);
    }
    if text.trim().is_empty() {
        let d = Diagnostic::error(SYNTAX, "file is empty")
            .label(whole, "empty file")
            .help(match syntax {
                Syntax::Yaml => "a YAML spec starts with `lodestar: 1`; see `lodestar init`",
                Syntax::Lode => "a DSL spec starts with `lodestar 1`; see `lodestar init`",
            });
        return (None, vec![d]);
    }
    let (mut tree, mut diagnostics) = match syntax {
        Syntax::Yaml => yaml::parse(file, text),
        Syntax::Lode => dsl::parse(file, text),
    };
    if let Some(tree) = &mut tree {
        for at in trivia::glued(tree, text) {
            diagnostics.push(
                Diagnostic::error(SYNTAX, "a comment needs a blank before its `#`")
                    .label(Span::new(file, at, at + 1), "glued to the text before it")
                    .help(
                        "write a blank before `#` (`threshold >= 4.5  # note`): a comment starts \
                         at the start of a line or after a blank, as in YAML, so that a `#` in SQL \
                         is never taken for one",
                    ),
            );
        }
        trivia::attach(tree, text, trivia::header(text).len());
    }
    (tree, diagnostics)
}

/// Quick check used when walking a directory: does this YAML text declare itself a spec?
/// (A spec's top level has the key `lodestar`.) YAML files that do not are left alone.
pub fn looks_like_yaml_spec(text: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with("lodestar:") || l.starts_with("\"lodestar\":"))
}
