//! The reference: the same ranking as the engine, computed the plain way.

use super::query::{Kind, Query};
use super::score::{Ranked, matcher, score_text, skim_score};
use super::{Hit, SearchIndex};
use crate::graph::{Graph, NodeIx};

/// The same ranking as [`SearchIndex::search`], computed the plain way: every
/// text run through SkimMatcherV2 (whose match test is the fuzzy filter), no
/// pre-filter, no pruning, no narrowing. The reference the engine is tested and
/// benchmarked against.
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
    for node in 0..index.entities() as u32 {
        let found = if q.is_empty() {
            index.empty_rank(&q, node)
        } else {
            let mut entity_best: Option<Ranked> = None;
            for e in index.texts_of(node) {
                let text = index.text(e);
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
                if skims.len() < q.positive.len() {
                    continue;
                }
                let mut k = 0;
                let score = score_text(text, &q, index.is_weak(e), |_, _| {
                    k += 1;
                    skims[k - 1]
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
            entity_best.filter(|_| q.negative.is_empty() || !index.excluded(node, &q))
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
