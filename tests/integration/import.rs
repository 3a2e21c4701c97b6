//! `lodestar import metricflow`: the fixture projects under `tests/fixtures/import/` imported
//! end to end, the result linted and compiled by the same binary, and bad input refused with
//! exit 2 and nothing written.

use std::path::Path;

use crate::common::{fixture_path, run_in, scratch, Edit};

fn shop() -> String {
    fixture_path("import/shop").display().to_string()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn without_choices_every_metric_is_an_input_and_lint_asks_for_the_choice() {
    let tmp = scratch(&[]);
    let out = tmp.path().join("imported");
    let r = run_in(
        tmp.path(),
        &["import", "metricflow", &shop(), "--out", "imported"],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        files_in(&out),
        ["IMPORT.md", "jaffle_shop.yaml", "lodestar.toml"],
        "the product is named after dbt_project.yml's `name`"
    );
    assert!(
        r.stderr.contains("imported 19 of 24 MetricFlow metrics"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("not carried over (6):"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("metric `ending_balance`: measure `balance` has a `non_additive_dimension`"),
        "{}",
        r.stderr
    );
    let report = std::fs::read_to_string(out.join("IMPORT.md")).unwrap();
    assert!(report.contains("## Not carried over (6)"), "{report}");
    assert!(
        report.contains("| metric `revenue_mom_start` |"),
        "{report}"
    );
    let lint = run_in(tmp.path(), &["lint", "imported", "--format", "concise"]);
    assert_eq!(lint.code, 1, "{lint:?}");
    let errors: Vec<&str> = lint
        .stdout
        .lines()
        .filter(|l| l.contains(": LS0"))
        .map(|l| l.split(": ").nth(1).unwrap().split(' ').next().unwrap())
        .collect();
    assert_eq!(errors, ["LS001", "LS002"], "{}", lint.stdout);
}

#[test]
fn with_a_north_star_and_guardrails_the_project_lints_clean_and_compiles() {
    let tmp = scratch(&[]);
    let r = run_in(
        tmp.path(),
        &[
            "import",
            "metricflow",
            &shop(),
            "--out",
            "imported",
            "--north-star",
            "orders",
            "--guardrail",
            "food_order_share:max=0.5",
            "--guardrail",
            "avg_order_value:min=5,max=900",
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.stderr.contains("LS001"), "{}", r.stderr);
    let lint = run_in(tmp.path(), &["lint", "imported"]);
    assert_eq!(lint.code, 0, "{lint:?}");
    let spec = std::fs::read_to_string(tmp.path().join("imported/jaffle_shop.yaml")).unwrap();
    assert!(spec.contains("north_star:\n  name: orders\n"), "{spec}");
    assert!(
        spec.contains("guardrails:\n  - name: food_order_share\n"),
        "{spec}"
    );
    let compiled = run_in(
        tmp.path(),
        &["compile", "imported", "--dialect", "duckdb,postgres"],
    );
    assert_eq!(compiled.code, 0, "{compiled:?}");
    // The joined dimension's source reads the dimension table once per key.
    assert!(
        compiled
            .stdout
            .contains("GROUP BY customer_id) AS j1 ON f.customer_id = j1.mf_key"),
        "{}",
        compiled.stdout
    );
    // Importing again replaces the files in place.
    let again = run_in(
        tmp.path(),
        &[
            "import",
            "metricflow",
            &shop(),
            "--out",
            "imported",
            "--grain",
            "week",
        ],
    );
    assert_eq!(again.code, 0, "{again:?}");
    let spec = std::fs::read_to_string(tmp.path().join("imported/jaffle_shop.yaml")).unwrap();
    assert!(
        spec.contains("grain: week") && !spec.contains("grain: day"),
        "{spec}"
    );
}

#[test]
fn metricflow_native_documents_are_read() {
    let tmp = scratch(&[]);
    let native = fixture_path("import/native").display().to_string();
    let r = run_in(
        tmp.path(),
        &[
            "import",
            "metricflow",
            &native,
            "--out",
            "out",
            "--north-star",
            "paid_active_users",
            "--guardrail",
            "events_per_user:min=1",
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr.contains("imported 4 of 4 MetricFlow metrics"),
        "{}",
        r.stderr
    );
    let spec = std::fs::read_to_string(tmp.path().join("out/native.yaml")).unwrap();
    assert!(
        spec.contains("product: native"),
        "the directory names the product:\n{spec}"
    );
    assert!(spec.contains("filter: user__plan = 'paid'"), "{spec}");
    // A YAML folded scalar may wrap the SELECT anywhere: compared word by word.
    let words = spec.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("from main.events as f left join (select user_id as mf_key, min(plan) as user__plan from main.users group by user_id) as j1 on f.user_id = j1.mf_key"),
        "{spec}"
    );
    assert_eq!(run_in(tmp.path(), &["lint", "out"]).code, 0);
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let metrics =
        std::fs::read_to_string(fixture_path("import/shop/models/marts/metrics.yml")).unwrap();
    let orders =
        std::fs::read_to_string(fixture_path("import/shop/models/marts/orders.yml")).unwrap();
    let broken = metrics.edit("  - name: orders\n", "  - name: orders\n   bad: [\n");
    let tmp = scratch(&[
        ("good/metrics.yml", &metrics),
        ("good/orders.yml", &orders),
        ("broken/metrics.yml", &broken),
        ("broken/orders.yml", &orders),
    ]);
    let cases: &[(&[&str], &str)] = &[
        (
            &["import", "metricflow", "missing", "--out", "out"],
            "cannot read missing",
        ),
        (
            &["import", "metricflow", "broken", "--out", "out"],
            "metrics.yml: invalid YAML",
        ),
        (
            &[
                "import",
                "metricflow",
                "good",
                "--out",
                "out",
                "--north-star",
                "revenu",
            ],
            "did you mean `revenue`?",
        ),
        (
            &[
                "import",
                "metricflow",
                "good",
                "--out",
                "out",
                "--guardrail",
                "revenue",
            ],
            "--guardrail revenue: `revenue` has no `:`",
        ),
        (
            &[
                "import",
                "metricflow",
                "good",
                "--out",
                "out",
                "--guardrail",
                "revenue:max=x",
            ],
            "is not a number",
        ),
        (
            &[
                "import",
                "metricflow",
                "good",
                "--out",
                "out",
                "--north-star",
                "ending_balance",
            ],
            "non_additive_dimension",
        ),
    ];
    for (args, message) in cases {
        let r = run_in(tmp.path(), args);
        assert_eq!(r.code, 2, "{args:?}: {r:?}");
        assert!(r.stderr.contains(message), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("help:"), "{args:?}: {}", r.stderr);
        assert!(!tmp.path().join("out").exists(), "{args:?} wrote something");
    }
    // Nor a temporary directory beside it.
    let left: Vec<String> = files_in(tmp.path())
        .into_iter()
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn an_out_that_is_a_file_is_refused() {
    let metrics =
        std::fs::read_to_string(fixture_path("import/shop/models/marts/metrics.yml")).unwrap();
    let orders =
        std::fs::read_to_string(fixture_path("import/shop/models/marts/orders.yml")).unwrap();
    let tmp = scratch(&[
        ("mf/metrics.yml", &metrics),
        ("mf/orders.yml", &orders),
        ("out", "x"),
    ]);
    let r = run_in(tmp.path(), &["import", "metricflow", "mf", "--out", "out"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr.contains("exists and is not a directory"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("out")).unwrap(),
        "x"
    );
}
