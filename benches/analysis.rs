//! `ties rank` and `ties clusters` at scale (issue 19): the generated graph of
//! a million entities and three relations each, whole (no filter).
//!
//! ```sh
//! nice cargo bench --bench analysis                               # 1,000,000 entities
//! TIES_BENCH_ENTITIES=20000 cargo bench --bench analysis          # quick
//! TIES_BENCH_SAMPLES=100 cargo bench --bench analysis             # betweenness sources
//! ```
//!
//! Prints the time of each step, run once (each takes seconds at full size):
//! building the view's adjacency, degree, PageRank (and its iterations),
//! betweenness estimated from `TIES_BENCH_SAMPLES` sources (default: as many
//! as `ties rank` picks itself; the time grows linearly with it), and clusters with bridges. Not a Criterion
//! bench, for the same reason as `benches/build.rs`.
//!
//! Then, in place against copied (issue 25): rustworkx-core's algorithms once
//! ran on a `petgraph::UnGraph` copied from the view (`ViewGraph::to_ungraph`)
//! and now run on the view itself. Each is timed both ways, best of two runs
//! alternating: articulation points on the whole view, then exact betweenness
//! and closeness on a generated graph of `TIES_BENCH_EXACT_ENTITIES` entities
//! (3,000 unless set; every source is searched, so it stays small).

mod common;

use std::time::{Duration, Instant};

use ties::analysis::{ViewGraph, clusters, rank};
use ties::generate::GenOptions;
use ties::view::Filter;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let opts = common::options(3);
    let samples: Option<usize> = std::env::var("TIES_BENCH_SAMPLES")
        .ok()
        .and_then(|v| v.parse().ok());
    let t = Instant::now();
    let graph = ties::generate::graph(&opts).expect("the generated graph loads");
    println!(
        "graph: {} entities, {} relations, generated and loaded in {:.2?}",
        graph.node_count(),
        graph.edge_count(),
        t.elapsed()
    );
    let t = Instant::now();
    let view = ViewGraph::new(&graph, &Filter::default());
    println!(
        "view adjacency ({} distinct ties): {:.2?}",
        view.simple_edge_count(),
        t.elapsed()
    );
    for (measure, extra) in [
        (rank::Measure::Degree, ""),
        (rank::Measure::Pagerank, ""),
        (rank::Measure::Betweenness, "sampled"),
    ] {
        let o = rank::RankOptions {
            measure,
            samples,
            ..rank::RankOptions::default()
        };
        let t = Instant::now();
        let r = rank::rank_view(&graph, &view, &o).expect("ranks");
        let took = t.elapsed();
        let top = r.entities.first().map_or("", |s| graph.entity(s.node).id);
        let detail = match (r.iterations, r.sampled) {
            (Some(i), _) => format!(", {i} iterations"),
            (_, Some(k)) => format!(", {k} sources, error bound {:.4}", r.error),
            _ => String::new(),
        };
        println!(
            "rank by {} {extra}: {took:.2?}{detail} (top: {top})",
            measure.label()
        );
    }
    let t = Instant::now();
    let c = clusters::clusters_of_view(&graph, &view);
    println!(
        "clusters: {:.2?} ({} clusters, largest {}, {} bridge entities)",
        t.elapsed(),
        c.clusters.len(),
        c.clusters.first().map_or(0, |c| c.members.len()),
        c.bridges.len()
    );
    in_place_against_copied(&view);
    let exact: usize = std::env::var("TIES_BENCH_EXACT_ENTITIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let small = ties::generate::graph(&GenOptions {
        entities: exact,
        ..opts
    })
    .expect("the generated graph loads");
    let small = ViewGraph::new(&small, &Filter::default());
    println!("exact measures on {} entities:", small.len());
    let b = both(
        &small,
        |v| {
            sum(&rustworkx_core::centrality::betweenness_centrality(
                v, false, true, 50,
            ))
        },
        |g| {
            sum(&rustworkx_core::centrality::betweenness_centrality(
                g, false, true, 50,
            ))
        },
    );
    println!("  betweenness (exact): {b}");
    let c = both(
        &small,
        |v| {
            sum(&rustworkx_core::centrality::closeness_centrality(
                v, true, 50,
            ))
        },
        |g| {
            sum(&rustworkx_core::centrality::closeness_centrality(
                g, true, 50,
            ))
        },
    );
    println!("  closeness: {c}");
}

fn sum(scores: &[Option<f64>]) -> f64 {
    scores.iter().flatten().sum()
}

/// Articulation points on the whole view, in place and on its copy.
fn in_place_against_copied(view: &ViewGraph) {
    let t = Instant::now();
    let copy = view.to_ungraph();
    println!(
        "copy of the view as an UnGraph (to_ungraph): {:.2?}",
        t.elapsed()
    );
    drop(copy);
    let points = both(
        view,
        |v| {
            rustworkx_core::connectivity::articulation_points(v, Some(&mut Default::default()))
                .len() as f64
        },
        |g| {
            rustworkx_core::connectivity::articulation_points(g, Some(&mut Default::default()))
                .len() as f64
        },
    );
    println!("articulation points with their pieces: {points}");
}

/// `on_view` on the view and `on_copy` on a fresh copy (its making timed
/// with it), twice each, alternating; the best of each, and that both
/// answered alike.
fn both(
    view: &ViewGraph,
    on_view: impl Fn(&ViewGraph) -> f64,
    on_copy: impl Fn(&petgraph::graph::UnGraph<(), ()>) -> f64,
) -> String {
    let (mut best_view, mut best_copy) = (Duration::MAX, Duration::MAX);
    let (mut a, mut b) = (0.0, 0.0);
    for _ in 0..2 {
        let t = Instant::now();
        a = on_view(view);
        best_view = best_view.min(t.elapsed());
        let t = Instant::now();
        b = on_copy(&view.to_ungraph());
        best_copy = best_copy.min(t.elapsed());
    }
    assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "{a} vs {b}");
    format!("in place {best_view:.2?}, copied (copy included) {best_copy:.2?}")
}
