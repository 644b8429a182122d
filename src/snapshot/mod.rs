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
//! machine's byte order, each at a multiple of 8 bytes in the file; a snapshot
//! is a cache for this machine, not an exchange format. Reading maps the file
//! and uses the tables where they lie (rows, text, id index, adjacency lists,
//! search index): nothing is rebuilt, and what is checked is checked in one
//! pass over each table.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use memmap2::{Mmap, MmapOptions};
use xxhash_rust::xxh3::{Xxh3, xxh3_64, xxh3_128};

pub use crate::codec::SnapshotError;
use crate::codec::{MapIn, Out};
use crate::graph::Graph;
use crate::graph::section::{
    entities_section, entity_count, finish, read_relations, write_names, write_relations,
};
use crate::search::SearchIndex;

mod known;
pub use known::{Found, Pending, RACY, is_new, key_of};

/// Bumped whenever the layout of a snapshot changes.
const FORMAT: u32 = 17;
const MAGIC: &[u8; 8] = b"TIESSNAP";
/// Written in the machine's byte order, to refuse a snapshot from another.
const BYTE_ORDER: u32 = 0x0102_0304;

/// What a snapshot is made from: a hash of the data and of the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key(pub u128);

impl Key {
    /// The key of the graph files `files` (as [`crate::load::graph_files`]
    /// lists them), read through once: each file in blocks of [`BLOCK`] bytes,
    /// each block hashed on its own (blocks are shared out between threads),
    /// then the blocks' hashes hashed in order.
    pub fn of_files(files: &[PathBuf]) -> io::Result<Key> {
        let blocks = files.iter().map(|f| hash_blocks(f));
        Ok(Self::of_blocks(
            files,
            blocks.collect::<io::Result<Vec<_>>>()?,
        ))
    }

    /// [`Key::of_files`] from each file's bytes as a reader read them
    /// (`hashed[i]` fed with all of `files[i]`, in order), so that data read
    /// anyway is not read again to be hashed.
    pub fn of_hashed(files: &[PathBuf], hashed: Vec<FileHash>) -> Key {
        let blocks = hashed.into_iter().map(FileHash::finish).collect();
        Self::of_blocks(files, blocks)
    }

    /// The key from each file's length and blocks' hashes.
    fn of_blocks(files: &[PathBuf], blocks: Vec<(u64, Vec<u128>)>) -> Key {
        let mut h = Xxh3::new();
        h.update(MAGIC);
        h.update(&FORMAT.to_le_bytes());
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        for (f, (len, blocks)) in files.iter().zip(blocks) {
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            h.update(&(name.len() as u64).to_le_bytes());
            h.update(name.as_bytes());
            for b in blocks {
                h.update(&b.to_le_bytes());
            }
            h.update(&len.to_le_bytes());
        }
        Key(h.digest128())
    }

    /// The snapshot's file name.
    pub fn file_name(&self) -> String {
        format!("{:032x}.snap", self.0)
    }
}

/// The file beside snapshot `snap` that keeps what the reader said when the
/// snapshot was made (an import's summary), one note a line.
pub fn notes_path(snap: &Path) -> PathBuf {
    snap.with_extension("notes")
}

/// The blocks a data file is hashed in.
const BLOCK: u64 = 8 << 20;

/// One file's part of a [`Key`], hashed from its bytes as they come, in
/// pieces of any size: the same blocks of [`BLOCK`] bytes as
/// [`hash_blocks`] hashes (xxh3 streamed gives what xxh3 gives at once).
pub struct FileHash {
    block: Xxh3,
    in_block: u64,
    len: u64,
    blocks: Vec<u128>,
}

impl Default for FileHash {
    fn default() -> Self {
        FileHash {
            block: Xxh3::new(),
            in_block: 0,
            len: 0,
            blocks: Vec::new(),
        }
    }
}

impl FileHash {
    /// The next bytes of the file.
    pub fn update(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let room = (BLOCK - self.in_block) as usize;
            let (now, later) = bytes.split_at(room.min(bytes.len()));
            self.block.update(now);
            self.in_block += now.len() as u64;
            self.len += now.len() as u64;
            bytes = later;
            if self.in_block == BLOCK {
                self.blocks.push(self.block.digest128());
                self.block.reset();
                self.in_block = 0;
            }
        }
    }

    /// The file's length and its blocks' hashes, as [`hash_blocks`] gives them.
    fn finish(mut self) -> (u64, Vec<u128>) {
        if self.in_block > 0 {
            self.blocks.push(self.block.digest128());
        }
        (self.len, self.blocks)
    }
}

/// The file's length as read, and the hash of each of its blocks, read and
/// hashed on up to two threads (reading from the page cache is a copy that
/// costs as much as the hash).
fn hash_blocks(path: &Path) -> io::Result<(u64, Vec<u128>)> {
    use std::os::unix::fs::FileExt;
    let file = File::open(path)?;
    let size = file.metadata()?.len();
    let blocks = size.div_ceil(BLOCK) as usize;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 2)
        .min(blocks.max(1));
    // Block i is hashed by thread i % threads.
    let work = |t: usize| -> io::Result<Vec<(u128, u64)>> {
        let mut buf = vec![0u8; BLOCK as usize];
        let mut out = Vec::new();
        for i in (t..blocks).step_by(threads) {
            let at = i as u64 * BLOCK;
            let want = BLOCK.min(size - at) as usize;
            let mut got = 0;
            while got < want {
                match file.read_at(&mut buf[got..want], at + got as u64) {
                    Ok(0) => break,
                    Ok(n) => got += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            out.push((xxh3_128(&buf[..got]), got as u64));
        }
        Ok(out)
    };
    let parts: Vec<io::Result<Vec<(u128, u64)>>> = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads).map(|t| scope.spawn(move || work(t))).collect();
        let mut parts = vec![work(0)];
        for o in others {
            parts.push(
                o.join()
                    .unwrap_or_else(|_| Err(io::Error::other("a hash thread stopped"))),
            );
        }
        parts
    });
    let parts = parts.into_iter().collect::<io::Result<Vec<_>>>()?;
    let mut hashes = Vec::with_capacity(blocks);
    let mut len = 0;
    for i in 0..blocks {
        let (h, n) = parts[i % threads][i / threads];
        hashes.push(h);
        len += n;
    }
    // Read past a file that grew while it was read, to hash what is there.
    if len == size {
        let mut rest = Vec::new();
        let mut tail = File::open(path)?;
        tail.seek(SeekFrom::Start(size))?;
        tail.read_to_end(&mut rest)?;
        if !rest.is_empty() {
            hashes.push(xxh3_128(&rest));
            len += rest.len() as u64;
        }
    }
    Ok((len, hashes))
}

/// Where snapshots are kept unless told otherwise: the user's cache folder
/// (`~/.cache/ties/snapshots` on Linux).
pub fn cache_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "ties").map(|d| d.cache_dir().join("snapshots"))
}

/// How a snapshot being written is named until it is complete.
const TEMP_PREFIX: &str = ".ties-snapshot-";

/// How many snapshots a cache folder keeps (the newest).
pub const KEEP: usize = 4;

/// Writes the snapshot of `graph` and `index` (if there is one: a snapshot
/// without the search index is quicker to make, and the index is added by the
/// start that builds it) as `dir/<key>.snap` (through a temporary file, so a
/// reader never sees half a snapshot), then removes all but the [`KEEP`]
/// newest snapshots of `dir`. Returns the snapshot's path.
pub fn write(
    dir: &Path,
    key: Key,
    graph: &Graph,
    index: Option<&SearchIndex>,
) -> io::Result<PathBuf> {
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
        section(&mut w, |out| match index {
            Some(ix) => {
                out.u64(1)?;
                ix.write_snapshot(out)
            }
            None => out.u64(0),
        })?;
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
    let mut out = Out::new(&mut *w);
    body(&mut out)?;
    let (len, digest) = out.finish();
    w.write_all(&digest.to_le_bytes())?;
    let end = w.stream_position()?;
    w.seek(SeekFrom::Start(at))?;
    w.write_all(&len.to_le_bytes())?;
    w.seek(SeekFrom::Start(end))?;
    Ok(())
}

/// The header: magic, format, byte order, key.
const HEADER: usize = 8 + 4 + 4 + 16;

/// Maps the snapshot at `path` and checks its header against `key`. With
/// `populate`, every page is mapped at once (one system call instead of a
/// fault per page, for a read of the whole file).
fn map(path: &Path, key: Key, populate: bool) -> Result<Arc<Mmap>, SnapshotError> {
    let file = File::open(path)?;
    let mut options = MmapOptions::new();
    if populate {
        options.populate();
    }
    // SAFETY: the mapping is only read, and a snapshot file is never changed
    // where it lies: it is written under a temporary name and renamed into
    // place whole ([`write`]), and pruning removes a file (whose pages stay
    // mapped) rather than changing it. Its contents are then checked like any
    // input: checksums, lengths and every row, before any row is used. (A
    // person truncating a snapshot by hand while ties has it mapped can still
    // stop ties with SIGBUS; ties itself never does so.)
    let map = unsafe { options.map(&file)? };
    let head = map.get(..HEADER).ok_or(SnapshotError::NotSnapshot)?;
    if &head[..8] != MAGIC {
        return Err(SnapshotError::NotSnapshot);
    }
    let u32_at = |i: usize| u32::from_le_bytes(head[i..i + 4].try_into().unwrap_or_default());
    if u32_at(8) != FORMAT || u32_at(12) != BYTE_ORDER {
        return Err(SnapshotError::Version);
    }
    if u128::from_le_bytes(head[16..32].try_into().unwrap_or_default()) != key.0 {
        return Err(SnapshotError::OtherData);
    }
    Ok(Arc::new(map))
}

/// Where one section's body is in the file, and the hash stored after it.
#[derive(Debug, Clone, Copy)]
struct Section {
    start: usize,
    end: usize,
    digest: u64,
}

impl Section {
    /// Whether the body's hash is the one stored.
    fn sound(&self, map: &Mmap) -> Result<(), SnapshotError> {
        if xxh3_64(&map[self.start..self.end]) == self.digest {
            Ok(())
        } else {
            Err(SnapshotError::Corrupt("its checksum does not match"))
        }
    }

    fn input(&self, map: &Arc<Mmap>) -> MapIn {
        MapIn::new(Arc::clone(map), self.start, self.end)
    }
}

/// The sections of a mapped snapshot, checking that each fits in the file and
/// that nothing follows the last.
fn sections(map: &Mmap) -> Result<[Section; 3], SnapshotError> {
    let u64_at = |at: usize| -> Result<u64, SnapshotError> {
        map.get(at..at + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
            .ok_or(SnapshotError::Corrupt("it is cut short"))
    };
    let mut at = HEADER;
    let mut out = [Section {
        start: 0,
        end: 0,
        digest: 0,
    }; 3];
    for s in &mut out {
        let len = u64_at(at)?;
        let start = at + 8;
        let end = usize::try_from(len)
            .ok()
            .and_then(|l| start.checked_add(l))
            .filter(|&e| e <= map.len())
            .ok_or(SnapshotError::Corrupt("a section is longer than the file"))?;
        *s = Section {
            start,
            end,
            digest: u64_at(end)?,
        };
        at = end + 8;
    }
    if at != map.len() {
        return Err(SnapshotError::Corrupt("bytes after the last section"));
    }
    Ok(out)
}

/// Reads one section with `body`: every byte used, and its checksum right.
fn section_value<T>(
    map: &Arc<Mmap>,
    s: &Section,
    body: impl FnOnce(&mut MapIn) -> Result<T, SnapshotError>,
) -> Result<T, SnapshotError> {
    let mut input = s.input(map);
    let value = body(&mut input)?;
    if input.left() != 0 {
        return Err(SnapshotError::Corrupt("bytes left over in a section"));
    }
    s.sound(map)?;
    Ok(value)
}

/// Reads the snapshot at `path`, which must have been made for `key`: the graph,
/// and the search index if it was saved with one. Its tables are used where
/// they lie in the mapped file; the three sections are checked (checksum, then
/// rows) on two threads.
pub fn read(path: &Path, key: Key) -> Result<(Graph, Option<SearchIndex>), SnapshotError> {
    read_sections(path, key, true)
}

/// Reads only what a name search needs: the entities (with their names, kinds,
/// aliases and id index, but no relations) and the search index, if saved.
pub fn read_for_search(
    path: &Path,
    key: Key,
) -> Result<(Graph, Option<SearchIndex>), SnapshotError> {
    read_sections(path, key, false)
}

fn read_sections(
    path: &Path,
    key: Key,
    relations: bool,
) -> Result<(Graph, Option<SearchIndex>), SnapshotError> {
    let map = map(path, key, relations)?;
    let [names, rels, index] = sections(&map)?;
    let (g, ids) = section_value(&map, &names, entities_section)?;
    let nodes = entity_count(&g);
    std::thread::scope(|scope| {
        let index = scope.spawn(|| {
            section_value(&map, &index, |r| match r.u64()? {
                0 => Ok(None),
                1 => SearchIndex::read_snapshot(r, nodes).map(Some),
                _ => Err(SnapshotError::Corrupt("a section is not what it should be")),
            })
        });
        let links = if relations {
            section_value(&map, &rels, read_relations).map(Some)
        } else {
            Ok(None)
        };
        let g = links.and_then(|links| finish(g, ids, links));
        let index = index
            .join()
            .unwrap_or(Err(SnapshotError::Corrupt("a check stopped")));
        Ok((g?, index?))
    })
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
    // Key records (see [`known`]) unused for a month.
    let month_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(30 * 86400);
    let mut snaps: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(modified) = e.metadata().ok().and_then(|m| m.modified().ok()) else {
            continue;
        };
        if is_snapshot_name(&name) {
            snaps.push((modified, e.path()));
        } else if (name.starts_with(TEMP_PREFIX) && modified < hour_ago)
            || (known::is_record_name(&name) && modified < month_ago)
        {
            let _ = std::fs::remove_file(e.path());
        }
    }
    snaps.sort_by_key(|s| std::cmp::Reverse(s.0));
    for (_, p) in snaps.into_iter().skip(KEEP) {
        let _ = std::fs::remove_file(notes_path(&p));
        let _ = std::fs::remove_file(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files of no bytes, a few, exactly one block and one block and a bit,
    /// fed to a [`FileHash`] in pieces of odd sizes that straddle the
    /// blocks: the same key as hashing the files.
    #[test]
    fn a_file_hashed_as_it_is_read_has_the_key_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let block = BLOCK as usize;
        for (name, len) in [
            ("a.ron", 0),
            ("b.ron", 5),
            ("c.ron", block),
            ("d.ron", block + 3),
        ] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            let mut hash = FileHash::default();
            for piece in bytes.chunks(1_000_003) {
                hash.update(piece);
            }
            let files = [path];
            let want = Key::of_files(&files).unwrap();
            assert_eq!(Key::of_hashed(&files, vec![hash]), want, "{name}");
            // Another file's bytes give another key.
            let mut other = FileHash::default();
            other.update(b"x");
            assert_ne!(Key::of_hashed(&files, vec![other]), want, "{name}");
        }
    }

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
