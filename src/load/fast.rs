//! A hand-written parser for one record of the shape `ties` writes and people
//! write: `Entity(...)`, `Relation(...)` or `Source(...)` with their fields in
//! any order, strings with the common escapes, partial dates as strings,
//! amounts, alias lists, attribute pairs, comments and whitespace anywhere
//! between tokens, a trailing comma.
//!
//! It answers with the very record serde/RON ([`ron_options`](super::ron_options))
//! would give, or with `None` ("not mine") for anything it does not read: an
//! unknown or repeated field, a missing one, `Some(..)`/`None`, raw strings or
//! identifiers, `\x..` escapes and line continuations, a number in any but the plain
//! decimal forms, an unnamed record, Unicode whitespace, a syntax error. The
//! caller then parses the record with serde, which also finds and locates what
//! is wrong. `tests/fast_parser.rs` holds the two parsers to the same answers on
//! generated and damaged input.
//!
//! Values are not checked here (dates, currencies, lengths): the loader checks
//! the records, whichever parser made them.

use crate::model::SourceRecord;
use crate::model::{AmountRecord, EntityKind, EntityRecord, RelationKind, RelationRecord};

/// Parses an entity record, or says it is not one this parser reads.
pub fn entity(text: &str) -> Option<EntityRecord> {
    let mut e = blank_entity();
    entity_into(text, &mut e)?;
    Some(e)
}

/// An entity record with nothing in it, to parse into ([`entity_into`]).
pub fn blank_entity() -> EntityRecord {
    EntityRecord {
        id: String::new(),
        kind: EntityKind::Person,
        name: String::new(),
        aliases: Vec::new(),
        weak_aliases: Vec::new(),
        date: None,
        until: None,
        note: None,
        amount: None,
        sources: Vec::new(),
        attrs: Vec::new(),
        datasets: Vec::new(),
    }
}

/// [`entity`] into `e`, whatever it held before: its strings and lists are
/// written over, so that a loader parsing record after record into the same
/// records allocates little. `None` (and `e` holding anything): not a record
/// this parser reads.
pub fn entity_into(text: &str, e: &mut EntityRecord) -> Option<()> {
    let mut p = Parser::start(text, b"Entity")?;
    let mut kind = None;
    let mut seen = Seen::default();
    p.fields(|p, field| match field {
        b"id" => seen.first(0).and_then(|()| p.string_into(&mut e.id)),
        b"kind" => once(
            &mut seen,
            1,
            &mut kind,
            p.kind(EntityKind::from_label, EntityKind::Other)?,
        ),
        b"name" => seen.first(2).and_then(|()| p.string_into(&mut e.name)),
        b"aliases" => seen.first(3).and_then(|()| p.strings_into(&mut e.aliases)),
        b"weak_aliases" => seen
            .first(4)
            .and_then(|()| p.strings_into(&mut e.weak_aliases)),
        b"date" => seen.first(5).and_then(|()| p.some_string(&mut e.date)),
        b"until" => seen.first(6).and_then(|()| p.some_string(&mut e.until)),
        b"note" => seen.first(7).and_then(|()| p.some_string(&mut e.note)),
        b"amount" => seen.first(8).and_then(|()| p.amount_into(&mut e.amount)),
        b"sources" => seen.first(9).and_then(|()| p.strings_into(&mut e.sources)),
        b"attrs" => set(&mut seen, 10, &mut e.attrs, p.pairs()?),
        _ => None,
    })?;
    p.end()?;
    if !(seen.has(0) && seen.has(2)) {
        return None;
    }
    e.kind = kind?;
    // What was not given is its default, whatever `e` held.
    let given = |bit| seen.has(bit);
    clear_unless(given(3), &mut e.aliases);
    clear_unless(given(4), &mut e.weak_aliases);
    none_unless(given(5), &mut e.date);
    none_unless(given(6), &mut e.until);
    none_unless(given(7), &mut e.note);
    none_unless(given(8), &mut e.amount);
    clear_unless(given(9), &mut e.sources);
    clear_unless(given(10), &mut e.attrs);
    e.datasets.clear();
    Some(())
}

/// Parses a relation record, or says it is not one this parser reads.
pub fn relation(text: &str) -> Option<RelationRecord> {
    let mut r = blank_relation();
    relation_into(text, &mut r)?;
    Some(r)
}

/// A relation record with nothing in it, to parse into ([`relation_into`]).
pub fn blank_relation() -> RelationRecord {
    RelationRecord {
        id: None,
        from: String::new(),
        to: String::new(),
        kind: RelationKind::Met,
        role: None,
        date: None,
        until: None,
        amount: None,
        sources: Vec::new(),
        note: None,
        attrs: Vec::new(),
        undirected: false,
        datasets: Vec::new(),
    }
}

/// [`relation`] into `r`, whatever it held before (as [`entity_into`]).
pub fn relation_into(text: &str, r: &mut RelationRecord) -> Option<()> {
    let mut p = Parser::start(text, b"Relation")?;
    let mut kind = None;
    let mut undirected = false;
    let mut seen = Seen::default();
    p.fields(|p, field| match field {
        b"id" => seen.first(0).and_then(|()| p.some_string(&mut r.id)),
        b"from" => seen.first(1).and_then(|()| p.string_into(&mut r.from)),
        b"to" => seen.first(2).and_then(|()| p.string_into(&mut r.to)),
        b"kind" => once(
            &mut seen,
            3,
            &mut kind,
            p.kind(RelationKind::from_label, RelationKind::Other)?,
        ),
        b"role" => seen.first(4).and_then(|()| p.some_string(&mut r.role)),
        b"date" => seen.first(5).and_then(|()| p.some_string(&mut r.date)),
        b"until" => seen.first(6).and_then(|()| p.some_string(&mut r.until)),
        b"amount" => seen.first(7).and_then(|()| p.amount_into(&mut r.amount)),
        b"sources" => seen.first(8).and_then(|()| p.strings_into(&mut r.sources)),
        b"note" => seen.first(9).and_then(|()| p.some_string(&mut r.note)),
        b"attrs" => set(&mut seen, 10, &mut r.attrs, p.pairs()?),
        b"undirected" => set(&mut seen, 11, &mut undirected, p.boolean()?),
        _ => None,
    })?;
    p.end()?;
    if !(seen.has(1) && seen.has(2)) {
        return None;
    }
    r.kind = kind?;
    r.undirected = undirected;
    let given = |bit| seen.has(bit);
    none_unless(given(0), &mut r.id);
    none_unless(given(4), &mut r.role);
    none_unless(given(5), &mut r.date);
    none_unless(given(6), &mut r.until);
    none_unless(given(7), &mut r.amount);
    clear_unless(given(8), &mut r.sources);
    none_unless(given(9), &mut r.note);
    clear_unless(given(10), &mut r.attrs);
    r.datasets.clear();
    Some(())
}

/// A field not given is `None`.
fn none_unless<T>(given: bool, slot: &mut Option<T>) {
    if !given {
        *slot = None;
    }
}

/// A list not given is empty.
fn clear_unless<T>(given: bool, list: &mut Vec<T>) {
    if !given {
        list.clear();
    }
}

/// Parses a source record, or says it is not one this parser reads.
pub fn source(text: &str) -> Option<SourceRecord> {
    let mut p = Parser::start(text, b"Source")?;
    let (mut id, mut outlet, mut title, mut file) = (None, None, None, None);
    let (mut published, mut url) = (None, None);
    let mut seen = Seen::default();
    p.fields(|p, field| match field {
        b"id" => once(&mut seen, 0, &mut id, p.string()?),
        b"outlet" => once(&mut seen, 1, &mut outlet, p.string()?),
        b"title" => once(&mut seen, 2, &mut title, p.string()?),
        b"published" => once(&mut seen, 3, &mut published, p.string()?),
        b"file" => once(&mut seen, 4, &mut file, p.string()?),
        b"url" => once(&mut seen, 5, &mut url, p.string()?),
        _ => None,
    })?;
    p.end()?;
    Some(SourceRecord {
        id: id?,
        outlet: outlet?,
        title: title?,
        published,
        file: file?,
        url,
    })
}

/// Which fields were given: serde refuses a field given twice.
#[derive(Default)]
struct Seen(u32);

impl Seen {
    fn has(&self, bit: u32) -> bool {
        self.0 & (1 << bit) != 0
    }

    fn first(&mut self, bit: u32) -> Option<()> {
        let mask = 1 << bit;
        if self.0 & mask != 0 {
            return None;
        }
        self.0 |= mask;
        Some(())
    }
}

/// Field `bit` holds `value` (an optional or required field).
fn once<T>(seen: &mut Seen, bit: u32, slot: &mut Option<T>, value: T) -> Option<()> {
    seen.first(bit)?;
    *slot = Some(value);
    Some(())
}

/// Field `bit` holds `value` (a field with a default).
fn set<T>(seen: &mut Seen, bit: u32, slot: &mut T, value: T) -> Option<()> {
    seen.first(bit)?;
    *slot = value;
    Some(())
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    /// Past leading blanks and `name(`; the name must be written.
    fn start(text: &'a str, name: &[u8]) -> Option<Self> {
        let mut p = Parser {
            text,
            b: text.as_bytes(),
            i: 0,
        };
        p.blank()?;
        if !p.b[p.i..].starts_with(name) {
            return None;
        }
        p.i += name.len();
        p.expect(b'(')?;
        Some(p)
    }

    /// Only blanks may follow the record.
    fn end(&mut self) -> Option<()> {
        self.blank()?;
        (self.i == self.b.len()).then_some(())
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        if self.peek()? == c {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    /// Skips ASCII whitespace and comments. `None` on a lone `/`, an unclosed
    /// comment, or a line comment that runs to the end of the text.
    fn blank(&mut self) -> Option<()> {
        loop {
            while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
                self.i += 1;
            }
            if self.peek() != Some(b'/') {
                return Some(());
            }
            match self.b.get(self.i + 1)? {
                b'/' => {
                    let n = self.b[self.i..].iter().position(|&c| c == b'\n')?;
                    self.i += n + 1;
                }
                b'*' => self.block_comment()?,
                _ => return None,
            }
        }
    }

    /// Skips a nested block comment starting at `/*`, the way RON does.
    fn block_comment(&mut self) -> Option<()> {
        self.i += 2;
        let mut depth = 1;
        while depth > 0 {
            let rest = self.b.get(self.i..)?;
            if rest.starts_with(b"/*") {
                depth += 1;
                self.i += 2;
            } else if rest.starts_with(b"*/") {
                depth -= 1;
                self.i += 2;
            } else if rest.is_empty() {
                return None;
            } else {
                self.i += 1;
            }
        }
        Some(())
    }

    /// An ASCII identifier; `None` if a character that could continue a RON
    /// identifier (any non-ASCII byte) follows.
    fn ident(&mut self) -> Option<&'a [u8]> {
        let start = self.i;
        match self.peek()? {
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => self.i += 1,
            _ => return None,
        }
        while let Some(b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_') = self.peek() {
            self.i += 1;
        }
        if self.peek().is_some_and(|c| c >= 0x80) {
            return None;
        }
        Some(&self.b[start..self.i])
    }

    /// The fields of a struct whose `(` was read, up to its `)`; `field` reads
    /// each value (and answers `None` to an unknown field).
    fn fields(&mut self, mut field: impl FnMut(&mut Self, &[u8]) -> Option<()>) -> Option<()> {
        loop {
            self.blank()?;
            if self.peek()? == b')' {
                self.i += 1;
                return Some(());
            }
            let name = self.ident()?;
            self.blank()?;
            self.expect(b':')?;
            self.blank()?;
            field(self, name)?;
            self.blank()?;
            match self.peek()? {
                b',' => self.i += 1,
                b')' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A `"..."` string with the escapes `\\ \" \' \n \r \t \0 \u{..}`.
    fn string(&mut self) -> Option<String> {
        let mut out = String::new();
        self.string_into(&mut out)?;
        Some(out)
    }

    /// [`Parser::string`] written over `out` (its memory kept).
    fn string_into(&mut self, out: &mut String) -> Option<()> {
        out.clear();
        self.expect(b'"')?;
        let start = self.i;
        let rest = &self.b[start..];
        let n = memchr::memchr2(b'"', b'\\', rest)?;
        if rest[n] == b'"' {
            self.i += n + 1;
            out.push_str(&self.text[start..start + n]);
            return Some(());
        }
        let mut from = start;
        loop {
            let n = memchr::memchr2(b'"', b'\\', &self.b[self.i..])?;
            let at = self.i + n;
            out.push_str(&self.text[from..at]);
            if self.b[at] == b'"' {
                self.i = at + 1;
                return Some(());
            }
            self.i = at + 2;
            out.push(match self.b.get(at + 1)? {
                b'\\' => '\\',
                b'"' => '"',
                b'\'' => '\'',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'0' => '\0',
                b'u' => self.unicode_escape()?,
                _ => return None,
            });
            from = self.i;
        }
    }

    /// A string into an optional field, the memory of the one it held kept.
    fn some_string(&mut self, slot: &mut Option<String>) -> Option<()> {
        self.string_into(slot.get_or_insert_with(String::new))
    }

    /// The `{1F980}` of a `\u{1F980}` escape: one to six hex digits.
    fn unicode_escape(&mut self) -> Option<char> {
        self.expect(b'{')?;
        let start = self.i;
        while self.peek()?.is_ascii_hexdigit() && self.i - start < 6 {
            self.i += 1;
        }
        let digits = &self.text[start..self.i];
        self.expect(b'}')?;
        char::from_u32(u32::from_str_radix(digits, 16).ok()?)
    }

    /// `[ "a", "b" ]`, a trailing comma allowed, written over `out` (the
    /// memory of its strings kept).
    fn strings_into(&mut self, out: &mut Vec<String>) -> Option<()> {
        let mut n = 0;
        self.each(|p| {
            if n == out.len() {
                out.push(String::new());
            }
            p.string_into(&mut out[n])?;
            n += 1;
            Some(())
        })?;
        out.truncate(n);
        Some(())
    }

    /// `[ ("name", "value"), ... ]`.
    fn pairs(&mut self) -> Option<Vec<(String, String)>> {
        self.list(|p| {
            p.expect(b'(')?;
            p.blank()?;
            let a = p.string()?;
            p.blank()?;
            p.expect(b',')?;
            p.blank()?;
            let b = p.string()?;
            p.blank()?;
            p.expect(b')')?;
            Some((a, b))
        })
    }

    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let mut out = Vec::new();
        self.each(|p| {
            out.push(item(p)?);
            Some(())
        })?;
        Some(out)
    }

    /// `[ a, b ]`, a trailing comma allowed: `item` reads each.
    fn each(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.expect(b'[')?;
        loop {
            self.blank()?;
            if self.peek()? == b']' {
                self.i += 1;
                return Some(());
            }
            item(self)?;
            self.blank()?;
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A known kind (`person`) or the escape `other("...")`.
    fn kind<K>(
        &mut self,
        known: impl FnOnce(&str) -> Option<K>,
        other: impl FnOnce(String) -> K,
    ) -> Option<K> {
        let start = self.i;
        let name = self.ident()?;
        if name == b"other" {
            self.expect(b'(')?;
            self.blank()?;
            let s = self.string()?;
            self.blank()?;
            self.expect(b')')?;
            return Some(other(s));
        }
        if self.peek() == Some(b'(') {
            return None;
        }
        known(&self.text[start..self.i])
    }

    fn boolean(&mut self) -> Option<bool> {
        match self.ident()? {
            b"true" => Some(true),
            b"false" => Some(false),
            _ => None,
        }
    }

    /// `AmountRecord(value: 1.5, currency: "EUR", approx: true)` or the same
    /// without the name, into `slot` (the memory of its currency kept).
    fn amount_into(&mut self, slot: &mut Option<AmountRecord>) -> Option<()> {
        if self.b[self.i..].starts_with(b"AmountRecord(") {
            self.i += b"AmountRecord".len();
        }
        self.expect(b'(')?;
        let a = slot.get_or_insert_with(|| AmountRecord {
            value: 0.0,
            currency: String::new(),
            approx: false,
        });
        let (mut value, mut approx) = (None, false);
        let mut seen = Seen::default();
        self.fields(|p, field| match field {
            b"value" => once(&mut seen, 0, &mut value, p.number()?),
            b"currency" => seen.first(1).and_then(|()| p.string_into(&mut a.currency)),
            b"approx" => set(&mut seen, 2, &mut approx, p.boolean()?),
            _ => None,
        })?;
        if !seen.has(1) {
            return None;
        }
        a.value = value?;
        a.approx = approx;
        Some(())
    }

    /// `-?digits(.digits)?([eE][+-]?digits)?`, read as RON reads it (Rust's
    /// `f64` parser), followed by a blank, `,`, `)` or a comment.
    fn number(&mut self) -> Option<f64> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        self.digits()?;
        if self.peek() == Some(b'.') {
            self.i += 1;
            self.digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            self.digits()?;
        }
        match self.peek()? {
            b' ' | b'\t' | b'\n' | b'\r' | b',' | b')' | b'/' => {}
            _ => return None,
        }
        self.text[start..self.i].parse().ok()
    }

    /// One or more ASCII digits.
    fn digits(&mut self) -> Option<()> {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        (self.i > start).then_some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::ron_options;

    fn same_entity(text: &str) {
        let slow: EntityRecord = ron_options().from_str(text).unwrap();
        assert_eq!(entity(text), Some(slow), "{text}");
    }

    #[test]
    fn reads_what_ties_writes() {
        same_entity(
            r#"Entity(id: "tr-0000016", kind: tranche, name: "8th PLN 75000000 tranche", date: "2015-06", amount: AmountRecord(value: 75000000.0, currency: "PLN"), sources: ["s000001"])"#,
        );
        same_entity(
            r#"Entity(
                id: "ev-1", // a comment
                kind: other("lobby \"x\""),
                name: "Boiko\'s visit\nto Kyiv", /* block /* nested */ */
                aliases: ["a", "b",],
                attrs: [("k", "v"), ( "k2" , "v2" )],
                amount: (value: 1e3, currency: "EUR", approx: true),
            )"#,
        );
        let r = r#"Relation(from: "a", to: "b", kind: holds_office, role: "Minister", sources: [], undirected: true)"#;
        let slow: RelationRecord = ron_options().from_str(r).unwrap();
        assert_eq!(relation(r), Some(slow));
        let s =
            r#"Source(id: "s1", outlet: "O", title: "T", published: "2024", file: "f", url: "u")"#;
        let slow: SourceRecord = ron_options().from_str(s).unwrap();
        assert_eq!(source(s), Some(slow));
    }

    #[test]
    fn declines_what_it_does_not_read() {
        for text in [
            r#"Entity(id: "a", kind: person)"#,
            r#"Entity(id: "a", kind: person, name: "A", name: "B")"#,
            r#"Entity(id: "a", kind: person, name: "A", colour: "red")"#,
            r#"Entity(id: "a", kind: persona, name: "A")"#,
            r#"Entity(id: "a", kind: person, name: Some("A"))"#,
            r#"Entity(id: "a", kind: person, name: r"A")"#,
            r#"Entity(id: "a", kind: person, name: "\x41")"#,
            r#"Entity(id: "a", kind: person, name: "\u{1234567}")"#,
            r#"Entity(id: "a", kind: person, name: "\u{d800}")"#,
            r#"(id: "a", kind: person, name: "A")"#,
            r#"Entity(id: "a", kind: person, name: "A", amount: (value: 1_000, currency: "EUR"))"#,
            r#"Entity(id: "a", kind: person, name: "A", amount: (value: inf, currency: "EUR"))"#,
            r#"Entity(id: "a", kind: person, name: "A") // unclosed"#,
            r#"Source(id: "a", kind: person, name: "A")"#,
        ] {
            assert_eq!(entity(text), None, "{text}");
        }
    }
}
