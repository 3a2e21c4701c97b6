//! Readable text for the parts of a metric: its computation, threshold and targets. Used by the
//! documentation pages and by `lodestar diff` to show a definition before and after.

use crate::model::{
    Agg, Compare, Compute, Conversion, Fragment, Measure, Metric, Operand, Over, Parsed, Project,
    Threshold,
};

/// A fragment as written, on one line.
pub fn fragment(f: &Fragment) -> String {
    f.text
        .value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A fragment in a normal form, for comparison: sqlparser's rendering of its parse, so that
/// whitespace and layout do not count as a change. Falls back to the written text.
pub fn normal(f: &Fragment) -> String {
    match &f.parsed {
        Ok(Parsed::Expr(e)) => e.to_string(),
        Ok(Parsed::Select(q)) => q.to_string(),
        Err(_) => fragment(f),
    }
}

/// `sum(nights)`, `count()`, `percentile(latency_ms, 0.9)`.
pub fn aggregate(m: &Measure) -> String {
    let expr = m.expr.as_ref().map(fragment).unwrap_or_default();
    match m.agg.value {
        Agg::Percentile(p) => format!("percentile({expr}, {})", number(p)),
        agg => format!("{}({expr})", agg.name()),
    }
}

/// `sum(nights) from bookings where status = 'confirmed'`, with `having` when given.
pub fn measure(m: &Measure) -> String {
    let mut s = format!("{} from {}", aggregate(m), m.source.value);
    if let Some(f) = &m.filter {
        s.push_str(" where ");
        s.push_str(&fragment(f));
    }
    if let Some(h) = &m.having {
        s.push_str(" having ");
        s.push_str(&fragment(h));
    }
    if let Some(o) = &m.over {
        s.push_str(", ");
        s.push_str(&over(o.value));
    }
    s
}

/// `over the trailing 7 days`, `month to date`, `cumulative`.
pub fn over(o: Over) -> String {
    match o {
        Over::Window(n) => format!("over the trailing {n} days"),
        Over::ToDate(g) => format!("{g} to date"),
        Over::Cumulative => "cumulative since the first row".to_owned(),
    }
}

/// `growth of nights_booked since 1 period earlier`.
pub fn compare(c: &Compare) -> String {
    let periods = if c.offset.value == 1 {
        "1 period".to_owned()
    } else {
        format!("{} periods", c.offset.value)
    };
    let what = match c.as_.value {
        crate::model::CompareAs::Value => "value",
        crate::model::CompareAs::Change => "change",
        crate::model::CompareAs::Growth => "growth",
    };
    format!("{what} of {} since {periods} earlier", c.metric.value)
}

/// `rate of guest_id from searches to bookings where status = 'confirmed' within 7 days`.
pub fn conversion(c: &Conversion) -> String {
    let side = |s: &crate::model::Side| match &s.filter {
        Some(f) => format!("{} where {}", s.source.value, fragment(f)),
        None => s.source.value.clone(),
    };
    format!(
        "{} of {} from {} to {} within {} days",
        c.as_.value,
        fragment(&c.entity),
        side(&c.base),
        side(&c.event),
        c.within.value
    )
}

pub fn operand(o: &Operand) -> String {
    match o {
        Operand::Measure(m) => measure(m),
        Operand::Metric(name) => name.value.clone(),
    }
}

/// The whole computation on one line.
pub fn compute(c: &Compute) -> String {
    match c {
        Compute::Measure(m) => measure(m),
        Compute::Ratio {
            numerator,
            denominator,
            ..
        } => {
            format!("({}) / ({})", operand(numerator), operand(denominator))
        }
        Compute::Derived { expr, .. } => fragment(expr),
        Compute::Compare(c) => compare(c),
        Compute::Conversion(c) => conversion(c),
    }
}

/// `measure`, `ratio`, `derived`, `compare` or `conversion`.
pub fn compute_kind(c: &Compute) -> &'static str {
    c.kind()
}

/// `>= 4.5`, `<= 0.02`, `between 1 and 3`.
pub fn threshold(t: &Threshold) -> String {
    match (&t.min, &t.max) {
        (Some(min), Some(max)) => {
            format!("between {} and {}", number(min.value), number(max.value))
        }
        (Some(min), None) => format!(">= {}", number(min.value)),
        (None, Some(max)) => format!("<= {}", number(max.value)),
        (None, None) => "none".to_owned(),
    }
}

/// `120000 by 2026-12-31; 150000 by 2027-06-30`.
pub fn targets(m: &Metric) -> String {
    if m.targets.is_empty() {
        return "none".to_owned();
    }
    m.targets
        .iter()
        .map(|t| format!("{} by {}", number(t.value.value), t.by.value))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A number without a trailing `.0`.
pub fn number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A source's definition: `table analytics.bookings at booked_at`.
pub fn source(project: &Project, name: &str) -> Option<String> {
    let s = project.source(name)?;
    let relation = match &s.relation {
        Some(crate::model::Relation::Table(parts)) => format!("table {}", parts.value.join(".")),
        Some(crate::model::Relation::Sql(f)) => format!("sql `{}`", fragment(f)),
        None => "no relation".to_owned(),
    };
    let time = s.time.as_ref().map(|t| t.value.as_str()).unwrap_or("?");
    Some(format!("{relation} at {time}"))
}
