//! Searching off the UI thread: every query submitted cancels the one running, so
//! typing never waits for a search of a large graph.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Hit, SearchIndex, Session};
use crate::graph::{Graph, NodeIx};

/// Which entities a search may return.
pub type Keep = Arc<dyn Fn(NodeIx) -> bool + Send + Sync>;

/// A finished search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchResult {
    /// What [`SearchWorker::submit`] returned for this query.
    pub id: u64,
    pub query: String,
    pub hits: Vec<Hit>,
}

struct Request {
    id: u64,
    query: String,
    limit: usize,
    keep: Keep,
}

/// Runs searches on a thread of its own, one at a time, newest first; a new
/// query cancels the one running. Narrows incrementally like a
/// [`Searcher`](super::Searcher), from the last query that finished.
pub struct SearchWorker {
    latest: Arc<AtomicU64>,
    requests: Option<mpsc::Sender<Request>>,
    results: mpsc::Receiver<SearchResult>,
    thread: Option<JoinHandle<()>>,
    /// Used only if the thread could not be started or has died: searches then
    /// run in `submit`.
    index: Arc<SearchIndex>,
    graph: Arc<Graph>,
    inline: Session,
    results_tx: mpsc::Sender<SearchResult>,
}

impl std::fmt::Debug for SearchWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchWorker")
            .field("latest", &self.latest.load(Ordering::Relaxed))
            .field("threaded", &self.thread.is_some())
            .finish()
    }
}

impl SearchWorker {
    /// Starts the worker thread over `index`, which was built from `graph`.
    pub fn new(index: Arc<SearchIndex>, graph: Arc<Graph>) -> Self {
        let latest = Arc::new(AtomicU64::new(0));
        let (req_tx, req_rx) = mpsc::channel::<Request>();
        let (res_tx, res_rx) = mpsc::channel::<SearchResult>();
        let thread = {
            let latest = Arc::clone(&latest);
            let res_tx = res_tx.clone();
            let index = Arc::clone(&index);
            let graph = Arc::clone(&graph);
            std::thread::Builder::new()
                .name("ties-search".into())
                .spawn(move || serve(&index, &graph, &latest, &req_rx, &res_tx))
                .ok()
        };
        SearchWorker {
            latest,
            requests: thread.is_some().then_some(req_tx),
            results: res_rx,
            thread,
            index,
            graph,
            inline: Session::default(),
            results_tx: res_tx,
        }
    }

    /// Searches for `query` in the background, cancelling any search running.
    /// Returns the id its [`SearchResult`] will carry.
    pub fn submit(&mut self, query: &str, limit: usize, keep: Keep) -> u64 {
        let id = self.latest.load(Ordering::Relaxed).wrapping_add(1);
        self.latest.store(id, Ordering::Relaxed);
        let req = Request {
            id,
            query: query.to_string(),
            limit,
            keep,
        };
        let req = match &self.requests {
            Some(tx) => match tx.send(req) {
                Ok(()) => return id,
                Err(e) => e.0,
            },
            None => req,
        };
        // No thread: search here and now.
        self.requests = None;
        if let Some(hits) = self.inline.run(
            &self.index,
            &self.graph,
            &req.query,
            req.limit,
            &*req.keep,
            &|| false,
        ) {
            let _ = self.results_tx.send(SearchResult {
                id,
                query: req.query,
                hits,
            });
        }
        id
    }

    /// The id of the query submitted last.
    pub fn latest(&self) -> u64 {
        self.latest.load(Ordering::Relaxed)
    }

    /// The newest search that has finished since the last call, if any; older
    /// finished ones are dropped.
    pub fn try_recv(&self) -> Option<SearchResult> {
        let mut newest = None;
        while let Ok(r) = self.results.try_recv() {
            newest = Some(r);
        }
        newest
    }

    /// Waits up to `timeout` for the result of the query submitted last.
    pub fn recv_latest(&self, timeout: Duration) -> Option<SearchResult> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            match self.results.recv_timeout(left) {
                Ok(r) if r.id == self.latest() => return Some(r),
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
    }
}

fn serve(
    index: &SearchIndex,
    graph: &Graph,
    latest: &AtomicU64,
    requests: &mpsc::Receiver<Request>,
    results: &mpsc::Sender<SearchResult>,
) {
    let mut session = Session::default();
    while let Ok(mut req) = requests.recv() {
        // Only the newest request matters.
        while let Ok(r) = requests.try_recv() {
            req = r;
        }
        let id = req.id;
        let cancelled = || latest.load(Ordering::Relaxed) != id;
        if cancelled() {
            continue;
        }
        if let Some(hits) = session.run(index, graph, &req.query, req.limit, &*req.keep, &cancelled)
            && results
                .send(SearchResult {
                    id,
                    query: req.query,
                    hits,
                })
                .is_err()
        {
            return;
        }
    }
}

impl Drop for SearchWorker {
    fn drop(&mut self) {
        // Cancel whatever runs, close the queue, and wait for the thread to end.
        self.latest.store(u64::MAX, Ordering::Relaxed);
        self.requests = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
