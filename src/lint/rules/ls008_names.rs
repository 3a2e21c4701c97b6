use crate::diagnostics::Severity;
use crate::lint::{Context, RuleInfo};

pub static INFO: RuleInfo = RuleInfo {
    code: "LS008",
    name: "names",
    default: Severity::Error,
    summary: "names are snake_case and unique; YAML keys are not duplicated",
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
