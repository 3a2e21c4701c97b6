//! Per-rule levels from `lodestar.toml`:
//!
//! ```toml
//! [rules]
//! LS107 = "off"              # by code ...
//! vanity-name = "error"      # ... or by name
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::diagnostics::{Code, Diagnostic, FileId, Severity, Span};

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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LintConfig {
    levels: BTreeMap<Code, RuleLevel>,
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
                        .help("lodestar.toml has an optional `[project]` table and a `[rules]` table of `CODE = \"error\" | \"warning\" | \"off\"`"),
                );
                return (config, errors);
            }
        };
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
