//! From what a user typed to one entity: an exact id, else the best match over
//! names and aliases, unless other hits match about as well (then the query is
//! ambiguous, and the error names them).

use std::cell::OnceCell;
use std::sync::Arc;

use super::{Hit, SearchIndex, Tier, fold};
use crate::graph::{Graph, NodeIx};

/// Why a query names no single entity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("no entity matches `{0}`")]
    NoMatch(String),
    /// Several entities match about as well; the message names some of them.
    #[error("{0}")]
    Ambiguous(String),
}

/// Resolves queries against one graph, building the search index at most once,
/// and only when a query is not an exact id.
pub struct Resolver<'g> {
    graph: &'g Graph,
    index: OnceCell<Arc<SearchIndex>>,
}

impl<'g> Resolver<'g> {
    pub fn new(graph: &'g Graph) -> Self {
        Resolver {
            graph,
            index: OnceCell::new(),
        }
    }

    /// A resolver with an index already built (from a snapshot, say).
    pub fn with_index(graph: &'g Graph, index: Option<Arc<SearchIndex>>) -> Self {
        Resolver {
            graph,
            index: index.map(OnceCell::from).unwrap_or_default(),
        }
    }

    /// The index, built on first use.
    pub fn index(&self) -> &Arc<SearchIndex> {
        self.index
            .get_or_init(|| Arc::new(SearchIndex::build(self.graph)))
    }

    /// The index if a query needed it, for the explorer to reuse.
    pub fn into_index(self) -> Option<Arc<SearchIndex>> {
        self.index.into_inner()
    }

    /// The entity `query` names: an exact id first, then the best match over
    /// names and aliases (ranked by the search engine, whose ties go to the
    /// shorter name, then the better connected entity). When other hits match
    /// about as well (the same tier and score, and the query covers about as
    /// much of their text), the query is ambiguous, and the error lists their
    /// ids, rather than one being picked.
    pub fn resolve(&self, query: &str) -> Result<NodeIx, ResolveError> {
        let graph = self.graph;
        if let Some(n) = graph.find(query.trim()) {
            return Ok(n);
        }
        // Enough hits to say how many are as good as the best, six of them named.
        const LOOK: usize = 1000;
        const SHOW: usize = 6;
        let hits = self.index().search(graph, query, LOOK, &|_| true);
        let Some(best) = hits.first() else {
            return Err(ResolveError::NoMatch(query.to_string()));
        };
        let close: Vec<&Hit> = hits[1..]
            .iter()
            .filter(|h| too_close(query, best, h))
            .collect();
        if close.is_empty() {
            return Ok(best.node);
        }
        let names: Vec<String> = std::iter::once(best)
            .chain(close.iter().copied())
            .take(SHOW)
            .map(|h| {
                let e = graph.entity(h.node);
                format!("{} ({})", e.name, e.id)
            })
            .collect();
        let more = match close.len() + 1 - names.len() {
            0 => String::new(),
            n if hits.len() == LOOK => format!(" and at least {n} more"),
            n => format!(" and {n} more"),
        };
        let same_name = close
            .iter()
            .all(|h| graph.entity_name(h.node) == graph.entity_name(best.node));
        let advice = if same_name {
            "give an id (`ties search` lists them with their ids)"
        } else {
            "give an id or more of the name"
        };
        Err(ResolveError::Ambiguous(format!(
            "`{query}` is ambiguous: {}{more}; {advice}",
            names.join(", ")
        )))
    }
}

/// Whether `other` is about as good a match as `best`: the same rank, and (for
/// word-start and fuzzy matches) nearly the same strength and a text nearly as
/// short, so that the query covers about as much of it.
fn too_close(query: &str, best: &Hit, other: &Hit) -> bool {
    if best.rank() != other.rank() {
        return false;
    }
    if best.tier() == Tier::Exact {
        return true;
    }
    let (a, b) = (best.strength(), other.strength());
    let score_close = b >= a - a.abs() / 10;
    let q = fold(query).len() as f64;
    let cover = |h: &Hit| q / fold(&h.text).len().max(1) as f64;
    score_close && cover(other) >= 0.8 * cover(best)
}
