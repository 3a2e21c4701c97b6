//! The documentation site: an index of products and a page per product with a picture of its
//! metric tree ([`svg`]), each metric's definition, owner, threshold, targets and SQL per
//! dialect. Static HTML with inline CSS: no server, no network, no script.
//!
//! Entry point: [`site`], which returns the pages; writing them is the CLI's job.

pub mod svg;
pub mod text;

use std::fmt::Write;

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

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"lodestar {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header><a href=\"index.html\">lodestar</a> · metric specs</header>\n<main>\n{body}\n</main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        escape(title),
    )
}

/// Every page of the site: `index.html`, then one page per product.
pub fn site(project: &Project, sql: &[DialectSql]) -> Vec<Page> {
    let mut pages = vec![Page {
        path: "index.html".into(),
        html: index(project),
    }];
    for p in &project.products {
        pages.push(Page {
            path: page_name(&p.name.value),
            html: product_page(project, p, sql),
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

fn metric_section(project: &Project, product: &Product, m: &Metric, sql: &[DialectSql]) -> String {
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
    b.push_str("</dl>\n<div class=\"sql\">\n");
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

fn product_page(project: &Project, p: &Product, sql: &[DialectSql]) -> String {
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
    b.push_str(&svg::tree(project, p));
    b.push_str("</div>\n<p class=\"muted\">Inputs (blue) feed the North Star (gold), or are computed from it (dotted arrow down); guardrails (red, dashed) must not degrade while it is pushed; the North Star should lead the outcomes (green) above it. Click a node for its definition.</p>\n");
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
            b.push_str(&metric_section(project, p, m, sql));
        }
    }
    page(&format!("{} · lodestar", p.name.value), &b)
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
}
