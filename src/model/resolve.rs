//! Syntax trees of a project → one [`Project`]. Values get their types here; what cannot be
//! typed is reported (LS902, LS903) and left out. Names are *not* checked here: the rules
//! (LS004, LS005, LS008) check them over the finished model, so every problem is reported once.

use chrono::NaiveDate;

use super::fragment::{Fragment, FragmentKind};
use super::values::{Agg, Cadence, Game, Grain, MetricType};
use super::*;
use crate::diagnostics::{Diagnostic, Spanned};
use crate::syntax::{ast, STRUCTURE, VALUE};

/// Builds the model of a project from the syntax trees of its files.
/// `files` may be owned trees or references to them (a diff shares one file's tree between
/// two revisions).
pub fn resolve<F>(files: &[F]) -> (Project, Vec<Diagnostic>)
where
    F: std::borrow::Borrow<ast::File> + Sync,
{
    use rayon::prelude::*;
    // Files resolve independently (names are checked later, by the rules), so they resolve in
    // parallel and are merged in file order.
    let parts: Vec<(Project, Vec<Diagnostic>)> =
        files.par_iter().map(|f| resolve_file(f.borrow())).collect();
    let mut project = Project::default();
    let mut diagnostics = Vec::new();
    for (part, mut found) in parts {
        project.files.extend(part.files);
        project.owners.extend(part.owners);
        project.sources.extend(part.sources);
        project.products.extend(part.products);
        diagnostics.append(&mut found);
    }
    (project, diagnostics)
}

fn resolve_file(f: &ast::File) -> (Project, Vec<Diagnostic>) {
    let mut cx = Resolver {
        diagnostics: Vec::new(),
    };
    let mut project = Project::default();
    project.files.push(FileInfo {
        file: f.file,
        syntax: f.syntax,
        version: f.version.clone(),
    });
    cx.version(f);
    for o in &f.owners {
        project.owners.push(Owner {
            key: o.key.clone(),
            name: o.name.clone(),
            email: o.email.clone(),
            slack: o.slack.clone(),
            file: f.file,
        });
    }
    for s in &f.sources {
        project.sources.push(cx.source(f, s));
    }
    if let Some(product) = cx.product(f) {
        project.products.push(product);
    }
    (project, cx.diagnostics)
}

struct Resolver {
    diagnostics: Vec<Diagnostic>,
}

fn invalid(value: &Str, what: &str, allowed: &[&str]) -> Diagnostic {
    let mut help = format!("{what} is one of: {}", allowed.join(", "));
    if let Some(s) = crate::syntax::did_you_mean(&value.value, allowed) {
        help = format!("did you mean `{s}`? {help}");
    }
    Diagnostic::error(VALUE, format!("`{}` is not a valid {what}", value.value))
        .label(value.span, format!("unknown {what}"))
        .help(help)
}

impl Resolver {
    fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn version(&mut self, f: &ast::File) {
        if let Some(v) = &f.version {
            if v.value.trim() != "1" {
                self.push(
                    Diagnostic::error(
                        VALUE,
                        format!("unsupported spec language version `{}`", v.value),
                    )
                    .label(v.span, "unsupported version")
                    .help("this lodestar reads version 1 of the spec language: write `1`"),
                );
            }
        }
    }

    fn number(&mut self, s: &Str, what: &str) -> Option<Spanned<f64>> {
        match s.value.trim().replace('_', "").parse::<f64>() {
            Ok(n) if n.is_finite() => Some(Spanned::new(n, s.span)),
            _ => {
                self.push(
                    Diagnostic::error(
                        VALUE,
                        format!("{what} must be a number, found `{}`", s.value),
                    )
                    .label(s.span, "not a number")
                    .help(format!(
                        "write {what} as a plain number such as `0.02` or `120000`"
                    )),
                );
                None
            }
        }
    }

    fn date(&mut self, s: &Str, what: &str) -> Option<Spanned<NaiveDate>> {
        match NaiveDate::parse_from_str(s.value.trim(), "%Y-%m-%d") {
            Ok(d) => Some(Spanned::new(d, s.span)),
            Err(_) => {
                self.push(
                    Diagnostic::error(VALUE, format!("{what} must be a date, found `{}`", s.value))
                        .label(s.span, "not a date")
                        .help("write dates as YYYY-MM-DD, for example 2026-12-31"),
                );
                None
            }
        }
    }

    fn source(&mut self, f: &ast::File, s: &ast::Source) -> Source {
        let relation = match (&s.table, &s.sql) {
            (Some(t), None) => Some(Relation::Table(self.table_name(t))),
            (None, Some(q)) => Some(Relation::Sql(Fragment::parse(
                q.clone(),
                FragmentKind::Select,
            ))),
            (Some(t), Some(q)) => {
                self.push(
                    Diagnostic::error(STRUCTURE, format!("source `{}` has both `table` and `sql`", s.name.value))
                        .label(q.span, "`sql` given here")
                        .label(t.span, "`table` given here")
                        .help("a source reads one relation: keep `table`, or move it into the SELECT of `sql`"),
                );
                None
            }
            (None, None) => {
                self.push(
                    Diagnostic::error(
                        STRUCTURE,
                        format!("source `{}` has neither `table` nor `sql`", s.name.value),
                    )
                    .label(s.name.span, "no relation")
                    .help("give the source a `table: schema.name` or a `sql: select ...`"),
                );
                None
            }
        };
        if s.time.is_none() {
            self.push(
                Diagnostic::error(STRUCTURE, format!("source `{}` has no `time` column", s.name.value))
                    .label(s.name.span, "no time column")
                    .help("name the timestamp column that places a row in a period, e.g. `time: created_at`"),
            );
        }
        Source {
            name: s.name.clone(),
            description: s.description.clone(),
            relation,
            time: s.time.clone(),
            columns: s.columns.as_ref().map(|cols| {
                cols.iter()
                    .map(|c| Column {
                        name: c.name.clone(),
                        data_type: c.data_type.clone(),
                    })
                    .collect()
            }),
            dimensions: s
                .dimensions
                .iter()
                .map(|d| Dimension {
                    name: d.name.clone(),
                    expr: Fragment::parse(d.expr.clone(), FragmentKind::Expr),
                })
                .collect(),
            file: f.file,
        }
    }

    /// A dotted relation name: each part an identifier (letters, digits, `_`, `$`, `-`).
    fn table_name(&mut self, t: &Str) -> Spanned<Vec<String>> {
        let parts: Vec<String> = t.value.trim().split('.').map(str::to_owned).collect();
        let bad = parts.iter().any(|p| {
            p.is_empty()
                || !p
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '-')
        }) || parts.len() > 3;
        if bad {
            self.push(
                Diagnostic::error("LS006", format!("`{}` is not a relation name", t.value))
                    .label(t.span, "not a dotted relation name")
                    .help("write `schema.table` (letters, digits and `_`); for anything else use a `sql` source"),
            );
        }
        Spanned::new(parts, t.span)
    }

    fn product(&mut self, f: &ast::File) -> Option<Product> {
        let Some(name) = &f.product else {
            if let Some(m) = f.metrics().next() {
                self.push(
                    Diagnostic::error(
                        STRUCTURE,
                        "metrics are declared but the file names no product",
                    )
                    .label(m.name.span, "this metric belongs to no product")
                    .help(match f.syntax {
                        Syntax::Yaml => "add `product: <name>` at the top of the file",
                        Syntax::Lode => "add `product <name>` after `lodestar 1`",
                    }),
                );
            }
            return None;
        };
        let game = f.game.as_ref().and_then(|g| match Game::parse(&g.value) {
            Some(v) => Some(Spanned::new(v, g.span)),
            None => {
                self.push(invalid(g, "game", Game::NAMES));
                None
            }
        });
        let metrics = f.metrics().map(|m| self.metric(m)).collect();
        Some(Product {
            name: name.clone(),
            description: f.description.clone(),
            game,
            file: f.file,
            syntax: f.syntax,
            metrics,
        })
    }

    fn metric(&mut self, m: &ast::Metric) -> Metric {
        let metric_type = m
            .metric_type
            .as_ref()
            .and_then(|t| match MetricType::parse(&t.value) {
                Some(v) => Some(Spanned::new(v, t.span)),
                None => {
                    self.push(invalid(t, "metric type", MetricType::NAMES));
                    None
                }
            });
        let grain = match &m.grain {
            Some(g) => match Grain::parse(&g.value) {
                Some(v) => Spanned::new(v, g.span),
                None => {
                    self.push(invalid(g, "grain", Grain::NAMES));
                    Spanned::new(Grain::Week, g.span)
                }
            },
            None => Spanned::new(Grain::Week, m.name.span),
        };
        let compute = match m.compute.as_slice() {
            [] => {
                self.push(
                    Diagnostic::error(
                        STRUCTURE,
                        format!("metric `{}` has no definition", m.name.value),
                    )
                    .label(m.name.span, "nothing to compute")
                    .help("give it exactly one of `measure`, `ratio` or `derived`"),
                );
                None
            }
            [c] => self.compute(c),
            [first, second, ..] => {
                self.push(
                    Diagnostic::error(
                        STRUCTURE,
                        format!("metric `{}` is defined more than once", m.name.value),
                    )
                    .label(
                        second.span(),
                        format!("a second definition ({})", second.kind()),
                    )
                    .label(first.span(), format!("first definition ({})", first.kind()))
                    .help("a metric has exactly one of `measure`, `ratio` or `derived`"),
                );
                None
            }
        };
        let window = m.window.as_ref().and_then(|w| self.window(w));
        if let (Some(w), Some(c)) = (&window, &compute) {
            if !matches!(c, Compute::Measure(_)) {
                self.push(
                    Diagnostic::error(STRUCTURE, "`window` applies to a measure only")
                        .label(w.span, "window on a ratio or derived metric")
                        .help("put the window on the measures the metric is built from"),
                );
            }
        }
        let threshold = m.threshold.as_ref().map(|t| Threshold {
            span: t.span,
            min: t.min.as_ref().and_then(|v| self.number(v, "`min`")),
            max: t.max.as_ref().and_then(|v| self.number(v, "`max`")),
        });
        let targets = m
            .targets
            .iter()
            .filter_map(|t| {
                let missing = |what: &str| {
                    Diagnostic::error(STRUCTURE, format!("a target has no `{what}`"))
                        .label(t.span, format!("no `{what}`"))
                        .help("a target is a value and a date: `{ by: 2026-12-31, value: 120000 }`")
                };
                let by = match &t.by {
                    Some(b) => self.date(b, "a target's `by`"),
                    None => {
                        self.push(missing("by"));
                        None
                    }
                };
                let value = match &t.value {
                    Some(v) => self.number(v, "a target's `value`"),
                    None => {
                        self.push(missing("value"));
                        None
                    }
                };
                Some(Target {
                    span: t.span,
                    by: by?,
                    value: value?,
                })
            })
            .collect();
        let review = m.review.as_ref().map(|r| Review {
            span: r.span,
            cadence: r
                .cadence
                .as_ref()
                .and_then(|c| match Cadence::parse(&c.value) {
                    Some(v) => Some(Spanned::new(v, c.span)),
                    None => {
                        self.push(invalid(c, "review cadence", Cadence::NAMES));
                        None
                    }
                }),
            last_reviewed: r
                .last_reviewed
                .as_ref()
                .and_then(|d| self.date(d, "`last_reviewed`")),
        });
        Metric {
            role: m.role,
            span: m.span,
            name: m.name.clone(),
            label: m.label.clone(),
            description: m.description.clone(),
            owner: m.owner.clone(),
            metric_type,
            grain,
            grain_written: m.grain.is_some(),
            compute,
            window,
            threshold,
            targets,
            review,
            allow: m
                .allow
                .iter()
                .map(|a| Allow {
                    span: a.span,
                    code: a.code.clone(),
                    reason: a.reason.clone(),
                })
                .collect(),
        }
    }

    /// `7 days`, `7 day`, `7d` or `7`.
    fn window(&mut self, w: &Str) -> Option<Spanned<u32>> {
        let text = w.value.trim().to_ascii_lowercase();
        let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
        let unit = text[digits.len()..].trim();
        let n = digits
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=3660).contains(n));
        match (n, unit) {
            (Some(n), "" | "d" | "day" | "days") => Some(Spanned::new(n, w.span)),
            _ => {
                self.push(
                    Diagnostic::error(VALUE, format!("`{}` is not a window", w.value))
                        .label(w.span, "not a number of days")
                        .help("write a trailing window in days, for example `7 days` or `28 days`"),
                );
                None
            }
        }
    }

    fn compute(&mut self, c: &ast::Compute) -> Option<Compute> {
        match c {
            ast::Compute::Measure(m) => self.measure(m).map(Compute::Measure),
            ast::Compute::Ratio {
                span,
                numerator,
                denominator,
            } => {
                let mut operand = |o: &Option<ast::Operand>, what: &str| match o {
                    Some(ast::Operand::Metric(n)) => Some(Operand::Metric(n.clone())),
                    Some(ast::Operand::Measure(m)) => self.measure(m).map(Operand::Measure),
                    None => {
                        self.push(
                            Diagnostic::error(STRUCTURE, format!("the ratio has no {what}"))
                                .label(*span, format!("no {what}"))
                                .help("a ratio has a `numerator` and a `denominator`, each a measure or a metric name"),
                        );
                        None
                    }
                };
                let numerator = operand(numerator, "numerator");
                let denominator = operand(denominator, "denominator");
                Some(Compute::Ratio {
                    span: *span,
                    numerator: numerator?,
                    denominator: denominator?,
                })
            }
            ast::Compute::Derived(text) => {
                let expr = Fragment::parse(text.clone(), FragmentKind::Derived);
                let refs = derived_refs(&expr);
                Some(Compute::Derived { expr, refs })
            }
        }
    }

    fn measure(&mut self, m: &ast::Measure) -> Option<Measure> {
        let missing = |what: &str, help: &str| {
            Diagnostic::error(STRUCTURE, format!("the measure has no `{what}`"))
                .label(m.span, format!("no `{what}`"))
                .help(help.to_owned())
        };
        let source = match &m.source {
            Some(s) => Some(s.clone()),
            None => {
                self.push(missing(
                    "source",
                    "name the source the measure aggregates: `source: bookings`",
                ));
                None
            }
        };
        let p = match &m.p {
            Some(p) => match self.number(p, "`p`") {
                Some(v) if (0.0..=1.0).contains(&v.value) => Some(v.value),
                Some(v) => {
                    self.push(
                        Diagnostic::error(
                            VALUE,
                            format!("`p` must be between 0 and 1, found {}", v.value),
                        )
                        .label(v.span, "out of range")
                        .help("write the percentile as a fraction: `p: 0.95` for the 95th"),
                    );
                    None
                }
                None => None,
            },
            None => None,
        };
        let agg = match &m.agg {
            Some(a) => match Agg::parse(&a.value, p) {
                Some(Agg::Percentile(f)) if f.is_nan() => {
                    if m.p.is_none() {
                        self.push(
                            Diagnostic::error(STRUCTURE, "`percentile` needs `p`")
                                .label(a.span, "which percentile?")
                                .help("add `p: 0.95` (a fraction between 0 and 1)"),
                        );
                    }
                    None
                }
                Some(v) => {
                    if let (Some(pv), false) = (&m.p, matches!(v, Agg::Percentile(_))) {
                        self.push(
                            Diagnostic::error(
                                STRUCTURE,
                                format!("`p` applies to `percentile` only, not `{}`", v.name()),
                            )
                            .label(pv.span, "unused")
                            .help("remove `p`, or use `agg: percentile`"),
                        );
                    }
                    Some(Spanned::new(v, a.span))
                }
                None => {
                    self.push(invalid(a, "aggregation", Agg::NAMES));
                    None
                }
            },
            None => {
                self.push(missing("agg", "choose an aggregation: count, count_distinct, sum, avg, min, max, median or percentile"));
                None
            }
        };
        let expr = m
            .expr
            .as_ref()
            .map(|e| Fragment::parse(e.clone(), FragmentKind::Expr));
        if let Some(a) = &agg {
            match (a.value, &m.expr) {
                (Agg::Count, Some(e)) => self.push(
                    Diagnostic::error(STRUCTURE, "`count` counts rows and takes no `expr`")
                        .label(e.span, "not used by count")
                        .help("remove `expr`, use `count_distinct` to count distinct values, or a `filter` to count some rows"),
                ),
                (Agg::Count, None) => {}
                (other, None) => self.push(
                    Diagnostic::error(STRUCTURE, format!("`{}` needs an `expr`", other.name()))
                        .label(a.span, "aggregate what?")
                        .help("add `expr:` with the column or expression to aggregate"),
                ),
                _ => {}
            }
        }
        Some(Measure {
            span: m.span,
            source: source?,
            agg: agg?,
            expr,
            filter: m
                .filter
                .as_ref()
                .map(|f| Fragment::parse(f.clone(), FragmentKind::Filter)),
            having: m
                .having
                .as_ref()
                .map(|h| Fragment::parse(h.clone(), FragmentKind::Having)),
        })
    }
}

/// The metric names a derived expression refers to, with spans inside the expression text.
fn derived_refs(expr: &Fragment) -> Vec<Str> {
    let Some(parsed) = expr.expr() else {
        return Vec::new();
    };
    let mut names = Vec::new();
    let _ = sqlparser::ast::visit_expressions(parsed, |e| {
        if let sqlparser::ast::Expr::Identifier(id) = e {
            names.push(id.value.clone());
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    let text = &expr.text;
    let verbatim = text.span.len() == text.value.len();
    let mut searched_from = 0;
    names
        .into_iter()
        .map(|name| {
            let span = if verbatim {
                match find_word(&text.value, &name, searched_from) {
                    Some(i) => {
                        searched_from = i + name.len();
                        text.span.sub(i, i + name.len())
                    }
                    None => text.span,
                }
            } else {
                text.span
            };
            Spanned::new(name, span)
        })
        .collect()
}

fn find_word(haystack: &str, word: &str, from: usize) -> Option<usize> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut start = from;
    while let Some(i) = haystack.get(start..)?.find(word) {
        let at = start + i;
        let before = haystack[..at].chars().next_back().is_some_and(is_ident);
        let after = haystack[at + word.len()..]
            .chars()
            .next()
            .is_some_and(is_ident);
        if !before && !after {
            return Some(at);
        }
        start = at + word.len();
    }
    None
}
