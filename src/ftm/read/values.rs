//! The JSON shape of one line: an entity's id, schema and properties, each
//! property a list of values.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

/// The values of one property: FtM writes a list of strings; a lone string,
/// numbers and booleans are accepted too, nulls skipped. As `followthemoney`
/// does, an entity object as a value (Aleph's nested entities) stands for its
/// id and is kept to be read as a record of its own; other objects and nested
/// lists are dropped and counted.
#[derive(Debug, Default)]
pub(super) struct Values {
    pub(super) values: Vec<String>,
    /// Entity objects found as values, to be read as records.
    pub(super) nested: Vec<RawLine>,
    /// Objects without an id and lists inside the list: dropped.
    pub(super) dropped: usize,
}

enum Scalar {
    Null,
    Text(String),
    Nested(Box<RawLine>),
    Dropped,
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Text(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Scalar::Dropped)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Scalar, A::Error> {
        let line = RawLine::deserialize(de::value::MapAccessDeserializer::new(map));
        // An object that is not entity-shaped is dropped, not an error.
        Ok(match line {
            Ok(l) if l.id.as_deref().is_some_and(|i| !i.trim().is_empty()) => {
                Scalar::Nested(Box::new(l))
            }
            _ => Scalar::Dropped,
        })
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

impl Values {
    fn one(v: String) -> Self {
        Values {
            values: vec![v],
            ..Values::default()
        }
    }

    fn push(&mut self, s: Scalar) {
        match s {
            Scalar::Null => {}
            Scalar::Text(t) => self.values.push(t),
            Scalar::Nested(line) => {
                self.values.extend(line.id.clone());
                self.nested.push(*line);
            }
            Scalar::Dropped => self.dropped += 1,
        }
    }
}

struct ValuesVisitor;

impl<'de> Visitor<'de> for ValuesVisitor {
    type Value = Values;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of strings")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Values, A::Error> {
        let mut out = Values {
            values: Vec::with_capacity(seq.size_hint().unwrap_or(1)),
            ..Values::default()
        };
        while let Some(s) = seq.next_element()? {
            out.push(s);
        }
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Values, A::Error> {
        let mut out = Values::default();
        out.push(ScalarVisitor.visit_map(map)?);
        Ok(out)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Values, E> {
        Ok(Values::one(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Values, E> {
        Ok(Values::one(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Values, E> {
        Ok(Values::one(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Values, E> {
        Ok(Values::one(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Values, E> {
        Ok(Values::one(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Values, E> {
        Ok(Values::one(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Values, E> {
        Ok(Values::default())
    }
}

impl<'de> Deserialize<'de> for Values {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValuesVisitor)
    }
}

/// One line as written. The top-level metadata FtM tracks (`datasets`,
/// `first_seen`, `last_seen`, `last_change`, `referents`) is kept beside the
/// properties; other keys are ignored.
#[derive(Debug, Deserialize)]
pub(super) struct RawLine {
    pub(super) id: Option<String>,
    pub(super) schema: Option<String>,
    /// The label the producer chose; `ties` shows it as the name.
    #[serde(default)]
    pub(super) caption: Option<String>,
    #[serde(default)]
    pub(super) properties: Option<BTreeMap<String, Values>>,
    #[serde(default)]
    pub(super) datasets: Option<Values>,
    #[serde(default)]
    pub(super) first_seen: Option<Values>,
    #[serde(default)]
    pub(super) last_seen: Option<Values>,
    #[serde(default)]
    pub(super) last_change: Option<Values>,
    #[serde(default)]
    pub(super) referents: Option<Values>,
}

impl RawLine {
    /// The provenance the line carries, as `(key, value)` attributes named as
    /// FtM names them ([`PROVENANCE`]).
    pub(super) fn provenance(&mut self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (key, v) in [
            ("first_seen", self.first_seen.take()),
            ("last_seen", self.last_seen.take()),
            ("last_change", self.last_change.take()),
            ("referents", self.referents.take()),
        ] {
            for value in v.map(|v| v.values).unwrap_or_default() {
                if !value.trim().is_empty() {
                    out.push((key.to_string(), value));
                }
            }
        }
        out
    }
}
