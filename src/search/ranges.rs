//! Which texts of the index each node has: a byte per node, its number of
//! texts (or [`TextRanges::BIG`], the number then being in `big`), and the
//! first text of every 64th node. A node's first text is its block's sample
//! plus the counts of the nodes before it in the block; the node a text
//! names is found from the samples, then counted on in one block.

use crate::codec::Store;

/// Nodes a sample covers.
const BLOCK: usize = 64;

/// The texts of each node (see the module's comment).
#[derive(Debug, Default)]
pub(super) struct TextRanges {
    /// Texts of each node, or [`Self::BIG`].
    counts: Store<u8>,
    /// `[node, texts]` of the nodes whose count is [`Self::BIG`], by node.
    big: Store<[u32; 2]>,
    /// The first text of nodes 0, 64, 128, …
    samples: Store<u32>,
    /// Texts in all.
    total: u32,
}

impl TextRanges {
    /// [`Self::counts`] of a node with this many texts or more.
    const BIG: u8 = u8::MAX;

    pub(super) fn with_capacity(nodes: usize) -> Self {
        TextRanges {
            counts: Vec::with_capacity(nodes).into(),
            big: Store::default(),
            samples: Vec::with_capacity(nodes.div_ceil(BLOCK)).into(),
            total: 0,
        }
    }

    /// Adds the next node, whose texts are the next `n`.
    pub(super) fn push(&mut self, n: u32) {
        let node = self.counts.len();
        if node.is_multiple_of(BLOCK) {
            self.samples.vec().push(self.total);
        }
        match u8::try_from(n) {
            Ok(c) if c != Self::BIG => self.counts.vec().push(c),
            _ => {
                self.counts.vec().push(Self::BIG);
                self.big.vec().push([node as u32, n]);
            }
        }
        self.total += n;
    }

    pub(super) fn shrink_to_fit(&mut self) {
        self.counts.shrink_to_fit();
        self.big.shrink_to_fit();
        self.samples.shrink_to_fit();
    }

    /// Number of nodes.
    pub(super) fn nodes(&self) -> usize {
        self.counts.len()
    }

    /// The number of texts of `node`.
    #[inline]
    pub(super) fn count(&self, node: usize) -> u32 {
        match self.counts.get(node) {
            Some(&c) if c != Self::BIG => u32::from(c),
            Some(_) => self.big_count(node),
            None => 0,
        }
    }

    #[cold]
    fn big_count(&self, node: usize) -> u32 {
        let big: &[[u32; 2]] = &self.big;
        big.binary_search_by_key(&(node as u32), |b| b[0])
            .map_or(0, |i| big[i][1])
    }

    /// The first text of `node` (the total past the last node).
    #[inline]
    pub(super) fn first(&self, node: usize) -> u32 {
        if node >= self.counts.len() {
            return self.total;
        }
        let block = node / BLOCK;
        let from = block * BLOCK;
        let sum = if self.counts[from..node].contains(&Self::BIG) {
            (from..node).map(|n| self.count(n)).sum()
        } else {
            self.counts[from..node]
                .iter()
                .map(|&c| u32::from(c))
                .sum::<u32>()
        };
        self.samples[block] + sum
    }

    /// The texts of `node`.
    #[inline]
    pub(super) fn range(&self, node: usize) -> std::ops::Range<u32> {
        let first = self.first(node);
        first..first + self.count(node)
    }

    /// The parts a snapshot stores.
    pub(super) fn parts(&self) -> (&Store<u8>, &Store<[u32; 2]>, &Store<u32>) {
        (&self.counts, &self.big, &self.samples)
    }

    /// The ranges of a snapshot's parts, if they agree with each other and
    /// with `nodes` nodes and `texts` texts.
    pub(super) fn from_parts(
        counts: Store<u8>,
        big: Store<[u32; 2]>,
        samples: Store<u32>,
        nodes: usize,
        texts: usize,
    ) -> Option<Self> {
        let ok = counts.len() == nodes
            && samples.len() == nodes.div_ceil(BLOCK)
            && big.windows(2).all(|w| w[0][0] < w[1][0])
            && big.iter().all(|&[n, c]| {
                counts.get(n as usize) == Some(&Self::BIG) && c >= u32::from(Self::BIG)
            })
            && counts.iter().filter(|&&c| c == Self::BIG).count() == big.len();
        if !ok {
            return None;
        }
        let mut r = TextRanges {
            counts,
            big,
            samples,
            total: 0,
        };
        // Each sample is the sum of the counts before it.
        let mut total: u64 = 0;
        for block in 0..r.samples.len() {
            if u64::from(r.samples[block]) != total {
                return None;
            }
            let from = block * BLOCK;
            for n in from..(from + BLOCK).min(nodes) {
                total += u64::from(r.count(n));
            }
        }
        if total != texts as u64 {
            return None;
        }
        r.total = u32::try_from(total).ok()?;
        Some(r)
    }

    /// Bytes held.
    pub(super) fn bytes(&self) -> usize {
        self.counts.bytes() + self.big.bytes() + self.samples.bytes()
    }

    /// Owners of texts asked for mostly in ascending order.
    pub(super) fn owners(&self) -> Owners<'_> {
        Owners {
            ranges: self,
            node: 0,
            first: 0,
        }
    }
}

/// The nodes texts name, looked up from the last one found onwards: cheap for
/// texts asked for in ascending order (postings, candidates), right for any.
#[derive(Clone, Copy)]
pub(super) struct Owners<'a> {
    ranges: &'a TextRanges,
    /// The last node found, and its first text.
    node: usize,
    first: u32,
}

impl Owners<'_> {
    /// The node that has text `entry` (the last node for a text past the
    /// last, 0 when there is no node).
    pub(super) fn owner(&mut self, entry: u32) -> u32 {
        let r = self.ranges;
        let nodes = r.nodes();
        if nodes == 0 {
            return 0;
        }
        if entry >= r.total {
            return nodes as u32 - 1;
        }
        // From the last node found when the text is in its block or after
        // it, else from the block's sample; a block further on is found
        // among the samples.
        let block = self.node / BLOCK;
        let next = r.samples.get(block + 1).copied().unwrap_or(u32::MAX);
        if entry < self.first || entry >= next {
            let b = r.samples.partition_point(|&s| s <= entry).saturating_sub(1);
            self.node = b * BLOCK;
            self.first = r.samples[b];
        }
        // Counted on: the text is below the total, so some node has it.
        loop {
            let end = self.first + r.count(self.node);
            if entry < end {
                return self.node as u32;
            }
            self.first = end;
            self.node += 1;
        }
    }

    /// The node found last and the end of its texts: where a walk over
    /// texts in ascending order goes on from ([`TextRanges::walk`]).
    pub(super) fn at(&self) -> (u32, u32) {
        (self.node as u32, self.first + self.ranges.count(self.node))
    }
}

impl TextRanges {
    /// The node that has text `entry`, walking on from `at` (a node and the
    /// end of its texts, as [`Owners::at`] gives), for texts asked for in
    /// ascending order, each below the total (a filter pass's walk).
    #[inline]
    pub(super) fn walk(&self, at: &mut (u32, u32), entry: u32) -> u32 {
        let (mut node, mut end) = *at;
        while end <= entry {
            node += 1;
            end += self.count(node as usize);
        }
        *at = (node, end);
        node
    }
}
