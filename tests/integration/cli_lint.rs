//! `lodestar lint` end to end: the real binary on fixture projects, with stdout, stderr and
//! the exit code pinned for every output format.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const FORMATS: &[&str] = &["human", "concise", "json", "github", "sarif"];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// What a snapshot pins: exit code, stdout and stderr.
    fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// The transcript, with SARIF's rule table (every rule's documentation, pinned by the
    /// rules' own tests) cut down to the rule ids.
    fn transcript_for(&self, format: &str) -> String {
        if format != "sarif" {
            return self.transcript();
        }
        let mut doc: Value = serde_json::from_str(&self.stdout).expect("valid JSON");
        let rules = &mut doc["runs"][0]["tool"]["driver"]["rules"];
        let ids: Vec<Value> = rules
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].clone())
            .collect();
        *rules = Value::Array(ids);
        let stdout = serde_json::to_string_pretty(&doc).unwrap() + "\n";
        Run {
            stdout,
            stderr: self.stderr.clone(),
            ..*self
        }
        .transcript()
    }
}

/// Runs `lodestar lint ARGS` in `cwd` with a fixed environment: no colour, a fixed date and
/// terminal width.
fn lint(cwd: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_lodestar"))
        .arg("lint")
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("LODESTAR_TODAY", "2026-11-22")
        .env("COLUMNS", "100")
        .env("TERM", "xterm")
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

#[test]
fn valid_spec_is_clean_in_every_format() {
    for format in FORMATS {
        let run = lint(&fixture("valid"), &["marketplace.yaml", "--format", format]);
        assert_eq!(run.code, 0, "{format}: {}", run.transcript());
        assert_eq!(run.stderr, "", "{format}");
        insta::assert_snapshot!(format!("valid_{format}"), run.transcript_for(format));
    }
}

/// The reference spec in the DSL is as clean as in YAML. (The two files describe the same
/// product, so together they are one product declared twice: each is linted alone.)
#[test]
fn valid_dsl_spec_is_clean() {
    let run = lint(
        &fixture("valid"),
        &["marketplace.lode", "--format", "concise"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(run.stdout, "All checks passed.\n");
    assert_eq!(run.stderr, "");
}

#[test]
fn project_with_findings_in_every_format() {
    for format in FORMATS {
        let run = lint(&fixture("cli"), &["--format", format]);
        assert_eq!(run.code, 1, "{format}: {}", run.transcript());
        assert!(
            !run.stdout.contains('\u{1b}'),
            "{format}: colour with NO_COLOR set"
        );
        insta::assert_snapshot!(format!("cli_{format}"), run.transcript_for(format));
    }
}

#[test]
fn json_is_a_versioned_document() {
    let run = lint(&fixture("cli"), &["--format", "json"]);
    let doc: Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["tool"]["name"], "lodestar");
    let diagnostics = doc["diagnostics"].as_array().unwrap();
    assert!(!diagnostics.is_empty());
    let errors = diagnostics
        .iter()
        .filter(|d| d["severity"] == "error")
        .count();
    assert_eq!(doc["summary"]["errors"], errors);
    assert_eq!(doc["summary"]["warnings"], diagnostics.len() - errors);
    for d in diagnostics {
        assert!(d["code"].as_str().unwrap().starts_with("LS"));
        assert_eq!(d["file"], "specs/shop.yaml", "{d}");
        assert!(d["span"]["start"]["line"].as_u64().unwrap() >= 1);
        assert_eq!(d["labels"][0]["span"], d["span"]);
    }
}

/// The fields SARIF 2.1.0 requires, and those GitHub code scanning reads.
#[test]
fn sarif_has_the_required_structure() {
    let run = lint(&fixture("cli"), &["--format", "sarif"]);
    let doc: Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "lodestar");
    assert!(driver["version"].is_string());
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for code in ["LS001", "LS008", "LS101", "LS107", "LS901"] {
        assert!(ids.contains(&code), "rule {code} missing");
    }
    for rule in rules {
        assert!(rule["shortDescription"]["text"].is_string());
        assert!(rule["fullDescription"]["text"].is_string());
        assert!(rule["help"]["markdown"].is_string());
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning"].contains(&level));
    }
    let results = runs[0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"], id);
        assert!(["error", "warning", "note", "none"].contains(&r["level"].as_str().unwrap()));
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "specs/shop.yaml");
        let region = &loc["region"];
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[key].as_u64().unwrap() >= 1, "{key} in {r}");
        }
        assert!(region["endLine"].as_u64() >= region["startLine"].as_u64());
    }
}

#[test]
fn github_annotations_are_workflow_commands() {
    let run = lint(&fixture("cli"), &["--format", "github"]);
    assert!(!run.stdout.is_empty());
    for line in run.stdout.lines() {
        assert!(
            line.starts_with("::error file=") || line.starts_with("::warning file="),
            "{line}"
        );
        assert!(line.contains(",title=LS"), "{line}");
    }
}

#[test]
fn missing_path_is_a_failure() {
    let run = lint(&fixture("cli"), &["no/such/spec.yaml"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("no/such/spec.yaml: no such file or directory"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn directory_without_specs_is_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a spec").unwrap();
    std::fs::write(dir.path().join("dbt.yaml"), "models: []\n").unwrap();
    let run = lint(dir.path(), &[]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("no spec files"), "{}", run.stderr);
    assert!(run.stderr.contains("lodestar init"), "{}", run.stderr);
}

#[test]
fn broken_config_is_a_failure_that_still_reports() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lodestar.toml"),
        "[rules]\nLS999 = \"error\"\n",
    )
    .unwrap();
    std::fs::copy(
        fixture("valid/marketplace.yaml"),
        dir.path().join("marketplace.yaml"),
    )
    .unwrap();
    let run = lint(dir.path(), &["--format", "concise"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stdout.contains("lodestar.toml:2:1: LS905"),
        "{}",
        run.stdout
    );
}

/// Copies the `cli` fixture into a temporary directory that a test may change.
fn scratch_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("specs")).unwrap();
    for file in ["lodestar.toml", "specs/owners.yaml", "specs/shop.yaml"] {
        std::fs::copy(fixture("cli").join(file), dir.path().join(file)).unwrap();
    }
    dir
}

#[test]
fn baseline_hides_known_findings_and_reports_new_ones() {
    let dir = scratch_project();
    let root = dir.path();

    let written = lint(root, &["--write-baseline", "baseline.json"]);
    assert_eq!(written.code, 0, "{}", written.transcript());
    assert_eq!(written.stdout, "");
    assert!(written.stderr.starts_with("wrote "), "{}", written.stderr);
    let baseline: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("baseline.json")).unwrap())
            .unwrap();
    assert_eq!(baseline["version"], 1);
    let known = baseline["findings"].as_array().unwrap();
    let today = lint(root, &["--format", "json"]);
    let today: Value = serde_json::from_str(&today.stdout).unwrap();
    assert_eq!(known.len(), today["diagnostics"].as_array().unwrap().len());
    assert!(known
        .iter()
        .all(|k| k["file"] == "specs/shop.yaml" && k["fingerprint"].is_string()));
    // Nothing but the baseline was written: no temporary file is left behind.
    let mut entries: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    assert_eq!(entries, ["baseline.json", "lodestar.toml", "specs"]);

    let clean = lint(
        root,
        &["--baseline", "baseline.json", "--format", "concise"],
    );
    assert_eq!(clean.code, 0, "{}", clean.transcript());
    assert_eq!(clean.stdout, "All checks passed.\n");
    assert!(clean.stderr.contains("known finding"), "{}", clean.stderr);

    // Lines move: the known findings stay known.
    let shop = root.join("specs/shop.yaml");
    let text = std::fs::read_to_string(&shop).unwrap();
    let moved = text.replacen(
        "description: A small web shop.\n",
        "description: A small web shop.\n\n# moved\n\n",
        1,
    );
    std::fs::write(&shop, &moved).unwrap();
    let still_clean = lint(
        root,
        &["--baseline", "baseline.json", "--format", "concise"],
    );
    assert_eq!(still_clean.code, 0, "{}", still_clean.transcript());

    // A new error is reported, alone, from the same baseline; and run from another directory.
    let broken = moved.replacen(
        "    owner: growth\n    type: page_views",
        "    owner: nobody\n    type: page_views",
        1,
    );
    assert_ne!(broken, moved);
    std::fs::write(&shop, broken).unwrap();
    let new = lint(
        &root.join("specs"),
        &["--baseline", "../baseline.json", "--format", "concise"],
    );
    assert_eq!(new.code, 1, "{}", new.transcript());
    let findings: Vec<&str> = new.stdout.lines().filter(|l| l.contains(": LS")).collect();
    assert_eq!(findings.len(), 1, "{}", new.stdout);
    assert!(
        findings[0].contains("LS004") && findings[0].contains("nobody"),
        "{}",
        new.stdout
    );
}

#[test]
fn baseline_that_cannot_be_read_is_a_failure() {
    let dir = scratch_project();
    let missing = lint(dir.path(), &["--baseline", "nope.json"]);
    assert_eq!(missing.code, 2, "{}", missing.transcript());
    assert!(
        missing.stderr.contains("cannot read baseline nope.json"),
        "{}",
        missing.stderr
    );

    std::fs::write(dir.path().join("bad.json"), "{\"findings\": 3}").unwrap();
    let bad = lint(dir.path(), &["--baseline", "bad.json"]);
    assert_eq!(bad.code, 2, "{}", bad.transcript());
    assert!(
        bad.stderr.contains("bad.json is not a lodestar baseline"),
        "{}",
        bad.stderr
    );
}

#[test]
fn write_baseline_into_a_missing_directory_is_a_failure() {
    let dir = scratch_project();
    let run = lint(
        dir.path(),
        &["--write-baseline", "no/such/dir/baseline.json"],
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("cannot write no/such/dir/baseline.json"),
        "{}",
        run.stderr
    );
}
