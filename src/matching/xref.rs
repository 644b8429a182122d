//! Candidate pairs through a blocking index, never all pairs: every record is
//! filed under its name tokens, their phonetic keys (each also with the birth
//! year, when there is one), pairs of name words (one whole, the other by sound
//! or first letters), address words and identifiers; a
//! record meets only those sharing a key with it (keys shared by more than
//! [`XrefOptions::max_block`] records are too common to say anything), the
//! [`XrefOptions::per_record`] sharing the most rare keys are scored.

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use super::record::{Record, Records};
use super::score::{Scored, score};

/// What `xref` looks for.
#[derive(Debug, Clone)]
pub struct XrefOptions {
    /// Only pairs from two different datasets.
    pub across: bool,
    /// Keep pairs scoring at least this.
    pub min_score: f64,
    /// Blocks larger than this are skipped.
    pub max_block: usize,
    /// Records each record is scored against, at most.
    pub per_record: usize,
}

/// The default `--min-score`: even odds that the two are one thing.
pub const DEFAULT_MIN_SCORE: f64 = 0.5;

impl Default for XrefOptions {
    fn default() -> Self {
        XrefOptions {
            across: false,
            min_score: DEFAULT_MIN_SCORE,
            max_block: 1000,
            per_record: 60,
        }
    }
}

/// A candidate: two records (indices into [`Records::records`], `a < b`) and
/// their score.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub a: usize,
    pub b: usize,
    pub scored: Scored,
}

/// What a run did, for the bench and the summary line.
#[derive(Debug, Clone, Copy, Default)]
pub struct XrefStats {
    pub records: usize,
    /// Pairs proposed by blocking (each counted once).
    pub pairs_scored: usize,
    pub candidates: usize,
}

/// The blocking keys of a record, hashed.
pub fn keys(r: &Record) -> Vec<u64> {
    let mut out = Vec::new();
    let mut push = |tag: u8, s: &str| {
        let mut buf = Vec::with_capacity(s.len() + 1);
        buf.push(tag);
        buf.extend_from_slice(s.as_bytes());
        out.push(xxh3_64(&buf));
    };
    // Birth years: a word of the name with the year makes a small block even
    // where many share the name.
    let mut years: Vec<&str> = r.births.iter().filter_map(|b| b.get(..4)).collect();
    years.sort_unstable();
    years.dedup();
    for name in &r.names {
        for t in &name.tokens {
            let words = std::iter::once(t.text.as_str())
                .filter(|w| w.len() >= 2)
                .chain(t.alt.as_deref());
            for w in words {
                push(b't', w);
                for y in &years {
                    push(b'y', &format!("{y}{w}"));
                }
            }
            for k in t.keys() {
                push(b'p', k);
                for y in &years {
                    push(b'q', &format!("{y}{k}"));
                }
            }
        }
    }
    // Pairs of words: one word whole with the sound or the first three letters
    // of another (a typo in one word leaves the pair's other forms intact).
    for name in &r.names {
        for (i, a) in name.tokens.iter().enumerate() {
            for (j, b) in name.tokens.iter().enumerate() {
                if i == j || a.text.len() < 2 || b.text.len() < 3 {
                    continue;
                }
                push(b'n', &format!("{}|{}", a.text, &b.text[..3]));
                for k in b.keys() {
                    push(b'm', &format!("{}|{k}", a.text));
                }
            }
        }
    }
    for (_, id) in &r.ids {
        push(b'i', id);
    }
    // Address words of four letters or more (street and place names).
    for a in &r.addresses {
        for t in &a.tokens {
            if t.text.len() >= 4 && t.text.bytes().any(|b| b.is_ascii_alphabetic()) {
                push(b'a', &t.text);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The index: (key, record) sorted by key.
pub(crate) struct Index {
    entries: Vec<(u64, u32)>,
}

impl Index {
    pub(crate) fn new(keys: &[Vec<u64>]) -> Index {
        let mut entries: Vec<(u64, u32)> = keys
            .iter()
            .enumerate()
            .flat_map(|(i, ks)| ks.iter().map(move |&k| (k, i as u32)))
            .collect();
        entries.par_sort_unstable();
        Index { entries }
    }

    pub(crate) fn block(&self, key: u64) -> &[(u64, u32)] {
        let start = self.entries.partition_point(|e| e.0 < key);
        let end = start + self.entries[start..].partition_point(|e| e.0 == key);
        &self.entries[start..end]
    }
}

/// Candidate pairs of `records` scoring at least `opts.min_score`, best
/// first. `progress` is called with the number of records done (from any
/// thread).
pub fn xref(
    records: &Records,
    opts: &XrefOptions,
    skip: &(dyn Fn(usize, usize) -> bool + Sync),
    progress: &(dyn Fn(u64) + Sync),
) -> (Vec<Candidate>, XrefStats) {
    let recs = &records.records;
    let keys: Vec<Vec<u64>> = recs.par_iter().map(keys).collect();
    let index = Index::new(&keys);
    let scored = std::sync::atomic::AtomicUsize::new(0);
    let mut out: Vec<Candidate> = (0..recs.len())
        .into_par_iter()
        .with_min_len(64)
        .flat_map_iter(|i| {
            let r = &recs[i];
            // Each neighbour with the weight of the keys it shares: a key in a
            // small block says more.
            let mut met: Vec<(u32, f32)> = Vec::new();
            for &k in &keys[i] {
                let block = index.block(k);
                if block.len() < 2 || block.len() > opts.max_block {
                    continue;
                }
                let w = 1.0 / (block.len() as f32).ln_1p();
                for &(_, j) in block {
                    let j = j as usize;
                    if j <= i {
                        continue;
                    }
                    let o = &recs[j];
                    if (opts.across && o.dataset == r.dataset) || o.class != r.class {
                        continue;
                    }
                    met.push((j as u32, w));
                }
            }
            met.sort_unstable_by_key(|m| m.0);
            let mut sums: Vec<(u32, f32)> = Vec::new();
            for (j, w) in met {
                match sums.last_mut() {
                    Some(last) if last.0 == j => last.1 += w,
                    _ => sums.push((j, w)),
                }
            }
            if sums.len() > opts.per_record {
                sums.select_nth_unstable_by(opts.per_record, |x, y| y.1.total_cmp(&x.1));
                sums.truncate(opts.per_record);
            }
            scored.fetch_add(sums.len(), std::sync::atomic::Ordering::Relaxed);
            progress(1);
            sums.into_iter().filter_map(move |(j, _)| {
                let j = j as usize;
                if skip(i, j) {
                    return None;
                }
                let s = score(r, &recs[j])?;
                (s.score >= opts.min_score).then_some(Candidate {
                    a: i,
                    b: j,
                    scored: s,
                })
            })
        })
        .collect();
    out.par_sort_unstable_by(|x, y| {
        y.scored
            .score
            .total_cmp(&x.scored.score)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    let stats = XrefStats {
        records: recs.len(),
        pairs_scored: scored.into_inner(),
        candidates: out.len(),
    };
    (out, stats)
}
