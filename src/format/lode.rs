//! Syntax tree → canonical DSL text.
//!
//! Layout: `lodestar`, `product`, `game`; a blank line; owners, one per line; a blank line;
//! sources, a block only when a source has a description, columns or dimensions; then one block
//! per metric (North Star, inputs, guardrails), separated by blank lines. In a metric block the
//! statements come in the order description, owner, type, grain, the measure's options (window),
//! computation, threshold, targets, review, allow; the label is written in the header, and a
//! metric that is only `derived` has its expression in the header (`input x = a / b { ... }`).
//!
//! SQL fragments are written bare when the grammar reads bare text back as the same fragment
//! (see [`bare_ok`]), else between backticks. Text is double-quoted with `\"`, `\\`, `\n`.
//! Values the DSL cannot express at all are listed by [`super::lode_unsupported`].
//!
//! Comments are printed with their statement: lines above it, or one at the end of its line.
//! A comment on an element that the DSL writes inside another statement (a measure's filter)
//! is printed above that statement.

use crate::syntax::ast::{self, Comments, Node, Role, Value};
use crate::syntax::keys::{Key, Shape};

/// One statement with its comments.
struct Line {
    text: String,
    comments: Comments,
}

impl Line {
    fn new(text: String, comments: Comments) -> Line {
        Line { text, comments }
    }
}

/// Prints a syntax tree as canonical DSL text.
pub fn to_lode(f: &ast::File) -> String {
    let root = &f.root;
    let mut sections: Vec<String> = Vec::new();
    let mut head = Vec::new();
    if let Some(field) = root.field(Key::Lodestar) {
        if let Value::Scalar(v) = &field.value {
            head.push(Line::new(
                format!("lodestar {}", v.value),
                field.comments.clone(),
            ));
        }
    }
    if let Some(field) = root.field(Key::Product) {
        let mut comments = field.comments.clone();
        let mut line = format!("product {}", scalar(&field.value));
        if let Some(d) = root.field(Key::ProductDescription) {
            line.push_str(&format!(" {}", string(&scalar(&d.value))));
            comments = comments.merge(&d.comments);
        }
        head.push(Line::new(line, comments));
    }
    if let Some(field) = root.field(Key::Game) {
        head.push(Line::new(
            format!("game {}", scalar(&field.value)),
            field.comments.clone(),
        ));
    }
    sections.push(lines(&head, 0));
    let mut owners = Vec::new();
    for field in root.fields_of(Key::Owners) {
        let mut comments = field.comments.clone();
        for e in named(&field.value) {
            let mut comments = std::mem::take(&mut comments).merge(&e.comments);
            let mut line = format!("owner {}", e.name.value);
            let mut inner = Comments::default();
            if let Some(Value::Map(o)) = &e.value {
                if let Some(n) = o.str(Key::OwnerName) {
                    line.push_str(&format!(" {}", string(&n.value)));
                }
                if let Some(m) = o.str(Key::OwnerEmail) {
                    line.push_str(&format!(" <{}>", m.value));
                }
                if let Some(s) = o.str(Key::OwnerSlack) {
                    line.push_str(&format!(" slack {}", string(&s.value)));
                }
                absorb_all(&mut inner, o);
            }
            comments.absorb(&inner);
            owners.push(Line::new(line, comments));
        }
    }
    sections.push(lines(&owners, 0));
    let mut sources = String::new();
    for field in root.fields_of(Key::Sources) {
        let mut comments = field.comments.clone();
        for e in named(&field.value) {
            let comments = std::mem::take(&mut comments).merge(&e.comments);
            if let Some(Value::Map(s)) = &e.value {
                sources.push_str(&source(&e.name.value, s, comments));
            }
        }
    }
    sections.push(sources);
    for role in Role::ALL {
        for field in root.fields_of(role.key()) {
            let mut comments = field.comments.clone();
            let items: Vec<(&Value, Comments)> = match &field.value {
                Value::List(items) => items
                    .iter()
                    .map(|i| (&i.value, i.comments.clone()))
                    .collect(),
                other => vec![(other, Comments::default())],
            };
            for (v, c) in items {
                let comments = std::mem::take(&mut comments).merge(&c);
                if let Value::Map(m) = v {
                    sections.push(metric(*role, m, comments));
                }
            }
        }
    }
    sections.retain(|s| !s.is_empty());
    let mut out = sections.join("\n");
    for line in &f.end.before {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Statements at `indent`, each with its comments.
fn lines(lines: &[Line], indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for l in lines {
        for c in &l.comments.before {
            out.push_str(&format!("{pad}{c}\n"));
        }
        out.push_str(&format!("{pad}{}", l.text));
        if let Some(c) = &l.comments.after {
            out.push_str(&format!("  {c}"));
        }
        out.push('\n');
    }
    out
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Scalar(s) => s.value.clone(),
        _ => String::new(),
    }
}

fn named(v: &Value) -> &[ast::Entry] {
    match v {
        Value::Named(entries) => entries,
        _ => &[],
    }
}

/// Every comment inside `node`, as lines (for a node the DSL writes on one line).
fn absorb_all(into: &mut Comments, node: &Node) {
    for f in &node.fields {
        into.absorb(&f.comments);
        absorb_value(into, &f.value);
    }
}

fn absorb_value(into: &mut Comments, v: &Value) {
    match v {
        Value::Scalar(_) => {}
        Value::Map(n) => absorb_all(into, n),
        Value::List(items) => {
            for i in items {
                into.absorb(&i.comments);
                absorb_value(into, &i.value);
            }
        }
        Value::Named(entries) => {
            for e in entries {
                into.absorb(&e.comments);
                if let Some(v) = &e.value {
                    absorb_value(into, v);
                }
            }
        }
    }
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
pub enum Spot {
    /// Runs to the end of the line.
    Line,
    /// A `where` fragment, which also ends before ` having `.
    Where,
    /// A derived metric's header expression, which ends before `{`.
    Header,
}

/// Whether `s`, written bare at `place`, reads back as the same fragment.
pub fn bare_ok(s: &str, place: Spot) -> bool {
    let trimmed = s.trim_matches([' ', '\t']) == s;
    // ` #` would start a comment.
    let forbidden = s.contains(['\n', '\r', '`', '}'])
        || s.starts_with('#')
        || s.contains(" #")
        || s.contains("\t#");
    let stops = match place {
        Spot::Line => false,
        Spot::Where => s.to_ascii_lowercase().contains("having"),
        Spot::Header => s.contains('{'),
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

fn fragment(s: &str, place: Spot) -> String {
    if bare_ok(s, place) {
        s.to_owned()
    } else {
        backticks(s)
    }
}

fn source(name: &str, s: &Node, mut comments: Comments) -> String {
    let mut out = format!("source {name} from ");
    for key in [Key::SourceTable, Key::SourceSql, Key::SourceTime] {
        if let Some(f) = s.field(key) {
            comments = comments.merge(&f.comments);
        }
    }
    match (s.str(Key::SourceTable), s.str(Key::SourceSql)) {
        (Some(t), _) => out.push_str(&t.value),
        (None, Some(q)) => out.push_str(&format!("sql {}", backticks(&q.value))),
        (None, None) => {}
    }
    if let Some(t) = s.str(Key::SourceTime) {
        out.push_str(&format!(" at {}", t.value));
    }
    let mut body = Vec::new();
    for f in s.fields_of(Key::SourceDescription) {
        body.push(Line::new(
            format!("description {}", string(&scalar(&f.value))),
            f.comments.clone(),
        ));
    }
    for f in s.fields_of(Key::Columns) {
        let mut c = f.comments.clone();
        let cols: Vec<String> = match &f.value {
            Value::List(items) => items
                .iter()
                .map(|i| {
                    c.absorb(&i.comments);
                    scalar(&i.value)
                })
                .collect(),
            Value::Named(entries) => entries
                .iter()
                .map(|e| {
                    c.absorb(&e.comments);
                    match &e.value {
                        Some(t) => format!("{} {}", e.name.value, scalar(t)),
                        None => e.name.value.clone(),
                    }
                })
                .collect(),
            _ => Vec::new(),
        };
        body.push(Line::new(format!("columns {}", cols.join(", ")), c));
    }
    for f in s.fields_of(Key::Dimensions) {
        let mut c = f.comments.clone();
        for e in named(&f.value) {
            let c = std::mem::take(&mut c).merge(&e.comments);
            let expr = e.value.as_ref().map(scalar).unwrap_or_default();
            body.push(Line::new(
                format!(
                    "dimension {} = {}",
                    e.name.value,
                    fragment(&expr, Spot::Line)
                ),
                c,
            ));
        }
    }
    block(&out, &comments, &body, false)
}

/// A statement with a block: the comment lines above it, `head`, then ` {`, the statements
/// indented and `}` when there are statements (or `{}` when `braces`), and the comment at the
/// end of its first line.
fn block(head: &str, comments: &Comments, body: &[Line], braces: bool) -> String {
    let mut out = String::new();
    for c in &comments.before {
        out.push_str(&format!("{c}\n"));
    }
    out.push_str(head);
    if !body.is_empty() {
        out.push_str(" {");
    } else if braces {
        out.push_str(" {}");
    }
    if let Some(a) = &comments.after {
        out.push_str(&format!("  {a}"));
    }
    out.push('\n');
    if !body.is_empty() {
        out.push_str(&lines(body, 2));
        out.push_str("}\n");
    }
    out
}

fn measure(m: &Node) -> String {
    let agg = m
        .str(Key::MeasureAgg)
        .map(|a| a.value.as_str())
        .unwrap_or("");
    let mut args = m
        .str(Key::MeasureExpr)
        .map(|e| e.value.clone())
        .unwrap_or_default();
    if let Some(p) = m.str(Key::MeasureP) {
        args = format!("{args}, {}", p.value);
    }
    let mut out = format!("{agg}({args})");
    if let Some(s) = m.str(Key::MeasureSource) {
        out.push_str(&format!(" from {}", s.value));
    }
    if let Some(f) = m.str(Key::Filter) {
        out.push_str(&format!(" where {}", fragment(&f.value, Spot::Where)));
    }
    if let Some(h) = m.str(Key::Having) {
        out.push_str(&format!(" having {}", fragment(&h.value, Spot::Line)));
    }
    out
}

/// The keys of a measure written in its line; the others are statements of the block.
const MEASURE_LINE: &[Key] = &[
    Key::MeasureSource,
    Key::MeasureAgg,
    Key::MeasureExpr,
    Key::MeasureP,
    Key::Filter,
    Key::Having,
];

fn operand(v: &Value) -> String {
    match v {
        Value::Map(m) => measure(m),
        Value::Scalar(name) => name.value.clone(),
        _ => String::new(),
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

/// A statement `word value` for a scalar key, the value written by its shape.
fn simple(word: &str, key: Key, value: &str) -> String {
    match key.shape() {
        Shape::Text => format!("{word} {}", string(value)),
        Shape::Days => format!("{word} {}", window(value)),
        Shape::Sql => format!("{word} {}", fragment(value, Spot::Line)),
        Shape::Flag if value.trim().eq_ignore_ascii_case("true") => word.to_owned(),
        _ => format!("{word} {value}"),
    }
}

fn metric(role: Role, m: &Node, mut comments: Comments) -> String {
    let mut head = format!(
        "{} {}",
        role.as_str(),
        m.str(Key::MetricName)
            .map(|n| n.value.as_str())
            .unwrap_or("")
    );
    if let Some(f) = m.field(Key::MetricName) {
        comments = comments.merge(&f.comments);
    }
    let labels: Vec<&ast::Field> = m.fields_of(Key::Label).collect();
    if let [l] = labels.as_slice() {
        head.push_str(&format!(" {}", string(&scalar(&l.value))));
        comments = comments.merge(&l.comments);
    }
    // Only `derived`: the expression goes in the header.
    let computes = [
        Key::Measure,
        Key::Ratio,
        Key::Derived,
        Key::Compare,
        Key::Conversion,
    ];
    let derived_only = m
        .fields
        .iter()
        .filter(|f| computes.contains(&f.key))
        .count()
        == 1
        && m.has(Key::Derived);
    if derived_only {
        if let Some(f) = m.field(Key::Derived) {
            head.push_str(&format!(" = {}", fragment(&scalar(&f.value), Spot::Header)));
            comments = comments.merge(&f.comments);
        }
    }
    let mut body = Vec::new();
    if labels.len() > 1 {
        for l in &labels {
            body.push(Line::new(
                format!("label {}", string(&scalar(&l.value))),
                l.comments.clone(),
            ));
        }
    }
    for f in m.fields_of(Key::MetricDescription) {
        body.push(Line::new(
            simple("description", f.key, &scalar(&f.value)),
            f.comments.clone(),
        ));
    }
    for key in [Key::Owner, Key::Type, Key::Grain, Key::MetricWindow] {
        for f in m.fields_of(key) {
            let word = if key == Key::MetricWindow {
                "window"
            } else {
                key.dsl_word()
            };
            body.push(Line::new(
                simple(word, key, &scalar(&f.value)),
                f.comments.clone(),
            ));
        }
    }
    // Options of the measure that are statements of their own (`window 7 days`).
    for f in m.fields_of(Key::Measure) {
        if let Value::Map(ms) = &f.value {
            for o in ms.fields.iter().filter(|o| !MEASURE_LINE.contains(&o.key)) {
                let word = o.key.dsl_word();
                body.push(Line::new(
                    simple(word, o.key, &scalar(&o.value)),
                    o.comments.clone(),
                ));
            }
        }
    }
    // Options of a measure kept on the metric (no single measure to hold them).
    for f in m.fields.iter().filter(|f| f.key.place() != m.place) {
        let word = f.key.dsl_word();
        body.push(Line::new(
            simple(word, f.key, &scalar(&f.value)),
            f.comments.clone(),
        ));
    }
    for f in &m.fields {
        match f.key {
            Key::Measure => {
                if let Value::Map(ms) = &f.value {
                    let mut c = f.comments.clone();
                    for sub in ms.fields.iter().filter(|o| MEASURE_LINE.contains(&o.key)) {
                        c.absorb(&sub.comments);
                    }
                    body.push(Line::new(format!("measure {}", measure(ms)), c));
                }
            }
            Key::Ratio => {
                if let Value::Map(r) = &f.value {
                    let mut c = f.comments.clone();
                    for key in [Key::Numerator, Key::Denominator] {
                        for o in r.fields_of(key) {
                            let mut c = std::mem::take(&mut c).merge(&o.comments);
                            if let Value::Map(ms) = &o.value {
                                absorb_all(&mut c, ms);
                            }
                            body.push(Line::new(
                                format!("{} {}", key.name(), operand(&o.value)),
                                c,
                            ));
                        }
                    }
                }
            }
            Key::Derived if !derived_only => body.push(Line::new(
                format!("derived {}", fragment(&scalar(&f.value), Spot::Line)),
                f.comments.clone(),
            )),
            Key::Compare => {
                if let Value::Map(c) = &f.value {
                    let mut comments = f.comments.clone();
                    absorb_all(&mut comments, c);
                    body.push(Line::new(compare(c), comments));
                }
            }
            Key::Conversion => {
                if let Value::Map(c) = &f.value {
                    body.extend(conversion(c, f.comments.clone()));
                }
            }
            _ => {}
        }
    }
    for f in m.fields_of(Key::Threshold) {
        if let Value::Map(t) = &f.value {
            let mut c = f.comments.clone();
            absorb_all(&mut c, t);
            let mut line = "threshold".to_owned();
            if let Some(min) = t.str(Key::Min) {
                line.push_str(&format!(" >= {}", min.value));
            }
            if let Some(max) = t.str(Key::Max) {
                line.push_str(&format!(" <= {}", max.value));
            }
            body.push(Line::new(line, c));
        }
    }
    for (key, print) in [
        (Key::Targets, target as fn(&Node) -> String),
        (Key::Review, review),
        (Key::Allow, allow),
    ] {
        for f in m.fields_of(key) {
            let mut c = f.comments.clone();
            let items: Vec<(&Value, Comments)> = match &f.value {
                Value::List(items) => items
                    .iter()
                    .map(|i| (&i.value, i.comments.clone()))
                    .collect(),
                other => vec![(other, Comments::default())],
            };
            for (v, ic) in items {
                let mut c = std::mem::take(&mut c).merge(&ic);
                if let Value::Map(n) = v {
                    absorb_all(&mut c, n);
                    body.push(Line::new(print(n), c));
                }
            }
        }
    }
    block(&head, &comments, &body, !derived_only)
}

/// `compare METRIC [offset N] [as WORD]`.
fn compare(c: &Node) -> String {
    let mut line = format!(
        "compare {}",
        c.str(Key::CompareMetric)
            .map(|m| m.value.as_str())
            .unwrap_or("")
    );
    if let Some(o) = c.str(Key::Offset) {
        line.push_str(&format!(" offset {}", o.value));
    }
    if let Some(a) = c.str(Key::CompareAs) {
        line.push_str(&format!(" as {}", a.value));
    }
    line
}

/// `conversion ENTITY [within N days] [as WORD]`, `base from SOURCE [where ...]`, `event from
/// SOURCE [where ...]`.
fn conversion(c: &Node, field: Comments) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut head = field;
    for key in [Key::Entity, Key::Within, Key::ConversionAs] {
        if let Some(f) = c.field(key) {
            head = head.merge(&f.comments);
        }
    }
    if let Some(e) = c.str(Key::Entity) {
        let entity = if is_word(&e.value) {
            e.value.clone()
        } else {
            backticks(&e.value)
        };
        let mut line = format!("conversion {entity}");
        if let Some(w) = c.str(Key::Within) {
            line.push_str(&format!(" within {}", window(&w.value)));
        }
        if let Some(a) = c.str(Key::ConversionAs) {
            line.push_str(&format!(" as {}", a.value));
        }
        lines.push(Line::new(line, std::mem::take(&mut head)));
    }
    for (key, word) in [(Key::Base, "base"), (Key::Event, "event")] {
        for f in c.fields_of(key) {
            let Value::Map(side) = &f.value else { continue };
            let mut comments = std::mem::take(&mut head).merge(&f.comments);
            absorb_all(&mut comments, side);
            let mut line = format!(
                "{word} from {}",
                side.str(Key::SideSource)
                    .map(|s| s.value.as_str())
                    .unwrap_or("")
            );
            if let Some(filter) = side.str(Key::SideFilter) {
                line.push_str(&format!(" where {}", fragment(&filter.value, Spot::Where)));
            }
            lines.push(Line::new(line, comments));
        }
    }
    lines
}

/// A name the grammar reads as one word: letters, digits, `_` and `-`.
fn is_word(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn target(t: &Node) -> String {
    let value = t
        .str(Key::TargetValue)
        .map(|v| v.value.as_str())
        .unwrap_or("");
    let by = t.str(Key::TargetBy).map(|v| v.value.as_str()).unwrap_or("");
    format!("target {value} by {by}")
}

fn review(r: &Node) -> String {
    let mut line = format!(
        "review {}",
        r.str(Key::Cadence).map(|c| c.value.as_str()).unwrap_or("")
    );
    if let Some(d) = r.str(Key::LastReviewed) {
        line.push_str(&format!(" last {}", d.value));
    }
    line
}

fn allow(a: &Node) -> String {
    let mut line = format!(
        "allow {}",
        a.str(Key::AllowCode)
            .map(|c| c.value.as_str())
            .unwrap_or("")
    );
    if let Some(r) = a.str(Key::AllowReason) {
        line.push_str(&format!(" {}", string(&r.value)));
    }
    line
}
