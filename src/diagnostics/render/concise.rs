//! `path:line:col: CODE message`, one finding a line, sorted by position; then the summary.

use super::{primary, summary, Diagnostic, Files};

/// Where a finding is (path, line, column), for sorting.
type Key<'a> = Option<(&'a str, usize, usize)>;

pub(super) fn render(files: &Files, diagnostics: &[Diagnostic]) -> String {
    let mut lines: Vec<(Key, String)> = diagnostics
        .iter()
        .map(|d| {
            let at = primary(files, d).map(|l| (l.path, l.start.line, l.start.column));
            let text = match at {
                Some((path, line, col)) => {
                    format!("{path}:{line}:{col}: {} {}", d.code, one_line(&d.message))
                }
                None => format!("{} {}", d.code, one_line(&d.message)),
            };
            (at, text)
        })
        .collect();
    lines.sort();
    let mut out = String::new();
    for (_, line) in lines {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(&summary(diagnostics));
    out.push('\n');
    out
}

/// Keeps one finding on one line, whatever its message holds.
fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}
