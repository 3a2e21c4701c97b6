//! One file per rule: its documentation, its check and its cases. A new rule is a row of the
//! code table ([`crate::diagnostics::Code`]) and an arm of [`super::registry::rule`]; a test
//! fails when a rule file has neither.

pub mod errors;
pub mod ls001_one_north_star;
pub mod ls002_guardrail_required;
pub mod ls003_vanity_type;
pub mod ls004_owner_declared;
pub mod ls005_references_resolve;
pub mod ls006_sql_fragment;
pub mod ls007_threshold;
pub mod ls008_names;
pub mod ls009_portable_sql;
pub mod ls101_revenue_north_star;
pub mod ls102_slow_grain;
pub mod ls103_vanity_name;
pub mod ls104_attention_proxy;
pub mod ls105_too_many_metrics;
pub mod ls106_review;
pub mod ls107_description;
pub mod ls108_unused_allow;
pub mod ls907_unsafe_name;
