//! lodestar's own facts in a MetricFlow project that `lodestar export --to metricflow` wrote:
//! each metric's and semantic model's `config.meta.lodestar`, read back so that the round trip
//! lodestar → MetricFlow → lodestar gives the model it started from.
//!
//! A metric's meta holds its framework facts (role, owner, type, grain, threshold, targets,
//! review), its lodestar `definition`, and a `fingerprint` of the MetricFlow definition written
//! beside it (the metric, the helper metrics made for it, the measures they read). A semantic
//! model's meta holds its lodestar `source`, the product's description and game, the owners'
//! names, and a fingerprint of the semantic model. The importer restores a definition only
//! while the fingerprint still matches what it reads: a definition edited in MetricFlow after
//! the export is translated from MetricFlow instead (and the report says so), so the spec
//! always computes what the MetricFlow project says.
//!
//! Meta is read leniently: anything unknown is ignored, anything malformed is left out with a
//! note, never an error (meta is free-form, and anyone may have written it).
//!
//! [`fingerprint`] is shared with the exporter, which computes it over the same JSON values.

use serde_json::{Map, Value};

use super::Grain;

/// A metric's role, as the meta writes it.
#[derive(Clone, Debug, PartialEq)]
pub enum MetaRole {
    NorthStar,
    Input,
    Guardrail { min: Option<f64>, max: Option<f64> },
    Outcome,
}

/// `config.meta.lodestar` of a metric.
#[derive(Clone, Debug, Default)]
pub struct MetricMeta {
    pub name: Option<String>,
    pub role: Option<MetaRole>,
    pub owner: Option<String>,
    pub ty: Option<&'static str>,
    pub grain: Option<Grain>,
    /// Whether the spec wrote the grain (`grain_written: false`: the default, `week`).
    pub grain_written: bool,
    pub targets: Vec<(String, f64)>,
    pub review: Option<(Option<&'static str>, Option<String>)>,
    /// The lodestar metric a helper metric was made for (a ratio side).
    pub helper_of: Option<String>,
    pub definition: Option<Value>,
    pub fingerprint: Option<String>,
}

/// An owner's details, from a semantic model's meta.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OwnerMeta {
    pub key: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub slack: Option<String>,
}

/// A lodestar source, from a semantic model's meta.
#[derive(Clone, Debug, Default)]
pub struct SourceMeta {
    pub name: String,
    pub description: Option<String>,
    pub table: Option<String>,
    pub sql: Option<String>,
    pub time: String,
    pub columns: Option<Vec<(String, Option<String>)>>,
    pub dimensions: Vec<(String, String)>,
}

/// `config.meta.lodestar` of a semantic model.
#[derive(Clone, Debug, Default)]
pub struct ModelMeta {
    pub source: Option<SourceMeta>,
    pub product_description: Option<String>,
    pub game: Option<String>,
    pub owners: Vec<OwnerMeta>,
    pub fingerprint: Option<String>,
}

/// `config.meta.lodestar` of a definition's raw value, when there is one.
pub fn lodestar(raw: &Value) -> Option<&Value> {
    raw.get("config")?.get("meta")?.get("lodestar")
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

/// A number as YAML may write it (`0.02`, `500`) or as a quoted string.
fn number(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        .filter(|x: &f64| x.is_finite())
}

/// A metric's meta; `None` without one. `problems` gets what was malformed and left out.
pub fn metric_meta(raw: &Value, problems: &mut Vec<String>) -> Option<MetricMeta> {
    let v = lodestar(raw)?;
    let Some(map) = v.as_object() else {
        problems.push("`config.meta.lodestar` is not a map; it was ignored".to_owned());
        return None;
    };
    let mut bad = |key: &str, why: &str| {
        problems.push(format!(
            "`config.meta.lodestar.{key}` {why}; it was ignored"
        ))
    };
    let mut m = MetricMeta {
        grain_written: true,
        ..MetricMeta::default()
    };
    let string = |key: &str, bad: &mut dyn FnMut(&str, &str)| -> Option<String> {
        let v = map.get(key)?;
        let s = text(v);
        if s.is_none() {
            bad(key, "is not a string");
        }
        s
    };
    m.name = string("name", &mut bad).filter(|n| {
        let ok = super::lodestar_name(n).0 == *n;
        if !ok {
            bad("name", "is not a lodestar name (snake_case)");
        }
        ok
    });
    m.owner = string("owner", &mut bad).filter(|o| {
        let ok = super::lodestar_name(o).0 == *o;
        if !ok {
            bad("owner", "is not an owner key (snake_case)");
        }
        ok
    });
    m.helper_of = string("helper_of", &mut bad);
    if let Some(t) = string("type", &mut bad) {
        match crate::model::MetricType::parse(&t) {
            Some(t) => m.ty = Some(t.as_str()),
            None => bad("type", "is not a lodestar metric type"),
        }
    }
    if let Some(g) = string("grain", &mut bad) {
        match Grain::parse(&g) {
            Some(g) => m.grain = Some(g),
            None => bad("grain", "is none of day, week, month, quarter and year"),
        }
    }
    match map.get("grain_written") {
        None => {}
        Some(Value::Bool(b)) => m.grain_written = *b,
        Some(_) => bad("grain_written", "is not true or false"),
    }
    let threshold = match map.get("threshold") {
        None => None,
        Some(Value::Object(t)) => {
            let min = t.get("min").and_then(number);
            let max = t.get("max").and_then(number);
            if t.get("min").is_some_and(|v| number(v).is_none())
                || t.get("max").is_some_and(|v| number(v).is_none())
                || (min.is_none() && max.is_none())
                || min.zip(max).is_some_and(|(lo, hi)| lo > hi)
            {
                bad("threshold", "is not `{min: X, max: Y}` with a bound");
                None
            } else {
                Some((min, max))
            }
        }
        Some(_) => {
            bad("threshold", "is not a map");
            None
        }
    };
    if let Some(r) = string("role", &mut bad) {
        m.role = match r.as_str() {
            "north_star" => Some(MetaRole::NorthStar),
            "input" => Some(MetaRole::Input),
            "outcome" => Some(MetaRole::Outcome),
            "guardrail" => match threshold {
                Some((min, max)) => Some(MetaRole::Guardrail { min, max }),
                None => {
                    bad("role", "is a guardrail without a valid `threshold`");
                    None
                }
            },
            _ => {
                bad(
                    "role",
                    "is none of north_star, input, guardrail and outcome",
                );
                None
            }
        };
    }
    match map.get("targets") {
        None => {}
        Some(Value::Array(items)) => {
            for t in items {
                let by = t
                    .get("by")
                    .and_then(text)
                    .filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok());
                match (by, t.get("value").and_then(number)) {
                    (Some(by), Some(value)) => m.targets.push((by, value)),
                    _ => bad(
                        "targets",
                        "has an entry that is not `{by: YYYY-MM-DD, value: X}`",
                    ),
                }
            }
        }
        Some(_) => bad("targets", "is not a list"),
    }
    match map.get("review") {
        None => {}
        Some(Value::Object(r)) => {
            let cadence = r
                .get("cadence")
                .and_then(Value::as_str)
                .and_then(crate::model::Cadence::parse);
            let last = r
                .get("last_reviewed")
                .and_then(text)
                .filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok());
            if (r.contains_key("cadence") && cadence.is_none())
                || (r.contains_key("last_reviewed") && last.is_none())
            {
                bad("review", "has a cadence or date lodestar cannot read");
            } else {
                m.review = Some((cadence.map(|c| c.as_str()), last));
            }
        }
        Some(_) => bad("review", "is not a map"),
    }
    m.definition = map.get("definition").cloned();
    m.fingerprint = string("fingerprint", &mut bad);
    Some(m)
}

/// A semantic model's meta; `None` without one.
pub fn model_meta(raw: &Value, problems: &mut Vec<String>) -> Option<ModelMeta> {
    let v = lodestar(raw)?;
    let Some(map) = v.as_object() else {
        problems.push("`config.meta.lodestar` is not a map; it was ignored".to_owned());
        return None;
    };
    let mut out = ModelMeta {
        fingerprint: map.get("fingerprint").and_then(text),
        ..ModelMeta::default()
    };
    if let Some(s) = map.get("source") {
        match source(s) {
            Ok(s) => out.source = Some(s),
            Err(why) => problems.push(format!(
                "`config.meta.lodestar.source` {why}; it was ignored"
            )),
        }
    }
    if let Some(p) = map.get("product").and_then(Value::as_object) {
        out.product_description = p.get("description").and_then(text);
        out.game = p
            .get("game")
            .and_then(Value::as_str)
            .and_then(crate::model::Game::parse)
            .map(|g| g.as_str().to_owned());
    }
    if let Some(owners) = map.get("owners").and_then(Value::as_object) {
        for (key, o) in owners {
            if super::lodestar_name(key).0 != *key {
                problems.push(format!(
                    "owner `{key}` in `config.meta.lodestar.owners` is not an owner key; it was \
                     ignored"
                ));
                continue;
            }
            out.owners.push(OwnerMeta {
                key: key.clone(),
                name: o.get("name").and_then(text),
                email: o.get("email").and_then(text),
                slack: o.get("slack").and_then(text),
            });
        }
    }
    Some(out)
}

fn source(v: &Value) -> Result<SourceMeta, String> {
    let s = v.as_object().ok_or("is not a map")?;
    let get = |k: &str| s.get(k).and_then(text);
    let name = get("name").ok_or("has no `name`")?;
    if super::lodestar_name(&name).0 != name {
        return Err(format!("names `{name}`, which is not a lodestar name"));
    }
    let time = get("time").ok_or("has no `time`")?;
    let (table, sql) = (get("table"), get("sql"));
    if table.is_some() == sql.is_some() {
        return Err("has not exactly one of `table` and `sql`".to_owned());
    }
    let columns = match s.get("columns") {
        None => None,
        // Names, or `{name, type}` maps.
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|c| match c {
                    Value::Object(_) => c
                        .get("name")
                        .and_then(text)
                        .map(|n| (n, c.get("type").and_then(text))),
                    other => text(other).map(|c| (c, None)),
                })
                .collect::<Option<Vec<_>>>()
                .ok_or("has a column that is not a name")?,
        ),
        Some(Value::Object(items)) => Some(
            items
                .iter()
                .map(|(k, t)| (k.clone(), text(t).filter(|t| !t.is_empty())))
                .collect::<Vec<_>>(),
        ),
        Some(_) => return Err("has `columns` that are neither a list nor a map".to_owned()),
    };
    let dimensions = match s.get("dimensions") {
        None => Vec::new(),
        // `{name, expr}` maps, in the spec's order.
        Some(Value::Array(d)) => d
            .iter()
            .map(|x| {
                x.get("name")
                    .and_then(text)
                    .zip(x.get("expr").and_then(text))
            })
            .collect::<Option<Vec<_>>>()
            .ok_or("has a dimension that is not `{name, expr}`")?,
        Some(_) => return Err("has `dimensions` that are not a list".to_owned()),
    };
    Ok(SourceMeta {
        name,
        description: get("description"),
        table,
        sql,
        time,
        columns,
        dimensions,
    })
}

/// The names of the metrics a metric definition reads (ratio sides, derived inputs).
pub fn metric_inputs(metric: &Value) -> Vec<String> {
    let tp = &metric["type_params"];
    let name = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        other => other.get("name").and_then(text),
    };
    let mut out: Vec<String> = ["numerator", "denominator"]
        .iter()
        .filter_map(|k| tp.get(*k).and_then(name))
        .collect();
    if let Some(items) = tp.get("metrics").and_then(Value::as_array) {
        out.extend(items.iter().filter_map(name));
    }
    out
}

/// The names of the measures a metric definition reads.
fn measure_inputs(metric: &Value) -> Vec<String> {
    let tp = &metric["type_params"];
    let name = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        other => other.get("name").and_then(text),
    };
    let mut out: Vec<String> = tp.get("measure").and_then(name).into_iter().collect();
    if let Some(c) = tp.get("conversion_type_params") {
        for k in ["base_measure", "conversion_measure"] {
            out.extend(c.get(k).and_then(name));
        }
    }
    out
}

/// A definition without what does not change its numbers: its meta, description and label.
pub fn strip(v: &Value, also: &[&str]) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| {
                    !["config", "description", "label"].contains(&k.as_str())
                        && !also.contains(&k.as_str())
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Map<_, _>>(),
        ),
        other => other.clone(),
    }
}

/// The fingerprint of a metric's MetricFlow definition: the metric, the helper metrics made
/// for it (those whose meta says `helper_of` it), and the measures these read. `metrics` and
/// `measures` are every metric and measure of the project, as JSON.
pub fn metric_fingerprint(metric: &Value, metrics: &[&Value], measures: &[&Value]) -> String {
    let own = lodestar(metric)
        .and_then(|l| l.get("name"))
        .or_else(|| metric.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut parts = vec![strip(metric, &[])];
    let mut names = measure_inputs(metric);
    for input in metric_inputs(metric) {
        let helper = metrics.iter().find(|d| {
            d.get("name").and_then(Value::as_str) == Some(input.as_str())
                && lodestar(d)
                    .and_then(|l| l.get("helper_of"))
                    .and_then(Value::as_str)
                    == Some(own)
        });
        if let Some(h) = helper {
            parts.push(strip(h, &[]));
            names.extend(measure_inputs(h));
        }
    }
    for n in names {
        match measures
            .iter()
            .find(|x| x.get("name").and_then(Value::as_str) == Some(n.as_str()))
        {
            Some(x) => parts.push(strip(x, &[])),
            None => parts.push(Value::String(format!("no measure {n}"))),
        }
    }
    fingerprint(&parts)
}

/// The fingerprint of a semantic model's definition, its measures aside (each metric's
/// fingerprint covers the measures it reads).
pub fn model_fingerprint(model: &Value) -> String {
    fingerprint(&[strip(model, &["measures"])])
}

/// A short hash of JSON values, the same whatever the key order or how a number was written
/// (`500` and `500.0` are one number): FNV-1a over a canonical text.
pub fn fingerprint(parts: &[Value]) -> String {
    let mut text = String::new();
    for p in parts {
        canonical(p, &mut text);
        text.push('\n');
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&format!("{}", n.as_f64().unwrap_or(f64::NAN))),
        Value::String(s) => out.push_str(&serde_json::to_string(s).unwrap_or_default()),
        Value::Array(items) => {
            out.push('[');
            for i in items {
                canonical(i, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for k in keys {
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                out.push(':');
                canonical(&m[k], out);
                out.push(',');
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{fingerprint, metric_meta, MetaRole};

    /// Key order and how a number is written do not change a fingerprint; a value does.
    #[test]
    fn fingerprints_ignore_layout_not_values() {
        let a = fingerprint(&[json!({"a": 500, "b": "x"})]);
        assert_eq!(a, fingerprint(&[json!({"b": "x", "a": 500.0})]));
        assert_ne!(a, fingerprint(&[json!({"a": 501, "b": "x"})]));
    }

    /// Malformed keys are left out with a note; the rest is read.
    #[test]
    fn malformed_meta_is_ignored_key_by_key() {
        let raw = json!({"config": {"meta": {"lodestar": {
            "role": "guardrail", "threshold": {"max": "0.5"}, "owner": "Not A Key",
            "type": "vanity_stuff", "grain": "month", "targets": [{"by": "soon", "value": 1}]
        }}}});
        let mut problems = Vec::new();
        let m = metric_meta(&raw, &mut problems).unwrap();
        assert_eq!(
            m.role,
            Some(MetaRole::Guardrail {
                min: None,
                max: Some(0.5)
            })
        );
        assert_eq!(m.owner, None);
        assert_eq!(m.ty, None);
        assert_eq!(m.grain, Some(super::Grain::Month));
        assert!(m.targets.is_empty());
        assert_eq!(problems.len(), 3, "{problems:?}");
        let mut problems = Vec::new();
        assert!(
            metric_meta(&json!({"config": {"meta": {"lodestar": 3}}}), &mut problems).is_none()
        );
        assert_eq!(problems.len(), 1);
        assert!(metric_meta(&json!({"name": "x"}), &mut problems).is_none());
    }
}
