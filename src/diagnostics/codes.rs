//! Every code lodestar emits, one row each: the code, its kebab-case name (accepted wherever a
//! code is), the level it has when configuration says nothing, a one-line summary and its
//! documentation. The rules' registry ([`crate::lint::registry`]), `lodestar rules` and
//! `explain`, `docs/rules.md`, `lodestar.toml` and `allow:` all read this table.
//!
//! A code's documentation lives with what emits it: a rule's in its file under
//! `src/lint/rules/`, the others' in `src/lint/rules/errors.rs`.

use std::fmt;

use super::Severity;
use crate::lint::rules::{self as r, errors as e};

/// The level of a code when `lodestar.toml` says nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Default {
    /// A rule that reports errors unless configured otherwise.
    Error,
    /// A rule that reports warnings unless configured otherwise.
    Warning,
    /// Always an error: the file could not be read or understood, or what it says could hurt
    /// (a name that escapes `--out`). Neither `lodestar.toml` nor `allow:` changes it.
    Fixed,
}

macro_rules! codes {
    ($($variant:ident = $code:literal $name:literal $default:ident $doc:path, $summary:literal;)+) => {
        /// A diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant),+ }

        impl Code {
            /// Every code, in code order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// `LS001`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),+ }
            }

            /// `one-north-star`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name),+ }
            }

            pub fn default(self) -> Default {
                match self { $(Code::$variant => Default::$default),+ }
            }

            /// One line: what the code is about.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary),+ }
            }

            /// Markdown with the sections "What it checks", "Why it matters", "Example" and
            /// "Configuration".
            pub fn doc(self) -> &'static str {
                match self { $(Code::$variant => $doc),+ }
            }
        }
    };
}

codes! {
    OneNorthStar = "LS001" "one-north-star" Error r::ls001_one_north_star::DOC,
        "a product has exactly one North Star";
    GuardrailRequired = "LS002" "guardrail-required" Error r::ls002_guardrail_required::DOC,
        "a product has at least one guardrail";
    VanityType = "LS003" "vanity-type" Error r::ls003_vanity_type::DOC,
        "no metric has a vanity type";
    OwnerDeclared = "LS004" "owner-declared" Error r::ls004_owner_declared::DOC,
        "every metric names an owner, and the owner is declared";
    ReferencesResolve = "LS005" "references-resolve" Error r::ls005_references_resolve::DOC,
        "every reference resolves: sources, declared columns, metrics; derived metrics form no cycle";
    SqlFragment = "LS006" "sql-fragment" Error r::ls006_sql_fragment::DOC,
        "every SQL fragment is exactly one expression (or one SELECT for `sql` sources)";
    GuardrailThreshold = "LS007" "guardrail-threshold" Error r::ls007_threshold::DOC,
        "every guardrail has a threshold, and `min` is not above `max`";
    Names = "LS008" "names" Error r::ls008_names::DOC,
        "names are snake_case and unique";
    PortableSql = "LS009" "portable-sql" Error r::ls009_portable_sql::DOC,
        "every SQL fragment uses only operators, functions and types lodestar can write for each dialect the project targets";
    RevenueNorthStar = "LS101" "revenue-north-star" Warning r::ls101_revenue_north_star::DOC,
        "the North Star is revenue: a lagging business outcome, not the value users get";
    SlowGrain = "LS102" "slow-grain" Warning r::ls102_slow_grain::DOC,
        "the North Star's grain is month or coarser: too slow to steer weekly work";
    VanityName = "LS103" "vanity-name" Warning r::ls103_vanity_name::DOC,
        "a metric's name or label reads like a vanity metric, whatever its declared type";
    AttentionProxy = "LS104" "attention-proxy" Warning r::ls104_attention_proxy::DOC,
        "the North Star is a proxy for attention (DAU, MAU, sessions)";
    TooManyMetrics = "LS105" "too-many-metrics" Warning r::ls105_too_many_metrics::DOC,
        "more than three guardrails, or more than eight inputs: a dashboard, not a framework";
    Review = "LS106" "review" Warning r::ls106_review::DOC,
        "the North Star's `review` is overdue, or a product with `game` set has none";
    Description = "LS107" "description" Warning r::ls107_description::DOC,
        "a metric has no description";
    UnusedAllow = "LS108" "unused-allow" Warning r::ls108_unused_allow::DOC,
        "an `allow` entry silences nothing: its rule finds nothing on that metric";
    Syntax = "LS901" "syntax" Fixed e::SYNTAX,
        "the file is not valid YAML or DSL, or is too large or too deeply nested";
    Structure = "LS902" "structure" Fixed e::STRUCTURE,
        "a key or statement the spec language does not have, or a value of the wrong shape";
    InvalidValue = "LS903" "invalid-value" Fixed e::VALUE,
        "a value is not one of those allowed (grain, aggregation, type, number, date)";
    Unreadable = "LS904" "unreadable" Fixed e::UNREADABLE,
        "a file cannot be read as UTF-8 text";
    Config = "LS905" "config" Fixed e::CONFIG,
        "`lodestar.toml` is invalid";
    AllowNeedsReason = "LS906" "allow-needs-reason" Fixed e::ALLOW,
        "an `allow` entry names no known rule, or gives no reason";
    UnsafeName = "LS907" "unsafe-name" Fixed r::ls907_unsafe_name::DOC,
        "a product or metric name would escape `--out`, collide with another or with a name lodestar writes, or is too long for a target dialect";
}

impl Code {
    /// Whether `lodestar.toml` and `allow:` may change it.
    pub fn configurable(self) -> bool {
        self.default() != Default::Fixed
    }

    /// The severity when configuration says nothing.
    pub fn default_severity(self) -> Severity {
        match self.default() {
            Default::Warning => Severity::Warning,
            Default::Error | Default::Fixed => Severity::Error,
        }
    }

    /// The code called `code_or_name` (`LS001`, `one-north-star`), case-insensitively.
    pub fn find(code_or_name: &str) -> Option<Code> {
        let key = code_or_name.trim();
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(key) || c.name().eq_ignore_ascii_case(key))
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}
