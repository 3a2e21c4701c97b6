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

/// One diagnostic with where its first label points: file, line, column (1-based) and the text
/// there.
#[derive(Debug, PartialEq)]
struct Found {
    code: String,
    message: String,
    help: String,
    at: (String, usize, usize),
    text: String,
}

fn located(files: &[(&str, &str)]) -> Vec<Found> {
    let ws = project::in_memory(files);
    project::analyze(&ws, today())
        .diagnostics
        .iter()
        .map(|d| {
            let span = d.labels[0].span;
            let file = ws.files.get(span.file);
            let (line, col) = file.line_col(span.start as usize);
            Found {
                code: d.code.to_string(),
                message: d.message.clone(),
                help: d.help.clone().unwrap_or_default(),
                at: (file.path.clone(), line, col),
                text: ws.files.text(span).to_owned(),
            }
        })
        .collect()
}

/// The DSL form of [`SPEC`].
const LODE: &str = "lodestar 1\nproduct p\n\nowner t \"T\"\n\nsource s from s at at\n\n\
north star m {\n  description \"d\"\n  owner t\n  type transaction\n  measure sum(x) from s\n}\n\n\
guardrail g {\n  description \"d\"\n  owner t\n  type quality\n  measure count() from s\n  threshold >= 1\n}\n";

#[test]
fn the_dsl_fixture_is_clean() {
    assert_eq!(located(&[("p.lode", LODE)]), Vec::new());
}

#[test]
fn a_metricflow_template_names_the_plain_column() {
    for (template, column) in [
        ("{{ Dimension('order__status') }}", "status"),
        ("{{ TimeDimension('metric_time', 'day') }}", "metric_time"),
        ("{{Entity('user')}}", "user"),
    ] {
        let lode = LODE.edit(
            "measure sum(x) from s\n",
            &format!("measure sum(x) from s where {template} = 'delivered'\n"),
        );
        let found = located(&[("p.lode", &lode)]);
        assert_eq!(
            found,
            vec![Found {
                code: "LS006".into(),
                message: format!(
                    "metric `m`: a filter contains the template `{template}`; lodestar needs no templates"
                ),
                help: format!(
                    "name the column of the source itself (the part after `__`): `{column} = 'delivered'`"
                ),
                at: ("p.lode".into(), 12, 31),
                text: template.into(),
            }],
        );
    }
    // In YAML the fragment is quoted (a plain scalar cannot start with `{`): the same words.
    let yaml = SPEC.edit(
        "expr: x }",
        "expr: x, filter: \"{{ Dimension('order__status') }} = 'delivered' and {{ Metric('x') }} > 0\" }",
    );
    let found = located(&[("p.yaml", &yaml)]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].code, "LS006");
    assert_eq!(
        found[0].message,
        "metric `m`: a filter contains the template `{{ Dimension('order__status') }}`; lodestar needs no templates"
    );
    // `Metric(...)` stands for no column: the help says what to write instead.
    assert_eq!(
        found[0].help,
        "write the SQL the template stands for: a column of the source by its name"
    );
}

#[test]
fn nullif_in_a_derived_metric_is_not_needed() {
    let lode = LODE.edit(
        "guardrail g {",
        "input per_row = m / NULLIF(g, 0) {\n  description \"d\"\n  owner t\n  type engagement\n}\n\nguardrail g {",
    );
    assert_eq!(
        located(&[("p.lode", &lode)]),
        vec![Found {
            code: "LS006".into(),
            message:
                "metric `per_row`: a derived expression calls `NULLIF`, which it does not need"
                    .into(),
            help: "`/` in a derived metric is already NULL-safe: a zero denominator gives NULL, \
                   never a division error. Write `m / g`"
                .into(),
            at: ("p.lode".into(), 15, 21),
            text: "NULLIF(g, 0)".into(),
        }],
    );
}

#[test]
fn a_metric_of_another_product_is_named_with_its_product() {
    let other =
        "lodestar: 1\nproduct: other\nnorth_star:\n  name: o\n  owner: t\n  type: transaction\n  \
description: d\n  derived: m * 2\nguardrails:\n  - name: og\n    owner: t\n    type: quality\n    \
description: d\n    ratio: { numerator: g, denominator: o }\n    threshold: { min: 1 }\n";
    let found = located(&[("p.yaml", SPEC), ("other.yaml", other)]);
    let want = |metric: &str, used: &str, line, col| Found {
        code: "LS005".into(),
        message: format!(
            "metric `{metric}` refers to `{used}`, which is not a metric of product `other`"
        ),
        help: format!(
            "`{used}` is a metric of product `p`; a metric may only use metrics of its own \
             product, so define it here too"
        ),
        at: ("other.yaml".into(), line, col),
        text: used.into(),
    };
    assert_eq!(found, vec![want("o", "m", 8, 12), want("og", "g", 14, 25)]);
}

#[test]
fn an_allow_may_name_the_rule_and_an_unused_one_is_reported() {
    let vanity = SPEC.edit("  - name: g\n", "  - name: g_page_views\n");
    let found = located(&[("p.yaml", &vanity)]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].code, "LS103");
    // By name, as lodestar.toml accepts: honoured like the code.
    let allowed = vanity.edit(
        "    description: d\n    measure: { source: s, agg: count",
        "    description: d\n    allow: [{ code: vanity-name, reason: x }]\n    measure: { source: s, agg: count",
    );
    assert_eq!(located(&[("p.yaml", &allowed)]), Vec::new());
    // The same allow on a metric the rule does not fire on silences nothing: a warning.
    let unused = SPEC.edit(
        "  description: d\n  measure: { source: s, agg: sum",
        "  description: d\n  allow: [{ code: vanity-name, reason: x }]\n  measure: { source: s, agg: sum",
    );
    let ws = project::in_memory(&[("p.yaml", &unused)]);
    let all = project::analyze(&ws, today()).diagnostics;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].severity, lodestar::diagnostics::Severity::Warning);
    assert_eq!(
        located(&[("p.yaml", &unused)]),
        vec![Found {
            code: "LS108".into(),
            message: "`allow: vanity-name` silences nothing: LS103 (vanity-name) finds nothing on metric `m`".into(),
            help: "remove this `allow`, so that the rule guards the metric again".into(),
            at: ("p.yaml".into(), 12, 19),
            text: "vanity-name".into(),
        }],
    );
}

#[test]
fn a_comment_starts_after_a_blank_after_sql_and_after_any_other_value() {
    // After a blank: a comment, kept as trivia, after SQL and after a value alike.
    let commented = LODE
        .edit(
            "sum(x) from s\n",
            "sum(x) from s where status = 'x'  # only delivered\n",
        )
        .edit("threshold >= 1\n", "threshold >= 1  # at least one\n");
    assert_eq!(located(&[("p.lode", &commented)]), Vec::new());
    let yaml = lodestar::format::print_file(
        &lodestar::syntax::parse(
            lodestar::diagnostics::FileId(0),
            lodestar::syntax::Syntax::Lode,
            &commented,
        )
        .0
        .unwrap(),
        lodestar::syntax::Syntax::Yaml,
        &commented,
    );
    assert!(
        yaml.contains("# only delivered") && yaml.contains("# at least one"),
        "{yaml}"
    );
    // Glued to the text before it: refused with the same advice, after SQL and after a value.
    let glued_sql = LODE.edit(
        "sum(x) from s\n",
        "sum(x) from s where status = 'x'# only delivered\n",
    );
    assert_eq!(
        located(&[("p.lode", &glued_sql)]),
        vec![Found {
            code: "LS006".into(),
            message: "metric `m`: a filter contains `#`, which is not SQL".into(),
            help: "a comment starts with a blank and `#` (`status = 'x'  # note`); a `#` right \
                   after other text is read as part of the SQL, and in YAML a comment must stand \
                   outside the quotes"
                .into(),
            at: ("p.lode".into(), 12, 43),
            text: "#".into(),
        }],
    );
    let glued_value = LODE.edit("threshold >= 1\n", "threshold >= 1# at least one\n");
    assert_eq!(
        located(&[("p.lode", &glued_value)]),
        vec![Found {
            code: "LS901".into(),
            message: "a comment needs a blank before its `#`".into(),
            help: "write a blank before `#` (`threshold >= 4.5  # note`): a comment starts at the \
                   start of a line or after a blank, as in YAML, so that a `#` in SQL is never \
                   taken for one"
                .into(),
            at: ("p.lode".into(), 20, 17),
            text: "#".into(),
        }],
    );
}

#[test]
fn a_dotted_name_reads_its_first_part_or_the_source_qualified_column() {
    let spec = SPEC.edit(
        "s: { table: s, time: at }",
        "s: { table: s, time: at, columns: [at, x, payload] }",
    );
    assert_eq!(located(&[("p.yaml", &spec)]), Vec::new());
    let struct_field = spec.edit(
        "expr: x }",
        "expr: x, filter: payload.amount > 5 and s.x > 0 and s.payload.kind = 'a' }",
    );
    assert_eq!(located(&[("p.yaml", &struct_field)]), Vec::new());
    // A first part that is neither a column nor the source is the unknown column.
    let unknown = spec.edit("expr: x }", "expr: x, filter: order.amount > 5 }");
    let found = located(&[("p.yaml", &unknown)]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (
            found[0].code.as_str(),
            found[0].message.as_str(),
            found[0].text.as_str()
        ),
        (
            "LS005",
            "metric `m` uses `order`, which is not a declared column of source `s`",
            "order"
        )
    );
}

#[test]
fn a_table_with_dashes_converts_to_the_dsl_and_back() {
    use lodestar::diagnostics::FileId;
    use lodestar::syntax::{self, Syntax};
    let yaml = SPEC.edit("table: s,", "table: my-project.analytics.orders,");
    let tree = syntax::parse(FileId(0), Syntax::Yaml, &yaml).0.unwrap();
    let lode = lodestar::format::print_file(&tree, Syntax::Lode, &yaml);
    assert!(
        lode.contains("source s from my-project.analytics.orders at at\n"),
        "{lode}"
    );
    assert_eq!(located(&[("p.lode", &lode)]), Vec::new());
    let back = lodestar::format::print_file(
        &syntax::parse(FileId(0), Syntax::Lode, &lode).0.unwrap(),
        Syntax::Yaml,
        &lode,
    );
    assert!(
        back.contains("table: my-project.analytics.orders"),
        "{back}"
    );
    // The two files mean the same project.
    let model = |name: &str, text: &str| {
        let ws = project::in_memory(&[(name, text)]);
        let mut p = project::analyze(&ws, today()).project;
        for f in &mut p.files {
            f.syntax = Syntax::Yaml;
        }
        for product in &mut p.products {
            product.syntax = Syntax::Yaml;
        }
        p
    };
    assert_eq!(model("p.yaml", &yaml), model("p.lode", &lode));
}

#[test]
fn help_in_a_dsl_file_names_the_dsl_statement_not_the_yaml_key() {
    let no_owner = LODE.edit("  owner t\n  type transaction\n", "  type transaction\n");
    let found = located(&[("p.lode", &no_owner)]);
    assert_eq!(
        found,
        vec![Found {
            code: "LS004".into(),
            message: "metric `m` has no owner".into(),
            help: "add `owner <key>`; the declared owners are: t".into(),
            at: ("p.lode".into(), 8, 12),
            text: "m".into(),
        }],
    );
    let yaml = SPEC.edit("  name: m\n  owner: t\n", "  name: m\n");
    assert_eq!(
        located(&[("p.yaml", &yaml)])[0].help,
        "add `owner: <key>`; the declared owners are: t"
    );
    let no_guardrail = &LODE[..LODE.find("guardrail g").unwrap()];
    let found = located(&[("p.lode", no_guardrail)]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].code.as_str(), found[0].help.as_str()),
        (
            "LS002",
            "add a `guardrail <name> { ... }` block: a metric that must not degrade while the \
             North Star is pushed (quality, trust, cost), with a `threshold`"
        )
    );
}
