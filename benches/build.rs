//! Building the graph and its indexes from records already parsed, at scale:
//! the part of a load that is not reading RON (issue: a million entities).
//!
//! ```sh
//! cargo bench --bench build                          # 1,000,000 entities, 3,000,000 relations
//! TIES_BENCH_ENTITIES=20000 cargo bench --bench build   # quick
//! ```
//!
//! Prints, as medians of a few runs: the graph and id index build (petgraph
//! nodes and edges, entity rows, text arena, id index, every relation's ends
//! looked up by id), the search index build, and the memory each holds per
//! entity. Not a Criterion bench: each step takes long, and the memory is the
//! point as much as the time.

mod common;

use std::time::{Duration, Instant};

use ties::Graph;
use ties::generate::records;
use ties::graph::{NewEntity, NewRelation, Source, SourceId};
use ties::model::{Amount, EntityKind, PartialDate, RelationKind, Sym};
use ties::search::SearchIndex;

/// An entity with its values already parsed.
struct Ent {
    id: String,
    kind: EntityKind<Sym>,
    name: String,
    aliases: Vec<String>,
    weak: Vec<String>,
    date: Option<PartialDate>,
    until: Option<PartialDate>,
    amount: Option<Amount>,
    sources: Vec<SourceId>,
}

struct Rel {
    from: String,
    to: String,
    kind: RelationKind<Sym>,
    date: Option<PartialDate>,
    until: Option<PartialDate>,
    amount: Option<Amount>,
    sources: Vec<SourceId>,
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let opts = common::options(3);
    let t = Instant::now();
    let file = records(&opts);
    let source_ids: std::collections::HashMap<&str, u32> = file
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i as u32))
        .collect();
    let srcs = |v: &[String]| v.iter().map(|s| SourceId(source_ids[s.as_str()])).collect();
    let date = |d: &Option<String>| d.as_deref().map(|d| d.parse::<PartialDate>().unwrap());
    let amount =
        |a: &Option<ties::model::AmountRecord>| a.as_ref().map(|a| Amount::from_record(a).unwrap());
    let known = |o: String| -> Sym { panic!("generated kinds are all known, not {o}") };
    let ents: Vec<Ent> = file
        .entities
        .iter()
        .map(|e| Ent {
            id: e.id.clone(),
            kind: e.kind.clone().map_other(known),
            name: e.name.clone(),
            aliases: e.aliases.clone(),
            weak: e.weak_aliases.clone(),
            date: date(&e.date),
            until: date(&e.until),
            amount: amount(&e.amount),
            sources: srcs(&e.sources),
        })
        .collect();
    let rels: Vec<Rel> = file
        .relations
        .iter()
        .map(|r| Rel {
            from: r.from.clone(),
            to: r.to.clone(),
            kind: r.kind.clone().map_other(known),
            date: date(&r.date),
            until: date(&r.until),
            amount: amount(&r.amount),
            sources: srcs(&r.sources),
        })
        .collect();
    println!(
        "# Building a graph of {} entities and {} relations (records generated and parsed in {:.1} s)",
        ents.len(),
        rels.len(),
        t.elapsed().as_secs_f64()
    );
    println!();

    // (graph, time to entities done, time to ends found, time to all done)
    let build = || {
        let t0 = Instant::now();
        let mut g = Graph::with_capacity(ents.len(), rels.len());
        for s in &file.sources {
            g.add_source(Source {
                id: s.id.as_str().into(),
                outlet: s.outlet.as_str().into(),
                title: s.title.as_str().into(),
                published: None,
                file: s.file.as_str().into(),
                url: None,
            });
        }
        for e in &ents {
            let sources = g.source_set(&e.sources);
            g.add_entity(NewEntity {
                aliases: &e.aliases,
                weak_aliases: &e.weak,
                date: e.date,
                until: e.until,
                amount: e.amount,
                ..NewEntity::new(&e.id, e.kind, &e.name, sources)
            })
            .unwrap();
        }
        let t_entities = t0.elapsed();
        let ends: Vec<_> = rels
            .iter()
            .map(|r| (g.find(&r.from).unwrap(), g.find(&r.to).unwrap()))
            .collect();
        let t_ends = t0.elapsed();
        for (r, &(a, b)) in rels.iter().zip(&ends) {
            let sources = g.source_set(&r.sources);
            g.add_relation(
                a,
                b,
                NewRelation {
                    date: r.date,
                    until: r.until,
                    amount: r.amount,
                    ..NewRelation::new(r.kind, sources)
                },
            )
            .unwrap();
        }
        g.shrink_to_fit();
        (
            g,
            [
                t_entities,
                t_ends - t_entities,
                t0.elapsed() - t_ends,
                t0.elapsed(),
            ],
        )
    };
    let mut phases: [Vec<Duration>; 4] = Default::default();
    let mut graph = None;
    for _ in 0..3 {
        let (g, times) = build();
        for (p, t) in phases.iter_mut().zip(times) {
            p.push(t);
        }
        graph = Some(g);
    }
    let graph = graph.unwrap();
    let [t_entities, t_ends, t_edges, t_build] = phases.map(median);
    let mut times = Vec::new();
    let mut index = None;
    for _ in 0..3 {
        let t = Instant::now();
        let ix = SearchIndex::build(&graph);
        times.push(t.elapsed());
        index = Some(ix);
    }
    let index = index.unwrap();
    let t_index = median(times);
    let n = graph.node_count() as f64;
    let m = graph.memory();
    let im = index.memory();
    let per = |b: usize| b as f64 / n;
    println!("| step | median of 3 |");
    println!("|---|---:|");
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "| entities: rows, text arena, alias lists, petgraph nodes, id index | {:.0} ms |",
        ms(t_entities)
    );
    println!(
        "| relations' ends found by id ({} lookups) | {:.0} ms |",
        rels.len() * 2,
        ms(t_ends)
    );
    println!(
        "| relations: rows, amounts, source lists, petgraph edges | {:.0} ms |",
        ms(t_edges)
    );
    println!(
        "| **graph and id index in all** | **{:.0} ms** |",
        ms(t_build)
    );
    println!("| search index | {:.0} ms |", t_index.as_secs_f64() * 1e3);
    println!();
    println!("| memory | MB | bytes per entity |");
    println!("|---|---:|---:|");
    for (what, b) in [
        ("entity rows, petgraph nodes, id index", m.entities),
        (
            "relation rows and petgraph edges (3 per entity)",
            m.relations,
        ),
        ("text arena, alias lists, attributes", m.text),
        ("amounts, source lists, sources, symbols", m.other),
    ] {
        println!("| {what} | {:.1} | {:.0} |", b as f64 / 1e6, per(b));
    }
    println!(
        "| **graph in all** | **{:.1}** | **{:.0}** |",
        m.total() as f64 / 1e6,
        per(m.total())
    );
    let ib = im.text_bytes + im.other_bytes;
    println!(
        "| search index ({} names and aliases) | {:.1} | {:.0} |",
        im.texts,
        ib as f64 / 1e6,
        per(ib)
    );
    println!(
        "| **graph and both indexes** | **{:.1}** | **{:.0}** |",
        (m.total() + ib) as f64 / 1e6,
        per(m.total() + ib)
    );
}
