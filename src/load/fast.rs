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

/// Where a string of a batch of records is: in the batch's text, when it is
/// written there as it is (no escapes), or in its [`Store`]'s own text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The [`OWN`] bit: in the store's own text.
    start: u32,
    len: u32,
}

/// Marks a [`Span`] of the store's own text; offsets stay below it.
const OWN: u32 = 1 << 31;

impl Span {
    const EMPTY: Span = Span { start: 0, len: 0 };

    /// `None` past the offsets a span holds (the caller falls back).
    fn new(start: usize, len: usize, flag: u32) -> Option<Span> {
        let end = u32::try_from(start.checked_add(len)?).ok()?;
        (end < OWN).then_some(Span {
            start: start as u32 | flag,
            len: len as u32,
        })
    }
}

/// A record's list: items `start..start + len` of its [`Store`] (an
/// attribute list holds name and value in turn, two items a pair).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct List {
    start: u32,
    len: u32,
}

impl List {
    /// Where its items are in [`Store::items`].
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

/// What the records parsed from one batch of text hold besides that text:
/// their strings that were written with escapes, and their lists. Records
/// borrowing from their text and one store allocate nothing each.
#[derive(Debug, Default)]
pub struct Store {
    own: String,
    items: Vec<Span>,
}

impl Store {
    /// Empties it, its memory kept, for the next batch.
    pub fn clear(&mut self) {
        self.own.clear();
        self.items.clear();
    }

    /// The string `s` of a record parsed from `text`.
    pub fn get<'a>(&'a self, text: &'a str, s: Span) -> &'a str {
        let (text, start) = if s.start & OWN != 0 {
            (self.own.as_str(), s.start & !OWN)
        } else {
            (text, s.start)
        };
        text.get(start as usize..(start + s.len) as usize)
            .unwrap_or_default()
    }

    /// Every list item of the batch, in order ([`List::range`] picks a list's).
    pub fn items(&self) -> &[Span] {
        &self.items
    }

    /// `s` kept in the store's own text.
    fn own(&mut self, s: &str) -> Option<Span> {
        let start = self.own.len();
        self.own.push_str(s);
        Span::new(start, s.len(), OWN)
    }

    fn own_opt(&mut self, s: &Option<String>) -> Option<Option<Span>> {
        match s {
            Some(s) => self.own(s).map(Some),
            None => Some(None),
        }
    }

    fn own_list<'a>(&mut self, items: impl IntoIterator<Item = &'a String>) -> Option<List> {
        let start = self.items.len();
        for s in items {
            let s = self.own(s)?;
            self.items.push(s);
        }
        self.list_from(start)
    }

    /// The items pushed since `start`, as a list.
    fn list_from(&self, start: usize) -> Option<List> {
        let len = self.items.len() - start;
        Some(List {
            start: u32::try_from(start).ok()?,
            len: u32::try_from(len).ok()?,
        })
    }

    fn mark(&self) -> (usize, usize) {
        (self.own.len(), self.items.len())
    }

    fn undo(&mut self, (own, items): (usize, usize)) {
        self.own.truncate(own);
        self.items.truncate(items);
    }

    fn string(&self, text: &str, s: Span) -> String {
        self.get(text, s).to_string()
    }

    fn strings(&self, text: &str, l: List) -> Vec<String> {
        let items = &self.items[l.range()];
        items.iter().map(|&s| self.string(text, s)).collect()
    }

    fn pairs(&self, text: &str, l: List) -> Vec<(String, String)> {
        let items = &self.items[l.range()];
        let pair = |p: &[Span]| (self.string(text, p[0]), self.string(text, p[1]));
        items.chunks_exact(2).map(pair).collect()
    }

    fn amount(&self, text: &str, a: Option<AmountAt>) -> Option<AmountRecord> {
        a.map(|a| AmountRecord {
            value: a.value,
            currency: self.string(text, a.currency),
            approx: a.approx,
        })
    }

    fn own_amount(&mut self, a: &Option<AmountRecord>) -> Option<Option<AmountAt>> {
        match a {
            Some(a) => Some(Some(AmountAt {
                value: a.value,
                currency: self.own(&a.currency)?,
                approx: a.approx,
            })),
            None => Some(None),
        }
    }
}

/// An amount of a record in a batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AmountAt {
    pub value: f64,
    pub currency: Span,
    pub approx: bool,
}

/// An [`EntityRecord`] whose strings and lists are in a batch's text and
/// [`Store`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EntityAt {
    pub id: Span,
    pub kind: EntityKind<Span>,
    pub name: Span,
    pub aliases: List,
    pub weak_aliases: List,
    pub date: Option<Span>,
    pub until: Option<Span>,
    pub note: Option<Span>,
    pub amount: Option<AmountAt>,
    pub sources: List,
    pub attrs: List,
    pub datasets: List,
}

impl EntityAt {
    /// The record it is, parsed from `text` into `store`.
    pub fn record(&self, text: &str, store: &Store) -> EntityRecord {
        let s = |sp| store.string(text, sp);
        EntityRecord {
            id: s(self.id),
            kind: self.kind.map_other(s),
            name: s(self.name),
            aliases: store.strings(text, self.aliases),
            weak_aliases: store.strings(text, self.weak_aliases),
            date: self.date.map(s),
            until: self.until.map(s),
            note: self.note.map(s),
            amount: store.amount(text, self.amount),
            sources: store.strings(text, self.sources),
            attrs: store.pairs(text, self.attrs),
            datasets: store.strings(text, self.datasets),
        }
    }

    /// `e` (a record serde read) kept in `store`'s own text.
    pub fn of_record(e: &EntityRecord, store: &mut Store) -> Option<EntityAt> {
        Some(EntityAt {
            id: store.own(&e.id)?,
            kind: match &e.kind {
                EntityKind::Other(o) => EntityKind::Other(store.own(o)?),
                k => k.as_deref().map_other(|_| Span::EMPTY),
            },
            name: store.own(&e.name)?,
            aliases: store.own_list(&e.aliases)?,
            weak_aliases: store.own_list(&e.weak_aliases)?,
            date: store.own_opt(&e.date)?,
            until: store.own_opt(&e.until)?,
            note: store.own_opt(&e.note)?,
            amount: store.own_amount(&e.amount)?,
            sources: store.own_list(&e.sources)?,
            attrs: store.own_list(e.attrs.iter().flat_map(|(k, v)| [k, v]))?,
            datasets: store.own_list(&e.datasets)?,
        })
    }
}

/// A [`RelationRecord`] whose strings and lists are in a batch's text and
/// [`Store`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RelationAt {
    pub id: Option<Span>,
    pub from: Span,
    pub to: Span,
    pub kind: RelationKind<Span>,
    pub role: Option<Span>,
    pub date: Option<Span>,
    pub until: Option<Span>,
    pub amount: Option<AmountAt>,
    pub sources: List,
    pub note: Option<Span>,
    pub attrs: List,
    pub undirected: bool,
    pub datasets: List,
}

impl RelationAt {
    /// The record it is, parsed from `text` into `store`.
    pub fn record(&self, text: &str, store: &Store) -> RelationRecord {
        let s = |sp| store.string(text, sp);
        RelationRecord {
            id: self.id.map(s),
            from: s(self.from),
            to: s(self.to),
            kind: self.kind.map_other(s),
            role: self.role.map(s),
            date: self.date.map(s),
            until: self.until.map(s),
            amount: store.amount(text, self.amount),
            sources: store.strings(text, self.sources),
            note: self.note.map(s),
            attrs: store.pairs(text, self.attrs),
            undirected: self.undirected,
            datasets: store.strings(text, self.datasets),
        }
    }

    /// `r` (a record serde read) kept in `store`'s own text.
    pub fn of_record(r: &RelationRecord, store: &mut Store) -> Option<RelationAt> {
        Some(RelationAt {
            id: store.own_opt(&r.id)?,
            from: store.own(&r.from)?,
            to: store.own(&r.to)?,
            kind: match &r.kind {
                RelationKind::Other(o) => RelationKind::Other(store.own(o)?),
                k => k.as_deref().map_other(|_| Span::EMPTY),
            },
            role: store.own_opt(&r.role)?,
            date: store.own_opt(&r.date)?,
            until: store.own_opt(&r.until)?,
            amount: store.own_amount(&r.amount)?,
            sources: store.own_list(&r.sources)?,
            note: store.own_opt(&r.note)?,
            attrs: store.own_list(r.attrs.iter().flat_map(|(k, v)| [k, v]))?,
            undirected: r.undirected,
            datasets: store.own_list(&r.datasets)?,
        })
    }
}

/// Parses an entity record, or says it is not one this parser reads.
pub fn entity(text: &str) -> Option<EntityRecord> {
    let mut store = Store::default();
    Some(entity_at(text, 0, &mut store)?.record(text, &store))
}

/// Parses the entity record `text`, which starts at byte `base` of its
/// batch's text, its escaped strings and its lists going into `store`.
/// `None` (and `store` as it was): not a record this parser reads.
pub fn entity_at(text: &str, base: usize, store: &mut Store) -> Option<EntityAt> {
    let mark = store.mark();
    let e = Parser::start(text, base, b"Entity", store).and_then(Parser::entity);
    if e.is_none() {
        store.undo(mark);
    }
    e
}

/// Parses a relation record, or says it is not one this parser reads.
pub fn relation(text: &str) -> Option<RelationRecord> {
    let mut store = Store::default();
    Some(relation_at(text, 0, &mut store)?.record(text, &store))
}

/// [`entity_at`] for a relation record.
pub fn relation_at(text: &str, base: usize, store: &mut Store) -> Option<RelationAt> {
    let mark = store.mark();
    let r = Parser::start(text, base, b"Relation", store).and_then(Parser::relation);
    if r.is_none() {
        store.undo(mark);
    }
    r
}

/// Parses a source record, or says it is not one this parser reads.
pub fn source(text: &str) -> Option<SourceRecord> {
    let mut store = Store::default();
    let mut p = Parser::start(text, 0, b"Source", &mut store)?;
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

/// The first quote or backslash of `rest`: most strings of a record are short, so
/// its first 16 bytes are looked at at once before memchr is asked.
#[inline(always)]
fn quote_or_escape(rest: &[u8]) -> Option<usize> {
    if let Some(block) = rest.get(..16) {
        let m = super::scan::mask_of(block, b"\"\\");
        if m != 0 {
            return Some(m.trailing_zeros() as usize);
        }
        return memchr::memchr2(b'"', b'\\', &rest[16..]).map(|n| n + 16);
    }
    memchr::memchr2(b'"', b'\\', rest)
}

struct Parser<'a, 's> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    /// Where `text` starts in its batch's text.
    base: usize,
    store: &'s mut Store,
}

impl<'a, 's> Parser<'a, 's> {
    /// Past leading blanks and `name(`; the name must be written.
    #[inline(always)]
    fn start(text: &'a str, base: usize, name: &[u8], store: &'s mut Store) -> Option<Self> {
        let mut p = Parser {
            text,
            b: text.as_bytes(),
            i: 0,
            base,
            store,
        };
        p.blank()?;
        if !p.b[p.i..].starts_with(name) {
            return None;
        }
        p.i += name.len();
        p.expect(b'(')?;
        Some(p)
    }

    /// The fields of an entity record, after `Entity(`.
    fn entity(mut self) -> Option<EntityAt> {
        let (mut id, mut kind, mut name) = (None, None, None);
        let mut e = EntityAt {
            id: Span::EMPTY,
            kind: EntityKind::Person,
            name: Span::EMPTY,
            aliases: List::default(),
            weak_aliases: List::default(),
            date: None,
            until: None,
            note: None,
            amount: None,
            sources: List::default(),
            attrs: List::default(),
            datasets: List::default(),
        };
        let mut seen = Seen::default();
        self.fields(|p, field| match field {
            b"id" => once(&mut seen, 0, &mut id, p.span()?),
            b"kind" => once(
                &mut seen,
                1,
                &mut kind,
                p.kind(EntityKind::from_label, EntityKind::Other)?,
            ),
            b"name" => once(&mut seen, 2, &mut name, p.span()?),
            b"aliases" => set(&mut seen, 3, &mut e.aliases, p.strings()?),
            b"weak_aliases" => set(&mut seen, 4, &mut e.weak_aliases, p.strings()?),
            b"date" => once(&mut seen, 5, &mut e.date, p.span()?),
            b"until" => once(&mut seen, 6, &mut e.until, p.span()?),
            b"note" => once(&mut seen, 7, &mut e.note, p.span()?),
            b"amount" => once(&mut seen, 8, &mut e.amount, p.amount()?),
            b"sources" => set(&mut seen, 9, &mut e.sources, p.strings()?),
            b"attrs" => set(&mut seen, 10, &mut e.attrs, p.pairs()?),
            _ => None,
        })?;
        self.end()?;
        e.id = id?;
        e.kind = kind?;
        e.name = name?;
        Some(e)
    }

    /// The fields of a relation record, after `Relation(`.
    fn relation(mut self) -> Option<RelationAt> {
        let (mut from, mut to, mut kind) = (None, None, None);
        let mut r = RelationAt {
            id: None,
            from: Span::EMPTY,
            to: Span::EMPTY,
            kind: RelationKind::Met,
            role: None,
            date: None,
            until: None,
            amount: None,
            sources: List::default(),
            note: None,
            attrs: List::default(),
            undirected: false,
            datasets: List::default(),
        };
        let mut seen = Seen::default();
        self.fields(|p, field| match field {
            b"id" => once(&mut seen, 0, &mut r.id, p.span()?),
            b"from" => once(&mut seen, 1, &mut from, p.span()?),
            b"to" => once(&mut seen, 2, &mut to, p.span()?),
            b"kind" => once(
                &mut seen,
                3,
                &mut kind,
                p.kind(RelationKind::from_label, RelationKind::Other)?,
            ),
            b"role" => once(&mut seen, 4, &mut r.role, p.span()?),
            b"date" => once(&mut seen, 5, &mut r.date, p.span()?),
            b"until" => once(&mut seen, 6, &mut r.until, p.span()?),
            b"amount" => once(&mut seen, 7, &mut r.amount, p.amount()?),
            b"sources" => set(&mut seen, 8, &mut r.sources, p.strings()?),
            b"note" => once(&mut seen, 9, &mut r.note, p.span()?),
            b"attrs" => set(&mut seen, 10, &mut r.attrs, p.pairs()?),
            b"undirected" => set(&mut seen, 11, &mut r.undirected, p.boolean()?),
            _ => None,
        })?;
        self.end()?;
        r.from = from?;
        r.to = to?;
        r.kind = kind?;
        Some(r)
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
    #[inline(always)]
    fn blank(&mut self) -> Option<()> {
        // Most tokens are followed by nothing or one space, then a token.
        match self.peek() {
            Some(b' ') => {
                self.i += 1;
                if !matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r' | b'/')) {
                    return Some(());
                }
            }
            Some(b'\t' | b'\n' | b'\r' | b'/') => {}
            _ => return Some(()),
        }
        self.blank_more()
    }

    /// [`Parser::blank`] past its first space.
    fn blank_more(&mut self) -> Option<()> {
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

    /// A `"..."` string with the escapes `\\ \" \' \n \r \t \0 \u{..}`,
    /// as it is in the text, or unescaped into the store.
    fn span(&mut self) -> Option<Span> {
        self.expect(b'"')?;
        let start = self.i;
        let rest = &self.b[start..];
        let n = quote_or_escape(rest)?;
        if rest[n] == b'"' {
            self.i += n + 1;
            return Span::new(self.base + start, n, 0);
        }
        let own = self.store.own.len();
        let mut from = start;
        loop {
            let n = memchr::memchr2(b'"', b'\\', &self.b[self.i..])?;
            let at = self.i + n;
            self.store.own.push_str(&self.text[from..at]);
            if self.b[at] == b'"' {
                self.i = at + 1;
                return Span::new(own, self.store.own.len() - own, OWN);
            }
            self.i = at + 2;
            let c = match self.b.get(at + 1)? {
                b'\\' => '\\',
                b'"' => '"',
                b'\'' => '\'',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'0' => '\0',
                b'u' => self.unicode_escape()?,
                _ => return None,
            };
            self.store.own.push(c);
            from = self.i;
        }
    }

    /// A string ([`Parser::span`]) of its own.
    fn string(&mut self) -> Option<String> {
        let s = self.span()?;
        Some(if s.start & OWN != 0 {
            self.store.string("", s)
        } else {
            let start = s.start as usize - self.base;
            self.text[start..start + s.len as usize].to_string()
        })
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

    /// `[ "a", "b" ]`, a trailing comma allowed.
    fn strings(&mut self) -> Option<List> {
        let start = self.store.items.len();
        self.each(|p| {
            let s = p.span()?;
            p.store.items.push(s);
            Some(())
        })?;
        self.store.list_from(start)
    }

    /// `[ ("name", "value"), ... ]`.
    fn pairs(&mut self) -> Option<List> {
        let start = self.store.items.len();
        self.each(|p| {
            p.expect(b'(')?;
            p.blank()?;
            let a = p.span()?;
            p.blank()?;
            p.expect(b',')?;
            p.blank()?;
            let b = p.span()?;
            p.blank()?;
            p.expect(b')')?;
            p.store.items.extend([a, b]);
            Some(())
        })?;
        self.store.list_from(start)
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
        other: impl FnOnce(Span) -> K,
    ) -> Option<K> {
        let start = self.i;
        let name = self.ident()?;
        if name == b"other" {
            self.expect(b'(')?;
            self.blank()?;
            let s = self.span()?;
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
    /// without the name.
    fn amount(&mut self) -> Option<AmountAt> {
        if self.b[self.i..].starts_with(b"AmountRecord(") {
            self.i += b"AmountRecord".len();
        }
        self.expect(b'(')?;
        let (mut value, mut currency, mut approx) = (None, None, false);
        let mut seen = Seen::default();
        self.fields(|p, field| match field {
            b"value" => once(&mut seen, 0, &mut value, p.number()?),
            b"currency" => once(&mut seen, 1, &mut currency, p.span()?),
            b"approx" => set(&mut seen, 2, &mut approx, p.boolean()?),
            _ => None,
        })?;
        Some(AmountAt {
            value: value?,
            currency: currency?,
            approx,
        })
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
