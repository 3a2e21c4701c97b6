use chrono::Duration;

use crate::diagnostics::Code;
use crate::lint::{Annotate, Context};
use crate::model::{Role, Syntax};

/// What the rule checks, why, an example and how to configure it (`lodestar explain LS106`).
pub const DOC: &str = r#"## What it checks
* A metric's `review` is not overdue: `last_reviewed` plus the cadence (weekly 7 days, monthly
  31, quarterly 92, yearly 366) is not before today.
* A `review` says when it last happened: one without `last_reviewed` has never happened and is
  reported as overdue; one without `cadence` cannot fall due and is reported too.
* `last_reviewed` is not in the future (a typo in the year, usually).
* A product that declares its `game` (attention, transaction, productivity) has a North Star
  with a `review`: a team deliberate enough to name its game re-examines its North Star on a
  schedule.

"Today" is the local date, or `LODESTAR_TODAY=YYYY-MM-DD` for reproducible runs in CI.

## Why it matters
A North Star is a hypothesis about what predicts long-term value. Products, markets and users
change, and a North Star that was right two years ago can quietly start rewarding the wrong
work. A scheduled review, recorded in the spec, makes the re-examination happen and visible in
the pull request that records it.

## Example
```yaml
game: transaction
north_star:
  name: nights_booked
  review: { cadence: quarterly, last_reviewed: 2025-01-15 }   # LS106: overdue since 2025-04-17
```
Fix it by reviewing the North Star with the team, then updating `last_reviewed`.

## Configuration
```toml
[rules]
LS106 = "warning"   # error | warning | off
```
"#;

pub struct Review;

impl crate::lint::Rule for Review {
    fn code(&self) -> Code {
        Code::Review
    }

    fn check(&self, cx: &mut Context<'_>) {
        let project = cx.project;
        let today = cx.today;
        for product in &project.products {
            for metric in &product.metrics {
                let Some(review) = &metric.review else {
                    continue;
                };
                let what = if metric.role == Role::NorthStar {
                    "the North Star"
                } else {
                    "metric"
                };
                let Some(last) = &review.last_reviewed else {
                    cx.report_metric(
                        metric,
                        format!(
                            "{what} `{}` has a review that has never happened",
                            metric.name.value
                        ),
                        review.span,
                        "no `last_reviewed`",
                    )
                    .with_help(match product.syntax {
                        Syntax::Yaml => {
                            "review it with the team and record the date: \
                             `last_reviewed: YYYY-MM-DD`"
                        }
                        Syntax::Lode => {
                            "review it with the team and record the date: \
                             `review <cadence> last YYYY-MM-DD`"
                        }
                    });
                    continue;
                };
                if last.value > today {
                    cx.report_metric(
                        metric,
                        format!(
                            "`last_reviewed` of `{}` is in the future ({})",
                            metric.name.value, last.value
                        ),
                        last.span,
                        "a date after today",
                    )
                    .with_help(format!(
                        "write the date the review took place, on or before {today}"
                    ));
                    continue;
                }
                let Some(cadence) = &review.cadence else {
                    cx.report_metric(
                        metric,
                        format!(
                            "the review of `{}` has no cadence, so it never falls due",
                            metric.name.value
                        ),
                        review.span,
                        "no `cadence`",
                    )
                    .with_help(match product.syntax {
                        Syntax::Yaml => "add `cadence: quarterly` (or weekly, monthly, yearly)",
                        Syntax::Lode => {
                            "write the cadence after `review`: `review quarterly last \
                             YYYY-MM-DD` (or weekly, monthly, yearly)"
                        }
                    });
                    continue;
                };
                let due = last.value + Duration::days(cadence.value.days());
                if due < today {
                    cx.report_metric(
                        metric,
                        format!(
                            "the {} review of {what} `{}` is overdue: last reviewed {}, due {due}",
                            cadence.value, metric.name.value, last.value
                        ),
                        last.span,
                        format!("{} days ago", (today - last.value).num_days()),
                    )
                    .with_label(cadence.span, "cadence")
                    .with_help(match product.syntax {
                        Syntax::Yaml => {
                            "review the metric with the team, then set `last_reviewed` to the \
                             date of the review"
                        }
                        Syntax::Lode => {
                            "review the metric with the team, then set the date after `last` in \
                             its `review` statement to the date of the review"
                        }
                    });
                }
            }
            if let (Some(game), Some(star)) = (&product.game, product.north_star()) {
                if star.review.is_none() {
                    cx.report_metric(
                        star,
                        format!(
                            "product `{}` plays the {} game but its North Star `{}` has no review",
                            product.name.value, game.value, star.name.value
                        ),
                        game.span,
                        "game declared here",
                    )
                    .with_label(star.name.span, "no `review`")
                    .with_help(match product.syntax {
                        Syntax::Yaml => {
                            "add `review: { cadence: quarterly, last_reviewed: YYYY-MM-DD }` to \
                             the North Star"
                        }
                        Syntax::Lode => {
                            "add `review quarterly last YYYY-MM-DD` to the North Star's block"
                        }
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{
        assert_clean, assert_finds, found, pos, pos_in, Edit, TODAY, VALID_LODE, VALID_YAML,
    };

    const REVIEW: &str = "  review: { cadence: quarterly, last_reviewed: 2026-10-01 }\n";

    #[test]
    fn passes_with_a_recent_review() {
        assert_clean("LS106", VALID_YAML);
        assert_clean("LS106", VALID_LODE);
    }

    #[test]
    fn due_today_is_not_overdue() {
        // 2026-08-22 + 92 days = 2026-11-22 = TODAY.
        assert_eq!(TODAY.to_string(), "2026-11-22");
        let spec = VALID_YAML.edit("last_reviewed: 2026-10-01", "last_reviewed: 2026-08-22");
        assert_clean("LS106", &spec);
        let spec = VALID_YAML.edit("last_reviewed: 2026-10-01", "last_reviewed: 2026-08-21");
        assert_finds("LS106", &spec, &[pos(&spec, "2026-08-21")]);
        let f = &found("LS106", &spec)[0];
        assert!(
            f.diagnostic.message.contains("due 2026-11-21"),
            "{}",
            f.diagnostic.message
        );
    }

    #[test]
    fn game_without_review() {
        let spec = VALID_YAML.edit(REVIEW, "");
        assert_finds(
            "LS106",
            &spec,
            &[pos_in(&spec, "game: transaction", "transaction")],
        );
        // Without a game, no review is needed.
        let spec = spec.edit("game: transaction\n", "");
        assert_clean("LS106", &spec);
    }

    #[test]
    fn review_without_date_or_cadence() {
        let spec = VALID_YAML.edit(REVIEW, "  review: { cadence: monthly }\n");
        assert_finds("LS106", &spec, &[pos_in(&spec, "review: {", "{")]);
        let spec = VALID_YAML.edit(REVIEW, "  review: { last_reviewed: 2026-10-01 }\n");
        assert_finds("LS106", &spec, &[pos_in(&spec, "review: {", "{")]);
    }

    #[test]
    fn review_in_the_future() {
        let spec = VALID_YAML.edit("last_reviewed: 2026-10-01", "last_reviewed: 2062-10-01");
        assert_finds("LS106", &spec, &[pos(&spec, "2062-10-01")]);
    }

    /// Help names the forms of the file's own syntax: DSL statements in a `.lode` file.
    #[test]
    fn help_speaks_the_syntax_of_the_file() {
        let help = |spec: &str| {
            found("LS106", spec)[0]
                .diagnostic
                .help
                .clone()
                .unwrap_or_default()
        };
        let lode = help(&VALID_LODE.edit("last 2026-10-01", "last 2025-10-01"));
        assert!(lode.contains("`last` in its `review` statement"), "{lode}");
        assert!(!lode.contains("last_reviewed"), "{lode}");
        let yaml = help(&VALID_YAML.edit("last_reviewed: 2026-10-01", "last_reviewed: 2025-10-01"));
        assert!(yaml.contains("set `last_reviewed`"), "{yaml}");
        let lode = help(&VALID_LODE.edit("  review quarterly last 2026-10-01\n", ""));
        assert!(
            lode.contains("add `review quarterly last YYYY-MM-DD`"),
            "{lode}"
        );
        assert!(!lode.contains("cadence:"), "{lode}");
    }

    #[test]
    fn overdue_in_the_dsl() {
        let spec = VALID_LODE.edit("last 2026-10-01", "last 2025-10-01");
        assert_finds("LS106", &spec, &[pos(&spec, "2025-10-01")]);
    }

    #[test]
    fn allow_with_reason_silences_it() {
        let spec = VALID_YAML.edit(
            REVIEW,
            "  review: { cadence: weekly, last_reviewed: 2026-10-01 }\n  allow: [{ code: LS106, reason: \"review moved to the offsite\" }]\n",
        );
        assert_clean("LS106", &spec);
    }
}
