//! `lodestar rules` and `lodestar explain CODE`.

use clap::Args;

use super::common::{print, Exit, Failure};
use crate::diagnostics::Code;

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// `table` for people; `json` for programs: an array of
    /// `{code, name, default, configurable, summary, doc}`.
    #[arg(long, value_enum, default_value = "table")]
    pub format: RulesFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule code (LS001) or name (one-north-star).
    pub code: String,
}

pub fn rules(args: &RulesArgs) -> Result<Exit, Failure> {
    match args.format {
        RulesFormat::Table => print(&rules_table()),
        RulesFormat::Json => print(&rules_json()),
    }
    Ok(Exit::Clean)
}

/// Every rule as JSON, in code order; `default` is `"error"` for rules that cannot be set.
fn rules_json() -> String {
    let rules: Vec<serde_json::Value> = Code::ALL
        .iter()
        .map(|i| {
            serde_json::json!({
                "code": i.as_str(),
                "name": i.name(),
                "default": i.default_severity().as_str(),
                "configurable": i.configurable(),
                "summary": i.summary(),
                "doc": i.doc().trim_end(),
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&rules).expect("JSON of strings and booleans");
    text.push('\n');
    text
}

pub fn explain(args: &ExplainArgs) -> Result<Exit, Failure> {
    match Code::find(&args.code) {
        Some(rule) => {
            print(&explanation(rule));
            Ok(Exit::Clean)
        }
        None => Err(unknown(&args.code)),
    }
}

fn default_of(rule: Code) -> &'static str {
    if rule.configurable() {
        rule.default_severity().as_str()
    } else {
        "always error"
    }
}

/// One line per code: code, name, default severity, summary.
fn rules_table() -> String {
    let name_width = Code::ALL.iter().map(|i| i.name().len()).max().unwrap_or(0);
    let default_width = Code::ALL
        .iter()
        .map(|i| default_of(*i).len())
        .max()
        .unwrap_or(0);
    let mut out = format!(
        "{:<5}  {:<name_width$}  {:<default_width$}  SUMMARY\n",
        "CODE", "NAME", "DEFAULT"
    );
    for i in Code::ALL {
        out.push_str(&format!(
            "{:<5}  {:<name_width$}  {:<default_width$}  {}\n",
            i.as_str(),
            i.name(),
            default_of(*i),
            i.summary()
        ));
    }
    out.push_str(
        "\nSet levels in lodestar.toml ([rules] LS107 = \"off\"); `lodestar explain CODE` prints a rule's documentation.\n",
    );
    out
}

fn explanation(rule: Code) -> String {
    let default = if rule.configurable() {
        format!("default: {}", rule.default_severity())
    } else {
        "always an error".to_owned()
    };
    format!(
        "{} {} ({default})\n{}\n\n{}\n",
        rule.as_str(),
        rule.name(),
        rule.summary(),
        rule.doc().trim_end()
    )
}

fn unknown(code: &str) -> Failure {
    let key = code.trim();
    // `did_you_mean` compares in lowercase.
    let lower: Vec<String> = Code::ALL
        .iter()
        .flat_map(|i| [i.as_str().to_ascii_lowercase(), i.name().to_owned()])
        .collect();
    let candidates: Vec<&str> = lower.iter().map(String::as_str).collect();
    let guess = crate::syntax::did_you_mean(key, &candidates).and_then(Code::find);
    let failure = Failure::new(format!("`{key}` is not a rule code or name"));
    match guess {
        Some(g) => failure.help(format!(
            "did you mean {} ({})? `lodestar rules` lists every code",
            g.as_str(),
            g.name()
        )),
        None => failure.help("`lodestar rules` lists every code"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_every_code_with_its_default() {
        let t = rules_table();
        for i in Code::ALL {
            let line = t
                .lines()
                .find(|l| l.starts_with(i.as_str()))
                .unwrap_or_else(|| panic!("{} missing", i.as_str()));
            assert!(
                line.contains(i.name()) && line.contains(i.summary()),
                "{line}"
            );
        }
        assert!(t
            .lines()
            .any(|l| l.starts_with("LS107") && l.contains("warning")));
        assert!(t
            .lines()
            .any(|l| l.starts_with("LS901") && l.contains("always error")));
    }

    #[test]
    fn explanation_prints_the_doc() {
        let e = explanation(Code::find("vanity-name").unwrap());
        assert!(
            e.starts_with("LS103 vanity-name (default: warning)\n"),
            "{e}"
        );
        assert!(e.contains("## Why it matters"));
        assert!(explanation(Code::find("ls901").unwrap()).contains("(always an error)"));
    }

    #[test]
    fn unknown_code_suggests_a_close_one() {
        let f = unknown("LS10");
        assert!(f.message.contains("`LS10`"));
        assert!(
            f.help
                .as_deref()
                .is_some_and(|h| h.starts_with("did you mean LS1")),
            "{:?}",
            f.help
        );
        let f = unknown("vanity-nam");
        assert_eq!(
            f.help.as_deref(),
            Some("did you mean LS103 (vanity-name)? `lodestar rules` lists every code")
        );
    }
}
