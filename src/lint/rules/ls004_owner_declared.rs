use crate::diagnostics::Severity;
use crate::lint::{Context, RuleInfo};

pub static INFO: RuleInfo = RuleInfo {
    code: "LS004",
    name: "owner-declared",
    default: Severity::Error,
    summary: "every metric names an owner, and the owner is declared",
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
