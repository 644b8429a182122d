//! Reading a stream in batches of whole lines: a reader thread reads
//! batches ahead, their lines are parsed as JSON in chunks on several
//! threads, and the chunks are built into the graph (which only one thread
//! can do, in reading order) while later ones are parsed.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{BufReader, Read};
use std::mem::MaybeUninit;
use std::ops::Range;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use crate::load::ProblemKind;

use super::SpanPair;
use super::fast::{Fast, Scratch};
use super::props::KnownSources;

/// About how many bytes of lines a batch holds. What the parser threads
/// free stays in their allocator's arenas: at 4 MiB a batch (two batches'
/// records alive at a time), those held about 80 MB at the end of a
/// 1M-entity load (a fifth of its peak); at 1 MiB, 30 MB, for the same
/// time. (Small under test: many batches and chunks.)
pub(super) const BATCH: usize = if cfg!(test) { 1 << 10 } else { 1 << 20 };

/// Batches handed out to parse ahead of the one being built.
const AHEAD: usize = 2;

/// About how many lines a chunk (parsed by one parser thread) holds: a
/// batch is cut into at least one chunk per parser thread.
const CHUNK: usize = if cfg!(test) { 3 } else { 1024 };

/// The values a line's relationship has, for most lines (room made for
/// that many in a chunk's list of them, [`Part::spans`]).
const SPANS_A_LINE: usize = 8;

/// Below this many lines a batch is parsed on the calling thread.
const PARALLEL_MIN: usize = if cfg!(test) { 4 } else { 2048 };

pub(super) use super::fast::Parsed;

/// Parses one line (`first`: the stream's first, which may open with a BOM)
/// into `out`, by the fast path if `fast` and it takes the line (its
/// sources looked up in `known`, `scratch` its buffers; `text`: its batch's
/// text, when UTF-8, and where the line starts in it, a relationship's
/// places in it pushed on `spans`), else carefully. `out` is always
/// written.
// (Written where it is kept, the chunk's list: a fast path's record,
// about 200 bytes, was returned and moved three times on its way there,
// out of `fast::read`, into its `Parsed`, into the list.)
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn parse_line(
    out: &mut MaybeUninit<Parsed>,
    raw: &[u8],
    text: Option<(&str, usize)>,
    first: bool,
    fast: bool,
    known: &KnownSources,
    (scratch, lane): (&mut Scratch, &mut super::plain::Lane),
    spans: &mut Vec<SpanPair>,
) {
    let (mut bytes, mut text) = (raw, text);
    if first && let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        bytes = rest;
        text = text.map(|(t, at)| (t, at + 3));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        out.write(Parsed::Blank);
        return;
    }
    if fast && super::fast::read_into(out, bytes, text, known, (scratch, lane), spans) {
        return;
    }
    out.write(careful_line(bytes));
}

/// [`parse_line`]'s careful way: the line read by `serde_json`.
#[inline(never)]
fn careful_line(bytes: &[u8]) -> Parsed {
    match serde_json::from_slice(bytes) {
        Ok(l) => Parsed::Record(Box::new(l)),
        Err(e) => {
            let mut msg = e.to_string();
            // serde_json counts lines within this one line: drop its position.
            if let Some(i) = msg.rfind(" at line ") {
                msg.truncate(i);
            }
            if bytes.trim_ascii_start().starts_with(b"[") {
                msg.push_str(" (an FtM stream has one JSON entity object per line)");
            }
            let kind = if e.is_data() {
                ProblemKind::Ftm(format!("not an FtM entity: {msg}"))
            } else {
                ProblemKind::Json(msg)
            };
            Parsed::Bad(e.column().max(1), kind)
        }
    }
}

/// Whole lines read into one buffer: the bytes, and where each line ends.
#[derive(Default)]
struct Batch {
    /// The lines, `buf[..len]`, read straight into it (the rest: room for
    /// the next read, zeroed once, never exposed).
    buf: Vec<u8>,
    len: usize,
    /// Whether the lines are all UTF-8 (the fast path's relationships are
    /// places in their text).
    utf8: bool,
    ends: Vec<usize>,
    /// Whether the batch holds the stream's first line.
    first: bool,
}

impl Batch {
    /// Every line.
    fn all(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The text, if the lines are UTF-8.
    fn text(&self) -> Option<&str> {
        // SAFETY: `utf8` is set only by `read_batch`, right after it found
        // `all()` to be UTF-8; the buffer and `len` do not change until the
        // batch is read again, which takes it by `&mut` (no line of it is
        // borrowed then).
        self.utf8
            .then(|| unsafe { std::str::from_utf8_unchecked(self.all()) })
    }

    /// Line `i`, and where it starts.
    fn line(&self, i: usize) -> (&[u8], usize) {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        (&self.all()[start..self.ends[i]], start)
    }

    /// Lines `range`, parsed (`scratch`: the fast path's buffers).
    fn parse(
        &self,
        range: Range<usize>,
        fast: bool,
        known: &KnownSources,
        scratch: &mut Scratch,
    ) -> Part {
        // (Room for the values of most lines, made once: grown from
        // nothing, the list was copied over a dozen times a chunk.)
        let mut spans = Vec::with_capacity(SPANS_A_LINE * range.len());
        let text = self.text();
        scratch.cited.clear();
        let first = range.start;
        let mut records: Vec<Parsed> = Vec::with_capacity(range.len());
        // (The direct lane's memos borrowed once for the chunk.)
        super::plain::with_lane(|lane| {
            for i in range {
                scratch.cited.record = (i - first) as u32;
                let (line, at) = self.line(i);
                #[cfg(test)]
                tests::panic_on_a_parser_thread(line);
                let Some(out) = records.spare_capacity_mut().first_mut() else {
                    unreachable!("room made for every line");
                };
                parse_line(
                    out,
                    line,
                    text.map(|t| (t, at)),
                    self.first && i == 0,
                    fast,
                    known,
                    (scratch, lane),
                    &mut spans,
                );
                // SAFETY: `parse_line` wrote `out`, the first place past
                // the list's length (within its capacity, made for every
                // line).
                unsafe { records.set_len(i - first + 1) };
            }
        });
        // The sources they cite looked up together.
        if let Some(text) = text {
            (scratch.cited).find(known, text, &mut records, super::parsed_mapped_mut);
        }
        // Their parties looked up in the copy of the graph's ids, here,
        // instead of on the builder's thread.
        super::find_parties(&mut records, text.unwrap_or(""), &spans, known);
        Part { records, spans }
    }
}

/// Some lines of a batch, parsed on one thread.
pub(super) struct Part {
    pub(super) records: Vec<Parsed>,
    /// The places in the batch's text of the values of the relationships
    /// among `records` ([`super::fast::FastEdge`]).
    pub(super) spans: Vec<SpanPair>,
}

impl Part {
    /// Frees its records, on the thread that made them, keeping their
    /// relationships' mapped fields' boxes for the next batch
    /// ([`super::SparePre`]).
    fn free(mut self) {
        /// How many records ahead the boxes of their mapped fields are
        /// fetched.
        const AHEAD: usize = 8;
        // (The boxes were last written on the builder's core: each first
        // read of one, to keep or free it, was a cache miss, waited for one
        // at a time. Fetched a few records ahead, their misses overlap.)
        let fetch = |p: Option<&Parsed>| {
            let Some(Parsed::Ready(r)) = p else { return };
            match &r.body {
                Fast::Edge(super::fast::FastEdge { pre: Some(pre), .. })
                | Fast::Thing(super::thing::FastThing { pre: Some(pre), .. })
                | Fast::Ready(super::Ready {
                    body: super::Body::Edge(_, Some(pre)),
                    ..
                }) => crate::graph::prefetch_all(&**pre),
                Fast::Ready(super::Ready {
                    body: super::Body::Thing(t),
                    ..
                }) => crate::graph::prefetch_all(&**t),
                Fast::Edge(_) | Fast::Thing(_) | Fast::Ready(_) => {}
            }
        };
        (0..AHEAD).for_each(|i| fetch(self.records.get(i)));
        for i in 0..self.records.len() {
            fetch(self.records.get(i + AHEAD));
            if let Parsed::Ready(r) = &mut self.records[i] {
                let pre = match &mut r.body {
                    Fast::Edge(e) => e.pre.take(),
                    Fast::Thing(t) => t.pre.take(),
                    Fast::Ready(super::Ready {
                        body: super::Body::Edge(_, pre),
                        ..
                    }) => pre.take(),
                    Fast::Ready(_) => None,
                };
                if let Some(pre) = pre {
                    super::SparePre::keep(pre);
                }
            }
            // Freed here, in order, while the next ones are fetched.
            self.records[i] = Parsed::Blank;
        }
    }
}

/// Past [`BATCH`], how many bytes more a batch's reads ask for at a time
/// to find its last line's end (so that at most this many, read past it,
/// are carried into the next batch).
const PAST: usize = if cfg!(test) { 256 } else { 16 << 10 };

/// Reads about [`BATCH`] bytes of whole lines of `reader` into `b` (its
/// buffers reused): up to the first line end at or past `BATCH`, a last
/// line without its end at the stream's. `carry` holds what was read past
/// the last batch's last line (this batch's first bytes), and is left
/// holding what is read past this one's.
fn read_batch(reader: &mut impl Read, b: &mut Batch, carry: &mut Vec<u8>) -> std::io::Result<()> {
    b.utf8 = false;
    b.ends.clear();
    let mut len = carry.len();
    let room = (BATCH + PAST).max(len + PAST);
    if b.buf.is_empty() {
        // Zeroed once (`vec!` of zeros takes fresh pages from the system,
        // which are zero), then reused batch after batch.
        b.buf = vec![0; room];
    } else if b.buf.len() < room {
        b.buf.resize(room, 0);
    }
    b.buf[..len].copy_from_slice(carry);
    carry.clear();
    // The stream is read straight into the batch's buffer (before, through
    // a `BufReader` whose each buffer was then copied into the batch: every
    // byte moved twice), its line ends found by `memchr` (vectorised;
    // `read_until` a line at a time took 3 % of the instructions, on the
    // builder's thread).
    let mut scanned = 0;
    let mut ended = false;
    let read = loop {
        // (Until a line ends at or past `BATCH`: a line begun before it is
        // read to its end.)
        let mut cut = None;
        for nl in memchr::memchr_iter(b'\n', &b.buf[scanned..len]) {
            let end = scanned + nl + 1;
            b.ends.push(end);
            if end >= BATCH {
                cut = Some(end);
                break;
            }
        }
        scanned = len;
        if let Some(end) = cut {
            carry.extend_from_slice(&b.buf[end..len]);
            len = end;
            break Ok(());
        }
        if ended {
            if b.ends.last().copied().unwrap_or(0) < len {
                b.ends.push(len);
            }
            break Ok(());
        }
        // Up to `BATCH` in one read (a `BufReader` whose buffer is empty
        // lends its own only to reads smaller than it), then a little at a
        // time.
        let want = if len < BATCH { BATCH - len } else { PAST };
        if b.buf.len() < len + want {
            b.buf.resize(len + want, 0);
        }
        match reader.read(&mut b.buf[len..len + want]) {
            Ok(0) => ended = true,
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    b.len = len;
    // Checked once here, so that the parser threads need not check each line
    // (by simdutf8: the same answer as `std::str::from_utf8`, several times
    // faster on ASCII).
    b.utf8 = simdutf8::basic::from_utf8(b.all()).is_ok();
    read
}

/// Where batches are read from: a stream, read into each batch (`carry`:
/// what was read past the last batch's last line).
struct Feed<R> {
    reader: R,
    carry: Vec<u8>,
}

impl<R: Read> Feed<R> {
    fn stream(reader: R) -> Self {
        Feed {
            reader,
            carry: Vec::new(),
        }
    }

    /// Reads the next batch into `b` (its buffers reused; empty at the end).
    fn fill(&mut self, b: &mut Batch) -> std::io::Result<()> {
        read_batch(&mut self.reader, b, &mut self.carry)
    }
}

impl Feed<File> {
    /// The file `reader` reads, read on from where it is straight into the
    /// batches, with no `BufReader` between (what its buffer holds first).
    fn of_file(reader: BufReader<File>) -> Self {
        let carry = reader.buffer().to_vec();
        Feed {
            reader: reader.into_inner(),
            carry,
        }
    }
}

/// A chunk of a batch's lines for a parser thread to parse.
struct Job {
    /// Its place among all the chunks handed out (the builder takes them in
    /// this order).
    seq: u64,
    batch: Arc<Batch>,
    lines: Range<usize>,
    /// The sources to find its records' in.
    known: Arc<KnownSources>,
}

/// What the builder and the parser threads share: chunks to parse, parts
/// to free, parts parsed.
struct Queue {
    state: Mutex<State>,
    /// Signalled when a chunk or a part to free is queued, or the queue
    /// closes (the parser threads wait on it).
    work: Condvar,
    /// Signalled when a chunk is parsed (the builder waits on it).
    parsed: Condvar,
}

#[derive(Default)]
struct State {
    /// Chunks not yet taken, in order.
    jobs: VecDeque<Job>,
    /// Per parser thread, the parts it made that the builder has built.
    frees: Vec<VecDeque<Part>>,
    /// Chunks parsed, by `seq`: which parser parsed it, and what it made
    /// (`None`: its parsing panicked).
    done: HashMap<u64, (usize, Option<Part>)>,
    /// No more work: the parser threads end (once they freed their parts).
    closed: bool,
}

/// A chunk, as the builder takes it.
enum Taken {
    /// Parsed by this parser thread (`None`: its parsing panicked).
    By(usize, Option<Part>),
    /// Not taken by any parser thread: the builder parses it.
    Here,
}

impl Queue {
    fn new(parsers: usize) -> Self {
        let state = State {
            frees: (0..parsers).map(|_| VecDeque::new()).collect(),
            ..State::default()
        };
        Queue {
            state: Mutex::new(state),
            work: Condvar::new(),
            parsed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Chunk `seq`, once parsed; or back from the queue if no parser thread
    /// has taken it (all busy, or none).
    fn take(&self, seq: u64) -> Taken {
        let mut state = self.lock();
        loop {
            if let Some((by, part)) = state.done.remove(&seq) {
                return Taken::By(by, part);
            }
            // (Chunks are queued and taken in order: one not taken yet is
            // the first.)
            if state.jobs.front().is_some_and(|j| j.seq == seq) {
                state.jobs.pop_front();
                return Taken::Here;
            }
            state = self
                .parsed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Hands `part` back to parser thread `by`, which made it, to free.
    fn free(&self, by: usize, part: Part) {
        let mut state = self.lock();
        match state.frees.get_mut(by) {
            Some(frees) => frees.push_back(part),
            None => {
                drop(state);
                drop(part);
                return;
            }
        }
        drop(state);
        self.work.notify_all();
    }

    fn close(&self) {
        self.lock().closed = true;
        self.work.notify_all();
    }
}

/// Closes the queue when dropped: when the builder is done, returns early
/// or panics, the parser threads end.
struct Closing<'a>(&'a Queue);

impl Drop for Closing<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// Parser thread `me`: frees the parts it made that the builder has built,
/// and parses chunks, until the queue closes. A chunk whose parsing panics
/// is answered `None` (the builder parses it again).
/// (Keeping a part's list to hold the next one's, so that no large block
/// is freed after many small ones, cost more: glibc's allocator then sorts
/// every small free block in `malloc` instead of once, merged, in
/// `malloc_consolidate`.)
fn parser(me: usize, queue: &Queue, fast: bool) {
    // Reused from chunk to chunk (its memo of property types too).
    let mut scratch = Scratch::default();
    loop {
        let job = {
            let mut state = queue.lock();
            loop {
                if let Some(part) = state.frees.get_mut(me).and_then(VecDeque::pop_front) {
                    break Err(part);
                }
                if state.closed {
                    return;
                }
                if let Some(job) = state.jobs.pop_front() {
                    break Ok(job);
                }
                state = queue
                    .work
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        };
        match job {
            // Freeing memory on the thread that allocated it is much
            // cheaper with glibc's allocator than on another, and keeps it
            // off the builder.
            Err(part) => {
                let freed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| part.free()));
                drop(freed);
            }
            Ok(Job {
                seq,
                batch,
                lines,
                known,
            }) => {
                let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    batch.parse(lines, fast, &known, &mut scratch)
                }));
                if parsed.is_err() {
                    scratch = Scratch::default();
                }
                // The batch goes back to the reader only once no parser
                // holds it.
                drop((batch, known));
                queue.lock().done.insert(seq, (me, parsed.ok()));
                queue.parsed.notify_one();
            }
        }
    }
}

/// What the lines are handed to.
pub(super) trait Take {
    /// Some lines, parsed, in order (`text`: their batch's, when UTF-8;
    /// `spans`: places in it, those of their [`Part`]). What is not kept may
    /// be left in the records: they are freed on the thread that made them.
    fn take(&mut self, lines: &mut [Parsed], text: &str, spans: &[SpanPair]);
    /// The sources the parser threads may find a batch's records' in.
    fn known(&mut self) -> Arc<KnownSources>;
}

/// Where the builder gets batches from, and gives their buffers back to.
enum Source<'a, R> {
    /// The reader thread (`None` from it: it ended without saying why).
    Thread {
        batches: Receiver<std::io::Result<Batch>>,
        spare: SyncSender<Batch>,
    },
    /// Read on the builder's thread (no reader thread could be started).
    Here {
        reader: MutexGuard<'a, Feed<R>>,
        spare: Vec<Batch>,
        first: bool,
    },
}

impl<R: Read> Source<'_, R> {
    /// The next batch; if `wait`, waiting for it, else `None` if it is not
    /// read yet.
    fn next(&mut self, wait: bool) -> Option<Option<std::io::Result<Batch>>> {
        match self {
            Source::Thread { batches, .. } if wait => Some(batches.recv().ok()),
            Source::Thread { batches, .. } => match batches.try_recv() {
                Ok(b) => Some(Some(b)),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Disconnected) => Some(None),
            },
            Source::Here {
                reader,
                spare,
                first,
            } => {
                let mut b = spare.pop().unwrap_or_default();
                b.first = std::mem::take(first);
                Some(Some(reader.fill(&mut b).map(|()| b)))
            }
        }
    }

    /// A batch's buffers, for another.
    fn give_back(&mut self, b: Batch) {
        match self {
            Source::Thread { spare, .. } => drop(spare.try_send(b)),
            Source::Here { spare, .. } => spare.push(b),
        }
    }
}

/// The reader thread: reads batches into the buffers it is given back,
/// until the stream ends (an empty batch) or fails (the error).
fn read_ahead<R: Read>(
    reader: &Mutex<Feed<R>>,
    spare: Receiver<Batch>,
    batches: SyncSender<std::io::Result<Batch>>,
) {
    let mut reader = reader.lock().unwrap_or_else(PoisonError::into_inner);
    let mut first = true;
    for mut b in spare {
        b.first = std::mem::take(&mut first);
        let read = reader.fill(&mut b);
        let end = read.is_err() || b.ends.is_empty();
        if batches.send(read.map(|()| b)).is_err() || end {
            return;
        }
    }
}

/// A batch handed out: its chunks not yet built, each with its `seq` if
/// queued for the parser threads (else parsed by the builder).
struct InFlight {
    batch: Arc<Batch>,
    known: Arc<KnownSources>,
    chunks: VecDeque<(Option<u64>, Range<usize>)>,
}

/// Hands every line of `reader`, parsed, to `builder` in order (some lines
/// at a time). A reader thread reads batches ahead; their lines are parsed
/// in chunks on parser threads, up to [`AHEAD`] batches ahead of the one
/// `builder` builds. A read error ends the stream and is returned (the
/// batch before it is not built).
pub(super) fn each_line<R: Read + Send>(
    reader: R,
    fast: bool,
    builder: &mut impl Take,
) -> std::io::Result<()> {
    each_batch(Feed::stream(reader), fast, builder)
}

/// [`each_line`] of the file `reader` reads (from where it is), read
/// straight into the batches ([`Feed::of_file`]).
pub(super) fn each_line_of_file(
    reader: BufReader<File>,
    fast: bool,
    builder: &mut impl Take,
) -> std::io::Result<()> {
    each_batch(Feed::of_file(reader), fast, builder)
}

/// [`each_line`] of the batches `feed` reads.
fn each_batch<R: Read + Send>(
    feed: Feed<R>,
    fast: bool,
    builder: &mut impl Take,
) -> std::io::Result<()> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8));
    let reader = Mutex::new(feed);
    let queue = Queue::new(threads.max(2));
    std::thread::scope(|s| {
        let _closing = Closing(&queue);
        let mut parsers = 0;
        for me in 0..threads.max(2) {
            let queue = &queue;
            let spawned = std::thread::Builder::new()
                .name("ties-ftm-parse".into())
                .spawn_scoped(s, move || parser(me, queue, fast));
            parsers += usize::from(spawned.is_ok());
        }
        // Every batch's buffers: the one built, those handed out, one read
        // ahead.
        let (spare_tx, spare_rx) = sync_channel(AHEAD + 2);
        let (batch_tx, batch_rx) = sync_channel(AHEAD + 2);
        for _ in 0..AHEAD + 2 {
            spare_tx.send(Batch::default()).ok();
        }
        let reader = &reader;
        let spawned = std::thread::Builder::new()
            .name("ties-ftm-read".into())
            .spawn_scoped(s, move || read_ahead(reader, spare_rx, batch_tx));
        let mut source = match spawned {
            Ok(_) => Source::Thread {
                batches: batch_rx,
                spare: spare_tx,
            },
            Err(_) => Source::Here {
                reader: reader.lock().unwrap_or_else(PoisonError::into_inner),
                spare: Vec::new(),
                first: true,
            },
        };
        // The builder's buffers, for a chunk no parser thread parsed.
        let mut scratch = Scratch::default();
        let mut flying: VecDeque<InFlight> = VecDeque::new();
        // How the stream ended, once it has.
        let mut end: Option<std::io::Result<()>> = None;
        let mut seq = 0;
        loop {
            // Batches handed out: the one after the next to build at least
            // (a read error means the one before it is not built), up to
            // `AHEAD` after it if read already.
            while end.is_none() && flying.len() <= AHEAD {
                let Some(next) = source.next(flying.len() < 2) else {
                    break;
                };
                let b = match next {
                    None => {
                        end = Some(Ok(()));
                        break;
                    }
                    Some(Err(e)) => {
                        end = Some(Err(e));
                        break;
                    }
                    Some(Ok(b)) if b.ends.is_empty() => {
                        end = Some(Ok(()));
                        source.give_back(b);
                        break;
                    }
                    Some(Ok(b)) => b,
                };
                let n = b.ends.len();
                let batch = Arc::new(b);
                let known = builder.known();
                let mut chunks = VecDeque::new();
                if n >= PARALLEL_MIN && parsers > 0 {
                    let per = n.div_ceil(n.div_ceil(CHUNK).max(parsers));
                    let mut state = queue.lock();
                    for start in (0..n).step_by(per) {
                        let lines = start..(start + per).min(n);
                        state.jobs.push_back(Job {
                            seq,
                            batch: Arc::clone(&batch),
                            lines: lines.clone(),
                            known: Arc::clone(&known),
                        });
                        chunks.push_back((Some(seq), lines));
                        seq += 1;
                    }
                    drop(state);
                    queue.work.notify_all();
                } else {
                    chunks.push_back((None, 0..n));
                }
                flying.push_back(InFlight {
                    batch,
                    known,
                    chunks,
                });
            }
            if flying.len() == 1
                && let Some(Err(_)) = end
            {
                return end.unwrap_or(Ok(()));
            }
            let Some(at) = flying.front_mut() else {
                return end.unwrap_or(Ok(()));
            };
            let Some((seq, lines)) = at.chunks.pop_front() else {
                // Built: its buffers serve another batch (every parser has
                // let go of it).
                if let Some(f) = flying.pop_front() {
                    source.give_back(Arc::try_unwrap(f.batch).unwrap_or_default());
                }
                continue;
            };
            let (by, mut part) = match seq.map(|seq| queue.take(seq)) {
                Some(Taken::By(by, Some(part))) => (Some(by), part),
                // Not parsed on a parser thread, or its parsing panicked:
                // parsed here.
                _ => (None, at.batch.parse(lines, fast, &at.known, &mut scratch)),
            };
            builder.take(
                &mut part.records,
                at.batch.text().unwrap_or(""),
                &part.spans,
            );
            match by {
                Some(by) => queue.free(by, part),
                None => drop(part),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::io::{BufReader, Cursor, Read};

    use super::super::{load_ftm_reader, load_reader_with};
    use crate::load::ProblemKind;

    /// What makes a parser thread panic, in a line (the builder then
    /// parses its chunk itself).
    const PANIC: &[u8] = b"panic on a parser thread";

    /// Panics on a parser thread if `line` holds [`PANIC`].
    pub(super) fn panic_on_a_parser_thread(line: &[u8]) {
        let parser = std::thread::current().name() == Some("ties-ftm-parse");
        if parser && line.windows(PANIC.len()).any(|w| w == PANIC) {
            panic!("a parser thread panics, as asked");
        }
    }

    fn person(i: usize, name: &str) -> String {
        format!(
            "{{\"id\":\"p{i}\",\"schema\":\"Person\",\"properties\":{{\"name\":[\"{name}\"]}}}}\n"
        )
    }

    /// Many batches of a few chunks each (sizes small under test), some
    /// chunks panicking on their parser thread: every record read once,
    /// in order, by the fast path and the careful reader alike, and a
    /// problem after them at its line.
    #[test]
    fn chunks_of_many_batches_parsed_ahead_are_built_in_order() {
        let mut text = String::new();
        for i in 1..=3000 {
            match i {
                2999 => text.push_str("{\"id\":\"p2999\",\"schema\":1}\n"),
                _ if i % 97 == 0 => text.push_str(&person(i, std::str::from_utf8(PANIC).unwrap())),
                _ => text.push_str(&person(i, &format!("P {i}"))),
            }
        }
        assert!(text.len() > 100 * super::BATCH);
        for fast in [true, false] {
            let err = load_reader_with(Cursor::new(text.clone()), "t.ftm.json", fast).unwrap_err();
            assert_eq!(err.problems.len(), 1, "{err}");
            assert_eq!(err.problems[0].location.line_col.map(|l| l.0), Some(2999));
            let fixed = text.replace("{\"id\":\"p2999\",\"schema\":1}", "");
            let (g, s) = load_reader_with(Cursor::new(fixed), "t.ftm.json", fast).unwrap();
            assert_eq!(s.records, 2999);
            let ids: Vec<&str> = g.node_indices().map(|n| g.entity(n).id).collect();
            let expected: Vec<String> = (1..=3000)
                .filter(|&i| i != 2999)
                .map(|i| format!("p{i}"))
                .collect();
            assert_eq!(ids, expected);
            assert_eq!(
                g.entity(g.find("p97").unwrap()).name,
                "panic on a parser thread"
            );
        }
    }

    /// A stream that fails after `left` bytes.
    struct Failing<R> {
        inner: R,
        left: usize,
    }

    impl<R: Read> Read for Failing<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.left == 0 {
                return Err(std::io::Error::other("the disk is gone"));
            }
            let n = buf.len().min(self.left);
            let n = self.inner.read(&mut buf[..n])?;
            self.left -= n;
            Ok(n)
        }
    }

    /// A read error while batches are read ahead and parsed: reported
    /// (no thread left waiting), whether it comes in the first batch or
    /// many batches on.
    #[test]
    fn a_read_error_ends_the_pipeline() {
        let text: String = (1..=2000).map(|i| person(i, "N")).collect();
        for left in [0, 10, 5000, 50_000, text.len() - 1] {
            let reader = BufReader::with_capacity(
                256,
                Failing {
                    inner: Cursor::new(text.clone()),
                    left,
                },
            );
            let err = load_ftm_reader(reader, "t.ftm.json").unwrap_err();
            assert!(
                err.problems.iter().any(
                    |p| matches!(&p.kind, ProblemKind::Io(m) if m.contains("the disk is gone"))
                ),
                "{err}"
            );
        }
    }

    #[test]
    fn lines_parsed_on_threads_keep_their_numbers_and_order() {
        let mut text = String::from("\u{feff}");
        for i in 1..=5000 {
            match i {
                4321 => text.push_str("{broken\n"),
                100 => text.push('\n'),
                _ => text.push_str(&format!(
                    "{{\"id\":\"p{i}\",\"schema\":\"Person\",\"properties\":{{\"name\":[\"P {i}\"]}}}}\n"
                )),
            }
        }
        let err = load_ftm_reader(Cursor::new(text.clone()), "t.ftm.json").unwrap_err();
        assert_eq!(err.problems.len(), 1, "{err}");
        assert_eq!(err.problems[0].location.line_col, Some((4321, 2)));
        let fixed = text.replace("{broken\n", "\n");
        let (g, s) = load_ftm_reader(Cursor::new(fixed), "t.ftm.json").unwrap();
        assert_eq!(s.records, 4998);
        // Read in order: node i-1 is the i-th entity of the stream.
        assert_eq!(g.entity(g.find("p1").unwrap()).name, "P 1");
        let ids: Vec<&str> = g.node_indices().map(|n| g.entity(n).id).take(3).collect();
        assert_eq!(ids, ["p1", "p2", "p3"]);
    }
}

#[cfg(test)]
mod feed_tests {
    use std::io::{BufRead, BufReader, Cursor, Read, Write};

    use proptest::prelude::*;

    use super::super::{load_ftm, load_ftm_reader, loaded};
    use super::{BATCH, Batch, Feed, PAST};

    /// A batch as the tests compare it: its bytes, line ends, whether UTF-8.
    type Cut = (Vec<u8>, Vec<usize>, bool);

    /// The batches `whole` is cut into, by the rule: up to the first line
    /// end at or past `BATCH`, a last line without its end at the end.
    fn cut(whole: &[u8]) -> Vec<Cut> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < whole.len() {
            let rest = &whole[at..];
            let mut ends = Vec::new();
            let mut len = rest.len();
            for (i, &c) in rest.iter().enumerate() {
                if c == b'\n' {
                    ends.push(i + 1);
                    if i + 1 >= BATCH {
                        len = i + 1;
                        break;
                    }
                }
            }
            if ends.last() != Some(&len) {
                ends.push(len);
            }
            let bytes = rest[..len].to_vec();
            let utf8 = std::str::from_utf8(&bytes).is_ok();
            out.push((bytes, ends, utf8));
            at += len;
        }
        out
    }

    /// Every batch `feed` reads, two batches' buffers taking turns (each
    /// read again after the other: a buffer reused).
    fn batches<R: Read>(mut feed: Feed<R>) -> std::io::Result<Vec<Cut>> {
        let mut two = [Batch::default(), Batch::default()];
        let mut out = Vec::new();
        for i in 0.. {
            let b = &mut two[i % 2];
            feed.fill(b)?;
            if b.ends.is_empty() {
                assert_eq!(b.len, 0);
                return Ok(out);
            }
            assert_eq!(b.text().is_some(), b.utf8);
            assert_eq!(
                b.line(b.ends.len() - 1).0.len() + b.line(b.ends.len() - 1).1,
                b.len
            );
            out.push((b.all().to_vec(), b.ends.clone(), b.utf8));
        }
        unreachable!()
    }

    /// A reader handing out at most `most` bytes a read, and an interrupted
    /// read every third.
    struct Short<R> {
        inner: R,
        most: usize,
        calls: usize,
    }

    impl<R: Read> Read for Short<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.calls += 1;
            if self.calls.is_multiple_of(3) {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.most);
            self.inner.read(&mut buf[..n])
        }
    }

    /// The file `bytes` are written to.
    fn file_of(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::Builder::new()
            .suffix(".ftm.json")
            .tempfile()
            .unwrap();
        f.write_all(bytes).unwrap();
        f.flush().unwrap();
        f
    }

    /// `path` opened as the loader opens it (its head read to sniff it, in a
    /// `BufReader` of `capacity`), read on straight into the batches.
    fn feed_of(path: &std::path::Path, capacity: usize, sniff: bool) -> Feed<std::fs::File> {
        let mut reader = BufReader::with_capacity(capacity, std::fs::File::open(path).unwrap());
        if sniff {
            reader.fill_buf().unwrap();
        }
        Feed::of_file(reader)
    }

    /// A piece of a generated stream.
    fn piece() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            // Lines of ASCII, of any length up to a few batches.
            (0usize..40, 0usize..3).prop_map(|(n, long)| {
                let len = n * [1, 37, 130][long];
                let mut v: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                v.push(b'\n');
                v
            }),
            Just(b"\r\n".to_vec()),
            Just(b"\n".to_vec()),
            // Runs of a two-byte character, to be cut by a batch's end.
            (1usize..600).prop_map(|n| "é".repeat(n).into_bytes()),
            Just(b"\xef\xbb\xbf".to_vec()),
            // Not UTF-8.
            Just(b"\xff\xc3".to_vec()),
            (0usize..300).prop_map(|n| vec![b'x'; n]),
        ]
    }

    fn stream() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(piece(), 0..60).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Generated streams (lines longer than a batch and than a read,
        /// characters cut by a batch's end, bytes that are not UTF-8, CRLF,
        /// a BOM, with a last line end or without, empty) read as batches
        /// through every way in: straight from a `Cursor`, through a
        /// `BufReader` of any size, by short and interrupted reads, and
        /// from a file, its head sniffed first or not: the batches
        /// cut from the whole text (bytes, line ends, UTF-8).
        #[test]
        fn batches_are_read_as_cut_from_the_whole(
            whole in stream(),
            capacity in 1usize..3000,
            most in 1usize..5000,
            sniff in any::<bool>(),
        ) {
            let expected = cut(&whole);
            prop_assert_eq!(&batches(Feed::stream(Cursor::new(&whole))).unwrap(), &expected);
            let buffered = BufReader::with_capacity(capacity, Cursor::new(&whole));
            prop_assert_eq!(&batches(Feed::stream(buffered)).unwrap(), &expected);
            let short = Short { inner: Cursor::new(&whole), most, calls: 0 };
            prop_assert_eq!(&batches(Feed::stream(short)).unwrap(), &expected);
            let file = file_of(&whole);
            prop_assert_eq!(&batches(feed_of(file.path(), capacity, sniff)).unwrap(), &expected);
        }
    }

    /// Lines across batches and reads, a line longer than a batch and than
    /// its reads, the last line without its end, an empty file, a BOM, a
    /// batch not UTF-8: as cut from the whole, from a file.
    #[test]
    fn files_read_in_batches_of_whole_lines() {
        let line = |n: usize| {
            let mut v = vec![b'a'; n];
            v.push(b'\n');
            v
        };
        let window = BATCH + PAST;
        let sniffed = 1 << 8;
        let cases: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"\n".to_vec(),
            b"no end".to_vec(),
            [b"\xef\xbb\xbf".as_slice(), &line(5), &line(BATCH)].concat(),
            // A line ending just before, at and just past a batch's end.
            [line(BATCH - 2), line(3)].concat(),
            [line(BATCH - 1), line(3)].concat(),
            [line(BATCH), line(3)].concat(),
            // Lines longer than a batch and its reads.
            [
                line(10),
                line(window + 5),
                line(3 * window),
                b"tail".to_vec(),
            ]
            .concat(),
            // The last bytes of the file where a batch's reads end.
            line(window - 1),
            [line(window - 1), b"x".to_vec()].concat(),
            // Not UTF-8 in the second batch only.
            [line(BATCH), b"\xff\n".to_vec(), line(3)].concat(),
        ];
        for whole in cases {
            let file = file_of(&whole);
            let read = batches(feed_of(file.path(), sniffed, true)).unwrap();
            assert_eq!(read, cut(&whole), "{} bytes", whole.len());
            assert_eq!(read.concat_bytes(), whole);
        }
    }

    trait Concat {
        fn concat_bytes(&self) -> Vec<u8>;
    }

    impl Concat for Vec<Cut> {
        fn concat_bytes(&self) -> Vec<u8> {
            self.iter().flat_map(|c| c.0.iter().copied()).collect()
        }
    }

    /// `bytes` read from a file and from a stream of them: the same graph
    /// and the same problems (with their lines).
    fn reads_alike(bytes: &[u8]) -> super::super::Loaded {
        let file = file_of(bytes);
        let read = loaded(load_ftm(file.path()));
        let name = file.path().display().to_string();
        let streamed = loaded(load_ftm_reader(Cursor::new(bytes), &name));
        let parts = |l: &super::super::Loaded| match l {
            Ok((g, _, s)) => Ok((g.entities.clone(), g.relations.clone(), s.records)),
            Err(e) => Err(e.clone()),
        };
        assert_eq!(parts(&read), parts(&streamed));
        read
    }

    fn person(i: usize, name: &str) -> String {
        format!(
            "{{\"id\":\"p{i}\",\"schema\":\"Person\",\"properties\":{{\"name\":[\"{name}\"]}}}}"
        )
    }

    fn owns(i: usize, a: usize, b: usize) -> String {
        format!(
            "{{\"id\":\"o{i}\",\"schema\":\"Ownership\",\"properties\":{{\"owner\":[\"p{a}\"],\"asset\":[\"p{b}\"]}}}}"
        )
    }

    /// A file of many batches read as a stream is: the same graph, and its
    /// problems at the same lines (a bad line, a line not UTF-8, a line
    /// longer than a batch and its reads, CRLF ends, a BOM, no last line end).
    #[test]
    fn a_file_reads_as_a_stream() {
        let mut text: Vec<u8> = b"\xef\xbb\xbf".to_vec();
        for i in 1..=400 {
            let line = match i {
                77 => b"{broken".to_vec(),
                150 => person(i, &"Long ".repeat(2 * (BATCH + PAST))).into_bytes(),
                222 => [
                    b"{\"id\":\"p222\",\"schema\":\"Person\",\"properties\":{\"name\":[\"\xff\"]}}"
                        .as_slice(),
                ]
                .concat(),
                _ if i % 3 == 0 && i > 10 => owns(i, i - 1, i - 2).into_bytes(),
                _ => person(i, &format!("Näme {i}")).into_bytes(),
            };
            text.extend_from_slice(&line);
            text.extend_from_slice(if i % 5 == 0 { b"\r\n" } else { b"\n" });
        }
        assert!(text.len() > 20 * BATCH);
        let with_end = format!("{:?}", reads_alike(&text));
        assert!(with_end.contains("line_col: Some((77, 2))"), "{with_end}");
        assert!(with_end.contains("line_col: Some((222, 55))"), "{with_end}");
        text.truncate(text.len() - 2);
        let without_end = format!("{:?}", reads_alike(&text));
        assert!(
            without_end.contains("line_col: Some((77, 2))"),
            "{without_end}"
        );
        let fixed: Vec<u8> = String::from_utf8_lossy(&text)
            .replace("{broken", "")
            .into_bytes();
        let ok = reads_alike(&fixed);
        let (_, _, summary) = ok.as_ref().expect("read");
        assert!(summary.records > 390, "{}", summary.records);
    }
}
