//! One product as MetricFlow's own YAML: `<product>/semantic_models.yaml`, `metrics.yaml`,
//! `project_configuration.yaml`, and `models/<source>.sql` for each `sql` source.
//!
//! MetricFlow-native documents (`semantic_model:`, `metric:`) rather than dbt's lists with
//! `model: ref(...)`: MetricFlow's parser and validator read them as they are, with no dbt
//! project to compile the references, and dbt accepts the same keys under `semantic_models:`.
//!
//! The mapping, chosen so that `lodestar import metricflow` gives the same numbers back:
//!
//! * a source is a semantic model: `node_relation` names its table, its `time` is the
//!   aggregation time dimension (day granularity), its dimensions are categorical dimensions,
//!   and a primary entity named after it lets filters name its columns;
//! * each measure is a MetricFlow measure of its own; a measure's `filter` goes into the
//!   measure's `expr` as `case when <filter> then <expr> end`, which every aggregation ignores
//!   when NULL, so the numbers stay and no dimension is needed;
//! * `window`, `to_date` and `cumulative` are cumulative metrics (`period_agg: last`: lodestar
//!   reports each period's value at its last day);
//! * a ratio's measure operands are simple metrics of their own (`<metric>_numerator`);
//! * `derived` is a derived metric, each `/` guarded by `NULLIF(x, 0)` as lodestar's is;
//! * `compare` is a derived metric with an `offset_window` input;
//! * `conversion` is a conversion metric on an entity added to both semantic models; its
//!   sides' filters must select rows before the join, so they are MetricFlow filters on
//!   dimensions (one per column they read);
//! * the framework's facts (role, owner, type, threshold, targets) are `config.meta.lodestar`,
//!   with the metric's lodestar `definition` and a `fingerprint` of the MetricFlow definition
//!   written for it; each semantic model's meta holds its lodestar `source`, the product's
//!   description and game, and the owners' details, with a fingerprint too. `lodestar import
//!   metricflow` restores the spec from them while the fingerprints match (see
//!   `crate::interop::metricflow::meta`), so the round trip gives back an equal model.

use std::collections::HashSet;
use std::ops::ControlFlow;

use sqlparser::ast::{BinaryOperator, Expr, Ident};

use super::yaml::{self, Y};
use super::{common_notes, dependents, framework, owners, ProductOut};
use crate::interop::metricflow::{Note, NoteKind};
use crate::model::{
    Agg, CompareAs, Compute, ConversionAs, Fragment, Measure, Metric, Operand, Over, Product,
    Project, Relation, Source,
};

/// A semantic model being built: one per source the product reads.
struct Model<'a> {
    source: &'a Source,
    name: String,
    /// The primary entity, named after the source: filters reach its dimensions as
    /// `<entity>__<dimension>`.
    entity: String,
    time_dim: String,
    /// Categorical dimensions (name, expression): the source's, then those filters need.
    dims: Vec<(String, String)>,
    /// Foreign entities (name, expression) conversions join on.
    entities: Vec<(String, String)>,
    measures: Vec<Y>,
}

struct Builder<'a> {
    models: Vec<Model<'a>>,
    /// Element names of the manifest (entities, dimensions, measures): MetricFlow wants each
    /// name to be one kind of element, and measure names unique across semantic models.
    elements: HashSet<String>,
    /// Metric names (the product's and helpers').
    metric_names: HashSet<String>,
    metrics: Vec<Y>,
    notes: Vec<Note>,
}

/// A MetricFlow name for a lodestar name: MetricFlow's names are `[a-z][a-z0-9_]*[a-z0-9]`
/// without `__` (which separates an entity from a dimension in its queries).
pub(super) fn mf_name(raw: &str) -> String {
    let mut s = String::new();
    for c in raw.chars() {
        let c = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '_'
        };
        if !(c == '_' && s.ends_with('_')) {
            s.push(c);
        }
    }
    let mut s = s.trim_matches('_').to_owned();
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        s = format!("m_{s}");
    }
    if s.len() < 2 {
        s.push_str("_m");
    }
    s
}

fn unique(base: &str, taken: &mut HashSet<String>) -> String {
    let name = if taken.contains(base) {
        (2..)
            .map(|n| format!("{base}_{n}"))
            .find(|n| !taken.contains(n))
            .expect("a free name")
    } else {
        base.to_owned()
    };
    taken.insert(name.clone());
    name
}

pub(super) fn product(project: &Project, product: &Product) -> ProductOut {
    let mut notes = Vec::new();
    common_notes(product, &mut notes);
    // Metrics MetricFlow cannot compute: `having`, and what is computed from them.
    let mut dropped: Vec<String> = Vec::new();
    for m in &product.metrics {
        let why = match &m.compute {
            None => Some("it has no definition".to_owned()),
            Some(c) if c.measures().iter().any(|x| x.having.is_some()) => Some(
                "its `having` (a condition on each entity's rows) has no MetricFlow form: a \
                 measure aggregates rows, not a per-entity aggregate"
                    .to_owned(),
            ),
            Some(c) => c
                .sources()
                .iter()
                .find(|s| project.source(&s.value).is_none_or(|s| s.time.is_none()))
                .map(|s| format!("its source `{}` is not declared with a `time`", s.value)),
        };
        if let Some(why) = why {
            notes.push(Note::new(
                format!("metric `{}`", m.name.value),
                NoteKind::NotCarried,
                why,
            ));
            dropped.push(m.name.value.clone());
        }
    }
    for (m, r) in dependents(product, &dropped) {
        notes.push(Note::new(
            format!("metric `{m}`"),
            NoteKind::NotCarried,
            format!("it is computed from `{r}`, which was not carried over"),
        ));
        dropped.push(m);
    }
    let exported: Vec<&Metric> = product
        .metrics
        .iter()
        .filter(|m| !dropped.contains(&m.name.value))
        .collect();

    let mut b = Builder {
        models: Vec::new(),
        elements: HashSet::new(),
        metric_names: HashSet::new(),
        metrics: Vec::new(),
        notes,
    };
    for m in &product.metrics {
        let n = mf_name(&m.name.value);
        if n != m.name.value {
            b.notes.push(Note::new(
                format!("metric `{}`", m.name.value),
                NoteKind::Renamed,
                format!(
                    "written as `{n}`: MetricFlow names are `[a-z][a-z0-9_]*[a-z0-9]` without `__`"
                ),
            ));
        }
        b.metric_names.insert(n);
    }
    // The semantic models, in the project's order of sources.
    let used: HashSet<&str> = exported
        .iter()
        .filter_map(|m| m.compute.as_ref())
        .flat_map(|c| c.sources().into_iter().map(|s| s.value.as_str()))
        .collect();
    for s in project
        .sources
        .iter()
        .filter(|s| used.contains(s.name.value.as_str()))
    {
        b.add_model(s);
    }
    for m in &exported {
        b.metric(m);
    }
    fingerprint_metrics(&mut b);
    let carried = exported.len();
    let Builder {
        models,
        metrics,
        mut notes,
        ..
    } = b;

    let dir = &product.name.value;
    let mut files = Vec::new();
    let mut sm = String::new();
    sm.push_str(&format!(
        "# The sources of lodestar product `{dir}`, written by `lodestar export --to metricflow`.\n"
    ));
    for model in &models {
        sm.push_str("---\n");
        sm.push_str(&yaml::document(&Y::map([(
            "semantic_model",
            render_model(model, project, product),
        )])));
        if let Some(Relation::Sql(f)) = &model.source.relation {
            files.push((
                format!("{dir}/models/{}.sql", model.name),
                format!(
                    "-- lodestar source `{}`: a dbt model (or view) MetricFlow reads as `{}`.\n{}\n",
                    model.source.name.value,
                    model.name,
                    f.text.value.trim()
                ),
            ));
            notes.push(Note::new(
                format!("source `{}`", model.source.name.value),
                NoteKind::Info,
                format!(
                    "MetricFlow reads relations, not queries: its SELECT is \
                     `models/{}.sql`, to be built as a dbt model (or a view) named `{}`, which \
                     the semantic model reads",
                    model.name, model.name
                ),
            ));
        }
    }
    files.push((format!("{dir}/semantic_models.yaml"), sm));
    let mut mt = String::new();
    mt.push_str(&format!(
        "# The metrics of lodestar product `{dir}`, written by `lodestar export --to metricflow`.\n\
         # `config.meta.lodestar` holds what MetricFlow has no key for (role, owner, type, threshold).\n"
    ));
    for m in &metrics {
        mt.push_str("---\n");
        mt.push_str(&yaml::document(&Y::map([("metric", m.clone())])));
    }
    files.push((format!("{dir}/metrics.yaml"), mt));
    files.push((
        format!("{dir}/project_configuration.yaml"),
        PROJECT_CONFIGURATION.to_owned(),
    ));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    ProductOut {
        files,
        notes,
        carried,
    }
}

/// MetricFlow wants a time spine (one row per day) to fill periods and compute cumulative and
/// offset metrics; dbt projects name theirs `metricflow_time_spine`.
const PROJECT_CONFIGURATION: &str = "\
# MetricFlow's time spine: a table with one row per day (dbt's conventional model
# `metricflow_time_spine`, column `date_day`). Point it at yours.
project_configuration:
  time_spines:
    - node_relation:
        schema_name: \"\"
        alias: metricflow_time_spine
        relation_name: metricflow_time_spine
      primary_column:
        name: date_day
        time_granularity: day
";

fn render_model(m: &Model<'_>, project: &Project, product: &Product) -> Y {
    let mut out = vec![("name".to_owned(), Y::str(&m.name))];
    if let Some(d) = &m.source.description {
        out.push(("description".to_owned(), Y::str(d.value.trim())));
    }
    out.push(("node_relation".to_owned(), node_relation(m)));
    out.push((
        "defaults".to_owned(),
        Y::map([("agg_time_dimension", Y::str(&m.time_dim))]),
    ));
    out.push(("primary_entity".to_owned(), Y::str(&m.entity)));
    if !m.entities.is_empty() {
        out.push((
            "entities".to_owned(),
            Y::List(
                m.entities
                    .iter()
                    .map(|(n, e)| {
                        Y::map([
                            ("name", Y::str(n)),
                            ("type", Y::str("foreign")),
                            ("expr", Y::str(e)),
                        ])
                    })
                    .collect(),
            ),
        ));
    }
    let mut dims = vec![Y::map([
        ("name", Y::str(&m.time_dim)),
        ("type", Y::str("time")),
        (
            "expr",
            Y::str(&m.source.time.as_ref().expect("checked").value),
        ),
        ("type_params", Y::map([("time_granularity", Y::str("day"))])),
    ])];
    for (n, e) in &m.dims {
        dims.push(Y::map([
            ("name", Y::str(n)),
            ("type", Y::str("categorical")),
            ("expr", Y::str(e)),
        ]));
    }
    out.push(("dimensions".to_owned(), Y::List(dims)));
    if !m.measures.is_empty() {
        out.push(("measures".to_owned(), Y::List(m.measures.clone())));
    }
    let print = crate::interop::metricflow::meta::model_fingerprint(&Y::Map(out.clone()).to_json());
    let mut meta = vec![("source".to_owned(), source_def(m.source))];
    let mut about = vec![("name".to_owned(), Y::str(&product.name.value))];
    if let Some(d) = &product.description {
        about.push(("description".to_owned(), Y::str(&d.value)));
    }
    if let Some(g) = &product.game {
        about.push(("game".to_owned(), Y::str(g.value.as_str())));
    }
    meta.push(("product".to_owned(), Y::Map(about)));
    meta.push(("owners".to_owned(), owners(project, product)));
    meta.push(("fingerprint".to_owned(), Y::Str(print)));
    out.push((
        "config".to_owned(),
        Y::map([("meta", Y::map([("lodestar", Y::Map(meta))]))]),
    ));
    Y::Map(out)
}

/// A source as the spec writes it, for the semantic model's meta.
fn source_def(s: &Source) -> Y {
    let mut out = vec![("name".to_owned(), Y::str(&s.name.value))];
    if let Some(d) = &s.description {
        out.push(("description".to_owned(), Y::str(&d.value)));
    }
    match &s.relation {
        Some(Relation::Table(parts)) => {
            out.push(("table".to_owned(), Y::Str(parts.value.join("."))))
        }
        Some(Relation::Sql(f)) => out.push(("sql".to_owned(), Y::str(&f.text.value))),
        None => {}
    }
    if let Some(t) = &s.time {
        out.push(("time".to_owned(), Y::str(&t.value)));
    }
    if let Some(cols) = &s.columns {
        let typed = cols.iter().any(|c| c.data_type.is_some());
        out.push((
            "columns".to_owned(),
            if typed {
                // A list of `{name, type}`: a map's order would not survive a reader.
                Y::List(
                    cols.iter()
                        .map(|c| {
                            let mut v = vec![("name".to_owned(), Y::str(&c.name.value))];
                            if let Some(t) = &c.data_type {
                                v.push(("type".to_owned(), Y::str(&t.value)));
                            }
                            Y::Map(v)
                        })
                        .collect(),
                )
            } else {
                Y::List(cols.iter().map(|c| Y::str(&c.name.value)).collect())
            },
        ));
    }
    if !s.dimensions.is_empty() {
        out.push((
            "dimensions".to_owned(),
            Y::List(
                s.dimensions
                    .iter()
                    .map(|d| {
                        Y::map([
                            ("name", Y::str(&d.name.value)),
                            ("expr", Y::str(&d.expr.text.value)),
                        ])
                    })
                    .collect(),
            ),
        ));
    }
    Y::Map(out)
}

/// A metric's computation as the spec writes it, for the meta (as OSI's extension has it).
fn definition(c: &Compute) -> Y {
    match c {
        Compute::Measure(x) => Y::map([("measure", super::osi::measure_def(x))]),
        Compute::Ratio {
            numerator,
            denominator,
            ..
        } => Y::map([(
            "ratio",
            Y::map([
                ("numerator", super::osi::operand_def(numerator)),
                ("denominator", super::osi::operand_def(denominator)),
            ]),
        )]),
        Compute::Derived { expr, .. } => Y::map([("derived", Y::str(expr.text.value.trim()))]),
        Compute::Compare(cmp) => Y::map([(
            "compare",
            Y::map([
                ("metric", Y::str(&cmp.metric.value)),
                ("offset", Y::Int(i64::from(cmp.offset.value))),
                ("as", Y::str(cmp.as_.value.as_str())),
            ]),
        )]),
        Compute::Conversion(cv) => {
            let side = |s: &crate::model::Side| {
                let mut v = vec![("source".to_owned(), Y::str(&s.source.value))];
                if let Some(f) = &s.filter {
                    v.push(("filter".to_owned(), Y::str(f.text.value.trim())));
                }
                Y::Map(v)
            };
            Y::map([(
                "conversion",
                Y::map([
                    ("entity", Y::str(cv.entity.text.value.trim())),
                    ("base", side(&cv.base)),
                    ("event", side(&cv.event)),
                    ("within", Y::Str(format!("{} days", cv.within.value))),
                    ("as", Y::str(cv.as_.value.as_str())),
                ]),
            )])
        }
    }
}

/// Adds to each metric's meta the fingerprint of its MetricFlow definition (the metric, its
/// helper metrics, the measures they read), as the importer computes it from what it reads.
fn fingerprint_metrics(b: &mut Builder<'_>) {
    let metrics: Vec<serde_json::Value> = b.metrics.iter().map(Y::to_json).collect();
    let measures: Vec<serde_json::Value> = b
        .models
        .iter()
        .flat_map(|m| m.measures.iter().map(Y::to_json))
        .collect();
    let all: Vec<&serde_json::Value> = metrics.iter().collect();
    let measures: Vec<&serde_json::Value> = measures.iter().collect();
    for (doc, json) in b.metrics.iter_mut().zip(&metrics) {
        let helper = crate::interop::metricflow::meta::lodestar(json)
            .is_some_and(|l| l.get("helper_of").is_some());
        if helper {
            continue;
        }
        let print = crate::interop::metricflow::meta::metric_fingerprint(json, &all, &measures);
        let Y::Map(entries) = doc else { continue };
        for (k, v) in entries.iter_mut() {
            if k != "config" {
                continue;
            }
            if let Y::Map(c) = v {
                for (k, v) in c.iter_mut() {
                    if let (true, Y::Map(meta)) = (k == "meta", v) {
                        for (k, v) in meta.iter_mut() {
                            if let (true, Y::Map(l)) = (k == "lodestar", v) {
                                l.push(("fingerprint".to_owned(), Y::Str(print.clone())));
                            }
                        }
                    }
                }
            }
        }
    }
}

fn node_relation(m: &Model<'_>) -> Y {
    match &m.source.relation {
        Some(Relation::Table(parts)) => match parts.value.as_slice() {
            [db, schema, alias] => Y::map([
                ("database", Y::str(db)),
                ("schema_name", Y::str(schema)),
                ("alias", Y::str(alias)),
            ]),
            [schema, alias] => Y::map([("schema_name", Y::str(schema)), ("alias", Y::str(alias))]),
            // An unqualified table: the warehouse's search path finds it.
            _ => {
                let alias = parts.value.last().map_or(m.name.as_str(), String::as_str);
                Y::map([
                    ("schema_name", Y::str("")),
                    ("alias", Y::str(alias)),
                    ("relation_name", Y::str(alias)),
                ])
            }
        },
        // A dbt model named after the source (models/<name>.sql).
        _ => Y::map([
            ("schema_name", Y::str("")),
            ("alias", Y::str(&m.name)),
            ("relation_name", Y::str(&m.name)),
        ]),
    }
}

impl<'a> Builder<'a> {
    fn add_model(&mut self, s: &'a Source) {
        let name = mf_name(&s.name.value);
        let entity = unique(&name, &mut self.elements);
        let mut dims = Vec::new();
        for d in &s.dimensions {
            let n = mf_name(&d.name.value);
            let n = unique(&n, &mut self.elements);
            dims.push((n, d.expr.text.value.trim().to_owned()));
        }
        let time = &s.time.as_ref().expect("checked").value;
        let base = mf_name(time);
        let time_dim = if dims.iter().any(|(n, _)| n == &base) || base == entity {
            unique(&format!("{base}_time"), &mut self.elements)
        } else {
            self.elements.insert(base.clone());
            base
        };
        self.models.push(Model {
            source: s,
            name,
            entity,
            time_dim,
            dims,
            entities: Vec::new(),
            measures: Vec::new(),
        });
    }

    fn model(&mut self, source: &str) -> &mut Model<'a> {
        self.models
            .iter_mut()
            .find(|m| m.source.name.value == source)
            .expect("every source read has a model")
    }

    fn name_of(&self, metric: &str) -> String {
        mf_name(metric)
    }

    /// A measure on the source's semantic model; its name.
    fn measure(&mut self, base: &str, m: &Measure) -> String {
        let name = unique(&mf_name(base), &mut self.elements);
        let filter = m.filter.as_ref().map(|f| f.text.value.trim().to_owned());
        let expr = m.expr.as_ref().map(|e| e.text.value.trim().to_owned());
        let value = match (m.agg.value, &expr) {
            (Agg::Count, _) | (_, None) => "1".to_owned(),
            (_, Some(e)) => e.clone(),
        };
        let expr = match &filter {
            Some(f) => format!("case when {f} then {value} end"),
            None => value,
        };
        let mut def = vec![
            ("name".to_owned(), Y::str(&name)),
            ("agg".to_owned(), Y::str(agg_name(m.agg.value))),
            ("expr".to_owned(), Y::str(&expr)),
        ];
        if let Agg::Percentile(p) = m.agg.value {
            def.push((
                "agg_params".to_owned(),
                Y::map([
                    ("percentile", Y::Num(p)),
                    ("use_discrete_percentile", Y::Bool(false)),
                ]),
            ));
        }
        if matches!(m.agg.value, Agg::Median | Agg::Percentile(_)) {
            self.notes.push(Note::new(
                format!("measure `{name}`"),
                NoteKind::Info,
                "an exact, interpolating percentile (`percentile_cont`): MetricFlow writes it \
                 only for engines that have one (not BigQuery, whose MetricFlow percentiles are \
                 approximate or discrete)"
                    .to_owned(),
            ));
        }
        self.model(&m.source.value).measures.push(Y::Map(def));
        name
    }

    fn metric(&mut self, m: &Metric) {
        let name = self.name_of(&m.name.value);
        let subject = format!("metric `{}`", m.name.value);
        let compute = m.compute.as_ref().expect("checked");
        let (kind, type_params) = match compute {
            Compute::Measure(x) => {
                let measure = self.measure(&name, x);
                if x.filter.is_some() {
                    self.notes.push(Note::new(
                        subject.clone(),
                        NoteKind::Info,
                        "its filter is in the measure's `expr` (`case when <filter> then ... \
                         end`): the same numbers, and no dimension needed"
                            .to_owned(),
                    ));
                }
                self.over(x, &measure, &subject)
            }
            Compute::Ratio {
                numerator,
                denominator,
                ..
            } => {
                let n = self.operand(m, numerator, "numerator");
                let d = self.operand(m, denominator, "denominator");
                (
                    "ratio",
                    Y::map([
                        ("numerator", Y::map([("name", Y::str(&n))])),
                        ("denominator", Y::map([("name", Y::str(&d))])),
                    ]),
                )
            }
            Compute::Derived { expr, refs } => {
                let text = derived_expr(expr, &|n| self.name_of(n));
                let mut inputs: Vec<String> = Vec::new();
                for r in refs {
                    let n = self.name_of(&r.value);
                    if !inputs.contains(&n) {
                        inputs.push(n);
                    }
                }
                self.notes.push(Note::new(
                    subject.clone(),
                    NoteKind::Differs,
                    "on a period where an input has no rows MetricFlow's derived value is NULL; \
                     lodestar counts an input's count or sum as 0 there"
                        .to_owned(),
                ));
                (
                    "derived",
                    Y::map([
                        ("expr", Y::str(&text)),
                        (
                            "metrics",
                            Y::List(
                                inputs
                                    .iter()
                                    .map(|n| Y::map([("name", Y::str(n))]))
                                    .collect(),
                            ),
                        ),
                    ]),
                )
            }
            Compute::Compare(c) => {
                let x = self.name_of(&c.metric.value);
                let n = c.offset.value;
                let g = m.grain.value.as_str();
                let plural = if n == 1 { "" } else { "s" };
                let alias = unique(&format!("{x}_{n}_{g}{plural}_ago"), &mut self.metric_names);
                let window = format!("{n} {g}{plural}");
                let offset = Y::map([
                    ("name", Y::str(&x)),
                    ("offset_window", Y::str(&window)),
                    ("alias", Y::str(&alias)),
                ]);
                let plain = Y::map([("name", Y::str(&x))]);
                let (expr, inputs) = match c.as_.value {
                    CompareAs::Value => (alias.clone(), vec![offset]),
                    CompareAs::Change => (format!("{x} - {alias}"), vec![plain, offset]),
                    CompareAs::Growth => (
                        format!("({x} - {alias}) / NULLIF({alias}, 0)"),
                        vec![plain, offset],
                    ),
                };
                (
                    "derived",
                    Y::map([("expr", Y::Str(expr)), ("metrics", Y::List(inputs))]),
                )
            }
            Compute::Conversion(c) => self.conversion(m, &name, c),
        };
        let mut doc = vec![("name".to_owned(), Y::str(&name))];
        if let Some(d) = &m.description {
            doc.push(("description".to_owned(), Y::str(d.value.trim())));
        }
        if let Some(l) = &m.label {
            doc.push(("label".to_owned(), Y::str(&l.value)));
        }
        doc.push(("type".to_owned(), Y::str(kind)));
        doc.push(("type_params".to_owned(), type_params));
        doc.push((
            "time_granularity".to_owned(),
            Y::str(m.grain.value.as_str()),
        ));
        let mut meta = match framework(m) {
            Y::Map(v) => v,
            _ => unreachable!("framework is a map"),
        };
        // What the importer needs to give back the spec itself (see the module's doc).
        meta.push(("name".to_owned(), Y::str(&m.name.value)));
        meta.push(("grain_written".to_owned(), Y::Bool(m.grain_written)));
        meta.push(("definition".to_owned(), definition(compute)));
        doc.push((
            "config".to_owned(),
            Y::map([("meta", Y::map([("lodestar", Y::Map(meta))]))]),
        ));
        self.metrics.push(Y::Map(doc));
    }

    /// A simple or cumulative metric's type and parameters over `measure`.
    fn over(&mut self, x: &Measure, measure: &str, subject: &str) -> (&'static str, Y) {
        let cumulative = |params: Vec<(&str, Y)>| {
            let mut p: Vec<(String, Y)> =
                params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            p.push(("period_agg".to_owned(), Y::str("last")));
            (
                "cumulative",
                Y::map([
                    ("measure", Y::str(measure)),
                    ("cumulative_type_params", Y::Map(p)),
                ]),
            )
        };
        let out = match x.over.as_ref().map(|o| o.value) {
            None => return ("simple", Y::map([("measure", Y::str(measure))])),
            Some(Over::Window(days)) => cumulative(vec![(
                "window",
                Y::Str(format!("{days} day{}", if days == 1 { "" } else { "s" })),
            )]),
            Some(Over::ToDate(g)) => cumulative(vec![("grain_to_date", Y::str(g.as_str()))]),
            Some(Over::Cumulative) => cumulative(Vec::new()),
        };
        self.notes.push(Note::new(
            subject.to_owned(),
            NoteKind::Info,
            "a cumulative metric with `period_agg: last`: at a grain coarser than a day its \
             value is the one at each period's last day, as in lodestar"
                .to_owned(),
        ));
        out
    }

    /// A ratio side as a metric name: another metric, or a simple metric made for a measure.
    fn operand(&mut self, m: &Metric, op: &Operand, which: &str) -> String {
        match op {
            Operand::Metric(n) => self.name_of(&n.value),
            Operand::Measure(x) => {
                let base = format!("{}_{which}", self.name_of(&m.name.value));
                let name = unique(&base, &mut self.metric_names);
                let measure = self.measure(&name, x);
                let (kind, type_params) = self.over(x, &measure, &format!("metric `{name}`"));
                let mut meta = vec![
                    ("helper_of".to_owned(), Y::str(&m.name.value)),
                    ("side".to_owned(), Y::str(which)),
                ];
                if let Some(o) = &m.owner {
                    meta.push(("owner".to_owned(), Y::str(&o.value)));
                }
                self.metrics.push(Y::Map(vec![
                    ("name".to_owned(), Y::str(&name)),
                    (
                        "description".to_owned(),
                        Y::Str(format!("The {which} of `{}`.", m.name.value)),
                    ),
                    ("type".to_owned(), Y::str(kind)),
                    ("type_params".to_owned(), type_params),
                    (
                        "time_granularity".to_owned(),
                        Y::str(m.grain.value.as_str()),
                    ),
                    (
                        "config".to_owned(),
                        Y::map([("meta", Y::map([("lodestar", Y::Map(meta))]))]),
                    ),
                ]));
                self.notes.push(Note::new(
                    format!("metric `{}`", m.name.value),
                    NoteKind::Info,
                    format!(
                        "its {which} is the simple metric `{name}` (a MetricFlow ratio divides \
                         metrics)"
                    ),
                ));
                name
            }
        }
    }

    fn conversion(
        &mut self,
        m: &Metric,
        name: &str,
        c: &crate::model::Conversion,
    ) -> (&'static str, Y) {
        let key = c.entity.text.value.trim().to_owned();
        let base = if crate::interop::metricflow::lodestar_name(&key).0 == key {
            mf_name(&key)
        } else {
            format!("{name}_entity")
        };
        // One entity name for both sides; a name another element has is made unique once.
        let entity = if self
            .models
            .iter()
            .any(|md| md.entities.iter().any(|(n, e)| n == &base && e == &key))
        {
            base
        } else {
            unique(&base, &mut self.elements)
        };
        for side in [&c.base.source.value, &c.event.source.value] {
            let md = self.model(side);
            if !md.entities.iter().any(|(n, _)| n == &entity) {
                md.entities.push((entity.clone(), key.clone()));
            }
        }
        let mut input = |which: &str, side: &crate::model::Side| -> Y {
            let measure = unique(&format!("{name}_{which}"), &mut self.elements);
            self.model(&side.source.value).measures.push(Y::map([
                ("name", Y::str(&measure)),
                ("agg", Y::str("count_distinct")),
                ("expr", Y::str(&key)),
            ]));
            match &side.filter {
                None => Y::str(&measure),
                Some(f) => {
                    let filter = self.jinja_filter(&side.source.value, f);
                    Y::map([("name", Y::str(&measure)), ("filter", Y::Str(filter))])
                }
            }
        };
        let base_measure = input("base", &c.base);
        let conversion_measure = input("event", &c.event);
        if c.event.filter.is_some() {
            self.notes.push(Note::new(
                format!("metric `{}`", m.name.value),
                NoteKind::Differs,
                "its event filter is a filter on the conversion measure, where MetricFlow \
                 documents it; MetricFlow 0.213 warns that it does not fully support it yet"
                    .to_owned(),
            ));
        }
        self.notes.push(Note::new(
            format!("metric `{}`", m.name.value),
            NoteKind::Differs,
            format!(
                "MetricFlow credits each conversion to the entity's latest base row in the {} \
                 days before it; lodestar converts an entity in every period with a base row \
                 at most {} days before the event: an entity with several base rows in the \
                 window may count in more periods in lodestar",
                c.within.value, c.within.value
            ),
        ));
        (
            "conversion",
            Y::map([(
                "conversion_type_params",
                Y::map([
                    ("entity", Y::str(&entity)),
                    (
                        "calculation",
                        Y::str(match c.as_.value {
                            ConversionAs::Rate => "conversion_rate",
                            ConversionAs::Count => "conversions",
                        }),
                    ),
                    (
                        "window",
                        Y::Str(format!(
                            "{} day{}",
                            c.within.value,
                            if c.within.value == 1 { "" } else { "s" }
                        )),
                    ),
                    ("base_measure", base_measure),
                    ("conversion_measure", conversion_measure),
                ]),
            )]),
        )
    }

    /// A filter over a source's columns as a MetricFlow filter: each column becomes
    /// `{{ Dimension('<entity>__<dimension>') }}`, with a categorical dimension added for
    /// each column no dimension of the source is exactly.
    fn jinja_filter(&mut self, source: &str, f: &Fragment) -> String {
        let Some(expr) = f.expr() else {
            return f.text.value.trim().to_owned();
        };
        let mut expr = expr.clone();
        let mut columns: Vec<String> = Vec::new();
        let _ = sqlparser::ast::visit_expressions_mut(&mut expr, |e| {
            let col = match e {
                Expr::Identifier(id) => Some(id.value.clone()),
                Expr::CompoundIdentifier(parts) if parts.len() == 2 && parts[0].value == source => {
                    Some(parts[1].value.clone())
                }
                _ => None,
            };
            if let Some(col) = col {
                columns.push(col.clone());
                *e = Expr::Identifier(Ident::new(format!("\u{0}{col}\u{0}")));
            }
            ControlFlow::<()>::Continue(())
        });
        let mut text = expr.to_string();
        for col in columns {
            let dim = self.dimension_for(source, &col);
            let entity = self.model(source).entity.clone();
            text = text.replace(
                &format!("\u{0}{col}\u{0}"),
                &format!("{{{{ Dimension('{entity}__{dim}') }}}}"),
            );
        }
        self.notes.push(Note::new(
            format!("source `{source}`"),
            NoteKind::Info,
            "a conversion's filter names its columns as MetricFlow dimensions, so categorical \
             dimensions were added for them (they import back as dimensions)"
                .to_owned(),
        ));
        text
    }

    /// The categorical dimension of `source` that is exactly column `col`, added if missing.
    fn dimension_for(&mut self, source: &str, col: &str) -> String {
        if let Some((n, _)) = self.model(source).dims.iter().find(|(_, e)| e == col) {
            return n.clone();
        }
        let base = mf_name(col);
        let name = unique(&base, &mut self.elements);
        self.model(source).dims.push((name.clone(), col.to_owned()));
        name
    }
}

fn agg_name(a: Agg) -> &'static str {
    match a {
        Agg::Count => "count",
        Agg::CountDistinct => "count_distinct",
        Agg::Sum => "sum",
        Agg::Avg => "average",
        Agg::Min => "min",
        Agg::Max => "max",
        Agg::Median => "median",
        Agg::Percentile(_) => "percentile",
    }
}

/// A derived expression for MetricFlow: metric names as MetricFlow writes them, and each
/// divisor `x` as `NULLIF(x, 0)` (lodestar's `/` gives NULL for a zero divisor; MetricFlow
/// writes the division as it is, which fails or gives infinity on most engines).
pub(super) fn derived_expr(f: &Fragment, name: &dyn Fn(&str) -> String) -> String {
    let Some(expr) = f.expr() else {
        return f.text.value.trim().to_owned();
    };
    let mut expr = expr.clone();
    let _ = sqlparser::ast::visit_expressions_mut(&mut expr, |e| {
        match e {
            Expr::Identifier(id) => {
                let n = name(&id.value);
                if n != id.value {
                    *id = Ident::new(n);
                }
            }
            Expr::BinaryOp {
                op: BinaryOperator::Divide,
                right,
                ..
            } => {
                let guarded = format!("NULLIF({right}, 0)");
                if let Ok(g) =
                    sqlparser::parser::Parser::new(&sqlparser::dialect::GenericDialect {})
                        .try_with_sql(&guarded)
                        .and_then(|mut p| p.parse_expr())
                {
                    **right = g;
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    expr.to_string()
}
