//! The fast path of the reader, run on the parser threads: a line read by
//! a hand-written JSON reader that allocates nothing (its strings are
//! places in the line, kept in a [`Scratch`] reused for every line of a
//! batch), then prepared as far as it can be without the graph
//! ([`super::prepare`], the careful reader's own code; a relationship's
//! values cleaned straight into one buffer, each property's type looked up
//! once), so that the one builder thread mostly appends rows.
//!
//! It declines any line that is not plainly an entity: a string with an
//! escape or a control character, a value that is not a string, a lone
//! string for a list, a nested entity, a number or `null` where a known key
//! is, a key named twice, a missing id or schema, bad JSON or UTF-8. The
//! careful reader ([`super::values::RawLine`], serde) reads those and reports
//! every problem with its line and column, exactly as before.

use std::borrow::Cow;
use std::mem::MaybeUninit;

use super::super::schema;
use super::clean::{Span, rises, stop_from};
use super::props::{Cited, KnownSources, Lookup};
use super::records::TypedRuns;
use super::{At, Ready, SpanPair, Values, clean, prepare_edge, prepare_edge_at};
use crate::model::trim;

/// The top-level lists the fast path keeps: the datasets, then the
/// provenance ([`crate::ftm::mapping::PROVENANCE`]) in the order kept.
const LISTS: [&str; 5] = [
    "datasets",
    "first_seen",
    "last_seen",
    "last_change",
    "referents",
];

/// How deep a value of a key the reader does not keep may nest.
const DEPTH: u8 = 16;

/// What the reader found on a line, reused from line to line.
#[derive(Default)]
pub(super) struct Scratch {
    /// Per property: its name, and where its values are in `values`.
    names: Vec<(Span, u32, u32)>,
    /// Whether `names` came in strictly rising order.
    sorted: bool,
    values: Vec<Span>,
    /// The values of the top-level lists, each with its index in [`LISTS`].
    lists: Vec<(u8, Span)>,
    /// The types of the properties of the last relationships read.
    memo: schema::PropMemo,
    /// The sources the records of the chunk cite, looked up once it is read.
    pub(super) cited: Cited,
    /// A thing's values kept, `(property, value)`: places in its line's
    /// text (for that line only).
    thing: Vec<SpanPair>,
    /// What the thing lane keeps from line to line (held here, by the
    /// parser thread, not looked up line by line in thread-locals).
    things: super::thing::Kept,
}

/// The strings of a line that are not lists.
struct Head {
    id: Span,
    schema: Span,
    caption: Option<Span>,
}

/// A place in a line of JSON.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn ws(&mut self) {
        // (Most lines have no whitespace between tokens: one test for a
        // byte above the space.)
        while let Some(&c) = self.b.get(self.i)
            && c <= b' '
            && matches!(c, b' ' | b'\t' | b'\n' | b'\r')
        {
            self.i += 1;
        }
    }

    /// The next byte after whitespace (not taken).
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    /// Takes `c`, after whitespace.
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// After a member of an object or a list: whether another follows
    /// (`,`) or `close` ended it.
    fn more(&mut self, close: u8) -> Option<bool> {
        match self.peek()? {
            b',' => {
                self.i += 1;
                Some(true)
            }
            c if c == close => {
                self.i += 1;
                Some(false)
            }
            _ => None,
        }
    }

    /// A string without escapes or control characters. (Inlined: the
    /// call's own cost was a third of it.) Its opening quote taken at once
    /// where it is the next byte (as in most lines, written without
    /// whitespace), else after whitespace.
    #[inline(always)]
    fn string(&mut self) -> Option<Span> {
        if self.b.get(self.i) == Some(&b'"') {
            self.i += 1;
        } else {
            self.eat(b'"')?;
        }
        let start = self.i;
        // The first quote, backslash or control character: the string's
        // end if a quote (else the line is declined).
        let end = stop_from(self.b, start)?;
        (self.b[end] == b'"').then_some(())?;
        self.i = end + 1;
        Some(Span {
            start: start as u32,
            end: end as u32,
        })
    }

    /// After a member of a list or an object: [`Self::more`], the `,` or
    /// `close` taken at once where it is the next byte.
    #[inline(always)]
    fn next(&mut self, close: u8) -> Option<bool> {
        match self.b.get(self.i) {
            Some(&b',') => {
                self.i += 1;
                Some(true)
            }
            Some(&c) if c == close => {
                self.i += 1;
                Some(false)
            }
            _ => self.more(close),
        }
    }

    /// A list of strings, each handed to `f`.
    fn strings(&mut self, mut f: impl FnMut(Span)) -> Option<()> {
        self.eat(b'[')?;
        if self.peek()? == b']' {
            self.i += 1;
            return Some(());
        }
        loop {
            f(self.string()?);
            if !self.more(b']')? {
                return Some(());
            }
        }
    }

    /// `properties`: each a list of strings; whether their names come in
    /// strictly rising order (as bytes) noted in `s.sorted`. (The bytes
    /// between the strings taken as most lines write them, `:[`, `,`,
    /// `]`, without whitespace, where they are; else as [`Self::strings`]
    /// reads them.)
    fn props(&mut self, s: &mut Scratch) -> Option<()> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        let mut last: &[u8] = &[];
        loop {
            let name = self.string()?;
            let this = &self.b[name.start as usize..name.end as usize];
            if !s.names.is_empty() {
                s.sorted &= rises(last, this);
            }
            last = this;
            let start = s.values.len() as u32;
            if self.b.get(self.i..self.i + 3) == Some(b":[\"") {
                self.i += 2;
                loop {
                    s.values.push(self.string()?);
                    if !self.next(b']')? {
                        break;
                    }
                }
            } else {
                self.eat(b':')?;
                self.strings(|v| s.values.push(v))?;
            }
            s.names.push((name, start, s.values.len() as u32));
            if !self.next(b'}')? {
                return Some(());
            }
        }
    }

    /// Skips a value of a key the reader does not keep: strings, lists,
    /// objects, `true`, `false` and `null` (a number declines the line).
    fn skip(&mut self, depth: u8) -> Option<()> {
        let literal = |c: &mut Self, word: &[u8]| {
            let end = c.i + word.len();
            (c.b.get(c.i..end)? == word).then(|| c.i = end)
        };
        match self.peek()? {
            b'"' => self.string().map(drop),
            b't' => literal(self, b"true"),
            b'f' => literal(self, b"false"),
            b'n' => literal(self, b"null"),
            open @ (b'[' | b'{') => {
                let depth = depth.checked_sub(1)?;
                let close = if open == b'[' { b']' } else { b'}' };
                self.i += 1;
                if self.peek()? == close {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    if open == b'{' {
                        self.string()?;
                        self.eat(b':')?;
                    }
                    self.skip(depth)?;
                    if !self.more(close)? {
                        return Some(());
                    }
                }
            }
            _ => None,
        }
    }
}

/// Where the first `"`, `\` or control character (below 0x20) of `b` is:
/// sixteen bytes at a time while sixteen are left (most strings of a line
/// are shorter, and the line goes on after them), then the last sixteen
/// ([`stop_from`]); eight at a time in a line shorter than sixteen (a
/// search for the quote followed by a check of every byte before it took a
/// tenth of the parser threads' time; eight bytes at a time, 5 %).
#[cfg(test)]
fn stop(b: &[u8]) -> Option<usize> {
    stop_from(b, 0)
}

/// Reads line `b` (one JSON object) into `s`: `None` for anything the
/// fast path declines.
fn parse(b: &[u8], s: &mut Scratch) -> Option<Head> {
    s.names.clear();
    s.values.clear();
    s.sorted = true;
    s.lists.clear();
    let mut c = Cursor { b, i: 0 };
    let (mut id, mut schema, mut caption) = (None, None, None);
    // Which of `properties` and the lists were read (each may be once).
    let mut seen = 0u8;
    let mut once = |bit: u8| {
        let first = seen & (1 << bit) == 0;
        seen |= 1 << bit;
        first.then_some(())
    };
    c.eat(b'{')?;
    if c.peek()? == b'}' {
        c.i += 1;
    } else {
        loop {
            let key = c.string()?;
            c.eat(b':')?;
            let one = |slot: &mut Option<Span>, c: &mut Cursor| {
                let first = slot.is_none();
                *slot = Some(c.string()?);
                first.then_some(())
            };
            match &b[key.start as usize..key.end as usize] {
                b"id" => one(&mut id, &mut c)?,
                b"schema" => one(&mut schema, &mut c)?,
                b"caption" => one(&mut caption, &mut c)?,
                b"properties" => {
                    once(7)?;
                    c.props(s)?;
                }
                k => match LISTS.iter().position(|l| l.as_bytes() == k) {
                    Some(j) => {
                        once(j as u8)?;
                        c.strings(|v| s.lists.push((j as u8, v)))?;
                    }
                    None => c.skip(DEPTH)?,
                },
            }
            if !c.more(b'}')? {
                break;
            }
        }
    }
    c.ws();
    (c.i == b.len()).then_some(())?;
    Some(Head {
        id: id?,
        schema: schema?,
        caption,
    })
}

/// One line, parsed.
// Most lines are records of the fast path: held in the batch's list itself
// (one allocation for a batch's records instead of one for each).
#[allow(clippy::large_enum_variant)]
pub(super) enum Parsed {
    Blank,
    /// Read and prepared by the fast path.
    Ready(FastRecord),
    /// Read by the careful reader.
    Record(Box<super::values::RawLine>),
    /// Not JSON, or not an entity: where on the line, and what.
    Bad(usize, crate::load::ProblemKind),
}

/// A line the fast path read: its datasets and provenance, and the record.
// (Kept small: a batch's records are written on a parser thread and read
// on the builder's, one after another.)
pub(super) struct FastRecord {
    /// Its datasets and provenance, if it names any (few lines do).
    pub(super) lists: Option<Box<Lists>>,
    pub(super) body: Fast,
    /// Its id's hash, as the id index hashes ids ([`crate::graph::id_hash`]):
    /// hashed here, not on the builder's thread.
    pub(super) hash: u64,
    /// The nodes of a relationship's first parties, as its parser thread
    /// found them in the copy of the graph's ids ([`super::find_parties`]);
    /// [`NOT_FOUND`] where it did not (the builder looks those up).
    pub(super) found: [u32; 2],
}

/// The datasets and the provenance a line names.
pub(super) struct Lists {
    datasets: Vec<String>,
    pub(super) provenance: Vec<(String, String)>,
}

/// A party its parser did not find ([`FastRecord::found`]).
pub(super) const NOT_FOUND: u32 = u32::MAX;

impl FastRecord {
    /// The datasets its line names.
    pub(super) fn datasets(&self) -> &[String] {
        self.lists.as_deref().map_or(&[], |l| &l.datasets)
    }

    /// The node its parser found for its `k`th party (from 0).
    pub(super) fn found(&self, k: usize) -> Option<crate::graph::NodeIx> {
        (self.found.get(k).copied())
            .filter(|&n| n != NOT_FOUND)
            .map(|n| crate::graph::NodeIx::new(n as usize))
    }
}

/// A record the fast path prepared.
// A relationship's record is held inline, being most of a stream. (A tag
// of its own: of three kinds told apart by a niche in `Ready`'s fields,
// each match on a record, and on the `Parsed` it is in, cost more.)
#[allow(clippy::large_enum_variant)]
#[repr(u8)]
pub(super) enum Fast {
    /// Its strings its own.
    Ready(Ready),
    /// A relationship, its strings places in its batch's text.
    Edge(FastEdge),
    /// A thing of the plain shape, its strings places in its batch's text
    /// ([`super::thing`]).
    Thing(super::thing::FastThing),
}

impl Fast {
    /// The record's id (`text`: its batch's, the one its places were read
    /// in).
    // (A place its parser read as a string, sliced unchecked: on the
    // builder's thread its bytes, last written on another core, are read
    // only where they are used.)
    pub(super) fn id<'a>(&'a self, text: &'a str) -> &'a str {
        match self {
            Fast::Ready(r) => &r.id,
            Fast::Edge(e) => super::plain::of(e.id, text),
            Fast::Thing(t) => super::plain::of(t.id, text),
        }
    }

    /// A relationship's values (`text`, `spans`: its batch's, as
    /// [`FastEdge::values`] reads them); `None` for a thing.
    pub(super) fn edge_values<'a>(
        &'a self,
        text: &'a str,
        spans: &'a [SpanPair],
    ) -> Option<super::Values<'a>> {
        match self {
            Fast::Edge(e) => Some(e.values(text, spans)),
            Fast::Ready(super::Ready {
                body: super::Body::Edge(flat, _),
                ..
            }) => Some(flat.view()),
            Fast::Ready(_) | Fast::Thing(_) => None,
        }
    }
}

/// A relationship record read from a batch whose text is UTF-8: its id and
/// values are places in that text (no string of its own), prepared as
/// [`super::prepare_edge`] prepares one.
pub(super) struct FastEdge {
    pub(super) id: Span,
    pub(super) def: &'static schema::SchemaDef,
    /// Its values: these of the spans its parser thread kept for the batch.
    pub(super) values: (u32, u32),
    /// Which of the first 64 values are parties.
    pub(super) parties: u64,
    /// What reading it noted (few records note anything: boxed, so that
    /// a record is small).
    pub(super) notes: Option<Box<super::issues::Notes>>,
    /// Its values other than the parties, mapped (`None` once the builder
    /// took them, or when they are in `compact`).
    pub(super) pre: Option<super::PreEdge>,
    /// Its values other than the parties, mapped, when of the common
    /// shape ([`super::Compact`]: held here, not in a box).
    pub(super) compact: Option<super::Compact>,
}

// (A record the builder reads in file order: the compact fields are held
// in it without making a batch's list of records longer, `Ready` being
// the larger kind.)
const _: () = assert!(std::mem::size_of::<FastEdge>() <= std::mem::size_of::<super::Ready>());
const _: () = assert!(std::mem::size_of::<super::Compact>() <= 128);

impl FastEdge {
    /// Its mapped fields as a [`super::Mapped`] of their own, made of its
    /// compact ones if it has them (`text`: its batch's): for the ways
    /// that take a box (sources to leave for the builder, a record to
    /// keep until the end).
    pub(super) fn boxed(&mut self, text: &str) -> Option<&mut super::Mapped> {
        if let Some(c) = self.compact.take() {
            self.pre = Some(c.boxed(self.def, text));
        }
        self.pre.as_deref_mut().map(|(m, _)| m)
    }
}

impl super::props::Cites for FastEdge {
    fn compact_found(&mut self, ids: &[u32; 8], n: usize, key: u64) -> bool {
        (self.compact.as_mut()).is_some_and(|c| c.set_found(ids, n, key))
    }

    fn mapped(&mut self, text: &str) -> Option<&mut super::Mapped> {
        self.boxed(text)
    }
}

impl FastEdge {
    /// Its values, `text` its batch's and `spans` its parser's.
    pub(super) fn values<'a>(&self, text: &'a str, spans: &'a [SpanPair]) -> Values<'a> {
        Values {
            text,
            at: At::Spans(&spans[self.values.0 as usize..self.values.1 as usize]),
            parties: self.parties,
        }
    }
}

/// [`read`] of `line` alone (a batch of its own, its sources looked up
/// in `known`): the record, the places of its values, and the buffers
/// it was read with (what it noted for the chunk's source lookups).
#[cfg(test)]
pub(super) fn read_alone(
    line: &str,
    known: &KnownSources,
) -> (Option<FastRecord>, Vec<SpanPair>, Scratch) {
    let (mut scratch, mut spans) = (Scratch::default(), Vec::new());
    let mut out = MaybeUninit::uninit();
    let read = super::plain::with_lane(|lane| {
        read_into(
            &mut out,
            line.as_bytes(),
            Some((line, 0)),
            known,
            (&mut scratch, lane),
            &mut spans,
        )
    });
    let r = read.then(|| {
        // SAFETY: `read_into` wrote `out`, having answered `true`.
        match unsafe { out.assume_init() } {
            Parsed::Ready(r) => r,
            _ => unreachable!("the fast path writes its records"),
        }
    });
    (r, spans, scratch)
}

/// A line written as exports write it, `plain`, damaged as the direct
/// lanes' tests damage it (`damage`; 0, 1 and 4: not): a byte of the
/// sixteen of `JUNK` (`junk`) put in at byte `at` (2) or the byte there
/// taken out (3), whitespace or a byte after it (5), other keys (6, 7),
/// whitespace between tokens (8, 9), its schema named twice (10), its
/// quotes escaped (any other). (At a character boundary.)
#[cfg(test)]
pub(super) fn damaged_line(plain: &str, damage: usize, at: usize, junk: usize) -> String {
    const JUNK: [&str; 16] = [
        "\\", "\"", " ", "\t", ",", "}", "]", "[", ":", "{", "\u{1}", "\n", "é", "a", "\"\"",
        "\\\"",
    ];
    let mut p = at % (plain.len() + 1);
    while !plain.is_char_boundary(p) {
        p -= 1;
    }
    let mut l = plain.to_string();
    match damage {
        0 | 1 | 4 => {}
        2 => l.insert_str(p, JUNK[junk % JUNK.len()]),
        3 if p < l.len() => {
            l.remove(p);
        }
        3 => {}
        5 => l.push_str([" ", "\n", "\r\n", "\t \n", "x"][junk % 5]),
        6 => l = plain.replace(r#","schema":"#, r#","datasets":["d1"],"schema":"#),
        7 => l = plain.replace(r#","schema":"#, r#","caption":"c","schema":"#),
        8 => l = plain.replacen(r#"{"id":"#, r#"{ "id":"#, 1),
        9 => l = plain.replace(r#"":[""#, r#"": [""#),
        10 => l = plain.replace(r#"},"schema":"#, r#"},"schema":"Person","schema":"#),
        _ => l = plain.replace(r#"""#, r#"\u0022"#),
    }
    l
}

/// Reads and prepares one line (not blank, without its BOM) into `out`
/// (as [`Parsed::Ready`]), answering `true`; or answers `false`, `out`
/// not written, when the careful reader must. `text`: when its batch's
/// text is UTF-8, that text and where the line starts in it (a
/// relationship's strings then stay there, its values' places pushed on
/// `spans`). The sources it cites are looked up in `known`; `s` and
/// `lane` are reused from line to line.
// (The record written where its chunk keeps it: not returned and moved.)
#[inline(always)]
pub(super) fn read_into(
    out: &mut MaybeUninit<Parsed>,
    bytes: &[u8],
    text: Option<(&str, usize)>,
    known: &KnownSources,
    (s, lane): (&mut Scratch, &mut super::plain::Lane),
    spans: &mut Vec<SpanPair>,
) -> bool {
    if let Some((text, at)) = text
        && direct(out, bytes, (text, at), known, (s, lane), spans)
    {
        return true;
    }
    match read(bytes, text, known, s, spans) {
        Some(record) => {
            out.write(Parsed::Ready(record));
            true
        }
        None => false,
    }
}

/// A line as exports write it, read straight from its bytes, not
/// tokenized first (`text`: its batch's, and where the line starts in it),
/// into `out`: its head read once ([`super::plain::head`]), then a
/// relationship by [`super::plain::direct`], a thing by
/// [`super::thing::direct`]. Whether it was.
#[inline(always)]
fn direct(
    out: &mut MaybeUninit<Parsed>,
    bytes: &[u8],
    (text, at): (&str, usize),
    known: &KnownSources,
    (s, lane): (&mut Scratch, &mut super::plain::Lane),
    spans: &mut Vec<SpanPair>,
) -> bool {
    if u32::try_from(at + bytes.len()).is_err() {
        return false;
    }
    // (The places read in `bytes` are places in `text`: the lanes slice
    // the text at them unchecked.)
    debug_assert_eq!(&text.as_bytes()[at..at + bytes.len()], bytes);
    let at = at as u32;
    let Some(head) = super::plain::head(bytes, at, &mut s.memo) else {
        return false;
    };
    if head.def.edge.is_none() {
        let Some(thing) = super::thing::direct(
            bytes,
            &head,
            (text, at),
            (&mut s.memo, &mut s.things),
            &mut s.values,
            spans,
            (known, &mut s.cited),
        ) else {
            return false;
        };
        let hash = crate::graph::id_hash(thing.id.of(text).as_bytes());
        out.write(Parsed::Ready(FastRecord {
            lists: None,
            body: Fast::Thing(thing),
            hash,
            found: [NOT_FOUND; 2],
        }));
        return true;
    }
    let start = spans.len() as u32;
    let Some((id, def, parties, written)) = super::plain::direct(
        bytes,
        &head,
        (text, at),
        &mut s.memo,
        spans,
        (known, &mut s.cited),
        lane,
    ) else {
        return false;
    };
    let hash = crate::graph::id_hash(id.of(text).as_bytes());
    // (Its mapped fields put in once the rest is written, where it is
    // kept: written whole, the record went through two copies on the
    // stack, 176 bytes each.)
    let record = out.write(Parsed::Ready(FastRecord {
        lists: None,
        body: Fast::Edge(FastEdge {
            id,
            def,
            values: (start, spans.len() as u32),
            parties,
            notes: None,
            pre: None,
            compact: None,
        }),
        hash,
        found: [NOT_FOUND; 2],
    }));
    if let Parsed::Ready(FastRecord {
        body: Fast::Edge(e),
        ..
    }) = record
    {
        match written {
            super::Written::Boxed(pre) => e.pre = Some(pre),
            super::Written::Compact(c) => e.compact = Some(c),
        }
    }
    true
}

/// [`read_into`] of a line [`direct`] did not take: tokenized first.
#[inline(never)]
fn read(
    bytes: &[u8],
    text: Option<(&str, usize)>,
    known: &KnownSources,
    s: &mut Scratch,
    spans: &mut Vec<SpanPair>,
) -> Option<FastRecord> {
    let end = text.map_or(0, |(_, at)| at) + bytes.len();
    if u32::try_from(end).is_err() {
        return None;
    }
    let line = match text {
        Some((t, at)) => &t[at..at + bytes.len()],
        None => std::str::from_utf8(bytes).ok()?,
    };
    // (The places read in `bytes` are places in `line`: the plain lane
    // slices the text at them unchecked.)
    debug_assert_eq!(line.as_bytes(), bytes);
    let head = parse(bytes, s)?;
    let (id, schema_name) = (head.id.of(line), head.schema.of(line));
    if trim(id).is_empty() || trim(schema_name).is_empty() {
        return None;
    }
    // Properties sorted by name, as the careful reader's map sorts them; a
    // name given twice is declined. (Names in strictly rising order, as
    // most lines write them, are both at once: told as they were read.)
    // (Compared as bytes, the order of their text, without slicing the
    // text at character boundaries.)
    let name = |p: &(Span, u32, u32)| &bytes[p.0.start as usize..p.0.end as usize];
    debug_assert_eq!(
        s.sorted,
        s.names.windows(2).all(|w| name(&w[0]) < name(&w[1]))
    );
    if !s.sorted {
        s.names.sort_unstable_by(|a, b| name(a).cmp(name(b)));
        if s.names.windows(2).any(|w| name(&w[0]) == name(&w[1])) {
            return None;
        }
    }
    let list = |j: usize| {
        (s.lists.iter())
            .filter(move |&&(k, _)| k as usize == j)
            .map(|&(_, v)| v.of(line))
    };
    let mut provenance = Vec::new();
    for (j, key) in LISTS.iter().enumerate().skip(1) {
        for value in list(j).filter(|v| !v.trim().is_empty()) {
            provenance.push((key.to_string(), value.to_string()));
        }
    }
    let datasets: Vec<String> = list(0).map(str::to_string).collect();
    let def = s.memo.schema(schema_name);
    let body = match def.filter(|d| d.edge.is_some()) {
        // A relationship's values stay in the batch's text.
        Some(def) if let Some((text, at)) = text => {
            let at = at as u32;
            Fast::Edge(prepare_edge_at(
                head.id.shifted(at),
                def,
                (text, at),
                (&s.names, &s.values),
                known,
                spans,
                (&mut s.memo, &mut s.cited),
            ))
        }
        // Else they go straight into one buffer.
        Some(def) => Fast::Ready(prepare_edge(
            id.to_string(),
            def,
            line,
            (&s.names, &s.values),
            known,
            &mut s.memo,
        )),
        // A thing of the plain shape: mapped where its values are, its
        // strings left in the batch's text.
        None if let (Some(def), Some((t, at))) = (def, text)
            && super::thing::on()
            && let Some(thing) = super::thing::read(
                head.id.shifted(at as u32),
                def,
                head.caption.map(|c| c.shifted(at as u32)),
                (t, at as u32),
                (&s.names, &s.values),
                &provenance,
                (&mut s.memo, &mut s.things),
                spans,
                (known, &mut s.cited),
            ) =>
        {
            Fast::Thing(thing)
        }
        None => {
            // A thing: its values cleaned into places in the line (kept
            // for this line only), mapped from there.
            let with_text = text.is_some();
            let (text, at) = text.map_or((line, 0), |(t, at)| (t, at as u32));
            let id = id.to_string();
            let mut notes = super::issues::Notes::default();
            if !super::valid_id(&id) {
                notes.note(super::Issue::InvalidId, format!("`{id}`"));
            }
            let mut runs = TypedRuns::new();
            s.thing.clear();
            let thing = &mut s.thing;
            let parties = clean::clean_spans(
                &mut notes,
                &id,
                def,
                (text, at),
                (&s.names, &s.values),
                Some(&mut runs),
                &mut s.memo,
                |k, v| thing.push((k, v)),
            );
            let values = Values {
                text,
                at: At::Spans(&s.thing),
                parties,
            };
            // The schema table's name when it is known (no copy).
            let schema_name = match def {
                Some(d) => Cow::Borrowed(d.name),
                None => Cow::Owned(schema_name.to_string()),
            };
            let known = match with_text {
                true => Lookup::Later(known, text, &mut s.cited),
                false => Lookup::Now(Some(known)),
            };
            Fast::Ready(super::prepare_thing_ready(
                id,
                (schema_name, def),
                notes,
                head.caption.map(|c| c.of(line)),
                (values, &runs),
                &provenance,
                known,
            ))
        }
    };
    // (A relationship's id is a place in the batch's text only when there
    // is one.)
    let hash = crate::graph::id_hash(body.id(text.map_or("", |(t, _)| t)).as_bytes());
    let lists = (!datasets.is_empty() || !provenance.is_empty()).then(|| {
        Box::new(Lists {
            datasets,
            provenance,
        })
    });
    Some(FastRecord {
        lists,
        body,
        hash,
        found: [NOT_FOUND; 2],
    })
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use proptest::prelude::*;

    use super::super::{FtmSummary, load_reader_with};
    use crate::graph::Graph;
    use crate::model::GraphFile;

    const IDS: [&str; 6] = ["p1", "p2", "c-1", "org.x", "bad id", "e1"];
    const NAMES: [&str; 5] = [
        "Anna Šimonytė",
        "Quote \\\"Q\\\" Ltd",
        "\\u00c9cole \\u0041",
        "Міністерство",
        "  ",
    ];

    /// One generated line: a template filled with ids and names, maybe damaged.
    fn line(t: u8, a: usize, b: usize, n: usize, cut: Option<usize>) -> String {
        let (a, b, n) = (IDS[a % 6], IDS[b % 6], NAMES[n % 5]);
        let s = match t % 24 {
            0 => format!(
                r#"{{"id":"{a}","schema":"Person","properties":{{"name":["{n}"],"alias":["{n} A"],"birthDate":["1970-01"]}}}}"#
            ),
            1 => format!(
                r#"{{"id":"{a}","schema":"Company","properties":{{"name":["{n}","Other"],"publisher":["P1","P2"],"sourceUrl":["https://x.example/{b}"],"country":["lt"]}},"datasets":["ds1","{b}"],"first_seen":["2020-01-01"]}}"#
            ),
            2 => format!(
                r#"{{"id":"{a}","schema":"Ownership","properties":{{"owner":["{a}"," "],"asset":["{b}"],"percentage":["50"],"startDate":["2020",""],"endDate":["2019","2020-13"],"role":["{n}"," ","{n}"],"summary":["  ","{n}"]}}}}"#
            ),
            3 => format!(
                r#"{{"id":"pay-{a}","schema":"Payment","properties":{{"payer":["{a}","{b}"],"beneficiary":["p2"],"amount":["1,000"],"currency":["EUR"],"date":["2021-02-03","2021"]}}}}"#
            ),
            4 => format!(
                r#"{{"id":"m-{b}","schema":"Membership","properties":{{"member":["{a}"],"organization":["{b}"],"role":["chair","vice"],"summary":["s1","s2"]}}}}"#
            ),
            5 => format!(r#"{{"id":"{a}","schema":"Spaceship","properties":{{"name":["{n}"]}}}}"#),
            6 => format!(r#"{{"schema":"Person","properties":{{"name":["{n}"]}}}}"#),
            7 => format!(r#"{{"id":"{a}","schema":"Person","properties":{{"name":"{n}"}}}}"#),
            8 => format!(
                r#"{{"id":"{a}","schema":"Person","properties":{{"name":[1, null, ["x"]]}}}}"#
            ),
            9 => format!(
                r#"{{"id":"{a}","schema":"Event","properties":{{"name":["{n}"],"involved":[{{"id":"{b}","schema":"Person","properties":{{"name":["N"]}}}}],"startDate":["2020-13"]}}}}"#
            ),
            10 => format!(
                r#"{{"id":"{a}","schema":"Person","properties":{{"name":["{n}"],"name":["dup"]}}}}"#
            ),
            11 => format!(
                r#"{{"id":"{a}","schema":"UnknownLink","properties":{{"subject":["{a}"],"object":["{b}"],"role":["signed"]}},"caption":"{n}"}}"#
            ),
            12 => format!(r#"{{"id":"{a}","schema":"","properties":{{}}}}"#),
            13 => format!(
                r#"{{"id":"{a}","schema":"LegalEntity","properties":{{"name":["{n}"],"nonsense":["x"],"addressEntity":["{b}","bad id"]}},"datasets":"ds2","last_seen":["2024"]}}"#
            ),
            14 => format!(
                r#"{{"id":"{a}","schema":"Directorship","properties":{{"director":["{b}"],"organization":["{a}"]}},"referents":["{b}"]}}"#
            ),
            15 if a == "p1" => r#"{"id":7,"schema":"Person"}"#.to_string(),
            15 => "[1,2]".to_string(),
            // Whitespace between every token, keys in another order.
            16 => format!(
                "{{ \"schema\" :\t\"Payment\" , \"id\" : \"w-{a}\", \"properties\" : {{ \"payer\" : [ \"{a}\" ] , \"beneficiary\":[\"{b}\"], \"amount\":[\"5\"],\"currency\":[\"EUR\"] }} }}\r"
            ),
            // Keys the reader does not keep, of every shape it skips.
            17 => format!(
                r#"{{"id":"{a}","target":true,"schema":"Person","extra":{{"x":[null,false,{{"y":"z"}}],"w":[],"v":{{}}}},"properties":{{"name":["{n}"]}},"last_change":["2024-01-01"],"first_seen":[" ","2023"]}}"#
            ),
            // A number where a key is not kept.
            18 => format!(
                r#"{{"id":"{a}","schema":"Person","properties":{{"name":["{n}"]}},"score":0.5}}"#
            ),
            // A key given twice.
            19 => {
                format!(r#"{{"id":"{a}","schema":"Person","schema":"Company","properties":{{}}}}"#)
            }
            20 => format!(
                r#"{{"id":"{a}","schema":"Person","caption":null,"properties":null,"datasets":null}}"#
            ),
            // Properties out of order, one value with an escape.
            21 => format!(
                r#"{{"schema":"Membership","id":"m{a}","properties":{{"role":["a\nb"],"member":["{a}"],"organization":["{b}"]}}}}"#
            ),
            22 => format!(
                r#"{{"properties":{{"name":["{n}","Zed"],"alias":["{n}"],"country":[]}},"caption":"{n}","id":"{a}","schema":"Person","datasets":[]}}"#
            ),
            // Several publishers and URLs, several dates.
            _ => format!(
                r#"{{"id":"pay2-{a}","schema":"Payment","properties":{{"payer":["{a}"],"beneficiary":["{b}"],"publisher":["P1","P2","P3"],"sourceUrl":["https://x.example/{b}","https://y.example/1"],"startDate":["2020-01-01"],"endDate":["2019"],"amount":["-5","7"],"currency":["XXQ"]}},"datasets":["ds1"]}}"#
            ),
        };
        match cut {
            Some(c) => {
                let c = c % (s.len() + 1);
                String::from_utf8_lossy(&s.as_bytes()[..c]).into_owned()
            }
            None => s,
        }
    }

    /// What the damaged lines have put in.
    const JUNK: [&[u8]; 12] = [
        b"\\", b"\"", b" ", b"\t", b",", b"}", b"]", b"[", b"null", b"\x01", b"\xff", b"\xc3",
    ];

    type Loaded = Result<(GraphFile, Vec<Box<str>>, FtmSummary), String>;

    fn load(text: impl AsRef<[u8]>, fast: bool) -> Loaded {
        match load_reader_with(Cursor::new(text.as_ref().to_vec()), "t.ftm.json", fast) {
            Ok((g, s)) => Ok((records(&g), g.dataset_names().to_vec(), s)),
            Err(e) => Err(format!("{e:?}")),
        }
    }

    /// [`load`] by the fast path, `lines` lines a batch, the parser
    /// threads finding parties in a copy of the ids read in the batches
    /// before ([`super::super::load_pieces_with`]); and how many they found.
    fn load_pieces(text: impl AsRef<[u8]>, lines: usize) -> (Loaded, usize) {
        let (loaded, found) =
            super::super::load_pieces_with(text.as_ref(), "t.ftm.json", true, lines);
        let loaded = match loaded {
            Ok((g, s)) => Ok((records(&g), g.dataset_names().to_vec(), s)),
            Err(e) => Err(format!("{e:?}")),
        };
        (loaded, found)
    }

    fn records(g: &Graph) -> GraphFile {
        let sub = crate::view::Subgraph {
            nodes: g.node_indices().collect(),
            edges: g.edge_indices().collect(),
            whole: true,
        };
        crate::export::to_records(g, &sub)
    }

    /// Whether the fast path takes line `l`: read alone, and read as the
    /// third line of a batch whose text is UTF-8 (the same answer).
    fn takes(l: &[u8]) -> bool {
        let alone = super::read(
            l,
            None,
            &Default::default(),
            &mut Default::default(),
            &mut Vec::new(),
        );
        let mut text = String::from("{}\n\n");
        let at = text.len();
        let in_batch = match std::str::from_utf8(l) {
            Ok(l) => {
                text.push_str(l);
                text.push('\n');
                let mut spans = Vec::new();
                super::read(
                    l.as_bytes(),
                    Some((&text, at)),
                    &Default::default(),
                    &mut Default::default(),
                    &mut spans,
                )
            }
            Err(_) => None,
        };
        assert_eq!(alone.is_some(), in_batch.is_some());
        alone.is_some()
    }

    #[test]
    fn plain_lines_take_the_fast_path_and_damaged_ones_do_not() {
        for t in [0, 1, 2, 3, 4, 11, 13, 14, 16, 17, 22, 23] {
            let l = line(t, 0, 1, 0, None);
            assert_eq!(takes(l.as_bytes()), t != 13, "{l}");
        }
        for t in [6, 7, 8, 9, 10, 12, 15, 18, 19, 20, 21] {
            let l = line(t, 0, 1, 0, None);
            assert!(!takes(l.as_bytes()), "{l}");
        }
        // An escape anywhere in a string: the careful reader's.
        assert!(!takes(line(0, 0, 1, 1, None).as_bytes()));
        assert!(!takes(line(0, 0, 1, 0, Some(30)).as_bytes()));
    }

    /// The vendored FtM files (Aleph's and OpenSanctions' shapes: nested
    /// entities, escapes, provenance, datasets) read alike both ways.
    #[test]
    fn vendored_files_read_as_the_careful_reader() {
        for name in [
            "donations.ijson",
            "opensanctions-subset.ftm.json",
            "febrl-small.ftm.json",
        ] {
            let path = format!("{}/tests/data/ftm/{name}", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read(&path).expect("the vendored file");
            let fast = load(&text, true);
            assert!(fast.is_ok(), "{name}");
            assert_eq!(fast, load(&text, false), "{name}");
        }
    }

    /// A stream of several batches (each over 4 MB), so that parser threads
    /// take lines, free what the builder leaves and batches' buffers are
    /// reused: read to the same graph as by the careful reader.
    #[test]
    fn batches_on_parser_threads_read_as_the_careful_reader() {
        // The parties the relationships name, defined first (those built at
        // once) but for `e1` (held to the end).
        let mut text = String::new();
        for id in ["p1", "p2", "c-1", "org.x"] {
            text.push_str(&format!(
                r#"{{"id":"{id}","schema":"Person","properties":{{"name":["{id}"]}}}}"#
            ));
            text.push('\n');
        }
        let (mut i, mut expected) = (0, 4);
        while text.len() < 9 << 20 {
            const PLAIN: [u8; 13] = [0, 1, 2, 3, 4, 5, 9, 11, 13, 14, 17, 22, 23];
            let (t, a, b, n) = (PLAIN[i % 13], i % 6, (i / 7) % 6, i % 5);
            // Sources enough (and each cited again in later batches) for
            // the parser threads to find them among those already added.
            let l = line(t, a, b, n, None)
                .replace("x.example/", &format!("x.example/{}/", i % 997))
                .replace("\"P2\"", &format!("\"P{}\"", i % 503));
            // A line of template 9 holds a nested entity, a record too.
            expected += if t == 9 { 2 } else { 1 };
            // Every id made distinct, but only for the records that define one.
            text.push_str(&l.replace("\"id\":\"", &format!("\"id\":\"x{i}-")));
            text.push('\n');
            i += 1;
        }
        let fast = load(&text, true);
        assert_eq!(fast, load(&text, false));
        let (g, _, summary) = fast.expect("the stream loads");
        // Every line read once, in several batches.
        assert_eq!(summary.records, expected, "{summary}");
        assert!(text.len() > 2 * super::super::parallel::BATCH && g.relations.len() > 10_000);
        assert!(g.sources.len() > 900, "{}", g.sources.len());
        // A line that is not UTF-8 in the second batch: that batch's
        // relationships are read with strings of their own, the batches
        // around it from their text; the same problems either way.
        let mut bytes = text.into_bytes();
        let at = (6 << 20) + bytes[6 << 20..].iter().position(|&b| b == b'\n').unwrap() + 1;
        bytes.splice(at..at, *b"{\"id\":\"\xff\"}\n");
        let damaged = load(&bytes, true);
        assert!(damaged.is_err());
        assert_eq!(damaged, load(&bytes, false));
    }

    /// A stream read a few lines a batch, its relationships' parties
    /// found by the parser threads in a copy of the ids read before where
    /// they can be: parties defined before and after, a fragment of a
    /// party (its id again, merged), a party never defined (a
    /// placeholder), a relationship of more than two parties, an id longer
    /// than the copy holds, a relationship given again: read as the
    /// careful reader reads it, some parties found by the parsers.
    #[test]
    fn parties_found_by_the_parsers_read_as_the_careful_reader() {
        let thing = |id: &str| {
            format!(r#"{{"id":"{id}","schema":"Person","properties":{{"name":["N {id}"]}}}}"#)
        };
        let link = |id: &str, a: &str, b: &str| {
            format!(
                r#"{{"id":"{id}","schema":"UnknownLink","properties":{{"subject":["{a}"],"object":["{b}"],"role":["met"]}}}}"#
            )
        };
        let long = "a-party-with-a-long-id";
        let lines = [
            thing("p1"),
            thing("p2"),
            thing(long),
            link("l1", "p1", "p2"),
            link("l2", "p2", "p3"),
            thing("p3"),
            link("l3", "p3", long),
            thing("p1"),
            link("l4", "p1", "nowhere"),
            r#"{"id":"pay","schema":"Payment","properties":{"payer":["p1","p2"],"beneficiary":["p3"],"amount":["5"],"currency":["EUR"]}}"#
                .to_string(),
            link("l5", "p3", "p1"),
            link("l1", "p2", "p1"),
            link("l6", long, "p2"),
        ];
        let text = lines.join("\n") + "\n";
        let careful = load(&text, false);
        assert!(careful.is_ok(), "{careful:?}");
        for piece in 1..=4 {
            let (fast, found) = load_pieces(&text, piece);
            assert_eq!(fast, careful, "{piece} lines a batch");
            assert!(found >= 4, "{piece} lines a batch: {found} found");
        }
        // Read whole (one batch, no copy yet): none found by the parsers.
        assert_eq!(load_pieces(&text, 100), (careful, 0));
    }

    /// A stream read a few lines a batch, the sources its records cite
    /// found by the parser threads where every one was added before
    /// (looked up together once their chunk is read): URLs with and
    /// without publishers (their outlet), publishers alone, none, more
    /// than a record's list holds, known and new ones mixed, of things and
    /// relationships: read as the careful reader reads it.
    #[test]
    fn sources_found_by_the_parsers_read_as_the_careful_reader() {
        let cite = |id: &str, schema: &str, more: &str, publishers: &[&str], urls: &[&str]| {
            let list = |l: &[&str]| {
                let quoted: Vec<String> = l.iter().map(|v| format!("\"{v}\"")).collect();
                quoted.join(",")
            };
            format!(
                r#"{{"id":"{id}","schema":"{schema}","properties":{{{more}"publisher":[{}],"sourceUrl":[{}]}}}}"#,
                list(publishers),
                list(urls)
            )
        };
        let person =
            |id: &str, p: &[&str], u: &[&str]| cite(id, "Person", r#""name":["N"],"#, p, u);
        let link = |id: &str, p: &[&str], u: &[&str]| {
            cite(
                id,
                "UnknownLink",
                r#""subject":["p1"],"object":["p2"],"#,
                p,
                u,
            )
        };
        let (u1, u2, u3) = (
            "https://a.example/1",
            "https://a.example/2",
            "http://b.example/3",
        );
        let many: Vec<String> = (0..9).map(|i| format!("https://m.example/{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let lines = [
            person("p1", &["Pub A"], &[u1]),
            person("p2", &["Pub B", "Pub C"], &[]),
            link("l1", &["Pub A"], &[u1]),
            link("l2", &["Pub D", "Pub A"], &[u1, u2]),
            link("l3", &["Pub B"], &[]),
            link("l4", &[], &[u3]),
            person("p3", &[], &[u2, u3]),
            link("l5", &[], &[]),
            link("l6", &["Pub E"], &many[..7]),
            link("l7", &["Pub E"], &many),
            link("l8", &["Pub B", "Pub C"], &[]),
            link("l9", &["Pub F", "Pub B"], &[]),
            person("p4", &["Pub G"], &many[2..8]),
            link("l10", &["Pub H"], &[u1, "https://c.example/new"]),
            link("l11", &["Pub H"], &[u1, u2, u3]),
        ];
        let text = lines.join("\n") + "\n";
        let careful = load(&text, false);
        assert!(careful.is_ok(), "{careful:?}");
        for piece in 1..=4 {
            assert_eq!(
                load_pieces(&text, piece).0,
                careful,
                "{piece} lines a batch"
            );
        }
        assert_eq!(load(&text, true), careful);
    }

    /// The schemata the generated lines of [`shaped_line`] have: things,
    /// relationships, one `ties` does not know.
    const SCHEMATA: [&str; 7] = [
        "Person",
        "Event",
        "Company",
        "UnknownLink",
        "Ownership",
        "Payment",
        "Starship",
    ];

    /// Property names: of several types (names, dates, entities, amounts),
    /// one no schema has, some sharing their first bytes.
    const PROPS: [&str; 16] = [
        "name",
        "alias",
        "startDate",
        "endDate",
        "date",
        "subject",
        "object",
        "owner",
        "asset",
        "payer",
        "publisher",
        "sourceUrl",
        "summary",
        "amount",
        "nonsense",
        "involved",
    ];

    /// Values that clean differently: blank (spaces, Unicode spaces),
    /// padded, ids good and bad, the record's own id, dates good, bad and
    /// with a time, text not ASCII, strings of 15 to 17 bytes and longer.
    const VALUES: [&str; 20] = [
        "p1",
        "",
        " ",
        "\u{a0}",
        "\u{3000}x\u{3000}",
        " p2",
        "p3 ",
        "bad id",
        "self-1",
        "2020",
        "2020-13",
        "2021-02-03T10:00",
        "é",
        "Ünïcödé Šimonytė",
        "fifteen-bytes-x",
        "sixteen-bytes-xy",
        "seventeen-bytes-z",
        "a value long enough to need two blocks of sixteen",
        "1,000",
        "EUR",
    ];

    /// One line of `schema`, its properties `props` (`(name, values)`,
    /// indexes into [`PROPS`] and [`VALUES`]) in the order given, the
    /// top-level keys in one of three orders, whitespace `ws` (a space or a
    /// tab) put between the tokens where `gaps` (a bit per gap) says.
    fn shaped_line(
        schema: usize,
        props: &[(usize, Vec<usize>)],
        (order, caption): (u8, bool),
        ws: &str,
        gaps: u64,
    ) -> String {
        let mut k = 0;
        let mut gap = || {
            k += 1;
            if gaps >> (k % 64) & 1 == 1 { ws } else { "" }
        };
        let mut p = String::from("{");
        for (j, (name, values)) in props.iter().enumerate() {
            if j > 0 {
                p.push_str(gap());
                p.push(',');
            }
            p.push_str(gap());
            p.push_str(&format!("\"{}\"", PROPS[name % PROPS.len()]));
            p.push_str(gap());
            p.push(':');
            p.push_str(gap());
            p.push('[');
            for (n, v) in values.iter().enumerate() {
                if n > 0 {
                    p.push_str(gap());
                    p.push(',');
                }
                p.push_str(gap());
                p.push_str(&format!("\"{}\"", VALUES[v % VALUES.len()]));
            }
            p.push_str(gap());
            p.push(']');
        }
        p.push_str(gap());
        p.push('}');
        let mut keys = vec![
            "\"id\":\"self-1\"".to_string(),
            format!("\"schema\":\"{}\"", SCHEMATA[schema % SCHEMATA.len()]),
            format!("\"properties\":{p}"),
        ];
        if caption {
            keys.push("\"caption\":\" Capt \"".to_string());
        }
        keys.rotate_left(order as usize % 3);
        let mut line = String::from("{");
        for (j, key) in keys.iter().enumerate() {
            if j > 0 {
                line.push(',');
                line.push_str(gap());
            }
            line.push_str(key);
        }
        line.push_str(gap());
        line.push('}');
        line
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Lines of every shape the fast path reads (whitespace between
        /// any tokens or none, properties in order or not, a name given
        /// twice, values blank, padded, not ASCII, of every length, ids
        /// and dates good and bad, things, relationships and a schema
        /// `ties` does not know) read to the same graph, summary and
        /// problems as by the careful reader: the properties' names taken
        /// in order as they are read, the bytes between strings, a
        /// string's last bytes, a thing's values cleaned as places in its
        /// line.
        #[test]
        fn shaped_lines_read_as_the_careful_reader(
            lines in prop::collection::vec(
                (
                    0usize..SCHEMATA.len(),
                    prop::collection::vec(
                        (0usize..PROPS.len(), prop::collection::vec(0usize..VALUES.len(), 0..4)),
                        0..6,
                    ),
                    (0u8..3, any::<bool>()),
                    any::<u64>(),
                    prop::sample::select(vec![" ", "\t", "  "]),
                    0u8..3,
                ),
                1..12,
            ),
        ) {
            let mut text = String::new();
            for (i, (schema, mut props, shape, gaps, ws, sorted)) in lines.into_iter().enumerate() {
                // Sorted (as most files write them), as generated, or
                // sorted and without a name given twice.
                if sorted > 0 {
                    props.sort_by_key(|(name, _)| PROPS[*name]);
                }
                if sorted > 1 {
                    props.dedup_by_key(|(name, _)| *name);
                }
                // Every other line without whitespace, as most files.
                let gaps = if i % 2 == 0 { 0 } else { gaps };
                let own = format!("self-{}", i % 3 + 1);
                let line = shaped_line(schema, &props, shape, ws, gaps).replace("self-1", &own);
                // A line naming each property once is the fast path's.
                if sorted > 1 {
                    prop_assert!(takes(line.as_bytes()), "{}", line);
                }
                text.push_str(&line);
                text.push('\n');
            }
            let careful = load(&text, false);
            prop_assert_eq!(&load(&text, true), &careful);
            prop_assert_eq!(&load_pieces(&text, 3).0, &careful);
        }
    }

    proptest! {
        /// The word-at-a-time search stops where a byte-by-byte one does.
        #[test]
        fn stop_finds_the_first_quote_backslash_or_control(
            bytes in prop::collection::vec(
                prop_oneof![
                    4 => 0x20u8..0x80,
                    2 => 0x80u8..=0xff,
                    1 => Just(b'"'),
                    1 => Just(b'\\'),
                    1 => 0u8..0x20,
                    1 => prop::sample::select(vec![0x1fu8, 0x20, 0x21, 0x5b, 0x5d, 0x7f, 0xa2, 0xdc]),
                ],
                0..40,
            ),
            clean_prefix in 0usize..20,
        ) {
            let mut b = vec![b'a'; clean_prefix];
            b.extend(bytes);
            let naive = b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
            prop_assert_eq!(super::stop(&b), naive);
            prop_assert_eq!(super::super::clean::stop_words(&b), naive);
            // From any place: the first such byte from there on.
            for start in 0..=b.len() {
                let naive = (b[start..].iter())
                    .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                    .map(|j| start + j);
                prop_assert_eq!(super::stop_from(&b, start), naive, "from {}", start);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The fast path reads generated and damaged streams to the same
        /// graph, summary and problems as the careful reader alone: lines
        /// cut short, or with a byte or word put in anywhere (an escape, a
        /// quote, whitespace, a separator, `null`, a control character,
        /// bytes that are not UTF-8).
        #[test]
        fn fast_path_reads_as_the_careful_reader(
            lines in prop::collection::vec(
                (
                    (0u8..24, 0usize..6, 0usize..6, 0usize..5),
                    prop::option::weighted(0.1, 0usize..400),
                    prop::option::weighted(0.15, (0usize..400, 0usize..JUNK.len())),
                ),
                // Past 64 lines at times: the builder looks a chunk of
                // 64 lines' ids up at once, a node added in it after.
                0..90,
            ),
            blank_every in 0usize..7,
            piece in 1usize..12,
        ) {
            let mut text = Vec::new();
            for (i, &((t, a, b, n), cut, junk)) in lines.iter().enumerate() {
                if blank_every > 0 && i % blank_every == 0 {
                    text.push(b'\n');
                }
                let mut l = line(t, a, b, n, cut).into_bytes();
                if let Some((at, j)) = junk {
                    let at = at % (l.len() + 1);
                    l.splice(at..at, JUNK[j].iter().copied());
                }
                text.extend(l);
                text.push(b'\n');
            }
            let careful = load(&text, false);
            prop_assert_eq!(&load(&text, true), &careful);
            // Read `piece` lines a batch, each batch's parties looked up
            // by its parsers in a copy of the ids of the batches before
            // (ids defined after they are named, fragments, parties the
            // stream never defines, ids of things and relationships
            // alike): the same.
            prop_assert_eq!(&load_pieces(&text, piece).0, &careful);
            // A batch with a line that is not UTF-8 is read with each
            // relationship's strings its own; made UTF-8, with its strings
            // places in the batch's text: both as the careful reader.
            let utf8 = String::from_utf8_lossy(&text);
            let careful = load(utf8.as_bytes(), false);
            prop_assert_eq!(&load(utf8.as_bytes(), true), &careful);
            prop_assert_eq!(&load_pieces(utf8.as_bytes(), piece).0, &careful);
        }
    }
}
