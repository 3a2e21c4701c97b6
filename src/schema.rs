//! The JSON Schema (draft-07) of the YAML syntax, for editors (yaml-language-server) and other
//! tools. Built from the key lists of [`crate::syntax::keys`] and the names of
//! [`crate::model`]'s enums, so that it cannot drift from what the front end accepts; a test
//! checks that every known key is described.

use serde_json::{json, Map, Value};

use crate::model::{Agg, Cadence, Game, Grain, MetricType};
use crate::syntax::keys;

/// Where the committed schema lives, from the crate root.
pub const PATH: &str = "schema/lodestar.schema.json";

/// The description of each key, by `(object, key)`. Every key of `syntax::keys` has one.
const DESCRIPTIONS: &[(&str, &str, &str)] = &[
    ("file", "lodestar", "The version of the spec language. Always 1; marks the file as a lodestar spec."),
    ("file", "product", "The product's name (snake_case, unique in the project)."),
    ("file", "description", "What the product is, in a sentence."),
    ("file", "game", "The game the product plays: attention, transaction or productivity."),
    ("file", "owners", "Owners by key. Shared by every file of the project."),
    ("file", "sources", "Sources by name: the relations metrics aggregate. Shared by every file of the project."),
    ("file", "north_star", "The product's single North Star: the number that best captures the value users get."),
    ("file", "inputs", "The input metrics that drive the North Star."),
    ("file", "guardrails", "Metrics that must not degrade while the North Star is pushed; each has a threshold."),
    ("owner", "name", "The team's or person's name."),
    ("owner", "email", "A contact email address."),
    ("owner", "slack", "A Slack channel, e.g. \"#growth\"."),
    ("source", "table", "A dotted relation name in the warehouse, e.g. analytics.bookings. Exclusive with `sql`."),
    ("source", "sql", "Exactly one SELECT statement. Exclusive with `table`; joins belong here."),
    ("source", "time", "The timestamp column that places a row in a period."),
    ("source", "columns", "The relation's columns: a list of names, or a map of name to SQL type. When given, fragments may only name these columns."),
    ("source", "dimensions", "Dimensions for breakdowns (`--by`): name to SQL expression over the source's columns."),
    ("source", "description", "What the source holds."),
    ("metric", "name", "The metric's name: snake_case, unique in its product."),
    ("metric", "label", "A human-readable name."),
    ("metric", "description", "What the metric measures and why it matters."),
    ("metric", "owner", "The key of the owner accountable for the metric (declared under `owners`)."),
    ("metric", "type", "The kind of value the metric measures. Vanity types are always rejected."),
    ("metric", "grain", "The period the metric is reported at (default week; weeks start on Monday)."),
    ("metric", "measure", "Compute the metric by aggregating one source."),
    ("metric", "ratio", "Compute the metric as numerator / denominator (NULL when the denominator is zero)."),
    ("metric", "derived", "Compute the metric as an arithmetic expression over other metrics of the product, e.g. nights_booked / confirmed_bookings."),
    ("metric", "window", "A trailing window in days ending at each period, e.g. \"7 days\"."),
    ("metric", "threshold", "For guardrails: the bounds a period's value must stay within."),
    ("metric", "targets", "For the North Star: dated values, the key results set against it."),
    ("metric", "review", "For the North Star: how often it is re-examined, and when it last was."),
    ("metric", "allow", "Rules this metric is exempt from, each with a reason."),
    ("measure", "source", "The name of the source to aggregate."),
    ("measure", "agg", "The aggregation."),
    ("measure", "expr", "The SQL expression aggregated (not for `count`, which counts rows)."),
    ("measure", "p", "For `agg: percentile`: the fraction, between 0 and 1."),
    ("measure", "filter", "A boolean SQL expression: only rows where it holds are aggregated."),
    ("measure", "having", "A per-entity condition with aggregates, e.g. count(distinct user_id) >= 3."),
    ("measure", "window", "A trailing window in days ending at each period, e.g. \"7 days\"."),
    ("ratio", "numerator", "A measure, or the name of another metric of the product."),
    ("ratio", "denominator", "A measure, or the name of another metric of the product."),
    ("threshold", "min", "The guardrail is breached when a period's value falls below this."),
    ("threshold", "max", "The guardrail is breached when a period's value rises above this."),
    ("target", "by", "The date the target is due (YYYY-MM-DD)."),
    ("target", "value", "The value to reach by then."),
    ("review", "cadence", "How often the metric must be reviewed."),
    ("review", "last_reviewed", "The date of the last review (YYYY-MM-DD)."),
    ("allow", "code", "A rule code, e.g. LS105."),
    ("allow", "reason", "Why the rule does not apply here."),
];

fn describe(object: &str, key: &str) -> &'static str {
    DESCRIPTIONS
        .iter()
        .find(|(o, k, _)| *o == object && *k == key)
        .map(|(_, _, d)| *d)
        .unwrap_or("")
}

fn names(list: &[&str]) -> Value {
    Value::Array(
        list.iter()
            .map(|s| Value::String((*s).to_owned()))
            .collect(),
    )
}

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/definitions/{name}") })
}

/// The type of one key, as a schema (without its description).
fn key_type(object: &str, key: &str) -> Value {
    let string = json!({ "type": "string" });
    let date = json!({ "type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$" });
    let number = json!({ "type": "number" });
    let window = json!({
        "type": ["string", "integer"],
        "pattern": "^\\s*\\d+\\s*(d|day|days)?\\s*$",
        "minimum": 1,
        "examples": ["7 days", "28 days"],
    });
    match (object, key) {
        ("file", "lodestar") => json!({ "const": 1 }),
        ("file", "product") | ("metric", "name") => {
            json!({ "type": "string", "pattern": "^[a-z][a-z0-9_]*$" })
        }
        ("file", "game") => json!({ "type": "string", "enum": names(Game::NAMES) }),
        ("file", "owners") => json!({ "type": "object", "additionalProperties": r("owner") }),
        ("file", "sources") => json!({ "type": "object", "additionalProperties": r("source") }),
        ("file", "north_star") => r("metric"),
        ("file", "inputs") | ("file", "guardrails") => {
            json!({ "type": "array", "items": r("metric") })
        }
        ("source", "columns") => json!({
            "oneOf": [
                { "type": "array", "items": { "type": "string" } },
                { "type": "object", "additionalProperties": { "type": "string" } },
            ]
        }),
        ("source", "dimensions") => {
            json!({ "type": "object", "additionalProperties": { "type": "string" } })
        }
        ("metric", "type") => json!({ "type": "string", "enum": names(MetricType::NAMES) }),
        ("metric", "grain") => json!({ "type": "string", "enum": names(Grain::NAMES) }),
        ("metric", "measure") => r("measure"),
        ("metric", "ratio") => r("ratio"),
        ("metric", "window") | ("measure", "window") => window,
        ("metric", "threshold") => r("threshold"),
        ("metric", "targets") => json!({ "type": "array", "items": r("target") }),
        ("metric", "review") => r("review"),
        ("metric", "allow") => json!({
            "type": "array",
            "items": { "oneOf": [{ "type": "string", "pattern": "^LS\\d{3}$" }, r("allow")] }
        }),
        ("measure", "agg") => json!({ "type": "string", "enum": names(Agg::NAMES) }),
        ("measure", "p") => json!({ "type": "number", "minimum": 0, "maximum": 1 }),
        ("ratio", _) => {
            json!({ "oneOf": [r("measure"), { "type": "string", "description": "the name of a metric of the product" }] })
        }
        ("threshold", _) | ("target", "value") => number,
        ("target", "by") | ("review", "last_reviewed") => date,
        ("review", "cadence") => json!({ "type": "string", "enum": names(Cadence::NAMES) }),
        ("allow", "code") => json!({ "type": "string", "pattern": "^LS\\d{3}$" }),
        _ => string,
    }
}

/// An object schema with every key of `list`, each typed and described.
fn object(name: &str, description: &str, list: &[&str], required: &[&str]) -> Value {
    let mut properties = Map::new();
    for key in list {
        let mut schema = key_type(name, key);
        if let Value::Object(o) = &mut schema {
            let text = describe(name, key);
            if o.contains_key("$ref") {
                // draft-07 ignores siblings of `$ref`: wrap it.
                schema = json!({ "allOf": [schema], "description": text });
            } else {
                o.insert("description".into(), Value::String(text.to_owned()));
            }
        }
        properties.insert((*key).to_owned(), schema);
    }
    json!({
        "type": "object",
        "description": description,
        "properties": properties,
        "required": names(required),
        "additionalProperties": false,
    })
}

/// The schema document.
pub fn schema() -> Value {
    let mut root = object(
        "file",
        "A lodestar spec file: one product with its North Star, inputs and guardrails, and owners and sources shared by the project.",
        keys::FILE_KEYS,
        &["lodestar"],
    );
    let mut metric = object(
        "metric",
        "A metric: a name, an owner, a type and exactly one of `measure`, `ratio` or `derived`.",
        keys::METRIC_KEYS,
        &["name"],
    );
    metric["oneOf"] = json!([
        { "required": ["measure"] },
        { "required": ["ratio"] },
        { "required": ["derived"] },
    ]);
    let mut source = object(
        "source",
        "A relation metrics aggregate: a `table` or one `sql` SELECT, and its `time` column.",
        keys::SOURCE_KEYS,
        &["time"],
    );
    source["oneOf"] = json!([{ "required": ["table"] }, { "required": ["sql"] }]);
    let definitions = json!({
        "owner": object("owner", "An owner accountable for metrics.", keys::OWNER_KEYS, &[]),
        "source": source,
        "metric": metric,
        "measure": object("measure", "An aggregation over one source.", keys::MEASURE_KEYS, &["source", "agg"]),
        "ratio": object("ratio", "numerator / denominator.", keys::RATIO_KEYS, &["numerator", "denominator"]),
        "threshold": object("threshold", "Bounds for a guardrail: `min`, `max`, or both.", keys::THRESHOLD_KEYS, &[]),
        "target": object("target", "A dated value to reach.", keys::TARGET_KEYS, &["by", "value"]),
        "review": object("review", "How often the North Star is re-examined.", keys::REVIEW_KEYS, &[]),
        "allow": object("allow", "An exemption from a rule, with its reason.", keys::ALLOW_KEYS, &["code"]),
    });
    let map = root.as_object_mut().expect("an object");
    let mut out = Map::new();
    out.insert(
        "$schema".into(),
        json!("http://json-schema.org/draft-07/schema#"),
    );
    out.insert("title".into(), json!("lodestar spec"));
    for (k, v) in std::mem::take(map) {
        out.insert(k, v);
    }
    out.insert("definitions".into(), definitions);
    Value::Object(out)
}

/// The schema as committed: pretty JSON with a final newline.
pub fn render() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).expect("JSON values serialize");
    text.push('\n');
    text
}

/// Every `(object, key)` the front end knows, for the completeness test.
pub fn known_keys() -> Vec<(&'static str, &'static str)> {
    let lists: [(&str, &[&str]); 10] = [
        ("file", keys::FILE_KEYS),
        ("owner", keys::OWNER_KEYS),
        ("source", keys::SOURCE_KEYS),
        ("metric", keys::METRIC_KEYS),
        ("measure", keys::MEASURE_KEYS),
        ("ratio", keys::RATIO_KEYS),
        ("threshold", keys::THRESHOLD_KEYS),
        ("target", keys::TARGET_KEYS),
        ("review", keys::REVIEW_KEYS),
        ("allow", keys::ALLOW_KEYS),
    ];
    lists
        .iter()
        .flat_map(|(o, ks)| ks.iter().map(move |k| (*o, *k)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_described_and_in_the_schema() {
        let s = schema();
        for (object, key) in known_keys() {
            assert!(
                !describe(object, key).is_empty(),
                "no description for `{key}` of {object}"
            );
            let props = if object == "file" {
                &s["properties"]
            } else {
                &s["definitions"][object]["properties"]
            };
            assert!(
                props.get(key).is_some(),
                "`{key}` of {object} missing from the schema"
            );
        }
    }
}
