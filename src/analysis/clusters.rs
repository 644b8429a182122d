//! How a view falls apart: its connected components ("clusters", relations
//! crossed either way), each with its size and its most central member, and
//! the bridge entities (articulation points) whose removal would split a
//! cluster.
//!
//! The most central member is the one with the most visible relations (ties by
//! name): degree is the centrality that stays cheap at a million entities.
//! Components come from petgraph's union–find; articulation points and the
//! pieces each one's removal leaves from rustworkx-core's biconnected
//! components, on the view's simple graph.

use std::collections::HashSet;

use petgraph::unionfind::UnionFind;

use super::ViewGraph;
use crate::graph::{Graph, NodeIx};
use crate::view::{Filter, Subgraph};

/// One connected component of the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// Members in graph order.
    pub members: Vec<NodeIx>,
    /// Visible relations inside it.
    pub relations: usize,
    /// The member with the most visible relations.
    pub central: NodeIx,
}

/// An entity whose removal splits its cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bridge {
    pub node: NodeIx,
    /// Index into [`Clusters::clusters`].
    pub cluster: usize,
    /// How many pieces its cluster falls into without it.
    pub pieces: usize,
}

/// The clusters and bridges of a view.
#[derive(Debug, Clone, PartialEq)]
pub struct Clusters {
    /// Largest first (equal sizes by their central member's name).
    pub clusters: Vec<Cluster>,
    /// Most pieces first, then most relations, then by name.
    pub bridges: Vec<Bridge>,
    /// Graph node index → cluster index (`u32::MAX` when hidden).
    of: Vec<u32>,
}

impl Clusters {
    /// The cluster `node` is in, if the view shows it.
    pub fn cluster_of(&self, node: NodeIx) -> Option<usize> {
        match self.of.get(node.index()) {
            Some(&c) if c != u32::MAX => Some(c as usize),
            _ => None,
        }
    }

    /// Number of clusters of one entity.
    pub fn singletons(&self) -> usize {
        self.clusters
            .iter()
            .filter(|c| c.members.len() == 1)
            .count()
    }

    /// Cluster `index` with its visible relations: the view to export.
    pub fn subgraph(&self, graph: &Graph, filter: &Filter, index: usize) -> Subgraph {
        let nodes = self.clusters.get(index).map_or(&[][..], |c| &c.members[..]);
        super::induced(graph, nodes, |e| filter.relation_visible(graph, e))
    }
}

/// The clusters and bridges of what `filter` shows.
pub fn clusters(graph: &Graph, filter: &Filter) -> Clusters {
    let view = ViewGraph::new(graph, filter);
    clusters_of_view(graph, &view)
}

/// [`clusters`] on a view already built.
pub fn clusters_of_view(graph: &Graph, view: &ViewGraph) -> Clusters {
    let n = view.len();
    let mut uf: UnionFind<u32> = UnionFind::new(n);
    for i in 0..n {
        for &j in view.neighbours(i) {
            if (j as usize) > i {
                uf.union(i as u32, j);
            }
        }
    }
    // Root → cluster, numbered in order of first member.
    let mut root_cluster = vec![u32::MAX; n];
    let mut members: Vec<Vec<u32>> = Vec::new();
    for i in 0..n {
        let r = uf.find_mut(i as u32) as usize;
        if root_cluster[r] == u32::MAX {
            root_cluster[r] = members.len() as u32;
            members.push(Vec::new());
        }
        let c = root_cluster[r];
        members[c as usize].push(i as u32);
    }
    let mut list: Vec<(Cluster, Vec<u32>)> = members
        .into_iter()
        .map(|m| {
            let central = *m
                .iter()
                .max_by(|&&a, &&b| {
                    view.degree(a as usize)
                        .cmp(&view.degree(b as usize))
                        .then_with(|| {
                            graph
                                .entity_name(view.nodes[b as usize])
                                .cmp(graph.entity_name(view.nodes[a as usize]))
                        })
                        .then(b.cmp(&a))
                })
                .expect("a cluster has a member");
            // Each relation is counted at both of its ends.
            let relations = m.iter().map(|&i| view.degree(i as usize)).sum::<usize>() / 2;
            let cluster = Cluster {
                members: m.iter().map(|&i| view.nodes[i as usize]).collect(),
                relations,
                central: view.nodes[central as usize],
            };
            (cluster, m)
        })
        .collect();
    list.sort_by(|(a, _), (b, _)| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then_with(|| {
                graph
                    .entity_name(a.central)
                    .cmp(graph.entity_name(b.central))
            })
            .then(a.central.cmp(&b.central))
    });
    let mut of = vec![u32::MAX; graph.node_count()];
    let mut local_of = vec![0u32; n];
    for (c, (_, m)) in list.iter().enumerate() {
        for &i in m {
            of[view.nodes[i as usize].index()] = c as u32;
            local_of[i as usize] = c as u32;
        }
    }
    let clusters: Vec<Cluster> = list.into_iter().map(|(c, _)| c).collect();
    let bridges = bridges(graph, view, &local_of);
    Clusters {
        clusters,
        bridges,
        of,
    }
}

/// Articulation points, each with the number of biconnected components it
/// belongs to: the pieces its removal leaves.
fn bridges(graph: &Graph, view: &ViewGraph, cluster_of: &[u32]) -> Vec<Bridge> {
    let mut components = Default::default();
    let points = rustworkx_core::connectivity::articulation_points(view, Some(&mut components));
    let mut out: Vec<Bridge> = points
        .into_iter()
        .map(|p| {
            let i = p.index();
            let pieces: HashSet<usize> = view
                .neighbours(i)
                .iter()
                .filter_map(|&j| {
                    let j = petgraph::graph::NodeIndex::new(j as usize);
                    components.get(&(p, j)).or_else(|| components.get(&(j, p)))
                })
                .copied()
                .collect();
            Bridge {
                node: view.nodes[i],
                cluster: cluster_of[i] as usize,
                pieces: pieces.len(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        let (da, db) = (
            view.local(a.node).map_or(0, |i| view.degree(i)),
            view.local(b.node).map_or(0, |i| view.degree(i)),
        );
        b.pieces
            .cmp(&a.pieces)
            .then(db.cmp(&da))
            .then_with(|| graph.entity_name(a.node).cmp(graph.entity_name(b.node)))
            .then(a.node.cmp(&b.node))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    #[test]
    fn components_sizes_centres_and_bridges() {
        let g = fixture::graph();
        let c = clusters(&g, &Filter::default());
        let sizes: Vec<usize> = c.clusters.iter().map(|c| c.members.len()).collect();
        assert_eq!(sizes, [7, 1]);
        assert_eq!(c.singletons(), 1);
        assert_eq!(c.clusters[1].members, [g.find("lone").unwrap()]);
        // a, b and hub have 4 relations each; A comes first by name.
        assert_eq!(g.entity(c.clusters[0].central).id, "a");
        assert_eq!(c.clusters[0].relations, 11);
        // y holds the leaf on: removing it leaves two pieces.
        let bridges: Vec<(&str, usize)> = c
            .bridges
            .iter()
            .map(|b| (g.entity(b.node).id, b.pieces))
            .collect();
        assert_eq!(bridges, [("y", 2)]);
        assert_eq!(c.cluster_of(g.find("x").unwrap()), Some(0));
        assert_eq!(c.cluster_of(g.find("lone").unwrap()), Some(1));
    }

    #[test]
    fn the_window_can_split_a_cluster() {
        let g = fixture::graph();
        // In 2024 the c–x tie (2020) is gone: hub alone joins the two triangles.
        let f = Filter {
            window: "2024".parse().unwrap(),
            ..Filter::default()
        };
        let c = clusters(&g, &f);
        let hub = c
            .bridges
            .iter()
            .find(|b| g.entity(b.node).id == "hub")
            .unwrap();
        assert_eq!(hub.pieces, 2);
        assert_eq!(c.cluster_of(g.find("leaf").unwrap()), None);
        let sub = c.subgraph(&g, &f, 0);
        assert_eq!(sub.nodes.len(), 6);
    }
}
