//! One owned diagnostic type for every finding and every error, and the file table that
//! gives spans their line and column. Renderers (human, concise, json, github, sarif) live in
//! [`render`] and turn diagnostics into text; only the CLI prints that text.

mod codes;
mod files;
pub mod render;
mod span;

pub use codes::{Code, Default as CodeDefault};
pub use files::{Files, SourceFile};
pub use span::{FileId, Span, Spanned};

use std::fmt;

/// How serious a finding is. `off` is not a severity: a rule that is off reports nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A span with an optional message. The first label of a diagnostic is its primary one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: Option<String>,
}

/// A finding: a stable code, a severity, a message, labelled spans, help and a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The first label is the primary location; further labels may point into other files.
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub note: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            note: None,
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn with_severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }

    /// Adds a label; the first one added is the primary location.
    pub fn label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        let message = message.into();
        self.labels.push(Label {
            span,
            message: (!message.is_empty()).then_some(message),
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.note = Some(note.into());
        self
    }

    pub fn primary_span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file, position, then code, so output is deterministic.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let ka = a.primary_span().map(|s| (s.file, s.start, s.end));
        let kb = b.primary_span().map(|s| (s.file, s.start, s.end));
        ka.cmp(&kb)
            .then(a.code.cmp(&b.code))
            .then(a.message.cmp(&b.message))
    });
}
