//! Names that become paths or output columns, and writers: whatever `allow` and severities say,
//! a product or metric name cannot make `compile` or `docs` write (or remove) anything outside
//! `--out`, collide with what lodestar writes, or be too long for a target dialect (LS907, always
//! an error); a `--by` that would collide is refused (exit 2); a failed write to stdout is a
//! failure (exit 2).

use std::collections::BTreeSet;
use std::fs::File;
use std::path::Path;
use std::process::Stdio;

use super::common::*;

const ALLOW_LS008: &str = "    allow: [{ code: LS008, reason: x }]\n";
const LS008_OFF: &str = "[rules]\nLS008 = \"off\"\n";

/// The valid marketplace spec.
fn valid() -> String {
    read_fixture("valid/marketplace.yaml")
}

/// The valid spec with the guardrail `refund_rate` renamed `name`, LS008 allowed on it.
fn guardrail_named(name: &str) -> String {
    valid().edit(
        "  - name: refund_rate\n",
        &format!("  - name: {name}\n{ALLOW_LS008}"),
    )
}

/// Every path under `dir`, relative to it.
fn tree(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            out.insert(
                path.strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
            if path.is_dir() && !path.is_symlink() {
                stack.push(path);
            }
        }
    }
    out
}

/// A scratch directory holding `work/project/` with these files, and the path of `project`.
/// The levels above the project are where an escaping name would land.
fn nested(files: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let placed: Vec<(String, &str)> = files
        .iter()
        .map(|(name, text)| (format!("work/project/{name}"), *text))
        .collect();
    let refs: Vec<(&str, &str)> = placed.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let dir = scratch(&refs);
    let project = dir.path().join("work/project");
    (dir, project)
}

/// Lints and compiles the project: lint finds LS907 (exit 1, with `expect` in the message),
/// and compile refuses (exit 1) without writing a file anywhere in the scratch directory.
fn refused_everywhere(files: &[(&str, &str)], expect: &str) {
    let (dir, project) = nested(files);
    let before = tree(dir.path());
    let lint = run_in(&project, &["lint", "--format", "concise"]);
    assert_eq!(lint.code, 1, "{lint:?}");
    assert!(
        lint.stdout
            .lines()
            .any(|l| l.contains("LS907") && l.contains(expect)),
        "LS907 with `{expect}`: {lint:?}"
    );
    for out in ["out", "sql/deep"] {
        let compile = run_in(
            &project,
            &["compile", "--dialect", "duckdb,postgres", "--out", out],
        );
        assert_eq!(compile.code, 1, "{compile:?}");
        assert!(compile.stderr.contains("LS907"), "{compile:?}");
        assert!(
            compile.stderr.contains("nothing was compiled"),
            "{compile:?}"
        );
        assert_eq!(tree(dir.path()), before, "compile wrote nothing, anywhere");
    }
    // Not even to stdout.
    let compile = run_in(&project, &["compile", "--dialect", "duckdb"]);
    assert_eq!(compile.code, 1, "{compile:?}");
    assert_eq!(compile.stdout, "");
}

#[test]
fn a_path_in_a_guardrail_name_is_refused_whatever_allow_says() {
    refused_everywhere(
        &[("spec.yaml", &guardrail_named("../../escaped"))],
        "path separator",
    );
}

#[test]
fn a_path_in_a_guardrail_name_is_refused_with_ls008_off() {
    let spec = valid().edit("  - name: refund_rate\n", "  - name: ../../escaped\n");
    refused_everywhere(
        &[("spec.yaml", &spec), ("lodestar.toml", LS008_OFF)],
        "path separator",
    );
    // Deeper still: the file would land above the scratch directory.
    let spec = valid().edit(
        "  - name: refund_rate\n",
        "  - name: ../../../../../escaped\n",
    );
    refused_everywhere(
        &[("spec.yaml", &spec), ("lodestar.toml", LS008_OFF)],
        "path separator",
    );
}

#[test]
fn a_product_named_dot_dot_is_refused_and_nothing_above_out_is_removed() {
    let spec = valid().edit("product: marketplace", "product: ..");
    refused_everywhere(
        &[
            ("spec.yaml", &spec),
            ("lodestar.toml", LS008_OFF),
            ("out/keep.txt", "mine"),
        ],
        "names a directory",
    );
}

#[test]
fn absolute_paths_are_refused() {
    let spec = guardrail_named("/tmp/x");
    refused_everywhere(&[("spec.yaml", &spec)], "path separator");
    let scratch = tempfile::tempdir().unwrap();
    let target = scratch.path().join("abs");
    let product = format!("product: \"{}\"", target.display());
    let spec = valid().edit("product: marketplace", &product);
    refused_everywhere(
        &[("spec.yaml", &spec), ("lodestar.toml", LS008_OFF)],
        "path separator",
    );
    assert!(!target.exists(), "nothing written at an absolute path");
}

#[test]
fn metrics_named_like_what_lodestar_writes_are_refused() {
    for name in ["scorecard", "period", "value"] {
        refused_everywhere(&[("spec.yaml", &guardrail_named(name))], "reserved");
    }
}

#[test]
fn names_that_are_one_file_ignoring_case_are_refused() {
    let spec = valid().edit("name: new_hosts", "name: Refund_Rate");
    refused_everywhere(
        &[("spec.yaml", &spec), ("lodestar.toml", LS008_OFF)],
        "upper-case",
    );
    let spec = valid().edit("name: confirmed_bookings", "name: new_hosts");
    refused_everywhere(
        &[("spec.yaml", &spec), ("lodestar.toml", LS008_OFF)],
        "a second metric",
    );
}

/// Two metrics 64 bytes long whose names share their first 63 bytes.
fn long_names() -> String {
    let x = "x".repeat(63);
    valid()
        .edit("name: new_hosts", &format!("name: {x}a"))
        .edit("name: confirmed_bookings", &format!("name: {x}b"))
        .edit(
            "derived: nights_booked / confirmed_bookings",
            &format!("derived: nights_booked / {x}b"),
        )
}

#[test]
fn names_too_long_for_postgres_are_refused_when_postgres_is_a_target() {
    refused_everywhere(&[("spec.yaml", &long_names())], "postgres (63)");
    let toml = "[project]\ndialects = [\"bigquery\", \"postgres\"]\n";
    refused_everywhere(
        &[("spec.yaml", &long_names()), ("lodestar.toml", toml)],
        "postgres (63)",
    );
}

#[test]
fn names_too_long_for_postgres_pass_when_the_project_targets_bigquery_only() {
    let toml = "[project]\ndialects = [\"bigquery\"]\n";
    let (_dir, project) = nested(&[("spec.yaml", &long_names()), ("lodestar.toml", toml)]);
    let lint = run_in(&project, &["lint", "--format", "concise"]);
    assert_eq!(lint.code, 0, "{lint:?}");
    assert!(!lint.stdout.contains("LS907"), "{lint:?}");
    let compile = run_in(
        &project,
        &["compile", "--dialect", "bigquery", "--out", "out"],
    );
    assert_eq!(compile.code, 0, "{compile:?}");
    let x = "x".repeat(63);
    assert!(project.join(format!("out/marketplace/{x}a.sql")).is_file());
}

#[test]
fn by_a_dimension_named_like_a_metric_or_period_is_refused() {
    let spec = read_fixture("hardening/by_collision.yaml");
    let (dir, project) = nested(&[("spec.yaml", &spec)]);
    let before = tree(dir.path());
    for (by, expect) in [
        ("refunds", "metric `refunds` of product `shop`"),
        ("period", "`period` is the first column"),
    ] {
        let compile = run_in(
            &project,
            &["compile", "--dialect", "duckdb", "--by", by, "--out", "out"],
        );
        assert_eq!(compile.code, 2, "{compile:?}");
        assert!(
            compile
                .stderr
                .contains(&format!("error: cannot break down by `{by}`: {expect}")),
            "{compile:?}"
        );
        assert_eq!(tree(dir.path()), before, "nothing written");
        let printed = run_in(&project, &["compile", "--dialect", "all", "--by", by]);
        assert_eq!(printed.code, 2, "{printed:?}");
        assert_eq!(printed.stdout, "");
    }
    let twice = run_in(
        &project,
        &[
            "compile",
            "--dialect",
            "duckdb",
            "--by",
            "country",
            "--by",
            "country",
        ],
    );
    assert_eq!(twice.code, 2, "{twice:?}");
    assert!(twice.stderr.contains("given twice"), "{twice:?}");
    let fine = run_in(
        &project,
        &["compile", "--dialect", "duckdb", "--by", "country"],
    );
    assert_eq!(fine.code, 0, "{fine:?}");
}

#[test]
fn compile_refuses_a_symbolic_link_under_out_that_leads_outside() {
    #[cfg(unix)]
    {
        let (dir, project) = nested(&[("spec.yaml", &valid())]);
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::create_dir_all(project.join("out")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, project.join("out/duckdb")).unwrap();
        let compile = run_in(
            &project,
            &["compile", "--dialect", "duckdb,postgres", "--out", "out"],
        );
        assert_eq!(compile.code, 2, "{compile:?}");
        assert!(compile.stderr.contains("outside"), "{compile:?}");
        assert_eq!(tree(&elsewhere), BTreeSet::new(), "nothing written there");
        assert!(
            !project.join("out/postgres").exists(),
            "nothing written at all"
        );
    }
}

#[test]
fn docs_refuses_a_product_page_that_would_replace_the_index() {
    let spec = valid().edit("product: marketplace", "product: index");
    let (dir, project) = nested(&[("spec.yaml", &spec)]);
    let before = tree(dir.path());
    let docs = run_in(&project, &["docs", "--out", "site"]);
    assert_eq!(docs.code, 2, "{docs:?}");
    assert!(docs.stderr.contains("index.html"), "{docs:?}");
    assert_eq!(tree(dir.path()), before, "nothing written");
}

#[test]
fn docs_refuses_an_out_that_names_no_directory() {
    let (_dir, project) = nested(&[("spec.yaml", &valid())]);
    std::fs::create_dir_all(project.join("empty")).unwrap();
    let docs = run_in(&project.join("empty"), &["docs", "..", "--out", "."]);
    assert_eq!(docs.code, 2, "{docs:?}");
    assert!(docs.stderr.contains("names no directory"), "{docs:?}");
}

/// Runs `lodestar ARGS` in `dir` with stdout going to `stdout`.
fn run_to(dir: &Path, args: &[&str], stdout: Stdio) -> Run {
    let out = bin()
        .args(args)
        .current_dir(dir)
        .stdout(stdout)
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn a_failed_write_to_stdout_exits_2() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        eprintln!("SKIP: no /dev/full on this system");
        return;
    }
    let (_dir, project) = nested(&[("spec.yaml", &valid())]);
    for args in [
        &["compile", "--dialect", "duckdb"][..],
        &["lint", "--format", "json"],
        &["rules"],
        &["explain", "LS907"],
    ] {
        let stdout = File::options().write(true).open(full).unwrap();
        let run = run_to(&project, args, Stdio::from(stdout));
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(
            run.stderr
                .contains("error: cannot write to standard output"),
            "{args:?}: {run:?}"
        );
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let (_dir, project) = nested(&[("spec.yaml", &valid())]);
    let mut child = bin()
        .args(["compile", "--dialect", "all"])
        .current_dir(&project)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away at once, as `| head -0` would.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}
