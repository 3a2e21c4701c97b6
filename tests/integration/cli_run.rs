//! `lodestar run` and `lodestar guard` through the binary, on the reference specs in specs/ and
//! their data in examples/data: exit codes and the output that matters.

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// On Monday 2026-11-23: the data's last week (of 2026-11-16) has just ended.
fn lodestar(args: &[&str]) -> Output {
    lodestar_on("2026-11-23", args)
}

fn lodestar_on(today: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lodestar"))
        .args(args)
        .current_dir(root())
        .env("LODESTAR_TODAY", today)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited")
}

#[cfg(not(feature = "duckdb"))]
#[test]
fn without_duckdb_run_and_guard_fail_with_a_reason() {
    for cmd in ["run", "guard", "analyze"] {
        let o = lodestar(&[cmd, "specs/marketplace.yaml", "--data", "examples/data"]);
        assert_eq!(code(&o), 2, "{cmd}");
        assert!(
            text(&o.stderr).contains("built without DuckDB"),
            "{}",
            text(&o.stderr)
        );
    }
}

#[cfg(feature = "duckdb")]
mod with_duckdb {
    use std::path::Path;

    use super::*;

    fn csv_rows(o: &Output) -> Vec<Vec<String>> {
        text(&o.stdout)
            .lines()
            .map(|l| l.split(',').map(str::to_owned).collect())
            .collect()
    }

    /// A data file that lacks a column its source declares is named, with the source, the
    /// file and the columns it has, not in the engine's words.
    #[test]
    fn a_data_file_lacking_a_declared_column_is_named() {
        let spec = "lodestar: 1\nproduct: p\nowners:\n  o: { name: O }\nsources:\n  orders:\n    table: shop.orders\n    time: t\n    columns: [t, user_id, amount]\nnorth_star:\n  name: revenue\n  description: d\n  owner: o\n  type: transaction\n  measure: { source: orders, agg: sum, expr: amount }\nguardrails:\n  - name: buyers\n    description: d\n    owner: o\n    type: adoption\n    measure: { source: orders, agg: count_distinct, expr: user_id }\n    threshold: { min: 1 }\n";
        let dir = crate::common::scratch(&[
            ("p.yaml", spec),
            (
                "data/shop/orders.csv",
                "t,user_id\n2026-10-01,1\n2026-10-02,2\n",
            ),
        ]);
        let o = crate::common::run_in(dir.path(), &["run", "p.yaml", "--data", "data"]);
        assert_eq!(o.code, 2, "{}", o.stderr);
        assert!(
            o.stderr
                .contains("source `orders` declares the column `amount`, but ")
                && o.stderr.contains(
                    "orders.csv (table `shop.orders`) has no such column; it has t, user_id"
                ),
            "{}",
            o.stderr
        );
        assert!(!o.stderr.contains("Binder Error"), "{}", o.stderr);
        // With the column, the same project runs.
        std::fs::write(
            dir.path().join("data/shop/orders.csv"),
            "t,user_id,amount\n2026-10-01,1,5\n",
        )
        .unwrap();
        let o = crate::common::run_in(dir.path(), &["run", "p.yaml", "--data", "data"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
    }

    /// A source without `columns:` cannot be checked before the query: the engine's "column
    /// not found" is turned into the places of the spec that read the column, with the file.
    #[test]
    fn a_data_file_lacking_a_used_column_is_named_with_the_spec_place() {
        let spec = "lodestar: 1\nproduct: p\nowners:\n  o: { name: O }\nsources:\n  orders:\n    table: shop.orders\n    time: t\nnorth_star:\n  name: revenue\n  description: d\n  owner: o\n  type: transaction\n  measure: { source: orders, agg: sum, expr: amount, filter: status = 'paid' }\nguardrails:\n  - name: orders_placed\n    description: d\n    owner: o\n    type: quality\n    measure: { source: orders, agg: count }\n    threshold: { min: 0 }\n";
        let dir = crate::common::scratch(&[
            ("p.yaml", spec),
            (
                "data/shop/orders.csv",
                "t,amount\n2026-10-01,1\n2026-10-02,2\n",
            ),
        ]);
        let o = crate::common::run_in(dir.path(), &["run", "p.yaml", "--data", "data"]);
        assert_eq!(o.code, 2, "{}", o.stderr);
        assert!(
            o.stderr.contains("no column `status` in the data, but the filter of metric `revenue` reads it (source `orders`, table `shop.orders`, ")
                && o.stderr.contains("orders.csv)"),
            "{}",
            o.stderr
        );
        assert!(!o.stderr.contains("Binder Error"), "{}", o.stderr);
        assert!(o.stderr.contains("help: add the column"), "{}", o.stderr);
        std::fs::write(
            dir.path().join("data/shop/orders.csv"),
            "t,amount,status\n2026-10-01,5,paid\n",
        )
        .unwrap();
        let o = crate::common::run_in(dir.path(), &["run", "p.yaml", "--data", "data"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
    }

    /// Rows whose time is NULL are in no period; run says how many, per source.
    #[test]
    fn rows_without_a_time_are_counted_in_a_warning() {
        let spec = "lodestar: 1\nproduct: p\nowners:\n  o: { name: O }\nsources:\n  orders:\n    table: shop.orders\n    time: t\nnorth_star:\n  name: revenue\n  description: d\n  owner: o\n  type: transaction\n  measure: { source: orders, agg: sum, expr: amount }\nguardrails:\n  - name: orders_placed\n    description: d\n    owner: o\n    type: quality\n    measure: { source: orders, agg: count }\n    threshold: { min: 0 }\n";
        let dir = crate::common::scratch(&[
            ("p.yaml", spec),
            (
                "data/shop/orders.csv",
                "t,amount\n2026-10-01,1\n,2\n,4\n2026-10-02,8\n",
            ),
        ]);
        let o = crate::common::run_in(
            dir.path(),
            &["run", "p.yaml", "--data", "data", "--format", "csv"],
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(
            o.stderr.contains(
                "warning: 2 row(s) of source `orders` (table `shop.orders`) have no `t` and are in no period"
            ),
            "{}",
            o.stderr
        );
        // Only the rows with a time are counted: 1 + 8.
        assert!(o.stdout.contains(",9,"), "{}", o.stdout);
        std::fs::write(
            dir.path().join("data/shop/orders.csv"),
            "t,amount\n2026-10-01,1\n",
        )
        .unwrap();
        let o = crate::common::run_in(dir.path(), &["run", "p.yaml", "--data", "data"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(!o.stderr.contains("warning"), "{}", o.stderr);
    }

    #[test]
    fn run_prints_the_scorecard_as_csv() {
        let o = lodestar(&[
            "run",
            "specs/marketplace.yaml",
            "--data",
            "examples/data",
            "--format",
            "csv",
        ]);
        assert_eq!(code(&o), 0, "{}", text(&o.stderr));
        let rows = csv_rows(&o);
        // product, period, then the North Star, inputs, guardrails and outcomes in spec order,
        // then whether the period is complete.
        assert_eq!(rows[0][..3], ["product", "period", "nights_booked"]);
        let n = rows[0].len();
        assert_eq!(rows[0][n - 3..], ["refund_rate", "net_revenue", "complete"]);
        // 52 weeks, Monday 2025-11-24 to the week of 2026-11-16, in order, all complete.
        assert_eq!(rows.len(), 1 + 52, "{}", text(&o.stdout));
        assert_eq!(rows[1][1], "2025-11-24");
        assert_eq!(rows[52][1], "2026-11-16");
        for r in &rows[1..] {
            assert_eq!(r.len(), n);
            assert_eq!((r[0].as_str(), r[n - 1].as_str()), ("marketplace", "true"));
            let ns: f64 = r[2].parse().expect("the North Star has a value every week");
            assert!(ns > 0.0);
        }
    }

    #[test]
    fn run_json_is_one_table() {
        let o = lodestar(&[
            "run",
            "specs/marketplace.yaml",
            "--data",
            "examples/data",
            "--format",
            "json",
        ]);
        assert_eq!(code(&o), 0, "{}", text(&o.stderr));
        let v: serde_json::Value = serde_json::from_str(&text(&o.stdout)).expect("valid JSON");
        assert_eq!(v["version"], 1);
        assert_eq!(v["columns"][0], "product");
        assert_eq!(v["columns"][1], "period");
        let rows = v["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 52);
        assert_eq!(rows[0]["product"], "marketplace");
        assert_eq!(rows[0]["period"], "2025-11-24");
        assert_eq!(rows[51]["complete"], true);
        assert!(rows[0]["nights_booked"].is_number());
    }

    #[test]
    fn run_table_is_aligned_and_agrees_with_csv() {
        let table = lodestar(&["run", "specs/marketplace.yaml", "--data", "examples/data"]);
        assert_eq!(code(&table), 0, "{}", text(&table.stderr));
        let out = text(&table.stdout);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "marketplace");
        assert!(lines[1].starts_with("period"));
        assert!(lines[2].starts_with("----------"));
        assert!(lines[3].starts_with("2025-11-24"));
        // The North Star's first value, printed whole, is the CSV's.
        let csv = csv_rows(&lodestar(&[
            "run",
            "specs/marketplace.yaml",
            "--data",
            "examples/data",
            "--format",
            "csv",
        ]));
        let first: f64 = csv[1][2].parse().unwrap();
        assert!(
            lines[3]
                .split_whitespace()
                .nth(1)
                .unwrap()
                .parse::<f64>()
                .unwrap()
                == first
        );
    }

    #[test]
    fn run_every_product_of_the_project() {
        let o = lodestar(&[
            "run",
            "specs",
            "--data",
            "examples/data",
            "--format",
            "json",
        ]);
        assert_eq!(code(&o), 0, "{}", text(&o.stderr));
        let v: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
        let mut names: Vec<&str> = v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["product"].as_str().unwrap())
            .collect();
        names.dedup();
        assert!(names.len() >= 5, "{names:?}");
        assert!(names.contains(&"marketplace"));
    }

    #[test]
    fn from_to_fills_periods_without_rows() {
        // Five weeks before the data starts: every week present, counts zero.
        let o = lodestar(&[
            "run",
            "specs/marketplace.yaml",
            "--data",
            "examples/data",
            "--format",
            "csv",
            "--from",
            "2025-10-20",
            "--to",
            "2025-11-23",
        ]);
        assert_eq!(code(&o), 0, "{}", text(&o.stderr));
        let rows = csv_rows(&o);
        let periods: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
        assert_eq!(
            periods,
            [
                "2025-10-20",
                "2025-10-27",
                "2025-11-03",
                "2025-11-10",
                "2025-11-17"
            ]
        );
        let col = rows[0]
            .iter()
            .position(|c| c == "confirmed_bookings")
            .expect("a count metric");
        assert!(
            rows[1..].iter().all(|r| r[col] == "0"),
            "{}",
            text(&o.stdout)
        );
    }

    #[test]
    fn by_adds_the_dimension_column() {
        let by_market = |path: &str| {
            lodestar(&[
                "run",
                path,
                "--data",
                "examples/data",
                "--format",
                "csv",
                "--by",
                "market",
            ])
        };
        // Every source of the marketplace has a market: nothing is left out.
        let o = by_market("specs/marketplace.yaml");
        assert_eq!(code(&o), 0, "{}", text(&o.stderr));
        assert_eq!(text(&o.stderr), "");
        let rows = csv_rows(&o);
        assert_eq!(rows[0][..3], ["product", "period", "market"]);
        assert!(
            rows[0].iter().any(|c| c == "nights_booked"),
            "{:?}",
            rows[0]
        );
        // The whole project: the metrics whose sources lack `market` (the other products') are
        // left out with a note naming each, not a failure.
        let o = by_market("specs");
        assert_eq!(code(&o), 0, "{}", text(&o.stderr));
        let note = text(&o.stderr);
        assert!(note.contains("note: --by market leaves out"), "{note}");
        let rows = csv_rows(&o);
        let left_out: Vec<&str> = note
            .split('`')
            .filter(|w| w.contains('.') && !w.contains(' '))
            .filter_map(|w| w.split('.').nth(1))
            .collect();
        assert!(!left_out.is_empty(), "{note}");
        for metric in left_out {
            assert!(
                !rows[0].iter().any(|c| c == metric),
                "{metric}: {:?}",
                rows[0]
            );
        }
        assert!(
            rows[0].iter().any(|c| c == "nights_booked"),
            "{:?}",
            rows[0]
        );
    }

    #[test]
    fn select_runs_part_of_the_project() {
        let o = lodestar(&[
            "run",
            "specs/marketplace.yaml",
            "--data",
            "examples/data",
            "--format",
            "json",
            "--select",
            "+nights_per_booking",
        ]);
        assert_eq!(code(&o), 0, "{}", text(&o.stderr));
        let v: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
        let columns: Vec<&str> = v["columns"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c.as_str())
            .collect();
        assert_eq!(
            columns,
            [
                "product",
                "period",
                "nights_booked",
                "confirmed_bookings",
                "nights_per_booking",
                "complete"
            ]
        );
        // Counts are integers in JSON.
        let row = &v["rows"][0];
        assert!(row["confirmed_bookings"].is_u64(), "{row}");
    }

    #[test]
    fn guard_reports_the_refund_wave_and_exits_1() {
        let o = lodestar(&["guard", "specs/marketplace.yaml", "--data", "examples/data"]);
        assert_eq!(code(&o), 1, "{}\n{}", text(&o.stdout), text(&o.stderr));
        let out = text(&o.stdout);
        let line = out
            .lines()
            .find(|l| l.contains("refund_rate"))
            .expect("the breach is listed");
        assert!(line.contains("2026-11-09"), "{out}");
        assert!(line.contains("max 0.02"), "{out}");
        assert!(out.contains("target: nights_booked"), "{out}");
    }

    #[test]
    fn guard_json_lists_breaches_and_targets() {
        let o = lodestar(&[
            "guard",
            "specs/marketplace.yaml",
            "--data",
            "examples/data",
            "--format",
            "json",
        ]);
        assert_eq!(code(&o), 1);
        let v: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
        assert_eq!(v["breached"], true);
        let p = &v["products"][0];
        let breaches = p["breaches"].as_array().unwrap();
        assert!(
            breaches.iter().all(|b| b["guardrail"] == "refund_rate"),
            "{breaches:?}"
        );
        assert!(breaches.iter().any(|b| b["period"] == "2026-11-09"));
        let b = breaches
            .iter()
            .find(|b| b["period"] == "2026-11-09")
            .unwrap();
        assert!(b["value"].as_f64().unwrap() > b["max"].as_f64().unwrap());
        let t = &p["targets"][0];
        assert_eq!(t["metric"], "nights_booked");
        assert_eq!(t["state"], "open");
        assert_eq!(t["period"], "2026-11-16");
    }

    #[test]
    fn guard_exits_0_when_nothing_is_breached() {
        // Before the refund wave, the marketplace holds every guardrail.
        let o = lodestar(&[
            "guard",
            "specs/marketplace.yaml",
            "--data",
            "examples/data",
            "--to",
            "2026-11-01",
        ]);
        assert_eq!(code(&o), 0, "{}\n{}", text(&o.stdout), text(&o.stderr));
        assert!(text(&o.stdout).contains("no guardrail breached"));
    }

    #[test]
    fn the_current_period_is_marked_incomplete() {
        // On Wednesday 2026-11-18 the week of 2026-11-16 is still running.
        let args = ["run", "specs/marketplace.yaml", "--data", "examples/data"];
        let table = text(&lodestar_on("2026-11-18", &args).stdout);
        assert!(table.contains("\n2026-11-16* "), "{table}");
        assert!(
            table.contains("* 2026-11-16: the current week, incomplete"),
            "{table}"
        );
        assert!(!table.contains("2026-11-09*"), "{table}");
        let csv = csv_rows(&lodestar_on(
            "2026-11-18",
            &[&args[..], &["--format", "csv"]].concat(),
        ));
        let last = csv.last().unwrap();
        assert_eq!(
            (last[1].as_str(), last.last().unwrap().as_str()),
            ("2026-11-16", "false")
        );
        assert_eq!(csv[csv.len() - 2].last().unwrap(), "true");
    }

    #[test]
    fn guard_evaluates_recent_complete_periods_unless_told() {
        let guard = |today: &str, extra: &[&str]| {
            let args = [
                &["guard", "specs/marketplace.yaml", "--data", "examples/data"][..],
                extra,
            ]
            .concat();
            let o = lodestar_on(today, &args);
            (code(&o), text(&o.stdout))
        };
        // Reported up to the week of 2026-12-14: the breach of the week of 2026-11-09 is out
        // of the window of the last four weeks.
        let range = ["--from", "2026-08-31", "--to", "2026-12-20"];
        let (c, out) = guard("2026-12-21", &range);
        assert_eq!(c, 0, "{out}");
        assert!(out.contains("1 earlier breach not evaluated"), "{out}");
        let (c, out) = guard(
            "2026-12-21",
            &[&range[..], &["--since", "2026-11-01"]].concat(),
        );
        assert_eq!(c, 1, "{out}");
        assert!(out.contains("2026-11-09"), "{out}");
        // Data that stops early: the window ends with the data, not today.
        let (c, out) = guard("2027-06-01", &[]);
        assert_eq!(c, 1, "{out}");
    }

    #[test]
    fn guard_judges_targets_on_the_north_star_over_all_segments() {
        let json = |extra: &[&str]| {
            let args = [
                &[
                    "guard",
                    "specs/marketplace.yaml",
                    "--data",
                    "examples/data",
                    "--format",
                    "json",
                ][..],
                extra,
            ]
            .concat();
            let v: serde_json::Value =
                serde_json::from_str(&text(&lodestar(&args).stdout)).unwrap();
            v["products"][0]["targets"].clone()
        };
        let whole = json(&[]);
        // A count is an integer in JSON, not `477.0`.
        assert_eq!(whole[0]["value"].to_string(), "477", "{whole}");
        assert_eq!(json(&["--by", "market"]), whole);
    }

    #[test]
    fn analyze_finds_the_alerts_and_exits_1() {
        let o = lodestar(&[
            "analyze",
            "specs",
            "--data",
            "examples/data",
            "--format",
            "json",
        ]);
        assert_eq!(code(&o), 1, "{}", text(&o.stderr));
        let v: serde_json::Value = serde_json::from_str(&text(&o.stdout)).unwrap();
        assert_eq!(v["version"], 1);
        let products = v["products"].as_array().unwrap();
        assert!(products.len() >= 5);
        let market = products
            .iter()
            .find(|p| p["product"] == "marketplace")
            .unwrap();
        let kinds: Vec<&str> = market["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["kind"].as_str().unwrap())
            .collect();
        assert!(kinds.contains(&"breach"), "{kinds:?}");
        // Inputs → the North Star, and the North Star → its outcome.
        for e in market["edges"].as_array().unwrap() {
            assert!(
                e["to"] == "nights_booked"
                    || (e["from"] == "nights_booked" && e["to"] == "net_revenue"),
                "{e}"
            );
        }
        let md = text(
            &lodestar(&[
                "analyze",
                "specs/marketplace.yaml",
                "--data",
                "examples/data",
                "--format",
                "markdown",
            ])
            .stdout,
        );
        assert!(md.starts_with("## lodestar analyze\n"), "{md}");
        assert!(md.contains("| ❌ | `breach` | `refund_rate` |"), "{md}");
    }

    #[test]
    fn analyze_levels_come_from_lodestar_toml() {
        let tmp = tempfile::tempdir().unwrap();
        for f in std::fs::read_dir(root().join("specs")).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, tmp.path().join(f.file_name().unwrap())).unwrap();
        }
        let data = root().join("examples/data");
        let analyze = |toml: &str| {
            std::fs::write(tmp.path().join("lodestar.toml"), toml).unwrap();
            let o = Command::new(env!("CARGO_BIN_EXE_lodestar"))
                .args(["analyze", "--data", data.to_str().unwrap()])
                .current_dir(tmp.path())
                .env("LODESTAR_TODAY", "2026-11-23")
                .output()
                .unwrap();
            (code(&o), text(&o.stdout), text(&o.stderr))
        };
        let (c, out, _) = analyze("[rules]\n");
        assert_eq!(c, 1, "{out}");
        let (c, out, err) = analyze("[analyze]\nbreach = \"warning\"\ngaming = \"off\"\n");
        assert_eq!(c, 0, "{out}{err}");
        assert!(
            out.contains("warning[breach]") && !out.contains("[gaming]"),
            "{out}"
        );
        let (c, _, err) = analyze("[analyze]\ngamin = \"off\"\n");
        assert_eq!(c, 2, "{err}");
    }

    #[test]
    fn a_missing_data_file_names_the_paths_and_exits_2() {
        let tmp = tempfile::tempdir().unwrap();
        let o = lodestar(&[
            "run",
            "specs/marketplace.yaml",
            "--data",
            tmp.path().to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 2);
        let err = text(&o.stderr);
        assert!(
            err.contains("lodging.") && err.contains(".csv") && err.contains(".parquet"),
            "{err}"
        );
    }

    #[test]
    fn a_project_with_errors_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = tmp.path().join("broken.yaml");
        std::fs::write(
            &spec,
            "lodestar: 1\nproduct: p\nowners:\n  t: { name: T }\nsources:\n  s: { table: x.s, time: at }\n\
             north_star:\n  name: n\n  owner: t\n  type: transaction\n  measure: { source: s, agg: count }\n",
        )
        .unwrap();
        let o = lodestar(&[
            "run",
            spec.to_str().unwrap(),
            "--data",
            tmp.path().to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 1);
        assert!(text(&o.stderr).contains("LS002"), "{}", text(&o.stderr));
        assert!(text(&o.stdout).is_empty());
    }

    #[test]
    fn bad_arguments_exit_2() {
        let cases: &[&[&str]] = &[
            &["run", "specs/marketplace.yaml"],
            &[
                "run",
                "specs/marketplace.yaml",
                "--data",
                "examples/data",
                "--duckdb",
                "x.duckdb",
            ],
            &[
                "run",
                "specs/marketplace.yaml",
                "--data",
                "examples/data",
                "--from",
                "2026-13-01",
            ],
            &[
                "run",
                "specs/marketplace.yaml",
                "--duckdb",
                "no/such.duckdb",
            ],
            &["run", "specs/marketplace.yaml", "--data", "no/such/dir"],
            &[
                "run",
                "specs/marketplace.yaml",
                "--data",
                "examples/data",
                "--by",
                "no_such_dimension",
            ],
        ];
        for args in cases {
            let o = lodestar(args);
            assert_eq!(code(&o), 2, "{args:?}: {}", text(&o.stderr));
            assert!(!text(&o.stderr).is_empty());
        }
    }

    #[test]
    fn a_duckdb_file_is_read_in_place() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("w.duckdb");
        {
            let conn = duckdb::Connection::open(&file).unwrap();
            let data = root().join("examples/data/lodging");
            let lit = |p: &Path| format!("'{}'", p.display().to_string().replace('\'', "''"));
            conn.execute_batch(&format!(
                "CREATE SCHEMA lodging;
                 CREATE TABLE lodging.bookings AS SELECT * FROM read_csv_auto({});
                 CREATE TABLE lodging.searches AS SELECT * FROM read_csv_auto({});
                 CREATE TABLE lodging.reviews AS SELECT * FROM read_csv_auto({});
                 CREATE TABLE lodging.listings AS SELECT * FROM read_csv_auto({});
                 CREATE TABLE lodging.payments AS SELECT * FROM read_csv_auto({});",
                lit(&data.join("bookings.csv")),
                lit(&data.join("searches.csv")),
                lit(&data.join("reviews.csv")),
                lit(&data.join("listings.csv")),
                lit(&data.join("payments.csv")),
            ))
            .unwrap();
        }
        let from_file = lodestar(&[
            "run",
            "specs/marketplace.yaml",
            "--duckdb",
            file.to_str().unwrap(),
            "--format",
            "csv",
        ]);
        assert_eq!(code(&from_file), 0, "{}", text(&from_file.stderr));
        let from_dir = lodestar(&[
            "run",
            "specs/marketplace.yaml",
            "--data",
            "examples/data",
            "--format",
            "csv",
        ]);
        assert_eq!(text(&from_file.stdout), text(&from_dir.stdout));
    }
}
