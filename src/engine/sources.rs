//! Which warehouse relations a project reads, and where `--data DIR` keeps each one.

use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use crate::model::{Project, Relation};

/// The file formats `--data DIR` understands, in the order they are looked for.
pub const EXTENSIONS: &[&str] = &["csv", "parquet"];

/// A relation the compiled SQL reads: `schema.name` or an unqualified `name`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RelationName {
    /// The parts as written (one or two).
    pub parts: Vec<String>,
    /// The source that reads it (for messages).
    pub source: String,
    /// The columns that `table` sources reading it declare (`columns:`), each with its source:
    /// the data must have them.
    pub columns: Vec<(String, String)>,
}

impl RelationName {
    pub fn dotted(&self) -> String {
        self.parts.join(".")
    }

    /// The data files that may hold the relation under `dir`: `dir/schema/name.EXT` or
    /// `dir/name.EXT`.
    pub fn candidates(&self, dir: &Path) -> Vec<PathBuf> {
        let mut base = dir.to_path_buf();
        for p in &self.parts {
            base.push(p);
        }
        EXTENSIONS
            .iter()
            .map(|ext| base.with_extension(ext))
            .collect()
    }
}

/// Every relation the sources read that the metrics of `products` aggregate (all sources when
/// `None`): `table` sources, and the tables named inside `sql` sources (common table
/// expressions excluded). Sorted, without repeats.
pub fn relations(project: &Project, products: Option<&[String]>) -> Vec<RelationName> {
    let used: Option<BTreeSet<&str>> = products.map(|names| {
        project
            .products
            .iter()
            .filter(|p| names.contains(&p.name.value))
            .flat_map(|p| &p.metrics)
            .filter_map(|m| m.compute.as_ref())
            .flat_map(|c| c.measures())
            .map(|m| m.source.value.as_str())
            .collect()
    });
    let mut out = BTreeSet::new();
    for source in &project.sources {
        if used
            .as_ref()
            .is_some_and(|u| !u.contains(source.name.value.as_str()))
        {
            continue;
        }
        let name = source.name.value.clone();
        match &source.relation {
            Some(Relation::Table(t)) => {
                let columns = source
                    .columns
                    .iter()
                    .flatten()
                    .map(|c| (c.name.value.clone(), name.clone()))
                    .collect();
                out.insert(RelationName {
                    parts: t.value.clone(),
                    source: name,
                    columns,
                });
            }
            Some(Relation::Sql(fragment)) => {
                let Some(query) = fragment.query() else {
                    continue;
                };
                let mut ctes = BTreeSet::new();
                collect_ctes(query, &mut ctes);
                let _ = sqlparser::ast::visit_relations(query, |rel| {
                    let parts: Vec<String> = rel
                        .0
                        .iter()
                        .filter_map(|p| p.as_ident())
                        .map(|i| i.value.clone())
                        .collect();
                    let is_cte = parts.len() == 1 && ctes.contains(&parts[0].to_ascii_lowercase());
                    if !is_cte && !parts.is_empty() {
                        out.insert(RelationName {
                            parts,
                            source: name.clone(),
                            columns: Vec::new(),
                        });
                    }
                    ControlFlow::<()>::Continue(())
                });
            }
            None => {}
        }
    }
    // One entry per relation, named after the source that reads it first, with the columns
    // every source reading it declares.
    let mut merged: Vec<RelationName> = Vec::new();
    for r in out {
        match merged.iter_mut().find(|m| m.parts == r.parts) {
            Some(m) => m.columns.extend(r.columns),
            None => merged.push(r),
        }
    }
    merged
}

fn collect_ctes(query: &sqlparser::ast::Query, out: &mut BTreeSet<String>) {
    if let Some(with) = &query.with {
        for cte in &with.cte_tables {
            out.insert(cte.alias.name.value.to_ascii_lowercase());
            collect_ctes(&cte.query, out);
        }
    }
}

/// Quotes a string as a SQL literal: `'` doubled.
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Quotes an identifier: `"` doubled.
pub fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A column that a fragment over a `table` source reads, with where it is read (for messages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnUse {
    pub column: String,
    pub source: String,
    /// `the filter of metric `m``, `dimension `d``, `the time column`.
    pub place: String,
}

/// Every column the metrics of `products` (all when `None`) read from `table` sources, through
/// their expressions, filters, `having`, conversion entities, the sources' dimensions and time
/// columns. Used to name the source, the file and the spec's place when the engine reports a
/// column the data lacks, which a source without `columns:` cannot be checked for beforehand.
pub fn column_uses(project: &Project, products: Option<&[String]>) -> Vec<ColumnUse> {
    let mut out = Vec::new();
    let mut sources: BTreeSet<&str> = BTreeSet::new();
    let table = |name: &str| {
        project
            .source(name)
            .is_some_and(|s| matches!(s.relation, Some(Relation::Table(_))))
    };
    let push = |out: &mut Vec<ColumnUse>,
                fragment: &crate::model::Fragment,
                source: &str,
                place: String| {
        for column in fragment.columns(source) {
            out.push(ColumnUse {
                column,
                source: source.to_owned(),
                place: place.clone(),
            });
        }
    };
    for p in &project.products {
        if products.is_some_and(|names| !names.contains(&p.name.value)) {
            continue;
        }
        for m in &p.metrics {
            let Some(compute) = &m.compute else { continue };
            let name = &m.name.value;
            for measure in compute.measures() {
                let source = measure.source.value.as_str();
                if !table(source) {
                    continue;
                }
                sources.insert(source);
                for (f, what) in [
                    (&measure.expr, "expression"),
                    (&measure.filter, "filter"),
                    (&measure.having, "having"),
                ] {
                    if let Some(f) = f {
                        push(
                            &mut out,
                            f,
                            source,
                            format!("the {what} of metric `{name}`"),
                        );
                    }
                }
            }
            if let crate::model::Compute::Conversion(c) = compute {
                for side in [&c.base, &c.event] {
                    let source = side.source.value.as_str();
                    if !table(source) {
                        continue;
                    }
                    sources.insert(source);
                    push(
                        &mut out,
                        &c.entity,
                        source,
                        format!("the entity of metric `{name}`"),
                    );
                    if let Some(f) = &side.filter {
                        push(&mut out, f, source, format!("a filter of metric `{name}`"));
                    }
                }
            }
        }
    }
    for source in sources {
        let Some(s) = project.source(source) else {
            continue;
        };
        if let Some(time) = &s.time {
            out.push(ColumnUse {
                column: time.value.clone(),
                source: source.to_owned(),
                place: "its `time`".to_owned(),
            });
        }
        for d in &s.dimensions {
            push(
                &mut out,
                &d.expr,
                source,
                format!("dimension `{}`", d.name.value),
            );
        }
    }
    out
}
