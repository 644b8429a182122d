//! The fast way through an XML file: a tokenizer for the XML that GraphML and
//! GEXF writers write, over large blocks read from the file, giving elements
//! and text borrowed from the block (no copy, no allocation per attribute).
//!
//! It reads only what it is sure quick-xml reads the same way, and declines
//! ([`Decline`]) anything else: a syntax error, a doctype, an entity XML does
//! not define, text that is not UTF-8, a repeated attribute, a file cut short.
//! The reader then reads the file again with quick-xml, which names the
//! problem with its line and column: this path never reports one itself.

use std::borrow::Cow;
use std::io::Read;

use memchr::{memchr, memchr3, memmem};

use crate::words;

use super::xml::{Attribute, Names, OpenElements};

/// Bytes read from the file at a time.
pub(super) const BLOCK: usize = 1 << 20;

/// The file holds something this path does not read: read it with quick-xml.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Decline;

/// An event, as quick-xml would give it (text and references as one).
pub(super) enum Ev<'a> {
    /// A start tag: its name as written and its attributes, not parsed yet.
    Start(&'a [u8], &'a [u8]),
    Empty(&'a [u8], &'a [u8]),
    /// An end tag's name as written (matched with its start tag already).
    End(&'a [u8]),
    Text(Cow<'a, str>),
}

/// An event found in the block, as ranges of it.
enum Raw {
    Start(usize, usize, usize),
    Empty(usize, usize, usize),
    End(usize, usize),
    Text(usize, usize),
    CData(usize, usize),
}

/// What one step over the block found.
enum Step {
    /// An event starting at this offset in the block, and where the next begins.
    Ev(usize, Raw, usize),
    /// Markup that says nothing (a comment, a declaration): skip to here.
    Skip(usize),
    /// The block ends before the event does.
    More,
}

/// A file read in blocks, split into events.
pub(super) struct Scanner<R> {
    /// The file; none for a chunk of it already read ([`Scanner::chunk`]).
    src: Option<R>,
    buf: Vec<u8>,
    /// Where the next event starts in `buf`.
    pos: usize,
    /// The file offset of `buf[0]`.
    base: u64,
    eof: bool,
    block: usize,
    open: OpenElements,
    /// Reading one chunk of a file ([`Scanner::chunk`]): elements may end
    /// that opened before it (kept in `popped`) or stay open at its end.
    chunk: bool,
    /// End tags of elements opened before the chunk, in order.
    popped: OpenElements,
}

/// What a chunk did to the elements open around it: the end tags it read of
/// elements opened before it, in order, and the elements it left open.
pub(super) struct Nesting {
    pub popped: OpenElements,
    pub open: OpenElements,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The name after its prefix (`y:NodeLabel` → `NodeLabel`), as quick-xml
/// takes a local name: after the first colon (looked for a byte at a time:
/// [`memchr`]'s call cost more over a name of a few bytes, 6 % of GEXF's
/// tokenizer, where each key of a record's tag is cut so).
pub(super) fn local(name: &[u8]) -> &[u8] {
    find_short(b':', name).map_or(name, |i| &name[i + 1..])
}

impl<R: Read> Scanner<R> {
    pub fn new(src: R, block: usize) -> Self {
        Scanner {
            src: Some(src),
            buf: Vec::new(),
            pos: 0,
            base: 0,
            eof: false,
            block: block.max(1),
            open: OpenElements::default(),
            chunk: false,
            popped: OpenElements::default(),
        }
    }

    /// A scanner over `bytes`, the chunk of a file at offset `base`, read
    /// whole already: its events are the file's between the same offsets
    /// when it starts and ends between events (an event it cuts is
    /// declined) and the elements it closes are open around it, which the
    /// caller checks with its [`Nesting`].
    pub fn chunk(bytes: Vec<u8>, base: u64) -> Self {
        Scanner {
            src: None,
            buf: bytes,
            pos: 0,
            base,
            eof: true,
            block: 1,
            open: OpenElements::default(),
            chunk: true,
            popped: OpenElements::default(),
        }
    }

    /// The chunk's bytes (to be filled again) and what it did to the
    /// elements open around it.
    pub fn into_chunk(self) -> (Vec<u8>, Nesting) {
        let nesting = Nesting {
            popped: self.popped,
            open: self.open,
        };
        (self.buf, nesting)
    }

    /// The next event and the file offset it starts at; `None` at the end of
    /// a file whose elements are all closed.
    pub fn next(&mut self) -> Result<Option<(u64, Ev<'_>)>, Decline> {
        loop {
            if self.pos == self.buf.len() && self.eof {
                if self.base == 0 && self.buf.is_empty() {
                    // An empty file: quick-xml says what it lacks.
                    return Err(Decline);
                }
                return if self.open.last().is_some() && !self.chunk {
                    Err(Decline)
                } else {
                    Ok(None)
                };
            }
            if self.base == 0
                && self.pos == 0
                && self.buf.len() >= 3
                && self.buf[..3] == *b"\xef\xbb\xbf"
            {
                // A byte order mark: quick-xml's way with it is left to quick-xml.
                return Err(Decline);
            }
            match step(&self.buf, self.pos, self.eof)? {
                Step::Skip(next) => self.pos = next,
                Step::More => self.fill()?,
                Step::Ev(at, raw, next) => {
                    self.pos = next;
                    let at = self.base + at as u64;
                    return Ok(Some((at, self.event(raw)?)));
                }
            }
        }
    }

    /// The event `raw` stands for, borrowed from the block.
    fn event(&mut self, raw: Raw) -> Result<Ev<'_>, Decline> {
        let buf = &self.buf;
        let ev = match raw {
            Raw::Start(a, b, c) => Ev::Start(&buf[a..b], &buf[b..c]),
            Raw::Empty(a, b, c) => Ev::Empty(&buf[a..b], &buf[b..c]),
            Raw::End(a, b) => Ev::End(&buf[a..b]),
            Raw::CData(a, b) => Ev::Text(String::from_utf8_lossy(&buf[a..b])),
            Raw::Text(a, b) => {
                let raw = std::str::from_utf8(&buf[a..b]).map_err(|_| Decline)?;
                Ev::Text(if raw.as_bytes().contains(&b'&') {
                    quick_xml::escape::unescape(raw).map_err(|_| Decline)?
                } else {
                    Cow::Borrowed(raw)
                })
            }
        };
        match &ev {
            Ev::Start(name, _) => self.open.push(name),
            Ev::End(name) if self.chunk && self.open.is_empty() => self.popped.push(name),
            Ev::End(name) => {
                if !self.open.last_is(name) {
                    return Err(Decline);
                }
                self.open.pop();
            }
            _ => {}
        }
        Ok(ev)
    }

    /// The block from where the next event starts, and that event's file
    /// offset: for a reader of whole elements ([`Scanner::skip`]).
    pub fn rest(&self) -> (&[u8], u64) {
        (&self.buf[self.pos..], self.base + self.pos as u64)
    }

    /// Whether more of the file may follow the block ([`Scanner::read_more`]).
    pub fn more_to_read(&self) -> bool {
        !self.eof
    }

    /// Reads more of the file after the block (what [`Scanner::rest`]
    /// gives stays, moved to the block's start).
    pub fn read_more(&mut self) -> Result<(), Decline> {
        self.fill()
    }

    /// The element that starts the rest of the block (after space) read
    /// whole by `read`, given its text from there and its file offset, and
    /// returning how many bytes it read; more of the file is read when
    /// `read` says [`Whole::More`]. Whether one was read: not when `read`
    /// says [`Whole::No`] (the events read it), or the file ends first.
    pub fn whole(
        &mut self,
        mut read: impl FnMut(&[u8], u64) -> Result<usize, Whole>,
    ) -> Result<bool, Decline> {
        loop {
            let (rest, base) = self.rest();
            let ws = spaces(rest);
            match read(&rest[ws..], base + ws as u64) {
                Ok(n) => {
                    self.skip(ws + n);
                    return Ok(true);
                }
                Err(Whole::More) if self.more_to_read() => self.read_more()?,
                Err(_) => return Ok(false),
            }
        }
    }

    /// Goes `n` bytes on in the block: over whole elements a caller read
    /// from [`Scanner::rest`] (each closed where it opened, so the open
    /// elements stay as they were), and the space between them.
    pub fn skip(&mut self, n: usize) {
        debug_assert!(self.pos + n <= self.buf.len());
        self.pos += n;
    }

    /// Reads the next block after what is left of this one.
    fn fill(&mut self) -> Result<(), Decline> {
        self.buf.drain(..self.pos);
        self.base += self.pos as u64;
        self.pos = 0;
        let Some(src) = &mut self.src else {
            self.eof = true;
            return Ok(());
        };
        // Read into the block's room as it is, not zeroed first.
        self.buf.reserve(self.block);
        let limit = self.block as u64;
        let got = src
            .by_ref()
            .take(limit)
            .read_to_end(&mut self.buf)
            .map_err(|_| Decline)?;
        if (got as u64) < limit {
            self.eof = true;
        }
        Ok(())
    }
}

/// The event at `pos` of `buf` (`eof`: nothing follows `buf`).
fn step(buf: &[u8], pos: usize, eof: bool) -> Result<Step, Decline> {
    let rest = &buf[pos..];
    let more = || if eof { Err(Decline) } else { Ok(Step::More) };
    if rest.first() != Some(&b'<') {
        let n = match memchr(b'<', rest) {
            Some(n) => n,
            None if eof => rest.len(),
            None => return Ok(Step::More),
        };
        return Ok(Step::Ev(pos, Raw::Text(pos, pos + n), pos + n));
    }
    match rest.get(1) {
        None => more(),
        Some(b'/') => {
            let Some(gt) = memchr(b'>', rest) else {
                return more();
            };
            let mut end = gt;
            while end > 2 && is_space(rest[end - 1]) {
                end -= 1;
            }
            Ok(Step::Ev(pos, Raw::End(pos + 2, pos + end), pos + gt + 1))
        }
        Some(b'?') => match memmem::find(&rest[2..], b"?>") {
            Some(i) => Ok(Step::Skip(pos + 2 + i + 2)),
            None => more(),
        },
        Some(b'!') => {
            if rest.len() < 9 && !eof {
                return Ok(Step::More);
            }
            if rest.starts_with(b"<!--") {
                // `<!-->` and `<!--->` are quick-xml's to judge.
                if rest.get(4) == Some(&b'>') || rest.get(4..6) == Some(b"->") {
                    return Err(Decline);
                }
                match memmem::find(&rest[4..], b"-->") {
                    Some(i) => Ok(Step::Skip(pos + 4 + i + 3)),
                    None => more(),
                }
            } else if rest.starts_with(b"<![CDATA[") {
                match memmem::find(&rest[9..], b"]]>") {
                    Some(i) => Ok(Step::Ev(
                        pos,
                        Raw::CData(pos + 9, pos + 9 + i),
                        pos + 9 + i + 3,
                    )),
                    None => more(),
                }
            } else {
                // A doctype (which may declare entities): quick-xml's.
                Err(Decline)
            }
        }
        Some(_) => {
            // The tag ends at the first `>` outside quotes.
            let mut i = 1;
            let gt = loop {
                match memchr3(b'>', b'"', b'\'', &rest[i..]) {
                    None => return more(),
                    Some(j) if rest[i + j] == b'>' => break i + j,
                    Some(j) => {
                        let q = rest[i + j];
                        match memchr(q, &rest[i + j + 1..]) {
                            None => return more(),
                            Some(k) => i = i + j + 1 + k + 1,
                        }
                    }
                }
            };
            let mut content = &rest[1..gt];
            let empty = content.last() == Some(&b'/');
            if empty {
                content = &content[..content.len() - 1];
            }
            let name_len = content
                .iter()
                .position(|&b| is_space(b))
                .unwrap_or(content.len());
            let (name, attrs) = content.split_at(name_len);
            if name.is_empty()
                || !name
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
            {
                return Err(Decline);
            }
            let (a, b, c) = (
                pos + 1,
                pos + 1 + name.len(),
                pos + 1 + name.len() + attrs.len(),
            );
            let raw = if empty {
                Raw::Empty(a, b, c)
            } else {
                Raw::Start(a, b, c)
            };
            Ok(Step::Ev(pos, raw, pos + gt + 1))
        }
    }
}

/// The attributes of a tag (`raw`: what follows its name), as quick-xml
/// reads them, appended to `out`.
pub(super) fn attributes<'a>(
    raw: &'a [u8],
    names: Names,
    out: &mut Vec<Attribute<'a>>,
) -> Result<(), Decline> {
    // Keys and values are cut at ASCII bytes (`=`, quotes, spaces), so the
    // whole is UTF-8 exactly when each of them is.
    let raw = std::str::from_utf8(raw).map_err(|_| Decline)?;
    attributes_str(raw, names, out)
}

/// [`attributes`] of a tag known to be UTF-8.
pub(super) fn attributes_str<'a>(
    raw: &'a str,
    names: Names,
    out: &mut Vec<Attribute<'a>>,
) -> Result<(), Decline> {
    let text = raw;
    let raw = raw.as_bytes();
    let mut keys: [&[u8]; 16] = [&[]; 16];
    let mut n = 0;
    let mut i = 0;
    let len = raw.len();
    loop {
        while i < len && is_space(raw[i]) {
            i += 1;
        }
        if i == len {
            return Ok(());
        }
        let start = i;
        while i < len && raw[i] != b'=' && !is_space(raw[i]) {
            i += 1;
        }
        let key = &raw[start..i];
        while i < len && is_space(raw[i]) {
            i += 1;
        }
        if i == len || raw[i] != b'=' || key.is_empty() {
            return Err(Decline);
        }
        i += 1;
        while i < len && is_space(raw[i]) {
            i += 1;
        }
        let Some(&q @ (b'"' | b'\'')) = raw.get(i) else {
            return Err(Decline);
        };
        let Some(end) = memchr(q, &raw[i + 1..]) else {
            return Err(Decline);
        };
        let value = i + 1..i + 1 + end;
        i += 1 + end + 1;
        if n == keys.len() || keys[..n].contains(&key) {
            // A repeated attribute (an error quick-xml names), or very many.
            return Err(Decline);
        }
        keys[n] = key;
        n += 1;
        let name_at = match names {
            Names::Local => start + memchr(b':', key).map_or(0, |c| c + 1),
            Names::AsWritten => start,
        };
        // Cut at ASCII bytes of UTF-8: on character boundaries.
        let name = &text[name_at..start + key.len()];
        let value = text_value(&text[value])?;
        out.push((Cow::Borrowed(name), value));
    }
}

/// Text or an attribute's value as quick-xml gives it: references decoded
/// (`&amp;`, `&#220;`), any other `&` declined.
pub(super) fn text_value(raw: &str) -> Result<Cow<'_, str>, Decline> {
    if memchr(b'&', raw.as_bytes()).is_some() {
        quick_xml::escape::unescape(raw).map_err(|_| Decline)
    } else {
        Ok(Cow::Borrowed(raw))
    }
}

/// Where the tag starting at `s[0]` (a `<`) ends: its `>`, the first outside
/// quotes; `None` when the block ends first.
pub(super) fn tag_end(s: &[u8]) -> Option<usize> {
    let mut i = 1;
    loop {
        let j = memchr3(b'>', b'"', b'\'', &s[i..])?;
        if s[i + j] == b'>' {
            return Some(i + j);
        }
        let q = s[i + j];
        let k = memchr(q, &s[i + j + 1..])?;
        i = i + j + 1 + k + 1;
    }
}

/// Why a reader of whole elements ([`Scanner::rest`]) did not read one.
pub(super) enum Whole {
    /// The block ends before the element does.
    More,
    /// Not a shape it reads: the events read it.
    No,
}

/// The length of the start tag of element `name` at `s[0]` and whether it
/// is empty (`<name/>`); `Err(More)` when the block ends first, `Err(No)`
/// when the tag is not `name`'s.
pub(super) fn start_tag(s: &[u8], name: &[u8]) -> Result<(usize, bool), Whole> {
    let n = name.len() + 1;
    let Some(&after) = s.get(n) else {
        return Err(Whole::More);
    };
    if s[0] != b'<' || s[1..n] != *name {
        return Err(Whole::No);
    }
    let gt = tag_end(s).ok_or(Whole::More)?;
    let empty = s[gt - 1] == b'/';
    // The name ends at a space, or the tag with it.
    if is_space(after) || gt == n || (empty && gt == n + 1) {
        Ok((gt + 1, empty))
    } else {
        Err(Whole::No)
    }
}

/// Where a start tag's attribute lies in the element read whole: its key's
/// start and end, its value's start and end (inside the quotes).
pub(super) type Span = (u32, u32, u32, u32);

/// The start tag of a record's element `name` at `s[0]`: where it ends,
/// whether it is empty (`/>`), and whether it is written the plain way. If
/// plain, its attributes' places are in `spans` ([`plain_start_tag`], read
/// with [`span_attributes`]); if not, [`start_tag`] judged it and its
/// attributes are for [`attributes_str`]. `Err(No)` also for an element of
/// 4 GiB or more, whose places do not fit in 32 bits: the events read it.
pub(super) fn record_start_tag(
    s: &[u8],
    name: &[u8],
    spans: &mut Vec<Span>,
) -> Result<(usize, bool, bool), Whole> {
    if s.len() > u32::MAX as usize {
        return Err(Whole::No);
    }
    match plain_start_tag(s, name, spans) {
        Ok((tag, empty)) => Ok((tag, empty, true)),
        Err(Whole::No) => {
            let (tag, empty) = start_tag(s, name)?;
            Ok((tag, empty, false))
        }
        Err(more) => Err(more),
    }
}

/// The most attributes [`plain_start_tag`] reads; a tag with more goes the
/// general way.
const MAX_PLAIN_ATTRIBUTES: usize = 16;

/// The start tag of element `name` at `s[0]` read in one pass with where
/// its attributes lie (into `spans`), when it is written the plain way:
/// the name, then ` key="value"` (or `'value'`) each after space, then
/// space and `>` or `/>`. Its length and whether it is empty, as
/// [`start_tag`] gives them; `spans` are what [`attributes_str`] reads
/// from the same tag ([`span_attributes`]). `Err(No)` for any other way
/// of writing it (space around `=`, no space between attributes, a
/// repeated or odd key, a key with `/`, `<`, `>`, a quote or a control
/// byte, more than 16 attributes) or another element: [`start_tag`] and
/// [`attributes_str`] then judge it. `s` is at most `u32::MAX` bytes long.
pub(super) fn plain_start_tag(
    s: &[u8],
    name: &[u8],
    spans: &mut Vec<Span>,
) -> Result<(usize, bool), Whole> {
    spans.clear();
    let n = name.len() + 1;
    if s.len() <= n {
        return Err(Whole::More);
    }
    if s[0] != b'<' || s[1..n] != *name {
        return Err(Whole::No);
    }
    // Each key read so far as a word ([`key_print`]): a repeated key is
    // told by comparing words, the keys themselves only when two match.
    let mut prints = [0u64; MAX_PLAIN_ATTRIBUTES];
    let mut i = n;
    loop {
        // After the name or a value: space, or the tag's end.
        match s.get(i) {
            None => return Err(Whole::More),
            Some(b'>') => return Ok((i + 1, false)),
            Some(b'/') => {
                return match s.get(i + 1) {
                    Some(b'>') => Ok((i + 2, true)),
                    Some(_) => Err(Whole::No),
                    None => Err(Whole::More),
                };
            }
            Some(&c) if is_space(c) => {}
            Some(_) => return Err(Whole::No),
        }
        i += 1;
        let mut c = *s.get(i).ok_or(Whole::More)?;
        while is_space(c) {
            i += 1;
            c = *s.get(i).ok_or(Whole::More)?;
        }
        if c == b'>' || c == b'/' {
            continue;
        }
        // The key: up to its `=`, sixteen bytes looked at at once (a byte
        // at a time in a table near the end of `s`), where a test of each
        // byte for each stop took a chain of compares.
        let k0 = i;
        let k1 = loop {
            if let Some(block) = s.get(i..i + 16) {
                let m = words::marks16(block, b"=></\"'", b' ' + 1, false);
                if m == 0 {
                    i += 16;
                    continue;
                }
                i += m.trailing_zeros() as usize;
            } else {
                while KEY_BYTES[usize::from(*s.get(i).ok_or(Whole::More)?)] == KEY {
                    i += 1;
                }
            }
            if s[i] == b'=' {
                break i;
            }
            return Err(Whole::No);
        };
        let q = match s.get(k1 + 1) {
            None => return Err(Whole::More),
            Some(&q @ (b'"' | b'\'')) => q,
            Some(_) => return Err(Whole::No),
        };
        let v0 = k1 + 2;
        let v1 = v0 + find_byte16(q, s.get(v0..).unwrap_or_default()).ok_or(Whole::More)?;
        let read = spans.len();
        if k1 == k0 || read == MAX_PLAIN_ATTRIBUTES {
            return Err(Whole::No);
        }
        let print = key_print(s, k0, k1);
        // A loop here: `contains` was a call, not inlined (34 M
        // instructions at 100k GEXF).
        #[allow(clippy::manual_contains)]
        let seen = prints[..read].iter().any(|&p| p == print);
        if seen && repeated(s, spans, k0, k1) {
            return Err(Whole::No);
        }
        prints[read] = print;
        spans.push((k0 as u32, k1 as u32, v0 as u32, v1 as u32));
        i = v1 + 1;
    }
}

/// Whether key `s[k0..k1]` is one of `spans`' (their prints matched).
#[cold]
fn repeated(s: &[u8], spans: &[Span], k0: usize, k1: usize) -> bool {
    let key = &s[k0..k1];
    (spans.iter()).any(|&(a, b, _, _)| same(&s[a as usize..b as usize], key))
}

/// What a byte is in a plain start tag's key ([`KEY_BYTES`]).
const KEY: u8 = 0;
/// A byte that ends a plain key: its `=`, or one no plain key holds
/// (`>`, `/`, `<`, a quote, space or a control byte: the general way
/// reads a key of control bytes, and judges it).
const NOT_KEY: u8 = 1;

/// [`KEY`] or [`NOT_KEY`], by byte (what `marks16` marks in the key).
static KEY_BYTES: [u8; 256] = {
    let mut t = [KEY; 256];
    let mut b = 0;
    while b <= b' ' {
        t[b as usize] = NOT_KEY;
        b += 1;
    }
    t[b'>' as usize] = NOT_KEY;
    t[b'/' as usize] = NOT_KEY;
    t[b'<' as usize] = NOT_KEY;
    t[b'"' as usize] = NOT_KEY;
    t[b'\'' as usize] = NOT_KEY;
    t[b'=' as usize] = NOT_KEY;
    t
};

/// Where byte `b` first is in `s`: sixteen bytes at a time with SSE2
/// (most values and keys fit in one), the rest as [`find_byte`] finds it.
#[inline(always)]
pub(super) fn find_byte16(b: u8, s: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(block) = s.get(at..at + 16) {
        let m = words::marks16(block, &[b], 0, false);
        if m != 0 {
            return Some(at + m.trailing_zeros() as usize);
        }
        at += 16;
    }
    find_byte(b, &s[at..]).map(|i| at + i)
}

/// The key `s[k0..k1]` (not empty) as one word, for [`plain_start_tag`]
/// to tell a repeated key: a key of up to seven bytes is its bytes (the
/// first lowest) and its length in the high byte, so that two such keys
/// are the same exactly when their words are; a longer one is its first
/// eight bytes. The same key gives the same word wherever it lies.
#[inline(always)]
pub(super) fn key_print(s: &[u8], k0: usize, k1: usize) -> u64 {
    let len = k1 - k0;
    match s.get(k0..k0 + 8) {
        Some(w) if len >= 8 => words::word(w),
        Some(w) => words::word(w) & ((1u64 << (8 * len)) - 1) | (len as u64) << 56,
        None => {
            // Near the end of `s`: only a short key (its `="` follows).
            let key = &s[k0..k1];
            let bytes = (key.iter().take(8).enumerate())
                .fold(0u64, |w, (i, &b)| w | u64::from(b) << (8 * i));
            if len >= 8 {
                bytes
            } else {
                bytes | (len as u64) << 56
            }
        }
    }
}

/// Whether `a` and `b` are the same bytes: those of up to sixteen compared
/// as two words (or a few bytes) here, where `==` called `memcmp` (ids and
/// names in the records read whole are most often that short).
#[inline]
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let u32_at = |s: &[u8], i: usize| u32::from_le_bytes([s[i], s[i + 1], s[i + 2], s[i + 3]]);
    match n {
        8..=16 => {
            words::word(&a[..8]) == words::word(&b[..8])
                && words::word(&a[n - 8..]) == words::word(&b[n - 8..])
        }
        4..=7 => u32_at(a, 0) == u32_at(b, 0) && u32_at(a, n - 4) == u32_at(b, n - 4),
        0..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        _ => a == b,
    }
}

/// `s` as text, when it is UTF-8, and whether it holds a `&` (a reference
/// to decode): its ASCII without `&` read sixteen bytes at a time and its
/// characters of two bytes checked on the way, and only the rest from the
/// first `&` or other character checked as UTF-8 and searched for `&` (one
/// pass over an element of ASCII, where [`std::str::from_utf8`] and a
/// search were two).
pub(super) fn text_and_refs(s: &[u8]) -> Option<(&str, bool)> {
    let mut at = 0;
    let refs = loop {
        at += ascii_without_refs(&s[at..]);
        // Characters of two bytes (Latin letters with marks, Cyrillic,
        // Greek) checked here, and the scan of ASCII taken up again after
        // them: the rest checked whole by `from_utf8` only from a `&` or
        // another character on (it was from the first that is not ASCII).
        while let (Some(0xC2..=0xDF), Some(0x80..=0xBF)) = (s.get(at), s.get(at + 1)) {
            at += 2;
        }
        match s.get(at) {
            None => break false,
            Some(&b) if b < 0x80 && b != b'&' => {}
            Some(_) => {
                let rest = &s[at..];
                std::str::from_utf8(rest).ok()?;
                break memchr(b'&', rest).is_some();
            }
        }
    };
    // SAFETY: `s[..at]` is ASCII and whole characters of two bytes (each
    // a lead byte 0xC2-0xDF and a continuation byte: UTF-8), and `s[at..]`
    // is empty or was checked as UTF-8, so `s`, the one after the other,
    // is UTF-8.
    let text = unsafe { std::str::from_utf8_unchecked(s) };
    debug_assert!(std::str::from_utf8(s).is_ok());
    Some((text, refs))
}

/// How many bytes `s` starts with that are ASCII and not `&`: thirty-two
/// at a time with AVX2 where the processor has it and `s` is long (a
/// record read whole is hundreds of bytes), else sixteen at a time with
/// SSE2 (every x86-64 has it).
#[cfg(target_arch = "x86_64")]
fn ascii_without_refs(s: &[u8]) -> usize {
    if s.len() >= 64 && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2 (just checked).
        return unsafe { ascii_without_refs_avx2(s) };
    }
    ascii_without_refs_sse2(s)
}

/// [`ascii_without_refs`] thirty-two bytes at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn ascii_without_refs_avx2(s: &[u8]) -> usize {
    use std::arch::x86_64::{__m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256};
    use std::arch::x86_64::{_mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8};
    let mut i = 0;
    while let Some(c) = s.get(i..i + 32) {
        // SAFETY: `c` is thirty-two bytes, read unaligned.
        let v = unsafe { _mm256_loadu_si256(c.as_ptr().cast::<__m256i>()) };
        // A byte's high bit (not ASCII) or `&`.
        let stop = _mm256_movemask_epi8(_mm256_or_si256(
            v,
            _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'&' as i8)),
        ));
        if stop != 0 {
            return i + stop.trailing_zeros() as usize;
        }
        i += 32;
    }
    i + ascii_without_refs_sse2(&s[i..])
}

/// [`ascii_without_refs`] sixteen bytes at a time.
#[cfg(target_arch = "x86_64")]
fn ascii_without_refs_sse2(s: &[u8]) -> usize {
    use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8};
    use std::arch::x86_64::{_mm_or_si128, _mm_set1_epi8};
    let mut i = 0;
    while let Some(c) = s.get(i..i + 16) {
        // SAFETY: SSE2 is part of x86-64; `c` is sixteen bytes, read unaligned.
        let stop = unsafe {
            let v = _mm_loadu_si128(c.as_ptr().cast::<__m128i>());
            // A byte's high bit (not ASCII) or `&`.
            _mm_movemask_epi8(_mm_or_si128(
                v,
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'&' as i8)),
            ))
        };
        if stop != 0 {
            return i + stop.trailing_zeros() as usize;
        }
        i += 16;
    }
    i + ascii_without_refs_bytes(&s[i..])
}

/// [`ascii_without_refs`] eight bytes at a time, where there is no SSE2.
#[cfg(not(target_arch = "x86_64"))]
fn ascii_without_refs(s: &[u8]) -> usize {
    let mut i = 0;
    while let Some(c) = s.get(i..i + 8) {
        let w = words::word(c);
        let stop = words::not(words::below(w, 0x80)) | words::eq(w, b'&');
        if stop != 0 {
            return i + words::first(stop);
        }
        i += 8;
    }
    i + ascii_without_refs_bytes(&s[i..])
}

/// [`ascii_without_refs`] one byte at a time.
fn ascii_without_refs_bytes(s: &[u8]) -> usize {
    (s.iter())
        .position(|&b| !b.is_ascii() || b == b'&')
        .unwrap_or(s.len())
}

/// The attributes `spans` say lie in `text` (see [`plain_start_tag`]),
/// appended to `out` as [`attributes_str`] reads them; `refs`: whether
/// `text` may hold a reference (`&`), to be decoded.
pub(super) fn span_attributes<'a>(
    text: &'a str,
    spans: &[Span],
    names: Names,
    refs: bool,
    out: &mut Vec<Attribute<'a>>,
) -> Result<(), Decline> {
    for &span in spans {
        let (key, value) = span_attribute(text, span, names, refs)?;
        out.push((Cow::Borrowed(key), value));
    }
    Ok(())
}

/// The key and the value of attribute `span` in `text` (see
/// [`plain_start_tag`]), as [`attributes_str`] reads them; `refs`: whether
/// `text` may hold a reference (`&`), to be decoded.
pub(super) fn span_attribute<'a>(
    text: &'a str,
    (k0, k1, v0, v1): Span,
    names: Names,
    refs: bool,
) -> Result<(&'a str, Cow<'a, str>), Decline> {
    let key = &text[k0 as usize..k1 as usize];
    let key = match names {
        Names::Local => find_short(b':', key.as_bytes()).map_or(key, |c| &key[c + 1..]),
        Names::AsWritten => key,
    };
    let value = &text[v0 as usize..v1 as usize];
    let value = if refs {
        text_value(value)?
    } else {
        Cow::Borrowed(value)
    };
    Ok((key, value))
}

/// Where byte `b` first is in `s`, eight bytes at a time: quicker than
/// [`memchr`] over the few bytes of a value.
pub(super) fn find_byte(b: u8, s: &[u8]) -> Option<usize> {
    let mut chunks = s.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let m = words::eq(words::word(c), b);
        if m != 0 {
            return Some(at + words::first(m));
        }
        at += 8;
    }
    find_short(b, chunks.remainder()).map(|i| at + i)
}

/// Where byte `b` first is in `s`, looked for one byte at a time: quicker
/// than [`memchr`] over the few bytes of a key or an id.
pub(super) fn find_short(b: u8, s: &[u8]) -> Option<usize> {
    s.iter().position(|&c| c == b)
}

/// How many spaces `s` starts with, eight bytes at a time (a writer's
/// indent and line break between elements).
pub(super) fn spaces(s: &[u8]) -> usize {
    let mut chunks = s.chunks_exact(8);
    let mut n = 0;
    for c in &mut chunks {
        let w = words::word(c);
        let space = words::eq(w, b' ') | words::eq(w, b'\n') | words::eq(w, b'\t');
        let other = words::not(space | words::eq(w, b'\r'));
        if other != 0 {
            return n + words::first(other);
        }
        n += 8;
    }
    n + chunks
        .remainder()
        .iter()
        .take_while(|&&b| is_space(b))
        .count()
}

/// `v` emptied, to be filled with attributes borrowed for another while
/// (its allocation kept).
pub(super) fn recycle<'b>(mut v: Vec<Attribute<'_>>) -> Vec<Attribute<'b>> {
    v.clear();
    v.into_iter().map(|_| unreachable!("emptied")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(text: &str, block: usize) -> Result<Vec<String>, Decline> {
        let mut s = Scanner::new(text.as_bytes(), block);
        let mut out = Vec::new();
        while let Some((at, ev)) = s.next()? {
            out.push(match ev {
                Ev::Start(n, a) => format!(
                    "{at} <{}{}>",
                    String::from_utf8_lossy(n),
                    String::from_utf8_lossy(a)
                ),
                Ev::Empty(n, a) => format!(
                    "{at} <{}{}/>",
                    String::from_utf8_lossy(n),
                    String::from_utf8_lossy(a)
                ),
                Ev::End(n) => format!("{at} </{}>", String::from_utf8_lossy(n)),
                Ev::Text(t) => format!("{at} {t:?}"),
            });
        }
        Ok(out)
    }

    #[test]
    fn events_are_the_same_whatever_the_block_size() {
        let text = "<?xml version=\"1.0\"?>\n<a x=\"1 > 2\" y='&amp;'>t&lt;x<!-- c --><b/>\
                    <![CDATA[<z>]]></a >\n";
        let whole = events(text, 1 << 20).unwrap();
        assert_eq!(
            whole,
            [
                "21 \"\\n\"",
                "22 <a x=\"1 > 2\" y='&amp;'>",
                "45 \"t<x\"",
                "61 <b/>",
                "65 \"<z>\"",
                "80 </a>",
                "85 \"\\n\""
            ]
        );
        for block in 1..40 {
            assert_eq!(events(text, block).unwrap(), whole, "block {block}");
        }
    }

    #[test]
    fn what_quick_xml_must_judge_is_declined() {
        for bad in [
            "<a></b>",
            "<a>",
            "<a x=\"1\" x=\"2\"/>",
            "<a x=1/>",
            "<a>&nbsp;</a>",
            "<!DOCTYPE a><a/>",
            "",
            "\u{feff}<a/>",
            "<a",
        ] {
            let mut attrs = Vec::new();
            let r = events(bad, 3).and_then(|evs| {
                // Attributes are judged when read.
                let mut s = Scanner::new(bad.as_bytes(), 3);
                while let Some((_, ev)) = s.next()? {
                    if let Ev::Start(_, a) | Ev::Empty(_, a) = ev {
                        attributes(
                            a,
                            Names::AsWritten,
                            &mut recycle(std::mem::take(&mut attrs)),
                        )?;
                    }
                }
                Ok(evs)
            });
            assert_eq!(r, Err(Decline), "{bad:?}");
        }
    }

    /// A tag's length, whether it is empty, and its attributes.
    type Read = (usize, bool, Vec<(String, String)>);

    /// What [`start_tag`] and [`attributes_str`] make of the tag at `s[0]`.
    fn general(s: &[u8], name: &[u8], names: Names) -> Option<Read> {
        let (tag, empty) = start_tag(s, name).ok()?;
        let text = std::str::from_utf8(&s[..tag]).ok()?;
        let mut out = Vec::new();
        attributes_str(
            &text[1 + name.len()..tag - 1 - usize::from(empty)],
            names,
            &mut out,
        )
        .ok()?;
        let out = out
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Some((tag, empty, out))
    }

    proptest::proptest! {
        /// A tag read plainly ([`plain_start_tag`]) is read as the general
        /// way reads it, whatever it is made of.
        #[test]
        fn a_plain_start_tag_reads_as_the_general_way(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                " ", "\t", "\n", "id", "source", "x:y", "=", "\"", "'", "a b", "&amp;", "&lt;", "&",
                ">", "/", "<", "Ü", "id=\"n1\"", " label='A &amp; B'", " x=\"1\"",
                "timestamp", "timestamps", " timestamp=\"1\"", "\u{1}", " a_key_of_sixteen_or_more=\"v\"",
            ]), 0..14),
            local in proptest::bool::ANY,
            tail in proptest::bool::ANY,
        ) {
            let names = if local { Names::Local } else { Names::AsWritten };
            let mut s = format!("<node{}", parts.concat()).into_bytes();
            if tail {
                s.extend_from_slice(b"><data/>");
            }
            let mut spans = Vec::new();
            match plain_start_tag(&s, b"node", &mut spans) {
                Ok((tag, empty)) => {
                    let text = std::str::from_utf8(&s[..tag]).unwrap();
                    let mut out = Vec::new();
                    let plain = span_attributes(text, &spans, names, text.contains('&'), &mut out)
                        .ok()
                        .map(|()| {
                            let out = out.into_iter().map(|(k, v)| (k.into_owned(), v.into_owned()));
                            (tag, empty, out.collect::<Vec<_>>())
                        });
                    proptest::prop_assert_eq!(plain, general(&s, b"node", names));
                }
                Err(Whole::More) => proptest::prop_assert!(
                    matches!(start_tag(&s, b"node"), Err(Whole::More)) || !tail,
                    "{}", String::from_utf8_lossy(&s)
                ),
                Err(Whole::No) => {}
            }
        }

        /// Keys' words ([`key_print`]) are the same for the same key
        /// wherever it lies (the end of the text near or not), and differ
        /// for different keys of up to seven bytes.
        #[test]
        fn key_prints_tell_short_keys_apart(
            a in "[a-z:Ü]{1,10}",
            b in "[a-z:Ü]{1,10}",
            after_a in 0usize..10,
            after_b in 0usize..10,
        ) {
            let print = |key: &str, after: usize| {
                let s = format!("{key}=\"{}", "x".repeat(after));
                key_print(s.as_bytes(), 0, key.len())
            };
            let (pa, pb) = (print(&a, after_a), print(&b, after_b));
            proptest::prop_assert_eq!(pa, print(&a, 9 - after_a));
            if a == b {
                proptest::prop_assert_eq!(pa, pb);
            } else if a.len() < 8 && b.len() < 8 {
                proptest::prop_assert_ne!(pa, pb);
            }
        }

        /// [`text_and_refs`] says what `from_utf8` and a search for `&`
        /// say, on bytes rich in ASCII, `&` and (broken) UTF-8.
        #[test]
        fn text_and_refs_is_from_utf8_and_a_search(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                &b"a"[..], b"<", b"\"", b"&", b" ", b"&amp;", b"\xc3\x9c", b"\xe2\x82\xac",
                b"\xd0\xb1", b"\xc1\xbf", b"\xdf", b"\xbf",
                b"\xf0\x9f\x98\x80", b"\x80", b"\xff", b"\xe2\x82", b"\xc3",
            ]), 0..80),
            // Plain text first, long enough to be read 32 bytes at a time.
            lead in 0usize..100,
        ) {
            let mut s = vec![b'x'; lead];
            s.extend(parts.concat());
            let want = std::str::from_utf8(&s).ok().map(|t| (t, s.contains(&b'&')));
            proptest::prop_assert_eq!(text_and_refs(&s), want);
        }

        #[test]
        fn spaces_counts_the_spaces_first(s in proptest::collection::vec(proptest::sample::select(b" \n\t\r!a\x0b\x0c\x08\x1f".to_vec()), 0..40)) {
            proptest::prop_assert_eq!(spaces(&s), s.iter().take_while(|&&b| is_space(b)).count());
        }

        #[test]
        fn find_byte_finds_the_first(s in proptest::collection::vec(proptest::sample::select(b"ab\"<".to_vec()), 0..40)) {
            for b in [b'"', b'<'] {
                proptest::prop_assert_eq!(find_byte(b, &s), s.iter().position(|&c| c == b));
            }
        }
    }

    #[test]
    fn plain_start_tags_are_read_in_one_pass() {
        let mut spans = Vec::new();
        let s = b"<edge id=\"e0\" source='a' target=\"b &amp; c\" >";
        assert!(matches!(
            plain_start_tag(s, b"edge", &mut spans),
            Ok((45, false))
        ));
        assert_eq!(spans.len(), 3);
        for other in [
            &b"<edge id = \"e0\">"[..],
            b"<edge id=\"a\"id=\"b\">",
            b"<edge a=\"1\" a=\"2\"/>",
            b"<edges>",
        ] {
            assert!(matches!(
                plain_start_tag(other, b"edge", &mut spans),
                Err(Whole::No)
            ));
        }
        assert!(matches!(
            plain_start_tag(b"<edge id=\"e0", b"edge", &mut spans),
            Err(Whole::More)
        ));
    }

    #[test]
    fn attributes_read_as_quick_xml_reads_them() {
        let mut out = Vec::new();
        attributes(
            b" id=\"n1\" y:label = 'a &amp; b'z=\"\"",
            Names::Local,
            &mut out,
        )
        .unwrap();
        let got: Vec<(String, String)> = out
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(
            got,
            [
                ("id".into(), "n1".into()),
                ("label".into(), "a & b".into()),
                ("z".into(), String::new())
            ]
        );
    }
}
