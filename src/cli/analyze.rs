//! `lodestar analyze`: does the tree hold on the data? Runs each product's scorecard on the
//! embedded DuckDB (or a `--warehouse`) and hands the series to the [`crate::analyze`] stage.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;

use super::common::{Exit, Failure};
use super::run::{parse_date, DataArgs};

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Spec files or project directories (default: the project of the current directory).
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
    /// First day of the data analysed (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<NaiveDate>,
    /// Last day of the data analysed (YYYY-MM-DD, inclusive).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<NaiveDate>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: AnalyzeFormat,
    /// Lags tested on each edge: -L..=L periods.
    #[arg(long, value_name = "L", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=52))]
    pub lags: u16,
    /// Analyse the current, incomplete period too.
    #[arg(long)]
    pub include_partial: bool,
    #[command(flatten)]
    pub select: super::compile::SelectArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AnalyzeFormat {
    /// Text for the terminal.
    Human,
    /// The versioned JSON report.
    Json,
    /// A pull-request comment.
    Markdown,
}

#[cfg(not(feature = "duckdb"))]
pub fn run(_args: &AnalyzeArgs) -> Result<Exit, Failure> {
    Err(
        Failure::new("this lodestar binary was built without DuckDB, so it cannot analyse data")
            .help("build with the default features (`cargo install lodestar`)"),
    )
}

#[cfg(feature = "duckdb")]
pub(in crate::cli) use with_duckdb::analyse;
#[cfg(feature = "duckdb")]
pub use with_duckdb::run;

#[cfg(feature = "duckdb")]
mod with_duckdb {
    use std::collections::HashMap;

    use super::*;
    use crate::analyze::{self, render, ProductData, ProductReport, Series, Settings};
    use crate::cli::common;
    use crate::cli::run::{grain_of, prepare, query, OutputFormat, Prepared, RunArgs};
    use crate::model::{Compute, Metric, Operand, Product, Role};
    use crate::report::{Cell, Table};
    use crate::sql;

    /// The names under which a ratio North Star's measures join the scorecard (never a
    /// metric's: `lodestar_` names are reserved).
    const OPERANDS: [(&str, &str); 2] = [
        ("numerator", "lodestar_numerator"),
        ("denominator", "lodestar_denominator"),
    ];

    /// The product with its ratio North Star's measures as metrics of their own, so that the
    /// scorecard carries their series (for attribution).
    fn with_operands(product: &Product) -> Product {
        let mut p = product.clone();
        let Some(ns) = product.north_star() else {
            return p;
        };
        if let Some(Compute::Ratio {
            numerator,
            denominator,
            ..
        }) = &ns.compute
        {
            for ((_, column), operand) in OPERANDS.iter().zip([numerator, denominator]) {
                if let Operand::Measure(m) = operand {
                    let mut metric: Metric = ns.clone();
                    metric.role = Role::Input;
                    metric.name.value = (*column).to_owned();
                    metric.compute = Some(Compute::Measure(m.clone()));
                    metric.threshold = None;
                    metric.targets = Vec::new();
                    p.metrics.push(metric);
                }
            }
        }
        p
    }

    /// Each column of a scorecard (first column `period`) as a series.
    fn series(card: &Table) -> HashMap<String, Series> {
        let periods: Vec<Option<NaiveDate>> = card
            .rows
            .iter()
            .map(|r| r.first().and_then(Cell::as_date))
            .collect();
        card.columns
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, name)| {
                let points = card
                    .rows
                    .iter()
                    .zip(&periods)
                    .filter_map(|(r, p)| Some(((*p)?, r.get(i).and_then(Cell::as_f64))));
                (name.clone(), Series::new(points))
            })
            .collect()
    }

    /// A product's analysis, with the series it was computed from (metric name → series).
    pub(in crate::cli) type Analysed = (ProductReport, HashMap<String, Series>);

    /// Each product of a prepared run, analysed: its scorecard (with a ratio North Star's
    /// operands, for attribution) run on the engine, turned into series and handed to the
    /// analyze stage, with the series kept (for `docs --data`). `--select` picks the products
    /// and what each report keeps; every series of a chosen product is computed, since an edge
    /// needs both its ends.
    pub(in crate::cli) fn analyse(
        p: &Prepared,
        settings: &Settings,
        today: NaiveDate,
    ) -> Result<Vec<Analysed>, Failure> {
        let mut augmented = p.focus.clone();
        augmented.products = augmented.products.iter().map(with_operands).collect();
        let selection = p.options.select.clone();
        if let Some(chosen) = &selection {
            augmented
                .products
                .retain(|product| chosen.has_product(&product.name.value));
        }
        let options = sql::Options {
            select: None,
            ..p.options.clone()
        };
        let compiled = sql::compile(&augmented, p.dialect, &options)
            .map_err(|e| Failure::new(e.to_string()))?;
        let mut out = Vec::new();
        for product in &compiled {
            let name = &product.product;
            let model = p.focus.product(name).ok_or_else(|| {
                Failure::new(format!("internal error: product `{name}` vanished"))
            })?;
            let card = query(
                &p.engine,
                &format!("the scorecard of {name}"),
                &product.scorecard,
            )?;
            let mut series = series(&card);
            let operands = OPERANDS
                .iter()
                .filter_map(|(label, column)| Some(((*label).to_owned(), series.remove(*column)?)))
                .collect();
            let data = ProductData {
                product: model,
                grain: grain_of(&p.focus, name),
                series,
                operands,
                today,
            };
            let mut report = analyze::analyze(&data, settings);
            if let Some(chosen) = &selection {
                report.only(|metric| chosen.contains(name, metric));
            }
            out.push((report, data.series));
        }
        Ok(out)
    }

    pub fn run(args: &AnalyzeArgs) -> Result<Exit, Failure> {
        let run_args = RunArgs {
            paths: args.paths.clone(),
            data: args.data.clone(),
            from: args.from,
            to: args.to,
            by: Vec::new(),
            select: args.select.clone(),
            format: OutputFormat::Table,
        };
        let p = match prepare(&run_args)? {
            Ok(p) => p,
            Err(exit) => return Ok(exit),
        };
        let today = common::today()?;
        let settings = Settings {
            lags: usize::from(args.lags),
            include_partial: args.include_partial,
            severities: p.config.analyze.clone(),
            ..Settings::default()
        };
        let reports: Vec<_> = analyse(&p, &settings, today)?
            .into_iter()
            .map(|(report, _)| report)
            .collect();
        common::print(&match args.format {
            AnalyzeFormat::Json => format!("{:#}\n", analyze::to_json(&reports)),
            AnalyzeFormat::Human => render::render(&reports, render::Style::Human),
            AnalyzeFormat::Markdown => render::render(&reports, render::Style::Markdown),
        });
        Ok(if reports.iter().any(|r| r.has_errors()) {
            Exit::Findings
        } else {
            Exit::Clean
        })
    }
}
