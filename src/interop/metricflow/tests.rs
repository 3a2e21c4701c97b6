//! The importer on the fixture project `tests/fixtures/import/shop`: what is carried over, how,
//! and what is reported; the spec it writes is checked by lodestar's own pipeline.

use chrono::NaiveDate;

use super::{
    import, lodestar_name, parse_guardrail, Grain, Guardrail, Import, ImportError, NoteKind,
    Options,
};
use crate::diagnostics::Code;

const ORDERS: &str = include_str!("../../../tests/fixtures/import/shop/models/marts/orders.yml");
const METRICS: &str = include_str!("../../../tests/fixtures/import/shop/models/marts/metrics.yml");
const SCHEMA: &str = include_str!("../../../tests/fixtures/import/shop/models/staging/schema.yml");

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).expect("a date")
}

fn files() -> Vec<(String, String)> {
    vec![
        ("models/marts/metrics.yml".to_owned(), METRICS.to_owned()),
        ("models/marts/orders.yml".to_owned(), ORDERS.to_owned()),
        ("models/staging/schema.yml".to_owned(), SCHEMA.to_owned()),
    ]
}

fn options() -> Options {
    Options {
        product: "jaffle_shop".to_owned(),
        north_star: None,
        guardrails: Vec::new(),
        grain: Grain::Day,
        today: today(),
    }
}

fn shop() -> Import {
    import(&files(), &options()).expect("the fixture imports")
}

/// Every error-level finding of lodestar's checks on the imported project.
fn errors(out: &Import) -> Vec<(Code, String)> {
    let path = format!("{}.yaml", out.product);
    let ws = crate::project::in_memory(&[
        (crate::project::CONFIG_FILE, out.config.as_str()),
        (path.as_str(), out.spec.as_str()),
    ]);
    crate::project::analyze(&ws, today())
        .diagnostics
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| (d.code, d.message))
        .collect()
}

fn subjects(out: &Import, kind: NoteKind) -> Vec<String> {
    out.notes
        .iter()
        .filter(|n| n.kind == kind)
        .map(|n| n.subject.clone())
        .collect()
}

/// The block of the spec that defines metric `name` (from its `- name:` line to the next).
fn metric_block<'a>(spec: &'a str, name: &str) -> &'a str {
    let start = spec
        .find(&format!("- name: {name}\n"))
        .unwrap_or_else(|| panic!("no metric `{name}` in:\n{spec}"));
    let rest = &spec[start + 2..];
    let end = rest.find("\n  - name: ").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

#[test]
fn without_choices_only_the_north_star_and_guardrails_are_missing() {
    let out = shop();
    let codes: Vec<Code> = errors(&out).into_iter().map(|(c, _)| c).collect();
    assert_eq!(
        codes,
        [Code::OneNorthStar, Code::GuardrailRequired],
        "{}",
        out.spec
    );
    assert!(
        out.spec.contains("# North Star: MetricFlow has none."),
        "{}",
        out.spec
    );
    assert!(
        out.spec.contains("# Guardrails: MetricFlow has none."),
        "{}",
        out.spec
    );
    assert!(!out.spec.contains("\nnorth_star:"));
    assert!(out.spec.contains("every metric is owned by `data`"));
    assert_eq!((out.carried, out.total, out.helpers), (19, 24, 2));
}

#[test]
fn with_choices_the_spec_lints_clean() {
    let mut o = options();
    o.north_star = Some("orders".to_owned());
    o.guardrails = vec![
        parse_guardrail("food_order_share:max=0.5").unwrap(),
        parse_guardrail("avg_order_value:min=10,max=500").unwrap(),
    ];
    let out = import(&files(), &o).unwrap();
    assert_eq!(errors(&out), [], "{}", out.spec);
    assert!(
        out.spec.contains("north_star:\n  name: orders\n"),
        "{}",
        out.spec
    );
    let g = metric_block(&out.spec, "avg_order_value");
    assert!(g.contains("threshold: { min: 10, max: 500 }"), "{g}");
    assert!(!out.spec.contains("# North Star: MetricFlow has none."));
}

#[test]
fn what_cannot_give_the_same_numbers_is_reported_with_reasons() {
    let out = shop();
    let mut not = subjects(&out, NoteKind::NotCarried);
    not.sort();
    assert_eq!(
        not,
        [
            "metric `big_spender_revenue`",
            "metric `ending_balance`",
            "metric `median_order_discrete`",
            "metric `revenue_by_country`",
            "metric `revenue_mom_start`",
            "saved query `weekly_revenue`",
        ]
    );
    for (subject, why) in [
        ("metric `big_spender_revenue`", "Metric(...)"),
        ("metric `ending_balance`", "non_additive_dimension"),
        ("metric `median_order_discrete`", "discrete percentile"),
        ("metric `revenue_by_country`", "2 joins"),
        ("metric `revenue_mom_start`", "offset_to_grain"),
    ] {
        let note = out.notes.iter().find(|n| n.subject == subject).unwrap();
        assert!(note.text.contains(why), "{subject}: {}", note.text);
        assert!(
            out.report.contains(&format!("| {subject} |")),
            "{}",
            out.report
        );
        assert!(out.summary.contains(subject), "{}", out.summary);
    }
    assert_eq!(subjects(&out, NoteKind::Renamed), ["metric `value`"]);
    assert!(out.spec.contains("- name: mf_value\n"));
}

#[test]
fn filters_on_joined_dimensions_become_a_sql_source_that_cannot_fan_out() {
    let spec = shop().spec;
    // One row per customer, whatever the data: grouped by the key. (A folded YAML scalar may
    // wrap the SELECT anywhere: compared word by word.)
    let words = spec.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains(
            "sql: >- select f.*, j1.customer__region, j1.customer__tier from orders as f left join \
             (select customer_id as mf_key, min(region) as customer__region, min(upper(tier)) as \
             customer__tier from customers group by customer_id) as j1 on f.customer_id = j1.mf_key"
        ),
        "{spec}"
    );
    let eu = metric_block(&spec, "eu_revenue");
    assert!(eu.contains("filter: customer__region = 'EU'"), "{eu}");
    let gold = metric_block(&spec, "gold_orders");
    assert!(
        gold.contains("filter: (customer__tier = 'GOLD') and (status <> 'returned')"),
        "{gold}"
    );
    // A dimension of the measure's own model is its expression.
    let done = metric_block(&spec, "completed_orders");
    assert!(done.contains("filter: status = 'completed'"), "{done}");
}

#[test]
fn each_metricflow_kind_has_its_lodestar_form() {
    let spec = shop().spec;
    for (name, form) in [
        ("orders", "measure: { source: orders, agg: count }"),
        ("food_orders", "measure: { source: orders, agg: count, filter: is_food_order }"),
        ("food_order_share", "ratio:\n      numerator: food_orders\n      denominator: orders"),
        ("eu_order_share", "numerator: { source: orders, agg: count, filter: customer__region = 'EU' }"),
        ("previous", "compare: { metric: revenue, offset: 7, as: value }"),
        ("revenue_growth_wow", "derived: (revenue - previous) / previous"),
        ("returned", "measure: { source: orders, agg: count, filter: status = 'returned' }"),
        ("net_orders", "derived: orders - returned"),
        ("revenue_7d", "window: 7 days"),
        ("revenue_mtd", "to_date: month"),
        ("customers_ever", "cumulative: true"),
        ("p90_order_value", "agg: percentile, expr: amount, p: 0.9"),
        ("avg_order_value", "agg: avg, expr: amount"),
        ("visit_to_order_7d", "conversion:\n      entity: customer_id\n      base: { source: visits }\n      event: { source: orders }\n      within: 7 days\n      as: rate"),
    ] {
        let block = metric_block(&spec, name);
        assert!(block.contains(form), "{name}: expected `{form}` in\n{block}");
        assert!(block.contains("grain: day"), "{block}");
    }
}

#[test]
fn a_coarser_grain_converts_offsets_or_reports_them() {
    let mut o = options();
    o.grain = Grain::Week;
    let out = import(&files(), &o).unwrap();
    let prev = metric_block(&out.spec, "previous");
    assert!(
        prev.contains("compare: { metric: revenue, offset: 1, as: value }"),
        "{prev}"
    );
    // A cumulative metric at a week grain: MetricFlow's default period_agg is `first`.
    assert!(subjects(&out, NoteKind::Differs).contains(&"metric `revenue_7d`".to_owned()));
    o.grain = Grain::Month;
    let out = import(&files(), &o).unwrap();
    let growth = out
        .notes
        .iter()
        .find(|n| n.subject == "metric `revenue_growth_wow`")
        .unwrap();
    assert_eq!(growth.kind, NoteKind::NotCarried);
    assert!(
        growth.text.contains("not a whole number of months"),
        "{}",
        growth.text
    );
}

#[test]
fn bad_choices_are_errors() {
    let mut o = options();
    o.north_star = Some("revenu".to_owned());
    let e = import(&files(), &o).unwrap_err();
    assert!(matches!(e, ImportError::UnknownMetric { .. }));
    assert!(e.to_string().contains("did you mean `revenue`?"), "{e}");
    o.north_star = Some("ending_balance".to_owned());
    let e = import(&files(), &o).unwrap_err();
    assert!(e.to_string().contains("non_additive_dimension"), "{e}");
    o.north_star = Some("revenue".to_owned());
    o.guardrails = vec![parse_guardrail("revenue:min=1").unwrap()];
    let e = import(&files(), &o).unwrap_err();
    assert!(e.to_string().contains("North Star too"), "{e}");
}

#[test]
fn invalid_yaml_names_the_file() {
    let mut f = files();
    f.push((
        "models/broken.yml".to_owned(),
        "metrics: [\n  - name: x\n".to_owned(),
    ));
    let e = import(&f, &options()).unwrap_err();
    assert!(
        e.to_string().starts_with("models/broken.yml: invalid YAML"),
        "{e}"
    );
    let e = import(
        &[("m.yml".to_owned(), "metrics:\n  - name: x\n".to_owned())],
        &options(),
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("metrics: `x`: missing field `type`"),
        "{e}"
    );
    let e = import(&[("schema.yml".to_owned(), SCHEMA.to_owned())], &options()).unwrap_err();
    assert!(matches!(e, ImportError::Empty));
}

#[test]
fn guardrail_arguments() {
    assert_eq!(
        parse_guardrail("refund_rate:max=0.02").unwrap(),
        Guardrail {
            metric: "refund_rate".to_owned(),
            min: None,
            max: Some(0.02)
        }
    );
    assert_eq!(
        parse_guardrail("r:min=1,max=2").unwrap(),
        Guardrail {
            metric: "r".to_owned(),
            min: Some(1.0),
            max: Some(2.0)
        }
    );
    for (bad, why) in [
        ("refund_rate", "no `:`"),
        (":min=1", "names no metric"),
        ("r:min", "not `min=X`"),
        ("r:min=x", "not a number"),
        ("r:low=1", "neither `min` nor `max`"),
        ("r:min=1,min=2", "twice"),
        ("r:min=3,max=2", "above max"),
        ("r:max=inf", "not a number"),
    ] {
        let e = parse_guardrail(bad).unwrap_err();
        assert!(e.contains(why), "{bad}: {e}");
    }
}

#[test]
fn names_become_safe_lodestar_names() {
    assert_eq!(lodestar_name("revenue"), ("revenue".to_owned(), None));
    assert_eq!(lodestar_name("Revenue-USD").0, "revenue_usd");
    assert_eq!(lodestar_name("7d_active").0, "m_7d_active");
    assert_eq!(lodestar_name("period").0, "mf_period");
    assert_eq!(lodestar_name("lodestar_x").0, "mf_lodestar_x");
    assert_eq!(lodestar_name("con").0, "mf_con");
    assert!(lodestar_name(&"x".repeat(80)).0.len() <= 63);
    assert!(lodestar_name("../../etc")
        .0
        .chars()
        .all(|c| c.is_ascii_lowercase() || c == '_'));
}

#[test]
fn a_metric_lodestar_refuses_is_dropped_with_the_checks_words() {
    // `regexp_matches` is no portable function (LS009): the metric goes, the rest stays clean.
    let text = ORDERS.replace(
        "expr: amount\n      - name: order_count",
        "expr: regexp_matches(note, 'x')\n      - name: order_count",
    );
    assert_ne!(text, ORDERS, "the edit matched nothing");
    let f = vec![
        ("metrics.yml".to_owned(), METRICS.to_owned()),
        ("orders.yml".to_owned(), text),
    ];
    let out = import(&f, &options()).unwrap();
    let codes: Vec<Code> = errors(&out).into_iter().map(|(c, _)| c).collect();
    assert_eq!(
        codes,
        [Code::OneNorthStar, Code::GuardrailRequired],
        "{}",
        out.spec
    );
    let revenue = out
        .notes
        .iter()
        .find(|n| n.subject == "metric `revenue`")
        .unwrap();
    assert_eq!(revenue.kind, NoteKind::NotCarried);
    assert!(
        revenue.text.contains("lodestar refuses it"),
        "{}",
        revenue.text
    );
    // What reads it goes with it.
    let growth = out
        .notes
        .iter()
        .find(|n| n.subject == "metric `revenue_growth_wow`")
        .unwrap();
    assert!(growth.text.contains("it uses `"), "{}", growth.text);
}
