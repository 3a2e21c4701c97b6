use crate::diagnostics::Code;
use crate::lint::{Annotate, Context};
use crate::model::{Grain, Syntax};

/// What the rule checks, why, an example and how to configure it (`lodestar explain LS102`).
pub const DOC: &str = r#"## What it checks
The North Star's `grain` is `day` or `week` (the default), not `month`, `quarter` or `year`.

## Why it matters
A team that ships every week needs to see its North Star move every week. Reported monthly or
quarterly, it gives a handful of data points a year, so nobody can tell which change moved it,
and the inputs end up steering the work instead of the North Star.

## Example
```yaml
north_star:
  name: nights_booked
  grain: month        # LS102
```
Fix it with `grain: week`. For a metric that needs a longer look-back (monthly actives), keep
the weekly grain and add a trailing window to the measure: `window: 28 days`.

## Configuration
```toml
[rules]
LS102 = "warning"   # error | warning | off
```
"#;

pub struct SlowGrain;

impl crate::lint::Rule for SlowGrain {
    fn code(&self) -> Code {
        Code::SlowGrain
    }

    fn check(&self, cx: &mut Context<'_>) {
        let project = cx.project;
        for (product, metric) in project
            .products
            .iter()
            .flat_map(|p| p.north_stars().map(move |m| (p, m)))
        {
            let grain = &metric.grain;
            if matches!(grain.value, Grain::Month | Grain::Quarter | Grain::Year) {
                cx.report_metric(
                    metric,
                    format!(
                        "the North Star `{}` is reported by {}",
                        metric.name.value, grain.value
                    ),
                    grain.span,
                    "too coarse to steer weekly work",
                )
                .with_help(match product.syntax {
                    Syntax::Yaml => {
                        "use `grain: week`; for a longer look-back keep the weekly grain and add \
                         a trailing `window: 28 days` to the measure"
                    }
                    Syntax::Lode => {
                        "use `grain week`; for a longer look-back keep the weekly grain and add \
                         a trailing `window 28 days` to the metric's block"
                    }
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{assert_clean, assert_finds, pos_in, Edit, VALID_LODE, VALID_YAML};

    #[test]
    fn passes_with_a_weekly_grain() {
        assert_clean("LS102", VALID_YAML);
        assert_clean("LS102", VALID_LODE);
    }

    #[test]
    fn fails_on_month_quarter_and_year() {
        for g in ["month", "quarter", "year"] {
            let spec = VALID_YAML.edit_n("grain: week", &format!("grain: {g}"), 1);
            assert_finds("LS102", &spec, &[pos_in(&spec, "grain:", g)]);
        }
    }

    #[test]
    fn day_is_fine_and_inputs_are_not_checked() {
        assert_clean("LS102", &VALID_YAML.edit_n("grain: week", "grain: day", 1));
        let spec = VALID_YAML.edit(
            "    type: adoption\n",
            "    type: adoption\n    grain: quarter\n",
        );
        assert_clean("LS102", &spec);
    }

    #[test]
    fn fails_in_the_dsl() {
        let spec = VALID_LODE.edit_n("grain week", "grain month", 1);
        assert_finds("LS102", &spec, &[pos_in(&spec, "grain month", "month")]);
    }

    #[test]
    fn can_be_raised_to_error() {
        let spec = VALID_YAML.edit_n("grain: week", "grain: month", 1);
        let got = crate::lint::testing::findings_in(&[
            ("s.yaml", &spec),
            ("lodestar.toml", "[rules]\nslow-grain = \"error\"\n"),
        ]);
        let f = got.iter().find(|f| f.code == "LS102").expect("LS102");
        assert_eq!(f.severity, crate::diagnostics::Severity::Error);
    }
}
