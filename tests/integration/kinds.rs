//! The metric kinds added for time comparisons (`compare`, `to_date`, `cumulative`,
//! `conversion`) and outcomes: both syntaxes read them to the same model, and what is wrong
//! with them is reported at its position with its code.

use lodestar::model::{CompareAs, Compute, ConversionAs, Grain, Over, Role};
use lodestar::project;

use super::common::*;

const SPEC: &str = include_str!("../fixtures/format/time_kinds.yaml");

/// `(code, line, column)` of every finding of one spec file.
fn findings(name: &str, text: &str) -> Vec<(String, usize, usize)> {
    let ws = project::in_memory(&[(name, text)]);
    let a = project::analyze(&ws, today());
    a.diagnostics
        .iter()
        .map(|d| {
            let span = d.primary_span().expect("a span");
            let (line, col) = ws.files.get(span.file).line_col(span.start as usize);
            (d.code.to_string(), line, col)
        })
        .collect()
}

/// The 1-based line and column of the first `needle` on the first line holding `line_with`.
fn at(text: &str, line_with: &str, needle: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate() {
        if line.contains(line_with) {
            let c = line.find(needle).expect("needle on the line");
            return (i + 1, line[..c].chars().count() + 1);
        }
    }
    panic!("no line with {line_with:?}");
}

#[track_caller]
fn assert_finds(text: &str, code: &str, expected: (usize, usize)) {
    let all = findings("spec.yaml", text);
    assert!(
        all.iter()
            .any(|(c, l, col)| c == code && (*l, *col) == expected),
        "expected {code} at {expected:?}; found {all:?}\n{text}"
    );
}

#[test]
fn the_fixture_is_clean_and_reads_the_same_in_the_dsl() {
    assert_eq!(findings("spec.yaml", SPEC), Vec::new());
    let tree = lodestar::syntax::parse(
        lodestar::diagnostics::FileId(0),
        lodestar::syntax::Syntax::Yaml,
        SPEC,
    )
    .0
    .unwrap();
    let lode = lodestar::format::to_lode(&tree);
    assert_eq!(findings("spec.lode", &lode), Vec::new(), "{lode}");
    let model = |name: &str, text: &str| {
        let mut p = project::analyze(&project::in_memory(&[(name, text)]), today()).project;
        for product in &mut p.products {
            product.syntax = lodestar::syntax::Syntax::Yaml;
        }
        p.products
    };
    assert_eq!(model("spec.yaml", SPEC), model("spec.lode", &lode));
}

#[test]
fn the_model_holds_each_kind() {
    let p = project::analyze(&project::in_memory(&[("spec.yaml", SPEC)]), today()).project;
    let product = &p.products[0];
    let compute = |name: &str| product.metric(name).unwrap().compute.clone().unwrap();
    match compute("nights_booked_wow") {
        Compute::Compare(c) => {
            assert_eq!(c.metric.value, "nights_booked");
            assert_eq!((c.offset.value, c.as_.value), (1, CompareAs::Growth));
        }
        other => panic!("{other:?}"),
    }
    match compute("nights_booked_yoy") {
        Compute::Compare(c) => assert_eq!((c.offset.value, c.as_.value), (52, CompareAs::Value)),
        other => panic!("{other:?}"),
    }
    // A comparison takes the grain of the metric it compares.
    assert_eq!(
        product.metric("nights_booked_wow").unwrap().grain.value,
        Grain::Week
    );
    let over = |name: &str| match compute(name) {
        Compute::Measure(m) => m.over.map(|o| o.value),
        other => panic!("{other:?}"),
    };
    assert_eq!(over("nights_mtd"), Some(Over::ToDate(Grain::Month)));
    assert_eq!(over("guests_ever"), Some(Over::Cumulative));
    match compute("search_to_booking_7d") {
        Compute::Conversion(c) => {
            assert_eq!(c.entity.text.value, "guest_id");
            assert_eq!(c.base.source.value, "searches");
            assert_eq!(c.event.source.value, "bookings");
            assert!(c.event.filter.is_some());
            assert_eq!((c.within.value, c.as_.value), (7, ConversionAs::Rate));
        }
        other => panic!("{other:?}"),
    }
    let outcome = product.metric("net_revenue").unwrap();
    assert_eq!(outcome.role, Role::Outcome);
    // Outcomes come after the guardrails.
    assert_eq!(product.metrics.last().unwrap().name.value, "net_revenue");
}

#[test]
fn a_compare_of_itself_is_ls005_at_the_name() {
    let spec = SPEC.edit(
        "compare: { metric: nights_booked, offset: 1, as: growth }",
        "compare: { metric: nights_booked_wow, offset: 1, as: growth }",
    );
    assert_finds(
        &spec,
        "LS005",
        at(&spec, "metric: nights_booked_wow", "nights_booked_wow"),
    );
}

#[test]
fn a_compare_of_an_unknown_metric_is_ls005() {
    let spec = SPEC.edit(
        "compare: { metric: nights_booked, offset: 52 }",
        "compare: { metric: nights_bookd, offset: 52 }",
    );
    assert_finds(&spec, "LS005", at(&spec, "nights_bookd", "nights_bookd"));
}

#[test]
fn an_offset_below_one_is_ls903_at_the_offset() {
    for bad in ["0", "-1", "1.5", "soon"] {
        let spec = SPEC.edit("offset: 52", &format!("offset: {bad}"));
        assert_finds(&spec, "LS903", at(&spec, &format!("offset: {bad}"), bad));
    }
}

#[test]
fn a_compare_at_another_grain_is_ls903_at_the_grain() {
    let spec = SPEC.edit(
        "    type: transaction\n    compare: { metric: nights_booked, offset: 1, as: growth }",
        "    type: transaction\n    grain: month\n    compare: { metric: nights_booked, offset: 1, as: growth }",
    );
    assert_finds(&spec, "LS903", at(&spec, "grain: month", "month"));
}

#[test]
fn to_date_not_coarser_than_the_grain_is_ls903_at_it() {
    for (grain, to) in [("month", "week"), ("month", "month"), ("week", "week")] {
        let spec = SPEC
            .edit("    grain: day\n", &format!("    grain: {grain}\n"))
            .edit("to_date: month", &format!("to_date: {to}"));
        assert_finds(
            &spec,
            "LS903",
            at(&spec, "to_date:", &format!("to_date: {to}")[9..]),
        );
    }
    let spec = SPEC.edit("to_date: month", "to_date: fortnight");
    assert_finds(&spec, "LS903", at(&spec, "to_date:", "fortnight"));
}

#[test]
fn window_to_date_and_cumulative_exclude_each_other() {
    let spec = SPEC.edit("to_date: month }", "to_date: month, window: 7 days }");
    assert_finds(&spec, "LS902", at(&spec, "window: 7 days", "7 days"));
    let spec = SPEC.edit("cumulative: true }", "cumulative: maybe }");
    assert_finds(&spec, "LS903", at(&spec, "cumulative: maybe", "maybe"));
}

#[test]
fn to_date_on_a_side_of_a_ratio_is_ls902() {
    let spec = SPEC.edit(
        "filter: status = 'cancelled' }",
        "filter: status = 'cancelled', to_date: month }",
    );
    assert_finds(&spec, "LS902", at(&spec, "'cancelled', to_date", "month"));
}

#[test]
fn a_conversion_on_a_source_without_the_entity_column_is_ls005_at_the_entity() {
    let spec = SPEC.edit(
        "    table: analytics.searches\n    time: searched_at\n",
        "    table: analytics.searches\n    time: searched_at\n    columns: [searched_at, visitor_id]\n",
    );
    assert_finds(&spec, "LS005", at(&spec, "entity: guest_id", "guest_id"));
}

#[test]
fn a_conversion_without_its_parts_is_ls902() {
    let spec = SPEC.edit("      within: 7 days\n", "");
    assert_finds(&spec, "LS902", at(&spec, "entity: guest_id", "entity"));
    let spec = SPEC.edit("      within: 7 days\n", "      within: a week\n");
    assert_finds(&spec, "LS903", at(&spec, "within: a week", "a week"));
    let spec = SPEC.edit("      as: rate\n", "      as: ratio\n");
    assert_finds(&spec, "LS903", at(&spec, "as: ratio", "ratio"));
}

#[test]
fn an_outcome_with_a_threshold_is_ls007() {
    let spec = SPEC.edit(
        "    measure: { source: payments, agg: sum, expr: amount_usd }",
        "    measure: { source: payments, agg: sum, expr: amount_usd }\n    threshold: { min: 0 }",
    );
    assert_finds(&spec, "LS007", at(&spec, "threshold: { min: 0 }", "{ min"));
}

#[test]
fn the_dsl_statements_read_and_report_repeats() {
    let lode = "lodestar 1\nproduct p\nowner o\nsource s from t at ts\nsource e from u at ts\n\
                north star a { owner o  type engagement  measure count() from s }\n\
                input c {\n  owner o\n  type conversion\n  conversion `lower(email)` within 3 days as count\n  base from s where x > 1\n  event from e\n  event from s\n}\n\
                input d { owner o  type engagement  compare a offset 2 as change offset 3 }\n\
                outcome o1 { owner o  type revenue  measure sum(x) from s  cumulative }\n";
    let (tree, diagnostics) = lodestar::syntax::parse(
        lodestar::diagnostics::FileId(0),
        lodestar::syntax::Syntax::Lode,
        lode,
    );
    let messages: Vec<String> = diagnostics.iter().map(|d| d.message.clone()).collect();
    assert_eq!(
        messages,
        [
            "`event` is given twice in a metric",
            "`offset` is given twice"
        ],
        "{diagnostics:#?}"
    );
    let p = project::analyze(&project::in_memory(&[("spec.lode", lode)]), today()).project;
    let product = &p.products[0];
    match &product.metric("c").unwrap().compute {
        Some(Compute::Conversion(c)) => {
            assert_eq!(c.entity.text.value, "lower(email)");
            assert_eq!((c.within.value, c.as_.value), (3, ConversionAs::Count));
            assert_eq!(c.base.filter.as_ref().unwrap().text.value, "x > 1");
            assert_eq!(c.event.source.value, "e");
        }
        other => panic!("{other:?}"),
    }
    match &product.metric("d").unwrap().compute {
        Some(Compute::Compare(c)) => {
            assert_eq!((c.offset.value, c.as_.value), (2, CompareAs::Change))
        }
        other => panic!("{other:?}"),
    }
    let o1 = product.metric("o1").unwrap();
    assert_eq!(o1.role, Role::Outcome);
    assert!(
        matches!(&o1.compute, Some(Compute::Measure(m)) if m.over.as_ref().map(|o| o.value) == Some(Over::Cumulative))
    );
    assert!(tree.is_some());
}

/// `having` with another aggregation than `count_distinct` is a lint error at the condition,
/// not a compile failure without a position.
#[test]
fn having_needs_count_distinct_at_lint_time() {
    let spec = SPEC.edit(
        "agg: count_distinct, expr: guest_id, cumulative: true",
        "agg: sum, expr: guest_id, having: count(*) > 1",
    );
    assert_finds(&spec, "LS902", at(&spec, "having:", "count(*) > 1"));
    let ok = SPEC.edit(
        "agg: count_distinct, expr: guest_id, cumulative: true",
        "agg: count_distinct, expr: guest_id, having: count(*) > 1",
    );
    assert_eq!(findings("spec.yaml", &ok), Vec::new());
}
