//! The analysis commands: `ties rank`, `ties common`, `ties diff` and
//! `ties clusters` (their clap arguments and what they run). Each prints text
//! or JSON, and can write the subgraph its answer is about with `--export`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::analysis::{self, clusters, common, diff, rank, render};
use crate::cli::{CliError, Resolver, ViewArgs, view_from};
use crate::export::{self, Format};
use crate::graph::Graph;
use crate::model::{DateWindow, PartialDate};
use crate::report;
use crate::view::{Filter, Subgraph};
use crate::view_file::ViewSpec;

/// The view flags the analysis commands share: dates and kinds, no focus.
#[derive(Debug, Clone, Args, Default)]
pub struct FilterArgs {
    /// Keep only entity kinds, comma-separated (e.g. person,ministry,agreement)
    #[arg(long, value_delimiter = ',', value_name = "KINDS")]
    pub kinds: Vec<String>,
    /// Keep only things dated on or after this date (YYYY, YYYY-MM or YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub from: Option<PartialDate>,
    /// Keep only things dated on or before this date (the whole period)
    #[arg(long, value_name = "DATE")]
    pub to: Option<PartialDate>,
    /// Leave out relations that have no date
    #[arg(long)]
    pub no_undated: bool,
}

/// Where to write the result's subgraph.
#[derive(Debug, Clone, Args, Default)]
pub struct ExportToArgs {
    /// Also write the subgraph of the answer to FILE (format from its extension,
    /// or --export-format)
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,
    /// Format of --export
    #[arg(long, value_enum, value_name = "FORMAT", requires = "export")]
    pub export_format: Option<Format>,
    /// Replace the --export file if it exists
    #[arg(long, requires = "export")]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RankArgs {
    /// What to rank by
    #[arg(long, value_enum, default_value_t = rank::Measure::Degree)]
    pub by: rank::Measure,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Show the N highest
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: usize,
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
    /// Compute betweenness and closeness exactly, however large the view
    #[arg(long)]
    pub exact: bool,
    /// Estimate betweenness from K sampled sources when the view has more
    /// entities than that [default: exact for views small enough to take
    /// seconds, else as many sources as take about as long, at least 100]
    #[arg(long, value_name = "K")]
    pub samples: Option<usize>,
    /// Seed of the sampling
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    #[command(flatten)]
    pub export: ExportToArgs,
}

#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Two or more entities: ids, or names to search for
    #[arg(required = true, num_args = 2.., value_name = "ENTITY")]
    pub entities: Vec<String>,
    /// 1: entities tied directly to each; 2: also through one entity between
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=2))]
    pub depth: u8,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Show the N most specific
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: usize,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub export: ExportToArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier window: FROM..TO, FROM.., ..TO, or one date (its whole period)
    #[arg(long, value_name = "WINDOW")]
    pub from: DateWindow,
    /// The later window
    #[arg(long, value_name = "WINDOW")]
    pub to: DateWindow,
    /// Compare only around this entity (an id or a name)
    #[arg(long, value_name = "QUERY")]
    pub focus: Option<String>,
    /// Hops from the focus to compare
    #[arg(long, default_value_t = 1, value_name = "N", requires = "focus")]
    pub depth: usize,
    /// Keep only entity kinds, comma-separated
    #[arg(long, value_delimiter = ',', value_name = "KINDS")]
    pub kinds: Vec<String>,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub export: ExportToArgs,
}

#[derive(Debug, Args)]
pub struct ClustersArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// List at most N clusters and N bridges
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: usize,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub export: ExportToArgs,
}

fn filter_of(
    graph: &Graph,
    args: &FilterArgs,
    spec: Option<&ViewSpec>,
) -> Result<Filter, CliError> {
    let view = ViewArgs {
        from: args.from,
        to: args.to,
        kinds: args.kinds.clone(),
        no_undated: args.no_undated,
        ..ViewArgs::default()
    };
    let (_, filter, _, _) = view_from(graph, &view, spec)?;
    Ok(filter)
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
    let format = format_of(path, args.export_format)?;
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

pub fn rank_cmd(graph: &Graph, spec: Option<&ViewSpec>, args: &RankArgs) -> Result<(), CliError> {
    let filter = filter_of(graph, &args.filter, spec)?;
    let opts = rank::RankOptions {
        measure: args.by,
        exact: args.exact,
        samples: args.samples,
        seed: args.seed,
        ..rank::RankOptions::default()
    };
    if args.samples == Some(0) {
        return Err(CliError::Usage("--samples must be at least 1".into()));
    }
    let spin = crate::open::spinner("ranking");
    let ranking = rank::rank(graph, &filter, &opts);
    spin.finish_and_clear();
    let ranking = ranking.map_err(|e| CliError::Usage(e.to_string()))?;
    let text = if args.json {
        render::rank_json(graph, &ranking, args.limit)
    } else {
        render::rank_text(graph, &ranking, args.limit)
    };
    print(&text)?;
    write_export(
        graph,
        &ranking.subgraph(graph, &filter, args.limit),
        &args.export,
    )
}

pub fn common_cmd(
    graph: &Graph,
    spec: Option<&ViewSpec>,
    args: &CommonArgs,
) -> Result<(), CliError> {
    let filter = filter_of(graph, &args.filter, spec)?;
    let resolver = Resolver::new(graph);
    let inputs = args
        .entities
        .iter()
        .map(|q| resolver.resolve(q))
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

pub fn diff_cmd(graph: &Graph, spec: Option<&ViewSpec>, args: &DiffArgs) -> Result<(), CliError> {
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
            focus: Resolver::new(graph).resolve(q)?,
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

pub fn clusters_cmd(
    graph: &Graph,
    spec: Option<&ViewSpec>,
    args: &ClustersArgs,
) -> Result<(), CliError> {
    let filter = filter_of(graph, &args.filter, spec)?;
    let spin = crate::open::spinner("finding clusters and bridges");
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
