//! `lodestar export --to metricflow|osi`: the round trip lodestar → MetricFlow → lodestar with
//! equal numbers on data for every exported metric (tests/metricflow/roundtrip.py),
//! MetricFlow's own parser and validator accepting the export
//! (tests/metricflow/validate_export.py), the framework's facts kept in MetricFlow's meta and
//! OSI's extensions, OSI's v0.1.1 structure, and bad input refused with nothing written.
//!
//! The Python checks need the venv of `bash scripts/install-engines.sh` ($LODESTAR_VENV,
//! default ~/.cache/lodestar/venv) with duckdb, pyyaml and metricflow; without it they are
//! skipped loudly, and with `CI=true` a missing venv is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use lodestar::model::Role;
use lodestar::project;

use crate::common::{fixture_path, root, run_in, scratch, today};

fn python() -> PathBuf {
    let venv = std::env::var_os("LODESTAR_VENV")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/lodestar/venv")))
        .unwrap_or_else(|| PathBuf::from(".venv"));
    venv.join("bin/python")
}

/// Whether the venv's python can import `modules`; else skips (locally) or fails (CI).
fn ready(what: &str, modules: &str) -> bool {
    let py = python();
    let ok = py.exists()
        && Command::new(&py)
            .args(["-c", &format!("import {modules}")])
            .output()
            .is_ok_and(|o| o.status.success());
    if ok {
        return true;
    }
    let msg = format!(
        "{} cannot import {modules}; install it with: bash scripts/install-engines.sh",
        py.display()
    );
    assert!(
        !std::env::var("CI").is_ok_and(|v| v == "true" || v == "1"),
        "CI=true and {msg}"
    );
    eprintln!("\n*** SKIPPED {what}: {msg} ***\n");
    false
}

fn script(name: &str, args: &[&std::ffi::OsStr]) -> (bool, String) {
    let out = Command::new(python())
        .arg(root().join("tests/metricflow").join(name))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {name}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{text}");
    (out.status.success(), text)
}

/// The reference specs and the conformance project (every metric kind at every grain).
fn projects() -> [(PathBuf, PathBuf); 2] {
    [
        (root().join("specs"), root().join("examples/data")),
        (
            root().join("tests/crossengine/conformance/spec"),
            root().join("tests/crossengine/conformance/data"),
        ),
    ]
}

#[test]
fn metricflow_round_trip_gives_equal_numbers_for_every_exported_metric() {
    if !ready("export round trip", "duckdb, yaml") {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_lodestar");
    for (spec, data) in projects() {
        let tmp = scratch(&[]);
        let (ok, out) = script(
            "roundtrip.py",
            &[
                spec.as_os_str(),
                data.as_os_str(),
                "--lodestar".as_ref(),
                bin.as_ref(),
                "--work".as_ref(),
                tmp.path().as_os_str(),
            ],
        );
        assert!(ok, "round trip of {}:\n{out}", spec.display());
        // Every metric the export carries is compared: 44 of the reference specs' 46 (a
        // `having` and the metric computed from it are reported instead), 218 of the
        // conformance project's 227.
        let expected = if spec.ends_with("specs") { 44 } else { 218 };
        assert!(
            out.contains(&format!(
                "round trip: {expected} metrics compared on the data, 0 problem(s)"
            )),
            "{out}"
        );
    }
}

#[test]
fn metricflow_validator_accepts_the_export() {
    if !ready(
        "MetricFlow validation of the export",
        "metricflow_semantic_interfaces, yaml",
    ) {
        return;
    }
    for (spec, _) in projects() {
        let tmp = scratch(&[]);
        let out = tmp.path().join("mf");
        let r = run_in(
            root(),
            &[
                "export",
                spec.to_str().unwrap(),
                "--to",
                "metricflow",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(r.code, 0, "{r:?}");
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        assert!(dirs.len() == 5, "one directory per product: {dirs:?}");
        let args: Vec<&std::ffi::OsStr> = dirs.iter().map(|d| d.as_os_str()).collect();
        let (ok, text) = script("validate_export.py", &args);
        assert!(
            ok,
            "MetricFlow refuses the export of {}:\n{text}",
            spec.display()
        );
        assert_eq!(
            text.matches("accepted by MetricFlow's validator").count(),
            5,
            "{text}"
        );
    }
}

/// The roles, owners, types, grains, thresholds and targets MetricFlow has no key for are in
/// each metric's `config.meta.lodestar`, equal to the spec's.
#[test]
fn metricflow_meta_holds_the_framework() {
    let tmp = scratch(&[]);
    let out = tmp.path().join("mf");
    let r = run_in(
        root(),
        &[
            "export",
            "specs",
            "--to",
            "metricflow",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let ws = project::load(&[root().join("specs")]).unwrap();
    let model = project::analyze(&ws, today()).project;
    let mut seen = 0;
    for product in &model.products {
        let text =
            std::fs::read_to_string(out.join(&product.name.value).join("metrics.yaml")).unwrap();
        let docs: Vec<serde_json::Value> = text
            .split("\n---\n")
            .skip(1)
            .map(|d| serde_saphyr::from_str(d).unwrap())
            .collect();
        for m in &product.metrics {
            let Some(doc) = docs
                .iter()
                .map(|d| &d["metric"])
                .find(|d| d["name"] == m.name.value.as_str())
            else {
                continue; // not carried over: EXPORT.md says why
            };
            seen += 1;
            let meta = &doc["config"]["meta"]["lodestar"];
            let role = match m.role {
                Role::NorthStar => "north_star",
                Role::Input => "input",
                Role::Guardrail => "guardrail",
                Role::Outcome => "outcome",
            };
            assert_eq!(meta["role"], role, "{}", m.name.value);
            assert_eq!(
                meta["owner"].as_str(),
                m.owner.as_ref().map(|o| o.value.as_str())
            );
            assert_eq!(
                meta["type"].as_str(),
                m.metric_type.as_ref().map(|t| t.value.as_str())
            );
            assert_eq!(meta["grain"], m.grain.value.as_str());
            assert_eq!(doc["time_granularity"], m.grain.value.as_str());
            let th = m.threshold.as_ref();
            assert_eq!(
                meta["threshold"]["min"].as_f64(),
                th.and_then(|t| t.min.as_ref()).map(|v| v.value)
            );
            assert_eq!(
                meta["threshold"]["max"].as_f64(),
                th.and_then(|t| t.max.as_ref()).map(|v| v.value)
            );
            assert_eq!(
                meta["targets"].as_array().map_or(0, Vec::len),
                m.targets.len(),
                "{}",
                m.name.value
            );
        }
    }
    assert_eq!(seen, 44);
}

/// The keys OSI core spec v0.1.1 allows on each object (its JSON Schema sets
/// `additionalProperties: false` everywhere), and those it requires.
const OSI: &[(&str, &[&str], &[&str])] = &[
    (
        "root",
        &["version", "dialects", "vendors", "semantic_model"],
        &["version", "semantic_model"],
    ),
    (
        "semantic_model",
        &[
            "name",
            "description",
            "ai_context",
            "datasets",
            "relationships",
            "metrics",
            "custom_extensions",
        ],
        &["name", "datasets"],
    ),
    (
        "dataset",
        &[
            "name",
            "source",
            "primary_key",
            "unique_keys",
            "description",
            "ai_context",
            "fields",
            "custom_extensions",
        ],
        &["name", "source"],
    ),
    (
        "field",
        &[
            "name",
            "expression",
            "dimension",
            "label",
            "description",
            "ai_context",
            "custom_extensions",
        ],
        &["name", "expression"],
    ),
    (
        "metric",
        &[
            "name",
            "expression",
            "description",
            "ai_context",
            "custom_extensions",
        ],
        &["name", "expression"],
    ),
    ("expression", &["dialects"], &["dialects"]),
    (
        "dialect",
        &["dialect", "expression"],
        &["dialect", "expression"],
    ),
    (
        "extension",
        &["vendor_name", "data"],
        &["vendor_name", "data"],
    ),
    ("dimension", &["is_time"], &[]),
];

fn osi_check(what: &str, v: &serde_json::Value, path: &str) {
    let (_, allowed, required) = OSI
        .iter()
        .find(|(w, _, _)| *w == what)
        .expect("a known object");
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("{path}: not an object"));
    for k in obj.keys() {
        assert!(
            allowed.contains(&k.as_str()),
            "{path}: `{k}` is not an OSI v0.1.1 key of {what}"
        );
    }
    for k in *required {
        assert!(obj.contains_key(*k), "{path}: {what} lacks `{k}`");
    }
    let list = |k: &str| {
        obj.get(k).map_or(Vec::new(), |l| {
            l.as_array()
                .unwrap_or_else(|| panic!("{path}.{k}: not a list"))
                .clone()
        })
    };
    let each = |k: &str, kind: &str| {
        for (i, x) in list(k).iter().enumerate() {
            osi_check(kind, x, &format!("{path}.{k}[{i}]"));
        }
    };
    match what {
        "root" => {
            assert_eq!(obj["version"], "0.1.1");
            each("semantic_model", "semantic_model");
        }
        "semantic_model" => {
            assert!(
                !list("datasets").is_empty(),
                "{path}: datasets has minItems 1"
            );
            each("datasets", "dataset");
            each("metrics", "metric");
            each("custom_extensions", "extension");
        }
        "dataset" => {
            each("fields", "field");
            each("custom_extensions", "extension");
        }
        "field" | "metric" => {
            osi_check(
                "expression",
                &obj["expression"],
                &format!("{path}.expression"),
            );
            if let Some(d) = obj.get("dimension") {
                osi_check("dimension", d, &format!("{path}.dimension"));
            }
            each("custom_extensions", "extension");
        }
        "expression" => {
            assert!(
                !list("dialects").is_empty(),
                "{path}: dialects has minItems 1"
            );
            each("dialects", "dialect");
        }
        "dialect" => {
            let d = obj["dialect"].as_str().unwrap();
            assert!(
                ["ANSI_SQL", "SNOWFLAKE", "MDX", "TABLEAU", "DATABRICKS"].contains(&d),
                "{path}: dialect {d}"
            );
            assert!(obj["expression"].is_string(), "{path}");
        }
        "extension" => {
            assert!(obj["vendor_name"].is_string(), "{path}");
            let data = obj["data"]
                .as_str()
                .unwrap_or_else(|| panic!("{path}: data is a string"));
            let _: serde_json::Value = serde_json::from_str(data)
                .unwrap_or_else(|e| panic!("{path}: data is not JSON: {e}"));
        }
        _ => {}
    }
}

#[test]
fn osi_export_follows_the_v0_1_1_structure_and_keeps_the_framework() {
    let tmp = scratch(&[]);
    let out = tmp.path().join("osi");
    let r = run_in(
        root(),
        &[
            "export",
            "specs",
            "--to",
            "osi",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let mut files = 0;
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            files += 1;
            let doc: serde_json::Value =
                serde_saphyr::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            osi_check("root", &doc, &path.display().to_string());
        }
    }
    assert_eq!(files, 5);
    let text = std::fs::read_to_string(out.join("marketplace.osi.yaml")).unwrap();
    let doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let metrics = doc["semantic_model"][0]["metrics"].as_array().unwrap();
    let data = |name: &str| -> serde_json::Value {
        let m = metrics.iter().find(|m| m["name"] == name).unwrap();
        serde_json::from_str(m["custom_extensions"][0]["data"].as_str().unwrap()).unwrap()
    };
    assert_eq!(data("nights_booked")["role"], "north_star");
    assert_eq!(data("nights_booked")["owner"], "growth");
    assert_eq!(data("nights_booked")["targets"][0]["value"], 500.0);
    assert_eq!(data("avg_guest_rating")["role"], "guardrail");
    assert_eq!(data("avg_guest_rating")["threshold"]["min"], 4.5);
    assert_eq!(data("net_revenue")["role"], "outcome");
    assert!(std::fs::read_to_string(out.join("EXPORT.md"))
        .unwrap()
        .contains("# Export to OSI"));
}

#[test]
fn a_project_with_errors_is_refused_and_nothing_is_written() {
    let bad = std::fs::read_to_string(fixture_path("valid/marketplace.yaml"))
        .unwrap()
        .replacen("agg: sum", "agg: total", 1);
    assert!(bad.contains("agg: total"), "the edit matched nothing");
    let tmp = scratch(&[("spec/marketplace.yaml", &bad)]);
    for to in ["metricflow", "osi"] {
        let r = run_in(tmp.path(), &["export", "spec", "--to", to, "--out", "out"]);
        assert_eq!(r.code, 1, "{r:?}");
        assert!(r.stderr.contains("nothing was exported"), "{}", r.stderr);
        assert!(!tmp.path().join("out").exists(), "nothing is written");
    }
}

#[test]
fn the_report_says_what_did_not_carry_over() {
    let tmp = scratch(&[]);
    let r = run_in(
        root(),
        &[
            "export",
            "specs",
            "--to",
            "metricflow",
            "--out",
            tmp.path().join("mf").to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .contains("exported 44 of 46 metrics of 5 product(s) to MetricFlow"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("team_messaging: metric `teams_messaging`: its `having`"),
        "{}",
        r.stderr
    );
    let report = std::fs::read_to_string(tmp.path().join("mf/EXPORT.md")).unwrap();
    assert!(report.contains("## Not carried over"), "{report}");
    assert!(
        report.contains(
            "| team_messaging: metric `messages_per_team` | it is computed from `teams_messaging`"
        ),
        "{report}"
    );
    assert!(
        report.contains("models/reviews.sql"),
        "the sql source's model is reported: {report}"
    );
    assert!(tmp
        .path()
        .join("mf/marketplace/models/reviews.sql")
        .exists());
}

#[test]
fn an_out_that_is_a_file_is_refused() {
    let tmp = scratch(&[("out", "not a directory")]);
    let spec = root().join("specs");
    let r = run_in(
        tmp.path(),
        &[
            "export",
            spec.to_str().unwrap(),
            "--to",
            "osi",
            "--out",
            "out",
        ],
    );
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("is not a directory"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("out")).unwrap(),
        "not a directory"
    );
}
