//! The exporters on a small spec with every kind: what each lodestar form becomes in
//! MetricFlow's and OSI's YAML, and what the report says did not carry over.

use super::{export, Format};
use crate::interop::metricflow::NoteKind;
use crate::project::{analyze, in_memory};

const SPEC: &str = r#"lodestar: 1
product: shop
game: transaction
owners:
  growth: { name: Growth, email: growth@example.com }
sources:
  orders:
    table: sales.orders
    time: ordered_at
    dimensions: { region: lower(region) }
  visits:
    sql: select * from web.visits where not bot
    time: visited_at
north_star:
  name: revenue
  owner: growth
  type: revenue
  grain: week
  measure: { source: orders, agg: sum, expr: amount, filter: status = 'paid' }
  targets: [{ by: 2027-01-31, value: 1000 }]
inputs:
  - { name: orders_count, owner: growth, type: transaction, measure: { source: orders, agg: count } }
  - { name: buyers_7d, owner: growth, type: engagement, grain: day, measure: { source: orders, agg: count_distinct, expr: user_id, window: 7 days } }
  - { name: p90_amount, owner: growth, type: revenue, measure: { source: orders, agg: percentile, expr: amount, p: 0.9 } }
  - { name: per_order, owner: growth, type: revenue, derived: revenue / orders_count }
  - { name: revenue_wow, owner: growth, type: revenue, compare: { metric: revenue, offset: 1, as: growth } }
  - name: visit_to_order
    owner: growth
    type: conversion
    conversion: { entity: user_id, base: { source: visits }, event: { source: orders, filter: status = 'paid' }, within: 3 days }
  - { name: loyal, owner: growth, type: retention, measure: { source: orders, agg: count_distinct, expr: user_id, having: count(*) >= 2 } }
guardrails:
  - name: refund_rate
    owner: growth
    type: quality
    ratio:
      numerator: { source: orders, agg: count, filter: status = 'refunded' }
      denominator: orders_count
    threshold: { max: 0.05 }
"#;

fn project() -> crate::model::Project {
    let a = analyze(
        &in_memory(&[("shop.yaml", SPEC)]),
        crate::lint::testing::TODAY,
    );
    let errors: Vec<_> = a.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    a.project
}

fn file<'a>(e: &'a super::Export, path: &str) -> &'a str {
    &e.files
        .iter()
        .find(|(p, _)| p == path)
        .unwrap_or_else(|| {
            panic!(
                "no {path} in {:?}",
                e.files.iter().map(|f| &f.0).collect::<Vec<_>>()
            )
        })
        .1
}

/// Every YAML document of a file, read back.
fn docs(text: &str) -> Vec<serde_json::Value> {
    text.split("\n---\n")
        .skip(1)
        .map(|d| serde_saphyr::from_str(d).unwrap_or_else(|e| panic!("{e}\n{d}")))
        .collect()
}

fn metric<'a>(metrics: &'a [serde_json::Value], name: &str) -> &'a serde_json::Value {
    metrics
        .iter()
        .map(|d| &d["metric"])
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("no metric {name}"))
}

#[test]
fn metricflow_maps_every_kind() {
    let e = export(&project(), Format::Metricflow);
    let metrics = docs(file(&e, "shop/metrics.yaml"));
    let models = docs(file(&e, "shop/semantic_models.yaml"));
    let orders = &models[0]["semantic_model"];
    assert_eq!(orders["name"], "orders");
    assert_eq!(orders["node_relation"]["schema_name"], "sales");
    assert_eq!(orders["defaults"]["agg_time_dimension"], "ordered_at");
    assert_eq!(orders["primary_entity"], "orders");
    let measure = |name: &str| {
        models
            .iter()
            .flat_map(|m| {
                m["semantic_model"]["measures"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .find(|x| x["name"] == name)
            .unwrap_or_else(|| panic!("no measure {name}"))
    };
    // The filter is in the measure's expression.
    assert_eq!(
        measure("revenue")["expr"],
        "case when status = 'paid' then amount end"
    );
    assert_eq!(measure("orders_count")["agg"], "count");
    assert_eq!(measure("orders_count")["expr"], "1");
    assert_eq!(measure("p90_amount")["agg_params"]["percentile"], 0.9);
    assert_eq!(
        measure("p90_amount")["agg_params"]["use_discrete_percentile"],
        false
    );
    let ns = metric(&metrics, "revenue");
    assert_eq!(ns["type"], "simple");
    assert_eq!(ns["time_granularity"], "week");
    assert_eq!(ns["config"]["meta"]["lodestar"]["role"], "north_star");
    assert_eq!(ns["config"]["meta"]["lodestar"]["owner"], "growth");
    assert_eq!(
        ns["config"]["meta"]["lodestar"]["targets"][0]["by"],
        "2027-01-31"
    );
    let w = metric(&metrics, "buyers_7d");
    assert_eq!(w["type"], "cumulative");
    assert_eq!(
        w["type_params"]["cumulative_type_params"]["window"],
        "7 days"
    );
    assert_eq!(
        w["type_params"]["cumulative_type_params"]["period_agg"],
        "last"
    );
    assert_eq!(
        metric(&metrics, "per_order")["type_params"]["expr"],
        "revenue / NULLIF(orders_count, 0)"
    );
    let wow = &metric(&metrics, "revenue_wow")["type_params"];
    assert_eq!(
        wow["expr"],
        "(revenue - revenue_1_week_ago) / NULLIF(revenue_1_week_ago, 0)"
    );
    assert_eq!(wow["metrics"][1]["offset_window"], "1 week");
    let rr = metric(&metrics, "refund_rate");
    assert_eq!(
        rr["type_params"]["numerator"]["name"],
        "refund_rate_numerator"
    );
    assert_eq!(rr["type_params"]["denominator"]["name"], "orders_count");
    assert_eq!(rr["config"]["meta"]["lodestar"]["threshold"]["max"], 0.05);
    let cv = &metric(&metrics, "visit_to_order")["type_params"]["conversion_type_params"];
    assert_eq!(cv["entity"], "user_id");
    assert_eq!(cv["window"], "3 days");
    assert_eq!(
        cv["conversion_measure"]["filter"],
        "{{ Dimension('orders__status') }} = 'paid'"
    );
    // The sql source is a dbt model beside the YAML.
    assert!(file(&e, "shop/models/visits.sql").contains("select * from web.visits where not bot"));
    // `having` has no MetricFlow form: reported, not written.
    assert!(metrics.iter().all(|d| d["metric"]["name"] != "loyal"));
    let report = &e.files.last().unwrap();
    assert_eq!(report.0, "EXPORT.md");
    assert!(
        e.notes.iter().any(|n| n.kind == NoteKind::NotCarried
            && n.subject == "shop: metric `loyal`"
            && n.text.contains("having")),
        "{:#?}",
        e.notes
    );
    assert!(
        report.1.contains("| shop: metric `loyal` |"),
        "{}",
        report.1
    );
    assert!(
        e.summary.starts_with("exported 8 of 9 metrics"),
        "{}",
        e.summary
    );
}

#[test]
fn osi_carries_the_framework_in_custom_extensions() {
    let e = export(&project(), Format::Osi);
    let doc: serde_json::Value = serde_saphyr::from_str(file(&e, "shop.osi.yaml")).unwrap();
    assert_eq!(doc["version"], "0.1.1");
    let model = &doc["semantic_model"][0];
    assert_eq!(model["name"], "shop");
    assert_eq!(model["datasets"][0]["source"], "sales.orders");
    assert_eq!(
        model["datasets"][1]["source"],
        "select * from web.visits where not bot"
    );
    let time = &model["datasets"][0]["fields"][0];
    assert_eq!(time["dimension"]["is_time"], true);
    let m = |name: &str| {
        model["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("no metric {name}"))
            .clone()
    };
    let ns = m("revenue");
    assert_eq!(
        ns["expression"]["dialects"][0]["expression"],
        "SUM(CASE WHEN orders.status = 'paid' THEN orders.amount END)"
    );
    let ext = &ns["custom_extensions"][0];
    assert_eq!(ext["vendor_name"], "lodestar");
    let data: serde_json::Value = serde_json::from_str(ext["data"].as_str().unwrap()).unwrap();
    assert_eq!(data["role"], "north_star");
    assert_eq!(data["owner"], "growth");
    assert_eq!(data["grain"], "week");
    let rr: serde_json::Value = serde_json::from_str(
        m("refund_rate")["custom_extensions"][0]["data"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(rr["role"], "guardrail");
    assert_eq!(rr["threshold"]["max"], 0.05);
    assert_eq!(
        m("refund_rate")["expression"]["dialects"][0]["expression"],
        "(COUNT(CASE WHEN orders.status = 'refunded' THEN 1 END)) / NULLIF(orders_count, 0)"
    );
    let model_ext: serde_json::Value =
        serde_json::from_str(model["custom_extensions"][0]["data"].as_str().unwrap()).unwrap();
    assert_eq!(model_ext["north_star"], "revenue");
    assert_eq!(model_ext["owners"]["growth"]["email"], "growth@example.com");
    // Time semantics OSI's core lacks are reported as differences.
    assert!(
        e.notes
            .iter()
            .any(|n| n.kind == NoteKind::Differs && n.subject == "shop: metric `revenue_wow`"),
        "{:#?}",
        e.notes
    );
}
