//! The report for people: `human` (the terminal) and `markdown` (a pull-request comment). The
//! versioned JSON is [`super::to_json`].

use super::text::{change, number, percent, period};
use super::{Edge, ProductReport, Severity, TargetStatus, Verdict};

/// Which text form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Human,
    Markdown,
}

/// The reports of every product.
pub fn render(reports: &[ProductReport], style: Style) -> String {
    let mut out = String::new();
    if style == Style::Markdown {
        out.push_str("## lodestar analyze\n\n");
    }
    for r in reports {
        out.push_str(&product(r, style));
        out.push('\n');
    }
    let (errors, warnings) =
        reports
            .iter()
            .flat_map(|r| &r.alerts)
            .fold((0, 0), |(e, w), a| match a.severity {
                Severity::Error => (e + 1, w),
                Severity::Warning => (e, w + 1),
            });
    out.push_str(&format!(
        "{} product{} analysed: {errors} alert{} at error level, {warnings} warning{}\n",
        reports.len(),
        plural(reports.len()),
        plural(errors),
        plural(warnings),
    ));
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// What an edge's verdict means for the tree, in words.
fn verdict_words(e: &Edge) -> String {
    let lag = e.lag.unwrap_or(0);
    match e.verdict {
        Verdict::Leads => format!(
            "leads by {lag} period{} (r = {})",
            plural(lag.unsigned_abs() as usize),
            corr(e)
        ),
        Verdict::Coincident => format!("moves in the same period (r = {})", corr(e)),
        Verdict::Lags => format!(
            "follows by {} period{} (r = {}): it does not drive, it reacts",
            -lag,
            plural(lag.unsigned_abs() as usize),
            corr(e)
        ),
        Verdict::Unrelated => format!(
            "no relation the data can tell from noise (best r = {} at lag {lag})",
            corr(e)
        ),
        Verdict::InsufficientData => {
            format!("too few periods to tell ({} pairs of changes at most)", e.n)
        }
    }
}

fn corr(e: &Edge) -> String {
    match (e.correlation, e.low, e.high) {
        (Some(r), Some(lo), Some(hi)) => {
            format!("{r:.2}, interval {lo:.2} to {hi:.2}, n = {}", e.n)
        }
        (Some(r), _, _) => format!("{r:.2}, n = {}", e.n),
        _ => "-".to_owned(),
    }
}

fn target_words(t: &TargetStatus) -> String {
    let head = format!("{} {} by {}", t.metric, number(t.value), t.by);
    match (t.on_track, t.projected, t.basis) {
        (Some(on), Some(p), Some(basis)) => {
            let how = if basis.as_str() == "actual" {
                format!("reached {}", number(p))
            } else {
                format!("projected {}", number(p))
            };
            let mut s = format!(
                "{head}: {} ({how})",
                if on { "on track" } else { "off track" }
            );
            if !on {
                if let Some(n) = t.needed_per_period {
                    s.push_str(&format!("; needs {} per period", change(n)));
                    if let Some(r) = t.needed_rate {
                        s.push_str(&format!(" ({} per period)", percent(r)));
                    }
                }
            }
            s
        }
        _ => format!("{head}: too little data to project"),
    }
}

fn product(r: &ProductReport, style: Style) -> String {
    let md = style == Style::Markdown;
    let mut out = String::new();
    let (first, last) = (r.periods.first(), r.periods.last());
    let span = match (first, last) {
        (Some(a), Some(b)) => format!(
            "{} complete {}s, {} to {}",
            r.periods.len(),
            r.grain,
            period(r.grain, *a),
            period(r.grain, *b)
        ),
        _ => "no complete period".to_owned(),
    };
    if md {
        out.push_str(&format!("### {}\n\n{span}\n\n", r.product));
    } else {
        out.push_str(&format!("{} ({span})\n", r.product));
    }

    if !r.alerts.is_empty() {
        if md {
            out.push_str("| | alert | metric | period | |\n|---|---|---|---|---|\n");
        } else {
            out.push_str("  alerts:\n");
        }
        for a in &r.alerts {
            let level = match a.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            if md {
                let icon = if a.severity == Severity::Error {
                    "❌"
                } else {
                    "⚠️"
                };
                out.push_str(&format!(
                    "| {icon} | `{}` | `{}` | {} | {} |\n",
                    a.kind.as_str(),
                    a.metric,
                    period(r.grain, a.period),
                    a.message.replace('|', "\\|").replace('\n', " ")
                ));
            } else {
                out.push_str(&format!(
                    "    {level}[{}] {}: {}\n",
                    a.kind.as_str(),
                    a.metric,
                    a.message
                ));
            }
        }
        if md {
            out.push('\n');
        }
    } else if md {
        out.push_str("No alerts.\n\n");
    } else {
        out.push_str("  no alerts\n");
    }

    if !r.edges.is_empty() {
        if md {
            out.push_str("| edge | verdict | |\n|---|---|---|\n");
        } else {
            out.push_str("  edges:\n");
        }
        for e in &r.edges {
            let words = verdict_words(e);
            if md {
                out.push_str(&format!(
                    "| `{}` → `{}` | {} | {} |\n",
                    e.from,
                    e.to,
                    e.verdict.as_str(),
                    words
                ));
            } else {
                out.push_str(&format!(
                    "    {} → {}: {} — {words}\n",
                    e.from,
                    e.to,
                    e.verdict.as_str()
                ));
            }
        }
        if md {
            out.push('\n');
        }
        let not_leading: Vec<&Edge> = r
            .edges
            .iter()
            .filter(|e| e.verdict != Verdict::Leads && e.verdict != Verdict::InsufficientData)
            .collect();
        if !not_leading.is_empty() {
            let names: Vec<String> = not_leading
                .iter()
                .map(|e| format!("{} → {}", e.from, e.to))
                .collect();
            let text = format!(
                "Not leading: {}. Where an input does not lead its North Star (or the North Star no outcome), the tree is a hope, not a model.",
                names.join(", ")
            );
            if md {
                out.push_str(&format!("> {text}\n\n"));
            } else {
                out.push_str(&format!("  {text}\n"));
            }
        }
    }

    if !r.targets.is_empty() {
        if !md {
            out.push_str("  targets:\n");
        }
        for t in &r.targets {
            if md {
                out.push_str(&format!("- target: {}\n", target_words(t)));
            } else {
                out.push_str(&format!("    {}\n", target_words(t)));
            }
        }
        if md {
            out.push('\n');
        }
    }

    if let Some(a) = &r.attribution {
        let parts: Vec<String> = a
            .parts
            .iter()
            .map(|p| format!("{} {}", p.operand, change(p.contribution)))
            .collect();
        let text = format!(
            "{} changed {} from {} to {}: {}",
            a.metric,
            change(a.change()),
            period(r.grain, a.from_period),
            period(r.grain, a.to_period),
            parts.join(", ")
        );
        if md {
            out.push_str(&format!("Attribution: {text}\n"));
        } else {
            out.push_str(&format!("  attribution: {text}\n"));
        }
    }
    out
}
