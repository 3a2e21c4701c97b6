//! A file's header: the comment lines at its top (a description of the file, a
//! `yaml-language-server` modeline), which printing keeps as they are. Every other comment is
//! trivia of the syntax tree ([`crate::syntax::trivia`]) and printed with its element.

pub use crate::syntax::trivia::header;

/// `printed` (a tree printed canonically) under the header of `original`, each header line
/// without trailing blanks and, when the original had one, one blank line after it.
pub fn with_header(original: &str, printed: String) -> String {
    let head = header(original);
    if head.is_empty() {
        return printed;
    }
    let mut out = String::with_capacity(head.len() + printed.len() + 1);
    for line in head.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let gap = original[head.len()..]
        .split_inclusive('\n')
        .next()
        .is_some_and(|l| l.trim().is_empty());
    if gap && !printed.is_empty() {
        out.push('\n');
    }
    out.push_str(&printed);
    out
}
