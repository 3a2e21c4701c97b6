//! `lodestar docs`: the generated site, checked as files and rendered in a real headless
//! browser (Debian's Chromium: `apt-get install -y chromium`). Without a browser the rendering
//! test prints a loud skip, and fails when `CI=true`.

use super::common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use lodestar::project;

/// The project the site is generated for: the reference specs, else the valid fixtures.
fn specs() -> PathBuf {
    if Path::new("specs/lodestar.toml").exists() {
        PathBuf::from("specs")
    } else {
        PathBuf::from("tests/fixtures/valid")
    }
}

/// Every product of the project with its metric names, read with the library.
fn products(dir: &Path) -> Vec<(String, Vec<String>)> {
    let ws = project::load(&[dir.to_path_buf()]).unwrap();
    let a = project::analyze(&ws, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
    a.project
        .products
        .iter()
        .map(|p| {
            (
                p.name.value.clone(),
                p.metrics.iter().map(|m| m.name.value.clone()).collect(),
            )
        })
        .collect()
}

fn generate(dir: &Path, out: &Path) -> std::process::Output {
    bin()
        .arg("docs")
        .arg(dir)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn site_has_an_index_and_a_page_per_product_with_its_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let o = generate(&specs(), &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    let products = products(&specs());
    assert!(!products.is_empty());
    for (name, metrics) in &products {
        assert!(
            index.contains(&format!("href=\"{name}.html\"")),
            "index links {name}"
        );
        let page = std::fs::read_to_string(out.join(format!("{name}.html"))).unwrap();
        assert_eq!(page.matches("<svg").count(), 1, "{name}: one picture");
        for m in metrics {
            assert!(
                page.contains(&format!("id=\"node-{m}\"")),
                "{name}: node for {m}"
            );
            assert!(
                page.contains(&format!("id=\"metric-{m}\"")),
                "{name}: section for {m}"
            );
        }
        // SQL per dialect, or the reason it is unavailable.
        for d in lodestar::sql::Dialect::ALL {
            assert!(
                page.contains(&format!("SQL · {}", d.name())),
                "{name}: SQL for {}",
                d.name()
            );
        }
        assert!(!page.contains("<script"), "no script");
        // Inputs computed from the North Star are drawn with the arrow pointing at them.
        if name == "marketplace" {
            for (m, class) in [
                ("nights_per_booking", "edge computed"),
                ("new_hosts", "edge feeds"),
                ("confirmed_bookings", "edge feeds"),
            ] {
                assert!(
                    page.contains(&format!(r#"class="{class}" data-metric="{m}""#)),
                    "{m}: {class}"
                );
            }
        }
    }
    // No temporary directory is left beside the output.
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("site")]);

    // Regenerating replaces the site.
    std::fs::write(out.join("stale.html"), "old").unwrap();
    assert!(generate(&specs(), &out).status.success());
    assert!(!out.join("stale.html").exists());
}

#[test]
fn text_is_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = include_str!("../fixtures/valid/marketplace.yaml").replace(
        "description: Two-sided lodging marketplace.",
        "description: \"<script>alert('x')</script> & <b>bold</b>\"",
    );
    assert!(spec.contains("<script>"));
    std::fs::write(tmp.path().join("marketplace.yaml"), spec).unwrap();
    let out = tmp.path().join("site");
    let o = generate(&tmp.path().join("marketplace.yaml"), &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    for page in ["index.html", "marketplace.html"] {
        let html = std::fs::read_to_string(out.join(page)).unwrap();
        assert!(
            !html.contains("<script>") && !html.contains("<b>bold"),
            "{page}"
        );
        assert!(
            html.contains(
                "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
            ),
            "{page}"
        );
    }
}

#[test]
fn refuses_a_directory_it_did_not_write_and_a_project_with_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("mine");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "keep me").unwrap();
    let o = generate(&specs(), &out);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("was not written by `lodestar docs`"));
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "keep me"
    );

    let bad = tmp.path().join("bad.yaml");
    std::fs::write(&bad, "lodestar: 1\nproduct: x\nnorth_star: { name: a, owner: nobody, measure: { source: s, agg: count } }\n").unwrap();
    let o = generate(&bad, &tmp.path().join("site"));
    assert_eq!(o.status.code(), Some(1));
    assert!(!tmp.path().join("site").exists());
}

// ---------------------------------------------------------------------------------------------
// In a real browser.

fn browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs headless Chromium with the given extra arguments on a page; kills it after 120 s.
fn chromium(browser: &Path, profile: &Path, extra: &[String], url: &str) -> std::process::Output {
    let stdout = profile.with_extension("stdout");
    let stderr = profile.with_extension("stderr");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
        ])
        .args([
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--window-size=1200,900")
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        // To files, not pipes: a DOM larger than a pipe's buffer would block chromium on its
        // write while this loop only waits for it to exit.
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return std::process::Output {
                status,
                stdout: std::fs::read(&stdout).unwrap(),
                stderr: std::fs::read(&stderr).unwrap(),
            };
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn renders_in_headless_chromium() {
    let Some(browser) = browser() else {
        let msg = "SKIPPED renders_in_headless_chromium: chromium is not installed.\n  \
                   install it with: apt-get update && apt-get install -y chromium";
        eprintln!("\n{}\n{msg}\n{}\n", "!".repeat(72), "!".repeat(72));
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{msg} (required when CI=true)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    assert!(generate(&specs(), &out).status.success());
    let (product, metrics) = products(&specs()).into_iter().next().unwrap();
    let page = std::fs::canonicalize(out.join(format!("{product}.html"))).unwrap();
    let url = format!("file://{}", page.display());

    let png = tmp.path().join("shot.png");
    let o = chromium(
        &browser,
        &tmp.path().join("profile-1"),
        &[format!("--screenshot={}", png.display())],
        &url,
    );
    let bytes = std::fs::read(&png)
        .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&o.stderr)));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    assert!(
        bytes.len() > 20_000,
        "a non-trivial picture ({} bytes)",
        bytes.len()
    );
    if let Ok(keep) = std::env::var("LODESTAR_KEEP_SCREENSHOT") {
        std::fs::copy(&png, keep).unwrap();
    }

    let o = chromium(
        &browser,
        &tmp.path().join("profile-2"),
        &["--dump-dom".to_owned()],
        &url,
    );
    let dom = String::from_utf8_lossy(&o.stdout);
    assert!(dom.contains("<svg"), "the SVG is in the rendered DOM");
    for m in &metrics {
        assert!(
            dom.contains(&format!("id=\"node-{m}\"")),
            "a node for {m} in the rendered DOM"
        );
    }
}
