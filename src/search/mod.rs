//! Fuzzy search over names and aliases (simple full scan; the indexed engine
//! replaces this module).

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use crate::graph::{Graph, NodeIx};

/// Which of an entity's names matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedField {
    Name,
    Alias(u32),
    WeakAlias(u32),
}

/// One ranked result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub node: NodeIx,
    pub score: i64,
    pub field: MatchedField,
    pub text: String,
    pub positions: Vec<usize>,
}

/// Search over every entity's name and aliases.
#[derive(Debug, Default)]
pub struct SearchIndex {
    names: Vec<(NodeIx, MatchedField, String)>,
}

fn fold(s: &str) -> String {
    deunicode::deunicode(s).to_lowercase()
}

impl SearchIndex {
    pub fn build(graph: &Graph) -> Self {
        let mut names = Vec::new();
        for n in graph.node_indices() {
            let e = graph.entity(n);
            names.push((n, MatchedField::Name, e.name.to_string()));
            for (i, a) in e.aliases.iter().enumerate() {
                names.push((n, MatchedField::Alias(i as u32), a.to_string()));
            }
        }
        SearchIndex { names }
    }

    pub fn search(
        &self,
        _graph: &Graph,
        query: &str,
        limit: usize,
        keep: &dyn Fn(NodeIx) -> bool,
    ) -> Vec<Hit> {
        let m = SkimMatcherV2::default();
        let q = fold(query);
        let mut best: std::collections::HashMap<NodeIx, Hit> = Default::default();
        for (n, field, text) in &self.names {
            if !keep(*n) {
                continue;
            }
            if let Some(score) = m.fuzzy_match(&fold(text), &q) {
                let better = best.get(n).is_none_or(|h| h.score < score);
                if better {
                    best.insert(
                        *n,
                        Hit {
                            node: *n,
                            score,
                            field: *field,
                            text: text.clone(),
                            positions: Vec::new(),
                        },
                    );
                }
            }
        }
        let mut v: Vec<Hit> = best.into_values().collect();
        v.sort_by(|a, b| b.score.cmp(&a.score).then(a.text.len().cmp(&b.text.len())));
        v.truncate(limit);
        v
    }
}
