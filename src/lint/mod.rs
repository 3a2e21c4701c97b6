//! Rules over the resolved model. Each rule is a file in [`rules`] carrying its code, name,
//! default severity, documentation and check; [`registry`] lists them all. Entry point:
//! [`check`].

mod config;
pub mod registry;
pub mod rules;
#[cfg(test)]
pub(crate) mod testing;

use chrono::NaiveDate;

pub use config::{Level, LintConfig};
pub use registry::{info, registry, RuleInfo, ALL_INFO};

use crate::diagnostics::{Diagnostic, Severity, Span};
use crate::model::{Metric, Project};

/// A `allow:` entry that names no rule, or gives no reason.
pub const ALLOW: &str = "LS906";

/// A rule: static information plus a check over the model.
pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;
    fn check(&self, cx: &mut Context<'_>);
}

/// What a rule sees, and where it reports.
pub struct Context<'a> {
    pub project: &'a Project,
    /// Today's date, for rules about schedules (LS106). Passed in: the core reads no clock.
    pub today: NaiveDate,
    code: &'static str,
    severity: Severity,
    found: Vec<Diagnostic>,
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
        if metric
            .allow
            .iter()
            .any(|a| a.code.value.eq_ignore_ascii_case(self.code) && a.reason.is_some())
        {
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

/// Runs every rule that is not off, at its configured severity, and checks `allow` entries.
pub fn check(project: &Project, config: &LintConfig, today: NaiveDate) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in registry() {
        let info = rule.info();
        let Some(severity) = config.severity(info) else {
            continue;
        };
        let mut cx = Context {
            project,
            today,
            code: info.code,
            severity,
            found: Vec::new(),
        };
        rule.check(&mut cx);
        out.append(&mut cx.found);
    }
    out.extend(check_allows(project));
    out
}

fn check_allows(project: &Project) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for metric in project.products.iter().flat_map(|p| &p.metrics) {
        for a in &metric.allow {
            let code = a.code.value.trim().to_ascii_uppercase();
            if info(&code).is_none_or(|i| !i.configurable) {
                let codes: Vec<&str> = ALL_INFO
                    .iter()
                    .filter(|i| i.configurable)
                    .map(|i| i.code)
                    .collect();
                let mut d = Diagnostic::error(
                    ALLOW,
                    format!("`allow` names `{}`, which is not a rule", a.code.value),
                )
                .label(a.code.span, "unknown rule");
                d = match crate::syntax::did_you_mean(&code, &codes) {
                    Some(s) => d.help(format!(
                        "did you mean `{s}`? `lodestar rules` lists the rules"
                    )),
                    None => d.help("`lodestar rules` lists the rule codes"),
                };
                out.push(d);
            } else if a.reason.as_ref().is_none_or(|r| r.value.trim().is_empty()) {
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
