//! `lodestar schema`: the committed schema is current, and it accepts every reference spec and
//! rejects what the front end rejects (checked with a small draft-07 validator below that
//! covers the keywords the schema uses).

use serde_json::Value;

const REGENERATE: &str = "cargo run --no-default-features -- schema > schema/lodestar.schema.json";

#[test]
fn committed_schema_is_current() {
    let committed = std::fs::read_to_string(lodestar::schema::PATH).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; generate it with `{REGENERATE}`",
            lodestar::schema::PATH
        )
    });
    assert!(
        committed == lodestar::schema::render(),
        "{} is stale; regenerate it with `{REGENERATE}` and commit it",
        lodestar::schema::PATH
    );
}

#[test]
fn the_command_prints_the_schema() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_lodestar"))
        .arg("schema")
        .output()
        .unwrap();
    assert!(o.status.success());
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(doc, lodestar::schema::schema());
    let grains: Vec<&str> = doc["definitions"]["metric"]["properties"]["grain"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(grains, lodestar::model::Grain::NAMES);
}

/// Validates `v` against `schema` (resolving `$ref` in `root`); returns the errors.
fn validate(root: &Value, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/definitions/");
        return validate(root, &root["definitions"][name], v, at, errors);
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            validate(root, s, v, at, errors);
        }
    }
    if let Some(one) = schema.get("oneOf").and_then(Value::as_array) {
        let ok = one
            .iter()
            .filter(|s| {
                let mut e = Vec::new();
                validate(root, s, v, at, &mut e);
                e.is_empty()
            })
            .count();
        if ok != 1 {
            errors.push(format!("{at}: matches {ok} of oneOf"));
        }
    }
    if let Some(c) = schema.get("const") {
        if c != v {
            errors.push(format!("{at}: expected {c}"));
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            errors.push(format!("{at}: {v} not in enum"));
        }
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let fits = |ty: &str| match ty {
            "string" => v.is_string(),
            "number" => v.is_number(),
            "integer" => v.is_i64() || v.is_u64(),
            "object" => v.is_object(),
            "array" => v.is_array(),
            "boolean" => v.is_boolean(),
            _ => false,
        };
        if !types.iter().any(|t| fits(t)) {
            errors.push(format!("{at}: {v} is not {types:?}"));
            return;
        }
    }
    if let Value::Object(map) = v {
        for key in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !map.contains_key(key.as_str().unwrap()) {
                errors.push(format!("{at}: missing {key}"));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, val) in map {
            let here = format!("{at}.{k}");
            match props.and_then(|p| p.get(k)) {
                Some(s) => validate(root, s, val, &here, errors),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => errors.push(format!("{here}: unknown key")),
                    Some(s @ Value::Object(_)) => validate(root, s, val, &here, errors),
                    _ => {}
                },
            }
        }
    }
    if let (Value::Array(items), Some(s)) = (v, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            validate(root, s, item, &format!("{at}[{i}]"), errors);
        }
    }
    if let (Some(n), Some(min)) = (v.as_f64(), schema.get("minimum").and_then(Value::as_f64)) {
        if n < min {
            errors.push(format!("{at}: below {min}"));
        }
    }
}

fn check(text: &str) -> Vec<String> {
    let root = lodestar::schema::schema();
    let doc: Value = serde_saphyr::from_str(text).expect("YAML");
    let mut errors = Vec::new();
    validate(&root, &root, &doc, "$", &mut errors);
    errors
}

#[test]
fn accepts_every_reference_spec() {
    let mut seen = 0;
    for dir in ["specs", "tests/fixtures/valid"] {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "yaml") {
                let errors = check(&std::fs::read_to_string(&path).unwrap());
                assert!(errors.is_empty(), "{}: {errors:?}", path.display());
                seen += 1;
            }
        }
    }
    assert!(seen >= 1);
}

#[test]
fn rejects_what_the_front_end_rejects() {
    let good = include_str!("../fixtures/valid/marketplace.yaml");
    assert!(check(good).is_empty());
    for (from, to, expect) in [
        ("grain: week", "grain: fortnight", "grain"),
        ("agg: sum", "agg: total", "agg"),
        (
            "type: transaction\n  grain",
            "type: pageviews\n  grain",
            "type",
        ),
        (
            "label: Nights booked",
            "lable: Nights booked",
            "lable: unknown key",
        ),
        ("lodestar: 1", "lodestar: 2", "lodestar"),
        ("threshold: { min: 4.5 }", "threshold: { min: high }", "min"),
    ] {
        assert!(good.contains(from), "{from}");
        let errors = check(&good.replacen(from, to, 1));
        assert!(
            errors.iter().any(|e| e.contains(expect)),
            "{to}: {errors:?}"
        );
    }
}
