use crate::diagnostics::Code;
use crate::lint::{Annotate, Context};
use crate::model::{Role, Syntax};

/// What the rule checks, why, an example and how to configure it (`lodestar explain LS007`).
pub const DOC: &str = r#"## What it checks
Every guardrail has a `threshold` with a `min`, a `max`, or both, and `min` is not greater than
`max`. A period whose value falls below `min` or rises above `max` breaches the guardrail.

A threshold on a North Star or an input is allowed and ignored by this rule.

## Why it matters
A guardrail without a threshold is a chart nobody is alerted by: `lodestar guard` cannot tell a
breach from normal noise. A threshold with `min` above `max` is breached in every period, so
it trains the team to ignore it.

## Example
```yaml
guardrails:
  - name: refund_rate
    ratio: { numerator: refunded_nights, denominator: nights_booked }
                              # LS007: guardrail `refund_rate` has no threshold
  - name: avg_guest_rating
    measure: { source: reviews, agg: avg, expr: rating }
    threshold: { min: 4.8, max: 4.5 }   # LS007: `min` 4.8 is above `max` 4.5
```
DSL: `threshold >= 4.5`, `threshold <= 0.02`, or `threshold between 4.0 and 5.0`.

## Configuration
```toml
[rules]
LS007 = "error"   # error | warning | off
```
"#;

pub struct GuardrailThreshold;

impl crate::lint::Rule for GuardrailThreshold {
    fn code(&self) -> Code {
        Code::GuardrailThreshold
    }

    fn check(&self, cx: &mut Context<'_>) {
        let project = cx.project;
        for (product, metric) in project
            .products
            .iter()
            .flat_map(|p| p.metrics.iter().map(move |m| (p, m)))
        {
            if let (Role::Outcome, Some(t)) = (metric.role, &metric.threshold) {
                cx.report_metric(
                    metric,
                    format!(
                        "outcome `{}` has a threshold, which only guardrails have",
                        metric.name.value
                    ),
                    t.span,
                    "not a guardrail",
                )
                .with_help(
                    "an outcome is the lagging result the North Star should lead, not a limit; \
                     remove the threshold, or make the metric a guardrail",
                );
                continue;
            }
            if metric.role != Role::Guardrail {
                continue;
            }
            let Some(threshold) = &metric.threshold else {
                cx.report_metric(
                    metric,
                    format!("guardrail `{}` has no threshold", metric.name.value),
                    metric.name.span,
                    "no threshold",
                )
                .with_help(match product.syntax {
                    Syntax::Yaml => {
                        "add the bound the metric must stay within: `threshold: { min: ... }` or \
                         `threshold: { max: ... }`"
                    }
                    Syntax::Lode => {
                        "add the bound the metric must stay within: `threshold >= ...` or \
                         `threshold <= ...` in its block"
                    }
                });
                continue;
            };
            match (&threshold.min, &threshold.max) {
                (None, None) => {
                    cx.report_metric(
                        metric,
                        format!(
                            "the threshold of guardrail `{}` has neither `min` nor `max`",
                            metric.name.value
                        ),
                        threshold.span,
                        "empty threshold",
                    )
                    .with_help("give a `min`, a `max`, or both");
                }
                (Some(min), Some(max)) if min.value > max.value => {
                    cx.report_metric(
                        metric,
                        format!(
                            "the threshold of guardrail `{}` has `min` {} above `max` {}: every period would breach it",
                            metric.name.value, min.value, max.value
                        ),
                        min.span,
                        "`min` is here",
                    )
                    .with_label(max.span, "`max` is here")
                    .with_help("swap the two values, or drop the bound that is wrong");
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{
        assert_clean, assert_finds, found, pos, pos_in, Edit, VALID_LODE, VALID_YAML,
    };

    #[test]
    fn passes_with_thresholds() {
        assert_clean("LS007", VALID_YAML);
        assert_clean("LS007", VALID_LODE);
    }

    #[test]
    fn fails_without_threshold_at_the_name() {
        let spec = VALID_YAML.edit("    threshold: { max: 0.02 }\n", "");
        assert_finds("LS007", &spec, &[pos(&spec, "refund_rate")]);
    }

    #[test]
    fn fails_with_an_empty_threshold() {
        let spec = VALID_YAML.edit("threshold: { max: 0.02 }", "threshold: {}");
        assert_finds("LS007", &spec, &[pos_in(&spec, "threshold: {}", "{}")]);
    }

    #[test]
    fn fails_when_min_is_above_max_with_both_labelled() {
        let spec = VALID_YAML.edit(
            "threshold: { min: 4.5 }",
            "threshold: { min: 4.8, max: 4.5 }",
        );
        assert_finds("LS007", &spec, &[pos(&spec, "4.8")]);
        let f = &found("LS007", &spec)[0];
        assert_eq!(
            (f.labels[1].1, f.labels[1].2),
            pos_in(&spec, "max: 4.5", "4.5")
        );
    }

    #[test]
    fn min_equal_to_max_is_fine() {
        let spec = VALID_YAML.edit(
            "threshold: { min: 4.5 }",
            "threshold: { min: 4.5, max: 4.5 }",
        );
        assert_clean("LS007", &spec);
    }

    #[test]
    fn threshold_on_an_input_is_ignored() {
        let spec = VALID_YAML.edit(
            "    measure: { source: hosts, agg: count_distinct, expr: host_id }\n",
            "    measure: { source: hosts, agg: count_distinct, expr: host_id }\n    threshold: { min: 9, max: 1 }\n",
        );
        assert_clean("LS007", &spec);
    }

    #[test]
    fn fails_without_threshold_in_the_dsl() {
        let spec = VALID_LODE.edit("  threshold <= 0.02\n", "");
        assert_finds(
            "LS007",
            &spec,
            &[pos_in(&spec, "guardrail refund_rate", "refund_rate")],
        );
    }

    #[test]
    fn allow_with_reason_silences_it() {
        let spec = VALID_YAML.edit(
            "    threshold: { max: 0.02 }\n",
            "    allow: [{ code: LS007, reason: \"threshold set after the first quarter of data\" }]\n",
        );
        assert_clean("LS007", &spec);
    }
}
