//! Does the tree hold on real data? The statistics and alerts of `lodestar analyze`: each
//! metric's series per period in, findings out. Pure: no IO, no SQL, no printing; `cli/` runs
//! the SQL that gives the series and renders the report.
//!
//! Entry points: [`analyze`] (one product) and [`to_json`] (the versioned report). Every
//! threshold is a field of [`Settings`], documented there and in `docs/analyze.md`:
//!
//! * **Edges** ([`edges`]): input → North Star and North Star → outcome, by the correlation of
//!   their period-over-period changes at lags `−L..=L`, with a Bonferroni-adjusted Fisher
//!   interval at the best lag, and a verdict.
//! * **Alerts** ([`Alert`]): `breach`, `anomaly`, `gaming`, `decoupled`, `off_track`.
//! * **Targets** ([`TargetStatus`]): each North Star target projected to its date.
//! * **Attribution** ([`Attribution`]): the Shapley decomposition of a ratio or derived North
//!   Star's last change over its operands.
//!
//! Only complete periods are analysed: the period holding `today` is left out unless
//! [`Settings::include_partial`].

mod alerts;
mod attribution;
pub mod edges;
mod json;
pub mod render;
pub mod stats;
mod text;
mod timeline;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use chrono::NaiveDate;

pub use crate::diagnostics::Severity;
use crate::model::{Grain, Metric, Product};
pub use alerts::{Alert, BandCheck, Basis, Evidence, TargetStatus, Trend};
pub use attribution::{Attribution, Part};
pub use edges::{Edge, LagCorrelation, Verdict};
pub use json::{to_json, VERSION};
pub use stats::{Band, Fit};
pub use timeline::{next_period, Timeline};

/// The kinds of alert, in the order they are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlertKind {
    /// A complete period of a guardrail outside its threshold.
    Breach,
    /// A guardrail's latest complete period outside the robust band of its own recent past.
    Anomaly,
    /// The North Star rising while a guardrail trends toward its bad side.
    Gaming,
    /// The North Star rising while an outcome falls.
    Decoupled,
    /// A North Star target that its trend misses.
    OffTrack,
}

impl AlertKind {
    pub const ALL: [AlertKind; 5] = [
        AlertKind::Breach,
        AlertKind::Anomaly,
        AlertKind::Gaming,
        AlertKind::Decoupled,
        AlertKind::OffTrack,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::Breach => "breach",
            AlertKind::Anomaly => "anomaly",
            AlertKind::Gaming => "gaming",
            AlertKind::Decoupled => "decoupled",
            AlertKind::OffTrack => "off_track",
        }
    }

    pub fn parse(s: &str) -> Option<AlertKind> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        AlertKind::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    /// `breach` and `gaming` are errors (exit 1); the others warnings.
    pub fn default_severity(self) -> Severity {
        match self {
            AlertKind::Breach | AlertKind::Gaming => Severity::Error,
            _ => Severity::Warning,
        }
    }
}

/// The severity of each kind of alert; `None` turns a kind off (its alerts are not reported,
/// the statistics behind them still are).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Severities {
    levels: [Option<Severity>; 5],
}

impl Default for Severities {
    fn default() -> Severities {
        Severities {
            levels: AlertKind::ALL.map(|k| Some(k.default_severity())),
        }
    }
}

impl Severities {
    fn index(kind: AlertKind) -> usize {
        AlertKind::ALL
            .iter()
            .position(|k| *k == kind)
            .expect("every kind is in ALL")
    }

    pub fn get(&self, kind: AlertKind) -> Option<Severity> {
        self.levels[Self::index(kind)]
    }

    pub fn set(&mut self, kind: AlertKind, level: Option<Severity>) {
        self.levels[Self::index(kind)] = level;
    }
}

/// How `analyze` decides. The defaults are the documented behaviour of `lodestar analyze`.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// `L`: edges are tested at lags `−L..=L` periods. Default 4 (a month of weeks).
    pub lags: usize,
    /// The fewest data points a statistic is computed from: pairs of changes at a lag, known
    /// values in a trend window or an anomaly baseline. Default 8; values below 4 count as 4
    /// (Fisher's interval needs `n > 3`). With 8 pairs, the Bonferroni interval at `L = 4`
    /// excludes 0 only for `|r| ≥ 0.85`; fewer pairs could not tell any real relation from noise.
    pub min_periods: usize,
    /// Analyse the period holding `today` too (it is incomplete). Default false.
    pub include_partial: bool,
    pub severities: Severities,
    /// The significance level of every test: the family-wise level of the edge intervals
    /// (each at `1 − alpha / (2L + 1)`) and the level of each trend's slope test. Default 0.05.
    pub alpha: f64,
    /// `W` of the trend tests (gaming, decoupled) and of the target projection: the last `W`
    /// complete periods (at least `min_periods`). Default 12 (a quarter of weeks).
    pub trend_window: usize,
    /// The trailing baseline of the anomaly band: the `W` periods before the latest (at least
    /// `min_periods` of them known). Default 26 (half a year of weeks): on independent normal
    /// noise the band then flags 0.7% of periods (2.4% with a 12-period baseline, 4.8% with 8),
    /// since a median and MAD from few points are themselves noisy.
    pub anomaly_window: usize,
    /// `k` of the anomaly band `median ± k · 1.4826 · MAD`. Default 3.5 (Iglewicz and Hoaglin's
    /// cut-off for the modified z-score).
    pub anomaly_k: f64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            lags: 4,
            min_periods: 8,
            include_partial: false,
            severities: Severities::default(),
            alpha: 0.05,
            trend_window: 12,
            anomaly_window: 26,
            anomaly_k: 3.5,
        }
    }
}

impl Settings {
    /// `min_periods`, at least 4.
    pub fn min_points(&self) -> usize {
        self.min_periods.max(4)
    }

    /// The two-sided critical value of the edge intervals: `Φ⁻¹(1 − alpha / (2 (2L + 1)))`
    /// (2.77 by default).
    pub fn edge_critical(&self) -> f64 {
        stats::normal_critical(1.0 - self.alpha / (2 * self.lags + 1) as f64)
    }
}

/// One metric's values per period.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// Period starts, ascending, consecutive at the grain (missing periods carry `None`).
    pub periods: Vec<NaiveDate>,
    /// One value per period; `None` (or a non-finite value) is unknown.
    pub values: Vec<Option<f64>>,
}

impl Series {
    pub fn new(points: impl IntoIterator<Item = (NaiveDate, Option<f64>)>) -> Series {
        let (periods, values) = points.into_iter().unzip();
        Series { periods, values }
    }
}

/// What one product is analysed on.
#[derive(Clone, Debug)]
pub struct ProductData<'a> {
    pub product: &'a Product,
    /// The grain of every series (the North Star's).
    pub grain: Grain,
    /// Metric name → its series at `grain`. Metrics without one are analysed as unknown.
    pub series: HashMap<String, Series>,
    /// The operands of a ratio North Star that are measures, under `numerator` and
    /// `denominator` (an operand that names a metric is read from `series`).
    pub operands: HashMap<String, Series>,
    /// The period holding `today` is incomplete.
    pub today: NaiveDate,
}

/// Everything `analyze` found about one product.
#[derive(Clone, Debug, PartialEq)]
pub struct ProductReport {
    pub product: String,
    pub grain: Grain,
    /// The periods analysed (complete ones, ascending).
    pub periods: Vec<NaiveDate>,
    /// Inputs → North Star, then North Star → outcomes, in declaration order.
    pub edges: Vec<Edge>,
    /// By kind (breach, anomaly, gaming, decoupled, off_track), then metric order.
    pub alerts: Vec<Alert>,
    /// One per North Star target, in declaration order.
    pub targets: Vec<TargetStatus>,
    /// For a ratio or derived North Star whose operands are known in the last two periods.
    pub attribution: Option<Attribution>,
    /// The trend of the North Star, each guardrail and each outcome over the trend window.
    pub trends: Vec<Trend>,
    /// Each guardrail's latest period against its anomaly band.
    pub bands: Vec<BandCheck>,
}

impl ProductReport {
    /// The report restricted to some metrics (`--select`): the edges that touch one of them,
    /// and their alerts, targets, attribution, trends and bands. The analysis itself always
    /// runs on the whole tree, since an edge needs both its ends.
    pub fn only(&mut self, keep: impl Fn(&str) -> bool) {
        self.edges.retain(|e| keep(&e.from) || keep(&e.to));
        self.alerts.retain(|a| keep(&a.metric));
        self.targets.retain(|t| keep(&t.metric));
        if self.attribution.as_ref().is_some_and(|a| !keep(&a.metric)) {
            self.attribution = None;
        }
        self.trends.retain(|t| keep(&t.metric));
        self.bands.retain(|b| keep(&b.metric));
    }

    /// Whether an alert at error level was found (`lodestar analyze` exits 1).
    pub fn has_errors(&self) -> bool {
        self.alerts.iter().any(|a| a.severity == Severity::Error)
    }
}

/// Analyses one product: its edges, alerts, targets and attribution (see the module's doc).
/// A product without exactly one North Star gives an empty report.
pub fn analyze<'a>(data: &ProductData<'a>, settings: &Settings) -> ProductReport {
    let product = data.product;
    let timeline = Timeline::new(
        data.series.values().chain(data.operands.values()),
        data.grain,
        data.today,
        settings.include_partial,
    );
    let mut report = ProductReport {
        product: product.name.value.clone(),
        grain: data.grain,
        periods: timeline.periods.clone(),
        edges: Vec::new(),
        alerts: Vec::new(),
        targets: Vec::new(),
        attribution: None,
        trends: Vec::new(),
        bands: Vec::new(),
    };
    let Some(ns) = product.north_star() else {
        return report;
    };
    let values: HashMap<&str, Vec<Option<f64>>> = product
        .metrics
        .iter()
        .map(|m| {
            let v = match data.series.get(&m.name.value) {
                Some(s) => timeline.align(s),
                None => vec![None; timeline.len()],
            };
            (m.name.value.as_str(), v)
        })
        .collect();
    let of = |m: &'a Metric| named(&values, m);

    let (min, z) = (settings.min_points(), settings.edge_critical());
    for input in product.inputs() {
        report
            .edges
            .push(edges::edge(of(input), of(ns), settings.lags, min, z));
    }
    for outcome in product.outcomes() {
        report
            .edges
            .push(edges::edge(of(ns), of(outcome), settings.lags, min, z));
    }

    let window = settings.trend_window.max(min);
    let trend = |m: &'a Metric| alerts::trend(&timeline, of(m), window, min);
    let ns_trend = trend(ns);
    let guardrails: Vec<(&Metric, Trend)> = product.guardrails().map(|g| (g, trend(g))).collect();
    let outcomes: Vec<(&Metric, Trend)> = product.outcomes().map(|o| (o, trend(o))).collect();
    report.bands = product
        .guardrails()
        .filter_map(|g| alerts::band_check(&timeline, of(g), settings))
        .collect();
    report.targets = ns
        .targets
        .iter()
        .map(|t| alerts::target_status(&timeline, of(ns), &ns_trend, t))
        .collect();

    let ctx = alerts::Context {
        timeline: &timeline,
        settings,
        north_star: ns,
        ns_trend: &ns_trend,
    };
    let mut found = Vec::new();
    for g in product.guardrails() {
        found.extend(ctx.breach(g, of(g).1));
    }
    for band in &report.bands {
        found.extend(ctx.anomaly(product, band));
    }
    for (g, t) in &guardrails {
        found.extend(ctx.gaming(g, t));
    }
    for (o, t) in &outcomes {
        found.extend(ctx.decoupled(o, t));
    }
    for status in &report.targets {
        found.extend(ctx.off_track(status));
    }
    report.alerts = found
        .into_iter()
        .filter_map(|mut a| {
            a.severity = settings.severities.get(a.kind)?;
            Some(a)
        })
        .collect();

    report.trends = std::iter::once(ns_trend)
        .chain(guardrails.into_iter().map(|(_, t)| t))
        .chain(outcomes.into_iter().map(|(_, t)| t))
        .collect();
    report.attribution = attribution::attribute(ns, data, &timeline);
    report
}

/// A metric's name and its values on the timeline.
fn named<'m>(
    values: &'m HashMap<&str, Vec<Option<f64>>>,
    metric: &'m Metric,
) -> (&'m str, &'m [Option<f64>]) {
    let name = metric.name.value.as_str();
    (name, &values[name])
}
