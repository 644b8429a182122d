//! `--db URL`: the commands on a graph held in a graph database, and `ties push`.
//!
//! Each command fetches only what it shows, then runs the same code as on a
//! graph in memory: the focus is resolved by an exact id or by the server's
//! full-text search (the local resolver then picks among the server's
//! candidates), its neighbourhood is fetched to the depth the command needs,
//! unfiltered (a superset of what any filter keeps), and the command runs on
//! that small graph with every filter as usual.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::args::{Cli, Command, PushArgs};
use super::loading::{Bar, print_notes};
use super::{CliError, analysis, check, export, path, search, show, timeline};
use crate::db::{self, Backend, DbFilter, DbUrl, Page};
use crate::graph::Graph;
use crate::open::{self, IndexWhen, Opened, Source};
use crate::search::Resolver;
use crate::view_file::ViewSpec;

/// The environment variable holding the database password.
pub const PASSWORD_VAR: &str = "TIES_DB_PASSWORD";

/// How long the server may look for shortest paths.
const PATH_TIMEOUT: Duration = Duration::from_secs(30);

/// Above this many entities, `check` gives the server's counts instead of
/// reading the whole graph back.
const CHECK_LOAD_MAX: usize = 200_000;

/// How many candidates the server's index offers the local ranking.
fn candidates(limit: usize) -> usize {
    limit.saturating_mul(5).max(100)
}

/// `--db` parsed, with the password from [`PASSWORD_VAR`] when set.
pub(super) fn url(text: &str) -> Result<DbUrl, CliError> {
    let url = DbUrl::parse(text).map_err(db::DbError::from)?;
    Ok(match std::env::var(PASSWORD_VAR) {
        Ok(pw) if !pw.is_empty() => url.with_password(Some(pw)),
        _ => url,
    })
}

/// Runs `command` (or the explorer's absence of one) on the database.
pub(super) fn run(cli: &Cli, command: &Command, url: &DbUrl) -> Result<(), CliError> {
    if let Command::Push(args) = command {
        return push(cli, args, url);
    }
    if !cli.data.is_empty() {
        return Err(CliError::Usage(
            "--data and --db name two graphs; give one (or use `ties push` to copy --data into --db)"
                .into(),
        ));
    }
    let mut backend = db::connect(url)?;
    let spec = super::with_datasets(cli, cli.view.as_deref().map(ViewSpec::load).transpose())?;
    let spec = spec.as_ref();
    match command {
        Command::Check(args) => {
            let counts = backend.counts()?;
            if counts.entities > CHECK_LOAD_MAX {
                // Too big to read back: the server's counts only.
                println!(
                    "in the database: {}, {}, {}",
                    crate::report::count(counts.entities, "entity"),
                    crate::report::count(counts.relations, "relation"),
                    crate::report::count(counts.sources, "source")
                );
                eprintln!(
                    "ties: the counts by kind (and --strict) read the whole graph, done below {} entities",
                    CHECK_LOAD_MAX
                );
                return Ok(());
            }
            let graph = backend.load_all()?;
            check::check(&graph, &url.to_string(), args)
        }
        Command::Search(args) => {
            let query = args.query.join(" ");
            let hits = backend.search(&query, candidates(args.limit))?;
            let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
            let graph = entities(&mut *backend, &ids)?;
            search::search_cmd(&graph, None, &crate::notes::Notes::none(), &[], args)
        }
        Command::Show(args) | Command::Money(args) => {
            let query = args
                .query
                .clone()
                .or_else(|| spec.and_then(|v| v.focus.clone()))
                .ok_or_else(|| {
                    CliError::Usage(
                        "give a QUERY (an id or a name), or a --view file with a focus".into(),
                    )
                })?;
            let id = resolve(&mut *backend, &query)?;
            // Money follows the funding chain back to the first payer: a few
            // hops more than the entity's own relations.
            let depth = if matches!(command, Command::Money(_)) {
                MONEY_DEPTH
            } else {
                1
            };
            let graph = around(&mut *backend, &[&id], depth)?;
            let mut args = args.clone();
            args.query = Some(id);
            if matches!(command, Command::Show(_)) {
                show::show_cmd(&graph, &crate::notes::Notes::none(), spec, &args)
            } else {
                show::money_cmd(&graph, spec, &args)
            }
        }
        Command::Timeline(args) => {
            let (graph, view) = focused(&mut *backend, &args.view, spec)?;
            let mut args = args.clone();
            args.view = view;
            timeline::timeline_cmd(&graph, spec, &args)
        }
        Command::Export(args) => {
            let (graph, view) = focused(&mut *backend, &args.view, spec)?;
            let args = super::args::ExportArgs {
                view,
                format: args.format,
                output: args.output.clone(),
                force: args.force,
            };
            export::export_cmd(&graph, &crate::notes::Notes::none(), spec, &args)
        }
        Command::Path(args) => {
            let a = resolve(&mut *backend, &args.a)?;
            let b = resolve(&mut *backend, &args.b)?;
            let w = &args.window;
            let filtered = w.from.is_some()
                || w.to.is_some()
                || w.no_undated
                || spec.is_some_and(|s| s.from.is_some() || s.to.is_some() || s.hide_undated);
            let graph = if filtered {
                // The shortest connections in a date window may be longer than
                // the shortest overall: fetch every entity half a path away
                // from either end instead.
                around(&mut *backend, &[&a, &b], args.max_hops / 2 + 1)?
            } else {
                backend
                    .shortest_paths(&a, &b, args.max_hops, PATH_TIMEOUT)?
                    .graph
            };
            let mut args = args.clone();
            args.a = a;
            args.b = b;
            path::path_cmd(&graph, spec, &args)
        }
        Command::Rank(args) => analysis::rank_cmd(&backend.load_all()?, spec, args),
        Command::Common(args) => analysis::common_cmd(&backend.load_all()?, spec, args),
        Command::Diff(args) => analysis::diff_cmd(&backend.load_all()?, spec, args),
        Command::Clusters(args) => analysis::clusters_cmd(&backend.load_all()?, spec, args),
        Command::Xref(_) | Command::Judge(_) | Command::Split(_) | Command::Screen(_) => Err(
            CliError::Usage("xref, judge, split and screen work on --data, not on --db".into()),
        ),
        Command::Gen(_) | Command::Push(_) | Command::Completions(_) | Command::Man => {
            unreachable_command()
        }
        Command::Note(_) | Command::Notes(_) | Command::Dossier(_) => Err(CliError::Usage(
            "notes, tags and dossiers work on --data (or the built-in graph), not on --db yet"
                .into(),
        )),
    }
}

fn unreachable_command() -> Result<(), CliError> {
    Err(CliError::Usage("this command does not read a graph".into()))
}

/// `ties push`: opens --data (or the built-in graph) and writes it to the database.
fn push(cli: &Cli, args: &PushArgs, url: &DbUrl) -> Result<(), CliError> {
    let opts = super::loading::open_options(cli, IndexWhen::OnDemand);
    let source = Source::from_inputs(&cli.data);
    let mut bar = Bar::new(source.describe());
    let opened = open::open(source.clone(), &opts, &mut bar);
    bar.finish();
    let mut data = opened?;
    print_notes(&std::mem::take(&mut data.notes));
    let graph: &Graph = &data.graph;
    let progress = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("pushing {wide_bar} {pos}/{len} records ({eta} left)")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    progress.set_style(style);
    let stats = db::push(graph, url, args.replace, &mut |done, total| {
        progress.set_length(total as u64);
        progress.set_position(done as u64);
    });
    progress.finish_and_clear();
    let stats = stats?;
    eprintln!(
        "ties: pushed {}, {} and {} from {} to {url}",
        crate::report::count(stats.entities, "entity"),
        crate::report::count(stats.relations, "relation"),
        crate::report::count(stats.sources, "source"),
        source.describe()
    );
    Ok(())
}

/// The entities `ids` alone (with their sources), as a graph.
fn entities(backend: &mut dyn Backend, ids: &[&str]) -> Result<Graph, CliError> {
    Ok(backend
        .neighbourhood(ids, 0, &DbFilter::default(), Page::ALL)?
        .graph)
}

/// The explorer's first view on the database: `focus` resolved, its two rings
/// fetched (at most [`db::session::PAGE`] relations a ring), as an
/// opened graph, with what the explorer needs to fetch the rest as it moves.
pub(super) fn explore_open(
    url: &DbUrl,
    focus: Option<&str>,
) -> Result<(Opened, db::session::Start), CliError> {
    let Some(query) = focus else {
        return Err(CliError::Usage(
            "with --db, the explorer needs --focus QUERY: where to start in the database".into(),
        ));
    };
    let mut backend = db::connect(url)?;
    let id = resolve(&mut *backend, query)?;
    let page = db::session::PAGE;
    let n = backend.neighbourhood(
        &[&id],
        2,
        &DbFilter::default(),
        Page {
            offset: 0,
            limit: page,
        },
    )?;
    let start = db::session::Start {
        url: url.clone(),
        keys: n.keys,
        focus: id,
        depth: 2,
        page,
        first_ring: n.first_ring,
        truncated: n.truncated,
    };
    let opened = Opened::fetched(
        std::sync::Arc::new(n.graph),
        open::Origin::Database(url.to_string()),
        Vec::new(),
    );
    Ok((opened, start))
}

/// How far `money --db` fetches around its entity, for the funding chain.
const MONEY_DEPTH: usize = 5;

/// Everything within `depth` of `ids`, unfiltered.
fn around(backend: &mut dyn Backend, ids: &[&str], depth: usize) -> Result<Graph, CliError> {
    Ok(backend
        .neighbourhood(ids, depth, &DbFilter::default(), Page::ALL)?
        .graph)
}

/// The id `query` names: itself if an entity has it, else the local
/// resolver's pick among the server's search candidates.
pub(super) fn resolve(backend: &mut dyn Backend, query: &str) -> Result<String, CliError> {
    if backend.entity(query)?.is_some() {
        return Ok(query.to_string());
    }
    let hits = backend.search(query, candidates(20))?;
    let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    let graph = entities(backend, &ids)?;
    let node = super::resolve(&Resolver::new(&graph), query)?;
    Ok(graph.entity(node).id.to_string())
}

/// For a view with a focus: the focus's neighbourhood to the view's depth and
/// the view flags with the focus as an id. Without one: the whole graph.
fn focused(
    backend: &mut dyn Backend,
    view: &super::args::ViewArgs,
    spec: Option<&ViewSpec>,
) -> Result<(Graph, super::args::ViewArgs), CliError> {
    let mut view = view.clone();
    let focus = view
        .focus
        .clone()
        .or_else(|| spec.and_then(|s| s.focus.clone()));
    let Some(query) = focus else {
        return Ok((backend.load_all()?, view));
    };
    let id = resolve(backend, &query)?;
    let depth = view.depth.or(spec.map(|s| s.depth)).unwrap_or(1);
    let graph = around(backend, &[&id], depth)?;
    view.focus = Some(id);
    Ok((graph, view))
}
