//! Per-rule levels from `lodestar.toml`:
//!
//! ```toml
//! [rules]
//! LS107 = "off"              # by code ...
//! vanity-name = "error"      # ... or by name
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use super::registry::{info, RuleInfo, ALL_INFO};
use crate::diagnostics::{Diagnostic, FileId, Severity, Span};

/// The code of every error about `lodestar.toml`.
pub const CONFIG: &str = "LS905";

/// A level set in configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Off,
}

impl Level {
    const NAMES: &'static [&'static str] = &["error", "warning", "off"];

    fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "error" | "deny" => Some(Level::Error),
            "warning" | "warn" => Some(Level::Warning),
            "off" | "allow" => Some(Level::Off),
            _ => None,
        }
    }
}

/// Rule levels that differ from the defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LintConfig {
    levels: BTreeMap<&'static str, Level>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    #[allow(dead_code)]
    project: Option<toml::Table>,
    #[serde(default)]
    rules: BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
}

impl LintConfig {
    /// The severity a rule runs at, or `None` when it is off.
    pub fn severity(&self, rule: &RuleInfo) -> Option<Severity> {
        match self.levels.get(rule.code) {
            None => Some(rule.default),
            Some(Level::Error) => Some(Severity::Error),
            Some(Level::Warning) => Some(Severity::Warning),
            Some(Level::Off) => None,
        }
    }

    pub fn set(&mut self, code: &'static str, level: Level) {
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
                        .help("lodestar.toml has an optional `[project]` table and a `[rules]` table of `CODE = \"error\" | \"warning\" | \"off\"`"),
                );
                return (config, errors);
            }
        };
        for (key, value) in raw.rules {
            let key_span = Span::new(file, key.span().start, key.span().end);
            let value_span = Span::new(file, value.span().start, value.span().end);
            let Some(rule) = info(key.get_ref()) else {
                let names: Vec<&str> = ALL_INFO
                    .iter()
                    .filter(|i| i.configurable)
                    .flat_map(|i| [i.code, i.name])
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
            if !rule.configurable {
                errors.push(
                    Diagnostic::error(CONFIG, format!("`{}` cannot be configured", rule.code))
                        .label(key_span, "always an error")
                        .help("this code means a file could not be read; fix the file instead"),
                );
                continue;
            }
            match Level::parse(value.get_ref()) {
                Some(level) => config.set(rule.code, level),
                None => {
                    let guess = crate::syntax::did_you_mean(value.get_ref(), Level::NAMES);
                    errors.push(
                        Diagnostic::error(
                            CONFIG,
                            format!("`{}` is not a level for {}", value.get_ref(), rule.code),
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
