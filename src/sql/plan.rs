//! Model → plan: what one query computes, with no SQL text and no dialect.
//!
//! A query computes some metrics at one grain. Its plan holds:
//! * **terms**: one measure (or one side of a conversion) aggregated per period and `--by`
//!   dimension values, each the column of a **part** (one scan of a source);
//! * **values**: a DAG of arithmetic over terms, numbers, other metrics and metrics shifted some
//!   periods back (`compare`). Identical values are one node, and every metric is one node
//!   however many metrics use it, so the SQL written from a plan is linear in the spec;
//! * **lookbacks**: how many periods before each reported period the values must also be known
//!   (the sums of `compare` offsets along each chain of comparisons).
//!
//! The emitter ([`super::emit`]) writes a plan for one dialect.

use rustc_hash::FxHashMap as HashMap;

use sqlparser::ast::{BinaryOperator, Expr, UnaryOperator};

use super::CompileError;
use crate::model::{
    Agg, CompareAs, Compute, Conversion, ConversionAs, Grain, Measure, Metric, Operand, Over,
    Product,
};

pub(crate) type ValueId = usize;

/// Arithmetic operators of derived metrics (division is [`Value::Div`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Op {
    Add,
    Sub,
    Mul,
}

impl Op {
    pub fn sql(self) -> &'static str {
        match self {
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
        }
    }
}

/// A value per period and dimension values.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Value {
    /// A term's column; 0 where its part has no row, for a count or a sum.
    Term(usize),
    Number(String),
    Neg(ValueId),
    Arith(ValueId, Op, ValueId),
    /// Floating-point division, NULL when the divisor is 0 or NULL.
    Div(ValueId, ValueId),
    /// The value of a metric node `periods` periods earlier, for the same dimension values.
    Shift(ValueId, u32),
    /// A metric: its value gets a column of its own, which every use reads.
    Metric(usize),
}

/// What a term aggregates.
#[derive(Clone, Debug)]
pub(crate) enum TermKind<'a> {
    Measure(&'a Measure),
    /// The entities with a base row in the period (`converted: false`), or those of them that
    /// convert (`converted: true`).
    Conversion {
        conversion: &'a Conversion,
        converted: bool,
    },
}

/// One aggregation per period.
#[derive(Clone, Debug)]
pub(crate) struct Term<'a> {
    /// The metric it was first written for (for messages).
    pub metric: &'a str,
    pub kind: TermKind<'a>,
}

impl Term<'_> {
    /// Whether a period without rows counts 0 (else NULL).
    pub fn zero_when_empty(&self) -> bool {
        match &self.kind {
            TermKind::Measure(m) => m.agg.value.zero_when_empty(),
            TermKind::Conversion { .. } => true,
        }
    }

    pub fn measure(&self) -> Option<&Measure> {
        match &self.kind {
            TermKind::Measure(m) => Some(m),
            TermKind::Conversion { .. } => None,
        }
    }
}

/// How rows become a part's aggregates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PartKind {
    /// The rows of a source per period, aggregated (several terms share one scan).
    Plain,
    /// Entities meeting a per-entity `having` condition, counted per period.
    Having,
    /// A measure over more rows than the period's own (window, to date, cumulative), evaluated
    /// at every period of the query.
    Span(Over),
    /// The entities of a conversion and those that convert.
    Conversion,
}

/// A scan of one source producing one column per term, per period and dimension values.
#[derive(Clone, Debug)]
pub(crate) struct Part {
    pub kind: PartKind,
    /// The source scanned (the base source for a conversion).
    pub source: String,
    pub terms: Vec<usize>,
}

/// What decides which terms can share a scan, per dialect.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PartRules {
    /// A percentile needs a part of its own (its aggregate is written as a subquery).
    pub percentile_alone: bool,
    /// The percentiles of one part must order by one expression (Redshift).
    pub one_percentile_order: bool,
}

/// The plan of one query.
#[derive(Debug)]
pub(crate) struct Plan<'a> {
    pub grain: Grain,
    pub terms: Vec<Term<'a>>,
    pub parts: Vec<Part>,
    pub values: Vec<Value>,
    /// Each metric node's name, in the order the nodes were made (`Value::Metric(i)`).
    pub metrics: Vec<(String, ValueId)>,
    /// The columns of the result: (name, value), in order.
    pub outputs: Vec<(String, ValueId)>,
    /// Periods before a reported one whose values are needed, sorted, without 0.
    pub lookbacks: Vec<u32>,
}

/// Nesting of metric references deeper than this is refused (cycles are LS005).
const MAX_DEPTH: usize = 64;

struct Planner<'a> {
    product: &'a Product,
    terms: Vec<Term<'a>>,
    values: Vec<Value>,
    index: HashMap<Value, ValueId>,
    metrics: Vec<(String, ValueId)>,
    /// Metric name → its `Value::Metric` node.
    done: HashMap<&'a str, ValueId>,
    /// Metric names being planned (to refuse a cycle instead of recursing forever).
    open: Vec<&'a str>,
}

impl<'a> Planner<'a> {
    fn node(&mut self, v: Value) -> ValueId {
        if let Some(&id) = self.index.get(&v) {
            return id;
        }
        self.values.push(v.clone());
        let id = self.values.len() - 1;
        self.index.insert(v, id);
        id
    }

    fn term(&mut self, metric: &'a str, kind: TermKind<'a>) -> ValueId {
        let found = self.terms.iter().position(|t| same_kind(&t.kind, &kind));
        let i = found.unwrap_or_else(|| {
            self.terms.push(Term { metric, kind });
            self.terms.len() - 1
        });
        self.node(Value::Term(i))
    }

    /// The node of a metric, planned once.
    fn metric(&mut self, m: &'a Metric) -> Result<ValueId, CompileError> {
        let name = m.name.value.as_str();
        if let Some(&id) = self.done.get(name) {
            return Ok(id);
        }
        if self.open.contains(&name) || self.open.len() > MAX_DEPTH {
            return Err(CompileError::Invalid(format!(
                "metric `{name}` refers to itself through other metrics"
            )));
        }
        self.open.push(name);
        let inner = self.compute(m)?;
        self.open.pop();
        let index = self.metrics.len();
        let id = self.node(Value::Metric(index));
        self.metrics.push((name.to_owned(), inner));
        self.done.insert(name, id);
        Ok(id)
    }

    fn compute(&mut self, m: &'a Metric) -> Result<ValueId, CompileError> {
        let name = m.name.value.as_str();
        match &m.compute {
            None => Err(CompileError::Invalid(format!(
                "metric `{name}` has no computation"
            ))),
            Some(Compute::Measure(measure)) => Ok(self.term(name, TermKind::Measure(measure))),
            Some(Compute::Ratio {
                numerator,
                denominator,
                ..
            }) => {
                let n = self.operand(name, numerator)?;
                let d = self.operand(name, denominator)?;
                Ok(self.node(Value::Div(n, d)))
            }
            Some(Compute::Derived { expr, .. }) => {
                let e = expr.expr().ok_or_else(|| {
                    CompileError::Invalid(format!(
                        "metric `{name}`: the derived expression does not parse"
                    ))
                })?;
                self.derived(name, e, 0)
            }
            Some(Compute::Compare(c)) => {
                let now = self.named(name, &c.metric.value)?;
                let then = self.node(Value::Shift(now, c.offset.value));
                Ok(match c.as_.value {
                    CompareAs::Value => then,
                    CompareAs::Change => self.node(Value::Arith(now, Op::Sub, then)),
                    CompareAs::Growth => {
                        let change = self.node(Value::Arith(now, Op::Sub, then));
                        self.node(Value::Div(change, then))
                    }
                })
            }
            Some(Compute::Conversion(c)) => {
                let converted = self.term(
                    name,
                    TermKind::Conversion {
                        conversion: c,
                        converted: true,
                    },
                );
                Ok(match c.as_.value {
                    ConversionAs::Count => converted,
                    ConversionAs::Rate => {
                        let entities = self.term(
                            name,
                            TermKind::Conversion {
                                conversion: c,
                                converted: false,
                            },
                        );
                        self.node(Value::Div(converted, entities))
                    }
                })
            }
        }
    }

    fn operand(&mut self, metric: &'a str, o: &'a Operand) -> Result<ValueId, CompileError> {
        match o {
            Operand::Measure(m) => Ok(self.term(metric, TermKind::Measure(m))),
            Operand::Metric(n) => self.named(metric, &n.value),
        }
    }

    fn named(&mut self, metric: &str, name: &str) -> Result<ValueId, CompileError> {
        let product = self.product;
        let m = product.metric(name).ok_or_else(|| {
            CompileError::Invalid(format!(
                "metric `{metric}` refers to `{name}`, which product `{}` does not define",
                product.name.value
            ))
        })?;
        self.metric(m)
    }

    fn derived(
        &mut self,
        metric: &'a str,
        e: &Expr,
        depth: usize,
    ) -> Result<ValueId, CompileError> {
        if depth > 256 {
            return Err(not_arithmetic(metric, e));
        }
        Ok(match e {
            Expr::Identifier(id) => self.named(metric, &id.value)?,
            Expr::Value(v) => match &v.value {
                sqlparser::ast::Value::Number(n, _) => self.node(Value::Number(n.clone())),
                _ => return Err(not_arithmetic(metric, e)),
            },
            Expr::Nested(inner) => self.derived(metric, inner, depth + 1)?,
            Expr::UnaryOp {
                op: UnaryOperator::Minus,
                expr,
            } => {
                let x = self.derived(metric, expr, depth + 1)?;
                self.node(Value::Neg(x))
            }
            Expr::UnaryOp {
                op: UnaryOperator::Plus,
                expr,
            } => self.derived(metric, expr, depth + 1)?,
            Expr::BinaryOp { left, op, right } => {
                let l = self.derived(metric, left, depth + 1)?;
                let r = self.derived(metric, right, depth + 1)?;
                let op = match op {
                    BinaryOperator::Plus => Op::Add,
                    BinaryOperator::Minus => Op::Sub,
                    BinaryOperator::Multiply => Op::Mul,
                    BinaryOperator::Divide => return Ok(self.node(Value::Div(l, r))),
                    _ => return Err(not_arithmetic(metric, e)),
                };
                self.node(Value::Arith(l, op, r))
            }
            _ => return Err(not_arithmetic(metric, e)),
        })
    }
}

fn not_arithmetic(metric: &str, e: &Expr) -> CompileError {
    CompileError::Invalid(format!(
        "metric `{metric}`: `{e}` is not arithmetic over metric names (+ - * / and parentheses)"
    ))
}

/// Whether two terms aggregate the same thing (spans aside): one column serves both.
fn same_kind(a: &TermKind<'_>, b: &TermKind<'_>) -> bool {
    match (a, b) {
        (TermKind::Measure(a), TermKind::Measure(b)) => same_measure(a, b),
        (
            TermKind::Conversion {
                conversion: a,
                converted: ca,
            },
            TermKind::Conversion {
                conversion: b,
                converted: cb,
            },
        ) => ca == cb && (std::ptr::eq(*a, *b) || a == b),
        _ => false,
    }
}

fn same_measure(a: &Measure, b: &Measure) -> bool {
    fn text(f: &Option<crate::model::Fragment>) -> Option<&str> {
        f.as_ref().map(|f| f.text.value.trim())
    }
    std::ptr::eq(a, b)
        || a.source.value == b.source.value
            && a.agg.value == b.agg.value
            && a.over.as_ref().map(|o| o.value) == b.over.as_ref().map(|o| o.value)
            && text(&a.expr) == text(&b.expr)
            && text(&a.filter) == text(&b.filter)
            && text(&a.having) == text(&b.having)
}

/// Plans the query computing `outputs` (column name, metric) at `grain`.
pub(crate) fn plan<'a>(
    product: &'a Product,
    outputs: &[(&str, &'a Metric)],
    grain: Grain,
    rules: PartRules,
) -> Result<Plan<'a>, CompileError> {
    let mut p = Planner {
        product,
        terms: Vec::new(),
        values: Vec::new(),
        index: HashMap::default(),
        metrics: Vec::new(),
        done: HashMap::default(),
        open: Vec::new(),
    };
    let mut out = Vec::new();
    for (alias, m) in outputs {
        out.push(((*alias).to_owned(), p.metric(m)?));
    }
    let parts = group(&p.terms, rules);
    let lookbacks = lookbacks(&p.values, &p.metrics, &out);
    Ok(Plan {
        grain,
        terms: p.terms,
        parts,
        values: p.values,
        metrics: p.metrics,
        outputs: out,
        lookbacks,
    })
}

/// Groups terms into parts: plain terms of one source share a scan; the others scan alone.
fn group(terms: &[Term<'_>], rules: PartRules) -> Vec<Part> {
    let mut parts: Vec<Part> = Vec::new();
    for (i, t) in terms.iter().enumerate() {
        let (kind, source) = match &t.kind {
            TermKind::Conversion { conversion, .. } => {
                // Both terms of one conversion come from one part.
                let found = parts.iter_mut().find(|p| {
                    p.kind == PartKind::Conversion
                        && p.terms.iter().any(|&j| match &terms[j].kind {
                            TermKind::Conversion { conversion: c, .. } => {
                                std::ptr::eq(*c, *conversion) || *c == *conversion
                            }
                            _ => false,
                        })
                });
                if let Some(part) = found {
                    part.terms.push(i);
                    continue;
                }
                (PartKind::Conversion, conversion.base.source.value.clone())
            }
            TermKind::Measure(m) => {
                let kind = match (&m.over, &m.having) {
                    (Some(o), _) => PartKind::Span(o.value),
                    (None, Some(_)) => PartKind::Having,
                    (None, None) => PartKind::Plain,
                };
                (kind, m.source.value.clone())
            }
        };
        if kind == PartKind::Plain {
            let percentile = percentile_order(t);
            let alone = percentile.is_some() && rules.percentile_alone;
            let shared = (!alone).then(|| {
                parts.iter_mut().find(|p| {
                    p.kind == PartKind::Plain
                        && p.source == source
                        && !p.terms.iter().any(|&j| {
                            rules.percentile_alone && percentile_order(&terms[j]).is_some()
                        })
                        && (!rules.one_percentile_order
                            || percentile.is_none()
                            || p.terms.iter().all(|&j| {
                                percentile_order(&terms[j])
                                    .is_none_or(|other| Some(other) == percentile)
                            }))
                })
            });
            if let Some(Some(part)) = shared {
                part.terms.push(i);
                continue;
            }
        }
        parts.push(Part {
            kind,
            source,
            terms: vec![i],
        });
    }
    parts
}

/// The expression a percentile term orders by, as written.
fn percentile_order<'a>(t: &'a Term<'a>) -> Option<&'a str> {
    let m = t.measure()?;
    match m.agg.value {
        Agg::Median | Agg::Percentile(_) => m.expr.as_ref().map(|e| e.text.value.trim()),
        _ => None,
    }
}

/// The sums of offsets along every chain of shifts the outputs read, without 0: the periods
/// before a reported one at which values must be known.
fn lookbacks(
    values: &[Value],
    metrics: &[(String, ValueId)],
    outputs: &[(String, ValueId)],
) -> Vec<u32> {
    /// A chain of comparisons adds one offset per metric on it; far more than a spec holds.
    const MAX: usize = 4096;
    fn walk(
        values: &[Value],
        metrics: &[(String, ValueId)],
        id: ValueId,
        memo: &mut HashMap<ValueId, Vec<u32>>,
    ) -> Vec<u32> {
        if let Some(v) = memo.get(&id) {
            return v.clone();
        }
        let children: Vec<(ValueId, u32)> = match &values[id] {
            Value::Term(_) | Value::Number(_) => Vec::new(),
            Value::Neg(x) => vec![(*x, 0)],
            Value::Arith(a, _, b) | Value::Div(a, b) => vec![(*a, 0), (*b, 0)],
            Value::Shift(x, k) => vec![(*x, *k)],
            Value::Metric(i) => vec![(metrics[*i].1, 0)],
        };
        let mut out = vec![0u32];
        for (child, by) in children {
            for x in walk(values, metrics, child, memo) {
                let v = x.saturating_add(by);
                if !out.contains(&v) && out.len() < MAX {
                    out.push(v);
                }
            }
        }
        out.sort_unstable();
        memo.insert(id, out.clone());
        out
    }
    let mut memo = HashMap::default();
    let mut all: Vec<u32> = Vec::new();
    for (_, id) in outputs {
        for x in walk(values, metrics, *id, &mut memo) {
            if x > 0 && !all.contains(&x) && all.len() < MAX {
                all.push(x);
            }
        }
    }
    all.sort_unstable();
    all
}
