//! What a [`Filter`] shows of a graph, as a petgraph graph: the visit traits on
//! [`FilteredGraph`], so that `petgraph::algo` and rustworkx-core run on a view
//! without copying it.
//!
//! Ids are the graph's own; hidden entities are holes in `0..node_bound()`
//! (as in petgraph's `StableGraph`): never listed, never reached. A relation is
//! seen when [`Filter::relation_visible`] lets it through (its kind and dates,
//! and both its ends). Directed, like [`Graph`]'s own traits.

use std::sync::OnceLock;

use fixedbitset::FixedBitSet;
use petgraph::Direction;
use petgraph::visit::{
    Data, EdgeCount, GraphBase, GraphProp, IntoEdgeReferences, IntoEdges, IntoEdgesDirected,
    IntoNeighbors, IntoNeighborsDirected, IntoNodeIdentifiers, NodeCount, NodeIndexable, Visitable,
};

use super::Filter;
use crate::graph::{AllRelations, EdgeIx, Graph, NodeIds, NodeIx, RelationRef, RelationsOf};

/// A graph seen through a filter.
#[derive(Debug)]
pub struct FilteredGraph<'g> {
    graph: &'g Graph,
    filter: &'g Filter,
    /// Visible entities and relations, counted when first asked.
    counts: OnceLock<(usize, usize)>,
}

impl<'g> FilteredGraph<'g> {
    pub fn new(graph: &'g Graph, filter: &'g Filter) -> Self {
        FilteredGraph {
            graph,
            filter,
            counts: OnceLock::new(),
        }
    }

    pub fn graph(&self) -> &'g Graph {
        self.graph
    }

    fn counts(&self) -> (usize, usize) {
        *self.counts.get_or_init(|| {
            if self.filter.is_empty() {
                return (self.graph.node_count(), self.graph.edge_count());
            }
            let (g, f) = (self.graph, self.filter);
            (
                g.node_indices().filter(|&n| f.entity_visible(g, n)).count(),
                g.edge_indices()
                    .filter(|&e| f.relation_visible(g, e))
                    .count(),
            )
        })
    }

    fn sees(&self, e: EdgeIx) -> bool {
        self.filter.relation_visible(self.graph, e)
    }
}

/// The visible relations of one node (newest first).
#[derive(Debug, Clone)]
pub struct VisibleRelationsOf<'a> {
    view: &'a FilteredGraph<'a>,
    inner: RelationsOf<'a>,
}

impl Iterator for VisibleRelationsOf<'_> {
    type Item = RelationRef;

    fn next(&mut self) -> Option<RelationRef> {
        self.inner.by_ref().find(|r| self.view.sees(r.id))
    }
}

/// The other ends of [`VisibleRelationsOf`].
#[derive(Debug, Clone)]
pub struct VisibleNeighboursOf<'a>(VisibleRelationsOf<'a>);

impl Iterator for VisibleNeighboursOf<'_> {
    type Item = NodeIx;

    fn next(&mut self) -> Option<NodeIx> {
        let incoming = self.0.inner.incoming();
        self.0
            .next()
            .map(|r| if incoming { r.source } else { r.target })
    }
}

/// Every visible relation, in graph order.
#[derive(Debug, Clone)]
pub struct VisibleRelations<'a> {
    view: &'a FilteredGraph<'a>,
    inner: AllRelations<'a>,
}

impl Iterator for VisibleRelations<'_> {
    type Item = RelationRef;

    fn next(&mut self) -> Option<RelationRef> {
        self.inner.by_ref().find(|r| self.view.sees(r.id))
    }
}

/// Every visible entity, in graph order.
#[derive(Debug, Clone)]
pub struct VisibleNodes<'a> {
    view: &'a FilteredGraph<'a>,
    inner: NodeIds,
}

impl Iterator for VisibleNodes<'_> {
    type Item = NodeIx;

    fn next(&mut self) -> Option<NodeIx> {
        let (g, f) = (self.view.graph, self.view.filter);
        self.inner.by_ref().find(|&n| f.entity_visible(g, n))
    }
}

impl GraphBase for FilteredGraph<'_> {
    type NodeId = NodeIx;
    type EdgeId = EdgeIx;
}

impl Data for FilteredGraph<'_> {
    type NodeWeight = ();
    type EdgeWeight = ();
}

impl GraphProp for FilteredGraph<'_> {
    type EdgeType = petgraph::Directed;
}

impl NodeCount for FilteredGraph<'_> {
    /// Visible entities.
    fn node_count(&self) -> usize {
        self.counts().0
    }
}

impl EdgeCount for FilteredGraph<'_> {
    /// Visible relations.
    fn edge_count(&self) -> usize {
        self.counts().1
    }
}

impl NodeIndexable for FilteredGraph<'_> {
    fn node_bound(&self) -> usize {
        self.graph.node_count()
    }

    fn to_index(&self, a: NodeIx) -> usize {
        a.index()
    }

    fn from_index(&self, i: usize) -> NodeIx {
        NodeIx::new(i)
    }
}

impl Visitable for FilteredGraph<'_> {
    type Map = FixedBitSet;

    fn visit_map(&self) -> FixedBitSet {
        FixedBitSet::with_capacity(self.graph.node_count())
    }

    fn reset_map(&self, map: &mut FixedBitSet) {
        map.clear();
        map.grow(self.graph.node_count());
    }
}

impl<'a> IntoNeighbors for &'a FilteredGraph<'a> {
    type Neighbors = VisibleNeighboursOf<'a>;

    fn neighbors(self, a: NodeIx) -> Self::Neighbors {
        self.neighbors_directed(a, Direction::Outgoing)
    }
}

impl<'a> IntoNeighborsDirected for &'a FilteredGraph<'a> {
    type NeighborsDirected = VisibleNeighboursOf<'a>;

    fn neighbors_directed(self, a: NodeIx, d: Direction) -> Self::NeighborsDirected {
        VisibleNeighboursOf(self.edges_directed(a, d))
    }
}

impl<'a> IntoEdgeReferences for &'a FilteredGraph<'a> {
    type EdgeRef = RelationRef;
    type EdgeReferences = VisibleRelations<'a>;

    fn edge_references(self) -> Self::EdgeReferences {
        VisibleRelations {
            view: self,
            inner: self.graph.edge_references(),
        }
    }
}

impl<'a> IntoEdges for &'a FilteredGraph<'a> {
    type Edges = VisibleRelationsOf<'a>;

    fn edges(self, a: NodeIx) -> Self::Edges {
        self.edges_directed(a, Direction::Outgoing)
    }
}

impl<'a> IntoEdgesDirected for &'a FilteredGraph<'a> {
    type EdgesDirected = VisibleRelationsOf<'a>;

    fn edges_directed(self, a: NodeIx, dir: Direction) -> Self::EdgesDirected {
        VisibleRelationsOf {
            view: self,
            inner: self.graph.edges_directed(a, dir),
        }
    }
}

impl<'a> IntoNodeIdentifiers for &'a FilteredGraph<'a> {
    type NodeIdentifiers = VisibleNodes<'a>;

    fn node_identifiers(self) -> Self::NodeIdentifiers {
        VisibleNodes {
            view: self,
            inner: self.graph.node_identifiers(),
        }
    }
}
