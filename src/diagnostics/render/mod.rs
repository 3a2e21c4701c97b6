//! Renderers: diagnostics → text in each output format. They return strings; the CLI prints.
//!
//! One file per format. Positions are 1-based lines and columns counted in characters
//! ([`crate::diagnostics::SourceFile::line_col`]); byte offsets are given where a format has
//! room for them (json). The JSON and SARIF documents are described in `docs/output.md`.

mod concise;
pub(crate) mod github;
mod human;
mod json;
mod sarif;

use std::io::IsTerminal;

use super::{Diagnostic, Files, Label, Severity};

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

/// How the human format looks: colour, drawing characters and width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    pub unicode: bool,
    /// Columns to wrap text at.
    pub width: usize,
}

impl Style {
    /// No colour, unicode, 100 columns: stable output for tests.
    pub const PLAIN: Style = Style {
        color: false,
        unicode: true,
        width: 100,
    };

    /// Reads the environment: colour only when stdout is a terminal and `NO_COLOR` is unset
    /// (or empty); ASCII drawing when `TERM=dumb`; the width from `COLUMNS`, else 100.
    pub fn detect() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|w| *w >= 40)
            .unwrap_or(100);
        Style {
            color: std::io::stdout().is_terminal() && !no_color && !dumb,
            unicode: !dumb,
            width,
        }
    }
}

/// Renders in `format`, styling the human format after the environment ([`Style::detect`]).
pub fn render(format: Format, files: &Files, diagnostics: &[Diagnostic]) -> String {
    render_styled(format, files, diagnostics, Style::detect())
}

pub fn render_styled(
    format: Format,
    files: &Files,
    diagnostics: &[Diagnostic],
    style: Style,
) -> String {
    match format {
        Format::Human => human::render(files, diagnostics, style),
        Format::Concise => concise::render(files, diagnostics),
        Format::Json => json::render(files, diagnostics),
        Format::Github => github::render(files, diagnostics),
        Format::Sarif => sarif::render(files, diagnostics),
    }
}

/// The closing line of the human and concise formats: `Found 2 errors and 1 warning.` or
/// `All checks passed.`
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let (errors, warnings) = counts(diagnostics);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => "All checks passed.".to_owned(),
        (e, 0) => format!("Found {}.", plural(e, "error")),
        (0, w) => format!("Found {}.", plural(w, "warning")),
        (e, w) => format!("Found {} and {}.", plural(e, "error"), plural(w, "warning")),
    }
}

/// `(errors, warnings)`.
pub fn counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    (errors, diagnostics.len() - errors)
}

/// Where a label points, resolved to a path, lines and columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Location<'a> {
    pub path: &'a str,
    pub start: Position,
    pub end: Position,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Position {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

impl<'a> Location<'a> {
    pub fn of(files: &'a Files, label: &Label) -> Location<'a> {
        let file = files.get(label.span.file);
        let at = |offset: usize| {
            let offset = offset.min(file.text.len());
            let (line, column) = file.line_col(offset);
            Position {
                line,
                column,
                offset,
            }
        };
        Location {
            path: &file.path,
            start: at(label.span.start as usize),
            end: at(label.span.end as usize),
        }
    }
}

/// The primary location of a diagnostic, if it has one.
pub(crate) fn primary<'a>(files: &'a Files, d: &Diagnostic) -> Option<Location<'a>> {
    d.labels.first().map(|l| Location::of(files, l))
}

#[cfg(test)]
mod tests;
