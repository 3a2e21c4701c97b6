//! `lodestar fmt` and `lodestar convert`: canonical printers, idempotence, lossless conversion
//! (data-driven over every spec under `specs/` and `tests/fixtures/`), comment detection, and
//! the command line run as a real binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use lodestar::diagnostics::FileId;
use lodestar::format;
use lodestar::model::Project;
use lodestar::project;
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
    let mut codes: Vec<&str> = analysis.diagnostics.iter().map(|d| d.code).collect();
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

/// A spec file whose parse has no structural errors (the printers need a whole tree).
fn printable(path: &Path) -> Option<(Syntax, String, ast::File)> {
    let syntax = syntax::syntax_of(&path.to_string_lossy())?;
    let text = std::fs::read_to_string(path).ok()?;
    let (tree, diagnostics) = parse(syntax, &text);
    let structural = diagnostics
        .iter()
        .any(|d| d.is_error() && matches!(d.code, "LS901" | "LS902" | "LS008"));
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
            format::find_comment(syntax, &once, &reparsed),
            None,
            "fmt({shown}) reads as commented"
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
        let commented = format::find_comment(other(syntax), &converted, &converted_tree);
        assert_eq!(commented, None, "convert({shown}) reads as commented");
        // And back again: the canonical form of the original.
        assert_eq!(
            format::print(&converted_tree, syntax),
            canonical,
            "{shown} does not come back from {converted}"
        );
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
        let s = |v: &str| lodestar::diagnostics::Spanned::new(v.to_owned(), Default::default());
        f.version = Some(s("1"));
        f.product = Some(s("p"));
        f.description = Some(s(value));
        f.owners.push(ast::Owner {
            key: s("k"),
            name: Some(s(value)),
            email: None,
            slack: None,
        });
        let printed = format::to_yaml(&f);
        let back = tree(Syntax::Yaml, &printed, &format!("{value:?}"));
        assert_eq!(
            back.description.as_ref().map(|d| d.value.as_str()),
            Some(value),
            "{printed}"
        );
        assert_eq!(
            back.owners[0].name.as_ref().map(|d| d.value.as_str()),
            Some(value),
            "{printed}"
        );
        assert_eq!(
            format::find_comment(Syntax::Yaml, &printed, &back),
            None,
            "{printed}"
        );
    }
}

#[test]
fn comments_are_found_outside_values_only() {
    let cases: &[(Syntax, &str, Option<usize>)] = &[
        (Syntax::Yaml, "lodestar: 1\nproduct: p\n", None),
        // The header (comment lines at the top) is kept by printing, so it is not reported.
        (Syntax::Yaml, "# heading\nlodestar: 1\nproduct: p\n", None),
        (Syntax::Yaml, "# heading\n\nlodestar: 1\n# below\nproduct: p\n", Some(4)),
        (Syntax::Yaml, "lodestar: 1\nproduct: p   # trailing\n", Some(2)),
        (Syntax::Yaml, "lodestar: 1\nproduct: p\ndescription: \"a # b\"\n", None),
        (Syntax::Yaml, "lodestar: 1\nproduct: p\ndescription: 'a # b'\n", None),
        (Syntax::Yaml, "lodestar: 1\nproduct: p\ndescription: a#b\n", None),
        (Syntax::Yaml, "lodestar: 1\nproduct: p\ndescription: |\n  # not a comment\n  text\ngame: x\n", None),
        (Syntax::Yaml, "lodestar: 1\nproduct: p\ndescription: |\n  text\n# a comment\ngame: x\n", Some(5)),
        (Syntax::Yaml, "lodestar: 1\nowners:\n  a: { name: A, slack: \"#a\" } # c\n", Some(3)),
        (Syntax::Lode, "lodestar 1\nproduct p\n", None),
        (Syntax::Lode, "# heading\nlodestar 1\nproduct p\n", None),
        (Syntax::Lode, "# heading\nlodestar 1\n  # below\nproduct p\n", Some(3)),
        (Syntax::Lode, "lodestar 1\nproduct p \"a # b\" # real\n", Some(2)),
        (Syntax::Lode, "lodestar 1\nowner a \"A\" slack \"#a\"\n", None),
        (
            Syntax::Lode,
            "lodestar 1\nproduct p\nsource s from t at c {\n  dimension d = x || '#'\n  dimension e = `#`\n}\n",
            None,
        ),
    ];
    for (syntax, text, expected) in cases {
        let t = tree(*syntax, text, text);
        assert_eq!(format::find_comment(*syntax, text, &t), *expected, "{text}");
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

fn scratch(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
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
fn fmt_refuses_to_drop_comments_unless_asked() {
    let commented = MESSY.replace("product:   shop\n", "product:   shop\n# who owns what\n");
    let dir = scratch(&[("shop.yaml", &commented)]);
    let run = lodestar(dir.path(), &["fmt"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("fmt_comment_refusal", run.stderr);
    assert_eq!(read(&dir, "shop.yaml"), commented);

    let check = lodestar(dir.path(), &["fmt", "--check"]);
    assert_eq!(check.code, 2, "{}", check.stderr);

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
fn convert_warns_about_comments_and_refuses_broken_or_inexpressible_files() {
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
    assert_eq!(run.code, 0);
    // The header comes along; the comment below it does not, with a warning naming its line.
    assert!(
        run.stdout.starts_with("# shop\nlodestar 1\nproduct shop\n"),
        "{}",
        run.stdout
    );
    insta::assert_snapshot!("convert_comment_warning", run.stderr);

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

/// The tree's values, spans left out, syntax forgotten.
fn values(t: &ast::File) -> String {
    let mut t = t.clone();
    t.syntax = Syntax::Yaml;
    format!("{t:#?}")
        .lines()
        .filter(|l| !l.trim_start().starts_with("span:"))
        .collect::<Vec<_>>()
        .join("\n")
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
    let s = |v: String| lodestar::diagnostics::Spanned::new(v, Default::default());
    let mut rng = Lcg(12345);
    let (mut yaml_checked, mut lode_checked) = (0, 0);
    for _ in 0..300 {
        let mut f = ast::File::empty(FileId(0), Syntax::Yaml);
        f.version = Some(s("1".into()));
        f.product = Some(s("p".into()));
        f.description = Some(s(rng.text(TRICKY, 8)));
        f.owners.push(ast::Owner {
            key: s("o".into()),
            name: Some(s(rng.text(TRICKY, 6))),
            email: None,
            slack: Some(s(rng.text(TRICKY, 4))),
        });
        f.sources.push(ast::Source {
            name: s("src".into()),
            description: Some(s(rng.text(TRICKY, 6))),
            table: Some(s("t.x".into())),
            sql: None,
            time: Some(s("at".into())),
            columns: None,
            dimensions: vec![ast::Dimension {
                name: s("d".into()),
                expr: s(rng.text(TRICKY, 8)),
            }],
        });
        let measure = ast::Measure {
            span: Default::default(),
            source: Some(s("src".into())),
            agg: Some(s("sum".into())),
            expr: Some(s(rng.text(EXPR, 6))).filter(|e| !e.value.trim().is_empty()),
            p: None,
            filter: Some(s(rng.text(TRICKY, 8))),
            having: Some(s(rng.text(TRICKY, 8))),
        };
        let metric = |name: &str, label: String, compute: ast::Compute| ast::Metric {
            role: ast::Role::Input,
            span: Default::default(),
            name: s(name.into()),
            label: Some(s(label)),
            description: None,
            owner: Some(s("o".into())),
            metric_type: None,
            grain: None,
            compute: vec![compute],
            window: None,
            threshold: None,
            targets: Vec::new(),
            review: None,
            allow: Vec::new(),
        };
        f.inputs.push(metric(
            "m",
            rng.text(TRICKY, 6),
            ast::Compute::Measure(measure),
        ));
        f.inputs.push(metric(
            "n",
            rng.text(TRICKY, 3),
            ast::Compute::Derived(s(rng.text(TRICKY, 8))),
        ));

        let yaml = format::to_yaml(&f);
        let back = tree(Syntax::Yaml, &yaml, &format!("{f:#?}"));
        assert_eq!(values(&back), values(&f), "YAML:\n{yaml}");
        assert_eq!(
            format::find_comment(Syntax::Yaml, &yaml, &back),
            None,
            "{yaml}"
        );
        yaml_checked += 1;
        if format::lode_unsupported(&f).is_empty() {
            let lode = format::to_lode(&f);
            let back = tree(Syntax::Lode, &lode, &format!("{f:#?}"));
            assert_eq!(values(&back), values(&f), "DSL:\n{lode}");
            assert_eq!(
                format::find_comment(Syntax::Lode, &lode, &back),
                None,
                "{lode}"
            );
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
        if let Some(line) = format::find_comment(*syntax, text, &t) {
            // Refused by fmt (it names the line): nothing is written.
            assert!(line >= 1, "{text:?}");
            continue;
        }
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
