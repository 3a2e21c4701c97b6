//! MetricFlow's YAML, read into our own structs: semantic models (entities, dimensions,
//! measures), metrics of the five kinds, and nothing else. serde-saphyr reads each file into a
//! generic value first, so that files that are not semantic-layer YAML (a dbt model's
//! `schema.yml`, `dbt_project.yml`) are recognised and skipped by their keys, and so that each
//! semantic model or metric is read on its own and a misshapen one is named in the error.
//!
//! Unknown keys are ignored: MetricFlow's files carry `config`, `meta`, `label` and keys of newer
//! versions that do not change a metric's numbers; those that do are read here and reported by
//! the importer when it cannot carry them over. Semantic models and metrics keep their text as
//! read (`raw`), where [`super::meta`] finds `config.meta.lodestar` whatever its shape.

use serde::de::{self, Deserializer};
use serde::Deserialize;
use serde_json::Value;

use super::ImportError;

/// Every semantic model and metric of a project, in the order of the files (sorted by path)
/// and of their entries.
#[derive(Debug, Default)]
pub struct Manifest {
    pub semantic_models: Vec<SemanticModel>,
    pub metrics: Vec<MetricDef>,
    /// Saved queries by name: MetricFlow's stored queries, which lodestar has no form for.
    pub saved_queries: Vec<String>,
    /// The files read as semantic-layer YAML.
    pub files: Vec<String>,
}

/// A string that YAML may have written as a number or a boolean (`expr: 1`, `expr: true`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(Text(s)),
            Value::Number(n) => Ok(Text(n.to_string())),
            Value::Bool(b) => Ok(Text(b.to_string())),
            other => Err(de::Error::custom(format!(
                "expected a string, found {}",
                kind(&other)
            ))),
        }
    }
}

/// A metric or measure input's `filter`: one Jinja-templated SQL condition, or a list of them
/// (all must hold).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters(pub Vec<String>);

impl<'de> Deserialize<'de> for Filters {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Filters, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(Filters::default()),
            Value::String(s) => Ok(Filters(vec![s])),
            Value::Array(items) => items
                .into_iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s),
                    other => Err(de::Error::custom(format!(
                        "expected a filter string, found {}",
                        kind(&other)
                    ))),
                })
                .collect::<Result<_, _>>()
                .map(Filters),
            other => Err(de::Error::custom(format!(
                "expected a filter string or a list of them, found {}",
                kind(&other)
            ))),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct SemanticModel {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// dbt: `ref('orders')`.
    #[serde(default)]
    pub model: Option<String>,
    /// MetricFlow-native (and dbt's compiled manifest): the relation itself.
    #[serde(default)]
    pub node_relation: Option<NodeRelation>,
    #[serde(default)]
    pub defaults: Option<Defaults>,
    #[serde(default)]
    pub primary_entity: Option<String>,
    #[serde(default)]
    pub entities: Vec<Entity>,
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
    #[serde(default)]
    pub measures: Vec<MeasureDef>,
    /// The definition as read (for `config.meta.lodestar` and its fingerprint, see
    /// [`super::meta`]): any `config` is kept here whatever its shape, never an error.
    #[serde(skip)]
    pub raw: Value,
}

#[derive(Clone, Debug, Deserialize)]
pub struct NodeRelation {
    pub alias: String,
    #[serde(default)]
    pub schema_name: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Defaults {
    #[serde(default)]
    pub agg_time_dimension: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Entity {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub expr: Option<Text>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Dimension {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub expr: Option<Text>,
    #[serde(default)]
    pub type_params: Option<DimensionParams>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct DimensionParams {
    #[serde(default)]
    pub time_granularity: Option<String>,
    #[serde(default)]
    pub validity_params: Option<Value>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct MeasureDef {
    pub name: String,
    pub agg: String,
    #[serde(default)]
    pub expr: Option<Text>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub create_metric: Option<bool>,
    #[serde(default)]
    pub agg_time_dimension: Option<String>,
    #[serde(default)]
    pub non_additive_dimension: Option<Value>,
    #[serde(default)]
    pub agg_params: Option<AggParams>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct AggParams {
    #[serde(default)]
    pub percentile: Option<f64>,
    #[serde(default)]
    pub use_discrete_percentile: Option<bool>,
    #[serde(default)]
    pub use_approximate_percentile: Option<bool>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct MetricDef {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub type_params: TypeParams,
    #[serde(default)]
    pub filter: Filters,
    /// MetricFlow's time granularity for the metric (`time_granularity`), when written.
    #[serde(default)]
    pub time_granularity: Option<Value>,
    /// The definition as read (for `config.meta.lodestar` and its fingerprint, see
    /// [`super::meta`]); `Null` for a metric made from `create_metric: true`.
    #[serde(skip)]
    pub raw: Value,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct TypeParams {
    #[serde(default)]
    pub measure: Option<MeasureInput>,
    #[serde(default)]
    pub numerator: Option<MetricInput>,
    #[serde(default)]
    pub denominator: Option<MetricInput>,
    #[serde(default)]
    pub expr: Option<Text>,
    #[serde(default)]
    pub metrics: Option<Vec<MetricInput>>,
    #[serde(default)]
    pub window: Option<Window>,
    #[serde(default)]
    pub grain_to_date: Option<String>,
    #[serde(default)]
    pub cumulative_type_params: Option<CumulativeParams>,
    #[serde(default)]
    pub conversion_type_params: Option<ConversionParams>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct CumulativeParams {
    #[serde(default)]
    pub window: Option<Window>,
    #[serde(default)]
    pub grain_to_date: Option<String>,
    #[serde(default)]
    pub period_agg: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ConversionParams {
    pub entity: String,
    pub base_measure: MeasureInput,
    pub conversion_measure: MeasureInput,
    #[serde(default)]
    pub calculation: Option<String>,
    #[serde(default)]
    pub window: Option<Window>,
    #[serde(default)]
    pub constant_properties: Option<Vec<Value>>,
}

/// A time span: `7 days`, `1 week`, or `{count: 7, granularity: day}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    pub count: u32,
    /// The unit, singular and lowercase (`day`, `week`, `month`, ...), as written otherwise.
    pub unit: String,
    pub text: String,
}

impl<'de> Deserialize<'de> for Window {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Window, D::Error> {
        let (count, unit) = match Value::deserialize(d)? {
            Value::String(s) => {
                let mut parts = s.split_whitespace();
                let (Some(n), Some(u), None) = (parts.next(), parts.next(), parts.next()) else {
                    return Err(de::Error::custom(format!(
                        "`{s}` is not a window such as `7 days`"
                    )));
                };
                let n: u32 = n.parse().map_err(|_| {
                    de::Error::custom(format!("`{s}` is not a window such as `7 days`"))
                })?;
                (n, u.to_owned())
            }
            Value::Object(map) => {
                let count = map
                    .get("count")
                    .and_then(Value::as_u64)
                    .and_then(|c| u32::try_from(c).ok())
                    .ok_or_else(|| de::Error::custom("a window needs a whole `count`"))?;
                let unit = map
                    .get("granularity")
                    .and_then(Value::as_str)
                    .ok_or_else(|| de::Error::custom("a window needs a `granularity`"))?;
                (count, unit.to_owned())
            }
            other => {
                return Err(de::Error::custom(format!(
                    "expected a window such as `7 days`, found {}",
                    kind(&other)
                )))
            }
        };
        let unit = unit.to_ascii_lowercase();
        let unit = unit.strip_suffix('s').unwrap_or(&unit).to_owned();
        Ok(Window {
            count,
            text: format!("{count} {unit}{}", if count == 1 { "" } else { "s" }),
            unit,
        })
    }
}

/// A measure named by a metric: its name, or a map with a filter and options.
#[derive(Clone, Debug, Default)]
pub struct MeasureInput {
    pub name: String,
    pub filter: Filters,
    pub fill_nulls_with: Option<Value>,
    pub join_to_timespine: Option<bool>,
}

impl<'de> Deserialize<'de> for MeasureInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MeasureInput, D::Error> {
        #[derive(Deserialize)]
        struct Full {
            name: String,
            #[serde(default)]
            filter: Filters,
            #[serde(default)]
            fill_nulls_with: Option<Value>,
            #[serde(default)]
            join_to_timespine: Option<bool>,
        }
        match Value::deserialize(d)? {
            Value::String(name) => Ok(MeasureInput {
                name,
                ..MeasureInput::default()
            }),
            v @ Value::Object(_) => {
                let f: Full = serde_json::from_value(v).map_err(de::Error::custom)?;
                Ok(MeasureInput {
                    name: f.name,
                    filter: f.filter,
                    fill_nulls_with: f.fill_nulls_with.filter(|v| !v.is_null()),
                    join_to_timespine: f.join_to_timespine,
                })
            }
            other => Err(de::Error::custom(format!(
                "expected a measure name or map, found {}",
                kind(&other)
            ))),
        }
    }
}

/// A metric named by a ratio or derived metric: its name, or a map with a filter, an alias and
/// an offset.
#[derive(Clone, Debug, Default)]
pub struct MetricInput {
    pub name: String,
    pub filter: Filters,
    pub alias: Option<String>,
    pub offset_window: Option<Window>,
    pub offset_to_grain: Option<String>,
}

impl<'de> Deserialize<'de> for MetricInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MetricInput, D::Error> {
        #[derive(Deserialize)]
        struct Full {
            name: String,
            #[serde(default)]
            filter: Filters,
            #[serde(default)]
            alias: Option<String>,
            #[serde(default)]
            offset_window: Option<Window>,
            #[serde(default)]
            offset_to_grain: Option<String>,
        }
        match Value::deserialize(d)? {
            Value::String(name) => Ok(MetricInput {
                name,
                ..MetricInput::default()
            }),
            v @ Value::Object(_) => {
                let f: Full = serde_json::from_value(v).map_err(de::Error::custom)?;
                Ok(MetricInput {
                    name: f.name,
                    filter: f.filter,
                    alias: f.alias,
                    offset_window: f.offset_window,
                    offset_to_grain: f.offset_to_grain,
                })
            }
            other => Err(de::Error::custom(format!(
                "expected a metric name or map, found {}",
                kind(&other)
            ))),
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

/// The largest file read (as for spec files): MetricFlow projects are a few hundred kilobytes.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;

/// Reads one YAML file into `into` when it holds semantic-layer definitions; returns whether
/// it did. Both layouts are read: dbt's (`semantic_models:`, `metrics:` and `saved_queries:`
/// lists) and MetricFlow's own (documents separated by `---`, each one `semantic_model:`,
/// `metric:`, `saved_query:` or `project_configuration:`). Invalid YAML is an error whatever
/// the file holds: a file that cannot be read might have held definitions.
pub fn read_file(path: &str, text: &str, into: &mut Manifest) -> Result<bool, ImportError> {
    let invalid = |message: String| ImportError::Invalid {
        path: path.to_owned(),
        message,
    };
    if text.len() > MAX_FILE_BYTES {
        return Err(invalid(format!(
            "the file is larger than {} MiB",
            MAX_FILE_BYTES / 1024 / 1024
        )));
    }
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = crate::syntax::MAX_DEPTH;
    budget.max_recorded_anchor_events = 10_000;
    budget.max_nodes = 1_000_000;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    options.with_snippet = false;
    let documents: Vec<Value> = if text.trim().is_empty() {
        Vec::new()
    } else {
        serde_saphyr::from_multiple_with_options(text, options)
            .map_err(|e| invalid(format!("invalid YAML: {}", first_line(&e.to_string()))))?
    };
    let mut found = false;
    for document in documents {
        let Value::Object(mut top) = document else {
            continue;
        };
        // MetricFlow's own layout: one object per document.
        for (key, list) in [
            ("semantic_model", "semantic_models"),
            ("metric", "metrics"),
            ("saved_query", "saved_queries"),
        ] {
            if let Some(item) = top.remove(key) {
                add(list, vec![item], into, &invalid)?;
                found = true;
            }
        }
        found |= top.contains_key("project_configuration");
        for key in ["semantic_models", "metrics", "saved_queries"] {
            let items = match top.remove(key) {
                None => continue,
                Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items,
                Some(other) => {
                    return Err(invalid(format!(
                        "`{key}` must be a list, found {}",
                        kind(&other)
                    )))
                }
            };
            add(key, items, into, &invalid)?;
            found = true;
        }
    }
    if found {
        into.files.push(path.to_owned());
    }
    Ok(found)
}

/// Reads the entries of one list (`semantic_models`, `metrics`, `saved_queries`), naming a
/// misshapen entry in the error.
fn add(
    key: &str,
    items: Vec<Value>,
    into: &mut Manifest,
    invalid: &dyn Fn(String) -> ImportError,
) -> Result<(), ImportError> {
    for (i, item) in items.into_iter().enumerate() {
        let name = item
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| format!("{key}[{i}]"), |n| format!("`{n}`"));
        let what = |e: serde_json::Error| invalid(format!("{key}: {name}: {e}"));
        match key {
            "semantic_models" => {
                let mut m: SemanticModel = serde_json::from_value(item.clone()).map_err(what)?;
                m.raw = item;
                into.semantic_models.push(m);
            }
            "metrics" => {
                let mut m: MetricDef = serde_json::from_value(item.clone()).map_err(what)?;
                m.raw = item;
                into.metrics.push(m);
            }
            _ => into.saved_queries.push(name.trim_matches('`').to_owned()),
        }
    }
    Ok(())
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).trim().to_owned()
}
