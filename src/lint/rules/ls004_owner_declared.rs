use crate::diagnostics::Code;
use crate::lint::{Annotate, Context};
use crate::syntax::keys::Key;
use crate::syntax::Syntax;

/// What the rule checks, why, an example and how to configure it (`lodestar explain LS004`).
pub const DOC: &str = r#"## What it checks
Every metric has an `owner`, and that owner is declared under `owners:` (DSL: `owner <key> ...`)
in some file of the project. Owners are shared by every file, so a product may name an owner
declared in another file.

## Why it matters
A metric nobody owns is a metric nobody acts on when it moves. Declared owners also give the
scorecard and the generated docs a name, an email and a channel to route questions to; a
misspelt key would silently route them nowhere.

## Example
```yaml
owners:
  growth: { name: Growth team }
north_star:
  name: nights_booked
  owner: grwoth             # LS004: owner `grwoth` is not declared; did you mean `growth`?
```

## Configuration
```toml
[rules]
LS004 = "error"   # error | warning | off
```
"#;

pub struct OwnerDeclared;

impl crate::lint::Rule for OwnerDeclared {
    fn code(&self) -> Code {
        Code::OwnerDeclared
    }

    fn check(&self, cx: &mut Context<'_>) {
        let project = cx.project;
        // Each key once, in declaration order (a key declared twice is LS008's finding).
        let mut keys: Vec<&str> = Vec::new();
        for o in &project.owners {
            if !keys.contains(&o.key.value.as_str()) {
                keys.push(o.key.value.as_str());
            }
        }
        for (product, metric) in project
            .products
            .iter()
            .flat_map(|p| p.metrics.iter().map(move |m| (p, m)))
        {
            let add = Key::Owner.written(product.syntax, "<key>");
            match &metric.owner {
                None => {
                    let help = if keys.is_empty() {
                        format!(
                            "add {add} and declare the owner {}",
                            match product.syntax {
                                Syntax::Yaml => "under `owners:`",
                                Syntax::Lode => "with `owner <key> \"<name>\"`",
                            }
                        )
                    } else {
                        format!("add {add}; the declared owners are: {}", keys.join(", "))
                    };
                    cx.report_metric(
                        metric,
                        format!("metric `{}` has no owner", metric.name.value),
                        metric.name.span,
                        "no owner",
                    )
                    .with_help(help);
                }
                Some(owner) if project.owner(&owner.value).is_none() => {
                    let help = match crate::syntax::did_you_mean(&owner.value, &keys) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if keys.is_empty() => format!(
                            "declare it: `owners: {{ {}: {{ name: ... }} }}` (DSL: `owner {} \"...\"`), \
                             in this file or any file of the project",
                            owner.value, owner.value
                        ),
                        None => format!(
                            "declare `{}` under `owners:` in any file of the project, or use one of: {}",
                            owner.value,
                            keys.join(", ")
                        ),
                    };
                    cx.report_metric(
                        metric,
                        format!(
                            "owner `{}` of metric `{}` is not declared",
                            owner.value, metric.name.value
                        ),
                        owner.span,
                        "unknown owner",
                    )
                    .with_help(help);
                }
                Some(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::testing::{
        assert_clean, assert_finds, findings_in, found, pos, Edit, VALID_LODE, VALID_YAML,
    };

    #[test]
    fn passes_with_declared_owners() {
        assert_clean("LS004", VALID_YAML);
        assert_clean("LS004", VALID_LODE);
    }

    #[test]
    fn fails_on_a_misspelt_owner_with_a_suggestion() {
        let spec = VALID_YAML.edit_n("owner: supply", "owner: suply", 1);
        assert_finds("LS004", &spec, &[pos(&spec, "suply")]);
        let f = found("LS004", &spec);
        assert_eq!(
            f[0].diagnostic.help.as_deref(),
            Some("did you mean `supply`?")
        );
    }

    #[test]
    fn fails_on_a_metric_without_owner_at_its_name() {
        let spec = VALID_YAML.edit_n("    owner: supply\n", "", 1);
        assert_finds("LS004", &spec, &[pos(&spec, "new_hosts")]);
    }

    #[test]
    fn fails_in_the_dsl() {
        let spec = VALID_LODE.edit_n("  owner supply", "  owner suply", 1);
        assert_finds("LS004", &spec, &[pos(&spec, "suply")]);
    }

    #[test]
    fn owner_declared_in_another_file_resolves() {
        let spec = VALID_YAML.edit(
            "owners:\n  growth: { name: Growth team, email: growth@example.com, slack: \"#growth\" }\n",
            "owners:\n",
        );
        let shared = "lodestar: 1\nowners:\n  growth: { name: Growth team }\n";
        let got = findings_in(&[("a.yaml", &spec), ("shared.yaml", shared)]);
        assert!(got.iter().all(|f| f.code != "LS004"), "{got:?}");
        let alone = findings_in(&[("a.yaml", &spec)]);
        assert!(alone.iter().any(|f| f.code == "LS004"), "{alone:?}");
    }

    #[test]
    fn help_lists_an_owner_declared_twice_once() {
        let spec = VALID_YAML.edit_n("owner: supply", "owner: zzz_nobody", 1);
        let again = "lodestar: 1\nowners:\n  supply: { name: Supply again }\n";
        let got = findings_in(&[("a.yaml", &spec), ("again.yaml", again)]);
        let help = got
            .iter()
            .find(|f| f.code == "LS004")
            .and_then(|f| f.diagnostic.help.clone())
            .expect("an LS004 finding with help");
        assert_eq!(help.matches("supply").count(), 1, "{help}");
    }

    #[test]
    fn allow_with_reason_silences_it() {
        let spec = VALID_YAML.edit_n(
            "    owner: supply\n",
            "    allow: [{ code: LS004, reason: \"owned by the partner, outside this repo\" }]\n",
            1,
        );
        assert_clean("LS004", &spec);
    }
}
