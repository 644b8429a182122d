//! One way to open a graph, for the CLI and the explorer alike: [`open`] takes a
//! [`Source`], recognises its format ([`InputFormat`]), reads a snapshot when
//! one is cached for the very same bytes or else parses the data (then saves a
//! snapshot, with the search index, for the next start), and decides when the
//! search index is built ([`IndexWhen`]).
//!
//! Nothing here prints or reads the environment: the caller fills
//! [`OpenOptions`] and hears how the work goes through [`Progress`].

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

mod formats;
mod many;
mod saving;

pub use formats::{HEAD, InputFormat, Read};
use saving::IndexFrom;
pub use saving::{Outcome as SavingOutcome, Saving};

use crate::graph::Graph;
use crate::load::{self, LoadError, ProblemKind};
use crate::search::SearchIndex;
use crate::snapshot::{self, Key};

/// What to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The graph compiled into the binary.
    Builtin,
    /// A file or a folder.
    Path(PathBuf),
    /// Several inputs opened as one graph (or one input named by the user).
    Inputs(Vec<Input>),
}

/// One `--data`: a file or folder, and the dataset its records are in when
/// they do not say (the file's name without its extensions unless given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub name: Option<String>,
    pub path: PathBuf,
}

impl Input {
    /// `NAME=PATH` or `PATH` (a `PATH` holding `=` is taken whole when it
    /// exists or when what comes before the `=` is no plain name).
    pub fn parse(arg: &str) -> Input {
        let whole = Input {
            name: None,
            path: PathBuf::from(arg),
        };
        match arg.split_once('=') {
            Some((name, path))
                if !name.is_empty()
                    && !path.is_empty()
                    && !Path::new(arg).exists()
                    && !name.contains(['/', '\\']) =>
            {
                Input {
                    name: Some(name.to_string()),
                    path: PathBuf::from(path),
                }
            }
            _ => whole,
        }
    }

    /// The dataset of the input's records that name none.
    pub fn dataset(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| crate::graph::dataset_of_path(&self.path))
    }
}

impl std::str::FromStr for Input {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err("an empty path".into());
        }
        Ok(Input::parse(s))
    }
}

impl Source {
    /// `Path(p)` for `Some(p)`, else the built-in graph.
    pub fn from_option(path: Option<&Path>) -> Source {
        path.map_or(Source::Builtin, |p| Source::Path(p.to_path_buf()))
    }

    /// The built-in graph for no input, `Path` for one unnamed, else `Inputs`.
    pub fn from_inputs(inputs: &[Input]) -> Source {
        match inputs {
            [] => Source::Builtin,
            [Input { name: None, path }] => Source::Path(path.clone()),
            many => Source::Inputs(many.to_vec()),
        }
    }

    /// How the source is named in messages and on the loading screen.
    pub fn describe(&self) -> String {
        match self {
            Source::Builtin => "the built-in graph".into(),
            Source::Path(p) => p.display().to_string(),
            Source::Inputs(inputs) => inputs
                .iter()
                .map(|i| i.path.display().to_string())
                .collect::<Vec<_>>()
                .join(" + "),
        }
    }
}

/// Data smaller than this (in bytes) loads fast enough without a snapshot.
pub const SNAPSHOT_MIN: u64 = 1 << 20;

/// Where snapshots are kept and for which data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshots {
    /// The folder holding them.
    pub dir: PathBuf,
    /// Data of fewer bytes is not snapshotted (0: always).
    pub min_bytes: u64,
}

/// When the search index is built, if no snapshot brought it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IndexWhen {
    /// Not by [`open`]: the caller builds it if and when a query needs it (it
    /// still comes with a snapshot being saved, see [`Opened::saving`]).
    #[default]
    OnDemand,
    /// Before [`open`] returns.
    Now,
    /// At once for a graph of fewer entities than `inline_below` (a blink),
    /// else on a thread of its own ([`Opened::saving`]).
    Background { inline_below: usize },
}

/// How to open.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Read the data in this format instead of recognising it.
    pub format: Option<InputFormat>,
    /// Read and write snapshots (of data in any format); `None`: never.
    pub snapshots: Option<Snapshots>,
    pub index: IndexWhen,
    /// Report where the time and memory went, through [`Progress::stat`].
    pub stats: bool,
    /// CSV columns of other names to read as fields (no snapshot is kept of
    /// CSV read this way: its key would not say how the columns were taken).
    pub csv_columns: Option<crate::read::csv::Columns>,
    /// Refuse data a reader could only read by working around problems (an
    /// FtM value dropped, a reference to an entity not in the data).
    pub strict: bool,
}

/// Hears how an open goes. Every method does nothing unless overridden, so `()`
/// listens to nothing.
pub trait Progress {
    /// How far reading the data has come (only readers that can say).
    fn reading(&mut self, _progress: load::Progress) {}
    /// A line on where the time or the memory went (when asked for with
    /// [`OpenOptions::stats`]).
    fn stat(&mut self, _line: String) {}
}

impl Progress for () {}

/// Why a graph could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{0}")]
    Load(#[from] LoadError),
    /// No reader recognised the data.
    #[error(
        "{path}: not in a format ties reads. It reads {formats}; \
         give --input-format if the data is one of them"
    )]
    UnknownFormat { path: String, formats: String },
}

/// A graph ready to use, with its search index when one was at hand.
pub struct Opened {
    pub graph: Arc<Graph>,
    /// The search index, when it came with the graph or was built.
    pub index: Option<Arc<SearchIndex>>,
    /// The index being built, and the snapshot being saved, on another thread.
    pub saving: Option<Saving>,
    pub origin: Origin,
    /// What the user should know (an import's summary, a snapshot refused, one
    /// not saved), one line each, for the caller to show.
    pub notes: Vec<String>,
    /// The snapshot of this graph, saved or being saved without the search
    /// index: the index is added to it once built.
    resave: Option<(PathBuf, Key)>,
}

/// Where an opened graph came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The graph compiled into the binary.
    Builtin,
    /// Parsed from data in this format.
    Parsed(InputFormat),
    /// Read from this snapshot.
    Snapshot(PathBuf),
    /// Fetched from the graph database at this URL (shown without a password).
    Database(String),
}

/// Opens `source` as `opts` say, telling `progress` how it goes.
pub fn open(
    source: Source,
    opts: &OpenOptions,
    progress: &mut dyn Progress,
) -> Result<Opened, OpenError> {
    let inputs = match source {
        Source::Builtin => {
            if let Some(format) = opts.format.filter(|f| *f != InputFormat::Ron) {
                let flag = format!("--input-format {format}");
                let needs = ProblemKind::Io("needs --data FILE".into());
                return Err(LoadError::single(flag, needs).into());
            }
            let mut opened = Opened::new(load::load_builtin()?, Origin::Builtin, Vec::new());
            opened.build_index(opts.index);
            return Ok(opened);
        }
        Source::Path(path) => vec![Input { name: None, path }],
        Source::Inputs(inputs) => inputs,
    };
    let mut opened = if let [input] = inputs.as_slice() {
        let format = match opts.format {
            Some(f) => f,
            None => detect(&input.path)?,
        };
        let renamed = format == InputFormat::Csv && opts.csv_columns.is_some();
        // `--strict` reads the data itself: a snapshot does not say what its load
        // worked around, line by line.
        let snapshots = opts.snapshots.as_ref().filter(|_| !renamed && !opts.strict);
        read(input, format, snapshots, opts, progress)?
    } else {
        many::read_all(&inputs, opts, progress)?
    };
    opened.build_index(opts.index);
    Ok(opened)
}

/// The format of the data at `path`, from its first bytes and its name.
pub fn detect(path: &Path) -> Result<InputFormat, OpenError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| {
        let kind = if e.kind() == std::io::ErrorKind::NotFound {
            ProblemKind::NotFound
        } else {
            ProblemKind::Io(e.to_string())
        };
        LoadError::single(&name, kind)
    })?;
    let mut head = Vec::new();
    if meta.is_file() {
        use std::io::Read;
        let file = std::fs::File::open(path)
            .map_err(|e| LoadError::single(&name, ProblemKind::Io(e.to_string())))?;
        file.take(HEAD as u64)
            .read_to_end(&mut head)
            .map_err(|e| LoadError::single(&name, ProblemKind::Io(e.to_string())))?;
    }
    InputFormat::detect(path, &head).ok_or_else(|| OpenError::UnknownFormat {
        path: name,
        formats: InputFormat::list(),
    })
}

/// Reads `path` in `format`: from a snapshot in `snapshots` when a good one is
/// there, else with the reader (then a snapshot is saved on another thread).
fn read(
    input: &Input,
    format: InputFormat,
    snapshots: Option<&Snapshots>,
    opts: &OpenOptions,
    progress: &mut dyn Progress,
) -> Result<Opened, OpenError> {
    let stats = opts.stats;
    let path = input.path.as_path();
    let dataset = input.dataset();
    let adjust = |key| named_key(key, input.name.as_deref());
    // New RON data is hashed as it is read instead of before: the key is
    // only needed to look for a snapshot, and new data has none.
    let mut hashing = None;
    let mut target = match snapshots {
        Some(s) => {
            let files = format.files(path)?;
            if let Some(pending) = Hashing::start(format, &files, s) {
                hashing = Some((files, s, pending));
                None
            } else {
                Target::of(files, s, stats, progress, adjust)
            }
        }
        None => None,
    };
    let mut notes = Vec::new();
    if let Some(t) = &target
        && let Some(mut opened) = t.open(&path.display().to_string(), stats, progress, &mut notes)
    {
        if let Some(g) = Arc::get_mut(&mut opened.graph) {
            g.set_default_dataset(&dataset);
        }
        return Ok(opened);
    }
    let formats::Read {
        mut graph,
        notes: read_notes,
        timing,
        worked_around,
    } = match &mut hashing {
        Some((_, _, h)) => {
            let (graph, timing) = load::load_path_tapped(
                path,
                &mut |p| progress.reading(p),
                Some(&mut |bytes: &[u8]| h.hash.update(bytes)),
            )?;
            formats::Read {
                graph,
                notes: Vec::new(),
                timing,
                worked_around: None,
            }
        }
        None => format.read(path, &dataset, opts.csv_columns.as_ref(), &mut |p| {
            progress.reading(p)
        })?,
    };
    if let Some((files, s, h)) = hashing {
        target = h.finish(files, s, timing.is_some(), stats, progress, adjust);
    }
    graph.set_default_dataset(&dataset);
    if let Some(e) = worked_around.filter(|_| opts.strict) {
        return Err(e.into());
    }
    let reader_notes = read_notes.clone();
    notes.extend(read_notes);
    if stats {
        if let Some(line) = timing {
            progress.stat(line);
        }
        progress.stat(memory_line(&graph));
    }
    let mut opened = Opened::new(graph, Origin::Parsed(format), notes);
    if let Some(t) = target {
        t.save(
            &mut opened,
            &path.display().to_string(),
            &reader_notes,
            opts,
        );
    }
    Ok(opened)
}

/// New RON data being hashed as the loader reads it ([`load::load_path_tapped`]).
struct Hashing {
    pending: snapshot::Pending,
    before: Vec<Option<(u64, std::time::SystemTime)>>,
    hash: snapshot::FileHash,
    started: Instant,
}

impl Hashing {
    /// Hashing while reading, when `files` are one RON file large enough to
    /// be snapshotted and new here ([`snapshot::is_new`]); `None`: the key is
    /// found first, as for any other data.
    fn start(format: InputFormat, files: &[PathBuf], s: &Snapshots) -> Option<Hashing> {
        let [file] = files else {
            return None;
        };
        let size = std::fs::metadata(file).ok()?.len();
        if format != InputFormat::Ron || size < s.min_bytes || !snapshot::is_new(&s.dir, files) {
            return None;
        }
        Some(Hashing {
            pending: snapshot::Pending::start(files).ok()?,
            before: stamps(files),
            hash: snapshot::FileHash::default(),
            started: Instant::now(),
        })
    }

    /// The target, its key from the bytes the loader read when it read them
    /// all (`whole`: its fast path succeeded), else hashed now; the key is
    /// recorded for the next start.
    fn finish<'s>(
        self,
        files: Vec<PathBuf>,
        s: &'s Snapshots,
        whole: bool,
        stats: bool,
        progress: &mut dyn Progress,
        adjust: impl FnOnce(Key) -> Key,
    ) -> Option<Target<'s>> {
        if !whole {
            return Target::of(files, s, stats, progress, adjust);
        }
        let key = Key::of_hashed(&files, vec![self.hash]);
        self.pending.record(&s.dir, &files, key);
        if stats {
            progress.stat(format!(
                "hashed the data while reading it (read and hashed in {:.0} ms)",
                ms(self.started)
            ));
        }
        Some(Target {
            files,
            before: self.before,
            s,
            key: adjust(key),
        })
    }
}

/// Where the snapshot of some data is, or is to be: the files it covers, their
/// size and times when its key was computed, and the key.
pub(super) struct Target<'s> {
    files: Vec<PathBuf>,
    before: Vec<Option<(u64, std::time::SystemTime)>>,
    s: &'s Snapshots,
    key: Key,
}

impl<'s> Target<'s> {
    /// The target for `files` when they hold enough bytes to be snapshotted;
    /// `adjust` mixes into the key what else the graph depends on.
    pub(super) fn of(
        files: Vec<PathBuf>,
        s: &'s Snapshots,
        stats: bool,
        progress: &mut dyn Progress,
        adjust: impl FnOnce(Key) -> Key,
    ) -> Option<Target<'s>> {
        let before = stamps(&files);
        let key = adjust(snapshot_target(&files, s, stats, progress)?);
        Some(Target {
            files,
            before,
            s,
            key,
        })
    }

    /// The snapshot, when a good one is there (a bad one is noted in `notes`,
    /// naming `what` to read again).
    pub(super) fn open(
        &self,
        what: &str,
        stats: bool,
        progress: &mut dyn Progress,
        notes: &mut Vec<String>,
    ) -> Option<Opened> {
        let snap = self.s.dir.join(self.key.file_name());
        if !snap.exists() {
            return None;
        }
        let t = Instant::now();
        match snapshot::read(&snap, self.key) {
            Ok((graph, index)) => {
                if stats {
                    progress.stat(format!("read the snapshot in {:.0} ms", ms(t)));
                }
                // What the reader said when the snapshot was made.
                if let Ok(said) = std::fs::read_to_string(snapshot::notes_path(&snap)) {
                    notes.extend(said.lines().map(str::to_string));
                }
                let mut opened = Opened::new(graph, Origin::Snapshot(snap), std::mem::take(notes));
                match index {
                    Some(ix) => opened.index = Some(Arc::new(ix)),
                    None => opened.resave = Some((self.s.dir.clone(), self.key)),
                }
                Some(opened)
            }
            Err(e) => {
                notes.push(format!(
                    "not using the snapshot {}: {e}; reading {what} again",
                    snap.display(),
                ));
                None
            }
        }
    }

    /// Saves `opened`'s graph as the snapshot, on another thread, with what the
    /// reader said (`reader_notes`) beside it; `what` names the data.
    pub(super) fn save(
        self,
        opened: &mut Opened,
        what: &str,
        reader_notes: &[String],
        opts: &OpenOptions,
    ) {
        let Target {
            files,
            before,
            s,
            key,
        } = self;
        // The key was computed from the bytes read first: if the files changed
        // since, the graph may not be what the key names.
        if before != stamps(&files) {
            opened.notes.push(format!(
                "{what} changed while it was read: no snapshot saved"
            ));
            return;
        }
        // The reader's notes (an import's summary) are kept beside the
        // snapshot, to be said again when it is read.
        let said = snapshot::notes_path(&s.dir.join(key.file_name()));
        let kept = if reader_notes.is_empty() {
            std::fs::remove_file(&said).or(Ok(()))
        } else {
            std::fs::create_dir_all(&s.dir)
                .and_then(|()| std::fs::write(&said, reader_notes.join("\n") + "\n"))
        };
        if let Err(e) = kept {
            opened
                .notes
                .push(format!("could not keep the load notes: {e}"));
        }
        // A command that did not ask for the index does not wait for one:
        // its snapshot is saved without it (a copy of the tables), and the
        // index is added by the first start that builds it.
        let graph = Arc::clone(&opened.graph);
        let index = if opts.index == IndexWhen::OnDemand {
            opened.resave = Some((s.dir.clone(), key));
            IndexFrom::Skip
        } else {
            IndexFrom::Build
        };
        opened.saving = Some(Saving::start(graph, s.dir.clone(), key, index));
    }
}

/// What the search index holds, by part, per entity of `graph`, and (for a
/// graph read whole, not the names a search reads from a snapshot) all in:
/// the graph with its id index, and the search index.
pub fn index_memory_line(graph: &Graph, index: &SearchIndex, whole: bool) -> String {
    let m = index.memory();
    let n = graph.node_count().max(1);
    let per = |b: usize| b as f64 / n as f64;
    let mut line = format!(
        "the search index holds {:.1} MB, {:.0} bytes per entity ({:.2} texts per entity; folded text {:.1}, per-text columns {:.1}, per-entity columns {:.1}, typo words {:.1})",
        m.total() as f64 / 1e6,
        per(m.total()),
        m.texts as f64 / n as f64,
        per(m.text_bytes),
        per(m.text_columns),
        per(m.entity_columns),
        per(m.typo_bytes),
    );
    if whole {
        let all = graph.memory().total() + m.total();
        line.push_str(&format!(
            "; all in with the graph {:.1} MB, {:.0} bytes per entity",
            all as f64 / 1e6,
            per(all)
        ));
    }
    line
}

/// The key of a snapshot of data read under a name the user gave: the name is
/// in the graph's rows (an FtM file's records without datasets of their own).
fn named_key(key: Key, name: Option<&str>) -> Key {
    match name {
        None => key,
        Some(n) => Key(key.0 ^ xxhash_rust::xxh3::xxh3_128(n.as_bytes())),
    }
}

fn memory_line(graph: &Graph) -> String {
    let m = graph.memory();
    let n = graph.node_count().max(1);
    format!(
        "the graph holds {:.1} MB, {} bytes per entity (entities {}, relations {}, text {}, other {})",
        m.total() as f64 / 1e6,
        m.total() / n,
        m.entities / n,
        m.relations / n,
        m.text / n,
        m.other / n
    )
}

/// The key of the snapshot of `files`, when the data holds at least
/// `s.min_bytes`. Hashes the data.
fn snapshot_target(
    files: &[PathBuf],
    s: &Snapshots,
    stats: bool,
    progress: &mut dyn Progress,
) -> Option<Key> {
    let size: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    if size < s.min_bytes {
        return None;
    }
    let t = Instant::now();
    let (key, found) = snapshot::key_of(&s.dir, files, snapshot::RACY).ok()?;
    if stats {
        let how = match found {
            snapshot::Found::Recorded => "found the data's key (files unchanged)",
            snapshot::Found::Hashed => "hashed the data",
        };
        progress.stat(format!("{how} in {:.0} ms", ms(t)));
    }
    Some(key)
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1e3
}

/// Size and modification time of each file, to notice a change.
fn stamps(files: &[PathBuf]) -> Vec<Option<(u64, std::time::SystemTime)>> {
    files
        .iter()
        .map(|f| {
            let m = std::fs::metadata(f).ok()?;
            Some((m.len(), m.modified().ok()?))
        })
        .collect()
}

/// For a name search: the entities (names, kinds, aliases, ids; no relations)
/// and the search index, from a good snapshot of the data at `path` that holds
/// the index; `None` when there is none (then [`open`] the usual way, which also
/// says why a snapshot was refused and writes a good one).
pub fn names_for_search(
    path: &Path,
    opts: &OpenOptions,
    progress: &mut dyn Progress,
) -> Option<(Graph, SearchIndex)> {
    let s = opts.snapshots.as_ref()?;
    let format = match opts.format {
        Some(f) => f,
        None => detect(path).ok()?,
    };
    if format == InputFormat::Csv && opts.csv_columns.is_some() {
        return None;
    }
    let files = format.files(path).ok()?;
    let key = snapshot_target(&files, s, opts.stats, progress)?;
    let t = Instant::now();
    let (graph, index) = snapshot::read_for_search(&s.dir.join(key.file_name()), key).ok()?;
    let names = (graph, index?);
    if opts.stats {
        progress.stat(format!(
            "read the names and their index from the snapshot in {:.0} ms",
            ms(t)
        ));
    }
    Some(names)
}

impl Opened {
    /// A graph that came from elsewhere (a database's neighbourhood), with no
    /// index, snapshot or saving of its own.
    pub fn fetched(graph: Arc<Graph>, origin: Origin, notes: Vec<String>) -> Opened {
        Opened {
            graph,
            index: None,
            saving: None,
            origin,
            notes,
            resave: None,
        }
    }

    fn new(graph: Graph, origin: Origin, notes: Vec<String>) -> Opened {
        Opened {
            graph: Arc::new(graph),
            index: None,
            saving: None,
            origin,
            notes,
            resave: None,
        }
    }

    /// Replaces the graph with a view of it (the merged view of judged records):
    /// the snapshot being saved is of the data as read, so it is finished first;
    /// the search index is dropped, to be built for the new graph when asked.
    pub fn replace_graph(&mut self, graph: Graph) {
        if let Some(saving) = self.saving.take()
            && let Ok((_, note)) = saving.wait_unless(std::time::Duration::from_millis(40), || None)
        {
            self.notes.extend(note);
        }
        self.graph = Arc::new(graph);
        self.index = None;
        self.resave = None;
    }

    /// Builds the search index as `when` says, unless there is one already or
    /// one is coming with the snapshot being saved; a snapshot saved without
    /// the index is then saved again with it.
    pub fn build_index(&mut self, when: IndexWhen) {
        if self.index.is_some() || self.saving.as_ref().is_some_and(Saving::is_indexing) {
            return;
        }
        let graph = Arc::clone(&self.graph);
        let on_thread = |from: IndexFrom,
                         resave: Option<(PathBuf, Key)>,
                         before: Option<Saving>| {
            match before {
                Some(b) => b.then(Arc::clone(&graph), from, resave),
                None => match resave {
                    Some((dir, key)) => Saving::start(Arc::clone(&graph), dir, key, from),
                    None => Saving::index_only(Arc::clone(&graph)),
                },
            }
        };
        match when {
            IndexWhen::OnDemand => {}
            IndexWhen::Background { inline_below } if self.graph.node_count() >= inline_below => {
                let resave = self.resave.take();
                self.saving = Some(on_thread(IndexFrom::Build, resave, self.saving.take()));
            }
            IndexWhen::Now | IndexWhen::Background { .. } => {
                let index = Arc::new(SearchIndex::build(&self.graph));
                self.index = Some(Arc::clone(&index));
                if let Some(resave) = self.resave.take() {
                    let from = IndexFrom::Given(index);
                    self.saving = Some(on_thread(from, Some(resave), self.saving.take()));
                }
            }
        }
    }

    /// Waits for the index and the snapshot being saved, if any, keeping the
    /// index and adding a note if the snapshot could not be saved.
    pub fn finish_saving(&mut self) {
        let Some(saving) = self.saving.take() else {
            return;
        };
        let (index, note) = saving.wait();
        if self.index.is_none() {
            self.index = index;
        }
        self.notes.extend(note);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Collects timings.
    #[derive(Default)]
    pub(super) struct Heard(pub(super) Vec<String>);

    impl Progress for Heard {
        fn stat(&mut self, line: String) {
            self.0.push(line);
        }
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn an_unknown_format_is_named_with_the_formats_ties_reads() {
        let tmp = tempfile::tempdir().unwrap();
        let p = write(tmp.path(), "notes.txt", "Ann met Bob, twice.\n");
        let Err(e) = open(Source::Path(p), &OpenOptions::default(), &mut ()) else {
            panic!("plain text opened");
        };
        let msg = e.to_string();
        assert!(matches!(e, OpenError::UnknownFormat { .. }), "{msg}");
        assert!(msg.contains("notes.txt"), "{msg}");
        for f in InputFormat::ALL {
            assert!(msg.contains(f.describe()), "{msg}");
        }
    }

    #[test]
    fn the_content_tells_the_format_whatever_the_name() {
        let tmp = tempfile::tempdir().unwrap();
        let ron = write(
            tmp.path(),
            "graph.txt",
            &crate::load::BUILTIN_GRAPH.replace("\r\n", "\n"),
        );
        let mut heard = Heard::default();
        let opts = OpenOptions {
            stats: true,
            index: IndexWhen::Now,
            ..OpenOptions::default()
        };
        let o = open(Source::Path(ron), &opts, &mut heard).unwrap();
        assert_eq!(o.origin, Origin::Parsed(InputFormat::Ron));
        assert!(o.index.is_some(), "IndexWhen::Now builds the index");
        assert!(
            heard.0.iter().any(|l| l.starts_with("the graph holds")),
            "{:?}",
            heard.0
        );
        let ftm = write(
            tmp.path(),
            "entities.txt",
            r#"{"id": "p1", "schema": "Person", "properties": {"name": ["Ann"]}}"#,
        );
        let o = open(Source::Path(ftm), &OpenOptions::default(), &mut ()).unwrap();
        assert_eq!(o.origin, Origin::Parsed(InputFormat::Ftm));
        assert_eq!(o.graph.node_count(), 1);
        assert!(o.index.is_none(), "IndexWhen::OnDemand builds nothing");
        assert_eq!(o.notes.len(), 2, "the import's summary: {:?}", o.notes);
    }

    #[test]
    fn the_builtin_graph_cannot_be_read_as_ftm() {
        let opts = OpenOptions {
            format: Some(InputFormat::Ftm),
            ..OpenOptions::default()
        };
        let e = open(Source::Builtin, &opts, &mut ()).err().unwrap();
        assert!(e.to_string().contains("needs --data FILE"), "{e}");
        let o = open(Source::Builtin, &OpenOptions::default(), &mut ()).unwrap();
        assert_eq!(o.origin, Origin::Builtin);
    }

    #[test]
    fn background_indexing_builds_small_graphs_at_once_and_large_ones_on_a_thread() {
        let mut o = open(Source::Builtin, &OpenOptions::default(), &mut ()).unwrap();
        let n = o.graph.node_count();
        o.build_index(IndexWhen::Background { inline_below: n });
        assert!(o.index.is_none() && o.saving.is_some());
        o.finish_saving();
        assert!(o.index.is_some());
        let mut o = open(Source::Builtin, &OpenOptions::default(), &mut ()).unwrap();
        o.build_index(IndexWhen::Background {
            inline_below: n + 1,
        });
        assert!(o.index.is_some() && o.saving.is_none());
    }
}
