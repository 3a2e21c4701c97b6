//! Pest pairs → [`ast::File`]. Every value keeps the byte span of the text it came from; SQL
//! fragments keep their text exactly as written so that positions inside them stay right.

use pest::iterators::Pair;

use super::Rule;
use crate::diagnostics::{Diagnostic, FileId, Span, Spanned};
use crate::syntax::ast::{self, Str, Syntax};
use crate::syntax::keys::unknown_key_help;
use crate::syntax::STRUCTURE;

/// The top-level statements, for suggestions.
const TOP_STATEMENTS: &[&str] = &[
    "lodestar",
    "product",
    "game",
    "owner",
    "source",
    "north star",
    "input",
    "guardrail",
];
const SOURCE_STATEMENTS: &[&str] = &["description", "columns", "dimension"];
const METRIC_STATEMENTS: &[&str] = &[
    "description",
    "label",
    "owner",
    "type",
    "grain",
    "measure",
    "numerator",
    "denominator",
    "derived",
    "window",
    "threshold",
    "target",
    "review",
    "allow",
];

pub(super) fn file(file: FileId, root: Pair<'_, Rule>) -> (Option<ast::File>, Vec<Diagnostic>) {
    let mut b = Builder {
        file,
        diagnostics: Vec::new(),
    };
    let mut tree = ast::File::empty(file, Syntax::Lode);
    for p in root.into_inner() {
        match p.as_rule() {
            Rule::version_stmt => {
                let v = b.last_str(p);
                b.once(&mut tree.version, v, "lodestar", "the file");
            }
            Rule::product_stmt => {
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::product_name => {
                            let name = b.str(&c);
                            b.once(&mut tree.product, name, "product", "the file");
                        }
                        Rule::string => tree.description = Some(b.string(c)),
                        _ => {}
                    }
                }
            }
            Rule::game_stmt => {
                let g = b.last_str(p);
                b.once(&mut tree.game, g, "game", "the file");
            }
            Rule::owner_stmt => tree.owners.push(b.owner(p)),
            Rule::source_stmt => tree.sources.push(b.source(p)),
            Rule::north_star => tree.north_stars.push(b.metric(p, ast::Role::NorthStar)),
            Rule::input => tree.inputs.push(b.metric(p, ast::Role::Input)),
            Rule::guardrail => tree.guardrails.push(b.metric(p, ast::Role::Guardrail)),
            Rule::unknown_top => b.unknown(p, "at the top of a spec", TOP_STATEMENTS),
            _ => {}
        }
    }
    (Some(tree), b.diagnostics)
}

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

    /// Sets a statement that may be given once; a repeat is reported and ignored.
    fn once(&mut self, slot: &mut Option<Str>, value: Str, statement: &str, place: &str) {
        if let Some(first) = slot {
            let d = Diagnostic::error(
                STRUCTURE,
                format!("`{statement}` is given twice in {place}"),
            )
            .label(value.span, "given again here")
            .label(first.span, "first given here")
            .help(format!("keep one `{statement}` statement"));
            self.diagnostics.push(d);
        } else {
            *slot = Some(value);
        }
    }

    fn unknown(&mut self, p: Pair<'_, Rule>, place: &str, known: &[&str]) {
        let span = self.span(&p);
        let word = p.into_inner().next().map(|w| self.str(&w));
        let word = word.unwrap_or_else(|| Spanned::new(String::new(), span));
        let d = Diagnostic::error(
            STRUCTURE,
            format!("unknown statement `{}` {place}", word.value),
        )
        .label(word.span, "unknown statement")
        .help(unknown_key_help(&word.value, known));
        self.diagnostics.push(d);
    }

    fn owner(&mut self, p: Pair<'_, Rule>) -> ast::Owner {
        let span = self.span(&p);
        let mut owner = ast::Owner {
            key: Spanned::new(String::new(), span),
            name: None,
            email: None,
            slack: None,
        };
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::owner_key => owner.key = self.str(&c),
                Rule::string => owner.name = Some(self.string(c)),
                Rule::email => owner.email = c.into_inner().next().map(|e| self.str(&e)),
                Rule::slack => {
                    owner.slack = c
                        .into_inner()
                        .find(|s| s.as_rule() == Rule::string)
                        .map(|s| self.string(s))
                }
                _ => {}
            }
        }
        owner
    }

    fn source(&mut self, p: Pair<'_, Rule>) -> ast::Source {
        let span = self.span(&p);
        let mut source = ast::Source {
            name: Spanned::new(String::new(), span),
            description: None,
            table: None,
            sql: None,
            time: None,
            columns: None,
            dimensions: Vec::new(),
        };
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::source_name => source.name = self.str(&c),
                Rule::table => source.table = Some(self.str(&c)),
                Rule::sql_query => {
                    source.sql = c
                        .into_inner()
                        .find(|q| q.as_rule() == Rule::backtick)
                        .map(|q| self.fragment(q))
                }
                Rule::time_column => source.time = Some(self.str(&c)),
                Rule::source_block => self.source_block(c, &mut source),
                _ => {}
            }
        }
        source
    }

    fn source_block(&mut self, p: Pair<'_, Rule>, source: &mut ast::Source) {
        for s in p.into_inner() {
            match s.as_rule() {
                Rule::description_stmt => {
                    let d = self.string_of(s);
                    self.once(&mut source.description, d, "description", "a source");
                }
                Rule::columns_stmt => {
                    let span = self.span(&s);
                    let columns: Vec<ast::Column> = s
                        .into_inner()
                        .filter(|c| c.as_rule() == Rule::column)
                        .map(|c| {
                            let mut parts = c.into_inner();
                            let name = parts.next().map(|n| self.str(&n));
                            ast::Column {
                                name: name.unwrap_or_else(|| Spanned::new(String::new(), span)),
                                data_type: parts.next().map(|t| self.str(&t)),
                            }
                        })
                        .collect();
                    match &mut source.columns {
                        // Two `columns` lines read as one list.
                        Some(existing) => existing.extend(columns),
                        None => source.columns = Some(columns),
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
                        source.dimensions.push(ast::Dimension { name, expr });
                    }
                }
                Rule::unknown_source_item => self.unknown(s, "in a source", SOURCE_STATEMENTS),
                _ => {}
            }
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

    fn metric(&mut self, p: Pair<'_, Rule>, role: ast::Role) -> ast::Metric {
        let span = self.span(&p);
        let mut m = ast::Metric {
            role,
            span,
            name: Spanned::new(String::new(), span),
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
        // Where the ratio built from `numerator` and `denominator` lines sits in `compute`.
        let mut ratio = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::metric_name => m.name = self.str(&c),
                Rule::string => m.label = Some(self.string(c)),
                Rule::derived_header => {
                    if let Some(e) = c.into_inner().find(|e| e.as_rule() != Rule::equals) {
                        m.compute.push(ast::Compute::Derived(self.fragment(e)));
                    }
                }
                Rule::metric_block => {
                    for s in c.into_inner() {
                        self.metric_statement(s, &mut m, &mut ratio);
                    }
                }
                _ => {}
            }
        }
        m
    }

    fn metric_statement(
        &mut self,
        s: Pair<'_, Rule>,
        m: &mut ast::Metric,
        ratio: &mut Option<usize>,
    ) {
        let span = self.span(&s);
        match s.as_rule() {
            Rule::description_stmt => {
                let d = self.string_of(s);
                self.once(&mut m.description, d, "description", "a metric");
            }
            Rule::label_stmt => {
                let l = self.string_of(s);
                self.once(&mut m.label, l, "label", "a metric");
            }
            Rule::owner_ref => {
                let o = self.last_str(s);
                self.once(&mut m.owner, o, "owner", "a metric");
            }
            Rule::type_stmt => {
                let t = self.last_str(s);
                self.once(&mut m.metric_type, t, "type", "a metric");
            }
            Rule::grain_stmt => {
                let g = self.last_str(s);
                self.once(&mut m.grain, g, "grain", "a metric");
            }
            Rule::window_stmt => {
                let w = self.last_str(s);
                self.once(&mut m.window, w, "window", "a metric");
            }
            Rule::measure_stmt => {
                if let Some(measure) = s.into_inner().find(|c| c.as_rule() == Rule::measure) {
                    m.compute.push(ast::Compute::Measure(self.measure(measure)));
                }
            }
            Rule::derived_stmt => {
                if let Some(e) = s.into_inner().find(|e| e.as_rule() != Rule::kw_derived) {
                    m.compute.push(ast::Compute::Derived(self.fragment(e)));
                }
            }
            Rule::numerator_stmt | Rule::denominator_stmt => {
                let is_numerator = s.as_rule() == Rule::numerator_stmt;
                let operand = s.into_inner().nth(1).map(|o| self.operand(o));
                let index = *ratio.get_or_insert_with(|| {
                    m.compute.push(ast::Compute::Ratio {
                        span,
                        numerator: None,
                        denominator: None,
                    });
                    m.compute.len() - 1
                });
                if let ast::Compute::Ratio {
                    span: whole,
                    numerator,
                    denominator,
                } = &mut m.compute[index]
                {
                    *whole = whole.to(span);
                    let (slot, word) = if is_numerator {
                        (numerator, "numerator")
                    } else {
                        (denominator, "denominator")
                    };
                    if slot.is_some() {
                        self.diagnostics.push(
                            Diagnostic::error(
                                STRUCTURE,
                                format!("`{word}` is given twice in a metric"),
                            )
                            .label(span, "given again here")
                            .help(format!("a ratio has one `{word}`; keep one of these lines")),
                        );
                    } else {
                        *slot = operand;
                    }
                }
            }
            Rule::threshold_stmt => {
                let mut min = None;
                let mut max = None;
                for b in s.into_inner() {
                    let bound = b.as_rule();
                    let value = b
                        .into_inner()
                        .find(|n| n.as_rule() == Rule::number)
                        .map(|n| self.str(&n));
                    match bound {
                        Rule::min_bound => min = value,
                        Rule::max_bound => max = value,
                        _ => {}
                    }
                }
                match &mut m.threshold {
                    None => m.threshold = Some(ast::Threshold { span, min, max }),
                    // `threshold >= 1` and `threshold <= 5` on two lines read as one threshold.
                    Some(t) => {
                        t.span = t.span.to(span);
                        for (slot, value, op) in [(&mut t.min, min, ">="), (&mut t.max, max, "<=")]
                        {
                            let Some(value) = value else { continue };
                            if slot.is_some() {
                                self.diagnostics.push(
                                    Diagnostic::error(
                                        STRUCTURE,
                                        format!("the threshold's `{op}` bound is given twice"),
                                    )
                                    .label(value.span, "given again here")
                                    .help("keep one bound of each kind: `threshold >= MIN <= MAX`"),
                                );
                            } else {
                                *slot = Some(value);
                            }
                        }
                    }
                }
            }
            Rule::target_stmt => {
                let mut target = ast::Target {
                    span,
                    by: None,
                    value: None,
                };
                for c in s.into_inner() {
                    match c.as_rule() {
                        Rule::number => target.value = Some(self.str(&c)),
                        Rule::date => target.by = Some(self.str(&c)),
                        _ => {}
                    }
                }
                m.targets.push(target);
            }
            Rule::review_stmt => {
                let mut review = ast::Review {
                    span,
                    cadence: None,
                    last_reviewed: None,
                };
                for c in s.into_inner() {
                    match c.as_rule() {
                        Rule::cadence => review.cadence = Some(self.str(&c)),
                        Rule::date => review.last_reviewed = Some(self.str(&c)),
                        _ => {}
                    }
                }
                if m.review.is_some() {
                    self.diagnostics.push(
                        Diagnostic::error(STRUCTURE, "`review` is given twice in a metric")
                            .label(span, "given again here")
                            .help("keep one `review` statement"),
                    );
                } else {
                    m.review = Some(review);
                }
            }
            Rule::allow_stmt => {
                let mut code = None;
                let mut reason = None;
                for c in s.into_inner() {
                    match c.as_rule() {
                        Rule::rule_code => code = Some(self.str(&c)),
                        Rule::string => reason = Some(self.string(c)),
                        _ => {}
                    }
                }
                if let Some(code) = code {
                    m.allow.push(ast::Allow { span, code, reason });
                }
            }
            Rule::unknown_metric_item => self.unknown(s, "in a metric", METRIC_STATEMENTS),
            _ => {}
        }
    }

    fn operand(&self, p: Pair<'_, Rule>) -> ast::Operand {
        match p.as_rule() {
            Rule::measure => ast::Operand::Measure(self.measure(p)),
            _ => {
                let span = self.span(&p);
                let name = p.into_inner().next().map(|n| self.str(&n));
                ast::Operand::Metric(name.unwrap_or_else(|| Spanned::new(String::new(), span)))
            }
        }
    }

    /// `AGG(ARGS) from SOURCE [where FRAGMENT] [having FRAGMENT]`.
    fn measure(&self, p: Pair<'_, Rule>) -> ast::Measure {
        let mut measure = ast::Measure {
            span: self.span(&p),
            source: None,
            agg: None,
            expr: None,
            p: None,
            filter: None,
            having: None,
        };
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::agg_name => measure.agg = Some(self.str(&c)),
                Rule::agg_args => {
                    let agg = measure.agg.as_ref().map(|a| a.value.to_ascii_lowercase());
                    let args = self.trimmed(c.as_span().start(), c.as_str());
                    match agg.as_deref() {
                        Some("count") if args.value.is_empty() || args.value == "*" => {}
                        Some("percentile") => {
                            let (expr, p) = self.split_last_comma(&args);
                            measure.expr = Some(expr);
                            measure.p = p;
                        }
                        _ if args.value.is_empty() => {}
                        _ => measure.expr = Some(args),
                    }
                }
                Rule::source_name => measure.source = Some(self.str(&c)),
                Rule::where_clause => {
                    measure.filter = c.into_inner().nth(1).map(|f| self.fragment(f));
                }
                Rule::having_clause => {
                    measure.having = c.into_inner().nth(1).map(|f| self.fragment(f));
                }
                _ => {}
            }
        }
        measure
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
}
