//! Bytes looked at eight at a time in a `u64`: the readers' short scans
//! (a quote, a space, a control character) over values too short for
//! [`memchr`] to pay. Each mask has the high bit of every byte that
//! matches set, and no other bit, so its lowest set bit is the first match
//! ([`first`]).

/// `0x01` in every byte.
const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
/// Every bit but each byte's high bit.
const LOW: u64 = u64::from_ne_bytes([0x7f; 8]);

/// The eight bytes at the start of `s` (at least eight long) as one word,
/// the first byte lowest.
#[inline(always)]
pub(crate) fn word(s: &[u8]) -> u64 {
    u64::from_le_bytes(s[..8].try_into().expect("eight bytes"))
}

/// The high bit of each byte of `w` that is `b`.
#[inline(always)]
pub(crate) fn eq(w: u64, b: u8) -> u64 {
    let x = w ^ (ONES * u64::from(b));
    !(((x & LOW) + LOW) | x | LOW)
}

/// The high bit of each byte of `w` below `n` (`n` at most 0x80).
#[inline(always)]
pub(crate) fn below(w: u64, n: u8) -> u64 {
    debug_assert!(n <= 0x80);
    !(((w & LOW) + ONES * u64::from(0x80 - n)) | w | LOW)
}

/// The high bit of each byte of `w` that no mask of `m` marks.
#[inline(always)]
pub(crate) fn not(m: u64) -> u64 {
    !m & !LOW
}

/// Which byte the lowest mark of `m` (not zero) is on.
#[inline(always)]
pub(crate) fn first(m: u64) -> usize {
    m.trailing_zeros() as usize / 8
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every mask marks exactly the bytes a byte-by-byte test does.
        #[test]
        fn masks_mark_what_a_byte_test_does(bytes in any::<[u8; 8]>(), b in any::<u8>(), n in 0u8..=0x80) {
            let w = word(&bytes);
            let mark = |f: &dyn Fn(u8) -> bool| {
                (bytes.iter().enumerate()).fold(0u64, |m, (i, &c)| m | (u64::from(f(c)) << (8 * i + 7)))
            };
            prop_assert_eq!(eq(w, b), mark(&|c| c == b));
            prop_assert_eq!(eq(w, bytes[3]), mark(&|c| c == bytes[3]));
            prop_assert_eq!(below(w, n), mark(&|c| c < n));
            prop_assert_eq!(not(eq(w, b)), mark(&|c| c != b));
        }
    }
}
