//! The packed copy of a query's matches that the next keystroke narrows
//! ([`Matches`]), and one text as a filter pass reads it ([`Text`]).

/// Texts that matched a query, copied out of the index in index order, in one
/// or more parts (one per thread that found them).
#[derive(Debug, Default, Clone)]
pub(crate) struct Matches {
    pub(super) parts: Vec<Part>,
}

/// A run of matched texts, each with its index entry, owner and mask.
#[derive(Debug, Default, Clone)]
pub(super) struct Part {
    pub(super) entries: Vec<u32>,
    pub(super) owners: Vec<u32>,
    /// The index's mask word of each text (character and word-start masks,
    /// flags).
    pub(super) masks: Vec<u64>,
    /// Where the greedy match of the query's last term ended in each text, when
    /// that term is fuzzy: the next keystroke, if it only types on at that term,
    /// looks for the new letters from there. [`WAS_FUZZY`](super::engine::WAS_FUZZY) marks texts that
    /// matched in the fuzzy tier.
    pub(super) resume: Vec<u32>,
    /// Text `k` ends at `ends[k]` in `bytes` and starts where text `k - 1` ends.
    pub(super) ends: Vec<u32>,
    pub(super) bytes: Vec<u8>,
}

impl Part {
    pub(super) fn clear(&mut self) {
        self.entries.clear();
        self.owners.clear();
        self.masks.clear();
        self.resume.clear();
        self.ends.clear();
        self.bytes.clear();
    }

    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(super) fn reserve(&mut self, texts: usize, bytes: usize) {
        self.entries.reserve(texts);
        self.owners.reserve(texts);
        self.masks.reserve(texts);
        self.resume.reserve(texts);
        self.ends.reserve(texts);
        self.bytes.reserve(bytes);
    }

    #[inline]
    pub(super) fn text(&self, k: usize) -> &[u8] {
        let start = if k == 0 { 0 } else { self.ends[k - 1] as usize };
        self.bytes.get(start..self.ends[k] as usize).unwrap_or(&[])
    }

    #[inline]
    pub(super) fn push(&mut self, t: Text<'_>, resume: u32) {
        self.entries.push(t.entry);
        self.owners.push(t.owner);
        self.masks.push(t.mask);
        self.resume.push(resume);
        let text = t.text;
        self.bytes.extend_from_slice(text);
        // The packed bytes never outgrow the index's, whose offsets fit in u32.
        self.ends.push(self.bytes.len() as u32);
    }
}

impl Matches {
    /// Number of texts.
    pub fn len(&self) -> usize {
        self.parts.iter().map(Part::len).sum()
    }

    /// Empties every part, keeping its memory.
    pub fn clear(&mut self) {
        self.parts.iter_mut().for_each(Part::clear);
    }

    /// Empties the parts, keeping their memory, and makes `n` of them.
    pub(super) fn reset(&mut self, n: usize) {
        self.parts.resize_with(n, Part::default);
        self.parts.truncate(n);
        self.parts.iter_mut().for_each(Part::clear);
    }
}

/// One text as a filter pass reads it.
#[derive(Clone, Copy)]
pub(super) struct Text<'a> {
    pub(super) entry: u32,
    pub(super) owner: u32,
    /// The index's mask word (character and word-start masks, flags).
    pub(super) mask: u64,
    /// See [`Part::resume`]; 0 when read from the index.
    pub(super) resume: u32,
    pub(super) text: &'a [u8],
    /// `text` is a name as the graph holds it
    /// ([`SHARED_BIT`](super::engine::SHARED_BIT)), to lower-case before
    /// it is matched or copied.
    pub(super) raw: bool,
}
