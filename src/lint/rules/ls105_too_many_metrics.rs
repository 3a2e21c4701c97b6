use crate::diagnostics::Severity;
use crate::lint::{Context, RuleInfo};

pub static INFO: RuleInfo = RuleInfo {
    code: "LS105",
    name: "too-many-metrics",
    default: Severity::Warning,
    summary: "more than three guardrails, or more than eight inputs",
    doc: "TODO",
    configurable: true,
};

pub struct Rule;

impl crate::lint::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, _cx: &mut Context<'_>) {}
}
