//! YAML front end: serde-saphyr reads the text into a generic tree whose every node keeps its
//! position, refusing duplicate keys, deep nesting and alias bombs ([`raw`]); the walk
//! ([`walk`]) turns that tree into an [`ast::File`], guided by the key catalogue, reporting
//! unknown keys and misshapen values with their spans.

mod raw;
mod walk;

use super::ast;
use super::{MAX_DEPTH, STRUCTURE, SYNTAX};
use crate::diagnostics::{Diagnostic, FileId, Span};
use raw::{Locator, Raw};

pub(super) fn parse(file: FileId, text: &str) -> (Option<ast::File>, Vec<Diagnostic>) {
    let loc = Locator::new(file, text);
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    // A spec needs no aliases; a few small ones are tolerated, an expansion bomb is refused
    // before it costs time. A spec file holds a few thousand nodes; 100,000 bound the work of
    // any input (the parser takes about 4 µs a node in release builds).
    budget.max_recorded_anchor_events = 10_000;
    budget.max_nodes = 100_000;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    options.with_snippet = false;
    let raw: serde_saphyr::Spanned<Raw> = match serde_saphyr::from_str_with_options(text, options) {
        Ok(raw) => raw,
        Err(e) => return (None, vec![yaml_error(&loc, &e)]),
    };
    let root = loc.node(raw);
    walk::file(file, root)
}

fn yaml_error(loc: &Locator, e: &serde_saphyr::Error) -> Diagnostic {
    let span = e
        .location()
        .map(|l| loc.span(&l))
        .unwrap_or(Span::new(loc.file, 0, 0));
    let span = loc.scalar_span(span);
    if let serde_saphyr::Error::DuplicateMappingKey { key, .. } = e {
        // The DSL reports a statement given twice as LS902 too: a structural error of the file,
        // not a rule that configuration could turn off.
        let key = key.clone().unwrap_or_default();
        return Diagnostic::error(STRUCTURE, format!("duplicate key `{key}`"))
            .label(span, "this key is given again")
            .help("each key may appear once in a map; remove or rename one of them");
    }
    let message = first_line(&e.to_string());
    let lower = message.to_ascii_lowercase();
    let help = if lower.contains("depth") || lower.contains("nesting") {
        format!("a spec nests a few levels deep; nesting beyond {MAX_DEPTH} levels is refused")
    } else if lower.contains("alias") || lower.contains("anchor") || lower.contains("budget") {
        "the file expands far beyond its size (too many aliases or nodes); a spec needs no \
         aliases"
            .to_owned()
    } else {
        "the file must be valid YAML; check the indentation and quoting near this position"
            .to_owned()
    };
    Diagnostic::error(SYNTAX, format!("invalid YAML: {message}"))
        .label(span, "here")
        .help(help)
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or(s).trim();
    // serde-saphyr appends its own "at line X column Y"; we show positions ourselves.
    match line.rfind(" at line ") {
        Some(i) => line[..i].to_owned(),
        None => line.to_owned(),
    }
}
