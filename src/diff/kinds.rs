//! Every kind of change `lodestar diff` reports, one row each: its stable name (the `kind` of
//! the JSON output), its level and what it means. `docs/changes.md` is generated from this
//! table, as `docs/rules.md` is from the code table.

use super::ChangeLevel;

macro_rules! kinds {
    ($($variant:ident = $name:literal $level:ident, $doc:literal;)+) => {
        /// A kind of change between two revisions.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ChangeKind { $($variant),+ }

        impl ChangeKind {
            /// Every kind, most severe first.
            pub const ALL: &'static [ChangeKind] = &[$(ChangeKind::$variant),+];

            /// `north_star_changed`.
            pub fn as_str(self) -> &'static str {
                match self { $(ChangeKind::$variant => $name),+ }
            }

            pub fn level(self) -> ChangeLevel {
                match self { $(ChangeKind::$variant => ChangeLevel::$level),+ }
            }

            /// What the change is and why it has its level.
            pub fn doc(self) -> &'static str {
                match self { $(ChangeKind::$variant => $doc),+ }
            }
        }
    };
}

kinds! {
    ProductRemoved = "product_removed" Breaking,
        "A product was removed, with every metric in it.";
    NorthStarRemoved = "north_star_removed" Breaking,
        "The North Star was removed: the product no longer says what it steers by.";
    NorthStarReplaced = "north_star_replaced" Breaking,
        "Another metric became the North Star, or the North Star became an input or guardrail.";
    NorthStarChanged = "north_star_changed" Breaking,
        "The North Star's definition changed (source, aggregation, expression, filter, grain, window), or that of a metric it is computed from: every chart of it moves.";
    MetricRemoved = "metric_removed" Breaking,
        "An input or outcome was removed: dashboards and queries that name it break.";
    MetricRenamed = "metric_renamed" Breaking,
        "A metric was renamed (same definition, new name): dashboards and queries that name it break.";
    GuardrailRemoved = "guardrail_removed" Breaking,
        "A guardrail was removed, or became an input: the damage it watched goes unwatched.";
    ThresholdLoosened = "threshold_loosened" Breaking,
        "A guardrail's threshold was removed or now allows values it did not: breaches it caught go unnoticed.";
    OwnerRemoved = "owner_removed" Breaking,
        "An owner was removed while a metric still names it.";
    DefinitionChanged = "definition_changed" Risky,
        "An input's or guardrail's definition changed: its numbers move, and so may the guardrail's breaches.";
    UpstreamChanged = "upstream_changed" Risky,
        "An input's, guardrail's or outcome's own definition is unchanged, but a metric it is computed from changed: its numbers move too (a changed filter of a denominator moves the guardrail that divides by it).";
    ThresholdTightened = "threshold_tightened" Risky,
        "A guardrail got a threshold, or its threshold now forbids values it allowed: past periods may now breach.";
    TargetMoved = "target_moved" Risky,
        "A target's value or date changed: progress reported against it changes.";
    TargetRemoved = "target_removed" Risky,
        "Every target of a metric was removed.";
    ProductAdded = "product_added" Safe,
        "A product was added.";
    NorthStarAdded = "north_star_added" Safe,
        "A product that had no North Star got one.";
    InputAdded = "input_added" Safe,
        "An input was added.";
    GuardrailAdded = "guardrail_added" Safe,
        "A guardrail was added.";
    OutcomeAdded = "outcome_added" Safe,
        "An outcome was added.";
    RoleChanged = "role_changed" Safe,
        "An input became a guardrail (more is watched, nothing is lost).";
    TargetAdded = "target_added" Safe,
        "A metric without targets got one.";
    MetadataChanged = "metadata_changed" Safe,
        "A label, description, owner or type changed: the numbers stay the same.";
    OwnerAdded = "owner_added" Safe,
        "An owner was added.";
    OwnerChanged = "owner_changed" Safe,
        "An owner's name, email or Slack channel changed.";
    UnusedOwnerRemoved = "unused_owner_removed" Safe,
        "An owner that no metric names was removed.";
}

impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ChangeKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for ChangeKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// `docs/changes.md`: every kind of change with its level, generated from this table.
pub fn changes_markdown() -> String {
    let mut out = String::from(
        "# Change kinds\n\n\
         <!-- Generated from src/diff/kinds.rs; do not edit. Regenerate with\n     \
         UPDATE_DOCS=1 cargo test --no-default-features changes_doc -->\n\n\
         `lodestar diff BASE [HEAD]` compares the models of two revisions and reports each change \
         with one of these kinds (the `kind` field of `--format json`) and its level: \
         **breaking** (the numbers people steer by change meaning or disappear), **risky** \
         (numbers move) or **safe** (nothing anyone computes changes). `--fail-on LEVEL` exits 1 \
         when a change at or above that level is found.\n\n\
         | kind | level | meaning |\n|---|---|---|\n",
    );
    for k in ChangeKind::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            k.as_str(),
            k.level().as_str(),
            k.doc().replace('|', "\\|")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn kinds_are_unique_and_ordered_by_level() {
        let mut names = HashSet::new();
        let mut last = ChangeLevel::Breaking;
        for k in ChangeKind::ALL {
            assert!(names.insert(k.as_str()), "{} twice", k.as_str());
            assert!(k.level() <= last, "{} is out of order", k.as_str());
            last = k.level();
            assert!(
                k.as_str()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                k.as_str()
            );
        }
    }

    /// `docs/changes.md` is generated from the table; regenerate with
    /// `UPDATE_DOCS=1 cargo test --no-default-features changes_doc`.
    #[test]
    fn changes_doc_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/changes.md");
        let want = changes_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &want).expect("write docs/changes.md");
            return;
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "docs/changes.md is stale: regenerate it with \
             `UPDATE_DOCS=1 cargo test --no-default-features changes_doc` and commit it"
        );
    }
}
