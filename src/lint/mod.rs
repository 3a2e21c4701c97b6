//! Rules over the resolved model. Each rule is a file in [`rules`] carrying its check, its
//! documentation and its pass/fail cases; its code, name and default level are a row of the
//! code table ([`crate::diagnostics::Code`]), and [`registry`] pairs each code with its rule.
//! Entry point: [`check`].

mod config;
pub mod registry;
pub mod rules;
#[cfg(test)]
pub(crate) mod testing;

use chrono::NaiveDate;

pub use config::{LintConfig, RuleLevel};
pub use registry::{registry, rule};

use crate::diagnostics::{Code, Diagnostic, Severity, Span};
use crate::model::{Metric, Project};

/// A `allow:` entry that names no rule, or gives no reason.
pub const ALLOW: Code = Code::AllowNeedsReason;

/// A rule: the code it reports and a check over the model.
pub trait Rule: Sync {
    fn code(&self) -> Code;
    fn check(&self, cx: &mut Context<'_>);
}

/// What a rule sees, and where it reports.
pub struct Context<'a> {
    pub project: &'a Project,
    /// Today's date, for rules about schedules (LS106). Passed in: the core reads no clock.
    pub today: NaiveDate,
    pub config: &'a LintConfig,
    /// The findings of the rules that ran before this one that an `allow` silenced, by the
    /// metric's span and the rule's code (rules run in code order; LS108 reads these).
    pub silenced: &'a [(Span, Code)],
    code: Code,
    severity: Severity,
    found: Vec<Diagnostic>,
    /// The metrics (by span) whose `allow` silenced a finding of this rule.
    silenced_here: Vec<Span>,
}

impl<'a> Context<'a> {
    /// Reports a finding about the project as a whole (or about a product).
    pub fn report(
        &mut self,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> &mut Diagnostic {
        let d = Diagnostic::error(self.code, message)
            .with_severity(self.severity)
            .label(span, label);
        self.found.push(d);
        self.found.last_mut().expect("just pushed")
    }

    /// Reports a finding about a metric, unless the metric allows this rule with a reason.
    pub fn report_metric(
        &mut self,
        metric: &Metric,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Option<&mut Diagnostic> {
        if metric.allow.iter().any(|a| a.silences(self.code)) {
            self.silenced_here.push(metric.span);
            return None;
        }
        Some(self.report(message, span, label))
    }
}

/// Builder-style helpers on a reported diagnostic.
pub trait Annotate {
    fn with_help(&mut self, help: impl Into<String>) -> &mut Self;
    fn with_label(&mut self, span: Span, label: impl Into<String>) -> &mut Self;
    fn with_note(&mut self, note: impl Into<String>) -> &mut Self;
}

impl Annotate for Diagnostic {
    fn with_help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }
    fn with_label(&mut self, span: Span, label: impl Into<String>) -> &mut Self {
        let label = label.into();
        self.labels.push(crate::diagnostics::Label {
            span,
            message: (!label.is_empty()).then_some(label),
        });
        self
    }
    fn with_note(&mut self, note: impl Into<String>) -> &mut Self {
        self.note = Some(note.into());
        self
    }
}

impl<T: Annotate> Annotate for Option<&mut T> {
    fn with_help(&mut self, help: impl Into<String>) -> &mut Self {
        if let Some(d) = self.as_deref_mut() {
            d.with_help(help);
        }
        self
    }
    fn with_label(&mut self, span: Span, label: impl Into<String>) -> &mut Self {
        if let Some(d) = self.as_deref_mut() {
            d.with_label(span, label);
        }
        self
    }
    fn with_note(&mut self, note: impl Into<String>) -> &mut Self {
        if let Some(d) = self.as_deref_mut() {
            d.with_note(note);
        }
        self
    }
}

/// Runs every rule that is not off, at its configured severity, in code order, and checks
/// `allow` entries.
pub fn check(project: &Project, config: &LintConfig, today: NaiveDate) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut silenced: Vec<(Span, Code)> = Vec::new();
    for rule in registry() {
        let code = rule.code();
        let Some(severity) = config.severity(code) else {
            continue;
        };
        let mut cx = Context {
            project,
            today,
            config,
            silenced: &silenced,
            code,
            severity,
            found: Vec::new(),
            silenced_here: Vec::new(),
        };
        rule.check(&mut cx);
        out.append(&mut cx.found);
        let here = std::mem::take(&mut cx.silenced_here);
        silenced.extend(here.into_iter().map(|s| (s, code)));
    }
    out.extend(check_allows(project));
    out
}

/// `allow` entries that name no rule or give no reason (LS906, which no configuration changes).
fn check_allows(project: &Project) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for metric in project.products.iter().flat_map(|p| &p.metrics) {
        for a in &metric.allow {
            let written = a.code.value.trim();
            let code = Code::find(written).filter(|c| c.configurable());
            let Some(code) = code else {
                let candidates: Vec<String> = Code::ALL
                    .iter()
                    .filter(|c| c.configurable())
                    .flat_map(|c| [c.as_str().to_ascii_lowercase(), c.name().to_owned()])
                    .collect();
                let candidates: Vec<&str> = candidates.iter().map(String::as_str).collect();
                let mut d = Diagnostic::error(
                    ALLOW,
                    format!("`allow` names `{}`, which is not a rule", a.code.value),
                )
                .label(a.code.span, "unknown rule");
                d = match crate::syntax::did_you_mean(written, &candidates).and_then(Code::find) {
                    Some(s) => d.help(format!(
                        "did you mean `{s}` ({})? `lodestar rules` lists the rules",
                        s.name()
                    )),
                    None => d.help("`lodestar rules` lists the rule codes and names"),
                };
                out.push(d);
                continue;
            };
            if a.reason.as_ref().is_none_or(|r| r.value.trim().is_empty()) {
                out.push(
                    Diagnostic::error(ALLOW, format!("`allow: {}` needs a reason", a.code.value))
                        .label(a.span, "no reason given")
                        .help(format!(
                            "say why the rule does not apply here: `{{ code: {code}, reason: \"...\" }}` \
                             (in the DSL: `allow {code} \"...\"`)"
                        )),
                );
            }
        }
    }
    out
}
