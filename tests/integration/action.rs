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
        self.run_with(name, None)
    }

    /// Runs one step with `first` ahead of everything on PATH (fake `cargo` and `lodestar`).
    fn run_with(&self, name: &str, first: Option<&Path>) -> Ran {
        let action = action();
        let s = step(&action, name);
        assert_eq!(s["shell"], "bash", "{name}");
        let script = s["run"].as_str().expect("run");
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_lodestar")).parent().unwrap();
        let mut path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        if let Some(first) = first {
            path = format!("{}:{path}", first.display());
        }
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

/// A directory with a fake `cargo` that logs its arguments, and a fake `lodestar` that says
/// it is `version` (after a "cargo install" it says the action's version).
fn fakes(version: &str) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("cargo.log");
    let want = format!("lodestar {}", env!("CARGO_PKG_VERSION"));
    let scripts = [
        (
            "cargo",
            format!(
                "#!/bin/sh\necho \"$*\" >> '{}'\necho '{want}' > '{}'\n",
                log.display(),
                dir.path().join("version").display()
            ),
        ),
        (
            "lodestar",
            format!(
                "#!/bin/sh\ncat '{}'\n",
                dir.path().join("version").display()
            ),
        ),
    ];
    for (name, text) in scripts {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::write(dir.path().join("version"), format!("lodestar {version}\n")).unwrap();
    dir
}

fn cargo_log(fakes: &tempfile::TempDir) -> String {
    std::fs::read_to_string(fakes.path().join("cargo.log")).unwrap_or_default()
}

/// Pinning the action pins the tool: with no `version`, a lodestar of another version on PATH
/// is replaced by a build of the action's own checkout (the ref the workflow pinned).
#[test]
fn install_builds_the_pinned_checkout_when_path_has_another_version() {
    let runner = Runner::new(&[]);
    let fakes = fakes("0.0.1");
    let ran = runner.run_with("Install lodestar", Some(fakes.path()));
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    let log = cargo_log(&fakes);
    assert_eq!(
        log.trim(),
        format!(
            "install --locked --no-default-features --force --path {}",
            env!("CARGO_MANIFEST_DIR")
        ),
        "{log}"
    );
    assert!(ran
        .stdout
        .contains(&format!("lodestar {}", env!("CARGO_PKG_VERSION"))));
    // The same version already on PATH is used as it is.
    let fakes = fakes_same();
    let ran = runner.run_with("Install lodestar", Some(fakes.path()));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.contains("already installed"), "{}", ran.stdout);
    assert_eq!(cargo_log(&fakes), "");
}

fn fakes_same() -> tempfile::TempDir {
    fakes(env!("CARGO_PKG_VERSION"))
}

/// `version: REV` installs that revision of the action's own repository, read off the
/// checkout's path when `github.action_repository` is empty (as it is in composite actions),
/// never the user's repository.
#[test]
fn install_of_a_revision_reads_the_repository_off_the_action_path() {
    let mut runner = Runner::new(&[("version", "abc123")]);
    runner.ctx.insert(
        "github.action_path",
        "/home/runner/work/_actions/acme/lodestar/v2".to_owned(),
    );
    let fakes = fakes("0.0.1");
    let ran = runner.run_with("Install lodestar", Some(fakes.path()));
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    let log = cargo_log(&fakes);
    assert_eq!(
        log.trim(),
        "install --locked --no-default-features --force --git https://github.com/acme/lodestar --rev abc123 lodestar",
        "{log}"
    );
    assert!(!log.contains("example/metrics"), "{log}");
    // When the runner does fill in the repository, it wins.
    runner
        .ctx
        .insert("github.action_repository", "other/lodestar".to_owned());
    let fakes = fakes_same();
    let ran = runner.run_with("Install lodestar", Some(fakes.path()));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(cargo_log(&fakes).contains("--git https://github.com/other/lodestar --rev abc123"));
    // A checkout outside `_actions` (e.g. `uses: ./`) with a revision: refused, not guessed.
    runner.ctx.insert("github.action_repository", String::new());
    runner.ctx.insert(
        "github.action_path",
        "/home/runner/work/metrics/metrics".to_owned(),
    );
    let fakes = fakes_same();
    let ran = runner.run_with("Install lodestar", Some(fakes.path()));
    assert_eq!(ran.code, 2, "{}", ran.stdout);
    assert!(ran
        .stdout
        .contains("::error title=lodestar::cannot tell which repository"));
    assert_eq!(cargo_log(&fakes), "");
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

/// The pre-commit hooks run the lodestar of their own revision: every `script` hook's entry is
/// an executable of this repository, and that script builds lodestar from the clone once (with
/// the arguments a pinned build needs) and then runs it with the hook's arguments.
#[test]
fn pre_commit_hooks_build_their_own_revision_once() {
    use std::os::unix::fs::PermissionsExt;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let hooks: Value = serde_saphyr::from_str(
        &std::fs::read_to_string(root.join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let hooks = hooks.as_array().expect("a list of hooks");
    let ids: Vec<&str> = hooks.iter().filter_map(|h| h["id"].as_str()).collect();
    for id in ["lodestar-lint", "lodestar-fmt", "lodestar-fmt-check"] {
        assert!(ids.contains(&id), "{ids:?}");
        assert!(ids.contains(&format!("{id}-system").as_str()), "{ids:?}");
    }
    for h in hooks.iter().filter(|h| h["language"] == "script") {
        let entry = h["entry"].as_str().unwrap();
        let script = root.join(entry.split(' ').next().unwrap());
        let mode = std::fs::metadata(&script).unwrap().permissions().mode();
        assert!(mode & 0o111 != 0, "{} is not executable", script.display());
    }

    // A clone of the hook repository, with a fake cargo that "builds" a lodestar echoing its
    // arguments.
    let clone = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(clone.path().join("scripts")).unwrap();
    let hook = clone.path().join("scripts/pre-commit-hook");
    std::fs::copy(root.join("scripts/pre-commit-hook"), &hook).unwrap();
    let bin = tempfile::tempdir().unwrap();
    let log = bin.path().join("cargo.log");
    let cargo = bin.path().join("cargo");
    std::fs::write(
        &cargo,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nwhile [ \"$1\" != --root ]; do shift; done\n\
             mkdir -p \"$2/bin\"\nprintf '#!/bin/sh\\necho built: \"$@\"\\n' > \"$2/bin/lodestar\"\n\
             chmod +x \"$2/bin/lodestar\"\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = || {
        Command::new(&hook)
            .args(["fmt", "--check", "metrics/"])
            .env("PATH", format!("{}:/usr/bin:/bin", bin.path().display()))
            .output()
            .unwrap()
    };
    for _ in 0..2 {
        let out = run();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "built: fmt --check metrics/"
        );
    }
    let clone_path = clone.path().canonicalize().unwrap();
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        format!(
            "install --locked --quiet --no-default-features --path {0} --root {0}/.pre-commit-lodestar\n",
            clone_path.display()
        ),
        "built once, from the clone, into the clone"
    );
}
