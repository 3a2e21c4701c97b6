//! `lodestar init [DIR]`: scaffold a project that lints clean and is formatted canonically.

use std::path::{Path, PathBuf};

use chrono::Datelike;
use clap::Args;

use super::common::{self, Exit, Failure};
use crate::diagnostics::FileId;
use crate::syntax::{self, Syntax};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The directory to create the project in (created if missing; default: the current one).
    pub dir: Option<PathBuf>,
    /// The syntax of the spec file.
    #[arg(long, value_enum, default_value = "yaml")]
    pub syntax: InitSyntax,
    /// The product's name (default: the directory's name, in snake_case).
    #[arg(long)]
    pub product: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InitSyntax {
    Yaml,
    Lode,
}

const CONFIG: &str = r#"# lodestar project configuration. Every spec file (*.yaml with `lodestar: 1`, *.lode) under
# this directory belongs to the project; owners and sources are shared by all of them.
#
# Rule severities: "error", "warning" or "off". `lodestar rules` lists them,
# `lodestar explain LS105` documents one.
[rules]
# LS105 = "off"
"#;

/// The product name a directory suggests: its name in snake_case, or `my_product`.
fn product_name(dir: &Path) -> String {
    let raw = std::path::absolute(dir)
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let mut name = String::new();
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('_') && !name.is_empty() {
            name.push('_');
        }
    }
    let name = name.trim_end_matches('_').to_owned();
    if name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name
    } else {
        "my_product".to_owned()
    }
}

/// The starter spec in YAML: a North Star with a target and a review, one input, one
/// guardrail, each owned and described.
fn spec_yaml(product: &str, today: chrono::NaiveDate) -> String {
    format!(
        r#"lodestar: 1
product: {product}
description: What {product} does for its users, in one sentence.
game: transaction

owners:
  product_team: {{ name: Product team, email: product@example.com }}
  data_team: {{ name: Data team, email: data@example.com }}

sources:
  orders:
    table: analytics.orders
    time: ordered_at
    columns: [ordered_at, order_id, customer_id, status, amount]

north_star:
  name: completed_orders
  label: Completed orders
  description: Orders delivered to customers; the value the product exists to create.
  owner: product_team
  type: transaction
  grain: week
  measure:
    source: orders
    agg: count
    filter: status = 'completed'
  targets:
    - {{ by: {year}-12-31, value: 1000 }}
  review: {{ cadence: quarterly, last_reviewed: {today} }}

inputs:
  - name: ordering_customers
    label: Ordering customers
    description: Customers with at least one completed order in the week.
    owner: product_team
    type: adoption
    measure: {{ source: orders, agg: count_distinct, expr: customer_id, filter: status = 'completed' }}

guardrails:
  - name: cancellation_rate
    label: Cancellation rate
    description: Share of orders cancelled; must stay low while orders grow.
    owner: data_team
    type: quality
    ratio:
      numerator: {{ source: orders, agg: count, filter: status = 'cancelled' }}
      denominator: {{ source: orders, agg: count }}
    threshold: {{ max: 0.05 }}
"#,
        year = today.year() + 1,
    )
}

/// The starter spec in the requested syntax, in canonical format (`lodestar fmt --check`
/// passes on it).
fn spec(product: &str, syntax: Syntax, today: chrono::NaiveDate) -> Result<String, Failure> {
    let yaml = spec_yaml(product, today);
    let (tree, diagnostics) = syntax::parse(FileId(0), Syntax::Yaml, &yaml);
    match tree {
        Some(tree) if diagnostics.is_empty() => Ok(crate::format::print(&tree, syntax)),
        _ => Err(Failure::new(format!(
            "internal error: the starter spec does not parse: {diagnostics:?}"
        ))),
    }
}

pub fn run(args: &InitArgs) -> Result<Exit, Failure> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    if dir.exists() && !dir.is_dir() {
        return Err(Failure::new(format!(
            "{} exists and is not a directory",
            dir.display()
        )));
    }
    let product = match &args.product {
        Some(p) => {
            let ok = p.starts_with(|c: char| c.is_ascii_lowercase())
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok {
                return Err(Failure::new(format!("`{p}` is not a product name"))
                    .help("product names are snake_case: lowercase letters, digits and `_`, starting with a letter"));
            }
            p.clone()
        }
        None => product_name(&dir),
    };
    let (syntax, ext) = match args.syntax {
        InitSyntax::Yaml => (Syntax::Yaml, "yaml"),
        InitSyntax::Lode => (Syntax::Lode, "lode"),
    };
    let files = [
        (dir.join(crate::project::CONFIG_FILE), CONFIG.to_owned()),
        (
            dir.join(format!("{product}.{ext}")),
            spec(&product, syntax, common::today()?)?,
        ),
    ];
    let existing: Vec<String> = files
        .iter()
        .filter(|(p, _)| p.exists())
        .map(|(p, _)| p.display().to_string())
        .collect();
    if !existing.is_empty() {
        return Err(
            Failure::new(format!("refusing to overwrite {}", existing.join(" and ")))
                .help("run `lodestar init` in a new or empty directory, or remove the files first"),
        );
    }
    std::fs::create_dir_all(&dir).map_err(|e| Failure::new(format!("{}: {e}", dir.display())))?;
    for (path, text) in &files {
        // `create_new` so that a file appearing meanwhile is never overwritten either.
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
        written.map_err(|e| Failure::new(format!("{}: {e}", path.display())))?;
    }
    common::print(&format!(
        "created {} and {}\n\nnext:\n  lodestar lint {d}        check the spec\n  lodestar docs {d} --out site   draw the metric tree\n  lodestar compile {d} --dialect duckdb   the SQL\n",
        files[0].0.display(),
        files[1].0.display(),
        d = dir.display(),
    ));
    Ok(Exit::Clean)
}
