//! The stage as a whole on small hand-checked series: each alert, the targets, attribution and
//! the settings.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};

use super::*;
use crate::project::{analyze as check, in_memory};

/// Monday 2026-08-03 + 13 weeks: the 13th week (2026-10-26) holds today and is left out.
const TODAY: &str = "2026-11-01";
const MONDAY: &str = "2026-08-03";

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn weekly(values: &[f64]) -> Series {
    Series::new(
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (d(MONDAY) + Days::new(7 * i as u64), Some(*v))),
    )
}

fn product(body: &str) -> Product {
    let text = format!(
        "lodestar: 1\nproduct: p\nowners:\n  t: {{ name: T }}\nsources:\n  s: {{ table: s, time: at }}\n{body}"
    );
    let analysis = check(&in_memory(&[("p.yaml", &text)]), d(TODAY));
    assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
    analysis.project.products.into_iter().next().unwrap()
}

const NS: &str = "north_star:\n  name: ns\n  owner: t\n  type: transaction\n  measure: { source: s, agg: count }\n";

fn guardrail(threshold: &str) -> String {
    format!("guardrails:\n  - name: g\n    owner: t\n    type: quality\n    measure: {{ source: s, agg: avg, expr: x }}\n    threshold: {threshold}\n")
}

fn run(product: &Product, series: &[(&str, Series)], settings: &Settings) -> ProductReport {
    let (mut metrics, mut operands) = (HashMap::new(), HashMap::new());
    for (name, s) in series {
        let map = if matches!(*name, "numerator" | "denominator") {
            &mut operands
        } else {
            &mut metrics
        };
        map.insert(name.to_string(), s.clone());
    }
    analyze(
        &ProductData {
            product,
            grain: Grain::Week,
            series: metrics,
            operands,
            today: d(TODAY),
        },
        settings,
    )
}

/// An irregular wiggle in 0..=3 (i² mod 7, halved): no period within the lags tested.
fn wiggle(i: i32) -> f64 {
    f64::from(i * i % 7) / 2.0
}

/// Twelve complete weeks of a flat North Star and a guardrail; the 13th week is incomplete.
fn flat(g: &[f64]) -> Vec<(&'static str, Series)> {
    vec![("ns", weekly(&[10.0; 13])), ("g", weekly(g))]
}

#[test]
fn breaches_on_both_sides_are_one_alert() {
    let p = product(&format!("{NS}{}", guardrail("{ min: 1, max: 3 }")));
    let mut g = vec![2.0; 13];
    g[3] = 0.5;
    g[7] = 3.5;
    g[12] = 99.0; // the incomplete week does not count
    let r = run(&p, &flat(&g), &Settings::default());
    assert_eq!(r.periods.len(), 12);
    let breaches: Vec<_> = r
        .alerts
        .iter()
        .filter(|a| a.kind == AlertKind::Breach)
        .collect();
    assert_eq!(breaches.len(), 1);
    let b = breaches[0];
    assert_eq!(b.periods, [d("2026-08-24"), d("2026-09-21")]);
    assert_eq!(b.period, d("2026-09-21"));
    assert_eq!(b.severity, Severity::Error);
    assert_eq!(
        b.message,
        "g was outside its range 1 to 3 in 2 of the 12 weeks analysed, most recently in the week of 2026-09-21 (3.5)."
    );
    assert_eq!(
        b.evidence,
        Evidence::Breach {
            min: Some(1.0),
            max: Some(3.0),
            values: vec![0.5, 3.5]
        }
    );
    assert!(r.has_errors());
}

#[test]
fn a_flat_baseline_makes_any_change_an_anomaly() {
    let p = product(&format!("{NS}{}", guardrail("{ max: 10 }")));
    // Baseline: weeks 1..=11 at 2 (MAD 0, mean deviation 0); week 12 at 2.5.
    let mut g = vec![2.0; 13];
    g[11] = 2.5;
    let r = run(&p, &flat(&g), &Settings::default());
    let band = &r.bands[0];
    assert_eq!(
        (band.band.n, band.band.mad, band.band.scale),
        (11, 0.0, 0.0)
    );
    assert!(band.outside);
    let kinds: Vec<_> = r.alerts.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [AlertKind::Anomaly]);
    assert_eq!(
        r.alerts[0].message,
        "g was 2.5 in the week of 2026-10-19, above its usual range of 2 to 2 (median 2 over the previous 11 weeks), though still within its threshold."
    );
    // The same value after a varied baseline is inside the band: 1, 2, 3, 1, 2, 3, ... has
    // median 2 and MAD 1, so the band is 2 ± 3.5 · 1.4826.
    let mut g: Vec<f64> = (0..13).map(|i| f64::from(i % 3 + 1)).collect();
    g[11] = 2.5;
    let r = run(&p, &flat(&g), &Settings::default());
    assert_eq!((r.bands[0].band.median, r.bands[0].band.mad), (2.0, 1.0));
    assert!((r.bands[0].band.high - (2.0 + 3.5 * 1.4826)).abs() < 1e-12);
    assert!(r.alerts.is_empty(), "{:#?}", r.alerts);
    // Fewer than min_periods known baseline values: no band.
    let mut g = vec![2.0; 13];
    for v in g.iter_mut().take(5) {
        *v = f64::NAN;
    }
    let r = run(&p, &flat(&g), &Settings::default());
    assert!(r.bands.is_empty());
}

#[test]
fn gaming_needs_both_trends() {
    let p = product(&format!("{NS}{}", guardrail("{ min: 1 }")));
    let rising: Vec<f64> = (0..13)
        .map(|i| 100.0 + 5.0 * f64::from(i) + wiggle(i))
        .collect();
    let falling: Vec<f64> = (0..13)
        .map(|i| 3.0 - 0.1 * f64::from(i) + 0.01 * f64::from(i % 3))
        .collect();
    let series = vec![("ns", weekly(&rising)), ("g", weekly(&falling))];
    let r = run(&p, &series, &Settings::default());
    let kinds: Vec<_> = r.alerts.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [AlertKind::Gaming], "{:#?}", r.alerts);
    let a = &r.alerts[0];
    assert_eq!(a.periods.len(), 12);
    assert!(
        a.message.starts_with("ns rose over the last 12 weeks (+5."),
        "{}",
        a.message
    );
    assert!(
        a.message
            .contains("per week, p < 0.001) while g fell toward its minimum of 1 (from 3."),
        "{}",
        a.message
    );
    assert!(
        a.message.contains("still inside its threshold"),
        "{}",
        a.message
    );
    // A guardrail moving away from its bound is no alarm; nor is one when the North Star is flat.
    let r = run(
        &p,
        &[("ns", weekly(&rising)), ("g", weekly(&rising))],
        &Settings::default(),
    );
    assert!(r.alerts.iter().all(|a| a.kind != AlertKind::Gaming));
    let r = run(
        &p,
        &[("ns", weekly(&[10.0; 13])), ("g", weekly(&falling))],
        &Settings::default(),
    );
    assert!(r.alerts.iter().all(|a| a.kind != AlertKind::Gaming));
    // Turned off, the alert goes; the trends stay.
    let mut settings = Settings::default();
    settings.severities.set(AlertKind::Gaming, None);
    let r = run(&p, &series, &settings);
    assert!(r.alerts.is_empty());
    assert_eq!(r.trends.len(), 2);
}

#[test]
fn decoupled_outcomes() {
    let p = product(&format!(
        "{NS}{}outcomes:\n  - name: o\n    owner: t\n    type: revenue\n    measure: {{ source: s, agg: sum, expr: x }}\n",
        guardrail("{ max: 100 }")
    ));
    let rising: Vec<f64> = (0..13)
        .map(|i| 100.0 + 5.0 * f64::from(i) + wiggle(i))
        .collect();
    let falling: Vec<f64> = rising.iter().map(|x| 1000.0 - x).collect();
    let series = vec![
        ("ns", weekly(&rising)),
        ("g", weekly(&[1.0; 13])),
        ("o", weekly(&falling)),
    ];
    let r = run(&p, &series, &Settings::default());
    let kinds: Vec<_> = r.alerts.iter().map(|a| (a.kind, a.severity)).collect();
    assert_eq!(kinds, [(AlertKind::Decoupled, Severity::Warning)]);
    assert!(!r.has_errors());
    // 11 changes (at least min_periods), moving against each other in the same week: r = −1.
    assert_eq!(r.edges[0].verdict, Verdict::Coincident);
}

#[test]
fn targets_are_projected_on_the_trend() {
    let p = product(
        "north_star:\n  name: ns\n  owner: t\n  type: transaction\n  measure: { source: s, agg: count }\n  targets:\n    - { by: 2026-12-16, value: 400 }\n    - { by: 2026-12-16, value: 250 }\n    - { by: 2026-08-12, value: 150 }\n    - { by: 2020-01-01, value: 1 }\nguardrails:\n  - { name: g, owner: t, type: quality, measure: { source: s, agg: avg, expr: x }, threshold: { max: 9 } }\n",
    );
    // ns = 100 + 10·i over weeks 0..=11: the trend is exact; 2026-12-16 is in week 19
    // (the week of 2026-12-14), 8 weeks after the last complete one.
    let ns: Vec<f64> = (0..13).map(|i| 100.0 + 10.0 * f64::from(i)).collect();
    let r = run(
        &p,
        &[("ns", weekly(&ns)), ("g", weekly(&[1.0; 13]))],
        &Settings::default(),
    );
    let t = &r.targets[0];
    assert_eq!(t.period, Some(d("2026-12-14")));
    assert_eq!(t.basis, Some(Basis::Trend));
    assert!((t.projected.unwrap() - 290.0).abs() < 1e-9);
    assert_eq!(t.on_track, Some(false));
    assert_eq!(t.latest, Some((d("2026-10-19"), 210.0)));
    assert!((t.needed_per_period.unwrap() - 190.0 / 8.0).abs() < 1e-12);
    assert!((t.needed_rate.unwrap() - ((400.0f64 / 210.0).powf(1.0 / 8.0) - 1.0)).abs() < 1e-12);
    assert_eq!(r.targets[1].on_track, Some(true));
    // A target in an analysed week is judged on its actual value (week 1: 110).
    let past = &r.targets[2];
    assert_eq!(
        (past.basis, past.projected, past.on_track),
        (Some(Basis::Actual), Some(110.0), Some(false))
    );
    // Before the data: nothing to say.
    assert_eq!((r.targets[3].period, r.targets[3].on_track), (None, None));
    let off: Vec<_> = r
        .alerts
        .iter()
        .filter(|a| a.kind == AlertKind::OffTrack)
        .collect();
    assert_eq!(off.len(), 2);
    assert_eq!(
        off[0].message,
        "ns is on course for 290 by 2026-12-16, short of its target of 400: from 210 in the week of 2026-10-19 it needs +23.75 per week (+8.4% a week, compounded), against a trend of +10 per week."
    );
    assert_eq!(
        off[1].message,
        "ns was 110 in the week of 2026-08-10, short of its target of 150 by 2026-08-12."
    );
}

#[test]
fn a_ratio_is_attributed_to_its_operands() {
    let p = product(
        "north_star:\n  name: ns\n  owner: t\n  type: conversion\n  ratio:\n    numerator: { source: s, agg: count }\n    denominator: visits\ninputs:\n  - { name: visits, owner: t, type: adoption, measure: { source: s, agg: count } }\nguardrails:\n  - { name: g, owner: t, type: quality, measure: { source: s, agg: avg, expr: x }, threshold: { max: 9 } }\n",
    );
    let mut numerator = vec![100.0; 13];
    let mut visits = vec![1000.0; 13];
    numerator[11] = 120.0;
    visits[11] = 1100.0;
    let ns: Vec<f64> = numerator.iter().zip(&visits).map(|(a, b)| a / b).collect();
    let series = vec![
        ("ns", weekly(&ns)),
        ("visits", weekly(&visits)),
        ("numerator", weekly(&numerator)),
        ("g", weekly(&[1.0; 13])),
    ];
    let r = run(&p, &series, &Settings::default());
    let a = r.attribution.expect("attributed");
    assert_eq!(
        (a.from_period, a.to_period),
        (d("2026-10-12"), d("2026-10-19"))
    );
    assert_eq!(a.parts[0].operand, "numerator");
    assert_eq!(a.parts[1].operand, "visits");
    // ½ (20/1000 + 20/1100) and ½ (100/1100 − 100/1000 + 120/1100 − 120/1000) = −0.01.
    assert!((a.parts[0].contribution - 0.5 * (0.02 + 20.0 / 1100.0)).abs() < 1e-15);
    assert!((a.parts[1].contribution + 0.01).abs() < 1e-15);
    assert!((a.change() - (120.0 / 1100.0 - 0.1)).abs() < 1e-15);
    // An operand unknown in either period: no attribution.
    let r = run(&p, &series[..2], &Settings::default());
    assert_eq!(r.attribution, None);
}

#[test]
fn a_product_without_one_north_star_gives_an_empty_report() {
    let p = product(&format!("{NS}{}", guardrail("{ max: 1 }")));
    let mut two = p.clone();
    two.metrics.push(two.metrics[0].clone());
    let r = run(&two, &flat(&[5.0; 13]), &Settings::default());
    assert!(r.edges.is_empty() && r.alerts.is_empty() && r.trends.is_empty());
    assert_eq!(r.periods.len(), 12);
}

#[test]
fn alert_kinds_parse_and_default() {
    assert_eq!(AlertKind::parse("off-track"), Some(AlertKind::OffTrack));
    assert_eq!(AlertKind::parse("Gaming"), Some(AlertKind::Gaming));
    assert_eq!(AlertKind::parse("nope"), None);
    let s = Severities::default();
    let errors: Vec<_> = AlertKind::ALL
        .into_iter()
        .filter(|k| s.get(*k) == Some(Severity::Error))
        .collect();
    assert_eq!(errors, [AlertKind::Breach, AlertKind::Gaming]);
    assert!((Settings::default().edge_critical() - 2.7729).abs() < 1e-4);
}

#[test]
fn extreme_values_do_not_panic() {
    let p = product(&format!(
        "{NS}{}outcomes:\n  - name: o\n    owner: t\n    type: revenue\n    measure: {{ source: s, agg: sum, expr: x }}\n",
        guardrail("{ max: 1 }")
    ));
    let huge: Vec<f64> = (0..13)
        .map(|i| if i % 2 == 0 { 1e308 } else { -1e308 })
        .collect();
    let series = vec![
        ("ns", weekly(&huge)),
        ("g", weekly(&huge)),
        ("o", weekly(&[f64::INFINITY; 13])),
    ];
    let settings = Settings {
        alpha: f64::NAN,
        lags: 0,
        min_periods: 0,
        ..Settings::default()
    };
    let r = run(&p, &series, &settings);
    let _ = to_json(&[r]);
    let r = run(&p, &[], &Settings::default());
    assert!(r.periods.is_empty() && r.bands.is_empty());
    assert_eq!(r.edges[0].verdict, Verdict::InsufficientData);
}
