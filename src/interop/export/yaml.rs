//! A small YAML writer for the exports: block maps and lists in the order given (other tools'
//! files read best in their documentation's key order, which a hash map would lose), and
//! every string that is not a plain word written JSON-quoted, which YAML reads as the same
//! string whatever it holds (`: `, `#`, quotes, `{{ }}`, a leading `-`, `yes`, `null`).

/// A YAML value, maps in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Y {
    Map(Vec<(String, Y)>),
    List(Vec<Y>),
    Str(String),
    Num(f64),
    Int(i64),
    Bool(bool),
}

impl Y {
    pub fn str(s: &str) -> Y {
        Y::Str(s.to_owned())
    }

    /// A map from (key, value) pairs.
    pub fn map<const N: usize>(pairs: [(&str, Y); N]) -> Y {
        Y::Map(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    /// As JSON text (OSI's `custom_extensions.data` is a JSON string).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Y::Map(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
            Y::List(l) => Value::Array(l.iter().map(Y::to_json).collect()),
            Y::Str(s) => Value::String(s.clone()),
            Y::Num(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
            Y::Int(i) => Value::from(*i),
            Y::Bool(b) => Value::Bool(*b),
        }
    }
}

/// One YAML document (no `---`), ending in a newline.
pub fn document(y: &Y) -> String {
    let mut out = String::new();
    block(y, 0, &mut out);
    out
}

fn scalar(y: &Y) -> Option<String> {
    Some(match y {
        Y::Str(s) => string(s),
        Y::Num(n) => number(*n),
        Y::Int(i) => i.to_string(),
        Y::Bool(b) => b.to_string(),
        Y::Map(m) if m.is_empty() => "{}".to_owned(),
        Y::List(l) if l.is_empty() => "[]".to_owned(),
        _ => return None,
    })
}

/// A number as YAML reads it back: finite values as Rust prints them (`0.02`, `500`).
fn number(n: f64) -> String {
    if n.is_finite() {
        format!("{n}")
    } else {
        ".nan".to_owned()
    }
}

/// A plain scalar when the string is a word YAML cannot mistake for anything else.
pub fn string(s: &str) -> String {
    let plain = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.'))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        );
    if plain {
        s.to_owned()
    } else {
        serde_json::to_string(s).expect("a string serialises")
    }
}

fn key(k: &str) -> String {
    string(k)
}

fn block(y: &Y, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match y {
        Y::Map(entries) if !entries.is_empty() => {
            for (k, v) in entries {
                entry(&pad, k, v, indent, out);
            }
        }
        Y::List(items) if !items.is_empty() => {
            for item in items {
                match item {
                    Y::Map(entries) if !entries.is_empty() => {
                        // The first entry shares the dash's line; the rest align under it.
                        let inner = " ".repeat(indent + 2);
                        for (i, (k, v)) in entries.iter().enumerate() {
                            let lead = if i == 0 {
                                format!("{pad}- ")
                            } else {
                                inner.clone()
                            };
                            entry(&lead, k, v, indent + 2, out);
                        }
                    }
                    other => match scalar(other) {
                        Some(s) => out.push_str(&format!("{pad}- {s}\n")),
                        None => {
                            out.push_str(&format!("{pad}-\n"));
                            block(other, indent + 2, out);
                        }
                    },
                }
            }
        }
        other => {
            let s = scalar(other).expect("an empty map or list is a scalar");
            out.push_str(&format!("{pad}{s}\n"));
        }
    }
}

fn entry(lead: &str, k: &str, v: &Y, indent: usize, out: &mut String) {
    match scalar(v) {
        Some(s) => out.push_str(&format!("{lead}{}: {s}\n", key(k))),
        None => {
            out.push_str(&format!("{lead}{}:\n", key(k)));
            block(v, indent + 2, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{document, Y};

    /// What is written reads back as the same value: quoting is right for every awkward string.
    #[test]
    fn documents_read_back_as_written() {
        let awkward = [
            "status = 'confirmed'",
            "{{ Dimension('e__kind') }} = 'x'",
            "yes",
            "null",
            "- a",
            "a: b",
            "# c",
            "1.5",
            "",
            "line\nbreak",
            "\"quoted\"",
        ];
        let y = Y::map([
            ("plain", Y::str("word_1")),
            ("list", Y::List(awkward.iter().map(|s| Y::str(s)).collect())),
            (
                "maps",
                Y::List(vec![
                    Y::map([("name", Y::str("a")), ("x", Y::Num(0.02)), ("i", Y::Int(3))]),
                    Y::map([("nested", Y::map([("b", Y::Bool(true))]))]),
                ]),
            ),
            ("empty", Y::Map(Vec::new())),
            ("none", Y::List(Vec::new())),
        ]);
        let text = document(&y);
        let back: serde_json::Value = serde_saphyr::from_str(&text).expect(&text);
        assert_eq!(back, y.to_json(), "{text}");
        assert!(text.contains("plain: word_1\n"), "{text}");
        assert!(text.contains("  - name: a\n    x: 0.02\n"), "{text}");
    }
}
