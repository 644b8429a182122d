//! `ties note` and `ties notes`, and where the notebooks are: `--notes`, else
//! beside the data, else the user data folder for the built-in graph.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::CliError;
use super::args::{Cli, NoteArgs, NotesArgs};
use crate::graph::{Graph, NodeIx};
use crate::notes::{Notes, Target, report};
use crate::search::Resolver;

/// The notebook beside `data`: `FILE.ties-notes.jsonl` (a folder's beside it).
pub fn beside(data: &Path) -> PathBuf {
    let trimmed = data.components().as_path();
    let name = trimmed
        .file_name()
        .map_or_else(|| "data".into(), |n| n.to_string_lossy().into_owned());
    trimmed.with_file_name(format!("{name}.ties-notes.jsonl"))
}

/// The notebooks to read: `--notes`, else the default for the data.
pub fn notebook_paths(data: Option<&Path>, given: &[PathBuf]) -> Vec<PathBuf> {
    if !given.is_empty() {
        return given.to_vec();
    }
    match data {
        Some(d) => vec![beside(d)],
        None => directories::ProjectDirs::from("", "", "ties")
            .map(|d| vec![d.data_dir().join("builtin.ties-notes.jsonl")])
            .unwrap_or_default(),
    }
}

/// Reads the notebooks, saying on stderr which lines were skipped.
pub fn open_notes(data: Option<&Path>, given: &[PathBuf]) -> Result<Notes, CliError> {
    let notes = read_notes(data, given)?;
    for p in notes.problems() {
        eprintln!("ties: {p}");
    }
    Ok(notes)
}

/// Reads the notebooks; the lines skipped are in [`Notes::problems`] (the
/// explorer shows them in its status bar).
pub fn read_notes(data: Option<&Path>, given: &[PathBuf]) -> Result<Notes, CliError> {
    let paths = notebook_paths(data, given);
    Notes::open(&paths).map_err(|e| CliError::Usage(e.to_string()))
}

/// Who writes: `--author`, else `$USER`, else `someone`.
pub fn author(given: Option<&str>) -> String {
    given
        .map(str::to_string)
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| "someone".into())
}

/// Makes the notebook's folder (the user data folder may not exist yet).
fn ensure_folder(notes: &Notes) -> Result<(), CliError> {
    if let Some(dir) = notes.writes_to().and_then(Path::parent)
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    Ok(())
}

pub(super) fn note_cmd(
    graph: &Graph,
    notes: &mut Notes,
    cli: &Cli,
    args: &NoteArgs,
) -> Result<(), CliError> {
    let node = Resolver::new(graph).resolve(&args.query)?;
    let target = Target::of_entity(graph, node);
    let who = author(cli.author.as_deref());
    let err = |e: crate::notes::NotesError| CliError::Usage(e.to_string());
    ensure_folder(notes)?;
    let name = graph.entity(node).name;
    let file = notes
        .writes_to()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let mut out = std::io::stdout().lock();
    if let Some(id) = &args.delete {
        notes.delete(id, &who).map_err(err)?;
        writeln!(out, "deleted note {id} on {name} ({file})")?;
    }
    let text = args.text.as_deref().unwrap_or("");
    if let Some(id) = &args.edit {
        notes.edit(id, text, &who).map_err(err)?;
        writeln!(out, "note {id} on {name} edited ({file})")?;
    }
    let text = if args.edit.is_some() { "" } else { text };
    if !text.trim().is_empty() || !cli.tag.is_empty() {
        let id = notes
            .add(target.clone(), text, &cli.tag, &who)
            .map_err(err)?;
        if text.trim().is_empty() {
            writeln!(out, "tagged {name} ({file})")?;
        } else {
            writeln!(out, "note {id} on {name} saved to {file}")?;
        }
    }
    if !args.untag.is_empty() {
        notes
            .untag(target.clone(), &args.untag, &who)
            .map_err(err)?;
        writeln!(out, "untagged {name} ({file})")?;
    }
    if args.delete.is_none()
        && args.edit.is_none()
        && text.trim().is_empty()
        && cli.tag.is_empty()
        && args.untag.is_empty()
    {
        return Err(CliError::Usage(
            "give the note's TEXT, or --tag/--untag, --edit ID TEXT or --delete ID".into(),
        ));
    }
    Ok(())
}

pub(super) fn notes_cmd(
    graph: &Graph,
    notes: &Notes,
    only: Option<&[NodeIx]>,
    args: &NotesArgs,
) -> Result<(), CliError> {
    let keep = |t: &Target| match only {
        None => true,
        Some(only) => {
            let in_only = |n: Option<NodeIx>| n.is_some_and(|n| only.binary_search(&n).is_ok());
            match t {
                Target::Entity(_) => in_only(t.entity_in(graph)),
                Target::Relation(k) => in_only(graph.find(&k.from)) || in_only(graph.find(&k.to)),
            }
        }
    };
    let text = if args.json {
        let mut s = serde_json::to_string_pretty(&report::list_json(notes, graph, &keep))
            .map_err(std::io::Error::other)?;
        s.push('\n');
        s
    } else {
        report::list_text(notes, graph, &keep)
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

/// The entities `--tag` keeps (all the tags), or `None` without `--tag`.
pub fn tagged(graph: &Graph, notes: &Notes, tags: &[String]) -> Option<Arc<[NodeIx]>> {
    (!tags.is_empty()).then(|| notes.tagged(graph, tags).into())
}
