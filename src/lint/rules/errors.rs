//! The documentation of the codes that are not rules: input that cannot be read or understood.
//! They are always errors: no configuration can turn off a file that does not parse.

pub const SYNTAX: &str = r#"## What it checks
The text of a spec file can be read: valid YAML (for `.yaml`/`.yml`) or valid lodestar DSL (for
`.lode`), under 8 MiB, nested no deeper than 64 levels, with no YAML alias expansion bombs.

## Why it matters
Nothing else can be checked in a file that cannot be read. The limits keep a hostile or broken
file from hanging a pull-request check.

## Example
```
north star nights_booked {
  measure sum(nights) from   # LS901: expected a source name after `from`
}
```

## Configuration
Always an error; it cannot be configured.
"#;

pub const STRUCTURE: &str = r#"## What it checks
Every key (YAML) and statement (DSL) is part of the spec language, in the right place, with a
value of the right shape; required parts (a metric's definition, a measure's `source` and `agg`)
are present. Unknown keys come with a "did you mean" suggestion.

## Why it matters
A misspelt key (`treshold:`) would otherwise be ignored silently, and the guardrail would never
fire.

## Example
```yaml
guardrails:
  - name: refund_rate
    treshold: { max: 0.02 }   # LS902: unknown key `treshold`; did you mean `threshold`?
```

## Configuration
Always an error; it cannot be configured.
"#;

pub const VALUE: &str = r#"## What it checks
Values from closed sets are spelled as the language defines them: `grain` (day, week, month,
quarter, year), `agg`, `type`, `game`, review `cadence`; numbers are numbers, dates are
`YYYY-MM-DD`, windows are a number of days.

## Why it matters
A metric with `grain: weekly` or `agg: total` cannot be compiled; the error says which values are
allowed.

## Example
```yaml
grain: weekly   # LS903: `weekly` is not a valid grain; did you mean `week`?
```

## Configuration
Always an error; it cannot be configured.
"#;

pub const UNREADABLE: &str = r#"## What it checks
Spec files are UTF-8 text.

## Why it matters
Binary files or files in another encoding cannot be parsed; the error names the byte where
decoding failed.

## Example
A `.lode` file saved as UTF-16, or a binary file with a spec extension.

## Configuration
Always an error; it cannot be configured.
"#;

pub const CONFIG: &str = r#"## What it checks
`lodestar.toml` is valid TOML, its `[rules]` table names known rules (by code or name), and each
level is `error`, `warning` or `off`.

## Why it matters
A misspelt rule code would otherwise leave the rule at its default without a word.

## Example
```toml
[rules]
LS107 = "of"   # LS905: `of` is not a level; did you mean `off`?
```

## Configuration
Always an error; it cannot be configured. The tool exits with code 2.
"#;

pub const ALLOW: &str = r#"## What it checks
A metric may silence a rule for itself with `allow`, but only a rule that exists, and only with
a reason a reviewer can read.

## Why it matters
A silenced rule without a reason is a decision nobody can review later.

## Example
```yaml
allow:
  - { code: LS103, reason: "Downloads of the offline pack are the value users get here." }
```
DSL: `allow LS103 "Downloads of the offline pack are the value users get here."`

## Configuration
Always an error; it cannot be configured.
"#;
