//! The syntax tree shared by both front ends: what the author wrote, with the byte span of
//! every value. Values are kept as written (strings); the model stage gives them types.
//!
//! A field that may be missing is an `Option`; a field that may be given more than once (two
//! North Stars, two ways to compute a metric) is a `Vec`, so that the checks can say so.

use crate::diagnostics::{FileId, Span, Spanned};

pub type Str = Spanned<String>;

/// Which syntax a file is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Syntax {
    Yaml,
    Lode,
}

/// One spec file.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub file: FileId,
    pub syntax: Syntax,
    /// `lodestar: 1` / `lodestar 1`.
    pub version: Option<Str>,
    pub product: Option<Str>,
    pub description: Option<Str>,
    pub game: Option<Str>,
    pub owners: Vec<Owner>,
    pub sources: Vec<Source>,
    pub north_stars: Vec<Metric>,
    pub inputs: Vec<Metric>,
    pub guardrails: Vec<Metric>,
}

impl File {
    pub fn empty(file: FileId, syntax: Syntax) -> File {
        File {
            file,
            syntax,
            version: None,
            product: None,
            description: None,
            game: None,
            owners: Vec::new(),
            sources: Vec::new(),
            north_stars: Vec::new(),
            inputs: Vec::new(),
            guardrails: Vec::new(),
        }
    }

    /// Every metric in print order: North Star(s), inputs, guardrails.
    pub fn metrics(&self) -> impl Iterator<Item = &Metric> {
        self.north_stars
            .iter()
            .chain(&self.inputs)
            .chain(&self.guardrails)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Owner {
    pub key: Str,
    pub name: Option<Str>,
    pub email: Option<Str>,
    pub slack: Option<Str>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: Str,
    pub data_type: Option<Str>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Dimension {
    pub name: Str,
    /// A SQL expression over the source's columns.
    pub expr: Str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    pub name: Str,
    pub description: Option<Str>,
    /// A dotted relation name.
    pub table: Option<Str>,
    /// One SELECT.
    pub sql: Option<Str>,
    pub time: Option<Str>,
    /// `None` when not declared; `Some(vec![])` when declared empty.
    pub columns: Option<Vec<Column>>,
    pub dimensions: Vec<Dimension>,
}

/// The role of a metric in its product's tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    NorthStar,
    Input,
    Guardrail,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::NorthStar => "north star",
            Role::Input => "input",
            Role::Guardrail => "guardrail",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Measure {
    /// Span of the whole measure (used when pointing at it).
    pub span: Span,
    pub source: Option<Str>,
    pub agg: Option<Str>,
    pub expr: Option<Str>,
    /// The percentile for `agg: percentile`, as written.
    pub p: Option<Str>,
    pub filter: Option<Str>,
    pub having: Option<Str>,
}

/// A ratio's numerator or denominator: a measure, or the name of a metric of the product.
#[derive(Clone, Debug, PartialEq)]
// A few per metric, built once: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Operand {
    Measure(Measure),
    Metric(Str),
}

#[derive(Clone, Debug, PartialEq)]
// A few per metric, built once: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Compute {
    Measure(Measure),
    Ratio {
        span: Span,
        numerator: Option<Operand>,
        denominator: Option<Operand>,
    },
    /// An arithmetic expression over other metrics of the product.
    Derived(Str),
}

impl Compute {
    pub fn span(&self) -> Span {
        match self {
            Compute::Measure(m) => m.span,
            Compute::Ratio { span, .. } => *span,
            Compute::Derived(s) => s.span,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Compute::Measure(_) => "measure",
            Compute::Ratio { .. } => "ratio",
            Compute::Derived(_) => "derived",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    pub span: Span,
    pub min: Option<Str>,
    pub max: Option<Str>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub span: Span,
    pub by: Option<Str>,
    pub value: Option<Str>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Review {
    pub span: Span,
    pub cadence: Option<Str>,
    pub last_reviewed: Option<Str>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Allow {
    pub span: Span,
    pub code: Str,
    pub reason: Option<Str>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    pub role: Role,
    /// Span of the whole declaration.
    pub span: Span,
    pub name: Str,
    pub label: Option<Str>,
    pub description: Option<Str>,
    pub owner: Option<Str>,
    pub metric_type: Option<Str>,
    pub grain: Option<Str>,
    /// Exactly one is expected; zero or several are reported by the model stage.
    pub compute: Vec<Compute>,
    /// A trailing window, as written (`7 days`).
    pub window: Option<Str>,
    pub threshold: Option<Threshold>,
    pub targets: Vec<Target>,
    pub review: Option<Review>,
    pub allow: Vec<Allow>,
}
