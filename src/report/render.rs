//! The reports as text: aligned tables for people, CSV and JSON for programs.

use serde_json::{json, Value};

use super::{Cell, GuardReport, Scorecard, Table, TargetState};

/// A cell as plain text: dates as YYYY-MM-DD, numbers in full precision, NULL empty.
pub fn plain(c: &Cell) -> String {
    match c {
        Cell::Null => String::new(),
        Cell::Date(d) => d.to_string(),
        Cell::Number(n) => n.to_string(),
        Cell::Text(s) => s.clone(),
    }
}

/// A number for people: integers whole, others to six significant digits.
pub fn number(n: f64) -> String {
    if !n.is_finite() {
        return n.to_string();
    }
    if n.fract() == 0.0 && n.abs() < 1e15 {
        return format!("{n:.0}");
    }
    let magnitude = if n == 0.0 {
        0
    } else {
        n.abs().log10().floor() as i32
    };
    let decimals = (5 - magnitude).clamp(0, 12) as usize;
    let s = format!("{n:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// An aligned table: text left, numbers right, NULL as `-`.
pub fn aligned(t: &Table) -> String {
    let rows: Vec<Vec<(String, bool)>> = t
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Cell::Null => ("-".to_owned(), true),
                    Cell::Number(n) => (number(*n), true),
                    other => (plain(other), false),
                })
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = t.columns.iter().map(|c| c.chars().count()).collect();
    for r in &rows {
        for (i, (s, _)) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(s.chars().count());
            }
        }
    }
    let mut out = String::new();
    let header: Vec<String> = t
        .columns
        .iter()
        .zip(&widths)
        .map(|(c, w)| format!("{c:<w$}"))
        .collect();
    out.push_str(header.join("  ").trim_end());
    out.push('\n');
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&rule.join("  "));
    out.push('\n');
    for r in &rows {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|((s, right), w)| {
                if *right {
                    format!("{s:>w$}")
                } else {
                    format!("{s:<w$}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    if rows.is_empty() {
        out.push_str("(no rows)\n");
    }
    out
}

/// CSV with a header row (RFC 4180 quoting).
pub fn csv(t: &Table) -> String {
    fn field(s: &str) -> String {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    }
    let mut out = t
        .columns
        .iter()
        .map(|c| field(c))
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    for r in &t.rows {
        out.push_str(
            &r.iter()
                .map(|c| field(&plain(c)))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

/// A cell as JSON: numbers as numbers (whole ones as integers, as the CSV writes them, so a
/// count reads `3`, not `3.0`; non-finite as null), `true`/`false` text of the `complete`
/// column as booleans, the rest as strings.
fn json_cell(column: &str, c: &Cell) -> Value {
    match c {
        Cell::Null => Value::Null,
        Cell::Number(n) => json_number(*n),
        Cell::Text(t) if column == "complete" && (t == "true" || t == "false") => {
            Value::Bool(t == "true")
        }
        other => Value::String(plain(other)),
    }
}

/// A number as JSON: an integer when it is whole and exactly representable (|n| < 2^53), else
/// a float; NaN and infinities, which JSON cannot hold, as null.
pub fn json_number(n: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if n.fract() == 0.0 && n.abs() < EXACT {
        // `-0.0` is whole too; it prints as 0.
        return Value::from(n as i64);
    }
    serde_json::Number::from_f64(n).map_or(Value::Null, Into::into)
}

/// Each row as an object keyed by column name.
pub fn json_rows(t: &Table) -> Vec<Value> {
    t.rows
        .iter()
        .map(|r| {
            let obj: serde_json::Map<String, Value> = t
                .columns
                .iter()
                .zip(r)
                .map(|(name, c)| (name.clone(), json_cell(name, c)))
                .collect();
            Value::Object(obj)
        })
        .collect()
}

/// The scorecards for people: one aligned table per product, the incomplete period marked.
pub fn scorecards_text(cards: &[Scorecard]) -> String {
    cards
        .iter()
        .map(|card| {
            let mut t = card.table.clone();
            for (row, complete) in t.rows.iter_mut().zip(&card.complete) {
                if !complete {
                    if let Some(first) = row.first_mut() {
                        *first = Cell::Text(format!("{}*", plain(first)));
                    }
                }
            }
            let mut out = format!("{}\n{}", card.product, aligned(&t));
            if let Some(p) = card.partial_period() {
                out.push_str(&format!("* {p}: the current {}, incomplete\n", card.grain));
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The scorecards for programs: one table, `product` first and `complete` last.
pub fn scorecards_json(table: &Table) -> String {
    format!(
        "{:#}\n",
        json!({ "version": 1, "columns": table.columns, "rows": json_rows(table) })
    )
}

/// A target's state in words.
fn target_text(t: &super::TargetCheck) -> String {
    let share = |v: f64| {
        if t.target != 0.0 {
            format!(", {:.1}% of target", v / t.target * 100.0)
        } else {
            String::new()
        }
    };
    let head = format!("target: {} {} by {}", t.metric, number(t.target), t.by);
    match &t.state {
        TargetState::Met { period, value } => {
            format!("{head}: met ({} in the period of {period})", number(*value))
        }
        TargetState::Missed { period, value } => format!(
            "{head}: missed ({} in the period of {period}{})",
            number(*value),
            share(*value)
        ),
        TargetState::Open { period, value } => format!(
            "{head}: latest complete period {period}: {}{}",
            number(*value),
            share(*value)
        ),
        TargetState::NoData => format!("{head}: no complete period has a value"),
    }
}

/// A product's guard report for people.
pub fn guard_text(r: &GuardReport) -> String {
    let breaches = &r.breaches;
    let mut out = format!("{}\n", r.product);
    if breaches.rows.is_empty() {
        out.push_str("  no guardrail breached\n");
    } else {
        let n = breaches.rows.len();
        out.push_str(&format!(
            "  {n} guardrail breach{}:\n",
            if n == 1 { "" } else { "es" }
        ));
        let get =
            |row: &[Cell], name: &str| breaches.column(name).and_then(|i| row.get(i)).cloned();
        let mut shown = Table {
            columns: ["guardrail", "period", "value", "threshold"]
                .map(str::to_owned)
                .to_vec(),
            rows: Vec::new(),
        };
        // Extra columns (`--by` dimensions) go after the period.
        let extra: Vec<&String> = breaches
            .columns
            .iter()
            .filter(|c| !["period", "guardrail", "value", "min", "max"].contains(&c.as_str()))
            .collect();
        for (i, c) in extra.iter().enumerate() {
            shown.columns.insert(2 + i, (*c).clone());
        }
        for row in &breaches.rows {
            let value = get(row, "value").unwrap_or(Cell::Null);
            let threshold = match (
                get(row, "min").and_then(|c| c.as_f64()),
                get(row, "max").and_then(|c| c.as_f64()),
            ) {
                (Some(min), Some(max)) => format!("{} ≤ value ≤ {}", number(min), number(max)),
                (Some(min), None) => format!("min {}", number(min)),
                (None, Some(max)) => format!("max {}", number(max)),
                (None, None) => String::new(),
            };
            let mut cells = vec![
                get(row, "guardrail").unwrap_or(Cell::Null),
                get(row, "period").unwrap_or(Cell::Null),
            ];
            cells.extend(extra.iter().map(|c| get(row, c).unwrap_or(Cell::Null)));
            cells.push(value);
            cells.push(Cell::Text(threshold));
            shown.rows.push(cells);
        }
        for line in aligned(&shown).lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    if r.earlier > 0 {
        out.push_str(&format!(
            "  ({} earlier breach{} not evaluated: `--since DATE` evaluates more periods)\n",
            r.earlier,
            if r.earlier == 1 { "" } else { "es" }
        ));
    }
    if r.partial > 0 {
        out.push_str(&format!(
            "  ({} breach{} in the current, incomplete period not evaluated: `--include-partial` evaluates it)\n",
            r.partial,
            if r.partial == 1 { "" } else { "es" }
        ));
    }
    for t in &r.targets {
        out.push_str(&format!("  {}\n", target_text(t)));
    }
    out
}

/// Every product's breaches as one table with a `product` column.
pub fn guard_table(reports: &[GuardReport]) -> Table {
    let mut all = Table::default();
    for r in reports {
        if all.columns.is_empty() || all.rows.is_empty() {
            all.columns = std::iter::once("product".to_owned())
                .chain(r.breaches.columns.iter().cloned())
                .collect();
        }
        for row in &r.breaches.rows {
            all.rows.push(
                std::iter::once(Cell::Text(r.product.clone()))
                    .chain(row.iter().cloned())
                    .collect(),
            );
        }
    }
    all
}

/// The guard reports for programs.
pub fn guard_json(reports: &[GuardReport]) -> String {
    let products: Vec<Value> = reports
        .iter()
        .map(|r| {
            let targets: Vec<Value> = r
                .targets
                .iter()
                .map(|t| {
                    let (state, period, value) = match &t.state {
                        TargetState::Met { period, value } => ("met", Some(*period), Some(*value)),
                        TargetState::Missed { period, value } => {
                            ("missed", Some(*period), Some(*value))
                        }
                        TargetState::Open { period, value } => {
                            ("open", Some(*period), Some(*value))
                        }
                        TargetState::NoData => ("no_data", None, None),
                    };
                    json!({
                        "metric": t.metric,
                        "by": t.by.to_string(),
                        "target": json_number(t.target),
                        "state": state,
                        "period": period.map(|p| p.to_string()),
                        "value": value.map_or(Value::Null, json_number),
                    })
                })
                .collect();
            json!({
                "product": r.product,
                "breaches": json_rows(&r.breaches),
                "not_evaluated": { "earlier": r.earlier, "partial": r.partial },
                "targets": targets,
            })
        })
        .collect();
    let breached = reports.iter().any(GuardReport::breached);
    format!(
        "{:#}\n",
        json!({ "version": 1, "breached": breached, "products": products })
    )
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(120000.0), "120000");
        assert_eq!(number(0.0212345), "0.0212345");
        assert_eq!(number(4.56789123), "4.56789");
        assert_eq!(number(-2.5), "-2.5");
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let t = Table {
            columns: vec!["period".into(), "market".into()],
            rows: vec![vec![
                Cell::Date(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()),
                Cell::Text("a,\"b\"".into()),
            ]],
        };
        assert_eq!(csv(&t), "period,market\n2024-01-01,\"a,\"\"b\"\"\"\n");
    }
}
