//! Notes and tags in search: `#tag` terms keep tagged entities (the name
//! search skips them, see `search::query`), and entities whose notes hold every
//! other word follow the name hits.

use crate::graph::{Graph, NodeIx};
use crate::search::{Hit, MatchedField, fold};

use super::Notes;

/// A search's `#tag` terms, apart from the rest.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TagQuery {
    /// Tags every hit must carry (normalised).
    pub tags: Vec<String>,
    /// The words that are not tags, as typed.
    pub words: Vec<String>,
}

/// Splits `#tag` terms (a `#` and at least one more character) from the rest.
pub fn split_query(query: &str) -> TagQuery {
    let mut q = TagQuery::default();
    for token in query.split_whitespace() {
        match token.strip_prefix('#') {
            Some(t) if !t.is_empty() => q.tags.push(super::normal_tag(t)),
            _ => q.words.push(token.to_string()),
        }
    }
    q
}

impl TagQuery {
    pub fn has_tags(&self) -> bool {
        !self.tags.is_empty()
    }
}

/// What notes add to a search: the entities the tags allow (sorted; `None`:
/// no tag term) and the entities whose notes match the words.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    pub allowed: Option<Vec<NodeIx>>,
    pub by_note: Vec<NodeIx>,
}

impl Hits {
    /// The name search may keep `node`.
    pub fn allows(&self, node: NodeIx) -> bool {
        self.allowed
            .as_ref()
            .is_none_or(|a| a.binary_search(&node).is_ok())
    }

    /// Adds the entities found by their notes to `hits`: after the strong name
    /// hits, before the weak ones (typos, scattered letters), at most `limit`
    /// in all. Returns the entities added.
    pub fn extend(
        &self,
        graph: &Graph,
        hits: &mut Vec<Hit>,
        limit: usize,
        keep: &dyn Fn(NodeIx) -> bool,
    ) -> Vec<NodeIx> {
        let found: Vec<Hit> = self
            .by_note
            .iter()
            .filter(|&&n| self.allows(n) && keep(n))
            .map(|&n| Hit {
                node: n,
                score: 0,
                field: MatchedField::Name,
                text: graph.entity(n).name.to_string(),
                positions: Vec::new(),
            })
            .collect();
        merge(hits, &found, limit)
    }
}

/// Puts `found` (hits from notes) into `hits` after the strong name hits and
/// before the weak ones, skipping entities already there; keeps `limit`.
/// Returns the entities added.
pub fn merge(hits: &mut Vec<Hit>, found: &[Hit], limit: usize) -> Vec<NodeIx> {
    let mut at = hits
        .iter()
        .position(|h| h.tier().is_weak() || h.score <= 0)
        .unwrap_or(hits.len());
    let mut added = Vec::new();
    for h in found {
        match hits.iter().position(|x| x.node == h.node) {
            // Found by name as well as it is: leave it.
            Some(i) if i < at => continue,
            // A weak name hit moves up: its note matched the words.
            Some(i) => {
                hits.remove(i);
            }
            None => {}
        }
        hits.insert(at, h.clone());
        added.push(h.node);
        at += 1;
    }
    hits.truncate(limit);
    added.retain(|n| hits.iter().any(|h| h.node == *n));
    added
}

impl Notes {
    /// What the notebooks add to `query` (nothing when they are empty, so the
    /// search's own path is unchanged).
    pub fn search(&self, graph: &Graph, query: &str) -> Hits {
        if self.is_empty() {
            return Hits::default();
        }
        let q = split_query(query);
        let allowed = q.has_tags().then(|| self.tagged(graph, &q.tags));
        let words: Vec<String> = q
            .words
            .iter()
            .filter(|w| !w.starts_with('!'))
            .map(|w| fold(w.trim_matches(|c| matches!(c, '\'' | '^' | '$'))))
            .filter(|w| !w.trim().is_empty())
            .collect();
        let mut by_note = Vec::new();
        if !words.is_empty() {
            for n in &self.notes {
                let folded = fold(&n.text);
                if !words.iter().all(|w| folded.contains(w.as_str())) {
                    continue;
                }
                let nodes: Vec<NodeIx> = match n.target.entity_in(graph) {
                    Some(x) => vec![x],
                    None => n
                        .target
                        .relation_in(graph)
                        .map(|e| {
                            let (a, b) = graph.ends(e);
                            vec![a, b]
                        })
                        .unwrap_or_default(),
                };
                for x in nodes {
                    if !by_note.contains(&x) {
                        by_note.push(x);
                    }
                }
            }
        }
        Hits { allowed, by_note }
    }
}
