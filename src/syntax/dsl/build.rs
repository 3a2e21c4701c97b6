//! Pest pairs → [`ast::File`]. Every value keeps the byte span of the text it came from; SQL
//! fragments keep their text exactly as written so that positions inside them stay right.
//!
//! The statements a block may hold come from the key catalogue; a statement of a scalar key
//! that has no grammar rule of its own (`word value`) is read here from the catalogue alone.

use pest::iterators::Pair;

use super::Rule;
use crate::diagnostics::{Diagnostic, FileId, Span, Spanned};
use crate::syntax::ast::{self, Comments, Entry, Item, Node, Str, Syntax, Value};
use crate::syntax::keys::{unknown_key_help, Key, Place};
use crate::syntax::STRUCTURE;

pub(super) fn file(file: FileId, root: Pair<'_, Rule>) -> (Option<ast::File>, Vec<Diagnostic>) {
    let mut b = Builder {
        file,
        diagnostics: Vec::new(),
    };
    let mut tree = ast::File::empty(file, Syntax::Lode);
    tree.root.span = b.span(&root);
    let top = &mut tree.root;
    for p in root.into_inner() {
        let span = b.span(&p);
        match p.as_rule() {
            Rule::version_stmt => {
                let v = b.last_str(p);
                b.once(top, Key::Lodestar, span, v, "lodestar", "the file");
            }
            Rule::product_stmt => {
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::product_name => {
                            let name = b.str(&c);
                            b.once(top, Key::Product, span, name, "product", "the file");
                        }
                        Rule::string => {
                            let d = b.string(c);
                            top.fields.retain(|f| f.key != Key::ProductDescription);
                            top.push_str(Key::ProductDescription, d);
                        }
                        _ => {}
                    }
                }
            }
            Rule::game_stmt => {
                let g = b.last_str(p);
                b.once(top, Key::Game, span, g, "game", "the file");
            }
            Rule::owner_stmt => {
                let (name, owner) = b.owner(p);
                push_entry(top, Key::Owners, span, name, Value::Map(owner));
            }
            Rule::source_stmt => {
                let (name, source) = b.source(p);
                push_entry(top, Key::Sources, span, name, Value::Map(source));
            }
            Rule::north_star => {
                let m = b.metric(p);
                push_item(top, Key::NorthStar, span, Value::Map(m));
            }
            Rule::input => {
                let m = b.metric(p);
                push_item(top, Key::Inputs, span, Value::Map(m));
            }
            Rule::guardrail => {
                let m = b.metric(p);
                push_item(top, Key::Guardrails, span, Value::Map(m));
            }
            Rule::outcome => {
                let m = b.metric(p);
                push_item(top, Key::Outcomes, span, Value::Map(m));
            }
            Rule::unknown_top => b.unknown(p, "at the top of a spec", Place::File),
            _ => {}
        }
    }
    (Some(tree), b.diagnostics)
}

/// Appends an element to the list of `key`, starting the list at `span` when there is none.
fn push_item(node: &mut Node, key: Key, span: Span, value: Value) {
    let item = Item {
        span,
        value,
        comments: Comments::default(),
    };
    match node.fields.iter_mut().find(|f| f.key == key) {
        Some(f) => {
            f.span = f.span.to(span);
            if let Value::List(items) = &mut f.value {
                items.push(item);
            }
        }
        None => {
            node.push(key, span, Value::List(vec![item])).span = span;
        }
    }
}

/// Appends `name: value` to the map of names of `key`.
fn push_entry(node: &mut Node, key: Key, span: Span, name: Str, value: Value) {
    let entry = Entry {
        name,
        span,
        value: Some(value),
        comments: Comments::default(),
    };
    match node.fields.iter_mut().find(|f| f.key == key) {
        Some(f) => {
            f.span = f.span.to(span);
            if let Value::Named(entries) = &mut f.value {
                entries.push(entry);
            }
        }
        None => {
            node.push(key, span, Value::Named(vec![entry])).span = span;
        }
    }
}

/// Column names, each with its type when one is written.
type Columns = Vec<(Str, Option<Str>)>;

struct Builder {
    file: FileId,
    diagnostics: Vec<Diagnostic>,
}

impl Builder {
    fn span(&self, p: &Pair<'_, Rule>) -> Span {
        let s = p.as_span();
        Span::new(self.file, s.start(), s.end())
    }

    fn str(&self, p: &Pair<'_, Rule>) -> Str {
        Spanned::new(p.as_str().to_owned(), self.span(p))
    }

    /// The last child of a statement as text (`game transaction` → `transaction`).
    fn last_str(&self, p: Pair<'_, Rule>) -> Str {
        let span = self.span(&p);
        match p.into_inner().last() {
            Some(c) => self.str(&c),
            None => Spanned::new(String::new(), span),
        }
    }

    /// A double-quoted string: its unescaped text, spanning the text between the quotes.
    fn string(&self, p: Pair<'_, Rule>) -> Str {
        let span = self.span(&p);
        let Some(inner) = p.into_inner().next() else {
            return Spanned::new(String::new(), span);
        };
        let mut out = String::with_capacity(inner.as_str().len());
        let mut chars = inner.as_str().chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some(other) => out.push(other),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        Spanned::new(out, self.span(&inner))
    }

    /// A SQL fragment: backtick-quoted (a doubled backtick stands for one) or bare text, which
    /// is trimmed. The span is the exact range of the text.
    fn fragment(&self, p: Pair<'_, Rule>) -> Str {
        match p.as_rule() {
            Rule::backtick => {
                let span = self.span(&p);
                match p.into_inner().next() {
                    Some(inner) => {
                        Spanned::new(inner.as_str().replace("``", "`"), self.span(&inner))
                    }
                    None => Spanned::new(String::new(), span),
                }
            }
            _ => self.trimmed(p.as_span().start(), p.as_str()),
        }
    }

    /// `text` (found at byte `start`) without surrounding whitespace, with its exact span.
    fn trimmed(&self, start: usize, text: &str) -> Str {
        let lead = text.len() - text.trim_start().len();
        let value = text.trim();
        let start = start + lead;
        Spanned::new(
            value.to_owned(),
            Span::new(self.file, start, start + value.len()),
        )
    }

    /// Splits `expr, 0.95` at its last comma outside parentheses and quotes.
    fn split_last_comma(&self, args: &Str) -> (Str, Option<Str>) {
        let text = &args.value;
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        let mut last = None;
        for (i, ch) in text.char_indices() {
            match (quote, ch) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(ch),
                (None, '(') => depth += 1,
                (None, ')') => depth = depth.saturating_sub(1),
                (None, ',') if depth == 0 => last = Some(i),
                _ => {}
            }
        }
        let start = args.span.start as usize;
        match last {
            Some(i) => (
                self.trimmed(start, &text[..i]),
                Some(self.trimmed(start + i + 1, &text[i + 1..])),
            ),
            None => (args.clone(), None),
        }
    }

    /// Sets a statement that may be given once; a repeat is reported and ignored.
    fn once(
        &mut self,
        node: &mut Node,
        key: Key,
        statement_span: Span,
        value: Str,
        statement: &str,
        place: &str,
    ) {
        if let Some(first) = node.str(key) {
            let d = Diagnostic::error(
                STRUCTURE,
                format!("`{statement}` is given twice in {place}"),
            )
            .label(value.span, "given again here")
            .label(first.span, "first given here")
            .help(format!("keep one `{statement}` statement"));
            self.diagnostics.push(d);
        } else {
            node.push(key, statement_span, Value::Scalar(value)).span = statement_span;
        }
    }

    fn unknown(&mut self, p: Pair<'_, Rule>, place: &str, block: Place) {
        let span = self.span(&p);
        let word = p.into_inner().next().map(|w| self.str(&w));
        let word = word.unwrap_or_else(|| Spanned::new(String::new(), span));
        // A top-level statement inside a block: the block above it was never closed.
        let top_level = ["north", "input", "guardrail", "outcome", "source"];
        let d = if block != Place::File && top_level.contains(&word.value.as_str()) {
            Diagnostic::error(
                STRUCTURE,
                format!(
                    "`{}` starts a new top-level statement {place}: the block above it is not closed",
                    word.value
                ),
            )
            .label(word.span, "still inside the block above")
            .help(format!(
                "add the missing `}}` at the end of the block above, before `{}`",
                word.value
            ))
        } else {
            Diagnostic::error(
                STRUCTURE,
                format!("unknown statement `{}` {place}", word.value),
            )
            .label(word.span, "unknown statement")
            .help(unknown_key_help(&word.value, &block.dsl_statements()))
        };
        self.diagnostics.push(d);
    }

    fn owner(&mut self, p: Pair<'_, Rule>) -> (Str, Node) {
        let span = self.span(&p);
        let mut key = Spanned::new(String::new(), span);
        let mut owner = Node::new(Place::Owner, span);
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::owner_key => key = self.str(&c),
                Rule::string => {
                    owner.push_str(Key::OwnerName, self.string(c));
                }
                Rule::email => {
                    if let Some(e) = c.into_inner().next() {
                        owner.push_str(Key::OwnerEmail, self.str(&e));
                    }
                }
                Rule::slack => {
                    if let Some(s) = c.into_inner().find(|s| s.as_rule() == Rule::string) {
                        owner.push_str(Key::OwnerSlack, self.string(s));
                    }
                }
                _ => {}
            }
        }
        (key, owner)
    }

    fn source(&mut self, p: Pair<'_, Rule>) -> (Str, Node) {
        let span = self.span(&p);
        let mut name = Spanned::new(String::new(), span);
        let mut source = Node::new(Place::Source, span);
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::source_name => name = self.str(&c),
                Rule::table => {
                    source.push_str(Key::SourceTable, self.str(&c));
                }
                Rule::sql_query => {
                    if let Some(q) = c.into_inner().find(|q| q.as_rule() == Rule::backtick) {
                        let q = self.fragment(q);
                        source.push_str(Key::SourceSql, q);
                    }
                }
                Rule::time_column => {
                    source.push_str(Key::SourceTime, self.str(&c));
                }
                Rule::source_block => self.source_block(c, &mut source),
                _ => {}
            }
        }
        (name, source)
    }

    fn source_block(&mut self, p: Pair<'_, Rule>, source: &mut Node) {
        // Every `columns` line adds to one list of names and types, kept from the first line.
        let mut columns: Option<(Span, Columns)> = None;
        for s in p.into_inner() {
            let span = self.span(&s);
            match s.as_rule() {
                Rule::description_stmt => {
                    let d = self.string_of(s);
                    self.once(
                        source,
                        Key::SourceDescription,
                        span,
                        d,
                        "description",
                        "a source",
                    );
                }
                Rule::columns_stmt => {
                    let list = &mut columns.get_or_insert_with(|| (span, Vec::new())).1;
                    for c in s.into_inner().filter(|c| c.as_rule() == Rule::column) {
                        let mut parts = c.into_inner();
                        let name = parts.next().map(|n| self.str(&n));
                        list.push((
                            name.unwrap_or_else(|| Spanned::new(String::new(), span)),
                            parts.next().map(|t| self.str(&t)),
                        ));
                    }
                }
                Rule::dimension_stmt => {
                    let mut name = None;
                    let mut expr = None;
                    for c in s.into_inner() {
                        match c.as_rule() {
                            Rule::dimension_name => name = Some(self.str(&c)),
                            Rule::backtick | Rule::sql_text => expr = Some(self.fragment(c)),
                            _ => {}
                        }
                    }
                    if let (Some(name), Some(expr)) = (name, expr) {
                        push_entry(source, Key::Dimensions, span, name, Value::Scalar(expr));
                    }
                }
                Rule::unknown_source_item => self.unknown(s, "in a source", Place::Source),
                _ => {}
            }
        }
        if let Some((span, list)) = columns {
            let typed = list.iter().any(|(_, t)| t.is_some());
            let value = if typed {
                Value::Named(
                    list.into_iter()
                        .map(|(name, ty)| Entry {
                            span: ty.as_ref().map_or(name.span, |t| name.span.to(t.span)),
                            name,
                            value: ty.map(Value::Scalar),
                            comments: Comments::default(),
                        })
                        .collect(),
                )
            } else {
                Value::List(
                    list.into_iter()
                        .map(|(name, _)| Item {
                            span: name.span,
                            value: Value::Scalar(name),
                            comments: Comments::default(),
                        })
                        .collect(),
                )
            };
            source.push(Key::Columns, span, value).span = span;
        }
    }

    /// The string of a `keyword "string"` statement.
    fn string_of(&self, p: Pair<'_, Rule>) -> Str {
        let span = self.span(&p);
        match p.into_inner().find(|c| c.as_rule() == Rule::string) {
            Some(s) => self.string(s),
            None => Spanned::new(String::new(), span),
        }
    }

    fn metric(&mut self, p: Pair<'_, Rule>) -> Node {
        let span = self.span(&p);
        let mut m = Node::new(Place::Metric, span);
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::metric_name => {
                    m.push_str(Key::MetricName, self.str(&c));
                }
                Rule::string => {
                    m.push_str(Key::Label, self.string(c));
                }
                Rule::derived_header => {
                    if let Some(e) = c.into_inner().find(|e| e.as_rule() != Rule::equals) {
                        m.push_str(Key::Derived, self.fragment(e));
                    }
                }
                Rule::metric_block => {
                    for s in c.into_inner() {
                        self.metric_statement(s, &mut m);
                    }
                }
                _ => {}
            }
        }
        m.settle_measure_options();
        m
    }

    /// One statement of a metric's block. Options of the measure (`window 7 days`) are set on
    /// the metric and moved into its measure once the block is read.
    fn metric_statement(&mut self, s: Pair<'_, Rule>, m: &mut Node) {
        let span = self.span(&s);
        match s.as_rule() {
            Rule::description_stmt => {
                let d = self.string_of(s);
                self.once(
                    m,
                    Key::MetricDescription,
                    span,
                    d,
                    "description",
                    "a metric",
                );
            }
            Rule::label_stmt => {
                let l = self.string_of(s);
                self.once(m, Key::Label, span, l, "label", "a metric");
            }
            Rule::owner_ref => {
                let o = self.last_str(s);
                self.once(m, Key::Owner, span, o, "owner", "a metric");
            }
            Rule::type_stmt => {
                let t = self.last_str(s);
                self.once(m, Key::Type, span, t, "type", "a metric");
            }
            Rule::grain_stmt => {
                let g = self.last_str(s);
                self.once(m, Key::Grain, span, g, "grain", "a metric");
            }
            Rule::window_stmt => {
                let w = self.last_str(s);
                self.once(m, Key::MetricWindow, span, w, "window", "a metric");
            }
            Rule::measure_stmt => {
                if let Some(measure) = s.into_inner().find(|c| c.as_rule() == Rule::measure) {
                    let node = self.measure(measure);
                    m.push(Key::Measure, span, Value::Map(node)).span = span;
                }
            }
            Rule::derived_stmt => {
                if let Some(e) = s.into_inner().find(|e| e.as_rule() != Rule::kw_derived) {
                    let e = self.fragment(e);
                    m.push(Key::Derived, span, Value::Scalar(e)).span = span;
                }
            }
            Rule::numerator_stmt | Rule::denominator_stmt => {
                let (key, word) = if s.as_rule() == Rule::numerator_stmt {
                    (Key::Numerator, "numerator")
                } else {
                    (Key::Denominator, "denominator")
                };
                let operand = s.into_inner().nth(1).map(|o| self.operand(o));
                if !m.has(Key::Ratio) {
                    m.push(Key::Ratio, span, Value::Map(Node::new(Place::Ratio, span)))
                        .span = span;
                }
                let Some(field) = m.fields.iter_mut().find(|f| f.key == Key::Ratio) else {
                    return;
                };
                field.span = field.span.to(span);
                let Value::Map(ratio) = &mut field.value else {
                    return;
                };
                ratio.span = ratio.span.to(span);
                if ratio.has(key) {
                    self.diagnostics.push(
                        Diagnostic::error(
                            STRUCTURE,
                            format!("`{word}` is given twice in a metric"),
                        )
                        .label(span, "given again here")
                        .help(format!("a ratio has one `{word}`; keep one of these lines")),
                    );
                } else if let Some(operand) = operand {
                    ratio.push(key, span, operand).span = span;
                }
            }
            Rule::threshold_stmt => {
                let mut bounds = Vec::new();
                for b in s.into_inner() {
                    let key = match b.as_rule() {
                        Rule::min_bound => Key::Min,
                        Rule::max_bound => Key::Max,
                        _ => continue,
                    };
                    let value = b.into_inner().find(|n| n.as_rule() == Rule::number);
                    if let Some(v) = value {
                        bounds.push((key, self.str(&v)));
                    }
                }
                if !m.has(Key::Threshold) {
                    m.push(
                        Key::Threshold,
                        span,
                        Value::Map(Node::new(Place::Threshold, span)),
                    )
                    .span = span;
                }
                let Some(field) = m.fields.iter_mut().find(|f| f.key == Key::Threshold) else {
                    return;
                };
                field.span = field.span.to(span);
                let Value::Map(t) = &mut field.value else {
                    return;
                };
                // `threshold >= 1` and `threshold <= 5` on two lines read as one threshold.
                t.span = t.span.to(span);
                for (key, value) in bounds {
                    if t.has(key) {
                        let op = if key == Key::Min { ">=" } else { "<=" };
                        self.diagnostics.push(
                            Diagnostic::error(
                                STRUCTURE,
                                format!("the threshold's `{op}` bound is given twice"),
                            )
                            .label(value.span, "given again here")
                            .help("keep one bound of each kind: `threshold >= MIN <= MAX`"),
                        );
                    } else {
                        t.push_str(key, value);
                    }
                }
            }
            Rule::target_stmt => {
                let mut target = Node::new(Place::Target, span);
                for c in s.into_inner() {
                    match c.as_rule() {
                        Rule::number => {
                            target.push_str(Key::TargetValue, self.str(&c));
                        }
                        Rule::date => {
                            target.push_str(Key::TargetBy, self.str(&c));
                        }
                        _ => {}
                    }
                }
                push_item(m, Key::Targets, span, Value::Map(target));
            }
            Rule::review_stmt => {
                let mut review = Node::new(Place::Review, span);
                for c in s.into_inner() {
                    match c.as_rule() {
                        Rule::cadence => {
                            review.push_str(Key::Cadence, self.str(&c));
                        }
                        Rule::date => {
                            review.push_str(Key::LastReviewed, self.str(&c));
                        }
                        _ => {}
                    }
                }
                if m.has(Key::Review) {
                    self.diagnostics.push(
                        Diagnostic::error(STRUCTURE, "`review` is given twice in a metric")
                            .label(span, "given again here")
                            .help("keep one `review` statement"),
                    );
                } else {
                    m.push(Key::Review, span, Value::Map(review)).span = span;
                }
            }
            Rule::allow_stmt => {
                let mut allow = Node::new(Place::Allow, span);
                for c in s.into_inner() {
                    match c.as_rule() {
                        Rule::rule_code => {
                            allow.push_str(Key::AllowCode, self.str(&c));
                        }
                        Rule::string => {
                            allow.push_str(Key::AllowReason, self.string(c));
                        }
                        _ => {}
                    }
                }
                if allow.has(Key::AllowCode) {
                    push_item(m, Key::Allow, span, Value::Map(allow));
                }
            }
            Rule::compare_stmt => {
                let mut compare = Node::new(Place::Compare, span);
                for c in s.into_inner() {
                    match c.as_rule() {
                        Rule::metric_name => {
                            compare.push_str(Key::CompareMetric, self.str(&c));
                        }
                        Rule::compare_offset | Rule::compare_as => {
                            let key = if c.as_rule() == Rule::compare_offset {
                                Key::Offset
                            } else {
                                Key::CompareAs
                            };
                            let value = self.last_str(c);
                            self.clause(&mut compare, key, value);
                        }
                        _ => {}
                    }
                }
                m.push(Key::Compare, span, Value::Map(compare)).span = span;
            }
            Rule::conversion_stmt | Rule::base_stmt | Rule::event_stmt => {
                self.conversion_statement(s, m);
            }
            Rule::unknown_metric_item => self.simple_statement(s, m),
            _ => {}
        }
    }

    /// A clause of a statement (`offset 1`, `as growth`); a repeat is reported and ignored.
    fn clause(&mut self, node: &mut Node, key: Key, value: Str) {
        if let Some(first) = node.str(key) {
            self.diagnostics.push(
                Diagnostic::error(STRUCTURE, format!("`{}` is given twice", key.name()))
                    .label(value.span, "given again here")
                    .label(first.span, "first given here")
                    .help(format!("keep one `{}`", key.name())),
            );
        } else {
            node.push_str(key, value);
        }
    }

    /// `conversion ENTITY [within N days] [as rate|count]`, `base from SOURCE [where ...]` and
    /// `event from SOURCE [where ...]`: three statements of one conversion.
    fn conversion_statement(&mut self, s: Pair<'_, Rule>, m: &mut Node) {
        let span = self.span(&s);
        let rule = s.as_rule();
        if !m.has(Key::Conversion) {
            m.push(
                Key::Conversion,
                span,
                Value::Map(Node::new(Place::Conversion, span)),
            )
            .span = span;
        }
        let Some(field) = m.fields.iter_mut().find(|f| f.key == Key::Conversion) else {
            return;
        };
        field.span = field.span.to(span);
        let Value::Map(conv) = &mut field.value else {
            return;
        };
        conv.span = conv.span.to(span);
        match rule {
            Rule::conversion_stmt => {
                if conv.has(Key::Entity) {
                    self.diagnostics.push(
                        Diagnostic::error(STRUCTURE, "`conversion` is given twice in a metric")
                            .label(span, "given again here")
                            .help("a metric has one `conversion` line"),
                    );
                    return;
                }
                for c in s.into_inner() {
                    match c.as_rule() {
                        Rule::backtick | Rule::entity_name => {
                            let entity = if c.as_rule() == Rule::backtick {
                                self.fragment(c)
                            } else {
                                self.str(&c)
                            };
                            conv.push_str(Key::Entity, entity);
                        }
                        Rule::conversion_within | Rule::conversion_as => {
                            let key = if c.as_rule() == Rule::conversion_within {
                                Key::Within
                            } else {
                                Key::ConversionAs
                            };
                            let value = self.last_str(c);
                            self.clause(conv, key, value);
                        }
                        _ => {}
                    }
                }
            }
            _ => {
                let (key, word) = if rule == Rule::base_stmt {
                    (Key::Base, "base")
                } else {
                    (Key::Event, "event")
                };
                if conv.has(key) {
                    self.diagnostics.push(
                        Diagnostic::error(
                            STRUCTURE,
                            format!("`{word}` is given twice in a metric"),
                        )
                        .label(span, "given again here")
                        .help(format!("a conversion has one `{word}` line")),
                    );
                    return;
                }
                let mut side = Node::new(Place::ConversionSide, span);
                for c in s.into_inner() {
                    match c.as_rule() {
                        Rule::source_name => {
                            side.push_str(Key::SideSource, self.str(&c));
                        }
                        Rule::where_clause => {
                            if let Some(f) = c.into_inner().nth(1) {
                                side.push_str(Key::SideFilter, self.fragment(f));
                            }
                        }
                        _ => {}
                    }
                }
                conv.push(key, span, Value::Map(side)).span = span;
            }
        }
    }

    /// `word value` for a scalar key of the catalogue that has no grammar rule of its own;
    /// any other word is an unknown statement.
    fn simple_statement(&mut self, s: Pair<'_, Rule>, m: &mut Node) {
        let span = self.span(&s);
        let mut parts = s.clone().into_inner();
        let word = parts.next().map(|w| self.str(&w));
        let key = word
            .as_ref()
            .and_then(|w| Place::Metric.dsl_key(&w.value))
            .filter(|k| k.shape().is_scalar());
        let (Some(word), Some(key)) = (word, key) else {
            return self.unknown(s, "in a metric", Place::Metric);
        };
        let value = match parts.next() {
            Some(v) => self.trimmed(v.as_span().start(), v.as_str()),
            // A statement without a value sets a flag.
            None => Spanned::new("true".to_owned(), word.span),
        };
        let word = key.dsl_word();
        self.once(m, key, span, value, word, "a metric");
    }

    fn operand(&self, p: Pair<'_, Rule>) -> Value {
        match p.as_rule() {
            Rule::measure => Value::Map(self.measure(p)),
            _ => {
                let span = self.span(&p);
                let name = p.into_inner().next().map(|n| self.str(&n));
                Value::Scalar(name.unwrap_or_else(|| Spanned::new(String::new(), span)))
            }
        }
    }

    /// `AGG(ARGS) from SOURCE [where FRAGMENT] [having FRAGMENT]`.
    fn measure(&self, p: Pair<'_, Rule>) -> Node {
        let mut measure = Node::new(Place::Measure, self.span(&p));
        let mut agg_name: Option<String> = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::agg_name => {
                    agg_name = Some(c.as_str().to_ascii_lowercase());
                    measure.push_str(Key::MeasureAgg, self.str(&c));
                }
                Rule::agg_args => {
                    let args = self.trimmed(c.as_span().start(), c.as_str());
                    match agg_name.as_deref() {
                        Some("count") if args.value.is_empty() || args.value == "*" => {}
                        Some("percentile") => {
                            let (expr, p) = self.split_last_comma(&args);
                            measure.push_str(Key::MeasureExpr, expr);
                            if let Some(p) = p {
                                measure.push_str(Key::MeasureP, p);
                            }
                        }
                        _ if args.value.is_empty() => {}
                        _ => {
                            measure.push_str(Key::MeasureExpr, args);
                        }
                    }
                }
                Rule::source_name => {
                    measure.push_str(Key::MeasureSource, self.str(&c));
                }
                Rule::where_clause => {
                    if let Some(f) = c.into_inner().nth(1) {
                        measure.push_str(Key::Filter, self.fragment(f));
                    }
                }
                Rule::having_clause => {
                    if let Some(h) = c.into_inner().nth(1) {
                        measure.push_str(Key::Having, self.fragment(h));
                    }
                }
                _ => {}
            }
        }
        measure
    }
}
