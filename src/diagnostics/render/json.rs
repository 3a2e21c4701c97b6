//! A versioned JSON document; every field is described in `docs/output.md`.

use serde::Serialize;

use super::{counts, Diagnostic, Files, Label, Location, Position};

/// The version of the document's shape. Bumped when a field changes meaning or goes away;
/// adding a field does not bump it.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    summary: Summary,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    severity: &'static str,
    message: &'a str,
    help: Option<&'a str>,
    note: Option<&'a str>,
    file: Option<&'a str>,
    span: Option<JsonSpan>,
    labels: Vec<JsonLabel<'a>>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    message: Option<&'a str>,
    span: JsonSpan,
}

#[derive(Serialize)]
struct JsonSpan {
    start: JsonPosition,
    end: JsonPosition,
}

#[derive(Serialize)]
struct JsonPosition {
    line: usize,
    column: usize,
    offset: usize,
}

impl From<Position> for JsonPosition {
    fn from(p: Position) -> JsonPosition {
        JsonPosition {
            line: p.line,
            column: p.column,
            offset: p.offset,
        }
    }
}

fn label<'a>(files: &'a Files, l: &'a Label) -> JsonLabel<'a> {
    let at = Location::of(files, l);
    JsonLabel {
        file: at.path,
        message: l.message.as_deref(),
        span: JsonSpan {
            start: at.start.into(),
            end: at.end.into(),
        },
    }
}

pub(super) fn render(files: &Files, diagnostics: &[Diagnostic]) -> String {
    let (errors, warnings) = counts(diagnostics);
    let doc = Document {
        version: VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: Summary { errors, warnings },
        diagnostics: diagnostics
            .iter()
            .map(|d| {
                let labels: Vec<JsonLabel> = d.labels.iter().map(|l| label(files, l)).collect();
                let (file, span) = match d.labels.first() {
                    Some(l) => {
                        let primary = label(files, l);
                        (Some(primary.file), Some(primary.span))
                    }
                    None => (None, None),
                };
                JsonDiagnostic {
                    code: d.code.as_str(),
                    severity: d.severity.as_str(),
                    message: &d.message,
                    help: d.help.as_deref(),
                    note: d.note.as_deref(),
                    file,
                    span,
                    labels,
                }
            })
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("the document serialises");
    out.push('\n');
    out
}
