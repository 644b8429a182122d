//! The command line: clap definitions and one function per subcommand.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::export::{self, Format, WriteError};
use crate::ftm::FtmSummary;
use crate::graph::{Graph, NodeIx};
use crate::load::{self, LoadError};
use crate::model::{DateWindow, EntityKind, PartialDate};
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
    /// Graph to load: a .ron file, a folder whose .ron files are merged, or a
    /// FollowTheMoney entity stream (.ftm.json, .ftm.jsonl, .jsonl)
    /// [default: the built-in graph]
    #[arg(long, global = true, value_name = "PATH")]
    pub data: Option<PathBuf>,

    /// How to read --data [default: ftm for .ftm.json, .ftm.jsonl and .jsonl
    /// files, ron otherwise]
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,

    /// Open the explorer on this entity: an id, or a name or alias to search for
    #[arg(long, value_name = "QUERY")]
    pub focus: Option<String>,

    /// Key map to merge over the defaults [default: keymap.ron in the user config
    /// folder, e.g. ~/.config/ties/keymap.ron]
    #[arg(long, value_name = "FILE")]
    pub keymap: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Formats `--data` can be read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// The `ties` graph file format: a .ron file or a folder of them
    Ron,
    /// A FollowTheMoney entity stream: one JSON entity per line
    Ftm,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the graph and print counts by entity and relation kind
    Check,
    /// Write the graph, or the view around an entity, to a file or stdout
    Export(ExportArgs),
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
    #[error("{0}")]
    Tui(#[from] crate::tui::TuiError),
    #[error("key map: {0}")]
    KeyMap(#[from] crate::tui::keymap::KeyMapError),
    /// Stopped by a signal; the terminal has been restored.
    #[error("stopped by signal {0}")]
    Signal(i32),
}

impl CliError {
    /// 2 for bad input (data, arguments), 1 for anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Load(_) | CliError::Usage(_) | CliError::KeyMap(_) => 2,
            CliError::Write(_) | CliError::Io(_) | CliError::Tui(_) => 1,
            CliError::Signal(sig) => (128 + sig).clamp(0, 255) as u8,
        }
    }
}

/// Parses the command line, runs it, and reports errors on stderr.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e @ CliError::Signal(_)) => ExitCode::from(e.exit_code()),
        Err(e) => {
            let msg = e.to_string();
            eprintln!("ties: {}", msg.trim_end());
            ExitCode::from(e.exit_code())
        }
    }
}

/// Loads the graph named by `--data` (FtM streams told by their extension), or
/// the built-in one.
pub fn load_graph(data: Option<&std::path::Path>) -> Result<Graph, LoadError> {
    load_graph_as(data, None).map(|(g, _)| g)
}

/// Loads the graph named by `--data` in `format` (guessed from the extension when
/// `None`), or the built-in one. An FtM load also returns what it read.
pub fn load_graph_as(
    data: Option<&std::path::Path>,
    format: Option<InputFormat>,
) -> Result<(Graph, Option<FtmSummary>), LoadError> {
    let Some(p) = data else {
        if format == Some(InputFormat::Ftm) {
            return Err(LoadError::single(
                "--input-format ftm",
                load::ProblemKind::Io("needs --data FILE".into()),
            ));
        }
        return Ok((load::load_builtin()?, None));
    };
    let format = format.unwrap_or(if crate::ftm::is_ftm_path(p) {
        InputFormat::Ftm
    } else {
        InputFormat::Ron
    });
    match format {
        InputFormat::Ron => Ok((load::load_path(p)?, None)),
        InputFormat::Ftm => {
            let (g, summary) = crate::ftm::load_ftm(p)?;
            Ok((g, Some(summary)))
        }
    }
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    let (graph, summary) = load_graph_as(cli.data.as_deref(), cli.input_format)?;
    if let (Some(summary), Some(_)) = (&summary, &cli.command) {
        eprint!("ties: {summary}");
    }
    match cli.command {
        None => explore(graph, cli.focus.as_deref(), cli.keymap.as_deref()),
        Some(Command::Check) => check(&graph),
        Some(Command::Export(args)) => export_cmd(&graph, &args),
    }
}

fn explore(
    graph: Graph,
    focus: Option<&str>,
    keymap: Option<&std::path::Path>,
) -> Result<(), CliError> {
    let keymap = match keymap {
        Some(path) if !path.exists() => {
            return Err(CliError::Usage(format!(
                "key map {} does not exist",
                path.display()
            )));
        }
        Some(path) => crate::tui::KeyMap::load(Some(path))?,
        None => crate::tui::KeyMap::load(crate::tui::keymap::user_keymap_path().as_deref())?,
    };
    let focus = focus.map(|q| resolve_focus(&graph, q)).transpose()?;
    match crate::tui::run(graph, focus, keymap)? {
        crate::tui::Ending::Quit => Ok(()),
        crate::tui::Ending::Signal(sig) => Err(CliError::Signal(sig)),
    }
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

/// Finds the entity a `--focus` names: an exact id first, then an exact name or alias.
pub fn resolve_focus(graph: &Graph, query: &str) -> Result<NodeIx, CliError> {
    if let Some(n) = graph.find(query) {
        return Ok(n);
    }
    let q = query.trim().to_lowercase();
    graph
        .node_indices()
        .find(|&n| {
            let e = graph.entity(n);
            e.name.to_lowercase() == q || e.aliases.iter().any(|a| a.to_lowercase() == q)
        })
        .ok_or_else(|| CliError::Usage(format!("no entity matches `{query}`")))
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
