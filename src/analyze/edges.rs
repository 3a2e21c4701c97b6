//! The edges of the tree (input → North Star, North Star → outcome): does the source's
//! movement go with the target's, and which moves first?
//!
//! Both series become period-over-period changes `Δx(t) = x(t) − x(t − 1)` (defined where
//! both periods are known). For each lag `l` in `−L..=L`, the changes `Δfrom(t)` are paired
//! with `Δto(t + l)` and correlated (Pearson). The best lag is the one with the largest `|r|`
//! among the lags with at least `min_periods` pairs; its interval is Fisher's, at a confidence
//! adjusted for having picked the best of `2L + 1` lags (Bonferroni).

use super::stats::{fisher_interval, pearson};

/// What an edge's data say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The source moves first: the best lag is positive and its interval excludes 0.
    Leads,
    /// They move in the same period: the best lag is 0 and its interval excludes 0.
    Coincident,
    /// The target moves first: the best lag is negative and its interval excludes 0.
    Lags,
    /// The interval at the best lag contains 0.
    Unrelated,
    /// No lag has `min_periods` pairs of changes.
    InsufficientData,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Leads => "leads",
            Verdict::Coincident => "coincident",
            Verdict::Lags => "lags",
            Verdict::Unrelated => "unrelated",
            Verdict::InsufficientData => "insufficient_data",
        }
    }
}

/// The correlation of the changes at one lag.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LagCorrelation {
    /// Positive: the source's change is paired with the target's `lag` periods later.
    pub lag: i64,
    /// Pairs of known changes.
    pub n: usize,
    /// `None` with fewer than 3 pairs or when either side's changes are constant.
    pub r: Option<f64>,
}

/// One edge of the tree and its verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// Every lag from `−L` to `L`, ascending.
    pub by_lag: Vec<LagCorrelation>,
    /// The best lag; `None` when the data are insufficient.
    pub lag: Option<i64>,
    pub correlation: Option<f64>,
    /// The Bonferroni-adjusted interval of the correlation at the best lag.
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Pairs at the best lag; with insufficient data, the most pairs any lag had.
    pub n: usize,
    pub verdict: Verdict,
}

/// Period-over-period changes; the first is always `None`.
pub fn deltas(x: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut out = Vec::with_capacity(x.len());
    out.extend(x.first().map(|_| None));
    out.extend(x.windows(2).map(|w| Some(w[1]? - w[0]?)));
    out
}

/// The lags in the order the best one is chosen: a tie in `|r|` goes to the smaller `|lag|`,
/// then to the positive one.
fn search_order(lags: i64) -> impl Iterator<Item = i64> {
    std::iter::once(0).chain((1..=lags).flat_map(|l| [l, -l]))
}

/// The edge `from → to` over values on one timeline. `z` is the two-sided critical value of
/// the interval (already adjusted for the number of lags); `min_periods` is at least 4.
pub fn edge(
    (from, from_values): (&str, &[Option<f64>]),
    (to, to_values): (&str, &[Option<f64>]),
    lags: usize,
    min_periods: usize,
    z: f64,
) -> Edge {
    let (df, dt) = (deltas(from_values), deltas(to_values));
    let len = df.len().min(dt.len()) as i64;
    let lags = lags as i64;
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    let by_lag: Vec<LagCorrelation> = (-lags..=lags)
        .map(|lag| {
            xs.clear();
            ys.clear();
            for t in (-lag).max(0)..(len - lag).min(len) {
                if let (Some(a), Some(b)) = (df[t as usize], dt[(t + lag) as usize]) {
                    xs.push(a);
                    ys.push(b);
                }
            }
            LagCorrelation {
                lag,
                n: xs.len(),
                r: pearson(&xs, &ys),
            }
        })
        .collect();
    let mut best: Option<(LagCorrelation, f64)> = None;
    for lag in search_order(lags) {
        let c = by_lag[(lag + lags) as usize];
        let Some(r) = c.r.filter(|_| c.n >= min_periods) else {
            continue;
        };
        if best.is_none_or(|(_, b)| r.abs() > b.abs()) {
            best = Some((c, r));
        }
    }
    let interval = best.and_then(|(c, r)| fisher_interval(r, c.n, z));
    let (Some((c, r)), Some((low, high))) = (best, interval) else {
        return Edge {
            from: from.to_owned(),
            to: to.to_owned(),
            n: by_lag.iter().map(|c| c.n).max().unwrap_or(0),
            by_lag,
            lag: None,
            correlation: None,
            low: None,
            high: None,
            verdict: Verdict::InsufficientData,
        };
    };
    let verdict = if low <= 0.0 && 0.0 <= high {
        Verdict::Unrelated
    } else {
        match c.lag {
            l if l > 0 => Verdict::Leads,
            0 => Verdict::Coincident,
            _ => Verdict::Lags,
        }
    };
    Edge {
        from: from.to_owned(),
        to: to.to_owned(),
        by_lag,
        lag: Some(c.lag),
        correlation: Some(r),
        low: Some(low),
        high: Some(high),
        n: c.n,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::stats::normal_critical;

    fn known(xs: &[f64]) -> Vec<Option<f64>> {
        xs.iter().copied().map(Some).collect()
    }

    /// A deterministic, irregular sequence of changes.
    fn wiggle(n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| ((i * 7919 % 23) as f64 - 11.0) * 0.5)
            .collect()
    }

    fn cumulate(changes: &[f64]) -> Vec<f64> {
        changes
            .iter()
            .scan(100.0, |level, c| {
                *level += c;
                Some(*level)
            })
            .collect()
    }

    #[test]
    fn deltas_need_both_periods() {
        let x = [Some(1.0), Some(3.0), None, Some(4.0), Some(10.0)];
        assert_eq!(deltas(&x), vec![None, Some(2.0), None, None, Some(6.0)]);
        assert_eq!(deltas(&[]), Vec::<Option<f64>>::new());
    }

    #[test]
    fn a_source_that_moves_two_periods_first_leads() {
        let changes = wiggle(40);
        let from = cumulate(&changes);
        // to's change at t is from's change at t − 2.
        let mut to_changes = vec![0.0, 0.0];
        to_changes.extend_from_slice(&changes[..38]);
        let to = cumulate(&to_changes);
        let e = edge(
            ("a", &known(&from)),
            ("b", &known(&to)),
            4,
            8,
            normal_critical(0.95),
        );
        assert_eq!((e.verdict, e.lag), (Verdict::Leads, Some(2)));
        let r = e.correlation.unwrap();
        assert!((r - 1.0).abs() < 1e-12, "{r}");
        // Pairs at lag 2: changes t = 1..=37 of `from` with t + 2 ≤ 39 → 37.
        assert_eq!(e.n, 37);
        assert_eq!(e.by_lag.len(), 9);
        assert_eq!(e.by_lag[0].lag, -4);
        // The same edge read backwards lags.
        let back = edge(("b", &known(&to)), ("a", &known(&from)), 4, 8, 1.96);
        assert_eq!((back.verdict, back.lag), (Verdict::Lags, Some(-2)));
    }

    #[test]
    fn simultaneous_changes_are_coincident_and_noise_is_unrelated() {
        let a = cumulate(&wiggle(30));
        let b: Vec<f64> = a.iter().map(|x| -3.0 * x).collect();
        let e = edge(("a", &known(&a)), ("b", &known(&b)), 2, 8, 1.96);
        assert_eq!((e.verdict, e.lag), (Verdict::Coincident, Some(0)));
        assert!((e.correlation.unwrap() + 1.0).abs() < 1e-12);
        // Two unrelated wiggles over 12 periods, lag 0 only: a weak r, a wide interval.
        let c = cumulate(&wiggle(12));
        let d = cumulate(
            &(0..12)
                .map(|i| ((i * 104_729 % 19) as f64 - 9.0) * 0.3)
                .collect::<Vec<_>>(),
        );
        let e = edge(("c", &known(&c)), ("d", &known(&d)), 0, 8, 2.5);
        assert_eq!((e.verdict, e.n), (Verdict::Unrelated, 11), "{e:?}");
        assert!(e.correlation.unwrap().abs() < 0.5, "{e:?}");
    }

    #[test]
    fn too_few_periods_are_insufficient() {
        let a = cumulate(&wiggle(8));
        let e = edge(("a", &known(&a)), ("b", &known(&a)), 4, 8, 1.96);
        // 8 values → 7 changes: below min_periods at every lag.
        assert_eq!(
            (e.verdict, e.n, e.lag),
            (Verdict::InsufficientData, 7, None)
        );
        let e = edge(("a", &known(&a)), ("b", &[]), 4, 8, 1.96);
        assert_eq!((e.verdict, e.n), (Verdict::InsufficientData, 0));
    }
}
