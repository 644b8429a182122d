//! Binary snapshots of a loaded graph and its search index, so that a second
//! start on unchanged data does not parse RON again.
//!
//! A snapshot is named by a [`Key`]: a 128-bit hash (xxh3) of the data's bytes
//! (and, for a folder, its files' names), of this format's version and of the
//! version of `ties`. A change of one byte in the data gives another key, so a
//! stale snapshot is simply never looked up. The file itself ends with a hash of
//! everything before it; a snapshot whose hash does not match, or that fails any
//! check while it is read, is refused ([`SnapshotError`]) and the data is read
//! again.
//!
//! Tables are written as their raw bytes (they are plain integers), in the
//! machine's byte order; a snapshot is a cache for this machine, not an
//! exchange format.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use bytemuck::{Pod, Zeroable};
use petgraph::graph::{DiGraph, NodeIndex};
use xxhash_rust::xxh3::{Xxh3, Xxh3Builder};

use super::{
    Arena, AttrRow, EntityRow, Extra, Graph, IdIndex, NONE, RelationRow, Source, SourceId, Text,
};
use crate::model::{Amount, Currency, EntityKind, PartialDate, RelationKind, Sym};
use crate::search::SearchIndex;

/// Bumped whenever the layout of a snapshot changes.
const FORMAT: u32 = 4;
const MAGIC: &[u8; 8] = b"TIESSNAP";
/// Written in the machine's byte order, to refuse a snapshot from another.
const BYTE_ORDER: u32 = 0x0102_0304;

/// Why a snapshot was not used.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read it: {0}")]
    Io(#[from] io::Error),
    #[error("it is not a ties snapshot")]
    NotSnapshot,
    #[error("it was written by another version of ties or on another kind of machine")]
    Version,
    #[error("it was made from other data")]
    OtherData,
    #[error("it is corrupt ({0})")]
    Corrupt(&'static str),
}

/// What a snapshot is made from: a hash of the data and of the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key(pub u128);

impl Key {
    /// The key of the graph files `files` (as [`crate::load::graph_files`]
    /// lists them), read through once.
    pub fn of_files(files: &[PathBuf]) -> io::Result<Key> {
        let mut h = Xxh3::new();
        h.update(MAGIC);
        h.update(&FORMAT.to_le_bytes());
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        let mut buf = vec![0u8; 1 << 20];
        for f in files {
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            h.update(&(name.len() as u64).to_le_bytes());
            h.update(name.as_bytes());
            let mut file = File::open(f)?;
            let mut len = 0u64;
            loop {
                let n = match file.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                h.update(&buf[..n]);
                len += n as u64;
            }
            h.update(&len.to_le_bytes());
        }
        Ok(Key(h.digest128()))
    }

    /// The snapshot's file name.
    pub fn file_name(&self) -> String {
        format!("{:032x}.snap", self.0)
    }
}

/// Where snapshots are kept: `$TIES_CACHE_DIR`, else the user's cache folder
/// (`~/.cache/ties/snapshots` on Linux).
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("TIES_CACHE_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "ties").map(|d| d.cache_dir().join("snapshots"))
}

/// How a snapshot being written is named until it is complete.
const TEMP_PREFIX: &str = ".ties-snapshot-";

/// How many snapshots a cache folder keeps (the newest).
pub const KEEP: usize = 4;

/// Writes the snapshot of `graph` and `index` as `dir/<key>.snap` (through a
/// temporary file, so a reader never sees half a snapshot), then removes all
/// but the [`KEEP`] newest snapshots of `dir`. Returns the snapshot's path.
pub fn write(dir: &Path, key: Key, graph: &Graph, index: &SearchIndex) -> io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(key.file_name());
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)?;
    {
        let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        w.write_all(MAGIC)?;
        w.write_all(&FORMAT.to_le_bytes())?;
        w.write_all(&BYTE_ORDER.to_le_bytes())?;
        w.write_all(&key.0.to_le_bytes())?;
        section(&mut w, |out| write_names(out, graph))?;
        section(&mut w, |out| write_relations(out, graph))?;
        section(&mut w, |out| index.write_snapshot(out))?;
        w.flush()?;
    }
    tmp.persist(&path).map_err(|e| e.error)?;
    prune(dir);
    Ok(path)
}

/// Writes one section: its length, what `body` writes, and a hash of that.
fn section<W: Write + Seek>(
    w: &mut W,
    body: impl FnOnce(&mut Out<&mut W>) -> io::Result<()>,
) -> io::Result<()> {
    let at = w.stream_position()?;
    w.write_all(&0u64.to_le_bytes())?;
    let mut out = Out {
        w: &mut *w,
        hash: Xxh3Builder::new().build(),
        written: 0,
    };
    body(&mut out)?;
    let (len, digest) = (out.written, out.hash.digest());
    w.write_all(&digest.to_le_bytes())?;
    let end = w.stream_position()?;
    w.seek(SeekFrom::Start(at))?;
    w.write_all(&len.to_le_bytes())?;
    w.seek(SeekFrom::Start(end))?;
    Ok(())
}

/// Opens the snapshot at `path` and checks its header against `key`.
fn open(path: &Path, key: Key) -> Result<BufReader<File>, SnapshotError> {
    let mut r = BufReader::with_capacity(1 << 20, File::open(path)?);
    let mut head = [0u8; 8 + 4 + 4 + 16];
    if r.read_exact(&mut head).is_err() || &head[..8] != MAGIC {
        return Err(SnapshotError::NotSnapshot);
    }
    let u32_at = |i: usize| u32::from_le_bytes(head[i..i + 4].try_into().unwrap_or_default());
    if u32_at(8) != FORMAT || u32_at(12) != BYTE_ORDER {
        return Err(SnapshotError::Version);
    }
    if u128::from_le_bytes(head[16..32].try_into().unwrap_or_default()) != key.0 {
        return Err(SnapshotError::OtherData);
    }
    Ok(r)
}

/// Reads one section with `body`, checking its length and hash.
fn read_section<T>(
    r: &mut BufReader<File>,
    body: impl FnOnce(&mut In<&mut BufReader<File>>) -> Result<T, SnapshotError>,
) -> Result<T, SnapshotError> {
    let mut len = [0u8; 8];
    r.read_exact(&mut len)
        .map_err(|_| SnapshotError::Corrupt("it is cut short"))?;
    let len = u64::from_le_bytes(len);
    let rest = r
        .get_ref()
        .metadata()?
        .len()
        .saturating_sub(r.stream_position()?);
    if len > rest {
        return Err(SnapshotError::Corrupt("a section is longer than the file"));
    }
    let mut input = In {
        r: &mut *r,
        hash: Xxh3Builder::new().build(),
        left: len,
    };
    let value = body(&mut input)?;
    if input.left != 0 {
        return Err(SnapshotError::Corrupt("bytes left over in a section"));
    }
    let digest = input.hash.digest();
    let mut stored = [0u8; 8];
    r.read_exact(&mut stored)
        .map_err(|_| SnapshotError::Corrupt("it is cut short"))?;
    if u64::from_le_bytes(stored) != digest {
        return Err(SnapshotError::Corrupt("its checksum does not match"));
    }
    Ok(value)
}

/// Steps over one section without reading it.
fn skip_section(r: &mut BufReader<File>) -> Result<(), SnapshotError> {
    let mut len = [0u8; 8];
    r.read_exact(&mut len)
        .map_err(|_| SnapshotError::Corrupt("it is cut short"))?;
    let len = i64::try_from(u64::from_le_bytes(len))
        .ok()
        .and_then(|l| l.checked_add(8))
        .ok_or(SnapshotError::Corrupt("a section is too long"))?;
    r.seek_relative(len)?;
    Ok(())
}

/// Reads the snapshot at `path`, which must have been made for `key`.
pub fn read(path: &Path, key: Key) -> Result<(Graph, SearchIndex), SnapshotError> {
    let mut r = open(path, key)?;
    let g = read_section(&mut r, entities_section)?;
    let nodes = g.entities.len();
    let relations = read_section(&mut r, |r| read_relations(r, nodes))?;
    let index = read_section(&mut r, |r| SearchIndex::read_snapshot(r, nodes))?;
    end_of_file(&mut r)?;
    Ok((finish(g, Some(relations))?, index))
}

/// Reads only what a name search needs: the entities (with their names, kinds
/// and aliases, but no relations, and no id index: `find` finds nothing) and the
/// search index. Much less to read than [`read`].
pub fn read_for_search(path: &Path, key: Key) -> Result<(Graph, SearchIndex), SnapshotError> {
    let mut r = open(path, key)?;
    let g = read_section(&mut r, entities_section)?;
    skip_section(&mut r)?;
    let nodes = g.entities.len();
    let index = read_section(&mut r, |r| SearchIndex::read_snapshot(r, nodes))?;
    end_of_file(&mut r)?;
    Ok((finish(g, None)?, index))
}

fn end_of_file(r: &mut BufReader<File>) -> Result<(), SnapshotError> {
    let mut byte = [0u8; 1];
    match r.read(&mut byte)? {
        0 => Ok(()),
        _ => Err(SnapshotError::Corrupt("bytes after the last section")),
    }
}

/// Whether `name` is a snapshot's file name: 32 hex digits and `.snap` (other
/// `.snap` files in the folder, insta's say, are not ours to remove).
fn is_snapshot_name(name: &str) -> bool {
    name.strip_suffix(".snap")
        .is_some_and(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Removes all but the newest [`KEEP`] snapshots of `dir`, and temporary files
/// more than an hour old that a killed save left behind. Errors are ignored
/// (another process may be pruning too).
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let mut snaps: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(modified) = e.metadata().ok().and_then(|m| m.modified().ok()) else {
            continue;
        };
        if is_snapshot_name(&name) {
            snaps.push((modified, e.path()));
        } else if name.starts_with(TEMP_PREFIX) && modified < hour_ago {
            let _ = std::fs::remove_file(e.path());
        }
    }
    snaps.sort_by_key(|s| std::cmp::Reverse(s.0));
    for (_, p) in snaps.into_iter().skip(KEEP) {
        let _ = std::fs::remove_file(p);
    }
}

/// Writes values and hashes them.
pub(crate) struct Out<W: Write> {
    w: W,
    hash: Xxh3,
    written: u64,
}

impl<W: Write> Out<W> {
    fn bytes(&mut self, b: &[u8]) -> io::Result<()> {
        self.hash.update(b);
        self.written += b.len() as u64;
        self.w.write_all(b)
    }

    pub(crate) fn u64(&mut self, v: u64) -> io::Result<()> {
        self.bytes(&v.to_le_bytes())
    }

    /// A table: its length, then its bytes.
    pub(crate) fn pod<T: Pod>(&mut self, v: &[T]) -> io::Result<()> {
        self.u64(v.len() as u64)?;
        self.bytes(bytemuck::cast_slice(v))
    }

    fn str(&mut self, s: &str) -> io::Result<()> {
        self.pod(s.as_bytes())
    }
}

/// Reads values, hashes them, and never reads past the end.
pub(crate) struct In<R: Read> {
    r: R,
    hash: Xxh3,
    /// Bytes left in the section.
    left: u64,
}

impl<R: Read> In<R> {
    fn bytes(&mut self, buf: &mut [u8]) -> Result<(), SnapshotError> {
        if buf.len() as u64 > self.left {
            return Err(SnapshotError::Corrupt("it is cut short"));
        }
        self.r.read_exact(buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => SnapshotError::Corrupt("it is cut short"),
            _ => e.into(),
        })?;
        self.hash.update(buf);
        self.left -= buf.len() as u64;
        Ok(())
    }

    pub(crate) fn u64(&mut self) -> Result<u64, SnapshotError> {
        let mut b = [0u8; 8];
        self.bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// A table written by [`Out::pod`].
    pub(crate) fn pod<T: Pod>(&mut self) -> Result<Vec<T>, SnapshotError> {
        let n = self.u64()?;
        let size = std::mem::size_of::<T>() as u64;
        if n.checked_mul(size).is_none_or(|b| b > self.left) {
            return Err(SnapshotError::Corrupt("a table is longer than the file"));
        }
        let mut v = vec![T::zeroed(); n as usize];
        self.bytes(bytemuck::cast_slice_mut(&mut v))?;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, SnapshotError> {
        String::from_utf8(self.pod::<u8>()?)
            .map_err(|_| SnapshotError::Corrupt("text is not UTF-8"))
    }
}

/// An amount as stored: the value's bits, then currency (numeric code) and
/// approximation flag.
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct AmountRow {
    value: u64,
    currency: u32,
    approx: u32,
}

/// The entities and everything they point into: texts, lists, amounts,
/// sources, symbols.
fn write_names<W: Write>(out: &mut Out<W>, g: &Graph) -> io::Result<()> {
    out.pod(&g.entities)?;
    out.str(&g.arena.text)?;
    out.pod(&g.lists)?;
    out.pod(&g.attrs)?;
    out.pod(&g.extras)?;
    let amounts: Vec<AmountRow> = g
        .amounts
        .iter()
        .map(|a| AmountRow {
            value: a.value.to_bits(),
            currency: u32::from(a.currency.numeric()),
            approx: u32::from(a.approx),
        })
        .collect();
    out.pod(&amounts)?;
    out.pod(&g.source_lists)?;
    out.u64(g.sources.len() as u64)?;
    for s in &g.sources {
        out.str(&s.id)?;
        out.str(&s.outlet)?;
        out.str(&s.title)?;
        out.str(&s.file)?;
        out.u64(u64::from(PartialDate::option_bits(s.published)))?;
        match &s.url {
            Some(u) => {
                out.u64(1)?;
                out.str(u)?;
            }
            None => out.u64(0)?,
        }
    }
    out.u64(g.symbols.strings.len() as u64)?;
    for s in &g.symbols.strings {
        out.str(s)?;
    }
    Ok(())
}

/// The relations: their ends and rows, in order.
fn write_relations<W: Write>(out: &mut Out<W>, g: &Graph) -> io::Result<()> {
    let ends: Vec<[u32; 2]> = g
        .graph
        .raw_edges()
        .iter()
        .map(|e| [e.source().index() as u32, e.target().index() as u32])
        .collect();
    out.pod(&ends)?;
    let rows: Vec<RelationRow> = g.graph.raw_edges().iter().map(|e| e.weight).collect();
    out.pod(&rows)
}

fn corrupt(what: &'static str) -> SnapshotError {
    SnapshotError::Corrupt(what)
}

/// The first section: every table but the relations, as a graph without
/// petgraph's structure or id index yet (see [`finish`]).
fn entities_section(r: &mut In<&mut BufReader<File>>) -> Result<Graph, SnapshotError> {
    let entities: Vec<EntityRow> = r.pod()?;
    let arena = Arena { text: r.string()? };
    let lists: Vec<Text> = r.pod()?;
    let attrs: Vec<AttrRow> = r.pod()?;
    let extras: Vec<Extra> = r.pod()?;
    let amounts = r
        .pod::<AmountRow>()?
        .into_iter()
        .map(|a| {
            let currency = u16::try_from(a.currency)
                .ok()
                .and_then(Currency::from_numeric)
                .ok_or(corrupt("an unknown currency"))?;
            Ok(Amount {
                value: f64::from_bits(a.value),
                currency,
                approx: a.approx != 0,
            })
        })
        .collect::<Result<Vec<Amount>, SnapshotError>>()?;
    let source_lists: Vec<SourceId> = r.pod()?;
    let n_sources = r.u64()?;
    let mut g = Graph::default();
    for _ in 0..n_sources {
        let id = r.string()?;
        let outlet = r.string()?;
        let title = r.string()?;
        let file = r.string()?;
        let published = PartialDate::from_bits(r.u64()? as u32);
        let url = match r.u64()? {
            0 => None,
            _ => Some(r.string()?.into()),
        };
        let source = Source {
            id: id.into(),
            outlet: outlet.into(),
            title: title.into(),
            published,
            file: file.into(),
            url,
        };
        g.add_source(source).ok_or(corrupt("a source id twice"))?;
    }
    let n_symbols = r.u64()?;
    for i in 0..n_symbols {
        let s = r.string()?;
        if g.intern(&s).0 as u64 != i {
            return Err(corrupt("a symbol twice"));
        }
    }
    g.entities = entities;
    g.arena = arena;
    g.lists = lists;
    g.attrs = attrs;
    g.extras = extras;
    g.amounts = amounts;
    g.source_lists = source_lists;
    Ok(g)
}

/// Relation ends and rows.
type Relations = (Vec<[u32; 2]>, Vec<RelationRow>);

fn read_relations<R: Read>(r: &mut In<R>, nodes: usize) -> Result<Relations, SnapshotError> {
    let ends: Vec<[u32; 2]> = r.pod()?;
    let rows: Vec<RelationRow> = r.pod()?;
    if ends.len() != rows.len() {
        return Err(corrupt("relation tables of different lengths"));
    }
    if ends.iter().flatten().any(|&n| n as usize >= nodes) {
        return Err(corrupt("a relation to a missing entity"));
    }
    Ok((ends, rows))
}

/// Checks every row of `g` (and of `relations`), then gives the graph its
/// structure: petgraph's adjacency lists and the id index (with these
/// relations), or only its nodes and no id index (`None`: a name search).
fn finish(mut g: Graph, relations: Option<Relations>) -> Result<Graph, SnapshotError> {
    let check = Check { g: &g };
    check.tables()?;
    for e in &g.entities {
        check.entity(e)?;
    }
    if let Some((_, rows)) = &relations {
        for r in rows {
            check.relation(r)?;
        }
    }
    let nodes = g.entities.len();
    match relations {
        Some((ends, rows)) => {
            // The id index and petgraph's adjacency lists are rebuilt side by
            // side: both are a million random writes, to different tables.
            let (ids, graph) = std::thread::scope(|scope| {
                let ids = scope.spawn(|| id_index(&g.entities, &g.arena));
                let graph = edges(nodes, &ends, rows);
                (ids.join(), graph)
            });
            g.ids = ids.map_err(|_| corrupt("the id index could not be rebuilt"))??;
            g.graph = graph;
        }
        None => g.graph = edges(nodes, &[], Vec::new()),
    }
    Ok(g)
}

/// petgraph's graph of `nodes` nodes and these edges (checked to be in
/// range), in order.
fn edges(nodes: usize, ends: &[[u32; 2]], rows: Vec<RelationRow>) -> DiGraph<(), RelationRow, u32> {
    let mut graph = DiGraph::with_capacity(nodes, rows.len());
    for _ in 0..nodes {
        graph.add_node(());
    }
    for (&[a, b], row) in ends.iter().zip(rows) {
        graph.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), row);
    }
    graph
}

/// The id index of these entities (whose ids [`Check::entity`] found in the
/// text).
fn id_index(entities: &[EntityRow], arena: &Arena) -> Result<IdIndex, SnapshotError> {
    let mut ids = IdIndex::default();
    ids.reserve(entities.len(), entities, arena);
    for n in 0..entities.len() {
        ids.insert(n as u32, entities, arena)
            .map_err(|_| corrupt("an entity id twice"))?;
    }
    Ok(ids)
}

/// Checks that every number a snapshot's rows hold points inside the tables it
/// refers to, so that a snapshot whose checksums pass but whose contents are
/// wrong (a bug, a crafted file) is refused rather than read into a graph that
/// could panic later.
struct Check<'a> {
    g: &'a Graph,
}

impl Check<'_> {
    fn text(&self, t: Text) -> bool {
        let (start, len) = (t.start as usize, t.len as usize);
        self.g
            .arena
            .text
            .get(start..start.saturating_add(len))
            .is_some()
    }

    fn text_or_none(&self, t: Text) -> bool {
        t.is_none() || self.text(t)
    }

    fn range(start: u32, n: u32, len: usize) -> bool {
        (start as usize)
            .checked_add(n as usize)
            .is_some_and(|end| end <= len)
    }

    fn sources(&self, set: u32) -> bool {
        if set == super::SourceSet::EMPTY.0 {
            return true;
        }
        let start = set as usize;
        let Some(n) = self.g.source_lists.get(start) else {
            return false;
        };
        self.g
            .source_lists
            .get(start + 1..start + 1 + n.0 as usize)
            .is_some_and(|ids| ids.iter().all(|s| (s.0 as usize) < self.g.sources.len()))
    }

    fn date(bits: u32) -> bool {
        bits == 0 || PartialDate::from_bits(bits).is_some()
    }

    fn kind<K>(
        &self,
        code: u32,
        from: impl Fn(u32, &dyn Fn(u32) -> Option<Sym>) -> Option<K>,
    ) -> bool {
        from(code, &|s| {
            ((s as usize) < self.g.symbols.len()).then_some(Sym(s))
        })
        .is_some()
    }

    fn optional(i: u32, len: usize) -> bool {
        i == NONE || (i as usize) < len
    }

    /// The side tables: texts in the arena, attribute names among the symbols.
    fn tables(&self) -> Result<(), SnapshotError> {
        let ok = self.g.lists.iter().all(|&t| self.text(t))
            && self
                .g
                .attrs
                .iter()
                .all(|a| (a.key as usize) < self.g.symbols.len() && self.text(a.value))
            && self.g.extras.iter().all(|x| {
                self.text_or_none(x.id)
                    && self.text_or_none(x.note)
                    && Self::range(x.attrs, x.n_attrs, self.g.attrs.len())
            });
        if ok {
            Ok(())
        } else {
            Err(corrupt("a side table points outside the snapshot"))
        }
    }

    fn entity(&self, e: &EntityRow) -> Result<(), SnapshotError> {
        let ok = self.text(e.id)
            && self.text(e.name)
            && self.kind(e.kind, |c, f| EntityKind::from_code(c, f))
            && Self::date(e.date)
            && Self::date(e.until)
            && Self::optional(e.amount, self.g.amounts.len())
            && self.sources(e.sources)
            && (e.n_aliases as u64 + e.n_weak as u64) <= u32::MAX as u64
            && Self::range(e.aliases, e.n_aliases + e.n_weak, self.g.lists.len())
            && Self::optional(e.extra, self.g.extras.len());
        if ok {
            Ok(())
        } else {
            Err(corrupt("an entity points outside the snapshot"))
        }
    }

    fn relation(&self, r: &RelationRow) -> Result<(), SnapshotError> {
        let ok = self.kind(r.kind, |c, f| RelationKind::from_code(c, f))
            && Self::optional(r.role, self.g.symbols.len())
            && Self::date(r.date)
            && Self::date(r.until)
            && Self::optional(r.amount, self.g.amounts.len())
            && self.sources(r.sources)
            && Self::optional(r.extra, self.g.extras.len())
            && r.flags & !super::RELATION_UNDIRECTED == 0;
        if ok {
            Ok(())
        } else {
            Err(corrupt("a relation points outside the snapshot"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_files_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        let touch = |name: &str, when: Option<std::time::SystemTime>| {
            let p = dir.path().join(name);
            let f = File::create(&p).unwrap();
            if let Some(t) = when {
                f.set_modified(t).unwrap();
            }
            p
        };
        let snaps: Vec<PathBuf> = (0..6)
            .map(|i| {
                let t = std::time::SystemTime::now() - std::time::Duration::from_secs(60 * i);
                touch(&format!("{i:032x}.snap"), Some(t))
            })
            .collect();
        let insta = touch("ui__map.snap", Some(old));
        let stale = touch(".ties-snapshot-abc123", Some(old));
        let fresh = touch(".ties-snapshot-def456", None);
        prune(dir.path());
        let kept: Vec<bool> = snaps.iter().map(|p| p.exists()).collect();
        assert_eq!(kept, [true, true, true, true, false, false]);
        assert!(insta.exists(), "not ours");
        assert!(!stale.exists(), "left by a killed save over an hour ago");
        assert!(fresh.exists(), "maybe being written right now");
    }
}
