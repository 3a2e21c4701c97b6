//! `lodestar fmt` and `lodestar convert`: canonical printers, idempotence, lossless conversion
//! (data-driven over every spec under `specs/` and `tests/fixtures/`), comment detection, and
//! the command line run as a real binary.

use super::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use lodestar::diagnostics::FileId;
use lodestar::diagnostics::Spanned;
use lodestar::format;
use lodestar::model::Project;
use lodestar::project;
use lodestar::syntax::ast::{Comments, Item, Node, Value};
use lodestar::syntax::keys::{Key, Place};
use lodestar::syntax::{self, ast, Syntax};

// ---- helpers ----------------------------------------------------------------------------------

/// Every spec-like file under the given directories, sorted.
fn walk(dirs: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = dirs
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if syntax::syntax_of(&path.to_string_lossy()).is_some() {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn parse(
    syntax: Syntax,
    text: &str,
) -> (Option<ast::File>, Vec<lodestar::diagnostics::Diagnostic>) {
    syntax::parse(FileId(0), syntax, text)
}

/// The tree of a text that must parse cleanly.
fn tree(syntax: Syntax, text: &str, what: &str) -> ast::File {
    let (tree, diagnostics) = parse(syntax, text);
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(
        errors.is_empty(),
        "{what} does not parse: {errors:#?}\n---\n{text}"
    );
    tree.unwrap_or_else(|| panic!("{what}: no tree"))
}

/// The resolved model of one file, with the syntax it was written in forgotten, and the codes
/// of its findings.
fn model(syntax: Syntax, text: &str) -> (Project, Vec<&'static str>) {
    let name = match syntax {
        Syntax::Yaml => "spec.yaml",
        Syntax::Lode => "spec.lode",
    };
    let ws = project::in_memory(&[(name, text)]);
    let analysis = project::analyze(&ws, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
    let mut p = analysis.project;
    for f in &mut p.files {
        f.syntax = Syntax::Yaml;
    }
    for product in &mut p.products {
        product.syntax = Syntax::Yaml;
    }
    let mut codes: Vec<&str> = analysis
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    codes.sort();
    (p, codes)
}

/// Asserts that two models are equal but for spans, showing where they differ. (`Spanned`
/// compares values only, but some model types hold a bare `Span`, which `==` compares.)
fn assert_same_model(
    a: &(Project, Vec<&'static str>),
    b: &(Project, Vec<&'static str>),
    what: &str,
) {
    let show = |m: &(Project, Vec<&'static str>)| {
        format!("{m:#?}")
            .lines()
            .filter(|l| !l.trim_start().starts_with("span:") && !l.contains("Location("))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (left, right) = (show(a), show(b));
    if left != right {
        let diff = similar::TextDiff::from_lines(&left, &right)
            .unified_diff()
            .context_radius(4)
            .to_string();
        panic!(
            "{what}:\n{}",
            diff.lines().take(80).collect::<Vec<_>>().join("\n")
        );
    }
}

fn other(syntax: Syntax) -> Syntax {
    match syntax {
        Syntax::Yaml => Syntax::Lode,
        Syntax::Lode => Syntax::Yaml,
    }
}

/// Every comment of a tree, in the order of the tree.
fn all_comments(t: &ast::File) -> Vec<String> {
    fn node(n: &Node, out: &mut Vec<String>) {
        for f in &n.fields {
            out.extend(f.comments.lines().cloned());
            value(&f.value, out);
        }
    }
    fn value(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Scalar(_) => {}
            Value::Map(n) => node(n, out),
            Value::List(items) => {
                for i in items {
                    out.extend(i.comments.lines().cloned());
                    value(&i.value, out);
                }
            }
            Value::Named(entries) => {
                for e in entries {
                    out.extend(e.comments.lines().cloned());
                    if let Some(v) = &e.value {
                        value(v, out);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    node(&t.root, &mut out);
    out.extend(t.end.lines().cloned());
    out
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn s(v: &str) -> ast::Str {
    Spanned::new(v.to_owned(), Default::default())
}

/// A map of `place` with these scalar fields, in this order.
fn node(place: Place, fields: &[(Key, String)]) -> Node {
    let mut n = Node::new(place, Default::default());
    for (k, v) in fields {
        n.push_str(*k, s(v));
    }
    n
}

fn item(value: Value) -> Item {
    Item {
        span: Default::default(),
        value,
        comments: Comments::default(),
    }
}

fn entry(name: &str, value: Value) -> ast::Entry {
    ast::Entry {
        name: s(name),
        span: Default::default(),
        value: Some(value),
        comments: Comments::default(),
    }
}

/// A spec file whose parse has no structural errors (the printers need a whole tree).
fn printable(path: &Path) -> Option<(Syntax, String, ast::File)> {
    let syntax = syntax::syntax_of(&path.to_string_lossy())?;
    let text = std::fs::read_to_string(path).ok()?;
    let (tree, diagnostics) = parse(syntax, &text);
    let structural = diagnostics
        .iter()
        .any(|d| d.is_error() && matches!(d.code.as_str(), "LS901" | "LS902"));
    if structural {
        return None;
    }
    Some((syntax, text, tree?))
}

// ---- the printers over every spec -------------------------------------------------------------

#[test]
fn formatting_is_idempotent_keeps_the_model_and_drops_no_value() {
    let files = walk(&["specs", "tests/fixtures"]);
    let mut checked = 0;
    for path in &files {
        let Some((syntax, text, original)) = printable(path) else {
            continue;
        };
        let shown = path.display();
        let once = format::print(&original, syntax);
        let reparsed = tree(syntax, &once, &format!("fmt({shown})"));
        assert_eq!(
            format::print(&reparsed, syntax),
            once,
            "fmt is not idempotent on {shown}"
        );
        let what = format!("fmt changed the model of {shown}");
        assert_same_model(&model(syntax, &once), &model(syntax, &text), &what);
        assert_eq!(
            all_comments(&reparsed),
            all_comments(&original),
            "fmt({shown}) does not keep its comments"
        );
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} specs were checked");
}

#[test]
fn conversion_is_lossless_both_ways() {
    let files = walk(&["specs", "tests/fixtures"]);
    let mut checked = 0;
    for path in &files {
        let Some((syntax, text, original)) = printable(path) else {
            continue;
        };
        let shown = path.display();
        let unsupported = format::lode_unsupported(&original);
        if path.components().any(|c| c.as_os_str() == "yaml_only") {
            assert!(
                !unsupported.is_empty(),
                "{shown} is meant to hold values the DSL cannot express"
            );
            continue;
        }
        assert!(
            unsupported.is_empty(),
            "{shown} holds values the DSL cannot express: {unsupported:#?}"
        );
        let canonical = format::print(&original, syntax);
        let converted = format::print(&original, other(syntax));
        let converted_tree = tree(other(syntax), &converted, &format!("convert({shown})"));
        assert_same_model(
            &model(other(syntax), &converted),
            &model(syntax, &text),
            &format!("converting {shown} changed its model:\n{converted}"),
        );
        assert_eq!(
            sorted(all_comments(&converted_tree)),
            sorted(all_comments(&original)),
            "convert({shown}) does not carry its comments"
        );
        // And back again: the canonical form of the original. A comment on a part of a line
        // that the DSL writes as one statement (a measure's filter) comes back above that
        // statement, so YAML comes back exactly when its comments are taken out; the DSL has
        // a place in YAML for each of its comments and comes back exactly.
        let (mut back, mut original) = (converted_tree.clone(), original.clone());
        if syntax == Syntax::Yaml {
            format::strip_comments(&mut back);
            format::strip_comments(&mut original);
        }
        assert_eq!(
            format::print(&back, syntax),
            format::print(&original, syntax),
            "{shown} does not come back from {converted}"
        );
        if syntax == Syntax::Lode {
            assert_eq!(format::print(&back, syntax), canonical, "{shown}");
        }
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} specs were checked");
}

#[test]
fn the_dsl_fixture_is_canonical_and_the_yaml_fixture_converts_to_it() {
    let lode = std::fs::read_to_string("tests/fixtures/valid/marketplace.lode").unwrap();
    let yaml = std::fs::read_to_string("tests/fixtures/valid/marketplace.yaml").unwrap();
    assert_eq!(
        format::to_lode(&tree(Syntax::Lode, &lode, "marketplace.lode")),
        lode
    );
    assert_eq!(
        format::to_lode(&tree(Syntax::Yaml, &yaml, "marketplace.yaml")),
        lode
    );
}

#[test]
fn the_yaml_printer_uses_flow_maps_for_short_measures_and_block_maps_otherwise() {
    let text = std::fs::read_to_string("tests/fixtures/format/tricky.yaml").unwrap();
    let printed = format::to_yaml(&tree(Syntax::Yaml, &text, "tricky.yaml"));
    insta::assert_snapshot!("tricky_yaml", printed);
}

#[test]
fn the_dsl_printer_quotes_fragments_only_where_bare_text_would_change() {
    let text = std::fs::read_to_string("tests/fixtures/format/tricky.yaml").unwrap();
    let printed = format::to_lode(&tree(Syntax::Yaml, &text, "tricky.yaml"));
    insta::assert_snapshot!("tricky_lode", printed);
}

/// Strings that YAML would read as something else, or that need escapes, survive.
#[test]
fn yaml_scalars_are_quoted_exactly_when_needed() {
    let values = [
        "plain text",
        "123",
        "1.5",
        "-1",
        "0x1F",
        "1e3",
        ".inf",
        "-.NaN",
        "true",
        "No",
        "off",
        "y",
        "~",
        "null",
        "",
        " lead",
        "trail ",
        "a: b",
        "a #b",
        "a#b",
        "#x",
        "-x",
        "- x",
        "?x",
        "[x]",
        "{x}",
        "x, y",
        "'q'",
        "\"dq\"",
        "back\\slash",
        "tab\there",
        "line\nbreak",
        "two\n\nblank",
        "ends\n",
        "2026-12-31",
        "12:30",
        "1_000",
        "@at",
        "`tick`",
        "|pipe",
        ">gt",
        "%pct",
        "!bang",
        "&amp",
        "*star",
        "<<",
        "=",
        "...",
        "---",
        "é accent",
        "trailing:",
        "x:y",
        "\u{0007}bell",
        "\r\nwin",
    ];
    for value in values {
        let mut f = ast::File::empty(FileId(0), Syntax::Yaml);
        f.root = node(
            Place::File,
            &[
                (Key::Lodestar, "1".into()),
                (Key::Product, "p".into()),
                (Key::ProductDescription, value.into()),
            ],
        );
        let owner = node(Place::Owner, &[(Key::OwnerName, value.into())]);
        f.root.push(
            Key::Owners,
            Default::default(),
            Value::Named(vec![entry("k", Value::Map(owner))]),
        );
        let printed = format::to_yaml(&f);
        let back = tree(Syntax::Yaml, &printed, &format!("{value:?}"));
        assert_eq!(
            back.root
                .str(Key::ProductDescription)
                .map(|d| d.value.as_str()),
            Some(value),
            "{printed}"
        );
        let owner = back.root.entries(Key::Owners).next().unwrap();
        let name = owner
            .value
            .as_ref()
            .and_then(|v| v.as_node()?.str(Key::OwnerName));
        assert_eq!(name.map(|d| d.value.as_str()), Some(value), "{printed}");
        assert!(!format::has_comments(&back), "{printed}");
    }
}

#[test]
fn comments_are_read_outside_values_only() {
    let cases: &[(Syntax, &str, &[&str])] = &[
        (Syntax::Yaml, "lodestar: 1\nproduct: p\n", &[]),
        // The header (comment lines at the top) is kept by printing, not attached to the tree.
        (Syntax::Yaml, "# heading\nlodestar: 1\nproduct: p\n", &[]),
        (Syntax::Yaml, "# heading\n\nlodestar: 1\n# below\nproduct: p\n", &["# below"]),
        (Syntax::Yaml, "lodestar: 1\nproduct: p   # trailing\n", &["# trailing"]),
        (Syntax::Yaml, "lodestar: 1\nproduct: p\ndescription: \"a # b\"\n", &[]),
        (Syntax::Yaml, "lodestar: 1\nproduct: p\ndescription: 'a # b'\n", &[]),
        (Syntax::Yaml, "lodestar: 1\nproduct: p\ndescription: a#b\n", &[]),
        (Syntax::Yaml, "lodestar: 1\nproduct: p\ndescription: |\n  # not a comment\n  text\ngame: x\n", &[]),
        (Syntax::Yaml, "lodestar: 1\nproduct: p\ndescription: |\n  text\n# a comment\ngame: x\n", &["# a comment"]),
        (Syntax::Yaml, "lodestar: 1\nowners:\n  a: { name: A, slack: \"#a\" } # c\n", &["# c"]),
        (Syntax::Lode, "lodestar 1\nproduct p\n", &[]),
        (Syntax::Lode, "# heading\nlodestar 1\nproduct p\n", &[]),
        (Syntax::Lode, "# heading\nlodestar 1\n  # below\nproduct p\n", &["# below"]),
        (Syntax::Lode, "lodestar 1\nproduct p \"a # b\" # real\n", &["# real"]),
        (Syntax::Lode, "lodestar 1\nowner a \"A\" slack \"#a\"\n", &[]),
        (
            Syntax::Lode,
            "lodestar 1\nproduct p\nsource s from t at c {\n  dimension d = x || '#'\n  dimension e = `#`\n}\n",
            &[],
        ),
        (
            Syntax::Lode,
            "lodestar 1\nproduct p\nsource s from t at c {\n  dimension d = x || '#'  # real\n  dimension e = a#b\n}\n",
            &["# real"],
        ),
    ];
    for (syntax, text, expected) in cases {
        let t = tree(*syntax, text, text);
        assert_eq!(all_comments(&t), *expected, "{text}");
    }
}

#[test]
fn values_the_dsl_cannot_hold_are_named() {
    let text = std::fs::read_to_string("tests/fixtures/format/yaml_only/names.yaml").unwrap();
    let t = tree(Syntax::Yaml, &text, "names.yaml");
    let messages: Vec<String> = format::lode_unsupported(&t)
        .into_iter()
        .map(|d| d.message)
        .collect();
    insta::assert_debug_snapshot!("yaml_only", messages);
}

// ---- the command line -------------------------------------------------------------------------

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn lodestar(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_lodestar"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("LODESTAR_TODAY", "2026-11-01")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn read(dir: &tempfile::TempDir, name: &str) -> String {
    std::fs::read_to_string(dir.path().join(name)).unwrap()
}

const MESSY: &str = "lodestar: 1\nproduct:   shop\nsources:\n  orders: {table: a.orders, time: at}\nowners:\n  \
                     growth:\n    name: Growth\nnorth_star:\n  owner: growth\n  name: orders\n  type: \
                     transaction\n  measure:\n    source: orders\n    agg: count\n";

#[test]
fn fmt_rewrites_files_in_place_and_check_reports_them() {
    let dir = scratch(&[
        ("shop.yaml", MESSY),
        (
            "market.lode",
            &fixture("tests/fixtures/valid/marketplace.lode"),
        ),
    ]);
    let check = lodestar(dir.path(), &["fmt", "--check"]);
    assert_eq!(check.code, 1, "{}{}", check.stdout, check.stderr);
    insta::assert_snapshot!("fmt_check_stdout", check.stdout);
    assert_eq!(read(&dir, "shop.yaml"), MESSY, "--check wrote a file");

    let fmt = lodestar(dir.path(), &["fmt"]);
    assert_eq!(
        (fmt.code, fmt.stdout.as_str(), fmt.stderr.as_str()),
        (0, "formatted shop.yaml\n", "")
    );
    let formatted = read(&dir, "shop.yaml");
    insta::assert_snapshot!("fmt_shop_yaml", formatted);
    assert_eq!(
        read(&dir, "market.lode"),
        fixture("tests/fixtures/valid/marketplace.lode")
    );

    let again = lodestar(dir.path(), &["fmt", "--check"]);
    assert_eq!(
        (again.code, again.stdout.as_str(), again.stderr.as_str()),
        (0, "", "")
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "temporary files left behind: {leftovers:?}"
    );
}

#[test]
fn fmt_leaves_files_with_syntax_errors_alone() {
    let broken = "lodestar: 1\nproduct: shop\nnorth_star: [unclosed\n";
    let dir = scratch(&[("broken.yaml", broken), ("shop.yaml", MESSY)]);
    let run = lodestar(dir.path(), &["fmt", "broken.yaml", "shop.yaml"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("broken.yaml:"), "{}", run.stderr);
    assert!(run.stderr.contains("LS901"), "{}", run.stderr);
    assert_eq!(read(&dir, "broken.yaml"), broken);
    assert_ne!(
        read(&dir, "shop.yaml"),
        MESSY,
        "the good file is still formatted"
    );
}

#[test]
fn fmt_keeps_comments_and_strips_them_when_asked() {
    let commented = MESSY
        .replace("product:   shop\n", "product:   shop\n# who owns what\n")
        .replace(
            "    agg: count\n",
            "    agg: count   # every order counts\n",
        );
    let dir = scratch(&[("shop.yaml", &commented)]);
    let run = lodestar(dir.path(), &["fmt"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let formatted = read(&dir, "shop.yaml");
    insta::assert_snapshot!("fmt_keeps_comments", formatted);
    // The comment below `product` is above the next key; the one after `agg` keeps its line.
    assert!(
        formatted.contains("# who owns what\nsources:"),
        "{formatted}"
    );
    assert!(
        formatted.contains("agg: count  # every order counts"),
        "{formatted}"
    );

    let check = lodestar(dir.path(), &["fmt", "--check"]);
    assert_eq!(check.code, 0, "formatting is idempotent: {}", check.stdout);

    let strip = lodestar(dir.path(), &["fmt", "--strip-comments"]);
    assert_eq!(strip.code, 0, "{}", strip.stderr);
    assert!(!read(&dir, "shop.yaml").contains('#'));
}

#[test]
fn convert_goes_both_ways() {
    let dir = scratch(&[
        (
            "market.yaml",
            &fixture("tests/fixtures/valid/marketplace.yaml"),
        ),
        (
            "market.lode",
            &fixture("tests/fixtures/valid/marketplace.lode"),
        ),
    ]);
    let to_lode = lodestar(dir.path(), &["convert", "market.yaml", "--to", "lode"]);
    assert_eq!((to_lode.code, to_lode.stderr.as_str()), (0, ""));
    assert_eq!(
        to_lode.stdout,
        fixture("tests/fixtures/valid/marketplace.lode")
    );

    let to_yaml = lodestar(
        dir.path(),
        &[
            "convert",
            "market.lode",
            "--to",
            "yaml",
            "--out",
            "out/m.yaml",
        ],
    );
    assert_eq!(
        (
            to_yaml.code,
            to_yaml.stdout.as_str(),
            to_yaml.stderr.as_str()
        ),
        (0, "", "")
    );
    let written = read(&dir, "out/m.yaml");
    let lode = fixture("tests/fixtures/valid/marketplace.lode");
    assert_same_model(
        &model(Syntax::Yaml, &written),
        &model(Syntax::Lode, &lode),
        "convert --out",
    );
}

#[test]
fn convert_carries_comments_and_refuses_broken_or_inexpressible_files() {
    let commented = format!("# shop\n{MESSY}").replace("shop\nsources", "shop\n# inside\nsources");
    let dir = scratch(&[
        ("shop.yaml", &commented),
        ("broken.lode", "lodestar 1\nproduct shop\nnorth star {\n"),
        (
            "names.yaml",
            &fixture("tests/fixtures/format/yaml_only/names.yaml"),
        ),
    ]);
    let run = lodestar(dir.path(), &["convert", "shop.yaml", "--to", "lode"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    // The header comes along as it is, the comment below it with the source it is above.
    assert!(
        run.stdout.starts_with("# shop\nlodestar 1\nproduct shop\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("# inside\nsource orders from a.orders at at\n"),
        "{}",
        run.stdout
    );

    let broken = lodestar(dir.path(), &["convert", "broken.lode", "--to", "yaml"]);
    assert_eq!((broken.code, broken.stdout.as_str()), (1, ""));
    assert!(broken.stderr.contains("LS901"), "{}", broken.stderr);

    let names = lodestar(
        dir.path(),
        &[
            "convert",
            "names.yaml",
            "--to",
            "lode",
            "--out",
            "names.lode",
        ],
    );
    assert_eq!(names.code, 1);
    insta::assert_snapshot!("convert_inexpressible", names.stderr);
    assert!(!dir.path().join("names.lode").exists());
}

#[test]
fn fmt_keeps_the_header_and_folds_long_text() {
    let sql =
        "select o.order_id, o.ordered_at, o.amount_usd, c.country, c.segment from shop.orders o \
               join shop.customers c on c.customer_id = o.customer_id where o.status <> 'test'";
    let messy = format!(
        "# yaml-language-server: $schema=../schema/lodestar.schema.json\n#   The shop.   \n\n{}",
        MESSY.replace(
            "orders: {table: a.orders, time: at}",
            &format!("orders: {{sql: \"{sql}\", time: at}}")
        )
    );
    let dir = scratch(&[("shop.yaml", &messy)]);
    let run = lodestar(dir.path(), &["fmt", "shop.yaml"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let formatted = read(&dir, "shop.yaml");
    assert!(
        formatted.starts_with(
            "# yaml-language-server: $schema=../schema/lodestar.schema.json\n#   The shop.\n\nlodestar: 1\n"
        ),
        "{formatted}"
    );
    assert!(
        formatted.contains("    sql: >-\n      select o.order_id"),
        "{formatted}"
    );
    assert!(
        formatted.lines().all(|l| l.chars().count() <= 100),
        "{formatted}"
    );
    assert_same_model(
        &model(Syntax::Yaml, &formatted),
        &model(Syntax::Yaml, &messy),
        "folded sql and header",
    );
    // Idempotent: a second run changes nothing.
    let again = lodestar(dir.path(), &["fmt", "--check", "shop.yaml"]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""));
}

#[test]
fn fmt_rewrites_the_dsl_too_and_its_help_states_the_comment_policy() {
    let messy = "lodestar 1\nproduct   shop\nowner growth   \"Growth\"\nsource orders from a.orders at at\n\
                 north star orders { owner growth\n type transaction\n measure count() from orders }\n";
    let dir = scratch(&[("shop.lode", messy)]);
    let run = lodestar(dir.path(), &["fmt", "shop.lode"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let formatted = read(&dir, "shop.lode");
    assert_eq!(
        formatted,
        "lodestar 1\nproduct shop\n\nowner growth \"Growth\"\n\nsource orders from a.orders at at\n\n\
         north star orders {\n  owner growth\n  type transaction\n  measure count() from orders\n}\n"
    );
    assert_same_model(
        &model(Syntax::Lode, &formatted),
        &model(Syntax::Lode, messy),
        "fmt of the DSL",
    );

    let help = lodestar(dir.path(), &["fmt", "--help"]);
    assert_eq!(help.code, 0);
    assert!(
        help.stdout
            .contains("the header of a file (the comment lines at its top"),
        "{}",
        help.stdout
    );
    assert!(help.stdout.contains("--strip-comments"), "{}", help.stdout);
}

#[test]
fn a_dsl_file_without_a_version_converts_to_a_yaml_spec() {
    let t = tree(Syntax::Lode, "product shop\n", "no version");
    let yaml = format::to_yaml(&t);
    assert_eq!(yaml, "lodestar: 1\nproduct: shop\n");
    assert!(syntax::looks_like_yaml_spec(&yaml));
}

#[cfg(unix)]
#[test]
fn fmt_keeps_a_files_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch(&[("shop.yaml", MESSY)]);
    let path = dir.path().join("shop.yaml");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert_eq!(lodestar(dir.path(), &["fmt"]).code, 0);
    assert_ne!(read(&dir, "shop.yaml"), MESSY);
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

// ---- random trees -----------------------------------------------------------------------------

/// A small deterministic generator (no dependency needed for this).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn text(&mut self, alphabet: &[&str], max: usize) -> String {
        let n = (self.next() as usize) % (max + 1);
        (0..n)
            .map(|_| alphabet[(self.next() as usize) % alphabet.len()])
            .collect()
    }
}

/// The tree's values: every key with its value, keys of a map in catalogue order, spans left
/// out, syntax forgotten.
fn values(t: &ast::File) -> String {
    fn node(n: &Node, indent: usize, out: &mut String) {
        let mut fields: Vec<&ast::Field> = n.fields.iter().collect();
        fields.sort_by_key(|f| f.key);
        for f in fields {
            out.push_str(&format!("{}{}:", " ".repeat(indent), f.key.name()));
            value(&f.value, indent + 2, out);
        }
    }
    fn value(v: &Value, indent: usize, out: &mut String) {
        match v {
            Value::Scalar(s) => out.push_str(&format!(" {:?}\n", s.value)),
            Value::Map(n) => {
                out.push('\n');
                node(n, indent, out);
            }
            Value::List(items) => {
                out.push('\n');
                for i in items {
                    out.push_str(&format!("{}-", " ".repeat(indent)));
                    value(&i.value, indent + 2, out);
                }
            }
            Value::Named(entries) => {
                out.push('\n');
                for e in entries {
                    out.push_str(&format!("{}{:?}:", " ".repeat(indent), e.name.value));
                    match &e.value {
                        Some(v) => value(v, indent + 2, out),
                        None => out.push('\n'),
                    }
                }
            }
        }
    }
    let mut out = String::new();
    node(&t.root, 0, &mut out);
    out
}

/// Random text, fragments and expressions survive both printers exactly.
#[test]
fn random_values_survive_both_printers() {
    const TRICKY: &[&str] = &[
        "a",
        "b",
        "z",
        "0",
        "1",
        ".",
        " ",
        "  ",
        "\t",
        "\n",
        "#",
        ":",
        ": ",
        " #",
        "'",
        "\"",
        "`",
        "``",
        "\\",
        "{",
        "}",
        "[",
        "]",
        ",",
        "-",
        "?",
        "!",
        "|",
        ">",
        "%",
        "@",
        "&",
        "*",
        "é",
        "having",
        " having ",
        "true",
        "null",
        "1.5",
        "2026-01-01",
        "=",
        "<",
        "(",
        ")",
        "\r",
    ];
    const EXPR: &[&str] = &[
        "a", "b", "_", " ", "+", "*", "(", ")", "'x'", "'('", ",", "1", "\"c\"",
    ];
    let mut rng = Lcg(12345);
    let (mut yaml_checked, mut lode_checked) = (0, 0);
    for _ in 0..300 {
        let mut f = ast::File::empty(FileId(0), Syntax::Yaml);
        f.root = node(
            Place::File,
            &[
                (Key::Lodestar, "1".into()),
                (Key::Product, "p".into()),
                (Key::ProductDescription, rng.text(TRICKY, 8)),
            ],
        );
        let owner = node(
            Place::Owner,
            &[
                (Key::OwnerName, rng.text(TRICKY, 6)),
                (Key::OwnerSlack, rng.text(TRICKY, 4)),
            ],
        );
        f.root.push(
            Key::Owners,
            Default::default(),
            Value::Named(vec![entry("o", Value::Map(owner))]),
        );
        let mut source = node(
            Place::Source,
            &[
                (Key::SourceDescription, rng.text(TRICKY, 6)),
                (Key::SourceTable, "t.x".into()),
                (Key::SourceTime, "at".into()),
            ],
        );
        source.push(
            Key::Dimensions,
            Default::default(),
            Value::Named(vec![entry("d", Value::Scalar(s(&rng.text(TRICKY, 8))))]),
        );
        f.root.push(
            Key::Sources,
            Default::default(),
            Value::Named(vec![entry("src", Value::Map(source))]),
        );
        let mut measure = vec![
            (Key::MeasureSource, "src".into()),
            (Key::MeasureAgg, "sum".into()),
        ];
        let expr = rng.text(EXPR, 6);
        if !expr.trim().is_empty() {
            measure.push((Key::MeasureExpr, expr));
        }
        measure.push((Key::Filter, rng.text(TRICKY, 8)));
        measure.push((Key::Having, rng.text(TRICKY, 8)));
        let metric = |name: &str, label: String, compute: (Key, Value)| {
            let mut m = node(
                Place::Metric,
                &[
                    (Key::MetricName, name.into()),
                    (Key::Label, label),
                    (Key::Owner, "o".into()),
                ],
            );
            m.push(compute.0, Default::default(), compute.1);
            item(Value::Map(m))
        };
        let inputs = vec![
            metric(
                "m",
                rng.text(TRICKY, 6),
                (Key::Measure, Value::Map(node(Place::Measure, &measure))),
            ),
            metric(
                "n",
                rng.text(TRICKY, 3),
                (Key::Derived, Value::Scalar(s(&rng.text(TRICKY, 8)))),
            ),
        ];
        f.root
            .push(Key::Inputs, Default::default(), Value::List(inputs));

        let yaml = format::to_yaml(&f);
        let back = tree(Syntax::Yaml, &yaml, &format!("{f:#?}"));
        assert_eq!(values(&back), values(&f), "YAML:\n{yaml}");
        assert!(!format::has_comments(&back), "{yaml}");
        yaml_checked += 1;
        if format::lode_unsupported(&f).is_empty() {
            let lode = format::to_lode(&f);
            let back = tree(Syntax::Lode, &lode, &format!("{f:#?}"));
            assert_eq!(values(&back), values(&f), "DSL:\n{lode}");
            assert!(!format::has_comments(&back), "{lode}");
            lode_checked += 1;
        }
    }
    assert!(
        yaml_checked == 300 && lode_checked > 60,
        "{yaml_checked} {lode_checked}"
    );
}

/// Headers the parsers read differently from a plain `#` line: each either stays the header
/// (and the printed file reads back to the same model) or is reported as a comment; never
/// duplicated, never dropped silently.
#[test]
fn header_edge_cases_keep_the_model_and_the_comment() {
    let cases: &[(Syntax, &str)] = &[
        (Syntax::Lode, "# note\rlodestar 1\nproduct p\n"),
        (Syntax::Yaml, "# note\rlodestar: 1\nproduct: p\n"),
        (
            Syntax::Yaml,
            "\u{feff}# owned by growth\nlodestar: 1\nproduct: p\n",
        ),
        (
            Syntax::Lode,
            "\u{feff}# owned by growth\nlodestar 1\nproduct p\n",
        ),
        (Syntax::Yaml, "# a\r\n# b\r\nlodestar: 1\r\nproduct: p\r\n"),
        (Syntax::Lode, "# one\n\n# two\nlodestar 1\nproduct p"),
    ];
    for (syntax, text) in cases {
        let t = tree(*syntax, text, text);
        let printed = format::print_file(&t, *syntax, text);
        assert_same_model(&model(*syntax, &printed), &model(*syntax, text), text);
        let comment = text.trim_start_matches('\u{feff}').lines().next().unwrap();
        let comment = comment.split('\r').next().unwrap().trim_end();
        assert!(printed.contains(comment), "{text:?} printed as {printed:?}");
        // Printing is idempotent.
        let again = format::print_file(&tree(*syntax, &printed, "again"), *syntax, &printed);
        assert_eq!(again, printed, "{text:?}");
    }
}

/// A long description folds over lines and reads back exactly, whatever its words start with.
#[test]
fn folded_text_reads_back_exactly() {
    let words = [
        "#hash", "- dash", "? q", ":colon", "%pct", "@at", "`tick`", "\"dq\"", "'sq'", "---",
        "...", "a\u{a0}b", "ünï", "{x}", "[y]", "|bar", ">gt", "*star", "&amp", "!bang", "k: v",
        "#",
    ];
    for (i, w) in words.iter().enumerate() {
        let description = format!(
            "{w} start then {} then {w} again and finally {w}",
            "many words ".repeat(12 + i % 5).trim_end()
        );
        let text = format!(
            "lodestar: 1\nproduct: p\ndescription: {}\n",
            serde_json::to_string(&description).unwrap()
        );
        let t = tree(Syntax::Yaml, &text, "folded");
        let printed = format::print(&t, Syntax::Yaml);
        assert_same_model(
            &model(Syntax::Yaml, &printed),
            &model(Syntax::Yaml, &text),
            &printed,
        );
    }
}

/// Comments in every position (above a key, after a value, between list items, after SQL in
/// the DSL, at the end of the file) are kept where they are by `fmt`: the fixtures are written
/// canonically, so printing them must give them back byte for byte.
#[test]
fn commented_specs_print_back_exactly_and_convert_with_every_comment() {
    for (path, syntax) in [
        (
            "tests/fixtures/format/comments/commented.yaml",
            Syntax::Yaml,
        ),
        (
            "tests/fixtures/format/comments/commented.lode",
            Syntax::Lode,
        ),
    ] {
        let text = std::fs::read_to_string(path).unwrap();
        let t = tree(syntax, &text, path);
        assert_eq!(format::print_file(&t, syntax, &text), text, "{path}");
        let comments = all_comments(&t);
        assert!(comments.len() >= 20, "{path}: {comments:?}");
        let converted = format::print_file(&t, other(syntax), &text);
        let back = tree(other(syntax), &converted, path);
        assert_eq!(sorted(all_comments(&back)), sorted(comments), "{converted}");
    }
    // Where the YAML's comments land in the DSL: a comment on a part of the measure's line goes
    // above that line; one at the end of a statement's line stays at its end.
    let yaml = std::fs::read_to_string("tests/fixtures/format/comments/commented.yaml").unwrap();
    let lode = format::print_file(&tree(Syntax::Yaml, &yaml, "yaml"), Syntax::Lode, &yaml);
    for expected in [
        "# above a filter\n  # after SQL\n  measure count() from orders where status = 'paid'\n",
        "  owner growth  # after the owner\n",
        "# between list items\n# after a name\ninput per_buyer = orders / buyers {  # after a derived expression\n",
        "  denominator orders  # after a denominator\n",
        "}\n# at the end of the file\n",
    ] {
        assert!(lode.contains(expected), "{expected:?} not in\n{lode}");
    }
    // And the DSL's in YAML: a comment after the measure's SQL ends the measure's line.
    let text = std::fs::read_to_string("tests/fixtures/format/comments/commented.lode").unwrap();
    let yaml = format::print_file(&tree(Syntax::Lode, &text, "lode"), Syntax::Yaml, &text);
    for expected in [
        "  measure: { source: orders, agg: count, filter: status = 'paid' }  # after SQL\n",
        "      country: upper(country)  # after a dimension\n",
        "  # between metrics\n  - name: per_buyer  # after a derived header\n",
    ] {
        assert!(yaml.contains(expected), "{expected:?} not in\n{yaml}");
    }
}
