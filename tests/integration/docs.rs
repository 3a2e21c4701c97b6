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

/// The browser, or `None` after a loud skip notice for `test` (a failure when `CI=true`).
fn browser_or_skip(test: &str) -> Option<PathBuf> {
    let found = browser();
    if found.is_none() {
        let msg = format!(
            "SKIPPED {test}: chromium is not installed.\n  \
             install it with: apt-get update && apt-get install -y chromium"
        );
        eprintln!("\n{}\n{msg}\n{}\n", "!".repeat(72), "!".repeat(72));
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{msg} (required when CI=true)"
        );
    }
    found
}

/// A screenshot of `url`: a PNG of a non-trivial picture (kept with `LODESTAR_KEEP_SCREENSHOT=
/// FILE`, for looking at).
fn screenshot(browser: &Path, dir: &Path, name: &str, url: &str) {
    let png = dir.join(format!("{name}.png"));
    let o = chromium(
        browser,
        &dir.join(format!("profile-{name}")),
        &[format!("--screenshot={}", png.display())],
        url,
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
        // The tree's screenshot where the variable says (as before charts), others beside it.
        let to = if name == "tree" {
            keep
        } else {
            format!("{keep}-{name}.png")
        };
        std::fs::copy(&png, to).unwrap();
    }
}

/// The DOM of `url` once Chromium has loaded it (and run its scripts).
fn dom(browser: &Path, dir: &Path, name: &str, url: &str) -> String {
    let o = chromium(
        browser,
        &dir.join(format!("profile-{name}")),
        &["--dump-dom".to_owned()],
        url,
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn renders_in_headless_chromium() {
    let Some(browser) = browser_or_skip("renders_in_headless_chromium") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    assert!(generate(&specs(), &out).status.success());
    let (product, metrics) = products(&specs()).into_iter().next().unwrap();
    let page = std::fs::canonicalize(out.join(format!("{product}.html"))).unwrap();
    let url = format!("file://{}", page.display());
    screenshot(&browser, tmp.path(), "tree", &url);
    let dom = dom(&browser, tmp.path(), "dom", &url);
    assert!(dom.contains("<svg"), "the SVG is in the rendered DOM");
    for m in &metrics {
        assert!(
            dom.contains(&format!("id=\"node-{m}\"")),
            "a node for {m} in the rendered DOM"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// With data: a chart per metric, the edges' lead–lag.

#[cfg(feature = "duckdb")]
mod with_data {
    use super::*;

    /// `lodestar docs specs --data examples/data --to 2026-11-22` on `today` (the data's last
    /// week, of 2026-11-16, ends on 2026-11-22).
    fn generate_with_data(out: &Path, today: &str) -> std::process::Output {
        bin()
            .env("LODESTAR_TODAY", today)
            .current_dir(root())
            .args([
                "docs",
                "specs",
                "--data",
                "examples/data",
                "--to",
                "2026-11-22",
            ])
            .arg("--out")
            .arg(out)
            .output()
            .unwrap()
    }

    /// The `<svg>` element of `metric`'s chart on a page.
    fn chart<'a>(page: &'a str, metric: &str) -> &'a str {
        let start = page
            .find(&format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-metric="{metric}""#
            ))
            .unwrap_or_else(|| panic!("a chart of {metric}"));
        let end = start + page[start..].find("</svg>").unwrap() + "</svg>".len();
        &page[start..end]
    }

    #[test]
    fn every_metric_is_charted_and_every_edge_labelled() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let o = generate_with_data(&out, "2026-11-23");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let products = products(&root().join("specs"));
        assert_eq!(products.len(), 5, "the reference specs' products");
        for (name, metrics) in &products {
            let page = std::fs::read_to_string(out.join(format!("{name}.html"))).unwrap();
            assert_eq!(
                page.matches("<svg").count(),
                1 + metrics.len(),
                "{name}: the tree and a chart per metric"
            );
            for m in metrics {
                let c = chart(&page, m);
                assert!(
                    c.contains(r#"<path class="series""#),
                    "{name}.{m}: a line: {c}"
                );
                // 52 complete weeks, the last of 2026-11-16, none in progress.
                assert!(
                    c.contains("<title>2026-11-16: "),
                    "{name}.{m}: the last week"
                );
                assert!(!c.contains("partial"), "{name}.{m}: every week complete");
            }
            assert!(!page.contains("<script"), "{name}: no script");
            assert!(page.contains("<h2>On the data</h2>"), "{name}");
            assert!(
                page.contains("Analysed: 52 complete weeks, 2025-11-24 to 2026-11-16."),
                "{name}"
            );
        }

        let page = std::fs::read_to_string(out.join("marketplace.html")).unwrap();
        // The breach of the refund rate in the week of 2026-11-09, on its chart and listed.
        let refund = chart(&page, "refund_rate");
        assert!(
            refund.contains(
                r#"<g class="alert breach error" data-kind="breach" data-period="2026-11-09">"#
            ),
            "{refund}"
        );
        assert!(refund.contains(r#"<g class="threshold max" data-value="0.02">"#));
        assert!(page.contains(r##"<li data-kind="breach"><span class="error">breach</span> · <a href="#metric-refund_rate">"##));
        // The gaming of the guest rating: its trend window tinted, its last week marked.
        let rating = chart(&page, "avg_guest_rating");
        assert!(
            rating.contains(r#"<rect class="alert-window gaming""#),
            "{rating}"
        );
        assert!(rating.contains(r#"data-kind="gaming" data-period="2026-11-16""#));
        // The North Star's targets: a line to the week of each date.
        let nights = chart(&page, "nights_booked");
        for (by, value) in [("2026-12-31", "500"), ("2027-06-30", "900")] {
            assert!(
                nights.contains(&format!(
                    r#"<g class="target" data-by="{by}" data-value="{value}">"#
                )),
                "{by}: {nights}"
            );
            assert!(nights.contains(&format!(">target {value} by {by}</text>")));
        }
        // Each edge of the tree, labelled with the verdict `lodestar analyze` gives it.
        for (from, to, verdict, text) in [
            ("new_hosts", "nights_booked", "leads", "leads by "),
            (
                "confirmed_bookings",
                "nights_booked",
                "coincident",
                "coincident · r ",
            ),
            (
                "nights_per_booking",
                "nights_booked",
                "coincident",
                "coincident · r ",
            ),
            (
                "search_to_book_rate",
                "nights_booked",
                "unrelated",
                "unrelated<",
            ),
            ("nights_booked", "net_revenue", "leads", "leads by "),
        ] {
            let at = page
                .find(&format!(
                    r#"<text class="edge-label verdict-{verdict}" data-from="{from}" data-to="{to}""#
                ))
                .unwrap_or_else(|| panic!("{from} → {to}: {verdict}"));
            let label = &page[at..at + page[at..].find("</text>").unwrap() + 1];
            let shown = &label[label.find("</title>").unwrap() + "</title>".len()..];
            assert!(shown.starts_with(text), "{from} → {to}: {shown}");
        }
        assert_eq!(page.matches(r#"<text class="edge-label"#).count(), 5);

        // The same site on a later day: only complete weeks are charted, so nothing moves.
        let later = tmp.path().join("later");
        assert!(generate_with_data(&later, "2027-03-01").status.success());
        for (name, _) in &products {
            let file = format!("{name}.html");
            assert_eq!(
                std::fs::read_to_string(out.join(&file)).unwrap(),
                std::fs::read_to_string(later.join(&file)).unwrap(),
                "{file}"
            );
        }
    }

    /// Measures, in the browser, the box of every chart, of the breach marker and of each
    /// edge label: one line per element, `what name left top width height`.
    const MEASURE: &str = r#"<pre id="lodestar-measure"></pre><script>
(function () {
  var lines = [];
  function box(what, name, el) {
    var r = el.getBoundingClientRect();
    var s = getComputedStyle(el);
    var shown = s.display !== "none" && s.visibility !== "hidden" && s.opacity !== "0";
    lines.push([what, name, Math.round(r.left), Math.round(r.top), Math.round(r.width),
      Math.round(r.height), shown ? "shown" : "hidden"].join(" "));
  }
  document.querySelectorAll("svg.chart").forEach(function (c) { box("chart", c.dataset.metric, c); });
  document.querySelectorAll("svg.tree").forEach(function (t) { box("tree", "-", t); });
  document.querySelectorAll("text.edge-label").forEach(function (t) { box("label", t.dataset.from + ">" + t.dataset.to, t); });
  document.querySelectorAll("g.alert").forEach(function (g) { box("alert", g.dataset.kind + "@" + g.dataset.period, g); });
  document.getElementById("lodestar-measure").textContent = "\n" + lines.join("\n") + "\n";
})();
</script>"#;

    #[derive(Debug)]
    struct Box {
        left: i64,
        top: i64,
        width: i64,
        height: i64,
        shown: bool,
    }

    impl Box {
        fn inside(&self, outer: &Box) -> bool {
            self.left >= outer.left
                && self.top >= outer.top
                && self.left + self.width <= outer.left + outer.width
                && self.top + self.height <= outer.top + outer.height
        }
    }

    #[test]
    fn charts_render_in_headless_chromium() {
        let Some(browser) = browser_or_skip("charts_render_in_headless_chromium") else {
            return;
        };
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let o = generate_with_data(&out, "2026-11-23");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let metrics = products(&root().join("specs"))
            .into_iter()
            .find(|(p, _)| p == "marketplace")
            .unwrap()
            .1;
        let page = std::fs::read_to_string(out.join("marketplace.html")).unwrap();
        let url = |p: &Path| format!("file://{}", std::fs::canonicalize(p).unwrap().display());
        screenshot(
            &browser,
            tmp.path(),
            "marketplace",
            &url(&out.join("marketplace.html")),
        );

        // A copy of the page with a script that measures what the browser laid out (the site
        // itself has no script).
        let measured = out.join("measured.html");
        std::fs::write(
            &measured,
            page.replace("</main>", &format!("{MEASURE}</main>")),
        )
        .unwrap();
        let laid_out = dom(&browser, tmp.path(), "measure", &url(&measured));
        let text = laid_out
            .split(r#"<pre id="lodestar-measure">"#)
            .nth(1)
            .and_then(|s| s.split("</pre>").next())
            .unwrap_or_else(|| panic!("the measurements in the DOM: {laid_out}"));
        let boxes: Vec<(String, String, Box)> = text
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| {
                let f: Vec<&str> = l.split(' ').collect();
                let n = |i: usize| f[i].parse::<i64>().unwrap();
                let b = Box {
                    left: n(2),
                    top: n(3),
                    width: n(4),
                    height: n(5),
                    shown: f[6] == "shown",
                };
                (f[0].to_owned(), f[1].to_owned(), b)
            })
            .collect();
        let find = |what: &str, name: &str| {
            boxes
                .iter()
                .find(|(w, n, _)| w == what && n == name)
                .map(|(_, _, b)| b)
                .unwrap_or_else(|| panic!("{what} {name} in {text}"))
        };
        // Every chart is laid out at its size, shown, and inside the page's width.
        for m in &metrics {
            let c = find("chart", m);
            assert!(c.shown && c.width == 640 && c.height == 230, "{m}: {c:?}");
            assert!(c.left >= 0 && c.left + c.width <= 1200, "{m}: {c:?}");
        }
        assert_eq!(
            boxes.iter().filter(|(w, _, _)| w == "chart").count(),
            metrics.len()
        );
        // The breach marker is drawn on the refund rate's chart.
        let breach = find("alert", "breach@2026-11-09");
        assert!(
            breach.shown && breach.width > 5 && breach.height > 5,
            "{breach:?}"
        );
        assert!(breach.inside(find("chart", "refund_rate")), "{breach:?}");
        // Each edge label is shown, with some width, inside the tree's picture.
        let tree = find("tree", "-");
        let labels: Vec<&Box> = boxes
            .iter()
            .filter(|(w, _, _)| w == "label")
            .map(|(_, _, b)| b)
            .collect();
        assert_eq!(labels.len(), 5, "{text}");
        for l in labels {
            assert!(
                l.shown && l.width > 30 && l.inside(tree),
                "{l:?} in {tree:?}: {text}"
            );
        }

        // Every chart and tree is well-formed SVG: all of them, as one XML document, parse.
        let mut svg =
            String::from(r#"<svg xmlns="http://www.w3.org/2000/svg" width="700" height="800">"#);
        for (name, _) in products(&root().join("specs")) {
            let page = std::fs::read_to_string(out.join(format!("{name}.html"))).unwrap();
            for part in page.split("<svg xmlns=").skip(1) {
                svg.push_str("<svg xmlns=");
                svg.push_str(&part[..part.find("</svg>").unwrap() + "</svg>".len()]);
            }
        }
        svg.push_str("</svg>");
        let file = tmp.path().join("all.svg");
        std::fs::write(&file, &svg).unwrap();
        let parsed = dom(&browser, tmp.path(), "xml", &url(&file));
        assert!(
            !parsed.contains("parsererror") && !parsed.contains("error on line"),
            "{parsed}"
        );
        assert!(
            parsed.contains(r#"data-metric="refund_rate""#),
            "the charts in the parsed document"
        );
    }
}
