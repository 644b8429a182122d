//! The analysis commands: `ties rank`, `ties common`, `ties diff` and
//! `ties clusters`. Each prints text or JSON, and can write the subgraph its
//! answer is about with `--export`.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::CliError;
use super::args::{ClustersArgs, CommonArgs, DiffArgs, ExportToArgs, FilterArgs, RankArgs};
use super::loading::spinner;
use super::view::view_from;
use crate::analysis::{self, clusters, common, diff, rank, render};
use crate::export::{self, Format};
use crate::graph::Graph;
use crate::report;
use crate::search::Resolver;
use crate::view::{Filter, Subgraph};
use crate::view_file::ViewSpec;

fn filter_of(
    graph: &Graph,
    args: &FilterArgs,
    spec: Option<&ViewSpec>,
) -> Result<Filter, CliError> {
    Ok(view_from(graph, &args.as_view(), spec)?.filter)
}

/// The export format of `path`: `--export-format`, else its extension.
fn format_of(path: &Path, given: Option<Format>) -> Result<Format, CliError> {
    if let Some(f) = given {
        return Ok(f);
    }
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase());
    let name = name.unwrap_or_default();
    let all = [
        Format::Ftm,
        Format::Json,
        Format::Ron,
        Format::Dot,
        Format::Mermaid,
        Format::Graphml,
    ];
    all.into_iter()
        .find(|f| name.ends_with(&format!(".{}", f.extension())))
        .ok_or_else(|| {
            CliError::Usage(format!(
                "cannot tell the format of {} from its extension; give --export-format",
                path.display()
            ))
        })
}

fn write_export(graph: &Graph, sub: &Subgraph, args: &ExportToArgs) -> Result<(), CliError> {
    let Some(path) = &args.export else {
        return Ok(());
    };
    let format = format_of(path, args.export_format.map(Format::from))?;
    let text = export::render(graph, sub, format);
    export::write_atomic(path, text.as_bytes(), args.force)?;
    eprintln!(
        "ties: wrote {} and {} to {}",
        report::count(sub.nodes.len(), "entity"),
        report::count(sub.edges.len(), "relation"),
        path.display()
    );
    Ok(())
}

fn print(text: &str) -> Result<(), CliError> {
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

/// Ranks with a bar on stderr (only on a terminal): sampled sources done for
/// sampled betweenness, else a spinner that counts PageRank's rounds.
fn rank_with_progress(
    graph: &Graph,
    filter: &Filter,
    opts: &rank::RankOptions,
) -> Result<rank::Ranking, rank::RankError> {
    let spin = spinner("reading the view");
    let view = analysis::ViewGraph::new(graph, filter);
    spin.finish_and_clear();
    let sources = rank::sources_for(&view, opts);
    let sampling = opts.measure == rank::Measure::Betweenness && sources < view.len();
    let bar = if sampling {
        let bar = ProgressBar::with_draw_target(Some(sources as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "betweenness {bar:30} {pos}/{len} sampled sources ({elapsed}, about {eta} left)",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    } else {
        spinner("ranking")
    };
    let progress = AtomicUsize::new(0);
    let control = rank::Control {
        cancel: None,
        progress: Some(&progress),
    };
    let ranking = std::thread::scope(|s| {
        let job = s.spawn(|| rank::rank_view_with(graph, &view, opts, control));
        while !job.is_finished() {
            let done = progress.load(Ordering::Relaxed);
            if sampling {
                bar.set_position(done as u64);
            } else if opts.measure == rank::Measure::Pagerank && done > 0 {
                bar.set_message(format!("PageRank, round {done}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        job.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
    });
    bar.finish_and_clear();
    ranking
}

pub(super) fn rank_cmd(
    graph: &Graph,
    spec: Option<&ViewSpec>,
    args: &RankArgs,
) -> Result<(), CliError> {
    // --kinds chooses what is listed; the scores are measured on every kind
    // the dates leave (a person's degree counts its agreements and ministries).
    let listed = filter_of(graph, &args.filter, spec)?;
    let filter = Filter {
        entity_kinds: Vec::new(),
        ..listed.clone()
    };
    let opts = rank::RankOptions {
        measure: args.by.into(),
        exact: args.exact,
        samples: args.samples,
        seed: args.seed,
        ..rank::RankOptions::default()
    };
    if args.samples == Some(0) {
        return Err(CliError::Usage("--samples must be at least 1".into()));
    }
    let ranking = rank_with_progress(graph, &filter, &opts);
    let mut ranking = ranking.map_err(|e| CliError::Usage(e.to_string()))?;
    let kinds: Vec<&str> = listed
        .entity_kinds
        .iter()
        .map(|&k| graph.entity_kind_label(k))
        .collect();
    if !kinds.is_empty() {
        ranking
            .entities
            .retain(|s| listed.entity_kinds.contains(&graph.entity(s.node).kind));
    }
    let text = if args.json {
        let mut doc: serde_json::Value =
            serde_json::from_str(&render::rank_json(graph, &ranking, args.limit))
                .map_err(std::io::Error::other)?;
        doc["listed_kinds"] = kinds.clone().into();
        let mut s = serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?;
        s.push('\n');
        s
    } else {
        let text = render::rank_text(graph, &ranking, args.limit);
        if kinds.is_empty() {
            text
        } else {
            // Say what is listed and what was measured, under the heading.
            let (head, rest) = text.split_once('\n').unwrap_or((&text, ""));
            format!(
                "{head}\nlisted: {} only ({} of them); scores measured on every kind in the view\n{rest}",
                kinds.join(", "),
                ranking.entities.len()
            )
        }
    };
    print(&text)?;
    write_export(
        graph,
        &ranking.subgraph(graph, &filter, args.limit),
        &args.export,
    )
}

pub(super) fn common_cmd(
    graph: &Graph,
    spec: Option<&ViewSpec>,
    args: &CommonArgs,
) -> Result<(), CliError> {
    let filter = filter_of(graph, &args.filter, spec)?;
    let resolver = Resolver::new(graph);
    let inputs = args
        .entities
        .iter()
        .map(|q| super::resolve(&resolver, q))
        .collect::<Result<Vec<_>, _>>()?;
    let found = common::common(graph, &filter, &inputs, usize::from(args.depth))
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let text = if args.json {
        render::common_json(graph, &found, args.limit)
    } else {
        render::common_text(graph, &found, args.limit)
    };
    print(&text)?;
    write_export(graph, &found.subgraph(graph, args.limit), &args.export)
}

pub(super) fn diff_cmd(
    graph: &Graph,
    spec: Option<&ViewSpec>,
    args: &DiffArgs,
) -> Result<(), CliError> {
    let filter = filter_of(
        graph,
        &FilterArgs {
            kinds: args.kinds.clone(),
            ..FilterArgs::default()
        },
        spec,
    )?;
    let around = match &args.focus {
        Some(q) => Some(diff::Around {
            focus: super::resolve(&Resolver::new(graph), q)?,
            depth: args.depth,
        }),
        None => None,
    };
    let d = diff::diff(graph, &filter, args.from, args.to, around);
    let text = if args.json {
        render::diff_json(graph, &d)
    } else {
        render::diff_text(graph, &d)
    };
    print(&text)?;
    write_export(graph, &d.subgraph(graph), &args.export)
}

pub(super) fn clusters_cmd(
    graph: &Graph,
    spec: Option<&ViewSpec>,
    args: &ClustersArgs,
) -> Result<(), CliError> {
    let filter = filter_of(graph, &args.filter, spec)?;
    let spin = spinner("finding clusters and bridges");
    let view = analysis::ViewGraph::new(graph, &filter);
    let c = clusters::clusters_of_view(graph, &view);
    spin.finish_and_clear();
    let text = if args.json {
        render::clusters_json(graph, &c, args.limit)
    } else {
        render::clusters_text(graph, &c, args.limit)
    };
    print(&text)?;
    // The export is the largest cluster.
    write_export(graph, &c.subgraph(graph, &filter, 0), &args.export)
}
