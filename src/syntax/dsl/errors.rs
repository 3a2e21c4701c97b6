//! Pest's errors in words: what was expected (named the way the spec language reference names
//! things) and what was found, at the position where reading stopped, with help.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::Rule;
use crate::diagnostics::{Diagnostic, FileId, Span};
use crate::syntax::{did_you_mean, SYNTAX};

pub(super) fn diagnostic(file: FileId, text: &str, e: &Error<Rule>) -> Diagnostic {
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    }
    .min(text.len());
    let found = Found::at(text, pos);
    let span = Span::new(file, pos, pos + found.len);
    let positives = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { message } => {
            // Pest's own guards (native stack, call budget) end here.
            return Diagnostic::error(SYNTAX, format!("this file could not be read: {message}"))
                .label(span, "reading stopped here")
                .help("a spec nests a few levels at most; simplify the text near this position");
        }
    };
    let has = |r: Rule| positives.contains(&r);
    if found.describe == "`\"`" && has(Rule::string) {
        return Diagnostic::error(
            SYNTAX,
            "this string is not closed before the end of the line",
        )
        .label(span, "the string starts here")
        .help("close the string with `\"` on the same line; inside, write `\\\"` for a quote");
    }
    if text[pos..].starts_with('`') && (has(Rule::backtick) || has(Rule::sql_query)) {
        return Diagnostic::error(SYNTAX, "this backtick-quoted SQL is not closed")
            .label(Span::new(file, pos, pos + 1), "the SQL starts here")
            .help("close the SQL with a backtick; inside, double a backtick: ``a``b``");
    }
    let expected = expected(&positives);
    let message = match &expected {
        Some(what) => format!("expected {what}, found {}", found.describe),
        None => format!("unexpected {}", found.describe),
    };
    let mut help = help_for(&positives);
    if let Some(word) = &found.word {
        let keywords: Vec<&str> = positives.iter().filter_map(|r| keyword(*r)).collect();
        if let Some(k) = did_you_mean(word, &keywords) {
            help = format!("did you mean `{k}`? {help}");
        }
    }
    let label = match &expected {
        Some(what) => format!("expected {what}"),
        None => "unexpected text".to_owned(),
    };
    Diagnostic::error(SYNTAX, message)
        .label(span, label)
        .help(help)
}

/// What stands at the position where reading stopped.
struct Found {
    describe: String,
    /// The word found, when it is one (for "did you mean").
    word: Option<String>,
    /// Bytes to underline.
    len: usize,
}

impl Found {
    fn at(text: &str, pos: usize) -> Found {
        let rest = &text[pos..];
        let Some(first) = rest.chars().next() else {
            return Found {
                describe: "the end of the file".into(),
                word: None,
                len: 0,
            };
        };
        if first == '\n' || rest.starts_with("\r\n") {
            return Found {
                describe: "the end of the line".into(),
                word: None,
                len: 0,
            };
        }
        if first.is_control() || first == '\u{FEFF}' {
            let d = format!("the invisible character U+{:04X}", first as u32);
            return Found {
                describe: d,
                word: None,
                len: first.len_utf8(),
            };
        }
        let is_word = |c: char| c.is_alphanumeric() || c == '_';
        let len: usize = if is_word(first) {
            rest.chars()
                .take_while(|c| is_word(*c))
                .take(40)
                .map(char::len_utf8)
                .sum()
        } else {
            rest.chars()
                .take_while(|c| !c.is_whitespace() && !is_word(*c))
                .take(12)
                .map(char::len_utf8)
                .sum()
        };
        let token = &rest[..len];
        Found {
            describe: format!("`{token}`"),
            word: is_word(first).then(|| token.to_owned()),
            len,
        }
    }
}

/// The keyword a rule reads, for suggestions.
fn keyword(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::kw_lodestar => "lodestar",
        Rule::kw_product => "product",
        Rule::kw_game => "game",
        Rule::kw_owner => "owner",
        Rule::kw_slack => "slack",
        Rule::kw_source => "source",
        Rule::kw_from => "from",
        Rule::kw_sql => "sql",
        Rule::kw_at => "at",
        Rule::kw_north => "north star",
        Rule::kw_star => "star",
        Rule::kw_input => "input",
        Rule::kw_guardrail => "guardrail",
        Rule::kw_description => "description",
        Rule::kw_columns => "columns",
        Rule::kw_dimension => "dimension",
        Rule::kw_label => "label",
        Rule::kw_type => "type",
        Rule::kw_grain => "grain",
        Rule::kw_measure => "measure",
        Rule::kw_numerator => "numerator",
        Rule::kw_denominator => "denominator",
        Rule::kw_derived => "derived",
        Rule::kw_where => "where",
        Rule::kw_having => "having",
        Rule::kw_window => "window",
        Rule::kw_threshold => "threshold",
        Rule::kw_target => "target",
        Rule::kw_by => "by",
        Rule::kw_review => "review",
        Rule::kw_last => "last",
        Rule::kw_allow => "allow",
        Rule::kw_outcome => "outcome",
        Rule::kw_compare => "compare",
        Rule::kw_offset => "offset",
        Rule::kw_as => "as",
        Rule::kw_conversion => "conversion",
        Rule::kw_within => "within",
        Rule::kw_base => "base",
        Rule::kw_event => "event",
        _ => return None,
    })
}

/// A rule as the reference names it; `None` for rules never worth naming.
fn name(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "the end of the file",
        Rule::eol => "the end of the line",
        Rule::product_name => "a product name",
        Rule::game_name => "a game (`attention`, `transaction` or `productivity`)",
        Rule::owner_key => "an owner key such as `growth`",
        Rule::source_name => "a source name",
        Rule::metric_name => "a metric name such as `weekly_active_teams`",
        Rule::time_column => "the time column",
        Rule::column_name => "a column name",
        Rule::column_type => "a column type",
        Rule::dimension_name => "a dimension name",
        Rule::metric_type => "a metric type such as `engagement`",
        Rule::grain_name => "a grain (`day`, `week`, `month`, `quarter` or `year`)",
        Rule::agg_name => "an aggregation such as `sum(nights)`",
        Rule::cadence => "a review cadence such as `quarterly`",
        Rule::rule_code => "a rule code such as `LS103`",
        Rule::choice => "a word such as `growth` or `rate`",
        Rule::entity_name => "the entity's column, such as `guest_id`",
        Rule::version => "the language version `1`",
        Rule::number => "a number",
        Rule::date => "a date such as `2026-12-31`",
        Rule::window_value => "a window such as `7 days`",
        Rule::table => "a table name such as `analytics.bookings`",
        Rule::sql_query => "`sql` followed by a backtick-quoted SELECT",
        Rule::open_brace => "`{`",
        Rule::close_brace => "`}`",
        Rule::open_paren => "`(`",
        Rule::close_paren => "`)` to close the parenthesis",
        Rule::equals => "`=`",
        Rule::comma => "`,`",
        Rule::at_least | Rule::min_bound => "`>=`",
        Rule::at_most | Rule::max_bound => "`<=`",
        Rule::string | Rule::string_inner => "a double-quoted string",
        Rule::email | Rule::email_inner => {
            "an email address in angle brackets such as `<team@example.com>`"
        }
        Rule::slack => "`slack \"#channel\"`",
        Rule::backtick | Rule::backtick_inner => "SQL in backticks",
        Rule::sql_text | Rule::where_text | Rule::header_text => "a SQL expression",
        Rule::agg_args => "the aggregation's argument",
        Rule::measure => "a measure such as `sum(nights) from bookings`",
        Rule::metric_ref => "a metric name",
        Rule::where_clause => "`where`",
        Rule::having_clause => "`having`",
        Rule::raw_block => "a block closed by `}`",
        Rule::metric_block => "`{`",
        Rule::source_block => "`{`",
        Rule::derived_header => "`=`",
        _ => return None,
    })
}

const TOP_STATEMENT_KEYWORDS: [Rule; 5] = [
    Rule::kw_lodestar,
    Rule::kw_product,
    Rule::kw_game,
    Rule::kw_owner,
    Rule::kw_source,
];
const METRIC_KEYWORDS: [Rule; 4] = [
    Rule::kw_north,
    Rule::kw_input,
    Rule::kw_guardrail,
    Rule::kw_outcome,
];

/// "a metric block (`north star`, `input` or `guardrail`), `}` or the end of the file".
fn expected(positives: &[Rule]) -> Option<String> {
    let has = |r: &Rule| positives.contains(r);
    let mut parts: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !parts.contains(&s) {
            parts.push(s);
        }
    };
    // `lodestar` is a statement at the top level only; `owner` may also start a metric's line.
    let top = has(&Rule::kw_lodestar);
    let metric_start = METRIC_KEYWORDS.iter().any(has);
    let is_top_keyword = |r: &Rule| top && TOP_STATEMENT_KEYWORDS.contains(r);
    let block_keywords: Vec<&str> = positives
        .iter()
        .filter(|r| !is_top_keyword(r) && !METRIC_KEYWORDS.contains(r))
        .filter_map(|r| keyword(*r))
        .collect();
    if top {
        push("a statement (`lodestar`, `product`, `game`, `owner` or `source`)".into());
    }
    if metric_start {
        push("a metric block (`north star`, `input` or `guardrail`)".into());
    }
    if block_keywords.len() >= 3 {
        let kind = if has(&Rule::kw_measure) {
            "a metric statement"
        } else {
            "a source statement"
        };
        push(format!(
            "{kind} ({})",
            list(
                &block_keywords
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
            )
        ));
    }
    // SQL may be written bare or in backticks: one thing to the reader.
    let bare_sql = [Rule::sql_text, Rule::where_text, Rule::header_text]
        .iter()
        .any(has);
    for r in positives {
        if bare_sql && *r == Rule::backtick {
            continue;
        }
        if is_top_keyword(r) || METRIC_KEYWORDS.contains(r) {
            continue;
        }
        // Where a statement may start, a blank line may too: not worth saying. And where a
        // line may end, so may the file.
        let line_end = *r == Rule::eol || *r == Rule::EOI;
        if line_end && (top || metric_start || block_keywords.len() >= 3) && *r == Rule::eol {
            continue;
        }
        if *r == Rule::EOI && has(&Rule::eol) && !(top || metric_start) {
            continue;
        }
        if let Some(k) = keyword(*r) {
            if block_keywords.len() < 3 {
                push(format!("`{k}`"));
            }
            continue;
        }
        if let Some(n) = name(*r) {
            push(n.to_owned());
        }
    }
    // The end of a line or of the file reads best last.
    parts.sort_by_key(|p| p.starts_with("the end of"));
    (!parts.is_empty()).then(|| list(&parts))
}

/// `a`, `a or b`, `a, b or c`.
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Help for the most telling of the expected rules.
fn help_for(positives: &[Rule]) -> String {
    let has = |r: Rule| positives.contains(&r);
    if has(Rule::close_paren) || has(Rule::agg_args) {
        "close the aggregation's parenthesis, as in `sum(nights)`; parentheses and quotes inside \
         must be balanced"
            .into()
    } else if has(Rule::kw_from) && has(Rule::kw_at) {
        "a source reads `source NAME from TABLE at TIME_COLUMN`".into()
    } else if has(Rule::kw_from) {
        "a measure reads `AGG(EXPR) from SOURCE [where CONDITION] [having CONDITION]`".into()
    } else if has(Rule::kw_at) {
        "a source names its time column: `source NAME from TABLE at TIME_COLUMN`".into()
    } else if has(Rule::at_least) || has(Rule::at_most) || has(Rule::min_bound) {
        "write a threshold as `threshold >= MIN`, `threshold <= MAX` or `threshold >= MIN <= MAX`"
            .into()
    } else if has(Rule::kw_by) {
        "a target reads `target VALUE by YYYY-MM-DD`".into()
    } else if has(Rule::metric_name) {
        "a metric block starts with its role and name, as in `input new_hosts { ... }`".into()
    } else if has(Rule::metric_block) || has(Rule::open_brace) || has(Rule::derived_header) {
        "a metric's statements go in braces after its name: `input NAME { ... }`, or it is \
         derived: `input NAME = a / b`"
            .into()
    } else if has(Rule::close_brace) {
        "close the block with `}`, and put each statement at the start of a line".into()
    } else if has(Rule::string) || has(Rule::string_inner) {
        "write text in double quotes on one line; inside, write `\\\"` for a quote".into()
    } else if has(Rule::backtick) || has(Rule::backtick_inner) {
        "quote SQL in backticks and double a backtick inside it: `` `a``b` ``".into()
    } else if has(Rule::EOI) || has(Rule::eol) {
        "put one statement on each line; see the DSL reference in the README".into()
    } else {
        "see the DSL reference in the README for the form of each statement".into()
    }
}
