//! Working on part of a project, as dbt users do: `--select` picks metrics by name, product or
//! lineage, and `--by` leaves out the metrics whose sources lack a dimension. Both are facts
//! of the model (which metric reads which metric and which source), so they live here, and
//! every command that compiles (`compile`, `run`, `guard`, `analyze`) shares them.
//!
//! A selector is one of
//!
//! | selector | selects |
//! |---|---|
//! | `METRIC` | the metrics of that name (in every product that has one) |
//! | `PRODUCT.METRIC` | that metric of that product |
//! | `PRODUCT` | every metric of the product (when no metric has that name) |
//! | `product:PRODUCT` | every metric of the product, whatever its metrics are named |
//! | `METRIC+` | the metric and every metric computed from it, directly or not |
//! | `+METRIC` | the metric and every metric it is computed from |
//! | `+METRIC+` | both |
//!
//! Several selectors (repeated `--select`, or separated by commas or spaces) select the union.

use std::collections::{BTreeMap, BTreeSet};

use super::{Product, Project};

/// The metrics chosen in each product, by name. Products with nothing chosen are absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    chosen: BTreeMap<String, BTreeSet<String>>,
}

impl Selection {
    /// Everything in the project.
    pub fn all(project: &Project) -> Selection {
        let mut s = Selection::default();
        for p in &project.products {
            for m in &p.metrics {
                s.insert(&p.name.value, &m.name.value);
            }
        }
        s
    }

    pub fn contains(&self, product: &str, metric: &str) -> bool {
        self.chosen.get(product).is_some_and(|m| m.contains(metric))
    }

    /// Is anything of the product chosen?
    pub fn has_product(&self, product: &str) -> bool {
        self.chosen.contains_key(product)
    }

    pub fn is_empty(&self) -> bool {
        self.chosen.is_empty()
    }

    /// How many metrics are chosen.
    pub fn len(&self) -> usize {
        self.chosen.values().map(BTreeSet::len).sum()
    }

    /// `(product, metric)` pairs in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.chosen
            .iter()
            .flat_map(|(p, ms)| ms.iter().map(move |m| (p.as_str(), m.as_str())))
    }

    fn insert(&mut self, product: &str, metric: &str) {
        self.chosen
            .entry(product.to_owned())
            .or_default()
            .insert(metric.to_owned());
    }

    fn remove(&mut self, product: &str, metric: &str) {
        if let Some(ms) = self.chosen.get_mut(product) {
            ms.remove(metric);
            if ms.is_empty() {
                self.chosen.remove(product);
            }
        }
    }
}

/// Why a selector selects nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectError {
    pub message: String,
    pub help: String,
}

/// The union of what the selectors select. Each selector must select something: a typo is an
/// error naming the closest name, never an empty run that passes for a clean one.
pub fn select(project: &Project, selectors: &[String]) -> Result<Selection, SelectError> {
    let mut out = Selection::default();
    let mut terms = 0;
    for term in selectors
        .iter()
        .flat_map(|s| s.split([',', ' ', '\t', '\n']))
        .filter(|t| !t.is_empty())
    {
        terms += 1;
        select_one(project, term, &mut out)?;
    }
    if terms == 0 {
        return Err(SelectError {
            message: "`--select` names nothing".to_owned(),
            help: "give a metric (`METRIC`, `PRODUCT.METRIC`, `METRIC+`, `+METRIC`) or a product, \
                   or leave --select out for the whole project"
                .to_owned(),
        });
    }
    Ok(out)
}

fn select_one(project: &Project, term: &str, out: &mut Selection) -> Result<(), SelectError> {
    let (up, rest) = match term.strip_prefix('+') {
        Some(r) => (true, r),
        None => (false, term),
    };
    let (down, core) = match rest.strip_suffix('+') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    // `near` is the word the user mistyped, for "did you mean".
    let fail = |message: String, near: &str| {
        let mut names: Vec<&str> = project
            .products
            .iter()
            .map(|p| p.name.value.as_str())
            .collect();
        names.extend(
            project
                .products
                .iter()
                .flat_map(|p| p.metrics.iter().map(|m| m.name.value.as_str())),
        );
        let help = match crate::syntax::keys::did_you_mean(near, &names) {
            Some(near) => format!("did you mean `{near}`?"),
            None => "select a metric (`METRIC`, `PRODUCT.METRIC`, `METRIC+` for it and what is \
                     computed from it, `+METRIC` for what it is computed from) or a product \
                     (`PRODUCT`, `product:PRODUCT`)"
                .to_owned(),
        };
        SelectError { message, help }
    };
    if core.is_empty() || core.starts_with('+') || core.ends_with('+') {
        return Err(fail(format!("`--select {term}` is not a selector"), ""));
    }
    // The metrics the core names, as (product, metric).
    let mut seeds: Vec<(&Product, &str)> = Vec::new();
    if let Some(product) = core.strip_prefix("product:") {
        let p = project.product(product).ok_or_else(|| {
            fail(
                format!("`--select {term}`: there is no product `{product}`"),
                product,
            )
        })?;
        seeds.extend(p.metrics.iter().map(|m| (p, m.name.value.as_str())));
    } else if let Some((product, metric)) = core.split_once('.') {
        let p = project.product(product).ok_or_else(|| {
            fail(
                format!("`--select {term}`: there is no product `{product}`"),
                product,
            )
        })?;
        let m = p.metric(metric).ok_or_else(|| {
            fail(
                format!("`--select {term}`: product `{product}` has no metric `{metric}`"),
                metric,
            )
        })?;
        seeds.push((p, m.name.value.as_str()));
    } else {
        for p in &project.products {
            if let Some(m) = p.metric(core) {
                seeds.push((p, m.name.value.as_str()));
            }
        }
        if seeds.is_empty() {
            if let Some(p) = project.product(core) {
                seeds.extend(p.metrics.iter().map(|m| (p, m.name.value.as_str())));
            }
        }
        if seeds.is_empty() {
            return Err(fail(
                format!("`--select {term}` matches no metric and no product"),
                core,
            ));
        }
    }
    for (p, m) in seeds {
        out.insert(&p.name.value, m);
        if up {
            for a in lineage(p, m, Direction::Up) {
                out.insert(&p.name.value, a);
            }
        }
        if down {
            for d in lineage(p, m, Direction::Down) {
                out.insert(&p.name.value, d);
            }
        }
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// What the metric is computed from.
    Up,
    /// What is computed from the metric.
    Down,
}

/// The metrics of the product the metric is computed from (`Up`) or that are computed from it
/// (`Down`), directly or through others; not the metric itself unless it is on a cycle (which
/// lint refuses).
fn lineage<'a>(product: &'a Product, metric: &str, direction: Direction) -> BTreeSet<&'a str> {
    let refs = |m: &'a super::Metric| -> Vec<&'a str> {
        m.compute
            .iter()
            .flat_map(|c| c.metric_refs())
            .map(|r| r.value.as_str())
            .collect()
    };
    let mut found: BTreeSet<&str> = BTreeSet::new();
    let mut todo: Vec<String> = vec![metric.to_owned()];
    while let Some(name) = todo.pop() {
        let next: Vec<&str> = match direction {
            Direction::Up => product.metric(&name).map(refs).unwrap_or_default(),
            Direction::Down => product
                .metrics
                .iter()
                .filter(|m| refs(m).contains(&name.as_str()))
                .map(|m| m.name.value.as_str())
                .collect(),
        };
        for n in next {
            if found.insert(n) {
                todo.push(n.to_owned());
            }
        }
    }
    found
}

/// Every source a metric reads, directly or through the metrics it is computed from.
pub fn sources_of<'a>(product: &'a Product, metric: &str) -> BTreeSet<&'a str> {
    let mut names: BTreeSet<&str> = lineage(product, metric, Direction::Up);
    if let Some(m) = product.metric(metric) {
        names.insert(m.name.value.as_str());
    }
    names
        .into_iter()
        .filter_map(|n| product.metric(n))
        .flat_map(|m| m.compute.iter().flat_map(|c| c.sources()))
        .map(|s| s.value.as_str())
        .collect()
}

/// A metric that `--by` cannot break down, with the dimension and the source that lacks it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unbreakable {
    pub product: String,
    pub metric: String,
    pub dimension: String,
    pub source: String,
}

/// The chosen metrics whose sources (theirs or those of the metrics they are computed from)
/// lack one of the `--by` dimensions, in print order.
pub fn unbreakable(project: &Project, chosen: &Selection, by: &[String]) -> Vec<Unbreakable> {
    let mut out = Vec::new();
    if by.is_empty() {
        return out;
    }
    for p in &project.products {
        for m in &p.metrics {
            if !chosen.contains(&p.name.value, &m.name.value) {
                continue;
            }
            let lacking = sources_of(p, &m.name.value).into_iter().find_map(|s| {
                let source = project.source(s)?;
                let dim = by.iter().find(|d| source.dimension(d).is_none())?;
                Some((dim.clone(), s.to_owned()))
            });
            if let Some((dimension, source)) = lacking {
                out.push(Unbreakable {
                    product: p.name.value.clone(),
                    metric: m.name.value.clone(),
                    dimension,
                    source,
                });
            }
        }
    }
    out
}

/// The selection without the metrics that `--by` cannot break down.
pub fn without(mut chosen: Selection, left_out: &[Unbreakable]) -> Selection {
    for u in left_out {
        chosen.remove(&u.product, &u.metric);
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> Project {
        crate::lint::testing::valid_project()
    }

    fn chosen(selectors: &[&str]) -> Vec<String> {
        let selectors: Vec<String> = selectors.iter().map(|s| (*s).to_owned()).collect();
        select(&project(), &selectors)
            .expect("selects")
            .iter()
            .map(|(p, m)| format!("{p}.{m}"))
            .collect()
    }

    #[test]
    fn a_metric_by_name_or_qualified() {
        assert_eq!(chosen(&["new_hosts"]), ["marketplace.new_hosts"]);
        assert_eq!(
            chosen(&["marketplace.new_hosts"]),
            ["marketplace.new_hosts"]
        );
    }

    #[test]
    fn a_product_is_every_metric_of_it() {
        let all = chosen(&["marketplace"]);
        assert_eq!(all.len(), 7, "{all:?}");
        assert_eq!(chosen(&["product:marketplace"]), all);
        assert_eq!(Selection::all(&project()).len(), 7);
    }

    #[test]
    fn plus_after_is_what_is_computed_from_the_metric() {
        // nights_per_booking = nights_booked / confirmed_bookings; refund_rate divides by it.
        assert_eq!(
            chosen(&["nights_booked+"]),
            [
                "marketplace.nights_booked",
                "marketplace.nights_per_booking",
                "marketplace.refund_rate"
            ]
        );
    }

    #[test]
    fn plus_before_is_what_the_metric_is_computed_from() {
        assert_eq!(
            chosen(&["+nights_per_booking"]),
            [
                "marketplace.confirmed_bookings",
                "marketplace.nights_booked",
                "marketplace.nights_per_booking"
            ]
        );
        // A measure is computed from no metric.
        assert_eq!(chosen(&["+new_hosts"]), ["marketplace.new_hosts"]);
    }

    #[test]
    fn selectors_are_a_union_and_may_be_comma_separated() {
        assert_eq!(
            chosen(&["new_hosts,avg_guest_rating", "new_hosts"]),
            ["marketplace.avg_guest_rating", "marketplace.new_hosts"]
        );
    }

    #[test]
    fn a_selector_that_selects_nothing_is_an_error_with_the_closest_name() {
        let p = project();
        for (selector, wanted, help) in [
            (
                "nigths_booked",
                "matches no metric and no product",
                "`nights_booked`",
            ),
            (
                "marketplce.new_hosts",
                "no product `marketplce`",
                "`marketplace`",
            ),
            (
                "marketplace.new_host",
                "has no metric `new_host`",
                "`new_hosts`",
            ),
            (
                "product:nights_booked",
                "no product `nights_booked`",
                "`nights_booked`",
            ),
            ("+", "is not a selector", ""),
            (",, ", "names nothing", "leave --select out"),
            ("++x", "is not a selector", ""),
        ] {
            let e = select(&p, &[selector.to_owned()]).expect_err(selector);
            assert!(e.message.contains(wanted), "{selector}: {}", e.message);
            assert!(e.help.contains(help), "{selector}: {}", e.help);
        }
    }

    #[test]
    fn by_leaves_out_the_metrics_whose_sources_lack_the_dimension() {
        let p = project();
        let all = Selection::all(&p);
        let lacking: Vec<(String, String)> = unbreakable(&p, &all, &["market".to_owned()])
            .into_iter()
            .map(|u| (u.metric, u.source))
            .collect();
        assert_eq!(
            lacking,
            [
                ("new_hosts".to_owned(), "hosts".to_owned()),
                ("search_to_book_rate".to_owned(), "searches".to_owned()),
                ("avg_guest_rating".to_owned(), "reviews".to_owned()),
            ]
        );
        let rest = without(
            all,
            &unbreakable(&p, &Selection::all(&p), &["market".to_owned()]),
        );
        assert_eq!(rest.len(), 4);
        assert!(rest.contains("marketplace", "refund_rate"));
        assert!(unbreakable(&p, &rest, &["market".to_owned()]).is_empty());
        // A metric is as breakable as everything it is computed from.
        assert_eq!(
            sources_of(p.product("marketplace").unwrap(), "nights_per_booking"),
            BTreeSet::from(["bookings"])
        );
    }
}
