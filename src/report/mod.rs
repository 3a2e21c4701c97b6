//! The numbers of `run` and `guard`: the engine's result tables read against the spec. Pure:
//! tables in (from the embedded DuckDB or a warehouse), typed reports out; [`render`] writes
//! them for people and programs.
//!
//! Entry points: [`scorecard`] (a product's scorecard, each period marked complete or not),
//! [`combined`] (several scorecards as one table with a `product` column), [`guard`] (the
//! breaches of the evaluated periods, and each target judged against its date).
//!
//! A period is **complete** when it has ended: its successor starts on or before today.

pub mod render;
mod table;

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::model::{Grain, Product};
pub use table::{Cell, Table};

/// A product's scorecard: the rows of its `scorecard.sql`, each marked complete or not.
#[derive(Clone, Debug, PartialEq)]
pub struct Scorecard {
    pub product: String,
    /// The North Star's grain: the grain of every row.
    pub grain: Grain,
    /// `period`, the `--by` dimensions, one column per metric.
    pub table: Table,
    /// Per row: whether its period has ended.
    pub complete: Vec<bool>,
}

impl Scorecard {
    /// The period holding `today` or later, if the scorecard has one.
    pub fn partial_period(&self) -> Option<NaiveDate> {
        self.table
            .rows
            .iter()
            .zip(&self.complete)
            .filter(|(_, c)| !**c)
            .filter_map(|(r, _)| r.first().and_then(Cell::as_date))
            .min()
    }

    /// The start of the latest period with a row.
    pub fn latest_period(&self) -> Option<NaiveDate> {
        self.table
            .rows
            .iter()
            .filter_map(|r| r.first().and_then(Cell::as_date))
            .max()
    }
}

/// Reads a product's scorecard table (first column `period`) at `grain`, on `today`.
pub fn scorecard(product: &str, grain: Grain, table: Table, today: NaiveDate) -> Scorecard {
    let complete = table
        .rows
        .iter()
        .map(|r| {
            r.first()
                .and_then(Cell::as_date)
                .is_none_or(|p| grain.complete(p, today))
        })
        .collect();
    Scorecard {
        product: product.to_owned(),
        grain,
        table,
        complete,
    }
}

/// Several products' scorecards as one table: `product`, `period`, the `--by` dimensions,
/// every metric column (in order of first appearance; empty for a product without it), and
/// `complete`.
pub fn combined(cards: &[Scorecard], dims: &[String]) -> Table {
    let mut columns: Vec<String> = vec!["product".to_owned(), "period".to_owned()];
    columns.extend(dims.iter().cloned());
    let keys = columns.len();
    for card in cards {
        for c in &card.table.columns {
            if !columns.contains(c) {
                columns.push(c.clone());
            }
        }
    }
    let metrics = columns.len();
    columns.push("complete".to_owned());
    let mut rows = Vec::new();
    for card in cards {
        let at: Vec<Option<usize>> = columns[1..metrics]
            .iter()
            .map(|c| card.table.column(c))
            .collect();
        for (row, complete) in card.table.rows.iter().zip(&card.complete) {
            let mut out = Vec::with_capacity(columns.len());
            out.push(Cell::Text(card.product.clone()));
            out.extend(
                at.iter()
                    .map(|i| i.and_then(|i| row.get(i)).cloned().unwrap_or(Cell::Null)),
            );
            out.push(Cell::Text(complete.to_string()));
            rows.push(out);
        }
    }
    debug_assert!(keys <= metrics);
    Table { columns, rows }
}

/// How many of each guardrail's latest complete periods `guard` evaluates by default: a month
/// of a weekly guardrail, so that a breach is still reported in the weekly review after it.
pub const RECENT: u32 = 4;

/// Which periods `guard` evaluates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// Every period ending after this day; `None`: each guardrail's [`RECENT`] latest complete
    /// periods (as of today, or of the end of the data when it ends earlier).
    pub since: Option<NaiveDate>,
    /// The period holding today is evaluated too (it is incomplete: a breach there may yet
    /// recover, or may be an artefact of a half-loaded day).
    pub include_partial: bool,
}

/// How a North Star target stands.
#[derive(Clone, Debug, PartialEq)]
pub enum TargetState {
    /// The period holding the target's date is complete: the value there met the target.
    Met { period: NaiveDate, value: f64 },
    /// The period holding the target's date is complete and the value there fell short.
    Missed { period: NaiveDate, value: f64 },
    /// The date is ahead: the latest complete period's value, on the way.
    Open { period: NaiveDate, value: f64 },
    /// No complete period of the North Star has a value (the date is ahead, or the period
    /// holding it has none).
    NoData,
}

/// One North Star target, judged.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetCheck {
    pub metric: String,
    pub by: NaiveDate,
    pub target: f64,
    pub state: TargetState,
}

/// What `guard` found for one product.
#[derive(Clone, Debug, PartialEq)]
pub struct GuardReport {
    pub product: String,
    /// The breaches of the evaluated periods (the columns of `guardrails.sql`).
    pub breaches: Table,
    /// Breaches in complete periods before the window.
    pub earlier: usize,
    /// Breaches in the incomplete period, not evaluated (without `include_partial`).
    pub partial: usize,
    pub targets: Vec<TargetCheck>,
}

impl GuardReport {
    pub fn breached(&self) -> bool {
        !self.breaches.rows.is_empty()
    }
}

/// Judges a product's guardrails and targets.
///
/// * `breaches`: the rows of its `guardrails.sql` (each at the guardrail's own grain).
/// * `data_end`: the day after the latest period the product has data for (the default
///   window ends there when that is before `today`).
/// * `north_star`: the North Star's own series over all segments (the rows of its metric
///   query without `--by`: `period`, `value`); targets are judged on it alone, so that a late
///   source of another metric or one segment never stands for the North Star.
pub fn guard(
    product: &Product,
    breaches: Table,
    data_end: Option<NaiveDate>,
    north_star: Option<&Table>,
    today: NaiveDate,
    window: Window,
) -> GuardReport {
    let grains: HashMap<&str, Grain> = product
        .guardrails()
        .map(|g| (g.name.value.as_str(), g.grain.value))
        .collect();
    let cutoff = data_end.map_or(today, |e| e.min(today));
    let (col_period, col_name) = (breaches.column("period"), breaches.column("guardrail"));
    let mut kept = Table {
        columns: breaches.columns.clone(),
        rows: Vec::new(),
    };
    let (mut earlier, mut partial) = (0, 0);
    for row in breaches.rows {
        let period = col_period.and_then(|i| row.get(i)).and_then(Cell::as_date);
        let grain = col_name.and_then(|i| row.get(i)).and_then(|c| match c {
            Cell::Text(t) => grains.get(t.as_str()).copied(),
            _ => None,
        });
        let (Some(period), Some(grain)) = (period, grain) else {
            // Not a row this stage can place: keep it, a breach is never hidden.
            kept.rows.push(row);
            continue;
        };
        if !grain.complete(period, today) {
            if window.include_partial {
                kept.rows.push(row);
            } else {
                partial += 1;
            }
            continue;
        }
        let inside = match window.since {
            Some(since) => grain.next(period).is_none_or(|end| end > since),
            None => period >= grain.before(grain.latest_complete(cutoff), RECENT - 1),
        };
        if inside {
            kept.rows.push(row);
        } else {
            earlier += 1;
        }
    }
    let targets = match product.north_star() {
        Some(ns) => ns
            .targets
            .iter()
            .map(|t| TargetCheck {
                metric: ns.name.value.clone(),
                by: t.by.value,
                target: t.value.value,
                state: target_state(north_star, ns.grain.value, t.by.value, t.value.value, today),
            })
            .collect(),
        None => Vec::new(),
    };
    GuardReport {
        product: product.name.value.clone(),
        breaches: kept,
        earlier,
        partial,
        targets,
    }
}

/// A target of `target` by `by`, on the North Star's series (`period`, `value`): met or
/// missed in the period holding `by` once it is complete, else the latest complete value.
fn target_state(
    series: Option<&Table>,
    grain: Grain,
    by: NaiveDate,
    target: f64,
    today: NaiveDate,
) -> TargetState {
    let Some(series) = series else {
        return TargetState::NoData;
    };
    let (Some(p), Some(v)) = (series.column("period"), series.column("value")) else {
        return TargetState::NoData;
    };
    let points: Vec<(NaiveDate, f64)> = series
        .rows
        .iter()
        .filter_map(|r| Some((r.get(p)?.as_date()?, r.get(v)?.as_f64()?)))
        .filter(|(d, _)| grain.complete(*d, today))
        .collect();
    let due = grain.start_of(by);
    if grain.complete(due, today) {
        return match points.iter().find(|(d, _)| *d == due) {
            Some(&(period, value)) if value >= target => TargetState::Met { period, value },
            Some(&(period, value)) => TargetState::Missed { period, value },
            None => TargetState::NoData,
        };
    }
    match points.iter().max_by_key(|(d, _)| *d) {
        Some(&(period, value)) => TargetState::Open { period, value },
        None => TargetState::NoData,
    }
}

#[cfg(test)]
mod tests;
