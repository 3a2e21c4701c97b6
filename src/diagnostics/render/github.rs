//! GitHub Actions workflow commands: one `::error` or `::warning` annotation a finding.
//!
//! Escaping follows the runner's rules: in the message `%`, `\r` and `\n` are percent-encoded;
//! in properties `:` and `,` are too.

use super::{primary, Diagnostic, Files};

pub(super) fn render(files: &Files, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let mut props = Vec::new();
        if let Some(at) = primary(files, d) {
            props.push(format!("file={}", property(at.path)));
            props.push(format!("line={}", at.start.line));
            props.push(format!("col={}", at.start.column));
            props.push(format!("endLine={}", at.end.line));
            props.push(format!("endColumn={}", at.end.column));
        }
        props.push(format!("title={}", property(d.code.as_str())));
        let mut message = format!("{} {}", d.code, d.message);
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        if let Some(note) = &d.note {
            message.push_str("\nnote: ");
            message.push_str(note);
        }
        out.push_str(&format!(
            "::{} {}::{}\n",
            d.severity,
            props.join(","),
            data(&message)
        ));
    }
    out
}

/// Escapes a workflow command's message (`%`, CR, LF).
pub(crate) fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property (also `:` and `,`).
pub(crate) fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_data_and_properties() {
        assert_eq!(super::data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(super::property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
