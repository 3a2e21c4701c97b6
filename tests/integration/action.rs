//! `action.yml`, the composite GitHub Action, run the way a runner runs it: each `bash` step's
//! script with its `env` (the `${{ ... }}` expressions filled in as GitHub would for a pull
//! request), `bash --noprofile --norc -eo pipefail`, and the runner's files (`GITHUB_OUTPUT`,
//! `GITHUB_STEP_SUMMARY`, `RUNNER_TEMP`), in a git repository with a base and a head commit.
//! What cannot run here is GitHub itself: the `if:` conditions are chosen by each test, and the
//! SARIF upload step (`uses:`) is checked for its inputs only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn action() -> Value {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml"))
        .expect("action.yml");
    serde_saphyr::from_str(&text).expect("action.yml is YAML")
}

fn step<'a>(action: &'a Value, name: &str) -> &'a Value {
    action["runs"]["steps"]
        .as_array()
        .expect("runs.steps")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step named `{name}` in action.yml"))
}

/// Replaces every `${{ expr }}` with its value in `ctx` (an unknown expression fails the test).
fn expand(text: &str, ctx: &BTreeMap<&str, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("${{") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find("}}").expect("closed expression") + i;
        let expr = rest[i + 3..end].trim();
        let value = ctx
            .get(expr)
            .unwrap_or_else(|| panic!("the test does not know `{expr}`"));
        out.push_str(value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

struct Runner {
    repo: tempfile::TempDir,
    temp: tempfile::TempDir,
    ctx: BTreeMap<&'static str, String>,
}

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Runner {
    /// A repository whose base commit has a clean spec and whose head commit changes the North
    /// Star's filter (breaking) and leaves one metric without an owner (an LS004 error).
    fn new(inputs: &[(&'static str, &str)]) -> Runner {
        let repo = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let out = Command::new("git")
                .arg("-C")
                .arg(repo.path())
                .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
                .args(args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap().trim().to_owned()
        };
        git(&["init", "-q", "-b", "main"]);
        let spec = std::fs::read_to_string("tests/fixtures/valid/marketplace.yaml").unwrap();
        std::fs::create_dir_all(repo.path().join("metrics")).unwrap();
        std::fs::write(repo.path().join("metrics/marketplace.yaml"), &spec).unwrap();
        git(&["add", "."]);
        git(&["commit", "-q", "-m", "base"]);
        let base = git(&["rev-parse", "HEAD"]);
        let head = spec
            .replacen(
                "filter: status = 'confirmed'",
                "filter: status <> 'cancelled'",
                1,
            )
            .replacen("    owner: supply\n", "", 1);
        assert_ne!(head, spec);
        std::fs::write(repo.path().join("metrics/marketplace.yaml"), head).unwrap();
        git(&["commit", "-q", "-am", "head"]);

        let temp = tempfile::tempdir().unwrap();
        let mut ctx: BTreeMap<&str, String> = BTreeMap::new();
        let defaults = action();
        for (name, input) in defaults["inputs"].as_object().unwrap() {
            let key: &'static str = Box::leak(format!("inputs.{name}").into_boxed_str());
            let given = inputs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string());
            let default = input["default"].as_str().unwrap_or("").to_owned();
            ctx.insert(key, given.unwrap_or(default));
        }
        ctx.insert("github.action_path", env!("CARGO_MANIFEST_DIR").to_owned());
        ctx.insert("github.action_repository", String::new());
        ctx.insert("github.event.pull_request.base.sha", base);
        ctx.insert("steps.sarif.outputs.file", String::new());
        Runner { repo, temp, ctx }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.temp.path().join(name)
    }

    /// Runs one `bash` step as a runner would, in the repository.
    fn run(&self, name: &str) -> Ran {
        let action = action();
        let s = step(&action, name);
        assert_eq!(s["shell"], "bash", "{name}");
        let script = s["run"].as_str().expect("run");
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_lodestar")).parent().unwrap();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(self.repo.path())
            .env("PATH", path)
            .env("NO_COLOR", "1")
            .env("LODESTAR_TODAY", "2026-11-01")
            .env("RUNNER_TEMP", self.temp.path())
            .env("GITHUB_OUTPUT", self.file("output"))
            .env("GITHUB_STEP_SUMMARY", self.file("summary"))
            .env("GITHUB_REPOSITORY", "example/metrics")
            .env("GITHUB_SERVER_URL", "https://github.com");
        if let Some(env) = s["env"].as_object() {
            for (k, v) in env {
                cmd.env(k, expand(v.as_str().unwrap_or(""), &self.ctx));
            }
        }
        let out = cmd.output().unwrap();
        Ran {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

#[test]
fn every_step_is_known_and_every_expression_is_filled() {
    let action = action();
    assert_eq!(action["runs"]["using"], "composite");
    let runner = Runner::new(&[]);
    for s in action["runs"]["steps"].as_array().unwrap() {
        if s.get("uses").is_some() {
            // The upload step: it reads the SARIF step's output.
            let with = s["with"]["sarif_file"].as_str().unwrap();
            assert_eq!(with, "${{ steps.sarif.outputs.file }}");
            continue;
        }
        assert_eq!(s["shell"], "bash", "{s}");
        for v in s["env"].as_object().into_iter().flatten() {
            expand(v.1.as_str().unwrap(), &runner.ctx);
        }
    }
}

#[test]
fn install_lint_and_sarif_steps() {
    let runner = Runner::new(&[("sarif", "true")]);
    // lodestar is on PATH, so the install step only reports it.
    let install = runner.run("Install lodestar");
    assert_eq!(install.code, 0, "{}", install.stderr);
    assert!(
        install.stdout.contains("lodestar already installed"),
        "{}",
        install.stdout
    );

    // The head commit has an error: the lint step fails with a GitHub annotation on its line.
    let lint = runner.run("lodestar lint");
    assert_eq!(lint.code, 1, "{}{}", lint.stdout, lint.stderr);
    assert!(
        lint.stdout.lines().any(
            |l| l.starts_with("::error file=metrics/marketplace.yaml,line=") && l.contains("LS004")
        ),
        "{}",
        lint.stdout
    );

    // The SARIF step succeeds anyway (findings are data) and names its file in GITHUB_OUTPUT.
    let sarif = runner.run("lodestar lint (SARIF)");
    assert_eq!(sarif.code, 0, "{}", sarif.stderr);
    let output = std::fs::read_to_string(runner.file("output")).unwrap();
    let file = output
        .lines()
        .find_map(|l| l.strip_prefix("file="))
        .expect("file= in GITHUB_OUTPUT");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "LS004"), "{doc}");
}

#[test]
fn lint_with_a_baseline_passes_on_known_findings() {
    let runner = Runner::new(&[("baseline", "lodestar-baseline.json")]);
    let out = Command::new(env!("CARGO_BIN_EXE_lodestar"))
        .current_dir(runner.repo.path())
        .env("LODESTAR_TODAY", "2026-11-01")
        .args(["lint", ".", "--write-baseline", "lodestar-baseline.json"])
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
    let lint = runner.run("lodestar lint");
    assert_eq!(lint.code, 0, "{}{}", lint.stdout, lint.stderr);
}

#[test]
fn diff_step_annotates_and_fails_on_breaking() {
    let runner = Runner::new(&[("diff", "true"), ("diff-fail-on", "breaking")]);
    let diff = runner.run("lodestar diff");
    assert_eq!(diff.code, 1, "{}{}", diff.stdout, diff.stderr);
    assert!(
        diff.stdout
            .lines()
            .any(|l| l.starts_with("::error file=metrics/marketplace.yaml,")
                && l.contains("breaking")),
        "{}",
        diff.stdout
    );
    // The job summary has the report even though the step failed.
    let summary = std::fs::read_to_string(runner.file("summary")).unwrap_or_default();
    assert!(summary.contains("breaking"), "{summary}");

    // Without a threshold the step passes, and the job summary gets the markdown report.
    let runner = Runner::new(&[("diff", "true")]);
    let diff = runner.run("lodestar diff");
    assert_eq!(diff.code, 0, "{}{}", diff.stdout, diff.stderr);
    let summary = std::fs::read_to_string(runner.file("summary")).unwrap();
    assert!(summary.contains("breaking"), "{summary}");
}
