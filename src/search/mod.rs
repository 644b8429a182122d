//! Fuzzy search over every entity's name and aliases.
//!
//! [`SearchIndex::build`] folds every name, alias and weak alias to lower-case
//! ASCII ([`fold`]) and keeps the folded text contiguous in memory, with a
//! character-presence mask per text. A query is parsed with fzf's extended syntax
//! (see [`query`](self#syntax)), and matched in three stages:
//!
//! 1. **Filter**: a mask test, then a subsequence (or substring, prefix, suffix)
//!    test over the folded bytes. This decides *whether* a text matches, exactly
//!    as SkimMatcherV2 would (it matches a pattern iff the pattern is a
//!    subsequence). When the query narrows the previous one ([`Searcher`],
//!    [`SearchWorker`]), only the previous matches are filtered, read in order
//!    from a packed copy, and a term typed on is matched from where its shorter
//!    form stopped.
//! 2. **Tier**: exact (the whole name is the query), word start (every term
//!    occurs as one piece at the start of a word, a prefix included), or fuzzy
//!    (scattered). Weak aliases sit just below names and aliases of the same tier.
//! 3. **Score**: exact and word-start matches are ordered by how many terms match
//!    whole words; fuzzy matches by the SkimMatcherV2 score (summed over terms).
//!    Skim scoring is the expensive step, and it is done only when the better
//!    tiers hold fewer entities than asked for.
//!
//! Ties are broken by the shorter matched text, then by more relations, then by
//! graph order, so results are fully deterministic. [`naive_search`] computes the
//! same ranking by running SkimMatcherV2 over every text; tests and the benchmark
//! check that both agree.
//!
//! # Syntax
//!
//! Space-separated terms must all match, in any order: `abc` fuzzy, `'abc` exact
//! substring, `^abc` prefix, `abc$` suffix, `^abc$` the whole name, `!abc` excludes
//! entities any of whose names contains `abc` (also `!^abc`, `!abc$`). A query with
//! no term to match (empty, or only exclusions) lists entities by number of
//! relations, most first.
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
mod fold;
mod matches;
mod naive;
mod query;
mod resolve;
mod score;
mod worker;

use crate::codec::{In, Out, SnapshotError};
use crate::graph::{Graph, NodeIx};
pub use engine::set_threads;
use engine::{WEAK_BIT, never};
pub use fold::fold;
use fold::{fold_into, mask_of, word_mask_of};
use matches::Matches;
pub use naive::naive_search;
use query::{Kind, Query, find_from};
pub use resolve::{ResolveError, Resolver};
use score::{Ranked, matcher, word_occurrence};
pub use worker::{Keep, SearchResult, SearchWorker};

/// Which of an entity's names matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchedField {
    Name,
    /// `aliases[i]`.
    Alias(u32),
    /// `weak_aliases[i]`.
    WeakAlias(u32),
}

impl MatchedField {
    fn encode(self) -> u32 {
        match self {
            MatchedField::Name => 0,
            MatchedField::Alias(i) => (1 << 30) | (i & FIELD_INDEX),
            MatchedField::WeakAlias(i) => (2 << 30) | (i & FIELD_INDEX),
        }
    }

    fn decode(v: u32) -> Self {
        match v >> 30 {
            0 => MatchedField::Name,
            1 => MatchedField::Alias(v & FIELD_INDEX),
            _ => MatchedField::WeakAlias(v & FIELD_INDEX),
        }
    }

    /// `name`, `alias` or `weak alias`.
    pub fn label(self) -> &'static str {
        match self {
            MatchedField::Name => "name",
            MatchedField::Alias(_) => "alias",
            MatchedField::WeakAlias(_) => "weak alias",
        }
    }

    /// The text of this field of `entity`, if it has one.
    pub fn text_of<'g>(self, entity: &crate::graph::Entity<'g>) -> Option<&'g str> {
        match self {
            MatchedField::Name => Some(entity.name),
            MatchedField::Alias(i) => entity.aliases.get(i as usize),
            MatchedField::WeakAlias(i) => entity.weak_aliases.get(i as usize),
        }
    }
}

const FIELD_INDEX: u32 = (1 << 30) - 1;

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
    /// alias 6, word start 5, weak 4, fuzzy 3, weak 2, no query 0); the low bits
    /// order hits within a tier.
    pub score: i64,
    /// Which name matched.
    pub field: MatchedField,
    /// The original (unfolded) text that matched.
    pub text: String,
    /// Character indices into `text` to highlight, ascending.
    pub positions: Vec<usize>,
}

/// How a hit matched, best last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// No query: every entity.
    Any,
    /// The query's letters in order, with gaps.
    Fuzzy,
    /// Every term at the start of a word.
    WordStart,
    /// The text is the query.
    Exact,
}

impl Tier {
    /// How the tier is named in the CLI's output.
    pub fn label(self) -> &'static str {
        match self {
            Tier::Exact => "exact",
            Tier::WordStart => "word start",
            Tier::Fuzzy => "fuzzy",
            Tier::Any => "any",
        }
    }
}

impl Hit {
    /// The rank: the tier, and within it names and aliases above weak aliases
    /// (the high bits of [`Hit::score`]).
    pub fn rank(&self) -> i64 {
        self.score >> score::SCORE_BITS
    }

    /// How well the hit matched.
    pub fn tier(&self) -> Tier {
        match (self.rank() / 2).clamp(0, 3) {
            3 => Tier::Exact,
            2 => Tier::WordStart,
            1 => Tier::Fuzzy,
            _ => Tier::Any,
        }
    }

    /// The strength of the match within its rank (the low bits of
    /// [`Hit::score`]): higher is better.
    pub fn strength(&self) -> i64 {
        self.score & ((1 << score::SCORE_BITS) - 1)
    }
}

/// How much memory an index uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexMemory {
    /// Names, aliases and weak aliases indexed.
    pub texts: usize,
    /// Bytes of folded text.
    pub text_bytes: usize,
    /// Every other byte the index holds (offsets, masks, owners, degrees…).
    pub other_bytes: usize,
}

/// Search over every entity's name and aliases. Cheap to share: `Send + Sync`.
#[derive(Default)]
pub struct SearchIndex {
    /// Every text folded, one after the other.
    folded: Vec<u8>,
    /// Text `i` is `folded[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    /// Character-presence mask of each text; [`WEAK_BIT`] marks weak aliases.
    masks: Vec<u64>,
    /// Mask of the bytes that start a word in each text.
    word_masks: Vec<u64>,
    /// The node each text names.
    owners: Vec<u32>,
    /// Which field of its node each text is ([`MatchedField::encode`]).
    fields: Vec<u32>,
    /// Texts of node `n` are `entity_first[n]..entity_first[n + 1]`.
    entity_first: Vec<u32>,
    /// Relations of each node.
    degrees: Vec<u32>,
    /// Tells indexes apart, so that a session never narrows from another's
    /// matches.
    id: u64,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("entities", &self.degrees.len())
            .field("texts", &self.owners.len())
            .field("folded_bytes", &self.folded.len())
            .finish()
    }
}

impl SearchIndex {
    /// Indexes every entity's name, aliases and weak aliases.
    pub fn build(graph: &Graph) -> Self {
        let nodes = graph.node_count();
        let mut ix = SearchIndex {
            folded: Vec::with_capacity(nodes * 24),
            starts: Vec::with_capacity(nodes * 2 + 1),
            masks: Vec::with_capacity(nodes * 2),
            word_masks: Vec::with_capacity(nodes * 2),
            owners: Vec::with_capacity(nodes * 2),
            fields: Vec::with_capacity(nodes * 2),
            entity_first: Vec::with_capacity(nodes + 1),
            degrees: Vec::with_capacity(nodes),
            id: next_index_id(),
        };
        ix.starts.push(0);
        for n in graph.node_indices() {
            let e = graph.entity(n);
            ix.entity_first.push(ix.owners.len() as u32);
            ix.degrees
                .push(u32::try_from(graph.degree(n)).unwrap_or(u32::MAX));
            let node = n.index() as u32;
            ix.push(node, MatchedField::Name, e.name);
            for (i, a) in e.aliases.iter().enumerate() {
                ix.push(node, MatchedField::Alias(i as u32), a);
            }
            for (i, a) in e.weak_aliases.iter().enumerate() {
                ix.push(node, MatchedField::WeakAlias(i as u32), a);
            }
        }
        ix.entity_first.push(ix.owners.len() as u32);
        ix.folded.shrink_to_fit();
        ix.starts.shrink_to_fit();
        ix.masks.shrink_to_fit();
        ix.word_masks.shrink_to_fit();
        ix.owners.shrink_to_fit();
        ix.fields.shrink_to_fit();
        ix
    }

    fn push(&mut self, node: u32, field: MatchedField, text: &str) {
        let before = self.folded.len();
        fold_into(text, &mut self.folded, None);
        // Offsets are 32-bit: texts past 4 GiB of folded names are left out, as are
        // aliases past the billionth of one entity and names over 2 GiB.
        let index_ok = match field {
            MatchedField::Name => true,
            MatchedField::Alias(i) | MatchedField::WeakAlias(i) => i <= FIELD_INDEX,
        };
        let Ok(end) = u32::try_from(self.folded.len()) else {
            self.folded.truncate(before);
            return;
        };
        // Positions inside one text must fit in 31 bits (see `engine`).
        let too_long = self.folded.len() - before > i32::MAX as usize;
        if !index_ok || too_long || self.owners.len() >= u32::MAX as usize - 1 {
            self.folded.truncate(before);
            return;
        }
        let weak = matches!(field, MatchedField::WeakAlias(_));
        let mask = mask_of(&self.folded[before..]) | if weak { WEAK_BIT } else { 0 };
        self.masks.push(mask);
        self.word_masks.push(word_mask_of(&self.folded[before..]));
        self.starts.push(end);
        self.owners.push(node);
        self.fields.push(field.encode());
    }

    /// Writes the index into a snapshot (see [`crate::snapshot`]).
    pub(crate) fn write_snapshot<W: std::io::Write>(
        &self,
        out: &mut Out<W>,
    ) -> std::io::Result<()> {
        out.pod(&self.folded)?;
        out.pod(&self.starts)?;
        out.pod(&self.masks)?;
        out.pod(&self.word_masks)?;
        out.pod(&self.owners)?;
        out.pod(&self.fields)?;
        out.pod(&self.entity_first)?;
        out.pod(&self.degrees)
    }

    /// Reads an index [`Self::write_snapshot`] wrote for a graph of `nodes`
    /// entities, checking that every offset is in bounds.
    pub(crate) fn read_snapshot<R: std::io::Read>(
        r: &mut In<R>,
        nodes: usize,
    ) -> Result<Self, SnapshotError> {
        let ix = SearchIndex {
            folded: r.pod()?,
            starts: r.pod()?,
            masks: r.pod()?,
            word_masks: r.pod()?,
            owners: r.pod()?,
            fields: r.pod()?,
            entity_first: r.pod()?,
            degrees: r.pod()?,
            id: next_index_id(),
        };
        let texts = ix.owners.len();
        let ascending = |v: &[u32], last: usize| {
            v.first() == Some(&0)
                && v.windows(2).all(|w| w[0] <= w[1])
                && v.last().map(|&l| l as usize) == Some(last)
        };
        let ok = ix.starts.len() == texts + 1
            && ascending(&ix.starts, ix.folded.len())
            && ix.masks.len() == texts
            && ix.word_masks.len() == texts
            && ix.fields.len() == texts
            && ix.degrees.len() == nodes
            && ix.entity_first.len() == nodes + 1
            && ascending(&ix.entity_first, texts)
            && ix.owners.iter().all(|&o| (o as usize) < nodes);
        if ok {
            Ok(ix)
        } else {
            Err(SnapshotError::Corrupt(
                "the search index does not fit the graph",
            ))
        }
    }

    /// Number of texts (names, aliases, weak aliases) indexed.
    pub fn len(&self) -> usize {
        self.owners.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.owners.is_empty()
    }

    /// Number of entities indexed.
    pub fn entities(&self) -> usize {
        self.degrees.len()
    }

    /// How much memory the index holds.
    pub fn memory(&self) -> IndexMemory {
        fn bytes<T>(v: &Vec<T>) -> usize {
            v.capacity() * std::mem::size_of::<T>()
        }
        IndexMemory {
            texts: self.len(),
            text_bytes: bytes(&self.folded),
            other_bytes: bytes(&self.starts)
                + bytes(&self.masks)
                + bytes(&self.word_masks)
                + bytes(&self.owners)
                + bytes(&self.fields)
                + bytes(&self.entity_first)
                + bytes(&self.degrees)
                + std::mem::size_of::<Self>(),
        }
    }

    #[inline]
    fn text(&self, entry: u32) -> &[u8] {
        let i = entry as usize;
        &self.folded[self.starts[i] as usize..self.starts[i + 1] as usize]
    }

    #[inline]
    fn is_weak(&self, entry: u32) -> bool {
        self.masks[entry as usize] & WEAK_BIT != 0
    }

    fn texts_of(&self, node: u32) -> std::ops::Range<u32> {
        let n = node as usize;
        self.entity_first[n]..self.entity_first[n + 1]
    }

    /// Whether any name of `node` matches an excluding term.
    fn excluded(&self, node: u32, q: &Query) -> bool {
        self.texts_of(node).any(|e| {
            let t = self.text(e);
            q.negative.iter().any(|n| n.matches(t))
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
            .run(&q, None, &mut Matches::default(), limit, keep, &never)
            .unwrap_or_default();
        self.hits(graph, &q, &ranked)
    }

    /// The ranking of an entity for a query with no positive term: its name, scored
    /// by its number of relations.
    fn empty_rank(&self, q: &Query, node: u32) -> Option<Ranked> {
        let entry = self.texts_of(node).next()?;
        if !q.negative.is_empty() && self.excluded(node, q) {
            return None;
        }
        let degree = self.degrees[node as usize];
        Some(Ranked {
            score: i64::from(degree),
            entry,
            len: self.text(entry).len() as u32,
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
                let field = MatchedField::decode(self.fields[r.entry as usize]);
                let text = field.text_of(&graph.entity(node))?.to_string();
                let positions = positions(&text, q, &m);
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

/// Character indices of `text` to highlight for `q`.
fn positions(text: &str, q: &Query, m: &score::Matcher) -> Vec<usize> {
    let mut folded = Vec::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len());
    fold_into(text, &mut folded, Some(&mut map));
    let mut at: Vec<usize> = Vec::new();
    for t in &q.positive {
        let term = t.text.as_slice();
        let len = term.len();
        let range = match t.kind {
            Kind::Fuzzy | Kind::Exact => word_occurrence(&folded, term)
                .map(|(a, _)| a)
                .or_else(|| {
                    (t.kind == Kind::Exact)
                        .then(|| find_from(&folded, term, 0))
                        .flatten()
                })
                .map(|a| a..a + len),
            Kind::Prefix | Kind::Equal => Some(0..len),
            Kind::Suffix => Some(folded.len().saturating_sub(len)..folded.len()),
        };
        match range {
            Some(r) => at.extend(r),
            None => {
                let ft = std::str::from_utf8(&folded).unwrap_or("");
                let tt = std::str::from_utf8(term).unwrap_or("");
                if let Some((_, ix)) = m.fuzzy_indices(ft, tt) {
                    at.extend(ix);
                }
            }
        }
    }
    let mut out: Vec<usize> = at
        .into_iter()
        .filter_map(|i| map.get(i).map(|&c| c as usize))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
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
        let Some(ranked) = index.run(&q, within, &mut out, limit, keep, cancel) else {
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
