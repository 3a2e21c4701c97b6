//! Syntax tree → canonical DSL text.
//!
//! Layout: `lodestar`, `product`, `game`; a blank line; owners, one per line; a blank line;
//! sources, a block only when a source has a description, columns or dimensions; then one block
//! per metric (North Star, inputs, guardrails), separated by blank lines. In a metric block the
//! statements come in the order description, owner, type, grain, window, computation,
//! threshold, targets, review, allow; the label is written in the header, and a metric that is
//! only `derived` has its expression in the header (`input x = a / b { ... }`).
//!
//! SQL fragments are written bare when the grammar reads bare text back as the same fragment
//! (see [`bare_ok`]), else between backticks. Text is double-quoted with `\"`, `\\`, `\n`.
//! Values the DSL cannot express at all are listed by [`super::lode_unsupported`].

use crate::syntax::ast::{self, Str};

/// Prints a syntax tree as canonical DSL text.
pub fn to_lode(f: &ast::File) -> String {
    let mut sections: Vec<String> = Vec::new();
    let mut head = String::new();
    if let Some(v) = &f.version {
        head.push_str(&format!("lodestar {}\n", v.value));
    }
    if let Some(p) = &f.product {
        head.push_str(&format!("product {}", p.value));
        if let Some(d) = &f.description {
            head.push_str(&format!(" {}", string(&d.value)));
        }
        head.push('\n');
    }
    if let Some(g) = &f.game {
        head.push_str(&format!("game {}\n", g.value));
    }
    sections.push(head);
    sections.push(f.owners.iter().map(owner).collect());
    sections.push(f.sources.iter().map(source).collect());
    for m in f.metrics() {
        sections.push(metric(m));
    }
    sections.retain(|s| !s.is_empty());
    sections.join("\n")
}

/// `"text"` with the DSL's escapes.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `` `sql` `` with literal backticks doubled.
pub fn backticks(s: &str) -> String {
    format!("`{}`", s.replace('`', "``"))
}

/// Where a bare fragment stands, which decides where the grammar ends it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Runs to the end of the line.
    Line,
    /// A `where` fragment, which also ends before ` having `.
    Where,
    /// A derived metric's header expression, which ends before `{`.
    Header,
}

/// Whether `s`, written bare at `place`, reads back as the same fragment.
pub fn bare_ok(s: &str, place: Place) -> bool {
    let trimmed = s.trim_matches([' ', '\t']) == s;
    let forbidden = s.contains(['\n', '\r', '`', '}']) || s.starts_with('#');
    let stops = match place {
        Place::Line => false,
        Place::Where => s.to_ascii_lowercase().contains("having"),
        Place::Header => s.contains('{'),
    };
    !s.is_empty() && trimmed && !forbidden && !stops && quotes_closed(s)
}

/// Whether every SQL quote in `s` closes within it. The grammar skips a quoted string whole,
/// so an unclosed quote could carry a bare fragment past its end (over a ` having `).
fn quotes_closed(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if let q @ (b'\'' | b'"') = b[i] {
            i += 1;
            loop {
                match b.get(i) {
                    None => return false,
                    Some(&c) if c == q && b.get(i + 1) == Some(&q) => i += 2,
                    Some(&c) if c == q => break,
                    Some(_) => i += 1,
                }
            }
        }
        i += 1;
    }
    true
}

fn fragment(s: &str, place: Place) -> String {
    if bare_ok(s, place) {
        s.to_owned()
    } else {
        backticks(s)
    }
}

fn owner(o: &ast::Owner) -> String {
    let mut line = format!("owner {}", o.key.value);
    if let Some(n) = &o.name {
        line.push_str(&format!(" {}", string(&n.value)));
    }
    if let Some(e) = &o.email {
        line.push_str(&format!(" <{}>", e.value));
    }
    if let Some(s) = &o.slack {
        line.push_str(&format!(" slack {}", string(&s.value)));
    }
    line.push('\n');
    line
}

fn source(s: &ast::Source) -> String {
    let mut out = format!("source {} from ", s.name.value);
    match (&s.table, &s.sql) {
        (Some(t), _) => out.push_str(&t.value),
        (None, Some(q)) => out.push_str(&format!("sql {}", backticks(&q.value))),
        (None, None) => {}
    }
    if let Some(t) = &s.time {
        out.push_str(&format!(" at {}", t.value));
    }
    let mut body = Vec::new();
    if let Some(d) = &s.description {
        body.push(format!("description {}", string(&d.value)));
    }
    if let Some(cols) = &s.columns {
        let cols: Vec<String> = cols
            .iter()
            .map(|c| match &c.data_type {
                Some(t) => format!("{} {}", c.name.value, t.value),
                None => c.name.value.clone(),
            })
            .collect();
        body.push(format!("columns {}", cols.join(", ")));
    }
    for d in &s.dimensions {
        body.push(format!(
            "dimension {} = {}",
            d.name.value,
            fragment(&d.expr.value, Place::Line)
        ));
    }
    block(&mut out, &body);
    out
}

/// Appends ` {`, the statements indented, `}` (nothing when there are no statements).
fn block(out: &mut String, body: &[String]) {
    if !body.is_empty() {
        out.push_str(" {\n");
        for line in body {
            out.push_str(&format!("  {line}\n"));
        }
        out.push('}');
    }
    out.push('\n');
}

fn measure(m: &ast::Measure) -> String {
    let agg = m.agg.as_ref().map(|a| a.value.as_str()).unwrap_or("");
    let mut args = m.expr.as_ref().map(|e| e.value.clone()).unwrap_or_default();
    if let Some(p) = &m.p {
        args = format!("{args}, {}", p.value);
    }
    let mut out = format!("{agg}({args})");
    if let Some(s) = &m.source {
        out.push_str(&format!(" from {}", s.value));
    }
    if let Some(f) = &m.filter {
        out.push_str(&format!(" where {}", fragment(&f.value, Place::Where)));
    }
    if let Some(h) = &m.having {
        out.push_str(&format!(" having {}", fragment(&h.value, Place::Line)));
    }
    out
}

fn operand(o: &ast::Operand) -> String {
    match o {
        ast::Operand::Measure(m) => measure(m),
        ast::Operand::Metric(name) => name.value.clone(),
    }
}

/// The window in canonical form: `7 days` for `7`, `7d`, `7 day`; anything else as written.
pub fn window(w: &str) -> String {
    let text = w.trim().to_ascii_lowercase();
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let unit = text[digits.len()..].trim();
    match (digits.parse::<u32>(), unit) {
        (Ok(n), "" | "d" | "day" | "days") => format!("{n} days"),
        _ => w.to_owned(),
    }
}

fn metric(m: &ast::Metric) -> String {
    let mut out = format!("{} {}", m.role.as_str(), m.name.value);
    if let Some(l) = &m.label {
        out.push_str(&format!(" {}", string(&l.value)));
    }
    let mut compute: &[ast::Compute] = &m.compute;
    let header = matches!(compute, [ast::Compute::Derived(_)]);
    if let [ast::Compute::Derived(expr)] = compute {
        out.push_str(&format!(" = {}", fragment(&expr.value, Place::Header)));
        compute = &[];
    }
    let mut body = Vec::new();
    let text = |key: &str, v: &Option<Str>, body: &mut Vec<String>| {
        if let Some(v) = v {
            body.push(format!("{key} {}", string(&v.value)));
        }
    };
    let word = |key: &str, v: &Option<Str>, body: &mut Vec<String>| {
        if let Some(v) = v {
            body.push(format!("{key} {}", v.value));
        }
    };
    text("description", &m.description, &mut body);
    word("owner", &m.owner, &mut body);
    word("type", &m.metric_type, &mut body);
    word("grain", &m.grain, &mut body);
    if let Some(w) = &m.window {
        body.push(format!("window {}", window(&w.value)));
    }
    for c in compute {
        match c {
            ast::Compute::Measure(ms) => body.push(format!("measure {}", measure(ms))),
            ast::Compute::Ratio {
                numerator,
                denominator,
                ..
            } => {
                if let Some(n) = numerator {
                    body.push(format!("numerator {}", operand(n)));
                }
                if let Some(d) = denominator {
                    body.push(format!("denominator {}", operand(d)));
                }
            }
            ast::Compute::Derived(expr) => {
                body.push(format!("derived {}", fragment(&expr.value, Place::Line)))
            }
        }
    }
    if let Some(t) = &m.threshold {
        let mut line = "threshold".to_owned();
        if let Some(min) = &t.min {
            line.push_str(&format!(" >= {}", min.value));
        }
        if let Some(max) = &t.max {
            line.push_str(&format!(" <= {}", max.value));
        }
        body.push(line);
    }
    for t in &m.targets {
        let value = t.value.as_ref().map(|v| v.value.as_str()).unwrap_or("");
        let by = t.by.as_ref().map(|v| v.value.as_str()).unwrap_or("");
        body.push(format!("target {value} by {by}"));
    }
    if let Some(r) = &m.review {
        let mut line = format!(
            "review {}",
            r.cadence.as_ref().map(|c| c.value.as_str()).unwrap_or("")
        );
        if let Some(d) = &r.last_reviewed {
            line.push_str(&format!(" last {}", d.value));
        }
        body.push(line);
    }
    for a in &m.allow {
        let mut line = format!("allow {}", a.code.value);
        if let Some(r) = &a.reason {
            line.push_str(&format!(" {}", string(&r.value)));
        }
        body.push(line);
    }
    if body.is_empty() && !header {
        out.push_str(" {}\n");
        return out;
    }
    block(&mut out, &body);
    out
}
