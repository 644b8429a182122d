//! Splits a RON graph file into its records without parsing them, so that
//! records can be parsed one by one, in parallel, from a file read in blocks.
//!
//! The scanner understands exactly the shape `ties` writes — attributes,
//! comments, `Graph(`, then `sources`, `entities` and `relations` lists of
//! records — and knows RON's strings, raw strings and nested comments well enough
//! to find where a record ends. Anything else (a syntax error, a char literal, an
//! extension other than `implicit_some`) is [`Scan::Bail`]: the caller then reads
//! the file the slow way, which reports the exact problem.

/// Why scanning stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scan {
    /// The buffer ends inside a token or record: give more bytes.
    More,
    /// Not a file this scanner reads; use the full parser.
    Bail,
}

/// Which list a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Section {
    Sources,
    Entities,
    Relations,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before `Graph(`.
    Start,
    /// Inside `Graph(`, between fields.
    Fields,
    /// Inside a list, before a record or `]`.
    List(Section),
    /// After a record, before `,` or `]`.
    AfterRecord(Section),
    /// After the closing `)`.
    Done,
}

/// A resumable scanner: feed it the file's bytes from the start, in any blocks.
#[derive(Debug)]
pub(crate) struct Scanner {
    state: State,
    seen: [bool; 3],
    /// Whether the first bytes were looked at (a BOM is allowed only there).
    began: bool,
    /// How many records the block fast path found ([`Scanner::records`]).
    fast_found: usize,
    /// Tests: the fast path with [`Plain`] blocks even where the CPU has
    /// AVX2.
    #[cfg(test)]
    plain: bool,
}

/// What one call of [`Scanner::scan`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Item {
    /// A record at this byte range of the buffer.
    Record(Section, std::ops::Range<usize>),
}

impl Default for Scanner {
    fn default() -> Self {
        Scanner {
            state: State::Start,
            seen: [false; 3],
            began: false,
            fast_found: 0,
            #[cfg(test)]
            plain: false,
        }
    }
}

impl Scanner {
    /// Whether the whole file was seen, up to its closing parenthesis.
    pub fn done(&self) -> bool {
        self.state == State::Done
    }

    /// Scans `buf` (the file's bytes from where the previous call stopped) and
    /// calls `found` for each record. Returns how many bytes were consumed; the
    /// rest must be given again, followed by more, on the next call. `eof` says
    /// that no more bytes will come.
    pub fn scan(
        &mut self,
        buf: &[u8],
        eof: bool,
        mut found: impl FnMut(Item),
    ) -> Result<usize, Scan> {
        self.scan_with(buf, eof, &mut found, true)
    }

    /// [`Scanner::scan`] without the block fast path ([`Scanner::records`]):
    /// one step at a time, the oracle the fast path is held to.
    pub fn scan_careful(
        &mut self,
        buf: &[u8],
        eof: bool,
        mut found: impl FnMut(Item),
    ) -> Result<usize, Scan> {
        self.scan_with(buf, eof, &mut found, false)
    }

    #[inline(always)]
    fn scan_with(
        &mut self,
        buf: &[u8],
        eof: bool,
        found: &mut impl FnMut(Item),
        fast: bool,
    ) -> Result<usize, Scan> {
        let mut at = 0;
        loop {
            if fast && let State::List(section) | State::AfterRecord(section) = self.state {
                at = self.records_fast(buf, at, section, found);
            }
            match self.step(buf, at, eof, found) {
                Ok(next) if next == at => return Ok(at),
                Ok(next) => at = next,
                Err(Scan::More) if eof => return Err(Scan::Bail),
                Err(Scan::More) => return Ok(at),
                Err(Scan::Bail) => return Err(Scan::Bail),
            }
        }
    }

    /// One step from `at`: returns where the next step starts (`at` itself when
    /// there is nothing left to do in this buffer).
    fn step(
        &mut self,
        buf: &[u8],
        at: usize,
        eof: bool,
        found: &mut impl FnMut(Item),
    ) -> Result<usize, Scan> {
        if !self.began {
            const BOM: &[u8] = "\u{feff}".as_bytes();
            if buf.len() < BOM.len() && !eof && BOM.starts_with(buf) {
                return Err(Scan::More);
            }
            self.began = true;
            if buf.starts_with(BOM) {
                return Ok(at + BOM.len());
            }
        }
        let i = skip_blank(buf, at, eof)?;
        match self.state {
            State::Start => {
                if buf.get(i) == Some(&b'#') {
                    return attribute(buf, i);
                }
                let (ident_end, ident) = ident(buf, i)?;
                if !(ident.is_empty() || ident == b"Graph") {
                    return Err(Scan::Bail);
                }
                let j = skip_blank(buf, ident_end, eof)?;
                expect(buf, j, b'(')?;
                self.state = State::Fields;
                Ok(j + 1)
            }
            State::Fields => {
                if *byte(buf, i)? == b')' {
                    self.state = State::Done;
                    return Ok(i + 1);
                }
                let (end, name) = ident(buf, i)?;
                let section = match name {
                    b"sources" => Section::Sources,
                    b"entities" => Section::Entities,
                    b"relations" => Section::Relations,
                    _ => return Err(Scan::Bail),
                };
                let seen = &mut self.seen[section as usize];
                if *seen {
                    return Err(Scan::Bail);
                }
                let j = skip_blank(buf, end, eof)?;
                expect(buf, j, b':')?;
                let j = skip_blank(buf, j + 1, eof)?;
                expect(buf, j, b'[')?;
                *seen = true;
                self.state = State::List(section);
                Ok(j + 1)
            }
            State::List(section) => {
                if *byte(buf, i)? == b']' {
                    return self.end_list(buf, i + 1, eof);
                }
                let end = record_end(buf, i)?;
                found(Item::Record(section, i..end));
                self.state = State::AfterRecord(section);
                Ok(end)
            }
            State::AfterRecord(section) => match *byte(buf, i)? {
                b',' => {
                    self.state = State::List(section);
                    Ok(i + 1)
                }
                b']' => self.end_list(buf, i + 1, eof),
                _ => Err(Scan::Bail),
            },
            State::Done => {
                if i < buf.len() {
                    return Err(Scan::Bail);
                }
                Ok(i)
            }
        }
    }

    /// After a list's `]`: a `,` before the next field, or the closing `)`.
    fn end_list(&mut self, buf: &[u8], at: usize, eof: bool) -> Result<usize, Scan> {
        let j = skip_blank(buf, at, eof)?;
        let next = match byte(buf, j)? {
            b',' => j + 1,
            b')' => j,
            _ => return Err(Scan::Bail),
        };
        self.state = State::Fields;
        Ok(next)
    }
}

impl Scanner {
    /// [`Scanner::records`], with AVX2 when the CPU has it.
    #[inline(always)]
    fn records_fast(
        &mut self,
        buf: &[u8],
        at: usize,
        section: Section,
        found: &mut impl FnMut(Item),
    ) -> usize {
        #[cfg(test)]
        if self.plain {
            return self.records(buf, at, section, found, Plain);
        }
        #[cfg(target_arch = "x86_64")]
        if let Some(avx2) = Avx2::detect() {
            // SAFETY: `avx2` says the CPU has what `records_avx2` is
            // compiled for.
            return unsafe { self.records_avx2(buf, at, section, found, avx2) };
        }
        self.records(buf, at, section, found, Plain)
    }

    /// [`Scanner::records`] compiled for AVX2, so that [`Avx2`]'s marks
    /// are inlined into it.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,pclmulqdq,popcnt")]
    fn records_avx2(
        &mut self,
        buf: &[u8],
        at: usize,
        section: Section,
        found: &mut impl FnMut(Item),
        avx2: Avx2,
    ) -> usize {
        self.records(buf, at, section, found, avx2)
    }

    /// The records from `at` on, in `section`'s list (the state is `List` or
    /// `AfterRecord`), found 64 bytes at a time, as long as the text is
    /// the plain shape `ties` writes: blanks (no comments) and one `,`
    /// between records, each record a name, `(`, and brackets and strings
    /// with no `/`, `'`, `#`, no backslash outside a string and no raw
    /// string ([`record_close`]). Stops, at the last step the careful scan
    /// would have reached too (after a record or after its `,`, the state
    /// set as it would set it), where the text is anything else or runs
    /// out: the careful steps go on from there, so what is found, what is
    /// consumed and `More` or `Bail` are theirs.
    #[inline(always)]
    fn records(
        &mut self,
        buf: &[u8],
        mut at: usize,
        section: Section,
        found: &mut impl FnMut(Item),
        with: impl Blocks,
    ) -> usize {
        let mut after = self.state == State::AfterRecord(section);
        // The name records of this list are written with: its bytes as a
        // word (the first byte lowest), which bytes of a word it fills.
        let name: &[u8] = match section {
            Section::Sources => b"Source",
            Section::Entities => b"Entity",
            Section::Relations => b"Relation",
        };
        let mut word = [0; 8];
        word[..name.len()].copy_from_slice(name);
        let word = u64::from_le_bytes(word);
        let fills = u64::MAX >> (64 - 8 * name.len());
        // The last 64 bytes looked at, for the next record to start in.
        let mut last = (usize::MAX, Marks::default());
        loop {
            if after {
                let comma = match buf.get(at) {
                    Some(b',') => at,
                    _ => match skip_space(buf, at) {
                        Some(c) if buf[c] == b',' => c,
                        _ => return at,
                    },
                };
                at = comma + 1;
                self.state = State::List(section);
            }
            let Some(start) = skip_space(buf, at) else {
                return at;
            };
            let open = match buf.get(start..start + 8) {
                Some(w) if crate::words::word(w) & fills == word => start + name.len(),
                _ => skip_name(buf, start),
            };
            if buf.get(open) != Some(&b'(') {
                return at;
            }
            let Some(end) = record_close(buf, open, with, &mut last) else {
                return at;
            };
            found(Item::Record(section, start..end));
            self.fast_found += 1;
            at = end;
            self.state = State::AfterRecord(section);
            after = true;
        }
    }
}

/// The first byte from `i` on that is not ASCII whitespace (what
/// [`skip_blank`] skips, comments aside); `None` if the buffer ends first.
/// Sixteen bytes at a time: a record's indent is looked at at once.
#[inline(always)]
fn skip_space(buf: &[u8], mut i: usize) -> Option<usize> {
    while let Some(block) = buf.get(i..i + 16) {
        let space = crate::words::marks16(block, b" \n\t\r\x0c", 0, false);
        if space != 0xffff {
            return Some(i + (!space).trailing_zeros() as usize);
        }
        i += 16;
    }
    while i < buf.len() {
        if !buf[i].is_ascii_whitespace() {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Past the identifier characters from `i` on (what [`ident`] reads).
#[inline(always)]
fn skip_name(buf: &[u8], mut i: usize) -> usize {
    while i < buf.len() && is_ident(buf[i]) {
        i += 1;
    }
    i
}

/// The bytes of 64 that [`record_close`] looks at, one bit each (bit `k`
/// for byte `k`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Marks {
    quote: u64,
    backslash: u64,
    open: u64,
    close: u64,
    /// `/`, `'` and `#`: a comment, a char literal, a raw string's hashes.
    odd: u64,
    /// `r`, which may start a raw string.
    r: u64,
}

impl Marks {
    /// The marks of bytes `k..64` only.
    #[inline(always)]
    fn from(self, k: usize) -> Marks {
        let keep = u64::MAX << k;
        Marks {
            quote: self.quote & keep,
            backslash: self.backslash & keep,
            open: self.open & keep,
            close: self.close & keep,
            odd: self.odd & keep,
            r: self.r & keep,
        }
    }
}

/// The [`Marks`] of `block`, one byte at a time: what [`marks`] computes
/// with SSE2, for other targets and to test it against.
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
fn marks_bytewise(block: &[u8; 64]) -> Marks {
    let mut m = Marks::default();
    for (k, &b) in block.iter().enumerate() {
        let bit = 1u64 << k;
        let mask = match b {
            b'"' => &mut m.quote,
            b'\\' => &mut m.backslash,
            b'(' | b'[' | b'{' => &mut m.open,
            b')' | b']' | b'}' => &mut m.close,
            b'/' | b'\'' | b'#' => &mut m.odd,
            b'r' => &mut m.r,
            _ => continue,
        };
        *mask |= bit;
    }
    m
}

/// The [`Marks`] of `block`, sixteen bytes at a time with SSE2 (every
/// x86_64 has it).
#[inline(always)]
fn marks(block: &[u8; 64]) -> Marks {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        #[target_feature(enable = "sse2")]
        #[inline]
        fn sse2(block: &[u8; 64]) -> Marks {
            use std::arch::x86_64::{
                __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
                _mm_set1_epi8,
            };
            let mut m = Marks::default();
            for (lane, bytes) in block.chunks_exact(16).enumerate() {
                // SAFETY: `bytes` is sixteen bytes (`chunks_exact`), read
                // unaligned.
                let v = unsafe { _mm_loadu_si128(bytes.as_ptr().cast::<__m128i>()) };
                let is = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
                let bits = |x: __m128i| u64::from(_mm_movemask_epi8(x) as u16) << (16 * lane);
                m.quote |= bits(is(b'"'));
                m.backslash |= bits(is(b'\\'));
                m.open |= bits(_mm_or_si128(_mm_or_si128(is(b'('), is(b'[')), is(b'{')));
                m.close |= bits(_mm_or_si128(_mm_or_si128(is(b')'), is(b']')), is(b'}')));
                m.odd |= bits(_mm_or_si128(_mm_or_si128(is(b'/'), is(b'\'')), is(b'#')));
                m.r |= bits(is(b'r'));
            }
            m
        }
        // SAFETY: the build targets SSE2 (the `cfg` above).
        unsafe { sse2(block) }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        marks_bytewise(block)
    }
}

/// How 64 bytes are looked at: [`Plain`] on every CPU, [`Avx2`] where
/// the CPU has it.
trait Blocks: Copy {
    /// The [`Marks`] of `block`.
    fn marks(self, block: &[u8; 64]) -> Marks;
    /// [`prefix_xor`].
    fn prefix_xor(self, x: u64) -> u64;
}

/// [`marks`] (SSE2 on x86_64) and [`prefix_xor`] by shifts.
#[derive(Clone, Copy)]
struct Plain;

impl Blocks for Plain {
    #[inline(always)]
    fn marks(self, block: &[u8; 64]) -> Marks {
        marks(block)
    }

    #[inline(always)]
    fn prefix_xor(self, x: u64) -> u64 {
        prefix_xor(x)
    }
}

/// The CPU has AVX2, PCLMULQDQ and POPCNT: only [`Avx2::detect`] makes
/// one.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Avx2(());

#[cfg(target_arch = "x86_64")]
impl Avx2 {
    /// `Some` when the CPU has AVX2, PCLMULQDQ and POPCNT (asked of it once,
    /// then remembered by std).
    #[inline(always)]
    fn detect() -> Option<Self> {
        (std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("pclmulqdq")
            && std::arch::is_x86_feature_detected!("popcnt"))
        .then_some(Avx2(()))
    }
}

#[cfg(target_arch = "x86_64")]
impl Blocks for Avx2 {
    #[inline(always)]
    fn marks(self, block: &[u8; 64]) -> Marks {
        // SAFETY: an `Avx2` is made only when the CPU has AVX2.
        unsafe { marks_avx2(block) }
    }

    #[inline(always)]
    fn prefix_xor(self, x: u64) -> u64 {
        // SAFETY: an `Avx2` is made only when the CPU has PCLMULQDQ.
        unsafe { prefix_xor_clmul(x) }
    }
}

/// [`marks`] 32 bytes at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn marks_avx2(block: &[u8; 64]) -> Marks {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_set1_epi8,
    };
    let p = block.as_ptr().cast::<__m256i>();
    // SAFETY: `block` is 64 bytes: two loads of 32, unaligned.
    let (lo, hi) = unsafe { (_mm256_loadu_si256(p), _mm256_loadu_si256(p.add(1))) };
    // The bytes of 64 that are any of the given ones, bit `k` for byte `k`.
    macro_rules! any_of {
        ($first:literal $(, $c:literal)*) => {{
            let mut m = 0u64;
            for (half, v) in [lo, hi].into_iter().enumerate() {
                let hit = _mm256_cmpeq_epi8(v, _mm256_set1_epi8($first as i8));
                $(let hit = _mm256_or_si256(hit, _mm256_cmpeq_epi8(v, _mm256_set1_epi8($c as i8)));)*
                m |= u64::from(_mm256_movemask_epi8(hit) as u32) << (32 * half);
            }
            opaque(m)
        }};
    }
    Marks {
        quote: any_of!(b'"'),
        backslash: any_of!(b'\\'),
        open: any_of!(b'(', b'[', b'{'),
        close: any_of!(b')', b']', b'}'),
        odd: any_of!(b'/', b'\'', b'#'),
        r: any_of!(b'r'),
    }
}

/// `x`, which the compiler may not see through: without it, LLVM keeps the
/// masks [`marks_avx2`] makes as vectors of bits, and shifts them and
/// combines them byte by byte (twenty times slower).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn opaque(mut x: u64) -> u64 {
    // SAFETY: an empty assembly block, which reads and writes nothing but
    // the register it is given.
    unsafe {
        std::arch::asm!("/* {0} */", inout(reg) x, options(pure, nomem, nostack, preserves_flags))
    };
    x
}

/// [`prefix_xor`] as one carry-less multiply by all ones.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "pclmulqdq")]
#[inline]
fn prefix_xor_clmul(x: u64) -> u64 {
    use std::arch::x86_64::{_mm_clmulepi64_si128, _mm_cvtsi128_si64, _mm_set_epi64x};
    let product = _mm_clmulepi64_si128(_mm_set_epi64x(0, x as i64), _mm_set_epi64x(0, -1), 0);
    _mm_cvtsi128_si64(product) as u64
}

/// Bit `k` set when an odd number of the bits `0..=k` of `x` are: with the
/// quotes of a block, the bytes inside a string (its opening quote
/// included, its closing one not).
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        x ^= x << shift;
    }
    x
}

/// The bytes of a block a backslash escapes, from its backslashes, as
/// simdjson finds them: a run of backslashes escapes the byte after it when
/// the run is odd. `carry` is 1 when the block before ended escaping this
/// block's first byte, and is set for the next block.
#[inline(always)]
fn escaped(backslash: u64, carry: &mut u64) -> u64 {
    if backslash == 0 {
        return std::mem::take(carry);
    }
    // A backslash escaped by the block before does not escape.
    let backslash = backslash & !*carry;
    let follows = backslash << 1 | *carry;
    const EVEN: u64 = 0x5555_5555_5555_5555;
    // The runs that start on an odd bit, added to their backslashes: the
    // carry of each run lands past its end, and flips the parity of runs
    // that start on an odd bit.
    let odd_starts = backslash & !EVEN & !follows;
    let (even_starts, over) = odd_starts.overflowing_add(backslash);
    *carry = u64::from(over);
    (EVEN ^ (even_starts << 1)) & follows
}

/// The end of the record whose `(` is at `open` (just past its closing
/// `)`), read 64 bytes at a time as [`record_end`] reads it, if it holds
/// only brackets and strings, with nothing [`record_end`] treats apart:
/// no `/`, `'` or `#` and no backslash outside a string, no `r` before an
/// opening quote. `None` when it holds any, when the bracket that closes
/// it is not a `)`, or when the buffer ends first.
#[inline(always)]
fn record_close(
    buf: &[u8],
    open: usize,
    with: impl Blocks,
    last: &mut (usize, Marks),
) -> Option<usize> {
    // The block the record before ended in, if this one starts in it too:
    // its marks from `open` on (before, the record before, and blanks, a
    // comma and a name, none of them marked).
    let (mut base, mut m) = match open.checked_sub(last.0) {
        Some(k) if k < 64 => (last.0, last.1.from(k)),
        _ => (open, block_marks(buf, open, with)),
    };
    // Inside the `(`, which is not marked as a bracket to count.
    m.open &= !(1 << (open - base));
    let mut depth = 1usize;
    // Carried from one block to the next: inside a string (all ones), the
    // first byte escaped, the last byte an `r`.
    let (mut inside_before, mut escape, mut r_before) = (0u64, 0u64, 0u64);
    loop {
        let quote = m.quote & !escaped(m.backslash, &mut escape);
        let inside = with.prefix_xor(quote) ^ inside_before;
        inside_before = ((inside >> 63) & 1).wrapping_neg();
        let opening = quote & inside;
        let odd = (m.odd | m.backslash) & !inside | opening & (m.r << 1 | r_before);
        r_before = m.r >> 63;
        // Only the brackets before the first odd byte are looked at.
        let before_odd = (odd & odd.wrapping_neg()).wrapping_sub(1);
        let close = m.close & !inside & before_odd;
        let opens = m.open & !inside & before_odd;
        if depth > close.count_ones() as usize {
            // Too few closing brackets to end the record here: counted all
            // at once.
            depth = depth + opens.count_ones() as usize - close.count_ones() as usize;
        } else {
            let mut brackets = opens | close;
            while brackets != 0 {
                let k = brackets.trailing_zeros();
                brackets &= brackets - 1;
                // Up one for an opening bracket, down one for a closing one,
                // with no branch to guess.
                depth = depth + 1 - 2 * (close >> k & 1) as usize;
                if depth == 0 {
                    *last = (base, m);
                    let at = base + k as usize;
                    return (buf[at] == b')').then_some(at + 1);
                }
            }
        }
        if odd != 0 {
            return None;
        }
        base += 64;
        if base >= buf.len() {
            return None;
        }
        m = block_marks(buf, base, with);
    }
}

/// The [`Marks`] of the 64 bytes at `base` (below the buffer's end).
#[inline(always)]
fn block_marks(buf: &[u8], base: usize, with: impl Blocks) -> Marks {
    match buf.get(base..base + 64) {
        Some(block) => with.marks(block.try_into().expect("64 bytes")),
        None => {
            // The buffer's last bytes, after them blanks, which nothing
            // stops at.
            let mut block = [b' '; 64];
            block[..buf.len() - base].copy_from_slice(&buf[base..]);
            with.marks(&block)
        }
    }
}

fn byte(buf: &[u8], i: usize) -> Result<&u8, Scan> {
    buf.get(i).ok_or(Scan::More)
}

fn expect(buf: &[u8], i: usize, b: u8) -> Result<(), Scan> {
    if *byte(buf, i)? == b {
        Ok(())
    } else {
        Err(Scan::Bail)
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The identifier at `i` (possibly empty) and where it ends.
fn ident(buf: &[u8], i: usize) -> Result<(usize, &[u8]), Scan> {
    let mut j = i;
    while j < buf.len() && is_ident(buf[j]) {
        j += 1;
    }
    if j == buf.len() {
        return Err(Scan::More);
    }
    Ok((j, &buf[i..j]))
}

/// `#![enable(implicit_some)]`, written exactly so, is the only attribute read
/// here: RON refuses whitespace in some places inside an attribute (`#![ enable`),
/// so any other spelling goes to the full parser, which decides.
fn attribute(buf: &[u8], i: usize) -> Result<usize, Scan> {
    let close = buf[i..].iter().position(|&b| b == b']').ok_or(Scan::More)?;
    if &buf[i..=i + close] == b"#![enable(implicit_some)]" {
        Ok(i + close + 1)
    } else {
        Err(Scan::Bail)
    }
}

/// Skips whitespace and comments from `i`.
fn skip_blank(buf: &[u8], mut i: usize, eof: bool) -> Result<usize, Scan> {
    loop {
        while i < buf.len() && buf[i].is_ascii_whitespace() {
            i += 1;
        }
        if i + 1 >= buf.len() {
            // A lone `/` at the very end cannot start a comment any more.
            if i < buf.len() && buf[i] == b'/' && !eof {
                return Err(Scan::More);
            }
            return Ok(i);
        }
        match (buf[i], buf[i + 1]) {
            (b'/', b'/') => match buf[i..].iter().position(|&b| b == b'\n') {
                Some(n) => i += n + 1,
                None if eof => return Ok(buf.len()),
                None => return Err(Scan::More),
            },
            (b'/', b'*') => i = block_comment_end(buf, i)?,
            _ => return Ok(i),
        }
    }
}

/// The end of the (nested) block comment starting at `i`.
fn block_comment_end(buf: &[u8], mut i: usize) -> Result<usize, Scan> {
    let mut depth = 0usize;
    while i + 1 < buf.len() {
        match (buf[i], buf[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Ok(i);
                }
            }
            _ => i += 1,
        }
    }
    Err(Scan::More)
}

/// The bytes a record's scan stops at: brackets, quotes, a comment's `/`, and
/// the backslash of an escape in a string. Any other byte is passed over (16
/// at a time).
const SPECIAL: &[u8; 10] = b"([{)]}\"'/\\";

/// Bit `k` set when byte `k` of `block` is in [`SPECIAL`].
#[inline(always)]
fn special_mask(block: &[u8]) -> u32 {
    mask_of(block, SPECIAL)
}

/// Bit `k` set when byte `k` of `block`'s first 16 (it has at least 16) is
/// one of `set`'s (a few bytes, compared with all 16 at once:
/// [`crate::words::marks16`]).
#[inline(always)]
pub(crate) fn mask_of(block: &[u8], set: &[u8]) -> u32 {
    crate::words::marks16(block, set, 0, false)
}

/// Finds the [`SPECIAL`] bytes of one record in order, keeping the mask of
/// the 16 bytes it looked at last, so that the bytes between two specials are
/// looked at once.
struct Specials {
    /// The mask's first byte.
    base: usize,
    /// The specials at `base..base + 16` not passed yet.
    mask: u32,
}

impl Specials {
    fn new() -> Self {
        Specials {
            base: usize::MAX,
            mask: 0,
        }
    }

    /// The first special byte at or after `from`, `None` if the buffer has none.
    #[inline]
    fn next(&mut self, buf: &[u8], from: usize) -> Option<usize> {
        if from >= self.base && from < self.base.saturating_add(16) {
            self.mask &= u32::MAX << (from - self.base);
        } else {
            self.base = from;
            self.mask = self.load(buf)?;
        }
        loop {
            if self.mask != 0 {
                return Some(self.base + self.mask.trailing_zeros() as usize);
            }
            self.base += 16;
            self.mask = self.load(buf)?;
        }
    }

    /// The mask of the 16 bytes at `base` (fewer at the buffer's end: no bit
    /// past it is set); `None` past the end.
    #[inline]
    fn load(&self, buf: &[u8]) -> Option<u32> {
        let rest = buf.get(self.base..).filter(|r| !r.is_empty())?;
        Some(match rest.get(..16) {
            Some(block) => special_mask(block),
            None => {
                let mut block = [0; 16];
                block[..rest.len()].copy_from_slice(rest);
                special_mask(&block)
            }
        })
    }
}

/// The end of the string starting at `i` (on its `"`).
fn string_end(buf: &[u8], mut i: usize, at: &mut Specials) -> Result<usize, Scan> {
    i += 1;
    loop {
        i = at.next(buf, i).ok_or(Scan::More)?;
        match buf[i] {
            b'"' => return Ok(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

/// Where the raw string whose `"` is at `q` starts (its `r`), if the `"`
/// opens one: `r`, then any number of `#`, written where an `r` starts a
/// token (as RON's lexer sees it: not inside an identifier, but after `b`).
fn raw_start(buf: &[u8], q: usize) -> Option<usize> {
    let mut p = q;
    while p > 0 && buf[p - 1] == b'#' {
        p -= 1;
    }
    let r = p.checked_sub(1).filter(|&r| buf[r] == b'r')?;
    (r == 0 || !is_ident(buf[r - 1]) || buf[r - 1] == b'b').then_some(r)
}

/// The end of the raw string whose `r` is at `i`, or `None` if it is not one.
fn raw_string_end(buf: &[u8], i: usize) -> Result<Option<usize>, Scan> {
    let mut j = i + 1;
    while j < buf.len() && buf[j] == b'#' {
        j += 1;
    }
    if j == buf.len() {
        return Err(Scan::More);
    }
    if buf[j] != b'"' {
        return Ok(None);
    }
    let hashes = j - i - 1;
    j += 1;
    while j < buf.len() {
        if buf[j] == b'"' {
            let tail = &buf[j + 1..];
            if tail.len() < hashes {
                return Err(Scan::More);
            }
            if tail[..hashes].iter().all(|&b| b == b'#') {
                return Ok(Some(j + 1 + hashes));
            }
        }
        j += 1;
    }
    Err(Scan::More)
}

/// The end of the record (`Name(...)` or `(...)`) starting at `i`: brackets
/// counted, strings, raw strings and comments passed over. Only the
/// [`SPECIAL`] bytes are looked at; a raw string is known by its `"`, looking
/// back for its `r` and `#`s ([`raw_start`]).
fn record_end(buf: &[u8], i: usize) -> Result<usize, Scan> {
    let (mut j, _) = ident(buf, i)?;
    if *byte(buf, j)? != b'(' {
        return Err(Scan::Bail);
    }
    let mut depth = 0usize;
    let mut at = Specials::new();
    // A string the plain blocks left open, at its opening quote.
    let mut open = None;
    loop {
        match plain_block(buf, j, open, &mut depth)? {
            Block::End(end) => return Ok(end),
            Block::Next(next, still_open) => {
                j = next;
                open = still_open;
                continue;
            }
            Block::Other => {}
        }
        if let Some(quote) = open.take() {
            j = string_end(buf, quote, &mut at)?;
            continue;
        }
        // One special byte at a time.
        j = at.next(buf, j).ok_or(Scan::More)?;
        let b = buf[j];
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                j += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1).ok_or(Scan::Bail)?;
                j += 1;
                if depth == 0 {
                    return if b == b')' { Ok(j) } else { Err(Scan::Bail) };
                }
            }
            b'"' => {
                j = match raw_start(buf, j) {
                    Some(r) => raw_string_end(buf, r)?.ok_or(Scan::Bail)?,
                    None => string_end(buf, j, &mut at)?,
                }
            }
            b'\'' => return Err(Scan::Bail),
            b'/' if buf.get(j + 1) == Some(&b'/') => {
                j += buf[j..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .ok_or(Scan::More)?;
            }
            b'/' if buf.get(j + 1) == Some(&b'*') => j = block_comment_end(buf, j)?,
            b'/' if j + 1 == buf.len() => return Err(Scan::More),
            // A `/` alone, or a backslash outside a string.
            _ => j += 1,
        }
    }
}

/// What [`plain_block`] made of 16 bytes of a record.
enum Block {
    /// The record ends here.
    End(usize),
    /// Go on past the 16 bytes; a string they leave open opened at this
    /// quote.
    Next(usize, Option<usize>),
    /// Not plain: look at them one special byte at a time.
    Other,
}

/// The 16 bytes at `j` at once, when they hold only brackets and strings
/// with no escape (no `\\`, `'`, `/`, and no `"` after an `r` or `#`, which
/// could open a raw string): the strings are found from the quotes alone (a
/// bit of `inside` is set from an opening quote up to its closing one, and
/// all along from the start when a string is `open`, opened at that quote
/// by the bytes before), and only the brackets outside them are looked at,
/// in order, `depth` counting them.
#[inline(always)]
fn plain_block(
    buf: &[u8],
    j: usize,
    open: Option<usize>,
    depth: &mut usize,
) -> Result<Block, Scan> {
    let Some(block) = buf.get(j..j + 16) else {
        return Ok(Block::Other);
    };
    if mask_of(block, b"\\'/") != 0 {
        return Ok(Block::Other);
    }
    let quotes = mask_of(block, b"\"");
    let mut inside = quotes;
    for shift in [1, 2, 4, 8] {
        inside ^= inside << shift;
    }
    inside &= 0xffff;
    if open.is_some() {
        inside ^= 0xffff;
    }
    let opening = quotes & inside;
    let before = j.checked_sub(1).map(|k| buf[k]);
    let after_raw = mask_of(block, b"r#") << 1 | u32::from(matches!(before, Some(b'r' | b'#')));
    if opening & after_raw != 0 {
        return Ok(Block::Other);
    }
    let opens = mask_of(block, b"([{");
    let mut brackets = (opens | mask_of(block, b")]}")) & !inside;
    while brackets != 0 {
        let k = brackets.trailing_zeros() as usize;
        brackets &= brackets - 1;
        if opens & (1 << k) != 0 {
            *depth += 1;
        } else {
            *depth = depth.checked_sub(1).ok_or(Scan::Bail)?;
            if *depth == 0 {
                return if block[k] == b')' {
                    Ok(Block::End(j + k + 1))
                } else {
                    Err(Scan::Bail)
                };
            }
        }
    }
    // A string still open at the end: its quote is the last one, if any.
    let still_open = match (inside & 0x8000 != 0, quotes) {
        (false, _) => None,
        (true, 0) => open,
        (true, q) => Some(j + 31 - q.leading_zeros() as usize),
    };
    Ok(Block::Next(j + 16, still_open))
}

/// What the scanner makes of `bytes` read in blocks of `blocks` bytes (in
/// turn, over again; none empty), each block given to it with the bytes
/// it left unconsumed before, as the loader reads a file: one line for each
/// record (its section and its range in the file), for what each call
/// consumed, and for how it ended. `careful` scans one step at a time
/// ([`Scanner::scan_careful`]), the oracle of the block fast path. Also
/// how many of the records the fast path found.
pub(crate) fn trace(bytes: &[u8], blocks: &[usize], careful: bool) -> (Vec<String>, usize) {
    trace_with(Scanner::default(), bytes, blocks, careful)
}

/// [`trace`] with the scanner `s`.
fn trace_with(
    mut s: Scanner,
    bytes: &[u8],
    blocks: &[usize],
    careful: bool,
) -> (Vec<String>, usize) {
    let mut out = Vec::new();
    let (mut buf, mut fed, mut gone) = (Vec::new(), 0, 0);
    for &block in blocks.iter().cycle() {
        let end = (fed + block.max(1)).min(bytes.len());
        buf.extend_from_slice(&bytes[fed..end]);
        fed = end;
        let eof = fed == bytes.len();
        let found = |Item::Record(section, r): Item| {
            out.push(format!("{section:?} {}..{}", gone + r.start, gone + r.end));
        };
        let scanned = if careful {
            s.scan_careful(&buf, eof, found)
        } else {
            s.scan(&buf, eof, found)
        };
        match scanned {
            Ok(used) => {
                out.push(format!("used {used}"));
                buf.drain(..used);
                gone += used;
            }
            Err(e) => {
                out.push(format!("{e:?}"));
                return (out, s.fast_found);
            }
        }
        if eof {
            break;
        }
    }
    out.push(format!("done {}", s.done()));
    (out, s.fast_found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record of `text` fed in blocks of `block` bytes, as strings.
    fn records(text: &str, block: usize) -> Result<Vec<(Section, String)>, Scan> {
        let bytes = text.as_bytes();
        let mut s = Scanner::default();
        let mut out = Vec::new();
        let mut buf: Vec<u8> = Vec::new();
        let mut fed = 0;
        loop {
            let end = (fed + block).min(bytes.len());
            buf.extend_from_slice(&bytes[fed..end]);
            fed = end;
            let eof = fed == bytes.len();
            let used = s.scan(&buf, eof, |Item::Record(sec, r)| {
                out.push((sec, String::from_utf8(buf[r].to_vec()).unwrap()))
            })?;
            buf.drain(..used);
            if eof {
                break;
            }
        }
        if !s.done() {
            return Err(Scan::Bail);
        }
        Ok(out)
    }

    const FILE: &str = r##"#![enable(implicit_some)]
// a comment ( [ "
/* nested /* ) */ ] */
Graph(
    sources: [
        Source(id: "s1", outlet: "A \"quoted\" ) outlet", title: r#"raw "(" title"#, file: "f"),
    ],
    entities: [
        Entity(id: "a", kind: other("x"), name: "Ąžuolas ]", aliases: ["a)", "b["]), // tail ) comment
        Entity(id: "b", kind: person, name: "B", attrs: [("k", "v")])
    ],
    relations: [Relation(from: "a", to: "b", kind: met, sources: ["s1"], amount: (value: 1.0, currency: "EUR"))],
)
"##;

    #[test]
    fn finds_every_record_whatever_the_block_size() {
        let whole = records(FILE, FILE.len()).unwrap();
        assert_eq!(whole.len(), 4);
        assert_eq!(whole[0].0, Section::Sources);
        assert!(whole[0].1.ends_with(r##"title"#, file: "f")"##));
        assert_eq!(whole[2].0, Section::Entities);
        assert!(whole[2].1.starts_with("Entity(id: \"b\""));
        assert_eq!(whole[3].0, Section::Relations);
        for block in [1, 2, 3, 7, 64] {
            assert_eq!(records(FILE, block).unwrap(), whole, "block {block}");
        }
    }

    /// The record scan as it was, one byte at a time: the oracle for
    /// [`record_end`].
    fn record_end_bytewise(buf: &[u8], i: usize) -> Result<usize, Scan> {
        fn string_end(buf: &[u8], mut i: usize) -> Result<usize, Scan> {
            i += 1;
            while i < buf.len() {
                i += memchr::memchr2(b'\\', b'"', &buf[i..]).ok_or(Scan::More)?;
                match buf[i] {
                    b'"' => return Ok(i + 1),
                    _ => i += 2,
                }
            }
            Err(Scan::More)
        }
        let (mut j, _) = ident(buf, i)?;
        if *byte(buf, j)? != b'(' {
            return Err(Scan::Bail);
        }
        let mut depth = 0usize;
        while j < buf.len() {
            let b = buf[j];
            match b {
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    j += 1;
                }
                b')' | b']' | b'}' => {
                    depth = depth.checked_sub(1).ok_or(Scan::Bail)?;
                    j += 1;
                    if depth == 0 {
                        return if b == b')' { Ok(j) } else { Err(Scan::Bail) };
                    }
                }
                b'"' => j = string_end(buf, j)?,
                b'\'' => return Err(Scan::Bail),
                b'/' if buf.get(j + 1) == Some(&b'/') => {
                    j += buf[j..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .ok_or(Scan::More)?;
                }
                b'/' if buf.get(j + 1) == Some(&b'*') => j = block_comment_end(buf, j)?,
                b'/' if j + 1 == buf.len() => return Err(Scan::More),
                b'r' if j == 0 || !is_ident(buf[j - 1]) || buf[j - 1] == b'b' => {
                    match raw_string_end(buf, j)? {
                        Some(end) => j = end,
                        None => j += 1,
                    }
                }
                _ => j += 1,
            }
        }
        Err(Scan::More)
    }

    proptest::proptest! {
        /// The scan that looks at 16 bytes at a time ends a record where,
        /// and says `More` or `Bail` when, the byte-by-byte one does, on
        /// text made of the bytes it treats apart, cut anywhere.
        #[test]
        fn record_end_agrees_with_the_bytewise_scan(
            body in proptest::collection::vec(proptest::sample::select(
                b"([{)]}\"'/\\*r#b_a \n,:".to_vec()), 0..120),
            name in proptest::sample::select(vec!["E", "", "Entity", "br", "r"]),
        ) {
            same_end(name, &body)?;
        }

        /// The same on text mostly of brackets and plain strings (what
        /// [`plain_block`] takes 16 bytes at a time, strings running on from
        /// one 16 to the next), now and then an `r` or `#` before a quote, an
        /// escape or a `/`.
        #[test]
        fn record_end_agrees_with_the_bytewise_scan_on_plain_text(
            body in proptest::collection::vec(proptest::sample::select(
                b"([{)]}\"\"\"rr#b_aaaaaaaaaaaaaaaaaaa    \n,:\\/".to_vec()), 0..300),
            name in proptest::sample::select(vec!["E", "", "Entity", "br", "r"]),
        ) {
            same_end(name, &body)?;
        }
    }

    /// `name(body)) "x" ]` cut at every length: the same answer from both scans.
    fn same_end(name: &str, body: &[u8]) -> Result<(), proptest::test_runner::TestCaseError> {
        let mut text = name.as_bytes().to_vec();
        text.push(b'(');
        text.extend(body);
        text.extend(b")) \"x\" ]");
        for cut in 0..=text.len() {
            let buf = &text[..cut];
            proptest::prop_assert_eq!(
                record_end(buf, 0),
                record_end_bytewise(buf, 0),
                "{:?}",
                String::from_utf8_lossy(buf)
            );
        }
        Ok(())
    }

    /// The bytes escaped in `bits` (bit `k` a backslash at byte `k`), one
    /// byte at a time: a backslash not itself escaped escapes the next.
    fn escaped_bytewise(bits: &[bool]) -> Vec<bool> {
        let mut out = vec![false; bits.len()];
        for k in 0..bits.len() {
            if bits[k] && !out[k] && k + 1 < bits.len() {
                out[k + 1] = true;
            }
        }
        out
    }

    proptest::proptest! {
        /// [`marks`] marks what [`marks_bytewise`] marks.
        #[test]
        fn marks_are_the_bytewise_marks(
            block in proptest::collection::vec(proptest::sample::select(
                b"\"\\([{)]}/'#rbx \n\x00\xff\x80(".to_vec()), 64),
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 64),
            mix in proptest::prelude::any::<u64>(),
        ) {
            let mut b = [0u8; 64];
            for k in 0..64 {
                b[k] = if mix >> k & 1 == 1 { noise[k] } else { block[k] };
            }
            proptest::prop_assert_eq!(marks(&b), marks_bytewise(&b));
            #[cfg(target_arch = "x86_64")]
            if let Some(avx2) = Avx2::detect() {
                proptest::prop_assert_eq!(avx2.marks(&b), marks_bytewise(&b));
            }
        }

        /// The carry-less multiply computes the prefix XOR the shifts do.
        #[test]
        fn prefix_xor_by_clmul_is_by_shifts(x in proptest::prelude::any::<u64>()) {
            #[cfg(target_arch = "x86_64")]
            if let Some(avx2) = Avx2::detect() {
                proptest::prop_assert_eq!(avx2.prefix_xor(x), prefix_xor(x));
            }
        }

        /// [`escaped`] over blocks, its carry passed on, escapes the bytes a
        /// byte-by-byte walk does, whatever the runs of backslashes.
        #[test]
        fn escapes_are_the_bytewise_escapes(
            words in proptest::collection::vec(proptest::prelude::any::<u64>(), 1..5),
            density in 0u32..4,
        ) {
            // Dense runs: a backslash where several random words agree.
            let words: Vec<u64> = words.chunks(1).zip(words.iter().cycle().skip(1))
                .map(|(w, v)| match density { 0 => w[0], 1 => w[0] | v, 2 => w[0] & v, _ => !0 })
                .collect();
            let bits: Vec<bool> = (0..64 * words.len()).map(|k| words[k / 64] >> (k % 64) & 1 == 1).collect();
            let mut want = escaped_bytewise(&bits);
            // The last block may also escape the first byte after it.
            let last_escapes = {
                let mut run = 0;
                while run < bits.len() && bits[bits.len() - 1 - run] { run += 1; }
                run % 2 == 1
            };
            want.push(last_escapes);
            let mut carry = 0;
            let mut got = Vec::new();
            for &w in &words {
                let e = escaped(w, &mut carry);
                got.extend((0..64).map(|k| e >> k & 1 == 1));
            }
            got.push(carry == 1);
            proptest::prop_assert_eq!(got, want);
        }
    }

    /// The fast path with SSE2 blocks (the one CPUs without AVX2 take),
    /// against the careful scan, on files as `ties gen` writes them and
    /// damaged, in blocks of several sizes.
    #[test]
    fn the_fast_scan_with_plain_blocks_is_the_careful_scan() {
        let plain = || Scanner {
            plain: true,
            ..Scanner::default()
        };
        let opts = crate::generate::GenOptions {
            entities: 300,
            relations_per_entity: 3,
            seed: 7,
        };
        let mut text = Vec::new();
        crate::generate::write_ron(&opts, &mut text).unwrap();
        let mut files = vec![FILE.as_bytes().to_vec(), text.clone()];
        for (at, put) in [(0.3, "\\\""), (0.5, "r\"\\\""), (0.7, "'"), (0.9, "/*")] {
            let mut t = text.clone();
            let at = (t.len() as f64 * at) as usize;
            t.splice(at..at, put.bytes());
            files.push(t);
        }
        for file in &files {
            for blocks in [vec![file.len()], vec![1000, 7], vec![64, 65, 63]] {
                let (fast, found) = trace_with(plain(), file, &blocks, false);
                assert_eq!(fast, trace(file, &blocks, true).0, "{blocks:?}");
                assert!(found > 0);
            }
        }
    }

    #[test]
    fn prefix_xor_marks_the_inside_of_strings() {
        assert_eq!(prefix_xor(0b10_1001_0010), 0b1_1000_1110);
        assert_eq!(prefix_xor(1), !0);
        assert_eq!(prefix_xor(1 << 63), 1 << 63);
    }

    /// The whole file at every block size, with the fast path and without:
    /// the same records, consumed bytes and ending.
    #[test]
    fn the_fast_scan_is_the_careful_scan_on_a_hand_written_file() {
        let (fast, by_fast) = trace(FILE.as_bytes(), &[FILE.len()], false);
        assert_eq!(fast, trace(FILE.as_bytes(), &[FILE.len()], true).0);
        assert_eq!(fast.iter().filter(|l| !l.starts_with("used")).count(), 5);
        // The second entity and the relation are plain.
        assert_eq!(by_fast, 2);
        for block in 1..=FILE.len() {
            for blocks in [vec![block], vec![block, 1, 97]] {
                assert_eq!(
                    trace(FILE.as_bytes(), &blocks, false).0,
                    trace(FILE.as_bytes(), &blocks, true).0,
                    "{blocks:?}"
                );
            }
        }
    }

    #[test]
    fn bails_on_what_it_does_not_read() {
        for bad in [
            "",
            "Graph(",
            "Graph(sources: [], sources: [])",
            "Graph(people: [])",
            "#![enable(unwrap_newtypes)] Graph()",
            "Graph(entities: [Entity(id: 'a')])",
            "Graph(entities: [Entity(id: \"a\"]])",
            "Graph(entities: [Entity(id: \"a\") Entity()])",
            "Graph() trailing",
            "Map(entities: [])",
            "Graph(sources: [] entities: [])",
            " \u{feff}Graph()",
            "#![enable(implicit_some)]\u{feff}Graph()",
            // RON refuses this one: the full parser must say so.
            "#![ enable(implicit_some)] Graph()",
        ] {
            assert_eq!(records(bad, 4), Err(Scan::Bail), "{bad:?}");
        }
        assert_eq!(records("Graph()", 3), Ok(vec![]));
        assert_eq!(records("\u{feff}Graph(sources: [],)", 1), Ok(vec![]));
        assert_eq!(records("(entities: [],)", 3), Ok(vec![]));
    }
}
