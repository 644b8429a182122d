//! How GraphML and GEXF files are read: the fast tokenizer ([`super::scan`])
//! first, quick-xml when it declines the file; each format gives its own
//! events and state.

use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use quick_xml::Reader;

use super::scan::{Decline, Nesting, Scanner};
use super::{Builder, Checked, Item, Mode, Sink};
use crate::load::{LoadError, ProblemKind};

/// About how many bytes of a file each thread tokenizes at a time: a few
/// hundred records, as many as the builder takes at once (see
/// [`super::XML_BATCH`]).
pub(super) const CHUNK: usize = 1 << 18;

/// Files smaller than this are read on one thread.
pub(super) const CHUNKED_FROM: u64 = 1 << 24;

/// What a format's state says about reading the file in chunks on several
/// threads ([`Format::read_chunked`]): each chunk is read from a copy of the
/// state after the file's head, which must be the state the chunk before
/// it ended in.
pub(super) trait Chunked: Default + Clone + Send + Sync {
    /// Makes this state one a chunk is read in: an element that changes how
    /// the rest of the file reads (a key declared, a graph begun) is noted.
    fn chunked(&mut self);
    /// What the reading of what follows depends on, when between records
    /// (no node, edge, value or declaration open) and nothing noted by
    /// [`Chunked::chunked`]; `None` otherwise.
    fn rest(&self) -> Option<Vec<u8>>;
    /// Adds what a chunk's state counted (for the reader's note).
    fn absorb(&mut self, chunk: &Self);
}

/// How one XML format (GraphML, GEXF) is read: the same steps, its own
/// events and state `S`.
pub(super) struct Format<S> {
    /// Bytes of the file per entity with its relations, to size the tables.
    pub per_entity: u64,
    /// quick-xml's events into the sink; whether the root element was seen.
    pub events: fn(&mut Reader<BufReader<File>>, &mut Sink<'_>, &mut S) -> bool,
    /// The fast tokenizer's events, the same way, or [`Decline`]; given
    /// whether the root element was seen already (a chunk after the head).
    pub fast_events: fn(&mut Scanner<File>, &mut Sink<'_>, &mut S, bool) -> Result<bool, Decline>,
    /// The problem of a file whose root element is not the format's.
    pub not_root: fn() -> ProblemKind,
    /// The reader's note on what it left out, if it left anything.
    pub note: fn(&S) -> Option<String>,
}

impl<S: Chunked> Format<S> {
    /// The file built the way `mode` says: the fast tokenizer
    /// ([`super::scan`]) first unless `mode` is [`Mode::Careful`] (on several
    /// threads for a large file, [`Format::read_chunked`]), quick-xml when
    /// it declines the file.
    pub fn read(&self, path: &Path, mode: Mode) -> Result<Checked, LoadError> {
        let size = std::fs::metadata(path).map_or(0, |m| m.len());
        if let Some(chunk) = mode.chunk(size)
            && let Some(done) = self.read_chunked(path, mode, chunk)
        {
            return done;
        }
        if let Some(block) = mode.block()
            && let Some(done) = self.read_fast(path, mode, block)
        {
            return done;
        }
        let file = File::open(path).map_err(|e| super::open_error(path, e))?;
        let size = file.metadata().map_or(0, |m| m.len());
        let mut reader = Reader::from_reader(BufReader::with_capacity(1 << 16, file));
        reader.config_mut().trim_text(false);
        let mut b = self.builder(path, size);
        let mut st = S::default();
        let seen_root = super::stream_in(&mut b, mode, super::XML_BATCH, |b| {
            (self.events)(&mut reader, b, &mut st)
        });
        self.finish(path, b, &st, seen_root)
    }

    /// The file read by the fast tokenizer; `None` when it declines the file.
    pub fn read_fast(
        &self,
        path: &Path,
        mode: Mode,
        block: usize,
    ) -> Option<Result<Checked, LoadError>> {
        let file = File::open(path).ok()?;
        let size = file.metadata().map_or(0, |m| m.len());
        let mut scan = Scanner::new(file, block);
        let mut b = self.builder(path, size);
        let mut st = S::default();
        let seen_root = super::stream_in(&mut b, mode, super::XML_BATCH, |b| {
            (self.fast_events)(&mut scan, b, &mut st, false)
        })
        .ok()?;
        Some(self.finish(path, b, &st, seen_root))
    }

    /// The file read by the fast tokenizer on several threads: its head (up
    /// to the first node or edge) here, then chunks of about `chunk` bytes,
    /// each cut before a `<node` or `<edge`, tokenized on other threads from
    /// the state after the head, their records handed to the builder in
    /// file order. `None` when the tokenizer declines any chunk, or a chunk
    /// did not end where the next began (a cut inside a comment, a key
    /// declared after a node, a node left open): the file is then read on
    /// one thread, which reads it the same way or declines it to quick-xml,
    /// so that problems are named alike.
    pub fn read_chunked(
        &self,
        path: &Path,
        mode: Mode,
        chunk: usize,
    ) -> Option<Result<Checked, LoadError>> {
        let file = File::open(path).ok()?;
        let size = file.metadata().map_or(0, |m| m.len());
        let mut cutter = Cutter {
            file,
            carry: Vec::new(),
            at: 0,
            eof: false,
        };
        let mut head = Vec::new();
        let last = cutter.next(0, &mut head).ok()?;
        if head.is_empty() || last {
            return None;
        }
        let mut b = self.builder(path, size);
        let mut st = S::default();
        let ok = super::stream_in(&mut b, mode, super::XML_BATCH, |sink| {
            let mut scan = Scanner::chunk(head, 0);
            let seen_root = (self.fast_events)(&mut scan, sink, &mut st, false);
            let (_, nesting) = scan.into_chunk();
            let rest = st.rest();
            if seen_root != Ok(true) || !nesting.popped.is_empty() {
                return false;
            }
            let Some(rest) = rest else {
                return false;
            };
            let ends = self.chunks(sink, &mut cutter, chunk, &st);
            let Some(ends) = ends else {
                return false;
            };
            // Each chunk must end as the head did (the state the next was
            // read from), the elements it closes must be those open, and
            // the file must close every element.
            let mut open = nesting.open;
            let count = ends.len();
            for (i, end) in ends.into_iter().enumerate() {
                let Some((nesting, chunk_st)) = end else {
                    return false;
                };
                if i + 1 < count && chunk_st.rest().as_ref() != Some(&rest) {
                    return false;
                }
                for name in nesting.popped.names() {
                    if !open.last_is(name) {
                        return false;
                    }
                    open.pop();
                }
                for name in nesting.open.names() {
                    open.push(name);
                }
                st.absorb(&chunk_st);
            }
            open.is_empty()
        });
        if !ok {
            return None;
        }
        Some(self.finish(path, b, &st, true))
    }

    /// The chunks after the head, read on other threads into `sink`; what
    /// each did to the open elements and its state at its end, in file
    /// order (`None` for one declined); `None` when the file could not be read.
    #[allow(clippy::type_complexity)]
    fn chunks(
        &self,
        sink: &mut Sink<'_>,
        cutter: &mut Cutter,
        chunk: usize,
        head: &S,
    ) -> Option<Vec<Option<(Nesting, S)>>> {
        let ends: RefCell<Vec<Option<(Nesting, S)>>> = RefCell::new(Vec::new());
        let failed = Cell::new(false);
        let mut seq = 0;
        super::in_order(
            sink,
            // A core left for the builder (two threads at least, as tests
            // read in chunks on any machine).
            super::threads().saturating_sub(1).max(2),
            &mut |job: &mut Job<S>| {
                if failed.get() {
                    return (false, false);
                }
                job.seq = seq;
                job.base = cutter.at;
                match cutter.next(chunk, &mut job.bytes) {
                    Ok(last) => {
                        seq += 1;
                        ends.borrow_mut().push(None);
                        (!job.bytes.is_empty(), !last)
                    }
                    Err(_) => {
                        failed.set(true);
                        (false, false)
                    }
                }
            },
            &|job: &mut Job<S>, items: &mut Vec<Item>, sink: &mut Worker| {
                let sink = &mut sink.0;
                sink.refill(items);
                sink.swap_collected(items);
                let mut st = head.clone();
                st.chunked();
                let mut scan = Scanner::chunk(std::mem::take(&mut job.bytes), job.base);
                let read = (self.fast_events)(&mut scan, sink, &mut st, true);
                let (bytes, nesting) = scan.into_chunk();
                job.bytes = bytes;
                job.end = read.ok().map(|_| (nesting, st));
                sink.swap_collected(items);
            },
            &mut |job: &mut Job<S>| match job.end.take() {
                Some(end) => ends.borrow_mut()[job.seq] = Some(end),
                None => failed.set(true),
            },
        );
        (!failed.get()).then(|| ends.into_inner())
    }

    /// The graph, or the problems, once every event is in.
    fn finish(
        &self,
        path: &Path,
        mut b: Builder,
        st: &S,
        seen_root: bool,
    ) -> Result<Checked, LoadError> {
        if !seen_root && !b.has_problems() {
            b.problem(super::Pos::Byte(0), (self.not_root)());
        }
        if b.has_problems() {
            return Err(b.into_error(path));
        }
        b.notes.extend((self.note)(st));
        b.finish_checked(path)
    }

    fn builder(&self, path: &Path, size: u64) -> Builder {
        let mut b = Builder::sized(path, size, self.per_entity);
        b.implicit_nodes = true;
        // An edge end no <node> declares is a node, as networkx, igraph and
        // Gephi read it.
        b.implicit_why = "as no <node> declares them (networkx, igraph and Gephi make them too)";
        b.implicit_named = true;
        b.empty_records = true;
        b
    }
}

/// A chunk of the file for a thread to tokenize, and how it ended.
struct Job<S> {
    seq: usize,
    /// The file offset of its first byte.
    base: u64,
    bytes: Vec<u8>,
    end: Option<(Nesting, S)>,
}

impl<S> Default for Job<S> {
    fn default() -> Self {
        Job {
            seq: 0,
            base: 0,
            bytes: Vec::new(),
            end: None,
        }
    }
}

/// A tokenizing thread's sink: what it read kept for the builder, and the
/// records and text the builder is done with, to fill again.
struct Worker(Sink<'static>);

impl Default for Worker {
    fn default() -> Self {
        Worker(Sink::collect())
    }
}

/// A file cut into chunks before a `<node` or `<edge`.
struct Cutter {
    file: File,
    /// Bytes read past the last cut.
    carry: Vec<u8>,
    /// The file offset of the next chunk.
    at: u64,
    eof: bool,
}

/// Bytes read at a time while looking for a cut.
const LOOK: u64 = 1 << 12;

impl Cutter {
    /// The next chunk into `out`: from here to the first `<node ` or `<edge `
    /// at least `min` bytes on, or to the end of the file; whether it is the
    /// last.
    fn next(&mut self, min: usize, out: &mut Vec<u8>) -> std::io::Result<bool> {
        out.clear();
        out.append(&mut self.carry);
        let mut from = min;
        loop {
            if out.len() < min.saturating_add(6) && !self.eof {
                let want = (min + 6 - out.len()) as u64;
                self.read(out, want.max(LOOK))?;
                continue;
            }
            if let Some(cut) = find_cut(out, from) {
                self.carry.extend_from_slice(&out[cut..]);
                out.truncate(cut);
                self.at += cut as u64;
                return Ok(false);
            }
            if self.eof {
                self.at += out.len() as u64;
                return Ok(true);
            }
            // A cut may straddle what is read next.
            from = out.len().saturating_sub(5).max(from);
            self.read(out, LOOK)?;
        }
    }

    fn read(&mut self, out: &mut Vec<u8>, n: u64) -> std::io::Result<()> {
        let got = (&mut self.file).take(n).read_to_end(out)?;
        if got == 0 {
            self.eof = true;
        }
        Ok(())
    }
}

/// Where in `bytes`, at `from` or after, a `<node ` or `<edge ` starts.
fn find_cut(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    memchr::memchr_iter(b'<', rest)
        .map(|i| from + i)
        .find(|&i| matches!(bytes.get(i + 1..i + 6), Some(b"node " | b"edge ")))
}

#[cfg(test)]
impl<S: Chunked> Format<S> {
    /// `text` read in chunks cut before every node and edge (`None`: the
    /// chunked way declined it), and the way it is read on one thread: each
    /// as its JSON export and notes, or its error.
    pub(crate) fn chunked_and_careful(&self, text: &str) -> (Option<String>, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.xml");
        std::fs::write(&path, text).unwrap();
        let show = |r: Result<Checked, LoadError>| match r {
            Ok(c) => {
                let all = crate::view::subgraph(
                    &c.graph,
                    None,
                    0,
                    crate::view::Reach::Both,
                    &crate::view::Filter::default(),
                );
                let json = crate::export::render(&c.graph, &all, crate::export::Format::Json);
                format!("{json} {:?}", c.notes)
            }
            Err(e) => e.to_string(),
        };
        let chunks = self.read_chunked(&path, Mode::Chunks(1), 1).map(show);
        (chunks, show(self.read(&path, Mode::Careful)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_fall_before_nodes_and_edges_at_least_min_bytes_on() {
        let text = b"<g>\n<node id='a'/><nodes><edge a='1'><x/></edge><node ";
        assert_eq!(find_cut(text, 0), Some(4));
        assert_eq!(find_cut(text, 5), Some(25));
        assert_eq!(find_cut(text, 26), Some(48));
        assert_eq!(find_cut(text, 49), None);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.xml");
        std::fs::write(&path, text).unwrap();
        let mut cutter = Cutter {
            file: File::open(&path).unwrap(),
            carry: Vec::new(),
            at: 0,
            eof: false,
        };
        let mut got = Vec::new();
        let mut out = Vec::new();
        loop {
            let at = cutter.at;
            let last = cutter.next(10, &mut out).unwrap();
            got.push((at, String::from_utf8(out.clone()).unwrap()));
            if last {
                break;
            }
        }
        let whole: String = got.iter().map(|g| g.1.as_str()).collect();
        assert_eq!(whole.as_bytes(), text);
        assert_eq!(
            got.iter().map(|g| g.0).collect::<Vec<_>>(),
            [0, 25, 48],
            "{got:?}"
        );
    }
}
