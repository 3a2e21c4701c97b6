//! How a YAML scalar is written: plain when YAML reads it back as the same string, else
//! double-quoted; multi-line text as a literal block.

/// What a scalar holds, which decides when it may stay plain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Free text, names, SQL: plain only if YAML would read it as that very string.
    Text,
    /// A number position (threshold, target value, `p`, version): plain when it is a decimal
    /// number, which YAML and lodestar read alike.
    Number,
    /// A date position: plain when it is `YYYY-MM-DD`.
    Date,
    /// A flag: plain when it is `true` or `false`.
    Bool,
    /// No value (an untyped column in a map of columns).
    Null,
}

/// The one-line form of a scalar, or `None` when it needs a literal block.
pub fn inline(kind: Kind, s: &str, flow: bool) -> Option<String> {
    match kind {
        Kind::Null => return Some(if flow { "null" } else { "" }.to_owned()),
        Kind::Number if is_decimal(s) => return Some(s.to_owned()),
        Kind::Date if is_date(s) => return Some(s.to_owned()),
        Kind::Bool if matches!(s, "true" | "false") => return Some(s.to_owned()),
        _ => {}
    }
    if plain_ok(s, flow) {
        Some(s.to_owned())
    } else if !flow && literal_ok(s) {
        None
    } else {
        Some(double_quoted(s))
    }
}

/// `-12`, `4.5`, `1e3`: a number that YAML reads as a number and Rust parses the same way.
fn is_decimal(s: &str) -> bool {
    let t = s.strip_prefix('-').unwrap_or(s);
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    let int_ok = digits(int) && (int == "0" || !int.starts_with('0'));
    let frac_ok = frac.is_none_or(digits);
    let exp_ok = exp.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    int_ok && frac_ok && exp_ok
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// Whether YAML reads `s`, written plain, back as the string `s` (in a flow collection when
/// `flow`). Conservative: when in doubt, quote.
pub fn plain_ok(s: &str, flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.chars()
        .any(|c| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'))
    {
        return false;
    }
    if s.starts_with(' ') || s.ends_with(' ') || s.ends_with(':') {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || s.starts_with("...") || s == "<<" || s == "=" {
        return false;
    }
    if s.contains(": ") || s.contains(" #") {
        return false;
    }
    if flow && s.contains([',', '[', ']', '{', '}', ':']) {
        return false;
    }
    !looks_typed(s)
}

/// Would YAML (1.1 or 1.2) read this as null, a boolean, a number or a date?
fn looks_typed(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "~" | "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
    ) {
        return true;
    }
    let t = lower.strip_prefix(['+', '-']).unwrap_or(&lower);
    if matches!(t, ".inf" | ".nan") {
        return true;
    }
    let starts_numeric = t.starts_with(|c: char| c.is_ascii_digit())
        || (t.starts_with('.') && t[1..].starts_with(|c: char| c.is_ascii_digit()));
    if !starts_numeric {
        return false;
    }
    // Numbers in every base and notation, dates, times and sexagesimals use only these.
    let numeric = t
        .chars()
        .all(|c| c.is_ascii_hexdigit() || "_.:+-xob".contains(c));
    let timestamp = t.get(..10).is_some_and(is_date);
    numeric || timestamp
}

/// `"..."` with YAML escapes.
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            '\u{feff}' => out.push_str("\\uFEFF"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether multi-line text reads back exactly from a literal block.
fn literal_ok(s: &str) -> bool {
    if !s.contains('\n') || s.ends_with("\n\n") {
        return false;
    }
    let body = s.strip_suffix('\n').unwrap_or(s);
    let mut lines = body.split('\n');
    let first_text = lines.clone().find(|l| !l.is_empty());
    if first_text.is_none_or(|l| l.starts_with([' ', '\t'])) {
        return false;
    }
    if s.chars().any(|c| {
        c != '\n'
            && (c.is_control() && c != '\t'
                || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'))
    }) {
        return false;
    }
    // Trailing blanks vanish in editors; keep such text quoted where they are visible.
    lines.all(|l| !l.ends_with([' ', '\t']))
}

/// The header (`|` or `|-`) and the lines of a literal block.
pub fn literal(s: &str) -> (&'static str, Vec<&str>) {
    match s.strip_suffix('\n') {
        Some(body) => ("|", body.split('\n').collect()),
        None => ("|-", s.split('\n').collect()),
    }
}

/// The lines of a folded block (`>-`) that reads back as `s`, each at most `width` columns
/// where the words allow, or `None` when `s` cannot be folded exactly: it must be one line of
/// printable text, without tabs, leading or trailing blanks, or runs of blanks (a fold is one
/// space). Long SQL stays readable this way.
pub fn folded(s: &str, width: usize) -> Option<Vec<String>> {
    let ok = !s.is_empty()
        && !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ")
        && !s.chars().any(|c| {
            c.is_control()
                || matches!(
                    c,
                    '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                )
                || c.is_whitespace() && c != ' '
        });
    if !ok || !s.contains(' ') {
        return None;
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in s.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    Some(lines)
}
