use crate::diagnostics::Code;
use crate::lint::{Annotate, Context};
use crate::model::MetricType;

/// What the rule checks, why, an example and how to configure it (`lodestar explain LS101`).
pub const DOC: &str = r#"## What it checks
The North Star does not have `type: revenue`.

## Why it matters
Revenue is what the business gets once users have got value, weeks or months later. As a
North Star it lags behind the work that moves it, can be raised in ways that hurt users
(price rises, dark patterns), and tells a product team little about what to build next. The
North Star should measure the value users get; revenue belongs among the outcomes it predicts,
or as an input or a guardrail.

## Example
```yaml
north_star:
  name: gross_booking_value
  type: revenue        # LS101
```
Fix it by choosing the user value that revenue follows from (nights booked, tasks completed,
time spent listening) and making revenue an input.

## Configuration
```toml
[rules]
LS101 = "warning"   # error | warning | off
```
A product whose users' value truly is money (a payments product, a marketplace for sellers)
can say so on the metric:
```yaml
allow: [{ code: LS101, reason: "Sellers' payouts are the value sellers come for." }]
```
"#;

pub struct RevenueNorthStar;

impl crate::lint::Rule for RevenueNorthStar {
    fn code(&self) -> Code {
        Code::RevenueNorthStar
    }

    fn check(&self, cx: &mut Context<'_>) {
        let project = cx.project;
        for metric in project.products.iter().flat_map(|p| p.north_stars()) {
            let Some(t) = &metric.metric_type else {
                continue;
            };
            if t.value == MetricType::Revenue {
                cx.report_metric(
                    metric,
                    format!("the North Star `{}` measures revenue", metric.name.value),
                    t.span,
                    "revenue North Star",
                )
                .with_help(
                    "revenue lags behind the value users get; choose the user outcome revenue \
                     follows from as the North Star and make revenue an input, or allow LS101 \
                     with a reason",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{
        assert_clean, assert_finds, found, pos_in, Edit, VALID_LODE, VALID_YAML,
    };

    #[test]
    fn passes_with_a_value_north_star() {
        assert_clean("LS101", VALID_YAML);
        assert_clean("LS101", VALID_LODE);
    }

    #[test]
    fn fails_on_a_revenue_north_star_as_a_warning() {
        let spec = VALID_YAML.edit_n("  type: transaction", "  type: revenue", 1);
        assert_finds("LS101", &spec, &[pos_in(&spec, "type: revenue", "revenue")]);
        assert_eq!(
            found("LS101", &spec)[0].severity,
            crate::diagnostics::Severity::Warning
        );
    }

    #[test]
    fn revenue_input_is_fine() {
        let spec = VALID_YAML.edit("type: engagement", "type: revenue");
        assert_clean("LS101", &spec);
    }

    #[test]
    fn fails_in_the_dsl() {
        let spec = VALID_LODE.edit_n("type transaction", "type revenue", 1);
        assert_finds("LS101", &spec, &[pos_in(&spec, "type revenue", "revenue")]);
    }

    #[test]
    fn allow_with_reason_silences_it() {
        let spec = VALID_YAML.edit_n(
            "  type: transaction",
            "  type: revenue\n  allow: [{ code: LS101, reason: \"payouts are the value sellers come for\" }]",
            1,
        );
        assert_clean("LS101", &spec);
        assert_clean("LS906", &spec);
    }
}
