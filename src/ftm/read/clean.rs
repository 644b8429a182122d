//! Values cleaned the way `followthemoney` cleans them before a record is
//! mapped: entity references must be valid FtM ids (and not the record's own),
//! dates must be dates; what fails is dropped and noted, never refused.

use std::borrow::Cow;

use super::super::schema::{PropMemo, PropType, SchemaDef};
use super::Flat;
use super::issues::{Issue, Notes};
use super::records::TypedRuns;
use crate::model::date::parse_day;
use crate::model::trim;
use crate::words;

/// The longest id `followthemoney` accepts.
const MAX_ID_LEN: usize = 200;

/// Is `id` a valid FtM entity id (`[0-9a-zA-Z]([0-9a-zA-Z.-]*[0-9a-zA-Z])?`,
/// at most 200 characters), as the library's entity type requires?
/// Checked eight bytes at a time (a relationship line asks it of its id
/// and of each party's).
#[inline]
pub fn valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    let n = b.len();
    // (Each end looked up in a table: a load, where a test of the three
    // ranges took ten instructions.)
    let edge = |c: u8| ALPHANUMERIC[usize::from(c)];
    if n == 0 || n > MAX_ID_LEN || !(edge(b[0]) & edge(b[n - 1])) {
        return false;
    }
    if n < 8 {
        return (b.iter()).all(|&c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-');
    }
    let word = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
    // Most ids (8 to 32 bytes): sixteen bytes at a time, the first and the
    // last sixteen (some read twice), or of a shorter one its first and
    // last eight.
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if n <= 32 {
        use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_set_epi64x};
        if n < 16 {
            // SAFETY: SSE2 is there (the `cfg` above).
            let v = unsafe { _mm_set_epi64x(word(n - 8) as i64, word(0) as i64) };
            return id_block(v);
        }
        // SAFETY: `b` has 16 to 32 bytes: `b[0..16]` and `b[n - 16..n]`
        // are in it, read unaligned; SSE2 is there.
        let (head, tail) = unsafe {
            (
                _mm_loadu_si128(b.as_ptr().cast::<__m128i>()),
                _mm_loadu_si128(b.as_ptr().add(n - 16).cast::<__m128i>()),
            )
        };
        return id_block(head) && id_block(tail);
    }
    // Whole words, then the last eight bytes (some read twice).
    (0..n / 8).all(|i| id_word(word(8 * i))) && (n.is_multiple_of(8) || id_word(word(n - 8)))
}

/// Which bytes are ASCII letters or digits (an id's first and last).
static ALPHANUMERIC: [bool; 256] = words::alphanumeric_and(b"");

/// Whether the sixteen bytes of `v` are each an ASCII letter or digit,
/// `.` or `-` (SSE2).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn id_block(v: std::arch::x86_64::__m128i) -> bool {
    use std::arch::x86_64::{_mm_andnot_si128, _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8};
    use std::arch::x86_64::{_mm_or_si128, _mm_set1_epi8, _mm_sub_epi8};
    // SAFETY: SSE2 is there (the `cfg` above); these only compute.
    unsafe {
        // `x` within `0..=hi` (unsigned): the lowest of the two is `x`.
        let within = |x, hi: i8| _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(hi)), x);
        // A letter of either case is in `a..=z` with its 0x20 bit set (no
        // other byte is: the subtraction wraps every other one above 25).
        let lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
        let letter = within(_mm_sub_epi8(lower, _mm_set1_epi8(b'a' as i8)), 25);
        // `-`, `.`, `/` and the digits are `0x2d..=0x39`; `/` is not kept.
        let mark = within(_mm_sub_epi8(v, _mm_set1_epi8(0x2d)), 12);
        let slash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'/' as i8));
        let ok = _mm_or_si128(letter, _mm_andnot_si128(slash, mark));
        _mm_movemask_epi8(ok) == 0xffff
    }
}

/// Whether the eight bytes of `w` are each an ASCII letter or digit, `.`
/// or `-`.
#[inline(always)]
fn id_word(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    if w & HIGH != 0 {
        return false;
    }
    // Per byte (each below 0x80, so no carry crosses one): its high bit
    // set where it is in `lo..=hi`.
    let within =
        |x: u64, lo: u64, hi: u64| (x + ONES * (0x80 - lo)) & !(x + ONES * (0x7f - hi)) & HIGH;
    // (A letter of either case is in `a..=z` with its 0x20 bit set; no
    // other byte is.)
    let letter = within(w | (ONES * 0x20), 0x61, 0x7a);
    (letter | within(w, 0x30, 0x39) | within(w, 0x2d, 0x2e)) == HIGH
}

/// One property of a record as read: its name, its values, and for the
/// careful reader what it dropped (objects and lists) and the ids of the
/// entities nested in it (each then read as a record of its own).
pub(super) struct Prop<'a> {
    pub(super) name: Cow<'a, str>,
    pub(super) values: Vec<Cow<'a, str>>,
    pub(super) dropped: usize,
    pub(super) nested: Vec<String>,
}

/// A record's properties (sorted by name) with invalid values dropped and
/// noted, as `followthemoney` cleans them: the values kept, in one buffer
/// (the parties among its first 64 values marked), and their runs, each
/// one property with its type in `def`.
pub(super) fn clean<'p>(
    notes: &mut Notes,
    id: &str,
    def: Option<&'static SchemaDef>,
    props: &'p [Prop<'_>],
) -> (Flat, TypedRuns<'p>) {
    let mut flat = Flat::default();
    let mut runs = TypedRuns::new();
    for p in props {
        let prop: &'p str = &p.name;
        for _ in 0..p.dropped {
            notes.note(
                Issue::BadValue,
                format!("`{id}` {prop}: an object or list where text was expected"),
            );
        }
        for nid in &p.nested {
            notes.note(Issue::Nested, format!("`{id}` {prop}: entity `{nid}`"));
        }
        let ptype = def.and_then(|d| d.prop(prop));
        let first = flat.ends.len();
        for v in &p.values {
            if keep(notes, id, prop, ptype, v) {
                if ptype == Some(PropType::Entity) && flat.ends.len() < 64 {
                    flat.parties |= 1 << flat.ends.len();
                }
                flat.push(prop, v);
            }
        }
        if flat.ends.len() > first {
            runs.push((prop, ptype, first, flat.ends.len()));
        }
    }
    (flat, runs)
}

/// Whether `clean` keeps value `v` of property `prop` (of type `ptype`),
/// noting why not.
fn keep(notes: &mut Notes, id: &str, prop: &str, ptype: Option<PropType>, v: &str) -> bool {
    let typed = match ptype {
        Some(PropType::Entity) => {
            let r = trim(v);
            if !valid_id(r) {
                notes.note(Issue::InvalidRef, format!("`{id}` {prop}: `{r}`"));
                false
            } else if r == id {
                notes.note(Issue::SelfRef, format!("`{id}` {prop}: `{r}`"));
                false
            } else {
                true
            }
        }
        Some(PropType::Date) => match parse_day(v) {
            Ok(_) => true,
            Err(e) => {
                notes.note(Issue::BadDate, format!("`{id}` {prop}: `{v}`: {e}"));
                false
            }
        },
        _ => true,
    };
    typed && !trim(v).is_empty()
}

/// Where a string of a line is: its bytes `start..end` (between its quotes).
#[derive(Clone, Copy, Debug)]
pub(super) struct Span {
    pub(super) start: u32,
    pub(super) end: u32,
}

impl Span {
    pub(super) fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// This string of `line`.
    pub(super) fn of(self, line: &str) -> &str {
        &line[self.start as usize..self.end as usize]
    }
}

impl Span {
    /// This place, `at` bytes further on (a place in a line made one in
    /// the text the line is in).
    pub(super) fn shifted(self, at: u32) -> Span {
        Span {
            start: self.start + at,
            end: self.end + at,
        }
    }
}

/// Whether `a` comes strictly before `b`, as bytes (names differ within
/// their first few bytes: compared byte by byte, without a call to
/// `memcmp`, which half of them took when only the first byte was).
#[inline(always)]
pub(super) fn rises(a: &[u8], b: &[u8]) -> bool {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x < y;
        }
    }
    a.len() < b.len()
}

/// `fast::stop` of `b[start..]`, as a place in `b`: where fewer than sixteen
/// bytes are left (a line's last string), the last sixteen of `b` looked
/// at, the marks of those before `start` shifted out (not eight at a
/// time, then byte by byte: 80 instructions a line).
#[inline(always)]
pub(super) fn stop_from(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    while let Some(block) = b.get(i..i + 16) {
        // A quote, a backslash or a control character (below 0x20).
        let m = words::marks16(block, b"\"\\", 0x20, false);
        if m != 0 {
            return Some(i + m.trailing_zeros() as usize);
        }
        i += 16;
    }
    match b.len().checked_sub(16) {
        // (`i` is past `base`, and at most sixteen bytes past it.)
        Some(base) => {
            let m = words::marks16(&b[base..], b"\"\\", 0x20, false) >> (i - base);
            (m != 0).then(|| i + m.trailing_zeros() as usize)
        }
        None => stop_words(&b[i..]).map(|j| i + j),
    }
}

/// `fast::stop`, eight bytes at a time. (Not inlined: inlined, its constants
/// and registers were set up on every call of `fast::stop`, most of which end
/// in the first sixteen bytes: 1.6 % more instructions in all.)
#[inline(never)]
pub(super) fn stop_words(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(word) = b.get(i..i + 8) {
        let x = words::word(word);
        let marks = words::eq(x, b'"') | words::eq(x, b'\\') | words::below(x, 0x20);
        if marks != 0 {
            return Some(i + words::first(marks));
        }
        i += 8;
    }
    (b[i..].iter())
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .map(|j| i + j)
}

/// [`clean`] for a relationship record of the fast path (nothing dropped or
/// nested): its properties `(name, start, end)`, sorted by name, each the
/// values `start..end` of `values`, all places in the line that starts at
/// byte `at` of `text`; each value kept handed to `push` with its
/// property's name, both as places in `text`. Each property's type is
/// looked up once (and, if `runs` is given, the runs of the kept values
/// of each property pushed on it with that type; the types looked up
/// through `memo`). Returns which of the first 64 kept values are parties.
#[allow(clippy::too_many_arguments)]
pub(super) fn clean_values<'t>(
    notes: &mut Notes,
    id: &str,
    def: &'static SchemaDef,
    text: &'t str,
    at: u32,
    names: &[(Span, u32, u32)],
    values: &[Span],
    runs: Option<&mut TypedRuns<'t>>,
    memo: &mut PropMemo,
    push: impl FnMut(Span, Span),
) -> u64 {
    clean_spans(
        notes,
        id,
        Some(def),
        (text, at),
        (names, values),
        runs,
        memo,
        push,
    )
}

/// [`clean_values`] of a record of any schema, or of one `ties` does not
/// know (`def` `None`: every value of every property kept unless blank).
///
/// Each property's values are looked at as its type asks: a text (most
/// values) kept when its first byte is printable ASCII (then it is not
/// blank) without slicing it, else trimmed as [`keep`] does; an entity's id
/// kept when it is a valid id other than the record's, a date when it
/// parses; any value dropped is noted by [`keep`], as the careful reader
/// notes it.
#[allow(clippy::too_many_arguments)]
pub(super) fn clean_spans<'t>(
    notes: &mut Notes,
    id: &str,
    def: Option<&'static SchemaDef>,
    (text, at): (&'t str, u32),
    (names, values): (&[(Span, u32, u32)], &[Span]),
    mut runs: Option<&mut TypedRuns<'t>>,
    memo: &mut PropMemo,
    mut push: impl FnMut(Span, Span),
) -> u64 {
    let (mut parties, mut kept) = (0u64, 0usize);
    let bytes = text.as_bytes();
    for &(k, start, end) in names {
        let k = k.shifted(at);
        let name = k.of(text);
        let ptype = def.and_then(|d| memo.prop(d, name));
        let first = kept;
        let run = &values[start as usize..end as usize];
        match ptype {
            Some(PropType::Entity) => {
                for &v in run {
                    let v = v.shifted(at);
                    let value = v.of(text);
                    let r = trim(value);
                    if valid_id(r) && r != id {
                        if kept < 64 {
                            parties |= 1 << kept;
                        }
                        push(k, v);
                        kept += 1;
                    } else {
                        // (Noted there.)
                        keep(notes, id, name, ptype, value);
                    }
                }
            }
            Some(PropType::Date) => {
                for &v in run {
                    let v = v.shifted(at);
                    if keep(notes, id, name, ptype, v.of(text)) {
                        push(k, v);
                        kept += 1;
                    }
                }
            }
            _ => {
                for &v in run {
                    let v = v.shifted(at);
                    // Not blank: a printable ASCII byte first, or not all
                    // whitespace.
                    let plain = bytes
                        .get(v.start as usize)
                        .is_some_and(|&c| c > b' ' && c < 0x7f && v.end > v.start);
                    if plain || !trim(v.of(text)).is_empty() {
                        push(k, v);
                        kept += 1;
                    }
                }
            }
        }
        if let Some(runs) = runs.as_deref_mut()
            && kept > first
        {
            runs.push((name, ptype, first, kept));
        }
    }
    parties
}

/// [`clean_values`] written straight into a [`Flat`] (the line `line`).
pub(super) fn clean_into_flat(
    notes: &mut Notes,
    id: &str,
    def: &'static SchemaDef,
    line: &str,
    names: &[(Span, u32, u32)],
    values: &[Span],
    memo: &mut PropMemo,
) -> Flat {
    let run = |s: u32, e: u32| &values[s as usize..e as usize];
    let bytes: usize = (names.iter())
        .map(|&(k, s, e)| run(s, e).iter().map(|v| k.len() + v.len()).sum::<usize>())
        .sum();
    let mut flat = Flat {
        text: String::with_capacity(bytes),
        ends: Vec::with_capacity(values.len()),
        parties: 0,
    };
    flat.parties = clean_values(
        notes,
        id,
        def,
        line,
        0,
        names,
        values,
        None,
        memo,
        |k, v| {
            flat.push(k.of(line), v.of(line));
        },
    );
    flat
}

#[cfg(test)]
mod tests {
    use super::{MAX_ID_LEN, valid_id};
    use proptest::prelude::*;

    /// [`valid_id`] one byte at a time, as the library's pattern reads.
    fn valid_by_bytes(id: &str) -> bool {
        let b = id.as_bytes();
        let edge = |c: &u8| c.is_ascii_alphanumeric();
        let inner = |&c: &u8| c.is_ascii_alphanumeric() || c == b'.' || c == b'-';
        !b.is_empty()
            && b.len() <= MAX_ID_LEN
            && b.first().is_some_and(edge)
            && b.last().is_some_and(edge)
            && b.iter().all(inner)
    }

    /// Every byte (as a character, or the first byte of `é`) at every
    /// place of valid ids of 8 to 40 bytes: checked as one at a time.
    #[test]
    fn each_byte_of_an_id_is_checked() {
        for n in 8..=40 {
            let good: Vec<u8> = (0..n).map(|i| b"aZ0-9.q"[i % 7]).collect();
            for at in 0..n {
                for c in (0u8..=0x7f).chain([0xc3]) {
                    let mut id = good.clone();
                    id[at] = c;
                    if c == 0xc3 {
                        id.insert(at + 1, 0xa9);
                    }
                    let id = String::from_utf8(id).unwrap();
                    assert_eq!(valid_id(&id), valid_by_bytes(&id), "{id:?}");
                }
            }
        }
    }

    proptest! {
        /// Ids checked eight bytes at a time as one at a time: of any
        /// length, letters, digits, marks, other ASCII and not.
        #[test]
        fn ids_are_valid_as_the_cleaning_says(
            id in prop::collection::vec(
                prop::sample::select(vec![
                    'a', 'Z', 'q', '0', '9', '.', '-', '_', ' ', '/', ':', '@', '[', '`', '{',
                    '\u{7f}', '\u{e9}', '\u{0}',
                ]),
                0..40,
            ),
            long in 0usize..4,
        ) {
            let mut id: String = id.into_iter().collect();
            if long > 0 {
                id = format!("{}{id}", "a".repeat(196 + long));
            }
            prop_assert_eq!(valid_id(&id), valid_by_bytes(&id), "{:?}", id);
        }
    }

    #[test]
    fn ids_follow_the_library() {
        assert!(valid_id("NK-2GdmHtZTeNXjNVrBGEXZNj"));
        assert!(valid_id("addr-125caec37c3486d3a71de8ae943eec47f420b38a"));
        assert!(valid_id("Q151509"));
        assert!(valid_id("a.b-c"));
        assert!(!valid_id("Ibn Saud (Q151509)"));
        assert!(!valid_id("-a"));
        assert!(!valid_id("a_b"));
        assert!(!valid_id(""));
        assert!(!valid_id(&"a".repeat(201)));
        // Every byte, alone and inside an id, as the library's pattern says.
        for c in 0..=255u8 {
            let ok = c.is_ascii_alphanumeric() || c == b'.' || c == b'-';
            let inside = [b'a', c, b'z'];
            if let Ok(s) = std::str::from_utf8(&inside) {
                assert_eq!(valid_id(s), ok, "{c:#x}");
            }
            if let Ok(s) = std::str::from_utf8(&[c]) {
                assert_eq!(valid_id(s), c.is_ascii_alphanumeric(), "{c:#x}");
            }
        }
    }
}
