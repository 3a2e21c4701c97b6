//! Hostile and broken input: every case ends in a clear message and exit code 1 or 2, quickly,
//! without a panic or a stack overflow. Big inputs are generated at test time.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Release builds must answer in well under a second; debug builds get twice that.
const LIMIT: Duration = if cfg!(debug_assertions) {
    Duration::from_secs(2)
} else {
    Duration::from_secs(1)
};

const VALID: &str = include_str!("../fixtures/valid/marketplace.yaml");

struct Case<'a> {
    /// What to lint, relative to the case's directory.
    args: &'a [&'a str],
    exit: i32,
    /// Text expected in stdout or stderr: the code and a piece of the message.
    expect: &'a [&'a str],
}

/// Runs `lodestar lint --format concise` in `dir` and checks the outcome.
fn check(name: &str, dir: &Path, case: Case<'_>) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_lodestar"))
        .args(["lint", "--format", "concise"])
        .args(case.args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("LODESTAR_TODAY", "2026-11-22")
        .output()
        .expect("the binary runs");
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let all = format!("{stdout}{stderr}");
    let shown = || {
        format!(
            "{name}: {:?}\n--- stdout\n{}\n--- stderr\n{}",
            out.status,
            cut(&stdout),
            cut(&stderr)
        )
    };
    // A signal (stack overflow, abort) leaves no exit code.
    assert_eq!(out.status.code(), Some(case.exit), "{}", shown());
    assert!(
        !all.contains("panicked") && !all.contains("RUST_BACKTRACE"),
        "{}",
        shown()
    );
    for piece in case.expect {
        assert!(
            all.contains(piece),
            "{name}: expected `{piece}` in the output\n{}",
            shown()
        );
    }
    assert!(
        elapsed < LIMIT,
        "{name}: took {elapsed:?} (limit {LIMIT:?})"
    );
    // The output stays readable: no echo of a huge input.
    assert!(all.len() < 20_000, "{name}: {} bytes of output", all.len());
}

fn cut(s: &str) -> &str {
    let mut end = s.len().min(2_000);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The valid spec with one SQL fragment replaced.
fn with_filter(filter: &str) -> String {
    let spec = VALID.replacen(
        "filter: status = 'confirmed'",
        &format!("filter: {filter}"),
        1,
    );
    assert_ne!(spec, VALID, "the fixture has the filter this test replaces");
    spec
}

#[test]
fn empty_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "empty.yaml", "");
    write(dir.path(), "empty.lode", "");
    for file in ["empty.yaml", "empty.lode"] {
        check(
            file,
            dir.path(),
            Case {
                args: &[file],
                exit: 1,
                expect: &["LS901", "empty"],
            },
        );
    }
}

#[test]
fn binary_garbage() {
    let dir = tempfile::tempdir().unwrap();
    // Deterministic noise: every byte value, shuffled by a linear congruential generator.
    let mut x: u32 = 12345;
    let noise: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect();
    write(dir.path(), "garbage.yaml", &noise);
    write(dir.path(), "garbage.lode", &noise);
    for file in ["garbage.yaml", "garbage.lode"] {
        check(
            file,
            dir.path(),
            Case {
                args: &[file],
                exit: 1,
                expect: &["LS904", "not UTF-8"],
            },
        );
    }
}

#[test]
fn invalid_utf8() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "latin1.yaml",
        b"lodestar: 1\nproduct: caf\xe9\n",
    );
    check(
        "invalid UTF-8",
        dir.path(),
        Case {
            args: &["latin1.yaml"],
            exit: 1,
            expect: &["LS904", "invalid byte at offset 24"],
        },
    );
}

#[test]
fn huge_scalar() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("lodestar: 1\nproduct: p\ndescription: ");
    text.push_str(&"a".repeat(30 * 1024 * 1024));
    text.push('\n');
    write(dir.path(), "huge.yaml", text);
    check(
        "30 MB scalar",
        dir.path(),
        Case {
            args: &["huge.yaml"],
            exit: 1,
            expect: &["LS901", "too large"],
        },
    );
}

#[test]
fn deep_nesting_in_yaml() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "deep.yaml",
        format!("lodestar: 1\nproduct: {}\n", "[".repeat(200_000)),
    );
    write(
        dir.path(),
        "deep_block.yaml",
        format!(
            "lodestar: 1\n{}\n",
            (0..200_000).map(|_| "- ").collect::<String>()
        ),
    );
    for file in ["deep.yaml", "deep_block.yaml"] {
        check(
            file,
            dir.path(),
            Case {
                args: &[file],
                exit: 1,
                expect: &["LS901"],
            },
        );
    }
}

#[test]
fn deep_nesting_in_the_dsl() {
    let dir = tempfile::tempdir().unwrap();
    let parens = format!("lodestar 1\nproduct p\ninput x = {}\n", "(".repeat(200_000));
    write(dir.path(), "parens.lode", parens);
    write(
        dir.path(),
        "braces.lode",
        format!("lodestar 1\nproduct p\n{}\n", "{".repeat(200_000)),
    );
    for file in ["parens.lode", "braces.lode"] {
        check(
            file,
            dir.path(),
            Case {
                args: &[file],
                exit: 1,
                expect: &["LS901"],
            },
        );
    }
}

#[test]
fn alias_bomb() {
    let dir = tempfile::tempdir().unwrap();
    // Billion laughs: nine levels of nine aliases each expand to 9^9 strings.
    let mut text = String::from("lodestar: 1\nproduct: p\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let refs = vec![format!("*{}", pair[0]); 9].join(",");
        text.push_str(&format!("{}: &{} [{refs}]\n", pair[1], pair[1]));
    }
    text.push_str("description: *i\n");
    write(dir.path(), "bomb.yaml", text);
    check(
        "alias bomb",
        dir.path(),
        Case {
            args: &["bomb.yaml"],
            exit: 1,
            expect: &["LS901"],
        },
    );
}

#[test]
fn yaml_that_is_not_a_spec() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "schema.yml",
        "version: 2\nmodels:\n  - name: orders\n",
    );
    check(
        "YAML, not a spec",
        dir.path(),
        Case {
            args: &["schema.yml"],
            exit: 1,
            expect: &["LS902", "not a lodestar spec"],
        },
    );
}

#[test]
fn missing_file_and_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    check(
        "missing file",
        dir.path(),
        Case {
            args: &["nope.yaml"],
            exit: 2,
            expect: &["nope.yaml: no such file or directory"],
        },
    );
    check(
        "directory without specs",
        dir.path(),
        Case {
            args: &["empty"],
            exit: 2,
            expect: &["no spec files"],
        },
    );
}

#[test]
fn config_that_is_garbage() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "lodestar.toml", b"\x00\x01[[[rules\n = = =\n");
    write(dir.path(), "spec.yaml", VALID);
    let case = Case {
        args: &[],
        exit: 2,
        expect: &["lodestar.toml"],
    };
    check("garbage lodestar.toml", dir.path(), case);
}

#[test]
fn hostile_sql_fragments() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
    write(dir.path(), "deep.yaml", with_filter(&deep));
    write(
        dir.path(),
        "drop.yaml",
        with_filter("status = 'confirmed'; drop table x"),
    );
    write(
        dir.path(),
        "comment.yaml",
        with_filter("status = 'confirmed' -- or 1 = 1"),
    );
    write(
        dir.path(),
        "block.yaml",
        with_filter("status = 'confirmed' /* or 1 = 1 */"),
    );
    for file in ["deep.yaml", "drop.yaml", "comment.yaml", "block.yaml"] {
        check(
            file,
            dir.path(),
            Case {
                args: &[file],
                exit: 1,
                expect: &["LS006"],
            },
        );
    }
}

/// A bug that panics is reported as an internal error with exit 2: one line and a request to
/// report it, never a Rust backtrace (even with RUST_BACKTRACE set).
#[test]
fn a_panic_is_an_internal_error() {
    let o = Command::new(env!("CARGO_BIN_EXE_lodestar"))
        .args(["rules"])
        .env("LODESTAR_DEBUG_PANIC", "1")
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("error: internal error: LODESTAR_DEBUG_PANIC is set at src/cli/mod.rs:"),
        "{err}"
    );
    assert!(err.contains("help: this is a bug in lodestar"), "{err}");
    assert!(
        !err.contains("stack backtrace") && !err.contains("panicked"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
}
