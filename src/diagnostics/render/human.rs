//! The human format: miette's graphical report, one per finding, then the summary line.
//!
//! Our [`Diagnostic`] carries its severity at run time (configuration changes it), so instead
//! of deriving `miette::Diagnostic` we wrap it in [`Report`]. miette draws the snippets of one
//! source per report; labels in other files become reports of their own, drawn right after,
//! so every position shows with its snippet.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents, ThemeCharacters, ThemeStyles,
};

use super::{summary, Diagnostic, Files, Label, Location, Severity, Style};
use crate::diagnostics::FileId;

/// Lines longer than this are not drawn (a minified or hostile file); the position is given
/// in words instead.
const MAX_SNIPPET_BYTES: usize = 2_000;

pub(super) fn render(files: &Files, diagnostics: &[Diagnostic], style: Style) -> String {
    let handler = GraphicalReportHandler::new_themed(theme(style))
        .with_width(style.width)
        .with_links(false)
        .with_urls(false);
    let mut out = String::new();
    for d in diagnostics {
        let report = Report::new(files, d);
        draw(&handler, &report, &mut out);
        for line in &report.trailer {
            out.push_str(line);
            out.push('\n');
        }
        // Labels in other files, each with its snippet (miette's own `related` rendering adds
        // an "Advice:" heading line that reads as noise).
        for related in &report.related {
            draw(&handler, related, &mut out);
        }
        out.push('\n');
    }
    out.push_str(&summary(diagnostics));
    out.push('\n');
    out
}

fn draw(handler: &GraphicalReportHandler, report: &Report<'_>, out: &mut String) {
    let mut text = String::new();
    if handler.render_report(&mut text, report).is_err() {
        // miette could not draw a snippet; fall back to the plain text.
        text = format!("  {}\n", report.message);
    }
    out.push_str(&text);
}

fn theme(style: Style) -> GraphicalTheme {
    let characters = if style.unicode {
        ThemeCharacters::unicode()
    } else {
        ThemeCharacters::ascii()
    };
    let styles = if style.color {
        ThemeStyles::ansi()
    } else {
        ThemeStyles::none()
    };
    GraphicalTheme { characters, styles }
}

/// A file's text under its path, as miette wants it. Context lines are left out when they
/// would be too long to draw.
struct Source<'a> {
    name: &'a str,
    text: &'a str,
}

impl SourceCode for Source<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let mut contents = self.text.read_span(span, before, after)?;
        if contents.data().len() > MAX_SNIPPET_BYTES {
            contents = self.text.read_span(span, 0, 0)?;
        }
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_owned(),
            contents.data(),
            *contents.span(),
            contents.line(),
            contents.column(),
            contents.line_count(),
        )))
    }
}

/// One diagnostic (or the labels of one of its other files) as miette sees it.
struct Report<'a> {
    code: Option<&'a str>,
    severity: miette::Severity,
    message: String,
    help: Option<&'a str>,
    source: Option<Source<'a>>,
    labels: Vec<LabeledSpan>,
    /// Reports for the labels in other files than the primary one.
    related: Vec<Report<'a>>,
    /// Lines printed after miette's report: the note, and positions too long to draw.
    trailer: Vec<String>,
}

impl<'a> Report<'a> {
    fn new(files: &'a Files, d: &'a Diagnostic) -> Report<'a> {
        let mut report = Report {
            code: Some(d.code.as_str()),
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            message: d.message.clone(),
            help: d.help.as_deref(),
            source: None,
            labels: Vec::new(),
            related: Vec::new(),
            trailer: Vec::new(),
        };
        // Group the labels by file, the primary label's file first.
        let mut groups: Vec<(FileId, Vec<&Label>)> = Vec::new();
        for label in &d.labels {
            match groups.iter_mut().find(|(f, _)| *f == label.span.file) {
                Some((_, group)) => group.push(label),
                None => groups.push((label.span.file, vec![label])),
            }
        }
        for (i, (file, labels)) in groups.into_iter().enumerate() {
            let (drawable, too_long): (Vec<&Label>, Vec<&Label>) =
                labels.into_iter().partition(|l| drawable(files, l));
            for l in too_long {
                let at = Location::of(files, l);
                let what = l
                    .message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default();
                report.trailer.push(format!(
                    "  at {}:{}:{}{what}",
                    at.path, at.start.line, at.start.column
                ));
            }
            if drawable.is_empty() {
                continue;
            }
            let source = Source {
                name: &files.get(file).path,
                text: &files.get(file).text,
            };
            if i == 0 {
                report.labels = labelled_spans(files, &drawable, true);
                report.source = Some(source);
            } else {
                let single = drawable.len() == 1;
                let message = match (single, drawable[0].message.as_deref()) {
                    (true, Some(m)) => m.to_owned(),
                    _ => format!("see also {}", source.name),
                };
                report.related.push(Report {
                    code: None,
                    severity: miette::Severity::Advice,
                    message,
                    help: None,
                    labels: labelled_spans(files, &drawable, !single),
                    source: Some(source),
                    related: Vec::new(),
                    trailer: Vec::new(),
                });
            }
        }
        if let Some(note) = &d.note {
            report
                .trailer
                .push(format!("  note: {}", note.replace('\n', "\n        ")));
        }
        report
    }
}

/// Whether the lines a label covers are short enough to draw.
fn drawable(files: &Files, label: &Label) -> bool {
    let text = &files.get(label.span.file).text;
    let (start, end) = clamp(text, label.span.start as usize, label.span.end as usize);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    line_end - line_start <= MAX_SNIPPET_BYTES
}

/// A byte range inside `text`, on character boundaries.
fn clamp(text: &str, start: usize, end: usize) -> (usize, usize) {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(start);
    (start, floor(end).max(start))
}

fn labelled_spans(files: &Files, labels: &[&Label], with_text: bool) -> Vec<LabeledSpan> {
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let (start, end) = clamp(
                &files.get(l.span.file).text,
                l.span.start as usize,
                l.span.end as usize,
            );
            let text = if with_text { l.message.clone() } else { None };
            let span = SourceSpan::from(start..end);
            if i == 0 {
                LabeledSpan::new_primary_with_span(text, span)
            } else {
                LabeledSpan::new_with_span(text, span)
            }
        })
        .collect()
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Report")
            .field("code", &self.code)
            .field("message", &self.message)
            .finish()
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let severity = match self.severity {
            miette::Severity::Error => "error",
            miette::Severity::Warning => "warning",
            miette::Severity::Advice => "advice",
        };
        self.code
            .map(|c| Box::new(format!("{severity}[{c}]")) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}
