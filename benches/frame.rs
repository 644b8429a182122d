//! `cargo bench --bench frame`: the explorer's frame time with a hub of 50,000
//! relations on screen, on a synthetic graph of 1,000,000 entities.
//!
//! The graph is `generate::graph` (seed 1, 2 relations per entity); the busiest
//! hub is topped up to `HUB_RELATIONS` incoming relations from entities it has
//! none with yet, each a copy of one of its generated relations (kind, role,
//! dates, amount, sources), so the rows look like the generated ones. Frames are
//! drawn at 120 × 40 into ratatui's `TestBackend` through one `Terminal`, as the
//! event loop does.
//!
//! Set `TIES_BENCH_ENTITIES` for a smaller graph. A summary of medians (own runs)
//! is printed first, then Criterion measures the same steps.

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode};
use petgraph::Direction;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ties::generate;
use ties::graph::{NewRelation, NodeIx};
use ties::search::SearchIndex;
use ties::tui::app::Pane;
use ties::tui::{Action, App, KeyMap, ui};

/// Relations the focused hub holds (at least).
const HUB_RELATIONS: usize = 50_000;
const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;
/// Runs per step in the summary.
const RUNS: usize = 300;
/// Focus changes in the summary (each recomputes 50,000 relations).
const FOCUS_RUNS: usize = 40;

type Term = Terminal<TestBackend>;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The median of `runs` timings, each returned by `f`.
fn time_runs(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    median((0..runs).map(|_| f()).collect())
}

fn terminal() -> Term {
    Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("a test terminal")
}

/// One frame, its measurements handed back to the app, as the event loop does.
fn draw(t: &mut Term, app: &mut App) {
    let mut info = ui::FrameInfo::default();
    t.draw(|f| info = ui::draw(app, f))
        .expect("drawing into a TestBackend");
    app.after_draw(info);
}

/// Adds incoming relations to `hub` until it holds `HUB_RELATIONS`, from
/// entities not yet tied to it, taken from the end of the graph (the least
/// connected ones). Each copies one of the hub's generated incoming relations.
fn top_up(graph: &mut ties::Graph, hub: NodeIx) -> usize {
    let need = HUB_RELATIONS.saturating_sub(graph.degree(hub));
    if need == 0 {
        return 0;
    }
    let templates: Vec<NewRelation<'static>> = graph
        .ties_dir(hub, Direction::Incoming)
        .map(|t| {
            let r = graph.relation(t.edge);
            NewRelation {
                role: r.role,
                date: r.date,
                until: r.until,
                amount: r.amount,
                ..NewRelation::new(r.kind, r.sources)
            }
        })
        .collect();
    assert!(!templates.is_empty(), "the hub has incoming relations");
    let tied: std::collections::HashSet<NodeIx> = graph.ties(hub).map(|t| t.other).collect();
    let from: Vec<NodeIx> = (0..graph.node_count())
        .rev()
        .map(NodeIx::new)
        .filter(|n| *n != hub && !tied.contains(n))
        .take(need)
        .collect();
    assert!(!from.is_empty(), "the graph is too small for the hub");
    // A small graph (TIES_BENCH_ENTITIES) has fewer entities than the hub needs:
    // some then hold more than one relation with it.
    for i in 0..need {
        graph
            .add_relation(from[i % from.len()], hub, templates[i % templates.len()])
            .expect("room for a relation");
    }
    need
}

/// An explorer focused on `hub`, on its largest relation list.
fn hub_app(graph: &Arc<ties::Graph>, index: &Arc<SearchIndex>, hub: NodeIx) -> App {
    let mut app = App::new(
        graph.clone(),
        index.clone(),
        KeyMap::default_map(),
        Some(hub),
    )
    .expect("a non-empty graph");
    if app.list(Pane::Incoming).ties.len() > app.list(Pane::Outgoing).ties.len()
        && app.pane() != Pane::Incoming
    {
        app.update(Action::SwitchPane);
    }
    app
}

/// Moves one step with `step`, back to the top when the list's end is reached.
fn step_wrapping(app: &mut App, step: Action) {
    let l = app.list(app.pane());
    if l.selected + 1 >= l.ties.len() {
        app.update(Action::Top);
    }
    app.update(step);
}

fn main() {
    let opts = common::options(2);
    let t = Instant::now();
    let mut graph = generate::graph(&opts).expect("the generated graph is valid");
    let gen_time = t.elapsed();
    let hub = graph
        .node_indices()
        .max_by_key(|&n| (graph.degree(n), std::cmp::Reverse(n)))
        .expect("a non-empty graph");
    let generated_degree = graph.degree(hub);
    let added = top_up(&mut graph, hub);
    let graph = Arc::new(graph);
    let t = Instant::now();
    let index = Arc::new(SearchIndex::build(&graph));
    let index_time = t.elapsed();
    // A leaf to come from when entering the hub, and as a baseline frame.
    let leaf = graph
        .node_indices()
        .find(|&n| n != hub && graph.degree(n) == 3)
        .or_else(|| graph.node_indices().find(|&n| n != hub))
        .expect("a second entity");
    let (hub_id, leaf_id) = (
        graph.entity(hub).id.to_string(),
        graph.entity(leaf).id.to_string(),
    );

    let app = hub_app(&graph, &index, hub);
    let (inc, out) = (
        app.list(Pane::Incoming).ties.len(),
        app.list(Pane::Outgoing).ties.len(),
    );
    println!("## Setup");
    println!();
    println!(
        "- graph: {} entities, {} relations; generated and loaded in {:.1} s; search index {:.1} s",
        graph.node_count(),
        graph.edge_count(),
        gen_time.as_secs_f64(),
        index_time.as_secs_f64()
    );
    println!(
        "- hub: `{hub_id}` ({}), degree {} ({generated_degree} generated + {added} added): {inc} in, {out} out; the {:?} list is selected",
        graph.entity(hub).name,
        graph.degree(hub),
        app.pane()
    );
    println!(
        "- leaf: `{leaf_id}`, degree {}; frames {WIDTH}×{HEIGHT} into ratatui's TestBackend",
        graph.degree(leaf)
    );
    println!(
        "- threads available: {}",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!();
    assert!(
        graph.degree(hub) >= HUB_RELATIONS,
        "the hub holds fewer than {HUB_RELATIONS} relations"
    );
    drop(app);

    // The summary: medians of own runs, each step timed alone.
    let mut rows: Vec<(&str, &str, Duration)> = Vec::new();
    {
        let mut app = hub_app(&graph, &index, hub);
        let mut t = terminal();
        draw(&mut t, &mut app);
        let d = time_runs(RUNS, || {
            let s = Instant::now();
            draw(&mut t, &mut app);
            s.elapsed()
        });
        rows.push((
            "frame/hub_first",
            "draw, hub focused, selection at the top",
            d,
        ));
    }
    for (name, what, step) in [
        (
            "frame/hub_scroll",
            "Down + draw (back to the top at the end)",
            Action::Down,
        ),
        (
            "frame/hub_page",
            "PageDown + draw (back to the top at the end)",
            Action::PageDown,
        ),
    ] {
        let mut app = hub_app(&graph, &index, hub);
        let mut t = terminal();
        draw(&mut t, &mut app);
        let d = time_runs(RUNS, || {
            let s = Instant::now();
            step_wrapping(&mut app, step.clone());
            draw(&mut t, &mut app);
            s.elapsed()
        });
        rows.push((name, what, d));
    }
    {
        let mut app = hub_app(&graph, &index, hub);
        app.update(Action::Map);
        let mut t = terminal();
        draw(&mut t, &mut app);
        let d = time_runs(RUNS.min(60), || {
            let s = Instant::now();
            draw(&mut t, &mut app);
            s.elapsed()
        });
        rows.push((
            "frame/hub_map",
            "draw, map (1 ring) around the hub (layout cached)",
            d,
        ));
        let filter = ties::view::Filter::default();
        let d = time_runs(RUNS.min(60), || {
            let s = Instant::now();
            black_box(ties::tui::map::layout(&graph, hub, 1, &filter, 118, 36));
            s.elapsed()
        });
        rows.push((
            "map/layout_hub",
            "lay the map out around the hub, cold (on entering the map or moving)",
            d,
        ));
    }
    {
        let mut app = hub_app(&graph, &index, leaf);
        let mut t = terminal();
        draw(&mut t, &mut app);
        let d = time_runs(FOCUS_RUNS, || {
            app.update(Action::Goto(leaf_id.clone()));
            draw(&mut t, &mut app);
            let s = Instant::now();
            app.update(Action::Goto(hub_id.clone()));
            draw(&mut t, &mut app);
            s.elapsed()
        });
        rows.push((
            "focus/hub",
            "Goto(hub) from a leaf + draw (lists recomputed)",
            d,
        ));
    }
    {
        let mut app = hub_app(&graph, &index, leaf);
        let mut t = terminal();
        draw(&mut t, &mut app);
        let d = time_runs(RUNS, || {
            let s = Instant::now();
            draw(&mut t, &mut app);
            s.elapsed()
        });
        rows.push(("frame/leaf", "draw, a leaf focused (baseline)", d));
    }
    println!("## Median per step (own runs; target: frame with the hub on screen < 2 ms)");
    println!();
    println!("| step | what | median ms | < 2 ms |");
    println!("|---|---|---:|---|");
    for (name, what, d) in &rows {
        let ok = if name.starts_with("frame/") {
            if ms(*d) < 2.0 { "yes" } else { "**no**" }
        } else {
            "(not a frame target)"
        };
        println!("| `{name}` | {what} | {:.3} | {ok} |", ms(*d));
    }
    println!();

    let mut c = Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    {
        let mut g = c.benchmark_group("frame");
        {
            let mut app = hub_app(&graph, &index, hub);
            let mut t = terminal();
            g.bench_function("hub_first", |b| {
                b.iter(|| draw(&mut t, black_box(&mut app)))
            });
        }
        for (name, step) in [("hub_scroll", Action::Down), ("hub_page", Action::PageDown)] {
            let mut app = hub_app(&graph, &index, hub);
            let mut t = terminal();
            draw(&mut t, &mut app);
            g.bench_function(name, |b| {
                b.iter(|| {
                    step_wrapping(&mut app, step.clone());
                    draw(&mut t, black_box(&mut app));
                })
            });
        }
        {
            let mut app = hub_app(&graph, &index, hub);
            app.update(Action::Map);
            let mut t = terminal();
            // Slow (the layout is computed over every relation on each frame):
            // one draw per sample.
            g.sample_size(20).sampling_mode(SamplingMode::Flat);
            g.bench_function("hub_map", |b| b.iter(|| draw(&mut t, black_box(&mut app))));
            let filter = ties::view::Filter::default();
            g.bench_function("hub_map_layout", |b| {
                b.iter(|| ties::tui::map::layout(&graph, black_box(hub), 1, &filter, 118, 36))
            });
            g.sample_size(50).sampling_mode(SamplingMode::Auto);
        }
        {
            let mut app = hub_app(&graph, &index, leaf);
            let mut t = terminal();
            g.bench_function("leaf", |b| b.iter(|| draw(&mut t, black_box(&mut app))));
        }
        g.finish();
    }
    {
        let mut g = c.benchmark_group("focus");
        g.sample_size(20).sampling_mode(SamplingMode::Flat);
        let mut app = hub_app(&graph, &index, leaf);
        let mut t = terminal();
        g.bench_function("hub", |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    app.update(Action::Goto(leaf_id.clone()));
                    draw(&mut t, &mut app);
                    let s = Instant::now();
                    app.update(Action::Goto(hub_id.clone()));
                    draw(&mut t, black_box(&mut app));
                    total += s.elapsed();
                }
                total
            })
        });
        g.finish();
    }
    c.final_summary();
}
