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
//! Entry point: [`compare`]. Reading a project at a git revision is in [`git`]; rendering in
//! [`render`].

pub mod git;
pub mod render;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::diagnostics::Span;
use crate::docs::text;
use crate::model::{Compute, Measure, Metric, Operand, Product, Project, Role, Threshold};

/// How much a change matters. Ordered: `Safe < Risky < Breaking`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Level {
    Safe,
    Risky,
    Breaking,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Safe => "safe",
            Level::Risky => "risky",
            Level::Breaking => "breaking",
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
    pub level: Level,
    /// A stable code: `north_star_changed`, `metric_removed`, `threshold_loosened`, ...
    pub kind: &'static str,
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
            Some(bp) => compare_products(&base_model, bp, &head_model, hp, &mut out),
            None => out.push(Change {
                level: Level::Safe,
                kind: "product_added",
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
                level: Level::Breaking,
                kind: "product_removed",
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
    compare_owners(base, head, &mut out);
    out
}

/// One revision of a diff: its model and the errors found reading it.
pub struct Resolved {
    pub project: Project,
    pub errors: Vec<crate::diagnostics::Diagnostic>,
}

/// Parses and resolves both revisions' specs: the models a diff compares, without running the
/// lint rules (which a diff does not need). No IO.
///
/// The two sides share one table of files: a file with the same path and text at both revisions
/// is one file, parsed once, and its tree serves both models. In a pull request that is nearly
/// every file. Spans of either model point into the returned table.
pub fn resolve_both(
    base: &crate::project::Workspace,
    head: &crate::project::Workspace,
) -> (crate::diagnostics::Files, Resolved, Resolved) {
    use crate::diagnostics::{FileId, Files};
    use rayon::prelude::*;
    use std::collections::HashMap;

    let mut files = Files::new();
    let mut unique: Vec<(FileId, crate::syntax::Syntax)> = Vec::new();
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    let mut idx: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for (ws, idx) in [base, head].into_iter().zip(&mut idx) {
        for spec in &ws.specs {
            let f = ws.files.get(spec.id);
            let i = *seen
                .entry((f.path.as_str(), f.text.as_str()))
                .or_insert_with(|| {
                    let id = files.add(f.path.clone(), f.text.clone());
                    unique.push((id, spec.syntax));
                    unique.len() - 1
                });
            idx.push(i);
        }
    }
    let [base_idx, head_idx] = idx;
    let parsed: Vec<_> = unique
        .par_iter()
        .map(|&(id, syntax)| crate::syntax::parse(id, syntax, &files.get(id).text))
        .collect();
    let resolve = |idx: &[usize]| {
        let trees: Vec<&crate::syntax::ast::File> =
            idx.iter().filter_map(|&i| parsed[i].0.as_ref()).collect();
        let (project, found) = crate::model::resolve(&trees);
        let mut errors: Vec<_> = idx.iter().flat_map(|&i| parsed[i].1.clone()).collect();
        errors.extend(found);
        errors.retain(crate::diagnostics::Diagnostic::is_error);
        Resolved { project, errors }
    };
    let (b, h) = rayon::join(|| resolve(&base_idx), || resolve(&head_idx));
    (files, b, h)
}

/// Counts of changes per level: `(breaking, risky, safe)`.
pub fn counts(changes: &[Change]) -> (usize, usize, usize) {
    let n = |l: Level| changes.iter().filter(|c| c.level == l).count();
    (n(Level::Breaking), n(Level::Risky), n(Level::Safe))
}

/// The most severe level among the changes.
pub fn max_level(changes: &[Change]) -> Option<Level> {
    changes.iter().map(|c| c.level).max()
}

struct Ctx<'a> {
    base: &'a Model<'a>,
    head: &'a Model<'a>,
    product: &'a str,
    /// Metrics renamed in this product, BASE name → HEAD name.
    renames: Vec<(String, String)>,
    out: &'a mut Vec<Change>,
}

impl Ctx<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        level: Level,
        kind: &'static str,
        metric: &str,
        message: String,
        before: Option<String>,
        after: Option<String>,
        side: Side,
        span: Span,
    ) {
        self.out.push(Change {
            level,
            kind,
            product: self.product.to_owned(),
            metric: Some(metric.to_owned()),
            message,
            before,
            after,
            side,
            span,
        });
    }
}

fn compare_products(
    base: &Model<'_>,
    bp: &Product,
    head: &Model<'_>,
    hp: &Product,
    out: &mut Vec<Change>,
) {
    let mut cx = Ctx {
        base,
        head,
        product: &hp.name.value,
        renames: Vec::new(),
        out,
    };

    // Pair metrics by name; then pair what is left over by definition (a rename).
    let mut pairs: Vec<(&Metric, &Metric)> = Vec::new();
    let mut added: Vec<&Metric> = Vec::new();
    for hm in &hp.metrics {
        match bp.metric(&hm.name.value) {
            Some(bm) => pairs.push((bm, hm)),
            None => added.push(hm),
        }
    }
    let mut removed: Vec<&Metric> = bp
        .metrics
        .iter()
        .filter(|bm| hp.metric(&bm.name.value).is_none())
        .collect();
    let mut renamed: Vec<(&Metric, &Metric)> = Vec::new();
    added.retain(|hm| {
        let same = removed.iter().position(|bm| {
            definition_diffs(base, bm, head, hm, &[]).is_empty() && bm.compute.is_some()
        });
        match same {
            Some(i) => {
                renamed.push((removed.remove(i), hm));
                false
            }
            None => true,
        }
    });

    cx.renames = renamed
        .iter()
        .map(|(b, h)| (b.name.value.clone(), h.name.value.clone()))
        .collect();

    // Metrics whose definition changed (by HEAD name), for the North Star's dependencies.
    let mut changed_defs: BTreeSet<&str> = BTreeSet::new();

    for hm in &hp.metrics {
        if let Some(&(bm, _)) = renamed.iter().find(|(_, h)| std::ptr::eq(*h, hm)) {
            let what = if hm.role == Role::NorthStar {
                "the North Star"
            } else {
                hm.role.as_str()
            };
            cx.push(
                Level::Breaking,
                "metric_renamed",
                &hm.name.value,
                format!(
                    "{what} `{}` renamed to `{}`: dashboards and queries that name it break",
                    bm.name.value, hm.name.value
                ),
                Some(bm.name.value.clone()),
                Some(hm.name.value.clone()),
                Side::Head,
                hm.name.span,
            );
            compare_metrics(&mut cx, bm, hm, &mut changed_defs);
        } else if let Some(&(bm, _)) = pairs.iter().find(|(_, h)| std::ptr::eq(*h, hm)) {
            compare_metrics(&mut cx, bm, hm, &mut changed_defs);
        } else {
            let (level, kind, what) = match hm.role {
                Role::NorthStar if bp.north_stars().next().is_some() => {
                    (Level::Breaking, "north_star_replaced", "new North Star")
                }
                Role::NorthStar => (Level::Safe, "north_star_added", "North Star added"),
                Role::Input => (Level::Safe, "input_added", "input added"),
                Role::Guardrail => (Level::Safe, "guardrail_added", "guardrail added"),
            };
            let def = hm.compute.as_ref().map(text::compute);
            cx.push(
                level,
                kind,
                &hm.name.value,
                format!("{what}: `{}`", hm.name.value),
                None,
                def,
                Side::Head,
                hm.name.span,
            );
        }
    }
    for bm in removed {
        let (kind, what) = match bm.role {
            Role::NorthStar => ("north_star_removed", "the North Star"),
            Role::Input => ("metric_removed", "input"),
            Role::Guardrail => ("guardrail_removed", "guardrail"),
        };
        cx.push(
            Level::Breaking,
            kind,
            &bm.name.value,
            format!("{what} `{}` removed", bm.name.value),
            bm.compute.as_ref().map(text::compute),
            None,
            Side::Base,
            bm.name.span,
        );
    }

    // A North Star whose own definition is unchanged still moves when a metric it is computed
    // from changes.
    if let Some(ns) = hp.north_star() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&str> = refs(ns);
        let own = cx
            .out
            .iter()
            .any(|c| c.kind == "north_star_changed" && c.metric.as_deref() == Some(&ns.name.value));
        while let Some(name) = stack.pop() {
            if !seen.insert(name) {
                continue;
            }
            if changed_defs.contains(name) && !own {
                let span = ns
                    .compute
                    .as_ref()
                    .map(compute_span)
                    .unwrap_or(ns.name.span);
                cx.push(
                    Level::Breaking,
                    "north_star_changed",
                    &ns.name.value,
                    format!("the North Star is computed from `{name}`, whose definition changed"),
                    None,
                    Some(name.to_owned()),
                    Side::Head,
                    span,
                );
                break;
            }
            if let Some(m) = hp.metric(name) {
                stack.extend(refs(m));
            }
        }
    }
}

fn refs(m: &Metric) -> Vec<&str> {
    m.compute
        .as_ref()
        .map(|c| {
            c.metric_refs()
                .into_iter()
                .map(|s| s.value.as_str())
                .collect()
        })
        .unwrap_or_default()
}

fn compare_metrics<'a>(
    cx: &mut Ctx<'_>,
    bm: &Metric,
    hm: &'a Metric,
    changed_defs: &mut BTreeSet<&'a str>,
) {
    let name = hm.name.value.as_str();
    // Role.
    if bm.role != hm.role {
        let (level, kind) = match (bm.role, hm.role) {
            (Role::NorthStar, _) => (Level::Breaking, "north_star_replaced"),
            (Role::Guardrail, _) => (Level::Breaking, "guardrail_removed"),
            (_, Role::NorthStar) => (Level::Breaking, "north_star_replaced"),
            _ => (Level::Safe, "role_changed"),
        };
        cx.push(
            level,
            kind,
            name,
            format!(
                "`{name}` changed from {} to {}",
                bm.role.as_str(),
                hm.role.as_str()
            ),
            Some(bm.role.as_str().to_owned()),
            Some(hm.role.as_str().to_owned()),
            Side::Head,
            hm.name.span,
        );
    }

    // Definition.
    let diffs = definition_diffs(cx.base, bm, cx.head, hm, &cx.renames);
    if !diffs.is_empty() {
        changed_defs.insert(name);
    }
    for d in diffs {
        let (level, kind, whose) = if hm.role == Role::NorthStar && bm.role == Role::NorthStar {
            (
                Level::Breaking,
                "north_star_changed",
                "the North Star".to_owned(),
            )
        } else {
            (
                Level::Risky,
                "definition_changed",
                format!("{} `{name}`", hm.role.as_str()),
            )
        };
        cx.push(
            level,
            kind,
            name,
            format!("{} of {whose} changed", d.field),
            Some(d.before),
            Some(d.after),
            Side::Head,
            d.span.unwrap_or(hm.name.span),
        );
    }

    // Threshold (for a metric that stays a guardrail; a removed guardrail is reported above).
    if bm.role == Role::Guardrail && hm.role == Role::Guardrail {
        compare_thresholds(
            cx,
            name,
            bm.threshold.as_ref(),
            hm.threshold.as_ref(),
            hm.name.span,
        );
    }

    // Targets.
    let key = |m: &Metric| {
        m.targets
            .iter()
            .map(|t| (t.by.value, t.value.value.to_bits()))
            .collect::<Vec<_>>()
    };
    if key(bm) != key(hm) {
        let span = hm.targets.first().map(|t| t.span).unwrap_or(hm.name.span);
        let (level, kind, what) = if bm.targets.is_empty() {
            (Level::Safe, "target_added", "target added")
        } else if hm.targets.is_empty() {
            (Level::Risky, "target_removed", "targets removed")
        } else {
            (Level::Risky, "target_moved", "target moved")
        };
        cx.push(
            level,
            kind,
            name,
            format!("{what} on `{name}`"),
            Some(text::targets(bm)),
            Some(text::targets(hm)),
            Side::Head,
            span,
        );
    }

    // Metadata.
    let opt = |s: &Option<crate::model::Str>| s.as_ref().map(|s| s.value.clone());
    let meta: [MetaField; 4] = [
        (
            "label",
            opt(&bm.label),
            opt(&hm.label),
            hm.label.as_ref().map(|s| s.span),
        ),
        (
            "description",
            opt(&bm.description),
            opt(&hm.description),
            hm.description.as_ref().map(|s| s.span),
        ),
        (
            "owner",
            opt(&bm.owner),
            opt(&hm.owner),
            hm.owner.as_ref().map(|s| s.span),
        ),
        (
            "type",
            bm.metric_type.as_ref().map(|t| t.value.to_string()),
            hm.metric_type.as_ref().map(|t| t.value.to_string()),
            hm.metric_type.as_ref().map(|t| t.span),
        ),
    ];
    for (field, before, after, span) in meta {
        if before != after {
            cx.push(
                Level::Safe,
                "metadata_changed",
                name,
                format!("{field} of `{name}` changed"),
                before,
                after,
                Side::Head,
                span.unwrap_or(hm.name.span),
            );
        }
    }
}

/// A metadata field: name, before, after, where in HEAD.
type MetaField<'a> = (&'a str, Option<String>, Option<String>, Option<Span>);

fn compare_thresholds(
    cx: &mut Ctx<'_>,
    name: &str,
    b: Option<&Threshold>,
    h: Option<&Threshold>,
    fallback: Span,
) {
    let show = |t: Option<&Threshold>| t.map(text::threshold).unwrap_or_else(|| "none".to_owned());
    let Some(b) = b else {
        if let Some(h) = h {
            cx.push(
                Level::Risky,
                "threshold_tightened",
                name,
                format!("threshold of guardrail `{name}` added"),
                Some("none".into()),
                Some(show(Some(h))),
                Side::Head,
                h.span,
            );
        }
        return;
    };
    let Some(h) = h else {
        cx.push(
            Level::Breaking,
            "threshold_loosened",
            name,
            format!("threshold of guardrail `{name}` removed"),
            Some(show(Some(b))),
            Some("none".into()),
            Side::Head,
            fallback,
        );
        return;
    };
    // For each bound: does HEAD allow values BASE did not (looser), or forbid values BASE
    // allowed (tighter)? Both can happen at once (a band that moves).
    let lower = |t: &Threshold| t.min.as_ref().map(|v| v.value).unwrap_or(f64::NEG_INFINITY);
    let upper = |t: &Threshold| t.max.as_ref().map(|v| v.value).unwrap_or(f64::INFINITY);
    let looser = lower(h) < lower(b) || upper(h) > upper(b);
    let tighter = lower(h) > lower(b) || upper(h) < upper(b);
    if looser {
        cx.push(
            Level::Breaking,
            "threshold_loosened",
            name,
            format!("threshold of guardrail `{name}` loosened: breaches it caught go unnoticed"),
            Some(show(Some(b))),
            Some(show(Some(h))),
            Side::Head,
            h.span,
        );
    } else if tighter {
        cx.push(
            Level::Risky,
            "threshold_tightened",
            name,
            format!("threshold of guardrail `{name}` tightened: past periods may now breach"),
            Some(show(Some(b))),
            Some(show(Some(h))),
            Side::Head,
            h.span,
        );
    }
}

fn compare_owners(base: &Project, head: &Project, out: &mut Vec<Change>) {
    let mut users: BTreeMap<&str, Vec<(&Product, &Metric)>> = BTreeMap::new();
    for p in &head.products {
        for m in &p.metrics {
            if let Some(o) = &m.owner {
                users.entry(o.value.as_str()).or_default().push((p, m));
            }
        }
    }
    for bo in &base.owners {
        let key = bo.key.value.as_str();
        if head.owner(key).is_some() {
            continue;
        }
        match users.get(key) {
            Some(uses) => {
                for (p, m) in uses {
                    out.push(Change {
                        level: Level::Breaking,
                        kind: "owner_removed",
                        product: p.name.value.clone(),
                        metric: Some(m.name.value.clone()),
                        message: format!(
                            "owner `{key}` removed while `{}` still names it",
                            m.name.value
                        ),
                        before: Some(key.to_owned()),
                        after: None,
                        side: Side::Head,
                        span: m.owner.as_ref().map(|o| o.span).unwrap_or(m.name.span),
                    });
                }
            }
            None => out.push(Change {
                level: Level::Safe,
                kind: "owner_removed",
                product: String::new(),
                metric: Some(key.to_owned()),
                message: format!("owner `{key}` removed (no metric names it)"),
                before: Some(key.to_owned()),
                after: None,
                side: Side::Base,
                span: bo.key.span,
            }),
        }
    }
    for ho in &head.owners {
        let key = ho.key.value.as_str();
        let details = |o: &crate::model::Owner| {
            [&o.name, &o.email, &o.slack].map(|v| v.as_ref().map(|s| s.value.clone()))
        };
        let (level, kind, message, before) = match base.owner(key) {
            None => (
                Level::Safe,
                "owner_added",
                format!("owner `{key}` added"),
                None,
            ),
            Some(bo) if details(bo) != details(ho) => (
                Level::Safe,
                "owner_changed",
                format!("details of owner `{key}` changed"),
                Some(owner_text(bo)),
            ),
            Some(_) => continue,
        };
        out.push(Change {
            level,
            kind,
            product: String::new(),
            metric: Some(key.to_owned()),
            message,
            before,
            after: Some(owner_text(ho)),
            side: Side::Head,
            span: ho.key.span,
        });
    }
}

fn owner_text(o: &crate::model::Owner) -> String {
    let mut s = o
        .name
        .as_ref()
        .map(|n| n.value.clone())
        .unwrap_or_else(|| o.key.value.clone());
    if let Some(e) = &o.email {
        s.push_str(&format!(" <{}>", e.value));
    }
    if let Some(sl) = &o.slack {
        s.push_str(&format!(" {}", sl.value));
    }
    s
}

/// One field of a definition that differs.
#[derive(Debug)]
struct FieldDiff {
    field: String,
    before: String,
    after: String,
    span: Option<Span>,
}

fn compute_span(c: &Compute) -> Span {
    match c {
        Compute::Measure(m) => m.span,
        Compute::Ratio { span, .. } => *span,
        Compute::Derived { expr, .. } => expr.text.span,
    }
}

/// What differs between two metrics' definitions: computation, grain and window. Sources are
/// compared by what they read (relation and time column), not only by name.
fn definition_diffs(
    base: &Model<'_>,
    bm: &Metric,
    head: &Model<'_>,
    hm: &Metric,
    renames: &[(String, String)],
) -> Vec<FieldDiff> {
    let mut out = Vec::new();
    if bm.grain.value != hm.grain.value {
        out.push(FieldDiff {
            field: "grain".into(),
            before: bm.grain.value.to_string(),
            after: hm.grain.value.to_string(),
            span: Some(hm.grain.span),
        });
    }
    let window = |m: &Metric| {
        m.window
            .as_ref()
            .map(|w| format!("{} days", w.value))
            .unwrap_or_else(|| "none".into())
    };
    if window(bm) != window(hm) {
        out.push(FieldDiff {
            field: "window".into(),
            before: window(bm),
            after: window(hm),
            span: hm.window.as_ref().map(|w| w.span),
        });
    }
    match (&bm.compute, &hm.compute) {
        (Some(b), Some(h)) => compute_diffs(base, b, head, h, renames, &mut out),
        (None, None) => {}
        (b, h) => out.push(FieldDiff {
            field: "computation".into(),
            before: b
                .as_ref()
                .map(text::compute)
                .unwrap_or_else(|| "none".into()),
            after: h
                .as_ref()
                .map(text::compute)
                .unwrap_or_else(|| "none".into()),
            span: h.as_ref().map(compute_span),
        }),
    }
    out
}

fn compute_diffs(
    base: &Model<'_>,
    b: &Compute,
    head: &Model<'_>,
    h: &Compute,
    renames: &[(String, String)],
    out: &mut Vec<FieldDiff>,
) {
    match (b, h) {
        (Compute::Measure(bm), Compute::Measure(hm)) => measure_diffs("", base, bm, head, hm, out),
        (
            Compute::Ratio {
                numerator: bn,
                denominator: bd,
                ..
            },
            Compute::Ratio {
                numerator: hn,
                denominator: hd,
                ..
            },
        ) => {
            operand_diffs("numerator", base, bn, head, hn, renames, out);
            operand_diffs("denominator", base, bd, head, hd, renames, out);
        }
        (Compute::Derived { expr: be, .. }, Compute::Derived { expr: he, .. }) => {
            if rename_words(&text::normal(be), renames) != text::normal(he) {
                out.push(FieldDiff {
                    field: "expression".into(),
                    before: text::fragment(be),
                    after: text::fragment(he),
                    span: Some(he.text.span),
                });
            }
        }
        _ => out.push(FieldDiff {
            field: "computation".into(),
            before: format!("{} {}", text::compute_kind(b), text::compute(b)),
            after: format!("{} {}", text::compute_kind(h), text::compute(h)),
            span: Some(compute_span(h)),
        }),
    }
}

fn operand_diffs(
    field: &str,
    base: &Model<'_>,
    b: &Operand,
    head: &Model<'_>,
    h: &Operand,
    renames: &[(String, String)],
    out: &mut Vec<FieldDiff>,
) {
    match (b, h) {
        (Operand::Measure(bm), Operand::Measure(hm)) => {
            measure_diffs(field, base, bm, head, hm, out)
        }
        (Operand::Metric(bn), Operand::Metric(hn))
            if rename_words(&bn.value, renames) == hn.value => {}
        _ => out.push(FieldDiff {
            field: field.into(),
            before: text::operand(b),
            after: text::operand(h),
            span: Some(match h {
                Operand::Measure(m) => m.span,
                Operand::Metric(n) => n.span,
            }),
        }),
    }
}

fn measure_diffs(
    prefix: &str,
    base: &Model<'_>,
    b: &Measure,
    head: &Model<'_>,
    h: &Measure,
    out: &mut Vec<FieldDiff>,
) {
    let field = |f: &str| {
        if prefix.is_empty() {
            f.to_owned()
        } else {
            format!("{prefix} {f}")
        }
    };
    if b.source.value != h.source.value {
        out.push(FieldDiff {
            field: field("source"),
            before: b.source.value.clone(),
            after: h.source.value.clone(),
            span: Some(h.source.span),
        });
    } else if base.source_key(&b.source.value) != head.source_key(&h.source.value) {
        out.push(FieldDiff {
            field: field(&format!("source `{}`", h.source.value)),
            before: text::source(base, &b.source.value).unwrap_or_else(|| "undeclared".into()),
            after: text::source(head, &h.source.value).unwrap_or_else(|| "undeclared".into()),
            span: head
                .source(&h.source.value)
                .map(|s| s.name.span)
                .filter(|s| s.file == h.source.span.file)
                .or(Some(h.source.span)),
        });
    }
    if b.agg.value != h.agg.value {
        out.push(FieldDiff {
            field: field("aggregation"),
            before: text::aggregate(b),
            after: text::aggregate(h),
            span: Some(h.agg.span),
        });
    }
    let frag = |name: &str,
                bf: &Option<crate::model::Fragment>,
                hf: &Option<crate::model::Fragment>,
                out: &mut Vec<FieldDiff>| {
        if bf.as_ref().map(text::normal) != hf.as_ref().map(text::normal) {
            out.push(FieldDiff {
                field: field(name),
                before: bf
                    .as_ref()
                    .map(text::fragment)
                    .unwrap_or_else(|| "none".into()),
                after: hf
                    .as_ref()
                    .map(text::fragment)
                    .unwrap_or_else(|| "none".into()),
                span: Some(hf.as_ref().map(|f| f.text.span).unwrap_or(h.span)),
            });
        }
    };
    frag("expression", &b.expr, &h.expr, out);
    frag("filter", &b.filter, &h.filter, out);
    frag("having", &b.having, &h.having, out);
}

/// What a source reads, in a normal form: its relation and time column.
type SourceKey = (String, Option<String>);

/// A project with its sources' keys computed once (a project has thousands of measures).
struct Model<'a> {
    project: &'a Project,
    sources: HashMap<&'a str, SourceKey>,
}

impl<'a> Model<'a> {
    fn new(project: &'a Project) -> Model<'a> {
        let mut sources = HashMap::new();
        for s in &project.sources {
            let relation = match &s.relation {
                Some(crate::model::Relation::Table(parts)) => {
                    parts.value.join(".").to_ascii_lowercase()
                }
                Some(crate::model::Relation::Sql(f)) => text::normal(f),
                None => String::new(),
            };
            let time = s.time.as_ref().map(|t| t.value.to_ascii_lowercase());
            // The first declaration wins, as in the model.
            sources
                .entry(s.name.value.as_str())
                .or_insert((relation, time));
        }
        Model { project, sources }
    }

    fn source_key(&self, name: &str) -> Option<&SourceKey> {
        self.sources.get(name)
    }
}

impl std::ops::Deref for Model<'_> {
    type Target = Project;

    fn deref(&self) -> &Project {
        self.project
    }
}

/// Replaces whole identifiers renamed between the revisions, so that `a / old` in BASE equals
/// `a / new` in HEAD when `old` was renamed to `new`.
fn rename_words(text: &str, renames: &[(String, String)]) -> String {
    if renames.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        match renames.iter().find(|(from, _)| from == word) {
            Some((_, to)) => out.push_str(to),
            None => out.push_str(word),
        }
        word.clear();
    };
    for ch in text.chars() {
        if ch.is_alphanumeric() || ch == '_' {
            word.push(ch);
        } else {
            flush(&mut word, &mut out);
            out.push(ch);
        }
    }
    flush(&mut word, &mut out);
    out
}
