use chrono::NaiveDate;

use super::*;
use crate::project::{analyze as check, in_memory};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A weekly North Star with targets, a weekly and a monthly guardrail.
fn product() -> Product {
    let text = r#"lodestar: 1
product: p
owners:
  t: { name: T }
sources:
  s: { table: s, time: at }
north_star:
  name: ns
  owner: t
  type: transaction
  measure: { source: s, agg: count }
  targets:
    - { value: 100, by: 2026-10-15 }
    - { value: 100, by: 2026-12-31 }
guardrails:
  - name: weekly
    owner: t
    type: quality
    measure: { source: s, agg: avg, expr: x }
    threshold: { max: 1 }
  - name: monthly
    owner: t
    type: quality
    grain: month
    measure: { source: s, agg: avg, expr: x }
    threshold: { max: 1 }
"#;
    let analysis = check(&in_memory(&[("p.yaml", text)]), d("2026-11-01"));
    assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
    analysis.project.products.into_iter().next().unwrap()
}

fn breaches(rows: &[(&str, &str)]) -> Table {
    Table {
        columns: ["period", "guardrail", "value", "min", "max"]
            .map(str::to_owned)
            .to_vec(),
        rows: rows
            .iter()
            .map(|(p, g)| {
                vec![
                    Cell::Date(d(p)),
                    Cell::Text((*g).to_owned()),
                    Cell::Number(2.0),
                    Cell::Null,
                    Cell::Number(1.0),
                ]
            })
            .collect(),
    }
}

fn kept(r: &GuardReport) -> Vec<(String, String)> {
    r.breaches
        .rows
        .iter()
        .map(|row| (render::plain(&row[0]), render::plain(&row[1])))
        .collect()
}

fn pairs(xs: &[(&str, &str)]) -> Vec<(String, String)> {
    xs.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

// Today is Wednesday 2026-11-18: the week of 11-16 and the month of 11-01 are incomplete; the
// latest complete week is 11-09, the latest complete month 10-01. By default the four latest
// complete periods of each are evaluated: the weeks from 10-19, the months from 07-01.
const ROWS: &[(&str, &str)] = &[
    ("2026-10-12", "weekly"),
    ("2026-10-26", "weekly"),
    ("2026-11-09", "weekly"),
    ("2026-11-16", "weekly"),
    ("2026-06-01", "monthly"),
    ("2026-09-01", "monthly"),
    ("2026-10-01", "monthly"),
    ("2026-11-01", "monthly"),
];

#[test]
fn guard_evaluates_the_recent_complete_periods_of_each_guardrail() {
    let r = guard(
        &product(),
        breaches(ROWS),
        None,
        None,
        d("2026-11-18"),
        Window::default(),
    );
    assert_eq!(
        kept(&r),
        pairs(&[
            ("2026-10-26", "weekly"),
            ("2026-11-09", "weekly"),
            ("2026-09-01", "monthly"),
            ("2026-10-01", "monthly"),
        ])
    );
    assert_eq!((r.earlier, r.partial), (2, 2));
    assert!(r.breached());
}

#[test]
fn the_default_window_ends_with_the_data() {
    // Data up to the week of 10-26 (ending 11-02): the window's weeks start 10-05, its months
    // 07-01. A complete breach after the data's end (a late source) is still evaluated.
    let r = guard(
        &product(),
        breaches(ROWS),
        Some(d("2026-11-02")),
        None,
        d("2026-11-18"),
        Window::default(),
    );
    assert_eq!(
        kept(&r),
        pairs(&[
            ("2026-10-12", "weekly"),
            ("2026-10-26", "weekly"),
            ("2026-11-09", "weekly"),
            ("2026-09-01", "monthly"),
            ("2026-10-01", "monthly"),
        ])
    );
    assert_eq!((r.earlier, r.partial), (1, 2));
}

#[test]
fn since_and_include_partial_widen_the_window() {
    let window = Window {
        since: Some(d("2026-10-20")),
        include_partial: true,
    };
    let r = guard(
        &product(),
        breaches(ROWS),
        None,
        None,
        d("2026-11-18"),
        window,
    );
    // Periods ending after 10-20: the week of 10-12 (ending 10-19) and September are not.
    assert_eq!(
        kept(&r),
        pairs(&[
            ("2026-10-26", "weekly"),
            ("2026-11-09", "weekly"),
            ("2026-11-16", "weekly"),
            ("2026-10-01", "monthly"),
            ("2026-11-01", "monthly"),
        ])
    );
    assert_eq!((r.earlier, r.partial), (3, 0));
}

fn series(points: &[(&str, f64)]) -> Table {
    Table {
        columns: vec!["period".into(), "value".into()],
        rows: points
            .iter()
            .map(|(p, v)| vec![Cell::Date(d(p)), Cell::Number(*v)])
            .collect(),
    }
}

#[test]
fn targets_are_judged_against_their_dates() {
    // Target 1 is due 2026-10-15 (the week of 10-12); target 2 on 2026-12-31.
    let ns = series(&[
        ("2026-10-12", 120.0),
        ("2026-11-02", 80.0),
        ("2026-11-09", 90.0),
        ("2026-11-16", 500.0),
    ]);
    let r = guard(
        &product(),
        Table::default(),
        None,
        Some(&ns),
        d("2026-11-18"),
        Window::default(),
    );
    let states: Vec<&TargetState> = r.targets.iter().map(|t| &t.state).collect();
    // The incomplete week of 11-16 never counts.
    assert_eq!(
        states,
        vec![
            &TargetState::Met {
                period: d("2026-10-12"),
                value: 120.0
            },
            &TargetState::Open {
                period: d("2026-11-09"),
                value: 90.0
            },
        ]
    );
    let low = series(&[("2026-10-12", 99.0)]);
    let r = guard(
        &product(),
        Table::default(),
        None,
        Some(&low),
        d("2026-11-18"),
        Window::default(),
    );
    assert_eq!(
        r.targets[0].state,
        TargetState::Missed {
            period: d("2026-10-12"),
            value: 99.0
        }
    );
    let none = series(&[("2026-10-05", 150.0)]);
    let r = guard(
        &product(),
        Table::default(),
        None,
        Some(&none),
        d("2026-11-18"),
        Window::default(),
    );
    assert_eq!(r.targets[0].state, TargetState::NoData);
}

#[test]
fn scorecards_combine_into_one_table() {
    let t = |cols: &[&str], rows: Vec<Vec<Cell>>| Table {
        columns: cols.iter().map(|c| (*c).to_owned()).collect(),
        rows,
    };
    let a = scorecard(
        "a",
        Grain::Week,
        t(
            &["period", "x", "y"],
            vec![
                vec![
                    Cell::Date(d("2026-11-09")),
                    Cell::Number(1.0),
                    Cell::Number(2.0),
                ],
                vec![Cell::Date(d("2026-11-16")), Cell::Number(3.0), Cell::Null],
            ],
        ),
        d("2026-11-18"),
    );
    assert_eq!(a.complete, vec![true, false]);
    assert_eq!(a.partial_period(), Some(d("2026-11-16")));
    let b = scorecard(
        "b",
        Grain::Month,
        t(
            &["period", "z"],
            vec![vec![Cell::Date(d("2026-10-01")), Cell::Number(5.0)]],
        ),
        d("2026-11-18"),
    );
    let all = combined(&[a, b], &[]);
    assert_eq!(
        all.columns,
        ["product", "period", "x", "y", "z", "complete"]
    );
    assert_eq!(
        render::csv(&all),
        "product,period,x,y,z,complete\n\
         a,2026-11-09,1,2,,true\n\
         a,2026-11-16,3,,,false\n\
         b,2026-10-01,,,5,true\n"
    );
    let json: serde_json::Value = serde_json::from_str(&render::scorecards_json(&all)).unwrap();
    assert_eq!(json["rows"][1]["complete"], serde_json::json!(false));
    assert_eq!(json["rows"][2]["product"], serde_json::json!("b"));
    // Counts are integers in JSON, as in the CSV: `3`, not `3.0`.
    let text = render::scorecards_json(&all);
    assert!(text.contains("\"x\": 3,"), "{text}");
    assert!(!text.contains(".0,"), "{text}");
}

#[test]
fn json_numbers_are_integers_when_whole_and_exact() {
    use serde_json::json;
    assert_eq!(render::json_number(0.0).to_string(), "0");
    assert_eq!(render::json_number(-0.0).to_string(), "0");
    assert_eq!(render::json_number(42.0).to_string(), "42");
    assert_eq!(render::json_number(-7.0).to_string(), "-7");
    assert_eq!(render::json_number(0.25), json!(0.25));
    // Past 2^53 a float is no longer an exact integer: it stays a float.
    assert_eq!(render::json_number(1e17).to_string(), "1e+17");
    assert_eq!(render::json_number(f64::NAN), json!(null));
    assert_eq!(render::json_number(f64::INFINITY), json!(null));
}
