//! A table from 64-bit hashes to 64-bit values, probed in place (linear
//! probing, at most three quarters full), whose home slots can be
//! prefetched for a batch of keys before they are looked up one by one:
//! the graph's tables of lists and values stored so far, to share them
//! ([`super::Shared`], [`super::AttrTexts`]). A `HashMap` there cost the
//! FtM builder a cache miss on every lookup, one after another.

use bytemuck::{Pod, Zeroable};

use super::{AttrRow, Text};

/// The table. A key of 0 is kept as 1 (0 marks an empty slot): the keys
/// are hashes, every hit is checked against what it names.
#[derive(Debug, Clone, Default)]
pub(super) struct HashSlots {
    /// `[key, value]`; a power of two of them (or none).
    slots: Vec<[u64; 2]>,
    len: usize,
}

impl HashSlots {
    /// Keys held.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    fn key(h: u64) -> u64 {
        h.max(1)
    }

    /// Where `key` is, or the empty slot where it would go (a table with
    /// slots).
    fn slot(&self, key: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = (key as usize) & mask;
        while self.slots[i][0] != 0 && self.slots[i][0] != key {
            i = (i + 1) & mask;
        }
        i
    }

    /// The value of `h`.
    pub(super) fn get(&self, h: u64) -> Option<u64> {
        if self.slots.is_empty() {
            return None;
        }
        let [k, v] = self.slots[self.slot(Self::key(h))];
        (k != 0).then_some(v)
    }

    /// Sets the value of `h` (replacing one it had).
    pub(super) fn insert(&mut self, h: u64, value: u64) {
        if 4 * (self.len + 1) > 3 * self.slots.len() {
            let size = (2 * self.slots.len()).max(64);
            let old = std::mem::replace(&mut self.slots, vec![[0; 2]; size]);
            for s in old.into_iter().filter(|s| s[0] != 0) {
                let i = self.slot(s[0]);
                self.slots[i] = s;
            }
        }
        let key = Self::key(h);
        let i = self.slot(key);
        if self.slots[i][0] == 0 {
            self.len += 1;
        }
        self.slots[i] = [key, value];
    }

    /// Prefetches the slot where a lookup of `h` starts.
    pub(super) fn prefetch(&self, h: u64) {
        if !self.slots.is_empty() {
            let mask = self.slots.len() - 1;
            super::huge::prefetch(&self.slots[(Self::key(h) as usize) & mask]);
        }
    }
}

/// A text's first eight bytes and its last eight as two words (of a text
/// of four to seven bytes, its first four and last four in the first word;
/// of a shorter one, its bytes): with its length, equal exactly when the
/// texts are, for texts of at most 16 bytes. (Read without a copy: a copy
/// into a buffer was a call to `memcpy` for each.)
#[inline]
pub(crate) fn end_words(b: &[u8]) -> (u64, u64) {
    let n = b.len();
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("eight bytes"));
    let half = |b: &[u8]| u64::from(u32::from_le_bytes(b.try_into().expect("four bytes")));
    if n >= 8 {
        (word(&b[..8]), word(&b[n - 8..]))
    } else if n >= 4 {
        (half(&b[..4]) | half(&b[n - 4..]) << 32, 0)
    } else {
        let bytes = b.iter().enumerate();
        (bytes.fold(0, |w, (i, &c)| w | u64::from(c) << (8 * i)), 0)
    }
}

/// A text of at most 16 bytes as one number ([`end_words`]) and its
/// length: two texts are equal where their keys are.
pub(crate) fn short_key(s: &str) -> Option<(u128, usize)> {
    let b = s.as_bytes();
    (b.len() <= 16).then(|| {
        let (head, tail) = end_words(b);
        (u128::from(head) | u128::from(tail) << 64, b.len())
    })
}

/// The attribute values and lists stored most recently, in a few slots
/// each (one per hash, the last one kept), each slot holding what it
/// stands for (a value's bytes, a list's rows): a value or a list met
/// again soon, as most are (a publisher's name, the same few of them on
/// million of relations), is known for the one stored without a lookup
/// in the large tables nor a read of the arena or of the table of
/// attributes, which were a cache miss each. Emptied when the graph takes
/// rows back ([`super::Graph::undo`]): what they named may then differ.
#[derive(Debug, Clone, Default)]
pub(super) struct Recent {
    values: Vec<RecentValue>,
    lists: Vec<RecentList>,
    /// Lists of one attribute whose value is short, by the attribute's
    /// name and the value ([`short_key`]): where such a list is stored,
    /// found without hashing the value nor the list (a publisher's name,
    /// the one attribute of millions of relations).
    singles: Vec<Option<RecentSingle>>,
}

/// A list of one attribute: its name's symbol, its value's [`short_key`],
/// and `(start, length)` in the table of attributes.
type RecentSingle = (u32, (u128, usize), (u32, u32));

/// A value and where it is in the arena (`len` 0: none).
#[derive(Debug, Clone, Copy, Zeroable, Pod)]
#[repr(C)]
struct RecentValue {
    text: Text,
    len: u8,
    bytes: [u8; RecentValue::MAX_LEN],
}

impl RecentValue {
    const MAX_LEN: usize = 23;
}

/// A list of attributes and where it is in the table of them (`n` 0: none).
#[derive(Debug, Clone, Copy, Zeroable, Pod)]
#[repr(C)]
struct RecentList {
    at: u32,
    n: u32,
    rows: [AttrRow; RecentList::MAX_LEN],
}

impl RecentList {
    const MAX_LEN: usize = 3;
}

impl Recent {
    /// Slots of each sort (a power of two).
    const SLOTS: usize = 1024;

    /// The slot of hash `h`.
    fn at(h: u64) -> usize {
        (h as usize) & (Self::SLOTS - 1)
    }

    /// The slot of hash `h` in `slots`, made (all empty) the first time.
    fn slot<T: Zeroable + Clone>(slots: &mut Vec<T>, h: u64) -> &mut T {
        if slots.is_empty() {
            *slots = vec![T::zeroed(); Self::SLOTS];
        }
        &mut slots[Self::at(h)]
    }

    /// Where the value `value`, of hash `h`, was stored last, if known.
    #[inline]
    pub(super) fn value(&self, h: u64, value: &str) -> Option<Text> {
        let s = self.values.get(Self::at(h))?;
        let len = usize::from(s.len);
        (len == value.len() && len > 0 && s.bytes.get(..len) == Some(value.as_bytes()))
            .then_some(s.text)
    }

    /// Keeps that `value` (of hash `h`) is at `text`, if it is short enough.
    pub(super) fn keep_value(&mut self, h: u64, value: &str, text: Text) {
        if value.is_empty() || value.len() > RecentValue::MAX_LEN {
            return;
        }
        let s = Self::slot(&mut self.values, h);
        s.text = text;
        s.len = value.len() as u8;
        s.bytes[..value.len()].copy_from_slice(value.as_bytes());
    }

    /// Where the list `rows`, of hash `h`, was stored last, if known:
    /// `(start, length)` in the table of attributes.
    #[inline]
    pub(super) fn list(&self, h: u64, rows: &[AttrRow]) -> Option<(u32, u32)> {
        let s = self.lists.get(Self::at(h))?;
        let n = s.n as usize;
        (n == rows.len() && n > 0 && s.rows.get(..n) == Some(rows)).then_some((s.at, s.n))
    }

    /// Keeps that the list `rows` (of hash `h`) is at `at`, if it is short
    /// enough.
    pub(super) fn keep_list(&mut self, h: u64, rows: &[AttrRow], at: u32) {
        if rows.is_empty() || rows.len() > RecentList::MAX_LEN {
            return;
        }
        let s = Self::slot(&mut self.lists, h);
        s.at = at;
        s.n = rows.len() as u32;
        s.rows[..rows.len()].copy_from_slice(rows);
    }

    /// The slot of a list of one attribute, `key` with the value whose
    /// [`short_key`] is `value`.
    fn single_at(key: u32, value: (u128, usize)) -> usize {
        let mixed = (value.0 as u64 ^ (value.0 >> 64) as u64 ^ value.1 as u64)
            .wrapping_add(u64::from(key).wrapping_mul(0xff51_afd7_ed55_8ccd))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (mixed >> 54) as usize
    }

    /// Where a list of the one attribute `key` with the value whose
    /// [`short_key`] is `value` was stored last, if known.
    #[inline]
    pub(super) fn single(&self, key: u32, value: (u128, usize)) -> Option<(u32, u32)> {
        match self.singles.get(Self::single_at(key, value))? {
            Some((k, v, at)) if *k == key && *v == value => Some(*at),
            _ => None,
        }
    }

    /// Keeps that a list of the one attribute `key`, its value's
    /// [`short_key`] `value`, is at `at`.
    pub(super) fn keep_single(&mut self, key: u32, value: (u128, usize), at: (u32, u32)) {
        if self.singles.is_empty() {
            self.singles = vec![None; 1 << 10];
        }
        self.singles[Self::single_at(key, value)] = Some((key, value, at));
    }

    /// Forgets every value and list.
    pub(super) fn clear(&mut self) {
        self.values.clear();
        self.lists.clear();
        self.singles.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::HashSlots;

    #[test]
    fn slots_hold_what_was_set_through_growth() {
        let mut t = HashSlots::default();
        assert_eq!(t.get(7), None);
        t.prefetch(7);
        // 0 and 1 are one key (0 is kept as 1).
        t.insert(0, 10);
        assert_eq!((t.get(0), t.get(1), t.len()), (Some(10), Some(10), 1));
        let h = |i: u64| i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        for i in 1..5000 {
            t.insert(h(i), i);
        }
        t.insert(h(17), 1700);
        assert_eq!(t.len(), 5000);
        assert!((1..5000).all(|i| t.get(h(i)) == Some(if i == 17 { 1700 } else { i })));
        assert_eq!(t.get(h(5000)), None);
    }
}

#[cfg(test)]
mod short_key_tests {
    use proptest::prelude::*;

    use super::short_key;

    proptest! {
        /// Two texts of at most 16 bytes have the same key exactly when
        /// they are the same; a longer text has none.
        #[test]
        fn texts_share_a_key_only_when_equal(
            a in "[a-c_é]{0,18}",
            b in "[a-c_é]{0,18}",
        ) {
            let (ka, kb) = (short_key(&a), short_key(&b));
            prop_assert_eq!(ka.is_some(), a.len() <= 16);
            prop_assert_eq!(kb.is_some(), b.len() <= 16);
            if let (Some(ka), Some(kb)) = (ka, kb) {
                prop_assert_eq!(ka == kb, a == b);
            }
        }
    }
}
