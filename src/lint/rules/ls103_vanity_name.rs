use crate::diagnostics::Code;
use crate::lint::{Annotate, Context};
use crate::model::{Metric, Str};

/// What the rule checks, why, an example and how to configure it (`lodestar explain LS103`).
pub const DOC: &str = r#"## What it checks
A metric's name and label do not read like a vanity count: page views, visits, sessions,
downloads, installs, signups, registrations, registered users, followers, impressions, clicks,
likes, views, hits. Words are matched whole, in snake_case names (`weekly_app_installs`) and in
labels (`Weekly app installs`), whatever `type` the metric declares. (A vanity `type` is LS003.)

Rates are not counts: a name or label with `rate`, `ratio`, `share`, `percent`, `pct`, `ctr` or
`conversion` (for example `click_through_rate`) is not reported.

## Why it matters
Declaring `type: adoption` on a metric called `app_downloads` does not change what it counts.
Vanity counts grow with marketing spend and novelty whether or not anyone gets value, so a tree
that optimises them rewards activity instead of outcomes.

## Example
```yaml
inputs:
  - name: weekly_signups     # LS103: reads like a vanity metric (`signups`)
    type: adoption
```
Fix it by counting what the signup leads to: `activated_accounts` (accounts that completed a
first project), `first_bookings`.

## Configuration
```toml
[rules]
LS103 = "warning"   # error | warning | off
```
When the count truly is the value (an offline map pack whose download is the product):
```yaml
allow: [{ code: LS103, reason: "Downloading the pack is the value: it works offline from then on." }]
```
"#;

/// Vanity counts, as sequences of lowercase words.
const VANITY: &[&[&str]] = &[
    &["page", "views"],
    &["pageviews"],
    &["views"],
    &["visits"],
    &["visitors"],
    &["sessions"],
    &["downloads"],
    &["installs"],
    &["signups"],
    &["sign", "ups"],
    &["registrations"],
    &["registered", "users"],
    &["followers"],
    &["impressions"],
    &["clicks"],
    &["likes"],
    &["hits"],
];

/// Words that make a name a rate rather than a count.
const RATE_WORDS: &[&str] = &[
    "rate",
    "ratio",
    "share",
    "percent",
    "percentage",
    "pct",
    "ctr",
    "conversion",
];

pub struct VanityName;

/// The lowercase words of a name or label: split at anything that is not a letter or digit,
/// and at lower-to-upper case changes.
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_lowercase();
            cur.extend(c.to_lowercase());
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The first phrase of `phrases` that occurs as whole consecutive words in `words`.
pub(crate) fn find_phrase(words: &[String], phrases: &[&[&str]]) -> Option<String> {
    phrases
        .iter()
        .find(|p| {
            words
                .windows(p.len())
                .any(|w| w.iter().zip(p.iter()).all(|(a, b)| a == b))
        })
        .map(|p| p.join(" "))
}

/// The name or label of `metric` that contains one of `phrases`, with the phrase.
pub(crate) fn matching_text<'m>(
    metric: &'m Metric,
    phrases: &[&[&str]],
) -> Option<(&'m Str, String)> {
    [Some(&metric.name), metric.label.as_ref()]
        .into_iter()
        .flatten()
        .find_map(|s| find_phrase(&words(&s.value), phrases).map(|p| (s, p)))
}

impl crate::lint::Rule for VanityName {
    fn code(&self) -> Code {
        Code::VanityName
    }

    fn check(&self, cx: &mut Context<'_>) {
        let project = cx.project;
        for metric in project.products.iter().flat_map(|p| &p.metrics) {
            let is_rate = [Some(&metric.name), metric.label.as_ref()]
                .into_iter()
                .flatten()
                .any(|s| {
                    words(&s.value)
                        .iter()
                        .any(|w| RATE_WORDS.contains(&w.as_str()))
                });
            if is_rate {
                continue;
            }
            let Some((text, phrase)) = matching_text(metric, VANITY) else {
                continue;
            };
            let which = if std::ptr::eq(text, &metric.name) {
                "name"
            } else {
                "label"
            };
            cx.report_metric(
                metric,
                format!(
                    "metric `{}` reads like a vanity metric (`{phrase}`)",
                    metric.name.value
                ),
                text.span,
                format!("vanity {which}"),
            )
            .with_help(
                "vanity counts grow whether or not users get value; count what the activity leads \
                 to (a first booking, an activated account, a returning user), or, if this count \
                 truly is the value, allow LS103 with a reason",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::words;
    use crate::lint::testing::{
        assert_clean, assert_finds, pos, pos_in, Edit, VALID_LODE, VALID_YAML,
    };

    #[test]
    fn splits_names_and_labels_into_words() {
        assert_eq!(words("weekly_app_installs"), ["weekly", "app", "installs"]);
        assert_eq!(words("Sign-ups per week"), ["sign", "ups", "per", "week"]);
        assert_eq!(words("pageViews"), ["page", "views"]);
    }

    #[test]
    fn passes_on_value_names() {
        assert_clean("LS103", VALID_YAML);
        assert_clean("LS103", VALID_LODE);
        // `reviews` contains "views" but is another word.
        assert_clean(
            "LS103",
            &VALID_YAML.edit("name: avg_guest_rating", "name: guest_reviews"),
        );
    }

    #[test]
    fn fails_on_a_vanity_name_whatever_the_type() {
        let spec = VALID_YAML.edit("name: new_hosts", "name: weekly_app_installs");
        assert_finds("LS103", &spec, &[pos(&spec, "weekly_app_installs")]);
    }

    #[test]
    fn fails_on_a_vanity_label() {
        let spec = VALID_YAML.edit(
            "  - name: new_hosts\n",
            "  - name: new_hosts\n    label: Host sign ups\n",
        );
        assert_finds("LS103", &spec, &[pos(&spec, "Host sign ups")]);
    }

    #[test]
    fn rates_are_not_counts() {
        let spec = VALID_YAML.edit("name: search_to_book_rate", "name: click_through_rate");
        assert_clean("LS103", &spec);
        let spec = VALID_YAML.edit("name: search_to_book_rate", "name: signups_conversion");
        assert_clean("LS103", &spec);
    }

    #[test]
    fn does_not_fire_on_the_type_alone() {
        // A vanity type is LS003's business.
        let spec = VALID_YAML.edit("type: adoption", "type: downloads");
        assert_clean("LS103", &spec);
    }

    #[test]
    fn fails_in_the_dsl() {
        let spec = VALID_LODE.edit("input new_hosts {", "input host_signups {");
        assert_finds(
            "LS103",
            &spec,
            &[pos_in(&spec, "input host_signups", "host_signups")],
        );
    }

    #[test]
    fn allow_with_reason_silences_it() {
        let spec = VALID_YAML.edit(
            "  - name: new_hosts\n",
            "  - name: map_pack_downloads\n    allow: [{ code: LS103, reason: \"the download is the value: the pack works offline\" }]\n",
        );
        assert_clean("LS103", &spec);
        assert_clean("LS906", &spec);
    }
}
