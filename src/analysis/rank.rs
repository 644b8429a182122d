//! Who is central in a view: degree, PageRank, betweenness and closeness.
//!
//! All four treat the view as undirected (see [`crate::analysis`]) and use
//! networkx's default settings, so a score here equals networkx's on the
//! equivalent graph of `ties export --format graphml`:
//!
//! - **degree**: the number of visible relations touching the entity
//!   (`MultiGraph.degree`; parallel relations each count).
//! - **PageRank**: `nx.pagerank(MultiGraph)`: damping 0.85, uniform teleport,
//!   dangling entities spread uniformly, parallel relations weigh as many times
//!   as they are. Power iteration until the L1 change is below `n · 1e-10`.
//!   (petgraph's `page_rank` takes O(|V|²·|E|) per run and uses another teleport
//!   term, so it can neither run at a million entities nor match networkx.)
//! - **betweenness**: `nx.betweenness_centrality(Graph)`, normalised by
//!   `(n-1)(n-2)`, endpoints excluded. Exact: rustworkx-core's Brandes
//!   algorithm. Sampled (views larger than the sample): Brandes from `k`
//!   sources drawn uniformly without replacement with a seeded generator,
//!   scaled by `n/k`, as networkx does with `k=`. Each estimate is unbiased;
//!   by Hoeffding's inequality (which holds for sampling without replacement)
//!   and a union bound, every score is within [`Ranking::error`] of the exact
//!   one with probability at least 99 %. Each score also carries its standard
//!   error estimated from the sample.
//! - **closeness**: `nx.closeness_centrality(Graph)` with Wasserman–Faust
//!   scaling for views in several pieces (rustworkx-core). It needs a search
//!   from every entity; large views ask for `exact`.

use rand::SeedableRng;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::ViewGraph;
use crate::graph::{Graph, NodeIx};
use crate::view::{Filter, Subgraph};

/// Which centrality to rank by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Number of visible relations
    #[default]
    Degree,
    /// PageRank (damping 0.85)
    Pagerank,
    /// Share of shortest connections that pass through the entity
    Betweenness,
    /// Inverse of the average distance to the entities it reaches
    Closeness,
}

impl Measure {
    pub fn label(self) -> &'static str {
        match self {
            Measure::Degree => "degree",
            Measure::Pagerank => "pagerank",
            Measure::Betweenness => "betweenness",
            Measure::Closeness => "closeness",
        }
    }
}

/// How to rank.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankOptions {
    pub measure: Measure,
    /// Compute betweenness and closeness exactly however large the view.
    pub exact: bool,
    /// Sources sampled for betweenness when the view has more entities;
    /// `None`: exact when that takes at most [`WORK_BUDGET`] steps, else as many
    /// sources as the budget allows (at least [`MIN_SAMPLES`]).
    pub samples: Option<usize>,
    /// Seed of the sampling.
    pub seed: u64,
    /// Views with more entities than this need `exact` for closeness.
    pub closeness_limit: usize,
}

impl Default for RankOptions {
    fn default() -> Self {
        RankOptions {
            measure: Measure::Degree,
            exact: false,
            samples: None,
            seed: 1,
            closeness_limit: CLOSENESS_LIMIT,
        }
    }
}

/// Adjacency entries visited that automatic sampling allows betweenness (a
/// search from one source visits every entry once, forward and back): a few
/// seconds to a minute or two, depending on how well the view fits in cache.
pub const WORK_BUDGET: usize = 500_000_000;

/// The fewest sources automatic sampling uses.
pub const MIN_SAMPLES: usize = 100;

/// Sources betweenness uses on `view`: all (exact) or a sample.
pub fn sources_for(view: &ViewGraph, opts: &RankOptions) -> usize {
    let n = view.len();
    let per_source = (n + 2 * view.simple_edge_count()).max(1);
    let k = match opts.samples {
        _ if opts.exact => n,
        Some(k) => k.max(1),
        None if n.saturating_mul(per_source) <= WORK_BUDGET => n,
        None => (WORK_BUDGET / per_source).max(MIN_SAMPLES),
    };
    k.min(n)
}

/// The default [`RankOptions::closeness_limit`]: about a minute of searches.
pub const CLOSENESS_LIMIT: usize = 20_000;

/// Why a ranking was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RankError {
    #[error(
        "closeness needs a search from each of the view's {0} entities; narrow the view \
         (--kinds, --from, --to) or pass --exact to wait for it"
    )]
    TooLarge(usize),
    #[error("ranking cancelled")]
    Cancelled,
}

/// How a caller running a ranking in the background follows and stops it.
#[derive(Debug, Default, Clone, Copy)]
pub struct Control<'a> {
    /// Set to stop: sampled betweenness and PageRank give up with
    /// [`RankError::Cancelled`] soon after (exact betweenness and closeness,
    /// bounded by [`WORK_BUDGET`] and `closeness_limit`, run to the end).
    pub cancel: Option<&'a AtomicBool>,
    /// Counts units of work done: PageRank rounds, or sampled sources (out of
    /// [`sources_for`]).
    pub progress: Option<&'a AtomicUsize>,
}

impl Control<'_> {
    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }

    fn tick(&self) {
        if let Some(p) = self.progress {
            p.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// One ranked entity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    pub node: NodeIx,
    pub score: f64,
    /// Standard error of a sampled score (0 when exact).
    pub std_error: f64,
}

/// Every visible entity with its score, best first (equal scores by name, then
/// id).
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    pub measure: Measure,
    pub entities: Vec<Scored>,
    /// Number of visible entities and relations the scores were computed on.
    pub view_entities: usize,
    pub view_relations: usize,
    /// Sources sampled, when betweenness was estimated.
    pub sampled: Option<usize>,
    /// With probability at least 99 %, every sampled score is within this of the
    /// exact one (0 when exact).
    pub error: f64,
    /// PageRank iterations run.
    pub iterations: Option<usize>,
}

impl Ranking {
    /// The first `limit` entities and the visible relations among them.
    pub fn subgraph(&self, graph: &Graph, filter: &Filter, limit: usize) -> Subgraph {
        let nodes: Vec<NodeIx> = self.entities.iter().take(limit).map(|s| s.node).collect();
        super::induced(graph, &nodes, |e| filter.relation_visible(graph, e))
    }
}

/// Scores every entity `filter` shows by `opts.measure`.
pub fn rank(graph: &Graph, filter: &Filter, opts: &RankOptions) -> Result<Ranking, RankError> {
    let view = ViewGraph::new(graph, filter);
    rank_view(graph, &view, opts)
}

/// [`rank`] on a view already built.
pub fn rank_view(
    graph: &Graph,
    view: &ViewGraph,
    opts: &RankOptions,
) -> Result<Ranking, RankError> {
    rank_view_with(graph, view, opts, Control::default())
}

/// [`rank_view`], followed and stoppable through `control` (for the explorer,
/// which ranks in the background).
pub fn rank_view_with(
    graph: &Graph,
    view: &ViewGraph,
    opts: &RankOptions,
    control: Control<'_>,
) -> Result<Ranking, RankError> {
    let n = view.len();
    let mut sampled = None;
    let mut error = 0.0;
    let mut iterations = None;
    let mut std_errors = None;
    let scores: Vec<f64> = match opts.measure {
        Measure::Degree => (0..n).map(|i| view.degree(i) as f64).collect(),
        Measure::Pagerank => {
            let (x, iters) = pagerank(view, 0.85, 1e-10, 1000, control)?;
            iterations = Some(iters);
            x
        }
        Measure::Betweenness if sources_for(view, opts) >= n => {
            rustworkx_core::centrality::betweenness_centrality(view, false, true, 50)
                .into_iter()
                .map(|s| s.unwrap_or(0.0))
                .collect()
        }
        Measure::Betweenness => {
            let k = sources_for(view, opts);
            let est = sampled_betweenness_with(view, k, opts.seed, control)?;
            sampled = Some(k);
            error = hoeffding_error(n, k, 0.01);
            std_errors = Some(est.1);
            est.0
        }
        Measure::Closeness => {
            if n > opts.closeness_limit && !opts.exact {
                return Err(RankError::TooLarge(n));
            }
            rustworkx_core::centrality::closeness_centrality(view, true, 50)
                .into_iter()
                .map(|s| s.unwrap_or(0.0))
                .collect()
        }
    };
    // Names looked up once; at a million entities many scores are equal.
    let mut keyed: Vec<(Scored, &str, &str)> = scores
        .iter()
        .enumerate()
        .map(|(i, &score)| {
            let node = view.nodes[i];
            let e = graph.entity(node);
            let std_error = std_errors.as_ref().map_or(0.0, |e: &Vec<f64>| e[i]);
            (
                Scored {
                    node,
                    score,
                    std_error,
                },
                e.name,
                e.id,
            )
        })
        .collect();
    keyed.par_sort_unstable_by(|(a, an, ai), (b, bn, bi)| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| an.cmp(bn))
            .then_with(|| ai.cmp(bi))
    });
    let entities: Vec<Scored> = keyed.into_iter().map(|(s, _, _)| s).collect();
    Ok(Ranking {
        measure: opts.measure,
        entities,
        view_entities: n,
        view_relations: view.edges.len(),
        sampled,
        error,
        iterations,
    })
}

/// PageRank by power iteration, as networkx computes it on the view's
/// multigraph: row-normalised relation counts (a self-tie counts once), dangling
/// entities teleporting uniformly. Stops when the L1 change is below `n · tol`
/// or after `max_iter` rounds; returns the scores and the rounds run.
fn pagerank(
    view: &ViewGraph,
    alpha: f64,
    tol: f64,
    max_iter: usize,
    control: Control<'_>,
) -> Result<(Vec<f64>, usize), RankError> {
    let n = view.len();
    if n == 0 {
        return Ok((Vec::new(), 0));
    }
    // Out-weight of each entity: its relation ends, a self-tie once.
    let weight: Vec<f64> = (0..n)
        .map(|i| {
            let ends = view.multi_neighbours(i);
            let selfs = ends.iter().filter(|&&j| j as usize == i).count();
            (ends.len() - selfs / 2) as f64
        })
        .collect();
    let nf = n as f64;
    let mut x = vec![1.0 / nf; n];
    let mut next = vec![0.0; n];
    for round in 1..=max_iter {
        if control.cancelled() {
            return Err(RankError::Cancelled);
        }
        control.tick();
        let dangling: f64 = (0..n).filter(|&i| weight[i] == 0.0).map(|i| x[i]).sum();
        let base = alpha * dangling / nf + (1.0 - alpha) / nf;
        next.iter_mut().for_each(|v| *v = base);
        for i in 0..n {
            if weight[i] == 0.0 {
                continue;
            }
            let share = alpha * x[i] / weight[i];
            let ends = view.multi_neighbours(i);
            let mut selfs = 0;
            for &j in ends {
                let j = j as usize;
                if j == i {
                    // A self-tie appears twice among the ends but weighs once.
                    selfs += 1;
                    if selfs % 2 == 0 {
                        continue;
                    }
                }
                next[j] += share;
            }
        }
        let err: f64 = x.iter().zip(&next).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut x, &mut next);
        if err < nf * tol {
            return Ok((x, round));
        }
    }
    Ok((x, max_iter))
}

/// `ε` such that, with probability at least `1 - delta`, every one of `n`
/// betweenness scores estimated from `k` sources is within `ε` of the exact one
/// (Hoeffding's inequality on terms in `[0, n/(n-1)]`, union bound over `n`).
pub fn hoeffding_error(n: usize, k: usize, delta: f64) -> f64 {
    if k >= n || n < 3 {
        return 0.0;
    }
    let (n, k) = (n as f64, k as f64);
    let range = n / (n - 1.0);
    range * ((2.0 * n / delta).ln() / (2.0 * k)).sqrt()
}

/// Betweenness estimated from `k` sources (all when `k >= n`), normalised as
/// networkx does; with each score's standard error.
pub fn sampled_betweenness(view: &ViewGraph, k: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    sampled_betweenness_with(view, k, seed, Control::default()).unwrap_or_default()
}

/// [`sampled_betweenness`], followed and stoppable through `control`.
pub fn sampled_betweenness_with(
    view: &ViewGraph,
    k: usize,
    seed: u64,
    control: Control<'_>,
) -> Result<(Vec<f64>, Vec<f64>), RankError> {
    let n = view.len();
    let sources: Vec<usize> = if k >= n {
        (0..n).collect()
    } else {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(seed);
        let mut s = rand::seq::index::sample(&mut rng, n, k).into_vec();
        s.sort_unstable();
        s
    };
    let k = sources.len();
    // Sources are independent: each thread sums its share, then the sums add up.
    let zero = || (vec![0.0f64; n], vec![0.0f64; n], Brandes::new(n));
    let (sum, sum_sq, _) = sources
        .par_iter()
        .fold(zero, |(mut sum, mut sum_sq, mut brandes), &s| {
            if control.cancelled() {
                return (sum, sum_sq, brandes);
            }
            brandes.run(view, s);
            control.tick();
            for &v in &brandes.order {
                let d = brandes.delta(v as usize);
                if v as usize != s && d != 0.0 {
                    sum[v as usize] += d;
                    sum_sq[v as usize] += d * d;
                }
            }
            (sum, sum_sq, brandes)
        })
        .reduce(zero, |(mut a, mut a2, b), (c, c2, _)| {
            a.iter_mut().zip(&c).for_each(|(x, y)| *x += y);
            a2.iter_mut().zip(&c2).for_each(|(x, y)| *x += y);
            (a, a2, b)
        });
    if control.cancelled() {
        return Err(RankError::Cancelled);
    }
    // Term of a source: n·δ/((n-1)(n-2)); the score is the mean of the terms.
    let scale = if n > 2 {
        n as f64 / ((n - 1) as f64 * (n - 2) as f64)
    } else {
        0.0
    };
    let kf = k as f64;
    // Finite-population correction: the sources are drawn without replacement.
    let fpc = (1.0 - kf / n as f64).max(0.0);
    let mut scores = vec![0.0; n];
    let mut errors = vec![0.0; n];
    for v in 0..n {
        let mean = sum[v] * scale / kf;
        scores[v] = mean;
        if k > 1 {
            let mean_sq = sum_sq[v] * scale * scale / kf;
            let var = (mean_sq - mean * mean).max(0.0) * kf / (kf - 1.0);
            errors[v] = (var / kf * fpc).sqrt();
        }
    }
    Ok((scores, errors))
}

/// What a Brandes pass knows of one entity, kept together so that a visit
/// touches one cache line.
#[derive(Debug, Clone, Copy)]
struct Slot {
    dist: u32,
    sigma: f64,
    delta: f64,
}

const UNSEEN: Slot = Slot {
    dist: u32::MAX,
    sigma: 0.0,
    delta: 0.0,
};

/// Brandes' single-source pass, with its buffers kept between sources.
struct Brandes {
    slots: Vec<Slot>,
    /// Entities in the order reached (the queue, read from `head`).
    order: Vec<u32>,
}

impl Brandes {
    fn new(n: usize) -> Self {
        Brandes {
            slots: vec![UNSEEN; n],
            order: Vec::new(),
        }
    }

    /// Each entity's dependency on source `s`, after [`Self::run`].
    fn delta(&self, v: usize) -> f64 {
        self.slots[v].delta
    }

    /// Finds each entity's dependency on source `s`.
    fn run(&mut self, view: &ViewGraph, s: usize) {
        for &v in &self.order {
            self.slots[v as usize] = UNSEEN;
        }
        self.order.clear();
        self.slots[s] = Slot {
            dist: 0,
            sigma: 1.0,
            delta: 0.0,
        };
        self.order.push(s as u32);
        let mut head = 0;
        while let Some(&v) = self.order.get(head) {
            head += 1;
            let v = v as usize;
            let (dv, sv) = (self.slots[v].dist, self.slots[v].sigma);
            for &w in view.neighbours(v) {
                let slot = &mut self.slots[w as usize];
                if slot.dist == u32::MAX {
                    slot.dist = dv + 1;
                    self.order.push(w);
                }
                if slot.dist == dv + 1 {
                    slot.sigma += sv;
                }
            }
        }
        // Back from the farthest: δ(v) = Σ over successors w of σv/σw·(1+δw).
        for idx in (1..self.order.len()).rev() {
            let w = self.order[idx] as usize;
            let Slot { dist, sigma, delta } = self.slots[w];
            let coeff = (1.0 + delta) / sigma;
            for &v in view.neighbours(w) {
                let slot = &mut self.slots[v as usize];
                if slot.dist != u32::MAX && slot.dist + 1 == dist {
                    slot.delta += slot.sigma * coeff;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    fn scores(g: &Graph, r: &Ranking) -> Vec<(String, f64)> {
        r.entities
            .iter()
            .map(|s| (g.entity(s.node).id.to_string(), s.score))
            .collect()
    }

    fn ranked(measure: Measure) -> (Graph, Ranking) {
        let g = fixture::graph();
        let opts = RankOptions {
            measure,
            ..RankOptions::default()
        };
        let r = rank(&g, &Filter::default(), &opts).unwrap();
        (g, r)
    }

    #[test]
    fn degree_counts_parallel_relations() {
        let (g, r) = ranked(Measure::Degree);
        let s = scores(&g, &r);
        // a and b: 4 each (two between them); hub 4; x, y 3 (+ c–x); names break ties.
        assert_eq!(s[0], ("a".into(), 4.0));
        assert_eq!(s[1], ("b".into(), 4.0));
        assert_eq!(s[2], ("hub".into(), 4.0));
        assert_eq!(s.last().unwrap(), &("lone".into(), 0.0));
    }

    #[test]
    fn pagerank_sums_to_one_and_favours_the_hub_over_the_leaf() {
        let (g, r) = ranked(Measure::Pagerank);
        let total: f64 = r.entities.iter().map(|s| s.score).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        let of = |id: &str| scores(&g, &r).into_iter().find(|x| x.0 == id).unwrap().1;
        assert!(of("hub") > of("leaf"));
        // An isolated entity only gets the teleport and dangling shares.
        assert!(of("lone") < of("leaf"));
    }

    #[test]
    fn betweenness_of_the_articulation_point_is_highest() {
        let (g, r) = ranked(Measure::Betweenness);
        assert_eq!(g.entity(r.entities[0].node).id, "hub");
        assert_eq!(r.sampled, None);
    }

    #[test]
    fn sampling_every_source_is_exact() {
        let g = fixture::graph();
        let view = ViewGraph::new(&g, &Filter::default());
        let exact = rank_view(
            &g,
            &view,
            &RankOptions {
                measure: Measure::Betweenness,
                exact: true,
                ..RankOptions::default()
            },
        )
        .unwrap();
        let (all, errors) = sampled_betweenness(&view, view.len(), 7);
        for s in &exact.entities {
            let i = view.local(s.node).unwrap();
            assert!(
                (all[i] - s.score).abs() < 1e-12,
                "{} vs {}",
                all[i],
                s.score
            );
            assert_eq!(errors[i], 0.0);
        }
        // A smaller sample is reported as one, with its error bound.
        let r = rank_view(
            &g,
            &view,
            &RankOptions {
                measure: Measure::Betweenness,
                samples: Some(4),
                ..RankOptions::default()
            },
        )
        .unwrap();
        assert_eq!(r.sampled, Some(4));
        assert!(r.error > 0.0);
        for s in &r.entities {
            let e = exact.entities.iter().find(|x| x.node == s.node).unwrap();
            assert!((s.score - e.score).abs() <= r.error);
        }
    }

    #[test]
    fn a_ranking_reports_progress_and_stops_when_cancelled() {
        let g = fixture::graph();
        let view = ViewGraph::new(&g, &Filter::default());
        let opts = RankOptions {
            measure: Measure::Betweenness,
            samples: Some(5),
            ..RankOptions::default()
        };
        let (cancel, progress) = (AtomicBool::new(false), AtomicUsize::new(0));
        let control = Control {
            cancel: Some(&cancel),
            progress: Some(&progress),
        };
        rank_view_with(&g, &view, &opts, control).unwrap();
        assert_eq!(progress.load(Ordering::Relaxed), 5);
        cancel.store(true, Ordering::Relaxed);
        for measure in [Measure::Betweenness, Measure::Pagerank] {
            let opts = RankOptions { measure, ..opts };
            assert_eq!(
                rank_view_with(&g, &view, &opts, control).unwrap_err(),
                RankError::Cancelled
            );
        }
    }

    #[test]
    fn closeness_of_a_large_view_needs_exact() {
        let g = fixture::graph();
        let mut opts = RankOptions {
            measure: Measure::Closeness,
            closeness_limit: 5,
            ..RankOptions::default()
        };
        assert_eq!(
            rank(&g, &Filter::default(), &opts).unwrap_err(),
            RankError::TooLarge(8)
        );
        opts.exact = true;
        assert_eq!(
            rank(&g, &Filter::default(), &opts).unwrap().entities.len(),
            8
        );
    }

    #[test]
    fn closeness_of_an_isolated_entity_is_zero() {
        let (g, r) = ranked(Measure::Closeness);
        let last = r.entities.last().unwrap();
        assert_eq!(g.entity(last.node).id, "lone");
        assert_eq!(last.score, 0.0);
    }

    #[test]
    fn scores_follow_the_filter() {
        let g = fixture::graph();
        let f = Filter {
            window: "2024".parse().unwrap(),
            ..Filter::default()
        };
        let r = rank(&g, &f, &RankOptions::default()).unwrap();
        assert_eq!(r.view_entities, 7);
        assert!(r.entities.iter().all(|s| g.entity(s.node).id != "leaf"));
        let sub = r.subgraph(&g, &f, 3);
        assert_eq!(sub.nodes.len(), 3);
        // a, b, hub: two a–b relations and one to hub each.
        assert_eq!(sub.edges.len(), 4);
    }
}
