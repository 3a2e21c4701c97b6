use crate::diagnostics::Severity;
use crate::lint::{Context, RuleInfo};

pub static INFO: RuleInfo = RuleInfo {
    code: "LS005",
    name: "references-resolve",
    default: Severity::Error,
    summary: "every reference resolves, and derived metrics form no cycle",
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
