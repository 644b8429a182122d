//! The bytes of one snapshot section: tables written as their raw bytes with a
//! running hash ([`Out`]), and read back with every length checked against
//! what is left of the section ([`In`]). Below both the graph and the search
//! index, which each write and read their own sections with it; the container
//! around the sections (key, header, checksums, cache folder) is
//! [`crate::snapshot`].

use std::io::{self, Read, Write};

use bytemuck::Pod;
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

/// Writes values and hashes them.
pub(crate) struct Out<W: Write> {
    w: W,
    hash: Xxh3,
    written: u64,
}

impl<W: Write> Out<W> {
    /// Starts a section's body on `w`.
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

    /// A table: its length, then its bytes.
    pub(crate) fn pod<T: Pod>(&mut self, v: &[T]) -> io::Result<()> {
        self.u64(v.len() as u64)?;
        self.bytes(bytemuck::cast_slice(v))
    }

    pub(crate) fn str(&mut self, s: &str) -> io::Result<()> {
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
    /// Starts reading a section body of `len` bytes from `r`.
    pub(crate) fn new(r: R, len: u64) -> Self {
        In {
            r,
            hash: Xxh3Builder::new().build(),
            left: len,
        }
    }

    /// The bytes not read yet, and the hash of those read.
    pub(crate) fn finish(self) -> (u64, u64) {
        (self.left, self.hash.digest())
    }
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

    pub(crate) fn string(&mut self) -> Result<String, SnapshotError> {
        String::from_utf8(self.pod::<u8>()?)
            .map_err(|_| SnapshotError::Corrupt("text is not UTF-8"))
    }
}
