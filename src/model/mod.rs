//! The resolved model: every file of a project merged, values typed, SQL fragments parsed,
//! spans kept. Built leniently: what is missing or wrong is left out (or `None`) and reported,
//! so that every check can still run on the rest.
//!
//! Entry point: [`resolve`].

mod calendar;
mod fragment;
mod resolve;
pub mod select;

use chrono::NaiveDate;

use crate::diagnostics::{FileId, Span, Spanned};
pub use crate::syntax::ast::{Role, Str, Syntax};
pub use crate::syntax::values::{
    Agg, Cadence, CompareAs, ConversionAs, Game, Grain, MetricType, TypeClass,
};
pub use fragment::{Fragment, FragmentError, FragmentKind, Parsed};
pub use resolve::resolve;
pub use select::{select, Selection};

/// Every file of a project, merged.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Project {
    /// Owners in declaration order (the first declaration of a key wins; repeats are reported).
    pub owners: Vec<Owner>,
    pub sources: Vec<Source>,
    pub products: Vec<Product>,
    /// Files that declare no product (shared owners and sources) and the syntax of each file.
    pub files: Vec<FileInfo>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FileInfo {
    pub file: FileId,
    pub syntax: Syntax,
    pub version: Option<Str>,
}

impl Project {
    pub fn owner(&self, key: &str) -> Option<&Owner> {
        self.owners.iter().find(|o| o.key.value == key)
    }

    pub fn source(&self, name: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.name.value == name)
    }

    pub fn product(&self, name: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.name.value == name)
    }
}

/// Equality ignores where it was written (file, syntax): only what it means counts.
#[derive(Clone, Debug, educe::Educe)]
#[educe(PartialEq)]
pub struct Owner {
    pub key: Str,
    pub name: Option<Str>,
    pub email: Option<Str>,
    pub slack: Option<Str>,
    #[educe(PartialEq(ignore))]
    pub file: FileId,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Relation {
    /// A dotted relation name, split into its parts.
    Table(Spanned<Vec<String>>),
    /// One SELECT.
    Sql(Fragment),
}

/// Whether `parts` name a relation: one to three parts, each of letters, digits, `_`, `$` or
/// `-` (BigQuery project names hold dashes).
pub fn is_relation_name(parts: &[String]) -> bool {
    (1..=3).contains(&parts.len())
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '-')
        })
}

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: Str,
    pub data_type: Option<Str>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Dimension {
    pub name: Str,
    pub expr: Fragment,
}

/// Equality ignores where it was written (file, syntax): only what it means counts.
#[derive(Clone, Debug, educe::Educe)]
#[educe(PartialEq)]
pub struct Source {
    pub name: Str,
    pub description: Option<Str>,
    pub relation: Option<Relation>,
    pub time: Option<Str>,
    pub columns: Option<Vec<Column>>,
    pub dimensions: Vec<Dimension>,
    #[educe(PartialEq(ignore))]
    pub file: FileId,
}

impl Source {
    /// The SQL fragments of the source itself (its `sql`, its dimensions), each with what it
    /// is for messages: "source `s`", "dimension `d`".
    pub fn fragments(&self) -> impl Iterator<Item = (&Fragment, String)> {
        let sql = match &self.relation {
            Some(Relation::Sql(f)) => Some((f, format!("source `{}`", self.name.value))),
            _ => None,
        };
        let dims = self
            .dimensions
            .iter()
            .map(|d| (&d.expr, format!("dimension `{}`", d.name.value)));
        sql.into_iter().chain(dims)
    }

    pub fn dimension(&self, name: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.name.value == name)
    }

    /// Whether `column` is declared (always true when no `columns` are declared).
    pub fn has_column(&self, column: &str) -> bool {
        match &self.columns {
            None => true,
            Some(cols) => cols
                .iter()
                .any(|c| c.name.value.eq_ignore_ascii_case(column)),
        }
    }
}

/// Equality ignores where it was written (file, syntax): only what it means counts.
#[derive(Clone, Debug, educe::Educe)]
#[educe(PartialEq)]
pub struct Product {
    pub name: Str,
    pub description: Option<Str>,
    pub game: Option<Spanned<Game>>,
    #[educe(PartialEq(ignore))]
    pub file: FileId,
    #[educe(PartialEq(ignore))]
    pub syntax: Syntax,
    /// North Star(s), then inputs, guardrails and outcomes, each in declaration order.
    pub metrics: Vec<Metric>,
}

impl Product {
    pub fn metric(&self, name: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.name.value == name)
    }

    pub fn north_stars(&self) -> impl Iterator<Item = &Metric> {
        self.metrics.iter().filter(|m| m.role == Role::NorthStar)
    }

    /// The North Star, when there is exactly one.
    pub fn north_star(&self) -> Option<&Metric> {
        let mut it = self.north_stars();
        match (it.next(), it.next()) {
            (Some(m), None) => Some(m),
            _ => None,
        }
    }

    pub fn inputs(&self) -> impl Iterator<Item = &Metric> {
        self.metrics.iter().filter(|m| m.role == Role::Input)
    }

    pub fn guardrails(&self) -> impl Iterator<Item = &Metric> {
        self.metrics.iter().filter(|m| m.role == Role::Guardrail)
    }

    pub fn outcomes(&self) -> impl Iterator<Item = &Metric> {
        self.metrics.iter().filter(|m| m.role == Role::Outcome)
    }
}

/// Equality ignores spans: two models mean the same when their values are equal.
#[derive(Clone, Debug, educe::Educe)]
#[educe(PartialEq)]
pub struct Measure {
    #[educe(PartialEq(ignore))]
    pub span: Span,
    pub source: Str,
    pub agg: Spanned<Agg>,
    /// The aggregated expression (`None` for `count`, which counts rows).
    pub expr: Option<Fragment>,
    pub filter: Option<Fragment>,
    pub having: Option<Fragment>,
    /// Which rows a period aggregates beyond its own: a trailing window, to date, or all.
    pub over: Option<Spanned<Over>>,
}

/// The rows a measure aggregates for a period, when not just the period's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Over {
    /// The `n` days ending on the period's last day.
    Window(u32),
    /// From the start of the week, month, quarter or year holding the period's last day.
    ToDate(Grain),
    /// Every row up to the period's last day.
    Cumulative,
}

impl Over {
    /// How it is written: `window: 7 days`, `to_date: month`, `cumulative: true`.
    pub fn describe(self) -> String {
        match self {
            Over::Window(n) => format!("window: {n} days"),
            Over::ToDate(g) => format!("to_date: {g}"),
            Over::Cumulative => "cumulative".to_owned(),
        }
    }
}

/// Another metric of the product, `offset` periods earlier.
/// Equality ignores spans: two models mean the same when their values are equal.
#[derive(Clone, Debug, educe::Educe)]
#[educe(PartialEq)]
pub struct Compare {
    #[educe(PartialEq(ignore))]
    pub span: Span,
    pub metric: Str,
    pub offset: Spanned<u32>,
    pub as_: Spanned<CompareAs>,
}

/// The rows of one side of a conversion.
/// Equality ignores spans: two models mean the same when their values are equal.
#[derive(Clone, Debug, educe::Educe)]
#[educe(PartialEq)]
pub struct Side {
    #[educe(PartialEq(ignore))]
    pub span: Span,
    pub source: Str,
    pub filter: Option<Fragment>,
}

/// Entities with a base row in the period, and those with an event row within `within` days
/// after one of them.
/// Equality ignores spans: two models mean the same when their values are equal.
#[derive(Clone, Debug, educe::Educe)]
#[educe(PartialEq)]
pub struct Conversion {
    #[educe(PartialEq(ignore))]
    pub span: Span,
    pub entity: Fragment,
    pub base: Side,
    pub event: Side,
    pub within: Spanned<u32>,
    pub as_: Spanned<ConversionAs>,
}

#[derive(Clone, Debug, PartialEq)]
// A few per metric, built once: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Operand {
    Measure(Measure),
    /// The name of another metric of the product.
    Metric(Str),
}

/// Equality ignores spans: two models mean the same when their values are equal.
#[derive(Clone, Debug, educe::Educe)]
#[educe(PartialEq)]
// A few per metric, built once: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Compute {
    Measure(Measure),
    Ratio {
        #[educe(PartialEq(ignore))]
        span: Span,
        numerator: Operand,
        denominator: Operand,
    },
    /// An arithmetic expression over other metrics; `refs` are the metric names it uses.
    Derived {
        expr: Fragment,
        refs: Vec<Str>,
    },
    Compare(Compare),
    Conversion(Conversion),
}

impl Compute {
    /// Every measure this computation aggregates directly.
    pub fn measures(&self) -> Vec<&Measure> {
        match self {
            Compute::Measure(m) => vec![m],
            Compute::Ratio {
                numerator,
                denominator,
                ..
            } => [numerator, denominator]
                .into_iter()
                .filter_map(|o| match o {
                    Operand::Measure(m) => Some(m),
                    Operand::Metric(_) => None,
                })
                .collect(),
            Compute::Derived { .. } | Compute::Compare(_) | Compute::Conversion(_) => Vec::new(),
        }
    }

    /// The sources this computation reads directly, with where each is named.
    pub fn sources(&self) -> Vec<&Str> {
        match self {
            Compute::Conversion(c) => vec![&c.base.source, &c.event.source],
            other => other.measures().into_iter().map(|m| &m.source).collect(),
        }
    }

    /// Every SQL fragment of this computation (expressions, filters, having, the derived
    /// expression, a conversion's entity and filters).
    pub fn fragments(&self) -> Vec<&Fragment> {
        let mut out: Vec<&Fragment> = Vec::new();
        for m in self.measures() {
            out.extend([&m.expr, &m.filter, &m.having].into_iter().flatten());
        }
        match self {
            Compute::Derived { expr, .. } => out.push(expr),
            Compute::Conversion(c) => {
                out.push(&c.entity);
                out.extend([&c.base.filter, &c.event.filter].into_iter().flatten());
            }
            _ => {}
        }
        out
    }

    /// What kind of computation: `measure`, `ratio`, `derived`, `compare`, `conversion`.
    pub fn kind(&self) -> &'static str {
        match self {
            Compute::Measure(_) => "measure",
            Compute::Ratio { .. } => "ratio",
            Compute::Derived { .. } => "derived",
            Compute::Compare(_) => "compare",
            Compute::Conversion(_) => "conversion",
        }
    }

    /// Where it is written.
    pub fn span(&self) -> Span {
        match self {
            Compute::Measure(m) => m.span,
            Compute::Ratio { span, .. } => *span,
            Compute::Derived { expr, .. } => expr.text.span,
            Compute::Compare(c) => c.span,
            Compute::Conversion(c) => c.span,
        }
    }

    /// The names of other metrics this computation refers to, with their spans.
    pub fn metric_refs(&self) -> Vec<&Str> {
        match self {
            Compute::Measure(_) => Vec::new(),
            Compute::Ratio {
                numerator,
                denominator,
                ..
            } => [numerator, denominator]
                .into_iter()
                .filter_map(|o| match o {
                    Operand::Metric(n) => Some(n),
                    Operand::Measure(_) => None,
                })
                .collect(),
            Compute::Derived { refs, .. } => refs.iter().collect(),
            Compute::Compare(c) => vec![&c.metric],
            Compute::Conversion(_) => Vec::new(),
        }
    }
}

/// Equality ignores spans: two models mean the same when their values are equal.
#[derive(Clone, Debug, educe::Educe)]
#[educe(PartialEq)]
pub struct Threshold {
    #[educe(PartialEq(ignore))]
    pub span: Span,
    pub min: Option<Spanned<f64>>,
    pub max: Option<Spanned<f64>>,
}

/// Equality ignores spans: two models mean the same when their values are equal.
#[derive(Clone, Debug, educe::Educe)]
#[educe(PartialEq)]
pub struct Target {
    #[educe(PartialEq(ignore))]
    pub span: Span,
    pub by: Spanned<NaiveDate>,
    pub value: Spanned<f64>,
}

/// Equality ignores spans: two models mean the same when their values are equal.
#[derive(Clone, Debug, educe::Educe)]
#[educe(PartialEq)]
pub struct Review {
    #[educe(PartialEq(ignore))]
    pub span: Span,
    pub cadence: Option<Spanned<Cadence>>,
    pub last_reviewed: Option<Spanned<NaiveDate>>,
}

/// Equality ignores spans: two models mean the same when their values are equal.
#[derive(Clone, Debug, educe::Educe)]
#[educe(PartialEq)]
pub struct Allow {
    #[educe(PartialEq(ignore))]
    pub span: Span,
    /// A rule's code or name, as written.
    pub code: Str,
    pub reason: Option<Str>,
}

impl Allow {
    /// Whether this entry silences `code`: it names the rule (by code or name) and says why.
    pub fn silences(&self, code: crate::diagnostics::Code) -> bool {
        crate::diagnostics::Code::find(&self.code.value) == Some(code)
            && self
                .reason
                .as_ref()
                .is_some_and(|r| !r.value.trim().is_empty())
    }
}

/// Equality ignores spans: two models mean the same when their values are equal.
#[derive(Clone, Debug, educe::Educe)]
#[educe(PartialEq)]
pub struct Metric {
    pub role: Role,
    #[educe(PartialEq(ignore))]
    pub span: Span,
    pub name: Str,
    pub label: Option<Str>,
    pub description: Option<Str>,
    pub owner: Option<Str>,
    pub metric_type: Option<Spanned<MetricType>>,
    /// The grain; `week` when not written (then its span is the metric's name).
    pub grain: Spanned<Grain>,
    pub grain_written: bool,
    /// `None` when the metric has no (or more than one) way to compute it; reported.
    pub compute: Option<Compute>,
    pub threshold: Option<Threshold>,
    pub targets: Vec<Target>,
    pub review: Option<Review>,
    pub allow: Vec<Allow>,
}

impl Metric {
    /// Whether the metric carries `allow: [code]` with a reason.
    pub fn allows(&self, code: crate::diagnostics::Code) -> bool {
        self.allow.iter().any(|a| a.silences(code))
    }

    /// The label if given, else the name.
    pub fn display_label(&self) -> &str {
        self.label
            .as_ref()
            .map(|l| l.value.as_str())
            .unwrap_or(&self.name.value)
    }
}

#[cfg(test)]
mod tests {
    use crate::project::{analyze, in_memory};

    /// The same spec laid out differently resolves to equal models: spans do not count.
    #[test]
    fn equality_ignores_positions() {
        let a = "lodestar: 1\nproduct: p\nnorth_star:\n  name: m\n  measure: { source: s, agg: count }\n  threshold: { min: 1 }\n";
        let b = "\n\n# moved\nlodestar: 1\nproduct: p\nnorth_star: { name: m, threshold: { min: 1 }, measure: { agg: count, source: s } }\n";
        let today = crate::lint::testing::TODAY;
        let pa = analyze(&in_memory(&[("a.yaml", a)]), today).project;
        let pb = analyze(&in_memory(&[("a.yaml", b)]), today).project;
        assert_eq!(pa.products, pb.products);
        let c = a.replace("min: 1", "min: 2");
        let pc = analyze(&in_memory(&[("a.yaml", &c)]), today).project;
        assert_ne!(pa.products, pc.products);
    }
}
