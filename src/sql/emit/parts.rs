//! The parts that do not depend on the spine, one scan of a source each: the rows of a source
//! (relation, time, `--by` dimensions), the cuts of `--from`/`--to`, the fragments, and the
//! plain, having and percentile parts.

use std::rc::Rc;

use sqlparser::ast::Expr;

use super::{checked_p, Emitter, Rows};
use crate::model::{Agg, Relation, Source};
use crate::sql::dialect::PercentileForm;
use crate::sql::plan::{Part, PartKind, Term};
use crate::sql::render::{self, ident};
use crate::sql::CompileError;

impl Emitter<'_, '_> {
    /// The source of a part, with its relation, time column and `--by` dimensions.
    pub(super) fn rows(&self, source_name: &str, metric: &str) -> Result<Rc<Rows>, CompileError> {
        if let Some(rows) = self.ctx.rendered.rows.borrow().get(source_name) {
            return Ok(Rc::clone(rows));
        }
        let rows = Rc::new(self.render_rows(source_name, metric)?);
        self.ctx
            .rendered
            .rows
            .borrow_mut()
            .insert(source_name.to_owned(), Rc::clone(&rows));
        Ok(rows)
    }

    fn render_rows(&self, source_name: &str, metric: &str) -> Result<Rows, CompileError> {
        let ctx = self.ctx;
        let v = self.v();
        let s = ctx.project.source(source_name).ok_or_else(|| {
            CompileError::Invalid(format!(
                "metric `{metric}` reads source `{source_name}`, which is not declared"
            ))
        })?;
        let alias = ident(v, source_name)?;
        let relation = match &s.relation {
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
                    CompileError::Invalid(format!(
                        "source `{source_name}`: its `sql` is not one SELECT"
                    ))
                })?;
                format!("({}) AS {alias}", render::query(v, q)?)
            }
            None => {
                return Err(CompileError::Invalid(format!(
                    "source `{source_name}` has no `table` or `sql`"
                )))
            }
        };
        let time = s.time.as_ref().ok_or_else(|| {
            CompileError::Invalid(format!("source `{source_name}` has no `time` column"))
        })?;
        Ok(Rows {
            relation,
            alias: alias.clone(),
            time: format!("{alias}.{}", ident(v, &time.value)?),
            dims: self.dimensions(s, metric)?,
        })
    }

    /// The `--by` dimension expressions of a source.
    fn dimensions(&self, s: &Source, metric: &str) -> Result<Vec<String>, CompileError> {
        self.ctx
            .options
            .by
            .iter()
            .map(|dim| {
                let d = s.dimension(dim).ok_or_else(|| {
                    let has: Vec<&str> =
                        s.dimensions.iter().map(|d| d.name.value.as_str()).collect();
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
                self.rendered(e)
            })
            .collect()
    }

    /// A fragment in the dialect, rendered once per product.
    pub(super) fn rendered(&self, e: &Expr) -> Result<String, CompileError> {
        let key: *const Expr = e;
        if let Some(sql) = self.ctx.rendered.exprs.borrow().get(&key) {
            return Ok(sql.clone());
        }
        let sql = render::expr(self.v(), e)?;
        self.ctx
            .rendered
            .exprs
            .borrow_mut()
            .insert(key, sql.clone());
        Ok(sql)
    }

    pub(super) fn fragment(
        &self,
        f: Option<&crate::model::Fragment>,
        what: &str,
        metric: &str,
    ) -> Result<Option<String>, CompileError> {
        match f {
            None => Ok(None),
            Some(f) => match f.expr() {
                Some(e) => self.rendered(e).map(Some),
                None => Err(CompileError::Invalid(format!(
                    "metric `{metric}`: its {what} does not parse"
                ))),
            },
        }
    }

    /// The conditions every scan of a source has: a time, and no row after `--to`. A scan of
    /// its own periods (`lower`) also has none before `--from` in the period holding it (which
    /// is reported from that day on) and none before the earliest period whose values are
    /// needed; a span (window, to date, cumulative) looks back, so it has no lower cut.
    pub(super) fn cuts(&self, rows: &Rows, lower: bool) -> Vec<String> {
        let v = self.v();
        let day = v.day(&rows.time);
        let mut conds = vec![format!("{} IS NOT NULL", rows.time)];
        if let (true, Some(from), Some(first), Some(earliest)) = (
            lower,
            self.ctx.options.from,
            self.first_reported(),
            self.earliest(),
        ) {
            if earliest < first {
                conds.push(format!("{day} >= {}", v.date(earliest)));
                if from > first {
                    conds.push(format!(
                        "({day} >= {} OR {day} < {})",
                        v.date(from),
                        v.date(first)
                    ));
                }
            } else {
                conds.push(format!("{day} >= {}", v.date(from)));
            }
        }
        if let Some(t) = self.ctx.options.to {
            conds.push(format!("{day} <= {}", v.date(t)));
        }
        conds
    }

    /// A part that does not depend on the spine: plain, having or conversion.
    pub(super) fn part(&self, part: &Part) -> Result<String, CompileError> {
        match part.kind {
            PartKind::Plain => self.plain(part),
            PartKind::Having => self.having(part),
            PartKind::Conversion => self.conversion(part),
            PartKind::Span(_) => unreachable!("span parts are written over the spine"),
        }
    }

    /// The aggregate of one term over the rows of its part (`x` may reference the source).
    fn aggregate(&self, t: &Term<'_>) -> Result<String, CompileError> {
        let v = self.v();
        let m = t.measure().expect("a measure");
        let filter = self.fragment(m.filter.as_ref(), "filter", t.metric)?;
        let agg = m.agg.value;
        if agg == Agg::Count {
            return Ok(match filter {
                Some(f) => format!("COUNT(CASE WHEN {f} THEN 1 END)"),
                None => "COUNT(*)".to_owned(),
            });
        }
        let arg = self.argument(t)?;
        Ok(match agg {
            Agg::Count => unreachable!("handled above"),
            Agg::CountDistinct => format!("COUNT(DISTINCT {arg})"),
            Agg::Sum => format!("SUM({arg})"),
            Agg::Avg => format!("AVG({arg})"),
            Agg::Min => format!("MIN({arg})"),
            Agg::Max => format!("MAX({arg})"),
            // Percentiles interpolate in floating point: over a DECIMAL (`qty * 0.5`) DuckDB
            // would round the interpolated value to the decimal's scale.
            Agg::Median => v.percentile(&v.float(&arg), 0.5),
            Agg::Percentile(p) => v.percentile(&v.float(&arg), checked_p(t.metric, p)?),
        })
    }

    /// The aggregated expression, NULL on rows the filter leaves out.
    pub(super) fn argument(&self, t: &Term<'_>) -> Result<String, CompileError> {
        let m = t.measure().expect("a measure");
        let filter = self.fragment(m.filter.as_ref(), "filter", t.metric)?;
        let x = self
            .fragment(m.expr.as_ref(), "expr", t.metric)?
            .ok_or_else(|| {
                CompileError::Invalid(format!(
                    "metric `{}`: `{}` needs an `expr`",
                    t.metric,
                    m.agg.value.name()
                ))
            })?;
        Ok(match filter {
            Some(f) => format!("CASE WHEN {f} THEN {x} END"),
            None => x,
        })
    }

    /// The keys of a part's rows: `trunc(time) AS period, dims AS d0...`, and the grouping.
    fn part_keys(&self, rows: &Rows) -> (Vec<String>, Vec<String>) {
        let period = self.v().trunc(self.grain(), &rows.time);
        let mut cols = vec![format!("{period} AS {}", self.names.period)];
        cols.extend(
            rows.dims
                .iter()
                .zip(&self.names.dims)
                .map(|(e, n)| format!("{e} AS {n}")),
        );
        let mut group = vec![period];
        group.extend(rows.dims.iter().cloned());
        (cols, group)
    }

    fn plain(&self, part: &Part) -> Result<String, CompileError> {
        let v = self.v();
        let first = &self.plan.terms[part.terms[0]];
        let rows = self.rows(&part.source, first.metric)?;
        let (mut cols, group) = self.part_keys(&rows);
        let conds = self.cuts(&rows, true);
        // A percentile that the dialect writes as a subquery has a part of its own.
        if let [only] = part.terms.as_slice() {
            if let Some(sql) = self.percentile_part(*only, &rows, &cols, &group, &conds)? {
                return Ok(sql);
            }
        }
        for &i in &part.terms {
            cols.push(format!(
                "{} AS {}",
                self.aggregate(&self.plan.terms[i])?,
                self.term_col(i)?
            ));
        }
        let _ = v;
        Ok(format!(
            "SELECT {}\nFROM {}\nWHERE {}\nGROUP BY {}",
            cols.join(",\n  "),
            rows.relation,
            conds.join(" AND "),
            group.join(", ")
        ))
    }

    /// A percentile in a dialect without an exact percentile aggregate: BigQuery's analytic
    /// function, or Trino's sorted array. `None` for other terms and dialects.
    fn percentile_part(
        &self,
        i: usize,
        rows: &Rows,
        keys: &[String],
        group: &[String],
        conds: &[String],
    ) -> Result<Option<String>, CompileError> {
        let t = &self.plan.terms[i];
        let Some(m) = t.measure() else {
            return Ok(None);
        };
        let p = match m.agg.value {
            Agg::Median => 0.5,
            Agg::Percentile(p) => checked_p(t.metric, p)?,
            _ => return Ok(None),
        };
        let form = self.v().percentile_form();
        if form == PercentileForm::Aggregate {
            return Ok(None);
        }
        let arg = self.v().float(&self.argument(t)?);
        let source = format!("FROM {}\n  WHERE {}", rows.relation, conds.join(" AND "));
        Ok(Some(
            self.percentile_of(form, i, &arg, p, keys, group, &source)?,
        ))
    }

    /// `SELECT keys, percentile AS m_i FROM (...) GROUP BY keys` for the analytic and sorted
    /// array forms. `source` is the FROM (and WHERE) of the rows; `keys` the key columns as
    /// `expr AS name`, `group` their expressions.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn percentile_of(
        &self,
        form: PercentileForm,
        i: usize,
        arg: &str,
        p: f64,
        keys: &[String],
        group: &[String],
        source: &str,
    ) -> Result<String, CompileError> {
        let v = self.v();
        let out = self.term_col(i)?;
        let q = ident(v, "lodestar_q")?;
        let inner_col = ident(v, "lodestar_v")?;
        let key_names = self.names.all();
        Ok(match form {
            PercentileForm::Analytic => format!(
                "SELECT {k}, MAX({q}.{inner_col}) AS {out}\nFROM (\n  SELECT {keys}, {} OVER (PARTITION BY {g}) AS {inner_col}\n  {source}\n) AS {q}\nGROUP BY {k}",
                v.percentile(arg, p),
                k = key_names.join(", "),
                keys = keys.join(", "),
                g = group.join(", "),
            ),
            PercentileForm::SortedArray => {
                let a = format!("{q}.{inner_col}");
                let h = format!("((CARDINALITY({a}) - 1) * {p})");
                let lo = format!("CAST(FLOOR({h}) AS BIGINT)");
                let at = |idx: &str| format!("ELEMENT_AT({a}, {idx})");
                let value = format!(
                    "CASE WHEN CARDINALITY({a}) = 0 THEN NULL ELSE {} + ({h} - FLOOR({h})) * ({} - {}) END",
                    at(&format!("{lo} + 1")),
                    at(&format!("LEAST({lo} + 2, CARDINALITY({a}))")),
                    at(&format!("{lo} + 1")),
                );
                format!(
                    "SELECT {k}, {value} AS {out}\nFROM (\n  SELECT {keys}, ARRAY_SORT(ARRAY_AGG({arg}) FILTER (WHERE {arg} IS NOT NULL)) AS {inner_col}\n  {source}\n  GROUP BY {g}\n) AS {q}",
                    k = key_names.iter().map(|c| format!("{q}.{c}")).collect::<Vec<_>>().join(", "),
                    keys = keys.join(", "),
                    g = group.join(", "),
                )
            }
            PercentileForm::Aggregate => unreachable!("aggregates are written in place"),
        })
    }

    fn having(&self, part: &Part) -> Result<String, CompileError> {
        let v = self.v();
        let i = part.terms[0];
        let t = &self.plan.terms[i];
        let m = t.measure().expect("a measure");
        let rows = self.rows(&part.source, t.metric)?;
        let (cols, group) = self.part_keys(&rows);
        let every = self.cuts(&rows, true);
        let (x, h, filter) = self.having_parts(t)?;
        let mut conds = every.clone();
        conds.push(format!("{x} IS NOT NULL"));
        conds.extend(filter);
        let _ = m;
        // Every period (and dimension value) the source has rows for gets a row, 0 when no
        // entity qualifies: the qualifying entities, flagged 1, beside the source's own keys,
        // flagged 0, counted by flag.
        let e = ident(v, "lodestar_entities")?;
        let q = ident(v, "lodestar_qualifies")?;
        let outer = self.names.all();
        Ok(format!(
            "SELECT {o}, COUNT(CASE WHEN {q} = 1 THEN 1 END) AS {m}\nFROM (\n  SELECT {c}, 1 AS {q}\n  FROM {from}\n  WHERE {w}\n  GROUP BY {k}, {x}\n  HAVING {h}\n  UNION ALL\n  SELECT DISTINCT {c}, 0 AS {q}\n  FROM {from}\n  WHERE {every}\n) AS {e}\nGROUP BY {o}",
            o = outer.join(", "),
            m = self.term_col(i)?,
            c = cols.join(", "),
            from = rows.relation,
            w = conds.join(" AND "),
            k = group.join(", "),
            every = every.join(" AND "),
        ))
    }

    /// A `having` measure's entity, condition and filter.
    pub(super) fn having_parts(
        &self,
        t: &Term<'_>,
    ) -> Result<(String, String, Option<String>), CompileError> {
        let m = t.measure().expect("a measure");
        if m.agg.value != Agg::CountDistinct {
            return Err(CompileError::Invalid(format!(
                "metric `{}`: `having` counts entities, so it needs `agg: count_distinct` with \
                 `expr` naming the entity, not `{}`",
                t.metric,
                m.agg.value.name()
            )));
        }
        let x = self
            .fragment(m.expr.as_ref(), "expr", t.metric)?
            .ok_or_else(|| {
                CompileError::Invalid(format!("metric `{}`: `having` needs an `expr`", t.metric))
            })?;
        let h = self
            .fragment(m.having.as_ref(), "having", t.metric)?
            .unwrap_or_default();
        let filter = self.fragment(m.filter.as_ref(), "filter", t.metric)?;
        Ok((x, h, filter))
    }
}
