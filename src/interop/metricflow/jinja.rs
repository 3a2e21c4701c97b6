//! MetricFlow's filter templates: `{{ Dimension('customer__region') }}`,
//! `{{ TimeDimension('metric_time', 'month') }}`, `{{ Entity('customer') }}`, inside otherwise
//! plain SQL. lodestar's fragments are plain SQL over a source's columns, so each template is
//! replaced by the SQL it stands for; what that SQL is (a column of the measure's own model, a
//! column a join brings, the source's time) is the caller's to decide, through `resolve`.
//!
//! Only the three calls MetricFlow documents for filters are understood, with a string name, an
//! optional grain (second argument or `.grain('month')`) and nothing else; anything else
//! (`Metric(...)`, `entity_path=`, `date_part_name=`, `{% if %}`) is refused with a reason, so
//! that a filter is either carried over exactly or reported.

/// What a template names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ref {
    /// `Dimension('entity__dim')`, possibly with a grain (a time dimension named as one).
    Dimension { name: String, grain: Option<String> },
    /// `TimeDimension('entity__dim', 'month')`, or `metric_time`.
    TimeDimension { name: String, grain: Option<String> },
    /// `Entity('customer')`: the entity's key.
    Entity { name: String },
}

/// The filter with each template replaced by the name it gives, for people to read.
pub fn readable(text: &str) -> String {
    translate(text, &mut |r| {
        Ok(match r {
            Ref::Dimension { name, .. }
            | Ref::TimeDimension { name, .. }
            | Ref::Entity { name } => name.clone(),
        })
    })
    .unwrap_or_else(|_| text.trim().to_owned())
}

/// Replaces every `{{ ... }}` of `text` with the SQL `resolve` gives for it. Errors say which
/// template could not be carried over and why.
pub fn translate(
    text: &str,
    resolve: &mut dyn FnMut(&Ref) -> Result<String, String>,
) -> Result<String, String> {
    if let Some(i) = text.find("{%").or_else(|| text.find("{#")) {
        return Err(format!(
            "the filter uses a Jinja statement or comment (`{}`), which lodestar cannot evaluate",
            text[i..].chars().take(20).collect::<String>()
        ));
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        let Some(len) = rest[i..].find("}}") else {
            return Err("the filter has a `{{` without its `}}`".to_owned());
        };
        out.push_str(&rest[..i]);
        let inner = &rest[i + 2..i + len];
        let r = parse(inner.trim())?;
        out.push_str(&resolve(&r)?);
        rest = &rest[i + len + 2..];
    }
    if rest.contains("}}") {
        return Err("the filter has a `}}` without its `{{`".to_owned());
    }
    out.push_str(rest);
    Ok(out.trim().to_owned())
}

/// One template's call: `Name('arg'[, 'grain'])[.grain('g')]`.
fn parse(inner: &str) -> Result<Ref, String> {
    let refuse = |why: &str| Err(format!("the template `{{{{ {inner} }}}}` {why}"));
    let Some(open) = inner.find('(') else {
        return refuse("is not a call of Dimension, TimeDimension or Entity");
    };
    let function = inner[..open].trim();
    if function == "Metric" {
        return refuse(
            "filters on a metric's value per entity (`Metric(...)`), which lodestar has no form \
             for (a `having` on a measure is the nearest)",
        );
    }
    let mut p = Cursor {
        s: &inner[open + 1..],
    };
    let mut args = Vec::new();
    loop {
        p.blanks();
        if p.eat(")") {
            break;
        }
        match p.string() {
            Some(s) => args.push(s),
            None => {
                return refuse(
                    "has an argument other than a quoted name or grain (keyword arguments such \
                     as `entity_path=` are not carried over)",
                )
            }
        }
        p.blanks();
        if p.eat(",") {
            continue;
        }
        if p.eat(")") {
            break;
        }
        return refuse("is not a call lodestar can read");
    }
    let mut grain = args.get(1).cloned();
    loop {
        p.blanks();
        if p.s.is_empty() {
            break;
        }
        if p.eat(".grain(") {
            p.blanks();
            let Some(g) = p.string() else {
                return refuse("has a `.grain(...)` without a quoted grain");
            };
            p.blanks();
            if !p.eat(")") {
                return refuse("has a `.grain(...)` lodestar cannot read");
            }
            grain = Some(g);
            continue;
        }
        return refuse("calls a method other than `.grain(...)`, which is not carried over");
    }
    let Some(name) = args.first().cloned() else {
        return refuse("names nothing");
    };
    if args.len() > 2 || (function == "Entity" && args.len() > 1) {
        return refuse("has more arguments than lodestar reads");
    }
    let grain = grain.map(|g| g.to_ascii_lowercase());
    match function {
        "Dimension" => Ok(Ref::Dimension { name, grain }),
        "TimeDimension" => Ok(Ref::TimeDimension { name, grain }),
        "Entity" => Ok(Ref::Entity { name }),
        _ => refuse("is not a call of Dimension, TimeDimension or Entity"),
    }
}

struct Cursor<'a> {
    s: &'a str,
}

impl Cursor<'_> {
    fn blanks(&mut self) {
        self.s = self.s.trim_start();
    }

    fn eat(&mut self, what: &str) -> bool {
        match self.s.strip_prefix(what) {
            Some(rest) => {
                self.s = rest;
                true
            }
            None => false,
        }
    }

    /// A quoted string without escapes (names and grains have none).
    fn string(&mut self) -> Option<String> {
        let quote = self.s.chars().next().filter(|c| *c == '\'' || *c == '"')?;
        let end = self.s[1..].find(quote)? + 1;
        let value = self.s[1..end].to_owned();
        self.s = &self.s[end + 1..];
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::{translate, Ref};

    fn show(text: &str) -> Result<String, String> {
        translate(text, &mut |r| {
            Ok(match r {
                Ref::Dimension { name, grain } => format!("D[{name}|{grain:?}]"),
                Ref::TimeDimension { name, grain } => format!("T[{name}|{grain:?}]"),
                Ref::Entity { name } => format!("E[{name}]"),
            })
        })
    }

    #[test]
    fn templates_become_what_resolve_gives() {
        assert_eq!(
            show("{{ Dimension('customer__region') }} = 'EU'").unwrap(),
            "D[customer__region|None] = 'EU'"
        );
        assert_eq!(
            show("{{TimeDimension(\"metric_time\", 'Month')}} >= '2024-01-01' and {{ Entity('user') }} is not null").unwrap(),
            "T[metric_time|Some(\"month\")] >= '2024-01-01' and E[user] is not null"
        );
        assert_eq!(
            show("{{ Dimension('order__ordered_at').grain('week') }} > '2024-01-01'").unwrap(),
            "D[order__ordered_at|Some(\"week\")] > '2024-01-01'"
        );
        assert_eq!(show("  status = 'x'  ").unwrap(), "status = 'x'");
    }

    #[test]
    fn what_cannot_be_read_is_refused_with_a_reason() {
        for (text, why) in [
            (
                "{{ Metric('revenue', group_by=['customer']) }} > 10",
                "Metric(...)",
            ),
            (
                "{{ Dimension('region', entity_path=['customer']) }} = 'x'",
                "entity_path",
            ),
            ("{{ Dimension('a__b').date_part('year') }} = 2024", "method"),
            ("{% if x %}a{% endif %}", "Jinja statement"),
            ("{{ Dimension('a__b') = 1", "without its `}}`"),
            ("{{ Foo('a') }}", "is not a call"),
        ] {
            let e = show(text).expect_err(text);
            assert!(e.contains(why), "{text}: {e}");
        }
    }
}
