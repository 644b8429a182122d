//! A column that few rows of a table fill ([`Sparse`]): a presence bit per
//! row, and the values of the rows that have one, packed. A row's value is
//! found in constant time: the bits come in blocks of 64 that each know how
//! many values the rows before them hold (rank), so that a row's place among
//! the values is its block's rank plus the bits set before it in the block.
//! At 3 million relations, a column that one row in ten fills costs 0.4 MB of
//! bits and ranks besides its values, against 12 MB for a `u32` in every row.
//!
//! Rows are only appended (the graph never removes or reorders a relation), so
//! the blocks stop at the last row that has a value.

use bytemuck::{Pod, Zeroable};

use crate::codec::Store;

/// 64 rows' presence bits (`lo` for rows 0–31 of the block, `hi` for 32–63),
/// and how many rows before the block have a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub(crate) struct Block {
    rank: u32,
    lo: u32,
    hi: u32,
}

impl Block {
    fn bits(self) -> u64 {
        u64::from(self.lo) | u64::from(self.hi) << 32
    }
}

/// A column filled by few rows: see the module's comment.
#[derive(Debug, Clone)]
pub(crate) struct Sparse<T: Pod> {
    pub(crate) blocks: Store<Block>,
    pub(crate) values: Store<T>,
}

impl<T: Pod> Default for Sparse<T> {
    fn default() -> Self {
        Sparse {
            blocks: Store::default(),
            values: Store::default(),
        }
    }
}

impl<T: Pod> Sparse<T> {
    /// The value of `row`, if it has one.
    #[inline]
    pub(crate) fn get(&self, row: usize) -> Option<T> {
        let block = *self.blocks.get(row / 64)?;
        let bit = row % 64;
        let bits = block.bits();
        if bits >> bit & 1 == 0 {
            return None;
        }
        let before = (bits & ((1u64 << bit) - 1)).count_ones();
        self.values.get((block.rank + before) as usize).copied()
    }

    /// Gives `row` the value `value` (nothing for `None`). Rows are set in
    /// increasing order, each once: the row after every row set so far.
    /// (Inlined: most rows have no value, and the builder calls it for
    /// several columns of every relation.)
    #[inline]
    pub(crate) fn push(&mut self, row: usize, value: Option<T>) {
        if let Some(value) = value {
            self.put(row, value);
        }
    }

    /// [`Self::push`] of a value.
    fn put(&mut self, row: usize, value: T) {
        let rank = self.values.len() as u32;
        let blocks = self.blocks.vec();
        while blocks.len() <= row / 64 {
            blocks.push(Block { rank, lo: 0, hi: 0 });
        }
        let b = &mut blocks[row / 64];
        let bit = row % 64;
        debug_assert!(b.bits() >> bit == 0, "rows are set in order");
        if bit < 32 {
            b.lo |= 1 << bit;
        } else {
            b.hi |= 1 << (bit - 32);
        }
        self.values.vec().push(value);
    }

    /// Gives `row` the value `value`, in place when it has one already;
    /// otherwise among the values of the rows around it, the blocks after
    /// it counting one more value before them (a row before the last one
    /// given a value costs time in the number of values and blocks: for
    /// rows set late, which are few).
    pub(crate) fn set(&mut self, row: usize, value: T) {
        let (b, bit) = (row / 64, row % 64);
        let Some(&block) = self.blocks.get(b) else {
            self.push(row, Some(value));
            return;
        };
        let bits = block.bits();
        let at = (block.rank + (bits & ((1u64 << bit) - 1)).count_ones()) as usize;
        if bits >> bit & 1 == 1 {
            self.values.vec()[at] = value;
            return;
        }
        self.values.vec().insert(at, value);
        let blocks = self.blocks.vec();
        if bit < 32 {
            blocks[b].lo |= 1 << bit;
        } else {
            blocks[b].hi |= 1 << (bit - 32);
        }
        for later in &mut blocks[b + 1..] {
            later.rank += 1;
        }
    }

    /// The values, in row order.
    pub(crate) fn values(&self) -> &[T] {
        &self.values
    }

    /// Whether a column read from a snapshot is one this type could have made
    /// for a table of `rows` rows: no block past the rows, every rank the count
    /// of the bits before it, and as many values as bits.
    pub(crate) fn well_formed(&self, rows: usize) -> bool {
        let mut count: u64 = 0;
        for (i, b) in self.blocks.iter().enumerate() {
            if u64::from(b.rank) != count {
                return false;
            }
            let start = i * 64;
            if start >= rows {
                return false;
            }
            // No bit for a row past the table.
            let past = rows - start;
            if past < 64 && b.bits() >> past != 0 {
                return false;
            }
            count += u64::from(b.bits().count_ones());
        }
        count == self.values.len() as u64
    }

    pub(crate) fn bytes(&self) -> usize {
        self.blocks.bytes() + self.values.bytes()
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.blocks.shrink_to_fit();
        self.values.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Random rows with and without a value read back as they were set,
        /// and a column that lies about its ranks is refused.
        #[test]
        fn rows_read_back_as_set(
            values in proptest::collection::vec(proptest::option::weighted(0.2, any::<u32>()), 0..400),
        ) {
            let mut col = Sparse::<u32>::default();
            for (row, v) in values.iter().enumerate() {
                col.push(row, *v);
            }
            prop_assert!(col.well_formed(values.len()));
            for (row, v) in values.iter().enumerate() {
                prop_assert_eq!(col.get(row), *v);
            }
            prop_assert_eq!(col.get(values.len() + 64), None);
            let present: Vec<u32> = values.iter().flatten().copied().collect();
            prop_assert_eq!(col.values(), present.as_slice());
            if let Some(b) = col.blocks.vec().last_mut() {
                b.rank += 1;
                prop_assert!(!col.well_formed(values.len()));
            }
        }
    }

    proptest! {
        /// Rows given values later, in any order (new ones among the rows
        /// before, and ones that had a value already), read back as a plain
        /// column of options does, and the column stays one `push` could
        /// have made.
        #[test]
        fn rows_set_late_in_any_order_read_back_as_set(
            first in proptest::collection::vec(proptest::option::weighted(0.2, any::<u32>()), 0..300),
            late in proptest::collection::vec((0..400usize, any::<u32>()), 0..40),
        ) {
            let mut col = Sparse::<u32>::default();
            let mut want = first.clone();
            for (row, v) in first.iter().enumerate() {
                col.push(row, *v);
            }
            for &(row, v) in &late {
                col.set(row, v);
                if want.len() <= row {
                    want.resize(row + 1, None);
                }
                want[row] = Some(v);
            }
            prop_assert!(col.well_formed(want.len().max(1)));
            for (row, v) in want.iter().enumerate() {
                prop_assert_eq!(col.get(row), *v);
            }
            let present: Vec<u32> = want.iter().flatten().copied().collect();
            prop_assert_eq!(col.values(), present.as_slice());
        }
    }

    #[test]
    fn a_bit_past_the_rows_is_refused() {
        let mut col = Sparse::<u32>::default();
        col.push(70, Some(7));
        assert!(col.well_formed(71));
        assert!(!col.well_formed(70));
        assert!(!col.well_formed(64));
    }
}
