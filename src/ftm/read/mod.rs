//! The streaming FtM reader: one JSON entity per line, read in batches of
//! lines through a `BufReader`. Each line is parsed on a parser thread, by the
//! fast path (`fast.rs`: borrowed strings) where it can, by the careful reader
//! (`values.rs`) where it declines, and prepared there (`prepare`: values
//! cleaned, fields mapped, notes gathered); the one builder thread then adds
//! it to the graph in file order. Things become entities as they are read;
//! relationships and entity references are kept until the end, since a stream
//! may name an entity before defining it.

mod caption;
mod clean;
mod fast;
mod issues;
mod parallel;
mod plain;
mod props;
mod records;
mod thing;
mod values;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::graph::{
    DatasetId, DatasetSet, Graph, GraphFull, NewRelation, NodeIx, Source, SourceId, SourceSet,
};
use crate::load::{LoadError, Location, Problem, ProblemKind, short};
use crate::model::{Amount, PartialDate, Sym};

use super::mapping::{FILE_SOURCE, PROPERTY_ATTR};
use super::schema::{self, SchemaDef};

pub use caption::pick_name;
pub use clean::valid_id;
pub use issues::{Issue, IssueCount, LINES_SHOWN, Noted};
pub(crate) use props::host;
use records::ref_kind;
use values::RawLine;

/// Lines whose ids are brought into the cache together before they are built.
const WARM: usize = 64;

/// The ids most lines look up in [`Loader::take_all`]: a relationship's
/// own and its two parties'.
const IDS_A_LINE: usize = 3;

/// Problems listed in full; beyond this they are only counted.
const MAX_PROBLEMS: usize = 1000;

/// What a load read and how it was mapped, for the user to check nothing was lost.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FtmSummary {
    /// What the reader worked around instead of refusing the file, per kind.
    pub issues: BTreeMap<Issue, IssueCount>,
    /// Each noted problem with its line (the first thousand).
    pub noted: Vec<Noted>,
    /// Noted problems beyond those listed.
    pub more_noted: usize,
    /// Placeholders made for references to entities the data does not hold.
    pub placeholders: usize,
    /// The file name.
    pub file: String,
    /// Entity records read (non-blank lines that parsed).
    pub records: usize,
    /// Records per schema, as written in the file.
    pub by_schema: BTreeMap<String, usize>,
    /// Schemata FtM does not define; their records are entities of that kind with
    /// every property kept as an attribute.
    pub unknown_schemata: BTreeMap<String, usize>,
    /// `Schema.property` pairs the schema does not define, kept as attributes.
    pub unknown_properties: BTreeMap<String, usize>,
    /// Records whose id was already read: merged into the first, as FtM does.
    pub fragments_merged: usize,
    /// Of those, records whose id an earlier input held (one merge per input
    /// and entity).
    pub merged_across: usize,
    /// Relations an earlier input held too (a relationship repeated whole).
    pub relations_merged_across: usize,
    /// Relationship records that linked more than two parties and became nodes.
    pub relationship_nodes: usize,
    /// What the graph holds at the end.
    pub entities: usize,
    pub relations: usize,
    pub sources: usize,
    /// Whether the input was read a second time, every check made as its
    /// records come: a relationship whose id is the one `ties export
    /// --format ftm` makes, whose checks were left to the end
    /// ([`Loader::defer`]), had an id met elsewhere. Not shown.
    pub reread: bool,
}

impl fmt::Display for FtmSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::model::count;
        writeln!(
            f,
            "{}: {} → {}, {}, {}",
            self.file,
            count(self.records, "FtM record"),
            count(self.entities, "entity"),
            count(self.relations, "relation"),
            count(self.sources, "source")
        )?;
        let list = |m: &BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(f, "  by schema: {}", list(&self.by_schema))?;
        if self.relationship_nodes > 0 {
            let n = self.relationship_nodes;
            writeln!(
                f,
                "  {} linked more than two parties and became {}",
                count(n, "relationship"),
                if n == 1 { "a node" } else { "nodes" }
            )?;
        }
        if self.merged_across > 0 {
            writeln!(
                f,
                "  {} held in an earlier input merged into it",
                count(self.merged_across, "entity")
            )?;
        }
        if self.relations_merged_across > 0 {
            writeln!(
                f,
                "  {} held in an earlier input merged into it",
                count(self.relations_merged_across, "relation")
            )?;
        }
        if self.fragments_merged > 0 {
            writeln!(
                f,
                "  {} repeated an id and {} merged",
                count(self.fragments_merged, "record"),
                if self.fragments_merged == 1 {
                    "was"
                } else {
                    "were"
                }
            )?;
        }
        if !self.unknown_schemata.is_empty() {
            writeln!(
                f,
                "  unknown schemata (kept as entities, properties as attributes): {}",
                list(&self.unknown_schemata)
            )?;
        }
        if !self.unknown_properties.is_empty() {
            writeln!(
                f,
                "  unknown properties (kept as attributes): {}",
                list(&self.unknown_properties)
            )?;
        }
        for (issue, n) in &self.issues {
            writeln!(f, "  {} {}: {n}", n.count, issue.describe())?;
        }
        Ok(())
    }
}

impl FtmSummary {
    /// The summary as load notes: its first line, then one line per kind of
    /// problem (with the first lines it was on).
    pub fn notes(&self) -> Vec<String> {
        let mut notes: Vec<String> = self
            .to_string()
            .lines()
            .map(|l| l.trim().to_string())
            .collect();
        let total: usize = self.issues.values().map(|n| n.count).sum();
        if total > 0
            && let Some(first) = notes.first_mut()
        {
            first.push_str(&format!(
                "; {total} problems worked around (`ties check` lists them)"
            ));
        }
        notes
    }

    /// One line for a status bar: what loaded and how many problems were noted.
    pub fn headline(&self) -> String {
        let mut s = format!(
            "{}: {} entities, {} relations",
            self.file, self.entities, self.relations
        );
        let total: usize = self.issues.values().map(|n| n.count).sum();
        if total > 0 {
            s.push_str(&format!(
                "; {total} problems worked around ({} kinds, `ties check` lists them)",
                self.issues.len()
            ));
        }
        s
    }

    /// How many problems of `issue` were noted.
    pub fn count(&self, issue: Issue) -> usize {
        self.issues.get(&issue).map_or(0, |n| n.count)
    }

    /// The noted problems as an error naming each line (for `--strict`), or
    /// `Ok` when there were none.
    pub fn strict(&self, path: &Path) -> Result<(), LoadError> {
        match issues::as_error(&path.display().to_string(), &self.noted, self.more_noted) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Loads the FtM entity stream at `path`; records without `datasets` are in
/// the dataset named by the file's stem.
pub fn load_ftm(path: &Path) -> Result<(Graph, FtmSummary), LoadError> {
    let stem = crate::graph::dataset_of_path(path);
    load_ftm_files(&[(path.to_path_buf(), stem)])
}

/// Loads FtM entity streams one after the other as one (an id in two is one
/// entity, merged as FtM merges fragments). Records without `datasets` are in
/// the dataset named beside their file.
pub fn load_ftm_files(
    files: &[(std::path::PathBuf, String)],
) -> Result<(Graph, FtmSummary), LoadError> {
    let Some((first, _)) = files.first() else {
        return Err(LoadError::single(
            "--data",
            ProblemKind::Io("no file".into()),
        ));
    };
    let guess = entities_guess(files.iter().map(|(p, _)| p.as_path()));
    let new = || {
        let mut loader = Loader::new(&first.display().to_string(), guess);
        loader.several = files.len() > 1;
        loader
    };
    let read = |loader: &mut Loader| {
        for (i, (path, dataset)) in files.iter().enumerate() {
            loader.start_file(i, path, dataset);
            if let Err(e) = read_file(path, loader) {
                loader.problems.extend(e.problems);
            }
        }
    };
    // One input that is a file (not a pipe: it can be read again).
    let defer = files.len() == 1 && std::fs::metadata(first).is_ok_and(|m| m.is_file());
    let mut loader = read_deferring(defer, new, read);
    if files.len() > 1 {
        loader.summary.file = files
            .iter()
            .map(|(p, _)| {
                p.file_name()
                    .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into())
            })
            .collect::<Vec<String>>()
            .join(" + ");
    }
    let unnamed = loader.unnamed;
    let (mut graph, summary) = loader.finish()?;
    if let [(_, dataset)] = files
        && unnamed
    {
        // The lines naming no dataset are in the default one: the file's.
        graph.set_default_dataset(dataset);
    }
    Ok((graph, summary))
}

/// About how many entities the FtM files `paths` hold, told by their size
/// (a gzipped one, or one that is not a regular file, counts for none):
/// a first size for the graph's tables, that spares them most of their
/// growing (each step a copy, and a rehash of the id index). Counted low
/// (`ties export --format ftm` writes about 840 bytes an entity with its
/// share of the relationships; richer files, more): a guess too high would
/// hold memory the load does not use.
fn entities_guess<'p>(paths: impl Iterator<Item = &'p Path>) -> usize {
    const BYTES_PER_ENTITY: u64 = 800;
    let plain = |p: &Path| {
        let size = std::fs::metadata(p).ok().filter(|m| m.is_file())?.len();
        let gz = (p.extension()).is_some_and(|e| e.eq_ignore_ascii_case("gz"));
        (!gz).then_some(size)
    };
    (paths.filter_map(plain).sum::<u64>() / BYTES_PER_ENTITY) as usize
}

/// Reads one file's lines into `loader`.
fn read_file(path: &Path, loader: &mut Loader) -> Result<(), LoadError> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| {
        let kind = if e.kind() == std::io::ErrorKind::NotFound {
            ProblemKind::NotFound
        } else {
            ProblemKind::Io(e.to_string())
        };
        LoadError::single(&name, kind)
    };
    if std::fs::metadata(path).map_err(io)?.is_dir() {
        return Err(LoadError::single(
            &name,
            ProblemKind::Io("is a folder; an FtM stream is one file".into()),
        ));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    if super::is_gzip(reader.fill_buf().map_err(io)?) {
        // (Read by the batches straight from the decoder: no buffer
        // between.)
        read_lines(flate2::bufread::MultiGzDecoder::new(reader), loader);
    } else if let Err(e) = parallel::each_line_of_file(reader, loader.fast, loader) {
        // (Read straight into the batches, not through the `BufReader`.)
        loader.problem(None, ProblemKind::Io(e.to_string()));
    }
    Ok(())
}

impl parallel::Take for Loader {
    fn take(&mut self, lines: &mut [parallel::Parsed], text: &str, spans: &[SpanPair]) {
        self.take_all(lines, text, spans);
    }

    fn known(&mut self) -> std::sync::Arc<props::KnownSources> {
        self.known_sources()
    }
}

/// A loader made by `new` that `read` read the input into, the checks of
/// relationships of made ids left to the end if `defer`
/// ([`Loader::defer`]; only for an input `read` can read again); read
/// again by another, every check made as its records come, if those ids
/// clashed ([`Loader::deferred_clash`]).
fn read_deferring(defer: bool, new: impl Fn() -> Loader, read: impl Fn(&mut Loader)) -> Loader {
    let mut loader = new();
    loader.defer = defer;
    read(&mut loader);
    if defer && loader.deferred_clash() {
        drop(loader);
        let mut again = new();
        read(&mut again);
        again.summary.reread = true;
        return again;
    }
    loader
}

fn read_lines(reader: impl Read + Send, loader: &mut Loader) {
    let read = parallel::each_line(reader, loader.fast, loader);
    if let Err(e) = read {
        loader.problem(None, ProblemKind::Io(e.to_string()));
    }
}

/// Loads an FtM entity stream from `reader`, naming it `name` in messages.
pub fn load_ftm_reader(
    reader: impl BufRead + Send,
    name: &str,
) -> Result<(Graph, FtmSummary), LoadError> {
    load_reader_with(reader, name, true)
}

/// [`load_ftm_reader`], every line read by the careful reader if not `fast`.
fn load_reader_with(
    reader: impl BufRead + Send,
    name: &str,
    fast: bool,
) -> Result<(Graph, FtmSummary), LoadError> {
    let mut loader = Loader::new(name, 0);
    loader.fast = fast;
    let stem = crate::graph::dataset_of_path(Path::new(name));
    loader.start_file(0, Path::new(name), &stem);
    read_lines(reader, &mut loader);
    loader.finish()
}

/// [`load_reader_with`] of `text`, relationships of made ids with their
/// checks left to the end if `defer` (read again if they clash), as
/// [`load_ftm_files`] reads one file; with whether it was read again.
#[cfg(test)]
fn load_text_deferring(
    text: &[u8],
    name: &str,
    defer: bool,
) -> (Result<(Graph, FtmSummary), LoadError>, bool) {
    let new = || {
        let mut loader = Loader::new(name, 0);
        let stem = crate::graph::dataset_of_path(Path::new(name));
        loader.start_file(0, Path::new(name), &stem);
        loader
    };
    let read = |loader: &mut Loader| read_lines(std::io::Cursor::new(text), loader);
    let loader = read_deferring(defer, new, read);
    let again = loader.summary.reread;
    (loader.finish(), again)
}

/// [`load_reader_with`], the stream read `lines` lines at a time as if each
/// were a batch (one after the other, by one loader), the parser threads'
/// copy of the graph's ids made anew for each: so that the ids the builder
/// added up to the batch before are found by the parsers, as in a large
/// stream, in inputs small enough for property tests. With the number of
/// parties the parsers found.
#[cfg(test)]
fn load_pieces_with(
    text: &[u8],
    name: &str,
    fast: bool,
    lines: usize,
) -> (Result<(Graph, FtmSummary), LoadError>, usize) {
    let mut loader = Loader::new(name, 0);
    loader.fast = fast;
    loader.copy_after_misses = None;
    let stem = crate::graph::dataset_of_path(Path::new(name));
    loader.start_file(0, Path::new(name), &stem);
    let mut rest = text;
    while !rest.is_empty() {
        let ends = memchr::memchr_iter(b'\n', rest);
        let end = ends.take(lines.max(1)).last().map_or(rest.len(), |e| e + 1);
        read_lines(std::io::Cursor::new(&rest[..end]), &mut loader);
        rest = &rest[end..];
    }
    let found = loader.found_ahead;
    (loader.finish(), found)
}

/// A fast way's switch in the tests, process-wide (the parser threads
/// must see it): whether it is on, how many records it took, and a lock
/// for the tests that turn it off or count them, one at a time.
#[cfg(test)]
struct Switch {
    on: std::sync::atomic::AtomicBool,
    taken: std::sync::atomic::AtomicUsize,
    lock: std::sync::Mutex<()>,
}

#[cfg(test)]
impl Switch {
    const fn new() -> Switch {
        Switch {
            on: std::sync::atomic::AtomicBool::new(true),
            taken: std::sync::atomic::AtomicUsize::new(0),
            lock: std::sync::Mutex::new(()),
        }
    }

    fn on(&self) -> bool {
        self.on.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Counts a record the way took.
    fn took(&self) {
        self.taken.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// How many records the way took so far.
    fn taken(&self) -> usize {
        self.taken.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// `f` with the way on or off (then on again).
    fn with<T>(&self, on: bool, f: impl FnOnce() -> T) -> T {
        self.on.store(on, std::sync::atomic::Ordering::SeqCst);
        let t = f();
        self.on.store(true, std::sync::atomic::Ordering::SeqCst);
        t
    }

    /// The switch to this test alone.
    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.lock.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A load's graph as records, its datasets and its summary (its
/// problems), or its error: what the tests of two ways of reading compare.
#[cfg(test)]
type Loaded = Result<(crate::model::GraphFile, Vec<Box<str>>, FtmSummary), String>;

/// [`Loaded`] of a load's result.
#[cfg(test)]
fn loaded(r: Result<(Graph, FtmSummary), LoadError>) -> Loaded {
    match r {
        Ok((g, s)) => {
            let sub = crate::view::Subgraph {
                nodes: g.node_indices().collect(),
                edges: g.edge_indices().collect(),
                whole: true,
            };
            Ok((
                crate::export::to_records(&g, &sub),
                g.dataset_names().to_vec(),
                s,
            ))
        }
        Err(e) => Err(format!("{e:?}")),
    }
}

/// A mapped attribute's name or value, or a role: held inline up to 24
/// bytes (most are, so a relationship's mapped fields allocate nothing).
type Text = compact_str::CompactString;

/// A hash map with a fast hash (the reader's tables are looked up millions
/// of times; the keys are the file's, not an attacker's to choose).
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A set of ids' hashes (the id index's, [`crate::graph::id_hash`]): linear
/// probing over a table at most three quarters full, whose slots can be fetched into
/// the cache for a batch of ids before they are looked up one by one.
#[derive(Default)]
struct Hashes {
    /// A power of two of slots; 0 is an empty one (a hash of 0 is kept as 1).
    slots: Vec<u64>,
    len: usize,
}

impl Hashes {
    fn hash(id: &str) -> u64 {
        Self::of_id_hash(crate::graph::id_hash(id.as_bytes()))
    }

    /// Where `h` is, or the empty slot where it would go.
    fn slot(&self, h: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = (h as usize) & mask;
        while self.slots[i] != 0 && self.slots[i] != h {
            i = (i + 1) & mask;
        }
        i
    }

    /// The hash kept for an id whose [`crate::graph::id_hash`] is `h`
    /// (hashed once, on a parser thread).
    fn of_id_hash(h: u64) -> u64 {
        h.max(1)
    }

    #[cfg(test)]
    fn contains(&self, id: &str) -> bool {
        self.contains_hash(Self::hash(id))
    }

    /// The hashes held, as kept (none 0).
    fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.slots.iter().copied().filter(|&h| h != 0)
    }

    /// [`Self::contains`] of the id whose hash ([`Self::hash`]) is `h`.
    fn contains_hash(&self, h: u64) -> bool {
        !self.slots.is_empty() && self.slots[self.slot(h)] != 0
    }

    /// Where `h` is or would go: the slot [`Self::insert_at`] takes, and
    /// whether `h` is there (`None`: the table has no slot yet).
    #[inline]
    fn probe(&self, h: u64) -> Option<(usize, bool)> {
        if self.slots.is_empty() {
            return None;
        }
        let i = self.slot(h);
        Some((i, self.slots[i] != 0))
    }

    /// Adds the hash `h` ([`Self::hash`]), whose [`Self::probe`] was `at`
    /// (the table unchanged since; `None`: not probed), `false` if it was
    /// there: the slot found then taken, unless the table must grow first.
    #[inline(always)]
    fn insert_at(&mut self, h: u64, at: Option<(usize, bool)>) -> bool {
        let full = 4 * (self.len + 1) > 3 * self.slots.len();
        let (i, there) = match at {
            Some(probed) if !full => {
                debug_assert_eq!(probed.0, self.slot(h));
                probed
            }
            _ => {
                if full {
                    let size = (2 * self.slots.len()).max(1024);
                    let old = std::mem::replace(&mut self.slots, vec![0; size]);
                    for h in old.into_iter().filter(|&h| h != 0) {
                        let i = self.slot(h);
                        self.slots[i] = h;
                    }
                }
                let i = self.slot(h);
                (i, self.slots[i] != 0)
            }
        };
        if there {
            return false;
        }
        self.slots[i] = h;
        self.len += 1;
        true
    }

    /// Adds `id`'s hash; `false` if it was there.
    #[cfg(test)]
    fn insert(&mut self, id: &str) -> bool {
        self.insert_at(Self::hash(id), None)
    }

    /// Prefetches the first slot of each of `ids` (a prefetch, not a read:
    /// reading them stalled the builder on each miss in turn, half of
    /// `take`'s time at 1M).
    /// (`hashes`: the ids' [`Self::hash`]es.)
    fn warm(&self, hashes: impl Iterator<Item = u64>) {
        if self.slots.is_empty() {
            return;
        }
        let mask = self.slots.len() - 1;
        hashes.for_each(|h| crate::graph::prefetch(&self.slots[(h as usize) & mask]));
    }
}

/// Finds a hash met twice among a group of hashes whose high eight bits
/// are the same ([`Loader::deferred_clash`]), in one pass without a
/// branch: each hash put in a table of four to eight slots a hash (placed
/// by its next bits) if its slot is empty, else compared with the hash
/// there and set aside; those set aside are then compared among
/// themselves, sorted (about one in twelve). (Two equal hashes are both
/// set aside unless the first took the slot, where the second is compared
/// with it.) (A table probed until the hash or an empty slot took longer:
/// its loop's exit is seldom foreseen.)
#[derive(Default)]
struct Twice {
    slots: Vec<u64>,
    aside: Vec<u64>,
}

impl Twice {
    /// Whether two of `some` are equal (or one is 0). All of `some` have
    /// the same eight high bits.
    fn any_twice(&mut self, some: &[u64]) -> bool {
        let k = (usize::BITS - some.len().leading_zeros() + 2).min(56);
        let place = |h: u64| ((h << 8) >> (64 - k)) as usize;
        let Twice { slots, aside } = self;
        // (Every slot empty between calls: those taken are emptied after,
        // not the whole table before.)
        if slots.len() < 1 << k {
            slots.clear();
            slots.resize(1 << k, 0);
        }
        if aside.len() < some.len() {
            aside.resize(some.len(), 0);
        }
        let (mut n, mut clash) = (0, false);
        for &h in some {
            let slot = &mut slots[place(h)];
            let there = *slot;
            clash |= there == h || h == 0;
            *slot = if there == 0 { h } else { there };
            aside[n] = h;
            n += usize::from(there != 0);
        }
        for &h in some {
            slots[place(h)] = 0;
        }
        if clash {
            return true;
        }
        let aside = &mut aside[..n];
        aside.sort_unstable();
        aside.windows(2).any(|w| w[0] == w[1])
    }
}

/// What the hashes of the relationships' ids whose checks were left to
/// the end ([`Loader::defer`]) are checked against
/// ([`Loader::deferred_clash`]): each other, the nodes' ids and the other
/// relationships'. The hashes are kept in two lists by their high bit
/// ([`Deferred::half`]): two equal hashes are in the same one, so each
/// list is checked on its own, each on a thread of its own.
struct Deferred<'a> {
    nodes: &'a NodeFilter,
    graph: &'a Graph,
}

impl Deferred<'_> {
    /// Which of the two lists the hash `h` is kept in.
    fn half(h: u64) -> usize {
        (h >> 63) as usize
    }

    /// Whether any of the lists `halves` clashes with the other
    /// relationships' ids `resolved` ([`Self::clash_in`]), the second
    /// checked on another thread.
    fn clash_in_halves(&self, [lower, upper]: &[Vec<u64>; 2], resolved: &Hashes) -> bool {
        let mut others: [Vec<u64>; 2] = Default::default();
        for h in resolved.iter() {
            others[Self::half(h)].push(h);
        }
        let [lower_others, upper_others] = &others;
        std::thread::scope(|s| {
            let other =
                std::thread::Builder::new().spawn_scoped(s, || self.clash_in(upper, upper_others));
            let here = self.clash_in(lower, lower_others);
            let other = match other {
                Ok(other) => other
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e)),
                // (No thread to be had: checked here, after the first.)
                Err(_) => self.clash_in(upper, upper_others),
            };
            here || other
        })
    }

    /// Whether one of `hashes` is a node's id's, met twice among them, or
    /// one of `others` (the other relationships' ids' hashes as
    /// [`Hashes`] keeps them: none twice, none 0).
    fn clash_in(&self, hashes: &[u64], others: &[u64]) -> bool {
        // (Not sorted, nor put in one table: either took longer than the
        // checks the builder left. Split by their high bits into groups
        // a table of the cache's size holds; each group then checked
        // against itself, `others` among it: all in the cache. Probing
        // the other relationships' table for each hash instead missed
        // the cache at 1M.)
        const GROUPS: usize = 256;
        let group = |h: u64| (h >> 56) as usize;
        let mut starts = [0usize; GROUPS + 1];
        // A node's id? Only those the filter of the nodes' ids lets pass
        // (about 2 %) are looked up in the graph's id index: each of the
        // others is no node's. (Probing the index for every one, even in
        // order, was half of this check's time.)
        let mut maybe_nodes = Vec::new();
        for &h in hashes {
            starts[group(h) + 1] += 1;
            if self.nodes.may_hold(h) {
                maybe_nodes.push(h);
            }
        }
        if self.graph.holds_any_id_hash(&maybe_nodes) {
            return true;
        }
        drop(maybe_nodes);
        for &h in others {
            starts[group(h) + 1] += 1;
        }
        for g in 0..GROUPS {
            starts[g + 1] += starts[g];
        }
        let mut at = starts;
        let mut grouped = vec![0u64; hashes.len() + others.len()];
        for &h in hashes.iter().chain(others) {
            let g = group(h);
            grouped[at[g]] = h;
            at[g] += 1;
        }
        let mut seen = Twice::default();
        for g in 0..GROUPS {
            let some = &grouped[starts[g]..starts[g + 1]];
            if some.is_empty() {
                continue;
            }
            // Met twice among them, or one of `others`? (0, which
            // [`Hashes`] keeps as 1, is taken for a clash rather than
            // kept apart.)
            if seen.any_twice(some) {
                return true;
            }
        }
        false
    }
}

/// The graph's nodes' ids as a filter of their hashes
/// ([`crate::graph::id_hash`]): two bits of one word set for each, so that
/// an id whose two bits are not both set is no node's id. A relationship's
/// own id, seldom a node's, is then looked up in the graph's id index (a
/// cache miss in a table of every node, one for each of millions of
/// relationships) only where the filter says it may be one. Kept up with
/// the graph ([`Self::catch_up`]): while lines are read nodes are only
/// added, never removed.
#[derive(Default)]
struct NodeFilter {
    /// A power of two of words (none while there is no node), at most
    /// [`Self::PER_WORD`] nodes a word.
    words: Vec<u64>,
    /// How many of the graph's nodes (the first) it holds.
    len: usize,
}

impl NodeFilter {
    /// The fewest words, once there is a node (32 KiB).
    const MIN_WORDS: usize = 1 << 12;
    /// Nodes a word holds at most: 16 bits a node (about 2 % of the ids
    /// of no node then pass, and are looked up).
    const PER_WORD: usize = 4;

    /// The word of the id whose hash is `h`, and its two bits there.
    fn place(&self, h: u64) -> (usize, u64) {
        let i = (h >> 20) as usize & (self.words.len() - 1);
        (i, 1u64 << ((h >> 52) & 63) | 1u64 << (h >> 58))
    }

    /// Whether a node among those held may have the id whose hash is `h`
    /// (`false`: none has).
    fn may_hold(&self, h: u64) -> bool {
        if self.words.is_empty() {
            return false;
        }
        let (i, bits) = self.place(h);
        self.words[i] & bits == bits
    }

    /// Brings the word [`Self::may_hold`] of `h` reads into the cache.
    fn warm(&self, h: u64) {
        if !self.words.is_empty() {
            crate::graph::prefetch(&self.words[self.place(h).0]);
        }
    }

    fn set(&mut self, h: u64) {
        let (i, bits) = self.place(h);
        self.words[i] |= bits;
    }

    /// Holds node `ix` of `graph`, whose id's hash is `h`, if it is the
    /// next one (else [`Self::catch_up`] will, hashing its id).
    fn add(&mut self, graph: &Graph, ix: NodeIx, h: u64) {
        if ix.index() == self.len {
            if self.words.len() * Self::PER_WORD < self.len + 1 {
                self.room(graph, self.len + 1);
            }
            self.set(h);
            self.len += 1;
        }
    }

    /// Holds every node of `graph`.
    fn catch_up(&mut self, graph: &Graph) {
        let n = graph.node_count();
        if n == self.len {
            return;
        }
        self.room(graph, n);
        self.set_ids(graph, self.len..n);
        self.len = n;
    }

    /// Holds the nodes `ixs` of `graph`, hashing their ids.
    fn set_ids(&mut self, graph: &Graph, ixs: std::ops::Range<usize>) {
        for i in ixs {
            self.set(crate::graph::id_hash(graph.id_bytes(NodeIx::new(i))));
        }
    }

    /// Room for `n` nodes: when there is not, a table four times larger
    /// (or the first), the nodes held filled in again.
    fn room(&mut self, graph: &Graph, n: usize) {
        if self.words.len() * Self::PER_WORD >= n {
            return;
        }
        let mut size = (4 * self.words.len()).max(Self::MIN_WORDS);
        while size * Self::PER_WORD < n {
            size *= 4;
        }
        self.words = vec![0; size];
        self.set_ids(graph, 0..self.len);
    }
}

/// The nodes added since a batch of ids was looked up: how many, and
/// their ids' hashes ([`crate::graph::id_hash`]) as a filter of 1024 bits
/// (one a node), where every one was hashed. Emptied at each lookup.
#[derive(Default)]
struct AddedSince {
    n: usize,
    /// Whether a node was added without its id's hash.
    unhashed: bool,
    bits: [u64; 16],
}

impl AddedSince {
    fn clear(&mut self) {
        *self = Self::default();
    }

    /// One more node, its id hashed to `h` if known.
    fn push(&mut self, h: Option<u64>) {
        self.n += 1;
        match h {
            Some(h) => {
                let b = (h >> 54) as usize;
                self.bits[b >> 6] |= 1 << (b & 63);
            }
            None => self.unhashed = true,
        }
    }

    /// Whether a node among those may have the id whose hash is `h`
    /// (`false`: none has).
    fn may_hold(&self, h: u64) -> bool {
        let b = (h >> 54) as usize;
        self.unhashed || self.bits[b >> 6] & (1 << (b & 63)) != 0
    }
}

/// A relationship record waiting for every entity to be read.
struct PendingEdge {
    id: Box<str>,
    schema: &'static SchemaDef,
    props: Flat,
    /// Its values other than the parties, mapped (`None` once fragments
    /// were merged into it).
    pre: Option<PreEdge>,
    line: usize,
    datasets: DatasetSet,
    /// [`crate::ftm::mapping::PROVENANCE`] attributes.
    provenance: Vec<(String, String)>,
}

/// A relationship's values other than its parties, mapped, and what mapping
/// them noted: boxed, so that a record moved on its way from the parser to
/// the builder (into its line's place in the batch's list, out of it) moves
/// a pointer, not the ~400 bytes of a [`Mapped`] (four or five copies each).
type PreEdge = Box<(Mapped, issues::Notes)>;

/// A relationship value's property and value: places in a batch's text.
type SpanPair = (clean::Span, clean::Span);

/// Boxes of [`PreEdge`]s the builder is done with, emptied, for the
/// parser thread that made them to fill again: a relationship's mapped
/// fields then cost no allocation of their own (nor their lists, whose room
/// is kept), and freeing them none either.
struct SparePre;

thread_local! {
    static SPARE_PRE: std::cell::RefCell<Vec<PreEdge>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl SparePre {
    /// At most this many kept per thread (about two batches' relationships
    /// of one parser thread).
    const MAX: usize = 8192;
    /// A box whose lists grew past this many values is freed, not kept.
    const ROOM: usize = 16;

    /// An empty [`PreEdge`]: a spare one of this thread's, else a new one.
    fn take() -> PreEdge {
        SPARE_PRE
            .with_borrow_mut(Vec::pop)
            .unwrap_or_else(|| Box::new((Mapped::default(), issues::Notes::default())))
    }

    /// Keeps `pre`, emptied, for [`Self::take`] on this thread.
    fn keep(mut pre: PreEdge) {
        let (m, notes) = &mut *pre;
        if m.room() > Self::ROOM || notes.room() > Self::ROOM {
            return;
        }
        m.clear();
        notes.clear();
        SPARE_PRE.with_borrow_mut(|spare| {
            if spare.len() < Self::MAX {
                spare.push(pre);
            }
        });
    }
}

/// A property's place among its schema's ([`SchemaDef::props`]) when it
/// is not there, or past 254.
const NO_IX: u8 = u8::MAX;

/// The place of property `name` among those of `def`
/// ([`SchemaDef::props`]): [`NO_IX`] when it has none there, or past 254.
fn prop_ix(def: &SchemaDef, name: &str) -> u8 {
    (def.props.iter().position(|p| p.0 == name))
        .filter(|&i| i < usize::from(NO_IX))
        .map_or(NO_IX, |i| i as u8)
}

/// A relationship's mapped fields of the common shape, held in its record
/// ([`fast::FastEdge::compact`]) instead of a [`PreEdge`] box: two
/// parties, one of each end; a kind its schema and role name (not an
/// `other`); every source it cites noted for its chunk's lookup (at most
/// three, so that with the file's at most four are found); at most
/// [`Compact::ATTRS`] attributes, each of one of its schema's properties;
/// nothing noted on it. Its strings are places in its batch's text, its
/// attributes' and note's names places among its schema's properties
/// ([`SchemaDef::props`]): nothing on the heap, two cache lines written
/// on the parser thread and read in file order on the builder's
/// (`records.rs`' `resolve_compact`). [`Compact::fill`] makes of it
/// the [`Mapped`] [`plain`]'s `write` would have made.
#[derive(Clone, Debug)]
struct Compact {
    /// The sources its parser found (each once, then the file's): the
    /// first `n_found` ([`Mapped::found`]), and their list's key.
    found: [u32; 4],
    found_key: u64,
    amount: Option<Amount>,
    date: Option<PartialDate>,
    until: Option<PartialDate>,
    /// What the kind did not say of the role.
    role: Option<clean::Span>,
    /// The note, and its property's place among the schema's.
    note: Option<clean::Span>,
    note_prop: u8,
    /// The attributes in order: their values, their names' places among
    /// the schema's properties.
    attrs: [clean::Span; Compact::ATTRS],
    names: [u8; Compact::ATTRS],
    n_attrs: u8,
    n_found: u8,
    kind: crate::model::RelationKind<std::convert::Infallible>,
    /// Whether it runs from its target to its source.
    reversed: bool,
    /// Whether its id is the one made of its values (not kept).
    made_id: bool,
    /// Whether its first party (in the order of its values) is its
    /// source.
    source_first: bool,
}

impl Compact {
    /// The most attributes held.
    const ATTRS: usize = 4;

    /// Its kind as the graph takes it.
    fn kind<O>(&self) -> crate::model::RelationKind<O> {
        self.kind.map_other(|never| match never {})
    }

    /// Its attributes, `(name, value)`: `def` its schema, `text` its
    /// batch's.
    fn attrs<'a>(
        &'a self,
        def: &'static SchemaDef,
        text: &'a str,
    ) -> impl Iterator<Item = (&'static str, &'a str)> + 'a {
        let n = usize::from(self.n_attrs);
        (self.names[..n].iter().zip(&self.attrs[..n]))
            .map(move |(&ix, &v)| (def.props[usize::from(ix)].0, plain::of(v, text)))
    }

    /// What the kind did not say of its role (`text`: its batch's).
    fn role<'a>(&self, text: &'a str) -> Option<&'a str> {
        self.role.map(|r| plain::of(r, text))
    }

    /// Its note (`text`: its batch's).
    fn note<'a>(&self, text: &'a str) -> Option<&'a str> {
        self.note.map(|n| plain::of(n, text))
    }

    /// The property its note came from (`def` its schema).
    fn note_prop(&self, def: &'static SchemaDef) -> Option<&'static str> {
        self.note.map(|_| def.props[usize::from(self.note_prop)].0)
    }

    /// The sources found, each once, then the file's.
    fn found(&self) -> &[u32] {
        &self.found[..usize::from(self.n_found)]
    }

    /// Fills `m` (emptied) as [`plain`]'s `write` would have: `def` its schema,
    /// `text` its batch's.
    fn fill(&self, def: &'static SchemaDef, text: &str, m: &mut Mapped) {
        m.date = self.date;
        m.until = self.until;
        m.amount = self.amount;
        (m.attrs).extend((self.attrs(def, text)).map(|(k, v)| (Text::from(k), Text::from(v))));
        if let Some(note) = self.note {
            m.note = Some(plain::of(note, text).to_string());
            m.note_prop = self.note_prop(def).map(str::to_string);
        }
        m.role = self.role.map(|r| Text::from(plain::of(r, text)));
        m.edge = Some((self.kind(), self.reversed));
        m.made_id = self.made_id;
        give_found((&self.found, self.n_found, self.found_key), m);
    }

    /// Its fields as a box of their own ([`Self::fill`]), for the ways
    /// that take one (`def` its schema, `text` its batch's).
    fn boxed(&self, def: &'static SchemaDef, text: &str) -> PreEdge {
        let mut pre = SparePre::take();
        self.fill(def, text, &mut pre.0);
        pre
    }

    /// Sets the sources found for it: `ids[..n]`, their key; whether it
    /// can hold them.
    fn set_found(&mut self, ids: &[u32; 8], n: usize, key: u64) -> bool {
        hold_found(
            (&mut self.found, &mut self.n_found, &mut self.found_key),
            ids,
            n,
            key,
        )
    }
}

/// Holds the sources a parser found for a compact record, `ids[..n]`,
/// and their list's key, in its `(found, n_found, found_key)`; whether
/// it can hold that many.
fn hold_found(
    (found, n_found, found_key): (&mut [u32; 4], &mut u8, &mut u64),
    ids: &[u32; 8],
    n: usize,
    key: u64,
) -> bool {
    let Some(to) = found.get_mut(..n) else {
        return false;
    };
    to.copy_from_slice(&ids[..n]);
    *n_found = n as u8;
    *found_key = key;
    true
}

/// Gives `m` the sources a parser found for a compact record (`found`,
/// `n_found`, `found_key` there), as its parser would have found them for
/// it: [`hold_found`]'s way back.
fn give_found((found, n, key): (&[u32; 4], u8, u64), m: &mut Mapped) {
    m.found[..usize::from(n)].copy_from_slice(&found[..usize::from(n)]);
    m.n_found = n;
    m.found_key = key;
}

/// What [`plain`]'s `write` made of a record: its mapped fields boxed, or compact.
enum Written {
    Boxed(PreEdge),
    Compact(Compact),
}

impl Written {
    /// As [`fast::FastEdge`] holds them.
    fn split(self) -> (Option<PreEdge>, Option<Compact>) {
        match self {
            Written::Boxed(pre) => (Some(pre), None),
            Written::Compact(c) => (None, Some(c)),
        }
    }
}

/// A relationship's values, `(property, value)`, in one buffer (two
/// allocations for a record instead of two per value).
#[derive(Default)]
struct Flat {
    text: String,
    /// Per value, where its property's name and the value end in `text`.
    ends: Vec<(u32, u32)>,
    /// Which of the first 64 values name entities (the parties, looked up).
    parties: u64,
}

impl Flat {
    fn push(&mut self, key: &str, value: &str) {
        self.text.push_str(key);
        let k = self.text.len() as u32;
        self.text.push_str(value);
        self.ends.push((k, self.text.len() as u32));
    }

    /// Its values, as the builder reads them.
    fn view(&self) -> Values<'_> {
        Values {
            text: &self.text,
            at: At::Packed(&self.ends),
            parties: self.parties,
        }
    }

    /// Moves every value of `other` to the end of this one (its parties'
    /// marks too, as far as the first 64 values go).
    fn append(&mut self, other: Values<'_>) {
        let at = self.ends.len();
        if at < 64 {
            self.parties |= other.parties << at;
        }
        for (k, v) in other.iter() {
            self.push(k, v);
        }
    }
}

/// A relationship's values, `(property, value)`: those of a [`Flat`], or
/// (a relationship of the fast path) places in its batch's text, so that a
/// parser thread copies none of its strings.
#[derive(Clone, Copy)]
struct Values<'a> {
    text: &'a str,
    at: At<'a>,
    /// Which of the first 64 values name entities (the parties, looked up).
    parties: u64,
}

/// The values of a [`Values`], in order (what is left of them in `at`;
/// for a [`At::Packed`], where the next one's name starts).
struct ValuesIter<'a> {
    text: &'a str,
    at: At<'a>,
    start: usize,
}

impl<'a> Iterator for ValuesIter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        match &mut self.at {
            At::Packed(ends) => {
                let (&(k, v), rest) = ends.split_first()?;
                *ends = rest;
                let (k, v) = (k as usize, v as usize);
                let pair = (&self.text[self.start..k], &self.text[k..v]);
                self.start = v;
                Some(pair)
            }
            At::Spans(spans) => {
                let (&(k, v), rest) = spans.split_first()?;
                *spans = rest;
                Some((k.of(self.text), v.of(self.text)))
            }
        }
    }
}

/// Where the values of [`Values`] are in its text.
#[derive(Clone, Copy)]
enum At<'a> {
    /// A [`Flat`]'s: per value, where its property's name and the value
    /// end (the name starting where the value before ended).
    Packed(&'a [(u32, u32)]),
    /// Per value, its property's name and the value.
    Spans(&'a [SpanPair]),
}

impl<'a> Values<'a> {
    fn len(&self) -> usize {
        match self.at {
            At::Packed(ends) => ends.len(),
            At::Spans(spans) => spans.len(),
        }
    }

    /// Value `i`: `(property, value)`.
    fn get(&self, i: usize) -> (&'a str, &'a str) {
        match self.at {
            At::Packed(ends) => {
                let start = if i == 0 { 0 } else { ends[i - 1].1 as usize };
                let (k, v) = (ends[i].0 as usize, ends[i].1 as usize);
                (&self.text[start..k], &self.text[k..v])
            }
            At::Spans(spans) => {
                let (k, v) = spans[i];
                (k.of(self.text), v.of(self.text))
            }
        }
    }

    /// The length of the property's name of value `i` (nothing sliced).
    #[inline]
    fn key_len(&self, i: usize) -> usize {
        match self.at {
            At::Packed(ends) => {
                let start = if i == 0 { 0 } else { ends[i - 1].1 };
                (ends[i].0 - start) as usize
            }
            At::Spans(spans) => spans[i].0.len(),
        }
    }

    /// The property of value `i` alone (the value not sliced).
    #[inline]
    fn key(&self, i: usize) -> &'a str {
        match self.at {
            At::Packed(ends) => {
                let start = if i == 0 { 0 } else { ends[i - 1].1 as usize };
                &self.text[start..ends[i].0 as usize]
            }
            At::Spans(spans) => spans[i].0.of(self.text),
        }
    }

    /// Value `i` alone (its property's name not sliced).
    fn value(&self, i: usize) -> &'a str {
        match self.at {
            At::Packed(ends) => &self.text[ends[i].0 as usize..ends[i].1 as usize],
            At::Spans(spans) => spans[i].1.of(self.text),
        }
    }

    /// Where the values the bits of [`Self::parties`] mark are, in order
    /// (found from the bits, the other values not read).
    fn marked(&self) -> impl Iterator<Item = usize> + use<> {
        let (mut mask, len) = (self.parties, self.len());
        std::iter::from_fn(move || {
            let i = mask.trailing_zeros() as usize;
            mask &= mask.wrapping_sub(1);
            (i < len.min(64)).then_some(i)
        })
    }

    /// The values the bits of [`Self::parties`] mark.
    fn parties(self) -> impl Iterator<Item = &'a str> {
        self.marked().map(move |i| self.value(i))
    }

    /// The parties' `(property, value)`s: as the parser marked them, where
    /// it marked every party ([`Self::marks_every_party`]), else the values
    /// whose property `party` says names one (walked, not collected).
    fn parties_or(self, party: impl Fn(&str) -> bool) -> impl Iterator<Item = (&'a str, &'a str)> {
        let marked = self.marks_every_party();
        let by_marks = marked.then(|| self.marked().map(move |i| self.get(i)));
        let by_schema = (!marked).then(|| self.iter().filter(move |&(k, _)| party(k)));
        (by_marks.into_iter().flatten()).chain(by_schema.into_iter().flatten())
    }

    /// Every `(property, value)`, in order.
    fn iter(self) -> ValuesIter<'a> {
        ValuesIter {
            text: self.text,
            at: self.at,
            start: 0,
        }
    }

    /// Whether [`Self::parties`] marks every party (a record of at most 64
    /// values, whose parties were marked as it was cleaned).
    fn marks_every_party(&self) -> bool {
        self.len() <= 64
    }

    /// The values as a [`Flat`] of their own.
    fn to_flat(self) -> Flat {
        let mut flat = Flat::default();
        flat.append(self);
        flat
    }
}

/// A relationship record to build, borrowed (from a [`PendingEdge`], or
/// from a record as a parser thread prepared it).
struct EdgeRef<'a> {
    id: &'a str,
    schema: &'static SchemaDef,
    props: Values<'a>,
    pre: &'a (Mapped, issues::Notes),
    line: usize,
    datasets: DatasetSet,
    provenance: &'a [(String, String)],
}

impl PendingEdge {
    fn view<'a>(&'a self, pre: &'a (Mapped, issues::Notes)) -> EdgeRef<'a> {
        EdgeRef {
            id: &self.id,
            schema: self.schema,
            props: self.props.view(),
            pre,
            line: self.line,
            datasets: self.datasets,
            provenance: &self.provenance,
        }
    }
}

/// What a relationship record became.
#[derive(Debug, Clone, Copy)]
enum Built {
    /// A node (it linked more than two parties).
    Node(NodeIx),
    Edge(crate::graph::EdgeIx),
}

/// An entity-valued property of a thing, resolved at the end.
struct PendingRef {
    from: NodeIx,
    /// The schema the property's values must have, for a placeholder.
    range: Option<&'static str>,
    prop: Box<str>,
    target: Box<str>,
    sources: SourceSet,
    line: usize,
    datasets: DatasetSet,
}

struct Loader {
    name: String,
    graph: Graph,
    summary: FtmSummary,
    problems: Vec<Problem>,
    more_problems: usize,
    line_no: usize,
    file_source: SourceId,
    /// `(publisher, url)` → source.
    /// Sources by publisher (of a record without URLs), and by URL.
    source_ids: props::SourceKeys,
    /// A copy of `source_ids` for the parser threads ([`Self::known_sources`]).
    known: std::sync::Arc<props::KnownSources>,
    /// Records whose sources the builder found since `known` was made.
    source_misses: usize,
    /// Line each node was first defined on, by node index.
    node_lines: Vec<u32>,
    /// The last input (by number) a record of each node came from.
    node_files: Vec<u16>,
    /// The input being read: its number, the dataset of its records without
    /// `datasets`, and the names of the inputs so far.
    file_index: u16,
    /// Named once a record needs it (a file whose records all name their
    /// datasets adds no dataset of its own).
    file_dataset: Option<DatasetId>,
    file_dataset_name: String,
    /// A line of one file read alone named no dataset (it is in the default).
    unnamed: bool,
    file_names: Vec<String>,
    /// The datasets and provenance of the record being read (nested records
    /// share them).
    datasets: DatasetSet,
    provenance: Vec<(String, String)>,
    edges: Vec<PendingEdge>,
    edge_ids: FastMap<Box<str>, usize>,
    /// Hashes of the ids of relationship records read so far (built or held).
    resolved: Hashes,
    /// The ids of the graph's nodes, as a filter: a relationship's own id
    /// is looked up only where it may be a node's.
    node_filter: NodeFilter,
    /// Relationships built, by the hash of their id: the input they came
    /// from, the hash of their values, and what they became.
    built: HashMap<u64, (u16, u64, Built)>,
    refs: Vec<PendingRef>,
    /// Records per schema as written (for [`FtmSummary::by_schema`] at the
    /// end), and which was counted last.
    schemata: (Vec<(Box<str>, usize)>, usize),
    /// The parties of the relationship being built (kept from record to record).
    party_buf: Vec<NodeIx>,
    /// The nodes of the ids of the lines being taken (each record's id,
    /// then its parties), looked up at once, while the graph held
    /// `looked_up_nodes` nodes; the current record's are from `lookup_at`
    /// (`None`: a record not looked up, such as a nested one).
    looked_up: Vec<Option<NodeIx>>,
    looked_up_nodes: usize,
    lookup_at: Option<usize>,
    /// The current record's id's hash, when its parser hashed it
    /// ([`fast::FastRecord::hash`]).
    id_hash: Option<u64>,
    /// Parties the builder found in the graph since the parser threads'
    /// copy of its ids was made (which did not hold them), and the nodes
    /// the graph had then ([`Self::known_sources`]).
    node_misses: usize,
    nodes_copied: Option<usize>,
    /// How many such misses make a copy (once the graph has grown enough);
    /// `None`: a copy for every batch (tests, to compare the parser
    /// threads' lookups with the builder's on small inputs).
    copy_after_misses: Option<usize>,
    /// Parties taken as their parsers found them.
    found_ahead: usize,
    /// Whether lines are read by the fast path where it can (else all by
    /// the careful reader, to compare the two).
    fast: bool,
    /// Whether several inputs are read (only then is [`Self::built`] kept).
    several: bool,
    /// Whether a relationship of the fast path whose id is the one `ties
    /// export --format ftm` makes of it ([`Mapped::made_id`]) has its id's
    /// checks left to the end of the read (set only for one input that can
    /// be read again): its id is not looked up among the nodes nor the
    /// relationships read so far, nor added to [`Self::resolved`], but its
    /// hash pushed on [`Self::deferred`] (a list written in order, where
    /// the checks each took a cache miss or two in large tables). If any
    /// such id was met twice, or is a node's or another relationship's
    /// ([`Self::deferred_clash`]), the input is read again without (the
    /// records then built as they come would have been built otherwise).
    defer: bool,
    /// The ids' hashes ([`crate::graph::id_hash`]) of the relationships
    /// whose checks were left to the end ([`Self::defer`]), in two lists
    /// ([`Deferred::half`]).
    deferred: [Vec<u64>; 2],
    /// Whether the record being built is one of those.
    deferring: bool,
    /// The nodes added since the lines being taken were looked up
    /// ([`Self::looked_up`]).
    added_since: AddedSince,
    /// Attribute names interned lately ([`crate::graph::short_key`]), with their symbols
    /// (a handful of names, on millions of relations).
    attr_names: [Option<((u128, usize), Sym)>; 16],
    /// The relationship schemata asked of [`Self::ends_by_length`], and
    /// its answers.
    ends_memo: [Option<(&'static SchemaDef, bool)>; 32],
    /// Where each schema of the table ([`schema::all`], by its place
    /// there) is counted among [`Self::schemata`], once counted by
    /// [`Self::count_schema_def`].
    schema_memo: Box<[Option<usize>]>,
}

/// The fields of one record once its properties are sorted out.
#[derive(Default)]
struct Mapped {
    names: Vec<String>,
    /// Aliases with the property each came from (`alias`, `previousName`).
    aliases: Vec<(String, char)>,
    weak_aliases: Vec<String>,
    note: Option<String>,
    /// The property the note came from.
    note_prop: Option<String>,
    date: Option<PartialDate>,
    until: Option<PartialDate>,
    amount: Option<Amount>,
    role: Option<Text>,
    /// A relationship's kind and whether it runs from its target to its
    /// source (worked out with `role`, which then keeps only what the kind
    /// did not say: [`records::edge_kind`]).
    edge: Option<(crate::model::RelationKind<String>, bool)>,
    /// The first publisher, the outlet of the URLs cited.
    outlet: Option<String>,
    /// The sources cited, found or added when the record is built.
    source_reqs: Vec<props::SourceReq>,
    /// Those sources, then the file's, when a parser thread found every one
    /// among those already added: the first `n_found` (else none; the ids
    /// of [`SourceId`]s).
    found: [u32; 8],
    n_found: u8,
    /// Their key among the graph's lists ([`crate::graph::source_list_key`]).
    found_key: u64,
    attrs: Vec<(Text, Text)>,
    /// Entity-valued properties: `(property, id)`.
    refs: Vec<(String, String)>,
    /// A relationship of two parties whose id is the one `ties export
    /// --format ftm` makes of it (`graph::relid`): not kept, made again.
    made_id: bool,
}

impl Mapped {
    /// Makes it what [`Mapped::default`] makes, its lists' room kept.
    fn clear(&mut self) {
        // (Every field named, so that a new one is not forgotten here.)
        let Mapped {
            names,
            aliases,
            weak_aliases,
            note,
            note_prop,
            date,
            until,
            amount,
            role,
            edge,
            outlet,
            source_reqs,
            found,
            n_found,
            found_key,
            attrs,
            refs,
            made_id,
        } = self;
        names.clear();
        aliases.clear();
        weak_aliases.clear();
        *note = None;
        *note_prop = None;
        *date = None;
        *until = None;
        *amount = None;
        *role = None;
        *edge = None;
        *outlet = None;
        source_reqs.clear();
        *found = [0; 8];
        *n_found = 0;
        *found_key = 0;
        attrs.clear();
        refs.clear();
        *made_id = false;
    }

    /// The room of its largest list.
    fn room(&self) -> usize {
        (self.names.capacity())
            .max(self.aliases.capacity())
            .max(self.weak_aliases.capacity())
            .max(self.source_reqs.capacity())
            .max(self.attrs.capacity())
            .max(self.refs.capacity())
    }
}

impl Loader {
    /// A loader of `name`, its graph's tables first made for about
    /// `entities` entities (and three times as many relationships).
    fn new(name: &str, entities: usize) -> Self {
        let file_name = Path::new(name)
            .file_name()
            .map_or_else(|| name.to_string(), |n| n.to_string_lossy().into_owned());
        let mut graph = Graph::with_capacity(entities, entities * 3);
        let file_source = graph
            .add_source(Source {
                id: FILE_SOURCE.into(),
                outlet: "FollowTheMoney file".into(),
                title: file_name.as_str().into(),
                published: None,
                file: file_name.as_str().into(),
                url: None,
            })
            .expect("the first source's id is free");
        Loader {
            name: name.to_string(),
            graph,
            summary: FtmSummary {
                file: file_name,
                ..FtmSummary::default()
            },
            problems: Vec::new(),
            more_problems: 0,
            line_no: 0,
            file_source,
            source_ids: Default::default(),
            known: Default::default(),
            source_misses: 0,
            node_lines: Vec::new(),
            node_files: Vec::new(),
            file_index: 0,
            file_dataset: None,
            file_dataset_name: String::new(),
            unnamed: false,
            file_names: Vec::new(),
            datasets: DatasetSet::DEFAULT,
            provenance: Vec::new(),
            edges: Vec::new(),
            edge_ids: FastMap::default(),
            resolved: Default::default(),
            node_filter: NodeFilter::default(),
            built: HashMap::new(),
            refs: Vec::new(),
            schemata: (Vec::new(), 0),
            party_buf: Vec::new(),
            looked_up: Vec::new(),
            looked_up_nodes: 0,
            lookup_at: None,
            id_hash: None,
            node_misses: 0,
            nodes_copied: None,
            copy_after_misses: Some(256),
            found_ahead: 0,
            fast: true,
            several: false,
            defer: false,
            deferred: Default::default(),
            deferring: false,
            added_since: AddedSince::default(),
            attr_names: [None; 16],
            ends_memo: [None; 32],
            schema_memo: vec![None; schema::all().len()].into_boxed_slice(),
        }
    }

    /// The next input: its lines counted from 1, its records without
    /// `datasets` in `dataset`.
    fn start_file(&mut self, i: usize, path: &Path, dataset: &str) {
        self.name = path.display().to_string();
        self.line_no = 0;
        self.file_index = u16::try_from(i).unwrap_or(u16::MAX);
        self.file_dataset = None;
        self.file_dataset_name = dataset.to_string();
        self.file_names.push(self.name.clone());
    }

    /// Where line `line` of input `file` is, for a message.
    fn place(&self, file: u16, line: usize) -> String {
        let name = self
            .file_names
            .get(file as usize)
            .map_or("", String::as_str);
        format!("{name}:{line}")
    }

    fn problem(&mut self, at: Option<(usize, usize)>, kind: ProblemKind) {
        if self.problems.len() >= MAX_PROBLEMS {
            self.more_problems += 1;
            return;
        }
        self.problems.push(Problem {
            location: Location {
                file: self.name.clone(),
                line_col: at,
            },
            kind,
        });
    }

    /// Notes a problem worked around on the current line.
    pub(super) fn note(&mut self, issue: Issue, detail: String) {
        let line = self.line_no;
        self.summary.issues.entry(issue).or_default().add(line);
        if self.summary.noted.len() < MAX_PROBLEMS {
            self.summary.noted.push(Noted {
                issue,
                line,
                detail,
            });
        } else {
            self.summary.more_noted += 1;
        }
    }

    fn here(&self) -> Option<(usize, usize)> {
        Some((self.line_no, 1))
    }

    /// Parsed lines, in order, [`WARM`] at a time: what each group's
    /// records will read fetched together first ([`Self::warm_ahead`]),
    /// their ids and parties looked up together, then each built.
    fn take_all(&mut self, lines: &mut [parallel::Parsed], text: &str, spans: &[SpanPair]) {
        // (Room for a record's id and two parties a line, made once: grown
        // from nothing, as they were, each list was copied over a few
        // times for every 64 lines, `ids` the most, on the builder's thread.)
        let room = IDS_A_LINE * WARM.min(lines.len());
        let mut hashes: Vec<u64> = Vec::with_capacity(room);
        // Where in `looked_up` the answer to each of `ids` goes, and
        // whether it is a party's.
        let mut asked: Vec<(usize, bool)> = Vec::with_capacity(room);
        let mut answers = Vec::with_capacity(room);
        let mut starts = Vec::with_capacity(WARM.min(lines.len()));
        let n = lines.len();
        let group = |at: usize| at.min(n)..(at + WARM).min(n);
        // What a group's records will read is fetched while the group
        // before is built ([`Self::warm_ahead`]), not just before its
        // own: fetched just before, the first records of each group
        // waited for it all the same (the slot of their list of sources,
        // their parties' relation lists).
        // (Bit `i`: whether line `i`'s id checks are left to the end.)
        let mut deferred_next = self.warm_ahead(&lines[group(0)], text);
        let mut next = 0;
        while next < n {
            let (at, end) = (next, (next + WARM).min(n));
            next = end;
            let deferred = deferred_next;
            // The entries of the group after the next, fetched two groups
            // ahead: written on a parser thread's core, their first reads
            // (in `warm_ahead`) were the most of `take`'s stalls.
            for p in &lines[group(end + WARM)] {
                crate::graph::prefetch_all(p);
            }
            deferred_next = self.warm_ahead(&lines[group(end)], text);
            let some = &mut lines[at..end];
            // The filter holds every node before it is asked.
            self.node_filter.catch_up(&self.graph);
            // Each record's id and parties looked up in the graph at once
            // (their cache misses overlap); the builder takes the answers
            // ([`Self::find_looked_up`]) instead of looking them up again.
            // A party its parser found in the copy of the graph's ids
            // ([`find_parties`]) is taken as found, not looked up.
            let mut looked_up = std::mem::take(&mut self.looked_up);
            looked_up.clear();
            let mut ids: Vec<&str> = Vec::with_capacity(IDS_A_LINE * some.len());
            hashes.clear();
            asked.clear();
            starts.clear();
            for (i, p) in some.iter().enumerate() {
                starts.push(looked_up.len());
                let parallel::Parsed::Ready(r) = p else {
                    continue;
                };
                let parties = r.body.edge_values(text, spans);
                // A relationship's id the filter says is no node's is not
                // looked up: its answer, none, is as the graph's. (Nor one
                // whose checks are left to the end: its answer not asked.)
                if parties.is_none()
                    || (deferred >> i & 1 == 0 && self.node_filter.may_hold(r.hash))
                {
                    asked.push((looked_up.len(), false));
                    // (Its bytes read only where its hash's tag is a
                    // node's: `Fast::id` slices it unchecked.)
                    ids.push(r.body.id(text));
                    hashes.push(r.hash);
                }
                looked_up.push(None);
                let Some(values) = parties else { continue };
                // (A party's value sliced only where it is looked up.)
                for (k, i) in values.marked().enumerate() {
                    match r.found(k) {
                        Some(n) => {
                            looked_up.push(Some(n));
                            self.found_ahead += 1;
                        }
                        None => {
                            let v = values.value(i);
                            asked.push((looked_up.len(), true));
                            looked_up.push(None);
                            ids.push(v);
                            hashes.push(crate::graph::id_hash(v.as_bytes()));
                        }
                    }
                }
            }
            // (The ids' strings borrow `some`: looked up, then let go.)
            answers.clear();
            self.graph.find_all_hashed(&ids, &hashes, &mut answers);
            for (&(at, is_party), &found) in asked.iter().zip(&answers) {
                looked_up[at] = found;
                if is_party && found.is_some() {
                    self.node_misses += 1;
                }
            }
            drop(ids);
            // The relation lists of the nodes found here (those their
            // parsers found were fetched with the records), before
            // relations are added to them.
            self.graph.warm_nodes(answers.iter().flatten().copied());
            self.looked_up = looked_up;
            self.looked_up_nodes = self.graph.node_count();
            self.added_since.clear();
            // The lists of sources stored before that these records' may be.
            // (And the attributes each lists.)
            for m in some.iter().filter_map(parsed_mapped) {
                self.graph.warm_source_key(m.n_found.into(), m.found_key);
                if let Some(first) = m.attrs.first() {
                    crate::graph::prefetch(first);
                }
            }
            for (i, (parsed, &start)) in some.iter_mut().zip(&starts).enumerate() {
                self.line_no += 1;
                let hash = match parsed {
                    parallel::Parsed::Ready(r) => Some(r.hash),
                    _ => None,
                };
                self.lookup_at = hash.map(|_| start);
                self.id_hash = hash;
                self.deferring = deferred >> i & 1 != 0;
                self.take(parsed, text, spans);
                self.lookup_at = None;
                self.id_hash = None;
                self.deferring = false;
            }
        }
    }

    /// Brings into the cache what [`Self::take_all`] will read of the
    /// records `some` (a group of [`WARM`] lines, to be looked up and
    /// built once the group before them is: asked while it is built, so
    /// that what is fetched comes meanwhile; a table grown since, or the
    /// filter caught up, has only a prefetch gone to waste): their ids'
    /// slots in [`Self::resolved`] and words in [`Self::node_filter`],
    /// their mapped fields and ids (`text`: their batch's), and the
    /// relation lists of the parties their parsers found. Prefetches
    /// only: nothing here is read but the records. Which of them (bit `i`
    /// for `some[i]`) are relationships whose id checks are left to the
    /// end ([`Self::defer`]): nothing of their ids fetched.
    fn warm_ahead(&self, some: &[parallel::Parsed], text: &str) -> u64 {
        const { assert!(WARM <= 64) };
        // What its parser mapped (in a box of its own for a
        // relationship): every line of it, since the builder reads
        // fields all over it.
        for m in some.iter().filter_map(parsed_mapped) {
            crate::graph::prefetch_all(m);
        }
        // (A relationship's compact fields are in the record, read in
        // order: only the list of the sources it found, stored before.)
        for p in some {
            if let parallel::Parsed::Ready(r) = p {
                match &r.body {
                    fast::Fast::Edge(fast::FastEdge {
                        compact: Some(c), ..
                    }) => {
                        self.graph.warm_source_key(c.n_found.into(), c.found_key);
                        // Its attributes' values, places in the batch's text
                        // (last read by a parser thread, on another core): the
                        // only bytes of its line the builder reads, first by
                        // `push_attrs` (they were its main stall). The first
                        // value's line, and the last's where it is another.
                        let n = usize::from(c.n_attrs);
                        if n > 0 {
                            let bytes = text.as_bytes();
                            let (first, last) =
                                (c.attrs[0].start as usize, c.attrs[n - 1].end as usize);
                            if let Some(at) = bytes.get(first) {
                                crate::graph::prefetch(at);
                            }
                            if last / 64 != first / 64
                                && let Some(at) = bytes.get(last.saturating_sub(1))
                            {
                                crate::graph::prefetch(at);
                            }
                        }
                    }
                    // (A thing's compact fields too.)
                    fast::Fast::Thing(t) => {
                        if let Some((n, key)) = t.compact_found_key() {
                            self.graph.warm_source_key(n, key);
                        }
                        // Its id and name, places in the batch's text
                        // (last read by a parser thread), copied into the
                        // graph's arena when it is added: their first reads
                        // there and in `take_all` waited for them.
                        let bytes = text.as_bytes();
                        let (id, name) = (t.id.start as usize, t.name.start as usize);
                        if let Some(at) = bytes.get(id) {
                            crate::graph::prefetch(at);
                        }
                        if name / 64 != id / 64
                            && let Some(at) = bytes.get(name)
                        {
                            crate::graph::prefetch(at);
                        }
                    }
                    _ => {}
                }
            }
        }
        // (Read once all are on their way.)
        let mut deferred = 0u64;
        if self.defer {
            for (i, p) in some.iter().enumerate() {
                deferred |= u64::from(defers(p)) << i;
            }
        }
        let checked = |i: usize| deferred >> i & 1 == 0;
        // The slots of these lines' ids' hashes in `resolved`, fetched
        // all at once (their cache misses overlap) instead of one by
        // one. (The ids hashed by their parsers.)
        self.resolved
            .warm(some.iter().enumerate().filter_map(|(i, p)| match p {
                parallel::Parsed::Ready(r) if checked(i) => Some(Hashes::of_id_hash(r.hash)),
                _ => None,
            }));
        for (i, p) in some.iter().enumerate() {
            let parallel::Parsed::Ready(r) = p else {
                continue;
            };
            if !checked(i) {
                continue;
            }
            // Its word in the filter of the nodes' ids, which a
            // relationship's id is tried in before the graph.
            self.node_filter.warm(r.hash);
            // A relationship's id, a place in the batch's text (last read
            // by a parser thread).
            if let fast::Fast::Edge(e) = &r.body
                && let Some(at) = text.as_bytes().get(e.id.start as usize)
            {
                crate::graph::prefetch(at);
            }
        }
        // The relation lists of the parties their parsers found.
        let found = some.iter().flat_map(|p| match p {
            parallel::Parsed::Ready(r) => r.found,
            _ => [fast::NOT_FOUND; 2],
        });
        (self.graph).warm_nodes(
            found
                .filter(|&n| n != fast::NOT_FOUND)
                .map(|n| NodeIx::new(n as usize)),
        );
        deferred
    }

    /// Whether a relationship whose id checks were left to the end
    /// ([`Self::defer`]) has an id met elsewhere: twice among those, or
    /// among the other relationships', or a node's. Then the graph read is
    /// not the one the input makes, and the input must be read again with
    /// every check made as its records come. (Asked once every line is
    /// read, before [`Self::finish`].)
    fn deferred_clash(&mut self) -> bool {
        let halves = std::mem::take(&mut self.deferred);
        if halves.iter().all(Vec::is_empty) {
            return false;
        }
        self.node_filter.catch_up(&self.graph);
        let deferred = Deferred {
            nodes: &self.node_filter,
            graph: &self.graph,
        };
        // (Halved: the parsers are done by now, and the check of a large
        // load's lists, whole on one thread, kept one core busy for a
        // fiftieth of the load's time while the other idled.)
        deferred.clash_in_halves(&halves, &self.resolved)
    }

    /// The hash [`Self::resolved`] keeps for the current record's id `id`:
    /// its parser's, if it hashed it.
    fn resolved_hash(&self, id: &str) -> u64 {
        match self.id_hash {
            Some(h) => {
                debug_assert_eq!(h, crate::graph::id_hash(id.as_bytes()));
                Hashes::of_id_hash(h)
            }
            None => Hashes::hash(id),
        }
    }

    /// The node of `id`, the `k`th id looked up for the record being built
    /// in [`Self::take_all`] (its own id 0, its parties from 1): the
    /// answer of that lookup while it holds (a node found stays; none
    /// found, until a node is added), else the graph's.
    #[inline]
    pub(super) fn find_looked_up(&self, k: usize, id: &str) -> Option<NodeIx> {
        self.find_looked_up_with(k, || id)
    }

    /// [`Self::find_looked_up`], the id made only where it is looked up
    /// in the graph (a party's value is not sliced out of its record when
    /// its answer holds).
    #[inline]
    pub(super) fn find_looked_up_with<'s>(
        &self,
        k: usize,
        id: impl FnOnce() -> &'s str,
    ) -> Option<NodeIx> {
        if let Some(at) = self.lookup_at
            && let Some(&found) = self.looked_up.get(at + k)
        {
            if found.is_some() || self.graph.node_count() == self.looked_up_nodes {
                debug_assert_eq!(found, self.graph.find(id()));
                return found;
            }
            if k == 0 && self.none_added_since() {
                debug_assert_eq!(self.graph.find(id()), None);
                return None;
            }
        }
        self.graph.find(id())
    }

    /// Whether no node added since the lines being taken were looked up
    /// has the current record's id: each one counted, hashed, and none of
    /// the id's hash. (A record's own id no node had then, as a thing's
    /// whose fragments came before, is then known to be no node's without
    /// a lookup in the graph's id index.)
    #[inline(never)]
    fn none_added_since(&self) -> bool {
        let Some(h) = self.id_hash else {
            return false;
        };
        self.graph.node_count() == self.looked_up_nodes + self.added_since.n
            && !self.added_since.may_hold(h)
    }

    /// One parsed line. What a record of the fast path holds is borrowed
    /// where it can be, and left in it to be freed on its parser's thread.
    fn take(&mut self, parsed: &mut parallel::Parsed, text: &str, spans: &[SpanPair]) {
        if let parallel::Parsed::Ready(r) = parsed {
            match r.datasets() {
                // (Most lines name none: no list of them made.)
                [] => self.no_line_datasets(),
                named => self.line_datasets(named.iter().map(String::as_str)),
            }
            let provenance: &[_] = r.lists.as_deref().map_or(&[], |l| &l.provenance);
            match &mut r.body {
                fast::Fast::Ready(ready) => self.build(ready, provenance),
                fast::Fast::Edge(e) => self.build_edge_at(e, text, spans, provenance),
                fast::Fast::Thing(t) => self.thing_at(t, text, spans),
            }
            return;
        }
        match std::mem::replace(parsed, parallel::Parsed::Blank) {
            parallel::Parsed::Record(line) => self.record(*line),
            parallel::Parsed::Bad(column, kind) => self.problem(Some((self.line_no, column)), kind),
            parallel::Parsed::Blank | parallel::Parsed::Ready(_) => {}
        }
    }

    /// One entity record (a line, or an entity nested in one).
    fn record(&mut self, mut line: RawLine) {
        let datasets = line.datasets.take().map(|v| v.values).unwrap_or_default();
        self.line_datasets(datasets.iter().map(String::as_str));
        self.provenance = line.provenance();
        self.record_inner(line);
    }

    /// The datasets of the line being read: those it names, else the file's.
    /// One file read alone keeps a line naming none in the default dataset
    /// (`open` names it after the file), so that an export does not add a
    /// `datasets` the record did not say; a line naming its dataset keeps it
    /// as said, even when the file's name is the same.
    fn line_datasets<'a>(&mut self, named: impl Iterator<Item = &'a str>) {
        let named: Vec<DatasetId> = named
            .filter(|d| !d.trim().is_empty())
            .map(|d| self.graph.add_dataset(d.trim()))
            .collect();
        self.datasets = if named.is_empty() && !self.several {
            self.unnamed = true;
            DatasetSet::DEFAULT
        } else if named.is_empty() {
            self.file_set()
        } else {
            self.graph.dataset_set(&named)
        };
    }

    /// [`Self::line_datasets`] of a line naming none.
    fn no_line_datasets(&mut self) {
        self.datasets = if self.several {
            self.file_set()
        } else {
            self.unnamed = true;
            DatasetSet::DEFAULT
        };
    }

    /// The file's own dataset as a set said outright.
    fn file_set(&mut self) -> DatasetSet {
        let id = match self.file_dataset {
            Some(id) => id,
            None => self.graph.add_dataset(&self.file_dataset_name),
        };
        self.file_dataset = Some(id);
        self.graph.dataset_set(&[id])
    }

    /// A row's datasets united with the line's: a row of the default
    /// dataset (a line of the file naming none) counts as the file's.
    pub(super) fn united(&mut self, row: DatasetSet) -> DatasetSet {
        if row == self.datasets {
            return row;
        }
        let said = |l: &mut Self, s: DatasetSet| {
            if s == DatasetSet::DEFAULT {
                l.file_set()
            } else {
                s
            }
        };
        let (a, b) = (said(self, row), said(self, self.datasets));
        self.graph.dataset_union(a, b)
    }

    /// A record, nested ones sharing the datasets and provenance of their line.
    fn record_inner(&mut self, line: RawLine) {
        let Some(id) = line.id.filter(|i| !i.trim().is_empty()) else {
            self.problem(self.here(), ProblemKind::EmptyId { what: "FtM entity" });
            return;
        };
        let Some(schema_name) = line.schema.filter(|s| !s.trim().is_empty()) else {
            self.problem(
                self.here(),
                ProblemKind::Ftm(format!("entity `{}` has no schema", short(&id))),
            );
            return;
        };
        let mut nested = Vec::new();
        let props: Vec<clean::Prop> = line
            .properties
            .unwrap_or_default()
            .into_iter()
            .map(|(name, v)| {
                let ids = v.nested.iter().map(|n| n.id.clone().unwrap_or_default());
                let p = clean::Prop {
                    name: name.into(),
                    values: v.values.into_iter().map(Into::into).collect(),
                    dropped: v.dropped,
                    nested: ids.collect(),
                };
                nested.extend(v.nested);
                p
            })
            .collect();
        let schema_name = Cow::Owned(schema_name);
        let mut ready = prepare(id, schema_name, line.caption, props, &self.provenance);
        let provenance = std::mem::take(&mut self.provenance);
        self.build(&mut ready, &provenance);
        self.provenance = provenance;
        for n in nested {
            self.record_inner(n);
        }
    }

    /// A record prepared (on a parser thread, or by [`Self::record_inner`]),
    /// built into the graph. What is not kept is left in `ready` (the
    /// builder borrows; the record is freed where it was made).
    fn build(&mut self, ready: &mut Ready, provenance: &[(String, String)]) {
        let Ready {
            id,
            schema_name,
            def,
            notes,
            body,
        } = ready;
        self.summary.records += 1;
        match (&*schema_name, *def) {
            (Cow::Borrowed(name), Some(d)) if std::ptr::eq(*name, d.name) => {
                self.count_schema_def(d)
            }
            (name, _) => self.count_schema(name),
        }
        self.notes(notes);
        match body {
            Body::Edge(props, pre) => {
                let def = def.expect("an edge's schema is known");
                self.edge_record(id, def, props.view(), (pre, None), provenance);
            }
            Body::Thing(pre) => {
                if def.is_none() {
                    *self
                        .summary
                        .unknown_schemata
                        .entry(schema_name.to_string())
                        .or_default() += 1;
                }
                self.thing(id, schema_name, *def, pre);
            }
        }
    }

    /// A relationship record of the fast path, its strings places in its
    /// batch's `text` (its values `spans` of it), built into the graph as
    /// [`Self::build`] builds one.
    fn build_edge_at(
        &mut self,
        e: &mut fast::FastEdge,
        text: &str,
        spans: &[SpanPair],
        provenance: &[(String, String)],
    ) {
        self.summary.records += 1;
        self.count_schema_def(e.def);
        if let Some(notes) = &e.notes {
            self.notes(notes);
        }
        let values = e.values(text, spans);
        // (Its id sliced unchecked, `plain::of`, the place one its parser
        // read as a string: a relationship's id whose checks are left to
        // the end is then not read at all, its bytes last written on
        // another core.)
        let id = plain::of(e.id, text);
        let fields = (&mut e.pre, e.compact.as_ref());
        self.edge_record(id, e.def, values, fields, provenance);
    }

    /// [`Self::count_schema`] of a record of schema `def`: where its
    /// count is known by where `def` is in the schema table, its name not
    /// compared.
    fn count_schema_def(&mut self, def: &'static SchemaDef) {
        // (The schemata of a stream alternate, and a list of them
        // searched in turn cost ~85 instructions a record.)
        let slot = def.index();
        if let Some(at) = slot.and_then(|i| self.schema_memo.get(i).copied().flatten())
            && let Some((n, count)) = self.schemata.0.get_mut(at)
        {
            debug_assert_eq!(**n, *def.name);
            *count += 1;
            self.schemata.1 = at;
            return;
        }
        self.count_schema(def.name);
        if let Some(memo) = slot.and_then(|i| self.schema_memo.get_mut(i)) {
            *memo = Some(self.schemata.1);
        }
    }

    /// Whether the names of the properties of schema `def` that name
    /// entities (its parties', its source and target among them) differ
    /// in length, each from every other: a party's property is then told
    /// by the length of its name.
    #[inline]
    pub(super) fn ends_by_length(&mut self, def: &'static SchemaDef) -> bool {
        // (One slot a schema, by its name's length and ends: a slot each
        // for the 17 relationship schemata.)
        let name = def.name.as_bytes();
        let (first, last) = (name.first().copied(), name.last().copied());
        let slot = (name.len() * 15
            + 2 * usize::from(first.unwrap_or(0))
            + usize::from(last.unwrap_or(0)))
            % 32;
        if let Some((d, answer)) = self.ends_memo[slot]
            && std::ptr::eq(d, def)
        {
            return answer;
        }
        self.ends_by_length_new(def, slot)
    }

    /// [`Self::ends_by_length`] of a schema not in its memo's `slot`.
    #[inline(never)]
    fn ends_by_length_new(&mut self, def: &'static SchemaDef, slot: usize) -> bool {
        let parties: Vec<&str> = (def.props.iter())
            .filter(|&&(_, ptype, _)| ptype == "entity")
            .map(|&(name, _, _)| name)
            .collect();
        let answer = def.edge.is_some_and(|(src, tgt)| {
            parties.contains(&src)
                && parties.contains(&tgt)
                && (parties.iter().enumerate())
                    .all(|(i, a)| parties[..i].iter().all(|b| b.len() != a.len()))
        });
        self.ends_memo[slot] = Some((def, answer));
        answer
    }

    /// The symbol of an attribute's name: one of those interned lately as
    /// it was, else interned.
    pub(super) fn attr_name(&mut self, name: &str) -> Sym {
        // (A name of at most 16 bytes as one number, its length beside:
        // compared without a call.)
        let Some(key) = crate::graph::short_key(name) else {
            return self.graph.intern(name);
        };
        // (One slot a key: the last name met there.)
        let mixed = (key.0 as u64 ^ (key.0 >> 64) as u64 ^ key.1 as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        if let Some((k, sym)) = self.attr_names[(mixed >> 60) as usize]
            && k == key
        {
            return sym;
        }
        let sym = self.graph.intern(name);
        self.attr_names[(mixed >> 60) as usize] = Some((key, sym));
        sym
    }

    /// Counts a record of schema `name` (as written) in
    /// [`Self::schemata`]: records come in runs of one schema, so the last
    /// one counted is tried first.
    fn count_schema(&mut self, name: &str) {
        let (list, last) = &mut self.schemata;
        if let Some((n, count)) = list.get_mut(*last)
            && **n == *name
        {
            *count += 1;
            return;
        }
        match list.iter().position(|(n, _)| **n == *name) {
            Some(i) => {
                list[i].1 += 1;
                *last = i;
            }
            None => {
                list.push((name.into(), 1));
                *last = list.len() - 1;
            }
        }
    }

    /// Notes what preparing a record noted, on the current line.
    #[inline]
    fn notes(&mut self, notes: &issues::Notes) {
        if !notes.list.is_empty() || !notes.unknown.is_empty() {
            self.notes_some(notes);
        }
    }

    /// [`Self::notes`] of notes there are.
    fn notes_some(&mut self, notes: &issues::Notes) {
        for (issue, detail) in &notes.list {
            self.note(*issue, detail.clone());
        }
        for key in &notes.unknown {
            match self.summary.unknown_properties.get_mut(key) {
                Some(n) => *n += 1,
                None => {
                    self.summary.unknown_properties.insert(key.clone(), 1);
                }
            }
        }
    }

    /// The sources a parser thread found for `m` (each once, then the
    /// file's) and their key, if it found them all.
    fn found_sources(m: &Mapped) -> Option<(&[SourceId], u64)> {
        let found = m
            .found
            .get(..m.n_found as usize)
            .filter(|f| !f.is_empty())?;
        Some((bytemuck::cast_slice(found), m.found_key))
    }

    /// The graph's set of the sources `m` cites, then the file's: those its
    /// parser found as they are, else found or added here
    /// ([`Self::sources`]).
    fn source_set_of(&mut self, m: &Mapped) -> SourceSet {
        match Self::found_sources(m) {
            Some((list, key)) => self.graph.source_set_keyed(list, key),
            None => {
                let ids = self.sources(m);
                self.graph.source_set(&ids)
            }
        }
    }

    /// Attributes as the graph takes them, the names interned.
    fn attrs<'a>(
        &mut self,
        attrs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Vec<(Sym, &'a str)> {
        attrs
            .into_iter()
            .map(|(k, v)| (self.graph.intern(k), v))
            .collect()
    }

    /// Records that the graph is full (it cannot take another string or row).
    fn full(&mut self, full: GraphFull) {
        self.problem(self.here(), full.into());
    }

    fn finish(mut self) -> Result<(Graph, FtmSummary), LoadError> {
        // What only reading needs, let go before the held records are
        // built: the parser threads' copy of the ids and sources, and the
        // hashes of the relationship ids read.
        self.known = Default::default();
        self.resolved = Hashes::default();
        self.node_filter = NodeFilter::default();
        for (name, n) in std::mem::take(&mut self.schemata.0) {
            *self.summary.by_schema.entry(name.into()).or_default() += n;
        }
        let refs = std::mem::take(&mut self.refs);
        for r in refs {
            self.line_no = r.line;
            self.datasets = r.datasets;
            let from_id = self.graph.entity(r.from).id.to_string();
            let Some(to) = self.find_party(&r.target, &from_id, &r.prop, r.range) else {
                continue;
            };
            if to == r.from {
                continue;
            }
            let (kind, reversed) = ref_kind(&r.prop);
            let kind = kind.map_other(|o| self.graph.intern(&o));
            let (a, b) = if reversed { (to, r.from) } else { (r.from, to) };
            let attrs = self.attrs([(PROPERTY_ATTR, &*r.prop)]);
            let relation = NewRelation {
                attrs: &attrs,
                ..NewRelation::new(kind, r.sources)
            };
            match self.graph.add_relation(a, b, relation) {
                Ok(e) => self.graph.set_relation_datasets(e, r.datasets),
                Err(full) => self.full(full),
            }
        }
        let edges = std::mem::take(&mut self.edges);
        for e in edges {
            self.line_no = e.line;
            let mapped;
            let pre = match &e.pre {
                Some(pre) => &**pre,
                None => {
                    mapped = records::map_edge(e.schema, &e.id, e.props.view());
                    &*mapped
                }
            };
            self.resolve_edge(e.view(pre), None);
        }
        if self.more_problems > 0 {
            let n = self.more_problems;
            self.problems.push(Problem {
                location: Location {
                    file: self.name.clone(),
                    line_col: None,
                },
                kind: ProblemKind::Ftm(format!("… and {n} more problems not listed")),
            });
        }
        if !self.problems.is_empty() {
            return Err(LoadError {
                problems: self.problems,
            });
        }
        self.summary.entities = self.graph.node_count();
        self.summary.relations = self.graph.edge_count();
        self.summary.sources = self.graph.sources().len();
        Ok((self.graph, self.summary))
    }
}

/// Looks the first parties of the relationships among `records` (lines of
/// a batch whose text is `text`, their values' places `spans`) up in the
/// copy of the graph's ids that `known` carries, if any, on the parser
/// thread that read them: each found is set in [`fast::FastRecord::found`]
/// for the builder to take as it is. The parties those of
/// [`Loader::take_all`], in the same order: the values the parser marked,
/// when it marked every one. The ids a few dozen at a time, their slots
/// prefetched first ([`crate::graph::ShortIds::find_all`]).
fn find_parties(
    records: &mut [parallel::Parsed],
    text: &str,
    spans: &[SpanPair],
    known: &props::KnownSources,
) {
    let Some(nodes) = known.nodes.as_deref() else {
        return;
    };
    // The parties, each asked once while it repeats, and which record's
    // which slot each answer goes to (its place among those asked): the
    // file is sorted by its relationships' first ends, so that a party is
    // most often the one of the line before in the same place.
    // (Room for two parties a record, made once: grown from nothing, the
    // lists were copied a dozen times a chunk.)
    let mut asked: Vec<&[u8]> = Vec::with_capacity(2 * records.len());
    let mut slots: Vec<(u32, u8, u32)> = Vec::with_capacity(2 * records.len());
    let mut last: [(&[u8], u32); 2] = [(&[], 0); 2];
    for (i, p) in records.iter().enumerate() {
        let parallel::Parsed::Ready(r) = p else {
            continue;
        };
        for (k, party) in first_parties(r, text, spans).into_iter().enumerate() {
            if let Some(party) = party {
                let party = party.as_bytes();
                if !same_id(last[k].0, party) || party.is_empty() {
                    last[k] = (party, asked.len() as u32);
                    asked.push(party);
                }
                slots.push((i as u32, k as u8, last[k].1));
            }
        }
    }
    let mut found = Vec::with_capacity(asked.len());
    nodes.find_all(asked.into_iter(), fast::NOT_FOUND, &mut found);
    for (i, k, at) in slots {
        if let Some(parallel::Parsed::Ready(r)) = records.get_mut(i as usize) {
            r.found[k as usize] = found[at as usize];
        }
    }
}

/// Whether ids `a` and `b` are the same: those of 8 to 16 bytes (most)
/// compared as two words each, not by a call to `memcmp`.
#[inline(always)]
fn same_id(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if !(8..=16).contains(&n) {
        return a == b;
    }
    let word =
        |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or_default());
    word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8)
}

/// The first two parties of a relationship record of the fast path, as
/// [`find_parties`] looks them up (none where the parser did not mark
/// every party).
fn first_parties<'a>(
    r: &'a fast::FastRecord,
    text: &'a str,
    spans: &'a [SpanPair],
) -> [Option<&'a str>; 2] {
    if let fast::Fast::Edge(e) = &r.body {
        // (Straight from the marks, as `Values::parties` reads them.)
        let values = &spans[e.values.0 as usize..e.values.1 as usize];
        if values.len() > 64 {
            return [None; 2];
        }
        let mut marks = e.parties;
        let mut next = || {
            let i = marks.trailing_zeros() as usize;
            marks &= marks.wrapping_sub(1);
            values.get(i).map(|&(_, v)| v.of(text))
        };
        return [next(), next()];
    }
    let Some(values) = r.body.edge_values(text, spans) else {
        return [None; 2];
    };
    if !values.marks_every_party() {
        return [None; 2];
    }
    let mut p = values.parties();
    [p.next(), p.next()]
}

/// Keeps the first of each id among `ids[..n]`, in order, at the front;
/// how many there are.
fn distinct(ids: &mut [u32; 8], n: usize) -> usize {
    let mut len = 0;
    for i in 0..n.min(ids.len()) {
        let id = ids[i];
        if !ids[..len].contains(&id) {
            ids[len] = id;
            len += 1;
        }
    }
    len
}

/// Whether `p` is a relationship of the fast path whose id is the one
/// `ties export --format ftm` makes of it ([`Mapped::made_id`]): one whose
/// id checks are left to the end when the read defers them
/// ([`Loader::defer`]).
fn defers(p: &parallel::Parsed) -> bool {
    let parallel::Parsed::Ready(r) = p else {
        return false;
    };
    match &r.body {
        fast::Fast::Edge(fast::FastEdge {
            compact: Some(c), ..
        }) => c.made_id,
        fast::Fast::Edge(fast::FastEdge { pre, .. })
        | fast::Fast::Ready(Ready {
            body: Body::Edge(_, pre),
            ..
        }) => pre.as_deref().is_some_and(|(m, _)| m.made_id),
        fast::Fast::Ready(_) | fast::Fast::Thing(_) => false,
    }
}

/// The fields of a record the fast path read and prepared, to change
/// ([`props::Cited::find`]'s).
fn parsed_mapped_mut(p: &mut parallel::Parsed) -> Option<&mut dyn props::Cites> {
    let parallel::Parsed::Ready(r) = p else {
        return None;
    };
    match &mut r.body {
        fast::Fast::Edge(e) => Some(e),
        fast::Fast::Thing(t) => Some(t),
        fast::Fast::Ready(Ready {
            body: Body::Edge(_, pre),
            ..
        }) => pre.as_deref_mut().map(|(m, _)| m as &mut dyn props::Cites),
        fast::Fast::Ready(Ready {
            body: Body::Thing(t),
            ..
        }) => Some(&mut t.m),
    }
}

/// The fields of a record the fast path read and prepared.
fn parsed_mapped(p: &parallel::Parsed) -> Option<&Mapped> {
    let parallel::Parsed::Ready(r) = p else {
        return None;
    };
    match &r.body {
        fast::Fast::Edge(fast::FastEdge { pre, .. })
        | fast::Fast::Thing(thing::FastThing { pre, .. })
        | fast::Fast::Ready(Ready {
            body: Body::Edge(_, pre),
            ..
        }) => pre.as_deref().map(|(m, _)| m),
        fast::Fast::Ready(Ready {
            body: Body::Thing(t),
            ..
        }) => Some(&t.m),
    }
}

/// A record sorted out as far as it can be without the graph: values
/// cleaned, a thing's fields mapped, what was noted (in order).
struct Ready {
    id: String,
    /// The schema's name (the schema table's, when it is known).
    schema_name: Cow<'static, str>,
    def: Option<&'static SchemaDef>,
    notes: issues::Notes,
    body: Body,
}

// Most records are relationships: their mapped fields held inline (a
// thing's are boxed, being fewer and larger).
#[allow(clippy::large_enum_variant)]
enum Body {
    /// A relationship's values, `(property, value)`, sorted by property,
    /// and those other than its parties mapped (`None` once the builder
    /// took them; held in the record, not allocated on their own).
    Edge(Flat, Option<PreEdge>),
    Thing(Box<records::PreThing>),
}

/// [`prepare`] for a relationship record of the fast path: its properties
/// `(name, start, end)`, sorted by name, each the values `start..end` of
/// `values`, all strings of `line`, cleaned as [`clean::clean`] cleans them,
/// straight into one buffer; the sources it cites found in `known`.
fn prepare_edge(
    id: String,
    def: &'static SchemaDef,
    line: &str,
    (names, values): (&[(clean::Span, u32, u32)], &[clean::Span]),
    known: &props::KnownSources,
    memo: &mut schema::PropMemo,
) -> Ready {
    let mut notes = issues::Notes::default();
    if !valid_id(&id) {
        notes.note(Issue::InvalidId, format!("`{id}`"));
    }
    let flat = clean::clean_into_flat(&mut notes, &id, def, line, names, values, memo);
    let pre = records::map_edge_known(def, &id, flat.view(), Some(known));
    Ready {
        id,
        schema_name: Cow::Borrowed(def.name),
        def: Some(def),
        notes,
        body: Body::Edge(flat, Some(pre)),
    }
}

/// [`prepare_edge`] for a line of a batch whose text is UTF-8: the record's
/// id (`id`) and its kept values are places in the batch's `text` (the
/// values pushed on `spans`), so that none of its strings is copied; `at`
/// is where the line starts in `text`.
fn prepare_edge_at(
    id: clean::Span,
    def: &'static SchemaDef,
    (text, at): (&str, u32),
    (names, values): (&[(clean::Span, u32, u32)], &[clean::Span]),
    known: &props::KnownSources,
    spans: &mut Vec<SpanPair>,
    (memo, cited): (&mut schema::PropMemo, &mut props::Cited),
) -> fast::FastEdge {
    let id_text = id.of(text);
    let start = spans.len();
    // The plain shape in one pass; any other the careful way.
    if plain::on()
        && let Some((parties, written)) = plain::read(
            id_text,
            def,
            (text, at),
            (names, values),
            memo,
            spans,
            (known, cited),
        )
    {
        let (pre, compact) = written.split();
        return fast::FastEdge {
            id,
            def,
            values: (start as u32, spans.len() as u32),
            parties,
            notes: None,
            pre,
            compact,
        };
    }
    let mut notes = issues::Notes::default();
    if !valid_id(id_text) {
        notes.note(Issue::InvalidId, format!("`{id_text}`"));
    }
    let mut runs = records::TypedRuns::new();
    let parties = clean::clean_values(
        &mut notes,
        id_text,
        def,
        text,
        at,
        names,
        values,
        Some(&mut runs),
        memo,
        |k, v| spans.push((k, v)),
    );
    let values = Values {
        text,
        at: At::Spans(&spans[start..]),
        parties,
    };
    // The names are sorted and distinct (the reader declines a name given
    // twice): each run is one property, as `map_edge_known` would find.
    let known = props::Lookup::Later(known, text, cited);
    let pre = records::map_edge_runs(def, id_text, values, known, Some(&runs));
    let notes = (!notes.list.is_empty() || !notes.unknown.is_empty()).then(|| Box::new(notes));
    fast::FastEdge {
        id,
        def,
        values: (start as u32, spans.len() as u32),
        parties,
        notes,
        pre: Some(pre),
        compact: None,
    }
}

/// Prepares a record with a non-empty id and schema, as the careful reader
/// read it: its values cleaned into one buffer, then a relationship's
/// mapped, or a thing's ([`prepare_thing_ready`], as the fast path's).
fn prepare(
    id: String,
    schema_name: Cow<'static, str>,
    caption: Option<String>,
    props: Vec<clean::Prop<'_>>,
    provenance: &[(String, String)],
) -> Ready {
    let def = schema::get(&schema_name);
    let mut notes = issues::Notes::default();
    if !valid_id(&id) {
        notes.note(Issue::InvalidId, format!("`{id}`"));
    }
    let (flat, runs) = clean::clean(&mut notes, &id, def, &props);
    match def {
        Some(d) if d.edge.is_some() => {
            let pre = records::map_edge_known(d, &id, flat.view(), None);
            Ready {
                id,
                schema_name,
                def,
                notes,
                body: Body::Edge(flat, Some(pre)),
            }
        }
        _ => {
            let cleaned = (flat.view(), &runs[..]);
            let known = props::Lookup::Now(None);
            let (caption, thing) = (caption.as_deref(), (schema_name, def));
            prepare_thing_ready(id, thing, notes, caption, cleaned, provenance, known)
        }
    }
}

/// A thing (or a record of an unknown schema) of schema `def` of that
/// name ([`schema::get`]) prepared, its values cleaned (`values`, in runs
/// of one property each with its type), what cleaning noted `notes`; the
/// sources it cites found as `known` says (on a parser thread:
/// [`Mapped::found`]). The same for the careful reader and the parser
/// threads' fast one.
fn prepare_thing_ready<'v>(
    id: String,
    (schema_name, def): (Cow<'static, str>, Option<&'static SchemaDef>),
    mut notes: issues::Notes,
    caption: Option<&str>,
    (values, runs): (Values<'v>, &[records::TypedRun<'v>]),
    provenance: &[(String, String)],
    known: props::Lookup<'_>,
) -> Ready {
    let thing = records::prepare_thing(
        &mut notes,
        &id,
        &schema_name,
        def,
        (values, runs),
        caption,
        provenance,
        known,
    );
    Ready {
        id,
        schema_name,
        def,
        notes,
        body: Body::Thing(Box::new(thing)),
    }
}

#[cfg(test)]
mod flat_tests {
    use super::Flat;

    fn flat(values: &[(&str, &str, bool)]) -> Flat {
        let mut f = Flat::default();
        for &(k, v, party) in values {
            if party {
                f.parties |= 1 << f.ends.len();
            }
            f.push(k, v);
        }
        f
    }

    #[test]
    fn appended_values_keep_their_parties_marked() {
        let mut a = flat(&[("object", "o1", true), ("role", "r", false)]);
        let b = flat(&[("date", "2020", false), ("subject", "s1", true)]);
        a.append(b.view());
        assert_eq!(a.view().parties().collect::<Vec<_>>(), ["o1", "s1"]);
        assert!(a.view().marks_every_party());
        // Past 64 values the marks stop, and say so.
        let many: Vec<(&str, &str, bool)> = (0..63).map(|_| ("note", "n", false)).collect();
        let mut c = flat(&many);
        c.append(flat(&[("x", "p", true), ("y", "q", true)]).view());
        assert_eq!(c.view().parties().collect::<Vec<_>>(), ["p"]);
        assert!(!c.view().marks_every_party());
        // None marked among more than 64: none.
        let d = flat(&[many.as_slice(), &many].concat());
        assert_eq!(d.view().parties().count(), 0);
        assert_eq!(d.view().marked().count(), 0);
    }
}

#[cfg(test)]
mod hashes_tests {
    use super::Hashes;

    #[test]
    fn hashes_hold_what_was_added_through_growth() {
        let mut set = Hashes::default();
        assert!(!set.contains("r0"));
        for i in 0..5000 {
            assert!(set.insert(&format!("r{i}")), "{i}");
        }
        assert!(!set.insert("r17"));
        assert!((0..5000).all(|i| set.contains(&format!("r{i}"))));
        assert!(!set.contains("r5000") && !set.contains("p1"));
        assert_eq!(set.len, 5000);
    }
}

#[cfg(test)]
mod twice_tests {
    use proptest::prelude::*;

    use super::Twice;

    /// What [`Twice::any_twice`] must answer.
    fn any_twice(some: &[u64]) -> bool {
        let mut seen = std::collections::HashSet::new();
        some.iter().any(|&h| h == 0 || !seen.insert(h))
    }

    /// Hashes of group `g`: their bits below the high eight made of
    /// `(place, low)` pairs, the place's bits few (many share a place,
    /// their low bits telling them apart or not), or drawn whole.
    fn group(g: u8, parts: &[(u64, u64)], shift: u32) -> Vec<u64> {
        (parts.iter())
            .map(|&(place, low)| u64::from(g) << 56 | (place << shift | low) & ((1 << 56) - 1))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn a_hash_met_twice_is_found(
            g in any::<u8>(),
            parts in prop::collection::vec((0u64..64, any::<u64>()), 1..3000),
            shift in prop::sample::select(vec![0u32, 20, 40, 50]),
            low_bits in 0u32..12,
            copies in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 0..3),
            zero in any::<bool>(),
        ) {
            // (Few low bits: many equal; a shift of 0 with whole draws:
            // hashes spread over every place.)
            let parts: Vec<(u64, u64)> = if shift == 0 {
                parts.iter().map(|&(_, low)| (0, low)).collect()
            } else {
                parts.iter().map(|&(p, low)| (p, low & ((1 << low_bits) - 1))).collect()
            };
            let mut some = group(g, &parts, shift);
            for (from, to) in &copies {
                let v = some[from.index(some.len())];
                let at = to.index(some.len());
                some[at] = v;
            }
            if zero && g == 0 {
                let at = some.len() / 2;
                some[at] = 0;
            }
            let mut twice = Twice::default();
            prop_assert_eq!(twice.any_twice(&some), any_twice(&some));
            // (Asked again, of the same table: the same answer.)
            prop_assert_eq!(twice.any_twice(&some), any_twice(&some));
        }
    }

    #[test]
    fn hashes_all_different_are_no_clash() {
        let mut twice = Twice::default();
        for n in [1usize, 2, 63, 64, 65, 1000, 20_000] {
            let some: Vec<u64> = (0..n as u64)
                .map(|i| 7 << 56 | i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 8)
                .collect();
            assert!(!twice.any_twice(&some), "{n}");
            let mut again = some.clone();
            again.push(some[n / 2]);
            assert!(twice.any_twice(&again), "{n}");
        }
    }
}

#[cfg(test)]
mod deferred_tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::{Deferred, Hashes, NodeFilter};
    use crate::graph::{Graph, NewEntity, SourceSet, id_hash};
    use crate::model::EntityKind;

    /// What the check of deferred ids must answer: whether one is 0, met
    /// twice, a node's id's hash or a relationship's kept in `resolved`.
    fn clash(hashes: &[u64], nodes: &HashSet<u64>, resolved: &HashSet<u64>) -> bool {
        let mut seen = HashSet::new();
        (hashes.iter())
            .any(|&h| h == 0 || !seen.insert(h) || nodes.contains(&h) || resolved.contains(&h))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Lists of hashes (their high bits often beside where the halves
        /// part, the others few, so that some are equal; nodes' and other
        /// relationships' ids planted): checked whole, or kept in two
        /// lists by [`Deferred::half`] and those checked on two threads,
        /// the answer is the same, and the right one.
        #[test]
        fn the_halves_find_what_the_whole_check_finds(
            n_nodes in 0usize..40,
            n_resolved in 0usize..40,
            drawn in prop::collection::vec((prop_oneof![any::<u8>(), 126u8..130], any::<u64>()), 0..40),
            low_bits in prop::sample::select(vec![2u32, 8, 56]),
            planted in prop::collection::vec((0u8..4, any::<prop::sample::Index>(), any::<prop::sample::Index>()), 0..4),
        ) {
            let mut g = Graph::default();
            let mut node_hashes = HashSet::new();
            for i in 0..n_nodes {
                let id = format!("n{i}");
                let e = NewEntity::<String>::new(&id, EntityKind::Person, "n", SourceSet::EMPTY);
                g.add_entity(e).expect("a new id");
                node_hashes.insert(id_hash(id.as_bytes()));
            }
            let mut nodes = NodeFilter::default();
            nodes.catch_up(&g);
            let mut resolved = Hashes::default();
            let mut resolved_hashes = HashSet::new();
            for i in 0..n_resolved {
                let h = id_hash(format!("r{i}").as_bytes());
                resolved.insert_at(Hashes::of_id_hash(h), None);
                resolved_hashes.insert(h);
            }
            let mut hashes: Vec<u64> = (drawn.iter())
                .map(|&(g, low)| u64::from(g) << 56 | low & ((1 << low_bits) - 1))
                .collect();
            for (what, i, at) in &planted {
                let h = match what {
                    0 => id_hash(format!("n{}", i.index(n_nodes.max(1))).as_bytes()),
                    1 => id_hash(format!("r{}", i.index(n_resolved.max(1))).as_bytes()),
                    2 if !hashes.is_empty() => hashes[i.index(hashes.len())],
                    _ => 0,
                };
                hashes.insert(at.index(hashes.len() + 1), h);
            }
            let deferred = Deferred {
                nodes: &nodes,
                graph: &g,
            };
            let mut halves: [Vec<u64>; 2] = Default::default();
            for &h in &hashes {
                halves[Deferred::half(h)].push(h);
            }
            let others: Vec<u64> = resolved.iter().collect();
            prop_assert_eq!(others.len(), n_resolved);
            let whole = deferred.clash_in(&hashes, &others);
            let halves = deferred.clash_in_halves(&halves, &resolved);
            prop_assert_eq!(whole, clash(&hashes, &node_hashes, &resolved_hashes));
            prop_assert_eq!(halves, whole);
        }
    }
}

#[cfg(test)]
mod node_filter_tests {
    use proptest::prelude::*;

    use super::NodeFilter;
    use crate::graph::{Graph, NewEntity, NodeIx, SourceSet, id_hash};
    use crate::model::EntityKind;

    fn add(g: &mut Graph, id: &str) -> NodeIx {
        let e = NewEntity::<String>::new(id, EntityKind::Person, "n", SourceSet::EMPTY);
        g.add_entity(e).expect("a new id")
    }

    /// Every node's id may be held, whether it was added with its hash,
    /// caught up with or filled in again as the filter grew; ids of no
    /// node seldom pass.
    fn check(g: &Graph, f: &NodeFilter, n: usize) {
        assert_eq!(f.len, g.node_count());
        for i in 0..g.node_count() {
            assert!(f.may_hold(id_hash(g.id_bytes(NodeIx::new(i)))), "node {i}");
        }
        let passed = (0..n)
            .filter(|i| f.may_hold(id_hash(format!("none-{i}").as_bytes())))
            .count();
        assert!(passed <= n / 10 + 2, "{passed} of {n} passed");
    }

    #[test]
    fn nodes_are_held_as_the_filter_grows() {
        let mut g = Graph::default();
        let mut f = NodeFilter::default();
        f.catch_up(&g);
        assert!(!f.may_hold(id_hash(b"a")));
        // Past three growths (16k, 64k nodes): some added with their hash,
        // some left for catch_up, in runs.
        for i in 0..70_000usize {
            let id = format!("id-{i}");
            let n = add(&mut g, &id);
            if (i / 1000) % 3 != 0 {
                f.add(&g, n, id_hash(id.as_bytes()));
            }
            if i % 777 == 0 {
                f.catch_up(&g);
            }
        }
        f.catch_up(&g);
        check(&g, &f, 10_000);
    }

    proptest! {
        /// Nodes added in any order of hashed, skipped and caught up are
        /// all held.
        #[test]
        fn every_node_is_held(
            steps in prop::collection::vec((0u8..3, 1usize..40), 1..60),
        ) {
            let mut g = Graph::default();
            let mut f = NodeFilter::default();
            let mut k = 0;
            for (how, n) in steps {
                for _ in 0..n {
                    let id = format!("p{k}");
                    k += 1;
                    let ix = add(&mut g, &id);
                    match how {
                        0 => f.add(&g, ix, id_hash(id.as_bytes())),
                        1 => {}
                        _ => f.catch_up(&g),
                    }
                }
            }
            f.catch_up(&g);
            check(&g, &f, 1000);
        }
    }
}

#[cfg(test)]
mod long_party_tests {
    use std::io::Cursor;

    use proptest::prelude::*;

    use super::{load_pieces_with, load_reader_with, loaded};

    /// An id of `len` bytes (at least 9) numbered `k` (below 10,000):
    /// letters, then the number's four digits at the end. Those of one
    /// length past 11 bytes (what a slot of the parser threads' copy of
    /// the ids holds whole) share their first 11 bytes.
    fn id(len: usize, k: usize) -> String {
        format!("{}{:04}", "x".repeat(len - 4), k % 10_000)
    }

    fn thing(id: &str, k: usize) -> String {
        format!(r#"{{"id":"{id}","schema":"Person","properties":{{"name":["Name {k}"]}}}}"#)
    }

    fn link(k: usize, a: &str, b: &str) -> String {
        format!(
            r#"{{"id":"rel-{k}","schema":"UnknownLink","properties":{{"object":["{b}"],"publisher":["P1","P2"],"role":["concerns"],"subject":["{a}"]}}}}"#
        )
    }

    /// Things of ids of 9 to 11 bytes and, one in ten (a copy holds
    /// longer ids while they are at most one in eight), of 12 to 14,
    /// then relationships between them, read a few lines a batch: the
    /// parser threads find every party, those of the longer ids too, in
    /// their copy of the graph's ids.
    #[test]
    fn parsers_find_parties_of_longer_ids() {
        let mut text = String::new();
        let len = |k: usize| {
            if k.is_multiple_of(10) {
                12 + k % 3
            } else {
                9 + k % 3
            }
        };
        let ids: Vec<String> = (0..60).map(|k| id(len(k), k)).collect();
        for (k, i) in ids.iter().enumerate() {
            text += &thing(i, k);
            text.push('\n');
        }
        for k in 0..60 {
            text += &link(k, &ids[k], &ids[(k * 7 + 3) % 60]);
            text.push('\n');
        }
        let (pieces, found) = load_pieces_with(text.as_bytes(), "t.ftm.json", true, 10);
        let careful = load_reader_with(Cursor::new(text.clone()), "t.ftm.json", false);
        assert_eq!(loaded(pieces), loaded(careful));
        assert_eq!(found, 120);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]

        /// Streams of things and relationships whose ids are short and
        /// longer (several sharing their first 11 bytes), parties named
        /// before or after their things or never, things given again,
        /// read by the careful reader, by the fast path whole, and a few
        /// lines a batch with the parsers finding parties in a copy of
        /// the ids read before: the same graph, summary and problems.
        #[test]
        fn longer_ids_read_as_the_careful_reader(
            lines in prop::collection::vec(
                (any::<bool>(), 9usize..15, 0usize..12, 9usize..15, 0usize..12),
                1..80,
            ),
            piece in 1usize..9,
        ) {
            let mut text = String::new();
            for (k, &(is_thing, la, a, lb, b)) in lines.iter().enumerate() {
                let l = if is_thing {
                    thing(&id(la, a), k)
                } else {
                    link(k, &id(la, a), &id(lb, b))
                };
                text += &l;
                text.push('\n');
            }
            let careful = loaded(load_reader_with(Cursor::new(text.clone()), "t.ftm.json", false));
            let fast = loaded(load_reader_with(Cursor::new(text.clone()), "t.ftm.json", true));
            prop_assert_eq!(&fast, &careful);
            let (pieces, _) = load_pieces_with(text.as_bytes(), "t.ftm.json", true, piece);
            prop_assert_eq!(&loaded(pieces), &careful);
        }
    }
}

#[cfg(test)]
mod guess_tests {
    use super::{entities_guess, load_ftm_files};

    /// The guess counts the plain regular files' bytes, 800 an entity:
    /// a gzipped file, a folder and a missing file count for none.
    #[test]
    fn the_guess_counts_plain_files_only() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let plain = dir.path().join("a.ftm.json");
        std::fs::write(&plain, vec![b' '; 8000]).expect("written");
        let other = dir.path().join("b.ftm.json");
        std::fs::write(&other, vec![b' '; 4000]).expect("written");
        let gz = dir.path().join("c.ftm.json.gz");
        std::fs::write(&gz, vec![0u8; 80_000]).expect("written");
        let missing = dir.path().join("none.ftm.json");
        let guess = |paths: &[&std::path::Path]| entities_guess(paths.iter().copied());
        assert_eq!(guess(&[&plain]), 10);
        assert_eq!(guess(&[&plain, &other]), 15);
        assert_eq!(guess(&[&plain, &gz, dir.path(), &missing]), 10);
        assert_eq!(guess(&[]), 0);
    }

    /// A graph made for more entities than its file holds is the same
    /// graph as one grown from nothing (the guess only sizes tables).
    #[test]
    fn a_file_guessed_large_loads_as_one_guessed_small() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let lines = (0..50)
            .map(|i| format!(r#"{{"id":"p{i}","schema":"Person","properties":{{"name":["P {i}"]}}}}"#))
            .chain((1..50).map(|i| {
                format!(
                    r#"{{"id":"r{i}","schema":"UnknownLink","properties":{{"subject":["p{}"],"object":["p{i}"]}}}}"#,
                    i - 1
                )
            }))
            .collect::<Vec<_>>()
            .join("\n");
        // (Files of one name, in two folders: the file's name is its
        // source's title.)
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir_all(&a)
            .and_then(|()| std::fs::create_dir_all(&b))
            .expect("made");
        let small = a.join("g.ftm.json");
        std::fs::write(&small, &lines).expect("written");
        // The same lines, then a long run of blank ones: guessed at
        // over a thousand entities.
        let large = b.join("g.ftm.json");
        std::fs::write(&large, format!("{lines}\n{}", "\n".repeat(800_000))).expect("written");
        assert!(entities_guess([large.as_path()].into_iter()) > 1000);
        let load = |p: &std::path::Path| {
            let (g, _) = load_ftm_files(&[(p.to_path_buf(), "d".into())]).expect("loads");
            let sub = crate::view::Subgraph {
                nodes: g.node_indices().collect(),
                edges: g.edge_indices().collect(),
                whole: true,
            };
            crate::export::to_records(&g, &sub)
        };
        let (a, b) = (load(&small), load(&large));
        assert_eq!(a.entities.len(), 50);
        assert_eq!(a.relations.len(), 49);
        assert_eq!(a, b);
    }
}
