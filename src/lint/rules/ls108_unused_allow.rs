use crate::diagnostics::Code;
use crate::lint::{Annotate, Context};

/// What the rule checks, why, an example and how to configure it (`lodestar explain LS108`).
pub const DOC: &str = r#"## What it checks
Every `allow` entry silences something: the rule it names (by code or by name) reports a finding
on that metric that the entry keeps quiet. An entry for a rule that is off in `lodestar.toml` is
not reported.

## Why it matters
An `allow` outlives the reason it was written for. Once the metric is fixed, a stale `allow`
would silently switch the rule off for that metric the next time it goes wrong.

## Example
```yaml
- name: weekly_active_hosts       # not a vanity name, so LS103 finds nothing here
  allow:
    - { code: vanity-name, reason: "historical name" }   # LS108: silences nothing
```

## Configuration
```toml
[rules]
LS108 = "warning"   # error | warning | off
```
"#;

pub struct UnusedAllow;

impl crate::lint::Rule for UnusedAllow {
    fn code(&self) -> Code {
        Code::UnusedAllow
    }

    /// Runs after every other rule (rules run in code order): it reads what they silenced.
    fn check(&self, cx: &mut Context<'_>) {
        let project = cx.project;
        for metric in project.products.iter().flat_map(|p| &p.metrics) {
            for a in &metric.allow {
                let Some(code) = Code::find(&a.code.value).filter(|c| a.silences(*c)) else {
                    // No rule or no reason: LS906.
                    continue;
                };
                let ran = code < Code::UnusedAllow && cx.config.severity(code).is_some();
                if !ran || cx.silenced.contains(&(metric.span, code)) {
                    continue;
                }
                cx.report(
                    format!(
                        "`allow: {}` silences nothing: {code} ({}) finds nothing on metric `{}`",
                        a.code.value,
                        code.name(),
                        metric.name.value
                    ),
                    a.code.span,
                    "not needed",
                )
                .with_help("remove this `allow`, so that the rule guards the metric again");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{assert_clean, assert_finds, findings_in, pos, Edit, VALID_YAML};

    #[test]
    fn an_allow_that_silences_a_finding_is_used() {
        let spec = VALID_YAML.edit(
            "  - name: new_hosts\n",
            "  - name: NewHosts\n    allow: [{ code: names, reason: \"name fixed by the finance export\" }]\n",
        );
        assert_clean("LS008", &spec);
        assert_clean("LS108", &spec);
    }

    #[test]
    fn an_allow_that_silences_nothing_is_reported_at_its_code() {
        let spec = VALID_YAML.edit(
            "  - name: new_hosts\n",
            "  - name: new_hosts\n    allow: [{ code: LS103, reason: \"historical name\" }]\n",
        );
        let at = pos(&spec, "LS103");
        assert_finds("LS108", &spec, &[at]);
    }

    #[test]
    fn an_allow_for_a_rule_that_is_off_is_not_reported() {
        let spec = VALID_YAML.edit(
            "  - name: new_hosts\n",
            "  - name: new_hosts\n    allow: [{ code: LS103, reason: \"historical name\" }]\n",
        );
        let got = findings_in(&[
            ("spec.yaml", &spec),
            ("lodestar.toml", "[rules]\nvanity-name = \"off\"\n"),
        ]);
        assert!(got.iter().all(|f| f.code != "LS108"), "{got:?}");
    }
}
