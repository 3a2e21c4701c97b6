//! DSL front end (`*.lode`): the pest grammar in `grammar/lodestar.pest` reads the text, and
//! [`build`] turns pest's pairs into [`ast::File`] at once; nothing outside this module sees
//! pest. Pest's errors become LS901 diagnostics in words ([`errors`]); statements the language
//! does not have become LS902 with a suggestion.
//!
//! Before pest runs, [`check_input`] refuses text that pest should never see: NUL bytes (binary
//! files) and nesting deeper than [`MAX_DEPTH`], which would otherwise recurse once per level.

mod build;
mod errors;

use pest::Parser;

use super::ast;
use super::{MAX_DEPTH, SYNTAX};
use crate::diagnostics::{Diagnostic, FileId, Span};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/lodestar.pest"]
struct LodeParser;

pub(super) fn parse(file: FileId, text: &str) -> (Option<ast::File>, Vec<Diagnostic>) {
    if let Some(d) = check_input(file, text) {
        return (None, vec![d]);
    }
    match LodeParser::parse(Rule::file, text) {
        Ok(mut pairs) => match pairs.next() {
            Some(root) => build::file(file, root),
            None => (None, Vec::new()),
        },
        Err(e) => (None, vec![errors::diagnostic(file, text, &e)]),
    }
}

/// Refuses binary text and deep nesting, in one linear pass.
///
/// Every `(`, `{` and `[` counts, even inside strings: a spec nests two or three levels, so
/// counting too much costs nothing real, and counting too little could let pest recurse.
fn check_input(file: FileId, text: &str) -> Option<Diagnostic> {
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            0 => {
                return Some(
                    Diagnostic::error(SYNTAX, "this file is not text: it holds a NUL byte")
                        .label(Span::new(file, i, i + 1), "binary data")
                        .help("a `.lode` spec is plain UTF-8 text; check that the right file is named"),
                );
            }
            b'(' | b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(
                        Diagnostic::error(
                            SYNTAX,
                            format!("brackets are nested more than {MAX_DEPTH} levels deep"),
                        )
                        .label(Span::new(file, i, i + 1), "too deep")
                        .help(
                            "a spec nests a few levels at most; close the brackets opened before \
                             this one",
                        ),
                    );
                }
            }
            b')' | b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}
