//! Push a generated graph to a FalkorDB server and time what exploring asks of it.
//!
//!     cargo run --example db_bench -- URL ENTITIES [RELATIONS_PER_ENTITY]
//!
//! e.g. `cargo run --release --example db_bench -- falkor+unix:///tmp/f/s.sock?graph=bench 100000`
//! (start the server first: see tests/it/db_falkor.rs for the command line).
//! Prints push time, and median/95th-percentile latencies of a depth-1
//! neighbourhood, the first page (200 relations) of the busiest entity, a
//! search per name prefix, a move in the explorer (a relation followed: the
//! fetch through the explorer's worker, the merge and a frame drawn), and the
//! first page of a star of `HUB` relations (default 50,000; 0 skips it),
//! pushed as a second graph.
//!
//!     cargo run --release --example db_bench -- URL ENTITIES [RELATIONS_PER_ENTITY] [HUB]
//!
//! With `TIES_BENCH_PUSHED=1` nothing is pushed: the server holds the graphs
//! from an earlier run with the same arguments (the generator is seeded), so
//! two builds can be timed on one push.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ties::db::session::{PAGE, Start};
use ties::db::{Backend, DbFilter, DbUrl, FalkorBackend, Page};
use ties::graph::{Graph, NewEntity, NewRelation, SourceSet};
use ties::model::{EntityKind, RelationKind};
use ties::tui::{Action, App, KeyMap};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// The first `limit` relations of a ring.
fn first(limit: usize) -> Page {
    Page { offset: 0, limit }
}

/// Times `run` once per item.
fn timed<I, T>(
    items: impl IntoIterator<Item = I>,
    mut run: impl FnMut(I) -> Res<T>,
) -> Res<Vec<Duration>> {
    let mut times = Vec::new();
    for item in items {
        let t = Instant::now();
        run(item)?;
        times.push(t.elapsed());
    }
    Ok(times)
}

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
        .ok_or("usage: db_bench URL ENTITIES [RELATIONS_PER_ENTITY] [HUB]")?
        .parse()?;
    let entities: usize = args.get(2).map_or(Ok(100_000), |s| s.parse())?;
    let per: usize = args.get(3).map_or(Ok(3), |s| s.parse())?;
    let hub_size: usize = args.get(4).map_or(Ok(50_000), |s| s.parse())?;
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
    if !pushed_before() {
        let t = Instant::now();
        db.push(&graph, true, &mut |_, _| {})?;
        println!("push (replace): {:.1?}", t.elapsed());
    }

    let step = (graph.node_count() / 300).max(1);
    let ids: Vec<&str> = graph
        .node_indices()
        .step_by(step)
        .map(|n| graph.entity(n).id)
        .collect();
    let all = DbFilter::default();
    let times = timed(&ids, |id| {
        Ok(db.neighbourhood(&[id], 1, &all, first(200))?)
    })?;
    println!("neighbourhood, depth 1, first 200: {}", stats(times));
    let window = DbFilter {
        window: "2020..2021".parse()?,
        ..DbFilter::default()
    };
    let times = timed(&ids, |id| {
        Ok(db.neighbourhood(&[id], 1, &window, first(200))?)
    })?;
    println!("neighbourhood in 2020..2021: {}", stats(times));
    let hub = graph.busiest().ok_or("empty graph")?;
    let times = timed(0..20, |_| {
        let n = db.neighbourhood(&[graph.entity(hub).id], 1, &all, first(200))?;
        assert_eq!(n.first_ring, graph.degree(hub));
        Ok(())
    })?;
    println!(
        "busiest entity ({} relations), first page: {}",
        graph.degree(hub),
        stats(times)
    );
    let prefixes: Vec<String> = ids
        .iter()
        .map(|id| {
            Ok(graph
                .entity(graph.find(id).ok_or("id")?)
                .name
                .chars()
                .take(5)
                .collect())
        })
        .collect::<Res<_>>()?;
    let times = timed(&prefixes, |p| Ok(db.search(p, 20)?))?;
    println!("search (5-letter prefix, top 20): {}", stats(times));
    moves(
        &url,
        graph
            .entity(graph.node_indices().nth(step * 7).ok_or("empty")?)
            .id,
    )?;
    if hub_size > 0 {
        star(&url, hub_size)?;
    }
    Ok(())
}

/// Moves in the explorer: from `start`, 300 relations followed, each to an
/// entity whose neighbourhood was not fetched yet when there is one. Each is
/// timed from the key to the frame drawn with the fetched neighbourhood.
fn moves(url: &DbUrl, start: &str) -> Res<()> {
    let mut db = FalkorBackend::connect(url)?;
    let n = db.neighbourhood(&[start], 2, &DbFilter::default(), first(PAGE))?;
    let first = Start {
        url: url.clone(),
        keys: n.keys,
        focus: start.to_string(),
        depth: 2,
        page: PAGE,
        first_ring: n.first_ring,
        truncated: n.truncated,
    };
    let local = Arc::new(n.graph);
    let focus = local.find(start);
    let mut app = App::new(local, Arc::default(), KeyMap::load(None)?, focus).ok_or("empty")?;
    let (tx, rx) = std::sync::mpsc::channel();
    app.set_notify(std::sync::Arc::new(move || {
        let _ = tx.send(());
    }));
    app.connect_remote(&first);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40))?;
    let (mut fetched, mut cached) = (Vec::new(), Vec::new());
    let mut rng = 7usize;
    for _ in 0..300 {
        // The first relation to an entity not fetched yet, else any.
        let remote = app.remote().ok_or("no remote")?;
        let all = DbFilter::default();
        let mut choices = Vec::new();
        for pane in [
            ties::tui::app::Pane::Incoming,
            ties::tui::app::Pane::Outgoing,
        ] {
            for (i, tie) in app.list(pane).ties.iter().enumerate() {
                choices.push((pane, i, remote.is_complete(tie.other, 1, &all)));
            }
        }
        if choices.is_empty() {
            break;
        }
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let fresh: Vec<_> = choices.iter().filter(|c| !c.2).collect();
        let &(pane, i, known) = if fresh.is_empty() {
            &choices[(rng >> 33) % choices.len()]
        } else {
            fresh[(rng >> 33) % fresh.len()]
        };
        // The relation picked, selected as a user would.
        if app.pane() != pane {
            app.update(Action::SwitchPane);
        }
        app.update(Action::Top);
        for _ in 0..i {
            app.update(Action::Down);
        }
        let t = Instant::now();
        app.update(Action::Follow);
        while app.remote().is_some_and(|r| r.loading().is_some()) {
            rx.recv_timeout(Duration::from_secs(10))?;
            app.poll_remote();
        }
        let mut info = ties::tui::ui::FrameInfo::default();
        terminal.draw(|f| info = ties::tui::ui::draw(&app, f))?;
        app.after_draw(info);
        if known { &mut cached } else { &mut fetched }.push(t.elapsed());
    }
    println!(
        "explorer move (key → fetch → merge → frame), fetched: {}; from the cache: {}",
        stats(fetched),
        if cached.is_empty() {
            "none".into()
        } else {
            stats(cached)
        }
    );
    println!(
        "explorer cache after the walk: {} entities, {} relations",
        app.graph().node_count(),
        app.graph().edge_count()
    );
    Ok(())
}

/// The graphs are on the server already (`TIES_BENCH_PUSHED=1`).
fn pushed_before() -> bool {
    std::env::var_os("TIES_BENCH_PUSHED").is_some_and(|v| v == "1")
}

/// A star: one entity with `size` relations, pushed as `<graph>-hub`; its
/// first page timed.
fn star(url: &DbUrl, size: usize) -> Res<()> {
    let url = url.clone().with_graph(&format!("{}-hub", url.graph))?;
    let mut g = Graph::with_capacity(size + 1, size);
    let centre = g.add_entity(NewEntity::<String>::new(
        "hub",
        EntityKind::Ministry,
        "The Hub",
        SourceSet::EMPTY,
    ))?;
    for i in 0..size {
        let id = format!("spoke-{i}");
        let name = format!("Spoke {i}");
        let spoke = g.add_entity(NewEntity::<String>::new(
            &id,
            EntityKind::Person,
            &name,
            SourceSet::EMPTY,
        ))?;
        let mut rel = NewRelation::new(RelationKind::Advises, SourceSet::EMPTY);
        let date;
        if i % 3 == 0 {
            date = format!("{}", 2014 + i % 12).parse().ok();
            rel.date = date;
        }
        g.add_relation(spoke, centre, rel)?;
    }
    let mut db = FalkorBackend::connect(&url)?;
    if !pushed_before() {
        let t = Instant::now();
        db.push(&g, true, &mut |_, _| {})?;
        println!("star of {size} relations pushed: {:.1?}", t.elapsed());
    }
    for (what, filter) in [
        ("all", DbFilter::default()),
        (
            "in 2020..2021",
            DbFilter {
                window: "2020..2021".parse()?,
                ..DbFilter::default()
            },
        ),
    ] {
        let times = timed(0..20, |_| {
            let n = db.neighbourhood(&["hub"], 1, &filter, first(PAGE))?;
            assert!(n.truncated && n.graph.edge_count() == PAGE.min(n.first_ring));
            Ok(())
        })?;
        println!(
            "hub of {size}, first page of {PAGE} ({what}): {}",
            stats(times)
        );
    }
    Ok(())
}
