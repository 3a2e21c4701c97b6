//! The DSL front end (`*.lode`): every statement form, fragments, errors in words at the right
//! line and column, and input that must end in a diagnostic quickly (deep nesting, huge lines,
//! binary garbage).

use std::time::{Duration, Instant};

use lodestar::diagnostics::{Diagnostic, FileId, SourceFile};
use lodestar::project;
use lodestar::syntax::ast::{Node, Role, Value};
use lodestar::syntax::keys::Key;
use lodestar::syntax::{self, ast, Syntax};

fn parse(text: &str) -> (Option<ast::File>, Vec<Diagnostic>) {
    syntax::parse(FileId(0), Syntax::Lode, text)
}

/// Parses text that must be read without a single diagnostic.
fn tree(text: &str) -> ast::File {
    let (tree, diagnostics) = parse(text);
    assert!(
        diagnostics.is_empty(),
        "unexpected diagnostics: {diagnostics:#?}"
    );
    tree.expect("a tree")
}

/// The only diagnostic of `text`: its code, message, help and 1-based line and column.
fn only_error(text: &str) -> (&'static str, String, String, (usize, usize)) {
    let (_, diagnostics) = parse(text);
    assert_eq!(
        diagnostics.len(),
        1,
        "expected one diagnostic: {diagnostics:#?}"
    );
    let d = &diagnostics[0];
    let span = d.primary_span().expect("a span");
    let at = SourceFile::new("spec.lode", text).line_col(span.start as usize);
    (
        d.code.as_str(),
        d.message.clone(),
        d.help.clone().unwrap_or_default(),
        at,
    )
}

/// The text a span covers.
fn text_of<'a>(text: &'a str, s: &ast::Str) -> &'a str {
    &text[s.span.start as usize..s.span.end as usize]
}

/// The scalar of `key` in `n`, as text.
fn value(n: &Node, key: Key) -> Option<&str> {
    n.str(key).map(|s| s.value.as_str())
}

/// The metrics of one role, in order.
fn metrics(f: &ast::File, role: Role) -> Vec<&Node> {
    f.metrics()
        .filter(|(r, _)| *r == role)
        .map(|(_, m)| m)
        .collect()
}

fn measure(m: &Node) -> &Node {
    m.map(Key::Measure)
        .unwrap_or_else(|| panic!("expected a measure, found {m:?}"))
}

/// The maps of a map of names (owners, sources), with their names.
fn named(n: &Node, key: Key) -> Vec<(&str, &Node)> {
    n.entries(key)
        .filter_map(|e| Some((e.name.value.as_str(), e.value.as_ref()?.as_node()?)))
        .collect()
}

/// A model printed without spans or syntax, so that two files meaning the same compare equal.
fn without_spans(debug: String) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug.as_str();
    // Spans print as `0@12..34`.
    while let Some(at) = rest.find('@') {
        let head = &rest[..at];
        let digits = head.len() - head.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        out.push_str(&head[..head.len() - digits]);
        let tail = &rest[at + 1..];
        let skip = tail
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(tail.len());
        out.push_str("<span>");
        rest = &tail[skip..];
    }
    out.push_str(rest);
    out.replace("syntax: Lode", "syntax: Yaml")
}

#[test]
fn marketplace_reads_the_same_in_both_syntaxes() {
    let yaml = include_str!("../fixtures/valid/marketplace.yaml");
    let lode = include_str!("../fixtures/valid/marketplace.lode");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let from_yaml = project::analyze(&project::in_memory(&[("marketplace.yaml", yaml)]), today);
    let from_lode = project::analyze(&project::in_memory(&[("marketplace.lode", lode)]), today);
    assert!(
        from_yaml.diagnostics.is_empty(),
        "{:#?}",
        from_yaml.diagnostics
    );
    assert!(
        from_lode.diagnostics.is_empty(),
        "{:#?}",
        from_lode.diagnostics
    );
    let (y, l) = (&from_yaml.project, &from_lode.project);
    assert_eq!(y.products.len(), 1);
    assert_eq!(y.products[0].metrics.len(), 7);
    // Spanned values compare without spans; products also carry their syntax.
    let mut lode_products = l.products.clone();
    for p in &mut lode_products {
        p.syntax = Syntax::Yaml;
    }
    assert_eq!(y.owners, l.owners);
    assert_eq!(y.sources, l.sources);
    assert_eq!(
        without_spans(format!("{:#?}", y.products)),
        without_spans(format!("{lode_products:#?}"))
    );
    // And field by field, where spans are ignored by `Spanned` equality.
    for (a, b) in y.products[0].metrics.iter().zip(&lode_products[0].metrics) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.threshold.is_some(), b.threshold.is_some());
        assert_eq!(a.owner, b.owner);
        assert_eq!(a.metric_type, b.metric_type);
        assert_eq!(a.targets.len(), b.targets.len());
    }
}

#[test]
fn every_top_level_statement() {
    let text = "lodestar 1\n\
                # a comment on its own line\n\
                product shop \"A \\\"small\\\" shop.\\nTwo lines.\"  # trailing comment\n\
                game productivity\n\
                owner growth \"Growth team\" <growth@example.com> slack \"#growth\"\n\
                owner ops\n\
                source orders from shop.public.orders at created_at {\n\
                \x20 description \"All orders.\"\n\
                \x20 columns id int, amount decimal(10,2), status\n\
                \x20 dimension country = upper(country_code)\n\
                \x20 dimension tier = `case when amount > 100 then 'big' else 'small' end`\n\
                }\n\
                source paid from sql `select * from shop.orders where paid` at paid_at\n";
    let f = tree(text);
    let root = &f.root;
    assert_eq!(value(root, Key::Lodestar), Some("1"));
    assert_eq!(value(root, Key::Product), Some("shop"));
    assert_eq!(
        value(root, Key::ProductDescription),
        Some("A \"small\" shop.\nTwo lines.")
    );
    assert_eq!(value(root, Key::Game), Some("productivity"));
    let owners = named(root, Key::Owners);
    assert_eq!(owners.len(), 2);
    let (key, growth) = owners[0];
    assert_eq!(key, "growth");
    assert_eq!(value(growth, Key::OwnerName), Some("Growth team"));
    assert_eq!(value(growth, Key::OwnerEmail), Some("growth@example.com"));
    assert_eq!(value(growth, Key::OwnerSlack), Some("#growth"));
    assert_eq!(
        text_of(text, growth.str(Key::OwnerEmail).unwrap()),
        "growth@example.com"
    );
    assert_eq!(
        (
            value(owners[1].1, Key::OwnerName),
            value(owners[1].1, Key::OwnerEmail)
        ),
        (None, None)
    );

    let sources = named(root, Key::Sources);
    let (name, orders) = sources[0];
    assert_eq!(name, "orders");
    assert_eq!(value(orders, Key::SourceTable), Some("shop.public.orders"));
    assert_eq!(value(orders, Key::SourceTime), Some("created_at"));
    assert_eq!(value(orders, Key::SourceDescription), Some("All orders."));
    let cols: Vec<(&str, Option<&str>)> = orders
        .entries(Key::Columns)
        .map(|c| {
            (
                c.name.value.as_str(),
                c.value
                    .as_ref()
                    .and_then(Value::as_str)
                    .map(|t| t.value.as_str()),
            )
        })
        .collect();
    assert_eq!(
        cols,
        [
            ("id", Some("int")),
            ("amount", Some("decimal(10,2)")),
            ("status", None)
        ]
    );
    let dims: Vec<&ast::Str> = orders
        .entries(Key::Dimensions)
        .filter_map(|d| d.value.as_ref()?.as_str())
        .collect();
    assert_eq!(dims.len(), 2);
    assert_eq!(dims[0].value, "upper(country_code)");
    assert_eq!(text_of(text, dims[0]), "upper(country_code)");
    assert_eq!(
        dims[1].value,
        "case when amount > 100 then 'big' else 'small' end"
    );

    let (_, paid) = sources[1];
    assert_eq!(
        value(paid, Key::SourceSql),
        Some("select * from shop.orders where paid")
    );
    assert_eq!(value(paid, Key::SourceTable), None);
    assert!(!paid.has(Key::Columns));
    assert_eq!(
        text_of(text, paid.str(Key::SourceSql).unwrap()),
        "select * from shop.orders where paid"
    );
}

#[test]
fn every_metric_statement() {
    let text = r#"lodestar 1
product p
north star active_teams "Active teams" {
  description "Teams with three or more active members."
  owner growth
  type engagement
  grain day
  measure count_distinct(team_id) from events where kind = 'edit' having count(distinct user_id) >= 3
  window 7 days
  target 500 by 2026-06-30
  target 1000 by 2026-12-31
  review quarterly last 2026-10-01
  allow LS103 "the name is historical"
  allow LS104
}
input p95_latency {
  label "P95 latency"
  measure percentile(coalesce(ms, 0), 0.95) from requests
}
input rows { measure count(*) from events }
input none { measure count() from events }
input share {
  numerator sum(amount) from orders where status = 'paid'
  denominator total_amount
}
input per_team {
  derived active_teams / teams
}
guardrail errors {
  measure avg(error) from requests
  threshold >= 0.1 <= 0.5
}
guardrail latency {
  measure max(ms) from requests
  threshold <= 900
  threshold >= 10
}
"#;
    let f = tree(text);
    let ns = metrics(&f, Role::NorthStar)[0];
    assert_eq!(value(ns, Key::MetricName), Some("active_teams"));
    assert_eq!(value(ns, Key::Label), Some("Active teams"));
    assert_eq!(
        value(ns, Key::MetricDescription),
        Some("Teams with three or more active members.")
    );
    assert_eq!(value(ns, Key::Owner), Some("growth"));
    assert_eq!(value(ns, Key::Type), Some("engagement"));
    assert_eq!(value(ns, Key::Grain), Some("day"));
    assert_eq!(ns.fields_of(Key::Measure).count(), 1);
    let m = measure(ns);
    // `window` is a statement of the block, and an option of the measure.
    assert_eq!(value(m, Key::Window), Some("7 days"));
    assert_eq!(value(m, Key::MeasureAgg), Some("count_distinct"));
    assert_eq!(value(m, Key::MeasureExpr), Some("team_id"));
    assert_eq!(value(m, Key::MeasureSource), Some("events"));
    assert_eq!(value(m, Key::Filter), Some("kind = 'edit'"));
    assert_eq!(value(m, Key::Having), Some("count(distinct user_id) >= 3"));
    assert_eq!(text_of(text, m.str(Key::Filter).unwrap()), "kind = 'edit'");
    assert_eq!(
        text_of(text, m.str(Key::Having).unwrap()),
        "count(distinct user_id) >= 3"
    );
    let targets: Vec<(Option<&str>, Option<&str>)> = ns
        .nodes(Key::Targets)
        .map(|t| (value(t, Key::TargetValue), value(t, Key::TargetBy)))
        .collect();
    assert_eq!(
        targets,
        [
            (Some("500"), Some("2026-06-30")),
            (Some("1000"), Some("2026-12-31"))
        ]
    );
    let review = ns.map(Key::Review).unwrap();
    assert_eq!(
        (
            value(review, Key::Cadence),
            value(review, Key::LastReviewed)
        ),
        (Some("quarterly"), Some("2026-10-01"))
    );
    let allow: Vec<&Node> = ns.nodes(Key::Allow).collect();
    assert_eq!(allow.len(), 2);
    assert_eq!(value(allow[0], Key::AllowCode), Some("LS103"));
    assert_eq!(
        value(allow[0], Key::AllowReason),
        Some("the name is historical")
    );
    assert_eq!(value(allow[1], Key::AllowReason), None);

    let [latency, rows, none, share, per_team] = metrics(&f, Role::Input)[..] else {
        panic!("{:?}", metrics(&f, Role::Input))
    };
    let m = measure(latency);
    assert_eq!(
        (
            value(m, Key::MeasureAgg),
            value(m, Key::MeasureExpr),
            value(m, Key::MeasureP)
        ),
        (Some("percentile"), Some("coalesce(ms, 0)"), Some("0.95"))
    );
    assert_eq!(text_of(text, m.str(Key::MeasureP).unwrap()), "0.95");
    assert_eq!(value(latency, Key::Label), Some("P95 latency"));
    for count in [rows, none] {
        let m = measure(count);
        assert_eq!(
            (value(m, Key::MeasureAgg), value(m, Key::MeasureExpr)),
            (Some("count"), None)
        );
    }
    let ratio = share.map(Key::Ratio).expect("a ratio");
    let n = ratio.map(Key::Numerator).expect("a measure numerator");
    assert_eq!(
        (
            value(n, Key::MeasureAgg),
            value(n, Key::MeasureExpr),
            value(n, Key::Filter)
        ),
        (Some("sum"), Some("amount"), Some("status = 'paid'"))
    );
    assert_eq!(value(ratio, Key::Denominator), Some("total_amount"));
    assert_eq!(value(per_team, Key::Derived), Some("active_teams / teams"));

    let [errors, latency] = metrics(&f, Role::Guardrail)[..] else {
        panic!()
    };
    let t = errors.map(Key::Threshold).unwrap();
    assert_eq!(
        (value(t, Key::Min), value(t, Key::Max)),
        (Some("0.1"), Some("0.5"))
    );
    let t = latency.map(Key::Threshold).unwrap();
    assert_eq!(
        (value(t, Key::Min), value(t, Key::Max)),
        (Some("10"), Some("900"))
    );
}

#[test]
fn one_line_blocks_and_derived_headers() {
    let text = "lodestar 1\n\
                input nights_per_booking = nights_booked / confirmed_bookings { owner growth  type engagement }\n\
                input ratio \"Ratio\" = `a / b` \n\
                input c { measure count() from bookings where status = 'x' }\n\
                input d { owner growth type quality measure sum(x) from s where y > 1 having count(*) > 2 }\n\
                input e {}\n";
    let f = tree(text);
    let [npb, ratio, c, d, e] = metrics(&f, Role::Input)[..] else {
        panic!("{:?}", metrics(&f, Role::Input))
    };
    assert_eq!(value(npb, Key::Owner), Some("growth"));
    assert_eq!(value(npb, Key::Type), Some("engagement"));
    let derived = npb.str(Key::Derived).unwrap();
    assert_eq!(derived.value, "nights_booked / confirmed_bookings");
    assert_eq!(text_of(text, derived), "nights_booked / confirmed_bookings");
    assert_eq!(value(ratio, Key::Label), Some("Ratio"));
    assert_eq!(value(ratio, Key::Derived), Some("a / b"));
    let m = measure(c);
    assert_eq!(value(m, Key::Filter), Some("status = 'x'"));
    assert_eq!(text_of(text, m.str(Key::Filter).unwrap()), "status = 'x'");
    assert_eq!(value(d, Key::Owner), Some("growth"));
    assert_eq!(value(d, Key::Type), Some("quality"));
    let m = measure(d);
    assert_eq!(
        (value(m, Key::Filter), value(m, Key::Having)),
        (Some("y > 1"), Some("count(*) > 2"))
    );
    assert!(e.fields.iter().all(|f| f.key == Key::MetricName));
}

#[test]
fn backtick_fragments_keep_sql_as_written() {
    let text = "lodestar 1\n\
                input a { measure sum(x) from s where `name = 'a``b' and note like '%}%'` }\n\
                input b {\n\
                \x20 measure count_distinct(coalesce(user_id, ')')) from s where `label = 'having (x)'` having `count(*) > 1`\n\
                }\n";
    let f = tree(text);
    let inputs = metrics(&f, Role::Input);
    let m = measure(inputs[0]);
    assert_eq!(
        value(m, Key::Filter),
        Some("name = 'a`b' and note like '%}%'")
    );
    let m = measure(inputs[1]);
    assert_eq!(value(m, Key::MeasureExpr), Some("coalesce(user_id, ')')"));
    assert_eq!(value(m, Key::Filter), Some("label = 'having (x)'"));
    assert_eq!(value(m, Key::Having), Some("count(*) > 1"));
    assert_eq!(
        text_of(text, m.str(Key::Filter).unwrap()),
        "label = 'having (x)'"
    );
}

#[test]
fn a_bare_where_stops_before_having_but_not_inside_quotes() {
    let text = "lodestar 1\ninput a { measure count_distinct(u) from s where note = ' having x' having count(*) > 2 }\n";
    let f = tree(text);
    let m = measure(metrics(&f, Role::Input)[0]);
    assert_eq!(value(m, Key::Filter), Some("note = ' having x'"));
    assert_eq!(value(m, Key::Having), Some("count(*) > 2"));
}

#[test]
fn sql_errors_inside_fragments_point_where_they_do_in_yaml() {
    let lode = "lodestar 1\nproduct p\nowner o\nsource s from t at ts\n\
                north star a { owner o  type engagement  measure sum(x) from s where x = = 1 }\n";
    let yaml =
        "lodestar: 1\nproduct: p\nowners: { o: {} }\nsources: { s: { table: t, time: ts } }\n\
                north_star:\n  name: a\n  owner: o\n  type: engagement\n\
                \x20 measure: { source: s, agg: sum, expr: x, filter: x = = 1 }\n";
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    // The error's offset from the start of the fragment `x = = 1`.
    let offset = |path: &str, text: &str| {
        let analysis = project::analyze(&project::in_memory(&[(path, text)]), today);
        let d = analysis
            .diagnostics
            .iter()
            .find(|d| d.code == "LS006")
            .expect("a fragment error");
        let span = d.primary_span().unwrap();
        assert_eq!(span.len(), 1, "{d:#?}");
        span.start as usize - text.find("x = = 1").unwrap()
    };
    let in_lode = offset("p.lode", lode);
    assert_eq!(in_lode, offset("p.yaml", yaml));
    assert!(in_lode > 0, "points inside the fragment, not at its start");
}

#[test]
fn unknown_statements_suggest_the_right_one() {
    let (code, message, help, at) =
        only_error("lodestar 1\nguardrail g {\n  owner o\n  treshold >= 4\n}\n");
    assert_eq!(code, "LS902");
    assert_eq!(message, "unknown statement `treshold` in a metric");
    assert_eq!(help, "did you mean `threshold`?");
    assert_eq!(at, (4, 3));

    let (code, message, help, at) =
        only_error("lodestar 1\nnort star a \"A\" {\n  owner o\n  type engagement\n}\n");
    assert_eq!(code, "LS902");
    assert_eq!(message, "unknown statement `nort` at the top of a spec");
    assert_eq!(help, "did you mean `north star`?");
    assert_eq!(at, (2, 1));

    let (code, _, help, at) = only_error("lodestar 1\nsource s from t at ts { dimensoin d = x }\n");
    assert_eq!(code, "LS902");
    assert_eq!(help, "did you mean `dimension`?");
    assert_eq!(at, (2, 25));

    let (code, message, help, at) =
        only_error("lodestar 1\nsource s from t at c {\n  owner o\n}\n");
    assert_eq!(code, "LS902");
    assert_eq!(message, "unknown statement `owner` in a source");
    assert_eq!(help, "expected one of: description, columns, dimension");
    assert_eq!(at, (3, 3));
}

#[test]
fn syntax_errors_say_what_was_expected_and_found() {
    // (spec, message, line, column)
    let cases = [
        (
            "lodestar 1\ninput a {\n  measure sum(nights from bookings\n}\n",
            "expected `)` to close the parenthesis, found the end of the line",
            3,
            35,
        ),
        (
            "lodestar 1\ninput a {\n  measure sum(nights) form bookings\n}\n",
            "expected `from`, found `form`",
            3,
            23,
        ),
        (
            "lodestar 1\ninput {\n}\n",
            "expected a metric name such as `weekly_active_teams`, found `{`",
            2,
            7,
        ),
        (
            "lodestar 1\nguardrail g {\n  threshold => 4\n}\n",
            "expected `>=` or `<=`, found `=>`",
            3,
            13,
        ),
        (
            "lodestar 1\ninput a {\n  target 100 2026-01-01\n}\n",
            "expected `by`, found `2026`",
            3,
            14,
        ),
        (
            "lodestar 1\ninput a {\n  measure sum(x) from s where\n}\n",
            "expected a SQL expression, found the end of the line",
            3,
            30,
        ),
        (
            "lodestar 1\nsource s from t\n",
            "expected `at`, found the end of the line",
            2,
            16,
        ),
        (
            "lodestar 1\n}\n",
            "expected a statement (`lodestar`, `product`, `game`, `owner` or `source`), a metric \
             block (`north star`, `input` or `guardrail`) or the end of the file, found `}`",
            2,
            1,
        ),
        (
            "lodestar 1\ninput a {\n  owner growth\n",
            "expected a metric statement",
            4,
            1,
        ),
        (
            "lodestar 1\nproduct p \"unterminated\n",
            "this string is not closed",
            2,
            11,
        ),
        (
            "lodestar 1\nfoo {\n  \"a\"\n  { `b` }\n",
            "expected a block closed by `}` or the end of the line, found `{`",
            2,
            5,
        ),
        (
            "lodestar 1\nsource s from sql `select 1 at t\nproduct p\n",
            "this backtick-quoted SQL is not closed",
            2,
            19,
        ),
    ];
    for (spec, message, line, col) in cases {
        let (code, got, help, at) = only_error(spec);
        assert_eq!(code, "LS901", "{spec}");
        assert!(
            got.starts_with(message),
            "{spec}\nmessage: {got}\nwanted: {message}"
        );
        assert!(!help.is_empty(), "{spec}: no help");
        assert_eq!(at, (line, col), "{spec}: {got}");
    }
}

#[test]
fn a_misspelt_keyword_after_a_known_one_gets_a_suggestion() {
    let (code, _, help, _) = only_error("lodestar 1\ninput a {\n  measure sum(x) frm s\n}\n");
    assert_eq!(code, "LS901");
    assert!(help.starts_with("did you mean `from`?"), "{help}");
}

#[test]
fn a_byte_order_mark_is_allowed() {
    let f = tree("\u{feff}lodestar 1\r\nproduct p\r\n");
    assert_eq!(value(&f.root, Key::Product), Some("p"));
}

#[test]
fn statements_given_twice_are_reported() {
    let (_, diagnostics) = parse("lodestar 1\ninput a {\n  owner x\n  owner y\n}\n");
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0].code, "LS902");
    assert_eq!(diagnostics[0].message, "`owner` is given twice in a metric");
}

/// Runs `f` on a thread with a 1 MiB stack: deep input must not overflow it.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn deep_nesting_is_refused_before_the_grammar_runs() {
    for (prefix, open) in [
        ("lodestar 1\ninput a { measure sum(", "("),
        ("lodestar 1\nfoo ", "{"),
        ("", "{"),
    ] {
        let text = format!("{prefix}{}", open.repeat(200_000));
        let started = Instant::now();
        let (tree, diagnostics) = on_small_stack(move || parse(&text));
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "took {:?}",
            started.elapsed()
        );
        assert!(tree.is_none());
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, "LS901");
        assert!(
            diagnostics[0].message.contains("nested more than"),
            "{}",
            diagnostics[0].message
        );
        // The bracket that goes one level too deep.
        let at = diagnostics[0].primary_span().unwrap().start as usize;
        let opened = prefix.matches(['(', '{']).count();
        assert_eq!(at, prefix.len() + syntax::MAX_DEPTH - opened);
    }
}

#[test]
fn nesting_within_the_limit_is_read() {
    let args = format!("{}x{}", "(".repeat(20), ")".repeat(20));
    let text = format!("lodestar 1\ninput a {{ measure sum({args}) from s }}\n");
    let f = on_small_stack(move || tree(&text));
    assert_eq!(
        value(measure(metrics(&f, Role::Input)[0]), Key::MeasureExpr),
        Some(args.as_str())
    );
}

/// Found by fuzzing: each bracket that does not close must not make the grammar retry the
/// ones inside it (which took time exponential in their number).
#[test]
fn unclosed_brackets_take_linear_time() {
    let cases = [
        format!("lodestar 1\nfoo {}\n", "{ x ".repeat(60)),
        format!(
            "lodestar 1\ninput a {{ measure sum({}) from s }}\n",
            "(x ".repeat(60)
        ),
        format!("lodestar 1\nfoo {{ \"a\" {} }}\n", "{ `b` ".repeat(60)),
    ];
    for text in cases {
        let started = Instant::now();
        let (_, diagnostics) = on_small_stack(move || parse(&text));
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "took {:?}",
            started.elapsed()
        );
        assert!(
            diagnostics.iter().any(|d| d.code == "LS901"),
            "{diagnostics:#?}"
        );
    }
}

#[test]
fn garbage_and_huge_input_end_in_a_diagnostic_quickly() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let garbage: Vec<u8> = (0..200_000)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect();
    let lossy = String::from_utf8_lossy(&garbage).into_owned();
    let cases = [
        lossy,
        "\0\0\0lodestar 1".to_owned(),
        format!("lodestar 1\ninput a = {}\n}}", "x + ".repeat(250_000)),
        "a".repeat(30 * 1024 * 1024),
        format!("lodestar 1\n{}", "nort star ".repeat(100_000)),
        "\u{feff}\u{feff}lodestar 1\n".to_owned(),
        String::new(),
        "   \n\n".to_owned(),
    ];
    for (i, text) in cases.into_iter().enumerate() {
        let started = Instant::now();
        let (_, diagnostics) = on_small_stack(move || parse(&text));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "case {i} took {:?}",
            started.elapsed()
        );
        assert!(!diagnostics.is_empty(), "no diagnostic");
        assert!(diagnostics.iter().all(|d| d.primary_span().is_some()));
    }
}
