//! Graphs held in a graph database server, explored without loading them whole.
//!
//! [`Backend`] is what `ties` asks of a server: push a graph, count it, fetch
//! one entity or a neighbourhood (filtered and paged on the server), search
//! names through the server's full-text index, find shortest connections with
//! the server's path procedure, or read everything back. Each answer that holds
//! entities is a small local [`Graph`] with the same ids, fields and sources as
//! the graph pushed, so views, reports, exports and `crate::path` run on it
//! unchanged.
//!
//! One backend exists: FalkorDB ([`falkor::FalkorBackend`], openCypher over the
//! Redis protocol). Every statement is in [`queries`]; the data model is
//! described there. Bolt servers (Neo4j, Memgraph) can follow as another
//! implementation of the trait. Reads while exploring are read-only queries
//! (`GRAPH.RO_QUERY`); every value is a query parameter.

pub mod falkor;
pub mod merge;
pub mod queries;
mod rows;
pub mod session;
pub mod url;

use std::time::Duration;

use crate::Graph;
use crate::model::DateWindow;

pub use falkor::FalkorBackend;
pub use session::Session;
pub use url::{DbUrl, Endpoint, UrlError};

/// Why a database operation failed. Messages never hold the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    Url(#[from] UrlError),
    #[error("cannot reach the graph database at {url}: {message}")]
    Connect { url: String, message: String },
    #[error("the graph database at {url} failed to {what}: {message}")]
    Query {
        url: String,
        what: String,
        message: String,
    },
    #[error("the graph database sent something `ties` cannot read: {0}")]
    Data(String),
    #[error("`{0}` is not in the graph database")]
    NoEntity(String),
}

/// What a push wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PushStats {
    pub entities: usize,
    pub relations: usize,
    pub sources: usize,
}

/// How much the database holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub entities: usize,
    pub relations: usize,
    pub sources: usize,
}

/// Which entities and relations a fetch keeps, by kind label and date: the
/// database form of [`crate::view::Filter`] (which holds kinds as symbols of a
/// local graph). The same rules: undated entities always pass the window,
/// undated relations unless `hide_undated`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DbFilter {
    pub window: DateWindow,
    pub hide_undated: bool,
    /// Kind labels (`person`, or an `other` kind's name); empty keeps all.
    pub entity_kinds: Vec<String>,
    pub relation_kinds: Vec<String>,
}

impl DbFilter {
    /// The database form of a view filter whose kinds are symbols of `graph`.
    pub fn from_filter(filter: &crate::view::Filter, graph: &Graph) -> DbFilter {
        DbFilter {
            window: filter.window,
            hide_undated: filter.hide_undated,
            entity_kinds: filter
                .entity_kinds
                .iter()
                .map(|k| graph.entity_kind_label(*k).to_string())
                .collect(),
            relation_kinds: filter
                .relation_kinds
                .iter()
                .map(|k| graph.relation_kind_label(*k).to_string())
                .collect(),
        }
    }
}

/// Which slice of a ring of relations to fetch: relations are taken in the
/// order of the graph pushed, `offset` skipped, at most `limit` kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub offset: usize,
    pub limit: usize,
}

impl Page {
    /// Everything.
    pub const ALL: Page = Page {
        offset: 0,
        limit: usize::MAX,
    };
}

/// A neighbourhood fetched from the database.
#[derive(Debug, Clone)]
pub struct Neighbourhood {
    /// The focus entities, everything within the depth and the relations
    /// [`crate::view::subgraph`] would show, as a local graph.
    pub graph: Graph,
    /// Each relation's database key, by relation index: the same relation
    /// fetched twice has the same key (see [`merge`]).
    pub keys: Vec<Box<str>>,
    /// Visible relations touching the focus (before paging): a hub's size.
    pub first_ring: usize,
    /// True when a page limit left relations out.
    pub truncated: bool,
}

/// One search hit from the server's index.
#[derive(Debug, Clone, PartialEq)]
pub struct DbHit {
    pub id: String,
    pub name: String,
    /// The index's score; higher is better.
    pub score: f64,
}

/// Shortest connections found by the server.
#[derive(Debug, Clone)]
pub struct Paths {
    /// Each path as the ids of the entities it passes, `a` first.
    pub paths: Vec<Vec<String>>,
    /// Every entity on a path and every relation between two entities next to
    /// each other on one: `crate::path::shortest_paths` on it gives the same
    /// connections as on the whole graph.
    pub graph: Graph,
}

/// A graph database `ties` can push to and explore.
pub trait Backend {
    /// Writes `graph` into the database; with `replace`, what the database held
    /// under this graph's name goes first. Pushing the same graph twice leaves
    /// the same database. `progress(done, total)` counts records written.
    fn push(
        &mut self,
        graph: &Graph,
        replace: bool,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<PushStats, DbError>;

    fn counts(&mut self) -> Result<Counts, DbError>;

    /// A graph holding this entity alone (with its sources), `None` if absent.
    fn entity(&mut self, id: &str) -> Result<Option<Graph>, DbError>;

    /// The entities within `depth` relations of `ids` and the relations between
    /// them that `filter` shows, as [`crate::view::subgraph`] walks them (both
    /// directions). `page` slices the relations of the first ring (a hub's);
    /// deeper rings are capped at `page.limit` relations each.
    fn neighbourhood(
        &mut self,
        ids: &[&str],
        depth: usize,
        filter: &DbFilter,
        page: Page,
    ) -> Result<Neighbourhood, DbError>;

    /// Entities whose folded name or alias has words starting with the folded
    /// words of `query`, best first. The query is data, never Cypher.
    fn search(&mut self, query: &str, limit: usize) -> Result<Vec<DbHit>, DbError>;

    /// Shortest connections of at most `max_hops` relations, either way,
    /// between `a` and `b`; the server gives up after `timeout`.
    fn shortest_paths(
        &mut self,
        a: &str,
        b: &str,
        max_hops: usize,
        timeout: Duration,
    ) -> Result<Paths, DbError>;

    /// The whole graph (for commands that need all of it; small graphs only).
    fn load_all(&mut self) -> Result<Graph, DbError>;
}

/// Connects to the database `url` names.
pub fn connect(url: &DbUrl) -> Result<Box<dyn Backend>, DbError> {
    Ok(Box::new(FalkorBackend::connect(url)?))
}

/// How long the explorer waits for any one answer before it calls the server
/// unreachable (and connects again on the next move).
pub const INTERACTIVE_TIMEOUT: Duration = Duration::from_secs(15);

/// [`connect`] for the explorer: an answer that does not come within
/// [`INTERACTIVE_TIMEOUT`] is an error, so a server gone silent (a dropped
/// network, a sleeping laptop) is said and retried rather than waited on.
pub fn connect_interactive(url: &DbUrl) -> Result<Box<dyn Backend>, DbError> {
    Ok(Box::new(FalkorBackend::connect_with(
        url,
        INTERACTIVE_TIMEOUT,
    )?))
}

/// Pushes `graph` to the database at `url` (see [`Backend::push`]).
pub fn push(
    graph: &Graph,
    url: &DbUrl,
    replace: bool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<PushStats, DbError> {
    FalkorBackend::connect(url)?.push(graph, replace, progress)
}

/// Reads the whole graph at `url` (see [`Backend::load_all`]).
pub fn load_all(url: &DbUrl) -> Result<Graph, DbError> {
    FalkorBackend::connect(url)?.load_all()
}
