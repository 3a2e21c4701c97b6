//! Model → query text for one dialect.
//!
//! A query computes some metrics (outputs) at one grain. Each output is a [`Value`]: arithmetic
//! over [`Term`]s, where a term is one measure aggregated per period (and `--by` dimensions).
//! Terms become *parts* (CTEs `p0`, `p1`, ...): plain terms of one source share a part, one
//! scan with conditional aggregation; a term with `having` or a `window` gets its own part.
//! Parts are joined on period over a *spine*: the generated periods of `--from/--to`, or the
//! union of the parts' periods. Internal columns are named `lodestar_*`; user-facing names are
//! given only in the final SELECT, so no alias can shadow a source column.

use chrono::{Datelike, NaiveDate};
use sqlparser::ast::{BinaryOperator, Expr, UnaryOperator};

use super::dialect::{add_grain, add_grain_expr, Vendor};
use super::render::{self, ident};
use super::{CompileError, Options};
use crate::model::{
    Agg, Compute, Grain, Measure, Metric, Operand, Product, Project, Relation, Source,
};

pub(crate) struct Ctx<'a> {
    pub project: &'a Project,
    pub product: &'a Product,
    pub v: &'static dyn Vendor,
    pub options: &'a Options,
}

/// One measure aggregated per period, with the metric it belongs to (for messages).
struct Term<'a> {
    metric: &'a str,
    measure: &'a Measure,
    window: Option<u32>,
}

/// Arithmetic over terms.
enum Value {
    Term(usize),
    Number(String),
    Neg(Box<Value>),
    Arith(Box<Value>, &'static str, Box<Value>),
    Div(Box<Value>, Box<Value>),
}

/// A query under construction: CTEs in order and the final SELECT (without ORDER BY).
pub(crate) struct Built {
    pub ctes: Vec<(String, String)>,
    pub select: String,
    /// The output column names, quoted, for ORDER BY.
    pub keys: Vec<String>,
}

/// Nesting of metric references deeper than this is a cycle (derived cycles are LS005).
const MAX_DEPTH: usize = 32;

struct Planner<'a> {
    ctx: &'a Ctx<'a>,
    terms: Vec<Term<'a>>,
}

impl<'a> Planner<'a> {
    fn term(&mut self, metric: &'a str, measure: &'a Measure, window: Option<u32>) -> Value {
        let found = self
            .terms
            .iter()
            .position(|t| same_measure(t.measure, measure) && t.window == window);
        Value::Term(found.unwrap_or_else(|| {
            self.terms.push(Term {
                metric,
                measure,
                window,
            });
            self.terms.len() - 1
        }))
    }

    fn metric(&mut self, m: &'a Metric, depth: usize) -> Result<Value, CompileError> {
        if depth > MAX_DEPTH {
            return Err(CompileError::Invalid(format!(
                "metric `{}` refers to itself through other metrics",
                m.name.value
            )));
        }
        let name = m.name.value.as_str();
        match &m.compute {
            None => Err(CompileError::Invalid(format!(
                "metric `{name}` has no computation"
            ))),
            Some(Compute::Measure(measure)) => {
                let window = match measure.over.as_ref().map(|o| o.value) {
                    None => None,
                    Some(crate::model::Over::Window(n)) => Some(n),
                    Some(_) => {
                        return Err(CompileError::Invalid(format!(
                            "metric `{name}`: to_date and cumulative are not compiled yet"
                        )))
                    }
                };
                Ok(self.term(name, measure, window))
            }
            Some(Compute::Compare(_) | Compute::Conversion(_)) => Err(CompileError::Invalid(
                format!("metric `{name}`: compare and conversion are not compiled yet"),
            )),
            Some(Compute::Ratio {
                numerator,
                denominator,
                ..
            }) => {
                let n = self.operand(name, numerator, depth)?;
                let d = self.operand(name, denominator, depth)?;
                Ok(Value::Div(Box::new(n), Box::new(d)))
            }
            Some(Compute::Derived { expr, .. }) => {
                let e = expr.expr().ok_or_else(|| {
                    CompileError::Invalid(format!(
                        "metric `{name}`: the derived expression does not parse"
                    ))
                })?;
                self.derived(name, e, depth)
            }
        }
    }

    fn operand(
        &mut self,
        metric: &'a str,
        o: &'a Operand,
        depth: usize,
    ) -> Result<Value, CompileError> {
        match o {
            Operand::Measure(m) => Ok(self.term(metric, m, None)),
            Operand::Metric(n) => self.named(metric, &n.value, depth),
        }
    }

    fn named(&mut self, metric: &str, name: &str, depth: usize) -> Result<Value, CompileError> {
        let product = self.ctx.product;
        let m = product.metric(name).ok_or_else(|| {
            CompileError::Invalid(format!(
                "metric `{metric}` refers to `{name}`, which product `{}` does not define",
                product.name.value
            ))
        })?;
        self.metric(m, depth + 1)
    }

    fn derived(&mut self, metric: &'a str, e: &Expr, depth: usize) -> Result<Value, CompileError> {
        Ok(match e {
            Expr::Identifier(id) => self.named(metric, &id.value, depth)?,
            Expr::Value(v) => match &v.value {
                sqlparser::ast::Value::Number(n, _) => Value::Number(n.clone()),
                _ => return Err(not_arithmetic(metric, e)),
            },
            Expr::Nested(inner) => self.derived(metric, inner, depth)?,
            Expr::UnaryOp {
                op: UnaryOperator::Minus,
                expr,
            } => Value::Neg(Box::new(self.derived(metric, expr, depth)?)),
            Expr::UnaryOp {
                op: UnaryOperator::Plus,
                expr,
            } => self.derived(metric, expr, depth)?,
            Expr::BinaryOp { left, op, right } => {
                let l = Box::new(self.derived(metric, left, depth)?);
                let r = Box::new(self.derived(metric, right, depth)?);
                match op {
                    BinaryOperator::Plus => Value::Arith(l, "+", r),
                    BinaryOperator::Minus => Value::Arith(l, "-", r),
                    BinaryOperator::Multiply => Value::Arith(l, "*", r),
                    BinaryOperator::Divide => Value::Div(l, r),
                    _ => return Err(not_arithmetic(metric, e)),
                }
            }
            _ => return Err(not_arithmetic(metric, e)),
        })
    }
}

/// Whether two measures compute the same thing (spans aside): one column serves both.
fn same_measure(a: &Measure, b: &Measure) -> bool {
    fn text(f: &Option<crate::model::Fragment>) -> Option<&str> {
        f.as_ref().map(|f| f.text.value.trim())
    }
    std::ptr::eq(a, b)
        || a.source.value == b.source.value
            && a.agg.value == b.agg.value
            && text(&a.expr) == text(&b.expr)
            && text(&a.filter) == text(&b.filter)
            && text(&a.having) == text(&b.having)
}

fn not_arithmetic(metric: &str, e: &Expr) -> CompileError {
    CompileError::Invalid(format!(
        "metric `{metric}`: `{e}` is not arithmetic over metric names (+ - * / and parentheses)"
    ))
}

/// The first day of the period of `grain` that holds `d` (weeks start on Monday).
pub(crate) fn period_start(grain: Grain, d: NaiveDate) -> NaiveDate {
    let first_of = |month: u32| NaiveDate::from_ymd_opt(d.year(), month, 1).unwrap_or(d);
    match grain {
        Grain::Day => d,
        Grain::Week => d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday())),
        Grain::Month => first_of(d.month()),
        Grain::Quarter => first_of((d.month() - 1) / 3 * 3 + 1),
        Grain::Year => first_of(1),
    }
}

/// How many periods of `grain` from the one holding `from` to the one holding `to`.
fn period_count(grain: Grain, from: NaiveDate, to: NaiveDate) -> u64 {
    let (a, b) = (period_start(grain, from), period_start(grain, to));
    let months = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let n = match grain {
        Grain::Day => (b - a).num_days(),
        Grain::Week => (b - a).num_days() / 7,
        Grain::Month => months(b) - months(a),
        Grain::Quarter => (months(b) - months(a)) / 3,
        Grain::Year => i64::from(b.year() - a.year()),
    };
    n.max(0) as u64 + 1
}

/// Names used inside generated queries.
struct Names {
    period: String,
    dims: Vec<String>,
}

/// Builds the CTEs and SELECT computing `outputs` (alias, metric) at `grain`. CTE names start
/// with `prefix`.
pub(crate) fn build<'a>(
    ctx: &'a Ctx<'a>,
    outputs: &[(&str, &'a Metric)],
    grain: Grain,
    prefix: &str,
) -> Result<Built, CompileError> {
    let v = ctx.v;
    let mut planner = Planner {
        ctx,
        terms: Vec::new(),
    };
    let mut values = Vec::new();
    for (alias, m) in outputs {
        values.push((*alias, planner.metric(m, 0)?));
    }
    let terms = planner.terms;
    let names = Names {
        period: ident(v, "lodestar_period")?,
        dims: (0..ctx.options.by.len())
            .map(|i| ident(v, &format!("lodestar_d{i}")))
            .collect::<Result<_, _>>()?,
    };

    // Group terms into parts: plain terms by source, others alone.
    let mut parts: Vec<Vec<usize>> = Vec::new();
    for (i, t) in terms.iter().enumerate() {
        let plain = t.window.is_none() && t.measure.having.is_none();
        let shared = plain
            .then(|| {
                parts.iter().position(|p| {
                    let first = &terms[p[0]];
                    first.window.is_none()
                        && first.measure.having.is_none()
                        && first.measure.source.value == t.measure.source.value
                })
            })
            .flatten();
        match shared {
            Some(p) => parts[p].push(i),
            None => parts.push(vec![i]),
        }
    }

    let mut ctes = Vec::new();
    let range = match (ctx.options.from, ctx.options.to) {
        (Some(f), Some(t)) if f <= t => Some((f, t)),
        (Some(f), Some(t)) => {
            return Err(CompileError::Invalid(format!(
                "--from {f} is after --to {t}"
            )));
        }
        _ => None,
    };
    let periods_cte = ident(v, &format!("{prefix}periods"))?;
    if let Some((from, to)) = range {
        // `Vendor::integers` names its column `k`, unquoted.
        let first = v.date(period_start(grain, from));
        let n = period_count(grain, from, to);
        ctes.push((
            periods_cte.clone(),
            format!(
                "SELECT {} AS {} FROM {}",
                add_grain_expr(v, grain, &first, "k"),
                names.period,
                v.integers(n)
            ),
        ));
    }

    let mut part_names = Vec::new();
    let mut where_term = vec![(0, String::new()); terms.len()];
    for (j, part) in parts.iter().enumerate() {
        let name = ident(v, &format!("{prefix}p{j}"))?;
        let body = part_sql(
            ctx,
            &names,
            &terms,
            part,
            grain,
            range.is_some().then_some(&periods_cte),
        )?;
        for &i in part {
            where_term[i] = (
                j,
                format!("{name}.{}", ident(v, &format!("lodestar_m{i}"))?),
            );
        }
        ctes.push((name.clone(), body));
        part_names.push(name);
    }

    // The spine: every period (and dimension values) any part has, or the generated periods.
    let keys_of = |t: &str| {
        let mut k = vec![format!("{t}.{}", names.period)];
        k.extend(names.dims.iter().map(|d| format!("{t}.{d}")));
        k
    };
    let spine = if range.is_some() || part_names.len() > 1 {
        let name = ident(v, &format!("{prefix}spine"))?;
        let union = |cols: &[String]| {
            if let [only] = part_names.as_slice() {
                return format!("SELECT DISTINCT {} FROM {only}", cols.join(", "));
            }
            part_names
                .iter()
                .map(|p| format!("SELECT {} FROM {p}", cols.join(", ")))
                .collect::<Vec<_>>()
                .join(&format!("\n{} ", v.union_distinct()))
        };
        let body = match range {
            None => {
                let mut cols = vec![names.period.clone()];
                cols.extend(names.dims.iter().cloned());
                union(&cols)
            }
            Some(_) if names.dims.is_empty() => {
                format!("SELECT {} FROM {periods_cte}", names.period)
            }
            Some(_) => {
                let d = ident(v, "lodestar_dims")?;
                let mut cols = vec![format!("{periods_cte}.{}", names.period)];
                cols.extend(names.dims.iter().map(|x| format!("{d}.{x}")));
                format!(
                    "SELECT {} FROM {periods_cte} CROSS JOIN ({}) AS {d}",
                    cols.join(", "),
                    union(&names.dims)
                )
            }
        };
        ctes.push((name.clone(), body));
        Some(name)
    } else {
        None
    };
    let base = spine.clone().unwrap_or_else(|| part_names[0].clone());

    let mut cols = Vec::new();
    let mut keys = Vec::new();
    let key_cols = keys_of(&base);
    let period_out = ident(v, "period")?;
    cols.push(format!("{} AS {period_out}", key_cols[0]));
    keys.push(period_out);
    for (dim, col) in ctx.options.by.iter().zip(&key_cols[1..]) {
        let out = ident(v, dim)?;
        cols.push(format!("{col} AS {out}"));
        keys.push(out);
    }
    for (alias, value) in &values {
        cols.push(format!(
            "{} AS {}",
            value_sql(v, value, &terms, &where_term),
            ident(v, alias)?
        ));
    }
    let mut select = format!("SELECT {}\nFROM {base}", cols.join(",\n  "));
    if spine.is_some() {
        for p in &part_names {
            let on: Vec<String> = keys_of(p)
                .iter()
                .zip(&key_cols)
                .enumerate()
                .map(|(i, (a, b))| {
                    if i == 0 {
                        format!("{a} = {b}")
                    } else {
                        v.same(a, b)
                    }
                })
                .collect();
            select.push_str(&format!("\nLEFT JOIN {p} ON {}", on.join(" AND ")));
        }
    }
    Ok(Built { ctes, select, keys })
}

fn value_sql(
    v: &dyn Vendor,
    value: &Value,
    terms: &[Term<'_>],
    cols: &[(usize, String)],
) -> String {
    match value {
        Value::Term(i) => {
            let col = &cols[*i].1;
            if terms[*i].measure.agg.value.zero_when_empty() {
                format!("COALESCE({col}, 0)")
            } else {
                col.clone()
            }
        }
        Value::Number(n) => n.clone(),
        Value::Neg(x) => format!("-({})", value_sql(v, x, terms, cols)),
        Value::Arith(a, op, b) => {
            format!(
                "({} {op} {})",
                value_sql(v, a, terms, cols),
                value_sql(v, b, terms, cols)
            )
        }
        Value::Div(a, b) => {
            format!(
                "({})",
                v.divide(&value_sql(v, a, terms, cols), &value_sql(v, b, terms, cols))
            )
        }
    }
}

/// The source of a measure, with its relation and time column.
fn source<'a>(
    ctx: &'a Ctx<'a>,
    t: &Term<'_>,
) -> Result<(&'a Source, String, String), CompileError> {
    let v = ctx.v;
    let name = &t.measure.source.value;
    let s = ctx.project.source(name).ok_or_else(|| {
        CompileError::Invalid(format!(
            "metric `{}` reads source `{name}`, which is not declared",
            t.metric
        ))
    })?;
    let alias = ident(v, name)?;
    let rel = match &s.relation {
        Some(Relation::Table(parts)) => {
            let parts: Vec<String> = parts
                .value
                .iter()
                .map(|p| ident(v, p))
                .collect::<Result<_, _>>()?;
            format!("{} AS {alias}", parts.join("."))
        }
        Some(Relation::Sql(f)) => {
            let q = f.query().ok_or_else(|| {
                CompileError::Invalid(format!("source `{name}`: its `sql` is not one SELECT"))
            })?;
            format!("({}) AS {alias}", render::query(v, q)?)
        }
        None => {
            return Err(CompileError::Invalid(format!(
                "source `{name}` has no `table` or `sql`"
            )))
        }
    };
    let time = s
        .time
        .as_ref()
        .ok_or_else(|| CompileError::Invalid(format!("source `{name}` has no `time` column")))?;
    Ok((s, rel, ident(v, &time.value)?))
}

/// The `--by` dimension expressions of a source.
fn dimensions(ctx: &Ctx<'_>, s: &Source, metric: &str) -> Result<Vec<String>, CompileError> {
    ctx.options
        .by
        .iter()
        .map(|dim| {
            let d = s.dimension(dim).ok_or_else(|| {
                let has: Vec<&str> = s.dimensions.iter().map(|d| d.name.value.as_str()).collect();
                CompileError::Invalid(format!(
                    "metric `{metric}` cannot be broken down by `{dim}`: its source `{}` has no \
                     such dimension ({})",
                    s.name.value,
                    if has.is_empty() {
                        "it declares none".to_owned()
                    } else {
                        format!("it has: {}", has.join(", "))
                    }
                ))
            })?;
            let e = d.expr.expr().ok_or_else(|| {
                CompileError::Invalid(format!(
                    "dimension `{dim}` of source `{}` does not parse",
                    s.name.value
                ))
            })?;
            render::expr(ctx.v, e)
        })
        .collect()
}

fn fragment(
    ctx: &Ctx<'_>,
    f: Option<&crate::model::Fragment>,
    what: &str,
    metric: &str,
) -> Result<Option<String>, CompileError> {
    match f {
        None => Ok(None),
        Some(f) => match f.expr() {
            Some(e) => render::expr(ctx.v, e).map(Some),
            None => Err(CompileError::Invalid(format!(
                "metric `{metric}`: its {what} does not parse"
            ))),
        },
    }
}

/// The aggregate of one plain term.
fn aggregate(ctx: &Ctx<'_>, t: &Term<'_>) -> Result<String, CompileError> {
    let v = ctx.v;
    let m = t.measure;
    let filter = fragment(ctx, m.filter.as_ref(), "filter", t.metric)?;
    let agg = m.agg.value;
    if agg == Agg::Count {
        return Ok(match filter {
            Some(f) => format!("COUNT(CASE WHEN {f} THEN 1 END)"),
            None => "COUNT(*)".to_owned(),
        });
    }
    let x = fragment(ctx, m.expr.as_ref(), "expr", t.metric)?.ok_or_else(|| {
        CompileError::Invalid(format!(
            "metric `{}`: `{}` needs an `expr`",
            t.metric,
            agg.name()
        ))
    })?;
    let arg = match filter {
        Some(f) => format!("CASE WHEN {f} THEN {x} END"),
        None => x,
    };
    Ok(match agg {
        Agg::Count => unreachable!("handled above"),
        Agg::CountDistinct => format!("COUNT(DISTINCT {arg})"),
        Agg::Sum => format!("SUM({arg})"),
        Agg::Avg => format!("AVG({arg})"),
        Agg::Min => format!("MIN({arg})"),
        Agg::Max => format!("MAX({arg})"),
        Agg::Median => v.median(&arg),
        Agg::Percentile(p) if (0.0..=1.0).contains(&p) => v.percentile(&arg, p),
        Agg::Percentile(p) => {
            return Err(CompileError::Invalid(format!(
                "metric `{}`: percentile `p` must be between 0 and 1, not {p}",
                t.metric
            )))
        }
    })
}

/// One part: the rows of a source per period, aggregated.
fn part_sql(
    ctx: &Ctx<'_>,
    names: &Names,
    terms: &[Term<'_>],
    part: &[usize],
    grain: Grain,
    periods: Option<&String>,
) -> Result<String, CompileError> {
    let v = ctx.v;
    let first = &terms[part[0]];
    let (s, rel, time) = source(ctx, first)?;
    let dims = dimensions(ctx, s, first.metric)?;
    let day = v.day(&time);
    let mut conds = Vec::new();

    // Where the rows come from, and which period each belongs to.
    let (from, period) = match first.window {
        None => {
            if let Some(f) = ctx.options.from {
                conds.push(format!("{day} >= {}", v.date(f)));
            }
            (rel.clone(), v.trunc(grain, &time))
        }
        Some(n) => {
            let sp = ident(v, "lodestar_spine")?;
            let spine = match periods {
                Some(p) => format!("(SELECT {} FROM {p})", names.period),
                None => format!(
                    "(SELECT DISTINCT {} AS {} FROM {rel})",
                    v.trunc(grain, &time),
                    names.period
                ),
            };
            let period = format!("{sp}.{}", names.period);
            let next = add_grain(v, grain, &period, 1);
            conds.push(format!("{day} >= {}", v.add_days(&next, &format!("-{n}"))));
            conds.push(format!("{day} < {next}"));
            (format!("{spine} AS {sp}\nCROSS JOIN {rel}"), period)
        }
    };
    if let Some(t) = ctx.options.to {
        conds.push(format!("{day} <= {}", v.date(t)));
    }

    let mut keys = vec![period.clone()];
    keys.extend(dims.iter().cloned());
    let mut cols = vec![format!("{period} AS {}", names.period)];
    cols.extend(
        dims.iter()
            .zip(&names.dims)
            .map(|(e, n)| format!("{e} AS {n}")),
    );

    if let Some(having) = &first.measure.having {
        let t = first;
        let i = part[0];
        if t.measure.agg.value != Agg::CountDistinct {
            return Err(CompileError::Invalid(format!(
                "metric `{}`: `having` counts entities, so it needs `agg: count_distinct` with \
                 `expr` naming the entity, not `{}`",
                t.metric,
                t.measure.agg.value.name()
            )));
        }
        let x = fragment(ctx, t.measure.expr.as_ref(), "expr", t.metric)?.ok_or_else(|| {
            CompileError::Invalid(format!("metric `{}`: `having` needs an `expr`", t.metric))
        })?;
        let h = fragment(ctx, Some(having), "having", t.metric)?.unwrap_or_default();
        // Every period (and dimension value) the source has rows for gets a row, 0 when no
        // entity qualifies: the qualifying entities, flagged 1, beside the source's own keys,
        // flagged 0, counted by flag.
        let every = if conds.is_empty() {
            String::new()
        } else {
            format!("\n  WHERE {}", conds.join(" AND "))
        };
        conds.push(format!("{x} IS NOT NULL"));
        if let Some(f) = fragment(ctx, t.measure.filter.as_ref(), "filter", t.metric)? {
            conds.push(f);
        }
        let e = ident(v, "lodestar_entities")?;
        let q = ident(v, "lodestar_qualifies")?;
        let mut outer = vec![names.period.clone()];
        outer.extend(names.dims.iter().cloned());
        return Ok(format!(
            "SELECT {o}, COUNT(CASE WHEN {q} = 1 THEN 1 END) AS {m}\nFROM (\n  SELECT {c}, 1 AS {q}\n  FROM {from}\n  WHERE {w}\n  GROUP BY {k}, {x}\n  HAVING {h}\n  UNION ALL\n  SELECT DISTINCT {c}, 0 AS {q}\n  FROM {from}{every}\n) AS {e}\nGROUP BY {o}",
            o = outer.join(", "),
            m = ident(v, &format!("lodestar_m{i}"))?,
            c = cols.join(", "),
            from = from.replace('\n', "\n  "),
            w = conds.join(" AND "),
            k = keys.join(", "),
        ));
    }

    for &i in part {
        cols.push(format!(
            "{} AS {}",
            aggregate(ctx, &terms[i])?,
            ident(v, &format!("lodestar_m{i}"))?
        ));
    }
    let mut sql = format!("SELECT {}\nFROM {from}", cols.join(",\n  "));
    if !conds.is_empty() {
        sql.push_str(&format!("\nWHERE {}", conds.join(" AND ")));
    }
    sql.push_str(&format!("\nGROUP BY {}", keys.join(", ")));
    Ok(sql)
}
