//! The explorer on a graph database (`--db`): it fetches as the user moves.
//!
//! A worker thread owns the connection ([`crate::db::Backend`]); the event
//! loop sends it requests (a neighbourhood, a search) and polls for the
//! answers, so the screen never waits on the network. Each answer carries the
//! number of its request: an answer to a request cancelled (`Esc`) or
//! overtaken by a newer one is dropped. What comes back is merged into the
//! explorer's graph append-only ([`crate::db::merge`]): entities keep their
//! indices, so history and marks stay valid, and that graph is the cache of
//! everything fetched: going back to an entity whose neighbourhood is known
//! asks nothing of the server. Past [`CACHE_MAX`] entities the cache starts
//! over from the focus's neighbourhood.
//!
//! When the server goes away the worker reports it, the status bar says so,
//! the explorer keeps working on what it has, and the next request connects
//! again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};

use super::app::App;
use super::popup::Popup;
use crate::db::{self, DbError, DbFilter, DbHit, DbUrl, Neighbourhood, Page, merge};
use crate::graph::{Graph, NodeIx};
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

enum Request {
    Fetch(u64, Want),
    Search(u64, String),
}

/// The candidates a search found, ranked locally as the local search would.
struct Found {
    graph: Graph,
    keys: Vec<Box<str>>,
    /// Local ranking of the candidates (nodes of `graph`).
    ranked: Vec<Hit>,
    /// The server's hits, best first.
    hits: Vec<DbHit>,
}

enum Reply {
    Fetched(u64, Want, Result<Neighbourhood, DbError>),
    Found(u64, String, Result<Found, DbError>),
}

/// What the explorer knows of the database and what it is waiting for.
pub struct Remote {
    requests: mpsc::Sender<Request>,
    replies: mpsc::Receiver<Reply>,
    latest_fetch: Arc<AtomicU64>,
    latest_search: Arc<AtomicU64>,
    next: u64,
    keys: merge::Keys,
    /// Neighbourhoods fetched whole (to a depth, through a filter), by entity.
    complete: HashMap<NodeIx, Vec<(DbFilter, usize)>>,
    /// Hubs whose first ring was paged, per filter: (filter, relations
    /// fetched, in all).
    paged: HashMap<NodeIx, Vec<(DbFilter, usize, usize)>>,
    /// The fetch under way.
    pub pending: Option<(u64, Want)>,
    /// The last fetch cancelled or failed: not asked again until the user
    /// moves (or changes the filter).
    settled: Option<Want>,
    /// The search under way, and whether Enter waits for it.
    searching: Option<(u64, String)>,
    submit_when_found: bool,
    /// The last request failed: the next answer says the server is back.
    offline: bool,
    /// The status line said this about a fetch: the next fetch clears it.
    note: Option<String>,
    /// Past this many entities the cache starts over ([`CACHE_MAX`]).
    cache_max: usize,
}

/// How the explorer's first view was fetched (by the command line, before the
/// explorer opened).
pub struct RemoteStart {
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

impl Remote {
    /// Starts the worker for `start.url`; `notify` wakes the event loop when
    /// an answer is ready. `graph` is the first view's.
    pub fn start(start: RemoteStart, graph: &Graph, notify: impl Fn() + Send + 'static) -> Remote {
        let (requests, inbox) = mpsc::channel();
        let (outbox, replies) = mpsc::channel();
        let mut remote = Remote::new(requests, replies);
        let (lf, ls) = (
            Arc::clone(&remote.latest_fetch),
            Arc::clone(&remote.latest_search),
        );
        let url = start.url.clone();
        let _ = std::thread::Builder::new()
            .name("ties-db".into())
            .spawn(move || worker(url, inbox, outbox, lf, ls, notify));
        remote.keys = merge::keys_of(graph, &start.keys);
        if let Some(node) = graph.find(&start.focus) {
            let filter = DbFilter::default();
            remote
                .complete
                .insert(node, vec![(filter.clone(), start.depth)]);
            // Truncated may mean only the second ring was cut: the focus is
            // paged when its own ring is longer than a page.
            if start.truncated && start.first_ring > start.page {
                remote
                    .paged
                    .insert(node, vec![(filter, start.page, start.first_ring)]);
            }
        }
        remote
    }

    /// Talking to a worker over these channels.
    fn new(requests: mpsc::Sender<Request>, replies: mpsc::Receiver<Reply>) -> Remote {
        Remote {
            requests,
            replies,
            latest_fetch: Arc::default(),
            latest_search: Arc::default(),
            next: 0,
            keys: Default::default(),
            complete: HashMap::new(),
            paged: HashMap::new(),
            pending: None,
            settled: None,
            searching: None,
            submit_when_found: false,
            offline: false,
            note: None,
            cache_max: CACHE_MAX,
        }
    }

    fn send(&mut self, request: impl FnOnce(u64) -> Request) -> u64 {
        self.next += 1;
        let seq = self.next;
        let request = request(seq);
        match &request {
            Request::Fetch(..) => self.latest_fetch.store(seq, Ordering::SeqCst),
            Request::Search(..) => self.latest_search.store(seq, Ordering::SeqCst),
        }
        let _ = self.requests.send(request);
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

    /// A fetch is under way.
    pub fn loading(&self) -> Option<&Want> {
        self.pending.as_ref().map(|(_, w)| w)
    }

    fn cancel(&mut self) -> Option<Want> {
        let (_, want) = self.pending.take()?;
        // Requests still queued are skipped, answers dropped.
        self.next += 1;
        self.latest_fetch.store(self.next, Ordering::SeqCst);
        self.settled = Some(want.clone());
        Some(want)
    }

    fn forget(&mut self) {
        self.keys.clear();
        self.complete.clear();
        self.paged.clear();
        self.settled = None;
    }
}

/// What the status line says of a hub paged.
fn hub_note(name: &str, fetched: usize, total: usize) -> String {
    format!("{name} has {total} relations; {fetched} fetched, more as you scroll down")
}

/// The worker: one request at a time, skipping those overtaken while queued.
fn worker(
    url: DbUrl,
    inbox: mpsc::Receiver<Request>,
    outbox: mpsc::Sender<Reply>,
    latest_fetch: Arc<AtomicU64>,
    latest_search: Arc<AtomicU64>,
    notify: impl Fn(),
) {
    let mut backend: Option<Box<dyn db::Backend>> = None;
    for request in inbox {
        let (seq, latest) = match &request {
            Request::Fetch(seq, _) => (*seq, &latest_fetch),
            Request::Search(seq, _) => (*seq, &latest_search),
        };
        if seq != latest.load(Ordering::SeqCst) {
            continue;
        }
        let connected = match backend.take() {
            Some(b) => Ok(b),
            None => db::connect_interactive(&url),
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
            (Request::Search(seq, query), Ok(mut b)) => {
                let r = search(&mut *b, &query);
                if r.is_ok() {
                    backend = Some(b);
                }
                Reply::Found(seq, query, r)
            }
            (Request::Search(seq, query), Err(e)) => Reply::Found(seq, query, Err(e)),
        };
        if outbox.send(reply).is_err() {
            return;
        }
        notify();
    }
}

/// The server's candidates for `query`, fetched and ranked as local search
/// ranks (the same folding, tiers and highlights).
fn search(backend: &mut dyn db::Backend, query: &str) -> Result<Found, DbError> {
    let hits = backend.search(query, SEARCH_CANDIDATES)?;
    let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    let n = backend.neighbourhood(&ids, 0, &DbFilter::default(), Page::ALL)?;
    let index = SearchIndex::build(&n.graph);
    let ranked = SearchSession::default().update(
        &index,
        &n.graph,
        query,
        super::popup::search::SEARCH_LIMIT,
        &|_| true,
    );
    Ok(Found {
        graph: n.graph,
        keys: n.keys,
        ranked,
        hits,
    })
}

impl App {
    /// Explores the database `start` names from now on.
    pub fn connect_remote(&mut self, start: RemoteStart, notify: impl Fn() + Send + 'static) {
        let name = self
            .graph
            .find(&start.focus)
            .map_or(start.focus.as_str(), |n| self.graph.entity(n).name);
        let paged = start
            .truncated
            .then(|| hub_note(name, start.page, start.first_ring));
        self.remote = Some(Remote::start(start, &self.graph, notify));
        self.search_worker = None;
        self.indexing = false;
        if let Some(note) = paged {
            self.note(note);
        }
    }

    /// Says something about fetching in the status line, until the next fetch.
    fn note(&mut self, text: String) {
        self.set_status(text.clone(), false);
        if let Some(remote) = &mut self.remote {
            remote.note = Some(text);
        }
    }

    /// Clears the last note about fetching, if it is still shown.
    fn clear_note(&mut self) {
        let note = self.remote.as_mut().and_then(|r| r.note.take());
        if note.is_some() && self.status.as_ref().map(|s| &s.text) == note.as_ref() {
            self.status = None;
        }
    }

    /// What the view needs fetched now: the focus's rings (two with the map)
    /// through the filter.
    fn want(&self) -> Want {
        Want {
            node: self.focus,
            id: self.graph.entity(self.focus).id.to_string(),
            depth: if self.map.is_some() { 2 } else { 1 },
            filter: DbFilter::from_filter(&self.filter, &self.graph),
            offset: 0,
        }
    }

    /// Asks for what the view needs, unless it is known, asked for already,
    /// or was just cancelled or failed.
    pub(super) fn fetch_if_needed(&mut self) {
        let want = self.want();
        let Some(remote) = &mut self.remote else {
            return;
        };
        if remote.settled.as_ref() != Some(&want) {
            remote.settled = None;
        }
        if remote.is_complete(want.node, want.depth, &want.filter)
            || remote.loading() == Some(&want)
            || remote.settled.is_some()
        {
            return;
        }
        let seq = remote.send(|seq| Request::Fetch(seq, want.clone()));
        remote.pending = Some((seq, want));
    }

    /// The next page of a hub's relations, when the cursor reached the end
    /// of those fetched.
    pub(super) fn fetch_more_if_at_end(&mut self) {
        let l = self.list(self.pane);
        if l.ties.is_empty() || l.selected + 1 < l.ties.len() {
            return;
        }
        let want = self.want();
        let Some(remote) = &mut self.remote else {
            return;
        };
        let Some((fetched, total)) = remote.paged(want.node, &want.filter) else {
            return;
        };
        if fetched >= total || remote.pending.is_some() {
            return;
        }
        let want = Want {
            depth: 1,
            offset: fetched,
            ..want
        };
        let seq = remote.send(|seq| Request::Fetch(seq, want.clone()));
        remote.pending = Some((seq, want));
    }

    /// `Esc` while fetching: stop waiting, keep what is known.
    pub(super) fn cancel_fetch(&mut self) -> bool {
        let Some(want) = self.remote.as_mut().and_then(Remote::cancel) else {
            return false;
        };
        let name = self.graph.entity(want.node).name.to_string();
        self.set_status(
            format!("stopped fetching {name}: showing what was fetched"),
            false,
        );
        true
    }

    /// Takes the worker's answers. True if the screen changed.
    pub fn poll_remote(&mut self) -> bool {
        let mut changed = false;
        loop {
            let Some(remote) = &mut self.remote else {
                return changed;
            };
            let reply = match remote.replies.try_recv() {
                Ok(r) => r,
                Err(_) => return changed,
            };
            changed |= match reply {
                Reply::Fetched(seq, want, r) => self.fetched(seq, want, r),
                Reply::Found(seq, query, r) => self.found(seq, query, r),
            };
        }
    }

    fn failed(&mut self, e: &DbError) {
        if let Some(remote) = &mut self.remote {
            remote.offline = true;
        }
        self.set_status(
            format!("database unreachable, showing what was fetched (moving retries): {e}"),
            true,
        );
    }

    fn back_online(&mut self) {
        if let Some(remote) = &mut self.remote
            && std::mem::take(&mut remote.offline)
        {
            self.set_status("the database answers again", false);
        }
    }

    fn fetched(&mut self, seq: u64, want: Want, r: Result<Neighbourhood, DbError>) -> bool {
        let Some(remote) = &mut self.remote else {
            return false;
        };
        if remote.pending.as_ref().map(|(s, _)| *s) != Some(seq) {
            return false;
        }
        remote.pending = None;
        let n = match r {
            Ok(n) => n,
            Err(e) => {
                remote.settled = Some(want);
                self.failed(&e);
                return true;
            }
        };
        self.back_online();
        self.clear_note();
        // Start over only from the entity shown, with the answer holding it: an
        // answer for an earlier focus, or for an entity gone from the server,
        // is merged (going past the cap for once) rather than emptying the
        // cache under the focus.
        if want.node == self.focus
            && n.graph.find(&want.id).is_some()
            && self
                .remote
                .as_ref()
                .is_some_and(|r| self.graph.node_count() + n.graph.node_count() > r.cache_max)
        {
            self.start_over(&want, &n);
        }
        let Some(remote) = &mut self.remote else {
            return false;
        };
        let graph = Arc::make_mut(&mut self.graph);
        let merged = match merge::merge(graph, &mut remote.keys, &n.graph, &n.keys) {
            Ok(m) => m,
            Err(e) => {
                self.set_status(format!("the fetched neighbourhood does not fit: {e}"), true);
                return true;
            }
        };
        let node = n
            .graph
            .find(&want.id)
            .map_or(want.node, |f| merged.nodes[f.index()]);
        let done = remote.complete.entry(node).or_default();
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
                let other = merged.nodes[tie.other.index()];
                let done = remote.complete.entry(other).or_default();
                if !done.contains(&(want.filter.clone(), 1)) {
                    done.push((want.filter.clone(), 1));
                }
            }
        }
        let fetched = want.offset + PAGE.min(n.first_ring.saturating_sub(want.offset));
        let name = self.graph.entity(node).name.to_string();
        // Paging is kept per filter: a page through one says nothing of
        // another.
        if n.truncated && fetched < n.first_ring {
            let pages = remote.paged.entry(node).or_default();
            pages.retain(|(f, ..)| *f != want.filter);
            pages.push((want.filter.clone(), fetched, n.first_ring));
            self.note(hub_note(&name, fetched, n.first_ring));
        } else if let Some(pages) = remote.paged.get_mut(&node)
            && let Some(i) = pages.iter().position(|(f, ..)| *f == want.filter)
        {
            pages.remove(i);
            self.note(format!("all {} relations of {name} fetched", n.first_ring));
        }
        self.grown();
        true
    }

    /// The graph grew: views made of it are made again; the lists keep their
    /// selected relation.
    fn grown(&mut self) {
        self.map_cache = None;
        self.clusters = Default::default();
        let selected = [0, 1].map(|i| {
            let l = &self.lists[i];
            l.ties.get(l.selected).map(|t| t.edge)
        });
        self.refresh_lists();
        for (l, edge) in self.lists.iter_mut().zip(selected) {
            if let Some(i) = edge.and_then(|e| l.ties.iter().position(|t| t.edge == e)) {
                l.selected = i;
            }
        }
    }

    /// The cache is full: it starts over with the focus's neighbourhood,
    /// history and marks cleared (their entities are gone).
    fn start_over(&mut self, want: &Want, n: &Neighbourhood) {
        let Some(remote) = &mut self.remote else {
            return;
        };
        remote.forget();
        let before = self.graph.node_count();
        // The filter's own kinds are symbols of the old graph: kept by label.
        let old = Arc::clone(&self.graph);
        let entity_kinds: Vec<_> = self
            .filter
            .entity_kinds
            .iter()
            .map(|k| k.map_other(|s| old.sym(s).to_string()))
            .collect();
        let relation_kinds: Vec<_> = self
            .filter
            .relation_kinds
            .iter()
            .map(|k| k.map_other(|s| old.sym(s).to_string()))
            .collect();
        drop(old);
        self.graph = Arc::new(Graph::default());
        self.index = Arc::default();
        self.back.clear();
        self.forward.clear();
        self.left_at.clear();
        self.marks.clear();
        // Whatever held entities of the old cache goes with it.
        self.popup = Popup::None;
        self.step = None;
        let graph = Arc::make_mut(&mut self.graph);
        let _ = merge::merge(graph, &mut remote.keys, &n.graph, &n.keys);
        self.filter.entity_kinds = entity_kinds
            .into_iter()
            .map(|k| k.map_other(|s| graph.intern(&s)))
            .collect();
        self.filter.relation_kinds = relation_kinds
            .into_iter()
            .map(|k| k.map_other(|s| graph.intern(&s)))
            .collect();
        self.focus = self.graph.find(&want.id).unwrap_or(NodeIx::new(0));
        if let Some(m) = &mut self.map {
            m.selected = self.focus;
        }
        self.set_status(
            format!(
                "{before} entities fetched: the cache started over from here (history and marks cleared)"
            ),
            false,
        );
    }

    /// Sends the search popup's input to the server.
    pub(super) fn remote_search(&mut self) {
        let Some(remote) = &mut self.remote else {
            return;
        };
        let Popup::Search(popup) = &mut self.popup else {
            return;
        };
        popup.selected = 0;
        if popup.input.trim().is_empty() {
            popup.hits.clear();
            popup.pending = false;
            remote.searching = None;
            return;
        }
        let query = popup.input.clone();
        // An Enter given while an earlier query was searched was for that one.
        remote.submit_when_found = false;
        let seq = remote.send(|seq| Request::Search(seq, query.clone()));
        remote.searching = Some((seq, query));
        popup.pending = true;
    }

    /// Enter in the search popup while the server searches: wait for it.
    pub(super) fn submit_when_found(&mut self) -> bool {
        match &mut self.remote {
            Some(remote) if remote.searching.is_some() => {
                remote.submit_when_found = true;
                true
            }
            _ => false,
        }
    }

    fn found(&mut self, seq: u64, query: String, r: Result<Found, DbError>) -> bool {
        let Some(remote) = &mut self.remote else {
            return false;
        };
        if remote.searching.as_ref().map(|(s, _)| *s) != Some(seq) {
            return false;
        }
        remote.searching = None;
        let submit = std::mem::take(&mut remote.submit_when_found);
        let found = match r {
            Ok(f) => f,
            Err(e) => {
                if let Popup::Search(p) = &mut self.popup {
                    p.pending = false;
                }
                self.failed(&e);
                return true;
            }
        };
        self.back_online();
        let Some(remote) = &mut self.remote else {
            return false;
        };
        let graph = Arc::make_mut(&mut self.graph);
        let Ok(merged) = merge::merge(graph, &mut remote.keys, &found.graph, &found.keys) else {
            return false;
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
            if let Some(node) = self.graph.find(&h.id)
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
        hits.retain(|h| self.filter.entity_visible(&self.graph, h.node));
        hits.truncate(super::popup::search::SEARCH_LIMIT);
        let Popup::Search(popup) = &mut self.popup else {
            return false;
        };
        if popup.input != query {
            return false;
        }
        popup.hits = hits;
        popup.selected = 0;
        popup.pending = false;
        if submit {
            self.update(super::Action::Submit);
        }
        true
    }
}

#[cfg(test)]
#[path = "remote_tests.rs"]
mod tests;
