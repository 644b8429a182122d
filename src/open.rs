//! Opening a RON graph for the CLI and the explorer: from a snapshot when one is
//! cached for the very same bytes, else from RON with a progress bar on stderr,
//! then saving a snapshot (with the search index) for the next start.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::graph::Graph;
use crate::graph::snapshot::{self, Key};
use crate::load::{self, LoadError};
use crate::search::SearchIndex;

/// A graph ready to use, with its search index when one was at hand.
pub struct Opened {
    pub graph: Graph,
    pub index: Option<Arc<SearchIndex>>,
    pub origin: Origin,
    /// What the user should know (a snapshot refused, one not saved), one line
    /// each, for the caller to show.
    pub notes: Vec<String>,
}

/// Data smaller than this (in bytes) loads fast enough without a snapshot;
/// `TIES_SNAPSHOT_MIN` sets another threshold (0: always).
pub const SNAPSHOT_MIN: u64 = 1 << 20;

/// A progress bar drawn only once the work has lasted half a second, and only
/// on a terminal.
struct Bar {
    started: Instant,
    bar: Option<ProgressBar>,
    what: String,
}

impl Bar {
    const DELAY: Duration = Duration::from_millis(500);

    fn new(what: String) -> Self {
        Bar {
            started: Instant::now(),
            bar: None,
            what,
        }
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

    fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A spinner for work of unknown length (indexing, saving a snapshot).
fn spinner(msg: &'static str) -> ProgressBar {
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

/// Opens the RON graph at `path`; `cache` allows reading and writing snapshots in
/// the user's cache folder ([`snapshot::cache_dir`]) for data of at least
/// [`SNAPSHOT_MIN`] bytes (or `$TIES_SNAPSHOT_MIN`).
pub fn open_ron(path: &Path, cache: bool) -> Result<Opened, LoadError> {
    let min = std::env::var("TIES_SNAPSHOT_MIN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SNAPSHOT_MIN);
    let dir = if cache { snapshot::cache_dir() } else { None };
    open_ron_in(path, dir.as_deref(), min)
}

/// [`open_ron`] with snapshots in `dir` (none if `None`) for data of at least
/// `min` bytes.
pub fn open_ron_in(path: &Path, dir: Option<&Path>, min: u64) -> Result<Opened, LoadError> {
    let files = load::graph_files(path)?;
    let size: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let dir = dir.filter(|_| size >= min);
    let key = dir.and_then(|_| Key::of_files(&files).ok());
    let mut notes = Vec::new();
    if let (Some(dir), Some(key)) = (dir, key) {
        let snap = dir.join(key.file_name());
        if snap.exists() {
            match snapshot::read(&snap, key) {
                Ok((graph, index)) => {
                    return Ok(Opened {
                        graph,
                        index: Some(Arc::new(index)),
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
    let mut bar = Bar::new(path.display().to_string());
    let loaded = load::load_path_with(path, &mut |p| bar.update(p.done, p.total));
    bar.finish();
    let graph = loaded?;
    let (Some(dir), Some(key)) = (dir, key) else {
        return Ok(Opened {
            graph,
            index: None,
            origin: Origin::Ron,
            notes,
        });
    };
    let spin = spinner("indexing names and saving a snapshot for the next start");
    let index = SearchIndex::build(&graph);
    let saved = snapshot::write(dir, key, &graph, &index);
    spin.finish_and_clear();
    if let Err(e) = saved {
        notes.push(format!(
            "could not save a snapshot in {}: {e} (the next start reads RON again)",
            dir.display()
        ));
    }
    Ok(Opened {
        graph,
        index: Some(Arc::new(index)),
        origin: Origin::Ron,
        notes,
    })
}
