//! The command line: clap definitions and one function per subcommand.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::export::{self, Format, WriteError};
use crate::generate::{self, GenOptions};
use crate::graph::{Graph, NodeIx};
use crate::load::{self, LoadError};
use crate::model::{EntityKind, PartialDate};
use crate::open::Opened;
use crate::search::{self, Hit, MatchedField, SearchIndex};
use crate::view::{self, Filter, Reach};
use crate::view_file::{ResolvedView, ViewError, ViewFileError, ViewSpec};
use crate::{path, report, timeline};

/// Explore who is tied to whom: people, ministries, funds, agreements, money and
/// dates, in a keyboard-first terminal explorer.
///
/// With no subcommand, opens the explorer on the built-in graph (built from five
/// news reports on Lithuanian–Ukrainian defence-industry cooperation), or on the
/// graph given with --data.
#[derive(Debug, Parser)]
#[command(
    name = "ties",
    version,
    max_term_width = 100,
    after_help = "Environment:\n  \
        NO_COLOR=1            draw the explorer without colours\n  \
        TIES_CACHE_DIR=DIR    keep snapshots of large graphs in DIR [default: ~/.cache/ties/snapshots]\n  \
        TIES_SNAPSHOT_MIN=N   snapshot graphs of N bytes or more [default: 1048576]\n  \
        TIES_LOAD_STATS=1     print where a load spent its time, and memory per entity"
)]
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

    /// Colour theme to use [default: theme.ron in the user config folder]; the
    /// NO_COLOR environment variable turns colours off
    #[arg(long, value_name = "FILE")]
    pub theme: Option<PathBuf>,

    /// Leave the mouse to the terminal (no clicking or scrolling in the explorer,
    /// but the terminal's own text selection works)
    #[arg(long)]
    pub no_mouse: bool,

    /// Open a saved view (a small RON file: focus, depth, direction, dates, kinds);
    /// for export, path, timeline and show, its settings are defaults that flags
    /// override
    #[arg(long, global = true, value_name = "FILE")]
    pub view: Option<PathBuf>,

    /// Do not read or save a snapshot of large graphs (snapshots live in the user
    /// cache folder, e.g. ~/.cache/ties/snapshots, or in $TIES_CACHE_DIR)
    #[arg(long, global = true)]
    pub no_cache: bool,

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
    /// Print the shortest connections between two entities
    Path(PathArgs),
    /// Print dated relations and dated entities (events, agreements…) in date order
    Timeline(TimelineArgs),
    /// Print one entity with all its relations
    Show(ShowArgs),
    /// Money in and out of one entity, by counterparty, with totals per currency
    Money(ShowArgs),
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
    /// How many hops from the focus to include [default: 1]
    #[arg(long, value_name = "N")]
    pub depth: Option<usize>,
    /// Follow relations into the focus, out of it, or both [default: both]
    #[arg(long, value_enum)]
    pub direction: Option<Reach>,
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

/// The date flags of commands that look at relations but not at a neighbourhood.
#[derive(Debug, Clone, Args, Default)]
pub struct WindowArgs {
    /// Keep only relations dated on or after this date (YYYY, YYYY-MM or YYYY-MM-DD;
    /// a partial date covers its whole period)
    #[arg(long, value_name = "DATE")]
    pub from: Option<PartialDate>,
    /// Keep only relations dated on or before this date (the whole period)
    #[arg(long, value_name = "DATE")]
    pub to: Option<PartialDate>,
    /// Leave out relations that have no date
    #[arg(long)]
    pub no_undated: bool,
}

impl WindowArgs {
    /// These flags as view flags, with no focus, depth, direction or kinds.
    fn as_view(&self) -> ViewArgs {
        ViewArgs {
            from: self.from,
            to: self.to,
            no_undated: self.no_undated,
            ..ViewArgs::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct PathArgs {
    /// Where the connection starts: an id, or a name to search for
    #[arg(value_name = "A")]
    pub a: String,
    /// Where it ends: an id, or a name to search for
    #[arg(value_name = "B")]
    pub b: String,
    /// Look for connections of at most N hops
    #[arg(long, default_value_t = 6, value_name = "N")]
    pub max_hops: usize,
    /// Print at most N connections of the shortest length
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub limit: usize,
    #[command(flatten)]
    pub window: WindowArgs,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    #[command(flatten)]
    pub view: ViewArgs,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The entity: an id, or a name to search for
    #[arg(value_name = "QUERY")]
    pub query: String,
    /// Print JSON (the export shape, with a "focus" field) instead of text
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub window: WindowArgs,
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
    #[error("{0}")]
    ViewFile(#[from] ViewFileError),
    /// The command ran but found nothing (no connection, say).
    #[error("{0}")]
    NotFound(String),
}

impl From<ViewError> for CliError {
    fn from(e: ViewError) -> Self {
        CliError::Usage(e.to_string())
    }
}

impl CliError {
    /// 2 for bad input (data, arguments), 1 for anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Load(_)
            | CliError::Usage(_)
            | CliError::KeyMap(_)
            | CliError::ViewFile(_) => 2,
            CliError::Write(_) | CliError::Io(_) | CliError::Tui(_) | CliError::NotFound(_) => 1,
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
    let opened = load_graph_as(data, None, false, &mut |_| {})?;
    Ok(std::sync::Arc::unwrap_or_clone(opened.graph))
}

/// Loads the graph named by `--data` in `format` (guessed from the extension when
/// `None`), or the built-in one. `cache` lets a large RON graph be read from and
/// saved to a snapshot ([`crate::open`]); `progress` hears how a RON load goes.
/// An FtM load's summary is among the notes.
pub fn load_graph_as(
    data: Option<&std::path::Path>,
    format: Option<InputFormat>,
    cache: bool,
    progress: &mut dyn FnMut(load::Progress),
) -> Result<Opened, LoadError> {
    let plain = |graph, notes| Opened {
        graph: std::sync::Arc::new(graph),
        index: None,
        saving: None,
        origin: crate::open::Origin::Ron,
        notes,
    };
    let Some(p) = data else {
        if format == Some(InputFormat::Ftm) {
            return Err(LoadError::single(
                "--input-format ftm",
                load::ProblemKind::Io("needs --data FILE".into()),
            ));
        }
        return Ok(plain(load::load_builtin()?, Vec::new()));
    };
    let format = format.unwrap_or(if crate::ftm::is_ftm_path(p) {
        InputFormat::Ftm
    } else {
        InputFormat::Ron
    });
    match format {
        InputFormat::Ron => crate::open::open_ron(p, cache, progress),
        InputFormat::Ftm => {
            let (graph, summary) = crate::ftm::load_ftm(p)?;
            Ok(plain(graph, vec![summary.to_string()]))
        }
    }
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    let Some(command) = &cli.command else {
        return explore(&cli);
    };
    if let Command::Gen(args) = command {
        return gen_cmd(args);
    }
    if let Command::Search(args) = command
        && let Some(data) = cli.data.as_deref()
        && cli.input_format != Some(InputFormat::Ftm)
        && !crate::ftm::is_ftm_path(data)
    {
        // A search needs only names: read them alone from a snapshot if there is one.
        let (dir, min) = crate::open::snapshot_settings(!cli.no_cache);
        if let Some((graph, index)) = crate::open::names_from_snapshot(data, dir.as_deref(), min) {
            return search_cmd(&graph, Some(std::sync::Arc::new(index)), args);
        }
    }
    let mut bar = crate::open::Bar::new(
        cli.data
            .as_deref()
            .map_or_else(String::new, |p| p.display().to_string()),
    );
    let loaded = load_graph_as(
        cli.data.as_deref(),
        cli.input_format,
        !cli.no_cache,
        &mut |p| bar.progress(p),
    );
    bar.finish();
    let mut data = loaded?;
    print_notes(&std::mem::take(&mut data.notes));
    let spec = || cli.view.as_deref().map(ViewSpec::load).transpose();
    let graph = std::sync::Arc::clone(&data.graph);
    let graph = &*graph;
    let done = match command {
        Command::Check => check(graph),
        Command::Export(args) => export_cmd(graph, spec()?.as_ref(), args),
        Command::Path(args) => path_cmd(graph, spec()?.as_ref(), args),
        Command::Timeline(args) => timeline_cmd(graph, spec()?.as_ref(), args),
        Command::Show(args) => show_cmd(graph, spec()?.as_ref(), args),
        Command::Money(args) => money_cmd(graph, spec()?.as_ref(), args),
        Command::Search(args) => {
            data.finish_saving();
            search_cmd(graph, data.index.clone(), args)
        }
        Command::Gen(args) => gen_cmd(args),
    };
    // The answer is out; the snapshot may still be being written.
    data.finish_saving();
    print_notes(&data.notes);
    done
}

/// Prints what a load had to say on stderr, each note after `ties: `.
fn print_notes(notes: &[String]) {
    for note in notes {
        eprintln!("ties: {}", note.strip_suffix('\n').unwrap_or(note));
    }
}

fn explore(cli: &Cli) -> Result<(), CliError> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = match cli.theme.as_deref() {
        Some(path) if !path.exists() => {
            return Err(CliError::Usage(format!(
                "theme {} does not exist",
                path.display()
            )));
        }
        Some(path) => crate::tui::theme::Theme::load(Some(path), no_color),
        None => crate::tui::theme::Theme::load(
            crate::tui::theme::user_theme_path().as_deref(),
            no_color,
        ),
    }
    .map_err(|e| CliError::Usage(format!("theme: {e}")))?;
    let keymap = match cli.keymap.as_deref() {
        Some(path) if !path.exists() => {
            return Err(CliError::Usage(format!(
                "key map {} does not exist",
                path.display()
            )));
        }
        Some(path) => crate::tui::KeyMap::load(Some(path))?,
        None => crate::tui::KeyMap::load(crate::tui::keymap::user_keymap_path().as_deref())?,
    };
    let spec = cli.view.as_deref().map(ViewSpec::load).transpose()?;
    let what = cli.data.as_deref().map_or_else(
        || "the built-in graph".to_string(),
        |p| p.display().to_string(),
    );
    let load = |progress: &mut dyn FnMut(load::Progress)| {
        load_graph_as(
            cli.data.as_deref(),
            cli.input_format,
            !cli.no_cache,
            progress,
        )
        .map_err(CliError::from)
    };
    let start = |opened: &Opened| start_at(opened, spec.as_ref(), cli.focus.as_deref());
    let outcome = crate::tui::run(&what, load, start, keymap, theme, !cli.no_mouse)?;
    print_notes(&outcome.notes);
    if let Some(saving) = outcome.saving {
        // Ctrl-C while waiting: leave the snapshot unfinished (its temporary
        // file is cleared away later).
        let signal = || match outcome.signal.load(std::sync::atomic::Ordering::SeqCst) {
            0 => None,
            sig => Some(sig as i32),
        };
        let (_, note) = saving.finish(signal).map_err(CliError::Signal)?;
        print_notes(note.as_slice());
    }
    match outcome.ending {
        crate::tui::Ending::Quit => Ok(()),
        crate::tui::Ending::Signal(sig) => Err(CliError::Signal(sig)),
    }
}

/// Where the explorer opens: `--focus`, else the view's focus; the view's filter
/// and marks.
fn start_at(
    opened: &Opened,
    spec: Option<&ViewSpec>,
    focus: Option<&str>,
) -> Result<crate::tui::Start, CliError> {
    let graph = &*opened.graph;
    let (spec_focus, filter) = match spec {
        Some(spec) => (spec.focus_node(graph)?, spec.filter(graph)?),
        None => (None, crate::view::Filter::default()),
    };
    let resolver = Resolver::with_index(graph, opened.index.clone());
    let focus = match focus {
        Some(q) => Some(resolver.resolve(q)?),
        None => spec_focus,
    };
    let index = resolver.into_index();
    let mut marks = std::collections::BTreeMap::new();
    for (c, id) in spec.iter().flat_map(|s| &s.marks) {
        let n = graph.find(id).ok_or_else(|| {
            CliError::Usage(format!(
                "the view's mark '{c}' names `{id}`, not an entity id in this graph"
            ))
        })?;
        marks.insert(*c, n);
    }
    Ok(crate::tui::Start {
        focus,
        filter,
        marks,
        index,
    })
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
        "valid: {}, {}, {}",
        report::count(graph.node_count(), "entity"),
        report::count(graph.edge_count(), "relation"),
        report::count(graph.sources().len(), "source")
    )?;
    writeln!(out, "\nentities by kind:")?;
    let kinds = counts(
        graph
            .node_indices()
            .map(|n| graph.entity_kind_label(graph.entity(n).kind)),
    );
    let custom = |k: &str, known: bool| {
        if known {
            k.to_string()
        } else {
            format!("{k} (other)")
        }
    };
    for (k, n) in kinds {
        let known = crate::model::EntityKind::<String>::from_label(k).is_some();
        writeln!(out, "  {:<24} {n:>8}", custom(k, known))?;
    }
    writeln!(out, "\nrelations by kind:")?;
    let kinds = counts(
        graph
            .edge_indices()
            .map(|e| graph.relation_kind_label(graph.relation(e).kind)),
    );
    for (k, n) in kinds {
        let known = crate::model::RelationKind::<String>::from_label(k).is_some();
        writeln!(out, "  {:<24} {n:>8}", custom(k, known))?;
    }
    Ok(())
}

/// Finds the entity a query names: an exact id first, then the best match over
/// names and aliases (ranked by the search engine, whose ties go to the shorter
/// name, then the better connected entity). When other hits match about as well
/// (the same tier and score, and the query covers about as much of their text),
/// the query is reported as ambiguous, with their ids, rather than one picked.
pub fn resolve_focus(graph: &Graph, query: &str) -> Result<NodeIx, CliError> {
    Resolver::new(graph).resolve(query)
}

/// Resolves several queries against one graph, building the search index at most
/// once, and only when a query is not an exact id.
pub struct Resolver<'g> {
    graph: &'g Graph,
    index: std::cell::OnceCell<std::sync::Arc<SearchIndex>>,
}

impl<'g> Resolver<'g> {
    pub fn new(graph: &'g Graph) -> Self {
        Resolver {
            graph,
            index: std::cell::OnceCell::new(),
        }
    }

    /// A resolver with an index already built (from a snapshot, say).
    pub fn with_index(graph: &'g Graph, index: Option<std::sync::Arc<SearchIndex>>) -> Self {
        Resolver {
            graph,
            index: index.map(std::cell::OnceCell::from).unwrap_or_default(),
        }
    }

    /// The index, built on first use.
    pub fn index(&self) -> &std::sync::Arc<SearchIndex> {
        self.index
            .get_or_init(|| std::sync::Arc::new(SearchIndex::build(self.graph)))
    }

    /// The index if a query needed it, for the explorer to reuse.
    pub fn into_index(self) -> Option<std::sync::Arc<SearchIndex>> {
        self.index.into_inner()
    }

    /// See [`resolve_focus`].
    pub fn resolve(&self, query: &str) -> Result<NodeIx, CliError> {
        resolve_with(self.graph, query, || self.index())
    }
}

fn resolve_with<'i>(
    graph: &Graph,
    query: &str,
    index: impl FnOnce() -> &'i std::sync::Arc<SearchIndex>,
) -> Result<NodeIx, CliError> {
    if let Some(n) = graph.find(query.trim()) {
        return Ok(n);
    }
    // Enough hits to say how many are as good as the best, six of them named.
    const LOOK: usize = 1000;
    const SHOW: usize = 6;
    let hits = index().search(graph, query, LOOK, &|_| true);
    let Some(best) = hits.first() else {
        return Err(no_match(query));
    };
    let close: Vec<&Hit> = hits[1..]
        .iter()
        .filter(|h| too_close(query, best, h))
        .collect();
    if close.is_empty() {
        return Ok(best.node);
    }
    let names: Vec<String> = std::iter::once(best)
        .chain(close.iter().copied())
        .take(SHOW)
        .map(|h| {
            let e = graph.entity(h.node);
            format!("{} ({})", e.name, e.id)
        })
        .collect();
    let more = match close.len() + 1 - names.len() {
        0 => String::new(),
        n if hits.len() == LOOK => format!(" and at least {n} more"),
        n => format!(" and {n} more"),
    };
    let same_name = close
        .iter()
        .all(|h| graph.entity_name(h.node) == graph.entity_name(best.node));
    let advice = if same_name {
        "give an id (`ties search` lists them with their ids)"
    } else {
        "give an id or more of the name"
    };
    Err(CliError::Usage(format!(
        "`{query}` is ambiguous: {}{more}; {advice}",
        names.join(", ")
    )))
}

fn no_match(query: &str) -> CliError {
    CliError::Usage(format!("no entity matches `{query}`"))
}

/// Whether `other` is about as good a match as `best`: the same tier, and (for
/// word-start and fuzzy matches) nearly the same score and a text nearly as
/// short, so that the query covers about as much of it.
fn too_close(query: &str, best: &Hit, other: &Hit) -> bool {
    if (best.score >> 32) != (other.score >> 32) {
        return false;
    }
    if best.tier() == 3 {
        return true;
    }
    let sub = |h: &Hit| h.score & 0xffff_ffff;
    let (a, b) = (sub(best), sub(other));
    let score_close = b >= a - a.abs() / 10;
    let q = search::fold(query).len() as f64;
    let cover = |h: &Hit| q / search::fold(&h.text).len().max(1) as f64;
    score_close && cover(other) >= 0.8 * cover(best)
}

fn tier_label(h: &Hit) -> &'static str {
    match h.tier() {
        3 => "exact",
        2 => "word start",
        1 => "fuzzy",
        _ => "any",
    }
}

fn search_cmd(
    graph: &Graph,
    index: Option<std::sync::Arc<SearchIndex>>,
    args: &SearchArgs,
) -> Result<(), CliError> {
    let query = args.query.join(" ");
    let index = index.unwrap_or_else(|| std::sync::Arc::new(SearchIndex::build(graph)));
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
                    "id": e.id,
                    "kind": graph.entity_kind_label(e.kind),
                    "name": e.name,
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
    let (focus, filter, _, _) = view_from(graph, args, None)?;
    Ok((focus, filter))
}

/// The view a command looks at: the `--view` file's settings, if any, each
/// overridden by the flags given (`--focus` searches; a file's focus is an id).
pub fn view_from(
    graph: &Graph,
    args: &ViewArgs,
    spec: Option<&ViewSpec>,
) -> Result<ResolvedView, CliError> {
    let mut merged = spec.cloned().unwrap_or_default();
    if args.focus.is_some() {
        merged.focus = None;
    }
    if let Some(depth) = args.depth {
        merged.depth = depth;
    }
    if let Some(direction) = args.direction {
        merged.direction = direction;
    }
    if args.from.is_some() {
        merged.from = args.from;
    }
    if args.to.is_some() {
        merged.to = args.to;
    }
    if args.no_undated {
        merged.hide_undated = true;
    }
    let kinds: Vec<&str> = args
        .kinds
        .iter()
        .map(|k| k.trim())
        .filter(|k| !k.is_empty())
        .collect();
    if !kinds.is_empty() {
        merged.kinds = kinds
            .into_iter()
            .map(|k| EntityKind::from_label(k).unwrap_or_else(|| EntityKind::Other(k.into())))
            .collect();
    }
    let (focus, filter, depth, reach) = merged.resolve(graph)?;
    let focus = match &args.focus {
        Some(q) => Some(resolve_focus(graph, q)?),
        None => focus,
    };
    Ok((focus, filter, depth, reach))
}

fn export_cmd(graph: &Graph, spec: Option<&ViewSpec>, args: &ExportArgs) -> Result<(), CliError> {
    let (focus, filter, depth, reach) = view_from(graph, &args.view, spec)?;
    let sub = view::subgraph(graph, focus, depth, reach, &filter);
    let text = export::render(graph, &sub, args.format);
    match &args.output {
        Some(path) => {
            export::write_atomic(path, text.as_bytes(), args.force)?;
            eprintln!(
                "ties: wrote {} and {} to {}",
                report::count(sub.nodes.len(), "entity"),
                report::count(sub.edges.len(), "relation"),
                path.display()
            );
        }
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(())
}

fn path_cmd(graph: &Graph, spec: Option<&ViewSpec>, args: &PathArgs) -> Result<(), CliError> {
    if args.limit == 0 {
        return Err(CliError::Usage("--limit must be at least 1".into()));
    }
    let (_, filter, _, _) = view_from(graph, &args.window.as_view(), spec)?;
    let resolver = Resolver::new(graph);
    let a = resolver.resolve(&args.a)?;
    let b = resolver.resolve(&args.b)?;
    // One more than asked for tells whether some were left out.
    let mut paths = path::shortest_paths(
        graph,
        a,
        b,
        args.max_hops,
        &filter,
        args.limit.saturating_add(1),
    );
    if paths.is_empty() {
        let (an, bn) = (&graph.entity(a).name, &graph.entity(b).name);
        let hops = args.max_hops;
        let mut msg = format!(
            "no connection between {an} and {bn} within {hops} hop{}",
            if hops == 1 { "" } else { "s" }
        );
        if !filter.window.is_all() {
            msg.push_str(&format!(" in {}", filter.window));
        }
        if filter.hide_undated {
            msg.push_str(" without undated relations");
        }
        return Err(CliError::NotFound(msg));
    }
    let more = paths.len() > args.limit;
    paths.truncate(args.limit);
    let mut out = std::io::stdout().lock();
    out.write_all(report::paths_text(graph, a, b, &paths).as_bytes())?;
    if more {
        writeln!(
            out,
            "\n(more connections of this length exist; raise --limit to see them)"
        )?;
    }
    Ok(())
}

fn timeline_cmd(
    graph: &Graph,
    spec: Option<&ViewSpec>,
    args: &TimelineArgs,
) -> Result<(), CliError> {
    let (focus, filter, depth, reach) = view_from(graph, &args.view, spec)?;
    let sub = view::subgraph(graph, focus, depth, reach, &filter);
    let items = timeline::timeline(graph, &sub);
    if items.is_empty() {
        eprintln!("ties: nothing dated in this view");
        return Ok(());
    }
    std::io::stdout()
        .lock()
        .write_all(report::timeline_text(graph, &items).as_bytes())?;
    Ok(())
}

fn money_cmd(graph: &Graph, spec: Option<&ViewSpec>, args: &ShowArgs) -> Result<(), CliError> {
    let (_, filter, _, _) = view_from(graph, &args.window.as_view(), spec)?;
    let node = resolve_focus(graph, &args.query)?;
    let report = crate::money::money(graph, node, &filter);
    let text = if args.json {
        crate::money::report_json(graph, node, &report)
    } else {
        crate::money::report_text(graph, node, &filter, &report)
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

fn show_cmd(graph: &Graph, spec: Option<&ViewSpec>, args: &ShowArgs) -> Result<(), CliError> {
    let (_, filter, _, _) = view_from(graph, &args.window.as_view(), spec)?;
    let node = resolve_focus(graph, &args.query)?;
    let text = if args.json {
        let sub = view::subgraph(graph, Some(node), 1, Reach::Both, &filter);
        export::to_json_focused(graph, &sub, Some(node))
    } else {
        report::entity_text(graph, node, &filter)
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}
