//! Reading a stream in batches of whole lines: a reader thread reads
//! batches ahead, their lines are parsed as JSON in chunks on several
//! threads, and the chunks are built into the graph (which only one thread
//! can do, in reading order) while later ones are parsed.

use std::collections::{HashMap, VecDeque};
use std::io::BufRead;
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
    /// The lines, when they are not all UTF-8 (else empty).
    bytes: Vec<u8>,
    /// The lines, when they are all UTF-8 (else empty): the fast path's
    /// relationships are places in it.
    text: String,
    ends: Vec<usize>,
    /// Whether the batch holds the stream's first line.
    first: bool,
}

impl Batch {
    /// Every line.
    fn all(&self) -> &[u8] {
        if self.text.is_empty() {
            &self.bytes
        } else {
            self.text.as_bytes()
        }
    }

    /// The text, if the lines are UTF-8.
    fn text(&self) -> Option<&str> {
        (!self.text.is_empty()).then_some(self.text.as_str())
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

/// Reads about [`BATCH`] bytes of whole lines into `b` (its buffers reused).
fn read_batch(reader: &mut impl BufRead, b: &mut Batch) -> std::io::Result<()> {
    let mut bytes = std::mem::take(&mut b.bytes);
    if bytes.is_empty() {
        bytes = std::mem::take(&mut b.text).into_bytes();
    }
    bytes.clear();
    b.ends.clear();
    bytes.reserve(BATCH + (64 << 10));
    // Whole buffers of the reader at a time, their line ends found by
    // `memchr` (vectorised; `read_until` a line at a time took 3 % of the
    // instructions, on the builder's thread), up to the first line end at
    // or past `BATCH` bytes; a last line without its end at the stream's.
    let read = (|| {
        // (Until a line ends at or past `BATCH`: a line begun before it is
        // read to its end.)
        while b.ends.last().is_none_or(|&end| end < BATCH) {
            let buf = match reader.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                if b.ends.last().copied().unwrap_or(0) < bytes.len() {
                    b.ends.push(bytes.len());
                }
                break;
            }
            let at = bytes.len();
            let mut used = buf.len();
            for nl in memchr::memchr_iter(b'\n', buf) {
                b.ends.push(at + nl + 1);
                if at + nl + 1 >= BATCH {
                    used = nl + 1;
                    break;
                }
            }
            bytes.extend_from_slice(&buf[..used]);
            reader.consume(used);
        }
        Ok(())
    })();
    // Checked once here, so that the parser threads need not check each line
    // (by simdutf8: the same answer as `std::str::from_utf8`, several times
    // faster on ASCII).
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: `bytes` was just found to be UTF-8.
        b.text = unsafe { String::from_utf8_unchecked(bytes) };
    } else {
        b.bytes = bytes;
    }
    read
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
        reader: MutexGuard<'a, R>,
        spare: Vec<Batch>,
        first: bool,
    },
}

impl<R: BufRead> Source<'_, R> {
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
                Some(Some(read_batch(&mut **reader, &mut b).map(|()| b)))
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
fn read_ahead<R: BufRead>(
    reader: &Mutex<R>,
    spare: Receiver<Batch>,
    batches: SyncSender<std::io::Result<Batch>>,
) {
    let mut reader = reader.lock().unwrap_or_else(PoisonError::into_inner);
    let mut first = true;
    for mut b in spare {
        b.first = std::mem::take(&mut first);
        let read = read_batch(&mut *reader, &mut b);
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
pub(super) fn each_line<R: BufRead + Send>(
    reader: R,
    fast: bool,
    builder: &mut impl Take,
) -> std::io::Result<()> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8));
    let reader = Mutex::new(reader);
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
