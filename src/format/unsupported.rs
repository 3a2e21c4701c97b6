//! What the DSL cannot say. YAML can hold any string where the DSL's grammar reads a name,
//! a one-line value or balanced parentheses; converting such a tree to the DSL would change it,
//! so `lodestar convert` refuses it and says which value is in the way.

use crate::diagnostics::{Diagnostic, Span};
use crate::syntax::ast::{self, Node, Str, Value};
use crate::syntax::keys::{Key, Shape};
use crate::syntax::STRUCTURE;

/// The values of a tree that the DSL cannot express, one diagnostic each.
pub fn lode_unsupported(f: &ast::File) -> Vec<Diagnostic> {
    let root = &f.root;
    let mut cx = Check(Vec::new());
    cx.value(root.str(Key::Lodestar), "the version");
    match root.str(Key::Product) {
        Some(p) => cx.name(p, "a product name"),
        None => {
            if let Some(d) = root.str(Key::ProductDescription) {
                cx.missing(
                    d,
                    "a description without a product",
                    "add `product: <name>`",
                );
            }
        }
    }
    cx.opt_name(root.str(Key::Game), "a game");
    cx.opt_string(root.str(Key::ProductDescription));
    for e in root.entries(Key::Owners) {
        cx.name(&e.name, "an owner key");
        let Some(Value::Map(o)) = &e.value else {
            continue;
        };
        cx.opt_string(o.str(Key::OwnerName));
        cx.opt_string(o.str(Key::OwnerSlack));
        if let Some(e) = o.str(Key::OwnerEmail) {
            if e.value.is_empty()
                || e.value
                    .contains(|c: char| c.is_whitespace() || c == '<' || c == '>')
            {
                cx.bad(e, "an email with spaces or angle brackets");
            }
        }
    }
    for e in root.entries(Key::Sources) {
        if let Some(Value::Map(s)) = &e.value {
            cx.source(&e.name, s);
        }
    }
    for (_, m) in f.metrics() {
        cx.metric(m);
    }
    cx.0
}

struct Check(Vec<Diagnostic>);

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn is_word(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A value as the grammar reads a number or a date: no blanks and none of `{}<>=#,"`.
fn is_value(s: &str) -> bool {
    !s.is_empty() && !s.contains(|c: char| c.is_whitespace() || "{}<>=#,\"".contains(c))
}

fn is_table(s: &str) -> bool {
    s.split('.').all(|p| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '-'))
    })
}

/// A column type: a word, optionally with one parenthesised argument list (`varchar(10)`).
fn is_type(s: &str) -> bool {
    let (word, rest) = match s.find('(') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    let args_ok = rest.is_empty()
        || (rest.ends_with(')') && !rest[1..rest.len() - 1].contains([')', '\n', '\r']));
    is_word(word) && args_ok && !matches!(word, "description" | "columns" | "dimension")
}

/// Whether the grammar's `agg_args` reads all of `s`: one line, parentheses balanced outside
/// SQL quotes.
fn is_args(s: &str) -> bool {
    fn group(b: &[u8], mut i: usize, nested: bool) -> Option<usize> {
        while i < b.len() {
            match b[i] {
                b'\n' | b'\r' => return None,
                q @ (b'\'' | b'"') => match quoted(b, i, q) {
                    Some(end) => i = end,
                    None => i += 1,
                },
                b'(' => i = group(b, i + 1, true)?,
                b')' if nested => return Some(i + 1),
                b')' => return None,
                _ => i += 1,
            }
        }
        (!nested).then_some(i)
    }
    fn quoted(b: &[u8], start: usize, q: u8) -> Option<usize> {
        let mut i = start + 1;
        while i < b.len() {
            match b[i] {
                b'\n' | b'\r' => return None,
                c if c == q && b.get(i + 1) == Some(&q) => i += 2,
                c if c == q => return Some(i + 1),
                _ => i += 1,
            }
        }
        None
    }
    group(s.as_bytes(), 0, false) == Some(s.len())
}

impl Check {
    fn bad(&mut self, v: &Str, what: &str) {
        self.0.push(
            Diagnostic::error(
                STRUCTURE,
                format!("the DSL cannot express {what}: `{}`", v.value),
            )
            .label(v.span, "not expressible in the DSL")
            .help("change this value, or keep the spec in YAML"),
        );
    }

    fn missing(&mut self, at: &Str, what: &str, help: &str) {
        self.0.push(
            Diagnostic::error(STRUCTURE, format!("the DSL cannot express {what}"))
                .label(at.span, "not expressible in the DSL")
                .help(help.to_owned()),
        );
    }

    fn name(&mut self, v: &Str, what: &str) {
        if !is_name(&v.value) {
            self.bad(
                v,
                &format!("{what} other than letters, digits, `_` and `-`"),
            );
        }
    }

    fn opt_name(&mut self, v: Option<&Str>, what: &str) {
        if let Some(v) = v {
            self.name(v, what);
        }
    }

    fn value(&mut self, v: Option<&Str>, what: &str) {
        if let Some(v) = v {
            if !is_value(&v.value) {
                self.bad(v, &format!("{what} with blanks or any of {{}}<>=#,\""));
            }
        }
    }

    fn opt_string(&mut self, v: Option<&Str>) {
        if let Some(v) = v {
            if v.value.contains('\r') {
                self.bad(v, "text with a carriage return");
            }
        }
    }

    fn source(&mut self, name: &Str, s: &Node) {
        self.name(name, "a source name");
        self.opt_string(s.str(Key::SourceDescription));
        match (s.str(Key::SourceTable), s.str(Key::SourceSql)) {
            (Some(t), None) if !is_table(&t.value) => self.bad(
                t,
                "a table name other than dotted letters, digits, `_`, `$` and `-` (use `sql`)",
            ),
            (Some(_), Some(q)) => {
                self.missing(q, "a source with both `table` and `sql`", "keep one")
            }
            (None, None) => {
                self.missing(name, "a source with neither `table` nor `sql`", "add one")
            }
            _ => {}
        }
        match s.str(Key::SourceTime) {
            Some(t) => self.name(t, "a time column"),
            None => self.missing(name, "a source without `time`", "add `time: <column>`"),
        }
        if let Some(f) = s.field(Key::Columns) {
            let columns: Vec<(&Str, Option<&Str>)> = match &f.value {
                Value::List(items) => items
                    .iter()
                    .filter_map(|i| i.value.as_str().map(|n| (n, None)))
                    .collect(),
                Value::Named(entries) => entries
                    .iter()
                    .map(|e| (&e.name, e.value.as_ref().and_then(Value::as_str)))
                    .collect(),
                _ => Vec::new(),
            };
            if columns.is_empty() {
                self.missing(
                    name,
                    "an empty list of columns",
                    "list the columns, or remove `columns`",
                );
            }
            for (c, ty) in columns {
                self.name(c, "a column name");
                if let Some(t) = ty {
                    if !is_type(&t.value) {
                        self.bad(t, "a column type other than a word with optional `(...)`");
                    }
                }
            }
        }
        for d in s.entries(Key::Dimensions) {
            self.name(&d.name, "a dimension name");
        }
    }

    fn window(&mut self, w: Option<&Str>) {
        if let Some(w) = w {
            let canonical = super::lode::window(&w.value);
            let ok = match canonical.rsplit_once(' ') {
                Some((n, unit)) => is_value(n.trim_end()) && is_word(unit),
                None => false,
            };
            if !ok {
                self.bad(w, "a window other than `N days`");
            }
        }
    }

    fn metric(&mut self, m: &Node) {
        let name = match m.str(Key::MetricName) {
            Some(n) => {
                self.name(n, "a metric name");
                n.clone()
            }
            None => {
                self.missing_span(m.span, "a metric without a name", "add `name`");
                Str::new(String::new(), m.span)
            }
        };
        self.opt_string(m.str(Key::Label));
        self.opt_string(m.str(Key::MetricDescription));
        self.opt_name(m.str(Key::Owner), "an owner");
        self.opt_name(m.str(Key::Type), "a metric type");
        self.opt_name(m.str(Key::Grain), "a grain");
        self.window(m.str(Key::MetricWindow));
        for ms in m.nodes(Key::Measure) {
            self.measure(ms);
        }
        for r in m.nodes(Key::Ratio) {
            for key in [Key::Numerator, Key::Denominator] {
                match r.field(key).map(|f| &f.value) {
                    Some(Value::Map(ms)) => self.measure(ms),
                    Some(Value::Scalar(n)) => self.name(n, "a metric name"),
                    _ => {}
                }
            }
        }
        if let Some(t) = m.map(Key::Threshold) {
            if !t.has(Key::Min) && !t.has(Key::Max) {
                self.missing(
                    &name,
                    "a threshold with neither `min` nor `max`",
                    "give a bound",
                );
            }
            self.value(t.str(Key::Min), "a threshold");
            self.value(t.str(Key::Max), "a threshold");
        }
        for t in m.nodes(Key::Targets) {
            match (t.str(Key::TargetValue), t.str(Key::TargetBy)) {
                (Some(v), Some(b)) => {
                    self.value(Some(v), "a target value");
                    self.value(Some(b), "a target date");
                }
                _ => self.missing(&name, "a target without both `by` and `value`", "give both"),
            }
        }
        if let Some(r) = m.map(Key::Review) {
            match r.str(Key::Cadence) {
                Some(c) => self.name(c, "a review cadence"),
                None => self.missing(&name, "a review without a cadence", "add `cadence`"),
            }
            self.value(r.str(Key::LastReviewed), "a review date");
        }
        for a in m.nodes(Key::Allow) {
            match a.str(Key::AllowCode) {
                Some(c) => self.name(c, "a rule code"),
                None => self.missing_span(a.span, "an `allow` entry without a code", "add `code`"),
            }
            self.opt_string(a.str(Key::AllowReason));
        }
    }

    fn measure(&mut self, m: &Node) {
        match m.str(Key::MeasureAgg) {
            Some(a) if !is_word(&a.value) => self.bad(a, "an aggregation other than a word"),
            None => self.missing_span(m.span, "a measure without `agg`", "complete the measure"),
            _ => {}
        }
        match m.str(Key::MeasureSource) {
            Some(s) => self.name(s, "a source name"),
            None => self.missing_span(m.span, "a measure without `source`", "complete the measure"),
        }
        let agg = m
            .str(Key::MeasureAgg)
            .map(|a| a.value.to_ascii_lowercase())
            .unwrap_or_default();
        if let Some(e) = m.str(Key::MeasureExpr) {
            let percentile_split = agg == "percentile" && top_level_comma(&e.value);
            let count_star = agg == "count" && e.value.trim() == "*";
            if e.value.is_empty()
                || e.value.trim() != e.value
                || !is_args(&e.value)
                || percentile_split
                || count_star
            {
                self.bad(
                    e,
                    "this aggregated expression (one line, balanced parentheses)",
                );
            }
        }
        if let Some(p) = m.str(Key::MeasureP) {
            if agg != "percentile" {
                self.bad(p, "`p` on an aggregation other than percentile");
            } else if !m.has(Key::MeasureExpr) || !is_value(&p.value) {
                self.bad(p, "this percentile");
            }
        }
        self.window(m.str(Key::Window));
        // Options written as statements of their own: a value the grammar reads as one.
        for f in &m.fields {
            let Value::Scalar(v) = &f.value else { continue };
            match f.key.shape() {
                Shape::Flag if !v.value.trim().eq_ignore_ascii_case("true") => self.bad(
                    v,
                    &format!("`{}: {}` (a statement means true)", f.key.name(), v.value),
                ),
                Shape::Choice(_) | Shape::Name => self.name(v, &format!("`{}`", f.key.name())),
                _ => {}
            }
        }
    }

    fn missing_span(&mut self, span: Span, what: &str, help: &str) {
        let at = Str::new(String::new(), span);
        self.missing(&at, what, help);
    }
}

fn top_level_comma(s: &str) -> bool {
    let mut depth = 0usize;
    let mut quote = None;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.saturating_sub(1),
            (None, ',') if depth == 0 => return true,
            _ => {}
        }
    }
    false
}
