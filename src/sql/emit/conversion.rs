//! Conversions: the entities with a base row in each period, and whether each converts (an
//! event row of the same entity within the window).

use super::Emitter;
use crate::sql::plan::{Part, TermKind};
use crate::sql::render::ident;
use crate::sql::CompileError;

impl Emitter<'_, '_> {
    /// The entities of a conversion with a base row in each period, and whether each converts:
    /// an event row of the same entity at or after one of its base rows, within the window.
    pub(super) fn conversion(&self, part: &Part) -> Result<String, CompileError> {
        let v = self.v();
        let t0 = &self.plan.terms[part.terms[0]];
        let TermKind::Conversion { conversion: c, .. } = &t0.kind else {
            unreachable!("a conversion part holds conversion terms")
        };
        let metric = t0.metric;
        let base = self.rows(&c.base.source.value, metric)?;
        let event = self.rows(&c.event.source.value, metric)?;
        // The entity is one expression over the columns of either source.
        let entity = self.rendered(c.entity.expr().ok_or_else(|| {
            CompileError::Invalid(format!("metric `{metric}`: its entity does not parse"))
        })?)?;
        // Base and event rows meet in one UNION: the entity is made text unless both sources
        // are one, or declare it as a column of the same type (a cast on every row costs time).
        let same_type = c.base.source.value == c.event.source.value || {
            let typed = |name: &str| {
                let column = match c.entity.expr()? {
                    sqlparser::ast::Expr::Identifier(id) => id.value.clone(),
                    _ => return None,
                };
                let columns = self.ctx.project.source(name)?.columns.as_ref()?;
                let col = columns.iter().find(|k| k.name.value == column)?;
                Some(col.data_type.as_ref()?.value.to_ascii_lowercase())
            };
            matches!(
                (typed(&c.base.source.value), typed(&c.event.source.value)),
                (Some(a), Some(b)) if a == b
            )
        };
        let as_entity = |e: &str| if same_type { e.to_owned() } else { v.string(e) };
        let names = &self.names;
        let (ent, ts, kind, next, conv) = (
            ident(v, "lodestar_entity")?,
            ident(v, "lodestar_t")?,
            ident(v, "lodestar_k")?,
            ident(v, "lodestar_next")?,
            ident(v, "lodestar_converted")?,
        );
        // Base rows: the period they fall in, their dimension values.
        let eb = &entity;
        let mut bcols = vec![
            format!("{} AS {ent}", as_entity(eb)),
            format!("{} AS {ts}", base.time),
            format!("0 AS {kind}"),
            format!("{} AS {}", v.trunc(self.grain(), &base.time), names.period),
        ];
        bcols.extend(
            base.dims
                .iter()
                .zip(&names.dims)
                .map(|(e, n)| format!("{e} AS {n}")),
        );
        let mut bconds = self.cuts(&base, true);
        bconds.push(format!("{eb} IS NOT NULL"));
        bconds.extend(self.fragment(c.base.filter.as_ref(), "base filter", metric)?);
        // Event rows: only their entity and time.
        let ev = &entity;
        let mut ecols = vec![
            format!("{} AS {ent}", as_entity(ev)),
            format!("{} AS {ts}", event.time),
            format!("1 AS {kind}"),
            format!("NULL AS {}", names.period),
        ];
        ecols.extend(names.dims.iter().map(|n| format!("NULL AS {n}")));
        let mut econds = self.cuts(&event, false);
        econds.push(format!("{ev} IS NOT NULL"));
        econds.extend(self.fragment(c.event.filter.as_ref(), "event filter", metric)?);
        let marks = ident(v, "lodestar_marks")?;
        let nexts = ident(v, "lodestar_nexts")?;
        let ents = ident(v, "lodestar_ents")?;
        let keys = names.all();
        let mut term_cols = Vec::new();
        for &i in &part.terms {
            let TermKind::Conversion { converted, .. } = self.plan.terms[i].kind else {
                unreachable!("a conversion part holds conversion terms")
            };
            let agg = if converted {
                format!("SUM({conv})")
            } else {
                "COUNT(*)".to_owned()
            };
            term_cols.push(format!("{agg} AS {}", self.term_col(i)?));
        }
        Ok(format!(
            "SELECT {k}, {terms}\nFROM (\n  SELECT {k}, {ent}, MAX(CASE WHEN {next} <= {deadline} THEN 1 ELSE 0 END) AS {conv}\n  FROM (\n    SELECT {ent}, {ts}, {kind}, {k}, MIN(CASE WHEN {kind} = 1 THEN {ts} END) OVER (PARTITION BY {ent} ORDER BY {ts}, {kind} ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS {next}\n    FROM (\n      SELECT {bcols}\n      FROM {brel}\n      WHERE {bconds}\n      UNION ALL\n      SELECT {ecols}\n      FROM {erel}\n      WHERE {econds}\n    ) AS {marks}\n  ) AS {nexts}\n  WHERE {kind} = 0\n  GROUP BY {k}, {ent}\n) AS {ents}\nGROUP BY {k}",
            k = keys.join(", "),
            terms = term_cols.join(", "),
            deadline = v.add_days_to_time(&ts, c.within.value),
            bcols = bcols.join(", "),
            brel = base.relation,
            bconds = bconds.join(" AND "),
            ecols = ecols.join(", "),
            erel = event.relation,
            econds = econds.join(" AND "),
        ))
    }
}
