//! The search index being built, and the snapshot being saved, on a thread of
//! their own, so that the graph is usable at once.

use std::path::PathBuf;
use std::sync::Arc;

use crate::graph::Graph;
use crate::search::SearchIndex;
use crate::snapshot::{self, Key};

/// The work of building the index (and saving the snapshot) on another thread.
/// Dropping it waits for the work, so that no half-written snapshot is left
/// behind on an ordinary way out; [`Saving::abandon`] does not.
pub struct Saving {
    handle: Option<std::thread::JoinHandle<(Arc<SearchIndex>, Option<String>)>>,
}

impl Saving {
    pub(super) fn start(graph: Arc<Graph>, dir: PathBuf, key: Key) -> Saving {
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

    /// Waits for the work, asking `interrupted` every `tick` whether to stop:
    /// when it gives a signal's number, the work is abandoned and that number
    /// returned.
    pub fn wait_unless(
        self,
        tick: std::time::Duration,
        mut interrupted: impl FnMut() -> Option<i32>,
    ) -> Result<(Option<Arc<SearchIndex>>, Option<String>), i32> {
        loop {
            if self.is_finished() {
                return Ok(self.wait());
            }
            if let Some(sig) = interrupted() {
                self.abandon();
                return Err(sig);
            }
            std::thread::sleep(tick);
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
