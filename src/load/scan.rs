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
        let mut at = 0;
        loop {
            match self.step(buf, at, eof, &mut found) {
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
