//! The fast way to load graph files: read in blocks, split into records by
//! [`scan`](super::scan), parse the records on every core, and add them to the
//! graph in file order as they come. The file is never held whole, and no
//! intermediate list of records is kept.
//!
//! This path only answers "here is the graph" or "use the slow path": problems
//! are not located here. When anything is wrong (a syntax error, a bad value, a
//! reference to an entity defined later, a folder whose files cite each other
//! forward), [`load_files`] returns `None` and the caller reloads the slow way,
//! which names every problem with its file, line and column.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::build::{Checked, EntityIn, NOT_FOUND, RelationIn};
use super::fast::{self, EntityAt, List, RelationAt, Span, Store};
use super::scan::{Item, Scanner, Section};
use super::{FirstSeen, Locator, Problem, add_entity, add_relation, add_source, ron_options};
use crate::graph::{Graph, NodeIx, ShortIds};
use crate::model::{EntityRecord, RelationRecord, SourceRecord};

/// Bytes read from the file at a time.
const BLOCK: usize = 1 << 20;
/// Bytes of records handed to a parser at a time.
const BATCH: usize = 256 << 10;

/// Records of one section, cut from the file, not parsed yet.
struct Batch {
    seq: u64,
    section: Section,
    text: String,
    /// Record `i` is `text[ends[i - 1]..ends[i]]`.
    ends: Vec<usize>,
}

/// The records of a batch: entities and relations borrow their strings from
/// the batch's text and a [`Store`] ([`fast::EntityAt`]).
enum Records {
    Sources(Vec<SourceRecord>),
    Entities(Vec<EntityAt>),
    Relations(Vec<RelationAt>),
}

/// A parsed batch; `records` is `None` when a record did not parse.
struct Parsed {
    seq: u64,
    records: Option<Records>,
    /// The batch's text, which the records borrow from.
    text: String,
    ends: Vec<usize>,
    store: Store,
    /// Per record, its dates and amount if the parser read them all good
    /// (empty for sources).
    checked: Vec<Option<Checked>>,
    /// What the parser looked up for the builder.
    found: Option<Found>,
    /// Which parser made it (its records and store go back there).
    by: usize,
}

/// A built batch's records and store, back to the parser that made them to
/// be filled again (or freed).
struct Spent {
    records: Records,
    store: Store,
    checked: Vec<Option<Checked>>,
}

/// Copies of the graph's id tables, made by the builder when a batch of
/// another section comes, for the parsers to look ids up in: the builder then
/// mostly appends rows. They hold the ids added before the copy, which are a
/// part of those added before any later batch is built, so an id found there
/// is the one the builder would find; an id not found there is looked up by the
/// builder as before (so problems are the same).
#[derive(Default)]
struct Lookup {
    sources: Arc<ShortIds>,
    /// `None` until the first batch of relations.
    entities: Option<Arc<ShortIds>>,
}

/// Ids of a batch looked up by a parser ([`NOT_FOUND`] where they were not).
struct Found {
    /// Per relation, its `from` and `to` nodes; empty if the entities' copy
    /// was not made yet.
    ends: Vec<[u32; 2]>,
    /// The records' sources, one after the other.
    sources: Vec<u32>,
}

impl Found {
    fn of(records: &Records, (text, store): (&str, &Store), lookup: &Lookup) -> Option<Found> {
        let get = |s: Span| store.get(text, s).as_bytes();
        let sources = |lists: &mut dyn Iterator<Item = List>| -> Vec<u32> {
            let mut found = Vec::new();
            let items = store.items();
            let ids = lists.flat_map(|l| &items[l.range()]).map(|&s| get(s));
            lookup.sources.find_all(ids, NOT_FOUND, &mut found);
            found
        };
        match records {
            Records::Sources(_) => None,
            Records::Entities(v) => Some(Found {
                ends: Vec::new(),
                sources: sources(&mut v.iter().map(|e| e.sources)),
            }),
            Records::Relations(v) => Some(Found {
                ends: (lookup.entities.as_ref())
                    .map_or_else(Vec::new, |ids| Found::ends(v, (text, store), ids)),
                sources: sources(&mut v.iter().map(|r| r.sources)),
            }),
        }
    }

    /// The nodes of the relations' ends in `ids` ([`NOT_FOUND`] where not there).
    fn ends(v: &[RelationAt], (text, store): (&str, &Store), ids: &ShortIds) -> Vec<[u32; 2]> {
        let get = |s: Span| store.get(text, s).as_bytes();
        // Files list an entity's relations together: a `from` equal to the
        // one before is not looked up again (`again`).
        let mut asked = Vec::with_capacity(2 * v.len());
        let mut again = Vec::with_capacity(v.len());
        let mut before: Option<&[u8]> = None;
        for r in v {
            let from = get(r.from);
            let same = before == Some(from);
            if !same {
                asked.push(from);
            }
            asked.push(get(r.to));
            again.push(same);
            before = Some(from);
        }
        let mut found = Vec::with_capacity(asked.len());
        ids.find_all(asked.into_iter(), NOT_FOUND, &mut found);
        let mut found = found.into_iter();
        let mut from = NOT_FOUND;
        let mut next = || found.next().unwrap_or(NOT_FOUND);
        (again.into_iter())
            .map(|same| {
                if !same {
                    from = next();
                }
                [from, next()]
            })
            .collect()
    }

    /// The sources found for the next record, which cites `n`.
    fn sources<'a>(found: Option<&'a Found>, at: &mut usize, n: usize) -> &'a [u32] {
        let start = *at;
        *at += n;
        found
            .and_then(|f| f.sources.get(start..start + n))
            .unwrap_or(&[])
    }
}

/// The node a parser found, or the one the graph finds (`id` is only
/// found in the batch then).
fn node<'a>(graph: &Graph, found: u32, id: impl FnOnce() -> &'a str) -> Option<NodeIx> {
    if found == NOT_FOUND {
        graph.find(id())
    } else {
        Some(NodeIx::new(found as usize))
    }
}

/// How far a load has come, in bytes of the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
    /// The fast read met a problem: the files are being read again, whole, to
    /// name every problem with its line and column (no further reports come).
    pub careful: bool,
}

/// Busy time of each stage, in nanoseconds, summed over threads; handed back
/// as one line (the CLI prints it when `TIES_LOAD_STATS` is set, see
/// BENCHMARKS.md).
#[derive(Debug, Default)]
struct Stats {
    read_split: AtomicU64,
    parse: AtomicU64,
    build: AtomicU64,
    /// Records parsed, and of those, by serde (the hand-written parser declined).
    records: AtomicU64,
    by_serde: AtomicU64,
    /// Relation ends and source ids the parsers found (see [`Lookup`]).
    found_ahead: AtomicU64,
}

impl Stats {
    fn add(counter: &AtomicU64, since: Instant) {
        counter.fetch_add(since.elapsed().as_nanos() as u64, Ordering::Relaxed);
    }

    fn line(&self, wall: std::time::Duration) -> String {
        let ms = |c: &AtomicU64| c.load(Ordering::Relaxed) as f64 / 1e6;
        format!(
            "load stages (busy ms, all threads): read+split {:.0}, parse {:.0} ({} ids found by the parsers), \
             build {:.0}; wall {:.0} ms; {} records, {} parsed by serde",
            ms(&self.read_split),
            ms(&self.parse),
            self.found_ahead.load(Ordering::Relaxed),
            ms(&self.build),
            wall.as_secs_f64() * 1e3,
            self.records.load(Ordering::Relaxed),
            self.by_serde.load(Ordering::Relaxed),
        )
    }
}

/// Loads `files` in order into one graph, with a line saying where the time
/// went, or `None` when the slow path must tell what is wrong. `progress` is
/// called from this thread after each batch.
pub(crate) fn load_files(
    files: &[PathBuf],
    progress: &mut dyn FnMut(Progress),
    tap: Option<&mut Tap<'_>>,
) -> Option<(Graph, String)> {
    load_inputs_tapped(&[files.to_vec()], progress, tap).map(|(graph, _, stages)| (graph, stages))
}

/// Sees every byte of the files, in order, as the reader reads them (to
/// hash them on the way: [`crate::load::load_path_tapped`]).
pub type Tap<'a> = dyn FnMut(&[u8]) + Send + 'a;

/// Where one input's rows are in a graph [`load_inputs`] read: its entities
/// and relations are those from the ends of the input before it to these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputEnd {
    pub entities: usize,
    pub relations: usize,
}

/// Loads several inputs, each its list of files, in order into one graph, as
/// [`load_files`] loads one, with where each input's rows end. A source an
/// earlier input defined is the one cited (as [`Graph::absorb`] keeps it);
/// an entity an earlier input defined is a problem here (`None`: the caller
/// merges the inputs another way).
pub(crate) fn load_inputs(
    inputs: &[Vec<PathBuf>],
    progress: &mut dyn FnMut(Progress),
) -> Option<(Graph, Vec<InputEnd>, String)> {
    load_inputs_tapped(inputs, progress, None)
}

/// [`load_inputs`], showing `tap` every byte read.
fn load_inputs_tapped(
    inputs: &[Vec<PathBuf>],
    progress: &mut dyn FnMut(Progress),
    mut tap: Option<&mut Tap<'_>>,
) -> Option<(Graph, Vec<InputEnd>, String)> {
    let started = Instant::now();
    let sizes: Vec<Vec<u64>> = inputs
        .iter()
        .map(|files| {
            let size = |f: &PathBuf| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
            files.iter().map(size).collect()
        })
        .collect();
    let total = sizes.iter().flatten().sum();
    // About 500 bytes of RON per entity with its share of relations: a first
    // guess that spares most of the growing.
    let guess = (total / 500) as usize;
    let mut build = Build {
        graph: Graph::with_capacity(guess, guess * 3),
        problems: Vec::new(),
        relations: 0,
        copied: [None; 2],
        lookup: None,
        earlier_sources: 0,
        earlier_entities: 0,
    };
    let stats = Stats::default();
    let mut before = 0;
    let mut ends = Vec::with_capacity(inputs.len());
    for (files, sizes) in inputs.iter().zip(&sizes) {
        build.earlier_sources = build.graph.sources().len();
        build.earlier_entities = build.graph.node_count();
        for (f, size) in files.iter().zip(sizes) {
            let file = File::open(f).ok()?;
            let ok = load_file(file, &mut build, &stats, tap.as_deref_mut(), &mut |done| {
                progress(Progress {
                    done: before + done,
                    total,
                    careful: false,
                })
            });
            if !ok || !build.problems.is_empty() {
                return None;
            }
            before += size;
        }
        ends.push(InputEnd {
            entities: build.graph.node_count(),
            relations: build.graph.edge_count(),
        });
    }
    // The parsers' copies go before the tables are shrunk (copied).
    build.lookup = None;
    build.graph.shrink_to_fit();
    Some((build.graph, ends, stats.line(started.elapsed())))
}

/// Adds records to the graph with the slow path's checks, without locating
/// problems (any problem sends the caller down the slow path).
struct Build {
    graph: Graph,
    problems: Vec<Problem>,
    /// Relations of the current file so far.
    relations: usize,
    /// How many sources and entities the graph had when the parsers were
    /// given their copies of its id tables (`None`: no copy yet).
    copied: [Option<usize>; 2],
    /// The copies the parsers have.
    lookup: Option<Arc<Lookup>>,
    /// Sources of the inputs before this one ([`load_inputs`]): a source of
    /// theirs defined again is cited as it is, not a problem.
    earlier_sources: usize,
    /// Entities of the inputs before this one: a relation of this input may
    /// not end at one of them (it could not, read alone).
    earlier_entities: usize,
}

/// What an entity of a batch says, its strings borrowed from `text` and
/// `store`; `items` is every list item of the batch, resolved.
fn entity_in<'a>(
    e: &EntityAt,
    (text, store): (&'a str, &'a Store),
    items: &'a [&'a str],
    checked: Option<Checked>,
) -> EntityIn<'a, &'a str> {
    let s = |sp| store.get(text, sp);
    // Dates and an amount read already are not looked at again (see
    // `dates_and_amount`): their text is not found.
    let raw = checked.is_none();
    EntityIn {
        id: s(e.id),
        kind: e.kind.map_other(s),
        name: s(e.name),
        aliases: &items[e.aliases.range()],
        weak_aliases: &items[e.weak_aliases.range()],
        date: e.date.filter(|_| raw).map(s),
        until: e.until.filter(|_| raw).map(s),
        note: e.note.map(s),
        amount: (e.amount.filter(|_| raw)).map(|a| (a.value, s(a.currency), a.approx)),
        sources: &items[e.sources.range()],
        attrs: pairs(&items[e.attrs.range()]),
        datasets: &items[e.datasets.range()],
        checked,
    }
}

/// [`entity_in`] for a relation.
fn relation_in<'a>(
    r: &RelationAt,
    (text, store): (&'a str, &'a Store),
    items: &'a [&'a str],
    checked: Option<Checked>,
) -> RelationIn<'a, &'a str> {
    let s = |sp| store.get(text, sp);
    // As in `entity_in`.
    let raw = checked.is_none();
    RelationIn {
        id: r.id.map(s),
        from: s(r.from),
        to: s(r.to),
        kind: r.kind.map_other(s),
        role: r.role.map(s),
        date: r.date.filter(|_| raw).map(s),
        until: r.until.filter(|_| raw).map(s),
        amount: (r.amount.filter(|_| raw)).map(|a| (a.value, s(a.currency), a.approx)),
        sources: &items[r.sources.range()],
        note: r.note.map(s),
        attrs: pairs(&items[r.attrs.range()]),
        undirected: r.undirected,
        datasets: &items[r.datasets.range()],
        checked,
    }
}

/// Attribute items (name and value in turn) as pairs.
fn pairs<'a>(items: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    // (Most records have none: no collecting then.)
    if items.is_empty() {
        return Vec::new();
    }
    items.chunks_exact(2).map(|p| (p[0], p[1])).collect()
}

impl Build {
    fn add(
        &mut self,
        records: &Records,
        (text, store): (&str, &Store),
        checked: &[Option<Checked>],
        found: Option<&Found>,
    ) {
        let checked = |i: usize| checked.get(i).copied().flatten();
        let batch = (text, store);
        // Every list item of the batch (aliases, sources, ...) found once.
        let items: Vec<&str> = store.items().iter().map(|&s| store.get(text, s)).collect();
        let loc = Locator::new("", "");
        let first_seen = FirstSeen { parsed: &[] };
        let g = &mut self.graph;
        let p = &mut self.problems;
        let mut at = 0;
        match records {
            Records::Sources(v) => {
                for s in v {
                    let earlier = (self.earlier_sources > 0)
                        .then(|| g.find_source(&s.id))
                        .flatten()
                        .filter(|i| (i.0 as usize) < self.earlier_sources);
                    if earlier.is_none() {
                        add_source(g, s, loc.nowhere(), &loc, &first_seen, p);
                    }
                }
            }
            Records::Entities(v) => {
                g.warm_ids(v.iter().map(|e| store.get(text, e.id)));
                for (i, e) in v.iter().enumerate() {
                    let e = entity_in(e, batch, &items, checked(i));
                    let sources = Found::sources(found, &mut at, e.sources.len());
                    add_entity(g, &e, sources, loc.nowhere(), &loc, &first_seen, p);
                }
            }
            Records::Relations(v) => {
                // The ends of the whole batch first: the lookups miss the
                // cache, and in a tight loop of their own they overlap.
                let own = |n: Option<NodeIx>| n.filter(|n| n.index() >= self.earlier_entities);
                let s = |sp| store.get(text, sp);
                // A batch parsed before the parsers had a copy of the entities'
                // ids is looked up in the copy here: a compact table, much
                // quicker than the graph's index.
                let copy = self.lookup.as_ref().and_then(|l| l.entities.as_deref());
                let looked;
                let found_ends = match (found.filter(|f| f.ends.len() == v.len()), copy) {
                    (Some(f), _) => Some(&f.ends),
                    (None, Some(ids)) => {
                        looked = Found::ends(v, batch, ids);
                        Some(&looked)
                    }
                    (None, None) => None,
                };
                let ends: Vec<_> = match found_ends {
                    Some(f) => (v.iter().zip(f))
                        .map(|(r, &[a, b])| {
                            let (from, to) = (|| s(r.from), || s(r.to));
                            (own(node(g, a, from)), own(node(g, b, to)))
                        })
                        .collect(),
                    None => (v.iter())
                        .map(|r| (own(g.find(s(r.from))), own(g.find(s(r.to)))))
                        .collect(),
                };
                g.warm_nodes(ends.iter().flat_map(|&(a, b)| a.into_iter().chain(b)));
                for (i, (r, ends)) in v.iter().zip(ends).enumerate() {
                    let r = relation_in(r, batch, &items, checked(i));
                    let here = loc.nowhere();
                    let sources = Found::sources(found, &mut at, r.sources.len());
                    add_relation(g, &r, self.relations, ends, sources, here, &loc, p);
                    self.relations += 1;
                }
            }
        }
    }

    /// Copies an id table for the parsers when a batch of `records`' section
    /// is the first to need it (see [`Lookup`]), or copies it again once the
    /// table has grown by half since (so that a folder of many files, each
    /// adding a few entities, makes few copies in all).
    fn share(&mut self, records: &Records, shared: &Mutex<Option<Arc<Lookup>>>) {
        let wants = match records {
            Records::Sources(_) => 0,
            Records::Entities(_) => 1,
            Records::Relations(_) => 2,
        };
        let now = [self.graph.sources().len(), self.graph.node_count()];
        let stale = |i: usize| match self.copied[i] {
            None => true,
            Some(had) => now[i] > had + had / 2,
        };
        let redo = [wants >= 1 && stale(0), wants >= 2 && stale(1)];
        if redo == [false; 2] {
            return;
        }
        let old = self.lookup.as_deref();
        let lookup = Arc::new(Lookup {
            sources: match old {
                Some(l) if !redo[0] => Arc::clone(&l.sources),
                _ => Arc::new(self.graph.short_source_ids()),
            },
            entities: match old.and_then(|l| l.entities.as_ref()) {
                Some(e) if !redo[1] => Some(Arc::clone(e)),
                _ if redo[1] => Some(Arc::new(self.graph.short_ids())),
                _ => None,
            },
        });
        for i in 0..2 {
            if redo[i] {
                self.copied[i] = Some(now[i]);
            }
        }
        self.lookup = Some(Arc::clone(&lookup));
        if let Ok(mut s) = shared.lock() {
            *s = Some(lookup);
        }
    }
}

/// One file through the pipeline: this thread builds, one thread reads and
/// splits, the others parse. `false` when the file must be read the slow way.
fn load_file(
    file: File,
    build: &mut Build,
    stats: &Stats,
    tap: Option<&mut Tap<'_>>,
    progress: &mut dyn FnMut(u64),
) -> bool {
    let parsers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let stop = AtomicBool::new(false);
    let read = AtomicU64::new(0);
    build.relations = 0;
    // The copies made for earlier files serve this one's parsers from its
    // first batch.
    let lookup = Mutex::new(build.lookup.clone());
    std::thread::scope(|scope| {
        let (work_tx, work_rx) = sync_channel::<Batch>(parsers * 2);
        let work_rx = Arc::new(Mutex::new(work_rx));
        let (done_tx, done_rx) = sync_channel::<Parsed>(parsers * 2);
        let (recycle_tx, recycle_rx) = channel::<Buffers>();
        let recycle = recycle_tx.clone();
        let (stop, read, lookup) = (&stop, &read, &lookup);
        let Ok(reader) = std::thread::Builder::new()
            .name("ties-read".into())
            .spawn_scoped(scope, move || {
                read_file(file, (work_tx, recycle_rx, tap), stop, read, stats)
            })
        else {
            return false;
        };
        drop(recycle_tx);
        // Each parser gets back the records and stores it made once they are
        // built, to parse into again (or free: freeing memory on the thread
        // that allocated it is much cheaper with glibc's allocator than on
        // another, its arena's lock).
        let mut back = Vec::new();
        for by in 0..parsers {
            let rx = Arc::clone(&work_rx);
            let tx = done_tx.clone();
            let (back_tx, back_rx) = channel::<Spent>();
            let spawned = std::thread::Builder::new()
                .name("ties-parse".into())
                .spawn_scoped(scope, move || {
                    let ends = (&*rx, &tx, &back_rx, by);
                    parse_batches(ends, stop, stats, lookup)
                });
            back.push(back_tx);
            if spawned.is_err() {
                stop.store(true, Ordering::Relaxed);
                break;
            }
        }
        // Only the parsers hold the queue now: if they all stop, the reader's
        // next send fails instead of waiting for ever.
        drop(work_rx);
        drop(done_tx);
        // Records whose parser has stopped are freed on a thread of their own
        // (not the builder's).
        let (free_tx, free_rx) = sync_channel::<Spent>(parsers * 2);
        let freer = std::thread::Builder::new()
            .name("ties-free".into())
            .spawn_scoped(scope, move || free_rx.into_iter().for_each(drop));
        let free_tx = freer.is_ok().then_some(free_tx);
        let shared = (stop, read, lookup);
        let free = (back, free_tx, recycle);
        let built = build_in_order(&done_rx, build, shared, stats, progress, free);
        if built.is_none() {
            // Stop the other threads: this one is not taking any more.
            stop.store(true, Ordering::Relaxed);
        }
        drop(done_rx);
        let sent = reader.join().ok().flatten();
        // Every batch the reader sent was built, in order.
        built.is_some() && built == sent
    })
}

/// Takes parsed batches as they come and adds them in file order. Returns how
/// many were built, `None` if it stopped on a problem.
fn build_in_order(
    done_rx: &Receiver<Parsed>,
    build: &mut Build,
    (stop, read, lookup): (&AtomicBool, &AtomicU64, &Mutex<Option<Arc<Lookup>>>),
    stats: &Stats,
    progress: &mut dyn FnMut(u64),
    (back, free, recycle): (
        Vec<Sender<Spent>>,
        Option<SyncSender<Spent>>,
        Sender<Buffers>,
    ),
) -> Option<u64> {
    let mut waiting: BTreeMap<u64, Parsed> = BTreeMap::new();
    let mut next = 0;
    for parsed in done_rx {
        waiting.insert(parsed.seq, parsed);
        while let Some(parsed) = waiting.remove(&next) {
            let records = parsed.records?;
            let t = Instant::now();
            build.share(&records, lookup);
            let batch = (parsed.text.as_str(), &parsed.store);
            build.add(&records, batch, &parsed.checked, parsed.found.as_ref());
            Stats::add(&stats.build, t);
            // The text goes back to the reader to be filled again.
            let _ = recycle.send((parsed.text, parsed.ends));
            let spent = Spent {
                records,
                store: parsed.store,
                checked: parsed.checked,
            };
            let spent = match back.get(parsed.by) {
                Some(b) => b.send(spent).err().map(|unsent| unsent.0),
                None => Some(spent),
            };
            match (&free, spent) {
                (_, None) => {}
                (Some(free), Some(spent)) => free.send(spent).ok()?,
                (None, spent) => drop(spent),
            }
            if !build.problems.is_empty() || stop.load(Ordering::Relaxed) {
                return None;
            }
            next += 1;
        }
        progress(read.load(Ordering::Relaxed));
    }
    waiting.is_empty().then_some(next)
}

/// Reads the file in blocks and hands out its records in batches. Returns how
/// many batches it sent; `None` if the file is not one the scanner reads (or
/// cannot be read), or a batch could not be handed out.
fn read_file(
    mut file: File,
    (tx, recycled, mut tap): (SyncSender<Batch>, Receiver<Buffers>, Option<&mut Tap<'_>>),
    stop: &AtomicBool,
    read: &AtomicU64,
    stats: &Stats,
) -> Option<u64> {
    let mut scanner = Scanner::default();
    // Zeroed once: `buf[..filled]` is the text not yet split, and blocks are
    // read in after it.
    let mut buf: Vec<u8> = vec![0; 2 * BLOCK];
    let mut filled = 0;
    let mut seq = 0;
    let mut batch: Option<Batch> = None;
    let sent_ok = Cell::new(true);
    let send = |b: Batch| sent_ok.set(sent_ok.get() && tx.send(b).is_ok());
    loop {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        let t = Instant::now();
        if buf.len() < filled + BLOCK {
            buf.resize(filled + BLOCK, 0);
        }
        let n = match file.read(&mut buf[filled..filled + BLOCK]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => 0,
            Err(_) => return None,
        };
        if let Some(tap) = tap.as_mut() {
            tap(&buf[filled..filled + n]);
        }
        filled += n;
        let text = &buf[..filled];
        read.fetch_add(n as u64, Ordering::Relaxed);
        let eof = n == 0;
        // The text up to its last ASCII byte (a character cut by the block's
        // end is left for the next round; every record ends with an ASCII
        // byte) must be UTF-8: the records are copied from it as text, so
        // that the parsers need not check them again. (simdutf8: the same
        // answer as `std::str::from_utf8`, several times faster on ASCII.)
        let end = text.iter().rposition(u8::is_ascii).map_or(0, |i| i + 1);
        let Ok(valid) = simdutf8::basic::from_utf8(&text[..end]) else {
            return None;
        };
        let mut cut_ok = true;
        let mut full = Vec::new();
        let scanned = scanner.scan(text, eof, |Item::Record(section, range)| {
            let Some(record) = valid.get(range) else {
                cut_ok = false;
                return;
            };
            // The open batch is filled where it lies (not moved out and back
            // for each record): only a new section or a full batch moves it.
            if batch.as_ref().is_none_or(|b| b.section != section) {
                full.extend(batch.take());
                seq += 1;
                // The buffers of a batch parsed already, if one is back.
                let (mut text, mut ends) = recycled
                    .try_recv()
                    .unwrap_or_else(|_| (String::with_capacity(BATCH + 4096), Vec::new()));
                text.clear();
                ends.clear();
                batch = Some(Batch {
                    seq: seq - 1,
                    section,
                    text,
                    ends,
                });
            }
            let Some(b) = batch.as_mut() else {
                return;
            };
            b.text.push_str(record);
            b.ends.push(b.text.len());
            if b.text.len() >= BATCH {
                full.extend(batch.take());
            }
        });
        let Ok(used) = scanned else {
            return None;
        };
        // The file must be UTF-8 throughout, comments between records included.
        if !cut_ok || used > valid.len() {
            return None;
        }
        buf.copy_within(used..filled, 0);
        filled -= used;
        Stats::add(&stats.read_split, t);
        // Sent outside the timed part: waiting for a parser is not work.
        full.into_iter().for_each(send);
        if !sent_ok.get() {
            return None;
        }
        if eof {
            break;
        }
    }
    if let Some(b) = batch.take() {
        send(b);
    }
    let rest = &buf[..filled];
    (sent_ok.get() && scanner.done() && rest.iter().all(u8::is_ascii_whitespace)).then_some(seq)
}

/// A batch's text and ends, given back to the reader to be filled again.
type Buffers = (String, Vec<usize>);

/// Parses batches until there are none left (or a record does not parse).
fn parse_batches(
    (rx, tx, back, by): (
        &Mutex<Receiver<Batch>>,
        &SyncSender<Parsed>,
        &Receiver<Spent>,
        usize,
    ),
    stop: &AtomicBool,
    stats: &Stats,
    lookup: &Mutex<Option<Arc<Lookup>>>,
) {
    // Stores and record lists built already, to parse into again.
    let mut spare = Spare::default();
    loop {
        let next = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(batch) = next else {
            return;
        };
        if stop.load(Ordering::Relaxed) {
            return;
        }
        back.try_iter().for_each(|s| spare.keep(s));
        let t = Instant::now();
        let mut by_serde = 0;
        let mut store = spare.stores.pop().unwrap_or_default();
        store.clear();
        let text = batch.text;
        let records = {
            let (ends, n) = (&batch.ends, &mut by_serde);
            let store = &mut store;
            match batch.section {
                Section::Sources => sources(&text, ends, n).map(Records::Sources),
                Section::Entities => {
                    let out = spare.entities.pop().unwrap_or_default();
                    let serde = |r: &EntityRecord, s: &mut Store| EntityAt::of_record(r, s);
                    parse_all(&text, ends, (fast::entity_at, serde), out, store, n)
                        .map(Records::Entities)
                }
                Section::Relations => {
                    let out = spare.relations.pop().unwrap_or_default();
                    let serde = |r: &RelationRecord, s: &mut Store| RelationAt::of_record(r, s);
                    parse_all(&text, ends, (fast::relation_at, serde), out, store, n)
                        .map(Records::Relations)
                }
            }
        };
        let mut checked = spare.checked.pop().unwrap_or_default();
        checked.clear();
        if let Some(records) = &records {
            check(records, (&text, &store), &mut checked);
        }
        // The newest copy of the id tables, if the builder made one yet.
        let ids = lookup.lock().ok().and_then(|l| l.clone());
        let found =
            (records.as_ref().zip(ids)).and_then(|(r, ids)| Found::of(r, (&text, &store), &ids));
        Stats::add(&stats.parse, t);
        if let Some(f) = &found {
            let ids = f.ends.iter().flatten().chain(&f.sources);
            let n = ids.filter(|&&n| n != NOT_FOUND).count();
            stats.found_ahead.fetch_add(n as u64, Ordering::Relaxed);
        }
        stats
            .records
            .fetch_add(batch.ends.len() as u64, Ordering::Relaxed);
        stats.by_serde.fetch_add(by_serde, Ordering::Relaxed);
        let failed = records.is_none();
        let sent = tx.send(Parsed {
            seq: batch.seq,
            records,
            text,
            ends: batch.ends,
            store,
            checked,
            found,
            by,
        });
        if sent.is_err() || failed {
            return;
        }
    }
}

/// The dates and amount of each record of a batch, read here for the builder
/// ([`Checked`]).
fn check(records: &Records, (text, store): (&str, &Store), out: &mut Vec<Option<Checked>>) {
    let s = |sp| store.get(text, sp);
    let amount = |a: Option<fast::AmountAt>| a.map(|a| (a.value, s(a.currency), a.approx));
    match records {
        Records::Sources(_) => {}
        Records::Entities(v) => out.extend(
            (v.iter()).map(|e| Checked::of(e.date.map(s), e.until.map(s), amount(e.amount))),
        ),
        Records::Relations(v) => out.extend(
            (v.iter()).map(|r| Checked::of(r.date.map(s), r.until.map(s), amount(r.amount))),
        ),
    }
}

/// What a parser gets back from the builder, to parse into again: a few of
/// each (more are freed, here).
#[derive(Default)]
struct Spare {
    stores: Vec<Store>,
    checked: Vec<Vec<Option<Checked>>>,
    entities: Vec<Vec<EntityAt>>,
    relations: Vec<Vec<RelationAt>>,
}

impl Spare {
    const KEEP: usize = 2;

    fn keep(&mut self, spent: Spent) {
        if self.stores.len() < Self::KEEP {
            self.stores.push(spent.store);
            self.checked.push(spent.checked);
        }
        match spent.records {
            Records::Sources(_) => {}
            Records::Entities(mut v) if self.entities.len() < Self::KEEP => {
                v.clear();
                self.entities.push(v);
            }
            Records::Relations(mut v) if self.relations.len() < Self::KEEP => {
                v.clear();
                self.relations.push(v);
            }
            _ => {}
        }
    }
}

/// Parses each record of a batch with the hand-written parser ([`fast`])
/// into `out`, its strings left in `text` or put in `store`, or with serde
/// where that one declines (counted in `by_serde`; its record's strings are
/// copied into `store`).
#[allow(clippy::type_complexity)]
fn parse_all<T, R: serde::de::DeserializeOwned>(
    text: &str,
    ends: &[usize],
    (fast, serde): (
        fn(&str, usize, &mut Store) -> Option<T>,
        impl Fn(&R, &mut Store) -> Option<T>,
    ),
    mut out: Vec<T>,
    store: &mut Store,
    by_serde: &mut u64,
) -> Option<Vec<T>> {
    let options = ron_options();
    let mut start = 0;
    out.clear();
    out.reserve(ends.len());
    for &end in ends {
        let record = &text[start..end];
        let parsed = match fast(record, start, store) {
            Some(r) => r,
            None => {
                *by_serde += 1;
                serde(&options.from_str::<R>(record).ok()?, store)?
            }
        };
        out.push(parsed);
        start = end;
    }
    Some(out)
}

/// The source records of a batch (few: each its own strings).
fn sources(text: &str, ends: &[usize], by_serde: &mut u64) -> Option<Vec<SourceRecord>> {
    let options = ron_options();
    let mut start = 0;
    let mut out = Vec::with_capacity(ends.len());
    for &end in ends {
        let record = &text[start..end];
        out.push(match fast::source(record) {
            Some(s) => s,
            None => {
                *by_serde += 1;
                options.from_str(record).ok()?
            }
        });
        start = end;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The ends of a batch of relations, `from`s repeated or not, are
        /// each the id's number in the table (or [`NOT_FOUND`]), as looked up
        /// one by one.
        #[test]
        fn ends_are_found_as_one_by_one(
            pairs in proptest::collection::vec((0usize..12, 0usize..12), 0..80),
        ) {
            // Ids 0..8 are in the table (one too long for a slot); 8..12 not.
            let id = |i: usize| match i {
                3 => "a-long-id-of-many-bytes".to_string(),
                i => format!("e{i}"),
            };
            let held: Vec<String> = (0..8).map(id).collect();
            let table = ShortIds::of_pairs(
                held.iter().enumerate().map(|(n, s)| (s.as_bytes(), n as u32 * 3)),
            );
            let mut text = String::new();
            let mut store = Store::default();
            let mut v = Vec::new();
            for &(a, b) in &pairs {
                let record = format!("Relation(from: \"{}\", to: \"{}\", kind: met)", id(a), id(b));
                let base = text.len();
                text.push_str(&record);
                v.push(fast::relation_at(&record, base, &mut store).unwrap());
            }
            let one = |i: usize| table.find(id(i).as_bytes()).unwrap_or(NOT_FOUND);
            let want: Vec<[u32; 2]> = pairs.iter().map(|&(a, b)| [one(a), one(b)]).collect();
            proptest::prop_assert_eq!(Found::ends(&v, (&text, &store), &table), want);
        }
    }
}
