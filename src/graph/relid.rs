//! Relation ids made from what a relation says: the ids `ties export --format
//! ftm` gives relations without one of their own (`ties-rel-` and a hash of
//! the ends, the kind's phrase, the role and the date). A relation read with
//! such an id keeps only a flag (which way round its ends were hashed): the
//! id is made again when asked for ([`super::Relation::id`]), instead of a
//! copy of it being kept for every relation.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::model::PartialDate;
use crate::model::date::Precision;

/// What made ids start with.
pub const MADE_PREFIX: &str = "ties-rel-";

/// Is `id` usable as an FtM id as it is?
pub fn is_ftm_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 200 && id.bytes().all(|b| FTM_ID_BYTE[b as usize])
}

/// The bytes [`is_ftm_id`] takes: ASCII letters and digits, `-`, `_`, `.`
/// and `:` (one load a byte: made ids are checked for every relationship
/// read).
static FTM_ID_BYTE: [bool; 256] = crate::words::alphanumeric_and(b"-_.:");

/// 64-bit FNV-1a, each part followed by `0xff`: a stable hash, the same on
/// every platform and run.
#[derive(Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    /// Adds one part.
    pub fn part(&mut self, p: &str) {
        self.part_bytes(p.as_bytes());
    }

    /// [`Self::part`] of bytes, then the mark.
    fn part_bytes(&mut self, p: &[u8]) {
        self.run(p, false);
    }

    /// Adds `p`, each `_` as a space if `spaces`, then the mark
    /// ([`forward`]).
    #[inline]
    fn run(&mut self, p: &[u8], spaces: bool) {
        self.0 = (forward(self.0, p, spaces) ^ 0xff).wrapping_mul(FNV_PRIME);
    }

    /// [`Self::part_bytes`] undone: the hash as it was before `p` and its
    /// mark were added ([`backward`]).
    #[inline]
    fn unpart_bytes(&mut self, p: &[u8]) {
        self.0 = backward(self.0.wrapping_mul(FNV_INVERSE) ^ 0xff, p);
    }

    pub fn finish(self) -> u64 {
        self.0
    }
}

/// FNV-1a's multiplier.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The inverse of [`FNV_PRIME`] modulo 2⁶⁴ (it is odd): a step of FNV-1a,
/// `h' = (h ^ b) * FNV_PRIME`, is undone by `h = h' * FNV_INVERSE ^ b`.
const FNV_INVERSE: u64 = inverse(FNV_PRIME);

/// The inverse of odd `a` modulo 2⁶⁴ (Newton's iteration: each step
/// doubles the bits that are right, from the three `a` itself is right in).
const fn inverse(a: u64) -> u64 {
    let mut x = a;
    let mut i = 0;
    while i < 5 {
        x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
        i += 1;
    }
    x
}

/// FNV-1a over `p` from `h` (no mark after it), each `_` as a space if
/// `spaces`: eight bytes read at a time (one load, then each byte shifted
/// out of it: the same hash as a byte at a time, in about half the
/// instructions).
#[inline(always)]
fn forward(h: u64, p: &[u8], spaces: bool) -> u64 {
    // (Made for each `spaces`: no test of it per byte.)
    if spaces {
        forward_as::<true>(h, p)
    } else {
        forward_as::<false>(h, p)
    }
}

#[inline(always)]
fn forward_as<const SPACES: bool>(mut h: u64, p: &[u8]) -> u64 {
    let word = |w: u64| if SPACES { underscores_as_spaces(w) } else { w };
    let mut words = p.chunks_exact(8);
    for w in &mut words {
        let w = word(u64::from_le_bytes(w.try_into().expect("eight bytes")));
        for i in 0..8 {
            h = (h ^ (w >> (8 * i) & 0xff)).wrapping_mul(FNV_PRIME);
        }
    }
    let rest = words.remainder().len();
    if p.len() >= 8 {
        // The last `rest` bytes, the low ones of the word that ends `p`.
        let last = p.len() - 8;
        let w = word(u64::from_le_bytes(
            p[last..].try_into().expect("eight bytes"),
        ));
        let w = w.checked_shr(8 * (8 - rest) as u32).unwrap_or(0);
        for i in 0..rest {
            h = (h ^ (w >> (8 * i) & 0xff)).wrapping_mul(FNV_PRIME);
        }
    } else {
        for &b in words.remainder() {
            let b = if SPACES && b == b'_' { b' ' } else { b };
            h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
        }
    }
    h
}

/// [`forward`] (of a part without `_` made spaces) undone: the hash `h`
/// was before `p` was hashed into it.
#[inline(always)]
fn backward(mut h: u64, p: &[u8]) -> u64 {
    let mut words = p.rchunks_exact(8);
    for w in &mut words {
        let w = u64::from_le_bytes(w.try_into().expect("eight bytes"));
        for i in (0..8).rev() {
            h = h.wrapping_mul(FNV_INVERSE) ^ (w >> (8 * i) & 0xff);
        }
    }
    let rest = words.remainder().len();
    if p.len() >= 8 {
        // The first `rest` bytes, the low ones of the word that starts `p`.
        let w = u64::from_le_bytes(p[..8].try_into().expect("eight bytes"));
        for i in (0..rest).rev() {
            h = h.wrapping_mul(FNV_INVERSE) ^ (w >> (8 * i) & 0xff);
        }
    } else {
        for &b in words.remainder().iter().rev() {
            h = h.wrapping_mul(FNV_INVERSE) ^ u64::from(b);
        }
    }
    h
}

/// The eight bytes of `w` with each `_` made a space.
fn underscores_as_spaces(w: u64) -> u64 {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // The bytes that are `_`: those of `x` that are zero, each marked by
    // its high bit (exactly: no carry crosses a byte).
    let x = w ^ 0x5f5f_5f5f_5f5f_5f5f;
    let zero = !(((x & LOW) + LOW) | x | LOW);
    // (`_` ^ ` ` is 0x7f.)
    w ^ ((zero >> 7) * 0x7f)
}

/// [`Fnv`] of `parts`.
pub fn fnv(parts: &[&str]) -> u64 {
    let mut h = Fnv::default();
    for p in parts {
        h.part(p);
    }
    h.finish()
}

/// The FtM id of an entity id: itself when valid, else a hash of it.
pub fn ftm_entity_id(id: &str) -> Cow<'_, str> {
    if is_ftm_id(id) {
        Cow::Borrowed(id)
    } else {
        Cow::Owned(format!("ties-{:016x}", fnv(&[id])))
    }
}

/// The hash of a made relation id: of its first and second end's entity
/// ids, its kind's label (`holds_office`: hashed as the phrase, `holds
/// office`), its role (empty for none) and its start date.
pub fn made_hash(
    first: &str,
    label: &str,
    second: &str,
    role: &str,
    date: Option<PartialDate>,
) -> u64 {
    made_hash_of_ids(
        &ftm_entity_id(first),
        label,
        &ftm_entity_id(second),
        role,
        date,
    )
}

/// [`made_hash`] of ends whose ids are FtM ids as they are ([`is_ftm_id`]:
/// [`ftm_entity_id`] would give them back).
pub fn made_hash_of_ids(
    first: &str,
    label: &str,
    second: &str,
    role: &str,
    date: Option<PartialDate>,
) -> u64 {
    let mut h = Fnv::default();
    h.part(first);
    h.run(label.as_bytes(), true);
    h.part(second);
    h.part(role);
    h.part_bytes(DateText::of(date).bytes());
    h.finish()
}

/// Whether `h` is [`made_hash_of_ids`] of these values: the same answer
/// as making it and comparing, in about half the time. FNV-1a is a chain
/// of multiplies, each waiting on the one before; every step can be
/// undone ([`FNV_INVERSE`]), so the first parts are hashed forward from
/// FNV's start and the last ones backward from `h`, two chains of about
/// half the length that the core runs side by side, and the two must meet.
pub fn is_made_hash_of_ids(
    h: u64,
    first: &str,
    label: &str,
    second: &str,
    role: &str,
    date: Option<PartialDate>,
) -> bool {
    let day = DateText::of(date);
    let day = day.bytes();
    // [`made_hash_of_ids`]'s steps, the first two forward, the last two
    // undone from `h`.
    let mut ahead = Fnv::default();
    ahead.part(first);
    ahead.run(label.as_bytes(), true);
    let mut back = Fnv(h);
    back.unpart_bytes(day);
    back.unpart_bytes(role.as_bytes());
    // The second end on the shorter side.
    if first.len() + label.len() <= role.len() + day.len() {
        ahead.part(second);
    } else {
        back.unpart_bytes(second.as_bytes());
    }
    ahead.0 == back.0
}

/// The made id of hash `h`.
pub fn made_id(h: u64) -> String {
    format!("{MADE_PREFIX}{h:016x}")
}

/// The hash a made id spells (`ties-rel-` and 16 lowercase hex digits),
/// `None` for any other id.
pub fn made_id_hash(id: &str) -> Option<u64> {
    let b: &[u8; 25] = id.as_bytes().try_into().ok()?;
    // The prefix compared as two words (no call to `memcmp`; its last byte
    // is read again by the second).
    let word = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
    const HEAD: u64 = u64::from_le_bytes(*b"ties-rel");
    const TAIL: u64 = u64::from_le_bytes(*b"ies-rel-");
    if word(0) != HEAD || word(1) != TAIL {
        return None;
    }
    // The digits eight at a time, without a branch on any (the digits of
    // a hash are letters or not at random).
    let (high, ok_high) = hex_word(word(9));
    let (low, ok_low) = hex_word(word(17));
    (ok_high && ok_low).then_some(u64::from(high) << 32 | u64::from(low))
}

/// The number eight lowercase hexadecimal digits spell (the first the
/// most significant; `w`'s bytes in the order of the text), and whether
/// they all are such digits.
fn hex_word(w: u64) -> (u32, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Per byte below 0x80: its high bit set where it is at least `lo`
    // (`x + 0x80 - lo`), and where it is above `hi` (`x + 0x7f - hi`).
    let at_least = |lo: u64| (w & !HIGH) + ONES * (0x80 - lo);
    let above = |hi: u64| (w & !HIGH) + ONES * (0x7f - hi);
    let digit = at_least(0x30) & !above(0x39) & HIGH;
    let letter = at_least(0x61) & !above(0x66) & HIGH;
    let ok = w & HIGH == 0 && (digit | letter) == HIGH;
    // Each byte's value: its low four bits, plus nine for a letter.
    let v = (w & 0x0f0f_0f0f_0f0f_0f0f) + (letter >> 7) * 9;
    // The first digit is the lowest byte: most significant.
    let v = v.swap_bytes();
    let v = (v | v >> 4) & 0x00ff_00ff_00ff_00ff;
    let v = (v | v >> 8) & 0x0000_ffff_0000_ffff;
    let v = (v | v >> 16) & 0xffff_ffff;
    (v as u32, ok)
}

/// The numbers 00 to 99, two digits each, in order: a date's text written
/// two digits at a time (where each digit took a multiply, a shift and
/// a subtraction).
const PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// A date's text, written without allocating.
#[derive(Default)]
struct DateText {
    buf: [u8; 24],
    len: usize,
}

impl DateText {
    /// `date` as its `Display` writes it, or nothing.
    fn of(date: Option<PartialDate>) -> Self {
        let mut day = DateText::default();
        if let Some(d) = date {
            day.date(d);
        }
        day
    }

    /// What was written.
    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Writes `d` as its `Display` does (`2024`, `2024-05`, `2024-05-09`),
    /// by hand for years of four digits.
    fn date(&mut self, d: PartialDate) {
        let year = d.year_value();
        if !(0..=9999).contains(&year) {
            let _ = write!(self, "{d}");
            return;
        }
        // See `PartialDate::to_bits`: the month in bits 16..20, the day in 24..29.
        let bits = d.to_bits();
        // Two digits of `n` (below 100), from [`PAIRS`].
        let pair = |n: u32, out: &mut Self| {
            let at = 2 * n as usize;
            out.buf[out.len..out.len + 2].copy_from_slice(&PAIRS[at..at + 2]);
            out.len += 2;
        };
        let year = year as u32;
        pair(year / 100, self);
        pair(year % 100, self);
        for (n, shown) in [
            ((bits >> 16) & 0xf, d.precision() != Precision::Year),
            ((bits >> 24) & 0x1f, d.precision() == Precision::Day),
        ] {
            if shown {
                self.buf[self.len] = b'-';
                self.len += 1;
                pair(n, self);
            }
        }
    }

    #[cfg(test)]
    fn as_str(&self) -> &str {
        std::str::from_utf8(self.bytes()).unwrap_or("")
    }
}

impl std::fmt::Write for DateText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let slot = self.buf.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ftm_ids_are_letters_digits_and_four_marks() {
        for c in 0..=255u8 {
            let want = c.is_ascii_alphanumeric() || b"-_.:".contains(&c);
            if let Ok(s) = std::str::from_utf8(&[b'a', c, b'z']) {
                assert_eq!(is_ftm_id(s), want, "{c:#x}");
            }
        }
    }

    #[test]
    fn made_hash_is_the_hash_of_the_parts_as_the_export_wrote_them() {
        let d: PartialDate = "2019-05-09".parse().unwrap();
        let parts = ["p-1", "holds office", "org-2", "minister", "2019-05-09"];
        assert_eq!(
            made_hash("p-1", "holds_office", "org-2", "minister", Some(d)),
            fnv(&parts)
        );
        let month: PartialDate = "2019-05".parse().unwrap();
        assert_eq!(
            made_hash("p-1", "signed", "a b", "", Some(month)),
            fnv(&[
                "p-1",
                "signed",
                &format!("ties-{:016x}", fnv(&["a b"])),
                "",
                "2019-05"
            ])
        );
        assert_eq!(
            made_hash("p-1", "signed", "o", "", None),
            fnv(&["p-1", "signed", "o", "", ""])
        );
    }

    #[test]
    fn dates_are_written_as_display_writes_them() {
        let mut dates: Vec<PartialDate> = ["0001", "0999-12", "2024-02-29", "9999-12-31", "1970"]
            .iter()
            .map(|d| d.parse().unwrap())
            .collect();
        dates.extend(
            (1..=12).flat_map(|m| (1..=28).map(move |d| PartialDate::day(1987, m, d).unwrap())),
        );
        dates.extend(PartialDate::month(2001, 7));
        // (Every pair of a year's digits.)
        dates.extend(
            (0..=9999)
                .step_by(7)
                .filter_map(|y| PartialDate::day(y, 10, 31)),
        );
        for d in dates {
            assert_eq!(DateText::of(Some(d)).as_str(), d.to_string());
        }
    }

    #[test]
    fn only_a_made_id_spells_a_hash() {
        let h = 0x0123_4567_89ab_cdef;
        assert_eq!(made_id(h), "ties-rel-0123456789abcdef");
        assert_eq!(made_id_hash(&made_id(h)), Some(h));
        assert_eq!(made_id_hash(&made_id(7)), Some(7));
        assert_eq!(made_id_hash(&made_id(u64::MAX)), Some(u64::MAX));
        for other in [
            "ties-rel-0123456789ABCDEF",
            "ties-rel-0123456789abcde",
            "ties-rel-0123456789abcdef0",
            "ties-rel-+123456789abcdef",
            "ties-rel-0123456789abcdeg",
            "ties-rel-0123456789abcde/",
            "ties-rel-0123456789abcde:",
            "ties-rel-0123456789abcde`",
            "ties-rel-0123456789abcde\u{e9}",
            "xties-rel-0123456789abcdef",
            "ties-rel-0123456789abcdef-2",
            "",
        ] {
            assert_eq!(made_id_hash(other), None, "{other}");
        }
    }

    /// Every byte at every place of the sixteen digits: read as the digit
    /// it is, or the id as no hash.
    #[test]
    fn every_byte_in_a_made_id_reads_as_its_digit_or_none() {
        let h = 0xfedc_ba98_7654_3210;
        for at in 0..16 {
            for b in 0..=0x7fu8 {
                let mut id = made_id(h).into_bytes();
                id[MADE_PREFIX.len() + at] = b;
                let id = String::from_utf8(id).unwrap();
                let hex = &id[MADE_PREFIX.len()..];
                let digit = b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
                let want = digit.then(|| u64::from_str_radix(hex, 16).unwrap());
                assert_eq!(made_id_hash(&id), want, "{id}");
            }
        }
    }

    proptest::proptest! {
        /// A part hashed eight bytes at a time is hashed as one byte at a
        /// time (`_` made a space where asked), of any length.
        #[test]
        fn parts_hash_as_byte_by_byte(
            p in proptest::collection::vec(
                proptest::sample::select(vec![b'_', b' ', b'a', 0x5e, 0x60, 0xdf, 0x7f, 0xff, 0]),
                0..40,
            ),
            spaces: bool,
            seed: u64,
        ) {
            let mut h = Fnv(seed);
            h.run(&p, spaces);
            let mut want = seed;
            for &b in p.iter().chain(&[0xff]) {
                let b = if spaces && b == b'_' { b' ' } else { b };
                want = (want ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
            proptest::prop_assert_eq!(h.finish(), want);
        }

        /// Ends that are FtM ids hash as [`made_hash`] hashes them.
        #[test]
        fn ids_hash_as_made_hash_does(a in "[a-z0-9._:-]{1,30}", b in "[a-zA-Z0-9-]{1,30}", label in "[a-z_]{0,20}", role in ".{0,20}") {
            proptest::prop_assert_eq!(
                made_hash_of_ids(&a, &label, &b, &role, None),
                made_hash(&a, &label, &b, &role, None)
            );
        }

        /// [`backward`] undoes [`forward`], for any bytes of any length.
        #[test]
        fn backward_undoes_forward(p in proptest::collection::vec(proptest::num::u8::ANY, 0..40), seed: u64) {
            proptest::prop_assert_eq!(backward(forward(seed, &p, false), &p), seed);
        }

        /// A hash checked by meeting halves ([`is_made_hash_of_ids`]) is
        /// the one [`made_hash_of_ids`] makes, and no other (a bit of it
        /// flipped, or a part changed), for parts of any length.
        #[test]
        fn made_hashes_are_checked_as_made(
            a in "[a-z0-9_-]{0,40}",
            b in "[a-z0-9_-]{0,40}",
            label in "[a-z_ ]{0,30}",
            role in ".{0,30}",
            date in proptest::option::of((1i32..3000, 1u32..13, 1u32..29, 0u8..3)),
            bit in 0u32..64,
        ) {
            let date = date.and_then(|(y, m, d, p)| match p {
                0 => PartialDate::year(y),
                1 => PartialDate::month(y, m),
                _ => PartialDate::day(y, m, d),
            });
            let h = made_hash_of_ids(&a, &label, &b, &role, date);
            proptest::prop_assert!(is_made_hash_of_ids(h, &a, &label, &b, &role, date));
            proptest::prop_assert!(!is_made_hash_of_ids(h ^ 1 << bit, &a, &label, &b, &role, date));
            let other = format!("{a}x");
            proptest::prop_assert!(!is_made_hash_of_ids(h, &other, &label, &b, &role, date));
            let spaced = label.replace('_', " ");
            proptest::prop_assert!(is_made_hash_of_ids(h, &a, &spaced, &b, &role, date));
        }

        /// Every hash spelled as a made id reads back; a made id with a
        /// digit changed to any other byte reads as no hash, or another.
        #[test]
        fn made_ids_read_back(h: u64, at in 0usize..16, b: u8) {
            proptest::prop_assert_eq!(made_id_hash(&made_id(h)), Some(h));
            let mut id = made_id(h).into_bytes();
            id[MADE_PREFIX.len() + at] = b;
            if let Ok(id) = String::from_utf8(id) {
                let hex = &id[MADE_PREFIX.len()..];
                let lower = hex.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c));
                let want = if lower { u64::from_str_radix(hex, 16).ok() } else { None };
                proptest::prop_assert_eq!(made_id_hash(&id), want);
            }
        }
    }
}
