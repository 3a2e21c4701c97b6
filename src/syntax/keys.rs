//! Known keys and "did you mean" suggestions, shared by both front ends.

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(&word, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Help text for an unknown key: a suggestion when one is close, else the list of keys.
pub fn unknown_key_help(word: &str, candidates: &[&str]) -> String {
    match did_you_mean(word, candidates) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("expected one of: {}", candidates.join(", ")),
    }
}

pub const FILE_KEYS: &[&str] = &[
    "lodestar",
    "product",
    "description",
    "game",
    "owners",
    "sources",
    "north_star",
    "inputs",
    "guardrails",
];
pub const OWNER_KEYS: &[&str] = &["name", "email", "slack"];
pub const SOURCE_KEYS: &[&str] = &[
    "table",
    "sql",
    "time",
    "columns",
    "dimensions",
    "description",
];
pub const METRIC_KEYS: &[&str] = &[
    "name",
    "label",
    "description",
    "owner",
    "type",
    "grain",
    "measure",
    "ratio",
    "derived",
    "window",
    "threshold",
    "targets",
    "review",
    "allow",
];
pub const MEASURE_KEYS: &[&str] = &["source", "agg", "expr", "p", "filter", "having", "window"];
pub const RATIO_KEYS: &[&str] = &["numerator", "denominator"];
pub const THRESHOLD_KEYS: &[&str] = &["min", "max"];
pub const TARGET_KEYS: &[&str] = &["by", "value"];
pub const REVIEW_KEYS: &[&str] = &["cadence", "last_reviewed"];
pub const ALLOW_KEYS: &[&str] = &["code", "reason"];
