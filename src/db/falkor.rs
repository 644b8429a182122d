//! The FalkorDB backend, over the official `falkordb` client (blocking API).

use std::collections::HashSet;
use std::num::NonZeroU8;
use std::time::Duration;

use falkordb::{
    FalkorClientBuilder, FalkorConnectionInfo, FalkorDBError, FalkorSyncClient, FalkorValue,
    SyncGraph,
};
use redis::{ConnectionAddr, IntoConnectionInfo, RedisConnectionInfo};

use super::rows::{self, Builder, Props};
use super::{
    Backend, Counts, DbError, DbFilter, DbHit, DbUrl, Endpoint, Neighbourhood, Page, Paths,
    PushStats, queries,
};
use crate::Graph;

/// Records written per statement.
const BATCH: usize = 2_000;
/// Records read per statement by [`Backend::load_all`].
const READ_PAGE: i64 = 50_000;
/// Stands for "no limit" in `LIMIT $limit` (the server reads larger numbers as 0).
const NO_LIMIT: i64 = i32::MAX as i64;
/// How long a push waits for the server to finish its indexes.
const INDEX_WAIT: Duration = Duration::from_secs(600);
/// Connections wait this long for the server to answer the handshake.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// No answer takes longer than this, however big the batch: past it the
/// server is taken to be gone rather than waited on forever.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(300);

/// A connection to one graph of a FalkorDB server.
pub struct FalkorBackend {
    url: DbUrl,
    _client: FalkorSyncClient,
    graph: SyncGraph,
    /// The same graph on the client's second connection: a ring's relations
    /// are counted on it while the page is read on the first, so that the
    /// server works on both at once (in a date window each must test every
    /// relation of a hub).
    counter: SyncGraph,
}

type Params = Vec<(&'static str, FalkorValue)>;

fn text(s: &str) -> FalkorValue {
    FalkorValue::String(s.to_string())
}

fn int(n: usize) -> FalkorValue {
    FalkorValue::I64(i64::try_from(n).unwrap_or(NO_LIMIT).min(NO_LIMIT))
}

fn texts<S: AsRef<str>>(items: &[S]) -> FalkorValue {
    FalkorValue::Array(items.iter().map(|s| text(s.as_ref())).collect())
}

fn map(p: Props) -> FalkorValue {
    FalkorValue::Map(p)
}

fn filter_params(f: &DbFilter) -> Params {
    let (from, to) = rows::window_days(&f.window);
    vec![
        ("ek", texts(&f.entity_kinds)),
        ("rk", texts(&f.relation_kinds)),
        ("ds", texts(&f.datasets)),
        ("from", FalkorValue::I64(from)),
        ("to", FalkorValue::I64(to)),
        ("hide", FalkorValue::Bool(f.hide_undated)),
    ]
}

fn bad_row(what: &str) -> DbError {
    DbError::Data(format!("a row of {what} is not shaped as expected"))
}

fn as_str(v: Option<&FalkorValue>) -> Option<&str> {
    match v {
        Some(FalkorValue::String(s)) => Some(s),
        _ => None,
    }
}

fn as_count(v: Option<&FalkorValue>) -> usize {
    match v {
        Some(FalkorValue::I64(n)) => usize::try_from(*n).unwrap_or(0),
        _ => 0,
    }
}

/// Words of a search, folded like local search, as a full-text query: every
/// word must start a word of a name (one edit allowed in words of four letters
/// or more). Only letters and digits pass, so nothing in the query is read as
/// query syntax.
pub fn fulltext_query(query: &str) -> Option<String> {
    let folded = crate::search::fold(query);
    let all: Vec<&str> = folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // The index matches prefixes of two letters or more: single letters
    // (initials) only narrow nothing, so they are left out unless alone.
    let longer: Vec<&str> = all.iter().copied().filter(|w| w.len() > 1).collect();
    let words: Vec<String> = if longer.is_empty() { all } else { longer }
        .into_iter()
        .map(|w| match w.len() {
            1 => w.to_string(),
            2 | 3 => format!("{w}*"),
            _ => format!("({w}*|%{w}%)"),
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

fn query_err(url: &DbUrl, what: &str, e: FalkorDBError) -> DbError {
    DbError::Query {
        url: url.to_string(),
        what: what.to_string(),
        message: url.redact(&e.to_string()),
    }
}

/// Runs a statement on `graph` (a handle of the graph at `url`); `read_only`
/// sends it as `GRAPH.RO_QUERY`.
fn run_on(
    graph: &mut SyncGraph,
    url: &DbUrl,
    what: &str,
    read_only: bool,
    statement: &str,
    params: Params,
    timeout: Option<Duration>,
) -> Result<Vec<Vec<FalkorValue>>, DbError> {
    let builder = if read_only {
        graph.ro_query(statement)
    } else {
        graph.query(statement)
    };
    let builder = builder.with_params(params);
    let builder = match timeout {
        Some(t) => builder.with_timeout(i64::try_from(t.as_millis()).unwrap_or(i64::MAX)),
        None => builder,
    };
    builder
        .execute()
        .and_then(|res| {
            res.data
                .map(|row| row.map(falkordb::Row::into_values))
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| query_err(url, what, e))
}

impl FalkorBackend {
    /// Connects to the server and selects the URL's graph; an answer may take
    /// up to [`RESPONSE_TIMEOUT`] (a push's batch, a path search).
    pub fn connect(url: &DbUrl) -> Result<FalkorBackend, DbError> {
        Self::connect_with(url, RESPONSE_TIMEOUT)
    }

    /// [`FalkorBackend::connect`], waiting at most `response_timeout` for any
    /// one answer.
    pub fn connect_with(url: &DbUrl, response_timeout: Duration) -> Result<FalkorBackend, DbError> {
        let connect_err = |message: String| DbError::Connect {
            url: url.to_string(),
            message: url.redact(&message),
        };
        let addr = match &url.endpoint {
            Endpoint::Tcp {
                host,
                port,
                tls: false,
            } => ConnectionAddr::Tcp(host.clone(), *port),
            // The Redis client is built without a TLS stack (it would add
            // rustls and a C crypto build to every build): say so plainly.
            Endpoint::Tcp { tls: true, .. } => {
                return Err(connect_err(
                    "TLS (falkors://) is not built into this ties; reach the server through \
                     an SSH tunnel or stunnel and use falkor:// to the local end, or a Unix socket"
                        .into(),
                ));
            }
            Endpoint::Unix(path) => ConnectionAddr::Unix(path.clone()),
        };
        let mut settings = RedisConnectionInfo::default();
        if let Some(user) = &url.user {
            settings = settings.set_username(user);
        }
        if let Some(password) = url.password() {
            settings = settings.set_password(password);
        }
        let info = addr
            .into_connection_info()
            .map_err(|e| connect_err(e.to_string()))?
            .set_redis_settings(settings);
        let client = FalkorClientBuilder::new()
            .with_connection_info(FalkorConnectionInfo::Redis(info))
            .with_num_connections(NonZeroU8::new(2).unwrap_or(NonZeroU8::MIN))
            .with_connect_timeout(Some(CONNECT_TIMEOUT))
            .with_response_timeout(Some(response_timeout))
            .build()
            .map_err(|e| connect_err(e.to_string()))?;
        let graph = client.select_graph(&url.graph);
        let counter = client.select_graph(&url.graph);
        Ok(FalkorBackend {
            url: url.clone(),
            _client: client,
            graph,
            counter,
        })
    }

    fn query_err(&self, what: &str, e: FalkorDBError) -> DbError {
        query_err(&self.url, what, e)
    }

    fn read(
        &mut self,
        what: &str,
        statement: &str,
        params: Params,
    ) -> Result<Vec<Vec<FalkorValue>>, DbError> {
        run_on(
            &mut self.graph,
            &self.url,
            what,
            true,
            statement,
            params,
            None,
        )
    }

    /// Creates an index unless it exists.
    fn ensure_index(&mut self, statement: &str) -> Result<(), DbError> {
        match run_on(
            &mut self.graph,
            &self.url,
            "create an index",
            false,
            statement,
            Vec::new(),
            None,
        ) {
            Err(DbError::Query { message, .. })
                if message.contains("already indexed") || message.contains("already exists") =>
            {
                Ok(())
            }
            other => other.map(drop),
        }
    }

    /// Waits until the server has finished building its indexes, so a search
    /// right after a push sees everything pushed.
    fn wait_for_indexes(&mut self) -> Result<(), DbError> {
        let start = std::time::Instant::now();
        loop {
            let rows = self.read("list indexes", queries::INDEXES_PENDING, Vec::new())?;
            if as_count(rows.first().and_then(|r| r.first())) == 0 || start.elapsed() > INDEX_WAIT {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn write_batches(
        &mut self,
        what: &str,
        statement: &str,
        rows: impl Iterator<Item = FalkorValue>,
        done: &mut usize,
        total: usize,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<(), DbError> {
        let mut rows = rows.peekable();
        while rows.peek().is_some() {
            let batch: Vec<FalkorValue> = rows.by_ref().take(BATCH).collect();
            let n = batch.len();
            run_on(
                &mut self.graph,
                &self.url,
                what,
                false,
                statement,
                vec![("rows", FalkorValue::Array(batch))],
                None,
            )?;
            *done += n;
            progress(*done, total);
        }
        Ok(())
    }

    fn entities_by_id(&mut self, ids: &[&str], into: &mut Builder) -> Result<(), DbError> {
        let rows = self.read(
            "read entities",
            queries::ENTITIES_BY_ID,
            vec![("ids", texts(ids))],
        )?;
        for row in rows {
            match row.into_iter().next() {
                Some(FalkorValue::Node(n)) => into.add_entity(n.properties)?,
                _ => return Err(bad_row("entities")),
            }
        }
        Ok(())
    }

    /// Adds the sources what `into` holds cites.
    fn cited_sources(&mut self, into: &mut Builder) -> Result<(), DbError> {
        let ids = into.cited_sources();
        if ids.is_empty() {
            return Ok(());
        }
        let rows = self.read(
            "read sources",
            queries::SOURCES_BY_ID,
            vec![("ids", texts(&ids))],
        )?;
        for row in rows {
            match row.into_iter().next() {
                Some(FalkorValue::Node(n)) => into.add_source(n.properties)?,
                _ => return Err(bad_row("sources")),
            }
        }
        Ok(())
    }

    /// Adds rows of `r, from id, to id[, other end]` to `into`; returns the
    /// other ends.
    fn add_relation_rows(
        rows: Vec<Vec<FalkorValue>>,
        into: &mut Builder,
    ) -> Result<Vec<Props>, DbError> {
        let mut others = Vec::new();
        for row in rows {
            let mut it = row.into_iter();
            let (Some(FalkorValue::Edge(e)), Some(from), Some(to)) =
                (it.next(), it.next(), it.next())
            else {
                return Err(bad_row("relations"));
            };
            let (Some(from), Some(to)) = (as_str(Some(&from)), as_str(Some(&to))) else {
                return Err(bad_row("relations"));
            };
            into.add_relation(e.entity_id, from.to_string(), to.to_string(), e.properties);
            if let Some(FalkorValue::Node(n)) = it.next() {
                others.push(n.properties);
            }
        }
        Ok(others)
    }
}

impl Backend for FalkorBackend {
    fn push(
        &mut self,
        graph: &Graph,
        replace: bool,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<PushStats, DbError> {
        if replace {
            // Deleting a graph that does not exist is refused: nothing to replace.
            if let Err(e) = self.graph.delete() {
                let message = e.to_string();
                if !message.contains("empty key") && !message.contains("Invalid graph operation") {
                    return Err(self.query_err("delete the old graph", e));
                }
            }
            self.graph = self._client.select_graph(&self.url.graph);
        }
        self.ensure_index(queries::ENTITY_ID_INDEX)?;
        self.ensure_index(queries::SOURCE_ID_INDEX)?;
        self.ensure_index(queries::FULLTEXT_INDEX)?;
        let total = graph.sources().len() + graph.node_count() + graph.edge_count();
        let mut done = 0;
        let (sources, entities, relations) = if replace {
            (
                queries::CREATE_SOURCES,
                queries::CREATE_ENTITIES,
                queries::CREATE_RELATIONS,
            )
        } else {
            (
                queries::MERGE_SOURCES,
                queries::MERGE_ENTITIES,
                queries::MERGE_RELATIONS,
            )
        };
        let rows = graph
            .sources()
            .iter()
            .enumerate()
            .map(|(i, s)| map(rows::source_props(i, s)));
        self.write_batches("write sources", sources, rows, &mut done, total, progress)?;
        let rows = graph
            .node_indices()
            .map(|n| map(rows::entity_props(graph, n)));
        self.write_batches("write entities", entities, rows, &mut done, total, progress)?;
        let rows = graph.edge_indices().map(|e| {
            let (from, to, props) = rows::relation_props(graph, e);
            let mut row = Props::new();
            row.insert("from".into(), FalkorValue::String(from));
            row.insert("to".into(), FalkorValue::String(to));
            row.insert("props".into(), map(props));
            map(row)
        });
        self.write_batches(
            "write relations",
            relations,
            rows,
            &mut done,
            total,
            progress,
        )?;
        self.wait_for_indexes()?;
        progress(total, total);
        Ok(PushStats {
            entities: graph.node_count(),
            relations: graph.edge_count(),
            sources: graph.sources().len(),
        })
    }

    fn counts(&mut self) -> Result<Counts, DbError> {
        let mut count = |q: &str| -> Result<usize, DbError> {
            let rows = self.read("count", q, Vec::new())?;
            Ok(as_count(rows.first().and_then(|r| r.first())))
        };
        Ok(Counts {
            entities: count(queries::COUNT_ENTITIES)?,
            relations: count(queries::COUNT_RELATIONS)?,
            sources: count(queries::COUNT_SOURCES)?,
        })
    }

    fn entity(&mut self, id: &str) -> Result<Option<Graph>, DbError> {
        let mut b = Builder::default();
        self.entities_by_id(&[id], &mut b)?;
        if b.entity_count() == 0 {
            return Ok(None);
        }
        self.cited_sources(&mut b)?;
        b.build().map(Some)
    }

    fn neighbourhood(
        &mut self,
        ids: &[&str],
        depth: usize,
        filter: &DbFilter,
        page: Page,
    ) -> Result<Neighbourhood, DbError> {
        let mut b = Builder::default();
        self.entities_by_id(ids, &mut b)?;
        let mut frontier: Vec<String> = ids
            .iter()
            .filter(|id| b.has_entity(id))
            .map(|id| id.to_string())
            .collect();
        let mut seen: HashSet<String> = frontier.iter().cloned().collect();
        let mut first_ring = 0;
        let mut truncated = false;
        for level in 0..depth {
            if frontier.is_empty() {
                break;
            }
            let mut params = filter_params(filter);
            params.push(("ids", texts(&frontier)));
            params.push(("focus", texts(ids)));
            let count_params = params.clone();
            let skip = if level == 0 { page.offset } else { 0 };
            params.push(("skip", int(skip)));
            params.push(("limit", int(page.limit)));
            let rows = if level == 0 {
                // The first ring is counted (for the card and the paging) on
                // the second connection while the page is read on the first.
                let (count, rows) = std::thread::scope(|s| {
                    let (graph, counter, url) = (&mut self.graph, &mut self.counter, &self.url);
                    let count = s.spawn(move || {
                        let statement = queries::ring_size(filter);
                        run_on(
                            counter,
                            url,
                            "count relations",
                            true,
                            &statement,
                            count_params,
                            None,
                        )
                    });
                    let statement = queries::ring(filter);
                    let what = "read a neighbourhood";
                    let rows = run_on(graph, url, what, true, &statement, params, None);
                    (count.join(), rows)
                });
                let count = count.map_err(|_| DbError::Data("the count failed".into()))??;
                first_ring = as_count(count.first().and_then(|r| r.first()));
                rows?
            } else {
                self.read("read a neighbourhood", &queries::ring(filter), params)?
            };
            let fetched = rows.len();
            truncated |= if level == 0 {
                skip > 0 || skip + fetched < first_ring
            } else {
                fetched >= page.limit
            };
            let mut next = Vec::new();
            for props in Self::add_relation_rows(rows, &mut b)? {
                let Some(id) = as_str(props.get("id")).map(str::to_string) else {
                    return Err(bad_row("a neighbourhood"));
                };
                if seen.insert(id.clone()) {
                    b.add_entity(props)?;
                    next.push(id);
                }
            }
            frontier = next;
        }
        self.cited_sources(&mut b)?;
        let (graph, keys) = b.build_keyed()?;
        Ok(Neighbourhood {
            graph,
            keys,
            first_ring,
            truncated,
        })
    }

    fn search(&mut self, query: &str, limit: usize) -> Result<Vec<DbHit>, DbError> {
        let Some(q) = fulltext_query(query) else {
            return Ok(Vec::new());
        };
        if limit == 0 {
            return Ok(Vec::new());
        }
        let rows = self.read(
            "search",
            queries::SEARCH,
            vec![("q", FalkorValue::String(q)), ("limit", int(limit))],
        )?;
        rows.into_iter()
            .map(|row| {
                let score = match row.get(2) {
                    Some(FalkorValue::F64(s)) => *s,
                    Some(FalkorValue::I64(s)) => *s as f64,
                    _ => 0.0,
                };
                match (as_str(row.first()), as_str(row.get(1))) {
                    (Some(id), Some(name)) => Ok(DbHit {
                        id: id.to_string(),
                        name: name.to_string(),
                        score,
                    }),
                    _ => Err(bad_row("a search")),
                }
            })
            .collect()
    }

    fn shortest_paths(
        &mut self,
        a: &str,
        b: &str,
        max_hops: usize,
        timeout: Duration,
    ) -> Result<Paths, DbError> {
        let mut builder = Builder::default();
        self.entities_by_id(&[a, b], &mut builder)?;
        for id in [a, b] {
            if !builder.has_entity(id) {
                return Err(DbError::NoEntity(id.to_string()));
            }
        }
        let paths: Vec<Vec<String>> = if a == b {
            vec![vec![a.to_string()]]
        } else if max_hops == 0 {
            Vec::new()
        } else {
            let params = vec![
                ("a", text(a)),
                ("b", text(b)),
                ("hops", int(max_hops)),
                ("limit", int(100_000)),
            ];
            let rows = run_on(
                &mut self.graph,
                &self.url,
                "find shortest paths",
                true,
                queries::SHORTEST_PATHS,
                params,
                Some(timeout),
            )?;
            rows.into_iter()
                .map(|row| match row.into_iter().next() {
                    Some(FalkorValue::Array(ids)) => ids
                        .iter()
                        .map(|v| as_str(Some(v)).map(str::to_string))
                        .collect::<Option<Vec<String>>>()
                        .ok_or_else(|| bad_row("paths")),
                    _ => Err(bad_row("paths")),
                })
                .collect::<Result<_, _>>()?
        };
        let mut on_paths: Vec<&str> = paths.iter().flatten().map(String::as_str).collect();
        on_paths.extend([a, b]);
        on_paths.sort_unstable();
        on_paths.dedup();
        let pairs: HashSet<(&str, &str)> = paths
            .iter()
            .flat_map(|p| p.windows(2).map(|w| (w[0].as_str(), w[1].as_str())))
            .flat_map(|(x, y)| [(x, y), (y, x)])
            .collect();
        let mut b2 = Builder::default();
        self.entities_by_id(&on_paths, &mut b2)?;
        let rows = self.read(
            "read relations",
            queries::RELATIONS_AMONG,
            vec![("ids", texts(&on_paths))],
        )?;
        let rows = rows
            .into_iter()
            .filter(|row| match (as_str(row.get(1)), as_str(row.get(2))) {
                (Some(x), Some(y)) => pairs.contains(&(x, y)),
                _ => true,
            })
            .collect();
        Self::add_relation_rows(rows, &mut b2)?;
        self.cited_sources(&mut b2)?;
        Ok(Paths {
            graph: b2.build()?,
            paths,
        })
    }

    fn load_all(&mut self) -> Result<Graph, DbError> {
        let mut b = Builder::default();
        for row in self.read("read sources", queries::ALL_SOURCES, Vec::new())? {
            match row.into_iter().next() {
                Some(FalkorValue::Node(n)) => b.add_source(n.properties)?,
                _ => return Err(bad_row("sources")),
            }
        }
        let mut skip = 0;
        loop {
            let params = vec![
                ("skip", FalkorValue::I64(skip)),
                ("limit", FalkorValue::I64(READ_PAGE)),
            ];
            let rows = self.read("read entities", queries::ENTITY_PAGE, params)?;
            let n = rows.len();
            for row in rows {
                match row.into_iter().next() {
                    Some(FalkorValue::Node(node)) => b.add_entity(node.properties)?,
                    _ => return Err(bad_row("entities")),
                }
            }
            if (n as i64) < READ_PAGE {
                break;
            }
            skip += READ_PAGE;
        }
        let mut skip = 0;
        loop {
            let params = vec![
                ("skip", FalkorValue::I64(skip)),
                ("limit", FalkorValue::I64(READ_PAGE)),
            ];
            let rows = self.read("read relations", queries::RELATION_PAGE, params)?;
            let n = rows.len();
            Self::add_relation_rows(rows, &mut b)?;
            if (n as i64) < READ_PAGE {
                break;
            }
            skip += READ_PAGE;
        }
        b.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_is_refused_plainly_without_the_password() {
        let url: DbUrl = "falkors://ann:s3cret@127.0.0.1:1/g".parse().unwrap();
        let Err(e) = FalkorBackend::connect(&url) else {
            panic!("a TLS URL connected");
        };
        let text = e.to_string();
        assert!(
            text.contains("TLS (falkors://) is not built into this ties"),
            "{text}"
        );
        assert!(!text.contains("s3cret"), "{text}");
    }

    #[test]
    fn search_text_becomes_folded_words_only() {
        assert_eq!(
            fulltext_query("Kasčiūnas").as_deref(),
            Some("(kasciunas*|%kasciunas%)")
        );
        assert_eq!(fulltext_query("l. ka").as_deref(), Some("ka*"));
        assert_eq!(fulltext_query("l.").as_deref(), Some("l"));
        assert_eq!(
            fulltext_query(r#""'}) MATCH (n) DETACH DELETE n //"#).as_deref(),
            Some("(match*|%match%) (detach*|%detach%) (delete*|%delete%)")
        );
        assert_eq!(fulltext_query(" -- '' "), None);
    }
}
