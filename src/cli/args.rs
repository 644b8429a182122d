//! The command line's shape: clap definitions only. Flags whose values are
//! library types (formats, directions) go through small clap enums here, mapped
//! to the library's own.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::model::{DateWindow, PartialDate};

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
    after_help = "Dates and money:\n  \
        A date window (--from, --to; d in the explorer) keeps undated relations: a date\n  \
        cannot place them outside it. Every output with a window says how many it\n  \
        includes; --no-undated (u in the explorer) leaves them out. Money in a window\n  \
        totals dated amounts only and lists undated ones apart. A total that includes an\n  \
        approximate amount is marked ~; a money relation without a figure is listed as\n  \
        \"amount not stated\".\n\n\
        Naming an entity (show, money, path, common, --focus, export --focus…):\n  \
        an exact id is taken; else the best search hits that tie (the same tier and score)\n  \
        are the candidates, leaving out names with more than twice as many words as the\n  \
        best one (an event named after the person asked for). One left is taken; a typo\n  \
        is taken only when it stands clearly first, and stderr says so (\"taken: Rustem\n  \
        Umerov, typo of umarov\"). Several are ambiguous: all are listed, exit code 2.\n\n\
        Exit codes:\n  \
        0  done\n  \
        1  nothing found (a search with no match, no connection), or a file could not be\n     \
        written or the database not reached\n  \
        2  bad input: arguments, data files, an unknown or ambiguous entity\n\n\
        Environment:\n  \
        NO_COLOR=1            draw the explorer without colours\n  \
        TIES_CACHE_DIR=DIR    keep snapshots of large graphs in DIR [default: ~/.cache/ties/snapshots]\n  \
        TIES_SNAPSHOT_MIN=N   snapshot graphs of N bytes or more [default: 1048576]\n  \
        TIES_LOAD_STATS=1     print where a load spent its time, and memory per entity\n                        (ties search: also the search index, and all in)\n  \
        TIES_DB_PASSWORD=PW   the graph database's password for --db (never printed)"
)]
pub struct Cli {
    /// Graph to load: a .ron file, a folder whose .ron files are merged, a
    /// FollowTheMoney entity stream (.ftm.json, .ftm.jsonl, .jsonl, .ijson, .json,
    /// also gzip-compressed), a GEXF or GraphML file, or CSV node and edge tables
    /// (a .csv file or a folder of them) [default: the built-in graph]. Give it
    /// again to open several as one graph: each is a dataset (named by the FtM
    /// `datasets` its records carry, else by the file name, or NAME=PATH); an
    /// FtM or RON id in two is one entity, GraphML, GEXF and CSV ids get the
    /// dataset's name as prefix
    #[arg(long, global = true, value_name = "[NAME=]PATH")]
    pub data: Vec<crate::open::Input>,

    /// Show only what these datasets hold (names as `ties check` lists them),
    /// in every command and the explorer
    #[arg(long, global = true, value_name = "NAME,…", value_delimiter = ',')]
    pub datasets: Vec<String>,

    /// How to read --data [default: told by its first bytes, then its name,
    /// trying ron, ftm, gexf, graphml, csv in turn]
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormatArg>,

    /// Read CSV columns of other names as ties fields: FIELD=COLUMN pairs, e.g.
    /// id=person_id,name=full_name,source=from_id,target=to_id (fields: id,
    /// source, target, name, label, kind, aliases, date, until, note, amount,
    /// currency, approx, sources, role, relation_id, undirected)
    #[arg(long, global = true, value_name = "FIELD=COLUMN,…")]
    pub csv_columns: Option<crate::read::csv::Columns>,

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

    /// Use the graph held in a FalkorDB graph database instead of --data:
    /// falkor://[user@]host:port/GRAPH, falkors://… for TLS, or
    /// falkor+unix:///path/to/socket?graph=GRAPH; the password comes from
    /// TIES_DB_PASSWORD (or the URL) and is never printed
    #[arg(long, global = true, value_name = "URL")]
    pub db: Option<String>,

    /// Judgements of which records are one thing, in nomenklatura's resolver
    /// format (one JSON line each, appended); every command shows records judged
    /// the same as one entity [default: DATA.resolver beside --data]
    #[arg(long, global = true, value_name = "FILE")]
    pub resolver: Option<PathBuf>,
    /// Notebook of notes and tags to read and save to; give it again to read
    /// several together (saves go to the first) [default: FILE.ties-notes.jsonl
    /// beside --data; for the built-in graph, builtin.ties-notes.jsonl in the
    /// user data folder, e.g. ~/.local/share/ties]
    #[arg(long, global = true, value_name = "FILE")]
    pub notes: Vec<PathBuf>,

    /// Keep only entities carrying this tag (again for several: all must be
    /// carried); with `ties note`, the tags to add
    #[arg(long, global = true, value_name = "TAG")]
    pub tag: Vec<String>,

    /// Who writes the notes saved [default: $USER]
    #[arg(long, global = true, value_name = "NAME")]
    pub author: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Formats `--data` can be read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormatArg {
    /// The `ties` graph file format: a .ron file or a folder of them
    Ron,
    /// A FollowTheMoney entity stream: one JSON entity per line
    Ftm,
    /// GEXF from Gephi (1.1 to 1.3)
    Gexf,
    /// GraphML from networkx, yEd, Gephi or igraph
    Graphml,
    /// CSV node and edge tables (Neo4j import, ICIJ Offshore Leaks, or
    /// id,name,kind / source,target,kind): a file or a folder of them
    Csv,
}

impl From<InputFormatArg> for crate::open::InputFormat {
    fn from(f: InputFormatArg) -> Self {
        use crate::open::InputFormat;
        match f {
            InputFormatArg::Ron => InputFormat::Ron,
            InputFormatArg::Ftm => InputFormat::Ftm,
            InputFormatArg::Gexf => InputFormat::Gexf,
            InputFormatArg::Graphml => InputFormat::Graphml,
            InputFormatArg::Csv => InputFormat::Csv,
        }
    }
}

/// Formats `ties export` writes (see [`crate::export::Format`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// The JSON shape of the foundation issue: nodes, edges, sources.
    Json,
    /// The graph file format: loads back with `--data`.
    Ron,
    /// Graphviz: render with `dot -Tsvg`.
    Dot,
    /// A Mermaid flowchart, for Markdown pages that render Mermaid.
    Mermaid,
    /// GraphML with typed node and edge attributes, for Gephi, networkx, yEd.
    Graphml,
    /// A FollowTheMoney entity stream (one JSON entity per line) for Aleph and
    /// the `followthemoney` tools; loads back with `--data FILE.ftm.json`.
    Ftm,
    /// GEXF 1.2 for Gephi, dates as dynamics its timeline plays.
    Gexf,
    /// CSV: with -o FILE.csv, one table of relations with both ends' names;
    /// with -o DIR, DIR/nodes.csv and DIR/relationships.csv (Neo4j's import
    /// layout); to stdout, the two tables one after the other.
    Csv,
}

impl From<FormatArg> for crate::export::Format {
    fn from(f: FormatArg) -> Self {
        use crate::export::Format;
        match f {
            FormatArg::Json => Format::Json,
            FormatArg::Ron => Format::Ron,
            FormatArg::Dot => Format::Dot,
            FormatArg::Mermaid => Format::Mermaid,
            FormatArg::Graphml => Format::Graphml,
            FormatArg::Ftm => Format::Ftm,
            FormatArg::Gexf => Format::Gexf,
            FormatArg::Csv => Format::Csv,
        }
    }
}

/// Which relations a neighbourhood follows (see [`crate::view::Reach`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReachArg {
    /// Relations pointing at the focus.
    In,
    /// Relations leaving the focus.
    Out,
    Both,
}

impl From<ReachArg> for crate::view::Reach {
    fn from(r: ReachArg) -> Self {
        use crate::view::Reach;
        match r {
            ReachArg::In => Reach::In,
            ReachArg::Out => Reach::Out,
            ReachArg::Both => Reach::Both,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the graph and print counts by entity and relation kind
    Check(CheckArgs),
    /// Write the graph, or the view around an entity, to a file or stdout
    Export(ExportArgs),
    /// Print the shortest connections between two entities
    Path(PathArgs),
    /// Print dated relations and dated entities (events, agreements…) in date order
    Timeline(TimelineArgs),
    /// Print one entity with all its relations
    ///
    /// The entity is an id or a name to search for. When several entities match
    /// equally well the query is ambiguous: they are all listed and nothing is
    /// shown (exit code 2). A typo that stands clearly first is taken, and stderr
    /// says so.
    Show(ShowArgs),
    /// Money in and out of one entity: totals per counterparty, then each relation by date
    ///
    /// Money is what a relation moved or promised: `finances` and `contributes_to` count
    /// as transferred, `pledged` as promised, each in its own total per currency. An
    /// `announced` relation only makes something public and promises nothing; any
    /// other relation with an amount is listed as stated. An entity's own amount (a
    /// fund's size, an aggregate a report gives) is shown as its own figure and never
    /// added to the flows. The funding chain follows payers back through money
    /// relations, and through a sum that concerns the entity with no share
    /// stated (a tranche naming a project); money for a whole is not money for
    /// its parts.
    Money(ShowArgs),
    /// Find entities by name or alias, best match first
    ///
    /// Matching ignores case and diacritics (`kasciunas` finds Kasčiūnas) and
    /// follows fzf's syntax: space-separated terms must all match, in any order;
    /// `'term` exact, `^term` prefix, `term$` suffix, `!term` excludes. Each word
    /// may match any of an entity's names, aliases or offices (`kasciunas
    /// minister`: a name and an office); small words (of, the, for, and, de,
    /// von…) are never required, except as the last word (it may be the start
    /// of a longer one). Exit code 1 when nothing matches.
    Search(SearchArgs),
    /// Write the graph (--data, or the built-in one) into the graph database --db names
    ///
    /// Pushing twice gives the same database; --replace empties the database's
    /// graph first. The password comes from the TIES_DB_PASSWORD environment
    /// variable (or the URL) and is never printed.
    Push(PushArgs),
    /// Write a synthetic graph of any size, for trying things out at scale
    Gen(GenArgs),
    /// Rank the entities of the view by degree, PageRank, betweenness or closeness
    ///
    /// Scores are computed on the entities and relations the date flags leave,
    /// each relation a tie either way, with networkx's default settings; --kinds
    /// chooses which of them are listed, not what is measured (a person's degree
    /// counts its ties to agreements and ministries too). On large views betweenness is estimated from sampled sources; the
    /// output states the error, and --exact insists on the exact scores.
    Rank(RankArgs),
    /// Entities tied to all of two or more entities, most specific first
    Common(CommonArgs),
    /// Relations that appeared and ended between two date windows
    Diff(DiffArgs),
    /// Connected clusters of the view, their most central members, and bridges
    Clusters(ClustersArgs),
    /// Records that may be one person or company: candidate pairs, best first
    ///
    /// Candidates come from a blocking index (name words, their phonetic keys,
    /// identifiers), never from all pairs; each is scored in [0, 1] from names,
    /// birth dates, identifiers, addresses and countries, and explained. Pairs
    /// judged already (see `ties judge`) are left out.
    Xref(XrefArgs),
    /// Record a judgement of two records: the same, different, or unsure
    ///
    /// Appended to the resolver file (--resolver) and synced at once; a later
    /// judgement of the same pair supersedes an earlier one.
    Judge(JudgeArgs),
    /// Take a record out of the entity it was merged into (undoes its `same` judgements)
    Split(SplitArgs),
    /// Screen rows of a CSV file (or - for stdin) against the loaded data
    ///
    /// Columns: name (required); schema, birth_date, country, identifier
    /// (optional). Each row gets its best matches, scored and explained.
    Screen(ScreenArgs),
    /// Print a shell completion script (e.g. `ties completions bash >
    /// ~/.local/share/bash-completion/completions/ties`)
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `ties man > ~/.local/share/man/man1/ties.1`
    Man,
    /// Write a note on an entity, or tag it (--tag), in the notebook
    ///
    /// The notebook (--notes, or FILE.ties-notes.jsonl beside the data) is
    /// JSON Lines, one record per line, only ever appended to: an edit or a
    /// delete is a new line, so the history stays.
    Note(NoteArgs),
    /// List every note and tag of the notebooks (--tag: only entities carrying it)
    Notes(NotesArgs),
    /// One page on one entity for handing on: Markdown (-o FILE.md) or one
    /// self-contained HTML file (-o FILE.html) that prints cleanly
    ///
    /// Holds the card (names, aliases, properties, datasets), relations by
    /// kind with dates, money with totals by stage and currency, the timeline,
    /// every source with its link, the notes and tags, and a picture of the
    /// neighbourhood (Mermaid in Markdown, an inline SVG in HTML).
    Dossier(DossierArgs),
}

/// The verdict of `ties judge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VerdictArg {
    /// One thing: merged from now on
    Same,
    /// Two things: never proposed again
    Different,
    /// Cannot tell: not proposed again, not merged
    Unsure,
}

#[derive(Debug, Args)]
pub struct XrefArgs {
    /// Only pairs of records from two different datasets
    #[arg(long)]
    pub across: bool,
    /// Keep pairs scoring at least this [default: 0.5, even odds]
    #[arg(long, value_name = "SCORE", default_value_t = crate::matching::DEFAULT_MIN_SCORE)]
    pub min_score: f64,
    /// Show at most N pairs [default: all]
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Print JSON (one array of pairs with their features)
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV: score, both ids and names, the explanation
    #[arg(long)]
    pub csv: bool,
    /// Open the explorer on the review queue: judge the candidates pair by
    /// pair (each judgement appended to the resolver file at once)
    #[arg(long, conflicts_with_all = ["json", "csv", "limit"])]
    pub review: bool,
}

#[derive(Debug, Args)]
pub struct JudgeArgs {
    /// One record's id
    #[arg(value_name = "A")]
    pub a: String,
    /// The other record's id
    #[arg(value_name = "B")]
    pub b: String,
    #[arg(value_enum)]
    pub verdict: VerdictArg,
}

#[derive(Debug, Args)]
pub struct SplitArgs {
    /// The record's id
    #[arg(value_name = "ID")]
    pub id: String,
}

#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// The CSV file of rows to screen, or - for stdin
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Matches per row, at most
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub limit: usize,
    /// Keep matches scoring at least this
    #[arg(long, value_name = "SCORE", default_value_t = 0.3)]
    pub min_score: f64,
    /// Print JSON instead of CSV
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct NoteArgs {
    /// The entity: an id, or a name to search for
    #[arg(value_name = "QUERY")]
    pub query: String,
    /// The note's text (none: only the --tag and --untag changes are saved)
    #[arg(value_name = "TEXT")]
    pub text: Option<String>,
    /// Remove this tag from the entity (again for several)
    #[arg(long, value_name = "TAG")]
    pub untag: Vec<String>,
    /// Delete the note with this id (`ties notes --json` lists the ids)
    #[arg(long, value_name = "ID", conflicts_with_all = ["text", "edit"])]
    pub delete: Option<String>,
    /// Replace the text of the note with this id by TEXT (the old text stays
    /// in the notebook's history)
    #[arg(long, value_name = "ID", requires = "text")]
    pub edit: Option<String>,
}

#[derive(Debug, Args)]
pub struct NotesArgs {
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DossierArgs {
    /// The entity: an id, or a name to search for
    #[arg(value_name = "QUERY")]
    pub query: String,
    /// The file to write: .md for Markdown, .html for HTML
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Also require a source on every relation (sources are optional when
    /// loading, as imported graphs seldom have them), and refuse data that
    /// could only be read by working around problems (an FtM value not valid
    /// for its property, a reference to an entity the data does not hold…),
    /// each named with its line; exit code 2
    #[arg(long)]
    pub strict: bool,
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
pub struct PushArgs {
    /// Remove what the database held under this graph's name first
    #[arg(long)]
    pub replace: bool,
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
    /// Put P before every id (entities, relation ends, sources), so that two
    /// generated files opened together share no entity
    #[arg(long, default_value = "", value_name = "P")]
    pub id_prefix: String,
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
    /// How many hops from the focus to include (needs --focus, or a --view file
    /// with a focus) [default: 1]
    #[arg(long, value_name = "N")]
    pub depth: Option<usize>,
    /// Follow relations into the focus, out of it, or both [default: both]
    #[arg(long, value_enum)]
    pub direction: Option<ReachArg>,
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
    /// Leave out relations that have no date. By default a date window keeps
    /// undated relations (a date cannot place them outside it): the output says
    /// how many it includes, and money leaves their amounts out of the window's
    /// totals, listing them apart
    #[arg(long)]
    pub no_undated: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub view: ViewArgs,
    /// Output format [default: the one the extension of -o names: .json, .ron,
    /// .dot, .mmd, .graphml, .ftm.json, .gexf, .csv]
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Write to this file instead of stdout. CSV: a FILE.csv is one table of
    /// relations with both ends' ids and names, for a spreadsheet; any other
    /// name is a folder of nodes.csv and relationships.csv (Neo4j's import
    /// layout, which --data reads back)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE (or the CSV folder's two files) if it exists
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
    /// Leave out relations that have no date. By default a date window keeps
    /// undated relations (a date cannot place them outside it): the output says
    /// how many it includes, and money leaves their amounts out of the window's
    /// totals, listing them apart
    #[arg(long)]
    pub no_undated: bool,
}

impl WindowArgs {
    /// These flags as view flags, with no focus, depth, direction or kinds.
    pub fn as_view(&self) -> ViewArgs {
        ViewArgs {
            from: self.from,
            to: self.to,
            no_undated: self.no_undated,
            ..ViewArgs::default()
        }
    }
}

#[derive(Debug, Clone, Args)]
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
    /// Print at most N connections. Among connections of the same length, those
    /// through hubs (entities with many relations) and source links (an outlet
    /// that reported on something) come last
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub limit: usize,
    /// Never pass through this entity (an id or a name to search for); give it
    /// again to avoid several
    #[arg(long, value_name = "QUERY")]
    pub avoid: Vec<String>,
    /// Also print distinct connections up to N hops longer than the shortest
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub longer: usize,
    #[command(flatten)]
    pub window: WindowArgs,
}

#[derive(Debug, Clone, Args)]
pub struct TimelineArgs {
    #[command(flatten)]
    pub view: ViewArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ShowArgs {
    /// The entity: an id, or a name to search for [default: the focus of the
    /// --view file]
    #[arg(value_name = "QUERY")]
    pub query: Option<String>,
    /// Print JSON (the export shape, with a "focus" field) instead of text
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub window: WindowArgs,
}

/// Centralities `ties rank --by` takes (see [`crate::analysis::rank::Measure`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum MeasureArg {
    /// Number of visible relations
    #[default]
    Degree,
    /// PageRank (damping 0.85)
    Pagerank,
    /// Share of shortest connections that pass through the entity
    Betweenness,
    /// Inverse of the average distance to the entities it reaches
    Closeness,
}

impl From<MeasureArg> for crate::analysis::rank::Measure {
    fn from(m: MeasureArg) -> Self {
        use crate::analysis::rank::Measure;
        match m {
            MeasureArg::Degree => Measure::Degree,
            MeasureArg::Pagerank => Measure::Pagerank,
            MeasureArg::Betweenness => Measure::Betweenness,
            MeasureArg::Closeness => Measure::Closeness,
        }
    }
}

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

impl FilterArgs {
    /// These flags as view flags, with no focus, depth or direction.
    pub fn as_view(&self) -> ViewArgs {
        ViewArgs {
            from: self.from,
            to: self.to,
            kinds: self.kinds.clone(),
            no_undated: self.no_undated,
            ..ViewArgs::default()
        }
    }
}

/// Where to write the subgraph an analysis is about.
#[derive(Debug, Clone, Args, Default)]
pub struct ExportToArgs {
    /// Also write the subgraph of the answer to FILE (format from its extension,
    /// or --export-format)
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,
    /// Format of --export
    #[arg(long, value_enum, value_name = "FORMAT", requires = "export")]
    pub export_format: Option<FormatArg>,
    /// Replace the --export file if it exists
    #[arg(long, requires = "export")]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RankArgs {
    /// What to rank by
    #[arg(long, value_enum, default_value_t = MeasureArg::Degree)]
    pub by: MeasureArg,
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
