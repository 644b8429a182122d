//! Reading a stream in batches of whole lines, each batch's lines parsed as
//! JSON on several threads while the previous batch is being built into the
//! graph (which only one thread can do, in reading order).

use std::io::BufRead;

use crate::load::ProblemKind;

use super::fast::FastRecord;
use super::values::RawLine;

/// About how many bytes of lines a batch holds.
const BATCH: usize = 4 << 20;

/// Below this many lines a batch is parsed on the calling thread.
const PARALLEL_MIN: usize = 2048;

/// One line, parsed.
pub(super) enum Parsed {
    Blank,
    /// Read and prepared by the fast path.
    Ready(Box<FastRecord>),
    /// Read by the careful reader.
    Record(Box<RawLine>),
    /// Not JSON, or not an entity: where on the line, and what.
    Bad(usize, ProblemKind),
}

/// Parses one line (`first`: the stream's first, which may open with a BOM),
/// by the fast path if `fast` and it takes the line, else carefully.
pub(super) fn parse_line(raw: &[u8], first: bool, fast: bool) -> Parsed {
    let mut bytes = raw;
    if first {
        bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Parsed::Blank;
    }
    if fast && let Some(r) = super::fast::read(bytes) {
        return Parsed::Ready(Box::new(r));
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
    bytes: Vec<u8>,
    ends: Vec<usize>,
    /// Whether the batch holds the stream's first line.
    first: bool,
}

impl Batch {
    fn lines(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter())
            .map(|(s, &e)| &self.bytes[s..e])
    }
}

/// Reads about [`BATCH`] bytes of whole lines.
fn read_batch(reader: &mut impl BufRead, first: bool) -> std::io::Result<Batch> {
    let mut b = Batch {
        first,
        ..Batch::default()
    };
    while b.bytes.len() < BATCH {
        if reader.read_until(b'\n', &mut b.bytes)? == 0 {
            break;
        }
        b.ends.push(b.bytes.len());
    }
    Ok(b)
}

/// Every line of `batch`, parsed, on up to `threads` threads.
fn parse_batch(batch: &Batch, threads: usize, fast: bool) -> Vec<Parsed> {
    let lines: Vec<&[u8]> = batch.lines().collect();
    let parse = |i: usize, l: &[u8]| parse_line(l, batch.first && i == 0, fast);
    if threads < 2 || lines.len() < PARALLEL_MIN {
        return lines.iter().enumerate().map(|(i, l)| parse(i, l)).collect();
    }
    let per = lines.len().div_ceil(threads);
    std::thread::scope(|s| {
        let jobs: Vec<_> = lines
            .chunks(per)
            .enumerate()
            .map(|(c, chunk)| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .enumerate()
                        .map(|(i, l)| parse(c * per + i, l))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(lines.len());
        for (c, job) in jobs.into_iter().enumerate() {
            match job.join() {
                Ok(parsed) => out.extend(parsed),
                // A parser thread that panicked: parse its lines here.
                Err(_) => out.extend(
                    lines
                        .chunks(per)
                        .nth(c)
                        .unwrap_or_default()
                        .iter()
                        .enumerate()
                        .map(|(i, l)| parse(c * per + i, l)),
                ),
            }
        }
        out
    })
}

/// Hands every line of `reader`, parsed, to `take` in order; batches are
/// parsed on other threads while `take` builds the one before. A read error
/// ends the stream and is returned.
pub(super) fn each_line(
    mut reader: impl BufRead + Send,
    fast: bool,
    mut take: impl FnMut(Parsed),
) -> std::io::Result<()> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8));
    std::thread::scope(|s| {
        let mut first = true;
        let mut pending: Option<Vec<Parsed>> = None;
        loop {
            let batch = read_batch(&mut reader, first)?;
            first = false;
            let done = batch.ends.is_empty();
            let job = (!done).then(|| s.spawn(move || parse_batch(&batch, threads, fast)));
            for p in pending.take().into_iter().flatten() {
                take(p);
            }
            match job.map(|j| j.join()) {
                None => return Ok(()),
                Some(Ok(parsed)) => pending = Some(parsed),
                Some(Err(_)) => {
                    return Err(std::io::Error::other("a parser thread failed"));
                }
            }
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
