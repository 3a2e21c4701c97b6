//! What differs between two metrics' definitions: computation, grain and window. Sources are
//! compared by what they read (relation and time column), not only by name.

use std::collections::HashMap;

use crate::diagnostics::Span;
use crate::docs::text;
use crate::model::{Compute, Measure, Metric, Operand, Project};

/// One field of a definition that differs.
#[derive(Debug)]
pub(super) struct FieldDiff {
    pub field: String,
    pub before: String,
    pub after: String,
    pub span: Option<Span>,
}

pub(super) fn compute_span(c: &Compute) -> Span {
    c.span()
}

/// What differs between two metrics' definitions: computation, grain and window. Sources are
/// compared by what they read (relation and time column), not only by name.
pub(super) fn definition_diffs(
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
        (Compute::Compare(bc), Compute::Compare(hc)) => {
            let metric = |c: &crate::model::Compare| c.metric.value.clone();
            let fields = [
                (
                    "compared metric",
                    rename_words(&metric(bc), renames),
                    metric(hc),
                    hc.metric.span,
                ),
                (
                    "offset",
                    bc.offset.value.to_string(),
                    hc.offset.value.to_string(),
                    hc.offset.span,
                ),
                (
                    "comparison",
                    bc.as_.value.to_string(),
                    hc.as_.value.to_string(),
                    hc.as_.span,
                ),
            ];
            for (field, before, after, span) in fields {
                if before != after {
                    out.push(FieldDiff {
                        field: field.into(),
                        before,
                        after,
                        span: Some(span),
                    });
                }
            }
        }
        (Compute::Conversion(bc), Compute::Conversion(hc)) => {
            let side = |s: &crate::model::Side| {
                (s.source.value.clone(), s.filter.as_ref().map(text::normal))
            };
            let show = |s: &crate::model::Side| match &s.filter {
                Some(f) => format!("{} where {}", s.source.value, text::fragment(f)),
                None => s.source.value.clone(),
            };
            if text::normal(&bc.entity) != text::normal(&hc.entity) {
                out.push(FieldDiff {
                    field: "entity".into(),
                    before: text::fragment(&bc.entity),
                    after: text::fragment(&hc.entity),
                    span: Some(hc.entity.text.span),
                });
            }
            for (field, b, h) in [
                ("base", &bc.base, &hc.base),
                ("event", &bc.event, &hc.event),
            ] {
                let moved = base.source_key(&b.source.value) != head.source_key(&h.source.value);
                if side(b) != side(h) || moved {
                    out.push(FieldDiff {
                        field: field.into(),
                        before: show(b),
                        after: show(h),
                        span: Some(h.span),
                    });
                }
            }
            if bc.within.value != hc.within.value {
                out.push(FieldDiff {
                    field: "within".into(),
                    before: format!("{} days", bc.within.value),
                    after: format!("{} days", hc.within.value),
                    span: Some(hc.within.span),
                });
            }
            if bc.as_.value != hc.as_.value {
                out.push(FieldDiff {
                    field: "result".into(),
                    before: bc.as_.value.to_string(),
                    after: hc.as_.value.to_string(),
                    span: Some(hc.as_.span),
                });
            }
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
    let over = |m: &Measure| {
        m.over
            .as_ref()
            .map(|o| o.value.describe())
            .unwrap_or_else(|| "none".into())
    };
    if over(b) != over(h) {
        let word = |m: &Measure| match m.over.as_ref().map(|o| o.value) {
            Some(crate::model::Over::ToDate(_)) => "to_date",
            Some(crate::model::Over::Cumulative) => "cumulative",
            _ => "window",
        };
        out.push(FieldDiff {
            field: field(word(h).max(word(b))),
            before: over(b),
            after: over(h),
            span: Some(h.over.as_ref().map(|o| o.span).unwrap_or(h.span)),
        });
    }
}

/// What a source reads, in a normal form: its relation and time column.
type SourceKey = (String, Option<String>);

/// A project with its sources' keys computed once (a project has thousands of measures).
pub(super) struct Model<'a> {
    project: &'a Project,
    sources: HashMap<&'a str, SourceKey>,
}

impl<'a> Model<'a> {
    pub(super) fn new(project: &'a Project) -> Model<'a> {
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
