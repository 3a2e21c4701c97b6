//! SARIF 2.1.0, the format code-scanning services (GitHub, GitLab, Azure DevOps) read.
//!
//! Every code lodestar can emit is listed as a rule of the driver, so that a result's
//! `ruleIndex` points at its documentation. Columns count Unicode code points
//! (`columnKind: unicodeCodePoints`), as everywhere in lodestar.

use serde_json::{json, Value};

use super::{Diagnostic, Files, Label, Location, Severity};
use crate::diagnostics::Code;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// `repository` (else `homepage`) from Cargo.toml; the field is left out while both are unset.
fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|u| !u.is_empty())
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn rules() -> Vec<Value> {
    Code::ALL
        .iter()
        .map(|info| {
            json!({
                "id": info.as_str(),
                "name": info.name(),
                "shortDescription": { "text": info.summary() },
                "fullDescription": { "text": info.summary() },
                "help": { "text": info.doc(), "markdown": info.doc() },
                "defaultConfiguration": { "level": level(info.default_severity()) },
                "properties": { "configurable": info.configurable() },
            })
        })
        .collect()
}

/// A relative path as a URI reference: `/` separators, anything outside the unreserved set
/// percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn physical(files: &Files, label: &Label) -> Value {
    let at = Location::of(files, label);
    json!({
        "artifactLocation": { "uri": uri(at.path) },
        "region": {
            "startLine": at.start.line,
            "startColumn": at.start.column,
            "endLine": at.end.line,
            "endColumn": at.end.column,
        },
    })
}

fn result(files: &Files, d: &Diagnostic) -> Value {
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    if let Some(note) = &d.note {
        text.push_str("\nnote: ");
        text.push_str(note);
    }
    let mut result = json!({
        "ruleId": d.code,
        "level": level(d.severity),
        "message": { "text": text },
    });
    if let Some(index) = Code::ALL.iter().position(|i| *i == d.code) {
        result["ruleIndex"] = json!(index);
    }
    if let Some((first, rest)) = d.labels.split_first() {
        let mut location = json!({ "physicalLocation": physical(files, first) });
        if let Some(m) = &first.message {
            location["message"] = json!({ "text": m });
        }
        result["locations"] = json!([location]);
        if !rest.is_empty() {
            let related: Vec<Value> = rest
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let mut v = json!({ "id": i + 1, "physicalLocation": physical(files, l) });
                    if let Some(m) = &l.message {
                        v["message"] = json!({ "text": m });
                    }
                    v
                })
                .collect();
            result["relatedLocations"] = json!(related);
        }
    }
    result
}

pub(super) fn render(files: &Files, diagnostics: &[Diagnostic]) -> String {
    let mut driver = json!({
        "name": env!("CARGO_PKG_NAME"),
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules(),
    });
    if let Some(uri) = information_uri() {
        driver["informationUri"] = json!(uri);
    }
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "columnKind": "unicodeCodePoints",
            "results": diagnostics.iter().map(|d| result(files, d)).collect::<Vec<_>>(),
        }],
    });
    let mut out = serde_json::to_string_pretty(&doc).expect("the document serialises");
    out.push('\n');
    out
}
