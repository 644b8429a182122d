//! Bytes looked at eight at a time in a `u64`: the readers' short scans
//! (a quote, a space, a control character) over values too short for
//! [`memchr`] to pay. Each mask has the high bit of every byte that
//! matches set, and no other bit, so its lowest set bit is the first match
//! ([`first`]). And sixteen at a time with SSE2 ([`marks16`]), for the
//! scans past long stretches of plain bytes.

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

/// Bit `k` set when byte `k` of `block`'s first sixteen (it has at least
/// sixteen) is one of `set`'s (a few bytes), or below `below` (none when
/// 0), or not ASCII (when `high`): all sixteen looked at at once with SSE2
/// (every x86_64 has it). Called with constants, it compiles to the few
/// compares asked for.
#[inline(always)]
pub(crate) fn marks16(block: &[u8], set: &[u8], below: u8, high: bool) -> u32 {
    let block = &block[..16];
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        #[target_feature(enable = "sse2")]
        #[inline]
        fn sse2(block: &[u8], set: &[u8], below: u8, high: bool) -> u32 {
            use std::arch::x86_64::_mm_setzero_si128;
            use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8};
            use std::arch::x86_64::{_mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
            // SAFETY (of the load): `block` is sixteen bytes, read unaligned.
            let v = unsafe { _mm_loadu_si128(block.as_ptr().cast::<__m128i>()) };
            let mut any = _mm_setzero_si128();
            for &c in set {
                any = _mm_or_si128(any, _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8)));
            }
            if below > 0 {
                // Below `below`: no larger than `below - 1` (unsigned).
                let most = _mm_set1_epi8((below - 1) as i8);
                any = _mm_or_si128(any, _mm_cmpeq_epi8(_mm_min_epu8(v, most), v));
            }
            if high {
                // The movemask reads each byte's high bit: set for a byte
                // that is not ASCII.
                any = _mm_or_si128(any, v);
            }
            _mm_movemask_epi8(any) as u32
        }
        // SAFETY: the build targets SSE2 (the `cfg` above); `block` is
        // sixteen bytes.
        unsafe { sse2(block, set, below, high) }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        (block.iter().enumerate()).fold(0, |m, (k, &b)| {
            let hit = set.contains(&b) || b < below || (high && b >= 0x80);
            m | (u32::from(hit) << k)
        })
    }
}

/// Which bytes are ASCII letters or digits, or one of `extra`: a table
/// read with one load a byte (an id's check of every byte, where a test of
/// each took ten instructions).
pub(crate) const fn alphanumeric_and(extra: &[u8]) -> [bool; 256] {
    let mut ok = [false; 256];
    let mut c = 0;
    while c < 256 {
        ok[c] = (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    let mut k = 0;
    while k < extra.len() {
        ok[extra[k] as usize] = true;
        k += 1;
    }
    ok
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

    #[test]
    fn alphanumeric_and_marks_letters_digits_and_the_extra() {
        for extra in [&b""[..], b".-", b"-_.:"] {
            let table = alphanumeric_and(extra);
            for c in 0..=255u8 {
                let want = c.is_ascii_alphanumeric() || extra.contains(&c);
                assert_eq!(table[c as usize], want, "{extra:?} {c:#x}");
            }
        }
    }

    proptest! {
        /// Sixteen bytes' marks are those a byte-by-byte test makes.
        #[test]
        fn marks16_mark_what_a_byte_test_does(
            block in any::<[u8; 16]>(),
            picks in proptest::collection::vec(0usize..16, 0..4),
            extra in proptest::collection::vec(any::<u8>(), 0..3),
            below in any::<u8>(),
            high in any::<bool>(),
        ) {
            let mut set: Vec<u8> = picks.iter().map(|&k| block[k]).collect();
            set.extend(extra);
            let want = (block.iter().enumerate()).fold(0u32, |m, (k, &b)| {
                let hit = set.contains(&b) || b < below || (high && b >= 0x80);
                m | (u32::from(hit) << k)
            });
            prop_assert_eq!(marks16(&block, &set, below, high), want);
        }
    }
}
