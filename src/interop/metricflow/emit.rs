//! The import's texts: the spec (written with every string JSON-quoted, which is valid YAML,
//! then printed canonically by `format`, comments kept), `lodestar.toml`, the report and the
//! summary; and [`locate`], which finds the metric or source a finding's offset falls in.

use super::build::{ConversionSide, Kind, Measure, Metric, Role, Side, Source};
use super::meta::OwnerMeta;
use super::{Chosen, Grain, Note, NoteKind};
use crate::diagnostics::FileId;
use crate::syntax::{self, Syntax};

/// `lodestar.toml` of an imported project.
pub const CONFIG: &str = r#"# lodestar project configuration, written by `lodestar import metricflow`. Every spec file
# (*.yaml with `lodestar: 1`, *.lode) under this directory belongs to the project.
#
# Rule severities: "error", "warning" or "off". `lodestar rules` lists them,
# `lodestar explain LS105` documents one.
[rules]
# LS105 = "off"
"#;

/// The owner every imported metric gets: MetricFlow has none.
pub const OWNER: &str = "data";

/// What the spec's top says.
pub struct Head<'a> {
    pub product: &'a str,
    pub grain: Grain,
    pub files: &'a [String],
    pub chosen: Chosen,
    /// The product's description and game, and the owners' details, from the semantic
    /// models' `config.meta.lodestar` (a project `lodestar export` wrote).
    pub description: Option<&'a str>,
    pub game: Option<&'a str>,
    pub owners: &'a [OwnerMeta],
    /// Whether metrics carry `config.meta.lodestar` (a project `lodestar export` wrote), and
    /// whether `--north-star` / `--guardrail` chose the roles.
    pub restored: bool,
    pub flags: bool,
}

fn q(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

fn num(v: f64) -> String {
    format!("{v}")
}

/// The spec, canonical YAML.
pub fn spec(head: &Head<'_>, sources: &[Source], metrics: &[Metric]) -> String {
    let mut y = String::new();
    y.push_str(
        "# Imported from MetricFlow by `lodestar import metricflow`. IMPORT.md lists what\n",
    );
    if head.restored {
        y.push_str("# could not be carried over, and why. Roles, owners, types, grains and the\n");
        y.push_str("# definitions `lodestar export` wrote come from `config.meta.lodestar`.\n");
    } else {
        y.push_str(
            "# could not be carried over, and why. Metric types were guessed from names and\n",
        );
        y.push_str("# kinds (MetricFlow has none): check each `type`.\n");
    }
    y.push_str("lodestar: 1\n");
    y.push_str(&format!("product: {}\n", q(head.product)));
    let description = head.description.map_or_else(
        || {
            format!(
                "Metrics imported from MetricFlow ({} file{}).",
                head.files.len(),
                if head.files.len() == 1 { "" } else { "s" }
            )
        },
        str::to_owned,
    );
    y.push_str(&format!("description: {}\n", q(&description)));
    if let Some(g) = head.game {
        y.push_str(&format!("game: {}\n", q(g)));
    }
    // The owners the metrics name: those the meta describes, `data` for the rest.
    let mut keys: Vec<&str> = Vec::new();
    for m in metrics {
        let k = m.owner.as_deref().unwrap_or(OWNER);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    if keys.iter().all(|k| *k == OWNER) {
        y.push_str(
            "# MetricFlow has no owners: every metric is owned by `data`. Assign the real ones.\n",
        );
        y.push_str(&format!("owners:\n  {OWNER}: {{ name: \"Data team\" }}\n"));
    } else {
        y.push_str("owners:\n");
        for k in keys {
            let o = head.owners.iter().find(|o| o.key == k);
            let name = o.and_then(|o| o.name.as_deref()).unwrap_or(match k {
                OWNER => "Data team",
                _ => k,
            });
            y.push_str(&format!("  {}:\n    name: {}\n", q(k), q(name)));
            for (key, v) in [
                ("email", o.and_then(|o| o.email.as_deref())),
                ("slack", o.and_then(|o| o.slack.as_deref())),
            ] {
                if let Some(v) = v {
                    y.push_str(&format!("    {key}: {}\n", q(v)));
                }
            }
        }
    }
    if !sources.is_empty() {
        y.push_str("sources:\n");
    }
    for s in sources {
        y.push_str(&format!("  {}:\n", q(&s.name)));
        if let Some(d) = &s.description {
            y.push_str(&format!("    description: {}\n", q(d)));
        }
        match s.sql() {
            Some(sql) => {
                y.push_str(&format!("    sql: {}\n", q(&sql)));
            }
            None => y.push_str(&format!("    table: {}\n", q(&s.table))),
        }
        y.push_str(&format!("    time: {}\n", q(&s.time)));
        if let Some(cols) = &s.columns {
            if cols.iter().all(|(_, t)| t.is_none()) {
                let names: Vec<String> = cols.iter().map(|(n, _)| q(n)).collect();
                y.push_str(&format!("    columns: [{}]\n", names.join(", ")));
            } else {
                y.push_str("    columns:\n");
                for (n, t) in cols {
                    let t = t.as_deref().map_or_else(|| "null".to_owned(), q);
                    y.push_str(&format!("      {}: {t}\n", q(n)));
                }
            }
        }
        if !s.dimensions.is_empty() {
            y.push_str("    dimensions:\n");
            for (name, expr) in &s.dimensions {
                y.push_str(&format!("      {}: {}\n", q(name), q(expr)));
            }
        }
    }
    let ns: Vec<&Metric> = metrics
        .iter()
        .filter(|m| m.role == Role::NorthStar)
        .collect();
    let guards: Vec<&Metric> = metrics
        .iter()
        .filter(|m| matches!(m.role, Role::Guardrail { .. }))
        .collect();
    let inputs: Vec<&Metric> = metrics.iter().filter(|m| m.role == Role::Input).collect();
    let outcomes: Vec<&Metric> = metrics.iter().filter(|m| m.role == Role::Outcome).collect();
    for m in &ns {
        y.push_str("north_star:\n");
        metric(&mut y, m, "  ", "  ");
    }
    let mut before_inputs = Vec::new();
    if !head.chosen.north_star {
        before_inputs.push(
            "North Star: MetricFlow has none. Move the metric that best captures the value users \
             get from `inputs` to a `north_star:` key (LS001 until then), or import again with \
             --north-star METRIC.",
        );
    }
    if !head.chosen.guardrails {
        before_inputs.push(
            "Guardrails: MetricFlow has none. Move the metrics that must not degrade to \
             `guardrails:`, each with a `threshold` (LS002 until then), or import again with \
             --guardrail METRIC:min=X.",
        );
    }
    for c in before_inputs {
        for line in wrap(c, 96) {
            y.push_str(&format!("# {line}\n"));
        }
    }
    y.push_str("inputs:");
    if inputs.is_empty() {
        y.push_str(" []\n");
    } else {
        y.push('\n');
    }
    for m in &inputs {
        metric(&mut y, m, "  - ", "    ");
    }
    if !guards.is_empty() {
        y.push_str("guardrails:\n");
        for m in &guards {
            metric(&mut y, m, "  - ", "    ");
        }
    }
    if !outcomes.is_empty() {
        y.push_str("outcomes:\n");
        for m in &outcomes {
            metric(&mut y, m, "  - ", "    ");
        }
    }
    canonical(&y)
}

/// The text printed canonically (as `lodestar fmt` would), comments kept; the text as written
/// when it does not parse (the checks then say why, and the import reports it).
fn canonical(text: &str) -> String {
    let (tree, diagnostics) = syntax::parse(FileId(0), Syntax::Yaml, text);
    match tree {
        Some(tree) if diagnostics.is_empty() => {
            crate::format::print_file(&tree, Syntax::Yaml, text)
        }
        _ => text.to_owned(),
    }
}

fn metric(y: &mut String, m: &Metric, first: &str, rest: &str) {
    let indent = first.len();
    for c in &m.comments {
        for line in wrap(c, 96usize.saturating_sub(indent)) {
            y.push_str(&format!("{}# {line}\n", " ".repeat(indent)));
        }
    }
    y.push_str(&format!("{first}name: {}\n", q(&m.name)));
    if let Some(l) = &m.label {
        y.push_str(&format!("{rest}label: {}\n", q(l)));
    }
    if let Some(d) = &m.description {
        y.push_str(&format!("{rest}description: {}\n", q(d)));
    }
    y.push_str(&format!(
        "{rest}owner: {}\n",
        q(m.owner.as_deref().unwrap_or(OWNER))
    ));
    y.push_str(&format!("{rest}type: {}\n", m.ty));
    if m.grain_written {
        y.push_str(&format!("{rest}grain: {}\n", m.grain.as_str()));
    }
    let deeper = format!("{rest}  ");
    match &m.kind {
        Kind::Measure(x) => {
            y.push_str(&format!("{rest}measure:\n"));
            measure(y, x, &deeper);
        }
        Kind::Ratio(n, d) => {
            y.push_str(&format!("{rest}ratio:\n"));
            for (key, side) in [("numerator", n), ("denominator", d)] {
                match side {
                    Side::Metric(name) => y.push_str(&format!("{deeper}{key}: {}\n", q(name))),
                    Side::Measure(x) => {
                        y.push_str(&format!("{deeper}{key}:\n"));
                        measure(y, x, &format!("{deeper}  "));
                    }
                }
            }
        }
        Kind::Derived(expr) => y.push_str(&format!("{rest}derived: {}\n", q(expr))),
        Kind::Compare {
            metric,
            offset,
            as_,
        } => {
            y.push_str(&format!("{rest}compare:\n"));
            y.push_str(&format!("{deeper}metric: {}\n", q(metric)));
            y.push_str(&format!("{deeper}offset: {offset}\n"));
            y.push_str(&format!("{deeper}as: {as_}\n"));
        }
        Kind::Conversion {
            entity,
            base,
            event,
            within,
            count,
        } => {
            y.push_str(&format!("{rest}conversion:\n"));
            y.push_str(&format!("{deeper}entity: {}\n", q(entity)));
            for (key, side) in [("base", base), ("event", event)] {
                conversion_side(y, key, side, &deeper);
            }
            y.push_str(&format!("{deeper}within: \"{within} days\"\n"));
            y.push_str(&format!(
                "{deeper}as: {}\n",
                if *count { "count" } else { "rate" }
            ));
        }
    }
    if let Role::Guardrail { min, max } = &m.role {
        y.push_str(&format!("{rest}threshold:\n"));
        if let Some(v) = min {
            y.push_str(&format!("{deeper}min: {}\n", num(*v)));
        }
        if let Some(v) = max {
            y.push_str(&format!("{deeper}max: {}\n", num(*v)));
        }
    }
    if !m.targets.is_empty() {
        y.push_str(&format!("{rest}targets:\n"));
        for (by, value) in &m.targets {
            y.push_str(&format!(
                "{deeper}- {{ by: {}, value: {} }}\n",
                q(by),
                num(*value)
            ));
        }
    }
    if let Some((cadence, last)) = &m.review {
        y.push_str(&format!("{rest}review:\n"));
        if let Some(c) = cadence {
            y.push_str(&format!("{deeper}cadence: {c}\n"));
        }
        if let Some(d) = last {
            y.push_str(&format!("{deeper}last_reviewed: {}\n", q(d)));
        }
    }
}

fn conversion_side(y: &mut String, key: &str, side: &ConversionSide, indent: &str) {
    y.push_str(&format!("{indent}{key}:\n"));
    y.push_str(&format!("{indent}  source: {}\n", q(&side.source)));
    if let Some(f) = &side.filter {
        y.push_str(&format!("{indent}  filter: {}\n", q(f)));
    }
}

fn measure(y: &mut String, m: &Measure, indent: &str) {
    y.push_str(&format!("{indent}source: {}\n", q(&m.source)));
    y.push_str(&format!("{indent}agg: {}\n", m.agg));
    if let Some(e) = &m.expr {
        y.push_str(&format!("{indent}expr: {}\n", q(e)));
    }
    if let Some(p) = m.p {
        y.push_str(&format!("{indent}p: {}\n", num(p)));
    }
    if let Some(f) = &m.filter {
        y.push_str(&format!("{indent}filter: {}\n", q(f)));
    }
    if let Some(w) = m.window {
        y.push_str(&format!("{indent}window: \"{w} days\"\n"));
    }
    if let Some(t) = m.to_date {
        y.push_str(&format!("{indent}to_date: {t}\n"));
    }
    if m.cumulative {
        y.push_str(&format!("{indent}cumulative: true\n"));
    }
}

/// Words of `text` in lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Where an offset of the canonical spec falls.
#[derive(Debug, PartialEq, Eq)]
pub enum Place {
    Metric(String),
    Source(String),
    SourceDimensions(String),
    Other,
}

/// The metric or source whose text holds byte `at` of a canonical spec: the enclosing
/// top-level key, then the entry of it (a `- name:` item, the `north_star` map's `name`, a
/// source's key).
pub fn locate(spec: &str, at: usize) -> Place {
    let at = at.min(spec.len());
    let line_start = spec[..at].rfind('\n').map_or(0, |i| i + 1);
    let before: Vec<&str> = spec[..line_start].lines().collect();
    let this = spec[line_start..].lines().next().unwrap_or("");
    let lines: Vec<&str> = before.iter().copied().chain([this]).collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let Some(top) = lines
        .iter()
        .rposition(|l| !l.trim().is_empty() && indent(l) == 0 && !l.starts_with('#'))
    else {
        return Place::Other;
    };
    let key = lines[top].split(':').next().unwrap_or("").trim();
    let name_of = |l: &str| -> Option<String> {
        let t = l
            .trim_start()
            .trim_start_matches("- ")
            .trim_start_matches('{')
            .trim();
        let rest = t.strip_prefix("name:")?;
        let v = rest.split([',', '}']).next()?.trim().trim_matches('"');
        Some(v.to_owned())
    };
    match key {
        "north_star" => spec
            .lines()
            .skip(top + 1)
            .find(|l| indent(l) == 2 && l.trim_start().starts_with("name:"))
            .and_then(name_of)
            .map_or(Place::Other, Place::Metric),
        "inputs" | "guardrails" | "outcomes" => lines[top..]
            .iter()
            .rev()
            .find(|l| indent(l) == 2 && l.trim_start().starts_with("- "))
            .and_then(|l| name_of(l))
            .map_or(Place::Other, Place::Metric),
        "sources" => {
            let Some(i) = lines[top..]
                .iter()
                .rposition(|l| indent(l) == 2 && !l.trim_start().starts_with('#'))
            else {
                return Place::Other;
            };
            let entry = lines[top + i];
            let name = entry
                .trim()
                .split(':')
                .next()
                .unwrap_or("")
                .trim_matches('"')
                .to_owned();
            let in_dims = lines[top + i..]
                .iter()
                .rev()
                .find(|l| indent(l) == 4)
                .is_some_and(|l| l.trim_start().starts_with("dimensions:"));
            if in_dims {
                Place::SourceDimensions(name)
            } else {
                Place::Source(name)
            }
        }
        _ => Place::Other,
    }
}

/// IMPORT.md.
pub fn report(
    head: &Head<'_>,
    metrics: &[Metric],
    notes: &[Note],
    carried: usize,
    total: usize,
    helpers: usize,
) -> String {
    let mut r = String::new();
    r.push_str("# Import from MetricFlow\n\n");
    r.push_str(&format!(
        "`lodestar import metricflow` read {} file{} and carried over **{carried} of {total}** \
         MetricFlow metrics into `{}.yaml` (product `{}`), {}",
        head.files.len(),
        if head.files.len() == 1 { "" } else { "s" },
        head.product,
        head.product,
        if head.restored {
            format!(
                "each at its grain from `config.meta.lodestar` (`{}` without one)",
                head.grain.as_str()
            )
        } else {
            format!("every one at grain `{}`", head.grain.as_str())
        }
    ));
    if helpers > 0 {
        r.push_str(&format!(
            ", with {helpers} helper metric{} (a filtered input, or an input `offset_window` \
             earlier: lodestar's derived metrics are arithmetic over metric names)",
            if helpers == 1 { "" } else { "s" }
        ));
    }
    r.push_str(".\n\n");
    let section = |r: &mut String, kind: NoteKind, title: &str, intro: &str| {
        let items: Vec<&Note> = notes.iter().filter(|n| n.kind == kind).collect();
        if items.is_empty() {
            return;
        }
        r.push_str(&format!("## {title} ({})\n\n{intro}\n\n", items.len()));
        r.push_str("| what | why |\n|---|---|\n");
        for n in items {
            r.push_str(&format!(
                "| {} | {} |\n",
                n.subject.replace('|', "\\|"),
                n.text.replace('|', "\\|").replace('\n', " ")
            ));
        }
        r.push('\n');
    };
    section(
        &mut r,
        NoteKind::NotCarried,
        "Not carried over",
        "These are not in the spec: lodestar has no form that gives MetricFlow's numbers for them.",
    );
    section(
        &mut r,
        NoteKind::Differs,
        "Carried over with a difference",
        "These are in the spec, but their numbers can differ from MetricFlow's as explained.",
    );
    section(
        &mut r,
        NoteKind::Renamed,
        "Renamed",
        "lodestar names are snake_case, at most 63 bytes, and not a name the SQL uses itself.",
    );
    section(
        &mut r,
        NoteKind::Info,
        "Carried over as lodestar's default",
        "These MetricFlow settings need nothing in lodestar.",
    );
    r.push_str("## Choices left to you\n\n");
    if head.chosen.north_star && !head.flags {
        r.push_str("* The North Star is the one `config.meta.lodestar` names.\n");
    } else if head.chosen.north_star {
        r.push_str("* The North Star was chosen with `--north-star`.\n");
    } else {
        r.push_str(
            "* **North Star**: MetricFlow has none, so every metric is an input. Move the one \
             that best captures the value users get to `north_star:` (`lodestar lint` says LS001 \
             until then), or import again with `--north-star METRIC`.\n",
        );
    }
    if head.chosen.guardrails && !head.flags {
        r.push_str(
            "* The guardrails and their thresholds are those `config.meta.lodestar` names.\n",
        );
    } else if head.chosen.guardrails {
        r.push_str("* The guardrails were chosen with `--guardrail`.\n");
    } else {
        r.push_str(
            "* **Guardrails**: MetricFlow has none. Move the metrics that must not degrade to \
             `guardrails:` with a `threshold` (LS002 until then), or import again with \
             `--guardrail METRIC:min=X` (or `max=Y`, or both: `min=X,max=Y`).\n",
        );
    }
    if head.restored {
        r.push_str(&format!(
            "* **Owners and types**: from `config.meta.lodestar`, as `lodestar export` wrote \
             them; a metric without it is owned by `{OWNER}` (\"Data team\") and its `type` was \
             guessed from its name and kind (the table says which).\n\n"
        ));
    } else {
        r.push_str(&format!(
            "* **Owners**: MetricFlow has none; every metric is owned by `{OWNER}` (\"Data \
             team\"). Declare the real owners and assign them.\n"
        ));
        r.push_str(
            "* **Types**: MetricFlow has none; each `type` below was guessed from the metric's \
             name and kind. It steers lodestar's framework checks (vanity types are refused, a \
             revenue North Star is warned about), never the numbers.\n\n",
        );
    }
    if !metrics.is_empty() {
        r.push_str(if head.restored {
            "| metric | MetricFlow metric | type | because |\n|---|---|---|---|\n"
        } else {
            "| metric | MetricFlow metric | type (guessed) | because |\n|---|---|---|---|\n"
        });
        for m in metrics {
            r.push_str(&format!(
                "| `{}` | {} | `{}` | {} |\n",
                m.name,
                m.origin
                    .as_deref()
                    .map_or_else(|| "(helper)".to_owned(), |o| format!("`{o}`")),
                m.ty,
                m.ty_why
            ));
        }
        r.push('\n');
    }
    r.push_str("## How the numbers compare\n\n");
    if head.restored {
        r.push_str(
            "* A metric whose MetricFlow definition is as `lodestar export` wrote it is the \
             lodestar definition written beside it (`config.meta.lodestar.definition`), at its \
             own grain; one edited since is translated from MetricFlow (the notes above say \
             which).\n",
        );
    }
    r.push_str(&format!(
        "* Every metric{} is reported at grain `{}` (MetricFlow's `metric_time__{}`); \
         `--grain` chooses another when importing.\n\
         * lodestar reports every period in range: counts and sums are 0 where MetricFlow has no \
         row (or NULL, without `fill_nulls_with: 0`); other aggregations are NULL there.\n\
         * Filters' `{{{{ Dimension('entity__dim') }}}}` became the dimension's SQL; dimensions \
         of other semantic models are joined in `sql` sources, one row per key, so a join never \
         multiplies rows.\n",
        if head.restored {
            " without `config.meta.lodestar`"
        } else {
            ""
        },
        head.grain.as_str(),
        head.grain.as_str()
    ));
    r
}

/// The lines for stderr.
pub fn summary(
    product: &str,
    notes: &[Note],
    carried: usize,
    total: usize,
    helpers: usize,
    chosen: Chosen,
) -> String {
    let mut s = format!(
        "imported {carried} of {total} MetricFlow metrics into {product}.yaml ({helpers} helper \
         metric{})\n",
        if helpers == 1 { "" } else { "s" }
    );
    let not: Vec<&Note> = notes
        .iter()
        .filter(|n| n.kind == NoteKind::NotCarried)
        .collect();
    if !not.is_empty() {
        s.push_str(&format!("not carried over ({}):\n", not.len()));
        for n in not {
            s.push_str(&format!("  - {}: {}\n", n.subject, n.text));
        }
    }
    let differs = notes.iter().filter(|n| n.kind == NoteKind::Differs).count();
    if differs > 0 {
        s.push_str(&format!(
            "carried over with a difference: {differs} (see IMPORT.md)\n"
        ));
    }
    if !chosen.north_star || !chosen.guardrails {
        s.push_str(
            "choose the North Star and guardrails (--north-star, --guardrail, or edit the spec): \
             lint says LS001/LS002 until then\n",
        );
    }
    s
}
