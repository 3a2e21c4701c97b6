//! What the DSL cannot say. YAML can hold any string where the DSL's grammar reads a name,
//! a one-line value or balanced parentheses; converting such a tree to the DSL would change it,
//! so `lodestar convert` refuses it and says which value is in the way.

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{self, Str};
use crate::syntax::STRUCTURE;

/// The values of a tree that the DSL cannot express, one diagnostic each.
pub fn lode_unsupported(f: &ast::File) -> Vec<Diagnostic> {
    let mut cx = Check(Vec::new());
    cx.value(f.version.as_ref(), "the version");
    match &f.product {
        Some(p) => cx.name(p, "a product name"),
        None => {
            if let Some(d) = &f.description {
                cx.missing(
                    d,
                    "a description without a product",
                    "add `product: <name>`",
                );
            }
        }
    }
    cx.opt_name(f.game.as_ref(), "a game");
    cx.opt_string(f.description.as_ref());
    for o in &f.owners {
        cx.name(&o.key, "an owner key");
        cx.opt_string(o.name.as_ref());
        cx.opt_string(o.slack.as_ref());
        if let Some(e) = &o.email {
            if e.value.is_empty()
                || e.value
                    .contains(|c: char| c.is_whitespace() || c == '<' || c == '>')
            {
                cx.bad(e, "an email with spaces or angle brackets");
            }
        }
    }
    for s in &f.sources {
        cx.source(s);
    }
    for m in f.metrics() {
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
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
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

    fn source(&mut self, s: &ast::Source) {
        self.name(&s.name, "a source name");
        self.opt_string(s.description.as_ref());
        match (&s.table, &s.sql) {
            (Some(t), None) if !is_table(&t.value) => self.bad(
                t,
                "a table name other than dotted letters, digits, `_` and `$` (use `sql`)",
            ),
            (Some(_), Some(q)) => {
                self.missing(q, "a source with both `table` and `sql`", "keep one")
            }
            (None, None) => self.missing(
                &s.name,
                "a source with neither `table` nor `sql`",
                "add one",
            ),
            _ => {}
        }
        match &s.time {
            Some(t) => self.name(t, "a time column"),
            None => self.missing(&s.name, "a source without `time`", "add `time: <column>`"),
        }
        if let Some(cols) = &s.columns {
            if cols.is_empty() {
                self.missing(
                    &s.name,
                    "an empty list of columns",
                    "list the columns, or remove `columns`",
                );
            }
            for c in cols {
                self.name(&c.name, "a column name");
                if let Some(t) = &c.data_type {
                    if !is_type(&t.value) {
                        self.bad(t, "a column type other than a word with optional `(...)`");
                    }
                }
            }
        }
        for d in &s.dimensions {
            self.name(&d.name, "a dimension name");
        }
    }

    fn metric(&mut self, m: &ast::Metric) {
        self.name(&m.name, "a metric name");
        self.opt_string(m.label.as_ref());
        self.opt_string(m.description.as_ref());
        self.opt_name(m.owner.as_ref(), "an owner");
        self.opt_name(m.metric_type.as_ref(), "a metric type");
        self.opt_name(m.grain.as_ref(), "a grain");
        if let Some(w) = &m.window {
            let canonical = super::lode::window(&w.value);
            let ok = match canonical.rsplit_once(' ') {
                Some((n, unit)) => is_value(n.trim_end()) && is_word(unit),
                None => false,
            };
            if !ok {
                self.bad(w, "a window other than `N days`");
            }
        }
        for c in &m.compute {
            match c {
                ast::Compute::Measure(ms) => self.measure(ms),
                ast::Compute::Ratio {
                    numerator,
                    denominator,
                    ..
                } => {
                    for o in [numerator, denominator].into_iter().flatten() {
                        match o {
                            ast::Operand::Measure(ms) => self.measure(ms),
                            ast::Operand::Metric(n) => self.name(n, "a metric name"),
                        }
                    }
                }
                ast::Compute::Derived(_) => {}
            }
        }
        if let Some(t) = &m.threshold {
            if t.min.is_none() && t.max.is_none() {
                self.missing(
                    &m.name,
                    "a threshold with neither `min` nor `max`",
                    "give a bound",
                );
            }
            self.value(t.min.as_ref(), "a threshold");
            self.value(t.max.as_ref(), "a threshold");
        }
        for t in &m.targets {
            match (&t.value, &t.by) {
                (Some(v), Some(b)) => {
                    self.value(Some(v), "a target value");
                    self.value(Some(b), "a target date");
                }
                _ => self.missing(
                    &m.name,
                    "a target without both `by` and `value`",
                    "give both",
                ),
            }
        }
        if let Some(r) = &m.review {
            match &r.cadence {
                Some(c) => self.name(c, "a review cadence"),
                None => self.missing(&m.name, "a review without a cadence", "add `cadence`"),
            }
            self.value(r.last_reviewed.as_ref(), "a review date");
        }
        for a in &m.allow {
            self.name(&a.code, "a rule code");
            self.opt_string(a.reason.as_ref());
        }
    }

    fn measure(&mut self, m: &ast::Measure) {
        match &m.agg {
            Some(a) if !is_word(&a.value) => self.bad(a, "an aggregation other than a word"),
            None => self.missing_span(m, "a measure without `agg`"),
            _ => {}
        }
        match &m.source {
            Some(s) => self.name(s, "a source name"),
            None => self.missing_span(m, "a measure without `source`"),
        }
        let agg = m
            .agg
            .as_ref()
            .map(|a| a.value.to_ascii_lowercase())
            .unwrap_or_default();
        if let Some(e) = &m.expr {
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
        if let Some(p) = &m.p {
            if agg != "percentile" {
                self.bad(p, "`p` on an aggregation other than percentile");
            } else if m.expr.is_none() || !is_value(&p.value) {
                self.bad(p, "this percentile");
            }
        }
    }

    fn missing_span(&mut self, m: &ast::Measure, what: &str) {
        let at = Str::new(String::new(), m.span);
        self.missing(&at, what, "complete the measure");
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
