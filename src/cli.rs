//! The command line: clap definitions and one function per subcommand.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::export::{self, Format, WriteError};
use crate::generate::{self, GenOptions};
use crate::graph::{Graph, NodeIx};
use crate::load::{self, LoadError};
use crate::model::{DateWindow, EntityKind, PartialDate};
use crate::search::{self, Hit, MatchedField, SearchIndex};
use crate::view::{self, Filter, Reach};

/// Explore who is tied to whom: people, ministries, funds, agreements, money and
/// dates, in a keyboard-first terminal explorer.
///
/// With no subcommand, opens the explorer on the built-in graph (built from five
/// news reports on Lithuanian–Ukrainian defence-industry cooperation), or on the
/// graph given with --data.
#[derive(Debug, Parser)]
#[command(name = "ties", version, max_term_width = 100)]
pub struct Cli {
    /// Graph to load: a .ron file, or a folder whose .ron files are merged
    /// [default: the built-in graph]
    #[arg(long, global = true, value_name = "PATH")]
    pub data: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the graph and print counts by entity and relation kind
    Check,
    /// Write the graph, or the view around an entity, to a file or stdout
    Export(ExportArgs),
    /// Find entities by name or alias, best match first
    ///
    /// Matching ignores case and diacritics (`kasciunas` finds Kasčiūnas) and
    /// follows fzf's syntax: space-separated terms must all match, in any order;
    /// `'term` exact, `^term` prefix, `term$` suffix, `!term` excludes.
    Search(SearchArgs),
    /// Write a synthetic graph of any size, for trying things out at scale
    Gen(GenArgs),
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for (several words are joined with spaces)
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
    /// Show at most this many matches
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: usize,
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct GenArgs {
    /// Number of entities
    #[arg(long, value_name = "N")]
    pub entities: usize,
    /// Relations per entity, on average
    #[arg(long, default_value_t = 2, value_name = "R")]
    pub relations_per_entity: usize,
    /// Seed: the same seed always gives the same file
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// The file to write
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
}

/// Which part of the graph a command looks at.
#[derive(Debug, Clone, Args, Default)]
pub struct ViewArgs {
    /// Centre the view on this entity: an id, or a name to search for
    #[arg(long, value_name = "QUERY")]
    pub focus: Option<String>,
    /// How many hops from the focus to include
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub depth: usize,
    /// Follow relations into the focus, out of it, or both
    #[arg(long, value_enum, default_value_t = Reach::Both)]
    pub direction: Reach,
    /// Keep only things dated on or after this date (YYYY, YYYY-MM or YYYY-MM-DD;
    /// a partial date covers its whole period)
    #[arg(long, value_name = "DATE")]
    pub from: Option<PartialDate>,
    /// Keep only things dated on or before this date (the whole period: 2024-11 runs
    /// to 30 November)
    #[arg(long, value_name = "DATE")]
    pub to: Option<PartialDate>,
    /// Keep only these entity kinds, comma-separated (e.g. person,fund,agreement)
    #[arg(long, value_delimiter = ',', value_name = "KINDS")]
    pub kinds: Vec<String>,
    /// Leave out relations that have no date
    #[arg(long)]
    pub no_undated: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub view: ViewArgs,
    /// Output format
    #[arg(long, value_enum)]
    pub format: Format,
    /// Write to this file instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
}

/// A command that failed, and how to tell the shell.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Load(#[from] LoadError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Write(#[from] WriteError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl CliError {
    /// 2 for bad input (data, arguments), 1 for anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Load(_) | CliError::Usage(_) => 2,
            CliError::Write(_) | CliError::Io(_) => 1,
        }
    }
}

/// Parses the command line, runs it, and reports errors on stderr.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let msg = e.to_string();
            eprintln!("ties: {}", msg.trim_end());
            ExitCode::from(e.exit_code())
        }
    }
}

/// Loads the graph named by `--data`, or the built-in one.
pub fn load_graph(data: Option<&std::path::Path>) -> Result<Graph, LoadError> {
    match data {
        Some(p) => load::load_path(p),
        None => load::load_builtin(),
    }
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    if let Some(Command::Gen(args)) = &cli.command {
        return gen_cmd(args);
    }
    let graph = load_graph(cli.data.as_deref())?;
    match cli.command {
        None => placeholder(&graph),
        Some(Command::Check) => check(&graph),
        Some(Command::Export(args)) => export_cmd(&graph, &args),
        Some(Command::Search(args)) => search_cmd(&graph, &args),
        Some(Command::Gen(args)) => gen_cmd(&args),
    }
}

fn placeholder(graph: &Graph) -> Result<(), CliError> {
    println!(
        "ties: loaded {} entities and {} relations; the explorer is not built yet",
        graph.node_count(),
        graph.edge_count()
    );
    Ok(())
}

/// Counts of each kind, most common first, then by name.
fn counts<'a>(labels: impl Iterator<Item = &'a str>) -> Vec<(&'a str, usize)> {
    let mut map: std::collections::BTreeMap<&str, usize> = Default::default();
    for l in labels {
        *map.entry(l).or_default() += 1;
    }
    let mut v: Vec<_> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v
}

fn check(graph: &Graph) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "valid: {} entities, {} relations, {} sources",
        graph.node_count(),
        graph.edge_count(),
        graph.sources().len()
    )?;
    writeln!(out, "\nentities by kind:")?;
    let kinds = counts(
        graph
            .node_indices()
            .map(|n| graph.entity_kind_label(graph.entity(n).kind)),
    );
    for (k, n) in kinds {
        writeln!(out, "  {k:<16} {n:>8}")?;
    }
    writeln!(out, "\nrelations by kind:")?;
    let kinds = counts(
        graph
            .edge_indices()
            .map(|e| graph.relation_kind_label(graph.relation(e).kind)),
    );
    for (k, n) in kinds {
        writeln!(out, "  {k:<16} {n:>8}")?;
    }
    Ok(())
}

/// Finds the entity a `--focus` names: an exact id first, then the best search
/// hit. Fails when nothing matches, or when the best hits are too close to call
/// (the message lists them with their ids).
pub fn resolve_focus(graph: &Graph, query: &str) -> Result<NodeIx, CliError> {
    if let Some(n) = graph.find(query).or_else(|| graph.find(query.trim())) {
        return Ok(n);
    }
    let index = SearchIndex::build(graph);
    let hits = index.search(graph, query, 6, &|_| true);
    match hits.as_slice() {
        [] => Err(no_match(query)),
        [best] => Ok(best.node),
        [best, second, ..] if !too_close(query, best, second) => Ok(best.node),
        close => {
            let mut msg = format!("`{query}` could mean several entities; give one by id:");
            for h in close.iter().take_while(|h| h.tier() == best_tier(close)) {
                msg.push_str(&format!("\n  {}", describe(graph, h)));
            }
            Err(CliError::Usage(msg))
        }
    }
}

fn best_tier(hits: &[Hit]) -> u8 {
    hits.first().map_or(0, Hit::tier)
}

fn no_match(query: &str) -> CliError {
    CliError::Usage(format!(
        "no entity matches `{query}` (names and aliases are searched; try fewer letters)"
    ))
}

/// Whether the second hit is about as good a match as the best: the same tier,
/// and (for word-start and fuzzy matches) nearly the same score and a name nearly
/// as short, so that the query covers about as much of it.
fn too_close(query: &str, best: &Hit, second: &Hit) -> bool {
    if (best.score >> 32) != (second.score >> 32) {
        return false;
    }
    if best.tier() == 3 {
        return true;
    }
    let sub = |h: &Hit| h.score & 0xffff_ffff;
    let (a, b) = (sub(best), sub(second));
    let score_close = b >= a - a.abs() / 10;
    let q = search::fold(query).len() as f64;
    let cover = |h: &Hit| q / search::fold(&h.text).len().max(1) as f64;
    score_close && cover(second) >= 0.8 * cover(best)
}

/// `id  (kind)  name`, and the alias that matched if it was not the name.
fn describe(graph: &Graph, h: &Hit) -> String {
    let e = graph.entity(h.node);
    let mut s = format!(
        "{}  ({})  {}",
        e.id,
        graph.entity_kind_label(e.kind),
        e.name
    );
    if h.field != MatchedField::Name {
        s.push_str(&format!("  [{} “{}”]", h.field.label(), h.text));
    }
    s
}

fn tier_label(h: &Hit) -> &'static str {
    match h.tier() {
        3 => "exact",
        2 => "word start",
        1 => "fuzzy",
        _ => "any",
    }
}

fn search_cmd(graph: &Graph, args: &SearchArgs) -> Result<(), CliError> {
    let query = args.query.join(" ");
    let index = SearchIndex::build(graph);
    let hits = index.search(graph, &query, args.limit, &|_| true);
    if hits.is_empty() && args.limit > 0 {
        return Err(no_match(&query));
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let rows: Vec<serde_json::Value> = hits
            .iter()
            .map(|h| {
                let e = graph.entity(h.node);
                let (field, index) = match h.field {
                    MatchedField::Name => ("name", None),
                    MatchedField::Alias(i) => ("alias", Some(i)),
                    MatchedField::WeakAlias(i) => ("weak_alias", Some(i)),
                };
                serde_json::json!({
                    "id": &*e.id,
                    "kind": graph.entity_kind_label(e.kind),
                    "name": &*e.name,
                    "matched_field": field,
                    "matched_index": index,
                    "matched_text": h.text,
                    "positions": h.positions,
                    "tier": tier_label(h),
                    "score": h.score,
                })
            })
            .collect();
        let text = serde_json::to_string_pretty(&rows).map_err(std::io::Error::other)?;
        writeln!(out, "{text}")?;
        return Ok(());
    }
    let id_width = hits
        .iter()
        .map(|h| graph.entity(h.node).id.chars().count())
        .max()
        .unwrap_or(2);
    for (i, h) in hits.iter().enumerate() {
        let e = graph.entity(h.node);
        let mut line = format!(
            "{:>3}  {:<10}  {:<id_width$}  {:<12}  {}",
            i + 1,
            tier_label(h),
            e.id,
            graph.entity_kind_label(e.kind),
            e.name
        );
        if h.field != MatchedField::Name {
            line.push_str(&format!("  ({}: {})", h.field.label(), h.text));
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn gen_cmd(args: &GenArgs) -> Result<(), CliError> {
    let opts = GenOptions {
        entities: args.entities,
        relations_per_entity: args.relations_per_entity,
        seed: args.seed,
    };
    generate::write_file(&opts, &args.output, args.force)?;
    eprintln!(
        "ties: wrote {} entities, {} relations and {} sources to {}",
        opts.entities,
        generate::relation_count(&opts),
        generate::source_count(&opts),
        args.output.display()
    );
    Ok(())
}

/// Builds the filter and focus a [`ViewArgs`] asks for.
pub fn view_of(graph: &Graph, args: &ViewArgs) -> Result<(Option<NodeIx>, Filter), CliError> {
    let window = DateWindow::new(args.from, args.to).map_err(|e| CliError::Usage(e.to_string()))?;
    let mut entity_kinds = Vec::new();
    for k in &args.kinds {
        let k = k.trim();
        let kind = EntityKind::<String>::from_label(k).ok_or_else(|| {
            let known: Vec<&str> = EntityKind::<String>::KNOWN
                .iter()
                .filter_map(|k| k.known_label())
                .collect();
            CliError::Usage(format!(
                "unknown entity kind `{k}`; known kinds: {}",
                known.join(", ")
            ))
        })?;
        entity_kinds.push(kind.map_other(|_| unreachable!("known kinds have no name")));
    }
    let focus = args
        .focus
        .as_deref()
        .map(|q| resolve_focus(graph, q))
        .transpose()?;
    let filter = Filter {
        window,
        hide_undated: args.no_undated,
        entity_kinds,
        relation_kinds: Vec::new(),
    };
    Ok((focus, filter))
}

fn export_cmd(graph: &Graph, args: &ExportArgs) -> Result<(), CliError> {
    let (focus, filter) = view_of(graph, &args.view)?;
    let sub = view::subgraph(graph, focus, args.view.depth, args.view.direction, &filter);
    let text = export::render(graph, &sub, args.format);
    match &args.output {
        Some(path) => {
            export::write_atomic(path, text.as_bytes(), args.force)?;
            eprintln!(
                "ties: wrote {} entities and {} relations to {}",
                sub.nodes.len(),
                sub.edges.len(),
                path.display()
            );
        }
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(())
}
