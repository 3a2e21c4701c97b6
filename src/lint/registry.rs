//! Which rule checks each code. The codes themselves (name, default level, summary, doc) are
//! one table in [`crate::diagnostics::Code`]; this match pairs each code with the rule that
//! emits it, and is exhaustive, so a new code cannot be added without saying whether a rule
//! checks it.

use super::rules::*;
use super::Rule;
use crate::diagnostics::Code;

/// The rule that checks `code`; `None` for codes that are not rules (the file could not be read
/// or understood).
pub fn rule(code: Code) -> Option<&'static dyn Rule> {
    Some(match code {
        Code::OneNorthStar => &ls001_one_north_star::OneNorthStar,
        Code::GuardrailRequired => &ls002_guardrail_required::GuardrailRequired,
        Code::VanityType => &ls003_vanity_type::VanityType,
        Code::OwnerDeclared => &ls004_owner_declared::OwnerDeclared,
        Code::ReferencesResolve => &ls005_references_resolve::ReferencesResolve,
        Code::SqlFragment => &ls006_sql_fragment::SqlFragment,
        Code::GuardrailThreshold => &ls007_threshold::GuardrailThreshold,
        Code::Names => &ls008_names::Names,
        Code::PortableSql => &ls009_portable_sql::PortableSql,
        Code::RevenueNorthStar => &ls101_revenue_north_star::RevenueNorthStar,
        Code::SlowGrain => &ls102_slow_grain::SlowGrain,
        Code::VanityName => &ls103_vanity_name::VanityName,
        Code::AttentionProxy => &ls104_attention_proxy::AttentionProxy,
        Code::TooManyMetrics => &ls105_too_many_metrics::TooManyMetrics,
        Code::Review => &ls106_review::Review,
        Code::Description => &ls107_description::Description,
        Code::UnusedAllow => &ls108_unused_allow::UnusedAllow,
        // Always an error, but a check over the model like any rule: `allow` cannot silence it
        // (it reports with `Context::report`) and `lodestar.toml` cannot set it.
        Code::UnsafeName => &ls907_unsafe_name::UnsafeName,
        Code::Syntax
        | Code::Structure
        | Code::InvalidValue
        | Code::Unreadable
        | Code::Config
        | Code::AllowNeedsReason => return None,
    })
}

/// Every rule, in code order.
pub fn registry() -> impl Iterator<Item = &'static dyn Rule> {
    Code::ALL.iter().filter_map(|&c| rule(c))
}

/// The sections every rule's `doc` has, in order.
pub const DOC_SECTIONS: &[&str] = &[
    "What it checks",
    "Why it matters",
    "Example",
    "Configuration",
];

/// `docs/rules.md`: every code with its documentation, generated from this registry.
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "# Rules\n\n\
         <!-- Generated from src/diagnostics/codes.rs; do not edit. Regenerate with\n     \
         UPDATE_DOCS=1 cargo test --no-default-features rules_doc -->\n\n\
         Severities are set per rule in `lodestar.toml` (`[rules]`, by code or name: `error`, \
         `warning` or `off`); a metric may silence a rule for itself with `allow: [{ code, reason }]`. \
         `lodestar explain CODE` prints the same text.\n\n\
         | code | name | default | summary |\n|---|---|---|---|\n",
    );
    for &i in Code::ALL {
        let default = if i.configurable() {
            i.default_severity().as_str()
        } else {
            "error (always)"
        };
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} |\n",
            i,
            i.as_str().to_ascii_lowercase(),
            i.name(),
            default,
            i.summary().replace('|', "\\|")
        ));
    }
    for &i in Code::ALL {
        out.push_str(&format!("\n## {}\n\n`{}` · default: ", i, i.name()));
        out.push_str(if i.configurable() {
            i.default_severity().as_str()
        } else {
            "error, cannot be configured"
        });
        out.push_str(&format!("\n\n{}\n\n", i.summary()));
        // The doc's own sections become level-3 headings under the rule's heading.
        for line in i.doc().trim_end().lines() {
            match line.strip_prefix("## ") {
                Some(h) => out.push_str(&format!("### {h}")),
                None => out.push_str(line),
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_rule_file_is_registered_under_its_own_code() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/lint/rules");
        let mut files = 0;
        for entry in std::fs::read_dir(dir).expect("rules directory") {
            let name = entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            let Some(rest) = name.strip_prefix("ls") else {
                continue;
            };
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if digits.len() != 3 || !name.ends_with(".rs") {
                continue;
            }
            files += 1;
            let code = Code::find(&format!("LS{digits}"))
                .unwrap_or_else(|| panic!("src/lint/rules/{name} has no row in the code table"));
            let r = rule(code).unwrap_or_else(|| panic!("{code} has no rule in rule()"));
            assert_eq!(
                r.code(),
                code,
                "the rule registered for {code} reports another code"
            );
        }
        assert_eq!(
            files,
            registry().count(),
            "rule() names a rule with no file of its own"
        );
    }

    #[test]
    fn rules_are_the_configurable_codes_and_the_fixed_checks_of_the_model() {
        for &c in Code::ALL {
            // LS907 is always an error, yet a check of the model: the one fixed code a rule
            // reports. The other fixed codes are about files that could not be read.
            let fixed_rule = c == Code::UnsafeName;
            assert_eq!(
                rule(c).is_some(),
                c.configurable() || fixed_rule,
                "{c}: configurable codes are checked by a rule, the others are not"
            );
        }
    }

    #[test]
    fn codes_and_names_are_unique_and_in_order() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        let mut last = "";
        for &i in Code::ALL {
            assert!(codes.insert(i.as_str()), "code {i} appears twice");
            assert!(names.insert(i.name()), "name {} appears twice", i.name());
            assert!(i.as_str() > last, "{i} is out of order");
            last = i.as_str();
            assert!(
                i.name().chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{i}: name `{}` is not kebab-case",
                i.name()
            );
            assert!(
                !i.summary().is_empty() && !i.summary().contains('\n'),
                "{i}: summary is one line"
            );
        }
    }

    #[test]
    fn every_doc_has_the_four_sections_in_order() {
        for &i in Code::ALL {
            let headings: Vec<&str> = i
                .doc()
                .lines()
                .filter_map(|l| l.strip_prefix("## "))
                .collect();
            assert_eq!(headings, DOC_SECTIONS, "sections of the doc of {i}");
            for section in i.doc().split("## ").skip(1) {
                let body = section
                    .split_once('\n')
                    .map(|(_, b)| b.trim())
                    .unwrap_or("");
                assert!(!body.is_empty(), "{i}: an empty section in its doc");
            }
        }
    }

    #[test]
    fn codes_are_found_by_code_or_name_case_insensitively() {
        assert_eq!(Code::find("ls107"), Some(Code::Description));
        assert_eq!(Code::find("Vanity-Name"), Some(Code::VanityName));
        assert!(Code::find("LS999").is_none());
    }

    /// `docs/rules.md` is generated from the code table; regenerate with
    /// `UPDATE_DOCS=1 cargo test --no-default-features rules_doc`.
    #[test]
    fn rules_doc_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
        let want = rules_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::create_dir_all(concat!(env!("CARGO_MANIFEST_DIR"), "/docs"))
                .expect("docs dir");
            std::fs::write(path, &want).expect("write docs/rules.md");
            return;
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "docs/rules.md is stale: regenerate it with \
             `UPDATE_DOCS=1 cargo test --no-default-features rules_doc` and commit it"
        );
    }
}
