//! Changes → text: human, json, github (workflow annotations), markdown (a pull-request comment).

use crate::diagnostics::render::github;
use crate::diagnostics::Files;

use super::{counts, Change, ChangeLevel, Side};

/// The output formats of `lodestar diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped by level, one line per change.
    Human,
    /// A versioned JSON document.
    Json,
    /// GitHub Actions workflow commands: breaking as errors, risky as warnings, safe as notices.
    Github,
    /// A Markdown pull-request comment with a table.
    Markdown,
}

/// The two revisions compared, for positions and headings.
pub struct Revisions<'a> {
    pub base_name: &'a str,
    pub head_name: &'a str,
    pub base: &'a Files,
    pub head: &'a Files,
}

/// A change's file, 1-based line and column.
pub fn position(revs: &Revisions<'_>, c: &Change) -> (String, usize, usize) {
    let files = match c.side {
        Side::Base => revs.base,
        Side::Head => revs.head,
    };
    if (c.span.file.0 as usize) >= files.len() {
        return (String::new(), 0, 0);
    }
    let f = files.get(c.span.file);
    let (line, col) = f.line_col(c.span.start as usize);
    (f.path.clone(), line, col)
}

pub fn render(format: Format, revs: &Revisions<'_>, changes: &[Change]) -> String {
    match format {
        Format::Human => human(revs, changes),
        Format::Json => json(revs, changes),
        Format::Github => github(revs, changes),
        Format::Markdown => markdown(revs, changes),
    }
}

fn subject(c: &Change) -> String {
    match (&c.product, &c.metric) {
        (p, Some(m)) if !p.is_empty() => format!("{p}.{m}"),
        (p, None) => p.clone(),
        (_, Some(m)) => m.clone(),
    }
}

fn before_after(c: &Change) -> String {
    match (&c.before, &c.after) {
        (Some(b), Some(a)) => format!("{b} → {a}"),
        (Some(b), None) => format!("was {b}"),
        (None, Some(a)) => a.clone(),
        (None, None) => String::new(),
    }
}

/// `2 breaking, 1 risky, 3 safe changes`.
pub fn summary(changes: &[Change]) -> String {
    let (b, r, s) = counts(changes);
    if changes.is_empty() {
        return "No semantic changes.".to_owned();
    }
    format!(
        "{b} breaking, {r} risky, {s} safe change{}.",
        if changes.len() == 1 { "" } else { "s" }
    )
}

fn human(revs: &Revisions<'_>, changes: &[Change]) -> String {
    let mut out = format!("lodestar diff {}..{}\n", revs.base_name, revs.head_name);
    for level in [ChangeLevel::Breaking, ChangeLevel::Risky, ChangeLevel::Safe] {
        let of: Vec<&Change> = changes.iter().filter(|c| c.level == level).collect();
        if of.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{} ({}):\n", level.as_str(), of.len()));
        for c in of {
            let (path, line, col) = position(revs, c);
            out.push_str(&format!("  {}: {}\n", subject(c), c.message));
            let ba = before_after(c);
            if !ba.is_empty() {
                out.push_str(&format!("      {ba}\n"));
            }
            if !path.is_empty() {
                let side = if c.side == Side::Base {
                    format!(" (in {})", revs.base_name)
                } else {
                    String::new()
                };
                out.push_str(&format!("      at {path}:{line}:{col}{side}\n"));
            }
        }
    }
    out.push('\n');
    out.push_str(&summary(changes));
    out.push('\n');
    out
}

fn json(revs: &Revisions<'_>, changes: &[Change]) -> String {
    let (b, r, s) = counts(changes);
    let items: Vec<serde_json::Value> = changes
        .iter()
        .map(|c| {
            let (path, line, col) = position(revs, c);
            serde_json::json!({
                "level": c.level.as_str(),
                "kind": c.kind,
                "product": c.product,
                "metric": c.metric,
                "message": c.message,
                "before": c.before,
                "after": c.after,
                "revision": if c.side == Side::Base { "base" } else { "head" },
                "file": path,
                "line": line,
                "column": col,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "version": 1,
        "base": revs.base_name,
        "head": revs.head_name,
        "summary": { "breaking": b, "risky": r, "safe": s },
        "changes": items,
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("JSON values serialize");
    text.push('\n');
    text
}

fn github(revs: &Revisions<'_>, changes: &[Change]) -> String {
    let mut out = String::new();
    for c in changes {
        let command = match c.level {
            ChangeLevel::Breaking => "error",
            ChangeLevel::Risky => "warning",
            ChangeLevel::Safe => "notice",
        };
        let (path, line, col) = position(revs, c);
        let mut props = Vec::new();
        if !path.is_empty() {
            props.push(format!("file={}", github::property(&path)));
            props.push(format!("line={line}"));
            props.push(format!("col={col}"));
        }
        props.push(format!(
            "title={}",
            github::property(&format!(
                "lodestar diff: {} change ({})",
                c.level.as_str(),
                c.kind
            ))
        ));
        let mut message = format!("{}: {}", subject(c), c.message);
        let ba = before_after(c);
        if !ba.is_empty() {
            message.push_str(&format!("\n{ba}"));
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            props.join(","),
            github::data(&message)
        ));
    }
    out
}

/// Escapes text for a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Inline code in a table cell, with a fence longer than any backtick run inside.
fn code(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!(
        "{fence}{pad}{}{pad}{fence}",
        s.replace('|', "\\|").replace('\n', " ")
    )
}

fn markdown(revs: &Revisions<'_>, changes: &[Change]) -> String {
    let (b, r, s) = counts(changes);
    let mut out = String::from("### lodestar diff\n\n");
    out.push_str(&format!(
        "`{}` → `{}`: ",
        revs.base_name.replace('`', "'"),
        revs.head_name.replace('`', "'")
    ));
    if changes.is_empty() {
        out.push_str("no semantic changes to the metrics.\n");
        return out;
    }
    out.push_str(&format!("**{b} breaking**, {r} risky, {s} safe.\n\n"));
    out.push_str("| level | product | metric | change | before | after | where |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    let mut sorted: Vec<&Change> = changes.iter().collect();
    sorted.sort_by_key(|c| std::cmp::Reverse(c.level));
    for c in sorted {
        let icon = match c.level {
            ChangeLevel::Breaking => "🔴 breaking",
            ChangeLevel::Risky => "🟠 risky",
            ChangeLevel::Safe => "🟢 safe",
        };
        let (path, line, _) = position(revs, c);
        let place = if path.is_empty() {
            String::new()
        } else {
            format!("{path}:{line}")
        };
        out.push_str(&format!(
            "| {icon} | {} | {} | {} | {} | {} | {} |\n",
            cell(&c.product),
            cell(c.metric.as_deref().unwrap_or("")),
            cell(&c.message),
            code(c.before.as_deref().unwrap_or("")),
            code(c.after.as_deref().unwrap_or("")),
            code(&place),
        ));
    }
    out
}
