//! Loading is validation: RON files (one, or a folder of them merged) become a
//! [`Graph`], or a [`LoadError`] that lists every problem found, each naming its
//! file, line and column, and the id it concerns.

use std::path::{Path, PathBuf};

use ron::extensions::Extensions;

mod build;
pub mod fast;
mod locate;
mod problem;
mod scan;
mod stream;

pub(crate) use problem::short;
pub use problem::{LoadError, Location, Problem, ProblemKind};
pub use stream::{InputEnd, Progress, Tap};

use build::{add_entity, add_relation, add_source, build};
use locate::{FirstSeen, Locator};

use crate::graph::Graph;
use crate::model::GraphFile;

/// What the RON record scanner makes of `bytes` read in blocks of the
/// sizes `blocks` (in turn): a line for each record found and for each
/// call's answer. `careful` scans without the block fast path. For tests,
/// which hold the fast path to the careful scan; also how many records the
/// fast path found.
#[doc(hidden)]
pub fn scan_trace(bytes: &[u8], blocks: &[usize], careful: bool) -> (Vec<String>, usize) {
    scan::trace(bytes, blocks, careful)
}

/// The graph compiled into the binary, built from the seed reports.
pub const BUILTIN_GRAPH: &str = include_str!("../../assets/graph.ron");
/// How the built-in graph is named in messages.
pub const BUILTIN_NAME: &str = "<built-in>/graph.ron";

/// Longest name, alias, id or note accepted, in characters.
pub const MAX_TEXT: usize = 10_000;

/// The RON options every graph file is read with: `Some(..)` may be left out.
pub fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME)
}

/// One file's text and its parsed records.
struct Parsed {
    name: String,
    text: String,
    file: GraphFile,
}

/// Loads the built-in graph.
pub fn load_builtin() -> Result<Graph, LoadError> {
    load_texts(vec![(BUILTIN_NAME.to_string(), BUILTIN_GRAPH.to_string())])
}

/// Loads the graph at `path`: a `.ron` file, or a folder whose `.ron` files are merged
/// in name order.
pub fn load_path(path: &Path) -> Result<Graph, LoadError> {
    load_path_with(path, &mut |_| {})
}

/// [`load_path`], telling `progress` how far it has come.
///
/// Files are first read record by record on every core ([`stream`]); if that
/// meets any problem, they are read again whole, and every problem is reported
/// with its position.
pub fn load_path_with(path: &Path, progress: &mut dyn FnMut(Progress)) -> Result<Graph, LoadError> {
    load_path_timed(path, progress).map(|(graph, _)| graph)
}

/// [`load_path_with`], also saying where the time went (busy time of each
/// stage of the fast path, one line) when the fast path succeeded.
pub fn load_path_timed(
    path: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Graph, Option<String>), LoadError> {
    load_path_tapped(path, progress, None)
}

/// [`load_path_timed`], showing `tap` every byte of the files as they are
/// read (each file after the one before), so that the caller can hash the
/// data without reading it again. `tap` has seen all of it only when the
/// fast path succeeded (the stages are `Some`).
pub fn load_path_tapped(
    path: &Path,
    progress: &mut dyn FnMut(Progress),
    tap: Option<&mut Tap<'_>>,
) -> Result<(Graph, Option<String>), LoadError> {
    let files = graph_files(path)?;
    if let Some((graph, stages)) = stream::load_files(&files, progress, tap) {
        return Ok((graph, Some(stages)));
    }
    progress(Progress {
        done: 0,
        total: 0,
        careful: true,
    });
    load_files_whole(&files).map(|graph| (graph, None))
}

/// Several RON inputs (each a file or a folder) read by the fast path as one
/// graph, with where each input's rows end and where the time went; `None`
/// when any input has a problem or defines an entity an earlier one did, or
/// one cites an entity of another: then each is read on its own (and named
/// with its problems, or merged into the others).
pub fn load_inputs_fast(
    paths: &[&Path],
    progress: &mut dyn FnMut(Progress),
) -> Option<(Graph, Vec<InputEnd>, String)> {
    let inputs: Vec<Vec<PathBuf>> = paths
        .iter()
        .map(|p| graph_files(p).ok())
        .collect::<Option<_>>()?;
    stream::load_inputs(&inputs, progress)
}

/// The files a graph path names: itself, or a folder's `.ron` files in name order.
pub fn graph_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| {
        let kind = if e.kind() == std::io::ErrorKind::NotFound {
            ProblemKind::NotFound
        } else {
            ProblemKind::Io(e.to_string())
        };
        LoadError::single(&name, kind)
    })?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let entries = std::fs::read_dir(path)
        .map_err(|e| LoadError::single(&name, ProblemKind::Io(e.to_string())))?;
    for entry in entries {
        let entry = entry.map_err(|e| LoadError::single(&name, ProblemKind::Io(e.to_string())))?;
        let p = entry.path();
        if p.extension().is_some_and(|x| x == "ron") && p.is_file() {
            files.push(p);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(LoadError::single(name, ProblemKind::EmptyFolder));
    }
    Ok(files)
}

/// Reads each file whole, then parses and validates them as one graph.
fn load_files_whole(files: &[PathBuf]) -> Result<Graph, LoadError> {
    let mut texts = Vec::with_capacity(files.len());
    let mut problems = Vec::new();
    for f in files {
        let fname = f.display().to_string();
        match std::fs::read(f) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => texts.push((fname, text)),
                Err(e) => {
                    // Pointed at the first byte that is not UTF-8.
                    let at = e.utf8_error().valid_up_to();
                    let before = std::str::from_utf8(&e.as_bytes()[..at]).unwrap_or_default();
                    problems.push(Problem {
                        location: Locator::new(&fname, before).at(at),
                        kind: ProblemKind::Io(format!("not UTF-8 text ({})", e.utf8_error())),
                    })
                }
            },
            Err(e) => problems.push(Problem {
                location: Location {
                    file: fname,
                    line_col: None,
                },
                kind: ProblemKind::Io(e.to_string()),
            }),
        }
    }
    match load_texts(texts) {
        Ok(g) if problems.is_empty() => Ok(g),
        Ok(_) => Err(LoadError { problems }),
        Err(mut e) => {
            problems.append(&mut e.problems);
            Err(LoadError { problems })
        }
    }
}

/// The relations that cite no source, as problems naming `file` and each
/// relation (for `ties check --strict`: at load, sources are optional).
pub fn unsourced(graph: &Graph, file: &str) -> Vec<Problem> {
    graph
        .edge_indices()
        .filter(|&e| graph.source_list(graph.relation(e).sources).is_empty())
        .map(|e| {
            let (a, b) = graph.ends(e);
            let id = graph.relation(e).id().map_or(String::new(), |id| {
                format!(" (id `{}`)", problem::short(&id))
            });
            Problem {
                location: Location {
                    file: file.to_string(),
                    line_col: None,
                },
                kind: ProblemKind::NoSource {
                    relation: format!(
                        "#{} `{}` → `{}`{id}",
                        e.index() + 1,
                        problem::short(graph.entity(a).id),
                        problem::short(graph.entity(b).id)
                    ),
                },
            }
        })
        .collect()
}

/// Parses and validates named RON texts as one merged graph.
pub fn load_texts(texts: Vec<(String, String)>) -> Result<Graph, LoadError> {
    let mut problems = Vec::new();
    let mut parsed = Vec::with_capacity(texts.len());
    for (name, text) in texts {
        match parse_text(&text) {
            Ok(file) => parsed.push(Parsed { name, text, file }),
            Err(kind_and_pos) => problems.push(Problem {
                location: Location {
                    file: name,
                    line_col: kind_and_pos.1,
                },
                kind: kind_and_pos.0,
            }),
        }
    }
    let graph = build(&parsed, &mut problems);
    if problems.is_empty() {
        Ok(graph)
    } else {
        Err(LoadError { problems })
    }
}

/// Validates records that were not read from a file (generated ones, for example)
/// as one graph. Problems name `name` as their file, without line numbers.
pub fn load_records(name: &str, file: GraphFile) -> Result<Graph, LoadError> {
    let parsed = [Parsed {
        name: name.to_string(),
        text: String::new(),
        file,
    }];
    let mut problems = Vec::new();
    let graph = build(&parsed, &mut problems);
    if problems.is_empty() {
        Ok(graph)
    } else {
        Err(LoadError { problems })
    }
}

/// Parses one file's text into records.
pub fn parse_text(text: &str) -> Result<GraphFile, (ProblemKind, Option<(usize, usize)>)> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if body.trim().is_empty() {
        return Err((ProblemKind::Empty, None));
    }
    ron_options().from_str::<GraphFile>(body).map_err(|e| {
        let pos = e.span.start;
        (
            ProblemKind::Syntax(e.code.to_string()),
            Some((pos.line, pos.col)),
        )
    })
}
