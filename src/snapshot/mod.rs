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

use xxhash_rust::xxh3::Xxh3;

pub use crate::codec::SnapshotError;
use crate::codec::{In, Out};
use crate::graph::Graph;
use crate::graph::section::{
    entities_section, entity_count, finish, read_relations, write_names, write_relations,
};
use crate::search::SearchIndex;

/// Bumped whenever the layout of a snapshot changes.
const FORMAT: u32 = 4;
const MAGIC: &[u8; 8] = b"TIESSNAP";
/// Written in the machine's byte order, to refuse a snapshot from another.
const BYTE_ORDER: u32 = 0x0102_0304;

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

/// Where snapshots are kept unless told otherwise: the user's cache folder
/// (`~/.cache/ties/snapshots` on Linux).
pub fn cache_dir() -> Option<PathBuf> {
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
    let mut input = In::new(&mut *r, len);
    let value = body(&mut input)?;
    let (left, digest) = input.finish();
    if left != 0 {
        return Err(SnapshotError::Corrupt("bytes left over in a section"));
    }
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
    let g = read_section(&mut r, entities)?;
    let nodes = entity_count(&g);
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
    let g = read_section(&mut r, entities)?;
    skip_section(&mut r)?;
    let nodes = entity_count(&g);
    let index = read_section(&mut r, |r| SearchIndex::read_snapshot(r, nodes))?;
    end_of_file(&mut r)?;
    Ok((finish(g, None)?, index))
}

/// The graph's first section (a function for any borrow of the reader).
fn entities(r: &mut In<&mut BufReader<File>>) -> Result<Graph, SnapshotError> {
    entities_section(r)
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
