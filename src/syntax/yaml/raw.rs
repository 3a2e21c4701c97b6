//! The serde adapter: serde-saphyr reads YAML into [`Raw`], a generic value with a location on
//! every node; [`Locator`] turns it into [`Node`]s with byte spans. Nothing here knows the spec
//! language: the walk over the nodes is [`super::walk`].

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::diagnostics::{FileId, Span, Spanned};
use crate::syntax::ast::Str;

/// A YAML value as serde-saphyr hands it to us, with locations.
pub(super) enum Raw {
    Null,
    Scalar(String),
    Seq(Vec<serde_saphyr::Spanned<Raw>>),
    Map(Vec<(serde_saphyr::Spanned<Raw>, serde_saphyr::Spanned<Raw>)>),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Scalar(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Scalar(v))
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Raw, E> {
        Err(E::custom("binary values are not part of the spec language"))
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key()? {
            let value = map.next_value()?;
            entries.push((key, value));
        }
        Ok(Raw::Map(entries))
    }
}

/// Our own YAML node: kind and byte span.
pub(super) struct Node {
    pub kind: Kind,
    pub span: Span,
}

pub(super) enum Kind {
    Null,
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(Str, Node)>),
}

impl Node {
    pub fn describe(&self) -> &'static str {
        match self.kind {
            Kind::Null => "an empty value",
            Kind::Scalar(_) => "a scalar",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a map",
        }
    }
}

/// Turns serde-saphyr's line/column locations into byte spans of one file.
pub(super) struct Locator<'a> {
    pub file: FileId,
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Locator<'a> {
    pub fn new(file: FileId, text: &'a str) -> Locator<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Locator {
            file,
            text,
            line_starts,
        }
    }

    fn offset(&self, line: u64, col: u64) -> usize {
        let Some(&start) = self.line_starts.get((line as usize).saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let idx = rest
            .char_indices()
            .nth((col as usize).saturating_sub(1))
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        start + idx
    }

    pub fn span(&self, loc: &serde_saphyr::Location) -> Span {
        let s = loc.span();
        if let (Some(off), Some(len)) = (s.byte_offset(), s.byte_len()) {
            let start = (off as usize).min(self.text.len());
            return Span::new(
                self.file,
                start,
                (start + len as usize).min(self.text.len()),
            );
        }
        if loc.line() == 0 {
            return Span::new(self.file, 0, 0);
        }
        let start = self.offset(loc.line(), loc.column());
        Span::new(self.file, start, start)
    }

    /// A scalar's span: when the location has no length, run to the end of its line.
    pub fn scalar_span(&self, span: Span) -> Span {
        if !span.is_empty() {
            return span;
        }
        let start = span.start as usize;
        let end = self.text[start..]
            .find('\n')
            .map(|i| start + i)
            .unwrap_or(self.text.len());
        let end = self.text[start..end].trim_end().len() + start;
        Span::new(self.file, start, end)
    }

    pub fn node(&self, raw: serde_saphyr::Spanned<Raw>) -> Node {
        let span = self.span(&raw.referenced);
        let kind = match raw.value {
            Raw::Null => Kind::Null,
            Raw::Scalar(s) => {
                return Node {
                    kind: Kind::Scalar(s),
                    span: self.scalar_span(span),
                };
            }
            Raw::Seq(items) => Kind::Seq(items.into_iter().map(|i| self.node(i)).collect()),
            Raw::Map(entries) => Kind::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        let key = self.node(k);
                        let name = match key.kind {
                            Kind::Scalar(s) => s,
                            Kind::Null => "null".to_owned(),
                            _ => "<complex key>".to_owned(),
                        };
                        (Spanned::new(name, key.span), self.node(v))
                    })
                    .collect(),
            ),
        };
        Node { kind, span }
    }
}
