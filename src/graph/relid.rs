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
    /// Adds `bytes` as they are (no end mark).
    fn bytes(&mut self, bytes: impl IntoIterator<Item = u8>) {
        for b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// Adds one part.
    pub fn part(&mut self, p: &str) {
        self.part_bytes(p.as_bytes());
    }

    /// [`Self::part`] of bytes: a plain loop over a slice, then the mark
    /// (a chained iterator was tested at every byte).
    fn part_bytes(&mut self, p: &[u8]) {
        for &b in p {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.bytes([0xff]);
    }

    pub fn finish(self) -> u64 {
        self.0
    }
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
    let mut h = Fnv::default();
    h.part(&ftm_entity_id(first));
    for &b in label.as_bytes() {
        h.bytes([if b == b'_' { b' ' } else { b }]);
    }
    h.bytes([0xff]);
    h.part(&ftm_entity_id(second));
    h.part(role);
    let mut day = DateText::default();
    if let Some(d) = date {
        day.date(d);
    }
    h.part_bytes(&day.buf[..day.len]);
    h.finish()
}

/// The made id of hash `h`.
pub fn made_id(h: u64) -> String {
    format!("{MADE_PREFIX}{h:016x}")
}

/// The hash a made id spells (`ties-rel-` and 16 lowercase hex digits),
/// `None` for any other id.
pub fn made_id_hash(id: &str) -> Option<u64> {
    let hex = id.strip_prefix(MADE_PREFIX)?;
    let hex: &[u8; 16] = hex.as_bytes().try_into().ok()?;
    // Each digit read by one load, without a branch (the digits of a hash
    // are letters or not at random: a branch on it mispredicted half the
    // time), any other byte remembered by its high bit.
    let (mut h, mut bad) = (0u64, 0u8);
    for &b in hex {
        let d = HEX_DIGIT[usize::from(b)];
        bad |= d;
        h = h << 4 | u64::from(d & 0xf);
    }
    (bad & 0x80 == 0).then_some(h)
}

/// Each byte's value as a lowercase hexadecimal digit, `0x80` for a byte
/// that is none.
static HEX_DIGIT: [u8; 256] = {
    let mut t = [0x80u8; 256];
    let mut d = 0;
    while d < 16 {
        t[b"0123456789abcdef"[d] as usize] = d as u8;
        d += 1;
    }
    t
};

/// A date's text, written without allocating.
#[derive(Default)]
struct DateText {
    buf: [u8; 24],
    len: usize,
}

impl DateText {
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
        let digits = |n: u32, width: u32, out: &mut Self| {
            for i in (0..width).rev() {
                out.buf[out.len] = b'0' + (n / 10u32.pow(i) % 10) as u8;
                out.len += 1;
            }
        };
        digits(year as u32, 4, self);
        for (n, shown) in [
            ((bits >> 16) & 0xf, d.precision() != Precision::Year),
            ((bits >> 24) & 0x1f, d.precision() == Precision::Day),
        ] {
            if shown {
                self.buf[self.len] = b'-';
                self.len += 1;
                digits(n, 2, self);
            }
        }
    }

    #[cfg(test)]
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
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
        for d in dates {
            let mut t = DateText::default();
            t.date(d);
            assert_eq!(t.as_str(), d.to_string());
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
