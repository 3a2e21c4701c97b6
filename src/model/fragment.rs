//! SQL fragments from a spec, parsed with sqlparser at once. A fragment that is not exactly one
//! expression (or, for a `sql` source, exactly one SELECT) keeps its error; rule LS006 reports
//! it. Nothing from a spec reaches generated SQL except through the parsed tree.

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Query, Statement};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, Whitespace};

use crate::diagnostics::{Span, Spanned};

/// Deeper SQL expressions than this are refused (sqlparser's own default is 50).
const RECURSION_LIMIT: usize = 48;

/// What a fragment must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FragmentKind {
    /// An expression (`expr`, dimension expressions).
    Expr,
    /// A boolean condition over a source's rows (`filter`).
    Filter,
    /// A condition over one entity's rows, aggregates allowed (`having`).
    Having,
    /// Arithmetic over metric names (`derived`).
    Derived,
    /// One SELECT (`sql` sources).
    Select,
}

impl FragmentKind {
    pub fn describe(self) -> &'static str {
        match self {
            FragmentKind::Expr => "an expression",
            FragmentKind::Filter => "a filter",
            FragmentKind::Having => "a `having` condition",
            FragmentKind::Derived => "a derived expression",
            FragmentKind::Select => "a `sql` source",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Parsed {
    Expr(Box<Expr>),
    Select(Box<Query>),
}

/// Why a fragment was refused, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FragmentError {
    pub message: String,
    pub span: Span,
    pub help: String,
}

/// A SQL fragment: its text as written, and its parse.
#[derive(Clone, Debug)]
pub struct Fragment {
    pub text: Spanned<String>,
    pub kind: FragmentKind,
    pub parsed: Result<Parsed, FragmentError>,
}

/// Two fragments are equal when they say the same thing: same text (ignoring spans).
impl PartialEq for Fragment {
    fn eq(&self, other: &Fragment) -> bool {
        self.kind == other.kind && self.text.value.trim() == other.text.value.trim()
    }
}

impl Fragment {
    pub fn parse(text: Spanned<String>, kind: FragmentKind) -> Fragment {
        let parsed = parse(&text, kind);
        Fragment { text, kind, parsed }
    }

    pub fn expr(&self) -> Option<&Expr> {
        match &self.parsed {
            Ok(Parsed::Expr(e)) => Some(e),
            _ => None,
        }
    }

    pub fn query(&self) -> Option<&Query> {
        match &self.parsed {
            Ok(Parsed::Select(q)) => Some(q),
            _ => None,
        }
    }

    /// Where a node of the parse is in the file (sqlparser's lines and columns within the
    /// fragment); the whole fragment when the node has no position or the text is not verbatim
    /// in the file (a quoted YAML scalar with escapes).
    pub fn span_at(&self, at: sqlparser::tokenizer::Span) -> Span {
        span_in(&self.text, at)
    }

    /// The column names an expression fragment over source `source` reads: an identifier, or
    /// the first part of a dotted name (`payload.amount` reads the struct column `payload`), after
    /// the source's own name (`bookings.status`: the generated SQL names the source so).
    pub fn columns(&self, source: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(expr) = self.expr() {
            let _ = sqlparser::ast::visit_expressions(expr, |e| {
                match e {
                    Expr::Identifier(id) => out.push(id.value.clone()),
                    Expr::CompoundIdentifier(parts) => {
                        let qualified = parts.len() > 1 && parts[0].value == source;
                        if let Some(column) = parts.get(usize::from(qualified)) {
                            out.push(column.value.clone());
                        }
                    }
                    _ => {}
                }
                ControlFlow::<()>::Continue(())
            });
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Where a sqlparser span of `text` is in the file; the whole fragment when the text is not
/// verbatim in the file.
fn span_in(text: &Spanned<String>, at: sqlparser::tokenizer::Span) -> Span {
    if text.span.len() != text.value.len() {
        return text.span;
    }
    let start = offset(&text.value, at.start.line, at.start.column);
    let end = offset(&text.value, at.end.line, at.end.column);
    match (start, end) {
        (Some(s), Some(e)) if s < e => text.span.sub(s, e),
        (Some(s), _) => text.span.sub(s, (s + 1).min(text.value.len())),
        _ => text.span,
    }
}

/// The byte offset of a sqlparser location (1-based line and column) in `text`; `None` for an
/// empty location or one past the text.
fn offset(text: &str, line: u64, col: u64) -> Option<usize> {
    if line == 0 || col == 0 {
        return None;
    }
    let mut start = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            let within = l
                .char_indices()
                .nth(col as usize - 1)
                .map(|(b, _)| b)
                .unwrap_or(l.len());
            return Some(start + within);
        }
        start += l.len();
    }
    None
}

/// Maps a sqlparser location (1-based line and column within the fragment) to a span in the
/// file. When the text is not verbatim in the file (a quoted YAML scalar with escapes), points
/// at the whole fragment instead.
fn locate(text: &Spanned<String>, line: u64, col: u64, len: usize) -> Span {
    if text.span.len() != text.value.len() || line == 0 {
        return text.span;
    }
    let mut offset = 0;
    for (i, l) in text.value.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            let within: usize = l
                .char_indices()
                .nth((col as usize).saturating_sub(1))
                .map(|(b, _)| b)
                .unwrap_or(l.len());
            let start = offset + within;
            return text
                .span
                .sub(start, (start + len.max(1)).min(text.value.len()));
        }
        offset += l.len();
    }
    text.span
}

fn error(text: &Spanned<String>, span: Span, message: String, help: &str) -> FragmentError {
    let _ = text;
    FragmentError {
        message,
        span,
        help: help.to_owned(),
    }
}

fn parse(text: &Spanned<String>, kind: FragmentKind) -> Result<Parsed, FragmentError> {
    let sql = text.value.as_str();
    let what = kind.describe();
    if sql.trim().is_empty() {
        return Err(error(
            text,
            text.span,
            format!("{what} is empty"),
            "write one SQL expression here",
        ));
    }
    if let Some(e) = template_problem(text, kind) {
        return Err(e);
    }
    let dialect = GenericDialect {};
    let tokens: Vec<TokenWithSpan> = match Tokenizer::new(&dialect, sql).tokenize_with_location() {
        Ok(tokens) => tokens,
        Err(e) => {
            let span = locate(text, e.location.line, e.location.column, 1);
            return Err(error(
                text,
                span,
                format!("{what} is not valid SQL: {}", e.message),
                "check quotes and brackets: every string and quoted name must be closed",
            ));
        }
    };
    for t in &tokens {
        let at = |len| locate(text, t.span.start.line, t.span.start.column, len);
        match &t.token {
            Token::Whitespace(Whitespace::SingleLineComment { .. })
            | Token::Whitespace(Whitespace::MultiLineComment(_)) => {
                return Err(error(
                    text,
                    at(2),
                    format!("{what} contains a SQL comment"),
                    "comments inside SQL fragments could hide the rest of a generated query; \
                     put remarks in the metric's `description` instead",
                ));
            }
            // `x = 'a'# note`: a `#` is a comment only after a blank, as in YAML.
            Token::Sharp => return Err(sharp_error(text, at(1), what)),
            Token::Word(w) if w.quote_style.is_none() && w.value.starts_with('#') => {
                return Err(sharp_error(text, at(1), what))
            }
            Token::SemiColon => {
                return Err(error(
                    text,
                    at(1),
                    format!("{what} contains `;`, which would end the statement"),
                    "a fragment is exactly one expression; remove the `;` and anything after it",
                ));
            }
            _ => {}
        }
    }
    // Where each token starts and how long it is, to point at the one an error names. Only
    // asked for on an error, so the tokens are read again then rather than kept on every parse.
    let tokens_again = || -> Vec<(u64, u64, usize, bool)> {
        Tokenizer::new(&dialect, sql)
            .tokenize_with_location()
            .unwrap_or_default()
            .iter()
            .map(|t| {
                let blank = matches!(t.token, Token::Whitespace(_) | Token::EOF);
                (
                    t.span.start.line,
                    t.span.start.column,
                    token_len(&t.token),
                    blank,
                )
            })
            .collect()
    };
    let mut parser = Parser::new(&dialect)
        .with_recursion_limit(RECURSION_LIMIT)
        .with_tokens_with_locations(tokens);
    let parse_error = |e: ParserError, parser: &Parser| {
        // sqlparser names the token it stopped at (" at Line: L, Column: C"); where it has
        // already consumed it, the next token would be one too late.
        let named = match &e {
            ParserError::ParserError(m) | ParserError::TokenizerError(m) => position(m),
            ParserError::RecursionLimitExceeded => None,
        };
        let span = match named {
            Some((line, column)) => {
                let len = tokens_again()
                    .into_iter()
                    .find(|&(l, c, _, _)| (l, c) == (line, column))
                    .map_or(1, |(_, _, len, _)| len);
                locate(text, line, column, len)
            }
            None => match (
                parser.peek_token(),
                tokens_again()
                    .into_iter()
                    .rev()
                    .find(|t| !t.3)
                    .map(|(l, c, len, _)| (l, c, len)),
            ) {
                // Input ended too soon: point at its last token.
                (t, Some((line, column, len))) if t.token == Token::EOF => {
                    locate(text, line, column, len)
                }
                (t, _) => locate(
                    text,
                    t.span.start.line,
                    t.span.start.column,
                    token_len(&t.token),
                ),
            },
        };
        let message = match e {
            ParserError::RecursionLimitExceeded => format!("{what} is nested too deeply"),
            ParserError::ParserError(m) | ParserError::TokenizerError(m) => {
                format!("{what} is not valid SQL: {}", strip_position(&m))
            }
        };
        error(text, span, message, "write exactly one SQL expression")
    };
    match kind {
        FragmentKind::Select => {
            let statements = match parser.parse_statements() {
                Ok(s) => s,
                Err(e) => return Err(parse_error(e, &parser)),
            };
            match <[Statement; 1]>::try_from(statements) {
                Ok([Statement::Query(q)]) => {
                    if let Some(e) = query_problem(text, &q) {
                        return Err(e);
                    }
                    Ok(Parsed::Select(q))
                }
                Ok(_) => Err(error(
                    text,
                    text.span,
                    "a `sql` source must be a SELECT query".to_owned(),
                    "write one `select ... from ...`; other statements are never run",
                )),
                Err(v) => Err(error(
                    text,
                    text.span,
                    format!(
                        "a `sql` source must be exactly one SELECT, found {} statements",
                        v.len()
                    ),
                    "keep one SELECT; joins and filters belong inside it",
                )),
            }
        }
        _ => {
            let expr = match parser.parse_expr() {
                Ok(e) => e,
                Err(e) => return Err(parse_error(e, &parser)),
            };
            let next = parser.peek_token();
            if next.token != Token::EOF {
                let span = locate(
                    text,
                    next.span.start.line,
                    next.span.start.column,
                    token_len(&next.token),
                );
                // `where status = 1` reads as the column `where` followed by more text.
                let first = text.value.split_whitespace().next().unwrap_or("");
                let keyword = ["where", "having", "select"]
                    .into_iter()
                    .find(|k| first.eq_ignore_ascii_case(k));
                let help = match keyword {
                    Some(_) => format!(
                        "drop the leading `{first}`: write the condition alone (`{}`)",
                        text.value.trim()[first.len()..].trim_start()
                    ),
                    None => "remove the trailing text, or combine conditions with `and` / `or`"
                        .to_owned(),
                };
                return Err(error(
                    text,
                    span,
                    format!(
                        "{what} must be exactly one expression, but `{}` follows it",
                        next.token
                    ),
                    &help,
                ));
            }
            if let Some(e) = expr_problem(text, kind, &expr) {
                return Err(e);
            }
            Ok(Parsed::Expr(Box::new(expr)))
        }
    }
}

/// A `#` glued to the SQL before it: not a comment (that needs a blank before it), and not SQL.
fn sharp_error(text: &Spanned<String>, span: Span, what: &str) -> FragmentError {
    error(
        text,
        span,
        format!("{what} contains `#`, which is not SQL"),
        "a comment starts with a blank and `#` (`status = 'x'  # note`); a `#` right after other \
         text is read as part of the SQL, and in YAML a comment must stand outside the quotes",
    )
}

/// A Jinja template pasted from MetricFlow or dbt (`{{ Dimension('order__status') }}`): lodestar
/// reads the columns of a source by name, so the fragment says what the template stood for.
fn template_problem(text: &Spanned<String>, kind: FragmentKind) -> Option<FragmentError> {
    let sql = &text.value;
    let start = sql.find("{{")?;
    let end = sql[start..].find("}}").map_or(sql.len(), |i| start + i + 2);
    let template = &sql[start..end];
    let span = if text.span.len() == sql.len() {
        text.span.sub(start, end)
    } else {
        text.span
    };
    // Every template replaced by the column it names, when each names one.
    let mut plain = String::new();
    let mut rest = sql.as_str();
    let mut all = true;
    while let Some(i) = rest.find("{{") {
        let Some(j) = rest[i..].find("}}").map(|j| i + j + 2) else {
            all = false;
            break;
        };
        plain.push_str(&rest[..i]);
        match template_column(&rest[i + 2..j - 2]) {
            Some(c) => plain.push_str(&c),
            None => all = false,
        }
        rest = &rest[j..];
    }
    plain.push_str(rest);
    let help = if all && kind != FragmentKind::Select {
        format!(
            "name the column of the source itself (the part after `__`): `{}`",
            plain.trim()
        )
    } else {
        "write the SQL the template stands for: a column of the source by its name".to_owned()
    };
    Some(FragmentError {
        message: format!(
            "{} contains the template `{template}`; lodestar needs no templates",
            kind.describe()
        ),
        span,
        help,
    })
}

/// The column a MetricFlow template names: `Dimension('order__status')` → `status`,
/// `TimeDimension('metric_time', 'day')` → `metric_time`, `Entity('user')` → `user`.
fn template_column(inner: &str) -> Option<String> {
    let inner = inner.trim();
    let (function, args) = inner.split_once('(')?;
    if !["Dimension", "TimeDimension", "Entity"].contains(&function.trim()) {
        return None;
    }
    let first = args.split([',', ')']).next()?.trim();
    let name = first.strip_prefix(['\'', '"'])?.strip_suffix(['\'', '"'])?;
    let column = name.rsplit("__").next()?;
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    (!column.is_empty() && column.chars().all(ident)).then(|| column.to_owned())
}

fn token_len(t: &Token) -> usize {
    t.to_string().len().max(1)
}

/// The " at Line: L, Column: C" position at the end of a sqlparser error message.
fn position(m: &str) -> Option<(u64, u64)> {
    let rest = &m[m.rfind(" at Line: ")? + " at Line: ".len()..];
    let (line, column) = rest.split_once(", Column: ")?;
    Some((line.trim().parse().ok()?, column.trim().parse().ok()?))
}

fn strip_position(m: &str) -> String {
    match m.find(" at Line:") {
        Some(i) => m[..i].to_owned(),
        None => m.to_owned(),
    }
}

/// What an expression may contain beyond being one expression.
fn expr_problem(text: &Spanned<String>, kind: FragmentKind, expr: &Expr) -> Option<FragmentError> {
    let mut problem = None;
    let _ = sqlparser::ast::visit_expressions(expr, |e| {
        let found = match e {
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => Some((
                "contains a subquery",
                "a measure reads one source; put joins and subqueries inside a `sql` source",
            )),
            Expr::Function(f) if kind == FragmentKind::Derived => {
                if let Some(p) = nullif_problem(text, f) {
                    problem = Some(p);
                    return ControlFlow::Break(());
                }
                Some((
                    "calls a function",
                    "a derived metric is arithmetic over metric names: + - * / and parentheses",
                ))
            }
            Expr::Value(v)
                if kind == FragmentKind::Derived
                    && !matches!(v.value, sqlparser::ast::Value::Number(..)) =>
            {
                Some((
                    "contains a non-numeric literal",
                    "a derived metric is arithmetic over metric names: + - * / and parentheses",
                ))
            }
            _ => None,
        };
        if let Some((msg, help)) = found {
            problem = Some(FragmentError {
                message: format!("{} {msg}", kind.describe()),
                span: text.span,
                help: help.to_owned(),
            });
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    if problem.is_none() && kind == FragmentKind::Derived {
        let allowed = |e: &Expr| {
            matches!(
                e,
                Expr::Identifier(_)
                    | Expr::Value(_)
                    | Expr::Nested(_)
                    | Expr::UnaryOp { .. }
                    | Expr::BinaryOp {
                        op: sqlparser::ast::BinaryOperator::Plus
                            | sqlparser::ast::BinaryOperator::Minus
                            | sqlparser::ast::BinaryOperator::Multiply
                            | sqlparser::ast::BinaryOperator::Divide,
                        ..
                    }
            )
        };
        let _ = sqlparser::ast::visit_expressions(expr, |e| {
            if !allowed(e) {
                problem = Some(FragmentError {
                    message: format!("a derived expression may not contain `{e}`"),
                    span: text.span,
                    help: "a derived metric is arithmetic over metric names of this product: \
                           + - * / and parentheses"
                        .to_owned(),
                });
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        });
    }
    problem
}

/// `a / NULLIF(b, 0)` in a derived metric: its `/` already gives NULL for a zero denominator.
fn nullif_problem(text: &Spanned<String>, f: &sqlparser::ast::Function) -> Option<FragmentError> {
    use sqlparser::ast::{FunctionArg, FunctionArgExpr, FunctionArguments, Spanned as _};
    if !f.name.to_string().eq_ignore_ascii_case("nullif") {
        return None;
    }
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(first))) = list.args.first() else {
        return None;
    };
    let at = f.span();
    let start = offset(&text.value, at.start.line, at.start.column)?;
    let mut end = offset(&text.value, at.end.line, at.end.column)?;
    // sqlparser's span of a call ends with its last argument, before the `)`.
    let blank = text.value[end..].len() - text.value[end..].trim_start().len();
    if text.value[end + blank..].starts_with(')') {
        end += blank + 1;
    }
    let plain = format!("{}{first}{}", &text.value[..start], &text.value[end..]);
    Some(FragmentError {
        message: "a derived expression calls `NULLIF`, which it does not need".to_owned(),
        span: if text.span.len() == text.value.len() {
            text.span.sub(start, end)
        } else {
            text.span
        },
        help: format!(
            "`/` in a derived metric is already NULL-safe: a zero denominator gives NULL, never a \
             division error. Write `{}`",
            plain.trim()
        ),
    })
}

fn query_problem(text: &Spanned<String>, q: &Query) -> Option<FragmentError> {
    use sqlparser::ast::SetExpr;
    match q.body.as_ref() {
        SetExpr::Select(_) | SetExpr::SetOperation { .. } | SetExpr::Query(_) => None,
        _ => Some(FragmentError {
            message: "a `sql` source must be a SELECT query".to_owned(),
            span: text.span,
            help: "write one `select ... from ...`".to_owned(),
        }),
    }
}
