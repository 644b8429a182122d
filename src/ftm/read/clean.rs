//! Values cleaned the way `followthemoney` cleans them before a record is
//! mapped: entity references must be valid FtM ids (and not the record's own),
//! dates must be dates; what fails is dropped and noted, never refused.

use std::collections::BTreeMap;

use super::super::schema::{PropType, SchemaDef};
use super::issues::Issue;
use super::values::{RawLine, Values};
use super::{Loader, parse_ftm_date};

/// The longest id `followthemoney` accepts.
const MAX_ID_LEN: usize = 200;

/// Is `id` a valid FtM entity id (`[0-9a-zA-Z]([0-9a-zA-Z.-]*[0-9a-zA-Z])?`,
/// at most 200 characters), as the library's entity type requires?
pub fn valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    let edge = |c: &u8| c.is_ascii_alphanumeric();
    !b.is_empty()
        && b.len() <= MAX_ID_LEN
        && b.first().is_some_and(edge)
        && b.last().is_some_and(edge)
        && b.iter().all(|c| edge(c) || matches!(c, b'.' | b'-'))
}

impl Loader {
    /// A record's properties with invalid values dropped (and noted), and the
    /// nested entities found among them.
    pub(super) fn clean(
        &mut self,
        id: &str,
        def: Option<&'static SchemaDef>,
        props: BTreeMap<String, Values>,
    ) -> (BTreeMap<String, Vec<String>>, Vec<RawLine>) {
        let mut nested = Vec::new();
        let mut out = BTreeMap::new();
        for (prop, v) in props {
            for _ in 0..v.dropped {
                self.note(
                    Issue::BadValue,
                    format!("`{id}` {prop}: an object or list where text was expected"),
                );
            }
            for n in &v.nested {
                let nid = n.id.as_deref().unwrap_or_default();
                self.note(Issue::Nested, format!("`{id}` {prop}: entity `{nid}`"));
            }
            nested.extend(v.nested);
            let ptype = def.and_then(|d| d.prop(&prop));
            let mut values = v.values;
            match ptype {
                Some(PropType::Entity) => values.retain(|r| {
                    let r = r.trim();
                    if !valid_id(r) {
                        self.note(Issue::InvalidRef, format!("`{id}` {prop}: `{r}`"));
                        false
                    } else if r == id {
                        self.note(Issue::SelfRef, format!("`{id}` {prop}: `{r}`"));
                        false
                    } else {
                        true
                    }
                }),
                Some(PropType::Date) => values.retain(|d| match parse_ftm_date(d) {
                    Ok(_) => true,
                    Err(e) => {
                        self.note(Issue::BadDate, format!("`{id}` {prop}: `{d}`: {e}"));
                        false
                    }
                }),
                _ => {}
            }
            values.retain(|v| !v.trim().is_empty());
            if !values.is_empty() {
                out.insert(prop, values);
            }
        }
        (out, nested)
    }
}

#[cfg(test)]
mod tests {
    use super::valid_id;

    #[test]
    fn ids_follow_the_library() {
        assert!(valid_id("NK-2GdmHtZTeNXjNVrBGEXZNj"));
        assert!(valid_id("addr-125caec37c3486d3a71de8ae943eec47f420b38a"));
        assert!(valid_id("Q151509"));
        assert!(valid_id("a.b-c"));
        assert!(!valid_id("Ibn Saud (Q151509)"));
        assert!(!valid_id("-a"));
        assert!(!valid_id("a_b"));
        assert!(!valid_id(""));
        assert!(!valid_id(&"a".repeat(201)));
    }
}
