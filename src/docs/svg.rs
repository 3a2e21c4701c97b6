//! The picture of a product's metric tree, as inline SVG: the outcomes it should lead in a row on
//! top with arrows from the North Star, the North Star below them, its inputs in rows below with
//! arrows feeding it, its guardrails in a column beside it. The layout is a
//! fixed grid, so the same product always draws the same picture.

use std::fmt::Write;

use super::escape;
use crate::analyze::{Edge, ProductReport, Verdict};
use crate::model::{Grain, Metric, Product, Project};

const W: i32 = 224;
const H: i32 = 70;
const GAP: i32 = 24;
const MARGIN: i32 = 20;
/// Vertical room between the North Star row and the inputs.
const DROP: i32 = 80;
/// Horizontal room between the North Star and its guardrails.
const SIDE: i32 = 70;
const COLUMNS: i32 = 4;
/// How far an edge's label may run past the right edge of its node.
const LABEL_ROOM: i32 = 48;
/// Characters that fit on a line of a node at the fonts used.
const FIT: usize = 24;

/// A node's top-left corner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    pub x: i32,
    pub y: i32,
}

/// Where each node goes: the North Star, then inputs, guardrails and outcomes; and the
/// picture's size.
#[derive(Debug, PartialEq, Eq)]
pub struct Layout {
    pub north_star: Option<Place>,
    pub inputs: Vec<Place>,
    pub guardrails: Vec<Place>,
    pub outcomes: Vec<Place>,
    pub width: i32,
    pub height: i32,
}

/// Lays out `inputs` inputs, `guardrails` guardrails and `outcomes` outcomes around a North
/// Star.
pub fn layout(has_north_star: bool, inputs: usize, guardrails: usize, outcomes: usize) -> Layout {
    let n = inputs as i32;
    let cols = n.clamp(1, COLUMNS);
    let rows = (n + cols - 1) / cols;
    let o = outcomes as i32;
    let outcomes_w = o * W + (o - 1).max(0) * GAP;
    // Outcomes wider than the inputs push the tree right, so that the row stays centred.
    let inputs_w = (cols * W + (cols - 1) * GAP).max(outcomes_w);
    let g = guardrails as i32;
    let top_h = H.max(g * (H + GAP) - GAP);
    // The row of outcomes, and the room below it, push everything else down.
    let top = if o > 0 { MARGIN + H + DROP } else { MARGIN };
    let ns_x = MARGIN + (inputs_w - W) / 2;
    let ns_y = top + (top_h - H) / 2;
    let guard_x = ns_x + W + SIDE;
    let inputs_y = top + top_h + DROP;
    let columns_w = cols * W + (cols - 1) * GAP;
    let input_places = (0..n)
        .map(|i| {
            let row = i / cols;
            let col = i % cols;
            // The last row is centred under the North Star.
            let in_row = if row == rows - 1 {
                n - row * cols
            } else {
                cols
            };
            let row_w = in_row * W + (in_row - 1) * GAP;
            let x0 = MARGIN + (columns_w.max(inputs_w) - row_w) / 2;
            Place {
                x: x0 + col * (W + GAP),
                y: inputs_y + row * (H + GAP),
            }
        })
        .collect();
    let guard_places = (0..g)
        .map(|i| Place {
            x: guard_x,
            y: top + i * (H + GAP),
        })
        .collect();
    let outcome_places = (0..o)
        .map(|i| Place {
            x: MARGIN + (inputs_w - outcomes_w) / 2 + i * (W + GAP),
            y: MARGIN,
        })
        .collect();
    let right = if g > 0 {
        guard_x + W
    } else {
        MARGIN + inputs_w
    };
    let bottom = if n > 0 {
        inputs_y + rows * (H + GAP) - GAP
    } else {
        top + top_h
    };
    Layout {
        north_star: has_north_star.then_some(Place { x: ns_x, y: ns_y }),
        inputs: input_places,
        guardrails: guard_places,
        outcomes: outcome_places,
        width: right.max(MARGIN + inputs_w) + MARGIN,
        height: bottom + MARGIN,
    }
}

fn fit(s: &str) -> String {
    if s.chars().count() <= FIT {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(FIT - 1).collect();
        t.push('…');
        t
    }
}

fn node(out: &mut String, project: &Project, m: &Metric, at: Place, class: &str) {
    let name = &m.name.value;
    let owner = m.owner.as_ref().map(|o| {
        project
            .owner(&o.value)
            .and_then(|d| d.name.as_ref())
            .map(|n| n.value.clone())
            .unwrap_or_else(|| o.value.clone())
    });
    let role = match class {
        "north-star" => "North Star",
        "guardrail" => "guardrail",
        "outcome" => "outcome",
        _ => "input",
    };
    let _ = write!(
        out,
        r##"<a href="#metric-{id}"><g class="node {class}" id="node-{id}" data-metric="{id}" data-role="{class}"><title>{role}: {full} ({name})</title><rect x="{x}" y="{y}" width="{W}" height="{H}" rx="8"/><text x="{tx}" y="{y1}" class="kind">{role}</text><text x="{tx}" y="{y2}" class="name">{label}</text><text x="{tx}" y="{y3}" class="owner">owner: {owner}</text></g></a>"##,
        id = escape(name),
        full = escape(m.display_label()),
        name = escape(name),
        x = at.x,
        y = at.y,
        tx = at.x + 10,
        y1 = at.y + 18,
        y2 = at.y + 39,
        y3 = at.y + 59,
        label = escape(&fit(m.display_label())),
        owner = escape(&fit(owner.as_deref().unwrap_or("none"))),
    );
}

/// Whether `m` is computed, directly or through other metrics of the product, from `target`.
fn computed_from(product: &Product, m: &Metric, target: &str) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut todo = vec![m];
    while let Some(m) = todo.pop() {
        for r in m
            .compute
            .as_ref()
            .map(|c| c.metric_refs())
            .unwrap_or_default()
        {
            if r.value == target {
                return true;
            }
            if seen.insert(r.value.as_str()) {
                todo.extend(product.metric(&r.value));
            }
        }
    }
    false
}

/// `1 week`, `2 weeks`, `-1 week`.
fn periods(k: i64, grain: Grain) -> String {
    let s = if k.abs() == 1 { "" } else { "s" };
    format!("{k} {}{s}", grain.as_str())
}

/// What an edge's data say, in a few words: `leads by 2 weeks · r 0.70`, `coincident · r
/// 0.91`, `lags by 1 week · r 0.55`, `unrelated`, `too little data`.
pub fn edge_label(e: &Edge, grain: Grain) -> String {
    let r = e
        .correlation
        .map(|r| format!(" · r {r:.2}"))
        .unwrap_or_default();
    match (e.verdict, e.lag) {
        (Verdict::Leads, Some(l)) => format!("leads by {}{r}", periods(l.abs(), grain)),
        (Verdict::Lags, Some(l)) => format!("lags by {}{r}", periods(l.abs(), grain)),
        (Verdict::Coincident, _) => format!("coincident{r}"),
        (Verdict::Unrelated, _) => "unrelated".to_owned(),
        (Verdict::InsufficientData, _) => "too little data".to_owned(),
        (v, None) => v.as_str().replace('_', " "),
    }
}

/// The edge's label as SVG text starting at (`x`, `y`), with the numbers behind it as its
/// tooltip. A white halo keeps it readable where it crosses another edge. Its class is
/// `verdict-leads`, not `leads`: the page's CSS strokes `.leads` (the North Star's arrows to its
/// outcomes) green, which would smear the text.
fn edge_text(out: &mut String, e: &Edge, grain: Grain, x: i32, y: i32) {
    let colour = match e.verdict {
        Verdict::Leads | Verdict::Coincident => "#2f8f4e",
        Verdict::Lags => "#b8860b",
        Verdict::Unrelated | Verdict::InsufficientData => "#5b6478",
    };
    let interval = match (e.low, e.high) {
        (Some(lo), Some(hi)) => format!(", interval {lo:.2} to {hi:.2}"),
        _ => String::new(),
    };
    let _ = write!(
        out,
        r##"<text class="edge-label verdict-{verdict}" data-from="{from}" data-to="{to}" x="{x}" y="{y}" font-size="11" fill="{colour}" stroke="#fff" stroke-width="3" paint-order="stroke"><title>{from} → {to}: {verdict}{lag}{r}{interval}, {n} pairs of changes</title>{label}</text>"##,
        verdict = e.verdict.as_str(),
        from = escape(&e.from),
        to = escape(&e.to),
        lag = e
            .lag
            .map(|l| format!(" at lag {l} {}", periods(l, grain)))
            .unwrap_or_default(),
        r = e
            .correlation
            .map(|r| format!(", r {r:.2}"))
            .unwrap_or_default(),
        n = e.n,
        label = escape(&edge_label(e, grain)),
    );
}

/// The product's metric tree as an `<svg>` element.
pub fn tree(project: &Project, product: &Product) -> String {
    tree_with(project, product, None)
}

/// The tree, with each input → North Star and North Star → outcome edge labelled with what
/// `report` found about it (the lead–lag and correlation of their changes). Without a report,
/// the picture of [`tree`].
pub fn tree_with(project: &Project, product: &Product, report: Option<&ProductReport>) -> String {
    let edge = |from: &str, to: &str| {
        report.and_then(|r| {
            r.edges
                .iter()
                .find(|e| e.from == from && e.to == to)
                .map(|e| (e, r.grain))
        })
    };
    let mut labels = String::new();
    let ns = product.north_stars().next();
    let inputs: Vec<&Metric> = product.inputs().collect();
    let guardrails: Vec<&Metric> = product.guardrails().collect();
    let outcomes: Vec<&Metric> = product.outcomes().collect();
    let l = layout(ns.is_some(), inputs.len(), guardrails.len(), outcomes.len());
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="tree" role="img" aria-label="Metric tree of {name}" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#,
        name = escape(&product.name.value),
        // Room for the label right of the rightmost node's arrow.
        w = l.width + if report.is_some() { LABEL_ROOM } else { 0 },
        h = l.height,
    );
    out.push_str(r#"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead"/></marker></defs>"#);
    // Edges first, so that nodes are drawn over them.
    if let Some(at) = l.north_star {
        let (cx, bottom) = (at.x + W / 2, at.y + H);
        for (m, p) in inputs.iter().zip(&l.inputs) {
            // An input computed from the North Star (`meals / boxes` where `meals` is the
            // North Star) does not feed it: its arrow points from the North Star to it.
            let from_ns = ns.is_some_and(|n| computed_from(product, m, &n.name.value));
            let (class, marker) = if from_ns {
                ("edge computed", "marker-start")
            } else {
                ("edge feeds", "marker-end")
            };
            let _ = write!(
                out,
                r#"<path class="{class}" data-metric="{id}" d="M {x} {y} C {x} {my}, {cx} {my}, {cx} {b}" {marker}="url(#arrow)"/>"#,
                id = escape(&m.name.value),
                x = p.x + W / 2,
                y = p.y,
                my = (p.y + bottom) / 2,
                cx = cx,
                b = bottom,
            );
            if let Some((e, grain)) = ns.and_then(|n| edge(&m.name.value, &n.name.value)) {
                // Just above the input, right of its arrow's end.
                edge_text(&mut labels, e, grain, p.x + W / 2 + 6, p.y - 6);
            }
        }
        for p in &l.guardrails {
            let _ = write!(
                out,
                r#"<path class="edge guards" d="M {x1} {y1} L {x2} {y2}"/>"#,
                x1 = at.x + W,
                y1 = at.y + H / 2,
                x2 = p.x,
                y2 = p.y + H / 2,
            );
        }
        // The North Star leads its outcomes: arrows up, from its top to each outcome's bottom.
        for (m, p) in outcomes.iter().zip(&l.outcomes) {
            if let Some((e, grain)) = ns.and_then(|n| edge(&n.name.value, &m.name.value)) {
                // Just below the outcome, right of the arrowhead.
                edge_text(&mut labels, e, grain, p.x + W / 2 + 6, p.y + H + 16);
            }
            let _ = write!(
                out,
                r#"<path class="edge leads" d="M {cx} {y} C {cx} {my}, {x} {my}, {x} {b}" marker-end="url(#arrow)"/>"#,
                cx = cx,
                y = at.y,
                my = (at.y + p.y + H) / 2,
                x = p.x + W / 2,
                b = p.y + H,
            );
        }
    }
    if let (Some(m), Some(at)) = (ns, l.north_star) {
        node(&mut out, project, m, at, "north-star");
    }
    for (m, at) in inputs.iter().zip(&l.inputs) {
        node(&mut out, project, m, *at, "input");
    }
    for (m, at) in guardrails.iter().zip(&l.guardrails) {
        node(&mut out, project, m, *at, "guardrail");
    }
    for (m, at) in outcomes.iter().zip(&l.outcomes) {
        node(&mut out, project, m, *at, "outcome");
    }
    // Over the nodes and edges, so that nothing hides them.
    out.push_str(&labels);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlaps(a: Place, b: Place) -> bool {
        a.x < b.x + W && b.x < a.x + W && a.y < b.y + H && b.y < a.y + H
    }

    #[test]
    fn nodes_never_overlap_and_fit_the_picture() {
        for (inputs, guardrails, outcomes) in (0..12)
            .flat_map(|i| (0..6).map(move |g| (i, g)))
            .flat_map(|(i, g)| (0..7).map(move |o| (i, g, o)))
        {
            {
                let l = layout(true, inputs, guardrails, outcomes);
                let all: Vec<Place> = l
                    .north_star
                    .into_iter()
                    .chain(l.inputs.iter().copied())
                    .chain(l.guardrails.iter().copied())
                    .chain(l.outcomes.iter().copied())
                    .collect();
                assert_eq!(all.len(), 1 + inputs + guardrails + outcomes);
                for (i, a) in all.iter().enumerate() {
                    assert!(
                        a.x >= 0 && a.y >= 0 && a.x + W <= l.width && a.y + H <= l.height,
                        "{inputs}/{guardrails}: {a:?} outside {}x{}",
                        l.width,
                        l.height
                    );
                    for b in &all[i + 1..] {
                        assert!(
                            !overlaps(*a, *b),
                            "{inputs}/{guardrails}: {a:?} overlaps {b:?}"
                        );
                    }
                }
                // Inputs are below the North Star; guardrails beside it.
                let ns = l.north_star.unwrap();
                assert!(l.inputs.iter().all(|p| p.y > ns.y + H));
                assert!(l.guardrails.iter().all(|p| p.x > ns.x + W));
                // Outcomes are above it.
                assert!(l.outcomes.iter().all(|p| p.y + H < ns.y));
            }
        }
    }
}
