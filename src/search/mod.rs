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
//!    subsequence). When the query extends the previous one ([`Searcher`]), only
//!    the previous matches are filtered.
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

mod fold;
mod query;
mod worker;

use std::sync::atomic::{AtomicBool, Ordering};

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use crate::graph::{Graph, NodeIx};
pub use fold::fold;
use fold::{fold_into, mask_of};
use query::{Kind, Query, find_from};
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
    pub fn text_of(self, entity: &crate::graph::Entity) -> Option<&str> {
        match self {
            MatchedField::Name => Some(&entity.name),
            MatchedField::Alias(i) => entity.aliases.get(i as usize).map(|s| &**s),
            MatchedField::WeakAlias(i) => entity.weak_aliases.get(i as usize).map(|s| &**s),
        }
    }
}

const FIELD_INDEX: u32 = (1 << 30) - 1;

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

impl Hit {
    /// The tier part of the score: 3 exact, 2 word start, 1 fuzzy, 0 no query.
    pub fn tier(&self) -> u8 {
        ((self.score >> 32) / 2).clamp(0, 3) as u8
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
    /// Character-presence mask of each text.
    masks: Vec<u64>,
    /// The node each text names.
    owners: Vec<u32>,
    /// Which field of its node each text is ([`MatchedField::encode`]).
    fields: Vec<u32>,
    /// Texts of node `n` are `entity_first[n]..entity_first[n + 1]`.
    entity_first: Vec<u32>,
    /// Relations of each node.
    degrees: Vec<u32>,
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

/// Rank of a text within its tier's score bits.
const SCORE_BITS: u32 = 32;
const SUB_MAX: i64 = (1 << 31) - 1;

/// Tiers, before the strong/weak split.
const TIER_EXACT: u8 = 3;
const TIER_WORD: u8 = 2;
const TIER_FUZZY: u8 = 1;

/// The rank (high score bits) of a text of a tier.
#[inline]
fn rank_of(tier: u8, weak: bool) -> u8 {
    tier * 2 + u8::from(!weak)
}

#[inline]
fn score_of(rank: u8, sub: i64) -> i64 {
    (i64::from(rank) << SCORE_BITS) + sub.clamp(-SUB_MAX, SUB_MAX)
}

/// Batches between two looks at the cancel flag.
const CHECK_EVERY: usize = 4096;
/// Work below this is done on the calling thread alone.
const PARALLEL_MIN: usize = 65_536;

/// A text that made it to the final ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ranked {
    score: i64,
    entry: u32,
    len: u32,
    degree: u32,
    node: u32,
}

impl Ranked {
    /// Best first: higher score, shorter text, more relations, earlier node.
    fn order(a: &Ranked, b: &Ranked) -> std::cmp::Ordering {
        b.score
            .cmp(&a.score)
            .then(a.len.cmp(&b.len))
            .then(b.degree.cmp(&a.degree))
            .then(a.node.cmp(&b.node))
    }
}

/// Keeps the `limit` best of `v`, sorted best first.
fn top(mut v: Vec<Ranked>, limit: usize) -> Vec<Ranked> {
    if v.len() > limit && limit > 0 {
        v.select_nth_unstable_by(limit - 1, Ranked::order);
    }
    v.truncate(limit);
    v.sort_unstable_by(Ranked::order);
    v
}

/// The entities whose texts matched, grouped: `cands[start..start + len]` are the
/// matching texts of `node`, and `rank` is the best rank among them.
#[derive(Debug, Clone, Copy)]
struct Group {
    node: u32,
    start: u32,
    len: u32,
    rank: u8,
}

/// What a filter pass over part of the texts found.
#[derive(Default)]
struct Pass {
    cands: Vec<u32>,
    groups: Vec<Group>,
}

#[inline]
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

#[inline]
fn word_start(text: &[u8], at: usize) -> bool {
    at == 0 || !is_word(text[at - 1])
}

#[inline]
fn word_end(text: &[u8], end: usize) -> bool {
    end >= text.len() || !is_word(text[end])
}

/// Where `term` occurs at the start of a word: the first such place that is a
/// whole word, else the first such place.
fn word_occurrence(text: &[u8], term: &[u8]) -> Option<(usize, bool)> {
    let mut first = None;
    let mut from = 0;
    while let Some(at) = find_from(text, term, from) {
        if word_start(text, at) {
            if word_end(text, at + term.len()) {
                return Some((at, true));
            }
            first.get_or_insert((at, false));
        }
        from = at + 1;
    }
    first
}

/// The tier of a text known to match every positive term, and the count of terms
/// that match whole words (meaningful for the word-start tier).
fn classify(text: &[u8], q: &Query) -> (u8, i64) {
    if q.plain.as_deref() == Some(text) {
        return (TIER_EXACT, 0);
    }
    let mut whole = 0;
    for t in &q.positive {
        let term = t.text.as_slice();
        let at = match t.kind {
            Kind::Fuzzy | Kind::Exact => word_occurrence(text, term),
            Kind::Prefix => Some((0, word_end(text, term.len()))),
            Kind::Suffix => {
                let at = text.len() - term.len();
                word_start(text, at).then_some((at, true))
            }
            Kind::Equal => Some((0, true)),
        };
        match at {
            Some((_, w)) => whole += i64::from(w),
            None => return (TIER_FUZZY, 0),
        }
    }
    (TIER_WORD, whole)
}

/// The score of a text known to match. `skim` scores one term (only called for
/// fuzzy-tier texts).
fn score_text(
    text: &[u8],
    q: &Query,
    weak: bool,
    mut skim: impl FnMut(&[u8], &[u8]) -> i64,
) -> i64 {
    let (tier, sub) = classify(text, q);
    let sub = if tier == TIER_FUZZY {
        q.positive
            .iter()
            .map(|t| skim(text, &t.text))
            .fold(0i64, i64::saturating_add)
    } else {
        sub
    };
    score_of(rank_of(tier, weak), sub)
}

/// SkimMatcherV2 over folded (ASCII) text.
fn skim_score(m: &SkimMatcherV2, text: &[u8], term: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(text).ok()?;
    let term = std::str::from_utf8(term).ok()?;
    m.fuzzy_match(text, term)
}

fn matcher() -> SkimMatcherV2 {
    SkimMatcherV2::default().ignore_case()
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// Where a search looks: every text, or the matches of an earlier query.
#[derive(Clone, Copy)]
enum Scope<'a> {
    /// Texts `start..end`.
    All(u32, u32),
    Within(&'a [u32]),
}

impl Scope<'_> {
    fn len(&self) -> usize {
        match self {
            Scope::All(a, b) => (b - a) as usize,
            Scope::Within(s) => s.len(),
        }
    }

    fn get(&self, i: usize) -> u32 {
        match self {
            Scope::All(a, _) => a + i as u32,
            Scope::Within(s) => s[i],
        }
    }

    fn slice(&self, from: usize, to: usize) -> Self {
        match self {
            Scope::All(a, _) => Scope::All(a + from as u32, a + to as u32),
            Scope::Within(s) => Scope::Within(&s[from..to]),
        }
    }
}

/// Something that says when to give up.
pub(crate) type Cancel<'a> = &'a (dyn Fn() -> bool + Sync);

fn never() -> bool {
    false
}

impl SearchIndex {
    /// Indexes every entity's name, aliases and weak aliases.
    pub fn build(graph: &Graph) -> Self {
        let nodes = graph.node_count();
        let mut ix = SearchIndex {
            folded: Vec::with_capacity(nodes * 24),
            starts: Vec::with_capacity(nodes * 2 + 1),
            masks: Vec::with_capacity(nodes * 2),
            owners: Vec::with_capacity(nodes * 2),
            fields: Vec::with_capacity(nodes * 2),
            entity_first: Vec::with_capacity(nodes + 1),
            degrees: Vec::with_capacity(nodes),
        };
        ix.starts.push(0);
        for n in graph.node_indices() {
            let e = graph.entity(n);
            ix.entity_first.push(ix.owners.len() as u32);
            ix.degrees
                .push(u32::try_from(graph.degree(n)).unwrap_or(u32::MAX));
            let node = n.index() as u32;
            ix.push(node, MatchedField::Name, &e.name);
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
        ix.owners.shrink_to_fit();
        ix.fields.shrink_to_fit();
        ix
    }

    fn push(&mut self, node: u32, field: MatchedField, text: &str) {
        let before = self.folded.len();
        fold_into(text, &mut self.folded, None);
        // Offsets are 32-bit: texts past 4 GiB of folded names are left out, as are
        // aliases past the billionth of one entity.
        let index_ok = match field {
            MatchedField::Name => true,
            MatchedField::Alias(i) | MatchedField::WeakAlias(i) => i <= FIELD_INDEX,
        };
        let Ok(end) = u32::try_from(self.folded.len()) else {
            self.folded.truncate(before);
            return;
        };
        if !index_ok || self.owners.len() >= u32::MAX as usize - 1 {
            self.folded.truncate(before);
            return;
        }
        self.masks.push(mask_of(&self.folded[before..]));
        self.starts.push(end);
        self.owners.push(node);
        self.fields.push(field.encode());
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
        matches!(
            MatchedField::decode(self.fields[entry as usize]),
            MatchedField::WeakAlias(_)
        )
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
        let (_, ranked) = self.run(&q, None, limit, keep, &never).unwrap_or_default();
        self.hits(graph, &q, &ranked)
    }

    /// The core: filters `within` (or every text), ranks, and returns the texts
    /// that matched (for narrowing) with the `limit` best. `None` if cancelled.
    pub(crate) fn run(
        &self,
        q: &Query,
        within: Option<&[u32]>,
        limit: usize,
        keep: &(dyn Fn(NodeIx) -> bool + Sync),
        cancel: Cancel<'_>,
    ) -> Option<(Vec<u32>, Vec<Ranked>)> {
        if q.is_empty() {
            return self
                .run_empty(q, limit, keep, cancel)
                .map(|r| (Vec::new(), r));
        }
        let scope = match within {
            Some(s) => Scope::Within(s),
            None => Scope::All(0, self.len() as u32),
        };
        let pass = self.filter(q, scope, keep, cancel)?;
        if cancel() {
            return None;
        }
        let ranked = self.rank(q, &pass, limit, cancel)?;
        Some((pass.cands, ranked))
    }

    /// Filters a scope, split over threads at entity boundaries when large.
    fn filter(
        &self,
        q: &Query,
        scope: Scope<'_>,
        keep: &(dyn Fn(NodeIx) -> bool + Sync),
        cancel: Cancel<'_>,
    ) -> Option<Pass> {
        let n = threads();
        if n <= 1 || scope.len() < PARALLEL_MIN {
            return self.filter_part(q, scope, keep, cancel);
        }
        // Cut points, moved forward so an entity's texts stay in one part.
        let mut cuts = vec![0];
        for k in 1..n {
            let mut c = (scope.len() * k / n).max(*cuts.last().unwrap_or(&0));
            while c > 0
                && c < scope.len()
                && self.owners[scope.get(c) as usize] == self.owners[scope.get(c - 1) as usize]
            {
                c += 1;
            }
            cuts.push(c.min(scope.len()));
        }
        cuts.push(scope.len());
        let abort = AtomicBool::new(false);
        let stop = || abort.load(Ordering::Relaxed) || cancel();
        let parts: Vec<Option<Pass>> = std::thread::scope(|s| {
            let handles: Vec<_> = cuts
                .windows(2)
                .skip(1)
                .map(|w| {
                    let part = scope.slice(w[0], w[1]);
                    let stop = &stop;
                    s.spawn(move || self.filter_part(q, part, keep, stop))
                })
                .collect();
            let first = self.filter_part(q, scope.slice(cuts[0], cuts[1]), keep, &stop);
            if first.is_none() {
                abort.store(true, Ordering::Relaxed);
            }
            let mut parts = vec![first];
            parts.extend(handles.into_iter().map(|h| h.join().ok().flatten()));
            parts
        });
        let mut out = Pass::default();
        for p in parts {
            let p = p?;
            let base = out.cands.len() as u32;
            out.cands.extend_from_slice(&p.cands);
            out.groups.extend(p.groups.into_iter().map(|mut g| {
                g.start += base;
                g
            }));
        }
        Some(out)
    }

    /// Filters one part of a scope on this thread.
    fn filter_part(
        &self,
        q: &Query,
        scope: Scope<'_>,
        keep: &(dyn Fn(NodeIx) -> bool + Sync),
        cancel: Cancel<'_>,
    ) -> Option<Pass> {
        let mut out = Pass::default();
        let mut current: Option<Group> = None;
        let mut excluded_node: Option<(u32, bool)> = None;
        let mask = q.mask;
        let finish = |g: Option<Group>, out: &mut Pass| {
            if let Some(g) = g
                && keep(NodeIx::new(g.node as usize))
            {
                out.groups.push(g);
            }
        };
        for i in 0..scope.len() {
            if i % CHECK_EVERY == 0 && cancel() {
                return None;
            }
            let e = scope.get(i);
            let ei = e as usize;
            if self.masks[ei] & mask != mask {
                continue;
            }
            let text = self.text(e);
            if !q.positive.iter().all(|t| t.matches(text)) {
                continue;
            }
            let node = self.owners[ei];
            if !q.negative.is_empty() {
                let ex = match excluded_node {
                    Some((n, ex)) if n == node => ex,
                    _ => {
                        let ex = self.excluded(node, q);
                        excluded_node = Some((node, ex));
                        ex
                    }
                };
                if ex {
                    continue;
                }
            }
            let (tier, _) = classify(text, q);
            let rank = rank_of(tier, self.is_weak(e));
            let pos = out.cands.len() as u32;
            out.cands.push(e);
            match &mut current {
                Some(g) if g.node == node => {
                    g.len += 1;
                    g.rank = g.rank.max(rank);
                }
                _ => {
                    finish(current.take(), &mut out);
                    current = Some(Group {
                        node,
                        start: pos,
                        len: 1,
                        rank,
                    });
                }
            }
        }
        finish(current, &mut out);
        Some(out)
    }

    /// Picks the `limit` best entities of a filter pass.
    fn rank(
        &self,
        q: &Query,
        pass: &Pass,
        limit: usize,
        cancel: Cancel<'_>,
    ) -> Option<Vec<Ranked>> {
        if limit == 0 {
            return Some(Vec::new());
        }
        // The lowest rank that can still make the top `limit`.
        let mut per_rank = [0usize; 8];
        for g in &pass.groups {
            per_rank[g.rank as usize & 7] += 1;
        }
        let mut floor = 0u8;
        let mut total = 0;
        for r in (0..8u8).rev() {
            total += per_rank[r as usize];
            if total >= limit {
                floor = r;
                break;
            }
        }
        let chosen: Vec<&Group> = pass.groups.iter().filter(|g| g.rank >= floor).collect();
        let needs_skim = floor < rank_of(TIER_WORD, true);
        let n = threads();
        let best = |groups: &[&Group], cancel: Cancel<'_>| -> Option<Vec<Ranked>> {
            let m = matcher();
            let mut out = Vec::with_capacity(groups.len());
            for (i, g) in groups.iter().enumerate() {
                if i % 256 == 0 && cancel() {
                    return None;
                }
                let texts = &pass.cands[g.start as usize..(g.start + g.len) as usize];
                let mut best: Option<Ranked> = None;
                for &e in texts {
                    let text = self.text(e);
                    let weak = self.is_weak(e);
                    let (tier, _) = classify(text, q);
                    if rank_of(tier, weak) != g.rank {
                        continue;
                    }
                    let score = score_text(text, q, weak, |t, p| skim_score(&m, t, p).unwrap_or(0));
                    if best.is_none_or(|b| score > b.score) {
                        best = Some(Ranked {
                            score,
                            entry: e,
                            len: text.len() as u32,
                            degree: self.degrees[g.node as usize],
                            node: g.node,
                        });
                    }
                }
                out.extend(best);
            }
            Some(top(out, limit))
        };
        let ranked = if needs_skim && n > 1 && chosen.len() >= 4096 {
            let chunk = chosen.len().div_ceil(n);
            let parts: Vec<Option<Vec<Ranked>>> = std::thread::scope(|s| {
                let handles: Vec<_> = chosen
                    .chunks(chunk)
                    .map(|c| s.spawn(move || best(c, cancel)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().ok().flatten())
                    .collect()
            });
            let mut all = Vec::new();
            for p in parts {
                all.extend(p?);
            }
            top(all, limit)
        } else {
            best(&chosen, cancel)?
        };
        Some(ranked)
    }

    /// No term to match: every entity not excluded, most relations first.
    fn run_empty(
        &self,
        q: &Query,
        limit: usize,
        keep: &(dyn Fn(NodeIx) -> bool + Sync),
        cancel: Cancel<'_>,
    ) -> Option<Vec<Ranked>> {
        let mut out = Vec::new();
        for node in 0..self.entities() as u32 {
            if node as usize % CHECK_EVERY == 0 && cancel() {
                return None;
            }
            if let Some(r) = self.empty_rank(q, node)
                && keep(NodeIx::new(node as usize))
            {
                out.push(r);
            }
            if out.len() >= limit.saturating_mul(4).max(1024) {
                out = top(out, limit);
            }
        }
        Some(top(out, limit))
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
                let text = field.text_of(graph.entity(node))?.to_string();
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
fn positions(text: &str, q: &Query, m: &SkimMatcherV2) -> Vec<usize> {
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

/// The same ranking as [`SearchIndex::search`], computed the plain way: every
/// text run through SkimMatcherV2, no pre-filter, no pruning. The reference the
/// engine is tested and benchmarked against.
pub fn naive_search(
    index: &SearchIndex,
    graph: &Graph,
    query: &str,
    limit: usize,
    keep: &dyn Fn(NodeIx) -> bool,
) -> Vec<Hit> {
    let q = Query::parse(query);
    let m = matcher();
    let mut best: Vec<Ranked> = Vec::new();
    if q.is_empty() {
        for node in 0..index.entities() as u32 {
            if let Some(r) = index.empty_rank(&q, node)
                && keep(NodeIx::new(node as usize))
            {
                best.push(r);
            }
        }
    } else {
        for node in 0..index.entities() as u32 {
            let mut entity_best: Option<Ranked> = None;
            for e in index.texts_of(node) {
                let text = index.text(e);
                // The match test: SkimMatcherV2 for fuzzy terms.
                let mut skims = Vec::with_capacity(q.positive.len());
                let mut ok = true;
                for t in &q.positive {
                    let hit = match t.kind {
                        Kind::Fuzzy => skim_score(&m, text, &t.text),
                        _ => t.matches(text).then_some(0),
                    };
                    match hit {
                        Some(s) => skims.push(s),
                        None => {
                            ok = false;
                            break;
                        }
                    }
                }
                if !ok {
                    continue;
                }
                let mut k = 0;
                let score = score_text(text, &q, index.is_weak(e), |t, p| {
                    let s = match q.positive[k].kind {
                        Kind::Fuzzy => skims[k],
                        _ => skim_score(&m, t, p).unwrap_or(0),
                    };
                    k += 1;
                    s
                });
                if entity_best.is_none_or(|b| score > b.score) {
                    entity_best = Some(Ranked {
                        score,
                        entry: e,
                        len: text.len() as u32,
                        degree: index.degrees[node as usize],
                        node,
                    });
                }
            }
            if let Some(b) = entity_best
                && (q.negative.is_empty() || !index.excluded(node, &q))
                && keep(NodeIx::new(node as usize))
            {
                best.push(b);
            }
        }
    }
    best.sort_by(Ranked::order);
    best.truncate(limit);
    index.hits(graph, &q, &best)
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
#[derive(Debug, Default, Clone)]
pub(crate) struct Session {
    last: Option<(Query, Vec<u32>)>,
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
        cancel: Cancel<'_>,
    ) -> Option<Vec<Hit>> {
        let q = Query::parse(query);
        let within = match &self.last {
            Some((prev, cands)) if !q.is_empty() && q.narrows(prev) => Some(cands.as_slice()),
            _ => None,
        };
        let (cands, ranked) = index.run(&q, within, limit, keep, cancel)?;
        let hits = index.hits(graph, &q, &ranked);
        self.last = (!q.is_empty()).then_some((q, cands));
        Some(hits)
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
        self.session.last.as_ref().map_or(0, |(_, c)| c.len())
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
