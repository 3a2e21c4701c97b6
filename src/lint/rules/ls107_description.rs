use crate::diagnostics::Code;
use crate::lint::{Annotate, Context};

/// What the rule checks, why, an example and how to configure it (`lodestar explain LS107`).
pub const DOC: &str = r#"## What it checks
Every metric has a non-empty `description` (DSL: `description "..."` inside its block).

## Why it matters
A metric's name says what is counted; its description says what it means and why it matters:
which rows count, which do not, and what value to the user it stands for. Without it, two teams
read the same number differently, and the generated docs have nothing to show.

## Example
```yaml
inputs:
  - name: confirmed_bookings    # LS107: no description
    owner: growth
```
Fix it:
```yaml
    description: Bookings confirmed by the host; cancelled and pending ones do not count.
```

## Configuration
```toml
[rules]
LS107 = "off"   # error | warning | off
```
"#;

pub struct Description;

impl crate::lint::Rule for Description {
    fn code(&self) -> Code {
        Code::Description
    }

    fn check(&self, cx: &mut Context<'_>) {
        let project = cx.project;
        for metric in project.products.iter().flat_map(|p| &p.metrics) {
            if metric
                .description
                .as_ref()
                .is_some_and(|d| !d.value.trim().is_empty())
            {
                continue;
            }
            cx.report_metric(
                metric,
                format!("metric `{}` has no description", metric.name.value),
                metric.name.span,
                "no description",
            )
            .with_help(
                "add `description:` saying which rows count and what value to the user the \
                 number stands for (DSL: `description \"...\"`)",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{
        assert_clean, assert_finds, findings_in, pos, Edit, VALID_LODE, VALID_YAML,
    };

    #[test]
    fn passes_with_descriptions() {
        assert_clean("LS107", VALID_YAML);
        assert_clean("LS107", VALID_LODE);
    }

    #[test]
    fn fails_without_or_with_an_empty_description() {
        let spec = VALID_YAML
            .edit(
                "    description: Hosts who listed their first home in the period.\n",
                "",
            )
            .edit(
                "    description: Mean rating guests give their stay.",
                "    description: \"  \"",
            );
        assert_finds(
            "LS107",
            &spec,
            &[pos(&spec, "new_hosts"), pos(&spec, "avg_guest_rating")],
        );
    }

    #[test]
    fn fails_in_the_dsl() {
        let spec = VALID_LODE.edit("  description \"Bookings confirmed by the host.\"\n", "");
        assert_finds("LS107", &spec, &[pos(&spec, "confirmed_bookings {")]);
    }

    #[test]
    fn off_in_lodestar_toml() {
        let spec = VALID_YAML.edit(
            "    description: Hosts who listed their first home in the period.\n",
            "",
        );
        let got = findings_in(&[
            ("spec.yaml", &spec),
            ("lodestar.toml", "[rules]\nLS107 = \"off\"\n"),
        ]);
        assert!(got.iter().all(|f| f.code != "LS107"), "{got:?}");
        let got = findings_in(&[
            ("spec.yaml", &spec),
            ("lodestar.toml", "[rules]\ndescription = \"error\"\n"),
        ]);
        let f = got.iter().find(|f| f.code == "LS107").expect("LS107");
        assert_eq!(f.severity, crate::diagnostics::Severity::Error);
    }

    #[test]
    fn allow_with_reason_silences_it() {
        let spec = VALID_YAML.edit(
            "    description: Hosts who listed their first home in the period.\n",
            "    allow: [{ code: ls107, reason: \"documented in the host playbook\" }]\n",
        );
        assert_clean("LS107", &spec);
        assert_clean("LS906", &spec);
    }
}
