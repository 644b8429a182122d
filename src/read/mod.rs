//! Readers for graphs made by other tools: GraphML, GEXF and CSV tables.
//!
//! Each format is a module with `sniff` (is this file in my format?) and `read`
//! (the graph and its load notes), as the open path expects. The formats differ in
//! syntax only; what a node or an edge says is gathered into a [`Record`] and
//! turned into entities and relations by one [`Builder`], so every format maps
//! names, kinds, dates, amounts, sources and other attributes the same way.

pub mod csv;
pub mod gexf;
pub mod graphml;
mod names;
mod position;
mod scan;
mod xml;
mod xml_format;

use names::ATTR_PREFIX;
pub use names::attribute_name;
pub(crate) use position::{has_extension, xml_root_is};
use position::{line_cols, resolve};

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::sync::{Mutex, PoisonError};

use crate::graph::{
    AddError, Graph, NewEntity, NewRelation, NodeIx, ShortIds, Source, SourceId, SourceSet,
};
use crate::load::{LoadError, Location, Problem, ProblemKind};
use crate::model::{Amount, EntityKind, PartialDate, RelationKind, Sym, trim};

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The kind an entity gets when its file names none.
pub const DEFAULT_ENTITY_KIND: &str = "entity";

/// Where something is: a byte offset in the first file (XML formats, turned into
/// a line and column at the end), or a line and column already known in one of
/// the builder's files (CSV tables, `file` indexing them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pos {
    Byte(u64),
    LineCol {
        file: usize,
        line: usize,
        col: usize,
    },
}

/// What one node or edge of a file says, in the file's own words: boxed,
/// as it is handed from the reader to the builder and back (a record is a
/// few hundred bytes, moved several times on its way where a box is eight).
pub(crate) type Record = Box<RecordData>;

/// A record's text: held in the record itself up to 24 bytes (ids, kinds,
/// dates, most values), so that a record is one block to fill, hand on and
/// read, not a dozen strings each its own allocation.
pub(crate) type Text = compact_str::CompactString;

/// Bytes a [`Text`] holds without an allocation.
pub(crate) const INLINE: usize = std::mem::size_of::<Text>();

/// The fields of a [`Record`].
#[derive(Debug, Clone, Default)]
pub(crate) struct RecordData {
    pub id: Text,
    /// An edge's ends.
    pub from: Text,
    pub to: Text,
    pub name: Option<Text>,
    /// A display label, used as the name when there is no name (and as an
    /// edge's kind when it has none).
    pub label: Option<Text>,
    pub kind: Option<Text>,
    pub role: Option<Text>,
    pub aliases: Vec<Text>,
    pub date: Option<Text>,
    pub until: Option<Text>,
    pub note: Option<Text>,
    pub amount: Option<Text>,
    pub currency: Option<Text>,
    pub approx: bool,
    pub sources: Vec<Text>,
    pub relation_id: Option<Text>,
    pub attrs: Vec<(Text, Text)>,
    pub undirected: bool,
    /// `date` and `until` read as dates on the reader's thread
    /// ([`RecordData::read_facts`]: both dates, or empty), for the builder
    /// to take as they are; `None` when not read there, or when one is not
    /// a date (the builder then reads both, telling the problem).
    pub dates: Option<[Option<PartialDate>; 2]>,
    /// `amount` read as a number on the reader's thread, when it is one
    /// and there is a currency ([`RecordData::read_facts`]).
    pub amount_value: Option<f64>,
}

/// What a value's name makes it (see [`Record::set`]): worked out once for
/// a declared key, not for every value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Field {
    /// `attr_NAME`: the attribute `NAME`.
    Prefixed,
    Name,
    Label,
    /// `type`: a direction, or else a kind.
    Type,
    /// `kind`, `rel_type`.
    Kind,
    Role,
    Aliases,
    Date,
    Until,
    Note,
    Amount,
    Currency,
    Approx,
    Sources,
    RelationId,
    Undirected,
    /// An attribute under its own name.
    #[default]
    Other,
}

impl Field {
    pub fn of(key: &str) -> Field {
        if key.trim().starts_with(ATTR_PREFIX) {
            return Field::Prefixed;
        }
        // The key in lower case, on the stack (every field's name is short).
        let trimmed = key.trim().as_bytes();
        let mut lower = [0u8; 16];
        let lower = match lower.get_mut(..trimmed.len()) {
            Some(l) => {
                l.copy_from_slice(trimmed);
                l.make_ascii_lowercase();
                &*l
            }
            None => &[],
        };
        match lower {
            b"name" => Field::Name,
            b"label" => Field::Label,
            b"type" => Field::Type,
            b"kind" | b"rel_type" => Field::Kind,
            b"role" => Field::Role,
            b"aliases" | b"alias" => Field::Aliases,
            b"date" => Field::Date,
            b"until" => Field::Until,
            b"note" => Field::Note,
            b"amount" => Field::Amount,
            b"currency" => Field::Currency,
            b"approx" => Field::Approx,
            b"sources" | b"source_ids" => Field::Sources,
            b"relation_id" => Field::RelationId,
            b"undirected" => Field::Undirected,
            _ => Field::Other,
        }
    }
}

impl RecordData {
    /// The field a value of `field` fills when it is one a value simply
    /// takes, replacing any before (the one place that says which:
    /// [`RecordData::set_field`] puts values there through it, and
    /// [`Sink::set_field`] writes into an empty one in place): not a list,
    /// a flag, an attribute, a `type` (a direction or a kind) or a kind when
    /// there is one already.
    pub fn text_slot(&mut self, field: Field) -> Option<&mut Option<Text>> {
        Some(match field {
            Field::Name => &mut self.name,
            Field::Label => &mut self.label,
            Field::Kind if self.kind.is_none() => &mut self.kind,
            Field::Role => &mut self.role,
            Field::Date => &mut self.date,
            Field::Until => &mut self.until,
            Field::Note => &mut self.note,
            Field::Amount => &mut self.amount,
            Field::Currency => &mut self.currency,
            Field::RelationId => &mut self.relation_id,
            _ => return None,
        })
    }

    /// Files a value under the ties field its name stands for (`name`, `kind`,
    /// `date`, …), or keeps it as an attribute (`attr_NAME` as `NAME`, see
    /// [`attribute_name`]).
    pub fn set(&mut self, key: &str, value: Text) {
        self.set_field(Field::of(key), key, value);
    }

    /// [`Record::set`], with the field `key` names found already.
    pub fn set_field(&mut self, field: Field, key: &str, value: Text) {
        let yes = |v: &str| matches!(trim(v), "true" | "True" | "TRUE" | "1");
        match field {
            Field::Prefixed => {
                let name = key.trim().strip_prefix(ATTR_PREFIX).unwrap_or(key);
                self.attrs.push((name.into(), value));
            }
            // Gephi's edge table: `Type` says the direction, not the kind.
            Field::Type if trim(&value).eq_ignore_ascii_case("undirected") => {
                self.undirected = true
            }
            Field::Type if trim(&value).eq_ignore_ascii_case("directed") => {}
            Field::Type if self.kind.is_none() => self.kind = Some(value),
            Field::Aliases => split_into(value, &mut self.aliases),
            Field::Approx => self.approx = yes(&value),
            Field::Sources => split_into(value, &mut self.sources),
            Field::Undirected => self.undirected = yes(&value),
            // Name, label, a first kind, role, dates, note, amount,
            // currency, relation id: the value takes the field's place;
            // anything else (a second kind or type, any other name) is an
            // attribute.
            _ => match self.text_slot(field) {
                Some(slot) => *slot = Some(value),
                None => self.attrs.push((key.into(), value)),
            },
        }
    }
}

/// Spare strings and records a [`Sink`] keeps at most.
const SPARE: usize = 4096;

/// `s` as a [`Text`]: held inline when it is short enough, else in one of
/// `spare` (texts a reader is done with, emptied) when there is one.
pub(crate) fn reused_text(spare: &mut Vec<Text>, s: &str) -> Text {
    if s.len() <= INLINE {
        return Text::from(s);
    }
    // New texts room for most values, so that one filled again seldom grows.
    let mut out = spare
        .pop()
        .unwrap_or_else(|| Text::with_capacity(s.len().max(64)));
    out.push_str(s);
    out
}

/// `s` put in `t` (empty): written inline where `t` lies when it is short
/// enough ([`write_inline`]), else appended, so that a record's id keeps
/// the room a long one before it had.
#[inline]
pub(crate) fn put_text(t: &mut Text, s: &str) {
    if s.len() <= INLINE && !t.is_heap_allocated() {
        write_inline(t, s);
    } else {
        t.push_str(s);
    }
}

/// `s` (at most [`INLINE`] bytes) written into `t` (held inline) where it
/// lies, replacing what it held. `Text::from(s)` made the text on the
/// stack and then moved it into the record: its bytes read back right
/// after being written a few at a time, a load the processor cannot take
/// from the stores still in flight (a store-forwarding stall, most of the
/// time `reused_text` and `open_record` took at 1M entities, perf).
///
/// The bytes are written straight into the text's 24 bytes as compact_str
/// 0.9 holds a short string (its bytes, then in the last byte `0xC0` plus
/// the length, unless all 24 are the string's: a UTF-8 string's last byte is
/// below `0xC0`), not through `as_mut_bytes` and `set_len`, which check
/// the text's kind each time (4 % of the tokenizer's instructions, 100k
/// GraphML). `write_inline_is_compact_str_s_own` checks it for every length.
/// The bytes are copied in a few fixed-size moves ([`copy_short`]), not by
/// a call to `memcpy` (a third of its cost, 100k CSV).
#[inline]
pub(crate) fn write_inline(t: &mut Text, s: &str) {
    const _: () = assert!(INLINE == 24);
    // Callers check both; kept here so that no input can break the text.
    if s.len() > INLINE || t.is_heap_allocated() {
        *t = Text::from(s);
        return;
    }
    let n = s.len();
    let at = (t as *mut Text).cast::<u8>();
    // SAFETY: `Text` (`CompactString`, `repr(transparent)` over its 24-byte
    // `repr(C)` representation, compact_str pinned to 0.9.1 in Cargo.toml)
    // holds a string of up to 24 bytes inline as above; `t` is not on the
    // heap, so nothing is leaked by writing over it, and `s` is UTF-8 of at
    // most 24 bytes (checked above), which the text then holds.
    unsafe {
        copy_short(s.as_ptr(), at, n);
        if n < INLINE {
            *at.add(INLINE - 1) = 0xC0 | n as u8;
        }
    }
    debug_assert_eq!(t.as_str(), s);
}

/// Copies the `n` bytes (at most 24) at `src` to `dst`, which do not
/// overlap, in two fixed-size moves that may overlap each other (the
/// first bytes, then the last), as `memcpy` copies a few bytes, without
/// the call.
///
/// # Safety
/// `src` is readable and `dst` writable for `n` bytes, `n <= 24`.
#[inline(always)]
unsafe fn copy_short(src: *const u8, dst: *mut u8, n: usize) {
    use std::ptr::{read_unaligned as get, write_unaligned as put};
    debug_assert!(n <= INLINE);
    // SAFETY: each move is within the first `n` bytes of both (the caller's
    // promise), as `n` is at least the move's size.
    unsafe {
        if n >= 16 {
            let (a, b) = (get(src.cast::<u128>()), get(src.add(n - 16).cast::<u128>()));
            put(dst.cast::<u128>(), a);
            put(dst.add(n - 16).cast::<u128>(), b);
        } else if n >= 8 {
            let (a, b) = (get(src.cast::<u64>()), get(src.add(n - 8).cast::<u64>()));
            put(dst.cast::<u64>(), a);
            put(dst.add(n - 8).cast::<u64>(), b);
        } else if n >= 4 {
            let (a, b) = (get(src.cast::<u32>()), get(src.add(n - 4).cast::<u32>()));
            put(dst.cast::<u32>(), a);
            put(dst.add(n - 4).cast::<u32>(), b);
        } else if n > 0 {
            let (a, m, z) = (*src, *src.add(n / 2), *src.add(n - 1));
            *dst = a;
            *dst.add(n / 2) = m;
            *dst.add(n - 1) = z;
        }
    }
}

/// Keeps `t`, emptied, in `spare` to be filled again ([`reused_text`]),
/// while `spare` holds fewer than `most`: only a text too long to be held
/// inline has an allocation worth keeping.
pub(crate) fn keep_text(spare: &mut Vec<Text>, mut t: Text, most: usize) {
    if t.is_heap_allocated() && spare.len() < most {
        t.clear();
        spare.push(t);
    }
}

impl RecordData {
    /// The fields that may hold a text (the ids, lists and attributes
    /// aside): what emptying a record goes through.
    /// Empties the optional texts (set to `None`) and the lists (aliases,
    /// sources, attributes; cleared, their room kept), handing each text to
    /// `give` first (which keeps those held on the heap to be filled again:
    /// an inline text needs no emptying, dropping it frees nothing).
    pub(crate) fn empty_extras(&mut self, give: &mut impl FnMut(&mut Text)) {
        for slot in self.optional_texts() {
            if let Some(t) = slot {
                give(t);
                *slot = None;
            }
        }
        self.aliases.iter_mut().for_each(&mut *give);
        self.aliases.clear();
        self.sources.iter_mut().for_each(&mut *give);
        self.sources.clear();
        for (k, v) in &mut self.attrs {
            give(k);
            give(v);
        }
        self.attrs.clear();
    }

    pub(crate) fn optional_texts(&mut self) -> [&mut Option<Text>; 10] {
        [
            &mut self.name,
            &mut self.label,
            &mut self.kind,
            &mut self.role,
            &mut self.date,
            &mut self.until,
            &mut self.note,
            &mut self.amount,
            &mut self.currency,
            &mut self.relation_id,
        ]
    }

    /// Reads `date`, `until` and `amount` as [`Builder::facts`] reads them,
    /// into [`RecordData::dates`] and [`RecordData::amount_value`]: on a
    /// reader's thread, where the builder's thread, the busier (CSV: two
    /// thirds of the load's time at 1M), would.
    pub(crate) fn read_facts(&mut self) {
        let day = |s: &Option<Text>| match s.as_deref().map(trim).filter(|s| !s.is_empty()) {
            None => Some(None),
            Some(s) => parse_date(s).ok().map(Some),
        };
        self.dates = day(&self.date).zip(day(&self.until)).map(|(d, u)| [d, u]);
        self.amount_value = match (&self.amount, &self.currency) {
            (Some(v), Some(c)) if !trim(c).is_empty() => trim(v).parse::<f64>().ok(),
            _ => None,
        };
    }

    /// The record emptied into `records`, its strings into `strings` (their
    /// allocations kept, to be filled again).
    fn recycle(mut self: Box<Self>, records: &mut Vec<Record>, strings: &mut Vec<Text>) {
        // Only the texts too long to be held inline have an allocation to
        // keep; the others are emptied where they lie.
        // An inline text needs no emptying: the lists are cleared and the
        // optional texts set to `None` below, and dropping it frees nothing.
        let mut give = |s: &mut Text| {
            if s.is_heap_allocated() {
                keep_text(strings, std::mem::take(s), SPARE);
            }
        };
        let r = &mut *self;
        r.empty_extras(&mut give);
        if records.len() < SPARE {
            r.id.clear();
            r.from.clear();
            r.to.clear();
            r.approx = false;
            r.undirected = false;
            r.dates = None;
            r.amount_value = None;
            records.push(self);
        }
    }
}

/// The items of a list `value` appended to `list` as [`list_items`] gives
/// them (split at each `;`, trimmed, empty ones dropped), each written by
/// `put` into a text pushed for it, not made a text of its own. The `;`
/// is looked for eight bytes at a time, where `split` called `memchr` for
/// each item.
#[inline]
pub(crate) fn put_items(list: &mut Vec<Text>, value: &str, mut put: impl FnMut(&mut Text, &str)) {
    let mut rest = value;
    loop {
        let (item, next) = match scan::find_byte(b';', rest.as_bytes()) {
            // A `;` (ASCII) is a character of its own: cut at a boundary.
            Some(k) => (&rest[..k], Some(&rest[k + 1..])),
            None => (rest, None),
        };
        let item = trim(item);
        if !item.is_empty() {
            list.push(Text::default());
            if let Some(t) = list.last_mut() {
                put(t, item);
            }
        }
        match next {
            Some(next) => rest = next,
            None => return,
        }
    }
}

/// `value`'s items (see [`list_items`]) appended to `out`: `value` itself
/// when it is one item with nothing to trim.
fn split_into(value: Text, out: &mut Vec<Text>) {
    if !value.contains(';') && trim(&value).len() == value.len() {
        if !value.is_empty() {
            out.push(value);
        }
    } else {
        out.extend(list_items(&value).map(Text::from));
    }
}

/// The items of a list value (`a; b;c`): split at `;`, trimmed, empty ones
/// dropped.
fn list_items(s: &str) -> impl Iterator<Item = &str> {
    s.split(';').map(trim).filter(|x| !x.is_empty())
}

/// A date as files write it: `2024`, `2024-11`, `2024-11-23`, a date-time
/// (`2024-11-23T10:00:00`, the time dropped) or `23-NOV-2024`.
pub(crate) fn parse_date(s: &str) -> Result<PartialDate, String> {
    if let Ok(d) = crate::model::date::parse_day(s) {
        return Ok(d);
    }
    let t = crate::model::date::day_part(s);
    // `18-MAR-2013`, as the Offshore Leaks tables write dates.
    let parts: Vec<&str> = t.split('-').collect();
    if let [d, m, y] = parts[..] {
        const MONTHS: [&str; 12] = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ];
        let month = MONTHS
            .iter()
            .position(|x| x.eq_ignore_ascii_case(m))
            .map(|i| i as u32 + 1);
        if let (Ok(d), Some(m), Ok(y)) = (d.parse::<u32>(), month, y.parse::<i32>())
            && let Some(date) = PartialDate::day(y, m, d)
        {
            return Ok(date);
        }
    }
    Err(format!(
        "`{s}` is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)"
    ))
}

/// An entity kind named by a file: a ties kind when the name is one (`Person`,
/// `party to`), otherwise a kind of its own.
pub(crate) fn entity_kind(graph: &mut Graph, label: Option<&str>) -> EntityKind<Sym> {
    let label = label.map(str::trim).filter(|l| !l.is_empty());
    let label = label.unwrap_or(DEFAULT_ENTITY_KIND);
    match EntityKind::<Sym>::from_label(&normalise(label)) {
        Some(k) => k,
        None => EntityKind::Other(graph.intern(label)),
    }
}

/// A relation kind named by a file (see [`entity_kind`]); none is `related_to`.
pub(crate) fn relation_kind(graph: &mut Graph, label: Option<&str>) -> RelationKind<Sym> {
    match label.map(str::trim).filter(|l| !l.is_empty()) {
        None => RelationKind::RelatedTo,
        Some(l) => match RelationKind::<Sym>::from_label(&normalise(l)) {
            Some(k) => k,
            None => RelationKind::Other(graph.intern(l)),
        },
    }
}

/// `Party To`, `party-to`, `PARTY_TO` → `party_to`.
fn normalise(label: &str) -> String {
    label
        .trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Whether two labels are the same once [`normalise`]d.
fn same_label(a: &str, b: &str) -> bool {
    // Byte by byte when both are ASCII (as kinds are), as `n` compares them.
    let (x, y) = (trim(a).as_bytes(), trim(b).as_bytes());
    if x.is_ascii() && y.is_ascii() {
        let n = |c: u8| match c {
            b' ' | b'-' => b'_',
            c => c.to_ascii_lowercase(),
        };
        return x.len() == y.len() && x.iter().zip(y).all(|(&p, &q)| n(p) == n(q));
    }
    fn n(s: &str) -> impl Iterator<Item = char> + '_ {
        s.trim().chars().map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
    }
    n(a).eq(n(b))
}

/// An edge waiting for its ends to be read: its record, where it is, and
/// its number among the file's edges (problems are told in that order).
struct PendingEdge {
    record: Record,
    at: Pos,
    seq: usize,
}

/// What a reader read: the graph, its notes, and the problems it worked
/// around (a duplicate id, a ragged row) as an error naming each, for
/// `--strict`.
pub struct Checked {
    pub graph: Graph,
    pub notes: Vec<String>,
    pub worked_around: Option<LoadError>,
}

/// How a reader builds its graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The file is parsed on one thread and built on another as it comes:
    /// a node at once, an edge as soon as both its ends are known (only an
    /// edge read before one of its nodes waits for the end).
    #[default]
    Streamed,
    /// One thread, every edge held to the end and built in file order: the
    /// way the readers first worked, kept as the oracle the streamed way is
    /// tested against (the same graph, problems and notes).
    Careful,
    /// [`Mode::Streamed`], the XML formats' fast tokenizer reading the file
    /// this many bytes at a time (tests make elements straddle blocks).
    Blocks(usize),
    /// [`Mode::Streamed`], the XML formats' file cut into chunks of about
    /// this many bytes, tokenized on several threads (see
    /// [`xml_format::Format::read_chunked`]; tests cut before every element).
    Chunks(usize),
}

impl Mode {
    /// How many bytes the XML formats' fast tokenizer reads at a time;
    /// `None` for [`Mode::Careful`], which reads with quick-xml.
    pub(crate) fn block(self) -> Option<usize> {
        match self {
            Mode::Streamed => Some(scan::BLOCK),
            Mode::Blocks(n) => Some(n),
            Mode::Chunks(_) => Some(scan::BLOCK),
            Mode::Careful => None,
        }
    }

    /// About how many bytes of an XML file of `size` bytes each thread
    /// tokenizes at a time; `None` when it is read on one thread.
    pub(crate) fn chunk(self, size: u64) -> Option<usize> {
        match self {
            Mode::Chunks(n) => Some(n.max(1)),
            // Chunks are tokenized on the cores the builder leaves: with
            // two, three busy threads took twice the CPU of the one-thread
            // tokenizer and the builder at 1M entities (BENCHMARKS.md,
            // issue 29 round 9), so only a machine with more reads in chunks.
            Mode::Streamed if size >= xml_format::CHUNKED_FROM && threads() >= 3 => {
                Some(xml_format::CHUNK)
            }
            _ => None,
        }
    }
}

/// Threads a reader may keep busy.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8))
}

/// Turns records into a graph, gathering problems and notes.
pub(crate) struct Builder {
    pub graph: Graph,
    /// Files read, the current one last.
    files: Vec<String>,
    problems: Vec<(Pos, ProblemKind)>,
    /// Problems of edges (a bad date), by edge number: told only when
    /// reading met no other problem, after those of the nodes, as when every
    /// edge waited for the end.
    edge_problems: Vec<(usize, Pos, ProblemKind)>,
    /// Problems worked around (the row left out), refused only under `--strict`.
    worked: Vec<(Pos, ProblemKind)>,
    /// Where each entity was defined, by node number (for duplicate ids).
    node_pos: Vec<Pos>,
    /// Edges waiting for an end (every edge, in [`Mode::Careful`]).
    edges: Vec<PendingEdge>,
    /// Edges read so far.
    edges_read: usize,
    /// Hold every edge to the end ([`Mode::Careful`]).
    hold_all: bool,
    /// The graph is full: no more edges are built.
    full: bool,
    self_loops: usize,
    /// Nodes made from edge ends: how many, and where the first few were.
    implicit: usize,
    implicit_first: Vec<(Pos, String)>,
    /// Kinds by the label a file gives them (a few labels, read millions of times).
    entity_kinds: FastMap<Box<str>, EntityKind<Sym>>,
    relation_kinds: FastMap<Box<str>, RelationKind<Sym>>,
    /// Edge labels, with the kind each was last met with and whether it
    /// only repeats that kind ([`Builder::label_is_kind`]).
    label_kinds: FastMap<Box<str>, (RelationKind<Sym>, bool)>,
    /// Sources added, by an id short enough to be held in the table itself
    /// ([`ShortIds`]): the graph's own map reads each key from the heap, a
    /// cache miss more per lookup when millions of rows cite thousands of
    /// sources.
    source_ids: ShortIds,
    /// A record's sources as the graph numbers them, filled again for each
    /// record (not a list made and freed for each).
    source_set: Vec<SourceId>,
    /// A copy of the graph's short ids, made when edges come and renewed as
    /// nodes are added (`node_ids_of`: the nodes it was made from): it holds
    /// each id whole, where the graph's index confirms each hit in the
    /// arena, two cache misses more per edge end.
    node_ids: ShortIds,
    node_ids_of: usize,
    /// The nodes the edges' ends of the items [`Builder::warm`] warmed
    /// name, where they were found then.
    warmed: Vec<[Option<NodeIx>; 2]>,
    /// The numbers of the sources of the items [`Builder::warm`] warmed,
    /// in order ([`NO_SOURCE`] where [`Builder::source_ids`] held none
    /// then), and where the next item's are.
    warmed_sources: Vec<u32>,
    sources_at: usize,
    /// Where in `warmed_sources` the sources of the record being taken
    /// are, while [`Builder::take_warmed`] takes it.
    warmed_for: Option<usize>,
    /// Currencies by the code a file gives (a few codes, read many times:
    /// found in the ISO table once each).
    currencies: FastMap<Box<str>, crate::model::amount::Currency>,
    /// Notes the reader adds itself.
    pub notes: Vec<String>,
    /// Make a node for an edge end no node names (an edge list without nodes).
    pub implicit_nodes: bool,
    /// Why such nodes were made, for the load note; and whether it names
    /// them (where they are the exception: GraphML, GEXF).
    pub implicit_why: &'static str,
    pub implicit_named: bool,
    /// No node can follow (a folder of edge tables): an end no node names
    /// is made a node as soon as an edge names it, not at the end.
    pub implicit_at_once: bool,
    /// On its own thread, the builder empties the records of each batch it
    /// took into one [`Item::Spare`] (the XML formats, whose one reading
    /// thread is the busier; CSV's readers empty their own).
    pub empty_records: bool,
}

impl Builder {
    pub fn new(path: &Path) -> Self {
        Builder {
            graph: Graph::default(),
            files: vec![path.display().to_string()],
            problems: Vec::new(),
            edge_problems: Vec::new(),
            worked: Vec::new(),
            node_pos: Vec::new(),
            edges: Vec::new(),
            edges_read: 0,
            hold_all: false,
            full: false,
            self_loops: 0,
            implicit: 0,
            implicit_first: Vec::new(),
            entity_kinds: FastMap::default(),
            relation_kinds: FastMap::default(),
            label_kinds: FastMap::default(),
            source_ids: ShortIds::default(),
            source_set: Vec::new(),
            node_ids: ShortIds::default(),
            node_ids_of: 0,
            warmed: Vec::new(),
            warmed_sources: Vec::new(),
            sources_at: 0,
            warmed_for: None,
            currencies: FastMap::default(),
            notes: Vec::new(),
            implicit_nodes: false,
            implicit_why: "as no node table names them",
            implicit_named: false,
            implicit_at_once: false,
            empty_records: false,
        }
    }

    /// A builder for a file of `bytes` bytes, its tables sized for about
    /// `bytes / per_entity` entities with three relations each.
    pub fn sized(path: &Path, bytes: u64, per_entity: u64) -> Self {
        let guess = (bytes / per_entity.max(1)) as usize;
        Builder {
            graph: Graph::with_capacity(guess, guess * 3),
            ..Builder::new(path)
        }
    }

    /// Starts reading another file of a folder; gives its number for [`Pos`].
    pub fn add_file(&mut self, path: &Path) -> usize {
        self.files.push(path.display().to_string());
        self.files.len() - 1
    }

    fn file_of(&self, at: Pos) -> &str {
        match at {
            Pos::Byte(_) => &self.files[0],
            Pos::LineCol { file, .. } => &self.files[file],
        }
    }

    /// The current file's name.
    fn file(&self) -> &str {
        self.files.last().map_or("", String::as_str)
    }

    pub fn problem(&mut self, at: Pos, kind: ProblemKind) {
        self.problems.push((at, kind));
    }

    /// A problem the load works around by leaving the row out: noted, and
    /// refused only under `--strict`.
    pub fn worked_around(&mut self, at: Pos, kind: ProblemKind) {
        self.worked.push((at, kind));
    }

    pub fn has_problems(&self) -> bool {
        !self.problems.is_empty()
    }

    /// Problems so far, positions resolved against the current file.
    pub fn into_error(self, path: &Path) -> LoadError {
        errors(self.problems, &self.files, path)
    }

    /// Brings what a batch's records will look up into the cache, all at
    /// once: the id index's slots of their ids, then the relation lists of
    /// the edges' ends already known (one at a time, these cache misses are
    /// most of the builder's time on a large graph).
    fn warm(&mut self, batch: &[Item]) {
        // The records, written on another core, and then their sources:
        // asked for all at once, not met one by one below (their first
        // touch, a cache miss and then another for the sources, was most
        // of `warm`'s own time at 1M CSV, perf).
        for item in batch {
            if let Item::Node(r, _) | Item::Edge(r, _) = item {
                prefetch(&**r);
            }
        }
        for item in batch {
            if let Item::Node(r, _) | Item::Edge(r, _) = item
                && let Some(first) = r.sources.first()
            {
                prefetch(first);
            }
        }
        // The nodes' slots, where they are added; the edges' ends are
        // warmed by their lookups below.
        let ids = batch.iter().filter_map(|item| match item {
            Item::Node(r, _) => Some(trim(&r.id)),
            _ => None,
        });
        self.graph.warm_ids(ids);
        // The records' sources and the edges' ends, gathered in plain loops
        // (a `flat_map` of them cost more than the lookups).
        let mut sources: Vec<&[u8]> = Vec::with_capacity(batch.len() * 2);
        let mut ends: Vec<&str> = Vec::with_capacity(batch.len() * 2);
        for item in batch {
            match item {
                Item::Node(r, _) => sources.extend(r.sources.iter().map(|s| s.as_bytes())),
                Item::Edge(r, _) => {
                    sources.extend(r.sources.iter().map(|s| s.as_bytes()));
                    ends.push(trim(&r.from));
                    ends.push(trim(&r.to));
                }
                _ => {}
            }
        }
        // The sources' numbers, found all at once (each hashed once, not
        // prefetched here and hashed again when its record is built): a
        // source added since is looked for again by `sources`.
        let mut found_sources = std::mem::take(&mut self.warmed_sources);
        found_sources.clear();
        self.source_ids
            .find_all(sources.into_iter(), NO_SOURCE, &mut found_sources);
        self.warmed_sources = found_sources;
        self.sources_at = 0;
        let nodes = self.graph.node_count();
        if !ends.is_empty() && nodes >= 1024 && nodes > self.node_ids_of + self.node_ids_of / 4 {
            self.node_ids = self.graph.short_ids();
            self.node_ids_of = nodes;
        }
        // Found in the copy, or else (a long id, or a node added since) in
        // the graph: a node found keeps its id, so both answer alike.
        let mut short = Vec::with_capacity(ends.len());
        self.node_ids
            .find_all(ends.iter().map(|e| e.as_bytes()), NO_NODE, &mut short);
        let mut rest: Vec<&str> = Vec::new();
        for (e, &n) in ends.iter().zip(&short) {
            if n == NO_NODE {
                rest.push(e);
            }
        }
        let mut in_graph = Vec::with_capacity(rest.len());
        if !rest.is_empty() {
            self.graph.find_all(&rest, &mut in_graph);
        }
        let mut in_graph = in_graph.into_iter();
        let mut short = short.into_iter();
        let mut found = || match short.next() {
            Some(NO_NODE) | None => in_graph.next().flatten(),
            Some(n) => Some(NodeIx::new(n as usize)),
        };
        let mut warmed = std::mem::take(&mut self.warmed);
        warmed.clear();
        let mut known = Vec::with_capacity(ends.len());
        for item in batch {
            let pair = match item {
                Item::Edge(..) => [found(), found()],
                _ => [None, None],
            };
            known.extend(pair.into_iter().flatten());
            warmed.push(pair);
        }
        self.graph.warm_nodes(known.into_iter());
        self.warmed = warmed;
    }

    /// [`Builder::take`] for item `i` of those last warmed.
    fn take_warmed(&mut self, item: &mut Item, i: usize) {
        // A record's sources are the next in `warmed_sources`.
        if let Item::Node(r, _) | Item::Edge(r, _) = item {
            self.warmed_for = Some(self.sources_at);
            self.sources_at += r.sources.len();
        }
        match item {
            Item::Edge(r, at) => {
                let found = self.warmed.get(i).copied().unwrap_or_default();
                self.edge_found(r, *at, found);
            }
            _ => self.take(item),
        }
        self.warmed_for = None;
    }

    /// Takes one item a reader sent through a [`Sink`] (leaving
    /// [`Item::Done`], and the record to be freed where it was made).
    fn take(&mut self, item: &mut Item) {
        match item {
            Item::Node(r, at) => self.node_in(r, *at),
            Item::Edge(r, at) => self.edge_in(r, *at),
            Item::Done | Item::Spare(..) => {}
            Item::Problem(..) | Item::Worked(..) | Item::Note(_) => {
                match std::mem::replace(item, Item::Done) {
                    Item::Problem(at, kind) => self.problem(at, kind),
                    Item::Worked(at, kind) => self.worked_around(at, kind),
                    Item::Note(note) => self.notes.push(note),
                    _ => {}
                }
            }
        }
    }
}

/// Not found, in [`Builder::node_ids`]'s answers.
const NO_NODE: u32 = u32::MAX;

/// Not found, in [`Builder::warmed_sources`].
const NO_SOURCE: u32 = u32::MAX;

/// What a reader hands the builder through a [`Sink`].
pub(crate) enum Item {
    Node(Record, Pos),
    Edge(Record, Pos),
    Problem(Pos, ProblemKind),
    Worked(Pos, ProblemKind),
    Note(String),
    /// Taken by the builder.
    Done,
    /// The records of a batch the builder took, emptied on its thread, and
    /// their strings: for the reader to fill again ([`Sink::absorb`]).
    Spare(Vec<Record>, Vec<Text>),
}

/// Items sent to the builder's thread at a time.
const BATCH: usize = 2048;

/// Items whose lookups the builder brings into the cache at a time (see
/// [`Builder::warm`]): few enough that what they read stays there.
const WARM: usize = 256;

/// The same for the XML formats, whose records come back to be filled
/// again: fewer at a time keeps them in the cache (a 1M-entity GraphML
/// file takes a third less time than in batches of 2048).
pub(crate) const XML_BATCH: usize = 256;

/// Where a reader puts what it reads: the builder itself ([`Mode::Careful`]),
/// or batches sent to the builder's thread ([`Mode::Streamed`]).
pub(crate) struct Sink<'b> {
    to: To<'b>,
    /// Records and strings the builder is done with, emptied, for the
    /// reader to fill again ([`Sink::record`], [`Sink::text`]): cheaper than
    /// freeing and allocating millions.
    records: Vec<Record>,
    strings: Vec<Text>,
}

enum To<'b> {
    Builder(&'b mut Builder),
    /// Kept, for another thread to hand on ([`in_order`]).
    Collect(Vec<Item>),
    Thread {
        batch: Vec<Item>,
        /// Items sent at a time.
        len: usize,
        tx: Option<SyncSender<Vec<Item>>>,
        /// Batches the builder is done with, to be freed here (where their
        /// records were made: cheaper for the allocator than on its thread)
        /// and filled again.
        back: Receiver<Vec<Item>>,
    },
}

impl<'b> Sink<'b> {
    fn new(to: To<'b>) -> Self {
        Sink {
            to,
            records: Vec::new(),
            strings: Vec::new(),
        }
    }

    /// A sink keeping what it is given, for [`in_order`]'s workers.
    fn collect() -> Sink<'static> {
        Sink::new(To::Collect(Vec::new()))
    }

    /// Takes back the records of `items` (a batch the builder is done
    /// with), to be filled again, leaving `items` empty.
    fn refill(&mut self, items: &mut Vec<Item>) {
        for item in items.drain(..) {
            take_back(item, &mut self.records, &mut self.strings);
        }
    }

    /// What a collecting sink kept, swapped for `items`.
    fn swap_collected(&mut self, items: &mut Vec<Item>) {
        if let To::Collect(kept) = &mut self.to {
            std::mem::swap(kept, items);
        }
    }

    /// An empty record (one the builder is done with, when there is one).
    pub fn record(&mut self) -> Record {
        let r = self.records.pop().unwrap_or_default();
        // The next one, last touched on the builder's thread, is most
        // often out of the cache: fetched now, while this one is filled.
        if let Some(next) = self.records.last() {
            prefetch(&**next);
        }
        r
    }

    /// `s` as an owned string (in one the builder is done with, when there
    /// is one).
    pub fn text(&mut self, s: &str) -> Text {
        reused_text(&mut self.strings, s)
    }

    /// [`Record::set_field`] with `value` copied into strings the builder
    /// is done with ([`Sink::text`]): a list's items each in one, not in
    /// strings made for them.
    pub fn set_field(&mut self, r: &mut Record, field: Field, key: &str, value: &str) {
        let list = match field {
            Field::Aliases => &mut r.aliases,
            Field::Sources => &mut r.sources,
            _ => {
                if let Some(slot @ None) = r.text_slot(field) {
                    return self.put(slot.insert(Text::default()), value);
                }
                let value = self.text(value);
                return r.set_field(field, key, value);
            }
        };
        put_items(list, value, |t, item| self.put(t, item));
    }

    /// `s` put in `t` (empty, inline) where it lies: inline when it is
    /// short enough ([`write_inline`]), else in a string the builder is
    /// done with ([`Sink::text`]).
    pub fn put(&mut self, t: &mut Text, s: &str) {
        if s.len() <= INLINE {
            write_inline(t, s);
        } else {
            *t = self.text(s);
        }
    }

    /// A string the reader is done with, to be filled again.
    pub fn give(&mut self, s: Option<Text>) {
        if let Some(s) = s {
            keep_text(&mut self.strings, s, SPARE);
        }
    }

    fn push(&mut self, item: Item) {
        let Sink {
            to,
            records,
            strings,
        } = self;
        match to {
            To::Builder(b) => {
                let mut item = item;
                b.take(&mut item);
            }
            To::Collect(kept) => kept.push(item),
            To::Thread {
                batch,
                len,
                tx,
                back,
            } => {
                batch.push(item);
                if batch.len() >= *len {
                    let fresh = match back.try_recv() {
                        Ok(mut old) => {
                            for item in old.drain(..) {
                                take_back(item, records, strings);
                            }
                            old
                        }
                        Err(_) => Vec::with_capacity(*len),
                    };
                    let full = std::mem::replace(batch, fresh);
                    // A builder that stopped (it panicked) takes nothing more;
                    // the panic is raised when it is joined.
                    if tx.as_ref().is_some_and(|tx| tx.send(full).is_err()) {
                        *tx = None;
                    }
                }
            }
        }
    }

    /// Sends what is left and closes the channel.
    fn close(&mut self) {
        if let To::Thread { batch, tx, .. } = &mut self.to
            && let Some(tx) = tx.take()
            && !batch.is_empty()
        {
            let _ = tx.send(std::mem::take(batch));
        }
    }

    /// Adds the entity a node record describes.
    pub fn node(&mut self, r: Record, at: Pos) {
        self.push(Item::Node(r, at));
    }

    /// Adds an edge once both its ends are known (see [`Mode`]).
    pub fn edge(&mut self, r: Record, at: Pos) {
        self.push(Item::Edge(r, at));
    }

    /// A problem: the load fails, naming it.
    pub fn problem(&mut self, at: Pos, kind: ProblemKind) {
        self.push(Item::Problem(at, kind));
    }

    /// A note of the reader's, told after the load.
    pub fn note(&mut self, note: String) {
        self.push(Item::Note(note));
    }

    /// Hands the builder `items` at once (after any pushed one by one);
    /// gives back a batch the builder is done with, if there is one, for its
    /// records to be filled again (their text reused, not freed and made
    /// again).
    pub fn batch(&mut self, mut items: Vec<Item>) -> Option<Vec<Item>> {
        match &mut self.to {
            To::Builder(b) => {
                for item in &mut items {
                    b.take(item);
                }
                Some(items)
            }
            To::Collect(kept) => {
                kept.append(&mut items);
                Some(items)
            }
            To::Thread {
                batch, tx, back, ..
            } => {
                for full in [std::mem::take(batch), items] {
                    if !full.is_empty() && tx.as_ref().is_some_and(|tx| tx.send(full).is_err()) {
                        *tx = None;
                    }
                }
                back.try_recv().ok()
            }
        }
    }
}

/// Asks for the cache lines `at` lies in, not waiting for them.
#[inline(always)]
fn prefetch<T>(at: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let p = (at as *const T).cast::<i8>();
        for line in (0..std::mem::size_of::<T>()).step_by(64) {
            // SAFETY: a prefetch only hints the cache, and `line` is
            // within `at`.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(p.add(line)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

/// The records and strings of `item`, from a batch the builder is done
/// with, kept in `records` and `strings` to be filled again.
fn take_back(item: Item, records: &mut Vec<Record>, strings: &mut Vec<Text>) {
    match item {
        Item::Node(r, _) | Item::Edge(r, _) => r.recycle(records, strings),
        Item::Spare(rs, ss) => {
            keep(rs, records);
            keep(ss, strings);
        }
        _ => {}
    }
}

/// `spare` added to `mine`, up to [`SPARE`]: most often `mine` is empty and
/// takes `spare` whole (nothing moved).
fn keep<T>(mut spare: Vec<T>, mine: &mut Vec<T>) {
    if mine.is_empty() {
        *mine = spare;
    } else {
        spare.truncate(SPARE.saturating_sub(mine.len()));
        mine.append(&mut spare);
    }
}

/// `batch`, which the builder took, its records emptied here on the
/// builder's thread (not on the reader's, whose thread is the busier) into
/// one [`Item::Spare`].
fn spent(mut batch: Vec<Item>) -> Vec<Item> {
    let mut records = Vec::with_capacity(batch.len());
    let mut strings = Vec::with_capacity(batch.len() * 4);
    for item in batch.drain(..) {
        if let Item::Node(r, _) | Item::Edge(r, _) = item {
            r.recycle(&mut records, &mut strings);
        }
    }
    batch.push(Item::Spare(records, strings));
    batch
}

/// Runs `read` with a [`Sink`] into `b`: in [`Mode::Streamed`], `read` on
/// this thread and the builder on another, taking batches as they come; in
/// [`Mode::Careful`] (or when no thread can be started), both here, every
/// edge held to the end.
pub(crate) fn stream<T>(b: &mut Builder, mode: Mode, read: impl FnOnce(&mut Sink<'_>) -> T) -> T {
    stream_in(b, mode, BATCH, read)
}

/// [`stream`], `batch` items sent to the builder at a time.
pub(crate) fn stream_in<T>(
    b: &mut Builder,
    mode: Mode,
    batch: usize,
    read: impl FnOnce(&mut Sink<'_>) -> T,
) -> T {
    if mode == Mode::Careful {
        b.hold_all = true;
        return read(&mut Sink::new(To::Builder(b)));
    }
    let shared = Mutex::new(b);
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<Vec<Item>>(4);
        let (back_tx, back) = channel::<Vec<Item>>();
        let shared = &shared;
        let builder = std::thread::Builder::new()
            .name("ties-build".into())
            .spawn_scoped(scope, move || {
                let mut b = shared.lock().unwrap_or_else(PoisonError::into_inner);
                for mut batch in rx {
                    for part in batch.chunks_mut(WARM) {
                        b.warm(part);
                        for (i, item) in part.iter_mut().enumerate() {
                            b.take_warmed(item, i);
                        }
                    }
                    let batch = if b.empty_records { spent(batch) } else { batch };
                    let _ = back_tx.send(batch);
                }
            });
        let Ok(builder) = builder else {
            let mut b = shared.lock().unwrap_or_else(PoisonError::into_inner);
            return read(&mut Sink::new(To::Builder(&mut b)));
        };
        let mut sink = Sink::new(To::Thread {
            batch: Vec::with_capacity(batch),
            len: batch,
            tx: Some(tx),
            back,
        });
        let out = read(&mut sink);
        sink.close();
        if let Err(panic) = builder.join() {
            std::panic::resume_unwind(panic);
        }
        out
    })
}

/// Jobs `next` fills (a batch of CSV rows, a chunk of an XML file), done
/// by `work` on `threads` threads into items, each thread with its own
/// `W` (records and text to fill again), the items handed to `b` in the
/// order `next` filled the jobs; each job done is shown to `done` (in the
/// order they finish) and filled again. `next` says whether to send the job
/// it filled, and whether more follow. Batches the builder is done with go
/// back to `work` with the next job, their records to be filled again.
pub(crate) fn in_order<J: Default + Send, W: Default>(
    b: &mut Sink<'_>,
    threads: usize,
    next: &mut dyn FnMut(&mut J) -> (bool, bool),
    work: &(dyn Fn(&mut J, &mut Vec<Item>, &mut W) + Sync),
    done: &mut dyn FnMut(&mut J),
) {
    use std::collections::BTreeMap;
    use std::sync::Arc;
    std::thread::scope(|scope| {
        let (work_tx, work_rx) = sync_channel::<(u64, J, Vec<Item>)>(threads * 2);
        let work_rx = Arc::new(Mutex::new(work_rx));
        let (done_tx, done_rx) = channel::<(u64, Vec<Item>, J)>();
        for _ in 0..threads {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            let spawned = std::thread::Builder::new()
                .name("ties-read".into())
                .spawn_scoped(scope, move || {
                    let mut mine = W::default();
                    loop {
                        let job = work_rx.lock().map(|rx| rx.recv());
                        let Ok(Ok((seq, mut job, material))) = job else {
                            break;
                        };
                        let mut items = material;
                        work(&mut job, &mut items, &mut mine);
                        if done_tx.send((seq, items, job)).is_err() {
                            break;
                        }
                    }
                });
            if spawned.is_err() {
                break;
            }
        }
        // The threads' handles only: with none left, sending fails.
        drop(work_rx);
        drop(done_tx);
        let mut waiting: BTreeMap<u64, Vec<Item>> = BTreeMap::new();
        let mut spare: Vec<J> = Vec::new();
        let (mut sent, mut taken) = (0u64, 0u64);
        // Batches the builder is done with, their records to be filled again.
        let mut spent: Vec<Vec<Item>> = Vec::new();
        // Takes one job done, and hands on every batch now next in order.
        let mut take = |b: &mut Sink<'_>,
                        spare: &mut Vec<J>,
                        spent: &mut Vec<Vec<Item>>,
                        taken: &mut u64|
         -> bool {
            let Ok((seq, items, mut job)) = done_rx.recv() else {
                return false;
            };
            done(&mut job);
            spare.push(job);
            waiting.insert(seq, items);
            while let Some(items) = waiting.remove(taken) {
                spent.extend(b.batch(items));
                *taken += 1;
            }
            true
        };
        loop {
            let mut job = spare.pop().unwrap_or_default();
            let (send, more) = next(&mut job);
            if send {
                let material = spent.pop().unwrap_or_default();
                if work_tx.send((sent, job, material)).is_err() {
                    break;
                }
                sent += 1;
            }
            if !more {
                break;
            }
            // At most two jobs a thread in flight.
            while sent - taken >= threads as u64 * 2 {
                if !take(b, &mut spare, &mut spent, &mut taken) {
                    break;
                }
            }
        }
        drop(work_tx);
        while taken < sent {
            if !take(b, &mut spare, &mut spent, &mut taken) {
                break;
            }
        }
    });
}

/// `problems` as an error, positions resolved against `path` (byte positions)
/// or the file each names.
fn errors(problems: Vec<(Pos, ProblemKind)>, files: &[String], path: &Path) -> LoadError {
    {
        // A duplicate's first definition at byte `b` is held as line 0, column `b`.
        let first_byte = |k: &ProblemKind| match k {
            ProblemKind::DuplicateId { first, .. } => match first.line_col {
                Some((0, b)) => Some(b as u64),
                _ => None,
            },
            _ => None,
        };
        let mut offsets: Vec<u64> = problems
            .iter()
            .flat_map(|(p, k)| {
                let at = match p {
                    Pos::Byte(b) => Some(*b),
                    Pos::LineCol { .. } => None,
                };
                at.into_iter().chain(first_byte(k))
            })
            .collect();
        let table = line_cols(path, &mut offsets);
        LoadError {
            problems: problems
                .into_iter()
                .map(|(at, mut kind)| {
                    let file = match at {
                        Pos::Byte(_) => files[0].clone(),
                        Pos::LineCol { file, .. } => files[file].clone(),
                    };
                    if let Some(b) = first_byte(&kind)
                        && let ProblemKind::DuplicateId { first, .. } = &mut kind
                    {
                        first.line_col = Some(resolve(Pos::Byte(b), &table));
                    }
                    Problem {
                        location: Location {
                            file,
                            line_col: Some(resolve(at, &table)),
                        },
                        kind,
                    }
                })
                .collect(),
        }
    }
}

impl Builder {
    fn sources(&mut self, ids: &[Text]) -> SourceSet {
        // The numbers `warm` found for these ids, if it warmed this record.
        let warmed = self.warmed_for.take();
        if ids.is_empty() {
            return SourceSet::EMPTY;
        }
        let found = |this: &Self, k: usize, id: &Text| match warmed {
            Some(at) => match this.warmed_sources.get(at + k) {
                Some(&NO_SOURCE) | None => this.source_ids.find(id.as_bytes()),
                Some(&n) => Some(n),
            },
            None => this.source_ids.find(id.as_bytes()),
        };
        // A record citing one source met before, as most do: its set is
        // the source's number, with no list for the graph to look at.
        if let [id] = ids
            && let Some(n) = found(self, 0, id)
            && let Some(one) = SourceSet::one(SourceId(n))
        {
            return one;
        }
        let mut set = std::mem::take(&mut self.source_set);
        set.clear();
        for (k, id) in ids.iter().enumerate() {
            if let Some(n) = found(self, k, id) {
                set.push(SourceId(n));
                continue;
            }
            let sid = match self.graph.find_source(id) {
                Some(s) => s,
                None => match self.graph.add_source(Source {
                    id: id.as_str().into(),
                    outlet: "".into(),
                    title: id.as_str().into(),
                    published: None,
                    file: self.file().into(),
                    // A source cited by its address is a link to follow.
                    url: (id.starts_with("https://") || id.starts_with("http://"))
                        .then(|| id.as_str().into()),
                }) {
                    Some(s) => s,
                    None => continue,
                },
            };
            self.source_ids.insert(id.as_bytes(), sid.0);
            set.push(sid);
        }
        let sources = self.graph.source_set(&set);
        self.source_set = set;
        sources
    }

    /// The dates and amount of a record, or a problem (`owner` names the
    /// record in it).
    #[allow(clippy::type_complexity)]
    fn facts(
        &mut self,
        r: &mut Record,
        owner: &dyn Fn() -> String,
        at: Pos,
    ) -> Option<(Option<PartialDate>, Option<PartialDate>, Option<Amount>)> {
        let mut ok = true;
        let mut date_of = |this: &mut Self, s: &Option<Text>, field: &'static str| match s
            .as_deref()
            .map(trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => match parse_date(s) {
                Ok(d) => Some(d),
                Err(message) => {
                    ok = false;
                    this.problem(
                        at,
                        ProblemKind::BadDate {
                            owner: owner(),
                            field,
                            message,
                        },
                    );
                    None
                }
            },
        };
        // Read on the reader's thread, when they were.
        let (date, until) = match r.dates {
            Some([date, until]) => (date, until),
            None => (
                date_of(self, &r.date, "date"),
                date_of(self, &r.until, "until"),
            ),
        };
        if let (Some(d), Some(u)) = (date, until)
            && u.last_day() < d.first_day()
        {
            ok = false;
            self.problem(
                at,
                ProblemKind::UntilBeforeDate {
                    owner: owner(),
                    date: d.to_string(),
                    until: u.to_string(),
                },
            );
        }
        // The strings stay in the record, to be freed (or filled again)
        // where it was made.
        let amount = match (r.amount.take(), r.currency.take()) {
            (Some(v), Some(c)) if !trim(&v).is_empty() && !trim(&c).is_empty() => {
                let value = match r.amount_value {
                    Some(value) => Ok(value),
                    None => trim(&v).parse::<f64>().map_err(|_| ()),
                };
                let made = match value {
                    Err(_) => Err(format!("`{v}` is not a number")),
                    // As `Amount::from_record` makes it.
                    Ok(value) => self.amount(value, &c, r.approx),
                };
                r.currency = Some(c);
                r.amount = Some(v);
                match made {
                    Ok(a) => Some(a),
                    Err(message) => {
                        ok = false;
                        self.problem(
                            at,
                            ProblemKind::BadAmount {
                                owner: owner(),
                                message,
                            },
                        );
                        None
                    }
                }
            }
            // A figure without a currency (a weight, a count) is kept as it is.
            (v, c) => {
                r.attrs.extend(v.map(|v| ("amount".into(), v)));
                r.attrs.extend(c.map(|c| ("currency".into(), c)));
                None
            }
        };
        ok.then_some((date, until, amount))
    }

    /// [`Amount::new`], its currency found by its code once
    /// ([`Builder::currencies`]); its problem as a message.
    fn amount(&mut self, value: f64, given: &str, approx: bool) -> Result<Amount, String> {
        let currencies = &mut self.currencies;
        let find = |code: &str| {
            if let Some(&c) = currencies.get(code) {
                return Some(c);
            }
            let c = crate::model::amount::Currency::from_code(code);
            if let Some(c) = c {
                currencies.insert(code.into(), c);
            }
            c
        };
        Amount::new_by(value, given, approx, find).map_err(|e| e.to_string())
    }

    /// The record's attributes that have a value, their names interned.
    fn attrs<'r>(&mut self, attrs: &'r [(Text, Text)]) -> Vec<(Sym, &'r str)> {
        attrs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (self.graph.intern(k), v.as_str()))
            .collect()
    }

    /// The entity kind a label names (see [`entity_kind`]), remembered.
    fn entity_kind(&mut self, label: Option<&str>) -> EntityKind<Sym> {
        let label = label.unwrap_or("");
        if let Some(&k) = self.entity_kinds.get(label) {
            return k;
        }
        let k = entity_kind(&mut self.graph, Some(label));
        self.entity_kinds.insert(label.into(), k);
        k
    }

    /// The relation kind a label names (see [`relation_kind`]), remembered.
    fn relation_kind(&mut self, label: Option<&str>) -> RelationKind<Sym> {
        let label = label.unwrap_or("");
        if let Some(&k) = self.relation_kinds.get(label) {
            return k;
        }
        let k = relation_kind(&mut self.graph, Some(label));
        self.relation_kinds.insert(label.into(), k);
        k
    }

    /// Whether an edge's `label` only repeats its `kind` ([`same_label`]),
    /// remembered by label: a few labels, each with its kind, compared
    /// character by character for every edge cost more than the rest of
    /// building its relation but adding it.
    fn label_is_kind(&mut self, label: &str, kind: RelationKind<Sym>) -> bool {
        if let Some(&(k, same)) = self.label_kinds.get(label)
            && k == kind
        {
            return same;
        }
        let same = same_label(label, self.graph.relation_kind_label(kind));
        if self.label_kinds.len() < SPARE {
            self.label_kinds.insert(label.into(), (kind, same));
        }
        same
    }

    /// Adds the entity a node record describes (the record left to be freed
    /// by its caller).
    fn node_in(&mut self, r: &mut Record, at: Pos) {
        let id = std::mem::take(&mut r.id);
        self.node_with_id(r, trim(&id), at);
        r.id = id;
    }

    fn node_with_id(&mut self, r: &mut Record, id: &str, at: Pos) {
        if id.is_empty() {
            self.problem(at, ProblemKind::EmptyId { what: "node" });
            return;
        }
        let owner = || format!("node `{id}`");
        let Some((date, until, amount)) = self.facts(r, &owner, at) else {
            return;
        };
        if let (Some(n), Some(l)) = (r.name.as_deref(), r.label.as_deref())
            && trim(n) != trim(l)
            && !trim(l).is_empty()
        {
            let l = l.into();
            r.attrs.push(("label".into(), l));
        }
        let kind = self.entity_kind(r.kind.as_deref());
        let sources = self.sources(&r.sources);
        let attrs = self.attrs(&r.attrs);
        let name = [r.name.as_deref(), r.label.as_deref()]
            .into_iter()
            .flatten()
            .map(trim)
            .find(|s| !s.is_empty())
            .unwrap_or(id);
        // A few aliases (as most nodes have) listed on the stack, not in a
        // list made and freed for each node.
        let (mut few, mut many) = ([""; 4], Vec::new());
        let aliases: &[&str] = if r.aliases.len() <= few.len() {
            let mut n = 0;
            for a in r.aliases.iter().map(Text::as_str).filter(|a| *a != name) {
                few[n] = a;
                n += 1;
            }
            &few[..n]
        } else {
            many.extend(r.aliases.iter().map(Text::as_str).filter(|a| *a != name));
            &many
        };
        let entity = NewEntity {
            aliases,
            date,
            until,
            note: r.note.as_deref().filter(|n| !n.is_empty()),
            amount,
            attrs: &attrs,
            ..NewEntity::new(id, kind, name, sources)
        };
        match self.graph.add_entity(entity) {
            Ok(_) => self.node_pos.push(at),
            Err(AddError::Duplicate(first)) => {
                let first = self.node_pos[first.index()];
                self.worked_around(
                    at,
                    ProblemKind::DuplicateId {
                        what: "node",
                        id: id.to_string(),
                        // A byte position is resolved in `into_error`.
                        first: Location {
                            file: self.file_of(first).to_string(),
                            line_col: match first {
                                Pos::LineCol { line, col, .. } => Some((line, col)),
                                Pos::Byte(b) => Some((0, b as usize)),
                            },
                        },
                    },
                );
            }
            Err(AddError::Full(full)) => self.problem(at, ProblemKind::TooLarge(full)),
        }
    }

    /// Adds an edge once both its ends are known (see [`Mode`]), taking the
    /// record when it must wait.
    fn edge_in(&mut self, r: &mut Record, at: Pos) {
        self.edge_found(r, at, [None, None]);
    }

    /// [`Builder::edge_in`], with the nodes of the ends found already (a node
    /// found stays the one its id names; one not found is looked for again).
    fn edge_found(&mut self, r: &mut Record, at: Pos, found: [Option<NodeIx>; 2]) {
        let seq = self.edges_read;
        self.edges_read += 1;
        if !self.hold_all {
            // An end no node names yet waits for the nodes still to come.
            let ends = match found {
                [Some(a), Some(b)] => [Some(a), Some(b)],
                _ => self.ends(r, at, self.implicit_at_once),
            };
            if let [Some(from), Some(to)] = ends {
                return self.build_edge(r, at, seq, from, to);
            }
        }
        self.edges.push(PendingEdge {
            record: std::mem::take(r),
            at,
            seq,
        });
    }

    /// The nodes an edge's ends name, made (if `make`) where the reader makes
    /// nodes no node record names.
    fn ends(&mut self, r: &Record, at: Pos, make: bool) -> [Option<NodeIx>; 2] {
        let mut ends = [None, None];
        for (slot, id) in ends.iter_mut().zip([trim(&r.from), trim(&r.to)]) {
            *slot = self.graph.find(id);
            if slot.is_none() && make && self.implicit_nodes && !id.is_empty() {
                let kind = self.entity_kind(None);
                if let Ok(n) =
                    self.graph
                        .add_entity(NewEntity::<String>::new(id, kind, id, SourceSet::EMPTY))
                {
                    self.node_pos.push(at);
                    self.implicit += 1;
                    if self.implicit_first.len() < 10 {
                        self.implicit_first.push((at, id.to_string()));
                    }
                    *slot = Some(n);
                }
            }
        }
        ends
    }

    /// Adds the relation edge number `seq` describes, between `from` and
    /// `to` (the record left to be freed by its caller).
    fn build_edge(&mut self, r: &mut Record, at: Pos, seq: usize, from: NodeIx, to: NodeIx) {
        if self.full {
            return;
        }
        if from == to {
            self.self_loops += 1;
        }
        let ends = (std::mem::take(&mut r.from), std::mem::take(&mut r.to));
        self.build_edge_between(r, (&ends.0, &ends.1), at, seq, (from, to));
        (r.from, r.to) = ends;
    }

    fn build_edge_between(
        &mut self,
        r: &mut Record,
        (a, b): (&str, &str),
        at: Pos,
        seq: usize,
        (from, to): (NodeIx, NodeIx),
    ) {
        let owner = || format!("edge {} → {}", a.trim(), b.trim());
        let before = self.problems.len();
        let facts = self.facts(r, &owner, at);
        if self.problems.len() > before {
            let found: Vec<_> = self.problems.drain(before..).collect();
            self.edge_problems
                .extend(found.into_iter().map(|(p, k)| (seq, p, k)));
        }
        let Some((date, until, amount)) = facts else {
            return;
        };
        let kind = self.relation_kind(r.kind.as_deref().or(r.label.as_deref()));
        // A label that only repeats the kind (`holds office`) says nothing more.
        if r.kind.is_some()
            && let Some(label) = r.label.as_deref()
            && !self.label_is_kind(label, kind)
            && let Some(label) = r.label.take()
        {
            r.attrs.push(("label".into(), label));
        }
        let role = r
            .role
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| self.graph.intern(s));
        let sources = self.sources(&r.sources);
        let attrs = self.attrs(&r.attrs);
        let relation = NewRelation {
            id: r.relation_id.as_deref().filter(|s| !s.is_empty()),
            role,
            date,
            until,
            amount,
            note: r.note.as_deref().filter(|n| !n.is_empty()),
            attrs: &attrs,
            undirected: r.undirected,
            ..NewRelation::new(kind, sources)
        };
        if let Err(full) = self.graph.add_relation(from, to, relation) {
            self.edge_problems
                .push((seq, at, ProblemKind::TooLarge(full)));
            self.full = true;
        }
    }

    /// Adds the edges still waiting, and gives the graph and its notes or
    /// every problem found.
    /// `path` is the file byte positions are counted in.
    /// The problems worked around are noted, and given as an error for
    /// `--strict`.
    pub fn finish_checked(mut self, path: &Path) -> Result<Checked, LoadError> {
        let mut missing: Vec<(Pos, String)> = Vec::new();
        for PendingEdge {
            mut record,
            at,
            seq,
        } in std::mem::take(&mut self.edges)
        {
            let r = &mut record;
            let ends = self.ends(r, at, true);
            let [Some(from), Some(to)] = ends else {
                let id = if ends[0].is_none() { &r.from } else { &r.to };
                missing.push((at, id.to_string()));
                continue;
            };
            self.build_edge(r, at, seq, from, to);
        }
        // Edges' problems in file order, after the nodes' (as when every
        // edge waited for the end).
        let mut edge_problems = std::mem::take(&mut self.edge_problems);
        edge_problems.sort_by_key(|p| p.0);
        self.problems
            .extend(edge_problems.into_iter().map(|(_, at, kind)| (at, kind)));
        if self.has_problems() {
            return Err(self.into_error(path));
        }
        let implicit_first = std::mem::take(&mut self.implicit_first);
        let mut offsets: Vec<u64> = missing
            .iter()
            .chain(&implicit_first)
            .map(|m| m.0)
            .filter_map(|p| match p {
                Pos::Byte(b) => Some(b),
                Pos::LineCol { .. } => None,
            })
            .collect();
        let table = line_cols(path, &mut offsets);
        let files = &self.files;
        let lines = |ps: &mut dyn Iterator<Item = Pos>| -> String {
            let mut v: Vec<String> = ps
                .take(10)
                .map(|p| {
                    let line = resolve(p, &table).0;
                    match p {
                        // A folder's tables: name the file.
                        Pos::LineCol { file, .. } if files.len() > 1 => {
                            let name = Path::new(&files[file])
                                .file_name()
                                .map(|n| n.to_string_lossy().to_string())
                                .unwrap_or_default();
                            format!("{name}:{line}")
                        }
                        _ => line.to_string(),
                    }
                })
                .collect();
            v.dedup();
            v.join(", ")
        };
        let mut notes = std::mem::take(&mut self.notes);
        if !missing.is_empty() {
            let ids: HashSet<&str> = missing.iter().map(|m| m.1.as_str()).collect();
            let mut ids: Vec<&str> = ids.into_iter().collect();
            ids.sort();
            ids.truncate(5);
            notes.push(format!(
                "{} edge{} whose ends are missing {} skipped (no node `{}`…): line{} {}{}",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                if missing.len() == 1 { "was" } else { "were" },
                ids.join("`, `"),
                if missing.len() == 1 { "" } else { "s" },
                lines(&mut missing.iter().map(|m| m.0)),
                if missing.len() > 10 { ", …" } else { "" },
            ));
        }
        if self.self_loops > 0 {
            notes.push(format!(
                "{} from a node to itself kept (a loop, as networkx, Gephi and Neo4j keep it)",
                crate::model::count(self.self_loops, "edge"),
            ));
        }
        let implicit = self.implicit;
        if implicit > 0 && !self.implicit_named {
            notes.push(format!(
                "{implicit} nodes were made from edge ends, {}",
                self.implicit_why
            ));
        } else if implicit > 0 {
            let ids: Vec<&str> = implicit_first
                .iter()
                .take(5)
                .map(|m| m.1.as_str())
                .collect();
            notes.push(format!(
                "{} made from edge ends, {} (`{}`{}): line{} {}{}",
                if implicit == 1 {
                    "1 node was".to_string()
                } else {
                    format!("{implicit} nodes were")
                },
                self.implicit_why,
                ids.join("`, `"),
                if implicit > 5 { ", …" } else { "" },
                if implicit == 1 { "" } else { "s" },
                lines(&mut implicit_first.iter().map(|m| m.0)),
                if implicit > 10 { ", …" } else { "" },
            ));
        }
        let worked = std::mem::take(&mut self.worked);
        let worked_around = (!worked.is_empty()).then(|| errors(worked, &self.files, path));
        if let Some(e) = &worked_around {
            let dups = e
                .problems
                .iter()
                .filter(|p| matches!(p.kind, ProblemKind::DuplicateId { .. }))
                .count();
            let rows = e.problems.len() - dups;
            let at = |dup: bool| {
                e.problems
                    .iter()
                    .filter(|p| matches!(p.kind, ProblemKind::DuplicateId { .. }) == dup)
                    .take(5)
                    .map(|p| p.location.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if dups > 0 {
                notes.push(format!(
                    "{} repeating an earlier id left out (the first kept; --strict refuses): {}",
                    crate::model::count(dups, "node"),
                    at(true)
                ));
            }
            if rows > 0 {
                notes.push(format!(
                    "{} not as long as the header left out (--strict refuses): {}",
                    crate::model::count(rows, "row"),
                    at(false)
                ));
            }
        }
        let mut graph = self.graph;
        graph.shrink_to_fit();
        Ok(Checked {
            graph,
            notes,
            worked_around,
        })
    }
}

/// The error for a file that cannot be opened.
pub(crate) fn open_error(path: &Path, e: std::io::Error) -> LoadError {
    let kind = if e.kind() == std::io::ErrorKind::NotFound {
        ProblemKind::NotFound
    } else {
        ProblemKind::Io(e.to_string())
    };
    LoadError::single(path.display().to_string(), kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_inline_copies_every_byte_to_its_place() {
        let abc = "abcdefghijklmnopqrstuvwx";
        for n in 0..=INLINE {
            let mut t = Text::from("?");
            write_inline(&mut t, &abc[..n]);
            assert_eq!(t, abc[..n]);
        }
    }

    proptest::proptest! {
        /// A list value is split into the items [`list_items`] gives.
        #[test]
        fn sink_splits_a_list_as_list_items_does(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", ";", " ", "\t", "Ü", "s001123", "; ", "x y", "twenty-five bytes, and more",
            ]), 0..12),
        ) {
            let value = parts.concat();
            let mut sink = Sink::collect();
            let mut r = Record::default();
            sink.set_field(&mut r, Field::Sources, "sources", &value);
            let got: Vec<&str> = r.sources.iter().map(|t| t.as_str()).collect();
            proptest::prop_assert_eq!(got, list_items(&value).collect::<Vec<_>>());
        }
    }

    #[test]
    fn write_inline_is_compact_str_s_own() {
        let texts = ["", "a", "é", "aé", "ü€", "€😀", "😀"];
        for one in texts {
            for n in 0..=INLINE {
                // Strings of every length up to 24, ending in a character
                // of 1 to 4 bytes.
                let s: String = std::iter::repeat_n('x', n).chain(one.chars()).collect();
                if s.len() > INLINE {
                    continue;
                }
                for before in ["", "old", "twenty-four bytes, full!"] {
                    let mut t = Text::from(before);
                    write_inline(&mut t, &s);
                    assert_eq!(t, Text::from(s.as_str()));
                    assert_eq!(
                        (t.as_str(), t.len(), t.is_heap_allocated()),
                        (&*s, s.len(), false)
                    );
                    t.push('!');
                    assert_eq!(t, format!("{s}!"));
                }
            }
        }
    }

    #[test]
    fn the_quick_trim_trims_as_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{b}a\u{b}",
            "\u{a0}ü\u{3000}",
            "n-1",
            "\tx\r\n",
            "~",
            "é",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn texts_written_in_place_are_the_texts() {
        let mut sink = Sink::collect();
        let long = "ü".repeat(20);
        for s in [
            "",
            "a",
            "n-1",
            "0123456789abcdefghijklmn",
            "ü€ab",
            "ééééééééééé€",
            &long,
        ] {
            let mut t = Text::default();
            sink.put(&mut t, s);
            assert_eq!(t, s);
            let mut id = Text::from("a long id held on the heap, not inline");
            id.clear();
            put_text(&mut id, s);
            assert_eq!(id, s);
            if s.len() <= INLINE {
                let mut t = Text::from("old");
                write_inline(&mut t, s);
                assert_eq!((t.as_str(), t.is_heap_allocated()), (s, false));
            }
        }
        // A value filed in place is filed as `set_field` files it.
        let mut r = Record::default();
        sink.set_field(&mut r, Field::Kind, "kind", "person");
        sink.set_field(&mut r, Field::Kind, "kind", "other");
        sink.set_field(&mut r, Field::Sources, "sources", "s1; s2;;s3");
        assert_eq!(r.kind.as_deref(), Some("person"));
        assert_eq!(r.attrs, [("kind".into(), "other".into())]);
        assert_eq!(r.sources, ["s1", "s2", "s3"]);
    }

    #[test]
    fn dates_in_the_forms_files_use() {
        assert_eq!(parse_date("2024").unwrap().to_string(), "2024");
        assert_eq!(
            parse_date("2024-11-23T10:00:00").unwrap().to_string(),
            "2024-11-23"
        );
        assert_eq!(parse_date("18-MAR-2013").unwrap().to_string(), "2013-03-18");
        assert!(parse_date("soon").is_err());
    }

    proptest::proptest! {
        /// A record's sources are the set the graph makes of them, whether
        /// the builder took a source met before as a set of one itself or
        /// asked the graph for it.
        #[test]
        fn one_source_sets_are_the_graphs(
            lists in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::sample::select(vec!["s1", "s2", "s3", "https://x", "a long source id, not inline"]),
                    0..4,
                ),
                0..40,
            ),
        ) {
            let mut b = Builder::new(Path::new("t"));
            for list in &lists {
                let ids: Vec<Text> = list.iter().map(|&s| Text::from(s)).collect();
                let set = b.sources(&ids);
                let got: Vec<&str> = (b.graph.source_list(set).iter())
                    .map(|&id| &*b.graph.source(id).id)
                    .collect();
                let mut want: Vec<&str> = Vec::new();
                for id in list {
                    if !want.contains(id) {
                        want.push(id);
                    }
                }
                proptest::prop_assert_eq!(&got, &want);
                if let [id] = list[..] {
                    let sid = b.graph.find_source(id).unwrap();
                    proptest::prop_assert_eq!(b.graph.source_set(&[sid]), set);
                }
            }
        }
    }

    proptest::proptest! {
        /// Whether an edge's label repeats its kind, as remembered by label,
        /// is what `same_label` says of them, whatever labels and kinds come
        /// before (a label met again with another kind too).
        #[test]
        fn a_label_remembered_repeats_its_kind_as_same_label_says(
            edges in proptest::collection::vec(
                (
                    proptest::sample::select(vec![
                        "party to", "Party_To", "party-to", "PARTY TO ", "finances",
                        "x kind", "x-kind", "X_KIND", "located in", "other", "",
                    ]),
                    proptest::sample::select(vec![
                        "party_to", "finances", "x-kind", "x kind", "located_in", "owns", "",
                    ]),
                ),
                0..40,
            ),
        ) {
            let mut b = Builder::new(Path::new("t"));
            for (label, kind) in edges {
                let kind = b.relation_kind(Some(kind));
                let want = same_label(label, b.graph.relation_kind_label(kind));
                proptest::prop_assert_eq!(b.label_is_kind(label, kind), want);
            }
        }

        /// An amount made with its currency found once is the one
        /// `Amount::new` makes, or the same problem.
        #[test]
        fn amounts_with_currencies_remembered_are_amount_new(
            amounts in proptest::collection::vec(
                (
                    proptest::sample::select(vec![
                        0.0, 12.5, -3.0, f64::NAN, f64::INFINITY, 1e300,
                    ]),
                    proptest::sample::select(vec![
                        "EUR", " EUR ", "eur", "USD", "QQQ", "", " ", "UAH\t",
                    ]),
                    proptest::bool::ANY,
                ),
                0..30,
            ),
        ) {
            let mut b = Builder::new(Path::new("t"));
            for (value, code, approx) in amounts {
                let want = Amount::new(value, code, approx).map_err(|e| e.to_string());
                let got = b.amount(value, code, approx);
                proptest::prop_assert_eq!(format!("{got:?}"), format!("{want:?}"));
            }
        }

        /// A record's dates and amount read on the reader's thread
        /// (`read_facts`) are the facts the builder reads itself, with the
        /// same problems (a date that is not one, an end before the start,
        /// an amount that is not a number), and leave the record as it was.
        #[test]
        fn facts_read_on_the_readers_thread_are_the_builders(
            records in proptest::collection::vec(
                (
                    proptest::option::of(proptest::sample::select(vec![
                        "2024", "2024-11", "2024-11-23", " 2023-02-01 ", "2024-11-23T10:00:00",
                        "18-MAR-2013", "2024-13", "2024-02-30", "soon", "", " ", "1999-12-31",
                    ])),
                    proptest::option::of(proptest::sample::select(vec![
                        "2025", "2020-01", "2023-02-01", "x", "", "\t", "2024-11-23",
                    ])),
                    proptest::option::of(proptest::sample::select(vec![
                        "7000", " 12.5 ", "-3", "NaN", "inf", "1e400", "abc", "", "0x10", "1,5",
                    ])),
                    proptest::option::of(proptest::sample::select(vec![
                        "EUR", " usd ", "QQQ", "", " ",
                    ])),
                    proptest::bool::ANY,
                ),
                1..20,
            ),
        ) {
            let (mut before, mut after) = (Builder::new(Path::new("t")), Builder::new(Path::new("t")));
            let at = Pos::Byte(0);
            let owner = || "it".to_string();
            for (date, until, amount, currency, approx) in records {
                let mut r = Record::new(RecordData {
                    date: date.map(Text::from),
                    until: until.map(Text::from),
                    amount: amount.map(Text::from),
                    currency: currency.map(Text::from),
                    approx,
                    ..Default::default()
                });
                let mut read = r.clone();
                read.read_facts();
                let want = before.facts(&mut r, &owner, at);
                let got = after.facts(&mut read, &owner, at);
                proptest::prop_assert_eq!(format!("{got:?}"), format!("{want:?}"));
                proptest::prop_assert_eq!(
                    format!("{:?}", (&read.date, &read.until, &read.amount, &read.currency, &read.attrs)),
                    format!("{:?}", (&r.date, &r.until, &r.amount, &r.currency, &r.attrs))
                );
            }
            proptest::prop_assert_eq!(format!("{:?}", after.problems), format!("{:?}", before.problems));
        }
    }

    #[test]
    fn kinds_map_to_ties_kinds_or_stay_custom() {
        let mut g = Graph::default();
        assert_eq!(entity_kind(&mut g, Some("Person")), EntityKind::Person);
        assert_eq!(
            relation_kind(&mut g, Some("PARTY_TO")),
            RelationKind::PartyTo
        );
        let k = relation_kind(&mut g, Some("officer_of"));
        assert_eq!(g.relation_kind_label(k), "officer_of");
        assert_eq!(relation_kind(&mut g, None), RelationKind::RelatedTo);
    }
}
