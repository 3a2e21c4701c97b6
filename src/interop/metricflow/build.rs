//! MetricFlow's semantic models and metrics turned into lodestar sources and metrics.
//!
//! A MetricFlow measure belongs to a semantic model and is aggregated by its
//! `agg_time_dimension`; a lodestar measure aggregates one source, which has one `time`. So each
//! (semantic model, time dimension) pair becomes one source. Filters that reach dimensions of
//! other semantic models through an entity make that source a `sql` source with the joins (see
//! [`Source::sql`]). Metrics that MetricFlow builds from other metrics with a filter, an alias
//! or an `offset_window` need metrics of their own in lodestar (a derived metric is arithmetic
//! over metric names): these helper metrics are made on demand, once per distinct definition.
//!
//! Everything that cannot be carried over with the same numbers is refused with a reason; the
//! caller reports it.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::jinja::{self, Ref};
use super::meta::{self, MetricMeta, ModelMeta};
use super::schema::{Manifest, MeasureInput, MetricDef, MetricInput, SemanticModel, Window};
use super::{Grain, Note, NoteKind};

/// A lodestar measure, as its keys.
#[derive(Clone, Debug, PartialEq)]
pub struct Measure {
    pub source: String,
    pub agg: &'static str,
    pub expr: Option<String>,
    pub p: Option<f64>,
    pub filter: Option<String>,
    pub window: Option<u32>,
    pub to_date: Option<&'static str>,
    pub cumulative: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Side {
    Metric(String),
    Measure(Measure),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConversionSide {
    pub source: String,
    pub filter: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Measure(Measure),
    Ratio(Side, Side),
    Derived(String),
    Compare {
        metric: String,
        offset: u32,
        /// `value`, `change` or `growth` (MetricFlow offsets import as `value`).
        as_: &'static str,
    },
    Conversion {
        entity: String,
        base: ConversionSide,
        event: ConversionSide,
        within: u32,
        count: bool,
    },
}

/// Where a metric goes in the spec.
#[derive(Clone, Debug, PartialEq)]
pub enum Role {
    Input,
    NorthStar,
    Guardrail { min: Option<f64>, max: Option<f64> },
    Outcome,
}

/// A lodestar metric.
#[derive(Clone, Debug)]
pub struct Metric {
    pub name: String,
    /// The MetricFlow metric it carries over; `None` for a helper metric.
    pub origin: Option<String>,
    pub label: Option<String>,
    pub description: Option<String>,
    pub ty: &'static str,
    pub ty_why: &'static str,
    /// The owner's key; `None`: [`super::emit::OWNER`].
    pub owner: Option<String>,
    pub grain: Grain,
    /// Whether the spec writes `grain` (not when the exported spec left it at its default).
    pub grain_written: bool,
    /// `(by, value)`, from `config.meta.lodestar`.
    pub targets: Vec<(String, f64)>,
    /// `(cadence, last_reviewed)`, from `config.meta.lodestar`.
    pub review: Option<(Option<&'static str>, Option<String>)>,
    pub kind: Kind,
    /// Other metrics of the product it reads.
    pub deps: Vec<String>,
    /// Comment lines written above it in the spec.
    pub comments: Vec<String>,
    pub role: Role,
}

/// One join of a `sql` source: a dimension model's columns, one row per key.
#[derive(Clone, Debug)]
pub struct Join {
    pub model: usize,
    pub fact_key: String,
    pub dim_key: String,
    pub dim_table: String,
    /// (column alias, expression over the dimension model's columns).
    pub columns: Vec<(String, String)>,
}

/// A lodestar source: one semantic model aggregated by one of its time dimensions.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    pub description: Option<String>,
    pub table: String,
    pub time: String,
    /// Columns computed from the model's own (alias, expression): a time or entity expression.
    pub computed: Vec<(String, String)>,
    pub joins: Vec<Join>,
    pub dimensions: Vec<(String, String)>,
    /// The SELECT of a source restored from `config.meta.lodestar` (a lodestar `sql` source).
    pub sql_text: Option<String>,
    /// Declared columns (name, type) of a source restored from `config.meta.lodestar`.
    pub columns: Option<Vec<(String, Option<String>)>>,
    /// Restored from `config.meta.lodestar` (see [`super::meta`]), not translated.
    pub from_meta: bool,
}

impl Source {
    /// The SELECT of a `sql` source, when the source needs one (joins or computed columns).
    ///
    /// A dimension model is joined through a subquery grouped by its key, taking `min` of each
    /// column: one row per key whatever the data holds, so the join can never multiply the fact
    /// rows (MetricFlow's plain left join would, if a primary key were repeated in the data).
    pub fn sql(&self) -> Option<String> {
        if self.joins.is_empty() && self.computed.is_empty() {
            return self.sql_text.clone();
        }
        let mut select = vec!["f.*".to_owned()];
        let mut from = match &self.sql_text {
            Some(sql) => format!("({sql}) as f"),
            None => format!("{} as f", self.table),
        };
        for (i, j) in self.joins.iter().enumerate() {
            let alias = format!("j{}", i + 1);
            let mut inner = vec![format!("{} as mf_key", j.dim_key)];
            for (col, expr) in &j.columns {
                select.push(format!("{alias}.{col}"));
                inner.push(format!("min({expr}) as {col}"));
            }
            let key = if is_ident(&j.fact_key) {
                format!("f.{}", j.fact_key)
            } else {
                paren(&j.fact_key)
            };
            from.push_str(&format!(
                " left join (select {} from {} group by {}) as {alias} on {key} = {alias}.mf_key",
                inner.join(", "),
                j.dim_table,
                j.dim_key
            ));
        }
        for (col, expr) in &self.computed {
            select.push(format!("{} as {col}", paren(expr)));
        }
        Some(format!("select {} from {from}", select.join(", ")))
    }
}

type Key = (String, Vec<String>);

pub struct Builder<'a> {
    mf: &'a Manifest,
    /// The grain of the metric being built: `--grain`, or the metric's own from its meta.
    grain: Grain,
    default_grain: Grain,
    /// `config.meta.lodestar` of the metrics that have one, by MetricFlow name.
    pub metas: HashMap<String, MetricMeta>,
    /// Helper metrics `lodestar export` made for another metric (`helper_of`): folded back
    /// into it, not imported as metrics of their own.
    helpers: HashSet<String>,
    /// `config.meta.lodestar` of each semantic model (in order), when it has one.
    pub model_metas: Vec<Option<ModelMeta>>,
    /// Semantic model → the source restored from its meta.
    restored: HashMap<usize, usize>,
    /// Every measure of the manifest as read, for fingerprints.
    raw_measures: Vec<Value>,
    /// Every MetricFlow metric, with those `create_metric: true` asks for appended.
    defs: Vec<MetricDef>,
    def_index: HashMap<String, usize>,
    measure_index: HashMap<String, (usize, usize)>,
    /// MetricFlow metric name → lodestar name.
    pub names: HashMap<String, String>,
    taken: HashSet<String>,
    pub sources: Vec<Source>,
    source_index: HashMap<(usize, String), usize>,
    pub metrics: Vec<Metric>,
    built: HashMap<Key, Result<String, String>>,
    busy: HashSet<Key>,
    compares: HashMap<(String, u32), String>,
    pub notes: Vec<Note>,
}

impl<'a> Builder<'a> {
    pub fn new(mf: &'a Manifest, grain: Grain) -> Builder<'a> {
        let mut notes = Vec::new();
        let mut defs = mf.metrics.clone();
        let mut measure_index = HashMap::new();
        for (mi, model) in mf.semantic_models.iter().enumerate() {
            for (xi, m) in model.measures.iter().enumerate() {
                measure_index.entry(m.name.clone()).or_insert((mi, xi));
            }
        }
        for model in &mf.semantic_models {
            for m in &model.measures {
                if m.create_metric == Some(true) && !defs.iter().any(|d| d.name == m.name) {
                    defs.push(MetricDef {
                        name: m.name.clone(),
                        kind: "simple".to_owned(),
                        description: m.description.clone(),
                        label: m.label.clone(),
                        type_params: super::schema::TypeParams {
                            measure: Some(MeasureInput {
                                name: m.name.clone(),
                                ..MeasureInput::default()
                            }),
                            ..Default::default()
                        },
                        filter: Default::default(),
                        time_granularity: None,
                        raw: Value::Null,
                    });
                }
            }
        }
        let mut def_index = HashMap::new();
        for (i, d) in defs.iter().enumerate() {
            if def_index.insert(d.name.clone(), i).is_some() {
                notes.push(Note::new(
                    format!("metric `{}`", d.name),
                    NoteKind::NotCarried,
                    "it is defined twice; the first definition is imported".to_owned(),
                ));
            }
        }
        let mut metas = HashMap::new();
        for d in &defs {
            let mut problems = Vec::new();
            if let Some(m) = meta::metric_meta(&d.raw, &mut problems) {
                metas.entry(d.name.clone()).or_insert(m);
            }
            for p in problems {
                notes.push(Note::new(format!("metric `{}`", d.name), NoteKind::Info, p));
            }
        }
        // The lodestar names of the metrics, for `helper_of`.
        let own: HashSet<String> = defs
            .iter()
            .map(|d| {
                metas
                    .get(&d.name)
                    .and_then(|m: &MetricMeta| m.name.clone())
                    .unwrap_or_else(|| d.name.clone())
            })
            .collect();
        let helpers: HashSet<String> = defs
            .iter()
            .filter(|d| {
                metas
                    .get(&d.name)
                    .and_then(|m| m.helper_of.as_ref())
                    .is_some_and(|p| own.contains(p))
            })
            .map(|d| d.name.clone())
            .collect();
        // Names are given up front, in MetricFlow's order (the export's helpers last), so that
        // helper metrics made later never take a name a MetricFlow metric needs.
        let mut names = HashMap::new();
        let mut taken = HashSet::new();
        let ordered = defs
            .iter()
            .filter(|d| !helpers.contains(&d.name))
            .chain(defs.iter().filter(|d| helpers.contains(&d.name)));
        for d in ordered {
            if names.contains_key(&d.name) {
                continue;
            }
            let (name, why) = match metas.get(&d.name).and_then(|m| m.name.as_deref()) {
                Some(n) if !taken.contains(n) => (n.to_owned(), None),
                _ => super::lodestar_name(&d.name),
            };
            let name = unique(&name, &taken);
            if name != d.name {
                notes.push(Note::new(
                    format!("metric `{}`", d.name),
                    NoteKind::Renamed,
                    format!(
                        "renamed `{name}`: {}",
                        why.unwrap_or("the name was taken by another metric")
                    ),
                ));
            }
            taken.insert(name.clone());
            names.insert(d.name.clone(), name);
        }
        // Sources restored from the semantic models' meta, while their definitions are as
        // exported.
        let mut sources = Vec::new();
        let mut restored = HashMap::new();
        let mut model_metas = Vec::new();
        for (mi, model) in mf.semantic_models.iter().enumerate() {
            let mut problems = Vec::new();
            let mm = meta::model_meta(&model.raw, &mut problems);
            for p in problems {
                notes.push(Note::new(
                    format!("semantic model `{}`", model.name),
                    NoteKind::Info,
                    p,
                ));
            }
            if let Some(s) = mm.as_ref().and_then(|m| m.source.as_ref()) {
                let same = mm.as_ref().and_then(|m| m.fingerprint.as_deref())
                    == Some(meta::model_fingerprint(&model.raw).as_str());
                if !same {
                    notes.push(Note::new(
                        format!("semantic model `{}`", model.name),
                        NoteKind::Differs,
                        format!(
                            "it was edited since `lodestar export` wrote it (its fingerprint no \
                             longer matches): its source is translated from MetricFlow, not \
                             restored as lodestar source `{}`",
                            s.name
                        ),
                    ));
                } else if !sources.iter().any(|x: &Source| x.name == s.name) {
                    restored.insert(mi, sources.len());
                    sources.push(Source {
                        name: s.name.clone(),
                        description: s.description.clone(),
                        table: s.table.clone().unwrap_or_default(),
                        time: s.time.clone(),
                        computed: Vec::new(),
                        joins: Vec::new(),
                        dimensions: s.dimensions.clone(),
                        sql_text: s.sql.clone(),
                        columns: s.columns.clone(),
                        from_meta: true,
                    });
                }
            }
            model_metas.push(mm);
        }
        let raw_measures = mf
            .semantic_models
            .iter()
            .filter_map(|m| m.raw.get("measures").and_then(Value::as_array))
            .flatten()
            .cloned()
            .collect();
        Builder {
            mf,
            grain,
            default_grain: grain,
            metas,
            helpers,
            model_metas,
            restored,
            raw_measures,
            def_index: defs
                .iter()
                .enumerate()
                .rev()
                .map(|(i, d)| (d.name.clone(), i))
                .collect(),
            defs,
            measure_index,
            names,
            taken,
            sources,
            source_index: HashMap::new(),
            metrics: Vec::new(),
            built: HashMap::new(),
            busy: HashSet::new(),
            compares: HashMap::new(),
            notes,
        }
    }

    /// The MetricFlow metrics' names, in order (those `create_metric` adds last), but the
    /// helper metrics `lodestar export` made, which fold back into their metric.
    pub fn metric_names(&self) -> Vec<String> {
        let mut seen = HashSet::new();
        self.defs
            .iter()
            .filter(|d| !self.helpers.contains(&d.name))
            .filter(|d| seen.insert(d.name.clone()))
            .map(|d| d.name.clone())
            .collect()
    }

    /// Builds every metric; failures are notes.
    pub fn build_all(&mut self) {
        for name in self.metric_names() {
            let _ = self.ensure(&name, Vec::new(), None);
        }
    }

    /// The lodestar metric for MetricFlow metric `mf_name` with extra filters (its own filter
    /// always applies), built once per distinct (metric, filters).
    fn ensure(
        &mut self,
        mf_name: &str,
        filters: Vec<String>,
        hint: Option<String>,
    ) -> Result<String, String> {
        let Some(&idx) = self.def_index.get(mf_name) else {
            return Err(format!("no metric `{mf_name}` is defined"));
        };
        let mut filters: Vec<String> = filters.into_iter().map(|f| f.trim().to_owned()).collect();
        filters.sort();
        filters.dedup();
        let key = (mf_name.to_owned(), filters.clone());
        if let Some(r) = self.built.get(&key) {
            return r.clone();
        }
        if !self.busy.insert(key.clone()) {
            return Err(format!("`{mf_name}` depends on itself"));
        }
        let def = self.defs[idx].clone();
        let primary = filters.is_empty();
        let name = if primary {
            self.names[mf_name].clone()
        } else {
            let base = &self.names[mf_name];
            let hint = hint.unwrap_or_else(|| format!("{base}_filtered"));
            self.fresh(&hint)
        };
        let meta = if primary {
            self.metas.get(mf_name).cloned()
        } else {
            None
        };
        let outer = self.grain;
        if let Some(m) = &meta {
            let written = def
                .time_granularity
                .as_ref()
                .and_then(Value::as_str)
                .and_then(|g| Grain::parse(&g.to_ascii_lowercase()));
            self.grain = written.or(m.grain).unwrap_or(self.default_grain);
        }
        let grain = self.grain;
        let result = match meta.as_ref().and_then(|m| self.restore(&def, m)) {
            Some(built) => Ok(built),
            None => self.kind_of(&def, &filters, &name),
        };
        self.grain = outer;
        self.busy.remove(&key);
        let result = result.map(|built| {
            let (mut ty, mut ty_why) = guess_type(&def.name, &built.kind);
            if let Some(t) = meta.as_ref().and_then(|m| m.ty) {
                (ty, ty_why) = (t, "from `config.meta.lodestar`");
            }
            let description = if meta.is_some() {
                // As exported: the metric's own description, or none.
                def.description
                    .clone()
                    .filter(|d| !d.trim().is_empty())
                    .map(|d| d.trim().to_owned())
            } else if primary {
                Some(
                    def.description
                        .clone()
                        .filter(|d| !d.trim().is_empty())
                        .map(|d| d.trim().to_owned())
                        .unwrap_or_else(|| {
                            format!("MetricFlow {} metric `{}`.", def.kind, def.name)
                        }),
                )
            } else {
                Some(format!(
                    "`{}` where {}.",
                    self.names[mf_name],
                    filters
                        .iter()
                        .map(|f| jinja::readable(f))
                        .collect::<Vec<_>>()
                        .join(" and ")
                ))
            };
            self.metrics.push(Metric {
                name: name.clone(),
                origin: primary.then(|| def.name.clone()),
                label: if primary { def.label.clone() } else { None },
                description,
                ty,
                ty_why,
                owner: meta.as_ref().and_then(|m| m.owner.clone()),
                grain,
                // Unwritten, the spec's grain is the default (or a compare's metric's); the
                // exported one is that grain, unless MetricFlow's was edited since.
                grain_written: meta
                    .as_ref()
                    .is_none_or(|m| m.grain_written || m.grain != Some(grain)),
                targets: meta.as_ref().map(|m| m.targets.clone()).unwrap_or_default(),
                review: meta.as_ref().and_then(|m| m.review.clone()),
                kind: built.kind,
                deps: built.deps,
                comments: built.comments,
                role: Role::Input,
            });
            name
        });
        if primary {
            if let Err(reason) = &result {
                self.notes.push(Note::new(
                    format!("metric `{mf_name}`"),
                    NoteKind::NotCarried,
                    reason.clone(),
                ));
            }
        }
        self.built.insert(key, result.clone());
        result
    }

    /// The metric as `lodestar export` defined it (`config.meta.lodestar.definition`), while
    /// its MetricFlow definition is still the one exported beside it; `None`, with a note
    /// saying why, to translate the MetricFlow definition instead.
    fn restore(&mut self, def: &MetricDef, meta: &MetricMeta) -> Option<Built> {
        let subject = format!("metric `{}`", def.name);
        let (Some(definition), Some(print)) = (&meta.definition, &meta.fingerprint) else {
            self.notes.push(Note::new(
                subject,
                NoteKind::Info,
                "its `config.meta.lodestar` has no `definition` and `fingerprint`: its \
                 computation is translated from MetricFlow, the rest of the meta is kept"
                    .to_owned(),
            ));
            return None;
        };
        let metrics: Vec<&Value> = self.mf.metrics.iter().map(|d| &d.raw).collect();
        let measures: Vec<&Value> = self.raw_measures.iter().collect();
        if meta::metric_fingerprint(&def.raw, &metrics, &measures) != *print {
            self.notes.push(Note::new(
                subject,
                NoteKind::Differs,
                "it was edited in MetricFlow since `lodestar export` wrote it (its fingerprint \
                 no longer matches): its computation is translated from MetricFlow, not \
                 restored from `config.meta.lodestar.definition`"
                    .to_owned(),
            ));
            return None;
        }
        match self.definition(definition, def) {
            Ok(built) => Some(built),
            Err(why) => {
                self.notes.push(Note::new(
                    subject,
                    NoteKind::Info,
                    format!(
                        "its `config.meta.lodestar.definition` {why}: its computation is \
                         translated from MetricFlow"
                    ),
                ));
                None
            }
        }
    }

    /// A lodestar definition as `lodestar export` writes it in the meta (the keys of the spec:
    /// `measure`, `ratio`, `derived`, `compare` or `conversion`).
    fn definition(&self, v: &Value, def: &MetricDef) -> Result<Built, String> {
        let map = v.as_object().ok_or("is not a map")?;
        let (Some((key, body)), 1) = (map.iter().next(), map.len()) else {
            return Err("is not one of measure, ratio, derived, compare and conversion".to_owned());
        };
        let str_of = |v: &Value, what: &str| -> Result<String, String> {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("has no `{what}` string"))
        };
        let mut deps = Vec::new();
        let kind = match key.as_str() {
            "measure" => Kind::Measure(meta_measure(body)?),
            "ratio" => {
                let side = |v: &Value| -> Result<Side, String> {
                    match v {
                        Value::String(n) => Ok(Side::Metric(n.clone())),
                        other => meta_measure(other).map(Side::Measure),
                    }
                };
                let n = side(&body["numerator"])?;
                let d = side(&body["denominator"])?;
                for s in [&n, &d] {
                    if let Side::Metric(m) = s {
                        deps.push(m.clone());
                    }
                }
                Kind::Ratio(n, d)
            }
            "derived" => {
                deps = meta::metric_inputs(&def.raw)
                    .iter()
                    .filter_map(|i| self.names.get(i).cloned())
                    .collect();
                Kind::Derived(str_of(body, "derived")?)
            }
            "compare" => {
                let metric = str_of(&body["metric"], "metric")?;
                let offset = body["offset"]
                    .as_u64()
                    .and_then(|o| u32::try_from(o).ok())
                    .ok_or("has no whole `offset`")?;
                let as_ = crate::model::CompareAs::parse(&str_of(&body["as"], "as")?)
                    .ok_or("has an `as` that is none of value, change and growth")?;
                deps.push(metric.clone());
                Kind::Compare {
                    metric,
                    offset,
                    as_: as_.as_str(),
                }
            }
            "conversion" => {
                let side = |v: &Value| -> Result<ConversionSide, String> {
                    Ok(ConversionSide {
                        source: str_of(&v["source"], "source")?,
                        filter: v.get("filter").and_then(Value::as_str).map(str::to_owned),
                    })
                };
                let within = days_text(&str_of(&body["within"], "within")?)?;
                let count = match str_of(&body["as"], "as")?.as_str() {
                    "rate" => false,
                    "count" => true,
                    _ => return Err("has an `as` that is neither rate nor count".to_owned()),
                };
                Kind::Conversion {
                    entity: str_of(&body["entity"], "entity")?,
                    base: side(&body["base"])?,
                    event: side(&body["event"])?,
                    within,
                    count,
                }
            }
            other => return Err(format!("has `{other}`, which is no lodestar computation")),
        };
        for source in kind_sources(&kind) {
            if !self.sources.iter().any(|s| s.from_meta && s.name == source) {
                return Err(format!(
                    "reads source `{source}`, whose semantic model was not restored"
                ));
            }
        }
        Ok(Built {
            deps,
            ..Built::new(kind)
        })
    }

    /// A ratio side that is a helper metric `lodestar export` made for `owner` (its meta says
    /// `helper_of: owner`): its measure, written in place as the spec had it.
    fn fold_helper(&mut self, input: &str, owner: &str, which: &str) -> Option<Side> {
        let of = self.metas.get(input).and_then(|m| m.helper_of.as_deref());
        if of != Some(owner) || !self.helpers.contains(input) {
            return None;
        }
        let def = self.defs[*self.def_index.get(input)?].clone();
        match self.kind_of(&def, &[], owner) {
            Ok(Built {
                kind: Kind::Measure(m),
                ..
            }) => {
                self.notes.push(Note::new(
                    format!("metric `{owner}`"),
                    NoteKind::Info,
                    format!(
                        "its {which}, the helper metric `{input}` that `lodestar export` made, is \
                         a measure of the ratio again"
                    ),
                ));
                Some(Side::Measure(m))
            }
            _ => None,
        }
    }

    /// A name not taken yet, from a hint.
    fn fresh(&mut self, hint: &str) -> String {
        let (name, _) = super::lodestar_name(hint);
        let name = unique(&name, &self.taken);
        self.taken.insert(name.clone());
        name
    }

    fn kind_of(&mut self, def: &MetricDef, extra: &[String], name: &str) -> Result<Built, String> {
        let mut filters = def.filter.0.clone();
        filters.extend(extra.iter().cloned());
        let tp = &def.type_params;
        match def.kind.to_ascii_lowercase().as_str() {
            "simple" => {
                let input = tp.measure.as_ref().ok_or(
                    "a simple metric without `type_params.measure` (the inline form of newer dbt \
                     versions) is not read yet",
                )?;
                filters.extend(input.filter.0.iter().cloned());
                let m = self.measure(&input.name, &filters)?;
                self.fill_notes(input, m.agg, name);
                Ok(Built::new(Kind::Measure(m)))
            }
            "ratio" => {
                let (Some(num), Some(den)) = (&tp.numerator, &tp.denominator) else {
                    return Err("a ratio metric needs a `numerator` and a `denominator`".to_owned());
                };
                let n = self.side(num, &filters, name, "numerator")?;
                let d = self.side(den, &filters, name, "denominator")?;
                let deps = [&n, &d]
                    .into_iter()
                    .filter_map(|s| match s {
                        Side::Metric(m) => Some(m.clone()),
                        Side::Measure(_) => None,
                    })
                    .collect();
                Ok(Built {
                    deps,
                    ..Built::new(Kind::Ratio(n, d))
                })
            }
            "derived" => self.derived(def, &filters, name),
            "cumulative" => self.cumulative(def, &filters, name),
            "conversion" => self.conversion(def, &filters, name),
            other => Err(format!(
                "MetricFlow metric type `{other}` is none of simple, ratio, derived, cumulative \
                 and conversion"
            )),
        }
    }

    /// Notes for `fill_nulls_with` and `join_to_timespine` on a measure input.
    fn fill_notes(&mut self, input: &MeasureInput, agg: &str, name: &str) {
        let subject = format!("metric `{name}`");
        if let Some(v) = &input.fill_nulls_with {
            let zero = v.as_f64() == Some(0.0);
            if zero && matches!(agg, "count" | "count_distinct" | "sum") {
                self.notes.push(Note::new(
                    subject.clone(),
                    NoteKind::Info,
                    "`fill_nulls_with: 0` is lodestar's default for counts and sums".to_owned(),
                ));
            } else {
                self.notes.push(Note::new(
                    subject.clone(),
                    NoteKind::Differs,
                    format!(
                        "`fill_nulls_with: {v}` is not carried over: lodestar gives 0 for counts \
                         and sums of periods without rows and NULL for other aggregations"
                    ),
                ));
            }
        }
        if input.join_to_timespine == Some(true) {
            self.notes.push(Note::new(
                subject,
                NoteKind::Info,
                "`join_to_timespine: true` is lodestar's default: every period is reported"
                    .to_owned(),
            ));
        }
    }

    fn side(
        &mut self,
        input: &MetricInput,
        extra: &[String],
        owner: &str,
        which: &str,
    ) -> Result<Side, String> {
        if input.offset_window.is_some() || input.offset_to_grain.is_some() {
            return Err(format!(
                "its {which} has an offset, which a lodestar ratio side cannot carry"
            ));
        }
        let mut filters = extra.to_vec();
        filters.extend(input.filter.0.iter().cloned());
        if filters.is_empty() {
            if let Some(side) = self.fold_helper(&input.name, owner, which) {
                return Ok(side);
            }
            return self
                .ensure(&input.name, Vec::new(), None)
                .map(Side::Metric)
                .map_err(|e| uses(&input.name, &e));
        }
        // A filtered simple metric is a measure with the filter: written in place.
        if let Some(&i) = self.def_index.get(&input.name) {
            let def = self.defs[i].clone();
            if def.kind.eq_ignore_ascii_case("simple") {
                if let Some(m) = &def.type_params.measure {
                    let mut all = def.filter.0.clone();
                    all.extend(filters);
                    all.extend(m.filter.0.iter().cloned());
                    return self
                        .measure(&m.name, &all)
                        .map(Side::Measure)
                        .map_err(|e| format!("its {which}: {e}"));
                }
            }
        }
        let hint = input
            .alias
            .clone()
            .unwrap_or_else(|| format!("{owner}_{which}"));
        self.ensure(&input.name, filters, Some(hint))
            .map(Side::Metric)
            .map_err(|e| uses(&input.name, &e))
    }

    fn derived(
        &mut self,
        def: &MetricDef,
        filters: &[String],
        name: &str,
    ) -> Result<Built, String> {
        let tp = &def.type_params;
        let expr = tp
            .expr
            .as_ref()
            .ok_or("a derived metric needs `type_params.expr`")?;
        let inputs = tp.metrics.clone().unwrap_or_default();
        if inputs.is_empty() {
            return Err("a derived metric needs `type_params.metrics`".to_owned());
        }
        let mut map = HashMap::new();
        let mut deps = Vec::new();
        let mut comments = Vec::new();
        for input in &inputs {
            let ident = input.alias.clone().unwrap_or_else(|| input.name.clone());
            if let Some(g) = &input.offset_to_grain {
                return Err(format!(
                    "its input `{ident}` has `offset_to_grain: {g}` (the value as of the start of \
                     the {g}), which has no lodestar form"
                ));
            }
            let mut fs = filters.to_vec();
            fs.extend(input.filter.0.iter().cloned());
            let hint = if input.offset_window.is_none() {
                input.alias.clone()
            } else {
                None
            };
            let base = self
                .ensure(&input.name, fs, hint)
                .map_err(|e| uses(&input.name, &e))?;
            let target = match &input.offset_window {
                None => base,
                Some(w) => {
                    let offset = self.offset(w)?;
                    let helper = self.compare(&base, offset, input.alias.as_deref(), w, name);
                    comments.push(format!(
                        "`{helper}` is `{base}` {} earlier (MetricFlow `offset_window: {}`)",
                        w.text, w.text
                    ));
                    helper
                }
            };
            deps.push(target.clone());
            map.insert(ident, target);
        }
        let (rewritten, dropped) = rewrite(&expr.0, &map)?;
        self.notes.push(Note::new(
            format!("metric `{name}`"),
            NoteKind::Differs,
            "on a period where an input has no rows, MetricFlow's derived value is NULL (unless \
             the input has `fill_nulls_with: 0`); lodestar counts that input's count or sum as \
             0. A division by zero is NULL in lodestar"
                .to_owned(),
        ));
        if dropped {
            self.notes.push(Note::new(
                format!("metric `{name}`"),
                NoteKind::Info,
                "`NULLIF(x, 0)` became `x`: lodestar's `/` gives NULL for a zero denominator"
                    .to_owned(),
            ));
        }
        Ok(Built {
            deps,
            comments: Vec::new(),
            ..Built::new(Kind::Derived(rewritten))
        }
        .with_comments(comments))
    }

    /// The `compare` helper for `base` `offset` periods earlier, made once per (base, offset).
    fn compare(
        &mut self,
        base: &str,
        offset: u32,
        alias: Option<&str>,
        w: &Window,
        owner: &str,
    ) -> String {
        if let Some(n) = self.compares.get(&(base.to_owned(), offset)) {
            return n.clone();
        }
        let hint = match alias {
            Some(a) if !self.taken.contains(&super::lodestar_name(a).0) => a.to_owned(),
            Some(a) => format!("{owner}_{a}"),
            None => format!("{base}_{}_{}s_ago", w.count, w.unit),
        };
        let name = self.fresh(&hint);
        let (ty, ty_why) = self
            .metrics
            .iter()
            .find(|m| m.name == base)
            .map_or(("engagement", "the default"), |m| (m.ty, m.ty_why));
        self.metrics.push(Metric {
            name: name.clone(),
            origin: None,
            label: None,
            description: Some(format!(
                "`{base}` {} earlier (MetricFlow `offset_window: {}` in `{owner}`).",
                w.text, w.text
            )),
            ty,
            ty_why,
            owner: None,
            grain: self.grain,
            grain_written: true,
            targets: Vec::new(),
            review: None,
            kind: Kind::Compare {
                metric: base.to_owned(),
                offset,
                as_: "value",
            },
            deps: vec![base.to_owned()],
            comments: Vec::new(),
            role: Role::Input,
        });
        self.compares
            .insert((base.to_owned(), offset), name.clone());
        name
    }

    /// An `offset_window` as a number of periods at the import's grain.
    fn offset(&self, w: &Window) -> Result<u32, String> {
        let per = |unit: &str| -> Option<(u32, u32)> {
            // (periods of the grain per unit, units per period of the grain)
            use Grain::*;
            Some(match (unit, self.grain) {
                ("day", Day) => (1, 1),
                ("day", Week) => (1, 7),
                ("week", Day) => (7, 1),
                ("week", Week) => (1, 1),
                ("month", Month) => (1, 1),
                ("month", Quarter) => (1, 3),
                ("month", Year) => (1, 12),
                ("quarter", Month) => (3, 1),
                ("quarter", Quarter) => (1, 1),
                ("quarter", Year) => (1, 4),
                ("year", Month) => (12, 1),
                ("year", Quarter) => (4, 1),
                ("year", Year) => (1, 1),
                _ => return None,
            })
        };
        match per(&w.unit) {
            Some((mul, div)) if (w.count * mul).is_multiple_of(div) && w.count > 0 => {
                Ok(w.count * mul / div)
            }
            _ => Err(format!(
                "its `offset_window: {}` is not a whole number of {}s, the grain of the import \
                 (choose another with --grain)",
                w.text,
                self.grain.as_str()
            )),
        }
    }

    fn cumulative(
        &mut self,
        def: &MetricDef,
        filters: &[String],
        name: &str,
    ) -> Result<Built, String> {
        let tp = &def.type_params;
        let input = tp
            .measure
            .as_ref()
            .ok_or("a cumulative metric needs `type_params.measure`")?;
        let params = tp.cumulative_type_params.clone().unwrap_or_default();
        let window = params.window.or_else(|| tp.window.clone());
        let to_date = params.grain_to_date.or_else(|| tp.grain_to_date.clone());
        let mut fs = filters.to_vec();
        fs.extend(input.filter.0.iter().cloned());
        let mut m = self.measure(&input.name, &fs)?;
        self.fill_notes(input, m.agg, name);
        match (window, to_date) {
            (Some(w), Some(g)) => {
                return Err(format!(
                    "it has both `window: {}` and `grain_to_date: {g}`, which lodestar cannot \
                     combine",
                    w.text
                ))
            }
            (Some(w), None) => m.window = Some(days(&w)?),
            (None, Some(g)) => {
                let g = g.to_ascii_lowercase();
                let to_date = match g.as_str() {
                    "week" => "week",
                    "month" => "month",
                    "quarter" => "quarter",
                    "year" => "year",
                    _ => {
                        return Err(format!(
                            "its `grain_to_date: {g}` is none of week, month, quarter and year"
                        ))
                    }
                };
                if Grain::parse(to_date).is_none_or(|t| t <= self.grain) {
                    return Err(format!(
                        "its `grain_to_date: {g}` is not coarser than the import's grain `{}` \
                         (choose another with --grain)",
                        self.grain.as_str()
                    ));
                }
                m.to_date = Some(to_date);
            }
            (None, None) => m.cumulative = true,
        }
        let period_agg = params
            .period_agg
            .unwrap_or_else(|| "first".to_owned())
            .to_ascii_lowercase();
        if self.grain != Grain::Day && period_agg != "last" {
            self.notes.push(Note::new(
                format!("metric `{name}`"),
                NoteKind::Differs,
                format!(
                    "MetricFlow reports a cumulative metric at a {} grain by `period_agg: \
                     {period_agg}`; lodestar by its value at each period's last day (the same \
                     as `period_agg: last`; at `--grain day` the two agree)",
                    self.grain.as_str()
                ),
            ));
        }
        Ok(Built::new(Kind::Measure(m)))
    }

    fn conversion(
        &mut self,
        def: &MetricDef,
        filters: &[String],
        name: &str,
    ) -> Result<Built, String> {
        if !filters.is_empty() {
            return Err(
                "a filter on a conversion metric itself is not carried over (filter its \
                 `base_measure` or `conversion_measure` instead)"
                    .to_owned(),
            );
        }
        let c = def
            .type_params
            .conversion_type_params
            .as_ref()
            .ok_or("a conversion metric needs `type_params.conversion_type_params`")?;
        if c.constant_properties
            .as_ref()
            .is_some_and(|p| !p.is_empty())
        {
            return Err(
                "its `constant_properties` (the event must match the base on further columns) \
                 have no lodestar form yet"
                    .to_owned(),
            );
        }
        let window = c.window.as_ref().ok_or(
            "it has no `window` (an event any time later converts); lodestar's `within` is a \
             number of days",
        )?;
        let within = days(window)?;
        let count = match c
            .calculation
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("conversion_rate") => false,
            Some("conversions") => true,
            Some(other) => {
                return Err(format!(
                    "its `calculation: {other}` is neither conversion_rate nor conversions"
                ))
            }
        };
        let (base, base_key, base_counts) = self.conversion_side(&c.base_measure, &c.entity)?;
        let (event, event_key, event_counts) =
            self.conversion_side(&c.conversion_measure, &c.entity)?;
        let entity = if base_key == event_key {
            base_key
        } else {
            // Two expressions for one entity: each source computes it under one name.
            let col = format!("mf_entity_{}", super::lodestar_name(&c.entity).0);
            for s in [&base.source, &event.source] {
                let key = if s == &base.source {
                    &base_key
                } else {
                    &event_key
                };
                let src = self
                    .sources
                    .iter_mut()
                    .find(|x| &x.name == s)
                    .expect("made");
                if !src.computed.iter().any(|(n, _)| n == &col) {
                    src.computed.push((col.clone(), key.clone()));
                }
            }
            col
        };
        self.notes.push(Note::new(
            format!("metric `{name}`"),
            NoteKind::Differs,
            format!(
                "MetricFlow credits each conversion to the entity's latest base row in the \
                 {} before it (later than `t - {}`, so the window's far end is excluded); \
                 lodestar converts an entity in every period with a base row `b` such that \
                 `b <= t <= b + {within} days`: an entity with several base rows in the window \
                 converts in more periods in lodestar",
                window.text, window.text
            ),
        ));
        if !(base_counts && event_counts) {
            self.notes.push(Note::new(
                format!("metric `{name}`"),
                NoteKind::Differs,
                format!(
                    "lodestar counts entities (`{}`); MetricFlow aggregates the base and \
                     conversion measures as declared, which counts the same only when both are \
                     `count_distinct` of the entity",
                    c.entity
                ),
            ));
        }
        Ok(Built::new(Kind::Conversion {
            entity,
            base,
            event,
            within,
            count,
        }))
    }

    /// A conversion side: its source and filter, the entity's expression there, and whether
    /// the measure counts distinct entities.
    fn conversion_side(
        &mut self,
        input: &MeasureInput,
        entity: &str,
    ) -> Result<(ConversionSide, String, bool), String> {
        let (mi, xi) = self.lookup_measure(&input.name)?;
        let model = &self.mf.semantic_models[mi];
        let key = model
            .entities
            .iter()
            .find(|e| e.name == entity)
            .map(|e| {
                e.expr
                    .as_ref()
                    .map_or(e.name.clone(), |x| x.0.trim().to_owned())
            })
            .ok_or_else(|| {
                format!(
                    "entity `{entity}` is not an entity of semantic model `{}` (of measure `{}`)",
                    model.name, input.name
                )
            })?;
        let measure = self.measure(&input.name, &input.filter.0)?;
        let meas = &self.mf.semantic_models[mi].measures[xi];
        let counts = measure.agg == "count_distinct"
            && measure.expr.as_deref() == Some(key.as_str())
            && meas.agg.eq_ignore_ascii_case("count_distinct");
        Ok((
            ConversionSide {
                source: measure.source,
                filter: measure.filter,
            },
            key,
            counts,
        ))
    }

    fn lookup_measure(&self, name: &str) -> Result<(usize, usize), String> {
        self.measure_index
            .get(name)
            .copied()
            .ok_or_else(|| format!("no measure `{name}` is defined in any semantic model"))
    }

    /// A MetricFlow measure with filters, as a lodestar measure.
    fn measure(&mut self, name: &str, filters: &[String]) -> Result<Measure, String> {
        let (mi, xi) = self.lookup_measure(name)?;
        let model = &self.mf.semantic_models[mi];
        let meas = &model.measures[xi];
        if meas.non_additive_dimension.is_some() {
            return Err(format!(
                "measure `{name}` has a `non_additive_dimension` (a semi-additive value such as \
                 a balance at the period's end), which lodestar has no form for"
            ));
        }
        let src = self.source_for(mi, xi)?;
        let expr = meas
            .expr
            .as_ref()
            .map_or_else(|| meas.name.clone(), |e| e.0.trim().to_owned());
        let mut conds = Vec::new();
        let (agg, expr, p) = match meas.agg.to_ascii_lowercase().as_str() {
            "sum" => ("sum", Some(expr), None),
            "min" => ("min", Some(expr), None),
            "max" => ("max", Some(expr), None),
            "count_distinct" => ("count_distinct", Some(expr), None),
            "average" | "avg" => ("avg", Some(expr), None),
            "median" => ("median", Some(expr), None),
            "count" => {
                // MetricFlow counts the rows where the expression is not NULL.
                if !is_literal(&expr) {
                    conds.push(format!("{} is not null", paren(&expr)));
                }
                ("count", None, None)
            }
            "sum_boolean" => {
                conds.push(paren(&expr));
                ("count", None, None)
            }
            "percentile" => {
                let params = meas.agg_params.clone().unwrap_or_default();
                if params.use_discrete_percentile == Some(true) {
                    return Err(format!(
                        "measure `{name}` is a discrete percentile; lodestar's percentiles \
                         interpolate"
                    ));
                }
                if params.use_approximate_percentile == Some(true) {
                    return Err(format!(
                        "measure `{name}` is an approximate percentile; lodestar's are exact"
                    ));
                }
                let p = params
                    .percentile
                    .filter(|p| (0.0..=1.0).contains(p))
                    .ok_or_else(|| {
                        format!("measure `{name}` has no `agg_params.percentile` between 0 and 1")
                    })?;
                ("percentile", Some(expr), Some(p))
            }
            other => {
                return Err(format!(
                    "measure `{name}` aggregates with `{other}`, which lodestar lacks"
                ))
            }
        };
        for f in filters {
            let sql = jinja::translate(f, &mut |r| self.resolve(mi, src, r))?;
            if !sql.is_empty() {
                conds.push(sql);
            }
        }
        let filter = match conds.len() {
            0 => None,
            1 => conds.pop(),
            _ => Some(
                conds
                    .iter()
                    .map(|c| format!("({c})"))
                    .collect::<Vec<_>>()
                    .join(" and "),
            ),
        };
        Ok(Measure {
            source: self.sources[src].name.clone(),
            agg,
            expr,
            p,
            filter,
            window: None,
            to_date: None,
            cumulative: false,
        })
    }

    /// The SQL a template stands for in a filter on a measure of model `mi`, read from source
    /// `src`.
    fn resolve(&mut self, mi: usize, src: usize, r: &Ref) -> Result<String, String> {
        match r {
            Ref::Entity { name } => {
                let model = &self.mf.semantic_models[mi];
                model
                    .entities
                    .iter()
                    .find(|e| &e.name == name)
                    .map(|e| e.expr.as_ref().map_or(e.name.clone(), |x| paren(&x.0)))
                    .ok_or_else(|| {
                        format!(
                            "the filter names entity `{name}`, which semantic model `{}` does not \
                             have",
                            model.name
                        )
                    })
            }
            Ref::Dimension { name, grain } | Ref::TimeDimension { name, grain } => {
                let sql = self.dimension(mi, src, name)?;
                match grain.as_deref() {
                    None => Ok(sql),
                    Some(g @ ("day" | "week" | "month" | "quarter" | "year")) => {
                        Ok(format!("date_trunc('{g}', {sql})"))
                    }
                    Some(g) => Err(format!(
                        "the filter truncates `{name}` to `{g}`, which is none of day, week, \
                         month, quarter and year"
                    )),
                }
            }
        }
    }

    /// A dimension named `entity__dim` (or `metric_time`) as SQL over source `src`, joining the
    /// model that holds it when it is not the measure's own.
    fn dimension(&mut self, mi: usize, src: usize, name: &str) -> Result<String, String> {
        if name == "metric_time" {
            return Ok(self.sources[src].time.clone());
        }
        let mf = self.mf;
        let model = &mf.semantic_models[mi];
        let parts: Vec<&str> = name.split("__").collect();
        let unreachable = |why: String| {
            format!(
                "the filter's dimension `{name}` cannot be reached from semantic model `{}`: {why}",
                model.name
            )
        };
        match parts.as_slice() {
            [dim] => local_dimension(model, dim).ok_or_else(|| {
                unreachable(
                    "it names no entity (`entity__dimension`) and the model has no such \
                     dimension"
                        .to_owned(),
                )
            }),
            [entity, dim] => {
                let own = model.entities.iter().find(|e| e.name == *entity);
                let keyed_here = match own {
                    Some(e) => is_key(&e.kind),
                    None => model.primary_entity.as_deref() == Some(entity),
                };
                if keyed_here {
                    if let Some(sql) = local_dimension(model, dim) {
                        return Ok(sql);
                    }
                }
                let Some(own) = own else {
                    return Err(unreachable(format!("it has no entity `{entity}`")));
                };
                let fact_key = own
                    .expr
                    .as_ref()
                    .map_or(own.name.clone(), |x| x.0.trim().to_owned());
                let found = mf.semantic_models.iter().enumerate().find_map(|(j, m)| {
                    if j == mi {
                        return None;
                    }
                    let e = m
                        .entities
                        .iter()
                        .find(|e| e.name == *entity && is_key(&e.kind))?;
                    let d = m.dimensions.iter().find(|d| d.name == *dim)?;
                    Some((j, m, e, d))
                });
                let Some((j, m, e, d)) = found else {
                    return Err(unreachable(format!(
                        "no semantic model keyed by `{entity}` has a dimension `{dim}`"
                    )));
                };
                if e.kind.eq_ignore_ascii_case("natural")
                    || d.type_params
                        .as_ref()
                        .is_some_and(|p| p.validity_params.is_some())
                {
                    return Err(unreachable(format!(
                        "`{}` is a slowly changing dimension (a natural key with validity \
                         windows), whose joins lodestar does not carry over",
                        m.name
                    )));
                }
                let dim_table = relation(m)?;
                let dim_key = e
                    .expr
                    .as_ref()
                    .map_or(e.name.clone(), |x| x.0.trim().to_owned());
                let dim_expr = d
                    .expr
                    .as_ref()
                    .map_or(d.name.clone(), |x| x.0.trim().to_owned());
                let alias = format!("{entity}__{dim}");
                let source = &mut self.sources[src];
                let join = match source
                    .joins
                    .iter()
                    .position(|x| x.model == j && x.fact_key == fact_key)
                {
                    Some(i) => &mut source.joins[i],
                    None => {
                        source.joins.push(Join {
                            model: j,
                            fact_key,
                            dim_key,
                            dim_table,
                            columns: Vec::new(),
                        });
                        source.joins.last_mut().expect("pushed")
                    }
                };
                if !join.columns.iter().any(|(c, _)| c == &alias) {
                    join.columns.push((alias.clone(), dim_expr));
                }
                Ok(alias)
            }
            _ => Err(unreachable(format!(
                "it is reached through {} joins; lodestar imports one join, from a measure's \
                 semantic model to the model keyed by the entity",
                parts.len() - 1
            ))),
        }
    }

    /// The source for measure `xi` of model `mi`: the model by the measure's time dimension.
    fn source_for(&mut self, mi: usize, xi: usize) -> Result<usize, String> {
        let model = &self.mf.semantic_models[mi];
        let meas = &model.measures[xi];
        let default = model
            .defaults
            .as_ref()
            .and_then(|d| d.agg_time_dimension.clone());
        let Some(time) = meas.agg_time_dimension.clone().or(default.clone()) else {
            return Err(format!(
                "measure `{}` has no `agg_time_dimension` (neither its own nor its semantic \
                 model's `defaults`)",
                meas.name
            ));
        };
        if let Some(&i) = self.source_index.get(&(mi, time.clone())) {
            return Ok(i);
        }
        // A source restored from the semantic model's meta is the model by its default time.
        if Some(&time) == default.as_ref() {
            if let Some(&i) = self.restored.get(&mi) {
                self.source_index.insert((mi, time), i);
                return Ok(i);
            }
        }
        let dim = model
            .dimensions
            .iter()
            .find(|d| d.name == time && d.kind.eq_ignore_ascii_case("time"))
            .ok_or_else(|| {
                format!(
                    "measure `{}`'s agg_time_dimension `{time}` is not a time dimension of \
                     semantic model `{}`",
                    meas.name, model.name
                )
            })?;
        if let Some(g) = dim
            .type_params
            .as_ref()
            .and_then(|p| p.time_granularity.as_deref())
            .and_then(|g| Grain::parse(&g.to_ascii_lowercase()))
        {
            if g > self.grain {
                return Err(format!(
                    "its time dimension `{time}` has granularity `{}`, coarser than the import's \
                     grain `{}` (choose another with --grain)",
                    g.as_str(),
                    self.grain.as_str()
                ));
            }
        }
        let table = relation(model)?;
        let raw = if Some(&time) == default.as_ref() {
            model.name.clone()
        } else {
            format!("{}_by_{time}", model.name)
        };
        let (name, _) = super::lodestar_name(&raw);
        let mut name = name;
        let mut n = 2;
        while self.sources.iter().any(|s| s.name == name) {
            name = format!("{}_{n}", super::lodestar_name(&raw).0);
            n += 1;
        }
        let expr = dim
            .expr
            .as_ref()
            .map_or(dim.name.clone(), |e| e.0.trim().to_owned());
        let (time_col, computed) = if is_ident(&expr) {
            (expr, Vec::new())
        } else {
            (
                "metric_time".to_owned(),
                vec![("metric_time".to_owned(), expr)],
            )
        };
        let dimensions = model
            .dimensions
            .iter()
            .filter(|d| d.kind.eq_ignore_ascii_case("categorical"))
            .map(|d| {
                (
                    super::lodestar_name(&d.name).0,
                    d.expr
                        .as_ref()
                        .map_or(d.name.clone(), |e| e.0.trim().to_owned()),
                )
            })
            .collect();
        self.sources.push(Source {
            sql_text: None,
            columns: None,
            from_meta: false,
            name,
            description: model
                .description
                .clone()
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty()),
            table,
            time: time_col,
            computed,
            joins: Vec::new(),
            dimensions,
        });
        self.source_index.insert((mi, time), self.sources.len() - 1);
        Ok(self.sources.len() - 1)
    }
}

/// What building a metric gives besides its name.
struct Built {
    kind: Kind,
    deps: Vec<String>,
    comments: Vec<String>,
}

impl Built {
    fn new(kind: Kind) -> Built {
        Built {
            kind,
            deps: Vec::new(),
            comments: Vec::new(),
        }
    }

    fn with_comments(mut self, comments: Vec<String>) -> Built {
        self.comments = comments;
        self
    }
}

fn uses(input: &str, why: &str) -> String {
    if why.starts_with("it uses") {
        why.to_owned()
    } else {
        format!("it uses `{input}`, which was not carried over: {why}")
    }
}

fn is_key(kind: &str) -> bool {
    matches!(
        kind.to_ascii_lowercase().as_str(),
        "primary" | "unique" | "natural"
    )
}

/// A dimension of the model itself, as SQL over its columns.
fn local_dimension(model: &SemanticModel, dim: &str) -> Option<String> {
    model.dimensions.iter().find(|d| d.name == dim).map(|d| {
        d.expr
            .as_ref()
            .map_or(d.name.clone(), |e| paren(e.0.trim()))
    })
}

/// The relation a semantic model reads: `node_relation` (`schema.alias`) or dbt's
/// `ref('name')`.
fn relation(model: &SemanticModel) -> Result<String, String> {
    let name = if let Some(r) = &model.node_relation {
        match &r.schema_name {
            Some(s) if !s.is_empty() => format!("{s}.{}", r.alias),
            _ => r.alias.clone(),
        }
    } else if let Some(m) = &model.model {
        let inner = m
            .trim()
            .strip_prefix("ref(")
            .and_then(|s| s.strip_suffix(')'))
            .ok_or_else(|| {
                format!(
                    "semantic model `{}` reads `{m}`, not a `ref('...')` lodestar can follow",
                    model.name
                )
            })?;
        let last = inner.rsplit(',').next().unwrap_or(inner).trim();
        let last = last.split('=').next_back().unwrap_or(last).trim();
        last.trim_matches(|c| c == '\'' || c == '"').to_owned()
    } else {
        return Err(format!(
            "semantic model `{}` has neither `model: ref(...)` nor `node_relation`",
            model.name
        ));
    };
    if name.split('.').all(is_ident) {
        Ok(name)
    } else {
        Err(format!(
            "semantic model `{}` reads `{name}`, which is not a plain relation name",
            model.name
        ))
    }
}

pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_literal(s: &str) -> bool {
    let s = s.trim();
    s == "*" || s.parse::<f64>().is_ok() || s.eq_ignore_ascii_case("true")
}

/// An expression safe to combine: a name or number as is, anything else in parentheses.
fn paren(s: &str) -> String {
    let s = s.trim();
    if is_ident(s) || s.parse::<f64>().is_ok() {
        s.to_owned()
    } else {
        format!("({s})")
    }
}

fn unique(name: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(name) {
        return name.to_owned();
    }
    (2..)
        .map(|n| format!("{name}_{n}"))
        .find(|n| !taken.contains(n))
        .expect("a free name")
}

/// A measure as `lodestar export` writes it in the meta (the spec's keys).
fn meta_measure(v: &Value) -> Result<Measure, String> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    if v.get("having").is_some() {
        return Err("has a `having`, which MetricFlow cannot compute".to_owned());
    }
    let agg = text("agg").unwrap_or_default();
    let agg = [
        "count",
        "count_distinct",
        "sum",
        "avg",
        "min",
        "max",
        "median",
        "percentile",
    ]
    .into_iter()
    .find(|a| *a == agg)
    .ok_or_else(|| format!("has a measure aggregated by `{agg}`, which lodestar lacks"))?;
    let to_date = match text("to_date") {
        None => None,
        Some(g) => Some(
            ["week", "month", "quarter", "year"]
                .into_iter()
                .find(|x| *x == g)
                .ok_or_else(|| format!("has `to_date: {g}`"))?,
        ),
    };
    Ok(Measure {
        source: text("source").ok_or("has a measure without `source`")?,
        agg,
        expr: text("expr"),
        p: v.get("p").and_then(Value::as_f64),
        filter: text("filter"),
        window: text("window").map(|w| days_text(&w)).transpose()?,
        to_date,
        cumulative: v.get("cumulative").and_then(Value::as_bool) == Some(true),
    })
}

/// `7 days` as 7.
fn days_text(s: &str) -> Result<u32, String> {
    let mut parts = s.split_whitespace();
    match (
        parts.next().map(str::parse::<u32>),
        parts.next(),
        parts.next(),
    ) {
        (Some(Ok(n)), Some("day" | "days"), None) => Ok(n),
        _ => Err(format!("has `{s}`, which is not a number of days")),
    }
}

/// The sources a computation reads directly.
fn kind_sources(kind: &Kind) -> Vec<String> {
    match kind {
        Kind::Measure(m) => vec![m.source.clone()],
        Kind::Ratio(a, b) => [a, b]
            .into_iter()
            .filter_map(|s| match s {
                Side::Measure(m) => Some(m.source.clone()),
                Side::Metric(_) => None,
            })
            .collect(),
        Kind::Conversion { base, event, .. } => vec![base.source.clone(), event.source.clone()],
        Kind::Derived(_) | Kind::Compare { .. } => Vec::new(),
    }
}

/// A window as days.
fn days(w: &Window) -> Result<u32, String> {
    match w.unit.as_str() {
        "day" if w.count > 0 => Ok(w.count),
        "week" if w.count > 0 => Ok(w.count * 7),
        _ => Err(format!(
            "its window `{}` is not a whole number of days (lodestar's windows are in days; a \
             month or year has no fixed length)",
            w.text
        )),
    }
}

/// A derived expression with its inputs' names (or aliases) replaced by the lodestar metrics
/// they stand for, and `NULLIF(x, 0)` replaced by `x` (lodestar's `/` is NULL-safe). Whether
/// a `NULLIF` was dropped is returned too.
fn rewrite(expr: &str, map: &HashMap<String, String>) -> Result<(String, bool), String> {
    let mut out = String::new();
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i = (i + 1).min(chars.len());
            out.extend(&chars[start..i]);
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let call = chars[i..].iter().find(|c| !c.is_whitespace()) == Some(&'(');
            match map.get(&word) {
                Some(name) if !call => out.push_str(name),
                None if !call
                    && !matches!(
                        word.to_ascii_lowercase().as_str(),
                        "null" | "and" | "or" | "not"
                    ) =>
                {
                    return Err(format!(
                        "its expression names `{word}`, which is none of its input metrics"
                    ))
                }
                _ => out.push_str(&word),
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    let mut dropped = false;
    while let Some(plain) = strip_nullif(&out) {
        out = plain;
        dropped = true;
    }
    Ok((
        out.split_whitespace().collect::<Vec<_>>().join(" "),
        dropped,
    ))
}

/// `NULLIF(x, 0)` → `(x)` once, if there is one.
fn strip_nullif(s: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("nullif") {
        let at = from + at;
        from = at + 6;
        if at > 0 && lower[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &s[at + 6..];
        let open = rest.len() - rest.trim_start().len();
        if !rest[open..].starts_with('(') {
            continue;
        }
        let body_start = at + 6 + open + 1;
        let (mut depth, mut comma, mut end) = (0i32, None, None);
        for (k, ch) in s[body_start..].char_indices() {
            match ch {
                '(' => depth += 1,
                ')' if depth == 0 => {
                    end = Some(body_start + k);
                    break;
                }
                ')' => depth -= 1,
                ',' if depth == 0 => comma = Some(body_start + k),
                _ => {}
            }
        }
        let (Some(comma), Some(end)) = (comma, end) else {
            continue;
        };
        if s[comma + 1..end].trim().parse::<f64>() != Ok(0.0) {
            continue;
        }
        let first = s[body_start..comma].trim();
        return Some(format!("{}{}{}", &s[..at], paren(first), &s[end + 1..]));
    }
    None
}

/// A value type for a metric, guessed from its name and kind (MetricFlow has no types), with
/// why. The report lists every guess; `type` only steers the framework's checks (vanity types
/// are refused, a revenue North Star is warned about), never the numbers.
fn guess_type(name: &str, kind: &Kind) -> (&'static str, &'static str) {
    let n = name.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
    if matches!(kind, Kind::Conversion { .. }) {
        return ("conversion", "a conversion metric");
    }
    if has(&["conversion", "convert", "funnel"]) {
        return ("conversion", "the name speaks of conversion");
    }
    if has(&["retention", "retained", "churn", "returning", "repeat"]) {
        return ("retention", "the name speaks of retention");
    }
    if has(&[
        "revenue", "gmv", "sales", "mrr", "arr", "income", "amount", "price", "paid", "payment",
    ]) {
        return ("revenue", "the name speaks of money");
    }
    if has(&[
        "error",
        "fail",
        "refund",
        "cancel",
        "defect",
        "latency",
        "complaint",
        "rating",
        "return_rate",
        "churn",
        "incident",
    ]) {
        return ("quality", "the name speaks of quality");
    }
    if has(&["cost", "per_", "_per", "efficiency", "avg", "average"]) {
        return ("efficiency", "the name speaks of a cost or a rate per unit");
    }
    if has(&[
        "active",
        "engaged",
        "session_length",
        "minutes",
        "time_spent",
    ]) {
        return ("engagement", "the name speaks of activity");
    }
    if has(&[
        "new_",
        "first_",
        "adopt",
        "onboard",
        "customers",
        "users",
        "accounts",
    ]) {
        return ("adoption", "the name speaks of users or customers");
    }
    match kind {
        Kind::Ratio(..) => ("efficiency", "a ratio"),
        Kind::Measure(_) | Kind::Compare { .. } => ("transaction", "a count or sum of events"),
        _ => ("engagement", "the default"),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::{rewrite, strip_nullif};

    #[test]
    fn derived_expressions_name_lodestar_metrics() {
        let map: HashMap<String, String> = [("rev", "revenue"), ("prev", "revenue_1_days_ago")]
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect();
        assert_eq!(
            rewrite("(rev - prev) / NULLIF(prev, 0)", &map).unwrap(),
            (
                "(revenue - revenue_1_days_ago) / revenue_1_days_ago".to_owned(),
                true
            )
        );
        assert_eq!(
            rewrite("rev * 1.5", &map).unwrap(),
            ("revenue * 1.5".to_owned(), false)
        );
        let e = rewrite("rev - other", &map).unwrap_err();
        assert!(e.contains("`other`"), "{e}");
    }

    #[test]
    fn nullif_of_anything_but_zero_stays() {
        assert_eq!(strip_nullif("a / nullif(b, 1)"), None);
        assert_eq!(
            strip_nullif("a / nullif(b + c, 0)").as_deref(),
            Some("a / (b + c)")
        );
    }
}
