//! The documentation site: an index of products and a page per product with a picture of its
//! metric tree ([`svg`]), each metric's definition, owner, threshold, targets and SQL per
//! dialect. Static HTML with inline CSS: no server, no network, no script.
//!
//! Entry points: [`site`], which returns the pages, and [`site_with_data`], which adds what the
//! data say (each metric's chart from [`chart`], the tree's edges labelled with their lead–lag);
//! writing them is the CLI's job.

pub mod chart;
pub mod svg;
pub mod text;

use std::collections::HashMap;
use std::fmt::Write;

use chrono::NaiveDate;

use crate::analyze::{ProductReport, Series};
use crate::model::{Metric, Product, Project, Role};
use crate::sql::{CompiledProduct, Dialect};

/// One file of the site: its path inside the output directory and its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    pub path: String,
    pub html: String,
}

/// The SQL of every product for one dialect, or why there is none.
pub type DialectSql = (Dialect, Result<Vec<CompiledProduct>, String>);

/// What the data say about one product: each metric's series (at the product's grain) and
/// `analyze`'s report on them.
#[derive(Clone, Debug)]
pub struct ProductNumbers {
    /// Metric name → its series; a metric without one is charted as "no data".
    pub series: HashMap<String, Series>,
    /// Its `product` names the product; its `grain` is the series'.
    pub report: ProductReport,
    /// A period that has not ended by `today` is drawn as partial.
    pub today: NaiveDate,
}

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A product's page file name: its name, with anything outside `[A-Za-z0-9_-]` replaced.
pub fn page_name(product: &str) -> String {
    let safe: String = product
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{}.html",
        if safe.is_empty() {
            "_".to_owned()
        } else {
            safe
        }
    )
}

const CSS: &str = r#"
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2433; margin: 0; background: #f7f8fa; }
header { background: #16213e; color: #fff; padding: 14px 32px; }
header a { color: #ffd166; text-decoration: none; }
main { padding: 8px 32px 48px; max-width: 1200px; }
h1 { font-size: 26px; margin: 18px 0 4px; } h2 { font-size: 20px; margin-top: 32px; } h3 { margin: 0 0 6px; font-size: 17px; }
.muted { color: #5b6478; }
table { border-collapse: collapse; background: #fff; } th, td { text-align: left; padding: 6px 12px; border-bottom: 1px solid #e3e6ec; vertical-align: top; }
.figure { background: #fff; border: 1px solid #e3e6ec; border-radius: 8px; padding: 8px; overflow-x: auto; }
svg.tree text { font-family: system-ui, sans-serif; }
svg.tree .node rect { fill: #fff; stroke-width: 2; }
svg.tree .north-star rect { fill: #fff6d6; stroke: #e0a800; stroke-width: 3; }
svg.tree .input rect { fill: #eaf2ff; stroke: #3d7bd9; }
svg.tree .guardrail rect { fill: #fdecec; stroke: #c8423b; }
svg.tree .outcome rect { fill: #eaf7ee; stroke: #2f8f4e; }
svg.tree .leads { stroke: #2f8f4e; }
svg.tree .computed { stroke-dasharray: 2 3; }
svg.tree .kind { font-size: 11px; fill: #5b6478; text-transform: uppercase; letter-spacing: .04em; }
svg.tree .name { font-size: 14px; font-weight: 600; fill: #1d2433; }
svg.tree .owner { font-size: 12px; fill: #39415a; }
svg.tree .edge { fill: none; stroke: #8a93a6; stroke-width: 1.6; }
svg.tree .guards { stroke: #c8423b; stroke-dasharray: 5 4; }
svg.tree .arrowhead { fill: #8a93a6; }
.metric { background: #fff; border: 1px solid #e3e6ec; border-left: 5px solid #3d7bd9; border-radius: 6px; padding: 14px 18px; margin: 14px 0; }
.metric.north-star { border-left-color: #e0a800; } .metric.guardrail { border-left-color: #c8423b; } .metric.outcome { border-left-color: #2f8f4e; }
.metric dl { display: grid; grid-template-columns: 150px 1fr; gap: 4px 12px; margin: 8px 0; } .metric dt { color: #5b6478; } .metric dd { margin: 0; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; }
pre { background: #0f172a; color: #e2e8f0; padding: 10px 12px; border-radius: 6px; overflow-x: auto; }
details { margin: 4px 0; } summary { cursor: pointer; color: #16213e; }
.unavailable { color: #a33; }
.badge { display: inline-block; font-size: 12px; padding: 1px 8px; border-radius: 10px; background: #e3e6ec; margin-left: 6px; vertical-align: middle; }
"#;

/// The rules only pages with data need (appended to [`CSS`] there, so that a site without
/// data stays byte for byte what it was).
const DATA_CSS: &str = r#".chart-box { background: #fff; margin: 8px 0; overflow-x: auto; }
ul.alerts { padding-left: 20px; } ul.alerts li { margin: 4px 0; } ul.alerts .error { color: #a33; font-weight: 600; } ul.alerts .warning { color: #8a5a00; font-weight: 600; }
"#;

fn page(title: &str, body: &str) -> String {
    page_with(title, body, "")
}

fn page_with(title: &str, body: &str, css: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"lodestar {}\">\n<title>{}</title>\n<style>{CSS}{css}</style>\n</head>\n<body>\n<header><a href=\"index.html\">lodestar</a> · metric specs</header>\n<main>\n{body}\n</main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        escape(title),
    )
}

/// Every page of the site: `index.html`, then one page per product.
pub fn site(project: &Project, sql: &[DialectSql]) -> Vec<Page> {
    site_with_data(project, sql, &[])
}

/// The site of [`site`], with what the data say on the page of each product in `data` (matched
/// by `report.product`): a chart per metric and the tree's edges labelled with their lead–lag.
/// The pages of other products are as without data.
pub fn site_with_data(project: &Project, sql: &[DialectSql], data: &[ProductNumbers]) -> Vec<Page> {
    let mut pages = vec![Page {
        path: "index.html".into(),
        html: index(project),
    }];
    for p in &project.products {
        let numbers = data.iter().find(|d| d.report.product == p.name.value);
        pages.push(Page {
            path: page_name(&p.name.value),
            html: product_page(project, p, sql, numbers),
        });
    }
    pages
}

fn index(project: &Project) -> String {
    let mut b = String::from("<h1>Products</h1>\n");
    let _ = writeln!(
        b,
        "<p class=\"muted\">{} products, {} metrics.</p>",
        project.products.len(),
        project
            .products
            .iter()
            .map(|p| p.metrics.len())
            .sum::<usize>()
    );
    b.push_str("<table class=\"products\">\n<tr><th>product</th><th>North Star</th><th>inputs</th><th>guardrails</th><th>description</th></tr>\n");
    for p in &project.products {
        let ns = p
            .north_stars()
            .next()
            .map(|m| escape(m.display_label()))
            .unwrap_or_else(|| "<em>none</em>".into());
        let _ =
            writeln!(
            b,
            "<tr><td><a href=\"{}\">{}</a></td><td>{ns}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&page_name(&p.name.value)),
            escape(&p.name.value),
            p.inputs().count(),
            p.guardrails().count(),
            escape(p.description.as_ref().map(|d| d.value.as_str()).unwrap_or("")),
        );
    }
    b.push_str("</table>\n");
    if !project.owners.is_empty() {
        b.push_str("<h2>Owners</h2>\n<table class=\"owners\">\n<tr><th>key</th><th>name</th><th>email</th><th>slack</th></tr>\n");
        for o in &project.owners {
            let v = |s: &Option<crate::model::Str>| {
                escape(s.as_ref().map(|s| s.value.as_str()).unwrap_or(""))
            };
            let _ = writeln!(
                b,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&o.key.value),
                v(&o.name),
                v(&o.email),
                v(&o.slack)
            );
        }
        b.push_str("</table>\n");
    }
    page("lodestar: products", &b)
}

fn owner_text(project: &Project, m: &Metric) -> String {
    let Some(key) = &m.owner else {
        return "<em>none</em>".into();
    };
    match project.owner(&key.value) {
        Some(o) => {
            let mut s = escape(
                o.name
                    .as_ref()
                    .map(|n| n.value.as_str())
                    .unwrap_or(&o.key.value),
            );
            let _ = write!(s, " <code>{}</code>", escape(&o.key.value));
            if let Some(e) = &o.email {
                let _ = write!(s, " · <a href=\"mailto:{0}\">{0}</a>", escape(&e.value));
            }
            if let Some(sl) = &o.slack {
                let _ = write!(s, " · {}", escape(&sl.value));
            }
            s
        }
        None => format!("<code>{}</code> (not declared)", escape(&key.value)),
    }
}

fn definition(m: &Metric) -> String {
    use crate::model::Compute;
    let Some(c) = &m.compute else {
        return "<em>no computation</em>".into();
    };
    match c {
        Compute::Measure(ms) => format!("measure: <code>{}</code>", escape(&text::measure(ms))),
        Compute::Ratio {
            numerator,
            denominator,
            ..
        } => format!(
            "ratio: <code>{}</code> divided by <code>{}</code> (NULL when the denominator is zero)",
            escape(&text::operand(numerator)),
            escape(&text::operand(denominator))
        ),
        Compute::Derived { expr, .. } => {
            format!("derived: <code>{}</code>", escape(&text::fragment(expr)))
        }
        Compute::Compare(cmp) => format!(
            "compare: the {} of <a href=\"#metric-{}\"><code>{}</code></a> ({} {})",
            escape(&cmp.as_.value.to_string()),
            escape(&cmp.metric.value),
            escape(&cmp.metric.value),
            cmp.offset.value,
            if cmp.offset.value == 1 {
                "period earlier"
            } else {
                "periods earlier"
            }
        ),
        Compute::Conversion(cv) => {
            format!("conversion: <code>{}</code>", escape(&text::conversion(cv)))
        }
    }
}

/// The metric's chart, from its series, threshold, targets and alerts.
fn metric_chart(m: &Metric, numbers: &ProductNumbers) -> String {
    let empty = Series::default();
    let name = m.name.value.as_str();
    chart::chart(&chart::Chart {
        metric: m,
        series: numbers.series.get(name).unwrap_or(&empty),
        grain: numbers.report.grain,
        today: numbers.today,
        alerts: numbers
            .report
            .alerts
            .iter()
            .filter(|a| a.metric == name)
            .collect(),
    })
}

fn metric_section(
    project: &Project,
    product: &Product,
    m: &Metric,
    sql: &[DialectSql],
    numbers: Option<&ProductNumbers>,
) -> String {
    let class = match m.role {
        Role::NorthStar => "north-star",
        Role::Input => "input",
        Role::Guardrail => "guardrail",
        Role::Outcome => "outcome",
    };
    let role = if m.role == Role::NorthStar {
        "North Star"
    } else {
        m.role.as_str()
    };
    let mut b = String::new();
    let _ = write!(
        b,
        "<section class=\"metric {class}\" id=\"metric-{id}\">\n<h3>{label} <span class=\"badge\">{role}</span></h3>\n",
        id = escape(&m.name.value),
        label = escape(m.display_label()),
    );
    if let Some(d) = &m.description {
        let _ = writeln!(b, "<p>{}</p>", escape(&d.value));
    }
    b.push_str("<dl>\n");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(b, "<dt>{k}</dt><dd>{v}</dd>");
    };
    row("name", format!("<code>{}</code>", escape(&m.name.value)));
    row("definition", definition(m));
    row("owner", owner_text(project, m));
    row(
        "type",
        m.metric_type
            .as_ref()
            .map(|t| escape(t.value.as_str()))
            .unwrap_or_else(|| "<em>none</em>".into()),
    );
    row("grain", escape(m.grain.value.as_str()));
    if m.role == Role::Guardrail || m.threshold.is_some() {
        row(
            "threshold",
            m.threshold
                .as_ref()
                .map(|t| escape(&text::threshold(t)))
                .unwrap_or_else(|| "<em>none</em>".into()),
        );
    }
    if m.role == Role::NorthStar || !m.targets.is_empty() {
        row("targets", escape(&text::targets(m)));
    }
    if let Some(r) = &m.review {
        let cadence = r.cadence.as_ref().map(|c| c.value.as_str()).unwrap_or("?");
        let last = r
            .last_reviewed
            .as_ref()
            .map(|d| d.value.to_string())
            .unwrap_or_else(|| "never".into());
        row(
            "review",
            format!("{}, last reviewed {}", escape(cadence), escape(&last)),
        );
    }
    b.push_str("</dl>\n");
    if let Some(numbers) = numbers {
        let _ = writeln!(
            b,
            "<div class=\"chart-box\">{}</div>",
            metric_chart(m, numbers)
        );
    }
    b.push_str("<div class=\"sql\">\n");
    for (dialect, result) in sql {
        let body = match result {
            Ok(products) => products
                .iter()
                .find(|p| p.product == product.name.value)
                .and_then(|p| p.metrics.iter().find(|c| c.name == m.name.value))
                .map(|c| format!("<pre><code>{}</code></pre>", escape(&c.sql)))
                .unwrap_or_else(|| {
                    "<p class=\"unavailable\">SQL unavailable: not compiled for this metric</p>"
                        .into()
                }),
            Err(e) => format!(
                "<p class=\"unavailable\">SQL unavailable: {}</p>",
                escape(e)
            ),
        };
        let _ = writeln!(
            b,
            "<details><summary>SQL · {}</summary>{body}</details>",
            dialect.name()
        );
    }
    b.push_str("</div>\n</section>\n");
    b
}

/// What the data say about the product as a whole: the periods analysed, how to read the
/// charts, and every alert.
fn numbers_summary(numbers: &ProductNumbers) -> String {
    let r = &numbers.report;
    let mut b = String::from("<h2>On the data</h2>\n");
    let range = match (r.periods.first(), r.periods.last()) {
        (Some(a), Some(z)) => format!(
            "{} complete {}s, {} to {}",
            r.periods.len(),
            r.grain.as_str(),
            chart::period_label(r.grain, *a),
            chart::period_label(r.grain, *z)
        ),
        _ => "no complete period".to_owned(),
    };
    let _ = writeln!(
        b,
        "<p class=\"muted\">Analysed: {}. Each metric's section charts its series: a red zone outside its threshold, a green dashed line to each target's date, a ring at each alert (hover for its message); a hollow last point is a period still in progress. The tree's edges say whether the changes of one metric lead the other's (<code>lodestar analyze</code>).</p>",
        escape(&range)
    );
    if r.alerts.is_empty() {
        b.push_str("<p>No alerts.</p>\n");
    } else {
        b.push_str("<ul class=\"alerts\">\n");
        for a in &r.alerts {
            let _ = writeln!(
                b,
                "<li data-kind=\"{kind}\"><span class=\"{sev}\">{kind}</span> · <a href=\"#metric-{m}\"><code>{m}</code></a> · {period}: {msg}</li>",
                kind = a.kind.as_str(),
                sev = a.severity.as_str(),
                m = escape(&a.metric),
                period = a.period,
                msg = escape(&a.message),
            );
        }
        b.push_str("</ul>\n");
    }
    b
}

fn product_page(
    project: &Project,
    p: &Product,
    sql: &[DialectSql],
    numbers: Option<&ProductNumbers>,
) -> String {
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{}</h1>", escape(&p.name.value));
    if let Some(d) = &p.description {
        let _ = writeln!(b, "<p class=\"muted\">{}</p>", escape(&d.value));
    }
    if let Some(g) = &p.game {
        let _ = writeln!(
            b,
            "<p>Game: <strong>{}</strong></p>",
            escape(g.value.as_str())
        );
    }
    b.push_str("<h2>Metric tree</h2>\n<div class=\"figure\">");
    b.push_str(&svg::tree_with(project, p, numbers.map(|n| &n.report)));
    b.push_str("</div>\n<p class=\"muted\">Inputs (blue) feed the North Star (gold), or are computed from it (dotted arrow down); guardrails (red, dashed) must not degrade while it is pushed; the North Star should lead the outcomes (green) above it. Click a node for its definition.</p>\n");
    if let Some(numbers) = numbers {
        b.push_str(&numbers_summary(numbers));
    }
    for (title, role) in [
        ("North Star", Role::NorthStar),
        ("Inputs", Role::Input),
        ("Guardrails", Role::Guardrail),
        ("Outcomes", Role::Outcome),
    ] {
        let of: Vec<&Metric> = p.metrics.iter().filter(|m| m.role == role).collect();
        if of.is_empty() {
            continue;
        }
        let _ = writeln!(b, "<h2>{title}</h2>");
        for m in of {
            b.push_str(&metric_section(project, p, m, sql, numbers));
        }
    }
    page_with(
        &format!("{} · lodestar", p.name.value),
        &b,
        if numbers.is_some() { DATA_CSS } else { "" },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(page_name("a/../b"), "a____b.html");
    }

    use crate::analyze::{Alert, AlertKind, Edge, Evidence, Verdict};
    use crate::diagnostics::Severity;
    use crate::model::Grain;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn project() -> Project {
        crate::lint::testing::valid_project()
    }

    fn edge(from: &str, to: &str, verdict: Verdict, lag: Option<i64>, r: Option<f64>) -> Edge {
        Edge {
            from: from.into(),
            to: to.into(),
            by_lag: Vec::new(),
            lag,
            correlation: r,
            low: r.map(|r| r - 0.2),
            high: r.map(|r| r + 0.1),
            n: 40,
            verdict,
        }
    }

    /// Six weeks of every metric of the fixture, a breach of `refund_rate` in the fourth,
    /// `new_hosts` leading the North Star by two weeks and `search_to_book_rate` unrelated.
    fn numbers(p: &Project) -> ProductNumbers {
        let product = &p.products[0];
        let periods: Vec<NaiveDate> = (0..6)
            .map(|i| date("2026-10-05") + chrono::Duration::weeks(i))
            .collect();
        let series = product
            .metrics
            .iter()
            .map(|m| {
                let v = |i: usize| match m.name.value.as_str() {
                    "refund_rate" if i == 3 => 0.05,
                    "refund_rate" => 0.01,
                    _ => 100.0 + i as f64,
                };
                let s = Series::new(periods.iter().enumerate().map(|(i, d)| (*d, Some(v(i)))));
                (m.name.value.clone(), s)
            })
            .collect();
        let ns = "nights_booked";
        ProductNumbers {
            series,
            report: ProductReport {
                product: product.name.value.clone(),
                grain: Grain::Week,
                periods: periods.clone(),
                edges: vec![
                    edge("new_hosts", ns, Verdict::Leads, Some(2), Some(0.7)),
                    edge(
                        "search_to_book_rate",
                        ns,
                        Verdict::Unrelated,
                        Some(0),
                        Some(0.1),
                    ),
                ],
                alerts: vec![Alert {
                    kind: AlertKind::Breach,
                    metric: "refund_rate".into(),
                    period: periods[3],
                    periods: vec![periods[3]],
                    severity: Severity::Error,
                    message: "Refund rate 0.05 is above its max 0.02.".into(),
                    evidence: Evidence::Breach {
                        min: None,
                        max: Some(0.02),
                        values: vec![0.05],
                    },
                }],
                targets: Vec::new(),
                attribution: None,
                trends: Vec::new(),
                bands: Vec::new(),
            },
            today: date("2026-12-01"),
        }
    }

    #[test]
    fn without_data_the_site_is_unchanged_and_with_it_each_metric_has_a_chart() {
        let p = project();
        let sql: Vec<DialectSql> = Vec::new();
        let plain = site(&p, &sql);
        assert_eq!(site_with_data(&p, &sql, &[]), plain);
        // Numbers for another product leave the page as it is.
        let mut other = numbers(&p);
        other.report.product = "elsewhere".into();
        assert_eq!(site_with_data(&p, &sql, &[other]), plain);
        assert!(!plain[1].html.contains("class=\"chart") && !plain[1].html.contains(DATA_CSS));

        let pages = site_with_data(&p, &sql, &[numbers(&p)]);
        assert_eq!(pages[0], plain[0], "the index has no numbers");
        let html = &pages[1].html;
        let metrics = &p.products[0].metrics;
        assert_eq!(html.matches("<svg").count(), 1 + metrics.len());
        for m in metrics {
            assert!(
                html.contains(&format!(r#"class="chart" data-metric="{}""#, m.name.value)),
                "{}",
                m.name.value
            );
        }
        // The breach is marked on its chart and listed.
        let refund = html
            .split(r#"class="chart" data-metric="refund_rate""#)
            .nth(1)
            .unwrap();
        let refund = &refund[..refund.find("</svg>").unwrap()];
        assert!(refund.contains(r#"data-kind="breach" data-period="2026-10-26""#));
        assert!(html.contains("<li data-kind=\"breach\">"));
        // Edges with a verdict are labelled; the others (not in the report) are not.
        assert!(html.contains(">leads by 2 weeks · r 0.70</text>"), "{html}");
        assert!(html.contains(r#"data-from="search_to_book_rate" data-to="nights_booked""#));
        assert!(html.contains(">unrelated</text>"));
        assert_eq!(html.matches("<text class=\"edge-label").count(), 2);
        // Not a class the page's CSS styles (`.leads` strokes the outcome arrows).
        assert!(html.contains(r#"<text class="edge-label verdict-leads" data-from="new_hosts""#));
        assert!(html.contains(DATA_CSS));
    }

    #[test]
    fn edge_labels() {
        let e = |v, lag, r| svg::edge_label(&edge("a", "b", v, lag, r), Grain::Week);
        assert_eq!(
            e(Verdict::Leads, Some(1), Some(0.512)),
            "leads by 1 week · r 0.51"
        );
        assert_eq!(
            e(Verdict::Lags, Some(-3), Some(-0.6)),
            "lags by 3 weeks · r -0.60"
        );
        assert_eq!(
            e(Verdict::Coincident, Some(0), Some(0.9)),
            "coincident · r 0.90"
        );
        assert_eq!(e(Verdict::Unrelated, Some(2), Some(0.1)), "unrelated");
        assert_eq!(e(Verdict::InsufficientData, None, None), "too little data");
        let month = svg::edge_label(
            &edge("a", "b", Verdict::Leads, Some(2), Some(0.7)),
            Grain::Month,
        );
        assert_eq!(month, "leads by 2 months · r 0.70");
    }
}
