use crate::diagnostics::Code;
use crate::lint::{Annotate, Context};

/// What the rule checks, why, an example and how to configure it (`lodestar explain LS001`).
pub const DOC: &str = r#"## What it checks
Every product declares exactly one North Star metric: not none, not two.

## Why it matters
The North Star is the single number that best captures the value users get from the product.
With none, the inputs and guardrails have nothing to drive or protect; with two, teams pick the
one that suits them and the framework stops aligning anyone.

## Example
```yaml
lodestar: 1
product: marketplace
inputs:
  - name: confirmed_bookings   # LS001: no `north_star` in this product
```
Fix it by promoting the metric that best captures delivered value to `north_star:`, and making
the others inputs.

## Configuration
```toml
[rules]
LS001 = "error"   # error | warning | off
```
"#;

pub struct OneNorthStar;

impl crate::lint::Rule for OneNorthStar {
    fn code(&self) -> Code {
        Code::OneNorthStar
    }

    fn check(&self, cx: &mut Context<'_>) {
        let project = cx.project;
        for product in &project.products {
            let stars: Vec<_> = product.north_stars().collect();
            match stars.as_slice() {
                [] => {
                    cx.report(
                        format!("product `{}` has no North Star", product.name.value),
                        product.name.span,
                        "no North Star in this product",
                    )
                    .with_help(
                        "declare the one metric that best captures the value users get as \
                         `north_star:` (DSL: `north star <name> { ... }`)",
                    );
                }
                [_] => {}
                [first, rest @ ..] => {
                    for extra in rest {
                        cx.report(
                            format!(
                                "product `{}` has more than one North Star: `{}` and `{}`",
                                product.name.value, first.name.value, extra.name.value
                            ),
                            extra.name.span,
                            "a second North Star",
                        )
                        .with_label(first.name.span, "the first North Star")
                        .with_help(
                            "keep one North Star and make the other an input that drives it",
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{assert_clean, assert_finds, Edit, VALID_LODE, VALID_YAML};

    #[test]
    fn passes_with_one_north_star() {
        assert_clean("LS001", VALID_YAML);
        assert_clean("LS001", VALID_LODE);
    }

    #[test]
    fn fails_without_north_star() {
        let spec = "lodestar: 1\nproduct: p\n";
        assert_finds("LS001", spec, &[(2, 10)]);
    }

    #[test]
    fn fails_with_two_north_stars() {
        let spec = VALID_LODE.edit("input confirmed_bookings", "north star confirmed_bookings");
        let line = spec
            .lines()
            .position(|l| l.starts_with("north star confirmed_bookings"))
            .unwrap()
            + 1;
        assert_finds("LS001", &spec, &[(line, 12)]);
    }
}
