//! The walk over the YAML nodes, guided by the key catalogue: each map's keys are looked up in
//! its [`Place`], each value read by its key's [`Shape`]. Unknown keys and values of the wrong
//! shape are reported together, each at its own span; what is wrong is left out of the tree.

use super::raw::{Kind, Node as Yaml};
use crate::diagnostics::{Diagnostic, FileId, Span, Spanned};
use crate::syntax::ast::{self, Entry, Item, Node, Value};
use crate::syntax::keys::{unknown_key_help, Key, Place, Shape};
use crate::syntax::{Syntax, STRUCTURE};

pub(super) fn file(file: FileId, root: Yaml) -> (Option<ast::File>, Vec<Diagnostic>) {
    let mut w = Walker {
        diagnostics: Vec::new(),
    };
    let tree = w.file(file, root);
    (tree, w.diagnostics)
}

struct Walker {
    diagnostics: Vec<Diagnostic>,
}

impl Walker {
    fn error(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn expected(&mut self, node: &Yaml, what: &str, context: &str) {
        let d = Diagnostic::error(
            STRUCTURE,
            format!("expected {what} for {context}, found {}", node.describe()),
        )
        .label(node.span, format!("expected {what}"))
        .help(format!(
            "write {context} as {what}; see the spec language reference in the README"
        ));
        self.error(d);
    }

    fn file(&mut self, file: FileId, root: Yaml) -> Option<ast::File> {
        if !matches!(root.kind, Kind::Map(_)) {
            let d = Diagnostic::error(STRUCTURE, "this YAML file is not a lodestar spec")
                .label(root.span, format!("the top level is {}", root.describe()))
                .help("a spec is a map whose first key is `lodestar: 1`");
            self.error(d);
            return None;
        }
        let start = root.span.start as usize;
        let node = self.node(root, Place::File)?;
        if node.str(Key::Lodestar).is_none() {
            let d = Diagnostic::error(STRUCTURE, "this YAML file is not a lodestar spec")
                .label(Span::new(file, start, start), "no `lodestar` key")
                .help("a spec starts with `lodestar: 1`, the version of the spec language");
            self.error(d);
            return None;
        }
        Some(ast::File {
            root: node,
            ..ast::File::empty(file, Syntax::Yaml)
        })
    }

    /// A map of `place`, or (for a place with a shorthand) a lone scalar.
    fn node(&mut self, y: Yaml, place: Place) -> Option<Node> {
        let span = y.span;
        match y.kind {
            Kind::Map(entries) => {
                let mut node = Node::new(place, span);
                for (name, value) in entries {
                    match place.key(&name.value) {
                        Some(key) => {
                            if let Some(v) = self.value(key, &name, value) {
                                node.push(key, name.span, v);
                            }
                        }
                        None => {
                            let d = Diagnostic::error(
                                STRUCTURE,
                                format!("unknown key `{}` in {}", name.value, place.noun()),
                            )
                            .label(name.span, "unknown key")
                            .help(unknown_key_help(&name.value, &place.yaml_names()));
                            self.error(d);
                        }
                    }
                }
                node.settle_measure_options();
                Some(node)
            }
            Kind::Scalar(s) if place.shorthand().is_some() => {
                let key = place.shorthand()?;
                let mut node = Node::new(place, span);
                node.push(key, span, Value::Scalar(Spanned::new(s, span)));
                Some(node)
            }
            _ => {
                self.expected(&y, "a map", place.noun());
                None
            }
        }
    }

    /// The value of `key`, read by its shape.
    fn value(&mut self, key: Key, name: &ast::Str, y: Yaml) -> Option<Value> {
        let context = format!("`{}`", key.name());
        let shape = key.shape();
        if shape.is_scalar() {
            return match y.kind {
                Kind::Null => {
                    let k = key.name();
                    self.error(
                        Diagnostic::error(STRUCTURE, format!("`{k}` has no value"))
                            .label(name.span, "empty")
                            .help(format!("give `{k}` a value, or remove the key")),
                    );
                    None
                }
                _ => self.scalar(y, &context).map(Value::Scalar),
            };
        }
        match shape {
            Shape::Map(place) => self.node(y, place).map(Value::Map),
            Shape::List(place) | Shape::One(place) => match y.kind {
                Kind::Seq(items) => Some(Value::List(self.items(items, place))),
                Kind::Null => Some(Value::List(Vec::new())),
                Kind::Map(_) if matches!(shape, Shape::One(_)) => {
                    self.node(y, place).map(Value::Map)
                }
                Kind::Map(_) => {
                    let span = y.span;
                    Some(Value::List(vec![item(
                        span,
                        Value::Map(self.node(y, place)?),
                    )]))
                }
                _ => {
                    let what = format!("a list of {}", place.list_noun());
                    self.expected(&y, &what, &context);
                    None
                }
            },
            Shape::Named(place) => {
                let entries = self.named(y, &context)?;
                let out = entries
                    .into_iter()
                    .filter_map(|(name, v)| {
                        let span = name.span.to(v.span);
                        let value = match (&v.kind, place.shorthand()) {
                            (Kind::Null, Some(_)) => Some(Value::Map(Node::new(place, v.span))),
                            _ => Some(Value::Map(self.node(v, place)?)),
                        };
                        Some(entry(name, span, value))
                    })
                    .collect();
                Some(Value::Named(out))
            }
            Shape::NamedSql => {
                let entries = self.named(y, &context)?;
                let out = entries
                    .into_iter()
                    .filter_map(|(name, v)| {
                        let span = name.span.to(v.span);
                        let expr = self.scalar(v, "a dimension's SQL expression")?;
                        Some(entry(name, span, Some(Value::Scalar(expr))))
                    })
                    .collect();
                Some(Value::Named(out))
            }
            Shape::Columns => match y.kind {
                Kind::Seq(items) => Some(Value::List(
                    items
                        .into_iter()
                        .filter_map(|i| {
                            let span = i.span;
                            let name = self.scalar(i, "a column name")?;
                            Some(item(span, Value::Scalar(name)))
                        })
                        .collect(),
                )),
                Kind::Map(entries) => Some(Value::Named(
                    entries
                        .into_iter()
                        .map(|(name, ty)| {
                            let span = name.span.to(ty.span);
                            let value = match ty.kind {
                                Kind::Null => None,
                                _ => self.scalar(ty, "a column type").map(Value::Scalar),
                            };
                            entry(name, span, value)
                        })
                        .collect(),
                )),
                Kind::Null => Some(Value::List(Vec::new())),
                Kind::Scalar(_) => {
                    self.expected(
                        &y,
                        "a list of column names (or a map of name to type)",
                        &context,
                    );
                    None
                }
            },
            Shape::Operand => match y.kind {
                Kind::Scalar(s) => Some(Value::Scalar(Spanned::new(s, y.span))),
                _ => self.node(y, Place::Measure).map(Value::Map),
            },
            _ => unreachable!("scalar shapes are read above"),
        }
    }

    fn scalar(&mut self, y: Yaml, context: &str) -> Option<ast::Str> {
        match y.kind {
            Kind::Scalar(s) => Some(Spanned::new(s, y.span)),
            _ => {
                self.expected(&y, "a single value", context);
                None
            }
        }
    }

    fn items(&mut self, items: Vec<Yaml>, place: Place) -> Vec<Item> {
        items
            .into_iter()
            .filter_map(|i| {
                let span = i.span;
                Some(item(span, Value::Map(self.node(i, place)?)))
            })
            .collect()
    }

    fn named(&mut self, y: Yaml, context: &str) -> Option<Vec<(ast::Str, Yaml)>> {
        match y.kind {
            Kind::Map(entries) => Some(entries),
            _ => {
                self.expected(&y, "a map", context);
                None
            }
        }
    }
}

fn item(span: Span, value: Value) -> Item {
    Item {
        span,
        value,
        comments: ast::Comments::default(),
    }
}

fn entry(name: ast::Str, span: Span, value: Option<Value>) -> Entry {
    Entry {
        name,
        span,
        value,
        comments: ast::Comments::default(),
    }
}
