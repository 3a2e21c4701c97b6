//! The versioned JSON report of `lodestar analyze --format json`. The fields PRODUCT.md
//! promises come first in each object; the others (`severity`, `periods`, `evidence`,
//! `by_lag`, `attribution`, `trends`, `bands`, ...) are additions a reader may ignore.
//! Dates are `YYYY-MM-DD` period starts; a number that is not finite is `null`.

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::{Alert, Attribution, BandCheck, Edge, Evidence, ProductReport, TargetStatus, Trend};

/// The version of the report's format.
pub const VERSION: u32 = 1;

/// `{"version": 1, "products": [...]}`.
pub fn to_json(reports: &[ProductReport]) -> Value {
    json!({
        "version": VERSION,
        "products": reports.iter().map(product).collect::<Vec<_>>(),
    })
}

fn num(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

fn opt(x: Option<f64>) -> Value {
    x.map_or(Value::Null, num)
}

fn date(d: NaiveDate) -> Value {
    Value::String(d.format("%Y-%m-%d").to_string())
}

fn opt_date(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, date)
}

fn product(r: &ProductReport) -> Value {
    json!({
        "product": r.product,
        "edges": r.edges.iter().map(edge).collect::<Vec<_>>(),
        "alerts": r.alerts.iter().map(alert).collect::<Vec<_>>(),
        "targets": r.targets.iter().map(target).collect::<Vec<_>>(),
        "grain": r.grain.as_str(),
        "periods": {
            "first": opt_date(r.periods.first().copied()),
            "last": opt_date(r.periods.last().copied()),
            "count": r.periods.len(),
        },
        "attribution": r.attribution.as_ref().map_or(Value::Null, attribution),
        "trends": r.trends.iter().map(trend).collect::<Vec<_>>(),
        "bands": r.bands.iter().map(band).collect::<Vec<_>>(),
    })
}

fn edge(e: &Edge) -> Value {
    json!({
        "from": e.from,
        "to": e.to,
        "lag": e.lag,
        "correlation": opt(e.correlation),
        "low": opt(e.low),
        "high": opt(e.high),
        "n": e.n,
        "verdict": e.verdict.as_str(),
        "by_lag": e.by_lag.iter().map(|c| json!({
            "lag": c.lag,
            "n": c.n,
            "correlation": opt(c.r),
        })).collect::<Vec<_>>(),
    })
}

fn alert(a: &Alert) -> Value {
    let evidence = match &a.evidence {
        Evidence::Breach { min, max, values } => json!({
            "min": opt(*min),
            "max": opt(*max),
            "values": values.iter().map(|v| num(*v)).collect::<Vec<_>>(),
        }),
        Evidence::Anomaly(b) => band(b),
        Evidence::Gaming {
            north_star,
            guardrail,
        } => json!({ "north_star": trend(north_star), "guardrail": trend(guardrail) }),
        Evidence::Decoupled {
            north_star,
            outcome,
        } => json!({ "north_star": trend(north_star), "outcome": trend(outcome) }),
        Evidence::OffTrack(t) => target(t),
    };
    json!({
        "kind": a.kind.as_str(),
        "metric": a.metric,
        "period": date(a.period),
        "message": a.message,
        "severity": a.severity.as_str(),
        "periods": a.periods.iter().map(|d| date(*d)).collect::<Vec<_>>(),
        "evidence": evidence,
    })
}

fn target(t: &TargetStatus) -> Value {
    json!({
        "metric": t.metric,
        "by": date(t.by),
        "value": num(t.value),
        "projected": opt(t.projected),
        "on_track": t.on_track,
        "period": opt_date(t.period),
        "basis": t.basis.map(|b| b.as_str()),
        "latest": t.latest.map(|(d, v)| json!({ "period": date(d), "value": num(v) })),
        "trend_per_period": opt(t.trend_per_period),
        "needed_per_period": opt(t.needed_per_period),
        "needed_rate": opt(t.needed_rate),
    })
}

fn trend(t: &Trend) -> Value {
    let f = t.fit;
    json!({
        "metric": t.metric,
        "from": opt_date(t.from),
        "to": opt_date(t.to),
        "periods": t.len,
        "n": f.map(|f| f.n),
        "slope": opt(f.map(|f| f.slope)),
        "intercept": opt(f.map(|f| f.intercept)),
        "stderr": opt(f.map(|f| f.stderr)),
        "t": opt(f.map(|f| f.t)),
        "p": opt(f.map(|f| f.p)),
        "autocorrelation": opt(f.map(|f| f.autocorrelation)),
        "effective_n": opt(f.map(|f| f.effective_n)),
        "p_adjusted": opt(f.map(|f| f.p_adjusted)),
    })
}

fn band(b: &BandCheck) -> Value {
    json!({
        "metric": b.metric,
        "period": date(b.period),
        "value": num(b.value),
        "baseline_from": date(b.baseline_from),
        "baseline_to": date(b.baseline_to),
        "n": b.band.n,
        "median": num(b.band.median),
        "mad": num(b.band.mad),
        "scale": num(b.band.scale),
        "low": num(b.band.low),
        "high": num(b.band.high),
        "outside": b.outside,
    })
}

fn attribution(a: &Attribution) -> Value {
    json!({
        "metric": a.metric,
        "from_period": date(a.from_period),
        "to_period": date(a.to_period),
        "from": num(a.from),
        "to": num(a.to),
        "change": num(a.change()),
        "parts": a.parts.iter().map(|p| json!({
            "operand": p.operand,
            "from": num(p.from),
            "to": num(p.to),
            "contribution": num(p.contribution),
        })).collect::<Vec<_>>(),
    })
}
