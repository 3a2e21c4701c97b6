//! `lodestar init`: a new project that lints clean and is formatted, in both syntaxes; never
//! overwriting a file.

use std::path::Path;
use std::process::{Command, Output};

fn lodestar(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lodestar"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn scaffolds_a_project_that_lints_clean_in_both_syntaxes() {
    for (syntax, ext) in [("yaml", "yaml"), ("lode", "lode")] {
        let tmp = tempfile::tempdir().unwrap();
        let o = lodestar(&["init", "Web Shop", "--syntax", syntax], tmp.path());
        assert!(o.status.success(), "{}", text(&o));
        let dir = tmp.path().join("Web Shop");
        assert!(dir.join("lodestar.toml").is_file());
        assert!(
            dir.join(format!("web_shop.{ext}")).is_file(),
            "{syntax}: named after the directory"
        );
        // Clean at every level: no error and no warning.
        let o = lodestar(&["lint", "Web Shop", "--format", "concise"], tmp.path());
        assert_eq!(o.status.code(), Some(0), "{syntax}: {}", text(&o));
        assert!(
            !text(&o).contains("LS"),
            "{syntax}: no finding: {}",
            text(&o)
        );
        let o = lodestar(&["fmt", "--check", "Web Shop"], tmp.path());
        assert_eq!(
            o.status.code(),
            Some(0),
            "{syntax}: formatted: {}",
            text(&o)
        );
        // The project has a North Star, an input and a guardrail.
        let o = lodestar(&["lint", "Web Shop", "--format", "json"], tmp.path());
        assert!(o.status.success());
    }
}

#[test]
fn the_current_directory_and_a_product_name() {
    let tmp = tempfile::tempdir().unwrap();
    let o = lodestar(&["init", "--product", "checkout"], tmp.path());
    assert!(o.status.success(), "{}", text(&o));
    assert!(tmp.path().join("checkout.yaml").is_file());
    let spec = std::fs::read_to_string(tmp.path().join("checkout.yaml")).unwrap();
    assert!(spec.contains("product: checkout"));
    let o = lodestar(&["init", "--product", "Not-Snake"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("lodestar.toml"), "# mine\n").unwrap();
    let o = lodestar(&["init", ".", "--product", "shop"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("refusing to overwrite"), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("lodestar.toml")).unwrap(),
        "# mine\n"
    );
    assert!(!tmp.path().join("shop.yaml").exists(), "nothing written");

    // Run twice: the second run changes nothing and fails.
    let fresh = tmp.path().join("fresh");
    assert!(lodestar(&["init", "fresh"], tmp.path()).status.success());
    let before = std::fs::read_to_string(fresh.join("fresh.yaml")).unwrap();
    let o = lodestar(&["init", "fresh"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(fresh.join("fresh.yaml")).unwrap(),
        before
    );
}
