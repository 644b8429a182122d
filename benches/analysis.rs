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

mod common;

use std::time::Instant;

use ties::analysis::{ViewGraph, clusters, rank};
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
}
