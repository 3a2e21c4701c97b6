//! A lodestar project written as another tool's definitions (`lodestar export`).
//!
//! [`export`] is a pure function: a checked project in, the files to write (relative paths and
//! texts), the report (`EXPORT.md`) and a summary out; the CLI writes them under `--out`. Each
//! product is written on its own ([`metricflow`] a directory of MetricFlow YAML per product,
//! [`osi`] one OSI file per product): MetricFlow and OSI have one namespace of metrics, and the
//! products of a project reuse metric names.
//!
//! Whatever a format has no place for is said in the report with the reason, as the importer
//! does, so that nobody mistakes an export for the whole spec.

mod metricflow;
mod osi;
mod yaml;

use crate::interop::metricflow::{Note, NoteKind};
use crate::model::{Metric, Project, Role};

/// The formats `lodestar export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Metricflow,
    Osi,
}

impl Format {
    fn title(self) -> &'static str {
        match self {
            Format::Metricflow => "MetricFlow",
            Format::Osi => "OSI",
        }
    }
}

/// The result of an export.
#[derive(Debug)]
pub struct Export {
    /// Relative `/`-separated paths under `--out` and their texts, `EXPORT.md` last.
    pub files: Vec<(String, String)>,
    /// A few lines for stderr.
    pub summary: String,
    pub notes: Vec<Note>,
    /// Metrics written, and metrics of the project.
    pub carried: usize,
    pub total: usize,
}

/// Exports every product of a checked project (the caller refuses a project with errors).
pub fn export(project: &Project, format: Format) -> Export {
    let mut files = Vec::new();
    let mut notes = Vec::new();
    let mut carried = 0;
    let mut total = 0;
    for product in &project.products {
        total += product.metrics.len();
        let out = match format {
            Format::Metricflow => metricflow::product(project, product),
            Format::Osi => osi::product(project, product),
        };
        carried += out.carried;
        files.extend(out.files);
        // The products of a project reuse metric names: each note names its product.
        notes.extend(out.notes.into_iter().map(|mut n| {
            if !n.subject.starts_with("product ") {
                n.subject = format!("{}: {}", product.name.value, n.subject);
            }
            n
        }));
    }
    if format == Format::Metricflow && !project.owners.is_empty() {
        notes.push(Note::new(
            "owners".to_owned(),
            NoteKind::Info,
            "owners have no MetricFlow key: each metric names its owner's key in \
             `config.meta.lodestar.owner`, and each semantic model's `config.meta.lodestar` \
             keeps the owners' names, emails and Slack channels (lodestar import restores them)"
                .to_owned(),
        ));
    }
    notes.sort_by_key(|n| n.kind);
    let report = report(format, &files, &notes, carried, total);
    let summary = summary(format, &notes, carried, total, project.products.len());
    files.push(("EXPORT.md".to_owned(), report));
    Export {
        files,
        summary,
        notes,
        carried,
        total,
    }
}

/// What an exporter gives for one product.
struct ProductOut {
    files: Vec<(String, String)>,
    notes: Vec<Note>,
    carried: usize,
}

/// The role's name as the meta and extensions write it.
/// The owners the product's metrics name, each with its name, email and Slack channel: what
/// both formats keep in lodestar's own metadata, since neither has owners.
fn owners(project: &Project, product: &crate::model::Product) -> yaml::Y {
    use yaml::Y;
    let named = |key: &str| {
        product
            .metrics
            .iter()
            .any(|m| m.owner.as_ref().is_some_and(|k| k.value == key))
    };
    Y::Map(
        project
            .owners
            .iter()
            .filter(|o| named(&o.key.value))
            .map(|o| {
                let mut v = Vec::new();
                for (k, x) in [("name", &o.name), ("email", &o.email), ("slack", &o.slack)] {
                    if let Some(x) = x {
                        v.push((k.to_owned(), Y::str(&x.value)));
                    }
                }
                (o.key.value.clone(), Y::Map(v))
            })
            .collect(),
    )
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::NorthStar => "north_star",
        Role::Input => "input",
        Role::Guardrail => "guardrail",
        Role::Outcome => "outcome",
    }
}

/// What the framework knows of a metric and no other tool has a key for: its role, owner,
/// type, grain, threshold, targets and review. Both formats carry it as lodestar's own
/// metadata (MetricFlow's `config.meta.lodestar`, OSI's `custom_extensions`), so that nothing
/// is lost and a reader can restore it.
fn framework(m: &Metric) -> yaml::Y {
    use yaml::Y;
    let mut out = vec![("role".to_owned(), Y::str(role_name(m.role)))];
    if let Some(o) = &m.owner {
        out.push(("owner".to_owned(), Y::str(&o.value)));
    }
    if let Some(t) = &m.metric_type {
        out.push(("type".to_owned(), Y::str(t.value.as_str())));
    }
    out.push(("grain".to_owned(), Y::str(m.grain.value.as_str())));
    if let Some(t) = &m.threshold {
        let mut th = Vec::new();
        if let Some(v) = &t.min {
            th.push(("min".to_owned(), Y::Num(v.value)));
        }
        if let Some(v) = &t.max {
            th.push(("max".to_owned(), Y::Num(v.value)));
        }
        out.push(("threshold".to_owned(), Y::Map(th)));
    }
    if !m.targets.is_empty() {
        out.push((
            "targets".to_owned(),
            Y::List(
                m.targets
                    .iter()
                    .map(|t| {
                        Y::Map(vec![
                            ("by".to_owned(), Y::str(&t.by.value.to_string())),
                            ("value".to_owned(), Y::Num(t.value.value)),
                        ])
                    })
                    .collect(),
            ),
        ));
    }
    if let Some(r) = &m.review {
        let mut rv = Vec::new();
        if let Some(c) = &r.cadence {
            rv.push(("cadence".to_owned(), Y::str(c.value.as_str())));
        }
        if let Some(d) = &r.last_reviewed {
            rv.push(("last_reviewed".to_owned(), Y::str(&d.value.to_string())));
        }
        out.push(("review".to_owned(), Y::Map(rv)));
    }
    Y::Map(out)
}

/// Notes every product gets whatever the format: what the framework keeps that the format
/// only holds as lodestar's own metadata, and what it does not hold at all.
fn common_notes(product: &crate::model::Product, notes: &mut Vec<Note>) {
    let subject = format!("product `{}`", product.name.value);
    if product.game.is_some() {
        notes.push(Note::new(
            subject.clone(),
            NoteKind::Info,
            "its `game` has no place in the format: it is kept in lodestar's own metadata \
             (`config.meta.lodestar` of the semantic models, `custom_extensions` in OSI)"
                .to_owned(),
        ));
    }
    for m in &product.metrics {
        if !m.allow.is_empty() {
            notes.push(Note::new(
                format!("metric `{}`", m.name.value),
                NoteKind::NotCarried,
                "its `allow` (silenced lodestar rules) means nothing to other tools".to_owned(),
            ));
        }
    }
}

/// The names of metrics (transitively) computed from `dropped`, in product order.
fn dependents(product: &crate::model::Product, dropped: &[String]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    loop {
        let before = out.len();
        for m in &product.metrics {
            if dropped.contains(&m.name.value) || out.iter().any(|(n, _)| n == &m.name.value) {
                continue;
            }
            let Some(c) = &m.compute else { continue };
            if let Some(r) = c
                .metric_refs()
                .into_iter()
                .find(|r| dropped.contains(&r.value) || out.iter().any(|(n, _)| n == &r.value))
            {
                out.push((m.name.value.clone(), r.value.clone()));
            }
        }
        if out.len() == before {
            return out;
        }
    }
}

fn report(
    format: Format,
    files: &[(String, String)],
    notes: &[Note],
    carried: usize,
    total: usize,
) -> String {
    let mut r = String::new();
    r.push_str(&format!("# Export to {}\n\n", format.title()));
    r.push_str(&format!(
        "Written by `lodestar export --to {}`: {carried} of {total} metrics.\n\n",
        match format {
            Format::Metricflow => "metricflow",
            Format::Osi => "osi",
        }
    ));
    match format {
        Format::Metricflow => r.push_str(
            "Each product is a directory of MetricFlow's own YAML (documents `semantic_model:`, \
             `metric:` and `project_configuration:`), which MetricFlow's parser and validator \
             read as they are. A source is a semantic model whose `node_relation` names its \
             table; a `sql` source is a dbt model (`models/<source>.sql`) that must be built \
             as a relation of that name before MetricFlow can read it. The North Star, \
             guardrails, owners, types, thresholds and targets are in each metric's \
             `config.meta.lodestar`. MetricFlow needs a time spine: `project_configuration.yaml` \
             names dbt's conventional `metricflow_time_spine` (column `date_day`).\n\n",
        ),
        Format::Osi => r.push_str(
            "One OSI (Open Semantic Interchange, core spec v0.1.1) file per product: a semantic \
             model whose datasets are the sources and whose metrics are ANSI SQL aggregates over \
             the datasets' fields. What OSI's core has no key for (the North Star, guardrails, \
             owners, types, grains, thresholds, targets, and the time semantics of windows, \
             comparisons and conversions) is in `custom_extensions` with `vendor_name: \
             lodestar`, whose `data` is a JSON object.\n\n",
        ),
    }
    r.push_str("## Files\n\n");
    for (path, _) in files {
        r.push_str(&format!("- `{path}`\n"));
    }
    for (kind, title) in [
        (NoteKind::NotCarried, "Not carried over"),
        (NoteKind::Differs, "Carried over with a difference"),
        (NoteKind::Renamed, "Renamed"),
        (NoteKind::Info, "Worth knowing"),
    ] {
        let these: Vec<&Note> = notes.iter().filter(|n| n.kind == kind).collect();
        if these.is_empty() {
            continue;
        }
        r.push_str(&format!(
            "\n## {title} ({})\n\n| what | why |\n|---|---|\n",
            these.len()
        ));
        for n in these {
            r.push_str(&format!(
                "| {} | {} |\n",
                n.subject.replace('|', "\\|"),
                n.text.replace('|', "\\|").replace('\n', " ")
            ));
        }
    }
    r
}

fn summary(
    format: Format,
    notes: &[Note],
    carried: usize,
    total: usize,
    products: usize,
) -> String {
    let mut s = format!(
        "exported {carried} of {total} metrics of {products} product(s) to {}\n",
        format.title()
    );
    let not: Vec<&Note> = notes
        .iter()
        .filter(|n| n.kind == NoteKind::NotCarried)
        .collect();
    if !not.is_empty() {
        s.push_str(&format!("not carried over ({}):\n", not.len()));
        for n in not {
            s.push_str(&format!("  {}: {}\n", n.subject, n.text));
        }
    }
    let differs = notes.iter().filter(|n| n.kind == NoteKind::Differs).count();
    if differs > 0 {
        s.push_str(&format!(
            "{differs} difference(s) and the rest of the details: see EXPORT.md\n"
        ));
    } else {
        s.push_str("details: see EXPORT.md\n");
    }
    s
}

#[cfg(test)]
mod tests;
