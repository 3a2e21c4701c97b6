use crate::diagnostics::Code;
use crate::lint::{Annotate, Context};
use crate::model::Fragment;
use crate::sql::portable::{self, Refusal};
use crate::sql::Dialect;

/// What the rule checks, why, an example and how to configure it (`lodestar explain LS009`).
pub const DOC: &str = r#"## What it checks
Every SQL fragment (`expr`, `filter`, `having`, dimensions, `entity`, and every expression
inside a `sql` source's SELECT) uses only lodestar's portable SQL: the operators, functions and
types listed in `docs/sql.md` ("Portable SQL fragments"), each of which lodestar knows how to write
for every dialect. It checks them against the dialects the project compiles to: `[project]
dialects` in `lodestar.toml`, all eight by default.

* A construct lodestar translates passes: `x::int` becomes `CAST(x AS INT64)` on BigQuery,
  `city ilike 'ly%'` becomes `LOWER(city) LIKE LOWER('ly%')` on BigQuery and Trino,
  `iff(c, a, b)` becomes `CASE WHEN c THEN a ELSE b END`.
* A construct of the catalogue that a target dialect cannot write (`median(x)` on BigQuery and
  Trino, which have no exact median aggregate) is an error naming those dialects.
* A function or construct that is not in the catalogue (a user-defined function, a vendor
  extension such as `regexp_like` or `x::interval`) is an error for every dialect.

Tables, joins and subqueries inside a `sql` source are not checked, only its expressions.

## Why it matters
A fragment is written once and compiled for every warehouse the project targets. Passed through
as written, `basket_cents::int > 5000 and city ilike 'ly%'` is valid DuckDB and PostgreSQL but
fails on BigQuery and Trino, the night the job first runs there. Checking the fragment against
every target, at the fragment's own line, turns that failure into a lint error.

## Example
```toml
# lodestar.toml
[project]
dialects = ["bigquery", "postgres"]
```
```yaml
measure:
  source: orders
  agg: count_distinct
  expr: customer_id
  having: median(basket_cents) > 5000   # LS009: `median` cannot be written for bigquery
```
Write the portable form instead (here: a separate metric with `agg: median`, computed exactly on
every dialect).

## Configuration
```toml
[rules]
LS009 = "error"   # error | warning | off
```
A team whose warehouse has a function lodestar does not know (a UDF) allows it on that metric:
`allow: [{ code: LS009, reason: "my_udf is our warehouse's UDF" }]`; `compile` then writes the
function as is. For a `sql` source or a dimension, set the rule to `warning`. A construct of the
catalogue that a dialect cannot write is refused by `compile` for that dialect whatever the
configuration says: lodestar never writes SQL it knows to be wrong.
"#;

pub struct PortableSql;

impl crate::lint::Rule for PortableSql {
    fn code(&self) -> Code {
        Code::PortableSql
    }

    fn check(&self, cx: &mut Context<'_>) {
        let project = cx.project;
        let dialects = cx.config.dialects.clone();
        for source in &project.sources {
            for (fragment, owner) in source.fragments() {
                for r in refusals(fragment, &dialects) {
                    let span = fragment.span_at(r.span);
                    cx.report(format!("{owner}: {}", message(&r)), span, label(&r))
                        .with_help(help(&r, false));
                }
            }
        }
        for metric in project.products.iter().flat_map(|p| &p.metrics) {
            let Some(compute) = &metric.compute else {
                continue;
            };
            for fragment in compute.fragments() {
                for r in refusals(fragment, &dialects) {
                    let span = fragment.span_at(r.span);
                    cx.report_metric(
                        metric,
                        format!("metric `{}`: {}", metric.name.value, message(&r)),
                        span,
                        label(&r),
                    )
                    .with_help(help(&r, true));
                }
            }
        }
    }
}

/// What a fragment uses that some target cannot write (nothing when it does not parse: LS006).
fn refusals(fragment: &Fragment, dialects: &[Dialect]) -> Vec<Refusal> {
    if let Some(q) = fragment.query() {
        portable::check_query(q, dialects)
    } else if let Some(e) = fragment.expr() {
        portable::check_expr(e, dialects)
    } else {
        Vec::new()
    }
}

fn names(dialects: &[Dialect]) -> String {
    dialects
        .iter()
        .map(|d| d.name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn message(r: &Refusal) -> String {
    if r.known {
        format!("`{}` cannot be written for {}", r.what, names(&r.dialects))
    } else if r.dialects.len() == Dialect::ALL.len() {
        format!(
            "`{}` is not portable SQL: lodestar cannot write it for any dialect",
            r.what
        )
    } else {
        format!(
            "`{}` is not portable SQL: lodestar cannot write it for {}",
            r.what,
            names(&r.dialects)
        )
    }
}

fn label(r: &Refusal) -> String {
    if r.known {
        format!("no spelling for {}", names(&r.dialects))
    } else {
        "not portable".to_owned()
    }
}

fn help(r: &Refusal, on_metric: bool) -> String {
    if r.known {
        return format!(
            "{}; the portable operators and functions are listed in docs/sql.md (\"Portable SQL \
             fragments\")",
            r.help
        );
    }
    let escape = if on_metric {
        "if your warehouse has it, allow it on this metric (`allow: [{ code: LS009, reason: \
         \"...\" }]`) and `compile` writes it as is"
    } else {
        "if your warehouse has it, set `LS009 = \"warning\"` in `[rules]` and `compile` writes it \
         as is"
    };
    format!("{}; {escape}", r.help)
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{
        assert_clean, assert_finds, findings_in, found, pos_in, Edit, VALID_LODE, VALID_YAML,
    };

    #[test]
    fn passes_with_portable_fragments() {
        assert_clean("LS009", VALID_YAML);
        assert_clean("LS009", VALID_LODE);
    }

    #[test]
    fn translated_constructs_pass() {
        for good in [
            "nights::int > 2 and status ilike 'conf%'",
            "iff(nights > 2, 1, 0) = 1",
            "coalesce(nights, 0) between 1 and 30",
            "substring(lower(status), 1, 4) = 'conf'",
            "date_trunc('month', created_at) >= DATE '2024-01-01'",
            "extract(year from created_at) = 2024 and concat(status, 'x') <> 'x'",
            "cast(nights as decimal(10, 2)) > 1.5 or nights % 2 = 0",
        ] {
            let spec = VALID_YAML.edit(
                "filter: status = 'confirmed'\n",
                &format!("filter: \"{good}\"\n"),
            );
            assert_clean("LS009", &spec);
        }
    }

    #[test]
    fn an_unknown_function_is_refused_for_every_dialect_at_its_name() {
        let spec = VALID_YAML.edit("    expr: nights\n", "    expr: nights + my_udf(nights)\n");
        assert_finds("LS009", &spec, &[pos_in(&spec, "my_udf", "my_udf")]);
        let f = &found("LS009", &spec)[0];
        assert_eq!(
            f.diagnostic.message,
            "metric `nights_booked`: `my_udf` is not portable SQL: lodestar cannot write it for \
             any dialect"
        );
        let help = f.diagnostic.help.as_deref().unwrap_or_default();
        assert!(help.contains("allow it on this metric"), "{help}");
    }

    #[test]
    fn a_catalogue_row_a_dialect_cannot_write_names_the_dialects() {
        let spec = VALID_YAML.edit(
            "    expr: nights\n",
            "    expr: nights\n    having: median(nights) > 2\n",
        );
        let spec = spec.edit("    agg: sum\n", "    agg: count_distinct\n");
        let f = found("LS009", &spec);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            f[0].diagnostic.message,
            "metric `nights_booked`: `median` cannot be written for bigquery, trino"
        );
        assert_eq!(f[0].at(), pos_in(&spec, "having:", "median"));
        // Only the project's dialects count.
        let toml = "[project]\ndialects = [\"duckdb\", \"snowflake\"]\n";
        let only = findings_in(&[("lodestar.toml", toml), ("spec.yaml", &spec)]);
        assert!(only.iter().all(|f| f.code != "LS009"), "{only:?}");
        let toml = "[project]\ndialects = [\"bigquery\"]\n";
        let bq = findings_in(&[("lodestar.toml", toml), ("spec.yaml", &spec)]);
        let bq: Vec<_> = bq.into_iter().filter(|f| f.code == "LS009").collect();
        assert_eq!(bq.len(), 1, "{bq:?}");
        assert!(bq[0]
            .diagnostic
            .message
            .ends_with("cannot be written for bigquery"));
    }

    #[test]
    fn sql_sources_and_dimensions_are_checked() {
        let spec = VALID_YAML
            .edit(
                "device: lower(device)",
                "device: regexp_replace(device, 'x', 'y')",
            )
            .edit(
                "sql: select * from analytics.users where role = 'host'",
                "sql: select * from analytics.users where role similar to 'h%'",
            );
        let got = found("LS009", &spec);
        let at: Vec<(usize, usize)> = got.iter().map(|f| f.at()).collect();
        assert_eq!(
            at,
            vec![
                pos_in(&spec, "device: regexp", "regexp_replace"),
                pos_in(&spec, "sql: select", "role similar"),
            ],
            "{got:?}"
        );
        assert!(got[0]
            .diagnostic
            .message
            .starts_with("dimension `device`: "));
        assert!(got[1].diagnostic.message.starts_with("source `hosts`: "));
    }

    #[test]
    fn allow_on_the_metric_silences_it() {
        let spec = VALID_YAML
            .edit("    expr: nights\n", "    expr: my_udf(nights)\n")
            .edit(
                "  grain: week\n",
                "  grain: week\n  allow: [{ code: LS009, reason: \"our warehouse's UDF\" }]\n",
            );
        assert_clean("LS009", &spec);
        assert_clean("LS906", &spec);
    }
}
