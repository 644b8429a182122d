//! What the GEXF and GraphML readers share about XML elements.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};

/// How attribute names are kept: GEXF looks attributes up by local name,
/// GraphML by the name as written (a prefixed `yfiles:x` stays itself).
#[derive(Clone, Copy)]
pub(super) enum Names {
    Local,
    AsWritten,
}

/// An attribute: its name and unescaped value, borrowed from the element
/// where they need no unescaping.
pub(super) type Attribute<'a> = (Cow<'a, str>, Cow<'a, str>);

/// The element's attributes.
pub(super) fn attributes<'a>(
    e: &'a BytesStart<'_>,
    names: Names,
) -> Result<Vec<Attribute<'a>>, String> {
    let mut out = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let key = match names {
            Names::Local => String::from_utf8_lossy(a.key.local_name().into_inner()),
            Names::AsWritten => String::from_utf8_lossy(a.key.into_inner()),
        };
        let value = a.unescape_value().map_err(|e| e.to_string())?;
        out.push((key, value));
    }
    Ok(out)
}

/// The value of attribute `key`, if the element has it.
pub(super) fn get<'a>(attrs: &'a [Attribute<'_>], key: &str) -> Option<&'a str> {
    attrs.iter().find(|(k, _)| k == key).map(|(_, v)| &**v)
}

/// The elements open, innermost last (their names, to tell a file cut
/// short), in one buffer.
#[derive(Default, Clone, PartialEq, Eq, Debug)]
pub(super) struct OpenElements {
    names: Vec<u8>,
    ends: Vec<usize>,
}

impl OpenElements {
    pub fn push(&mut self, name: &[u8]) {
        self.names.extend_from_slice(name);
        self.ends.push(self.names.len());
    }

    pub fn pop(&mut self) {
        self.ends.pop();
        self.names.truncate(self.ends.last().copied().unwrap_or(0));
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The names, outermost (or first) first.
    pub fn names(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(s, &e)| &self.names[s..e])
    }

    /// Whether the innermost open element is `name`.
    pub fn last_is(&self, name: &[u8]) -> bool {
        let Some(&end) = self.ends.last() else {
            return false;
        };
        let start = self.ends.len().checked_sub(2).map_or(0, |i| self.ends[i]);
        self.names[start..end] == *name
    }

    /// The innermost open element's name.
    pub fn last(&self) -> Option<Cow<'_, str>> {
        let end = *self.ends.last()?;
        let start = self.ends.len().checked_sub(2).map_or(0, |i| self.ends[i]);
        Some(String::from_utf8_lossy(&self.names[start..end]))
    }
}

/// The text a text, CDATA or entity-reference event stands for, decoded:
/// `None` for any other event, `Some(Err(message))` for text that does not
/// decode or an entity XML does not define.
pub(super) fn event_text<'a>(event: &'a Event<'_>) -> Option<Result<Cow<'a, str>, String>> {
    Some(match event {
        Event::Text(t) => t.decode().map_err(|e| e.to_string()),
        Event::CData(t) => Ok(String::from_utf8_lossy(t)),
        Event::GeneralRef(r) => match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(Cow::Owned(c.to_string())),
            _ => {
                let name = String::from_utf8_lossy(r).to_string();
                quick_xml::escape::resolve_xml_entity(&name)
                    .map(Cow::Borrowed)
                    .ok_or_else(|| format!("unknown entity `&{name};`"))
            }
        },
        _ => return None,
    })
}
