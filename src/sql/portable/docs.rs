//! What `docs/sql.md` shows of the catalogue (test builds only): a fragment rendered for a
//! dialect, and the generated tables of operators, functions and types.

use super::{Type, Writer, CATALOGUE, TYPES};
use crate::sql::Dialect;

/// Renders a fragment's text for a dialect (docs and tests): the SQL, or why it cannot be.
pub(crate) fn render_text(text: &str, d: Dialect) -> Result<String, String> {
    let spanned =
        crate::diagnostics::Spanned::new(text.to_owned(), crate::diagnostics::Span::default());
    let f = crate::model::Fragment::parse(spanned, crate::model::FragmentKind::Expr);
    let e = f.expr().ok_or_else(|| format!("`{text}` does not parse"))?;
    let mut w = Writer::new(super::super::dialect::vendor(d));
    let (sql, _) = w.expr(e);
    if let Some(row) = w.never.first() {
        return Err(format!(
            "`{}` cannot be written for {}",
            row.name(),
            d.name()
        ));
    }
    match w.invalid {
        Some(e) => Err(e.to_string()),
        None => Ok(sql),
    }
}

/// The generated part of the "Portable SQL fragments" section of `docs/sql.md`: the catalogue
/// with every example rendered for every dialect, and the types.
pub(crate) fn markdown() -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let code = |s: &str| format!("`{}`", cell(s));
    let mut out = String::from(
        "| in a fragment | example | written as | except | notes |\n|---|---|---|---|---|\n",
    );
    for row in CATALOGUE {
        let names = row
            .names
            .iter()
            .map(|n| code(n))
            .collect::<Vec<_>>()
            .join(", ");
        // Dialects grouped by what they write; the largest group is "written as".
        let mut groups: Vec<(String, Vec<Dialect>)> = Vec::new();
        for &d in Dialect::ALL {
            let text = match render_text(row.example, d) {
                Ok(sql) => code(&sql),
                Err(_) => "cannot be written".to_owned(),
            };
            match groups.iter_mut().find(|(t, _)| *t == text) {
                Some((_, ds)) => ds.push(d),
                None => groups.push((text, vec![d])),
            }
        }
        let main = (0..groups.len())
            .max_by_key(|&i| (groups[i].1.len(), std::cmp::Reverse(i)))
            .unwrap_or(0);
        let except: Vec<String> = groups
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != main)
            .map(|(_, (t, ds))| {
                let names: Vec<&str> = ds.iter().map(|d| d.name()).collect();
                format!("{}: {t}", names.join(", "))
            })
            .collect();
        let notes = [row.means, row.instead]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| cell(s))
            .collect::<Vec<_>>()
            .join(" ");
        out.push_str(&format!(
            "| {names} | {} | {} | {} | {notes} |\n",
            code(row.example),
            groups[main].0,
            except.join("<br>"),
        ));
    }
    out.push_str("\n| type | written | most dialects | except |\n|---|---|---|---|\n");
    for t in TYPES {
        let except: Vec<String> = t
            .except
            .iter()
            .map(|(d, s)| format!("{}: `{s}`", d.name()))
            .collect();
        out.push_str(&format!(
            "| {} | {} | `{}` | {} |\n",
            t.ty.doc_name(),
            t.written,
            t.generic,
            except.join("<br>")
        ));
    }
    out
}

impl Type {
    fn doc_name(self) -> &'static str {
        match self {
            Type::Integer => "integer (64-bit)",
            Type::Double => "double (64-bit float)",
            Type::Decimal(..) => "decimal(p, s)",
            Type::String => "string",
            Type::Boolean => "boolean",
            Type::Date => "date",
            Type::Timestamp => "timestamp",
        }
    }
}
