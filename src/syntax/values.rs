//! The closed sets of the spec language, parsed from their written form.

use std::fmt;

macro_rules! keyword_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s.trim().to_ascii_lowercase().as_str() { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

keyword_enum!(
    /// The period a metric is reported at. Weeks start on Monday everywhere.
    Grain { Day = "day", Week = "week", Month = "month", Quarter = "quarter", Year = "year" }
);

keyword_enum!(
    /// The game a product plays (Amplitude's North Star playbook).
    Game { Attention = "attention", Transaction = "transaction", Productivity = "productivity" }
);

keyword_enum!(
    /// What a `compare` metric gives: the earlier value, the change since, or the growth since.
    CompareAs { Value = "value", Change = "change", Growth = "growth" }
);

keyword_enum!(
    /// What a `conversion` metric gives: the share of entities that convert, or their number.
    ConversionAs { Rate = "rate", Count = "count" }
);

keyword_enum!(
    /// How often the North Star must be re-examined.
    Cadence { Weekly = "weekly", Monthly = "monthly", Quarterly = "quarterly", Yearly = "yearly" }
);

impl Cadence {
    /// The longest time between reviews, in days.
    pub fn days(self) -> i64 {
        match self {
            Cadence::Weekly => 7,
            Cadence::Monthly => 31,
            Cadence::Quarterly => 92,
            Cadence::Yearly => 366,
        }
    }
}

keyword_enum!(
    /// The kind of value a metric measures.
    MetricType {
        Transaction = "transaction",
        Engagement = "engagement",
        Productivity = "productivity",
        Retention = "retention",
        Conversion = "conversion",
        Adoption = "adoption",
        Quality = "quality",
        Efficiency = "efficiency",
        Revenue = "revenue",
        PageViews = "page_views",
        Visits = "visits",
        Sessions = "sessions",
        Downloads = "downloads",
        Installs = "installs",
        Signups = "signups",
        RegisteredUsers = "registered_users",
        Followers = "followers",
        Impressions = "impressions",
        Clicks = "clicks",
    }
);

/// Whether a metric type measures value or vanity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeClass {
    Value,
    Vanity,
}

impl MetricType {
    pub fn class(self) -> TypeClass {
        use MetricType::*;
        match self {
            PageViews | Visits | Sessions | Downloads | Installs | Signups | RegisteredUsers
            | Followers | Impressions | Clicks => TypeClass::Vanity,
            _ => TypeClass::Value,
        }
    }

    pub fn is_vanity(self) -> bool {
        self.class() == TypeClass::Vanity
    }

    pub fn value_types() -> impl Iterator<Item = MetricType> {
        MetricType::ALL.iter().copied().filter(|t| !t.is_vanity())
    }
}

/// An aggregation. `Percentile` carries its fraction in `0..=1`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Agg {
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
    Median,
    Percentile(f64),
}

impl Agg {
    pub const NAMES: &'static [&'static str] = &[
        "count",
        "count_distinct",
        "sum",
        "avg",
        "min",
        "max",
        "median",
        "percentile",
    ];

    pub fn name(self) -> &'static str {
        match self {
            Agg::Count => "count",
            Agg::CountDistinct => "count_distinct",
            Agg::Sum => "sum",
            Agg::Avg => "avg",
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::Median => "median",
            Agg::Percentile(_) => "percentile",
        }
    }

    /// Parses a name; `percentile` needs its fraction from elsewhere (`p`).
    pub fn parse(name: &str, p: Option<f64>) -> Option<Agg> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "count" => Agg::Count,
            "count_distinct" => Agg::CountDistinct,
            "sum" => Agg::Sum,
            "avg" => Agg::Avg,
            "min" => Agg::Min,
            "max" => Agg::Max,
            "median" => Agg::Median,
            "percentile" => Agg::Percentile(p.unwrap_or(f64::NAN)),
            _ => return None,
        })
    }

    /// Whether an empty period counts as 0 (rather than NULL).
    pub fn zero_when_empty(self) -> bool {
        matches!(self, Agg::Count | Agg::CountDistinct | Agg::Sum)
    }
}
