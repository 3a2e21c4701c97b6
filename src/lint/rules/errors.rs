//! Codes for input that cannot be read or understood. They are always errors: no
//! configuration can turn off a file that does not parse.

use crate::diagnostics::Severity;
use crate::lint::RuleInfo;

pub static SYNTAX: RuleInfo = RuleInfo {
    code: "LS901",
    name: "syntax",
    default: Severity::Error,
    summary: "the file is not valid YAML or DSL, or is too large or too deeply nested",
    doc: r#"## What it checks
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
"#,
    configurable: false,
};

pub static STRUCTURE: RuleInfo = RuleInfo {
    code: "LS902",
    name: "structure",
    default: Severity::Error,
    summary: "a key or statement the spec language does not have, or a value of the wrong shape",
    doc: r#"## What it checks
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
"#,
    configurable: false,
};

pub static VALUE: RuleInfo = RuleInfo {
    code: "LS903",
    name: "invalid-value",
    default: Severity::Error,
    summary: "a value is not one of those allowed (grain, aggregation, type, number, date)",
    doc: r#"## What it checks
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
"#,
    configurable: false,
};

pub static UNREADABLE: RuleInfo = RuleInfo {
    code: "LS904",
    name: "unreadable",
    default: Severity::Error,
    summary: "a file cannot be read as UTF-8 text",
    doc: r#"## What it checks
Spec files are UTF-8 text.

## Why it matters
Binary files or files in another encoding cannot be parsed; the error names the byte where
decoding failed.

## Example
A `.lode` file saved as UTF-16, or a binary file with a spec extension.

## Configuration
Always an error; it cannot be configured.
"#,
    configurable: false,
};

pub static CONFIG: RuleInfo = RuleInfo {
    code: "LS905",
    name: "config",
    default: Severity::Error,
    summary: "`lodestar.toml` is invalid",
    doc: r#"## What it checks
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
"#,
    configurable: false,
};

pub static ALLOW: RuleInfo = RuleInfo {
    code: "LS906",
    name: "allow-needs-reason",
    default: Severity::Error,
    summary: "an `allow` entry names no known rule, or gives no reason",
    doc: r#"## What it checks
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
"#,
    configurable: false,
};
