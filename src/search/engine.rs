//! The engine: filter, tier, and score only what can reach the top.
//!
//! A filter pass reads texts in order, either straight from the index (a fresh
//! query) or from the packed copy of the previous query's matches (a narrowing
//! one), and writes the texts that match, packed, for the next keystroke. Reading
//! packed matches in order instead of jumping around the index is what keeps a
//! narrowing keystroke fast on a million names: every read is sequential.
//!
//! While filtering, exact and word-start matches are scored at once (their score
//! needs no SkimMatcherV2) and the best `limit` kept in a heap; entities whose best
//! match is fuzzy are only remembered while fewer than `limit` entities rank
//! above them, and scored with SkimMatcherV2 only if the better tiers turn out to
//! hold fewer than `limit` entities. Large passes are split over threads at entity
//! boundaries, one matcher per thread; [`set_threads`] caps the number of threads
//! (default: the cores available, at most 8).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::matches::{Matches, Part, Text};
use super::query::{Kind, Query};
use super::score::{
    Best, RANK_FUZZY, RANK_WORD_WEAK, Ranked, SCORE_BITS, TIER_FUZZY, classify, matcher, rank_of,
    score_of, score_text, skim_score, top,
};
use super::{SearchIndex, Tier};
use crate::graph::{Graph, NodeIx};

/// Items between two looks at the cancel flag.
pub(crate) const CHECK_EVERY: usize = 4096;
/// Passes over fewer texts than this run on the calling thread alone. (Tiny in
/// unit tests, so that the small test graphs take the threaded paths too.)
const PARALLEL_MIN: usize = if cfg!(test) { 64 } else { 65_536 };
/// Fuzzy entities to score before it is worth a second thread.
const PARALLEL_SCORE_MIN: usize = if cfg!(test) { 8 } else { 2048 };

/// Where a text's word-start mask begins in its mask word (its character
/// mask is below, in bits 0..=28: [`super::fold::MASK_BITS`]).
pub(crate) const WORD_SHIFT: u32 = 32;
/// Where the kind of field a text is begins in its mask word (two bits: name
/// 0, alias 1, weak alias 2, office 3).
pub(crate) const KIND_SHIFT: u32 = 62;
/// Bit of a text's mask that marks a weak alias or an office (the high bit of
/// its kind).
pub(crate) const WEAK_BIT: u64 = 1 << 63;
/// Bit of a text's mask that marks the second spelling of the text before it.
pub(crate) const ALT_BIT: u64 = 1 << 61;
/// Bit of a text's mask that marks a name kept only in the graph: plain ASCII
/// with no control character, its folded form is its lower case, which the
/// index does not store again (see [`SearchIndex::text`]).
pub(crate) const SHARED_BIT: u64 = 1 << 29;
const _: () = assert!(super::fold::MASK_BITS <= 29);
const _: () = assert!(super::fold::MASK_BITS <= WORD_SHIFT);
const _: () = assert!(WORD_SHIFT + super::fold::MASK_BITS <= 61);
/// Bit of [`Part::resume`] that marks a text matched in the fuzzy tier: typing
/// on cannot lift it (a word-start occurrence of `abc` contains one of `ab`).
pub(super) const WAS_FUZZY: u32 = 1 << 31;

/// Something that says when to give up.
pub(crate) type Cancel<'a> = &'a (dyn Fn() -> bool + Sync);

/// Which entities may be returned.
pub(crate) type KeepFn<'a> = &'a (dyn Fn(NodeIx) -> bool + Sync);

pub(crate) fn never() -> bool {
    false
}

/// Threads a search may use; 0 until [`set_threads`] or the first search.
static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Caps the threads a search uses (at least one); by default the machine's
/// cores, at most 8. The CLI sets it from `TIES_THREADS`.
pub fn set_threads(n: usize) {
    THREADS.store(n.max(1), Ordering::Relaxed);
}

fn threads() -> usize {
    match THREADS.load(Ordering::Relaxed) {
        0 => {
            let n = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
            // A set_threads racing with this wins.
            let _ = THREADS.compare_exchange(0, n, Ordering::Relaxed, Ordering::Relaxed);
            THREADS.load(Ordering::Relaxed)
        }
        n => n,
    }
}

/// Each entity once, at its best score (an entity found both as a scattered
/// match and by typo, say).
fn best_per_entity(mut v: Vec<Ranked>) -> Vec<Ranked> {
    v.sort_unstable_by(|a, b| a.node.cmp(&b.node).then(Ranked::order(a, b)));
    v.dedup_by_key(|r| r.node);
    v
}

/// How a pass tests the query's last term.
#[derive(Clone, Copy)]
enum Last<'a> {
    /// Unchanged since the texts read were matched: it holds; keep `resume`.
    Holds,
    /// A fuzzy term that extends the one the texts were matched with: look for
    /// the new letters from `resume`.
    Extends(&'a [u8]),
    /// A fuzzy term to match from the start.
    Fuzzy(&'a [u8]),
    /// Any other term.
    Other(&'a super::query::Term),
}

/// The end of the greedy match of `needle` in `hay` from `from`.
#[inline]
fn greedy_end(needle: &[u8], hay: &[u8], from: usize) -> Option<usize> {
    let mut hay = hay.get(from..)?.iter().enumerate();
    let mut end = from;
    'next: for &c in needle {
        for (i, &h) in hay.by_ref() {
            if h == c {
                end = from + i + 1;
                continue 'next;
            }
        }
        return None;
    }
    Some(end)
}

/// A stretch of texts to filter: of the index, or of a part of earlier matches.
#[derive(Clone, Copy)]
enum Slice<'a> {
    Index(usize, usize),
    Part(&'a Part, usize, usize),
}

/// An entity whose best match is fuzzy: texts `start..start + len` of output part
/// `part` are its matches, and `rank` is the best rank among them.
#[derive(Debug, Clone, Copy)]
struct Group {
    node: u32,
    part: u32,
    start: u32,
    len: u32,
    rank: u8,
}

/// What a filter pass found, besides the matching texts.
#[derive(Default)]
struct Pass {
    /// Kept entities by best rank.
    counts: [usize; 8],
    /// The best exact and word-start entities, at most `limit`, unordered.
    best: Vec<Ranked>,
    /// Entities whose best is fuzzy, while they may still be needed.
    fuzzy: Vec<Group>,
}

/// The entity being read during a filter pass.
#[derive(Clone, Copy)]
struct Current {
    node: u32,
    /// First of its texts in the output part.
    start: usize,
    /// Best cheap score (rank and whole-word count) and its text.
    score: i64,
    entry: u32,
    len: u32,
}

/// What a worker thread needs to filter.
struct Job<'a> {
    /// The graph the index was built from (names [`SHARED_BIT`] are read there).
    graph: &'a Graph,
    q: &'a Query,
    /// The positive terms but the last to test: all of them, or, when
    /// narrowing, those that changed (the others hold for every earlier match).
    check: &'a [&'a super::query::Term],
    /// How to test the last.
    last: Last<'a>,
    /// Whether texts read from earlier matches that were fuzzy stay fuzzy (only
    /// the last term changed, by typing on, or nothing did).
    keep_fuzzy: bool,
    limit: usize,
    keep: KeepFn<'a>,
    cancel: Cancel<'a>,
    part: u32,
}

impl SearchIndex {
    /// Filters `within` (or every text) into `out`, and returns the `limit` best.
    /// `None` if cancelled.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run(
        &self,
        graph: &Graph,
        q: &Query,
        within: Option<(&Query, &Matches)>,
        out: &mut Matches,
        limit: usize,
        keep: KeepFn<'_>,
        cancel: Cancel<'_>,
    ) -> Option<Vec<Ranked>> {
        out.reset(0);
        if q.is_empty() {
            return self.run_empty(graph, q, limit, keep, cancel);
        }
        if limit == 0 {
            return Some(Vec::new());
        }
        let n_terms = q.positive.len();
        let changed =
            |i: usize| within.is_none_or(|(prev, _)| prev.positive.get(i) != q.positive.get(i));
        let check: Vec<&super::query::Term> = q.positive[..n_terms - 1]
            .iter()
            .enumerate()
            .filter(|&(i, _)| changed(i))
            .map(|(_, t)| t)
            .collect();
        let check = check.as_slice();
        let last_term = &q.positive[n_terms - 1];
        let prev_last = within.and_then(|(prev, _)| {
            (prev.positive.len() == n_terms).then(|| &prev.positive[n_terms - 1])
        });
        let last = match prev_last {
            _ if !changed(n_terms - 1) => Last::Holds,
            Some(p)
                if p.kind == Kind::Fuzzy
                    && last_term.kind == Kind::Fuzzy
                    && last_term.text.starts_with(&p.text) =>
            {
                Last::Extends(&last_term.text[p.text.len()..])
            }
            _ if last_term.kind == Kind::Fuzzy => Last::Fuzzy(&last_term.text),
            _ => Last::Other(last_term),
        };
        let keep_fuzzy =
            within.is_some() && check.is_empty() && matches!(last, Last::Holds | Last::Extends(_));
        let work = self.split(within.map(|(_, m)| m));
        out.reset(work.len());
        let pass = if work.len() == 1 {
            let job = Job {
                graph,
                q,
                check,
                last,
                keep_fuzzy,
                limit,
                keep,
                cancel,
                part: 0,
            };
            self.filter_slices(&job, &work[0], &mut out.parts[0])?
        } else {
            let abort = AtomicBool::new(false);
            let stop = || abort.load(Ordering::Relaxed) || cancel();
            let results: Vec<Option<Pass>> = std::thread::scope(|s| {
                let mut parts = out.parts.iter_mut();
                let mut work_it = work.iter().enumerate();
                let (_, first_work) = work_it.next()?;
                let first_part = parts.next()?;
                let handles: Vec<_> = work_it
                    .zip(parts)
                    .map(|((i, w), p)| {
                        let stop = &stop;
                        s.spawn(move || {
                            let job = Job {
                                graph,
                                q,
                                check,
                                last,
                                keep_fuzzy,
                                limit,
                                keep,
                                cancel: stop,
                                part: i as u32,
                            };
                            self.filter_slices(&job, w, p)
                        })
                    })
                    .collect();
                let job = Job {
                    graph,
                    q,
                    check,
                    last,
                    keep_fuzzy,
                    limit,
                    keep,
                    cancel: &stop,
                    part: 0,
                };
                let first = self.filter_slices(&job, first_work, first_part);
                if first.is_none() {
                    abort.store(true, Ordering::Relaxed);
                }
                let mut all = vec![first];
                all.extend(handles.into_iter().map(|h| h.join().ok().flatten()));
                Some(all)
            })?;
            let mut pass = Pass::default();
            for p in results {
                let p = p?;
                for (a, b) in pass.counts.iter_mut().zip(p.counts) {
                    *a += b;
                }
                pass.best.extend(p.best);
                pass.fuzzy.extend(p.fuzzy);
            }
            pass
        };
        if cancel() {
            return None;
        }
        self.rank(graph, q, out, pass, limit, keep, cancel)
    }

    /// Cuts the texts to filter into one list of slices per thread, at entity
    /// boundaries.
    fn split<'a>(&self, within: Option<&'a Matches>) -> Vec<Vec<Slice<'a>>> {
        let total = within.map_or(self.len(), Matches::len);
        let n = threads();
        if n <= 1 || total < PARALLEL_MIN {
            return vec![match within {
                None => vec![Slice::Index(0, self.len())],
                Some(m) => m.parts.iter().map(|p| Slice::Part(p, 0, p.len())).collect(),
            }];
        }
        let per = total.div_ceil(n);
        match within {
            None => {
                let mut work = Vec::with_capacity(n);
                let mut from = 0;
                while from < self.len() {
                    let mut to = (from + per).min(self.len());
                    if to < self.len() {
                        // On to the end of the entity text `to - 1` names.
                        let node = self.owner(to as u32 - 1) as usize;
                        to = (self.ranges.first(node + 1) as usize).max(to);
                    }
                    work.push(vec![Slice::Index(from, to)]);
                    from = to;
                }
                work
            }
            Some(m) => {
                let mut work = vec![Vec::new()];
                let mut room = per;
                for p in &m.parts {
                    let mut from = 0;
                    while from < p.len() {
                        if room == 0 {
                            work.push(Vec::new());
                            room = per;
                        }
                        let mut to = (from + room).min(p.len());
                        while to < p.len() && p.owners[to] == p.owners[to - 1] {
                            to += 1;
                        }
                        if let Some(w) = work.last_mut() {
                            w.push(Slice::Part(p, from, to));
                        }
                        room = room.saturating_sub(to - from);
                        from = to;
                    }
                }
                work
            }
        }
    }

    /// Filters a list of slices on this thread into `out`.
    fn filter_slices(&self, job: &Job<'_>, slices: &[Slice<'_>], out: &mut Part) -> Option<Pass> {
        let mut pass = Pass::default();
        let mut best = Best::new(job.limit);
        let mut cur: Option<Current> = None;
        // At most every text read is written: reserve once instead of growing.
        let (texts, bytes) = slices.iter().fold((0, 0), |(t, b), s| match *s {
            Slice::Index(from, to) => (t + to - from, b + self.bytes_of(from, to)),
            Slice::Part(p, from, to) => {
                let start = if from == 0 { 0 } else { p.ends[from - 1] };
                let end = if to == 0 { 0 } else { p.ends[to - 1] };
                (t + to - from, b + (end - start) as usize)
            }
        });
        out.reserve(texts, bytes);
        for s in slices {
            match *s {
                Slice::Index(from, to) => {
                    // The owner of each text, read on from the first's: the
                    // texts are in node order.
                    let mut start = self.owners();
                    start.owner(from as u32);
                    let at = std::cell::Cell::new(start.at());
                    let texts = |i: usize| {
                        let mut a = at.get();
                        let n = self.ranges.walk(&mut a, i as u32);
                        at.set(a);
                        Text {
                            entry: i as u32,
                            owner: n,
                            mask: self.masks[i],
                            resume: 0,
                            text: self.raw_text(job.graph, n, i as u32),
                            raw: self.masks[i] & SHARED_BIT != 0,
                        }
                    };
                    // A block at a time, its texts that pass the mask
                    // fetched first in a tight loop: texts stored once lie
                    // anywhere in the folded text, and their cache misses
                    // then overlap instead of coming one text at a time.
                    let mut at = from;
                    while at < to {
                        let end = (at + CHECK_EVERY).min(to);
                        self.warm(at..end, job.q.mask);
                        self.filter_run(
                            job,
                            at..end,
                            |i| self.masks[i],
                            texts,
                            out,
                            &mut pass,
                            &mut best,
                            &mut cur,
                        )?;
                        at = end;
                    }
                }
                Slice::Part(p, from, to) => {
                    let texts = |k: usize| Text {
                        entry: p.entries[k],
                        owner: p.owners[k],
                        mask: p.masks[k],
                        resume: p.resume[k],
                        text: p.text(k),
                        raw: false,
                    };
                    let masks = |k: usize| p.masks[k];
                    self.filter_run(
                        job,
                        from..to,
                        masks,
                        texts,
                        out,
                        &mut pass,
                        &mut best,
                        &mut cur,
                    )?;
                }
            }
        }
        self.finish(job, cur.take(), out.len(), &mut pass, &mut best);
        pass.best = best.into_vec();
        Some(pass)
    }

    /// The filter loop over texts `range` of a source (`masks(i)` is text
    /// `i`'s mask word, `texts(i)` the whole text).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn filter_run<'t>(
        &self,
        job: &Job<'_>,
        range: std::ops::Range<usize>,
        masks: impl Fn(usize) -> u64,
        texts: impl Fn(usize) -> Text<'t>,
        out: &mut Part,
        pass: &mut Pass,
        best: &mut Best,
        cur: &mut Option<Current>,
    ) -> Option<()> {
        let q = job.q;
        let mask = q.mask;
        let word_mask = q.word_mask;
        let mut excluded: Option<(u32, bool)> = None;
        // A name read from the graph, lower-cased.
        let mut lowered: Vec<u8> = Vec::new();
        for (n, i) in range.enumerate() {
            if n % CHECK_EVERY == 0 && (job.cancel)() {
                return None;
            }
            // The mask first: a text is read only if it passes.
            if masks(i) & mask != mask {
                continue;
            }
            let mut t = texts(i);
            if t.raw {
                lowered.clear();
                lowered.extend(t.text.iter().map(u8::to_ascii_lowercase));
                t = Text {
                    text: &lowered,
                    raw: false,
                    ..t
                };
            }
            let (entry, node, m, text) = (t.entry, t.owner, t.mask, t.text);
            let wm = m >> WORD_SHIFT;
            let was_fuzzy = t.resume & WAS_FUZZY != 0;
            let from = (t.resume & !WAS_FUZZY) as usize;
            let resume = match job.last {
                Last::Holds => Some(from),
                Last::Extends(tail) => greedy_end(tail, text, from),
                Last::Fuzzy(term) => greedy_end(term, text, 0),
                Last::Other(term) => term.matches(text).then_some(0),
            };
            let Some(resume) = resume else {
                continue;
            };
            if !job.check.iter().all(|t| t.matches(text)) {
                continue;
            }
            if !q.negative.is_empty() {
                let ex = match excluded {
                    Some((x, ex)) if x == node => ex,
                    _ => {
                        let ex = self.excluded(job.graph, node, q);
                        excluded = Some((node, ex));
                        ex
                    }
                };
                if ex {
                    continue;
                }
            }
            // No term's first letter starting a word: neither exact nor word start.
            let (tier, sub) = if wm & word_mask != word_mask || (job.keep_fuzzy && was_fuzzy) {
                (TIER_FUZZY, 0)
            } else {
                classify(text, q)
            };
            let rank = rank_of(tier, m & WEAK_BIT != 0);
            let score = score_of(rank, if tier == TIER_FUZZY { 0 } else { sub });
            match cur {
                Some(c) if c.node == node => {
                    if score > c.score {
                        c.score = score;
                        c.entry = entry;
                        c.len = text.len() as u32;
                    }
                }
                _ => {
                    self.finish(job, cur.take(), out.len(), pass, best);
                    *cur = Some(Current {
                        node,
                        start: out.len(),
                        score,
                        entry,
                        len: text.len() as u32,
                    });
                }
            }
            // Texts over 2 GiB cannot be indexed, so the position fits in 31 bits.
            let flag = if tier == TIER_FUZZY { WAS_FUZZY } else { 0 };
            out.push(t, (resume as u32 & !WAS_FUZZY) | flag);
        }
        Some(())
    }

    /// Files a finished entity: scored at once if exact or word start, kept for
    /// SkimMatcherV2 if fuzzy and possibly needed.
    fn finish(
        &self,
        job: &Job<'_>,
        cur: Option<Current>,
        end: usize,
        pass: &mut Pass,
        best: &mut Best,
    ) {
        let Some(c) = cur else {
            return;
        };
        if !(job.keep)(NodeIx::new(c.node as usize)) {
            return;
        }
        let rank = (c.score >> SCORE_BITS) as u8 & 7;
        pass.counts[rank as usize] += 1;
        if rank >= RANK_WORD_WEAK {
            // Look the degree up only for an entity that may get in.
            if best.may_take(c.score, c.len) {
                best.offer(Ranked {
                    score: c.score,
                    entry: c.entry,
                    len: c.len,
                    degree: self.degree(c.node),
                    node: c.node,
                });
            }
        } else {
            let higher: usize = pass.counts[rank as usize + 1..].iter().sum();
            if higher < job.limit {
                pass.fuzzy.push(Group {
                    node: c.node,
                    part: job.part,
                    start: c.start as u32,
                    len: (end - c.start) as u32,
                    rank,
                });
            }
        }
    }

    /// Picks the `limit` best entities of a filter pass.
    #[allow(clippy::too_many_arguments)]
    fn rank(
        &self,
        graph: &Graph,
        q: &Query,
        matched: &Matches,
        pass: Pass,
        limit: usize,
        keep: KeepFn<'_>,
        cancel: Cancel<'_>,
    ) -> Option<Vec<Ranked>> {
        let above_fuzzy: usize = pass.counts[RANK_WORD_WEAK as usize..].iter().sum();
        if above_fuzzy >= limit {
            return Some(top(pass.best, limit));
        }
        // Fewer than `limit` exact and word-start entities: all of them are in
        // `best`, and fuzzy ones (in order, typo, scattered) fill the rest,
        // scored with SkimMatcherV2 or found in the typo index.
        let floor = if above_fuzzy + pass.counts[RANK_FUZZY as usize] >= limit {
            RANK_FUZZY
        } else {
            0
        };
        let chosen: Vec<&Group> = pass.fuzzy.iter().filter(|g| g.rank >= floor).collect();
        let score = |groups: &[&Group], cancel: Cancel<'_>| -> Option<Vec<Ranked>> {
            let m = matcher();
            let mut out = Best::new(limit);
            for (i, g) in groups.iter().enumerate() {
                if i % 256 == 0 && cancel() {
                    return None;
                }
                let part = &matched.parts[g.part as usize];
                let mut best: Option<Ranked> = None;
                for k in g.start as usize..(g.start + g.len) as usize {
                    let text = part.text(k);
                    let weak = part.masks[k] & WEAK_BIT != 0;
                    let (tier, _) = classify(text, q);
                    if rank_of(tier, weak) != g.rank {
                        continue;
                    }
                    let score = score_text(text, q, weak, |t, p| skim_score(&m, t, p).unwrap_or(0));
                    if best.is_none_or(|b| score > b.score) {
                        best = Some(Ranked {
                            score,
                            entry: part.entries[k],
                            len: text.len() as u32,
                            degree: self.degree(g.node),
                            node: g.node,
                        });
                    }
                }
                if let Some(b) = best {
                    out.offer(b);
                }
            }
            Some(out.into_vec())
        };
        let n = threads();
        let mut all = pass.best;
        if n > 1 && chosen.len() >= PARALLEL_SCORE_MIN {
            let chunk = chosen.len().div_ceil(n);
            let parts: Vec<Option<Vec<Ranked>>> = std::thread::scope(|s| {
                let handles: Vec<_> = chosen
                    .chunks(chunk)
                    .map(|c| s.spawn(move || score(c, cancel)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().ok().flatten())
                    .collect()
            });
            for p in parts {
                all.extend(p?);
            }
        } else {
            all.extend(score(&chosen, cancel)?);
        }
        // Words spread over an entity's texts rank above in-order matches.
        all.extend(self.across_ranked(graph, q, limit, keep, cancel)?);
        // Typo matches rank below every in-order one: look them up only when
        // the stricter tiers leave room. An entity may be in `all` more than
        // once (a fuzzy text and an across match): count entities, not
        // matches, or a scattered match would fill a place a typo match
        // ranks above.
        let mut all = best_per_entity(all);
        let in_order = all
            .iter()
            .filter(|r| Tier::of_score(r.score) >= Tier::InOrder)
            .count();
        if in_order < limit {
            all.extend(self.typo_ranked(graph, q, limit, keep, cancel)?);
            all = best_per_entity(all);
        }
        Some(top(all, limit))
    }

    /// No term to match: every entity not excluded, most relations first.
    fn run_empty(
        &self,
        graph: &Graph,
        q: &Query,
        limit: usize,
        keep: KeepFn<'_>,
        cancel: Cancel<'_>,
    ) -> Option<Vec<Ranked>> {
        let mut best = Best::new(limit);
        for node in 0..self.entities() as u32 {
            if (node as usize).is_multiple_of(CHECK_EVERY) && cancel() {
                return None;
            }
            if let Some(r) = self.empty_rank(graph, q, node)
                && keep(NodeIx::new(node as usize))
            {
                best.offer(r);
            }
        }
        Some(top(best.into_vec(), limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_end_resumes_where_the_shorter_term_stopped() {
        let text = b"laurynas kasciunas";
        assert_eq!(greedy_end(b"ka", text, 0), Some(11));
        assert_eq!(greedy_end(b"s", text, 11), Some(12));
        assert_eq!(greedy_end(b"kas", text, 0), Some(12));
        assert_eq!(greedy_end(b"z", text, 11), None);
        assert_eq!(greedy_end(b"", text, 7), Some(7));
        assert_eq!(greedy_end(b"s", text, 99), None);
        assert_eq!(greedy_end(b"", text, text.len()), Some(text.len()));
    }
}
