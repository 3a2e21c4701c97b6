//! One product as an OSI (Open Semantic Interchange) file, `<product>.osi.yaml`, following the
//! core metadata spec v0.1.1 (`core-spec/osi-schema.json` of open-semantic-interchange/OSI):
//! `version`, and `semantic_model` a list of models, each with `name`, `description`,
//! `datasets` (`name`, `source`, `description`, `fields`), `metrics` (`name`, `expression`,
//! `description`) and `custom_extensions` (`vendor_name`, `data`: a JSON string). Every
//! expression is `{dialects: [{dialect: ANSI_SQL, expression}]}`.
//!
//! A source is a dataset: its `source` is the table, or the SELECT of a `sql` source (the spec
//! allows "a physical table/view or query"); its time column is a field with
//! `dimension: {is_time: true}`, its dimensions fields with `dimension: {is_time: false}`, its
//! declared columns plain fields. A metric's expression is an aggregate over the datasets'
//! fields written `dataset.field`; OSI's core has no time semantics (windows, to-date,
//! comparisons, conversions), so those metrics' expressions are the nearest plain aggregate
//! and their full lodestar definition is in the extension, as are the North Star, guardrails,
//! owners, types, grains, thresholds and targets.

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Ident};

use super::yaml::{self, Y};
use super::{common_notes, framework, owners, ProductOut};
use crate::interop::metricflow::{Note, NoteKind};
use crate::model::{
    Agg, Compute, Fragment, Measure, Metric, Operand, Over, Product, Project, Relation, Source,
};

/// The version of the OSI core spec the files follow.
pub const VERSION: &str = "0.1.1";

/// The `custom_extensions` vendor of lodestar's own data.
pub const VENDOR: &str = "lodestar";

fn expression(sql: &str) -> Y {
    Y::map([(
        "dialects",
        Y::List(vec![Y::map([
            ("dialect", Y::str("ANSI_SQL")),
            ("expression", Y::str(sql)),
        ])]),
    )])
}

fn extension(data: &Y) -> Y {
    Y::List(vec![Y::map([
        ("vendor_name", Y::str(VENDOR)),
        (
            "data",
            Y::Str(serde_json::to_string(&data.to_json()).expect("JSON serialises")),
        ),
    ])])
}

pub(super) fn product(project: &Project, product: &Product) -> ProductOut {
    let mut notes = Vec::new();
    common_notes(product, &mut notes);
    let mut used: Vec<&Source> = Vec::new();
    for s in &project.sources {
        let reads = product.metrics.iter().any(|m| {
            m.compute
                .as_ref()
                .is_some_and(|c| c.sources().iter().any(|x| x.value == s.name.value))
        });
        if reads {
            used.push(s);
        }
    }
    let datasets: Vec<Y> = used.iter().map(|s| dataset(s, &mut notes)).collect();
    let mut metrics = Vec::new();
    let mut carried = 0;
    for m in &product.metrics {
        let Some(c) = &m.compute else {
            notes.push(Note::new(
                format!("metric `{}`", m.name.value),
                NoteKind::NotCarried,
                "it has no definition".to_owned(),
            ));
            continue;
        };
        carried += 1;
        metrics.push(metric(m, c, &mut notes));
    }
    let mut model = vec![("name".to_owned(), Y::str(&product.name.value))];
    if let Some(d) = &product.description {
        model.push(("description".to_owned(), Y::str(d.value.trim())));
    }
    model.push(("datasets".to_owned(), Y::List(datasets)));
    model.push(("metrics".to_owned(), Y::List(metrics)));
    let mut ext = vec![("product".to_owned(), Y::str(&product.name.value))];
    if let Some(g) = &product.game {
        ext.push(("game".to_owned(), Y::str(g.value.as_str())));
    }
    if let Some(ns) = product.north_star() {
        ext.push(("north_star".to_owned(), Y::str(&ns.name.value)));
    }
    ext.push(("owners".to_owned(), owners(project, product)));
    model.push(("custom_extensions".to_owned(), extension(&Y::Map(ext))));
    let doc = Y::map([
        ("version", Y::str(VERSION)),
        ("semantic_model", Y::List(vec![Y::Map(model)])),
    ]);
    let text = format!(
        "# lodestar product `{}` as an OSI semantic model (core spec v{VERSION}), written by\n\
         # `lodestar export --to osi`. lodestar's own data is in `custom_extensions` (vendor `{VENDOR}`).\n{}",
        product.name.value,
        yaml::document(&doc)
    );
    ProductOut {
        files: vec![(format!("{}.osi.yaml", product.name.value), text)],
        notes,
        carried,
    }
}

fn field(name: &str, sql: &str, time: Option<bool>) -> Y {
    let mut f = vec![
        ("name".to_owned(), Y::str(name)),
        ("expression".to_owned(), expression(sql)),
    ];
    if let Some(t) = time {
        f.push(("dimension".to_owned(), Y::map([("is_time", Y::Bool(t))])));
    }
    Y::Map(f)
}

fn dataset(s: &Source, notes: &mut Vec<Note>) -> Y {
    let mut out = vec![("name".to_owned(), Y::str(&s.name.value))];
    let source = match &s.relation {
        Some(Relation::Table(parts)) => parts.value.join("."),
        Some(Relation::Sql(f)) => f.text.value.trim().to_owned(),
        None => String::new(),
    };
    out.push(("source".to_owned(), Y::Str(source)));
    if let Some(d) = &s.description {
        out.push(("description".to_owned(), Y::str(d.value.trim())));
    }
    let mut fields = Vec::new();
    let mut names: Vec<String> = Vec::new();
    if let Some(t) = &s.time {
        fields.push(field(&t.value, &t.value, Some(true)));
        names.push(t.value.clone());
    }
    for d in &s.dimensions {
        if names.contains(&d.name.value) {
            continue;
        }
        fields.push(field(&d.name.value, d.expr.text.value.trim(), Some(false)));
        names.push(d.name.value.clone());
    }
    for c in s.columns.iter().flatten() {
        if names.contains(&c.name.value) {
            notes.push(Note::new(
                format!("source `{}`", s.name.value),
                NoteKind::Info,
                format!(
                    "column `{}` is not a field of its own: a dimension has its name (metric \
                     expressions name the column as `{}.{}` all the same)",
                    c.name.value, s.name.value, c.name.value
                ),
            ));
            continue;
        }
        fields.push(field(&c.name.value, &c.name.value, None));
        names.push(c.name.value.clone());
    }
    out.push(("fields".to_owned(), Y::List(fields)));
    let mut ext = Vec::new();
    if let Some(t) = &s.time {
        ext.push(("time".to_owned(), Y::str(&t.value)));
    }
    if matches!(s.relation, Some(Relation::Sql(_))) {
        ext.push(("sql".to_owned(), Y::Bool(true)));
    }
    out.push(("custom_extensions".to_owned(), extension(&Y::Map(ext))));
    Y::Map(out)
}

/// A fragment over source `source` with its column names written `source.column`.
fn qualified(f: &Fragment, source: &str) -> String {
    let Some(expr) = f.expr() else {
        return f.text.value.trim().to_owned();
    };
    let mut expr = expr.clone();
    let _ = sqlparser::ast::visit_expressions_mut(&mut expr, |e| {
        if let Expr::Identifier(id) = e {
            *e = Expr::CompoundIdentifier(vec![Ident::new(source), id.clone()]);
        }
        ControlFlow::<()>::Continue(())
    });
    expr.to_string()
}

/// A measure's aggregate in ANSI SQL over the dataset's fields, its filter inside.
fn aggregate(x: &Measure) -> String {
    let src = &x.source.value;
    let value = x.expr.as_ref().map(|e| qualified(e, src));
    let filtered = |v: String| match &x.filter {
        Some(f) => format!("CASE WHEN {} THEN {v} END", qualified(f, src)),
        None => v,
    };
    match x.agg.value {
        Agg::Count => match &x.filter {
            Some(_) => format!("COUNT({})", filtered("1".to_owned())),
            None => "COUNT(*)".to_owned(),
        },
        agg => {
            let v = filtered(value.unwrap_or_else(|| "1".to_owned()));
            match agg {
                Agg::CountDistinct => format!("COUNT(DISTINCT {v})"),
                Agg::Sum => format!("SUM({v})"),
                Agg::Avg => format!("AVG({v})"),
                Agg::Min => format!("MIN({v})"),
                Agg::Max => format!("MAX({v})"),
                Agg::Median => format!("PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY {v})"),
                Agg::Percentile(p) => {
                    format!("PERCENTILE_CONT({p}) WITHIN GROUP (ORDER BY {v})")
                }
                Agg::Count => unreachable!("handled above"),
            }
        }
    }
}

/// A measure as lodestar writes it, for the extension.
pub(super) fn measure_def(x: &Measure) -> Y {
    let mut out = vec![
        ("source".to_owned(), Y::str(&x.source.value)),
        ("agg".to_owned(), Y::str(x.agg.value.name())),
    ];
    if let Agg::Percentile(p) = x.agg.value {
        out.push(("p".to_owned(), Y::Num(p)));
    }
    for (k, f) in [
        ("expr", &x.expr),
        ("filter", &x.filter),
        ("having", &x.having),
    ] {
        if let Some(f) = f {
            out.push((k.to_owned(), Y::str(f.text.value.trim())));
        }
    }
    match x.over.as_ref().map(|o| o.value) {
        Some(Over::Window(d)) => out.push(("window".to_owned(), Y::Str(format!("{d} days")))),
        Some(Over::ToDate(g)) => out.push(("to_date".to_owned(), Y::str(g.as_str()))),
        Some(Over::Cumulative) => out.push(("cumulative".to_owned(), Y::Bool(true))),
        None => {}
    }
    Y::Map(out)
}

pub(super) fn operand_def(o: &Operand) -> Y {
    match o {
        Operand::Metric(n) => Y::str(&n.value),
        Operand::Measure(x) => measure_def(x),
    }
}

fn operand_sql(o: &Operand) -> String {
    match o {
        Operand::Metric(n) => n.value.clone(),
        Operand::Measure(x) => aggregate(x),
    }
}

fn metric(m: &Metric, c: &Compute, notes: &mut Vec<Note>) -> Y {
    let subject = format!("metric `{}`", m.name.value);
    let mut differs = |why: String| notes.push(Note::new(subject.clone(), NoteKind::Differs, why));
    let (sql, definition) = match c {
        Compute::Measure(x) => {
            if x.having.is_some() {
                differs(
                    "OSI has no per-entity condition: the expression leaves out its `having`, \
                     which is in the extension"
                        .to_owned(),
                );
            }
            if let Some(o) = &x.over {
                differs(format!(
                    "OSI has no time windows: the expression aggregates each period's own rows; \
                     its `{}` is in the extension",
                    o.value.describe()
                ));
            }
            (aggregate(x), Y::map([("measure", measure_def(x))]))
        }
        Compute::Ratio {
            numerator,
            denominator,
            ..
        } => (
            format!(
                "({}) / NULLIF({}, 0)",
                operand_sql(numerator),
                operand_sql(denominator)
            ),
            Y::map([(
                "ratio",
                Y::map([
                    ("numerator", operand_def(numerator)),
                    ("denominator", operand_def(denominator)),
                ]),
            )]),
        ),
        Compute::Derived { expr, .. } => (
            super::metricflow::derived_expr(expr, &|n| n.to_owned()),
            Y::map([("derived", Y::str(expr.text.value.trim()))]),
        ),
        Compute::Compare(cmp) => {
            differs(format!(
                "OSI has no period offsets: the expression is `{}` itself; the comparison \
                 ({} {} period(s) earlier) is in the extension",
                cmp.metric.value,
                cmp.as_.value.as_str(),
                cmp.offset.value
            ));
            (
                cmp.metric.value.clone(),
                Y::map([(
                    "compare",
                    Y::map([
                        ("metric", Y::str(&cmp.metric.value)),
                        ("offset", Y::Int(i64::from(cmp.offset.value))),
                        ("as", Y::str(cmp.as_.value.as_str())),
                    ]),
                )]),
            )
        }
        Compute::Conversion(cv) => {
            differs(
                "OSI has no conversion windows: the expression counts the base entities; the \
                 conversion is in the extension"
                    .to_owned(),
            );
            let side = |s: &crate::model::Side| {
                let mut v = vec![("source".to_owned(), Y::str(&s.source.value))];
                if let Some(f) = &s.filter {
                    v.push(("filter".to_owned(), Y::str(f.text.value.trim())));
                }
                Y::Map(v)
            };
            let base = &cv.base.source.value;
            let entity = qualified(&cv.entity, base);
            let sql = match &cv.base.filter {
                Some(f) => format!(
                    "COUNT(DISTINCT CASE WHEN {} THEN {entity} END)",
                    qualified(f, base)
                ),
                None => format!("COUNT(DISTINCT {entity})"),
            };
            (
                sql,
                Y::map([(
                    "conversion",
                    Y::map([
                        ("entity", Y::str(cv.entity.text.value.trim())),
                        ("base", side(&cv.base)),
                        ("event", side(&cv.event)),
                        ("within", Y::Str(format!("{} days", cv.within.value))),
                        ("as", Y::str(cv.as_.value.as_str())),
                    ]),
                )]),
            )
        }
    };
    let mut data = match framework(m) {
        Y::Map(v) => v,
        _ => unreachable!("framework is a map"),
    };
    if let Some(l) = &m.label {
        data.push(("label".to_owned(), Y::str(&l.value)));
    }
    data.push(("definition".to_owned(), definition));
    let mut out = vec![
        ("name".to_owned(), Y::str(&m.name.value)),
        ("expression".to_owned(), expression(&sql)),
    ];
    if let Some(d) = &m.description {
        out.push(("description".to_owned(), Y::str(d.value.trim())));
    }
    out.push(("custom_extensions".to_owned(), extension(&Y::Map(data))));
    Y::Map(out)
}
