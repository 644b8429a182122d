//! From what a user typed to one entity: an exact id, else the best match over
//! names, aliases and offices, unless other hits tie with it (then the query is
//! ambiguous, and the error names them all), or the best is only scattered
//! letters, or a typo that does not stand clearly first (then the error says
//! so and lists the candidates). A typo that stands clearly first is taken,
//! with a note for the user ([`Resolver::resolve_noted`]).

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
    /// Nothing matches as written: the best hits are typos or scattered
    /// letters; the message lists them.
    #[error("{0}")]
    OnlyWeak(String),
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
    /// names, aliases and offices, as [`Self::resolve_noted`] decides.
    pub fn resolve(&self, query: &str) -> Result<NodeIx, ResolveError> {
        self.resolve_noted(query).map(|r| r.node)
    }

    /// The entity `query` names, and a note to show when it was taken on a
    /// typo. The rule (`ties --help` says it):
    ///
    /// - an exact id is taken;
    /// - else the search's best hits that tie with the first (the same tier and
    ///   score) are the candidates; those whose matched text has more than
    ///   twice as many words as the first's merely contain the query (an event
    ///   named after the person asked for) and do not compete with it;
    /// - one candidate left is taken: if it matched by typo, the note says so
    ///   (`taken: Rustem Umerov, typo of umarov`);
    /// - several are ambiguous: the error lists every tied hit;
    /// - a best hit that is only scattered letters is refused, listing the
    ///   candidates.
    pub fn resolve_noted(&self, query: &str) -> Result<Resolved, ResolveError> {
        let graph = self.graph;
        if let Some(n) = graph.find(query.trim()) {
            return Ok(Resolved {
                node: n,
                note: None,
            });
        }
        if let Some(n) = merged_into(graph, query.trim()) {
            let e = graph.entity(n);
            return Ok(Resolved {
                node: n,
                note: Some(format!(
                    "`{}` is a record merged into {} ({})",
                    query.trim(),
                    e.name,
                    e.id
                )),
            });
        }
        // Enough hits to say how many are as good as the best.
        const LOOK: usize = 1000;
        const SHOW: usize = 20;
        let hits = self.index().search(graph, query, LOOK, &|_| true);
        let Some(best) = hits.first() else {
            return Err(ResolveError::NoMatch(query.to_string()));
        };
        if best.tier() == Tier::Scattered {
            return Err(only_weak(graph, query, &hits, SHOW));
        }
        let tied: Vec<&Hit> = hits
            .iter()
            .take_while(|h| {
                h.rank() == best.rank()
                    && h.tier() == best.tier()
                    && h.strength() == best.strength()
            })
            .collect();
        let words = |h: &Hit| {
            fold(&h.text)
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .count()
        };
        let limit = 2 * words(best);
        let competing = tied.iter().filter(|h| words(h) <= limit).count();
        if competing == 1 {
            let note = (best.tier() == Tier::Typo).then(|| {
                let e = graph.entity(best.node);
                format!("taken: {}, typo of {query} (id {})", e.name, e.id)
            });
            return Ok(Resolved {
                node: best.node,
                note,
            });
        }
        if best.tier() == Tier::Typo {
            return Err(only_weak(graph, query, &hits[..tied.len()], SHOW));
        }
        let names: Vec<String> = tied
            .iter()
            .take(SHOW)
            .map(|h| {
                let e = graph.entity(h.node);
                format!("{} ({})", e.name, e.id)
            })
            .collect();
        let more = match tied.len() - names.len() {
            0 => String::new(),
            n if tied.len() == LOOK => format!(" and at least {n} more"),
            n => format!(" and {n} more"),
        };
        let same_name = tied
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

/// What a query resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub node: NodeIx,
    /// Said on stderr: the entity was taken on a typo.
    pub note: Option<String>,
}

/// The entity that lists `id` among its `referents`: a record merged into it
/// (a merged view of judged records, or FtM data that says so). Only a query
/// that can be an id (one word) in a graph holding referents is looked for.
fn merged_into(graph: &Graph, id: &str) -> Option<NodeIx> {
    if id.is_empty() || id.contains(char::is_whitespace) {
        return None;
    }
    let key = graph.find_sym(crate::ftm::mapping::REFERENTS_ATTR)?;
    graph.node_indices().find(|&n| {
        graph
            .entity(n)
            .attrs
            .iter()
            .any(|(k, v)| k == key && v == id)
    })
}

/// The error for a query whose best hits are only typos or scattered letters:
/// the first `show` candidates, each with how it matched.
fn only_weak(graph: &Graph, query: &str, hits: &[Hit], show: usize) -> ResolveError {
    let names: Vec<String> = hits
        .iter()
        .take(show)
        .map(|h| {
            let e = graph.entity(h.node);
            format!("{} ({}, {})", e.name, e.id, h.tier().label())
        })
        .collect();
    let more = match hits.len().saturating_sub(names.len()) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    ResolveError::OnlyWeak(format!(
        "nothing matches `{query}` as written; candidates: {}{more}; give an id or the name as written",
        names.join(", ")
    ))
}
