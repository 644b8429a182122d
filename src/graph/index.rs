//! The graph's two structures besides its rows, both plain tables so that a
//! snapshot can hold them ready to use: the id index ([`IdIndex`], open
//! addressing over 8-byte slots) and the adjacency lists ([`Links`], the
//! layout petgraph's `Graph` uses: a first relation out and in per node, a next
//! one out and in per relation).

use bytemuck::{Pod, Zeroable};
use xxhash_rust::xxh3::xxh3_64;

use super::sparse::Sparse;
use super::{Arena, EntityRow, FastMap, NONE, RelationRow};
use crate::codec::Store;

/// One entry of the id index: the node, and a tag of its id's hash (the
/// high 32 bits of [`hash`]), which places the slot ([`home`]) and tells most
/// ids apart without reading the arena: a tag that matches is confirmed by
/// comparing the id in the arena. A `node` of [`NONE`] marks an empty slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub(crate) struct IdSlot {
    node: u32,
    tag: u32,
}

impl IdSlot {
    const EMPTY: IdSlot = IdSlot { node: NONE, tag: 0 };
}

/// The tag of an id's hash (see [`IdSlot`]).
#[inline]
fn tag(h: u64) -> u32 {
    (h >> 32) as u32
}

/// The slot where a tag's probe starts in a table of `len` slots (any size,
/// not only powers of two: the table is sized to its ids, 10 slots for every
/// 7). From the tag alone, so that growing the table reads no ids.
#[inline]
fn home_of_tag(t: u32, len: usize) -> usize {
    ((u128::from(t) * len as u128) >> 32) as usize
}

/// The slot where a hash's probe starts in a [`ShortIds`] table of `len`
/// slots.
#[inline]
fn home(h: u64, len: usize) -> usize {
    ((u128::from(h) * len as u128) >> 64) as usize
}

/// The slot after `i` in a table of `len` slots, wrapping round.
#[inline]
fn after(i: usize, len: usize) -> usize {
    if i + 1 == len { 0 } else { i + 1 }
}

/// The hash of an id: xxh3, whose output is fixed by its specification, so that
/// an index saved in a snapshot is found by the same hashes later.
fn hash(id: &[u8]) -> u64 {
    xxh3_64(id)
}

/// The hash the id index files `id` by, for a caller that hashes ids ahead
/// (on another thread) and looks them up with [`super::Graph::find_all_hashed`].
#[inline]
pub(crate) fn id_hash(id: &[u8]) -> u64 {
    hash(id)
}

/// The id → node index: linear probing over a table (10 slots for 7 ids) of
/// 8-byte [`IdSlot`]s, at most 70% full. Ids are read from the arena: every
/// hit is confirmed there, so a table read from a snapshot can give no wrong
/// answer.
#[derive(Clone, Default)]
pub(crate) struct IdIndex {
    slots: Store<IdSlot>,
    len: usize,
}

impl std::fmt::Debug for IdIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdIndex({} ids)", self.len)
    }
}

fn id_of<'a>(rows: &[EntityRow], arena: &'a Arena, node: u32) -> Option<&'a [u8]> {
    rows.get(node as usize).map(|r| arena.bytes(r.id))
}

impl IdIndex {
    /// Where `id` is, or the empty slot where it would go; `None` only for a
    /// table without an empty slot (a lying snapshot).
    #[inline]
    fn probe(&self, id: &[u8], rows: &[EntityRow], arena: &Arena) -> Option<(usize, bool)> {
        let slots: &[IdSlot] = &self.slots;
        if slots.is_empty() {
            return None;
        }
        let t = tag(hash(id));
        self.probe_from(t, home_of_tag(t, slots.len()), id, rows, arena)
    }

    /// [`Self::probe`] of an id whose tag is `t`, from its home slot `i`.
    #[inline]
    fn probe_from(
        &self,
        t: u32,
        i: usize,
        id: &[u8],
        rows: &[EntityRow],
        arena: &Arena,
    ) -> Option<(usize, bool)> {
        self.probe_where(t, i, rows, arena, |held| held == id)
    }

    /// [`Self::probe_from`] of the id `is` says is the one sought (asked
    /// only of an id whose tag is `t`).
    #[inline]
    fn probe_where(
        &self,
        t: u32,
        mut i: usize,
        rows: &[EntityRow],
        arena: &Arena,
        is: impl Fn(&[u8]) -> bool,
    ) -> Option<(usize, bool)> {
        let slots: &[IdSlot] = &self.slots;
        let len = slots.len();
        for _ in 0..len {
            let s = slots[i];
            if s.node == NONE {
                return Some((i, false));
            }
            if s.tag == t && id_of(rows, arena, s.node).is_some_and(&is) {
                return Some((i, true));
            }
            i = after(i, len);
        }
        None
    }

    pub(crate) fn find(&self, id: &str, rows: &[EntityRow], arena: &Arena) -> Option<u32> {
        match self.probe(id.as_bytes(), rows, arena)? {
            (i, true) => Some(self.slots[i].node),
            _ => None,
        }
    }

    /// Whether some id held hashes ([`id_hash`]) to one of `hashes` (its
    /// probes walk the table in order where they are sorted, or grouped by
    /// their high bits: their home slots rise with their tags). A slot
    /// whose tag matches is confirmed by hashing its id.
    pub(crate) fn holds_any_hash(&self, hashes: &[u64], rows: &[EntityRow], arena: &Arena) -> bool {
        let len = self.slots.len();
        if len == 0 {
            return false;
        }
        hashes.iter().any(|&h| {
            let t = tag(h);
            let found = self.probe_where(t, home_of_tag(t, len), rows, arena, |id| hash(id) == h);
            matches!(found, Some((_, true)))
        })
    }

    /// [`Self::find`] for each of `ids`, appended to `out`, each id hashed
    /// once. All a lookup reads is brought into the cache for every id
    /// before the next step (a hit is confirmed in the arena, two cache
    /// misses, the row, then its id, after the slot's): each step in a
    /// tight loop over the ids (the slots prefetched), so that their misses
    /// overlap instead of coming one id at a time.
    /// (`hashes`: each id's [`id_hash`], computed by the caller, perhaps
    /// on another thread.)
    pub(crate) fn find_all(
        &self,
        ids: &[&str],
        hashes: &[u64],
        rows: &[EntityRow],
        arena: &Arena,
        out: &mut Vec<Option<super::NodeIx>>,
    ) {
        debug_assert_eq!(ids.len(), hashes.len());
        let slots: &[IdSlot] = &self.slots;
        if slots.is_empty() {
            out.extend(ids.iter().map(|_| None));
            return;
        }
        let len = slots.len();
        let homes: Vec<(u32, usize)> = hashes
            .iter()
            .map(|&h| {
                let t = tag(h);
                (t, home_of_tag(t, len))
            })
            .collect();
        homes
            .iter()
            .for_each(|&(_, i)| super::huge::prefetch(&slots[i]));
        // The first slot whose tag is the id's: almost always the id's own
        // (the tag is 32 bits of its hash).
        let first_match = |&(t, mut i): &(u32, usize)| {
            for _ in 0..len {
                let s = slots[i];
                if s.node == NONE {
                    return None;
                }
                if s.tag == t {
                    return Some(s.node);
                }
                i = after(i, len);
            }
            None
        };
        let nodes: Vec<Option<u32>> = homes.iter().map(first_match).collect();
        // (Prefetched, not read: a read holds up the loop on its miss, and
        // those after it wait.)
        (nodes.iter().flatten())
            .filter_map(|&n| rows.get(n as usize))
            .for_each(super::huge::prefetch);
        (nodes.iter().flatten())
            .filter_map(|&n| id_of(rows, arena, n).and_then(<[u8]>::first))
            .for_each(super::huge::prefetch);
        out.extend(homes.iter().zip(ids).map(|(&(t, i), id)| {
            match self.probe_from(t, i, id.as_bytes(), rows, arena)? {
                (i, true) => Some(super::NodeIx::new(slots[i].node as usize)),
                _ => None,
            }
        }));
    }

    /// Prefetches the first slot of each of `ids` ([`super::huge::prefetch`]),
    /// so that the cache misses of a batch of lookups or inserts overlap
    /// instead of coming one at a time.
    pub(crate) fn warm<'a>(&self, ids: impl Iterator<Item = &'a str>) {
        let slots: &[IdSlot] = &self.slots;
        if slots.is_empty() {
            return;
        }
        let len = slots.len();
        ids.for_each(|id| {
            super::huge::prefetch(&slots[home_of_tag(tag(hash(id.as_bytes())), len)])
        });
    }

    /// Adds node `n` (whose row is `rows[n]`); `Err` with the node that has its id.
    pub(crate) fn insert(&mut self, n: u32, rows: &[EntityRow], arena: &Arena) -> Result<(), u32> {
        self.reserve(1);
        let id = arena.bytes(rows[n as usize].id);
        // Hashed once, for the probe and the slot.
        let t = tag(hash(id));
        let home = home_of_tag(t, self.slots.len());
        match self.probe_from(t, home, id, rows, arena) {
            Some((i, true)) => Err(self.slots[i].node),
            Some((i, false)) => {
                self.slots.vec()[i] = IdSlot { node: n, tag: t };
                self.len += 1;
                Ok(())
            }
            None => unreachable!("reserve leaves empty slots"),
        }
    }

    /// Slots for `n` ids.
    fn capacity_for(n: usize) -> usize {
        if n == 0 { 0 } else { (n * 10 / 7 + 1).max(8) }
    }

    pub(crate) fn reserve(&mut self, additional: usize) {
        let want = Self::capacity_for(self.len + additional);
        let have = self.slots.len();
        if want > have {
            // Growing a slot at a time: by half, so that n ids cost O(n)
            // moves in all.
            self.rehash(want.max(have + have / 2));
        }
    }

    /// Moves every slot into a table of `capacity` slots: from their tags,
    /// reading no id.
    fn rehash(&mut self, capacity: usize) {
        let old = std::mem::replace(
            &mut self.slots,
            super::huge::filled(IdSlot::EMPTY, capacity).into(),
        );
        let slots = self.slots.vec();
        for s in old.iter().filter(|s| s.node != NONE) {
            let mut i = home_of_tag(s.tag, capacity);
            while slots[i].node != NONE {
                i = after(i, capacity);
            }
            slots[i] = *s;
        }
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        // Only when that gives back a fifth or more: a load whose first
        // guess of its size was about right is not rehashed at its end.
        let want = Self::capacity_for(self.len);
        if want + want / 4 < self.slots.len() {
            self.rehash(want);
        }
    }

    /// Bytes held.
    pub(crate) fn bytes(&self) -> usize {
        self.slots.bytes()
    }

    /// The slots, to save.
    pub(crate) fn slots(&self) -> &[IdSlot] {
        &self.slots
    }

    /// An index read from a snapshot of a graph of `nodes` entities: `None`
    /// unless it has room to spare and every slot is empty or names a node.
    /// (Hits are confirmed against the arena, so wrong tags can only make
    /// ids not found, never found wrong.)
    pub(crate) fn from_slots(slots: Store<IdSlot>, nodes: usize) -> Option<IdIndex> {
        let n = slots.len();
        let ok_size = (n == 0 && nodes == 0) || n > nodes;
        let mut len = 0;
        for s in slots.iter() {
            if s.node != NONE {
                if s.node as usize >= nodes {
                    return None;
                }
                len += 1;
            }
        }
        (ok_size && len == nodes).then_some(IdIndex { slots, len })
    }
}

/// One entry of a [`ShortIds`] table: the number, and enough of its id to
/// tell ids of up to [`ShortSlot::INLINE`] bytes apart without an arena. A
/// `node` of [`NONE`] marks an empty slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ShortSlot {
    node: u32,
    /// The id's length (saturated at 255), then its first 3 bytes.
    len_head: u32,
    /// The id's next 8 bytes, zero-padded.
    tail: u64,
}

impl ShortSlot {
    const INLINE: usize = 11;
    const EMPTY: ShortSlot = ShortSlot {
        node: NONE,
        len_head: 0,
        tail: 0,
    };

    #[inline]
    fn new(node: u32, id: &[u8]) -> Self {
        // The first 11 bytes, zero-padded: byte `k` of the id is byte `k` of
        // `v` (little-endian), which then shifts into place after the length.
        let v = padded(&id[..id.len().min(Self::INLINE)]);
        ShortSlot {
            node,
            len_head: id.len().min(255) as u32 | (v as u32) << 8,
            tail: (v >> 24) as u64,
        }
    }
}

/// `id` (at most 16 bytes) zero-padded, as a little-endian number: read in
/// two overlapping words, not copied byte by byte into a buffer (a copy
/// whose length is known only at run time is a call to `memcpy`, and reading
/// the buffer back as words stalls on the bytes just stored).
#[inline(always)]
fn padded(id: &[u8]) -> u128 {
    let n = id.len();
    debug_assert!(n <= 16);
    let word = |at: usize| u64::from_le_bytes(id[at..at + 8].try_into().unwrap_or_default());
    let half = |at: usize| u32::from_le_bytes(id[at..at + 4].try_into().unwrap_or_default());
    if n >= 8 {
        // Bytes 8..n are the last n - 8 bytes of the word that ends the id.
        let last = u128::from(word(n - 8)) << 64;
        u128::from(word(0)) | (last >> (8 * (16 - n)) & !u128::from(u64::MAX))
    } else if n >= 4 {
        let last = u64::from(half(n - 4)) << 32;
        u128::from(u64::from(half(0)) | (last >> (8 * (8 - n)) & !u64::from(u32::MAX)))
    } else {
        (id.iter().rev()).fold(0, |v, &b| v << 8 | u128::from(b))
    }
}

/// The id an occupied slot holds whole (it is at most [`ShortSlot::INLINE`]
/// bytes long), or `None` for a longer one.
fn inline_id(s: &ShortSlot, buf: &mut [u8; ShortSlot::INLINE]) -> Option<usize> {
    let head = s.len_head.to_le_bytes();
    let len = head[0] as usize;
    if len > ShortSlot::INLINE {
        return None;
    }
    buf[..3].copy_from_slice(&head[1..]);
    buf[3..].copy_from_slice(&s.tail.to_le_bytes());
    Some(len)
}

/// A frozen, self-contained copy of an id → number table that answers for
/// ids of at most [`ShortSlot::INLINE`] bytes, which its slots hold whole, and
/// for a few longer ones: it reads no arena, so other threads may use it while
/// the graph grows. A miss proves nothing (the id may be a longer one not
/// held, or added after the copy): the caller then asks the graph.
#[derive(Clone, Default)]
pub(crate) struct ShortIds {
    slots: Vec<ShortSlot>,
    /// Ids held (counted only by [`ShortIds::insert`], for its growing).
    len: usize,
    /// Ids longer than a slot holds, while they are few (see
    /// [`ShortIds::LONG_SHARE`]): a graph whose ids are mostly short often
    /// has a kind or two with longer ones, and every relation to those
    /// would miss.
    long: FastMap<Box<[u8]>, u32>,
}

impl std::fmt::Debug for ShortIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ShortIds({} slots)", self.slots.len())
    }
}

impl ShortIds {
    /// At most one id in this many is held in [`ShortIds::long`] (the first
    /// ones met): a table of ids that are mostly long holds only some of
    /// them, its copying kept cheap.
    const LONG_SHARE: usize = 8;

    /// A table of the short ones of the ids of `rows` (numbered by row), to
    /// copy the graph's id index (whose slots hold no ids).
    pub(crate) fn of_rows(rows: &[EntityRow], arena: &Arena) -> ShortIds {
        ShortIds::of_pairs(
            rows.iter()
                .enumerate()
                .map(|(i, r)| (arena.bytes(r.id), i as u32)),
        )
    }

    /// A table of the short ones of `ids` (id, number); the first of equal ids
    /// wins. The ids are hashed a few dozen at a time and their first slots
    /// prefetched before any is placed, so that the cache misses of a large
    /// table overlap.
    pub(crate) fn of_pairs<'a>(ids: impl ExactSizeIterator<Item = (&'a [u8], u32)>) -> ShortIds {
        let (capacity, most_long) = (
            IdIndex::capacity_for(ids.len()),
            ids.len() / Self::LONG_SHARE,
        );
        Self::of_pairs_in(ids, capacity, most_long)
    }

    /// A table of the short ones of the ids of `rows` (numbered by row),
    /// packed closer: sized for those (counted from the rows, no id
    /// read), 4 slots for 3 ids; the longer ones held as
    /// [`ShortIds::of_pairs`] holds them, while they are few. A copy for
    /// the FtM reader's parser threads, held while a stream's
    /// relationships are read, when the graph is at its largest: about 21
    /// bytes a short id, where [`ShortIds::of_rows`] takes about 23.
    /// (Packed tighter, 8 slots for 7 ids, a lookup's probe ran 4.5 slots
    /// on average, into a second and third cache line that were not
    /// prefetched: at 1M, a fifth more time per lookup; BENCHMARKS.md,
    /// round 25.) (With no longer id held, every relationship to a kind
    /// whose ids are a byte longer, 5 % of the parties at 1M, was looked
    /// up by the builder: its value read, hashed, and found in the graph's
    /// index.)
    pub(crate) fn of_rows_packed(rows: &[EntityRow], arena: &Arena) -> ShortIds {
        let short = (rows.iter())
            .filter(|r| r.id.len as usize <= ShortSlot::INLINE)
            .count();
        let capacity = if short == 0 {
            0
        } else {
            (short * 4 / 3 + 1).max(8)
        };
        let ids = (rows.iter().enumerate()).map(|(i, r)| (arena.bytes(r.id), i as u32));
        Self::of_pairs_in(ids, capacity, rows.len() / Self::LONG_SHARE)
    }

    /// [`ShortIds::of_pairs`] into a table of `capacity` slots (more than
    /// the short ids), at most `most_long` longer ids held.
    fn of_pairs_in<'a>(
        ids: impl Iterator<Item = (&'a [u8], u32)>,
        capacity: usize,
        most_long: usize,
    ) -> ShortIds {
        const AHEAD: usize = 32;
        let mut slots = super::huge::filled(ShortSlot::EMPTY, capacity);
        let len = slots.len();
        let mut long = FastMap::default();
        let mut ids = ids
            .filter(|&(id, n)| {
                if id.len() <= ShortSlot::INLINE {
                    return true;
                }
                if long.len() < most_long {
                    long.entry(Box::from(id)).or_insert(n);
                }
                false
            })
            .peekable();
        let mut chunk: [(&[u8], u32, usize); AHEAD] = [(&[], 0, 0); AHEAD];
        while ids.peek().is_some() {
            let mut k = 0;
            for (slot, (id, n)) in chunk.iter_mut().zip(ids.by_ref()) {
                *slot = (id, n, home(hash(id), len));
                k += 1;
            }
            (chunk[..k].iter()).for_each(|&(_, _, i)| super::huge::prefetch(&slots[i]));
            for &(id, n, mut i) in &chunk[..k] {
                let want = ShortSlot::new(n, id);
                while slots[i].node != NONE
                    && !(slots[i].len_head == want.len_head && slots[i].tail == want.tail)
                {
                    i = after(i, len);
                }
                if slots[i].node == NONE {
                    slots[i] = want;
                }
            }
        }
        drop(ids);
        let len = slots.iter().filter(|s| s.node != NONE).count();
        ShortIds { slots, len, long }
    }

    /// Adds `id` as number `n`, the table growing as it fills; `false` (and
    /// nothing added) for an id too long for a slot, or one held already.
    pub(crate) fn insert(&mut self, id: &[u8], n: u32) -> bool {
        if id.len() > ShortSlot::INLINE || self.find(id).is_some() {
            return false;
        }
        if IdIndex::capacity_for(self.len + 1) > self.slots.len() {
            let capacity = IdIndex::capacity_for((self.len + 1) * 2);
            let old = std::mem::replace(
                &mut self.slots,
                super::huge::filled(ShortSlot::EMPTY, capacity),
            );
            let mut buf = [0u8; ShortSlot::INLINE];
            for s in old.iter().filter(|s| s.node != NONE) {
                let n = inline_id(s, &mut buf).unwrap_or(0);
                let mut i = home(hash(&buf[..n]), capacity);
                while self.slots[i].node != NONE {
                    i = after(i, capacity);
                }
                self.slots[i] = *s;
            }
        }
        let len = self.slots.len();
        let mut i = home(hash(id), len);
        while self.slots[i].node != NONE {
            i = after(i, len);
        }
        self.slots[i] = ShortSlot::new(n, id);
        self.len += 1;
        true
    }

    /// The number of `id`, if the table holds it.
    #[inline]
    pub(crate) fn find(&self, id: &[u8]) -> Option<u32> {
        if id.len() > ShortSlot::INLINE {
            return self.long.get(id).copied();
        }
        if self.slots.is_empty() {
            return None;
        }
        self.find_from(id, hash(id))
    }

    /// The numbers of `ids`, `missing` where the table does not hold one,
    /// appended to `out`. The first two cache lines of each id's probe are
    /// prefetched a few dozen ids before it is probed (a window that moves
    /// one id at a time), so that the cache misses of a large table overlap
    /// with the work on the ids between (one at a time, they are most of a
    /// lookup's cost; in chunks, prefetched all and then probed all, the
    /// first probes of each chunk still waited for memory).
    pub(crate) fn find_all<'a>(
        &self,
        ids: impl Iterator<Item = &'a [u8]>,
        missing: u32,
        out: &mut Vec<u32>,
    ) {
        const AHEAD: usize = 32;
        if self.slots.is_empty() {
            out.extend(ids.map(|id| self.long.get(id).copied().unwrap_or(missing)));
            return;
        }
        let len = self.slots.len();
        // Ids too long for a slot are held by no slot: neither hashed nor
        // looked for.
        let short = |id: &[u8]| id.len() <= ShortSlot::INLINE;
        let look = |(id, h): (&[u8], u64)| {
            if short(id) {
                self.find_from(id, h).unwrap_or(missing)
            } else {
                self.long.get(id).copied().unwrap_or(missing)
            }
        };
        // The ids hashed and prefetched, not probed yet: `held` of them, the
        // oldest at `(at + AHEAD - held) % AHEAD`.
        let mut ring: [(&[u8], u64); AHEAD] = [(&[], 0); AHEAD];
        let (mut at, mut held) = (0, 0);
        for id in ids {
            let h = if short(id) {
                let h = hash(id);
                // Its first slot's cache line and the next (a probe runs
                // on past the end of the first in about a third of the
                // lookups).
                let i = home(h, len);
                super::huge::prefetch(&self.slots[i]);
                super::huge::prefetch(&self.slots[(i + 4).min(len - 1)]);
                h
            } else {
                0
            };
            if held == AHEAD {
                out.push(look(ring[at]));
            } else {
                held += 1;
            }
            ring[at] = (id, h);
            at = (at + 1) % AHEAD;
        }
        let first = (at + AHEAD - held) % AHEAD;
        out.extend((0..held).map(|k| look(ring[(first + k) % AHEAD])));
    }

    /// Probes for `id`, whose hash is `h`, in a table with slots.
    #[inline]
    fn find_from(&self, id: &[u8], h: u64) -> Option<u32> {
        let len = self.slots.len();
        let want = ShortSlot::new(0, id);
        let mut i = home(h, len);
        for _ in 0..len {
            let s = self.slots[i];
            if s.node == NONE {
                return None;
            }
            if s.len_head == want.len_head && s.tail == want.tail {
                return Some(s.node);
            }
            i = after(i, len);
        }
        None
    }
}

/// Which end's list: petgraph's `Outgoing` is 0, `Incoming` 1.
pub(crate) const OUT: usize = 0;
pub(crate) const IN: usize = 1;

/// The relations: their ends, their rows, and per node and relation the links
/// of two lists (out and in), newest first, as petgraph keeps them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Links {
    /// Per node: the newest relation out and in, or [`NONE`].
    pub(crate) first: Store<[u32; 2]>,
    /// Per relation: `[from, to]`.
    pub(crate) ends: Store<[u32; 2]>,
    /// Per relation: the next (older) relation out of `from` and into `to`.
    pub(crate) next: Store<[u32; 2]>,
    pub(crate) rows: Store<RelationRow>,
    /// What few relations have, by relation: a role ([`crate::model::Sym`]),
    /// an end date ([`crate::model::PartialDate::to_bits`]), an amount (index
    /// into the graph's amounts), flags ([`super::RELATION_UNDIRECTED`]).
    pub(crate) role: Sparse<u32>,
    pub(crate) until: Sparse<u32>,
    pub(crate) amount: Sparse<u32>,
    pub(crate) flags: Sparse<u8>,
    /// The kind's code of relations whose row cannot hold it
    /// ([`super::KindDate::ESCAPE`]: kinds from the `other` escape).
    pub(crate) other_kind: Sparse<u32>,
    /// Where a relation's extra is (id, note, datasets: index into the
    /// graph's extras), for the few that have one.
    pub(crate) extra: Sparse<u32>,
    /// A relation's attributes, `[start, length]` in the graph's table of
    /// them (a list many relations share is stored once: a relation's
    /// attributes need no extra of their own).
    pub(crate) attrs: Sparse<[u32; 2]>,
    /// Relations at each node, counted as they are added (not saved).
    pub(crate) degrees: Degrees,
}

/// Relations at each node, counted as [`Links::add_edge`] adds them, and the
/// node with the most (the first of those), so that [`super::Graph::busiest`]
/// needs no pass over every relation after a load. Right while every
/// relation was counted (`counted` is the relation count): a graph read from
/// a snapshot, or given relations once the counts were let go, is not.
#[derive(Debug, Clone, Default)]
pub(crate) struct Degrees {
    /// Per node, while counting (emptied when the graph is shrunk: the
    /// answer stays right until another relation comes).
    per_node: Vec<u32>,
    /// Relations counted.
    counted: usize,
    /// The node with the most relations, the first such, and how many.
    best: (u32, u32),
}

impl Degrees {
    /// The busiest node, if every one of the graph's `edges` relations was
    /// counted and it has nodes.
    pub(crate) fn busiest(&self, nodes: usize, edges: usize) -> Option<u32> {
        (self.counted == edges && nodes > 0).then_some(self.best.0)
    }

    /// One more relation at node `n`.
    #[inline]
    fn count(&mut self, n: u32) {
        let Some(d) = self.per_node.get_mut(n as usize) else {
            return;
        };
        *d += 1;
        let (best, most) = self.best;
        if *d > most || (*d == most && n < best) {
            self.best = (n, *d);
        }
    }
}

/// The rare parts of a relation to add (see [`Links::role`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RareParts {
    pub(crate) role: Option<u32>,
    pub(crate) until: Option<u32>,
    pub(crate) amount: Option<u32>,
    pub(crate) flags: Option<u8>,
    pub(crate) other_kind: Option<u32>,
    pub(crate) extra: Option<u32>,
    pub(crate) attrs: Option<[u32; 2]>,
}

impl Links {
    pub(crate) fn with_capacity(nodes: usize, edges: usize) -> Links {
        Links {
            first: super::huge::with_capacity(nodes).into(),
            ends: Vec::with_capacity(edges).into(),
            next: Vec::with_capacity(edges).into(),
            rows: Vec::with_capacity(edges).into(),
            degrees: Degrees {
                per_node: Vec::with_capacity(nodes),
                ..Degrees::default()
            },
            ..Links::default()
        }
    }

    pub(crate) fn node_count(&self) -> usize {
        self.first.len()
    }

    pub(crate) fn edge_count(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn add_node(&mut self) -> usize {
        let first = self.first.vec();
        first.push([NONE; 2]);
        let n = first.len();
        // Counted from the graph's first node only.
        if self.degrees.per_node.len() + 1 == n {
            self.degrees.per_node.push(0);
        }
        n - 1
    }

    /// Prefetches the list heads of `nodes` (see [`IdIndex::warm`]).
    pub(crate) fn warm(&self, nodes: impl Iterator<Item = u32>) {
        let first: &[[u32; 2]] = &self.first;
        let degrees = &self.degrees.per_node;
        nodes.for_each(|n| {
            if let Some(f) = first.get(n as usize) {
                super::huge::prefetch(f);
            }
            if let Some(d) = degrees.get(n as usize) {
                super::huge::prefetch(d);
            }
        });
    }

    /// Adds a relation from `a` to `b` (both nodes of the graph).
    pub(crate) fn add_edge(&mut self, a: u32, b: u32, row: RelationRow, rare: RareParts) -> usize {
        let e = self.ends.len() as u32;
        let i = e as usize;
        self.role.push(i, rare.role);
        self.until.push(i, rare.until);
        self.amount.push(i, rare.amount);
        self.flags.push(i, rare.flags);
        self.other_kind.push(i, rare.other_kind);
        self.extra.push(i, rare.extra);
        self.attrs.push(i, rare.attrs);
        let first = self.first.vec();
        let next = [first[a as usize][OUT], first[b as usize][IN]];
        first[a as usize][OUT] = e;
        first[b as usize][IN] = e;
        self.next.vec().push(next);
        self.ends.vec().push([a, b]);
        self.rows.vec().push(row);
        let d = &mut self.degrees;
        if d.counted == i && d.per_node.len() == self.first.len() {
            d.count(a);
            d.count(b);
            d.counted += 1;
        }
        e as usize
    }

    /// The relations out of (`dir` [`OUT`]) or into ([`IN`]) node `n`, newest
    /// first.
    pub(crate) fn walk(&self, n: usize, dir: usize) -> impl Iterator<Item = usize> + '_ {
        let mut e = self.first.get(n).map_or(NONE, |f| f[dir]);
        std::iter::from_fn(move || {
            if e == NONE {
                return None;
            }
            let cur = e as usize;
            e = self.next.get(cur).map_or(NONE, |n| n[dir]);
            Some(cur)
        })
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        // The counts go; the busiest node is kept (right until another
        // relation comes: then no longer counted).
        self.degrees.per_node = Vec::new();
        self.first.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.next.shrink_to_fit();
        self.rows.shrink_to_fit();
        self.role.shrink_to_fit();
        self.until.shrink_to_fit();
        self.amount.shrink_to_fit();
        self.flags.shrink_to_fit();
        self.other_kind.shrink_to_fit();
        self.extra.shrink_to_fit();
        self.attrs.shrink_to_fit();
    }

    /// Bytes held by the nodes' links, and by the relations' ends, links and
    /// rows.
    pub(crate) fn bytes(&self) -> (usize, usize) {
        (
            self.first.bytes(),
            self.ends.bytes()
                + self.next.bytes()
                + self.rows.bytes()
                + self.role.bytes()
                + self.until.bytes()
                + self.amount.bytes()
                + self.flags.bytes()
                + self.other_kind.bytes()
                + self.extra.bytes()
                + self.attrs.bytes(),
        )
    }

    /// Whether lists read from a snapshot are safe to walk: the tables agree in
    /// length, every end is a node, and every link points to an older relation
    /// (so that every walk ends) or to none.
    pub(crate) fn well_formed(&self, nodes: usize) -> bool {
        let edges = self.ends.len();
        let ok_link = |l: u32, below: usize| l == NONE || (l as usize) < below;
        self.first.len() == nodes
            && self.next.len() == edges
            && self.rows.len() == edges
            && self.role.well_formed(edges)
            && self.until.well_formed(edges)
            && self.amount.well_formed(edges)
            && self.flags.well_formed(edges)
            && self.other_kind.well_formed(edges)
            && self.extra.well_formed(edges)
            && self.attrs.well_formed(edges)
            && self.first.iter().flatten().all(|&l| ok_link(l, edges))
            && self.ends.iter().flatten().all(|&n| (n as usize) < nodes)
            && self
                .next
                .iter()
                .enumerate()
                .all(|(e, l)| ok_link(l[OUT], e) && ok_link(l[IN], e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{AddError, Graph, NewEntity, SourceSet};
    use crate::model::EntityKind;

    /// Ids short enough for a slot and longer ones, added one at a time (the
    /// table grows by half many times, rehashing short ids from their slots
    /// and long ones from the arena), then given back its spare room: every
    /// id is found, a duplicate refused, an unknown one not found, and the
    /// table keeps about 10 slots for 7 ids, not a power of two.
    #[test]
    fn ids_are_found_through_growth_and_shrinking_in_a_table_of_any_size() {
        let ids: Vec<String> = (0..5000)
            .map(|i| {
                if i % 3 == 0 {
                    format!("a-much-longer-identifier-{i}")
                } else {
                    format!("e{i}")
                }
            })
            .collect();
        let mut g = Graph::default();
        for id in &ids {
            g.add_entity(NewEntity::<String>::new(
                id,
                EntityKind::Person,
                id,
                SourceSet::EMPTY,
            ))
            .unwrap();
        }
        let check = |g: &Graph| {
            for (i, id) in ids.iter().enumerate() {
                assert_eq!(g.find(id).map(|n| n.index()), Some(i), "{id}");
            }
            assert_eq!(g.find("e5000"), None);
            assert_eq!(g.find("a-much-longer-identifier-5001"), None);
        };
        check(&g);
        let grown = g.ids.slots().len();
        g.shrink_to_fit();
        check(&g);
        let slots = g.ids.slots().len();
        let want = IdIndex::capacity_for(ids.len());
        assert!(slots <= grown && slots >= want && slots <= want + want / 4);
        assert!(!slots.is_power_of_two());
        let again = NewEntity::<String>::new(&ids[7], EntityKind::Person, "x", SourceSet::EMPTY);
        assert!(matches!(g.add_entity(again), Err(AddError::Duplicate(n)) if n.index() == 7));
        let short = ShortIds::of_rows(&g.entities, &g.arena);
        let mut out = Vec::new();
        short.find_all(ids.iter().map(|s| s.as_bytes()), u32::MAX, &mut out);
        let held = held(&ids.iter().map(String::as_str).collect::<Vec<_>>());
        for (i, (id, n)) in ids.iter().zip(&out).enumerate() {
            let want = if held[i] { i as u32 } else { u32::MAX };
            assert_eq!(*n, want, "{id}");
        }
    }

    /// Which of `ids` (by row) a [`ShortIds`] copy of them answers for: the
    /// short ones, and the first long ones, at most one id in eight.
    fn held(ids: &[&str]) -> Vec<bool> {
        let most = ids.len() / ShortIds::LONG_SHARE;
        let mut long = 0;
        ids.iter()
            .map(|id| {
                id.len() <= ShortSlot::INLINE || {
                    long += 1;
                    long <= most
                }
            })
            .collect()
    }

    /// Every slot given the tag of the id asked for (as 2³² ids make
    /// certain, or a crafted snapshot): the probe passes over each slot whose
    /// id in the arena differs and answers only with the right one; an id
    /// with another tag is not found in slots that do not carry it.
    #[test]
    fn slots_with_the_same_tag_are_told_apart_by_the_arena() {
        let mut g = Graph::default();
        for i in 0..200 {
            let id = if i % 2 == 0 {
                format!("e{i}")
            } else {
                format!("an-identifier-longer-than-eleven-{i}")
            };
            g.add_entity(NewEntity::<String>::new(
                &id,
                EntityKind::Person,
                "n",
                SourceSet::EMPTY,
            ))
            .unwrap();
        }
        for asked in [42u32, 77] {
            let id = g.entity(crate::graph::NodeIx::new(asked as usize)).id;
            let t = tag(hash(id.as_bytes()));
            let len = IdIndex::capacity_for(200);
            let mut slots = vec![IdSlot::EMPTY; len];
            let start = home_of_tag(t, len);
            for node in 0..200u32 {
                slots[(start + node as usize) % len] = IdSlot { node, tag: t };
            }
            let ix = IdIndex::from_slots(slots.into(), 200).unwrap();
            assert_eq!(ix.find(id, &g.entities, &g.arena), Some(asked));
            assert_eq!(ix.find("e43", &g.entities, &g.arena), None);
            assert_eq!(ix.find("", &g.entities, &g.arena), None);
        }
    }

    proptest::proptest! {
        /// Random ids (short and long, sharing prefixes, empty) added to a
        /// graph: each is found as the node it was added as, a second add
        /// of one is refused naming the first, ids never added are not
        /// found, before and after the table gives back its spare room; the
        /// threads' copy ([`ShortIds`]) answers the short ones alike.
        #[test]
        fn ids_are_found_as_a_map_finds_them(
            ids in proptest::collection::vec("(e|ab|[a-c]{0,3})[0-9]{0,14}", 0..300),
            absent in proptest::collection::vec("[a-d][0-9]{0,14}", 0..20),
        ) {
            let mut g = Graph::default();
            let mut map = std::collections::HashMap::new();
            for id in &ids {
                let e = NewEntity::<String>::new(id, EntityKind::Person, "n", SourceSet::EMPTY);
                match g.add_entity(e) {
                    Ok(n) => {
                        proptest::prop_assert!(map.insert(id.clone(), n.index()).is_none());
                    }
                    Err(AddError::Duplicate(n)) => {
                        proptest::prop_assert_eq!(map.get(id), Some(&n.index()));
                    }
                    Err(e) => proptest::prop_assert!(false, "{e}"),
                }
            }
            for round in 0..2 {
                for (id, &n) in &map {
                    proptest::prop_assert_eq!(g.find(id).map(|x| x.index()), Some(n));
                }
                for id in absent.iter().filter(|id| !map.contains_key(*id)) {
                    proptest::prop_assert_eq!(g.find(id), None);
                }
                // The batched lookup answers as the one at a time, present
                // and absent ids mixed, each in its place.
                let asked: Vec<&str> = map
                    .keys()
                    .map(String::as_str)
                    .chain(absent.iter().map(String::as_str))
                    .collect();
                let mut found = Vec::new();
                g.find_all(&asked, &mut found);
                let one_by_one: Vec<_> = asked.iter().map(|id| g.find(id)).collect();
                proptest::prop_assert_eq!(found, one_by_one);
                let short = ShortIds::of_rows(&g.entities, &g.arena);
                let mut by_row = vec![""; map.len()];
                for (id, &n) in &map {
                    by_row[n] = id.as_str();
                }
                let held = held(&by_row);
                for (id, &n) in &map {
                    let want = held[n].then_some(n as u32);
                    proptest::prop_assert_eq!(short.find(id.as_bytes()), want);
                }
                // The parser threads' packed copy (its own sizing, two
                // lines prefetched a lookup), asked in one batch: each id
                // it holds found as the map finds it, any other missing.
                let packed = ShortIds::of_rows_packed(&g.entities, &g.arena);
                let mut out = Vec::new();
                packed.find_all(asked.iter().map(|s| s.as_bytes()), u32::MAX, &mut out);
                proptest::prop_assert_eq!(out.len(), asked.len());
                for (id, n) in asked.iter().zip(out) {
                    let want = (map.get(*id)).filter(|&&r| held[r]);
                    proptest::prop_assert_eq!(n, want.map_or(u32::MAX, |&r| r as u32), "{}", id);
                }
                if round == 0 {
                    g.shrink_to_fit();
                }
            }
        }
    }

    proptest::proptest! {
        /// A slot made from an id holds its length and first 11 bytes as
        /// the byte-by-byte copy did, for ids of every length.
        #[test]
        fn slot_holds_the_id_as_copied(id in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
            let mut head = [0u8; 12];
            head[0] = id.len().min(255) as u8;
            let n = id.len().min(ShortSlot::INLINE);
            head[1..1 + n].copy_from_slice(&id[..n]);
            let [a, b, c, d, tail @ ..] = head;
            let want = ShortSlot {
                node: 5,
                len_head: u32::from_le_bytes([a, b, c, d]),
                tail: u64::from_le_bytes(tail),
            };
            proptest::prop_assert_eq!(ShortSlot::new(5, &id), want);
            let mut buf = [0u8; ShortSlot::INLINE];
            if let Some(len) = inline_id(&want, &mut buf) {
                proptest::prop_assert_eq!(&buf[..len], &id[..]);
            }
        }

        /// [`ShortIds::find_all`] answers each id, in order, as
        /// [`ShortIds::find`] does one at a time: any number of ids (fewer
        /// and more than its window), held or not, short and long.
        #[test]
        fn find_all_is_find_one_by_one(
            held in proptest::collection::vec(0usize..60, 0..80),
            asked in proptest::collection::vec(0usize..80, 0..120),
        ) {
            let id = |i: usize| match i % 4 {
                0 => format!("a-long-id-{i}"),
                1 => format!("{i}"),
                _ => format!("e-{i:07}"),
            };
            let held: Vec<String> = held.into_iter().map(id).collect();
            let table = ShortIds::of_pairs(
                held.iter().enumerate().map(|(n, s)| (s.as_bytes(), n as u32)),
            );
            let asked: Vec<String> = asked.into_iter().map(id).collect();
            let mut out = Vec::new();
            table.find_all(asked.iter().map(|s| s.as_bytes()), u32::MAX, &mut out);
            let one: Vec<u32> = (asked.iter())
                .map(|s| table.find(s.as_bytes()).unwrap_or(u32::MAX))
                .collect();
            proptest::prop_assert_eq!(out, one);
        }
    }

    #[test]
    fn find_all_answers_each_id_in_order_across_chunks() {
        let ids: Vec<String> = (0..100).map(|i| format!("e{i}")).collect();
        let table = ShortIds::of_pairs(
            ids.iter()
                .enumerate()
                .map(|(i, id)| (id.as_bytes(), i as u32)),
        );
        // Known ids in a scrambled order, an unknown one, and one too long for
        // a slot (held nowhere, so a miss) spread over several chunks.
        let mut asked: Vec<&[u8]> = (0..100).rev().map(|i| ids[i].as_bytes()).collect();
        asked.insert(17, b"nobody");
        asked.insert(70, b"an-id-longer-than-a-slot-holds");
        let mut out = Vec::new();
        table.find_all(asked.iter().copied(), u32::MAX, &mut out);
        assert_eq!(out.len(), asked.len());
        for (id, n) in asked.iter().zip(&out) {
            let want = ids
                .iter()
                .position(|i| i.as_bytes() == *id)
                .map_or(u32::MAX, |i| i as u32);
            assert_eq!(*n, want, "{}", String::from_utf8_lossy(id));
        }
        let mut none = Vec::new();
        ShortIds::default().find_all(asked.iter().copied(), 7, &mut none);
        assert!(none.len() == asked.len() && none.iter().all(|&n| n == 7));
    }

    #[test]
    fn long_ids_are_held_while_they_are_few() {
        // Mostly short ids, a few longer than a slot: all found, each as the
        // first of its equals.
        let mut ids: Vec<String> = (0..100).map(|i| format!("e{i}")).collect();
        ids.extend((0..10).map(|i| format!("a-long-one-{i:04}")));
        ids.push("a-long-one-0003".into());
        let table = ShortIds::of_pairs(
            ids.iter()
                .enumerate()
                .map(|(i, id)| (id.as_bytes(), i as u32)),
        );
        for (i, id) in ids.iter().enumerate().take(110) {
            assert_eq!(table.find(id.as_bytes()), Some(i as u32), "{id}");
        }
        let mut out = Vec::new();
        let asked = [&b"a-long-one-0003"[..], b"e7", b"a-long-one-9999"];
        table.find_all(asked.into_iter(), u32::MAX, &mut out);
        assert_eq!(out, [103, 7, u32::MAX]);
        // Mostly long ids: only the first eighth of them held (a miss
        // proves nothing), the short ones all.
        let ids: Vec<String> = (0..80).map(|i| format!("a-long-one-{i:04}")).collect();
        let table = ShortIds::of_pairs(
            ids.iter()
                .enumerate()
                .map(|(i, id)| (id.as_bytes(), i as u32)),
        );
        let held: Vec<_> = ids.iter().map(|id| table.find(id.as_bytes())).collect();
        assert_eq!(held[..10], (0..10).map(Some).collect::<Vec<_>>()[..]);
        assert!(held[10..].iter().all(Option::is_none));
    }

    #[test]
    fn short_ids_inserted_one_by_one_are_found_through_growth() {
        let mut table = ShortIds::default();
        assert_eq!(table.find(b"s1"), None);
        for i in 0..3000u32 {
            assert!(table.insert(format!("s{i}").as_bytes(), i));
        }
        // An id held already keeps its number; one too long is not held.
        assert!(!table.insert(b"s7", 99));
        assert!(!table.insert(b"a-source-id-of-20", 1));
        for i in 0..3000u32 {
            assert_eq!(table.find(format!("s{i}").as_bytes()), Some(i));
        }
        assert_eq!(table.find(b"s3000"), None);
        assert_eq!(table.find(b"a-source-id-of-20"), None);
    }
}
