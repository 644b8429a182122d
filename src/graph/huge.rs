//! Tables looked up at random (the id indexes) on 2 MB pages: a lookup in a
//! table of tens of MB on 4 kB pages misses the TLB as well as the cache, and
//! the page walk is much of its cost. Linux gives an anonymous mapping huge
//! pages only where asked (`madvise`, the usual setting of
//! `transparent_hugepage`), and only to pages not touched yet: the table is
//! asked for before it is filled.

/// `n` copies of `fill`, the buffer's 2 MB-aligned parts asked to be backed
/// by huge pages (where the system has them; anywhere else, or for a small
/// table, a plain `vec![fill; n]`).
pub(crate) fn filled<T: Copy>(fill: T, n: usize) -> Vec<T> {
    let mut v = Vec::with_capacity(n);
    advise(v.as_ptr(), n);
    v.resize(n, fill);
    v
}

/// An empty vector with room for `n`, its buffer asked as in [`filled`]
/// (for a table filled in order but then read and written at random).
pub(crate) fn with_capacity<T>(n: usize) -> Vec<T> {
    let v = Vec::with_capacity(n);
    advise(v.as_ptr(), n);
    v
}

/// Asks for the cache line of `at` to be brought in, without waiting for
/// it: a loop of these over a batch of lookups sends all their cache misses
/// out at once (a loop of loads stalls once the core's window of
/// instructions fills behind the first miss).
#[inline(always)]
pub(crate) fn prefetch<T>(at: &T) {
    prefetch_line((at as *const T).cast());
}

/// [`prefetch`] of the cache lines of `at` (a record read in several
/// places, say): its first byte's and each 64 bytes on. (Of a record not
/// aligned to 64 bytes that may leave its last line out; also asking for
/// the last byte's line measured no faster for the FtM builder's mapped
/// fields, BENCHMARKS.md.)
pub(crate) fn prefetch_all<T>(at: &T) {
    let start = (at as *const T).cast::<i8>();
    for offset in (0..std::mem::size_of::<T>()).step_by(64) {
        // (`wrapping_add`: an address computed, never read.)
        prefetch_line(start.wrapping_add(offset));
    }
}

/// The one prefetch instruction [`prefetch`] and [`prefetch_all`] give.
#[inline(always)]
fn prefetch_line(line: *const i8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing the program sees and cannot fault,
    // whatever the address; SSE is part of every x86_64.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(line);
    }
    #[cfg(not(target_arch = "x86_64"))]
    std::hint::black_box(line);
}

/// Below this many bytes a table is left on small pages.
const AT_LEAST: usize = 4 << 20;

#[cfg(target_os = "linux")]
fn advise<T>(buffer: *const T, n: usize) {
    const HUGE: usize = 2 << 20;
    let bytes = n.saturating_mul(std::mem::size_of::<T>());
    if bytes < AT_LEAST {
        return;
    }
    let start = buffer as usize;
    let (Some(from), Some(to)) = (
        start.checked_next_multiple_of(HUGE),
        start.checked_add(bytes).map(|end| end - end % HUGE),
    ) else {
        return;
    };
    if to > from {
        // SAFETY: `from..to` lies within the allocation at `buffer` (a
        // vector's, with room for `n` elements), which this process owns;
        // the advice changes how its pages are backed, never their contents.
        unsafe {
            libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise<T>(_: *const T, _: usize) {}

#[cfg(test)]
mod tests {
    #[test]
    fn filled_is_n_copies() {
        for n in [0, 1, 1000, (5 << 20) / 8 + 3] {
            let v = super::filled(7u64, n);
            assert_eq!(v.len(), n);
            assert!(v.iter().all(|&x| x == 7));
        }
    }
}
