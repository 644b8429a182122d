//! A [`ViewGraph`] as petgraph's algorithms take it: the view's simple
//! undirected graph (distinct ties, no self-ties; see [`crate::analysis`]),
//! node `i` being local number `i`. rustworkx-core's betweenness, closeness and
//! articulation points run on it in place, reading the view's sorted adjacency
//! slices, where they once ran on a `petgraph::UnGraph` copied from it
//! ([`ViewGraph::to_ungraph`], kept to check against).

use fixedbitset::FixedBitSet;
use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::{
    Data, EdgeCount, EdgeRef, GraphBase, GraphProp, IntoEdgeReferences, IntoEdges,
    IntoEdgesDirected, IntoNeighbors, IntoNeighborsDirected, IntoNodeIdentifiers,
    NodeCompactIndexable, NodeCount, NodeIndexable, Visitable,
};

use super::ViewGraph;

/// A local node number as petgraph holds it.
pub type Local = NodeIndex<u32>;

/// A tie between two visible entities, seen from `source`. Its id is the pair
/// of ends, smaller first: the same from either end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LocalTie {
    pub source: Local,
    pub target: Local,
}

impl EdgeRef for LocalTie {
    type NodeId = Local;
    type EdgeId = (Local, Local);
    type Weight = ();

    fn source(&self) -> Local {
        self.source
    }

    fn target(&self) -> Local {
        self.target
    }

    fn weight(&self) -> &() {
        &()
    }

    fn id(&self) -> (Local, Local) {
        (self.source.min(self.target), self.source.max(self.target))
    }
}

/// The ties of one entity: `(at, other)` as source and target, or the reverse
/// for the ties "into" it.
#[derive(Debug, Clone)]
pub struct LocalTies<'v> {
    at: Local,
    others: std::slice::Iter<'v, u32>,
    into: bool,
}

impl Iterator for LocalTies<'_> {
    type Item = LocalTie;

    fn next(&mut self) -> Option<LocalTie> {
        let other = Local::new(*self.others.next()? as usize);
        Some(if self.into {
            LocalTie {
                source: other,
                target: self.at,
            }
        } else {
            LocalTie {
                source: self.at,
                target: other,
            }
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.others.size_hint()
    }
}

/// The distinct neighbours of one entity, in local order.
pub type LocalNeighbours<'v> = std::iter::Map<std::slice::Iter<'v, u32>, fn(&u32) -> Local>;

/// Every tie once, smaller end first.
#[derive(Debug, Clone)]
pub struct AllLocalTies<'v> {
    view: &'v ViewGraph,
    at: usize,
    ties: LocalTies<'v>,
}

impl Iterator for AllLocalTies<'_> {
    type Item = LocalTie;

    fn next(&mut self) -> Option<LocalTie> {
        loop {
            if let Some(t) = self.ties.next() {
                if t.target.index() > self.at {
                    return Some(t);
                }
                continue;
            }
            self.at += 1;
            if self.at >= self.view.len() {
                return None;
            }
            self.ties = self.view.ties_of(self.at, false);
        }
    }
}

impl ViewGraph {
    fn ties_of(&self, i: usize, into: bool) -> LocalTies<'_> {
        LocalTies {
            at: Local::new(i),
            others: self.neighbours(i).iter(),
            into,
        }
    }
}

fn local(j: &u32) -> Local {
    Local::new(*j as usize)
}

impl GraphBase for ViewGraph {
    type NodeId = Local;
    type EdgeId = (Local, Local);
}

impl Data for ViewGraph {
    type NodeWeight = ();
    type EdgeWeight = ();
}

impl GraphProp for ViewGraph {
    type EdgeType = petgraph::Undirected;
}

impl NodeCount for ViewGraph {
    fn node_count(&self) -> usize {
        self.len()
    }
}

impl EdgeCount for ViewGraph {
    /// Distinct ties.
    fn edge_count(&self) -> usize {
        self.simple_edge_count()
    }
}

impl NodeIndexable for ViewGraph {
    fn node_bound(&self) -> usize {
        self.len()
    }

    fn to_index(&self, a: Local) -> usize {
        a.index()
    }

    fn from_index(&self, i: usize) -> Local {
        Local::new(i)
    }
}

impl NodeCompactIndexable for ViewGraph {}

impl Visitable for ViewGraph {
    type Map = FixedBitSet;

    fn visit_map(&self) -> FixedBitSet {
        FixedBitSet::with_capacity(self.len())
    }

    fn reset_map(&self, map: &mut FixedBitSet) {
        map.clear();
        map.grow(self.len());
    }
}

impl<'v> IntoNeighbors for &'v ViewGraph {
    type Neighbors = LocalNeighbours<'v>;

    fn neighbors(self, a: Local) -> LocalNeighbours<'v> {
        self.neighbours(a.index())
            .iter()
            .map(local as fn(&u32) -> Local)
    }
}

impl<'v> IntoNeighborsDirected for &'v ViewGraph {
    type NeighborsDirected = LocalNeighbours<'v>;

    /// Undirected: every neighbour, whichever the direction.
    fn neighbors_directed(self, a: Local, _: Direction) -> LocalNeighbours<'v> {
        self.neighbors(a)
    }
}

impl<'v> IntoEdgeReferences for &'v ViewGraph {
    type EdgeRef = LocalTie;
    type EdgeReferences = AllLocalTies<'v>;

    fn edge_references(self) -> AllLocalTies<'v> {
        AllLocalTies {
            view: self,
            at: 0,
            ties: if self.is_empty() {
                LocalTies {
                    at: Local::new(0),
                    others: [].iter(),
                    into: false,
                }
            } else {
                self.ties_of(0, false)
            },
        }
    }
}

impl<'v> IntoEdges for &'v ViewGraph {
    type Edges = LocalTies<'v>;

    /// Every tie of `a`, `a` as the source.
    fn edges(self, a: Local) -> LocalTies<'v> {
        self.ties_of(a.index(), false)
    }
}

impl<'v> IntoEdgesDirected for &'v ViewGraph {
    type EdgesDirected = LocalTies<'v>;

    /// Every tie of `a`: `a` as the source (`Outgoing`) or the target.
    fn edges_directed(self, a: Local, dir: Direction) -> LocalTies<'v> {
        self.ties_of(a.index(), dir == Direction::Incoming)
    }
}

impl IntoNodeIdentifiers for &ViewGraph {
    type NodeIdentifiers = std::iter::Map<std::ops::Range<usize>, fn(usize) -> Local>;

    fn node_identifiers(self) -> Self::NodeIdentifiers {
        (0..self.len()).map(Local::new as fn(usize) -> Local)
    }
}
