//! Every format on the same findings: two files, an error with a label in the other file, a
//! warning with a note, a finding without a position, and text that needs escaping.

use serde_json::Value;

use super::{render_styled, summary, Format, Style};
use crate::diagnostics::{Code, Diagnostic, Files, Span};

const SPEC: &str = "lodestar: 1\nproduct: shop\nnorth_star:\n  name: orders\n  owner: growht\n  label: \"Größe, 50%: ok\"\n";
const SHARED: &str = "owners:\n  growth: { name: Growth }\n";

fn sample() -> (Files, Vec<Diagnostic>) {
    let mut files = Files::new();
    let spec = files.add("specs/shop.yaml", SPEC);
    let shared = files.add("specs/owners.yaml", SHARED);
    let at = |file, needle: &str, text: &str| {
        let start = text.find(needle).expect("needle in text");
        Span::new(file, start, start + needle.len())
    };
    let diagnostics = vec![
        Diagnostic::error(
            Code::OwnerDeclared,
            "metric `orders` names owner `growht`, which is not declared",
        )
        .label(at(spec, "growht", SPEC), "unknown owner")
        .label(at(shared, "growth", SHARED), "did you mean this owner?")
        .help("declare the owner, or fix the name"),
        Diagnostic::warning(
            Code::VanityName,
            "label `Größe, 50%: ok` reads like a vanity metric",
        )
        .label(at(spec, "\"Größe, 50%: ok\"", SPEC), "")
        .note("a note, over\ntwo lines"),
        Diagnostic::error(Code::Config, "lodestar.toml could not be read"),
    ];
    (files, diagnostics)
}

fn render(format: Format) -> String {
    let (files, diagnostics) = sample();
    render_styled(format, &files, &diagnostics, Style::PLAIN)
}

#[test]
fn human() {
    insta::assert_snapshot!(render(Format::Human));
}

#[test]
fn human_ascii_is_ascii() {
    let (files, diagnostics) = sample();
    let style = Style {
        unicode: false,
        ..Style::PLAIN
    };
    let out = render_styled(Format::Human, &files, &diagnostics, style);
    let drawing = out.lines().filter(|l| !l.contains("Größe"));
    assert!(drawing.clone().all(|l| l.is_ascii()), "{out}");
    assert!(!out.contains('\u{1b}'));
}

#[test]
fn human_colour_only_when_asked() {
    let (files, diagnostics) = sample();
    let coloured = render_styled(
        Format::Human,
        &files,
        &diagnostics,
        Style {
            color: true,
            ..Style::PLAIN
        },
    );
    assert!(coloured.contains('\u{1b}'));
    assert!(!render(Format::Human).contains('\u{1b}'));
}

#[test]
fn human_skips_lines_too_long_to_draw() {
    let long = format!("description: {}\n", "a".repeat(100_000));
    let mut files = Files::new();
    let id = files.add("big.yaml", long.clone());
    let d = Diagnostic::error(Code::Syntax, "too large")
        .label(Span::new(id, 13, long.len() - 1), "here");
    let out = render_styled(Format::Human, &files, &[d], Style::PLAIN);
    assert!(out.len() < 1_000, "{}", &out[..1_000]);
    assert!(out.contains("at big.yaml:1:14: here"), "{out}");
}

#[test]
fn human_survives_spans_past_the_end() {
    let mut files = Files::new();
    let id = files.add("a.yaml", "é");
    let d = Diagnostic::error(Code::Syntax, "odd span").label(Span::new(id, 1, 40), "here");
    let out = render_styled(Format::Human, &files, &[d], Style::PLAIN);
    assert!(out.contains("odd span"), "{out}");
}

#[test]
fn concise() {
    insta::assert_snapshot!(render(Format::Concise));
}

#[test]
fn github() {
    insta::assert_snapshot!(render(Format::Github));
}

#[test]
fn json() {
    let out = render(Format::Json);
    insta::assert_snapshot!(out);
    let doc: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["summary"]["errors"], 2);
    assert_eq!(doc["summary"]["warnings"], 1);
    // Columns count characters, offsets count bytes.
    let warning = &doc["diagnostics"][1];
    assert_eq!(warning["span"]["start"]["line"], 6);
    assert_eq!(warning["span"]["start"]["column"], 10);
    let end = &warning["span"]["end"];
    assert_eq!(end["column"], 10 + "\"Größe, 50%: ok\"".chars().count());
    assert_eq!(
        end["offset"].as_u64().unwrap() - warning["span"]["start"]["offset"].as_u64().unwrap(),
        "\"Größe, 50%: ok\"".len() as u64
    );
    assert_eq!(
        doc["diagnostics"][0]["labels"][1]["file"],
        "specs/owners.yaml"
    );
    assert!(doc["diagnostics"][2]["file"].is_null());
}

#[test]
fn sarif() {
    let out = render(Format::Sarif);
    let doc: Value = serde_json::from_str(&out).expect("valid JSON");
    // The rule table carries every rule's documentation, pinned by the rules' own tests; the
    // snapshot keeps the ids.
    let mut pinned = doc.clone();
    let rules = &mut pinned["runs"][0]["tool"]["driver"]["rules"];
    *rules = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    insta::assert_snapshot!(serde_json::to_string_pretty(&pinned).unwrap());
    let first = &doc["runs"][0]["tool"]["driver"]["rules"][0];
    assert_eq!(first["id"], crate::diagnostics::Code::ALL[0].as_str());
    assert_eq!(
        first["help"]["markdown"],
        crate::diagnostics::Code::ALL[0].doc()
    );
    assert_eq!(first["defaultConfiguration"]["level"], "error");
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), crate::diagnostics::Code::ALL.len());
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
    }
    let related = &results[0]["relatedLocations"][0]["physicalLocation"];
    assert_eq!(related["artifactLocation"]["uri"], "specs/owners.yaml");
    assert_eq!(related["region"]["startLine"], 2);
}

#[test]
fn summary_lines() {
    let e = || Diagnostic::error(Code::OneNorthStar, "e");
    let w = || Diagnostic::warning(Code::Description, "w");
    assert_eq!(summary(&[]), "All checks passed.");
    assert_eq!(summary(&[e()]), "Found 1 error.");
    assert_eq!(summary(&[w(), w()]), "Found 2 warnings.");
    assert_eq!(summary(&[e(), e(), w()]), "Found 2 errors and 1 warning.");
}
