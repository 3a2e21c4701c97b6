//! Plan → SQL text for one dialect: the parts (one scan of a source each), the spine of
//! periods, the values level by level, and the final SELECT.
//!
//! The shape of every query:
//!
//! ```text
//! WITH p0 AS (...), p1 AS (...),           -- parts: one scan of a source each, per period
//!      k2 AS (...),                        --   (the periods of a span's source)
//!      periods AS (...), spine AS (...),   -- the periods reported (times the --by values)
//!      spine_back AS (...),                -- and those a comparison reads earlier
//!      p2 AS (spine JOIN daily rows ...),  -- spans (window, to_date, cumulative) per period
//!      v0 AS (spine LEFT JOIN p0 LEFT JOIN p0 AS p0_s1 ON a period earlier ...),
//!      v1 AS (SELECT ... FROM v0), ...     -- levels: metrics computed from earlier levels
//! SELECT period, dimensions, metrics FROM v<last>
//! ```
//!
//! A comparison reads a value `k` periods back as the same part joined again at offset `k`
//! (`p0_s1`), never as a self-join of a level, so the SQL stays linear in the spec on engines
//! that inline CTEs. A metric's value is a column of the level after the metrics it reads, so each metric is
//! written once however many others use it. Internal names start with `lodestar_`; names from
//! the spec appear only in the final SELECT, so no alias can shadow a source column.

mod conversion;
mod parts;
mod span;
mod spine;

use std::cell::RefCell;
use std::rc::Rc;

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use sqlparser::ast::Expr;

use super::dialect::{add_grain, Vendor};
use super::plan::{self, PartKind, Plan, Value, ValueId};
use super::render::ident;
use super::{CompileError, Options};
use crate::model::{Grain, Product, Project};

pub(crate) struct Ctx<'a> {
    pub project: &'a Project,
    pub product: &'a Product,
    pub v: &'static dyn Vendor,
    pub options: &'a Options,
    pub rendered: Rendered,
}

/// What the queries of one product share, rendered once for the dialect: the rows of each
/// source and each fragment (a metric's filter is in its own query, again in the scorecard,
/// and in every query of a metric computed from it).
#[derive(Default)]
pub(crate) struct Rendered {
    rows: RefCell<FxHashMap<String, Rc<Rows>>>,
    /// By the fragment's address: fragments live in the project, which outlives the product's
    /// compilation.
    exprs: RefCell<FxHashMap<*const Expr, String>>,
}

/// A query under construction: CTEs in order and the final SELECT (without ORDER BY).
pub(crate) struct Built {
    pub ctes: Vec<(String, String)>,
    pub select: String,
    /// The output column names, quoted, for ORDER BY.
    pub keys: Vec<String>,
}

/// The terms and metrics a query reads, each with the offsets (periods back) it is read at.
#[derive(Default)]
struct Needs {
    terms: std::collections::BTreeSet<(usize, u32)>,
    metrics: std::collections::BTreeSet<(usize, u32)>,
}

/// The names used inside a query.
struct Names {
    period: String,
    dims: Vec<String>,
}

impl Names {
    /// `period, d0, d1` qualified by `t`.
    fn keys_of(&self, t: &str) -> Vec<String> {
        let mut k = vec![format!("{t}.{}", self.period)];
        k.extend(self.dims.iter().map(|d| format!("{t}.{d}")));
        k
    }

    fn all(&self) -> Vec<String> {
        let mut k = vec![self.period.clone()];
        k.extend(self.dims.iter().cloned());
        k
    }
}

/// Builds the CTEs and SELECT computing `outputs` (column name, metric) at `grain`. CTE names
/// start with `prefix`.
pub(crate) fn build<'a>(
    ctx: &'a Ctx<'a>,
    outputs: &[(&str, &'a crate::model::Metric)],
    grain: Grain,
    prefix: &str,
) -> Result<Built, CompileError> {
    let plan = plan::plan(ctx.product, outputs, grain, ctx.v.part_rules())?;
    let v = ctx.v;
    let names = Names {
        period: ident(v, "lodestar_period")?,
        dims: (0..ctx.options.by.len())
            .map(|i| ident(v, &format!("lodestar_d{i}")))
            .collect::<Result<_, _>>()?,
    };
    Emitter {
        ctx,
        plan: &plan,
        names,
        prefix,
        ctes: Vec::new(),
    }
    .emit()
}

struct Emitter<'a, 'p> {
    ctx: &'a Ctx<'a>,
    plan: &'p Plan<'a>,
    names: Names,
    prefix: &'p str,
    ctes: Vec<(String, String)>,
}

/// The rows of a source as a part reads them.
struct Rows {
    /// `relation AS alias`.
    relation: String,
    /// The source's alias, quoted.
    alias: String,
    time: String,
    dims: Vec<String>,
}

impl Emitter<'_, '_> {
    fn v(&self) -> &'static dyn Vendor {
        self.ctx.v
    }

    fn name(&self, base: &str) -> Result<String, CompileError> {
        ident(self.v(), &format!("{}{base}", self.prefix))
    }

    fn col(&self, base: &str) -> Result<String, CompileError> {
        ident(self.v(), base)
    }

    fn term_col(&self, i: usize) -> Result<String, CompileError> {
        self.col(&format!("lodestar_m{i}"))
    }

    fn metric_col(&self, i: usize) -> Result<String, CompileError> {
        self.col(&format!("lodestar_x{i}"))
    }

    fn grain(&self) -> Grain {
        self.plan.grain
    }

    /// `--from`, as the start of the first period reported.
    fn first_reported(&self) -> Option<NaiveDate> {
        self.ctx.options.from.map(|f| self.grain().start_of(f))
    }

    /// The start of the earliest period whose values are needed.
    fn earliest(&self) -> Option<NaiveDate> {
        let first = self.first_reported()?;
        let back = self.plan.lookbacks.last().copied().unwrap_or(0);
        Some(self.grain().before(first, back))
    }

    fn emit(mut self) -> Result<Built, CompileError> {
        let v = self.v();
        let options = self.ctx.options;
        let range = match (options.from, options.to) {
            (Some(f), Some(t)) if f > t => {
                return Err(CompileError::Invalid(format!(
                    "--from {f} is after --to {t}"
                )))
            }
            (Some(f), Some(t)) => Some((f, t)),
            _ => None,
        };
        // Parts that do not depend on the spine, and the keys of those that do.
        let mut part_names: Vec<Option<String>> = vec![None; self.plan.parts.len()];
        let mut key_sources: Vec<String> = Vec::new();
        for (j, part) in self.plan.parts.iter().enumerate() {
            match part.kind {
                PartKind::Span(_) => {
                    let body = self.own_periods(part)?;
                    // Spans of one source have the same periods: one CTE serves them all.
                    let name = match self.ctes.iter().find(|(_, b)| *b == body) {
                        Some((n, _)) => n.clone(),
                        None => {
                            let name = self.name(&format!("k{j}"))?;
                            self.ctes.push((name.clone(), body));
                            name
                        }
                    };
                    if !key_sources.contains(&name) {
                        key_sources.push(name);
                    }
                }
                _ => {
                    let name = self.name(&format!("p{j}"))?;
                    let body = self.part(part)?;
                    self.ctes.push((name.clone(), body));
                    key_sources.push(name.clone());
                    part_names[j] = Some(name);
                }
            }
        }

        let lookback = !self.plan.lookbacks.is_empty();
        let spans = self
            .plan
            .parts
            .iter()
            .any(|p| matches!(p.kind, PartKind::Span(_)));
        // One plain scan, no range, nothing earlier: the part is the spine.
        let spine = if range.is_none() && !lookback && !spans && key_sources.len() == 1 {
            None
        } else {
            Some(self.spine(range, &key_sources)?)
        };
        // What each level reads, at which offsets.
        let needs = self.needs();
        let part_of = |i: usize| {
            self.plan
                .parts
                .iter()
                .position(|p| p.terms.contains(&i))
                .expect("every term is in a part")
        };
        // Spans are evaluated at the reported periods, and those a comparison reads earlier
        // at the earlier ones too.
        let shifted: Vec<usize> = needs
            .terms
            .iter()
            .filter(|(_, k)| *k > 0)
            .map(|&(t, _)| part_of(t))
            .collect();
        let spans_shifted = self
            .plan
            .parts
            .iter()
            .enumerate()
            .any(|(j, p)| matches!(p.kind, PartKind::Span(_)) && shifted.contains(&j));
        let spine_back = match (&spine, lookback && spans_shifted) {
            (Some(s), true) => Some(self.extended(s)?),
            _ => None,
        };
        for (j, part) in self.plan.parts.iter().enumerate() {
            if let PartKind::Span(over) = part.kind {
                let name = self.name(&format!("p{j}"))?;
                let spine = match &spine_back {
                    Some(back) if shifted.contains(&j) => back,
                    _ => spine.as_ref().expect("spans have a spine"),
                };
                let body = self.span(part, over, spine)?;
                self.ctes.push((name.clone(), body));
                part_names[j] = Some(name);
            }
        }
        let part_names: Vec<String> = part_names
            .into_iter()
            .map(|n| n.expect("every part is named"))
            .collect();

        let levels = self.levels();
        let top = levels.iter().copied().max().unwrap_or(0);
        let base = spine.clone().unwrap_or_else(|| part_names[0].clone());
        let key_cols = self.names.keys_of(&base);

        // Level 0: the spine joined with every part, at every offset a comparison reads.
        let mut joins: Vec<(usize, u32)> =
            needs.terms.iter().map(|&(t, k)| (part_of(t), k)).collect();
        joins.sort_unstable();
        joins.dedup();
        let alias = |part: usize, k: u32| -> Result<String, CompileError> {
            if k == 0 {
                Ok(part_names[part].clone())
            } else {
                self.name(&format!("p{part}_s{k}"))
            }
        };
        let term_expr = |t: usize, k: u32| -> Result<String, CompileError> {
            let col = format!("{}.{}", alias(part_of(t), k)?, self.term_col(t)?);
            Ok(if self.plan.terms[t].zero_when_empty() {
                format!("COALESCE({col}, 0)")
            } else {
                col
            })
        };
        let mut from = base.clone();
        for &(part, k) in &joins {
            if spine.is_none() && k == 0 {
                continue;
            }
            let a = alias(part, k)?;
            let on: Vec<String> = self
                .names
                .keys_of(&a)
                .iter()
                .zip(&key_cols)
                .enumerate()
                .map(|(i, (x, y))| {
                    if i == 0 && k == 0 {
                        format!("{x} = {y}")
                    } else if i == 0 {
                        format!("{x} = {}", add_grain(v, self.grain(), y, -i64::from(k)))
                    } else {
                        v.same(x, y)
                    }
                })
                .collect();
            let joined = if k == 0 {
                a.clone()
            } else {
                format!("{} AS {a}", part_names[part])
            };
            from.push_str(&format!("\nLEFT JOIN {joined} ON {}", on.join(" AND ")));
        }

        let period_out = ident(v, "period")?;
        let mut keys = vec![period_out.clone()];
        for dim in &options.by {
            keys.push(ident(v, dim)?);
        }
        // At level 0 a value reads the parts directly; a metric that is one term is that term.
        let level0 = |id: ValueId, k: u32| -> Result<Option<String>, CompileError> {
            match &self.plan.values[id] {
                Value::Term(t) => term_expr(*t, k).map(Some),
                Value::Metric(j) => match self.trivial(*j) {
                    Some(t) => term_expr(t, k).map(Some),
                    None => Ok(None),
                },
                _ => Ok(None),
            }
        };

        if top == 0 {
            // The whole query is one SELECT over the spine and its parts.
            let select = self.final_select(&key_cols, &keys, &from, |i| {
                self.expr(self.plan.metrics[i].1, 0, &level0)
            })?;
            return Ok(Built {
                ctes: self.ctes,
                select,
                keys,
            });
        }

        // The columns each level must pass on: those read by later levels or the outputs.
        let live = self.live(&levels, top)?;
        let mut cols: Vec<String> = self
            .names
            .all()
            .iter()
            .zip(&key_cols)
            .map(|(k, c)| format!("{c} AS {k}"))
            .collect();
        for &(t, k) in &needs.terms {
            let col = self.term_at(t, k)?;
            if live[0].contains(&col) {
                cols.push(format!("{} AS {col}", term_expr(t, k)?));
            }
        }
        for &(j, k) in &needs.metrics {
            let col = self.metric_at(j, k)?;
            if levels[j] == 0 && live[0].contains(&col) {
                let e = self.expr(self.plan.metrics[j].1, k, &level0)?;
                cols.push(format!("{e} AS {col}"));
            }
        }
        let v0 = self.name("v0")?;
        self.ctes.push((
            v0.clone(),
            format!("SELECT {}\nFROM {from}", cols.join(",\n  ")),
        ));

        // Levels 1 and up: each reads the level before it, once.
        let mut prev = v0;
        let cur = ident(v, "lodestar_cur")?;
        for (level, live) in live.iter().enumerate().take(top + 1).skip(1) {
            let name = self.name(&format!("v{level}"))?;
            let mut cols: Vec<String> = self
                .names
                .all()
                .iter()
                .map(|k| format!("{cur}.{k} AS {k}"))
                .collect();
            // Passed on: what later levels read that exists already.
            let mut made: Vec<String> = Vec::new();
            for &(j, k) in &needs.metrics {
                if levels[j] == level {
                    made.push(self.metric_at(j, k)?);
                }
            }
            for col in live {
                let exists = needs
                    .terms
                    .iter()
                    .any(|&(t, k)| self.term_at(t, k).ok().as_ref() == Some(col))
                    || needs.metrics.iter().any(|&(j, k)| {
                        levels[j] < level && self.metric_at(j, k).ok().as_ref() == Some(col)
                    });
                if exists && !made.contains(col) {
                    cols.push(format!("{cur}.{col} AS {col}"));
                }
            }
            for &(j, k) in &needs.metrics {
                if levels[j] != level {
                    continue;
                }
                let e = self.expr(
                    self.plan.metrics[j].1,
                    k,
                    &|id, o| match &self.plan.values[id] {
                        Value::Term(t) => Ok(Some(format!("{cur}.{}", self.term_at(*t, o)?))),
                        Value::Metric(m) => Ok(Some(format!("{cur}.{}", self.column_at(*m, o)?))),
                        _ => Ok(None),
                    },
                )?;
                cols.push(format!("{e} AS {}", self.metric_at(j, k)?));
            }
            self.ctes.push((
                name.clone(),
                format!("SELECT {}\nFROM {prev} AS {cur}", cols.join(",\n  ")),
            ));
            prev = name;
        }

        let select = self.final_select(&self.names.keys_of(&prev), &keys, &prev, |i| {
            Ok(format!("{prev}.{}", self.column_at(i, 0)?))
        })?;
        Ok(Built {
            ctes: self.ctes,
            select,
            keys,
        })
    }

    /// The final SELECT from `from`: each key column under its output name, then each output
    /// metric, whose expression `value` gives from the metric's index, under its name.
    fn final_select(
        &self,
        key_cols: &[String],
        keys: &[String],
        from: &str,
        value: impl Fn(usize) -> Result<String, CompileError>,
    ) -> Result<String, CompileError> {
        let mut out: Vec<String> = key_cols
            .iter()
            .zip(keys)
            .map(|(c, k)| format!("{c} AS {k}"))
            .collect();
        for (name, id) in &self.plan.outputs {
            let Value::Metric(i) = self.plan.values[*id] else {
                unreachable!("outputs are metrics")
            };
            out.push(format!("{} AS {}", value(i)?, ident(self.v(), name)?));
        }
        Ok(format!("SELECT {}\nFROM {from}", out.join(",\n  ")))
    }

    /// The column of term `t` read `k` periods earlier.
    fn term_at(&self, t: usize, k: u32) -> Result<String, CompileError> {
        if k == 0 {
            self.term_col(t)
        } else {
            self.col(&format!("lodestar_m{t}_{k}"))
        }
    }

    /// The column of (non-trivial) metric `j` read `k` periods earlier.
    fn metric_at(&self, j: usize, k: u32) -> Result<String, CompileError> {
        if k == 0 {
            self.metric_col(j)
        } else {
            self.col(&format!("lodestar_x{j}_{k}"))
        }
    }

    /// The column holding a metric's value `k` periods earlier: its own, or its term's.
    fn column_at(&self, metric: usize, k: u32) -> Result<String, CompileError> {
        match self.trivial(metric) {
            Some(t) => self.term_at(t, k),
            None => self.metric_at(metric, k),
        }
    }

    /// Which terms and (non-trivial) metrics are read, and at which offsets: from the outputs
    /// at offset 0, a shift by `k` reads its metric `k` periods further back.
    fn needs(&self) -> Needs {
        let mut needs = Needs::default();
        let mut stack: Vec<(ValueId, u32)> =
            self.plan.outputs.iter().map(|(_, id)| (*id, 0)).collect();
        let mut seen = rustc_hash::FxHashSet::default();
        while let Some((id, k)) = stack.pop() {
            if !seen.insert((id, k)) {
                continue;
            }
            match &self.plan.values[id] {
                Value::Term(t) => {
                    needs.terms.insert((*t, k));
                }
                Value::Number(_) => {}
                Value::Neg(x) => stack.push((*x, k)),
                Value::Arith(a, _, b) | Value::Div(a, b) => {
                    stack.push((*a, k));
                    stack.push((*b, k));
                }
                Value::Shift(x, by) => stack.push((*x, k.saturating_add(*by))),
                Value::Metric(j) => {
                    if self.trivial(*j).is_none() {
                        needs.metrics.insert((*j, k));
                    }
                    stack.push((self.plan.metrics[*j].1, k));
                }
            }
        }
        needs
    }

    /// For each level, the columns (of terms and metrics, at their offsets) that it must hold
    /// for the levels after it and for the outputs.
    fn live(
        &self,
        levels: &[usize],
        top: usize,
    ) -> Result<Vec<std::collections::BTreeSet<String>>, CompileError> {
        use std::collections::BTreeSet;
        let needs = self.needs();
        // What the metrics of each level read, at each offset they are needed at.
        let mut reads: Vec<BTreeSet<String>> = vec![BTreeSet::new(); top + 1];
        for &(j, k) in &needs.metrics {
            let mut stack = vec![(self.plan.metrics[j].1, k)];
            let mut seen = rustc_hash::FxHashSet::default();
            while let Some((id, o)) = stack.pop() {
                if !seen.insert((id, o)) {
                    continue;
                }
                match &self.plan.values[id] {
                    Value::Term(t) => {
                        reads[levels[j]].insert(self.term_at(*t, o)?);
                    }
                    Value::Metric(m) => {
                        reads[levels[j]].insert(self.column_at(*m, o)?);
                    }
                    Value::Shift(x, by) => stack.push((*x, o.saturating_add(*by))),
                    Value::Neg(x) => stack.push((*x, o)),
                    Value::Arith(a, _, b) | Value::Div(a, b) => {
                        stack.push((*a, o));
                        stack.push((*b, o));
                    }
                    Value::Number(_) => {}
                }
            }
        }
        let mut live: Vec<BTreeSet<String>> = vec![BTreeSet::new(); top + 1];
        let mut after: BTreeSet<String> = BTreeSet::new();
        for (_, id) in &self.plan.outputs {
            if let Value::Metric(i) = self.plan.values[*id] {
                after.insert(self.column_at(i, 0)?);
            }
        }
        for level in (0..=top).rev() {
            live[level] = after.clone();
            after.extend(reads[level].iter().cloned());
        }
        Ok(live)
    }

    /// The term a metric is, when it is one term (a measure): it needs no column of its own.
    fn trivial(&self, metric: usize) -> Option<usize> {
        match self.plan.values[self.plan.metrics[metric].1] {
            Value::Term(t) => Some(t),
            _ => None,
        }
    }

    /// The level of each metric (by its index): 0 when it reads terms, numbers and metrics that
    /// are one term only (shifted or not), else one more than the highest level of the metrics
    /// it reads.
    fn levels(&self) -> Vec<usize> {
        let metrics = &self.plan.metrics;
        let mut level: Vec<usize> = vec![0; metrics.len()];
        // Metric nodes are made after the metrics they read: one pass in index order suffices.
        for i in 0..metrics.len() {
            let mut stack = vec![metrics[i].1];
            let mut l = 0;
            let mut seen = rustc_hash::FxHashSet::default();
            while let Some(id) = stack.pop() {
                if !seen.insert(id) {
                    continue;
                }
                match &self.plan.values[id] {
                    Value::Metric(j) if self.trivial(*j).is_some() => {}
                    Value::Metric(j) => l = l.max(level[*j] + 1),
                    Value::Shift(x, _) => stack.push(*x),
                    Value::Neg(x) => stack.push(*x),
                    Value::Arith(a, _, b) | Value::Div(a, b) => {
                        stack.push(*a);
                        stack.push(*b);
                    }
                    Value::Term(_) | Value::Number(_) => {}
                }
            }
            level[i] = l;
        }
        level
    }

    /// A value's expression at offset `k`; `leaf` writes terms and metrics at an offset
    /// (returning `None` for the others). A shift reads its value further back.
    fn expr(
        &self,
        id: ValueId,
        k: u32,
        leaf: &dyn Fn(ValueId, u32) -> Result<Option<String>, CompileError>,
    ) -> Result<String, CompileError> {
        if let Some(s) = leaf(id, k)? {
            return Ok(s);
        }
        let v = self.v();
        Ok(match &self.plan.values[id] {
            Value::Number(n) => v.number_literal(n),
            Value::Neg(x) => format!("-({})", self.expr(*x, k, leaf)?),
            Value::Arith(a, op, b) => format!(
                "({} {} {})",
                self.expr(*a, k, leaf)?,
                op.sql(),
                self.expr(*b, k, leaf)?
            ),
            Value::Div(a, b) => format!(
                "({})",
                v.divide(&self.expr(*a, k, leaf)?, &self.expr(*b, k, leaf)?)
            ),
            Value::Shift(x, by) => self.expr(*x, k.saturating_add(*by), leaf)?,
            Value::Term(_) | Value::Metric(_) => {
                return Err(CompileError::Internal {
                    what: "a value".to_owned(),
                    dialect: "any",
                    error: "a term or metric outside the level that holds it".to_owned(),
                })
            }
        })
    }
}

fn checked_p(metric: &str, p: f64) -> Result<f64, CompileError> {
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(CompileError::Invalid(format!(
            "metric `{metric}`: percentile `p` must be between 0 and 1, not {p}"
        )))
    }
}
