//! The bytes of one snapshot section: tables written as their raw bytes with a
//! running hash ([`Out`]), and read back in place from the mapped file
//! ([`MapIn`]), every length checked against what is left of the section.
//! Below both the graph and the search index, which each write and read their
//! own sections with it; the container around the sections (key, header,
//! checksums, cache folder) is [`crate::snapshot`].
//!
//! A table read from a snapshot is not copied: it is a [`Store`] that points
//! into the mapping. Tables start on 8-byte boundaries of the file (the writer
//! pads them), so that the rows can be used where they lie.

use std::io::{self, Write};
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;

use bytemuck::Pod;
use memmap2::Mmap;
use xxhash_rust::xxh3::{Xxh3, Xxh3Builder};

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

/// Tables start at multiples of this in a snapshot file.
pub(crate) const ALIGN: usize = 8;

/// A table of plain rows: owned (built here), or in place in a mapped snapshot.
pub(crate) enum Store<T> {
    Owned(Vec<T>),
    Mapped(MappedTable<T>),
}

/// Rows in a mapped snapshot: `len` rows from byte `start`, which
/// [`MapIn::pod`] checked to be in the mapping and aligned for `T`.
pub(crate) struct MappedTable<T> {
    map: Arc<Mmap>,
    start: usize,
    len: usize,
    _rows: PhantomData<T>,
}

impl<T> Clone for MappedTable<T> {
    fn clone(&self) -> Self {
        MappedTable {
            map: Arc::clone(&self.map),
            start: self.start,
            len: self.len,
            _rows: PhantomData,
        }
    }
}

impl<T: Pod> Store<T> {
    /// The rows to change: a mapped table is copied first (a graph read from a
    /// snapshot is not changed in practice).
    /// (Inlined: the builder calls it for every row of several tables; the
    /// copy of a mapped table, rare, is not.)
    #[inline]
    pub(crate) fn vec(&mut self) -> &mut Vec<T> {
        if let Store::Mapped(_) = self {
            self.own();
        }
        match self {
            Store::Owned(v) => v,
            Store::Mapped(_) => unreachable!("made owned just above"),
        }
    }

    /// Copies a mapped table into memory of its own.
    #[cold]
    #[inline(never)]
    fn own(&mut self) {
        if let Store::Mapped(m) = self {
            *self = Store::Owned(mapped_rows(m).to_vec());
        }
    }

    /// Bytes held: the capacity of an owned table, the length of a mapped one.
    pub(crate) fn bytes(&self) -> usize {
        let n = match self {
            Store::Owned(v) => v.capacity(),
            Store::Mapped(m) => m.len,
        };
        n * std::mem::size_of::<T>()
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        if let Store::Owned(v) = self {
            v.shrink_to_fit();
        }
    }
}

#[inline]
fn mapped_rows<T: Pod>(m: &MappedTable<T>) -> &[T] {
    let bytes = &m.map[m.start..m.start + m.len * std::mem::size_of::<T>()];
    bytemuck::cast_slice(bytes)
}

impl<T: Pod> Deref for Store<T> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        match self {
            Store::Owned(v) => v,
            Store::Mapped(m) => mapped_rows(m),
        }
    }
}

impl<T: Clone> Clone for Store<T> {
    fn clone(&self) -> Self {
        match self {
            Store::Owned(v) => Store::Owned(v.clone()),
            Store::Mapped(m) => Store::Mapped(m.clone()),
        }
    }
}

impl<T> Default for Store<T> {
    fn default() -> Self {
        Store::Owned(Vec::new())
    }
}

impl<T> From<Vec<T>> for Store<T> {
    fn from(v: Vec<T>) -> Self {
        Store::Owned(v)
    }
}

impl<T: Pod + std::fmt::Debug> std::fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            Store::Owned(_) => "owned",
            Store::Mapped(_) => "mapped",
        };
        write!(f, "Store({kind}, {} rows)", self.len())
    }
}

/// Writes values and hashes them.
pub(crate) struct Out<W: Write> {
    w: W,
    hash: Xxh3,
    written: u64,
}

impl<W: Write> Out<W> {
    /// Starts a section's body on `w`, which must be at a multiple of
    /// [`ALIGN`] in the file.
    pub(crate) fn new(w: W) -> Self {
        Out {
            w,
            hash: Xxh3Builder::new().build(),
            written: 0,
        }
    }

    /// The bytes written and their hash.
    pub(crate) fn finish(self) -> (u64, u64) {
        (self.written, self.hash.digest())
    }
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

    /// A table: its length, then its bytes, then zeros to the next multiple of
    /// [`ALIGN`].
    pub(crate) fn pod<T: Pod>(&mut self, v: &[T]) -> io::Result<()> {
        self.u64(v.len() as u64)?;
        let bytes: &[u8] = bytemuck::cast_slice(v);
        self.bytes(bytes)?;
        let pad = bytes.len().next_multiple_of(ALIGN) - bytes.len();
        self.bytes(&[0u8; ALIGN][..pad])
    }

    pub(crate) fn str(&mut self, s: &str) -> io::Result<()> {
        self.pod(s.as_bytes())
    }
}

/// Reads one section of a mapped snapshot, never past its end.
pub(crate) struct MapIn {
    map: Arc<Mmap>,
    pos: usize,
    end: usize,
}

impl MapIn {
    /// The section body `map[start..end]` (`start` a multiple of [`ALIGN`]).
    pub(crate) fn new(map: Arc<Mmap>, start: usize, end: usize) -> Self {
        MapIn {
            map,
            pos: start,
            end,
        }
    }

    /// Bytes not read yet.
    pub(crate) fn left(&self) -> usize {
        self.end - self.pos
    }

    fn take(&mut self, n: usize) -> Result<usize, SnapshotError> {
        if n > self.left() {
            return Err(SnapshotError::Corrupt("it is cut short"));
        }
        let at = self.pos;
        self.pos += n;
        Ok(at)
    }

    pub(crate) fn u64(&mut self) -> Result<u64, SnapshotError> {
        let at = self.take(8)?;
        let b: [u8; 8] = self.map[at..at + 8].try_into().unwrap_or_default();
        Ok(u64::from_le_bytes(b))
    }

    /// A table written by [`Out::pod`], in place.
    pub(crate) fn pod<T: Pod>(&mut self) -> Result<Store<T>, SnapshotError> {
        let n = self.u64()?;
        let size = std::mem::size_of::<T>() as u64;
        let padded = n
            .checked_mul(size)
            .and_then(|b| b.checked_next_multiple_of(ALIGN as u64))
            .filter(|&b| b <= self.left() as u64)
            .ok_or(SnapshotError::Corrupt("a table is longer than the file"))?;
        let start = self.take(padded as usize)?;
        let aligned = start.is_multiple_of(std::mem::align_of::<T>())
            && (self.map.as_ptr() as usize).is_multiple_of(ALIGN);
        if !aligned {
            return Err(SnapshotError::Corrupt("a table is not aligned"));
        }
        Ok(Store::Mapped(MappedTable {
            map: Arc::clone(&self.map),
            start,
            len: n as usize,
            _rows: PhantomData,
        }))
    }

    /// A string written by [`Out::str`], copied.
    pub(crate) fn string(&mut self) -> Result<String, SnapshotError> {
        let bytes = self.pod::<u8>()?;
        String::from_utf8(bytes.to_vec()).map_err(|_| SnapshotError::Corrupt("text is not UTF-8"))
    }
}

/// LEB128, the variable-length unsigned integers of the tables that hold
/// lengths and gaps (the graph's aliases, the search index's texts, the typo
/// index's postings): seven bits a byte, lowest first, the high bit set on
/// every byte but the last.
pub(crate) mod leb128 {
    /// How many bytes `v` takes.
    pub(crate) fn len(v: u64) -> usize {
        (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
    }

    /// Appends `v`.
    pub(crate) fn push(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    /// The value that opens `bytes`, and how many bytes it took: `None` if it
    /// runs past the end, takes more than five bytes or is over 32 bits.
    #[inline]
    pub(crate) fn read(bytes: &[u8]) -> Option<(u32, usize)> {
        let first = *bytes.first()?;
        if first < 0x80 {
            return Some((u32::from(first), 1));
        }
        let mut v: u64 = 0;
        for (i, &b) in bytes.iter().enumerate().take(5) {
            v |= u64::from(b & 0x7f) << (7 * i);
            if b < 0x80 {
                return u32::try_from(v).ok().map(|v| (v, i + 1));
            }
        }
        None
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn values_read_back_in_the_bytes_their_length_says() {
            for v in [
                0,
                1,
                127,
                128,
                300,
                16_383,
                16_384,
                u32::MAX.into(),
                u64::MAX,
            ] {
                let mut out = vec![0xaa];
                super::push(v, &mut out);
                assert_eq!(out.len() - 1, super::len(v), "{v}");
                let read = super::read(&out[1..]);
                match u32::try_from(v) {
                    Ok(small) => assert_eq!(read, Some((small, out.len() - 1))),
                    Err(_) => assert_eq!(read, None, "{v}"),
                }
            }
            // Cut short, or a sixth byte.
            assert_eq!(super::read(&[0x80]), None);
            assert_eq!(super::read(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), None);
        }
    }
}
