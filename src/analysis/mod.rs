//! Questions asked of a whole view rather than of one entity: who is central
//! ([`rank`]), what several entities have in common ([`common`]), what changed
//! between two date windows ([`diff`]), and how the view falls apart into
//! clusters and which entities hold them together ([`clusters`]).
//!
//! Every analysis works on exactly what a [`Filter`] shows: the visible entities
//! and the visible relations between them. Relations are treated as ties that can
//! be crossed either way (as [`crate::path`] does): a ministry that *employs* a
//! person and a person who *holds office* in a ministry are tied alike. The
//! networkx graph equivalent to a view is therefore
//! `nx.MultiGraph(nx.read_graphml(export))` for degree and PageRank (each
//! relation counts) and `nx.Graph(...)` of it for betweenness, closeness and
//! articulation points (parallel relations are one tie, self-ties are ignored).
//!
//! A [`ViewGraph`] is itself a petgraph graph (the simple undirected one), so
//! rustworkx-core's algorithms run on it without a copy.
//!
//! Every result can give the [`Subgraph`](crate::view::Subgraph) it is about, so
//! it can be exported like any other view.

pub mod clusters;
pub mod common;
pub mod diff;
pub mod rank;
pub mod render;
mod visit;

use petgraph::graph::UnGraph;

pub use self::visit::{AllLocalTies, Local, LocalNeighbours, LocalTie, LocalTies};
use crate::graph::{EdgeIx, Graph, NodeIx};
use crate::view::{Filter, Subgraph};

/// A filtered view as a compact undirected graph: the visible entities numbered
/// `0..n` in graph order, and adjacency lists in both a multigraph form (one
/// entry per visible relation end) and a simple form (distinct neighbours, no
/// self-ties).
#[derive(Debug, Clone)]
pub struct ViewGraph {
    /// The visible entities; a local number is an index into this.
    pub nodes: Vec<NodeIx>,
    /// The visible relations, in graph order.
    pub edges: Vec<EdgeIx>,
    /// Graph node index → local number, or `u32::MAX` when hidden.
    local: Vec<u32>,
    /// Multigraph adjacency: `multi[multi_at[i]..multi_at[i + 1]]`.
    multi_at: Vec<usize>,
    multi: Vec<u32>,
    /// Simple adjacency, sorted: `simple[simple_at[i]..simple_at[i + 1]]`.
    simple_at: Vec<usize>,
    simple: Vec<u32>,
}

const HIDDEN: u32 = u32::MAX;

impl ViewGraph {
    /// The view of `graph` that `filter` shows.
    pub fn new(graph: &Graph, filter: &Filter) -> Self {
        let mut local = vec![HIDDEN; graph.node_count()];
        let mut nodes = Vec::new();
        for n in graph.node_indices() {
            if filter.entity_visible(graph, n) {
                local[n.index()] = nodes.len() as u32;
                nodes.push(n);
            }
        }
        let edges: Vec<EdgeIx> = graph
            .edge_indices()
            .filter(|&e| filter.relation_visible(graph, e))
            .collect();
        let n = nodes.len();
        let ends: Vec<(u32, u32)> = edges
            .iter()
            .map(|&e| {
                let (a, b) = graph.ends(e);
                (local[a.index()], local[b.index()])
            })
            .collect();
        // Counting sort of relation ends into adjacency lists.
        let mut multi_at = vec![0usize; n + 1];
        for &(a, b) in &ends {
            multi_at[a as usize + 1] += 1;
            multi_at[b as usize + 1] += 1;
        }
        for i in 0..n {
            multi_at[i + 1] += multi_at[i];
        }
        let mut fill = multi_at.clone();
        let mut multi = vec![0u32; multi_at[n]];
        for &(a, b) in &ends {
            multi[fill[a as usize]] = b;
            fill[a as usize] += 1;
            multi[fill[b as usize]] = a;
            fill[b as usize] += 1;
        }
        let mut simple_at = Vec::with_capacity(n + 1);
        let mut simple = Vec::with_capacity(multi.len());
        simple_at.push(0);
        let mut scratch: Vec<u32> = Vec::new();
        for i in 0..n {
            scratch.clear();
            scratch.extend(
                multi[multi_at[i]..multi_at[i + 1]]
                    .iter()
                    .filter(|&&j| j as usize != i),
            );
            scratch.sort_unstable();
            scratch.dedup();
            simple.extend_from_slice(&scratch);
            simple_at.push(simple.len());
        }
        ViewGraph {
            nodes,
            edges,
            local,
            multi_at,
            multi,
            simple_at,
            simple,
        }
    }

    /// Number of visible entities.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The local number of a graph node, if visible.
    pub fn local(&self, node: NodeIx) -> Option<usize> {
        match self.local.get(node.index()) {
            Some(&i) if i != HIDDEN => Some(i as usize),
            _ => None,
        }
    }

    /// One entry per visible relation end at `i` (a self-tie appears twice).
    pub fn multi_neighbours(&self, i: usize) -> &[u32] {
        &self.multi[self.multi_at[i]..self.multi_at[i + 1]]
    }

    /// The distinct other entities tied to `i`, in local order.
    pub fn neighbours(&self, i: usize) -> &[u32] {
        &self.simple[self.simple_at[i]..self.simple_at[i + 1]]
    }

    /// Number of visible relations touching `i` (a self-tie counts twice, as in
    /// networkx).
    pub fn degree(&self, i: usize) -> usize {
        self.multi_at[i + 1] - self.multi_at[i]
    }

    /// Number of distinct ties (simple edges).
    pub fn simple_edge_count(&self) -> usize {
        self.simple.len() / 2
    }

    /// A copy of the simple undirected graph as petgraph holds it (node `i` is
    /// local `i`). The algorithms run on the view itself (`&ViewGraph` has
    /// petgraph's visit traits, `visit.rs`); this copy is what they are checked
    /// against.
    pub fn to_ungraph(&self) -> UnGraph<(), ()> {
        let mut g = UnGraph::with_capacity(self.len(), self.simple_edge_count());
        for _ in 0..self.len() {
            g.add_node(());
        }
        for i in 0..self.len() {
            for &j in self.neighbours(i) {
                if (j as usize) > i {
                    g.add_edge((i as u32).into(), j.into(), ());
                }
            }
        }
        g
    }

    /// The visible relations among `nodes` (graph nodes), with those nodes: the
    /// view restricted to them.
    pub fn induced(&self, graph: &Graph, nodes: &[NodeIx]) -> Subgraph {
        induced(graph, nodes, |e| self.edges.binary_search(&e).is_ok())
    }
}

/// `nodes` (sorted, deduplicated) and the relations between them that `visible`
/// lets through.
pub(crate) fn induced(
    graph: &Graph,
    nodes: &[NodeIx],
    visible: impl Fn(EdgeIx) -> bool,
) -> Subgraph {
    let mut nodes = nodes.to_vec();
    nodes.sort();
    nodes.dedup();
    let mut edges = Vec::new();
    for &n in &nodes {
        for t in graph.ties_dir(n, petgraph::Direction::Outgoing) {
            if nodes.binary_search(&t.other).is_ok() && visible(t.edge) {
                edges.push(t.edge);
            }
        }
    }
    edges.sort();
    Subgraph {
        nodes,
        edges,
        whole: false,
    }
}

/// A subgraph made of `edges` and their ends, plus `extra` nodes.
pub(crate) fn from_edges(graph: &Graph, edges: &[EdgeIx], extra: &[NodeIx]) -> Subgraph {
    let mut nodes: Vec<NodeIx> = extra.to_vec();
    for &e in edges {
        let (a, b) = graph.ends(e);
        nodes.push(a);
        nodes.push(b);
    }
    nodes.sort();
    nodes.dedup();
    let mut edges = edges.to_vec();
    edges.sort();
    edges.dedup();
    Subgraph {
        nodes,
        edges,
        whole: false,
    }
}

#[cfg(test)]
pub(crate) mod fixture {
    use crate::graph::Graph;
    use crate::load::load_texts;

    /// Two triangles joined through `hub` (an articulation point), a pendant
    /// `leaf`, a parallel relation a–b, an isolated `lone`, and a dated relation
    /// (2020) between `c` and `x`.
    pub fn graph() -> Graph {
        let text = r#"Graph(
            sources: [Source(id: "s", outlet: "o", title: "t", file: "f")],
            entities: [
                Entity(id: "a", kind: person, name: "A"),
                Entity(id: "b", kind: person, name: "B"),
                Entity(id: "c", kind: agreement, name: "C", date: "2024"),
                Entity(id: "hub", kind: country, name: "Hub"),
                Entity(id: "x", kind: person, name: "X"),
                Entity(id: "y", kind: person, name: "Y"),
                Entity(id: "leaf", kind: event, name: "Leaf", date: "2025-01"),
                Entity(id: "lone", kind: person, name: "Lone"),
            ],
            relations: [
                Relation(from: "a", to: "b", kind: member_of, sources: ["s"]),
                Relation(from: "b", to: "a", kind: member_of, sources: ["s"]),
                Relation(from: "a", to: "c", kind: signed, date: "2024-05", sources: ["s"]),
                Relation(from: "b", to: "c", kind: signed, date: "2024-05", sources: ["s"]),
                Relation(from: "a", to: "hub", kind: member_of, sources: ["s"]),
                Relation(from: "b", to: "hub", kind: member_of, sources: ["s"]),
                Relation(from: "hub", to: "x", kind: member_of, sources: ["s"]),
                Relation(from: "hub", to: "y", kind: member_of, sources: ["s"]),
                Relation(from: "x", to: "y", kind: member_of, sources: ["s"]),
                Relation(from: "y", to: "leaf", kind: attended, date: "2025-01", sources: ["s"]),
                Relation(from: "c", to: "x", kind: concerns, date: "2020", sources: ["s"]),
            ],
        )"#;
        load_texts(vec![("f.ron".into(), text.into())]).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_graph_counts_relations_and_distinct_ties() {
        let g = fixture::graph();
        let v = ViewGraph::new(&g, &Filter::default());
        assert_eq!(v.len(), 8);
        assert_eq!(v.edges.len(), 11);
        let a = v.local(g.find("a").unwrap()).unwrap();
        // a: b twice, c, hub.
        assert_eq!(v.degree(a), 4);
        assert_eq!(v.neighbours(a).len(), 3);
        let f = Filter {
            window: "2024".parse().unwrap(),
            ..Filter::default()
        };
        let v = ViewGraph::new(&g, &f);
        // The 2025 event and the 2020 relation are out of the window.
        assert!(v.local(g.find("leaf").unwrap()).is_none());
        assert_eq!(v.edges.len(), 9);
        assert_eq!(v.to_ungraph().edge_count(), 8);
    }
}
