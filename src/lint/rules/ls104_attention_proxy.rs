use crate::diagnostics::Code;
use crate::lint::{Annotate, Context};

use super::ls103_vanity_name::matching_text;

/// What the rule checks, why, an example and how to configure it (`lodestar explain LS104`).
pub const DOC: &str = r#"## What it checks
The North Star's name and label do not describe raw attention: daily, weekly or monthly active
users (`dau`, `wau`, `mau`, `daily_active_users`, "Monthly actives"), active users, sessions,
app opens, page views, visits, time in app, time on site, screen time.

Time spent *doing the thing the product is for* is not an attention proxy: "time spent
listening" for a music service or "nights booked" for a marketplace measure delivered value and
are not reported. Words are matched whole in snake_case names and in labels.

## Why it matters
Active users and sessions count people who showed up, not people who got what they came for.
They can be raised with notifications and streaks that make the product worse, and they say
nothing about which part of the product delivers value. A North Star should measure the core
value exchanged: songs listened to, nights booked, documents shared.

## Example
```yaml
north_star:
  name: daily_active_users    # LS104: an attention proxy (`daily active`)
```
Fix it by asking what an active user *does* that is worth something to them, and counting
that: `weekly_listening_hours`, `teams_with_three_active_editors`.

## Configuration
```toml
[rules]
LS104 = "warning"   # error | warning | off
```
A product that plays the attention game (`game: attention`), where time in the product is the
value users want, may allow it on the North Star with a reason.
"#;

/// Raw attention, as sequences of lowercase words.
const ATTENTION: &[&[&str]] = &[
    &["dau"],
    &["daus"],
    &["wau"],
    &["waus"],
    &["mau"],
    &["maus"],
    &["daily", "active"],
    &["daily", "actives"],
    &["weekly", "active", "users"],
    &["weekly", "actives"],
    &["monthly", "active"],
    &["monthly", "actives"],
    &["active", "users"],
    &["sessions"],
    &["session", "count"],
    &["app", "opens"],
    &["pageviews"],
    &["page", "views"],
    &["visits"],
    &["time", "in", "app"],
    &["time", "spent", "in", "app"],
    &["time", "on", "site"],
    &["time", "on", "app"],
    &["time", "in", "product"],
    &["screen", "time"],
];

pub struct AttentionProxy;

impl crate::lint::Rule for AttentionProxy {
    fn code(&self) -> Code {
        Code::AttentionProxy
    }

    fn check(&self, cx: &mut Context<'_>) {
        let project = cx.project;
        for metric in project.products.iter().flat_map(|p| p.north_stars()) {
            let Some((text, phrase)) = matching_text(metric, ATTENTION) else {
                continue;
            };
            cx.report_metric(
                metric,
                format!(
                    "the North Star `{}` is an attention proxy (`{phrase}`)",
                    metric.name.value
                ),
                text.span,
                "counts attention, not value",
            )
            .with_help(
                "count what an active user does that is worth something to them (nights booked, \
                 hours listened, documents shared) and make activity an input",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{
        assert_clean, assert_finds, pos, pos_in, Edit, VALID_LODE, VALID_YAML,
    };

    fn with_north_star(name: &str, label: &str) -> String {
        VALID_YAML
            .edit(
                "  name: nights_booked\n  label: Nights booked",
                &format!("  name: {name}\n  label: {label}"),
            )
            .edit("derived: nights_booked /", &format!("derived: {name} /"))
            .edit(
                "denominator: nights_booked",
                &format!("denominator: {name}"),
            )
    }

    #[test]
    fn passes_on_a_value_north_star() {
        assert_clean("LS104", VALID_YAML);
        assert_clean("LS104", VALID_LODE);
    }

    #[test]
    fn fails_on_dau_mau_sessions_and_time_in_app() {
        for (name, label) in [
            ("dau", "Daily users"),
            ("monthly_active_users", "Users"),
            ("weekly_sessions", "Sessions"),
            ("time_in_app", "Time"),
        ] {
            let spec = with_north_star(name, label);
            assert_finds(
                "LS104",
                &spec,
                &[pos_in(&spec, &format!("  name: {name}"), name)],
            );
        }
    }

    #[test]
    fn fails_on_the_label() {
        let spec = with_north_star("engaged_people", "Daily active users");
        assert_finds("LS104", &spec, &[pos(&spec, "Daily active users")]);
    }

    #[test]
    fn time_spent_on_the_core_value_is_not_attention() {
        for (name, label) in [
            ("time_spent_listening", "Time spent listening"),
            ("weekly_active_hosts", "Hosts with a booking"),
            ("nights_booked", "Nights booked"),
        ] {
            assert_clean("LS104", &with_north_star(name, label));
        }
    }

    #[test]
    fn only_the_north_star_is_checked() {
        let spec = VALID_YAML.edit("name: new_hosts", "name: daily_active_users");
        assert_clean("LS104", &spec);
    }

    #[test]
    fn fails_in_the_dsl() {
        let spec = VALID_LODE.edit("nights_booked", "mau");
        assert_finds("LS104", &spec, &[pos_in(&spec, "north star mau", "mau")]);
    }

    #[test]
    fn allow_with_reason_silences_it() {
        let spec = with_north_star("time_in_app", "Time in app").edit(
            "  grain: week\n",
            "  grain: week\n  allow: [{ code: LS104, reason: \"an attention-game product: time watched is the value\" }]\n",
        );
        assert_clean("LS104", &spec);
    }
}
