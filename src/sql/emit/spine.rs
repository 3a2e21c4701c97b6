//! The spine: the periods a query reports (times the `--by` values), and the spine extended
//! backwards to the periods a comparison reads earlier.

use chrono::{Datelike, NaiveDate};

use super::Emitter;
use crate::model::Grain;
use crate::sql::dialect::add_grain_expr;
use crate::sql::render::ident;
use crate::sql::CompileError;

/// How many periods of `grain` from the one holding `from` to the one holding `to`.
fn period_count(grain: Grain, from: NaiveDate, to: NaiveDate) -> u64 {
    let (a, b) = (grain.start_of(from), grain.start_of(to));
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

impl Emitter<'_, '_> {
    /// The spine extended backwards: the reported periods and those `lookbacks` earlier. One
    /// read of the spine crossed with the offsets (a union of shifted copies would make engines
    /// that inline CTEs, like ClickHouse, expand the spine once per offset).
    pub(super) fn extended(&mut self, spine: &str) -> Result<String, CompileError> {
        let v = self.v();
        let names = &self.names;
        let k = ident(v, "lodestar_k")?;
        let offsets = std::iter::once(0)
            .chain(self.plan.lookbacks.iter().map(|k| -i64::from(*k)))
            .map(|n| format!("SELECT {n} AS {k}"))
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let mut cols = vec![format!(
            "{} AS {}",
            add_grain_expr(
                v,
                self.grain(),
                &format!("{spine}.{}", names.period),
                &format!("{k}.{k}")
            ),
            names.period
        )];
        cols.extend(names.dims.iter().map(|d| format!("{spine}.{d}")));
        let name = self.name("spine_back")?;
        self.ctes.push((
            name.clone(),
            format!(
                "SELECT DISTINCT {} FROM {spine} CROSS JOIN ({offsets}) AS {k}",
                cols.join(", ")
            ),
        ));
        Ok(name)
    }

    /// The reported periods: with `--from` and `--to`, every period of the range (times the
    /// dimension values of its rows); otherwise every period in which a part has rows, from the
    /// one holding `--from` on.
    pub(super) fn spine(
        &mut self,
        range: Option<(NaiveDate, NaiveDate)>,
        key_sources: &[String],
    ) -> Result<String, CompileError> {
        let v = self.v();
        let names = &self.names;
        // The distinct values of `cols` over every source of keys.
        let union = |cols: &[String], filter: Option<&str>| -> String {
            let distinct = if key_sources.len() == 1 {
                "DISTINCT "
            } else {
                ""
            };
            key_sources
                .iter()
                .map(|p| {
                    let mut s = format!("SELECT {distinct}{} FROM {p}", cols.join(", "));
                    if let Some(f) = filter {
                        s.push_str(&format!(" WHERE {f}"));
                    }
                    s
                })
                .collect::<Vec<_>>()
                .join(&format!("\n{} ", v.union_distinct()))
        };
        let reported = self
            .first_reported()
            .map(|f| format!("{} >= {}", names.period, v.date(f)));
        let body = match range {
            Some((from, to)) => {
                let periods = self.name("periods")?;
                // `Vendor::integers` names its column `k`, unquoted.
                let first = v.date(self.grain().start_of(from));
                let n = period_count(self.grain(), from, to);
                self.ctes.push((
                    periods.clone(),
                    format!(
                        "SELECT {} AS {} FROM {}",
                        add_grain_expr(v, self.grain(), &first, "k"),
                        names.period,
                        v.integers(n)
                    ),
                ));
                if names.dims.is_empty() {
                    format!("SELECT {} FROM {periods}", names.period)
                } else {
                    // The dimension values of the rows of the reported periods (not those of
                    // earlier periods read for comparisons).
                    let d = ident(v, "lodestar_dims")?;
                    let mut cols = vec![format!("{periods}.{}", names.period)];
                    cols.extend(names.dims.iter().map(|x| format!("{d}.{x}")));
                    format!(
                        "SELECT {} FROM {periods} CROSS JOIN ({}) AS {d}",
                        cols.join(", "),
                        union(&names.dims, reported.as_deref())
                    )
                }
            }
            None => union(&names.all(), reported.as_deref()),
        };
        let spine = self.name("spine")?;
        self.ctes.push((spine.clone(), body));
        Ok(spine)
    }
}
