//! Comments as trivia of the syntax tree. Both front ends read the text into a tree without
//! comments; [`attach`] then finds every comment (a `#` outside strings, backtick fragments,
//! YAML block scalars and every value the parser read) and hangs it on the nearest element of
//! the tree: a comment at the end of a line on the outermost element that starts on that line, a
//! comment on a line of its own on the first element after it. The printers write them back.
//!
//! The header (the comment lines at the top of a file) is not attached: the printers keep it as
//! it is ([`crate::format::header`]).

use super::ast::{self, Comments, Str, Syntax, Value};

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

/// The byte offsets of the comments of a DSL file whose `#` is glued to the text before it
/// (`threshold >= 4.5# note`). A comment starts at the start of a line or after a blank, as in
/// YAML; glued to SQL, a `#` is read as SQL (and refused there), so it is refused everywhere.
pub fn glued(tree: &ast::File, text: &str) -> Vec<usize> {
    if tree.syntax != Syntax::Lode {
        return Vec::new();
    }
    find(tree, text, header(text).len())
        .into_iter()
        .filter(|c| c.trailing && !matches!(text.as_bytes()[c.at - 1], b' ' | b'\t'))
        .map(|c| c.at)
        .collect()
}

/// One comment of a file.
struct Comment {
    /// Byte offset of its `#`.
    at: usize,
    /// Its text from the `#`, without trailing blanks.
    text: String,
    /// Whether something else stands before it on its line.
    trailing: bool,
}

/// Attaches every comment of `text` below its header to `tree`. `header` is the length of the
/// header in bytes.
pub fn attach(tree: &mut ast::File, text: &str, header: usize) {
    let comments = find(tree, text, header);
    if comments.is_empty() {
        return;
    }
    let mut anchors = Vec::new();
    collect(&tree.root, 0, &mut anchors);
    // Anchors by position; of several starting at one offset, the outermost first.
    let mut order: Vec<usize> = (0..anchors.len()).collect();
    order.sort_by_key(|&i| (anchors[i].start, anchors[i].depth, i));
    let line_start = |at: usize| text[..at].rfind('\n').map_or(0, |i| i + 1);
    // What each anchor (by pre-order index) receives: `(after, text)`.
    let mut placed: Vec<Vec<(bool, String)>> = vec![Vec::new(); anchors.len()];
    for c in comments {
        let first_after = |at: usize| order.partition_point(|&i| anchors[i].start <= at);
        let mut target = None;
        if c.trailing {
            // The outermost element that starts on the comment's line, before it (one comment
            // per line, so these scans together cover each anchor once).
            let from = order.partition_point(|&i| anchors[i].start < line_start(c.at));
            target = order[from..first_after(c.at)]
                .iter()
                .filter(|&&i| anchors[i].start < c.at)
                .min_by_key(|&&i| (anchors[i].depth, i))
                .map(|&i| (i, true));
        }
        if target.is_none() {
            // The first element after it; of several starting there, the outermost.
            target = order
                .get(first_after(c.at))
                .filter(|&&i| anchors[i].start != usize::MAX)
                .map(|&i| (i, false));
        }
        match target {
            Some((i, after)) => placed[i].push((after, c.text)),
            None => tree.end.before.push(c.text),
        }
    }
    let mut counter = 0;
    apply(&mut tree.root, &mut counter, &mut placed);
}

/// An element that can carry comments, in pre-order.
struct Anchor {
    start: usize,
    depth: usize,
}

fn collect(node: &ast::Node, depth: usize, out: &mut Vec<Anchor>) {
    for f in &node.fields {
        // A key that is not written is no place for a comment: its first element is.
        let start = if f.is_implicit() {
            usize::MAX
        } else {
            f.span.start as usize
        };
        out.push(Anchor { start, depth });
        collect_value(&f.value, depth + 1, out);
    }
}

fn collect_value(v: &Value, depth: usize, out: &mut Vec<Anchor>) {
    match v {
        Value::Scalar(_) => {}
        Value::Map(n) => collect(n, depth, out),
        Value::List(items) => {
            for i in items {
                out.push(Anchor {
                    start: i.span.start as usize,
                    depth,
                });
                collect_value(&i.value, depth + 1, out);
            }
        }
        Value::Named(entries) => {
            for e in entries {
                out.push(Anchor {
                    start: e.span.start as usize,
                    depth,
                });
                if let Some(v) = &e.value {
                    collect_value(v, depth + 1, out);
                }
            }
        }
    }
}

/// Gives each anchor, in the same pre-order as [`collect`], the comments placed on it.
fn apply(node: &mut ast::Node, counter: &mut usize, placed: &mut [Vec<(bool, String)>]) {
    for f in &mut node.fields {
        take(*counter, &mut f.comments, placed);
        *counter += 1;
        apply_value(&mut f.value, counter, placed);
    }
}

fn apply_value(v: &mut Value, counter: &mut usize, placed: &mut [Vec<(bool, String)>]) {
    match v {
        Value::Scalar(_) => {}
        Value::Map(n) => apply(n, counter, placed),
        Value::List(items) => {
            for i in items {
                take(*counter, &mut i.comments, placed);
                *counter += 1;
                apply_value(&mut i.value, counter, placed);
            }
        }
        Value::Named(entries) => {
            for e in entries {
                take(*counter, &mut e.comments, placed);
                *counter += 1;
                if let Some(v) = &mut e.value {
                    apply_value(v, counter, placed);
                }
            }
        }
    }
}

fn take(index: usize, comments: &mut Comments, placed: &mut [Vec<(bool, String)>]) {
    for (after, text) in placed
        .get_mut(index)
        .map(std::mem::take)
        .unwrap_or_default()
    {
        if after && comments.after.is_none() {
            comments.after = Some(text);
        } else {
            comments.before.push(text);
        }
    }
}

/// The comments of `text` below its header and outside every value of `tree`.
fn find(tree: &ast::File, text: &str, header: usize) -> Vec<Comment> {
    let mut spans = Vec::new();
    scalar_spans(&tree.root, &mut spans);
    spans.sort_unstable();
    let inside = |at: usize| {
        // The last value starting at or before `at`.
        let i = spans.partition_point(|&(s, _)| s <= at);
        spans[..i]
            .iter()
            .rev()
            .take(64)
            .any(|&(s, e)| s <= at && at < e)
    };
    let candidates = match tree.syntax {
        Syntax::Yaml => yaml_candidates(text),
        Syntax::Lode => lode_candidates(text),
    };
    let mut last_line = None;
    candidates
        .into_iter()
        .filter(|&at| at >= header && !inside(at))
        .filter(|&at| {
            // One comment a line: a later `#` on it is the comment's text.
            let line = text[..at].rfind('\n');
            let first = last_line != Some(line);
            last_line = Some(line);
            first
        })
        .map(|at| {
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
            Comment {
                at,
                text: text[at..end].trim_end().to_owned(),
                trailing: !text[line_start..at].trim().is_empty(),
            }
        })
        .collect()
}

/// The byte ranges of every scalar of the tree (values, names of entries).
fn scalar_spans(node: &ast::Node, out: &mut Vec<(usize, usize)>) {
    fn push(s: &Str, out: &mut Vec<(usize, usize)>) {
        out.push((s.span.start as usize, s.span.end as usize));
    }
    fn value(v: &Value, out: &mut Vec<(usize, usize)>) {
        match v {
            Value::Scalar(s) => push(s, out),
            Value::Map(n) => scalar_spans(n, out),
            Value::List(items) => items.iter().for_each(|i| value(&i.value, out)),
            Value::Named(entries) => {
                for e in entries {
                    push(&e.name, out);
                    if let Some(v) = &e.value {
                        value(v, out);
                    }
                }
            }
        }
    }
    for f in &node.fields {
        value(&f.value, out);
    }
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
            // A `#` inside bare SQL (`x || '#'`) is skipped later by the value spans; the first
            // `#` of a line outside them starts the comment.
            b'#' => {
                out.push(i);
                i += 1;
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
