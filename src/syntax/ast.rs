//! The syntax tree shared by both front ends: what the author wrote, with the byte span of every
//! value and the comments around it. Values are kept as written (strings); the model stage
//! gives them types.
//!
//! The tree is generic over the key catalogue ([`super::keys`]): a map is a [`Node`] of a
//! [`Place`] whose [`Field`]s are keyed by [`Key`]. A key may be given more than once (two
//! `measure` lines in the DSL), so that the model stage can say so; nothing is dropped here.

use super::keys::{Key, Place};
use crate::diagnostics::{FileId, Span, Spanned};

pub type Str = Spanned<String>;

/// Which syntax a file is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Syntax {
    Yaml,
    Lode,
}

/// Comments attached to an element of the tree: whole lines above it, and one at the end of its
/// line. Each is kept as written from its `#`, without trailing blanks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comments {
    pub before: Vec<String>,
    pub after: Option<String>,
}

impl Comments {
    pub fn is_empty(&self) -> bool {
        self.before.is_empty() && self.after.is_none()
    }

    /// Every comment, as lines: `before`, then `after`.
    pub fn lines(&self) -> impl Iterator<Item = &String> {
        self.before.iter().chain(self.after.as_ref())
    }

    /// Adds `other`'s comments, all as lines above (for an element that has no line of its own
    /// in the syntax it is printed in).
    pub fn absorb(&mut self, other: &Comments) {
        self.before.extend(other.lines().cloned());
    }

    /// These comments followed by `other`'s, for two elements printed as one line: lines above
    /// stay above, and the end-of-line comment stays at the end of the line (when both have
    /// one, the first goes above).
    pub fn merge(mut self, other: &Comments) -> Comments {
        self.before.extend(other.before.iter().cloned());
        if let Some(after) = &other.after {
            self.before.extend(self.after.take());
            self.after = Some(after.clone());
        }
        self
    }
}

/// One spec file.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub file: FileId,
    pub syntax: Syntax,
    /// The top-level map ([`Place::File`]).
    pub root: Node,
    /// Comments after the last element of the file.
    pub end: Comments,
}

/// A map of the keys of one place.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub place: Place,
    /// The whole map (or statement, in the DSL).
    pub span: Span,
    pub fields: Vec<Field>,
}

/// `key: value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub key: Key,
    /// The key as written (in the DSL, the statement's first word or the text it came from).
    pub key_span: Span,
    /// From the key to the end of the value.
    pub span: Span,
    pub value: Value,
    pub comments: Comments,
}

impl Field {
    /// Whether the key is not written in the text: the DSL writes the elements of a list or
    /// map of names as statements of their own (`owner ...`, `input ...`), and a ratio as its
    /// `numerator` and `denominator` lines. Such a field starts where its first element does.
    pub fn is_implicit(&self) -> bool {
        let first = match &self.value {
            Value::Scalar(_) => return false,
            Value::Map(n) => n.fields.first().map(|f| f.key_span),
            Value::List(items) => items.first().map(|i| i.span),
            Value::Named(entries) => entries.first().map(|e| e.span),
        };
        first == Some(self.key_span)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar(Str),
    Map(Node),
    List(Vec<Item>),
    Named(Vec<Entry>),
}

/// An element of a list: a map, or a scalar.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub span: Span,
    pub value: Value,
    pub comments: Comments,
}

/// `name: value` in a map of names (owners, sources, dimensions, typed columns). `value` is
/// `None` for a column without a type.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub name: Str,
    pub span: Span,
    pub value: Option<Value>,
    pub comments: Comments,
}

/// The role of a metric in its product's tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    NorthStar,
    Input,
    Guardrail,
    /// A lagging business result the North Star should lead.
    Outcome,
}

impl Role {
    /// In print order.
    pub const ALL: &'static [Role] =
        &[Role::NorthStar, Role::Input, Role::Guardrail, Role::Outcome];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::NorthStar => "north star",
            Role::Input => "input",
            Role::Guardrail => "guardrail",
            Role::Outcome => "outcome",
        }
    }

    /// The key of the file that lists metrics of this role.
    pub fn key(self) -> Key {
        match self {
            Role::NorthStar => Key::NorthStar,
            Role::Input => Key::Inputs,
            Role::Guardrail => Key::Guardrails,
            Role::Outcome => Key::Outcomes,
        }
    }
}

impl Value {
    pub fn span(&self) -> Option<Span> {
        match self {
            Value::Scalar(s) => Some(s.span),
            Value::Map(n) => Some(n.span),
            Value::List(items) => Some(items.first()?.span.to(items.last()?.span)),
            Value::Named(entries) => Some(entries.first()?.span.to(entries.last()?.span)),
        }
    }

    pub fn as_str(&self) -> Option<&Str> {
        match self {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_node(&self) -> Option<&Node> {
        match self {
            Value::Map(n) => Some(n),
            _ => None,
        }
    }
}

impl Node {
    pub fn new(place: Place, span: Span) -> Node {
        Node {
            place,
            span,
            fields: Vec::new(),
        }
    }

    /// The first field of `key`.
    pub fn field(&self, key: Key) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Every field of `key`, in the order written.
    pub fn fields_of(&self, key: Key) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(move |f| f.key == key)
    }

    pub fn has(&self, key: Key) -> bool {
        self.field(key).is_some()
    }

    /// The scalar of the first field of `key`.
    pub fn str(&self, key: Key) -> Option<&Str> {
        self.field(key).and_then(|f| f.value.as_str())
    }

    /// The map of the first field of `key`.
    pub fn map(&self, key: Key) -> Option<&Node> {
        self.field(key).and_then(|f| f.value.as_node())
    }

    /// The elements of every field of `key`: the items of a list, or a lone map as one.
    pub fn items(&self, key: Key) -> impl Iterator<Item = &Value> {
        self.fields_of(key).flat_map(|f| match &f.value {
            Value::List(items) => items.iter().map(|i| &i.value).collect::<Vec<_>>(),
            other => vec![other],
        })
    }

    /// The maps among [`Node::items`].
    pub fn nodes(&self, key: Key) -> impl Iterator<Item = &Node> {
        self.items(key).filter_map(Value::as_node)
    }

    /// The entries of every field of `key` (a map of names).
    pub fn entries(&self, key: Key) -> impl Iterator<Item = &Entry> {
        self.fields_of(key).flat_map(|f| match &f.value {
            Value::Named(entries) => entries.iter().collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    }

    /// Adds a field.
    pub fn push(&mut self, key: Key, key_span: Span, value: Value) -> &mut Field {
        let span = match value.span() {
            Some(v) if v.file == key_span.file && v.end >= key_span.start => key_span.to(v),
            _ => key_span,
        };
        self.fields.push(Field {
            key,
            key_span,
            span,
            value,
            comments: Comments::default(),
        });
        self.fields.last_mut().expect("just pushed")
    }

    /// Moves the options of a metric's measure that were written on the metric (a YAML `window`
    /// beside `measure`, a DSL `window` statement) into its measure, when it has exactly one and
    /// the measure does not set the option itself. Both front ends do this, so that a spec reads
    /// to the same tree in either syntax; what stays is reported by the model stage.
    pub fn settle_measure_options(&mut self) {
        if self.place != Place::Metric || self.fields_of(Key::Measure).count() != 1 {
            return;
        }
        let is_option = |k: Key| k == Key::MetricWindow || k.place() == Place::Measure;
        let (options, rest): (Vec<Field>, Vec<Field>) = std::mem::take(&mut self.fields)
            .into_iter()
            .partition(|f| is_option(f.key));
        self.fields = rest;
        let mut kept = Vec::new();
        if let Some(Value::Map(measure)) = self
            .fields
            .iter_mut()
            .find(|f| f.key == Key::Measure)
            .map(|f| &mut f.value)
        {
            for mut o in options {
                if o.key == Key::MetricWindow {
                    o.key = Key::Window;
                }
                if measure.has(o.key) {
                    o.key = if o.key == Key::Window {
                        Key::MetricWindow
                    } else {
                        o.key
                    };
                    kept.push(o);
                } else {
                    measure.fields.push(o);
                }
            }
        }
        self.fields.extend(kept);
    }

    /// Adds a scalar field whose key is written where its value is (DSL parts).
    pub fn push_str(&mut self, key: Key, value: Str) -> &mut Field {
        self.push(key, value.span, Value::Scalar(value))
    }
}

impl File {
    pub fn empty(file: FileId, syntax: Syntax) -> File {
        File {
            file,
            syntax,
            root: Node::new(Place::File, Span::new(file, 0, 0)),
            end: Comments::default(),
        }
    }

    /// Every metric with its role, in print order: North Star(s), inputs, guardrails, outcomes.
    pub fn metrics(&self) -> impl Iterator<Item = (Role, &Node)> {
        Role::ALL
            .iter()
            .flat_map(move |&role| self.root.nodes(role.key()).map(move |n| (role, n)))
    }
}
