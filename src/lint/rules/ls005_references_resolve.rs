use std::collections::HashMap;

use crate::diagnostics::Code;
use crate::diagnostics::Span;
use crate::lint::{Annotate, Context};
use crate::model::{Compute, Fragment, Metric, Product, Source, Str};

/// What the rule checks, why, an example and how to configure it (`lodestar explain LS005`).
pub const DOC: &str = r#"## What it checks
Every name a spec uses is declared somewhere in the project:

* the `source` of every measure is declared under `sources:` (in any file of the project);
* when a source declares its `columns`, every column named by a fragment over it (a measure's
  `expr`, `filter` and `having`, a dimension's expression) and its `time` column are among them;
* every metric named in a `ratio` or a `derived` expression is a metric of the same product;
* derived metrics and ratios do not refer to themselves, directly or through other metrics.

A `--by` dimension given on the command line is checked when compiling.

## Why it matters
A misspelt source or column would otherwise surface as an error in the warehouse, after the
pull request is merged, or, worse, as a query that runs against the wrong table. Declaring
`columns` lets lodestar check a spec against the warehouse schema without a connection. A cycle
among derived metrics has no value at all.

## Example
```yaml
sources:
  bookings:
    table: analytics.bookings
    time: booked_at
    columns: [booked_at, nights, status]
north_star:
  name: nights_booked
  measure: { source: bookings, agg: sum, expr: night }   # LS005: `night` is not a column of `bookings`
inputs:
  - name: nights_per_booking
    derived: nights_booked / confirmed_booking          # LS005: no metric `confirmed_booking`
```

## Configuration
```toml
[rules]
LS005 = "error"   # error | warning | off
```
"#;

pub struct ReferencesResolve;

impl crate::lint::Rule for ReferencesResolve {
    fn code(&self) -> Code {
        Code::ReferencesResolve
    }

    fn check(&self, cx: &mut Context<'_>) {
        let project = cx.project;
        for source in &project.sources {
            if let (Some(time), Some(_)) = (&source.time, &source.columns) {
                if !source.has_column(&time.value) {
                    cx.report(
                        format!(
                            "time column `{}` is not among the declared columns of source `{}`",
                            time.value, source.name.value
                        ),
                        time.span,
                        "not a declared column",
                    )
                    .with_label(columns_span(source), "the declared columns")
                    .with_help(column_help(source, &time.value));
                }
            }
            for dim in &source.dimensions {
                for (column, span) in unknown_columns(source, &dim.expr) {
                    cx.report(
                        format!(
                            "dimension `{}` uses `{column}`, which is not a declared column of source `{}`",
                            dim.name.value, source.name.value
                        ),
                        span,
                        "not a declared column",
                    )
                    .with_label(columns_span(source), "the declared columns")
                    .with_help(column_help(source, &column));
                }
            }
        }
        let sources: Vec<&str> = project
            .sources
            .iter()
            .map(|s| s.name.value.as_str())
            .collect();
        for product in &project.products {
            for metric in &product.metrics {
                let Some(compute) = &metric.compute else {
                    continue;
                };
                for (read, fragments) in reads(compute) {
                    let Some(source) = project.source(&read.value) else {
                        let help = match crate::syntax::did_you_mean(&read.value, &sources) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!(
                                "declare `{}` under `sources:` in any file of the project{}",
                                read.value,
                                if sources.is_empty() {
                                    String::new()
                                } else {
                                    format!(", or use one of: {}", sources.join(", "))
                                }
                            ),
                        };
                        cx.report_metric(
                            metric,
                            format!(
                                "metric `{}` reads source `{}`, which is not declared",
                                metric.name.value, read.value
                            ),
                            read.span,
                            "unknown source",
                        )
                        .with_help(help);
                        continue;
                    };
                    for fragment in fragments {
                        for (column, span) in unknown_columns(source, fragment) {
                            cx.report_metric(
                                metric,
                                format!(
                                    "metric `{}` uses `{column}`, which is not a declared column of source `{}`",
                                    metric.name.value, source.name.value
                                ),
                                span,
                                "not a declared column",
                            )
                            .with_label(columns_span(source), "the declared columns")
                            .with_help(if fragment.text.value.contains(&format!("\"{column}\"")) {
                                format!(
                                    "double quotes name a column in SQL; a string is written in single quotes: `'{column}'`"
                                )
                            } else {
                                column_help(source, &column)
                            });
                        }
                    }
                }
                for name in compute.metric_refs() {
                    if product.metric(&name.value).is_none() {
                        let help = unknown_metric_help(project, product, &name.value);
                        cx.report_metric(
                            metric,
                            format!(
                                "metric `{}` refers to `{}`, which is not a metric of product `{}`",
                                metric.name.value, name.value, product.name.value
                            ),
                            name.span,
                            "unknown metric",
                        )
                        .with_help(help);
                    }
                }
            }
            report_cycles(cx, product);
        }
    }
}

/// The columns a fragment names that its source does not declare, with their spans.
fn unknown_columns(source: &Source, fragment: &Fragment) -> Vec<(String, Span)> {
    if source.columns.is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for column in fragment.columns(&source.name.value) {
        if !source.has_column(&column) {
            let span = locate_word(fragment, &column);
            out.push((column, span));
        }
    }
    out.sort_by_key(|(_, span)| span.start);
    out
}

/// The span of `word` inside a fragment, or the whole fragment when it cannot be found
/// (a quoted YAML scalar whose text differs from the file).
fn locate_word(fragment: &Fragment, word: &str) -> Span {
    let text = &fragment.text;
    if text.span.len() != text.value.len() {
        return text.span;
    }
    let hay = text.value.to_ascii_lowercase();
    let needle = word.to_ascii_lowercase();
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(i) = hay.get(from..).and_then(|h| h.find(&needle)) {
        let at = from + i;
        let end = at + needle.len();
        let before = hay[..at].chars().next_back().is_some_and(is_ident);
        let after = hay[end..].chars().next().is_some_and(is_ident);
        let quoted = hay[..at].matches('\'').count() % 2 == 1;
        if !before && !after && !quoted {
            return text.span.sub(at, end);
        }
        from = end;
    }
    text.span
}

fn columns_span(source: &Source) -> Span {
    match source.columns.as_deref() {
        Some([first, .., last]) => first.name.span.to(last.name.span),
        Some([only]) => only.name.span,
        _ => source.name.span,
    }
}

fn column_help(source: &Source, column: &str) -> String {
    let declared: Vec<&str> = source
        .columns
        .iter()
        .flatten()
        .map(|c| c.name.value.as_str())
        .collect();
    match crate::syntax::did_you_mean(column, &declared) {
        Some(s) => format!(
            "did you mean `{s}`? Otherwise add `{column}` to the `columns` of `{}`",
            source.name.value
        ),
        None => format!(
            "add `{column}` to the `columns` of source `{}` if the relation has it; declared: {}",
            source.name.value,
            declared.join(", ")
        ),
    }
}

fn unknown_metric_help(project: &crate::model::Project, product: &Product, name: &str) -> String {
    let names: Vec<&str> = product
        .metrics
        .iter()
        .map(|m| m.name.value.as_str())
        .collect();
    if let Some(s) = crate::syntax::did_you_mean(name, &names) {
        return format!("did you mean `{s}`?");
    }
    if let Some(other) = project
        .products
        .iter()
        .find(|p| p.name.value != product.name.value && p.metric(name).is_some())
    {
        return format!(
            "`{name}` is a metric of product `{}`; a metric may only use metrics of its own product, \
             so define it here too",
            other.name.value
        );
    }
    format!(
        "define `{name}` as an input of product `{}`, or use one of: {}",
        product.name.value,
        names.join(", ")
    )
}

/// Finds cycles among metric references with a depth-first search and reports each back edge
/// at the reference that closes the cycle.
/// The sources a computation reads, each with the fragments evaluated over its rows (a
/// conversion's entity is evaluated over both of its sources).
fn reads(compute: &Compute) -> Vec<(&Str, Vec<&Fragment>)> {
    match compute {
        Compute::Conversion(c) => [&c.base, &c.event]
            .into_iter()
            .map(|side| {
                let mut fragments = vec![&c.entity];
                fragments.extend(side.filter.as_ref());
                (&side.source, fragments)
            })
            .collect(),
        other => other
            .measures()
            .into_iter()
            .map(|m| {
                let fragments = [&m.expr, &m.filter, &m.having]
                    .into_iter()
                    .flatten()
                    .collect();
                (&m.source, fragments)
            })
            .collect(),
    }
}

fn report_cycles(cx: &mut Context<'_>, product: &Product) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let index: HashMap<&str, usize> = product
        .metrics
        .iter()
        .enumerate()
        .map(|(i, m)| (m.name.value.as_str(), i))
        .collect();
    // Edges: for each metric, (target index, the reference).
    let edges: Vec<Vec<(usize, &Str)>> = product
        .metrics
        .iter()
        .map(|m| {
            m.compute
                .iter()
                .flat_map(|c| c.metric_refs())
                .filter_map(|r| index.get(r.value.as_str()).map(|&t| (t, r)))
                .collect()
        })
        .collect();
    let mut marks = vec![Mark::New; product.metrics.len()];
    let mut found: Vec<(usize, usize, Vec<usize>)> = Vec::new();
    for start in 0..product.metrics.len() {
        if marks[start] != Mark::New {
            continue;
        }
        // Iterative DFS: a stack of (node, next edge to follow).
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        marks[start] = Mark::Open;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&(target, _)) = edges[node].get(*next) {
                let edge = *next;
                *next += 1;
                match marks[target] {
                    Mark::New => {
                        marks[target] = Mark::Open;
                        stack.push((target, 0));
                    }
                    Mark::Open => {
                        let from = stack.iter().position(|(n, _)| *n == target).unwrap_or(0);
                        let path: Vec<usize> = stack[from..].iter().map(|(n, _)| *n).collect();
                        found.push((node, edge, path));
                    }
                    Mark::Done => {}
                }
            } else {
                marks[node] = Mark::Done;
                stack.pop();
            }
        }
    }
    for (node, edge, path) in found {
        let metric: &Metric = &product.metrics[node];
        let (target, reference) = edges[node][edge];
        let mut names: Vec<&str> = path
            .iter()
            .map(|&i| product.metrics[i].name.value.as_str())
            .collect();
        names.push(&product.metrics[target].name.value);
        let chain = names.join(" → ");
        let compares_itself =
            path.len() == 1 && matches!(metric.compute, Some(Compute::Compare(_)));
        let message = if compares_itself {
            format!(
                "metric `{}` compares itself: a comparison needs another metric's values",
                metric.name.value
            )
        } else if path.len() == 1 {
            format!("metric `{}` refers to itself", metric.name.value)
        } else {
            format!("metrics refer to each other in a cycle: {chain}")
        };
        let mut d = cx.report_metric(metric, message, reference.span, "closes the cycle");
        for pair in path.windows(2) {
            if let Some((_, r)) = edges[pair[0]].iter().find(|(t, _)| *t == pair[1]) {
                d.with_label(
                    r.span,
                    format!(
                        "`{}` uses `{}`",
                        product.metrics[pair[0]].name.value, product.metrics[pair[1]].name.value
                    ),
                );
            }
        }
        d.with_help(format!(
            "{chain}: a metric cannot be computed from itself; define one of these from measures instead"
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{
        assert_clean, assert_finds, findings_in, found, pos, pos_in, Edit, VALID_LODE, VALID_YAML,
    };

    #[test]
    fn passes_when_everything_resolves() {
        assert_clean("LS005", VALID_YAML);
        assert_clean("LS005", VALID_LODE);
    }

    #[test]
    fn unknown_source_with_suggestion() {
        let spec = VALID_YAML.edit("source: reviews", "source: review");
        assert_finds("LS005", &spec, &[pos(&spec, "review,")]);
        assert_eq!(
            found("LS005", &spec)[0].diagnostic.help.as_deref(),
            Some("did you mean `reviews`?")
        );
    }

    #[test]
    fn a_double_quoted_string_is_told_to_use_single_quotes() {
        let spec = VALID_YAML.edit(
            "    filter: status = 'confirmed'",
            "    filter: status = \"confirmed\"",
        );
        let f = found("LS005", &spec);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].diagnostic.help.as_deref(),
            Some("double quotes name a column in SQL; a string is written in single quotes: `'confirmed'`")
        );
    }

    #[test]
    fn undeclared_columns_in_expr_filter_and_having() {
        let spec = VALID_YAML
            .edit("    expr: nights\n    filter: status = 'confirmed'", "    expr: night\n    filter: state = 'confirmed'")
            .edit(
                "{ source: bookings, agg: count_distinct, expr: search_id }",
                "{ source: bookings, agg: count_distinct, expr: search_id, having: count(guest) > 1 }",
            );
        assert_finds(
            "LS005",
            &spec,
            &[
                pos_in(&spec, "expr: night", "night"),
                pos_in(&spec, "state =", "state"),
                pos_in(&spec, "count(guest)", "guest"),
            ],
        );
        let f = &found("LS005", &spec)[0];
        assert_eq!(f.labels.len(), 2, "the declared columns are labelled too");
        assert_eq!(f.labels[1].1, pos(&spec, "columns:").0);
        assert_eq!(
            f.diagnostic.help.as_deref(),
            Some("did you mean `nights`? Otherwise add `night` to the `columns` of `bookings`")
        );
    }

    #[test]
    fn columns_are_not_checked_when_not_declared() {
        // `reviews` declares no columns: any column is fine.
        let spec = VALID_YAML.edit("expr: rating", "expr: stars");
        assert_clean("LS005", &spec);
    }

    #[test]
    fn undeclared_time_and_dimension_columns() {
        let spec = VALID_YAML
            .edit("time: booked_at", "time: booked")
            .edit("device: lower(device)", "device: lower(platform)");
        assert_finds(
            "LS005",
            &spec,
            &[
                pos_in(&spec, "time: booked", "booked"),
                pos_in(&spec, "lower(platform)", "platform"),
            ],
        );
    }

    #[test]
    fn unknown_metric_in_derived_and_ratio() {
        let spec = VALID_YAML
            .edit(
                "derived: nights_booked / confirmed_bookings",
                "derived: nights_booked / confirmed_booking",
            )
            .edit("denominator: nights_booked", "denominator: nigths_booked");
        assert_finds(
            "LS005",
            &spec,
            &[
                pos_in(&spec, "derived:", "confirmed_booking"),
                pos_in(&spec, "denominator: nigths", "nigths"),
            ],
        );
        assert_eq!(
            found("LS005", &spec)[0].diagnostic.help.as_deref(),
            Some("did you mean `confirmed_bookings`?")
        );
    }

    #[test]
    fn cycles_are_reported_with_their_path() {
        let spec = VALID_YAML.edit(
            "    measure: { source: bookings, agg: count, filter: status = 'confirmed' }",
            "    derived: nights_booked / nights_per_booking",
        );
        // confirmed_bookings → nights_per_booking → confirmed_bookings
        let f = found("LS005", &spec);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            f[0].at(),
            pos_in(&spec, "derived: nights_booked / confirmed", "confirmed")
        );
        assert!(
            f[0].diagnostic
                .message
                .contains("confirmed_bookings → nights_per_booking → confirmed_bookings"),
            "{}",
            f[0].diagnostic.message
        );
        assert_eq!(f[0].labels.len(), 2);
    }

    #[test]
    fn self_reference_is_a_cycle() {
        let spec = VALID_YAML.edit("denominator: nights_booked", "denominator: refund_rate");
        assert_finds(
            "LS005",
            &spec,
            &[pos_in(&spec, "denominator: refund_rate", "refund_rate")],
        );
        assert!(found("LS005", &spec)[0]
            .diagnostic
            .message
            .contains("refers to itself"));
    }

    #[test]
    fn metric_of_another_product_is_not_visible() {
        let other =
            "lodestar: 1\nproduct: other\nnorth_star:\n  name: other_metric\n  owner: growth\n  \
                     measure: { source: bookings, agg: count }\n";
        let spec = VALID_YAML.edit("denominator: nights_booked", "denominator: other_metric");
        let got = findings_in(&[("a.yaml", &spec), ("b.yaml", other)]);
        let f: Vec<_> = got.iter().filter(|f| f.code == "LS005").collect();
        assert_eq!(f.len(), 1, "{got:?}");
        assert_eq!(f[0].labels[0].0, "a.yaml");
        assert!(f[0]
            .diagnostic
            .help
            .as_deref()
            .unwrap()
            .contains("product `other`"));
    }

    #[test]
    fn source_declared_in_another_file_resolves() {
        let spec = VALID_YAML.edit(
            "  reviews:\n    table: analytics.reviews\n    time: created_at\n",
            "",
        );
        let shared =
            "lodestar: 1\nsources:\n  reviews: { table: analytics.reviews, time: created_at }\n";
        let got = findings_in(&[("a.yaml", &spec), ("shared.yaml", shared)]);
        assert!(got.iter().all(|f| f.code != "LS005"), "{got:?}");
        assert_finds("LS005", &spec, &[pos(&spec, "reviews,")]);
    }

    #[test]
    fn allow_with_reason_silences_metric_findings() {
        let spec = VALID_YAML.edit(
            "    measure: { source: reviews, agg: avg, expr: rating }",
            "    measure: { source: review, agg: avg, expr: rating }\n    allow: [{ code: LS005, reason: \"declared by dbt\" }]",
        );
        assert_clean("LS005", &spec);
    }
}
