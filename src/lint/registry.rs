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
