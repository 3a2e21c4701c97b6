//! Spans: a measure over a window, to date or cumulative, at every period of the spine, and the
//! periods in which a span's source has rows.

use super::{checked_p, Emitter};
use crate::model::{Agg, Over};
use crate::sql::dialect::{add_grain, PercentileForm, Unit};
use crate::sql::plan::Part;
use crate::sql::render::ident;
use crate::sql::CompileError;

impl Emitter<'_, '_> {
    /// The periods (and dimension values) in which a span part's source has rows: the periods
    /// it reports when no range is given.
    pub(super) fn own_periods(&self, part: &Part) -> Result<String, CompileError> {
        let t = &self.plan.terms[part.terms[0]];
        let rows = self.rows(&part.source, t.metric)?;
        let mut cols = vec![format!(
            "{} AS {}",
            self.v().trunc(self.grain(), &rows.time),
            self.names.period
        )];
        cols.extend(
            rows.dims
                .iter()
                .zip(&self.names.dims)
                .map(|(e, n)| format!("{e} AS {n}")),
        );
        Ok(format!(
            "SELECT DISTINCT {}\nFROM {}\nWHERE {}",
            cols.join(", "),
            rows.relation,
            self.cuts(&rows, true).join(" AND ")
        ))
    }

    /// A measure over a window, to date or cumulative, at every period of `spine`: the source's
    /// rows reduced per day (and entity) first, then joined with the periods whose span holds
    /// each day.
    pub(super) fn span(
        &self,
        part: &Part,
        over: Over,
        spine: &str,
    ) -> Result<String, CompileError> {
        let v = self.v();
        let i = part.terms[0];
        let t = &self.plan.terms[i];
        let m = t.measure().expect("a measure");
        let rows = self.rows(&part.source, t.metric)?;
        let names = &self.names;
        let s = ident(v, "lodestar_s")?;
        let d = ident(v, "lodestar_d")?;
        let day_col = ident(v, "lodestar_day")?;
        let out = self.term_col(i)?;
        let day = v.day(&rows.time);
        let mut conds = self.cuts(&rows, false);
        let filter = self.fragment(m.filter.as_ref(), "filter", t.metric)?;
        // The span of each period: from `lo` to the day before `next`.
        let period = format!("{s}.{}", names.period);
        let next = add_grain(v, self.grain(), &period, 1);
        let lo = match over {
            Over::Window(n) => Some(v.add(&next, &format!("-{n}"), Unit::Day)),
            Over::ToDate(unit) => Some(v.trunc(unit, &v.add(&next, "-1", Unit::Day))),
            Over::Cumulative => None,
        };
        let mut on = vec![format!("{d}.{day_col} < {next}")];
        if let Some(lo) = &lo {
            on.push(format!("{d}.{day_col} >= {lo}"));
        }
        for n in &names.dims {
            on.push(v.same(&format!("{d}.{n}"), &format!("{s}.{n}")));
        }
        let dim_cols: Vec<String> = rows
            .dims
            .iter()
            .zip(&names.dims)
            .map(|(e, n)| format!("{e} AS {n}"))
            .collect();
        let keys_out: Vec<String> = names
            .keys_of(&s)
            .iter()
            .zip(names.all())
            .map(|(c, n)| format!("{c} AS {n}"))
            .collect();
        let keys_group = names.keys_of(&s);
        let spine_rel = format!("{spine} AS {s}");
        let agg = m.agg.value;

        if m.having.is_some() {
            // A per-entity condition over the span's rows: the rows themselves are joined.
            let (x, h, filter) = self.having_parts(t)?;
            let mut inner = vec![format!("{}.*", rows.alias), format!("{day} AS {day_col}")];
            inner.extend(dim_cols.iter().cloned());
            conds.push(format!("{x} IS NOT NULL"));
            conds.extend(filter);
            // The reduced rows keep the source's columns and alias, so the entity and the
            // condition read as written.
            let a = &rows.alias;
            let reduced = format!(
                "(SELECT {} FROM {} WHERE {}) AS {a}",
                inner.join(", "),
                rows.relation,
                conds.join(" AND ")
            );
            let on: Vec<String> = on
                .iter()
                .map(|c| c.replace(&format!("{d}."), &format!("{a}.")))
                .collect();
            let e = ident(v, "lodestar_entities")?;
            let ent = ident(v, "lodestar_entity")?;
            let (x_d, h_d) = (&x, &h);
            let key_names = names.all();
            return Ok(format!(
                "SELECT {k}, COUNT(*) AS {out}\nFROM (\n  SELECT {keys_out}, {x_d} AS {ent}\n  FROM {join}\n  GROUP BY {g}, {x_d}\n  HAVING {h_d}\n) AS {e}\nGROUP BY {k}",
                k = key_names.join(", "),
                keys_out = keys_out.join(", "),
                join = v.range_join(&spine_rel, &reduced, &on.join(" AND ")).replace('\n', "\n  "),
                g = keys_group.join(", "),
            ));
        }

        let group_day = {
            let mut g = vec![day.clone()];
            g.extend(rows.dims.iter().cloned());
            g
        };
        let (reduced_cols, reduced_group, measure): (Vec<String>, Option<Vec<String>>, String) =
            match agg {
                Agg::Count => {
                    if let Some(f) = &filter {
                        conds.push(f.clone());
                    }
                    let c = ident(v, "lodestar_c")?;
                    (
                        vec![format!("COUNT(*) AS {c}")],
                        Some(group_day.clone()),
                        format!("SUM({d}.{c})"),
                    )
                }
                Agg::Sum | Agg::Min | Agg::Max | Agg::Avg => {
                    let x = self.argument(t)?;
                    let (a, b) = (ident(v, "lodestar_a")?, ident(v, "lodestar_b")?);
                    let (cols, measure) = match agg {
                        Agg::Sum => (vec![format!("SUM({x}) AS {a}")], format!("SUM({d}.{a})")),
                        Agg::Min => (vec![format!("MIN({x}) AS {a}")], format!("MIN({d}.{a})")),
                        Agg::Max => (vec![format!("MAX({x}) AS {a}")], format!("MAX({d}.{a})")),
                        _ => (
                            vec![format!("SUM({x}) AS {a}"), format!("COUNT({x}) AS {b}")],
                            v.divide(&format!("SUM({d}.{a})"), &format!("SUM({d}.{b})")),
                        ),
                    };
                    (cols, Some(group_day.clone()), measure)
                }
                Agg::CountDistinct => {
                    let x = self.argument(t)?;
                    let ent = ident(v, "lodestar_e")?;
                    conds.push(format!("{x} IS NOT NULL"));
                    match over {
                        Over::Window(_) => (
                            vec![format!("{x} AS {ent}")],
                            Some({
                                let mut g = group_day.clone();
                                g.push(x.clone());
                                g
                            }),
                            format!("COUNT(DISTINCT {d}.{ent})"),
                        ),
                        // Each entity once, on the first day it has a row (in the span's
                        // bucket, for to_date): counting them up to a day counts each once.
                        Over::Cumulative | Over::ToDate(_) => {
                            let mut g: Vec<String> = rows.dims.clone();
                            g.push(x.clone());
                            if let Over::ToDate(unit) = over {
                                g.push(v.trunc(unit, &rows.time));
                            }
                            // Counted per first day below: summed over the span.
                            let c = ident(v, "lodestar_c")?;
                            (
                                vec![format!("{x} AS {ent}")],
                                Some(g),
                                format!("SUM({d}.{c})"),
                            )
                        }
                    }
                }
                Agg::Median | Agg::Percentile(_) => {
                    let x = v.float(&self.argument(t)?);
                    let val = ident(v, "lodestar_value")?;
                    (vec![format!("{x} AS {val}")], None, val.clone())
                }
            };
        // The reduced rows: per day (and dimensions), or per entity for counts of entities.
        let first_day = matches!(
            (agg, over),
            (Agg::CountDistinct, Over::Cumulative | Over::ToDate(_))
        );
        let mut inner: Vec<String> = Vec::new();
        if first_day {
            inner.push(format!("MIN({day}) AS {day_col}"));
        } else {
            inner.push(format!("{day} AS {day_col}"));
        }
        inner.extend(dim_cols.iter().cloned());
        inner.extend(reduced_cols);
        let mut reduced = format!(
            "SELECT {} FROM {} WHERE {}",
            inner.join(", "),
            rows.relation,
            conds.join(" AND ")
        );
        if let Some(g) = &reduced_group {
            reduced.push_str(&format!(" GROUP BY {}", g.join(", ")));
        }
        if first_day {
            // Entities per first day (and dimensions): the join with the periods then reads a
            // row per day, not one per entity.
            let f = ident(v, "lodestar_f")?;
            let c = ident(v, "lodestar_c")?;
            let mut keys = vec![day_col.clone()];
            keys.extend(names.dims.iter().cloned());
            reduced = format!(
                "SELECT {k}, COUNT(*) AS {c} FROM ({reduced}) AS {f} GROUP BY {k}",
                k = keys.join(", ")
            );
        }
        let reduced = format!("({reduced}) AS {d}");
        let join = v.range_join(&spine_rel, &reduced, &on.join(" AND "));
        if matches!(agg, Agg::Median | Agg::Percentile(_)) {
            let p = match agg {
                Agg::Percentile(p) => checked_p(t.metric, p)?,
                _ => 0.5,
            };
            let val = format!("{d}.{}", ident(v, "lodestar_value")?);
            let form = v.percentile_form();
            if form != PercentileForm::Aggregate {
                let source = format!("FROM {}", join.replace('\n', "\n  "));
                return self.percentile_of(form, i, &val, p, &keys_out, &keys_group, &source);
            }
            return Ok(format!(
                "SELECT {}, {} AS {out}\nFROM {join}\nGROUP BY {}",
                keys_out.join(", "),
                v.percentile(&val, p),
                keys_group.join(", ")
            ));
        }
        Ok(format!(
            "SELECT {}, {measure} AS {out}\nFROM {join}\nGROUP BY {}",
            keys_out.join(", "),
            keys_group.join(", ")
        ))
    }
}
