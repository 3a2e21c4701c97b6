//! Products, metrics, thresholds, targets and owners compared between the revisions, each
//! difference a [`Change`] of one [`ChangeKind`].

use std::collections::{BTreeMap, BTreeSet};

use super::definition::{compute_span, definition_diffs, Model};
use super::{Change, ChangeKind, Side};
use crate::diagnostics::Span;
use crate::docs::text;
use crate::model::{Metric, Product, Project, Role, Threshold};

pub(super) struct Ctx<'a> {
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
        kind: ChangeKind,
        metric: &str,
        message: String,
        before: Option<String>,
        after: Option<String>,
        side: Side,
        span: Span,
    ) {
        self.out.push(Change {
            level: kind.level(),
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

pub(super) fn compare_products(
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
                ChangeKind::MetricRenamed,
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
            let (kind, what) = match hm.role {
                Role::NorthStar if bp.north_stars().next().is_some() => {
                    (ChangeKind::NorthStarReplaced, "new North Star")
                }
                Role::NorthStar => (ChangeKind::NorthStarAdded, "North Star added"),
                Role::Input => (ChangeKind::InputAdded, "input added"),
                Role::Guardrail => (ChangeKind::GuardrailAdded, "guardrail added"),
                Role::Outcome => (ChangeKind::OutcomeAdded, "outcome added"),
            };
            let def = hm.compute.as_ref().map(text::compute);
            cx.push(
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
            Role::NorthStar => (ChangeKind::NorthStarRemoved, "the North Star"),
            Role::Input => (ChangeKind::MetricRemoved, "input"),
            Role::Guardrail => (ChangeKind::GuardrailRemoved, "guardrail"),
            Role::Outcome => (ChangeKind::MetricRemoved, "outcome"),
        };
        cx.push(
            kind,
            &bm.name.value,
            format!("{what} `{}` removed", bm.name.value),
            bm.compute.as_ref().map(text::compute),
            None,
            Side::Base,
            bm.name.span,
        );
    }

    // Impact: a metric whose own definition is unchanged still moves when a metric it is
    // computed from changes (a changed input filter moves the guardrail that divides by it),
    // as dbt's `state:modified+` selects what is downstream of a change. The North Star's
    // impact is breaking, any other metric's risky. Metrics added in HEAD have no numbers to
    // move.
    for m in &hp.metrics {
        let name = m.name.value.as_str();
        let existed = bp.metric(name).is_some() || cx.renames.iter().any(|(_, h)| h == name);
        if !existed || changed_defs.contains(name) {
            continue;
        }
        let Some(cause) = changed_upstream(hp, m, &changed_defs) else {
            continue;
        };
        let (kind, what) = if m.role == Role::NorthStar {
            (ChangeKind::NorthStarChanged, "the North Star".to_owned())
        } else {
            (
                ChangeKind::UpstreamChanged,
                format!("{} `{name}`", m.role.as_str()),
            )
        };
        let span = m.compute.as_ref().map(compute_span).unwrap_or(m.name.span);
        cx.push(
            kind,
            name,
            format!("{what} is computed from `{cause}`, whose definition changed"),
            None,
            Some(cause.to_owned()),
            Side::Head,
            span,
        );
    }
}

/// The first metric whose definition changed among those `m` is computed from, directly or
/// through others.
fn changed_upstream<'a>(
    product: &'a Product,
    m: &'a Metric,
    changed: &BTreeSet<&str>,
) -> Option<&'a str> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&str> = refs(m);
    stack.reverse();
    while let Some(name) = stack.pop() {
        if !seen.insert(name) {
            continue;
        }
        if changed.contains(name) {
            return Some(name);
        }
        if let Some(next) = product.metric(name) {
            stack.extend(refs(next).into_iter().rev());
        }
    }
    None
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
        let kind = match (bm.role, hm.role) {
            (Role::NorthStar, _) => ChangeKind::NorthStarReplaced,
            (Role::Guardrail, _) => ChangeKind::GuardrailRemoved,
            (_, Role::NorthStar) => ChangeKind::NorthStarReplaced,
            _ => ChangeKind::RoleChanged,
        };
        cx.push(
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
        let (kind, whose) = if hm.role == Role::NorthStar && bm.role == Role::NorthStar {
            (ChangeKind::NorthStarChanged, "the North Star".to_owned())
        } else {
            (
                ChangeKind::DefinitionChanged,
                format!("{} `{name}`", hm.role.as_str()),
            )
        };
        cx.push(
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
        let (kind, what) = if bm.targets.is_empty() {
            (ChangeKind::TargetAdded, "target added")
        } else if hm.targets.is_empty() {
            (ChangeKind::TargetRemoved, "targets removed")
        } else {
            (ChangeKind::TargetMoved, "target moved")
        };
        cx.push(
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
                ChangeKind::MetadataChanged,
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
                ChangeKind::ThresholdTightened,
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
            ChangeKind::ThresholdLoosened,
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
            ChangeKind::ThresholdLoosened,
            name,
            format!("threshold of guardrail `{name}` loosened: breaches it caught go unnoticed"),
            Some(show(Some(b))),
            Some(show(Some(h))),
            Side::Head,
            h.span,
        );
    } else if tighter {
        cx.push(
            ChangeKind::ThresholdTightened,
            name,
            format!("threshold of guardrail `{name}` tightened: past periods may now breach"),
            Some(show(Some(b))),
            Some(show(Some(h))),
            Side::Head,
            h.span,
        );
    }
}

pub(super) fn compare_owners(base: &Project, head: &Project, out: &mut Vec<Change>) {
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
                        level: ChangeKind::OwnerRemoved.level(),
                        kind: ChangeKind::OwnerRemoved,
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
                level: ChangeKind::UnusedOwnerRemoved.level(),
                kind: ChangeKind::UnusedOwnerRemoved,
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
        let (kind, message, before) = match base.owner(key) {
            None => (ChangeKind::OwnerAdded, format!("owner `{key}` added"), None),
            Some(bo) if details(bo) != details(ho) => (
                ChangeKind::OwnerChanged,
                format!("details of owner `{key}` changed"),
                Some(owner_text(bo)),
            ),
            Some(_) => continue,
        };
        out.push(Change {
            level: kind.level(),
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
