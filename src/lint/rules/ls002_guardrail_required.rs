use crate::diagnostics::Code;
use crate::lint::{Annotate, Context};
use crate::syntax::Syntax;

/// What the rule checks, why, an example and how to configure it (`lodestar explain LS002`).
pub const DOC: &str = r#"## What it checks
Every product declares at least one guardrail: a metric with a `threshold` that must not be
breached while the North Star is pushed.

## Why it matters
Any North Star can be gamed. Nights booked rise if refunds are made easy; time spent listening
rises if the app never stops playing. A guardrail names the damage the team promises not to do
(quality, trust, cost) and makes it visible in the same scorecard.

## Example
```yaml
lodestar: 1
product: marketplace        # LS002: no guardrails in this product
north_star:
  name: nights_booked
  ...
```
Fix it by adding what must not get worse:
```yaml
guardrails:
  - name: refund_rate
    owner: trust
    type: quality
    ratio: { numerator: refunded_nights, denominator: nights_booked }
    threshold: { max: 0.02 }
```

## Configuration
```toml
[rules]
LS002 = "error"   # error | warning | off
```
"#;

pub struct GuardrailRequired;

impl crate::lint::Rule for GuardrailRequired {
    fn code(&self) -> Code {
        Code::GuardrailRequired
    }

    fn check(&self, cx: &mut Context<'_>) {
        let project = cx.project;
        for product in &project.products {
            if product.guardrails().next().is_none() {
                cx.report(
                    format!("product `{}` has no guardrail", product.name.value),
                    product.name.span,
                    "no guardrail in this product",
                )
                .with_help(match product.syntax {
                    Syntax::Yaml => {
                        "add `guardrails:` with at least one metric that must not degrade while \
                         the North Star is pushed (quality, trust, cost), with a `threshold`"
                    }
                    Syntax::Lode => {
                        "add a `guardrail <name> { ... }` block: a metric that must not degrade \
                         while the North Star is pushed (quality, trust, cost), with a \
                         `threshold`"
                    }
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{assert_clean, assert_finds, findings_in, VALID_LODE, VALID_YAML};

    #[test]
    fn passes_with_guardrails() {
        assert_clean("LS002", VALID_YAML);
        assert_clean("LS002", VALID_LODE);
    }

    #[test]
    fn fails_without_guardrails() {
        let spec = VALID_YAML.split("\nguardrails:").next().unwrap().to_owned() + "\n";
        assert_finds("LS002", &spec, &[(2, 10)]);
    }

    #[test]
    fn can_be_turned_off() {
        let spec = VALID_YAML.split("\nguardrails:").next().unwrap().to_owned() + "\n";
        let got = findings_in(&[
            ("spec.yaml", &spec),
            ("lodestar.toml", "[rules]\nguardrail-required = \"off\"\n"),
        ]);
        assert!(got.iter().all(|f| f.code != "LS002"), "{got:?}");
    }
}
