use crate::diagnostics::Code;
use crate::lint::{Annotate, Context};

/// What the rule checks, why, an example and how to configure it (`lodestar explain LS105`).
pub const DOC: &str = r#"## What it checks
A product has at most 3 guardrails and at most 8 inputs.

## Why it matters
The North Star framework works because it is small enough to remember: one number, the few
inputs a team can move this quarter, and the few things that must not break. With a dozen
inputs nobody knows which one their work is meant to move; with ten guardrails every change
breaches one. Past these limits the spec has become a dashboard.

## Example
```yaml
product: marketplace     # LS105: 4 guardrails (at most 3)
guardrails:
  - name: avg_guest_rating
  - name: refund_rate
  - name: host_cancellation_rate
  - name: support_tickets_per_booking   # the fourth is labelled
```
Fix it by keeping the guardrails that protect what the North Star could damage, and moving the
others to a dashboard (or to another product's spec).

## Configuration
```toml
[rules]
LS105 = "warning"   # error | warning | off
```
"#;

const MAX_GUARDRAILS: usize = 3;
const MAX_INPUTS: usize = 8;

pub struct TooManyMetrics;

impl crate::lint::Rule for TooManyMetrics {
    fn code(&self) -> Code {
        Code::TooManyMetrics
    }

    fn check(&self, cx: &mut Context<'_>) {
        let project = cx.project;
        for product in &project.products {
            let groups = [
                (
                    "guardrails",
                    MAX_GUARDRAILS,
                    product.guardrails().collect::<Vec<_>>(),
                ),
                ("inputs", MAX_INPUTS, product.inputs().collect::<Vec<_>>()),
            ];
            for (what, max, metrics) in groups {
                if metrics.len() <= max {
                    continue;
                }
                let extra = metrics[max];
                cx.report(
                    format!(
                        "product `{}` has {} {what} (at most {max})",
                        product.name.value,
                        metrics.len()
                    ),
                    product.name.span,
                    format!("{} {what}", metrics.len()),
                )
                .with_label(
                    extra.name.span,
                    format!("{what} beyond the first {max} start here"),
                )
                .with_help(format!(
                    "keep the {what} that matter most to the North Star and move the rest to a \
                     dashboard: a framework everyone can remember beats a complete one"
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{
        assert_clean, assert_finds, found, pos, Edit, VALID_LODE, VALID_YAML,
    };

    fn guardrail(name: &str) -> String {
        format!(
            "  - name: {name}\n    description: d\n    owner: trust\n    type: quality\n    \
             measure: {{ source: reviews, agg: avg, expr: rating }}\n    threshold: {{ min: 1 }}\n"
        )
    }

    fn input(name: &str) -> String {
        format!(
            "  - name: {name}\n    description: d\n    owner: growth\n    type: transaction\n    \
             measure: {{ source: bookings, agg: count }}\n"
        )
    }

    #[test]
    fn passes_within_limits() {
        assert_clean("LS105", VALID_YAML);
        assert_clean("LS105", VALID_LODE);
        // Exactly three guardrails and eight inputs.
        let spec = format!("{VALID_YAML}{}", guardrail("g3")).edit(
            "\nguardrails:\n",
            &format!(
                "\n{}guardrails:\n",
                (0..4).map(|i| input(&format!("i{i}"))).collect::<String>()
            ),
        );
        assert_clean("LS105", &spec);
    }

    #[test]
    fn fails_on_four_guardrails_and_nine_inputs() {
        let spec = format!("{VALID_YAML}{}{}", guardrail("g3"), guardrail("g4"));
        let inputs: String = (0..5).map(|i| input(&format!("i{i}"))).collect();
        let spec = spec.edit("\nguardrails:\n", &format!("\n{inputs}\nguardrails:\n"));
        assert_finds("LS105", &spec, &[(2, 10), (2, 10)]);
        let f = found("LS105", &spec);
        assert!(
            f[0].diagnostic.message.contains("4 guardrails"),
            "{}",
            f[0].diagnostic.message
        );
        assert!(
            f[1].diagnostic.message.contains("9 inputs"),
            "{}",
            f[1].diagnostic.message
        );
        assert_eq!((f[0].labels[1].1, f[0].labels[1].2), pos(&spec, "g4"));
        assert_eq!((f[1].labels[1].1, f[1].labels[1].2), pos(&spec, "i4"));
    }
}
