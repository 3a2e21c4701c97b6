//! A metric's numbers as an inline SVG line chart, drawn by lodestar itself so that the site
//! stays static (no script, no network) and the same data always draw the same bytes.
//!
//! What is drawn, from back to front:
//!
//! * **The threshold** as the *breached* region shaded red (above `max`, below `min`) with a
//!   dashed line at each bound. The breached side is shaded, not the allowed one, because the
//!   eye goes to colour: a point inside the red is a breach at a glance, and a metric that
//!   stays out of it shows a clean chart.
//! * **Targets** as a dashed horizontal line at the target's value, ending in a diamond at the
//!   period holding its date. The time axis runs past the data to a target's period (at most as
//!   many periods again as the data have), so that the distance still to go is seen; a target
//!   further out sits at the right edge, its label saying when it is due.
//! * **The series**: a line through the known values, broken where a value is unknown (NULL or
//!   not finite), a dot at every known value (a value with no known neighbour is only a dot).
//!   The period that has not ended by `today` is drawn hollow, joined by a dashed segment: its
//!   number is still growing.
//! * **Alerts** as rings at their periods, coloured by kind, filled when the alert is an error,
//!   each with a `<title>` holding its message (the browser's tooltip). A trend alert (gaming,
//!   decoupled) also tints the window of periods it is about.
//!
//! Axes have a few "nice" ticks (steps of 1, 2, 2.5 or 5 times a power of ten); value labels
//! are written as [`crate::report::render::number`] writes them, in scientific notation from
//! 10^15 on. A series with no known value is a short "no data" note, not an empty chart.

use std::fmt::Write;

use chrono::{Datelike, NaiveDate};

use super::escape;
use crate::analyze::{Alert, AlertKind, Series};
use crate::diagnostics::Severity;
use crate::model::{Grain, Metric};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 230.0;
/// Room for the value labels on the left.
const LEFT: f64 = 70.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
/// Room for the period labels below.
const BOTTOM: f64 = 34.0;
/// How many value ticks the axis aims at.
const Y_TICKS: usize = 5;
/// How many period labels fit under the plot.
const X_LABELS: usize = 6;
const NO_DATA_HEIGHT: f64 = 44.0;

const LINE: &str = "#3d7bd9";
const GRID: &str = "#e3e6ec";
const MUTED: &str = "#5b6478";
const BREACH_ZONE: &str = "#fdecec";
const THRESHOLD: &str = "#c8423b";
const TARGET: &str = "#2f8f4e";

/// Everything one chart is drawn from.
#[derive(Clone, Debug)]
pub struct Chart<'a> {
    /// Its label, threshold and targets are drawn.
    pub metric: &'a Metric,
    /// The metric's values per period, ascending and consecutive at `grain`.
    pub series: &'a Series,
    pub grain: Grain,
    /// A period that has not ended by `today` is drawn as partial.
    pub today: NaiveDate,
    /// The alerts about this metric.
    pub alerts: Vec<&'a Alert>,
}

/// The colour of each kind of alert.
pub fn alert_colour(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::Breach => "#c8423b",
        AlertKind::Anomaly => "#e07b00",
        AlertKind::Gaming => "#8e44ad",
        AlertKind::Decoupled => "#b8860b",
        AlertKind::OffTrack => "#3d7bd9",
    }
}

/// A value as a label: like [`crate::report::render::number`], but huge or tiny magnitudes
/// (from 10^15, or below 10^-6 and not zero) in scientific notation, so that an axis label of
/// 1e300 is five characters, not three hundred.
pub fn value_label(v: f64) -> String {
    let a = v.abs();
    if a.is_finite() && (a >= 1e15 || (a != 0.0 && a < 1e-6)) {
        let s = format!("{v:.3e}");
        // `1.500e300` → `1.5e300`
        match s.split_once('e') {
            Some((m, e)) if m.contains('.') => {
                format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.'))
            }
            _ => s,
        }
    } else {
        crate::report::render::number(v)
    }
}

/// A period's start as the axis shows it: a day for days and weeks, `2026-11` for months,
/// `2026 Q4` for quarters, `2026` for years.
pub fn period_label(grain: Grain, d: NaiveDate) -> String {
    match grain {
        Grain::Day | Grain::Week => d.format("%Y-%m-%d").to_string(),
        Grain::Month => d.format("%Y-%m").to_string(),
        Grain::Quarter => format!("{} Q{}", d.year(), (d.month() - 1) / 3 + 1),
        Grain::Year => d.year().to_string(),
    }
}

/// "Nice" ticks covering `lo..=hi` (`lo < hi`, both finite): about `want` steps of 1, 2, 2.5 or
/// 5 times a power of ten, the first at or below `lo` and the last at or above `hi`. When no
/// such step can be represented (the range is near the limits of `f64`), `[lo, hi]`.
pub fn ticks(lo: f64, hi: f64, want: usize) -> Vec<f64> {
    let fallback = vec![lo, hi];
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return fallback;
    }
    let want = want.max(1) as f64;
    // Divided first, so that a range wider than f64::MAX does not overflow.
    let raw = hi / want - lo / want;
    if !(raw.is_finite() && raw > 0.0) {
        return fallback;
    }
    let magnitude = 10f64.powi(raw.log10().floor() as i32);
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|n| n * magnitude)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude);
    if !(step.is_finite() && step > 0.0) {
        return fallback;
    }
    let (first, last) = ((lo / step).floor(), (hi / step).ceil());
    let count = last - first;
    if !(count.is_finite() && (1.0..=4.0 * want).contains(&count)) {
        return fallback;
    }
    let mut out: Vec<f64> = Vec::new();
    for i in 0..=count as i64 {
        let t = (first + i as f64) * step;
        if !t.is_finite() {
            return fallback;
        }
        // `-0` and rounding noise around zero are written as 0.
        let t = if t.abs() < step * 1e-9 { 0.0 } else { t };
        if out.last().is_none_or(|l| *l < t) {
            out.push(t);
        }
    }
    if out.len() < 2 {
        return fallback;
    }
    out
}

/// The value range drawn: the known values, the threshold and the targets, widened when it is a
/// single value (a constant series) and padded a little, then rounded out to nice ticks.
fn domain(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo == hi {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() / 10.0 };
        (lo, hi) = (lo - pad, hi + pad);
    }
    let pad = (hi / 2.0 - lo / 2.0) / 10.0;
    let (lo, hi) = ((lo - pad).max(-f64::MAX), (hi + pad).min(f64::MAX));
    ticks(lo, hi, Y_TICKS)
}

/// A coordinate, to a tenth of a pixel.
fn c(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.1}")
    } else {
        "0.0".to_owned()
    }
}

/// The periods on the time axis: the series' own, then, when a target is due later, the
/// periods up to the one holding its date (at most as many as the series has).
fn slots(chart: &Chart) -> Vec<NaiveDate> {
    let mut slots = chart.series.periods.clone();
    let Some(&last) = slots.last() else {
        return slots;
    };
    let due = chart
        .metric
        .targets
        .iter()
        .map(|t| chart.grain.start_of(t.by.value))
        .filter(|d| *d > last)
        .max();
    if let Some(due) = due {
        let cap = chart.series.periods.len().max(1);
        let mut p = last;
        for _ in 0..cap {
            match chart.grain.next(p) {
                Some(n) if n <= due => {
                    slots.push(n);
                    p = n;
                }
                _ => break,
            }
        }
    }
    slots
}

/// The chart as an `<svg>` element (see the module's doc for what is drawn).
pub fn chart(chart: &Chart) -> String {
    let m = chart.metric;
    let name = escape(&m.name.value);
    let label = escape(m.display_label());
    let values: Vec<Option<f64>> = chart
        .series
        .values
        .iter()
        .map(|v| v.filter(|v| v.is_finite()))
        .collect();
    if values.iter().all(Option::is_none) {
        return format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart no-data" data-metric="{name}" role="img" aria-label="{label}: no data" width="{w}" height="{h}" viewBox="0 0 {w} {h}"><text x="{x}" y="{y}" font-size="13" fill="{MUTED}">No data for {label} in this range.</text></svg>"#,
            w = WIDTH,
            h = NO_DATA_HEIGHT,
            x = LEFT,
            y = NO_DATA_HEIGHT / 2.0 + 4.0,
        );
    }
    let slots = slots(chart);
    let n = slots.len();
    let threshold = m.threshold.as_ref();
    let (min, max) = (
        threshold.and_then(|t| t.min.as_ref()).map(|v| v.value),
        threshold.and_then(|t| t.max.as_ref()).map(|v| v.value),
    );
    let ys = domain(
        values
            .iter()
            .flatten()
            .copied()
            .chain(min)
            .chain(max)
            .chain(m.targets.iter().map(|t| t.value.value)),
    );
    let (lo, hi) = (ys[0], ys[ys.len() - 1]);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let bottom = TOP + plot_h;
    let x = |i: usize| LEFT + plot_w * (i as f64 + 0.5) / n as f64;
    // Halves, so that a range wider than f64::MAX maps without overflow.
    let y = |v: f64| {
        let span = hi / 2.0 - lo / 2.0;
        let at = if span > 0.0 {
            (hi / 2.0 - v / 2.0) / span
        } else {
            0.5
        };
        TOP + plot_h * at.clamp(0.0, 1.0)
    };
    let index = |d: NaiveDate| slots.binary_search(&d).ok();

    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-metric="{name}" role="img" aria-label="{label} per {grain}" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="system-ui, sans-serif">"#,
        grain = chart.grain.as_str(),
    );
    let _ = write!(out, "<title>{label} per {}</title>", chart.grain.as_str());

    // Grid and value labels.
    for t in &ys {
        let _ = write!(
            out,
            r#"<line class="grid" x1="{x1}" x2="{x2}" y1="{yy}" y2="{yy}" stroke="{GRID}"/><text class="tick" x="{tx}" y="{ty}" font-size="11" fill="{MUTED}" text-anchor="end">{v}</text>"#,
            x1 = c(LEFT),
            x2 = c(LEFT + plot_w),
            yy = c(y(*t)),
            tx = c(LEFT - 6.0),
            ty = c(y(*t) + 4.0),
            v = escape(&value_label(*t)),
        );
    }

    // The breached side of the threshold.
    let bound = |out: &mut String, which: &str, v: f64| {
        let (y0, y1) = if which == "max" {
            (TOP, y(v))
        } else {
            (y(v), bottom)
        };
        let _ = write!(
            out,
            r#"<g class="threshold {which}" data-value="{value}"><title>{which} {value}: outside it is a breach</title><rect class="breach-zone" x="{x}" y="{y0}" width="{w}" height="{h}" fill="{BREACH_ZONE}" fill-opacity="0.8"/><line x1="{x}" x2="{x2}" y1="{yv}" y2="{yv}" stroke="{THRESHOLD}" stroke-width="1.2" stroke-dasharray="6 4"/><text x="{tx}" y="{ty}" font-size="11" fill="{THRESHOLD}" text-anchor="end">{which} {value}</text></g>"#,
            value = escape(&value_label(v)),
            x = c(LEFT),
            y0 = c(y0),
            w = c(plot_w),
            h = c((y1 - y0).max(0.0)),
            x2 = c(LEFT + plot_w),
            yv = c(y(v)),
            tx = c(LEFT + plot_w - 4.0),
            // Inside the breached zone, so the label never sits on the line of values that
            // keep to the threshold.
            ty = c(if which == "max" {
                y(v) - 4.0
            } else {
                y(v) + 12.0
            }),
        );
    };
    if let Some(v) = max {
        bound(&mut out, "max", v);
    }
    if let Some(v) = min {
        bound(&mut out, "min", v);
    }

    // Tinted windows of trend alerts.
    for a in &chart.alerts {
        if !matches!(a.kind, AlertKind::Gaming | AlertKind::Decoupled) {
            continue;
        }
        let (Some(first), Some(last)) = (
            a.periods.first().and_then(|d| index(*d)),
            a.periods.last().and_then(|d| index(*d)),
        ) else {
            continue;
        };
        let half = plot_w / n as f64 / 2.0;
        let _ = write!(
            out,
            r#"<rect class="alert-window {kind}" x="{x0}" y="{TOP}" width="{w}" height="{plot_h}" fill="{col}" fill-opacity="0.08"><title>{kind}: {msg}</title></rect>"#,
            kind = a.kind.as_str(),
            col = alert_colour(a.kind),
            x0 = c(x(first) - half),
            w = c(x(last) - x(first) + 2.0 * half),
            msg = escape(&a.message),
        );
    }

    // Targets.
    for t in &m.targets {
        let due = chart.grain.start_of(t.by.value);
        // The period holding the date, or the nearest end of the axis.
        let i = match index(due) {
            Some(i) => i,
            None if slots.first().is_some_and(|f| due < *f) => 0,
            None => n - 1,
        };
        let (tx, ty) = (x(i), y(t.value.value));
        let value = escape(&value_label(t.value.value));
        let _ = write!(
            out,
            r#"<g class="target" data-by="{by}" data-value="{value}"><title>target: {value} by {by}</title><line x1="{x1}" x2="{tx}" y1="{ty}" y2="{ty}" stroke="{TARGET}" stroke-width="1.2" stroke-dasharray="3 3"/><path d="M {tx} {t0} L {r} {ty} L {tx} {t1} L {l} {ty} z" fill="{TARGET}"/><text x="{lx}" y="{ly}" font-size="11" fill="{TARGET}" text-anchor="end">target {value} by {by}</text></g>"#,
            by = t.by.value,
            x1 = c(LEFT),
            tx = c(tx),
            ty = c(ty),
            t0 = c(ty - 5.0),
            t1 = c(ty + 5.0),
            l = c(tx - 5.0),
            r = c(tx + 5.0),
            lx = c((tx - 8.0).max(LEFT + 150.0)),
            ly = c(ty - 6.0),
        );
    }

    // The series: a path per run of known values; the partial period dashed.
    let complete = |i: usize| {
        slots
            .get(i)
            .is_some_and(|d| chart.grain.complete(*d, chart.today))
    };
    let mut d = String::new();
    let mut run = 0usize;
    let mut partial = String::new();
    for i in 0..values.len() {
        let Some(v) = values[i] else {
            run = 0;
            continue;
        };
        let prev = i.checked_sub(1).and_then(|p| values[p]);
        if !complete(i) {
            if let Some(p) = prev {
                let _ = write!(
                    partial,
                    "M {} {} L {} {} ",
                    c(x(i - 1)),
                    c(y(p)),
                    c(x(i)),
                    c(y(v))
                );
            }
            run = 0;
            continue;
        }
        let _ = write!(
            d,
            "{} {} {} ",
            if run == 0 { "M" } else { "L" },
            c(x(i)),
            c(y(v))
        );
        run += 1;
    }
    if !d.is_empty() {
        let _ = write!(
            out,
            r#"<path class="series" d="{}" fill="none" stroke="{LINE}" stroke-width="2" stroke-linejoin="round"/>"#,
            d.trim_end()
        );
    }
    if !partial.is_empty() {
        let _ = write!(
            out,
            r#"<path class="series partial" d="{}" fill="none" stroke="{LINE}" stroke-width="2" stroke-dasharray="4 3"/>"#,
            partial.trim_end()
        );
    }
    for (i, v) in values.iter().enumerate() {
        let Some(v) = v else { continue };
        let known = |j: Option<usize>| j.and_then(|j| values.get(j).copied().flatten()).is_some();
        let single = !known(i.checked_sub(1)) && !known(Some(i + 1));
        let is_partial = !complete(i);
        let class = match (single, is_partial) {
            (_, true) => "point partial",
            (true, false) => "point single",
            _ => "point",
        };
        let _ = write!(
            out,
            r#"<circle class="{class}" cx="{cx}" cy="{cy}" r="{r}" fill="{fill}" stroke="{LINE}" stroke-width="1.5"><title>{period}: {value}{note}</title></circle>"#,
            cx = c(x(i)),
            cy = c(y(*v)),
            r = if single { 3.5 } else { 2.5 },
            fill = if is_partial { "#fff" } else { LINE },
            period = slots[i],
            value = escape(&value_label(*v)),
            note = if is_partial {
                " (period in progress)"
            } else {
                ""
            },
        );
    }

    // Alerts: a ring at each period they are about (every breached or anomalous period; the
    // last of a trend window; the period holding a target's date).
    for a in &chart.alerts {
        let periods: Vec<NaiveDate> = match a.kind {
            AlertKind::Breach | AlertKind::Anomaly if !a.periods.is_empty() => a.periods.clone(),
            _ => vec![a.period],
        };
        for p in periods {
            let Some(i) = index(p) else { continue };
            let cy = values.get(i).copied().flatten().map_or(bottom, y);
            let col = alert_colour(a.kind);
            let error = a.severity == Severity::Error;
            let _ = write!(
                out,
                r#"<g class="alert {kind} {severity}" data-kind="{kind}" data-period="{p}"><title>{kind} ({severity}), {p}: {msg}</title><circle cx="{cx}" cy="{cy}" r="7" fill="{fill}" fill-opacity="{op}" stroke="{col}" stroke-width="2.5"/></g>"#,
                kind = a.kind.as_str(),
                severity = a.severity.as_str(),
                cx = c(x(i)),
                cy = c(cy),
                fill = col,
                op = if error { "0.35" } else { "0" },
                msg = escape(&a.message),
            );
        }
    }

    // The time axis.
    let _ = write!(
        out,
        r#"<line class="axis" x1="{x1}" x2="{x2}" y1="{b}" y2="{b}" stroke="{MUTED}"/>"#,
        x1 = c(LEFT),
        x2 = c(LEFT + plot_w),
        b = c(bottom),
    );
    let every = n.div_ceil(X_LABELS).max(1);
    for (i, d) in slots.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(
            out,
            r#"<line x1="{xx}" x2="{xx}" y1="{b}" y2="{b4}" stroke="{MUTED}"/><text class="period" x="{xx}" y="{ty}" font-size="11" fill="{MUTED}" text-anchor="middle">{l}</text>"#,
            xx = c(x(i)),
            b = c(bottom),
            b4 = c(bottom + 4.0),
            ty = c(bottom + 17.0),
            l = escape(&period_label(chart.grain, *d)),
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Evidence;
    use crate::model::{Project, Role};

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The marketplace fixture: its North Star has a target (120000 by 2026-12-31),
    /// `refund_rate` a `max: 0.02`, `new_hosts` neither (and no label).
    fn project() -> Project {
        crate::lint::testing::valid_project()
    }

    fn metric<'p>(p: &'p Project, name: &str) -> &'p Metric {
        p.products[0]
            .metrics
            .iter()
            .find(|m| m.name.value == name)
            .unwrap()
    }

    /// Weekly periods from 2026-01-05 (a Monday), one per value.
    fn weekly(values: &[Option<f64>]) -> Series {
        let start = date("2026-01-05");
        Series::new(
            values
                .iter()
                .enumerate()
                .map(|(i, v)| (start + chrono::Duration::weeks(i as i64), *v)),
        )
    }

    fn draw(m: &Metric, s: &Series, alerts: Vec<&Alert>) -> String {
        chart(&Chart {
            metric: m,
            series: s,
            grain: Grain::Week,
            today: date("2027-12-31"),
            alerts,
        })
    }

    /// A metric of the fixture without threshold or targets.
    fn plain(p: &Project) -> &Metric {
        let m = metric(p, "new_hosts");
        assert!(m.threshold.is_none() && m.targets.is_empty() && m.role == Role::Input);
        m
    }

    #[test]
    fn ticks_are_nice_and_cover_the_range() {
        assert_eq!(ticks(0.0, 10.0, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(
            ticks(3.0, 97.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(ticks(0.011, 0.024, 5), vec![0.01, 0.015, 0.02, 0.025]);
        assert_eq!(ticks(0.0, 12.0, 5), vec![0.0, 2.5, 5.0, 7.5, 10.0, 12.5]);
        assert_eq!(
            ticks(-7.0, 3.0, 5),
            vec![-8.0, -6.0, -4.0, -2.0, 0.0, 2.0, 4.0]
        );
        // Across the whole range of f64 no step is representable: the bounds themselves.
        assert_eq!(ticks(-f64::MAX, f64::MAX, 5), vec![-f64::MAX, f64::MAX]);
        // Huge but representable: steps of 5e299 (rounding may add one at an end).
        let t = ticks(1e300, 3e300, 5);
        assert!(
            (5..=6).contains(&t.len()) && t[0] <= 1e300 && t[t.len() - 1] >= 3e300,
            "{t:?}"
        );
        assert!(
            t.windows(2).all(|w| (w[1] - w[0] - 5e299).abs() < 1e285),
            "{t:?}"
        );
        // Not a range: the bounds, never a panic or an endless loop.
        assert_eq!(ticks(1.0, 1.0, 5), vec![1.0, 1.0]);
        assert_eq!(ticks(f64::NAN, 1.0, 5).len(), 2);
        // A range far below the precision of its magnitude.
        let t = ticks(1e20, 1e20 + 1e6, 5);
        assert!(t.len() >= 2 && t.windows(2).all(|w| w[0] < w[1]), "{t:?}");
    }

    #[test]
    fn labels() {
        assert_eq!(value_label(0.02), "0.02");
        assert_eq!(value_label(1250.0), "1250");
        assert_eq!(value_label(-3.5), "-3.5");
        assert_eq!(value_label(1.5e300), "1.5e300");
        assert_eq!(value_label(-2e15), "-2e15");
        assert_eq!(value_label(0.0), "0");
        assert_eq!(period_label(Grain::Week, date("2026-11-09")), "2026-11-09");
        assert_eq!(period_label(Grain::Month, date("2026-11-01")), "2026-11");
        assert_eq!(period_label(Grain::Quarter, date("2026-10-01")), "2026 Q4");
        assert_eq!(period_label(Grain::Year, date("2026-01-01")), "2026");
    }

    #[test]
    fn unknown_values_break_the_line_and_a_lone_value_is_a_dot() {
        let p = project();
        let s = weekly(&[
            Some(1.0),
            Some(2.0),
            None,
            Some(3.0),
            None,
            Some(f64::NAN),
            Some(5.0),
            Some(4.0),
        ]);
        let svg = draw(plain(&p), &s, vec![]);
        let path = svg.split(r#"<path class="series" d=""#).nth(1).unwrap();
        let path = &path[..path.find('"').unwrap()];
        // Three runs: [1, 2], [3] (a lone point starts a run and draws nothing), [5, 4].
        assert_eq!(path.matches('M').count(), 3, "{path}");
        assert_eq!(path.matches('L').count(), 2, "{path}");
        // Every known value is a dot; NaN is unknown; the value 3 has no known neighbour.
        assert_eq!(svg.matches("<circle class=\"point").count(), 5);
        assert_eq!(svg.matches("point single").count(), 1);
        assert!(svg.contains("<title>2026-01-26: 3</title>"), "{svg}");
    }

    #[test]
    fn a_single_value_is_a_dot_and_a_constant_series_a_flat_line() {
        let p = project();
        let svg = draw(plain(&p), &weekly(&[Some(7.0)]), vec![]);
        assert_eq!(svg.matches("point single").count(), 1);
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        let svg = draw(plain(&p), &weekly(&[Some(0.0); 6]), vec![]);
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        let path = svg.split(r#"class="series" d=""#).nth(1).unwrap();
        let ys: Vec<&str> = path[..path.find('"').unwrap()]
            .split(' ')
            .skip(2)
            .step_by(3)
            .collect();
        assert_eq!(ys.len(), 6);
        assert!(ys.iter().all(|y| *y == ys[0]), "flat: {ys:?}");
        // Drawn inside the plot, not on its edge.
        let y: f64 = ys[0].parse().unwrap();
        assert!(y > TOP && y < HEIGHT - BOTTOM, "{y}");
    }

    #[test]
    fn nothing_known_is_a_note_not_a_chart() {
        let p = project();
        for s in [
            weekly(&[]),
            weekly(&[None, None]),
            weekly(&[Some(f64::INFINITY)]),
        ] {
            let svg = draw(plain(&p), &s, vec![]);
            assert!(svg.contains("class=\"chart no-data\""), "{svg}");
            assert!(
                svg.contains("No data for new_hosts in this range."),
                "{svg}"
            );
            assert!(!svg.contains("<path") && !svg.contains("<circle"), "{svg}");
        }
    }

    #[test]
    fn negative_and_huge_values_stay_inside_the_plot() {
        let p = project();
        for values in [
            vec![Some(-5.0), Some(-12.5), Some(3.0)],
            vec![Some(1e300), Some(-1e300), Some(5e299)],
            vec![Some(f64::MAX), Some(-f64::MAX)],
        ] {
            let svg = draw(plain(&p), &weekly(&values), vec![]);
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
            for cy in svg.split("cy=\"").skip(1) {
                let cy: f64 = cy[..cy.find('"').unwrap()].parse().unwrap();
                assert!((TOP..=HEIGHT - BOTTOM).contains(&cy), "{cy} in {svg}");
            }
            // Labels are short: no axis label of hundreds of digits.
            for t in svg.split("class=\"tick\"").skip(1) {
                let label = &t[t.find('>').unwrap() + 1..t.find('<').unwrap()];
                assert!(label.len() <= 10, "{label}");
            }
        }
        let svg = draw(
            plain(&p),
            &weekly(&[Some(-5.0), Some(-12.5), Some(3.0)]),
            vec![],
        );
        assert!(
            svg.contains(": -12.5</title>") && svg.contains(">-15</text>"),
            "{svg}"
        );
    }

    #[test]
    fn the_breached_side_of_a_threshold_is_shaded() {
        let p = project();
        let m = metric(&p, "refund_rate");
        let svg = draw(
            m,
            &weekly(&[Some(0.01), Some(0.012), Some(0.031), Some(0.011)]),
            vec![],
        );
        let zone = svg
            .split(r#"<g class="threshold max" data-value="0.02">"#)
            .nth(1)
            .expect("a max band");
        // The zone runs from the top of the plot down to the line at 0.02 ...
        let attr = |s: &str, a: &str| -> f64 {
            let at = s.find(&format!(" {a}=\"")).unwrap() + a.len() + 3;
            s[at..at + s[at..].find('"').unwrap()].parse().unwrap()
        };
        let rect = &zone[zone.find("<rect").unwrap()..];
        assert_eq!(attr(rect, "y"), TOP);
        let line_y = attr(&zone[zone.find("<line").unwrap()..], "y1");
        assert!((attr(rect, "y") + attr(rect, "height") - line_y).abs() < 0.11);
        // ... and the breaching value (0.031) is drawn inside it, the others below the line.
        let cys: Vec<f64> = svg
            .split("<circle class=\"point")
            .skip(1)
            .map(|s| attr(s, "cy"))
            .collect();
        assert_eq!(cys.len(), 4);
        assert!(
            cys[2] < line_y && [0, 1, 3].iter().all(|i| cys[*i] > line_y),
            "{cys:?}"
        );
        assert!(!svg.contains("threshold min"));
    }

    /// The x of the diamond of the target due `by`.
    fn diamond_x(svg: &str, by: &str) -> f64 {
        let g = svg
            .split(&format!(r#"<g class="target" data-by="{by}""#))
            .nth(1)
            .unwrap_or_else(|| panic!("a target due {by}: {svg}"));
        let d = &g[g.find("<path d=\"M ").unwrap() + 11..];
        d[..d.find(' ').unwrap()].parse().unwrap()
    }

    #[test]
    fn targets_are_lines_to_their_date_and_stretch_the_axis() {
        let mut p = project();
        let ns = p.products[0]
            .metrics
            .iter_mut()
            .find(|m| m.name.value == "nights_booked")
            .unwrap();
        assert_eq!(ns.targets.len(), 1, "the fixture's target");
        let mut later = ns.targets[0].clone();
        later.by.value = date("2027-06-30");
        later.value.value = 150000.0;
        ns.targets.push(later);
        let m = metric(&p, "nights_booked");
        let plot_w = WIDTH - LEFT - RIGHT;
        let x = |i: usize, n: usize| LEFT + plot_w * (i as f64 + 0.5) / n as f64;

        // 40 weeks to 2026-11-30: the axis runs on to the week of 2027-06-30 (30 more), and each
        // diamond sits at the week holding its date (2026-12-28 is the 44th).
        let s = Series::new((0..40).map(|i| {
            (
                date("2026-03-02") + chrono::Duration::weeks(i),
                Some(100000.0),
            )
        }));
        let svg = draw(m, &s, vec![]);
        assert_eq!(svg.matches("<g class=\"target\"").count(), 2, "{svg}");
        assert!(svg.contains(">target 120000 by 2026-12-31</text>"), "{svg}");
        assert!(svg.contains(">target 150000 by 2027-06-30</text>"), "{svg}");
        assert!((diamond_x(&svg, "2026-12-31") - x(43, 70)).abs() < 0.06);
        assert!((diamond_x(&svg, "2027-06-30") - x(69, 70)).abs() < 0.06);
        // The target line is dashed, from the left of the plot to the diamond.
        assert!(
            svg.contains(&format!(r#"x1="{LEFT:.1}" x2="{:.1}""#, x(43, 70))),
            "{svg}"
        );

        // Eight weeks from January: the axis grows by at most 8 periods (to 2026-04-20, the
        // last label), and both targets, further out, sit at its right edge.
        let svg = draw(m, &weekly(&[Some(100000.0); 8]), vec![]);
        assert!(svg.contains(">2026-04-20</text>"), "{svg}");
        assert!(!svg.contains(">2026-04-27</text>"), "{svg}");
        assert!((diamond_x(&svg, "2026-12-31") - x(15, 16)).abs() < 0.06);
        assert!((diamond_x(&svg, "2027-06-30") - x(15, 16)).abs() < 0.06);
    }

    #[test]
    fn alerts_are_marked_with_their_message_escaped() {
        let p = project();
        let m = metric(&p, "refund_rate");
        let s = weekly(&[Some(0.01), Some(0.03), Some(0.012), Some(0.04)]);
        let breach = Alert {
            kind: AlertKind::Breach,
            metric: "refund_rate".into(),
            period: date("2026-01-26"),
            periods: vec![date("2026-01-12"), date("2026-01-26")],
            severity: Severity::Error,
            message: "refund <rate> & \"more\" above 0.02".into(),
            evidence: Evidence::Breach {
                min: None,
                max: Some(0.02),
                values: vec![0.03, 0.04],
            },
        };
        let svg = draw(m, &s, vec![&breach]);
        for d in ["2026-01-12", "2026-01-26"] {
            assert!(
                svg.contains(&format!(
                    r#"<g class="alert breach error" data-kind="breach" data-period="{d}">"#
                )),
                "{d}: {svg}"
            );
        }
        assert_eq!(svg.matches("data-kind=\"breach\"").count(), 2);
        assert!(svg.contains("refund &lt;rate&gt; &amp; &quot;more&quot; above 0.02"));
        assert!(!svg.contains("<rate>"));
    }

    #[test]
    fn the_period_in_progress_is_hollow_and_dashed() {
        let p = project();
        let s = weekly(&[Some(1.0), Some(2.0), Some(3.0)]);
        // Today is in the third week (2026-01-19 .. 2026-01-25).
        let svg = chart(&Chart {
            metric: plain(&p),
            series: &s,
            grain: Grain::Week,
            today: date("2026-01-21"),
            alerts: vec![],
        });
        assert_eq!(svg.matches("point partial").count(), 1);
        assert!(svg.contains("<title>2026-01-19: 3 (period in progress)</title>"));
        assert!(svg.contains("class=\"series partial\""));
    }

    #[test]
    fn text_is_escaped_and_output_is_deterministic() {
        let mut p = project();
        let product = &mut p.products[0];
        let m = product
            .metrics
            .iter_mut()
            .find(|m| m.name.value == "new_hosts")
            .unwrap();
        let mut label = m.name.clone();
        label.value = "<b>hosts</b> & 'co'".to_owned();
        m.label = Some(label);
        let m = metric(&p, "new_hosts");
        let s = weekly(&[Some(1.0), Some(2.0)]);
        let svg = draw(m, &s, vec![]);
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("&lt;b&gt;hosts&lt;/b&gt; &amp; &#39;co&#39;"));
        assert_eq!(svg, draw(m, &s, vec![]));
        let none = draw(m, &weekly(&[None]), vec![]);
        assert!(
            none.contains("No data for &lt;b&gt;hosts&lt;/b&gt;"),
            "{none}"
        );
    }
}
