//! Comments, which the syntax tree does not keep. The header (the comment lines at the top of a
//! file) is carried over by `fmt` and `convert`; of any other comment, `fmt` refuses to drop it
//! silently and `convert` warns that it is not carried over.
//!
//! A `#` starts a comment when it is outside every quoted string, backtick fragment, YAML block
//! scalar and outside every value the parser read (the tree's spans, which cover bare SQL
//! fragments); in YAML it must also follow a blank or start the line.

use crate::syntax::ast::{self, Str, Syntax};

/// The file's header: the full-line comments (`#` in both syntaxes) and blank lines before its
/// first line of content, ending after its last comment line. Printing keeps it.
pub fn header(text: &str) -> &str {
    let mut end = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        // A lone CR is a line break to both parsers: a header line holding one may hold content.
        if line.trim_end_matches(['\n', '\r']).contains('\r') {
            break;
        }
        // A byte-order mark before the first comment belongs to the header.
        let content = line.trim().trim_start_matches('\u{feff}');
        if content.starts_with('#') {
            end = offset + line.len();
        } else if !content.is_empty() {
            break;
        }
        offset += line.len();
    }
    &text[..end]
}

/// `printed` (a tree printed canonically) under the header of `original`, each header line
/// without trailing blanks and, when the original had one, one blank line after it.
pub fn with_header(original: &str, printed: String) -> String {
    let head = header(original);
    if head.is_empty() {
        return printed;
    }
    let mut out = String::with_capacity(head.len() + printed.len() + 1);
    for line in head.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let gap = original[head.len()..]
        .split_inclusive('\n')
        .next()
        .is_some_and(|l| l.trim().is_empty());
    if gap && !printed.is_empty() {
        out.push('\n');
    }
    out.push_str(&printed);
    out
}

/// The 1-based line of the first comment in `text` that printing would drop (one after the
/// [`header`]), if any. `tree` is the file's parse.
pub fn find_comment(syntax: Syntax, text: &str, tree: &ast::File) -> Option<usize> {
    let spans = value_spans(tree);
    let head = header(text).len();
    let inside = |at: usize| at < head || spans.iter().any(|&(s, e)| s <= at && at < e);
    let candidates = match syntax {
        Syntax::Yaml => yaml_candidates(text),
        Syntax::Lode => lode_candidates(text),
    };
    let at = candidates.into_iter().find(|&at| !inside(at))?;
    Some(text[..at].matches('\n').count() + 1)
}

/// Byte offsets of `#` that start a comment in the DSL, strings and backticks skipped.
fn lode_candidates(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'`' => {
                i += 1;
                loop {
                    match b.get(i) {
                        None => break,
                        Some(b'`') if b.get(i + 1) == Some(&b'`') => i += 2,
                        Some(b'`') => {
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                }
            }
            b'#' => {
                out.push(i);
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// Byte offsets of `#` that start a comment in YAML: quoted scalars (which may span lines) and
/// block scalars skipped; a `#` counts after a blank or at the start of a line.
fn yaml_candidates(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut quote: Option<u8> = None;
    // The indentation of the line that opened a block scalar (`key: |`).
    let mut block: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let indent = content.len() - content.trim_start_matches(' ').len();
        if let Some(parent) = block {
            if content.trim().is_empty() || indent > parent {
                continue;
            }
            block = None;
        }
        let b = content.as_bytes();
        let mut i = 0;
        // At the start of a value: after indentation, `- `, `: `, `? ` or a flow indicator.
        let mut at_value = true;
        // The column of the line's key, after any `- ` of sequence items.
        let mut key_indent = indent;
        while content[key_indent..].starts_with("- ") {
            key_indent += 2 + content[key_indent + 2..].len()
                - content[key_indent + 2..].trim_start_matches(' ').len();
        }
        while i < b.len() {
            let c = b[i];
            if let Some(q) = quote {
                if q == b'"' && c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == q {
                    if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    quote = None;
                }
                i += 1;
                continue;
            }
            let after_blank = i == 0 || matches!(b[i - 1], b' ' | b'\t');
            match c {
                b'#' if after_blank => {
                    out.push(start + i);
                    break;
                }
                b' ' | b'\t' => {}
                b'\'' | b'"' if at_value => {
                    quote = Some(c);
                    at_value = false;
                }
                b'|' | b'>' if at_value => {
                    // A block scalar header; its content is on the following lines.
                    block = Some(key_indent);
                    at_value = false;
                }
                b'-' | b'?' if at_value && matches!(b.get(i + 1), None | Some(b' ')) => {}
                b':' if matches!(b.get(i + 1), None | Some(b' ' | b'\t')) => at_value = true,
                b'[' | b'{' | b',' if at_value || c == b',' => at_value = true,
                _ => at_value = false,
            }
            i += 1;
        }
    }
    out
}

/// The byte ranges of every value of the tree.
fn value_spans(f: &ast::File) -> Vec<(usize, usize)> {
    let mut v: Vec<&Str> = Vec::new();
    v.extend(
        [&f.version, &f.product, &f.description, &f.game]
            .into_iter()
            .flatten(),
    );
    for o in &f.owners {
        v.push(&o.key);
        v.extend([&o.name, &o.email, &o.slack].into_iter().flatten());
    }
    for s in &f.sources {
        v.push(&s.name);
        v.extend(
            [&s.description, &s.table, &s.sql, &s.time]
                .into_iter()
                .flatten(),
        );
        for c in s.columns.iter().flatten() {
            v.push(&c.name);
            v.extend(c.data_type.as_ref());
        }
        for d in &s.dimensions {
            v.push(&d.name);
            v.push(&d.expr);
        }
    }
    for m in f.metrics() {
        v.push(&m.name);
        v.extend(
            [
                &m.label,
                &m.description,
                &m.owner,
                &m.metric_type,
                &m.grain,
                &m.window,
            ]
            .into_iter()
            .flatten(),
        );
        for c in &m.compute {
            let mut measures = Vec::new();
            match c {
                ast::Compute::Measure(ms) => measures.push(ms),
                ast::Compute::Ratio {
                    numerator,
                    denominator,
                    ..
                } => {
                    for o in [numerator, denominator].into_iter().flatten() {
                        match o {
                            ast::Operand::Measure(ms) => measures.push(ms),
                            ast::Operand::Metric(n) => v.push(n),
                        }
                    }
                }
                ast::Compute::Derived(e) => v.push(e),
            }
            for ms in measures {
                v.extend(
                    [&ms.source, &ms.agg, &ms.expr, &ms.p, &ms.filter, &ms.having]
                        .into_iter()
                        .flatten(),
                );
            }
        }
        if let Some(t) = &m.threshold {
            v.extend([&t.min, &t.max].into_iter().flatten());
        }
        for t in &m.targets {
            v.extend([&t.by, &t.value].into_iter().flatten());
        }
        if let Some(r) = &m.review {
            v.extend([&r.cadence, &r.last_reviewed].into_iter().flatten());
        }
        for a in &m.allow {
            v.push(&a.code);
            v.extend(a.reason.as_ref());
        }
    }
    v.into_iter()
        .map(|s| (s.span.start as usize, s.span.end as usize))
        .collect()
}
