//! petgraph's view of the graph: its visit traits on [`Graph`], so that
//! `petgraph::algo` and rustworkx-core run on the graph where it lies, with no
//! copy into a `petgraph::Graph` first.
//!
//! The graph is directed (petgraph's `Directed`): a relation runs from its
//! `from` to its `to`, parallel relations and self-ties included, and node and
//! edge ids are the graph's own [`NodeIx`] and [`EdgeIx`], numbered `0..n`
//! without holes. A relation without a direction ([`Relation::undirected`])
//! still appears once, from → to in file order; wrap the graph in petgraph's
//! `UndirectedAdaptor` to cross every relation both ways. Weights are `()`:
//! read an entity or relation with [`Graph::entity`] and [`Graph::relation`].
//! Edges of a node come newest first, as petgraph's own `Graph` gives them.
//!
//! [`Relation::undirected`]: super::Relation::undirected

use fixedbitset::FixedBitSet;
use petgraph::Direction;
use petgraph::visit::{
    Data, EdgeCount, EdgeIndexable, EdgeRef, GraphBase, GraphProp, IntoEdgeReferences, IntoEdges,
    IntoEdgesDirected, IntoNeighbors, IntoNeighborsDirected, IntoNodeIdentifiers,
    IntoNodeReferences, NodeCompactIndexable, NodeCount, NodeIndexable, Visitable,
};

use super::index::{IN, Links, OUT};
use super::{EdgeIx, Graph, NONE, NodeIx};

/// A relation as petgraph's algorithms see it: its id and its two ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RelationRef {
    pub id: EdgeIx,
    pub source: NodeIx,
    pub target: NodeIx,
}

impl EdgeRef for RelationRef {
    type NodeId = NodeIx;
    type EdgeId = EdgeIx;
    type Weight = ();

    fn source(&self) -> NodeIx {
        self.source
    }

    fn target(&self) -> NodeIx {
        self.target
    }

    fn weight(&self) -> &() {
        &()
    }

    fn id(&self) -> EdgeIx {
        self.id
    }
}

impl Graph {
    /// The relation `e` with its ends, as petgraph's algorithms get it.
    pub fn relation_ref(&self, e: EdgeIx) -> RelationRef {
        let (source, target) = self.ends(e);
        RelationRef {
            id: e,
            source,
            target,
        }
    }
}

/// The relations out of or into one node, newest first (petgraph's order),
/// walked along the graph's own lists.
#[derive(Debug, Clone)]
pub struct RelationsOf<'g> {
    links: &'g Links,
    next: u32,
    /// [`OUT`] or [`IN`].
    dir: usize,
}

impl<'g> RelationsOf<'g> {
    pub(crate) fn new(graph: &'g Graph, node: NodeIx, dir: Direction) -> Self {
        let dir = match dir {
            Direction::Outgoing => OUT,
            Direction::Incoming => IN,
        };
        RelationsOf {
            links: &graph.links,
            next: graph.links.first.get(node.index()).map_or(NONE, |f| f[dir]),
            dir,
        }
    }

    /// Whether these are the relations into the node.
    pub fn incoming(&self) -> bool {
        self.dir == IN
    }
}

impl Iterator for RelationsOf<'_> {
    type Item = RelationRef;

    fn next(&mut self) -> Option<RelationRef> {
        if self.next == NONE {
            return None;
        }
        let e = self.next as usize;
        self.next = self.links.next.get(e).map_or(NONE, |n| n[self.dir]);
        let [a, b] = *self.links.ends.get(e)?;
        Some(RelationRef {
            id: EdgeIx::new(e),
            source: NodeIx::new(a as usize),
            target: NodeIx::new(b as usize),
        })
    }
}

/// The other ends of [`RelationsOf`].
#[derive(Debug, Clone)]
pub struct NeighboursOf<'g>(RelationsOf<'g>);

impl Iterator for NeighboursOf<'_> {
    type Item = NodeIx;

    fn next(&mut self) -> Option<NodeIx> {
        let incoming = self.0.incoming();
        self.0
            .next()
            .map(|r| if incoming { r.source } else { r.target })
    }
}

/// Every relation, in graph order.
#[derive(Debug, Clone)]
pub struct AllRelations<'g> {
    ends: std::iter::Enumerate<std::slice::Iter<'g, [u32; 2]>>,
}

impl Iterator for AllRelations<'_> {
    type Item = RelationRef;

    fn next(&mut self) -> Option<RelationRef> {
        self.ends.next().map(|(e, &[a, b])| RelationRef {
            id: EdgeIx::new(e),
            source: NodeIx::new(a as usize),
            target: NodeIx::new(b as usize),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ends.size_hint()
    }
}

/// Every node id, `0..n`.
pub type NodeIds = std::iter::Map<std::ops::Range<usize>, fn(usize) -> NodeIx>;

/// Every node with its (empty) weight.
pub type NodeRefs = std::iter::Map<std::ops::Range<usize>, fn(usize) -> (NodeIx, ())>;

impl GraphBase for Graph {
    type NodeId = NodeIx;
    type EdgeId = EdgeIx;
}

impl Data for Graph {
    type NodeWeight = ();
    type EdgeWeight = ();
}

impl GraphProp for Graph {
    type EdgeType = petgraph::Directed;
}

impl NodeCount for Graph {
    fn node_count(&self) -> usize {
        Graph::node_count(self)
    }
}

impl EdgeCount for Graph {
    fn edge_count(&self) -> usize {
        Graph::edge_count(self)
    }
}

impl NodeIndexable for Graph {
    fn node_bound(&self) -> usize {
        Graph::node_count(self)
    }

    fn to_index(&self, a: NodeIx) -> usize {
        a.index()
    }

    fn from_index(&self, i: usize) -> NodeIx {
        NodeIx::new(i)
    }
}

impl NodeCompactIndexable for Graph {}

impl EdgeIndexable for Graph {
    fn edge_bound(&self) -> usize {
        Graph::edge_count(self)
    }

    fn to_index(&self, a: EdgeIx) -> usize {
        a.index()
    }

    fn from_index(&self, i: usize) -> EdgeIx {
        EdgeIx::new(i)
    }
}

impl Visitable for Graph {
    type Map = FixedBitSet;

    fn visit_map(&self) -> FixedBitSet {
        FixedBitSet::with_capacity(Graph::node_count(self))
    }

    fn reset_map(&self, map: &mut FixedBitSet) {
        map.clear();
        map.grow(Graph::node_count(self));
    }
}

impl<'g> IntoNeighbors for &'g Graph {
    type Neighbors = NeighboursOf<'g>;

    /// The ends of the relations leaving `a`.
    fn neighbors(self, a: NodeIx) -> NeighboursOf<'g> {
        NeighboursOf(RelationsOf::new(self, a, Direction::Outgoing))
    }
}

impl<'g> IntoNeighborsDirected for &'g Graph {
    type NeighborsDirected = NeighboursOf<'g>;

    fn neighbors_directed(self, a: NodeIx, d: Direction) -> NeighboursOf<'g> {
        NeighboursOf(RelationsOf::new(self, a, d))
    }
}

impl<'g> IntoEdgeReferences for &'g Graph {
    type EdgeRef = RelationRef;
    type EdgeReferences = AllRelations<'g>;

    fn edge_references(self) -> AllRelations<'g> {
        AllRelations {
            ends: self.links.ends.iter().enumerate(),
        }
    }
}

impl<'g> IntoEdges for &'g Graph {
    type Edges = RelationsOf<'g>;

    /// The relations leaving `a`.
    fn edges(self, a: NodeIx) -> RelationsOf<'g> {
        RelationsOf::new(self, a, Direction::Outgoing)
    }
}

impl<'g> IntoEdgesDirected for &'g Graph {
    type EdgesDirected = RelationsOf<'g>;

    fn edges_directed(self, a: NodeIx, dir: Direction) -> RelationsOf<'g> {
        RelationsOf::new(self, a, dir)
    }
}

impl IntoNodeIdentifiers for &Graph {
    type NodeIdentifiers = NodeIds;

    fn node_identifiers(self) -> NodeIds {
        (0..Graph::node_count(self)).map(NodeIx::new as fn(usize) -> NodeIx)
    }
}

impl IntoNodeReferences for &Graph {
    type NodeRef = (NodeIx, ());
    type NodeReferences = NodeRefs;

    fn node_references(self) -> NodeRefs {
        fn with_unit(i: usize) -> (NodeIx, ()) {
            (NodeIx::new(i), ())
        }
        (0..Graph::node_count(self)).map(with_unit as fn(usize) -> (NodeIx, ()))
    }
}

#[cfg(test)]
mod tests {
    use petgraph::algo;
    use petgraph::visit::{Dfs, Walker};

    use super::*;
    use crate::graph::{NewEntity, NewRelation, SourceSet};
    use crate::model::{EntityKind, RelationKind};

    /// a → b → c → a (a cycle), c → d, d → d (a self-tie), e alone, and a
    /// second a → b.
    fn fixture() -> Graph {
        let mut g = Graph::default();
        let [a, b, c, d, _e] = ["a", "b", "c", "d", "e"].map(|id| {
            let e = NewEntity::<String>::new(id, EntityKind::Person, id, SourceSet::EMPTY);
            g.add_entity(e).unwrap()
        });
        for (from, to) in [(a, b), (b, c), (c, a), (c, d), (d, d), (a, b)] {
            let r = NewRelation::new(RelationKind::MemberOf, SourceSet::EMPTY);
            g.add_relation(from, to, r).unwrap();
        }
        g
    }

    fn id(g: &Graph, n: NodeIx) -> &str {
        g.entity(n).id
    }

    #[test]
    fn neighbours_and_edges_follow_direction_newest_first() {
        let g = fixture();
        let [a, b, c, d] = ["a", "b", "c", "d"].map(|i| g.find(i).unwrap());
        let out: Vec<&str> = g.neighbors(a).map(|n| id(&g, n)).collect();
        assert_eq!(out, ["b", "b"]);
        let into: Vec<&str> = g
            .neighbors_directed(a, Direction::Incoming)
            .map(|n| id(&g, n))
            .collect();
        assert_eq!(into, ["c"]);
        // c's relations out, newest first: c → d (3), c → a (2).
        let edges: Vec<usize> = g.edges(c).map(|r| r.id().index()).collect();
        assert_eq!(edges, [3, 2]);
        let into_b: Vec<(NodeIx, NodeIx)> = g
            .edges_directed(b, Direction::Incoming)
            .map(|r| (r.source(), r.target()))
            .collect();
        assert_eq!(into_b, [(a, b), (a, b)]);
        assert_eq!(g.edge_references().count(), 6);
        assert_eq!(g.relation_ref(EdgeIx::new(4)).source, d);
        assert_eq!(g.node_identifiers().count(), 5);
        assert_eq!(g.node_references().count(), 5);
    }

    #[test]
    fn petgraph_algorithms_run_on_the_graph() {
        let g = fixture();
        let [a, d, e] = ["a", "d", "e"].map(|i| g.find(i).unwrap());
        // {a, b, c, d} and {e}.
        assert_eq!(algo::connected_components(&g), 2);
        // The self-tie on d and the a → b → c → a circle.
        assert!(algo::is_cyclic_directed(&g));
        let mut sccs: Vec<Vec<&str>> = algo::kosaraju_scc(&g)
            .into_iter()
            .map(|c| {
                let mut ids: Vec<&str> = c.iter().map(|&n| id(&g, n)).collect();
                ids.sort();
                ids
            })
            .collect();
        sccs.sort();
        assert_eq!(sccs, [vec!["a", "b", "c"], vec!["d"], vec!["e"]]);
        let dist = algo::dijkstra(&g, a, None, |_| 1u32);
        assert_eq!(dist[&d], 3);
        assert!(!dist.contains_key(&e));
        assert!(algo::has_path_connecting(&g, a, d, None));
        assert!(!algo::has_path_connecting(&g, d, a, None));
        let reached: Vec<NodeIx> = Dfs::new(&g, d).iter(&g).collect();
        assert_eq!(reached, [d]);
    }
}
