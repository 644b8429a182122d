//! The investigator's own layer: notes and tags on entities and relations,
//! kept in notebooks (JSON Lines files) beside the data.
//!
//! A notebook is append-only: every save adds one line (a [`Record`]) and syncs
//! the file; an edit or a delete is a new line naming the note it changes, so
//! the history stays and two analysts' files diff and merge line by line. Several
//! notebooks are read together ([`Notes::open`]); writes go to the first. A bad
//! line is kept as a [`Problem`] (file and line number) and the rest is read.
//! Notes whose target the data no longer holds stay in [`Notes::notes`]: callers
//! list them as "not in the data", never drop them.

mod file;
mod query;
mod record;
pub mod report;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::graph::{EdgeIx, Graph, NodeIx};

pub use file::NotesError;
pub use query::{Hits, TagQuery, merge as merge_hits, split_query};
pub use record::{Op, Record, RelationKey, Target};

/// A line of a notebook that could not be read: it is skipped, the rest is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {} (line skipped)",
            self.file.display(),
            self.line,
            self.message
        )
    }
}

/// A note as it stands after every record: its last text, who wrote it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub id: String,
    pub target: Target,
    pub text: String,
    pub author: String,
    /// When it was written (RFC 3339).
    pub time: String,
    /// When it was last edited, if it was.
    pub edited: Option<String>,
    /// The notebook it was read from (index into [`Notes::files`]).
    pub file: usize,
}

/// Every notebook read, folded into notes and tags.
#[derive(Debug, Clone, Default)]
pub struct Notes {
    files: Vec<PathBuf>,
    /// Live notes, in the order they were written.
    notes: Vec<Note>,
    tags: BTreeMap<Target, BTreeSet<String>>,
    problems: Vec<Problem>,
    /// Records read and written, for the history.
    records: usize,
}

impl Notes {
    /// No notebook: nothing to read, and saving fails with a clear error.
    pub fn none() -> Notes {
        Notes::default()
    }

    /// Reads the notebooks at `paths` (a missing file is an empty notebook, made
    /// on the first save); writes go to the first. An unreadable file is an
    /// error; a bad line is a [`Problem`].
    pub fn open(paths: &[PathBuf]) -> Result<Notes, NotesError> {
        let mut notes = Notes {
            files: paths.to_vec(),
            ..Notes::default()
        };
        // An edit or delete of a note from a later notebook (ana deleting one
        // of bob's) is read before the note: it waits until every file is read.
        let mut waiting = Vec::new();
        for (i, path) in paths.iter().enumerate() {
            for line in file::read(path)? {
                match line {
                    Ok(rec) if notes.names_unknown_note(&rec) => waiting.push((rec, i)),
                    Ok(rec) => notes.apply(rec, i),
                    Err(p) => notes.problems.push(p),
                }
            }
        }
        for (rec, i) in waiting {
            notes.apply(rec, i);
        }
        Ok(notes)
    }

    /// The notebooks read, the first being written to.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The notebook saves go to.
    pub fn writes_to(&self) -> Option<&Path> {
        self.files.first().map(PathBuf::as_path)
    }

    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Nothing noted or tagged.
    pub fn is_empty(&self) -> bool {
        self.notes.is_empty() && self.tags.is_empty()
    }

    /// Every live note, in the order written.
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }

    /// Every tagged target with its tags.
    pub fn tags(&self) -> &BTreeMap<Target, BTreeSet<String>> {
        &self.tags
    }

    /// How many records the notebooks hold (history included).
    pub fn records(&self) -> usize {
        self.records
    }

    /// An edit or a delete of a note not read yet.
    fn names_unknown_note(&self, rec: &Record) -> bool {
        matches!(rec.op, Op::Edit | Op::Delete)
            && rec
                .note
                .as_deref()
                .is_some_and(|id| self.note(id).is_none())
    }

    /// Folds one record into the state.
    fn apply(&mut self, rec: Record, file: usize) {
        self.records += 1;
        match rec.op {
            Op::Add => {
                if !rec.tags.is_empty() {
                    self.tags
                        .entry(rec.target.clone())
                        .or_default()
                        .extend(rec.tags.iter().cloned());
                }
                if !rec.text.trim().is_empty() {
                    self.notes.push(Note {
                        id: rec.note.unwrap_or_default(),
                        target: rec.target,
                        text: rec.text,
                        author: rec.author,
                        time: rec.time,
                        edited: None,
                        file,
                    });
                }
            }
            Op::Edit => {
                if let Some(n) = self
                    .notes
                    .iter_mut()
                    .find(|n| Some(&n.id) == rec.note.as_ref())
                {
                    n.text = rec.text;
                    n.edited = Some(rec.time);
                }
            }
            Op::Delete => self.notes.retain(|n| Some(&n.id) != rec.note.as_ref()),
            Op::Tag => {
                self.tags.entry(rec.target).or_default().extend(rec.tags);
            }
            Op::Untag => {
                if let Some(set) = self.tags.get_mut(&rec.target) {
                    for t in &rec.tags {
                        set.remove(t);
                    }
                    if set.is_empty() {
                        self.tags.remove(&rec.target);
                    }
                }
            }
        }
    }

    /// Appends `rec` to the first notebook (synced to disk) and applies it.
    fn save(&mut self, rec: Record) -> Result<(), NotesError> {
        let path = self.files.first().ok_or(NotesError::NoNotebook)?;
        file::append(path, &rec)?;
        self.apply(rec, 0);
        Ok(())
    }

    /// Writes a new note on `target`, with `tags` added to the target. Returns
    /// the note's id (empty text: only the tags are saved).
    pub fn add(
        &mut self,
        target: Target,
        text: &str,
        tags: &[String],
        author: &str,
    ) -> Result<String, NotesError> {
        let rec = Record::new(Op::Add, target, author)
            .with_text(text.trim_end())
            .with_tags(clean_tags(tags));
        let id = rec.note.clone().unwrap_or_default();
        self.save(rec)?;
        Ok(id)
    }

    /// Replaces the text of note `id` (a new record: the old text stays in the file).
    pub fn edit(&mut self, id: &str, text: &str, author: &str) -> Result<(), NotesError> {
        let note = self
            .note(id)
            .ok_or_else(|| NotesError::NoSuchNote(id.into()))?;
        let rec = Record::new(Op::Edit, note.target.clone(), author)
            .with_note(id)
            .with_text(text.trim_end());
        self.save(rec)
    }

    /// Deletes note `id` (a new record: the note stays in the file's history).
    pub fn delete(&mut self, id: &str, author: &str) -> Result<(), NotesError> {
        let note = self
            .note(id)
            .ok_or_else(|| NotesError::NoSuchNote(id.into()))?;
        let rec = Record::new(Op::Delete, note.target.clone(), author).with_note(id);
        self.save(rec)
    }

    /// Adds tags to a target.
    pub fn tag(&mut self, target: Target, tags: &[String], author: &str) -> Result<(), NotesError> {
        let tags = clean_tags(tags);
        if tags.is_empty() {
            return Ok(());
        }
        self.save(Record::new(Op::Tag, target, author).with_tags(tags))
    }

    /// Removes tags from a target.
    pub fn untag(
        &mut self,
        target: Target,
        tags: &[String],
        author: &str,
    ) -> Result<(), NotesError> {
        let tags = clean_tags(tags);
        if tags.is_empty() {
            return Ok(());
        }
        self.save(Record::new(Op::Untag, target, author).with_tags(tags))
    }

    pub fn note(&self, id: &str) -> Option<&Note> {
        self.notes.iter().find(|n| n.id == id)
    }

    /// The live notes on `target`, oldest first.
    pub fn notes_on<'a>(&'a self, target: &Target) -> impl Iterator<Item = &'a Note> + use<'a> {
        let target = target.clone();
        self.notes.iter().filter(move |n| n.target == target)
    }

    /// The tags of `target` (empty if none).
    pub fn tags_of(&self, target: &Target) -> Vec<&str> {
        self.tags
            .get(target)
            .map(|s| s.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// Notes on the entity.
    pub fn entity_notes(&self, graph: &Graph, node: NodeIx) -> Vec<&Note> {
        let t = Target::of_entity(graph, node);
        self.notes_on(&t).collect()
    }

    /// Tags of the entity.
    pub fn entity_tags(&self, graph: &Graph, node: NodeIx) -> Vec<&str> {
        self.tags_of(&Target::of_entity(graph, node))
    }

    /// Notes on the relation.
    pub fn relation_notes(&self, graph: &Graph, edge: EdgeIx) -> Vec<&Note> {
        let t = Target::of_relation(graph, edge);
        self.notes_on(&t).collect()
    }

    /// The entities carrying every tag of `tags` (a relation's tag counts for
    /// both its ends), sorted; tags are matched without case.
    pub fn tagged(&self, graph: &Graph, tags: &[String]) -> Vec<NodeIx> {
        let wanted: Vec<String> = tags.iter().map(|t| normal_tag(t)).collect();
        let mut per_node: HashMap<NodeIx, BTreeSet<&str>> = HashMap::new();
        for (target, set) in &self.tags {
            let nodes: Vec<NodeIx> = match target {
                Target::Entity(_) => target.entity_in(graph).into_iter().collect(),
                Target::Relation(_) => target
                    .relation_in(graph)
                    .map(|e| {
                        let (a, b) = graph.ends(e);
                        vec![a, b]
                    })
                    .unwrap_or_default(),
            };
            for n in nodes {
                per_node
                    .entry(n)
                    .or_default()
                    .extend(set.iter().map(String::as_str));
            }
        }
        let mut out: Vec<NodeIx> = per_node
            .into_iter()
            .filter(|(_, have)| wanted.iter().all(|w| have.contains(w.as_str())))
            .map(|(n, _)| n)
            .collect();
        out.sort_unstable();
        out
    }

    /// Notes and tags whose target the data does not hold.
    pub fn missing<'a>(&'a self, graph: &'a Graph) -> impl Iterator<Item = &'a Note> + 'a {
        self.notes.iter().filter(|n| !n.target.in_data(graph))
    }
}

/// A tag as stored: trimmed, without a leading `#`, lower-case, inner spaces
/// as `-`.
pub fn normal_tag(t: &str) -> String {
    t.trim()
        .trim_start_matches('#')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
        .to_lowercase()
}

fn clean_tags(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = tags
        .iter()
        .map(|t| normal_tag(t))
        .filter(|t| !t.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests;
