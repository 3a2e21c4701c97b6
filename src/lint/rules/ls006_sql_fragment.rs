use crate::diagnostics::Code;
use crate::lint::{Annotate, Context};
use crate::model::{Fragment, Relation};

/// What the rule checks, why, an example and how to configure it (`lodestar explain LS006`).
pub const DOC: &str = r#"## What it checks
Every piece of SQL in a spec is parsed when the spec is read:

* `expr`, dimension expressions: exactly one SQL expression;
* `filter`, `having`: exactly one boolean condition (combine several with `and` / `or`);
* `derived`: arithmetic (`+ - * /`, parentheses, numbers) over metric names;
* `sql` sources: exactly one SELECT;
* `table`: a dotted relation name (`schema.table`).

Comments, `;` and subqueries inside expressions are refused.

## Why it matters
Fragments are pasted into generated SQL for eight warehouses. A fragment that is two
statements, or that ends in a comment, could change the meaning of the whole query, or run
something that is not a metric at all. Parsing every fragment up front means nothing from a spec
reaches the warehouse unparsed, and a typo is reported at its line instead of in a failed job.

## Example
```yaml
measure:
  source: bookings
  agg: sum
  expr: nights; drop table bookings   # LS006: an expression contains `;`
  filter: status = 'confirmed' status = 'paid'   # LS006: `status` follows the expression
```

## Configuration
```toml
[rules]
LS006 = "error"   # error | warning | off
```
Turning it off is not recommended: `compile` refuses fragments that do not parse either way.
"#;

pub struct SqlFragment;

impl crate::lint::Rule for SqlFragment {
    fn code(&self) -> Code {
        Code::SqlFragment
    }

    fn check(&self, cx: &mut Context<'_>) {
        let project = cx.project;
        for source in &project.sources {
            if let Some(Relation::Table(t)) = &source.relation {
                if !crate::model::is_relation_name(&t.value) {
                    cx.report(
                        format!("`{}` is not a relation name", t.value.join(".")),
                        t.span,
                        "not a dotted relation name",
                    )
                    .with_help(
                        "write `schema.table` (letters, digits and `_`); for anything else use a \
                         `sql` source",
                    );
                }
            }
            for (fragment, owner) in source.fragments() {
                if let Err(e) = &fragment.parsed {
                    cx.report(format!("{owner}: {}", e.message), e.span, label(fragment))
                        .with_help(&e.help);
                }
            }
        }
        for metric in project.products.iter().flat_map(|p| &p.metrics) {
            let Some(compute) = &metric.compute else {
                continue;
            };
            for fragment in compute.fragments() {
                if let Err(e) = &fragment.parsed {
                    cx.report_metric(
                        metric,
                        format!("metric `{}`: {}", metric.name.value, e.message),
                        e.span,
                        label(fragment),
                    )
                    .with_help(&e.help);
                }
            }
        }
    }
}

fn label(fragment: &Fragment) -> String {
    format!("not {}", fragment.kind.describe())
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{
        assert_clean, assert_finds, found, pos, pos_in, Edit, VALID_LODE, VALID_YAML,
    };

    #[test]
    fn passes_with_valid_fragments() {
        assert_clean("LS006", VALID_YAML);
        assert_clean("LS006", VALID_LODE);
    }

    #[test]
    fn two_expressions_point_at_the_trailing_one() {
        let spec = VALID_YAML.edit(
            "filter: status = 'confirmed'\n",
            "filter: status = 'confirmed' status = 'paid'\n",
        );
        assert_finds(
            "LS006",
            &spec,
            &[pos_in(&spec, "status = 'paid'", "status = 'paid'")],
        );
        let f = &found("LS006", &spec)[0];
        assert!(
            f.diagnostic.message.starts_with("metric `nights_booked`: "),
            "{}",
            f.diagnostic.message
        );
        assert!(f.diagnostic.help.is_some());
    }

    #[test]
    fn a_leading_where_is_told_to_go() {
        let spec = VALID_YAML.edit(
            "    filter: status = 'confirmed'\n",
            "    filter: WHERE status = 'confirmed'\n",
        );
        let f = &found("LS006", &spec)[0];
        assert_eq!(
            f.diagnostic.help.as_deref(),
            Some("drop the leading `WHERE`: write the condition alone (`status = 'confirmed'`)")
        );
    }

    #[test]
    fn a_syntax_error_points_at_the_offending_token() {
        for (bad, at) in [
            ("nights + )", ")"),
            ("coalesce(nights, ) + 1", ")"),
            ("nights between 1", "1"),
        ] {
            let spec = VALID_YAML.edit("    expr: nights\n", &format!("    expr: {bad}\n"));
            let f = &found("LS006", &spec)[0];
            let want = pos_in(&spec, bad, at);
            assert_eq!(f.at(), want, "`{bad}`: {}", f.diagnostic.message);
        }
    }

    #[test]
    fn semicolon_in_expr() {
        let spec = VALID_YAML.edit("    expr: nights\n", "    expr: nights; drop table x\n");
        assert_finds("LS006", &spec, &[pos_in(&spec, "nights;", ";")]);
    }

    #[test]
    fn bad_dimension_and_sql_source() {
        let spec = VALID_YAML
            .edit("device: lower(device)", "device: lower(device")
            .edit(
                "sql: select * from analytics.users where role = 'host'",
                "sql: delete from analytics.users",
            );
        let got = found("LS006", &spec);
        let lines: Vec<usize> = got.iter().map(|f| f.at().0).collect();
        assert_eq!(
            lines,
            vec![pos(&spec, "lower(device").0, pos(&spec, "delete from").0],
            "{got:?}"
        );
    }

    #[test]
    fn function_in_derived() {
        let spec = VALID_YAML.edit(
            "derived: nights_booked / confirmed_bookings",
            "derived: max(nights_booked) / confirmed_bookings",
        );
        assert_finds("LS006", &spec, &[pos_in(&spec, "derived:", "max")]);
    }

    #[test]
    fn bad_relation_name_is_ls006_too() {
        let spec = VALID_YAML.edit("table: analytics.reviews", "table: analytics reviews");
        assert_finds(
            "LS006",
            &spec,
            &[pos_in(&spec, "analytics reviews", "analytics")],
        );
    }

    #[test]
    fn allow_with_reason_silences_metric_fragments() {
        let spec = VALID_YAML
            .edit("    expr: nights\n", "    expr: nights nights\n")
            .edit(
                "  grain: week\n",
                "  grain: week\n  allow: [{ code: LS006, reason: \"checked by the warehouse\" }]\n",
            );
        assert_clean("LS906", &spec);
        assert_clean("LS902", &spec);
        assert_clean("LS006", &spec);
    }
}
