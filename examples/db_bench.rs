//! Push a generated graph to a FalkorDB server and time what exploring asks of it.
//!
//!     cargo run --example db_bench -- URL ENTITIES [RELATIONS_PER_ENTITY]
//!
//! e.g. `cargo run --release --example db_bench -- falkor+unix:///tmp/f/s.sock?graph=bench 100000`
//! (start the server first: see tests/it/db_falkor.rs for the command line).
//! Prints push time, and median/95th-percentile latencies of a depth-1
//! neighbourhood, the first page (200 relations) of the busiest entity, and a
//! search per name prefix.

use std::time::{Duration, Instant};

use ties::db::{Backend, DbFilter, DbUrl, FalkorBackend, Page};

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let at = |q: f64| v[((v.len() - 1) as f64 * q) as usize];
    format!(
        "median {:.2?}, p95 {:.2?} ({} runs)",
        at(0.5),
        at(0.95),
        v.len()
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let url: DbUrl = args
        .get(1)
        .ok_or("usage: db_bench URL ENTITIES [RELATIONS_PER_ENTITY]")?
        .parse()?;
    let entities: usize = args.get(2).map_or(Ok(100_000), |s| s.parse())?;
    let per: usize = args.get(3).map_or(Ok(3), |s| s.parse())?;
    let opts = ties::generate::GenOptions {
        entities,
        relations_per_entity: per,
        ..Default::default()
    };
    let graph = ties::generate::graph(&opts)?;
    println!(
        "graph: {} entities, {} relations",
        graph.node_count(),
        graph.edge_count()
    );
    let mut db = FalkorBackend::connect(&url)?;
    let t = Instant::now();
    db.push(&graph, true, &mut |_, _| {})?;
    println!("push (replace): {:.1?}", t.elapsed());

    let step = (graph.node_count() / 300).max(1);
    let ids: Vec<&str> = graph
        .node_indices()
        .step_by(step)
        .map(|n| graph.entity(n).id)
        .collect();
    let all = DbFilter::default();
    let mut times = Vec::new();
    for id in &ids {
        let t = Instant::now();
        db.neighbourhood(
            &[id],
            1,
            &all,
            Page {
                offset: 0,
                limit: 200,
            },
        )?;
        times.push(t.elapsed());
    }
    println!("neighbourhood, depth 1, first 200: {}", stats(times));
    let window = DbFilter {
        window: "2020..2021".parse()?,
        ..DbFilter::default()
    };
    let mut times = Vec::new();
    for id in &ids {
        let t = Instant::now();
        db.neighbourhood(
            &[id],
            1,
            &window,
            Page {
                offset: 0,
                limit: 200,
            },
        )?;
        times.push(t.elapsed());
    }
    println!("neighbourhood in 2020..2021: {}", stats(times));
    let hub = graph.busiest().ok_or("empty graph")?;
    let mut times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let n = db.neighbourhood(
            &[graph.entity(hub).id],
            1,
            &all,
            Page {
                offset: 0,
                limit: 200,
            },
        )?;
        times.push(t.elapsed());
        assert_eq!(n.first_ring, graph.degree(hub));
    }
    println!(
        "busiest entity ({} relations), first page: {}",
        graph.degree(hub),
        stats(times)
    );
    let mut times = Vec::new();
    for id in &ids {
        let name = graph.entity(graph.find(id).ok_or("id")?).name;
        let prefix: String = name.chars().take(5).collect();
        let t = Instant::now();
        db.search(&prefix, 20)?;
        times.push(t.elapsed());
    }
    println!("search (5-letter prefix, top 20): {}", stats(times));
    Ok(())
}
