//! Syntax tree → canonical YAML.
//!
//! The canonical layout follows the example of the product page: top-level keys in the order
//! `lodestar, product, description, game, owners, sources, north_star, inputs, guardrails`, one
//! blank line between sections; small maps (owners, measures, thresholds, targets, reviews,
//! allow entries) and short column lists in flow style `{ ... }` / `[ ... ]` when they fit in
//! [`WIDTH`] columns and hold no multi-line text, block style otherwise. Scalars are plain unless
//! YAML would read them differently (see [`plain_ok`]); multi-line text is a literal block `|`;
//! one-line text too long for a line (long SQL) is a folded block `>-` when it reads back exactly.

use super::scalar::{self, Kind};
use crate::syntax::ast::{self, Str};

/// Lines longer than this switch flow collections to block style.
pub const WIDTH: usize = 100;

/// A YAML node to print.
enum Node {
    Scalar(Kind, String),
    Map {
        entries: Vec<(String, Node)>,
        flow: bool,
    },
    Seq {
        items: Vec<Node>,
        flow: bool,
    },
}

fn text(s: &Str) -> Node {
    Node::Scalar(Kind::Text, s.value.clone())
}

fn number(s: &Str) -> Node {
    Node::Scalar(Kind::Number, s.value.clone())
}

fn date(s: &Str) -> Node {
    Node::Scalar(Kind::Date, s.value.clone())
}

/// Builds a map from the entries that are present.
struct MapBuilder(Vec<(String, Node)>);

impl MapBuilder {
    fn new() -> MapBuilder {
        MapBuilder(Vec::new())
    }

    fn put(&mut self, key: &str, node: Node) -> &mut MapBuilder {
        self.0.push((key.to_owned(), node));
        self
    }

    fn opt(&mut self, key: &str, value: Option<&Str>, f: fn(&Str) -> Node) -> &mut MapBuilder {
        if let Some(v) = value {
            self.put(key, f(v));
        }
        self
    }

    fn build(&mut self, flow: bool) -> Node {
        Node::Map {
            entries: std::mem::take(&mut self.0),
            flow,
        }
    }
}

/// Prints a syntax tree as canonical YAML.
pub fn to_yaml(f: &ast::File) -> String {
    let mut sections: Vec<Vec<(String, Node)>> = Vec::new();
    let mut head = MapBuilder::new();
    // A YAML file is a spec only with its `lodestar` key; a DSL file may leave it out.
    match &f.version {
        Some(v) => head.put("lodestar", number(v)),
        None => head.put("lodestar", Node::Scalar(Kind::Number, "1".to_owned())),
    };
    head.opt("product", f.product.as_ref(), text)
        .opt("description", f.description.as_ref(), text)
        .opt("game", f.game.as_ref(), text);
    sections.push(head.0);
    if !f.owners.is_empty() {
        let owners = f
            .owners
            .iter()
            .map(|o| (o.key.value.clone(), owner(o)))
            .collect();
        sections.push(vec![(
            "owners".to_owned(),
            Node::Map {
                entries: owners,
                flow: false,
            },
        )]);
    }
    if !f.sources.is_empty() {
        let sources = f
            .sources
            .iter()
            .map(|s| (s.name.value.clone(), source(s)))
            .collect();
        sections.push(vec![(
            "sources".to_owned(),
            Node::Map {
                entries: sources,
                flow: false,
            },
        )]);
    }
    match f.north_stars.as_slice() {
        [] => {}
        [one] => sections.push(vec![("north_star".to_owned(), metric(one))]),
        many => sections.push(vec![(
            "north_star".to_owned(),
            Node::Seq {
                items: many.iter().map(metric).collect(),
                flow: false,
            },
        )]),
    }
    for (key, metrics) in [("inputs", &f.inputs), ("guardrails", &f.guardrails)] {
        if !metrics.is_empty() {
            let items = metrics.iter().map(metric).collect();
            sections.push(vec![(key.to_owned(), Node::Seq { items, flow: false })]);
        }
    }
    let mut out = String::new();
    for section in sections.into_iter().filter(|s| !s.is_empty()) {
        if !out.is_empty() {
            out.push('\n');
        }
        for (key, node) in &section {
            entry(&mut out, 0, &key_text(key), node);
        }
    }
    out
}

fn owner(o: &ast::Owner) -> Node {
    MapBuilder::new()
        .opt("name", o.name.as_ref(), text)
        .opt("email", o.email.as_ref(), text)
        .opt("slack", o.slack.as_ref(), text)
        .build(true)
}

fn source(s: &ast::Source) -> Node {
    let mut m = MapBuilder::new();
    m.opt("description", s.description.as_ref(), text)
        .opt("table", s.table.as_ref(), text)
        .opt("sql", s.sql.as_ref(), text)
        .opt("time", s.time.as_ref(), text);
    if let Some(cols) = &s.columns {
        let node = if cols.iter().any(|c| c.data_type.is_some()) {
            let entries = cols
                .iter()
                .map(|c| {
                    let ty = match &c.data_type {
                        Some(t) => text(t),
                        None => Node::Scalar(Kind::Null, String::new()),
                    };
                    (c.name.value.clone(), ty)
                })
                .collect();
            Node::Map {
                entries,
                flow: false,
            }
        } else {
            Node::Seq {
                items: cols.iter().map(|c| text(&c.name)).collect(),
                flow: true,
            }
        };
        m.put("columns", node);
    }
    if !s.dimensions.is_empty() {
        let entries = s
            .dimensions
            .iter()
            .map(|d| (d.name.value.clone(), text(&d.expr)))
            .collect();
        m.put(
            "dimensions",
            Node::Map {
                entries,
                flow: false,
            },
        );
    }
    m.build(false)
}

fn measure(m: &ast::Measure) -> Node {
    MapBuilder::new()
        .opt("source", m.source.as_ref(), text)
        .opt("agg", m.agg.as_ref(), text)
        .opt("expr", m.expr.as_ref(), text)
        .opt("p", m.p.as_ref(), number)
        .opt("filter", m.filter.as_ref(), text)
        .opt("having", m.having.as_ref(), text)
        .build(true)
}

fn operand(o: &ast::Operand) -> Node {
    match o {
        ast::Operand::Measure(m) => measure(m),
        ast::Operand::Metric(name) => text(name),
    }
}

fn metric(m: &ast::Metric) -> Node {
    let mut b = MapBuilder::new();
    b.put("name", text(&m.name))
        .opt("label", m.label.as_ref(), text)
        .opt("description", m.description.as_ref(), text)
        .opt("owner", m.owner.as_ref(), text)
        .opt("type", m.metric_type.as_ref(), text)
        .opt("grain", m.grain.as_ref(), text)
        .opt("window", m.window.as_ref(), |w| {
            Node::Scalar(Kind::Text, super::lode::window(&w.value))
        });
    for c in &m.compute {
        match c {
            ast::Compute::Measure(ms) => b.put("measure", measure(ms)),
            ast::Compute::Ratio {
                numerator,
                denominator,
                ..
            } => {
                let mut r = MapBuilder::new();
                if let Some(n) = numerator {
                    r.put("numerator", operand(n));
                }
                if let Some(d) = denominator {
                    r.put("denominator", operand(d));
                }
                b.put("ratio", r.build(false))
            }
            ast::Compute::Derived(expr) => b.put("derived", text(expr)),
        };
    }
    if let Some(t) = &m.threshold {
        b.put(
            "threshold",
            MapBuilder::new()
                .opt("min", t.min.as_ref(), number)
                .opt("max", t.max.as_ref(), number)
                .build(true),
        );
    }
    if !m.targets.is_empty() {
        let items = m
            .targets
            .iter()
            .map(|t| {
                MapBuilder::new()
                    .opt("by", t.by.as_ref(), date)
                    .opt("value", t.value.as_ref(), number)
                    .build(true)
            })
            .collect();
        b.put("targets", Node::Seq { items, flow: false });
    }
    if let Some(r) = &m.review {
        b.put(
            "review",
            MapBuilder::new()
                .opt("cadence", r.cadence.as_ref(), text)
                .opt("last_reviewed", r.last_reviewed.as_ref(), date)
                .build(true),
        );
    }
    if !m.allow.is_empty() {
        let items = m
            .allow
            .iter()
            .map(|a| {
                MapBuilder::new()
                    .put("code", text(&a.code))
                    .opt("reason", a.reason.as_ref(), text)
                    .build(true)
            })
            .collect();
        b.put("allow", Node::Seq { items, flow: false });
    }
    b.build(false)
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
                .map(|(k, v)| Some(format!("{}: {}", key_text(k), flow(v)?)))
                .collect();
            Some(format!("{{ {} }}", parts?.join(", ")))
        }
        Node::Seq { items, .. } => {
            let parts: Option<Vec<String>> = items.iter().map(flow).collect();
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
    if !wants {
        return None;
    }
    let text = flow(node)?;
    (empty || indent + prefix.chars().count() + 1 + text.chars().count() <= WIDTH).then_some(text)
}

/// Prints `key: value` at `indent`, the value in block style where needed.
fn entry(out: &mut String, indent: usize, key: &str, node: &Node) {
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
            for (k, v) in entries {
                entry(out, indent, &key_text(k), v);
            }
        }
        Node::Seq { items, .. } => {
            let pad = " ".repeat(indent);
            for item in items {
                match item {
                    Node::Scalar(kind, s) => {
                        let v = scalar::inline(*kind, s, false)
                            .unwrap_or_else(|| scalar::double_quoted(s));
                        out.push_str(&format!("{pad}- {v}\n"));
                    }
                    _ => {
                        if let Some(text) = flow_fits(item, indent, "-") {
                            out.push_str(&format!("{pad}- {text}\n"));
                            continue;
                        }
                        // Block map (or list) item: its first line follows the dash.
                        let mut inner = String::new();
                        children(&mut inner, indent + 2, item);
                        let rest = inner.strip_prefix(&format!("{pad}  ")).unwrap_or(&inner);
                        out.push_str(&format!("{pad}- {rest}"));
                    }
                }
            }
        }
    }
}
