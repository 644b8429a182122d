//! Fuzzy search over every entity's name, aliases and offices, forgiving typos.
//!
//! [`SearchIndex::build`] folds every name, alias and weak alias to lower-case
//! ASCII ([`fold`]) and keeps the folded text contiguous in memory, with a
//! character-presence mask per text. A text with umlauts or Nordic letters is
//! indexed twice, in both spellings (`Nierstenhöfer` as `nierstenhofer` and
//! `nierstenhoefer`). Each `holds_office` relation with a role adds a text to
//! its holder, `role, body` (`Minister of Defence, Ministry of Defence of
//! Ukraine`), ranked like a weak alias. Every word goes into the typo index
//! (`typo`: an `fst` word set and postings). A query is parsed with fzf's
//! extended syntax (see [`query`](self#syntax)), and matched in three stages:
//!
//! 1. **Filter**: a mask test, then a subsequence (or substring, prefix, suffix)
//!    test over the folded bytes. This decides *whether* a text matches, exactly
//!    as SkimMatcherV2 would (it matches a pattern iff the pattern is a
//!    subsequence). When the query narrows the previous one ([`Searcher`],
//!    [`SearchWorker`]), only the previous matches are filtered, read in order
//!    from a packed copy, and a term typed on is matched from where its shorter
//!    form stopped.
//! 2. **Tier** ([`Tier`]): exact (the whole name is the query), word start (every
//!    term occurs as one piece at the start of a word, a prefix included), in
//!    order (each term's letters inside one word), **typo** (each term at a word
//!    start or a few edits from a word, found in the typo index, not by the
//!    filter), scattered (the letters spread over words). Weak aliases and
//!    offices sit just below names and aliases of the same tier. Typo and
//!    scattered hits are weak: a command that needs one entity refuses them and
//!    lists the candidates ([`Resolver`]).
//! 3. **Score**: exact and word-start matches are ordered by how many terms match
//!    whole words; fuzzy matches by the SkimMatcherV2 score (summed over terms).
//!    Skim scoring is the expensive step, and it is done only when the better
//!    tiers hold fewer entities than asked for; so is the typo look-up. Typo
//!    matches are ordered by fewer edits.
//!
//! Ties are broken by the shorter matched text, then by more relations, then by
//! graph order, so results are fully deterministic. [`naive_search`] computes the
//! same ranking by running SkimMatcherV2 over every text and measuring every word
//! against every term; tests and the benchmark check that both agree.
//!
//! # Syntax
//!
//! Space-separated terms must all match, in any order: `abc` fuzzy, `'abc` exact
//! substring, `^abc` prefix, `abc$` suffix, `^abc$` the whole name, `!abc` excludes
//! entities any of whose names contains `abc` (also `!^abc`, `!abc$`). A query with
//! no term to match (empty, or only exclusions) lists entities by number of
//! relations, most first. Only plain fuzzy terms of letters may match by typo:
//! quoted, anchored and excluding terms match as written.
//!
//! # Which entry point
//!
//! - [`SearchIndex::search`]: one query (the CLI, `--focus`).
//! - [`Searcher`], or [`SearchSession`] where a borrow of the index cannot be
//!   kept: a search box on the UI thread; fast enough for graphs up to a few
//!   hundred thousand names (a narrowing keystroke on 1.4 million names takes a
//!   few milliseconds, a first letter 40–50 ms).
//! - [`SearchWorker`]: the same on a thread of its own; each query cancels the one
//!   running, so typing never waits. Use it for large graphs.

mod engine;
mod field;
mod fold;
mod highlight;
mod matches;
mod naive;
mod query;
mod ranges;
mod resolve;
mod score;
mod tier;
mod typo;
mod worker;

use crate::codec::{MapIn, Out, SnapshotError, Store, leb128};
use crate::graph::{Graph, NodeIx};
pub use engine::set_threads;
use engine::{ALT_BIT, KIND_SHIFT, SHARED_BIT, WEAK_BIT, WORD_SHIFT, never};
pub use field::MatchedField;
use field::{FIELD_INDEX, office_edge, office_text};
pub use fold::fold;
pub(crate) use fold::{fold_alternative_into, has_alternative};
use fold::{fold_into, mask_of, word_mask_of};
use highlight::positions;
use matches::Matches;
pub use naive::{naive_search, naive_search_without_typos};
use query::Query;
use ranges::{Owners, TextRanges};
pub use resolve::{ResolveError, Resolved, Resolver};
use score::{Ranked, matcher};
use std::borrow::Cow;
pub use tier::Tier;
pub use typo::{max_edits, within as typo_edits};
pub use worker::{Keep, SearchResult, SearchWorker};

/// A number no other index in this process has.
fn next_index_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// One ranked result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub node: NodeIx,
    /// Higher is better. The tier is in the high 32 bits (exact 7, exact weak
    /// alias or office 6, word start 5, weak 4, fuzzy 3, no query 0); the
    /// low bits order hits within a tier (see [`Hit::how`] for in order, typo and
    /// scattered, all in the fuzzy tier).
    pub score: i64,
    /// Which name matched.
    pub field: MatchedField,
    /// The original (unfolded) text that matched.
    pub text: String,
    /// Character indices into `text` to highlight, ascending.
    pub positions: Vec<usize>,
}

/// How much memory an index uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexMemory {
    /// Names, aliases and weak aliases indexed.
    pub texts: usize,
    /// Bytes of folded text.
    pub text_bytes: usize,
    /// Every other byte the index holds (offsets, masks, degrees,
    /// the typo tier's words and postings…).
    pub other_bytes: usize,
    /// Of `other_bytes`, the typo tier's word set and postings.
    pub typo_bytes: usize,
    /// Of `other_bytes`, the columns kept per text (where it starts, its
    /// masks, …).
    pub text_columns: usize,
    /// Of `other_bytes`, the columns kept per entity (where its texts start,
    /// its relations).
    pub entity_columns: usize,
}

impl IndexMemory {
    /// Every byte the index holds.
    pub fn total(&self) -> usize {
        self.text_bytes + self.other_bytes
    }
}

/// Search over every entity's name and aliases. Cheap to share: `Send + Sync`.
#[derive(Default)]
pub struct SearchIndex {
    /// Every distinct folded text once, each preceded by its length (LEB128):
    /// texts that fold alike (`NATO` and `Nato`, a name many entities bear, an
    /// office many hold) share one copy. A name whose folded form is its own
    /// lower case ([`SHARED_BIT`]) is not here: it is read from the graph.
    folded: Store<u8>,
    /// Text `i`'s length is at `folded[starts[i]]`, its bytes follow it
    /// ([`Self::text`]); 0 for a text read from the graph.
    starts: Store<u32>,
    /// The bytes of every text, as if each had its own copy: what a filter pass
    /// copying all of them would hold (below 4 GiB, as `Matches` needs).
    total: u64,
    /// Of each text, in one word: the character-presence mask (bits 0..=28),
    /// whether it is read from the graph ([`SHARED_BIT`], bit 29), the mask
    /// of the bytes that start a word (from [`WORD_SHIFT`]), whether
    /// it is the second spelling of the text before ([`ALT_BIT`]) and which
    /// kind of field it is (the top two bits, from [`KIND_SHIFT`]: name,
    /// alias, weak alias, office; [`WEAK_BIT`] set for the last two).
    masks: Store<u64>,
    /// The texts of each node, one after the other, in the order
    /// [`Self::build`] indexes them: which alias or office a text is follows
    /// from its place among them (see [`Self::field`]), and the node a text
    /// names from where it lies ([`TextRanges`]).
    ranges: TextRanges,
    /// Relations of each node, or [`Self::BIG_DEGREE`]: then `[node,
    /// relations]` is in `big_degrees`, by node.
    degrees: Store<u16>,
    big_degrees: Store<[u32; 2]>,
    /// Words of the texts, for the typo tier.
    typo: typo::TypoIndex,
    /// Tells indexes apart, so that a session never narrows from another's
    /// matches.
    id: u64,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("entities", &self.degrees.len())
            .field("texts", &self.len())
            .field("folded_bytes", &self.folded.len())
            .finish()
    }
}

impl SearchIndex {
    /// Indexes every entity's name, aliases and weak aliases.
    pub fn build(graph: &Graph) -> Self {
        let nodes = graph.node_count();
        let mut ix = SearchIndex {
            folded: Vec::new().into(),
            starts: Vec::with_capacity(nodes * 2).into(),
            total: 0,
            masks: Vec::with_capacity(nodes * 2).into(),
            ranges: TextRanges::with_capacity(nodes),
            degrees: Vec::with_capacity(nodes).into(),
            big_degrees: Store::default(),
            typo: typo::TypoIndex::default(),
            id: next_index_id(),
        };
        let mut seen = Seen::default();
        // Offices by holder, in edge order.
        let mut offices: Vec<(u32, u32)> = graph
            .edge_indices()
            .filter(|&e| office_edge(graph, e))
            .map(|e| (graph.ends(e).0.index() as u32, e.index() as u32))
            .collect();
        offices.sort_unstable();
        let mut offices = offices.into_iter().peekable();
        for n in graph.node_indices() {
            if seen.ends.len() >= Seen::BATCH {
                seen.store(&mut ix);
            }
            let e = graph.entity(n);
            let first = ix.len() as u32;
            let degree = u32::try_from(graph.degree(n)).unwrap_or(u32::MAX);
            match u16::try_from(degree) {
                Ok(d) if d != Self::BIG_DEGREE => ix.degrees.vec().push(d),
                _ => {
                    ix.degrees.vec().push(Self::BIG_DEGREE);
                    ix.big_degrees.vec().push([n.index() as u32, degree]);
                }
            }
            let node = n.index() as u32;
            // A text left out ends its list: the texts kept of each kind are
            // then the first ones, which is what `field` counts on.
            ix.push(&mut seen, MatchedField::Name, e.name);
            for (i, a) in e.aliases.iter().enumerate() {
                if !ix.push(&mut seen, MatchedField::Alias(i as u32), a) {
                    break;
                }
            }
            for (i, a) in e.weak_aliases.iter().enumerate() {
                if !ix.push(&mut seen, MatchedField::WeakAlias(i as u32), a) {
                    break;
                }
            }
            let mut indexed = true;
            while let Some(&(holder, edge)) = offices.peek() {
                if holder > node {
                    break;
                }
                offices.next();
                if indexed
                    && let Some(text) = office_text(graph, crate::graph::EdgeIx::new(edge as usize))
                {
                    indexed = ix.push(&mut seen, MatchedField::Office(edge), &text);
                }
            }
            ix.ranges.push(ix.len() as u32 - first);
        }
        seen.store(&mut ix);
        ix.ranges.shrink_to_fit();
        ix.folded.shrink_to_fit();
        ix.starts.shrink_to_fit();
        ix.masks.shrink_to_fit();
        // A name read from the graph has its start in `seen.lowered` until
        // the typo index, which borrows every text, is built.
        let lowered = std::mem::take(&mut seen.lowered);
        let text = |i: usize| {
            let stored: &[u8] = if ix.masks[i] & SHARED_BIT != 0 {
                &lowered
            } else {
                &ix.folded
            };
            stored_text(stored, ix.starts[i] as usize)
        };
        ix.typo = typo::TypoIndex::build(ix.len(), text);
        for (s, &m) in ix.starts.vec().iter_mut().zip(ix.masks.iter()) {
            if m & SHARED_BIT != 0 {
                *s = 0;
            }
        }
        ix
    }

    /// Indexes `text` as `field` of the entity being indexed, and again in its
    /// second spelling when it has one (`Nierstenhöfer` as `nierstenhofer` and
    /// `nierstenhoefer`). False if the text could not be indexed.
    fn push(&mut self, seen: &mut Seen, field: MatchedField, text: &str) -> bool {
        if !self.push_folded(seen, field, text, false) {
            return false;
        }
        if has_alternative(text) {
            self.push_folded(seen, field, text, true);
        }
        true
    }

    fn push_folded(
        &mut self,
        seen: &mut Seen,
        field: MatchedField,
        text: &str,
        alternative: bool,
    ) -> bool {
        let from = seen.pending.len();
        if alternative {
            fold_alternative_into(text, &mut seen.pending, None);
        } else {
            fold_into(text, &mut seen.pending, None);
        }
        let len = seen.pending.len() - from;
        // Offsets are 32-bit: texts past 4 GiB of folded names (counting each
        // text's bytes, shared or not, and a length of a byte or more before
        // each) are left out, as are aliases past the billionth of one entity
        // and names over 2 GiB.
        let index_ok = match field {
            MatchedField::Name => true,
            MatchedField::Alias(i) | MatchedField::WeakAlias(i) | MatchedField::Office(i) => {
                i <= FIELD_INDEX
            }
        };
        let stored = seen.stored + (len + len_bytes(len)) as u64;
        // Positions inside one text must fit in 31 bits (see `engine`).
        let too_long = len > i32::MAX as usize;
        if !index_ok
            || too_long
            || stored > u64::from(u32::MAX)
            || self.len() >= u32::MAX as usize - 1
        {
            seen.pending.truncate(from);
            return false;
        }
        seen.stored = stored;
        self.total += len as u64;
        // A name of plain ASCII without control characters folds to its own
        // lower case: the graph holds it already.
        let shared = field == MatchedField::Name
            && !alternative
            && text.bytes().all(|b| b.is_ascii() && !b.is_ascii_control());
        let kind: u64 = match field {
            MatchedField::Name => 0,
            MatchedField::Alias(_) => 1,
            MatchedField::WeakAlias(_) => 2,
            MatchedField::Office(_) => 3,
        };
        let text = &seen.pending[from..];
        let mask = mask_of(text)
            | (word_mask_of(text) << WORD_SHIFT)
            | (kind << KIND_SHIFT)
            | if alternative { ALT_BIT } else { 0 }
            | if shared { SHARED_BIT } else { 0 };
        // Where it is stored is found when the batch is (`Seen::store`).
        seen.ends.push(seen.pending.len());
        self.masks.vec().push(mask);
        self.starts.vec().push(u32::MAX);
        true
    }

    /// Which field of `node` text `entry` is: its kind is in its mask, and its
    /// number is how many texts of that kind (first spellings) come before it
    /// among the node's texts; an office's edge is the node's office of that
    /// number, in edge order, as [`Self::build`] indexed them.
    fn field(&self, graph: &Graph, node: u32, entry: u32) -> Option<MatchedField> {
        let kind = self.masks.get(entry as usize)? >> KIND_SHIFT;
        let before = self
            .texts_of(node)
            .take_while(|&e| e < entry)
            .filter(|&e| {
                let m = self.masks[e as usize];
                m >> KIND_SHIFT == kind && m & ALT_BIT == 0
            })
            .count();
        // A second spelling follows its first, counted above.
        let i = if self.masks[entry as usize] & ALT_BIT != 0 {
            before.checked_sub(1)?
        } else {
            before
        };
        let i = u32::try_from(i).ok()?;
        Some(match kind {
            0 => MatchedField::Name,
            1 => MatchedField::Alias(i),
            2 => MatchedField::WeakAlias(i),
            _ => {
                let n = NodeIx::new(node as usize);
                let mut edges: Vec<u32> = graph
                    .ties_dir(n, petgraph::Direction::Outgoing)
                    .filter(|t| office_edge(graph, t.edge))
                    .map(|t| t.edge.index() as u32)
                    .collect();
                edges.sort_unstable();
                MatchedField::Office(*edges.get(i as usize)?)
            }
        })
    }

    /// Writes the index into a snapshot (see [`crate::snapshot`]).
    pub(crate) fn write_snapshot<W: std::io::Write>(
        &self,
        out: &mut Out<W>,
    ) -> std::io::Result<()> {
        out.pod(&self.folded)?;
        out.pod(&self.starts)?;
        out.u64(self.total)?;
        out.pod(&self.masks)?;
        out.pod(&self.degrees)?;
        out.pod(&self.big_degrees)?;
        let (counts, big, samples) = self.ranges.parts();
        out.pod(counts)?;
        out.pod(big)?;
        out.pod(samples)?;
        let (words, starts, posts) = self.typo.parts();
        out.pod(words)?;
        out.pod(starts)?;
        out.pod(posts)
    }

    /// Reads an index [`Self::write_snapshot`] wrote for a graph of `nodes`
    /// entities, checking that every offset is in bounds.
    pub(crate) fn read_snapshot(r: &mut MapIn, nodes: usize) -> Result<Self, SnapshotError> {
        let mut ix = SearchIndex {
            folded: r.pod()?,
            starts: r.pod()?,
            total: r.u64()?,
            masks: r.pod()?,
            ranges: TextRanges::default(),
            degrees: r.pod()?,
            big_degrees: r.pod()?,
            typo: typo::TypoIndex::default(),
            id: next_index_id(),
        };
        let (counts, big, samples) = (r.pod()?, r.pod()?, r.pod()?);
        let (words, starts, posts) = (r.pod()?, r.pod()?, r.pod()?);
        let texts = ix.masks.len();
        let ranges = TextRanges::from_parts(counts, big, samples, nodes, texts);
        // Every stored text's length and bytes lie in the folded text, and
        // their sum is at most the total said (the rest are names read from
        // the graph: only first spellings of names are).
        let stored = ix
            .starts
            .iter()
            .zip(ix.masks.iter())
            .try_fold(0u64, |sum, (&s, &m)| {
                if m & SHARED_BIT != 0 {
                    return (m >> KIND_SHIFT == 0 && m & ALT_BIT == 0).then_some(sum);
                }
                let (at, len) = text_at(&ix.folded, s as usize)?;
                let end = at.checked_add(len)?;
                (end <= ix.folded.len() && len <= i32::MAX as usize).then_some(sum + len as u64)
            });
        let ok = ix.starts.len() == texts
            && stored.is_some_and(|s| s <= ix.total)
            && ix.total <= u64::from(u32::MAX)
            && ix.degrees.len() == nodes
            && ix.big_degrees.windows(2).all(|w| w[0][0] < w[1][0])
            && ix
                .big_degrees
                .iter()
                .all(|&[n, _]| ix.degrees.get(n as usize) == Some(&Self::BIG_DEGREE))
            && ix
                .degrees
                .iter()
                .filter(|&&d| d == Self::BIG_DEGREE)
                .count()
                == ix.big_degrees.len();
        let typo = typo::TypoIndex::from_parts(words, starts, posts, texts);
        if ok
            && let Some(typo) = typo
            && let Some(ranges) = ranges
        {
            ix.typo = typo;
            ix.ranges = ranges;
            Ok(ix)
        } else {
            Err(SnapshotError::Corrupt(
                "the search index does not fit the graph",
            ))
        }
    }

    /// Number of texts (names, aliases, weak aliases) indexed.
    pub fn len(&self) -> usize {
        self.masks.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.masks.is_empty()
    }

    /// Number of entities indexed.
    pub fn entities(&self) -> usize {
        self.degrees.len()
    }

    /// How much memory the index holds.
    pub fn memory(&self) -> IndexMemory {
        fn bytes<T: bytemuck::Pod>(v: &Store<T>) -> usize {
            v.bytes()
        }
        let typo_bytes = self.typo.bytes();
        // `text_bytes` counts the lengths before each distinct text.
        let text_columns = bytes(&self.starts) + bytes(&self.masks);
        let entity_columns = self.ranges.bytes() + bytes(&self.degrees) + bytes(&self.big_degrees);
        IndexMemory {
            texts: self.len(),
            text_bytes: bytes(&self.folded),
            typo_bytes,
            text_columns,
            entity_columns,
            other_bytes: typo_bytes + text_columns + entity_columns + std::mem::size_of::<Self>(),
        }
    }

    /// [`Self::degrees`] of a node with this many relations or more.
    const BIG_DEGREE: u16 = u16::MAX;

    /// The number of relations of `node`.
    #[inline]
    fn degree(&self, node: u32) -> u32 {
        match self.degrees[node as usize] {
            Self::BIG_DEGREE => {
                let big: &[[u32; 2]] = &self.big_degrees;
                big.binary_search_by_key(&node, |b| b[0])
                    .map_or(u32::MAX, |i| big[i][1])
            }
            d => u32::from(d),
        }
    }

    /// Whether text `entry` is a name read from the graph ([`SHARED_BIT`]).
    #[inline]
    fn is_shared(&self, entry: u32) -> bool {
        self.masks[entry as usize] & SHARED_BIT != 0
    }

    /// Text `entry` as stored, or as the graph holds it (not yet lower-cased)
    /// when [`Self::is_shared`]; `node` is its owner.
    #[inline]
    fn raw_text<'a>(&'a self, graph: &'a Graph, node: u32, entry: u32) -> &'a [u8] {
        if self.is_shared(entry) {
            graph.entity_name_bytes(node as usize)
        } else {
            stored_text(&self.folded, self.starts[entry as usize] as usize)
        }
    }

    /// Text `entry` of `node`, folded: as stored, or the graph's name
    /// lower-cased (a copy).
    fn text<'a>(&'a self, graph: &'a Graph, node: u32, entry: u32) -> Cow<'a, [u8]> {
        let t = self.raw_text(graph, node, entry);
        if self.is_shared(entry) {
            Cow::Owned(t.to_ascii_lowercase())
        } else {
            Cow::Borrowed(t)
        }
    }

    /// The length of text `entry` of `node`.
    fn text_len(&self, graph: &Graph, node: u32, entry: u32) -> usize {
        self.raw_text(graph, node, entry).len()
    }

    /// Reads the first byte of each of texts `range` whose mask has every bit
    /// of `mask` (the texts a filter pass will read), so that their cache
    /// misses overlap.
    #[inline]
    fn warm(&self, range: std::ops::Range<usize>, mask: u64) {
        let (masks, starts) = (&self.masks[range.clone()], &self.starts[range]);
        let sum = masks.iter().zip(starts).fold(0u8, |acc, (&m, &s)| {
            if m & mask == mask && m & SHARED_BIT == 0 {
                acc.wrapping_add(self.folded.get(s as usize).copied().unwrap_or(0))
            } else {
                acc
            }
        });
        std::hint::black_box(sum);
    }

    /// The bytes a filter pass over texts `from..to` may copy, about: the
    /// texts' share of [`Self::total`], a little over.
    fn bytes_of(&self, from: usize, to: usize) -> usize {
        let n = to.saturating_sub(from) as u64;
        let len = self.len().max(1) as u64;
        (self.total.saturating_mul(n) / len + n) as usize
    }

    #[inline]
    fn is_weak(&self, entry: u32) -> bool {
        self.masks[entry as usize] & WEAK_BIT != 0
    }

    fn texts_of(&self, node: u32) -> std::ops::Range<u32> {
        self.ranges.range(node as usize)
    }

    /// The node text `entry` names: the last whose texts start at or before it.
    fn owner(&self, entry: u32) -> u32 {
        self.owners().owner(entry)
    }

    /// Owners of texts asked for mostly in ascending order (see [`Owners`]).
    fn owners(&self) -> Owners<'_> {
        self.ranges.owners()
    }

    /// Whether any name of `node` matches an excluding term (offices do not
    /// count: `!minister` leaves out names, not people holding office).
    fn excluded(&self, graph: &Graph, node: u32, q: &Query) -> bool {
        self.texts_of(node).any(|e| {
            self.masks[e as usize] >> KIND_SHIFT != 3 && {
                let t = self.text(graph, node, e);
                q.negative.iter().any(|n| n.matches(&t))
            }
        })
    }

    /// Ranked hits, best first, at most `limit`, only nodes for which `keep` is
    /// true. `graph` must be the graph the index was built from.
    pub fn search(
        &self,
        graph: &Graph,
        query: &str,
        limit: usize,
        keep: &(dyn Fn(NodeIx) -> bool + Sync),
    ) -> Vec<Hit> {
        let q = Query::parse(query);
        let ranked = self
            .run(
                graph,
                &q,
                None,
                &mut Matches::default(),
                limit,
                keep,
                &never,
            )
            .unwrap_or_default();
        self.hits(graph, &q, &ranked)
    }

    /// The ranking of an entity for a query with no positive term: its name, scored
    /// by its number of relations.
    fn empty_rank(&self, graph: &Graph, q: &Query, node: u32) -> Option<Ranked> {
        let entry = self.texts_of(node).next()?;
        if !q.negative.is_empty() && self.excluded(graph, node, q) {
            return None;
        }
        let degree = self.degree(node);
        Some(Ranked {
            score: i64::from(degree),
            entry,
            len: self.text_len(graph, node, entry) as u32,
            degree,
            node,
        })
    }

    /// Turns ranked texts into hits: the original text and where to highlight it.
    fn hits(&self, graph: &Graph, q: &Query, ranked: &[Ranked]) -> Vec<Hit> {
        let m = matcher();
        ranked
            .iter()
            .filter_map(|r| {
                let node = NodeIx::new(r.node as usize);
                if r.node as usize >= graph.node_count() {
                    return None;
                }
                let field = self.field(graph, r.node, r.entry)?;
                let text = field.text_in(graph, node)?;
                let tier = Tier::of_score(r.score);
                let positions = positions(&text, q, &m, tier);
                Some(Hit {
                    node,
                    score: r.score,
                    field,
                    text,
                    positions,
                })
            })
            .collect()
    }
}

/// Where the text whose length is at `folded[at]` starts, and its length
/// (LEB128, at most five bytes); `None` past the end or for a length over 32
/// bits.
#[inline]
fn text_at(folded: &[u8], at: usize) -> Option<(usize, usize)> {
    let (len, n) = leb128::read(folded.get(at..)?)?;
    Some((at + n, len as usize))
}

/// Appends `len` as LEB128.
fn push_len(v: &mut Vec<u8>, len: usize) {
    leb128::push(len as u64, v);
}

/// The text whose length is at `folded[at]`; empty if it does not lie there.
#[inline]
fn stored_text(folded: &[u8], at: usize) -> &[u8] {
    match text_at(folded, at) {
        Some((at, len)) => folded.get(at..at + len).unwrap_or(&[]),
        None => &[],
    }
}

/// Bytes of the LEB128 length of a text of `len` bytes.
fn len_bytes(len: usize) -> usize {
    (usize::BITS - (len | 1).leading_zeros()).div_ceil(7) as usize
}

/// What [`SearchIndex::build`] keeps while it indexes: the batch of texts
/// folded but not yet stored, and where each distinct folded text went, to
/// store it once.
#[derive(Default)]
struct Seen {
    /// The batch's folded texts, one after the other; text `k` of the batch
    /// ends at `ends[k]`, and is the index's text `len - ends.len() + k`.
    pending: Vec<u8>,
    ends: Vec<usize>,
    /// Of each text of the batch, its hash and where a text of that hash
    /// was stored.
    hashes: Vec<(u64, Option<u32>)>,
    /// A folded text's hash → where its length is in `folded`. Two texts of
    /// one hash that differ are both stored (the second is not shared).
    starts: std::collections::HashMap<u64, u32, foldhash::fast::FixedState>,
    /// What `folded` will hold when every text so far is stored, at most:
    /// each text's length and bytes (below 4 GiB, so that a start fits).
    stored: u64,
    /// The names read from the graph ([`SHARED_BIT`]), folded, each after
    /// its length, for the typo index's build (their starts point here
    /// until then).
    lowered: Vec<u8>,
}

impl Seen {
    /// Texts folded before their batch is stored. (Tiny in unit tests, so
    /// that the small test graphs are stored in many batches.)
    const BATCH: usize = if cfg!(test) { 5 } else { 1024 };

    fn hash(text: &[u8]) -> u64 {
        use std::hash::BuildHasher as _;
        foldhash::fast::FixedState::with_seed(0x7469_6573).hash_one(text)
    }

    /// Stores the batch's texts in `ix.folded`, each distinct text once, and
    /// sets their starts. The look-ups are made for the whole batch first, and
    /// what they found read in a tight loop, so that their cache misses
    /// overlap instead of coming one text at a time.
    fn store(&mut self, ix: &mut SearchIndex) {
        let first = ix.starts.len() - self.ends.len();
        self.hashes.clear();
        let mut from = 0;
        for (k, &end) in self.ends.iter().enumerate() {
            // A name read from the graph is neither looked up nor stored.
            let h = if ix.masks[first + k] & SHARED_BIT != 0 {
                0
            } else {
                Self::hash(&self.pending[from..end])
            };
            self.hashes.push((h, None));
            from = end;
        }
        for (k, (h, at)) in self.hashes.iter_mut().enumerate() {
            if ix.masks[first + k] & SHARED_BIT == 0 {
                *at = self.starts.get(h).copied();
            }
        }
        let warm = self.hashes.iter().fold(0u8, |acc, &(_, at)| {
            let b = at.and_then(|at| ix.folded.get(at as usize).copied());
            acc.wrapping_add(b.unwrap_or(0))
        });
        std::hint::black_box(warm);
        let mut from = 0;
        for (k, &end) in self.ends.iter().enumerate() {
            let text = &self.pending[from..end];
            from = end;
            if ix.masks[first + k] & SHARED_BIT != 0 {
                // Below 4 GiB: `stored` counted it.
                ix.starts.vec()[first + k] = self.lowered.len() as u32;
                push_len(&mut self.lowered, text.len());
                self.lowered.extend_from_slice(text);
                continue;
            }
            let (h, found) = self.hashes[k];
            // A text met earlier in this batch was not yet in `starts`.
            let at = found.or_else(|| self.starts.get(&h).copied());
            let same = at.and_then(|at| {
                let (from, len) = text_at(&ix.folded, at as usize)?;
                (ix.folded.get(from..from + len) == Some(text)).then_some(at)
            });
            let at = same.unwrap_or_else(|| {
                // Below 4 GiB: `stored` counted it.
                let at = ix.folded.len() as u32;
                let v = ix.folded.vec();
                push_len(v, text.len());
                v.extend_from_slice(text);
                self.starts.entry(h).or_insert(at);
                at
            });
            ix.starts.vec()[first + k] = at;
        }
        self.pending.clear();
        self.ends.clear();
    }
}

/// An incremental search session, as typed: remembers the last query and the
/// texts it matched, and when the next query narrows it (more characters, more
/// terms), filters only those.
#[derive(Debug)]
pub struct Searcher<'a> {
    index: &'a SearchIndex,
    session: Session,
}

/// The state an incremental search carries from one query to the next.
#[derive(Debug, Default)]
pub(crate) struct Session {
    /// The index the last matches are from.
    index: u64,
    last: Option<(Query, Matches)>,
    /// Buffers to filter into, kept to save allocating.
    spare: Matches,
}

impl Clone for Session {
    /// A copy as it would be in a session that has been typed into: the spare
    /// buffers are as large as the last matches, as the buffers of the keystroke
    /// before last would be (which is what the next keystroke writes into).
    fn clone(&self) -> Self {
        let mut spare = self
            .last
            .as_ref()
            .map(|(_, m)| m.clone())
            .unwrap_or_default();
        spare.clear();
        Session {
            index: self.index,
            last: self.last.clone(),
            spare,
        }
    }
}

impl Session {
    /// Runs `query`, narrowing from the last completed query when possible.
    /// `None` if cancelled (the session is then unchanged).
    pub(crate) fn run(
        &mut self,
        index: &SearchIndex,
        graph: &Graph,
        query: &str,
        limit: usize,
        keep: &(dyn Fn(NodeIx) -> bool + Sync),
        cancel: &(dyn Fn() -> bool + Sync),
    ) -> Option<Vec<Hit>> {
        let q = Query::parse(query);
        if self.index != index.id {
            self.index = index.id;
            self.last = None;
        }
        let within = match &self.last {
            Some((prev, m)) if !q.is_empty() && q.narrows(prev) => Some((prev, m)),
            _ => None,
        };
        let mut out = std::mem::take(&mut self.spare);
        let Some(ranked) = index.run(graph, &q, within, &mut out, limit, keep, cancel) else {
            self.spare = out;
            return None;
        };
        let hits = index.hits(graph, &q, &ranked);
        if q.is_empty() {
            self.spare = out;
            self.last = None;
        } else if let Some((_, old)) = self.last.replace((q, out)) {
            self.spare = old;
        }
        Some(hits)
    }

    /// How many texts the last query matched.
    fn matched(&self) -> usize {
        self.last.as_ref().map_or(0, |(_, m)| m.len())
    }
}

impl<'a> Searcher<'a> {
    /// A session with no history.
    pub fn new(index: &'a SearchIndex) -> Self {
        Searcher {
            index,
            session: Session::default(),
        }
    }

    /// Ranked hits for `query`, as [`SearchIndex::search`]; faster when `query`
    /// narrows the previous one.
    pub fn update(
        &mut self,
        graph: &Graph,
        query: &str,
        limit: usize,
        keep: &(dyn Fn(NodeIx) -> bool + Sync),
    ) -> Vec<Hit> {
        self.session
            .run(self.index, graph, query, limit, keep, &never)
            .unwrap_or_default()
    }

    /// Forgets the previous query.
    pub fn reset(&mut self) {
        self.session = Session::default();
    }

    /// How many texts the last query matched (before `keep` and `limit`).
    pub fn matched(&self) -> usize {
        self.session.matched()
    }
}

/// An incremental search like [`Searcher`] that does not borrow the index, to
/// keep in long-lived state next to an `Arc<SearchIndex>` (a search popup, say):
/// pass the index to each [`update`](Self::update). Given another index than
/// last time, it starts afresh.
#[derive(Debug, Default, Clone)]
pub struct SearchSession {
    session: Session,
}

impl SearchSession {
    /// A session with no history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Ranked hits for `query`, as [`SearchIndex::search`]; faster when `query`
    /// narrows the previous one.
    pub fn update(
        &mut self,
        index: &SearchIndex,
        graph: &Graph,
        query: &str,
        limit: usize,
        keep: &(dyn Fn(NodeIx) -> bool + Sync),
    ) -> Vec<Hit> {
        self.session
            .run(index, graph, query, limit, keep, &never)
            .unwrap_or_default()
    }

    /// Forgets the previous query.
    pub fn reset(&mut self) {
        self.session = Session::default();
    }

    /// How many texts the last query matched (before `keep` and `limit`).
    pub fn matched(&self) -> usize {
        self.session.matched()
    }
}

/// A session is a cache: it changes how fast results come, never which. So any
/// two compare equal, and state holding one can still derive `PartialEq`.
impl PartialEq for SearchSession {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Clone for Searcher<'_> {
    fn clone(&self) -> Self {
        Searcher {
            index: self.index,
            session: self.session.clone(),
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod tests_typo;

#[cfg(test)]
pub(super) mod tests_columns;

#[cfg(test)]
mod tests_shared;
