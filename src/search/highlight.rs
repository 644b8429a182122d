//! Where to highlight a hit's text.

use super::Tier;
use super::fold::{fold_alternative_into, fold_into, has_alternative};
use super::query::{Kind, Query, find_from};
use super::score::{self, word_occurrence};
use super::typo::{self, max_edits};

/// Character indices of `text` to highlight for `q`: in whichever spelling
/// shows more of the query (`Nierstenhöfer` for `nierstenhoefer`). For a typo
/// match, a word the term reaches by typo is highlighted whole; for a match
/// across texts, only the terms at a word start of this one.
pub(crate) fn positions(text: &str, q: &Query, m: &score::Matcher, tier: Tier) -> Vec<usize> {
    let typo = tier == Tier::Typo;
    let across = tier == Tier::Across;
    let mut folded = Vec::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len());
    fold_into(text, &mut folded, Some(&mut map));
    let first = positions_in(&folded, &map, q, m, typo, across);
    if !has_alternative(text) {
        return first;
    }
    folded.clear();
    map.clear();
    fold_alternative_into(text, &mut folded, Some(&mut map));
    let second = positions_in(&folded, &map, q, m, typo, across);
    if second.len() > first.len() {
        second
    } else {
        first
    }
}

fn positions_in(
    folded: &[u8],
    map: &[u32],
    q: &Query,
    m: &score::Matcher,
    typo: bool,
    across: bool,
) -> Vec<usize> {
    let mut at: Vec<usize> = Vec::new();
    for t in &q.positive {
        let term = t.text.as_slice();
        let len = term.len();
        let range = match t.kind {
            Kind::Fuzzy | Kind::Exact => word_occurrence(folded, term)
                .map(|(a, _)| a)
                .or_else(|| {
                    (t.kind == Kind::Exact)
                        .then(|| find_from(folded, term, 0))
                        .flatten()
                })
                .map(|a| a..a + len)
                .or_else(|| {
                    (typo && t.kind == Kind::Fuzzy)
                        .then(|| typo_word(folded, term))
                        .flatten()
                }),
            Kind::Prefix | Kind::Equal => Some(0..len),
            Kind::Suffix => Some(folded.len().saturating_sub(len)..folded.len()),
        };
        match range {
            Some(r) => at.extend(r),
            None if across => {}
            None => {
                let ft = std::str::from_utf8(folded).unwrap_or("");
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

/// Where in `folded` the word nearest to `term` by typo is (fewest edits, then
/// first).
fn typo_word(folded: &[u8], term: &[u8]) -> Option<std::ops::Range<usize>> {
    let k = max_edits(term);
    let base = folded.as_ptr() as usize;
    typo::words(folded)
        .filter_map(|w| typo::within(term, w, k).map(|d| (d, w)))
        .min_by_key(|&(d, w)| (d, w.as_ptr() as usize))
        .map(|(_, w)| {
            let a = w.as_ptr() as usize - base;
            a..a + w.len()
        })
}
