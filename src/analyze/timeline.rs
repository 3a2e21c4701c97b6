//! The periods a product is analysed over: consecutive at its grain, complete ones only (the
//! one holding today too with `include_partial`), and every series placed on them.

use chrono::{Datelike, Days, Months, NaiveDate};

use super::Series;
use crate::model::Grain;

/// The start of the period after the one starting on `start`.
pub fn next_period(start: NaiveDate, grain: Grain) -> Option<NaiveDate> {
    grain.next(start)
}

/// More periods than this are not analysed (a hundred thousand days is 270 years).
const MAX_PERIODS: usize = 100_000;

/// The periods analysed, ascending and consecutive at the grain.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    pub grain: Grain,
    pub periods: Vec<NaiveDate>,
}

impl Timeline {
    /// From the earliest period of any series to the latest, stopping before the first period
    /// that is not complete on `today` (its successor starts after `today`). With
    /// `include_partial`, the period holding `today` is kept too; later ones never are.
    pub fn new<'s>(
        series: impl IntoIterator<Item = &'s Series>,
        grain: Grain,
        today: NaiveDate,
        include_partial: bool,
    ) -> Timeline {
        let (mut first, mut last) = (None::<NaiveDate>, None::<NaiveDate>);
        for s in series {
            if let (Some(a), Some(b)) = (s.periods.first(), s.periods.last()) {
                first = Some(first.map_or(*a, |f| f.min(*a)));
                last = Some(last.map_or(*b, |l| l.max(*b)));
            }
        }
        let mut periods = Vec::new();
        if let (Some(mut p), Some(last)) = (first, last) {
            while p <= last && periods.len() < MAX_PERIODS {
                let next = next_period(p, grain);
                let complete = next.is_some_and(|n| n <= today);
                if !(complete || (include_partial && p <= today)) {
                    break;
                }
                periods.push(p);
                match next {
                    Some(n) => p = n,
                    None => break,
                }
            }
        }
        Timeline { grain, periods }
    }

    pub fn len(&self) -> usize {
        self.periods.len()
    }

    pub fn is_empty(&self) -> bool {
        self.periods.is_empty()
    }

    /// The values of `series` on this timeline: `None` where it has no value, a non-finite
    /// one, or no period at all. Periods of the series that are not on the timeline (later
    /// than it, or not at the grain's boundaries) are ignored.
    pub fn align(&self, series: &Series) -> Vec<Option<f64>> {
        let mut out = vec![None; self.periods.len()];
        let Some(first) = series.periods.first() else {
            return out;
        };
        // A series at the grain is a run of consecutive periods: one search finds its offset.
        let offset = self.periods.binary_search(first).ok();
        for (i, (d, v)) in series.periods.iter().zip(&series.values).enumerate() {
            let at = match offset {
                Some(o) if self.periods.get(o + i) == Some(d) => Some(o + i),
                _ => self.periods.binary_search(d).ok(),
            };
            if let (Some(at), Some(v)) = (at, v) {
                if v.is_finite() {
                    out[at] = Some(*v);
                }
            }
        }
        out
    }

    /// The position of the period holding `date`, counted from the timeline's first period
    /// (it may lie beyond the last one); `None` before the first period or on an empty timeline.
    pub fn position(&self, date: NaiveDate) -> Option<usize> {
        let start = *self.periods.first()?;
        if date < start {
            return None;
        }
        let days = (date - start).num_days();
        let months = |step: i64| {
            let mut m = i64::from(date.year() - start.year()) * 12 + i64::from(date.month())
                - i64::from(start.month());
            if date.day() < start.day() {
                m -= 1;
            }
            m.div_euclid(step)
        };
        let k = match self.grain {
            Grain::Day => days,
            Grain::Week => days.div_euclid(7),
            Grain::Month => months(1),
            Grain::Quarter => months(3),
            Grain::Year => months(12),
        };
        usize::try_from(k).ok()
    }

    /// The start of the period at `position` (see [`Timeline::position`]).
    pub fn period_at(&self, position: usize) -> Option<NaiveDate> {
        if let Some(p) = self.periods.get(position) {
            return Some(*p);
        }
        let start = *self.periods.first()?;
        let k = u32::try_from(position).ok()?;
        match self.grain {
            Grain::Day => start.checked_add_days(Days::new(k.into())),
            Grain::Week => start.checked_add_days(Days::new(u64::from(k) * 7)),
            Grain::Month => start.checked_add_months(Months::new(k)),
            Grain::Quarter => start.checked_add_months(Months::new(k.checked_mul(3)?)),
            Grain::Year => start.checked_add_months(Months::new(k.checked_mul(12)?)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn series(dates: &[&str]) -> Series {
        Series {
            periods: dates.iter().map(|s| d(s)).collect(),
            values: (0..dates.len()).map(|i| Some(i as f64)).collect(),
        }
    }

    #[test]
    fn the_period_holding_today_is_left_out() {
        // Today is Sunday 2026-11-01: the week of 2026-10-26 ends on 2026-11-02.
        let s = series(&["2026-10-12", "2026-10-19", "2026-10-26"]);
        let t = Timeline::new([&s], Grain::Week, d("2026-11-01"), false);
        assert_eq!(t.periods, vec![d("2026-10-12"), d("2026-10-19")]);
        let t = Timeline::new([&s], Grain::Week, d("2026-11-01"), true);
        assert_eq!(t.len(), 3);
        // On Monday the week is complete.
        let t = Timeline::new([&s], Grain::Week, d("2026-11-02"), false);
        assert_eq!(t.len(), 3);
        // Periods after today are never analysed.
        let t = Timeline::new([&s], Grain::Week, d("2026-10-20"), true);
        assert_eq!(t.periods, vec![d("2026-10-12"), d("2026-10-19")]);
    }

    #[test]
    fn months_step_by_calendar() {
        let s = series(&["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]);
        let t = Timeline::new([&s], Grain::Month, d("2026-04-15"), false);
        assert_eq!(t.len(), 3);
        assert_eq!(t.align(&s), vec![Some(0.0), Some(1.0), Some(2.0)]);
        assert_eq!(t.position(d("2026-12-31")), Some(11));
        assert_eq!(t.period_at(11), Some(d("2026-12-01")));
        assert_eq!(t.position(d("2025-12-31")), None);
    }

    #[test]
    fn series_are_aligned_by_date() {
        let a = series(&["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26"]);
        let mut b = series(&["2026-01-19", "2026-01-26"]);
        b.values[1] = Some(f64::NAN);
        let t = Timeline::new([&a, &b], Grain::Week, d("2026-03-01"), false);
        assert_eq!(t.align(&b), vec![None, None, Some(0.0), None]);
        assert_eq!(t.position(d("2026-01-25")), Some(2));
        assert_eq!(t.position(d("2026-01-26")), Some(3));
        assert_eq!(t.period_at(5), Some(d("2026-02-09")));
        let q = Timeline {
            grain: Grain::Quarter,
            periods: vec![d("2026-01-01")],
        };
        assert_eq!(q.position(d("2026-12-31")), Some(3));
        assert_eq!(q.period_at(3), Some(d("2026-10-01")));
    }
}
