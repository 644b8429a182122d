//! The search index being built, and the snapshot being saved, on a thread of
//! their own, so that the graph is usable at once.

use std::path::PathBuf;
use std::sync::Arc;

use crate::graph::Graph;
use crate::job::{Job, JobError, Notify};
use crate::search::SearchIndex;
use crate::snapshot::{self, Key};

/// The work of building the index and saving the snapshot (either or both) on
/// another thread. Dropping it waits for the work, so that no half-written
/// snapshot is left behind on an ordinary way out; [`Saving::abandon`] does not.
/// (A snapshot is written under a temporary name and renamed whole, so even an
/// abandoned save leaves no half snapshot under a snapshot's name.)
pub struct Saving {
    job: Option<Job<Outcome>>,
    /// Whether the work ends with a search index.
    indexing: bool,
}

/// What the work gives back: the index (if it made or was given one) and a note
/// if the snapshot could not be saved.
pub type Outcome = (Option<Arc<SearchIndex>>, Option<String>);

/// Where the index of a [`Saving`] comes from.
pub(super) enum IndexFrom {
    /// No index: the snapshot is saved without one (cheap: a copy of tables).
    Skip,
    /// Built on the thread.
    Build,
    /// Already built.
    Given(Arc<SearchIndex>),
}

impl Saving {
    /// Saves the snapshot of `graph` as `dir/key`, with the index as `index`
    /// says.
    pub(super) fn start(graph: Arc<Graph>, dir: PathBuf, key: Key, index: IndexFrom) -> Saving {
        Self::spawn(graph, None, index, Some((dir, key)))
    }

    /// Only the search index, on its own thread (no snapshot to save).
    pub fn index_only(graph: Arc<Graph>) -> Saving {
        Self::spawn(graph, None, IndexFrom::Build, None)
    }

    /// Once this work is done: the index as `index` says, and the snapshot
    /// saved again (with the index) if `snapshot_in`.
    pub(super) fn then(
        self,
        graph: Arc<Graph>,
        index: IndexFrom,
        snapshot_in: Option<(PathBuf, Key)>,
    ) -> Saving {
        Self::spawn(graph, Some(self), index, snapshot_in)
    }

    /// Whether the work ends with a search index.
    pub fn is_indexing(&self) -> bool {
        self.indexing
    }

    fn spawn(
        graph: Arc<Graph>,
        after: Option<Saving>,
        index: IndexFrom,
        snapshot_in: Option<(PathBuf, Key)>,
    ) -> Saving {
        let indexing =
            !matches!(index, IndexFrom::Skip) || after.as_ref().is_some_and(|a| a.indexing);
        let work = move || {
            // The index is built while the work before this one (a snapshot
            // being written) goes on.
            let index = match index {
                IndexFrom::Skip => None,
                IndexFrom::Build => Some(Arc::new(SearchIndex::build(&graph))),
                IndexFrom::Given(ix) => Some(ix),
            };
            let (before, before_note) = after.map_or((None, None), Saving::wait);
            let index = index.or(before);
            let note = snapshot_in.and_then(|(dir, key)| {
                snapshot::write(&dir, key, &graph, index.as_deref())
                    .err()
                    .map(|e| {
                        format!(
                            "could not save a snapshot in {}: {e} (the next start reads the data again)",
                            dir.display()
                        )
                    })
            });
            (index, before_note.or(note))
        };
        let what = if indexing {
            "the search index"
        } else {
            "the snapshot"
        };
        Saving {
            job: Some(Job::spawn(what, move |_| work())),
            indexing,
        }
    }

    /// The work `job` does, whose result is an index and a note (a test
    /// gives one that fails).
    pub fn from_job(job: Job<Outcome>, indexing: bool) -> Saving {
        Saving {
            job: Some(job),
            indexing,
        }
    }

    /// Calls `notify` when the work ends (at once if it has).
    pub fn on_done(&self, notify: Notify) {
        if let Some(job) = &self.job {
            job.on_done(notify);
        }
    }

    /// Whether the index is built and the snapshot written (or the work
    /// failed).
    pub fn is_finished(&mut self) -> bool {
        match &mut self.job {
            Some(job) => {
                job.poll();
                !job.is_running()
            }
            None => true,
        }
    }

    /// Waits for the index and the snapshot. Returns the index (`None` if the
    /// work failed) and a note if the snapshot could not be saved.
    pub fn wait(self) -> (Option<Arc<SearchIndex>>, Option<String>) {
        match self.finish() {
            Ok(outcome) => outcome,
            Err(e) => (None, Some(e.to_string())),
        }
    }

    /// Waits for the work; how it ended, a panic in it included.
    pub fn finish(mut self) -> Result<Outcome, JobError> {
        let mut job = self.job.take().ok_or(JobError::Died {
            what: "the snapshot",
        })?;
        job.wait();
        job.take()
            .unwrap_or(Err(JobError::Died { what: job.what() }))
    }

    /// Waits for the work, asking `interrupted` every `tick` whether to stop:
    /// when it gives a signal's number, the work is abandoned and that number
    /// returned.
    pub fn wait_unless(
        mut self,
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
        // Not waited for: the process ending decides whether it finishes.
        drop(self.job.take());
    }
}

impl Drop for Saving {
    fn drop(&mut self) {
        if let Some(job) = &mut self.job {
            job.wait();
        }
    }
}
