//! MetricFlow / dbt semantic-layer YAML into lodestar specs (`lodestar import metricflow`).
//!
//! [`import`] is a pure function: the text of every YAML file in, the spec, `lodestar.toml` and
//! a report out; the CLI reads the directory and writes `--out`. The steps:
//!
//! 1. [`schema`] reads the files into our own structs (files without `semantic_models` or
//!    `metrics` are skipped);
//! 2. [`build`] turns each metric into lodestar metrics and sources, refusing with a reason
//!    what cannot give the same numbers ([`jinja`] reads the filters' templates);
//! 3. [`emit`] writes the spec, which is then checked with lodestar's own pipeline: a metric or
//!    source the checks refuse is dropped (with the checks' words in the report) and the spec
//!    written again, so that what is written lints clean but for the North Star and guardrails
//!    that only the user can choose.
//!
//! A project that `lodestar export --to metricflow` wrote carries lodestar's own facts in
//! `config.meta.lodestar` ([`meta`]): the importer then restores the spec it came from (roles,
//! owners, types, grains, targets, reviews, sources, and each definition while MetricFlow's is
//! still as exported), so the round trip gives an equal model. `--north-star` / `--guardrail`,
//! when given, choose the roles instead.

mod build;
mod emit;
mod jinja;
pub(crate) mod meta;
mod schema;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::diagnostics::{Code, Diagnostic};
use build::{Builder, Kind, Role};

/// The grain every imported metric is reported at. MetricFlow metrics are queried at any grain;
/// a lodestar metric has one. `day` is the default because at it every MetricFlow kind keeps
/// its numbers (a cumulative metric's `period_agg` only matters at coarser grains).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grain {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Grain {
    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::Year => "year",
        }
    }

    pub fn parse(s: &str) -> Option<Grain> {
        [
            Grain::Day,
            Grain::Week,
            Grain::Month,
            Grain::Quarter,
            Grain::Year,
        ]
        .into_iter()
        .find(|g| g.as_str() == s)
    }
}

/// A guardrail chosen on the command line: `METRIC:min=X`, `METRIC:max=Y`, or both
/// (`METRIC:min=X,max=Y`).
#[derive(Clone, Debug, PartialEq)]
pub struct Guardrail {
    pub metric: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// Reads `METRIC:min=X`, `METRIC:max=Y` or `METRIC:min=X,max=Y`; the error says what is wrong.
pub fn parse_guardrail(s: &str) -> Result<Guardrail, String> {
    let shape = "write `METRIC:min=X`, `METRIC:max=Y` or `METRIC:min=X,max=Y`";
    let Some((metric, bounds)) = s.split_once(':') else {
        return Err(format!("`{s}` has no `:` before its bounds; {shape}"));
    };
    let metric = metric.trim();
    if metric.is_empty() {
        return Err(format!("`{s}` names no metric; {shape}"));
    }
    let (mut min, mut max) = (None, None);
    for part in bounds.split(',') {
        let Some((key, value)) = part.split_once('=') else {
            return Err(format!(
                "`{part}` in `{s}` is not `min=X` or `max=Y`; {shape}"
            ));
        };
        let v: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| format!("`{}` in `{s}` is not a number", value.trim()))?;
        let slot = match key.trim() {
            "min" => &mut min,
            "max" => &mut max,
            other => {
                return Err(format!(
                    "`{other}` in `{s}` is neither `min` nor `max`; {shape}"
                ))
            }
        };
        if slot.replace(v).is_some() {
            return Err(format!("`{s}` gives `{}` twice", key.trim()));
        }
    }
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            return Err(format!("`{s}`: min {lo} is above max {hi}"));
        }
    }
    Ok(Guardrail {
        metric: metric.to_owned(),
        min,
        max,
    })
}

/// What the import is asked to do.
#[derive(Clone, Debug)]
pub struct Options {
    /// The product's name as found (a dbt project's name, a directory's); made snake_case.
    pub product: String,
    pub north_star: Option<String>,
    pub guardrails: Vec<Guardrail>,
    pub grain: Grain,
    /// Today, for the checks (review schedules); passed in, as everywhere in the library.
    pub today: NaiveDate,
}

/// Why nothing could be imported (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("no MetricFlow definitions (`semantic_models:` or `metrics:`) in any YAML file")]
    Empty,
    #[error("{flag} {name}: no MetricFlow metric is named `{name}`{hint}")]
    UnknownMetric {
        flag: &'static str,
        name: String,
        hint: String,
    },
    #[error("{flag} {name}: {why}")]
    Choice {
        flag: &'static str,
        name: String,
        why: String,
    },
}

impl ImportError {
    /// What to do about it.
    pub fn help(&self) -> &'static str {
        match self {
            ImportError::Invalid { .. } => {
                "fix the file (MetricFlow reads the same YAML), or move it out of the directory"
            }
            ImportError::Empty => {
                "point at the directory holding the semantic models (a dbt project's `models/`)"
            }
            ImportError::UnknownMetric { .. } => {
                "name a metric under `metrics:` (or a measure with `create_metric: true`)"
            }
            ImportError::Choice { .. } => {
                "choose another metric, or import without it and read IMPORT.md"
            }
        }
    }
}

/// How a note bears on the numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoteKind {
    /// Not in the spec.
    NotCarried,
    /// In the spec, with numbers that may differ from MetricFlow's.
    Differs,
    /// In the spec under another name.
    Renamed,
    /// In the spec with the same numbers; worth knowing.
    Info,
}

/// One line of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// What it is about: "metric `x`", "source `y`", "saved query `z`".
    pub subject: String,
    pub kind: NoteKind,
    pub text: String,
}

impl Note {
    pub fn new(subject: String, kind: NoteKind, text: String) -> Note {
        Note {
            subject,
            kind,
            text,
        }
    }
}

/// The result of an import.
#[derive(Debug)]
pub struct Import {
    pub product: String,
    /// The spec, canonical YAML.
    pub spec: String,
    pub config: String,
    /// IMPORT.md.
    pub report: String,
    /// A few lines for stderr.
    pub summary: String,
    pub notes: Vec<Note>,
    /// MetricFlow metrics carried over, and all MetricFlow metrics.
    pub carried: usize,
    pub total: usize,
    /// Helper metrics made (filtered inputs, offsets).
    pub helpers: usize,
}

/// Imports MetricFlow YAML files (path, text), sorted by path by the caller.
pub fn import(files: &[(String, String)], options: &Options) -> Result<Import, ImportError> {
    let mut manifest = schema::Manifest::default();
    for (path, text) in files {
        schema::read_file(path, text, &mut manifest)?;
    }
    if manifest.semantic_models.is_empty() && manifest.metrics.is_empty() {
        return Err(ImportError::Empty);
    }
    let product = lodestar_name(&options.product).0;
    let product = if product == "metric" {
        "imported".to_owned()
    } else {
        product
    };
    let mut builder = Builder::new(&manifest, options.grain);
    let all = builder.metric_names();
    // The choices name MetricFlow metrics (or their lodestar names).
    let find = |flag: &'static str, name: &str| -> Result<String, ImportError> {
        if all.iter().any(|m| m == name) {
            return Ok(name.to_owned());
        }
        if let Some((mf, _)) = builder.names.iter().find(|(_, l)| *l == name) {
            return Ok(mf.clone());
        }
        let close = all
            .iter()
            .filter(|m| strsim::jaro_winkler(m, name) > 0.8)
            .max_by(|a, b| strsim::jaro_winkler(a, name).total_cmp(&strsim::jaro_winkler(b, name)));
        Err(ImportError::UnknownMetric {
            flag,
            name: name.to_owned(),
            hint: close.map_or_else(String::new, |c| format!("; did you mean `{c}`?")),
        })
    };
    let north_star = options
        .north_star
        .as_deref()
        .map(|n| find("--north-star", n))
        .transpose()?;
    let mut guardrails = Vec::new();
    let mut seen = HashSet::new();
    for g in &options.guardrails {
        let mf = find("--guardrail", &g.metric)?;
        if north_star.as_ref() == Some(&mf) {
            return Err(ImportError::Choice {
                flag: "--guardrail",
                name: g.metric.clone(),
                why: "it is the North Star too; a metric has one role".to_owned(),
            });
        }
        if !seen.insert(mf.clone()) {
            return Err(ImportError::Choice {
                flag: "--guardrail",
                name: g.metric.clone(),
                why: "it is given twice".to_owned(),
            });
        }
        guardrails.push((mf, g.min, g.max));
    }
    builder.build_all();
    let mut notes = std::mem::take(&mut builder.notes);
    let mut metrics = std::mem::take(&mut builder.metrics);
    let mut sources = std::mem::take(&mut builder.sources);
    let names = builder.names.clone();
    for name in &manifest.saved_queries {
        notes.push(Note::new(
            format!("saved query `{name}`"),
            NoteKind::NotCarried,
            "lodestar has no stored queries: `lodestar run --from --to --by` asks the same \
             questions"
                .to_owned(),
        ));
    }
    // The chosen roles, on the metrics that carry the chosen MetricFlow metrics.
    let role_of = |mf: &str| -> Option<Role> {
        if north_star.as_deref() == Some(mf) {
            return Some(Role::NorthStar);
        }
        guardrails
            .iter()
            .find(|(g, _, _)| g == mf)
            .map(|(_, min, max)| Role::Guardrail {
                min: *min,
                max: *max,
            })
    };
    // Without flags, the roles `lodestar export` wrote in `config.meta.lodestar`.
    let flags = north_star.is_some() || !guardrails.is_empty();
    let meta_role = |mf: &str| -> Option<Role> {
        builder.metas.get(mf)?.role.as_ref().map(|r| match r {
            meta::MetaRole::NorthStar => Role::NorthStar,
            meta::MetaRole::Input => Role::Input,
            meta::MetaRole::Guardrail { min, max } => Role::Guardrail {
                min: *min,
                max: *max,
            },
            meta::MetaRole::Outcome => Role::Outcome,
        })
    };
    let mut ignored_roles = false;
    for m in &mut metrics {
        let Some(origin) = m.origin.as_deref() else {
            continue;
        };
        if flags {
            ignored_roles |= meta_role(origin).is_some_and(|r| r != Role::Input);
            if let Some(role) = role_of(origin) {
                m.role = role;
            }
        } else if let Some(role) = meta_role(origin) {
            m.role = role;
        }
    }
    if ignored_roles {
        notes.push(Note::new(
            "roles".to_owned(),
            NoteKind::Info,
            "the North Star and guardrails are those --north-star and --guardrail chose; the \
             roles in `config.meta.lodestar` were not used"
                .to_owned(),
        ));
    }
    // A project `lodestar export` wrote lists its metrics in the spec's order (roles aside):
    // restored, they keep it, dependencies built first or not. A helper keeps its place
    // before the metric it was made for.
    if !builder.metas.is_empty() {
        let order: Vec<String> = builder.metric_names();
        let mut keys = vec![usize::MAX; metrics.len()];
        let mut next = usize::MAX;
        for (i, m) in metrics.iter().enumerate().rev() {
            if let Some(o) = &m.origin {
                next = order.iter().position(|n| n == o).unwrap_or(usize::MAX);
            }
            keys[i] = next;
        }
        let mut keyed: Vec<(usize, build::Metric)> = keys.into_iter().zip(metrics).collect();
        keyed.sort_by_key(|(k, _)| *k);
        metrics = keyed.into_iter().map(|(_, m)| m).collect();
    }
    let chosen = Chosen {
        north_star: metrics.iter().any(|m| m.role == Role::NorthStar),
        guardrails: metrics
            .iter()
            .any(|m| matches!(m.role, Role::Guardrail { .. })),
    };
    let model_meta = builder.model_metas.iter().flatten();
    let description = model_meta
        .clone()
        .find_map(|m| m.product_description.clone());
    let game = model_meta.clone().find_map(|m| m.game.clone());
    let mut owners: Vec<meta::OwnerMeta> = Vec::new();
    for o in model_meta.flat_map(|m| m.owners.iter()) {
        if !owners.iter().any(|x| x.key == o.key) {
            owners.push(o.clone());
        }
    }
    let head = emit::Head {
        product: &product,
        grain: options.grain,
        files: &manifest.files,
        chosen,
        description: description.as_deref(),
        game: game.as_deref(),
        owners: &owners,
        restored: !builder.metas.is_empty(),
        flags,
    };
    // Checked with lodestar's own pipeline; what it refuses is dropped, until it is clean.
    let mut spec;
    loop {
        spec = emit::spec(&head, &sources, &metrics);
        let errors = check(&product, &spec, chosen, options.today);
        if errors.is_empty() {
            break;
        }
        let mut progress = false;
        for d in &errors {
            let at = d.primary_span().map_or(0, |s| s.start as usize);
            let why = match &d.help {
                Some(h) => format!(
                    "lodestar refuses it: {} [{}] ({h})",
                    d.message,
                    d.code.as_str()
                ),
                None => format!("lodestar refuses it: {} [{}]", d.message, d.code.as_str()),
            };
            match emit::locate(&spec, at) {
                emit::Place::Metric(name) => {
                    progress |= drop_metric(&mut metrics, &name, &why, &mut notes);
                }
                emit::Place::SourceDimensions(name) => {
                    if let Some(s) = sources.iter_mut().find(|s| s.name == name) {
                        if !s.dimensions.is_empty() {
                            s.dimensions.clear();
                            progress = true;
                            notes.push(Note::new(
                                format!("source `{name}`"),
                                NoteKind::NotCarried,
                                format!("its dimensions (for `--by`) were dropped: {why}"),
                            ));
                        }
                    }
                }
                emit::Place::Source(name) => {
                    if let Some(i) = sources.iter().position(|s| s.name == name) {
                        sources.remove(i);
                        progress = true;
                        notes.push(Note::new(
                            format!("source `{name}`"),
                            NoteKind::NotCarried,
                            why.clone(),
                        ));
                        let users: Vec<String> = metrics
                            .iter()
                            .filter(|m| reads(&m.kind, &name))
                            .map(|m| m.name.clone())
                            .collect();
                        for u in users {
                            drop_metric(
                                &mut metrics,
                                &u,
                                &format!("it reads source `{name}`, which was not carried over"),
                                &mut notes,
                            );
                        }
                    }
                }
                emit::Place::Other => {}
            }
        }
        if !progress {
            for d in errors {
                notes.push(Note::new(
                    "the spec".to_owned(),
                    NoteKind::Differs,
                    format!("still has an error: {} [{}]", d.message, d.code.as_str()),
                ));
            }
            break;
        }
    }
    // The chosen metrics must be there: else the spec would not lint clean as promised.
    let check_choice = |flag: &'static str, mf: &str| -> Result<(), ImportError> {
        let name = &names[mf];
        if metrics
            .iter()
            .any(|m| &m.name == name && m.origin.is_some())
        {
            return Ok(());
        }
        let why = notes
            .iter()
            .rev()
            .find(|n| n.kind == NoteKind::NotCarried && n.subject == format!("metric `{mf}`"))
            .map_or_else(|| "it was not carried over".to_owned(), |n| n.text.clone());
        Err(ImportError::Choice {
            flag,
            name: mf.to_owned(),
            why: format!("it cannot be carried over: {why}"),
        })
    };
    if let Some(ns) = &north_star {
        check_choice("--north-star", ns)?;
    }
    for (g, _, _) in &guardrails {
        check_choice("--guardrail", g)?;
    }
    let carried = metrics.iter().filter(|m| m.origin.is_some()).count();
    let helpers = metrics.len() - carried;
    let total = all.len();
    notes.sort_by_key(|n| n.kind);
    let report = emit::report(&head, &metrics, &notes, carried, total, helpers);
    let summary = emit::summary(&product, &notes, carried, total, helpers, chosen);
    Ok(Import {
        product,
        spec,
        config: emit::CONFIG.to_owned(),
        report,
        summary,
        notes,
        carried,
        total,
        helpers,
    })
}

/// Whether the North Star and guardrails were chosen (else LS001 / LS002 are expected).
#[derive(Clone, Copy, Debug)]
pub struct Chosen {
    pub north_star: bool,
    pub guardrails: bool,
}

/// The errors lodestar's checks find in the spec, but LS001 / LS002 where the choice is left
/// to the user.
fn check(product: &str, spec: &str, chosen: Chosen, today: NaiveDate) -> Vec<Diagnostic> {
    let path = format!("{product}.yaml");
    let ws = crate::project::in_memory(&[
        (crate::project::CONFIG_FILE, emit::CONFIG),
        (path.as_str(), spec),
    ]);
    let analysis = crate::project::analyze(&ws, today);
    analysis
        .diagnostics
        .into_iter()
        .filter(|d| d.is_error())
        .filter(|d| d.code != Code::OneNorthStar || chosen.north_star)
        .filter(|d| d.code != Code::GuardrailRequired || chosen.guardrails)
        .collect()
}

/// Whether a metric reads a source directly.
fn reads(kind: &Kind, source: &str) -> bool {
    match kind {
        Kind::Measure(m) => m.source == source,
        Kind::Ratio(a, b) => [a, b]
            .iter()
            .any(|s| matches!(s, build::Side::Measure(m) if m.source == source)),
        Kind::Conversion { base, event, .. } => base.source == source || event.source == source,
        Kind::Derived(_) | Kind::Compare { .. } => false,
    }
}

/// Drops a metric and, transitively, every metric that reads it; each gets a note.
fn drop_metric(
    metrics: &mut Vec<build::Metric>,
    name: &str,
    why: &str,
    notes: &mut Vec<Note>,
) -> bool {
    let Some(i) = metrics.iter().position(|m| m.name == name) else {
        return false;
    };
    let m = metrics.remove(i);
    let subject = m.origin.as_deref().unwrap_or(&m.name);
    notes.push(Note::new(
        format!("metric `{subject}`"),
        NoteKind::NotCarried,
        why.to_owned(),
    ));
    let users: Vec<String> = metrics
        .iter()
        .filter(|x| x.deps.iter().any(|d| d == name))
        .map(|x| x.name.clone())
        .collect();
    for u in users {
        drop_metric(
            metrics,
            &u,
            &format!("it uses `{name}`, which was not carried over"),
            notes,
        );
    }
    true
}

/// A lodestar name for a MetricFlow name: snake_case (`[a-z_][a-z0-9_]*`), not a name the
/// compiled SQL uses for itself (LS907), at most 63 bytes (PostgreSQL's identifier limit, the
/// shortest of the dialects). Returns why it changed, when it did.
pub fn lodestar_name(raw: &str) -> (String, Option<&'static str>) {
    let mut name = String::new();
    for c in raw.trim().chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('_') {
            name.push('_');
        }
    }
    let mut why = (name != raw).then_some("lodestar names are snake_case");
    let mut name = name.trim_matches('_').to_owned();
    if name.is_empty() {
        return ("metric".to_owned(), Some("the name was empty"));
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("m_{name}");
        why = Some("lodestar names start with a letter");
    }
    let lower = name.as_str();
    if crate::sql::RESERVED_NAMES.iter().any(|(n, _)| *n == lower)
        || lower.starts_with(crate::sql::INTERNAL_PREFIX)
        || [
            "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7",
            "com8", "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
        ]
        .contains(&lower)
    {
        name = format!("mf_{name}");
        why = Some("the compiled SQL uses the name for itself (LS907)");
    }
    if name.len() > 63 {
        name.truncate(60);
        name = name.trim_end_matches('_').to_owned();
        why = Some("names are at most 63 bytes (PostgreSQL's limit)");
    }
    (name, why)
}
