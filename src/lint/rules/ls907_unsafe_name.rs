use std::collections::HashMap;

use super::ls008_names::is_snake_case;
use crate::diagnostics::{Code, Severity};
use crate::lint::{Annotate, Context};
use crate::model::{Metric, Str};
use crate::sql::{Dialect, INTERNAL_PREFIX, RESERVED_NAMES};

/// What the code checks, why, an example and why it cannot be configured (`lodestar explain
/// LS907`).
pub const DOC: &str = r#"## What it checks
The names that become files and output columns are safe, whatever `allow` and `lodestar.toml`
say:
* Product and metric names are lowercase letters, digits and `_`, not starting with a digit
  (`^[a-z_][a-z0-9_]*$`): no `/`, `\`, `..`, dots, spaces, control characters or upper case.
  They are not Windows device names (`con`, `nul`, `aux`, `prn`, `com1`…, `lpt1`…), and no
  longer than 250 bytes (a file name has at most 255).
* No metric is named like a name the compiled SQL or its files use for themselves: `period`,
  `value`, `guardrail`, `min`, `max`, `scorecard`, `guardrails`, `product`, `complete`, or
  any name starting `lodestar_`.
* No two products, and no two metrics of a product, have names equal ignoring case.
* No metric name is longer than an identifier may be in a dialect the project compiles to
  (`[project] dialects` in `lodestar.toml`, all eight by default): PostgreSQL keeps 63 bytes,
  Redshift 127, Snowflake and Databricks 255, BigQuery 300. The message names the dialect and
  its limit, and points at another metric whose name starts with the same bytes.

A name that is not snake_case, or a repeat, is reported once: by `LS008` when it is an error
there, else by this code.

## Why it matters
`lodestar compile --out DIR` writes `DIR/<product>/<metric>.sql`: a product named `../..` would
write, and replace directories, outside DIR. A metric named `scorecard` would overwrite
`scorecard.sql`; one named `period` would give the scorecard two `period` columns; `Revenue` and
`revenue` are one file on macOS and Windows. PostgreSQL cuts a longer name to 63 bytes, so two
long metric names that share their first 63 bytes become one column.

## Example
```yaml
guardrails:
  - name: ../../escaped      # LS907: contains `/`, a path separator
    allow: [{ code: LS008, reason: "x" }]   # silences LS008, not LS907
inputs:
  - name: period             # LS907: `period` is the first column of every query
```

## Configuration
Always an error; it cannot be configured or silenced with `allow`. `LS008` (snake_case, unique
names) is the configurable rule about names; this code is the floor beneath it.
"#;

pub struct UnsafeName;

/// A file name has at most 255 bytes on common file systems; the longest suffix lodestar adds
/// to a name is `.html`.
const MAX_FILE_NAME: usize = 250;

/// Names Windows reserves for devices, whatever the extension.
const WINDOWS_DEVICES: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

impl crate::lint::Rule for UnsafeName {
    fn code(&self) -> Code {
        Code::UnsafeName
    }

    fn check(&self, cx: &mut Context<'_>) {
        let project = cx.project;
        let limits: Vec<(Dialect, usize)> = cx
            .config
            .dialects
            .iter()
            .filter_map(|&d| d.max_identifier().map(|l| (d, l)))
            .collect();
        // LS008 reports names that are not snake_case, and exact repeats, as errors when it is
        // on at that level (and not allowed on the metric); this code reports those only when
        // LS008 lets them through, so either way they are errors, once.
        let ls008_errors = cx.config.severity(Code::Names) == Some(Severity::Error);

        let mut products = Vec::new();
        for product in &project.products {
            if report_unsafe(cx, "product", &product.name, ls008_errors) {
                products.push(&product.name);
            }
        }
        collisions(cx, "product", &products, |_| ls008_errors);

        for product in &project.products {
            let mut metrics: Vec<&Metric> = Vec::new();
            for m in &product.metrics {
                let ls008_reports = ls008_errors && !m.allows(Code::Names);
                if report_unsafe(cx, "metric", &m.name, ls008_reports)
                    && report_reserved(cx, &m.name)
                    && report_too_long(cx, m, &product.metrics, &limits)
                {
                    metrics.push(m);
                }
            }
            let names: Vec<&Str> = metrics.iter().map(|m| &m.name).collect();
            collisions(
                cx,
                &format!("metric of product `{}`", shown(&product.name.value)),
                &names,
                |i| ls008_errors && !metrics[i].allows(Code::Names),
            );
        }
    }
}

/// The name as it may be printed: control and bidirectional characters escaped, cut short.
fn shown(name: &str) -> String {
    const MAX: usize = 64;
    let mut out = String::new();
    for c in name.chars().take(MAX) {
        let bidi = matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || bidi {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if name.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

/// Why `name` cannot be a file name or a column, as `(message, label)`, or `None`.
fn unsafe_because(name: &str) -> Option<(String, &'static str)> {
    let escapes = "would write outside `--out`";
    if name.is_empty() {
        return Some(("is empty".to_owned(), "an empty name"));
    }
    if name == "." || name == ".." {
        return Some((format!("`{name}` names a directory, not a file"), escapes));
    }
    if let Some(c) = name.chars().find(|&c| matches!(c, '/' | '\\')) {
        return Some((format!("contains `{c}`, a path separator"), escapes));
    }
    if let Some(c) = name.chars().find(|c| c.is_ascii_uppercase()) {
        return Some((
            format!(
                "contains the upper-case `{c}`: on a case-insensitive file system (macOS, \
                 Windows) it is the same file as its lower-case spelling"
            ),
            "upper case",
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
    {
        let c = match c {
            ' ' => "a space".to_owned(),
            '.' => "`.`".to_owned(),
            c if c.is_control() => format!("the control character `{}`", c.escape_default()),
            c => format!("`{}`", shown(&c.to_string())),
        };
        return Some((
            format!("contains {c}, which is not a lowercase letter, a digit or `_`"),
            "not a safe name",
        ));
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(("starts with a digit".to_owned(), "not a safe name"));
    }
    if WINDOWS_DEVICES.contains(&name) {
        return Some((
            format!("`{name}` is a device name on Windows, where no file can be called that"),
            "a Windows device name",
        ));
    }
    if name.len() > MAX_FILE_NAME {
        return Some((
            format!(
                "is {} bytes long; a file name lodestar writes for it may have at most \
                 {MAX_FILE_NAME}",
                name.len()
            ),
            "too long for a file name",
        ));
    }
    None
}

/// Reports a name that cannot be a file name, unless LS008 already reports it as an error
/// (`ls008_reports`: it is on at that level and not allowed here); whether it is safe.
fn report_unsafe(cx: &mut Context<'_>, what: &str, name: &Str, ls008_reports: bool) -> bool {
    let Some((why, label)) = unsafe_because(&name.value) else {
        return true;
    };
    // A missing name (no text, nowhere) is LS902's; LS008 reports what is not snake_case.
    let missing = name.value.is_empty() && name.span.start == name.span.end;
    if missing || ls008_reports && !is_snake_case(&name.value) {
        return false;
    }
    cx.report(
        format!("{what} name `{}` is not safe: it {why}", shown(&name.value)),
        name.span,
        label,
    )
    .with_help(format!(
        "rename the {what}: names become file names under `--out` and SQL columns, so they are \
         lowercase letters, digits and `_`, not starting with a digit. This cannot be allowed \
         or turned off"
    ));
    false
}

/// Reports a metric named like a column or file of the compiled SQL; whether it is free.
fn report_reserved(cx: &mut Context<'_>, name: &Str) -> bool {
    let why = match RESERVED_NAMES.iter().find(|(n, _)| *n == name.value) {
        Some((n, what)) => format!("`{n}` is {what}"),
        None if name.value.starts_with(INTERNAL_PREFIX) => {
            format!("names starting `{INTERNAL_PREFIX}` are lodestar's own in the compiled SQL")
        }
        None => return true,
    };
    cx.report(
        format!("metric name `{}` is reserved: {why}", name.value),
        name.span,
        "a name lodestar writes itself",
    )
    .with_help(format!(
        "rename the metric, e.g. `{}_metric`: a metric named like this would collide with \
         what lodestar writes. This cannot be allowed or turned off",
        name.value.trim_start_matches(INTERNAL_PREFIX)
    ));
    false
}

/// Reports a metric name longer than a target dialect keeps, pointing at another metric whose
/// name starts with the same bytes; whether it fits.
fn report_too_long(
    cx: &mut Context<'_>,
    m: &Metric,
    all: &[Metric],
    limits: &[(Dialect, usize)],
) -> bool {
    let name = &m.name.value;
    let mut over: Vec<(Dialect, usize)> = limits
        .iter()
        .copied()
        .filter(|&(_, l)| name.len() > l)
        .collect();
    if over.is_empty() {
        return true;
    }
    over.sort_by_key(|&(d, l)| (l, d));
    let (strictest, limit) = over[0];
    let listed: Vec<String> = over
        .iter()
        .map(|(d, l)| format!("{} ({l})", d.name()))
        .collect();
    let d = cx
        .report(
            format!(
                "metric name `{}` is {} bytes long: longer than an identifier may be in {}",
                shown(name),
                name.len(),
                join(&listed)
            ),
            m.name.span,
            format!("{} keeps {limit} bytes", strictest.name()),
        )
        .with_help(format!(
            "shorten the name to at most {limit} bytes, or list in `[project] dialects` of \
             lodestar.toml only the dialects the project compiles to"
        ));
    // Safe names are ASCII: byte offsets are character boundaries.
    let prefix = &name.as_bytes()[..limit];
    if let Some(other) = all
        .iter()
        .find(|o| !std::ptr::eq(*o, m) && o.name.value.as_bytes().get(..limit) == Some(prefix))
    {
        d.with_label(other.name.span, format!("the same first {limit} bytes"))
            .with_note(format!(
                "`{}` starts with the same {limit} bytes: {} would read both as one column",
                shown(&other.name.value),
                strictest.name()
            ));
    }
    false
}

/// `a`, `a and b`, `a, b and c`.
fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Reports every name equal to an earlier one ignoring case, at the repeat, with the first as
/// a second label; `ls008_reports(i)` says LS008 already reports the i-th name as an error.
fn collisions(
    cx: &mut Context<'_>,
    what: &str,
    names: &[&Str],
    ls008_reports: impl Fn(usize) -> bool,
) {
    let mut first: HashMap<String, &Str> = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        let key = name.value.to_ascii_lowercase();
        let Some(original) = first.get(&key) else {
            first.insert(key, name);
            continue;
        };
        if original.value == name.value && ls008_reports(i) {
            continue;
        }
        cx.report(
            format!(
                "a second {what} named `{}`: both would write the same file",
                shown(&name.value)
            ),
            name.span,
            "declared again here",
        )
        .with_label(original.span, "first declared here")
        .with_help(format!(
            "rename one of them; `{}` must name one {what}. This cannot be allowed or turned off",
            shown(&name.value)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::{shown, unsafe_because};
    use crate::lint::testing::{
        assert_clean, assert_finds, findings_in, pos, pos_in, Edit, VALID_LODE, VALID_YAML,
    };

    const ALLOW_LS008: &str = "    allow: [{ code: LS008, reason: x }]\n";

    /// The valid spec with the guardrail `refund_rate` renamed `name` (quoted), LS008 allowed.
    fn guardrail_named(name: &str) -> String {
        VALID_YAML.edit(
            "  - name: refund_rate\n",
            &format!("  - name: {name}\n{ALLOW_LS008}"),
        )
    }

    fn ls907(sources: &[(&str, &str)]) -> Vec<crate::lint::testing::Found> {
        findings_in(sources)
            .into_iter()
            .filter(|f| f.code == "LS907")
            .collect()
    }

    #[test]
    fn passes_with_safe_names() {
        assert_clean("LS907", VALID_YAML);
        assert_clean("LS907", VALID_LODE);
    }

    #[test]
    fn safe_names_are_lowercase_letters_digits_and_underscores() {
        for ok in [
            "a",
            "_",
            "_x",
            "nights_booked",
            "m7_day",
            "x".repeat(250).as_str(),
        ] {
            assert_eq!(unsafe_because(ok), None, "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            "../../escaped",
            "/tmp/x",
            "a\\b",
            "a.b",
            "a b",
            "a\0b",
            "Revenue",
            "7day",
            "café",
            "con",
            "lpt1",
            "x".repeat(251).as_str(),
        ] {
            assert!(unsafe_because(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn shows_names_without_control_characters_and_cut_short() {
        assert_eq!(shown("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(shown("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(shown(&"x".repeat(100)), format!("{}…", "x".repeat(64)));
    }

    #[test]
    fn fails_on_a_path_in_a_name_whatever_allow_and_configuration_say() {
        let spec = guardrail_named("../../escaped");
        assert_finds("LS907", &spec, &[pos(&spec, "../../escaped")]);
        let got = ls907(&[
            ("spec.yaml", &spec),
            ("lodestar.toml", "[rules]\nLS008 = \"off\"\n"),
        ]);
        assert_eq!(got.len(), 1, "{got:?}");
        let d = &got[0].diagnostic;
        assert_eq!(d.severity, crate::diagnostics::Severity::Error);
        assert!(d.message.contains("path separator"), "{}", d.message);
        assert!(d.help.as_deref().unwrap().contains("cannot be allowed"));
    }

    #[test]
    fn fails_on_unsafe_product_names_when_ls008_lets_them_through() {
        for name in ["..", "\"/tmp/x\"", "Marketplace", "\"a.b\"", "con"] {
            let spec = VALID_YAML.edit("product: marketplace", &format!("product: {name}"));
            let got = ls907(&[
                ("spec.yaml", &spec),
                ("lodestar.toml", "[rules]\nLS008 = \"warning\"\n"),
            ]);
            assert_eq!(got.len(), 1, "{name}: {got:?}");
            assert_eq!(got[0].at(), (2, 10), "{name}");
        }
    }

    #[test]
    fn what_ls008_reports_as_an_error_is_not_repeated() {
        let spec = VALID_YAML.edit("product: marketplace", "product: ..");
        let got = findings_in(&[("spec.yaml", &spec)]);
        let codes: Vec<&str> = got.iter().map(|f| f.code.as_str()).collect();
        assert!(
            codes.contains(&"LS008") && !codes.contains(&"LS907"),
            "{codes:?}"
        );
        // A Windows device name is snake_case: LS008 says nothing, this code does.
        let spec = VALID_YAML.edit("product: marketplace", "product: nul");
        assert_finds("LS907", &spec, &[(2, 10)]);
    }

    #[test]
    fn allow_cannot_silence_it() {
        let spec = VALID_YAML.edit(
            "  - name: refund_rate\n",
            "  - name: /tmp/x\n    allow: [{ code: LS907, reason: x }, { code: LS008, reason: x }]\n",
        );
        assert_finds("LS907", &spec, &[pos(&spec, "/tmp/x")]);
        // An `allow` naming it is itself an error: it is not a rule one may silence.
        let got = findings_in(&[("spec.yaml", &spec)]);
        assert!(got.iter().any(|f| f.code == "LS906"), "{got:?}");
    }

    #[test]
    fn fails_on_reserved_metric_names() {
        for name in [
            "period",
            "value",
            "scorecard",
            "guardrails",
            "guardrail",
            "product",
            "min",
            "max",
            "lodestar_period",
        ] {
            let spec = guardrail_named(name);
            let at = pos_in(&spec, &format!("- name: {name}"), name);
            assert_finds("LS907", &spec, &[at]);
        }
    }

    #[test]
    fn reserved_names_are_for_metrics_only() {
        let spec = VALID_YAML.edit("product: marketplace", "product: scorecard");
        assert_clean("LS907", &spec);
    }

    #[test]
    fn fails_on_names_that_collide_when_ls008_lets_them_through() {
        let spec = VALID_YAML.edit("name: confirmed_bookings", "name: new_hosts");
        // LS008 reports the repeat: LS907 says nothing more.
        assert_clean("LS907", &spec);
        let got = ls907(&[
            ("spec.yaml", &spec),
            ("lodestar.toml", "[rules]\nLS008 = \"warning\"\n"),
        ]);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].labels.len(), 2);
        // So does an `allow` on the repeat.
        let allowed = VALID_YAML.edit(
            "  - name: confirmed_bookings\n",
            &format!("  - name: new_hosts\n{ALLOW_LS008}"),
        );
        let second = allowed
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("name: new_hosts"))
            .map(|(i, _)| (i + 1, 11))
            .nth(1);
        assert_finds("LS907", &allowed, &[second.unwrap()]);
    }

    #[test]
    fn fails_on_products_that_collide_when_ls008_is_off() {
        let got = ls907(&[
            ("a.yaml", VALID_YAML),
            ("b.yaml", VALID_YAML),
            ("lodestar.toml", "[rules]\nLS008 = \"off\"\n"),
        ]);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].labels[0], ("b.yaml".to_owned(), 2, 10));
    }

    #[test]
    fn fails_on_long_names_naming_the_dialect_and_its_limit() {
        let a = format!("{}a", "x".repeat(63));
        let b = format!("{}b", "x".repeat(63));
        let spec = VALID_YAML
            .edit("name: new_hosts", &format!("name: {a}"))
            .edit("name: confirmed_bookings", &format!("name: {b}"));
        let got = ls907(&[("spec.yaml", &spec)]);
        assert_eq!(got.len(), 2, "{got:?}");
        let d = &got[0].diagnostic;
        assert!(d.message.contains("64 bytes"), "{}", d.message);
        assert!(d.message.contains("postgres (63)"), "{}", d.message);
        assert!(!d.message.contains("redshift"), "{}", d.message);
        assert!(d.note.as_deref().unwrap().contains("same 63 bytes"));
        assert_eq!(got[0].labels.len(), 2);

        let only = |dialects: &str| {
            ls907(&[
                ("spec.yaml", &spec),
                (
                    "lodestar.toml",
                    &format!("[project]\ndialects = [{dialects}]\n"),
                ),
            ])
        };
        assert!(only("\"bigquery\"").is_empty());
        assert!(only("\"duckdb\", \"trino\", \"clickhouse\"").is_empty());
        assert_eq!(only("\"redshift\", \"postgres\"").len(), 2);
    }

    #[test]
    fn names_every_dialect_a_name_is_too_long_for() {
        let spec = VALID_YAML.edit("name: new_hosts", &format!("name: {}", "x".repeat(200)));
        let got = ls907(&[("spec.yaml", &spec)]);
        assert_eq!(got.len(), 1, "{got:?}");
        let m = &got[0].diagnostic.message;
        assert!(m.contains("postgres (63) and redshift (127)"), "{m}");
    }
}
