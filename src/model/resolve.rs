//! Syntax trees of a project → one [`Project`]. Values get their types here; what cannot be
//! typed is reported (LS902, LS903) and left out. Names are *not* checked here: the rules
//! (LS004, LS005, LS008) check them over the finished model, so every problem is reported once.

use chrono::NaiveDate;

use super::fragment::{Fragment, FragmentKind};
use super::*;
use crate::diagnostics::{Diagnostic, Spanned};
use crate::syntax::ast::{self, Node, Value};
use crate::syntax::keys::{Key, Place};
use crate::syntax::values::{Agg, Cadence, CompareAs, ConversionAs, Game, Grain, MetricType};
use crate::syntax::{STRUCTURE, VALUE};

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
    let root = &f.root;
    let mut project = Project::default();
    project.files.push(FileInfo {
        file: f.file,
        syntax: f.syntax,
        version: root.str(Key::Lodestar).cloned(),
    });
    cx.version(f);
    for e in root.entries(Key::Owners) {
        let o = e.value.as_ref().and_then(Value::as_node);
        let get = |k| o.and_then(|o| o.str(k)).cloned();
        project.owners.push(Owner {
            key: e.name.clone(),
            name: get(Key::OwnerName),
            email: get(Key::OwnerEmail),
            slack: get(Key::OwnerSlack),
            file: f.file,
        });
    }
    for e in root.entries(Key::Sources) {
        if let Some(Value::Map(s)) = &e.value {
            project.sources.push(cx.source(f, &e.name, s));
        }
    }
    if let Some(product) = cx.product(f) {
        project.products.push(product);
    }
    (project, cx.diagnostics)
}

struct Resolver {
    diagnostics: Vec<Diagnostic>,
}

/// What people from other tools write for an aggregation, and its name here (a spelling
/// suggestion would point elsewhere: `mean` is closest to `median`).
const AGG_SYNONYMS: &[(&str, &str)] = &[
    ("mean", "avg"),
    ("average", "avg"),
    ("total", "sum"),
    ("distinct", "count_distinct"),
    ("countdistinct", "count_distinct"),
    ("count_unique", "count_distinct"),
    ("unique", "count_distinct"),
    ("minimum", "min"),
    ("maximum", "max"),
    ("p50", "median"),
    ("percentile_cont", "percentile"),
    ("quantile", "percentile"),
];

fn invalid(value: &Str, what: &str, allowed: &[&str]) -> Diagnostic {
    let mut help = format!("{what} is one of: {}", allowed.join(", "));
    let lower = value.value.trim().to_ascii_lowercase();
    let synonym = (what == "aggregation")
        .then(|| {
            AGG_SYNONYMS
                .iter()
                .find(|(k, _)| *k == lower)
                .map(|(_, v)| *v)
        })
        .flatten();
    if let Some(s) = synonym {
        help = format!("did you mean `{s}`? {help}");
    } else if let Some(s) = crate::syntax::did_you_mean(&value.value, allowed) {
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
        if let Some(v) = f.root.str(Key::Lodestar) {
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

    fn source(&mut self, f: &ast::File, name: &Str, s: &Node) -> Source {
        let relation = match (s.str(Key::SourceTable), s.str(Key::SourceSql)) {
            (Some(t), None) => Some(Relation::Table(self.table_name(t))),
            (None, Some(q)) => Some(Relation::Sql(Fragment::parse(
                q.clone(),
                FragmentKind::Select,
            ))),
            (Some(t), Some(q)) => {
                self.push(
                    Diagnostic::error(STRUCTURE, format!("source `{}` has both `table` and `sql`", name.value))
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
                        format!("source `{}` has neither `table` nor `sql`", name.value),
                    )
                    .label(name.span, "no relation")
                    .help("give the source a `table: schema.name` or a `sql: select ...`"),
                );
                None
            }
        };
        if !s.has(Key::SourceTime) {
            self.push(
                Diagnostic::error(STRUCTURE, format!("source `{}` has no `time` column", name.value))
                    .label(name.span, "no time column")
                    .help("name the timestamp column that places a row in a period, e.g. `time: created_at`"),
            );
        }
        let columns = s.field(Key::Columns).map(|c| match &c.value {
            Value::List(items) => items
                .iter()
                .filter_map(|i| i.value.as_str())
                .map(|n| Column {
                    name: n.clone(),
                    data_type: None,
                })
                .collect(),
            Value::Named(entries) => entries
                .iter()
                .map(|e| Column {
                    name: e.name.clone(),
                    data_type: e.value.as_ref().and_then(Value::as_str).cloned(),
                })
                .collect(),
            _ => Vec::new(),
        });
        Source {
            name: name.clone(),
            description: s.str(Key::SourceDescription).cloned(),
            relation,
            time: s.str(Key::SourceTime).cloned(),
            columns,
            dimensions: s
                .entries(Key::Dimensions)
                .filter_map(|d| {
                    let expr = d.value.as_ref()?.as_str()?;
                    Some(Dimension {
                        name: d.name.clone(),
                        expr: Fragment::parse(expr.clone(), FragmentKind::Expr),
                    })
                })
                .collect(),
            file: f.file,
        }
    }

    /// A dotted relation name, split into its parts (LS006 checks them).
    fn table_name(&mut self, t: &Str) -> Spanned<Vec<String>> {
        let parts: Vec<String> = t.value.trim().split('.').map(str::to_owned).collect();
        Spanned::new(parts, t.span)
    }

    fn product(&mut self, f: &ast::File) -> Option<Product> {
        let root = &f.root;
        let Some(name) = root.str(Key::Product) else {
            if let Some((_, m)) = f.metrics().next() {
                let at = m.str(Key::MetricName).map_or(m.span, |n| n.span);
                self.push(
                    Diagnostic::error(
                        STRUCTURE,
                        "metrics are declared but the file names no product",
                    )
                    .label(at, "this metric belongs to no product")
                    .help(match f.syntax {
                        Syntax::Yaml => "add `product: <name>` at the top of the file",
                        Syntax::Lode => "add `product <name>` after `lodestar 1`",
                    }),
                );
            }
            return None;
        };
        let game = root
            .str(Key::Game)
            .and_then(|g| match Game::parse(&g.value) {
                Some(v) => Some(Spanned::new(v, g.span)),
                None => {
                    self.push(invalid(g, "game", Game::NAMES));
                    None
                }
            });
        let mut metrics: Vec<Metric> = f.metrics().map(|(role, m)| self.metric(role, m)).collect();
        self.time_grains(&mut metrics);
        Some(Product {
            name: name.clone(),
            description: root.str(Key::ProductDescription).cloned(),
            game,
            file: f.file,
            syntax: f.syntax,
            metrics,
        })
    }

    /// A comparison is at the grain of the metric it compares (when `grain` is not written, it
    /// takes that grain); `to_date` must span more than one period of the metric's grain.
    fn time_grains(&mut self, metrics: &mut [Metric]) {
        // A comparison of a comparison takes the grain at the end of the chain.
        let by_name: std::collections::HashMap<&str, &Metric> =
            metrics.iter().map(|m| (m.name.value.as_str(), m)).collect();
        let grain_of = |start: &str| -> Option<Grain> {
            let mut name = start;
            for _ in 0..=metrics.len() {
                let m = by_name.get(name)?;
                match &m.compute {
                    Some(Compute::Compare(c)) if !m.grain_written => name = &c.metric.value,
                    _ => return Some(m.grain.value),
                }
            }
            None
        };
        let grains: std::collections::HashMap<String, Grain> = metrics
            .iter()
            .filter_map(|m| Some((m.name.value.clone(), grain_of(&m.name.value)?)))
            .collect();
        for m in metrics.iter_mut() {
            match &m.compute {
                Some(Compute::Compare(c)) => {
                    let Some(&compared) = grains.get(&c.metric.value) else {
                        continue;
                    };
                    if !m.grain_written {
                        m.grain = Spanned::new(compared, m.grain.span);
                    } else if m.grain.value != compared {
                        self.push(
                            Diagnostic::error(
                                VALUE,
                                format!(
                                    "`{}` compares `{}`, whose grain is `{compared}`, at grain `{}`",
                                    m.name.value, c.metric.value, m.grain.value
                                ),
                            )
                            .label(m.grain.span, format!("not `{compared}`"))
                            .help(format!(
                                "a comparison is at the grain of the metric it compares, so that \
                                 `offset` counts its periods: remove `grain` (or write `{compared}`)"
                            )),
                        );
                    }
                }
                Some(Compute::Measure(ms)) => {
                    if let Some(Over::ToDate(to)) = ms.over.as_ref().map(|o| o.value) {
                        if to <= m.grain.value {
                            let span = ms.over.as_ref().map_or(m.name.span, |o| o.span);
                            self.push(
                                Diagnostic::error(
                                    VALUE,
                                    format!(
                                        "`to_date: {to}` on metric `{}`, whose grain is `{}`: the span must be coarser than the grain",
                                        m.name.value, m.grain.value
                                    ),
                                )
                                .label(span, format!("not coarser than `{}`", m.grain.value))
                                .help(format!(
                                    "`to_date` sums up several periods of the metric: on a `{}` metric use a coarser span, or a finer `grain` (e.g. `grain: day` with `to_date: month`)",
                                    m.grain.value
                                )),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn metric(&mut self, role: Role, m: &Node) -> Metric {
        let name = match m.str(Key::MetricName) {
            Some(n) => n.clone(),
            None => {
                let at = Span::new(m.span.file, m.span.start as usize, m.span.start as usize);
                self.push(
                    Diagnostic::error(STRUCTURE, format!("this {} has no `name`", role.as_str()))
                        .label(at, "no name")
                        .help("every metric has a snake_case `name`, unique in its product"),
                );
                Spanned::new(String::new(), at)
            }
        };
        let metric_type = m
            .str(Key::Type)
            .and_then(|t| match MetricType::parse(&t.value) {
                Some(v) => Some(Spanned::new(v, t.span)),
                None => {
                    self.push(invalid(t, "metric type", MetricType::NAMES));
                    None
                }
            });
        let grain = match m.str(Key::Grain) {
            Some(g) => match Grain::parse(&g.value) {
                Some(v) => Spanned::new(v, g.span),
                None => {
                    self.push(invalid(g, "grain", Grain::NAMES));
                    Spanned::new(Grain::Week, g.span)
                }
            },
            None => Spanned::new(Grain::Week, name.span),
        };
        // The ways to compute a metric, in the order written.
        let computes: Vec<&ast::Field> = m
            .fields
            .iter()
            .filter(|f| Place::Metric.one_of().contains(&f.key))
            .collect();
        let compute_span = |f: &ast::Field| match f.key {
            Key::Ratio => f.span,
            _ => f.value.span().unwrap_or(f.span),
        };
        let compute = match computes.as_slice() {
            [] => {
                self.push(
                    Diagnostic::error(
                        STRUCTURE,
                        format!("metric `{}` has no definition", name.value),
                    )
                    .label(name.span, "nothing to compute")
                    .help("give it exactly one of `measure`, `ratio`, `derived`, `compare` or `conversion`"),
                );
                None
            }
            [c] => self.compute(c),
            [first, second, ..] => {
                self.push(
                    Diagnostic::error(
                        STRUCTURE,
                        format!("metric `{}` is defined more than once", name.value),
                    )
                    .label(
                        compute_span(second),
                        format!("a second definition ({})", second.key.name()),
                    )
                    .label(
                        compute_span(first),
                        format!("first definition ({})", first.key.name()),
                    )
                    .help("a metric has exactly one of `measure`, `ratio`, `derived`, `compare` or `conversion`"),
                );
                None
            }
        };
        // Options of a measure left on the metric: there was no single measure to hold them.
        for f in &m.fields {
            if f.key == Key::MetricWindow || f.key.place() == Place::Measure {
                let word = f.key.dsl_word();
                self.push(
                    Diagnostic::error(STRUCTURE, format!("`{word}` applies to a measure only"))
                        .label(
                            f.span,
                            format!("`{word}` on a metric that is not one measure"),
                        )
                        .help(format!(
                            "`{word}` belongs to a metric computed by one `measure`; for a ratio, \
                             make each side a metric of its own with the option"
                        )),
                );
            }
        }
        let threshold = m.map(Key::Threshold).map(|t| Threshold {
            span: t.span,
            min: t.str(Key::Min).and_then(|v| self.number(v, "`min`")),
            max: t.str(Key::Max).and_then(|v| self.number(v, "`max`")),
        });
        let targets = m
            .nodes(Key::Targets)
            .filter_map(|t| {
                let missing = |what: &str| {
                    Diagnostic::error(STRUCTURE, format!("a target has no `{what}`"))
                        .label(t.span, format!("no `{what}`"))
                        .help("a target is a value and a date: `{ by: 2026-12-31, value: 120000 }`")
                };
                let by = match t.str(Key::TargetBy) {
                    Some(b) => self.date(b, "a target's `by`"),
                    None => {
                        self.push(missing("by"));
                        None
                    }
                };
                let value = match t.str(Key::TargetValue) {
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
        let review = m.map(Key::Review).map(|r| Review {
            span: r.span,
            cadence: r
                .str(Key::Cadence)
                .and_then(|c| match Cadence::parse(&c.value) {
                    Some(v) => Some(Spanned::new(v, c.span)),
                    None => {
                        self.push(invalid(c, "review cadence", Cadence::NAMES));
                        None
                    }
                }),
            last_reviewed: r
                .str(Key::LastReviewed)
                .and_then(|d| self.date(d, "`last_reviewed`")),
        });
        let mut allow = Vec::new();
        for a in m.nodes(Key::Allow) {
            match a.str(Key::AllowCode) {
                Some(code) => allow.push(Allow {
                    span: a.span,
                    code: code.clone(),
                    reason: a.str(Key::AllowReason).cloned(),
                }),
                None => self.push(
                    Diagnostic::error(STRUCTURE, "an `allow` entry has no `code`")
                        .label(a.span, "no code")
                        .help("write `- { code: LS103, reason: \"why this is fine\" }`"),
                ),
            }
        }
        Metric {
            role,
            span: m.span,
            name,
            label: m.str(Key::Label).cloned(),
            description: m.str(Key::MetricDescription).cloned(),
            owner: m.str(Key::Owner).cloned(),
            metric_type,
            grain,
            grain_written: m.has(Key::Grain),
            compute,
            threshold,
            targets,
            review,
            allow,
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

    /// `window`, `to_date` or `cumulative` on a measure: at most one.
    fn over(&mut self, m: &Node) -> Option<Spanned<Over>> {
        let mut found: Vec<(Spanned<Over>, &'static str)> = Vec::new();
        if let Some(w) = m.str(Key::Window) {
            if let Some(n) = self.window(w) {
                found.push((Spanned::new(Over::Window(n.value), w.span), "window"));
            }
        }
        if let Some(t) = m.str(Key::ToDate) {
            let names = ["week", "month", "quarter", "year"];
            match Grain::parse(&t.value).filter(|g| *g != Grain::Day) {
                Some(g) => found.push((Spanned::new(Over::ToDate(g), t.span), "to_date")),
                None => self.push(invalid(t, "to_date period", &names)),
            }
        }
        if let Some(c) = m.str(Key::Cumulative) {
            match c.value.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" => {
                    found.push((Spanned::new(Over::Cumulative, c.span), "cumulative"))
                }
                "false" | "no" => {}
                _ => self.push(invalid(c, "value of `cumulative`", &["true", "false"])),
            }
        }
        // Of two, the one written later is reported.
        found.sort_by_key(|(o, _)| o.span.start);
        match found.as_slice() {
            [] => None,
            [(one, _)] => Some(one.clone()),
            [(first, a), (second, b), ..] => {
                self.push(
                    Diagnostic::error(STRUCTURE, format!("`{a}` and `{b}` exclude each other"))
                        .label(second.span, format!("`{b}` here"))
                        .label(first.span, format!("`{a}` here"))
                        .help("a measure aggregates one span of rows: a trailing `window`, `to_date`, or `cumulative`; keep one"),
                );
                None
            }
        }
    }

    fn compare(&mut self, n: &Node) -> Option<Compare> {
        let metric = match n.str(Key::CompareMetric) {
            Some(m) => m.clone(),
            None => {
                self.push(
                    Diagnostic::error(STRUCTURE, "`compare` names no metric")
                        .label(n.span, "compare what?")
                        .help("name the metric of this product to compare: `compare: { metric: nights_booked, offset: 1, as: growth }`"),
                );
                return None;
            }
        };
        let offset = match n.str(Key::Offset) {
            None => Spanned::new(1, n.span),
            Some(o) => match o.value.trim().parse::<u32>() {
                Ok(v) if (1..=10_000).contains(&v) => Spanned::new(v, o.span),
                _ => {
                    self.push(
                        Diagnostic::error(VALUE, format!("`offset` must be a whole number of periods, 1 or more, found `{}`", o.value))
                            .label(o.span, "not 1 or more periods")
                            .help("write how many periods earlier to compare with: `offset: 1` for the period before, `offset: 52` for a year earlier on a weekly metric"),
                    );
                    return None;
                }
            },
        };
        let as_ = match n.str(Key::CompareAs) {
            None => Spanned::new(CompareAs::Value, n.span),
            Some(a) => match CompareAs::parse(&a.value) {
                Some(v) => Spanned::new(v, a.span),
                None => {
                    self.push(invalid(a, "comparison", CompareAs::NAMES));
                    return None;
                }
            },
        };
        Some(Compare {
            span: n.span,
            metric,
            offset,
            as_,
        })
    }

    fn conversion(&mut self, n: &Node) -> Option<Conversion> {
        let missing = |what: &str, help: &str| {
            Diagnostic::error(STRUCTURE, format!("the conversion has no `{what}`"))
                .label(n.span, format!("no `{what}`"))
                .help(help.to_owned())
        };
        let entity = match n.str(Key::Entity) {
            Some(e) => Some(Fragment::parse(e.clone(), FragmentKind::Expr)),
            None => {
                self.push(missing(
                    "entity",
                    "name the column that identifies an entity in both sources: `entity: guest_id`",
                ));
                None
            }
        };
        let mut side = |key: Key, what: &str| -> Option<Side> {
            let Some(s) = n.map(key) else {
                self.push(missing(
                    what,
                    "give the source (and optionally a filter): `{ source: searches }`",
                ));
                return None;
            };
            let source = match s.str(Key::SideSource) {
                Some(src) => src.clone(),
                None => {
                    self.push(
                        Diagnostic::error(
                            STRUCTURE,
                            format!("the conversion's `{what}` has no `source`"),
                        )
                        .label(s.span, "no `source`")
                        .help("name the source of these rows: `{ source: bookings }`"),
                    );
                    return None;
                }
            };
            Some(Side {
                span: s.span,
                source,
                filter: s
                    .str(Key::SideFilter)
                    .map(|f| Fragment::parse(f.clone(), FragmentKind::Filter)),
            })
        };
        let base = side(Key::Base, "base");
        let event = side(Key::Event, "event");
        let within = match n.str(Key::Within) {
            Some(w) => self.window(w),
            None => {
                self.push(missing(
                    "within",
                    "say how soon after a base row an event row counts: `within: 7 days`",
                ));
                None
            }
        };
        let as_ = match n.str(Key::ConversionAs) {
            None => Some(Spanned::new(ConversionAs::Rate, n.span)),
            Some(a) => match ConversionAs::parse(&a.value) {
                Some(v) => Some(Spanned::new(v, a.span)),
                None => {
                    self.push(invalid(a, "conversion result", ConversionAs::NAMES));
                    None
                }
            },
        };
        Some(Conversion {
            span: n.span,
            entity: entity?,
            base: base?,
            event: event?,
            within: within?,
            as_: as_?,
        })
    }

    fn compute(&mut self, c: &ast::Field) -> Option<Compute> {
        match (c.key, &c.value) {
            (Key::Measure, Value::Map(m)) => self.measure(m).map(Compute::Measure),
            (Key::Ratio, Value::Map(r)) => {
                let span = c.span;
                let mut operand = |key: Key, what: &str| match r.field(key).map(|f| &f.value) {
                    Some(Value::Scalar(n)) => Some(Operand::Metric(n.clone())),
                    Some(Value::Map(m)) => {
                        let measure = self.measure(m)?;
                        if let Some(o) = &measure.over {
                            let word = match o.value {
                                Over::Window(_) => "window",
                                Over::ToDate(_) => "to_date",
                                Over::Cumulative => "cumulative",
                            };
                            self.push(
                                Diagnostic::error(STRUCTURE, format!("`{word}` applies to a metric's own measure only"))
                                    .label(o.span, format!("`{word}` on a side of a ratio"))
                                    .help(format!(
                                        "make this side a metric of its own with `{word}`, and name that metric here"
                                    )),
                            );
                        }
                        Some(Operand::Measure(measure))
                    }
                    _ => {
                        self.push(
                            Diagnostic::error(STRUCTURE, format!("the ratio has no {what}"))
                                .label(span, format!("no {what}"))
                                .help("a ratio has a `numerator` and a `denominator`, each a measure or a metric name"),
                        );
                        None
                    }
                };
                let numerator = operand(Key::Numerator, "numerator");
                let denominator = operand(Key::Denominator, "denominator");
                Some(Compute::Ratio {
                    span,
                    numerator: numerator?,
                    denominator: denominator?,
                })
            }
            (Key::Derived, Value::Scalar(text)) => {
                let expr = Fragment::parse(text.clone(), FragmentKind::Derived);
                let refs = derived_refs(&expr);
                Some(Compute::Derived { expr, refs })
            }
            (Key::Compare, Value::Map(n)) => self.compare(n).map(Compute::Compare),
            (Key::Conversion, Value::Map(n)) => self.conversion(n).map(Compute::Conversion),
            _ => None,
        }
    }

    fn measure(&mut self, m: &Node) -> Option<Measure> {
        let span = m.span;
        let missing = |what: &str, help: &str| {
            Diagnostic::error(STRUCTURE, format!("the measure has no `{what}`"))
                .label(span, format!("no `{what}`"))
                .help(help.to_owned())
        };
        let source = match m.str(Key::MeasureSource) {
            Some(s) => Some(s.clone()),
            None => {
                self.push(missing(
                    "source",
                    "name the source the measure aggregates: `source: bookings`",
                ));
                None
            }
        };
        let written_p = m.str(Key::MeasureP);
        let p = match written_p {
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
        let agg = match m.str(Key::MeasureAgg) {
            Some(a) => match Agg::parse(&a.value, p) {
                Some(Agg::Percentile(f)) if f.is_nan() => {
                    if written_p.is_none() {
                        self.push(
                            Diagnostic::error(STRUCTURE, "`percentile` needs `p`")
                                .label(a.span, "which percentile?")
                                .help("add `p: 0.95` (a fraction between 0 and 1)"),
                        );
                    }
                    None
                }
                Some(v) => {
                    if let (Some(pv), false) = (written_p, matches!(v, Agg::Percentile(_))) {
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
        let written_expr = m.str(Key::MeasureExpr);
        let expr = written_expr.map(|e| Fragment::parse(e.clone(), FragmentKind::Expr));
        if let Some(a) = &agg {
            match (a.value, written_expr) {
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
        let written_having = m.str(Key::Having);
        if let (Some(a), Some(h)) = (&agg, written_having) {
            if a.value != Agg::CountDistinct {
                self.push(
                    Diagnostic::error(
                        STRUCTURE,
                        format!(
                            "`having` counts entities, so it needs `agg: count_distinct`, not `{}`",
                            a.value.name()
                        ),
                    )
                    .label(h.span, "a condition on each entity")
                    .label(a.span, "not count_distinct")
                    .help("count the entities that pass it: `agg: count_distinct` with `expr` naming the entity (`expr: guest_id`), or drop `having` and use a `filter` on rows"),
                );
            }
        }
        let over = self.over(m);
        Some(Measure {
            span,
            over,
            source: source?,
            agg: agg?,
            expr,
            filter: m
                .str(Key::Filter)
                .map(|f| Fragment::parse(f.clone(), FragmentKind::Filter)),
            having: m
                .str(Key::Having)
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
