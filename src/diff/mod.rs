//! Semantic diff: two resolved projects compared model against model (never text), each change
//! classified by what it does to the numbers people steer by.
//!
//! * **breaking**: the North Star's definition changes (source, aggregation, expression, filter,
//!   grain, ...), a metric is removed or renamed, a guardrail is removed or its threshold
//!   loosened, an owner that is still referenced is removed, a product is removed;
//! * **risky**: an input's or guardrail's definition changes, a threshold is tightened, a target
//!   moves or is dropped;
//! * **safe**: labels, descriptions, owners' details, new metrics, products and owners.
//!
//! Every kind of change, with its level and meaning, is a row of [`kinds`]. Entry point:
//! [`compare`]; rendering in [`render`]. Reading a project at a git revision, and resolving two
//! revisions together, is project loading: [`crate::project::git`],
//! [`crate::project::resolve_both`].

mod definition;
mod kinds;
mod products;
pub mod render;

use crate::diagnostics::Span;
use crate::model::Project;
use definition::Model;
pub use kinds::{changes_markdown, ChangeKind};

/// How much a change matters. Ordered: `Safe < Risky < Breaking`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum ChangeLevel {
    Safe,
    Risky,
    Breaking,
}

impl ChangeLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeLevel::Safe => "safe",
            ChangeLevel::Risky => "risky",
            ChangeLevel::Breaking => "breaking",
        }
    }
}

/// Which revision a change's span points into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Base,
    Head,
}

/// One change between the two revisions.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub level: ChangeLevel,
    /// What kind of change: `north_star_changed`, `metric_removed`, ...
    pub kind: ChangeKind,
    pub product: String,
    /// The metric (or, for owner changes, the owner key) the change is about.
    pub metric: Option<String>,
    /// What changed, in words: `filter of the North Star changed`.
    pub message: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// Where: in HEAD, or in BASE for removals.
    pub side: Side,
    pub span: Span,
}

/// Compares two projects. Changes come product by product (in HEAD's order, removed products
/// last), metrics in print order, most severe first within a metric.
pub fn compare(base: &Project, head: &Project) -> Vec<Change> {
    let mut out = Vec::new();
    let (base_model, head_model) = (Model::new(base), Model::new(head));
    for hp in &head.products {
        match base.product(&hp.name.value) {
            Some(bp) => products::compare_products(&base_model, bp, &head_model, hp, &mut out),
            None => out.push(Change {
                level: ChangeKind::ProductAdded.level(),
                kind: ChangeKind::ProductAdded,
                product: hp.name.value.clone(),
                metric: None,
                message: format!("product `{}` added", hp.name.value),
                before: None,
                after: Some(format!("{} metrics", hp.metrics.len())),
                side: Side::Head,
                span: hp.name.span,
            }),
        }
    }
    for bp in &base.products {
        if head.product(&bp.name.value).is_none() {
            out.push(Change {
                level: ChangeKind::ProductRemoved.level(),
                kind: ChangeKind::ProductRemoved,
                product: bp.name.value.clone(),
                metric: None,
                message: format!(
                    "product `{}` removed with its {} metrics",
                    bp.name.value,
                    bp.metrics.len()
                ),
                before: Some(bp.name.value.clone()),
                after: None,
                side: Side::Base,
                span: bp.name.span,
            });
        }
    }
    products::compare_owners(base, head, &mut out);
    out
}

/// Counts of changes per level: `(breaking, risky, safe)`.
pub fn counts(changes: &[Change]) -> (usize, usize, usize) {
    let n = |l: ChangeLevel| changes.iter().filter(|c| c.level == l).count();
    (
        n(ChangeLevel::Breaking),
        n(ChangeLevel::Risky),
        n(ChangeLevel::Safe),
    )
}

/// The most severe level among the changes.
pub fn max_level(changes: &[Change]) -> Option<ChangeLevel> {
    changes.iter().map(|c| c.level).max()
}
