//! Opening a RON graph for the CLI and the explorer: from a snapshot when one is
//! cached for the very same bytes, else from RON with a progress bar on stderr,
//! then saving a snapshot (with the search index) for the next start.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::graph::Graph;
use crate::graph::snapshot::{self, Key};
use crate::load::{self, LoadError, Progress};
use crate::search::SearchIndex;

/// A graph ready to use, with its search index when one was at hand.
pub struct Opened {
    pub graph: Arc<Graph>,
    /// The search index, when it came with the graph (from a snapshot).
    pub index: Option<Arc<SearchIndex>>,
    /// The index being built and the snapshot being saved, after a RON load.
    pub saving: Option<Saving>,
    pub origin: Origin,
    /// What the user should know (a snapshot refused, one not saved), one line
    /// each, for the caller to show.
    pub notes: Vec<String>,
}

/// Data smaller than this (in bytes) loads fast enough without a snapshot;
/// `TIES_SNAPSHOT_MIN` sets another threshold (0: always).
pub const SNAPSHOT_MIN: u64 = 1 << 20;

/// A progress bar on stderr, drawn only once the work has lasted half a second,
/// and only on a terminal.
pub struct Bar {
    started: Instant,
    bar: Option<ProgressBar>,
    what: String,
}

impl Bar {
    const DELAY: Duration = Duration::from_millis(500);

    pub fn new(what: String) -> Self {
        Bar {
            started: Instant::now(),
            bar: None,
            what,
        }
    }

    /// Shows how far a load has come; when it starts over the careful way, says
    /// so instead.
    pub fn progress(&mut self, p: Progress) {
        if p.careful {
            if let Some(bar) = self.bar.take() {
                bar.finish_and_clear();
            }
            let started = self.started.elapsed() >= Self::DELAY;
            if started && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                eprintln!(
                    "ties: {} has a problem: reading it again, whole, to say where…",
                    self.what
                );
            }
            return;
        }
        self.update(p.done, p.total);
    }

    fn update(&mut self, done: u64, total: u64) {
        if self.bar.is_none() && self.started.elapsed() >= Self::DELAY {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "reading {msg} {wide_bar} {binary_bytes}/{binary_total_bytes} ({eta} left)",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_message(self.what.clone());
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
    }

    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A spinner on stderr for work of unknown length (only on a terminal).
pub fn spinner(msg: &'static str) -> ProgressBar {
    let s = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    s.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    s.set_message(msg);
    s.enable_steady_tick(Duration::from_millis(120));
    s
}

/// Where an opened graph came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Parsed from RON.
    Ron,
    /// Read from this snapshot.
    Snapshot(std::path::PathBuf),
}

/// The search index being built, and the snapshot being saved, on a thread of
/// their own, so that the graph is usable at once.
/// Dropping it waits for the work, so that no half-written snapshot is left
/// behind on an ordinary way out; [`Saving::abandon`] does not.
pub struct Saving {
    handle: Option<std::thread::JoinHandle<(Arc<SearchIndex>, Option<String>)>>,
}

impl Saving {
    fn start(graph: Arc<Graph>, dir: PathBuf, key: Key) -> Saving {
        Self::spawn(graph, Some((dir, key)))
    }

    /// Only the search index, on its own thread (no snapshot to save).
    pub fn index_only(graph: Arc<Graph>) -> Saving {
        Self::spawn(graph, None)
    }

    fn spawn(graph: Arc<Graph>, snapshot_in: Option<(PathBuf, Key)>) -> Saving {
        let work = move || {
            let index = SearchIndex::build(&graph);
            let note = snapshot_in.and_then(|(dir, key)| {
                snapshot::write(&dir, key, &graph, &index).err().map(|e| {
                    format!(
                        "could not save a snapshot in {}: {e} (the next start reads RON again)",
                        dir.display()
                    )
                })
            });
            (Arc::new(index), note)
        };
        let handle = std::thread::Builder::new()
            .name("ties-snapshot".into())
            .spawn(work)
            .unwrap_or_else(|e| {
                // No thread to be had: a thread that only hands back the error.
                let note = format!("could not save a snapshot: {e}");
                std::thread::spawn(move || (Arc::new(SearchIndex::default()), Some(note)))
            });
        Saving {
            handle: Some(handle),
        }
    }

    /// Whether the index is built and the snapshot written.
    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(|h| h.is_finished())
    }

    /// Waits for the index and the snapshot. Returns the index (`None` if the
    /// work failed) and a note if the snapshot could not be saved.
    pub fn wait(mut self) -> (Option<Arc<SearchIndex>>, Option<String>) {
        match self.handle.take().map(|h| h.join()) {
            Some(Ok((index, note))) => (Some(index), note),
            _ => (None, Some("could not save a snapshot".into())),
        }
    }

    /// Waits for the work, with a spinner on stderr while it lasts. When
    /// `interrupted` (asked every 40 ms) gives a signal's number, the work is
    /// abandoned and that number returned.
    pub fn finish(
        self,
        interrupted: impl Fn() -> Option<i32>,
    ) -> Result<(Option<Arc<SearchIndex>>, Option<String>), i32> {
        let spin = (!self.is_finished())
            .then(|| spinner("indexing names and saving a snapshot for the next start"));
        let signal = loop {
            if self.is_finished() {
                break None;
            }
            if let Some(sig) = interrupted() {
                break Some(sig);
            }
            std::thread::sleep(Duration::from_millis(40));
        };
        if let Some(s) = spin {
            s.finish_and_clear();
        }
        match signal {
            Some(sig) => {
                self.abandon();
                Err(sig)
            }
            None => Ok(self.wait()),
        }
    }

    /// Leaves the work to finish or not (the program is about to end on a
    /// signal); a temporary file it leaves is removed by a later save.
    pub fn abandon(mut self) {
        drop(self.handle.take());
    }
}

impl Drop for Saving {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Where a snapshot of `files` lives: the folder and the key, when snapshots
/// are on (`dir`) and the data holds at least `min` bytes. Hashes the data.
fn snapshot_target<'d>(
    files: &[PathBuf],
    dir: Option<&'d Path>,
    min: u64,
) -> Option<(&'d Path, Key)> {
    let size: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let dir = dir.filter(|_| size >= min)?;
    let t = Instant::now();
    let key = Key::of_files(files).ok()?;
    if load::stats_wanted() {
        eprintln!("ties: hashed the data in {:.0} ms", ms(t));
    }
    Some((dir, key))
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1e3
}

/// For a name search: the entities (names, kinds, aliases; no relations, no id
/// index) and the search index, from a good snapshot of the data at `path` in
/// `dir`; `None` when there is none (then open the graph the usual way, which
/// also says why a snapshot was refused and writes a good one).
pub fn names_from_snapshot(
    path: &Path,
    dir: Option<&Path>,
    min: u64,
) -> Option<(Graph, SearchIndex)> {
    let files = load::graph_files(path).ok()?;
    let (dir, key) = snapshot_target(&files, dir, min)?;
    let t = Instant::now();
    let names = snapshot::read_for_search(&dir.join(key.file_name()), key).ok()?;
    if load::stats_wanted() {
        eprintln!(
            "ties: read the names and their index from the snapshot in {:.0} ms",
            ms(t)
        );
    }
    Some(names)
}

/// The snapshot folder and size threshold [`open_ron`] uses.
pub fn snapshot_settings(cache: bool) -> (Option<PathBuf>, u64) {
    let min = match std::env::var("TIES_SNAPSHOT_MIN") {
        Ok(v) => v.trim().parse().unwrap_or_else(|_| {
            eprintln!("ties: TIES_SNAPSHOT_MIN={v} is not a number of bytes; using {SNAPSHOT_MIN}");
            SNAPSHOT_MIN
        }),
        Err(_) => SNAPSHOT_MIN,
    };
    (if cache { snapshot::cache_dir() } else { None }, min)
}

/// Opens the RON graph at `path`; `cache` allows reading and writing snapshots in
/// the user's cache folder ([`snapshot::cache_dir`]) for data of at least
/// [`SNAPSHOT_MIN`] bytes (or `$TIES_SNAPSHOT_MIN`). `progress` hears how far
/// the RON load has come.
pub fn open_ron(
    path: &Path,
    cache: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<Opened, LoadError> {
    let (dir, min) = snapshot_settings(cache);
    open_ron_in(path, dir.as_deref(), min, progress)
}

/// [`open_ron`] with snapshots in `dir` (none if `None`) for data of at least
/// `min` bytes. After a RON load the index is built and the snapshot saved on
/// another thread ([`Opened::saving`]).
pub fn open_ron_in(
    path: &Path,
    dir: Option<&Path>,
    min: u64,
    progress: &mut dyn FnMut(Progress),
) -> Result<Opened, LoadError> {
    let files = load::graph_files(path)?;
    let stamps = stamps(&files);
    let target = snapshot_target(&files, dir, min);
    let stats = load::stats_wanted();
    let mut notes = Vec::new();
    if let Some((dir, key)) = target {
        let snap = dir.join(key.file_name());
        if snap.exists() {
            let t = Instant::now();
            match snapshot::read(&snap, key) {
                Ok((graph, index)) => {
                    if stats {
                        eprintln!("ties: read the snapshot in {:.0} ms", ms(t));
                    }
                    return Ok(Opened {
                        graph: Arc::new(graph),
                        index: Some(Arc::new(index)),
                        saving: None,
                        origin: Origin::Snapshot(snap),
                        notes,
                    });
                }
                Err(e) => notes.push(format!(
                    "not using the snapshot {}: {e}; reading {} again",
                    snap.display(),
                    path.display()
                )),
            }
        }
    }
    let graph = Arc::new(load::load_path_with(path, progress)?);
    if stats {
        let m = graph.memory();
        let n = graph.node_count().max(1);
        eprintln!(
            "ties: the graph holds {:.1} MB, {} bytes per entity (entities {}, relations {}, text {}, other {})",
            m.total() as f64 / 1e6,
            m.total() / n,
            m.entities / n,
            m.relations / n,
            m.text / n,
            m.other / n
        );
    }
    let saving = match target {
        // The key was computed from the bytes read first: if the files changed
        // since, the graph may not be what the key names.
        Some(_) if stamps != self::stamps(&files) => {
            notes.push(format!(
                "{} changed while it was read: no snapshot saved",
                path.display()
            ));
            None
        }
        Some((dir, key)) => Some(Saving::start(Arc::clone(&graph), dir.to_path_buf(), key)),
        None => None,
    };
    Ok(Opened {
        graph,
        index: None,
        saving,
        origin: Origin::Ron,
        notes,
    })
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

impl Opened {
    /// Waits for the snapshot being saved, if any (with a spinner on stderr),
    /// keeping its index and note.
    pub fn finish_saving(&mut self) {
        let Some(saving) = self.saving.take() else {
            return;
        };
        let Ok((index, note)) = saving.finish(|| None) else {
            return;
        };
        if self.index.is_none() {
            self.index = index;
        }
        self.notes.extend(note);
    }
}
