//! The one table from code to rule, plus the codes of errors that are not rules (the file
//! could not be read or understood) so that `lodestar explain` covers every code we emit.

use super::rules;
use super::Rule;
use crate::diagnostics::Severity;

/// What a rule is: code, name, default severity and documentation.
#[derive(Debug)]
pub struct RuleInfo {
    pub code: &'static str,
    /// kebab-case name, also accepted in `lodestar.toml`.
    pub name: &'static str,
    pub default: Severity,
    /// One line: what the rule checks.
    pub summary: &'static str,
    /// Markdown with the sections "What it checks", "Why it matters", "Example" and
    /// "Configuration".
    pub doc: &'static str,
    /// Whether `lodestar.toml` and `allow:` may change it. Errors that mean the spec could not be
    /// read are not configurable.
    pub configurable: bool,
}

/// Every rule, in code order.
pub fn registry() -> &'static [&'static dyn Rule] {
    &[
        &rules::ls001_one_north_star::Rule,
        &rules::ls002_guardrail_required::Rule,
        &rules::ls003_vanity_type::Rule,
        &rules::ls004_owner_declared::Rule,
        &rules::ls005_references_resolve::Rule,
        &rules::ls006_sql_fragment::Rule,
        &rules::ls007_threshold::Rule,
        &rules::ls008_names::Rule,
        &rules::ls101_revenue_north_star::Rule,
        &rules::ls102_slow_grain::Rule,
        &rules::ls103_vanity_name::Rule,
        &rules::ls104_attention_proxy::Rule,
        &rules::ls105_too_many_metrics::Rule,
        &rules::ls106_review::Rule,
        &rules::ls107_description::Rule,
    ]
}

/// Every code lodestar emits: the rules, then the errors that are not rules.
pub static ALL_INFO: &[&RuleInfo] = &[
    &rules::ls001_one_north_star::INFO,
    &rules::ls002_guardrail_required::INFO,
    &rules::ls003_vanity_type::INFO,
    &rules::ls004_owner_declared::INFO,
    &rules::ls005_references_resolve::INFO,
    &rules::ls006_sql_fragment::INFO,
    &rules::ls007_threshold::INFO,
    &rules::ls008_names::INFO,
    &rules::ls101_revenue_north_star::INFO,
    &rules::ls102_slow_grain::INFO,
    &rules::ls103_vanity_name::INFO,
    &rules::ls104_attention_proxy::INFO,
    &rules::ls105_too_many_metrics::INFO,
    &rules::ls106_review::INFO,
    &rules::ls107_description::INFO,
    &rules::errors::SYNTAX,
    &rules::errors::STRUCTURE,
    &rules::errors::VALUE,
    &rules::errors::UNREADABLE,
    &rules::errors::CONFIG,
    &rules::errors::ALLOW,
];

/// Looks a code (`LS001`) or a rule name (`one-north-star`) up, case-insensitively.
pub fn info(code_or_name: &str) -> Option<&'static RuleInfo> {
    let key = code_or_name.trim();
    ALL_INFO
        .iter()
        .copied()
        .find(|i| i.code.eq_ignore_ascii_case(key) || i.name.eq_ignore_ascii_case(key))
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
         <!-- Generated from src/lint/registry.rs; do not edit. Regenerate with\n     \
         UPDATE_DOCS=1 cargo test --no-default-features rules_doc -->\n\n\
         Severities are set per rule in `lodestar.toml` (`[rules]`, by code or name: `error`, \
         `warning` or `off`); a metric may silence a rule for itself with `allow: [{ code, reason }]`. \
         `lodestar explain CODE` prints the same text.\n\n\
         | code | name | default | summary |\n|---|---|---|---|\n",
    );
    for i in ALL_INFO {
        let default = if i.configurable {
            i.default.as_str()
        } else {
            "error (always)"
        };
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} |\n",
            i.code,
            i.code.to_ascii_lowercase(),
            i.name,
            default,
            i.summary.replace('|', "\\|")
        ));
    }
    for i in ALL_INFO {
        out.push_str(&format!("\n## {}\n\n`{}` · default: ", i.code, i.name));
        out.push_str(if i.configurable {
            i.default.as_str()
        } else {
            "error, cannot be configured"
        });
        out.push_str(&format!("\n\n{}\n\n", i.summary));
        // The doc's own sections become level-3 headings under the rule's heading.
        for line in i.doc.trim_end().lines() {
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
    fn every_rule_file_is_registered() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/lint/rules");
        let registered: HashSet<String> = registry()
            .iter()
            .map(|r| r.info().code.to_owned())
            .collect();
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
            let code = format!("LS{digits}");
            assert!(
                registered.contains(&code),
                "src/lint/rules/{name} is not listed in registry()"
            );
            assert!(
                ALL_INFO.iter().any(|i| i.code == code),
                "src/lint/rules/{name} is not listed in ALL_INFO"
            );
        }
        assert_eq!(
            files,
            registry().len(),
            "registry() lists a rule with no file of its own"
        );
    }

    #[test]
    fn rules_are_in_code_order_and_match_their_info() {
        let codes: Vec<&str> = registry().iter().map(|r| r.info().code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(codes, sorted);
        for r in registry() {
            assert!(
                r.info().configurable,
                "{} is a rule, so it is configurable",
                r.info().code
            );
        }
    }

    #[test]
    fn codes_and_names_are_unique() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for i in ALL_INFO {
            assert!(codes.insert(i.code), "code {} appears twice", i.code);
            assert!(names.insert(i.name), "name {} appears twice", i.name);
            assert!(
                i.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}: name `{}` is not kebab-case",
                i.code,
                i.name
            );
            assert!(
                !i.summary.is_empty() && !i.summary.contains('\n'),
                "{}: summary is one line",
                i.code
            );
        }
    }

    #[test]
    fn every_doc_has_the_four_sections_in_order() {
        for i in ALL_INFO {
            let headings: Vec<&str> = i
                .doc
                .lines()
                .filter_map(|l| l.strip_prefix("## "))
                .collect();
            assert_eq!(headings, DOC_SECTIONS, "sections of the doc of {}", i.code);
            for section in i.doc.split("## ").skip(1) {
                let body = section
                    .split_once('\n')
                    .map(|(_, b)| b.trim())
                    .unwrap_or("");
                assert!(!body.is_empty(), "{}: an empty section in its doc", i.code);
            }
        }
    }

    #[test]
    fn info_finds_codes_and_names_case_insensitively() {
        assert_eq!(info("ls107").map(|i| i.code), Some("LS107"));
        assert_eq!(info("Vanity-Name").map(|i| i.code), Some("LS103"));
        assert!(info("LS999").is_none());
    }

    /// `docs/rules.md` is generated from the registry; regenerate with
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
