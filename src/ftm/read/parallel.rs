//! Reading a stream in batches of whole lines, each batch's lines parsed as
//! JSON on several threads while the previous batch is being built into the
//! graph (which only one thread can do, in reading order).

use std::io::BufRead;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::load::ProblemKind;

use super::SpanPair;
use super::fast::{Fast, FastRecord, Scratch};
use super::props::KnownSources;
use super::values::RawLine;

/// About how many bytes of lines a batch holds. Two batches' records are
/// alive at a time (one built, the next parsed), and what the parser
/// threads free stays in their allocator's arenas: at 4 MiB a batch, those
/// held about 80 MB at the end of a 1M-entity load (a fifth of its peak);
/// at 1 MiB, 30 MB, for the same time.
pub(super) const BATCH: usize = 1 << 20;

/// Below this many lines a batch is parsed on the calling thread.
const PARALLEL_MIN: usize = 2048;

/// One line, parsed.
// Most lines are records of the fast path: held in the batch's list itself
// (one allocation for a batch's records instead of one for each).
#[allow(clippy::large_enum_variant)]
pub(super) enum Parsed {
    Blank,
    /// Read and prepared by the fast path.
    Ready(FastRecord),
    /// Read by the careful reader.
    Record(Box<RawLine>),
    /// Not JSON, or not an entity: where on the line, and what.
    Bad(usize, ProblemKind),
}

/// Parses one line (`first`: the stream's first, which may open with a BOM),
/// by the fast path if `fast` and it takes the line (its sources looked up
/// in `known`, `scratch` its buffers; `text`: its batch's text, when UTF-8,
/// and where the line starts in it, a relationship's places in it pushed
/// on `spans`), else carefully.
pub(super) fn parse_line(
    raw: &[u8],
    text: Option<(&str, usize)>,
    first: bool,
    fast: bool,
    known: &KnownSources,
    scratch: &mut Scratch,
    spans: &mut Vec<SpanPair>,
) -> Parsed {
    let (mut bytes, mut text) = (raw, text);
    if first && let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        bytes = rest;
        text = text.map(|(t, at)| (t, at + 3));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Parsed::Blank;
    }
    if fast && let Some(r) = super::fast::read(bytes, text, known, scratch, spans) {
        return Parsed::Ready(r);
    }
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

    /// Lines `range`, parsed.
    fn parse(&self, range: std::ops::Range<usize>, fast: bool, known: &KnownSources) -> Part {
        let mut scratch = Scratch::default();
        let mut spans = Vec::new();
        let text = self.text();
        let records = range
            .map(|i| {
                let (line, at) = self.line(i);
                parse_line(
                    line,
                    text.map(|t| (t, at)),
                    self.first && i == 0,
                    fast,
                    known,
                    &mut scratch,
                    &mut spans,
                )
            })
            .collect::<Vec<_>>();
        // Their parties looked up in the copy of the graph's ids, here,
        // instead of on the builder's thread.
        let mut records = records;
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
        for parsed in &mut self.records {
            let Parsed::Ready(r) = parsed else { continue };
            let pre = match &mut r.body {
                Fast::Edge(e) => e.pre.take(),
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
    // Checked once here, so that the parser threads need not check each line.
    match String::from_utf8(bytes) {
        Ok(text) => b.text = text,
        Err(e) => b.bytes = e.into_bytes(),
    }
    read
}

/// What the builder asks of a parser thread.
enum Job {
    /// Parse these lines of the batch, finding sources among those known.
    Parse(Arc<Batch>, std::ops::Range<usize>, Arc<KnownSources>),
    /// Free these records, which this thread made and the builder has built
    /// (freeing memory on the thread that allocated it is much cheaper with
    /// glibc's allocator than on another, and keeps it off the builder).
    Free(Part),
}

/// A parser thread: parses the lines it is given and frees what it made.
/// `None` for lines whose parsing panicked (the builder parses them again).
/// (Keeping a batch's list to hold the next one's, so that no large block
/// is freed after many small ones, cost more: glibc's allocator then sorts
/// every small free block in `malloc` instead of once, merged, in
/// `malloc_consolidate`.)
fn parser(jobs: Receiver<Job>, done: Sender<Option<Part>>, fast: bool) {
    for job in jobs {
        match job {
            Job::Free(part) => part.free(),
            Job::Parse(batch, range, known) => {
                let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    batch.parse(range, fast, &known)
                }))
                .ok();
                // The batch goes back to the builder only once no parser holds it.
                drop(batch);
                if done.send(parsed).is_err() {
                    return;
                }
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

/// Hands every line of `reader`, parsed, to `builder` in order (some lines
/// at a time); batches are parsed on parser threads while `builder` builds
/// the one before. A read error ends the stream and is returned.
pub(super) fn each_line(
    mut reader: impl BufRead + Send,
    fast: bool,
    builder: &mut impl Take,
) -> std::io::Result<()> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8));
    std::thread::scope(|s| {
        // One job queue and one answer queue per parser thread.
        let mut parsers = Vec::new();
        for _ in 0..threads.max(2) {
            let (job_tx, job_rx) = channel::<Job>();
            let (done_tx, done_rx) = channel();
            let spawned = std::thread::Builder::new()
                .name("ties-ftm-parse".into())
                .spawn_scoped(s, move || parser(job_rx, done_tx, fast));
            if spawned.is_ok() {
                parsers.push((job_tx, done_rx));
            }
        }
        let mut spare = Batch::default();
        let mut first = true;
        // The batch being built, and its records per parser (`None`: parsed
        // here).
        let mut built: Option<Arc<Batch>> = None;
        let mut pending: Vec<(Option<usize>, Part)> = Vec::new();
        loop {
            let mut batch = std::mem::take(&mut spare);
            batch.first = first;
            first = false;
            read_batch(&mut reader, &mut batch)?;
            let n = batch.ends.len();
            let batch = Arc::new(batch);
            let known = builder.known();
            // Lines handed out: per parser, the range it was given.
            let mut given = Vec::new();
            if n >= PARALLEL_MIN && parsers.len() > 1 {
                let per = n.div_ceil(parsers.len());
                for (p, (jobs, _)) in parsers.iter().enumerate() {
                    let range = (p * per).min(n)..((p + 1) * per).min(n);
                    if jobs
                        .send(Job::Parse(
                            Arc::clone(&batch),
                            range.clone(),
                            Arc::clone(&known),
                        ))
                        .is_ok()
                    {
                        given.push((p, range));
                    }
                }
            }
            let text = built.as_ref().and_then(|b| b.text()).unwrap_or("");
            for (by, mut part) in pending.drain(..) {
                builder.take(&mut part.records, text, &part.spans);
                match by.and_then(|p| parsers.get(p)) {
                    Some((jobs, _)) => jobs.send(Job::Free(part)).ok().unwrap_or(()),
                    None => drop(part),
                }
            }
            // Every parser has let go of the batch built: its buffers serve
            // the next.
            if let Some(b) = built.take().and_then(|b| Arc::try_unwrap(b).ok()) {
                spare = b;
            }
            if n == 0 {
                return Ok(());
            }
            let mut covered = 0;
            for (p, range) in given {
                let parsed = parsers[p].1.recv().ok().flatten();
                covered = range.end;
                match parsed {
                    Some(records) => pending.push((Some(p), records)),
                    // A parser thread that panicked: its lines parsed here.
                    None => pending.push((None, batch.parse(range, fast, &known))),
                }
            }
            if covered < n {
                pending.push((None, batch.parse(covered..n, fast, &known)));
            }
            built = Some(batch);
        }
    })
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::super::load_ftm_reader;

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
