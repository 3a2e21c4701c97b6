//! Help that points the right way: what people from other tools write, and the mistakes a DSL
//! file invites, get the fix that keeps the metric's meaning.

use lodestar::project;

use super::common::*;

/// Every (code, message, help) of one spec file.
fn diagnostics(name: &str, text: &str) -> Vec<(String, String, String)> {
    let ws = project::in_memory(&[(name, text)]);
    project::analyze(&ws, today())
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.code.to_string(),
                d.message.clone(),
                d.help.clone().unwrap_or_default(),
            )
        })
        .collect()
}

const SPEC: &str = "lodestar: 1\nproduct: p\nowners:\n  t: { name: T }\nsources:\n  s: { table: s, time: at }\n\
north_star:\n  name: m\n  owner: t\n  type: transaction\n  description: d\n  measure: { source: s, agg: sum, expr: x }\n\
guardrails:\n  - name: g\n    owner: t\n    type: quality\n    description: d\n    measure: { source: s, agg: count }\n    threshold: { min: 1 }\n";

#[test]
fn the_fixture_is_clean() {
    assert_eq!(diagnostics("p.yaml", SPEC), Vec::new());
}

#[test]
fn mean_suggests_avg_not_median() {
    for (written, meant) in [
        ("mean", "avg"),
        ("average", "avg"),
        ("total", "sum"),
        ("distinct", "count_distinct"),
    ] {
        let spec = SPEC.edit("agg: sum", &format!("agg: {written}"));
        let found = diagnostics("p.yaml", &spec);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "LS903");
        assert!(
            found[0].2.starts_with(&format!("did you mean `{meant}`?")),
            "{written}: {found:?}"
        );
    }
}

#[test]
fn an_unclosed_dsl_block_is_named_as_such() {
    let lode = "lodestar 1\nproduct p\nowner t \"T\"\nsource s from s at at\n\
north star m {\n  owner t\n  type transaction\n  description \"d\"\n  measure sum(x) from s\n\n\
guardrail g {\n  owner t\n  type quality\n  description \"d\"\n  measure count() from s\n  threshold >= 1\n}\n";
    let found = diagnostics("p.lode", lode);
    assert!(
        found.iter().any(|(code, message, help)| code == "LS902"
            && message == "`guardrail` starts a new top-level statement in a metric: the block above it is not closed"
            && help.contains("missing `}`")),
        "{found:?}"
    );
    let closed = lode.edit(
        "  measure sum(x) from s\n\n",
        "  measure sum(x) from s\n}\n",
    );
    assert_eq!(diagnostics("p.lode", &closed), Vec::new());
}
