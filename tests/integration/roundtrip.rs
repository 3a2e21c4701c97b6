//! lodestar → MetricFlow → lodestar gives an equal model: `lodestar export --to metricflow` of
//! the reference specs (and the valid fixture), then `lodestar import metricflow` of each
//! exported product without any flag, must resolve to the product it started from: the same
//! metrics in the same order with the same roles, owners, types, grains, computations,
//! thresholds, targets and reviews, the same sources and owners, the same description and game.
//! (The numbers are compared on data by tests/metricflow/roundtrip.py; this is about the model.)
//!
//! What truly cannot come back equal is listed (`KNOWN_SPECS`, `KNOWN_CONFORMANCE`) with the reason, and the test fails
//! when an item listed there comes back equal after all, so the list stays honest.

use std::collections::BTreeSet;
use std::path::PathBuf;

use lodestar::interop::export::{export, Format};
use lodestar::interop::metricflow::{import, Grain, Options};
use lodestar::model::{Metric, Product, Project};
use lodestar::project;

use crate::common::{fixture_path, root, today};

/// A difference the round trip keeps: `(product, subject, why)`; `subject` is `metric <name>`
/// (the whole metric: missing from the import) or `metric <name>.<field>`.
type Known = (&'static str, &'static str, &'static str);

const HAVING: &str =
    "its `having` (a per-entity condition) has no MetricFlow form, so it is not exported";

/// The reference specs' known differences.
const KNOWN_SPECS: &[Known] = &[
    ("team_messaging", "metric teams_messaging", HAVING),
    (
        "team_messaging",
        "metric messages_per_team",
        "it is computed from `teams_messaging`, which is not exported",
    ),
];

/// The conformance project's known differences: one `having` metric per grain, and one to
/// date.
const KNOWN_CONFORMANCE: &[Known] = &[
    ("conf_day", "metric repeat_buyers", HAVING),
    ("conf_day", "metric repeat_buyers_wtd", HAVING),
    ("conf_week", "metric repeat_buyers", HAVING),
    ("conf_week", "metric repeat_buyers_mtd", HAVING),
    ("conf_month", "metric repeat_buyers", HAVING),
    ("conf_month", "metric repeat_buyers_qtd", HAVING),
    ("conf_quarter", "metric repeat_buyers", HAVING),
    ("conf_quarter", "metric repeat_buyers_ytd", HAVING),
    ("conf_year", "metric repeat_buyers", HAVING),
];

/// The original project, analyzed.
fn original(paths: &[PathBuf]) -> Project {
    let ws = project::load(paths).unwrap();
    let analysis = project::analyze(&ws, today());
    let errors: Vec<String> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    analysis.project
}

/// The product imported back from the export's directory for it, analyzed, and the spec text.
/// It must have no error but LS001 when its North Star is a known difference (not exported).
fn imported(files: &[(String, String)], product: &str, no_north_star: bool) -> (Project, String) {
    let prefix = format!("{product}/");
    let mut mine: Vec<(String, String)> = files
        .iter()
        .filter(|(p, _)| p.starts_with(&prefix) && p.ends_with(".yaml"))
        .cloned()
        .collect();
    mine.sort();
    let options = Options {
        product: product.to_owned(),
        north_star: None,
        guardrails: Vec::new(),
        grain: Grain::Day,
        today: today(),
    };
    let out = import(&mine, &options).unwrap_or_else(|e| panic!("{product}: {e}"));
    let ws = project::in_memory(&[
        (project::CONFIG_FILE, out.config.as_str()),
        (format!("{product}.yaml").as_str(), out.spec.as_str()),
    ]);
    let analysis = project::analyze(&ws, today());
    let errors: Vec<String> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .filter(|d| !(no_north_star && d.code.as_str() == "LS001"))
        .map(|d| format!("{}: {}", d.code.as_str(), d.message))
        .collect();
    assert!(errors.is_empty(), "{product}: {errors:?}\n{}", out.spec);
    (analysis.project, out.spec)
}

/// Each field of two metrics that differs, as `metric <name>.<field>: <a> vs <b>`.
fn metric_diff(a: &Metric, b: &Metric, out: &mut Vec<(String, String)>) {
    let name = &a.name.value;
    let mut field = |f: &str, same: bool, what: String| {
        if !same {
            out.push((format!("metric {name}.{f}"), what));
        }
    };
    field(
        "role",
        a.role == b.role,
        format!("{:?} vs {:?}", a.role, b.role),
    );
    field(
        "name",
        a.name == b.name,
        format!("{:?} vs {:?}", a.name.value, b.name.value),
    );
    field(
        "label",
        a.label == b.label,
        format!("{:?} vs {:?}", a.label, b.label),
    );
    field(
        "description",
        a.description == b.description,
        format!("{:?} vs {:?}", a.description, b.description),
    );
    field(
        "owner",
        a.owner == b.owner,
        format!("{:?} vs {:?}", a.owner, b.owner),
    );
    field(
        "type",
        a.metric_type == b.metric_type,
        format!("{:?} vs {:?}", a.metric_type, b.metric_type),
    );
    field(
        "grain",
        a.grain == b.grain && a.grain_written == b.grain_written,
        format!(
            "{:?} (written {}) vs {:?} (written {})",
            a.grain.value, a.grain_written, b.grain.value, b.grain_written
        ),
    );
    field(
        "compute",
        a.compute == b.compute,
        format!("{:#?}\nvs\n{:#?}", a.compute, b.compute),
    );
    field(
        "threshold",
        a.threshold == b.threshold,
        format!("{:?} vs {:?}", a.threshold, b.threshold),
    );
    field(
        "targets",
        a.targets == b.targets,
        format!("{:?} vs {:?}", a.targets, b.targets),
    );
    field(
        "review",
        a.review == b.review,
        format!("{:?} vs {:?}", a.review, b.review),
    );
    field(
        "allow",
        a.allow == b.allow,
        format!("{:?} vs {:?}", a.allow, b.allow),
    );
    let named = out
        .iter()
        .any(|(s, _)| s.starts_with(&format!("metric {name}.")));
    // Every field is compared above; this catches one added to `Metric` later.
    if !named && a != b {
        out.push((
            format!("metric {name}.(other)"),
            "a field the test does not name".to_owned(),
        ));
    }
}

/// Every difference between a product (with the sources and owners it uses) and its import.
fn product_diff(orig: &Project, p: &Product, back: &Project, q: &Product) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (f, same, what) in [
        (
            "name",
            p.name == q.name,
            format!("{:?} vs {:?}", p.name.value, q.name.value),
        ),
        (
            "description",
            p.description == q.description,
            format!("{:?} vs {:?}", p.description, q.description),
        ),
        (
            "game",
            p.game == q.game,
            format!("{:?} vs {:?}", p.game, q.game),
        ),
    ] {
        if !same {
            out.push((format!("product.{f}"), what));
        }
    }
    // Metrics in order: the import keeps the spec's order within each role.
    let names =
        |x: &Product| -> Vec<String> { x.metrics.iter().map(|m| m.name.value.clone()).collect() };
    for m in &p.metrics {
        match q.metric(&m.name.value) {
            None => out.push((format!("metric {}", m.name.value), "missing".to_owned())),
            Some(n) => metric_diff(m, n, &mut out),
        }
    }
    for n in &q.metrics {
        if p.metric(&n.name.value).is_none() {
            out.push((format!("metric {}", n.name.value), "extra".to_owned()));
        }
    }
    let kept: Vec<String> = names(p)
        .into_iter()
        .filter(|n| q.metric(n).is_some())
        .collect();
    if kept != names(q) {
        out.push((
            "product.order".to_owned(),
            format!("{kept:?} vs {:?}", names(q)),
        ));
    }
    // The sources and owners the product uses.
    let used: BTreeSet<&str> = p
        .metrics
        .iter()
        .filter_map(|m| m.compute.as_ref())
        .flat_map(|c| c.sources().into_iter().map(|s| s.value.as_str()))
        .collect();
    for s in used {
        let a = orig.source(s);
        match back.source(s) {
            None => out.push((format!("source {s}"), "missing".to_owned())),
            Some(b) if Some(b) != a => {
                out.push((format!("source {s}"), format!("{a:#?}\nvs\n{b:#?}")))
            }
            Some(_) => {}
        }
    }
    let owners: BTreeSet<&str> = p
        .metrics
        .iter()
        .filter_map(|m| m.owner.as_ref().map(|o| o.value.as_str()))
        .collect();
    for o in &owners {
        if orig.owner(o) != back.owner(o) {
            out.push((
                format!("owner {o}"),
                format!("{:?} vs {:?}", orig.owner(o), back.owner(o)),
            ));
        }
    }
    let extra: Vec<&str> = back
        .owners
        .iter()
        .map(|o| o.key.value.as_str())
        .filter(|k| !owners.contains(k))
        .collect();
    if !extra.is_empty() {
        out.push(("owners".to_owned(), format!("extra owners {extra:?}")));
    }
    out
}

/// Exports `paths`, imports each product back, and checks every product against `known`:
/// each difference must be listed, and each listed item must still differ. Returns how many
/// metrics were compared.
fn round_trip(paths: &[PathBuf], known: &[Known]) -> usize {
    let orig = original(paths);
    let exported = export(&orig, Format::Metricflow);
    let mut problems = Vec::new();
    let mut compared = 0;
    for p in &orig.products {
        let product = p.name.value.as_str();
        let no_north_star = p.north_star().is_some_and(|ns| {
            known
                .iter()
                .any(|(kp, ks, _)| *kp == product && *ks == format!("metric {}", ns.name.value))
        });
        let (back, spec) = imported(&exported.files, product, no_north_star);
        assert_eq!(back.products.len(), 1, "{product}:\n{spec}");
        let diffs = product_diff(&orig, p, &back, &back.products[0]);
        compared += p.metrics.len();
        for (subject, what) in &diffs {
            if !known
                .iter()
                .any(|(kp, ks, _)| *kp == product && ks == subject)
            {
                problems.push(format!("{product}: {subject} differs: {what}"));
            }
        }
        for (kp, ks, why) in known {
            let listed_here = *kp == product;
            if listed_here && !diffs.iter().any(|(s, _)| s == ks) {
                problems.push(format!(
                    "{product}: {ks} is listed as a known difference ({why}) but came back equal: \
                     remove it from the known differences"
                ));
            }
        }
        if !problems.is_empty() {
            problems.push(format!("(the import of {product}:)\n{spec}"));
        }
    }
    for (kp, ks, _) in known {
        if orig.product(kp).is_none() {
            problems.push(format!(
                "{kp}: {ks} is listed, but the project has no product {kp}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    compared
}

#[test]
fn the_reference_specs_round_trip_through_metricflow_to_an_equal_model() {
    // 46 metrics in five products, two of them known differences.
    assert_eq!(round_trip(&[root().join("specs")], KNOWN_SPECS), 46);
}

#[test]
fn the_valid_fixture_round_trips_through_metricflow_to_an_equal_model() {
    let compared = round_trip(&[fixture_path("valid/marketplace.yaml")], &[]);
    assert_eq!(compared, 7);
}

#[test]
fn the_conformance_project_round_trips_through_metricflow_to_an_equal_model() {
    // Every metric kind at every grain: 227 metrics in five products, nine known differences.
    let spec = root().join("tests/crossengine/conformance/spec");
    assert_eq!(round_trip(&[spec], KNOWN_CONFORMANCE), 227);
}

/// The export of the reference specs' `marketplace`, as (path, text) under its directory.
fn marketplace_export() -> Vec<(String, String)> {
    let orig = original(&[root().join("specs")]);
    export(&orig, Format::Metricflow)
        .files
        .into_iter()
        .filter(|(p, _)| p.starts_with("marketplace/") && p.ends_with(".yaml"))
        .collect()
}

fn edit(files: &mut [(String, String)], file: &str, from: &str, to: &str) {
    let (_, text) = files.iter_mut().find(|(p, _)| p.ends_with(file)).unwrap();
    assert_eq!(text.matches(from).count(), 1, "`{from}` once in {file}");
    *text = text.replace(from, to);
}

fn import_marketplace(
    files: &[(String, String)],
    north_star: Option<&str>,
) -> (lodestar::interop::metricflow::Import, Project) {
    let options = Options {
        product: "marketplace".to_owned(),
        north_star: north_star.map(str::to_owned),
        guardrails: Vec::new(),
        grain: Grain::Day,
        today: today(),
    };
    let out = import(files, &options).unwrap();
    let ws = project::in_memory(&[
        (project::CONFIG_FILE, out.config.as_str()),
        ("marketplace.yaml", out.spec.as_str()),
    ]);
    let back = project::analyze(&ws, today()).project;
    (out, back)
}

/// A metric edited in MetricFlow after the export is not restored from its (stale) lodestar
/// definition: it is translated from what MetricFlow now says, the report says so, its ratio
/// side (a helper metric the export made) folds back into it as a measure, and its role,
/// owner and threshold still come from the meta. The other metrics are restored as before.
#[test]
fn a_metric_edited_in_metricflow_is_translated_and_reported() {
    let orig = original(&[root().join("specs")]);
    let mut files = marketplace_export();
    edit(
        &mut files,
        "semantic_models.yaml",
        "\"case when status = 'refunded' then nights end\"",
        "\"case when status in ('refunded', 'disputed') then nights end\"",
    );
    let (out, back) = import_marketplace(&files, None);
    let note = out
        .notes
        .iter()
        .find(|n| n.subject == "metric `refund_rate`" && n.text.contains("edited in MetricFlow"))
        .unwrap_or_else(|| panic!("{:#?}", out.notes));
    assert_eq!(note.kind, lodestar::interop::metricflow::NoteKind::Differs);
    assert!(
        out.report.contains("edited in MetricFlow"),
        "{}",
        out.report
    );
    let p = &back.products[0];
    let m = p.metric("refund_rate").unwrap();
    let Some(lodestar::model::Compute::Ratio {
        numerator: lodestar::model::Operand::Measure(x),
        denominator: lodestar::model::Operand::Metric(d),
        ..
    }) = &m.compute
    else {
        panic!("{:#?}\n{}", m.compute, out.spec)
    };
    assert_eq!(
        x.expr.as_ref().map(|e| e.text.value.as_str()),
        Some("case when status in ('refunded', 'disputed') then nights end")
    );
    assert_eq!(d.value, "nights_booked");
    assert!(
        p.metric("refund_rate_numerator").is_none(),
        "the helper folds back:\n{}",
        out.spec
    );
    let o = orig.product("marketplace").unwrap();
    let was = o.metric("refund_rate").unwrap();
    assert_eq!(m.role, was.role);
    assert_eq!(m.owner, was.owner);
    assert_eq!(m.threshold, was.threshold);
    assert_eq!(
        (m.grain.value, m.grain_written),
        (was.grain.value, was.grain_written),
        "its own grain, not --grain"
    );
    assert_ne!(m.compute, was.compute);
    for name in ["nights_booked", "search_to_book_rate", "avg_guest_rating"] {
        assert!(
            p.metric(name) == o.metric(name),
            "{name} is restored as it was"
        );
    }
}

/// Malformed meta is left out with a note, never a failure: here the North Star's role, so
/// it comes back an input.
#[test]
fn malformed_meta_is_ignored_with_a_note() {
    let mut files = marketplace_export();
    edit(
        &mut files,
        "metrics.yaml",
        "role: north_star",
        "role: { not: a role }",
    );
    let (out, back) = import_marketplace(&files, None);
    assert!(
        out.notes
            .iter()
            .any(|n| n.subject == "metric `nights_booked`"
                && n.text
                    .contains("`config.meta.lodestar.role` is not a string")),
        "{:#?}",
        out.notes
    );
    let p = &back.products[0];
    assert_eq!(
        p.metric("nights_booked").unwrap().role,
        lodestar::model::Role::Input
    );
    assert!(p.north_star().is_none());
}

/// `--north-star` (and `--guardrail`) win over the meta's roles, and the report says so.
#[test]
fn role_flags_win_over_the_meta() {
    let files = marketplace_export();
    let (out, back) = import_marketplace(&files, Some("new_hosts"));
    let p = &back.products[0];
    assert_eq!(
        p.north_star().map(|m| m.name.value.as_str()),
        Some("new_hosts")
    );
    assert_eq!(
        p.metric("nights_booked").unwrap().role,
        lodestar::model::Role::Input
    );
    assert_eq!(p.guardrails().count(), 0);
    assert!(
        out.notes
            .iter()
            .any(|n| n.subject == "roles" && n.text.contains("were not used")),
        "{:#?}",
        out.notes
    );
}
