//! Numbers and periods as a product manager reads them, for alert messages.

use chrono::{Datelike, NaiveDate};

use crate::model::Grain;

/// A number to four significant digits, thousands grouped: `120,000`, `4.5`, `0.0213`.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    if a.round() >= 1000.0 {
        let digits = format!("{:.0}", a);
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        return format!("{sign}{grouped}");
    }
    let decimals = (3 - a.log10().floor() as i32).clamp(0, 12) as usize;
    let s = format!("{a:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    format!("{sign}{s}")
}

/// A change with its sign: `+1,020`, `-0.4`.
pub fn change(x: f64) -> String {
    if x > 0.0 {
        format!("+{}", number(x))
    } else {
        number(x)
    }
}

/// A rate as a signed percentage: `+2.1%`.
pub fn percent(rate: f64) -> String {
    format!("{:+.1}%", rate * 100.0)
}

/// The period starting on `start`: `the week of 2026-10-12`, `2026-10`, `2026-Q4`, `2026`.
pub fn period(grain: Grain, start: NaiveDate) -> String {
    match grain {
        Grain::Day => start.format("%Y-%m-%d").to_string(),
        Grain::Week => format!("the week of {}", start.format("%Y-%m-%d")),
        Grain::Month => start.format("%Y-%m").to_string(),
        Grain::Quarter => format!("{}-Q{}", start.year(), (start.month() - 1) / 3 + 1),
        Grain::Year => start.year().to_string(),
    }
}

/// `12 weeks`, `1 month`.
pub fn periods(grain: Grain, n: usize) -> String {
    format!("{n} {}{}", grain.as_str(), if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(120000.0), "120,000");
        assert_eq!(number(1234.6), "1,235");
        assert_eq!(number(999.96), "1,000");
        assert_eq!(number(4.5), "4.5");
        assert_eq!(number(0.021346), "0.02135");
        assert_eq!(number(-0.4), "-0.4");
        assert_eq!(number(123.456), "123.5");
        assert_eq!(number(0.0), "0");
        assert_eq!(change(1020.0), "+1,020");
        assert_eq!(percent(0.0213), "+2.1%");
    }

    #[test]
    fn periods_read_well() {
        let d = NaiveDate::from_ymd_opt(2026, 10, 12).unwrap();
        assert_eq!(period(Grain::Week, d), "the week of 2026-10-12");
        assert_eq!(period(Grain::Quarter, d), "2026-Q4");
        assert_eq!(period(Grain::Month, d), "2026-10");
        assert_eq!(periods(Grain::Week, 12), "12 weeks");
    }
}
