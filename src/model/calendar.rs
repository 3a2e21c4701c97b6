//! The calendar of a grain: where its periods start (weeks on Monday) and how they follow each
//! other. Shared by the SQL stage (the reported periods) and the reports (which periods are
//! complete on a given day).

use chrono::{Datelike, Days, Months, NaiveDate};

use super::Grain;

impl Grain {
    /// The first day of the period that holds `d`.
    pub fn start_of(self, d: NaiveDate) -> NaiveDate {
        let first_of = |month: u32| NaiveDate::from_ymd_opt(d.year(), month, 1).unwrap_or(d);
        match self {
            Grain::Day => d,
            Grain::Week => {
                d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()))
            }
            Grain::Month => first_of(d.month()),
            Grain::Quarter => first_of((d.month() - 1) / 3 * 3 + 1),
            Grain::Year => first_of(1),
        }
    }

    /// The start of the period after the one starting on `start` (`None` past the calendar's
    /// end).
    pub fn next(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Grain::Day => start.checked_add_days(Days::new(1)),
            Grain::Week => start.checked_add_days(Days::new(7)),
            Grain::Month => start.checked_add_months(Months::new(1)),
            Grain::Quarter => start.checked_add_months(Months::new(3)),
            Grain::Year => start.checked_add_months(Months::new(12)),
        }
    }

    /// The start of the period `n` periods before the one starting on `start` (the calendar's
    /// first day when that is earlier).
    pub fn before(self, start: NaiveDate, n: u32) -> NaiveDate {
        let months = |k: u32| {
            start
                .checked_sub_months(Months::new(k))
                .unwrap_or(NaiveDate::MIN)
        };
        let days = |k: u64| {
            start
                .checked_sub_days(Days::new(k))
                .unwrap_or(NaiveDate::MIN)
        };
        match self {
            Grain::Day => days(u64::from(n)),
            Grain::Week => days(7 * u64::from(n)),
            Grain::Month => months(n),
            Grain::Quarter => months(3 * n),
            Grain::Year => months(12 * n.min(u32::MAX / 12)),
        }
    }

    /// Whether the period starting on `start` has ended by `today` (its successor starts on
    /// or before `today`).
    pub fn complete(self, start: NaiveDate, today: NaiveDate) -> bool {
        self.next(start).is_some_and(|n| n <= today)
    }

    /// The latest period that has ended by `day`.
    pub fn latest_complete(self, day: NaiveDate) -> NaiveDate {
        self.before(self.start_of(day), 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_start_and_follow() {
        assert_eq!(Grain::Week.start_of(d("2026-12-05")), d("2026-11-30"));
        assert_eq!(Grain::Quarter.start_of(d("2026-12-05")), d("2026-10-01"));
        assert_eq!(Grain::Month.next(d("2026-12-01")), Some(d("2027-01-01")));
        assert_eq!(Grain::Quarter.before(d("2026-01-01"), 2), d("2025-07-01"));
        assert_eq!(
            Grain::Year.before(d("2026-01-01"), u32::MAX),
            NaiveDate::MIN
        );
    }

    #[test]
    fn complete_periods_have_ended() {
        // The week of Monday 2026-11-30 ends on Sunday 2026-12-06.
        assert!(!Grain::Week.complete(d("2026-11-30"), d("2026-12-06")));
        assert!(Grain::Week.complete(d("2026-11-30"), d("2026-12-07")));
        assert_eq!(
            Grain::Week.latest_complete(d("2026-12-05")),
            d("2026-11-23")
        );
        // On a period's first day the one before it has just ended.
        assert_eq!(
            Grain::Month.latest_complete(d("2026-12-01")),
            d("2026-11-01")
        );
    }
}
