use crate::diagnostics::Severity;
use crate::lint::{Context, RuleInfo};

pub static INFO: RuleInfo = RuleInfo {
    code: "LS106",
    name: "review-overdue",
    default: Severity::Warning,
    summary: "the North Star's review is overdue, or a product with `game` has none",
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
