use std::collections::HashMap;

use crate::diagnostics::Code;
use crate::lint::{Annotate, Context};
use crate::model::{Metric, Str};

/// What the rule checks, why, an example and how to configure it (`lodestar explain LS008`).
pub const DOC: &str = r#"## What it checks
* Names of products, metrics, owners, sources and dimensions are snake_case: a lowercase
  letter, then lowercase letters, digits and `_` (`^[a-z][a-z0-9_]*$`).
* Metric names are unique in their product; product, owner and source names are unique in the
  project, across all its files (both declarations are shown); dimension names are unique in
  their source.
* A YAML mapping that repeats a key is not this rule: it is LS902, an error of the file's
  structure that configuration cannot turn off (the DSL reports a statement given twice the
  same way).

## Why it matters
Names become SQL identifiers, file names (`<product>/<metric>.sql`) and scorecard columns in
eight warehouses with different quoting and case rules; snake_case is the one spelling that is
safe in all of them. A duplicate name is ambiguous: with two `bookings` sources in two files,
which table does a metric read?

## Example
```yaml
inputs:
  - name: Confirmed-Bookings    # LS008: not snake_case; use `confirmed_bookings`
  - name: new_hosts
  - name: new_hosts             # LS008: a second metric named `new_hosts`
```

## Configuration
```toml
[rules]
LS008 = "error"   # error | warning | off
```
"#;

pub struct Names;

/// `^[a-z][a-z0-9_]*$`
pub(crate) fn is_snake_case(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The snake_case spelling of a name: `Confirmed-Bookings` → `confirmed_bookings`.
fn to_snake_case(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.trim().chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    let out = out.trim_matches('_').to_owned();
    match out.chars().next() {
        Some(c) if c.is_ascii_lowercase() => out,
        Some(_) => format!("m_{out}"),
        None => "name".to_owned(),
    }
}

impl crate::lint::Rule for Names {
    fn code(&self) -> Code {
        Code::Names
    }

    fn check(&self, cx: &mut Context<'_>) {
        let project = cx.project;
        for product in &project.products {
            snake_case(cx, "product", &product.name, None);
        }
        for owner in &project.owners {
            snake_case(cx, "owner", &owner.key, None);
        }
        for source in &project.sources {
            snake_case(cx, "source", &source.name, None);
            for dim in &source.dimensions {
                snake_case(cx, "dimension", &dim.name, None);
            }
            unique(
                cx,
                &format!("dimension of source `{}`", source.name.value),
                source.dimensions.iter().map(|d| &d.name),
                |_| None,
            );
        }
        for product in &project.products {
            for metric in &product.metrics {
                snake_case(cx, "metric", &metric.name, Some(metric));
            }
            let metrics = &product.metrics;
            unique(
                cx,
                &format!("metric of product `{}`", product.name.value),
                metrics.iter().map(|m| &m.name),
                |i| metrics.get(i),
            );
        }
        unique(
            cx,
            "product",
            project.products.iter().map(|p| &p.name),
            |_| None,
        );
        unique(cx, "owner", project.owners.iter().map(|o| &o.key), |_| None);
        unique(
            cx,
            "source",
            project.sources.iter().map(|s| &s.name),
            |_| None,
        );
    }
}

fn snake_case(cx: &mut Context<'_>, what: &str, name: &Str, metric: Option<&Metric>) {
    if is_snake_case(&name.value) {
        return;
    }
    let message = format!("{what} name `{}` is not snake_case", name.value);
    let help = format!(
        "rename it `{}`: names become SQL identifiers and file names, so they are lowercase \
         letters, digits and `_`, starting with a letter",
        to_snake_case(&name.value)
    );
    match metric {
        Some(m) => {
            cx.report_metric(m, message, name.span, "not snake_case")
                .with_help(help);
        }
        None => {
            cx.report(message, name.span, "not snake_case")
                .with_help(help);
        }
    }
}

/// Reports every repeat of a name at the repeat, with the first declaration as a second label.
/// `metric(i)` gives the metric of the i-th name, whose `allow` is honoured.
fn unique<'a>(
    cx: &mut Context<'_>,
    what: &str,
    names: impl Iterator<Item = &'a Str>,
    metric: impl Fn(usize) -> Option<&'a Metric>,
) {
    let mut first: HashMap<&str, &Str> = HashMap::new();
    for (i, name) in names.enumerate() {
        match first.get(name.value.as_str()) {
            None => {
                first.insert(&name.value, name);
            }
            Some(original) => {
                let message = format!("a second {what} named `{}`", name.value);
                let help = format!(
                    "rename one of them, or remove the repeat; `{}` must name one {what}",
                    name.value
                );
                let d = match metric(i) {
                    Some(m) => cx.report_metric(m, message, name.span, "declared again here"),
                    None => Some(cx.report(message, name.span, "declared again here")),
                };
                let mut d = d;
                d.with_label(original.span, "first declared here")
                    .with_help(help);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::to_snake_case;
    use crate::lint::testing::{
        assert_clean, assert_finds, findings_in, pos, Edit, VALID_LODE, VALID_YAML,
    };

    #[test]
    fn passes_with_unique_snake_case_names() {
        assert_clean("LS008", VALID_YAML);
        assert_clean("LS008", VALID_LODE);
    }

    #[test]
    fn suggests_a_snake_case_spelling() {
        assert_eq!(to_snake_case("Confirmed-Bookings"), "confirmed_bookings");
        assert_eq!(to_snake_case("nightsBooked"), "nights_booked");
        assert_eq!(to_snake_case("7day actives"), "m_7day_actives");
    }

    #[test]
    fn fails_on_names_that_are_not_snake_case() {
        let spec = VALID_YAML
            .edit("product: marketplace", "product: Marketplace")
            .edit("name: new_hosts", "name: New-Hosts")
            .edit("  trust: { name", "  Trust: { name")
            .edit("owner: trust", "owner: Trust")
            .edit("      device: lower(device)", "      Device: lower(device)")
            .edit("  searches:\n", "  search results:\n")
            .edit("source: searches", "source: search results");
        assert_finds(
            "LS008",
            &spec,
            &[
                pos(&spec, "Marketplace"),
                pos(&spec, "Trust: {"),
                pos(&spec, "Device"),
                pos(&spec, "search results:"),
                pos(&spec, "New-Hosts"),
            ],
        );
    }

    #[test]
    fn fails_on_a_repeated_metric_with_the_first_labelled() {
        let spec = VALID_YAML.edit("name: confirmed_bookings", "name: new_hosts");
        let lines: Vec<usize> = spec
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("name: new_hosts"))
            .map(|(i, _)| i + 1)
            .collect();
        assert_finds("LS008", &spec, &[(lines[1], 11)]);
        let got = findings_in(&[("spec.yaml", &spec)]);
        let f = got.iter().find(|f| f.code == "LS008").unwrap();
        assert_eq!((f.labels[1].1, f.labels[1].2), (lines[0], 11));
    }

    #[test]
    fn fails_on_a_product_declared_in_two_files() {
        let other = "lodestar: 1\nproduct: marketplace\n";
        let got = findings_in(&[("a.yaml", VALID_YAML), ("b.yaml", other)]);
        let f: Vec<_> = got.iter().filter(|f| f.code == "LS008").collect();
        assert_eq!(f.len(), 1, "{got:?}");
        assert_eq!(f[0].labels[0], ("b.yaml".to_owned(), 2, 10));
        assert_eq!(f[0].labels[1], ("a.yaml".to_owned(), 2, 10));
    }

    #[test]
    fn fails_on_an_owner_and_a_source_declared_in_two_files() {
        let shared = "lodestar: 1\nowners:\n  growth: { name: Growth }\nsources:\n  reviews: { table: x.reviews, time: t }\n";
        let got = findings_in(&[("a.yaml", VALID_YAML), ("shared.yaml", shared)]);
        let f: Vec<_> = got
            .iter()
            .filter(|f| f.code == "LS008")
            .map(|f| f.labels.clone())
            .collect();
        assert_eq!(
            f,
            vec![
                vec![
                    ("shared.yaml".to_owned(), 3, 3),
                    ("a.yaml".to_owned(), 7, 3)
                ],
                vec![
                    ("shared.yaml".to_owned(), 5, 3),
                    ("a.yaml".to_owned(), 19, 3)
                ],
            ]
        );
    }

    #[test]
    fn duplicate_yaml_keys_are_structure_errors_that_configuration_cannot_silence() {
        let spec = VALID_YAML.edit(
            "  supply: { name: Host supply }",
            "  supply: { name: Host supply }\n  supply: { name: Again }",
        );
        let got = findings_in(&[
            ("spec.yaml", &spec),
            ("lodestar.toml", "[rules]\nLS008 = \"off\"\n"),
        ]);
        assert!(got.iter().any(|f| f.code == "LS902"), "{got:?}");
        assert!(got.iter().all(|f| f.code != "LS008"), "{got:?}");
    }

    #[test]
    fn allow_with_reason_silences_metric_names() {
        let spec = VALID_YAML.edit(
            "  - name: new_hosts\n",
            "  - name: NewHosts\n    allow: [{ code: LS008, reason: \"name fixed by the finance export\" }]\n",
        );
        assert_clean("LS008", &spec);
    }
}
