//! A session on a graph database for an explorer: it fetches neighbourhoods
//! and searches on a worker thread and grows a local graph with the answers.
//!
//! A worker thread owns the connection ([`super::Backend`]); the caller sends
//! requests ([`Session::ensure`], [`Session::more`], [`Session::search`]) and
//! takes the answers with [`Session::poll`], so the caller never waits on the
//! network. Each answer carries the number of its request: an answer to a
//! request cancelled ([`Session::cancel`]) or overtaken by a newer one is
//! dropped. What comes back is merged into the caller's graph append-only
//! ([`super::merge`]): entities keep their indices, so history and marks stay
//! valid, and that graph is the cache of everything fetched: a neighbourhood
//! known is not asked again. Past [`CACHE_MAX`] entities the cache starts over
//! from the focus's neighbourhood.
//!
//! When the server goes away the worker reports it ([`Event::Failed`]), the
//! next request connects again, and the next answer says the server is back
//! ([`Event::BackOnline`]). Nothing here draws or knows of a terminal.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};

use super::{Backend, DbError, DbFilter, DbHit, DbUrl, Neighbourhood, Page, merge};
use crate::graph::{Graph, NodeIx};
use crate::job::{Job, Notify};
use crate::search::{Hit, MatchedField, SearchIndex, SearchSession};

/// How many relations of a ring one fetch brings (a hub's are paged).
pub const PAGE: usize = 500;

/// Past this many entities in the cache, it starts over from the focus: the
/// explorer stays under 100 MB (51 MB measured with 37,500 cached).
pub const CACHE_MAX: usize = 60_000;

/// How many candidates the server's index offers the local ranking.
const SEARCH_CANDIDATES: usize = 100;

/// A neighbourhood to fetch: around `id` (at `node` locally), `depth` rings,
/// through `filter`, the first ring from `offset`.
#[derive(Debug, Clone, PartialEq)]
pub struct Want {
    pub node: NodeIx,
    pub id: String,
    pub depth: usize,
    pub filter: DbFilter,
    pub offset: usize,
}

/// How a session's first view was fetched (by the command line, before the
/// explorer opened).
#[derive(Debug, Clone)]
pub struct Start {
    pub url: DbUrl,
    /// The database keys of the first view's relations.
    pub keys: Vec<Box<str>>,
    /// The first view: its focus's id, depth and paging.
    pub focus: String,
    pub depth: usize,
    pub page: usize,
    pub first_ring: usize,
    pub truncated: bool,
}

/// What a worker is asked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Request {
    Fetch(u64, Want),
    Search(u64, String, usize),
}

/// The candidates a search found, ranked locally as the local search would.
#[derive(Debug)]
pub(crate) struct Found {
    pub graph: Graph,
    pub keys: Vec<Box<str>>,
    /// Local ranking of the candidates (nodes of `graph`).
    pub ranked: Vec<Hit>,
    /// The server's hits, best first.
    pub hits: Vec<DbHit>,
}

/// What a worker answers.
#[derive(Debug)]
pub(crate) enum Reply {
    Fetched(u64, Want, Result<Neighbourhood, DbError>),
    Found(u64, String, Result<Found, DbError>),
}

/// How much of a neighbourhood's first ring is fetched after an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// All of it, in one answer.
    Whole,
    /// A hub: `fetched` of its `total` relations through this filter.
    Paged { fetched: usize, total: usize },
    /// The last page of a hub came: all `total` relations are fetched.
    Completed { total: usize },
}

/// What [`Session::poll`] found.
#[derive(Debug)]
pub enum Event {
    /// A neighbourhood was merged into the graph; `node` is its focus there.
    Fetched { node: NodeIx, paging: Paging },
    /// The cache was full: the graph was replaced by one holding only this
    /// answer, with `focus` at the same entity. `old` is the graph before
    /// (for whatever the caller held of it: filters' kind symbols); `before`
    /// its entity count. Node indices of `old` mean nothing in the new graph.
    StartedOver {
        focus: NodeIx,
        before: usize,
        old: Arc<Graph>,
    },
    /// A fetch (or, with `search`, a search) failed: the server is
    /// unreachable. The next request connects again.
    Failed { error: DbError, search: bool },
    /// An answer came after a failure.
    BackOnline,
    /// An answer could not be added to the graph (it is full); nothing changed.
    NotMerged { error: String, search: bool },
    /// The hits for `query`, as nodes of the graph, ranked as local search
    /// ranks them, then the server's other hits in its order. `submit`: the
    /// caller asked to pick the first once they came
    /// ([`Session::submit_when_found`]).
    Found {
        query: String,
        hits: Vec<Hit>,
        submit: bool,
    },
    /// The worker is gone (it panicked or its thread ended): what was asked
    /// is not coming; `why` says how it ended. The next request goes to a new
    /// worker.
    WorkerGone { fetching: Option<Want>, why: String },
}

/// Opens a connection for the worker.
pub type Connect = Box<dyn FnMut() -> Result<Box<dyn Backend>, DbError> + Send>;

/// Runs a worker over its channels; the session calls it again when a worker
/// died. Tests replace it.
pub(crate) type Spawn = Box<
    dyn FnMut(mpsc::Receiver<Request>, mpsc::Sender<Reply>, Arc<Latest>) -> Option<Job<()>> + Send,
>;

/// The newest fetch and search asked for: the worker skips older ones.
#[derive(Debug, Default)]
pub(crate) struct Latest {
    pub fetch: AtomicU64,
    pub search: AtomicU64,
}

/// What a session knows of the database and what it is waiting for.
pub struct Session {
    requests: mpsc::Sender<Request>,
    replies: mpsc::Receiver<Reply>,
    /// The worker's thread, to learn why it ended.
    worker: Option<Job<()>>,
    latest: Arc<Latest>,
    spawn: Spawn,
    next: u64,
    keys: merge::Keys,
    /// Neighbourhoods fetched whole (to a depth, through a filter), by entity.
    complete: HashMap<NodeIx, Vec<(DbFilter, usize)>>,
    /// Hubs whose first ring was paged, per filter: (filter, relations
    /// fetched, in all).
    paged: HashMap<NodeIx, Vec<(DbFilter, usize, usize)>>,
    /// The fetch under way.
    pending: Option<(u64, Want)>,
    /// The last fetch cancelled or failed: not asked again until the caller
    /// wants another.
    settled: Option<Want>,
    /// The search under way, and whether Enter waits for it.
    searching: Option<(u64, String)>,
    submit_when_found: bool,
    /// The last request failed: the next answer says the server is back.
    offline: bool,
    /// Answers that came while the graph was shared: merged once it is not.
    deferred: VecDeque<Reply>,
    /// Past this many entities the cache starts over ([`CACHE_MAX`]).
    cache_max: usize,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("pending", &self.pending)
            .field("searching", &self.searching)
            .field("offline", &self.offline)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A session on `start.url`, whose first view is `graph`; `notify` is
    /// called on the worker thread when an answer is ready (to wake an event
    /// loop).
    pub fn start(start: &Start, graph: &Graph, notify: impl Fn() + Send + Sync + 'static) -> Self {
        let url = start.url.clone();
        let connect: Connect = Box::new(move || super::connect_interactive(&url));
        Self::with_connect(start, graph, connect, notify)
    }

    /// [`Session::start`], connecting with `connect` (a fake server, in tests).
    pub fn with_connect(
        start: &Start,
        graph: &Graph,
        connect: Connect,
        notify: impl Fn() + Send + Sync + 'static,
    ) -> Self {
        let connect = Arc::new(std::sync::Mutex::new(connect));
        let notify: Notify = Arc::new(notify);
        let spawn: Spawn = Box::new(move |inbox, outbox, latest| {
            let (connect, wake) = (Arc::clone(&connect), Arc::clone(&notify));
            let job = Job::spawn("the database worker", move |_| {
                let mut connect = || match connect.lock() {
                    Ok(mut c) => c(),
                    Err(p) => p.into_inner()(),
                };
                worker(&mut connect, inbox, outbox, &latest, &*wake);
            });
            // Also when the worker ends by a panic: the caller wakes and
            // finds the channel closed.
            job.on_done(Arc::clone(&notify));
            Some(job)
        });
        let mut session = Self::with_spawn(spawn);
        session.first_view(start, graph);
        session
    }

    /// A session whose workers `spawn` runs.
    pub(crate) fn with_spawn(mut spawn: Spawn) -> Self {
        let latest = Arc::new(Latest::default());
        let (requests, replies, worker) = channels(&mut spawn, &latest);
        Session {
            requests,
            replies,
            worker,
            latest,
            spawn,
            next: 0,
            keys: Default::default(),
            complete: HashMap::new(),
            paged: HashMap::new(),
            pending: None,
            settled: None,
            searching: None,
            submit_when_found: false,
            offline: false,
            deferred: VecDeque::new(),
            cache_max: CACHE_MAX,
        }
    }

    /// Records what the first view holds.
    fn first_view(&mut self, start: &Start, graph: &Graph) {
        self.keys = merge::keys_of(graph, &start.keys);
        if let Some(node) = graph.find(&start.focus) {
            let filter = DbFilter::default();
            self.complete
                .insert(node, vec![(filter.clone(), start.depth)]);
            // Truncated may mean only the second ring was cut: the focus is
            // paged when its own ring is longer than a page.
            if start.truncated && start.first_ring > start.page {
                self.paged
                    .insert(node, vec![(filter, start.page, start.first_ring)]);
            }
        }
    }

    /// Past `max` entities the cache starts over.
    pub fn set_cache_max(&mut self, max: usize) {
        self.cache_max = max;
    }

    fn send(&mut self, request: impl FnOnce(u64) -> Request) -> u64 {
        self.next += 1;
        let seq = self.next;
        let request = request(seq);
        match &request {
            Request::Fetch(..) => self.latest.fetch.store(seq, Ordering::SeqCst),
            Request::Search(..) => self.latest.search.store(seq, Ordering::SeqCst),
        }
        if let Err(mpsc::SendError(request)) = self.requests.send(request) {
            // The worker is gone: a new one takes the request.
            self.restart();
            let _ = self.requests.send(request);
        }
        seq
    }

    /// True if `node`'s neighbourhood to `depth` through `filter` is known:
    /// fetched through that filter, or through none (a superset) unless a
    /// page limit cut it (a hub's first page through no filter is not the
    /// first page through another).
    pub fn is_complete(&self, node: NodeIx, depth: usize, filter: &DbFilter) -> bool {
        let whole = self.paged(node, &DbFilter::default()).is_none();
        self.complete.get(&node).is_some_and(|done| {
            done.iter()
                .any(|(f, d)| *d >= depth && (f == filter || (whole && *f == DbFilter::default())))
        })
    }

    /// How many of `node`'s relations through `filter` are fetched, and how
    /// many the server counted, when its first ring was paged.
    pub fn paged(&self, node: NodeIx, filter: &DbFilter) -> Option<(usize, usize)> {
        self.paged
            .get(&node)?
            .iter()
            .find(|(f, ..)| f == filter)
            .map(|&(_, fetched, total)| (fetched, total))
    }

    /// The fetch under way.
    pub fn loading(&self) -> Option<&Want> {
        self.pending.as_ref().map(|(_, w)| w)
    }

    /// A search is under way.
    pub fn searching(&self) -> bool {
        self.searching.is_some()
    }

    /// Asks for `want` unless it is known, asked for already, or was just
    /// cancelled or failed (until another is wanted). True if asked.
    pub fn ensure(&mut self, want: Want) -> bool {
        if self.settled.as_ref() != Some(&want) {
            self.settled = None;
        }
        if self.is_complete(want.node, want.depth, &want.filter)
            || self.loading() == Some(&want)
            || self.settled.is_some()
        {
            return false;
        }
        let seq = self.send(|seq| Request::Fetch(seq, want.clone()));
        self.pending = Some((seq, want));
        true
    }

    /// Asks for the next page of `want`'s first ring (a hub's), if there is
    /// one and nothing else is being fetched. True if asked.
    pub fn more(&mut self, want: Want) -> bool {
        let Some((fetched, total)) = self.paged(want.node, &want.filter) else {
            return false;
        };
        if fetched >= total || self.pending.is_some() {
            return false;
        }
        let want = Want {
            depth: 1,
            offset: fetched,
            ..want
        };
        let seq = self.send(|seq| Request::Fetch(seq, want.clone()));
        self.pending = Some((seq, want));
        true
    }

    /// Stops waiting for the fetch under way: its answer is dropped and it is
    /// not asked again until another is wanted. The fetch stopped, if any.
    pub fn cancel(&mut self) -> Option<Want> {
        let (_, want) = self.pending.take()?;
        // Requests still queued are skipped, answers dropped.
        self.next += 1;
        self.latest.fetch.store(self.next, Ordering::SeqCst);
        self.settled = Some(want.clone());
        Some(want)
    }

    /// Searches the server for `query`, its hits ranked locally, at most
    /// `limit`. An empty query stops the search under way and asks nothing:
    /// false then.
    pub fn search(&mut self, query: &str, limit: usize) -> bool {
        // An Enter given while an earlier query was searched was for that one.
        self.submit_when_found = false;
        if query.trim().is_empty() {
            self.searching = None;
            return false;
        }
        let query = query.to_string();
        let seq = self.send(|seq| Request::Search(seq, query.clone(), limit));
        self.searching = Some((seq, query));
        true
    }

    /// While a search is under way: its answer is to be picked at once
    /// ([`Event::Found`]'s `submit`). False when no search is under way.
    pub fn submit_when_found(&mut self) -> bool {
        if self.searching.is_some() {
            self.submit_when_found = true;
        }
        self.searching.is_some()
    }

    /// Forgets everything known of the cache (it starts over).
    fn forget(&mut self) {
        self.keys.clear();
        self.complete.clear();
        self.paged.clear();
        self.settled = None;
    }

    /// Takes the worker's answers, merging them into `graph` (whose focus is
    /// `focus`). An answer is merged only while nothing else holds `graph`
    /// (a ranking on another thread, say): growing it then would copy it
    /// whole; such answers wait for the next poll.
    pub fn poll(&mut self, graph: &mut Arc<Graph>, focus: NodeIx) -> Vec<Event> {
        let mut events = Vec::new();
        loop {
            let reply = match self.deferred.pop_front() {
                Some(r) => r,
                None => match self.replies.try_recv() {
                    Ok(r) => r,
                    Err(mpsc::TryRecvError::Empty) => break,
                    Err(mpsc::TryRecvError::Disconnected) => {
                        if let Some(e) = self.worker_gone() {
                            events.push(e);
                        }
                        break;
                    }
                },
            };
            let needs_graph = match &reply {
                Reply::Fetched(seq, _, Ok(_)) => self.is_pending(*seq),
                Reply::Found(seq, _, Ok(_)) => self.is_searching(*seq),
                _ => false,
            };
            if needs_graph && Arc::get_mut(graph).is_none() {
                self.deferred.push_front(reply);
                break;
            }
            match reply {
                Reply::Fetched(seq, want, r) => {
                    self.fetched(seq, want, r, graph, focus, &mut events)
                }
                Reply::Found(seq, query, r) => self.found(seq, query, r, graph, &mut events),
            }
        }
        events
    }

    /// True while answers wait for the graph to be held by the session's
    /// caller alone.
    pub fn has_deferred(&self) -> bool {
        !self.deferred.is_empty()
    }

    fn is_pending(&self, seq: u64) -> bool {
        self.pending.as_ref().map(|(s, _)| *s) == Some(seq)
    }

    fn is_searching(&self, seq: u64) -> bool {
        self.searching.as_ref().map(|(s, _)| *s) == Some(seq)
    }

    /// The worker's channel closed: what was asked is settled, and a new
    /// worker is started for the next request.
    fn worker_gone(&mut self) -> Option<Event> {
        let why = match self.worker.as_mut().and_then(Job::wait) {
            Some(Err(e)) => e.to_string(),
            _ => "the database worker stopped".to_string(),
        };
        self.restart();
        let fetching = self.pending.take().map(|(_, w)| w);
        let searched = self.searching.take().is_some();
        self.submit_when_found = false;
        if let Some(w) = &fetching {
            self.settled = Some(w.clone());
        }
        (fetching.is_some() || searched).then_some(Event::WorkerGone { fetching, why })
    }

    /// A new worker, on new channels.
    fn restart(&mut self) {
        let (requests, replies, worker) = channels(&mut self.spawn, &self.latest);
        self.requests = requests;
        self.replies = replies;
        self.worker = worker;
    }

    fn failed(&mut self, error: DbError, search: bool, events: &mut Vec<Event>) {
        self.offline = true;
        events.push(Event::Failed { error, search });
    }

    fn answered(&mut self, events: &mut Vec<Event>) {
        if std::mem::take(&mut self.offline) {
            events.push(Event::BackOnline);
        }
    }

    fn fetched(
        &mut self,
        seq: u64,
        want: Want,
        r: Result<Neighbourhood, DbError>,
        graph: &mut Arc<Graph>,
        focus: NodeIx,
        events: &mut Vec<Event>,
    ) {
        if !self.is_pending(seq) {
            return;
        }
        self.pending = None;
        let n = match r {
            Ok(n) => n,
            Err(e) => {
                self.settled = Some(want);
                return self.failed(e, false, events);
            }
        };
        self.answered(events);
        // Start over only from the entity shown, with the answer holding it:
        // an answer for an earlier focus, or for an entity gone from the
        // server, is merged (going past the cap for once) rather than
        // emptying the cache under the focus.
        if want.node == focus
            && n.graph.find(&want.id).is_some()
            && graph.node_count() + n.graph.node_count() > self.cache_max
            && let Some((event, nodes)) = self.start_over(&want, &n, graph)
        {
            let node = match &event {
                Event::StartedOver { focus, .. } => *focus,
                _ => want.node,
            };
            events.push(event);
            self.record(&want, &n, node, &nodes);
            events.push(Event::Fetched {
                node,
                paging: self.paging(&want, &n, node),
            });
            return;
        }
        let Some(g) = Arc::get_mut(graph) else {
            // Not reached: poll defers answers while the graph is shared.
            self.settled = Some(want);
            return;
        };
        let merged = match merge::merge(g, &mut self.keys, &n.graph, &n.keys) {
            Ok(m) => m,
            Err(e) => {
                self.settled = Some(want);
                events.push(Event::NotMerged {
                    error: e.to_string(),
                    search: false,
                });
                return;
            }
        };
        let node = n
            .graph
            .find(&want.id)
            .map_or(want.node, |f| merged.nodes[f.index()]);
        self.record(&want, &n, node, &merged.nodes);
        events.push(Event::Fetched {
            node,
            paging: self.paging(&want, &n, node),
        });
    }

    /// Notes what an answer made known: `node`'s neighbourhood, and with two
    /// rings fetched whole, its first ring's own (`nodes`: where the answer's
    /// entities are in the graph).
    fn record(&mut self, want: &Want, n: &Neighbourhood, node: NodeIx, nodes: &[NodeIx]) {
        let done = self.complete.entry(node).or_default();
        if !done.contains(&(want.filter.clone(), want.depth)) {
            done.push((want.filter.clone(), want.depth));
        }
        if want.depth >= 2
            && !n.truncated
            && let Some(f) = n.graph.find(&want.id)
        {
            // The second ring was fetched whole: the entities of this answer's
            // first ring (not every tie cached earlier, through another
            // filter) are known to one ring.
            for tie in n.graph.ties(f).collect::<Vec<_>>() {
                let other = nodes[tie.other.index()];
                let done = self.complete.entry(other).or_default();
                if !done.contains(&(want.filter.clone(), 1)) {
                    done.push((want.filter.clone(), 1));
                }
            }
        }
    }

    /// Paging is kept per filter: a page through one says nothing of another.
    fn paging(&mut self, want: &Want, n: &Neighbourhood, node: NodeIx) -> Paging {
        let fetched = want.offset + PAGE.min(n.first_ring.saturating_sub(want.offset));
        if n.truncated && fetched < n.first_ring {
            let pages = self.paged.entry(node).or_default();
            pages.retain(|(f, ..)| *f != want.filter);
            pages.push((want.filter.clone(), fetched, n.first_ring));
            Paging::Paged {
                fetched,
                total: n.first_ring,
            }
        } else if let Some(pages) = self.paged.get_mut(&node)
            && let Some(i) = pages.iter().position(|(f, ..)| *f == want.filter)
        {
            pages.remove(i);
            Paging::Completed {
                total: n.first_ring,
            }
        } else {
            Paging::Whole
        }
    }

    /// The cache is full: a new graph holding the answer alone replaces
    /// `graph`. Nothing changes when the answer does not fit a new graph.
    fn start_over(
        &mut self,
        want: &Want,
        n: &Neighbourhood,
        graph: &mut Arc<Graph>,
    ) -> Option<(Event, Vec<NodeIx>)> {
        let mut fresh = Graph::default();
        let mut keys = merge::Keys::default();
        let merged = merge::merge(&mut fresh, &mut keys, &n.graph, &n.keys).ok()?;
        let focus = fresh.find(&want.id)?;
        self.forget();
        self.keys = keys;
        let old = std::mem::replace(graph, Arc::new(fresh));
        let event = Event::StartedOver {
            focus,
            before: old.node_count(),
            old,
        };
        Some((event, merged.nodes))
    }

    fn found(
        &mut self,
        seq: u64,
        query: String,
        r: Result<Found, DbError>,
        graph: &mut Arc<Graph>,
        events: &mut Vec<Event>,
    ) {
        if !self.is_searching(seq) {
            return;
        }
        self.searching = None;
        let submit = std::mem::take(&mut self.submit_when_found);
        let found = match r {
            Ok(f) => f,
            Err(e) => return self.failed(e, true, events),
        };
        self.answered(events);
        let Some(g) = Arc::get_mut(graph) else {
            return;
        };
        let merged = match merge::merge(g, &mut self.keys, &found.graph, &found.keys) {
            Ok(m) => m,
            Err(e) => {
                events.push(Event::NotMerged {
                    error: e.to_string(),
                    search: true,
                });
                return;
            }
        };
        let mut hits: Vec<Hit> = found
            .ranked
            .into_iter()
            .map(|h| Hit {
                node: merged.nodes[h.node.index()],
                ..h
            })
            .collect();
        // The server's other hits (matched by its index, not by the local
        // ranking) follow, in its order.
        for h in &found.hits {
            if let Some(node) = g.find(&h.id)
                && !hits.iter().any(|k| k.node == node)
            {
                hits.push(Hit {
                    node,
                    score: 0,
                    field: MatchedField::Name,
                    text: h.name.clone(),
                    positions: Vec::new(),
                });
            }
        }
        events.push(Event::Found {
            query,
            hits,
            submit,
        });
    }
}

/// A new worker and its channels; when it cannot be started, requests go
/// nowhere and the next poll says the worker is gone.
fn channels(
    spawn: &mut Spawn,
    latest: &Arc<Latest>,
) -> (
    mpsc::Sender<Request>,
    mpsc::Receiver<Reply>,
    Option<Job<()>>,
) {
    let (requests, inbox) = mpsc::channel();
    let (outbox, replies) = mpsc::channel();
    let job = spawn(inbox, outbox, Arc::clone(latest));
    (requests, replies, job)
}

/// The worker: one request at a time, skipping those overtaken while queued.
pub(crate) fn worker(
    connect: &mut dyn FnMut() -> Result<Box<dyn Backend>, DbError>,
    inbox: mpsc::Receiver<Request>,
    outbox: mpsc::Sender<Reply>,
    latest: &Latest,
    notify: &dyn Fn(),
) {
    let mut backend: Option<Box<dyn Backend>> = None;
    for request in inbox {
        let (seq, newest) = match &request {
            Request::Fetch(seq, _) => (*seq, &latest.fetch),
            Request::Search(seq, ..) => (*seq, &latest.search),
        };
        if seq != newest.load(Ordering::SeqCst) {
            continue;
        }
        let connected = match backend.take() {
            Some(b) => Ok(b),
            None => connect(),
        };
        let reply = match (request, connected) {
            (Request::Fetch(seq, want), Ok(mut b)) => {
                let page = Page {
                    offset: want.offset,
                    limit: PAGE,
                };
                let r = b.neighbourhood(&[&want.id], want.depth, &want.filter, page);
                // A failed query may have left the connection broken: the
                // next request connects again.
                if r.is_ok() {
                    backend = Some(b);
                }
                Reply::Fetched(seq, want, r)
            }
            (Request::Fetch(seq, want), Err(e)) => Reply::Fetched(seq, want, Err(e)),
            (Request::Search(seq, query, limit), Ok(mut b)) => {
                let r = search(&mut *b, &query, limit);
                if r.is_ok() {
                    backend = Some(b);
                }
                Reply::Found(seq, query, r)
            }
            (Request::Search(seq, query, _), Err(e)) => Reply::Found(seq, query, Err(e)),
        };
        if outbox.send(reply).is_err() {
            return;
        }
        notify();
    }
}

/// The server's candidates for `query`, fetched and ranked as local search
/// ranks (the same folding, tiers and highlights), at most `limit`.
fn search(backend: &mut dyn Backend, query: &str, limit: usize) -> Result<Found, DbError> {
    let hits = backend.search(query, SEARCH_CANDIDATES)?;
    let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    let n = backend.neighbourhood(&ids, 0, &DbFilter::default(), Page::ALL)?;
    let index = SearchIndex::build(&n.graph);
    let ranked = SearchSession::default().update(&index, &n.graph, query, limit, &|_| true);
    Ok(Found {
        graph: n.graph,
        keys: n.keys,
        ranked,
        hits,
    })
}

/// A worker played by a test: the requests it was sent, and a way to
/// answer them.
#[cfg(test)]
pub(crate) struct FakeWorker {
    pub inbox: mpsc::Receiver<Request>,
    pub outbox: Option<mpsc::Sender<Reply>>,
    workers: mpsc::Receiver<(mpsc::Receiver<Request>, mpsc::Sender<Reply>)>,
}

#[cfg(test)]
impl FakeWorker {
    /// The fetch asked for, if any.
    pub fn asked(&self) -> Option<(u64, Want)> {
        match self.inbox.try_recv() {
            Ok(Request::Fetch(seq, want)) => Some((seq, want)),
            Ok(Request::Search(..)) => panic!("a search, not a fetch"),
            Err(_) => None,
        }
    }

    /// The search asked for, if any.
    pub fn asked_search(&self) -> Option<(u64, String)> {
        match self.inbox.try_recv() {
            Ok(Request::Search(seq, q, _)) => Some((seq, q)),
            Ok(Request::Fetch(..)) => panic!("a fetch, not a search"),
            Err(_) => None,
        }
    }

    pub fn reply(&self, reply: Reply) {
        self.outbox
            .as_ref()
            .expect("a live worker")
            .send(reply)
            .unwrap();
    }

    /// The worker dies (its channels close).
    pub fn die(&mut self) {
        self.outbox = None;
        let (_, inbox) = mpsc::channel();
        self.inbox = inbox;
    }

    /// The worker the session started after the last one died, if any.
    pub fn next_worker(&mut self) -> bool {
        match self.workers.try_recv() {
            Ok((inbox, outbox)) => {
                self.inbox = inbox;
                self.outbox = Some(outbox);
                true
            }
            Err(_) => false,
        }
    }
}

#[cfg(test)]
impl Session {
    /// A session whose worker is the test's.
    pub(crate) fn fake() -> (Session, FakeWorker) {
        let (tx, workers) = mpsc::channel();
        let spawn: Spawn = Box::new(move |inbox, outbox, _| {
            let _ = tx.send((inbox, outbox));
            None
        });
        let session = Session::with_spawn(spawn);
        let (inbox, outbox) = workers.recv().unwrap();
        let worker = FakeWorker {
            inbox,
            outbox: Some(outbox),
            workers,
        };
        (session, worker)
    }

    /// Says `node`'s first ring through `filter` is paged: `fetched` of
    /// `total` relations.
    pub(crate) fn set_paged(
        &mut self,
        node: NodeIx,
        filter: DbFilter,
        fetched: usize,
        total: usize,
    ) {
        self.paged.insert(node, vec![(filter, fetched, total)]);
    }

    /// Records `node`'s neighbourhood as known to `depth` (a first view).
    pub(crate) fn knows(&mut self, graph: &Graph, keys: &[Box<str>], node: NodeIx, depth: usize) {
        self.keys = merge::keys_of(graph, keys);
        self.complete
            .insert(node, vec![(DbFilter::default(), depth)]);
    }
}

/// The small graphs the session's tests and the explorer's fetching tests
/// share.
#[cfg(test)]
pub(crate) mod fixtures {
    use crate::graph::Graph;

    pub(crate) fn graph(text: &str) -> Graph {
        crate::load::load_texts(vec![("t.ron".to_string(), text.to_string())])
            .expect("fixture loads")
    }

    /// The first view: a → b (fetched two rings deep from a, so b's own
    /// relations are not known yet).
    pub(crate) const FIRST: &str = r#"Graph(
    entities: [
        Entity(id: "a", kind: person, name: "Alpha"),
        Entity(id: "b", kind: person, name: "Bravo"),
    ],
    relations: [Relation(from: "a", to: "b", kind: met)],
)"#;

    /// What the server says of b: a → b and b → c.
    pub(crate) const AROUND_B: &str = r#"Graph(
    entities: [
        Entity(id: "b", kind: person, name: "Bravo"),
        Entity(id: "a", kind: person, name: "Alpha"),
        Entity(id: "c", kind: person, name: "Charlie"),
    ],
    relations: [
        Relation(from: "a", to: "b", kind: met),
        Relation(from: "b", to: "c", kind: met, date: "2024"),
    ],
)"#;
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
