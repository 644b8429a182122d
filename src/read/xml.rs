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

/// The element's attributes as `(name, unescaped value)`.
pub(super) fn attributes(
    e: &BytesStart<'_>,
    names: Names,
) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let key = match names {
            Names::Local => String::from_utf8_lossy(a.key.local_name().as_ref()).to_string(),
            Names::AsWritten => String::from_utf8_lossy(a.key.as_ref()).to_string(),
        };
        let value = a.unescape_value().map_err(|e| e.to_string())?.to_string();
        out.push((key, value));
    }
    Ok(out)
}

/// The value of attribute `key`, if the element has it.
pub(super) fn get<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
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
