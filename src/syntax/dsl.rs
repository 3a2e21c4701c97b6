//! DSL front end (placeholder until the grammar lands).

use super::ast;
use crate::diagnostics::{Diagnostic, FileId, Span};

pub(super) fn parse(file: FileId, _text: &str) -> (Option<ast::File>, Vec<Diagnostic>) {
    let d = Diagnostic::error(super::SYNTAX, "the DSL front end is not built yet")
        .label(Span::new(file, 0, 0), "here");
    (None, vec![d])
}
