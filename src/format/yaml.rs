//! Syntax tree → canonical YAML.
//!
//! The canonical layout follows the example of the product page: keys in the order of the key
//! catalogue ([`crate::syntax::keys`]), one blank line between the top-level sections; maps of
//! the places the catalogue marks as small (owners, measures, thresholds, targets, reviews,
//! allow entries) and short column lists in flow style `{ ... }` / `[ ... ]` when they fit in
//! [`WIDTH`] columns and hold no multi-line text and no comment, block style otherwise. Scalars
//! are plain unless YAML would read them differently (see [`scalar::plain_ok`]); multi-line text
//! is a literal block `|`; one-line text too long for a line (long SQL) is a folded block `>-`
//! when it reads back exactly. Comments are printed with the element they belong to.

use super::scalar::{self, Kind};
use crate::syntax::ast::{self, Comments, Value};
use crate::syntax::keys::{Key, Place, Shape};

/// Lines longer than this switch flow collections to block style.
pub const WIDTH: usize = 100;

/// A YAML node to print.
enum Node {
    Scalar(Kind, String),
    Map {
        entries: Vec<(String, Node, Comments)>,
        flow: bool,
    },
    Seq {
        items: Vec<(Node, Comments)>,
        flow: bool,
    },
}

impl Node {
    /// Whether a comment is attached anywhere inside (which rules out flow style).
    fn has_comments(&self) -> bool {
        match self {
            Node::Scalar(..) => false,
            Node::Map { entries, .. } => entries
                .iter()
                .any(|(_, n, c)| !c.is_empty() || n.has_comments()),
            Node::Seq { items, .. } => items.iter().any(|(n, c)| !c.is_empty() || n.has_comments()),
        }
    }
}

/// Prints a syntax tree as canonical YAML.
pub fn to_yaml(f: &ast::File) -> String {
    let root = &f.root;
    let mut sections: Vec<Vec<(String, Node, Comments)>> = Vec::new();
    let mut head = Vec::new();
    // A YAML file is a spec only with its `lodestar` key; a DSL file may leave it out.
    if !root.has(Key::Lodestar) {
        head.push((
            "lodestar".to_owned(),
            Node::Scalar(Kind::Number, "1".to_owned()),
            Comments::default(),
        ));
    }
    for key in Place::File.keys() {
        for field in root.fields_of(key) {
            let entry = field_entry(field);
            if key.shape().is_scalar() {
                head.push(entry);
            } else {
                sections.push(vec![entry]);
            }
        }
    }
    sections.insert(0, head);
    let mut out = String::new();
    for section in sections.into_iter().filter(|s| !s.is_empty()) {
        if !out.is_empty() {
            out.push('\n');
        }
        for (key, node, comments) in &section {
            entry(&mut out, 0, &key_text(key), node, comments);
        }
    }
    for line in &f.end.before {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// A map of the tree: its keys in catalogue order (keys of other places, which only an invalid
/// tree has, after them in the order written).
fn map(n: &ast::Node) -> Node {
    let mut entries = Vec::new();
    for key in n.place.keys() {
        entries.extend(n.fields_of(key).map(field_entry));
    }
    entries.extend(
        n.fields
            .iter()
            .filter(|f| f.key.place() != n.place)
            .map(field_entry),
    );
    let mut node = Node::Map {
        entries,
        flow: false,
    };
    let flow = n.place.flow() && !node.has_comments();
    if let Node::Map { flow: f, .. } = &mut node {
        *f = flow;
    }
    node
}

/// `key: value` with its comments.
fn field_entry(field: &ast::Field) -> (String, Node, Comments) {
    let key = field.key;
    let mut comments = field.comments.clone();
    // One map written as a list of one (the DSL's only `north star`): its comments go to the key.
    if let (Shape::One(_), Value::List(items)) = (key.shape(), &field.value) {
        if let [one] = items.as_slice() {
            comments = comments.merge(&one.comments);
        }
    }
    (key.name().to_owned(), value(key, &field.value), comments)
}

/// The value of `key`, by its shape.
fn value(key: Key, v: &Value) -> Node {
    let shape = key.shape();
    match v {
        Value::Scalar(s) => scalar(shape, &s.value),
        Value::Map(n) => map(n),
        Value::List(items) => {
            // One North Star is a map; a list of them is kept so that LS001 can say why.
            if let (Shape::One(_), [one]) = (shape, items.as_slice()) {
                if let Value::Map(n) = &one.value {
                    return map(n);
                }
            }
            let items = items
                .iter()
                .map(|i| (value(key, &i.value), i.comments.clone()))
                .collect();
            Node::Seq {
                items,
                flow: shape == Shape::Columns,
            }
        }
        Value::Named(entries) => {
            let untyped = shape == Shape::Columns && entries.iter().all(|e| e.value.is_none());
            if untyped {
                let items = entries
                    .iter()
                    .map(|e| {
                        (
                            Node::Scalar(Kind::Text, e.name.value.clone()),
                            e.comments.clone(),
                        )
                    })
                    .collect();
                return Node::Seq { items, flow: true };
            }
            let entries = entries
                .iter()
                .map(|e| {
                    let node = match &e.value {
                        Some(v) => value(key, v),
                        None => Node::Scalar(Kind::Null, String::new()),
                    };
                    (e.name.value.clone(), node, e.comments.clone())
                })
                .collect();
            Node::Map {
                entries,
                flow: false,
            }
        }
    }
}

fn scalar(shape: Shape, s: &str) -> Node {
    match shape {
        Shape::Version | Shape::Number | Shape::Fraction => {
            Node::Scalar(Kind::Number, s.to_owned())
        }
        Shape::Date => Node::Scalar(Kind::Date, s.to_owned()),
        Shape::Flag => Node::Scalar(Kind::Bool, s.to_owned()),
        Shape::Days => Node::Scalar(Kind::Text, super::lode::window(s)),
        _ => Node::Scalar(Kind::Text, s.to_owned()),
    }
}

/// A map key: plain when safe, else double-quoted.
fn key_text(key: &str) -> String {
    if scalar::plain_ok(key, true) {
        key.to_owned()
    } else {
        scalar::double_quoted(key)
    }
}

/// The one-line flow form of a node, if it has one.
fn flow(node: &Node) -> Option<String> {
    match node {
        Node::Scalar(kind, s) => scalar::inline(*kind, s, true),
        Node::Map { entries, .. } if entries.is_empty() => Some("{}".to_owned()),
        Node::Map { entries, .. } => {
            let parts: Option<Vec<String>> = entries
                .iter()
                .map(|(k, v, _)| Some(format!("{}: {}", key_text(k), flow(v)?)))
                .collect();
            Some(format!("{{ {} }}", parts?.join(", ")))
        }
        Node::Seq { items, .. } => {
            let parts: Option<Vec<String>> = items.iter().map(|(n, _)| flow(n)).collect();
            Some(format!("[{}]", parts?.join(", ")))
        }
    }
}

/// Whether a collection prints in flow style on a line that starts with `prefix` at `indent`.
fn flow_fits(node: &Node, indent: usize, prefix: &str) -> Option<String> {
    let wants = match node {
        Node::Map { entries, flow } => *flow || entries.is_empty(),
        Node::Seq { items, flow } => *flow || items.is_empty(),
        Node::Scalar(..) => false,
    };
    let empty = matches!(node, Node::Map { entries, .. } if entries.is_empty())
        || matches!(node, Node::Seq { items, .. } if items.is_empty());
    if !wants || node.has_comments() {
        return None;
    }
    let text = flow(node)?;
    (empty || indent + prefix.chars().count() + 1 + text.chars().count() <= WIDTH).then_some(text)
}

/// Prints the comment lines above an element at `indent`; returns where the element starts.
fn before(out: &mut String, indent: usize, comments: &Comments) -> usize {
    for line in &comments.before {
        out.push_str(&format!("{}{line}\n", " ".repeat(indent)));
    }
    out.len()
}

/// Adds the comment at the end of an element's line to the first line printed from `start`.
fn after(out: &mut String, start: usize, comments: &Comments) {
    if let Some(c) = &comments.after {
        let end = out[start..].find('\n').map_or(out.len(), |i| start + i);
        out.insert_str(end, &format!("  {c}"));
    }
}

/// Prints `key: value` at `indent` with its comments, the value in block style where needed.
fn entry(out: &mut String, indent: usize, key: &str, node: &Node, comments: &Comments) {
    let start = before(out, indent, comments);
    entry_text(out, indent, key, node);
    after(out, start, comments);
}

fn entry_text(out: &mut String, indent: usize, key: &str, node: &Node) {
    let pad = " ".repeat(indent);
    match node {
        Node::Scalar(kind, s) => match scalar::inline(*kind, s, false) {
            Some(v) if v.is_empty() => out.push_str(&format!("{pad}{key}:\n")),
            // Long text is folded over lines (`>-`), when it reads back exactly.
            Some(v) if indent + key.chars().count() + 2 + v.chars().count() > WIDTH => {
                match scalar::folded(s, WIDTH.saturating_sub(indent + 2).max(20)) {
                    Some(lines) if *kind == Kind::Text => {
                        out.push_str(&format!("{pad}{key}: >-\n"));
                        for line in lines {
                            out.push_str(&format!("{pad}  {line}\n"));
                        }
                    }
                    _ => out.push_str(&format!("{pad}{key}: {v}\n")),
                }
            }
            Some(v) => out.push_str(&format!("{pad}{key}: {v}\n")),
            None => {
                let (header, lines) = scalar::literal(s);
                out.push_str(&format!("{pad}{key}: {header}\n"));
                for line in lines {
                    if line.is_empty() {
                        out.push('\n');
                    } else {
                        out.push_str(&format!("{pad}  {line}\n"));
                    }
                }
            }
        },
        _ => {
            if let Some(text) = flow_fits(node, indent, &format!("{key}:")) {
                out.push_str(&format!("{pad}{key}: {text}\n"));
                return;
            }
            out.push_str(&format!("{pad}{key}:\n"));
            children(out, indent + 2, node);
        }
    }
}

/// Prints the entries or items of a collection in block style at `indent`.
fn children(out: &mut String, indent: usize, node: &Node) {
    match node {
        Node::Scalar(..) => {}
        Node::Map { entries, .. } => {
            for (k, v, c) in entries {
                entry(out, indent, &key_text(k), v, c);
            }
        }
        Node::Seq { items, .. } => {
            let pad = " ".repeat(indent);
            for (item, comments) in items {
                let start = before(out, indent, comments);
                match item {
                    Node::Scalar(kind, s) => {
                        let v = scalar::inline(*kind, s, false)
                            .unwrap_or_else(|| scalar::double_quoted(s));
                        out.push_str(&format!("{pad}- {v}\n"));
                    }
                    _ => match flow_fits(item, indent, "-") {
                        Some(text) => out.push_str(&format!("{pad}- {text}\n")),
                        None => {
                            // Block map (or list) item: its first line follows the dash.
                            let mut inner = String::new();
                            children(&mut inner, indent + 2, item);
                            let rest = inner.strip_prefix(&format!("{pad}  ")).unwrap_or(&inner);
                            out.push_str(&format!("{pad}- {rest}"));
                        }
                    },
                }
                after(out, start, comments);
            }
        }
    }
}
