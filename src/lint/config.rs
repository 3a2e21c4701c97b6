//! Per-rule levels from `lodestar.toml`:
//!
//! ```toml
//! [rules]
//! LS107 = "off"              # by code ...
//! vanity-name = "error"      # ... or by name
//!
//! [project]
//! dialects = ["postgres", "bigquery"]   # what the project compiles to (default: all eight)
//!
//! [analyze]
//! gaming = "warning"         # the level of each kind of `lodestar analyze` alert
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::analyze::{AlertKind, Severities};
use crate::diagnostics::{Code, Diagnostic, FileId, Severity, Span};
use crate::sql::Dialect;

/// The code of every error about `lodestar.toml`.
pub const CONFIG: Code = Code::Config;

/// The level a rule is set to in `lodestar.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleLevel {
    Error,
    Warning,
    Off,
}

impl RuleLevel {
    const NAMES: &'static [&'static str] = &["error", "warning", "off"];

    fn parse(s: &str) -> Option<RuleLevel> {
        match s.trim().to_ascii_lowercase().as_str() {
            "error" | "deny" => Some(RuleLevel::Error),
            "warning" | "warn" => Some(RuleLevel::Warning),
            "off" | "allow" => Some(RuleLevel::Off),
            _ => None,
        }
    }
}

/// Rule levels that differ from the defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintConfig {
    levels: BTreeMap<Code, RuleLevel>,
    /// The dialects the project compiles to (`[project] dialects`; default all eight): what
    /// portability and identifier checks hold the spec to.
    pub dialects: Vec<Dialect>,
    /// The level of each kind of `lodestar analyze` alert (`[analyze]`).
    pub analyze: Severities,
}

impl Default for LintConfig {
    fn default() -> LintConfig {
        LintConfig {
            levels: BTreeMap::new(),
            dialects: Dialect::ALL.to_vec(),
            analyze: Severities::default(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    project: Option<RawProject>,
    #[serde(default)]
    rules: BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
    #[serde(default)]
    analyze: BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
}

/// `[project]`: `dialects`, and keys lodestar does not read (kept for the team's own tools).
#[derive(Deserialize)]
struct RawProject {
    #[serde(default)]
    dialects: Option<toml::Spanned<Vec<toml::Spanned<String>>>>,
    #[serde(flatten)]
    #[allow(dead_code)]
    other: toml::Table,
}

impl LintConfig {
    /// The severity a rule runs at, or `None` when it is off.
    pub fn severity(&self, rule: Code) -> Option<Severity> {
        match self.levels.get(&rule) {
            None => Some(rule.default_severity()),
            Some(RuleLevel::Error) => Some(Severity::Error),
            Some(RuleLevel::Warning) => Some(Severity::Warning),
            Some(RuleLevel::Off) => None,
        }
    }

    pub fn set(&mut self, code: Code, level: RuleLevel) {
        self.levels.insert(code, level);
    }

    /// Reads `lodestar.toml`. Errors are LS905 diagnostics in that file.
    pub fn from_toml(file: FileId, text: &str) -> (LintConfig, Vec<Diagnostic>) {
        let mut config = LintConfig::default();
        let mut errors = Vec::new();
        let raw: RawConfig = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let span = e
                    .span()
                    .map(|r| Span::new(file, r.start, r.end))
                    .unwrap_or_default();
                let span = Span { file, ..span };
                errors.push(
                    Diagnostic::error(CONFIG, format!("invalid lodestar.toml: {}", e.message().trim()))
                        .label(span, "here")
                        .help("lodestar.toml has an optional `[project]` table (`dialects = [...]`), a `[rules]` table of `CODE = \"error\" | \"warning\" | \"off\"` and an `[analyze]` table of `KIND = LEVEL`"),
                );
                return (config, errors);
            }
        };
        if let Some(dialects) = raw.project.and_then(|p| p.dialects) {
            config.dialects = read_dialects(file, dialects, &mut errors);
        }
        for (key, value) in raw.analyze {
            read_alert_level(file, &key, &value, &mut config.analyze, &mut errors);
        }
        for (key, value) in raw.rules {
            let key_span = Span::new(file, key.span().start, key.span().end);
            let value_span = Span::new(file, value.span().start, value.span().end);
            let Some(rule) = Code::find(key.get_ref()) else {
                let names: Vec<&str> = Code::ALL
                    .iter()
                    .filter(|i| i.configurable())
                    .flat_map(|i| [i.as_str(), i.name()])
                    .collect();
                let guess = crate::syntax::did_you_mean(key.get_ref(), &names);
                errors.push(
                    Diagnostic::error(CONFIG, format!("`{}` is not a rule", key.get_ref()))
                        .label(key_span, "unknown rule")
                        .help(match guess {
                            Some(g) => {
                                format!("did you mean `{g}`? `lodestar rules` lists every rule")
                            }
                            None => "`lodestar rules` lists every rule code and name".to_owned(),
                        }),
                );
                continue;
            };
            if !rule.configurable() {
                errors.push(
                    Diagnostic::error(CONFIG, format!("`{rule}` cannot be configured"))
                        .label(key_span, "always an error")
                        .help("this code means a file could not be read; fix the file instead"),
                );
                continue;
            }
            match RuleLevel::parse(value.get_ref()) {
                Some(level) => config.set(rule, level),
                None => {
                    let guess = crate::syntax::did_you_mean(value.get_ref(), RuleLevel::NAMES);
                    errors.push(
                        Diagnostic::error(
                            CONFIG,
                            format!("`{}` is not a level for {rule}", value.get_ref()),
                        )
                        .label(value_span, "unknown level")
                        .help(match guess {
                            Some(g) => format!(
                                "did you mean `{g}`? A level is \"error\", \"warning\" or \"off\""
                            ),
                            None => "a level is \"error\", \"warning\" or \"off\"".to_owned(),
                        }),
                    );
                }
            }
        }
        (config, errors)
    }
}

/// `[project] dialects`: known names, at least one; an empty or wholly unknown list keeps all.
fn read_dialects(
    file: FileId,
    list: toml::Spanned<Vec<toml::Spanned<String>>>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Dialect> {
    let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.name()).collect();
    let mut out = Vec::new();
    for name in list.get_ref() {
        let span = Span::new(file, name.span().start, name.span().end);
        match Dialect::ALL
            .iter()
            .find(|d| d.name().eq_ignore_ascii_case(name.get_ref().trim()))
        {
            Some(d) if !out.contains(d) => out.push(*d),
            Some(_) => {}
            None => {
                let guess = crate::syntax::did_you_mean(name.get_ref(), &names);
                errors.push(
                    Diagnostic::error(CONFIG, format!("`{}` is not a dialect", name.get_ref()))
                        .label(span, "unknown dialect")
                        .help(match guess {
                            Some(g) => {
                                format!("did you mean `{g}`? The dialects are {}", names.join(", "))
                            }
                            None => format!("the dialects are {}", names.join(", ")),
                        }),
                );
            }
        }
    }
    if list.get_ref().is_empty() {
        let span = Span::new(file, list.span().start, list.span().end);
        errors.push(
            Diagnostic::error(CONFIG, "`dialects` is empty")
                .label(span, "no dialect")
                .help(format!(
                    "list the dialects the project compiles to ({}), or drop the key for all of them",
                    names.join(", ")
                )),
        );
    }
    if out.is_empty() {
        Dialect::ALL.to_vec()
    } else {
        out.sort();
        out
    }
}

/// One `[analyze]` entry: `KIND = "error" | "warning" | "off"`.
fn read_alert_level(
    file: FileId,
    key: &toml::Spanned<String>,
    value: &toml::Spanned<String>,
    severities: &mut Severities,
    errors: &mut Vec<Diagnostic>,
) {
    let key_span = Span::new(file, key.span().start, key.span().end);
    let value_span = Span::new(file, value.span().start, value.span().end);
    let Some(kind) = AlertKind::parse(key.get_ref()) else {
        let kinds: Vec<&str> = AlertKind::ALL.iter().map(|k| k.as_str()).collect();
        let guess = crate::syntax::did_you_mean(key.get_ref(), &kinds);
        errors.push(
            Diagnostic::error(
                CONFIG,
                format!("`{}` is not a kind of alert", key.get_ref()),
            )
            .label(key_span, "unknown alert")
            .help(match guess {
                Some(g) => format!("did you mean `{g}`? The kinds are {}", kinds.join(", ")),
                None => format!("the kinds of alert are {}", kinds.join(", ")),
            }),
        );
        return;
    };
    match RuleLevel::parse(value.get_ref()) {
        Some(RuleLevel::Error) => severities.set(kind, Some(Severity::Error)),
        Some(RuleLevel::Warning) => severities.set(kind, Some(Severity::Warning)),
        Some(RuleLevel::Off) => severities.set(kind, None),
        None => errors.push(
            Diagnostic::error(
                CONFIG,
                format!("`{}` is not a level for {}", value.get_ref(), kind.as_str()),
            )
            .label(value_span, "unknown level")
            .help("a level is \"error\", \"warning\" or \"off\""),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (LintConfig, Vec<String>) {
        let (c, errors) = LintConfig::from_toml(FileId(0), text);
        (c, errors.iter().map(|e| e.message.clone()).collect())
    }

    #[test]
    fn dialects_default_to_all_and_read_a_list() {
        assert_eq!(read("").0.dialects, Dialect::ALL.to_vec());
        let (c, errors) = read(
            "[project]\nname = \"x\"\ndialects = [\"BigQuery\", \"postgres\", \"postgres\"]\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(c.dialects, vec![Dialect::Postgres, Dialect::Bigquery]);
    }

    #[test]
    fn unknown_or_empty_dialects_are_errors() {
        let (c, errors) = read("[project]\ndialects = [\"postgress\"]\n");
        assert_eq!(errors, vec!["`postgress` is not a dialect"]);
        assert_eq!(c.dialects, Dialect::ALL.to_vec());
        let (_, errors) = read("[project]\ndialects = []\n");
        assert_eq!(errors, vec!["`dialects` is empty"]);
    }

    #[test]
    fn analyze_levels_set_severities() {
        let (c, errors) =
            read("[analyze]\ngaming = \"warning\"\noff-track = \"error\"\nanomaly = \"off\"\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(c.analyze.get(AlertKind::Gaming), Some(Severity::Warning));
        assert_eq!(c.analyze.get(AlertKind::OffTrack), Some(Severity::Error));
        assert_eq!(c.analyze.get(AlertKind::Anomaly), None);
        assert_eq!(c.analyze.get(AlertKind::Breach), Some(Severity::Error));
        let (_, errors) = read("[analyze]\ngamin = \"warning\"\nbreach = \"loud\"\n");
        assert_eq!(
            errors,
            vec![
                "`loud` is not a level for breach",
                "`gamin` is not a kind of alert"
            ]
        );
    }
}
