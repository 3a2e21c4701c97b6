//! The alerts (breach, anomaly, gaming, decoupled, off_track) and the statistics behind them:
//! trends over the recent window, anomaly bands, target projections.
//!
//! The North Star, and outcomes, are read as higher-is-better: "improving" is a significantly
//! positive slope, and a target is met when the value reaches it (`≥`).

use chrono::NaiveDate;

use super::stats::{ols, robust_band, Band, Fit};
use super::text;
use super::timeline::Timeline;
use super::{AlertKind, Settings, Severity};
use crate::model::{Metric, Product, Target, Threshold};

/// One alert: what, where, when, and why in words.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    pub kind: AlertKind,
    /// The metric the alert is about (the guardrail, outcome or North Star).
    pub metric: String,
    /// The period the alert is about: the latest breached one, the anomalous one, the last of
    /// a trend window, the one holding a target's date.
    pub period: NaiveDate,
    /// Every period concerned, ascending: the breached ones, the trend window, ...
    pub periods: Vec<NaiveDate>,
    pub severity: Severity,
    /// One or two sentences a product manager understands.
    pub message: String,
    /// The numbers behind it.
    pub evidence: Evidence,
}

/// The numbers behind an alert.
#[derive(Clone, Debug, PartialEq)]
pub enum Evidence {
    Breach {
        min: Option<f64>,
        max: Option<f64>,
        /// The values of the breached periods, in the order of `Alert::periods`.
        values: Vec<f64>,
    },
    Anomaly(BandCheck),
    Gaming {
        north_star: Trend,
        guardrail: Trend,
    },
    Decoupled {
        north_star: Trend,
        outcome: Trend,
    },
    OffTrack(TargetStatus),
}

/// A metric's least-squares trend over the last `W` complete periods; `x` counts periods from
/// the window's first (0, 1, ..., W − 1).
#[derive(Clone, Debug, PartialEq)]
pub struct Trend {
    pub metric: String,
    /// The window's first and last periods (`None` on an empty timeline).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// The window's first position on the timeline.
    pub start: usize,
    /// Periods in the window (known or not).
    pub len: usize,
    /// `None` with fewer than `min_periods` known values in the window.
    pub fit: Option<Fit>,
}

impl Trend {
    /// Whether the trend is significant at `alpha` in the direction of `sign` (0: either).
    fn significant(&self, alpha: f64, sign: f64) -> bool {
        self.fit.is_some_and(|f| f.significant(alpha, sign))
    }
}

/// The trend of `values` over the last `window` periods of the timeline.
pub fn trend(
    timeline: &Timeline,
    (metric, values): (&str, &[Option<f64>]),
    window: usize,
    min: usize,
) -> Trend {
    let start = timeline.len().saturating_sub(window);
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for (i, v) in values.iter().enumerate().skip(start) {
        if let Some(v) = v {
            xs.push((i - start) as f64);
            ys.push(*v);
        }
    }
    Trend {
        metric: metric.to_owned(),
        from: timeline.periods.get(start).copied(),
        to: timeline.periods.last().copied(),
        start,
        len: timeline.len() - start,
        fit: if xs.len() >= min { ols(&xs, &ys) } else { None },
    }
}

/// A guardrail's latest complete period against the band of the periods before it.
#[derive(Clone, Debug, PartialEq)]
pub struct BandCheck {
    pub metric: String,
    /// The latest complete period and its value.
    pub period: NaiveDate,
    pub value: f64,
    /// The baseline's first and last periods.
    pub baseline_from: NaiveDate,
    pub baseline_to: NaiveDate,
    pub band: Band,
    pub outside: bool,
}

/// The anomaly band of a metric's latest period: `None` when that period is unknown or the
/// `W` periods before it hold fewer than `min_periods` known values.
pub fn band_check(
    timeline: &Timeline,
    (metric, values): (&str, &[Option<f64>]),
    settings: &Settings,
) -> Option<BandCheck> {
    let last = timeline.len().checked_sub(1)?;
    let value = values[last]?;
    let window = settings.anomaly_window.max(settings.min_points());
    let start = last.saturating_sub(window);
    let baseline: Vec<f64> = values[start..last].iter().flatten().copied().collect();
    if baseline.len() < settings.min_points() {
        return None;
    }
    let band = robust_band(&baseline, settings.anomaly_k)?;
    Some(BandCheck {
        metric: metric.to_owned(),
        period: timeline.periods[last],
        value,
        baseline_from: timeline.periods[start],
        baseline_to: timeline.periods[last - 1],
        outside: band.excludes(value),
        band,
    })
}

/// Where a target's `projected` value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// The target's period is analysed: its actual value.
    Actual,
    /// The target's period is ahead: the trend line extrapolated to it.
    Trend,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Actual => "actual",
            Basis::Trend => "trend",
        }
    }
}

/// A North Star target and whether it will be (or was) met.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetStatus {
    pub metric: String,
    pub by: NaiveDate,
    pub value: f64,
    /// The period holding `by` (`None` when it is before the data).
    pub period: Option<NaiveDate>,
    /// The value expected in that period; `None` when it cannot be told (too little data).
    pub projected: Option<f64>,
    pub basis: Option<Basis>,
    /// `projected ≥ value`.
    pub on_track: Option<bool>,
    /// The latest known value of the North Star and its period.
    pub latest: Option<(NaiveDate, f64)>,
    /// The trend's slope, per period.
    pub trend_per_period: Option<f64>,
    /// For a target ahead: the change per period still needed from the latest value,
    /// `(value − latest) / h` over the `h` periods between them ...
    pub needed_per_period: Option<f64>,
    /// ... and as a compound rate, `(value / latest)^(1/h) − 1` (when both are positive).
    pub needed_rate: Option<f64>,
}

/// Projects a target: the actual value when its period is analysed, else the trend line of
/// the last `W` periods extrapolated to the period holding its date.
pub fn target_status(
    timeline: &Timeline,
    (metric, values): (&str, &[Option<f64>]),
    trend: &Trend,
    target: &Target,
) -> TargetStatus {
    let (by, value) = (target.by.value, target.value.value);
    let position = timeline.position(by);
    let latest = values
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, v)| Some((i, (*v)?)));
    let mut status = TargetStatus {
        metric: metric.to_owned(),
        by,
        value,
        period: position.and_then(|p| timeline.period_at(p)),
        projected: None,
        basis: None,
        on_track: None,
        latest: latest.map(|(i, v)| (timeline.periods[i], v)),
        trend_per_period: trend.fit.map(|f| f.slope),
        needed_per_period: None,
        needed_rate: None,
    };
    let Some(position) = position else {
        return status;
    };
    if position < timeline.len() {
        status.projected = values[position];
        status.basis = status.projected.map(|_| Basis::Actual);
    } else {
        status.projected = trend.fit.map(|f| f.at((position - trend.start) as f64));
        status.basis = status.projected.map(|_| Basis::Trend);
        if let Some((i, v0)) = latest {
            let h = (position - i) as f64;
            status.needed_per_period = Some((value - v0) / h);
            status.needed_rate =
                (v0 > 0.0 && value > 0.0).then(|| (value / v0).powf(1.0 / h) - 1.0);
        }
    }
    status.on_track = status.projected.map(|p| p >= value);
    status
}

/// What the alerts of one product share.
pub struct Context<'a> {
    pub timeline: &'a Timeline,
    pub settings: &'a Settings,
    pub north_star: &'a Metric,
    pub ns_trend: &'a Trend,
}

fn p_value(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_owned()
    } else {
        format!("p = {p:.3}")
    }
}

/// `its maximum of 0.05`, `its minimum of 4`, `its range 1 to 3`.
fn bound(threshold: &Threshold, side: f64) -> String {
    let (min, max) = (
        threshold.min.as_ref().map(|m| m.value),
        threshold.max.as_ref().map(|m| m.value),
    );
    match (min, max) {
        (Some(lo), Some(hi)) if side == 0.0 => {
            format!("its range {} to {}", text::number(lo), text::number(hi))
        }
        (Some(lo), _) if side < 0.0 => format!("its minimum of {}", text::number(lo)),
        (_, Some(hi)) => format!("its maximum of {}", text::number(hi)),
        (Some(lo), None) => format!("its minimum of {}", text::number(lo)),
        (None, None) => "its threshold".to_owned(),
    }
}

fn inside(threshold: Option<&Threshold>, x: f64) -> bool {
    threshold.is_none_or(|t| {
        t.min.as_ref().is_none_or(|m| x >= m.value) && t.max.as_ref().is_none_or(|m| x <= m.value)
    })
}

impl Context<'_> {
    fn grain(&self) -> crate::model::Grain {
        self.timeline.grain
    }

    fn alert(&self, kind: AlertKind, metric: &Metric, periods: Vec<NaiveDate>) -> AlertDraft {
        AlertDraft {
            kind,
            metric: metric.name.value.clone(),
            period: *periods.last().expect("an alert is about a period"),
            periods,
        }
    }

    fn window_periods(&self, trend: &Trend) -> Vec<NaiveDate> {
        self.timeline.periods[trend.start..].to_vec()
    }

    /// `breach`: every analysed period of a guardrail outside its threshold, as one alert.
    pub fn breach(&self, guardrail: &Metric, values: &[Option<f64>]) -> Option<Alert> {
        let threshold = guardrail.threshold.as_ref()?;
        let (min, max) = (
            threshold.min.as_ref().map(|m| m.value),
            threshold.max.as_ref().map(|m| m.value),
        );
        let breached: Vec<(usize, f64)> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some((i, (*v)?)))
            .filter(|(_, v)| min.is_some_and(|m| *v < m) || max.is_some_and(|m| *v > m))
            .collect();
        let &(last, value) = breached.last()?;
        let side = if min.is_some_and(|m| value < m) {
            -1.0
        } else {
            1.0
        };
        let sides = breached
            .iter()
            .map(|(_, v)| min.is_some_and(|m| *v < m))
            .collect::<std::collections::HashSet<_>>();
        let (word, bound) = if sides.len() > 1 {
            ("outside", bound(threshold, 0.0))
        } else if side < 0.0 {
            ("below", bound(threshold, -1.0))
        } else {
            ("above", bound(threshold, 1.0))
        };
        let label = guardrail.display_label();
        let latest = text::period(self.grain(), self.timeline.periods[last]);
        let message = if breached.len() == 1 {
            format!(
                "{label} was {word} {bound} in {latest} ({}).",
                text::number(value)
            )
        } else {
            format!(
                "{label} was {word} {bound} in {} of the {} analysed, most recently in {latest} ({}).",
                breached.len(),
                text::periods(self.grain(), self.timeline.len()),
                text::number(value)
            )
        };
        let periods = breached
            .iter()
            .map(|(i, _)| self.timeline.periods[*i])
            .collect();
        Some(self.alert(AlertKind::Breach, guardrail, periods).finish(
            message,
            Evidence::Breach {
                min,
                max,
                values: breached.iter().map(|(_, v)| *v).collect(),
            },
        ))
    }

    /// `anomaly`: a guardrail's latest period outside its band.
    pub fn anomaly(&self, product: &Product, check: &BandCheck) -> Option<Alert> {
        if !check.outside {
            return None;
        }
        let guardrail = product.metric(&check.metric)?;
        let b = &check.band;
        let direction = if check.value > b.high {
            "above"
        } else {
            "below"
        };
        let threshold = match guardrail.threshold {
            Some(_) if inside(guardrail.threshold.as_ref(), check.value) => {
                ", though still within its threshold"
            }
            Some(_) => ", and outside its threshold",
            None => "",
        };
        let message = format!(
            "{} was {} in {}, {direction} its usual range of {} to {} (median {} over the previous {}){threshold}.",
            guardrail.display_label(),
            text::number(check.value),
            text::period(self.grain(), check.period),
            text::number(b.low),
            text::number(b.high),
            text::number(b.median),
            text::periods(self.grain(), b.n),
        );
        Some(
            self.alert(AlertKind::Anomaly, guardrail, vec![check.period])
                .finish(message, Evidence::Anomaly(check.clone())),
        )
    }

    /// The words for the North Star's rise over the window.
    fn ns_rose(&self) -> Option<String> {
        let fit = self.ns_trend.fit?;
        Some(format!(
            "{} rose over the last {} ({} per {}, {})",
            self.north_star.display_label(),
            text::periods(self.grain(), self.ns_trend.len),
            text::change(fit.slope),
            self.grain(),
            p_value(fit.p_adjusted),
        ))
    }

    /// `gaming`: the North Star rising while a guardrail trends toward its bad side (up for a
    /// `max`, down for a `min`, either way with both), inside its threshold or not.
    pub fn gaming(&self, guardrail: &Metric, trend: &Trend) -> Option<Alert> {
        let threshold = guardrail.threshold.as_ref()?;
        let bad = match (&threshold.min, &threshold.max) {
            (Some(_), Some(_)) => 0.0,
            (Some(_), None) => -1.0,
            (None, Some(_)) => 1.0,
            (None, None) => return None,
        };
        let alpha = self.settings.alpha;
        if !(self.ns_trend.significant(alpha, 1.0) && trend.significant(alpha, bad)) {
            return None;
        }
        let fit = trend.fit?;
        let end = fit.at((trend.len - 1) as f64);
        let toward = if fit.slope > 0.0 { 1.0 } else { -1.0 };
        let still = if inside(Some(threshold), end) {
            ", still inside its threshold"
        } else {
            ""
        };
        let message = format!(
            "{} while {} {} toward {} (from {} to {} on its trend line, {} per {}, {}){still}: the North Star may be gaining at this guardrail's expense.",
            self.ns_rose()?,
            guardrail.display_label(),
            if toward > 0.0 { "rose" } else { "fell" },
            bound(threshold, toward),
            text::number(fit.at(0.0)),
            text::number(end),
            text::change(fit.slope),
            self.grain(),
            p_value(fit.p_adjusted),
        );
        Some(
            self.alert(AlertKind::Gaming, guardrail, self.window_periods(trend))
                .finish(
                    message,
                    Evidence::Gaming {
                        north_star: self.ns_trend.clone(),
                        guardrail: trend.clone(),
                    },
                ),
        )
    }

    /// `decoupled`: the North Star rising while an outcome falls.
    pub fn decoupled(&self, outcome: &Metric, trend: &Trend) -> Option<Alert> {
        let alpha = self.settings.alpha;
        if !(self.ns_trend.significant(alpha, 1.0) && trend.significant(alpha, -1.0)) {
            return None;
        }
        let fit = trend.fit?;
        let message = format!(
            "{} while {} fell (from {} to {} on its trend line, {} per {}, {}): the North Star is not carrying this outcome with it.",
            self.ns_rose()?,
            outcome.display_label(),
            text::number(fit.at(0.0)),
            text::number(fit.at((trend.len - 1) as f64)),
            text::change(fit.slope),
            self.grain(),
            p_value(fit.p_adjusted),
        );
        Some(
            self.alert(AlertKind::Decoupled, outcome, self.window_periods(trend))
                .finish(
                    message,
                    Evidence::Decoupled {
                        north_star: self.ns_trend.clone(),
                        outcome: trend.clone(),
                    },
                ),
        )
    }

    /// `off_track`: a target its projection (or, once its period is analysed, its actual
    /// value) misses.
    pub fn off_track(&self, status: &TargetStatus) -> Option<Alert> {
        if status.on_track != Some(false) {
            return None;
        }
        let (period, projected) = (status.period?, status.projected?);
        let grain = self.grain();
        let label = self.north_star.display_label();
        let target = text::number(status.value);
        let by = status.by.format("%Y-%m-%d");
        let message = match status.basis? {
            Basis::Actual => format!(
                "{label} was {} in {}, short of its target of {target} by {by}.",
                text::number(projected),
                text::period(grain, period),
            ),
            Basis::Trend => {
                let mut m = format!(
                    "{label} is on course for {} by {by}, short of its target of {target}",
                    text::number(projected)
                );
                if let (Some((at, v0)), Some(per)) = (status.latest, status.needed_per_period) {
                    m.push_str(&format!(
                        ": from {} in {} it needs {} per {grain}",
                        text::number(v0),
                        text::period(grain, at),
                        text::change(per),
                    ));
                    if let Some(rate) = status.needed_rate {
                        m.push_str(&format!(" ({} a {grain}, compounded)", text::percent(rate)));
                    }
                    if let Some(slope) = status.trend_per_period {
                        m.push_str(&format!(
                            ", against a trend of {} per {grain}",
                            text::change(slope)
                        ));
                    }
                }
                m.push('.');
                m
            }
        };
        Some(
            AlertDraft {
                kind: AlertKind::OffTrack,
                metric: status.metric.clone(),
                period,
                periods: vec![period],
            }
            .finish(message, Evidence::OffTrack(status.clone())),
        )
    }
}

/// An alert before its message.
struct AlertDraft {
    kind: AlertKind,
    metric: String,
    period: NaiveDate,
    periods: Vec<NaiveDate>,
}

impl AlertDraft {
    /// The severity is the kind's default until the settings apply theirs.
    fn finish(self, message: String, evidence: Evidence) -> Alert {
        Alert {
            kind: self.kind,
            severity: self.kind.default_severity(),
            metric: self.metric,
            period: self.period,
            periods: self.periods,
            message,
            evidence,
        }
    }
}
