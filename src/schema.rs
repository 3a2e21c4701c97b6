//! The JSON Schema (draft-07) of the YAML syntax, for editors (yaml-language-server) and other
//! tools. Generated from the key catalogue ([`crate::syntax::keys`]): one definition per
//! [`Place`], one property per key, typed by its [`Shape`] and described by its doc, so that it
//! cannot drift from what the front end accepts.

use serde_json::{json, Map, Value};

use crate::syntax::keys::{Key, Place, Shape};

/// Where the committed schema lives, from the crate root.
pub const PATH: &str = "schema/lodestar.schema.json";

fn names(list: &[&str]) -> Value {
    Value::Array(
        list.iter()
            .map(|s| Value::String((*s).to_owned()))
            .collect(),
    )
}

fn r(place: Place) -> Value {
    json!({ "$ref": format!("#/definitions/{}", place.name()) })
}

/// A name the spec declares (a product's, a metric's): what LS008 accepts.
const SNAKE_CASE: &str = "^[a-z][a-z0-9_]*$";

/// The type of one key, as a schema (without its description).
fn key_type(key: Key) -> Value {
    match key.shape() {
        Shape::Version => json!({ "const": 1 }),
        Shape::Name if matches!(key, Key::Product | Key::MetricName) => {
            json!({ "type": "string", "pattern": SNAKE_CASE })
        }
        Shape::Choice(list) => json!({ "type": "string", "enum": names(list) }),
        Shape::Number => json!({ "type": "number" }),
        Shape::Fraction => json!({ "type": "number", "minimum": 0, "maximum": 1 }),
        Shape::Date => json!({ "type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$" }),
        Shape::Days => json!({
            "type": ["string", "integer"],
            "pattern": "^\\s*\\d+\\s*(d|day|days)?\\s*$",
            "minimum": 1,
            "examples": ["7 days", "28 days"],
        }),
        Shape::Flag => json!({ "type": "boolean" }),
        Shape::Code => json!({ "type": "string", "pattern": "^([Ll][Ss]\\d{3}|[a-z][a-z-]*)$" }),
        Shape::Text | Shape::Name | Shape::Email | Shape::Table | Shape::Sql | Shape::Select => {
            json!({ "type": "string" })
        }
        Shape::Map(p) => r(p),
        Shape::List(p) => json!({ "type": "array", "items": item(p) }),
        Shape::One(p) => r(p),
        Shape::Named(p) => json!({ "type": "object", "additionalProperties": item(p) }),
        Shape::NamedSql => {
            json!({ "type": "object", "additionalProperties": { "type": "string" } })
        }
        Shape::Columns => json!({
            "oneOf": [
                { "type": "array", "items": { "type": "string" } },
                { "type": "object", "additionalProperties": { "type": ["string", "null"] } },
            ]
        }),
        Shape::Operand => json!({
            "oneOf": [r(Place::Measure), { "type": "string", "description": "the name of a metric of the product" }]
        }),
    }
}

/// One element of a list of `place`: a map, or the scalar its shorthand stands for.
fn item(place: Place) -> Value {
    match place.shorthand() {
        Some(k) => json!({ "oneOf": [key_type(k), r(place)] }),
        None => r(place),
    }
}

/// The object schema of a place: every key, typed and described.
fn object(place: Place) -> Value {
    let mut properties = Map::new();
    for key in place.keys() {
        let mut schema = key_type(key);
        if let Value::Object(o) = &mut schema {
            if o.contains_key("$ref") {
                // draft-07 ignores siblings of `$ref`: wrap it.
                schema = json!({ "allOf": [schema], "description": key.doc() });
            } else {
                o.insert("description".into(), Value::String(key.doc().to_owned()));
            }
        }
        properties.insert(key.name().to_owned(), schema);
    }
    let required: Vec<&str> = place.required().iter().map(|k| k.name()).collect();
    let mut out = json!({
        "type": "object",
        "description": place.doc(),
        "properties": properties,
        "required": names(&required),
        "additionalProperties": false,
    });
    let one_of: Vec<Value> = place
        .one_of()
        .iter()
        .map(|k| json!({ "required": [k.name()] }))
        .collect();
    if !one_of.is_empty() {
        out["oneOf"] = Value::Array(one_of);
    }
    out
}

/// The schema document.
pub fn schema() -> Value {
    let mut definitions = Map::new();
    for place in Place::ALL.iter().filter(|p| **p != Place::File) {
        definitions.insert(place.name().to_owned(), object(*place));
    }
    let mut out = Map::new();
    out.insert(
        "$schema".into(),
        json!("http://json-schema.org/draft-07/schema#"),
    );
    out.insert("title".into(), json!("lodestar spec"));
    if let Value::Object(root) = object(Place::File) {
        out.extend(root);
    }
    out.insert("definitions".into(), Value::Object(definitions));
    Value::Object(out)
}

/// The schema as committed: pretty JSON with a final newline.
pub fn render() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).expect("JSON values serialize");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_described_and_in_the_schema() {
        let s = schema();
        for key in Key::ALL {
            let place = key.place();
            let props = if place == Place::File {
                &s["properties"]
            } else {
                &s["definitions"][place.name()]["properties"]
            };
            let prop = &props[key.name()];
            assert!(!prop.is_null(), "{key:?} missing from the schema");
            assert_eq!(prop["description"], key.doc(), "{key:?}");
        }
    }
}
