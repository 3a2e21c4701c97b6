//! Checking the products of a few named files of a large project (the pull-request case:
//! `lodestar compile products/checkout.yaml` in a project of a thousand files).
//!
//! Parsing is most of the time of a check, so [`analyze_focused`] parses only the files the
//! named products can depend on: the named files, every file without a product (owners and
//! shared sources), and the files that declare a source or owner whose name the named files
//! mention. Which file declares what is read off the text by a line scan ([`declared`]) that
//! says "unsure" for anything it does not fully understand (flow-style YAML, anchors, an
//! unbalanced DSL block); an unsure file is parsed. The scan may take in a file too many, never
//! one too few: references stay inside one product, and owners and sources are the only things
//! a product takes from other files.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::{analyze, analyze_files, finish, Analysis, Workspace};
use crate::syntax::Syntax;

/// What a spec file declares, as far as the line scan can tell.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Declared {
    pub product: bool,
    /// Names of the sources and owners the file declares.
    pub names: Vec<String>,
}

/// Like [`analyze`], but when only some files were named, parses only what their products can
/// depend on. Findings are those of the named files, as with [`analyze`]; findings about the
/// project as a whole (a product name used in two files) are `lint`'s, which reads everything.
pub fn analyze_focused(ws: &Workspace, today: NaiveDate) -> Analysis {
    let Some(focus) = &ws.focus else {
        return analyze(ws, today);
    };
    let mentioned: HashSet<&str> = focus
        .iter()
        .flat_map(|&id| words(&ws.files.get(id).text))
        .collect();
    use rayon::prelude::*;
    // The scan reads every file: on every core.
    let needed: Vec<_> = ws
        .specs
        .par_iter()
        .filter(|spec| {
            focus.contains(&spec.id)
                || match declared(spec.syntax, &ws.files.get(spec.id).text) {
                    None => true,
                    Some(d) => !d.product || d.names.iter().any(|n| mentioned.contains(n.as_str())),
                }
        })
        .cloned()
        .collect();
    finish(ws, analyze_files(&ws.files, &needed, &ws.config, today))
}

/// The identifier-like words of a text: every name it could mention.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// What a file declares, or `None` when the scan cannot tell for sure.
pub fn declared(syntax: Syntax, text: &str) -> Option<Declared> {
    match syntax {
        Syntax::Yaml => declared_yaml(text),
        Syntax::Lode => declared_lode(text),
    }
}

/// YAML: the top-level keys are the lines that start in column 0; the names of `sources:` and
/// `owners:` are the keys one level below them. Anything else that could hide a key (flow
/// mappings, anchors and aliases, tabs, several documents, quoted or complex keys) is unsure.
fn declared_yaml(text: &str) -> Option<Declared> {
    let mut d = Declared::default();
    // Inside `sources:` or `owners:`: the indentation of their keys once seen.
    let mut block: Option<Option<usize>> = None;
    for line in text.lines() {
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        // Tabs are not YAML indentation; anchors and aliases can copy whole blocks.
        if content.starts_with('\t') || has_anchor_or_alias(line) {
            return None;
        }
        let indent = line.len() - content.len();
        if indent == 0 {
            block = None;
            if content.starts_with("---") || content.starts_with("...") {
                return None;
            }
            let (key, rest) = content.split_once(':')?;
            let rest = rest.trim();
            match key {
                "product" => d.product = true,
                "sources" | "owners" => {
                    if !(rest.is_empty() || rest.starts_with('#')) {
                        // `sources: {…}` or `sources: []`: a flow collection.
                        if rest == "{}" || rest == "[]" {
                            continue;
                        }
                        return None;
                    }
                    block = Some(None);
                }
                k if k.starts_with(['"', '\'', '?', '{', '[', '-']) => return None,
                _ => {}
            }
            continue;
        }
        if let Some(level) = &mut block {
            let at = *level.get_or_insert(indent);
            if indent < at {
                return None;
            }
            if indent == at {
                if content.starts_with(['"', '\'', '?', '-', '{', '[']) {
                    return None;
                }
                let (key, _) = content.split_once(':')?;
                d.names.push(key.trim_end().to_owned());
            }
        }
    }
    Some(d)
}

fn has_anchor_or_alias(line: &str) -> bool {
    if !line.bytes().any(|b| b == b'&' || b == b'*') {
        return false;
    }
    // Outside quotes and comments, `&name` or `*name` after a space or at the start of a value.
    let mut quote = None;
    let mut prev = ' ';
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && prev == ' ' => return false,
            None if (c == '&' || c == '*') && matches!(prev, ' ' | '[' | '{' | ',') => return true,
            None => {}
        }
        prev = c;
    }
    false
}

/// DSL: top-level statements are those outside every `{ … }` block (braces in strings,
/// backquoted SQL, SQL literals and comments do not count); `product`, `source NAME` and `owner NAME` there.
fn declared_lode(text: &str) -> Option<Declared> {
    let mut d = Declared::default();
    let mut depth = 0usize;
    let mut in_backquote = false;
    for line in text.lines() {
        if depth == 0 && !in_backquote {
            let mut w = line.split_whitespace();
            match (w.next(), w.next()) {
                (Some("product"), _) => d.product = true,
                (Some("source" | "owner"), Some(name)) => {
                    let name: String = name
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if name.is_empty() {
                        return None;
                    }
                    d.names.push(name);
                }
                (Some("source" | "owner"), None) => return None,
                _ => {}
            }
        }
        // Inside a string ("…") or a SQL literal ('…'). Every delimiter is ASCII, so bytes
        // will do (a UTF-8 continuation byte is never one of them).
        let mut quote: Option<u8> = None;
        let mut bytes = line.bytes();
        while let Some(c) = bytes.next() {
            match c {
                b'`' if quote.is_none() => in_backquote = !in_backquote,
                _ if in_backquote => {}
                b'\\' if quote == Some(b'"') => {
                    bytes.next();
                }
                _ if quote == Some(c) => quote = None,
                _ if quote.is_some() => {}
                b'"' | b'\'' => quote = Some(c),
                b'#' => break,
                b'{' => depth += 1,
                b'}' => depth = depth.checked_sub(1)?,
                _ => {}
            }
        }
    }
    (depth == 0 && !in_backquote).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Option<(bool, Vec<&'static str>)> {
        declared(Syntax::Yaml, text).map(|d| {
            (
                d.product,
                d.names
                    .into_iter()
                    .map(|n| &*Box::leak(n.into_boxed_str()))
                    .collect(),
            )
        })
    }

    fn lode(text: &str) -> Option<(bool, Vec<String>)> {
        declared(Syntax::Lode, text).map(|d| (d.product, d.names))
    }

    #[test]
    fn yaml_sources_and_owners_are_the_keys_below_them() {
        let text = "lodestar: 1\nproduct: p\nowners:\n  a: { name: A }\n  # c\n  b:\n    name: B\nsources:\n    orders:\n      table: x.y\n      columns:\n        - a\n    visits: { table: v, time: t }\nnorth_star:\n  name: n\n";
        assert_eq!(yaml(text), Some((true, vec!["a", "b", "orders", "visits"])));
        assert_eq!(
            yaml("lodestar: 1\nowners:\n  x: {}\n"),
            Some((false, vec!["x"]))
        );
    }

    #[test]
    fn yaml_the_scan_does_not_understand_is_unsure() {
        for text in [
            "lodestar: 1\nsources: { a: { table: t } }\n",
            "lodestar: 1\nsources:\n  a: &x { table: t }\n  b: *x\n",
            "lodestar: 1\n---\nsources:\n  a: {}\n",
            "lodestar: 1\nsources:\n  \"a b\": {}\n",
            "lodestar: 1\nsources:\n\ta: {}\n",
            "lodestar: 1\nsources:\n    a: {}\n  b: {}\n",
            "\"product\": p\n",
        ] {
            assert_eq!(yaml(text), None, "{text}");
        }
        // An ampersand inside a string or a comment is not an anchor.
        assert_eq!(
            yaml("lodestar: 1\nsources:\n  a: { description: \"R&D\" }  # & more\n"),
            Some((false, vec!["a"]))
        );
    }

    #[test]
    fn lode_declarations_are_the_top_level_statements() {
        let text = "lodestar 1\nproduct p \"P\"\nsource orders from x.y at t {\n  columns a, b\n}\nowner core \"Core\" { email \"c@x\" }\nsource s from sql `select '{' as x` at t\ninput i {\n  owner core\n  measure count() from orders where a = '}' and b = '{'  # }\n}\n";
        assert_eq!(
            lode(text),
            Some((
                true,
                vec!["orders".to_owned(), "core".to_owned(), "s".to_owned()]
            ))
        );
        assert_eq!(lode("lodestar 1\nsource a from t at c {\n"), None);
        assert_eq!(lode("lodestar 1\n}\n"), None);
    }
}
