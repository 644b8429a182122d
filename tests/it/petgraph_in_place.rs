//! petgraph's and rustworkx-core's algorithms run on the graph itself, on a
//! filtered view of it (`FilteredGraph`) and on an analysis view
//! (`ViewGraph`), with the same results as on a `petgraph::Graph` copied from
//! each: on the shipped graph and on a generated one.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use petgraph::algo;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{EdgeRef, IntoEdgeReferences, IntoNodeIdentifiers, NodeCount};
use ties::analysis::ViewGraph;
use ties::graph::{Graph, NodeIx};
use ties::view::{Filter, FilteredGraph};

use crate::common::shipped;

fn generated() -> Graph {
    ties::generate::graph(&ties::generate::GenOptions {
        entities: 1000,
        relations_per_entity: 2,
        seed: 7,
    })
    .expect("the generated graph loads")
}

fn graphs() -> [(&'static str, Graph); 2] {
    [("shipped", shipped()), ("generated", generated())]
}

/// The graph copied into a petgraph `DiGraph`, node and edge `i` as the
/// graph's `i`.
fn copy(g: &Graph) -> DiGraph<(), ()> {
    let mut c = DiGraph::with_capacity(g.node_count(), g.edge_count());
    for _ in g.node_indices() {
        c.add_node(());
    }
    for e in g.edge_indices() {
        let (a, b) = g.ends(e);
        c.add_edge(a, b, ());
    }
    c
}

/// What `view` shows, copied into a `DiGraph` numbered `0..visible`, with the
/// graph node of each copied node.
fn copy_view(view: &FilteredGraph) -> (DiGraph<(), ()>, Vec<NodeIx>) {
    let nodes: Vec<NodeIx> = view.node_identifiers().collect();
    let at: HashMap<NodeIx, NodeIndex> = nodes
        .iter()
        .enumerate()
        .map(|(i, &n)| (n, NodeIndex::new(i)))
        .collect();
    let mut c = DiGraph::new();
    for _ in &nodes {
        c.add_node(());
    }
    for r in view.edge_references() {
        c.add_edge(at[&r.source()], at[&r.target()], ());
    }
    (c, nodes)
}

/// Biconnected pieces as sets of ties (ends smaller first), whatever their
/// numbers and the order the search met each tie's ends in.
fn pieces(
    of: impl IntoIterator<Item = ((NodeIndex, NodeIndex), usize)>,
) -> BTreeSet<BTreeSet<(usize, usize)>> {
    let mut by: HashMap<usize, BTreeSet<(usize, usize)>> = HashMap::new();
    for ((a, b), c) in of {
        let (a, b) = (a.index(), b.index());
        by.entry(c).or_default().insert((a.min(b), a.max(b)));
    }
    by.into_values().collect()
}

fn sorted_sets<N: Ord + Copy>(sets: Vec<Vec<N>>) -> BTreeSet<BTreeSet<N>> {
    sets.into_iter().map(|s| s.into_iter().collect()).collect()
}

/// The `n` commonest of `kinds`.
fn commonest<K: std::hash::Hash + Eq + Copy + std::fmt::Debug>(
    kinds: impl Iterator<Item = K>,
    n: usize,
) -> Vec<K> {
    let mut count: HashMap<K, usize> = HashMap::new();
    for k in kinds {
        *count.entry(k).or_default() += 1;
    }
    let mut count: Vec<(K, usize)> = count.into_iter().collect();
    count.sort_by_key(|&(k, c)| (std::cmp::Reverse(c), format!("{k:?}")));
    count.into_iter().take(n).map(|(k, _)| k).collect()
}

#[test]
fn petgraph_algorithms_on_the_graph_match_the_copy() {
    for (name, g) in graphs() {
        let c = copy(&g);
        assert_eq!(
            algo::connected_components(&g),
            algo::connected_components(&c),
            "{name}"
        );
        assert!(algo::connected_components(&g) >= 1, "{name}");
        assert_eq!(
            algo::is_cyclic_directed(&g),
            algo::is_cyclic_directed(&c),
            "{name}"
        );
        let sccs = sorted_sets(algo::kosaraju_scc(&g));
        let want: BTreeSet<BTreeSet<NodeIx>> = algo::kosaraju_scc(&c)
            .into_iter()
            .map(|s| s.into_iter().collect())
            .collect();
        assert_eq!(sccs, want, "{name}");
        assert_eq!(sorted_sets(algo::tarjan_scc(&g)), want, "{name}");
        let start = g.busiest().unwrap();
        let dist = algo::dijkstra(&g, start, None, |_| 1u32);
        let want = algo::dijkstra(&c, start, None, |_| 1u32);
        assert_eq!(dist, want, "{name}");
        // Something beyond the start is reached: the walk really ran.
        assert!(dist.len() > 1, "{name}: {}", dist.len());
    }
}

#[test]
fn algorithms_on_a_filtered_view_match_the_copied_view() {
    for (name, g) in graphs() {
        // Only the entity and relation kinds the graph has most of: a view
        // with entities and relations hidden.
        let filter = Filter {
            entity_kinds: commonest(g.entity_kinds(), 3),
            relation_kinds: commonest(g.relation_kinds(), 4),
            ..Filter::default()
        };
        let view = FilteredGraph::new(&g, &filter);
        let sub = ties::view::subgraph(&g, None, 1, ties::view::Reach::Both, &filter);
        assert_eq!(view.node_identifiers().collect::<Vec<_>>(), sub.nodes);
        let edges: Vec<_> = view.edge_references().map(|r| r.id()).collect();
        assert_eq!(edges, sub.edges, "{name}");
        assert!(edges.len() < g.edge_count() && !edges.is_empty(), "{name}");
        assert_eq!(NodeCount::node_count(&view), sub.nodes.len());

        let (c, nodes) = copy_view(&view);
        let start = nodes
            .iter()
            .position(|&n| view.edge_references().any(|r| r.source() == n))
            .unwrap();
        let dist: BTreeMap<NodeIx, u32> = algo::dijkstra(&view, nodes[start], None, |_| 1u32)
            .into_iter()
            .collect();
        let want: BTreeMap<NodeIx, u32> = algo::dijkstra(&c, NodeIndex::new(start), None, |_| 1u32)
            .into_iter()
            .map(|(n, d)| (nodes[n.index()], d))
            .collect();
        assert_eq!(dist, want, "{name}");
        assert!(dist.len() > 1, "{name}");

        let sccs = sorted_sets(algo::kosaraju_scc(&view));
        let want: BTreeSet<BTreeSet<NodeIx>> = algo::kosaraju_scc(&c)
            .into_iter()
            .map(|s| s.into_iter().map(|n| nodes[n.index()]).collect())
            .collect();
        assert_eq!(sccs, want, "{name}");

        let on_view = rustworkx_core::centrality::betweenness_centrality(&view, false, true, 50);
        let on_copy = rustworkx_core::centrality::betweenness_centrality(&c, false, true, 50);
        assert_eq!(on_view.len(), g.node_count());
        for (i, &n) in nodes.iter().enumerate() {
            let (a, b) = (on_view[n.index()].unwrap(), on_copy[i].unwrap());
            assert!((a - b).abs() < 1e-12, "{name}: {a} vs {b}");
        }
        // Hidden entities are holes: no score.
        let hidden = g.node_count() - nodes.len();
        assert!(hidden > 0, "{name}");
        assert_eq!(on_view.iter().filter(|s| s.is_none()).count(), hidden);
    }
}

#[test]
fn rustworkx_on_the_analysis_view_matches_its_ungraph_copy() {
    for (name, g) in graphs() {
        for filter in [
            Filter::default(),
            Filter {
                window: "2024".parse().unwrap(),
                ..Filter::default()
            },
        ] {
            let view = ViewGraph::new(&g, &filter);
            let c = view.to_ungraph();
            let mut a = rustworkx_core::centrality::betweenness_centrality(&view, false, true, 50);
            let b = rustworkx_core::centrality::betweenness_centrality(&c, false, true, 50);
            assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(&b) {
                let (x, y) = (x.unwrap(), y.unwrap());
                assert!((x - y).abs() < 1e-12, "{name}: {x} vs {y}");
            }
            assert!(a.iter().any(|s| s.unwrap() > 0.0), "{name}");
            a = rustworkx_core::centrality::closeness_centrality(&view, true, 50);
            let b = rustworkx_core::centrality::closeness_centrality(&c, true, 50);
            assert_eq!(a, b, "{name}");

            let mut pieces_view = Default::default();
            let mut pieces_copy = Default::default();
            let on_view =
                rustworkx_core::connectivity::articulation_points(&view, Some(&mut pieces_view));
            let on_copy =
                rustworkx_core::connectivity::articulation_points(&c, Some(&mut pieces_copy));
            assert_eq!(on_view, on_copy, "{name}");
            assert!(!on_view.is_empty(), "{name}");
            // The same ties fall into the same biconnected pieces.
            assert_eq!(pieces(pieces_view), pieces(pieces_copy), "{name}");
            assert_eq!(
                algo::connected_components(&view),
                algo::connected_components(&c),
                "{name}"
            );
        }
    }
}
