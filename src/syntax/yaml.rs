//! YAML front end: serde-saphyr reads the text into a generic tree whose every node keeps its
//! position (and which refuses duplicate keys, deep nesting and alias bombs); we then walk that
//! tree into [`ast::File`], reporting unknown keys and misshapen values with their spans.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::ast::{self, Str, Syntax};
use super::keys::{self, unknown_key_help};
use super::{MAX_DEPTH, STRUCTURE, SYNTAX};
use crate::diagnostics::{Diagnostic, FileId, Span, Spanned};

/// A YAML value as serde-saphyr hands it to us, with locations.
enum Raw {
    Null,
    Scalar(String),
    Seq(Vec<serde_saphyr::Spanned<Raw>>),
    Map(Vec<(serde_saphyr::Spanned<Raw>, serde_saphyr::Spanned<Raw>)>),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Scalar(v))
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Raw, E> {
        Err(E::custom("binary values are not part of the spec language"))
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key()? {
            let value = map.next_value()?;
            entries.push((key, value));
        }
        Ok(Raw::Map(entries))
    }
}

/// Our own YAML node: kind and byte span.
struct Node {
    kind: Kind,
    span: Span,
}

enum Kind {
    Null,
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(Str, Node)>),
}

impl Node {
    fn describe(&self) -> &'static str {
        match self.kind {
            Kind::Null => "an empty value",
            Kind::Scalar(_) => "a scalar",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a map",
        }
    }
}

/// Turns serde-saphyr's line/column locations into byte spans of one file.
struct Locator<'a> {
    file: FileId,
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Locator<'a> {
    fn new(file: FileId, text: &'a str) -> Locator<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Locator {
            file,
            text,
            line_starts,
        }
    }

    fn offset(&self, line: u64, col: u64) -> usize {
        let Some(&start) = self.line_starts.get((line as usize).saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let idx = rest
            .char_indices()
            .nth((col as usize).saturating_sub(1))
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        start + idx
    }

    fn span(&self, loc: &serde_saphyr::Location) -> Span {
        let s = loc.span();
        if let (Some(off), Some(len)) = (s.byte_offset(), s.byte_len()) {
            let start = (off as usize).min(self.text.len());
            return Span::new(
                self.file,
                start,
                (start + len as usize).min(self.text.len()),
            );
        }
        if loc.line() == 0 {
            return Span::new(self.file, 0, 0);
        }
        let start = self.offset(loc.line(), loc.column());
        Span::new(self.file, start, start)
    }

    /// A scalar's span: when the location has no length, run to the end of its line.
    fn scalar_span(&self, span: Span) -> Span {
        if !span.is_empty() {
            return span;
        }
        let start = span.start as usize;
        let end = self.text[start..]
            .find('\n')
            .map(|i| start + i)
            .unwrap_or(self.text.len());
        let end = self.text[start..end].trim_end().len() + start;
        Span::new(self.file, start, end)
    }

    fn node(&self, raw: serde_saphyr::Spanned<Raw>) -> Node {
        let span = self.span(&raw.referenced);
        let kind = match raw.value {
            Raw::Null => Kind::Null,
            Raw::Scalar(s) => {
                return Node {
                    kind: Kind::Scalar(s),
                    span: self.scalar_span(span),
                };
            }
            Raw::Seq(items) => Kind::Seq(items.into_iter().map(|i| self.node(i)).collect()),
            Raw::Map(entries) => Kind::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        let key = self.node(k);
                        let name = match key.kind {
                            Kind::Scalar(s) => s,
                            Kind::Null => "null".to_owned(),
                            _ => "<complex key>".to_owned(),
                        };
                        (Spanned::new(name, key.span), self.node(v))
                    })
                    .collect(),
            ),
        };
        Node { kind, span }
    }
}

pub(super) fn parse(file: FileId, text: &str) -> (Option<ast::File>, Vec<Diagnostic>) {
    let loc = Locator::new(file, text);
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    // A spec needs no aliases; a few small ones are tolerated, an expansion bomb is refused
    // before it costs time. A spec file holds a few thousand nodes; 100,000 bound the work of
    // any input (the parser takes about 4 µs a node in release builds).
    budget.max_recorded_anchor_events = 10_000;
    budget.max_nodes = 100_000;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    options.with_snippet = false;
    let raw: serde_saphyr::Spanned<Raw> = match serde_saphyr::from_str_with_options(text, options) {
        Ok(raw) => raw,
        Err(e) => return (None, vec![yaml_error(&loc, &e)]),
    };
    let root = loc.node(raw);
    let mut cx = Walker {
        file,
        diagnostics: Vec::new(),
    };
    let tree = cx.file(root);
    (tree, cx.diagnostics)
}

fn yaml_error(loc: &Locator, e: &serde_saphyr::Error) -> Diagnostic {
    let span = e
        .location()
        .map(|l| loc.span(&l))
        .unwrap_or(Span::new(loc.file, 0, 0));
    let span = loc.scalar_span(span);
    if let serde_saphyr::Error::DuplicateMappingKey { key, .. } = e {
        let key = key.clone().unwrap_or_default();
        return Diagnostic::error("LS008", format!("duplicate key `{key}`"))
            .label(span, "this key is given again")
            .help("each key may appear once in a map; remove or rename one of them");
    }
    let message = first_line(&e.to_string());
    let lower = message.to_ascii_lowercase();
    let help = if lower.contains("depth") || lower.contains("nesting") {
        format!("a spec nests a few levels deep; nesting beyond {MAX_DEPTH} levels is refused")
    } else if lower.contains("alias") || lower.contains("anchor") || lower.contains("budget") {
        "the file expands far beyond its size (too many aliases or nodes); a spec needs no \
         aliases"
            .to_owned()
    } else {
        "the file must be valid YAML; check the indentation and quoting near this position"
            .to_owned()
    };
    Diagnostic::error(SYNTAX, format!("invalid YAML: {message}"))
        .label(span, "here")
        .help(help)
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or(s).trim();
    // serde-saphyr appends its own "at line X column Y"; we show positions ourselves.
    match line.rfind(" at line ") {
        Some(i) => line[..i].to_owned(),
        None => line.to_owned(),
    }
}

struct Walker {
    file: FileId,
    diagnostics: Vec<Diagnostic>,
}

/// The entries of a YAML map, taken one by one; what is left is reported as unknown.
struct Entries {
    entries: Vec<Option<(Str, Node)>>,
    allowed: &'static [&'static str],
    context: &'static str,
}

impl Entries {
    fn take(&mut self, key: &str) -> Option<(Str, Node)> {
        self.entries
            .iter_mut()
            .find(|e| e.as_ref().is_some_and(|(k, _)| k.value == key))
            .and_then(Option::take)
    }
}

impl Walker {
    fn error(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn expected(&mut self, node: &Node, what: &str, context: &str) {
        let d = Diagnostic::error(
            STRUCTURE,
            format!("expected {what} for {context}, found {}", node.describe()),
        )
        .label(node.span, format!("expected {what}"))
        .help(format!(
            "write {context} as {what}; see the spec language reference in the README"
        ));
        self.error(d);
    }

    fn map(
        &mut self,
        node: Node,
        allowed: &'static [&'static str],
        context: &'static str,
    ) -> Option<(Span, Entries)> {
        match node.kind {
            Kind::Map(entries) => Some((
                node.span,
                Entries {
                    entries: entries.into_iter().map(Some).collect(),
                    allowed,
                    context,
                },
            )),
            _ => {
                self.expected(&node, "a map", context);
                None
            }
        }
    }

    fn finish(&mut self, entries: Entries) {
        for (key, _) in entries.entries.into_iter().flatten() {
            let d = Diagnostic::error(
                STRUCTURE,
                format!("unknown key `{}` in {}", key.value, entries.context),
            )
            .label(key.span, "unknown key")
            .help(unknown_key_help(&key.value, entries.allowed));
            self.error(d);
        }
    }

    fn scalar(&mut self, node: Node, context: &str) -> Option<Str> {
        match node.kind {
            Kind::Scalar(s) => Some(Spanned::new(s, node.span)),
            _ => {
                self.expected(&node, "a single value", context);
                None
            }
        }
    }

    fn take_scalar(&mut self, e: &mut Entries, key: &str) -> Option<Str> {
        let (k, node) = e.take(key)?;
        if let Kind::Null = node.kind {
            let d = Diagnostic::error(STRUCTURE, format!("`{key}` has no value"))
                .label(k.span, "empty")
                .help(format!("give `{key}` a value, or remove the key"));
            self.error(d);
            return None;
        }
        self.scalar(node, &format!("`{key}`"))
    }

    fn file(&mut self, root: Node) -> Option<ast::File> {
        let Kind::Map(_) = root.kind else {
            let d = Diagnostic::error(STRUCTURE, "this YAML file is not a lodestar spec")
                .label(root.span, format!("the top level is {}", root.describe()))
                .help("a spec is a map whose first key is `lodestar: 1`");
            self.error(d);
            return None;
        };
        let (span, mut e) = self.map(root, keys::FILE_KEYS, "the spec")?;
        let mut file = ast::File::empty(self.file, Syntax::Yaml);
        file.version = self.take_scalar(&mut e, "lodestar");
        if file.version.is_none() {
            let d = Diagnostic::error(STRUCTURE, "this YAML file is not a lodestar spec")
                .label(
                    Span::new(self.file, span.start as usize, span.start as usize),
                    "no `lodestar` key",
                )
                .help("a spec starts with `lodestar: 1`, the version of the spec language");
            self.error(d);
            return None;
        }
        file.product = self.take_scalar(&mut e, "product");
        file.description = self.take_scalar(&mut e, "description");
        file.game = self.take_scalar(&mut e, "game");
        if let Some((_, node)) = e.take("owners") {
            file.owners = self.owners(node);
        }
        if let Some((_, node)) = e.take("sources") {
            file.sources = self.sources(node);
        }
        if let Some((_, node)) = e.take("north_star") {
            // One North Star is a map; a list is accepted so that two can be reported (LS001).
            file.north_stars = match node.kind {
                Kind::Seq(items) => items
                    .into_iter()
                    .filter_map(|n| self.metric(n, ast::Role::NorthStar))
                    .collect(),
                _ => self
                    .metric(node, ast::Role::NorthStar)
                    .into_iter()
                    .collect(),
            };
        }
        if let Some((_, node)) = e.take("inputs") {
            file.inputs = self.metrics(node, ast::Role::Input);
        }
        if let Some((_, node)) = e.take("guardrails") {
            file.guardrails = self.metrics(node, ast::Role::Guardrail);
        }
        self.finish(e);
        Some(file)
    }

    fn owners(&mut self, node: Node) -> Vec<ast::Owner> {
        let Some((_, e)) = self.map(node, &[], "`owners`") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in e.entries.into_iter().flatten() {
            let mut owner = ast::Owner {
                key,
                name: None,
                email: None,
                slack: None,
            };
            match value.kind {
                // `growth: Growth team` is shorthand for `{ name: Growth team }`.
                Kind::Scalar(s) => owner.name = Some(Spanned::new(s, value.span)),
                Kind::Null => {}
                _ => {
                    if let Some((_, mut m)) = self.map(value, keys::OWNER_KEYS, "an owner") {
                        owner.name = self.take_scalar(&mut m, "name");
                        owner.email = self.take_scalar(&mut m, "email");
                        owner.slack = self.take_scalar(&mut m, "slack");
                        self.finish(m);
                    }
                }
            }
            out.push(owner);
        }
        out
    }

    fn sources(&mut self, node: Node) -> Vec<ast::Source> {
        let Some((_, e)) = self.map(node, &[], "`sources`") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, value) in e.entries.into_iter().flatten() {
            let Some((_, mut m)) = self.map(value, keys::SOURCE_KEYS, "a source") else {
                continue;
            };
            let mut source = ast::Source {
                name,
                description: None,
                table: None,
                sql: None,
                time: None,
                columns: None,
                dimensions: Vec::new(),
            };
            source.table = self.take_scalar(&mut m, "table");
            source.sql = self.take_scalar(&mut m, "sql");
            source.time = self.take_scalar(&mut m, "time");
            source.description = self.take_scalar(&mut m, "description");
            if let Some((_, cols)) = m.take("columns") {
                source.columns = Some(self.columns(cols));
            }
            if let Some((_, dims)) = m.take("dimensions") {
                if let Some((_, d)) = self.map(dims, &[], "`dimensions`") {
                    for (dname, expr) in d.entries.into_iter().flatten() {
                        if let Some(expr) = self.scalar(expr, "a dimension's SQL expression") {
                            source.dimensions.push(ast::Dimension { name: dname, expr });
                        }
                    }
                }
            }
            self.finish(m);
            out.push(source);
        }
        out
    }

    fn columns(&mut self, node: Node) -> Vec<ast::Column> {
        match node.kind {
            Kind::Seq(items) => items
                .into_iter()
                .filter_map(|n| self.scalar(n, "a column name"))
                .map(|name| ast::Column {
                    name,
                    data_type: None,
                })
                .collect(),
            Kind::Map(entries) => entries
                .into_iter()
                .map(|(name, ty)| ast::Column {
                    name,
                    data_type: match ty.kind {
                        Kind::Null => None,
                        _ => self.scalar(ty, "a column type"),
                    },
                })
                .collect(),
            Kind::Null => Vec::new(),
            Kind::Scalar(_) => {
                self.expected(
                    &node,
                    "a list of column names (or a map of name to type)",
                    "`columns`",
                );
                Vec::new()
            }
        }
    }

    fn metrics(&mut self, node: Node, role: ast::Role) -> Vec<ast::Metric> {
        match node.kind {
            Kind::Seq(items) => items
                .into_iter()
                .filter_map(|n| self.metric(n, role))
                .collect(),
            Kind::Null => Vec::new(),
            _ => {
                let context = match role {
                    ast::Role::Guardrail => "`guardrails`",
                    _ => "`inputs`",
                };
                self.expected(&node, "a list of metrics", context);
                Vec::new()
            }
        }
    }

    fn metric(&mut self, node: Node, role: ast::Role) -> Option<ast::Metric> {
        let (span, mut e) = self.map(node, keys::METRIC_KEYS, "a metric")?;
        let name = match self.take_scalar(&mut e, "name") {
            Some(n) => n,
            None => {
                let d =
                    Diagnostic::error(STRUCTURE, format!("this {} has no `name`", role.as_str()))
                        .label(
                            Span::new(self.file, span.start as usize, span.start as usize),
                            "no name",
                        )
                        .help("every metric has a snake_case `name`, unique in its product");
                self.error(d);
                Spanned::new(
                    String::new(),
                    Span::new(self.file, span.start as usize, span.start as usize),
                )
            }
        };
        let mut metric = ast::Metric {
            role,
            span,
            name,
            label: None,
            description: None,
            owner: None,
            metric_type: None,
            grain: None,
            compute: Vec::new(),
            window: None,
            threshold: None,
            targets: Vec::new(),
            review: None,
            allow: Vec::new(),
        };
        metric.label = self.take_scalar(&mut e, "label");
        metric.description = self.take_scalar(&mut e, "description");
        metric.owner = self.take_scalar(&mut e, "owner");
        metric.metric_type = self.take_scalar(&mut e, "type");
        metric.grain = self.take_scalar(&mut e, "grain");
        metric.window = self.take_scalar(&mut e, "window");
        // The ways to compute a metric, in the order a reader meets them.
        for key in ["measure", "ratio", "derived"] {
            let Some((k, node)) = e.take(key) else {
                continue;
            };
            let compute = match key {
                "measure" => self
                    .measure(node, &mut metric.window)
                    .map(ast::Compute::Measure),
                "ratio" => self.ratio(k.span, node, &mut metric.window),
                _ => self.scalar(node, "`derived`").map(ast::Compute::Derived),
            };
            metric.compute.extend(compute);
        }
        if let Some((_, node)) = e.take("threshold") {
            if let Some((span, mut t)) = self.map(node, keys::THRESHOLD_KEYS, "`threshold`") {
                let min = self.take_scalar(&mut t, "min");
                let max = self.take_scalar(&mut t, "max");
                self.finish(t);
                metric.threshold = Some(ast::Threshold { span, min, max });
            }
        }
        if let Some((_, node)) = e.take("targets") {
            let items = match node.kind {
                Kind::Seq(items) => items,
                Kind::Map(_) => vec![node],
                _ => {
                    self.expected(&node, "a list of `{ by, value }`", "`targets`");
                    Vec::new()
                }
            };
            for item in items {
                if let Some((span, mut t)) = self.map(item, keys::TARGET_KEYS, "a target") {
                    let by = self.take_scalar(&mut t, "by");
                    let value = self.take_scalar(&mut t, "value");
                    self.finish(t);
                    metric.targets.push(ast::Target { span, by, value });
                }
            }
        }
        if let Some((_, node)) = e.take("review") {
            if let Some((span, mut r)) = self.map(node, keys::REVIEW_KEYS, "`review`") {
                let cadence = self.take_scalar(&mut r, "cadence");
                let last_reviewed = self.take_scalar(&mut r, "last_reviewed");
                self.finish(r);
                metric.review = Some(ast::Review {
                    span,
                    cadence,
                    last_reviewed,
                });
            }
        }
        if let Some((_, node)) = e.take("allow") {
            metric.allow = self.allow(node);
        }
        self.finish(e);
        Some(metric)
    }

    fn allow(&mut self, node: Node) -> Vec<ast::Allow> {
        let items = match node.kind {
            Kind::Seq(items) => items,
            _ => {
                self.expected(&node, "a list of `{ code, reason }`", "`allow`");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for item in items {
            match item.kind {
                Kind::Scalar(code) => out.push(ast::Allow {
                    span: item.span,
                    code: Spanned::new(code, item.span),
                    reason: None,
                }),
                _ => {
                    let Some((span, mut a)) = self.map(item, keys::ALLOW_KEYS, "an `allow` entry")
                    else {
                        continue;
                    };
                    let code = self.take_scalar(&mut a, "code");
                    let reason = self.take_scalar(&mut a, "reason");
                    self.finish(a);
                    match code {
                        Some(code) => out.push(ast::Allow { span, code, reason }),
                        None => self.error(
                            Diagnostic::error(STRUCTURE, "an `allow` entry has no `code`")
                                .label(span, "no code")
                                .help("write `- { code: LS103, reason: \"why this is fine\" }`"),
                        ),
                    }
                }
            }
        }
        out
    }

    fn measure(&mut self, node: Node, window: &mut Option<Str>) -> Option<ast::Measure> {
        let (span, mut m) = self.map(node, keys::MEASURE_KEYS, "a measure")?;
        let measure = ast::Measure {
            span,
            source: self.take_scalar(&mut m, "source"),
            agg: self.take_scalar(&mut m, "agg"),
            expr: self.take_scalar(&mut m, "expr"),
            p: self.take_scalar(&mut m, "p"),
            filter: self.take_scalar(&mut m, "filter"),
            having: self.take_scalar(&mut m, "having"),
        };
        if let Some(w) = self.take_scalar(&mut m, "window") {
            if window.is_none() {
                *window = Some(w);
            }
        }
        self.finish(m);
        Some(measure)
    }

    fn ratio(&mut self, key: Span, node: Node, window: &mut Option<Str>) -> Option<ast::Compute> {
        let (span, mut r) = self.map(node, keys::RATIO_KEYS, "a ratio")?;
        let mut operand = |w: &mut Walker, name: &str| -> Option<ast::Operand> {
            let (_, node) = r.take(name)?;
            match node.kind {
                Kind::Scalar(s) => Some(ast::Operand::Metric(Spanned::new(s, node.span))),
                _ => w.measure(node, window).map(ast::Operand::Measure),
            }
        };
        let numerator = operand(self, "numerator");
        let denominator = operand(self, "denominator");
        self.finish(r);
        Some(ast::Compute::Ratio {
            span: key.to(span),
            numerator,
            denominator,
        })
    }
}
