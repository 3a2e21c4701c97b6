//! `lodestar diff`: the comparison on fixture pairs (`tests/fixtures/diff/<case>/previous` and
//! `current`, expected classification in `expected.txt`), and the command on real git
//! repositories.
//!
//! `expected.txt` has one line per change: `level kind product.metric side/file:line`.
//! Regenerate after an intended change with `LODESTAR_BLESS=1 cargo test --test integration diff::` and review
//! the diff of the expected files.

use super::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

use lodestar::diagnostics::Files;
use lodestar::diff::{self, Change, Side};
use lodestar::project::{self, Workspace};

fn line(ws_base: &Workspace, ws_head: &Workspace, case: &Path, c: &Change) -> String {
    let files = if c.side == Side::Base {
        &ws_base.files
    } else {
        &ws_head.files
    };
    line_in(files, case, c)
}

fn line_in(files: &Files, case: &Path, c: &Change) -> String {
    let f = files.get(c.span.file);
    let (ln, _) = f.line_col(c.span.start as usize);
    let path = f.path.replace('\\', "/");
    let case_str = case.to_string_lossy().replace('\\', "/");
    let rel = path
        .split_once(&format!("{case_str}/"))
        .map(|(_, r)| r.to_owned())
        .unwrap_or(path.clone());
    let subject = match &c.metric {
        Some(m) if c.product.is_empty() => m.clone(),
        Some(m) => format!("{}.{m}", c.product),
        None => c.product.clone(),
    };
    format!("{} {} {subject} {rel}:{ln}", c.level.as_str(), c.kind)
}

#[test]
fn fixture_pairs() {
    let root = Path::new("tests/fixtures/diff");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 10,
        "expected the fixture cases under {}",
        root.display()
    );
    let bless = std::env::var_os("LODESTAR_BLESS").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let base_ws = project::load(&[case.join("previous")]).unwrap();
        let head_ws = project::load(&[case.join("current")]).unwrap();
        let base = project::analyze(&base_ws, today());
        let head = project::analyze(&head_ws, today());
        // BASE is always a valid project; HEAD may have errors (an owner removed while used).
        let errors: Vec<_> = base.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(
            errors.is_empty(),
            "{}/previous has errors: {errors:?}",
            case.display()
        );
        let changes = diff::compare(&base.project, &head.project);
        let mut actual: String = changes
            .iter()
            .map(|c| line(&base_ws, &head_ws, case, c) + "\n")
            .collect();
        if actual.is_empty() {
            actual = "none\n".to_owned();
        }
        // What `lodestar diff` runs (both sides over one table of files) finds the same.
        let (files, b, h) = lodestar::project::resolve_both(&base_ws, &head_ws);
        let mut shared: String = diff::compare(&b.project, &h.project)
            .iter()
            .map(|c| line_in(&files, case, c) + "\n")
            .collect();
        if shared.is_empty() {
            shared = "none\n".to_owned();
        }
        assert_eq!(shared, actual, "{}: resolve_both", case.display());
        let expected_path = case.join("expected.txt");
        if bless {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- actual\n{actual}",
                case.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "diff fixtures differ (LODESTAR_BLESS=1 to regenerate):\n{}",
        failures.join("\n")
    );
}

/// A file with the same path and text at both revisions is one file in the shared table (parsed
/// once); a changed file is two, and each side's spans point at its own text.
#[test]
fn resolve_both_shares_unchanged_files() {
    let dir = tempfile::tempdir().unwrap();
    let case = Path::new("tests/fixtures/diff/input_changed");
    let copy = |from: &Path, to: &Path| {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    };
    // The same relative paths on both sides, as at two git revisions.
    copy(&case.join("previous"), &dir.path().join("base"));
    copy(&case.join("current"), &dir.path().join("head"));
    for side in ["base", "head"] {
        let other = Path::new("tests/fixtures/valid/marketplace.yaml");
        std::fs::copy(other, dir.path().join(side).join("marketplace.yaml")).unwrap();
    }
    let load = |side: &str| {
        let ws = project::load(&[dir.path().join(side)]).unwrap();
        let mut rel = Workspace::default();
        for spec in &ws.specs {
            let f = ws.files.get(spec.id);
            let name = Path::new(&f.path).file_name().unwrap().to_string_lossy();
            let id = rel.files.add(name.into_owned(), f.text.clone());
            rel.specs.push(project::SpecFile {
                id,
                syntax: spec.syntax,
                path: PathBuf::from(&f.path),
            });
        }
        rel
    };
    let (base_ws, head_ws) = (load("base"), load("head"));
    let changed: Vec<String> = base_ws
        .specs
        .iter()
        .zip(&head_ws.specs)
        .filter(|(b, h)| base_ws.files.get(b.id).text != head_ws.files.get(h.id).text)
        .map(|(b, _)| base_ws.files.get(b.id).path.clone())
        .collect();
    assert!(!changed.is_empty() && changed.len() < base_ws.specs.len());
    let (files, b, h) = lodestar::project::resolve_both(&base_ws, &head_ws);
    assert_eq!(files.iter().count(), base_ws.specs.len() + changed.len());
    let changes = diff::compare(&b.project, &h.project);
    assert!(!changes.is_empty());
    for c in &changes {
        let ws = if c.side == Side::Base {
            &base_ws
        } else {
            &head_ws
        };
        let f = files.get(c.span.file);
        let own = ws
            .specs
            .iter()
            .map(|s| ws.files.get(s.id))
            .find(|o| o.path == f.path);
        assert_eq!(own.map(|o| o.text.as_str()), Some(f.text.as_str()), "{c:?}");
    }
}

/// The comparison is symmetric in what it finds: comparing a project with itself finds nothing.
#[test]
fn a_project_compared_with_itself_has_no_changes() {
    for dir in ["tests/fixtures/valid", "specs"] {
        if !Path::new(dir).exists() {
            continue;
        }
        let ws = project::load(&[PathBuf::from(dir)]).unwrap();
        let a = project::analyze(&ws, today());
        let b = project::analyze(&ws, today());
        assert_eq!(diff::compare(&a.project, &b.project), Vec::new(), "{dir}");
    }
}

// ---------------------------------------------------------------------------------------------
// The command, in a temporary git repository.

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const SHOP: &str = include_str!("../fixtures/diff/north_star_filter/previous/shop.yaml");

/// A repository with the project in `metrics/` and three commits: the spec, a safe label
/// change, and a breaking North Star change.
fn repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["config", "user.name", "Test"]);
    git(dir, &["config", "user.email", "test@example.com"]);
    git(dir, &["config", "commit.gpgsign", "false"]);
    std::fs::create_dir(dir.join("metrics")).unwrap();
    std::fs::write(dir.join("metrics/lodestar.toml"), "").unwrap();
    std::fs::write(dir.join("metrics/shop.yaml"), SHOP).unwrap();
    std::fs::write(dir.join("README.md"), "not a spec\n").unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "spec"]);
    git(dir, &["tag", "v1"]);
    let labelled = SHOP.replace("label: Weekly orders", "label: Orders per week");
    std::fs::write(dir.join("metrics/shop.yaml"), &labelled).unwrap();
    git(dir, &["commit", "-q", "-am", "label"]);
    git(dir, &["tag", "v2"]);
    let breaking = labelled.replace(
        "    filter: status = 'paid'\n  targets",
        "    filter: status <> 'cancelled'\n  targets",
    );
    assert_ne!(breaking, labelled);
    std::fs::write(dir.join("metrics/shop.yaml"), &breaking).unwrap();
    git(dir, &["commit", "-q", "-am", "north star"]);
    tmp
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bin()
        .current_dir(dir)
        .arg("diff")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_between_two_commits() {
    let tmp = repo();
    let dir = tmp.path().join("metrics");
    let (code, out, err) = run(&dir, &["v1", "v2"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("safe (1)"), "{out}");
    assert!(out.contains("Weekly orders → Orders per week"), "{out}");
    assert!(out.contains("at metrics/shop.yaml:19:10"), "{out}");
    assert!(!out.contains("breaking ("), "{out}");

    // --fail-on: exit 1 only at or above the level.
    assert_eq!(run(&dir, &["v1", "v2", "--fail-on", "risky"]).0, 0);
    assert_eq!(run(&dir, &["v1", "v2", "--fail-on", "safe"]).0, 1);
    let (code, out, _) = run(&dir, &["v2", "HEAD", "--fail-on", "breaking"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("filter of the North Star changed"), "{out}");
    assert!(
        out.contains("status = 'paid' → status <> 'cancelled'"),
        "{out}"
    );
}

#[test]
fn cli_head_defaults_to_the_working_tree() {
    let tmp = repo();
    let root = tmp.path();
    // Nothing changed since HEAD.
    let (code, out, _) = run(root, &["HEAD", "-C", "metrics"]);
    assert_eq!(code, 0);
    assert!(out.contains("No semantic changes."), "{out}");
    // An uncommitted change: a guardrail removed.
    let text = std::fs::read_to_string(root.join("metrics/shop.yaml")).unwrap();
    let start = text.find("  - name: avg_rating").unwrap();
    let end = text.find("  - name: refund_share").unwrap();
    let edited = format!("{}{}", &text[..start], &text[end..]);
    std::fs::write(root.join("metrics/shop.yaml"), edited).unwrap();
    let (code, out, err) = run(
        root,
        &[
            "HEAD",
            "-C",
            "metrics",
            "--format",
            "json",
            "--fail-on",
            "breaking",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["head"], "working tree");
    assert_eq!(doc["summary"]["breaking"], 1);
    let change = &doc["changes"][0];
    assert_eq!(change["kind"], "guardrail_removed");
    assert_eq!(change["metric"], "avg_rating");
    assert_eq!(change["revision"], "base");
    assert_eq!(change["file"], "metrics/shop.yaml");
    assert_eq!(change["line"], 44);
}

#[test]
fn cli_github_and_markdown() {
    let tmp = repo();
    let dir = tmp.path().join("metrics");
    let (_, out, _) = run(&dir, &["v1", "HEAD", "--format", "github"]);
    let lines: Vec<&str> = out.lines().collect();
    // The North Star's filter changed (breaking), its label (safe), and the two metrics
    // computed from it move with it (risky, at their own definitions).
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines.iter().any(|l| l.starts_with(
            "::error file=metrics/shop.yaml,line=27,col=13,title=lodestar diff%3A breaking"
        )),
        "{out}"
    );
    for (line, metric) in [(41, "orders_per_buyer"), (54, "refund_share")] {
        assert!(
            lines.iter().any(|l| l
                .starts_with(&format!("::warning file=metrics/shop.yaml,line={line},"))
                && l.contains("(upstream_changed)")
                && l.contains(&format!("`{metric}` is computed from `weekly_orders`"))),
            "{out}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::notice file=metrics/shop.yaml,line=19,")),
        "{out}"
    );
    let (_, out, _) = run(&dir, &["v1", "HEAD", "--format", "markdown"]);
    assert!(out.contains("**1 breaking**, 2 risky, 1 safe."), "{out}");
    assert!(
        out.contains("| level | product | metric | change | before | after | where |"),
        "{out}"
    );
    let breaking = out.lines().find(|l| l.contains("🔴 breaking")).unwrap();
    assert!(
        breaking.contains("| shop | weekly_orders |") && breaking.contains("status <> 'cancelled'"),
        "{breaking}"
    );
    // The markdown table row has exactly 8 unescaped pipes (7 columns).
    assert_eq!(
        breaking.matches('|').count() - breaking.matches("\\|").count(),
        8,
        "{breaking}"
    );
}

#[test]
fn cli_failures_exit_2() {
    let tmp = repo();
    let (code, _, err) = run(tmp.path(), &["no-such-branch"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown revision `no-such-branch`"), "{err}");
    let (code, _, err) = run(tmp.path(), &["v1", "--bogus"]);
    assert_eq!(code, 2, "{err}");

    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("shop.yaml"), SHOP).unwrap();
    let (code, _, err) = run(plain.path(), &["HEAD"]);
    assert_eq!(code, 2);
    assert!(err.contains("not inside a git repository"), "{err}");
}

#[test]
fn cli_project_added_since_base() {
    // A base revision before the project existed: every product is new (safe).
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["config", "user.name", "Test"]);
    git(dir, &["config", "user.email", "test@example.com"]);
    std::fs::write(dir.join("README.md"), "hello\n").unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "first"]);
    std::fs::write(dir.join("shop.yaml"), SHOP).unwrap();
    let (code, out, err) = run(dir, &["HEAD", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["summary"]["breaking"], 0);
    assert!(
        doc["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["kind"] == "product_added"),
        "{out}"
    );
}
