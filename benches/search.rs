//! `cargo bench --bench search`: typing four queries one character at a time
//! into a synthetic graph of 1,000,000 entities, through the engine and through a
//! naive SkimMatcherV2 scan of every name; checks that both give the same top 50.
//! Then four misspelt queries the same way (the typo tier), timed separately;
//! their naive scan (every word of every name measured against every term) is
//! run once per keystroke, to check the top 50 and give its time.
//!
//! Set `TIES_BENCH_ENTITIES` for a smaller graph, `TIES_BENCH_NAIVE=0` to time
//! the engine alone (no naive scan, no comparison: a quick before/after).
//! Criterion's own per-keystroke figures follow a summary table printed first.

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion};
use ties::generate;
use ties::graph::NodeIx;
use ties::search::{Keep, SearchIndex, SearchWorker, Searcher, Tier, naive_search};

const QUERIES: [&str; 4] = ["kasciunas", "min def", "palianytsia", "umerov"];
/// Misspelt, as people type names they have heard (issue 16).
const TYPO_QUERIES: [&str; 4] = ["umarov", "budanow", "kyrilo budanov", "palianitsa"];
const LIMIT: usize = 50;

fn all(_: NodeIx) -> bool {
    true
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Each prefix of `q`, with a searcher that has just searched the one before.
fn keystrokes<'a>(
    index: &'a SearchIndex,
    graph: &ties::Graph,
    q: &str,
) -> Vec<(String, Searcher<'a>)> {
    let mut out = Vec::new();
    let mut s = Searcher::new(index);
    let chars: Vec<char> = q.chars().collect();
    for k in 1..=chars.len() {
        let prefix: String = chars[..k].iter().collect();
        out.push((prefix.clone(), s.clone()));
        s.update(graph, &prefix, LIMIT, &all);
    }
    out
}

/// Whether to run the naive scan beside the engine (`TIES_BENCH_NAIVE` not `0`).
fn naive_on() -> bool {
    std::env::var("TIES_BENCH_NAIVE").map_or(true, |v| v != "0")
}

fn main() {
    let opts = common::options(2);
    let t = Instant::now();
    let graph = generate::graph(&opts).expect("the generated graph is valid");
    let gen_time = t.elapsed();
    let t = Instant::now();
    let index = SearchIndex::build(&graph);
    let build_time = t.elapsed();
    let mem = index.memory();
    let non_ascii = graph
        .node_indices()
        .flat_map(|n| {
            let e = graph.entity(n);
            std::iter::once(e.name)
                .chain(e.aliases.iter())
                .chain(e.weak_aliases.iter())
        })
        .filter(|t| !t.is_ascii())
        .count();
    println!("## Setup");
    println!();
    println!(
        "- graph: {} entities, {} relations, {} names and aliases ({:.0}% non-ASCII); generated and loaded in {:.1} s",
        graph.node_count(),
        graph.edge_count(),
        mem.texts,
        100.0 * non_ascii as f64 / mem.texts as f64,
        gen_time.as_secs_f64()
    );
    println!(
        "- index built in {:.0} ms; folded text {:.1} MB; everything else {:.1} MB = {:.1} bytes per name ({:.1} per entity), of which the typo tier's words and postings {:.1} MB = {:.1} bytes per name; all together {:.1} bytes per name",
        ms(build_time),
        mem.text_bytes as f64 / 1e6,
        mem.other_bytes as f64 / 1e6,
        mem.other_bytes as f64 / mem.texts as f64,
        mem.other_bytes as f64 / graph.node_count() as f64,
        mem.typo_bytes as f64 / 1e6,
        mem.typo_bytes as f64 / mem.texts as f64,
        (mem.text_bytes + mem.other_bytes) as f64 / mem.texts as f64,
    );
    println!(
        "- threads available: {}",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!();

    // Same top 50, and a summary of medians.
    println!("## Per keystroke (median; engine narrows from the previous keystroke)");
    println!();
    println!("| keystroke | matches | engine ms | naive ms | naive / engine |");
    println!("|---|---:|---:|---:|---:|");
    let mut engine_3plus = Vec::new();
    let mut naive_3plus = Vec::new();
    let mut ratios = Vec::new();
    for q in QUERIES {
        for (prefix, primed) in keystrokes(&index, &graph, q) {
            let mut fresh = primed.clone();
            let fast = fresh.update(&graph, &prefix, LIMIT, &all);
            if naive_on() {
                let slow = naive_search(&index, &graph, &prefix, LIMIT, &all);
                assert_eq!(fast, slow, "engine and naive differ on {prefix:?}");
            }
            let engine = median(
                (0..15)
                    .map(|_| {
                        let mut s = primed.clone();
                        let t = Instant::now();
                        black_box(s.update(&graph, &prefix, LIMIT, &all));
                        t.elapsed()
                    })
                    .collect(),
            );
            let naive = median(
                (0..if naive_on() { 5 } else { 1 })
                    .map(|_| {
                        if !naive_on() {
                            return Duration::ZERO;
                        }
                        let t = Instant::now();
                        black_box(naive_search(&index, &graph, &prefix, LIMIT, &all));
                        t.elapsed()
                    })
                    .collect(),
            );
            let ratio = naive.as_secs_f64() / engine.as_secs_f64();
            println!(
                "| `{prefix}` | {} | {:.2} | {:.1} | {:.0}× |",
                fresh.matched(),
                ms(engine),
                ms(naive),
                ratio
            );
            if prefix.chars().count() >= 3 {
                engine_3plus.push(engine);
                naive_3plus.push(naive);
                ratios.push(ratio);
            }
        }
    }
    ratios.sort_by(f64::total_cmp);
    println!();
    println!(
        "Keystrokes of 3+ characters ({}): median engine {:.2} ms, median naive {:.1} ms, worst engine {:.2} ms; naive/engine ratio median {:.0}×, lowest {:.0}×. Top 50 identical to the naive scan on every keystroke.",
        engine_3plus.len(),
        ms(median(engine_3plus.clone())),
        ms(median(naive_3plus)),
        ms(*engine_3plus.iter().max().unwrap_or(&Duration::ZERO)),
        ratios[ratios.len() / 2],
        ratios[0],
    );
    println!();

    // Misspelt queries: the typo tier.
    println!("## Misspelt queries (typo tier), per keystroke");
    println!();
    println!("| keystroke | engine ms | naive ms (one run) | typo hits in top 50 |");
    println!("|---|---:|---:|---:|");
    let mut typo_3plus = Vec::new();
    for q in TYPO_QUERIES {
        for (prefix, primed) in keystrokes(&index, &graph, q) {
            let mut fresh = primed.clone();
            let fast = fresh.update(&graph, &prefix, LIMIT, &all);
            let t = Instant::now();
            if naive_on() {
                let slow = naive_search(&index, &graph, &prefix, LIMIT, &all);
                assert_eq!(fast, slow, "engine and naive differ on {prefix:?}");
            }
            let naive = t.elapsed();
            let engine = median(
                (0..15)
                    .map(|_| {
                        let mut s = primed.clone();
                        let t = Instant::now();
                        black_box(s.update(&graph, &prefix, LIMIT, &all));
                        t.elapsed()
                    })
                    .collect(),
            );
            let typos = fast.iter().filter(|h| h.tier() == Tier::Typo).count();
            println!(
                "| `{prefix}` | {:.2} | {:.0} | {typos} |",
                ms(engine),
                ms(naive)
            );
            if prefix.chars().count() >= 3 {
                typo_3plus.push(engine);
            }
        }
    }
    println!();
    println!(
        "Misspelt keystrokes of 3+ characters ({}): median engine {:.2} ms, worst {:.2} ms. Top 50 identical to the naive scan on every keystroke.",
        typo_3plus.len(),
        ms(median(typo_3plus.clone())),
        ms(*typo_3plus.iter().max().unwrap_or(&Duration::ZERO)),
    );
    println!();

    // The first keystroke off the UI thread: submit returns at once; a second
    // keystroke cancels the first.
    {
        let graph = std::sync::Arc::new(graph.clone());
        let index = std::sync::Arc::new(SearchIndex::build(&graph));
        let keep: Keep = std::sync::Arc::new(|_| true);
        let mut submits = Vec::new();
        let mut firsts = Vec::new();
        for _ in 0..5 {
            let mut w = SearchWorker::new(index.clone(), graph.clone());
            let t = Instant::now();
            w.submit("k", LIMIT, keep.clone());
            submits.push(t.elapsed());
            w.recv_latest(Duration::from_secs(60)).expect("a result");
            firsts.push(t.elapsed());
        }
        let mut w = SearchWorker::new(index.clone(), graph.clone());
        let t = Instant::now();
        w.submit("k", LIMIT, keep.clone());
        w.submit("ka", LIMIT, keep.clone());
        w.recv_latest(Duration::from_secs(60)).expect("a result");
        let both = t.elapsed();
        println!(
            "First keystroke `k` on the worker thread: submit returns in {:.3} ms (median), result after {:.1} ms; `k` then `ka` submitted back to back: `ka` ready after {:.1} ms.",
            ms(median(submits)),
            ms(median(firsts)),
            ms(both)
        );
        println!();
    }

    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    {
        let mut g = c.benchmark_group("engine");
        for q in QUERIES {
            for (prefix, primed) in keystrokes(&index, &graph, q) {
                g.bench_function(format!("{prefix:?}"), |b| {
                    b.iter_batched_ref(
                        || primed.clone(),
                        |s| s.update(&graph, &prefix, LIMIT, &all),
                        BatchSize::LargeInput,
                    )
                });
            }
        }
        g.finish();
    }
    {
        // Misspelt queries in a group of their own (their prefixes repeat the
        // others': `u`, `um`).
        let mut g = c.benchmark_group("engine_typo");
        for q in TYPO_QUERIES {
            for (prefix, primed) in keystrokes(&index, &graph, q) {
                g.bench_function(format!("{prefix:?}"), |b| {
                    b.iter_batched_ref(
                        || primed.clone(),
                        |s| s.update(&graph, &prefix, LIMIT, &all),
                        BatchSize::LargeInput,
                    )
                });
            }
        }
        g.finish();
    }
    {
        let mut g = c.benchmark_group("naive");
        g.sample_size(10);
        for q in QUERIES {
            let chars: Vec<char> = q.chars().collect();
            for k in 1..=chars.len() {
                let prefix: String = chars[..k].iter().collect();
                g.bench_function(format!("{prefix:?}"), |b| {
                    b.iter(|| naive_search(&index, &graph, &prefix, LIMIT, &all))
                });
            }
        }
        g.finish();
    }
    c.final_summary();
}
