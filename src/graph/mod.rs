//! The in-memory knowledge graph: adjacency lists laid out as petgraph's
//! `Graph` lays them out, with petgraph's visit traits (`visit.rs`) so that its
//! algorithms run on it, and compact tables for what entities and relations say.
//!
//! Scale shapes the layout (a million entities must fit in a few hundred bytes
//! each, and a snapshot of them must load in a fraction of a second):
//!
//! - every string (ids, names, aliases, notes, attribute values) lives in one
//!   text arena and is referred to by a [`Text`] (offset and length);
//! - a row keeps only what most rows have: an entity is a fixed-size row of
//!   integers ([`EntityRow`], 28 bytes: the name follows the id in the
//!   arena, so only its length is kept, and the aliases follow the name,
//!   each after its length, so only their number is; kind and date in one word, as a
//!   relation's) in a table indexed like petgraph's
//!   nodes, its end date, amount and weak aliases in a side table
//!   ([`EntityRare`]); a relation's row ([`RelationRow`], 8 bytes: kind
//!   and date in one word ([`KindDate`]), sources) is the petgraph edge
//!   weight, its role, end date, amount, flags, attributes and where its
//!   extra is in sparse columns (`sparse.rs`: a bit per row, the values of
//!   the rows that have one), its id and note in the side table of extras;
//!   an entity's note and attributes are in its extra;
//! - kind names from the `other` escape, roles and attribute names are interned
//!   [`Sym`]s; the source list of a record is a [`SourceSet`]: one source in
//!   the number itself, a short list as its place and length in a pool of
//!   lists, a longer one with its length in the pool; amounts sit in a table
//!   of their own; a source list or a list of attributes that many records
//!   cite is stored once, each citing it where it is;
//! - the id index is an open-addressing table of node numbers that hashes the
//!   ids where they already are, in the arena;
//! - every table is plain rows ([`Store`]): built here, or used in place from a
//!   mapped snapshot.
//!
//! Readers get [`Entity`] and [`Relation`] views, built on the fly from a row;
//! petgraph's algorithms get the graph itself through its visit traits
//! (`visit.rs`).
//! Entities and relations are only ever added, so indices stay valid for the
//! graph's life.

mod build;
mod huge;
mod index;
mod merge;
mod read;
pub mod relid;
pub(crate) mod section;
mod slots;
mod sparse;
mod visit;

use std::borrow::Cow;
use std::collections::HashMap;

use bytemuck::{Pod, Zeroable};
use petgraph::Direction;
use petgraph::graph::{EdgeIndex, NodeIndex};

pub(crate) use self::build::source_list_key;
pub(crate) use self::huge::{prefetch, prefetch_all};
use self::index::{IN, IdIndex, Links, OUT, RareParts};
pub(crate) use self::index::{ShortIds, id_hash};
pub use self::merge::{Absorbed, dataset_of_path};
pub(crate) use self::slots::{end_words, short_key};
pub use self::visit::{AllRelations, NeighboursOf, NodeIds, NodeRefs, RelationRef, RelationsOf};
use crate::codec::Store;

use crate::model::{Amount, EntityKind, PartialDate, RelationKind, Sym};

pub type NodeIx = NodeIndex<u32>;
pub type EdgeIx = EdgeIndex<u32>;
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Index of a source in [`Graph::sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Pod, Zeroable)]
#[repr(transparent)]
pub struct SourceId(pub u32);

/// A list of sources. Most lists are short, so the number says what it can
/// without a table: one source is held in the number itself, a list of two or
/// three ids below 2¹⁶ says its length and where it starts in the graph's pool
/// of such lists (16 bits an id), and any other list where its length is
/// stored in the pool of source lists, before it (see [`SourceSet::decode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourceSet(pub u32);

impl SourceSet {
    /// No source.
    pub const EMPTY: SourceSet = SourceSet(u32::MAX);
    /// Top two bits `11`: one source, its id in the other 30 (`EMPTY` is
    /// never one: a source of that id is stored as a list).
    const ONE: u32 = 0b11 << 30;
    /// Top two bits `10`: two ids (three if [`Self::THREE`] is set) at the
    /// start in the other 29 bits, of the pool of 16-bit ids.
    const SHORT: u32 = 0b10 << 30;
    const THREE: u32 = 1 << 29;
    const SHORT_START: u32 = Self::THREE - 1;
    /// Top bit clear: the pool holds the list's length at the start, then the
    /// list.
    const COUNTED: u32 = 1 << 31;

    /// A set of one source, if its id fits: held in the number itself, the
    /// same in every graph.
    pub(crate) fn one(id: SourceId) -> Option<SourceSet> {
        (id.0 < (1 << 30) - 1).then_some(SourceSet(Self::ONE | id.0))
    }

    /// A set of two or three ids at `start` of the 16-bit pool, if `start`
    /// fits.
    fn short(start: usize, n: usize) -> Option<SourceSet> {
        let start = u32::try_from(start)
            .ok()
            .filter(|&s| s <= Self::SHORT_START)?;
        match n {
            2 => Some(SourceSet(Self::SHORT | start)),
            3 => Some(SourceSet(Self::SHORT | Self::THREE | start)),
            _ => None,
        }
    }

    /// A counted list at `start` of the pool, if `start` fits.
    fn counted(start: usize) -> Option<SourceSet> {
        u32::try_from(start)
            .ok()
            .filter(|&s| s < Self::COUNTED)
            .map(SourceSet)
    }

    /// What the number says: no source, one source, or a list in the pool
    /// (where it starts, and its length if the number holds it).
    fn decode(self) -> SourceSetIs {
        if self == Self::EMPTY {
            SourceSetIs::Empty
        } else if self.0 & Self::ONE == Self::ONE {
            SourceSetIs::One(SourceId(self.0 & !Self::ONE))
        } else if self.0 & Self::SHORT == Self::SHORT {
            let n = if self.0 & Self::THREE != 0 { 3 } else { 2 };
            SourceSetIs::Short((self.0 & Self::SHORT_START) as usize, n)
        } else {
            SourceSetIs::Counted(self.0 as usize)
        }
    }
}

/// See [`SourceSet::decode`].
enum SourceSetIs {
    Empty,
    One(SourceId),
    /// Start and length in the 16-bit pool.
    Short(usize, usize),
    /// Start of the length, then the list.
    Counted(usize),
}

/// The sources of a [`SourceSet`] ([`Graph::source_list`]), read as a slice:
/// a slice of the graph's tables, or the ids of a short list copied out of its
/// 16-bit pool.
#[derive(Debug, Clone, Copy)]
pub struct SourceList<'g> {
    long: &'g [SourceId],
    short: [SourceId; 3],
    /// Ids in `short`, 0 when the list is `long`.
    n: u8,
}

impl<'g> SourceList<'g> {
    fn long(ids: &'g [SourceId]) -> Self {
        SourceList {
            long: ids,
            short: [SourceId(0); 3],
            n: 0,
        }
    }

    /// Two or three ids (`None` for another number).
    fn short(ids: &[u16]) -> Option<Self> {
        let mut short = [SourceId(0); 3];
        match ids.len() {
            2 | 3 => {
                for (s, &id) in short.iter_mut().zip(ids) {
                    *s = SourceId(u32::from(id));
                }
                Some(SourceList {
                    long: &[],
                    short,
                    n: ids.len() as u8,
                })
            }
            _ => None,
        }
    }
}

impl std::ops::Deref for SourceList<'_> {
    type Target = [SourceId];

    #[inline]
    fn deref(&self) -> &[SourceId] {
        match self.n {
            0 => self.long,
            n => self.short.get(..n as usize).unwrap_or(&[]),
        }
    }
}

impl PartialEq for SourceList<'_> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for SourceList<'_> {}

impl<'g> IntoIterator for SourceList<'g> {
    type Item = SourceId;
    type IntoIter = SourceIter<'g>;

    fn into_iter(self) -> SourceIter<'g> {
        SourceIter { list: self, at: 0 }
    }
}

/// The ids of a [`SourceList`], in order.
#[derive(Debug, Clone)]
pub struct SourceIter<'g> {
    list: SourceList<'g>,
    at: usize,
}

impl Iterator for SourceIter<'_> {
    type Item = SourceId;

    fn next(&mut self) -> Option<SourceId> {
        let id = self.list.get(self.at).copied()?;
        self.at += 1;
        Some(id)
    }
}

/// Index of a dataset in [`Graph::dataset_names`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DatasetId(pub u32);

/// The datasets a row was read from: where its list starts in the graph's pool
/// of dataset lists; [`DatasetSet::DEFAULT`] for the graph's default dataset
/// (the one input a reader without datasets of its own read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DatasetSet(pub u32);

impl DatasetSet {
    /// The graph's default dataset ([`Graph::default_dataset`]), if it has one.
    pub const DEFAULT: DatasetSet = DatasetSet(u32::MAX);
}

/// The graph cannot grow: its text passed 4 GiB, or a table passed 2³² rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the graph is too large: its text would pass 4 GiB or a table 4 billion rows")]
pub struct GraphFull;

/// Why an entity was not added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AddError {
    #[error("an entity with this id exists")]
    Duplicate(NodeIx),
    #[error(transparent)]
    Full(#[from] GraphFull),
}

/// Where a string is in the text arena. `start == u32::MAX` is "no text".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Pod, Zeroable)]
#[repr(C)]
pub(crate) struct Text {
    start: u32,
    len: u32,
}

impl Text {
    const NONE: Text = Text {
        start: u32::MAX,
        len: 0,
    };

    fn is_none(self) -> bool {
        self.start == u32::MAX
    }
}

/// Marks "none" in an index column.
const NONE: u32 = u32::MAX;

/// An entity as stored (28 bytes). What few entities have (an end date, an
/// amount, weak aliases) is in an [`EntityRare`] of their own. Its aliases,
/// then its weak aliases, follow the name in the arena, each after its
/// length ([`Texts`]).
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
#[repr(C)]
pub(crate) struct EntityRow {
    id: Text,
    /// The name, which follows the id in the arena: its length (the low 24
    /// bits) and the number of aliases, which follow it (the high 8), or [`EntityRow::BIG`]
    /// when either does not fit: both are then in the graph's `big_rows`.
    name_aliases: u32,
    /// The kind's code and the start date ([`KindDate`]; a code the word
    /// cannot hold is in the graph's `other_kinds`).
    kind_date: KindDate,
    sources: u32,
    /// Index into the extras (note, attributes), or [`NONE`].
    extra: u32,
    /// Index into the rare parts, or [`NONE`].
    rare: u32,
}

impl EntityRow {
    /// [`EntityRow::name_aliases`] for a name or alias count too large for it.
    const BIG: u32 = u32::MAX;
    const NAME_BITS: u32 = 24;

    /// The packed name length and alias count, or [`Self::BIG`].
    fn pack(name_len: usize, n_aliases: usize) -> u32 {
        let max_len = (1 << Self::NAME_BITS) - 1;
        let max_n = (1 << (32 - Self::NAME_BITS)) - 1;
        if name_len < max_len && n_aliases < max_n {
            (name_len as u32) | ((n_aliases as u32) << Self::NAME_BITS)
        } else {
            Self::BIG
        }
    }

    /// Where the name starts: right after the id.
    fn name_start(&self) -> u32 {
        self.id.start.saturating_add(self.id.len)
    }
}

/// The parts of an entity that few have.
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
#[repr(C)]
pub(crate) struct EntityRare {
    /// [`PartialDate::to_bits`], 0 for none.
    until: u32,
    /// Index into the amounts, or [`NONE`].
    amount: u32,
    n_weak: u32,
}

impl EntityRare {
    const NONE: EntityRare = EntityRare {
        until: 0,
        amount: NONE,
        n_weak: 0,
    };
}

/// A kind's code and a start date in one word: the date in the low
/// [`KindDate::DATE_BITS`] bits (year, month and day; 0 for none), the kind's
/// code above them when it is below [`KindDate::ESCAPE`] (every known kind),
/// else `ESCAPE`, the code being kept elsewhere (a relation's in
/// [`Links::other_kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Pod, Zeroable)]
#[repr(transparent)]
pub(crate) struct KindDate(u32);

impl KindDate {
    const DATE_BITS: u32 = 23;
    const DATE_MASK: u32 = (1 << Self::DATE_BITS) - 1;
    pub(crate) const ESCAPE: u32 = (1 << (32 - Self::DATE_BITS)) - 1;

    /// The word for kind `code` and `date`, and the code when the word
    /// cannot hold it.
    fn new(code: u32, date: Option<PartialDate>) -> (KindDate, Option<u32>) {
        // A date's year is 1..=9999 (14 bits), its month 0..=12 (4) and its
        // day 0..=31 (5): see `PartialDate::to_bits`.
        let d = date.map_or(0, |d| {
            let b = d.to_bits();
            (b & 0xffff) << 9 | ((b >> 16) & 0xf) << 5 | ((b >> 24) & 0x1f)
        });
        if code < Self::ESCAPE {
            (KindDate(code << Self::DATE_BITS | d), None)
        } else {
            (KindDate(Self::ESCAPE << Self::DATE_BITS | d), Some(code))
        }
    }

    /// The date's bits as [`PartialDate::to_bits`] gives them, 0 for none.
    fn date_bits(self) -> u32 {
        let d = self.0 & Self::DATE_MASK;
        if d == 0 {
            return 0;
        }
        1 << 31 | (d & 0x1f) << 24 | ((d >> 5) & 0xf) << 16 | d >> 9
    }

    fn date(self) -> Option<PartialDate> {
        PartialDate::from_bits(self.date_bits())
    }

    /// The kind's code held here, or [`Self::ESCAPE`].
    fn code(self) -> u32 {
        self.0 >> Self::DATE_BITS
    }
}

/// A relation as stored: petgraph's edge weight.
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
#[repr(C)]
pub(crate) struct RelationRow {
    kind_date: KindDate,
    sources: u32,
}

/// A relation's flag (in [`Links::flags`]): the relation has no direction
/// (imported from an undirected GraphML, GEXF or CSV edge); its ends are in
/// file order only.
pub(crate) const RELATION_UNDIRECTED: u8 = 1;

/// A relation's flag: it keeps no id, its id being the one made of it
/// (`relid.rs`), its ends hashed `from` first.
pub(crate) const RELATION_MADE_ID: u8 = 2;

/// A relation's flag: as [`RELATION_MADE_ID`], its ends hashed `to` first.
pub(crate) const RELATION_MADE_ID_REV: u8 = 4;

impl Links {
    /// The kind and start date of relation `e`, whose row is `r` (see
    /// [`EntityRow::kind_date`]; the end date is in [`Links::until`]).
    fn kind_date(&self, e: usize, r: &RelationRow) -> (RelationKind<Sym>, Option<PartialDate>) {
        let code = match r.kind_date.code() {
            KindDate::ESCAPE => self.other_kind.get(e).unwrap_or(NONE),
            code => code,
        };
        (
            RelationKind::from_code(code, |s| Some(Sym(s))).unwrap_or(RelationKind::Concerns),
            r.kind_date.date(),
        )
    }
}

/// The parts of an entity or relation that few have (an entity's `id` is
/// [`Text::NONE`] here: its row holds it; a relation's attributes are in
/// [`Links::attrs`], its extra's list being empty).
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
#[repr(C)]
pub(crate) struct Extra {
    id: Text,
    note: Text,
    attrs: u32,
    n_attrs: u32,
    /// A [`DatasetSet`]: the datasets the row was read from (rows without an
    /// extra are in the graph's default dataset, [`DatasetSet::DEFAULT`]).
    datasets: u32,
}

/// Rows `entities[0]..entities[1]` and relations `relations[0]..relations[1]`
/// in the [`DatasetSet`] `set` (see [`Graph::set_datasets_of_rows`]).
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
#[repr(C)]
pub(crate) struct DatasetRun {
    entities: [u32; 2],
    relations: [u32; 2],
    set: u32,
}

/// An attribute: an interned name and a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub(crate) struct AttrRow {
    key: u32,
    value: Text,
}

/// A list of strings of the graph (an entity's aliases, say): `n` strings
/// one after the other in the arena, each after its length (LEB128; see
/// [`Arena::push_counted`]). A length that does not fit what follows reads as
/// an empty string, and so does every string after it (a snapshot's lists are
/// checked when it is read: see `section.rs`).
#[derive(Clone, Copy)]
pub struct Texts<'g> {
    /// The arena from the first string's length on.
    bytes: &'g [u8],
    n: usize,
}

impl<'g> Texts<'g> {
    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    pub fn get(&self, i: usize) -> Option<&'g str> {
        self.iter().nth(i)
    }

    pub fn first(&self) -> Option<&'g str> {
        self.get(0)
    }

    pub fn iter(&self) -> TextsIter<'g> {
        TextsIter {
            bytes: self.bytes,
            n: self.n,
        }
    }

    /// The bytes after the last string: where a list stored after this one
    /// starts; `None` if a length does not fit.
    fn rest(&self) -> Option<&'g [u8]> {
        let mut bytes = self.bytes;
        for _ in 0..self.n {
            bytes = counted_at(bytes)?.1;
        }
        Some(bytes)
    }

    /// Owned copies, in order.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }

    /// The strings joined by `sep`.
    pub fn join(&self, sep: &str) -> String {
        self.iter().collect::<Vec<_>>().join(sep)
    }
}

/// The string whose length (LEB128) opens `bytes`, and the bytes after it;
/// `None` if the length is malformed or runs past the end.
fn counted_at(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, n) = crate::codec::leb128::read(bytes)?;
    let rest = &bytes[n..];
    let len = Some(len as usize).filter(|&l| l <= rest.len())?;
    Some(rest.split_at(len))
}

/// Iterates over [`Texts`].
#[derive(Clone)]
pub struct TextsIter<'g> {
    bytes: &'g [u8],
    /// Strings left.
    n: usize,
}

impl<'g> Iterator for TextsIter<'g> {
    type Item = &'g str;

    fn next(&mut self) -> Option<&'g str> {
        self.n = self.n.checked_sub(1)?;
        let (text, rest) = counted_at(self.bytes).unwrap_or((&[], &[]));
        self.bytes = rest;
        Some(std::str::from_utf8(text).unwrap_or(""))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.n, Some(self.n))
    }
}

impl DoubleEndedIterator for TextsIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let last = self.n.checked_sub(1)?;
        let text = self.clone().nth(last);
        self.n = last;
        text
    }
}

impl ExactSizeIterator for TextsIter<'_> {}

impl<'g> IntoIterator for Texts<'g> {
    type Item = &'g str;
    type IntoIter = TextsIter<'g>;

    fn into_iter(self) -> TextsIter<'g> {
        self.iter()
    }
}

impl std::fmt::Debug for Texts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Name/value attributes of an entity or relation.
#[derive(Clone, Copy)]
pub struct Attrs<'g> {
    arena: &'g [u8],
    items: &'g [AttrRow],
}

impl<'g> Attrs<'g> {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The `i`th attribute.
    pub fn get(&self, i: usize) -> Option<(Sym, &'g str)> {
        self.items
            .get(i)
            .map(|a| (Sym(a.key), text_at(self.arena, a.value)))
    }

    /// `(name, value)` pairs in order; resolve names with [`Graph::sym`].
    pub fn iter(
        &self,
    ) -> impl DoubleEndedIterator<Item = (Sym, &'g str)> + ExactSizeIterator + Clone + 'g {
        let arena = self.arena;
        self.items
            .iter()
            .map(move |a| (Sym(a.key), text_at(arena, a.value)))
    }
}

impl std::fmt::Debug for Attrs<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The text `t` of `arena`: "" for none, or for a span that is not UTF-8 (the
/// arena is checked a string at a time, as it is read).
fn text_at(arena: &[u8], t: Text) -> &str {
    std::str::from_utf8(bytes_at(arena, t)).unwrap_or("")
}

fn bytes_at(arena: &[u8], t: Text) -> &[u8] {
    if t.is_none() {
        return &[];
    }
    let start = t.start as usize;
    arena
        .get(start..start.saturating_add(t.len as usize))
        .unwrap_or(&[])
}

fn opt_text(arena: &[u8], t: Text) -> Option<&str> {
    (!t.is_none()).then(|| text_at(arena, t))
}

/// A person, body, place, programme, agreement, event… as read from the graph.
#[derive(Debug, Clone, Copy)]
pub struct Entity<'g> {
    pub id: &'g str,
    pub kind: EntityKind<Sym>,
    pub name: &'g str,
    pub aliases: Texts<'g>,
    pub weak_aliases: Texts<'g>,
    pub date: Option<PartialDate>,
    pub until: Option<PartialDate>,
    pub note: Option<&'g str>,
    pub amount: Option<Amount>,
    pub sources: SourceSet,
    pub attrs: Attrs<'g>,
}

/// Where a relation's id is: kept, or made of the relation when asked for.
#[derive(Clone, Copy)]
enum RelId<'g> {
    None,
    Kept(&'g str),
    Made(&'g Graph, EdgeIx),
}

impl std::fmt::Debug for RelId<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RelId::None => f.write_str("None"),
            RelId::Kept(id) => write!(f, "{id:?}"),
            RelId::Made(g, e) => write!(f, "{:?} (made)", g.made_relation_id(*e)),
        }
    }
}

/// A typed, dated, sourced tie between two entities, as read from the graph.
#[derive(Debug, Clone, Copy)]
pub struct Relation<'g> {
    /// Its id ([`Relation::id`]).
    id: RelId<'g>,
    pub kind: RelationKind<Sym>,
    pub role: Option<Sym>,
    pub date: Option<PartialDate>,
    pub until: Option<PartialDate>,
    pub amount: Option<Amount>,
    pub sources: SourceSet,
    pub note: Option<&'g str>,
    pub attrs: Attrs<'g>,
    /// The relation has no direction: `from` and `to` are only the order it was
    /// read in (an undirected edge of an imported graph).
    pub undirected: bool,
}

impl<'g> Relation<'g> {
    /// The relation's id, if it has one: kept in the graph, or made of the
    /// relation (an id as `ties export --format ftm` makes them, read back:
    /// see `relid.rs`).
    pub fn id(&self) -> Option<Cow<'g, str>> {
        match self.id {
            RelId::None => None,
            RelId::Kept(id) => Some(Cow::Borrowed(id)),
            RelId::Made(g, e) => Some(Cow::Owned(g.made_relation_id(e))),
        }
    }

    /// Whether the relation keeps no id of its own, [`Self::id`] making it.
    pub fn id_is_made(&self) -> bool {
        matches!(self.id, RelId::Made(..))
    }

    /// This relation as one to add to another graph: its id `id` (its own,
    /// [`Self::id`], held by the caller), its kind and role
    /// through `sym` (this graph's symbol → the other's), its sources and
    /// attributes given already in the other graph's terms.
    pub fn carried<'a>(
        &self,
        id: Option<&'a str>,
        mut sym: impl FnMut(Sym) -> Sym,
        sources: SourceSet,
        attrs: &'a [(Sym, &'a str)],
    ) -> NewRelation<'a>
    where
        'g: 'a,
    {
        NewRelation {
            id,
            made_id: None,
            kind: self.kind.map_other(&mut sym),
            role: self.role.map(sym),
            date: self.date,
            until: self.until,
            amount: self.amount,
            sources,
            note: self.note,
            attrs,
            undirected: self.undirected,
        }
    }
}

/// An entity to add. `S` is how the caller holds its aliases.
#[derive(Debug, Clone, Copy)]
pub struct NewEntity<'a, S: AsRef<str> = String> {
    pub id: &'a str,
    pub kind: EntityKind<Sym>,
    pub name: &'a str,
    pub aliases: &'a [S],
    pub weak_aliases: &'a [S],
    pub date: Option<PartialDate>,
    pub until: Option<PartialDate>,
    pub note: Option<&'a str>,
    pub amount: Option<Amount>,
    pub sources: SourceSet,
    pub attrs: &'a [(Sym, &'a str)],
}

impl<'a, S: AsRef<str>> NewEntity<'a, S> {
    /// An entity with only an id, a kind and a name.
    pub fn new(id: &'a str, kind: EntityKind<Sym>, name: &'a str, sources: SourceSet) -> Self {
        NewEntity {
            id,
            kind,
            name,
            aliases: &[],
            weak_aliases: &[],
            date: None,
            until: None,
            note: None,
            amount: None,
            sources,
            attrs: &[],
        }
    }
}

/// A relation to add.
#[derive(Debug, Clone, Copy)]
pub struct NewRelation<'a> {
    pub id: Option<&'a str>,
    /// `Some(rev)`: the relation keeps no id (`id` is `None`), its id being
    /// the one made of it ([`relid::made_hash`]: its ends' ids, `to` first
    /// when `rev`, its kind, role and date), which the caller checked.
    pub made_id: Option<bool>,
    pub kind: RelationKind<Sym>,
    pub role: Option<Sym>,
    pub date: Option<PartialDate>,
    pub until: Option<PartialDate>,
    pub amount: Option<Amount>,
    pub sources: SourceSet,
    pub note: Option<&'a str>,
    pub attrs: &'a [(Sym, &'a str)],
    /// See [`Relation::undirected`].
    pub undirected: bool,
}

impl<'a> NewRelation<'a> {
    /// A relation with only a kind and sources.
    pub fn new(kind: RelationKind<Sym>, sources: SourceSet) -> Self {
        NewRelation {
            id: None,
            made_id: None,
            kind,
            role: None,
            date: None,
            until: None,
            amount: None,
            sources,
            note: None,
            attrs: &[],
            undirected: false,
        }
    }
}

/// A document facts come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub id: Box<str>,
    pub outlet: Box<str>,
    pub title: Box<str>,
    pub published: Option<PartialDate>,
    pub file: Box<str>,
    pub url: Option<Box<str>>,
}

/// Strings stored once and referred to by [`Sym`].
#[derive(Debug, Clone, Default)]
pub struct Interner {
    strings: Vec<Box<str>>,
    index: FastMap<Box<str>, Sym>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&sym) = self.index.get(s) {
            return sym;
        }
        let sym = Sym(self.strings.len() as u32);
        self.strings.push(s.into());
        self.index.insert(s.into(), sym);
        sym
    }

    pub fn get(&self, s: &str) -> Option<Sym> {
        self.index.get(s).copied()
    }

    pub fn resolve(&self, sym: Sym) -> &str {
        self.strings.get(sym.0 as usize).map_or("", |s| s)
    }

    pub fn len(&self) -> usize {
        self.strings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }
}

/// Every string of the graph, one after the other (UTF-8 each).
#[derive(Debug, Clone, Default)]
pub(crate) struct Arena {
    text: Store<u8>,
}

impl Arena {
    fn push(&mut self, s: &str) -> Result<Text, GraphFull> {
        let start = self.text.len();
        let end = start + s.len();
        // `u32::MAX` is kept free to mean "no text".
        if end >= u32::MAX as usize {
            return Err(GraphFull);
        }
        self.text.vec().extend_from_slice(s.as_bytes());
        Ok(Text {
            start: start as u32,
            len: s.len() as u32,
        })
    }

    /// Adds `s` after its length (LEB128), as a [`Texts`] reads it.
    fn push_counted(&mut self, s: &str) -> Result<(), GraphFull> {
        let n = crate::codec::leb128::len(s.len() as u64);
        // As `push`: `u32::MAX` stays free.
        if self.text.len() + n + s.len() >= u32::MAX as usize {
            return Err(GraphFull);
        }
        let text = self.text.vec();
        crate::codec::leb128::push(s.len() as u64, text);
        text.extend_from_slice(s.as_bytes());
        Ok(())
    }

    fn push_opt(&mut self, s: Option<&str>) -> Result<Text, GraphFull> {
        s.map_or(Ok(Text::NONE), |s| self.push(s))
    }

    fn bytes(&self, t: Text) -> &[u8] {
        bytes_at(&self.text, t)
    }

    /// Whether `t` lies in the arena as it is now (a text kept from before
    /// [`Graph::undo`] took the arena's end back may not).
    fn holds(&self, t: Text) -> bool {
        !t.is_none() && (t.start as usize).saturating_add(t.len as usize) <= self.text.len()
    }
}

/// The whole loaded graph.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    links: Links,
    entities: Store<EntityRow>,
    /// What few entities have ([`EntityRow::rare`]).
    entity_rare: Store<EntityRare>,
    /// `[node, name length, number of aliases]` of the rows whose
    /// [`EntityRow::name_aliases`] is [`EntityRow::BIG`], by node.
    big_rows: Store<[u32; 3]>,
    /// `[node, kind code]` of the rows whose [`KindDate`] cannot hold their
    /// kind's code (an `other` kind), by node.
    other_kinds: Store<[u32; 2]>,
    arena: Arena,
    attrs: Store<AttrRow>,
    amounts: Vec<Amount>,
    extras: Store<Extra>,
    ids: IdIndex,
    sources: Vec<Source>,
    source_ids: FastMap<Box<str>, SourceId>,
    /// Source lists of more than one source but not two or three ids below
    /// 2¹⁶, one after the other, each preceded by its length ([`SourceSet`]).
    source_lists: Store<SourceId>,
    /// Source lists of two or three ids below 2¹⁶, one after the other.
    short_lists: Store<u16>,
    /// Every source's id in order (`source_seq[i] == SourceId(i)`), so that a
    /// set of one source is a slice of it without a list of its own.
    source_seq: Vec<SourceId>,
    /// The last list added, to share it with the next record citing the same.
    last_sources: Option<SourceSet>,
    /// Its sources (compared here, not in the pools, where a list met again
    /// after many others is a cache miss).
    last_list: Vec<SourceId>,
    symbols: Interner,
    /// Dataset names, by [`DatasetId`].
    dataset_names: Vec<Box<str>>,
    /// Dataset lists, one after the other, each preceded by its length.
    dataset_lists: Store<u32>,
    /// The lists stored so far, to share them (not kept in a snapshot: a graph
    /// read from one stores a list again at worst).
    dataset_sets: FastMap<Box<[u32]>, DatasetSet>,
    /// Runs of rows read from one input together: a row in a run whose
    /// extra names no datasets is in the run's (one extra per row spared).
    dataset_runs: Vec<DatasetRun>,
    /// The dataset of rows stored with [`DatasetSet::DEFAULT`].
    default_dataset: Option<DatasetId>,
    /// Short attribute values added so far, to store a repeated one once
    /// (not kept in a snapshot: a graph read from one stores a value again).
    attr_texts: AttrTexts,
    /// Source lists and attribute lists stored so far, to store a repeated
    /// one once (not kept in a snapshot either).
    shared: Shared,
    /// The attribute values and lists stored last, what they hold kept with
    /// them (not in a snapshot either).
    recent: slots::Recent,
    /// Several inputs were opened as this graph: exports name every row's
    /// datasets, the default one's too (set by `open`, like the default).
    several_inputs: bool,
}

/// Short attribute values in the arena by their hash (xxh3), the first
/// [`AttrTexts::MAX_KEPT`] distinct ones.
#[derive(Debug, Clone, Default)]
struct AttrTexts(slots::HashSlots);

impl AttrTexts {
    /// Longer values are stored each time (seldom repeated, and a lookup
    /// would hash them).
    const MAX_LEN: usize = 40;
    /// Distinct values kept (those repeated most are met early).
    const MAX_KEPT: usize = 1 << 16;
}

/// Lists stored so far by the hash (xxh3) of their contents, the first
/// [`Shared::MAX_KEPT`] distinct ones of each sort: every hit is compared
/// with the list it names before that is shared (a table truncated since, by
/// [`Graph::undo`], holds other rows there, or none).
#[derive(Debug, Clone, Default)]
struct Shared {
    /// Source lists of more than one source ([`SourceSet`]s).
    sources: slots::HashSlots,
    /// Attribute lists: `start << 32 | length` in the graph's `attrs`.
    attrs: slots::HashSlots,
    /// Lists shared so far, of each sort.
    hits: [usize; 2],
}

impl Shared {
    /// Distinct lists kept, of each sort (those repeated most are met
    /// early).
    const MAX_KEPT: usize = 1 << 16;
    /// Lists kept before sharing must have paid: a graph whose lists
    /// seldom repeat (a RON file's, say) stops looking them up, and keeps
    /// a small table, when fewer than one in [`Self::MIN_SHARE`] of those
    /// kept was met again.
    const TRIAL: usize = 4096;
    const MIN_SHARE: usize = 4;

    /// Whether lists of the sort `i` (0 sources, 1 attributes), of which
    /// `kept` are kept, are still looked up.
    fn pays(&self, i: usize, kept: usize) -> bool {
        kept < Self::TRIAL || self.hits[i] * Self::MIN_SHARE >= kept
    }
}

/// One relation seen from a node: which edge, and the entity at the other end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tie {
    pub edge: EdgeIx,
    pub other: NodeIx,
    /// `Outgoing` when the node is the relation's `from`.
    pub direction: Direction,
}

/// Bytes a graph holds, by part (capacities, not just lengths).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GraphMemory {
    /// Entity rows, petgraph's nodes and the id index.
    pub entities: usize,
    /// Relation rows and petgraph's edges, with their side table.
    pub relations: usize,
    /// The text arena, alias lists and attributes.
    pub text: usize,
    /// Amounts, sources, source lists and symbols.
    pub other: usize,
}

impl GraphMemory {
    pub fn total(&self) -> usize {
        self.entities + self.relations + self.text + self.other
    }
}

fn bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * std::mem::size_of::<T>()
}

fn index_u32(len: usize) -> Result<u32, GraphFull> {
    u32::try_from(len)
        .ok()
        .filter(|&n| n != NONE)
        .ok_or(GraphFull)
}
