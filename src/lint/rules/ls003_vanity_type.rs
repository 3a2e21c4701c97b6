use crate::diagnostics::Code;
use crate::lint::{Annotate, Context};
use crate::model::{MetricType, Role};

/// What the rule checks, why, an example and how to configure it (`lodestar explain LS003`).
pub const DOC: &str = r#"## What it checks
No metric declares one of the vanity types: `page_views`, `visits`, `sessions`, `downloads`,
`installs`, `signups`, `registered_users`, `followers`, `impressions`, `clicks`.

## Why it matters
Vanity metrics go up and to the right whether or not users get value: a download is not a
user who succeeded, a page view is not a problem solved. A metric tree built on them rewards
activity instead of outcomes. The value types are `transaction`, `engagement`,
`productivity`, `retention`, `conversion`, `adoption`, `quality`, `efficiency` and `revenue`.

## Example
```yaml
inputs:
  - name: app_installs
    type: installs          # LS003: `installs` is a vanity type
```
Fix it by measuring what the install leads to, for example the users who complete a first
core action (`type: adoption`).

## Configuration
```toml
[rules]
LS003 = "error"   # error | warning | off
```
A single metric may opt out with a reason:
```yaml
allow: [{ code: LS003, reason: "Installs of the SDK are what our customers pay for." }]
```
"#;

pub struct VanityType;

/// The value type that usually replaces a vanity one.
fn instead(t: MetricType) -> &'static str {
    use MetricType::*;
    match t {
        Downloads | Installs | Signups | RegisteredUsers => {
            "count the users who reach a first real outcome (`adoption`) or come back (`retention`)"
        }
        PageViews | Visits | Sessions => {
            "measure what users accomplish in those visits (`engagement`, `transaction`, `conversion`)"
        }
        Followers | Impressions | Clicks => {
            "measure the action the audience takes next (`conversion`, `engagement`)"
        }
        _ => "choose a value type",
    }
}

impl crate::lint::Rule for VanityType {
    fn code(&self) -> Code {
        Code::VanityType
    }

    fn check(&self, cx: &mut Context<'_>) {
        let project = cx.project;
        for metric in project.products.iter().flat_map(|p| &p.metrics) {
            let Some(t) = &metric.metric_type else {
                continue;
            };
            if !t.value.is_vanity() {
                continue;
            }
            let values: Vec<&str> = MetricType::value_types().map(MetricType::as_str).collect();
            let what = if metric.role == Role::NorthStar {
                "North Star"
            } else {
                metric.role.as_str()
            };
            cx.report_metric(
                metric,
                format!(
                    "{what} `{}` has the vanity type `{}`",
                    metric.name.value, t.value
                ),
                t.span,
                "vanity type",
            )
            .with_help(format!(
                "{}; the value types are: {}",
                instead(t.value),
                values.join(", ")
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{
        assert_clean, assert_finds, findings_in, pos, Edit, VALID_LODE, VALID_YAML,
    };

    #[test]
    fn passes_with_value_types() {
        assert_clean("LS003", VALID_YAML);
        assert_clean("LS003", VALID_LODE);
    }

    #[test]
    fn fails_at_the_type_value() {
        let spec = VALID_YAML.edit("type: adoption", "type: installs");
        assert_finds("LS003", &spec, &[pos(&spec, "installs")]);
    }

    #[test]
    fn fails_on_the_north_star_in_the_dsl() {
        let spec = VALID_LODE.edit_n("type transaction", "type page_views", 1);
        assert_finds("LS003", &spec, &[pos(&spec, "page_views")]);
    }

    #[test]
    fn allow_with_reason_silences_it() {
        let spec = VALID_YAML.edit(
            "    type: adoption\n",
            "    type: installs\n    allow: [{ code: LS003, reason: \"SDK installs are what customers pay for\" }]\n",
        );
        assert_clean("LS003", &spec);
        assert_clean("LS906", &spec);
    }

    #[test]
    fn allow_without_reason_does_not() {
        let spec = VALID_YAML.edit(
            "    type: adoption\n",
            "    type: installs\n    allow: [LS003]\n",
        );
        assert_finds("LS003", &spec, &[pos(&spec, "installs")]);
        assert_finds("LS906", &spec, &[pos(&spec, "LS003")]);
    }

    #[test]
    fn severity_is_configurable() {
        let spec = VALID_YAML.edit("type: adoption", "type: installs");
        let got = findings_in(&[
            ("spec.yaml", &spec),
            ("lodestar.toml", "[rules]\nLS003 = \"warning\"\n"),
        ]);
        let ls003: Vec<_> = got.iter().filter(|f| f.code == "LS003").collect();
        assert_eq!(ls003.len(), 1, "{got:?}");
        assert_eq!(ls003[0].severity, crate::diagnostics::Severity::Warning);
    }
}
