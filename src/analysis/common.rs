//! What several entities have in common: the entities tied to every one of
//! them (LittleSis's "interlocks"), directly or, at depth 2, through one
//! entity in between.
//!
//! Shared entities are ranked by how specific they are: first those tied
//! directly to every input, then entities that are not countries or places
//! before those that are, then fewer visible relations before more (a
//! memorandum two ministers signed says more than the country both belong
//! to), then by name.

use std::collections::HashMap;

use petgraph::Direction;

use crate::graph::{Graph, NodeIx};
use crate::model::EntityKind;
use crate::path::Step;
use crate::view::{Filter, Subgraph};

/// At depth 2, ways through an intermediate kept per input and shared entity.
pub const MAX_WAYS: usize = 5;

/// An entity tied to every input.
#[derive(Debug, Clone, PartialEq)]
pub struct Shared {
    pub node: NodeIx,
    /// For each input (in input order), the ways it is tied to this entity:
    /// each a path of one or two [`Step`]s from the input to it. Direct
    /// relations are all listed; at most [`MAX_WAYS`] two-step ways are.
    pub ways: Vec<Vec<Vec<Step>>>,
    /// The longest of the inputs' shortest ways (1 or 2).
    pub hops: usize,
    /// Visible relations touching the entity.
    pub degree: usize,
    /// A country or place: shared by many, telling little.
    pub generic: bool,
}

/// The result of [`common`].
#[derive(Debug, Clone, PartialEq)]
pub struct Common {
    pub inputs: Vec<NodeIx>,
    pub depth: usize,
    /// Most specific first.
    pub shared: Vec<Shared>,
}

/// Why common ties were not looked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommonError {
    #[error("common ties need at least two different entities")]
    TooFew,
    #[error("depth must be 1 or 2, not {0}")]
    Depth(usize),
    #[error("`{0}` is outside the view (the date window or kinds hide it)")]
    Hidden(String),
}

/// Whether an entity kind is shared by many and says little (a country, a city).
pub fn is_generic(kind: EntityKind<crate::model::Sym>) -> bool {
    matches!(kind, EntityKind::Country | EntityKind::Place)
}

/// The visible relations of `node`, as steps leaving it.
fn steps(graph: &Graph, node: NodeIx, filter: &Filter) -> Vec<Step> {
    graph
        .ties(node)
        .filter(|t| filter.relation_visible(graph, t.edge))
        .map(|t| Step {
            edge: t.edge,
            from: node,
            to: t.other,
            forward: t.direction == Direction::Outgoing,
        })
        .collect()
}

/// Every entity within `depth` hops of `input`, with the shortest ways there.
fn reach(
    graph: &Graph,
    input: NodeIx,
    depth: usize,
    filter: &Filter,
) -> HashMap<NodeIx, Vec<Vec<Step>>> {
    let mut ways: HashMap<NodeIx, Vec<Vec<Step>>> = HashMap::new();
    let first = steps(graph, input, filter);
    for s in &first {
        if s.to != input {
            ways.entry(s.to).or_default().push(vec![*s]);
        }
    }
    if depth >= 2 {
        let mut mids: Vec<NodeIx> = ways.keys().copied().collect();
        mids.sort();
        let mut second: HashMap<NodeIx, Vec<Vec<Step>>> = HashMap::new();
        for mid in mids {
            let into = ways[&mid][0][0];
            for s in steps(graph, mid, filter) {
                if s.to == input || ways.contains_key(&s.to) {
                    continue;
                }
                let list = second.entry(s.to).or_default();
                if list.len() < MAX_WAYS {
                    list.push(vec![into, s]);
                }
            }
        }
        ways.extend(second);
    }
    ways
}

/// The entities tied to every one of `inputs` within `depth` (1 or 2) hops,
/// crossing only relations `filter` shows, most specific first.
pub fn common(
    graph: &Graph,
    filter: &Filter,
    inputs: &[NodeIx],
    depth: usize,
) -> Result<Common, CommonError> {
    if !(1..=2).contains(&depth) {
        return Err(CommonError::Depth(depth));
    }
    let mut distinct = inputs.to_vec();
    distinct.sort();
    distinct.dedup();
    if distinct.len() < 2 {
        return Err(CommonError::TooFew);
    }
    if let Some(&h) = inputs.iter().find(|&&n| !filter.entity_visible(graph, n)) {
        return Err(CommonError::Hidden(graph.entity(h).id.to_string()));
    }
    let mut inputs_unique = Vec::new();
    for &n in inputs {
        if !inputs_unique.contains(&n) {
            inputs_unique.push(n);
        }
    }
    let reaches: Vec<HashMap<NodeIx, Vec<Vec<Step>>>> = inputs_unique
        .iter()
        .map(|&n| reach(graph, n, depth, filter))
        .collect();
    // Candidates from the smallest reach.
    let smallest = reaches
        .iter()
        .min_by_key(|r| r.len())
        .expect("two inputs at least");
    let mut shared = Vec::new();
    for &node in smallest.keys() {
        if inputs_unique.contains(&node) || !reaches.iter().all(|r| r.contains_key(&node)) {
            continue;
        }
        let ways: Vec<Vec<Vec<Step>>> = reaches.iter().map(|r| r[&node].clone()).collect();
        let hops = ways.iter().map(|w| w[0].len()).max().unwrap_or(1);
        let degree = graph
            .ties(node)
            .filter(|t| filter.relation_visible(graph, t.edge))
            .count();
        shared.push(Shared {
            node,
            ways,
            hops,
            degree,
            generic: is_generic(graph.entity(node).kind),
        });
    }
    shared.sort_by(|a, b| {
        (a.hops, a.generic, a.degree)
            .cmp(&(b.hops, b.generic, b.degree))
            .then_with(|| graph.entity_name(a.node).cmp(graph.entity_name(b.node)))
            .then_with(|| a.node.cmp(&b.node))
    });
    Ok(Common {
        inputs: inputs_unique,
        depth,
        shared,
    })
}

impl Common {
    /// The inputs, the first `limit` shared entities, and the relations (and
    /// entities in between) that tie them: the view to export.
    pub fn subgraph(&self, graph: &Graph, limit: usize) -> Subgraph {
        let mut edges = Vec::new();
        let mut nodes = self.inputs.clone();
        for s in self.shared.iter().take(limit) {
            nodes.push(s.node);
            for way in s.ways.iter().flatten() {
                edges.extend(way.iter().map(|st| st.edge));
            }
        }
        super::from_edges(graph, &edges, &nodes)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    fn ids(g: &Graph, c: &Common) -> Vec<String> {
        c.shared
            .iter()
            .map(|s| g.entity(s.node).id.to_string())
            .collect()
    }

    #[test]
    fn a_shared_agreement_ranks_above_a_shared_country() {
        let g = fixture::graph();
        let (a, b) = (g.find("a").unwrap(), g.find("b").unwrap());
        let c = common(&g, &Filter::default(), &[a, b], 1).unwrap();
        assert_eq!(ids(&g, &c), ["c", "hub"]);
        // Each input's relation to the agreement is listed.
        let agreement = &c.shared[0];
        assert_eq!(agreement.ways.len(), 2);
        assert_eq!(agreement.ways[0][0][0].from, a);
        assert_eq!(agreement.ways[1][0][0].from, b);
        let sub = c.subgraph(&g, 10);
        assert_eq!(sub.nodes.len(), 4);
        assert_eq!(sub.edges.len(), 4);
    }

    #[test]
    fn depth_two_adds_ties_through_an_entity_between() {
        let g = fixture::graph();
        let (a, y) = (g.find("a").unwrap(), g.find("y").unwrap());
        let direct = common(&g, &Filter::default(), &[a, y], 1).unwrap();
        assert_eq!(ids(&g, &direct), ["hub"]);
        let two = common(&g, &Filter::default(), &[a, y], 2).unwrap();
        let found = ids(&g, &two);
        assert_eq!(found[0], "hub");
        // x: a–c–x (2020) or a–hub–x; y–x directly.
        assert!(found.contains(&"x".to_string()), "{found:?}");
        let x = two
            .shared
            .iter()
            .find(|s| g.entity(s.node).id == "x")
            .unwrap();
        assert_eq!(x.hops, 2);
        assert_eq!(x.ways[1][0].len(), 1);
    }

    #[test]
    fn the_window_hides_ties_and_bad_requests_are_refused() {
        let g = fixture::graph();
        let (a, b) = (g.find("a").unwrap(), g.find("b").unwrap());
        let f = Filter {
            window: "2025".parse().unwrap(),
            ..Filter::default()
        };
        let c = common(&g, &f, &[a, b], 1).unwrap();
        assert_eq!(ids(&g, &c), ["hub"]);
        assert_eq!(common(&g, &f, &[a, a], 1).unwrap_err(), CommonError::TooFew);
        assert_eq!(
            common(&g, &f, &[a, b], 3).unwrap_err(),
            CommonError::Depth(3)
        );
        let leaf = g.find("c").unwrap();
        assert!(matches!(
            common(&g, &f, &[a, leaf], 1),
            Err(CommonError::Hidden(_))
        ));
    }
}
