//! Candidate pairs through a blocking index, never all pairs: every record is
//! filed under its name tokens, their phonetic keys (each also with the birth
//! year, when there is one), its name's letters run together, the words (and
//! the letters run together) with the whole birth date, its year and month,
//! its month and day, pairs of name words (one whole, the other by sound or
//! first letters), address words and identifiers. A record meets only those
//! sharing a key with it (keys shared by more than [`XrefOptions::max_block`]
//! records are too common to say anything), ranks them by the keys they share,
//! a rare key weighing more than many common ones, and keeps the
//! [`XrefOptions::per_record`] best; a pair is scored when either side keeps
//! the other.

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use super::record::{Class, Record, Records};
use super::score::{Scored, score, score_with};

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
/// their score (the explanation is worked out again when shown:
/// [`Candidate::scored`], so millions of candidates hold no text).
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub a: u32,
    pub b: u32,
    pub score: f32,
}

impl Candidate {
    /// The score with its features.
    pub fn scored(&self, records: &Records) -> Scored {
        let (a, b) = (
            &records.records[self.a as usize],
            &records.records[self.b as usize],
        );
        score_with(&a.names, a, b)
    }
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
    // Whole birth dates (digits: `19560409`), and each with one part left
    // out (year and month, month and day), with a word of the name: where
    // hundreds share a name these blocks hold a handful, and a digit typed
    // wrong in one part leaves another intact.
    let mut dates: Vec<(u8, &str)> = Vec::new();
    for b in r.births.iter().filter(|b| b.len() == 8) {
        dates.extend([(b'd', b.as_str()), (b'e', &b[..6]), (b'f', &b[4..])]);
    }
    dates.sort_unstable();
    dates.dedup();
    for name in &r.names {
        // The name's letters run together: a letter typed across a space
        // (`Nering aPetrauskiene`) changes both words, not these.
        if name.tokens.len() > 1 {
            let whole: String = name.tokens.iter().map(|t| t.text.as_str()).collect();
            push(b'w', &whole);
            for (tag, d) in &dates {
                push(*tag, &format!("{d}|{whole}"));
            }
        }
        for t in &name.tokens {
            let words = std::iter::once(t.text.as_str())
                .filter(|w| w.len() >= 2)
                .chain(t.alt.as_deref());
            for w in words {
                push(b't', w);
                for y in &years {
                    push(b'y', &format!("{y}{w}"));
                }
                for (tag, d) in &dates {
                    push(*tag, &format!("{d}|{w}"));
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

/// How much sharing a key filed under `block` records says: a key only the
/// two share says most, one shared with many says little (the weight falls as
/// one over the others in the block, so one rare key outweighs many common
/// ones: hundreds sharing a name cannot crowd out the one sharing the birth
/// date too).
fn key_weight(block: u32) -> f32 {
    1.0 / (block.saturating_sub(1).max(1)) as f32
}

/// The `k` neighbours of most weight, from each met neighbour with the size of
/// the block it was met in (once per key shared); sorted by index.
fn best_neighbours(mut met: Vec<(u32, u32)>, k: usize) -> Vec<u32> {
    // By neighbour, then block: the sums add up in one order, run after run.
    met.sort_unstable();
    let mut sums: Vec<(u32, f32)> = Vec::new();
    for (j, block) in met {
        let w = key_weight(block);
        match sums.last_mut() {
            Some(last) if last.0 == j => last.1 += w,
            _ => sums.push((j, w)),
        }
    }
    if sums.len() > k {
        sums.select_nth_unstable_by(k, |x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        sums.truncate(k);
    }
    // A new vector, not `sums`' memory reused: that holds every neighbour met.
    let mut out = Vec::with_capacity(sums.len());
    out.extend(sums.iter().map(|s| s.0));
    out.sort_unstable();
    out
}

/// Candidate pairs of `records` scoring at least `opts.min_score`, best
/// first. `progress` is called with the number of records done (from any
/// thread), twice per record (finding neighbours, scoring them).
///
/// Each record ranks the records sharing a key with it (before and after it)
/// by the weight of the keys they share and keeps the
/// [`XrefOptions::per_record`] best; a pair is scored once when either side
/// keeps the other (so a record crowded by namesakes is still found from its
/// duplicate's side).
pub fn xref(
    records: &Records,
    opts: &XrefOptions,
    skip: &(dyn Fn(usize, usize) -> bool + Sync),
    progress: &(dyn Fn(u64) + Sync),
) -> (Vec<Candidate>, XrefStats) {
    let recs = &records.records;
    let keys: Vec<Vec<u64>> = recs.par_iter().map(keys).collect();
    let index = Index::new(&keys);
    // Class and dataset side by side, read for every record met.
    let kinds: Vec<(Class, u32)> = recs.iter().map(|r| (r.class, r.dataset)).collect();
    let near: Vec<Vec<u32>> = (0..recs.len())
        .into_par_iter()
        .with_min_len(64)
        .map(|i| {
            let (class, dataset) = kinds[i];
            let mut met: Vec<(u32, u32)> = Vec::new();
            for &k in &keys[i] {
                let block = index.block(k);
                if block.len() < 2 || block.len() > opts.max_block {
                    continue;
                }
                for &(_, j) in block {
                    let (c, d) = kinds[j as usize];
                    if j as usize == i || (opts.across && d == dataset) || c != class {
                        continue;
                    }
                    met.push((j, block.len() as u32));
                }
            }
            progress(1);
            best_neighbours(met, opts.per_record)
        })
        .collect();
    drop(index);
    drop(keys);
    let scored = std::sync::atomic::AtomicUsize::new(0);
    let mut out: Vec<Candidate> = (0..recs.len())
        .into_par_iter()
        .with_min_len(64)
        .flat_map_iter(|i| {
            progress(1);
            let (near, scored) = (&near, &scored);
            near[i].iter().filter_map(move |&j| {
                let j = j as usize;
                // Kept by both: scored once, from the lower.
                if j < i && near[j].binary_search(&(i as u32)).is_ok() {
                    return None;
                }
                let (a, b) = (i.min(j), i.max(j));
                scored.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if skip(a, b) {
                    return None;
                }
                let s = score(&recs[a], &recs[b])?.score;
                (s >= opts.min_score).then_some(Candidate {
                    a: a as u32,
                    b: b as u32,
                    score: s as f32,
                })
            })
        })
        .collect();
    out.par_sort_unstable_by(|x, y| {
        y.score
            .total_cmp(&x.score)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::NodeIx;
    use crate::matching::name::Name;

    fn person(i: usize, name: &str, birth: &str) -> Record {
        Record {
            node: NodeIx::new(i),
            class: Class::Person,
            names: vec![Name::new(name)],
            births: vec![birth.replace('-', "")],
            countries: vec![],
            ids: vec![],
            addresses: vec![],
            dataset: 0,
        }
    }

    #[test]
    fn a_rare_shared_key_beats_many_common_ones() {
        // Record 1 shares one key held by the two of them only; record 2
        // shares six, each held by forty records.
        let mut met = vec![(2u32, 40u32); 6];
        met.push((1, 2));
        assert_eq!(best_neighbours(met.clone(), 1), vec![1]);
        assert_eq!(best_neighbours(met, 2), vec![1, 2]);
    }

    #[test]
    fn a_duplicate_among_namesakes_is_a_candidate() {
        // Thirty strangers called Ann Lee, born in other years, share every
        // name key with the original; its duplicate has a typo in the name
        // and the same birth date, and comes last (it ranks no one after it).
        let mut recs = vec![person(0, "Ann Lee", "1956-04-09")];
        for k in 1..=30 {
            let born = format!("{}-{:02}-{:02}", 1960 + k, k % 12 + 1, k % 28 + 1);
            recs.push(person(k, "Ann Lee", &born));
        }
        recs.push(person(31, "Ann Lle", "1956-04-09"));
        let records = Records {
            records: recs,
            datasets: vec![String::new()],
        };
        let opts = XrefOptions {
            min_score: 0.0,
            per_record: 5,
            ..XrefOptions::default()
        };
        let (found, stats) = xref(&records, &opts, &|_, _| false, &|_| {});
        assert!(
            found.iter().any(|c| (c.a, c.b) == (0, 31)),
            "{:?}",
            &found[..5.min(found.len())]
        );
        // The pair scores best, and every pair is scored once.
        assert_eq!((found[0].a, found[0].b), (0, 31));
        let mut pairs: Vec<(u32, u32)> = found.iter().map(|c| (c.a, c.b)).collect();
        pairs.sort_unstable();
        pairs.dedup();
        assert_eq!(pairs.len(), found.len());
        assert_eq!(stats.candidates, found.len());
        assert!(stats.pairs_scored <= 32 * 5);
    }
}
