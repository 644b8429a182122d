//! The reference: the same ranking as the engine, computed the plain way.

use super::query::{Kind, Query};
use super::score::{
    Ranked, TIER_FUZZY, matcher, rank_of, score_of, score_text, skim_score, typo_sub,
};
use super::typo::{across_query, across_whole, max_edits, text_edits, within, words};
use super::{Hit, SearchIndex};
use crate::graph::{Graph, NodeIx};

/// The same ranking as [`SearchIndex::search`], computed the plain way: every
/// text run through SkimMatcherV2 (whose match test is the fuzzy filter), and
/// every word of every text measured against each term for the typo tier
/// ([`super::typo_edits`]); no pre-filter, no pruning, no narrowing, no word
/// index. The reference the engine is tested and benchmarked against.
pub fn naive_search(
    index: &SearchIndex,
    graph: &Graph,
    query: &str,
    limit: usize,
    keep: &dyn Fn(NodeIx) -> bool,
) -> Vec<Hit> {
    naive(index, graph, query, limit, keep, true)
}

/// [`naive_search`] without the typo tier: the ranking as it was before it, to
/// check that typos never push a stricter match down.
pub fn naive_search_without_typos(
    index: &SearchIndex,
    graph: &Graph,
    query: &str,
    limit: usize,
    keep: &dyn Fn(NodeIx) -> bool,
) -> Vec<Hit> {
    naive(index, graph, query, limit, keep, false)
}

fn naive(
    index: &SearchIndex,
    graph: &Graph,
    query: &str,
    limit: usize,
    keep: &dyn Fn(NodeIx) -> bool,
    typos: bool,
) -> Vec<Hit> {
    let q = Query::parse(query);
    let m = matcher();
    let mut best: Vec<Ranked> = Vec::new();
    for node in 0..index.entities() as u32 {
        let found = if q.is_empty() {
            index.empty_rank(graph, &q, node)
        } else {
            let mut entity_best: Option<Ranked> = None;
            for e in index.texts_of(node) {
                let text = index.text(graph, node, e);
                let text = &text[..];
                let mut skims = Vec::with_capacity(q.positive.len());
                for t in &q.positive {
                    let found = match t.kind {
                        Kind::Fuzzy => skim_score(&m, text, &t.text),
                        _ => t
                            .matches(text)
                            .then(|| skim_score(&m, text, &t.text).unwrap_or(0)),
                    };
                    match found {
                        Some(s) => skims.push(s),
                        None => break,
                    }
                }
                let typo = if typos {
                    typo_score(text, &q, index.is_weak(e))
                } else {
                    None
                };
                let score = if skims.len() < q.positive.len() {
                    match typo {
                        Some(t) => t,
                        None => continue,
                    }
                } else {
                    let mut k = 0;
                    let s = score_text(text, &q, index.is_weak(e), |_, _| {
                        k += 1;
                        skims[k - 1]
                    });
                    s.max(typo.unwrap_or(i64::MIN))
                };
                if entity_best.is_none_or(|b| score > b.score) {
                    entity_best = Some(Ranked {
                        score,
                        entry: e,
                        len: text.len() as u32,
                        degree: index.degree(node),
                        node,
                    });
                }
            }
            // Every term at a word start of some text: the across tier.
            if across_query(&q)
                && let Some(whole) = across_whole(
                    &q,
                    {
                        let texts: Vec<_> = index
                            .texts_of(node)
                            .map(|e| index.text(graph, node, e))
                            .collect();
                        texts
                    }
                    .iter()
                    .map(|t| &t[..]),
                )
            {
                let r = index.across_rank(graph, node, whole);
                if entity_best.is_none_or(|b| r.score > b.score) {
                    entity_best = Some(r);
                }
            }
            entity_best.filter(|_| q.negative.is_empty() || !index.excluded(graph, node, &q))
        };
        if let Some(b) = found
            && keep(NodeIx::new(node as usize))
        {
            best.push(b);
        }
    }
    best.sort_by(Ranked::order);
    best.truncate(limit);
    index.hits(graph, &q, &best)
}

/// The typo-tier score of a text, measuring every word against every term.
fn typo_score(text: &[u8], q: &Query, weak: bool) -> Option<i64> {
    let edits = text_edits(text, q, |i| {
        let t = &q.positive[i];
        let k = if t.kind == Kind::Fuzzy {
            max_edits(&t.text)
        } else {
            0
        };
        words(text).filter_map(|w| within(&t.text, w, k)).min()
    })?;
    Some(score_of(rank_of(TIER_FUZZY, weak), typo_sub(edits, weak)))
}
