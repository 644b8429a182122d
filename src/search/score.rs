//! Tiers and scores: how a matching text ranks. Shared by the engine and the
//! naive scan, so both rank identically.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use super::query::{Kind, Query};

/// Score bits below the rank.
pub(crate) const SCORE_BITS: u32 = 32;
const SUB_MAX: i64 = (1 << 31) - 1;

/// Tiers, before the strong/weak split.
pub(crate) const TIER_EXACT: u8 = 3;
pub(crate) const TIER_WORD: u8 = 2;
pub(crate) const TIER_FUZZY: u8 = 1;

/// The lowest rank whose score needs no SkimMatcherV2 (word start, weak alias).
pub(crate) const RANK_WORD_WEAK: u8 = TIER_WORD * 2;
/// Fuzzy matches of names and aliases.
pub(crate) const RANK_FUZZY: u8 = TIER_FUZZY * 2 + 1;

/// The fuzzy tier has one rank ([`RANK_FUZZY`]); the score below it orders,
/// bit by bit: **in order** (`IN_ORDER`: every term inside one word of the
/// text), then **typo** (`TYPO`), then **scattered** (neither); within each,
/// names and aliases (`STRONG`) above weak aliases and offices; then the
/// SkimMatcherV2 score (in order, scattered) or fewer edits (typo), in the
/// bits below `STRONG`.
pub(crate) const IN_ORDER: i64 = 1 << 30;
pub(crate) const TYPO: i64 = 1 << 29;
pub(crate) const STRONG: i64 = 1 << 28;
/// The largest value of the bits below `STRONG`.
pub(crate) const INNER_MAX: i64 = STRONG - 1;

/// Above every in-order match: the query's words spread over an entity's
/// texts, each at the start of a word of one of its names, aliases or offices
/// (the **across** tier; see `typo::across_ranked`). Below it, the number of
/// terms that are whole words.
pub(crate) const ACROSS: i64 = IN_ORDER + TYPO;

/// The score below the rank of an across match with `whole` terms that are
/// whole words.
#[inline]
pub(crate) fn across_sub(whole: i64) -> i64 {
    ACROSS + whole.clamp(0, TYPO - 1)
}

/// The score below the rank of a fuzzy-tier match of a `kind` (`IN_ORDER`,
/// `TYPO` or 0) and `inner` order (clamped to the bits below `STRONG`).
#[inline]
pub(crate) fn fuzzy_sub(kind: i64, weak: bool, inner: i64) -> i64 {
    kind + if weak { 0 } else { STRONG } + inner.clamp(0, INNER_MAX)
}

/// The score below the rank of a typo match with `edits` edits in all.
#[inline]
pub(crate) fn typo_sub(edits: u32, weak: bool) -> i64 {
    fuzzy_sub(TYPO, weak, INNER_MAX - i64::from(edits))
}

/// Edits of a typo match, from the score below its rank.
#[inline]
pub(crate) fn typo_edits_of(sub: i64) -> u32 {
    (INNER_MAX - (sub & INNER_MAX)) as u32
}

/// Whether every term of `q` lies inside one word (a run without spaces) of
/// `text`: fuzzy terms as a subsequence of one word, the others literally.
pub(crate) fn in_order(text: &[u8], q: &Query) -> bool {
    q.positive.iter().all(|t| {
        t.kind != Kind::Fuzzy
            || text
                .split(|&b| b == b' ')
                .any(|w| super::query::is_subsequence(&t.text, w))
    })
}

/// The rank (high score bits) of a text of a tier: weak aliases just below,
/// except in the fuzzy tier, which has one rank (see [`IN_ORDER`]).
#[inline]
pub(crate) fn rank_of(tier: u8, weak: bool) -> u8 {
    if tier == TIER_FUZZY {
        RANK_FUZZY
    } else {
        tier * 2 + u8::from(!weak)
    }
}

#[inline]
pub(crate) fn score_of(rank: u8, sub: i64) -> i64 {
    (i64::from(rank) << SCORE_BITS) + sub.clamp(-SUB_MAX, SUB_MAX)
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

/// Where `term` occurs as one piece at the start of a word: the first such place
/// that is a whole word, else the first such place; and whether it is whole.
pub(crate) fn word_occurrence(text: &[u8], term: &[u8]) -> Option<(usize, bool)> {
    let (&first, rest) = term.split_first()?;
    if text.len() < term.len() {
        return None;
    }
    let mut found = None;
    for at in 0..=text.len() - term.len() {
        if text[at] == first
            && word_start(text, at)
            && text[at + 1..at + term.len()]
                .iter()
                .zip(rest)
                .all(|(a, b)| a == b)
        {
            if word_end(text, at + term.len()) {
                return Some((at, true));
            }
            found.get_or_insert((at, false));
        }
    }
    found
}

/// The tier of a text known to match every positive term of `q`, and the number
/// of terms that match whole words (which orders the word-start tier).
pub(crate) fn classify(text: &[u8], q: &Query) -> (u8, i64) {
    if let Some(plain) = &q.plain
        && plain.as_slice() == text
    {
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

/// The score of a text known to match: the rank in the high bits; below it the
/// whole-word count (exact and word-start tiers) or the SkimMatcherV2 score
/// summed over the terms (fuzzy tier; `skim` scores one term), raised by
/// [`IN_ORDER`] when every term lies inside one word.
pub(crate) fn score_text(
    text: &[u8],
    q: &Query,
    weak: bool,
    mut skim: impl FnMut(&[u8], &[u8]) -> i64,
) -> i64 {
    let (tier, sub) = classify(text, q);
    let sub = if tier == TIER_FUZZY {
        let skim = q
            .positive
            .iter()
            .map(|t| skim(text, &t.text))
            .fold(0i64, i64::saturating_add);
        let kind = if in_order(text, q) { IN_ORDER } else { 0 };
        fuzzy_sub(kind, weak, skim)
    } else {
        sub
    };
    score_of(rank_of(tier, weak), sub)
}

/// SkimMatcherV2 over folded (ASCII) text.
pub(crate) fn skim_score(m: &Matcher, text: &[u8], term: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(text).ok()?;
    let term = std::str::from_utf8(term).ok()?;
    m.fuzzy_match(text, term)
}

/// SkimMatcherV2, with nothing carried from one call to the next.
///
/// SkimMatcherV2 0.3.7 keeps its score matrix between calls, resizing it
/// without clearing it, and some cells are read before they are written, so a
/// reused matcher scores a text differently depending on the texts it scored
/// before (see the test `a_score_does_not_depend_on_what_was_scored_before`);
/// `use_cache(false)`, meant to drop that state, panics (a `RefCell` borrowed
/// twice), and a new matcher per call costs microseconds. So after every call
/// that matched (a call that does not match never touches the matrix), a match
/// of `a` against `a` shrinks the matrix to four cells, which every later call
/// resets or writes before reading: the next call then computes on cells that
/// are all fresh, as a new matcher would.
#[derive(Default)]
pub(crate) struct Matcher(SkimMatcherV2);

impl Matcher {
    #[inline]
    fn clean<T>(&self, result: Option<T>) -> Option<T> {
        if result.is_some() {
            let _ = self.0.fuzzy_match("a", "a");
        }
        result
    }

    pub fn fuzzy_match(&self, text: &str, term: &str) -> Option<i64> {
        self.clean(self.0.fuzzy_match(text, term))
    }

    pub fn fuzzy_indices(&self, text: &str, term: &str) -> Option<(i64, Vec<usize>)> {
        self.clean(self.0.fuzzy_indices(text, term))
    }
}

/// The matcher every score and highlight comes from (one per thread: sharing
/// one is slower).
pub(crate) fn matcher() -> Matcher {
    Matcher(SkimMatcherV2::default().ignore_case())
}

/// A text that made it to the final ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ranked {
    pub score: i64,
    /// The text in the index.
    pub entry: u32,
    /// Folded length of the text.
    pub len: u32,
    pub degree: u32,
    pub node: u32,
}

impl Ranked {
    /// Best first: higher score, shorter text, more relations, earlier node.
    pub fn order(a: &Ranked, b: &Ranked) -> std::cmp::Ordering {
        b.score
            .cmp(&a.score)
            .then(a.len.cmp(&b.len))
            .then(b.degree.cmp(&a.degree))
            .then(a.node.cmp(&b.node))
    }
}

/// Keeps the `limit` best of `v`, sorted best first.
pub(crate) fn top(mut v: Vec<Ranked>, limit: usize) -> Vec<Ranked> {
    if v.len() > limit && limit > 0 {
        v.select_nth_unstable_by(limit - 1, Ranked::order);
    }
    v.truncate(limit);
    v.sort_unstable_by(Ranked::order);
    v
}

/// The `limit` best of what is offered, in a heap with the worst on top.
pub(crate) struct Best {
    limit: usize,
    heap: std::collections::BinaryHeap<Worst>,
}

/// Orders [`Ranked`] so that a max-heap has the worst on top.
#[derive(PartialEq, Eq)]
struct Worst(Ranked);

impl Ord for Worst {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        Ranked::order(&self.0, &other.0)
    }
}

impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Best {
    pub fn new(limit: usize) -> Self {
        Best {
            limit,
            heap: std::collections::BinaryHeap::new(),
        }
    }

    #[inline]
    pub fn offer(&mut self, r: Ranked) {
        if self.heap.len() < self.limit {
            self.heap.push(Worst(r));
        } else if let Some(mut worst) = self.heap.peek_mut()
            && Ranked::order(&r, &worst.0).is_lt()
        {
            *worst = Worst(r);
        }
    }

    /// Whether an entry with this score and length could be taken (false only
    /// when the heap is full of entries that are certainly better).
    #[inline]
    pub fn may_take(&self, score: i64, len: u32) -> bool {
        match self.heap.peek() {
            Some(w) if self.heap.len() >= self.limit => {
                score > w.0.score || (score == w.0.score && len <= w.0.len)
            }
            _ => self.limit > 0,
        }
    }

    pub fn into_vec(self) -> Vec<Ranked> {
        self.heap.into_iter().map(|w| w.0).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_occurrences() {
        assert_eq!(
            word_occurrence(b"laurynas kasciunas", b"kas"),
            Some((9, false))
        );
        assert_eq!(
            word_occurrence(b"kasparas kas-umerov", b"kas"),
            Some((9, true))
        );
        assert_eq!(word_occurrence(b"vaskas", b"kas"), None);
        assert_eq!(
            word_occurrence(b"l.kasciunas", b"kasciunas"),
            Some((2, true))
        );
        assert_eq!(word_occurrence(b"ka", b"kas"), None);
        assert_eq!(word_occurrence(b"abc", b""), None);
    }

    #[test]
    fn tiers() {
        let q = Query::parse("rustem umerov");
        assert_eq!(classify(b"rustem umerov", &q), (TIER_EXACT, 0));
        assert_eq!(classify(b"umerov rustem", &q), (TIER_WORD, 2));
        assert_eq!(classify(b"rustem umerovych", &q), (TIER_WORD, 1));
        assert_eq!(classify(b"rustemo umerov", &q).0, TIER_WORD);
        assert_eq!(classify(b"krustem umerov", &q).0, TIER_FUZZY);
        let q = Query::parse("^rust ov$");
        assert_eq!(classify(b"rustem umerov", &q), (TIER_FUZZY, 0));
        assert_eq!(classify(b"rust ov", &q), (TIER_WORD, 2));
    }

    #[test]
    fn ranks_order_tiers_then_strength() {
        let ranks = [
            rank_of(TIER_EXACT, false),
            rank_of(TIER_EXACT, true),
            rank_of(TIER_WORD, false),
            rank_of(TIER_WORD, true),
            rank_of(TIER_FUZZY, false),
            rank_of(TIER_FUZZY, true),
        ];
        assert_eq!(ranks, [7, 6, 5, 4, 3, 3]);
        // In the fuzzy tier: in order, then typo, then scattered; names first
        // within each; then the inner order.
        let subs = [
            fuzzy_sub(IN_ORDER, false, 0),
            fuzzy_sub(IN_ORDER, true, INNER_MAX),
            typo_sub(1, false),
            typo_sub(2, false),
            typo_sub(1, true),
            fuzzy_sub(0, false, 5),
            fuzzy_sub(0, false, -5),
            fuzzy_sub(0, true, i64::MAX),
        ];
        assert!(subs.windows(2).all(|w| w[0] > w[1]), "{subs:?}");
        assert_eq!(typo_edits_of(typo_sub(2, true)), 2);
        // Words spread over texts: above every in-order match, below word start.
        assert!(across_sub(0) > fuzzy_sub(IN_ORDER, false, i64::MAX));
        assert!(across_sub(1) > across_sub(0));
        assert!(score_of(RANK_FUZZY, across_sub(i64::MAX)) < score_of(4, 0));
        assert!(score_of(4, -1_000_000_000_000) > score_of(3, 1_000_000_000_000));
    }

    #[test]
    fn best_keeps_the_best() {
        let r = |score, node| Ranked {
            score,
            entry: 0,
            len: 1,
            degree: 0,
            node,
        };
        let mut b = Best::new(2);
        for (s, n) in [(1, 0), (5, 1), (3, 2), (5, 3), (0, 4)] {
            b.offer(r(s, n));
        }
        let v = top(b.into_vec(), 2);
        assert_eq!(v, vec![r(5, 1), r(5, 3)]);
        assert!(Best::new(0).into_vec().is_empty());
    }
}
