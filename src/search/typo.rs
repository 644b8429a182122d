//! The typo tier: query words that are a small edit away from a word of a name.
//!
//! Every word of every indexed text (a run of letters, two or more, folded; runs
//! with digits are left out) goes into an [`fst::Map`] from the word to its
//! number, and each word number to the texts it occurs in (postings, ascending,
//! delta-coded as LEB128 varints, so a common word costs about a byte per text).
//!
//! A query term of letters only may match a word by typo:
//!
//! | term length | edits allowed |
//! |-------------|---------------|
//! | 1–2         | none          |
//! | 3–5         | 1             |
//! | 6 or more   | 2             |
//!
//! An edit is an insertion, a deletion, a substitution, or a swap of two
//! neighbouring letters (optimal string alignment, as `strsim::osa_distance`
//! counts it: `umreov` is one edit from `umerov`). At most one swap per word is
//! looked for: the words are found by `fst`'s Levenshtein automaton, which does
//! not know swaps, run on the term and (one edit fewer) on each of its
//! one-swap variants; [`within`] says which pairs that finds, and the naive
//! scan uses it too. Quoted (`'abc`), anchored (`^abc`, `abc$`) and excluding
//! terms never match by typo, nor do terms with digits or other signs.
//!
//! A text is in the typo tier when every term matches it, each either at the
//! start of a word (as in the word-start tier) or by typo, and at least one by
//! typo; its distance is the sum of the terms' edits. It ranks below the in-order
//! tier and above scattered matches (see `score`).

use std::collections::HashMap;

use fst::Automaton as _;
use fst::automaton::Levenshtein;
use fst::{IntoStreamer, Map, MapBuilder, Streamer};

use super::SearchIndex;
use super::engine::{CHECK_EVERY, Cancel, KeepFn};
use super::query::{Kind, Query};
use super::score::{Ranked, TIER_FUZZY, rank_of, score_of, top, typo_sub, word_occurrence};
use crate::codec::{Store, leb128};
use crate::graph::{Graph, NodeIx};

/// Words shorter than this are not indexed (no term within reach is typo-able).
const MIN_WORD: usize = 2;

/// Edits a term may be away from a word: see the module documentation.
pub fn max_edits(term: &[u8]) -> u8 {
    if !term.iter().all(u8::is_ascii_lowercase) {
        return 0;
    }
    match term.len() {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    }
}

/// The words of a folded text that the typo tier knows: runs of two or more
/// letters (a run with a digit is skipped).
pub(crate) fn words(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|b| !b.is_ascii_alphanumeric())
        .filter(|w| w.len() >= MIN_WORD && w.iter().all(u8::is_ascii_lowercase))
}

/// Edits (optimal string alignment) from `term` to `word` if the typo tier finds
/// `word` for `term`: at most `k`, and within Levenshtein distance `k` of the
/// term or `k - 1` of one of its one-swap variants.
pub fn within(term: &[u8], word: &[u8], k: u8) -> Option<u8> {
    let k = usize::from(k);
    if k == 0 || term.len().abs_diff(word.len()) > k || !word.iter().all(u8::is_ascii_lowercase) {
        return None;
    }
    let (t, w) = (
        std::str::from_utf8(term).ok()?,
        std::str::from_utf8(word).ok()?,
    );
    let osa = strsim::osa_distance(t, w);
    if osa > k {
        return None;
    }
    let found = strsim::levenshtein(t, w) <= k
        || swaps(term).any(|v| strsim::levenshtein(std::str::from_utf8(&v).unwrap_or(""), w) < k);
    found.then_some(osa as u8)
}

/// The term with two neighbouring letters swapped, each way that changes it.
fn swaps(term: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    (1..term.len())
        .filter(move |&i| term[i - 1] != term[i])
        .map(move |i| {
            let mut v = term.to_vec();
            v.swap(i - 1, i);
            v
        })
}

/// The word set and postings; see the module documentation.
pub(crate) struct TypoIndex {
    words: Map<Vec<u8>>,
    /// Postings of word `i` are `posts[starts[i]..starts[i + 1]]`.
    starts: Store<u32>,
    posts: Store<u8>,
}

impl Default for TypoIndex {
    fn default() -> Self {
        TypoIndex {
            words: Map::default(),
            starts: vec![0].into(),
            posts: Store::default(),
        }
    }
}

impl TypoIndex {
    /// Indexes the words of `texts(i)` for every text `i < n`.
    pub fn build<'a>(n: usize, texts: impl Fn(usize) -> &'a [u8]) -> Self {
        let mut ids: std::collections::HashMap<&[u8], u32, foldhash::fast::RandomState> =
            Default::default();
        let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(n * 2);
        let mut names: Vec<&[u8]> = Vec::new();
        for i in 0..n {
            for w in words(texts(i)) {
                let next = names.len() as u32;
                let id = *ids.entry(w).or_insert(next);
                if id == next {
                    names.push(w);
                }
                pairs.push((id, i as u32));
            }
        }
        drop(ids);
        // Word numbers in the order of the words' bytes, as the fst needs.
        let mut order: Vec<u32> = (0..names.len() as u32).collect();
        order.sort_unstable_by_key(|&id| names[id as usize]);
        let mut rank = vec![0u32; names.len()];
        for (r, &id) in order.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        // Stable by word, so each word's texts stay ascending.
        pairs.sort_by_key(|&(id, _)| rank[id as usize]);
        let mut builder = MapBuilder::memory();
        for (r, &id) in order.iter().enumerate() {
            // Keys are distinct and inserted in order: this cannot fail.
            let _ = builder.insert(names[id as usize], r as u64);
        }
        let words = builder.into_map().as_fst().as_bytes().to_vec();
        let words = Map::new(words).unwrap_or_default();
        let mut starts = Vec::with_capacity(names.len() + 1);
        let mut posts = Vec::with_capacity(pairs.len() * 2);
        let mut at = 0;
        for r in 0..names.len() as u32 {
            starts.push(posts.len() as u32);
            let mut prev: Option<u32> = None;
            while let Some(&(id, text)) = pairs.get(at) {
                if rank[id as usize] != r {
                    break;
                }
                at += 1;
                if prev == Some(text) {
                    continue;
                }
                let gap = text - prev.map_or(0, |p| p + 1);
                leb128::push(u64::from(gap), &mut posts);
                prev = Some(text);
            }
        }
        starts.push(posts.len() as u32);
        posts.shrink_to_fit();
        TypoIndex {
            words,
            starts: starts.into(),
            posts: posts.into(),
        }
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.words.as_fst().as_bytes().len() + self.starts.bytes() + self.posts.bytes()
    }

    /// The parts a snapshot stores: the fst's bytes, the starts, the postings.
    pub fn parts(&self) -> (&[u8], &[u32], &[u8]) {
        (self.words.as_fst().as_bytes(), &self.starts, &self.posts)
    }

    /// An index from [`Self::parts`], checked; `None` if they do not fit together.
    pub fn from_parts(
        words: Store<u8>,
        starts: Store<u32>,
        posts: Store<u8>,
        texts: usize,
    ) -> Option<Self> {
        let words = Map::new(words.to_vec()).ok()?;
        let ok = starts.len() == words.len() + 1
            && starts.first() == Some(&0)
            && starts.windows(2).all(|w| w[0] <= w[1])
            && starts.last().map(|&l| l as usize) == Some(posts.len());
        let ix = TypoIndex {
            words,
            starts,
            posts,
        };
        // Every posting decodes to a text in range.
        let in_range =
            ok && (0..ix.words.len()).all(|w| ix.postings(w).all(|t| (t as usize) < texts));
        (ok && in_range).then_some(ix)
    }

    /// The texts word number `w` occurs in, ascending.
    fn postings(&self, w: usize) -> impl Iterator<Item = u32> + '_ {
        let bytes = &self.posts[self.starts[w] as usize..self.starts[w + 1] as usize];
        let mut at = 0;
        let mut next = 0u32;
        std::iter::from_fn(move || {
            let (gap, used) = leb128::read(&bytes[at..])?;
            at += used;
            let text = next.checked_add(gap)?;
            next = text.checked_add(1)?;
            Some(text)
        })
    }

    /// Texts with a word that starts with `term`, ascending, deduplicated.
    fn prefixed(&self, term: &[u8]) -> Vec<u32> {
        let mut out = Vec::new();
        let Ok(t) = std::str::from_utf8(term) else {
            return out;
        };
        let mut s = self
            .words
            .search(fst::automaton::Str::new(t).starts_with())
            .into_stream();
        while let Some((_, w)) = s.next() {
            out.extend(self.postings(w as usize));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Texts with a word `term` reaches by typo, each with the fewest edits.
    fn reach(&self, term: &[u8], k: u8, out: &mut HashMap<u32, u8>) {
        let mut seen: std::collections::HashSet<u64> = Default::default();
        let mut visit = |word: &[u8], w: u64, out: &mut HashMap<u32, u8>| {
            if !seen.insert(w) {
                return;
            }
            if let Some(d) = within(term, word, k) {
                for t in self.postings(w as usize) {
                    let e = out.entry(t).or_insert(d);
                    *e = (*e).min(d);
                }
            }
        };
        let Ok(t) = std::str::from_utf8(term) else {
            return;
        };
        if let Ok(lev) = Levenshtein::new(t, u32::from(k)) {
            let mut s = self.words.search(lev).into_stream();
            while let Some((word, w)) = s.next() {
                visit(word, w, out);
            }
        }
        for v in swaps(term) {
            if k == 1 {
                if let Some(w) = self.words.get(&v) {
                    visit(&v, w, out);
                }
                continue;
            }
            let Ok(v) = String::from_utf8(v) else {
                continue;
            };
            if let Ok(lev) = Levenshtein::new(&v, u32::from(k - 1)) {
                let mut s = self.words.search(lev).into_stream();
                while let Some((word, w)) = s.next() {
                    visit(word, w, out);
                }
            }
        }
    }
}

/// How one text matches a query in the typo tier: the total edits, if every
/// term matches (at a word start or by typo) and at least one needs an edit.
/// `typo(i)` gives the edits by which term `i` reaches the text by typo.
pub(crate) fn text_edits(
    text: &[u8],
    q: &Query,
    mut typo: impl FnMut(usize) -> Option<u8>,
) -> Option<u32> {
    let mut total = 0u32;
    for (i, t) in q.positive.iter().enumerate() {
        if t.kind != Kind::Fuzzy {
            if !t.matches(text) {
                return None;
            }
        } else if word_occurrence(text, &t.text).is_none() {
            total += u32::from(typo(i)?);
        }
    }
    (total > 0).then_some(total)
}

/// Shortest term that may match across an entity's texts: a word, not a
/// fragment typed on the way to one (`min d`).
const ACROSS_MIN: usize = 3;

/// Whether `q` may match across an entity's texts: two or more terms, every
/// one plain, of letters only (the words the typo index knows) and at least
/// [`ACROSS_MIN`] long.
pub(crate) fn across_query(q: &Query) -> bool {
    q.positive.len() >= 2
        && q.positive.iter().all(|t| {
            t.kind == Kind::Fuzzy
                && t.text.len() >= ACROSS_MIN
                && t.text.iter().all(u8::is_ascii_lowercase)
        })
}

/// How an entity's texts match `q` across them: for each term, whether some
/// word of some text starts with it (`None` if one does not), counting the
/// terms that are whole words.
pub(crate) fn across_whole<'a>(
    q: &Query,
    texts: impl Iterator<Item = &'a [u8]> + Clone,
) -> Option<i64> {
    let mut whole = 0;
    for t in &q.positive {
        let mut found = false;
        let mut is_whole = false;
        for w in texts.clone().flat_map(words) {
            if w.starts_with(&t.text) {
                found = true;
                if w == t.text.as_slice() {
                    is_whole = true;
                    break;
                }
            }
        }
        if !found {
            return None;
        }
        whole += i64::from(is_whole);
    }
    Some(whole)
}

impl SearchIndex {
    /// The `limit` best entities of the across tier: every term at the start of
    /// a word of one of the entity's texts, found through the word index
    /// (candidates from the term with the fewest texts). `None` if cancelled.
    pub(crate) fn across_ranked(
        &self,
        graph: &Graph,
        q: &Query,
        limit: usize,
        keep: KeepFn<'_>,
        cancel: Cancel<'_>,
    ) -> Option<Vec<Ranked>> {
        if limit == 0 || !across_query(q) {
            return Some(Vec::new());
        }
        // Entities with a word starting with each term; the smallest set first.
        let mut sets: Vec<Vec<u32>> = Vec::with_capacity(q.positive.len());
        for t in &q.positive {
            let mut owners = self.owners();
            let mut nodes: Vec<u32> = self
                .typo
                .prefixed(&t.text)
                .into_iter()
                .map(|e| owners.owner(e))
                .collect();
            nodes.dedup();
            if nodes.is_empty() || cancel() {
                return if nodes.is_empty() {
                    Some(Vec::new())
                } else {
                    None
                };
            }
            sets.push(nodes);
        }
        sets.sort_by_key(Vec::len);
        let mut found: Vec<u32> = sets[0].clone();
        for other in &sets[1..] {
            found.retain(|n| other.binary_search(n).is_ok());
        }
        let mut best = super::score::Best::new(limit);
        for (i, &node) in found.iter().enumerate() {
            if i % CHECK_EVERY == 0 && cancel() {
                return None;
            }
            // One text holding every term is a word-start match, found by the
            // filter and ranked above this tier.
            if self.texts_of(node).len() < 2
                || (!q.negative.is_empty() && self.excluded(graph, node, q))
                || !keep(NodeIx::new(node as usize))
            {
                continue;
            }
            let texts: Vec<_> = self
                .texts_of(node)
                .map(|e| self.text(graph, node, e))
                .collect();
            let Some(whole) = across_whole(q, texts.iter().map(|t| &t[..])) else {
                continue;
            };
            best.offer(self.across_rank(graph, node, whole));
        }
        Some(top(best.into_vec(), limit))
    }

    /// An across match of `node`, shown by its name.
    pub(crate) fn across_rank(&self, graph: &Graph, node: u32, whole: i64) -> Ranked {
        let entry = self.ranges.first(node as usize);
        Ranked {
            score: score_of(rank_of(TIER_FUZZY, false), super::score::across_sub(whole)),
            entry,
            len: self.text_len(graph, node, entry) as u32,
            degree: self.degree(node),
            node,
        }
    }

    /// The `limit` best entities of the typo tier (none when no term may match by
    /// typo). `None` if cancelled.
    pub(crate) fn typo_ranked(
        &self,
        graph: &Graph,
        q: &Query,
        limit: usize,
        keep: KeepFn<'_>,
        cancel: Cancel<'_>,
    ) -> Option<Vec<Ranked>> {
        let edits: Vec<u8> = q
            .positive
            .iter()
            .map(|t| {
                if t.kind == Kind::Fuzzy {
                    max_edits(&t.text)
                } else {
                    0
                }
            })
            .collect();
        if limit == 0 || edits.iter().all(|&k| k == 0) {
            return Some(Vec::new());
        }
        let mut reach: Vec<HashMap<u32, u8>> = Vec::with_capacity(edits.len());
        for (t, &k) in q.positive.iter().zip(&edits) {
            let mut m = HashMap::new();
            if k > 0 {
                self.typo.reach(&t.text, k, &mut m);
            }
            reach.push(m);
            if cancel() {
                return None;
            }
        }
        let mut candidates: Vec<u32> = reach.iter().flat_map(|m| m.keys().copied()).collect();
        candidates.sort_unstable();
        candidates.dedup();
        // Best text per entity: highest score, then the first.
        let mut best: HashMap<u32, Ranked> = HashMap::new();
        let mut owners = self.owners();
        for (n, &e) in candidates.iter().enumerate() {
            if n % CHECK_EVERY == 0 && cancel() {
                return None;
            }
            let node = owners.owner(e);
            let text = self.text(graph, node, e);
            let Some(total) = text_edits(&text, q, |i| reach[i].get(&e).copied()) else {
                continue;
            };
            let score = score_of(
                rank_of(TIER_FUZZY, self.is_weak(e)),
                typo_sub(total, self.is_weak(e)),
            );
            let r = Ranked {
                score,
                entry: e,
                len: text.len() as u32,
                degree: self.degree(node),
                node,
            };
            match best.get_mut(&node) {
                Some(b) if b.score >= score => {}
                Some(b) => *b = r,
                None => {
                    best.insert(node, r);
                }
            }
        }
        let kept: Vec<Ranked> = best
            .into_values()
            .filter(|r| {
                (q.negative.is_empty() || !self.excluded(graph, r.node, q))
                    && keep(NodeIx::new(r.node as usize))
            })
            .collect();
        Some(top(kept, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_of_the_issue_examples() {
        let d = |t: &str, w: &str| within(t.as_bytes(), w.as_bytes(), max_edits(t.as_bytes()));
        assert_eq!(d("umarov", "umerov"), Some(1));
        assert_eq!(d("umerow", "umerov"), Some(1));
        assert_eq!(d("umerof", "umerov"), Some(1));
        assert_eq!(d("budanow", "budanov"), Some(1));
        assert_eq!(d("kyrilo", "kyrylo"), Some(1));
        assert_eq!(d("palianitsa", "palianytsia"), Some(2));
        assert_eq!(d("umreov", "umerov"), Some(1), "a swap is one edit");
        assert_eq!(
            d("bduanow", "budanov"),
            Some(2),
            "a swap and a substitution"
        );
        assert_eq!(d("uma", "umo"), Some(1));
        assert_eq!(d("uma", "ubo"), None, "short words allow one edit");
        assert_eq!(d("um", "un"), None, "two letters allow none");
        assert_eq!(d("umarov", "omarova"), Some(2));
        assert_eq!(d("umarov", "marova"), Some(2));
        assert_eq!(d("umarov", "amarovaa"), None);
    }

    #[test]
    fn only_plain_letter_terms_are_typo_able() {
        assert_eq!(max_edits(b"abc"), 1);
        assert_eq!(max_edits(b"abcde"), 1);
        assert_eq!(max_edits(b"abcdef"), 2);
        assert_eq!(max_edits(b"ab"), 0);
        assert_eq!(max_edits(b"2024"), 0);
        assert_eq!(max_edits(b"o'brien"), 0);
    }

    #[test]
    fn postings_round_trip() {
        let texts: Vec<&[u8]> = vec![
            b"rustem umerov",
            b"umerov talks",
            b"a b c",
            b"umerov 2024 umerov",
            b"x1y umerov",
        ];
        let ix = TypoIndex::build(texts.len(), |i| texts[i]);
        let w = ix.words.get("umerov").unwrap() as usize;
        assert_eq!(ix.postings(w).collect::<Vec<_>>(), vec![0, 1, 3, 4]);
        assert!(ix.words.get("a").is_none(), "one letter is not indexed");
        assert!(ix.words.get("x1y").is_none(), "digits are not indexed");
        let mut m = HashMap::new();
        ix.reach(b"umerow", 2, &mut m);
        assert_eq!(m.len(), 4);
        assert!(m.values().all(|&d| d == 1));
        let (a, b, c) = ix.parts();
        let back = TypoIndex::from_parts(
            a.to_vec().into(),
            b.to_vec().into(),
            c.to_vec().into(),
            texts.len(),
        )
        .unwrap();
        assert_eq!(back.postings(w).collect::<Vec<_>>(), vec![0, 1, 3, 4]);
        assert!(
            TypoIndex::from_parts(a.to_vec().into(), b.to_vec().into(), c.to_vec().into(), 2)
                .is_none()
        );
        let mut v = Vec::new();
        for x in [0, 1, 127, 128, 300, u32::MAX] {
            v.clear();
            leb128::push(u64::from(x), &mut v);
            assert_eq!(leb128::read(&v), Some((x, v.len())));
        }
    }
}
